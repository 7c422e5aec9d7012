/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * QMP commands of libxl's save and restore sequence (xen-toolstack 3.2),
 * and QEMU's migrate family (getfd, migrate, query-migrate).
 */
#include "dm/chardev.h"
#include "dm/fdset.h"
#include "dm/qmp.h"
#include "save/machine-state.h"
#include "save/migrate-out.h"
#include "save/ram-section.h"

#include <fcntl.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

DmJson *dm_qmp_add_fd(DmMonitor *mon, const DmJson *args, GError **errp)
{
    DmMachine *m = dm_monitor_machine(mon);
    const DmJson *idv = dm_json_object_get(args, "fdset-id");
    int fd = dm_chardev_take_fd(dm_monitor_chardev(mon));
    int64_t id = idv ? dm_json_get_int(idv) : -1;
    DmJson *ret;

    if (fd < 0) {
        g_set_error(errp, DM_QMP_ERROR, DM_QMP_GENERIC_ERROR,
                    "No file descriptor supplied via SCM_RIGHTS");
        return NULL;
    }
    if (idv && (id < 0 || id > G_MAXINT)) {
        close(fd);
        g_set_error(errp, DM_QMP_ERROR, DM_QMP_GENERIC_ERROR,
                    "Parameter 'fdset-id' expects a non-negative integer");
        return NULL;
    }
    ret = dm_json_new_object();
    dm_json_object_set_int(ret, "fdset-id",
                           dm_fdsets_add(m->fdsets, (int)id, fd));
    dm_json_object_set_int(ret, "fd", fd);
    return ret;
}

DmJson *dm_qmp_xen_save_devices_state(DmMonitor *mon, const DmJson *args,
                                      GError **errp)
{
    DmMachine *m = dm_monitor_machine(mon);
    const char *path = dm_json_get_string(dm_json_object_get(args,
                                                             "filename"));
    bool was_running = dm_machine_is_running(m);
    SaveFormat f = save_format_for_device_state(m);
    gboolean ok;
    int fd;

    /* As QEMU: stop, write, and run again only if it was running. */
    m->migration.source_runstate = DM_RUN_RUNNING;
    dm_machine_vm_stop(m, DM_RUN_PAUSED);
    fd = dm_fdsets_open(m->fdsets, path, O_WRONLY | O_CREAT | O_TRUNC,
                        errp);
    if (fd < 0) {
        ok = FALSE;
    } else {
        ok = save_machine_state(m, fd, &f, errp);
        if (close(fd) < 0 && ok) {
            g_set_error(errp, DM_QMP_ERROR, DM_QMP_GENERIC_ERROR,
                        "closing %s failed", path);
            ok = FALSE;
        }
    }
    if (was_running) {
        dm_machine_vm_start(m);
    }
    return ok ? dm_json_new_object() : NULL;
}

DmJson *dm_qmp_xen_load_devices_state(DmMonitor *mon, const DmJson *args,
                                      GError **errp)
{
    g_autoptr(GPtrArray) skipped = NULL;
    DmMachine *m = dm_monitor_machine(mon);
    const char *path = dm_json_get_string(dm_json_object_get(args,
                                                             "filename"));
    gboolean ok;
    int fd;

    if (dm_machine_is_running(m)) {
        g_set_error(errp, DM_QMP_ERROR, DM_QMP_GENERIC_ERROR,
                    "Cannot update device state while vm is running");
        return NULL;
    }
    fd = dm_fdsets_open(m->fdsets, path, O_RDONLY, errp);
    if (fd < 0) {
        return NULL;
    }
    /*
     * What unemulated=skip dropped goes to stderr and an event: libxl
     * expects the reply to be {}.
     */
    ok = load_machine_state(m, fd, &skipped, errp);
    close(fd);
    if (ok) {
        dm_machine_report_skipped(m, skipped);
    }
    return ok ? dm_json_new_object() : NULL;
}

DmJson *dm_qmp_xen_set_global_dirty_log(DmMonitor *mon, const DmJson *args,
                                        GError **errp)
{
    DmMachine *m = dm_monitor_machine(mon);

    /* Under Xen every write stubdm makes to guest RAM is then reported. */
    m->dirty_log = dm_json_get_bool(dm_json_object_get(args, "enable"));
    return dm_json_new_object();
}

DmJson *dm_qmp_getfd(DmMonitor *mon, const DmJson *args, GError **errp)
{
    DmMachine *m = dm_monitor_machine(mon);
    const char *name = dm_json_get_string(dm_json_object_get(args,
                                                             "fdname"));
    int fd = dm_chardev_take_fd(dm_monitor_chardev(mon));

    if (fd < 0) {
        g_set_error(errp, DM_QMP_ERROR, DM_QMP_GENERIC_ERROR,
                    "No file descriptor supplied via SCM_RIGHTS");
        return NULL;
    }
    if (g_ascii_isdigit(name[0])) {
        close(fd);
        g_set_error(errp, DM_QMP_ERROR, DM_QMP_GENERIC_ERROR,
                    "Parameter 'fdname' expects a name not starting with "
                    "a digit");
        return NULL;
    }
    /* As QEMU: a second getfd of a name replaces (and closes) the first. */
    g_hash_table_replace(m->named_fds, g_strdup(name),
                         GINT_TO_POINTER(fd + 1));
    return dm_json_new_object();
}

static const char *const migrate_status_names[] = {
    [DM_MIGRATE_NONE] = "none",
    [DM_MIGRATE_SETUP] = "setup",
    [DM_MIGRATE_ACTIVE] = "active",
    [DM_MIGRATE_COMPLETED] = "completed",
    [DM_MIGRATE_FAILED] = "failed",
};

static void migrate_set_status(DmMachine *m, DmMigrateStatus st)
{
    m->migration.status = st;
    /* QEMU sends MIGRATION only with the "events" capability on. */
    if (m->migration.events) {
        g_autoptr(DmJson) o = dm_json_new_object();
        dm_json_object_set_string(o, "status", migrate_status_names[st]);
        dm_machine_event(m, "MIGRATION", o);
    }
}

/* exec:CMD as QEMU: "/bin/sh -c CMD" reading the stream on its stdin. */
static int migrate_exec(const char *cmd, GPid *pid, GError **errp)
{
    const char *argv[] = { "/bin/sh", "-c", cmd, NULL };
    int in = -1;

    if (!g_spawn_async_with_pipes(NULL, (char **)argv, NULL,
                                  G_SPAWN_DO_NOT_REAP_CHILD, NULL, NULL, pid,
                                  &in, NULL, NULL, errp)) {
        return -1;
    }
    return in;
}

/* The descriptor a migrate URI names; exec: also gives its child. */
static int migrate_open(DmMachine *m, const char *uri, GPid *pid,
                        GError **errp)
{
    gpointer v;

    if (g_str_has_prefix(uri, "exec:")) {
        return migrate_exec(uri + 5, pid, errp);
    }
    if (g_str_has_prefix(uri, "fd:")) {
        /* The named descriptor is used up, as QEMU's monitor_get_fd. */
        if (!g_hash_table_steal_extended(m->named_fds, uri + 3, NULL, &v)) {
            g_set_error(errp, DM_QMP_ERROR, DM_QMP_GENERIC_ERROR,
                        "File descriptor named '%s' not found", uri + 3);
            return -1;
        }
        return GPOINTER_TO_INT(v) - 1;
    }
    if (g_str_has_prefix(uri, "file:")) {
        return dm_fdsets_open(m->fdsets, uri + 5,
                              O_WRONLY | O_CREAT | O_TRUNC, errp);
    }
    g_set_error(errp, DM_QMP_ERROR, DM_QMP_GENERIC_ERROR,
                "Invalid parameter 'uri': expected exec:, fd: or file:");
    return -1;
}

/* QEMU 7.2's defaults: max-bandwidth 32 MiB/s, downtime-limit 300 ms. */
#define MIGRATE_DEFAULT_BANDWIDTH (UINT64_C(32) << 20)
#define MIGRATE_DEFAULT_DOWNTIME_MS 300
/* Rate-limit period, as QEMU's. */
#define LIVE_WINDOW_US 100000
/* Pages per main-loop turn: QMP and qtest are served between slices. */
#define LIVE_SLICE_PAGES 256
/*
 * Passes over the dirty log before the guest is stopped anyway: a guest
 * dirtying faster than the link would otherwise never converge.
 */
#define LIVE_MAX_ROUNDS 16

/* A live migrate in progress; owned by m->migration.live. */
typedef struct DmLiveMigrate {
    DmMachine *m;
    SaveMigrate *save;
    char *uri;
    int fd;
    GPid pid;
    guint source;
    int64_t t0;               /* the migrate command, monotonic us */
    int64_t window_t;         /* start of the rate-limit window */
    uint64_t window_bytes;    /* bytes written when it started */
    uint64_t window_pages;
    int64_t rate_t;           /* start of the dirty-rate period */
    uint64_t rate_dirtied;
} DmLiveMigrate;

static uint64_t migrate_bandwidth(const DmMigration *mig)
{
    return mig->max_bandwidth ? mig->max_bandwidth :
           MIGRATE_DEFAULT_BANDWIDTH;
}

/*
 * What the convergence test assumes the link carries: the limit, or
 * without one what the last window measured (1 GiB/s before any).
 */
static uint64_t live_bandwidth(const DmMigration *mig)
{
    uint64_t bw = migrate_bandwidth(mig);

    if (bw != UINT64_MAX) {
        return bw;
    }
    return mig->mbps > 0 ? (uint64_t)(mig->mbps * 1000000 / 8) :
           UINT64_C(1) << 30;
}

static uint64_t migrate_downtime_ms(const DmMigration *mig)
{
    return mig->downtime_limit_ms ? mig->downtime_limit_ms :
           MIGRATE_DEFAULT_DOWNTIME_MS;
}

static uint64_t ram_dirtied(const DmMachine *m)
{
    uint64_t n = 0;

    for (guint i = 0; m->ram && i < m->ram->blocks->len; i++) {
        n += ((RamBlock *)g_ptr_array_index(m->ram->blocks, i))->dirtied;
    }
    return n;
}

static void migrate_copy_stats(DmMigration *mig, const SaveStats *st)
{
    mig->bytes = st->bytes;
    mig->ram_total = st->ram_total;
    mig->zero_pages = st->zero_pages;
    mig->data_pages = st->data_pages;
    mig->dirty_syncs = st->dirty_syncs;
}

/* Closes the stream, reaps an exec: child; FALSE with err if either failed. */
static gboolean migrate_close(int fd, GPid pid, gboolean ok, GError **err)
{
    if (close(fd) < 0 && ok) {
        g_set_error(err, DM_QMP_ERROR, DM_QMP_GENERIC_ERROR,
                    "closing the migration stream failed");
        ok = FALSE;
    }
    if (pid) {
        int status = 0;
        waitpid(pid, &status, 0);
        g_spawn_close_pid(pid);
        if (ok && !g_spawn_check_wait_status(status, err)) {
            g_prefix_error(err, "exec: ");
            ok = FALSE;
        }
    }
    return ok;
}

/*
 * The end of every migrate, the stopped part of it: the guest is stopped
 * (QEMU's finish-migrate), the rest written, then postmigrate; a failure
 * resumes a guest that was running, as QEMU.
 */
static void migrate_conclude(DmMachine *m, SaveMigrate *save, int fd,
                             GPid pid, const char *uri, int64_t t0)
{
    DmMigration *mig = &m->migration;
    bool was_running = dm_machine_is_running(m);
    SaveStats stats = { 0 };
    GError *err = NULL;
    int64_t t1;
    gboolean ok;

    /* QEMU records the run state just before it stops the guest. */
    mig->source_runstate = m->runstate;
    if (was_running) {
        dm_machine_vm_stop(m, DM_RUN_FINISH_MIGRATE);
    } else {
        m->runstate = DM_RUN_FINISH_MIGRATE;
    }
    t1 = g_get_monotonic_time();
    save_migrate_stats(save, &stats);
    mig->precopy_bytes = stats.bytes;
    ok = save_migrate_finish(save, &stats, &err);
    ok = migrate_close(fd, pid, ok, &err);
    migrate_copy_stats(mig, &stats);
    mig->remaining = 0;
    mig->total_ms = (g_get_monotonic_time() - t0) / 1000;
    mig->downtime_ms = (g_get_monotonic_time() - t1) / 1000;
    if (ok) {
        m->runstate = DM_RUN_POSTMIGRATE;
        migrate_set_status(m, DM_MIGRATE_COMPLETED);
    } else {
        mig->error = g_strdup(err->message);
        g_printerr("stubdm: migrate %s: %s\n", uri, err->message);
        g_clear_error(&err);
        m->runstate = DM_RUN_PAUSED;
        migrate_set_status(m, DM_MIGRATE_FAILED);
        if (was_running) {
            dm_machine_vm_start(m);
        }
    }
}

static void live_free(DmLiveMigrate *lm)
{
    g_clear_handle_id(&lm->source, g_source_remove);
    lm->m->migration.live = NULL;
    g_free(lm->uri);
    g_free(lm);
}

/* The stream broke while the guest ran: it just keeps running. */
static void live_fail(DmLiveMigrate *lm, const char *why)
{
    DmMachine *m = lm->m;
    GError *err = NULL;

    /* why may be the writer's own error: copied before it goes. */
    m->migration.error = g_strdup(why);
    g_printerr("stubdm: migrate %s: %s\n", lm->uri, why);
    save_migrate_abort(lm->save);
    migrate_close(lm->fd, lm->pid, FALSE, &err);
    g_clear_error(&err);
    live_free(lm);
    migrate_set_status(m, DM_MIGRATE_FAILED);
}

/* Figures query-migrate shows while active, refreshed each window. */
static void live_update(DmLiveMigrate *lm, int64_t now)
{
    DmMigration *mig = &lm->m->migration;
    SaveStats st = { 0 };
    int64_t dt = now - lm->window_t;
    uint64_t pages;

    save_migrate_stats(lm->save, &st);
    pages = st.zero_pages + st.data_pages;
    if (dt >= LIVE_WINDOW_US) {
        mig->mbps = (double)(st.bytes - lm->window_bytes) * 8 / dt;
        mig->pages_per_second = (pages - lm->window_pages) * 1000000 / dt;
        lm->window_t = now;
        lm->window_bytes = st.bytes;
        lm->window_pages = pages;
    }
    /* As QEMU, over periods of a second at least. */
    if (now - lm->rate_t >= 1000000) {
        uint64_t d = ram_dirtied(lm->m);
        mig->dirty_pages_rate = (d - lm->rate_dirtied) * 1000000 /
                                (uint64_t)(now - lm->rate_t);
        lm->rate_t = now;
        lm->rate_dirtied = d;
    }
    migrate_copy_stats(mig, &st);
    mig->remaining = save_migrate_remaining(lm->save) * RAM_PAGE_SIZE;
    mig->precopy_bytes = st.bytes;
    mig->total_ms = (now - lm->t0) / 1000;
    mig->expected_downtime_ms = mig->remaining / (live_bandwidth(mig) /
                                                  1000 + 1);
}

static gboolean live_slice(gpointer opaque);

static void live_schedule(DmLiveMigrate *lm, int64_t delay_us)
{
    /* Same priority as the sockets: commands and slices take turns. */
    lm->source = delay_us > 0 ?
        g_timeout_add_full(G_PRIORITY_DEFAULT, (guint)(delay_us / 1000) + 1,
                           live_slice, lm, NULL) :
        g_idle_add_full(G_PRIORITY_DEFAULT, live_slice, lm, NULL);
}

static gboolean live_slice(gpointer opaque)
{
    DmLiveMigrate *lm = opaque;
    DmMachine *m = lm->m;
    DmMigration *mig = &m->migration;
    uint64_t bw = live_bandwidth(mig);
    uint64_t threshold = bw / 1000 * migrate_downtime_ms(mig);
    bool limited = migrate_bandwidth(mig) != UINT64_MAX;
    int64_t now = g_get_monotonic_time();
    SaveMigrate *save = lm->save;

    lm->source = 0;
    live_update(lm, now);
    if (save_migrate_error(save)) {
        live_fail(lm, save_migrate_error(save)->message);
        return G_SOURCE_REMOVE;
    }
    /* Converged, or it never will: stop the guest and send the rest. */
    if (mig->remaining <= threshold || mig->dirty_syncs > LIVE_MAX_ROUNDS) {
        int fd = lm->fd;
        GPid pid = lm->pid;
        g_autofree char *uri = g_strdup(lm->uri);
        int64_t t0 = lm->t0;

        live_free(lm);
        migrate_conclude(m, save, fd, pid, uri, t0);
        return G_SOURCE_REMOVE;
    }
    if (limited && mig->bytes - lm->window_bytes >=
                   MAX((double)bw * LIVE_WINDOW_US / 1e6, 1)) {
        live_schedule(lm, LIVE_WINDOW_US - (now - lm->window_t));
        return G_SOURCE_REMOVE;
    }
    save_migrate_iterate(save, LIVE_SLICE_PAGES);
    live_schedule(lm, 0);
    return G_SOURCE_REMOVE;
}

void dm_qmp_migrate_cancel(DmMachine *m)
{
    if (m->migration.live) {
        live_fail(m->migration.live, "the machine went away");
    }
}

/*
 * While the guest runs: the block list and the first RAM pass start, and
 * the command returns; the main loop sends the rest (live_slice). Else
 * QEMU's migrate of a stopped guest: everything at once. Either way
 * failures show in query-migrate, as QEMU.
 */
DmJson *dm_qmp_migrate(DmMonitor *mon, const DmJson *args, GError **errp)
{
    DmMachine *m = dm_monitor_machine(mon);
    const char *uri = dm_json_get_string(dm_json_object_get(args, "uri"));
    DmMigration *mig = &m->migration;
    SaveFormat f = save_format_for_migrate(m);
    int64_t t0 = g_get_monotonic_time();
    DmLiveMigrate *lm;
    SaveMigrate *save;
    GPid pid = 0;
    int fd;

    if (mig->status == DM_MIGRATE_SETUP || mig->status == DM_MIGRATE_ACTIVE) {
        g_set_error(errp, DM_QMP_ERROR, DM_QMP_GENERIC_ERROR,
                    "There's a migration process in progress");
        return NULL;
    }
    fd = migrate_open(m, uri, &pid, errp);
    if (fd < 0) {
        return NULL;
    }
    g_clear_pointer(&mig->error, g_free);
    mig->dirty_pages_rate = 0;
    mig->pages_per_second = 0;
    mig->mbps = 0;
    migrate_set_status(m, DM_MIGRATE_SETUP);
    save = save_migrate_begin(m, fd, &f);
    mig->setup_ms = (g_get_monotonic_time() - t0) / 1000;
    migrate_set_status(m, DM_MIGRATE_ACTIVE);
    if (!dm_machine_is_running(m)) {
        /* Stopped: one pass sends every page, END has nothing left. */
        save_migrate_iterate(save, 0);
        migrate_conclude(m, save, fd, pid, uri, t0);
        return dm_json_new_object();
    }
    lm = g_new0(DmLiveMigrate, 1);
    lm->m = m;
    lm->save = save;
    lm->uri = g_strdup(uri);
    lm->fd = fd;
    lm->pid = pid;
    lm->t0 = t0;
    lm->window_t = lm->rate_t = g_get_monotonic_time();
    lm->rate_dirtied = ram_dirtied(m);
    mig->live = lm;
    live_update(lm, lm->window_t);
    live_schedule(lm, 0);
    return dm_json_new_object();
}

/* QEMU 7.2's MigrationInfo for a source, as far as stubdm has it. */
DmJson *dm_qmp_query_migrate(DmMonitor *mon, const DmJson *args,
                             GError **errp)
{
    DmMigration *mig = &dm_monitor_machine(mon)->migration;
    bool done = mig->status == DM_MIGRATE_COMPLETED;
    DmJson *ret = dm_json_new_object();
    DmJson *ram;

    if (mig->status == DM_MIGRATE_NONE) {
        return ret;
    }
    dm_json_object_set_string(ret, "status",
                              migrate_status_names[mig->status]);
    if (mig->status == DM_MIGRATE_FAILED) {
        dm_json_object_set_string(ret, "error-desc", mig->error);
        return ret;
    }
    if (mig->status == DM_MIGRATE_SETUP) {
        return ret;
    }
    dm_json_object_set_int(ret, "total-time", mig->total_ms);
    if (done) {
        dm_json_object_set_int(ret, "downtime", mig->downtime_ms);
    } else {
        dm_json_object_set_int(ret, "expected-downtime",
                               mig->expected_downtime_ms);
    }
    dm_json_object_set_int(ret, "setup-time", mig->setup_ms);
    ram = dm_json_new_object();
    dm_json_object_set_int(ram, "transferred", (int64_t)mig->bytes);
    dm_json_object_set_int(ram, "remaining",
                           done ? 0 : (int64_t)mig->remaining);
    dm_json_object_set_int(ram, "total", (int64_t)mig->ram_total);
    dm_json_object_set_int(ram, "duplicate", (int64_t)mig->zero_pages);
    dm_json_object_set_int(ram, "skipped", 0);
    dm_json_object_set_int(ram, "normal", (int64_t)mig->data_pages);
    dm_json_object_set_int(ram, "normal-bytes",
                           (int64_t)(mig->data_pages * RAM_PAGE_SIZE));
    if (!done) {
        dm_json_object_set_int(ram, "dirty-pages-rate",
                               (int64_t)mig->dirty_pages_rate);
    }
    /* A number in QEMU; whole megabits here (dm/json has no reals). */
    dm_json_object_set_int(ram, "mbps", (int64_t)mig->mbps);
    dm_json_object_set_int(ram, "dirty-sync-count",
                           (int64_t)mig->dirty_syncs);
    dm_json_object_set_int(ram, "postcopy-requests", 0);
    dm_json_object_set_int(ram, "page-size", RAM_PAGE_SIZE);
    dm_json_object_set_int(ram, "multifd-bytes", 0);
    dm_json_object_set_int(ram, "pages-per-second",
                           (int64_t)mig->pages_per_second);
    dm_json_object_set_int(ram, "precopy-bytes",
                           (int64_t)mig->precopy_bytes);
    dm_json_object_set_int(ram, "downtime-bytes", (int64_t)(done ?
                           mig->bytes - mig->precopy_bytes : 0));
    dm_json_object_set_int(ram, "postcopy-bytes", 0);
    dm_json_object_set_int(ram, "dirty-sync-missed-zero-copy", 0);
    dm_json_object_set(ret, "ram", ram);
    return ret;
}

/*
 * "events" and "compress" are implemented; asking for another one on is
 * an error, and then nothing changes.
 */
DmJson *dm_qmp_migrate_set_capabilities(DmMonitor *mon, const DmJson *args,
                                        GError **errp)
{
    DmMachine *m = dm_monitor_machine(mon);
    const DmJson *list = dm_json_object_get(args, "capabilities");
    bool events = m->migration.events;
    bool compress = save_ram_get_compress();

    if (dm_json_type(list) != DM_JSON_ARRAY) {
        g_set_error(errp, DM_QMP_ERROR, DM_QMP_GENERIC_ERROR,
                    "Invalid parameter type for 'capabilities', expected: "
                    "array");
        return NULL;
    }
    for (size_t i = 0; i < dm_json_length(list); i++) {
        const DmJson *c = dm_json_array_get(list, i);
        const DmJson *name = dm_json_type(c) == DM_JSON_OBJECT ?
            dm_json_object_get(c, "capability") : NULL;
        const DmJson *state = dm_json_type(c) == DM_JSON_OBJECT ?
            dm_json_object_get(c, "state") : NULL;
        const char *n;
        bool on;

        if (!name || dm_json_type(name) != DM_JSON_STRING || !state ||
            dm_json_type(state) != DM_JSON_BOOL) {
            g_set_error(errp, DM_QMP_ERROR, DM_QMP_GENERIC_ERROR,
                        "capabilities[%zu]: expected {\"capability\": NAME, "
                        "\"state\": BOOL}", i);
            return NULL;
        }
        n = dm_json_get_string(name);
        on = dm_json_get_bool(state);
        if (!strcmp(n, "events")) {
            events = on;
        } else if (!strcmp(n, "compress")) {
            compress = on;
        } else if (on) {
            g_set_error(errp, DM_QMP_ERROR, DM_QMP_GENERIC_ERROR,
                        "Migration capability '%s' is not supported by "
                        "stubdm", n);
            return NULL;
        }
    }
    m->migration.events = events;
    /* QEMU's default compress-level is 1. */
    save_ram_set_compress(compress, 1);
    return dm_json_new_object();
}

/*
 * The two parameters a live migrate follows; others QEMU has are refused
 * by the argument table. Both are checked before either changes.
 */
DmJson *dm_qmp_migrate_set_parameters(DmMonitor *mon, const DmJson *args,
                                      GError **errp)
{
    DmMigration *mig = &dm_monitor_machine(mon)->migration;
    const DmJson *bw = dm_json_object_get(args, "max-bandwidth");
    const DmJson *dt = dm_json_object_get(args, "downtime-limit");

    if (bw && dm_json_get_int(bw) < 0) {
        g_set_error(errp, DM_QMP_ERROR, DM_QMP_GENERIC_ERROR,
                    "Parameter 'max_bandwidth' expects an integer in the "
                    "range of 0 to %" G_GINT64_FORMAT " bytes/second",
                    G_MAXINT64);
        return NULL;
    }
    /* QEMU's MAX_MIGRATE_DOWNTIME: 2000 seconds. */
    if (dt && (dm_json_get_int(dt) < 0 || dm_json_get_int(dt) > 2000000)) {
        g_set_error(errp, DM_QMP_ERROR, DM_QMP_GENERIC_ERROR,
                    "Parameter 'downtime_limit' expects an integer in the "
                    "range of 0 to 2000000 milliseconds");
        return NULL;
    }
    /* QEMU's 0 means no limit; a 0 ms downtime is taken as 1 ms. */
    if (bw) {
        mig->max_bandwidth = dm_json_get_int(bw) ?
                             (uint64_t)dm_json_get_int(bw) : UINT64_MAX;
    }
    if (dt) {
        mig->downtime_limit_ms = MAX(dm_json_get_int(dt), 1);
    }
    return dm_json_new_object();
}

DmJson *dm_qmp_migrate_incoming(DmMonitor *mon, const DmJson *args,
                                GError **errp)
{
    DmMachine *m = dm_monitor_machine(mon);
    const char *uri = dm_json_get_string(dm_json_object_get(args, "uri"));

    /* As QEMU: only once, and only with -incoming defer. */
    if (m->runstate != DM_RUN_INMIGRATE || !m->opts->incoming ||
        strcmp(m->opts->incoming, "defer") || m->incoming_started) {
        g_set_error(errp, DM_QMP_ERROR, DM_QMP_GENERIC_ERROR,
                    "The incoming migration has already been started or "
                    "-incoming defer was not given");
        return NULL;
    }
    m->incoming_started = true;
    if (!dm_machine_incoming(m, uri, errp)) {
        return NULL;
    }
    return dm_json_new_object();
}
