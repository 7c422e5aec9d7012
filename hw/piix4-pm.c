/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Intel 82371AB (PIIX4) power management function, 00:01.3, as QEMU 7.2's
 * hw/acpi/piix4.c presents it: ACPI PM1a/PM timer at PMBA (82371AB
 * datasheet 7.2; ACPI 6.4, 4.8), GPE0 at 0xafe0, APM at 0xb2, SMBus at
 * SMBBA, QEMU's PCI (0xae00) and CPU (0xaf00) hotplug ports, SCI on IRQ 9.
 */
#include "hw/piix4-pm.h"
#include "dm/dm-error.h"
#include "hw/i440fx.h"

#include <stdio.h>
#include <string.h>

/* Function-specific configuration registers (datasheet 7.1). */
#define PIIX4_PM_PMBA 0x40
#define PIIX4_PM_DEVACTB 0x58
#define PIIX4_PM_DEVRESD 0x5f
#define PIIX4_PM_DEVRESE 0x63
#define PIIX4_PM_DEVRESJ 0x67
#define PIIX4_PM_PMREGMISC 0x80
#define PIIX4_PM_SMBBA 0x90
#define PIIX4_PM_SMBHSTCFG 0xd2
#define PIIX4_PM_IO_MASK 0xffc0
/*
 * DEVACTB bit 25, APMC_EN: writes to 0xb2 raise an SMI. QEMU sets it when
 * it has no SMM, as if firmware had ("SMM already initialised").
 */
#define PIIX4_PM_APMC_EN 0x02
#define PIIX4_PM_SMB_DEFAULT_BASE 0xb100

/* The PM I/O block, offsets from PMBA. */
#define PM1_EVT 0x0
#define PM1_STS 0x0
#define PM1_EN 0x2
#define PM1_CNT 0x4
#define PM_TMR 0x8

#define PM1_STS_TMR 0x0001
#define PM1_STS_PWRBTN 0x0100
#define PM1_STS_WAK 0x8000
#define PM1_EN_TMR 0x0001
#define PM1_EN_GBL 0x0020
#define PM1_EN_PWRBTN 0x0100
#define PM1_EN_RTC 0x0400
/* The enables QEMU's SCI logic looks at. */
#define PM1_EN_SCI_SOURCES (PM1_EN_TMR | PM1_EN_GBL | PM1_EN_PWRBTN | \
                            PM1_EN_RTC)
#define PM1_CNT_SCI_EN 0x0001
#define PM1_CNT_SLP_EN 0x2000
#define PM1_CNT_SLP_TYP(v) (((v) >> 10) & 7)

/* SLP_TYP values of the DSDT QEMU builds: \_S5 0, \_S3 1, \_S4 2. */
#define SLP_TYP_SOFT_OFF 0
#define SLP_TYP_S3 1
#define SLP_TYP_S4 2

#define PM_TIMER_FREQUENCY 3579545
#define PM_TIMER_MASK 0xffffff
#define NS_PER_SEC 1000000000u

#define SCI_IRQ 9
#define GPE0_BASE 0xafe0
#define GPE0_LEN 4

#define APM_CNT_IOPORT 0xb2
#define APM_ACPI_DISABLE 0xf0
#define APM_ACPI_ENABLE 0xf1

/* a * b / c without overflow, truncated as QEMU's muldiv64. */
static uint64_t muldiv(uint64_t a, uint32_t b, uint32_t c)
{
    return (uint64_t)((unsigned __int128)a * b / c);
}

static uint64_t pm_timer_ticks(const Piix4Pm *s)
{
    return muldiv(dm_clock_now(s->machine->clock), PM_TIMER_FREQUENCY,
                  NS_PER_SEC);
}

static uint64_t pm_overflow_ns(const Piix4Pm *s)
{
    return muldiv(s->overflow_time, NS_PER_SEC, PM_TIMER_FREQUENCY);
}

/*
 * TMR_STS latches when the timer's bit 23 toggles. QEMU compares clock
 * nanoseconds with the overflow tick converted to ns, as its timer does,
 * so the status and the SCI appear at the same instant.
 */
static uint16_t pm1_sts_get(Piix4Pm *s)
{
    if ((uint64_t)dm_clock_now(s->machine->clock) >= pm_overflow_ns(s)) {
        s->pm1_sts |= PM1_STS_TMR;
    }
    return s->pm1_sts;
}

/*
 * The SCI level, derived after every change. Like QEMU (and Xen's own
 * PM1 emulation) it ignores SCI_EN, and only the first GPE0 byte counts.
 * The overflow timer runs while TMR_EN is set and TMR_STS is clear.
 */
static void piix4_pm_update_sci(Piix4Pm *s)
{
    uint16_t sts = pm1_sts_get(s);
    bool level = (sts & s->pm1_en & PM1_EN_SCI_SOURCES) ||
                 (s->gpe.sts & s->gpe.en & 0xff);

    dm_machine_set_irq(s->machine, SCI_IRQ, level);
    if ((s->pm1_en & PM1_EN_TMR) && !(sts & PM1_STS_TMR)) {
        dm_timer_mod(&s->tmr, (int64_t)pm_overflow_ns(s));
    } else {
        dm_timer_del(&s->tmr);
    }
}

static void piix4_pm_timer(void *opaque)
{
    piix4_pm_update_sci(opaque);
}

/*
 * PM1a_EVT: QEMU's handler takes 16-bit accesses at offsets 0 and 2 only;
 * a byte access is widened at its own offset, so odd bytes read 0 and
 * ignore writes.
 */
static uint64_t evt_read(void *opaque, uint64_t off, unsigned size)
{
    Piix4Pm *s = opaque;

    switch (off) {
    case PM1_STS:
        return pm1_sts_get(s);
    case PM1_EN:
        return s->pm1_en;
    default:
        return 0;
    }
}

static void evt_write(void *opaque, uint64_t off, uint64_t val,
                      unsigned size)
{
    Piix4Pm *s = opaque;
    uint16_t v = val;

    switch (off) {
    case PM1_STS:
        /* Write 1 to clear; clearing TMR_STS arms the next overflow. */
        if (pm1_sts_get(s) & v & PM1_STS_TMR) {
            s->overflow_time = (pm_timer_ticks(s) + 0x800000) & ~0x7fffffull;
        }
        s->pm1_sts &= ~v;
        break;
    case PM1_EN:
        s->pm1_en = v;
        break;
    default:
        return;
    }
    piix4_pm_update_sci(s);
}

static const DmRegionOps evt_ops = {
    .read = evt_read,
    .write = evt_write,
    .min_access = 2,
    .max_access = 2,
    .valid_max = 2,
};

static void piix4_pm_sleep(Piix4Pm *s, unsigned slp_typ)
{
    switch (slp_typ) {
    case SLP_TYP_SOFT_OFF:
        dm_machine_request_shutdown(s->machine);
        break;
    case SLP_TYP_S3:
        dm_machine_request_suspend(s->machine);
        break;
    case SLP_TYP_S4:
        /* QEMU cannot hibernate: it says so, then powers off. */
        dm_machine_event(s->machine, "SUSPEND_DISK", NULL);
        dm_machine_request_shutdown(s->machine);
        break;
    default:
        /* Other sleep types (Xen's DSDT uses 5-7) do nothing. */
        break;
    }
}

/*
 * PM1a_CNT. QEMU 7.2 ignores the offset: a byte written at PMBA + 5 lands
 * in the low byte, and a byte read there returns the low byte.
 */
static uint64_t cnt_read(void *opaque, uint64_t off, unsigned size)
{
    Piix4Pm *s = opaque;

    return s->pm1_cnt;
}

static void cnt_write(void *opaque, uint64_t off, uint64_t val,
                      unsigned size)
{
    Piix4Pm *s = opaque;
    uint16_t v = val;

    s->pm1_cnt = v & ~PM1_CNT_SLP_EN;
    if (v & PM1_CNT_SLP_EN) {
        piix4_pm_sleep(s, PM1_CNT_SLP_TYP(v));
    }
}

static const DmRegionOps cnt_ops = {
    .read = cnt_read,
    .write = cnt_write,
    .min_access = 2,
    .max_access = 2,
    /* A dword at PMBA+4 is two words: the upper one is looked up anew. */
    .valid_max = 2,
};

/* PM_TMR: 24 bits at 3.579545 MHz from the virtual clock, read-only. */
static uint64_t tmr_read(void *opaque, uint64_t off, unsigned size)
{
    return pm_timer_ticks(opaque) & PM_TIMER_MASK;
}

static const DmRegionOps tmr_ops = {
    .read = tmr_read,
    .min_access = 4,
    .max_access = 4,
};

/* GPE0_STS at +0..1 (write 1 to clear), GPE0_EN at +2..3; per byte. */
static uint64_t gpe_read(void *opaque, uint64_t off, unsigned size)
{
    Piix4Pm *s = opaque;
    uint32_t regs = s->gpe.sts | (uint32_t)s->gpe.en << 16;

    return (regs >> (8 * off)) & (size == 4 ? UINT32_MAX
                                            : (1u << (8 * size)) - 1);
}

static void gpe_write(void *opaque, uint64_t off, uint64_t val,
                      unsigned size)
{
    Piix4Pm *s = opaque;

    for (unsigned i = 0; i < size && off + i < GPE0_LEN; i++) {
        unsigned byte = off + i;
        uint16_t b = (uint8_t)(val >> (8 * i)), shift = 8 * (byte & 1);

        if (byte < 2) {
            s->gpe.sts &= ~(b << shift);
        } else {
            s->gpe.en = (s->gpe.en & ~(0xff << shift)) | b << shift;
        }
        piix4_pm_update_sci(s);
    }
}

static const DmRegionOps gpe_ops = {
    .read = gpe_read,
    .write = gpe_write,
};

/* APM control (0xb2) and status (0xb3); both alias every other port. */
static uint64_t apm_read(void *opaque, uint64_t off, unsigned size)
{
    Piix4Pm *s = opaque;
    uint64_t v = 0;

    for (unsigned i = 0; i < size; i++) {
        v |= (uint64_t)((off + i) & 1 ? s->apm.apms : s->apm.apmc) << (8 * i);
    }
    return v;
}

static void apm_write(void *opaque, uint64_t off, uint64_t val,
                      unsigned size)
{
    Piix4Pm *s = opaque;

    for (unsigned i = 0; i < size; i++) {
        uint8_t b = val >> (8 * i);

        if ((off + i) & 1) {
            s->apm.apms = b;
            continue;
        }
        s->apm.apmc = b;
        /*
         * The FADT's SMI_CMD: ACPI_ENABLE/DISABLE flip SCI_EN (ACPI 6.4,
         * 4.8.2.5) unless the platform is ACPI-only. Other commands would
         * raise an SMI; with no SMM there is nothing to run.
         */
        if (!s->acpi_only && b == APM_ACPI_ENABLE) {
            s->pm1_cnt |= PM1_CNT_SCI_EN;
        } else if (!s->acpi_only && b == APM_ACPI_DISABLE) {
            s->pm1_cnt &= ~PM1_CNT_SCI_EN;
        }
    }
}

static const DmRegionOps apm_ops = {
    .read = apm_read,
    .write = apm_write,
};

/* Maps r at base when on, moving or removing it as needed. */
static void place(DmSpace *io, DmRegion *r, bool on, uint64_t base)
{
    if (dm_region_mapped(r) && (!on || r->base != base)) {
        dm_space_unmap(r);
    }
    if (on && !dm_region_mapped(r)) {
        dm_space_map(io, r, base, 0);
    }
}

/* PMBA bits 15:6 place the block; PMREGMISC bit 0 enables it. */
static void piix4_pm_map_pm_io(Piix4Pm *s)
{
    const uint8_t *c = s->pci.config;
    uint64_t base = pci_get_long(c + PIIX4_PM_PMBA) & PIIX4_PM_IO_MASK;
    bool on = c[PIIX4_PM_PMREGMISC] & 1;
    DmSpace *io = s->machine->io;

    place(io, &s->evt_io, on, base + PM1_EVT);
    place(io, &s->cnt_io, on, base + PM1_CNT);
    place(io, &s->tmr_io, on, base + PM_TMR);
}

/* SMBBA bits 15:6 place the SMBus block; SMBHSTCFG bit 0 enables it. */
static void piix4_pm_map_smbus_io(Piix4Pm *s)
{
    const uint8_t *c = s->pci.config;

    place(s->machine->io, &s->smb.io, c[PIIX4_PM_SMBHSTCFG] & 1,
          pci_get_long(c + PIIX4_PM_SMBBA) & PIIX4_PM_IO_MASK);
}

static bool overlaps(uint32_t addr, unsigned len, uint32_t reg,
                     unsigned reg_len)
{
    return addr < reg + reg_len && reg < addr + len;
}

static void piix4_pm_config_written(PciDevice *d, uint32_t addr,
                                    uint32_t val, unsigned len)
{
    Piix4Pm *s = (Piix4Pm *)d;

    if (overlaps(addr, len, PIIX4_PM_PMBA, 4) ||
        overlaps(addr, len, PIIX4_PM_PMREGMISC, 1)) {
        piix4_pm_map_pm_io(s);
    }
    if (overlaps(addr, len, PIIX4_PM_SMBBA, 4) ||
        overlaps(addr, len, PIIX4_PM_SMBHSTCFG, 1)) {
        piix4_pm_map_smbus_io(s);
    }
}

/* system_powerdown: the power button, if the guest listens for it. */
static void piix4_pm_powerdown(void *opaque)
{
    Piix4Pm *s = opaque;

    if (s->pm1_en & PM1_EN_PWRBTN) {
        s->pm1_sts |= PM1_STS_PWRBTN;
        piix4_pm_update_sci(s);
    }
}

/*
 * After the wake-up reset: QEMU reports a wake by QMP as one by the power
 * button, since WAK_STS must be set on resume. No SCI, as in QEMU.
 */
static void piix4_pm_wakeup(void *opaque)
{
    Piix4Pm *s = opaque;

    s->pm1_sts |= PM1_STS_WAK | PM1_STS_PWRBTN;
}

/*
 * -no-acpi: QEMU 7.2's pc_piix.c creates no PIIX4 PM function, so the
 * board skips it (no ports, no 00:01.3, no section in the stream).
 */
static bool piix4_pm_present(DmMachine *m)
{
    return !m->opts->no_acpi;
}

static gboolean piix4_pm_realize(DmMachine *m, void *opaque, GError **errp)
{
    Piix4Pm *s = opaque;
    I440fx *host = dm_machine_find_device(m, i440fx_info.name);
    uint8_t *c = s->pci.config;

    g_assert(host);
    if (m->opts->smp_max_cpus > PIIX4_PM_MAX_CPUS) {
        g_set_error(errp, DM_ERROR, DM_ERROR_NOT_EMULATED,
                    "maxcpus=%u: the PIIX4 CPU hotplug interface takes at "
                    "most %u", m->opts->smp_max_cpus, PIIX4_PM_MAX_CPUS);
        return FALSE;
    }
    s->machine = m;
    /* SMM is never enabled (Xen has none), so 6.0+ is ACPI-only. */
    s->acpi_only = m->compat.piix4_acpi_only;
    s->smbus_migrated = m->compat.piix4_smbus_migrate;
    s->bridge_hotplug = m->compat.piix4_bridge_hotplug;
    s->migrate_acpi_index = m->compat.piix4_acpi_index;
    s->memhp_enabled = m->compat.piix4_memhp;
    s->cpu_hotplug_legacy = true;
    s->cpus = m->opts->smp_cpus;
    s->cpuhp.dev_count = MAX(m->opts->smp_max_cpus, s->cpus);

    if (!pci_device_init(&s->pci, host->bus, PCI_DEVFN(1, 3), "PIIX4_PM",
                         0x8086, 0x7113, 0x03, 0x0680, errp)) {
        return FALSE;
    }
    pci_set_word(c + PCI_STATUS, 0x0280);    /* fast back-to-back, DEVSEL */
    c[PCI_INTERRUPT_PIN] = 1;
    c[PIIX4_PM_DEVACTB + 3] = PIIX4_PM_APMC_EN;
    pci_set_word(c + PIIX4_PM_SMBBA, PIIX4_PM_SMB_DEFAULT_BASE | 1);
    c[PIIX4_PM_SMBHSTCFG] = 0x09;            /* SMBus on, IRQ 9 routing */
    /*
     * Set once when QEMU's machine is ready: bit 7 of 0x5f and 0x67 tell
     * whether a parallel or serial port exists; stubdm has none.
     */
    c[PIIX4_PM_DEVRESD] = 0x10;
    c[PIIX4_PM_DEVRESE] = 0x60;
    c[PIIX4_PM_DEVRESJ] = 0x00;
    s->pci.config_written = piix4_pm_config_written;

    dm_region_init_io(&s->evt_io, "acpi-evt", 4, &evt_ops, s);
    dm_region_init_io(&s->cnt_io, "acpi-cnt", 2, &cnt_ops, s);
    dm_region_init_io(&s->tmr_io, "acpi-tmr", 4, &tmr_ops, s);
    dm_region_init_io(&s->gpe_io, "acpi-gpe0", GPE0_LEN, &gpe_ops, s);
    dm_region_init_io(&s->apm_io, "apm-io", 2, &apm_ops, s);
    dm_space_map(m->io, &s->gpe_io, GPE0_BASE, 0);
    dm_space_map(m->io, &s->apm_io, APM_CNT_IOPORT, 0);
    piix4_pm_hotplug_realize(s);
    pm_smbus_init(&s->smb, true);
    piix4_pm_map_smbus_io(s);
    dm_timer_init(&s->tmr, m->clock, piix4_pm_timer, s);
    dm_machine_add_powerdown_hook(m, piix4_pm_powerdown, s);
    dm_machine_add_wakeup_hook(m, piix4_pm_wakeup, s);
    m->wakeup_support = true;
    return TRUE;
}

/*
 * QEMU's piix4_pm_reset: only 0x40 (not all of PMBA), 0x58-0x5b and
 * PMREGMISC go back; the SMBus, APM and hotplug selectors keep their
 * values. Pending PCI ejects on bus 0 complete.
 */
static void piix4_pm_reset(void *opaque)
{
    Piix4Pm *s = opaque;
    uint8_t *c = s->pci.config;

    pci_device_reset(&s->pci);
    memset(c + PIIX4_PM_DEVACTB, 0, 4);
    c[PIIX4_PM_DEVACTB + 3] = PIIX4_PM_APMC_EN;
    c[PIIX4_PM_PMBA] = 0x01;                 /* I/O space indicator */
    c[PIIX4_PM_PMREGMISC] = 0;
    s->pm1_sts = 0;
    s->pm1_en = 0;
    s->pm1_cnt = s->acpi_only ? PM1_CNT_SCI_EN : 0;
    s->overflow_time = 0;
    s->gpe.sts = 0;
    s->gpe.en = 0;
    piix4_pm_update_sci(s);
    piix4_pm_map_pm_io(s);
    piix4_pm_hotplug_reset(s);
}

static void piix4_pm_unrealize(void *opaque)
{
    Piix4Pm *s = opaque;
    DmRegion *regions[] = {
        &s->evt_io, &s->cnt_io, &s->tmr_io, &s->gpe_io, &s->apm_io,
        &s->pcihp_io, &s->cpuhp_io, &s->smb.io,
    };

    dm_timer_del(&s->tmr);
    for (size_t i = 0; i < G_N_ELEMENTS(regions); i++) {
        if (dm_region_mapped(regions[i])) {
            dm_space_unmap(regions[i]);
        }
    }
    pci_device_exit(&s->pci);
}

static gboolean piix4_pm_post_load(void *opaque, int version, GError **errp)
{
    Piix4Pm *s = opaque;

    piix4_pm_map_pm_io(s);
    piix4_pm_map_smbus_io(s);
    piix4_pm_hotplug_map_cpu(s);
    piix4_pm_update_sci(s);
    return TRUE;
}

static bool smbus_test(void *opaque, int version)
{
    return ((Piix4Pm *)opaque)->smbus_migrated;
}

static bool bridge_test(void *opaque, int version)
{
    return ((Piix4Pm *)opaque)->bridge_hotplug;
}

static bool no_bridge_test(void *opaque, int version)
{
    return !bridge_test(opaque, version);
}

static bool acpi_index_test(void *opaque, int version)
{
    Piix4Pm *s = opaque;

    return s->bridge_hotplug && s->migrate_acpi_index;
}

static const SaveField apm_fields[] = {
    SAVE_FIELD_U8(Piix4PmApm, apmc),
    SAVE_FIELD_U8(Piix4PmApm, apms),
    SAVE_END
};

static const SaveSection apm_section = {
    .name = "APM State",
    .version = 1,
    .minimum_version = 1,
    .fields = apm_fields,
};

/*
 * QEMU keeps GPE0 as byte arrays and saves their first two bytes as one
 * host-order u16: on the little-endian hosts every stream comes from, that
 * is our register value, big-endian on the wire (0xafe3 first).
 */
static const SaveField gpe_fields[] = {
    SAVE_FIELD_U16(Piix4PmGpe, sts),
    SAVE_FIELD_U16(Piix4PmGpe, en),
    SAVE_END
};

static const SaveSection gpe_section = {
    .name = "gpe",
    .version = 1,
    .minimum_version = 1,
    .fields = gpe_fields,
};

static const SaveSection *const piix4_pm_subsections[] = {
    &piix4_pm_memhp_section,
    &piix4_pm_cpuhp_section,
    NULL,
};

static const SaveField piix4_pm_fields[] = {
    SAVE_FIELD_STRUCT(Piix4Pm, pci, PciDevice, pci_device_section),
    SAVE_FIELD_U16(Piix4Pm, pm1_sts),
    SAVE_FIELD_U16(Piix4Pm, pm1_en),
    SAVE_FIELD_U16(Piix4Pm, pm1_cnt),
    SAVE_FIELD_STRUCT(Piix4Pm, apm, Piix4PmApm, apm_section),
    /* Machines before pc-i440fx-4.0 (xenfv-3.1 too) never sent it. */
    SAVE_FIELD_STRUCT_TEST(Piix4Pm, smb, PmSmbus, pm_smbus_section,
                           smbus_test),
    SAVE_FIELD_TIMER(Piix4Pm, tmr),
    SAVE_FIELD_I64(Piix4Pm, overflow_time),
    SAVE_FIELD_STRUCT_SINCE(Piix4Pm, gpe, Piix4PmGpe, gpe_section, 2),
    /* Without bridge hotplug (Xen, 1.7 and older): bus 0's status only. */
    SAVE_FIELD_STRUCT_TEST(Piix4Pm, pci_status[0], Piix4PmPciStatus,
                           piix4_pm_pci_status_section, no_bridge_test),
    SAVE_FIELD_U32_TEST(Piix4Pm, hotplug_select, bridge_test),
    { .name = "pci_status", .kind = SAVE_STRUCT,
      .offset = offsetof(Piix4Pm, pci_status),
      .size = sizeof(Piix4PmPciStatus), .count = PIIX4_PM_HOTPLUG_BUSES,
      .nested = &piix4_pm_pcihp_status_section, .test = bridge_test },
    /* 6.1 and 6.2 sent it at random; 7.0 made it a machine property. */
    SAVE_FIELD_U32_TEST(Piix4Pm, acpi_index, acpi_index_test),
    SAVE_END
};

static const SaveSection piix4_pm_section = {
    .name = "piix4_pm",
    .version = 3,
    .minimum_version = 3,
    .fields = piix4_pm_fields,
    .subsections = piix4_pm_subsections,
    .post_load = piix4_pm_post_load,
};

const HwDeviceInfo piix4_pm_info = {
    .name = "PIIX4_PM",
    .instance_size = sizeof(Piix4Pm),
    .present = piix4_pm_present,
    .realize = piix4_pm_realize,
    .reset = piix4_pm_reset,
    .unrealize = piix4_pm_unrealize,
    .state = &piix4_pm_section,
};
