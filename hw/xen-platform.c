/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Xen platform PCI device as QEMU 7.2 builds it for xenfv machines: the
 * fixed ports 0x10-0x1f of Xen's emulated-device unplug protocol
 * (xen.git docs/misc/hvm-emulated-unplug.pandoc), an I/O BAR and the
 * 16 MiB MMIO BAR guests use as space for grant tables and shared pages.
 */
#include "hw/xen-platform.h"
#include "dm/dm-error.h"
#include "dm/machine-types.h"
#include "hw/i440fx.h"

#define XENPLAT_IOPORT 0x10
#define XENPLAT_IOPORT_SIZE 16
#define XENPLAT_BAR_IO_SIZE 0x100
#define XENPLAT_BAR_MMIO_SIZE 0x1000000

#define PCI_VENDOR_ID_XEN 0x5853
#define PCI_DEVICE_ID_XEN_PLATFORM 0x0001
#define PCI_CLASS_OTHERS 0xff80

/* Fixed ports, offsets from 0x10; one offset, several registers. */
#define XEN_IOPORT_MAGIC 0            /* word read */
#define XEN_IOPORT_UNPLUG 0           /* word write */
#define XEN_IOPORT_PLATFLAGS 0        /* byte read/write */
#define XEN_IOPORT_PROTOVER 2         /* byte read */
#define XEN_IOPORT_LOG 2              /* byte write */
#define XEN_IOPORT_PRODNUM 2          /* word write */
#define XEN_IOPORT_MAGIC_VALUE 0x49d2
#define XEN_IOPORT_PROTOVER_VALUE 1

#define PFFLAG_ROM_LOCK 0x01

/* XEN_IOPORT_UNPLUG bits; "aux" loses to "all" when both are set. */
#define UNPLUG_IDE_SCSI_DISKS 0x01
#define UNPLUG_ALL_NICS 0x02
#define UNPLUG_AUX_IDE_DISKS 0x04
#define UNPLUG_NVME_DISKS 0x08

/* BAR0 offsets: flags, then SUSE's older unplug ports (xen-kmp, VMDP). */
#define BAR_IO_PLATFLAGS 0
#define BAR_IO_SUSE_UNPLUG 4
#define BAR_IO_SUSE_UNPLUG_OR_LOG 8

/* Guest PV drivers print through the log port one byte at a time. */
static void xenplat_log_byte(XenPlatform *s, uint8_t c)
{
    /* As QEMU, the byte that finds the buffer full is dropped. */
    if (c == '\n' || s->log_len == sizeof(s->log) - 1) {
        g_autofree char *line = NULL;

        s->log[s->log_len] = '\0';
        /* Guest bytes: no terminal control sequences into our log. */
        line = g_strescape(s->log, NULL);
        g_info("xen-platform: guest log: %s", line);
        s->log_len = 0;
        return;
    }
    s->log[s->log_len++] = (char)c;
}

/*
 * There are no emulated disks or NICs to take away, so a request is only
 * recorded and logged; the guest goes on to its PV drivers either way.
 */
static void xenplat_unplug(XenPlatform *s, uint16_t mask)
{
    bool aux = (mask & UNPLUG_AUX_IDE_DISKS) &&
               !(mask & UNPLUG_IDE_SCSI_DISKS);

    if (mask & UNPLUG_IDE_SCSI_DISKS) {
        g_info("xen-platform: guest unplugs all IDE and SCSI disks");
    }
    if (aux) {
        g_info("xen-platform: guest unplugs IDE disks but the primary "
               "master");
    }
    if (mask & UNPLUG_NVME_DISKS) {
        g_info("xen-platform: guest unplugs NVMe disks");
    }
    if (mask & UNPLUG_ALL_NICS) {
        g_info("xen-platform: guest unplugs all NICs");
    }
    s->unplug_requested |= mask & (UNPLUG_IDE_SCSI_DISKS | UNPLUG_ALL_NICS |
                                   UNPLUG_AUX_IDE_DISKS | UNPLUG_NVME_DISKS);
}

/*
 * Under Xen QEMU keeps the bit only when the hypervisor accepted the p2m
 * change of 0xc0000-0xfffff; that call belongs to the Xen glue.
 */
static void xenplat_set_flags(XenPlatform *s, uint8_t v)
{
    s->flags = v & PFFLAG_ROM_LOCK;
}

/* Byte and word registers differ at the same offset; dwords read ~0. */
static uint64_t xenplat_fixed_read(void *opaque, uint64_t off, unsigned size)
{
    XenPlatform *s = opaque;

    if (size == 1) {
        switch (off) {
        case XEN_IOPORT_PLATFLAGS:
            return s->flags;
        case XEN_IOPORT_PROTOVER:
            return XEN_IOPORT_PROTOVER_VALUE;
        default:
            return 0xff;
        }
    }
    if (size == 2) {
        return off == XEN_IOPORT_MAGIC ? XEN_IOPORT_MAGIC_VALUE : 0xffff;
    }
    return UINT32_MAX;
}

static void xenplat_fixed_write(void *opaque, uint64_t off, uint64_t v,
                                unsigned size)
{
    XenPlatform *s = opaque;

    if (size == 1) {
        if (off == XEN_IOPORT_PLATFLAGS) {
            xenplat_set_flags(s, (uint8_t)v);
        } else if (off == XEN_IOPORT_LOG) {
            xenplat_log_byte(s, (uint8_t)v);
        }
    } else if (size == 2) {
        if (off == XEN_IOPORT_UNPLUG) {
            xenplat_unplug(s, (uint16_t)v);
        } else if (off == XEN_IOPORT_PRODNUM) {
            /* 1 is Citrix's Windows drivers, 3 Linux; any value is kept. */
            s->driver_product = (uint16_t)v;
            g_info("xen-platform: PV driver product %u", s->driver_product);
        }
    }
    /* Dword writes at 0x10 carry the driver build number: ignored. */
}

static const DmRegionOps xenplat_fixed_ops = {
    .read = xenplat_fixed_read,
    .write = xenplat_fixed_write,
    .max_access = 4,
    .unaligned = true,
};

static uint64_t xenplat_bar_io_read(void *opaque, uint64_t off,
                                    unsigned size)
{
    XenPlatform *s = opaque;

    return off == BAR_IO_PLATFLAGS ? s->flags : 0xff;
}

static void xenplat_bar_io_write(void *opaque, uint64_t off, uint64_t v,
                                 unsigned size)
{
    XenPlatform *s = opaque;

    switch (off) {
    case BAR_IO_PLATFLAGS:
        xenplat_set_flags(s, (uint8_t)v);
        break;
    case BAR_IO_SUSE_UNPLUG:
        /* xenlinux's unconditional outl(1, ioaddr + 4): everything. */
        if (v == 1) {
            xenplat_unplug(s, UNPLUG_IDE_SCSI_DISKS | UNPLUG_ALL_NICS);
        }
        break;
    case BAR_IO_SUSE_UNPLUG_OR_LOG:
        /* Old VMDP wrote 1 or 2 here; other bytes are the log port. */
        if (v == 1) {
            xenplat_unplug(s, UNPLUG_IDE_SCSI_DISKS);
        } else if (v == 2) {
            xenplat_unplug(s, UNPLUG_ALL_NICS);
        } else {
            xenplat_log_byte(s, (uint8_t)v);
        }
        break;
    default:
        break;
    }
}

static const DmRegionOps xenplat_bar_io_ops = {
    .read = xenplat_bar_io_read,
    .write = xenplat_bar_io_write,
    .max_access = 1,
};

/* Guests map Xen pages over this range; the device itself has nothing. */
static uint64_t xenplat_bar_mmio_read(void *opaque, uint64_t off,
                                      unsigned size)
{
    return 0;
}

static void xenplat_bar_mmio_write(void *opaque, uint64_t off, uint64_t v,
                                   unsigned size)
{
}

static const DmRegionOps xenplat_bar_mmio_ops = {
    .read = xenplat_bar_mmio_read,
    .write = xenplat_bar_mmio_write,
};

static bool xenplat_present(DmMachine *m)
{
    const DmMachineType *t = dm_machine_type_find(m->machine_type);

    return t && t->xen_platform;
}

/* QEMU places it with devfn -1: function 0 of the first empty slot. */
static int xenplat_free_slot(const PciBus *bus)
{
    for (int devfn = 0; devfn < 256; devfn += 8) {
        if (!bus->devices[devfn]) {
            return devfn;
        }
    }
    return -1;
}

static gboolean xenplat_realize(DmMachine *m, void *opaque, GError **errp)
{
    XenPlatform *s = opaque;
    I440fx *host = dm_machine_find_device(m, i440fx_info.name);
    uint8_t *conf = s->pci.config;
    int devfn;

    g_assert(host);
    s->machine = m;
    devfn = xenplat_free_slot(host->bus);
    if (devfn < 0) {
        g_set_error(errp, DM_ERROR, DM_ERROR_INVALID,
                    "no free PCI slot on bus 0");
        return FALSE;
    }
    if (!pci_device_init(&s->pci, host->bus, (uint8_t)devfn, "xen-platform",
                         PCI_VENDOR_ID_XEN, PCI_DEVICE_ID_XEN_PLATFORM, 1,
                         PCI_CLASS_OTHERS, errp)) {
        return FALSE;
    }
    pci_set_word(conf + PCI_SUBSYSTEM_VENDOR_ID, PCI_VENDOR_ID_XEN);
    pci_set_word(conf + PCI_SUBSYSTEM_ID, PCI_DEVICE_ID_XEN_PLATFORM);
    /* QEMU sets decoding on here; the machine's first reset clears it. */
    pci_set_word(conf + PCI_COMMAND, PCI_COMMAND_IO | PCI_COMMAND_MEMORY);
    /* INTA is advertised but never driven: Xen raises the callback GSI. */
    conf[PCI_INTERRUPT_PIN] = 1;

    dm_region_init_io(&s->bar_io, "xen-pci", XENPLAT_BAR_IO_SIZE,
                      &xenplat_bar_io_ops, s);
    pci_register_bar(&s->pci, 0, PCI_BASE_ADDRESS_SPACE_IO, &s->bar_io);
    dm_region_init_io(&s->bar_mmio, "xen-mmio", XENPLAT_BAR_MMIO_SIZE,
                      &xenplat_bar_mmio_ops, s);
    pci_register_bar(&s->pci, 1, PCI_BASE_ADDRESS_MEM_PREFETCH,
                     &s->bar_mmio);

    dm_region_init_io(&s->fixed_io, "xen-fixed", XENPLAT_IOPORT_SIZE,
                      &xenplat_fixed_ops, s);
    dm_space_map(m->io, &s->fixed_io, XENPLAT_IOPORT, 0);
    return TRUE;
}

static void xenplat_reset(void *opaque)
{
    XenPlatform *s = opaque;

    pci_device_reset(&s->pci);
    xenplat_set_flags(s, 0);
}

static void xenplat_unrealize(void *opaque)
{
    XenPlatform *s = opaque;

    dm_space_unmap(&s->fixed_io);
    pci_device_exit(&s->pci);
}

/* As QEMU: the loaded flags are written again, which masks them. */
static gboolean xenplat_post_load(void *opaque, int version, GError **errp)
{
    XenPlatform *s = opaque;

    xenplat_set_flags(s, s->flags);
    pci_update_mappings(&s->pci);
    return TRUE;
}

static const SaveField xenplat_fields[] = {
    SAVE_FIELD_STRUCT(XenPlatform, pci, PciDevice, pci_device_section),
    SAVE_FIELD_U8(XenPlatform, flags),
    SAVE_END
};

/* QEMU 7.2 refuses anything older than version 4 as well. */
static const SaveSection xenplat_section = {
    .name = "platform",
    .version = 4,
    .minimum_version = 4,
    .fields = xenplat_fields,
    .post_load = xenplat_post_load,
};

const HwDeviceInfo xenplat_info = {
    .name = "platform",
    .instance_size = sizeof(XenPlatform),
    .present = xenplat_present,
    .realize = xenplat_realize,
    .reset = xenplat_reset,
    .unrealize = xenplat_unrealize,
    .state = &xenplat_section,
};
