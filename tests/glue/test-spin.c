/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The adaptive polling window of glue_ioreq_serve (toolstack-glue/ioreq.h). */
#include "test-glue.h"

#include "toolstack-glue/ioreq.h"

#include <glib.h>

/* The polling window: halves to 0, doubles back, probes now and then. */
static void test_spin_adapts(void)
{
    GlueSpin s;

    glue_spin_init(&s, 4000);
    g_assert_cmpuint(s.cur_ns, ==, 4000);
    glue_spin_miss(&s);
    g_assert_cmpuint(s.cur_ns, ==, 2000);
    glue_spin_hit(&s);
    g_assert_cmpuint(s.cur_ns, ==, 4000);     /* capped */
    glue_spin_miss(&s);
    glue_spin_miss(&s);
    glue_spin_miss(&s);
    g_assert_cmpuint(s.cur_ns, ==, 500);
    glue_spin_miss(&s);
    g_assert_cmpuint(s.cur_ns, ==, 0);        /* below the minimum */

    /* At 0: a full window every GLUE_SPIN_PROBE wake-ups... */
    for (unsigned i = 1; i < GLUE_SPIN_PROBE; i++) {
        glue_spin_woken(&s);
        g_assert_cmpuint(s.cur_ns, ==, 0);
    }
    glue_spin_woken(&s);
    g_assert_cmpuint(s.cur_ns, ==, 4000);
    /* ...a failed probe drops to 0 at once and doubles the interval... */
    glue_spin_miss(&s);
    g_assert_cmpuint(s.cur_ns, ==, 0);
    for (unsigned i = 1; i < 2 * GLUE_SPIN_PROBE; i++) {
        glue_spin_woken(&s);
        g_assert_cmpuint(s.cur_ns, ==, 0);
    }
    glue_spin_woken(&s);
    g_assert_cmpuint(s.cur_ns, ==, 4000);
    /* ...and a hit keeps the window and resets the interval. */
    glue_spin_hit(&s);
    g_assert_cmpuint(s.cur_ns, ==, 4000);
    g_assert_cmpuint(s.probe_every, ==, GLUE_SPIN_PROBE);
    for (unsigned i = 0; i < 4; i++) {
        glue_spin_miss(&s);
    }
    g_assert_cmpuint(s.cur_ns, ==, 0);
    /* Sleeping without polling teaches nothing: the count goes on. */
    for (unsigned i = 1; i < GLUE_SPIN_PROBE; i++) {
        glue_spin_woken(&s);
        glue_spin_miss(&s);
    }
    g_assert_cmpuint(s.cur_ns, ==, 0);
    glue_spin_woken(&s);
    g_assert_cmpuint(s.cur_ns, ==, 4000);
    glue_spin_hit(&s);
    g_assert_cmpuint(s.probe_every, ==, GLUE_SPIN_PROBE);
    for (unsigned i = 0; i < 20 * GLUE_SPIN_PROBE_MAX; i++) {
        glue_spin_woken(&s);
        if (s.cur_ns) {
            glue_spin_miss(&s);
        }
    }
    g_assert_cmpuint(s.probe_every, ==, GLUE_SPIN_PROBE_MAX);

    glue_spin_init(&s, 0);                    /* never polls */
    glue_spin_hit(&s);
    for (unsigned i = 0; i <= GLUE_SPIN_PROBE; i++) {
        glue_spin_woken(&s);
    }
    g_assert_cmpuint(s.cur_ns, ==, 0);
}

void test_spin_register(void)
{
    g_test_add_func("/glue/ioreq/spin-adapts", test_spin_adapts);
}
