/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * toolstack-glue/xenstore.c through the real libxenstore client, against
 * the xenstore double (tests/interop/xenstored.py) on a unix socket.
 */
#include "test-glue.h"
#include "toolstack-glue/xenstore.h"

#include <glib/gstdio.h>
#include <string.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

typedef struct {
    char *dir;
    char *sock;
    GPid pid;
} Double;

static void double_start(Double *d)
{
    g_autoptr(GError) err = NULL;
    /* G_TEST_SRCDIR is tests/ (tests/meson.build). */
    g_autofree char *script = g_test_build_filename(G_TEST_DIST, "interop",
                                                    "xenstored.py", NULL);
    g_autofree char *ready = NULL;
    char *argv[] = { "python3", script, "--socket", NULL, "--domid", "5",
                     "--ready", NULL, NULL };

    d->dir = g_dir_make_tmp("glue-xs-XXXXXX", &err);
    g_assert_no_error(err);
    d->sock = g_build_filename(d->dir, "socket", NULL);
    ready = g_build_filename(d->dir, "ready", NULL);
    argv[3] = d->sock;
    argv[7] = ready;
    g_assert_true(g_spawn_async(NULL, argv, NULL,
                                G_SPAWN_SEARCH_PATH |
                                G_SPAWN_DO_NOT_REAP_CHILD,
                                NULL, NULL, &d->pid, &err));
    g_assert_no_error(err);
    for (int i = 0; i < 1000 && !g_file_test(ready, G_FILE_TEST_EXISTS);
         i++) {
        g_usleep(10000);
    }
    g_assert_true(g_file_test(ready, G_FILE_TEST_EXISTS));
    g_unlink(ready);
    g_setenv("XENSTORED_PATH", d->sock, TRUE);
}

static void double_stop(Double *d)
{
    kill(d->pid, SIGTERM);
    waitpid(d->pid, NULL, 0);
    g_spawn_close_pid(d->pid);
    g_unlink(d->sock);
    g_rmdir(d->dir);
    g_free(d->sock);
    g_free(d->dir);
    g_unsetenv("XENSTORED_PATH");
}

static void test_state(void)
{
    Double d;
    g_autoptr(GError) err = NULL;
    g_autoptr(GlueXenstore) x = NULL;
    g_autofree char *v = NULL;

    double_start(&d);
    x = glue_xenstore_open(5, &err);
    g_assert_no_error(err);
    /* Not running yet: qemu-xen writes nothing for other states. */
    glue_xenstore_runstate(x, DM_RUN_PAUSED);
    g_assert_null(glue_xenstore_read_dm(x, "state", &err));
    g_assert_nonnull(strstr(err->message, "device-model/5/state"));
    g_clear_error(&err);
    /* §2.1: state = running on (re)entering the running state. */
    glue_xenstore_runstate(x, DM_RUN_RUNNING);
    v = glue_xenstore_read_dm(x, "state", &err);
    g_assert_no_error(err);
    g_assert_cmpstr(v, ==, "running");
    g_clear_pointer(&x, glue_xenstore_free);
    double_stop(&d);
}

/* The listener on a machine: cont / vm_start is what writes the key. */
static void test_listener(void)
{
    static const char *const argv[] = {
        "stubdm", "-machine", "pc,accel=qtest", "-m", "8", NULL
    };
    Double d;
    g_autoptr(GError) err = NULL;
    g_autoptr(GlueXenstore) x = NULL;
    g_autofree char *v = NULL;
    DmOptions *o = dm_options_new();
    DmMachine *m;

    g_assert_true(dm_options_parse(o, G_N_ELEMENTS(argv) - 1,
                                   (char **)argv, &err));
    m = dm_machine_new(o, &err);
    g_assert_no_error(err);
    double_start(&d);
    x = glue_xenstore_open(5, &err);
    g_assert_no_error(err);
    dm_machine_add_runstate_listener(m, glue_xenstore_runstate, x);
    g_assert_true(glue_xenstore_write_dm(x, "state", "stale", &err));
    dm_machine_vm_start(m);
    v = glue_xenstore_read_dm(x, "state", &err);
    g_assert_cmpstr(v, ==, "running");
    g_clear_pointer(&v, g_free);
    /* qemu-xen leaves the key alone on stop; the next cont rewrites it. */
    dm_machine_vm_stop(m, DM_RUN_PAUSED);
    g_assert_true(glue_xenstore_write_dm(x, "state", "stale", &err));
    dm_machine_vm_start(m);
    v = glue_xenstore_read_dm(x, "state", &err);
    g_assert_cmpstr(v, ==, "running");
    dm_machine_free(m);
    g_clear_pointer(&x, glue_xenstore_free);
    double_stop(&d);
}

static void test_unreachable(void)
{
    g_autoptr(GError) err = NULL;
    GlueXenstore *x;

    g_setenv("XENSTORED_PATH", "/nonexistent/xenstored-socket", TRUE);
    x = glue_xenstore_open(5, &err);
    g_unsetenv("XENSTORED_PATH");
    g_assert_null(x);
    g_assert_nonnull(strstr(err->message, "/nonexistent/xenstored-socket"));
}

void test_xenstore_register(void)
{
    g_test_add_func("/glue/xenstore/state", test_state);
    g_test_add_func("/glue/xenstore/listener", test_listener);
    g_test_add_func("/glue/xenstore/unreachable", test_unreachable);
}
