/* SPDX-License-Identifier: GPL-2.0-or-later */
/* An outgoing migrate stream in steps, for a live migrate. */
#ifndef SAVE_MIGRATE_OUT_H
#define SAVE_MIGRATE_OUT_H

#include "save/machine-state.h"

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

typedef struct SaveMigrate SaveMigrate;

/*
 * Writes header, configuration and the RAM section's START (block list),
 * and makes every RAM page owed (the bulk stage). Errors on fd surface
 * in save_migrate_failed and at finish.
 */
SaveMigrate *save_migrate_begin(DmMachine *m, int fd, const SaveFormat *f);
/*
 * One RAM PART: at most max_pages owed pages (0: all), from where the
 * last one stopped. The guest may write meanwhile: a page written after
 * it was sent is owed again. Returns the pages sent.
 */
uint64_t save_migrate_iterate(SaveMigrate *s, uint64_t max_pages);
/* Pages still owed. */
uint64_t save_migrate_remaining(const SaveMigrate *s);
void save_migrate_stats(const SaveMigrate *s, SaveStats *stats);
/* Why a write to the stream failed (the peer went away), or NULL. */
const GError *save_migrate_error(const SaveMigrate *s);
/*
 * With the guest stopped: END with every owed page, the device
 * sections, EOF and the description; flushes and frees s.
 */
gboolean save_migrate_finish(SaveMigrate *s, SaveStats *stats,
                             GError **errp);
/* Gives up: frees s without completing the stream. */
void save_migrate_abort(SaveMigrate *s);

#endif
