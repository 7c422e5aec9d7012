/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Command-line parsing. The accepted set is what libxl emits for an HVM
 * guest (plus what QEMU's qtest harness adds); hardware stubdm does not
 * emulate is refused by name before anything starts.
 */
#include "dm/options.h"
#include "dm/dm-error.h"
#include "dm/keyval.h"
#include "dm/machine-types.h"

#include <string.h>

#define MIB (UINT64_C(1) << 20)
#define DEFAULT_RAM_SIZE (128 * MIB)
/* Xen's HVM_MAX_VCPUS: one ioreq slot per vCPU in a 4 KiB page. */
#define MAX_VCPUS 128
/* Domain ids from DOMID_FIRST_RESERVED (0x7ff0) up are special. */
#define MAX_DOMID 0x7fef

typedef gboolean OptFn(DmOptions *o, const char *opt, const char *arg,
                       GError **errp);

typedef struct {
    const char *name;
    const char *arg;          /* NULL: the option takes no argument */
    OptFn *fn;
    const char *help;
} OptDef;

static void chardev_config_free(gpointer p)
{
    DmChardevConfig *c = p;

    g_free(c->id);
    g_free(c->path);
    g_free(c);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC(DmChardevConfig, chardev_config_free)

static void monitor_config_free(gpointer p)
{
    DmMonitorConfig *m = p;

    g_free(m->chardev);
    g_free(m);
}

DmOptions *dm_options_new(void)
{
    DmOptions *o = g_new0(DmOptions, 1);

    o->xen_domid = -1;
    o->ram_size = DEFAULT_RAM_SIZE;
    o->smp_cpus = 1;
    o->smp_max_cpus = 1;
    o->chardevs = g_ptr_array_new_with_free_func(chardev_config_free);
    o->monitors = g_ptr_array_new_with_free_func(monitor_config_free);
    return o;
}

void dm_options_free(DmOptions *o)
{
    if (!o) {
        return;
    }
    g_free(o->machine_type);
    g_free(o->accel);
    g_free(o->name);
    g_free(o->boot_order);
    g_ptr_array_free(o->chardevs, TRUE);
    g_ptr_array_free(o->monitors, TRUE);
    g_free(o->qtest_chardev);
    g_free(o->qtest_log);
    g_free(o->incoming);
    g_free(o->runas);
    g_free(o->chroot_dir);
    g_free(o->pidfile);
    g_free(o);
}

DmChardevConfig *dm_options_find_chardev(DmOptions *o, const char *id)
{
    for (guint i = 0; i < o->chardevs->len; i++) {
        DmChardevConfig *c = g_ptr_array_index(o->chardevs, i);
        if (!strcmp(c->id, id)) {
            return c;
        }
    }
    return NULL;
}

static gboolean bad_value(GError **errp, const char *opt, const char *arg,
                          const char *why)
{
    g_set_error(errp, DM_ERROR, DM_ERROR_INVALID, "-%s %s: %s", opt, arg,
                why);
    return FALSE;
}

static gboolean not_emulated(GError **errp, const char *opt, const char *arg,
                             const char *what)
{
    g_set_error(errp, DM_ERROR, DM_ERROR_NOT_EMULATED,
                "-%s %s: %s is not emulated by stubdm", opt, arg, what);
    return FALSE;
}

static GPtrArray *parse_kv(const char *opt, const char *arg,
                           const char *implied, GError **errp)
{
    GError *err = NULL;
    GPtrArray *kv = dm_keyval_parse(arg, implied, &err);

    if (!kv) {
        bad_value(errp, opt, arg, err->message);
        g_error_free(err);
    }
    return kv;
}

/* Fails on any key not in the NULL-terminated list. */
static gboolean check_keys(GPtrArray *kv, const char *const *known,
                           const char *opt, const char *arg, GError **errp)
{
    for (guint i = 0; i < kv->len; i++) {
        DmKeyval *e = g_ptr_array_index(kv, i);
        bool ok = false;
        for (const char *const *k = known; *k; k++) {
            ok |= !strcmp(*k, e->key);
        }
        if (!ok) {
            g_autofree char *list = g_strjoinv(", ", (char **)known);
            g_autofree char *why =
                g_strdup_printf("unknown parameter '%s' (known: %s)", e->key,
                                list);
            return bad_value(errp, opt, arg, why);
        }
    }
    return TRUE;
}

static gboolean get_bool(GPtrArray *kv, const char *key, bool *out,
                         const char *opt, const char *arg, GError **errp)
{
    const char *v = dm_keyval_get(kv, key);

    if (v && !dm_keyval_parse_bool(v, out)) {
        g_autofree char *why =
            g_strdup_printf("parameter '%s' expects on or off, not '%s'", key,
                            v);
        return bad_value(errp, opt, arg, why);
    }
    return TRUE;
}

static gboolean opt_flag(DmOptions *o, const char *opt, const char *arg,
                         GError **errp)
{
    if (!strcmp(opt, "S")) {
        o->start_paused = true;
    } else if (!strcmp(opt, "no-shutdown")) {
        o->no_shutdown = true;
    } else if (!strcmp(opt, "no-acpi")) {
        o->no_acpi = true;
    } else if (!strcmp(opt, "xen-domid-restrict")) {
        o->xen_domid_restrict = true;
    } else if (!strcmp(opt, "daemonize")) {
        o->daemonize = true;
    } else if (!strcmp(opt, "help") || !strcmp(opt, "h")) {
        o->show_help = true;
    } else if (!strcmp(opt, "version")) {
        o->show_version = true;
    }
    /* -nodefaults, -no-user-config, -nographic: stubdm has no defaults,
     * no config files and no display, so they hold already. */
    return TRUE;
}

static gboolean opt_xen_domid(DmOptions *o, const char *opt, const char *arg,
                              GError **errp)
{
    uint64_t v;

    if (!dm_keyval_parse_u64(arg, &v) || v > MAX_DOMID) {
        return bad_value(errp, opt, arg,
                         "expected a domain id from 0 to 32751");
    }
    o->xen_domid = (int)v;
    return TRUE;
}

static gboolean set_accel(DmOptions *o, const char *opt, const char *arg,
                          const char *accel, GError **errp)
{
    /* QEMU takes a fallback list ("xen:tcg"); stubdm uses the first. */
    g_auto(GStrv) list = g_strsplit(accel, ":", 0);

    if (!strcmp(list[0], "xen") || !strcmp(list[0], "qtest")) {
        g_free(o->accel);
        o->accel = g_strdup(list[0]);
        return TRUE;
    }
    if (!strcmp(list[0], "tcg") || !strcmp(list[0], "kvm")) {
        return not_emulated(errp, opt, arg,
                            "CPU execution (stubdm runs no vCPUs; use xen "
                            "or qtest)");
    }
    return bad_value(errp, opt, arg, "unknown accelerator (known: xen, qtest)");
}

static gboolean opt_accel(DmOptions *o, const char *opt, const char *arg,
                          GError **errp)
{
    static const char *const known[] = { "accel", NULL };
    g_autoptr(GPtrArray) kv = parse_kv(opt, arg, "accel", errp);

    if (!kv || !check_keys(kv, known, opt, arg, errp)) {
        return FALSE;
    }
    return set_accel(o, opt, arg, dm_keyval_get(kv, "accel"), errp);
}

static gboolean opt_machine(DmOptions *o, const char *opt, const char *arg,
                            GError **errp)
{
    static const char *const known[] = {
        "type", "accel", "suppress-vmdesc", "max-ram-below-4g",
        "igd-passthru", NULL
    };
    g_autoptr(GPtrArray) kv = parse_kv(opt, arg, "type", errp);
    const char *type, *accel, *below;
    bool igd = false;

    if (!kv || !check_keys(kv, known, opt, arg, errp)) {
        return FALSE;
    }
    type = dm_keyval_get(kv, "type");
    if (type) {
        const DmMachineType *t = dm_machine_type_find(type);
        if (!t) {
            g_autofree char *names = dm_machine_type_names();
            g_autofree char *why =
                g_strdup_printf("unknown machine type '%s' (known: %s)", type,
                                names);
            return bad_value(errp, opt, arg, why);
        }
        g_free(o->machine_type);
        o->machine_type = g_strdup(t->name);
    }
    accel = dm_keyval_get(kv, "accel");
    if (accel && !set_accel(o, opt, arg, accel, errp)) {
        return FALSE;
    }
    if (!get_bool(kv, "suppress-vmdesc", &o->suppress_vmdesc, opt, arg,
                  errp) ||
        !get_bool(kv, "igd-passthru", &igd, opt, arg, errp)) {
        return FALSE;
    }
    if (igd) {
        return not_emulated(errp, opt, arg, "IGD passthrough");
    }
    below = dm_keyval_get(kv, "max-ram-below-4g");
    if (below) {
        uint64_t v;
        if (!dm_keyval_parse_size(below, 1, &v) ||
            v > (UINT64_C(1) << 32)) {
            return bad_value(errp, opt, arg,
                             "max-ram-below-4g expects a size up to 4G");
        }
        o->max_ram_below_4g = v;
    }
    return TRUE;
}

static gboolean opt_m(DmOptions *o, const char *opt, const char *arg,
                      GError **errp)
{
    static const char *const known[] = { "size", "slots", "maxmem", NULL };
    g_autoptr(GPtrArray) kv = parse_kv(opt, arg, "size", errp);
    const char *size;
    uint64_t v;

    if (!kv || !check_keys(kv, known, opt, arg, errp)) {
        return FALSE;
    }
    size = dm_keyval_get(kv, "size");
    if (!size) {
        return TRUE;
    }
    /* Bare numbers are MiB, as in QEMU. */
    if (!dm_keyval_parse_size(size, MIB, &v) || v < 2 * MIB ||
        v > (UINT64_C(1) << 40)) {
        return bad_value(errp, opt, arg,
                         "expected a RAM size from 2M to 1T (bare numbers are "
                         "MiB)");
    }
    o->ram_size = v;
    return TRUE;
}

static gboolean get_count(GPtrArray *kv, const char *key, unsigned *out,
                          const char *opt, const char *arg, GError **errp)
{
    const char *v = dm_keyval_get(kv, key);
    uint64_t n;

    if (!v) {
        return TRUE;
    }
    if (!dm_keyval_parse_u64(v, &n) || n < 1 || n > MAX_VCPUS) {
        g_autofree char *why =
            g_strdup_printf("'%s' expects a count from 1 to %d", key,
                            MAX_VCPUS);
        return bad_value(errp, opt, arg, why);
    }
    *out = (unsigned)n;
    return TRUE;
}

static gboolean opt_smp(DmOptions *o, const char *opt, const char *arg,
                        GError **errp)
{
    static const char *const known[] = {
        "cpus", "maxcpus", "sockets", "dies", "cores", "threads", NULL
    };
    g_autoptr(GPtrArray) kv = parse_kv(opt, arg, "cpus", errp);
    unsigned cpus = 1, max = 0, sockets = 1, dies = 1, cores = 1, threads = 1;

    if (!kv || !check_keys(kv, known, opt, arg, errp) ||
        !get_count(kv, "cpus", &cpus, opt, arg, errp) ||
        !get_count(kv, "maxcpus", &max, opt, arg, errp) ||
        !get_count(kv, "sockets", &sockets, opt, arg, errp) ||
        !get_count(kv, "dies", &dies, opt, arg, errp) ||
        !get_count(kv, "cores", &cores, opt, arg, errp) ||
        !get_count(kv, "threads", &threads, opt, arg, errp)) {
        return FALSE;
    }
    if (!max) {
        max = cpus;
    }
    if (max < cpus) {
        return bad_value(errp, opt, arg, "maxcpus is below cpus");
    }
    o->smp_cpus = cpus;
    o->smp_max_cpus = max;
    return TRUE;
}

static gboolean opt_name(DmOptions *o, const char *opt, const char *arg,
                         GError **errp)
{
    static const char *const known[] = {
        "guest", "process", "debug-threads", NULL
    };
    g_autoptr(GPtrArray) kv = parse_kv(opt, arg, "guest", errp);
    bool threads;

    if (!kv || !check_keys(kv, known, opt, arg, errp) ||
        !get_bool(kv, "debug-threads", &threads, opt, arg, errp)) {
        return FALSE;
    }
    if (dm_keyval_get(kv, "guest")) {
        g_free(o->name);
        o->name = g_strdup(dm_keyval_get(kv, "guest"));
    }
    return TRUE;
}

static gboolean opt_boot(DmOptions *o, const char *opt, const char *arg,
                         GError **errp)
{
    static const char *const known[] = {
        "order", "once", "menu", "splash", "splash-time", "reboot-timeout",
        "strict", NULL
    };
    g_autoptr(GPtrArray) kv = parse_kv(opt, arg, "order", errp);
    const char *keys[] = { "order", "once" };

    if (!kv || !check_keys(kv, known, opt, arg, errp)) {
        return FALSE;
    }
    for (size_t k = 0; k < G_N_ELEMENTS(keys); k++) {
        const char *v = dm_keyval_get(kv, keys[k]);
        for (const char *c = v; c && *c; c++) {
            if (*c < 'a' || *c > 'p') {
                return bad_value(errp, opt, arg,
                                 "boot devices are letters a to p");
            }
        }
    }
    /* Under Xen hvmloader and the firmware choose the boot device. */
    g_free(o->boot_order);
    o->boot_order = g_strdup(dm_keyval_get(kv, "order"));
    return TRUE;
}

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

    if (!check_keys(kv, known, opt, arg, errp)) {
        return FALSE;
    }
    c = g_new0(DmChardevConfig, 1);
    c->id = g_strdup(id);
    c->kind = DM_CHARDEV_SOCKET;
    c->fd = -1;
    c->wait = true;
    if (!get_bool(kv, "server", &c->server, opt, arg, errp) ||
        !get_bool(kv, "wait", &c->wait, opt, arg, errp) ||
        !get_bool(kv, "abstract", &abstract, opt, arg, errp)) {
        return FALSE;
    }
    if (dm_keyval_get(kv, "nowait")) {
        c->wait = false;
    }
    if (abstract || dm_keyval_get(kv, "reconnect") ||
        dm_keyval_get(kv, "logfile") || dm_keyval_get(kv, "mux")) {
        return not_emulated(errp, opt, arg,
                            "this socket option (abstract, reconnect, "
                            "logfile, mux)");
    }
    if (!!path == !!fd) {
        return bad_value(errp, opt, arg,
                         "a socket chardev needs exactly one of path= and "
                         "fd=");
    }
    if (fd) {
        uint64_t n;
        if (!dm_keyval_parse_u64(fd, &n) || n > G_MAXINT) {
            return bad_value(errp, opt, arg, "fd= expects a descriptor number");
        }
        c->fd = (int)n;
    } else {
        if (!*path || strlen(path) >= 108) {
            return bad_value(errp, opt, arg,
                             "path= must be 1 to 107 bytes (the unix socket "
                             "limit)");
        }
        c->path = g_strdup(path);
    }
    g_ptr_array_add(o->chardevs, g_steal_pointer(&c));
    return TRUE;
}

static gboolean opt_chardev(DmOptions *o, const char *opt, const char *arg,
                            GError **errp)
{
    g_autoptr(GPtrArray) kv = parse_kv(opt, arg, "backend", errp);
    const char *backend, *id;

    if (!kv) {
        return FALSE;
    }
    backend = dm_keyval_get(kv, "backend");
    id = dm_keyval_get(kv, "id");
    if (!id || !*id) {
        return bad_value(errp, opt, arg, "a chardev needs id=");
    }
    if (chardev_id_taken(o, id)) {
        g_autofree char *why = g_strdup_printf("chardev id '%s' is used twice",
                                               id);
        return bad_value(errp, opt, arg, why);
    }
    if (!backend || strcmp(backend, "socket")) {
        g_autofree char *what =
            g_strdup_printf("the '%s' chardev backend (stubdm has sockets "
                            "only)", backend ? backend : "");
        return not_emulated(errp, opt, arg, what);
    }
    return add_socket_chardev(o, opt, arg, id, kv, errp);
}

static gboolean opt_mon(DmOptions *o, const char *opt, const char *arg,
                        GError **errp)
{
    static const char *const known[] = { "chardev", "mode", "pretty", NULL };
    g_autoptr(GPtrArray) kv = parse_kv(opt, arg, "chardev", errp);
    const char *mode;
    DmMonitorConfig *m;
    bool pretty = false;

    if (!kv || !check_keys(kv, known, opt, arg, errp) ||
        !get_bool(kv, "pretty", &pretty, opt, arg, errp)) {
        return FALSE;
    }
    mode = dm_keyval_get(kv, "mode");
    if (!mode || !strcmp(mode, "readline")) {
        return not_emulated(errp, opt, arg,
                            "the human monitor (use mode=control)");
    }
    if (strcmp(mode, "control")) {
        return bad_value(errp, opt, arg, "mode= expects control");
    }
    if (!dm_keyval_get(kv, "chardev")) {
        return bad_value(errp, opt, arg, "a monitor needs chardev=");
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
        return not_emulated(errp, opt, arg,
                            "this chardev (stubdm takes unix:PATH or stdio)");
    }
    kv = parse_kv(opt, arg + 5, "path", errp);
    if (!kv) {
        return FALSE;
    }
    first = kv->len ? g_ptr_array_index(kv, 0) : NULL;
    if (!first || strcmp(first->key, "path")) {
        return bad_value(errp, opt, arg, "unix: needs a path");
    }
    return add_socket_chardev(o, opt, arg, id, kv, errp);
}

static gboolean opt_qmp(DmOptions *o, const char *opt, const char *arg,
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

static gboolean opt_qtest(DmOptions *o, const char *opt, const char *arg,
                          GError **errp)
{
    if (o->qtest_chardev) {
        return bad_value(errp, opt, arg, "only one -qtest is allowed");
    }
    if (!add_legacy_chardev(o, opt, arg, "qtest", errp)) {
        return FALSE;
    }
    o->qtest_chardev = g_strdup("qtest");
    return TRUE;
}

static gboolean set_string(char **field, const char *opt, const char *arg,
                           GError **errp)
{
    if (!*arg) {
        return bad_value(errp, opt, "''", "expected a non-empty value");
    }
    g_free(*field);
    *field = g_strdup(arg);
    return TRUE;
}

static gboolean opt_string(DmOptions *o, const char *opt, const char *arg,
                           GError **errp)
{
    if (!strcmp(opt, "qtest-log")) {
        return set_string(&o->qtest_log, opt, arg, errp);
    } else if (!strcmp(opt, "runas")) {
        return set_string(&o->runas, opt, arg, errp);
    } else if (!strcmp(opt, "chroot")) {
        return set_string(&o->chroot_dir, opt, arg, errp);
    } else if (!strcmp(opt, "pidfile")) {
        return set_string(&o->pidfile, opt, arg, errp);
    }
    /* -k: a keymap only matters to a display, and stubdm has none. */
    return TRUE;
}

static gboolean opt_incoming(DmOptions *o, const char *opt, const char *arg,
                             GError **errp)
{
    if (!strcmp(arg, "defer")) {
        /* migrate-incoming names the source later. */
    } else if (g_str_has_prefix(arg, "fd:")) {
        uint64_t fd;
        if (!dm_keyval_parse_u64(arg + 3, &fd) || fd > G_MAXINT) {
            return bad_value(errp, opt, arg, "fd: expects a descriptor number");
        }
    } else if (g_str_has_prefix(arg, "unix:") ||
               g_str_has_prefix(arg, "exec:") ||
               g_str_has_prefix(arg, "file:")) {
        if (!arg[5]) {
            return bad_value(errp, opt, arg, "the URI needs a path or command");
        }
    } else {
        return bad_value(errp, opt, arg,
                         "expected defer, fd:N, unix:PATH, file:PATH or "
                         "exec:COMMAND");
    }
    return set_string(&o->incoming, opt, arg, errp);
}

/* "none" is the only value stubdm can honour for these. */
static gboolean opt_none_only(DmOptions *o, const char *opt, const char *arg,
                              GError **errp)
{
    static const struct {
        const char *opt;
        const char *what;
    } what[] = {
        { "vnc", "a VNC display" },
        { "display", "a display" },
        { "serial", "a serial port" },
        { "parallel", "a parallel port" },
        { "monitor", "the human monitor" },
        { "net", "a network card" },
        { "vga", "a VGA card" },
    };

    if (!strcmp(arg, "none")) {
        return TRUE;
    }
    for (size_t i = 0; i < G_N_ELEMENTS(what); i++) {
        if (!strcmp(what[i].opt, opt)) {
            return not_emulated(errp, opt, arg, what[i].what);
        }
    }
    g_assert_not_reached();
}

static gboolean opt_device(DmOptions *o, const char *opt, const char *arg,
                           GError **errp)
{
    g_autofree char *driver = g_strndup(arg, strcspn(arg, ","));
    g_autofree char *what = g_strdup_printf("device '%s'", driver);

    return not_emulated(errp, opt, arg, what);
}

static gboolean opt_drive(DmOptions *o, const char *opt, const char *arg,
                          GError **errp)
{
    g_autoptr(GPtrArray) kv = parse_kv(opt, arg, "file", errp);
    const char *iface;
    g_autofree char *what = NULL;

    if (!kv) {
        return FALSE;
    }
    iface = dm_keyval_get(kv, "if");
    what = g_strdup_printf("a disk on interface '%s'", iface ? iface : "ide");
    return not_emulated(errp, opt, arg, what);
}

static gboolean opt_refuse(DmOptions *o, const char *opt, const char *arg,
                           GError **errp)
{
    static const struct {
        const char *opt;
        const char *what;
    } what[] = {
        { "usb", "USB" },
        { "usbdevice", "USB" },
        { "soundhw", "audio" },
        { "audiodev", "audio" },
        { "audio", "audio" },
        { "spice", "SPICE" },
        { "sdl", "an SDL display" },
        { "netdev", "networking" },
        { "nic", "a network card" },
        { "cdrom", "a CD-ROM drive" },
        { "hda", "an IDE disk" },
        { "hdb", "an IDE disk" },
        { "hdc", "an IDE disk" },
        { "hdd", "an IDE disk" },
        { "fda", "a floppy drive" },
        { "fdb", "a floppy drive" },
        { "xen-attach", "attaching to a PV domain" },
        { "gdb", "a gdb stub" },
        { "s", "a gdb stub" },
        { "sandbox", "seccomp sandboxing" },
        { "object", "a user-created object" },
    };

    for (size_t i = 0; i < G_N_ELEMENTS(what); i++) {
        if (!strcmp(what[i].opt, opt)) {
            return not_emulated(errp, opt, arg ? arg : "", what[i].what);
        }
    }
    g_assert_not_reached();
}

static const OptDef option_table[] = {
    { "xen-domid", "N", opt_xen_domid, "serve Xen domain N" },
    { "machine", "TYPE[,KEY=VALUE...]", opt_machine,
      "machine type; keys: accel, suppress-vmdesc, max-ram-below-4g" },
    { "M", "TYPE[,KEY=VALUE...]", opt_machine, "same as -machine" },
    { "accel", "xen|qtest", opt_accel, "what drives the devices" },
    { "m", "SIZE", opt_m, "guest RAM size (MiB unless suffixed)" },
    { "smp", "N[,maxcpus=M]", opt_smp, "number of vCPUs" },
    { "name", "NAME", opt_name, "guest name" },
    { "S", NULL, opt_flag, "do not start the VM (wait for 'cont')" },
    { "no-shutdown", NULL, opt_flag,
      "stay alive after a guest poweroff (status \"shutdown\")" },
    { "nodefaults", NULL, opt_flag, "accepted; stubdm has no default devices" },
    { "no-user-config", NULL, opt_flag, "accepted; stubdm reads no config" },
    { "nographic", NULL, opt_flag, "accepted; stubdm has no display" },
    { "no-acpi", NULL, opt_flag, "no ACPI power management device" },
    { "display", "none", opt_none_only, "no display (the only choice)" },
    { "vnc", "none", opt_none_only, "no VNC (the only choice)" },
    { "serial", "none", opt_none_only, "no serial port (the only choice)" },
    { "parallel", "none", opt_none_only, "no parallel port (the only choice)" },
    { "monitor", "none", opt_none_only, "no human monitor (the only choice)" },
    { "net", "none", opt_none_only, "no network card (the only choice)" },
    { "vga", "none", opt_none_only, "no VGA card (the only choice)" },
    { "k", "LANG", opt_string, "accepted; keymaps need a display" },
    { "boot", "[order=]DRIVES[,...]", opt_boot,
      "boot order (the firmware decides under Xen)" },
    { "chardev", "socket,id=ID,path=PATH|fd=N[,server=on|off][,wait=on|off]",
      opt_chardev, "a unix socket character device" },
    { "mon", "chardev=ID,mode=control[,pretty=on]", opt_mon,
      "a QMP monitor on a chardev" },
    { "qmp", "unix:PATH[,server=on,wait=off]", opt_qmp,
      "a QMP monitor on a unix socket" },
    { "qtest", "unix:PATH|stdio", opt_qtest,
      "serve the qtest protocol (connects to PATH)" },
    { "qtest-log", "FILE", opt_string, "log qtest traffic to FILE" },
    { "incoming", "defer|fd:N|unix:PATH|file:PATH|exec:CMD", opt_incoming,
      "load the machine state from a migration stream" },
    { "runas", "USER|UID:GID", opt_string, "drop to this user after start" },
    { "chroot", "DIR", opt_string, "chroot to DIR after start" },
    { "xen-domid-restrict", NULL, opt_flag,
      "restrict the Xen handles to the guest domain after start" },
    { "daemonize", NULL, opt_flag, "detach once ready" },
    { "pidfile", "FILE", opt_string, "write and lock a pid file" },
    { "version", NULL, opt_flag, "print the version and exit" },
    { "help", NULL, opt_flag, "print this help and exit" },
    { "h", NULL, opt_flag, NULL },
    { "device", "DRIVER[,...]", opt_device, NULL },
    { "drive", "OPTIONS", opt_drive, NULL },
    { "usb", NULL, opt_refuse, NULL },
    { "usbdevice", "DEV", opt_refuse, NULL },
    { "soundhw", "CARD", opt_refuse, NULL },
    { "audiodev", "OPTIONS", opt_refuse, NULL },
    { "audio", "OPTIONS", opt_refuse, NULL },
    { "spice", "OPTIONS", opt_refuse, NULL },
    { "sdl", NULL, opt_refuse, NULL },
    { "netdev", "OPTIONS", opt_refuse, NULL },
    { "nic", "OPTIONS", opt_refuse, NULL },
    { "cdrom", "FILE", opt_refuse, NULL },
    { "hda", "FILE", opt_refuse, NULL },
    { "hdb", "FILE", opt_refuse, NULL },
    { "hdc", "FILE", opt_refuse, NULL },
    { "hdd", "FILE", opt_refuse, NULL },
    { "fda", "FILE", opt_refuse, NULL },
    { "fdb", "FILE", opt_refuse, NULL },
    { "xen-attach", NULL, opt_refuse, NULL },
    { "gdb", "DEV", opt_refuse, NULL },
    { "s", NULL, opt_refuse, NULL },
    { "sandbox", "OPTIONS", opt_refuse, NULL },
    { "object", "OPTIONS", opt_refuse, NULL },
};

static const OptDef *find_option(const char *name)
{
    for (size_t i = 0; i < G_N_ELEMENTS(option_table); i++) {
        if (!strcmp(option_table[i].name, name)) {
            return &option_table[i];
        }
    }
    return NULL;
}

static gboolean check_references(DmOptions *o, GError **errp)
{
    for (guint i = 0; i < o->monitors->len; i++) {
        DmMonitorConfig *m = g_ptr_array_index(o->monitors, i);
        if (!dm_options_find_chardev(o, m->chardev)) {
            g_set_error(errp, DM_ERROR, DM_ERROR_INVALID,
                        "-mon chardev=%s: no -chardev with id '%s'",
                        m->chardev, m->chardev);
            return FALSE;
        }
        for (guint j = 0; j < i; j++) {
            DmMonitorConfig *other = g_ptr_array_index(o->monitors, j);
            if (!strcmp(other->chardev, m->chardev)) {
                g_set_error(errp, DM_ERROR, DM_ERROR_INVALID,
                            "-mon chardev=%s: chardev '%s' already has a "
                            "monitor", m->chardev, m->chardev);
                return FALSE;
            }
        }
    }
    if (o->xen_domid < 0 && g_strcmp0(o->accel, "qtest") &&
        !o->qtest_chardev && !o->show_help && !o->show_version) {
        g_set_error(errp, DM_ERROR, DM_ERROR_INVALID,
                    "nothing to serve: give -xen-domid N (a Xen guest) or "
                    "-qtest (the test protocol)");
        return FALSE;
    }
    return TRUE;
}

gboolean dm_options_parse(DmOptions *o, int argc, char **argv, GError **errp)
{
    for (int i = 1; i < argc; i++) {
        const char *name = argv[i];
        const char *arg = NULL;
        const OptDef *def;

        if (name[0] != '-' || name[1] == '\0') {
            g_set_error(errp, DM_ERROR, DM_ERROR_INVALID,
                        "%s: stray argument (stubdm takes no disk image)",
                        name);
            return FALSE;
        }
        /* QEMU takes -opt and --opt alike. */
        name += name[1] == '-' ? 2 : 1;
        def = find_option(name);
        if (!def) {
            g_set_error(errp, DM_ERROR, DM_ERROR_INVALID,
                        "-%s: invalid option (see --help)", name);
            return FALSE;
        }
        if (def->arg) {
            if (i + 1 >= argc) {
                g_set_error(errp, DM_ERROR, DM_ERROR_INVALID,
                            "-%s: requires an argument (%s)", name, def->arg);
                return FALSE;
            }
            arg = argv[++i];
        }
        if (!def->fn(o, name, arg, errp)) {
            return FALSE;
        }
    }
    if (!o->machine_type) {
        o->machine_type = g_strdup(dm_machine_type_find("pc")->name);
    }
    if (!o->accel) {
        o->accel = g_strdup(o->qtest_chardev ? "qtest" : "xen");
    }
    return check_references(o, errp);
}

char *dm_options_help(void)
{
    GString *s = g_string_new(NULL);
    g_autofree char *names = dm_machine_type_names();

    g_string_append(s,
        "usage: stubdm -xen-domid N [options]\n"
        "       stubdm -qtest unix:PATH [options]\n"
        "\n"
        "A device model for Xen HVM guests: the PC platform devices of\n"
        "qemu-xen, started by libxl with the same arguments.\n"
        "\n");
    for (size_t i = 0; i < G_N_ELEMENTS(option_table); i++) {
        const OptDef *d = &option_table[i];
        g_autofree char *lhs = NULL;
        if (!d->help) {
            continue;
        }
        lhs = g_strdup_printf("-%s%s%s", d->name, d->arg ? " " : "",
                              d->arg ? d->arg : "");
        if (strlen(lhs) > 28) {
            g_string_append_printf(s, "  %s\n  %-28s  %s\n", lhs, "", d->help);
        } else {
            g_string_append_printf(s, "  %-28s  %s\n", lhs, d->help);
        }
    }
    g_string_append_printf(s,
        "\nMachine types: %s.\n"
        "Options for hardware stubdm does not emulate (-device, -drive, USB,\n"
        "audio, a VNC display, ...) are refused before anything starts.\n",
        names);
    return g_string_free(s, FALSE);
}
