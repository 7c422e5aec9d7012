/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The command line (dm/options.h). The input is argv without argv[0],
 * one argument per line (or NUL-separated). Whatever it says, the parser
 * either refuses with a message or leaves options main() can trust.
 */
#include "fuzz.h"

#include "dm/machine-types.h"

#include <stdlib.h>
#include <string.h>

#define MAX_ARGS 64

static void check_options(DmOptions *o)
{
    if (!o->machine_type || !dm_machine_type_find(o->machine_type) ||
        !o->accel || (strcmp(o->accel, "xen") && strcmp(o->accel, "qtest"))) {
        abort();
    }
    if (o->xen_domid < -1 || o->xen_domid > 0x7fef) {
        abort();
    }
    if (o->ram_size < (UINT64_C(2) << 20) ||
        o->ram_size > (UINT64_C(1) << 40)) {
        abort();
    }
    if (o->smp_cpus < 1 || o->smp_cpus > o->smp_max_cpus) {
        abort();
    }
    for (guint i = 0; i < o->chardevs->len; i++) {
        DmChardevConfig *c = g_ptr_array_index(o->chardevs, i);
        /* Ids are unique, so lookups find this one. */
        if (!c->id || dm_options_find_chardev(o, c->id) != c) {
            abort();
        }
        /* A socket has exactly one of path= and fd=. */
        if (c->kind == DM_CHARDEV_SOCKET &&
            (c->path == NULL) == (c->fd < 0)) {
            abort();
        }
    }
    for (guint i = 0; i < o->monitors->len; i++) {
        DmMonitorConfig *m = g_ptr_array_index(o->monitors, i);
        if (!dm_options_find_chardev(o, m->chardev)) {
            abort();
        }
    }
    if (o->qtest_chardev && !dm_options_find_chardev(o, o->qtest_chardev)) {
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    g_autoptr(GPtrArray) args = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GError) err = NULL;
    g_autoptr(DmOptions) o = dm_options_new();
    size_t start = 0;

    g_ptr_array_add(args, g_strdup("stubdm"));
    for (size_t i = 0; i <= size && args->len < MAX_ARGS; i++) {
        if (i == size || data[i] == '\n' || data[i] == '\0') {
            /* A final empty piece is the trailing newline of a file. */
            if (i < size || i > start) {
                g_ptr_array_add(args, g_strndup((const char *)data + start,
                                                i - start));
            }
            start = i + 1;
        }
    }
    if (dm_options_parse(o, (int)args->len, (char **)args->pdata, &err)) {
        if (err) {
            abort();
        }
        check_options(o);
    } else if (!err || !*err->message) {
        abort();
    }
    return 0;
}
