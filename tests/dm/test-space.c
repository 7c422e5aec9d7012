/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Address spaces: filler bytes, overlaps, access splitting (dm/space.h). */
#include "test-dm.h"

#include "dm/space.h"

#include <string.h>

#define DEV_SIZE 64

typedef struct {
    char op;                  /* 'r' or 'w' */
    uint64_t offset;
    uint64_t value;
    unsigned size;
} Access;

/* A device whose registers are plain bytes, logging every handler call. */
typedef struct {
    DmRegion region;
    uint8_t regs[DEV_SIZE];
    GArray *log;              /* Access */
    bool unmap_on_access;
} TestDev;

static uint64_t dev_read(void *opaque, uint64_t offset, unsigned size)
{
    TestDev *d = opaque;
    Access a = { 'r', offset, 0, size };
    uint64_t v = 0;

    g_assert_cmpuint(offset + size, <=, DEV_SIZE);
    for (unsigned i = 0; i < size; i++) {
        v |= (uint64_t)d->regs[offset + i] << (8 * i);
    }
    a.value = v;
    g_array_append_val(d->log, a);
    if (d->unmap_on_access) {
        dm_space_unmap(&d->region);
    }
    return v;
}

static void dev_write(void *opaque, uint64_t offset, uint64_t value,
                      unsigned size)
{
    TestDev *d = opaque;
    Access a = { 'w', offset, value, size };

    g_assert_cmpuint(offset + size, <=, DEV_SIZE);
    for (unsigned i = 0; i < size; i++) {
        d->regs[offset + i] = value >> (8 * i);
    }
    g_array_append_val(d->log, a);
    if (d->unmap_on_access) {
        dm_space_unmap(&d->region);
    }
}

static const DmRegionOps dev_ops = {
    .read = dev_read,
    .write = dev_write,
    .max_access = 8,
};

static const DmRegionOps dev_ops_byte = {
    .read = dev_read,
    .write = dev_write,
    .max_access = 1,
};

static const DmRegionOps dev_ops_dword = {
    .read = dev_read,
    .write = dev_write,
    .min_access = 4,
    .max_access = 4,
};

static const DmRegionOps dev_ops_unaligned = {
    .read = dev_read,
    .write = dev_write,
    .max_access = 4,
    .unaligned = true,
};

static const DmRegionOps dev_ops_default = {
    .read = dev_read,
    .write = dev_write,
};

/* Flash in read-array mode: reads come from memory, writes are commands. */
static const DmRegionOps dev_ops_romd = {
    .write = dev_write,
};

/* Register i holds fill + i, so every byte says where it came from. */
static void dev_init(TestDev *d, const char *name, const DmRegionOps *ops,
                     uint8_t fill)
{
    memset(d, 0, sizeof(*d));
    for (unsigned i = 0; i < DEV_SIZE; i++) {
        d->regs[i] = fill + i;
    }
    d->log = g_array_new(FALSE, FALSE, sizeof(Access));
    dm_region_init_io(&d->region, name, DEV_SIZE, ops, d);
}

static void dev_destroy(TestDev *d)
{
    dm_space_unmap(&d->region);
    g_array_free(d->log, TRUE);
}

static Access *dev_access(TestDev *d, guint i)
{
    g_assert_cmpuint(i, <, d->log->len);
    return &g_array_index(d->log, Access, i);
}

static void assert_access(TestDev *d, guint i, char op, uint64_t offset,
                          unsigned size)
{
    Access *a = dev_access(d, i);

    g_assert_cmpint(a->op, ==, op);
    g_assert_cmpuint(a->offset, ==, offset);
    g_assert_cmpuint(a->size, ==, size);
}

static void test_unassigned(void)
{
    DmSpace *io = dm_space_new("io", 0xff);
    DmSpace *mem = dm_space_new("memory", 0x00);
    uint8_t buf[16];

    /* Port reads float high; memory holes read zero (QEMU 7.2, measured). */
    g_assert_cmphex(dm_space_read(io, 0x80, 1), ==, 0xff);
    g_assert_cmphex(dm_space_read(io, 0x80, 2), ==, 0xffff);
    g_assert_cmphex(dm_space_read(io, 0x80, 4), ==, 0xffffffff);
    g_assert_cmphex(dm_space_read(io, 0x80, 8), ==, UINT64_MAX);
    for (unsigned size = 1; size <= 8; size *= 2) {
        g_assert_cmphex(dm_space_read(mem, 0x1000, size), ==, 0);
    }
    dm_space_write(io, 0x80, 0x12, 1);
    dm_space_write(mem, 0x1000, 0x1234567890abcdefULL, 8);
    g_assert_cmphex(dm_space_read(io, 0x80, 1), ==, 0xff);
    g_assert_cmphex(dm_space_read(mem, 0x1000, 8), ==, 0);
    dm_space_read_buf(io, UINT64_MAX - 7, buf, 8);
    for (unsigned i = 0; i < 8; i++) {
        g_assert_cmphex(buf[i], ==, 0xff);
    }
    g_assert_null(dm_space_lookup(io, 0x80, NULL));
    g_assert_cmpuint(dm_space_segment_count(io), ==, 0);
    g_assert_cmpstr(dm_space_name(io), ==, "io");
    dm_space_free(io);
    dm_space_free(mem);
}

static void test_offset_relative(void)
{
    DmSpace *s = dm_space_new("io", 0xff);
    TestDev d;
    uint64_t off = 0;

    dev_init(&d, "dev", &dev_ops, 0x40);
    dm_space_map(s, &d.region, 0x1000, 0);
    g_assert_true(dm_region_mapped(&d.region));
    g_assert_cmphex(dm_space_read(s, 0x1010, 1), ==, 0x50);
    assert_access(&d, 0, 'r', 0x10, 1);
    dm_space_write(s, 0x1020, 0xbeef, 2);
    assert_access(&d, 1, 'w', 0x20, 2);
    g_assert_cmphex(dev_access(&d, 1)->value, ==, 0xbeef);
    g_assert_true(dm_space_lookup(s, 0x103f, &off) == &d.region);
    g_assert_cmphex(off, ==, 0x3f);
    g_assert_null(dm_space_lookup(s, 0x1040, NULL));
    g_assert_null(dm_space_lookup(s, 0xfff, NULL));
    dev_destroy(&d);
    dm_space_free(s);
}

static void test_overlap_priority(void)
{
    DmSpace *s = dm_space_new("memory", 0);
    TestDev low, high, tie;

    dev_init(&low, "low", &dev_ops, 0x00);
    dev_init(&high, "high", &dev_ops, 0x80);
    dev_init(&tie, "tie", &dev_ops, 0xc0);
    /* The higher priority wins even though it was mapped first. */
    dm_space_map(s, &high.region, 0x10, 1);
    dm_space_map(s, &low.region, 0x00, 0);
    g_assert_true(dm_space_lookup(s, 0x0f, NULL) == &low.region);
    g_assert_true(dm_space_lookup(s, 0x10, NULL) == &high.region);
    g_assert_cmphex(dm_space_read(s, 0x10, 1), ==, 0x80);
    g_assert_cmphex(dm_space_read(s, 0x0f, 1), ==, 0x0f);
    /* Same priority as low: the newer mapping covers it. */
    dm_space_map(s, &tie.region, 0x08, 0);
    g_assert_true(dm_space_lookup(s, 0x08, NULL) == &tie.region);
    g_assert_true(dm_space_lookup(s, 0x07, NULL) == &low.region);
    g_assert_true(dm_space_lookup(s, 0x10, NULL) == &high.region);
    g_assert_cmphex(dm_space_read(s, 0x08, 1), ==, 0xc0);
    /* Remapping low makes it the newest of the tied pair. */
    dm_space_unmap(&low.region);
    dm_space_map(s, &low.region, 0x00, 0);
    g_assert_true(dm_space_lookup(s, 0x08, NULL) == &low.region);
    g_assert_true(dm_space_lookup(s, 0x4f, NULL) == &high.region);
    g_assert_null(dm_space_lookup(s, 0x50, NULL));
    dev_destroy(&low);
    dev_destroy(&high);
    dev_destroy(&tie);
    dm_space_free(s);
}

static void test_unmap_reveals(void)
{
    DmSpace *s = dm_space_new("memory", 0);
    TestDev under, over;

    dev_init(&under, "under", &dev_ops, 0x00);
    dev_init(&over, "over", &dev_ops, 0x80);
    dm_space_map(s, &under.region, 0x100, 0);
    dm_space_map(s, &over.region, 0x100, 5);
    g_assert_cmphex(dm_space_read(s, 0x104, 4), ==, 0x87868584);
    dm_space_unmap(&over.region);
    g_assert_false(dm_region_mapped(&over.region));
    g_assert_cmphex(dm_space_read(s, 0x104, 4), ==, 0x07060504);
    /* Unmapping twice is harmless. */
    dm_space_unmap(&over.region);
    dm_space_unmap(&under.region);
    g_assert_cmphex(dm_space_read(s, 0x104, 4), ==, 0);
    g_assert_cmpuint(dm_space_segment_count(s), ==, 0);
    dev_destroy(&under);
    dev_destroy(&over);
    dm_space_free(s);
}

static void test_segment_count(void)
{
    DmSpace *s = dm_space_new("memory", 0);
    TestDev a, b, hidden, hole;

    dev_init(&a, "a", &dev_ops, 0);
    dev_init(&b, "b", &dev_ops, 0);
    dev_init(&hidden, "hidden", &dev_ops, 0);
    dev_init(&hole, "hole", &dev_ops, 0);
    dm_space_map(s, &a.region, 0, 1);
    g_assert_cmpuint(dm_space_segment_count(s), ==, 1);
    /* Touching but distinct regions stay two segments. */
    dm_space_map(s, &b.region, DEV_SIZE, 1);
    g_assert_cmpuint(dm_space_segment_count(s), ==, 2);
    /* A region hidden under a cuts a's range into pieces that must merge. */
    dm_space_map(s, &hidden.region, 16, 0);
    g_assert_cmpuint(dm_space_segment_count(s), ==, 2);
    /* A small region on top of a's middle splits a into two segments. */
    hole.region.size = 8;
    dm_space_map(s, &hole.region, 8, 2);
    g_assert_cmpuint(dm_space_segment_count(s), ==, 4);
    g_assert_true(dm_space_lookup(s, 7, NULL) == &a.region);
    g_assert_true(dm_space_lookup(s, 15, NULL) == &hole.region);
    g_assert_true(dm_space_lookup(s, 16, NULL) == &a.region);
    g_assert_true(dm_space_lookup(s, DEV_SIZE, NULL) == &b.region);
    dm_space_unmap(&hole.region);
    g_assert_cmpuint(dm_space_segment_count(s), ==, 2);
    dev_destroy(&a);
    dev_destroy(&b);
    dev_destroy(&hidden);
    dev_destroy(&hole);
    dm_space_free(s);
}

static void test_compose_little_endian(void)
{
    DmSpace *s = dm_space_new("io", 0xff);
    TestDev a, b;
    uint8_t buf[8] = { 0 };
    static const uint8_t wr[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };

    dev_init(&a, "a", &dev_ops, 0x10);
    dev_init(&b, "b", &dev_ops, 0x20);
    /* a ends at 0x40, two unassigned bytes, then b from 0x42. */
    dm_space_map(s, &a.region, 0x40 - DEV_SIZE, 0);
    dm_space_map(s, &b.region, 0x42, 0);
    g_assert_cmphex(dm_space_read(s, 0x3d, 8), ==, 0x222120ffff4f4e4dULL);
    dm_space_read_buf(s, 0x3e, buf, 6);
    g_assert_cmpmem(buf, 6, ((uint8_t[]){ 0x4e, 0x4f, 0xff, 0xff, 0x20, 0x21 }),
                    6);
    g_array_set_size(a.log, 0);
    g_array_set_size(b.log, 0);
    dm_space_write_buf(s, 0x3e, wr, 8);
    g_assert_cmpuint(a.log->len, ==, 1);
    assert_access(&a, 0, 'w', DEV_SIZE - 2, 2);
    g_assert_cmphex(dev_access(&a, 0)->value, ==, 0x0201);
    g_assert_cmpuint(b.log->len, ==, 1);
    assert_access(&b, 0, 'w', 0, 4);
    g_assert_cmphex(dev_access(&b, 0)->value, ==, 0x08070605);
    dev_destroy(&a);
    dev_destroy(&b);
    dm_space_free(s);
}

static void test_max_access_split(void)
{
    DmSpace *s = dm_space_new("io", 0xff);
    TestDev d;

    dev_init(&d, "byte", &dev_ops_byte, 0x30);
    dm_space_map(s, &d.region, 0x60, 0);
    g_assert_cmphex(dm_space_read(s, 0x64, 4), ==, 0x37363534);
    g_assert_cmpuint(d.log->len, ==, 4);
    for (unsigned i = 0; i < 4; i++) {
        assert_access(&d, i, 'r', 4 + i, 1);
    }
    dm_space_write(s, 0x68, 0xddccbbaa, 4);
    g_assert_cmpuint(d.log->len, ==, 8);
    for (unsigned i = 0; i < 4; i++) {
        assert_access(&d, 4 + i, 'w', 8 + i, 1);
        g_assert_cmphex(dev_access(&d, 4 + i)->value, ==, 0xaa + 0x11 * i);
    }
    dev_destroy(&d);
    dm_space_free(s);
}

static void test_min_access_widen(void)
{
    DmSpace *s = dm_space_new("memory", 0);
    TestDev d;

    dev_init(&d, "dword", &dev_ops_dword, 0x30);
    dm_space_map(s, &d.region, 0x1000, 0);
    /* The device sees a dword; the caller gets the low byte. */
    g_assert_cmphex(dm_space_read(s, 0x1004, 1), ==, 0x34);
    g_assert_cmpuint(d.log->len, ==, 1);
    assert_access(&d, 0, 'r', 4, 4);
    dm_space_write(s, 0x1008, 0x5a, 1);
    g_assert_cmpuint(d.log->len, ==, 2);
    assert_access(&d, 1, 'w', 8, 4);
    g_assert_cmphex(dev_access(&d, 1)->value, ==, 0x5a);
    /* An 8-byte access is two dwords. */
    g_assert_cmphex(dm_space_read(s, 0x1010, 8), ==, 0x4746454443424140ULL);
    g_assert_cmpuint(d.log->len, ==, 4);
    assert_access(&d, 2, 'r', 0x10, 4);
    assert_access(&d, 3, 'r', 0x14, 4);
    dev_destroy(&d);
    dm_space_free(s);
}

static void test_unaligned_split(void)
{
    DmSpace *s = dm_space_new("io", 0xff);
    TestDev d, u;

    dev_init(&d, "aligned", &dev_ops_default, 0x00);
    dev_init(&u, "unaligned", &dev_ops_unaligned, 0x40);
    dm_space_map(s, &d.region, 0x100, 0);
    dm_space_map(s, &u.region, 0x200, 0);
    /* Offset 1, 4 bytes: 1 at 1, 2 at 2, 1 at 4 (QEMU's memory_access_size). */
    g_assert_cmphex(dm_space_read(s, 0x101, 4), ==, 0x04030201);
    g_assert_cmpuint(d.log->len, ==, 3);
    assert_access(&d, 0, 'r', 1, 1);
    assert_access(&d, 1, 'r', 2, 2);
    assert_access(&d, 2, 'r', 4, 1);
    /* 8 bytes at an aligned offset: two dwords (default max is 4). */
    g_assert_cmphex(dm_space_read(s, 0x108, 8), ==, 0x0f0e0d0c0b0a0908ULL);
    assert_access(&d, 3, 'r', 8, 4);
    assert_access(&d, 4, 'r', 12, 4);
    g_assert_cmphex(dm_space_read(s, 0x203, 4), ==, 0x46454443);
    g_assert_cmpuint(u.log->len, ==, 1);
    assert_access(&u, 0, 'r', 3, 4);
    dm_space_write(s, 0x203, 0x11223344, 4);
    assert_access(&u, 1, 'w', 3, 4);
    dev_destroy(&d);
    dev_destroy(&u);
    dm_space_free(s);
}

static void test_ram(void)
{
    DmSpace *s = dm_space_new("memory", 0);
    uint8_t host[32] = { 0 }, rom[16];
    DmRegion ram, ro;
    uint8_t buf[4];

    for (unsigned i = 0; i < sizeof(rom); i++) {
        rom[i] = 0xa0 + i;
    }
    dm_region_init_ram(&ram, "ram", sizeof(host), host, false);
    dm_region_init_ram(&ro, "rom", sizeof(rom), rom, true);
    dm_space_map(s, &ram, 0x10000, 0);
    dm_space_map(s, &ro, 0x20000, 0);
    dm_space_write(s, 0x10003, 0x0807060504030201ULL, 8);
    g_assert_cmpmem(host + 3, 8, ((uint8_t[]){ 1, 2, 3, 4, 5, 6, 7, 8 }), 8);
    g_assert_cmphex(dm_space_read(s, 0x10005, 2), ==, 0x0403);
    dm_space_write(s, 0x20000, 0xffffffff, 4);
    g_assert_cmphex(rom[0], ==, 0xa0);
    g_assert_cmphex(dm_space_read(s, 0x20000, 4), ==, 0xa3a2a1a0);
    /* RAM up to its last byte, then the filler. */
    dm_space_read_buf(s, 0x2000e, buf, 4);
    g_assert_cmpmem(buf, 4, ((uint8_t[]){ 0xae, 0xaf, 0, 0 }), 4);
    dm_space_unmap(&ram);
    dm_space_unmap(&ro);
    dm_space_free(s);
}

static void test_romd(void)
{
    DmSpace *s = dm_space_new("memory", 0);
    uint8_t flash[DEV_SIZE];
    TestDev d;

    memset(flash, 0x5a, sizeof(flash));
    dev_init(&d, "flash", &dev_ops_romd, 0);
    d.region.ram = flash;
    dm_space_map(s, &d.region, 0xfffc0000, 0);
    g_assert_cmphex(dm_space_read(s, 0xfffc0010, 4), ==, 0x5a5a5a5a);
    g_assert_cmpuint(d.log->len, ==, 0);
    dm_space_write(s, 0xfffc0010, 0x98, 1);
    g_assert_cmpuint(d.log->len, ==, 1);
    assert_access(&d, 0, 'w', 0x10, 1);
    g_assert_cmphex(dev_access(&d, 0)->value, ==, 0x98);
    g_assert_cmphex(flash[0x10], ==, 0x5a);
    dev_destroy(&d);
    dm_space_free(s);
}

static void test_self_unmap(void)
{
    DmSpace *s = dm_space_new("memory", 0);
    TestDev under, d;
    uint8_t buf[DEV_SIZE + 8];

    memset(buf, 0x3c, sizeof(buf));
    dev_init(&under, "under", &dev_ops, 0x00);
    dev_init(&d, "leaves", &dev_ops_byte, 0x80);
    d.unmap_on_access = true;
    dm_space_map(s, &under.region, 0x0, 0);
    dm_space_map(s, &d.region, 0x0, 1);
    /* The first byte goes to d, which leaves; the access must not crash. */
    (void)dm_space_read(s, 0x4, 4);
    g_assert_false(dm_region_mapped(&d.region));
    g_assert_cmpuint(d.log->len, >=, 1);
    assert_access(&d, 0, 'r', 4, 1);
    g_assert_cmphex(dm_space_read(s, 0x4, 4), ==, 0x07060504);
    /* Same from a write spanning d's end and the hole after it. */
    dm_space_map(s, &d.region, 0x100, 1);
    dm_space_write_buf(s, 0x100, buf, sizeof(buf));
    g_assert_false(dm_region_mapped(&d.region));
    g_assert_cmpuint(dm_space_segment_count(s), ==, 1);
    dev_destroy(&under);
    dev_destroy(&d);
    dm_space_free(s);
}

static void test_top_of_range(void)
{
    DmSpace *s = dm_space_new("memory", 0);
    TestDev d;
    uint64_t base = UINT64_MAX - DEV_SIZE + 1, off = 0;

    dev_init(&d, "top", &dev_ops, 0x10);
    dm_space_map(s, &d.region, base, 0);
    g_assert_cmpuint(dm_space_segment_count(s), ==, 1);
    g_assert_true(dm_space_lookup(s, UINT64_MAX, &off) == &d.region);
    g_assert_cmphex(off, ==, DEV_SIZE - 1);
    g_assert_null(dm_space_lookup(s, base - 1, NULL));
    g_assert_cmphex(dm_space_read(s, UINT64_MAX - 7, 8), ==,
                    0x4f4e4d4c4b4a4948ULL);
    dm_space_write(s, UINT64_MAX, 0x77, 1);
    g_assert_cmphex(d.regs[DEV_SIZE - 1], ==, 0x77);
    g_assert_cmphex(dm_space_read(s, base - 4, 8), ==, 0x1312111000000000ULL);
    dev_destroy(&d);
    dm_space_free(s);
}

typedef struct {
    DmRegion *region;
    bool mapped;
} ListenerEvent;

static void record_event(void *opaque, DmRegion *region, bool mapped)
{
    GArray *events = opaque;
    ListenerEvent e = { region, mapped };

    /* The listener runs after the change, so lookups agree with it. */
    g_assert_cmpint(dm_region_mapped(region), ==, mapped);
    g_array_append_val(events, e);
}

static void test_listener(void)
{
    DmSpace *s = dm_space_new("memory", 0);
    GArray *events = g_array_new(FALSE, FALSE, sizeof(ListenerEvent));
    TestDev a, b;

    dev_init(&a, "a", &dev_ops, 0);
    dev_init(&b, "b", &dev_ops, 0);
    dm_space_set_listener(s, record_event, events);
    dm_space_map(s, &a.region, 0x1000, 0);
    dm_space_map(s, &b.region, 0x2000, 3);
    dm_space_unmap(&a.region);
    dm_space_unmap(&a.region);
    g_assert_cmpuint(events->len, ==, 3);
    g_assert_true(g_array_index(events, ListenerEvent, 0).region == &a.region);
    g_assert_true(g_array_index(events, ListenerEvent, 0).mapped);
    g_assert_true(g_array_index(events, ListenerEvent, 1).region == &b.region);
    g_assert_true(g_array_index(events, ListenerEvent, 1).mapped);
    g_assert_true(g_array_index(events, ListenerEvent, 2).region == &a.region);
    g_assert_false(g_array_index(events, ListenerEvent, 2).mapped);
    g_assert_cmphex(b.region.base, ==, 0x2000);
    g_assert_cmpint(b.region.priority, ==, 3);
    dm_space_set_listener(s, NULL, NULL);
    dev_destroy(&a);
    dev_destroy(&b);
    dm_space_free(s);
    g_array_free(events, TRUE);
}

/*
 * QEMU does not clamp device accesses to the flat view (memory.c's
 * address_space_translate_internal clamps only RAM): the region at the
 * first byte takes the access as wide as it accepts, even where an
 * overlay covers the rest or past its own end. So a dword to 0xcf8
 * reaches the config latch whole despite PIIX3's 0xcf9, and "inw 0x92"
 * reads the one-byte port 92 twice.
 */
static void test_first_byte_owns(void)
{
    DmSpace *s = dm_space_new("io", 0xff);
    TestDev latch, rcr, p92;

    dev_init(&latch, "pci-conf-idx", &dev_ops, 0x00);
    dev_init(&rcr, "piix3-rcr", &dev_ops, 0x80);
    dev_init(&p92, "port92", &dev_ops_byte, 0x20);
    latch.region.size = 4;
    rcr.region.size = 1;
    p92.region.size = 1;
    dm_space_map(s, &latch.region, 0xcf8, 0);
    dm_space_map(s, &rcr.region, 0xcf9, 1);
    dm_space_map(s, &p92.region, 0x92, 0);
    g_assert_cmpuint(dm_space_segment_count(s), ==, 4);
    dm_space_write(s, 0xcf8, 0x80000000, 4);
    g_assert_cmpuint(latch.log->len, ==, 1);
    assert_access(&latch, 0, 'w', 0, 4);
    g_assert_cmphex(dev_access(&latch, 0)->value, ==, 0x80000000);
    g_assert_cmpuint(rcr.log->len, ==, 0);
    dm_space_write(s, 0xcf9, 0x06, 1);
    g_assert_cmpuint(rcr.log->len, ==, 1);
    assert_access(&rcr, 0, 'w', 0, 1);
    /* A word at 0xcf9 is the overlay's alone, its second byte included. */
    g_assert_cmphex(dm_space_read(s, 0xcf9, 2), ==, 0x8106);
    assert_access(&rcr, 1, 'r', 0, 2);
    g_assert_cmpuint(latch.log->len, ==, 1);
    /* Byte-wide port 92 sees a word as two reads, offsets 0 and 1. */
    g_assert_cmphex(dm_space_read(s, 0x92, 2), ==, 0x2120);
    g_assert_cmpuint(p92.log->len, ==, 2);
    assert_access(&p92, 0, 'r', 0, 1);
    assert_access(&p92, 1, 'r', 1, 1);
    dev_destroy(&latch);
    dev_destroy(&rcr);
    dev_destroy(&p92);
    dm_space_free(s);
}

/*
 * Many random overlapping regions against a naive model of QEMU's
 * flatview loop: the region at an address is the mapped one with the
 * highest (priority, sequence); a device takes as many bytes as it
 * accepts (valid_max, else at least 4; aligned unless .unaligned), RAM up
 * to where another region wins; holes give the filler.
 */
#define MODEL_REGIONS 500
#define MODEL_WINDOW 0x8000
#define MODEL_ITERATIONS 4000
#define MODEL_FILLER 0xee

#define MODEL_MAX_SIZE 0x200

typedef struct {
    DmRegion region;
    unsigned id;
    uint8_t ram[MODEL_MAX_SIZE];
} ModelRegion;

static uint8_t model_byte(unsigned id, uint64_t offset)
{
    return (uint8_t)(id * 131 + offset * 7 + (offset >> 8));
}

/* Pure in (region, offset), so every split gives the same bytes. */
static uint64_t model_read(void *opaque, uint64_t offset, unsigned size)
{
    ModelRegion *r = opaque;
    uint64_t v = 0;

    for (unsigned i = 0; i < size; i++) {
        v |= (uint64_t)model_byte(r->id, offset + i) << (8 * i);
    }
    return v;
}

static const DmRegionOps model_ops[] = {
    { .read = model_read, .max_access = 8, .unaligned = true },
    { .read = model_read, .max_access = 8 },
    { .read = model_read, .max_access = 1 },
    { .read = model_read, .min_access = 4, .max_access = 4 },
    { .read = model_read, .max_access = 1, .valid_max = 1 },
    { .read = model_read, .max_access = 2, .valid_max = 8 },
};

static ModelRegion *model_winner(ModelRegion *regs, unsigned n, uint64_t addr)
{
    ModelRegion *best = NULL;

    for (unsigned i = 0; i < n; i++) {
        DmRegion *r = &regs[i].region;
        if (!dm_region_mapped(r) || addr < r->base ||
            addr - r->base >= r->size) {
            continue;
        }
        if (!best || r->priority > best->region.priority ||
            (r->priority == best->region.priority &&
             r->seq > best->region.seq)) {
            best = &regs[i];
        }
    }
    return best;
}

/* How many bytes a device region takes of len at offset off. */
static unsigned model_width(const DmRegionOps *ops, uint64_t off,
                            unsigned len)
{
    unsigned l = MIN(len, ops->valid_max ? ops->valid_max
                                         : MAX(4u, ops->max_access));

    if (!ops->unaligned && off && (off & -off) < l) {
        l = (unsigned)(off & -off);
    }
    while (l & (l - 1)) {
        l &= l - 1;
    }
    return l;
}

static uint64_t model_expect(ModelRegion *regs, uint64_t addr,
                             unsigned size)
{
    uint64_t v = 0;
    unsigned b = 0;

    while (b < size) {
        ModelRegion *w = model_winner(regs, MODEL_REGIONS, addr + b);
        uint64_t off;
        unsigned n;

        if (!w) {
            v |= (uint64_t)MODEL_FILLER << (8 * b++);
            continue;
        }
        off = addr + b - w->region.base;
        if (w->region.ram) {
            n = 1;
            while (b + n < size &&
                   model_winner(regs, MODEL_REGIONS, addr + b + n) == w) {
                n++;
            }
        } else {
            n = model_width(w->region.ops, off, size - b);
        }
        for (unsigned i = 0; i < n; i++, b++) {
            v |= (uint64_t)model_byte(w->id, off + i) << (8 * b);
        }
    }
    return v;
}

static void model_map(DmSpace *s, GRand *rand, ModelRegion *r)
{
    uint64_t size = g_rand_int_range(rand, 1, MODEL_MAX_SIZE);
    uint64_t base = g_rand_int_range(rand, 0, MODEL_WINDOW - size);
    unsigned kind = g_rand_int_range(rand, 0, G_N_ELEMENTS(model_ops) + 1);

    if (kind == G_N_ELEMENTS(model_ops)) {
        for (unsigned i = 0; i < MODEL_MAX_SIZE; i++) {
            r->ram[i] = model_byte(r->id, i);
        }
        dm_region_init_ram(&r->region, "model-ram", size, r->ram, false);
    } else {
        dm_region_init_io(&r->region, "model", size, &model_ops[kind], r);
    }
    dm_space_map(s, &r->region, base, g_rand_int_range(rand, 0, 4));
}

static void test_random_model(void)
{
    DmSpace *s = dm_space_new("memory", MODEL_FILLER);
    GRand *rand = g_rand_new_with_seed(0x5eed);
    ModelRegion *regs = g_new0(ModelRegion, MODEL_REGIONS);

    /*
     * Every map rebuilds the flat view in O(n^2), so 500 regions keep
     * the test quick; the lookup being checked is the same at any count.
     */
    for (unsigned i = 0; i < MODEL_REGIONS; i++) {
        regs[i].id = i;
        model_map(s, rand, &regs[i]);
    }
    for (unsigned it = 0; it < MODEL_ITERATIONS; it++) {
        uint64_t addr = g_rand_int_range(rand, 0, MODEL_WINDOW + 0x100);
        unsigned size = 1u << g_rand_int_range(rand, 0, 4);
        uint64_t off = UINT64_MAX;
        ModelRegion *w = model_winner(regs, MODEL_REGIONS, addr);
        DmRegion *got = dm_space_lookup(s, addr, &off);

        g_assert_true(got == (w ? &w->region : NULL));
        if (w) {
            g_assert_cmphex(off, ==, addr - w->region.base);
        }
        g_assert_cmphex(dm_space_read(s, addr, size), ==,
                        model_expect(regs, addr, size));
        /* Now and then move a region, so unmap and remap are checked too. */
        if (it % 64 == 0) {
            ModelRegion *r = &regs[g_rand_int_range(rand, 0, MODEL_REGIONS)];
            dm_space_unmap(&r->region);
            if (g_rand_boolean(rand)) {
                model_map(s, rand, r);
            }
        }
    }
    for (unsigned i = 0; i < MODEL_REGIONS; i++) {
        dm_space_unmap(&regs[i].region);
    }
    g_assert_cmpuint(dm_space_segment_count(s), ==, 0);
    g_free(regs);
    g_rand_free(rand);
    dm_space_free(s);
}

void test_space_register(void)
{
    g_test_add_func("/dm/space/unassigned", test_unassigned);
    g_test_add_func("/dm/space/offset-relative", test_offset_relative);
    g_test_add_func("/dm/space/overlap-priority", test_overlap_priority);
    g_test_add_func("/dm/space/unmap-reveals", test_unmap_reveals);
    g_test_add_func("/dm/space/segment-count", test_segment_count);
    g_test_add_func("/dm/space/compose-little-endian",
                    test_compose_little_endian);
    g_test_add_func("/dm/space/max-access-split", test_max_access_split);
    g_test_add_func("/dm/space/min-access-widen", test_min_access_widen);
    g_test_add_func("/dm/space/unaligned-split", test_unaligned_split);
    g_test_add_func("/dm/space/ram", test_ram);
    g_test_add_func("/dm/space/romd", test_romd);
    g_test_add_func("/dm/space/self-unmap", test_self_unmap);
    g_test_add_func("/dm/space/top-of-range", test_top_of_range);
    g_test_add_func("/dm/space/listener", test_listener);
    g_test_add_func("/dm/space/first-byte-owns", test_first_byte_owns);
    g_test_add_func("/dm/space/random-model", test_random_model);
}
