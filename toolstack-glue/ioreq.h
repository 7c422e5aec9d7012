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

#endif
