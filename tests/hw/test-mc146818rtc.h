/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The Rtc fixture shared by test-mc146818rtc.c (the clock, CMOS and
 * interrupts) and test-mc146818rtc-state.c (the "mc146818rtc" section): a
 * bare machine with the RTC, a stepped clock and the edges on IRQ 8.
 */
#ifndef TEST_MC146818RTC_H
#define TEST_MC146818RTC_H

#include "dm/machine.h"
#include "hw/mc146818rtc.h"

#include <glib.h>
#include <stdarg.h>
#include <string.h>

#define NS           INT64_C(1000000000)
#define MS           INT64_C(1000000)
#define UIP_HOLD     INT64_C(244140)   /* 8 cycles of 32768 Hz, truncated */

#define SECOND       0x00
#define SECOND_ALARM 0x01
#define MINUTE       0x02
#define MINUTE_ALARM 0x03
#define HOUR         0x04
#define HOUR_ALARM   0x05
#define WDAY         0x06
#define MDAY         0x07
#define MONTH        0x08
#define YEAR         0x09
#define REG_A        0x0a
#define REG_B        0x0b
#define REG_C        0x0c
#define REG_D        0x0d
#define CENTURY      0x32

#define B_SET        0x80
#define B_PIE        0x40
#define B_AIE        0x20
#define B_UIE        0x10
#define B_DM         0x04
#define B_24H        0x02
#define C_IRQF       0x80
#define C_PF         0x40
#define C_AF         0x20
#define C_UF         0x10

typedef struct {
    int64_t at;
    bool level;
} Edge;

typedef struct {
    DmMachine m;              /* options, clock, io, IRQ lines; no board */
    Mc146818Rtc *rtc;
    GArray *edges;            /* Edge on IRQ 8 */
} Rtc;

static inline void record_edge(void *opaque, unsigned irq, bool level)
{
    Rtc *f = opaque;
    Edge e = { dm_clock_now(f->m.clock), level };

    if (irq == 8) {
        g_array_append_val(f->edges, e);
    }
}

/* Options as a command line; NULL-terminated. */
static inline DmOptions *options(const char *first, ...)
{
    g_autoptr(GPtrArray) argv = g_ptr_array_new();
    g_autoptr(GError) err = NULL;
    DmOptions *o = dm_options_new();
    va_list ap;

    g_ptr_array_add(argv, "stubdm");
    g_ptr_array_add(argv, "-accel");
    g_ptr_array_add(argv, "qtest");
    va_start(ap, first);
    for (const char *a = first; a; a = va_arg(ap, const char *)) {
        g_ptr_array_add(argv, (char *)a);
    }
    va_end(ap);
    g_assert_true(dm_options_parse(o, argv->len, (char **)argv->pdata,
                                   &err));
    g_assert_no_error(err);
    return o;
}

static inline gboolean rtc_start(Rtc *f, DmOptions *o, bool with_ram,
                                 GError **errp)
{
    memset(f, 0, sizeof(*f));
    f->m.opts = o;
    f->m.clock = dm_clock_new(true);
    f->m.io = dm_space_new("io", 0xff);
    if (with_ram) {
        f->m.guest_ram = ram_guest_new(o->ram_size, o->max_ram_below_4g,
                                       errp);
        g_assert_nonnull(f->m.guest_ram);
    }
    f->edges = g_array_new(FALSE, FALSE, sizeof(Edge));
    dm_machine_set_irq_observer(&f->m, record_edge, f);
    f->rtc = g_malloc0(mc146818rtc_info.instance_size);
    if (!mc146818rtc_info.realize(&f->m, f->rtc, errp)) {
        return FALSE;
    }
    mc146818rtc_info.reset(f->rtc);
    return TRUE;
}

static inline void rtc_stop(Rtc *f)
{
    if (f->rtc->machine) {
        mc146818rtc_info.unrealize(f->rtc);
    }
    g_free(f->rtc);
    g_array_free(f->edges, TRUE);
    ram_guest_free(f->m.guest_ram);
    dm_space_free(f->m.io);
    dm_clock_free(f->m.clock);
    dm_options_free(f->m.opts);
}

/* The default: a fixed start on the virtual clock, so every byte is known. */
static inline void rtc_setup(Rtc *f, gconstpointer data)
{
    const char *rtc = data ? data : "base=2020-02-28T23:59:58,clock=vm";
    g_autoptr(GError) err = NULL;

    g_assert_true(rtc_start(f, options("-rtc", rtc, NULL), true, &err));
    g_assert_no_error(err);
}

static inline void rtc_teardown(Rtc *f, gconstpointer data)
{
    rtc_stop(f);
}

static inline uint8_t cmos_read(Rtc *f, uint8_t index)
{
    dm_space_write(f->m.io, 0x70, index, 1);
    return dm_space_read(f->m.io, 0x71, 1);
}

static inline void cmos_write(Rtc *f, uint8_t index, uint8_t val)
{
    dm_space_write(f->m.io, 0x70, index, 1);
    dm_space_write(f->m.io, 0x71, val, 1);
}

static inline void at(Rtc *f, int64_t ns)
{
    dm_clock_advance(f->m.clock, ns);
}

static inline bool irq8(Rtc *f)
{
    return f->m.irq_level[8];
}

/* Seconds, minutes, hours, weekday, day, month, year, century. */
static inline void assert_time(Rtc *f, const uint8_t want[8])
{
    static const uint8_t regs[8] = {
        SECOND, MINUTE, HOUR, WDAY, MDAY, MONTH, YEAR, CENTURY
    };

    for (unsigned i = 0; i < 8; i++) {
        g_assert_cmphex(cmos_read(f, regs[i]), ==, want[i]);
    }
}

#endif
