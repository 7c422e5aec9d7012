/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The compat table: each difference once, at the newest type having it. */
#include "dm/machine-compat.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "dm/machine-types.h"

typedef struct CompatRow {
    /* Applies to machine types major.minor and older. */
    int major, minor;
    /* QEMU 7.2's name for the switch, for messages and the README. */
    const char *property;
    size_t flag;              /* offset of a bool in DmCompat */
    bool value;
} CompatRow;

#define FLAG(f) offsetof(DmCompat, f)

/*
 * Newest first: an older row overrides a newer one on the same flag
 * (suppress-vmdesc is on for 2.0-2.2 only). Sources: spec qemu-stream
 * §6.1, checked against QEMU 7.2's hw/i386/pc_piix.c and hw/core/machine.c.
 */
static const CompatRow compat_rows[] = {
    { 6, 2, "PIIX4_PM.x-not-migrate-acpi-index=on",
      FLAG(piix4_acpi_index), false },
    { 5, 2, "PIIX4_PM.smm-compat=on", FLAG(piix4_acpi_only), false },
    { 5, 0, "i440FX-pcihost.x-config-reg-migration-enabled=off",
      FLAG(pcihost_config_reg), false },
    { 3, 1, "pc.smbus_no_migration_support=on",
      FLAG(piix4_smbus_migrate), false },
    { 2, 7, "isa-pcspk.migrate=off", FLAG(pcspk_migrate), false },
    { 2, 3, "migration.send-configuration=off,send-section-footer=off",
      FLAG(configuration), false },
    { 2, 3, "migration.store-global-state=off", FLAG(store_global_state),
      false },
    { 2, 2, "pc.suppress-vmdesc=on", FLAG(suppress_vmdesc), true },
    { 2, 0, "PIIX4_PM.memory-hotplug-support=off", FLAG(piix4_memhp), false },
    { 1, 7, "pc.suppress-vmdesc=off", FLAG(suppress_vmdesc), false },
    { 1, 7, "PIIX4_PM.acpi-pci-hotplug-with-bridge-support=off",
      FLAG(piix4_bridge_hotplug), false },
};

/* bios.bin (128 KiB) for 1.7 and older, bios-256k.bin from 2.0 on. */
#define BIOS_SMALL_UNTIL_MAJOR 1
#define BIOS_SMALL_UNTIL_MINOR 7

/* The version after the last dash: "pc-i440fx-2.8", "xenfv-3.1", "pc-1.0". */
static bool type_version(const char *machine_type, int *major, int *minor)
{
    const DmMachineType *t = machine_type ?
                             dm_machine_type_find(machine_type) : NULL;
    const char *v = t ? strrchr(t->name, '-') : NULL;
    char tail;

    return v && sscanf(v + 1, "%d.%d%c", major, minor, &tail) == 2;
}

static bool at_most(int major, int minor, int row_major, int row_minor)
{
    return major < row_major || (major == row_major && minor <= row_minor);
}

DmCompat dm_compat_for(const char *machine_type, bool xen, bool qemu_kvm)
{
    DmCompat c = {
        .configuration = true,
        .store_global_state = true,
        .pcihost_config_reg = true,
        .pcspk_migrate = true,
        .piix4_smbus_migrate = true,
        .piix4_bridge_hotplug = true,
        .piix4_acpi_index = true,
        .piix4_memhp = true,
        .piix4_acpi_only = true,
        .default_bios = "bios-256k.bin",
    };
    int major, minor;

    if (type_version(machine_type, &major, &minor)) {
        for (size_t i = 0; i < G_N_ELEMENTS(compat_rows); i++) {
            const CompatRow *r = &compat_rows[i];
            if (at_most(major, minor, r->major, r->minor)) {
                *(bool *)((char *)&c + r->flag) = r->value;
            }
        }
        if (at_most(major, minor, BIOS_SMALL_UNTIL_MAJOR,
                    BIOS_SMALL_UNTIL_MINOR)) {
            c.default_bios = "bios.bin";
        }
    }
    /* QEMU's Xen accelerator: no configuration, no footers, no bridge. */
    if (xen) {
        c.configuration = false;
        c.store_global_state = false;
        c.piix4_bridge_hotplug = false;
    }
    c.qemu_kvm_1_0 = qemu_kvm;
    return c;
}

/* Sections qemu-kvm 1.0 labelled version 2 while writing version 3. */
static const char *const qemu_kvm_v2_as_v3[] = { "i8254", "piix4_pm" };

static bool qemu_kvm_section(const char *section)
{
    for (size_t i = 0; i < G_N_ELEMENTS(qemu_kvm_v2_as_v3); i++) {
        if (!strcmp(section, qemu_kvm_v2_as_v3[i])) {
            return true;
        }
    }
    return false;
}

int dm_compat_layout_version(const DmCompat *c, const char *section,
                             int wire_version)
{
    if (c->qemu_kvm_1_0 && wire_version == 2 && qemu_kvm_section(section)) {
        return 3;
    }
    return wire_version;
}

const char *dm_compat_dialect_hint(const DmCompat *c, const char *section,
                                   int wire_version)
{
    if (!c->qemu_kvm_1_0 && wire_version == 2 && qemu_kvm_section(section)) {
        return "a stream from qemu-kvm 1.0 labels its version-3 i8254 and "
               "piix4_pm sections version 2; load it with -machine "
               "pc-1.0,qemu-kvm-migration=on";
    }
    return NULL;
}
