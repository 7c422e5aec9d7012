/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Loading the "ram" section (QEMU 7.2 migration/ram.c): the block list
 * first, then page records, staged until commit (ram-save.c writes it).
 * Load rules are those of ../shared/spec/qemu-stream.md §2.5.
 */
#include "save/ram-section.h"
#include "save/state.h"

#include <errno.h>
#include <string.h>
#include <sys/uio.h>
#include <zlib.h>

G_STATIC_ASSERT(SAVE_RAM_COMPRESS_MAX >= RAM_PAGE_SIZE + 13);

/*
 * Staging: a shadow of each listed block, reserved (not committed) at
 * its incoming length, so only pages the stream carries take memory. Two
 * bitmaps say what the stream last said of each page: data (its bytes
 * are in the shadow) or zero. A page sent again in a later pass just
 * overwrites its slot. Commit moves or copies the data runs into the
 * block and drops the zero runs.
 */
typedef struct {
    char idstr[256];
    RamBlock *block;          /* NULL: skipped (unemulated device) */
    uint64_t used;            /* incoming used_length */
    uint8_t *shadow;          /* used bytes from ram_anon_map */
    uint64_t *data;           /* one bit per page: shadow holds it */
    uint64_t *zero;           /* one bit per page: the stream said zero */
    uint64_t ahead;           /* 2 MiB stretches handed to the prefault */
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
    RamPrefault *prefault;    /* started by the first dense stretch */
    bool prefault_tried;
    uint8_t sink[RAM_PAGE_SIZE];      /* pages of skipped blocks */
};

static void incoming_clear(gpointer p)
{
    SaveRamIncoming *in = p;

    if (in->shadow) {
        ram_anon_unmap(in->shadow, in->used);
    }
    g_free(in->data);
    g_free(in->zero);
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
        /* Before the shadows it works on go away. */
        ram_prefault_free(l->prefault);
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
        if (e.block) {
            e.shadow = ram_anon_map(e.used, errp);
            if (!e.shadow) {
                g_prefix_error(errp, "block list at offset 0x%"
                               G_GINT64_MODIFIER "x: staging \"%s\": ", at,
                               e.idstr);
                return FALSE;
            }
            e.data = g_new0(uint64_t, (e.used / RAM_PAGE_SIZE + 63) / 64);
            e.zero = g_new0(uint64_t, (e.used / RAM_PAGE_SIZE + 63) / 64);
        }
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

static void page_set(uint64_t *map, uint64_t page)
{
    map[page / 64] |= UINT64_C(1) << (page & 63);
}

static void page_clear(uint64_t *map, uint64_t page)
{
    map[page / 64] &= ~(UINT64_C(1) << (page & 63));
}

/*
 * A data page opening a 2 MiB stretch of the shadow right after another
 * data page: a dense run. The stretch gets huge pages (one fault, not
 * 512), and the next few are faulted in by the prefault thread while
 * this one is copied. Sparse data keeps 4 KiB pages and stays small; a
 * guess that was wrong costs at most PREFAULT_AHEAD stretches.
 */
#define PREFAULT_AHEAD 8

static void hint_dense(SaveRamLoad *l, SaveRamIncoming *e, uint64_t page,
                       bool dense)
{
    const uint64_t span = RAM_ANON_HUGE / RAM_PAGE_SIZE;
    uint64_t stretch = page / span, last = e->used / RAM_ANON_HUGE;
    uint64_t prev = page - 1;

    if (page % span || !page || stretch >= last ||
        (!dense && !(e->data[prev / 64] & (UINT64_C(1) << (prev & 63))))) {
        return;
    }
    if (e->ahead <= stretch) {
        ram_anon_hint_dense(e->shadow + stretch * RAM_ANON_HUGE,
                            RAM_ANON_HUGE);
        e->ahead = stretch + 1;
    }
    if (!l->prefault_tried) {
        l->prefault_tried = true;
        l->prefault = ram_prefault_new();
    }
    /*
     * Every other stretch: this thread faults the rest in itself, so the
     * two zero fresh memory side by side instead of one waiting.
     */
    for (; l->prefault && e->ahead < MIN(stretch + PREFAULT_AHEAD, last);
         e->ahead++) {
        uint8_t *p = e->shadow + e->ahead * RAM_ANON_HUGE;
        ram_anon_hint_dense(p, RAM_ANON_HUGE);
        if (e->ahead & 1) {
            ram_prefault_queue(l->prefault, p, RAM_ANON_HUGE);
        }
    }
}

/*
 * Direct reads: when a page's bytes are not buffered yet, one readv takes
 * them straight into the shadow. When the page before was data too (a
 * dense run, the guess is it goes on), the same readv also takes the
 * next DIRECT_PAGES records as CONTINUE PAGE records of the following
 * pages: headers into a side buffer, data into their shadow slots.
 * Guessed pages must not be staged already (a wrong guess scribbles on
 * their slots); from the first wrong or cut record on, the bytes read go
 * back to the input buffer and are parsed as usual. The input (a public
 * SaveInput) is left as if it had read them itself.
 */
#define DIRECT_PAGES 255

static gboolean load_direct(SaveRamLoad *l, SaveInput *in,
                            SaveRamIncoming *e, uint64_t page, uint64_t at,
                            GError **errp)
{
    struct iovec iov[1 + 2 * DIRECT_PAGES];
    uint8_t hdr[DIRECT_PAGES][8];
    uint64_t pages = e->used / RAM_PAGE_SIZE;
    size_t have = in->buf->len - in->pos;
    size_t first, extra = 0;
    unsigned n = 1, k;
    bool guess;

    memcpy(e->shadow + page * RAM_PAGE_SIZE, in->buf->data + in->pos, have);
    in->origin += in->buf->len;
    in->pos = 0;
    g_byte_array_set_size(in->buf, 0);
    first = RAM_PAGE_SIZE - have;
    iov[0] = (struct iovec){ e->shadow + page * RAM_PAGE_SIZE + have,
                             first };
    /* Only inside a run: a lone data page among zero ones guesses none. */
    guess = page && (e->data[(page - 1) / 64] &
                     (UINT64_C(1) << ((page - 1) & 63)));
    for (k = 1; guess && k <= DIRECT_PAGES && page + k < pages; k++) {
        uint64_t p = page + k;
        if (e->data[p / 64] & (UINT64_C(1) << (p & 63))) {
            break;
        }
        hint_dense(l, e, p, true);
        iov[n++] = (struct iovec){ hdr[k - 1], 8 };
        iov[n++] = (struct iovec){ e->shadow + p * RAM_PAGE_SIZE,
                                   RAM_PAGE_SIZE };
    }
    /* The page itself must be complete; what came with it is a bonus. */
    while (first) {
        ssize_t got = readv(in->fd, iov, (int)n);
        if (got < 0 && errno == EINTR) {
            continue;
        }
        if (got <= 0) {
            in->eof = true;
            g_set_error(errp, SAVE_ERROR, 0, "RAM record at offset 0x%"
                        G_GINT64_MODIFIER "x: page data: stream ends at "
                        "offset %" G_GUINT64_FORMAT " (%zu more bytes "
                        "expected)", at, in->origin, first);
            return FALSE;
        }
        if ((size_t)got < first) {
            iov[0].iov_base = (uint8_t *)iov[0].iov_base + got;
            iov[0].iov_len -= (size_t)got;
            first -= (size_t)got;
            in->origin += (uint64_t)got;
            continue;
        }
        in->origin += first;
        extra = (size_t)got - first;
        first = 0;
    }
    /* Accept the guessed records that arrived whole and were right. */
    for (k = 0; k < (n - 1) / 2 && extra >= 8 + RAM_PAGE_SIZE; k++) {
        uint64_t p = page + k + 1;
        uint64_t want = p << RAM_PAGE_BITS | SAVE_RAM_CONTINUE |
                        SAVE_RAM_PAGE;
        uint64_t word = 0;
        for (int b = 0; b < 8; b++) {
            word = word << 8 | hdr[k][b];
        }
        if (word != want) {
            break;
        }
        page_set(e->data, p);
        page_clear(e->zero, p);
        extra -= 8 + RAM_PAGE_SIZE;
        in->origin += 8 + RAM_PAGE_SIZE;
    }
    /* The rest is unparsed stream: back into the buffer, in order. */
    for (unsigned i = 1 + 2 * k; extra; i++) {
        size_t part = MIN(extra, iov[i].iov_len);
        g_byte_array_append(in->buf, iov[i].iov_base, (guint)part);
        extra -= part;
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
    uint64_t page = addr >> RAM_PAGE_BITS;
    uint8_t *dst;
    uint8_t fill;

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
    /* A skipped block's pages are parsed into the sink and dropped. */
    dst = e->block ? e->shadow + addr : l->sink;
    if (e->block && kind != SAVE_RAM_ZERO) {
        hint_dense(l, e, page, false);
    }
    if (kind == SAVE_RAM_ZERO) {
        if (!save_input_u8(in, &fill, errp)) {
            g_prefix_error(errp, "RAM record at offset 0x%"
                           G_GINT64_MODIFIER "x: ", at);
            return FALSE;
        }
        if (!e->block) {
            return TRUE;
        }
        if (!fill) {
            page_set(e->zero, page);
            page_clear(e->data, page);
            return TRUE;
        }
        /* Any other fill byte is a page of data like the rest. */
        memset(dst, fill, RAM_PAGE_SIZE);
    } else if (kind == SAVE_RAM_COMPRESS_PAGE) {
        if (!load_compressed(l, in, e, addr, at, dst, errp)) {
            return FALSE;
        }
    } else if (e->block && in->buf->len - in->pos < RAM_PAGE_SIZE &&
               !in->capture && !in->eof) {
        if (!load_direct(l, in, e, page, at, errp)) {
            return FALSE;
        }
    } else if (!save_input_bytes(in, dst, RAM_PAGE_SIZE, errp)) {
        g_prefix_error(errp, "RAM record at offset 0x%"
                       G_GINT64_MODIFIER "x: page data: ", at);
        return FALSE;
    }
    if (e->block) {
        page_set(e->data, page);
        page_clear(e->zero, page);
    }
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

/* The next page at or after from whose bit in map is want, or pages. */
static uint64_t bitmap_next(const uint64_t *map, uint64_t pages,
                            uint64_t from, bool want)
{
    while (from < pages) {
        uint64_t w = map[from / 64];
        if (!want) {
            w = ~w;
        }
        w >>= from & 63;
        if (w) {
            return MIN(from + (uint64_t)__builtin_ctzll(w), pages);
        }
        from = (from | 63) + 1;
    }
    return pages;
}

void save_ram_load_commit(SaveRamLoad *l)
{
    /* Nothing may touch the shadows while they move. */
    ram_prefault_free(l->prefault);
    l->prefault = NULL;
    for (guint i = 0; i < l->incoming->len; i++) {
        SaveRamIncoming *e = &g_array_index(l->incoming, SaveRamIncoming, i);
        uint64_t pages = e->used / RAM_PAGE_SIZE;

        if (!e->block) {
            continue;
        }
        if (e->used != e->block->used_length &&
            !ram_block_resize(e->block, e->used, NULL)) {
            /* Checked against the block when the list was read. */
            g_error("RAM block %s: resize to 0x%" G_GINT64_MODIFIER
                    "x failed after its check", e->idstr, e->used);
        }
        /* Whole runs at a time: one call per run, not per page. */
        for (uint64_t p = bitmap_next(e->zero, pages, 0, true); p < pages;) {
            uint64_t end = bitmap_next(e->zero, pages, p, false);
            ram_block_zero_range(e->block, p << RAM_PAGE_BITS,
                                 (end - p) << RAM_PAGE_BITS);
            p = bitmap_next(e->zero, pages, end, true);
        }
        for (uint64_t p = bitmap_next(e->data, pages, 0, true); p < pages;) {
            uint64_t end = bitmap_next(e->data, pages, p, false);
            ram_block_take_range(e->block, p << RAM_PAGE_BITS,
                                 e->shadow + (p << RAM_PAGE_BITS),
                                 (end - p) << RAM_PAGE_BITS);
            p = bitmap_next(e->data, pages, end, true);
        }
        memset(e->data, 0, (pages + 63) / 64 * 8);
        memset(e->zero, 0, (pages + 63) / 64 * 8);
    }
}
