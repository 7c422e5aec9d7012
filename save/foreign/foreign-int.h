/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What the save/foreign/ tables share; not for use outside that folder. */
#ifndef SAVE_FOREIGN_INT_H
#define SAVE_FOREIGN_INT_H

#include "save/foreign/foreign.h"
#include "save/state.h"

#include <stdbool.h>
#include <stdint.h>

/* One section QEMU writes for a device stubdm lacks. */
typedef struct SaveForeign {
    const char *name;         /* the idstr; for PCI its last part */
    bool pci;                 /* QEMU writes it as "0000:00:SS.F/name" */
    const SaveSection *section;
    size_t scratch_size;
    /* Local configuration of QEMU's device; NULL: all zeros will do. */
    void (*init)(void *scratch, const char *machine_type);
} SaveForeign;

/* Per device family; each list ends with an entry whose name is NULL. */
extern const SaveForeign save_foreign_cpu[];
extern const SaveForeign save_foreign_chipset[];
extern const SaveForeign save_foreign_legacy[];
extern const SaveForeign save_foreign_firmware[];
extern const SaveForeign save_foreign_display[];

/* Nested "PCIDevice" (qemu-stream.md 4.3) as plain bytes, for skipping. */
typedef struct ForeignPciDevice {
    int32_t version_id;
    uint8_t config[256];      /* "pci config" */
    int32_t irq_state[4];     /* "pci irq state" */
} ForeignPciDevice;

extern const SaveSection foreign_pci_device_section;

/* Whether any of n bytes at p is non-zero (most needed() predicates). */
bool foreign_nonzero(const void *p, size_t n);
/* QEMU X.Y compat of machine_type; NULL counts as the newest (7.2). */
bool foreign_machine_at_least(const char *machine_type, int major,
                              int minor);

/*
 * Field kinds state.h has no shorthand for. Timers are kept as plain
 * int64 expiries here: nothing is ever armed, and a scratch copy written
 * back gives the bytes it was read from.
 */
#define FOREIGN_U16_ARRAY(T, f, n)                                          \
    SAVE_ARRAY_(T, f, SAVE_U16, uint16_t, n, 0)
#define FOREIGN_I32_ARRAY(T, f, n)                                          \
    SAVE_ARRAY_(T, f, SAVE_I32, int32_t, n, 0)
#define FOREIGN_U64_ARRAY(T, f, n)                                          \
    SAVE_ARRAY_(T, f, SAVE_U64, uint64_t, n, 0)
#define FOREIGN_U16_TEST(T, f, t)                                           \
    SAVE_SCALAR_(T, f, SAVE_U16, uint16_t, 0, t)
#define FOREIGN_BUFFER_TEST(T, f, t)                                        \
    { .name = #f, .kind = SAVE_BUFFER, .offset = offsetof(T, f),            \
      .size = sizeof(((T *)0)->f), .count = 1, .test = (t) }
#define FOREIGN_UNUSED_SINCE(label, n, v)                                   \
    { .name = label, .kind = SAVE_UNUSED, .size = (n), .count = 1,          \
      .since = (v) }
#define FOREIGN_STRUCT_ARRAY_SINCE(T, f, type, n, section, v)               \
    { .name = #f, .kind = SAVE_STRUCT,                                      \
      .offset = offsetof(T, f) + SAVE_CHECK_TYPE(T, f, type[n]),            \
      .size = sizeof(type), .count = (n), .nested = &(section),             \
      .since = (v) }

/* A subsection or nested vmstate: name, (version, minimum), fields... */
#define FOREIGN_VMSD(var, label, ver, min, need, ...)                       \
    static const SaveField var##_fields[] = { __VA_ARGS__, SAVE_END };     \
    static const SaveSection var = {                                        \
        .name = label, .version = (ver), .minimum_version = (min),          \
        .fields = var##_fields, .needed = (need),                           \
    }

#endif
