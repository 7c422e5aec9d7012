/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The PIIX4 PM function's "piix4_pm" section (hw/piix4-pm.c): sizes per
 * machine type, xenfv-3.1's bytes, loading them back and the CPU hotplug
 * subsection. The boards and accessors are test-piix4-pm.h's.
 */
#include "test-hw.h"
#include "test-piix4-pm.h"

#include "save/codec.h"

#include <string.h>

typedef struct {
    Config config;
    size_t fields;            /* save_section_wire_size */
    size_t payload;           /* with the subsections */
} SizeCase;

static void test_state_sizes(void)
{
    /* qemu-stream.md 4.6; 3.1 and 5.2 are checked byte for byte by interop */
    static const SizeCase cases[] = {
        { { .type = "pc-i440fx-7.2", .xen_domid = -1 }, 2408, 2432 },
        /* no acpi_index */
        { { .type = "pc-i440fx-5.2", .xen_domid = -1 }, 2404, 2428 },
        /* no pmsmb */
        { { .type = "pc-i440fx-3.1", .xen_domid = -1 }, 2356, 2380 },
        /* no memhp */
        { { .type = "pc-i440fx-2.0", .xen_domid = -1 }, 2356, 2356 },
        /* no bridge hotplug: the pci_status form */
        { { .type = "pc-i440fx-1.7", .xen_domid = -1 }, 312, 312 },
        /* Xen: bridge hotplug forced off */
        { { .type = "xenfv-3.1", .xen_domid = 1 }, 312, 336 },
        { { .type = "xenfv-4.2", .xen_domid = 1 }, 360, 384 },
        { { .type = "pc-i440fx-7.2", .xen_domid = 1 }, 360, 384 },
    };

    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        DmMachine *m = machine_new(&cases[i].config);
        Piix4Pm *s = pm_of(m);
        g_autoptr(GByteArray) bytes = g_byte_array_new();
        g_autoptr(GError) err = NULL;

        g_test_message("%s xen %d", cases[i].config.type,
                       cases[i].config.xen_domid);
        g_assert_cmpuint(save_section_wire_size(piix4_pm_info.state, s, 3),
                         ==, cases[i].fields);
        g_assert_true(save_encode(piix4_pm_info.state, s, bytes, &err));
        g_assert_no_error(err);
        g_assert_cmpuint(bytes->len, ==, cases[i].payload);
        dm_machine_free(m);
    }
    /* Versions 1 and 2 (QEMU 1.2 and older, qemu-kvm) are refused (3.6) */
    g_assert_cmpint(piix4_pm_info.state->version, ==, 3);
    g_assert_cmpint(piix4_pm_info.state->minimum_version, ==, 3);
}

/* xenfv-3.1 under Xen, as libxl runs it, after SeaBIOS-like programming. */
static const uint8_t golden_xenfv[] = {
    /* PCIDevice.version_id */
    0x00, 0x00, 0x00, 0x02,
    /* config 0x00: ids, command 0, status 0x0280, rev 3, class 0x0680 */
    0x86, 0x80, 0x13, 0x71, 0x00, 0x00, 0x80, 0x02,
    0x03, 0x00, 0x80, 0x06, 0x00, 0x00, 0x00, 0x00,
    /* config 0x10-0x2b: no BARs */
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00,
    /* config 0x2c: subsystem 1af4:1100 */
    0xf4, 0x1a, 0x00, 0x11,
    /* config 0x30-0x3f: interrupt pin A */
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00,
    /* config 0x40: PMBA 0xb001 */
    0x01, 0xb0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    /* config 0x50: DEVACTB byte 0x5b = 0x02, DEVRESD 0x5f = 0x10 */
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x10,
    /* config 0x60: DEVRESE 0x63 = 0x60 */
    0x00, 0x00, 0x00, 0x60, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    /* config 0x70 */
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    /* config 0x80: PMREGMISC on */
    0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    /* config 0x90: SMBBA 0xb101 */
    0x01, 0xb1, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    /* config 0xa0-0xcf */
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    /* config 0xd0: SMBHSTCFG 0x09 */
    0x00, 0x00, 0x09, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    /* config 0xe0-0xff */
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    /* irq_state: INTA-D low */
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    /* PM1_STS: PWRBTN_STS (TMR_STS cleared) */
    0x01, 0x00,
    /* PM1_EN: PWRBTN_EN | GBL_EN | TMR_EN */
    0x01, 0x21,
    /* PM1_CNT: SCI_EN, set by ACPI_ENABLE (xenfv-3.1 is not ACPI-only) */
    0x00, 0x01,
    /* APM State: apmc 0xf1, apms 0x55 */
    0xf1, 0x55,
    /* no pmsmb before pc-i440fx-4.0 */
    /* PM timer expiry: the overflow at 0x800000 ticks, in ns */
    0x00, 0x00, 0x00, 0x00, 0x8b, 0xae, 0xbc, 0x15,
    /* overflow_time, in ticks */
    0x00, 0x00, 0x00, 0x00, 0x00, 0x80, 0x00, 0x00,
    /* gpe: status 0, enable 0x800f (0xafe3 first) */
    0x00, 0x00, 0x80, 0x0f,
    /* pci_status (bridge hotplug off under Xen): up, down */
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    /* subsection piix4_pm/memhp v1: selector 0, no slots */
    0x05, 0x0e, 'p', 'i', 'i', 'x', '4', '_', 'p', 'm', '/', 'm', 'e',
    'm', 'h', 'p', 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00,
};

static const Config xenfv31 = { "xenfv-3.1", 1, false, false, 1, 1 };

static DmMachine *machine_programmed(const Config *c)
{
    DmMachine *m = machine_with_pm(c);

    out(m, 0xb3, 0x55, 1);
    out(m, 0xb2, 0xf1, 1);
    out(m, PM1_STS, TMR_STS, 2);
    out(m, PM1_EN, PWRBTN_EN | GBL_EN | TMR_EN, 2);
    dm_machine_powerdown(m);
    out(m, GPE0 + 2, 0x0f, 1);
    out(m, GPE0 + 3, 0x80, 1);
    return m;
}

static GByteArray *encode(DmMachine *m)
{
    GByteArray *bytes = g_byte_array_new();
    g_autoptr(GError) err = NULL;

    g_assert_true(save_encode(piix4_pm_info.state, pm_of(m), bytes, &err));
    g_assert_no_error(err);
    return bytes;
}

static gboolean decode(DmMachine *m, const uint8_t *p, size_t len,
                       GError **errp)
{
    SaveReader r = { .data = p, .len = len };

    return save_decode(piix4_pm_info.state, pm_of(m), 3, &r,
                       SAVE_DECODE_APPLY, errp) && r.pos == len;
}

static void test_state_golden(void)
{
    DmMachine *m = machine_programmed(&xenfv31);
    g_autoptr(GByteArray) bytes = encode(m);

    g_assert_true(sci(m));
    g_assert_cmpmem(bytes->data, bytes->len, golden_xenfv,
                    sizeof(golden_xenfv));
    dm_machine_free(m);
}

static void test_state_round_trip(void)
{
    DmMachine *a = machine_programmed(&xenfv31);
    DmMachine *b = machine_new(&xenfv31);
    g_autoptr(GByteArray) again = NULL;
    g_autoptr(GError) err = NULL;

    g_assert_false(sci(b));
    g_assert_true(decode(b, golden_xenfv, sizeof(golden_xenfv), &err));
    g_assert_no_error(err);
    again = encode(b);
    g_assert_cmpmem(again->data, again->len, golden_xenfv,
                    sizeof(golden_xenfv));
    /* post_load maps the PM block from config and re-derives the SCI */
    g_assert_cmphex(in(b, PM1_EN, 2), ==, PWRBTN_EN | GBL_EN | TMR_EN);
    g_assert_true(sci(b));
    g_assert_true(dm_timer_pending(&pm_of(b)->tmr));
    g_assert_cmpint(pm_of(b)->tmr.expire, ==, INT64_C(2343484437));
    g_assert_cmphex(in(b, GPE0, 4), ==, 0x800f0000);
    dm_machine_free(a);
    dm_machine_free(b);
}

static void test_state_truncated(void)
{
    const size_t n = sizeof(golden_xenfv);
    const size_t cuts[] = { 0, n - 2, n / 2, 276, 311 };

    for (size_t i = 0; i < G_N_ELEMENTS(cuts); i++) {
        DmMachine *m = machine_new(&xenfv31);
        g_autoptr(GError) err = NULL;

        g_assert_false(decode(m, golden_xenfv, cuts[i], &err));
        g_assert_nonnull(err);
        dm_machine_free(m);
    }
}

static void test_state_cpuhp(void)
{
    Config c = pc72;
    DmMachine *a, *b;
    g_autoptr(GByteArray) bytes = NULL;
    g_autoptr(GError) err = NULL;

    c.cpus = 2;
    c.max_cpus = 4;
    a = machine_new(&c);
    b = machine_new(&c);
    out(a, 0xaf00, 0, 1);
    out(a, 0xaf00, 3, 4);
    out(a, 0xaf05, 2, 1);                              /* OST_STATUS */
    out(a, 0xaf08, 0x77, 4);
    bytes = encode(a);
    /* memhp 24, then cpuhp: header 20, selector, command, 4 x 10 */
    g_assert_cmpuint(bytes->len, ==, 2408 + 24 + 20 + 5 + 4 * 10);
    g_assert_cmpmem(bytes->data + 2432 + 2, 14, "piix4_pm/cpuhp", 14);
    /* Receiving the subsection switches the target to modern hotplug */
    g_assert_cmphex(in(b, 0xaf04, 1), ==, 0x00);
    g_assert_true(decode(b, bytes->data, bytes->len, &err));
    g_assert_no_error(err);
    g_assert_false(pm_of(b)->cpu_hotplug_legacy);
    g_assert_cmphex(in(b, 0xaf04, 1), ==, 0x00);      /* CPU 3 absent */
    out(b, 0xaf00, 1, 4);
    g_assert_cmphex(in(b, 0xaf04, 1), ==, 0x01);
    g_assert_cmphex(pm_of(b)->cpuhp.devs[3].ost_status, ==, 0x77);
    dm_machine_free(a);
    dm_machine_free(b);
}

void test_piix4_pm_state_register(void)
{
    g_test_add_func("/hw/piix4-pm/state/sizes", test_state_sizes);
    g_test_add_func("/hw/piix4-pm/state/golden", test_state_golden);
    g_test_add_func("/hw/piix4-pm/state/round-trip", test_state_round_trip);
    g_test_add_func("/hw/piix4-pm/state/truncated", test_state_truncated);
    g_test_add_func("/hw/piix4-pm/state/cpuhp", test_state_cpuhp);
}
