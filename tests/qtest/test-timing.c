/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Time-dependent device behaviour through the running process, with the
 * qtest clock: the PIT's counters and IRQ 0, the ACPI PM timer and its
 * overflow, the RTC's update cycle and periodic interrupt. Expected
 * numbers come from the datasheets (8254: 1.193182 MHz input; PIIX4
 * 7.2: 3.579545 MHz PM timer; MC146818: 1 s updates, 32.768 kHz base).
 */
#include "qtest-client.h"

#define NS 1000000000LL
#define PIT_HZ 1193182LL
#define PMTMR_HZ 3579545LL
#define PMBA 0xb000

/* Nanoseconds of n PIT input clocks, rounded up as the device counts. */
static int64_t pit_ns(int64_t clocks)
{
    return (clocks * NS + PIT_HZ - 1) / PIT_HZ;
}

/* 8254 mode 2 (rate generator): the count falls by one per input clock. */
static void test_pit_count(void)
{
    g_autoptr(QtcProcess) p = qtc_start("-S");
    int64_t t0;
    uint16_t count;

    qtc_outb(p, 0x43, 0x34);            /* ch0, LSB then MSB, mode 2 */
    qtc_outb(p, 0x40, 0x00);
    qtc_outb(p, 0x40, 0x10);            /* count 0x1000 */
    t0 = qtc_clock_step(p, 0);
    qtc_clock_step(p, pit_ns(0x100));
    qtc_outb(p, 0x43, 0x00);            /* latch ch0 */
    count = qtc_inb(p, 0x40);
    count |= qtc_inb(p, 0x40) << 8;
    g_assert_cmphex(count, ==, 0x1000 - 0x100);
    g_assert_cmpint(t0, >=, 0);
}

/* Mode 2 pulses OUT 0 low for one clock per period: IRQ 0 edges. */
static void test_pit_irq0(void)
{
    g_autoptr(QtcProcess) p = qtc_start("-S");
    GPtrArray *log;
    guint raises = 0;

    qtc_irq_intercept_in(p, "ioapic");
    qtc_outb(p, 0x43, 0x34);
    qtc_outb(p, 0x40, 0x00);
    qtc_outb(p, 0x40, 0x10);            /* period 4096 clocks */
    /* Ten periods and a little: ten pulses. */
    qtc_clock_step(p, pit_ns(0x1000 * 10 + 0x80));
    log = qtc_irq_log(p);
    for (guint i = 0; i < log->len; i++) {
        raises += !strcmp(g_ptr_array_index(log, i), "raise 0");
    }
    g_assert_cmpuint(raises, >=, 10);
    g_assert_cmpuint(raises, <=, 11);
}

static void pm_enable(QtcProcess *p)
{
    qtc_outl(p, 0xcf8, 0x80000b40);     /* 00:01.3 PMBA */
    qtc_outl(p, 0xcfc, PMBA | 1);
    qtc_outl(p, 0xcf8, 0x80000b80);     /* PMREGMISC: I/O on */
    qtc_outb(p, 0xcfc, 0x01);
}

/* PM_TMR counts at 3.579545 MHz from the virtual clock. */
static void test_pm_timer(void)
{
    g_autoptr(QtcProcess) p = qtc_start("-S");
    uint32_t a, b;

    pm_enable(p);
    a = qtc_inl(p, PMBA + 8);
    qtc_clock_step(p, NS / 10);
    b = qtc_inl(p, PMBA + 8);
    /* 0.1 s is 357954.5 ticks. */
    g_assert_cmpuint((b - a) & 0xffffff, >=, 357954);
    g_assert_cmpuint((b - a) & 0xffffff, <=, 357955);
}

/* Bit 23 of the 24-bit timer toggling sets TMROF_STS (PM1_STS bit 0). */
static void test_pm_timer_overflow(void)
{
    g_autoptr(QtcProcess) p = qtc_start("-S");
    int64_t to_toggle;
    uint32_t now;

    pm_enable(p);
    qtc_outw(p, PMBA, 0xffff);          /* clear status */
    now = qtc_inl(p, PMBA + 8) & 0xffffff;
    to_toggle = ((0x800000 - (now & 0x7fffff)) * NS + PMTMR_HZ - 1) /
                PMTMR_HZ;
    qtc_clock_step(p, to_toggle - 1000);
    g_assert_cmphex(qtc_inw(p, PMBA) & 1, ==, 0);
    qtc_clock_step(p, 2000);
    g_assert_cmphex(qtc_inw(p, PMBA) & 1, ==, 1);
    qtc_outw(p, PMBA, 0x0001);          /* write 1 to clear */
    g_assert_cmphex(qtc_inw(p, PMBA) & 1, ==, 0);
}

static uint8_t cmos(QtcProcess *p, uint8_t reg)
{
    qtc_outb(p, 0x70, reg);
    return qtc_inb(p, 0x71);
}

static void cmos_set(QtcProcess *p, uint8_t reg, uint8_t v)
{
    qtc_outb(p, 0x70, reg);
    qtc_outb(p, 0x71, v);
}

/* Seconds advance once per second of virtual time (BCD). */
static void test_rtc_update(void)
{
    g_autoptr(QtcProcess) p =
        qtc_start("-S -rtc base=2020-02-28T23:59:58,clock=vm");

    g_assert_cmphex(cmos(p, 0x00), ==, 0x58);
    qtc_clock_step(p, 2 * NS);
    /* 23:59:58 + 2 s: the next day, 2020-02-29 (a leap year). */
    g_assert_cmphex(cmos(p, 0x00), ==, 0x00);
    g_assert_cmphex(cmos(p, 0x02), ==, 0x00);
    g_assert_cmphex(cmos(p, 0x04), ==, 0x00);
    g_assert_cmphex(cmos(p, 0x07), ==, 0x29);
    g_assert_cmphex(cmos(p, 0x08), ==, 0x02);
}

/* Register A rate 6 is 1024 Hz: PF in register C and IRQ 8 with PIE. */
static void test_rtc_periodic(void)
{
    g_autoptr(QtcProcess) p = qtc_start("-S -rtc clock=vm");

    qtc_irq_intercept_in(p, "ioapic");
    cmos_set(p, 0x0a, 0x26);            /* divider on, rate 6 */
    cmos_set(p, 0x0b, 0x42);            /* PIE, 24 h */
    (void)cmos(p, 0x0c);                /* clear pending flags */
    qtc_clock_step(p, NS / 1024 + 1000);
    g_assert_true(qtc_get_irq(p, 8));
    g_assert_cmphex(cmos(p, 0x0c) & 0xc0, ==, 0xc0);   /* IRQF | PF */
    g_assert_false(qtc_get_irq(p, 8));  /* reading C lowers it */
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/timing/pit/count", test_pit_count);
    g_test_add_func("/timing/pit/irq0", test_pit_irq0);
    g_test_add_func("/timing/pm/timer", test_pm_timer);
    g_test_add_func("/timing/pm/overflow", test_pm_timer_overflow);
    g_test_add_func("/timing/rtc/update", test_rtc_update);
    g_test_add_func("/timing/rtc/periodic", test_rtc_periodic);
    return g_test_run();
}
