/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The hotplug ports QEMU 7.2 gives its PIIX4 PM function: ACPI PCI hotplug
 * at 0xae00 (QEMU docs/specs/acpi_pci_hotplug.rst, hw/acpi/pcihp.c) and
 * CPU hotplug at 0xaf00, legacy bitmap then modern registers
 * (docs/specs/acpi_cpu_hotplug.rst, hw/acpi/cpu.c). Nothing is ever
 * plugged here; the guest's ACPI code still reads them, and their state
 * travels in "piix4_pm".
 */
#include "hw/piix4-pm.h"

/* QEMU's ACPI PCI hotplug interface (docs/specs/acpi_pci_hotplug.rst). */
#define PCIHP_BASE 0xae00
#define PCIHP_LEN 0x18
#define PCIHP_UP 0x00
#define PCIHP_DOWN 0x04
#define PCIHP_EJ 0x08
#define PCIHP_RMV 0x0c
#define PCIHP_SEL 0x10
#define PCIHP_AIDX 0x14
/* i440FX (slot 0) and PIIX (slot 1) cannot be unplugged. */
#define PCIHP_FIXED_SLOTS 0x00000003u

/* QEMU's CPU hotplug interface (docs/specs/acpi_cpu_hotplug.rst). */
#define CPUHP_BASE 0xaf00
#define CPUHP_LEGACY_LEN 32
#define CPUHP_LEN 12
#define CPUHP_DATA2 0
#define CPUHP_SELECTOR 0
#define CPUHP_FLAGS 4
#define CPUHP_CMD 5
#define CPUHP_DATA 8
#define CPUHP_FLAG_ENABLED 0x01
#define CPUHP_FLAG_INSERT 0x02
#define CPUHP_FLAG_REMOVE 0x04
#define CPUHP_CMD_GET_NEXT_EVENT 0
#define CPUHP_CMD_OST_EVENT 1
#define CPUHP_CMD_OST_STATUS 2
#define CPUHP_CMD_GET_CPU_ID 3
#define CPUHP_CMD_MAX 4

/* Slots of bus bsel whose devices the guest may eject. */
static uint32_t pcihp_removable(const Piix4Pm *s, uint32_t bsel)
{
    return bsel == 0 ? ~PCIHP_FIXED_SLOTS : UINT32_MAX;
}

/*
 * 32-bit accesses only: QEMU refuses others (reads 0, writes dropped).
 * Without bridge hotplug the selector stays on bus 0 and UP is not
 * cleared by reading it (QEMU's "legacy PIIX" mode).
 */
static uint64_t pcihp_read(void *opaque, uint64_t off, unsigned size)
{
    Piix4Pm *s = opaque;
    uint32_t bsel = s->hotplug_select, v;

    if (size != 4 || off & 3 || bsel >= PIIX4_PM_HOTPLUG_BUSES) {
        return 0;
    }
    switch (off) {
    case PCIHP_UP:
        v = s->pci_status[bsel].up;
        if (s->bridge_hotplug) {
            s->pci_status[bsel].up = 0;
        }
        return v;
    case PCIHP_DOWN:
        return s->pci_status[bsel].down;
    case PCIHP_RMV:
        return pcihp_removable(s, bsel);
    case PCIHP_SEL:
        return s->hotplug_select;
    case PCIHP_AIDX:
        v = s->acpi_index;
        s->acpi_index = 0;
        return v;
    default:
        return 0;
    }
}

static void pcihp_write(void *opaque, uint64_t off, uint64_t val,
                        unsigned size)
{
    Piix4Pm *s = opaque;
    uint32_t bsel = s->hotplug_select, v = val;
    unsigned slot = v ? __builtin_ctz(v) : 32;

    if (size != 4 || off & 3) {
        return;
    }
    /* No device here has an acpi-index, so a lookup always yields 0. */
    s->acpi_index = 0;
    switch (off) {
    case PCIHP_EJ:
        /* Only bus 0 exists; nothing on it can be ejected. */
        if (bsel == 0 && slot < 32) {
            s->pci_status[0].down &= ~(1u << slot);
            s->pci_status[0].up &= ~(1u << slot);
        }
        break;
    case PCIHP_SEL:
        s->hotplug_select = s->bridge_hotplug ? v : 0;
        break;
    default:
        break;
    }
}

static const DmRegionOps pcihp_ops = {
    .read = pcihp_read,
    .write = pcihp_write,
};

/* Legacy CPU hotplug: a bitmap of present CPUs by APIC ID (flat topology). */
static uint64_t cpuhp_legacy_read(void *opaque, uint64_t off, unsigned size)
{
    Piix4Pm *s = opaque;
    unsigned first = 8 * off;

    if (first >= s->cpus) {
        return 0;
    }
    return s->cpus - first >= 8 ? 0xff : (1u << (s->cpus - first)) - 1;
}

/* Writing 0 at the bitmap's start switches to the modern interface. */
static void cpuhp_legacy_write(void *opaque, uint64_t off, uint64_t val,
                               unsigned size)
{
    Piix4Pm *s = opaque;

    if (off == 0 && val == 0) {
        s->cpu_hotplug_legacy = false;
        piix4_pm_hotplug_map_cpu(s);
    }
}

static const DmRegionOps cpuhp_legacy_ops = {
    .read = cpuhp_legacy_read,
    .write = cpuhp_legacy_write,
    .max_access = 1,
};

/* Modern CPU hotplug: selector, flags, command and data registers. */
static uint64_t cpuhp_read(void *opaque, uint64_t off, unsigned size)
{
    Piix4Pm *s = opaque;
    uint32_t sel = s->cpuhp.selector;
    const Piix4PmCpuStatus *c;

    if (sel >= s->cpuhp.dev_count) {
        return 0;
    }
    c = &s->cpuhp.devs[sel];
    switch (off) {
    case CPUHP_FLAGS:
        return (sel < s->cpus ? CPUHP_FLAG_ENABLED : 0) |
               (c->is_inserting ? CPUHP_FLAG_INSERT : 0) |
               (c->is_removing ? CPUHP_FLAG_REMOVE : 0);
    case CPUHP_DATA:
        /* GET_CPU_ID: the APIC ID, which is the index here. */
        return s->cpuhp.command == CPUHP_CMD_GET_NEXT_EVENT ||
               s->cpuhp.command == CPUHP_CMD_GET_CPU_ID ? sel : 0;
    default:
        /* CPUHP_DATA2: the APIC ID's upper half, always 0. */
        return 0;
    }
}

static void cpuhp_select_next_event(Piix4PmCpuHotplug *h, unsigned n)
{
    uint32_t i = h->selector;

    do {
        if (h->devs[i].is_inserting || h->devs[i].is_removing) {
            h->selector = i;
            return;
        }
        i = i + 1 < n ? i + 1 : 0;
    } while (i != h->selector);
}

/* QEMU tells QMP clients of every _OST status the guest reports. */
static void cpuhp_event_ost(Piix4Pm *s, uint32_t sel)
{
    const Piix4PmCpuStatus *c = &s->cpuhp.devs[sel];
    g_autoptr(DmJson) data = dm_json_new_object();
    DmJson *info = dm_json_new_object();
    g_autofree char *slot = g_strdup_printf("%u", sel);

    dm_json_object_set_string(info, "slot", slot);
    dm_json_object_set_string(info, "slot-type", "CPU");
    dm_json_object_set_int(info, "source", c->ost_event);
    dm_json_object_set_int(info, "status", c->ost_status);
    dm_json_object_set(data, "info", info);
    dm_machine_event(s->machine, "ACPI_DEVICE_OST", data);
}

static void cpuhp_write(void *opaque, uint64_t off, uint64_t val,
                        unsigned size)
{
    Piix4Pm *s = opaque;
    Piix4PmCpuHotplug *h = &s->cpuhp;
    Piix4PmCpuStatus *c = &h->devs[MIN(h->selector, h->dev_count - 1)];

    if (off == CPUHP_SELECTOR) {
        h->selector = val;
        return;
    }
    if (h->selector >= s->cpuhp.dev_count) {
        return;
    }
    switch (off) {
    case CPUHP_FLAGS:
        /* Eject requests (bit 3) are for the toolstack; none is honoured. */
        if (val & CPUHP_FLAG_INSERT) {
            c->is_inserting = false;
        } else if (val & CPUHP_FLAG_REMOVE) {
            c->is_removing = false;
        }
        break;
    case CPUHP_CMD:
        if (val < CPUHP_CMD_MAX) {
            h->command = val;
            if (h->command == CPUHP_CMD_GET_NEXT_EVENT) {
                cpuhp_select_next_event(h, s->cpuhp.dev_count);
            }
        }
        break;
    case CPUHP_DATA:
        if (h->command == CPUHP_CMD_OST_EVENT) {
            c->ost_event = val;
        } else if (h->command == CPUHP_CMD_OST_STATUS) {
            c->ost_status = val;
            cpuhp_event_ost(s, h->selector);
        }
        break;
    default:
        break;
    }
}

static const DmRegionOps cpuhp_ops = {
    .read = cpuhp_read,
    .write = cpuhp_write,
};

void piix4_pm_hotplug_map_cpu(Piix4Pm *s)
{
    if (dm_region_mapped(&s->cpuhp_io)) {
        dm_space_unmap(&s->cpuhp_io);
    }
    if (s->cpu_hotplug_legacy) {
        dm_region_init_io(&s->cpuhp_io, "acpi-cpu-hotplug", CPUHP_LEGACY_LEN,
                          &cpuhp_legacy_ops, s);
    } else {
        dm_region_init_io(&s->cpuhp_io, "acpi-cpu-hotplug", CPUHP_LEN,
                          &cpuhp_ops, s);
    }
    dm_space_map(s->machine->io, &s->cpuhp_io, CPUHP_BASE, 0);
}

void piix4_pm_hotplug_realize(Piix4Pm *s)
{
    dm_region_init_io(&s->pcihp_io, "acpi-pci-hotplug", PCIHP_LEN,
                      &pcihp_ops, s);
    dm_space_map(s->machine->io, &s->pcihp_io, PCIHP_BASE, 0);
    piix4_pm_hotplug_map_cpu(s);
}

/* Pending ejects on bus 0 complete at reset; selectors are kept. */
void piix4_pm_hotplug_reset(Piix4Pm *s)
{
    s->pci_status[0].up &= ~s->pci_status[0].down;
    s->pci_status[0].down = 0;
}

static const SaveField pci_status_fields[] = {
    SAVE_FIELD_U32(Piix4PmPciStatus, up),
    SAVE_FIELD_U32(Piix4PmPciStatus, down),
    SAVE_END
};

/* The same layout under two names: bus 0 alone, or one per bus select. */
const SaveSection piix4_pm_pci_status_section = {
    .name = "pci_status",
    .version = 1,
    .minimum_version = 1,
    .fields = pci_status_fields,
};

const SaveSection piix4_pm_pcihp_status_section = {
    .name = "acpi_pcihp_pci_status",
    .version = 1,
    .minimum_version = 1,
    .fields = pci_status_fields,
};

static bool memhp_needed(void *opaque)
{
    return ((Piix4Pm *)opaque)->memhp_enabled;
}

/* "memory hotplug state": the selector, then one entry per slot (none). */
static const SaveField memhp_fields[] = {
    SAVE_FIELD_U32(Piix4Pm, memhp_selector),
    SAVE_END
};

const SaveSection piix4_pm_memhp_section = {
    .name = "piix4_pm/memhp",
    .version = 1,
    .minimum_version = 1,
    .fields = memhp_fields,
    .needed = memhp_needed,
};

static const SaveField cpuhp_dev_fields[] = {
    SAVE_FIELD_BOOL(Piix4PmCpuStatus, is_inserting),
    SAVE_FIELD_BOOL(Piix4PmCpuStatus, is_removing),
    SAVE_FIELD_U32(Piix4PmCpuStatus, ost_event),
    SAVE_FIELD_U32(Piix4PmCpuStatus, ost_status),
    SAVE_END
};

static const SaveSection cpuhp_dev_section = {
    .name = "CPU hotplug device state",
    .version = 1,
    .minimum_version = 1,
    .fields = cpuhp_dev_fields,
};

static const SaveField cpuhp_state_fields[] = {
    SAVE_FIELD_U32(Piix4PmCpuHotplug, selector),
    SAVE_FIELD_U8(Piix4PmCpuHotplug, command),
    /* One per possible CPU: a count the stream does not carry. */
    SAVE_FIELD_STRUCT_VARRAY(Piix4PmCpuHotplug, devs, Piix4PmCpuStatus,
                             PIIX4_PM_MAX_CPUS, dev_count, cpuhp_dev_section),
    SAVE_END
};

static const SaveSection cpuhp_state_section = {
    .name = "CPU hotplug state",
    .version = 1,
    .minimum_version = 1,
    .fields = cpuhp_state_fields,
};

static bool cpuhp_needed(void *opaque)
{
    return !((Piix4Pm *)opaque)->cpu_hotplug_legacy;
}

/* Receiving it switches to the modern interface, as in QEMU. */
static gboolean cpuhp_post_load(void *opaque, int version, GError **errp)
{
    ((Piix4Pm *)opaque)->cpu_hotplug_legacy = false;
    return TRUE;
}

static const SaveField cpuhp_fields[] = {
    SAVE_FIELD_STRUCT(Piix4Pm, cpuhp, Piix4PmCpuHotplug, cpuhp_state_section),
    SAVE_END
};

const SaveSection piix4_pm_cpuhp_section = {
    .name = "piix4_pm/cpuhp",
    .version = 1,
    .minimum_version = 1,
    .fields = cpuhp_fields,
    .needed = cpuhp_needed,
    .post_load = cpuhp_post_load,
};
