/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Process set-up with the semantics of QEMU's os-posix.c. */
#include "dm/process.h"
#include "dm/dm-error.h"
#include "dm/keyval.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

gboolean dm_process_resolve_user(DmProcess *p, const char *runas,
                                 GError **errp)
{
    const char *colon = strchr(runas, ':');

    if (colon) {
        g_autofree char *u = g_strndup(runas, colon - runas);
        uint64_t uid, gid;
        if (!dm_keyval_parse_u64(u, &uid) ||
            !dm_keyval_parse_u64(colon + 1, &gid) || uid > G_MAXUINT32 - 1 ||
            gid > G_MAXUINT32 - 1) {
            g_set_error(errp, DM_ERROR, DM_ERROR_INVALID,
                        "-runas %s: expected USER or UID:GID", runas);
            return FALSE;
        }
        p->uid = (uid_t)uid;
        p->gid = (gid_t)gid;
    } else {
        struct passwd *pw = getpwnam(runas);
        if (!pw) {
            g_set_error(errp, DM_ERROR, DM_ERROR_INVALID,
                        "-runas %s: no such user", runas);
            return FALSE;
        }
        p->uid = pw->pw_uid;
        p->gid = pw->pw_gid;
        p->user_name = g_strdup(runas);
    }
    p->have_user = true;
    return TRUE;
}

gboolean dm_process_daemonize(DmProcess *p, GError **errp)
{
    int fds[2];
    pid_t pid;

    if (pipe(fds) < 0) {
        g_set_error(errp, DM_ERROR, DM_ERROR_IO, "-daemonize: pipe: %s",
                    g_strerror(errno));
        return FALSE;
    }
    pid = fork();
    if (pid < 0) {
        g_set_error(errp, DM_ERROR, DM_ERROR_IO, "-daemonize: fork: %s",
                    g_strerror(errno));
        return FALSE;
    }
    if (pid > 0) {
        char status = 1;
        close(fds[1]);
        /* EOF without a byte: the child died during start-up. */
        if (read(fds[0], &status, 1) != 1) {
            status = 1;
        }
        _exit(status);
    }
    close(fds[0]);
    p->ready_fd = fds[1];
    setsid();
    return TRUE;
}

gboolean dm_process_write_pidfile(DmProcess *p, const char *path,
                                  GError **errp)
{
    g_autofree char *pid = g_strdup_printf("%d\n", getpid());
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);

    if (fd < 0) {
        g_set_error(errp, DM_ERROR, DM_ERROR_IO, "-pidfile %s: %s", path,
                    g_strerror(errno));
        return FALSE;
    }
    if (lockf(fd, F_TLOCK, 0) < 0) {
        g_set_error(errp, DM_ERROR, DM_ERROR_IO,
                    "-pidfile %s: locked by another process", path);
        close(fd);
        return FALSE;
    }
    if (ftruncate(fd, 0) < 0 ||
        write(fd, pid, strlen(pid)) != (ssize_t)strlen(pid)) {
        g_set_error(errp, DM_ERROR, DM_ERROR_IO, "-pidfile %s: %s", path,
                    g_strerror(errno));
        close(fd);
        return FALSE;
    }
    p->pidfile_fd = fd;
    p->pidfile = g_strdup(path);
    return TRUE;
}

gboolean dm_process_deprivilege(DmProcess *p, const char *chroot_dir,
                                GError **errp)
{
    if (chroot_dir && (chroot(chroot_dir) < 0 || chdir("/") < 0)) {
        g_set_error(errp, DM_ERROR, DM_ERROR_IO, "-chroot %s: %s", chroot_dir,
                    g_strerror(errno));
        return FALSE;
    }
    if (!p->have_user) {
        return TRUE;
    }
    if (setgid(p->gid) < 0 ||
        (p->user_name ? initgroups(p->user_name, p->gid)
                      : setgroups(0, NULL)) < 0 ||
        setuid(p->uid) < 0) {
        g_set_error(errp, DM_ERROR, DM_ERROR_IO,
                    "-runas: cannot switch to uid %u gid %u: %s",
                    (unsigned)p->uid, (unsigned)p->gid, g_strerror(errno));
        return FALSE;
    }
    /* A process that could become root again would defeat the point. */
    if (p->uid != 0 && setuid(0) == 0) {
        g_set_error(errp, DM_ERROR, DM_ERROR_IO,
                    "-runas: privileges could be regained after dropping");
        return FALSE;
    }
    return TRUE;
}

void dm_process_ready(DmProcess *p, bool ok)
{
    char status = ok ? 0 : 1;
    int null_fd;

    if (p->ready_fd <= 0) {
        return;
    }
    if (write(p->ready_fd, &status, 1) != 1) {
        /* The parent is gone; nothing left to tell. */
    }
    close(p->ready_fd);
    p->ready_fd = -1;
    if (!ok) {
        return;
    }
    null_fd = open("/dev/null", O_RDWR);
    if (null_fd >= 0) {
        dup2(null_fd, STDIN_FILENO);
        dup2(null_fd, STDOUT_FILENO);
        dup2(null_fd, STDERR_FILENO);
        close(null_fd);
    }
}

void dm_process_cleanup(DmProcess *p)
{
    if (p->pidfile) {
        unlink(p->pidfile);
        close(p->pidfile_fd);
        g_clear_pointer(&p->pidfile, g_free);
    }
    g_clear_pointer(&p->user_name, g_free);
}
