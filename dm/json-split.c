/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * QMP has no framing: QEMU reads a stream of JSON values. Brackets are
 * counted outside strings, so a command may span lines or lack a newline;
 * a message past the limit is answered with an error and the rest of its
 * line is dropped, which resynchronises a line-based client.
 */
#include "dm/json-split.h"

void dm_json_splitter_init(DmJsonSplitter *s, size_t limit)
{
    s->buf = g_string_new(NULL);
    s->limit = limit;
    dm_json_splitter_reset(s);
}

void dm_json_splitter_destroy(DmJsonSplitter *s)
{
    g_string_free(s->buf, TRUE);
    s->buf = NULL;
}

void dm_json_splitter_reset(DmJsonSplitter *s)
{
    g_string_truncate(s->buf, 0);
    s->depth = 0;
    s->in_string = false;
    s->escape = false;
    s->discarding = false;
}

static bool is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static void emit(DmJsonSplitter *s, DmJsonMessageFn *fn, void *opaque)
{
    g_autofree char *text = g_strndup(s->buf->str, s->buf->len);

    dm_json_splitter_reset(s);
    fn(opaque, text, NULL);
}

void dm_json_splitter_feed(DmJsonSplitter *s, const char *data, size_t len,
                           DmJsonMessageFn *fn, void *opaque)
{
    for (size_t i = 0; i < len; i++) {
        char c = data[i];

        if (s->discarding) {
            if (c == '\n') {
                s->discarding = false;
            }
            continue;
        }
        if (s->buf->len == 0 && is_blank(c)) {
            continue;
        }
        if (c == '\0') {
            /* A NUL is an error of its own; QEMU's lexer resets on it. */
            if (s->buf->len && s->depth == 0 && !s->in_string) {
                emit(s, fn, opaque);
            }
            dm_json_splitter_reset(s);
            fn(opaque, NULL, "JSON parse error, stray NUL byte");
            continue;
        }
        if (s->buf->len >= s->limit) {
            g_autofree char *msg =
                g_strdup_printf("QMP input exceeds %zu bytes", s->limit);
            dm_json_splitter_reset(s);
            s->discarding = c != '\n';
            fn(opaque, NULL, msg);
            continue;
        }
        if (s->in_string) {
            g_string_append_c(s->buf, c);
            if (s->escape) {
                s->escape = false;
            } else if (c == '\\') {
                s->escape = true;
            } else if (c == '"') {
                s->in_string = false;
            }
            continue;
        }
        if (s->depth == 0 && s->buf->len > 0 &&
            (is_blank(c) || c == '{' || c == '[' || c == '"')) {
            /* End of a bare top-level token; a following value is new. */
            emit(s, fn, opaque);
            if (is_blank(c)) {
                continue;
            }
        }
        g_string_append_c(s->buf, c);
        switch (c) {
        case '"':
            s->in_string = true;
            break;
        case '{':
        case '[':
            s->depth++;
            break;
        case '}':
        case ']':
            s->depth--;
            if (s->depth <= 0) {
                emit(s, fn, opaque);
            }
            break;
        default:
            break;
        }
    }
}
