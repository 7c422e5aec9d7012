/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The device model's xenstore keys through libxenstore (xen-toolstack.md
 * §2.1): device-model/<domid>/state, relative to the DM's home.
 */
#ifndef GLUE_XENSTORE_H
#define GLUE_XENSTORE_H

#include "dm/machine.h"

#include <glib.h>

typedef struct GlueXenstore GlueXenstore;

/*
 * Connects as xs_open does ($XENSTORED_PATH, else the xenstored socket,
 * else the xenbus device); the error says which path failed and how to
 * run without xenstore.
 */
GlueXenstore *glue_xenstore_open(unsigned domid, GError **errp);
void glue_xenstore_free(GlueXenstore *x);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(GlueXenstore, glue_xenstore_free)

/* Writes device-model/<domid>/<key> = value (relative: /local/domain/0). */
gboolean glue_xenstore_write_dm(GlueXenstore *x, const char *key,
                                const char *value, GError **errp);
/* Reads a key of the same directory; caller frees. */
char *glue_xenstore_read_dm(GlueXenstore *x, const char *key,
                            GError **errp);

/*
 * A run-state listener (opaque: the GlueXenstore): qemu-xen writes
 * state = running each time the VM (re)enters the running state, after
 * cont and after an incoming migration that autostarts.
 */
void glue_xenstore_runstate(void *opaque, DmRunState state);

/*
 * The qemu-trad command protocol (xen-toolstack.md §2.1): watches
 * device-model/<domid>/command from m's main loop; "save" stops the VM,
 * writes its device state to qemu-save.<domid> and sets state = paused,
 * "continue" (when state is paused) runs it and sets state = running.
 */
gboolean glue_xenstore_watch_commands(GlueXenstore *x, DmMachine *m,
                                      GError **errp);

#endif
