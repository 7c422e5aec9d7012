/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Guest RAM held in local memory (qtest; under Xen the guest's RAM is Xen's). */
#ifndef RAM_GUEST_RAM_H
#define RAM_GUEST_RAM_H

#include <glib.h>
#include <stdint.h>

typedef struct RamGuest {
    uint8_t *host;
    uint64_t size;
    uint64_t below_4g;        /* bytes mapped from 0 */
    uint64_t above_4g;        /* bytes mapped from 4 GiB */
} RamGuest;

#define RAM_4G (UINT64_C(1) << 32)

/*
 * Reserves size bytes (pages are only committed when touched) and splits
 * them around the PCI hole as QEMU 7.2's i440FX board does.
 * max_below_4g 0 means the board default.
 */
RamGuest *ram_guest_new(uint64_t size, uint64_t max_below_4g, GError **errp);
void ram_guest_free(RamGuest *g);

#define RAM_ERROR (ram_error_quark())
GQuark ram_error_quark(void);

#endif
