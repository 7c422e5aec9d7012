/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The Xen side of stubdm, in qemu-xen's order (xen-toolstack.md §5.1, §6.2;
 * QEMU 7.2 hw/i386/xen/xen-hvm.c, hw/i386/xen/xen-mapcache.c).
 */
#include <xenctrl.h>          /* first: __XEN_TOOLS__ */
#include <xen/hvm/ioreq.h>
#include <xendevicemodel.h>
#include <xenevtchn.h>
#include <xenforeignmemory.h>
#include <xentoolcore.h>

#include "toolstack-glue/xen.h"

#include "dm/dm-error.h"
#include "hw/hw.h"
#include "hw/i440fx.h"
#include "toolstack-glue/ioreq.h"

#include <errno.h>
#include <fcntl.h>
#include <glib-unix.h>
#include <string.h>
#include <sys/mman.h>

#define XEN_PAGE 4096
/* QEMU's mapcache bucket: 1 MiB of guest-physical space per mapping. */
#define BUCKET_SHIFT 20
#define BUCKET_PAGES (1u << (BUCKET_SHIFT - 12))

typedef struct Bucket {
    uint8_t *host;            /* BUCKET_PAGES pages, or NULL */
    int err[BUCKET_PAGES];    /* per page: 0 or why it is not mapped */
} Bucket;

/* What one address space has claimed from Xen. */
typedef struct GlueClaims {
    bool mmio;
    GPtrArray *regions;       /* mapped, not skipped (borrowed) */
    GArray *claimed;          /* GlueRange, as Xen has them */
} GlueClaims;

struct GlueXen {
    xentoollog_logger quiet;  /* first: the libraries get &x->quiet */
    DmMachine *m;
    domid_t domid;
    xc_interface *xc;
    xendevicemodel_handle *dmod;
    xenforeignmemory_handle *fmem;
    xenevtchn_handle *xce;
    ioservid_t ioservid;
    bool have_server;
    bool serving;             /* the event channels are being read */
    xenforeignmemory_resource_handle *fres;
    void *legacy_shared;      /* fallback mappings (no resource mapping) */
    void *legacy_buffered;
    void *shared_page;
    void *buffered_page;
    evtchn_port_t bufioreq_remote;
    xenevtchn_port_or_error_t buf_local;
    unsigned nr_vcpus;
    xenevtchn_port_or_error_t *local;    /* per vCPU */
    guint watch;
    GlueIoreqChannel channel;
    GlueSpin spin;
    const GlueXenOps *ops;
    void *ops_opaque;
    GHashTable *mapcache;     /* bucket number -> Bucket */
    GlueClaims io_claims;
    GlueClaims mem_claims;    /* memory and pci-memory: one Xen space */
    GlueIoreq q;
};

/* The libraries log to stderr; the caller gets one GError line instead. */
static void quiet_vmessage(xentoollog_logger *l, xentoollog_level level,
                           int errnoval, const char *context,
                           const char *format, va_list al)
{
}

static void quiet_progress(xentoollog_logger *l, const char *context,
                           const char *doing_what, int percent,
                           unsigned long done, unsigned long total)
{
}

static void quiet_destroy(xentoollog_logger *l)
{
}

static void bucket_free(gpointer p)
{
    Bucket *b = p;

    g_free(b);
}

/* Drops every foreign mapping (INVALIDATE: the guest gave memory back). */
static void mapcache_flush(void *opaque)
{
    GlueXen *x = opaque;
    GHashTableIter it;
    gpointer value;

    g_hash_table_iter_init(&it, x->mapcache);
    while (g_hash_table_iter_next(&it, NULL, &value)) {
        Bucket *b = value;
        if (b->host) {
            xenforeignmemory_unmap(x->fmem, b->host, BUCKET_PAGES);
        }
    }
    g_hash_table_remove_all(x->mapcache);
}

/* The host address of a guest page, mapping its 1 MiB bucket if needed. */
static uint8_t *mapcache_page(GlueXen *x, uint64_t gpa)
{
    uint64_t nr = gpa >> BUCKET_SHIFT;
    unsigned page = (gpa >> 12) & (BUCKET_PAGES - 1);
    Bucket *b = g_hash_table_lookup(x->mapcache, &nr);

    if (!b) {
        xen_pfn_t pfns[BUCKET_PAGES];
        uint64_t *key = g_new(uint64_t, 1);

        for (unsigned i = 0; i < BUCKET_PAGES; i++) {
            pfns[i] = (nr << (BUCKET_SHIFT - 12)) + i;
        }
        b = g_new0(Bucket, 1);
        /* Holes in the bucket fail page by page, in err[]. */
        b->host = xenforeignmemory_map(x->fmem, x->domid,
                                       PROT_READ | PROT_WRITE, BUCKET_PAGES,
                                       pfns, b->err);
        if (!b->host) {
            /* Not cached: the guest may populate the range later. */
            g_free(b);
            g_free(key);
            return NULL;
        }
        *key = nr;
        g_hash_table_insert(x->mapcache, key, b);
    }
    if (b->err[page]) {
        return NULL;
    }
    return b->host + ((gpa & ((1u << BUCKET_SHIFT) - 1)) & ~(uint64_t)0xfff);
}

static bool guest_read(void *opaque, uint64_t gpa, void *buf, size_t len)
{
    uint8_t *p = mapcache_page(opaque, gpa);

    if (!p) {
        return false;
    }
    memcpy(buf, p + (gpa & 0xfff), len);
    return true;
}

static bool guest_write(void *opaque, uint64_t gpa, const void *buf,
                        size_t len)
{
    GlueXen *x = opaque;
    uint8_t *p = mapcache_page(x, gpa);

    if (!p) {
        return false;
    }
    memcpy(p + (gpa & 0xfff), buf, len);
    /* During a live save the page must be sent again (§5.9). */
    if (x->m && x->m->dirty_log &&
        xendevicemodel_modified_memory(x->dmod, x->domid, gpa >> 12, 1)) {
        g_warning("xen: cannot report modified page 0x%" G_GINT64_MODIFIER
                  "x: %s", gpa >> 12, g_strerror(errno));
    }
    return true;
}

static gboolean xen_fail(GError **errp, const char *what)
{
    int e = errno;

    g_set_error(errp, DM_ERROR, DM_ERROR_INVALID, "xen: %s: %s", what,
                g_strerror(e));
    return FALSE;
}

static gboolean map_pages(GlueXen *x, GError **errp)
{
    void *addr = NULL;
    xen_pfn_t ioreq_gfn, bufioreq_gfn;

    x->fres = xenforeignmemory_map_resource(x->fmem, x->domid,
                                            XENMEM_resource_ioreq_server,
                                            x->ioservid, 0, 2, &addr,
                                            PROT_READ | PROT_WRITE, 0);
    if (x->fres) {
        x->buffered_page = addr;
        x->shared_page = (uint8_t *)addr + XEN_PAGE;
        return TRUE;
    }
    if (errno != EOPNOTSUPP) {
        return xen_fail(errp, "cannot map the ioreq server pages");
    }
    /* A dom0 kernel without privcmd resource mapping: the legacy gfns. */
    if (xendevicemodel_get_ioreq_server_info(x->dmod, x->domid, x->ioservid,
                                             &ioreq_gfn, &bufioreq_gfn,
                                             NULL)) {
        return xen_fail(errp, "cannot get the ioreq server pages");
    }
    x->legacy_shared = xenforeignmemory_map(x->fmem, x->domid,
                                            PROT_READ | PROT_WRITE, 1,
                                            &ioreq_gfn, NULL);
    x->legacy_buffered = xenforeignmemory_map(x->fmem, x->domid,
                                              PROT_READ | PROT_WRITE, 1,
                                              &bufioreq_gfn, NULL);
    if (!x->legacy_shared || !x->legacy_buffered) {
        return xen_fail(errp, "cannot map the legacy ioreq pages");
    }
    x->shared_page = x->legacy_shared;
    x->buffered_page = x->legacy_buffered;
    return TRUE;
}

static const GlueXenOps real_ops;

static GlueXen *xen_new(unsigned domid, const GlueXenOps *ops, void *opaque)
{
    GlueXen *x = g_new0(GlueXen, 1);

    x->ops = ops;
    x->ops_opaque = opaque ? opaque : x;
    x->quiet.vmessage = quiet_vmessage;
    x->quiet.progress = quiet_progress;
    x->quiet.destroy = quiet_destroy;
    x->domid = domid;
    x->buf_local = -1;
    x->mapcache = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free,
                                        bucket_free);
    x->io_claims = (GlueClaims) { false, g_ptr_array_new(),
                                  g_array_new(FALSE, FALSE,
                                              sizeof(GlueRange)) };
    x->mem_claims = (GlueClaims) { true, g_ptr_array_new(),
                                   g_array_new(FALSE, FALSE,
                                               sizeof(GlueRange)) };
    return x;
}

GlueXen *glue_xen_new_with_ops(unsigned domid, const GlueXenOps *ops,
                               void *opaque)
{
    return xen_new(domid, ops, opaque);
}

GlueXen *glue_xen_open(unsigned domid, GError **errp)
{
    GlueXen *x = xen_new(domid, &real_ops, NULL);

    x->xc = xc_interface_open(&x->quiet, &x->quiet, 0);
    if (!x->xc) {
        int e = errno;
        g_set_error(errp, DM_ERROR, DM_ERROR_INVALID,
                    "no Xen hypervisor interface found (cannot open the Xen "
                    "control interface: %s); is this a Xen dom0?",
                    g_strerror(e));
        glue_xen_free(x);
        return NULL;
    }
    x->fmem = xenforeignmemory_open(&x->quiet, 0);
    x->dmod = xendevicemodel_open(&x->quiet, 0);
    x->xce = xenevtchn_open(&x->quiet, 0);
    if (!x->fmem || !x->dmod || !x->xce) {
        xen_fail(errp, "cannot open the foreign memory, device model or "
                 "event channel interface");
        glue_xen_free(x);
        return NULL;
    }
    if (xendevicemodel_create_ioreq_server(x->dmod, domid,
                                           HVM_IOREQSRV_BUFIOREQ_ATOMIC,
                                           &x->ioservid)) {
        xen_fail(errp, "cannot create an ioreq server");
        glue_xen_free(x);
        return NULL;
    }
    x->have_server = true;
    if (!map_pages(x, errp) ||
        (xendevicemodel_get_ioreq_server_info(x->dmod, domid, x->ioservid,
                                              NULL, NULL,
                                              &x->bufioreq_remote) &&
         !xen_fail(errp, "cannot get the buffered event channel"))) {
        glue_xen_free(x);
        return NULL;
    }
    x->q.guest = (GlueGuestMem) { guest_read, guest_write, x };
    x->q.invalidate = mapcache_flush;
    x->q.invalidate_opaque = x;
    return x;
}

/*
 * QEMU registers every non-RAM section. The i440FX PAM and SMRAM windows
 * are RAM under Xen (hvmloader owns them), so they stay with Xen.
 */
static bool region_skipped(const DmRegion *r)
{
    return r->ram || !strcmp(r->name, "pam") || !strcmp(r->name, "smram") ||
           r->size == 0;
}

static gint range_cmp(gconstpointer a, gconstpointer b)
{
    const GlueRange *x = a, *y = b;

    return x->start < y->start ? -1 : x->start > y->start;
}

GArray *glue_xen_claims(GPtrArray *regions)
{
    GArray *out = g_array_new(FALSE, FALSE, sizeof(GlueRange));
    g_autoptr(GArray) all = g_array_new(FALSE, FALSE, sizeof(GlueRange));

    for (guint i = 0; i < regions->len; i++) {
        const DmRegion *r = g_ptr_array_index(regions, i);
        if (!region_skipped(r)) {
            GlueRange g = { r->base, r->base + r->size - 1 };
            g_array_append_val(all, g);
        }
    }
    g_array_sort(all, range_cmp);
    for (guint i = 0; i < all->len; i++) {
        GlueRange g = g_array_index(all, GlueRange, i);
        GlueRange *last = out->len ?
            &g_array_index(out, GlueRange, out->len - 1) : NULL;
        if (last && g.start <= last->end) {
            last->end = MAX(last->end, g.end);
        } else {
            g_array_append_val(out, g);
        }
    }
    return out;
}

static bool range_in(const GArray *set, const GlueRange *g)
{
    for (guint i = 0; i < set->len; i++) {
        const GlueRange *h = &g_array_index(set, GlueRange, i);
        if (h->start == g->start && h->end == g->end) {
            return true;
        }
    }
    return false;
}

/* Brings Xen's ranges for one space in line with its mapped regions. */
static void claims_update(GlueXen *x, GlueClaims *c, DmRegion *r,
                          bool mapped)
{
    GArray *now;

    if (region_skipped(r)) {
        return;
    }
    if (mapped) {
        g_ptr_array_add(c->regions, r);
    } else {
        g_ptr_array_remove(c->regions, r);
    }
    now = glue_xen_claims(c->regions);
    for (guint i = 0; i < c->claimed->len; i++) {
        GlueRange *g = &g_array_index(c->claimed, GlueRange, i);
        if (!range_in(now, g) &&
            xendevicemodel_unmap_io_range_from_ioreq_server(
                x->dmod, x->domid, x->ioservid, c->mmio, g->start, g->end)) {
            g_warning("xen: cannot release %s 0x%" G_GINT64_MODIFIER "x-0x%"
                      G_GINT64_MODIFIER "x: %s", c->mmio ? "MMIO" : "ports",
                      g->start, g->end, g_strerror(errno));
        }
    }
    for (guint i = 0; i < now->len; i++) {
        GlueRange *g = &g_array_index(now, GlueRange, i);
        if (!range_in(c->claimed, g) &&
            xendevicemodel_map_io_range_to_ioreq_server(
                x->dmod, x->domid, x->ioservid, c->mmio, g->start, g->end)) {
            g_warning("xen: cannot claim %s 0x%" G_GINT64_MODIFIER "x-0x%"
                      G_GINT64_MODIFIER "x (%s): %s",
                      c->mmio ? "MMIO" : "ports", g->start, g->end, r->name,
                      g_strerror(errno));
        }
    }
    g_array_free(c->claimed, TRUE);
    c->claimed = now;
}

static void on_io_region(void *opaque, DmRegion *r, bool mapped)
{
    GlueXen *x = opaque;

    claims_update(x, &x->io_claims, r, mapped);
}

static void on_mem_region(void *opaque, DmRegion *r, bool mapped)
{
    GlueXen *x = opaque;

    claims_update(x, &x->mem_claims, r, mapped);
}

static void on_isa_irq(void *opaque, unsigned irq, bool level)
{
    GlueXen *x = opaque;

    if (irq < 16 &&
        xendevicemodel_set_isa_irq_level(x->dmod, x->domid, irq, level)) {
        g_warning("xen: cannot set ISA IRQ %u: %s", irq, g_strerror(errno));
    }
}

static void xen_attach(void *opaque, DmMachine *m)
{
    GlueXen *x = opaque;

    x->m = m;
    dm_space_set_listener(m->io, on_io_region, x);
    dm_space_set_listener(m->mem, on_mem_region, x);
    dm_space_set_listener(m->pci_mem, on_mem_region, x);
    dm_machine_set_irq_observer(m, on_isa_irq, x);
}

static void xen_set_pci_intx(void *opaque, unsigned slot, unsigned pin,
                             bool level)
{
    GlueXen *x = opaque;

    if (xendevicemodel_set_pci_intx_level(x->dmod, x->domid, 0, 0, slot, pin,
                                          level)) {
        g_warning("xen: cannot set INT%c of slot %u: %s", 'A' + pin, slot,
                  g_strerror(errno));
    }
}

static void xen_set_pci_link_route(void *opaque, unsigned link,
                                   unsigned irq)
{
    GlueXen *x = opaque;

    if (xendevicemodel_set_pci_link_route(x->dmod, x->domid, link, irq)) {
        g_warning("xen: cannot route PCI link %u: %s", link,
                  g_strerror(errno));
    }
}

static void xen_shutdown(GlueXen *x, unsigned reason)
{
    if (x->ops->shutdown(x->ops_opaque, reason)) {
        g_warning("xen: cannot shut domain %u down: %s", x->domid,
                  g_strerror(errno));
    }
}

static void xen_reset(void *opaque)
{
    xen_shutdown(opaque, SHUTDOWN_reboot);
}

static void xen_poweroff(void *opaque)
{
    xen_shutdown(opaque, SHUTDOWN_poweroff);
}

static void xen_suspend(void *opaque)
{
    glue_xen_suspend(opaque);
}

static void xen_wakeup(void *opaque)
{
    glue_xen_wakeup(opaque);
}

const DmPlatformHooks glue_xen_platform = {
    .attach = xen_attach,
    .set_pci_intx = xen_set_pci_intx,
    .set_pci_link_route = xen_set_pci_link_route,
    .reset = xen_reset,
    .poweroff = xen_poweroff,
    .suspend = xen_suspend,
    .wakeup = xen_wakeup,
};

static PciBus *machine_pci_bus(DmMachine *m)
{
    for (guint i = 0; m->devices && i < m->devices->len; i++) {
        HwDevice *d = g_ptr_array_index(m->devices, i);
        if (d->info == &i440fx_info) {
            return ((I440fx *)d->state)->bus;
        }
    }
    return NULL;
}

/*
 * The driver masks a port when it delivers it; every port read is
 * unmasked at once (the ring is drained on every pass, so the buffered
 * port needs no masking either). The fd is non-blocking: EAGAIN ends it.
 */
static void evtchn_consume(void *opaque)
{
    GlueXen *x = opaque;
    xenevtchn_port_or_error_t port;

    while ((port = xenevtchn_pending(x->xce)) >= 0) {
        xenevtchn_unmask(x->xce, port);
    }
}

static void evtchn_notify(void *opaque, unsigned vcpu)
{
    GlueXen *x = opaque;

    xenevtchn_notify(x->xce, x->local[vcpu]);
}

/*
 * Every READY slot is served, not only those of the ports read: Xen sets
 * READY before it notifies, so a READY slot is always a request.
 */
static gboolean on_event(gint fd, GIOCondition cond, gpointer opaque)
{
    GlueXen *x = opaque;

    glue_ioreq_serve(&x->q, x->shared_page, x->nr_vcpus, x->buffered_page,
                     &x->channel, &x->spin);
    return G_SOURCE_CONTINUE;
}

static int real_set_server_state(void *opaque, bool enabled)
{
    GlueXen *x = opaque;

    return xendevicemodel_set_ioreq_server_state(x->dmod, x->domid,
                                                 x->ioservid, enabled);
}

static void real_serve(void *opaque)
{
    GlueXen *x = opaque;
    int fd = xenevtchn_fd(x->xce);

    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    x->channel = (GlueIoreqChannel) { evtchn_consume, evtchn_notify, x };
    glue_spin_init(&x->spin, GLUE_SPIN_MAX_NS);
    x->watch = g_unix_fd_add(fd, G_IO_IN, on_event, x);
}

static int real_shutdown(void *opaque, unsigned reason)
{
    GlueXen *x = opaque;

    return xendevicemodel_shutdown(x->dmod, x->domid, reason);
}

static int real_set_acpi_s_state(void *opaque, unsigned state)
{
    GlueXen *x = opaque;

    return xc_hvm_param_set(x->xc, x->domid, HVM_PARAM_ACPI_S_STATE, state);
}

static const GlueXenOps real_ops = {
    .set_server_state = real_set_server_state,
    .serve = real_serve,
    .shutdown = real_shutdown,
    .set_acpi_s_state = real_set_acpi_s_state,
};

/*
 * qemu-xen's change-state handler: on every run-state change the server
 * is enabled exactly when the new state is "running", so a paused
 * machine (stop, a save in progress) gets no requests; the event
 * channels are read from the first run on.
 */
void glue_xen_runstate(void *opaque, DmRunState state)
{
    GlueXen *x = opaque;
    bool running = state == DM_RUN_RUNNING;

    if (running && !x->serving) {
        x->serving = true;
        x->ops->serve(x->ops_opaque);
    }
    if (x->ops->set_server_state(x->ops_opaque, running)) {
        g_warning("xen: cannot %s the ioreq server: %s",
                  running ? "enable" : "disable", g_strerror(errno));
    }
}

static void set_s_state(GlueXen *x, unsigned state)
{
    /* Fails once restricted (xc_* goes to /dev/null), as for qemu-xen. */
    if (x->ops->set_acpi_s_state(x->ops_opaque, state)) {
        g_warning("xen: cannot set the ACPI S state of domain %u to S%u: %s",
                  x->domid, state, g_strerror(errno));
    }
}

void glue_xen_suspend(GlueXen *x)
{
    set_s_state(x, 3);
}

void glue_xen_wakeup(GlueXen *x)
{
    set_s_state(x, 0);
}

bool glue_xen_restrict_wanted(bool flag, const char *xen_domain_id_env)
{
    return flag || !xen_domain_id_env;
}

gboolean glue_xen_start(GlueXen *x, GError **errp)
{
    DmMachine *m = x->m;
    PciBus *bus;

    g_return_val_if_fail(m, FALSE);
    x->q.io = m->io;
    x->q.mem = m->mem;
    x->q.pci = bus = machine_pci_bus(m);
    for (unsigned devfn = 0; bus && devfn < 256; devfn++) {
        if (bus->devices[devfn] &&
            xendevicemodel_map_pcidev_to_ioreq_server(
                x->dmod, x->domid, x->ioservid, 0, 0, devfn >> 3,
                devfn & 7)) {
            return xen_fail(errp, "cannot claim a PCI function");
        }
    }
    /* Enabled now for its vp_eports; then it follows the run state. */
    if (x->ops->set_server_state(x->ops_opaque, true)) {
        return xen_fail(errp, "cannot enable the ioreq server");
    }
    if (xendevicemodel_nr_vcpus(x->dmod, x->domid, &x->nr_vcpus)) {
        return xen_fail(errp, "cannot count the vCPUs");
    }
    x->nr_vcpus = MIN(x->nr_vcpus, XEN_PAGE / sizeof(ioreq_t));
    x->local = g_new(xenevtchn_port_or_error_t, x->nr_vcpus);
    for (unsigned i = 0; i < x->nr_vcpus; i++) {
        const ioreq_t *slot = (const ioreq_t *)x->shared_page + i;
        x->local[i] = xenevtchn_bind_interdomain(x->xce, x->domid,
                                                 slot->vp_eport);
        if (x->local[i] < 0) {
            return xen_fail(errp, "cannot bind a vCPU event channel");
        }
    }
    x->buf_local = xenevtchn_bind_interdomain(x->xce, x->domid,
                                              x->bufioreq_remote);
    if (x->buf_local < 0) {
        return xen_fail(errp, "cannot bind the buffered event channel");
    }
    /* There is no removal: run states change only while x lives. */
    dm_machine_add_runstate_listener(m, glue_xen_runstate, x);
    return TRUE;
}

gboolean glue_xen_restrict(GlueXen *x, GError **errp)
{
    if (xentoolcore_restrict_all(x->domid)) {
        return xen_fail(errp, "cannot restrict the Xen handles");
    }
    return TRUE;
}

void glue_xen_free(GlueXen *x)
{
    if (!x) {
        return;
    }
    g_clear_handle_id(&x->watch, g_source_remove);
    if (x->m) {
        /* The machine outlives us; its teardown must not call back. */
        dm_space_set_listener(x->m->io, NULL, NULL);
        dm_space_set_listener(x->m->mem, NULL, NULL);
        dm_space_set_listener(x->m->pci_mem, NULL, NULL);
        dm_machine_set_irq_observer(x->m, NULL, NULL);
        x->m->platform = NULL;
        x->m->platform_opaque = NULL;
    }
    for (unsigned i = 0; x->local && i < x->nr_vcpus; i++) {
        if (x->local[i] >= 0) {
            xenevtchn_unbind(x->xce, x->local[i]);
        }
    }
    if (x->buf_local >= 0) {
        xenevtchn_unbind(x->xce, x->buf_local);
    }
    g_free(x->local);
    g_ptr_array_free(x->io_claims.regions, TRUE);
    g_array_free(x->io_claims.claimed, TRUE);
    g_ptr_array_free(x->mem_claims.regions, TRUE);
    g_array_free(x->mem_claims.claimed, TRUE);
    if (x->mapcache) {
        mapcache_flush(x);
        g_hash_table_destroy(x->mapcache);
    }
    if (x->fres) {
        xenforeignmemory_unmap_resource(x->fmem, x->fres);
    }
    if (x->legacy_shared) {
        xenforeignmemory_unmap(x->fmem, x->legacy_shared, 1);
    }
    if (x->legacy_buffered) {
        xenforeignmemory_unmap(x->fmem, x->legacy_buffered, 1);
    }
    if (x->have_server) {
        xendevicemodel_destroy_ioreq_server(x->dmod, x->domid, x->ioservid);
    }
    if (x->xce) {
        xenevtchn_close(x->xce);
    }
    if (x->dmod) {
        xendevicemodel_close(x->dmod);
    }
    if (x->fmem) {
        xenforeignmemory_close(x->fmem);
    }
    if (x->xc) {
        xc_interface_close(x->xc);
    }
    g_free(x);
}
