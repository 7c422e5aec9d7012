/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Writing the "ram" section: the block list, then page records, written
 * in batches straight from guest memory (writev) so a data page costs no
 * copy of ours, and pages never written are known zero without reading.
 */
#include "save/ram-section.h"
#include "save/state.h"

#include <errno.h>
#include <limits.h>
#include <string.h>
#include <sys/uio.h>
#include <zlib.h>

static void writer_be64(SaveWriter *w, uint64_t v)
{
    save_writer_be32(w, (uint32_t)(v >> 32));
    save_writer_be32(w, (uint32_t)v);
}

uint64_t save_ram_total(const SaveRamSave *s)
{
    uint64_t total = 0;

    for (guint i = 0; i < s->reg->blocks->len; i++) {
        RamBlock *b = g_ptr_array_index(s->reg->blocks, i);
        if (ram_block_migratable(b)) {
            total += b->used_length;
        }
    }
    return total;
}

void save_ram_write_blocks(SaveRamSave *s, SaveWriter *w)
{
    GPtrArray *blocks = s->reg->blocks;

    writer_be64(w, save_ram_total(s) | SAVE_RAM_MEM_SIZE);
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

/*
 * One batch: record headers (and zero fills, compressed data) packed in
 * meta, pages referenced where they are. Slot 0 is kept for what the
 * SaveWriter still buffers, which must go out first.
 */
#define BATCH_IOV 512
#define BATCH_META (64u << 10)
#define RECORD_META_MAX (8 + 256 + 4 + SAVE_RAM_COMPRESS_MAX)

typedef struct {
    SaveWriter *w;
    struct iovec iov[BATCH_IOV + 1];
    int n;
    size_t meta_len;
    uint8_t meta[BATCH_META];
    z_stream zs;
    bool compress;
} PageBatch;

G_STATIC_ASSERT(BATCH_IOV <= IOV_MAX);

static void batch_fail(SaveWriter *w, int err)
{
    g_set_error(&w->error, SAVE_ERROR, 0,
                "writing the state at offset %" G_GUINT64_FORMAT ": %s",
                w->written, err ? g_strerror(err) : "short write");
}

/*
 * What the SaveWriter buffered, then the batch, on its fd; its byte count
 * and first-error rule stay as its own flush keeps them.
 */
static void batch_flush(PageBatch *bt)
{
    SaveWriter *w = bt->w;
    struct iovec *iov = bt->iov;
    int n = bt->n;

    if (w->buf->len) {
        iov[0] = (struct iovec){ w->buf->data, w->buf->len };
    } else {
        iov++;
    }
    n += w->buf->len ? 1 : 0;
    while (!w->error && n) {
        ssize_t got = writev(w->fd, iov, n);
        if (got < 0 && errno == EINTR) {
            continue;
        }
        if (got <= 0) {
            batch_fail(w, got < 0 ? errno : 0);
            break;
        }
        w->written += (uint64_t)got;
        /* A pipe or socket takes part of it: go on from there. */
        while (n && (size_t)got >= iov->iov_len) {
            got -= (ssize_t)iov->iov_len;
            iov++;
            n--;
        }
        if (n) {
            iov->iov_base = (uint8_t *)iov->iov_base + got;
            iov->iov_len -= (size_t)got;
        }
    }
    g_byte_array_set_size(w->buf, 0);
    bt->n = 0;
    bt->meta_len = 0;
}

/* Room for one more record: its meta bytes and two slots. */
static void batch_reserve(PageBatch *bt)
{
    if (bt->n + 2 > BATCH_IOV || bt->meta_len + RECORD_META_MAX > BATCH_META) {
        batch_flush(bt);
    }
}

/*
 * The len bytes just written at meta + meta_len join the batch; the
 * record's batch_reserve made room for them.
 */
static void batch_claim(PageBatch *bt, size_t len)
{
    uint8_t *at = bt->meta + bt->meta_len;
    struct iovec *prev = bt->n ? &bt->iov[bt->n] : NULL;

    g_assert(bt->n < BATCH_IOV && bt->meta_len + len <= BATCH_META);
    bt->meta_len += len;
    if (prev && (uint8_t *)prev->iov_base + prev->iov_len == at) {
        prev->iov_len += len;
    } else {
        bt->iov[++bt->n] = (struct iovec){ at, len };
    }
}

static void batch_meta(PageBatch *bt, const void *p, size_t len)
{
    memcpy(bt->meta + bt->meta_len, p, len);
    batch_claim(bt, len);
}

static void batch_be64(PageBatch *bt, uint64_t v)
{
    uint8_t b[8];

    for (int i = 0; i < 8; i++) {
        b[i] = (uint8_t)(v >> (56 - 8 * i));
    }
    batch_meta(bt, b, 8);
}

/* As QEMU's qemu_put_compression_data: be32 length, then the stream. */
static void batch_compressed(PageBatch *bt, const uint8_t *src)
{
    uint8_t *at = bt->meta + bt->meta_len;
    uint32_t len;
    int rc;

    deflateReset(&bt->zs);
    bt->zs.next_in = (uint8_t *)src;
    bt->zs.avail_in = RAM_PAGE_SIZE;
    bt->zs.next_out = at + 4;
    bt->zs.avail_out = SAVE_RAM_COMPRESS_MAX;
    rc = deflate(&bt->zs, Z_FINISH);
    if (rc != Z_STREAM_END) {
        /* compressBound is zlib's promise for this buffer. */
        g_error("zlib deflate of one page: %d", rc);
    }
    len = SAVE_RAM_COMPRESS_MAX - bt->zs.avail_out;
    at[0] = (uint8_t)(len >> 24);
    at[1] = (uint8_t)(len >> 16);
    at[2] = (uint8_t)(len >> 8);
    at[3] = (uint8_t)len;
    batch_claim(bt, 4 + len);
}

static void batch_page(PageBatch *bt, const uint8_t *page)
{
    g_assert(bt->n < BATCH_IOV);
    bt->iov[++bt->n] = (struct iovec){ (void *)page, RAM_PAGE_SIZE };
}

static void batch_init(PageBatch *bt, SaveRamSave *s, SaveWriter *w)
{
    bt->w = w;
    bt->n = 0;
    bt->meta_len = 0;
    bt->compress = s->compress || compress_on;
    memset(&bt->zs, 0, sizeof(bt->zs));
    if (bt->compress && deflateInit(&bt->zs, compress_level) != Z_OK) {
        g_error("zlib deflateInit(level %d) failed", compress_level);
    }
}

static void batch_end(PageBatch *bt)
{
    batch_flush(bt);
    if (bt->compress) {
        deflateEnd(&bt->zs);
    }
}

/*
 * One page record. zero: known zero already (never written); otherwise
 * the page is looked at. Zero pages as QEMU: ZERO and a 0x00 fill byte.
 */
static void write_page(SaveRamSave *s, PageBatch *bt, const RamBlock *b,
                       uint64_t page, bool zero)
{
    const uint8_t *src = b->host + (page << RAM_PAGE_BITS);
    uint64_t word = page << RAM_PAGE_BITS;
    bool packed;

    zero = zero || ram_is_zero(src, RAM_PAGE_SIZE);
    /* QEMU 7.2 sends a new block's first page uncompressed. */
    packed = bt->compress && !zero && s->last == b;
    batch_reserve(bt);
    word |= zero ? SAVE_RAM_ZERO :
            packed ? SAVE_RAM_COMPRESS_PAGE : SAVE_RAM_PAGE;
    if (s->last == b) {
        word |= SAVE_RAM_CONTINUE;
    }
    batch_be64(bt, word);
    if (s->last != b) {
        uint8_t n = (uint8_t)strlen(b->idstr);
        batch_meta(bt, &n, 1);
        batch_meta(bt, b->idstr, n);
        s->last = b;
    }
    if (zero) {
        batch_meta(bt, "", 1);
        s->zero_pages++;
    } else if (packed) {
        batch_compressed(bt, src);
        s->data_pages++;
        s->compressed_pages++;
    } else {
        batch_page(bt, src);
        s->data_pages++;
    }
}

/*
 * The 64-page group holding page: which pages are untouched (known
 * zero), fetched once per group.
 */
typedef struct {
    const RamBlock *b;
    uint64_t group;           /* first page of the group, or UINT64_MAX */
    uint64_t untouched;
} ZeroHint;

static bool hint_zero(ZeroHint *h, const RamBlock *b, uint64_t page)
{
    if (h->b != b || h->group != (page & ~UINT64_C(63))) {
        h->b = b;
        h->group = page & ~UINT64_C(63);
        h->untouched = ram_block_untouched64(b, h->group);
    }
    return h->untouched & (UINT64_C(1) << (page & 63));
}

void save_ram_write_pages(SaveRamSave *s, SaveWriter *w, bool all)
{
    GPtrArray *blocks = s->reg->blocks;
    PageBatch *bt = g_new(PageBatch, 1);
    ZeroHint hint = { .group = UINT64_MAX };

    batch_init(bt, s, w);
    for (guint i = 0; i < blocks->len; i++) {
        RamBlock *b = g_ptr_array_index(blocks, i);
        uint64_t pages = b->used_length / RAM_PAGE_SIZE;

        if (!ram_block_migratable(b)) {
            continue;
        }
        for (uint64_t p = 0; p < pages; p++) {
            if (!ram_block_test_and_clear_dirty(b, p) && !all) {
                continue;
            }
            write_page(s, bt, b, p, hint_zero(&hint, b, p));
        }
    }
    batch_reserve(bt);
    batch_be64(bt, SAVE_RAM_EOS);
    batch_end(bt);
    g_free(bt);
}

void save_ram_mark_all_dirty(SaveRamSave *s)
{
    for (guint i = 0; i < s->reg->blocks->len; i++) {
        RamBlock *b = g_ptr_array_index(s->reg->blocks, i);
        if (ram_block_migratable(b)) {
            ram_block_mark_all_dirty(b);
        }
    }
    s->cursor_block = 0;
    s->cursor_page = 0;
}

uint64_t save_ram_dirty_pages(const SaveRamSave *s)
{
    uint64_t n = 0;

    for (guint i = 0; i < s->reg->blocks->len; i++) {
        RamBlock *b = g_ptr_array_index(s->reg->blocks, i);
        if (ram_block_migratable(b)) {
            n += b->dirty_pages;
        }
    }
    return n;
}

uint64_t save_ram_write_dirty(SaveRamSave *s, SaveWriter *w, uint64_t max)
{
    GPtrArray *blocks = s->reg->blocks;
    PageBatch *bt = g_new(PageBatch, 1);
    ZeroHint hint = { .group = UINT64_MAX };
    uint64_t sent = 0;

    batch_init(bt, s, w);
    /* Dirty bits lie within used_length only, so this ends. */
    while ((!max || sent < max) && save_ram_dirty_pages(s)) {
        RamBlock *b = s->cursor_block < blocks->len ?
            g_ptr_array_index(blocks, s->cursor_block) : NULL;
        uint64_t p;

        if (!b) {
            s->cursor_block = 0;
            s->cursor_page = 0;
            s->rounds++;
            continue;
        }
        p = ram_block_migratable(b) ?
            ram_block_next_dirty(b, s->cursor_page) : b->used_length;
        if (p >= b->used_length / RAM_PAGE_SIZE) {
            s->cursor_block++;
            s->cursor_page = 0;
            continue;
        }
        ram_block_test_and_clear_dirty(b, p);
        write_page(s, bt, b, p, hint_zero(&hint, b, p));
        s->cursor_page = p + 1;
        sent++;
    }
    batch_reserve(bt);
    batch_be64(bt, SAVE_RAM_EOS);
    batch_end(bt);
    g_free(bt);
    return sent;
}
