/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ioreq round trips through a shared page (a hypervisor thread, eventfds
 * both ways for the event channel) and the in-process cost of one port
 * access through glue_ioreq_handle_slot. Prints; never asserts speed.
 */
#include <xenctrl.h>          /* first: __XEN_TOOLS__ */
#include <xen/hvm/ioreq.h>

#include "toolstack-glue/ioreq.h"

#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <unistd.h>

#define ROUND_TRIPS 200000
#define DISPATCHES 5000000

typedef struct Bench {
    ioreq_t page[128];
    int to_dm;
    int to_hv;
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

static void post(ioreq_t *s, bool read)
{
    s->addr = 0x80;
    s->data = 0x5a;
    s->count = 1;
    s->size = 1;
    s->type = IOREQ_TYPE_PIO;
    __atomic_store_n((uint8_t *)s + 30,
                     (uint8_t)(STATE_IOREQ_READY | (read ? 0x20 : 0)),
                     __ATOMIC_RELEASE);
}

static void wait_fd(int fd)
{
    uint64_t n;

    if (read(fd, &n, 8) != 8) {
        abort();
    }
}

static void kick(int fd)
{
    uint64_t one = 1;

    if (write(fd, &one, 8) != 8) {
        abort();
    }
}

static gpointer hypervisor(gpointer opaque)
{
    Bench *b = opaque;

    for (unsigned i = 0; i < ROUND_TRIPS; i++) {
        post(&b->page[0], i & 1);
        kick(b->to_dm);
        wait_fd(b->to_hv);
        if ((((uint8_t *)&b->page[0])[30] & 0xf) != STATE_IORESP_READY) {
            abort();
        }
        __atomic_store_n((uint8_t *)&b->page[0] + 30, 0, __ATOMIC_RELEASE);
    }
    return NULL;
}

int main(void)
{
    Bench *b = g_new0(Bench, 1);
    DmSpace *io = dm_space_new("io", 0xff);
    DmRegion r;
    GlueIoreq q = { .io = io };
    GThread *t;
    gint64 start;
    double secs;

    dm_region_init_io(&r, "port", 1, &port_ops, b);
    dm_space_map(io, &r, 0x80, 0);
    b->to_dm = eventfd(0, EFD_CLOEXEC);
    b->to_hv = eventfd(0, EFD_CLOEXEC);

    start = g_get_monotonic_time();
    t = g_thread_new("hypervisor", hypervisor, b);
    for (unsigned i = 0; i < ROUND_TRIPS; i++) {
        wait_fd(b->to_dm);
        if (!glue_ioreq_handle_slot(&q, b->page, 0)) {
            abort();
        }
        kick(b->to_hv);
    }
    g_thread_join(t);
    secs = (g_get_monotonic_time() - start) / 1e6;
    printf("round trips through the shared page: %.0f/s "
           "(%u in %.3f s, eventfd notifications both ways)\n",
           ROUND_TRIPS / secs, ROUND_TRIPS, secs);

    start = g_get_monotonic_time();
    for (unsigned i = 0; i < DISPATCHES; i++) {
        post(&b->page[1], i & 1);
        glue_ioreq_handle_slot(&q, b->page, 1);
        ((uint8_t *)&b->page[1])[30] = 0;
    }
    secs = (g_get_monotonic_time() - start) / 1e6;
    printf("in-process dispatch per port access: %.1f ns\n",
           secs * 1e9 / DISPATCHES);

    dm_space_unmap(&r);
    dm_space_free(io);
    close(b->to_dm);
    close(b->to_hv);
    g_free(b);
    return 0;
}
