/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Machine types; the compat differences between them live with the devices. */
#include "dm/machine-types.h"

#include <glib.h>
#include <stdio.h>
#include <string.h>

static const DmMachineType machine_types[] = {
    { "pc-i440fx-7.2", "pc", false },
    { "pc-i440fx-7.1", NULL, false },
    { "pc-i440fx-7.0", NULL, false },
    { "pc-i440fx-6.2", NULL, false },
    { "pc-i440fx-6.1", NULL, false },
    { "pc-i440fx-6.0", NULL, false },
    { "pc-i440fx-5.2", NULL, false },
    { "pc-i440fx-5.1", NULL, false },
    { "pc-i440fx-5.0", NULL, false },
    { "pc-i440fx-4.2", NULL, false },
    { "pc-i440fx-4.1", NULL, false },
    { "pc-i440fx-4.0", NULL, false },
    { "pc-i440fx-3.1", NULL, false },
    { "pc-i440fx-3.0", NULL, false },
    { "pc-i440fx-2.12", NULL, false },
    { "pc-i440fx-2.11", NULL, false },
    { "pc-i440fx-2.10", NULL, false },
    { "pc-i440fx-2.9", NULL, false },
    { "pc-i440fx-2.8", NULL, false },
    { "pc-i440fx-2.7", NULL, false },
    { "pc-i440fx-2.6", NULL, false },
    { "pc-i440fx-2.5", NULL, false },
    { "pc-i440fx-2.4", NULL, false },
    { "pc-i440fx-2.3", NULL, false },
    { "pc-i440fx-2.2", NULL, false },
    { "pc-i440fx-2.1", NULL, false },
    { "pc-i440fx-2.0", NULL, false },
    { "pc-i440fx-1.7", NULL, false },
    { "pc-i440fx-1.6", NULL, false },
    { "pc-i440fx-1.5", NULL, false },
    { "pc-i440fx-1.4", NULL, false },
    /*
     * Not in QEMU 7.2: kept for inbound streams of the qemu-kvm 1.0 fork
     * (-machine pc-1.0,qemu-kvm-migration=on).
     */
    { "pc-1.0", NULL, false },
    /*
     * QEMU 7.2's Xen machines: i440FX plus the Xen platform device. The
     * "xenfv" alias, which libxl passes, stays on 3.1 for migration.
     */
    { "xenfv-4.2", NULL, true },
    { "xenfv-3.1", "xenfv", true },
};

const DmMachineType *dm_machine_type_find(const char *name)
{
    for (size_t i = 0; i < G_N_ELEMENTS(machine_types); i++) {
        const DmMachineType *t = &machine_types[i];
        if (!strcmp(t->name, name) || (t->alias && !strcmp(t->alias, name))) {
            return t;
        }
    }
    return NULL;
}

char *dm_machine_type_names(void)
{
    GString *s = g_string_new(NULL);

    for (size_t i = 0; i < G_N_ELEMENTS(machine_types); i++) {
        const DmMachineType *t = &machine_types[i];
        if (t->alias) {
            g_string_append_printf(s, "%s (%s), ", t->alias, t->name);
        } else {
            g_string_append_printf(s, "%s, ", t->name);
        }
    }
    g_string_truncate(s, s->len - 2);
    return g_string_free(s, FALSE);
}

bool dm_machine_type_at_least(const char *name, int major, int minor)
{
    const DmMachineType *t = dm_machine_type_find(name);
    const char *ver;
    int ma, mi;

    g_assert(t);
    ver = strrchr(t->name, '-');
    if (!ver || sscanf(ver + 1, "%d.%d", &ma, &mi) != 2) {
        return true;
    }
    return ma > major || (ma == major && mi >= minor);
}
