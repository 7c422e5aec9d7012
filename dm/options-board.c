/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Options that describe the machine: type, accelerator, RAM, vCPUs, RTC. */
#include "dm/dm-error.h"
#include "dm/keyval.h"
#include "dm/machine-types.h"
#include "dm/options-int.h"

#include <string.h>
#include <time.h>

static gboolean set_accel(DmOptions *o, const char *opt, const char *arg,
                          const char *accel, GError **errp)
{
    /* QEMU takes a fallback list ("xen:tcg"); stubdm uses the first. */
    g_auto(GStrv) list = NULL;

    /* "-accel ''" and "accel=" name nothing; g_strsplit gives no list[0]. */
    if (!accel || !*accel) {
        return dm_opt_bad_value(errp, opt, arg,
                         "expected an accelerator (known: xen, qtest)");
    }
    list = g_strsplit(accel, ":", 0);

    if (!strcmp(list[0], "xen") || !strcmp(list[0], "qtest")) {
        g_free(o->accel);
        o->accel = g_strdup(list[0]);
        return TRUE;
    }
    if (!strcmp(list[0], "tcg") || !strcmp(list[0], "kvm")) {
        return dm_opt_not_emulated(errp, opt, arg,
                            "CPU execution (stubdm runs no vCPUs; use xen "
                            "or qtest)");
    }
    return dm_opt_bad_value(errp, opt, arg, "unknown accelerator (known: xen, qtest)");
}

gboolean dm_opt_accel(DmOptions *o, const char *opt, const char *arg,
                          GError **errp)
{
    static const char *const known[] = { "accel", NULL };
    g_autoptr(GPtrArray) kv = dm_opt_parse_kv(opt, arg, "accel", errp);

    if (!kv || !dm_opt_check_keys(kv, known, opt, arg, errp)) {
        return FALSE;
    }
    return set_accel(o, opt, arg, dm_keyval_get(kv, "accel"), errp);
}

gboolean dm_opt_machine(DmOptions *o, const char *opt, const char *arg,
                            GError **errp)
{
    static const char *const known[] = {
        "type", "accel", "suppress-vmdesc", "max-ram-below-4g",
        "igd-passthru", "unemulated", "qemu-kvm-migration", NULL
    };
    g_autoptr(GPtrArray) kv = dm_opt_parse_kv(opt, arg, "type", errp);
    const char *type, *accel, *below, *unemulated;
    bool igd = false;

    if (!kv || !dm_opt_check_keys(kv, known, opt, arg, errp)) {
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
            return dm_opt_bad_value(errp, opt, arg, why);
        }
        g_free(o->machine_type);
        o->machine_type = g_strdup(t->name);
    }
    accel = dm_keyval_get(kv, "accel");
    if (accel && !set_accel(o, opt, arg, accel, errp)) {
        return FALSE;
    }
    if (!dm_opt_get_bool(kv, "suppress-vmdesc", &o->suppress_vmdesc, opt, arg,
                  errp) ||
        !dm_opt_get_bool(kv, "igd-passthru", &igd, opt, arg, errp) ||
        !dm_opt_get_bool(kv, "qemu-kvm-migration", &o->qemu_kvm_migration,
                         opt, arg, errp)) {
        return FALSE;
    }
    if (dm_keyval_get(kv, "suppress-vmdesc")) {
        o->suppress_vmdesc_set = true;
    }
    if (igd) {
        return dm_opt_not_emulated(errp, opt, arg, "IGD passthrough");
    }
    below = dm_keyval_get(kv, "max-ram-below-4g");
    if (below) {
        uint64_t v;
        if (!dm_keyval_parse_size(below, 1, &v) ||
            v > (UINT64_C(1) << 32)) {
            return dm_opt_bad_value(errp, opt, arg,
                             "max-ram-below-4g expects a size up to 4G");
        }
        o->max_ram_below_4g = v;
    }
    /* stubdm's own: what a loaded stream's sections of devices it lacks do */
    unemulated = dm_keyval_get(kv, "unemulated");
    if (unemulated && strcmp(unemulated, "refuse") &&
        strcmp(unemulated, "skip")) {
        return dm_opt_bad_value(errp, opt, arg,
                         "unemulated expects refuse or skip");
    }
    if (unemulated) {
        o->unemulated_skip = !strcmp(unemulated, "skip");
    }
    return TRUE;
}

gboolean dm_opt_m(DmOptions *o, const char *opt, const char *arg,
                      GError **errp)
{
    static const char *const known[] = { "size", "slots", "maxmem", NULL };
    g_autoptr(GPtrArray) kv = dm_opt_parse_kv(opt, arg, "size", errp);
    const char *size;
    uint64_t v;

    if (!kv || !dm_opt_check_keys(kv, known, opt, arg, errp)) {
        return FALSE;
    }
    size = dm_keyval_get(kv, "size");
    if (!size) {
        return TRUE;
    }
    /* Bare numbers are MiB, as in QEMU. */
    if (!dm_keyval_parse_size(size, MIB, &v) || v < 2 * MIB ||
        v > (UINT64_C(1) << 40)) {
        return dm_opt_bad_value(errp, opt, arg,
                         "expected a RAM size from 2M to 1T (bare numbers are "
                         "MiB)");
    }
    o->ram_size = v;
    return TRUE;
}

/* A name is looked up in pc-bios/'s directories, a path taken as is. */
gboolean dm_opt_bios(DmOptions *o, const char *opt, const char *arg,
                     GError **errp)
{
    if (!arg[0]) {
        return dm_opt_bad_value(errp, opt, arg, "expected a file name");
    }
    g_free(o->bios);
    o->bios = g_strdup(arg);
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
        return dm_opt_bad_value(errp, opt, arg, why);
    }
    *out = (unsigned)n;
    return TRUE;
}

gboolean dm_opt_smp(DmOptions *o, const char *opt, const char *arg,
                        GError **errp)
{
    static const char *const known[] = {
        "cpus", "maxcpus", "sockets", "dies", "cores", "threads", NULL
    };
    g_autoptr(GPtrArray) kv = dm_opt_parse_kv(opt, arg, "cpus", errp);
    unsigned cpus = 1, max = 0, sockets = 1, dies = 1, cores = 1, threads = 1;

    if (!kv || !dm_opt_check_keys(kv, known, opt, arg, errp) ||
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
        return dm_opt_bad_value(errp, opt, arg, "maxcpus is below cpus");
    }
    o->smp_cpus = cpus;
    o->smp_max_cpus = max;
    return TRUE;
}

gboolean dm_opt_name(DmOptions *o, const char *opt, const char *arg,
                         GError **errp)
{
    static const char *const known[] = {
        "guest", "process", "debug-threads", NULL
    };
    g_autoptr(GPtrArray) kv = dm_opt_parse_kv(opt, arg, "guest", errp);
    bool threads;

    if (!kv || !dm_opt_check_keys(kv, known, opt, arg, errp) ||
        !dm_opt_get_bool(kv, "debug-threads", &threads, opt, arg, errp)) {
        return FALSE;
    }
    if (dm_keyval_get(kv, "guest")) {
        g_free(o->name);
        o->name = g_strdup(dm_keyval_get(kv, "guest"));
    }
    return TRUE;
}

gboolean dm_opt_boot(DmOptions *o, const char *opt, const char *arg,
                         GError **errp)
{
    static const char *const known[] = {
        "order", "once", "menu", "splash", "splash-time", "reboot-timeout",
        "strict", NULL
    };
    g_autoptr(GPtrArray) kv = dm_opt_parse_kv(opt, arg, "order", errp);
    const char *keys[] = { "order", "once" };

    if (!kv || !dm_opt_check_keys(kv, known, opt, arg, errp)) {
        return FALSE;
    }
    for (size_t k = 0; k < G_N_ELEMENTS(keys); k++) {
        const char *v = dm_keyval_get(kv, keys[k]);
        for (const char *c = v; c && *c; c++) {
            if (*c < 'a' || *c > 'p') {
                return dm_opt_bad_value(errp, opt, arg,
                                 "boot devices are letters a to p");
            }
        }
    }
    /* Under Xen hvmloader and the firmware choose the boot device. */
    g_free(o->boot_order);
    o->boot_order = g_strdup(dm_keyval_get(kv, "order"));
    return TRUE;
}

/* Reads n decimal digits followed by sep ('\0': the end of the string). */
static bool read_digits(const char **p, int n, char sep, int *out)
{
    int v = 0;

    for (int i = 0; i < n; i++) {
        if (!g_ascii_isdigit((*p)[i])) {
            return false;
        }
        v = v * 10 + ((*p)[i] - '0');
    }
    if ((*p)[n] != sep) {
        return false;
    }
    *p += sep ? n + 1 : n;
    *out = v;
    return true;
}

/* QEMU's two formats, "2006-06-17T16:01:21" and "2006-06-17", as UTC. */
static bool parse_rtc_date(const char *s, int64_t *out)
{
    int y, mo, d, h = 0, mi = 0, sec = 0;
    g_autoptr(GDateTime) dt = NULL;

    if (!read_digits(&s, 4, '-', &y) || !read_digits(&s, 2, '-', &mo)) {
        return false;
    }
    if (!read_digits(&s, 2, '\0', &d) &&
        (!read_digits(&s, 2, 'T', &d) || !read_digits(&s, 2, ':', &h) ||
         !read_digits(&s, 2, ':', &mi) || !read_digits(&s, 2, '\0', &sec))) {
        return false;
    }
    /* g_date_time_new_utc checks the day against the month and leap years. */
    if (h > 23 || mi > 59 || sec > 59) {
        return false;
    }
    dt = g_date_time_new_utc(y, mo, d, h, mi, sec);
    if (!dt) {
        return false;
    }
    *out = g_date_time_to_unix(dt);
    return true;
}

gboolean dm_opt_rtc(DmOptions *o, const char *opt, const char *arg,
                        GError **errp)
{
    static const char *const known[] = {
        "base", "clock", "driftfix", NULL
    };
    /* As in QEMU, every parameter is named: "-rtc utc" is an error. */
    g_autoptr(GPtrArray) kv = dm_opt_parse_kv(opt, arg, NULL, errp);
    const char *base, *clock, *driftfix;

    if (!kv || !dm_opt_check_keys(kv, known, opt, arg, errp)) {
        return FALSE;
    }
    base = dm_keyval_get(kv, "base");
    clock = dm_keyval_get(kv, "clock");
    driftfix = dm_keyval_get(kv, "driftfix");
    if (!base) {
        /* nothing to change */
    } else if (!strcmp(base, "utc")) {
        o->rtc_base = DM_RTC_BASE_UTC;
    } else if (!strcmp(base, "localtime")) {
        o->rtc_base = DM_RTC_BASE_LOCALTIME;
    } else if (parse_rtc_date(base, &o->rtc_base_date)) {
        o->rtc_base = DM_RTC_BASE_DATE;
    } else {
        g_autofree char *why =
            g_strdup_printf("base '%s' is not utc, localtime or a date "
                            "('2006-06-17T16:01:21' or '2006-06-17')", base);
        return dm_opt_bad_value(errp, opt, arg, why);
    }
    if (clock && strcmp(clock, "host") && strcmp(clock, "vm")) {
        g_autofree char *why =
            g_strdup_printf("clock '%s' is not host or vm", clock);
        return dm_opt_bad_value(errp, opt, arg, why);
    }
    if (clock) {
        o->rtc_clock_vm = !strcmp(clock, "vm");
    }
    if (driftfix && !strcmp(driftfix, "slew")) {
        return dm_opt_not_emulated(errp, opt, arg,
                            "reinjecting lost RTC ticks (driftfix=slew)");
    }
    if (driftfix && strcmp(driftfix, "none")) {
        g_autofree char *why =
            g_strdup_printf("driftfix '%s' is not none or slew", driftfix);
        return dm_opt_bad_value(errp, opt, arg, why);
    }
    return TRUE;
}
