/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The virtual clock (nanoseconds) and its timers. */
#ifndef DM_CLOCK_H
#define DM_CLOCK_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

typedef struct DmClock DmClock;
typedef void DmTimerFn(void *opaque);

/* Embedded in its owner's state; never copied once initialised. */
typedef struct DmTimer {
    DmClock *clock;
    DmTimerFn *fn;
    void *opaque;
    int64_t expire;
    bool pending;
    struct DmTimer *next;
} DmTimer;

/*
 * manual: the clock moves only through dm_clock_advance (qtest).
 * Otherwise it follows the host's monotonic clock while enabled and its
 * timers fire from the GLib main context.
 */
DmClock *dm_clock_new(bool manual);
void dm_clock_free(DmClock *clock);
bool dm_clock_is_manual(const DmClock *clock);
int64_t dm_clock_now(const DmClock *clock);

/* Sets the current time (an incoming migration continues its source's). */
void dm_clock_set_now(DmClock *clock, int64_t ns);

/* A stopped VM's clock stands still (QEMU's virtual clock does too). */
void dm_clock_set_enabled(DmClock *clock, bool enabled);

/* Nanoseconds from now to the earliest pending timer, or -1 if none. */
int64_t dm_clock_deadline(const DmClock *clock);

/*
 * Manual clocks: move to target (never backwards), firing every timer due
 * on the way at its own expiry time. Returns the new time.
 */
int64_t dm_clock_advance(DmClock *clock, int64_t target);

void dm_timer_init(DmTimer *t, DmClock *clock, DmTimerFn *fn, void *opaque);
void dm_timer_mod(DmTimer *t, int64_t expire_ns);
void dm_timer_del(DmTimer *t);
static inline bool dm_timer_pending(const DmTimer *t)
{
    return t->pending;
}

#endif
