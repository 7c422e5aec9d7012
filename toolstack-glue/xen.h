/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Serving a Xen HVM domain: handles, the ioreq server, event channels,
 * interrupts and foreign memory (xen-toolstack.md §5-6).
 */
#ifndef GLUE_XEN_H
#define GLUE_XEN_H

#include "dm/machine.h"

#include <glib.h>
#include <stdbool.h>

typedef struct GlueXen GlueXen;

/*
 * Opens the Xen handles and creates the domain's ioreq server with its
 * pages mapped, as qemu-xen does before it builds the machine. Fails at
 * once on a host without Xen. Free with glue_xen_free.
 */
GlueXen *glue_xen_open(unsigned domid, GError **errp);
/* Give to dm_machine_new_platform with the GlueXen as opaque. */
extern const DmPlatformHooks glue_xen_platform;
/*
 * Once the board is built: claims its PCI functions, enables the server,
 * binds the event channels and serves requests from the main loop.
 */
gboolean glue_xen_start(GlueXen *x, GError **errp);
/* -xen-domid-restrict: before chroot and -runas (qemu-xen's order). */
gboolean glue_xen_restrict(GlueXen *x, GError **errp);
/*
 * Whether to restrict: libxl sets XEN_DOMAIN_ID for every HVM device model
 * and says -xen-domid-restrict when it wants it; without XEN_DOMAIN_ID
 * stubdm was started by hand and restricts itself. env: its value or NULL.
 */
bool glue_xen_restrict_wanted(bool flag, const char *xen_domain_id_env);

/*
 * The Xen calls that follow the machine's run state and power events, as
 * qemu-xen makes them; tests replace them (glue_xen_new_with_ops).
 */
typedef struct GlueXenOps {
    /* xendevicemodel_set_ioreq_server_state */
    int (*set_server_state)(void *opaque, bool enabled);
    /* Start reading the event channels (qemu-xen: at the first run). */
    void (*serve)(void *opaque);
    /* xendevicemodel_shutdown with SHUTDOWN_poweroff or SHUTDOWN_reboot */
    int (*shutdown)(void *opaque, unsigned reason);
    /* HVM_PARAM_ACPI_S_STATE: 3 on S3 suspend, 0 on wake-up */
    int (*set_acpi_s_state)(void *opaque, unsigned state);
} GlueXenOps;

/* A GlueXen without Xen handles, its Xen calls going to ops: for tests. */
GlueXen *glue_xen_new_with_ops(unsigned domid, const GlueXenOps *ops,
                               void *opaque);
/*
 * A DmRunStateFn (glue_xen_start registers it): the server is enabled only
 * while the machine runs, and requests are read from the first run on.
 */
void glue_xen_runstate(void *opaque, DmRunState state);
/* ACPI S3 entered and left: Xen suspends and resumes the vCPUs. */
void glue_xen_suspend(GlueXen *x);
void glue_xen_wakeup(GlueXen *x);
/* An inclusive range of ports or guest-physical addresses. */
typedef struct GlueRange {
    uint64_t start;
    uint64_t end;
} GlueRange;

/*
 * The union of the mapped regions Xen must send us (not RAM, not the PAM
 * and SMRAM windows), sorted and merged: Xen refuses overlapping ranges,
 * so overlapping regions are claimed as one.
 */
GArray *glue_xen_claims(GPtrArray *regions);

/* Destroys the server and closes the handles; call before freeing m. */
void glue_xen_free(GlueXen *x);

#endif
