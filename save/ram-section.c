/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The "ram" section (QEMU 7.2 migration/ram.c): the block list first, then
 * page records. Load rules are those of ../shared/spec/qemu-stream.md §2.5.
 */
#include "save/ram-section.h"
#include "save/state.h"

#include <string.h>
#include <zlib.h>

G_STATIC_ASSERT(SAVE_RAM_COMPRESS_MAX >= RAM_PAGE_SIZE + 13);

/*
 * Staging: one hash per listed block, page index to what the stream last
 * said about that page. A zero page costs no buffer (a tagged value with
 * its fill byte), a data page one 4 KiB copy. So memory follows the
 * stream's content: RAM the stream does not touch is never copied, and a
 * page sent again in a later pass replaces its earlier copy. A shadow of
 * each whole block would double RAM for every load instead.
 */
typedef struct {
    char idstr[256];
    RamBlock *block;          /* NULL: skipped (unemulated device) */
    uint64_t used;            /* incoming used_length */
    GHashTable *pages;        /* page index -> staged value */
} SaveRamIncoming;

struct SaveRamLoad {
    RamRegistry *reg;
    bool skip_unemulated;
    bool have_list;
    GArray *incoming;         /* SaveRamIncoming */
    GPtrArray *skipped;       /* idstrs, borrowed from incoming */
    SaveRamIncoming *last;    /* for CONTINUE */
    bool inflate_ready;       /* zs set up on the first compressed page */
    z_stream zs;
};

#define ZERO_TAG(fill) GSIZE_TO_POINTER(((gsize)(fill) << 1) | 1)
#define IS_ZERO_TAG(v) ((GPOINTER_TO_SIZE(v) & 1) != 0)
#define ZERO_FILL(v) ((uint8_t)(GPOINTER_TO_SIZE(v) >> 1))

static void staged_free(gpointer v)
{
    if (!IS_ZERO_TAG(v)) {
        g_free(v);
    }
}

static void incoming_clear(gpointer p)
{
    SaveRamIncoming *in = p;

    if (in->pages) {
        g_hash_table_destroy(in->pages);
    }
}

SaveRamLoad *save_ram_load_new(RamRegistry *reg, bool skip_unemulated)
{
    SaveRamLoad *l = g_new0(SaveRamLoad, 1);

    l->reg = reg;
    l->skip_unemulated = skip_unemulated;
    l->incoming = g_array_new(FALSE, TRUE, sizeof(SaveRamIncoming));
    g_array_set_clear_func(l->incoming, incoming_clear);
    l->skipped = g_ptr_array_new();
    return l;
}

void save_ram_load_free(SaveRamLoad *l)
{
    if (l) {
        if (l->inflate_ready) {
            inflateEnd(&l->zs);
        }
        g_array_free(l->incoming, TRUE);
        g_ptr_array_free(l->skipped, TRUE);
        g_free(l);
    }
}

const GPtrArray *save_ram_load_skipped(SaveRamLoad *l)
{
    /* Rebuilt here: incoming may have moved while the list grew. */
    g_ptr_array_set_size(l->skipped, 0);
    for (guint i = 0; i < l->incoming->len; i++) {
        SaveRamIncoming *e = &g_array_index(l->incoming, SaveRamIncoming, i);
        if (!e->block) {
            g_ptr_array_add(l->skipped, e->idstr);
        }
    }
    return l->skipped;
}

static gboolean input_be64(SaveInput *in, uint64_t *v, GError **errp)
{
    uint32_t hi, lo;

    if (!save_input_be32(in, &hi, errp) || !save_input_be32(in, &lo, errp)) {
        return FALSE;
    }
    *v = (uint64_t)hi << 32 | lo;
    return TRUE;
}

/*
 * Blocks QEMU has and stubdm does not: fw_cfg blobs ("/rom@...",
 * "/ram@..."), display memory and PCI ROM BARs. Only these follow
 * unemulated=skip; any other unknown block stays an error.
 */
static bool unemulated_block(const char *idstr)
{
    return g_str_has_prefix(idstr, "/rom@") ||
           g_str_has_prefix(idstr, "/ram@") ||
           g_str_has_suffix(idstr, "vga.vram") ||
           g_str_has_suffix(idstr, ".rom");
}

/* One {idstr, used_length} entry, checked against the registry. */
static gboolean load_list_entry(SaveRamLoad *l, SaveInput *in,
                                SaveRamIncoming *e, GError **errp)
{
    uint64_t at = save_input_offset(in);
    RamBlock *b;

    if (!save_input_counted(in, e->idstr, errp) ||
        !input_be64(in, &e->used, errp)) {
        g_prefix_error(errp, "block list entry at offset 0x%"
                       G_GINT64_MODIFIER "x: ", at);
        return FALSE;
    }
    for (guint i = 0; i < l->incoming->len; i++) {
        if (!strcmp(g_array_index(l->incoming, SaveRamIncoming, i).idstr,
                    e->idstr)) {
            g_set_error(errp, SAVE_ERROR, 0, "block list at offset 0x%"
                        G_GINT64_MODIFIER "x: block \"%s\" listed twice",
                        at, e->idstr);
            return FALSE;
        }
    }
    if (!e->used || e->used & (RAM_PAGE_SIZE - 1)) {
        g_set_error(errp, SAVE_ERROR, 0, "block list at offset 0x%"
                    G_GINT64_MODIFIER "x: block \"%s\" length 0x%"
                    G_GINT64_MODIFIER "x is not a page multiple", at,
                    e->idstr, e->used);
        return FALSE;
    }
    b = ram_block_find(l->reg, e->idstr);
    if (!b) {
        if (l->skip_unemulated && unemulated_block(e->idstr)) {
            return TRUE;
        }
        g_set_error(errp, SAVE_ERROR, 0, "block list at offset 0x%"
                    G_GINT64_MODIFIER "x: unknown RAM block \"%s\" "
                    "(0x%" G_GINT64_MODIFIER "x bytes)%s", at, e->idstr,
                    e->used, unemulated_block(e->idstr) ?
                    "; -machine ...,unemulated=skip would drop it" : "");
        return FALSE;
    }
    if (!ram_block_migratable(b)) {
        g_set_error(errp, SAVE_ERROR, 0, "block list at offset 0x%"
                    G_GINT64_MODIFIER "x: RAM block \"%s\" is guest memory "
                    "the toolstack saves, not part of stubdm's stream", at,
                    e->idstr);
        return FALSE;
    }
    if (e->used != b->used_length && !b->resizeable) {
        g_set_error(errp, SAVE_ERROR, 0, "block list at offset 0x%"
                    G_GINT64_MODIFIER "x: size mismatch: %s: incoming 0x%"
                    G_GINT64_MODIFIER "x != local 0x%" G_GINT64_MODIFIER
                    "x (not resizeable)", at, e->idstr, e->used,
                    b->used_length);
        return FALSE;
    }
    if (e->used > b->max_length) {
        g_set_error(errp, SAVE_ERROR, 0, "block list at offset 0x%"
                    G_GINT64_MODIFIER "x: size too large: %s: incoming 0x%"
                    G_GINT64_MODIFIER "x > max 0x%" G_GINT64_MODIFIER
                    "x (local 0x%" G_GINT64_MODIFIER "x)", at, e->idstr,
                    e->used, b->max_length, b->used_length);
        return FALSE;
    }
    e->block = b;
    return TRUE;
}

/* The START payload's MEM_SIZE record: no count, lengths sum to total. */
static gboolean load_block_list(SaveRamLoad *l, SaveInput *in,
                                uint64_t total, uint64_t at, GError **errp)
{
    uint64_t left = total;

    if (l->have_list) {
        g_set_error(errp, SAVE_ERROR, 0, "RAM record at offset 0x%"
                    G_GINT64_MODIFIER "x: a second block list", at);
        return FALSE;
    }
    l->have_list = true;
    while (left) {
        SaveRamIncoming e = { 0 };

        if (!load_list_entry(l, in, &e, errp)) {
            return FALSE;
        }
        if (e.used > left) {
            g_set_error(errp, SAVE_ERROR, 0, "block list at offset 0x%"
                        G_GINT64_MODIFIER "x: block \"%s\" (0x%"
                        G_GINT64_MODIFIER "x) overruns the total 0x%"
                        G_GINT64_MODIFIER "x", at, e.idstr, e.used, total);
            return FALSE;
        }
        left -= e.used;
        e.pages = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL,
                                        staged_free);
        g_array_append_val(l->incoming, e);
        /* Pointers into incoming do not survive its growth. */
        l->last = NULL;
    }
    return TRUE;
}

/* The block a page record is for: named, or CONTINUE from the last. */
static SaveRamIncoming *load_page_block(SaveRamLoad *l, SaveInput *in,
                                        unsigned flags, uint64_t at,
                                        GError **errp)
{
    char idstr[256];

    if (flags & SAVE_RAM_CONTINUE) {
        if (!l->last) {
            g_set_error(errp, SAVE_ERROR, 0, "RAM record at offset 0x%"
                        G_GINT64_MODIFIER "x: CONTINUE before any block "
                        "was named", at);
        }
        return l->last;
    }
    if (!save_input_counted(in, idstr, errp)) {
        g_prefix_error(errp, "RAM record at offset 0x%" G_GINT64_MODIFIER
                       "x: block name: ", at);
        return NULL;
    }
    /*
     * The block list is re-sent after the fact in START only; a fresh
     * name must be one of it (QEMU: "Can't find block").
     */
    for (guint i = 0; i < l->incoming->len; i++) {
        SaveRamIncoming *e = &g_array_index(l->incoming, SaveRamIncoming, i);
        if (!strcmp(e->idstr, idstr)) {
            l->last = e;
            return e;
        }
    }
    g_set_error(errp, SAVE_ERROR, 0, "RAM record at offset 0x%"
                G_GINT64_MODIFIER "x: can't find block \"%s\" (not in the "
                "block list)", at, idstr);
    return NULL;
}

/*
 * COMPRESS_PAGE (§2.4): be32 length up to compressBound(4096), then a
 * zlib stream that must inflate to exactly one page, no more, no less.
 */
static gboolean load_compressed(SaveRamLoad *l, SaveInput *in,
                                const SaveRamIncoming *e, uint64_t addr,
                                uint64_t at, uint8_t *page, GError **errp)
{
    uint8_t data[SAVE_RAM_COMPRESS_MAX];
    uint8_t extra;
    uint32_t len;
    int rc;

    if (!save_input_be32(in, &len, errp)) {
        g_prefix_error(errp, "RAM record at offset 0x%" G_GINT64_MODIFIER
                       "x: compressed page length: ", at);
        return FALSE;
    }
    if (len == 0 || len > SAVE_RAM_COMPRESS_MAX) {
        g_set_error(errp, SAVE_ERROR, 0, "RAM record at offset 0x%"
                    G_GINT64_MODIFIER "x: compressed page at 0x%"
                    G_GINT64_MODIFIER "x of block \"%s\": length %u "
                    "outside 1..%u (compressBound of a page)", at, addr,
                    e->idstr, len, SAVE_RAM_COMPRESS_MAX);
        return FALSE;
    }
    if (!save_input_bytes(in, data, len, errp)) {
        g_prefix_error(errp, "RAM record at offset 0x%" G_GINT64_MODIFIER
                       "x: compressed page data: ", at);
        return FALSE;
    }
    if (!l->inflate_ready) {
        memset(&l->zs, 0, sizeof(l->zs));
        if (inflateInit(&l->zs) != Z_OK) {
            g_set_error(errp, SAVE_ERROR, 0, "RAM record at offset 0x%"
                        G_GINT64_MODIFIER "x: zlib inflateInit failed", at);
            return FALSE;
        }
        l->inflate_ready = true;
    } else {
        inflateReset(&l->zs);
    }
    l->zs.next_in = data;
    l->zs.avail_in = len;
    l->zs.next_out = page;
    l->zs.avail_out = RAM_PAGE_SIZE;
    rc = inflate(&l->zs, Z_FINISH);
    if (rc == Z_BUF_ERROR && l->zs.avail_out == 0) {
        /* A full page and the stream goes on: does it have more? */
        l->zs.next_out = &extra;
        l->zs.avail_out = 1;
        rc = inflate(&l->zs, Z_FINISH);
        if (l->zs.avail_out == 0) {
            g_set_error(errp, SAVE_ERROR, 0, "RAM record at offset 0x%"
                        G_GINT64_MODIFIER "x: compressed page at 0x%"
                        G_GINT64_MODIFIER "x of block \"%s\" inflates to "
                        "more than %u bytes", at, addr, e->idstr,
                        RAM_PAGE_SIZE);
            return FALSE;
        }
        /* Z_STREAM_END: only the trailer was left; else cut or bad. */
    }
    if (rc != Z_STREAM_END) {
        g_set_error(errp, SAVE_ERROR, 0, "RAM record at offset 0x%"
                    G_GINT64_MODIFIER "x: compressed page at 0x%"
                    G_GINT64_MODIFIER "x of block \"%s\": bad zlib data "
                    "(%s, %lu of %u bytes)", at, addr, e->idstr,
                    l->zs.msg ? l->zs.msg : zError(rc),
                    (unsigned long)l->zs.total_out, RAM_PAGE_SIZE);
        return FALSE;
    }
    if (l->zs.total_out != RAM_PAGE_SIZE || l->zs.avail_in) {
        g_set_error(errp, SAVE_ERROR, 0, "RAM record at offset 0x%"
                    G_GINT64_MODIFIER "x: compressed page at 0x%"
                    G_GINT64_MODIFIER "x of block \"%s\" inflates to %lu "
                    "bytes%s, not one page of %u", at, addr, e->idstr,
                    (unsigned long)l->zs.total_out,
                    l->zs.avail_in ? " with data after its end" : "",
                    RAM_PAGE_SIZE);
        return FALSE;
    }
    return TRUE;
}

static gboolean load_page(SaveRamLoad *l, SaveInput *in, uint64_t word,
                          uint64_t at, GError **errp)
{
    unsigned flags = word & (RAM_PAGE_SIZE - 1);
    uint64_t addr = word & ~(uint64_t)(RAM_PAGE_SIZE - 1);
    unsigned kind = flags & ~SAVE_RAM_CONTINUE;
    SaveRamIncoming *e = load_page_block(l, in, flags, at, errp);
    gpointer value;

    if (!e) {
        return FALSE;
    }
    if (addr >= e->used) {
        g_set_error(errp, SAVE_ERROR, 0, "RAM record at offset 0x%"
                    G_GINT64_MODIFIER "x: illegal RAM offset 0x%"
                    G_GINT64_MODIFIER "x in block \"%s\" of 0x%"
                    G_GINT64_MODIFIER "x bytes", at, addr, e->idstr,
                    e->used);
        return FALSE;
    }
    if (kind == SAVE_RAM_ZERO) {
        uint8_t fill;
        if (!save_input_u8(in, &fill, errp)) {
            g_prefix_error(errp, "RAM record at offset 0x%"
                           G_GINT64_MODIFIER "x: ", at);
            return FALSE;
        }
        value = ZERO_TAG(fill);
    } else if (kind == SAVE_RAM_COMPRESS_PAGE) {
        value = g_malloc(RAM_PAGE_SIZE);
        if (!load_compressed(l, in, e, addr, at, value, errp)) {
            g_free(value);
            return FALSE;
        }
    } else {
        value = g_malloc(RAM_PAGE_SIZE);
        if (!save_input_bytes(in, value, RAM_PAGE_SIZE, errp)) {
            g_free(value);
            g_prefix_error(errp, "RAM record at offset 0x%"
                           G_GINT64_MODIFIER "x: page data: ", at);
            return FALSE;
        }
    }
    if (!e->block) {
        staged_free(value);   /* a skipped block: parsed, dropped */
        return TRUE;
    }
    g_hash_table_replace(e->pages, GSIZE_TO_POINTER(addr >> RAM_PAGE_BITS),
                         value);
    return TRUE;
}

gboolean save_ram_load_payload(SaveRamLoad *l, SaveInput *in, bool start,
                               GError **errp)
{
    for (;;) {
        uint64_t at = save_input_offset(in);
        uint64_t word;
        unsigned flags, kind;

        if (!input_be64(in, &word, errp)) {
            g_prefix_error(errp, "RAM record at offset 0x%"
                           G_GINT64_MODIFIER "x: ", at);
            return FALSE;
        }
        flags = word & (RAM_PAGE_SIZE - 1);
        kind = flags & ~SAVE_RAM_CONTINUE;
        if (flags == SAVE_RAM_EOS) {
            if (start && !l->have_list) {
                g_set_error(errp, SAVE_ERROR, 0, "RAM section START ends "
                            "at offset 0x%" G_GINT64_MODIFIER "x without "
                            "a block list", at);
                return FALSE;
            }
            return TRUE;
        }
        if (kind == SAVE_RAM_MEM_SIZE) {
            if (!load_block_list(l, in, word & ~(uint64_t)0xfff, at, errp)) {
                return FALSE;
            }
        } else if (kind == SAVE_RAM_ZERO || kind == SAVE_RAM_PAGE ||
                   kind == SAVE_RAM_COMPRESS_PAGE) {
            if (!l->have_list) {
                g_set_error(errp, SAVE_ERROR, 0, "RAM record at offset 0x%"
                            G_GINT64_MODIFIER "x: page before the block "
                            "list", at);
                return FALSE;
            }
            if (!load_page(l, in, word, at, errp)) {
                return FALSE;
            }
        } else if (kind == SAVE_RAM_XBZRLE) {
            g_set_error(errp, SAVE_ERROR, 0, "RAM record at offset 0x%"
                        G_GINT64_MODIFIER "x: XBZRLE pages are not "
                        "supported (the source had the xbzrle capability "
                        "on)", at);
            return FALSE;
        } else {
            g_set_error(errp, SAVE_ERROR, 0, "RAM record at offset 0x%"
                        G_GINT64_MODIFIER "x: unknown flags 0x%x", at,
                        flags);
            return FALSE;
        }
    }
}

void save_ram_load_commit(SaveRamLoad *l)
{
    for (guint i = 0; i < l->incoming->len; i++) {
        SaveRamIncoming *e = &g_array_index(l->incoming, SaveRamIncoming, i);
        GHashTableIter it;
        gpointer key, value;

        if (!e->block) {
            continue;
        }
        if (e->used != e->block->used_length &&
            !ram_block_resize(e->block, e->used, NULL)) {
            /* Checked against the block when the list was read. */
            g_error("RAM block %s: resize to 0x%" G_GINT64_MODIFIER
                    "x failed after its check", e->idstr, e->used);
        }
        g_hash_table_iter_init(&it, e->pages);
        while (g_hash_table_iter_next(&it, &key, &value)) {
            uint8_t *dst = e->block->host +
                           (GPOINTER_TO_SIZE(key) << RAM_PAGE_BITS);
            if (!IS_ZERO_TAG(value)) {
                memcpy(dst, value, RAM_PAGE_SIZE);
            } else if (ZERO_FILL(value) ||
                       !ram_is_zero(dst, RAM_PAGE_SIZE)) {
                /* An untouched zero page stays unallocated, as QEMU. */
                memset(dst, ZERO_FILL(value), RAM_PAGE_SIZE);
            }
        }
        g_hash_table_remove_all(e->pages);
    }
}

static void writer_be64(SaveWriter *w, uint64_t v)
{
    save_writer_be32(w, (uint32_t)(v >> 32));
    save_writer_be32(w, (uint32_t)v);
}

void save_ram_write_blocks(SaveRamSave *s, SaveWriter *w)
{
    GPtrArray *blocks = s->reg->blocks;
    uint64_t total = 0;

    for (guint i = 0; i < blocks->len; i++) {
        RamBlock *b = g_ptr_array_index(blocks, i);
        if (ram_block_migratable(b)) {
            total += b->used_length;
        }
    }
    writer_be64(w, total | SAVE_RAM_MEM_SIZE);
    for (guint i = 0; i < blocks->len; i++) {
        RamBlock *b = g_ptr_array_index(blocks, i);
        if (ram_block_migratable(b)) {
            save_writer_counted(w, b->idstr);
            writer_be64(w, b->used_length);
        }
    }
    writer_be64(w, SAVE_RAM_EOS);
    /* QEMU resets its last-sent block at setup. */
    s->last = NULL;
}

static bool compress_on;
static int compress_level = 1;

void save_ram_set_compress(bool on, int level)
{
    compress_on = on;
    compress_level = level;
}

bool save_ram_get_compress(void)
{
    return compress_on;
}

/* As QEMU's qemu_put_compression_data: be32 length, then the stream. */
static void write_compressed(z_stream *zs, SaveWriter *w, const uint8_t *src)
{
    uint8_t out[SAVE_RAM_COMPRESS_MAX];
    int rc;

    deflateReset(zs);
    zs->next_in = (uint8_t *)src;
    zs->avail_in = RAM_PAGE_SIZE;
    zs->next_out = out;
    zs->avail_out = sizeof(out);
    rc = deflate(zs, Z_FINISH);
    if (rc != Z_STREAM_END) {
        /* compressBound is zlib's promise for this buffer. */
        g_error("zlib deflate of one page: %d", rc);
    }
    save_writer_be32(w, (uint32_t)(sizeof(out) - zs->avail_out));
    save_writer_bytes(w, out, sizeof(out) - zs->avail_out);
}

void save_ram_write_pages(SaveRamSave *s, SaveWriter *w, bool all)
{
    GPtrArray *blocks = s->reg->blocks;
    bool compress = s->compress || compress_on;
    z_stream zs = { 0 };

    if (compress && deflateInit(&zs, compress_level) != Z_OK) {
        g_error("zlib deflateInit(level %d) failed", compress_level);
    }

    for (guint i = 0; i < blocks->len; i++) {
        RamBlock *b = g_ptr_array_index(blocks, i);
        uint64_t pages = b->used_length / RAM_PAGE_SIZE;

        if (!ram_block_migratable(b)) {
            continue;
        }
        for (uint64_t p = 0; p < pages; p++) {
            const uint8_t *src = b->host + (p << RAM_PAGE_BITS);
            bool zero, packed;
            uint64_t word = p << RAM_PAGE_BITS;

            if (!ram_block_test_and_clear_dirty(b, p) && !all) {
                continue;
            }
            zero = ram_is_zero(src, RAM_PAGE_SIZE);
            /* QEMU 7.2 sends a new block's first page uncompressed. */
            packed = compress && !zero && s->last == b;
            word |= zero ? SAVE_RAM_ZERO :
                    packed ? SAVE_RAM_COMPRESS_PAGE : SAVE_RAM_PAGE;
            if (s->last == b) {
                word |= SAVE_RAM_CONTINUE;
            }
            writer_be64(w, word);
            if (s->last != b) {
                save_writer_counted(w, b->idstr);
                s->last = b;
            }
            if (zero) {
                save_writer_u8(w, 0);
                s->zero_pages++;
            } else if (packed) {
                write_compressed(&zs, w, src);
                s->data_pages++;
                s->compressed_pages++;
            } else {
                save_writer_bytes(w, src, RAM_PAGE_SIZE);
                s->data_pages++;
            }
        }
    }
    if (compress) {
        deflateEnd(&zs);
    }
    writer_be64(w, SAVE_RAM_EOS);
}
