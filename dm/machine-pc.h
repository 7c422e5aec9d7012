/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The i440FX board. */
#ifndef DM_MACHINE_PC_H
#define DM_MACHINE_PC_H

#include "dm/machine.h"

/* Creates, realizes and resets the board's devices. */
gboolean dm_machine_pc_build(DmMachine *m, GError **errp);
void dm_machine_pc_reset(DmMachine *m);
void dm_machine_pc_destroy(DmMachine *m);
/* A device's state by its HwDeviceInfo name, or NULL. */
void *dm_machine_find_device(DmMachine *m, const char *name);

#endif
