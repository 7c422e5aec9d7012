/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libxl stream v2 and the xl save-file header: one encoder and one
 * decoder per record type, and a table of the types libxl 4.17 knows.
 */
#include "toolstack-glue/libxl-stream.h"

#include <string.h>


#define EMULATOR_HEADER_LEN 8

/* libxc image header and domain header (xg_sr_stream_format.h). */
#define LIBXC_IHDR_LEN 24
#define LIBXC_DHDR_LEN 16
#define LIBXC_REC_END 0x00
#define LIBXC_REC_STATIC_DATA_END 0x10
#define LIBXC_DOMAIN_HVM 2

typedef gboolean GlueRecordCheckFn(const GlueRecord *rec, GError **errp);

static gboolean check_empty(const GlueRecord *rec, GError **errp);
static gboolean check_emulator(const GlueRecord *rec, GError **errp);
static gboolean check_xenstore(const GlueRecord *rec, GError **errp);
static gboolean check_checkpoint_state(const GlueRecord *rec,
                                       GError **errp);

static const struct {
    uint32_t type;
    const char *name;
    GlueRecordCheckFn *check;
} record_types[] = {
    { GLUE_REC_END, "END", check_empty },
    { GLUE_REC_LIBXC_CONTEXT, "LIBXC_CONTEXT", check_empty },
    { GLUE_REC_EMULATOR_XENSTORE_DATA, "EMULATOR_XENSTORE_DATA",
      check_xenstore },
    { GLUE_REC_EMULATOR_CONTEXT, "EMULATOR_CONTEXT", check_emulator },
    { GLUE_REC_CHECKPOINT_END, "CHECKPOINT_END", check_empty },
    { GLUE_REC_CHECKPOINT_STATE, "CHECKPOINT_STATE",
      check_checkpoint_state },
};

static int record_index(uint32_t type)
{
    for (size_t i = 0; i < G_N_ELEMENTS(record_types); i++) {
        if (record_types[i].type == type) {
            return (int)i;
        }
    }
    return -1;
}

const char *glue_record_name(uint32_t type)
{
    int i = record_index(type);

    return i < 0 ? NULL : record_types[i].name;
}

const char *glue_emulator_name(uint32_t id)
{
    switch (id) {
    case GLUE_EMULATOR_UNKNOWN:
        return "unknown";
    case GLUE_EMULATOR_QEMU_TRADITIONAL:
        return "qemu-traditional";
    case GLUE_EMULATOR_QEMU_UPSTREAM:
        return "qemu-upstream";
    default:
        return NULL;
    }
}

static void put_le32(GByteArray *out, uint32_t v)
{
    uint8_t b[4] = { v, v >> 8, v >> 16, v >> 24 };

    g_byte_array_append(out, b, 4);
}

static void put_le16(GByteArray *out, uint16_t v)
{
    uint8_t b[2] = { v, v >> 8 };

    g_byte_array_append(out, b, 2);
}

static void put_be32(GByteArray *out, uint32_t v)
{
    uint8_t b[4] = { v >> 24, v >> 16, v >> 8, v };

    g_byte_array_append(out, b, 4);
}

static void put_be64(GByteArray *out, uint64_t v)
{
    put_be32(out, v >> 32);
    put_be32(out, (uint32_t)v);
}

static uint32_t get_le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
           (uint32_t)p[3] << 24;
}

static uint32_t get_be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
           (uint32_t)p[2] << 8 | p[3];
}

static uint64_t get_be64(const uint8_t *p)
{
    return (uint64_t)get_be32(p) << 32 | get_be32(p + 4);
}

static size_t padded(size_t n)
{
    return (n + 7) & ~(size_t)7;
}

void glue_record_put(GByteArray *out, uint32_t type, const void *body,
                     size_t len)
{
    static const uint8_t zeros[8];

    g_assert(len <= UINT32_MAX);
    put_le32(out, type);
    put_le32(out, (uint32_t)len);
    if (len) {
        g_byte_array_append(out, body, (guint)len);
    }
    g_byte_array_append(out, zeros, (guint)(padded(len) - len));
}

void glue_libxl_header_put(GByteArray *out)
{
    put_be64(out, GLUE_LIBXL_IDENT);
    put_be32(out, GLUE_LIBXL_VERSION);
    put_be32(out, 0);
}

void glue_end_put(GByteArray *out)
{
    glue_record_put(out, GLUE_REC_END, NULL, 0);
}

void glue_libxc_context_put(GByteArray *out)
{
    glue_record_put(out, GLUE_REC_LIBXC_CONTEXT, NULL, 0);
    /* Image header (big-endian): marker, "XENF", version 3, options 0. */
    put_be64(out, GLUE_LIBXC_MARKER);
    put_be32(out, GLUE_LIBXC_ID);
    put_be32(out, 3);
    put_be32(out, 0);
    put_be32(out, 0);
    /* Domain header (native): HVM, page_shift 12, Xen 4.17. */
    put_le32(out, LIBXC_DOMAIN_HVM);
    put_le16(out, 12);
    put_le16(out, 0);
    put_le32(out, 4);
    put_le32(out, 17);
    glue_record_put(out, LIBXC_REC_STATIC_DATA_END, NULL, 0);
    glue_record_put(out, LIBXC_REC_END, NULL, 0);
}

static void emulator_put(GByteArray *out, uint32_t type, uint32_t id,
                         uint32_t index, const void *data, size_t len)
{
    static const uint8_t zeros[8];
    size_t body = EMULATOR_HEADER_LEN + len;

    g_assert(body <= UINT32_MAX);
    put_le32(out, type);
    put_le32(out, (uint32_t)body);
    put_le32(out, id);
    put_le32(out, index);
    if (len) {
        g_byte_array_append(out, data, (guint)len);
    }
    g_byte_array_append(out, zeros, (guint)(padded(body) - body));
}

void glue_emulator_context_put(GByteArray *out, uint32_t id, uint32_t index,
                               const void *data, size_t len)
{
    emulator_put(out, GLUE_REC_EMULATOR_CONTEXT, id, index, data, len);
}

void glue_xenstore_data_put(GByteArray *out, uint32_t id, uint32_t index,
                            const char *const *pairs)
{
    g_autoptr(GByteArray) kv = g_byte_array_new();

    for (size_t i = 0; pairs && pairs[i]; i++) {
        g_byte_array_append(kv, (const uint8_t *)pairs[i],
                            (guint)strlen(pairs[i]) + 1);
    }
    emulator_put(out, GLUE_REC_EMULATOR_XENSTORE_DATA, id, index, kv->data,
                 kv->len);
}

void glue_xl_header_put(GByteArray *out, const char *config)
{
    uint32_t config_len = config ? (uint32_t)strlen(config) + 1 : 0;

    g_byte_array_append(out, (const uint8_t *)GLUE_XL_MAGIC,
                        GLUE_XL_MAGIC_LEN);
    /* Native order: the reader checks 0x01020304 reads back natively. */
    put_le32(out, 0x01020304);
    put_le32(out, GLUE_XL_FLAG_STREAMV2 | (config ? GLUE_XL_FLAG_JSON : 0));
    put_le32(out, 0);
    put_le32(out, 4 + config_len);
    put_le32(out, config_len);
    if (config) {
        g_byte_array_append(out, (const uint8_t *)config, config_len);
    }
}

GByteArray *glue_image_build(const void *state, size_t len,
                             const char *config)
{
    GByteArray *out = g_byte_array_sized_new((guint)MIN(len + 512,
                                                        G_MAXUINT));

    glue_xl_header_put(out, config);
    glue_libxl_header_put(out);
    glue_libxc_context_put(out);
    glue_emulator_context_put(out, GLUE_EMULATOR_QEMU_UPSTREAM, 0, state,
                              len);
    glue_end_put(out);
    return out;
}

gboolean glue_xl_header_get(const uint8_t *data, size_t len,
                            GlueXlHeader *h, size_t *consumed,
                            GError **errp)
{
    uint32_t order;

    memset(h, 0, sizeof(*h));
    if (len < GLUE_XL_HEADER_LEN) {
        g_set_error(errp, GLUE_ERROR, 0,
                    "xl header: needs %d bytes at offset 0x0, only %zu",
                    GLUE_XL_HEADER_LEN, len);
        return FALSE;
    }
    if (memcmp(data, GLUE_XL_MAGIC, GLUE_XL_MAGIC_LEN)) {
        g_set_error(errp, GLUE_ERROR, 0,
                    "xl header: wrong magic at offset 0x0 (not an xl save "
                    "image)");
        return FALSE;
    }
    order = get_le32(data + 32);
    if (order != 0x01020304) {
        g_set_error(errp, GLUE_ERROR, 0,
                    "xl header: byte order 0x%08x at offset 0x20 is not "
                    "little-endian", order);
        return FALSE;
    }
    h->mandatory_flags = get_le32(data + 36);
    h->optional_flags = get_le32(data + 40);
    h->optional_data_len = get_le32(data + 44);
    if (h->mandatory_flags & ~(GLUE_XL_FLAG_JSON | GLUE_XL_FLAG_STREAMV2)) {
        g_set_error(errp, GLUE_ERROR, 0,
                    "xl header: unknown mandatory flags 0x%x at offset 0x24",
                    h->mandatory_flags);
        return FALSE;
    }
    if (!(h->mandatory_flags & GLUE_XL_FLAG_STREAMV2)) {
        g_set_error(errp, GLUE_ERROR, 0,
                    "xl header: flags 0x%x at offset 0x24 lack STREAMv2 "
                    "(legacy v1 images are not supported)",
                    h->mandatory_flags);
        return FALSE;
    }
    if (h->optional_data_len > len - GLUE_XL_HEADER_LEN) {
        g_set_error(errp, GLUE_ERROR, 0,
                    "xl header: optional data of %u bytes at offset 0x30 "
                    "runs past the end of the file (%zu bytes left)",
                    h->optional_data_len, len - GLUE_XL_HEADER_LEN);
        return FALSE;
    }
    if (h->optional_data_len >= 4) {
        uint32_t clen = get_le32(data + GLUE_XL_HEADER_LEN);
        if (clen > h->optional_data_len - 4) {
            g_set_error(errp, GLUE_ERROR, 0,
                        "xl header: config length %u at offset 0x30 exceeds "
                        "the optional data (%u bytes)", clen,
                        h->optional_data_len);
            return FALSE;
        }
        h->config_len = clen;
        h->config = clen ? data + GLUE_XL_HEADER_LEN + 4 : NULL;
    }
    *consumed = GLUE_XL_HEADER_LEN + h->optional_data_len;
    return TRUE;
}

gboolean glue_libxl_header_get(const uint8_t *data, size_t len,
                               uint64_t origin, uint32_t *options,
                               GError **errp)
{
    uint64_t ident;
    uint32_t version;

    if (len < GLUE_LIBXL_HEADER_LEN) {
        g_set_error(errp, GLUE_ERROR, 0,
                    "libxl header: needs %d bytes at offset 0x%"
                    G_GINT64_MODIFIER "x, only %zu", GLUE_LIBXL_HEADER_LEN,
                    origin, len);
        return FALSE;
    }
    ident = get_be64(data);
    version = get_be32(data + 8);
    *options = get_be32(data + 12);
    if (ident != GLUE_LIBXL_IDENT) {
        g_set_error(errp, GLUE_ERROR, 0,
                    "libxl header: ident 0x%016" G_GINT64_MODIFIER "x at "
                    "offset 0x%" G_GINT64_MODIFIER "x is not \"LibxlFmt\"",
                    ident, origin);
        return FALSE;
    }
    if (version != GLUE_LIBXL_VERSION) {
        g_set_error(errp, GLUE_ERROR, 0,
                    "libxl header: version %u at offset 0x%"
                    G_GINT64_MODIFIER "x is not 2", version, origin + 8);
        return FALSE;
    }
    /* Bit 0: big-endian records; bit 1: converted legacy; rest reserved. */
    if (*options & ~2u) {
        g_set_error(errp, GLUE_ERROR, 0,
                    "libxl header: options 0x%x at offset 0x%"
                    G_GINT64_MODIFIER "x are not supported (big-endian or "
                    "reserved bits)", *options, origin + 12);
        return FALSE;
    }
    return TRUE;
}

gboolean glue_record_get(const uint8_t *data, size_t len, size_t pos,
                         GlueRecord *rec, size_t *next, GError **errp)
{
    const char *name;
    size_t end;

    if (pos > len || len - pos < GLUE_RECORD_HEADER_LEN) {
        g_set_error(errp, GLUE_ERROR, 0,
                    "record header at offset 0x%zx: stream truncated "
                    "(%zu bytes left, 8 needed)", pos,
                    pos > len ? 0 : len - pos);
        return FALSE;
    }
    rec->type = get_le32(data + pos);
    rec->length = get_le32(data + pos + 4);
    rec->offset = pos;
    rec->body = data + pos + GLUE_RECORD_HEADER_LEN;
    name = glue_record_name(rec->type);
    if (padded(rec->length) > len - pos - GLUE_RECORD_HEADER_LEN) {
        g_set_error(errp, GLUE_ERROR, 0,
                    "record %s (type 0x%x) at offset 0x%zx: body of %u "
                    "bytes (padded to 8) runs past the end of the stream",
                    name ? name : "unknown", rec->type, pos, rec->length);
        return FALSE;
    }
    end = pos + GLUE_RECORD_HEADER_LEN + rec->length;
    for (size_t i = end; i < pos + GLUE_RECORD_HEADER_LEN +
         padded(rec->length); i++) {
        if (data[i]) {
            g_set_error(errp, GLUE_ERROR, 0,
                        "record %s (type 0x%x) at offset 0x%zx: non-zero "
                        "padding at offset 0x%zx", name ? name : "unknown",
                        rec->type, pos, i);
            return FALSE;
        }
    }
    *next = pos + GLUE_RECORD_HEADER_LEN + padded(rec->length);
    return TRUE;
}

static gboolean check_empty(const GlueRecord *rec, GError **errp)
{
    if (rec->length) {
        g_set_error(errp, GLUE_ERROR, 0,
                    "record %s at offset 0x%" G_GINT64_MODIFIER "x: body "
                    "of %u bytes, expected none",
                    glue_record_name(rec->type), rec->offset, rec->length);
        return FALSE;
    }
    return TRUE;
}

static gboolean check_checkpoint_state(const GlueRecord *rec, GError **errp)
{
    if (rec->length != 4) {
        g_set_error(errp, GLUE_ERROR, 0,
                    "record CHECKPOINT_STATE at offset 0x%" G_GINT64_MODIFIER
                    "x: body of %u bytes, expected 4", rec->offset,
                    rec->length);
        return FALSE;
    }
    return TRUE;
}

gboolean glue_emulator_get(const GlueRecord *rec, GlueEmulator *e,
                           GError **errp)
{
    const char *name = glue_record_name(rec->type);

    if (rec->length < EMULATOR_HEADER_LEN) {
        g_set_error(errp, GLUE_ERROR, 0,
                    "record %s at offset 0x%" G_GINT64_MODIFIER "x: body of "
                    "%u bytes is shorter than the 8-byte emulator header",
                    name ? name : "unknown", rec->offset, rec->length);
        return FALSE;
    }
    e->id = get_le32(rec->body);
    e->index = get_le32(rec->body + 4);
    e->data = rec->body + EMULATOR_HEADER_LEN;
    e->len = rec->length - EMULATOR_HEADER_LEN;
    if (!glue_emulator_name(e->id)) {
        g_set_error(errp, GLUE_ERROR, 0,
                    "record %s at offset 0x%" G_GINT64_MODIFIER "x: unknown "
                    "emulator id %u at offset 0x%" G_GINT64_MODIFIER "x",
                    name ? name : "unknown", rec->offset, e->id,
                    rec->offset + GLUE_RECORD_HEADER_LEN);
        return FALSE;
    }
    return TRUE;
}

static gboolean check_emulator(const GlueRecord *rec, GError **errp)
{
    GlueEmulator e;

    return glue_emulator_get(rec, &e, errp);
}

gboolean glue_xenstore_data_get(const GlueRecord *rec, unsigned *pairs,
                                GError **errp)
{
    GlueEmulator e;
    size_t pos = 0;
    uint64_t base;

    *pairs = 0;
    if (!glue_emulator_get(rec, &e, errp)) {
        return FALSE;
    }
    base = rec->offset + GLUE_RECORD_HEADER_LEN + EMULATOR_HEADER_LEN;
    while (pos < e.len) {
        const uint8_t *key = e.data + pos;
        const uint8_t *knul = memchr(key, 0, e.len - pos);
        const uint8_t *vnul;

        if (!knul) {
            g_set_error(errp, GLUE_ERROR, 0,
                        "record EMULATOR_XENSTORE_DATA at offset 0x%"
                        G_GINT64_MODIFIER "x: key at offset 0x%"
                        G_GINT64_MODIFIER "x is not NUL-terminated",
                        rec->offset, base + pos);
            return FALSE;
        }
        if (knul == key || key[0] == '/') {
            g_set_error(errp, GLUE_ERROR, 0,
                        "record EMULATOR_XENSTORE_DATA at offset 0x%"
                        G_GINT64_MODIFIER "x: key at offset 0x%"
                        G_GINT64_MODIFIER "x is %s", rec->offset, base + pos,
                        knul == key ? "empty" : "absolute");
            return FALSE;
        }
        pos = (size_t)(knul - e.data) + 1;
        vnul = pos < e.len ? memchr(e.data + pos, 0, e.len - pos) : NULL;
        if (!vnul) {
            g_set_error(errp, GLUE_ERROR, 0,
                        "record EMULATOR_XENSTORE_DATA at offset 0x%"
                        G_GINT64_MODIFIER "x: value of '%s' at offset 0x%"
                        G_GINT64_MODIFIER "x is not NUL-terminated",
                        rec->offset, (const char *)key, base + pos);
            return FALSE;
        }
        pos = (size_t)(vnul - e.data) + 1;
        (*pairs)++;
    }
    return TRUE;
}

static gboolean check_xenstore(const GlueRecord *rec, GError **errp)
{
    unsigned pairs;

    return glue_xenstore_data_get(rec, &pairs, errp);
}

gboolean glue_libxc_skip(const uint8_t *data, size_t len, size_t pos,
                         GlueImage *img, size_t *next, GError **errp)
{
    const uint8_t *p = data + pos;
    uint32_t version;
    uint16_t options;

    if (pos > len || len - pos < LIBXC_IHDR_LEN + LIBXC_DHDR_LEN) {
        g_set_error(errp, GLUE_ERROR, 0,
                    "libxc image at offset 0x%zx: headers truncated (%zu "
                    "bytes left, %d needed)", pos, pos > len ? 0 : len - pos,
                    LIBXC_IHDR_LEN + LIBXC_DHDR_LEN);
        return FALSE;
    }
    version = get_be32(p + 12);
    options = (uint16_t)(p[16] << 8 | p[17]);
    if (get_be64(p) != GLUE_LIBXC_MARKER || get_be32(p + 8) != GLUE_LIBXC_ID) {
        g_set_error(errp, GLUE_ERROR, 0,
                    "libxc image at offset 0x%zx: bad marker or id (not "
                    "\"XENF\")", pos);
        return FALSE;
    }
    if (version != 2 && version != 3) {
        g_set_error(errp, GLUE_ERROR, 0,
                    "libxc image at offset 0x%zx: version %u (2 or 3 "
                    "expected)", pos + 12, version);
        return FALSE;
    }
    if (options & 1) {
        g_set_error(errp, GLUE_ERROR, 0,
                    "libxc image at offset 0x%zx: big-endian image", pos + 16);
        return FALSE;
    }
    img->libxc_version = version;
    img->libxc_domain_type = get_le32(p + LIBXC_IHDR_LEN);
    img->libxc_offset = pos;
    pos += LIBXC_IHDR_LEN + LIBXC_DHDR_LEN;
    for (;;) {
        GlueRecord rec;
        size_t after;

        if (!glue_record_get(data, len, pos, &rec, &after, errp)) {
            g_prefix_error(errp, "libxc image: ");
            return FALSE;
        }
        img->libxc_records++;
        pos = after;
        if (rec.type == LIBXC_REC_END) {
            break;
        }
    }
    img->libxc_len = pos - img->libxc_offset;
    *next = pos;
    return TRUE;
}

gboolean glue_image_parse(const uint8_t *data, size_t len, bool xl,
                          GlueImage *img, GlueRecordFn *fn, void *opaque,
                          GError **errp)
{
    size_t pos = 0;

    memset(img, 0, sizeof(*img));
    if (xl) {
        if (!glue_xl_header_get(data, len, &img->xl_header, &pos, errp)) {
            return FALSE;
        }
        img->xl = true;
    }
    img->libxl_offset = pos;
    if (!glue_libxl_header_get(data + pos, len - pos, pos,
                               &img->libxl_options, errp)) {
        return FALSE;
    }
    pos += GLUE_LIBXL_HEADER_LEN;
    for (;;) {
        GlueRecord rec;
        size_t next;
        int i;

        if (!glue_record_get(data, len, pos, &rec, &next, errp)) {
            return FALSE;
        }
        img->records++;
        i = record_index(rec.type);
        if (i < 0) {
            if (!(rec.type & GLUE_RECORD_OPTIONAL)) {
                g_set_error(errp, GLUE_ERROR, 0,
                            "record of unknown mandatory type 0x%x at "
                            "offset 0x%zx", rec.type, pos);
                return FALSE;
            }
        } else if (!record_types[i].check(&rec, errp)) {
            return FALSE;
        }
        if (fn) {
            fn(opaque, &rec);
        }
        pos = next;
        switch (rec.type) {
        case GLUE_REC_END:
            img->end_offset = pos;
            return TRUE;
        case GLUE_REC_LIBXC_CONTEXT:
            if (!glue_libxc_skip(data, len, pos, img, &pos, errp)) {
                return FALSE;
            }
            img->libxc = true;
            break;
        case GLUE_REC_EMULATOR_CONTEXT:
            /* As libxl: each one replaces the previous (last wins). */
            glue_emulator_get(&rec, &img->emu, NULL);
            img->emu_offset = rec.offset + GLUE_RECORD_HEADER_LEN +
                              EMULATOR_HEADER_LEN;
            img->emulator = true;
            break;
        case GLUE_REC_EMULATOR_XENSTORE_DATA: {
            unsigned n = 0;
            glue_xenstore_data_get(&rec, &n, NULL);
            img->xenstore_pairs += n;
            break;
        }
        default:
            break;
        }
    }
}
