/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Intel 82441FX (i440FX) host bridge, 00:00.0: PCI configuration
 * mechanism #1 at 0xcf8/0xcfc, PAM shadowing of 0xc0000-0xfffff and the
 * SMRAM window at 0xa0000 (82441FX datasheet, 3.2.x).
 */
#include "hw/i440fx.h"

#include <string.h>

#define I440FX_RAM_SIZE 0x57
#define I440FX_PAM 0x59
#define I440FX_PAM_COUNT 7
#define I440FX_SMRAM 0x72
#define SMRAM_D_OPEN 0x40
#define SMRAM_DEFAULT 0x02
#define CONFIG_ENABLE 0x80000000u

/* 0xc0000-0xeffff in 16 KiB pieces, then 0xf0000-0xfffff in one piece. */
static void pam_segment(int i, uint64_t *base, uint64_t *size)
{
    if (i == 0) {
        *base = 0xf0000;
        *size = 0x10000;
    } else {
        *base = 0xc0000 + (uint64_t)(i - 1) * 0x4000;
        *size = 0x4000;
    }
}

/* PAM register nibble for segment i: PAM0 high nibble is 0xf0000. */
static uint8_t pam_mode(const I440fx *s, int i)
{
    int reg = (i + 1) / 2;
    uint8_t v = s->pci.config[I440FX_PAM + reg];

    return (i & 1) ? v & 3 : (v >> 4) & 3;
}

static uint8_t *window_ram(I440fxWindow *w, uint64_t off, unsigned size)
{
    RamGuest *g = w->bridge->machine->guest_ram;

    if (!g || w->base + off + size > g->below_4g) {
        return NULL;
    }
    return g->host + w->base + off;
}

/*
 * QEMU's windows are aliases of the PCI address space, and a container is
 * transparent where nothing is mapped in it: with no VGA at 0xa0000, RAM
 * below shows through (checked against QEMU 7.2 -nodefaults).
 */
static bool window_pci_empty(I440fxWindow *w, uint64_t off)
{
    uint64_t in;

    return !dm_space_lookup(w->bridge->machine->pci_mem, w->base + off, &in);
}

/* Reads and writes go to RAM or to the PCI side, per the window's mode. */
static uint64_t window_read(void *opaque, uint64_t off, unsigned size)
{
    I440fxWindow *w = opaque;
    uint8_t *ram = w->read_ram || window_pci_empty(w, off) ?
                   window_ram(w, off, size) : NULL;
    uint64_t v = 0;

    if (!ram) {
        return dm_space_read(w->bridge->machine->pci_mem, w->base + off,
                             size);
    }
    for (unsigned i = 0; i < size; i++) {
        v |= (uint64_t)ram[i] << (8 * i);
    }
    return v;
}

static void window_write(void *opaque, uint64_t off, uint64_t v,
                         unsigned size)
{
    I440fxWindow *w = opaque;
    uint8_t *ram = w->write_ram || window_pci_empty(w, off) ?
                   window_ram(w, off, size) : NULL;

    if (!ram) {
        dm_space_write(w->bridge->machine->pci_mem, w->base + off, v, size);
        return;
    }
    for (unsigned i = 0; i < size; i++) {
        ram[i] = v >> (8 * i);
    }
}

static const DmRegionOps window_ops = {
    .read = window_read,
    .write = window_write,
    .max_access = 8,
    .unaligned = true,
};

static void window_set(I440fxWindow *w, bool read_ram, bool write_ram)
{
    DmSpace *mem = w->bridge->machine->mem;

    w->read_ram = read_ram;
    w->write_ram = write_ram;
    if (read_ram && write_ram) {
        /* Plain RAM: let accesses reach it directly. */
        dm_space_unmap(&w->region);
    } else if (!dm_region_mapped(&w->region)) {
        dm_space_map(mem, &w->region, w->base, 1);
    }
}

static void i440fx_update_memory(I440fx *s)
{
    for (int i = 0; i < I440FX_PAM_SEGMENTS; i++) {
        uint8_t mode = pam_mode(s, i);
        /*
         * 1: reads from RAM, writes dropped; 3: RAM. QEMU 7.2 maps 2
         * (write-only) as plain RAM too, reads included.
         */
        window_set(&s->pam[i], mode != 0, mode & 2);
    }
    bool open = s->pci.config[I440FX_SMRAM] & SMRAM_D_OPEN;
    window_set(&s->smram, open, open);
}

static void i440fx_config_written(PciDevice *d, uint32_t addr, uint32_t val,
                                  unsigned len)
{
    I440fx *s = (I440fx *)d;

    if ((addr < I440FX_PAM + I440FX_PAM_COUNT && addr + len > I440FX_PAM) ||
        (addr <= I440FX_SMRAM && addr + len > I440FX_SMRAM)) {
        i440fx_update_memory(s);
    }
}

/* 0xcf8: only a 32-bit write latches the address (mechanism #1). */
static uint64_t conf_idx_read(void *opaque, uint64_t off, unsigned size)
{
    I440fx *s = opaque;

    return s->bus->config_reg;
}

static void conf_idx_write(void *opaque, uint64_t off, uint64_t v,
                           unsigned size)
{
    I440fx *s = opaque;

    if (off == 0 && size == 4) {
        s->bus->config_reg = (uint32_t)v;
    }
}

static const DmRegionOps conf_idx_ops = {
    .read = conf_idx_read,
    .write = conf_idx_write,
};

static uint64_t conf_data_read(void *opaque, uint64_t off, unsigned size)
{
    I440fx *s = opaque;
    uint32_t addr = s->bus->config_reg | (uint32_t)off;

    if (!(s->bus->config_reg & CONFIG_ENABLE)) {
        return UINT32_MAX;
    }
    return pci_bus_config_read(s->bus, addr >> 16, addr >> 8, addr & 0xff,
                               size);
}

static void conf_data_write(void *opaque, uint64_t off, uint64_t v,
                            unsigned size)
{
    I440fx *s = opaque;
    uint32_t addr = s->bus->config_reg | (uint32_t)off;

    if (s->bus->config_reg & CONFIG_ENABLE) {
        pci_bus_config_write(s->bus, addr >> 16, addr >> 8, addr & 0xff,
                             (uint32_t)v, size);
    }
}

static const DmRegionOps conf_data_ops = {
    .read = conf_data_read,
    .write = conf_data_write,
    .unaligned = true,
};

static gboolean i440fx_realize(DmMachine *m, void *opaque, GError **errp)
{
    I440fx *s = opaque;

    s->machine = m;
    s->bus = pci_bus_new(m);
    if (!pci_device_init(&s->pci, s->bus, PCI_DEVFN(0, 0), "i440FX", 0x8086,
                         0x1237, 0x02, 0x0600, errp)) {
        return FALSE;
    }
    s->pci.config_written = i440fx_config_written;
    /*
     * RAM size in 8 MiB units, capped at 255 (coreboot reads it): set once
     * at creation, as QEMU 7.2 does, and not restored by a reset.
     */
    s->pci.config[I440FX_RAM_SIZE] = MIN(m->opts->ram_size >> 23, 255);
    dm_region_init_io(&s->conf_idx, "pci-conf-idx", 4, &conf_idx_ops, s);
    dm_region_init_io(&s->conf_data, "pci-conf-data", 4, &conf_data_ops, s);
    dm_space_map(m->io, &s->conf_idx, 0xcf8, 0);
    dm_space_map(m->io, &s->conf_data, 0xcfc, 0);

    for (int i = 0; i < I440FX_PAM_SEGMENTS; i++) {
        I440fxWindow *w = &s->pam[i];
        uint64_t size;
        w->bridge = s;
        pam_segment(i, &w->base, &size);
        dm_region_init_io(&w->region, "pam", size, &window_ops, w);
    }
    s->smram.bridge = s;
    s->smram.base = 0xa0000;
    dm_region_init_io(&s->smram.region, "smram", 0x20000, &window_ops,
                      &s->smram);
    return TRUE;
}

static void i440fx_reset(void *opaque)
{
    I440fx *s = opaque;

    pci_device_reset(&s->pci);
    memset(s->pci.config + I440FX_PAM, 0, I440FX_PAM_COUNT);
    /* QEMU closes SMRAM; 0x57 (RAM size) keeps what realize put there. */
    s->pci.config[I440FX_SMRAM] = SMRAM_DEFAULT;
    i440fx_update_memory(s);
}

static void i440fx_unrealize(void *opaque)
{
    I440fx *s = opaque;

    for (int i = 0; i < I440FX_PAM_SEGMENTS; i++) {
        dm_space_unmap(&s->pam[i].region);
    }
    dm_space_unmap(&s->smram.region);
    dm_space_unmap(&s->conf_idx);
    dm_space_unmap(&s->conf_data);
    pci_device_exit(&s->pci);
    pci_bus_free(s->bus);
}

static gboolean i440fx_post_load(void *opaque, int version, GError **errp)
{
    I440fx *s = opaque;

    i440fx_update_memory(s);
    return TRUE;
}

static const SaveField i440fx_fields[] = {
    SAVE_FIELD_STRUCT(I440fx, pci, PciDevice, pci_device_section),
    /* formerly smm_enabled; SMRAM state lives in config 0x72 */
    SAVE_FIELD_UNUSED("smm_enabled", 1),
    SAVE_END
};

static const SaveSection i440fx_section = {
    .name = "I440FX",
    .version = 3,
    .minimum_version = 3,
    .fields = i440fx_fields,
    .post_load = i440fx_post_load,
};

/* Separate section "PCIHost": the 0xcf8 latch (pc-i440fx-5.1 and newer). */
static const SaveField pci_host_fields[] = {
    SAVE_FIELD_U32(PciBus, config_reg),
    SAVE_END
};

const SaveSection pci_host_section = {
    .name = "PCIHost",
    .version = 1,
    .minimum_version = 1,
    .fields = pci_host_fields,
};

const HwDeviceInfo i440fx_info = {
    .name = "i440FX",
    .instance_size = sizeof(I440fx),
    .realize = i440fx_realize,
    .reset = i440fx_reset,
    .unrealize = i440fx_unrealize,
    .state = &i440fx_section,
};
