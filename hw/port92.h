/* SPDX-License-Identifier: GPL-2.0-or-later */
/* System Control Port A at 0x92: fast A20 gate and fast reset. */
#ifndef HW_PORT92_H
#define HW_PORT92_H

#include "hw/hw.h"

/* Told the A20 gate level on every write, as QEMU's a20 GPIO is. */
typedef void Port92A20Fn(void *opaque, bool enabled);

typedef struct Port92 {
    /* Saved ("port92" v1). */
    uint8_t outport;          /* last byte written; reset clears bit 0 */

    /* Private to stubdm. */
    DmMachine *machine;
    DmRegion io;
    Port92A20Fn *a20_changed;         /* NULL: nobody gates A20 (Xen) */
    void *a20_opaque;
} Port92;

extern const HwDeviceInfo port92_info;

#endif
