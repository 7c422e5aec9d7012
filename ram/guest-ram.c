/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Guest RAM in local memory, laid out like QEMU's i440FX board. */
#include "ram/guest-ram.h"
#include "ram/ram-block.h"


G_DEFINE_QUARK(ram-error-quark, ram_error)

#define GIB (UINT64_C(1) << 30)
/* QEMU 7.2 pc_piix.c: 3.5 GiB below 4 GiB unless told otherwise. */
#define DEFAULT_MAX_BELOW_4G UINT64_C(0xe0000000)

RamGuest *ram_guest_new(uint64_t size, uint64_t max_below_4g, GError **errp)
{
    uint64_t lowmem = max_below_4g ? max_below_4g : DEFAULT_MAX_BELOW_4G;
    RamGuest *g;
    void *p;

    /* Gigabyte alignment of the split (pc-i440fx >= 2.1, all we have). */
    if (size >= lowmem && lowmem > 3 * GIB) {
        lowmem = 3 * GIB;
    }
    /* Through ram/ so a block over it may drop and move pages. */
    p = ram_anon_map(size, errp);
    if (!p) {
        g_prefix_error(errp, "guest RAM of %" G_GUINT64_FORMAT " MiB: ",
                       size >> 20);
        return NULL;
    }
    g = g_new0(RamGuest, 1);
    g->host = p;
    g->size = size;
    g->below_4g = MIN(size, lowmem);
    g->above_4g = size - g->below_4g;
    return g;
}

void ram_guest_free(RamGuest *g)
{
    if (g) {
        ram_anon_unmap(g->host, g->size);
        g_free(g);
    }
}
