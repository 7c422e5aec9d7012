/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Motorola MC146818 real-time clock and CMOS RAM at ports 0x70-0x71. */
#ifndef HW_MC146818RTC_H
#define HW_MC146818RTC_H

#include "hw/hw.h"

/*
 * Times are in RTC-clock nanoseconds (see rtc_now in hw/mc146818rtc.c):
 * since 1970 by default, the virtual clock with -rtc clock=vm.
 * Guest time = base_rtc s + (now - last_update) + offset.
 */
typedef struct Mc146818Rtc {
    /* Saved ("mc146818rtc" v3), in wire order. */
    uint8_t cmos_data[128];   /* time and alarm, registers A-D, CMOS RAM */
    uint8_t cmos_index;       /* port 0x70 without the NMI mask bit */
    int64_t periodic_timer;   /* expiry, -1 when idle */
    int64_t next_periodic_time;
    uint32_t irq_coalesced;   /* QEMU's driftfix=slew; kept, not used */
    uint32_t period;          /* 32768 Hz cycles; 0: no periodic interrupt */
    uint64_t base_rtc;        /* guest time at last_update, seconds */
    uint64_t last_update;
    int64_t offset;           /* sub-second phase of the guest time */
    int64_t update_timer;     /* expiry of the next update cycle, -1: none */
    uint64_t next_alarm_time;
    uint16_t irq_reinject_on_ack_count;       /* subsection; kept */

    /* Private to stubdm. */
    DmMachine *machine;
    int64_t clock_offset;     /* RTC clock = virtual clock + this */
    int64_t replay_at;        /* RTC clock while replaying, else -1 */
    DmTimer periodic_tick;
    DmTimer update_tick;      /* armed only when its expiry shows at once */
    DmRegion io;
} Mc146818Rtc;

extern const HwDeviceInfo mc146818rtc_info;

#endif
