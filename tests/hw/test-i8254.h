/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The Pit fixture shared by test-i8254.c (the counters, port 0x61, the
 * board) and test-i8254-state.c (the "i8254" section): a bare machine with
 * the PIT, a stepped clock and a record of the edges on IRQ 0.
 */
#ifndef TEST_I8254_H
#define TEST_I8254_H

#include "dm/machine.h"
#include "hw/i8254.h"

#include <glib.h>
#include <string.h>

#define PIT_FREQ    1193182
#define NS_PER_SEC  INT64_C(1000000000)

#define PORT_CH(i)  (0x40 + (i))
#define PORT_CW     0x43
#define PORT_61     0x61

/* Control words: SC1 SC0 RW1 RW0 M2 M1 M0 BCD. */
#define CW(ch, rw, mode, bcd) ((ch) << 6 | (rw) << 4 | (mode) << 1 | (bcd))
#define RW_LATCH    0
#define RW_LSB      1
#define RW_MSB      2
#define RW_WORD     3
/* Read-back: 11 COUNT# STATUS# CNT2 CNT1 CNT0 0. */
#define RB(count, status, mask) \
    (0xc0 | ((count) ? 0 : 0x20) | ((status) ? 0 : 0x10) | (mask) << 1)

typedef struct {
    uint64_t clock;           /* PIT input clocks since the count was loaded */
    bool level;
} Edge;

typedef struct {
    DmMachine m;              /* clock, io and the IRQ lines; no board */
    I8254 *pit;
    int64_t base;             /* virtual time the test counts clocks from */
    GArray *edges;            /* Edge on IRQ 0 */
} Pit;

static inline uint64_t clocks_at(int64_t ns)
{
    return (uint64_t)ns * PIT_FREQ / NS_PER_SEC;
}

/* The first nanosecond at which `clocks` input clocks have passed. */
static inline int64_t ns_at(uint64_t clocks)
{
    return (clocks * NS_PER_SEC + PIT_FREQ - 1) / PIT_FREQ;
}

static inline void record_edge(void *opaque, unsigned irq, bool level)
{
    Pit *f = opaque;
    Edge e = { clocks_at(dm_clock_now(f->m.clock) - f->base), level };

    if (irq == 0) {
        g_array_append_val(f->edges, e);
    }
}

static inline void pit_init(Pit *f)
{
    g_autoptr(GError) err = NULL;

    memset(f, 0, sizeof(*f));
    f->m.clock = dm_clock_new(true);
    f->m.io = dm_space_new("io", 0xff);
    f->edges = g_array_new(FALSE, FALSE, sizeof(Edge));
    dm_machine_set_irq_observer(&f->m, record_edge, f);
    f->pit = g_malloc0(i8254_info.instance_size);
    g_assert_true(i8254_info.realize(&f->m, f->pit, &err));
    g_assert_no_error(err);
    i8254_info.reset(f->pit);
}

static inline void pit_fini(Pit *f)
{
    i8254_info.unrealize(f->pit);
    g_free(f->pit);
    g_array_free(f->edges, TRUE);
    dm_space_free(f->m.io);
    dm_clock_free(f->m.clock);
}

static inline void pit_setup(Pit *f, gconstpointer data)
{
    pit_init(f);
}

static inline void pit_teardown(Pit *f, gconstpointer data)
{
    pit_fini(f);
}

static inline void outb(Pit *f, uint16_t port, uint8_t val)
{
    dm_space_write(f->m.io, port, val, 1);
}

static inline uint8_t inb(Pit *f, uint16_t port)
{
    return dm_space_read(f->m.io, port, 1);
}

/* Moves the clock to `clocks` input clocks after f->base. */
static inline void at(Pit *f, uint64_t clocks)
{
    dm_clock_advance(f->m.clock, f->base + ns_at(clocks));
}

/* Starts counting clocks afresh from now (a count load, a gate edge). */
static inline void rebase(Pit *f)
{
    f->base = dm_clock_now(f->m.clock);
}

static inline void program(Pit *f, unsigned ch, unsigned rw, unsigned mode,
                    unsigned bcd, uint16_t count)
{
    outb(f, PORT_CW, CW(ch, rw, mode, bcd));
    if (rw == RW_MSB) {
        outb(f, PORT_CH(ch), count >> 8);
    } else {
        outb(f, PORT_CH(ch), count & 0xff);
        if (rw == RW_WORD) {
            outb(f, PORT_CH(ch), count >> 8);
        }
    }
}

static inline uint16_t read_word(Pit *f, unsigned ch)
{
    uint16_t lo = inb(f, PORT_CH(ch));

    return lo | inb(f, PORT_CH(ch)) << 8;
}

/* Counter latch command, then both bytes (counter in word mode). */
static inline uint16_t latch_word(Pit *f, unsigned ch)
{
    outb(f, PORT_CW, CW(ch, RW_LATCH, 0, 0));
    return read_word(f, ch);
}

static inline uint8_t read_status(Pit *f, unsigned ch)
{
    outb(f, PORT_CW, RB(false, true, 1u << ch));
    return inb(f, PORT_CH(ch));
}

static inline void assert_edges(Pit *f, const Edge *want, guint n)
{
    for (guint i = 0; i < MIN(n, f->edges->len); i++) {
        Edge *e = &g_array_index(f->edges, Edge, i);
        g_test_message("edge %u: clock %" G_GUINT64_FORMAT " level %d",
                       i, e->clock, e->level);
        g_assert_cmpuint(e->clock, ==, want[i].clock);
        g_assert_cmpint(e->level, ==, want[i].level);
    }
    g_assert_cmpuint(f->edges->len, ==, n);
}

#endif
