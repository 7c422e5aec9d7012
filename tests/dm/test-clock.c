/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The virtual clock and its timers, manual and host-driven (dm/clock.h). */
#include "test-dm.h"

#include "dm/clock.h"

#include <string.h>

typedef struct {
    unsigned id;
    int64_t now;
} Firing;

typedef struct {
    DmTimer timer;
    unsigned id;
    DmClock *clock;
    GArray *log;              /* Firing, possibly shared between timers */
    unsigned count;
    int64_t period;           /* re-arm from the callback when non-zero */
    DmTimer *victim;          /* deleted from the callback when set */
    GMainLoop *loop;          /* quit from the callback when set */
} TestTimer;

static void test_timer_cb(void *opaque)
{
    TestTimer *t = opaque;
    Firing f = { t->id, dm_clock_now(t->clock) };

    g_assert_false(dm_timer_pending(&t->timer));
    g_array_append_val(t->log, f);
    t->count++;
    if (t->period) {
        dm_timer_mod(&t->timer, f.now + t->period);
    }
    if (t->victim) {
        dm_timer_del(t->victim);
    }
    if (t->loop) {
        g_main_loop_quit(t->loop);
    }
}

static void test_timer_init(TestTimer *t, unsigned id, DmClock *clock,
                            GArray *log)
{
    memset(t, 0, sizeof(*t));
    t->id = id;
    t->clock = clock;
    t->log = log;
    dm_timer_init(&t->timer, clock, test_timer_cb, t);
}

static Firing *firing(GArray *log, guint i)
{
    g_assert_cmpuint(i, <, log->len);
    return &g_array_index(log, Firing, i);
}

static GArray *firing_log_new(void)
{
    return g_array_new(FALSE, FALSE, sizeof(Firing));
}

static void test_manual_start(void)
{
    DmClock *c = dm_clock_new(true);

    g_assert_true(dm_clock_is_manual(c));
    g_assert_cmpint(dm_clock_now(c), ==, 0);
    g_assert_cmpint(dm_clock_deadline(c), ==, -1);
    g_assert_cmpint(dm_clock_advance(c, 1000), ==, 1000);
    g_assert_cmpint(dm_clock_now(c), ==, 1000);
    /* A manual clock ignores run-state changes: qtest owns time. */
    dm_clock_set_enabled(c, false);
    g_assert_cmpint(dm_clock_advance(c, 2000), ==, 2000);
    dm_clock_free(c);
}

static void test_expiry_order(void)
{
    static const int64_t expiry[] = { 300, 100, 200, 200, 50 };
    /* Ties fire in arming order, as QEMU's timer lists do. */
    static const unsigned order[] = { 4, 1, 2, 3, 0 };
    DmClock *c = dm_clock_new(true);
    GArray *log = firing_log_new();
    TestTimer t[G_N_ELEMENTS(expiry)];

    for (unsigned i = 0; i < G_N_ELEMENTS(expiry); i++) {
        test_timer_init(&t[i], i, c, log);
        dm_timer_mod(&t[i].timer, expiry[i]);
        g_assert_true(dm_timer_pending(&t[i].timer));
    }
    g_assert_cmpint(dm_clock_deadline(c), ==, 50);
    g_assert_cmpint(dm_clock_advance(c, 150), ==, 150);
    g_assert_cmpuint(log->len, ==, 2);
    g_assert_cmpint(dm_clock_deadline(c), ==, 50);
    g_assert_cmpint(dm_clock_advance(c, 1000), ==, 1000);
    g_assert_cmpuint(log->len, ==, G_N_ELEMENTS(expiry));
    for (unsigned i = 0; i < G_N_ELEMENTS(order); i++) {
        g_assert_cmpuint(firing(log, i)->id, ==, order[i]);
        g_assert_cmpint(firing(log, i)->now, ==, expiry[order[i]]);
        g_assert_false(dm_timer_pending(&t[i].timer));
    }
    g_assert_cmpint(dm_clock_deadline(c), ==, -1);
    dm_clock_free(c);
    g_array_free(log, TRUE);
}

static void test_periodic(void)
{
    DmClock *c = dm_clock_new(true);
    GArray *log = firing_log_new();
    TestTimer t;

    test_timer_init(&t, 0, c, log);
    t.period = 10;
    dm_timer_mod(&t.timer, 10);
    /* One big step crosses 100 periods; each tick sees its own time. */
    g_assert_cmpint(dm_clock_advance(c, 1005), ==, 1005);
    g_assert_cmpuint(t.count, ==, 100);
    for (guint i = 0; i < log->len; i++) {
        g_assert_cmpint(firing(log, i)->now, ==, 10 * (i + 1));
    }
    g_assert_true(dm_timer_pending(&t.timer));
    g_assert_cmpint(dm_clock_deadline(c), ==, 5);
    dm_timer_del(&t.timer);
    g_assert_false(dm_timer_pending(&t.timer));
    g_assert_cmpint(dm_clock_advance(c, 5000), ==, 5000);
    g_assert_cmpuint(t.count, ==, 100);
    dm_clock_free(c);
    g_array_free(log, TRUE);
}

static void test_del(void)
{
    DmClock *c = dm_clock_new(true);
    GArray *log = firing_log_new();
    TestTimer a, b, killer;

    test_timer_init(&a, 0, c, log);
    test_timer_init(&b, 1, c, log);
    test_timer_init(&killer, 2, c, log);
    dm_timer_mod(&a.timer, 100);
    dm_timer_del(&a.timer);
    dm_timer_del(&a.timer);
    g_assert_false(dm_timer_pending(&a.timer));
    g_assert_cmpint(dm_clock_deadline(c), ==, -1);
    /* A callback cancels a timer due at the same instant. */
    killer.victim = &b.timer;
    dm_timer_mod(&killer.timer, 200);
    dm_timer_mod(&b.timer, 200);
    /* Re-arming moves a timer rather than adding a second entry. */
    dm_timer_mod(&a.timer, 300);
    dm_timer_mod(&a.timer, 250);
    dm_clock_advance(c, 400);
    g_assert_cmpuint(killer.count, ==, 1);
    g_assert_cmpuint(b.count, ==, 0);
    g_assert_cmpuint(a.count, ==, 1);
    g_assert_cmpint(firing(log, 1)->now, ==, 250);
    dm_clock_free(c);
    g_array_free(log, TRUE);
}

static void test_monotonic(void)
{
    DmClock *c = dm_clock_new(true);
    GArray *log = firing_log_new();
    TestTimer t;

    g_assert_cmpint(dm_clock_advance(c, 500), ==, 500);
    g_assert_cmpint(dm_clock_advance(c, 100), ==, 500);
    g_assert_cmpint(dm_clock_advance(c, -1), ==, 500);
    g_assert_cmpint(dm_clock_now(c), ==, 500);
    /* A timer armed in the past fires at once and at the current time. */
    test_timer_init(&t, 0, c, log);
    dm_timer_mod(&t.timer, 10);
    g_assert_cmpint(dm_clock_deadline(c), ==, 0);
    g_assert_cmpint(dm_clock_advance(c, 500), ==, 500);
    g_assert_cmpuint(t.count, ==, 1);
    g_assert_cmpint(firing(log, 0)->now, ==, 500);
    dm_clock_free(c);
    g_array_free(log, TRUE);
}

static void test_free_pending(void)
{
    DmClock *c = dm_clock_new(true);
    GArray *log = firing_log_new();
    TestTimer t;

    /* Freeing a clock with armed timers leaves them disarmed, not fired. */
    test_timer_init(&t, 0, c, log);
    dm_timer_mod(&t.timer, 10);
    dm_clock_free(c);
    g_assert_false(dm_timer_pending(&t.timer));
    g_assert_cmpuint(t.count, ==, 0);
    g_array_free(log, TRUE);
}

static void sleep_ms(unsigned ms)
{
    g_usleep(ms * 1000);
}

static void test_host_enabled(void)
{
    DmClock *c = dm_clock_new(false);
    int64_t t0, t1, frozen, t2;

    g_assert_false(dm_clock_is_manual(c));
    /* A fresh machine is in prelaunch: its clock stands still. */
    t0 = dm_clock_now(c);
    sleep_ms(5);
    g_assert_cmpint(dm_clock_now(c), ==, t0);
    dm_clock_set_enabled(c, true);
    t1 = dm_clock_now(c);
    sleep_ms(20);
    g_assert_cmpint(dm_clock_now(c) - t1, >=, 20 * 1000 * 1000);
    dm_clock_set_enabled(c, false);
    frozen = dm_clock_now(c);
    g_assert_cmpint(frozen, >=, t1 + 20 * 1000 * 1000);
    sleep_ms(100);
    g_assert_cmpint(dm_clock_now(c), ==, frozen);
    /* Time stopped means no jump on resume: the 100 ms are not counted. */
    dm_clock_set_enabled(c, true);
    t2 = dm_clock_now(c);
    g_assert_cmpint(t2, >=, frozen);
    g_assert_cmpint(t2 - frozen, <, 50 * 1000 * 1000);
    dm_clock_free(c);
}

typedef struct {
    GMainLoop *loop;
    bool timed_out;
} LoopGuard;

static gboolean loop_timeout(gpointer data)
{
    LoopGuard *g = data;

    g->timed_out = true;
    g_main_loop_quit(g->loop);
    return G_SOURCE_REMOVE;
}

/* Runs loop until something quits it; false if ms passed first. */
static bool run_loop(GMainLoop *loop, unsigned ms)
{
    LoopGuard g = { loop, false };
    guint id = g_timeout_add(ms, loop_timeout, &g);

    g_main_loop_run(loop);
    if (!g.timed_out) {
        g_source_remove(id);
    }
    return !g.timed_out;
}

static void test_host_timer(void)
{
    const int64_t ms = 1000 * 1000;
    DmClock *c = dm_clock_new(false);
    GMainLoop *loop = g_main_loop_new(NULL, FALSE);
    GArray *log = firing_log_new();
    TestTimer t;

    test_timer_init(&t, 0, c, log);
    t.loop = loop;
    /* Armed while the clock stands still: nothing fires until enabled. */
    dm_timer_mod(&t.timer, dm_clock_now(c) + 5 * ms);
    g_assert_false(run_loop(loop, 40));
    g_assert_cmpuint(t.count, ==, 0);
    dm_clock_set_enabled(c, true);
    g_assert_true(run_loop(loop, 5000));
    g_assert_cmpuint(t.count, ==, 1);
    g_assert_cmpint(firing(log, 0)->now, >=, t.timer.expire);
    g_assert_false(dm_timer_pending(&t.timer));

    /* A deleted timer stays quiet. */
    dm_timer_mod(&t.timer, dm_clock_now(c) + 5 * ms);
    dm_timer_del(&t.timer);
    g_assert_false(run_loop(loop, 30));
    g_assert_cmpuint(t.count, ==, 1);

    /* A periodic timer keeps firing from the loop. */
    t.period = 2 * ms;
    dm_timer_mod(&t.timer, dm_clock_now(c) + 2 * ms);
    for (unsigned i = 0; i < 3; i++) {
        g_assert_true(run_loop(loop, 5000));
    }
    g_assert_cmpuint(t.count, ==, 4);
    for (guint i = 2; i < log->len; i++) {
        g_assert_cmpint(firing(log, i)->now - firing(log, i - 1)->now, >=,
                        2 * ms);
    }
    dm_clock_free(c);
    g_main_loop_unref(loop);
    g_array_free(log, TRUE);
}

void test_clock_register(void)
{
    g_test_add_func("/dm/clock/manual-start", test_manual_start);
    g_test_add_func("/dm/clock/expiry-order", test_expiry_order);
    g_test_add_func("/dm/clock/periodic", test_periodic);
    g_test_add_func("/dm/clock/del", test_del);
    g_test_add_func("/dm/clock/monotonic", test_monotonic);
    g_test_add_func("/dm/clock/free-pending", test_free_pending);
    g_test_add_func("/dm/clock/host-enabled", test_host_enabled);
    g_test_add_func("/dm/clock/host-timer", test_host_timer);
}
