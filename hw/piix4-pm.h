/* SPDX-License-Identifier: GPL-2.0-or-later */
/* PIIX4 power management function (00:01.3): ACPI, APM, SMBus, hotplug. */
#ifndef HW_PIIX4_PM_H
#define HW_PIIX4_PM_H

#include "hw/hw.h"
#include "hw/pci.h"
#include "hw/pm-smbus.h"

/* Buses QEMU's ACPI PCI hotplug can select; only bus 0 exists here. */
#define PIIX4_PM_HOTPLUG_BUSES 256
/* QEMU's limit for i440FX machines (255 APIC IDs), rounded up. */
#define PIIX4_PM_MAX_CPUS 256

typedef struct Piix4PmApm {
    uint8_t apmc;             /* port 0xb2 */
    uint8_t apms;             /* port 0xb3 */
} Piix4PmApm;

/* GPE0 status and enable as little-endian register values (ports +0/+1). */
typedef struct Piix4PmGpe {
    uint16_t sts;
    uint16_t en;
} Piix4PmGpe;

typedef struct Piix4PmPciStatus {
    uint32_t up;              /* kept for migration; always 0 here */
    uint32_t down;            /* slots with an eject request pending */
} Piix4PmPciStatus;

typedef struct Piix4PmCpuStatus {
    bool is_inserting;
    bool is_removing;
    uint32_t ost_event;
    uint32_t ost_status;
} Piix4PmCpuStatus;

typedef struct Piix4PmCpuHotplug {
    uint32_t selector;
    uint8_t command;
    uint32_t dev_count;       /* possible CPUs (maxcpus); not on the wire */
    Piix4PmCpuStatus devs[PIIX4_PM_MAX_CPUS];
} Piix4PmCpuHotplug;

typedef struct Piix4Pm {
    PciDevice pci;            /* first: the core casts between them */
    /* Saved ("piix4_pm" v3), in QEMU 7.2's order. */
    uint16_t pm1_sts;
    uint16_t pm1_en;
    uint16_t pm1_cnt;         /* SLP_EN always reads 0 */
    Piix4PmApm apm;
    PmSmbus smb;
    DmTimer tmr;              /* next PM timer overflow, for the SCI */
    int64_t overflow_time;    /* in PM timer ticks, not ns */
    Piix4PmGpe gpe;
    uint32_t hotplug_select;
    Piix4PmPciStatus pci_status[PIIX4_PM_HOTPLUG_BUSES];
    uint32_t acpi_index;
    uint32_t memhp_selector;  /* "piix4_pm/memhp"; no memory slots */
    Piix4PmCpuHotplug cpuhp;  /* "piix4_pm/cpuhp" */

    /*
     * Private to stubdm. The machine-type switches are state because the
     * table's tests read them: a staging copy must start from the device.
     */
    DmMachine *machine;
    bool acpi_only;           /* SCI_EN fixed at 1 (no SMM, 6.0+) */
    bool smbus_migrated;      /* pc-i440fx-4.0+ */
    bool bridge_hotplug;      /* hotplug with bridges: not Xen, 2.0+ */
    bool migrate_acpi_index;  /* 7.0+ */
    bool memhp_enabled;       /* 2.1+ */
    bool cpu_hotplug_legacy;  /* until the guest switches to modern */
    unsigned cpus;            /* present CPUs */
    DmRegion evt_io;          /* PM1a_EVT at PMBA + 0 */
    DmRegion cnt_io;          /* PM1a_CNT at PMBA + 4 */
    DmRegion tmr_io;          /* PM_TMR at PMBA + 8 */
    DmRegion gpe_io;
    DmRegion apm_io;
    DmRegion pcihp_io;
    DmRegion cpuhp_io;        /* legacy bitmap or modern registers */
} Piix4Pm;

extern const HwDeviceInfo piix4_pm_info;

/* Shared by hw/piix4-pm.c and hw/piix4-pm-hotplug.c only. */
void piix4_pm_hotplug_realize(Piix4Pm *s);
void piix4_pm_hotplug_reset(Piix4Pm *s);
/* Maps the legacy or the modern CPU hotplug block, per the state. */
void piix4_pm_hotplug_map_cpu(Piix4Pm *s);
extern const SaveSection piix4_pm_pci_status_section;
extern const SaveSection piix4_pm_pcihp_status_section;
extern const SaveSection piix4_pm_memhp_section;
extern const SaveSection piix4_pm_cpuhp_section;

#endif
