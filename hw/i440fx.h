/* SPDX-License-Identifier: GPL-2.0-or-later */
/* i440FX host bridge (00:00.0) and the PCI bus it owns. */
#ifndef HW_I440FX_H
#define HW_I440FX_H

#include "hw/hw.h"
#include "hw/pci.h"

#define I440FX_PAM_SEGMENTS 13

typedef struct I440fx I440fx;

/* A piece of low memory that reads or writes RAM or the PCI side. */
typedef struct I440fxWindow {
    DmRegion region;
    I440fx *bridge;
    uint64_t base;
    bool read_ram;
    bool write_ram;
} I440fxWindow;

struct I440fx {
    PciDevice pci;            /* first: the core casts between them */
    DmMachine *machine;
    PciBus *bus;
    DmRegion conf_idx;
    DmRegion conf_data;
    I440fxWindow pam[I440FX_PAM_SEGMENTS];
    I440fxWindow smram;
};

extern const HwDeviceInfo i440fx_info;
extern const SaveSection pci_host_section;

#endif
