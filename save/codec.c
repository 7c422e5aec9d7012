/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The vmstate payload codec: big-endian scalars back to back, nested
 * structs inline at our own version, subsections after the fields
 * (0x05, counted name, be32 version). No lengths on the wire, so every
 * read is bounds-checked against what was received.
 */
#include "save/codec.h"
#include "dm/clock.h"

#include <string.h>

#define SUBSECTION_MARK 0x05

static uint64_t load_host(const void *p, size_t size)
{
    switch (size) {
    case 1: return *(const uint8_t *)p;
    case 2: return *(const uint16_t *)p;
    case 4: return *(const uint32_t *)p;
    default: return *(const uint64_t *)p;
    }
}

static void store_host(void *p, size_t size, uint64_t v)
{
    switch (size) {
    case 1: *(uint8_t *)p = v; break;
    case 2: *(uint16_t *)p = v; break;
    case 4: *(uint32_t *)p = v; break;
    default: *(uint64_t *)p = v; break;
    }
}

/* Elements on the wire: fixed, or a varray's count (bounded by capacity). */
static gboolean element_count(const SaveSection *s, const SaveField *f,
                              const void *opaque, unsigned *n, GError **errp)
{
    uint64_t count;

    if (!f->varray) {
        *n = f->count;
        return TRUE;
    }
    count = load_host((const char *)opaque + f->count_offset, f->count_size);
    /* Signed counts below zero are as wrong as counts past capacity. */
    if ((f->count_size == 4 && (int32_t)count < 0) || count > f->count) {
        g_set_error(errp, SAVE_ERROR, 0,
                    "section '%s': field '%s' has %" G_GINT64_FORMAT
                    " elements, at most %u fit", s->name, f->name,
                    f->count_size == 4 ? (int64_t)(int32_t)count
                                       : (int64_t)count, f->count);
        return FALSE;
    }
    *n = (unsigned)count;
    return TRUE;
}

static void put_be(GByteArray *out, uint64_t v, unsigned width)
{
    uint8_t b[8];

    for (unsigned i = 0; i < width; i++) {
        b[i] = v >> (8 * (width - 1 - i));
    }
    g_byte_array_append(out, b, width);
}

static gboolean encode_fields(const SaveSection *s, void *opaque,
                              GByteArray *out, GError **errp);

static gboolean encode_subsections(const SaveSection *s, void *opaque,
                                   GByteArray *out, GError **errp)
{
    for (const SaveSection *const *sub = s->subsections; sub && *sub;
         sub++) {
        size_t n = strlen((*sub)->name);
        if ((*sub)->needed && !(*sub)->needed(opaque)) {
            continue;
        }
        g_assert(n <= 255);
        put_be(out, SUBSECTION_MARK, 1);
        put_be(out, n, 1);
        g_byte_array_append(out, (const uint8_t *)(*sub)->name, n);
        put_be(out, (*sub)->version, 4);
        if (!encode_fields(*sub, opaque, out, errp)) {
            return FALSE;
        }
    }
    return TRUE;
}

static gboolean encode_fields(const SaveSection *s, void *opaque,
                              GByteArray *out, GError **errp)
{
    if (s->pre_save && !s->pre_save(opaque, errp)) {
        g_prefix_error(errp, "section '%s': ", s->name);
        return FALSE;
    }
    for (const SaveField *f = s->fields; f->name; f++) {
        uint8_t *base = (uint8_t *)opaque + f->offset;
        unsigned n;

        if (!save_field_present(f, opaque, s->version)) {
            continue;
        }
        if (!element_count(s, f, opaque, &n, errp)) {
            return FALSE;
        }
        for (unsigned i = 0; i < n; i++) {
            uint8_t *p = base + (size_t)i * f->size;
            switch (f->kind) {
            case SAVE_STRUCT:
                if (!encode_fields(f->nested, p, out, errp)) {
                    return FALSE;
                }
                break;
            case SAVE_BUFFER:
                g_byte_array_append(out, p, f->size);
                break;
            case SAVE_UNUSED: {
                static const uint8_t zeros[64];
                for (size_t left = f->size; left;) {
                    size_t n = MIN(left, sizeof(zeros));
                    g_byte_array_append(out, zeros, n);
                    left -= n;
                }
                break;
            }
            case SAVE_TIMER: {
                const DmTimer *t = (const DmTimer *)p;
                put_be(out, t->pending ? (uint64_t)t->expire : UINT64_MAX, 8);
                break;
            }
            case SAVE_BOOL:
                put_be(out, *(const bool *)p ? 1 : 0, 1);
                break;
            default:
                put_be(out, load_host(p, f->size), save_kind_width(f->kind));
                break;
            }
        }
    }
    return encode_subsections(s, opaque, out, errp);
}

gboolean save_encode(const SaveSection *s, void *opaque, GByteArray *out,
                     GError **errp)
{
    return encode_fields(s, opaque, out, errp);
}

/* Whether n more bytes are visible, refilling the window if it can. */
static bool have(SaveReader *r, size_t n)
{
    if (r->len - r->pos >= n) {
        return true;
    }
    return r->refill && r->refill(r, n) && r->len - r->pos >= n;
}

static gboolean take(SaveReader *r, size_t n, const uint8_t **p,
                     const SaveSection *s, const char *what, GError **errp)
{
    if (!have(r, n)) {
        g_set_error(errp, SAVE_ERROR, 0,
                    "section '%s': field '%s' needs %zu bytes at offset "
                    "0x%" G_GINT64_MODIFIER "x, only %zu left",
                    s->name, what, n, r->origin + r->pos, r->len - r->pos);
        return FALSE;
    }
    *p = r->data + r->pos;
    r->pos += n;
    return TRUE;
}

static uint64_t get_be(const uint8_t *p, unsigned width)
{
    uint64_t v = 0;

    for (unsigned i = 0; i < width; i++) {
        v = v << 8 | p[i];
    }
    return v;
}

static gboolean decode_subsections(const SaveSection *s, void *opaque,
                                   SaveReader *r, SaveDecodeMode mode,
                                   GError **errp)
{
    size_t parent_len = strlen(s->name);

    for (;;) {
        const SaveSection *sub = NULL;
        const uint8_t *p;
        size_t left;
        const uint8_t *hdr;
        size_t n;
        int version;

        /* QEMU's peek: 0x05, a long enough name that starts with ours. */
        have(r, 2);
        p = r->data + r->pos;
        left = r->len - r->pos;
        if (left >= 2 && p[0] == SUBSECTION_MARK) {
            have(r, 2 + (size_t)p[1]);
            p = r->data + r->pos;
            left = r->len - r->pos;
        }
        if (left < 2 || p[0] != SUBSECTION_MARK || p[1] < parent_len + 1 ||
            left < 2 + (size_t)p[1] || memcmp(p + 2, s->name, parent_len)) {
            return TRUE;
        }
        n = p[1];
        for (const SaveSection *const *c = s->subsections; c && *c; c++) {
            if (strlen((*c)->name) == n && !memcmp((*c)->name, p + 2, n)) {
                sub = *c;
            }
        }
        if (!sub) {
            g_set_error(errp, SAVE_ERROR, 0,
                        "section '%s': unknown subsection '%.*s' at offset "
                        "0x%" G_GINT64_MODIFIER "x", s->name, (int)n, p + 2,
                        r->origin + r->pos);
            return FALSE;
        }
        r->pos += 2 + n;
        if (!take(r, 4, &hdr, sub, "version", errp)) {
            return FALSE;
        }
        version = (int)get_be(hdr, 4);
        if (version > sub->version || version < sub->minimum_version) {
            g_set_error(errp, SAVE_ERROR, 0,
                        "subsection '%s': version %d outside %d..%d at "
                        "offset 0x%" G_GINT64_MODIFIER "x", sub->name,
                        version, sub->minimum_version, sub->version,
                        r->origin + r->pos - 4);
            return FALSE;
        }
        if (!save_decode(sub, opaque, version, r, mode, errp)) {
            return FALSE;
        }
    }
}

gboolean save_decode(const SaveSection *s, void *opaque, int version,
                     SaveReader *r, SaveDecodeMode mode, GError **errp)
{
    for (const SaveField *f = s->fields; f->name; f++) {
        uint8_t *base = (uint8_t *)opaque + f->offset;
        unsigned n;

        if (!save_field_present(f, opaque, version)) {
            continue;
        }
        if (!element_count(s, f, opaque, &n, errp)) {
            g_prefix_error(errp, "at offset 0x%" G_GINT64_MODIFIER "x: ",
                           r->origin + r->pos);
            return FALSE;
        }
        for (unsigned i = 0; i < n; i++) {
            uint8_t *p = base + (size_t)i * f->size;
            const uint8_t *w;
            switch (f->kind) {
            case SAVE_STRUCT:
                /* Nested tables are always read at our own version. */
                if (!save_decode(f->nested, p, f->nested->version, r, mode,
                                 errp)) {
                    return FALSE;
                }
                break;
            case SAVE_BUFFER:
                if (!take(r, f->size, &w, s, f->name, errp)) {
                    return FALSE;
                }
                memcpy(p, w, f->size);
                break;
            case SAVE_UNUSED:
                if (!take(r, f->size, &w, s, f->name, errp)) {
                    return FALSE;
                }
                break;
            case SAVE_TIMER: {
                DmTimer *t = (DmTimer *)p;
                int64_t when;
                if (!take(r, 8, &w, s, f->name, errp)) {
                    return FALSE;
                }
                when = (int64_t)get_be(w, 8);
                if (mode == SAVE_DECODE_APPLY) {
                    if (when == -1) {
                        dm_timer_del(t);
                    } else {
                        dm_timer_mod(t, when);
                    }
                }
                break;
            }
            case SAVE_BOOL:
                if (!take(r, 1, &w, s, f->name, errp)) {
                    return FALSE;
                }
                *(bool *)p = w[0] != 0;
                break;
            default: {
                unsigned width = save_kind_width(f->kind);
                uint64_t v;
                if (!take(r, width, &w, s, f->name, errp)) {
                    return FALSE;
                }
                v = get_be(w, width);
                /* Sign-extend narrow signed fields into wider host ones. */
                if (f->kind == SAVE_I8 || f->kind == SAVE_I16 ||
                    f->kind == SAVE_I32) {
                    v = (uint64_t)(((int64_t)(v << (64 - 8 * width))) >>
                                   (64 - 8 * width));
                }
                store_host(p, f->size, v);
                break;
            }
            }
        }
    }
    if (!decode_subsections(s, opaque, r, mode, errp)) {
        return FALSE;
    }
    if (mode == SAVE_DECODE_CHECK && s->check &&
        !s->check(opaque, version, errp)) {
        g_prefix_error(errp, "section '%s' v%d (payload up to offset 0x%"
                       G_GINT64_MODIFIER "x): ", s->name, version,
                       r->origin + r->pos);
        return FALSE;
    }
    if (mode == SAVE_DECODE_APPLY && s->post_load &&
        !s->post_load(opaque, version, errp)) {
        g_prefix_error(errp, "section '%s' v%d: ", s->name, version);
        return FALSE;
    }
    return TRUE;
}
