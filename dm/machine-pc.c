/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The i440FX board: which devices a pc-i440fx/xenfv machine has, in the
 * order QEMU 7.2 saves them.
 */
#include "dm/machine-pc.h"
#include "hw/hw.h"
#include "hw/i440fx.h"
#include "hw/i8254.h"
#include "hw/mc146818rtc.h"
#include "hw/pflash-cfi01.h"
#include "hw/piix3.h"
#include "hw/piix4-pm.h"
#include "hw/port92.h"
#include "hw/xen-platform.h"

static const HwDeviceInfo *const pc_devices[] = {
    /* board devices: keep QEMU's save order */
    /* with -drive if=pflash; QEMU saves them right after the CPUs */
    &pflash0_info,
    &pflash1_info,
    &i440fx_info,
    &piix3_info,
    &mc146818rtc_info,
    &i8254_info,
    &port92_info,
    &piix4_pm_info,
    /* xenfv only; QEMU creates it after the rest of the board */
    &xenplat_info,
    NULL,
};

static void board_device_free(gpointer p)
{
    HwDevice *d = p;

    if (d->info->unrealize) {
        d->info->unrealize(d->state);
    }
    g_free(d->state);
    g_free(d);
}

gboolean dm_machine_pc_build(DmMachine *m, GError **errp)
{
    m->devices = g_ptr_array_new_with_free_func(board_device_free);
    for (size_t i = 0; pc_devices[i]; i++) {
        const HwDeviceInfo *info = pc_devices[i];
        HwDevice *d;

        if (info->present && !info->present(m)) {
            continue;
        }
        d = g_new0(HwDevice, 1);
        d->info = info;
        d->state = g_malloc0(info->instance_size);
        if (info->realize && !info->realize(m, d->state, errp)) {
            g_prefix_error(errp, "%s: ", info->name);
            g_free(d->state);
            g_free(d);
            return FALSE;
        }
        g_ptr_array_add(m->devices, d);
    }
    dm_machine_pc_reset(m);
    return TRUE;
}

void dm_machine_pc_reset(DmMachine *m)
{
    for (guint i = 0; m->devices && i < m->devices->len; i++) {
        HwDevice *d = g_ptr_array_index(m->devices, i);
        if (d->info->reset) {
            d->info->reset(d->state);
        }
    }
}

void dm_machine_pc_destroy(DmMachine *m)
{
    if (m->devices) {
        /* Unrealize in reverse: later devices may use earlier ones. */
        while (m->devices->len) {
            g_ptr_array_remove_index(m->devices, m->devices->len - 1);
        }
        g_ptr_array_free(m->devices, TRUE);
        m->devices = NULL;
    }
}

void *dm_machine_find_device(DmMachine *m, const char *name)
{
    for (guint i = 0; m->devices && i < m->devices->len; i++) {
        HwDevice *d = g_ptr_array_index(m->devices, i);
        if (!g_strcmp0(d->info->name, name)) {
            return d->state;
        }
    }
    return NULL;
}
