/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Xen platform PCI device (5853:0001) of the xenfv machines. */
#ifndef HW_XEN_PLATFORM_H
#define HW_XEN_PLATFORM_H

#include "hw/hw.h"
#include "hw/pci.h"

#define XENPLAT_LOG_SIZE 4096

typedef struct XenPlatform {
    PciDevice pci;            /* first: the core casts between them */
    /* Saved ("platform" v4) after the PCI device. */
    uint8_t flags;            /* platform flags, port 0x10: bit 0 ROM lock */

    /* Private to stubdm. */
    DmMachine *machine;
    uint16_t driver_product;  /* PV driver product number (port 0x12) */
    uint16_t unplug_requested;        /* UNPLUG_* bits asked for so far */
    char log[XENPLAT_LOG_SIZE];       /* guest driver log line, unfinished */
    unsigned log_len;
    DmRegion fixed_io;        /* ports 0x10-0x1f */
    DmRegion bar_io;          /* BAR0 */
    DmRegion bar_mmio;        /* BAR1 */
} XenPlatform;

extern const HwDeviceInfo xenplat_info;

#endif
