/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Intel 82371SB (PIIX3) PCI-to-ISA bridge, 00:01.0: PIRQ routing of PCI
 * INTx to ISA IRQs (PIIX3 datasheet, 2.2.x) and the reset control register
 * at 0xcf9. For a Xen guest every device pin is its own line and goes to
 * the hypervisor, as QEMU's PIIX3-xen does.
 */
#include "hw/piix3.h"
#include "hw/i440fx.h"

#include <string.h>

#define PIIX_PIRQCA 0x60
#define PIIX_NUM_PIRQS 4
#define PIIX_NUM_PIC_IRQS 16
#define PIIX_RCR_IOPORT 0xcf9
#define RCR_SYS_RST 0x02
#define RCR_RST_CPU 0x04
#define XEN_PIIX_NUM_LINES 128

/* Register values QEMU 7.2's piix3_reset sets. */
static const struct {
    uint8_t reg;
    uint8_t val;
} piix3_defaults[] = {
    { 0x4c, 0x4d }, { 0x4e, 0x03 }, { 0x60, 0x80 }, { 0x61, 0x80 },
    { 0x62, 0x80 }, { 0x63, 0x80 }, { 0x69, 0x02 }, { 0x70, 0x80 },
    { 0x76, 0x0c }, { 0x77, 0x0c }, { 0x78, 0x02 }, { 0xa0, 0x08 },
    { 0xa8, 0x0f },
};

/* Each PIC IRQ is the OR of the PIRQs routed to it. */
static void piix3_update_pic_irq(Piix3 *s, unsigned pic_irq)
{
    uint64_t mask = ((UINT64_C(1) << PIIX_NUM_PIRQS) - 1)
                    << (pic_irq * PIIX_NUM_PIRQS);

    dm_machine_set_irq(s->machine, pic_irq, (s->pic_levels & mask) != 0);
}

static void piix3_set_pirq(Piix3 *s, int pirq, bool level)
{
    uint8_t pic_irq = s->pci.config[PIIX_PIRQCA + pirq];
    uint64_t bit;

    /* Bit 7 set (or a reserved IRQ) disables the route. */
    if (pic_irq >= PIIX_NUM_PIC_IRQS) {
        return;
    }
    bit = UINT64_C(1) << (pic_irq * PIIX_NUM_PIRQS + pirq);
    s->pic_levels = level ? s->pic_levels | bit : s->pic_levels & ~bit;
    piix3_update_pic_irq(s, pic_irq);
}

/* i440FX boards rotate INTx by slot (QEMU pci_slot_get_pirq). */
static int piix3_map_irq(void *opaque, uint8_t devfn, int pin)
{
    return (pin + (devfn >> 3) - 1) & 3;
}

static void piix3_bus_set_irq(void *opaque, int line, bool level)
{
    piix3_set_pirq(opaque, line, level);
}

static int piix3_xen_map_irq(void *opaque, uint8_t devfn, int pin)
{
    return ((devfn >> 3) << 2) + (pin & 3);
}

static void piix3_xen_bus_set_irq(void *opaque, int line, bool level)
{
    Piix3 *s = opaque;

    dm_machine_set_pci_intx(s->machine, line >> 2, line & 3, level);
}

/* Recomputes the PIC inputs from the bus lines, e.g. after a route change. */
static void piix3_update_irq_levels(Piix3 *s)
{
    PciBus *bus = s->pci.bus;

    if (s->xen) {
        return;
    }
    s->pic_levels = 0;
    for (int pirq = 0; pirq < PIIX_NUM_PIRQS; pirq++) {
        uint8_t pic_irq = s->pci.config[PIIX_PIRQCA + pirq];
        if (pic_irq < PIIX_NUM_PIC_IRQS && bus->irq_count[pirq]) {
            s->pic_levels |= UINT64_C(1) << (pic_irq * PIIX_NUM_PIRQS + pirq);
        }
    }
    for (unsigned irq = 0; irq < PIIX_NUM_PIC_IRQS; irq++) {
        uint64_t mask = ((UINT64_C(1) << PIIX_NUM_PIRQS) - 1)
                        << (irq * PIIX_NUM_PIRQS);
        if (s->pic_levels & mask) {
            piix3_update_pic_irq(s, irq);
        }
    }
}

static void piix3_config_written(PciDevice *d, uint32_t addr, uint32_t val,
                                 unsigned len)
{
    Piix3 *s = (Piix3 *)d;

    if (addr >= PIIX_PIRQCA + PIIX_NUM_PIRQS || addr + len <= PIIX_PIRQCA) {
        return;
    }
    if (s->xen) {
        /* The hypervisor routes; tell it each link's IRQ (0: off). */
        for (int i = 0; i < PIIX_NUM_PIRQS; i++) {
            uint8_t v = d->config[PIIX_PIRQCA + i];
            dm_machine_set_pci_link_route(s->machine, i,
                                          v & 0x80 ? 0 : v & 0x0f);
        }
        return;
    }
    piix3_update_irq_levels(s);
    /*
     * QEMU 7.2 then drives all 16 ISA lines from the PCI levels alone,
     * lowering a line another device (the SCI on IRQ 9) holds up.
     */
    for (unsigned irq = 0; irq < PIIX_NUM_PIC_IRQS; irq++) {
        piix3_update_pic_irq(s, irq);
    }
}

static uint64_t rcr_read(void *opaque, uint64_t off, unsigned size)
{
    Piix3 *s = opaque;

    return s->rcr;
}

static void rcr_write(void *opaque, uint64_t off, uint64_t v, unsigned size)
{
    Piix3 *s = opaque;

    if (v & RCR_RST_CPU) {
        dm_machine_request_reset(s->machine);
        return;
    }
    /* Only the reset type is kept. */
    s->rcr = v & RCR_SYS_RST;
}

static const DmRegionOps rcr_ops = {
    .read = rcr_read,
    .write = rcr_write,
    .max_access = 1,
};

static gboolean piix3_realize(DmMachine *m, void *opaque, GError **errp)
{
    Piix3 *s = opaque;
    I440fx *host = dm_machine_find_device(m, i440fx_info.name);

    g_assert(host);
    s->machine = m;
    s->xen = m->opts->xen_domid >= 0;
    if (!pci_device_init(&s->pci, host->bus, PCI_DEVFN(1, 0), "PIIX3",
                         0x8086, 0x7000, 0x00, 0x0601, errp)) {
        return FALSE;
    }
    s->pci.config[PCI_HEADER_TYPE] = PCI_HEADER_TYPE_MULTI_FUNCTION;
    s->pci.config_written = piix3_config_written;
    if (s->xen) {
        pci_bus_set_irq_routing(host->bus, XEN_PIIX_NUM_LINES,
                                piix3_xen_map_irq, piix3_xen_bus_set_irq, s);
    } else {
        pci_bus_set_irq_routing(host->bus, PIIX_NUM_PIRQS, piix3_map_irq,
                                piix3_bus_set_irq, s);
    }
    dm_region_init_io(&s->rcr_region, "piix3-reset-control", 1, &rcr_ops, s);
    /* Overlays the second byte of the 0xcf8 latch, as on real boards. */
    dm_space_map(m->io, &s->rcr_region, PIIX_RCR_IOPORT, 1);
    return TRUE;
}

static void piix3_reset(void *opaque)
{
    Piix3 *s = opaque;

    memset(s->pci.config + 0x40, 0, PCI_CONFIG_SIZE - 0x40);
    for (size_t i = 0; i < G_N_ELEMENTS(piix3_defaults); i++) {
        s->pci.config[piix3_defaults[i].reg] = piix3_defaults[i].val;
    }
    pci_set_word(s->pci.config + PCI_STATUS, 0x0200);   /* DEVSEL medium */
    pci_device_reset(&s->pci);
    s->pic_levels = 0;
    s->rcr = 0;
}

static void piix3_unrealize(void *opaque)
{
    Piix3 *s = opaque;

    dm_space_unmap(&s->rcr_region);
    pci_device_exit(&s->pci);
}

static gboolean piix3_pre_save(void *opaque, GError **errp)
{
    Piix3 *s = opaque;
    PciBus *bus = s->pci.bus;

    for (int i = 0; i < PIIX_NUM_PIRQS; i++) {
        s->pci_irq_levels[i] = bus->irq_count[i] != 0;
    }
    return TRUE;
}

static gboolean piix3_post_load(void *opaque, int version, GError **errp)
{
    Piix3 *s = opaque;

    /* The i8259 state arrives in its own section: recompute, don't raise. */
    piix3_update_irq_levels(s);
    return TRUE;
}

static bool piix3_rcr_needed(void *opaque)
{
    Piix3 *s = opaque;

    return s->rcr != 0;
}

static const SaveField piix3_rcr_fields[] = {
    SAVE_FIELD_U8(Piix3, rcr),
    SAVE_END
};

static const SaveSection piix3_rcr_section = {
    .name = "PIIX3/rcr",
    .version = 1,
    .minimum_version = 1,
    .fields = piix3_rcr_fields,
    .needed = piix3_rcr_needed,
};

static const SaveSection *const piix3_subsections[] = {
    &piix3_rcr_section,
    NULL,
};

static const SaveField piix3_fields[] = {
    SAVE_FIELD_STRUCT(Piix3, pci, PciDevice, pci_device_section),
    /* The bus's PIRQA-D levels; PIIX3-xen saves zeros here. */
    SAVE_FIELD_I32_ARRAY_SINCE(Piix3, pci_irq_levels, 4, 3),
    SAVE_END
};

/* PIIX3 and PIIX3-xen share this section name on the wire. */
static const SaveSection piix3_section = {
    .name = "PIIX3",
    .version = 3,
    .minimum_version = 2,
    .fields = piix3_fields,
    .subsections = piix3_subsections,
    .pre_save = piix3_pre_save,
    .post_load = piix3_post_load,
};

const HwDeviceInfo piix3_info = {
    .name = "PIIX3",
    .instance_size = sizeof(Piix3),
    .realize = piix3_realize,
    .reset = piix3_reset,
    .unrealize = piix3_unrealize,
    .state = &piix3_section,
};
