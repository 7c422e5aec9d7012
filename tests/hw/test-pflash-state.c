/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The "pflash_cfi01" section and its QEMU 7.2.9+ subsection
 * "pflash_cfi01_blk_write" (hw/pflash-cfi01.c, qemu-stream.md 4.7), on
 * a board with two flash units as devstate-pflash.bin was taken.
 */
#include "test-hw.h"

#include "dm/machine-pc.h"
#include "hw/pflash-cfi01.h"
#include "save/codec.h"

#include <glib/gstdio.h>
#include <string.h>

#define SIZE0 0x10000u
#define SIZE1 0x20000u
/* flash1 sits directly below flash0, which ends at 4 GiB. */
#define BASE1 (UINT64_C(0x100000000) - SIZE0 - SIZE1)
#define FIELDS_LEN 11u
#define SUB_NAME "pflash_cfi01_blk_write"
#define SUB_HEADER_LEN (2u + sizeof(SUB_NAME) - 1 + 4)
#define BLK_LEN (FIELDS_LEN + SUB_HEADER_LEN + PFLASH_WRITEBLOCK + 4)

typedef struct {
    DmMachine *m;
    Pflash *flash0, *flash1;
    char *dir, *path0, *path1;
} Fixture;

static char *image(const char *dir, const char *name, uint8_t fill,
                   size_t size)
{
    g_autofree uint8_t *img = g_malloc(size);
    char *path = g_build_filename(dir, name, NULL);

    memset(img, fill, size);
    g_assert_true(g_file_set_contents(path, (char *)img, size, NULL));
    return path;
}

/* flash1 is 128 KiB of 0xff, as the sample's varstore. */
static void setup(Fixture *f, gconstpointer data)
{
    g_autoptr(GError) err = NULL;
    DmOptions *o = dm_options_new();

    f->dir = g_dir_make_tmp("pflash-state-XXXXXX", NULL);
    f->path0 = image(f->dir, "code.fd", 0xa5, SIZE0);
    f->path1 = image(f->dir, "vars.fd", 0xff, SIZE1);
    o->accel = g_strdup("qtest");
    o->machine_type = g_strdup("pc-i440fx-7.2");
    o->pflash[0].file = g_strdup(f->path0);
    o->pflash[1].file = g_strdup(f->path1);
    f->m = dm_machine_new(o, &err);
    g_assert_no_error(err);
    f->flash0 = dm_machine_find_device(f->m, pflash0_info.name);
    f->flash1 = dm_machine_find_device(f->m, pflash1_info.name);
    g_assert_nonnull(f->flash0);
    g_assert_nonnull(f->flash1);
}

static void teardown(Fixture *f, gconstpointer data)
{
    dm_machine_free(f->m);
    g_unlink(f->path0);
    g_unlink(f->path1);
    g_rmdir(f->dir);
    g_free(f->path0);
    g_free(f->path1);
    g_free(f->dir);
}

static void wb(Fixture *f, uint64_t off, uint8_t v)
{
    dm_space_write(f->m->mem, BASE1 + off, v, 1);
}

static uint64_t rd(Fixture *f, uint64_t off, unsigned n)
{
    return dm_space_read(f->m->mem, BASE1 + off, n);
}

static uint8_t file_byte(Fixture *f, uint64_t off)
{
    g_autofree char *buf = NULL;
    gsize len;

    g_assert_true(g_file_get_contents(f->path1, &buf, &len, NULL));
    g_assert_cmpuint(len, ==, SIZE1);
    return buf[off];
}

/* Instance 0 of devstate-pflash.bin: idle in read-array mode. */
static const uint8_t idle_golden[FIELDS_LEN] = {
    0x00,                                           /* wcycle */
    0x00,                                           /* cmd: read array */
    0x80,                                           /* status: ready */
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* counter */
};

/*
 * Instance 1 of devstate-pflash.bin: write to buffer at 0x100, count 7
 * (8 bytes), three data bytes written (11 22 33). Built by blk_golden().
 */
static const uint8_t blk_fields[FIELDS_LEN + SUB_HEADER_LEN] = {
    0x02,                                           /* wcycle: data */
    0xe8,                                           /* cmd: to buffer */
    0x80,                                           /* status: ready */
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04, /* counter: 5 to go */
    /* subsection: mark, counted name, version 1 */
    0x05, 0x16, 'p', 'f', 'l', 'a', 's', 'h', '_', 'c', 'f', 'i', '0',
    '1', '_', 'b', 'l', 'k', '_', 'w', 'r', 'i', 't', 'e',
    0x00, 0x00, 0x00, 0x01,
};

static const uint8_t blk_offset_golden[4] = {
    0x00, 0x00, 0x01, 0x00,                         /* blk_offset */
};

static GByteArray *blk_golden(void)
{
    GByteArray *b = g_byte_array_new();
    uint8_t blk[PFLASH_WRITEBLOCK];

    g_byte_array_append(b, blk_fields, sizeof(blk_fields));
    /* blk_bytes: the three bytes over the block's erased 0xff */
    memset(blk, 0xff, sizeof(blk));
    blk[0] = 0x11;
    blk[1] = 0x22;
    blk[2] = 0x33;
    g_byte_array_append(b, blk, sizeof(blk));
    g_byte_array_append(b, blk_offset_golden, sizeof(blk_offset_golden));
    g_assert_cmpuint(b->len, ==, BLK_LEN);
    return b;
}

/* The qtest writes behind the sample: 0xe8, count 7, three bytes. */
static void buffered_write(Fixture *f)
{
    wb(f, 0x100, 0xe8);
    wb(f, 0x100, 0x07);
    wb(f, 0x100, 0x11);
    wb(f, 0x101, 0x22);
    wb(f, 0x102, 0x33);
}

static void test_table(Fixture *f, gconstpointer data)
{
    static const char *const names[] = {
        "wcycle", "cmd", "status", "counter",
    };
    const SaveSection *s = pflash0_info.state;
    const SaveSection *sub = s->subsections[0];

    g_assert_true(pflash1_info.state == s);
    g_assert_cmpstr(s->name, ==, "pflash_cfi01");
    g_assert_cmpint(s->version, ==, 1);
    g_assert_cmpint(s->minimum_version, ==, 1);
    for (unsigned i = 0; i < G_N_ELEMENTS(names); i++) {
        g_assert_cmpstr(s->fields[i].name, ==, names[i]);
    }
    g_assert_null(s->fields[G_N_ELEMENTS(names)].name);
    g_assert_cmpuint(save_section_wire_size(s, f->flash0, 1), ==,
                     FIELDS_LEN);
    g_assert_cmpstr(sub->name, ==, SUB_NAME);
    g_assert_cmpint(sub->version, ==, 1);
    g_assert_cmpint(sub->minimum_version, ==, 1);
    g_assert_cmpstr(sub->fields[0].name, ==, "blk_bytes");
    g_assert_cmpstr(sub->fields[1].name, ==, "blk_offset");
    g_assert_null(sub->fields[2].name);
    /* The buffer's length is local (writeblock size), not on the wire. */
    g_assert_cmpuint(save_section_wire_size(sub, f->flash1, 1), ==,
                     PFLASH_WRITEBLOCK + 4);
    g_assert_null(s->subsections[1]);
}

static void test_golden(Fixture *f, gconstpointer data)
{
    g_autoptr(GByteArray) idle = NULL;
    g_autoptr(GByteArray) open = NULL;
    g_autoptr(GByteArray) ref = blk_golden();

    idle = test_hw_encode(pflash0_info.state, f->flash0);
    g_assert_cmpmem(idle->data, idle->len, idle_golden, sizeof(idle_golden));
    buffered_write(f);
    open = test_hw_encode(pflash1_info.state, f->flash1);
    g_assert_cmpmem(open->data, open->len, ref->data, ref->len);
    /* Confirmed, the block is gone and so is the subsection. */
    for (unsigned i = 3; i < 8; i++) {
        wb(f, 0x100 + i, 0x11 * (i + 1));
    }
    wb(f, 0x100, 0xd0);
    wb(f, 0x100, 0xff);
    g_clear_pointer(&open, g_byte_array_unref);
    open = test_hw_encode(pflash1_info.state, f->flash1);
    g_assert_cmpmem(open->data, open->len, idle_golden, sizeof(idle_golden));
}

/*
 * QEMU's mid-write bytes load; the guest finishes the write on this side
 * and the block lands in the array and the file (Intel 3 V flash
 * datasheet, Write to Buffer flow).
 */
static void test_load(Fixture *f, gconstpointer data)
{
    g_autoptr(GByteArray) ref = blk_golden();
    g_autoptr(GByteArray) again = NULL;

    test_hw_load(pflash1_info.state, f->flash1, sizeof(*f->flash1), 1,
                 ref->data, ref->len);
    g_assert_cmphex(f->flash1->blk_offset, ==, 0x100);
    again = test_hw_encode(pflash1_info.state, f->flash1);
    g_assert_cmpmem(again->data, again->len, ref->data, ref->len);
    /* As on QEMU's destination: array reads until the guest's next write. */
    g_assert_cmphex(rd(f, 0x100, 1), ==, 0xff);

    for (unsigned i = 3; i < 8; i++) {
        wb(f, 0x100 + i, 0x11 * (i + 1));
    }
    g_assert_cmphex(file_byte(f, 0x100), ==, 0xff);
    wb(f, 0x100, 0xd0);
    wb(f, 0x100, 0xff);
    g_assert_cmphex(rd(f, 0x100, 4), ==, 0x44332211);
    g_assert_cmphex(rd(f, 0x104, 4), ==, 0x88776655);
    g_assert_cmphex(rd(f, 0x108, 1), ==, 0xff);
    g_assert_cmphex(file_byte(f, 0x100), ==, 0x11);
    g_assert_cmphex(file_byte(f, 0x107), ==, 0x88);
    g_assert_cmphex(file_byte(f, 0x108), ==, 0xff);
}

/*
 * v7.2.0 and 7.2.1-7.2.8 send no subsection: an idle flash loads as
 * itself, and a write in progress keeps no buffer (the data cycles
 * then open one at the next write).
 */
static void test_load_without_subsection(Fixture *f, gconstpointer data)
{
    g_autoptr(GByteArray) again = NULL;

    test_hw_load(pflash0_info.state, f->flash0, sizeof(*f->flash0), 1,
                 idle_golden, sizeof(idle_golden));
    g_assert_true(f->flash0->romd);
    again = test_hw_encode(pflash0_info.state, f->flash0);
    g_assert_cmpmem(again->data, again->len, idle_golden,
                    sizeof(idle_golden));

    test_hw_load(pflash1_info.state, f->flash1, sizeof(*f->flash1), 1,
                 blk_fields, FIELDS_LEN);
    g_assert_cmphex(f->flash1->blk_offset, ==, PFLASH_BLK_NONE);
    g_assert_true(f->flash1->romd);
    g_assert_cmphex(rd(f, 0, 1), ==, 0xff);
}

static void test_truncated(Fixture *f, gconstpointer data)
{
    static const TestHwCut cuts[] = {
        TEST_HW_CUT(1, "pflash_cfi01", "wcycle"),
        TEST_HW_CUT(2, "pflash_cfi01", "cmd"),
        TEST_HW_CUT(3, "pflash_cfi01", "status"),
        TEST_HW_CUT(FIELDS_LEN, "pflash_cfi01", "counter"),
        /* 11: a 7.2.0 payload; then the peeked, partial header */
        TEST_HW_CUT_ACCEPTED(FIELDS_LEN + SUB_HEADER_LEN - 4, FIELDS_LEN),
        TEST_HW_CUT(FIELDS_LEN + SUB_HEADER_LEN, SUB_NAME, "version"),
        TEST_HW_CUT(FIELDS_LEN + SUB_HEADER_LEN + PFLASH_WRITEBLOCK,
                    SUB_NAME, "blk_bytes"),
        TEST_HW_CUT(BLK_LEN, SUB_NAME, "blk_offset"),
        TEST_HW_CUT_END,
    };
    g_autoptr(GByteArray) ref = blk_golden();

    /* Into an idle unit and into one with a block of its own open. */
    test_hw_truncations(pflash1_info.state, f->flash1, sizeof(*f->flash1),
                        1, ref->data, ref->len, cuts);
    wb(f, 0x1000, 0xe8);
    wb(f, 0x1000, 0x03);
    wb(f, 0x1001, 0x5a);
    g_assert_cmphex(f->flash1->blk_offset, ==, 0x1000);
    test_hw_truncations(pflash1_info.state, f->flash1, sizeof(*f->flash1),
                        1, ref->data, ref->len, cuts);
}

/* A block outside the flash or not on a 256-byte boundary is refused. */
static void test_bad_blk_offset(Fixture *f, gconstpointer data)
{
    static const struct {
        uint32_t offset;
        const char *message;
    } bad[] = {
        { 0x101, "blk_offset 0x101 outside the 0x20000-byte flash or not "
                 "aligned" },
        { 0x180, "blk_offset 0x180 outside" },
        { SIZE1, "blk_offset 0x20000 outside" },
        { 0xffffff00, "blk_offset 0xffffff00 outside" },
    };
    g_autoptr(GByteArray) ref = blk_golden();
    uint8_t *at = ref->data + BLK_LEN - 4;
    g_autoptr(GByteArray) before = NULL;
    g_autoptr(GByteArray) after = NULL;

    buffered_write(f);
    before = test_hw_encode(pflash1_info.state, f->flash1);
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        at[0] = bad[i].offset >> 24;
        at[1] = bad[i].offset >> 16;
        at[2] = bad[i].offset >> 8;
        at[3] = bad[i].offset;
        test_hw_refused(pflash1_info.state, f->flash1, sizeof(*f->flash1),
                        1, ref->data, ref->len, "section 'pflash_cfi01' v1");
        test_hw_refused(pflash1_info.state, f->flash1, sizeof(*f->flash1),
                        1, ref->data, ref->len, bad[i].message);
    }
    /* The last block is still inside. */
    at[0] = 0x00;
    at[1] = 0x01;
    at[2] = 0xff;
    at[3] = 0x00;
    test_hw_accepted(pflash1_info.state, f->flash1, sizeof(*f->flash1), 1,
                     ref->data, ref->len);
    after = test_hw_encode(pflash1_info.state, f->flash1);
    g_assert_cmpmem(after->data, after->len, before->data, before->len);
}

void test_pflash_state_register(void)
{
#define ADD(path, fn) \
    g_test_add("/hw/pflash/state/" path, Fixture, NULL, setup, fn, teardown)
    ADD("table", test_table);
    ADD("golden", test_golden);
    ADD("load", test_load);
    ADD("load-without-subsection", test_load_without_subsection);
    ADD("truncated", test_truncated);
    ADD("bad-blk-offset", test_bad_blk_offset);
#undef ADD
}
