/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Intel 8254 PIT at ports 0x40-0x43, with the speaker/gate port 0x61. */
#ifndef HW_I8254_H
#define HW_I8254_H

#include "hw/hw.h"

/* One counter; the fields are QEMU 7.2's "pit channel", in wire order. */
typedef struct I8254Channel {
    int32_t count;            /* reload value; 0x10000 when 0 was written */
    uint16_t latched_count;
    uint8_t count_latched;    /* 0, or the RW state of a pending latch read */
    uint8_t status_latched;
    uint8_t status;
    uint8_t read_state;       /* RW_STATE_* of hw/i8254.c */
    uint8_t write_state;
    uint8_t write_latch;      /* first byte of an LSB-then-MSB write */
    uint8_t rw_mode;
    uint8_t mode;             /* as written: 0-7 */
    uint8_t bcd;
    uint8_t gate;
    int64_t count_load_time;  /* virtual ns */
    int64_t next_transition_time;     /* channel 0 only; -1: none */
} I8254Channel;

typedef struct I8254 {
    /* Saved ("i8254" v3). */
    uint32_t irq_disabled;    /* channel 0 output unwired (HPET legacy) */
    I8254Channel channels[3];

    /* Private to stubdm. */
    DmMachine *machine;
    DmTimer irq_timer;        /* channel 0's next output transition */
    DmRegion pit_io;
    DmRegion speaker_io;
    uint8_t speaker_data_on;  /* port 0x61 bit 1 (QEMU saves it in "pcspk") */
    uint8_t refresh_clock;    /* port 0x61 bit 4 */
} I8254;

extern const HwDeviceInfo i8254_info;

#endif
