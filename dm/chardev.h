/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Character devices: unix sockets (server or client) and stdio. */
#ifndef DM_CHARDEV_H
#define DM_CHARDEV_H

#include "dm/options.h"

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct DmChardev DmChardev;

typedef struct DmChardevHandlers {
    void (*opened)(void *opaque);
    void (*received)(void *opaque, const uint8_t *data, size_t len);
    void (*closed)(void *opaque);
} DmChardevHandlers;

/*
 * Creates the socket: a server binds (mode 0600) and listens, a client
 * connects. Nothing is read until dm_chardev_start.
 */
DmChardev *dm_chardev_new(const DmChardevConfig *cfg, GError **errp);
void dm_chardev_free(DmChardev *c);

/* Attaches a frontend; a server with wait=on blocks here for a client. */
gboolean dm_chardev_start(DmChardev *c, const DmChardevHandlers *h,
                          void *opaque, GError **errp);

const char *dm_chardev_id(const DmChardev *c);
/* QEMU's query-chardev "filename", e.g. "unix:/run/x.sock,server=on". */
char *dm_chardev_filename(const DmChardev *c);
bool dm_chardev_has_frontend(const DmChardev *c);
bool dm_chardev_connected(const DmChardev *c);

/* Queued and sent as the peer reads; dropped when nobody is connected. */
void dm_chardev_write(DmChardev *c, const void *data, size_t len);
/* Blocks until queued output is sent or the peer is gone. */
void dm_chardev_flush(DmChardev *c);
/* Ends the current connection; a server accepts the next one. */
void dm_chardev_disconnect(DmChardev *c);

/* Descriptors received with SCM_RIGHTS, oldest first; -1 when none. */
int dm_chardev_take_fd(DmChardev *c);

#endif
