/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Whole-machine device state: save, and all-or-nothing load. */
#ifndef SAVE_MACHINE_STATE_H
#define SAVE_MACHINE_STATE_H

#include "dm/machine.h"
#include "save/state.h"
#include "save/stream.h"

#include <glib.h>
#include <stdbool.h>

/* The "timer" section: QEMU's virtual clock, which every timer is on. */
typedef struct SaveClockState {
    int64_t cpu_ticks_offset;
    int64_t cpu_clock_offset;
    DmClock *clock;
} SaveClockState;

extern const SaveSection save_clock_section;

typedef struct SaveFormat {
    bool configuration;       /* 0x07 section with the machine name */
    bool footers;             /* 0x7e + section id after each section */
    bool ram;                 /* the "ram" section (a full migrate) */
    bool vmdesc;              /* the JSON description after EOF */
} SaveFormat;

/*
 * The table the machine saves idstr with, and a copy of its state to
 * decode into (caller frees); NULL if the machine has no such section.
 */
const SaveSection *save_machine_section(DmMachine *m, const char *idstr,
                                        void **scratch);

/* The dialect QEMU 7.2 writes for xen-save-devices-state on this machine. */
SaveFormat save_format_for_device_state(const DmMachine *m);
/* The dialect of a full, non-live migrate on this machine. */
SaveFormat save_format_for_migrate(const DmMachine *m);

/*
 * Writes header, configuration, RAM START/PART/END (every page; the VM
 * is stopped), one FULL section per saved device, EOF, description, as
 * f says.
 */
gboolean save_machine_state(DmMachine *m, int fd, const SaveFormat *f,
                            GError **errp);

/*
 * The pieces save/migrate-out.c builds a stream from: QEVM header and
 * configuration; the id the "ram" section takes; each device's FULL
 * section, EOF and the description; section header and footer records.
 */
void save_machine_write_header(DmMachine *m, SaveWriter *w,
                               const SaveFormat *f);
uint32_t save_machine_ram_section_id(DmMachine *m);
gboolean save_machine_write_devices(DmMachine *m, SaveWriter *w,
                                    const SaveFormat *f, GError **errp);
void save_write_section_header(SaveWriter *w, uint8_t type, uint32_t id,
                               const char *idstr, uint32_t instance,
                               uint32_t version);
void save_write_footer(SaveWriter *w, const SaveFormat *f, uint32_t id);

/* What a migrate wrote, for query-migrate. */
typedef struct SaveStats {
    uint64_t bytes;
    uint64_t ram_total;       /* sum of the blocks' used_length */
    uint64_t zero_pages;
    uint64_t data_pages;
    uint64_t dirty_syncs;     /* walks of the dirty log (dirty-sync-count) */
} SaveStats;

/* save_machine_state, counting what it wrote (save/migrate-out.c). */
gboolean save_machine_migrate(DmMachine *m, int fd, const SaveFormat *f,
                              SaveStats *stats, GError **errp);

/*
 * Reads a whole stream (footers and configuration detected), checks every
 * section against the machine, and only then applies them. On failure the
 * machine is exactly as it was and the error names section and offset.
 *
 * A section of a device the machine lacks is refused, unless the machine
 * was started with -machine unemulated=skip and stubdm knows the layout
 * (save/foreign/): then it is parsed and dropped. After a good load the
 * dropped idstrs are listed on stderr and, when skipped is not NULL,
 * returned there (unique, in stream order; caller unrefs).
 */
gboolean load_machine_state(DmMachine *m, int fd, GPtrArray **skipped,
                            GError **errp);

#endif
