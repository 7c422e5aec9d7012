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
/* A comma-separated list for error messages and --help; caller frees. */
char *dm_machine_type_names(void);

#endif
