/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The RAM block registry (QEMU 7.2's RAMBlock list, as the stream sees it). */
#include "ram/ram-block.h"
#include "ram/guest-ram.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static void block_free(gpointer p)
{
    RamBlock *b = p;

    if (b->owns_host) {
        ram_anon_unmap(b->host, b->max_length);
    }
    g_free(b->dirty);
    g_free(b->idstr);
    g_free(b);
}

RamRegistry *ram_registry_new(void)
{
    RamRegistry *reg = g_new0(RamRegistry, 1);

    reg->blocks = g_ptr_array_new_with_free_func(block_free);
    return reg;
}

void ram_registry_free(RamRegistry *reg)
{
    if (reg) {
        g_ptr_array_free(reg->blocks, TRUE);
        g_free(reg);
    }
}

RamBlock *ram_block_find(const RamRegistry *reg, const char *idstr)
{
    for (guint i = 0; i < reg->blocks->len; i++) {
        RamBlock *b = g_ptr_array_index(reg->blocks, i);
        if (!strcmp(b->idstr, idstr)) {
            return b;
        }
    }
    return NULL;
}

bool ram_block_migratable(const RamBlock *b)
{
    return b->backing == RAM_BACKING_LOCAL;
}

static bool page_multiple(uint64_t v)
{
    return (v & (RAM_PAGE_SIZE - 1)) == 0;
}

/*
 * QEMU keeps its list sorted by max_length, largest first, ties in
 * creation order, and writes the block list in that order.
 */
static RamBlock *registry_add(RamRegistry *reg, const char *idstr,
                              uint64_t used, uint64_t max, GError **errp)
{
    RamBlock *b;
    guint i;

    if (!idstr[0] || strlen(idstr) > 255) {
        g_set_error(errp, RAM_ERROR, 0,
                    "RAM block name '%s' must be 1 to 255 bytes", idstr);
        return NULL;
    }
    if (ram_block_find(reg, idstr)) {
        g_set_error(errp, RAM_ERROR, 0, "RAM block '%s' exists already",
                    idstr);
        return NULL;
    }
    if (!used || used > max || !page_multiple(used) || !page_multiple(max)) {
        g_set_error(errp, RAM_ERROR, 0,
                    "RAM block '%s': used 0x%" G_GINT64_MODIFIER "x, max 0x%"
                    G_GINT64_MODIFIER "x: want page multiples, used <= max",
                    idstr, used, max);
        return NULL;
    }
    b = g_new0(RamBlock, 1);
    b->idstr = g_strdup(idstr);
    b->used_length = used;
    b->max_length = max;
    b->dirty = g_new0(uint64_t, (max / RAM_PAGE_SIZE + 63) / 64);
    for (i = 0; i < reg->blocks->len; i++) {
        RamBlock *o = g_ptr_array_index(reg->blocks, i);
        if (o->max_length < max) {
            break;
        }
    }
    g_ptr_array_insert(reg->blocks, (gint)i, b);
    return b;
}

/*
 * Every anonymous mapping ram/ made. A borrowed block over one of them
 * (the guest RAM) may have its pages dropped or replaced like our own;
 * memory from elsewhere (a Xen mapping, a test's buffer) may not.
 */
typedef struct {
    uint8_t *p;
    uint64_t len;
} AnonMap;

static GArray *anon_maps;

static bool anon_known(const uint8_t *p, uint64_t len)
{
    for (guint i = 0; anon_maps && i < anon_maps->len; i++) {
        AnonMap *a = &g_array_index(anon_maps, AnonMap, i);
        if (p >= a->p && len <= a->len &&
            (uint64_t)(p - a->p) <= a->len - len) {
            return true;
        }
    }
    return false;
}

/* Huge-page size on x86: maps aligned to it can use transparent ones. */
#define RAM_HUGE (UINT64_C(2) << 20)

uint8_t *ram_anon_map(uint64_t len, GError **errp)
{
    AnonMap a = { .len = len };
    uint64_t slack = len >= RAM_HUGE ? RAM_HUGE : 0;
    uint8_t *p = mmap(NULL, len + slack, PROT_READ | PROT_WRITE,
                      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    uint64_t head;

    if (p == MAP_FAILED) {
        g_set_error(errp, RAM_ERROR, 0, "cannot reserve 0x%"
                    G_GINT64_MODIFIER "x bytes: %s", len, g_strerror(errno));
        return NULL;
    }
    /*
     * Trimmed to start on a huge-page boundary: runs moved between two
     * such maps keep their huge pages whole.
     */
    head = slack ? (RAM_HUGE - (uintptr_t)p % RAM_HUGE) % RAM_HUGE : 0;
    if (head) {
        munmap(p, head);
    }
    if (slack - head) {
        munmap(p + head + len, slack - head);
    }
    p += head;
    if (!anon_maps) {
        anon_maps = g_array_new(FALSE, FALSE, sizeof(AnonMap));
    }
    a.p = p;
    g_array_append_val(anon_maps, a);
    return p;
}

void ram_anon_hint_dense(uint8_t *p, uint64_t len)
{
    /* Advice only: without transparent huge pages nothing changes. */
    madvise(p, len, MADV_HUGEPAGE);
}

void ram_anon_unmap(uint8_t *p, uint64_t len)
{
    for (guint i = 0; anon_maps && i < anon_maps->len; i++) {
        if (g_array_index(anon_maps, AnonMap, i).p == p) {
            g_array_remove_index_fast(anon_maps, i);
            break;
        }
    }
    munmap(p, len);
}

RamBlock *ram_block_new_local(RamRegistry *reg, const char *idstr,
                              uint64_t used, uint64_t max, bool resizeable,
                              GError **errp)
{
    uint8_t *p = NULL;
    RamBlock *b;

    if (max && page_multiple(max)) {
        p = ram_anon_map(max, errp);
        if (!p) {
            g_prefix_error(errp, "RAM block '%s': ", idstr);
            return NULL;
        }
    }
    b = registry_add(reg, idstr, used, max, errp);
    if (!b) {
        if (p) {
            ram_anon_unmap(p, max);
        }
        return NULL;
    }
    b->host = p;
    b->owns_host = true;
    b->anon = true;
    b->resizeable = resizeable;
    b->backing = RAM_BACKING_LOCAL;
    return b;
}

RamBlock *ram_block_new_borrowed(RamRegistry *reg, const char *idstr,
                                 uint8_t *host, uint64_t size,
                                 RamBacking backing, GError **errp)
{
    RamBlock *b = registry_add(reg, idstr, size, size, errp);

    if (b) {
        b->host = host;
        b->backing = backing;
        b->anon = backing == RAM_BACKING_LOCAL && anon_known(host, size);
    }
    return b;
}

void ram_block_set_resize_hook(RamBlock *b, RamResizeFn *fn, void *opaque)
{
    b->resize = fn;
    b->resize_opaque = opaque;
}

gboolean ram_block_resize(RamBlock *b, uint64_t used, GError **errp)
{
    uint64_t old = b->used_length;

    if (used == old) {
        return TRUE;
    }
    if (!b->resizeable) {
        g_set_error(errp, RAM_ERROR, 0,
                    "RAM block '%s' is not resizeable: size 0x%"
                    G_GINT64_MODIFIER "x != 0x%" G_GINT64_MODIFIER "x",
                    b->idstr, used, old);
        return FALSE;
    }
    if (!used || !page_multiple(used) || used > b->max_length) {
        g_set_error(errp, RAM_ERROR, 0,
                    "RAM block '%s': size 0x%" G_GINT64_MODIFIER "x is not "
                    "a page multiple from 4 KiB to its maximum 0x%"
                    G_GINT64_MODIFIER "x", b->idstr, used, b->max_length);
        return FALSE;
    }
    b->used_length = used;
    /* As QEMU: the whole new range is dirty, a live save resends it. */
    memset(b->dirty, 0, (b->max_length / RAM_PAGE_SIZE + 63) / 64 * 8);
    b->dirty_pages = 0;
    ram_block_mark_all_dirty(b);
    if (b->resize) {
        b->resize(b->resize_opaque, b, old);
    }
    return TRUE;
}

void ram_block_mark_dirty(RamBlock *b, uint64_t offset, uint64_t len)
{
    uint64_t first, last;

    /* Past used_length nothing is sent: a bit there would never clear. */
    if (!len || offset >= b->used_length) {
        return;
    }
    len = MIN(len, b->used_length - offset);
    first = offset >> RAM_PAGE_BITS;
    last = (offset + len - 1) >> RAM_PAGE_BITS;
    for (uint64_t p = first; p <= last; p++) {
        uint64_t bit = UINT64_C(1) << (p & 63);
        if (!(b->dirty[p / 64] & bit)) {
            b->dirty[p / 64] |= bit;
            b->dirty_pages++;
            b->dirtied++;
        }
    }
}

uint64_t ram_block_next_dirty(const RamBlock *b, uint64_t page)
{
    uint64_t pages = b->used_length / RAM_PAGE_SIZE;

    while (page < pages) {
        uint64_t w = b->dirty[page / 64] >> (page & 63);
        if (w) {
            page += (uint64_t)__builtin_ctzll(w);
            return MIN(page, pages);
        }
        page = (page | 63) + 1;
    }
    return pages;
}

/* /proc/self/pagemap: -1 not tried yet, -2 not available. */
static int pagemap_fd = -1;
#define PAGEMAP_PRESENT (UINT64_C(1) << 63)
#define PAGEMAP_SWAPPED (UINT64_C(1) << 62)

uint64_t ram_block_untouched64(const RamBlock *b, uint64_t page)
{
    uint64_t ent[64], out = 0;
    uintptr_t va = (uintptr_t)(b->host + page * RAM_PAGE_SIZE);
    uint64_t n = MIN(64, b->max_length / RAM_PAGE_SIZE - page);

    if (!b->anon || page % 64) {
        return 0;
    }
    if (pagemap_fd == -1) {
        pagemap_fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
        if (pagemap_fd < 0) {
            pagemap_fd = -2;
        }
    }
    if (pagemap_fd < 0 ||
        pread(pagemap_fd, ent, n * 8, (off_t)(va / RAM_PAGE_SIZE * 8)) !=
        (ssize_t)(n * 8)) {
        return 0;
    }
    /* Neither in memory nor in swap: private anonymous memory reads 0. */
    for (uint64_t i = 0; i < n; i++) {
        if (!(ent[i] & (PAGEMAP_PRESENT | PAGEMAP_SWAPPED))) {
            out |= UINT64_C(1) << i;
        }
    }
    return out;
}

void ram_block_mark_all_dirty(RamBlock *b)
{
    ram_block_mark_dirty(b, 0, b->used_length);
}

bool ram_block_test_and_clear_dirty(RamBlock *b, uint64_t page)
{
    uint64_t bit = UINT64_C(1) << (page & 63);

    if (page >= b->max_length / RAM_PAGE_SIZE || !(b->dirty[page / 64] & bit)) {
        return false;
    }
    b->dirty[page / 64] &= ~bit;
    b->dirty_pages--;
    return true;
}

void ram_registry_mark_host(RamRegistry *reg, const uint8_t *host,
                            uint64_t len)
{
    for (guint i = 0; i < reg->blocks->len; i++) {
        RamBlock *b = g_ptr_array_index(reg->blocks, i);
        if (b->host && host >= b->host && host < b->host + b->max_length) {
            ram_block_mark_dirty(b, (uint64_t)(host - b->host), len);
            return;
        }
    }
}

bool ram_is_zero(const uint8_t *p, size_t len)
{
    size_t i = 0;

    /*
     * A cache line (eight words) per step, one test each: the first non-zero
     * cache line ends it, a zero page costs one pass of plain loads.
     */
    for (; i + 64 <= len; i += 64) {
        uint64_t w[8];
        memcpy(w, p + i, 64);
        if ((w[0] | w[1] | w[2] | w[3] | w[4] | w[5] | w[6] | w[7]) != 0) {
            return false;
        }
    }
    for (; i < len; i++) {
        if (p[i]) {
            return false;
        }
    }
    return true;
}

typedef struct {
    uint8_t *p;
    uint64_t len;
} PrefaultRange;

struct RamPrefault {
    GThread *thread;
    GAsyncQueue *queue;       /* PrefaultRange, or &stop to end */
};

static PrefaultRange prefault_stop;

static gpointer prefault_run(gpointer opaque)
{
    RamPrefault *pf = opaque;
    PrefaultRange *r;

    while ((r = g_async_queue_pop(pf->queue)) != &prefault_stop) {
        /* Content is left alone: only missing pages are filled in. */
        madvise(r->p, r->len, MADV_POPULATE_WRITE);
        g_free(r);
    }
    return NULL;
}

RamPrefault *ram_prefault_new(void)
{
    RamPrefault *pf = g_new0(RamPrefault, 1);

    pf->queue = g_async_queue_new();
    pf->thread = g_thread_try_new("ram-prefault", prefault_run, pf, NULL);
    if (!pf->thread) {
        /* Only an optimisation: without it the writer faults pages in. */
        g_async_queue_unref(pf->queue);
        g_free(pf);
        return NULL;
    }
    return pf;
}

void ram_prefault_queue(RamPrefault *pf, uint8_t *p, uint64_t len)
{
    PrefaultRange *r = g_new(PrefaultRange, 1);

    r->p = p;
    r->len = len;
    g_async_queue_push(pf->queue, r);
}

void ram_prefault_free(RamPrefault *pf)
{
    PrefaultRange *r;

    if (!pf) {
        return;
    }
    /* Ahead of what is still queued: that work is no longer wanted. */
    g_async_queue_push_front(pf->queue, &prefault_stop);
    g_thread_join(pf->thread);
    while ((r = g_async_queue_try_pop(pf->queue))) {
        g_free(r);
    }
    g_async_queue_unref(pf->queue);
    g_free(pf);
}

/* Below this, a zero run is checked and cleared rather than dropped. */
#define DROP_MIN_PAGES 16
/* From this on, a range is moved rather than copied. */
#define MOVE_MIN (UINT64_C(2) << 20)
/*
 * Each move can split the target mapping in three; the process has a
 * mapping limit (vm.max_map_count, 65530 by default), so moves are
 * rationed and the rest copied.
 */
static unsigned moves_left = 8192;

void ram_block_zero_range(RamBlock *b, uint64_t off, uint64_t len)
{
    uint8_t *p = b->host + off;

    if (b->anon && len >= DROP_MIN_PAGES * RAM_PAGE_SIZE &&
        !madvise(p, len, MADV_DONTNEED)) {
        return;
    }
    for (uint64_t o = 0; o < len; o += RAM_PAGE_SIZE) {
        /* Reading an untouched page does not allocate it; writing does. */
        if (!ram_is_zero(p + o, RAM_PAGE_SIZE)) {
            memset(p + o, 0, RAM_PAGE_SIZE);
        }
    }
}

bool ram_block_take_range(RamBlock *b, uint64_t off, uint8_t *src,
                          uint64_t len)
{
    uint8_t *dst = b->host + off;
    void *p;

    if (!b->anon || len < MOVE_MIN || !moves_left) {
        memcpy(dst, src, len);
        return false;
    }
    p = mremap(src, len, len, MREMAP_MAYMOVE | MREMAP_FIXED, dst);
    if (p == dst) {
        moves_left--;
        return true;
    }
    /*
     * Refused: the target may be unmapped already (the kernel drops it
     * first), so map it afresh and copy; src is intact either way.
     */
    moves_left = 0;
    p = mmap(dst, len, PROT_READ | PROT_WRITE,
             MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED, -1, 0);
    if (p != dst) {
        g_error("RAM block %s: cannot remap 0x%" G_GINT64_MODIFIER
                "x bytes at 0x%" G_GINT64_MODIFIER "x: %s", b->idstr, len,
                off, g_strerror(errno));
    }
    memcpy(dst, src, len);
    return false;
}
