/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The machine types stubdm answers to, as QEMU 7.2 names them. */
#ifndef DM_MACHINE_TYPES_H
#define DM_MACHINE_TYPES_H

#include <stdbool.h>

typedef struct DmMachineType {
    const char *name;
    const char *alias;        /* "pc", "xenfv" or NULL */
    bool xen_platform;        /* has the Xen platform PCI device */
} DmMachineType;

/* Resolves aliases; NULL when the name is unknown. */
const DmMachineType *dm_machine_type_find(const char *name);
/*
 * Whether a machine type carries QEMU X.Y's behaviour or a later one
 * (xenfv-4.2 behaves as 4.2, xenfv-3.1 as 3.1).
 */
bool dm_machine_type_at_least(const char *name, int major, int minor);

/* A comma-separated list for error messages and --help; caller frees. */
char *dm_machine_type_names(void);

#endif
