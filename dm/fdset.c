/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Descriptor sets: libxl passes the save file as an fd over QMP (add-fd)
 * and names it "/dev/fdset/N", so a chrooted, unprivileged stubdm can
 * still write it.
 */
#include "dm/fdset.h"
#include "dm/dm-error.h"
#include "dm/keyval.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#define FDSET_PREFIX "/dev/fdset/"

typedef struct {
    int id;
    int fd;
} FdEntry;

struct DmFdsets {
    GArray *fds;              /* FdEntry */
};

DmFdsets *dm_fdsets_new(void)
{
    DmFdsets *f = g_new0(DmFdsets, 1);

    f->fds = g_array_new(FALSE, FALSE, sizeof(FdEntry));
    return f;
}

void dm_fdsets_free(DmFdsets *f)
{
    if (!f) {
        return;
    }
    for (guint i = 0; i < f->fds->len; i++) {
        close(g_array_index(f->fds, FdEntry, i).fd);
    }
    g_array_free(f->fds, TRUE);
    g_free(f);
}

static bool fdset_used(DmFdsets *f, int id)
{
    for (guint i = 0; i < f->fds->len; i++) {
        if (g_array_index(f->fds, FdEntry, i).id == id) {
            return true;
        }
    }
    return false;
}

int dm_fdsets_add(DmFdsets *f, int id, int fd)
{
    FdEntry e;

    if (id < 0) {
        for (id = 0; fdset_used(f, id); id++) {
        }
    }
    e.id = id;
    e.fd = fd;
    g_array_append_val(f->fds, e);
    return id;
}

static bool mode_allows(int fd, int flags)
{
    int have = fcntl(fd, F_GETFL);

    if (have < 0) {
        return false;
    }
    have &= O_ACCMODE;
    return have == O_RDWR || have == (flags & O_ACCMODE);
}

int dm_fdsets_open(DmFdsets *f, const char *path, int flags, GError **errp)
{
    uint64_t id;
    int fd;

    if (!g_str_has_prefix(path, FDSET_PREFIX)) {
        fd = open(path, flags | O_CLOEXEC, 0660);
        if (fd < 0) {
            g_set_error(errp, DM_ERROR, DM_ERROR_IO, "Unable to open %s: %s",
                        path, g_strerror(errno));
        }
        return fd;
    }
    if (!dm_keyval_parse_u64(path + strlen(FDSET_PREFIX), &id) ||
        id > G_MAXINT) {
        g_set_error(errp, DM_ERROR, DM_ERROR_INVALID,
                    "%s: not a descriptor set name", path);
        return -1;
    }
    for (guint i = 0; i < f->fds->len; i++) {
        FdEntry *e = &g_array_index(f->fds, FdEntry, i);
        if (e->id != (int)id || !mode_allows(e->fd, flags)) {
            continue;
        }
        fd = fcntl(e->fd, F_DUPFD_CLOEXEC, 0);
        /*
         * A duplicate shares the file offset: after a truncation start
         * again at 0, or a second save through the same set would leave
         * a hole of zeros before its bytes. Pipes and sockets have
         * neither size nor offset.
         */
        if (fd >= 0 && (flags & O_TRUNC) &&
            ((ftruncate(fd, 0) < 0 && errno != EINVAL) ||
             (lseek(fd, 0, SEEK_SET) < 0 && errno != ESPIPE))) {
            g_set_error(errp, DM_ERROR, DM_ERROR_IO, "%s: truncate: %s",
                        path, g_strerror(errno));
            close(fd);
            return -1;
        }
        if (fd < 0) {
            g_set_error(errp, DM_ERROR, DM_ERROR_IO, "%s: %s", path,
                        g_strerror(errno));
        }
        return fd;
    }
    g_set_error(errp, DM_ERROR, DM_ERROR_IO,
                "%s: no descriptor in set %" G_GUINT64_FORMAT
                " allows this access", path, id);
    return -1;
}
