/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Character devices and what sits on them: -chardev, -mon, -qmp, -qtest. */
#include "dm/dm-error.h"
#include "dm/keyval.h"
#include "dm/options-int.h"

#include <string.h>

static bool chardev_id_taken(DmOptions *o, const char *id)
{
    return dm_options_find_chardev(o, id) != NULL;
}

static gboolean add_socket_chardev(DmOptions *o, const char *opt,
                                   const char *arg, const char *id,
                                   GPtrArray *kv, GError **errp)
{
    static const char *const known[] = {
        "backend", "id", "path", "fd", "server", "wait", "nowait", "abstract",
        "tight", "reconnect", "logfile", "logappend", "mux", NULL
    };
    g_autoptr(DmChardevConfig) c = NULL;
    const char *path = dm_keyval_get(kv, "path");
    const char *fd = dm_keyval_get(kv, "fd");
    bool abstract = false;

    if (!dm_opt_check_keys(kv, known, opt, arg, errp)) {
        return FALSE;
    }
    c = g_new0(DmChardevConfig, 1);
    c->id = g_strdup(id);
    c->kind = DM_CHARDEV_SOCKET;
    c->fd = -1;
    c->wait = true;
    if (!dm_opt_get_bool(kv, "server", &c->server, opt, arg, errp) ||
        !dm_opt_get_bool(kv, "wait", &c->wait, opt, arg, errp) ||
        !dm_opt_get_bool(kv, "abstract", &abstract, opt, arg, errp)) {
        return FALSE;
    }
    if (dm_keyval_get(kv, "nowait")) {
        c->wait = false;
    }
    if (abstract || dm_keyval_get(kv, "reconnect") ||
        dm_keyval_get(kv, "logfile") || dm_keyval_get(kv, "mux")) {
        return dm_opt_not_emulated(errp, opt, arg,
                            "this socket option (abstract, reconnect, "
                            "logfile, mux)");
    }
    if (!!path == !!fd) {
        return dm_opt_bad_value(errp, opt, arg,
                         "a socket chardev needs exactly one of path= and "
                         "fd=");
    }
    if (fd) {
        uint64_t n;
        if (!dm_keyval_parse_u64(fd, &n) || n > G_MAXINT) {
            return dm_opt_bad_value(errp, opt, arg, "fd= expects a descriptor number");
        }
        c->fd = (int)n;
    } else {
        if (!*path || strlen(path) >= 108) {
            return dm_opt_bad_value(errp, opt, arg,
                             "path= must be 1 to 107 bytes (the unix socket "
                             "limit)");
        }
        c->path = g_strdup(path);
    }
    g_ptr_array_add(o->chardevs, g_steal_pointer(&c));
    return TRUE;
}

gboolean dm_opt_chardev(DmOptions *o, const char *opt, const char *arg,
                            GError **errp)
{
    g_autoptr(GPtrArray) kv = dm_opt_parse_kv(opt, arg, "backend", errp);
    const char *backend, *id;

    if (!kv) {
        return FALSE;
    }
    backend = dm_keyval_get(kv, "backend");
    id = dm_keyval_get(kv, "id");
    if (!id || !*id) {
        return dm_opt_bad_value(errp, opt, arg, "a chardev needs id=");
    }
    if (chardev_id_taken(o, id)) {
        g_autofree char *why = g_strdup_printf("chardev id '%s' is used twice",
                                               id);
        return dm_opt_bad_value(errp, opt, arg, why);
    }
    if (!backend || strcmp(backend, "socket")) {
        g_autofree char *what =
            g_strdup_printf("the '%s' chardev backend (stubdm has sockets "
                            "only)", backend ? backend : "");
        return dm_opt_not_emulated(errp, opt, arg, what);
    }
    return add_socket_chardev(o, opt, arg, id, kv, errp);
}

gboolean dm_opt_mon(DmOptions *o, const char *opt, const char *arg,
                        GError **errp)
{
    static const char *const known[] = { "chardev", "mode", "pretty", NULL };
    g_autoptr(GPtrArray) kv = dm_opt_parse_kv(opt, arg, "chardev", errp);
    const char *mode;
    DmMonitorConfig *m;
    bool pretty = false;

    if (!kv || !dm_opt_check_keys(kv, known, opt, arg, errp) ||
        !dm_opt_get_bool(kv, "pretty", &pretty, opt, arg, errp)) {
        return FALSE;
    }
    mode = dm_keyval_get(kv, "mode");
    if (!mode || !strcmp(mode, "readline")) {
        return dm_opt_not_emulated(errp, opt, arg,
                            "the human monitor (use mode=control)");
    }
    if (strcmp(mode, "control")) {
        return dm_opt_bad_value(errp, opt, arg, "mode= expects control");
    }
    if (!dm_keyval_get(kv, "chardev")) {
        return dm_opt_bad_value(errp, opt, arg, "a monitor needs chardev=");
    }
    m = g_new0(DmMonitorConfig, 1);
    m->chardev = g_strdup(dm_keyval_get(kv, "chardev"));
    m->pretty = pretty;
    g_ptr_array_add(o->monitors, m);
    return TRUE;
}

/*
 * QEMU's short chardev syntax used by -qmp and -qtest: "unix:PATH[,opts]"
 * or "stdio".
 */
static gboolean add_legacy_chardev(DmOptions *o, const char *opt,
                                   const char *arg, const char *id,
                                   GError **errp)
{
    g_autoptr(GPtrArray) kv = NULL;
    DmKeyval *first;

    if (!strcmp(arg, "stdio")) {
        DmChardevConfig *c = g_new0(DmChardevConfig, 1);
        c->id = g_strdup(id);
        c->kind = DM_CHARDEV_STDIO;
        c->fd = -1;
        g_ptr_array_add(o->chardevs, c);
        return TRUE;
    }
    if (!g_str_has_prefix(arg, "unix:")) {
        return dm_opt_not_emulated(errp, opt, arg,
                            "this chardev (stubdm takes unix:PATH or stdio)");
    }
    kv = dm_opt_parse_kv(opt, arg + 5, "path", errp);
    if (!kv) {
        return FALSE;
    }
    first = kv->len ? g_ptr_array_index(kv, 0) : NULL;
    if (!first || strcmp(first->key, "path")) {
        return dm_opt_bad_value(errp, opt, arg, "unix: needs a path");
    }
    return add_socket_chardev(o, opt, arg, id, kv, errp);
}

gboolean dm_opt_qmp(DmOptions *o, const char *opt, const char *arg,
                        GError **errp)
{
    g_autofree char *id = NULL;
    DmMonitorConfig *m;

    for (unsigned n = 0; !id; n++) {
        id = g_strdup_printf("compat_monitor%u", n);
        if (chardev_id_taken(o, id)) {
            g_clear_pointer(&id, g_free);
        }
    }
    if (!add_legacy_chardev(o, opt, arg, id, errp)) {
        return FALSE;
    }
    m = g_new0(DmMonitorConfig, 1);
    m->chardev = g_strdup(id);
    g_ptr_array_add(o->monitors, m);
    return TRUE;
}

gboolean dm_opt_qtest(DmOptions *o, const char *opt, const char *arg,
                          GError **errp)
{
    if (o->qtest_chardev) {
        return dm_opt_bad_value(errp, opt, arg, "only one -qtest is allowed");
    }
    if (!add_legacy_chardev(o, opt, arg, "qtest", errp)) {
        return FALSE;
    }
    o->qtest_chardev = g_strdup("qtest");
    return TRUE;
}
