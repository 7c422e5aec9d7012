/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The qtest protocol server. */
#ifndef DM_QTEST_H
#define DM_QTEST_H

#include "dm/machine.h"

/* chr may be NULL (fuzzing: replies go only to the log). */
DmQtest *dm_qtest_new(DmMachine *m, DmChardev *chr, const char *log_path,
                      GError **errp);
void dm_qtest_free(DmQtest *q);
/* Bytes as they arrive; each complete line is one command. */
void dm_qtest_feed(DmQtest *q, const char *data, size_t len);

#endif
