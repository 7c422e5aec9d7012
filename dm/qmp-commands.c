/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The QMP commands stubdm answers, with QEMU 7.2's reply shapes. */
#include "dm/qmp.h"
#include "dm/chardev.h"
#include "dm/machine-types.h"

#include <string.h>
#include <unistd.h>

/* The usual "return" of commands without a result. */
static DmJson *empty_return(void)
{
    return dm_json_new_object();
}

static DmJson *cmd_qmp_capabilities(DmMonitor *mon, const DmJson *args,
                                    GError **errp)
{
    const DmJson *enable = dm_json_object_get(args, "enable");

    if (enable && dm_json_type(enable) != DM_JSON_ARRAY) {
        g_set_error(errp, DM_QMP_ERROR, DM_QMP_GENERIC_ERROR,
                    "Invalid parameter type for 'enable', expected: array");
        return NULL;
    }
    /* stubdm offers no capabilities (no out-of-band execution). */
    if (enable && dm_json_length(enable) > 0) {
        const DmJson *cap = dm_json_array_get(enable, 0);
        const char *name = dm_json_type(cap) == DM_JSON_STRING ?
            dm_json_get_string(cap) : "?";
        g_set_error(errp, DM_QMP_ERROR, DM_QMP_GENERIC_ERROR,
                    "Capability '%s' not available", name);
        return NULL;
    }
    return empty_return();
}

static DmJson *cmd_query_version(DmMonitor *mon, const DmJson *args,
                                 GError **errp)
{
    DmJson *ret = dm_json_new_object();
    DmJson *qemu = dm_json_new_object();

    dm_json_object_set_int(qemu, "micro", 0);
    dm_json_object_set_int(qemu, "minor", 2);
    dm_json_object_set_int(qemu, "major", 7);
    dm_json_object_set(ret, "qemu", qemu);
    dm_json_object_set_string(ret, "package", "stubdm " STUBDM_VERSION);
    return ret;
}

static DmJson *cmd_query_commands(DmMonitor *mon, const DmJson *args,
                                  GError **errp)
{
    DmJson *list = dm_json_new_array();
    size_t n;
    const DmQmpCommand *cmds = dm_qmp_commands(&n);

    for (size_t i = 0; i < n; i++) {
        DmJson *o = dm_json_new_object();
        dm_json_object_set_string(o, "name", cmds[i].name);
        dm_json_array_add(list, o);
    }
    return list;
}

static DmJson *cmd_query_status(DmMonitor *mon, const DmJson *args,
                                GError **errp)
{
    DmMachine *m = dm_monitor_machine(mon);
    DmJson *ret = dm_json_new_object();

    dm_json_object_set_string(ret, "status",
                                  dm_runstate_name(m->runstate));
    dm_json_object_set_bool(ret, "singlestep", false);
    dm_json_object_set_bool(ret, "running", dm_machine_is_running(m));
    return ret;
}

static DmJson *cmd_stop(DmMonitor *mon, const DmJson *args, GError **errp)
{
    dm_machine_stop(dm_monitor_machine(mon));
    return empty_return();
}

static DmJson *cmd_cont(DmMonitor *mon, const DmJson *args, GError **errp)
{
    if (!dm_machine_cont(dm_monitor_machine(mon), errp)) {
        return NULL;
    }
    return empty_return();
}

static DmJson *cmd_quit(DmMonitor *mon, const DmJson *args, GError **errp)
{
    DmMachine *m = dm_monitor_machine(mon);

    dm_machine_shutdown(m, false, "host-qmp-quit");
    dm_machine_quit(m, 0);
    return empty_return();
}

static DmJson *cmd_system_reset(DmMonitor *mon, const DmJson *args,
                                GError **errp)
{
    dm_machine_reset(dm_monitor_machine(mon), false);
    return empty_return();
}

static DmJson *cmd_system_wakeup(DmMonitor *mon, const DmJson *args,
                                 GError **errp)
{
    if (!dm_machine_wakeup(dm_monitor_machine(mon), errp)) {
        return NULL;
    }
    return empty_return();
}

static DmJson *cmd_system_powerdown(DmMonitor *mon, const DmJson *args,
                                    GError **errp)
{
    dm_machine_powerdown(dm_monitor_machine(mon));
    return empty_return();
}

static DmJson *cmd_query_name(DmMonitor *mon, const DmJson *args,
                              GError **errp)
{
    DmMachine *m = dm_monitor_machine(mon);
    DmJson *ret = dm_json_new_object();

    if (m->opts->name) {
        dm_json_object_set_string(ret, "name", m->opts->name);
    }
    return ret;
}

static DmJson *cmd_query_cpus_fast(DmMonitor *mon, const DmJson *args,
                                   GError **errp)
{
    DmMachine *m = dm_monitor_machine(mon);
    DmJson *list = dm_json_new_array();

    /* libxl rebuilds the saved config's vCPU set from these indexes. */
    for (unsigned i = 0; i < m->opts->smp_cpus; i++) {
        DmJson *cpu = dm_json_new_object();
        DmJson *props = dm_json_new_object();
        g_autofree char *path =
            g_strdup_printf("/machine/unattached/device[%u]", i);

        /* vCPUs run in Xen; this process is the only thread to name. */
        dm_json_object_set_int(cpu, "thread-id", getpid());
        /* QEMU 6.2 and later machines fill cores before sockets. */
        bool cores = dm_machine_type_at_least(m->machine_type, 6, 2);

        dm_json_object_set_int(props, "core-id", cores ? i : 0);
        dm_json_object_set_int(props, "thread-id", 0);
        dm_json_object_set_int(props, "socket-id", cores ? 0 : i);
        dm_json_object_set(cpu, "props", props);
        dm_json_object_set_string(cpu, "qom-path", path);
        dm_json_object_set_int(cpu, "cpu-index", i);
        dm_json_object_set_string(cpu, "target", "x86_64");
        dm_json_array_add(list, cpu);
    }
    return list;
}

static DmJson *cmd_query_chardev(DmMonitor *mon, const DmJson *args,
                                 GError **errp)
{
    DmMachine *m = dm_monitor_machine(mon);
    DmJson *list = dm_json_new_array();

    for (guint i = 0; i < m->chardevs->len; i++) {
        DmChardev *c = g_ptr_array_index(m->chardevs, i);
        DmJson *o = dm_json_new_object();
        g_autofree char *filename = dm_chardev_filename(c);

        dm_json_object_set_bool(o, "frontend-open",
                                       dm_chardev_has_frontend(c));
        dm_json_object_set_string(o, "filename", filename);
        dm_json_object_set_string(o, "label", dm_chardev_id(c));
        dm_json_array_add(list, o);
    }
    return list;
}

static DmJson *cmd_query_vnc(DmMonitor *mon, const DmJson *args,
                             GError **errp)
{
    DmJson *ret = dm_json_new_object();

    dm_json_object_set_bool(ret, "enabled", false);
    return ret;
}

/* xentop asks the second monitor for block statistics; there are none. */
static DmJson *cmd_empty_list(DmMonitor *mon, const DmJson *args,
                              GError **errp)
{
    return dm_json_new_array();
}

static const DmQmpArg qmp_capabilities_args[] = {
    { "enable", DM_QMP_ARG_ANY, true },
    { .name = NULL },
};

static const DmQmpArg query_blockstats_args[] = {
    { "query-nodes", DM_QMP_ARG_BOOL, true },
    { .name = NULL },
};

static const DmQmpArg add_fd_args[] = {
    { "fdset-id", DM_QMP_ARG_INT, true },
    { "opaque", DM_QMP_ARG_STR, true },
    { .name = NULL },
};

static const DmQmpArg save_devices_args[] = {
    { "filename", DM_QMP_ARG_STR, false },
    { "live", DM_QMP_ARG_BOOL, true },
    { .name = NULL },
};

static const DmQmpArg load_devices_args[] = {
    { "filename", DM_QMP_ARG_STR, false },
    { .name = NULL },
};

static const DmQmpArg dirty_log_args[] = {
    { "enable", DM_QMP_ARG_BOOL, false },
    { .name = NULL },
};

static const DmQmpArg getfd_args[] = {
    { "fdname", DM_QMP_ARG_STR, false },
    { .name = NULL },
};

static const DmQmpArg migrate_args[] = {
    { "uri", DM_QMP_ARG_STR, false },
    { "blk", DM_QMP_ARG_BOOL, true },
    { "inc", DM_QMP_ARG_BOOL, true },
    { "detach", DM_QMP_ARG_BOOL, true },
    { "resume", DM_QMP_ARG_BOOL, true },
    { .name = NULL },
};

static const DmQmpArg migrate_caps_args[] = {
    { "capabilities", DM_QMP_ARG_ANY, false },
    { .name = NULL },
};

static const DmQmpArg migrate_params_args[] = {
    { "max-bandwidth", DM_QMP_ARG_INT, true },
    { "downtime-limit", DM_QMP_ARG_INT, true },
    { .name = NULL },
};

static const DmQmpArg migrate_incoming_args[] = {
    { "uri", DM_QMP_ARG_STR, false },
    { .name = NULL },
};

static const DmQmpCommand commands[] = {
    { "qmp_capabilities", cmd_qmp_capabilities, qmp_capabilities_args },
    { "query-version", cmd_query_version, NULL },
    { "query-commands", cmd_query_commands, NULL },
    { "query-status", cmd_query_status, NULL },
    { "stop", cmd_stop, NULL },
    { "cont", cmd_cont, NULL },
    { "quit", cmd_quit, NULL },
    { "system_reset", cmd_system_reset, NULL },
    { "system_powerdown", cmd_system_powerdown, NULL },
    { "system_wakeup", cmd_system_wakeup, NULL },
    { "query-name", cmd_query_name, NULL },
    { "query-cpus-fast", cmd_query_cpus_fast, NULL },
    { "query-chardev", cmd_query_chardev, NULL },
    { "query-vnc", cmd_query_vnc, NULL },
    { "query-block", cmd_empty_list, NULL },
    { "query-blockstats", cmd_empty_list, query_blockstats_args },
    { "add-fd", dm_qmp_add_fd, add_fd_args },
    { "xen-save-devices-state", dm_qmp_xen_save_devices_state,
      save_devices_args },
    { "xen-load-devices-state", dm_qmp_xen_load_devices_state,
      load_devices_args },
    { "xen-set-global-dirty-log", dm_qmp_xen_set_global_dirty_log,
      dirty_log_args },
    { "migrate-incoming", dm_qmp_migrate_incoming, migrate_incoming_args },
    { "getfd", dm_qmp_getfd, getfd_args },
    { "migrate", dm_qmp_migrate, migrate_args },
    { "query-migrate", dm_qmp_query_migrate, NULL },
    { "migrate-set-capabilities", dm_qmp_migrate_set_capabilities,
      migrate_caps_args },
    { "migrate-set-parameters", dm_qmp_migrate_set_parameters,
      migrate_params_args },
};

const DmQmpCommand *dm_qmp_commands(size_t *count)
{
    *count = G_N_ELEMENTS(commands);
    return commands;
}
