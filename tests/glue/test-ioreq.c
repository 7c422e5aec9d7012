/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The ioreq protocol on local pages laid out as Xen's shared_iopage_t and
 * buffered_iopage_t; the test plays the hypervisor (xen-toolstack.md §5).
 */
#include <xenctrl.h>          /* first: __XEN_TOOLS__ */
#include <xen/hvm/ioreq.h>

#include "test-glue.h"

#include "hw/pci.h"
#include "toolstack-glue/ioreq.h"

#include <errno.h>
#include <glib.h>
#include <poll.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#define PORT_BASE 0x100
#define PORT_FIFO 0x10        /* reads count up, writes are logged */
#define MMIO_BASE UINT64_C(0xfe000000)
#define MMIO_SIZE 0x4000
#define GUEST_BASE UINT64_C(0x100000)
#define GUEST_PAGES 3
#define PAGE 4096

typedef struct Fixture {
    DmSpace *io;
    DmSpace *mem;
    PciBus *pci;
    PciDevice dev;
    DmRegion io_region;
    DmRegion mmio_region;
    uint8_t ports[16];
    uint8_t mmio[MMIO_SIZE];
    uint32_t fifo_next;
    GArray *fifo_writes;      /* uint64_t */
    unsigned mmio_accesses;
    uint8_t guest[GUEST_PAGES * PAGE];
    unsigned invalidates;
    GlueIoreq q;
    ioreq_t page[PAGE / sizeof(ioreq_t)];
    buffered_iopage_t ring;
} Fixture;

static uint64_t bytes_get(const uint8_t *p, unsigned size)
{
    uint64_t v = 0;

    for (unsigned i = 0; i < size; i++) {
        v |= (uint64_t)p[i] << (8 * i);
    }
    return v;
}

static void bytes_set(uint8_t *p, uint64_t v, unsigned size)
{
    for (unsigned i = 0; i < size; i++) {
        p[i] = v >> (8 * i);
    }
}

static uint64_t io_read(void *opaque, uint64_t off, unsigned size)
{
    Fixture *f = opaque;

    if (off == PORT_FIFO) {
        return ++f->fifo_next & ((UINT64_C(1) << (8 * size)) - 1);
    }
    return bytes_get(f->ports + off, size);
}

static void io_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    Fixture *f = opaque;

    if (off == PORT_FIFO) {
        g_array_append_val(f->fifo_writes, val);
        return;
    }
    bytes_set(f->ports + off, val, size);
}

static uint64_t mmio_read(void *opaque, uint64_t off, unsigned size)
{
    Fixture *f = opaque;

    f->mmio_accesses++;
    return bytes_get(f->mmio + off, size);
}

static void mmio_write(void *opaque, uint64_t off, uint64_t val,
                       unsigned size)
{
    Fixture *f = opaque;

    f->mmio_accesses++;
    bytes_set(f->mmio + off, val, size);
}

static const DmRegionOps io_ops = {
    .read = io_read, .write = io_write, .min_access = 1, .max_access = 4,
    .unaligned = true,
};

static const DmRegionOps mmio_ops = {
    .read = mmio_read, .write = mmio_write, .min_access = 1,
    .max_access = 8, .valid_max = 8, .unaligned = true,
};

/* A guest-memory accessor that insists on the one-page rule. */
static bool guest_ok(uint64_t gpa, size_t len)
{
    g_assert_cmpuint(gpa / PAGE, ==, (gpa + len - 1) / PAGE);
    return gpa >= GUEST_BASE && gpa + len <= GUEST_BASE + GUEST_PAGES * PAGE;
}

static bool guest_read(void *opaque, uint64_t gpa, void *buf, size_t len)
{
    Fixture *f = opaque;

    if (!guest_ok(gpa, len)) {
        return false;
    }
    memcpy(buf, f->guest + (gpa - GUEST_BASE), len);
    return true;
}

static bool guest_write(void *opaque, uint64_t gpa, const void *buf,
                        size_t len)
{
    Fixture *f = opaque;

    if (!guest_ok(gpa, len)) {
        return false;
    }
    memcpy(f->guest + (gpa - GUEST_BASE), buf, len);
    return true;
}

static void on_invalidate(void *opaque)
{
    Fixture *f = opaque;

    f->invalidates++;
}

static void fixture_setup(Fixture *f, gconstpointer data)
{
    g_autoptr(GError) err = NULL;

    memset(f, 0, sizeof(*f));
    f->io = dm_space_new("io", 0xff);
    f->mem = dm_space_new("memory", 0x00);
    f->pci = pci_bus_new(NULL);
    f->fifo_writes = g_array_new(FALSE, FALSE, sizeof(uint64_t));
    dm_region_init_io(&f->io_region, "ports", 0x20, &io_ops, f);
    dm_space_map(f->io, &f->io_region, PORT_BASE, 0);
    dm_region_init_io(&f->mmio_region, "mmio", MMIO_SIZE, &mmio_ops, f);
    dm_space_map(f->mem, &f->mmio_region, MMIO_BASE, 0);
    g_assert_true(pci_device_init(&f->dev, f->pci, PCI_DEVFN(3, 1), "dev",
                                  0x1234, 0x5678, 1, 0x0100, &err));
    for (unsigned i = 0; i < G_N_ELEMENTS(f->page); i++) {
        f->page[i].vp_eport = 100 + i;
    }
    f->q = (GlueIoreq) {
        .io = f->io, .mem = f->mem, .pci = f->pci,
        .guest = { guest_read, guest_write, f },
        .invalidate = on_invalidate, .invalidate_opaque = f,
    };
}

static void fixture_teardown(Fixture *f, gconstpointer data)
{
    pci_device_exit(&f->dev);
    pci_bus_free(f->pci);
    dm_space_unmap(&f->io_region);
    dm_space_unmap(&f->mmio_region);
    dm_space_free(f->io);
    dm_space_free(f->mem);
    g_array_free(f->fifo_writes, TRUE);
}

static unsigned slot_state(const ioreq_t *s)
{
    return ((const uint8_t *)s)[30] & 0xf;
}

/* What Xen does: slot must be NONE, fill it, READY. */
static ioreq_t *post(Fixture *f, unsigned vcpu, uint8_t type, bool read,
                     uint64_t addr, uint64_t data, uint32_t size,
                     uint32_t count, bool ptr, bool df)
{
    ioreq_t *s = &f->page[vcpu];

    g_assert_cmpuint(slot_state(s), ==, STATE_IOREQ_NONE);
    s->addr = addr;
    s->data = data;
    s->size = size;
    s->count = count;
    s->type = type;
    s->data_is_ptr = ptr;
    s->dir = read ? IOREQ_READ : IOREQ_WRITE;
    s->df = df;
    s->state = STATE_IOREQ_READY;
    return s;
}

/* Serve it, check completion, take data, back to NONE as Xen does. */
static uint64_t complete(Fixture *f, unsigned vcpu)
{
    ioreq_t *s = &f->page[vcpu];
    uint64_t data;

    g_assert_true(glue_ioreq_handle_slot(&f->q, f->page, vcpu));
    g_assert_cmpuint(slot_state(s), ==, STATE_IORESP_READY);
    g_assert_cmpuint(s->vp_eport, ==, 100 + vcpu);
    /* Not READY any more: a second look does nothing. */
    g_assert_false(glue_ioreq_handle_slot(&f->q, f->page, vcpu));
    g_assert_cmpuint(slot_state(s), ==, STATE_IORESP_READY);
    data = s->data;
    s->state = STATE_IOREQ_NONE;
    return data;
}

static uint64_t one(Fixture *f, uint8_t type, bool read, uint64_t addr,
                    uint64_t data, uint32_t size)
{
    post(f, 0, type, read, addr, data, size, 1, false, false);
    return complete(f, 0);
}

static void test_pio_widths(Fixture *f, gconstpointer data)
{
    for (unsigned size = 1; size <= 4; size *= 2) {
        uint64_t mask = (UINT64_C(1) << (8 * size)) - 1;

        memset(f->ports, 0, sizeof(f->ports));
        /* Upper bytes of data are garbage Xen may leave: masked off. */
        one(f, IOREQ_TYPE_PIO, false, PORT_BASE + 4,
            UINT64_C(0xdeadbeefcafef00d), size);
        g_assert_cmphex(bytes_get(f->ports + 4, 8), ==,
                        UINT64_C(0xdeadbeefcafef00d) & mask);
        g_assert_cmphex(one(f, IOREQ_TYPE_PIO, true, PORT_BASE + 4,
                            UINT64_MAX, size), ==,
                        UINT64_C(0xdeadbeefcafef00d) & mask);
    }
    /* An unclaimed port reads all ones, as the space says. */
    g_assert_cmphex(one(f, IOREQ_TYPE_PIO, true, 0x300, 0, 2), ==, 0xffff);
    g_assert_cmpuint(f->q.handled, ==, 7);
}

static void test_copy_widths(Fixture *f, gconstpointer data)
{
    for (unsigned size = 1; size <= 8; size *= 2) {
        uint64_t mask = size == 8 ? UINT64_MAX
                                  : (UINT64_C(1) << (8 * size)) - 1;

        memset(f->mmio, 0, 16);
        one(f, IOREQ_TYPE_COPY, false, MMIO_BASE + 8,
            UINT64_C(0x0123456789abcdef), size);
        g_assert_cmphex(bytes_get(f->mmio + 8, 8), ==,
                        UINT64_C(0x0123456789abcdef) & mask);
        g_assert_cmphex(one(f, IOREQ_TYPE_COPY, true, MMIO_BASE + 8, 0,
                            size), ==, UINT64_C(0x0123456789abcdef) & mask);
    }
}

/* rep STOS to MMIO: count elements, same data, up or down. */
static void test_copy_rep(Fixture *f, gconstpointer data)
{
    post(f, 1, IOREQ_TYPE_COPY, false, MMIO_BASE + 0x100, 0xaabb, 2, 4,
         false, false);
    complete(f, 1);
    for (unsigned k = 0; k < 4; k++) {
        g_assert_cmphex(bytes_get(f->mmio + 0x100 + 2 * k, 2), ==, 0xaabb);
    }
    g_assert_cmphex(f->mmio[0x108], ==, 0);
    post(f, 1, IOREQ_TYPE_COPY, false, MMIO_BASE + 0x206, 0x11223344, 4, 3,
         false, true);
    complete(f, 1);
    g_assert_cmphex(bytes_get(f->mmio + 0x1fe, 4), ==, 0x11223344);
    g_assert_cmphex(bytes_get(f->mmio + 0x202, 4), ==, 0x11223344);
    g_assert_cmphex(bytes_get(f->mmio + 0x206, 4), ==, 0x11223344);
    g_assert_cmphex(f->mmio[0x20a], ==, 0);
    g_assert_cmphex(f->mmio[0x1fd], ==, 0);
}

/* INS: the port is read count times into guest memory across a page. */
static void test_pio_rep_ptr(Fixture *f, gconstpointer data)
{
    bool df = GPOINTER_TO_INT(data);
    /* 8 dwords whose middle crosses the page at GUEST_BASE + PAGE. */
    uint64_t first = df ? GUEST_BASE + PAGE + 14 : GUEST_BASE + PAGE - 14;
    uint64_t lowest = df ? first - 7 * 4 : first;

    post(f, 2, IOREQ_TYPE_PIO, true, PORT_BASE + PORT_FIFO, first, 4, 8,
         true, df);
    complete(f, 2);
    for (unsigned k = 0; k < 8; k++) {
        uint64_t gpa = df ? first - 4 * k : first + 4 * k;
        g_assert_cmphex(bytes_get(f->guest + gpa - GUEST_BASE, 4), ==,
                        k + 1);
    }
    g_assert_cmphex(f->guest[lowest - GUEST_BASE - 1], ==, 0);
    g_assert_cmphex(f->guest[lowest + 32 - GUEST_BASE], ==, 0);

    /* OUTS: the same bytes back out, in element order. */
    post(f, 2, IOREQ_TYPE_PIO, false, PORT_BASE + PORT_FIFO, first, 4, 8,
         true, df);
    complete(f, 2);
    g_assert_cmpuint(f->fifo_writes->len, ==, 8);
    for (unsigned k = 0; k < 8; k++) {
        g_assert_cmphex(g_array_index(f->fifo_writes, uint64_t, k), ==,
                        k + 1);
    }
}

/* MOVS between MMIO and guest RAM, 8-byte elements across a page. */
static void test_copy_rep_ptr(Fixture *f, gconstpointer data)
{
    bool df = GPOINTER_TO_INT(data);
    uint64_t dev = MMIO_BASE + (df ? 0x1038 : 0x1000);
    uint64_t gpa = df ? GUEST_BASE + 2 * PAGE + 20 : GUEST_BASE + PAGE + 4000;

    for (unsigned i = 0; i < 0x40; i++) {
        f->mmio[0x1000 + i] = 0x80 + i;
    }
    /* Device to guest (dir read). */
    post(f, 3, IOREQ_TYPE_COPY, true, dev, gpa, 8, 8, true, df);
    complete(f, 3);
    for (unsigned k = 0; k < 8; k++) {
        uint64_t d = df ? dev - 8 * k : dev + 8 * k;
        uint64_t g = df ? gpa - 8 * k : gpa + 8 * k;
        g_assert_cmpmem(f->guest + g - GUEST_BASE, 8,
                        f->mmio + d - MMIO_BASE, 8);
    }
    /* Guest to device (dir write) into a cleared window. */
    memset(f->mmio + 0x1000, 0, 0x40);
    post(f, 3, IOREQ_TYPE_COPY, false, dev, gpa, 8, 8, true, df);
    complete(f, 3);
    for (unsigned i = 0; i < 0x40; i++) {
        g_assert_cmphex(f->mmio[0x1000 + i], ==, 0x80 + i);
    }
}

static void test_pci_config(Fixture *f, gconstpointer data)
{
    uint64_t sbdf = PCI_DEVFN(3, 1);       /* seg 0, bus 0, 03.1 */

    g_assert_cmphex(one(f, IOREQ_TYPE_PCI_CONFIG, true, sbdf << 32, 0, 4),
                    ==, 0x56781234);
    g_assert_cmphex(one(f, IOREQ_TYPE_PCI_CONFIG, true,
                        sbdf << 32 | PCI_DEVICE_ID, 0, 2), ==, 0x5678);
    g_assert_cmphex(one(f, IOREQ_TYPE_PCI_CONFIG, true,
                        sbdf << 32 | 1, 0, 1), ==, 0x12);
    one(f, IOREQ_TYPE_PCI_CONFIG, false, sbdf << 32 | PCI_INTERRUPT_LINE,
        UINT64_C(0xffffff0b), 1);
    g_assert_cmphex(f->dev.config[PCI_INTERRUPT_LINE], ==, 0x0b);
    g_assert_cmphex(f->dev.config[PCI_INTERRUPT_PIN], ==, 0);
    /* Other functions, buses and segments are absent. */
    g_assert_cmphex(one(f, IOREQ_TYPE_PCI_CONFIG, true,
                        (uint64_t)PCI_DEVFN(3, 0) << 32, 0, 4), ==,
                    UINT32_MAX);
    g_assert_cmphex(one(f, IOREQ_TYPE_PCI_CONFIG, true,
                        (sbdf | 1 << 8) << 32, 0, 2), ==, 0xffff);
    g_assert_cmphex(one(f, IOREQ_TYPE_PCI_CONFIG, true,
                        (sbdf | 1 << 16) << 32, 0, 1), ==, 0xff);
}

static void test_timeoffset_invalidate(Fixture *f, gconstpointer data)
{
    post(f, 4, IOREQ_TYPE_TIMEOFFSET, false, 0, 12345, 8, 1, false, false);
    complete(f, 4);
    g_assert_cmpuint(f->invalidates, ==, 0);
    post(f, 4, IOREQ_TYPE_INVALIDATE, false, 0, UINT32_MAX, 4, 1, false,
         false);
    complete(f, 4);
    g_assert_cmpuint(f->invalidates, ==, 1);
}

/* Several vCPUs at once: each slot is served alone. */
static void test_many_vcpus(Fixture *f, gconstpointer data)
{
    for (unsigned v = 0; v < 128; v++) {
        post(f, v, IOREQ_TYPE_COPY, false, MMIO_BASE + v, v, 1, 1, false,
             false);
    }
    for (unsigned v = 128; v-- > 0;) {
        complete(f, v);
    }
    for (unsigned v = 0; v < 128; v++) {
        g_assert_cmpuint(f->mmio[v], ==, v);
    }
    g_assert_false(glue_ioreq_handle_slot(&f->q, f->page, 128));
}

static void ring_put(Fixture *f, uint8_t type, unsigned size_code,
                     uint32_t addr, uint32_t data)
{
    uint32_t w[2] = {
        type | size_code << 10 | addr << 12,
        data,
    };

    memcpy(&f->ring.buf_ioreq[f->ring.write_pointer % 511], w, 8);
    f->ring.write_pointer++;
}

static void test_buffered(Fixture *f, gconstpointer data)
{
    /* Start near the end so the 8-byte pair straddles slot 510 and 0. */
    f->ring.read_pointer = f->ring.write_pointer = 3 * 511 + 508;
    ring_put(f, IOREQ_TYPE_PIO, 0, PORT_BASE + 1, 0x5a);
    ring_put(f, IOREQ_TYPE_COPY, 1, 0xa0000, 0x1234);
    ring_put(f, IOREQ_TYPE_COPY, 3, 0xa0008, 0x89abcdef);
    ring_put(f, 0, 0, 0, 0x01234567);       /* high half */
    ring_put(f, IOREQ_TYPE_TIMEOFFSET, 3, 0, 1);
    ring_put(f, 0, 0, 0, 0);
    ring_put(f, IOREQ_TYPE_PIO, 2, PORT_BASE + 8, 0xcafebabe);

    /* Buffered addresses are below 1 MiB: a window onto the same bytes. */
    DmRegion low;

    dm_region_init_io(&low, "low", 0x1000, &mmio_ops, f);
    dm_space_map(f->mem, &low, 0xa0000, 1);

    g_assert_cmpuint(glue_ioreq_drain_buffered(&f->q, &f->ring), ==, 5);
    g_assert_cmpuint(f->ring.read_pointer, ==, f->ring.write_pointer);
    g_assert_cmphex(f->ports[1], ==, 0x5a);
    g_assert_cmphex(bytes_get(f->ports + 8, 4), ==, 0xcafebabe);
    /* Both land in the fixture's register file at their offsets. */
    g_assert_cmphex(bytes_get(f->mmio + 8, 8), ==,
                    UINT64_C(0x0123456789abcdef));
    g_assert_cmphex(bytes_get(f->mmio + 0, 2), ==, 0x1234);
    g_assert_cmpuint(glue_ioreq_drain_buffered(&f->q, &f->ring), ==, 0);
    dm_space_unmap(&low);
}

/* Each malformed kind: refused, logged once, completed, all-ones read. */
static void test_malformed(Fixture *f, gconstpointer data)
{
    static const struct {
        GlueIoreqBad kind;
        uint8_t type;
        uint64_t addr, data;
        uint32_t size, count;
        bool ptr, df;
    } cases[] = {
        /* kind, type, addr, data, size, count, data_is_ptr, df */
        { GLUE_IOREQ_BAD_SIZE, IOREQ_TYPE_PIO, PORT_BASE, 0, 3, 1, 0, 0 },
        { GLUE_IOREQ_BAD_SIZE, IOREQ_TYPE_PIO, PORT_BASE, 0, 8, 1, 0, 0 },
        { GLUE_IOREQ_BAD_SIZE, IOREQ_TYPE_COPY, MMIO_BASE, 0, 0, 1, 0, 0 },
        { GLUE_IOREQ_BAD_SIZE, IOREQ_TYPE_COPY, MMIO_BASE, 0, 16, 1, 0, 0 },
        { GLUE_IOREQ_BAD_COUNT, IOREQ_TYPE_PIO, PORT_BASE, 0, 1, 0, 0, 0 },
        { GLUE_IOREQ_BAD_COUNT, IOREQ_TYPE_COPY, MMIO_BASE, 0, 1, 4097,
          0, 0 },
        { GLUE_IOREQ_BAD_COUNT, IOREQ_TYPE_PCI_CONFIG, 0, 0, 4, 2, 0, 0 },
        { GLUE_IOREQ_BAD_WRAP, IOREQ_TYPE_COPY, UINT64_MAX - 8, 0, 4, 4,
          0, 0 },
        { GLUE_IOREQ_BAD_WRAP, IOREQ_TYPE_COPY, 8, 0, 4, 4, 0, 1 },
        { GLUE_IOREQ_BAD_WRAP, IOREQ_TYPE_PIO, PORT_BASE, UINT64_MAX - 3,
          4, 2, 1, 0 },
        { GLUE_IOREQ_BAD_WRAP, IOREQ_TYPE_PIO, PORT_BASE, 2, 4, 2, 1, 1 },
        { GLUE_IOREQ_BAD_TYPE, 3, 0x5658, 0, 4, 1, 0, 0 },
        { GLUE_IOREQ_BAD_TYPE, 0xff, 0, 0, 4, 1, 0, 0 },
        { GLUE_IOREQ_BAD_MEMORY, IOREQ_TYPE_PIO, PORT_BASE, 0x1000, 4, 4,
          1, 0 },
        { GLUE_IOREQ_BAD_MEMORY, IOREQ_TYPE_COPY, MMIO_BASE,
          GUEST_BASE + GUEST_PAGES * PAGE - 8, 8, 2, 1, 0 },
    };
    unsigned seen = 0;

    for (unsigned i = 0; i < G_N_ELEMENTS(cases); i++) {
        for (int read = 0; read < 2; read++) {
            uint64_t before = f->q.refused[cases[i].kind];
            uint64_t d;

            if (!(seen & (1u << cases[i].kind))) {
                g_autofree char *pat = g_strdup_printf(
                    "ioreq: %s *", glue_ioreq_bad_name(cases[i].kind));
                g_test_expect_message(G_LOG_DOMAIN, G_LOG_LEVEL_WARNING,
                                      pat);
                seen |= 1u << cases[i].kind;
            }
            post(f, 5, cases[i].type, read, cases[i].addr, cases[i].data,
                 cases[i].size, cases[i].count, cases[i].ptr, cases[i].df);
            d = complete(f, 5);
            g_test_assert_expected_messages();
            g_assert_cmpuint(f->q.refused[cases[i].kind], ==, before + 1);
            if (read && !cases[i].ptr) {
                g_assert_cmphex(d, ==, UINT64_MAX);
            }
        }
    }
    g_assert_cmphex(f->q.logged, ==, (1u << GLUE_IOREQ_BAD_BUFFERED) - 1);
    /*
     * The device saw none of the refused MMIO ones but the last case's
     * first element, done before its second fell outside guest memory
     * (read: one device read; write: one device write; then the read of
     * element 1 whose guest write fails).
     */
    g_assert_cmpuint(f->mmio_accesses, ==, 3);

    /* Buffered reads and a torn pair are refused and skipped. */
    g_test_expect_message(G_LOG_DOMAIN, G_LOG_LEVEL_WARNING,
                          "ioreq: bad buffered request *");
    ring_put(f, IOREQ_TYPE_PIO, 0, PORT_BASE, 0x77);
    memcpy(&f->ring.buf_ioreq[0], &(uint32_t){ 1 << 9 }, 4);
    ring_put(f, IOREQ_TYPE_COPY, 3, 0x1000, 1);
    g_assert_cmpuint(glue_ioreq_drain_buffered(&f->q, &f->ring), ==, 2);
    g_test_assert_expected_messages();
    g_assert_cmpuint(f->q.refused[GLUE_IOREQ_BAD_BUFFERED], ==, 2);
    g_assert_cmphex(f->ports[0], ==, 0);
    g_assert_cmpuint(f->ring.read_pointer, ==, 2);

    /* Pointers more than a ring apart: skipped in one step. */
    f->ring.write_pointer = 2 + 600;
    g_assert_cmpuint(glue_ioreq_drain_buffered(&f->q, &f->ring), ==, 1);
    g_assert_cmpuint(f->ring.read_pointer, ==, f->ring.write_pointer);
    g_assert_cmpuint(f->q.refused[GLUE_IOREQ_BAD_BUFFERED], ==, 3);
}

/* A slot not READY is left alone: the state never goes backwards. */
static void test_states(Fixture *f, gconstpointer data)
{
    static const unsigned states[] = {
        STATE_IOREQ_NONE, STATE_IOREQ_INPROCESS, STATE_IORESP_READY, 7, 15,
    };

    for (unsigned i = 0; i < G_N_ELEMENTS(states); i++) {
        f->page[6].state = states[i];
        f->page[6].data = 42;
        g_assert_false(glue_ioreq_handle_slot(&f->q, f->page, 6));
        g_assert_cmpuint(slot_state(&f->page[6]), ==, states[i]);
        g_assert_cmpuint(f->page[6].data, ==, 42);
    }
    f->page[6].state = STATE_IOREQ_NONE;
    /* The other bits of the flags byte survive the state changes. */
    post(f, 6, IOREQ_TYPE_PIO, true, PORT_BASE + PORT_FIFO,
         GUEST_BASE, 2, 2, true, false);
    g_assert_true(glue_ioreq_handle_slot(&f->q, f->page, 6));
    g_assert_cmpuint(f->page[6].data_is_ptr, ==, 1);
    g_assert_cmpuint(f->page[6].dir, ==, IOREQ_READ);
    g_assert_cmpuint(f->page[6].df, ==, 0);
    g_assert_cmpuint(f->page[6].state, ==, STATE_IORESP_READY);
    g_assert_cmphex(f->page[6].data, ==, GUEST_BASE);
}

/*
 * The hypervisor in another thread: an eventfd stands in for the event
 * channel, every vCPU has a request in flight at once, and the DM side
 * sleeps in poll and serves through glue_ioreq_serve, as on_event in
 * xen.c does. The hypervisor waits a little longer each round, across
 * the polling window, so that a notification lost by the polling would
 * leave the DM asleep: poll then times out and the test fails.
 */
typedef struct Hv {
    Fixture *f;
    int kick;
    unsigned vcpus;
    unsigned rounds;
    bool stop;
    uint64_t notified;
} Hv;

static void hv_delay(unsigned r)
{
    gint64 ns = (r * 997u) % (3 * GLUE_SPIN_MAX_NS);
    struct timespec t0, t;

    clock_gettime(CLOCK_MONOTONIC, &t0);
    do {
        clock_gettime(CLOCK_MONOTONIC, &t);
    } while ((t.tv_sec - t0.tv_sec) * G_GINT64_CONSTANT(1000000000) +
             (t.tv_nsec - t0.tv_nsec) < ns);
}

static void hv_post(ioreq_t *s, bool read, uint64_t addr, uint64_t data)
{
    s->addr = addr;
    s->data = data;
    s->count = 1;
    s->size = 8;
    s->type = IOREQ_TYPE_COPY;
    /* The request is complete before the DM can see READY. */
    __atomic_store_n((uint8_t *)s + 30,
                     (uint8_t)(STATE_IOREQ_READY | (read ? 0x20 : 0)),
                     __ATOMIC_RELEASE);
}

static void hv_wait_all(Hv *h)
{
    for (unsigned v = 0; v < h->vcpus; v++) {
        uint8_t *flags = (uint8_t *)&h->f->page[v] + 30;
        while ((__atomic_load_n(flags, __ATOMIC_ACQUIRE) & 0xf) !=
               STATE_IORESP_READY) {
            g_thread_yield();
        }
    }
}

static void hv_kick(Hv *h)
{
    uint64_t one = 1;

    g_assert_cmpint(write(h->kick, &one, 8), ==, 8);
}

static gpointer hv_thread(gpointer opaque)
{
    Hv *h = opaque;
    Fixture *f = h->f;

    for (unsigned r = 0; r < h->rounds; r++) {
        hv_delay(r);
        for (unsigned v = 0; v < h->vcpus; v++) {
            hv_post(&f->page[v], false, MMIO_BASE + 8 * v,
                    (uint64_t)r << 32 | v);
        }
        hv_kick(h);
        hv_wait_all(h);
        for (unsigned v = 0; v < h->vcpus; v++) {
            __atomic_store_n((uint8_t *)&f->page[v] + 30, 0,
                             __ATOMIC_RELEASE);
            hv_post(&f->page[v], true, MMIO_BASE + 8 * v, 0);
        }
        hv_kick(h);
        hv_wait_all(h);
        for (unsigned v = 0; v < h->vcpus; v++) {
            g_assert_cmphex(f->page[v].data, ==, (uint64_t)r << 32 | v);
            g_assert_cmpuint(f->page[v].vp_eport, ==, 100 + v);
            __atomic_store_n((uint8_t *)&f->page[v] + 30, 0,
                             __ATOMIC_RELEASE);
        }
    }
    __atomic_store_n(&h->stop, true, __ATOMIC_RELEASE);
    hv_kick(h);
    return NULL;
}

static void dm_consume(void *opaque)
{
    Hv *h = opaque;
    uint64_t n;

    if (read(h->kick, &n, 8) < 0) {
        g_assert_cmpint(errno, ==, EAGAIN);
    }
}

static void dm_notify(void *opaque, unsigned vcpu)
{
    Hv *h = opaque;

    g_assert_cmpuint(vcpu, <, h->vcpus);
    h->notified++;
}

static void test_threads(Fixture *f, gconstpointer data)
{
    GlueSpin spin;
    Hv h = { .f = f, .vcpus = 8, .rounds = 2000 };
    GlueIoreqChannel ch = { dm_consume, dm_notify, &h };
    GThread *t;
    uint64_t served = 0;
    gint64 start = g_get_monotonic_time();

    glue_spin_init(&spin, GPOINTER_TO_UINT(data));
    h.kick = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    g_assert_cmpint(h.kick, >=, 0);
    t = g_thread_new("hypervisor", hv_thread, &h);
    while (!__atomic_load_n(&h.stop, __ATOMIC_ACQUIRE)) {
        struct pollfd p = { .fd = h.kick, .events = POLLIN };

        /* A lost notification leaves both sides waiting. */
        g_assert_cmpint(poll(&p, 1, 10000), ==, 1);
        served += glue_ioreq_serve(&f->q, f->page, h.vcpus, &f->ring, &ch,
                                   spin.max_ns ? &spin : NULL);
    }
    g_thread_join(t);
    close(h.kick);
    g_assert_cmpuint(served, ==, 2 * h.vcpus * h.rounds);
    g_assert_cmpuint(h.notified, ==, served);
    g_test_message("%" G_GUINT64_FORMAT " requests in %.3f s", served,
                   (g_get_monotonic_time() - start) / 1e6);
}

typedef struct Chan {
    unsigned consumed;
    GString *notified;
} Chan;

static void chan_consume(void *opaque)
{
    Chan *c = opaque;

    c->consumed++;
}

static void chan_notify(void *opaque, unsigned vcpu)
{
    Chan *c = opaque;

    g_string_append_printf(c->notified, "%u ", vcpu);
}

/*
 * One wake-up: notifications consumed first, the ring drained, every
 * READY slot served and notified; with polling, a last consume and pass
 * before it gives up.
 */
static void test_serve(Fixture *f, gconstpointer data)
{
    Chan c = { 0, g_string_new(NULL) };
    GlueIoreqChannel ch = { chan_consume, chan_notify, &c };
    GlueSpin spin;
    gint64 t0;

    ring_put(f, IOREQ_TYPE_PIO, 0, PORT_BASE + 2, 0x77);
    post(f, 1, IOREQ_TYPE_PIO, false, PORT_BASE + 3, 0x11, 1, 1, false,
         false);
    post(f, 5, IOREQ_TYPE_PIO, true, PORT_BASE + 3, 0, 1, 1, false, false);
    post(f, 7, IOREQ_TYPE_PIO, false, PORT_BASE + 4, 0x22, 1, 1, false,
         false);                     /* vCPU 7 is beyond nr_vcpus */
    g_assert_cmpuint(glue_ioreq_serve(&f->q, f->page, 6, &f->ring, &ch,
                                      NULL), ==, 2);
    g_assert_cmpuint(c.consumed, ==, 1);
    g_assert_cmpstr(c.notified->str, ==, "1 5 ");
    g_assert_cmpuint(f->ring.read_pointer, ==, f->ring.write_pointer);
    g_assert_cmphex(f->ports[2], ==, 0x77);
    g_assert_cmphex(f->page[5].data, ==, 0x11);
    g_assert_cmpuint(slot_state(&f->page[7]), ==, STATE_IOREQ_READY);

    /* Polling with nothing more to do: consume, wait, consume, give up. */
    glue_spin_init(&spin, GLUE_SPIN_MAX_NS);
    c.consumed = 0;
    t0 = g_get_monotonic_time();
    g_assert_cmpuint(glue_ioreq_serve(&f->q, f->page, 6, &f->ring, &ch,
                                      &spin), ==, 0);
    g_assert_cmpint(g_get_monotonic_time() - t0, >=, GLUE_SPIN_MAX_NS / 1000);
    g_assert_cmpuint(c.consumed, ==, 2);
    g_assert_cmpstr(c.notified->str, ==, "1 5 ");
    /* Nothing found: the next window is half as long. */
    g_assert_cmpuint(spin.cur_ns, ==, GLUE_SPIN_MAX_NS / 2);
    g_string_free(c.notified, TRUE);
}

#define ADD(path, fn, data)                                             \
    g_test_add("/glue/ioreq/" path, Fixture, data, fixture_setup, fn,  \
               fixture_teardown)

void test_ioreq_register(void)
{
    ADD("pio/widths", test_pio_widths, NULL);
    ADD("copy/widths", test_copy_widths, NULL);
    ADD("copy/rep", test_copy_rep, NULL);
    ADD("pio/rep-ptr/up", test_pio_rep_ptr, GINT_TO_POINTER(0));
    ADD("pio/rep-ptr/down", test_pio_rep_ptr, GINT_TO_POINTER(1));
    ADD("copy/rep-ptr/up", test_copy_rep_ptr, GINT_TO_POINTER(0));
    ADD("copy/rep-ptr/down", test_copy_rep_ptr, GINT_TO_POINTER(1));
    ADD("pci-config", test_pci_config, NULL);
    ADD("timeoffset-invalidate", test_timeoffset_invalidate, NULL);
    ADD("many-vcpus", test_many_vcpus, NULL);
    ADD("buffered", test_buffered, NULL);
    ADD("malformed", test_malformed, NULL);
    ADD("states", test_states, NULL);
    ADD("serve", test_serve, NULL);
    ADD("threads/sleeping", test_threads, GUINT_TO_POINTER(0));
    ADD("threads/polling", test_threads,
        GUINT_TO_POINTER(GLUE_SPIN_MAX_NS));
}
