/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The i8254 PIT and port 0x61 (hw/i8254.c), through the port space with a
 * stepped clock. Quoted section titles are the 82C54 datasheet's; where
 * QEMU 7.2 differs from it, the test follows QEMU and says so.
 */
#include "test-hw.h"
#include "test-i8254.h"

#include "dm/machine-pc.h"

/* Power-on: QEMU's reset puts every counter in mode 3, count 0x10000. */
static void test_power_on(Pit *f, gconstpointer data)
{
    /*
     * Reset does not drive IRQ 0. The first timer, due at the half period,
     * rounds to the last ns of clock 0x7fff where OUT is still high: the
     * line rises for one clock, then follows the square wave.
     */
    static const Edge want[] = {
        { 0x7fff, true }, { 0x8000, false }, { 0x10000, true },
        { 0x18000, false },
    };

    for (unsigned ch = 0; ch < 3; ch++) {
        /* OUTPUT high at the start of a square wave; RW never written. */
        g_assert_cmphex(read_status(f, ch), ==, 0x86);
    }
    /* The control port is write-only; QEMU reads 0, not all-ones. */
    g_assert_cmphex(inb(f, PORT_CW), ==, 0x00);
    /* Gate 2 low, OUT 2 high, refresh toggling from 0. */
    g_assert_cmphex(inb(f, PORT_61), ==, 0x30);
    g_assert_cmphex(inb(f, PORT_61), ==, 0x20);
    /* IRQ 0: an 18.2 Hz square wave. */
    g_assert_true(dm_timer_pending(&f->pit->irq_timer));
    at(f, 0x18000);
    assert_edges(f, want, G_N_ELEMENTS(want));
}

/* Mode 0, interrupt on terminal count (datasheet "Mode 0"). */
static void test_mode0(Pit *f, gconstpointer data)
{
    static const Edge want[] = { { 1000, true } };

    program(f, 0, RW_WORD, 0, 0, 1000);
    g_assert_cmphex(read_status(f, 0), ==, 0x30);
    g_assert_cmpuint(latch_word(f, 0), ==, 1000);
    at(f, 250);
    g_assert_cmpuint(latch_word(f, 0), ==, 750);
    at(f, 999);
    g_assert_cmphex(read_status(f, 0), ==, 0x30);
    at(f, 1000);
    g_assert_cmpuint(latch_word(f, 0), ==, 0);
    g_assert_cmphex(read_status(f, 0), ==, 0xb0);
    /* The counter keeps counting past zero and wraps to 0xffff. */
    at(f, 1010);
    g_assert_cmphex(latch_word(f, 0), ==, 0xfff6);
    g_assert_false(dm_timer_pending(&f->pit->irq_timer));
    at(f, 100000);
    assert_edges(f, want, G_N_ELEMENTS(want));
}

/* Mode 1 as QEMU models it: OUT high while the one-shot runs. */
static void test_mode1(Pit *f, gconstpointer data)
{
    static const Edge want[] = { { 0, true }, { 100, false } };

    program(f, 0, RW_WORD, 1, 0, 100);
    g_assert_cmphex(read_status(f, 0), ==, 0xb2);
    at(f, 60);
    g_assert_cmpuint(latch_word(f, 0), ==, 40);
    at(f, 100);
    g_assert_cmphex(read_status(f, 0), ==, 0x32);
    at(f, 1000);
    assert_edges(f, want, G_N_ELEMENTS(want));
}

/*
 * Mode 2, rate generator: the count reloads every `count` clocks. QEMU's
 * status OUTPUT is high only on the reload clock; IRQ 0 rises at each
 * reload and, through QEMU's ns rounding, falls one clock before the next
 * one, which is the datasheet's waveform.
 */
static void test_mode2(Pit *f, gconstpointer data)
{
    static const Edge want[] = {
        { 100, true }, { 199, false }, { 200, true }, { 299, false },
        { 300, true },
    };

    program(f, 0, RW_WORD, 2, 0, 100);
    g_assert_cmphex(read_status(f, 0), ==, 0x34);
    g_assert_cmpuint(latch_word(f, 0), ==, 100);
    at(f, 1);
    g_assert_cmpuint(latch_word(f, 0), ==, 99);
    at(f, 99);
    g_assert_cmpuint(latch_word(f, 0), ==, 1);
    at(f, 100);
    g_assert_cmpuint(latch_word(f, 0), ==, 100);
    g_assert_cmphex(read_status(f, 0), ==, 0xb4);
    at(f, 150);
    g_assert_cmpuint(latch_word(f, 0), ==, 50);
    g_assert_cmphex(read_status(f, 0), ==, 0x34);
    /* The rise "at clock 300" comes in that clock's last nanosecond. */
    at(f, 301);
    assert_edges(f, want, G_N_ELEMENTS(want));
}

/* Mode 3, square wave: counts down by two, OUT high for the first half. */
static void test_mode3(Pit *f, gconstpointer data)
{
    static const Edge want[] = {
        { 0, true }, { 50, false }, { 100, true }, { 150, false },
        { 200, true },
    };

    program(f, 0, RW_WORD, 3, 0, 100);
    g_assert_cmphex(read_status(f, 0), ==, 0xb6);
    at(f, 10);
    g_assert_cmpuint(latch_word(f, 0), ==, 80);
    at(f, 49);
    g_assert_cmpuint(latch_word(f, 0), ==, 2);
    at(f, 50);
    g_assert_cmpuint(latch_word(f, 0), ==, 100);
    g_assert_cmphex(read_status(f, 0), ==, 0x36);
    at(f, 200);
    assert_edges(f, want, G_N_ELEMENTS(want));
}

/* Odd counts: high for (N+1)/2 clocks, low for (N-1)/2 (datasheet). */
static void test_mode3_odd(Pit *f, gconstpointer data)
{
    static const Edge want[] = {
        { 0, true }, { 51, false }, { 101, true }, { 152, false },
    };

    program(f, 0, RW_WORD, 3, 0, 101);
    /* QEMU's count for odd N ("may be incorrect for odd counts"). */
    at(f, 50);
    g_assert_cmpuint(latch_word(f, 0), ==, 1);
    at(f, 51);
    g_assert_cmpuint(latch_word(f, 0), ==, 100);
    at(f, 152);
    assert_edges(f, want, G_N_ELEMENTS(want));
}

/* Modes 4 and 5, strobes: OUT (QEMU's sense) high for one clock. */
static void test_mode4_5(Pit *f, gconstpointer data)
{
    static const Edge want[] = {
        { 100, true }, { 101, false }, { 100, true }, { 101, false },
    };

    program(f, 0, RW_WORD, 4, 0, 100);
    g_assert_cmphex(read_status(f, 0), ==, 0x38);
    at(f, 30);
    g_assert_cmpuint(latch_word(f, 0), ==, 70);
    at(f, 100);
    g_assert_cmphex(read_status(f, 0), ==, 0xb8);
    at(f, 101);
    g_assert_cmphex(read_status(f, 0), ==, 0x38);
    g_assert_cmpuint(latch_word(f, 0), ==, 0xffff);
    g_assert_false(dm_timer_pending(&f->pit->irq_timer));
    /* Mode 5 with gate 0 high: QEMU counts from the load, no trigger. */
    rebase(f);
    program(f, 0, RW_WORD, 5, 0, 100);
    g_assert_cmphex(read_status(f, 0), ==, 0x3a);
    at(f, 300);
    assert_edges(f, want, G_N_ELEMENTS(want));
}

/* Modes 6 and 7 are stored as written; QEMU runs them as mode 0 mostly. */
static void test_mode6_7(Pit *f, gconstpointer data)
{
    program(f, 1, RW_WORD, 6, 0, 100);
    g_assert_cmphex(read_status(f, 1), ==, 0x3c);
    at(f, 150);
    /* Count as in mode 2, OUT as in mode 0 (QEMU's fallbacks). */
    g_assert_cmpuint(latch_word(f, 1), ==, 50);
    g_assert_cmphex(read_status(f, 1), ==, 0xbc);
    program(f, 1, RW_WORD, 7, 0, 100);
    g_assert_cmphex(read_status(f, 1), ==, 0x3e);
}

/*
 * BCD: QEMU 7.2 only stores the bit; stubdm counts in decimal (datasheet
 * "BCD" bit) while reading back exactly what was written until the first
 * clock, so the two agree at a stopped clock.
 */
static void test_bcd(Pit *f, gconstpointer data)
{
    static const Edge want[] = { { 100, true }, { 199, false } };

    program(f, 1, RW_WORD, 0, 1, 0x1000);
    g_assert_cmphex(read_status(f, 1), ==, 0x31);
    g_assert_cmphex(latch_word(f, 1), ==, 0x1000);
    at(f, 1);
    g_assert_cmphex(latch_word(f, 1), ==, 0x0999);
    at(f, 999);
    g_assert_cmphex(latch_word(f, 1), ==, 0x0001);
    g_assert_cmphex(read_status(f, 1), ==, 0x31);
    at(f, 1000);
    g_assert_cmphex(latch_word(f, 1), ==, 0x0000);
    g_assert_cmphex(read_status(f, 1), ==, 0xb1);
    /* Past zero a decade counter wraps to 9999. */
    at(f, 1001);
    g_assert_cmphex(latch_word(f, 1), ==, 0x9999);

    /* Mode 3, 50 decimal: counts 50, 48, ... by twos. */
    rebase(f);
    program(f, 2, RW_WORD, 3, 1, 0x0050);
    at(f, 10);
    g_assert_cmphex(latch_word(f, 2), ==, 0x0030);
    at(f, 25);
    g_assert_cmphex(latch_word(f, 2), ==, 0x0050);

    /* Count 0 is 10000 in BCD: a full decimal period. */
    rebase(f);
    program(f, 1, RW_WORD, 2, 1, 0);
    g_assert_cmphex(latch_word(f, 1), ==, 0x0000);
    at(f, 1);
    g_assert_cmphex(latch_word(f, 1), ==, 0x9999);
    at(f, 10000);
    g_assert_cmphex(latch_word(f, 1), ==, 0x0000);
    at(f, 10001);
    g_assert_cmphex(latch_word(f, 1), ==, 0x9999);

    /* Channel 0 in mode 2 with 100 decimal interrupts every 100 clocks. */
    rebase(f);
    program(f, 0, RW_WORD, 2, 1, 0x0100);
    at(f, 200);
    assert_edges(f, want, G_N_ELEMENTS(want));
}

/* RW field: LSB only, MSB only, LSB then MSB (datasheet "Write Operations"). */
static void test_access_modes(Pit *f, gconstpointer data)
{
    program(f, 1, RW_LSB, 2, 0, 0x34);
    g_assert_cmphex(inb(f, PORT_CH(1)), ==, 0x34);
    g_assert_cmphex(inb(f, PORT_CH(1)), ==, 0x34);
    g_assert_cmphex(read_status(f, 1), ==, 0x14);

    program(f, 1, RW_MSB, 2, 0, 0x1200);
    g_assert_cmphex(inb(f, PORT_CH(1)), ==, 0x12);
    g_assert_cmphex(inb(f, PORT_CH(1)), ==, 0x12);
    g_assert_cmphex(read_status(f, 1), ==, 0x24);
    at(f, 1);
    g_assert_cmphex(inb(f, PORT_CH(1)), ==, 0x11);

    /* Word mode: one byte loads nothing; a control word starts over. */
    rebase(f);
    outb(f, PORT_CW, CW(1, RW_WORD, 2, 0));
    outb(f, PORT_CH(1), 0x78);
    g_assert_cmphex(f->pit->channels[1].count, ==, 0x1200);
    outb(f, PORT_CW, CW(1, RW_WORD, 2, 0));
    outb(f, PORT_CH(1), 0xbc);
    outb(f, PORT_CH(1), 0x0a);
    g_assert_cmphex(f->pit->channels[1].count, ==, 0x0abc);
    /* Live reads alternate LSB and MSB. */
    g_assert_cmphex(inb(f, PORT_CH(1)), ==, 0xbc);
    g_assert_cmphex(inb(f, PORT_CH(1)), ==, 0x0a);
    at(f, 2);
    g_assert_cmphex(inb(f, PORT_CH(1)), ==, 0xba);
    g_assert_cmphex(inb(f, PORT_CH(1)), ==, 0x0a);
}

/* Counter latch command (datasheet "Counter Latch Command"). */
static void test_latch(Pit *f, gconstpointer data)
{
    program(f, 1, RW_WORD, 2, 0, 1000);
    at(f, 100);
    outb(f, PORT_CW, CW(1, RW_LATCH, 0, 0));
    at(f, 200);
    /* A second latch before the first is read is ignored. */
    outb(f, PORT_CW, CW(1, RW_LATCH, 0, 0));
    g_assert_cmpuint(read_word(f, 1), ==, 900);
    /* Read out, the counter is live again. */
    g_assert_cmpuint(read_word(f, 1), ==, 800);

    /* Latching mid-word: latched LSB and MSB, then the live MSB. */
    g_assert_cmphex(inb(f, PORT_CH(1)), ==, 800 & 0xff);
    outb(f, PORT_CW, CW(1, RW_LATCH, 0, 0));
    at(f, 300);
    g_assert_cmpuint(read_word(f, 1), ==, 800);
    g_assert_cmphex(inb(f, PORT_CH(1)), ==, 700 >> 8);

    /* In LSB mode one read releases the latch. */
    program(f, 2, RW_LSB, 0, 0, 0x80);
    rebase(f);
    outb(f, PORT_CW, CW(2, RW_LATCH, 0, 0));
    at(f, 0x10);
    g_assert_cmphex(inb(f, PORT_CH(2)), ==, 0x80);
    g_assert_cmphex(inb(f, PORT_CH(2)), ==, 0x70);

    /* QEMU keeps a pending latch across a new control word. */
    outb(f, PORT_CW, CW(2, RW_LATCH, 0, 0));
    program(f, 2, RW_WORD, 0, 0, 0x1234);
    g_assert_cmphex(inb(f, PORT_CH(2)), ==, 0x70);
    g_assert_cmphex(read_word(f, 2), ==, 0x1234);

    /* A counter never programmed has RW 0: a latch is not kept. */
    outb(f, PORT_CW, CW(0, RW_LATCH, 0, 0));
    g_assert_cmpuint(f->pit->channels[0].count_latched, ==, 0);
}

/* Read-back command (datasheet "Read-Back Command", "Status Byte"). */
static void test_read_back(Pit *f, gconstpointer data)
{
    program(f, 0, RW_WORD, 0, 0, 500);
    program(f, 1, RW_LSB, 2, 0, 0x40);
    program(f, 2, RW_WORD, 3, 1, 0x0300);
    at(f, 100);

    /* Count and status: the status byte comes first, then the count. */
    outb(f, PORT_CW, RB(true, true, 1));
    g_assert_cmphex(inb(f, PORT_CH(0)), ==, 0x30);
    g_assert_cmpuint(read_word(f, 0), ==, 400);

    /* A latched status is not overwritten until it is read. */
    outb(f, PORT_CW, RB(false, true, 1));
    at(f, 600);
    outb(f, PORT_CW, RB(false, true, 1));
    g_assert_cmphex(inb(f, PORT_CH(0)), ==, 0x30);
    g_assert_cmphex(read_status(f, 0), ==, 0xb0);

    /* Status only: count reads stay live. */
    outb(f, PORT_CW, RB(false, true, 1));
    g_assert_cmphex(inb(f, PORT_CH(0)), ==, 0xb0);
    g_assert_cmphex(read_word(f, 0), ==, (uint16_t)(500 - 600));

    /* Count only, all three counters at once. */
    outb(f, PORT_CW, RB(true, false, 7));
    at(f, 610);
    g_assert_cmphex(read_word(f, 0), ==, (uint16_t)(500 - 600));
    g_assert_cmphex(inb(f, PORT_CH(1)), ==, 0x40 - 600 % 0x40);
    /* Mode 3 BCD 300: 1200 half-clocks is four whole periods. */
    g_assert_cmphex(read_word(f, 2), ==, 0x0300);
    g_assert_cmphex(inb(f, PORT_CH(1)), ==, 0x40 - 610 % 0x40);

    /* A count latched by the latch command is not replaced. */
    outb(f, PORT_CW, CW(1, RW_LATCH, 0, 0));
    at(f, 620);
    outb(f, PORT_CW, RB(true, true, 2));
    g_assert_cmphex(inb(f, PORT_CH(1)), ==, 0x14);
    g_assert_cmphex(inb(f, PORT_CH(1)), ==, 0x40 - 610 % 0x40);
    /* Channels not selected are left alone. */
    g_assert_cmpuint(f->pit->channels[0].status_latched, ==, 0);
    g_assert_cmpuint(f->pit->channels[2].count_latched, ==, 0);
}

/*
 * Gate of counter 2 through port 0x61 bit 0. QEMU restarts modes 1, 2, 3
 * and 5 on a rising edge and otherwise ignores the gate (the datasheet
 * would also suspend counting in modes 0, 2, 3 and 4 while it is low).
 */
static void test_gate(Pit *f, gconstpointer data)
{
    static const struct {
        unsigned mode;
        bool restarts;
        uint16_t want;        /* count 100 clocks after a restart */
    } cases[] = {
        { 0, false, 0 }, { 1, true, 900 }, { 2, true, 900 }, { 3, true, 800 },
        { 4, false, 0 }, { 5, true, 900 },
    };

    for (unsigned i = 0; i < G_N_ELEMENTS(cases); i++) {
        int64_t load;

        g_test_message("mode %u", cases[i].mode);
        outb(f, PORT_61, 0x00);
        load = dm_clock_now(f->m.clock);
        program(f, 2, RW_WORD, cases[i].mode, 0, 1000);
        rebase(f);
        at(f, 300);
        outb(f, PORT_61, 0x01);
        g_assert_cmphex(inb(f, PORT_61) & 0x01, ==, 0x01);
        rebase(f);
        at(f, 100);
        /* A falling edge restarts nothing. */
        outb(f, PORT_61, 0x00);
        g_assert_cmphex(inb(f, PORT_61) & 0x01, ==, 0x00);
        if (cases[i].restarts) {
            g_assert_cmpuint(latch_word(f, 2), ==, cases[i].want);
        } else {
            uint64_t d = clocks_at(dm_clock_now(f->m.clock) - load);
            g_assert_cmpuint(latch_word(f, 2), ==, 1000 - d);
        }
    }
    /* Counter 2 has no IRQ; counter 0's reset wave is not due yet. */
    g_assert_cmpuint(f->edges->len, ==, 0);
}

/* Port 0x61 as QEMU's pcspk: gate 2, speaker data, refresh, OUT 2. */
static void test_port61(Pit *f, gconstpointer data)
{
    outb(f, PORT_61, 0xff);
    /* Only bits 0 and 1 are kept; the refresh bit toggles per read. */
    g_assert_cmphex(inb(f, PORT_61), ==, 0x33);
    g_assert_cmphex(inb(f, PORT_61), ==, 0x23);
    outb(f, PORT_61, 0x02);
    g_assert_cmphex(inb(f, PORT_61), ==, 0x32);
    outb(f, PORT_61, 0x01);
    g_assert_cmphex(inb(f, PORT_61), ==, 0x21);

    /* The firmware/Linux calibration loop: mode 0, poll OUT 2. */
    rebase(f);
    program(f, 2, RW_WORD, 0, 0, 1193);
    g_assert_cmphex(inb(f, PORT_61) & 0x20, ==, 0x00);
    at(f, 1192);
    g_assert_cmphex(inb(f, PORT_61) & 0x20, ==, 0x00);
    at(f, 1193);
    g_assert_cmphex(inb(f, PORT_61) & 0x20, ==, 0x20);
}

/* IRQ 0 follows OUT 0 only while not disabled (HPET legacy mode). */
static void test_irq_disabled(Pit *f, gconstpointer data)
{
    g_autoptr(GError) err = NULL;

    f->pit->irq_disabled = 1;
    g_assert_true(i8254_info.state->post_load(f->pit, 3, &err));
    g_assert_false(dm_timer_pending(&f->pit->irq_timer));
    program(f, 0, RW_WORD, 2, 0, 100);
    at(f, 1000);
    g_assert_cmpuint(f->edges->len, ==, 0);
    /* Reset keeps the flag and arms nothing. */
    i8254_info.reset(f->pit);
    g_assert_false(dm_timer_pending(&f->pit->irq_timer));
}

/* The board creates the PIT and routes the ports and IRQ 0 to it. */
static void test_board(void)
{
    g_autoptr(GError) err = NULL;
    DmOptions *o = dm_options_new();
    DmMachine *m;
    I8254 *pit;

    o->accel = g_strdup("qtest");
    o->machine_type = g_strdup("pc-i440fx-7.2");
    m = dm_machine_new(o, &err);
    g_assert_no_error(err);
    pit = dm_machine_find_device(m, "i8254");
    g_assert_nonnull(pit);
    g_assert_true(pit->machine == m);
    dm_space_write(m->io, PORT_CW, RB(false, true, 1), 1);
    g_assert_cmphex(dm_space_read(m->io, PORT_CH(0), 1), ==, 0x86);
    g_assert_cmphex(dm_space_read(m->io, PORT_61, 1), ==, 0x30);
    dm_clock_advance(m->clock, ns_at(0x10000));
    g_assert_true(m->irq_level[0]);
    dm_machine_free(m);
}

void test_i8254_register(void)
{
#define ADD(path, fn) \
    g_test_add("/hw/i8254/" path, Pit, NULL, pit_setup, fn, pit_teardown)
    ADD("power-on", test_power_on);
    ADD("mode0", test_mode0);
    ADD("mode1", test_mode1);
    ADD("mode2", test_mode2);
    ADD("mode3", test_mode3);
    ADD("mode3-odd", test_mode3_odd);
    ADD("mode4-5", test_mode4_5);
    ADD("mode6-7", test_mode6_7);
    ADD("bcd", test_bcd);
    ADD("access-modes", test_access_modes);
    ADD("latch", test_latch);
    ADD("read-back", test_read_back);
    ADD("gate", test_gate);
    ADD("port61", test_port61);
    ADD("irq-disabled", test_irq_disabled);
#undef ADD
    g_test_add_func("/hw/i8254/board", test_board);
}
