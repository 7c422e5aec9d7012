/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * PIIX4 power management, 00:01.3 (hw/piix4-pm.c, hw/pm-smbus.c,
 * hw/piix4-pm-hotplug.c) on whole boards driven through their port space
 * with the stepped qtest clock. Section numbers are the 82371AB
 * datasheet's and ACPI 6.4's; where QEMU 7.2 differs, the test follows
 * QEMU and says so (tests/interop/piix4_pm.py compares with QEMU itself).
 */
#include "test-hw.h"
#include "test-piix4-pm.h"

#include "save/codec.h"

/* Runs what the guest's writes left for the main loop (shutdown, S3). */
static void drain(void)
{
    while (g_main_context_iteration(NULL, FALSE)) {
    }
}

/* The first nanosecond at which the PM timer has counted `ticks`. */
static int64_t ns_at_tick(uint64_t ticks)
{
    return (int64_t)((ticks * NS_PER_SEC + PM_FREQ - 1) / PM_FREQ);
}

static void test_config_defaults(void)
{
    DmMachine *m = machine_new(&pc72);

    /* 82371AB function 3: 8086:7113 rev 3, bridge-other; not multifunction */
    g_assert_cmphex(cfg_read(m, 0x00, 4), ==, 0x71138086);
    g_assert_cmphex(cfg_read(m, 0x04, 4), ==, 0x02800000);
    g_assert_cmphex(cfg_read(m, 0x08, 4), ==, 0x06800003);
    g_assert_cmphex(cfg_read(m, 0x0e, 1), ==, 0x00);
    g_assert_cmphex(cfg_read(m, 0x2c, 4), ==, 0x11001af4);
    g_assert_cmphex(cfg_read(m, 0x3d, 1), ==, 0x01);
    /* 7.1.x: PMBA reads 1 (I/O space), PMREGMISC off */
    g_assert_cmphex(cfg_read(m, 0x40, 4), ==, 0x00000001);
    g_assert_cmphex(cfg_read(m, 0x80, 1), ==, 0x00);
    /* DEVACTB: QEMU marks SMM as set up when it has none (Xen never has) */
    g_assert_cmphex(cfg_read(m, 0x58, 4), ==, 0x02000000);
    /* DEVRESD/E/J as QEMU sets them with no serial or parallel port */
    g_assert_cmphex(cfg_read(m, 0x5c, 4), ==, 0x10000000);
    g_assert_cmphex(cfg_read(m, 0x60, 4), ==, 0x60000000);
    g_assert_cmphex(cfg_read(m, 0x64, 4), ==, 0x00000000);
    /* SMBus at 0xb100, enabled (SMBHSTCFG 0x09) */
    g_assert_cmphex(cfg_read(m, 0x90, 4), ==, 0x0000b101);
    g_assert_cmphex(cfg_read(m, 0xd0, 4), ==, 0x00090000);
    dm_machine_free(m);
}

static void test_config_pmba(void)
{
    DmMachine *m = machine_new(&pc72);

    /* Nothing decodes until PMREGMISC bit 0 (7.1.27) */
    cfg_write(m, 0x40, PMBA | 1, 4);
    g_assert_cmphex(in(m, PM1_CNT, 2), ==, 0xffff);
    cfg_write(m, 0x80, 1, 1);
    g_assert_cmphex(in(m, PM1_CNT, 2), ==, SCI_EN);
    /* Bits 15:6 only: the low bits and the upper word are ignored */
    cfg_write(m, 0x40, 0x1234c0ff, 4);
    g_assert_cmphex(in(m, PM1_CNT, 2), ==, 0xffff);
    g_assert_cmphex(in(m, 0xc0c4, 2), ==, SCI_EN);
    /* A byte write to 0x41 moves the block too */
    cfg_write(m, 0x41, 0xd0, 1);
    g_assert_cmphex(in(m, 0xd0c4, 2), ==, SCI_EN);
    g_assert_cmphex(in(m, 0xc0c4, 2), ==, 0xffff);
    cfg_write(m, 0x80, 0, 1);
    g_assert_cmphex(in(m, 0xd0c4, 2), ==, 0xffff);
    /* Reset puts back byte 0x40 and PMREGMISC only, as QEMU does */
    cfg_write(m, 0x80, 1, 1);
    dm_machine_reset(m, false);
    g_assert_cmphex(cfg_read(m, 0x40, 4), ==, 0x1234d001);
    g_assert_cmphex(in(m, 0xd0c4, 2), ==, 0xffff);
    dm_machine_free(m);
}

static void test_config_smbus(void)
{
    DmMachine *m = machine_new(&pc72);

    /* SMBAUXCTL reads 2: QEMU's PIIX4 forces the 32-byte buffer on */
    g_assert_cmphex(in(m, SMBBA + 0x0d, 1), ==, 0x02);
    cfg_write(m, 0x90, 0xc101, 4);
    g_assert_cmphex(in(m, SMBBA + 0x0d, 1), ==, 0xff);
    g_assert_cmphex(in(m, 0xc10d, 1), ==, 0x02);
    /* SMBHSTCFG bit 0 turns the host interface off */
    cfg_write(m, 0xd2, 0x08, 1);
    g_assert_cmphex(in(m, 0xc10d, 1), ==, 0xff);
    cfg_write(m, 0xd2, 0x09, 1);
    /* And a reset leaves the SMBus where the guest put it */
    dm_machine_reset(m, false);
    g_assert_cmphex(in(m, 0xc10d, 1), ==, 0x02);
    dm_machine_free(m);
}

static void test_smbus_registers(void)
{
    DmMachine *m = machine_new(&pc72);
    uint16_t b = SMBBA;

    /* Quick command to 0x10 with INTREN: nobody acknowledges, DEV_ERR */
    out(m, b + 4, 0x21, 1);
    out(m, b + 2, 0x41, 1);
    g_assert_cmphex(in(m, b + 0, 1), ==, 0x04);
    g_assert_cmphex(in(m, b + 2, 1), ==, 0x01);       /* START reads 0 */
    out(m, b + 0, 0xff, 1);
    /* Without INTREN QEMU shows HOST_BUSY until the next status read */
    out(m, b + 2, 0x48, 1);
    g_assert_cmphex(in(m, b + 0, 1), ==, 0x01);
    g_assert_cmphex(in(m, b + 0, 1), ==, 0x04);
    out(m, b + 0, 0xff, 1);
    /* KILL: FAILED */
    out(m, b + 2, 0x02, 1);
    g_assert_cmphex(in(m, b + 0, 1), ==, 0x10);
    out(m, b + 0, 0xff, 1);
    /* The 32-byte buffer fills and reads back from index 0 */
    out(m, b + 2, 0x00, 1);
    for (unsigned i = 0; i < 3; i++) {
        out(m, b + 7, 0xa0 + i, 1);
    }
    g_assert_cmphex(pm_of(m)->smb.smb_index, ==, 3);
    pm_of(m)->smb.smb_index = 0;
    g_assert_cmphex(in(m, b + 7, 1), ==, 0xa0);
    g_assert_cmphex(in(m, b + 7, 1), ==, 0xa1);
    dm_machine_free(m);
}

static void test_pm1_w1c(void)
{
    DmMachine *m = machine_with_pm(&pc72);

    /* overflow_time starts at 0, so TMR_STS is set from the first read */
    g_assert_cmphex(in(m, PM1_STS, 2), ==, TMR_STS);
    /* Writing 0 clears nothing; writing 1 clears (ACPI 4.8.3.1.1) */
    out(m, PM1_STS, 0, 2);
    g_assert_cmphex(in(m, PM1_STS, 2), ==, TMR_STS);
    pm_of(m)->pm1_sts |= PWRBTN_STS;
    out(m, PM1_STS, PWRBTN_STS, 2);
    g_assert_cmphex(in(m, PM1_STS, 2), ==, TMR_STS);
    out(m, PM1_STS, 0xffff, 2);
    g_assert_cmphex(in(m, PM1_STS, 2), ==, 0);
    /* QEMU widens bytes at their own offset: odd bytes read 0, writes drop */
    out(m, PM1_EN, 0x0521, 2);
    g_assert_cmphex(in(m, PM1_EN + 1, 1), ==, 0);
    out(m, PM1_EN + 1, 0x00, 1);
    g_assert_cmphex(in(m, PM1_EN, 2), ==, 0x0521);
    g_assert_cmphex(in(m, PM1_STS, 4), ==, 0x05210000);
    /* PM1_CNT: SLP_EN reads 0; a byte at +5 lands in the low byte (7.2) */
    out(m, PM1_CNT, 0x0c01, 2);
    g_assert_cmphex(in(m, PM1_CNT, 2), ==, 0x0c01);
    out(m, PM1_CNT + 1, 0x20, 1);
    g_assert_cmphex(in(m, PM1_CNT, 2), ==, 0x0020);
    /* PM_TMR ignores writes */
    out(m, PM_TMR, 0x12345678, 4);
    g_assert_cmphex(in(m, PM_TMR, 4), ==, 0);
    dm_machine_free(m);
}

static void test_sci_sources(void)
{
    DmMachine *m = machine_with_pm(&pc72);
    Piix4Pm *s = pm_of(m);

    out(m, PM1_STS, 0xffff, 2);
    g_assert_false(sci(m));
    /* Each PM1 source with its enable (ACPI 4.8.3.1) */
    s->pm1_sts |= GBL_STS | RTC_STS;
    out(m, PM1_EN, GBL_EN, 2);
    g_assert_true(sci(m));
    out(m, PM1_EN, RTC_EN, 2);
    g_assert_true(sci(m));
    out(m, PM1_STS, RTC_STS, 2);
    g_assert_false(sci(m));
    out(m, PM1_STS, GBL_STS, 2);
    /* The power button: status set by system_powerdown */
    out(m, PM1_EN, PWRBTN_EN, 2);
    dm_machine_powerdown(m);
    g_assert_true(sci(m));
    out(m, PM1_STS, PWRBTN_STS, 2);
    g_assert_false(sci(m));
    /* GPE0: QEMU only looks at the first status/enable byte */
    out(m, PM1_EN, 0, 2);
    s->gpe.sts = 0x0102;
    out(m, GPE0 + 3, 0x01, 1);
    g_assert_false(sci(m));
    out(m, GPE0 + 2, 0x02, 1);
    g_assert_true(sci(m));
    out(m, GPE0, 0x02, 1);
    g_assert_false(sci(m));
    g_assert_cmphex(in(m, GPE0, 4), ==, 0x01020100);
    /* SCI_EN does not gate the SCI in QEMU (nor in Xen's PM1 emulation) */
    out(m, PM1_CNT, 0, 2);
    dm_machine_powerdown(m);
    g_assert_false(sci(m));
    out(m, PM1_EN, PWRBTN_EN, 2);
    dm_machine_powerdown(m);
    g_assert_true(sci(m));
    /* Reset clears status and enables, and the line */
    dm_machine_reset(m, false);
    g_assert_false(sci(m));
    dm_machine_free(m);
}

static void test_timer_value(void)
{
    DmMachine *m = machine_with_pm(&pc72);

    g_assert_cmphex(in(m, PM_TMR, 4), ==, 0);
    /* 3.579545 MHz from the virtual clock (ACPI 4.8.3.3) */
    dm_clock_advance(m->clock, NS_PER_SEC);
    g_assert_cmpuint(in(m, PM_TMR, 4), ==, PM_FREQ);
    dm_clock_advance(m->clock, ns_at_tick(PM_FREQ + 1) - 1);
    g_assert_cmpuint(in(m, PM_TMR, 4), ==, PM_FREQ);
    dm_clock_advance(m->clock, ns_at_tick(PM_FREQ + 1));
    g_assert_cmpuint(in(m, PM_TMR, 4), ==, PM_FREQ + 1);
    /* 24 bits: wraps at 2^24 ticks */
    dm_clock_advance(m->clock, ns_at_tick(1 << 24) - 1);
    g_assert_cmphex(in(m, PM_TMR, 4), ==, 0xffffff);
    dm_clock_advance(m->clock, ns_at_tick(1 << 24));
    g_assert_cmphex(in(m, PM_TMR, 4), ==, 0);
    /* Byte reads widen to the register: the low byte at any offset */
    dm_clock_advance(m->clock, ns_at_tick(0x1000123));
    g_assert_cmphex(in(m, PM_TMR + 1, 1), ==, 0x23);
    dm_machine_free(m);
}

static void test_timer_overflow(void)
{
    DmMachine *m = machine_with_pm(&pc72);
    /* floor(0x800000 s / 3.579545 MHz) in ns, as QEMU converts it */
    const int64_t first = INT64_C(2343484437);
    const int64_t second = INT64_C(4686968874);

    out(m, PM1_STS, TMR_STS, 2);
    out(m, PM1_EN, TMR_EN, 2);
    g_assert_false(sci(m));
    /* TMR_STS when bit 23 toggles (ACPI 4.8.3.3): the armed timer raises */
    dm_clock_advance(m->clock, first - 1);
    g_assert_false(sci(m));
    g_assert_cmphex(in(m, PM1_STS, 2), ==, 0);
    dm_clock_advance(m->clock, first);
    g_assert_true(sci(m));
    g_assert_cmphex(in(m, PM1_STS, 2), ==, TMR_STS);
    /*
     * The count is still 0x7fffff at that ns: clearing TMR_STS now arms
     * the same boundary again, which has passed, so it latches at once.
     */
    g_assert_cmphex(in(m, PM_TMR, 4), ==, 0x7fffff);
    out(m, PM1_STS, TMR_STS, 2);
    g_assert_true(sci(m));
    /* One ns later the count is 0x800000: the next boundary is 2^24 */
    dm_clock_advance(m->clock, first + 1);
    out(m, PM1_STS, TMR_STS, 2);
    g_assert_false(sci(m));
    g_assert_cmpint(pm_of(m)->overflow_time, ==, 0x1000000);
    /* QEMU's ns rounding sets TMR_STS 1 ns before the count reaches 2^24 */
    dm_clock_advance(m->clock, second - 1);
    g_assert_false(sci(m));
    dm_clock_advance(m->clock, second);
    g_assert_true(sci(m));
    g_assert_cmphex(in(m, PM_TMR, 4), ==, 0xffffff);
    /* Without TMR_EN the status still latches on a read, with no SCI */
    out(m, PM1_EN, 0, 2);
    dm_clock_advance(m->clock, second + 1);
    out(m, PM1_STS, TMR_STS, 2);
    g_assert_cmphex(in(m, PM1_STS, 2), ==, 0);
    g_assert_false(sci(m));
    dm_clock_advance(m->clock, 4 * first);
    g_assert_false(dm_timer_pending(&pm_of(m)->tmr));
    g_assert_cmphex(in(m, PM1_STS, 2), ==, TMR_STS);
    g_assert_false(sci(m));
    dm_machine_free(m);
}

static void test_gpe_wire_order(void)
{
    DmMachine *m = machine_with_pm(&pc72);
    Piix4Pm *s = pm_of(m);
    g_autoptr(GByteArray) out_bytes = g_byte_array_new();
    g_autoptr(GError) err = NULL;
    /* PCIDevice 276, PM1 6, APM 2, pmsmb 48, timer 8, overflow 8 */
    const size_t gpe = 276 + 6 + 2 + 48 + 8 + 8;

    out(m, GPE0 + 2, 0x0f, 1);
    out(m, GPE0 + 3, 0x80, 1);
    s->gpe.sts = 0x0201;
    g_assert_cmphex(in(m, GPE0, 4), ==, 0x800f0201);
    g_assert_true(save_encode(piix4_pm_info.state, s, out_bytes, &err));
    g_assert_no_error(err);
    /* QEMU saves a host-order u16 of bytes +0/+1 big-endian: 0xafe1 first */
    g_assert_cmphex(out_bytes->data[gpe + 0], ==, 0x02);
    g_assert_cmphex(out_bytes->data[gpe + 1], ==, 0x01);
    g_assert_cmphex(out_bytes->data[gpe + 2], ==, 0x80);
    g_assert_cmphex(out_bytes->data[gpe + 3], ==, 0x0f);
    dm_machine_free(m);
}

static void test_sleep_soft_off(void)
{
    DmMachine *m = machine_with_pm(&pc72);

    /* SLP_TYP 0 is \_S5 in QEMU's DSDT; SLP_EN is write-only */
    out(m, PM1_CNT, SLP_TYP(0) | SLP_EN | SCI_EN, 2);
    g_assert_cmphex(in(m, PM1_CNT, 2), ==, SCI_EN);
    g_assert_false(m->exiting);
    drain();
    g_assert_true(m->exiting);
    g_assert_cmpint(m->exit_status, ==, 0);
    dm_machine_free(m);
}

static void test_sleep_soft_off_no_shutdown(void)
{
    Config c = pc72;
    DmMachine *m;

    c.no_shutdown = true;
    m = machine_with_pm(&c);
    dm_machine_vm_start(m);
    out(m, PM1_CNT, SLP_EN, 2);
    drain();
    g_assert_false(m->exiting);
    g_assert_cmpint(m->runstate, ==, DM_RUN_SHUTDOWN);
    dm_machine_free(m);
}

static void test_sleep_s3(void)
{
    DmMachine *m = machine_with_pm(&pc72);

    /* Only a running VM suspends (QEMU has no prelaunch -> suspended) */
    out(m, PM1_CNT, SLP_TYP(1) | SLP_EN, 2);
    drain();
    g_assert_cmpint(m->runstate, ==, DM_RUN_PRELAUNCH);
    dm_machine_vm_start(m);
    out(m, PM1_CNT, SLP_TYP(1) | SLP_EN, 2);
    drain();
    g_assert_cmpint(m->runstate, ==, DM_RUN_SUSPENDED);
    g_assert_cmphex(in(m, PM1_CNT, 2), ==, SLP_TYP(1));
    /* The clock keeps running while suspended */
    dm_clock_advance(m->clock, NS_PER_SEC);
    g_assert_cmpuint(in(m, PM_TMR, 4), ==, PM_FREQ);
    dm_machine_cont(m, NULL);
    g_assert_cmpint(m->runstate, ==, DM_RUN_SUSPENDED);
    /* system_wakeup: devices reset, WAK_STS and PWRBTN_STS set, running */
    g_assert_true(dm_machine_wakeup(m, NULL));
    g_assert_cmpint(m->runstate, ==, DM_RUN_RUNNING);
    {
        /* The reset closed the PM I/O space: the firmware reopens it. */
        Piix4Pm *pm = dm_machine_find_device(m, piix4_pm_info.name);
        g_assert_cmphex(pm->pm1_sts & 0x8100, ==, 0x8100);
        g_assert_cmphex(pm->pm1_cnt & SLP_TYP(7), ==, 0);
        g_assert_cmphex(in(m, PM1_STS, 2), ==, 0xffff);
    }
    {
        g_autoptr(GError) err = NULL;
        g_assert_false(dm_machine_wakeup(m, &err));
        g_assert_cmpstr(err->message, ==, "Unable to wake up: guest is not "
                        "in suspended state");
    }
    dm_machine_free(m);

    /* Xen's DSDT types (5-7) and QEMU's unknown ones do nothing */

    m = machine_with_pm(&pc72);
    dm_machine_vm_start(m);
    out(m, PM1_CNT, SLP_TYP(5) | SLP_EN, 2);
    drain();
    g_assert_cmpint(m->runstate, ==, DM_RUN_RUNNING);
    g_assert_false(m->exiting);
    /* S4 (SLP_TYP 2): QEMU cannot hibernate, it powers off */
    out(m, PM1_CNT, SLP_TYP(2) | SLP_EN, 2);
    drain();
    g_assert_true(m->exiting);
    dm_machine_free(m);
}

static void test_powerdown(void)
{
    DmMachine *m = machine_with_pm(&pc72);

    out(m, PM1_STS, 0xffff, 2);
    /* Without PWRBTN_EN QEMU does not even set the status */
    dm_machine_powerdown(m);
    g_assert_cmphex(in(m, PM1_STS, 2), ==, 0);
    out(m, PM1_EN, PWRBTN_EN, 2);
    dm_machine_powerdown(m);
    g_assert_cmphex(in(m, PM1_STS, 2), ==, PWRBTN_STS);
    g_assert_true(sci(m));
    dm_machine_free(m);
}

static void test_apm(void)
{
    Config c = pc72;
    DmMachine *m = machine_with_pm(&pc72);

    out(m, 0xb2, 0x12, 1);
    out(m, 0xb3, 0x55, 1);
    g_assert_cmphex(in(m, 0xb2, 2), ==, 0x5512);
    /* 6.0+ without SMM is ACPI-only: SCI_EN is fixed at 1 */
    out(m, 0xb2, 0xf0, 1);
    g_assert_cmphex(in(m, PM1_CNT, 2), ==, SCI_EN);
    /* APM keeps its values over a reset, as in QEMU */
    dm_machine_reset(m, false);
    g_assert_cmphex(in(m, 0xb2, 2), ==, 0x55f0);
    dm_machine_free(m);

    /* 5.2 and older: starts at 0; ACPI_ENABLE/DISABLE flip it (4.8.2.5) */
    c.type = "pc-i440fx-5.2";
    m = machine_with_pm(&c);
    g_assert_cmphex(in(m, PM1_CNT, 2), ==, 0);
    out(m, 0xb2, 0xf1, 1);
    g_assert_cmphex(in(m, PM1_CNT, 2), ==, SCI_EN);
    out(m, 0xb2, 0xf0, 1);
    g_assert_cmphex(in(m, PM1_CNT, 2), ==, 0);
    dm_machine_free(m);
}

static void test_pci_hotplug(void)
{
    Config c = pc72;
    DmMachine *m = machine_new(&pc72);

    /* Slots 0 (i440FX) and 1 (PIIX) are not removable */
    g_assert_cmphex(in(m, 0xae0c, 4), ==, 0xfffffffc);
    /* 32-bit accesses only */
    g_assert_cmphex(in(m, 0xae0c, 2), ==, 0);
    out(m, 0xae10, 5, 4);
    g_assert_cmphex(in(m, 0xae10, 4), ==, 5);
    g_assert_cmphex(in(m, 0xae0c, 4), ==, 0xffffffff);
    out(m, 0xae10, 0x100, 4);
    g_assert_cmphex(in(m, 0xae10, 4), ==, 0);
    /* Pending ejects on bus 0 complete at reset */
    out(m, 0xae10, 0, 4);
    pm_of(m)->pci_status[0].down = 0x8;
    pm_of(m)->pci_status[0].up = 0xc;
    dm_machine_reset(m, false);
    g_assert_cmphex(in(m, 0xae00, 4), ==, 0x4);
    g_assert_cmphex(in(m, 0xae00, 4), ==, 0);         /* UP clears on read */
    dm_machine_free(m);

    /* Without bridge hotplug (1.7 and Xen) the selector stays on bus 0 */
    c.type = "pc-i440fx-1.7";
    m = machine_new(&c);
    out(m, 0xae10, 5, 4);
    g_assert_cmphex(in(m, 0xae10, 4), ==, 0);
    pm_of(m)->pci_status[0].up = 0x10;
    g_assert_cmphex(in(m, 0xae00, 4), ==, 0x10);
    g_assert_cmphex(in(m, 0xae00, 4), ==, 0x10);
    dm_machine_free(m);
}

static void test_cpu_hotplug(void)
{
    Config c = pc72;
    DmMachine *m;

    c.cpus = 9;
    c.max_cpus = 12;
    m = machine_new(&c);
    /* Legacy: a bitmap of present CPUs, one byte per access */
    g_assert_cmphex(in(m, 0xaf00, 4), ==, 0x000001ff);
    out(m, 0xaf01, 0, 1);
    g_assert_true(pm_of(m)->cpu_hotplug_legacy);
    /* Writing 0 at its start switches to the modern interface */
    out(m, 0xaf00, 0, 1);
    g_assert_false(pm_of(m)->cpu_hotplug_legacy);
    out(m, 0xaf00, 8, 4);
    g_assert_cmphex(in(m, 0xaf04, 1), ==, 0x01);
    out(m, 0xaf00, 10, 4);
    g_assert_cmphex(in(m, 0xaf04, 1), ==, 0x00);
    out(m, 0xaf05, 3, 1);                              /* GET_CPU_ID */
    g_assert_cmphex(in(m, 0xaf08, 4), ==, 10);
    out(m, 0xaf00, 12, 4);                             /* past maxcpus */
    g_assert_cmphex(in(m, 0xaf08, 4), ==, 0);
    out(m, 0xaf00, 5, 4);
    out(m, 0xaf05, 1, 1);                              /* OST_EVENT */
    out(m, 0xaf08, 0x1234, 4);
    g_assert_cmphex(pm_of(m)->cpuhp.devs[5].ost_event, ==, 0x1234);
    dm_machine_free(m);
}

static void test_no_acpi(void)
{
    Config c = pc72;
    DmMachine *m;

    c.no_acpi = true;
    m = machine_new(&c);
    /* QEMU 7.2's pc_piix.c creates no PIIX4 PM function without ACPI */
    g_assert_null(dm_machine_find_device(m, piix4_pm_info.name));
    g_assert_cmphex(cfg_read(m, 0x00, 4), ==, 0xffffffff);
    g_assert_cmphex(in(m, GPE0, 1), ==, 0xff);
    g_assert_cmphex(in(m, 0xb2, 1), ==, 0xff);
    g_assert_cmphex(in(m, SMBBA, 1), ==, 0xff);
    dm_machine_free(m);
}

void test_piix4_pm_register(void)
{
    g_test_add_func("/hw/piix4-pm/config/defaults", test_config_defaults);
    g_test_add_func("/hw/piix4-pm/config/pmba", test_config_pmba);
    g_test_add_func("/hw/piix4-pm/config/smbus", test_config_smbus);
    g_test_add_func("/hw/piix4-pm/smbus/registers", test_smbus_registers);
    g_test_add_func("/hw/piix4-pm/pm1/w1c", test_pm1_w1c);
    g_test_add_func("/hw/piix4-pm/sci/sources", test_sci_sources);
    g_test_add_func("/hw/piix4-pm/timer/value", test_timer_value);
    g_test_add_func("/hw/piix4-pm/timer/overflow", test_timer_overflow);
    g_test_add_func("/hw/piix4-pm/gpe/wire-order", test_gpe_wire_order);
    g_test_add_func("/hw/piix4-pm/sleep/soft-off", test_sleep_soft_off);
    g_test_add_func("/hw/piix4-pm/sleep/soft-off-no-shutdown",
                    test_sleep_soft_off_no_shutdown);
    g_test_add_func("/hw/piix4-pm/sleep/s3", test_sleep_s3);
    g_test_add_func("/hw/piix4-pm/powerdown", test_powerdown);
    g_test_add_func("/hw/piix4-pm/apm", test_apm);
    g_test_add_func("/hw/piix4-pm/hotplug/pci", test_pci_hotplug);
    g_test_add_func("/hw/piix4-pm/hotplug/cpu", test_cpu_hotplug);
    g_test_add_func("/hw/piix4-pm/no-acpi", test_no_acpi);
}
