/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The RAM block registry (QEMU 7.2's RAMBlock list, as the stream sees it). */
#include "ram/ram-block.h"
#include "ram/guest-ram.h"

#include <errno.h>
#include <string.h>
#include <sys/mman.h>

static void block_free(gpointer p)
{
    RamBlock *b = p;

    if (b->owns_host) {
        munmap(b->host, b->max_length);
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

RamBlock *ram_block_new_local(RamRegistry *reg, const char *idstr,
                              uint64_t used, uint64_t max, bool resizeable,
                              GError **errp)
{
    void *p;
    RamBlock *b;

    if (max && page_multiple(max)) {
        p = mmap(NULL, max, PROT_READ | PROT_WRITE,
                 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
        if (p == MAP_FAILED) {
            g_set_error(errp, RAM_ERROR, 0,
                        "RAM block '%s': cannot reserve 0x%"
                        G_GINT64_MODIFIER "x bytes: %s", idstr, max,
                        g_strerror(errno));
            return NULL;
        }
    } else {
        p = NULL;
    }
    b = registry_add(reg, idstr, used, max, errp);
    if (!b) {
        if (p) {
            munmap(p, max);
        }
        return NULL;
    }
    b->host = p;
    b->owns_host = true;
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
    ram_block_mark_all_dirty(b);
    if (b->resize) {
        b->resize(b->resize_opaque, b, old);
    }
    return TRUE;
}

void ram_block_mark_dirty(RamBlock *b, uint64_t offset, uint64_t len)
{
    uint64_t first, last;

    if (!len || offset >= b->max_length) {
        return;
    }
    len = MIN(len, b->max_length - offset);
    first = offset >> RAM_PAGE_BITS;
    last = (offset + len - 1) >> RAM_PAGE_BITS;
    for (uint64_t p = first; p <= last; p++) {
        uint64_t bit = UINT64_C(1) << (p & 63);
        if (!(b->dirty[p / 64] & bit)) {
            b->dirty[p / 64] |= bit;
            b->dirty_pages++;
        }
    }
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
    uint64_t acc = 0;
    size_t i = 0;

    /* Word-wise; the callers pass page-aligned pages. */
    for (; i + 8 <= len; i += 8) {
        uint64_t w;
        memcpy(&w, p + i, 8);
        acc |= w;
        if ((i & 511) == 504 && acc) {
            return false;
        }
    }
    for (; i < len; i++) {
        acc |= p[i];
    }
    return acc == 0;
}
