/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The machine: the one mutable object, owning everything else. */
#ifndef DM_MACHINE_H
#define DM_MACHINE_H

#include "dm/clock.h"
#include "dm/options.h"
#include "dm/space.h"
#include "ram/guest-ram.h"

#include <glib.h>
#include "dm/json.h"
#include <stdbool.h>

typedef enum {
    DM_RUN_PRELAUNCH,
    DM_RUN_RUNNING,
    DM_RUN_PAUSED,
    DM_RUN_INMIGRATE,
    DM_RUN_POSTMIGRATE,
    DM_RUN_FINISH_MIGRATE,
    DM_RUN_SHUTDOWN,
    DM_RUN_SUSPENDED,
} DmRunState;

typedef struct DmMonitor DmMonitor;
typedef struct DmQtest DmQtest;
typedef struct DmChardev DmChardev;

typedef void DmHookFn(void *opaque);

/* IRQ lines as the interrupt controller sees them (ISA 0-15, then GSIs). */
#define DM_NUM_IRQS 24
typedef void DmIrqObserverFn(void *opaque, unsigned irq, bool level);

/* What goes to the hypervisor when stubdm serves a Xen guest. */
typedef struct DmPlatformHooks {
    void (*set_pci_intx)(void *opaque, unsigned slot, unsigned pin,
                         bool level);
    void (*set_pci_link_route)(void *opaque, unsigned link, unsigned irq);
    void (*reset)(void *opaque);
    void (*poweroff)(void *opaque);
} DmPlatformHooks;

typedef struct DmMachine {
    DmOptions *opts;          /* owned */
    const char *machine_type;
    DmClock *clock;
    DmSpace *io;              /* port I/O */
    DmSpace *mem;             /* guest-physical memory */
    DmSpace *pci_mem;         /* what PAM/SMRAM windows show when not RAM */
    DmRunState runstate;
    bool autostart;           /* start once an incoming load completes */
    RamGuest *guest_ram;      /* qtest only: Xen owns guest RAM otherwise */
    DmRegion ram_low;
    DmRegion ram_high;
    GPtrArray *chardevs;      /* DmChardev */
    GPtrArray *monitors;      /* DmMonitor */
    DmQtest *qtest;
    GPtrArray *devices;       /* HwDevice, in save order */
    struct DmFdsets *fdsets;  /* add-fd */
    bool dirty_log;           /* xen-set-global-dirty-log */
    GArray *reset_hooks;      /* DmHook */
    GArray *powerdown_hooks;  /* DmHook */
    bool irq_level[DM_NUM_IRQS];
    DmIrqObserverFn *irq_observer;
    void *irq_observer_opaque;
    /* Xen guests: INTx per slot/pin and PIRQ link routes, for the glue. */
    bool pci_intx_level[32][4];
    uint8_t pci_link_route[4];
    const DmPlatformHooks *platform;
    void *platform_opaque;
    GMainLoop *loop;
    guint reset_pending;
    guint shutdown_pending;
    guint suspend_pending;
    int exit_status;
    bool exiting;
} DmMachine;

/* Builds the board for opts (takes ownership); nothing is started yet. */
DmMachine *dm_machine_new(DmOptions *opts, GError **errp);
void dm_machine_free(DmMachine *m);
/* Opens the chardevs, monitors and qtest; enters the initial run state. */
gboolean dm_machine_start(DmMachine *m, GError **errp);
DmChardev *dm_machine_find_chardev(DmMachine *m, const char *id);

const char *dm_runstate_name(DmRunState s);
bool dm_machine_is_running(const DmMachine *m);

/* QMP-level operations; each emits the events QEMU emits. */
void dm_machine_vm_start(DmMachine *m);
void dm_machine_vm_stop(DmMachine *m, DmRunState new_state);
gboolean dm_machine_cont(DmMachine *m, GError **errp);
void dm_machine_stop(DmMachine *m);
void dm_machine_reset(DmMachine *m, bool guest);
void dm_machine_powerdown(DmMachine *m);
/* reason: QEMU's ShutdownCause name ("host-qmp-quit", "guest-shutdown"...) */
void dm_machine_shutdown(DmMachine *m, bool guest, const char *reason);
void dm_machine_quit(DmMachine *m, int status);

void dm_machine_add_reset_hook(DmMachine *m, DmHookFn *fn, void *opaque);
void dm_machine_add_powerdown_hook(DmMachine *m, DmHookFn *fn, void *opaque);

void dm_machine_set_irq(DmMachine *m, unsigned irq, bool level);
void dm_machine_set_pci_intx(DmMachine *m, unsigned slot, unsigned pin,
                             bool level);
void dm_machine_set_pci_link_route(DmMachine *m, unsigned link,
                                   unsigned irq);
/* Guest-initiated, handled from the main loop as QEMU does. */
void dm_machine_request_reset(DmMachine *m);
void dm_machine_request_shutdown(DmMachine *m);
/* ACPI S3: a running VM becomes "suspended" (vCPUs stop, clocks run). */
void dm_machine_request_suspend(DmMachine *m);
void dm_machine_suspend(DmMachine *m);
void dm_machine_set_irq_observer(DmMachine *m, DmIrqObserverFn *fn,
                                 void *opaque);

/* Sends an event to every monitor past capabilities negotiation. */
void dm_machine_event(DmMachine *m, const char *name, const DmJson *data);

#endif
