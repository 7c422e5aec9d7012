/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The sections a machine saves and loads, shared by save and load. */
#ifndef SAVE_MACHINE_ENTRIES_H
#define SAVE_MACHINE_ENTRIES_H

#include "save/machine-state.h"

#include <glib.h>

typedef struct {
    char *idstr;
    uint32_t instance;
    const SaveSection *section;
    void *opaque;
    size_t size;              /* of *opaque, for scratch copies */
} SaveEntry;

/*
 * Every section of m in QEMU's order: timer, the devices (PCIHost and
 * PCIBUS before the host bridge), globalstate. clock is the timer
 * section's opaque. The array frees the idstrs.
 */
GArray *save_machine_entries(DmMachine *m, SaveClockState *clock);

#endif
