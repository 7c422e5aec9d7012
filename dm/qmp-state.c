/* SPDX-License-Identifier: GPL-2.0-or-later */
/* QMP commands of libxl's save and restore sequence (xen-toolstack 3.2). */
#include "dm/chardev.h"
#include "dm/fdset.h"
#include "dm/qmp.h"
#include "save/machine-state.h"

#include <fcntl.h>
#include <unistd.h>

DmJson *dm_qmp_add_fd(DmMonitor *mon, const DmJson *args, GError **errp)
{
    DmMachine *m = dm_monitor_machine(mon);
    const DmJson *idv = dm_json_object_get(args, "fdset-id");
    int fd = dm_chardev_take_fd(dm_monitor_chardev(mon));
    int64_t id = idv ? dm_json_get_int(idv) : -1;
    DmJson *ret;

    if (fd < 0) {
        g_set_error(errp, DM_QMP_ERROR, DM_QMP_GENERIC_ERROR,
                    "No file descriptor supplied via SCM_RIGHTS");
        return NULL;
    }
    if (idv && (id < 0 || id > G_MAXINT)) {
        close(fd);
        g_set_error(errp, DM_QMP_ERROR, DM_QMP_GENERIC_ERROR,
                    "Parameter 'fdset-id' expects a non-negative integer");
        return NULL;
    }
    ret = dm_json_new_object();
    dm_json_object_set_int(ret, "fdset-id",
                           dm_fdsets_add(m->fdsets, (int)id, fd));
    dm_json_object_set_int(ret, "fd", fd);
    return ret;
}

DmJson *dm_qmp_xen_save_devices_state(DmMonitor *mon, const DmJson *args,
                                      GError **errp)
{
    DmMachine *m = dm_monitor_machine(mon);
    const char *path = dm_json_get_string(dm_json_object_get(args,
                                                             "filename"));
    bool was_running = dm_machine_is_running(m);
    SaveFormat f = save_format_for_device_state(m);
    gboolean ok;
    int fd;

    /* As QEMU: stop, write, and run again only if it was running. */
    dm_machine_vm_stop(m, DM_RUN_PAUSED);
    fd = dm_fdsets_open(m->fdsets, path, O_WRONLY | O_CREAT | O_TRUNC,
                        errp);
    if (fd < 0) {
        ok = FALSE;
    } else {
        ok = save_machine_state(m, fd, &f, errp);
        if (close(fd) < 0 && ok) {
            g_set_error(errp, DM_QMP_ERROR, DM_QMP_GENERIC_ERROR,
                        "closing %s failed", path);
            ok = FALSE;
        }
    }
    if (was_running) {
        dm_machine_vm_start(m);
    }
    return ok ? dm_json_new_object() : NULL;
}

DmJson *dm_qmp_xen_load_devices_state(DmMonitor *mon, const DmJson *args,
                                      GError **errp)
{
    DmMachine *m = dm_monitor_machine(mon);
    const char *path = dm_json_get_string(dm_json_object_get(args,
                                                             "filename"));
    gboolean ok;
    int fd;

    if (dm_machine_is_running(m)) {
        g_set_error(errp, DM_QMP_ERROR, DM_QMP_GENERIC_ERROR,
                    "Cannot update device state while vm is running");
        return NULL;
    }
    fd = dm_fdsets_open(m->fdsets, path, O_RDONLY, errp);
    if (fd < 0) {
        return NULL;
    }
    /* What unemulated=skip dropped goes to stderr: libxl expects {}. */
    ok = load_machine_state(m, fd, NULL, errp);
    close(fd);
    return ok ? dm_json_new_object() : NULL;
}

DmJson *dm_qmp_xen_set_global_dirty_log(DmMonitor *mon, const DmJson *args,
                                        GError **errp)
{
    DmMachine *m = dm_monitor_machine(mon);

    /* Under Xen every write stubdm makes to guest RAM is then reported. */
    m->dirty_log = dm_json_get_bool(dm_json_object_get(args, "enable"));
    return dm_json_new_object();
}
