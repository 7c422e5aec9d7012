/* SPDX-License-Identifier: GPL-2.0-or-later */
/* device-model/<domid>/ keys through libxenstore (xen-toolstack.md §2). */
#include "toolstack-glue/xenstore.h"
#include "toolstack-glue/libxl-stream.h"
#include "save/machine-state.h"

#include <errno.h>
#include <fcntl.h>
#include <glib-unix.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xenstore.h>

#define COMMAND_TOKEN "stubdm-dm-command"

struct GlueXenstore {
    struct xs_handle *xs;
    unsigned domid;
    DmMachine *m;                 /* set by glue_xenstore_watch_commands */
    /*
     * Watches get their own handle: a libxenstore built without threads
     * (Debian's static libxenstore.a, which stubdm links) reads an event
     * that precedes a reply as the reply and drops the connection, so
     * requests never share a handle with a watch.
     */
    struct xs_handle *wxs;
    char *command_path;
    guint command_source;
    guint command_timer;
};

/* The error domain of toolstack-glue/ (declared in libxl-stream.h). */
G_DEFINE_QUARK(glue-error-quark, glue_error)

GlueXenstore *glue_xenstore_open(unsigned domid, GError **errp)
{
    struct xs_handle *xs = xs_open(0);
    GlueXenstore *x;

    if (!xs) {
        const char *path = g_getenv("XENSTORED_PATH");
        g_set_error(errp, GLUE_ERROR, 0,
                    "cannot reach xenstore at %s: %s (start xenstored, set "
                    "XENSTORED_PATH, or run with -xenstore off)",
                    path ? path : "/var/run/xenstored/socket or "
                    "/dev/xen/xenbus", g_strerror(errno));
        return NULL;
    }
    x = g_new0(GlueXenstore, 1);
    x->xs = xs;
    x->domid = domid;
    return x;
}

void glue_xenstore_free(GlueXenstore *x)
{
    if (x) {
        if (x->command_source) {
            g_source_remove(x->command_source);
        }
        if (x->command_timer) {
            g_source_remove(x->command_timer);
        }
        if (x->wxs) {
            xs_close(x->wxs);     /* drops the watch with the connection */
        }
        g_free(x->command_path);
        xs_close(x->xs);
        g_free(x);
    }
}

gboolean glue_xenstore_write_dm(GlueXenstore *x, const char *key,
                                const char *value, GError **errp)
{
    /* Relative, as qemu-xen: xenstored resolves it under the DM's home. */
    g_autofree char *path = g_strdup_printf("device-model/%u/%s", x->domid,
                                            key);

    if (!xs_write(x->xs, XBT_NULL, path, value, strlen(value))) {
        g_set_error(errp, GLUE_ERROR, 0, "xenstore: writing %s: %s", path,
                    g_strerror(errno));
        return FALSE;
    }
    return TRUE;
}

char *glue_xenstore_read_dm(GlueXenstore *x, const char *key,
                            GError **errp)
{
    g_autofree char *path = g_strdup_printf("device-model/%u/%s", x->domid,
                                            key);
    unsigned int len = 0;
    char *v = xs_read(x->xs, XBT_NULL, path, &len);
    char *copy;

    if (!v) {
        g_set_error(errp, GLUE_ERROR, 0, "xenstore: reading %s: %s", path,
                    g_strerror(errno));
        return NULL;
    }
    copy = g_strndup(v, len);
    free(v);
    return copy;
}

void glue_xenstore_runstate(void *opaque, DmRunState state)
{
    GlueXenstore *x = opaque;
    g_autoptr(GError) err = NULL;

    if (state != DM_RUN_RUNNING) {
        return;
    }
    if (!glue_xenstore_write_dm(x, "state", "running", &err)) {
        /* libxl then times out waiting; say why here. */
        g_printerr("stubdm: %s\n", err->message);
    }
}

/*
 * The save file of qemu-trad: /var/lib/xen/qemu-save.<domid>. Tests set
 * STUBDM_QEMU_SAVE_DIR to a directory of theirs to replace /var/lib/xen.
 */
static char *save_file_path(unsigned domid)
{
    const char *dir = g_getenv("STUBDM_QEMU_SAVE_DIR");

    return g_strdup_printf("%s/qemu-save.%u", dir && *dir ? dir :
                           "/var/lib/xen", domid);
}

static gboolean write_save_file(GlueXenstore *x, GError **errp)
{
    g_autofree char *path = save_file_path(x->domid);
    SaveFormat f = save_format_for_device_state(x->m);
    gboolean ok;
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

    if (fd < 0) {
        g_set_error(errp, GLUE_ERROR, 0, "save: opening %s: %s", path,
                    g_strerror(errno));
        return FALSE;
    }
    ok = save_machine_state(x->m, fd, &f, errp);
    if (close(fd) < 0 && ok) {
        g_set_error(errp, GLUE_ERROR, 0, "save: closing %s: %s", path,
                    g_strerror(errno));
        ok = FALSE;
    }
    return ok;
}

/* qemu-trad's save: stop, write the device state, then state = paused. */
static void command_save(GlueXenstore *x)
{
    g_autoptr(GError) err = NULL;

    dm_machine_vm_stop(x->m, DM_RUN_PAUSED);
    if (!write_save_file(x, &err) ||
        !glue_xenstore_write_dm(x, "state", "paused", &err)) {
        /* libxl times out waiting for paused; say why here. */
        g_printerr("stubdm: %s\n", err->message);
    }
}

/* qemu-trad's continue: only from paused; state = running once. */
static void command_continue(GlueXenstore *x)
{
    g_autoptr(GError) err = NULL;
    g_autofree char *state = glue_xenstore_read_dm(x, "state", NULL);

    if (g_strcmp0(state, "paused")) {
        g_printerr("stubdm: xenstore: continue ignored, state is %s\n",
                   state ? state : "unset");
        return;
    }
    if (!dm_machine_is_running(x->m)) {
        /* The run-state listener writes state = running. */
        dm_machine_vm_start(x->m);
    } else if (!glue_xenstore_write_dm(x, "state", "running", &err)) {
        g_printerr("stubdm: %s\n", err->message);
    }
}

static void command_event(GlueXenstore *x)
{
    unsigned int len = 0;
    char *v = xs_read(x->xs, XBT_NULL, x->command_path, &len);
    g_autofree char *cmd = v ? g_strndup(v, len) : NULL;

    free(v);
    if (!cmd || !*cmd) {
        return;                   /* the watch's first event, or removed */
    }
    if (!strcmp(cmd, "save")) {
        command_save(x);
    } else if (!strcmp(cmd, "continue")) {
        command_continue(x);
    } else {
        g_printerr("stubdm: xenstore: command %s not supported, ignored\n",
                   cmd);
    }
}

static gboolean read_watch_events(gpointer opaque)
{
    GlueXenstore *x = opaque;
    char **ev;

    if (!x->command_source) {
        return G_SOURCE_CONTINUE;  /* the connection failed earlier */
    }
    while ((ev = xs_check_watch(x->wxs))) {
        if (!strcmp(ev[XS_WATCH_TOKEN], COMMAND_TOKEN)) {
            command_event(x);
        }
        free(ev);
    }
    if (errno != EAGAIN) {
        g_printerr("stubdm: xenstore: reading watch events: %s\n",
                   g_strerror(errno));
        g_source_remove(x->command_source);
        x->command_source = 0;
    }
    return G_SOURCE_CONTINUE;
}

static gboolean on_xenstore_fd(int fd, GIOCondition cond, gpointer opaque)
{
    (void)fd;
    (void)cond;
    return read_watch_events(opaque);
}

gboolean glue_xenstore_watch_commands(GlueXenstore *x, DmMachine *m,
                                      GError **errp)
{
    int fd;

    x->m = m;
    x->command_path = g_strdup_printf("device-model/%u/command", x->domid);
    x->wxs = xs_open(0);
    fd = x->wxs ? xs_fileno(x->wxs) : -1;
    if (fd < 0 || !xs_watch(x->wxs, x->command_path, COMMAND_TOKEN)) {
        g_set_error(errp, GLUE_ERROR, 0, "xenstore: watching %s: %s",
                    x->command_path, g_strerror(errno));
        return FALSE;
    }
    /*
     * xs_fileno is readable once libxenstore's reader thread queued an
     * event. Without that thread nothing reads the socket while idle, so
     * a timer also polls: xs_check_watch then reads it without blocking.
     */
    x->command_source = g_unix_fd_add(fd, G_IO_IN, on_xenstore_fd, x);
    x->command_timer = g_timeout_add(50, read_watch_events, x);
    return TRUE;
}
