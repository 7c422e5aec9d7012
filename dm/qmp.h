/* SPDX-License-Identifier: GPL-2.0-or-later */
/* QMP monitors: the control protocol libxl speaks to qemu-xen. */
#ifndef DM_QMP_H
#define DM_QMP_H

#include "dm/machine.h"

#include "dm/json.h"

/* QEMU's error classes, as QMP names them. */
#define DM_QMP_ERROR (dm_qmp_error_quark())
GQuark dm_qmp_error_quark(void);
typedef enum {
    DM_QMP_GENERIC_ERROR,
    DM_QMP_COMMAND_NOT_FOUND,
    DM_QMP_DEVICE_NOT_ACTIVE,
    DM_QMP_DEVICE_NOT_FOUND,
} DmQmpErrorClass;

/* The largest message a monitor reads, as libxl caps its own buffer. */
#define DM_QMP_MAX_MESSAGE (1u << 20)

typedef enum {
    DM_QMP_ARG_STR,
    DM_QMP_ARG_INT,
    DM_QMP_ARG_BOOL,
    DM_QMP_ARG_OBJECT,
    DM_QMP_ARG_ANY,
} DmQmpArgType;

typedef struct DmQmpArg {
    const char *name;
    DmQmpArgType type;
    bool optional;
} DmQmpArg;

/* Returns the "return" value (a new node), or NULL with errp set. */
typedef DmJson *DmQmpHandler(DmMonitor *mon, const DmJson *args,
                             GError **errp);

typedef struct DmQmpCommand {
    const char *name;
    DmQmpHandler *fn;
    const DmQmpArg *args;     /* terminated by { NULL }; NULL: none */
} DmQmpCommand;

/* Commands of the save and restore sequence (dm/qmp-state.c). */
DmQmpHandler dm_qmp_add_fd;
DmQmpHandler dm_qmp_xen_save_devices_state;
DmQmpHandler dm_qmp_xen_load_devices_state;
DmQmpHandler dm_qmp_xen_set_global_dirty_log;
DmQmpHandler dm_qmp_migrate_incoming;
DmQmpHandler dm_qmp_getfd;
DmQmpHandler dm_qmp_migrate;
DmQmpHandler dm_qmp_query_migrate;
DmQmpHandler dm_qmp_migrate_set_capabilities;
DmQmpHandler dm_qmp_migrate_set_parameters;
/* Ends a live migrate still running (the machine goes away). */
void dm_qmp_migrate_cancel(DmMachine *m);

/* The command table (dm/qmp-commands.c). */
const DmQmpCommand *dm_qmp_commands(size_t *count);

/* chr may be NULL (fuzzing): replies are then dropped. */
DmMonitor *dm_monitor_new(DmMachine *m, DmChardev *chr, bool pretty,
                          GError **errp);
void dm_monitor_free(DmMonitor *mon);
DmMachine *dm_monitor_machine(DmMonitor *mon);
DmChardev *dm_monitor_chardev(DmMonitor *mon);
void dm_monitor_send_event(DmMonitor *mon, const char *name,
                           const DmJson *data);
void dm_monitor_flush(DmMonitor *mon);

/* Parses and answers one message, as if it had arrived on the monitor. */
void dm_monitor_handle_message(DmMonitor *mon, const char *text, size_t len);

#endif
