/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The ioreq protocol on arbitrary pages: the first 4096 input bytes are
 * the synchronous page, the next 4096 the buffered ring. Every READY slot
 * must end IORESP_READY, nothing else may change state, vp_eport is never
 * written, and the ring drains.
 */
#include "fuzz.h"

#include "toolstack-glue/ioreq.h"

#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PAGE 4096
#define GUEST_BASE 0x1000
#define GUEST_SIZE (3 * PAGE)

typedef struct Ctx {
    uint8_t guest[GUEST_SIZE];
    uint8_t regs[0x100];
} Ctx;

static bool guest_read(void *opaque, uint64_t gpa, void *buf, size_t len)
{
    Ctx *c = opaque;

    if ((gpa ^ (gpa + len - 1)) >> 12) {
        fprintf(stderr, "guest access crosses a page\n");
        abort();
    }
    if (gpa < GUEST_BASE || gpa - GUEST_BASE + len > GUEST_SIZE) {
        return false;
    }
    memcpy(buf, c->guest + gpa - GUEST_BASE, len);
    return true;
}

static bool guest_write(void *opaque, uint64_t gpa, const void *buf,
                        size_t len)
{
    Ctx *c = opaque;

    if ((gpa ^ (gpa + len - 1)) >> 12) {
        fprintf(stderr, "guest access crosses a page\n");
        abort();
    }
    if (gpa < GUEST_BASE || gpa - GUEST_BASE + len > GUEST_SIZE) {
        return false;
    }
    memcpy(c->guest + gpa - GUEST_BASE, buf, len);
    return true;
}

static uint64_t reg_read(void *opaque, uint64_t off, unsigned size)
{
    Ctx *c = opaque;
    uint64_t v = 0;

    for (unsigned i = 0; i < size; i++) {
        v |= (uint64_t)c->regs[(off + i) & 0xff] << (8 * i);
    }
    return v;
}

static void reg_write(void *opaque, uint64_t off, uint64_t val,
                      unsigned size)
{
    Ctx *c = opaque;

    for (unsigned i = 0; i < size; i++) {
        c->regs[(off + i) & 0xff] = val >> (8 * i);
    }
}

static const DmRegionOps reg_ops = {
    .read = reg_read, .write = reg_write, .max_access = 8, .valid_max = 8,
    .unaligned = true,
};

static void count_consume(void *opaque)
{
}

static void count_notify(void *opaque, unsigned vcpu)
{
    unsigned *n = opaque;

    (*n)++;
}

static void quiet(const gchar *domain, GLogLevelFlags level,
                  const gchar *message, gpointer data)
{
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static uint8_t page[PAGE] __attribute__((aligned(8)));
    static uint8_t ring[PAGE] __attribute__((aligned(8)));
    Ctx *c = g_new0(Ctx, 1);
    DmSpace *io = dm_space_new("io", 0xff);
    DmSpace *mem = dm_space_new("memory", 0);
    DmRegion ports, mmio;
    GlueIoreq q = {
        .io = io, .mem = mem,
        .guest = { guest_read, guest_write, c },
    };
    uint8_t before[PAGE];

    /* Refusals are expected here; the warnings are not the point. */
    g_log_set_handler(NULL, G_LOG_LEVEL_WARNING, quiet, NULL);
    memset(page, 0, sizeof(page));
    memset(ring, 0, sizeof(ring));
    memcpy(page, data, MIN(size, PAGE));
    if (size > PAGE) {
        memcpy(ring, data + PAGE, MIN(size - PAGE, PAGE));
    }
    dm_region_init_io(&ports, "ports", 0x100, &reg_ops, c);
    dm_space_map(io, &ports, 0, 0);
    dm_region_init_io(&mmio, "mmio", 0x100, &reg_ops, c);
    dm_space_map(mem, &mmio, 0xa0000, 0);
    memcpy(before, page, PAGE);

    for (unsigned v = 0; v < PAGE / 32; v++) {
        uint8_t *slot = page + 32 * v;
        bool ready = (slot[30] & 0xf) == 1;

        if (glue_ioreq_handle_slot(&q, page, v) != ready ||
            (slot[30] & 0xf) != (ready ? 3 : (before[32 * v + 30] & 0xf)) ||
            (slot[30] & 0xf0) != (before[32 * v + 30] & 0xf0) ||
            memcmp(slot + 16, before + 32 * v + 16, 14) ||
            slot[31] != before[32 * v + 31]) {
            fprintf(stderr, "slot %u: bad state change\n", v);
            abort();
        }
    }
    glue_ioreq_drain_buffered(&q, ring);
    if (((uint32_t *)ring)[0] != ((uint32_t *)ring)[1]) {
        fprintf(stderr, "buffered ring not drained\n");
        abort();
    }

    /* The same page through a whole wake-up: one completion per READY. */
    {
        unsigned ready = 0, notified = 0;
        GlueIoreqChannel ch = { count_consume, count_notify, &notified };

        memcpy(page, before, PAGE);
        for (unsigned v = 0; v < PAGE / 32; v++) {
            ready += (page[32 * v + 30] & 0xf) == 1;
        }
        if (glue_ioreq_serve(&q, page, PAGE / 32, ring, &ch, NULL) != ready ||
            notified != ready) {
            fprintf(stderr, "%u READY slots, %u notified\n", ready,
                    notified);
            abort();
        }
    }
    dm_space_unmap(&ports);
    dm_space_unmap(&mmio);
    dm_space_free(io);
    dm_space_free(mem);
    g_free(c);
    return 0;
}
