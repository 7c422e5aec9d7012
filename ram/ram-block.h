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
    uint64_t *dirty;          /* one bit per page of max_length */
    uint64_t dirty_pages;     /* bits set in dirty */
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

/* Whether len bytes at p are all zero (page-sized checks on load/save). */
bool ram_is_zero(const uint8_t *p, size_t len);

#endif
