/* SPDX-License-Identifier: GPL-2.0-or-later */
/* File descriptor sets (QMP add-fd) and "/dev/fdset/N" names. */
#ifndef DM_FDSET_H
#define DM_FDSET_H

#include <glib.h>

typedef struct DmFdsets DmFdsets;

DmFdsets *dm_fdsets_new(void);
/* Closes every descriptor still held. */
void dm_fdsets_free(DmFdsets *f);
/* Takes fd into set id (-1: the lowest unused id); returns the set id. */
int dm_fdsets_add(DmFdsets *f, int id, int fd);
/*
 * Opens path as open(2) would; "/dev/fdset/N" gives a duplicate of a
 * descriptor in set N whose access mode allows flags (O_TRUNC truncates).
 */
int dm_fdsets_open(DmFdsets *f, const char *path, int flags, GError **errp);

#endif
