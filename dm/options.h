/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The command line, in the shape libxl gives qemu-xen. */
#ifndef DM_OPTIONS_H
#define DM_OPTIONS_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

typedef enum {
    DM_CHARDEV_SOCKET,
    DM_CHARDEV_STDIO,
} DmChardevKind;

typedef struct DmChardevConfig {
    char *id;
    DmChardevKind kind;
    char *path;               /* socket path, or NULL with fd */
    int fd;                   /* inherited socket, or -1 */
    bool server;
    bool wait;
} DmChardevConfig;

/* -rtc base=: where the guest's RTC starts. */
typedef enum {
    DM_RTC_BASE_UTC,          /* the host's UTC time (the default) */
    DM_RTC_BASE_LOCALTIME,    /* the host's local time, as UTC fields */
    DM_RTC_BASE_DATE,         /* rtc_base_date */
} DmRtcBase;

typedef struct DmMonitorConfig {
    char *chardev;
    bool pretty;
} DmMonitorConfig;

/* -drive if=pflash / -pflash: unit 0 the firmware code, 1 its variables. */
#define DM_PFLASH_UNITS 2
typedef struct DmPflashConfig {
    char *file;               /* NULL: no such unit */
    bool readonly;
} DmPflashConfig;

typedef struct DmOptions {
    int xen_domid;            /* -1 when absent */
    char *machine_type;       /* canonical name, aliases resolved */
    char *accel;              /* "xen" or "qtest"; NULL: from the rest */
    bool suppress_vmdesc;
    bool suppress_vmdesc_set; /* given; else the machine type's default */
    bool qemu_kvm_migration;  /* -machine pc-1.0,qemu-kvm-migration=on */
    /* -machine unemulated=skip: loads drop sections of devices stubdm lacks */
    bool unemulated_skip;
    uint64_t max_ram_below_4g;        /* 0: the machine's default */
    uint64_t ram_size;
    unsigned smp_cpus;
    unsigned smp_max_cpus;
    char *name;
    bool start_paused;        /* -S */
    bool no_shutdown;
    bool no_acpi;
    char *boot_order;
    char *bios;               /* -bios FILE; NULL: bios-256k.bin */
    DmPflashConfig pflash[DM_PFLASH_UNITS];
    DmRtcBase rtc_base;
    int64_t rtc_base_date;    /* DM_RTC_BASE_DATE: seconds since 1970 UTC */
    bool rtc_clock_vm;        /* -rtc clock=vm: guest time stops with the VM */
    GPtrArray *chardevs;      /* DmChardevConfig */
    GPtrArray *monitors;      /* DmMonitorConfig */
    char *qtest_chardev;      /* id of the chardev qtest talks on, or NULL */
    char *qtest_log;
    char *incoming;
    char *runas;
    char *chroot_dir;
    bool xen_domid_restrict;
    bool no_xenstore;         /* -xenstore off */
    bool daemonize;
    char *pidfile;
    bool show_help;
    bool show_version;
} DmOptions;

DmOptions *dm_options_new(void);
void dm_options_free(DmOptions *o);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(DmOptions, dm_options_free)

/*
 * Parses argv (argv[0] skipped). Errors name the option and its value and
 * come before anything has been started.
 */
gboolean dm_options_parse(DmOptions *o, int argc, char **argv,
                          GError **errp);
DmChardevConfig *dm_options_find_chardev(DmOptions *o, const char *id);
/* The --help text. */
char *dm_options_help(void);

#endif
