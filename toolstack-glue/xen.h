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
