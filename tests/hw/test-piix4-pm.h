/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Shared by test-piix4-pm.c (the device's registers and events) and
 * test-piix4-pm-state.c (the "piix4_pm" section): whole boards with the
 * PIIX4 PM function, reached through port I/O and PCI configuration.
 */
#ifndef TEST_PIIX4_PM_H
#define TEST_PIIX4_PM_H

#include "dm/machine-pc.h"
#include "hw/piix4-pm.h"

#include <glib.h>

#define PMBA 0xb000
#define PM1_STS (PMBA + 0)
#define PM1_EN (PMBA + 2)
#define PM1_CNT (PMBA + 4)
#define PM_TMR (PMBA + 8)
#define GPE0 0xafe0
#define SMBBA 0xb100
#define SCI 9

#define TMR_STS 0x0001
#define GBL_STS 0x0020
#define PWRBTN_STS 0x0100
#define RTC_STS 0x0400
#define TMR_EN 0x0001
#define GBL_EN 0x0020
#define PWRBTN_EN 0x0100
#define RTC_EN 0x0400
#define SCI_EN 0x0001
#define SLP_EN 0x2000
#define SLP_TYP(n) ((n) << 10)

#define PM_FREQ 3579545
#define NS_PER_SEC INT64_C(1000000000)

typedef struct {
    const char *type;
    int xen_domid;
    bool no_acpi;
    bool no_shutdown;
    unsigned cpus;
    unsigned max_cpus;
} Config;

static const Config pc72 = { "pc-i440fx-7.2", -1, false, false, 1, 1 };

static inline DmMachine *machine_new(const Config *c)
{
    g_autoptr(GError) err = NULL;
    DmOptions *o = dm_options_new();
    DmMachine *m;

    o->accel = g_strdup("qtest");
    o->machine_type = g_strdup(c->type);
    /* A Xen domain's devices, driven locally: the glue is not needed. */
    o->xen_domid = c->xen_domid;
    o->no_acpi = c->no_acpi;
    o->no_shutdown = c->no_shutdown;
    o->smp_cpus = c->cpus ? c->cpus : 1;
    o->smp_max_cpus = MAX(c->max_cpus, o->smp_cpus);
    m = dm_machine_new(o, &err);
    g_assert_no_error(err);
    return m;
}

static inline Piix4Pm *pm_of(DmMachine *m)
{
    Piix4Pm *s = dm_machine_find_device(m, piix4_pm_info.name);

    g_assert_nonnull(s);
    return s;
}

static inline uint32_t in(DmMachine *m, uint16_t port, unsigned size)
{
    return (uint32_t)dm_space_read(m->io, port, size);
}

static inline void out(DmMachine *m, uint16_t port, uint32_t v, unsigned size)
{
    dm_space_write(m->io, port, v, size);
}

static inline uint32_t cfg_read(DmMachine *m, uint8_t reg, unsigned size)
{
    out(m, 0xcf8, 0x80000000u | PCI_DEVFN(1, 3) << 8 | (reg & 0xfc), 4);
    return in(m, 0xcfc + (reg & 3), size);
}

static inline void cfg_write(DmMachine *m, uint8_t reg, uint32_t v,
                             unsigned size)
{
    out(m, 0xcf8, 0x80000000u | PCI_DEVFN(1, 3) << 8 | (reg & 0xfc), 4);
    out(m, 0xcfc + (reg & 3), v, size);
}

/* PMBA 0xb000 and PMREGMISC on, as SeaBIOS programs them. */
static inline DmMachine *machine_with_pm(const Config *c)
{
    DmMachine *m = machine_new(c);

    cfg_write(m, 0x40, PMBA | 1, 4);
    cfg_write(m, 0x80, 1, 1);
    return m;
}

static inline bool sci(DmMachine *m)
{
    return m->irq_level[SCI];
}

#endif
