/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The machine: board assembly, run states and the events QEMU emits for
 * them (softmmu/runstate.c and cpus.c in QEMU 7.2 are the reference).
 */
#include "dm/machine.h"
#include "dm/chardev.h"
#include "dm/dm-error.h"
#include "dm/fdset.h"
#include "dm/keyval.h"
#include "dm/machine-pc.h"
#include "dm/qmp.h"
#include "dm/qtest.h"
#include "pc-bios/firmware.h"
#include "save/machine-state.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string.h>

G_DEFINE_QUARK(dm-error-quark, dm_error)

typedef struct {
    DmHookFn *fn;
    void *opaque;
} DmHook;

typedef struct {
    DmRunStateFn *fn;
    void *opaque;
} DmRunStateListener;

static const char *const runstate_names[] = {
    [DM_RUN_PRELAUNCH] = "prelaunch",
    [DM_RUN_RUNNING] = "running",
    [DM_RUN_PAUSED] = "paused",
    [DM_RUN_INMIGRATE] = "inmigrate",
    [DM_RUN_POSTMIGRATE] = "postmigrate",
    [DM_RUN_FINISH_MIGRATE] = "finish-migrate",
    [DM_RUN_SHUTDOWN] = "shutdown",
    [DM_RUN_SUSPENDED] = "suspended",
};

const char *dm_runstate_name(DmRunState s)
{
    return runstate_names[s];
}

bool dm_runstate_from_name(const char *name, DmRunState *out)
{
    for (size_t i = 0; i < G_N_ELEMENTS(runstate_names); i++) {
        if (!strcmp(name, runstate_names[i])) {
            *out = (DmRunState)i;
            return true;
        }
    }
    return false;
}

bool dm_machine_is_running(const DmMachine *m)
{
    return m->runstate == DM_RUN_RUNNING;
}

static gboolean machine_map_guest_ram(DmMachine *m, GError **errp)
{
    RamGuest *g = ram_guest_new(m->opts->ram_size, m->opts->max_ram_below_4g,
                                errp);

    if (!g) {
        return FALSE;
    }
    m->guest_ram = g;
    if (!ram_block_new_borrowed(m->ram, "pc.ram", g->host, g->size,
                                RAM_BACKING_LOCAL, errp)) {
        return FALSE;
    }
    /* Devices and ROMs overlay RAM at higher priorities. */
    dm_region_init_ram(&m->ram_low, "ram-below-4g", g->below_4g, g->host,
                       false);
    dm_space_map(m->mem, &m->ram_low, 0, 0);
    if (g->above_4g) {
        dm_region_init_ram(&m->ram_high, "ram-above-4g", g->above_4g,
                           g->host + g->below_4g, false);
        dm_space_map(m->mem, &m->ram_high, RAM_4G, 0);
    }
    return TRUE;
}

#define KIB UINT64_C(1024)
/* QEMU 7.2 hw/i386/pc.c: PC_ROM_MIN_VGA .. PC_ROM_MAX, option ROM space. */
#define PC_ROM_BASE 0xc0000
#define PC_ROM_SIZE (128 * KIB)
/* The isa-bios alias shows at most the firmware's last 128 KiB. */
#define ISA_BIOS_MAX (128 * KIB)

/*
 * x86_bios_rom_init: pc.bios ends at 4 GiB, its last 128 KiB (or all of
 * a smaller image) show below 1 MiB through an alias in the PCI memory
 * space, which the i440FX PAM windows read while they are not RAM. Both
 * follow the block when a stream resizes it.
 */
static void machine_map_bios(DmMachine *m)
{
    RamBlock *b = m->bios;
    uint64_t isa = MIN(b->used_length, ISA_BIOS_MAX);

    if (dm_region_mapped(&m->bios_region)) {
        dm_space_unmap(&m->bios_region);
        dm_space_unmap(&m->isa_bios);
    }
    dm_region_init_ram(&m->bios_region, "pc.bios", b->used_length, b->host,
                       true);
    dm_space_map(m->mem, &m->bios_region, RAM_4G - b->used_length, 0);
    dm_region_init_ram(&m->isa_bios, "isa-bios", isa,
                       b->host + b->used_length - isa, true);
    dm_space_map(m->pci_mem, &m->isa_bios, 0x100000 - isa, 1);
}

static void machine_bios_resized(void *opaque, RamBlock *b, uint64_t old)
{
    machine_map_bios(opaque);
}

static gboolean machine_map_firmware(DmMachine *m, GError **errp)
{
    const char *name = m->opts->bios ? m->opts->bios : m->compat.default_bios;
    g_autoptr(GBytes) image = NULL;
    RamBlock *rom;
    gsize len;
    const void *data;

    /*
     * With flash (OVMF) there is no pc.bios, as in QEMU's
     * pc_system_firmware_init: the flash device maps the firmware and
     * its isa-bios copy itself.
     */
    if (m->opts->pflash[0].file) {
        goto option_rom;
    }
    image = firmware_load_bios(name, errp);
    if (!image) {
        return FALSE;
    }
    data = g_bytes_get_data(image, &len);
    /*
     * QEMU's pc.bios is fixed-size; stubdm's may take any size up to
     * 256 KiB, so a stream from a 128 KiB SeaBIOS source loads (seed 000).
     */
    m->bios = ram_block_new_local(m->ram, "pc.bios", len,
                                  MAX(len, 256 * KIB), true, errp);
    if (!m->bios) {
        return FALSE;
    }
    memcpy(m->bios->host, data, len);
    ram_block_set_resize_hook(m->bios, machine_bios_resized, m);
    machine_map_bios(m);
option_rom:
    /* Read-only on PCI machines (pc_memory_init), zero with -nodefaults. */
    rom = ram_block_new_local(m->ram, "pc.rom", PC_ROM_SIZE, PC_ROM_SIZE,
                              false, errp);
    if (!rom) {
        return FALSE;
    }
    dm_region_init_ram(&m->option_rom, "pc.rom", PC_ROM_SIZE, rom->host,
                       true);
    dm_space_map(m->pci_mem, &m->option_rom, PC_ROM_BASE, 1);
    return TRUE;
}

void dm_machine_mark_dirty(DmMachine *m, uint64_t addr, uint64_t len)
{
    RamGuest *g = m->guest_ram;
    RamBlock *b = m->ram ? ram_block_find(m->ram, "pc.ram") : NULL;

    /*
     * By guest-physical layout rather than by what answered: a PAM
     * window writing through to RAM is a handler, not a RAM region, and
     * marking a page too many only costs a resend.
     */
    if (!g || !b || !len) {
        return;
    }
    if (addr < g->below_4g) {
        ram_block_mark_dirty(b, addr, MIN(len, g->below_4g - addr));
    }
    if (g->above_4g && addr + len > RAM_4G &&
        addr < RAM_4G + g->above_4g) {
        uint64_t start = MAX(addr, RAM_4G);
        uint64_t end = MIN(addr + len, RAM_4G + g->above_4g);
        ram_block_mark_dirty(b, g->below_4g + start - RAM_4G, end - start);
    }
}

static void machine_close_named_fd(gpointer v)
{
    close(GPOINTER_TO_INT(v) - 1);
}

static DmMachine *machine_new(DmOptions *opts, const DmPlatformHooks *hooks,
                              void *opaque, GError **errp)
{
    DmMachine *m = g_new0(DmMachine, 1);
    bool qtest = !strcmp(opts->accel, "qtest");

    m->opts = opts;
    m->machine_type = opts->machine_type;
    m->compat = dm_compat_for(opts->machine_type, opts->xen_domid >= 0,
                              opts->qemu_kvm_migration);
    m->clock = dm_clock_new(qtest);
    m->io = dm_space_new("io", 0xff);
    /* Measured on QEMU 7.2: unassigned memory reads 0, ports all-ones. */
    m->mem = dm_space_new("memory", 0x00);
    m->pci_mem = dm_space_new("pci-memory", 0x00);
    m->chardevs = g_ptr_array_new_with_free_func(
        (GDestroyNotify)dm_chardev_free);
    m->monitors = g_ptr_array_new_with_free_func(
        (GDestroyNotify)dm_monitor_free);
    m->reset_hooks = g_array_new(FALSE, FALSE, sizeof(DmHook));
    m->powerdown_hooks = g_array_new(FALSE, FALSE, sizeof(DmHook));
    m->wakeup_hooks = g_array_new(FALSE, FALSE, sizeof(DmHook));
    m->runstate_listeners = g_array_new(FALSE, FALSE,
                                        sizeof(DmRunStateListener));
    m->loop = g_main_loop_new(NULL, FALSE);
    m->fdsets = dm_fdsets_new();
    m->runstate = DM_RUN_PRELAUNCH;
    m->ram = ram_registry_new();
    m->named_fds = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                         machine_close_named_fd);

    if (qtest) {
        if (!machine_map_guest_ram(m, errp) ||
            !machine_map_firmware(m, errp) ||
            !dm_machine_pc_build(m, errp)) {
            dm_machine_free(m);
            return NULL;
        }
    } else if (hooks) {
        m->platform = hooks;
        m->platform_opaque = opaque;
        if (hooks->attach) {
            hooks->attach(opaque, m);
        }
        if (!dm_machine_pc_build(m, errp)) {
            dm_machine_free(m);
            return NULL;
        }
    } else {
        g_set_error(errp, DM_ERROR, DM_ERROR_NOT_EMULATED,
                    "-accel xen needs the Xen backend (stubdm's main); "
                    "drive the devices with -qtest");
        dm_machine_free(m);
        return NULL;
    }
    return m;
}

DmMachine *dm_machine_new(DmOptions *opts, GError **errp)
{
    return machine_new(opts, NULL, NULL, errp);
}

DmMachine *dm_machine_new_platform(DmOptions *opts,
                                   const DmPlatformHooks *hooks,
                                   void *opaque, GError **errp)
{
    return machine_new(opts, hooks, opaque, errp);
}

void dm_machine_free(DmMachine *m)
{
    if (!m) {
        return;
    }
    g_clear_handle_id(&m->reset_pending, g_source_remove);
    g_clear_handle_id(&m->shutdown_pending, g_source_remove);
    g_clear_handle_id(&m->suspend_pending, g_source_remove);
    dm_qmp_migrate_cancel(m);
    dm_qtest_free(m->qtest);
    dm_machine_pc_destroy(m);
    g_ptr_array_free(m->monitors, TRUE);
    g_ptr_array_free(m->chardevs, TRUE);
    if (dm_region_mapped(&m->ram_low)) {
        dm_space_unmap(&m->ram_low);
    }
    if (dm_region_mapped(&m->ram_high)) {
        dm_space_unmap(&m->ram_high);
    }
    if (dm_region_mapped(&m->bios_region)) {
        dm_space_unmap(&m->bios_region);
        dm_space_unmap(&m->isa_bios);
    }
    if (dm_region_mapped(&m->option_rom)) {
        dm_space_unmap(&m->option_rom);
    }
    ram_registry_free(m->ram);
    ram_guest_free(m->guest_ram);
    dm_space_free(m->io);
    dm_space_free(m->mem);
    dm_space_free(m->pci_mem);
    dm_clock_free(m->clock);
    g_array_free(m->reset_hooks, TRUE);
    g_array_free(m->powerdown_hooks, TRUE);
    g_array_free(m->wakeup_hooks, TRUE);
    g_free(m->global_state);
    g_array_free(m->runstate_listeners, TRUE);
    g_main_loop_unref(m->loop);
    dm_fdsets_free(m->fdsets);
    g_hash_table_destroy(m->named_fds);
    g_free(m->migration.error);
    dm_options_free(m->opts);
    g_free(m);
}

DmChardev *dm_machine_find_chardev(DmMachine *m, const char *id)
{
    for (guint i = 0; i < m->chardevs->len; i++) {
        DmChardev *c = g_ptr_array_index(m->chardevs, i);
        if (!strcmp(dm_chardev_id(c), id)) {
            return c;
        }
    }
    return NULL;
}

/* exec:CMD as QEMU: "/bin/sh -c CMD", the stream on its stdout. */
static int incoming_exec(const char *cmd, GPid *pid, GError **errp)
{
    const char *argv[] = { "/bin/sh", "-c", cmd, NULL };
    int out = -1;

    if (!g_spawn_async_with_pipes(NULL, (char **)argv, NULL,
                                  G_SPAWN_DO_NOT_REAP_CHILD, NULL, NULL, pid,
                                  NULL, &out, NULL, errp)) {
        return -1;
    }
    return out;
}

/* fd:N (a number, as libxl passes) or fd:NAME (after QMP getfd). */
static int incoming_fd(DmMachine *m, const char *name, GError **errp)
{
    uint64_t n;
    gpointer v;

    if (dm_keyval_parse_u64(name, &n) && n <= G_MAXINT) {
        return (int)n;
    }
    if (m->named_fds &&
        g_hash_table_steal_extended(m->named_fds, name, NULL, &v)) {
        return GPOINTER_TO_INT(v) - 1;
    }
    g_set_error(errp, DM_ERROR, DM_ERROR_INVALID,
                "no descriptor named '%s' (pass a number or use getfd)",
                name);
    return -1;
}

void dm_machine_report_skipped(DmMachine *m, GPtrArray *skipped)
{
    g_autoptr(DmJson) data = NULL;
    DmJson *list;

    if (!skipped || !skipped->len) {
        return;
    }
    /* So a person can decide: stderr (the loader says it) and QMP. */
    data = dm_json_new_object();
    list = dm_json_new_array();
    for (guint i = 0; i < skipped->len; i++) {
        dm_json_array_add(list,
                          dm_json_new_string(g_ptr_array_index(skipped, i)));
    }
    dm_json_object_set(data, "sections", list);
    dm_machine_event(m, "UNEMULATED_SKIPPED", data);
}

gboolean dm_machine_incoming(DmMachine *m, const char *uri, GError **errp)
{
    g_autoptr(GPtrArray) skipped = NULL;
    GPid pid = 0;
    int fd;
    gboolean ok;

    m->migration.runstate_received = false;
    if (g_str_has_prefix(uri, "fd:")) {
        fd = incoming_fd(m, uri + 3, errp);
    } else if (g_str_has_prefix(uri, "file:")) {
        fd = open(uri + 5, O_RDONLY | O_CLOEXEC);
        if (fd < 0) {
            g_set_error(errp, DM_ERROR, DM_ERROR_IO, "%s", g_strerror(errno));
        }
    } else if (g_str_has_prefix(uri, "exec:")) {
        fd = incoming_exec(uri + 5, &pid, errp);
    } else {
        g_set_error(errp, DM_ERROR, DM_ERROR_NOT_EMULATED,
                    "only fd:, file: and exec: sources are supported");
        fd = -1;
    }
    if (fd < 0) {
        g_prefix_error(errp, "-incoming %s: ", uri);
        return FALSE;
    }
    ok = load_machine_state(m, fd, &skipped, errp);
    close(fd);
    if (pid) {
        waitpid(pid, NULL, 0);
        g_spawn_close_pid(pid);
    }
    if (!ok) {
        g_prefix_error(errp, "-incoming %s: ", uri);
        return FALSE;
    }
    dm_machine_report_skipped(m, skipped);
    /*
     * QEMU's rule: a source that was running (or sent no state) runs
     * here too unless -S; one never started or stopped stays so.
     */
    if (m->migration.runstate_received &&
        m->migration.received_runstate != DM_RUN_RUNNING) {
        m->runstate = m->migration.received_runstate;
    } else if (m->autostart) {
        dm_machine_vm_start(m);
    } else {
        m->runstate = DM_RUN_PAUSED;
    }
    return TRUE;
}

gboolean dm_machine_start(DmMachine *m, GError **errp)
{
    DmOptions *o = m->opts;

    for (guint i = 0; i < o->chardevs->len; i++) {
        DmChardev *c = dm_chardev_new(g_ptr_array_index(o->chardevs, i),
                                      errp);
        if (!c) {
            return FALSE;
        }
        g_ptr_array_add(m->chardevs, c);
    }
    if (o->qtest_chardev) {
        m->qtest = dm_qtest_new(m, dm_machine_find_chardev(m, o->qtest_chardev),
                                o->qtest_log, errp);
        if (!m->qtest) {
            return FALSE;
        }
    }
    for (guint i = 0; i < o->monitors->len; i++) {
        DmMonitorConfig *mc = g_ptr_array_index(o->monitors, i);
        DmMonitor *mon = dm_monitor_new(m, dm_machine_find_chardev(m,
                                        mc->chardev), mc->pretty, errp);
        if (!mon) {
            return FALSE;
        }
        g_ptr_array_add(m->monitors, mon);
    }
    if (o->incoming) {
        m->runstate = DM_RUN_INMIGRATE;
        m->autostart = !o->start_paused;
        /* Loaded before any monitor is served: libxl's query-status
         * then already sees the result (paused with -S). */
        if (strcmp(o->incoming, "defer") &&
            !dm_machine_incoming(m, o->incoming, errp)) {
            return FALSE;
        }
    } else if (!o->start_paused) {
        dm_machine_vm_start(m);
    }
    return TRUE;
}

void dm_machine_event(DmMachine *m, const char *name, const DmJson *data)
{
    for (guint i = 0; i < m->monitors->len; i++) {
        dm_monitor_send_event(g_ptr_array_index(m->monitors, i), name, data);
    }
}

static void event_guest_reason(DmMachine *m, const char *name, bool guest,
                               const char *reason)
{
    g_autoptr(DmJson) o = dm_json_new_object();

    dm_json_object_set_bool(o, "guest", guest);
    dm_json_object_set_string(o, "reason", reason);
    dm_machine_event(m, name, o);
}

static void notify_runstate(DmMachine *m)
{
    for (guint i = 0; i < m->runstate_listeners->len; i++) {
        DmRunStateListener *l = &g_array_index(m->runstate_listeners,
                                               DmRunStateListener, i);
        l->fn(l->opaque, m->runstate);
    }
}

void dm_machine_vm_start(DmMachine *m)
{
    if (m->runstate == DM_RUN_RUNNING) {
        return;
    }
    m->runstate = DM_RUN_RUNNING;
    dm_clock_set_enabled(m->clock, true);
    dm_machine_event(m, "RESUME", NULL);
    notify_runstate(m);
}

void dm_machine_vm_stop(DmMachine *m, DmRunState new_state)
{
    /* As QEMU: stopping a VM that is not running changes nothing. */
    if (m->runstate != DM_RUN_RUNNING) {
        return;
    }
    m->runstate = new_state;
    dm_clock_set_enabled(m->clock, false);
    dm_machine_event(m, "STOP", NULL);
    notify_runstate(m);
}

void dm_machine_stop(DmMachine *m)
{
    if (m->runstate == DM_RUN_INMIGRATE) {
        m->autostart = false;
    } else {
        dm_machine_vm_stop(m, DM_RUN_PAUSED);
    }
}

gboolean dm_machine_cont(DmMachine *m, GError **errp)
{
    switch (m->runstate) {
    case DM_RUN_SHUTDOWN:
        g_set_error(errp, DM_ERROR, DM_ERROR_STATE,
                    "Resetting the Virtual Machine is required");
        return FALSE;
    case DM_RUN_FINISH_MIGRATE:
        g_set_error(errp, DM_ERROR, DM_ERROR_STATE,
                    "Migration is not finalized yet");
        return FALSE;
    case DM_RUN_SUSPENDED:
        return TRUE;
    case DM_RUN_INMIGRATE:
        m->autostart = true;
        return TRUE;
    default:
        dm_machine_vm_start(m);
        return TRUE;
    }
}

static void run_hooks(GArray *hooks)
{
    for (guint i = 0; i < hooks->len; i++) {
        DmHook *h = &g_array_index(hooks, DmHook, i);
        h->fn(h->opaque);
    }
}

void dm_machine_reset(DmMachine *m, bool guest)
{
    dm_machine_pc_reset(m);
    run_hooks(m->reset_hooks);
    event_guest_reason(m, "RESET", guest,
                       guest ? "guest-reset" : "host-qmp-system-reset");
    if (m->runstate != DM_RUN_RUNNING && m->runstate != DM_RUN_INMIGRATE &&
        m->runstate != DM_RUN_FINISH_MIGRATE) {
        m->runstate = DM_RUN_PRELAUNCH;
    }
}

void dm_machine_powerdown(DmMachine *m)
{
    dm_machine_event(m, "POWERDOWN", NULL);
    run_hooks(m->powerdown_hooks);
}

void dm_machine_shutdown(DmMachine *m, bool guest, const char *reason)
{
    event_guest_reason(m, "SHUTDOWN", guest, reason);
    if (!guest) {
        return;
    }
    /* libxl passes -no-shutdown and tears the domain down itself. */
    if (m->opts->no_shutdown) {
        dm_machine_vm_stop(m, DM_RUN_SHUTDOWN);
    } else {
        dm_machine_quit(m, 0);
    }
}

void dm_machine_quit(DmMachine *m, int status)
{
    m->exit_status = status;
    m->exiting = true;
    g_main_loop_quit(m->loop);
}

static void add_hook(GArray *hooks, DmHookFn *fn, void *opaque)
{
    DmHook h = { fn, opaque };

    g_array_append_val(hooks, h);
}

void dm_machine_add_reset_hook(DmMachine *m, DmHookFn *fn, void *opaque)
{
    add_hook(m->reset_hooks, fn, opaque);
}

void dm_machine_add_powerdown_hook(DmMachine *m, DmHookFn *fn, void *opaque)
{
    add_hook(m->powerdown_hooks, fn, opaque);
}

void dm_machine_add_wakeup_hook(DmMachine *m, DmHookFn *fn, void *opaque)
{
    add_hook(m->wakeup_hooks, fn, opaque);
}

void dm_machine_add_runstate_listener(DmMachine *m, DmRunStateFn *fn,
                                      void *opaque)
{
    DmRunStateListener l = { .fn = fn, .opaque = opaque };

    g_array_append_val(m->runstate_listeners, l);
}

void dm_machine_set_irq(DmMachine *m, unsigned irq, bool level)
{
    g_assert(irq < DM_NUM_IRQS);
    if (m->irq_level[irq] == level) {
        return;
    }
    m->irq_level[irq] = level;
    if (m->irq_observer) {
        m->irq_observer(m->irq_observer_opaque, irq, level);
    }
}

void dm_machine_set_irq_observer(DmMachine *m, DmIrqObserverFn *fn,
                                 void *opaque)
{
    m->irq_observer = fn;
    m->irq_observer_opaque = opaque;
}

void dm_machine_set_pci_intx(DmMachine *m, unsigned slot, unsigned pin,
                             bool level)
{
    g_assert(slot < 32 && pin < 4);
    m->pci_intx_level[slot][pin] = level;
    if (m->platform && m->platform->set_pci_intx) {
        m->platform->set_pci_intx(m->platform_opaque, slot, pin, level);
    }
}

void dm_machine_set_pci_link_route(DmMachine *m, unsigned link, unsigned irq)
{
    g_assert(link < 4);
    m->pci_link_route[link] = irq;
    if (m->platform && m->platform->set_pci_link_route) {
        m->platform->set_pci_link_route(m->platform_opaque, link, irq);
    }
}

static gboolean machine_reset_bh(gpointer data)
{
    DmMachine *m = data;

    m->reset_pending = 0;
    if (m->platform && m->platform->reset) {
        m->platform->reset(m->platform_opaque);
    } else {
        dm_machine_reset(m, true);
    }
    return G_SOURCE_REMOVE;
}

/*
 * Like QEMU's main loop, handle the request before any further guest I/O
 * is read: at high priority, ahead of the chardev watches.
 */
void dm_machine_request_reset(DmMachine *m)
{
    if (!m->reset_pending) {
        m->reset_pending = g_idle_add_full(G_PRIORITY_HIGH, machine_reset_bh,
                                            m, NULL);
    }
}

static gboolean machine_shutdown_bh(gpointer data)
{
    DmMachine *m = data;

    m->shutdown_pending = 0;
    if (m->platform && m->platform->poweroff) {
        m->platform->poweroff(m->platform_opaque);
    } else {
        dm_machine_shutdown(m, true, "guest-shutdown");
    }
    return G_SOURCE_REMOVE;
}

void dm_machine_request_shutdown(DmMachine *m)
{
    if (!m->shutdown_pending) {
        m->shutdown_pending = g_idle_add_full(G_PRIORITY_HIGH,
                                               machine_shutdown_bh, m,
                                               NULL);
    }
}

/*
 * QEMU's qemu_system_suspend: the run state and a SUSPEND event, no STOP;
 * the virtual clock keeps running. QEMU only allows it from "running".
 */
void dm_machine_suspend(DmMachine *m)
{
    if (m->runstate != DM_RUN_RUNNING) {
        return;
    }
    m->runstate = DM_RUN_SUSPENDED;
    if (m->platform && m->platform->suspend) {
        m->platform->suspend(m->platform_opaque);
    }
    dm_machine_event(m, "SUSPEND", NULL);
}

gboolean dm_machine_wakeup(DmMachine *m, GError **errp)
{
    if (!m->wakeup_support) {
        g_set_error(errp, DM_ERROR, DM_ERROR_INVALID,
                    "wake-up from suspend is not supported by this guest");
        return FALSE;
    }
    if (m->runstate != DM_RUN_SUSPENDED) {
        g_set_error(errp, DM_ERROR, DM_ERROR_INVALID,
                    "Unable to wake up: guest is not in suspended state");
        return FALSE;
    }
    dm_machine_pc_reset(m);
    run_hooks(m->reset_hooks);
    if (m->platform && m->platform->wakeup) {
        m->platform->wakeup(m->platform_opaque);
    }
    run_hooks(m->wakeup_hooks);
    m->runstate = DM_RUN_RUNNING;
    dm_machine_event(m, "WAKEUP", NULL);
    return TRUE;
}

static gboolean machine_suspend_bh(gpointer data)
{
    DmMachine *m = data;

    m->suspend_pending = 0;
    dm_machine_suspend(m);
    return G_SOURCE_REMOVE;
}

void dm_machine_request_suspend(DmMachine *m)
{
    if (m->runstate != DM_RUN_SUSPENDED && !m->suspend_pending) {
        m->suspend_pending = g_idle_add_full(G_PRIORITY_HIGH,
                                              machine_suspend_bh, m, NULL);
    }
}
