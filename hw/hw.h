/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The device descriptor every hw/ file fills in. */
#ifndef HW_HW_H
#define HW_HW_H

#include "dm/machine.h"
#include "dm/machine-pc.h"
#include "save/state.h"

#include <glib.h>

typedef struct HwDeviceInfo {
    const char *name;
    size_t instance_size;
    /*
     * Whether this machine has the device (machine type, -no-acpi...);
     * NULL: always. The board skips a device that is not present.
     */
    bool (*present)(DmMachine *m);
    /* Maps the device's regions, arms its timers; NULL: nothing to do. */
    gboolean (*realize)(DmMachine *m, void *dev, GError **errp);
    /* Power-on values; also run on system_reset. */
    void (*reset)(void *dev);
    /* Unmaps and frees what realize set up. */
    void (*unrealize)(void *dev);
    /* The saved state; NULL means the device refuses to be saved. */
    const SaveSection *state;
    /* Further sections over the same state, saved right after it. */
    const SaveSection *const *extra_state;
} HwDeviceInfo;

/* A realized device of the machine's board. */
typedef struct HwDevice {
    const HwDeviceInfo *info;
    void *state;
} HwDevice;

#endif
