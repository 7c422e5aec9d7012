/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Process set-up: daemonizing, the pid file, chroot and the user to run as. */
#ifndef DM_PROCESS_H
#define DM_PROCESS_H

#include <glib.h>
#include <stdbool.h>
#include <sys/types.h>

typedef struct DmProcess {
    int ready_fd;             /* -daemonize: pipe to the waiting parent */
    int pidfile_fd;
    char *pidfile;
    bool have_user;
    uid_t uid;
    gid_t gid;
    char *user_name;          /* for initgroups, NULL for uid:gid */
} DmProcess;

/* Looks the -runas user up now: after chroot there is no passwd file. */
gboolean dm_process_resolve_user(DmProcess *p, const char *runas,
                                 GError **errp);
/* Forks; the parent waits until dm_process_ready and exits with its status. */
gboolean dm_process_daemonize(DmProcess *p, GError **errp);
gboolean dm_process_write_pidfile(DmProcess *p, const char *path,
                                  GError **errp);
/* chroot then drop privileges, in qemu-xen's order. */
gboolean dm_process_deprivilege(DmProcess *p, const char *chroot_dir,
                                GError **errp);
/* Tells a waiting parent that start-up finished (ok) or failed. */
void dm_process_ready(DmProcess *p, bool ok);
void dm_process_cleanup(DmProcess *p);

#endif
