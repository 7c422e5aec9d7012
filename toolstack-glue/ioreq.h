/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The ioreq-server protocol on plain memory (xen/include/public/hvm/ioreq.h,
 * spec xen-toolstack.md §5): the synchronous slots and the buffered ring.
 */
#ifndef GLUE_IOREQ_H
#define GLUE_IOREQ_H

#include "dm/space.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct PciBus PciBus;

#define GLUE_IOREQ_PAGE_SIZE 4096
#define GLUE_IOREQ_MAX_COUNT 4096     /* Xen caps rep counts here */

/*
 * Guest-physical memory for data_is_ptr requests. The protocol code never
 * passes a range crossing a 4 KiB page; false: not guest memory.
 */
typedef struct GlueGuestMem {
    bool (*read)(void *opaque, uint64_t gpa, void *buf, size_t len);
    bool (*write)(void *opaque, uint64_t gpa, const void *buf, size_t len);
    void *opaque;
} GlueGuestMem;

/* Kinds of malformed request; each is logged once per GlueIoreq. */
typedef enum {
    GLUE_IOREQ_BAD_SIZE,
    GLUE_IOREQ_BAD_COUNT,
    GLUE_IOREQ_BAD_WRAP,      /* a rep range wrapping the address space */
    GLUE_IOREQ_BAD_TYPE,
    GLUE_IOREQ_BAD_MEMORY,    /* data_is_ptr outside guest memory */
    GLUE_IOREQ_BAD_BUFFERED,  /* a buffered read or a torn 8-byte pair */
    GLUE_IOREQ_BAD_KINDS
} GlueIoreqBad;

/* Where requests go; borrowed pointers, valid while requests are served. */
typedef struct GlueIoreq {
    DmSpace *io;              /* PIO */
    DmSpace *mem;             /* COPY (MMIO) */
    PciBus *pci;              /* PCI_CONFIG; NULL: all functions absent */
    GlueGuestMem guest;
    void (*invalidate)(void *opaque);   /* INVALIDATE: drop cached mappings */
    void *invalidate_opaque;
    /* Statistics, for tests and the benchmark. */
    uint64_t handled;
    uint64_t refused[GLUE_IOREQ_BAD_KINDS];
    unsigned logged;          /* bit per GlueIoreqBad already logged */
} GlueIoreq;

const char *glue_ioreq_bad_name(GlueIoreqBad kind);

/*
 * Serves slot vcpu of the synchronous page if it is READY: INPROCESS,
 * emulation, result, IORESP_READY. True when the slot was completed, so
 * the caller notifies the vCPU's event channel.
 */
bool glue_ioreq_handle_slot(GlueIoreq *q, void *page, unsigned vcpu);

/* Drains the buffered ring page; returns the requests consumed. */
unsigned glue_ioreq_drain_buffered(GlueIoreq *q, void *bufpage);

/*
 * The event channel as the serving loop sees it: Xen's per-vCPU ports in
 * xen.c, eventfds in the tests and the benchmark.
 */
typedef struct GlueIoreqChannel {
    /* Takes every pending notification without blocking. */
    void (*consume)(void *opaque);
    /* Tells vCPU vcpu that its slot is IORESP_READY. */
    void (*notify)(void *opaque, unsigned vcpu);
    void *opaque;
} GlueIoreqChannel;

/*
 * Polling the pages for the next request before going back to sleep: a
 * vCPU doing port I/O in a loop then costs no sleep and wake-up per
 * request. The window adapts, much as KVM's halt polling does: it
 * doubles when polling finds work and halves when it does not, down to
 * 0, so a device model that shares its CPU with the vCPU (which cannot
 * post while we poll) soon stops burning the time the vCPU needs. At 0
 * a full window is tried again after GLUE_SPIN_PROBE sleeps, twice as
 * many after each probe that fails: the peer may be polling on another
 * CPU by then, and only two polling sides skip the wake-ups. The
 * longest window is above a wake-up's latency (10-15 us measured in a
 * VM), so one polling side can draw the other back into polling. Also
 * used by the benchmark's hypervisor side while it waits for
 * IORESP_READY.
 */
#define GLUE_SPIN_MAX_NS 20000
#define GLUE_SPIN_MIN_NS 500
#define GLUE_SPIN_PROBE 8
#define GLUE_SPIN_PROBE_MAX 256

typedef struct GlueSpin {
    uint64_t max_ns;          /* 0: never poll */
    uint64_t cur_ns;          /* the window now, 0 or MIN..max */
    unsigned sleeps;          /* wake-ups since the window fell to 0 */
    unsigned probe_every;     /* sleeps between probes at 0 */
    bool probing;             /* cur_ns is a probe, not yet a hit */
} GlueSpin;

void glue_spin_init(GlueSpin *s, uint64_t max_ns);
/* A wake-up after a sleep: at 0, maybe time to probe. */
void glue_spin_woken(GlueSpin *s);
/* Polling found work (hit) or gave up before sleeping (miss). */
void glue_spin_hit(GlueSpin *s);
void glue_spin_miss(GlueSpin *s);
uint64_t glue_spin_now(void);
/* Eases a polling loop on the sibling hyperthread and the memory bus. */
void glue_spin_relax(void);

/*
 * One wake-up of the device model: consumes the notifications, drains
 * the buffered ring, serves every READY slot of vCPUs 0..nr_vcpus-1 and
 * notifies it, then polls for spin's window after the last request
 * before it returns (spin NULL: no polling). A request whose notification
 * arrives after the final consume leaves the channel readable, so none
 * is lost by the polling. bufpage may be NULL. Returns the slots served.
 */
unsigned glue_ioreq_serve(GlueIoreq *q, void *page, unsigned nr_vcpus,
                          void *bufpage, const GlueIoreqChannel *ch,
                          GlueSpin *spin);

#endif
