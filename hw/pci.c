/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * PCI core: type-0 configuration space with QEMU 7.2's default masks,
 * BAR decoding, INTx summed per bus line, and config cycles by bus/devfn
 * (from 0xcf8/0xcfc or from Xen's PCI_CONFIG requests).
 */
#include "hw/pci.h"

#include <string.h>

#define PCI_CACHE_LINE_SIZE 0x0c
#define PCI_CAPABILITY_LIST 0x34
#define PCI_ROM_ADDRESS 0x30
#define PCI_HEADER_SIZE 0x40
#define PCI_COMMAND_PARITY 0x0040
#define PCI_COMMAND_SERR 0x0100
#define PCI_STATUS_CAP_LIST 0x10
/* Error bits software clears by writing 1 (PCI 3.0, 6.2.3). */
#define PCI_STATUS_W1C 0xf900

PciBus *pci_bus_new(DmMachine *m)
{
    PciBus *bus = g_new0(PciBus, 1);

    bus->machine = m;
    return bus;
}

void pci_bus_free(PciBus *bus)
{
    g_free(bus);
}

void pci_bus_set_irq_routing(PciBus *bus, int nirq, PciMapIrqFn *map,
                             PciSetIrqFn *set, void *opaque)
{
    g_assert(nirq > 0 && nirq <= PCI_BUS_MAX_IRQS);
    bus->lines = nirq;
    memset(bus->irq_count, 0, sizeof(bus->irq_count));
    bus->map_irq = map;
    bus->set_irq = set;
    bus->irq_opaque = opaque;
}

gboolean pci_device_init(PciDevice *d, PciBus *bus, uint8_t devfn,
                         const char *name, uint16_t vendor, uint16_t device,
                         uint8_t revision, uint16_t class_code,
                         GError **errp)
{
    if (bus->devices[devfn]) {
        g_set_error(errp, SAVE_ERROR, 0,
                    "PCI function %02x.%x is taken by %s", devfn >> 3,
                    devfn & 7, bus->devices[devfn]->name);
        return FALSE;
    }
    d->bus = bus;
    d->devfn = devfn;
    d->name = name;
    d->version_id = 2;
    pci_set_word(d->config + PCI_VENDOR_ID, vendor);
    pci_set_word(d->config + PCI_DEVICE_ID, device);
    d->config[PCI_REVISION_ID] = revision;
    pci_set_word(d->config + PCI_CLASS_DEVICE, class_code);
    /* QEMU's default subsystem: Red Hat / QEMU. */
    pci_set_word(d->config + PCI_SUBSYSTEM_VENDOR_ID, 0x1af4);
    pci_set_word(d->config + PCI_SUBSYSTEM_ID, 0x1100);

    pci_set_word(d->cmask + PCI_VENDOR_ID, 0xffff);
    pci_set_word(d->cmask + PCI_DEVICE_ID, 0xffff);
    d->cmask[PCI_STATUS] = PCI_STATUS_CAP_LIST;
    d->cmask[PCI_REVISION_ID] = 0xff;
    d->cmask[PCI_CLASS_PROG] = 0xff;
    pci_set_word(d->cmask + PCI_CLASS_DEVICE, 0xffff);
    d->cmask[PCI_HEADER_TYPE] = 0xff;
    d->cmask[PCI_CAPABILITY_LIST] = 0xff;

    d->wmask[PCI_CACHE_LINE_SIZE] = 0xff;
    d->wmask[PCI_INTERRUPT_LINE] = 0xff;
    pci_set_word(d->wmask + PCI_COMMAND,
                 PCI_COMMAND_IO | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER |
                 PCI_COMMAND_INTX_DISABLE | PCI_COMMAND_SERR);
    /* Device-specific registers are writable unless the device says no. */
    memset(d->wmask + PCI_HEADER_SIZE, 0xff,
           PCI_CONFIG_SIZE - PCI_HEADER_SIZE);
    pci_set_word(d->w1cmask + PCI_STATUS, PCI_STATUS_W1C);
    for (int i = 0; i < PCI_NUM_BARS; i++) {
        d->bars[i].addr = PCI_BAR_UNMAPPED;
    }
    bus->devices[devfn] = d;
    return TRUE;
}

void pci_device_exit(PciDevice *d)
{
    for (int i = 0; i < PCI_NUM_BARS; i++) {
        if (d->bars[i].region && dm_region_mapped(d->bars[i].region)) {
            dm_space_unmap(d->bars[i].region);
        }
    }
    if (d->bus && d->bus->devices[d->devfn] == d) {
        d->bus->devices[d->devfn] = NULL;
    }
}

void pci_register_bar(PciDevice *d, int n, uint8_t type, DmRegion *region)
{
    uint64_t size = region->size;
    uint32_t wmask = ~(uint32_t)(size - 1);

    g_assert(n >= 0 && n < PCI_NUM_BARS && size && !(size & (size - 1)));
    d->bars[n].size = size;
    d->bars[n].type = type;
    d->bars[n].region = region;
    d->bars[n].addr = PCI_BAR_UNMAPPED;
    pci_set_long(d->config + PCI_BASE_ADDRESS_0 + 4 * n, type);
    pci_set_long(d->wmask + PCI_BASE_ADDRESS_0 + 4 * n,
                 type & PCI_BASE_ADDRESS_SPACE_IO ? wmask & 0xfffffffc
                                                  : wmask & 0xfffffff0);
}

/* Where BAR n decodes now, per the command register and its address. */
static uint64_t bar_address(const PciDevice *d, int n)
{
    const PciBar *b = &d->bars[n];
    uint16_t cmd = pci_get_word(d->config + PCI_COMMAND);
    uint64_t addr = pci_get_long(d->config + PCI_BASE_ADDRESS_0 + 4 * n);
    uint64_t last;

    if (b->type & PCI_BASE_ADDRESS_SPACE_IO) {
        if (!(cmd & PCI_COMMAND_IO)) {
            return PCI_BAR_UNMAPPED;
        }
    } else if (!(cmd & PCI_COMMAND_MEMORY)) {
        return PCI_BAR_UNMAPPED;
    }
    addr &= ~(b->size - 1);
    last = addr + b->size - 1;
    /* Address 0 and wrapping ranges mean "not placed yet", as in QEMU. */
    if (addr == 0 || last <= addr || last >= UINT32_MAX) {
        return PCI_BAR_UNMAPPED;
    }
    return addr;
}

void pci_update_mappings(PciDevice *d)
{
    DmMachine *m = d->bus->machine;

    for (int i = 0; i < PCI_NUM_BARS; i++) {
        PciBar *b = &d->bars[i];
        uint64_t addr;

        if (!b->size) {
            continue;
        }
        addr = bar_address(d, i);
        if (addr == b->addr) {
            continue;
        }
        if (dm_region_mapped(b->region)) {
            dm_space_unmap(b->region);
        }
        b->addr = addr;
        if (addr != PCI_BAR_UNMAPPED) {
            DmSpace *s = b->type & PCI_BASE_ADDRESS_SPACE_IO ? m->io : m->mem;
            /* BARs overlay RAM and legacy ranges, below board ROMs. */
            dm_space_map(s, b->region, addr, 1);
        }
    }
}

static void pci_update_irq_disabled(PciDevice *d, bool was_disabled)
{
    bool disabled = pci_get_word(d->config + PCI_COMMAND) &
                    PCI_COMMAND_INTX_DISABLE;
    int pin = d->config[PCI_INTERRUPT_PIN];

    if (disabled == was_disabled || pin < 1 || pin > PCI_NUM_PINS ||
        !d->irq_state[pin - 1] || !d->bus->map_irq) {
        return;
    }
    /* The pin stays asserted internally; only what the bus sees changes. */
    int line = d->bus->map_irq(d->bus->irq_opaque, d->devfn, pin - 1);
    d->bus->irq_count[line] += disabled ? -1 : 1;
    d->bus->set_irq(d->bus->irq_opaque, line, d->bus->irq_count[line] != 0);
}

void pci_device_reset(PciDevice *d)
{
    bool was_disabled = pci_get_word(d->config + PCI_COMMAND) &
                        PCI_COMMAND_INTX_DISABLE;
    uint16_t cmd = pci_get_word(d->config + PCI_COMMAND);

    pci_set_irq(d, false);
    pci_set_word(d->config + PCI_COMMAND,
                 cmd & ~pci_get_word(d->wmask + PCI_COMMAND));
    pci_set_word(d->config + PCI_STATUS,
                 pci_get_word(d->config + PCI_STATUS) &
                 ~pci_get_word(d->w1cmask + PCI_STATUS));
    d->config[PCI_CACHE_LINE_SIZE] = 0;
    d->config[PCI_INTERRUPT_LINE] = 0;
    for (int i = 0; i < PCI_NUM_BARS; i++) {
        if (d->bars[i].size) {
            pci_set_long(d->config + PCI_BASE_ADDRESS_0 + 4 * i,
                         d->bars[i].type);
        }
    }
    pci_update_irq_disabled(d, was_disabled);
    pci_update_mappings(d);
    for (int i = 0; i < PCI_CONFIG_SIZE; i++) {
        d->fixed[i] = d->config[i] & d->cmask[i];
    }
}

uint32_t pci_default_read_config(PciDevice *d, uint32_t addr, unsigned len)
{
    uint32_t v = 0;

    for (unsigned i = 0; i < len && addr + i < PCI_CONFIG_SIZE; i++) {
        v |= (uint32_t)d->config[addr + i] << (8 * i);
    }
    return v;
}

void pci_default_write_config(PciDevice *d, uint32_t addr, uint32_t val,
                              unsigned len)
{
    bool was_disabled = pci_get_word(d->config + PCI_COMMAND) &
                        PCI_COMMAND_INTX_DISABLE;
    bool bars = false;

    for (unsigned i = 0; i < len && addr + i < PCI_CONFIG_SIZE; i++) {
        uint32_t a = addr + i;
        uint8_t b = val >> (8 * i);
        uint8_t wm = d->wmask[a], w1c = d->w1cmask[a];

        d->config[a] = (d->config[a] & ~wm) | (b & wm);
        d->config[a] &= ~(b & w1c);
        bars |= (a >= PCI_BASE_ADDRESS_0 && a < PCI_BASE_ADDRESS_0 + 24) ||
                (a >= PCI_COMMAND && a < PCI_COMMAND + 2);
    }
    if (bars) {
        pci_update_mappings(d);
    }
    pci_update_irq_disabled(d, was_disabled);
}

void pci_set_irq(PciDevice *d, bool level)
{
    int pin = d->config[PCI_INTERRUPT_PIN];
    int change;
    bool any = false;

    if (pin < 1 || pin > PCI_NUM_PINS) {
        return;
    }
    change = (int)level - d->irq_state[pin - 1];
    if (!change) {
        return;
    }
    d->irq_state[pin - 1] = level;
    for (int i = 0; i < PCI_NUM_PINS; i++) {
        any |= d->irq_state[i] != 0;
    }
    d->config[PCI_STATUS] = (d->config[PCI_STATUS] & ~PCI_STATUS_INTERRUPT) |
                            (any ? PCI_STATUS_INTERRUPT : 0);
    /* INTx disable masks the pin from the bus, not from the status bit. */
    if ((pci_get_word(d->config + PCI_COMMAND) & PCI_COMMAND_INTX_DISABLE) ||
        !d->bus->map_irq) {
        return;
    }
    int line = d->bus->map_irq(d->bus->irq_opaque, d->devfn, pin - 1);
    d->bus->irq_count[line] += change;
    d->bus->set_irq(d->bus->irq_opaque, line, d->bus->irq_count[line] != 0);
}

uint32_t pci_bus_config_read(PciBus *bus, uint8_t busnr, uint8_t devfn,
                             uint32_t reg, unsigned len)
{
    PciDevice *d = busnr == 0 ? bus->devices[devfn] : NULL;

    if (!d || reg + len > PCI_CONFIG_SIZE) {
        return len >= 4 ? UINT32_MAX : (UINT32_C(1) << (8 * len)) - 1;
    }
    return pci_default_read_config(d, reg, len);
}

void pci_bus_config_write(PciBus *bus, uint8_t busnr, uint8_t devfn,
                          uint32_t reg, uint32_t val, unsigned len)
{
    PciDevice *d = busnr == 0 ? bus->devices[devfn] : NULL;

    if (!d || reg + len > PCI_CONFIG_SIZE) {
        return;
    }
    pci_default_write_config(d, reg, val, len);
    if (d->config_written) {
        d->config_written(d, reg, val, len);
    }
}

static bool pci_irq_state_valid(void *opaque, int version)
{
    return version >= 2;
}

/*
 * QEMU's rules for a loaded PCIDevice: version 0..2, INTx levels 0 or 1,
 * and the identity bits (ids, class, header type...) that are neither
 * writable nor write-1-to-clear must be this device's.
 */
static gboolean pci_device_check(void *opaque, int version, GError **errp)
{
    const PciDevice *d = opaque;

    if (d->version_id < 0 || d->version_id > 2) {
        g_set_error(errp, SAVE_ERROR, 0, "field 'version_id' = %d out of "
                    "range 0..2", d->version_id);
        return FALSE;
    }
    for (int i = 0; i < PCI_NUM_PINS; i++) {
        if (d->irq_state[i] != 0 && d->irq_state[i] != 1) {
            g_set_error(errp, SAVE_ERROR, 0, "field 'irq_state[%d]' = %d is "
                        "not 0 or 1", i, d->irq_state[i]);
            return FALSE;
        }
    }
    for (int i = 0; i < PCI_CONFIG_SIZE; i++) {
        uint8_t checked = d->cmask[i] & ~d->wmask[i] & ~d->w1cmask[i];
        if ((d->config[i] ^ d->fixed[i]) & checked) {
            g_set_error(errp, SAVE_ERROR, 0,
                        "config byte 0x%02x is 0x%02x, %s 00:%02x.%x has "
                        "0x%02x there (a different device)", i,
                        d->config[i], d->name, d->devfn >> 3, d->devfn & 7,
                        d->fixed[i]);
            return FALSE;
        }
    }
    return TRUE;
}

/*
 * QEMU's nested "PCIDevice" vmstate. It is always read at our own version
 * (2), so irq_state is always there.
 */
static const SaveField pci_device_fields[] = {
    SAVE_FIELD_I32(PciDevice, version_id),
    SAVE_FIELD_BUFFER(PciDevice, config),
    { .name = "irq_state", .kind = SAVE_I32,
      .offset = offsetof(PciDevice, irq_state), .size = sizeof(int32_t),
      .count = PCI_NUM_PINS, .test = pci_irq_state_valid },
    SAVE_END
};

const SaveSection pci_device_section = {
    .name = "PCIDevice",
    .version = 2,
    .minimum_version = 1,
    .fields = pci_device_fields,
    .check = pci_device_check,
};

static gboolean pci_bus_pre_save(void *opaque, GError **errp)
{
    PciBus *bus = opaque;

    bus->mig_nirq = bus->lines;
    memcpy(bus->mig_irq_count, bus->irq_count, sizeof(bus->irq_count));
    return TRUE;
}

/*
 * QEMU checks nirq for equality, which refuses a stream from a bus with
 * another line count (4 on a PC, 128 for a Xen guest's PIIX3) even when
 * no line is asserted. What matters is the asserted lines: with the same
 * count they carry over; with another count they could not be mapped, so
 * only a stream with every line idle loads.
 */
static gboolean pci_bus_check(void *opaque, int version, GError **errp)
{
    const PciBus *bus = opaque;

    if (bus->mig_nirq < 1) {
        g_set_error(errp, SAVE_ERROR, 0, "field 'nirq' = %d: a PCI bus has "
                    "at least one interrupt line", bus->mig_nirq);
        return FALSE;
    }
    for (int i = 0; i < bus->mig_nirq; i++) {
        int32_t n = bus->mig_irq_count[i];
        if (n < 0 || n > 256) {
            g_set_error(errp, SAVE_ERROR, 0, "field 'irq_count[%d]' = %d "
                        "out of range", i, n);
            return FALSE;
        }
        if (n && bus->mig_nirq != bus->lines) {
            g_set_error(errp, SAVE_ERROR, 0,
                        "field 'irq_count[%d]' = %d: the source's bus has %d "
                        "interrupt lines and this machine's %d (4 on a PC, "
                        "128 for a Xen guest), so an asserted line cannot "
                        "be carried over", i, n, bus->mig_nirq, bus->lines);
            return FALSE;
        }
    }
    return TRUE;
}

static gboolean pci_bus_post_load(void *opaque, int version, GError **errp)
{
    PciBus *bus = opaque;

    memset(bus->irq_count, 0, sizeof(bus->irq_count));
    if (bus->mig_nirq == bus->lines) {
        memcpy(bus->irq_count, bus->mig_irq_count,
               bus->lines * sizeof(bus->irq_count[0]));
    }
    return TRUE;
}

static const SaveField pci_bus_fields[] = {
    { .name = "nirq", .kind = SAVE_I32, .offset = offsetof(PciBus, mig_nirq),
      .size = sizeof(int32_t), .count = 1 },
    { .name = "irq_count", .kind = SAVE_I32,
      .offset = offsetof(PciBus, mig_irq_count), .size = sizeof(int32_t),
      .count = PCI_BUS_MAX_IRQS, .varray = true,
      .count_offset = offsetof(PciBus, mig_nirq),
      .count_size = sizeof(int32_t) },
    SAVE_END
};

const SaveSection pci_bus_section = {
    .name = "PCIBUS",
    .version = 1,
    .minimum_version = 1,
    .fields = pci_bus_fields,
    .pre_save = pci_bus_pre_save,
    .check = pci_bus_check,
    .post_load = pci_bus_post_load,
};
