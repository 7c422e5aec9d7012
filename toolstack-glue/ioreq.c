/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ioreq slots and the buffered ring on plain memory, as QEMU 7.2's
 * handle_ioreq / handle_buffered_iopage serve them (xen-toolstack.md §5).
 */
#include <xenctrl.h>          /* first: __XEN_TOOLS__ */
#include <xen/hvm/ioreq.h>

#include "toolstack-glue/ioreq.h"

#include "hw/pci.h"

#include <assert.h>
#include <glib.h>
#include <string.h>
#include <time.h>

/* The layout Xen shares with us (spec §5.2, §5.5). */
static_assert(sizeof(ioreq_t) == 32, "ioreq_t is 32 bytes");
static_assert(offsetof(ioreq_t, addr) == 0, "ioreq_t.addr");
static_assert(offsetof(ioreq_t, data) == 8, "ioreq_t.data");
static_assert(offsetof(ioreq_t, count) == 16, "ioreq_t.count");
static_assert(offsetof(ioreq_t, size) == 20, "ioreq_t.size");
static_assert(offsetof(ioreq_t, vp_eport) == 24, "ioreq_t.vp_eport");
static_assert(offsetof(ioreq_t, _pad0) == 28, "ioreq_t._pad0");
static_assert(offsetof(ioreq_t, type) == 31, "ioreq_t.type");
static_assert(sizeof(buf_ioreq_t) == 8, "buf_ioreq_t is 8 bytes");
static_assert(offsetof(buffered_iopage_t, buf_ioreq) == 8,
              "buffered ring starts after the two pointers");
static_assert(sizeof(buffered_iopage_t) <= GLUE_IOREQ_PAGE_SIZE,
              "buffered ring fits a page");
static_assert(IOREQ_BUFFER_SLOT_NUM == 511, "511 buffered slots");

/* The byte holding state:4, data_is_ptr:1, dir:1, df:1. */
#define IOREQ_FLAGS_OFFSET 30
#define IOREQ_STATE_MASK 0x0f
#define IOREQ_PAGE_SLOTS (GLUE_IOREQ_PAGE_SIZE / sizeof(ioreq_t))

typedef struct Req {
    uint64_t addr;
    uint64_t data;
    uint32_t count;
    uint32_t size;
    bool data_is_ptr;
    bool read;
    bool df;
    uint8_t type;
} Req;

static const char *const bad_names[GLUE_IOREQ_BAD_KINDS] = {
    [GLUE_IOREQ_BAD_SIZE] = "bad access size",
    [GLUE_IOREQ_BAD_COUNT] = "bad repeat count",
    [GLUE_IOREQ_BAD_WRAP] = "repeated range wraps the address space",
    [GLUE_IOREQ_BAD_TYPE] = "unknown request type",
    [GLUE_IOREQ_BAD_MEMORY] = "data pointer outside guest memory",
    [GLUE_IOREQ_BAD_BUFFERED] = "bad buffered request",
};

const char *glue_ioreq_bad_name(GlueIoreqBad kind)
{
    return kind < GLUE_IOREQ_BAD_KINDS ? bad_names[kind] : "?";
}

/* A misbehaving guest or hypervisor: count it, say so once per kind. */
static void refuse(GlueIoreq *q, GlueIoreqBad kind, const Req *r)
{
    q->refused[kind]++;
    if (!(q->logged & (1u << kind))) {
        q->logged |= 1u << kind;
        g_warning("ioreq: %s (type %u addr 0x%" G_GINT64_MODIFIER "x "
                  "size %u count %u%s%s); further ones are not logged",
                  bad_names[kind], r->type, r->addr, r->size, r->count,
                  r->data_is_ptr ? " ptr" : "", r->df ? " df" : "");
    }
}

static uint64_t size_mask(unsigned size)
{
    return size >= 8 ? UINT64_MAX : (UINT64_C(1) << (8 * size)) - 1;
}

/* Element k of a repeated access (spec §5.3), in unsigned 64-bit. */
static uint64_t element(uint64_t base, const Req *r, uint32_t k)
{
    uint64_t off = (uint64_t)k * r->size;

    return r->df ? base - off : base + off;
}

/* The lowest..highest bytes of count elements from base stay in 64 bits. */
static bool range_ok(uint64_t base, const Req *r)
{
    uint64_t span = (uint64_t)(r->count - 1) * r->size;

    if (r->df) {
        return base >= span && base <= UINT64_MAX - (r->size - 1);
    }
    return base <= UINT64_MAX - span - (r->size - 1);
}

static bool guest_rw(GlueIoreq *q, uint64_t gpa, void *buf, size_t len,
                     bool write)
{
    uint8_t *p = buf;

    /* Contiguous in guest-physical space, maybe not in ours: page by page. */
    while (len) {
        size_t chunk = MIN(len, GLUE_IOREQ_PAGE_SIZE -
                                (gpa & (GLUE_IOREQ_PAGE_SIZE - 1)));
        bool ok = write ? q->guest.write &&
                          q->guest.write(q->guest.opaque, gpa, p, chunk)
                        : q->guest.read &&
                          q->guest.read(q->guest.opaque, gpa, p, chunk);
        if (!ok) {
            return false;
        }
        gpa += chunk;
        p += chunk;
        len -= chunk;
    }
    return true;
}

static bool guest_read_item(GlueIoreq *q, uint64_t gpa, unsigned size,
                            uint64_t *val)
{
    uint8_t b[8] = { 0 };

    if (!guest_rw(q, gpa, b, size, false)) {
        return false;
    }
    *val = 0;
    for (unsigned i = 0; i < size; i++) {
        *val |= (uint64_t)b[i] << (8 * i);
    }
    return true;
}

static bool guest_write_item(GlueIoreq *q, uint64_t gpa, unsigned size,
                             uint64_t val)
{
    uint8_t b[8];

    for (unsigned i = 0; i < size; i++) {
        b[i] = val >> (8 * i);
    }
    return guest_rw(q, gpa, b, size, true);
}

/*
 * PIO and COPY: the device at addr (the same port for every element of
 * an INS/OUTS, consecutive addresses for MMIO).
 */
static void do_access(GlueIoreq *q, Req *r, DmSpace *space, bool port)
{
    if (!r->data_is_ptr) {
        /* QEMU does one port access; MMIO repeats it count times. */
        uint32_t n = port ? 1 : r->count;

        for (uint32_t k = 0; k < n; k++) {
            uint64_t a = port ? r->addr : element(r->addr, r, k);
            if (r->read) {
                r->data = dm_space_read(space, a, r->size);
            } else {
                dm_space_write(space, a, r->data, r->size);
            }
        }
        return;
    }
    for (uint32_t k = 0; k < r->count; k++) {
        uint64_t dev = port ? r->addr : element(r->addr, r, k);
        uint64_t gpa = element(r->data, r, k);
        uint64_t v;

        if (r->read) {
            v = dm_space_read(space, dev, r->size);
            if (!guest_write_item(q, gpa, r->size, v)) {
                refuse(q, GLUE_IOREQ_BAD_MEMORY, r);
                return;
            }
        } else {
            if (!guest_read_item(q, gpa, r->size, &v)) {
                refuse(q, GLUE_IOREQ_BAD_MEMORY, r);
                return;
            }
            dm_space_write(space, dev, v, r->size);
        }
    }
}

static void do_pci_config(GlueIoreq *q, Req *r)
{
    uint32_t sbdf = r->addr >> 32;
    uint32_t reg = (uint32_t)r->addr;
    uint8_t bus = sbdf >> 8;
    uint8_t devfn = sbdf;
    bool present = q->pci && (sbdf >> 16) == 0;
    uint64_t v;

    if (r->read) {
        v = present ? pci_bus_config_read(q->pci, bus, devfn, reg, r->size)
                    : size_mask(r->size);
        if (!r->data_is_ptr) {
            r->data = v;
        } else if (!guest_write_item(q, r->data, r->size, v)) {
            refuse(q, GLUE_IOREQ_BAD_MEMORY, r);
        }
        return;
    }
    v = r->data;
    if (r->data_is_ptr && !guest_read_item(q, r->data, r->size, &v)) {
        refuse(q, GLUE_IOREQ_BAD_MEMORY, r);
        return;
    }
    if (present) {
        pci_bus_config_write(q->pci, bus, devfn, reg, (uint32_t)v, r->size);
    }
}

/* Checks a request; false: refused (reads then return all-ones). */
static bool validate(GlueIoreq *q, const Req *r)
{
    unsigned max_size;

    switch (r->type) {
    case IOREQ_TYPE_PIO:
    case IOREQ_TYPE_PCI_CONFIG:
        max_size = 4;
        break;
    case IOREQ_TYPE_COPY:
        max_size = 8;
        break;
    case IOREQ_TYPE_TIMEOFFSET:
    case IOREQ_TYPE_INVALIDATE:
        return true;
    default:
        refuse(q, GLUE_IOREQ_BAD_TYPE, r);
        return false;
    }
    if (r->size == 0 || r->size > max_size || (r->size & (r->size - 1))) {
        refuse(q, GLUE_IOREQ_BAD_SIZE, r);
        return false;
    }
    if (r->count == 0 || r->count > GLUE_IOREQ_MAX_COUNT ||
        (r->type == IOREQ_TYPE_PCI_CONFIG && r->count != 1)) {
        refuse(q, GLUE_IOREQ_BAD_COUNT, r);
        return false;
    }
    if ((r->type == IOREQ_TYPE_COPY && !range_ok(r->addr, r)) ||
        (r->data_is_ptr && !range_ok(r->data, r))) {
        refuse(q, GLUE_IOREQ_BAD_WRAP, r);
        return false;
    }
    return true;
}

static void dispatch(GlueIoreq *q, Req *r)
{
    if (!r->data_is_ptr && !r->read) {
        r->data &= size_mask(r->size);
    }
    if (!validate(q, r)) {
        if (r->read && !r->data_is_ptr) {
            r->data = UINT64_MAX;
        }
        return;
    }
    q->handled++;
    switch (r->type) {
    case IOREQ_TYPE_PIO:
        do_access(q, r, q->io, true);
        break;
    case IOREQ_TYPE_COPY:
        do_access(q, r, q->mem, false);
        break;
    case IOREQ_TYPE_PCI_CONFIG:
        do_pci_config(q, r);
        break;
    case IOREQ_TYPE_TIMEOFFSET:
        /* The RTC offset is Xen's business; QEMU ignores it too. */
        break;
    case IOREQ_TYPE_INVALIDATE:
        if (q->invalidate) {
            q->invalidate(q->invalidate_opaque);
        }
        break;
    }
}

static uint8_t *slot_flags(ioreq_t *slot)
{
    return (uint8_t *)slot + IOREQ_FLAGS_OFFSET;
}

static void set_state(ioreq_t *slot, uint8_t flags, unsigned state)
{
    __atomic_store_n(slot_flags(slot),
                     (uint8_t)((flags & ~IOREQ_STATE_MASK) | state),
                     __ATOMIC_RELEASE);
}

bool glue_ioreq_handle_slot(GlueIoreq *q, void *page, unsigned vcpu)
{
    ioreq_t *slot = (ioreq_t *)page + vcpu;
    uint8_t flags;
    Req r;

    if (vcpu >= IOREQ_PAGE_SLOTS) {
        return false;
    }
    flags = __atomic_load_n(slot_flags(slot), __ATOMIC_RELAXED);
    if ((flags & IOREQ_STATE_MASK) != STATE_IOREQ_READY) {
        return false;
    }
    /* Xen filled the request before it set READY. */
    __atomic_thread_fence(__ATOMIC_ACQUIRE);
    set_state(slot, flags, STATE_IOREQ_INPROCESS);

    r.addr = slot->addr;
    r.data = slot->data;
    r.count = slot->count;
    r.size = slot->size;
    r.data_is_ptr = flags & 0x10;
    r.read = (flags & 0x20) != 0;
    r.df = flags & 0x40;
    r.type = slot->type;
    dispatch(q, &r);

    if (r.read && !r.data_is_ptr) {
        slot->data = r.data;
    }
    /* The result must be visible before Xen sees IORESP_READY. */
    __atomic_thread_fence(__ATOMIC_RELEASE);
    set_state(slot, flags, STATE_IORESP_READY);
    return true;
}

static void buf_slot(const buffered_iopage_t *b, uint32_t ptr,
                     uint32_t *w0, uint32_t *w1)
{
    const uint32_t *w = (const uint32_t *)
        &b->buf_ioreq[ptr % IOREQ_BUFFER_SLOT_NUM];

    *w0 = __atomic_load_n(&w[0], __ATOMIC_RELAXED);
    *w1 = __atomic_load_n(&w[1], __ATOMIC_RELAXED);
}

unsigned glue_ioreq_drain_buffered(GlueIoreq *q, void *bufpage)
{
    buffered_iopage_t *b = bufpage;
    unsigned consumed = 0;

    for (;;) {
        uint32_t rp, wp, w0, w1, step = 1;
        Req r = { .count = 1 };

        rp = __atomic_load_n(&b->read_pointer, __ATOMIC_ACQUIRE);
        wp = __atomic_load_n(&b->write_pointer, __ATOMIC_ACQUIRE);
        /* Xen may rebase both pointers at once (BUFIOREQ_ATOMIC). */
        if (__atomic_load_n(&b->read_pointer, __ATOMIC_ACQUIRE) != rp) {
            continue;
        }
        if (rp == wp) {
            break;
        }
        if (wp - rp > IOREQ_BUFFER_SLOT_NUM) {
            /* Xen never lets the ring overflow: skip it, do not loop. */
            r.addr = rp;
            r.data = wp;
            refuse(q, GLUE_IOREQ_BAD_BUFFERED, &r);
            __atomic_fetch_add(&b->read_pointer, wp - rp, __ATOMIC_SEQ_CST);
            consumed++;
            continue;
        }
        buf_slot(b, rp, &w0, &w1);
        r.type = w0 & 0xff;
        r.read = (w0 >> 9) & 1;
        r.size = 1u << ((w0 >> 10) & 3);
        r.addr = w0 >> 12;
        r.data = w1;
        if (r.size == 8) {
            uint32_t hi0, hi1;

            if (wp - rp < 2) {
                /* Half a pair: drop what is there rather than spin. */
                refuse(q, GLUE_IOREQ_BAD_BUFFERED, &r);
                __atomic_fetch_add(&b->read_pointer, 1, __ATOMIC_SEQ_CST);
                consumed++;
                continue;
            }
            buf_slot(b, rp + 1, &hi0, &hi1);
            r.data |= (uint64_t)hi1 << 32;
            step = 2;
        }
        if (r.read) {
            refuse(q, GLUE_IOREQ_BAD_BUFFERED, &r);
        } else {
            dispatch(q, &r);
        }
        __atomic_fetch_add(&b->read_pointer, step, __ATOMIC_SEQ_CST);
        consumed++;
    }
    return consumed;
}

/*
 * However busy the vCPUs are, a wake-up returns to the main loop after
 * this long so that QMP, timers and chardevs are not starved.
 */
#define SERVE_MAX_NS 200000

uint64_t glue_spin_now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

void glue_spin_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ volatile("yield" ::: "memory");
#endif
}

void glue_spin_init(GlueSpin *s, uint64_t max_ns)
{
    *s = (GlueSpin) { .max_ns = max_ns, .cur_ns = max_ns,
                      .probe_every = GLUE_SPIN_PROBE };
}

void glue_spin_woken(GlueSpin *s)
{
    if (!s->cur_ns && s->max_ns && ++s->sleeps >= s->probe_every) {
        s->cur_ns = s->max_ns;
        s->probing = true;
    }
}

void glue_spin_hit(GlueSpin *s)
{
    s->cur_ns = MIN(s->max_ns, MAX(2 * s->cur_ns, GLUE_SPIN_MIN_NS));
    s->probing = false;
    s->probe_every = GLUE_SPIN_PROBE;
}

void glue_spin_miss(GlueSpin *s)
{
    if (!s->cur_ns) {
        return;               /* not polling: nothing learnt */
    }
    if (s->probing) {
        /* Still alone: back to 0 at once, and probe less often. */
        s->probing = false;
        s->cur_ns = 0;
        s->probe_every = MIN(2 * s->probe_every, GLUE_SPIN_PROBE_MAX);
    } else {
        s->cur_ns /= 2;
        if (s->cur_ns < GLUE_SPIN_MIN_NS) {
            s->cur_ns = 0;
        }
    }
    s->sleeps = 0;
}

static unsigned serve_pass(GlueIoreq *q, void *page, unsigned nr_vcpus,
                           void *bufpage, const GlueIoreqChannel *ch)
{
    unsigned served = 0;

    /* QEMU drains the ring whenever it serves a synchronous request. */
    if (bufpage) {
        glue_ioreq_drain_buffered(q, bufpage);
    }
    for (unsigned v = 0; v < nr_vcpus; v++) {
        if (glue_ioreq_handle_slot(q, page, v)) {
            ch->notify(ch->opaque, v);
            served++;
        }
    }
    return served;
}

/*
 * Every return follows a full pass made after the last consume: a request
 * made READY before that consume has been served, and one notified after
 * it leaves the channel readable for the next wake-up.
 */
unsigned glue_ioreq_serve(GlueIoreq *q, void *page, unsigned nr_vcpus,
                          void *bufpage, const GlueIoreqChannel *ch,
                          GlueSpin *spin)
{
    uint64_t start = spin ? glue_spin_now() : 0;
    uint64_t idle_since;
    unsigned total, n;

    nr_vcpus = MIN(nr_vcpus, IOREQ_PAGE_SLOTS);
    if (spin) {
        glue_spin_woken(spin);
    }
    ch->consume(ch->opaque);
    total = serve_pass(q, page, nr_vcpus, bufpage, ch);
    if (!spin) {
        return total;
    }
    if (!spin->cur_ns) {
        return total;
    }
    idle_since = glue_spin_now();
    for (;;) {
        uint64_t t;

        n = serve_pass(q, page, nr_vcpus, bufpage, ch);
        t = glue_spin_now();
        if (n) {
            /* Found by polling: without it, a sleep and a wake-up. */
            glue_spin_hit(spin);
            total += n;
            idle_since = t;
        } else if (t - idle_since >= spin->cur_ns) {
            /* Going to sleep: notifications for what was served go too. */
            ch->consume(ch->opaque);
            n = serve_pass(q, page, nr_vcpus, bufpage, ch);
            total += n;
            if (!n) {
                glue_spin_miss(spin);
                return total;
            }
            idle_since = glue_spin_now();
        } else {
            glue_spin_relax();
        }
        if (t - start >= SERVE_MAX_NS) {
            return total;
        }
    }
}
