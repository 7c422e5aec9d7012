/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * System Control Port A (hw/port92.c) on a whole pc-i440fx-7.2 board,
 * against QEMU 7.2's hw/i386/port92.c: bit 1 A20 gate, bit 0 fast reset
 * on a rising edge, every bit read back as written.
 */
#include "test-hw.h"

#include "dm/machine-pc.h"
#include "hw/port92.h"
#include "save/codec.h"

#include <string.h>

#define PORT92 0x92

typedef struct {
    DmMachine *m;
    Port92 *p;
    GArray *a20;              /* bool, one per hook call */
} Fixture;

static void record_a20(void *opaque, bool enabled)
{
    Fixture *f = opaque;

    g_array_append_val(f->a20, enabled);
}

static void setup(Fixture *f, gconstpointer data)
{
    g_autoptr(GError) err = NULL;
    DmOptions *o = dm_options_new();

    o->accel = g_strdup("qtest");
    o->machine_type = g_strdup(data ? data : "pc-i440fx-7.2");
    f->m = dm_machine_new(o, &err);
    g_assert_no_error(err);
    f->p = dm_machine_find_device(f->m, "port92");
    g_assert_nonnull(f->p);
    f->a20 = g_array_new(FALSE, FALSE, sizeof(bool));
}

static void teardown(Fixture *f, gconstpointer data)
{
    g_array_free(f->a20, TRUE);
    dm_machine_free(f->m);
}

static void outb(Fixture *f, uint8_t v)
{
    dm_space_write(f->m->io, PORT92, v, 1);
}

static uint8_t inb(Fixture *f)
{
    return dm_space_read(f->m->io, PORT92, 1);
}

/* Runs what the guest's write queued (QEMU's main loop does the same). */
static void run_pending_reset(Fixture *f)
{
    while (g_main_context_iteration(NULL, FALSE)) {
    }
    g_assert_cmpuint(f->m->reset_pending, ==, 0);
}

/* QEMU's instance_init leaves outport 0; reset does not set anything. */
static void test_power_on(Fixture *f, gconstpointer data)
{
    g_assert_cmphex(inb(f), ==, 0x00);
    g_assert_cmpuint(f->m->reset_pending, ==, 0);
}

/* Every bit is storage except the reset edge: all values read back. */
static void test_read_back(Fixture *f, gconstpointer data)
{
    for (unsigned v = 0; v < 0x100; v += 2) {
        outb(f, v);
        g_assert_cmphex(inb(f), ==, v);
    }
    g_assert_cmpuint(f->m->reset_pending, ==, 0);
}

/* Bit 1 drives the A20 line on every write, changed or not. */
static void test_a20(Fixture *f, gconstpointer data)
{
    static const bool want[] = { true, true, false, true };

    f->p->a20_changed = record_a20;
    f->p->a20_opaque = f;
    outb(f, 0x02);
    outb(f, 0x02);
    outb(f, 0x00);
    outb(f, 0xfe);
    g_assert_cmpuint(f->a20->len, ==, G_N_ELEMENTS(want));
    for (unsigned i = 0; i < G_N_ELEMENTS(want); i++) {
        g_assert_cmpint(g_array_index(f->a20, bool, i), ==, want[i]);
    }
    /* A reset keeps the gate and says nothing to the line. */
    f->p->outport = 0x02;
    port92_info.reset(f->p);
    g_assert_cmphex(inb(f), ==, 0x02);
    g_assert_cmpuint(f->a20->len, ==, G_N_ELEMENTS(want));
}

/*
 * Bit 0: a 0 -> 1 write requests a guest reset, handled from the main
 * loop; the machine reset clears bit 0 and nothing else.
 */
static void test_fast_reset(Fixture *f, gconstpointer data)
{
    outb(f, 0x03);
    g_assert_cmpuint(f->m->reset_pending, !=, 0);
    /* Until the reset runs the whole byte reads back. */
    g_assert_cmphex(inb(f), ==, 0x03);
    run_pending_reset(f);
    g_assert_cmphex(inb(f), ==, 0x02);

    /* The bit is clear again, so the next 1 is an edge too. */
    outb(f, 0x01);
    g_assert_cmpuint(f->m->reset_pending, !=, 0);
    run_pending_reset(f);
    g_assert_cmphex(inb(f), ==, 0x00);
}

/* Writing 1 over 1 is no edge (QEMU compares with the old outport). */
static void test_no_reset_on_level(Fixture *f, gconstpointer data)
{
    outb(f, 0x01);
    g_assert_cmpuint(f->m->reset_pending, !=, 0);
    g_clear_handle_id(&f->m->reset_pending, g_source_remove);
    outb(f, 0x01);
    outb(f, 0x03);
    g_assert_cmpuint(f->m->reset_pending, ==, 0);
    outb(f, 0x02);
    g_assert_cmpuint(f->m->reset_pending, ==, 0);
    outb(f, 0x01);
    g_assert_cmpuint(f->m->reset_pending, !=, 0);
    run_pending_reset(f);
}

/*
 * One port: 0x91 and 0x93 are not decoded. Wider accesses are left out on
 * purpose: QEMU hands every byte of an aligned word or dword at 0x92 to
 * port92 (inw reads 0x0202), dm/space stops at the region's end (0xff02);
 * tests/interop/port92.py tracks that difference.
 */
static void test_decode(Fixture *f, gconstpointer data)
{
    uint64_t off;

    g_assert_true(dm_space_lookup(f->m->io, PORT92, &off) == &f->p->io);
    g_assert_cmpuint(off, ==, 0);
    g_assert_false(dm_space_lookup(f->m->io, PORT92 - 1, &off) == &f->p->io);
    g_assert_false(dm_space_lookup(f->m->io, PORT92 + 1, &off) == &f->p->io);
    dm_space_write(f->m->io, PORT92 + 1, 0x01, 1);
    dm_space_write(f->m->io, PORT92 - 1, 0x01, 1);
    g_assert_cmphex(inb(f), ==, 0x00);
    g_assert_cmpuint(f->m->reset_pending, ==, 0);
}

/* The xenfv board has it too (QEMU's pc_init1 builds it for both). */
static void test_xenfv(Fixture *f, gconstpointer data)
{
    outb(f, 0x02);
    g_assert_cmphex(inb(f), ==, 0x02);
}

/* "port92" v1 (qemu-stream.md §4.9): one byte. */
static const uint8_t port92_golden[] = {
    0x02,                               /* outport: A20 on */
};

static void test_state_golden(Fixture *f, gconstpointer data)
{
    const SaveSection *s = port92_info.state;
    g_autoptr(GByteArray) out = g_byte_array_new();
    g_autoptr(GByteArray) again = g_byte_array_new();
    g_autoptr(GError) err = NULL;
    SaveReader r = { .data = port92_golden, .len = sizeof(port92_golden) };

    g_assert_cmpstr(s->name, ==, "port92");
    g_assert_cmpint(s->version, ==, 1);
    g_assert_cmpint(s->minimum_version, ==, 1);
    g_assert_null(s->subsections);
    g_assert_cmpuint(save_section_wire_size(s, f->p, 1), ==, 1);

    outb(f, 0x02);
    g_assert_true(save_encode(s, f->p, out, &err));
    g_assert_no_error(err);
    g_assert_cmpmem(out->data, out->len, port92_golden,
                    sizeof(port92_golden));

    /* Load into a fresh device, then save -> same bytes. */
    port92_info.reset(f->p);
    f->p->outport = 0;
    g_assert_true(save_decode(s, f->p, 1, &r, SAVE_DECODE_APPLY, &err));
    g_assert_no_error(err);
    g_assert_cmpuint(r.pos, ==, sizeof(port92_golden));
    g_assert_cmphex(inb(f), ==, 0x02);
    g_assert_true(save_encode(s, f->p, again, &err));
    g_assert_cmpmem(again->data, again->len, port92_golden,
                    sizeof(port92_golden));
}

/* A loaded bit 0 is only state: the load itself resets nothing. */
static void test_state_reset_bit(Fixture *f, gconstpointer data)
{
    static const uint8_t bytes[] = { 0x03 };
    SaveReader r = { .data = bytes, .len = sizeof(bytes) };

    g_assert_true(save_decode(port92_info.state, f->p, 1, &r,
                              SAVE_DECODE_APPLY, NULL));
    g_assert_cmphex(inb(f), ==, 0x03);
    g_assert_cmpuint(f->m->reset_pending, ==, 0);
    /* And with bit 0 already set, rewriting it is no edge. */
    outb(f, 0x03);
    g_assert_cmpuint(f->m->reset_pending, ==, 0);
}

static void test_state_truncated(Fixture *f, gconstpointer data)
{
    g_autoptr(GError) err = NULL;
    SaveReader r = { .data = port92_golden, .len = 0, .origin = 0x40 };

    g_assert_false(save_decode(port92_info.state, f->p, 1, &r,
                               SAVE_DECODE_CHECK, &err));
    g_assert_nonnull(err);
    g_assert_nonnull(strstr(err->message, "section 'port92'"));
    g_assert_nonnull(strstr(err->message, "outport"));
    g_assert_nonnull(strstr(err->message, "offset 0x40"));
}

void test_port92_register(void)
{
#define ADD(path, fn) \
    g_test_add("/hw/port92/" path, Fixture, NULL, setup, fn, teardown)
    ADD("power-on", test_power_on);
    ADD("read-back", test_read_back);
    ADD("a20", test_a20);
    ADD("fast-reset", test_fast_reset);
    ADD("no-reset-on-level", test_no_reset_on_level);
    ADD("decode", test_decode);
    ADD("state/golden", test_state_golden);
    ADD("state/reset-bit", test_state_reset_bit);
    ADD("state/truncated", test_state_truncated);
#undef ADD
    g_test_add("/hw/port92/xenfv", Fixture, "xenfv-4.2", setup, test_xenfv,
               teardown);
}
