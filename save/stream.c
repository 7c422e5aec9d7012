/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Byte-level QEVM I/O: a buffered writer and a windowed reader over a
 * file descriptor (file, pipe or socket). Memory stays bounded by the
 * largest single request, never by the stream.
 */
#include "save/stream.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#define WRITE_CHUNK (64u << 10)
#define READ_CHUNK (64u << 10)

void save_writer_init(SaveWriter *w, int fd)
{
    w->fd = fd;
    w->buf = g_byte_array_sized_new(WRITE_CHUNK);
    w->written = 0;
    w->error = NULL;
}

static void writer_flush(SaveWriter *w)
{
    size_t done = 0;

    while (!w->error && done < w->buf->len) {
        ssize_t n = write(w->fd, w->buf->data + done, w->buf->len - done);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            g_set_error(&w->error, SAVE_ERROR, 0,
                        "writing the state at offset %" G_GUINT64_FORMAT
                        ": %s", w->written + done,
                        n < 0 ? g_strerror(errno) : "short write");
            break;
        }
        done += (size_t)n;
    }
    w->written += done;
    g_byte_array_set_size(w->buf, 0);
}

void save_writer_bytes(SaveWriter *w, const void *p, size_t n)
{
    if (w->error) {
        return;
    }
    g_byte_array_append(w->buf, p, (guint)n);
    if (w->buf->len >= WRITE_CHUNK) {
        writer_flush(w);
    }
}

void save_writer_u8(SaveWriter *w, uint8_t v)
{
    save_writer_bytes(w, &v, 1);
}

void save_writer_be32(SaveWriter *w, uint32_t v)
{
    uint8_t b[4] = { v >> 24, v >> 16, v >> 8, v };

    save_writer_bytes(w, b, 4);
}

void save_writer_counted(SaveWriter *w, const char *s)
{
    size_t n = strlen(s);

    g_assert(n <= 255);
    save_writer_u8(w, (uint8_t)n);
    save_writer_bytes(w, s, n);
}

gboolean save_writer_finish(SaveWriter *w, GError **errp)
{
    writer_flush(w);
    g_byte_array_free(w->buf, TRUE);
    w->buf = NULL;
    if (w->error) {
        g_propagate_error(errp, w->error);
        w->error = NULL;
        return FALSE;
    }
    return TRUE;
}

void save_input_init(SaveInput *in, int fd)
{
    memset(in, 0, sizeof(*in));
    in->fd = fd;
    in->buf = g_byte_array_sized_new(READ_CHUNK);
}

void save_input_destroy(SaveInput *in)
{
    if (in->buf) {
        g_byte_array_free(in->buf, TRUE);
        in->buf = NULL;
    }
}

uint64_t save_input_offset(const SaveInput *in)
{
    return in->origin + in->pos;
}

/* Reads until n bytes past pos are buffered or the stream ends. */
static void input_fill(SaveInput *in, size_t n)
{
    if (in->pos > 0 && in->pos >= in->buf->len / 2) {
        g_byte_array_remove_range(in->buf, 0, (guint)in->pos);
        in->origin += in->pos;
        in->pos = 0;
    }
    while (!in->eof && in->buf->len - in->pos < n) {
        size_t want = MAX(READ_CHUNK, n - (in->buf->len - in->pos));
        guint old = in->buf->len;
        ssize_t got;

        g_byte_array_set_size(in->buf, old + (guint)want);
        got = read(in->fd, in->buf->data + old, want);
        if (got < 0 && errno == EINTR) {
            g_byte_array_set_size(in->buf, old);
            continue;
        }
        g_byte_array_set_size(in->buf, old + (guint)MAX(got, 0));
        if (got <= 0) {
            in->eof = true;
        }
    }
}

gboolean save_input_need(SaveInput *in, size_t n, GError **errp)
{
    input_fill(in, n);
    if (in->buf->len - in->pos < n) {
        g_set_error(errp, SAVE_ERROR, 0,
                    "stream ends at offset %" G_GUINT64_FORMAT
                    " (%zu more bytes expected)",
                    in->origin + in->buf->len, n - (in->buf->len - in->pos));
        return FALSE;
    }
    return TRUE;
}

size_t save_input_peek(SaveInput *in, size_t n, const uint8_t **p)
{
    input_fill(in, n);
    *p = in->buf->data + in->pos;
    return MIN(n, in->buf->len - in->pos);
}

static void input_consume(SaveInput *in, size_t n)
{
    if (in->capture) {
        g_byte_array_append(in->capture, in->buf->data + in->pos, (guint)n);
    }
    in->pos += n;
}

gboolean save_input_bytes(SaveInput *in, void *p, size_t n, GError **errp)
{
    if (!save_input_need(in, n, errp)) {
        return FALSE;
    }
    memcpy(p, in->buf->data + in->pos, n);
    input_consume(in, n);
    return TRUE;
}

gboolean save_input_u8(SaveInput *in, uint8_t *v, GError **errp)
{
    return save_input_bytes(in, v, 1, errp);
}

gboolean save_input_be32(SaveInput *in, uint32_t *v, GError **errp)
{
    uint8_t b[4];

    if (!save_input_bytes(in, b, 4, errp)) {
        return FALSE;
    }
    *v = (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | b[2] << 8 | b[3];
    return TRUE;
}

gboolean save_input_counted(SaveInput *in, char *buf, GError **errp)
{
    uint8_t n;

    if (!save_input_u8(in, &n, errp) || !save_input_bytes(in, buf, n, errp)) {
        return FALSE;
    }
    buf[n] = '\0';
    return TRUE;
}

/* Hands what the codec consumed to the input, then widens the window. */
static gboolean input_refill(SaveReader *r, size_t need)
{
    SaveInput *in = r->refill_opaque;

    input_consume(in, r->pos);
    input_fill(in, need);
    r->data = in->buf->data + in->pos;
    r->len = in->buf->len - in->pos;
    r->pos = 0;
    r->origin = in->origin + in->pos;
    return r->len >= need;
}

gboolean save_input_decode(SaveInput *in, const SaveSection *s,
                           void *scratch, int version, GByteArray *capture,
                           GError **errp)
{
    SaveReader r = {
        .data = in->buf->data + in->pos,
        .len = in->buf->len - in->pos,
        .origin = in->origin + in->pos,
        .refill = input_refill,
        .refill_opaque = in,
    };
    gboolean ok;

    in->capture = capture;
    ok = save_decode(s, scratch, version, &r, SAVE_DECODE_CHECK, errp);
    input_consume(in, r.pos);
    in->capture = NULL;
    return ok;
}
