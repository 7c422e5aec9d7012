/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The PCI chipset's sections: "I440FX" and "PCIHost" (hw/i440fx.c),
 * "PIIX3" with "PIIX3/rcr" (hw/piix3.c) and the nested "PCIDevice"
 * (hw/pci.c), against QEMU 7.2's bytes (qemu-stream.md 4.3-4.5).
 */
#include "test-hw.h"

#include "dm/machine-pc.h"
#include "hw/i440fx.h"
#include "hw/piix3.h"
#include "hw/pci.h"
#include "save/codec.h"
#include "save/machine-state.h"

#include <string.h>

#define HOST_DEVFN PCI_DEVFN(0, 0)
#define ISA_DEVFN PCI_DEVFN(1, 0)
#define MIB (UINT64_C(1) << 20)

typedef struct {
    DmMachine *m;
    I440fx *host;
    Piix3 *isa;
} Fixture;

static DmMachine *machine_new(const char *type, uint64_t ram_size,
                              int xen_domid)
{
    g_autoptr(GError) err = NULL;
    DmOptions *o = dm_options_new();
    DmMachine *m;

    o->accel = g_strdup("qtest");
    o->machine_type = g_strdup(type);
    o->ram_size = ram_size;
    /* A Xen domain's devices (PIIX3-xen), driven locally. */
    o->xen_domid = xen_domid;
    m = dm_machine_new(o, &err);
    g_assert_no_error(err);
    return m;
}

/* As the samples were taken: pc-i440fx-7.2 with -m 16; or xenfv. */
static void setup(Fixture *f, gconstpointer data)
{
    f->m = data ? machine_new(data, 16 * MIB, 1)
                : machine_new("pc-i440fx-7.2", 16 * MIB, -1);
    f->host = dm_machine_find_device(f->m, i440fx_info.name);
    f->isa = dm_machine_find_device(f->m, piix3_info.name);
    g_assert_nonnull(f->host);
    g_assert_nonnull(f->isa);
}

static void teardown(Fixture *f, gconstpointer data)
{
    dm_machine_free(f->m);
}

static void cfg_write(Fixture *f, uint8_t devfn, uint8_t reg, uint32_t v,
                      unsigned size)
{
    dm_space_write(f->m->io, 0xcf8, 0x80000000u | devfn << 8 | (reg & 0xfc),
                   4);
    dm_space_write(f->m->io, 0xcfc + (reg & 3), v, size);
}

static uint32_t cfg_read(Fixture *f, uint8_t devfn, uint8_t reg,
                         unsigned size)
{
    dm_space_write(f->m->io, 0xcf8, 0x80000000u | devfn << 8 | (reg & 0xfc),
                   4);
    return dm_space_read(f->m->io, 0xcfc + (reg & 3), size);
}

/*
 * "0000:00:00.0/I440FX" from devstate-i440fx-7.2-booted.bin: what
 * SeaBIOS leaves after 1.5 s with 16 MiB of RAM.
 */
static const uint8_t i440fx_golden[277] = {
    /* PCIDevice version_id */
    0x00, 0x00, 0x00, 0x02,
    /* config 0x00: 8086:1237, command IO|MEM|SERR, status 0 */
    0x86, 0x80, 0x37, 0x12, 0x03, 0x01, 0x00, 0x00,
    /* config 0x08: revision 2, class 0600 (host bridge) */
    0x02, 0x00, 0x00, 0x06,
    /* config 0x2c: subsystem 1af4:1100 */
    [4 + 0x2c] = 0xf4, 0x1a, 0x00, 0x11,
    /* config 0x57: RAM size in 8 MiB units (QEMU's coreboot hint) */
    [4 + 0x57] = 0x02,
    /* config 0x59-0x5f: PAM0 F000 read-RAM, PAM1-5 C000-E7FF read-RAM,
     * PAM6 E800-EFFF read/write RAM */
    [4 + 0x59] = 0x10, 0x11, 0x11, 0x11, 0x11, 0x11, 0x33,
    /* config 0x72: SMRAM closed, G_SMRAME, C_BASE_SEG A0000 */
    [4 + 0x72] = 0x0a,
    /* irq_state INTA-D: low */
    [260] = 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    /* unused, formerly smm_enabled */
    [276] = 0x00,
};

/* "0000:00:01.0/PIIX3" v3 of the same stream; no rcr subsection. */
static const uint8_t piix3_golden[292] = {
    /* PCIDevice version_id */
    0x00, 0x00, 0x00, 0x02,
    /* config 0x00: 8086:7000, command IO|MEM|SERR, status DEVSEL medium */
    0x86, 0x80, 0x00, 0x70, 0x03, 0x01, 0x00, 0x02,
    /* config 0x08: revision 0, class 0601 (ISA bridge), multi-function */
    0x00, 0x00, 0x01, 0x06, 0x00, 0x00, 0x80, 0x00,
    /* config 0x2c: subsystem 1af4:1100 */
    [4 + 0x2c] = 0xf4, 0x1a, 0x00, 0x11,
    /* config 0x4c: IORT 0x4d, XBCS 0x0003 */
    [4 + 0x4c] = 0x4d, 0x00, 0x03,
    /* config 0x60: PIRQRC A-D routed to IRQ 10, 10, 11, 11 by SeaBIOS */
    [4 + 0x60] = 0x0a, 0x0a, 0x0b, 0x0b,
    /* config 0x69: TOM */
    [4 + 0x69] = 0x02,
    /* config 0x70: MBIRQ0 disabled */
    [4 + 0x70] = 0x80,
    /* config 0x76: MBDMA0-1 disabled, then PCSC */
    [4 + 0x76] = 0x0c, 0x0c, 0x02,
    /* config 0xa0: SMICNTL; 0xa8: FTMR */
    [4 + 0xa0] = 0x08,
    [4 + 0xa8] = 0x0f,
    /* irq_state INTA-D: low */
    [260] = 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    /* pci_irq_levels PIRQA-D (since v3): low */
    [276] = 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
};

/* What follows piix3_golden once 0xcf9 holds SYS_RST. */
static const uint8_t piix3_rcr_golden[16] = {
    /* subsection "PIIX3/rcr" */
    0x05, 0x09, 'P', 'I', 'I', 'X', '3', '/', 'r', 'c', 'r',
    /* its version */
    0x00, 0x00, 0x00, 0x01,
    /* rcr: SYS_RST */
    0x02,
};

/* "PCIHost" of the same stream: the 0xcf8 latch SeaBIOS left. */
static const uint8_t pci_host_golden[4] = {
    0x80, 0x00, 0x00, 0x5c,             /* config_reg */
};

/* The config writes behind the golden bytes. */
static void booted_io(Fixture *f)
{
    cfg_write(f, HOST_DEVFN, PCI_COMMAND, 0x0103, 2);
    cfg_write(f, HOST_DEVFN, 0x59, 0x10, 1);
    for (uint8_t reg = 0x5a; reg <= 0x5e; reg++) {
        cfg_write(f, HOST_DEVFN, reg, 0x11, 1);
    }
    cfg_write(f, HOST_DEVFN, 0x5f, 0x33, 1);
    cfg_write(f, HOST_DEVFN, 0x72, 0x0a, 1);
    cfg_write(f, ISA_DEVFN, PCI_COMMAND, 0x0103, 2);
    cfg_write(f, ISA_DEVFN, 0x60, 0x0b0b0a0a, 4);
    /* SeaBIOS's last config cycle left the 0xcf8 latch there. */
    (void)cfg_read(f, HOST_DEVFN, 0x5c, 4);
}

static void test_tables(Fixture *f, gconstpointer data)
{
    const SaveSection *host = i440fx_info.state;
    const SaveSection *isa = piix3_info.state;
    void *scratch = NULL;
    DmMachine *old;

    g_assert_cmpstr(pci_device_section.name, ==, "PCIDevice");
    g_assert_cmpint(pci_device_section.version, ==, 2);
    g_assert_cmpint(pci_device_section.minimum_version, ==, 1);
    g_assert_cmpstr(pci_device_section.fields[0].name, ==, "version_id");
    g_assert_cmpstr(pci_device_section.fields[1].name, ==, "config");
    g_assert_cmpstr(pci_device_section.fields[2].name, ==, "irq_state");
    g_assert_null(pci_device_section.fields[3].name);
    g_assert_cmpuint(save_section_wire_size(&pci_device_section,
                                            &f->host->pci, 2), ==, 276);

    /* No older I440FX exists in 7.2: the version check refuses them. */
    g_assert_cmpstr(host->name, ==, "I440FX");
    g_assert_cmpint(host->version, ==, 3);
    g_assert_cmpint(host->minimum_version, ==, 3);
    g_assert_true(host->fields[0].nested == &pci_device_section);
    g_assert_cmpstr(host->fields[1].name, ==, "smm_enabled");
    g_assert_null(host->fields[2].name);
    g_assert_null(host->subsections);
    g_assert_cmpuint(save_section_wire_size(host, f->host, 3), ==, 277);

    g_assert_cmpstr(isa->name, ==, "PIIX3");
    g_assert_cmpint(isa->version, ==, 3);
    g_assert_cmpint(isa->minimum_version, ==, 2);
    g_assert_true(isa->fields[0].nested == &pci_device_section);
    g_assert_cmpstr(isa->fields[1].name, ==, "pci_irq_levels");
    g_assert_null(isa->fields[2].name);
    g_assert_cmpuint(save_section_wire_size(isa, f->isa, 3), ==, 292);
    g_assert_cmpuint(save_section_wire_size(isa, f->isa, 2), ==, 276);
    g_assert_cmpstr(isa->subsections[0]->name, ==, "PIIX3/rcr");
    g_assert_cmpint(isa->subsections[0]->version, ==, 1);
    g_assert_null(isa->subsections[1]);

    g_assert_cmpstr(pci_host_section.name, ==, "PCIHost");
    g_assert_cmpint(pci_host_section.version, ==, 1);
    g_assert_cmpint(pci_host_section.minimum_version, ==, 1);
    g_assert_cmpuint(save_section_wire_size(&pci_host_section, f->host->bus,
                                            1), ==, 4);

    /* PCIHost is saved from pc-i440fx-5.1 on (qemu-stream.md 4.4). */
    g_assert_true(save_machine_section(f->m, "PCIHost", &scratch) ==
                  &pci_host_section);
    g_free(scratch);
    scratch = NULL;
    old = machine_new("pc-i440fx-5.0", 16 * MIB, -1);
    g_assert_null(save_machine_section(old, "PCIHost", &scratch));
    g_assert_true(save_machine_section(old, "0000:00:00.0/I440FX",
                                       &scratch) == host);
    g_free(scratch);
    dm_machine_free(old);
}

static void test_i440fx_golden(Fixture *f, gconstpointer data)
{
    g_autoptr(GByteArray) out = NULL;
    g_autoptr(GByteArray) latch = NULL;

    booted_io(f);
    out = test_hw_encode(i440fx_info.state, f->host);
    g_assert_cmpmem(out->data, out->len, i440fx_golden,
                    sizeof(i440fx_golden));
    latch = test_hw_encode(&pci_host_section, f->host->bus);
    g_assert_cmpmem(latch->data, latch->len, pci_host_golden,
                    sizeof(pci_host_golden));
}

static uint8_t mem_read(Fixture *f, uint64_t addr)
{
    return dm_space_read(f->m->mem, addr, 1);
}

static void mem_write(Fixture *f, uint64_t addr, uint8_t v)
{
    dm_space_write(f->m->mem, addr, v, 1);
}

/*
 * QEMU's bytes load, PAM takes effect without a config write (82441FX
 * 3.2.18: 01 reads RAM and writes PCI, 11 both RAM, 00 both PCI), and
 * the device saves the same bytes again.
 */
static void test_i440fx_load(Fixture *f, gconstpointer data)
{
    uint8_t *ram = f->m->guest_ram->host;
    uint8_t bios_f0000, bios_ec000;
    uint8_t closed[sizeof(i440fx_golden)];
    g_autoptr(GByteArray) again = NULL;

    ram[0xf0000] = 0x5a;
    ram[0xec000] = 0x6b;
    bios_f0000 = mem_read(f, 0xf0000);
    bios_ec000 = mem_read(f, 0xec000);
    g_assert_cmphex(bios_f0000, !=, 0x5a);
    g_assert_cmphex(bios_ec000, !=, 0x6b);

    test_hw_load(i440fx_info.state, f->host, sizeof(*f->host), 3,
                 i440fx_golden, sizeof(i440fx_golden));
    g_assert_cmphex(cfg_read(f, HOST_DEVFN, 0x59, 1), ==, 0x10);
    g_assert_cmphex(cfg_read(f, HOST_DEVFN, 0x72, 1), ==, 0x0a);
    /* PAM0 01: F0000 reads RAM, a write goes to the (ROM) PCI side. */
    g_assert_cmphex(mem_read(f, 0xf0000), ==, 0x5a);
    mem_write(f, 0xf0000, 0xa5);
    g_assert_cmphex(ram[0xf0000], ==, 0x5a);
    /* PAM6 high nibble 11: EC000 reads and writes RAM. */
    g_assert_cmphex(mem_read(f, 0xec000), ==, 0x6b);
    mem_write(f, 0xec000, 0x77);
    g_assert_cmphex(ram[0xec000], ==, 0x77);
    g_assert_cmphex(mem_read(f, 0xec000), ==, 0x77);

    again = test_hw_encode(i440fx_info.state, f->host);
    g_assert_cmpmem(again->data, again->len, i440fx_golden,
                    sizeof(i440fx_golden));

    /* PAM all 00 again: both windows show the BIOS, RAM is kept. */
    memcpy(closed, i440fx_golden, sizeof(closed));
    memset(closed + 4 + 0x59, 0, 7);
    test_hw_load(i440fx_info.state, f->host, sizeof(*f->host), 3, closed,
                 sizeof(closed));
    g_assert_cmphex(mem_read(f, 0xf0000), ==, bios_f0000);
    g_assert_cmphex(mem_read(f, 0xec000), ==, bios_ec000);
    g_assert_cmphex(ram[0xec000], ==, 0x77);
}

static void test_i440fx_truncated(Fixture *f, gconstpointer data)
{
    static const TestHwCut cuts[] = {
        TEST_HW_CUT(4, "PCIDevice", "version_id"),
        TEST_HW_CUT(260, "PCIDevice", "config"),
        TEST_HW_CUT(276, "PCIDevice", "irq_state"),
        TEST_HW_CUT(277, "I440FX", "smm_enabled"),
        TEST_HW_CUT_END,
    };

    booted_io(f);
    test_hw_truncations(i440fx_info.state, f->host, sizeof(*f->host), 3,
                        i440fx_golden, sizeof(i440fx_golden), cuts);
}

/*
 * QEMU 7.2 sets config 0x57 to the RAM size in 8 MiB units (at most 255)
 * when the host bridge is created: 0x02 with -m 16, 0x04 with -m 32 in
 * the samples.
 */
/* Config 0x57: -m in 8 MiB units, capped, set once; a reset keeps it. */
static void test_i440fx_ram_size_byte(void)
{
    static const struct {
        uint64_t ram;
        uint8_t value;
    } cases[] = {
        { 16 * MIB, 0x02 }, { 32 * MIB, 0x04 }, { 128 * MIB, 0x10 },
        { 2048 * MIB, 0xff },
    };

    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        DmMachine *m = machine_new("pc-i440fx-7.2", cases[i].ram, -1);
        I440fx *host = dm_machine_find_device(m, i440fx_info.name);

        g_assert_cmphex(host->pci.config[0x57], ==, cases[i].value);
        host->pci.config[0x57] = 0x33;
        i440fx_info.reset(host);
        g_assert_cmphex(host->pci.config[0x57], ==, 0x33);
        dm_machine_free(m);
    }
}

static void test_pci_host(Fixture *f, gconstpointer data)
{
    static const uint8_t piix3_latch[4] = { 0x80, 0x00, 0x08, 0x00 };
    static const TestHwCut cuts[] = {
        TEST_HW_CUT(4, "PCIHost", "config_reg"),
        TEST_HW_CUT_END,
    };
    PciBus *bus = f->host->bus;
    g_autoptr(GByteArray) again = NULL;

    test_hw_load(&pci_host_section, bus, sizeof(*bus), 1, pci_host_golden,
                 sizeof(pci_host_golden));
    g_assert_cmphex(dm_space_read(f->m->io, 0xcf8, 4), ==, 0x8000005c);
    again = test_hw_encode(&pci_host_section, bus);
    g_assert_cmpmem(again->data, again->len, pci_host_golden,
                    sizeof(pci_host_golden));
    /* The loaded latch selects what 0xcfc reaches: PIIX3's ids. */
    test_hw_load(&pci_host_section, bus, sizeof(*bus), 1, piix3_latch,
                 sizeof(piix3_latch));
    g_assert_cmphex(dm_space_read(f->m->io, 0xcfc, 4), ==, 0x70008086);
    test_hw_truncations(&pci_host_section, bus, sizeof(*bus), 1,
                        pci_host_golden, sizeof(pci_host_golden), cuts);
}

static void put_be32(uint8_t *p, uint32_t v)
{
    p[0] = v >> 24;
    p[1] = v >> 16;
    p[2] = v >> 8;
    p[3] = v;
}

/*
 * The nested PCIDevice (qemu-stream.md 3.8, 4.3): version_id 0..2,
 * irq_state 0 or 1, and read-only identity bytes must be this device's.
 */
static void test_pci_device_rules(Fixture *f, gconstpointer data)
{
    static const struct {
        size_t offset;        /* in i440fx_golden */
        uint8_t value;
        const char *message;
    } identity[] = {
        { 4 + PCI_VENDOR_ID, 0x87, "config byte 0x00 is 0x87, i440FX "
                                   "00:00.0 has 0x86 there" },
        { 4 + PCI_DEVICE_ID, 0x00, "config byte 0x02 is 0x00" },
        { 4 + PCI_REVISION_ID, 0x03, "config byte 0x08 is 0x03" },
        { 4 + PCI_CLASS_PROG, 0x01, "config byte 0x09 is 0x01" },
        { 4 + PCI_CLASS_DEVICE + 1, 0x01, "config byte 0x0b is 0x01" },
        { 4 + PCI_HEADER_TYPE, 0x80, "config byte 0x0e is 0x80" },
    };
    const SaveSection *s = i440fx_info.state;
    uint8_t buf[sizeof(i440fx_golden)];
    uint8_t isa[sizeof(piix3_golden)];
    size_t size = sizeof(*f->host);

    booted_io(f);
    for (int32_t v = 0; v <= 2; v++) {
        memcpy(buf, i440fx_golden, sizeof(buf));
        put_be32(buf, (uint32_t)v);
        test_hw_accepted(s, f->host, size, 3, buf, sizeof(buf));
    }
    put_be32(buf, 3);
    test_hw_refused(s, f->host, size, 3, buf, sizeof(buf),
                   "field 'version_id' = 3 out of range 0..2");
    put_be32(buf, UINT32_MAX);
    test_hw_refused(s, f->host, size, 3, buf, sizeof(buf),
                   "field 'version_id' = -1 out of range 0..2");

    memcpy(buf, i440fx_golden, sizeof(buf));
    put_be32(buf + 260 + 8, 1);
    test_hw_accepted(s, f->host, size, 3, buf, sizeof(buf));
    put_be32(buf + 260 + 8, 2);
    test_hw_refused(s, f->host, size, 3, buf, sizeof(buf),
                   "field 'irq_state[2]' = 2 is not 0 or 1");
    put_be32(buf + 260 + 8, UINT32_MAX);
    test_hw_refused(s, f->host, size, 3, buf, sizeof(buf),
                   "field 'irq_state[2]' = -1 is not 0 or 1");

    for (size_t i = 0; i < G_N_ELEMENTS(identity); i++) {
        memcpy(buf, i440fx_golden, sizeof(buf));
        buf[identity[i].offset] = identity[i].value;
        test_hw_refused(s, f->host, size, 3, buf, sizeof(buf),
                       identity[i].message);
    }
    /* Writable and device-specific bytes may differ (0x3c, 0x50). */
    memcpy(buf, i440fx_golden, sizeof(buf));
    buf[4 + PCI_INTERRUPT_LINE] = 0x0b;
    buf[4 + 0x50] = 0x80;
    test_hw_accepted(s, f->host, size, 3, buf, sizeof(buf));
    /* PIIX3's function is another device: its ids are refused. */
    test_hw_refused(s, f->host, size, 3, piix3_golden, sizeof(buf),
                   "config byte 0x02 is 0x00");
    /* And PIIX3 checks its multi-function header type too. */
    memcpy(isa, piix3_golden, sizeof(isa));
    isa[4 + PCI_HEADER_TYPE] = 0x00;
    test_hw_refused(piix3_info.state, f->isa, sizeof(*f->isa), 3, isa,
                   sizeof(isa), "config byte 0x0e is 0x00, PIIX3 00:01.0 "
                   "has 0x80 there");
}

static void test_piix3_golden(Fixture *f, gconstpointer data)
{
    g_autoptr(GByteArray) out = NULL;
    g_autoptr(GByteArray) with_rcr = NULL;

    booted_io(f);
    out = test_hw_encode(piix3_info.state, f->isa);
    g_assert_cmpmem(out->data, out->len, piix3_golden, sizeof(piix3_golden));
    /* 0xcf9 keeps SYS_RST (PIIX3 2.2.x RC); only then the subsection. */
    dm_space_write(f->m->io, 0xcf9, 0x02, 1);
    with_rcr = test_hw_encode(piix3_info.state, f->isa);
    g_assert_cmpuint(with_rcr->len, ==, 292 + sizeof(piix3_rcr_golden));
    g_assert_cmpmem(with_rcr->data, 292, piix3_golden, sizeof(piix3_golden));
    g_assert_cmpmem(with_rcr->data + 292, with_rcr->len - 292,
                    piix3_rcr_golden, sizeof(piix3_rcr_golden));
}

static GByteArray *piix3_with_rcr(void)
{
    GByteArray *b = g_byte_array_new();

    g_byte_array_append(b, piix3_golden, sizeof(piix3_golden));
    g_byte_array_append(b, piix3_rcr_golden, sizeof(piix3_rcr_golden));
    return b;
}

static void test_piix3_load(Fixture *f, gconstpointer data)
{
    g_autoptr(GByteArray) ref = piix3_with_rcr();
    g_autoptr(GByteArray) again = NULL;

    g_assert_cmphex(dm_space_read(f->m->io, 0xcf9, 1), ==, 0x00);
    test_hw_load(piix3_info.state, f->isa, sizeof(*f->isa), 3, ref->data,
                 ref->len);
    g_assert_cmphex(cfg_read(f, ISA_DEVFN, 0x60, 4), ==, 0x0b0b0a0a);
    g_assert_cmphex(dm_space_read(f->m->io, 0xcf9, 1), ==, 0x02);
    again = test_hw_encode(piix3_info.state, f->isa);
    g_assert_cmpmem(again->data, again->len, ref->data, ref->len);
}

/* Version 2, from before pci_irq_levels: the PCIDevice only. */
static void test_piix3_load_v2(Fixture *f, gconstpointer data)
{
    g_autoptr(GError) err = NULL;
    g_autoptr(GByteArray) again = NULL;
    Piix3 scratch = *f->isa;
    SaveReader r = { .data = piix3_golden, .len = 276 };

    /* The levels are not read: the copy keeps what it had. */
    for (int i = 0; i < 4; i++) {
        scratch.pci_irq_levels[i] = 0x55 + i;
    }
    g_assert_true(save_decode(piix3_info.state, &scratch, 2, &r,
                              SAVE_DECODE_CHECK, &err));
    g_assert_no_error(err);
    g_assert_cmpuint(r.pos, ==, 276);
    for (int i = 0; i < 4; i++) {
        g_assert_cmpint(scratch.pci_irq_levels[i], ==, 0x55 + i);
    }
    /* Appended levels are not v2's: they are left for the next section. */
    r = (SaveReader){ .data = piix3_golden, .len = sizeof(piix3_golden) };
    scratch = *f->isa;
    g_assert_true(save_decode(piix3_info.state, &scratch, 2, &r,
                              SAVE_DECODE_CHECK, &err));
    g_assert_cmpuint(r.pos, ==, 276);

    test_hw_load(piix3_info.state, f->isa, sizeof(*f->isa), 2, piix3_golden,
                 276);
    g_assert_cmphex(cfg_read(f, ISA_DEVFN, 0x60, 4), ==, 0x0b0b0a0a);
    /* Saved back at v3, with the levels the bus has (none). */
    again = test_hw_encode(piix3_info.state, f->isa);
    g_assert_cmpmem(again->data, again->len, piix3_golden,
                    sizeof(piix3_golden));
}

static void test_piix3_truncated(Fixture *f, gconstpointer data)
{
    static const TestHwCut v3[] = {
        TEST_HW_CUT(4, "PCIDevice", "version_id"),
        TEST_HW_CUT(260, "PCIDevice", "config"),
        TEST_HW_CUT(276, "PCIDevice", "irq_state"),
        TEST_HW_CUT(292, "PIIX3", "pci_irq_levels"),
        /* 292: a whole payload without rcr; then a partial header */
        TEST_HW_CUT_ACCEPTED(292 + 2 + 9, 292),
        TEST_HW_CUT(292 + 2 + 9 + 4, "PIIX3/rcr", "version"),
        TEST_HW_CUT(292 + 2 + 9 + 4 + 1, "PIIX3/rcr", "rcr"),
        TEST_HW_CUT_END,
    };
    static const TestHwCut v2[] = {
        TEST_HW_CUT(4, "PCIDevice", "version_id"),
        TEST_HW_CUT(260, "PCIDevice", "config"),
        TEST_HW_CUT(276, "PCIDevice", "irq_state"),
        TEST_HW_CUT_END,
    };
    g_autoptr(GByteArray) ref = piix3_with_rcr();

    booted_io(f);
    test_hw_truncations(piix3_info.state, f->isa, sizeof(*f->isa), 3,
                        ref->data, ref->len, v3);
    test_hw_truncations(piix3_info.state, f->isa, sizeof(*f->isa), 2,
                        piix3_golden, 276, v2);
}

/* PIIX3-xen saves the same section; its pins never reach the PIRQs. */
static void test_piix3_xen(Fixture *f, gconstpointer data)
{
    g_autoptr(GByteArray) out = NULL;
    g_autoptr(GByteArray) again = NULL;

    booted_io(f);
    out = test_hw_encode(piix3_info.state, f->isa);
    g_assert_cmpmem(out->data, out->len, piix3_golden, sizeof(piix3_golden));
    dm_machine_reset(f->m, false);
    test_hw_load(piix3_info.state, f->isa, sizeof(*f->isa), 3, piix3_golden,
                 sizeof(piix3_golden));
    again = test_hw_encode(piix3_info.state, f->isa);
    g_assert_cmpmem(again->data, again->len, piix3_golden,
                    sizeof(piix3_golden));
}

void test_pci_state_register(void)
{
#define ADD(path, fn) \
    g_test_add(path, Fixture, NULL, setup, fn, teardown)
    ADD("/hw/pci/state/tables", test_tables);
    ADD("/hw/pci/state/pci-device-rules", test_pci_device_rules);
    ADD("/hw/i440fx/state/golden", test_i440fx_golden);
    ADD("/hw/i440fx/state/load", test_i440fx_load);
    ADD("/hw/i440fx/state/truncated", test_i440fx_truncated);
    ADD("/hw/i440fx/state/pci-host", test_pci_host);
    ADD("/hw/piix3/state/golden", test_piix3_golden);
    ADD("/hw/piix3/state/load", test_piix3_load);
    ADD("/hw/piix3/state/load-v2", test_piix3_load_v2);
    ADD("/hw/piix3/state/truncated", test_piix3_truncated);
#undef ADD
    g_test_add_func("/hw/i440fx/state/ram-size-byte",
                    test_i440fx_ram_size_byte);
    g_test_add("/hw/piix3/state/xen", Fixture, "xenfv-4.2", setup,
               test_piix3_xen, teardown);
}
