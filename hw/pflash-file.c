/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The pflash backing file. The contents live in the RAM block; the file
 * follows each completed program, buffered write and erase (pwrite at
 * the affected offset). Erases and buffered writes are made durable at
 * once, single programs within SYNC_DELAY_MS (a GLib timeout: the guest
 * clock stands still under qtest), and everything on save and exit. A
 * failed write is logged and reported as BLOCK_IO_ERROR; the guest keeps
 * the contents in memory. Readonly drives never open the file for write.
 */
#include "hw/pflash-cfi01.h"
#include "dm/dm-error.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define SYNC_DELAY_MS 100

/* QEMU's BLOCK_IO_ERROR shape; node-name names the flash unit. */
static void pflash_io_error(Pflash *s, const char *what, int err)
{
    g_autoptr(DmJson) o = dm_json_new_object();

    g_printerr("stubdm: pflash unit %u (%s): %s: %s; the guest keeps the "
               "contents in memory\n", s->unit, s->path, what,
               g_strerror(err));
    dm_json_object_set_string(o, "device", "");
    dm_json_object_set_string(o, "node-name", s->name);
    dm_json_object_set_string(o, "operation", "write");
    dm_json_object_set_string(o, "action", "report");
    dm_json_object_set_bool(o, "nospace", err == ENOSPC);
    dm_json_object_set_string(o, "reason", g_strerror(err));
    if (s->machine) {
        dm_machine_event(s->machine, "BLOCK_IO_ERROR", o);
    }
}

gboolean pflash_file_open(Pflash *s, GError **errp)
{
    struct stat st;
    int fd = open(s->path, (s->ro ? O_RDONLY : O_RDWR) | O_CLOEXEC);

    if (fd < 0) {
        int e = errno;
        g_set_error(errp, DM_ERROR, DM_ERROR_INVALID,
                    "-drive if=pflash,unit=%u,file=%s: %s%s", s->unit,
                    s->path, g_strerror(e),
                    !s->ro && (e == EACCES || e == EROFS || e == EPERM) ?
                    " (not writable; add readonly=on for a read-only "
                    "flash)" : "");
        return FALSE;
    }
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size == 0 ||
        st.st_size % PFLASH_SECTOR_SIZE ||
        st.st_size > 8 * 1024 * 1024) {
        g_set_error(errp, DM_ERROR, DM_ERROR_INVALID,
                    "-drive if=pflash,unit=%u,file=%s: size %lld is not a "
                    "non-zero multiple of the 0x%x-byte sector size (8 MiB "
                    "at most)", s->unit, s->path, (long long)st.st_size,
                    PFLASH_SECTOR_SIZE);
        close(fd);
        return FALSE;
    }
    s->size = st.st_size;
    s->fd = fd;
    return TRUE;
}

void pflash_file_sync(Pflash *s)
{
    g_clear_handle_id(&s->sync_source, g_source_remove);
    if (s->fd >= 0 && !s->ro && s->unsynced) {
        s->unsynced = false;
        if (fdatasync(s->fd) < 0) {
            pflash_io_error(s, "fdatasync", errno);
        }
    }
}

static gboolean pflash_sync_timeout(gpointer opaque)
{
    Pflash *s = opaque;

    s->sync_source = 0;
    pflash_file_sync(s);
    return G_SOURCE_REMOVE;
}

void pflash_file_update(Pflash *s, uint64_t offset, uint64_t len, bool sync)
{
    if (s->fd < 0 || s->ro || offset >= s->size) {
        return;
    }
    len = MIN(len, s->size - offset);
    while (len) {
        ssize_t n = pwrite(s->fd, s->storage + offset, len, offset);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            pflash_io_error(s, "write", n < 0 ? errno : ENOSPC);
            return;
        }
        offset += n;
        len -= n;
    }
    s->unsynced = true;
    if (sync) {
        pflash_file_sync(s);
    } else if (!s->sync_source) {
        s->sync_source = g_timeout_add(SYNC_DELAY_MS, pflash_sync_timeout, s);
    }
}

static gboolean write_all(int fd, const uint8_t *p, uint64_t len)
{
    uint64_t off = 0;

    while (off < len) {
        ssize_t n = pwrite(fd, p + off, len - off, off);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            if (!n) {
                errno = ENOSPC;
            }
            return FALSE;
        }
        off += n;
    }
    return TRUE;
}

/*
 * After an incoming load the file may not be the source's: it gets the
 * whole image, atomically, so a crash leaves the old or the new file.
 */
gboolean pflash_file_write_back(Pflash *s, GError **errp)
{
    g_autofree char *tmp = NULL;
    g_autofree char *dir = NULL;
    struct stat st;
    int fd, dfd, e;

    if (s->fd < 0 || s->ro) {
        return TRUE;
    }
    pflash_file_sync(s);
    tmp = g_strdup_printf("%s.XXXXXX", s->path);
    fd = g_mkstemp_full(tmp, O_RDWR | O_CLOEXEC, 0600);
    if (fd < 0) {
        e = errno;
        goto fail;
    }
    if ((fstat(s->fd, &st) == 0 && fchmod(fd, st.st_mode & 07777) < 0) ||
        !write_all(fd, s->storage, s->size) || fsync(fd) < 0 ||
        rename(tmp, s->path) < 0) {
        e = errno;
        close(fd);
        unlink(tmp);
        goto fail;
    }
    dir = g_path_get_dirname(s->path);
    dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        fsync(dfd);
        close(dfd);
    }
    /* The old descriptor names the replaced inode. */
    close(s->fd);
    s->fd = fd;
    s->unsynced = false;
    return TRUE;

fail:
    pflash_io_error(s, "write-back after load", e);
    g_set_error(errp, DM_ERROR, DM_ERROR_IO,
                "pflash unit %u: writing %s back: %s", s->unit, s->path,
                g_strerror(e));
    return FALSE;
}

void pflash_file_close(Pflash *s)
{
    pflash_file_sync(s);
    if (s->fd >= 0) {
        close(s->fd);
        s->fd = -1;
    }
    g_clear_pointer(&s->path, g_free);
}
