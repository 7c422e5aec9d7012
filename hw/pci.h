/* SPDX-License-Identifier: GPL-2.0-or-later */
/* PCI core: type-0 config space, BARs, INTx, configuration mechanism #1. */
#ifndef HW_PCI_H
#define HW_PCI_H

#include "dm/machine.h"
#include "save/state.h"

#include <stdbool.h>
#include <stdint.h>

#define PCI_CONFIG_SIZE 256
#define PCI_NUM_BARS 6
#define PCI_NUM_PINS 4
#define PCI_DEVFN(slot, fn) ((uint8_t)(((slot) << 3) | (fn)))

/* Config registers (PCI Local Bus 3.0, 6.1). */
#define PCI_VENDOR_ID 0x00
#define PCI_DEVICE_ID 0x02
#define PCI_COMMAND 0x04
#define PCI_COMMAND_IO 0x0001
#define PCI_COMMAND_MEMORY 0x0002
#define PCI_COMMAND_MASTER 0x0004
#define PCI_COMMAND_INTX_DISABLE 0x0400
#define PCI_STATUS 0x06
#define PCI_STATUS_INTERRUPT 0x08
#define PCI_REVISION_ID 0x08
#define PCI_CLASS_PROG 0x09
#define PCI_CLASS_DEVICE 0x0a
#define PCI_HEADER_TYPE 0x0e
#define PCI_HEADER_TYPE_MULTI_FUNCTION 0x80
#define PCI_BASE_ADDRESS_0 0x10
#define PCI_BASE_ADDRESS_SPACE_IO 0x01
#define PCI_BASE_ADDRESS_MEM_PREFETCH 0x08
#define PCI_SUBSYSTEM_VENDOR_ID 0x2c
#define PCI_SUBSYSTEM_ID 0x2e
#define PCI_INTERRUPT_LINE 0x3c
#define PCI_INTERRUPT_PIN 0x3d

typedef struct PciBus PciBus;
typedef struct PciDevice PciDevice;

typedef struct PciBar {
    uint64_t size;            /* 0: no BAR */
    uint8_t type;             /* low bits of the BAR register */
    DmRegion *region;         /* the device's region, mapped while decoded */
    uint64_t addr;            /* where it is mapped, or PCI_BAR_UNMAPPED */
} PciBar;

#define PCI_BAR_UNMAPPED UINT64_MAX

struct PciDevice {
    /* What the guest reads back. */
    int32_t version_id;               /* saved first; always 2 */
    uint8_t config[PCI_CONFIG_SIZE];
    int32_t irq_state[PCI_NUM_PINS];  /* INTA-D levels, 0 or 1 */
    /* Private to stubdm. */
    uint8_t wmask[PCI_CONFIG_SIZE];   /* bits the guest may write */
    uint8_t w1cmask[PCI_CONFIG_SIZE]; /* bits a written 1 clears */
    uint8_t cmask[PCI_CONFIG_SIZE];   /* bits a loaded stream must match */
    uint8_t fixed[PCI_CONFIG_SIZE];   /* their values, taken at reset */
    PciBar bars[PCI_NUM_BARS];
    PciBus *bus;
    uint8_t devfn;
    const char *name;
    /* Called after the core applied a config write (PAM, PIRQ, PMBA...). */
    void (*config_written)(PciDevice *d, uint32_t addr, uint32_t val,
                           unsigned len);
};

/* Routes a device INTx pin to a bus IRQ line, and drives that line. */
typedef int PciMapIrqFn(void *opaque, uint8_t devfn, int pin);
typedef void PciSetIrqFn(void *opaque, int line, bool level);

/* PIIX3-xen gives every slot's four pins a line of their own. */
#define PCI_BUS_MAX_IRQS 128

struct PciBus {
    DmMachine *machine;
    PciDevice *devices[256];          /* by devfn */
    /* Per line, how many devices assert it. */
    int32_t irq_count[PCI_BUS_MAX_IRQS];
    int32_t lines;                    /* 4 on a PC, 128 for a Xen guest */
    /*
     * "PCIBUS" on the wire: the source's line count and its counts, read
     * into scratch so that a bus with another line count can still load
     * (see pci_bus_check).
     */
    int32_t mig_nirq;
    int32_t mig_irq_count[PCI_BUS_MAX_IRQS];
    PciMapIrqFn *map_irq;
    PciSetIrqFn *set_irq;
    void *irq_opaque;
    uint32_t config_reg;              /* 0xcf8 */
};

PciBus *pci_bus_new(DmMachine *m);
void pci_bus_free(PciBus *bus);
void pci_bus_set_irq_routing(PciBus *bus, int nirq, PciMapIrqFn *map,
                             PciSetIrqFn *set, void *opaque);

/* Sets ids and the default masks of a type-0 header, then plugs it in. */
gboolean pci_device_init(PciDevice *d, PciBus *bus, uint8_t devfn,
                         const char *name, uint16_t vendor, uint16_t device,
                         uint8_t revision, uint16_t class_code,
                         GError **errp);
void pci_device_exit(PciDevice *d);
/* Declares BAR n; the region is mapped when the guest enables decoding. */
void pci_register_bar(PciDevice *d, int n, uint8_t type, DmRegion *region);
/* Back to power-on: command, status, BARs, interrupt line, INTx levels. */
void pci_device_reset(PciDevice *d);

uint32_t pci_default_read_config(PciDevice *d, uint32_t addr, unsigned len);
void pci_default_write_config(PciDevice *d, uint32_t addr, uint32_t val,
                              unsigned len);
/* Drives the device's INTx pin (from config 0x3d). */
void pci_set_irq(PciDevice *d, bool level);

/*
 * Config cycles as Xen delivers them (PCI_CONFIG ioreq) and as 0xcfc
 * reaches them: absent functions read all-ones.
 */
uint32_t pci_bus_config_read(PciBus *bus, uint8_t busnr, uint8_t devfn,
                             uint32_t reg, unsigned len);
void pci_bus_config_write(PciBus *bus, uint8_t busnr, uint8_t devfn,
                          uint32_t reg, uint32_t val, unsigned len);

/* Re-derives BAR mappings from config space (after a write or a load). */
void pci_update_mappings(PciDevice *d);

/* The "PCIBUS" section (version 1): the line count, then irq_count. */
extern const SaveSection pci_bus_section;

/* The nested "PCIDevice" vmstate (version 2): config + irq_state. */
extern const SaveSection pci_device_section;

static inline void pci_set_word(uint8_t *p, uint16_t v)
{
    p[0] = v;
    p[1] = v >> 8;
}

static inline void pci_set_long(uint8_t *p, uint32_t v)
{
    pci_set_word(p, v);
    pci_set_word(p + 2, v >> 16);
}

static inline uint16_t pci_get_word(const uint8_t *p)
{
    return p[0] | p[1] << 8;
}

static inline uint32_t pci_get_long(const uint8_t *p)
{
    return pci_get_word(p) | (uint32_t)pci_get_word(p + 2) << 16;
}

#endif
