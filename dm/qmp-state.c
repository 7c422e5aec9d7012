/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * QMP commands of libxl's save and restore sequence (xen-toolstack 3.2),
 * and QEMU's migrate family (getfd, migrate, query-migrate).
 */
#include "dm/chardev.h"
#include "dm/fdset.h"
#include "dm/qmp.h"
#include "save/machine-state.h"
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

/*
 * A non-live migrate: stop, write everything, done. The command returns
 * once the stream is written; failures show in query-migrate, as QEMU.
 */
DmJson *dm_qmp_migrate(DmMonitor *mon, const DmJson *args, GError **errp)
{
    DmMachine *m = dm_monitor_machine(mon);
    const char *uri = dm_json_get_string(dm_json_object_get(args, "uri"));
    DmMigration *mig = &m->migration;
    bool was_running = dm_machine_is_running(m);
    SaveFormat f = save_format_for_migrate(m);
    SaveStats stats = { 0 };
    GError *err = NULL;
    GPid pid = 0;
    int64_t t0 = g_get_monotonic_time(), t1;
    int fd;
    gboolean ok;

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
    migrate_set_status(m, DM_MIGRATE_SETUP);
    migrate_set_status(m, DM_MIGRATE_ACTIVE);
    if (was_running) {
        dm_machine_vm_stop(m, DM_RUN_FINISH_MIGRATE);
    } else {
        m->runstate = DM_RUN_FINISH_MIGRATE;
    }
    t1 = g_get_monotonic_time();
    ok = save_machine_migrate(m, fd, &f, &stats, &err);
    if (close(fd) < 0 && ok) {
        g_set_error(&err, DM_QMP_ERROR, DM_QMP_GENERIC_ERROR,
                    "closing the migration stream failed");
        ok = FALSE;
    }
    if (pid) {
        int status = 0;
        waitpid(pid, &status, 0);
        g_spawn_close_pid(pid);
        if (ok && !g_spawn_check_wait_status(status, &err)) {
            g_prefix_error(&err, "exec: ");
            ok = FALSE;
        }
    }
    mig->bytes = stats.bytes;
    mig->ram_total = stats.ram_total;
    mig->zero_pages = stats.zero_pages;
    mig->data_pages = stats.data_pages;
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
        /* As QEMU: a failed migrate resumes a guest that was running. */
        if (was_running) {
            dm_machine_vm_start(m);
        }
    }
    return dm_json_new_object();
}

DmJson *dm_qmp_query_migrate(DmMonitor *mon, const DmJson *args,
                             GError **errp)
{
    DmMigration *mig = &dm_monitor_machine(mon)->migration;
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
    dm_json_object_set_int(ret, "total-time", mig->total_ms);
    dm_json_object_set_int(ret, "downtime", mig->downtime_ms);
    dm_json_object_set_int(ret, "setup-time", 0);
    ram = dm_json_new_object();
    dm_json_object_set_int(ram, "transferred", (int64_t)mig->bytes);
    dm_json_object_set_int(ram, "total", (int64_t)mig->ram_total);
    dm_json_object_set_int(ram, "remaining", 0);
    dm_json_object_set_int(ram, "duplicate", (int64_t)mig->zero_pages);
    dm_json_object_set_int(ram, "normal", (int64_t)mig->data_pages);
    dm_json_object_set_int(ram, "normal-bytes",
                           (int64_t)(mig->data_pages * RAM_PAGE_SIZE));
    dm_json_object_set_int(ram, "page-size", RAM_PAGE_SIZE);
    dm_json_object_set_int(ram, "dirty-sync-count", 2);
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
