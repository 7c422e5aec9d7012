/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Command-line parsing. The accepted set is what libxl emits for an HVM
 * guest (plus what QEMU's qtest harness adds); hardware stubdm does not
 * emulate is refused by name before anything starts.
 */
#include "dm/options.h"
#include "dm/options-int.h"
#include "dm/dm-error.h"
#include "dm/keyval.h"
#include "dm/machine-types.h"

#include <stdlib.h>
#include <string.h>

#define DEFAULT_RAM_SIZE (128 * MIB)
/* Domain ids from DOMID_FIRST_RESERVED (0x7ff0) up are special. */
#define MAX_DOMID 0x7fef

typedef struct {
    const char *name;
    const char *arg;          /* NULL: the option takes no argument */
    OptFn *fn;
    const char *help;
} OptDef;

void dm_chardev_config_free(gpointer p)
{
    DmChardevConfig *c = p;

    g_free(c->id);
    g_free(c->path);
    g_free(c);
}

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
    o->chardevs = g_ptr_array_new_with_free_func(dm_chardev_config_free);
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
    g_free(o->bios);
    for (unsigned i = 0; i < DM_PFLASH_UNITS; i++) {
        g_free(o->pflash[i].file);
    }
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

gboolean dm_opt_bad_value(GError **errp, const char *opt, const char *arg,
                          const char *why)
{
    g_set_error(errp, DM_ERROR, DM_ERROR_INVALID, "-%s %s: %s", opt, arg,
                why);
    return FALSE;
}

gboolean dm_opt_not_emulated(GError **errp, const char *opt, const char *arg,
                             const char *what)
{
    g_set_error(errp, DM_ERROR, DM_ERROR_NOT_EMULATED,
                "-%s%s%s: %s is not emulated by stubdm", opt,
                arg && *arg ? " " : "", arg ? arg : "", what);
    return FALSE;
}

GPtrArray *dm_opt_parse_kv(const char *opt, const char *arg,
                           const char *implied, GError **errp)
{
    GError *err = NULL;
    GPtrArray *kv = dm_keyval_parse(arg, implied, &err);

    if (!kv) {
        dm_opt_bad_value(errp, opt, arg, err->message);
        g_error_free(err);
    }
    return kv;
}

/* Fails on any key not in the NULL-terminated list. */
gboolean dm_opt_check_keys(GPtrArray *kv, const char *const *known,
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
            return dm_opt_bad_value(errp, opt, arg, why);
        }
    }
    return TRUE;
}

gboolean dm_opt_get_bool(GPtrArray *kv, const char *key, bool *out,
                         const char *opt, const char *arg, GError **errp)
{
    const char *v = dm_keyval_get(kv, key);

    if (v && !dm_keyval_parse_bool(v, out)) {
        g_autofree char *why =
            g_strdup_printf("parameter '%s' expects on or off, not '%s'", key,
                            v);
        return dm_opt_bad_value(errp, opt, arg, why);
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
        return dm_opt_bad_value(errp, opt, arg,
                         "expected a domain id from 0 to 32751");
    }
    o->xen_domid = (int)v;
    return TRUE;
}

gboolean dm_opt_set_string(char **field, const char *opt, const char *arg,
                           GError **errp)
{
    if (!*arg) {
        return dm_opt_bad_value(errp, opt, "''", "expected a non-empty value");
    }
    g_free(*field);
    *field = g_strdup(arg);
    return TRUE;
}

static gboolean opt_string(DmOptions *o, const char *opt, const char *arg,
                           GError **errp)
{
    if (!strcmp(opt, "qtest-log")) {
        return dm_opt_set_string(&o->qtest_log, opt, arg, errp);
    } else if (!strcmp(opt, "runas")) {
        return dm_opt_set_string(&o->runas, opt, arg, errp);
    } else if (!strcmp(opt, "chroot")) {
        return dm_opt_set_string(&o->chroot_dir, opt, arg, errp);
    } else if (!strcmp(opt, "pidfile")) {
        return dm_opt_set_string(&o->pidfile, opt, arg, errp);
    }
    /* -k: a keymap only matters to a display, and stubdm has none. */
    return TRUE;
}

static gboolean opt_xenstore(DmOptions *o, const char *opt, const char *arg,
                             GError **errp)
{
    bool on;

    if (!dm_keyval_parse_bool(arg, &on)) {
        return dm_opt_bad_value(errp, opt, arg, "expected on or off");
    }
    o->no_xenstore = !on;
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
            return dm_opt_bad_value(errp, opt, arg,
                                    "fd: expects a descriptor number");
        }
    } else if (g_str_has_prefix(arg, "unix:") ||
               g_str_has_prefix(arg, "exec:") ||
               g_str_has_prefix(arg, "file:")) {
        if (!arg[5]) {
            return dm_opt_bad_value(errp, opt, arg,
                                    "the URI needs a path or command");
        }
    } else {
        return dm_opt_bad_value(errp, opt, arg,
                         "expected defer, fd:N, unix:PATH, file:PATH or "
                         "exec:COMMAND");
    }
    return dm_opt_set_string(&o->incoming, opt, arg, errp);
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
            return dm_opt_not_emulated(errp, opt, arg, what[i].what);
        }
    }
    g_assert_not_reached();
}

static gboolean opt_device(DmOptions *o, const char *opt, const char *arg,
                           GError **errp)
{
    g_autofree char *driver = g_strndup(arg, strcspn(arg, ","));
    g_autofree char *what = g_strdup_printf("device '%s'", driver);

    return dm_opt_not_emulated(errp, opt, arg, what);
}

/* A flash unit: -pflash takes the next free one, as QEMU's does. */
static gboolean pflash_add(DmOptions *o, const char *opt, const char *arg,
                           int unit, const char *file, bool readonly,
                           GError **errp)
{
    if (unit < 0) {
        for (unit = 0; unit < DM_PFLASH_UNITS && o->pflash[unit].file;
             unit++) {
        }
    }
    if (unit >= DM_PFLASH_UNITS) {
        return dm_opt_bad_value(errp, opt, arg, "the pc machine has flash "
                                "units 0 and 1 only");
    }
    if (o->pflash[unit].file) {
        g_autofree char *why = g_strdup_printf("flash unit %d is already "
                                               "given", unit);
        return dm_opt_bad_value(errp, opt, arg, why);
    }
    o->pflash[unit].file = g_strdup(file);
    o->pflash[unit].readonly = readonly;
    return TRUE;
}

static gboolean opt_pflash(DmOptions *o, const char *opt, const char *arg,
                           GError **errp)
{
    return pflash_add(o, opt, arg, -1, arg, false, errp);
}

static gboolean opt_drive(DmOptions *o, const char *opt, const char *arg,
                          GError **errp)
{
    static const char *const known[] = {
        "if", "file", "format", "readonly", "unit", "index", NULL
    };
    g_autoptr(GPtrArray) kv = dm_opt_parse_kv(opt, arg, "file", errp);
    const char *iface, *file, *format, *unit;
    g_autofree char *what = NULL;
    bool readonly = false;
    int n = -1;

    if (!kv) {
        return FALSE;
    }
    iface = dm_keyval_get(kv, "if");
    if (g_strcmp0(iface, "pflash")) {
        what = g_strdup_printf("a disk on interface '%s'",
                               iface ? iface : "ide");
        return dm_opt_not_emulated(errp, opt, arg, what);
    }
    if (!dm_opt_check_keys(kv, known, opt, arg, errp) ||
        !dm_opt_get_bool(kv, "readonly", &readonly, opt, arg, errp)) {
        return FALSE;
    }
    file = dm_keyval_get(kv, "file");
    format = dm_keyval_get(kv, "format");
    unit = dm_keyval_get(kv, "unit");
    if (!unit) {
        unit = dm_keyval_get(kv, "index");
    }
    if (!file || !*file) {
        return dm_opt_bad_value(errp, opt, arg, "a flash drive needs file=");
    }
    if (format && strcmp(format, "raw")) {
        return dm_opt_bad_value(errp, opt, arg, "only format=raw flash "
                                "images are supported");
    }
    if (unit) {
        char *end;
        long v = strtol(unit, &end, 10);
        if (*end || end == unit || v < 0 || v >= DM_PFLASH_UNITS) {
            return dm_opt_bad_value(errp, opt, arg, "unit must be 0 or 1");
        }
        n = v;
    }
    return pflash_add(o, opt, arg, n, file, readonly, errp);
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
            return dm_opt_not_emulated(errp, opt, arg ? arg : "", what[i].what);
        }
    }
    g_assert_not_reached();
}

static const OptDef option_table[] = {
    { "xen-domid", "N", opt_xen_domid, "serve Xen domain N" },
    { "machine", "TYPE[,KEY=VALUE...]", dm_opt_machine,
      "machine type; keys: accel, suppress-vmdesc, max-ram-below-4g, "
      "unemulated=refuse|skip" },
    { "M", "TYPE[,KEY=VALUE...]", dm_opt_machine, "same as -machine" },
    { "accel", "xen|qtest", dm_opt_accel, "what drives the devices" },
    { "m", "SIZE", dm_opt_m, "guest RAM size (MiB unless suffixed)" },
    { "bios", "FILE", dm_opt_bios,
      "firmware image (qtest; default seabios' bios-256k.bin, bios.bin "
      "for pc-i440fx-1.7 and older)" },
    { "smp", "N[,maxcpus=M]", dm_opt_smp, "number of vCPUs" },
    { "name", "NAME", dm_opt_name, "guest name" },
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
    { "boot", "[order=]DRIVES[,...]", dm_opt_boot,
      "boot order (the firmware decides under Xen)" },
    { "rtc", "base=utc|localtime|DATE[,clock=host|vm][,driftfix=none]",
      dm_opt_rtc, "RTC start (DATE: 2006-06-17[T16:01:21]) and clock" },
    { "chardev", "socket,id=ID,path=PATH|fd=N[,server=on|off][,wait=on|off]",
      dm_opt_chardev, "a unix socket character device" },
    { "mon", "chardev=ID,mode=control[,pretty=on]", dm_opt_mon,
      "a QMP monitor on a chardev" },
    { "qmp", "unix:PATH[,server=on,wait=off]", dm_opt_qmp,
      "a QMP monitor on a unix socket" },
    { "qtest", "unix:PATH|stdio", dm_opt_qtest,
      "serve the qtest protocol (connects to PATH)" },
    { "qtest-log", "FILE", opt_string, "log qtest traffic to FILE" },
    { "incoming", "defer|fd:N|unix:PATH|file:PATH|exec:CMD", opt_incoming,
      "load the machine state from a migration stream" },
    { "runas", "USER|UID:GID", opt_string, "drop to this user after start" },
    { "chroot", "DIR", opt_string, "chroot to DIR after start" },
    { "xen-domid-restrict", NULL, opt_flag,
      "restrict the Xen handles to the guest domain after start "
      "(the default by hand)" },
    { "xenstore", "on|off", opt_xenstore,
      "write device-model/<domid>/state (on for a Xen guest)" },
    { "daemonize", NULL, opt_flag, "detach once ready" },
    { "pidfile", "FILE", opt_string, "write and lock a pid file" },
    { "version", NULL, opt_flag, "print the version and exit" },
    { "help", NULL, opt_flag, "print this help and exit" },
    { "h", NULL, opt_flag, NULL },
    { "device", "DRIVER[,...]", opt_device, NULL },
    { "drive", "OPTIONS", opt_drive,
      "if=pflash,format=raw,file=PATH[,readonly=on],unit=0|1: UEFI flash" },
    { "pflash", "FILE", opt_pflash, "the next UEFI flash unit (writable)" },
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
    /* Its layouts would misread an upstream stream of any other type. */
    if (o->qemu_kvm_migration && strcmp(o->machine_type, "pc-1.0")) {
        g_set_error(errp, DM_ERROR, DM_ERROR_INVALID,
                    "-machine: qemu-kvm-migration=on is for streams of "
                    "qemu-kvm 1.0 and needs machine type pc-1.0, not %s",
                    o->machine_type);
        return FALSE;
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
        "Started by hand (no XEN_DOMAIN_ID in the environment, which libxl\n"
        "sets), stubdm -xen-domid N restricts itself by default: its Xen\n"
        "handles serve domain N only, as with -xen-domid-restrict.\n"
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
