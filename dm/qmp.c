/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * QMP monitors. Every server message is one line ending in "\r\n": libxl
 * splits only there and hangs on anything else. Error texts follow QEMU
 * 7.2 where a client might match them.
 */
#include "dm/qmp.h"
#include "dm/chardev.h"
#include "dm/json-split.h"

#include <string.h>

G_DEFINE_QUARK(dm-qmp-error-quark, dm_qmp_error)

struct DmMonitor {
    DmMachine *machine;
    DmChardev *chr;
    bool pretty;
    bool negotiated;
    DmJsonSplitter split;
};

static const char *const error_class_names[] = {
    [DM_QMP_GENERIC_ERROR] = "GenericError",
    [DM_QMP_COMMAND_NOT_FOUND] = "CommandNotFound",
    [DM_QMP_DEVICE_NOT_ACTIVE] = "DeviceNotActive",
    [DM_QMP_DEVICE_NOT_FOUND] = "DeviceNotFound",
};

JsonNode *dm_qmp_empty_return(void)
{
    JsonNode *n = json_node_new(JSON_NODE_OBJECT);

    json_node_take_object(n, json_object_new());
    return n;
}

static void monitor_send(DmMonitor *mon, JsonObject *msg)
{
    g_autoptr(JsonGenerator) gen = json_generator_new();
    g_autoptr(JsonNode) root = json_node_new(JSON_NODE_OBJECT);
    g_autofree char *text = NULL;
    gsize len;

    json_node_set_object(root, msg);
    json_generator_set_root(gen, root);
    json_generator_set_pretty(gen, mon->pretty);
    text = json_generator_to_data(gen, &len);
    dm_chardev_write(mon->chr, text, len);
    dm_chardev_write(mon->chr, "\r\n", 2);
}

static void monitor_send_error(DmMonitor *mon, JsonNode *id,
                               DmQmpErrorClass cls, const char *desc)
{
    g_autoptr(JsonObject) msg = json_object_new();
    JsonObject *err = json_object_new();

    /* QEMU puts the id first in error replies. */
    if (id) {
        json_object_set_member(msg, "id", json_node_copy(id));
    }
    json_object_set_string_member(err, "class", error_class_names[cls]);
    json_object_set_string_member(err, "desc", desc);
    json_object_set_object_member(msg, "error", err);
    monitor_send(mon, msg);
}

static void monitor_send_gerror(DmMonitor *mon, JsonNode *id, GError *e)
{
    DmQmpErrorClass cls = DM_QMP_GENERIC_ERROR;

    if (e->domain == DM_QMP_ERROR &&
        e->code < (int)G_N_ELEMENTS(error_class_names)) {
        cls = e->code;
    }
    monitor_send_error(mon, id, cls, e->message);
}

static void monitor_send_greeting(DmMonitor *mon)
{
    g_autoptr(JsonObject) msg = json_object_new();
    JsonObject *qmp = json_object_new();
    JsonObject *version = json_object_new();
    JsonObject *qemu = json_object_new();

    /* libxl compares this with 2.11 to choose its save arguments. */
    json_object_set_int_member(qemu, "micro", 0);
    json_object_set_int_member(qemu, "minor", 2);
    json_object_set_int_member(qemu, "major", 7);
    json_object_set_object_member(version, "qemu", qemu);
    json_object_set_string_member(version, "package", "stubdm " STUBDM_VERSION);
    json_object_set_object_member(qmp, "version", version);
    json_object_set_array_member(qmp, "capabilities", json_array_new());
    json_object_set_object_member(msg, "QMP", qmp);
    monitor_send(mon, msg);
}

void dm_monitor_send_event(DmMonitor *mon, const char *name, JsonNode *data)
{
    g_autoptr(JsonObject) msg = NULL;
    JsonObject *ts;
    gint64 now;

    if (!mon->negotiated) {
        return;
    }
    now = g_get_real_time();
    msg = json_object_new();
    ts = json_object_new();
    json_object_set_int_member(ts, "seconds", now / G_USEC_PER_SEC);
    json_object_set_int_member(ts, "microseconds", now % G_USEC_PER_SEC);
    json_object_set_object_member(msg, "timestamp", ts);
    json_object_set_string_member(msg, "event", name);
    if (data) {
        json_object_set_member(msg, "data", json_node_copy(data));
    }
    monitor_send(mon, msg);
}

static const char *arg_type_name(DmQmpArgType t)
{
    switch (t) {
    case DM_QMP_ARG_STR: return "string";
    case DM_QMP_ARG_INT: return "integer";
    case DM_QMP_ARG_BOOL: return "boolean";
    case DM_QMP_ARG_OBJECT: return "object";
    default: return "value";
    }
}

static bool arg_has_type(JsonNode *n, DmQmpArgType t)
{
    GType vt;

    switch (t) {
    case DM_QMP_ARG_OBJECT:
        return JSON_NODE_HOLDS_OBJECT(n);
    case DM_QMP_ARG_ANY:
        return true;
    default:
        break;
    }
    if (!JSON_NODE_HOLDS_VALUE(n)) {
        return false;
    }
    vt = json_node_get_value_type(n);
    return (t == DM_QMP_ARG_STR && vt == G_TYPE_STRING) ||
           (t == DM_QMP_ARG_INT && vt == G_TYPE_INT64) ||
           (t == DM_QMP_ARG_BOOL && vt == G_TYPE_BOOLEAN);
}

static gboolean check_args(const DmQmpCommand *cmd, JsonObject *args,
                           GError **errp)
{
    static const DmQmpArg no_args[] = { { NULL } };
    const DmQmpArg *spec = cmd->args ? cmd->args : no_args;
    g_autoptr(GList) members = json_object_get_members(args);

    for (GList *l = members; l; l = l->next) {
        const char *name = l->data;
        const DmQmpArg *a = spec;
        while (a->name && strcmp(a->name, name)) {
            a++;
        }
        if (!a->name) {
            g_set_error(errp, DM_QMP_ERROR, DM_QMP_GENERIC_ERROR,
                        "Parameter '%s' is unexpected", name);
            return FALSE;
        }
        if (!arg_has_type(json_object_get_member(args, name), a->type)) {
            g_set_error(errp, DM_QMP_ERROR, DM_QMP_GENERIC_ERROR,
                        "Invalid parameter type for '%s', expected: %s", name,
                        arg_type_name(a->type));
            return FALSE;
        }
    }
    for (const DmQmpArg *a = spec; a->name; a++) {
        if (!a->optional && !json_object_has_member(args, a->name)) {
            g_set_error(errp, DM_QMP_ERROR, DM_QMP_GENERIC_ERROR,
                        "Parameter '%s' is missing", a->name);
            return FALSE;
        }
    }
    return TRUE;
}

static const DmQmpCommand *find_command(const char *name)
{
    size_t n;
    const DmQmpCommand *cmds = dm_qmp_commands(&n);

    for (size_t i = 0; i < n; i++) {
        if (!strcmp(cmds[i].name, name)) {
            return &cmds[i];
        }
    }
    return NULL;
}

static void monitor_dispatch(DmMonitor *mon, JsonObject *req, JsonNode *id)
{
    static const char *const members[] = { "execute", "arguments", "id" };
    g_autoptr(GList) keys = json_object_get_members(req);
    g_autoptr(JsonObject) empty = json_object_new();
    g_autoptr(GError) err = NULL;
    JsonNode *exec, *argn;
    JsonObject *args = empty;
    const char *name;
    const DmQmpCommand *cmd;
    JsonNode *ret;

    for (GList *l = keys; l; l = l->next) {
        bool known = false;
        for (size_t i = 0; i < G_N_ELEMENTS(members); i++) {
            known |= !strcmp(members[i], l->data);
        }
        if (!known) {
            g_autofree char *d = g_strdup_printf(
                "QMP input member '%s' is unexpected", (char *)l->data);
            monitor_send_error(mon, id, DM_QMP_GENERIC_ERROR, d);
            return;
        }
    }
    exec = json_object_get_member(req, "execute");
    if (!exec) {
        monitor_send_error(mon, id, DM_QMP_GENERIC_ERROR,
                           "QMP input lacks member 'execute'");
        return;
    }
    if (!JSON_NODE_HOLDS_VALUE(exec) ||
        json_node_get_value_type(exec) != G_TYPE_STRING) {
        monitor_send_error(mon, id, DM_QMP_GENERIC_ERROR,
                           "QMP input member 'execute' must be a string");
        return;
    }
    argn = json_object_get_member(req, "arguments");
    if (argn) {
        if (!JSON_NODE_HOLDS_OBJECT(argn)) {
            monitor_send_error(mon, id, DM_QMP_GENERIC_ERROR,
                               "QMP input member 'arguments' must be an "
                               "object");
            return;
        }
        args = json_node_get_object(argn);
    }
    name = json_node_get_string(exec);
    if (!mon->negotiated && strcmp(name, "qmp_capabilities")) {
        monitor_send_error(mon, id, DM_QMP_COMMAND_NOT_FOUND,
                           "Expecting capabilities negotiation with "
                           "'qmp_capabilities'");
        return;
    }
    if (mon->negotiated && !strcmp(name, "qmp_capabilities")) {
        monitor_send_error(mon, id, DM_QMP_COMMAND_NOT_FOUND,
                           "Capabilities negotiation is already complete, "
                           "command ignored");
        return;
    }
    cmd = find_command(name);
    if (!cmd) {
        g_autofree char *d =
            g_strdup_printf("The command %s has not been found", name);
        monitor_send_error(mon, id, DM_QMP_COMMAND_NOT_FOUND, d);
        return;
    }
    if (!check_args(cmd, args, &err)) {
        monitor_send_gerror(mon, id, err);
        return;
    }
    ret = cmd->fn(mon, args, &err);
    if (!ret) {
        g_assert(err);
        monitor_send_gerror(mon, id, err);
        return;
    }
    if (!strcmp(name, "qmp_capabilities")) {
        mon->negotiated = true;
    }
    g_autoptr(JsonObject) reply = json_object_new();
    json_object_set_member(reply, "return", ret);
    if (id) {
        json_object_set_member(reply, "id", json_node_copy(id));
    }
    monitor_send(mon, reply);
}

static void monitor_message(void *opaque, const char *text,
                            const char *error)
{
    DmMonitor *mon = opaque;
    g_autoptr(JsonParser) parser = NULL;
    g_autoptr(GError) err = NULL;
    JsonNode *root;

    if (error) {
        monitor_send_error(mon, NULL, DM_QMP_GENERIC_ERROR, error);
        return;
    }
    parser = json_parser_new_immutable();
    if (!json_parser_load_from_data(parser, text, -1, &err)) {
        g_autofree char *d = g_strdup_printf("JSON parse error, %s",
                                             err->message);
        monitor_send_error(mon, NULL, DM_QMP_GENERIC_ERROR, d);
        return;
    }
    root = json_parser_get_root(parser);
    if (!root || !JSON_NODE_HOLDS_OBJECT(root)) {
        monitor_send_error(mon, NULL, DM_QMP_GENERIC_ERROR,
                           "QMP input must be a JSON object");
        return;
    }
    JsonObject *req = json_node_get_object(root);
    monitor_dispatch(mon, req, json_object_get_member(req, "id"));
}

static void monitor_opened(void *opaque)
{
    DmMonitor *mon = opaque;

    mon->negotiated = false;
    dm_json_splitter_reset(&mon->split);
    monitor_send_greeting(mon);
}

static void monitor_received(void *opaque, const uint8_t *data, size_t len)
{
    DmMonitor *mon = opaque;

    dm_json_splitter_feed(&mon->split, (const char *)data, len,
                          monitor_message, mon);
}

static void monitor_closed(void *opaque)
{
    DmMonitor *mon = opaque;

    mon->negotiated = false;
    dm_json_splitter_reset(&mon->split);
}

static const DmChardevHandlers monitor_handlers = {
    .opened = monitor_opened,
    .received = monitor_received,
    .closed = monitor_closed,
};

DmMonitor *dm_monitor_new(DmMachine *m, DmChardev *chr, bool pretty,
                          GError **errp)
{
    DmMonitor *mon = g_new0(DmMonitor, 1);

    mon->machine = m;
    mon->chr = chr;
    mon->pretty = pretty;
    dm_json_splitter_init(&mon->split, DM_QMP_MAX_MESSAGE);
    if (!dm_chardev_start(chr, &monitor_handlers, mon, errp)) {
        dm_monitor_free(mon);
        return NULL;
    }
    return mon;
}

void dm_monitor_free(DmMonitor *mon)
{
    if (mon) {
        dm_json_splitter_destroy(&mon->split);
        g_free(mon);
    }
}

DmMachine *dm_monitor_machine(DmMonitor *mon)
{
    return mon->machine;
}

DmChardev *dm_monitor_chardev(DmMonitor *mon)
{
    return mon->chr;
}

void dm_monitor_flush(DmMonitor *mon)
{
    dm_chardev_flush(mon->chr);
}
