/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The MC146818 RTC and CMOS (hw/mc146818rtc.c) through ports 0x70/0x71
 * with a stepped clock. Sections are the MC146818A datasheet's; where
 * QEMU 7.2 differs from it, the test follows QEMU and says so.
 */
#include "test-hw.h"
#include "test-mc146818rtc.h"

#include "dm/dm-error.h"

#include <string.h>

/* Power-on values: QEMU's realize, reset and pc_cmos_init. */
static void test_power_on(Rtc *f, gconstpointer data)
{
    /* Friday 2020-02-28 23:59:58 in BCD, 24-hour mode. */
    static const uint8_t t0[8] = { 0x58, 0x59, 0x23, 0x06, 0x28, 0x02, 0x20,
                                   0x20 };

    g_assert_cmphex(cmos_read(f, REG_A), ==, 0x26);   /* 32 kHz, 1024 Hz */
    g_assert_cmphex(cmos_read(f, REG_B), ==, B_24H);
    g_assert_cmphex(cmos_read(f, REG_C), ==, 0x00);
    g_assert_cmphex(cmos_read(f, REG_D), ==, 0x80);   /* VRT */
    assert_time(f, t0);
    g_assert_cmphex(cmos_read(f, 0x37), ==, 0x20);    /* PS/2 century */
    /* -m 128: 640 KiB, 127 MiB above 1 MiB (capped), 112 MiB above 16. */
    g_assert_cmphex(cmos_read(f, 0x15), ==, 0x80);
    g_assert_cmphex(cmos_read(f, 0x16), ==, 0x02);
    g_assert_cmphex(cmos_read(f, 0x17), ==, 0xff);
    g_assert_cmphex(cmos_read(f, 0x18), ==, 0xff);
    g_assert_cmphex(cmos_read(f, 0x30), ==, 0xff);
    g_assert_cmphex(cmos_read(f, 0x31), ==, 0xff);
    g_assert_cmphex(cmos_read(f, 0x34), ==, 0x00);
    g_assert_cmphex(cmos_read(f, 0x35), ==, 0x07);
    g_assert_cmphex(cmos_read(f, 0x5b), ==, 0x00);
    g_assert_cmphex(cmos_read(f, 0x5f), ==, 0x00);    /* one CPU */
    g_assert_cmphex(cmos_read(f, 0x14), ==, 0x06);    /* FPU, PS/2 mouse */
    g_assert_cmphex(cmos_read(f, 0x3d), ==, 0x12);    /* "cad": c, a */
    g_assert_cmphex(cmos_read(f, 0x38), ==, 0x30);    /* d; check sigs */
    g_assert_cmphex(cmos_read(f, 0x0f), ==, 0x00);
    g_assert_cmphex(cmos_read(f, 0x7f), ==, 0x00);
    /* The index register is write-only. */
    g_assert_cmphex(dm_space_read(f->m.io, 0x70, 1), ==, 0xff);
    g_assert_false(irq8(f));
}

/* Values QEMU 7.2 stores for -m 5000 -smp 3 -boot order=nd. */
static void test_cmos_board(void)
{
    Rtc f;
    g_autoptr(GError) err = NULL;

    g_assert_true(rtc_start(&f, options("-m", "5000", "-smp", "3", "-boot",
                                        "order=nd", NULL), true, &err));
    g_assert_cmphex(cmos_read(&f, 0x34), ==, 0x00);   /* 3 GiB below 4G */
    g_assert_cmphex(cmos_read(&f, 0x35), ==, 0xbf);
    g_assert_cmphex(cmos_read(&f, 0x5b), ==, 0x80);   /* 1928 MiB above */
    g_assert_cmphex(cmos_read(&f, 0x5c), ==, 0x78);
    g_assert_cmphex(cmos_read(&f, 0x5d), ==, 0x00);
    g_assert_cmphex(cmos_read(&f, 0x5f), ==, 0x02);
    g_assert_cmphex(cmos_read(&f, 0x3d), ==, 0x34);   /* network, CD */
    g_assert_cmphex(cmos_read(&f, 0x38), ==, 0x00);
    rtc_stop(&f);

    /* No local RAM (Xen): qemu-xen puts up to 0xf0000000 below 4 GiB. */
    g_assert_true(rtc_start(&f, options("-m", "5000", NULL), false, &err));
    g_assert_cmphex(cmos_read(&f, 0x35), ==, 0xef);
    g_assert_cmphex(cmos_read(&f, 0x5c), ==, 0x48);
    g_assert_cmphex(cmos_read(&f, 0x5b), ==, 0x80);
    rtc_stop(&f);
    g_assert_true(rtc_start(&f, options("-m", "5000", "-machine",
                                        "pc,max-ram-below-4g=2G", NULL),
                            false, &err));
    g_assert_cmphex(cmos_read(&f, 0x35), ==, 0x7f);
    rtc_stop(&f);

    /* QEMU's set_boot_dev refuses the rest at start. */
    g_assert_false(rtc_start(&f, options("-boot", "order=cdna", NULL), true,
                             &err));
    g_assert_error(err, DM_ERROR, DM_ERROR_INVALID);
    g_assert_nonnull(strstr(err->message, "'cdna'"));
    rtc_stop(&f);
    g_clear_error(&err);
    g_assert_false(rtc_start(&f, options("-boot", "order=e", NULL), true,
                             &err));
    g_assert_error(err, DM_ERROR, DM_ERROR_INVALID);
    rtc_stop(&f);
}

/* Datasheet "Time, Calendar and Alarm Locations": carries in BCD. */
static void test_time_bcd(Rtc *f, gconstpointer data)
{
    static const uint8_t leap_day[8] = { 0x00, 0x00, 0x00, 0x07, 0x29, 0x02,
                                         0x20, 0x20 };
    static const uint8_t march[8] = { 0x00, 0x00, 0x00, 0x01, 0x01, 0x03,
                                      0x20, 0x20 };
    static const uint8_t t1[8] = { 0x59, 0x59, 0x23, 0x06, 0x28, 0x02, 0x20,
                                   0x20 };

    at(f, NS - 1);
    g_assert_cmphex(cmos_read(f, SECOND), ==, 0x58);
    at(f, NS);
    assert_time(f, t1);
    at(f, 2 * NS);                                    /* 2020 is leap */
    assert_time(f, leap_day);
    at(f, 2 * NS + 86400 * NS);
    assert_time(f, march);
    at(f, 2 * NS + 86400 * NS + 3599 * NS);
    g_assert_cmphex(cmos_read(f, MINUTE), ==, 0x59);
    g_assert_cmphex(cmos_read(f, HOUR), ==, 0x00);
    at(f, 2 * NS + 86400 * NS + 3600 * NS);
    g_assert_cmphex(cmos_read(f, MINUTE), ==, 0x00);
    g_assert_cmphex(cmos_read(f, HOUR), ==, 0x01);
}

/* Month and year ends; 1900 and 2100 are not leap years, 2000 is. */
static void test_time_calendar(void)
{
    static const struct {
        const char *base;
        uint8_t want[8];
    } cases[] = {
        { "2021-02-28T23:59:59", { 0, 0, 0, 0x02, 0x01, 0x03, 0x21, 0x20 } },
        { "2000-02-28T23:59:59", { 0, 0, 0, 0x03, 0x29, 0x02, 0x00, 0x20 } },
        { "2100-02-28T23:59:59", { 0, 0, 0, 0x02, 0x01, 0x03, 0x00, 0x21 } },
        { "1999-12-31T23:59:59", { 0, 0, 0, 0x07, 0x01, 0x01, 0x00, 0x20 } },
        { "2020-04-30T23:59:59", { 0, 0, 0, 0x06, 0x01, 0x05, 0x20, 0x20 } },
        { "2020-01-31T23:59:59", { 0, 0, 0, 0x07, 0x01, 0x02, 0x20, 0x20 } },
    };

    for (unsigned i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autofree char *rtc = g_strdup_printf("base=%s,clock=vm",
                                               cases[i].base);
        Rtc f;

        rtc_setup(&f, rtc);
        at(&f, NS);
        assert_time(&f, cases[i].want);
        rtc_stop(&f);
    }
}

/* DM = 1: binary. The registers turn binary at the next refresh. */
static void test_time_binary(Rtc *f, gconstpointer data)
{
    static const uint8_t t0[8] = { 58, 59, 23, 6, 28, 2, 20, 20 };
    static const uint8_t t2[8] = { 0, 0, 0, 7, 29, 2, 20, 20 };

    cmos_write(f, REG_B, B_24H | B_DM);
    assert_time(f, t0);
    at(f, 2 * NS);
    assert_time(f, t2);
    /* Writing a binary time restarts the clock from it. */
    cmos_write(f, MINUTE, 30);
    at(f, 3 * NS);
    g_assert_cmphex(cmos_read(f, SECOND), ==, 1);
    g_assert_cmphex(cmos_read(f, MINUTE), ==, 30);
}

/* 24/12 = 0: hours 1-12 with bit 7 for PM. */
static void test_time_12h(Rtc *f, gconstpointer data)
{
    cmos_write(f, REG_B, 0);
    g_assert_cmphex(cmos_read(f, HOUR), ==, 0x91);    /* 11 PM */
    at(f, 2 * NS);
    g_assert_cmphex(cmos_read(f, HOUR), ==, 0x12);    /* 12 AM */
    at(f, 2 * NS + 3600 * NS);
    g_assert_cmphex(cmos_read(f, HOUR), ==, 0x01);
    /* 12 PM, then 1 PM; written hours count from the PM bit too. */
    cmos_write(f, HOUR, 0x92);
    g_assert_cmphex(cmos_read(f, HOUR), ==, 0x92);
    at(f, 2 * NS + 7200 * NS);
    g_assert_cmphex(cmos_read(f, HOUR), ==, 0x81);
    cmos_write(f, REG_B, B_24H);
    at(f, 2 * NS + 7201 * NS);
    g_assert_cmphex(cmos_read(f, HOUR), ==, 0x13);
}

/* UIP: set in the last 244 us of each second (QEMU's window). */
static void test_uip(Rtc *f, gconstpointer data)
{
    at(f, NS - UIP_HOLD - 1);
    g_assert_cmphex(cmos_read(f, REG_A), ==, 0x26);
    at(f, NS - UIP_HOLD);
    g_assert_cmphex(cmos_read(f, REG_A), ==, 0xa6);
    g_assert_cmphex(cmos_read(f, SECOND), ==, 0x58);     /* not yet updated */
    at(f, NS - 1);
    g_assert_cmphex(cmos_read(f, REG_A), ==, 0xa6);
    at(f, NS);
    g_assert_cmphex(cmos_read(f, REG_A), ==, 0x26);
    g_assert_cmphex(cmos_read(f, SECOND), ==, 0x59);
    /* UIP is read-only, and never shows while SET holds the clock. */
    cmos_write(f, REG_A, 0xa6);
    g_assert_cmphex(cmos_read(f, REG_A), ==, 0x26);
    cmos_write(f, REG_B, B_24H | B_SET);
    at(f, 2 * NS - 1);
    g_assert_cmphex(cmos_read(f, REG_A), ==, 0x26);
}

/* UF: the end of every update cycle; IRQ 8 with UIE; C read clears. */
static void test_update_irq(Rtc *f, gconstpointer data)
{
    /* Without UIE the flag is set but the line stays low. */
    cmos_write(f, HOUR_ALARM, 0x12);                  /* no alarm here */
    at(f, NS);
    g_assert_false(irq8(f));
    g_assert_cmphex(cmos_read(f, REG_C), ==, C_UF);
    g_assert_cmphex(cmos_read(f, REG_C), ==, 0x00);

    cmos_write(f, REG_B, B_24H | B_UIE);
    g_assert_false(irq8(f));
    at(f, 2 * NS - 1);
    g_assert_false(irq8(f));
    at(f, 2 * NS);
    g_assert_true(irq8(f));
    g_assert_cmpint(g_array_index(f->edges, Edge, 0).at, ==, 2 * NS);
    g_assert_cmphex(cmos_read(f, REG_C), ==, C_IRQF | C_UF);
    g_assert_false(irq8(f));
    g_assert_cmphex(cmos_read(f, REG_C), ==, 0x00);
    at(f, 3 * NS);
    g_assert_true(irq8(f));

    /* Enabling UIE with UF pending raises IRQ 8 at once. */
    cmos_write(f, REG_B, B_24H);
    g_assert_false(irq8(f));
    at(f, 4 * NS);
    cmos_write(f, REG_B, B_24H | B_UIE);
    g_assert_true(irq8(f));
    g_assert_cmphex(cmos_read(f, REG_C), ==, C_IRQF | C_UF);
}

/* AF: hour, minute and second match; 0xc0-0xff is "don't care". */
static void test_alarm(Rtc *f, gconstpointer data)
{
    /* Any hour and minute, second 05: 00:00:05, seven seconds on. */
    cmos_write(f, HOUR_ALARM, 0xc0);
    cmos_write(f, MINUTE_ALARM, 0xff);
    cmos_write(f, SECOND_ALARM, 0x05);
    cmos_write(f, REG_B, B_24H | B_AIE);
    at(f, 7 * NS - 1);
    g_assert_false(irq8(f));
    g_assert_cmphex(cmos_read(f, REG_C) & C_AF, ==, 0);
    at(f, 7 * NS);
    g_assert_true(irq8(f));
    g_assert_cmphex(cmos_read(f, REG_C), ==, C_IRQF | C_AF | C_UF);
    g_assert_cmphex(cmos_read(f, SECOND), ==, 0x05);
    /* A minute later again. */
    at(f, 66 * NS);
    g_assert_false(irq8(f));
    at(f, 67 * NS);
    g_assert_true(irq8(f));
    g_assert_cmphex(cmos_read(f, MINUTE), ==, 0x01);
    g_assert_cmphex(cmos_read(f, REG_C), ==, C_IRQF | C_AF | C_UF);

    /* All three don't care: every second. */
    cmos_write(f, SECOND_ALARM, 0xc0);
    at(f, 68 * NS);
    g_assert_cmphex(cmos_read(f, REG_C), ==, C_IRQF | C_AF | C_UF);
    at(f, 69 * NS);
    g_assert_cmphex(cmos_read(f, REG_C), ==, C_IRQF | C_AF | C_UF);

    /* A full match: 00:02:30 (now 00:01:07). */
    cmos_write(f, HOUR_ALARM, 0x00);
    cmos_write(f, MINUTE_ALARM, 0x02);
    cmos_write(f, SECOND_ALARM, 0x30);
    at(f, 152 * NS - 1);
    g_assert_cmphex(cmos_read(f, REG_C) & C_AF, ==, 0);
    at(f, 152 * NS);
    g_assert_cmphex(cmos_read(f, REG_C) & C_AF, ==, C_AF);
    /* Without AIE the flag still sets, the line does not. */
    cmos_write(f, REG_B, B_24H);
    cmos_write(f, HOUR_ALARM, 0xff);
    cmos_write(f, MINUTE_ALARM, 0xff);
    at(f, 213 * NS);
    g_assert_false(irq8(f));
    g_assert_cmphex(cmos_read(f, REG_C), ==, C_AF | C_UF);
}

/* Datasheet Table 5 with a 32.768 kHz time base. */
static void test_periodic(Rtc *f, gconstpointer data)
{
    static const struct {
        uint8_t rs;
        int64_t cycles;
    } rates[] = {
        { 0x1, 128 }, { 0x2, 256 }, { 0x3, 4 }, { 0x6, 32 }, { 0xf, 16384 },
    };

    for (unsigned i = 0; i < G_N_ELEMENTS(rates); i++) {
        int64_t t = dm_clock_now(f->m.clock);
        int64_t period = rates[i].cycles * NS / 32768;
        /* On QEMU's grid of 32768 Hz cycles, one ns after the edge. */
        int64_t first = ((t * 32768 / NS) + rates[i].cycles) * NS / 32768 + 1;

        cmos_write(f, REG_A, 0x20 | rates[i].rs);
        cmos_write(f, REG_B, B_24H | B_PIE);
        (void)cmos_read(f, REG_C);
        at(f, first - 1);
        g_assert_false(irq8(f));
        at(f, first);
        g_assert_true(irq8(f));
        g_assert_cmphex(cmos_read(f, REG_C) & (C_IRQF | C_PF), ==,
                        C_IRQF | C_PF);
        g_assert_false(irq8(f));
        at(f, first + period + 1);
        g_assert_true(irq8(f));
        cmos_write(f, REG_B, B_24H);
        (void)cmos_read(f, REG_C);
        at(f, dm_clock_now(f->m.clock) + 3 * period);
        g_assert_false(irq8(f));
    }
    /* Rate 0 or PIE clear: no periodic flag at all (QEMU). */
    cmos_write(f, REG_A, 0x20);
    cmos_write(f, REG_B, B_24H | B_PIE);
    at(f, dm_clock_now(f->m.clock) + NS / 4);
    g_assert_cmphex(cmos_read(f, REG_C) & C_PF, ==, 0);
}

/* DV2-DV0 = 11x holds the divider in reset; the first update after
 * release comes half a second later (datasheet "Divider Chain Control"). */
static void test_divider_reset(Rtc *f, gconstpointer data)
{
    at(f, NS / 4);
    cmos_write(f, REG_B, B_24H | B_UIE);
    cmos_write(f, REG_A, 0x76);
    at(f, 5 * NS);
    g_assert_cmphex(cmos_read(f, SECOND), ==, 0x58);
    g_assert_false(irq8(f));
    g_assert_cmphex(cmos_read(f, REG_A), ==, 0x76);
    cmos_write(f, REG_A, 0x26);
    at(f, 5 * NS + NS / 2 - 1);
    g_assert_cmphex(cmos_read(f, SECOND), ==, 0x58);
    g_assert_false(irq8(f));
    at(f, 5 * NS + NS / 2);
    g_assert_true(irq8(f));
    g_assert_cmphex(cmos_read(f, SECOND), ==, 0x59);
    at(f, 6 * NS + NS / 2);
    g_assert_cmphex(cmos_read(f, SECOND), ==, 0x00);
}

/* SET: updates stop, UIE clears, and the written time starts on release
 * with the old phase within the second (QEMU). The weekday written is
 * kept while SET holds, then follows the date (QEMU derives it). */
static void test_set_bit(Rtc *f, gconstpointer data)
{
    static const uint8_t set[8] = { 0x30, 0x15, 0x10, 0x02, 0x01, 0x06,
                                    0x21, 0x20 };
    static const uint8_t run[8] = { 0x30, 0x15, 0x10, 0x03, 0x01, 0x06,
                                    0x21, 0x20 };

    cmos_write(f, REG_B, B_24H | B_UIE);
    at(f, NS / 4);
    cmos_write(f, REG_B, B_24H | B_UIE | B_SET);
    g_assert_cmphex(cmos_read(f, REG_B), ==, B_24H | B_SET);
    cmos_write(f, SECOND, 0x30);
    cmos_write(f, MINUTE, 0x15);
    cmos_write(f, HOUR, 0x10);
    cmos_write(f, WDAY, 0x02);
    cmos_write(f, MDAY, 0x01);
    cmos_write(f, MONTH, 0x06);
    cmos_write(f, YEAR, 0x21);
    at(f, 3 * NS);
    assert_time(f, set);
    (void)cmos_read(f, REG_C);
    cmos_write(f, REG_B, B_24H);
    assert_time(f, run);                            /* a Tuesday */
    at(f, 4 * NS - 1);
    g_assert_cmphex(cmos_read(f, SECOND), ==, 0x30);
    at(f, 4 * NS);
    g_assert_cmphex(cmos_read(f, SECOND), ==, 0x31);
    g_assert_cmphex(cmos_read(f, MDAY), ==, 0x01);
}

/* Port 0x70 bit 7 masks NMI on a PC; it never selects a register. */
static void test_index(Rtc *f, gconstpointer data)
{
    cmos_write(f, 0x40, 0x5a);
    g_assert_cmphex(cmos_read(f, 0x80 | 0x40), ==, 0x5a);
    g_assert_cmphex(cmos_read(f, 0x80 | REG_A), ==, 0x26);
    g_assert_cmphex(f->rtc->cmos_index, ==, REG_A);
    /* 0x37 aliases the century and leaves the index there. */
    cmos_write(f, 0x37, 0x19);
    g_assert_cmphex(f->rtc->cmos_index, ==, CENTURY);
    g_assert_cmphex(cmos_read(f, CENTURY), ==, 0x19);
    g_assert_cmphex(cmos_read(f, YEAR), ==, 0x20);
    /* C and D are read-only. */
    cmos_write(f, REG_C, 0xff);
    cmos_write(f, REG_D, 0x00);
    g_assert_cmphex(cmos_read(f, REG_C), ==, 0x00);
    g_assert_cmphex(cmos_read(f, REG_D), ==, 0x80);
    /* A 16-bit access is two byte accesses: index, then data. */
    dm_space_write(f->m.io, 0x70, 0x5a40, 2);
    g_assert_cmphex(cmos_read(f, 0x40), ==, 0x5a);
}

/* Reset clears the enables and flags, not the time or CMOS RAM. */
static void test_reset(Rtc *f, gconstpointer data)
{
    cmos_write(f, REG_B, B_24H | B_UIE | B_AIE | B_PIE | 0x08);
    cmos_write(f, 0x0f, 0x05);
    cmos_write(f, 0x40, 0x77);
    at(f, NS);
    g_assert_true(irq8(f));
    mc146818rtc_info.reset(f->rtc);
    g_assert_false(irq8(f));
    g_assert_cmphex(cmos_read(f, REG_B), ==, B_24H | B_UIE);
    g_assert_cmphex(cmos_read(f, REG_C), ==, 0x00);
    g_assert_cmphex(cmos_read(f, 0x0f), ==, 0x00);
    g_assert_cmphex(cmos_read(f, 0x40), ==, 0x77);
    g_assert_cmphex(cmos_read(f, SECOND), ==, 0x59);
    /* Shutdown status 0xfe (S3 resume) survives. */
    cmos_write(f, 0x0f, 0xfe);
    mc146818rtc_info.reset(f->rtc);
    g_assert_cmphex(cmos_read(f, 0x0f), ==, 0xfe);
}

/* Idle, the RTC arms nothing on the virtual clock (a bare qtest
 * clock_step must reach the other devices' timers); with UIE it does. */
static void test_idle_deadline(Rtc *f, gconstpointer data)
{
    g_assert_cmpint(dm_clock_deadline(f->m.clock), ==, -1);
    at(f, 5 * NS / 2);
    g_assert_cmphex(cmos_read(f, SECOND), ==, 0x00);
    /* The replayed cycles set UF, then AF at midnight (alarm 00:00:00). */
    g_assert_cmphex(cmos_read(f, REG_C), ==, C_AF | C_UF);
    cmos_write(f, REG_B, B_24H | B_UIE);
    g_assert_cmpint(dm_clock_deadline(f->m.clock), ==, NS / 2);
    /* With UF and AF pending only the alarm could matter: nothing armed. */
    at(f, 3 * NS);
    g_assert_true(irq8(f));
    cmos_write(f, REG_B, B_24H | B_AIE);
    g_assert_cmpint(dm_clock_deadline(f->m.clock), ==, 86399 * NS);
}

/* clock=host under qtest: the host's date, moved by the virtual clock. */
static void test_clock_host(void)
{
    Rtc f;
    time_t now = time(NULL);
    struct tm tm;
    int64_t t;

    rtc_setup(&f, "base=utc");
    g_assert_cmpint(f.rtc->last_update % NS, ==, 0);
    g_assert_cmpint(f.rtc->last_update / NS, >=, now - 1);
    g_assert_cmpint(f.rtc->last_update / NS, <=, now + 60);
    t = f.rtc->base_rtc;
    gmtime_r(&t, &tm);
    g_assert_cmpint(cmos_read(&f, YEAR), ==,
                    (tm.tm_year % 100 / 10) << 4 | tm.tm_year % 10);
    /* Only the virtual clock moves it, and on the same 32 kHz grid. */
    cmos_write(&f, REG_B, B_24H | B_PIE);
    at(&f, 976562);
    g_assert_false(irq8(&f));
    at(&f, 976563);
    g_assert_true(irq8(&f));
    g_assert_cmpint(f.rtc->base_rtc, ==, t);
    rtc_stop(&f);
}

/* -rtc: QEMU's grammar; bad values name the option and the value. */
static void test_options(void)
{
    static const struct {
        const char *arg;
        const char *error;    /* NULL: accepted */
    } cases[] = {
        { "base=utc", NULL },
        { "base=localtime,clock=host", NULL },
        { "base=2006-06-17", NULL },
        { "base=2006-06-17T16:01:21,clock=vm,driftfix=none", NULL },
        { "base=2021-02-29", "-rtc base=2021-02-29: base '2021-02-29' is "
                             "not utc, localtime or a date" },
        { "base=2006-06-17T24:00:00", "base '2006-06-17T24:00:00' is not" },
        { "base=2006-6-17", "base '2006-6-17' is not" },
        { "base=tomorrow", "-rtc base=tomorrow: base 'tomorrow'" },
        { "clock=rt", "-rtc clock=rt: clock 'rt' is not host or vm" },
        { "driftfix=slew", "-rtc driftfix=slew: reinjecting lost RTC ticks "
                           "(driftfix=slew) is not emulated by stubdm" },
        { "driftfix=fast", "driftfix 'fast' is not none or slew" },
        { "utc", "-rtc utc:" },
        { "base=utc,tz=1", "unknown parameter 'tz'" },
    };

    for (unsigned i = 0; i < G_N_ELEMENTS(cases); i++) {
        char *argv[] = { "stubdm", "-qtest", "stdio", "-rtc",
                         (char *)cases[i].arg };
        g_autoptr(DmOptions) o = dm_options_new();
        g_autoptr(GError) err = NULL;
        gboolean ok = dm_options_parse(o, G_N_ELEMENTS(argv), argv, &err);

        if (!cases[i].error) {
            g_assert_no_error(err);
            g_assert_true(ok);
            continue;
        }
        g_assert_false(ok);
        g_assert_nonnull(err);
        if (!strstr(err->message, cases[i].error)) {
            g_error("-rtc %s: '%s' lacks '%s'", cases[i].arg, err->message,
                    cases[i].error);
        }
    }
    {
        char *argv[] = { "stubdm", "-qtest", "stdio", "-rtc",
                         "base=2020-02-28T23:59:58", "-rtc", "clock=vm" };
        g_autoptr(DmOptions) o = dm_options_new();

        g_assert_true(dm_options_parse(o, G_N_ELEMENTS(argv), argv, NULL));
        g_assert_cmpint(o->rtc_base, ==, DM_RTC_BASE_DATE);
        g_assert_cmpint(o->rtc_base_date, ==, 1582934398);
        g_assert_true(o->rtc_clock_vm);
    }
}

void test_mc146818rtc_register(void)
{
#define ADD(path, fn) \
    g_test_add("/hw/mc146818rtc/" path, Rtc, NULL, rtc_setup, fn, \
               rtc_teardown)
    ADD("power-on", test_power_on);
    g_test_add_func("/hw/mc146818rtc/cmos-board", test_cmos_board);
    ADD("time/bcd", test_time_bcd);
    g_test_add_func("/hw/mc146818rtc/time/calendar", test_time_calendar);
    ADD("time/binary", test_time_binary);
    ADD("time/12h", test_time_12h);
    ADD("uip", test_uip);
    ADD("irq/update", test_update_irq);
    ADD("irq/alarm", test_alarm);
    ADD("irq/periodic", test_periodic);
    ADD("divider-reset", test_divider_reset);
    ADD("set-bit", test_set_bit);
    ADD("index", test_index);
    ADD("reset", test_reset);
    ADD("idle-deadline", test_idle_deadline);
    g_test_add_func("/hw/mc146818rtc/clock-host", test_clock_host);
    g_test_add_func("/hw/mc146818rtc/options", test_options);
#undef ADD
}
