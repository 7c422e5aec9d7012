/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Port-I/O and MMIO address spaces: prioritised regions, flat lookup. */
#ifndef DM_SPACE_H
#define DM_SPACE_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

typedef struct DmRegionOps {
    uint64_t (*read)(void *opaque, uint64_t offset, unsigned size);
    void (*write)(void *opaque, uint64_t offset, uint64_t value,
                  unsigned size);
    /* Access widths the handlers take; others are split or widened. */
    unsigned min_access;      /* 0 means 1 */
    unsigned max_access;      /* 0 means 4 */
    /*
     * Widest access taken as one before the rest is looked up again
     * (QEMU's valid size); 0 means 4, or max_access when that is wider.
     */
    unsigned valid_max;
    bool unaligned;           /* handlers accept accesses not size-aligned */
} DmRegionOps;

typedef struct DmSpace DmSpace;

/*
 * A region is owned by its device (embedded in the device state), so a
 * handler may unmap its own region while it runs.
 */
typedef struct DmRegion {
    const char *name;
    uint64_t size;
    const DmRegionOps *ops;
    void *opaque;
    uint8_t *ram;             /* non-NULL: plain memory, no handlers */
    bool readonly;            /* RAM regions only: writes are dropped */
    /* Set while mapped. */
    DmSpace *space;
    uint64_t base;
    int priority;
    uint64_t seq;
} DmRegion;

typedef void DmSpaceListenerFn(void *opaque, DmRegion *region, bool mapped);

DmSpace *dm_space_new(const char *name, uint8_t unassigned_byte);
void dm_space_free(DmSpace *space);
const char *dm_space_name(const DmSpace *space);

void dm_region_init_io(DmRegion *r, const char *name, uint64_t size,
                       const DmRegionOps *ops, void *opaque);
void dm_region_init_ram(DmRegion *r, const char *name, uint64_t size,
                        uint8_t *host, bool readonly);

/* Higher priority wins where regions overlap; on a tie the newer mapping. */
void dm_space_map(DmSpace *space, DmRegion *r, uint64_t base, int priority);
void dm_space_unmap(DmRegion *r);
static inline bool dm_region_mapped(const DmRegion *r)
{
    return r->space != NULL;
}

/* Told of every region mapped or unmapped (the Xen glue registers ranges). */
void dm_space_set_listener(DmSpace *space, DmSpaceListenerFn *fn,
                           void *opaque);

/* size 1, 2, 4 or 8; little-endian composition across regions. */
uint64_t dm_space_read(DmSpace *space, uint64_t addr, unsigned size);
void dm_space_write(DmSpace *space, uint64_t addr, uint64_t value,
                    unsigned size);
void dm_space_read_buf(DmSpace *space, uint64_t addr, void *buf, size_t len);
void dm_space_write_buf(DmSpace *space, uint64_t addr, const void *buf,
                        size_t len);

/* The region that answers at addr, or NULL; *offset gets the offset in it. */
DmRegion *dm_space_lookup(DmSpace *space, uint64_t addr, uint64_t *offset);
/* Number of flat segments, for tests. */
unsigned dm_space_segment_count(const DmSpace *space);

#endif
