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

static void monitor_send(DmMonitor *mon, const DmJson *msg)
{
    g_autofree char *text = dm_json_to_string(msg, mon->pretty);

    if (!mon->chr) {
        return;
    }
    dm_chardev_write(mon->chr, text, strlen(text));
    dm_chardev_write(mon->chr, "\r\n", 2);
}

static void monitor_send_error(DmMonitor *mon, const DmJson *id,
                               DmQmpErrorClass cls, const char *desc)
{
    g_autoptr(DmJson) msg = dm_json_new_object();
    DmJson *err = dm_json_new_object();

    /* QEMU puts the id first in error replies. */
    if (id) {
        dm_json_object_set(msg, "id", dm_json_copy(id));
    }
    dm_json_object_set_string(err, "class", error_class_names[cls]);
    dm_json_object_set_string(err, "desc", desc);
    dm_json_object_set(msg, "error", err);
    monitor_send(mon, msg);
}

static void monitor_send_gerror(DmMonitor *mon, const DmJson *id, GError *e)
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
    g_autoptr(DmJson) msg = dm_json_new_object();
    DmJson *qmp = dm_json_new_object();
    DmJson *version = dm_json_new_object();
    DmJson *qemu = dm_json_new_object();

    /* libxl compares this with 2.11 to choose its save arguments. */
    dm_json_object_set_int(qemu, "micro", 0);
    dm_json_object_set_int(qemu, "minor", 2);
    dm_json_object_set_int(qemu, "major", 7);
    dm_json_object_set(version, "qemu", qemu);
    dm_json_object_set_string(version, "package", "stubdm " STUBDM_VERSION);
    dm_json_object_set(qmp, "version", version);
    dm_json_object_set(qmp, "capabilities", dm_json_new_array());
    dm_json_object_set(msg, "QMP", qmp);
    monitor_send(mon, msg);
}

void dm_monitor_send_event(DmMonitor *mon, const char *name,
                           const DmJson *data)
{
    g_autoptr(DmJson) msg = NULL;
    DmJson *ts;
    gint64 now;

    if (!mon->negotiated) {
        return;
    }
    now = g_get_real_time();
    msg = dm_json_new_object();
    ts = dm_json_new_object();
    dm_json_object_set_int(ts, "seconds", now / G_USEC_PER_SEC);
    dm_json_object_set_int(ts, "microseconds", now % G_USEC_PER_SEC);
    dm_json_object_set(msg, "timestamp", ts);
    dm_json_object_set_string(msg, "event", name);
    if (data) {
        dm_json_object_set(msg, "data", dm_json_copy(data));
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

static bool arg_has_type(const DmJson *v, DmQmpArgType t)
{
    switch (t) {
    case DM_QMP_ARG_STR: return dm_json_type(v) == DM_JSON_STRING;
    case DM_QMP_ARG_INT: return dm_json_type(v) == DM_JSON_INT;
    case DM_QMP_ARG_BOOL: return dm_json_type(v) == DM_JSON_BOOL;
    case DM_QMP_ARG_OBJECT: return dm_json_type(v) == DM_JSON_OBJECT;
    default: return true;
    }
}

static gboolean check_args(const DmQmpCommand *cmd, const DmJson *args,
                           GError **errp)
{
    static const DmQmpArg no_args[] = { { .name = NULL } };
    const DmQmpArg *spec = cmd->args ? cmd->args : no_args;

    for (size_t i = 0; i < dm_json_length(args); i++) {
        const char *name = dm_json_object_key(args, i);
        const DmQmpArg *a = spec;
        while (a->name && strcmp(a->name, name)) {
            a++;
        }
        if (!a->name) {
            g_set_error(errp, DM_QMP_ERROR, DM_QMP_GENERIC_ERROR,
                        "Parameter '%s' is unexpected", name);
            return FALSE;
        }
        if (!arg_has_type(dm_json_object_value(args, i), a->type)) {
            g_set_error(errp, DM_QMP_ERROR, DM_QMP_GENERIC_ERROR,
                        "Invalid parameter type for '%s', expected: %s", name,
                        arg_type_name(a->type));
            return FALSE;
        }
    }
    for (const DmQmpArg *a = spec; a->name; a++) {
        if (!a->optional && !dm_json_object_get(args, a->name)) {
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

/* Checks the envelope; returns the command name or NULL after replying. */
static const char *monitor_check_request(DmMonitor *mon, const DmJson *req,
                                         const DmJson *id,
                                         const DmJson **args)
{
    static const char *const members[] = { "execute", "arguments", "id" };
    const DmJson *exec, *argv;

    for (size_t i = 0; i < dm_json_length(req); i++) {
        const char *key = dm_json_object_key(req, i);
        bool known = false;
        for (size_t k = 0; k < G_N_ELEMENTS(members); k++) {
            known |= !strcmp(members[k], key);
        }
        if (!known) {
            g_autofree char *d = g_strdup_printf(
                "QMP input member '%s' is unexpected", key);
            monitor_send_error(mon, id, DM_QMP_GENERIC_ERROR, d);
            return NULL;
        }
    }
    exec = dm_json_object_get(req, "execute");
    if (!exec) {
        monitor_send_error(mon, id, DM_QMP_GENERIC_ERROR,
                           "QMP input lacks member 'execute'");
        return NULL;
    }
    if (dm_json_type(exec) != DM_JSON_STRING) {
        monitor_send_error(mon, id, DM_QMP_GENERIC_ERROR,
                           "QMP input member 'execute' must be a string");
        return NULL;
    }
    argv = dm_json_object_get(req, "arguments");
    if (argv && dm_json_type(argv) != DM_JSON_OBJECT) {
        monitor_send_error(mon, id, DM_QMP_GENERIC_ERROR,
                           "QMP input member 'arguments' must be an object");
        return NULL;
    }
    *args = argv;
    return dm_json_get_string(exec);
}

static void monitor_dispatch(DmMonitor *mon, const DmJson *req)
{
    g_autoptr(DmJson) empty = dm_json_new_object();
    g_autoptr(GError) err = NULL;
    g_autoptr(DmJson) reply = NULL;
    const DmJson *id = dm_json_object_get(req, "id");
    const DmJson *args = NULL;
    const char *name = monitor_check_request(mon, req, id, &args);
    const DmQmpCommand *cmd;
    DmJson *ret;

    if (!name) {
        return;
    }
    if (!args) {
        args = empty;
    }
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
    reply = dm_json_new_object();
    dm_json_object_set(reply, "return", ret);
    if (id) {
        dm_json_object_set(reply, "id", dm_json_copy(id));
    }
    monitor_send(mon, reply);
}

void dm_monitor_handle_message(DmMonitor *mon, const char *text, size_t len)
{
    g_autoptr(GError) err = NULL;
    g_autoptr(DmJson) req = dm_json_parse(text, len, &err);

    if (!req) {
        g_autofree char *d = g_strdup_printf("JSON parse error, %s",
                                             err->message);
        monitor_send_error(mon, NULL, DM_QMP_GENERIC_ERROR, d);
        return;
    }
    if (dm_json_type(req) != DM_JSON_OBJECT) {
        monitor_send_error(mon, NULL, DM_QMP_GENERIC_ERROR,
                           "QMP input must be a JSON object");
        return;
    }
    monitor_dispatch(mon, req);
}

static void monitor_message(void *opaque, const char *text,
                            const char *error)
{
    DmMonitor *mon = opaque;

    if (error) {
        monitor_send_error(mon, NULL, DM_QMP_GENERIC_ERROR, error);
        return;
    }
    dm_monitor_handle_message(mon, text, strlen(text));
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
    if (chr && !dm_chardev_start(chr, &monitor_handlers, mon, errp)) {
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
    if (mon->chr) {
        dm_chardev_flush(mon->chr);
    }
}
