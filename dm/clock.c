/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Virtual clock. Under qtest the test owns time; otherwise time is the
 * host's monotonic clock minus the time spent stopped. Timers sit in one
 * list sorted by expiry; there are a handful per machine.
 */
#include "dm/clock.h"

typedef struct {
    GSource source;
    DmClock *clock;
} ClockSource;

struct DmClock {
    bool manual;
    bool enabled;
    int64_t manual_now;
    int64_t host_offset;      /* virtual = host - offset, while enabled */
    int64_t frozen_at;        /* virtual time while disabled */
    DmTimer *timers;
    ClockSource *source;
};

static int64_t host_ns(void)
{
    return g_get_monotonic_time() * 1000;
}

int64_t dm_clock_now(const DmClock *c)
{
    if (c->manual) {
        return c->manual_now;
    }
    return c->enabled ? host_ns() - c->host_offset : c->frozen_at;
}

static void clock_rearm(DmClock *c)
{
    int64_t ready = -1;

    if (!c->source) {
        return;
    }
    if (c->timers && c->enabled) {
        int64_t delta = MAX(c->timers->expire - dm_clock_now(c), 0);
        /* GLib wakes in microseconds; round up so the timer is due. */
        ready = g_get_monotonic_time() + (delta + 999) / 1000;
    }
    g_source_set_ready_time(&c->source->source, ready);
}

static void clock_run_due(DmClock *c, int64_t now)
{
    while (c->timers && c->timers->expire <= now) {
        DmTimer *t = c->timers;
        c->timers = t->next;
        t->next = NULL;
        t->pending = false;
        t->fn(t->opaque);
    }
}

static gboolean clock_source_dispatch(GSource *source, GSourceFunc cb,
                                      gpointer data)
{
    DmClock *c = ((ClockSource *)source)->clock;

    if (c->enabled) {
        clock_run_due(c, dm_clock_now(c));
    }
    clock_rearm(c);
    return G_SOURCE_CONTINUE;
}

static GSourceFuncs clock_source_funcs = {
    .dispatch = clock_source_dispatch,
};

DmClock *dm_clock_new(bool manual)
{
    DmClock *c = g_new0(DmClock, 1);

    c->manual = manual;
    c->enabled = manual;
    c->host_offset = host_ns();
    if (!manual) {
        c->source = (ClockSource *)g_source_new(&clock_source_funcs,
                                                sizeof(ClockSource));
        c->source->clock = c;
        g_source_set_name(&c->source->source, "dm-clock");
        g_source_attach(&c->source->source, NULL);
    }
    return c;
}

void dm_clock_free(DmClock *c)
{
    if (!c) {
        return;
    }
    while (c->timers) {
        dm_timer_del(c->timers);
    }
    if (c->source) {
        g_source_destroy(&c->source->source);
        g_source_unref(&c->source->source);
    }
    g_free(c);
}

bool dm_clock_is_manual(const DmClock *c)
{
    return c->manual;
}

void dm_clock_set_enabled(DmClock *c, bool enabled)
{
    if (c->manual || c->enabled == enabled) {
        return;
    }
    if (enabled) {
        c->host_offset = host_ns() - c->frozen_at;
    } else {
        c->frozen_at = dm_clock_now(c);
    }
    c->enabled = enabled;
    clock_rearm(c);
}

void dm_clock_set_now(DmClock *c, int64_t ns)
{
    if (c->manual) {
        c->manual_now = ns;
    } else if (c->enabled) {
        c->host_offset = host_ns() - ns;
    } else {
        c->frozen_at = ns;
    }
    clock_rearm(c);
}

int64_t dm_clock_deadline(const DmClock *c)
{
    if (!c->timers) {
        return -1;
    }
    return MAX(c->timers->expire - dm_clock_now(c), 0);
}

int64_t dm_clock_advance(DmClock *c, int64_t target)
{
    g_assert(c->manual);
    /* Each timer sees the clock at its own expiry, as on real hardware. */
    while (c->timers && c->timers->expire <= target) {
        if (c->timers->expire > c->manual_now) {
            c->manual_now = c->timers->expire;
        }
        clock_run_due(c, c->manual_now);
    }
    if (target > c->manual_now) {
        c->manual_now = target;
    }
    return c->manual_now;
}

void dm_timer_init(DmTimer *t, DmClock *c, DmTimerFn *fn, void *opaque)
{
    t->clock = c;
    t->fn = fn;
    t->opaque = opaque;
    t->expire = 0;
    t->pending = false;
    t->next = NULL;
}

void dm_timer_del(DmTimer *t)
{
    DmTimer **p;

    if (!t->pending) {
        return;
    }
    for (p = &t->clock->timers; *p; p = &(*p)->next) {
        if (*p == t) {
            *p = t->next;
            break;
        }
    }
    t->next = NULL;
    t->pending = false;
    clock_rearm(t->clock);
}

void dm_timer_mod(DmTimer *t, int64_t expire_ns)
{
    DmTimer **p;

    dm_timer_del(t);
    t->expire = expire_ns;
    /* Equal expiry keeps arming order. */
    for (p = &t->clock->timers; *p && (*p)->expire <= expire_ns;
         p = &(*p)->next) {
    }
    t->next = *p;
    *p = t;
    t->pending = true;
    clock_rearm(t->clock);
}
