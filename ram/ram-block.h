/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The RAM block registry: named guest memory that travels in the stream. */
#ifndef RAM_RAM_BLOCK_H
#define RAM_RAM_BLOCK_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#define RAM_PAGE_SIZE 4096u
#define RAM_PAGE_BITS 12

typedef enum {
    /* stubdm's own memory: saved and loaded in the RAM section. */
    RAM_BACKING_LOCAL,
    /*
     * Guest memory mapped through the toolstack glue under Xen: the
     * toolstack saves it in its own stream, so the RAM section leaves
     * it out and a stream naming it is refused.
     */
    RAM_BACKING_FOREIGN,
} RamBacking;

typedef struct RamBlock RamBlock;

/* Runs after used_length changed (old is the previous used_length). */
typedef void RamResizeFn(void *opaque, RamBlock *b, uint64_t old);

struct RamBlock {
    char *idstr;              /* "<device path>/<name>" or a board name */
    uint64_t used_length;     /* what is saved and loaded */
    uint64_t max_length;      /* host backing size; fixed at creation */
    bool resizeable;
    RamBacking backing;
    uint8_t *host;            /* max_length bytes */
    bool owns_host;           /* the registry unmaps host at teardown */
    /*
     * host is private anonymous memory ram/ mapped itself (ram_anon_map):
     * its pages may be dropped (they read back as zero) or replaced by
     * moving other such memory over them.
     */
    bool anon;
    uint64_t *dirty;          /* one bit per page of max_length */
    uint64_t dirty_pages;     /* bits set in dirty */
    uint64_t dirtied;         /* bits ever set: a dirty rate's count */
    RamResizeFn *resize;
    void *resize_opaque;
};

/* Owned by the DmMachine; owns its blocks (borrowed by their devices). */
typedef struct RamRegistry {
    GPtrArray *blocks;        /* RamBlock, QEMU's order: max_length desc */
} RamRegistry;

RamRegistry *ram_registry_new(void);
void ram_registry_free(RamRegistry *reg);

/*
 * A block backed by fresh zeroed local memory of max_length bytes.
 * idstr must be new; lengths are page multiples, used <= max.
 */
RamBlock *ram_block_new_local(RamRegistry *reg, const char *idstr,
                              uint64_t used, uint64_t max, bool resizeable,
                              GError **errp);
/* A block over memory someone else owns (the guest RAM, a Xen mapping). */
RamBlock *ram_block_new_borrowed(RamRegistry *reg, const char *idstr,
                                 uint8_t *host, uint64_t size,
                                 RamBacking backing, GError **errp);
void ram_block_set_resize_hook(RamBlock *b, RamResizeFn *fn, void *opaque);

RamBlock *ram_block_find(const RamRegistry *reg, const char *idstr);
/* Travels in the RAM section (not foreign). */
bool ram_block_migratable(const RamBlock *b);

/*
 * Sets used_length (a resizeable block, up to max_length), marks the new
 * range dirty and runs the owner's hook. Errors name block and sizes.
 */
gboolean ram_block_resize(RamBlock *b, uint64_t used, GError **errp);

/* Dirty log: writes the guest made that a live save has not sent yet. */
void ram_block_mark_dirty(RamBlock *b, uint64_t offset, uint64_t len);
void ram_block_mark_all_dirty(RamBlock *b);
bool ram_block_test_and_clear_dirty(RamBlock *b, uint64_t page);
/* Marks the block holding host[0, len) if any (a write that bypassed it). */
void ram_registry_mark_host(RamRegistry *reg, const uint8_t *host,
                            uint64_t len);

/* The first dirty page at or after page, or the page count if none. */
uint64_t ram_block_next_dirty(const RamBlock *b, uint64_t page);

/*
 * Of the 64 pages from page (a multiple of 64) of an anon block, those
 * never written (bit i: page + i), which read as zero. 0 when that cannot
 * be told (not anon, no /proc/self/pagemap): the caller reads them.
 */
uint64_t ram_block_untouched64(const RamBlock *b, uint64_t page);

/* Whether len bytes at p are all zero (page-sized checks on load/save). */
bool ram_is_zero(const uint8_t *p, size_t len);

/*
 * Private anonymous memory, reserved not committed; ram/ remembers it so
 * a block over it (borrowed or not) is marked anon. NULL with errp set.
 */
uint8_t *ram_anon_map(uint64_t len, GError **errp);
void ram_anon_unmap(uint8_t *p, uint64_t len);
/* Maps of 2 MiB and more start on a 2 MiB boundary. */
#define RAM_ANON_HUGE (UINT64_C(2) << 20)
/* [p, p + len) of such a map will be filled densely: use huge pages. */
void ram_anon_hint_dense(uint8_t *p, uint64_t len);

/*
 * A helper thread committing memory ahead of a sequential writer, so the
 * kernel's zeroing of fresh pages runs beside the copying. Queued ranges
 * must stay mapped until ram_prefault_free, which waits for the thread.
 */
typedef struct RamPrefault RamPrefault;
RamPrefault *ram_prefault_new(void);
void ram_prefault_queue(RamPrefault *pf, uint8_t *p, uint64_t len);
void ram_prefault_free(RamPrefault *pf);

/* host[off, off + len) becomes zero; an anon block just drops the pages. */
void ram_block_zero_range(RamBlock *b, uint64_t off, uint64_t len);
/*
 * host[off, off + len) takes the bytes at src, page-aligned memory from
 * ram_anon_map. Large ranges of an anon block are moved, not copied:
 * then src[0, len) is gone (unmapped) and true is returned.
 */
bool ram_block_take_range(RamBlock *b, uint64_t off, uint8_t *src,
                          uint64_t len);

#endif
