/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ioreq round trips through a shared page between two threads: the
 * hypervisor thread posts a request and waits for IORESP_READY, the
 * device model thread serves it from a GLib main loop through
 * glue_ioreq_serve, as xen.c does, with eventfds standing in for the
 * event channel both ways: polling (GlueSpin) on both sides, then
 * sleeping on every notification. First the in-process cost of one port
 * access through glue_ioreq_handle_slot. Prints; never asserts speed.
 */
#include <xenctrl.h>          /* first: __XEN_TOOLS__ */
#include <xen/hvm/ioreq.h>

#include "toolstack-glue/ioreq.h"

#include <glib.h>
#include <glib-unix.h>
#include <pthread.h>
#include <sched.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#define ROUND_TRIPS 200000
#define DISPATCHES 5000000
#define PAGE 4096

typedef struct Bench {
    ioreq_t *page;            /* shared_iopage_t */
    buffered_iopage_t *ring;  /* drained on every pass, as under Xen */
    int to_dm;                /* the vCPU's port, DM side: non-blocking */
    int to_hv;                /* the completion, hypervisor side */
    GlueSpin hv_spin;         /* the vCPU's wait for IORESP_READY */
    GlueSpin dm_spin;
    unsigned rounds;
    int cpu[2];               /* DM and hypervisor threads; -1: anywhere */
    bool done;
    GMainLoop *loop;
    GlueIoreq q;
    uint8_t port;
} Bench;

static uint64_t port_read(void *opaque, uint64_t off, unsigned size)
{
    Bench *b = opaque;

    return b->port;
}

static void port_write(void *opaque, uint64_t off, uint64_t val,
                       unsigned size)
{
    Bench *b = opaque;

    b->port = val;
}

static const DmRegionOps port_ops = { .read = port_read,
                                      .write = port_write };

static uint8_t *flags_of(ioreq_t *s)
{
    return (uint8_t *)s + 30;
}

/* Xen's side of a request: fill the slot, then READY. */
static void post(ioreq_t *s, bool read, uint8_t val)
{
    s->addr = 0x80;
    s->data = val;
    s->count = 1;
    s->size = 1;
    s->type = IOREQ_TYPE_PIO;
    __atomic_store_n(flags_of(s),
                     (uint8_t)(STATE_IOREQ_READY | (read ? 0x20 : 0)),
                     __ATOMIC_RELEASE);
}

static void kick(int fd)
{
    uint64_t one = 1;

    if (write(fd, &one, 8) != 8) {
        abort();
    }
}

static bool responded(ioreq_t *s)
{
    return (__atomic_load_n(flags_of(s), __ATOMIC_ACQUIRE) & 0xf) ==
           STATE_IORESP_READY;
}

/*
 * The blocked vCPU: polls the slot within its window (adapting as the
 * device model's does), then sleeps on the completion until the state
 * says so; a completion counted earlier only makes the read return at
 * once, the state decides.
 */
static void wait_response(Bench *b, ioreq_t *s)
{
    GlueSpin *sp = &b->hv_spin;
    uint64_t t0 = glue_spin_now(), t = t0;
    unsigned k = 0;

    while (t - t0 < sp->cur_ns) {
        if (responded(s)) {
            glue_spin_hit(sp);
            return;
        }
        glue_spin_relax();
        if (!(++k & 15)) {
            t = glue_spin_now();
        }
    }
    if (responded(s)) {
        return;
    }
    glue_spin_miss(sp);
    while (!responded(s)) {
        uint64_t n;

        if (read(b->to_hv, &n, 8) != 8) {
            abort();
        }
    }
    glue_spin_woken(sp);
}

/* One CPU each, as a dom0 vCPU and a guest vCPU would have. */
static void pin(int cpu)
{
    cpu_set_t set;

    if (cpu >= 0) {
        CPU_ZERO(&set);
        CPU_SET(cpu, &set);
        pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
    }
}

static gpointer hypervisor(gpointer opaque)
{
    Bench *b = opaque;
    ioreq_t *s = &b->page[0];

    pin(b->cpu[1]);
    for (unsigned i = 0; i < b->rounds; i++) {
        bool rd = i & 1;

        post(s, rd, i >> 1);
        kick(b->to_dm);
        wait_response(b, s);
        /* Odd rounds read back what the even one before wrote. */
        if (rd && s->data != (uint8_t)(i >> 1)) {
            fprintf(stderr, "round %u: read 0x%" PRIx64 "\n", i, s->data);
            abort();
        }
        __atomic_store_n(flags_of(s), 0, __ATOMIC_RELEASE);
    }
    __atomic_store_n(&b->done, true, __ATOMIC_RELEASE);
    kick(b->to_dm);
    return NULL;
}

static void dm_consume(void *opaque)
{
    Bench *b = opaque;
    uint64_t n;

    if (read(b->to_dm, &n, 8) < 0 && errno != EAGAIN) {
        abort();
    }
}

static void dm_notify(void *opaque, unsigned vcpu)
{
    Bench *b = opaque;

    kick(b->to_hv);
}

static gboolean dm_on_event(gint fd, GIOCondition cond, gpointer opaque)
{
    Bench *b = opaque;
    GlueIoreqChannel ch = { dm_consume, dm_notify, b };

    glue_ioreq_serve(&b->q, b->page, 1, b->ring, &ch,
                     b->dm_spin.max_ns ? &b->dm_spin : NULL);
    if (__atomic_load_n(&b->done, __ATOMIC_ACQUIRE)) {
        g_main_loop_quit(b->loop);
    }
    return G_SOURCE_CONTINUE;
}

/* Round trips per second with the given polling windows. */
static double round_trips(Bench *b, uint64_t hv_spin_ns, uint64_t dm_spin_ns,
                          unsigned rounds)
{
    GMainContext *ctx = g_main_context_new();
    GSource *src;
    GThread *t;
    uint64_t handled = b->q.handled;
    gint64 start;
    double secs;

    b->to_dm = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    b->to_hv = eventfd(0, EFD_CLOEXEC);
    if (b->to_dm < 0 || b->to_hv < 0) {
        abort();
    }
    glue_spin_init(&b->hv_spin, hv_spin_ns);
    glue_spin_init(&b->dm_spin, dm_spin_ns);
    b->rounds = rounds;
    b->done = false;
    b->loop = g_main_loop_new(ctx, FALSE);
    src = g_unix_fd_source_new(b->to_dm, G_IO_IN);
    g_source_set_callback(src, G_SOURCE_FUNC(dm_on_event), b, NULL);
    g_source_attach(src, ctx);

    pin(b->cpu[0]);
    start = g_get_monotonic_time();
    t = g_thread_new("hypervisor", hypervisor, b);
    g_main_loop_run(b->loop);
    g_thread_join(t);
    secs = (g_get_monotonic_time() - start) / 1e6;

    g_source_destroy(src);
    g_source_unref(src);
    g_main_loop_unref(b->loop);
    g_main_context_unref(ctx);
    close(b->to_dm);
    close(b->to_hv);
    /* Every request went through the page, none was refused. */
    if (b->q.handled - handled != rounds) {
        abort();
    }
    return rounds / secs;
}

static void *page_new(void)
{
    void *p;

    if (posix_memalign(&p, PAGE, PAGE)) {
        abort();
    }
    memset(p, 0, PAGE);
    return p;
}

int main(int argc, char **argv)
{
    Bench *b = g_new0(Bench, 1);
    DmSpace *io = dm_space_new("io", 0xff);
    DmRegion r;
    gint64 start;
    double secs, polled, slept;
    cpu_set_t all;

    /*
     * Two of the CPUs we may use: otherwise the scheduler may keep both
     * threads on one, where polling cannot help (it then backs off).
     */
    b->cpu[0] = b->cpu[1] = -1;
    if (!sched_getaffinity(0, sizeof(all), &all) && CPU_COUNT(&all) >= 2) {
        for (int c = 0, n = 0; c < CPU_SETSIZE && n < 2; c++) {
            if (CPU_ISSET(c, &all)) {
                b->cpu[n++] = c;
            }
        }
    }
    b->page = page_new();
    b->ring = page_new();
    b->q.io = io;
    dm_region_init_io(&r, "port", 1, &port_ops, b);
    dm_space_map(io, &r, 0x80, 0);

    start = g_get_monotonic_time();
    for (unsigned i = 0; i < DISPATCHES; i++) {
        post(&b->page[1], i & 1, 0x5a);
        glue_ioreq_handle_slot(&b->q, b->page, 1);
        *flags_of(&b->page[1]) = 0;
    }
    secs = (g_get_monotonic_time() - start) / 1e6;
    printf("in-process dispatch per port access: %.1f ns\n",
           secs * 1e9 / DISPATCHES);

    for (int pinned = 1; pinned >= 0; pinned--) {
        const char *where = pinned ? "two threads on two CPUs"
                                   : "two threads placed by the scheduler";

        if (pinned && b->cpu[1] < 0) {
            continue;
        }
        if (!pinned) {
            b->cpu[0] = b->cpu[1] = -1;
        }
        polled = round_trips(b, GLUE_SPIN_MAX_NS, GLUE_SPIN_MAX_NS,
                             ROUND_TRIPS);
        printf("round trips through the shared page: %.0f/s (%u, %s, "
               "eventfd notifications both ways, polling up to %u us)\n",
               polled, ROUND_TRIPS, where, GLUE_SPIN_MAX_NS / 1000);
        slept = round_trips(b, 0, 0, ROUND_TRIPS / 4);
        printf("  sleeping on every notification instead: %.0f/s (%u)\n",
               slept, ROUND_TRIPS / 4);
    }

    dm_space_unmap(&r);
    dm_space_free(io);
    free(b->page);
    free(b->ring);
    g_free(b);
    return 0;
}
