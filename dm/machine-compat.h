/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Machine-type compat: what an older machine type changes in the devices
 * stubdm emulates and in the stream it writes. One table (machine-compat.c)
 * lists every difference once, by the newest type that still has it, as
 * QEMU 7.2's hw_compat_X_Y / pc_compat_X_Y lists do; devices and the
 * stream code read the resolved flags and never compare version numbers.
 */
#ifndef DM_MACHINE_COMPAT_H
#define DM_MACHINE_COMPAT_H

#include <glib.h>
#include <stdbool.h>

typedef struct DmCompat {
    /* The stream (spec qemu-stream §6.1). */
    bool configuration;       /* configuration section and footers: 2.4+ */
    bool suppress_vmdesc;     /* default of suppress-vmdesc: on for 2.0-2.2 */
    bool store_global_state;  /* "globalstate" always sent: 2.4+, not Xen */
    bool pcihost_config_reg;  /* "PCIHost" section with 0xcf8: 5.1+ */
    bool pcspk_migrate;       /* "pcspk" section: 2.8+ */
    /* PIIX4 PM: fields and subsections that exist for some types only. */
    bool piix4_smbus_migrate; /* "pmsmb" inside piix4_pm: 4.0+ */
    bool piix4_bridge_hotplug;        /* bus-select hotplug form: 2.0+ */
    bool piix4_acpi_index;    /* acpi_index field: 7.0+ */
    bool piix4_memhp;         /* piix4_pm/memhp subsection: 2.1+ */
    bool piix4_acpi_only;     /* SMI on APM writes never raised: 6.0+ */
    /* Firmware picked when -bios is absent: the size of pc.bios. */
    const char *default_bios;
    /*
     * -machine pc-1.0,qemu-kvm-migration=on: streams of the qemu-kvm 1.0
     * fork, whose i8254 and piix4_pm sections say version 2 but carry
     * upstream's version-3 layout.
     */
    bool qemu_kvm_1_0;
} DmCompat;

/*
 * The flags for a machine type (canonical name or alias; an unknown name
 * gets the newest behaviour). xen: the guest is a Xen HVM domain, which
 * QEMU treats as a compat of its own (no footers, no bridge hotplug).
 */
DmCompat dm_compat_for(const char *machine_type, bool xen, bool qemu_kvm);

/*
 * The layout a section arriving with wire_version really has on this
 * machine: wire_version itself except for the qemu-kvm 1.0 sections.
 */
int dm_compat_layout_version(const DmCompat *c, const char *section,
                             int wire_version);

/*
 * A hint for a refused stream whose sections looked like qemu-kvm 1.0's
 * (section and wire version seen); NULL when there is none to give.
 */
const char *dm_compat_dialect_hint(const DmCompat *c, const char *section,
                                   int wire_version);

#endif
