/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The RAM block registry and the "ram" section (qemu-stream.md §2): block
 * order, resize hooks, dirty log, golden bytes, truncations, refusals.
 */
#include "test-save.h"

#include "dm/machine.h"
#include "pc-bios/firmware.h"
#include "ram/ram-block.h"
#include "save/machine-state.h"
#include "save/ram-section.h"

#include <string.h>
#include <sys/mman.h>
#include <zlib.h>
#include <unistd.h>

#define PAGE RAM_PAGE_SIZE

typedef struct {
    unsigned calls;
    uint64_t old;
} ResizeSeen;

static void resize_seen(void *opaque, RamBlock *b, uint64_t old)
{
    ResizeSeen *s = opaque;

    s->calls++;
    s->old = old;
}

/* §2.2: listed by max_length, largest first, ties in creation order. */
static void test_registry(void)
{
    RamRegistry *reg = ram_registry_new();
    g_autoptr(GError) err = NULL;
    static const char *const order[] = { "big", "mid1", "mid2", "small" };

    g_assert_nonnull(ram_block_new_local(reg, "small", PAGE, PAGE, false,
                                         NULL));
    g_assert_nonnull(ram_block_new_local(reg, "mid1", PAGE, 4 * PAGE, true,
                                         NULL));
    g_assert_nonnull(ram_block_new_local(reg, "big", 8 * PAGE, 8 * PAGE,
                                         false, NULL));
    g_assert_nonnull(ram_block_new_local(reg, "mid2", 4 * PAGE, 4 * PAGE,
                                         false, NULL));
    for (guint i = 0; i < G_N_ELEMENTS(order); i++) {
        RamBlock *b = g_ptr_array_index(reg->blocks, i);
        g_assert_cmpstr(b->idstr, ==, order[i]);
    }
    g_assert_null(ram_block_new_local(reg, "big", PAGE, PAGE, false, &err));
    g_assert_nonnull(strstr(err->message, "exists"));
    g_clear_error(&err);
    g_assert_null(ram_block_new_local(reg, "x", 2 * PAGE, PAGE, false,
                                      &err));
    g_clear_error(&err);
    g_assert_true(ram_block_find(reg, "mid2")->used_length == 4 * PAGE);
    ram_registry_free(reg);
}

static void test_resize(void)
{
    RamRegistry *reg = ram_registry_new();
    RamBlock *r = ram_block_new_local(reg, "r", 2 * PAGE, 4 * PAGE, true,
                                      NULL);
    RamBlock *f = ram_block_new_local(reg, "f", 2 * PAGE, 2 * PAGE, false,
                                      NULL);
    ResizeSeen seen = { 0 };
    g_autoptr(GError) err = NULL;

    ram_block_set_resize_hook(r, resize_seen, &seen);
    g_assert_true(ram_block_resize(r, 2 * PAGE, NULL));
    g_assert_cmpuint(seen.calls, ==, 0);          /* same size: no hook */
    g_assert_true(ram_block_resize(r, 3 * PAGE, NULL));
    g_assert_cmpuint(seen.calls, ==, 1);
    g_assert_cmphex(seen.old, ==, 2 * PAGE);
    g_assert_cmpuint(r->dirty_pages, ==, 3);      /* new range all dirty */
    g_assert_false(ram_block_resize(r, 5 * PAGE, &err));
    g_assert_nonnull(strstr(err->message, "maximum 0x4000"));
    g_clear_error(&err);
    g_assert_false(ram_block_resize(f, PAGE, &err));
    g_assert_nonnull(strstr(err->message, "not resizeable"));
    g_assert_cmphex(f->used_length, ==, 2 * PAGE);
    ram_registry_free(reg);
}

/* qtest writes mark pc.ram pages: below 4 GiB at their address. */
static void test_dirty(void)
{
    g_autoptr(GError) err = NULL;
    DmOptions *o = dm_options_new();
    DmMachine *m;
    RamBlock *b;

    o->accel = g_strdup("qtest");
    o->machine_type = g_strdup("pc-i440fx-7.2");
    o->ram_size = 16 << 20;
    m = dm_machine_new(o, &err);
    g_assert_no_error(err);
    b = ram_block_find(m->ram, "pc.ram");
    g_assert_nonnull(b);
    g_assert_cmpuint(b->dirty_pages, ==, 0);
    dm_machine_mark_dirty(m, 0x1ffe, 4);          /* straddles pages 1, 2 */
    dm_machine_mark_dirty(m, 0xfffffff0, 4);      /* firmware: not RAM */
    g_assert_cmpuint(b->dirty_pages, ==, 2);
    g_assert_true(ram_block_test_and_clear_dirty(b, 1));
    g_assert_false(ram_block_test_and_clear_dirty(b, 1));
    g_assert_true(ram_block_test_and_clear_dirty(b, 2));
    g_assert_cmpuint(b->dirty_pages, ==, 0);
    /* pc.ram, pc.bios and pc.rom, in QEMU's order (§2.3). */
    g_assert_cmpstr(((RamBlock *)m->ram->blocks->pdata[0])->idstr, ==,
                    "pc.ram");
    g_assert_cmpstr(((RamBlock *)m->ram->blocks->pdata[1])->idstr, ==,
                    "pc.bios");
    g_assert_cmpstr(((RamBlock *)m->ram->blocks->pdata[2])->idstr, ==,
                    "pc.rom");
    dm_machine_free(m);
}

static DmMachine *pc_new(const char *bios, GError **errp)
{
    DmOptions *o = dm_options_new();

    o->accel = g_strdup("qtest");
    o->machine_type = g_strdup("pc-i440fx-7.2");
    o->ram_size = 16 << 20;
    o->bios = g_strdup(bios);
    return dm_machine_new(o, errp);
}

/*
 * QEMU 7.2 x86_bios_rom_init and pc_memory_init: pc.bios read-only at
 * 4 GiB, its last 128 KiB at 0xe0000 (isa-bios), pc.rom zero and
 * read-only at 0xc0000; a resize moves both views.
 */
static void test_firmware(void)
{
    g_autoptr(GError) err = NULL;
    DmMachine *m = pc_new(NULL, &err);
    g_autoptr(GBytes) small = firmware_load_bios("bios.bin", NULL);
    const uint8_t *img;
    gsize len;

    g_assert_no_error(err);
    g_assert_cmphex(dm_space_read(m->mem, 0xfffffff0, 1), ==, 0xea);
    g_assert_cmphex(dm_space_read(m->mem, 0xffff0, 4), ==,
                    dm_space_read(m->mem, 0xfffffff0, 4));
    g_assert_cmphex(dm_space_read(m->mem, 0xe0000, 8), ==,
                    dm_space_read(m->mem, 0xfffe0000, 8));
    dm_space_write(m->mem, 0xfffffff0, 0x11, 1);
    dm_space_write(m->mem, 0xc0000, 0x11, 1);
    g_assert_cmphex(dm_space_read(m->mem, 0xfffffff0, 1), ==, 0xea);
    g_assert_cmphex(dm_space_read(m->mem, 0xc0000, 1), ==, 0);
    /* A 128 KiB image arriving: the reset vector and alias follow it. */
    g_assert_nonnull(small);
    img = g_bytes_get_data(small, &len);
    g_assert_cmpuint(len, ==, 0x20000);
    memcpy(m->bios->host, img, len);
    g_assert_true(ram_block_resize(m->bios, len, NULL));
    g_assert_cmphex(dm_space_read(m->mem, 0xfffe0000, 8), ==,
                    dm_space_read(m->mem, 0xe0000, 8));
    g_assert_cmpmem(m->bios->host + len - 16, 16, img + len - 16, 16);
    g_assert_cmphex(dm_space_read(m->mem, 0xfffffff0, 1), ==,
                    img[len - 16]);
    g_assert_cmphex(dm_space_read(m->mem, 0xfffc0000, 8), ==, 0);
    dm_machine_free(m);

    /* A missing image names itself and where stubdm looked. */
    g_assert_null(pc_new("no-such-bios.bin", &err));
    g_assert_nonnull(strstr(err->message, "no-such-bios.bin"));
    g_assert_nonnull(strstr(err->message, "/usr/share/seabios"));
}

GByteArray *test_save_fd_contents(int fd)
{
    GByteArray *out = g_byte_array_new();
    uint8_t buf[65536];
    ssize_t n;

    lseek(fd, 0, SEEK_SET);
    while ((n = read(fd, buf, sizeof(buf))) > 0) {
        g_byte_array_append(out, buf, (guint)n);
    }
    return out;
}

/* A full migrate of one machine into another: save, load, save again. */
static void test_machine_round_trip(void)
{
    DmMachine *a = pc_new(NULL, NULL);
    DmMachine *b = pc_new(NULL, NULL);
    SaveFormat f = save_format_for_migrate(a);
    SaveStats st = { 0 };
    int fa = memfd_create("a", MFD_CLOEXEC);
    int fb = memfd_create("b", MFD_CLOEXEC);
    g_autoptr(GByteArray) sa = NULL;
    g_autoptr(GByteArray) sb = NULL;
    g_autoptr(GError) err = NULL;

    g_assert_true(f.configuration && f.footers && f.ram && f.vmdesc);
    memset(a->guest_ram->host + 0x123456, 0x5a, 10000);
    a->guest_ram->host[(16 << 20) - 1] = 0x77;
    g_assert_true(save_machine_migrate(a, fa, &f, &st, &err));
    g_assert_cmpuint(st.data_pages, >, 3);
    g_assert_cmphex(st.ram_total, ==, (16 << 20) + 0x40000 + 0x20000);
    sa = test_save_fd_contents(fa);
    g_assert_cmpuint(st.bytes, ==, sa->len);
    lseek(fa, 0, SEEK_SET);
    g_assert_true(load_machine_state(b, fa, NULL, &err));
    g_assert_cmpmem(b->guest_ram->host, 16 << 20, a->guest_ram->host,
                    16 << 20);
    g_assert_true(save_machine_migrate(b, fb, &f, &st, &err));
    sb = test_save_fd_contents(fb);
    g_assert_cmpmem(sb->data, sb->len, sa->data, sa->len);
    close(fa);
    close(fb);
    dm_machine_free(a);
    dm_machine_free(b);
}

/* Two blocks: "a" 2 pages (zero, then 0x11s), "bb" 1 page (zero). */
static RamRegistry *sample_registry(void)
{
    RamRegistry *reg = ram_registry_new();
    RamBlock *a = ram_block_new_local(reg, "a", 2 * PAGE, 2 * PAGE, false,
                                      NULL);

    g_assert_nonnull(ram_block_new_local(reg, "bb", PAGE, 2 * PAGE, true,
                                         NULL));
    memset(a->host + PAGE, 0x11, PAGE);
    return reg;
}

static GByteArray *write_stream_opt(RamRegistry *reg, bool compress)
{
    int fd = memfd_create("ram", MFD_CLOEXEC);
    SaveWriter w;
    SaveRamSave rs = { .reg = reg, .compress = compress };
    GByteArray *out = g_byte_array_new();
    uint8_t buf[4096];
    ssize_t n;

    save_writer_init(&w, fd);
    save_ram_write_blocks(&rs, &w);
    save_ram_write_pages(&rs, &w, true);
    g_assert_true(save_writer_finish(&w, NULL));
    lseek(fd, 0, SEEK_SET);
    while ((n = read(fd, buf, sizeof(buf))) > 0) {
        g_byte_array_append(out, buf, (guint)n);
    }
    close(fd);
    if (compress) {
        g_assert_cmpuint(rs.compressed_pages, ==, 1);
    }
    return out;
}

static GByteArray *write_stream(RamRegistry *reg)
{
    return write_stream_opt(reg, false);
}

/* START payload then one PART payload, as write_stream lays them out. */
static gboolean load_stream(RamRegistry *reg, const uint8_t *p, size_t len,
                            GError **errp)
{
    g_autoptr(SaveRamLoad) l = save_ram_load_new(reg, false);
    int fd = memfd_create("ram", MFD_CLOEXEC);
    SaveInput in;
    gboolean ok;

    g_assert_cmpint(write(fd, p, len), ==, (ssize_t)len);
    lseek(fd, 0, SEEK_SET);
    save_input_init(&in, fd);
    ok = save_ram_load_payload(l, &in, true, errp) &&
         save_ram_load_payload(l, &in, false, errp);
    save_input_destroy(&in);
    close(fd);
    if (ok) {
        save_ram_load_commit(l);
    }
    return ok;
}

static const uint8_t golden_head[] = {
    0, 0, 0, 0, 0, 0, 0x30, 0x04,             /* MEM_SIZE, total 0x3000 */
    1, 'a', 0, 0, 0, 0, 0, 0, 0x20, 0x00,     /* "a", 0x2000 */
    2, 'b', 'b', 0, 0, 0, 0, 0, 0, 0x10, 0x00, /* "bb", 0x1000 */
    0, 0, 0, 0, 0, 0, 0, 0x10,                /* EOS */
    0, 0, 0, 0, 0, 0, 0, 0x02, 1, 'a', 0,     /* a@0 ZERO, fill 0 */
    0, 0, 0, 0, 0, 0, 0x10, 0x28,             /* a@0x1000 PAGE|CONTINUE */
};

static const uint8_t golden_tail[] = {
    0, 0, 0, 0, 0, 0, 0, 0x02, 2, 'b', 'b', 0, /* bb@0 ZERO: new block */
    0, 0, 0, 0, 0, 0, 0, 0x10,                /* EOS */
};

static void test_golden(void)
{
    RamRegistry *reg = sample_registry();
    g_autoptr(GByteArray) s = write_stream(reg);
    size_t head = sizeof(golden_head);

    g_assert_cmpuint(s->len, ==, head + PAGE + sizeof(golden_tail));
    g_assert_cmpmem(s->data, head, golden_head, head);
    for (size_t i = 0; i < PAGE; i++) {
        g_assert_cmphex(s->data[head + i], ==, 0x11);
    }
    g_assert_cmpmem(s->data + head + PAGE, sizeof(golden_tail), golden_tail,
                    sizeof(golden_tail));
    ram_registry_free(reg);
}

/* Save, load into a fresh registry, save again: the same bytes. */
static void test_round_trip(void)
{
    RamRegistry *src = sample_registry();
    RamRegistry *dst = ram_registry_new();
    g_autoptr(GByteArray) s = write_stream(src);
    g_autoptr(GByteArray) again = NULL;
    RamBlock *a = ram_block_new_local(dst, "a", 2 * PAGE, 2 * PAGE, false,
                                      NULL);
    RamBlock *bb = ram_block_new_local(dst, "bb", PAGE, 2 * PAGE, true,
                                       NULL);

    memset(a->host, 0x77, 2 * PAGE);
    memset(bb->host, 0x55, PAGE);
    g_assert_true(load_stream(dst, s->data, s->len, NULL));
    g_assert_true(ram_is_zero(a->host, PAGE));
    g_assert_true(ram_is_zero(bb->host, PAGE));
    again = write_stream(dst);
    g_assert_cmpmem(again->data, again->len, s->data, s->len);
    ram_registry_free(src);
    ram_registry_free(dst);
}

static void assert_untouched(RamBlock *a, RamBlock *bb, uint64_t bb_used)
{
    for (size_t i = 0; i < 2 * PAGE; i++) {
        g_assert_cmphex(a->host[i], ==, 0x77);
    }
    g_assert_cmphex(bb->used_length, ==, bb_used);
}

/* Each cut and each refusal leaves every block as it was. */
static void test_refusals(void)
{
    RamRegistry *src = sample_registry();
    g_autoptr(GByteArray) s = write_stream(src);
    RamRegistry *dst = ram_registry_new();
    RamBlock *a = ram_block_new_local(dst, "a", 2 * PAGE, 2 * PAGE, false,
                                      NULL);
    RamBlock *bb = ram_block_new_local(dst, "bb", PAGE, 2 * PAGE, true,
                                       NULL);
    ResizeSeen seen = { 0 };
    struct {
        size_t at;
        uint8_t byte;
        const char *error;
    } edits[] = {
        { 9, 'x', "unknown RAM block \"x\"" },           /* "a" -> "x" */
        { 16, 0x30, "size mismatch: a: incoming 0x3000 != local 0x2000" },
        { 27, 0x30, "size too large: bb: incoming 0x3000 > max 0x2000" },
        { 44, 0x22, "CONTINUE before any block" },       /* a@0 +CONTINUE */
        { 43, 0x20, "illegal RAM offset 0x2000" },       /* a@0x2000 */
        { 55, 0x60, "XBZRLE pages are not supported" },
        { 7, 0x44, "unknown flags 0x44" },
    };

    ram_block_set_resize_hook(bb, resize_seen, &seen);
    memset(a->host, 0x77, 2 * PAGE);
    for (size_t cut = 0; cut < s->len; cut++) {
        g_autoptr(GError) err = NULL;
        g_assert_false(load_stream(dst, s->data, cut, &err));
        g_assert_nonnull(strstr(err->message, "offset 0x"));
        assert_untouched(a, bb, PAGE);
    }
    for (size_t i = 0; i < G_N_ELEMENTS(edits); i++) {
        g_autoptr(GByteArray) e = g_byte_array_new();
        g_autoptr(GError) err = NULL;

        g_byte_array_append(e, s->data, s->len);
        e->data[edits[i].at] = edits[i].byte;
        if (edits[i].byte == 0x30 && edits[i].at == 16) {
            e->data[6] = 0x40;                    /* keep the total right */
        }
        g_assert_false(load_stream(dst, e->data, e->len, &err));
        g_test_message("%s", err->message);
        g_assert_nonnull(strstr(err->message, edits[i].error));
        assert_untouched(a, bb, PAGE);
    }
    g_assert_cmpuint(seen.calls, ==, 0);
    {
        /* bb announced at 0x2000 (within max): resized, hook on commit. */
        g_autoptr(GByteArray) e = g_byte_array_new();
        g_byte_array_append(e, s->data, s->len);
        e->data[6] = 0x40;
        e->data[27] = 0x20;
        g_assert_true(load_stream(dst, e->data, e->len, NULL));
        g_assert_cmpuint(seen.calls, ==, 1);
        g_assert_cmphex(bb->used_length, ==, 2 * PAGE);
        g_assert_cmphex(a->host[PAGE], ==, 0x11);
    }
    ram_registry_free(src);
    ram_registry_free(dst);
}

/*
 * a@0x1000 (4096 x 0x11) as QEMU 7.2's compress capability writes it at
 * compress-level 1: be32 length, then zlib's stream.
 */
static const uint8_t golden_zpage[] = {
    0, 0, 0, 42,
    0x78, 0x01, 0xed, 0xd0, 0x81, 0x10, 0x00, 0x00, 0x00, 0x03, 0x21, 0x86,
    0xf7, 0x97, 0x9d, 0xc7, 0xae, 0x10, 0x2a, 0x0c, 0x18, 0x30, 0x60, 0xc0,
    0x80, 0x01, 0x03, 0x06, 0x0c, 0x18, 0x30, 0x60, 0xc0, 0x80, 0x81, 0xf7,
    0x81, 0x01, 0x17, 0x8f, 0x10, 0x10,
};

/* golden_head, the a@0x1000 record made COMPRESS_PAGE|CONTINUE, zdata. */
static GByteArray *compressed_stream(const uint8_t *z, size_t zlen)
{
    GByteArray *e = g_byte_array_new();

    g_byte_array_append(e, golden_head, sizeof(golden_head));
    e->data[sizeof(golden_head) - 2] = 0x11;
    e->data[sizeof(golden_head) - 1] = 0x20;
    g_byte_array_append(e, z, (guint)zlen);
    g_byte_array_append(e, golden_tail, sizeof(golden_tail));
    return e;
}

/* Writes the golden bytes; reads them (and QEMU's first-page PAGE) back. */
static void test_compress_golden(void)
{
    RamRegistry *src = sample_registry();
    RamRegistry *dst = ram_registry_new();
    g_autoptr(GByteArray) s = write_stream_opt(src, true);
    g_autoptr(GByteArray) want = compressed_stream(golden_zpage,
                                                   sizeof(golden_zpage));
    RamBlock *a = ram_block_new_local(dst, "a", 2 * PAGE, 2 * PAGE, false,
                                      NULL);

    g_assert_nonnull(ram_block_new_local(dst, "bb", PAGE, 2 * PAGE, true,
                                         NULL));
    g_assert_cmpmem(s->data, s->len, want->data, want->len);
    memset(a->host, 0x77, 2 * PAGE);
    g_assert_true(load_stream(dst, want->data, want->len, NULL));
    g_assert_true(ram_is_zero(a->host, PAGE));
    for (size_t i = 0; i < PAGE; i++) {
        g_assert_cmphex(a->host[PAGE + i], ==, 0x11);
    }
    /* Without compress the same registry writes the plain stream. */
    {
        g_autoptr(GByteArray) plain = write_stream(dst);
        g_assert_cmpuint(plain->len, ==,
                         sizeof(golden_head) + PAGE + sizeof(golden_tail));
    }
    ram_registry_free(src);
    ram_registry_free(dst);
}

/* zlib data for a page of n bytes of 0x11, behind its be32 length. */
static GByteArray *zpage_of(size_t n)
{
    g_autofree uint8_t *raw = g_malloc(n);
    uLongf zlen = compressBound(n);
    GByteArray *z = g_byte_array_sized_new(4 + zlen);
    uint8_t be[4];

    memset(raw, 0x11, n);
    g_byte_array_set_size(z, 4 + zlen);
    g_assert_cmpint(compress2(z->data + 4, &zlen, raw, n, 1), ==, Z_OK);
    g_byte_array_set_size(z, 4 + zlen);
    be[0] = zlen >> 24; be[1] = zlen >> 16; be[2] = zlen >> 8; be[3] = zlen;
    memcpy(z->data, be, 4);
    return z;
}

/* Cuts, bad lengths, short and long pages: refused, nothing changes. */
static void test_compress_refusals(void)
{
    RamRegistry *dst = ram_registry_new();
    RamBlock *a = ram_block_new_local(dst, "a", 2 * PAGE, 2 * PAGE, false,
                                      NULL);
    RamBlock *bb = ram_block_new_local(dst, "bb", PAGE, 2 * PAGE, true,
                                       NULL);
    g_autoptr(GByteArray) good = compressed_stream(golden_zpage,
                                                   sizeof(golden_zpage));
    size_t zat = sizeof(golden_head);     /* the be32 length */
    struct {
        uint32_t len;
        const char *error;
    } lens[] = {
        { 0, "length 0 outside 1..4110" },
        { 4111, "length 4111 outside 1..4110 (compressBound" },
        { 0xffffffff, "length 4294967295 outside" },
        { 41, "bad zlib data" },           /* the stream's last byte cut */
        { 43, "with data after its end" }, /* 1 byte of the tail eaten */
    };
    struct {
        size_t n;
        const char *error;
    } sizes[] = {
        { PAGE - 1, "inflates to 4095 bytes, not one page of 4096" },
        { PAGE + 1, "inflates to more than 4096 bytes" },
        { 2 * PAGE, "inflates to more than 4096 bytes" },
        { 1, "inflates to 1 bytes" },
    };

    memset(a->host, 0x77, 2 * PAGE);
    for (size_t cut = 0; cut < good->len; cut++) {
        g_autoptr(GError) err = NULL;
        g_assert_false(load_stream(dst, good->data, cut, &err));
        g_assert_nonnull(strstr(err->message, "offset 0x"));
        assert_untouched(a, bb, PAGE);
    }
    for (size_t i = 0; i < G_N_ELEMENTS(lens); i++) {
        g_autoptr(GByteArray) e = g_byte_array_new();
        g_autoptr(GError) err = NULL;

        g_byte_array_append(e, good->data, good->len);
        e->data[zat] = lens[i].len >> 24;
        e->data[zat + 1] = lens[i].len >> 16;
        e->data[zat + 2] = lens[i].len >> 8;
        e->data[zat + 3] = lens[i].len;
        g_assert_false(load_stream(dst, e->data, e->len, &err));
        g_test_message("%s", err->message);
        g_assert_nonnull(strstr(err->message, lens[i].error));
        if (lens[i].len <= 4110) {
            g_assert_nonnull(strstr(err->message,
                                    "compressed page at 0x1000 of block "
                                    "\"a\""));
        }
        assert_untouched(a, bb, PAGE);
    }
    for (size_t i = 0; i < G_N_ELEMENTS(sizes); i++) {
        g_autoptr(GByteArray) z = zpage_of(sizes[i].n);
        g_autoptr(GByteArray) e = compressed_stream(z->data, z->len);
        g_autoptr(GError) err = NULL;

        g_assert_false(load_stream(dst, e->data, e->len, &err));
        g_test_message("%s", err->message);
        g_assert_nonnull(strstr(err->message, sizes[i].error));
        g_assert_nonnull(strstr(err->message,
                                "compressed page at 0x1000 of block \"a\""));
        assert_untouched(a, bb, PAGE);
    }
    {
        /* Garbage instead of zlib data. */
        g_autoptr(GByteArray) e = g_byte_array_new();
        g_autoptr(GError) err = NULL;

        g_byte_array_append(e, good->data, good->len);
        e->data[zat + 4] = 0x00;
        g_assert_false(load_stream(dst, e->data, e->len, &err));
        g_assert_nonnull(strstr(err->message, "bad zlib data"));
        assert_untouched(a, bb, PAGE);
    }
    ram_registry_free(dst);
}

void test_ram_register(void)
{
    g_test_add_func("/save/ram/registry", test_registry);
    g_test_add_func("/save/ram/resize", test_resize);
    g_test_add_func("/save/ram/dirty", test_dirty);
    g_test_add_func("/save/ram/golden", test_golden);
    g_test_add_func("/save/ram/round-trip", test_round_trip);
    g_test_add_func("/save/ram/refusals", test_refusals);
    g_test_add_func("/save/ram/compress-golden", test_compress_golden);
    g_test_add_func("/save/ram/compress-refusals", test_compress_refusals);
    g_test_add_func("/save/ram/firmware", test_firmware);
    g_test_add_func("/save/ram/machine-round-trip", test_machine_round_trip);
}
