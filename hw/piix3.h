/* SPDX-License-Identifier: GPL-2.0-or-later */
/* PIIX3 PCI-to-ISA bridge (00:01.0). */
#ifndef HW_PIIX3_H
#define HW_PIIX3_H

#include "hw/hw.h"
#include "hw/pci.h"

typedef struct Piix3 {
    PciDevice pci;            /* first: the core casts between them */
    int32_t pci_irq_levels[4];        /* saved copy of the PIRQ levels */
    uint8_t rcr;              /* reset control, port 0xcf9 */
    DmMachine *machine;
    uint64_t pic_levels;      /* bit pic_irq * 4 + pirq */
    bool xen;                 /* PIIX3-xen: pins go to the hypervisor */
    DmRegion rcr_region;
} Piix3;

extern const HwDeviceInfo piix3_info;

#endif
