/* SPDX-License-Identifier: GPL-2.0-or-later */
/* stubdm: a device model for Xen HVM guests. */
#include "dm/chardev.h"
#include "dm/machine.h"
#include "dm/options.h"
#include "dm/process.h"
#include "dm/qmp.h"
#include "toolstack-glue/xen.h"
#include "toolstack-glue/xenstore.h"

#include <glib-unix.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static gboolean on_signal(gpointer data)
{
    DmMachine *m = data;

    /* QEMU quits with status 0 on these even with -no-shutdown. */
    dm_machine_shutdown(m, false, "host-signal");
    dm_machine_quit(m, 0);
    return G_SOURCE_CONTINUE;
}

static int fail(const GError *err)
{
    fprintf(stderr, "stubdm: %s\n", err->message);
    return 1;
}

int main(int argc, char **argv)
{
    g_autoptr(GError) err = NULL;
    DmOptions *opts = dm_options_new();
    DmProcess proc = { .ready_fd = -1, .pidfile_fd = -1 };
    DmMachine *m;
    GlueXen *xen = NULL;
    GlueXenstore *xs = NULL;
    bool xen_restrict;
    int status;

    signal(SIGPIPE, SIG_IGN);
    if (!dm_options_parse(opts, argc, argv, &err)) {
        dm_options_free(opts);
        return fail(err);
    }
    if (opts->show_help || opts->show_version) {
        g_autofree char *help = opts->show_help ? dm_options_help() : NULL;
        printf("%s", help ? help :
               "stubdm " STUBDM_VERSION " (QMP compatible with QEMU 7.2.0)\n");
        dm_options_free(opts);
        return 0;
    }
    if ((opts->runas && !dm_process_resolve_user(&proc, opts->runas, &err)) ||
        (opts->daemonize && !dm_process_daemonize(&proc, &err)) ||
        (opts->pidfile &&
         !dm_process_write_pidfile(&proc, opts->pidfile, &err))) {
        dm_process_ready(&proc, false);
        dm_process_cleanup(&proc);
        dm_options_free(opts);
        return fail(err);
    }
    /*
     * qemu-xen opens the Xen handles and creates its ioreq server before
     * it builds the machine, and restricts them before chroot and -runas.
     */
    xen_restrict = glue_xen_restrict_wanted(opts->xen_domid_restrict,
                                            g_getenv("XEN_DOMAIN_ID"));
    if (!strcmp(opts->accel, "xen")) {
        xen = glue_xen_open(opts->xen_domid, &err);
        m = xen ? dm_machine_new_platform(opts, &glue_xen_platform, xen,
                                          &err) : NULL;
        if (!xen) {
            dm_options_free(opts);  /* dm_machine_new* own it otherwise */
        }
    } else {
        m = dm_machine_new(opts, &err);
    }
    /*
     * libxl waits for device-model/<domid>/state = running. Under qtest
     * only a xenstore the test names (XENSTORED_PATH) is used.
     */
    if (m && m->opts->xen_domid >= 0 && !m->opts->no_xenstore &&
        (xen || g_getenv("XENSTORED_PATH"))) {
        xs = glue_xenstore_open(m->opts->xen_domid, &err);
        if (xs && glue_xenstore_watch_commands(xs, m, &err)) {
            dm_machine_add_runstate_listener(m, glue_xenstore_runstate, xs);
        } else {
            glue_xenstore_free(xs);
            xs = NULL;
            dm_machine_free(m);
            m = NULL;
        }
    }
    if (!m || (xen && !glue_xen_start(xen, &err)) ||
        !dm_machine_start(m, &err) ||
        (xen && xen_restrict && !glue_xen_restrict(xen, &err)) ||
        !dm_process_deprivilege(&proc, opts->chroot_dir, &err)) {
        status = fail(err);
        glue_xen_free(xen);
        dm_machine_free(m);
        glue_xenstore_free(xs);
        dm_process_ready(&proc, false);
        dm_process_cleanup(&proc);
        return status;
    }
    g_unix_signal_add(SIGTERM, on_signal, m);
    g_unix_signal_add(SIGINT, on_signal, m);
    g_unix_signal_add(SIGHUP, on_signal, m);
    dm_process_ready(&proc, true);

    g_main_loop_run(m->loop);

    for (guint i = 0; i < m->monitors->len; i++) {
        dm_monitor_flush(g_ptr_array_index(m->monitors, i));
    }
    for (guint i = 0; i < m->chardevs->len; i++) {
        dm_chardev_flush(g_ptr_array_index(m->chardevs, i));
    }
    status = m->exit_status;
    glue_xen_free(xen);
    dm_machine_free(m);
    glue_xenstore_free(xs);
    dm_process_cleanup(&proc);
    return status;
}
