/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Intel 8254 programmable interval timer (82C54 datasheet) and the PC
 * speaker port 0x61 that gates counter 2. Behaviour and saved state are
 * QEMU 7.2's (hw/timer/i8254*.c, hw/audio/pcspk.c), quirks included.
 */
#include "hw/i8254.h"
#include "dm/machine-types.h"

#include <inttypes.h>
#include <stddef.h>

#define PIT_IOBASE          0x40
#define PIT_CONTROL         3         /* offset of the control word port */
#define SPEAKER_PORT        0x61

#define PIT_FREQ            1193182   /* Hz, as QEMU */
#define NS_PER_SEC          1000000000u

/* Control word (datasheet "Control Word Format"). */
#define CW_SC_SHIFT         6         /* SC1 SC0: counter, 3 = read-back */
#define CW_RW_SHIFT         4         /* RW1 RW0: 0 = counter latch */
#define CW_M_SHIFT          1         /* M2 M1 M0 */
#define CW_BCD              0x01
#define SC_READ_BACK        3

/* Read-back command; COUNT and STATUS are active low. */
#define RB_COUNT            0x20
#define RB_STATUS           0x10
#define RB_CNT(i)           (2 << (i))

/* Status byte: OUTPUT, then RW, mode and BCD as programmed. */
#define STATUS_OUTPUT_SHIFT 7

/*
 * Access states (QEMU's numbering, on the wire in read_state,
 * write_state and count_latched): RW = 1, 2 and 3 map to the first three.
 */
#define RW_STATE_LSB        1
#define RW_STATE_MSB        2
#define RW_STATE_WORD0      3
#define RW_STATE_WORD1      4

/* Port 0x61 as QEMU's pcspk shows it; the parity bits are not modelled. */
#define PORT61_GATE2        0x01
#define PORT61_SPKR_DATA    0x02
#define PORT61_REFRESH      0x10      /* toggles on every read */
#define PORT61_OUT2_SHIFT   5

/* A BCD counter wraps from 0000 to 9999. */
#define BCD_MODULUS         10000

/* (a * b) / c with a 128-bit product, as QEMU's muldiv64. */
static uint64_t muldiv64(uint64_t a, uint32_t b, uint32_t c)
{
    return (uint64_t)((unsigned __int128)a * b / c);
}

/*
 * QEMU keeps the BCD bit but counts in binary. We count in decimal and
 * derive everything from the saved fields: `count` keeps the raw value
 * written (so the stream is QEMU's byte for byte), the period is its
 * decimal value, and reads subtract elapsed clocks digit by digit, which
 * returns exactly what was written until the first clock (so QEMU and
 * stubdm agree on every read at a stopped clock). Non-decimal digits
 * weigh their nibble value; the datasheet leaves them undefined.
 */
static uint32_t bcd_value(uint32_t raw)
{
    uint32_t v = 0;

    for (int i = 4; i >= 0; i--) {
        v = v * 10 + ((raw >> (4 * i)) & 0xf);
    }
    return v;
}

static uint32_t bcd_sub(uint32_t raw, uint32_t n)
{
    uint32_t out = 0;
    int borrow = 0;

    for (int i = 0; i < 5; i++) {
        int digit = (int)((raw >> (4 * i)) & 0xf) - (int)(n % 10) - borrow;

        n /= 10;
        borrow = digit < 0;
        if (borrow) {
            digit += 10;
        }
        out |= (uint32_t)digit << (4 * i);
    }
    return out;
}

/* Input clocks in one counting cycle. */
static uint64_t channel_period(const I8254Channel *ch)
{
    uint64_t p = ch->bcd ? bcd_value(ch->count) : (uint32_t)ch->count;

    /*
     * Zero comes only from a stream that i8254_check refuses, but the
     * apply phase has stored it by then: never divide by it.
     */
    return p ? p : 0x10000;
}

/* Input clocks since the count was loaded (or the gate retriggered). */
static uint64_t channel_clocks(const I8254Channel *ch, int64_t now)
{
    /* Wraps like QEMU's (built with -fwrapv) for a loaded past or future. */
    return muldiv64((uint64_t)now - (uint64_t)ch->count_load_time, PIT_FREQ,
                    NS_PER_SEC);
}

/*
 * OUT as QEMU computes it. Modes 1, 2, 4 and 5 are the datasheet's levels
 * inverted (mode 2 pulses high at each reload, not low before it); the
 * status byte and port 0x61 bit 5 show this value. Modes 6 and 7 fall
 * back to mode 0 here and to mode 2 in channel_count, also as QEMU.
 */
static bool channel_out(const I8254Channel *ch, int64_t now)
{
    uint64_t d = channel_clocks(ch, now);
    uint64_t p = channel_period(ch);

    switch (ch->mode) {
    case 1:
        return d < p;
    case 2:
        return d % p == 0 && d != 0;
    case 3:
        return d % p < (p + 1) / 2;
    case 4:
    case 5:
        return d == p;
    default:
        return d >= p;
    }
}

/* Virtual time of OUT's next change after now, or -1 if none. */
static int64_t channel_next_transition(const I8254Channel *ch, int64_t now)
{
    uint64_t d = channel_clocks(ch, now);
    uint64_t p = channel_period(ch);
    uint64_t base = d - d % p;
    uint64_t next;

    switch (ch->mode) {
    case 2:
        next = (d == base && d != 0) ? base + p : base + p + 1;
        break;
    case 3:
        next = d - base < (p + 1) / 2 ? base + (p + 1) / 2 : base + p;
        break;
    case 4:
    case 5:
        if (d > p) {
            return -1;
        }
        next = d < p ? p : p + 1;
        break;
    default:
        if (d >= p) {
            return -1;
        }
        next = p;
        break;
    }
    next = (uint64_t)ch->count_load_time +
           muldiv64(next, NS_PER_SEC, PIT_FREQ);
    /*
     * Rounding to ns can land on or before now (the clock tick is not yet
     * reached); QEMU then retries one ns later. Comparison is unsigned,
     * as QEMU's.
     */
    if (next <= (uint64_t)now) {
        next = (uint64_t)now + 1;
    }
    return (int64_t)next;
}

/* The counting element's value, as the guest reads it. */
static uint16_t channel_count(const I8254Channel *ch, int64_t now)
{
    uint64_t d = channel_clocks(ch, now);
    uint64_t n;

    switch (ch->mode) {
    case 0:
    case 1:
    case 4:
    case 5:
        /* Counts on past zero: binary wraps at 2^16, BCD at 10^4. */
        n = ch->bcd ? d % BCD_MODULUS : d;
        break;
    case 3:
        /* Counts down by two; QEMU's formula, odd counts included. */
        n = (2 * d) % channel_period(ch);
        break;
    default:
        n = d % channel_period(ch);
        break;
    }
    if (ch->bcd) {
        return bcd_sub(ch->count, n);
    }
    return (uint64_t)ch->count - n;
}

/*
 * Only channel 0 drives an interrupt (IRQ 0); channels 1 and 2 never
 * touch next_transition_time, which stays as it was (0 from power-on).
 */
static void pit_irq_update(I8254 *s, I8254Channel *ch, int64_t now)
{
    int64_t next;

    if (ch != &s->channels[0] || s->irq_disabled) {
        return;
    }
    next = channel_next_transition(ch, now);
    dm_machine_set_irq(s->machine, 0, channel_out(ch, now));
    ch->next_transition_time = next;
    if (next != -1) {
        dm_timer_mod(&s->irq_timer, next);
    } else {
        dm_timer_del(&s->irq_timer);
    }
}

static void pit_irq_timer(void *opaque)
{
    I8254 *s = opaque;

    /* The time it was due, not now: QEMU's rounding rule depends on it. */
    pit_irq_update(s, &s->channels[0], s->channels[0].next_transition_time);
}

static int64_t pit_now(const I8254 *s)
{
    return dm_clock_now(s->machine->clock);
}

static void pit_load_count(I8254 *s, I8254Channel *ch, uint32_t val)
{
    ch->count = val ? val : 0x10000;
    ch->count_load_time = pit_now(s);
    pit_irq_update(s, ch, ch->count_load_time);
}

/* A second latch before the first was read is ignored (datasheet). */
static void pit_latch_count(I8254 *s, I8254Channel *ch)
{
    if (!ch->count_latched) {
        ch->latched_count = channel_count(ch, pit_now(s));
        ch->count_latched = ch->rw_mode;
    }
}

static void pit_latch_status(I8254 *s, I8254Channel *ch)
{
    /* QEMU never reports NULL COUNT (bit 6). */
    if (!ch->status_latched) {
        ch->status = channel_out(ch, pit_now(s)) << STATUS_OUTPUT_SHIFT |
                     ch->rw_mode << CW_RW_SHIFT | ch->mode << CW_M_SHIFT |
                     ch->bcd;
        ch->status_latched = 1;
    }
}

/*
 * Modes 1, 2, 3 and 5 restart on a rising gate; QEMU neither stops
 * counting on a low gate nor forces OUT high in modes 2 and 3.
 */
static void pit_set_gate(I8254 *s, I8254Channel *ch, uint8_t gate)
{
    switch (ch->mode) {
    case 1:
    case 2:
    case 3:
    case 5:
        if (ch->gate < gate) {
            ch->count_load_time = pit_now(s);
            pit_irq_update(s, ch, ch->count_load_time);
        }
        break;
    default:
        break;
    }
    ch->gate = gate;
}

static void pit_write_control(I8254 *s, uint8_t val)
{
    unsigned sc = val >> CW_SC_SHIFT;
    unsigned rw = (val >> CW_RW_SHIFT) & 3;
    I8254Channel *ch;

    if (sc == SC_READ_BACK) {
        for (unsigned i = 0; i < 3; i++) {
            if (!(val & RB_CNT(i))) {
                continue;
            }
            if (!(val & RB_COUNT)) {
                pit_latch_count(s, &s->channels[i]);
            }
            if (!(val & RB_STATUS)) {
                pit_latch_status(s, &s->channels[i]);
            }
        }
        return;
    }
    ch = &s->channels[sc];
    if (rw == 0) {
        pit_latch_count(s, ch);
        return;
    }
    /* QEMU leaves a running count and OUT alone until the next count. */
    ch->rw_mode = rw;
    ch->read_state = rw;
    ch->write_state = rw;
    ch->mode = (val >> CW_M_SHIFT) & 7;
    ch->bcd = val & CW_BCD;
}

static void pit_write(void *opaque, uint64_t offset, uint64_t value,
                      unsigned size)
{
    I8254 *s = opaque;
    uint8_t val = value;
    I8254Channel *ch;

    /* Two address lines; QEMU masks the same way. */
    offset &= 3;
    if (offset == PIT_CONTROL) {
        pit_write_control(s, val);
        return;
    }
    ch = &s->channels[offset];
    switch (ch->write_state) {
    case RW_STATE_MSB:
        pit_load_count(s, ch, val << 8);
        break;
    case RW_STATE_WORD0:
        ch->write_latch = val;
        ch->write_state = RW_STATE_WORD1;
        break;
    case RW_STATE_WORD1:
        pit_load_count(s, ch, ch->write_latch | val << 8);
        ch->write_state = RW_STATE_WORD0;
        break;
    default:
        /* RW_STATE_LSB, and a counter never programmed (state 0). */
        pit_load_count(s, ch, val);
        break;
    }
}

static uint64_t pit_read(void *opaque, uint64_t offset, unsigned size)
{
    I8254 *s = opaque;
    I8254Channel *ch;
    uint16_t count;

    offset &= 3;
    if (offset == PIT_CONTROL) {
        /* The control word is write-only; QEMU reads 0, not all-ones. */
        return 0;
    }
    ch = &s->channels[offset];
    /* A latched status is read first, then a latched count. */
    if (ch->status_latched) {
        ch->status_latched = 0;
        return ch->status;
    }
    switch (ch->count_latched) {
    case 0:
        break;
    case RW_STATE_MSB:
        ch->count_latched = 0;
        return ch->latched_count >> 8;
    case RW_STATE_WORD0:
        ch->count_latched = RW_STATE_MSB;
        return ch->latched_count & 0xff;
    default:
        ch->count_latched = 0;
        return ch->latched_count & 0xff;
    }
    count = channel_count(ch, pit_now(s));
    switch (ch->read_state) {
    case RW_STATE_MSB:
        return count >> 8;
    case RW_STATE_WORD0:
        ch->read_state = RW_STATE_WORD1;
        return count & 0xff;
    case RW_STATE_WORD1:
        ch->read_state = RW_STATE_WORD0;
        return count >> 8;
    default:
        return count & 0xff;
    }
}

static uint64_t speaker_read(void *opaque, uint64_t offset, unsigned size)
{
    I8254 *s = opaque;
    I8254Channel *ch = &s->channels[2];

    /* Firmware delay loops poll the refresh bit for changes. */
    s->refresh_clock ^= PORT61_REFRESH;
    return ch->gate | s->speaker_data_on << 1 | s->refresh_clock |
           channel_out(ch, pit_now(s)) << PORT61_OUT2_SHIFT;
}

static void speaker_write(void *opaque, uint64_t offset, uint64_t value,
                          unsigned size)
{
    I8254 *s = opaque;

    s->speaker_data_on = !!(value & PORT61_SPKR_DATA);
    pit_set_gate(s, &s->channels[2], value & PORT61_GATE2);
}

static const DmRegionOps pit_ops = {
    .read = pit_read,
    .write = pit_write,
    .min_access = 1,
    .max_access = 1,
};

static const DmRegionOps speaker_ops = {
    .read = speaker_read,
    .write = speaker_write,
    .min_access = 1,
    .max_access = 1,
};

static gboolean i8254_realize(DmMachine *m, void *dev, GError **errp)
{
    I8254 *s = dev;

    s->machine = m;
    dm_timer_init(&s->irq_timer, m->clock, pit_irq_timer, s);
    dm_region_init_io(&s->pit_io, "pit", 4, &pit_ops, s);
    dm_space_map(m->io, &s->pit_io, PIT_IOBASE, 0);
    dm_region_init_io(&s->speaker_io, "pcspk", 1, &speaker_ops, s);
    dm_space_map(m->io, &s->speaker_io, SPEAKER_PORT, 0);
    return TRUE;
}

/*
 * QEMU's reset: every counter in mode 3 with count 0x10000, gate high
 * except counter 2's. Access states, latches, BCD, the speaker bits and
 * the IRQ level keep their values; IRQ 0 follows at channel 0's next
 * transition.
 */
static void i8254_reset(void *dev)
{
    I8254 *s = dev;
    int64_t now = pit_now(s);

    for (unsigned i = 0; i < 3; i++) {
        I8254Channel *ch = &s->channels[i];

        ch->mode = 3;
        ch->gate = i != 2;
        ch->count_load_time = now;
        ch->count = 0x10000;
    }
    if (!s->irq_disabled) {
        s->channels[0].next_transition_time =
            channel_next_transition(&s->channels[0], now);
        dm_timer_mod(&s->irq_timer, s->channels[0].next_transition_time);
    }
}

static void i8254_unrealize(void *dev)
{
    I8254 *s = dev;

    dm_timer_del(&s->irq_timer);
    dm_space_unmap(&s->speaker_io);
    dm_space_unmap(&s->pit_io);
}

/*
 * The largest value a QEMU or stubdm guest can leave in each byte of a
 * channel; anything above it comes from a damaged stream.
 */
static const struct {
    const char *name;
    size_t offset;
    uint8_t max;
} channel_limits[] = {
    { "count_latched", offsetof(I8254Channel, count_latched), 3 },
    { "status_latched", offsetof(I8254Channel, status_latched), 1 },
    { "read_state", offsetof(I8254Channel, read_state), RW_STATE_WORD1 },
    { "write_state", offsetof(I8254Channel, write_state), RW_STATE_WORD1 },
    { "rw_mode", offsetof(I8254Channel, rw_mode), 3 },
    { "mode", offsetof(I8254Channel, mode), 7 },
    { "bcd", offsetof(I8254Channel, bcd), 1 },
    { "gate", offsetof(I8254Channel, gate), 1 },
};

static gboolean i8254_check(void *opaque, int version, GError **errp)
{
    const I8254 *s = opaque;

    for (unsigned i = 0; i < 3; i++) {
        const I8254Channel *ch = &s->channels[i];

        /* Zero would divide by zero on the next access. */
        if (ch->count < 1 || ch->count > 0x10000) {
            g_set_error(errp, SAVE_ERROR, 0,
                        "channel %u: field 'count' = %" PRId32
                        " out of range", i, ch->count);
            return FALSE;
        }
        for (size_t j = 0; j < G_N_ELEMENTS(channel_limits); j++) {
            uint8_t v = *((const uint8_t *)ch + channel_limits[j].offset);

            if (v > channel_limits[j].max) {
                g_set_error(errp, SAVE_ERROR, 0,
                            "channel %u: field '%s' = %u out of range",
                            i, channel_limits[j].name, (unsigned)v);
                return FALSE;
            }
        }
    }
    return TRUE;
}

static gboolean i8254_post_load(void *opaque, int version, GError **errp)
{
    I8254 *s = opaque;
    int64_t next = s->channels[0].next_transition_time;

    if (next != -1 && !s->irq_disabled) {
        dm_timer_mod(&s->irq_timer, next);
    } else {
        dm_timer_del(&s->irq_timer);
    }
    return TRUE;
}

/*
 * "pit channel" v2, 32 bytes; QEMU 7.2 reads it at version 2 always.
 * v1 streams (before vmstate) wrote these by hand and 7.2 refuses them.
 */
static const SaveField i8254_channel_fields[] = {
    SAVE_FIELD_I32(I8254Channel, count),
    SAVE_FIELD_U16(I8254Channel, latched_count),
    SAVE_FIELD_U8(I8254Channel, count_latched),
    SAVE_FIELD_U8(I8254Channel, status_latched),
    SAVE_FIELD_U8(I8254Channel, status),
    SAVE_FIELD_U8(I8254Channel, read_state),
    SAVE_FIELD_U8(I8254Channel, write_state),
    SAVE_FIELD_U8(I8254Channel, write_latch),
    SAVE_FIELD_U8(I8254Channel, rw_mode),
    SAVE_FIELD_U8(I8254Channel, mode),
    SAVE_FIELD_U8(I8254Channel, bcd),
    SAVE_FIELD_U8(I8254Channel, gate),
    SAVE_FIELD_I64(I8254Channel, count_load_time),
    SAVE_FIELD_I64(I8254Channel, next_transition_time),
    SAVE_END
};

static const SaveSection i8254_channel_section = {
    .name = "pit channel",
    .version = 2,
    .minimum_version = 2,
    .fields = i8254_channel_fields,
};

/*
 * "i8254" v3, 108 bytes (104 at v2). v2 was the channels plus the expiry
 * of channel 0's IRQ timer; v3 (the HPET legacy-mode rework, QEMU 1.1)
 * put irq_disabled in front (QEMU names it channels[0].irq_disabled) and
 * reused the trailing 8 bytes for next_transition_time, which is the same
 * time. qemu-kvm 1.0 wrote a v2 with a leading flags word instead: 108
 * bytes labelled v2, which the stream reader must recognise, not us.
 */
static const SaveField i8254_fields[] = {
    SAVE_FIELD_U32_SINCE(I8254, irq_disabled, 3),
    SAVE_FIELD_STRUCT_ARRAY(I8254, channels, I8254Channel, 3,
                            i8254_channel_section),
    /* Formerly irq_timer. */
    SAVE_FIELD_I64(I8254, channels[0].next_transition_time),
    SAVE_END
};

static const SaveSection i8254_section = {
    .name = "i8254",
    .version = 3,
    .minimum_version = 2,
    .fields = i8254_fields,
    .check = i8254_check,
    .post_load = i8254_post_load,
};

/*
 * QEMU 7.2 builds no PIT (nor the speaker port) for a Xen guest: the
 * hypervisor emulates both, and a qemu-xen stream has no i8254 section.
 */
static bool i8254_present(DmMachine *m)
{
    return m->opts->xen_domid < 0;
}

/* QEMU keeps port 0x61's own bits in a "pcspk" device of their own. */
static const SaveField pcspk_fields[] = {
    { .name = "data_on", .kind = SAVE_U8,
      .offset = offsetof(I8254, speaker_data_on), .size = 1, .count = 1 },
    /* refresh bit toggled on each read, stored as the bit (0 or 0x10) */
    { .name = "dummy_refresh_clock", .kind = SAVE_U8,
      .offset = offsetof(I8254, refresh_clock), .size = 1, .count = 1 },
    SAVE_END
};

/* QEMU's pcspk "migrate" property: off for pc-i440fx-2.7 and older. */
static bool pcspk_needed(void *opaque)
{
    const I8254 *s = opaque;

    return s->machine->compat.pcspk_migrate;
}

static const SaveSection pcspk_section = {
    .name = "pcspk",
    .version = 1,
    .minimum_version = 1,
    .fields = pcspk_fields,
    .needed = pcspk_needed,
};

static const SaveSection *const i8254_extra_state[] = {
    &pcspk_section,
    NULL,
};

const HwDeviceInfo i8254_info = {
    .name          = "i8254",
    .instance_size = sizeof(I8254),
    .present       = i8254_present,
    .realize       = i8254_realize,
    .reset         = i8254_reset,
    .unrealize     = i8254_unrealize,
    .state         = &i8254_section,
    .extra_state   = i8254_extra_state,
};
