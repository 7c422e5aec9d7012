/* SPDX-License-Identifier: GPL-2.0-or-later */
/* device-model/<domid>/ keys through libxenstore (xen-toolstack.md §2). */
#include "toolstack-glue/xenstore.h"
#include "toolstack-glue/libxl-stream.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <xenstore.h>

struct GlueXenstore {
    struct xs_handle *xs;
    unsigned domid;
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
