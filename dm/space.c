/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Address spaces. Regions may overlap; every change recomputes a flat,
 * sorted list of segments, each owned by the winning region, so a lookup
 * is one binary search. Unassigned bytes read as the space's filler.
 */
#include "dm/space.h"

#include <string.h>

typedef struct {
    uint64_t start;
    uint64_t last;            /* inclusive, so a segment may end at 2^64 */
    DmRegion *region;
} Segment;

struct DmSpace {
    char *name;
    uint8_t unassigned_byte;
    GPtrArray *regions;       /* mapped regions, borrowed */
    GArray *segments;         /* Segment, sorted by start */
    uint64_t next_seq;
    DmSpaceListenerFn *listener;
    void *listener_opaque;
};

DmSpace *dm_space_new(const char *name, uint8_t unassigned_byte)
{
    DmSpace *s = g_new0(DmSpace, 1);

    s->name = g_strdup(name);
    s->unassigned_byte = unassigned_byte;
    s->regions = g_ptr_array_new();
    s->segments = g_array_new(FALSE, FALSE, sizeof(Segment));
    return s;
}

void dm_space_free(DmSpace *s)
{
    if (!s) {
        return;
    }
    for (guint i = 0; i < s->regions->len; i++) {
        DmRegion *r = g_ptr_array_index(s->regions, i);
        r->space = NULL;
    }
    g_ptr_array_free(s->regions, TRUE);
    g_array_free(s->segments, TRUE);
    g_free(s->name);
    g_free(s);
}

const char *dm_space_name(const DmSpace *s)
{
    return s->name;
}

void dm_region_init_io(DmRegion *r, const char *name, uint64_t size,
                       const DmRegionOps *ops, void *opaque)
{
    memset(r, 0, sizeof(*r));
    r->name = name;
    r->size = size;
    r->ops = ops;
    r->opaque = opaque;
}

void dm_region_init_ram(DmRegion *r, const char *name, uint64_t size,
                        uint8_t *host, bool readonly)
{
    memset(r, 0, sizeof(*r));
    r->name = name;
    r->size = size;
    r->ram = host;
    r->readonly = readonly;
}

static bool region_beats(const DmRegion *a, const DmRegion *b)
{
    if (!b) {
        return true;
    }
    if (a->priority != b->priority) {
        return a->priority > b->priority;
    }
    return a->seq > b->seq;
}

static int cmp_u128(const void *pa, const void *pb)
{
    unsigned __int128 a = *(const unsigned __int128 *)pa;
    unsigned __int128 b = *(const unsigned __int128 *)pb;

    return a < b ? -1 : a > b;
}

/* Regions change rarely (BAR moves, PAM writes); a quadratic rebuild is fine. */
static void space_rebuild(DmSpace *s)
{
    guint n = s->regions->len;
    g_autofree unsigned __int128 *points = g_new(unsigned __int128, 2 * n + 1);
    guint npoints = 0;

    g_array_set_size(s->segments, 0);
    for (guint i = 0; i < n; i++) {
        DmRegion *r = g_ptr_array_index(s->regions, i);
        points[npoints++] = r->base;
        points[npoints++] = (unsigned __int128)r->base + r->size;
    }
    qsort(points, npoints, sizeof(points[0]), cmp_u128);

    for (guint p = 0; p + 1 < npoints; p++) {
        unsigned __int128 lo = points[p], hi = points[p + 1];
        DmRegion *best = NULL;

        if (lo == hi) {
            continue;
        }
        for (guint i = 0; i < n; i++) {
            DmRegion *r = g_ptr_array_index(s->regions, i);
            unsigned __int128 end = (unsigned __int128)r->base + r->size;
            if (r->base <= lo && hi <= end && region_beats(r, best)) {
                best = r;
            }
        }
        if (!best) {
            continue;
        }
        if (s->segments->len) {
            Segment *prev = &g_array_index(s->segments, Segment,
                                           s->segments->len - 1);
            if (prev->region == best &&
                (unsigned __int128)prev->last + 1 == lo) {
                prev->last = (uint64_t)(hi - 1);
                continue;
            }
        }
        Segment seg = {
            .start = (uint64_t)lo,
            .last = (uint64_t)(hi - 1),
            .region = best,
        };
        g_array_append_val(s->segments, seg);
    }
}

void dm_space_map(DmSpace *s, DmRegion *r, uint64_t base, int priority)
{
    g_assert(!r->space);
    g_assert(r->size > 0);
    g_assert((unsigned __int128)base + r->size <= (unsigned __int128)1 << 64);
    r->space = s;
    r->base = base;
    r->priority = priority;
    r->seq = ++s->next_seq;
    g_ptr_array_add(s->regions, r);
    space_rebuild(s);
    if (s->listener) {
        s->listener(s->listener_opaque, r, true);
    }
}

void dm_space_unmap(DmRegion *r)
{
    DmSpace *s = r->space;

    if (!s) {
        return;
    }
    g_ptr_array_remove(s->regions, r);
    r->space = NULL;
    space_rebuild(s);
    if (s->listener) {
        s->listener(s->listener_opaque, r, false);
    }
}

void dm_space_set_listener(DmSpace *s, DmSpaceListenerFn *fn, void *opaque)
{
    s->listener = fn;
    s->listener_opaque = opaque;
}

unsigned dm_space_segment_count(const DmSpace *s)
{
    return s->segments->len;
}

/* Index of the last segment starting at or below addr, or -1. */
static gint space_find(const DmSpace *s, uint64_t addr)
{
    gint lo = 0, hi = (gint)s->segments->len - 1, found = -1;

    while (lo <= hi) {
        gint mid = lo + (hi - lo) / 2;
        const Segment *seg = &g_array_index(s->segments, Segment, mid);
        if (seg->start <= addr) {
            found = mid;
            lo = mid + 1;
        } else {
            hi = mid - 1;
        }
    }
    return found;
}

DmRegion *dm_space_lookup(DmSpace *s, uint64_t addr, uint64_t *offset)
{
    gint i = space_find(s, addr);
    const Segment *seg;

    if (i < 0) {
        return NULL;
    }
    seg = &g_array_index(s->segments, Segment, i);
    if (addr > seg->last) {
        return NULL;
    }
    if (offset) {
        *offset = addr - seg->region->base;
    }
    return seg->region;
}

static uint64_t pow2floor(uint64_t v)
{
    return v ? UINT64_C(1) << (63 - __builtin_clzll(v)) : 0;
}

/* One access of a width the device takes, widened or split as QEMU does. */
static void io_access(DmRegion *r, uint64_t off, uint8_t *buf, unsigned len,
                      bool write)
{
    const DmRegionOps *ops = r->ops;
    unsigned min = ops->min_access ? ops->min_access : 1;
    unsigned max = ops->max_access ? ops->max_access : 4;
    unsigned width = MAX(MIN(len, max), min);

    for (unsigned i = 0; i < len; i += width) {
        unsigned n = MIN(width, len - i);
        if (write) {
            uint64_t v = 0;
            for (unsigned b = 0; b < n; b++) {
                v |= (uint64_t)buf[i + b] << (8 * b);
            }
            if (ops->write) {
                ops->write(r->opaque, off + i, v, width);
            }
        } else {
            uint64_t v = ops->read ? ops->read(r->opaque, off + i, width)
                                   : UINT64_MAX;
            for (unsigned b = 0; b < n; b++) {
                buf[i + b] = v >> (8 * b);
            }
        }
    }
}

/*
 * One step of an access that starts in r, as QEMU's flatview loop takes
 * it. Memory is copied up to the end of the flat segment. A device gets
 * the access at the first byte's region, as wide as its ops allow and
 * the offset's alignment permits, even past the region's end or where
 * another region overlays the rest: QEMU does not clamp I/O accesses
 * (0xcf8 and 0xcf9 overlap on PC chipsets), so "inw 0x92" reads port 92
 * twice. Returns the bytes handled.
 */
static uint64_t region_step(DmRegion *r, uint64_t off, uint8_t *buf,
                            uint64_t len, uint64_t seg_left, bool write)
{
    bool trap = r->ops && (write ? r->ops->write != NULL
                                 : r->ops->read != NULL);

    if (r->ram && !trap) {
        uint64_t n = MIN(len, seg_left);
        if (!write) {
            memcpy(buf, r->ram + off, n);
        } else if (!r->readonly) {
            memcpy(r->ram + off, buf, n);
        }
        return n;
    }
    if (!r->ops) {
        return MIN(len, seg_left);
    }
    uint64_t max = r->ops->valid_max ? r->ops->valid_max
                                     : MAX(4, r->ops->max_access);
    uint64_t l = MIN(len, max);
    if (!r->ops->unaligned) {
        uint64_t align = off & -off;
        if (align && align < l) {
            l = align;
        }
    }
    l = pow2floor(l);
    io_access(r, off, buf, (unsigned)l, write);
    return l;
}

static void space_access(DmSpace *s, uint64_t addr, uint8_t *buf,
                         uint64_t len, bool write)
{
    while (len) {
        gint i = space_find(s, addr);
        const Segment *seg = i >= 0 ?
            &g_array_index(s->segments, Segment, i) : NULL;
        uint64_t chunk = len;

        if (seg && addr <= seg->last) {
            DmRegion *r = seg->region;
            /* seg_left saturates at len: a segment may end at 2^64. */
            uint64_t seg_left = seg->last - addr < len - 1 ?
                                seg->last - addr + 1 : len;
            /* The handler may remap regions; seg is not used after this. */
            chunk = region_step(r, addr - r->base, buf, len, seg_left, write);
        } else {
            if ((guint)(i + 1) < s->segments->len) {
                const Segment *next =
                    &g_array_index(s->segments, Segment, i + 1);
                if (next->start - addr < chunk) {
                    chunk = next->start - addr;
                }
            }
            if (!write) {
                memset(buf, s->unassigned_byte, chunk);
            }
        }
        addr += chunk;
        buf += chunk;
        len -= chunk;
    }
}

uint64_t dm_space_read(DmSpace *s, uint64_t addr, unsigned size)
{
    uint8_t buf[8];
    uint64_t v = 0;

    g_assert(size >= 1 && size <= 8);
    space_access(s, addr, buf, size, false);
    for (unsigned b = 0; b < size; b++) {
        v |= (uint64_t)buf[b] << (8 * b);
    }
    return v;
}

void dm_space_write(DmSpace *s, uint64_t addr, uint64_t value, unsigned size)
{
    uint8_t buf[8];

    g_assert(size >= 1 && size <= 8);
    for (unsigned b = 0; b < size; b++) {
        buf[b] = value >> (8 * b);
    }
    space_access(s, addr, buf, size, true);
}

void dm_space_read_buf(DmSpace *s, uint64_t addr, void *buf, size_t len)
{
    space_access(s, addr, buf, len, false);
}

void dm_space_write_buf(DmSpace *s, uint64_t addr, const void *buf,
                        size_t len)
{
    /* Handlers only read from the buffer on writes. */
    space_access(s, addr, (uint8_t *)buf, len, true);
}
