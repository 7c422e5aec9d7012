/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * System Control Port A at 0x92, the PS/2 port with the fast A20 gate
 * (bit 1) and fast reset (bit 0), as QEMU 7.2's hw/i386/port92.c has it.
 */
#include "hw/port92.h"

#define PORT92_IOPORT 0x92
#define PORT92_FAST_RESET 0x01
#define PORT92_A20_GATE 0x02

/*
 * QEMU keeps the whole byte and reads it back as written: the bits other
 * than A20 and reset (security lock, HDD LEDs) are plain storage there.
 */
static uint64_t port92_read(void *opaque, uint64_t offset, unsigned size)
{
    Port92 *s = opaque;

    return s->outport;
}

static void port92_write(void *opaque, uint64_t offset, uint64_t value,
                         unsigned size)
{
    Port92 *s = opaque;
    uint8_t old = s->outport;

    s->outport = (uint8_t)value;
    if (s->a20_changed) {
        s->a20_changed(s->a20_opaque, value & PORT92_A20_GATE);
    }
    /* Only the edge resets: a guest rewriting 1 does not loop. */
    if ((value & PORT92_FAST_RESET) && !(old & PORT92_FAST_RESET)) {
        dm_machine_request_reset(s->machine);
    }
}

static const DmRegionOps port92_ops = {
    .read = port92_read,
    .write = port92_write,
    .max_access = 1,
};

static gboolean port92_realize(DmMachine *m, void *opaque, GError **errp)
{
    Port92 *s = opaque;

    s->machine = m;
    dm_region_init_io(&s->io, "port92", 1, &port92_ops, s);
    dm_space_map(m->io, &s->io, PORT92_IOPORT, 0);
    return TRUE;
}

/* A reset keeps the A20 gate as the guest left it; only bit 0 drops. */
static void port92_reset(void *opaque)
{
    Port92 *s = opaque;

    s->outport &= ~PORT92_FAST_RESET;
}

static void port92_unrealize(void *opaque)
{
    Port92 *s = opaque;

    dm_space_unmap(&s->io);
}

static const SaveField port92_fields[] = {
    SAVE_FIELD_U8(Port92, outport),
    SAVE_END
};

static const SaveSection port92_section = {
    .name = "port92",
    .version = 1,
    .minimum_version = 1,
    .fields = port92_fields,
};

const HwDeviceInfo port92_info = {
    .name = "port92",
    .instance_size = sizeof(Port92),
    .realize = port92_realize,
    .reset = port92_reset,
    .unrealize = port92_unrealize,
    .state = &port92_section,
};
