/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Motorola MC146818A real-time clock (datasheet) with the PC's CMOS RAM;
 * behaviour, timing and saved state of QEMU 7.2, quirks included. */
#include "hw/mc146818rtc.h"
#include "dm/dm-error.h"

#include <string.h>
#include <time.h>

#define RTC_IOBASE          0x70      /* index (bit 7: NMI mask), data */
#define RTC_ISA_IRQ         8
/* Datasheet "Address Map". */
#define RTC_SECONDS         0x00
#define RTC_SECONDS_ALARM   0x01
#define RTC_MINUTES         0x02
#define RTC_MINUTES_ALARM   0x03
#define RTC_HOURS           0x04
#define RTC_HOURS_ALARM     0x05
#define RTC_DAY_OF_WEEK     0x06
#define RTC_DAY_OF_MONTH    0x07
#define RTC_MONTH           0x08
#define RTC_YEAR            0x09
#define RTC_REG_A           0x0a
#define RTC_REG_B           0x0b
#define RTC_REG_C           0x0c
#define RTC_REG_D           0x0d
/* PC CMOS bytes (IBM AT layout); the memory bytes are in rtc_cmos_board. */
#define CMOS_SHUTDOWN       0x0f      /* 0xfe: resume from suspend to RAM */
#define CMOS_CENTURY        0x32
#define CMOS_PS2_CENTURY    0x37      /* alias of CMOS_CENTURY */
/* Datasheet "Registers". */
#define REG_A_UIP           0x80
#define REG_A_DV            0x70      /* divider; 0x20: 32.768 kHz, running */
#define REG_A_DV_RESET      0x60      /* both set: divider chain in reset */
#define REG_A_RS            0x0f
#define REG_B_SET           0x80
#define REG_B_PIE           0x40
#define REG_B_AIE           0x20
#define REG_B_UIE           0x10
#define REG_B_SQWE          0x08
#define REG_B_DM            0x04      /* binary, not BCD */
#define REG_B_24H           0x02
#define REG_C_IRQF          0x80
#define REG_C_PF            0x40
#define REG_C_AF            0x20
#define REG_C_UF            0x10
#define REG_C_MASK          0x70      /* PF AF UF line up with PIE AIE UIE */
#define REG_D_VRT           0x80
#define HOURS_PM            0x80      /* 12-hour mode */
#define DONT_CARE           0xc0      /* alarm bytes 0xc0-0xff match all */

#define NS_PER_SEC          INT64_C(1000000000)
#define RTC_CLOCK_RATE      32768
/* UIP shows for the last 8 cycles (244 us) before an update, as QEMU. */
#define UIP_HOLD_NS         (8 * NS_PER_SEC / RTC_CLOCK_RATE)
#define SEC_PER_DAY         86400
/* post_load restarts periodic ticks this far behind (QEMU's clock jump). */
#define MAX_CLOCK_JUMP_NS   (60 * NS_PER_SEC)
/* qemu-xen's HVM_BELOW_4G_RAM_END: the Xen split of guest RAM. */
#define XEN_BELOW_4G_MAX    UINT64_C(0xf0000000)
#define MIB                 (UINT64_C(1) << 20)

static uint64_t muldiv64(uint64_t a, uint32_t b, uint32_t c)
{
    return (uint64_t)((unsigned __int128)a * b / c);
}

/*
 * QEMU runs the RTC on host wall time (-rtc clock=host, the default) or
 * the virtual clock (clock=vm). stubdm arms all timers on the virtual
 * DmClock; the RTC clock is that plus clock_offset: 0 for clock=vm, the
 * host's wall time at realize for clock=host, so values stay ns since
 * 1970 and streams move between QEMU and stubdm with the guest time
 * intact. Under qtest the offset is a whole second: guest time moves only
 * with clock_step, so tests are exact, and 32768 Hz cycles sit on the
 * virtual grid. Unlike QEMU's, this clock stops with the VM (under Xen the
 * hypervisor serves ports 0x70-0x71; this state is only carried along).
 */
static int64_t rtc_now(const Mc146818Rtc *s)
{
    return s->replay_at != -1 ? s->replay_at
                              : dm_clock_now(s->machine->clock) +
                                s->clock_offset;
}

/* Records an RTC-clock expiry (-1: none) and arms t for it if live. */
static void rtc_timer_set(Mc146818Rtc *s, DmTimer *t, int64_t *wire,
                          int64_t expire, bool live)
{
    *wire = expire;
    if (expire == -1 || !live) {
        dm_timer_del(t);
    } else {
        /* Wraps rather than overflows: a stream may hold any value. */
        dm_timer_mod(t, (int64_t)((uint64_t)expire - s->clock_offset));
    }
}

static void rtc_set_irq(Mc146818Rtc *s, bool level)
{
    dm_machine_set_irq(s->machine, RTC_ISA_IRQ, level);
}

/* Time registers follow the clock: SET clear and the divider running. */
static bool rtc_running(const Mc146818Rtc *s)
{
    return !(s->cmos_data[RTC_REG_B] & REG_B_SET) &&
           (s->cmos_data[RTC_REG_A] & REG_A_DV) <= 0x20;
}

/* Unsigned like QEMU's: a loaded stream may hold any values. */
static uint64_t rtc_guest_ns(const Mc146818Rtc *s)
{
    return s->base_rtc * NS_PER_SEC + (uint64_t)rtc_now(s) -
           s->last_update + (uint64_t)s->offset;
}

static int rtc_to_bcd(const Mc146818Rtc *s, int v)
{
    return s->cmos_data[RTC_REG_B] & REG_B_DM ? v : (v / 10) << 4 | v % 10;
}

/* 0xc0-0xff read as -1 ("don't care"), in the time registers too. */
static int rtc_from_bcd(const Mc146818Rtc *s, uint8_t v)
{
    if ((v & DONT_CARE) == DONT_CARE) {
        return -1;
    }
    return s->cmos_data[RTC_REG_B] & REG_B_DM ? v : (v >> 4) * 10 + (v & 15);
}

/* Seconds, minutes, hours, weekday, day, month, year; the PC's century. */
static bool rtc_is_time_reg(unsigned i)
{
    return (i <= RTC_YEAR && !(i & 1 && i <= RTC_HOURS_ALARM)) ||
           i == CMOS_CENTURY;
}

/* Seconds since 1970 of a UTC time, years starting in March; garbage
 * fields are carried arithmetically, not normalised (QEMU's mktimegm). */
static int64_t rtc_tm_seconds(const struct tm *tm)
{
    int y = tm->tm_year + 1900, m = tm->tm_mon + 1;
    int days;

    if (m < 3) {
        m += 12;
        y--;
    }
    days = tm->tm_mday + (153 * m - 457) / 5 + 365 * y + y / 4 - y / 100 +
           y / 400 - 719469;
    return (int64_t)days * SEC_PER_DAY + 3600 * tm->tm_hour +
           60 * tm->tm_min + tm->tm_sec;
}

static void rtc_set_cmos(Mc146818Rtc *s, const struct tm *tm)
{
    uint8_t *c = s->cmos_data;
    int year = tm->tm_year + 1900;
    int h12 = tm->tm_hour % 12 ? tm->tm_hour % 12 : 12;
    uint8_t pm = tm->tm_hour >= 12 ? HOURS_PM : 0;

    c[RTC_SECONDS] = rtc_to_bcd(s, tm->tm_sec);
    c[RTC_MINUTES] = rtc_to_bcd(s, tm->tm_min);
    c[RTC_HOURS] = c[RTC_REG_B] & REG_B_24H ? rtc_to_bcd(s, tm->tm_hour)
                                            : rtc_to_bcd(s, h12) | pm;
    c[RTC_DAY_OF_WEEK] = rtc_to_bcd(s, tm->tm_wday + 1);
    c[RTC_DAY_OF_MONTH] = rtc_to_bcd(s, tm->tm_mday);
    c[RTC_MONTH] = rtc_to_bcd(s, tm->tm_mon + 1);
    c[RTC_YEAR] = rtc_to_bcd(s, year % 100);
    c[CMOS_CENTURY] = rtc_to_bcd(s, year / 100);
}

/* Brings the time registers up to the clock, unless SET holds them. */
static void rtc_update_time(Mc146818Rtc *s)
{
    time_t secs = (int64_t)rtc_guest_ns(s) / NS_PER_SEC;
    struct tm tm = { 0 };

    if (!(s->cmos_data[RTC_REG_B] & REG_B_SET) && gmtime_r(&secs, &tm)) {
        rtc_set_cmos(s, &tm);
    }
}

/* The guest wrote the time: the clock restarts from the registers. The
 * PC board's base year is 0: years 0-99 plus the century byte. */
static void rtc_set_time(Mc146818Rtc *s)
{
    const uint8_t *c = s->cmos_data;
    struct tm tm = { 0 };

    tm.tm_sec = rtc_from_bcd(s, c[RTC_SECONDS]);
    tm.tm_min = rtc_from_bcd(s, c[RTC_MINUTES]);
    tm.tm_hour = rtc_from_bcd(s, c[RTC_HOURS] & ~HOURS_PM);
    if (!(c[RTC_REG_B] & REG_B_24H)) {
        tm.tm_hour = tm.tm_hour % 12 + (c[RTC_HOURS] & HOURS_PM ? 12 : 0);
    }
    tm.tm_mday = rtc_from_bcd(s, c[RTC_DAY_OF_MONTH]);
    tm.tm_mon = rtc_from_bcd(s, c[RTC_MONTH]) - 1;
    tm.tm_year = rtc_from_bcd(s, c[RTC_YEAR]) +
                 rtc_from_bcd(s, c[CMOS_CENTURY]) * 100 - 1900;
    s->base_rtc = rtc_tm_seconds(&tm);
    s->last_update = rtc_now(s);
}

/*
 * The update timer must fire on time only when that shows at once: it
 * raises IRQ 8 (UIE, AIE) or refreshes registers reads do not refresh
 * (divider stopped, not in reset, SET clear). Otherwise the next access
 * replays the due cycles (rtc_catch_up), and an idle RTC sets no
 * deadline, as QEMU's host-clock timers do not: qtest's bare clock_step
 * still lands on the other devices' timers.
 */
static void rtc_update_set(Mc146818Rtc *s, int64_t expire)
{
    uint8_t b = s->cmos_data[RTC_REG_B];

    rtc_timer_set(s, &s->update_tick, &s->update_timer, expire,
                  (b & (REG_B_UIE | REG_B_AIE)) ||
                  (!rtc_running(s) && !(b & REG_B_SET)));
}

/* The periodic rate in 32768 Hz cycles (datasheet Table 5; RS 1 and 2
 * repeat 8 and 9). QEMU ignores the divider bits here. */
static uint32_t rtc_periodic_ticks(const Mc146818Rtc *s)
{
    unsigned rs = s->cmos_data[RTC_REG_A] & REG_A_RS;

    if (!(s->cmos_data[RTC_REG_B] & REG_B_PIE) || !rs) {
        return 0;
    }
    return 1u << ((rs <= 2 ? rs + 7 : rs) - 1);
}

/* Re-arms the periodic interrupt on the 32768 Hz grid; on a rate change
 * the cycles since the last tick count, up to a period ("discard"). */
static void rtc_periodic_update(Mc146818Rtc *s, int64_t now,
                                uint32_t old_period, bool period_change)
{
    uint32_t period = rtc_periodic_ticks(s);
    int64_t cur = (int64_t)muldiv64(now, RTC_CLOCK_RATE, NS_PER_SEC);
    int64_t lost = 0;

    s->period = period;
    if (!period) {
        s->irq_coalesced = 0;
        rtc_timer_set(s, &s->periodic_tick, &s->periodic_timer, -1, true);
        return;
    }
    if (old_period && period_change) {
        uint64_t last = muldiv64(s->next_periodic_time, RTC_CLOCK_RATE,
                                 NS_PER_SEC) - old_period;
        /* QEMU asserts 0 <= lost; a loaded stream need not agree. */
        lost = CLAMP((int64_t)((uint64_t)cur - last), 0, period);
    }
    s->next_periodic_time =
        (int64_t)muldiv64(cur + period - lost, NS_PER_SEC, RTC_CLOCK_RATE) + 1;
    rtc_timer_set(s, &s->periodic_tick, &s->periodic_timer,
                  s->next_periodic_time, true);
}

static void rtc_periodic_fire(void *opaque)
{
    Mc146818Rtc *s = opaque;

    rtc_periodic_update(s, s->next_periodic_time, s->period, false);
    s->cmos_data[RTC_REG_C] |= REG_C_PF;
    if (s->cmos_data[RTC_REG_B] & REG_B_PIE) {
        s->cmos_data[RTC_REG_C] |= REG_C_IRQF;
        rtc_set_irq(s, true);
    }
}

/* As QEMU: 12-hour values go through a uint8_t, PM bit unmasked, and
 * the time register's PM bit applies to the alarm hour too. */
static int rtc_alarm_hour(const Mc146818Rtc *s, int hour)
{
    uint8_t h = hour;

    if (!(s->cmos_data[RTC_REG_B] & REG_B_24H)) {
        h = h % 12 + (s->cmos_data[RTC_HOURS] & HOURS_PM ? 12 : 0);
    }
    return h;
}

static void rtc_carry(int *lo, int *hi)
{
    if (*lo == 60) {
        *lo = 0;
        (*hi)++;
    }
}

/* Seconds from the start of this second to the next alarm match (1 to
 * 86400), by QEMU's case analysis: don't-care fields take the current
 * value, a fixed one that passed moves a coarser one on. */
static int rtc_next_alarm(Mc146818Rtc *s)
{
    const uint8_t *c = s->cmos_data;
    int as, am, ah, cs, cm, ch, sec;

    rtc_update_time(s);
    as = rtc_from_bcd(s, c[RTC_SECONDS_ALARM]);
    am = rtc_from_bcd(s, c[RTC_MINUTES_ALARM]);
    ah = rtc_from_bcd(s, c[RTC_HOURS_ALARM]);
    ah = ah == -1 ? -1 : rtc_alarm_hour(s, ah);
    cs = rtc_from_bcd(s, c[RTC_SECONDS]);
    cm = rtc_from_bcd(s, c[RTC_MINUTES]);
    ch = rtc_alarm_hour(s, rtc_from_bcd(s, c[RTC_HOURS]));

    if (ah == -1 || ah == ch) {
        bool any_hour = ah == -1;

        ah = ch;
        if (am == -1) {
            am = cm;
            if (as == -1) {
                as = cs + 1;
            } else if (cs > as) {
                am++;
            }
            if (!any_hour) {
                rtc_carry(&as, &am);
                am %= 60;
            }
        } else if (cm == am) {
            if (as == -1) {
                as = cs + 1;
            } else if (any_hour && cs > as) {
                ah++;
            }
            if (any_hour) {
                rtc_carry(&as, &ah);
            } else {
                as %= 60;
            }
        } else if (any_hour && cm > am) {
            ah++;
        }
    }
    am = am == -1 ? 0 : am;
    as = as == -1 ? 0 : as;
    rtc_carry(&as, &am);
    rtc_carry(&am, &ah);
    ah %= 24;
    sec = ((ah - ch) * 60 + am - cm) * 60 + as - cs;
    return sec <= 0 ? sec + SEC_PER_DAY : sec;
}

/*
 * Schedules the next update cycle (the end of the guest's second) and the
 * alarm. With UF pending and unread only the alarm can change anything:
 * wait for it, or for nothing when AF is pending too or SET holds.
 */
static void rtc_arm_update(Mc146818Rtc *s)
{
    const uint8_t *c = s->cmos_data;
    uint64_t next;

    if ((c[RTC_REG_A] & REG_A_DV_RESET) == REG_A_DV_RESET) {
        rtc_update_set(s, -1);
        return;
    }
    next = (uint64_t)rtc_now(s) + NS_PER_SEC - rtc_guest_ns(s) % NS_PER_SEC;
    s->next_alarm_time = next + (int64_t)(rtc_next_alarm(s) - 1) * NS_PER_SEC;
    if (!(c[RTC_REG_A] & REG_A_UIP) && (c[RTC_REG_C] & REG_C_UF)) {
        if ((c[RTC_REG_B] & REG_B_SET) || (c[RTC_REG_C] & REG_C_AF)) {
            rtc_update_set(s, -1);
            return;
        }
        next = s->next_alarm_time;
    }
    rtc_update_set(s, (int64_t)next);
}

/* The end of an update cycle: UF, and AF when the alarm time has come. */
static void rtc_update_fire(void *opaque)
{
    Mc146818Rtc *s = opaque;
    uint8_t *c = s->cmos_data;
    uint8_t flags = REG_C_UF, fresh;

    rtc_update_time(s);
    c[RTC_REG_A] &= ~REG_A_UIP;
    if ((uint64_t)rtc_now(s) >= s->next_alarm_time) {
        flags |= REG_C_AF;
    }
    fresh = flags & ~c[RTC_REG_C];
    c[RTC_REG_C] |= flags;
    if (fresh & c[RTC_REG_B]) {
        c[RTC_REG_C] |= REG_C_IRQF;
        rtc_set_irq(s, true);
    }
    rtc_arm_update(s);
}

/* Runs each due update cycle at its own time, as QEMU's timer would. */
static void rtc_catch_up(Mc146818Rtc *s)
{
    int64_t now = rtc_now(s);

    while (s->update_timer != -1 && s->update_timer <= now) {
        s->replay_at = s->update_timer;
        rtc_update_fire(s);
    }
    s->replay_at = -1;
}

static bool rtc_update_in_progress(Mc146818Rtc *s)
{
    if (!rtc_running(s)) {
        return false;
    }
    if (s->update_timer != -1 && rtc_now(s) + UIP_HOLD_NS >= s->update_timer) {
        /* Latched until the update cycle ends. */
        s->cmos_data[RTC_REG_A] |= REG_A_UIP;
        return true;
    }
    return (int64_t)rtc_guest_ns(s) % NS_PER_SEC >= NS_PER_SEC - UIP_HOLD_NS;
}

/* Entering SET or divider reset: the registers keep the time as of now. */
static void rtc_freeze(Mc146818Rtc *s)
{
    if (rtc_running(s)) {
        rtc_update_time(s);
    }
    s->cmos_data[RTC_REG_A] &= ~REG_A_UIP;
}

static void rtc_write_reg_a(Mc146818Rtc *s, uint8_t val)
{
    uint8_t *c = s->cmos_data;

    if ((val & REG_A_DV_RESET) == REG_A_DV_RESET) {
        rtc_freeze(s);
    } else if ((c[RTC_REG_A] & REG_A_DV_RESET) == REG_A_DV_RESET &&
               (val & REG_A_DV) <= 0x20) {
        /* Datasheet: the first update comes half a second after reset. */
        if (!(c[RTC_REG_B] & REG_B_SET)) {
            s->offset = NS_PER_SEC / 2;
            rtc_set_time(s);
        }
        c[RTC_REG_A] &= ~REG_A_UIP;
    }
    c[RTC_REG_A] = (val & ~REG_A_UIP) | (c[RTC_REG_A] & REG_A_UIP);
}

static void rtc_write_reg_b(Mc146818Rtc *s, uint8_t val)
{
    uint8_t *c = s->cmos_data;
    bool irq;

    if (val & REG_B_SET) {
        rtc_freeze(s);
        val &= ~REG_B_UIE;    /* datasheet: setting SET clears UIE */
    } else if ((c[RTC_REG_B] & REG_B_SET) &&
               (c[RTC_REG_A] & REG_A_DV) <= 0x20) {
        /* Leaving SET keeps the phase within the second. */
        s->offset = rtc_guest_ns(s) % NS_PER_SEC;
        rtc_set_time(s);
    }
    /* Enabling an interrupt whose flag is pending raises it at once. */
    irq = val & c[RTC_REG_C] & REG_C_MASK;
    c[RTC_REG_C] = irq ? c[RTC_REG_C] | REG_C_IRQF : c[RTC_REG_C] & ~REG_C_IRQF;
    rtc_set_irq(s, irq);
    c[RTC_REG_B] = val;
}

static uint64_t rtc_io_read(void *opaque, uint64_t offset, unsigned size)
{
    Mc146818Rtc *s = opaque;
    uint8_t *c = s->cmos_data;
    uint8_t val;

    if (offset == 0) {
        return 0xff;          /* the index register is write-only */
    }
    rtc_catch_up(s);
    if (s->cmos_index == CMOS_PS2_CENTURY) {
        s->cmos_index = CMOS_CENTURY;
    }
    val = c[s->cmos_index];
    if (rtc_is_time_reg(s->cmos_index) && rtc_running(s)) {
        rtc_update_time(s);
        val = c[s->cmos_index];
    } else if (s->cmos_index == RTC_REG_A && rtc_update_in_progress(s)) {
        val |= REG_A_UIP;
    } else if (s->cmos_index == RTC_REG_C) {
        /* Reading C acknowledges: flags and IRQ 8 clear. */
        rtc_set_irq(s, false);
        c[RTC_REG_C] = 0;
        if (val & (REG_C_UF | REG_C_AF)) {
            rtc_arm_update(s);
        }
    }
    return val;
}

static void rtc_io_write(void *opaque, uint64_t offset, uint64_t value,
                         unsigned size)
{
    Mc146818Rtc *s = opaque;
    uint8_t *c = s->cmos_data;
    uint8_t val = value, i, rate;
    uint32_t old_period = rtc_periodic_ticks(s);

    if (offset == 0) {
        s->cmos_index = val & 0x7f;   /* bit 7 masks NMI on a real PC */
        return;
    }
    rtc_catch_up(s);
    if (s->cmos_index == CMOS_PS2_CENTURY) {
        s->cmos_index = CMOS_CENTURY;
    }
    i = s->cmos_index;
    rate = (c[RTC_REG_A] & REG_A_RS) | (c[RTC_REG_B] & REG_B_PIE);
    if (i == RTC_REG_A || i == RTC_REG_B) {
        if (i == RTC_REG_A) {
            rtc_write_reg_a(s, val);
        } else {
            rtc_write_reg_b(s, val);
        }
        if (rate != ((c[RTC_REG_A] & REG_A_RS) | (c[RTC_REG_B] & REG_B_PIE))) {
            rtc_periodic_update(s, rtc_now(s), old_period, true);
        }
        rtc_arm_update(s);
    } else if (i != RTC_REG_C && i != RTC_REG_D) {    /* C, D: read-only */
        c[i] = val;
        if (i <= RTC_HOURS_ALARM && (i & 1)) {
            rtc_arm_update(s);                        /* an alarm byte */
        } else if (rtc_is_time_reg(i) && rtc_running(s)) {
            /* Under SET the new time is taken when SET is cleared. */
            rtc_set_time(s);
            rtc_arm_update(s);
        }
    }
}

static const DmRegionOps rtc_ops = {
    .read = rtc_io_read,
    .write = rtc_io_write,
    .min_access = 1,
    .max_access = 1,
};

/*
 * QEMU's set_boot_dev: up to three devices in -boot order, as BIOS codes
 * 1 floppy (a, b), 2 hard disk (c), 3 CD-ROM (d), 4 network (n).
 */
static gboolean rtc_cmos_boot(Mc146818Rtc *s, const char *order,
                              GError **errp)
{
    static const char devs[] = "abcdn";
    static const int codes[] = { 1, 1, 2, 3, 4 };
    int code[3] = { 0, 0, 0 };

    for (size_t i = 0; order[i]; i++) {
        const char *d = strchr(devs, order[i]);
        if (i >= G_N_ELEMENTS(code) || !d) {
            g_set_error(errp, DM_ERROR, DM_ERROR_INVALID,
                        "boot order '%s': a PC boots from up to 3 of a, b, "
                        "c, d and n", order);
            return FALSE;
        }
        code[i] = codes[d - devs];
    }
    s->cmos_data[0x3d] = code[1] << 4 | code[0];
    /* Bit 0 clear: the BIOS checks floppy boot signatures (QEMU default). */
    s->cmos_data[0x38] = code[2] << 4;
    return TRUE;
}

static void cmos_put(Mc146818Rtc *s, unsigned reg, uint64_t v, unsigned n)
{
    for (unsigned i = 0; i < n; i++) {
        s->cmos_data[reg + i] = v >> (8 * i);
    }
}

/* What pc_cmos_init and pc_machine_done store on a board with no floppy
 * and no IDE disk (those bytes stay zero). */
static void rtc_cmos_board(Mc146818Rtc *s, const DmMachine *m)
{
    const DmOptions *o = m->opts;
    uint64_t below = o->ram_size, above = 0, ext;

    if (m->guest_ram) {
        below = m->guest_ram->below_4g;
        above = m->guest_ram->above_4g;
    } else {
        /* Under Xen guest RAM is the hypervisor's: qemu-xen's split. */
        uint64_t cap = o->max_ram_below_4g ? o->max_ram_below_4g
                                           : XEN_BELOW_4G_MAX;
        below = MIN(below, MIN(cap, XEN_BELOW_4G_MAX));
        above = o->ram_size - below;
    }
    ext = below > MIB ? MIN((below - MIB) >> 10, 65535) : 0;
    cmos_put(s, 0x15, MIN(below >> 10, 640), 2);      /* KiB below 1 MiB */
    cmos_put(s, 0x17, ext, 2);                         /* KiB above 1 MiB */
    cmos_put(s, 0x30, ext, 2);                         /* the same again */
    cmos_put(s, 0x34, below > 16 * MIB ?               /* 64 KiB above 16 */
             MIN((below - 16 * MIB) >> 16, 65535) : 0, 2);
    cmos_put(s, 0x5b, above >> 16, 3);                 /* 64 KiB above 4G */
    /* CPUs - 1; over 255 CPUs 0, and the BIOS must ask fw_cfg. */
    s->cmos_data[0x5f] = o->smp_cpus > 255 ? 0 : o->smp_cpus - 1;
    /* Equipment: FPU and PS/2 mouse, which QEMU sets unconditionally. */
    s->cmos_data[0x14] = 0x06;
}

/* Guest seconds at start (-rtc base=), as QEMU's qemu_get_timedate. */
static int64_t rtc_start_seconds(const DmOptions *o, time_t host_s)
{
    struct tm lt;

    if (o->rtc_base == DM_RTC_BASE_DATE) {
        return o->rtc_base_date;
    }
    /* localtime: the local date and time fields, taken as UTC */
    if (o->rtc_base == DM_RTC_BASE_LOCALTIME && localtime_r(&host_s, &lt)) {
        return host_s + lt.tm_gmtoff;
    }
    return host_s;
}

static gboolean rtc_realize(DmMachine *m, void *dev, GError **errp)
{
    Mc146818Rtc *s = dev;
    const DmOptions *o = m->opts;
    int64_t host = g_get_real_time() * 1000, host_s = host / NS_PER_SEC;
    time_t start = rtc_start_seconds(o, host_s);
    struct tm tm = { 0 };

    s->machine = m;
    if (!rtc_cmos_boot(s, o->boot_order ? o->boot_order : "cad", errp)) {
        return FALSE;
    }
    if (!o->rtc_clock_vm) {
        s->clock_offset = (dm_clock_is_manual(m->clock) ?
                           host_s * NS_PER_SEC : host) - dm_clock_now(m->clock);
    }
    dm_timer_init(&s->periodic_tick, m->clock, rtc_periodic_fire, s);
    dm_timer_init(&s->update_tick, m->clock, rtc_update_fire, s);
    s->periodic_timer = -1;
    s->update_timer = -1;
    s->replay_at = -1;

    s->cmos_data[RTC_REG_A] = 0x26;   /* 32.768 kHz divider, 1024 Hz rate */
    s->cmos_data[RTC_REG_B] = REG_B_24H;
    s->cmos_data[RTC_REG_D] = REG_D_VRT;
    /* The guest's second starts now, not at the host's. */
    s->base_rtc = start;
    s->last_update = rtc_now(s);
    gmtime_r(&start, &tm);
    rtc_set_cmos(s, &tm);
    rtc_arm_update(s);
    rtc_cmos_board(s, m);

    dm_region_init_io(&s->io, "rtc", 2, &rtc_ops, s);
    dm_space_map(m->io, &s->io, RTC_IOBASE, 0);
    return TRUE;
}

/* Time and CMOS RAM survive a reset; interrupt enables and flags do not. */
static void rtc_reset(void *dev)
{
    Mc146818Rtc *s = dev;
    uint8_t *c = s->cmos_data;

    rtc_catch_up(s);
    if (c[CMOS_SHUTDOWN] != 0xfe) {
        c[CMOS_SHUTDOWN] = 0;
    }
    c[RTC_REG_B] &= ~(REG_B_PIE | REG_B_AIE | REG_B_SQWE);
    c[RTC_REG_C] &= ~(REG_C_UF | REG_C_IRQF | REG_C_PF | REG_C_AF);
    rtc_arm_update(s);
    rtc_set_irq(s, false);
}

static void rtc_unrealize(void *dev)
{
    Mc146818Rtc *s = dev;

    dm_timer_del(&s->periodic_tick);
    dm_timer_del(&s->update_tick);
    if (dm_region_mapped(&s->io)) {
        dm_space_unmap(&s->io);
    }
}

static gboolean rtc_pre_save(void *opaque, GError **errp)
{
    Mc146818Rtc *s = opaque;

    rtc_catch_up(s);
    /* QEMU saves the time registers current, even with a stopped divider. */
    rtc_update_time(s);
    return TRUE;
}

static gboolean rtc_check(void *opaque, int version, GError **errp)
{
    const Mc146818Rtc *s = opaque;

    if (s->cmos_index > 0x7f) {       /* port 0x70 never stores bit 7 */
        g_set_error(errp, SAVE_ERROR, 0,
                    "field 'cmos_index' = %u out of range", s->cmos_index);
        return FALSE;
    }
    return TRUE;
}

static gboolean rtc_post_load(void *opaque, int version, GError **errp)
{
    Mc146818Rtc *s = opaque;
    int64_t now;
    /* The timers as loaded, then QEMU's adjustments. */
    rtc_timer_set(s, &s->periodic_tick, &s->periodic_timer,
                  s->periodic_timer, true);
    rtc_update_set(s, s->update_timer);
    if (version <= 2) {
        /* No base_rtc in the stream: restart from the time registers. */
        rtc_set_time(s);
        s->offset = 0;
        rtc_arm_update(s);
    }
    s->period = rtc_periodic_ticks(s);
    now = rtc_now(s);
    if (now < s->next_periodic_time ||
        s->next_periodic_time < now - MAX_CLOCK_JUMP_NS) {
        rtc_periodic_update(s, now, s->period, false);
    }
    /* The line is not saved; it is high exactly while IRQF is set. */
    rtc_set_irq(s, s->cmos_data[RTC_REG_C] & REG_C_IRQF);
    return TRUE;
}

static bool rtc_reinject_needed(void *opaque)
{
    return ((Mc146818Rtc *)opaque)->irq_reinject_on_ack_count != 0;
}

static const SaveField rtc_reinject_fields[] = {
    SAVE_FIELD_U16(Mc146818Rtc, irq_reinject_on_ack_count),
    SAVE_END
};

static const SaveSection rtc_reinject_section = {
    .name = "mc146818rtc/irq_reinject_on_ack_count",
    .version = 1, .minimum_version = 1,
    .fields = rtc_reinject_fields,
    .needed = rtc_reinject_needed,
};

static const SaveSection *const rtc_subsections[] = {
    &rtc_reinject_section, NULL
};

/* QEMU's "timer" fields (be64 RTC-clock expiry, -1 idle) are i64 here
 * with the same bytes, since our ticks run on the virtual clock. */
static const SaveField rtc_fields[] = {
    SAVE_FIELD_BUFFER(Mc146818Rtc, cmos_data),
    SAVE_FIELD_U8(Mc146818Rtc, cmos_index),
    /* formerly current_tm: tm_sec ... tm_year as 7 x i32 */
    SAVE_FIELD_UNUSED("unused", 7 * 4),
    SAVE_FIELD_I64(Mc146818Rtc, periodic_timer),
    SAVE_FIELD_I64(Mc146818Rtc, next_periodic_time),
    /* formerly next_second_time, second_timer, second_timer2 */
    SAVE_FIELD_UNUSED("unused", 3 * 8),
    SAVE_FIELD_U32_SINCE(Mc146818Rtc, irq_coalesced, 2),
    SAVE_FIELD_U32_SINCE(Mc146818Rtc, period, 2),
    SAVE_FIELD_U64_SINCE(Mc146818Rtc, base_rtc, 3),
    SAVE_FIELD_U64_SINCE(Mc146818Rtc, last_update, 3),
    SAVE_FIELD_I64_SINCE(Mc146818Rtc, offset, 3),
    SAVE_FIELD_I64_SINCE(Mc146818Rtc, update_timer, 3),
    SAVE_FIELD_U64_SINCE(Mc146818Rtc, next_alarm_time, 3),
    SAVE_END
};

static const SaveSection rtc_section = {
    .name = "mc146818rtc",
    .version = 3,
    .minimum_version = 1,
    .fields = rtc_fields,
    .subsections = rtc_subsections,
    .pre_save = rtc_pre_save,
    .check = rtc_check,
    .post_load = rtc_post_load,
};

const HwDeviceInfo mc146818rtc_info = {
    .name          = "mc146818rtc",
    .instance_size = sizeof(Mc146818Rtc),
    .realize       = rtc_realize,
    .reset         = rtc_reset,
    .unrealize     = rtc_unrealize,
    .state         = &rtc_section,
};
