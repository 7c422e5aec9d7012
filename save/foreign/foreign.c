/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Lookup of the tables of sections stubdm reads only to get past them. */
#include "save/foreign/foreign-int.h"
#include "dm/machine-types.h"

#include <string.h>

static const SaveField pci_device_fields[] = {
    SAVE_FIELD_I32(ForeignPciDevice, version_id),
    SAVE_FIELD_BUFFER(ForeignPciDevice, config),
    SAVE_FIELD_I32_ARRAY_SINCE(ForeignPciDevice, irq_state, 4, 2),
    SAVE_END
};

/* Nested, so always read at version 2: irq_state is always there. */
const SaveSection foreign_pci_device_section = {
    .name = "PCIDevice",
    .version = 2,
    .minimum_version = 1,
    .fields = pci_device_fields,
};

static const SaveForeign *const families[] = {
    save_foreign_cpu,
    save_foreign_chipset,
    save_foreign_legacy,
    save_foreign_firmware,
    save_foreign_display,
};

bool foreign_nonzero(const void *p, size_t n)
{
    const uint8_t *b = p;

    for (size_t i = 0; i < n; i++) {
        if (b[i]) {
            return true;
        }
    }
    return false;
}

bool foreign_machine_at_least(const char *machine_type, int major,
                              int minor)
{
    if (!machine_type || !dm_machine_type_find(machine_type)) {
        return true;
    }
    return dm_machine_type_at_least(machine_type, major, minor);
}

static bool name_matches(const SaveForeign *f, const char *idstr)
{
    const char *slash;

    if (!strcmp(f->name, idstr)) {
        return true;
    }
    slash = strrchr(idstr, '/');
    return f->pci && slash && !strcmp(slash + 1, f->name);
}

static const SaveForeign *foreign_lookup(const char *idstr,
                                         const SaveSection *section)
{
    for (size_t i = 0; i < G_N_ELEMENTS(families); i++) {
        for (const SaveForeign *f = families[i]; f->name; f++) {
            if (section ? f->section == section : name_matches(f, idstr)) {
                return f;
            }
        }
    }
    return NULL;
}

const SaveSection *save_foreign_find(const char *idstr, size_t *scratch_size)
{
    const SaveForeign *f = foreign_lookup(idstr, NULL);

    if (scratch_size) {
        *scratch_size = f ? f->scratch_size : 0;
    }
    return f ? f->section : NULL;
}

void *save_foreign_scratch_new(const SaveSection *s,
                               const char *machine_type)
{
    const SaveForeign *f = foreign_lookup(NULL, s);
    void *scratch;

    g_assert(f);
    scratch = g_malloc0(f->scratch_size);
    if (f->init) {
        f->init(scratch, machine_type);
    }
    return scratch;
}
