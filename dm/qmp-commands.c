/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The QMP commands stubdm answers, with QEMU 7.2's reply shapes. */
#include "dm/qmp.h"
#include "dm/chardev.h"

#include <string.h>
#include <unistd.h>

static JsonNode *object_node(JsonObject *o)
{
    JsonNode *n = json_node_new(JSON_NODE_OBJECT);

    json_node_take_object(n, o);
    return n;
}

static JsonNode *array_node(JsonArray *a)
{
    JsonNode *n = json_node_new(JSON_NODE_ARRAY);

    json_node_take_array(n, a);
    return n;
}

static JsonNode *cmd_qmp_capabilities(DmMonitor *mon, JsonObject *args,
                                      GError **errp)
{
    JsonArray *enable = NULL;

    if (json_object_has_member(args, "enable")) {
        JsonNode *n = json_object_get_member(args, "enable");
        if (!JSON_NODE_HOLDS_ARRAY(n)) {
            g_set_error(errp, DM_QMP_ERROR, DM_QMP_GENERIC_ERROR,
                        "Invalid parameter type for 'enable', expected: "
                        "array");
            return NULL;
        }
        enable = json_node_get_array(n);
    }
    if (enable && json_array_get_length(enable) > 0) {
        JsonNode *cap = json_array_get_element(enable, 0);
        const char *name = JSON_NODE_HOLDS_VALUE(cap) &&
            json_node_get_value_type(cap) == G_TYPE_STRING ?
            json_node_get_string(cap) : "?";
        g_set_error(errp, DM_QMP_ERROR, DM_QMP_GENERIC_ERROR,
                    "Capability '%s' not available", name);
        return NULL;
    }
    return dm_qmp_empty_return();
}

static JsonNode *cmd_query_version(DmMonitor *mon, JsonObject *args,
                                   GError **errp)
{
    JsonObject *ret = json_object_new();
    JsonObject *qemu = json_object_new();

    json_object_set_int_member(qemu, "micro", 0);
    json_object_set_int_member(qemu, "minor", 2);
    json_object_set_int_member(qemu, "major", 7);
    json_object_set_object_member(ret, "qemu", qemu);
    json_object_set_string_member(ret, "package", "stubdm " STUBDM_VERSION);
    return object_node(ret);
}

static JsonNode *cmd_query_commands(DmMonitor *mon, JsonObject *args,
                                    GError **errp)
{
    JsonArray *list = json_array_new();
    size_t n;
    const DmQmpCommand *cmds = dm_qmp_commands(&n);

    for (size_t i = 0; i < n; i++) {
        JsonObject *o = json_object_new();
        json_object_set_string_member(o, "name", cmds[i].name);
        json_array_add_object_element(list, o);
    }
    return array_node(list);
}

static JsonNode *cmd_query_status(DmMonitor *mon, JsonObject *args,
                                  GError **errp)
{
    DmMachine *m = dm_monitor_machine(mon);
    JsonObject *ret = json_object_new();

    json_object_set_string_member(ret, "status",
                                  dm_runstate_name(m->runstate));
    json_object_set_boolean_member(ret, "singlestep", FALSE);
    json_object_set_boolean_member(ret, "running", dm_machine_is_running(m));
    return object_node(ret);
}

static JsonNode *cmd_stop(DmMonitor *mon, JsonObject *args, GError **errp)
{
    dm_machine_stop(dm_monitor_machine(mon));
    return dm_qmp_empty_return();
}

static JsonNode *cmd_cont(DmMonitor *mon, JsonObject *args, GError **errp)
{
    if (!dm_machine_cont(dm_monitor_machine(mon), errp)) {
        return NULL;
    }
    return dm_qmp_empty_return();
}

static JsonNode *cmd_quit(DmMonitor *mon, JsonObject *args, GError **errp)
{
    DmMachine *m = dm_monitor_machine(mon);

    dm_machine_shutdown(m, false, "host-qmp-quit");
    dm_machine_quit(m, 0);
    return dm_qmp_empty_return();
}

static JsonNode *cmd_system_reset(DmMonitor *mon, JsonObject *args,
                                  GError **errp)
{
    dm_machine_reset(dm_monitor_machine(mon), false);
    return dm_qmp_empty_return();
}

static JsonNode *cmd_system_powerdown(DmMonitor *mon, JsonObject *args,
                                      GError **errp)
{
    dm_machine_powerdown(dm_monitor_machine(mon));
    return dm_qmp_empty_return();
}

static JsonNode *cmd_query_name(DmMonitor *mon, JsonObject *args,
                                GError **errp)
{
    DmMachine *m = dm_monitor_machine(mon);
    JsonObject *ret = json_object_new();

    if (m->opts->name) {
        json_object_set_string_member(ret, "name", m->opts->name);
    }
    return object_node(ret);
}

static JsonNode *cmd_query_cpus_fast(DmMonitor *mon, JsonObject *args,
                                     GError **errp)
{
    DmMachine *m = dm_monitor_machine(mon);
    JsonArray *list = json_array_new();

    /* libxl rebuilds the saved config's vCPU set from these indexes. */
    for (unsigned i = 0; i < m->opts->smp_cpus; i++) {
        JsonObject *cpu = json_object_new();
        JsonObject *props = json_object_new();
        g_autofree char *path =
            g_strdup_printf("/machine/unattached/device[%u]", i);

        /* vCPUs run in Xen; this process is the only thread to name. */
        json_object_set_int_member(cpu, "thread-id", getpid());
        json_object_set_int_member(props, "core-id", 0);
        json_object_set_int_member(props, "thread-id", 0);
        json_object_set_int_member(props, "socket-id", i);
        json_object_set_object_member(cpu, "props", props);
        json_object_set_string_member(cpu, "qom-path", path);
        json_object_set_int_member(cpu, "cpu-index", i);
        json_object_set_string_member(cpu, "target", "x86_64");
        json_array_add_object_element(list, cpu);
    }
    return array_node(list);
}

static JsonNode *cmd_query_chardev(DmMonitor *mon, JsonObject *args,
                                   GError **errp)
{
    DmMachine *m = dm_monitor_machine(mon);
    JsonArray *list = json_array_new();

    for (guint i = 0; i < m->chardevs->len; i++) {
        DmChardev *c = g_ptr_array_index(m->chardevs, i);
        JsonObject *o = json_object_new();
        g_autofree char *filename = dm_chardev_filename(c);

        json_object_set_boolean_member(o, "frontend-open",
                                       dm_chardev_has_frontend(c));
        json_object_set_string_member(o, "filename", filename);
        json_object_set_string_member(o, "label", dm_chardev_id(c));
        json_array_add_object_element(list, o);
    }
    return array_node(list);
}

static JsonNode *cmd_query_vnc(DmMonitor *mon, JsonObject *args,
                               GError **errp)
{
    JsonObject *ret = json_object_new();

    json_object_set_boolean_member(ret, "enabled", FALSE);
    return object_node(ret);
}

/* xentop asks the second monitor for block statistics; there are none. */
static JsonNode *cmd_empty_list(DmMonitor *mon, JsonObject *args,
                                GError **errp)
{
    return array_node(json_array_new());
}

static const DmQmpArg qmp_capabilities_args[] = {
    { "enable", DM_QMP_ARG_ANY, true },
    { NULL },
};

static const DmQmpArg query_blockstats_args[] = {
    { "query-nodes", DM_QMP_ARG_BOOL, true },
    { NULL },
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
    { "query-name", cmd_query_name, NULL },
    { "query-cpus-fast", cmd_query_cpus_fast, NULL },
    { "query-chardev", cmd_query_chardev, NULL },
    { "query-vnc", cmd_query_vnc, NULL },
    { "query-block", cmd_empty_list, NULL },
    { "query-blockstats", cmd_empty_list, query_blockstats_args },
};

const DmQmpCommand *dm_qmp_commands(size_t *count)
{
    *count = G_N_ELEMENTS(commands);
    return commands;
}
