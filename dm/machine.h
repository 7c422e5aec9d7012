/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The machine: the one mutable object, owning everything else. */
#ifndef DM_MACHINE_H
#define DM_MACHINE_H

#include "dm/clock.h"
#include "dm/machine-compat.h"
#include "dm/options.h"
#include "dm/space.h"
#include "ram/guest-ram.h"
#include "ram/ram-block.h"

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

/* An outgoing migrate, as query-migrate reports it. */
typedef enum {
    DM_MIGRATE_NONE,
    DM_MIGRATE_SETUP,
    DM_MIGRATE_ACTIVE,
    DM_MIGRATE_COMPLETED,
    DM_MIGRATE_FAILED,
} DmMigrateStatus;

typedef struct DmMigration {
    DmMigrateStatus status;
    /* "globalstate": what a save records, what the last load received */
    DmRunState source_runstate;
    DmRunState received_runstate;
    bool runstate_received;
    bool events;              /* capability "events": MIGRATION events */
    char *error;              /* owned; why it failed */
    int64_t total_ms;
    int64_t downtime_ms;
    uint64_t bytes;
    uint64_t ram_total;
    uint64_t zero_pages;
    uint64_t data_pages;
    /* Live migrate (dm/qmp-state.c): figures as query-migrate shows them. */
    uint64_t remaining;       /* bytes still owed */
    uint64_t dirty_syncs;
    uint64_t dirty_pages_rate;
    uint64_t pages_per_second;
    uint64_t precopy_bytes;   /* sent while the guest ran */
    double mbps;
    int64_t setup_ms;
    int64_t expected_downtime_ms;
    /* migrate-set-parameters; 0: not set, QEMU 7.2's defaults */
    uint64_t max_bandwidth;   /* bytes per second; UINT64_MAX: no limit */
    uint64_t downtime_limit_ms;
    struct DmLiveMigrate *live;       /* while a live migrate runs */
} DmMigration;

typedef struct DmMonitor DmMonitor;
typedef struct DmQtest DmQtest;
typedef struct DmChardev DmChardev;
typedef struct DmMachine DmMachine;

typedef void DmHookFn(void *opaque);
/* Told after the run state changed through vm_start / vm_stop. */
typedef void DmRunStateFn(void *opaque, DmRunState state);

/* IRQ lines as the interrupt controller sees them (ISA 0-15, then GSIs). */
#define DM_NUM_IRQS 24
typedef void DmIrqObserverFn(void *opaque, unsigned irq, bool level);

/* What goes to the hypervisor when stubdm serves a Xen guest. */
typedef struct DmPlatformHooks {
    /* The address spaces exist and nothing is mapped yet. */
    void (*attach)(void *opaque, DmMachine *m);
    void (*set_pci_intx)(void *opaque, unsigned slot, unsigned pin,
                         bool level);
    void (*set_pci_link_route)(void *opaque, unsigned link, unsigned irq);
    void (*reset)(void *opaque);
    void (*poweroff)(void *opaque);
    /* ACPI S3 entered and left (qemu-xen: HVM_PARAM_ACPI_S_STATE). */
    void (*suspend)(void *opaque);
    void (*wakeup)(void *opaque);
} DmPlatformHooks;

typedef struct DmMachine {
    DmOptions *opts;          /* owned */
    const char *machine_type;
    DmCompat compat;          /* what machine_type changes; fixed */
    DmClock *clock;
    DmSpace *io;              /* port I/O */
    DmSpace *mem;             /* guest-physical memory */
    DmSpace *pci_mem;         /* what PAM/SMRAM windows show when not RAM */
    DmRunState runstate;
    bool autostart;           /* start once an incoming load completes */
    bool incoming_started;    /* migrate-incoming was given */
    RamGuest *guest_ram;      /* qtest only: Xen owns guest RAM otherwise */
    DmRegion ram_low;
    DmRegion ram_high;
    RamRegistry *ram;         /* blocks that travel in the RAM section */
    RamBlock *bios;           /* pc.bios (qtest), NULL otherwise */
    DmRegion bios_region;     /* pc.bios, ending at 4 GiB in mem */
    DmRegion isa_bios;        /* its last 128 KiB at 1 MiB in pci_mem */
    DmRegion option_rom;      /* pc.rom at 0xc0000 in pci_mem */
    GPtrArray *chardevs;      /* DmChardev */
    GPtrArray *monitors;      /* DmMonitor */
    DmQtest *qtest;
    GPtrArray *devices;       /* HwDevice, in save order */
    struct DmFdsets *fdsets;  /* add-fd */
    GHashTable *named_fds;    /* getfd: name -> fd + 1, closed on removal */
    DmMigration migration;
    bool dirty_log;           /* xen-set-global-dirty-log */
    GArray *reset_hooks;      /* DmHook */
    GArray *powerdown_hooks;  /* DmHook */
    GArray *wakeup_hooks;     /* DmHook: after the devices' reset */
    bool wakeup_support;      /* S3 can be left: set by the ACPI device */
    GArray *runstate_listeners;       /* DmRunStateListener */
    bool irq_level[DM_NUM_IRQS];
    DmIrqObserverFn *irq_observer;
    void *irq_observer_opaque;
    /* Xen guests: INTx per slot/pin and PIRQ link routes, for the glue. */
    bool pci_intx_level[32][4];
    uint8_t pci_link_route[4];
    struct SaveGlobalState *global_state;     /* save/global-state.c */
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
/*
 * -accel xen: the board without guest RAM or firmware (Xen owns them),
 * its I/O going to hooks (toolstack-glue/xen.h).
 */
DmMachine *dm_machine_new_platform(DmOptions *opts,
                                   const DmPlatformHooks *hooks,
                                   void *opaque, GError **errp);
void dm_machine_free(DmMachine *m);
/* Opens the chardevs, monitors and qtest; enters the initial run state. */
gboolean dm_machine_start(DmMachine *m, GError **errp);
DmChardev *dm_machine_find_chardev(DmMachine *m, const char *id);

const char *dm_runstate_name(DmRunState s);
/* The state QEMU calls name, if stubdm has it. */
bool dm_runstate_from_name(const char *name, DmRunState *out);
bool dm_machine_is_running(const DmMachine *m);

/*
 * Loads a migration stream from fd:N|fd:NAME, file:PATH or exec:CMD into
 * the machine in state "inmigrate", then runs it (autostart) or pauses it.
 */
gboolean dm_machine_incoming(DmMachine *m, const char *uri, GError **errp);
/* UNEMULATED_SKIPPED {"sections": [...]} after a load that skipped some. */
void dm_machine_report_skipped(DmMachine *m, GPtrArray *skipped);

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
/* E.g. toolstack-glue/xenstore.c: device-model/<domid>/state. */
void dm_machine_add_runstate_listener(DmMachine *m, DmRunStateFn *fn,
                                      void *opaque);

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
/*
 * QEMU 7.2's wake-up of a PC (QMP system_wakeup): the devices reset
 * without a RESET event, wakeup hooks run (the ACPI device sets WAK_STS),
 * and the VM runs again. Refused unless the VM is suspended and the
 * machine has an ACPI device to wake it.
 */
gboolean dm_machine_wakeup(DmMachine *m, GError **errp);
void dm_machine_add_wakeup_hook(DmMachine *m, DmHookFn *fn, void *opaque);
void dm_machine_set_irq_observer(DmMachine *m, DmIrqObserverFn *fn,
                                 void *opaque);

/*
 * Guest-physical bytes [addr, addr + len) were written from outside a
 * RAM block's owner (qtest): marks the pages dirty for a live save.
 */
void dm_machine_mark_dirty(DmMachine *m, uint64_t addr, uint64_t len);

/* Sends an event to every monitor past capabilities negotiation. */
void dm_machine_event(DmMachine *m, const char *name, const DmJson *data);

#endif
