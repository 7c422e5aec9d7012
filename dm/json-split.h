/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Cuts a QMP byte stream into JSON messages without parsing them. */
#ifndef DM_JSON_SPLIT_H
#define DM_JSON_SPLIT_H

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>

/* text is NUL-terminated; error is set (and text NULL) for an oversize one. */
typedef void DmJsonMessageFn(void *opaque, const char *text,
                             const char *error);

typedef struct DmJsonSplitter {
    GString *buf;
    size_t limit;
    int depth;
    bool in_string;
    bool escape;
    bool discarding;          /* after an oversize message, until newline */
} DmJsonSplitter;

void dm_json_splitter_init(DmJsonSplitter *s, size_t limit);
void dm_json_splitter_destroy(DmJsonSplitter *s);
void dm_json_splitter_reset(DmJsonSplitter *s);
/*
 * A message is a balanced {...} or [...] (newlines inside are fine, no
 * newline needed after), or any other run of non-blank bytes, which the
 * caller will reject.
 */
void dm_json_splitter_feed(DmJsonSplitter *s, const char *data, size_t len,
                           DmJsonMessageFn *fn, void *opaque);

#endif
