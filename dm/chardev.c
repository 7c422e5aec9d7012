/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Socket character devices as QEMU's chardev layer behaves for them: one
 * client at a time per server (later ones wait in the backlog), output
 * queued without blocking, descriptors passed with SCM_RIGHTS kept for
 * the frontend (QMP add-fd).
 */
#include "dm/chardev.h"
#include "dm/dm-error.h"

#include <errno.h>
#include <fcntl.h>
#include <glib-unix.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#define MAX_FDS_PER_MESSAGE 16
/* A peer that stops reading is cut off rather than eating our memory. */
#define MAX_PENDING_OUTPUT (64u << 20)

struct DmChardev {
    DmChardevConfig cfg;      /* strings owned here */
    int listen_fd;            /* server: listening socket */
    int in_fd;                /* connected: read side */
    int out_fd;               /* connected: write side */
    guint listen_watch;
    guint in_watch;
    guint out_watch;
    GByteArray *out;
    GQueue fds;               /* received descriptors, as GINT_TO_POINTER */
    const DmChardevHandlers *h;
    void *opaque;
    bool unlink_on_free;
};

static void chardev_close_fds(DmChardev *c)
{
    while (!g_queue_is_empty(&c->fds)) {
        close(GPOINTER_TO_INT(g_queue_pop_head(&c->fds)));
    }
}

static gboolean set_nonblock(int fd, GError **errp)
{
    int fl = fcntl(fd, F_GETFL);

    if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0) {
        g_set_error(errp, DM_ERROR, DM_ERROR_IO, "fcntl: %s",
                    g_strerror(errno));
        return FALSE;
    }
    return TRUE;
}

static gboolean fill_addr(struct sockaddr_un *sa, const char *path,
                          GError **errp)
{
    memset(sa, 0, sizeof(*sa));
    sa->sun_family = AF_UNIX;
    if (strlen(path) >= sizeof(sa->sun_path)) {
        g_set_error(errp, DM_ERROR, DM_ERROR_INVALID,
                    "socket path '%s' is too long", path);
        return FALSE;
    }
    strcpy(sa->sun_path, path);
    return TRUE;
}

static gboolean chardev_listen(DmChardev *c, GError **errp)
{
    struct sockaddr_un sa;
    mode_t old_mask;
    int fd, ret;

    if (c->cfg.fd >= 0) {
        /* libxl bound and listened already (restricted mode). */
        int type = 0;
        socklen_t len = sizeof(type);
        if (getsockopt(c->cfg.fd, SOL_SOCKET, SO_TYPE, &type, &len) < 0 ||
            type != SOCK_STREAM) {
            g_set_error(errp, DM_ERROR, DM_ERROR_INVALID,
                        "chardev '%s': fd=%d is not a stream socket",
                        c->cfg.id, c->cfg.fd);
            return FALSE;
        }
        c->listen_fd = c->cfg.fd;
        return set_nonblock(c->listen_fd, errp);
    }
    if (!fill_addr(&sa, c->cfg.path, errp)) {
        return FALSE;
    }
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        g_set_error(errp, DM_ERROR, DM_ERROR_IO, "socket: %s",
                    g_strerror(errno));
        return FALSE;
    }
    /* A stale socket from an earlier run would make bind fail. */
    if (unlink(c->cfg.path) < 0 && errno != ENOENT) {
        g_set_error(errp, DM_ERROR, DM_ERROR_IO,
                    "chardev '%s': cannot remove old %s: %s", c->cfg.id,
                    c->cfg.path, g_strerror(errno));
        close(fd);
        return FALSE;
    }
    old_mask = umask(0177);
    ret = bind(fd, (struct sockaddr *)&sa, sizeof(sa));
    umask(old_mask);
    if (ret < 0 || listen(fd, 8) < 0) {
        g_set_error(errp, DM_ERROR, DM_ERROR_IO,
                    "chardev '%s': cannot listen on %s: %s", c->cfg.id,
                    c->cfg.path, g_strerror(errno));
        close(fd);
        return FALSE;
    }
    c->listen_fd = fd;
    c->unlink_on_free = true;
    return set_nonblock(fd, errp);
}

static gboolean chardev_connect(DmChardev *c, GError **errp)
{
    struct sockaddr_un sa;
    int fd;

    if (c->cfg.fd >= 0) {
        c->in_fd = c->out_fd = c->cfg.fd;
        return set_nonblock(c->in_fd, errp);
    }
    if (!fill_addr(&sa, c->cfg.path, errp)) {
        return FALSE;
    }
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
        g_set_error(errp, DM_ERROR, DM_ERROR_IO,
                    "chardev '%s': cannot connect to %s: %s", c->cfg.id,
                    c->cfg.path, g_strerror(errno));
        if (fd >= 0) {
            close(fd);
        }
        return FALSE;
    }
    c->in_fd = c->out_fd = fd;
    return set_nonblock(fd, errp);
}

DmChardev *dm_chardev_new(const DmChardevConfig *cfg, GError **errp)
{
    DmChardev *c = g_new0(DmChardev, 1);
    gboolean ok;

    c->cfg = *cfg;
    c->cfg.id = g_strdup(cfg->id);
    c->cfg.path = g_strdup(cfg->path);
    c->listen_fd = c->in_fd = c->out_fd = -1;
    c->out = g_byte_array_new();
    g_queue_init(&c->fds);

    if (cfg->kind == DM_CHARDEV_STDIO) {
        c->in_fd = STDIN_FILENO;
        c->out_fd = STDOUT_FILENO;
        ok = set_nonblock(c->in_fd, errp);
    } else if (cfg->server) {
        ok = chardev_listen(c, errp);
    } else {
        ok = chardev_connect(c, errp);
    }
    if (!ok) {
        dm_chardev_free(c);
        return NULL;
    }
    return c;
}

static void chardev_drop_connection(DmChardev *c)
{
    g_clear_handle_id(&c->in_watch, g_source_remove);
    g_clear_handle_id(&c->out_watch, g_source_remove);
    if (c->in_fd >= 0 && c->in_fd != STDIN_FILENO) {
        close(c->in_fd);
    }
    if (c->out_fd >= 0 && c->out_fd != c->in_fd &&
        c->out_fd != STDOUT_FILENO) {
        close(c->out_fd);
    }
    c->in_fd = c->out_fd = -1;
    g_byte_array_set_size(c->out, 0);
    chardev_close_fds(c);
}

void dm_chardev_free(DmChardev *c)
{
    if (!c) {
        return;
    }
    chardev_drop_connection(c);
    g_clear_handle_id(&c->listen_watch, g_source_remove);
    if (c->listen_fd >= 0) {
        close(c->listen_fd);
    }
    if (c->unlink_on_free) {
        unlink(c->cfg.path);
    }
    g_byte_array_free(c->out, TRUE);
    g_free(c->cfg.id);
    g_free(c->cfg.path);
    g_free(c);
}

const char *dm_chardev_id(const DmChardev *c)
{
    return c->cfg.id;
}

char *dm_chardev_filename(const DmChardev *c)
{
    if (c->cfg.kind == DM_CHARDEV_STDIO) {
        return g_strdup("stdio");
    }
    if (!c->cfg.path) {
        return g_strdup_printf("unix:fd=%d%s", c->cfg.fd,
                               c->cfg.server ? ",server=on" : "");
    }
    return g_strdup_printf("unix:%s%s", c->cfg.path,
                           c->cfg.server ? ",server=on" : "");
}

bool dm_chardev_has_frontend(const DmChardev *c)
{
    return c->h != NULL;
}

bool dm_chardev_connected(const DmChardev *c)
{
    return c->in_fd >= 0;
}

static gboolean chardev_accept_cb(gint fd, GIOCondition cond, gpointer data);
static gboolean chardev_readable_cb(gint fd, GIOCondition cond, gpointer data);

static void chardev_watch_listen(DmChardev *c)
{
    if (c->listen_fd >= 0 && !c->listen_watch) {
        c->listen_watch = g_unix_fd_add(c->listen_fd, G_IO_IN,
                                        chardev_accept_cb, c);
    }
}

static void chardev_closed(DmChardev *c)
{
    chardev_drop_connection(c);
    if (c->h && c->h->closed) {
        c->h->closed(c->opaque);
    }
    chardev_watch_listen(c);
}

static void chardev_opened(DmChardev *c)
{
    c->in_watch = g_unix_fd_add(c->in_fd, G_IO_IN | G_IO_HUP | G_IO_ERR,
                                chardev_readable_cb, c);
    if (c->h && c->h->opened) {
        c->h->opened(c->opaque);
    }
}

static gboolean chardev_accept_one(DmChardev *c)
{
    int fd = accept4(c->listen_fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);

    if (fd < 0) {
        return FALSE;
    }
    c->in_fd = c->out_fd = fd;
    return TRUE;
}

static gboolean chardev_accept_cb(gint fd, GIOCondition cond, gpointer data)
{
    DmChardev *c = data;

    if (!chardev_accept_one(c)) {
        return G_SOURCE_CONTINUE;
    }
    /* One client at a time: the next waits in the backlog. */
    c->listen_watch = 0;
    chardev_opened(c);
    return G_SOURCE_REMOVE;
}

static void chardev_keep_fds(DmChardev *c, struct msghdr *msg)
{
    for (struct cmsghdr *cm = CMSG_FIRSTHDR(msg); cm;
         cm = CMSG_NXTHDR(msg, cm)) {
        if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS) {
            continue;
        }
        size_t n = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
        int *fds = (int *)CMSG_DATA(cm);
        for (size_t i = 0; i < n; i++) {
            g_queue_push_tail(&c->fds, GINT_TO_POINTER(fds[i]));
        }
    }
}

static gboolean chardev_readable_cb(gint fd, GIOCondition cond, gpointer data)
{
    DmChardev *c = data;
    uint8_t buf[65536];
    ssize_t n;

    if (c->cfg.kind == DM_CHARDEV_SOCKET) {
        union {
            char buf[CMSG_SPACE(sizeof(int) * MAX_FDS_PER_MESSAGE)];
            struct cmsghdr align;
        } ctl;
        struct iovec iov = { .iov_base = buf, .iov_len = sizeof(buf) };
        struct msghdr msg = {
            .msg_iov = &iov, .msg_iovlen = 1,
            .msg_control = ctl.buf, .msg_controllen = sizeof(ctl.buf),
        };
        n = recvmsg(fd, &msg, MSG_CMSG_CLOEXEC);
        if (n > 0) {
            chardev_keep_fds(c, &msg);
        }
    } else {
        n = read(fd, buf, sizeof(buf));
    }
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
        return G_SOURCE_CONTINUE;
    }
    if (n <= 0) {
        c->in_watch = 0;
        chardev_closed(c);
        return G_SOURCE_REMOVE;
    }
    if (c->h && c->h->received) {
        c->h->received(c->opaque, buf, (size_t)n);
    }
    return G_SOURCE_CONTINUE;
}

gboolean dm_chardev_start(DmChardev *c, const DmChardevHandlers *h,
                          void *opaque, GError **errp)
{
    c->h = h;
    c->opaque = opaque;
    if (c->listen_fd >= 0) {
        if (c->cfg.wait) {
            int fl = fcntl(c->listen_fd, F_GETFL);
            fprintf(stderr, "stubdm: waiting for a connection on %s\n",
                    c->cfg.path ? c->cfg.path : "an inherited socket");
            fcntl(c->listen_fd, F_SETFL, fl & ~O_NONBLOCK);
            gboolean ok = chardev_accept_one(c);
            fcntl(c->listen_fd, F_SETFL, fl);
            if (!ok) {
                g_set_error(errp, DM_ERROR, DM_ERROR_IO,
                            "chardev '%s': accept: %s", c->cfg.id,
                            g_strerror(errno));
                return FALSE;
            }
            chardev_opened(c);
        } else {
            chardev_watch_listen(c);
        }
    } else if (c->in_fd >= 0) {
        chardev_opened(c);
    }
    return TRUE;
}

static gboolean chardev_try_send(DmChardev *c)
{
    while (c->out->len) {
        ssize_t n = send(c->out_fd, c->out->data, c->out->len, MSG_NOSIGNAL);
        if (n < 0 && errno == ENOTSOCK) {
            n = write(c->out_fd, c->out->data, c->out->len);
        }
        if (n < 0) {
            if (errno == EAGAIN || errno == EINTR) {
                return TRUE;
            }
            return FALSE;
        }
        g_byte_array_remove_range(c->out, 0, (guint)n);
    }
    return TRUE;
}

static gboolean chardev_writable_cb(gint fd, GIOCondition cond, gpointer data)
{
    DmChardev *c = data;

    if (!chardev_try_send(c)) {
        /* The reader side notices the hang-up and closes. */
        g_byte_array_set_size(c->out, 0);
    }
    if (c->out->len) {
        return G_SOURCE_CONTINUE;
    }
    c->out_watch = 0;
    return G_SOURCE_REMOVE;
}

void dm_chardev_write(DmChardev *c, const void *data, size_t len)
{
    if (c->out_fd < 0) {
        return;
    }
    if (c->out->len + len > MAX_PENDING_OUTPUT) {
        g_warning("chardev '%s': peer stopped reading; disconnecting",
                  c->cfg.id);
        chardev_closed(c);
        return;
    }
    g_byte_array_append(c->out, data, (guint)len);
    if (!chardev_try_send(c)) {
        g_byte_array_set_size(c->out, 0);
        return;
    }
    if (c->out->len && !c->out_watch) {
        c->out_watch = g_unix_fd_add(c->out_fd, G_IO_OUT,
                                     chardev_writable_cb, c);
    }
}

void dm_chardev_flush(DmChardev *c)
{
    if (c->out_fd < 0 || !c->out->len) {
        return;
    }
    int fl = fcntl(c->out_fd, F_GETFL);
    fcntl(c->out_fd, F_SETFL, fl & ~O_NONBLOCK);
    chardev_try_send(c);
    fcntl(c->out_fd, F_SETFL, fl);
    g_byte_array_set_size(c->out, 0);
}

void dm_chardev_disconnect(DmChardev *c)
{
    if (c->in_fd >= 0) {
        dm_chardev_flush(c);
        chardev_closed(c);
    }
}

int dm_chardev_take_fd(DmChardev *c)
{
    if (g_queue_is_empty(&c->fds)) {
        return -1;
    }
    return GPOINTER_TO_INT(g_queue_pop_head(&c->fds));
}
