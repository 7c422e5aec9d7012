/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Xen platform PCI device (hw/xen-platform.c) on a xenfv board, against
 * QEMU 7.2's hw/i386/xen/xen_platform.c and Xen's unplug protocol
 * (docs/misc/hvm-emulated-unplug.pandoc). Config cycles go through
 * 0xcf8/0xcfc as a guest's would.
 */
#include "test-hw.h"

#include "dm/machine-pc.h"
#include "hw/pci.h"
#include "hw/xen-platform.h"
#include "save/codec.h"

#include <string.h>

#define DEVFN PCI_DEVFN(2, 0)
#define FIXED 0x10
#define BAR0_ADDR 0xc000
#define BAR1_ADDR 0xf0000000u
#define PLATFORM_WIRE_SIZE 277

typedef struct {
    DmMachine *m;
    XenPlatform *s;
} Fixture;

static DmMachine *machine_new(const char *type)
{
    g_autoptr(GError) err = NULL;
    DmOptions *o = dm_options_new();
    DmMachine *m;

    o->accel = g_strdup("qtest");
    o->machine_type = g_strdup(type);
    m = dm_machine_new(o, &err);
    g_assert_no_error(err);
    return m;
}

static void setup(Fixture *f, gconstpointer data)
{
    f->m = machine_new("xenfv-4.2");
    f->s = dm_machine_find_device(f->m, "platform");
    g_assert_nonnull(f->s);
}

static void teardown(Fixture *f, gconstpointer data)
{
    dm_machine_free(f->m);
}

static uint32_t in(DmMachine *m, uint16_t port, unsigned size)
{
    return (uint32_t)dm_space_read(m->io, port, size);
}

static void out(DmMachine *m, uint16_t port, uint32_t v, unsigned size)
{
    dm_space_write(m->io, port, v, size);
}

static uint32_t cfg_read(DmMachine *m, uint8_t devfn, uint8_t reg,
                         unsigned size)
{
    out(m, 0xcf8, 0x80000000u | devfn << 8 | (reg & 0xfc), 4);
    return in(m, 0xcfc + (reg & 3), size);
}

static void cfg_write(DmMachine *m, uint8_t devfn, uint8_t reg, uint32_t v,
                      unsigned size)
{
    out(m, 0xcf8, 0x80000000u | devfn << 8 | (reg & 0xfc), 4);
    out(m, 0xcfc + (reg & 3), v, size);
}

/* Places BAR0 at 0xc000 and BAR1 at 0xf0000000 and enables decoding. */
static void map_bars(Fixture *f)
{
    cfg_write(f->m, DEVFN, PCI_BASE_ADDRESS_0, BAR0_ADDR, 4);
    cfg_write(f->m, DEVFN, PCI_BASE_ADDRESS_0 + 4, BAR1_ADDR, 4);
    cfg_write(f->m, DEVFN, PCI_COMMAND,
              PCI_COMMAND_IO | PCI_COMMAND_MEMORY, 2);
}

static bool io_mapped(Fixture *f, uint64_t port)
{
    uint64_t off;

    return dm_space_lookup(f->m->io, port, &off) == &f->s->bar_io;
}

static bool mmio_mapped(Fixture *f, uint64_t addr)
{
    uint64_t off;

    return dm_space_lookup(f->m->mem, addr, &off) == &f->s->bar_mmio;
}

/* Only DmMachineType.xen_platform machines have it; the slot stays empty. */
static void test_absent(void)
{
    static const char *const types[] = { "pc-i440fx-7.2", "pc-i440fx-3.1" };

    for (unsigned i = 0; i < G_N_ELEMENTS(types); i++) {
        DmMachine *m = machine_new(types[i]);

        g_test_message("%s", types[i]);
        g_assert_null(dm_machine_find_device(m, "platform"));
        g_assert_cmphex(cfg_read(m, DEVFN, PCI_VENDOR_ID, 4), ==,
                        0xffffffff);
        /* Nothing answers at 0x10: unassigned ports read all-ones. */
        g_assert_cmphex(in(m, FIXED, 2), ==, 0xffff);
        g_assert_cmphex(in(m, FIXED, 1), ==, 0xff);
        dm_machine_free(m);
    }
}

static void test_present(void)
{
    static const char *const types[] = { "xenfv-4.2", "xenfv-3.1" };

    for (unsigned i = 0; i < G_N_ELEMENTS(types); i++) {
        DmMachine *m = machine_new(types[i]);
        XenPlatform *s = dm_machine_find_device(m, "platform");

        g_test_message("%s", types[i]);
        g_assert_nonnull(s);
        g_assert_cmpuint(s->pci.devfn, ==, DEVFN);
        g_assert_cmphex(in(m, FIXED, 2), ==, 0x49d2);
        /* Last on the board: it is saved after every other device. */
        g_assert_true(((HwDevice *)g_ptr_array_index(m->devices,
                                                     m->devices->len - 1))
                      ->state == s);
        dm_machine_free(m);
    }
}

/* Header as QEMU's class_init and realize leave it after a reset. */
static void test_config(Fixture *f, gconstpointer data)
{
    DmMachine *m = f->m;

    g_assert_cmphex(cfg_read(m, DEVFN, PCI_VENDOR_ID, 2), ==, 0x5853);
    g_assert_cmphex(cfg_read(m, DEVFN, PCI_DEVICE_ID, 2), ==, 0x0001);
    /* Realize sets I/O and memory decoding; the first reset clears it. */
    g_assert_cmphex(cfg_read(m, DEVFN, PCI_COMMAND, 2), ==, 0x0000);
    g_assert_cmphex(cfg_read(m, DEVFN, PCI_STATUS, 2), ==, 0x0000);
    g_assert_cmphex(cfg_read(m, DEVFN, PCI_REVISION_ID, 1), ==, 0x01);
    g_assert_cmphex(cfg_read(m, DEVFN, PCI_CLASS_PROG, 1), ==, 0x00);
    /* PCI_CLASS_OTHERS << 8 | 0x80 */
    g_assert_cmphex(cfg_read(m, DEVFN, PCI_CLASS_DEVICE, 2), ==, 0xff80);
    g_assert_cmphex(cfg_read(m, DEVFN, 0x0c, 4), ==, 0x00000000);
    g_assert_cmphex(cfg_read(m, DEVFN, PCI_HEADER_TYPE, 1), ==, 0x00);
    g_assert_cmphex(cfg_read(m, DEVFN, PCI_BASE_ADDRESS_0, 4), ==,
                    PCI_BASE_ADDRESS_SPACE_IO);
    g_assert_cmphex(cfg_read(m, DEVFN, PCI_BASE_ADDRESS_0 + 4, 4), ==,
                    PCI_BASE_ADDRESS_MEM_PREFETCH);
    for (uint8_t bar = 2; bar < PCI_NUM_BARS; bar++) {
        g_assert_cmphex(cfg_read(m, DEVFN, PCI_BASE_ADDRESS_0 + 4 * bar, 4),
                        ==, 0);
    }
    g_assert_cmphex(cfg_read(m, DEVFN, PCI_SUBSYSTEM_VENDOR_ID, 2), ==,
                    0x5853);
    g_assert_cmphex(cfg_read(m, DEVFN, PCI_SUBSYSTEM_ID, 2), ==, 0x0001);
    g_assert_cmphex(cfg_read(m, DEVFN, 0x30, 4), ==, 0);
    g_assert_cmphex(cfg_read(m, DEVFN, 0x34, 1), ==, 0);
    g_assert_cmphex(cfg_read(m, DEVFN, PCI_INTERRUPT_LINE, 1), ==, 0x00);
    g_assert_cmphex(cfg_read(m, DEVFN, PCI_INTERRUPT_PIN, 1), ==, 0x01);
    /* Functions 1-7 of the slot are empty. */
    for (uint8_t fn = 1; fn < 8; fn++) {
        g_assert_cmphex(cfg_read(m, PCI_DEVFN(2, fn), 0, 4), ==, 0xffffffff);
    }
}

/* Sizing (PCI 3.0, 6.2.5.1): all-ones reads back the size mask. */
static void test_bar_sizing(Fixture *f, gconstpointer data)
{
    DmMachine *m = f->m;

    for (uint8_t bar = 0; bar < PCI_NUM_BARS; bar++) {
        cfg_write(m, DEVFN, PCI_BASE_ADDRESS_0 + 4 * bar, 0xffffffff, 4);
    }
    /* 256 bytes of I/O, bit 0 set. */
    g_assert_cmphex(cfg_read(m, DEVFN, PCI_BASE_ADDRESS_0, 4), ==,
                    0xffffff01);
    /* 16 MiB of 32-bit prefetchable memory. */
    g_assert_cmphex(cfg_read(m, DEVFN, PCI_BASE_ADDRESS_0 + 4, 4), ==,
                    0xff000008);
    for (uint8_t bar = 2; bar < PCI_NUM_BARS; bar++) {
        g_assert_cmphex(cfg_read(m, DEVFN, PCI_BASE_ADDRESS_0 + 4 * bar, 4),
                        ==, 0);
    }
    /* No expansion ROM BAR. */
    cfg_write(m, DEVFN, 0x30, 0xffffffff, 4);
    g_assert_cmphex(cfg_read(m, DEVFN, 0x30, 4), ==, 0);
    /* Read-only header fields ignore writes. */
    cfg_write(m, DEVFN, PCI_VENDOR_ID, 0xffffffff, 4);
    cfg_write(m, DEVFN, PCI_INTERRUPT_PIN, 0x04, 1);
    cfg_write(m, DEVFN, PCI_SUBSYSTEM_VENDOR_ID, 0xffffffff, 4);
    g_assert_cmphex(cfg_read(m, DEVFN, PCI_VENDOR_ID, 4), ==, 0x00015853);
    g_assert_cmphex(cfg_read(m, DEVFN, PCI_INTERRUPT_PIN, 1), ==, 0x01);
    g_assert_cmphex(cfg_read(m, DEVFN, PCI_SUBSYSTEM_VENDOR_ID, 4), ==,
                    0x00015853);
    /* Unaligned low bits of an address are dropped. */
    cfg_write(m, DEVFN, PCI_BASE_ADDRESS_0, BAR0_ADDR | 0xff, 4);
    g_assert_cmphex(cfg_read(m, DEVFN, PCI_BASE_ADDRESS_0, 4), ==,
                    BAR0_ADDR | 1);
    cfg_write(m, DEVFN, PCI_BASE_ADDRESS_0 + 4, BAR1_ADDR | 0xfff0, 4);
    g_assert_cmphex(cfg_read(m, DEVFN, PCI_BASE_ADDRESS_0 + 4, 4), ==,
                    BAR1_ADDR | 8);
}

/* Each BAR decodes only while its command bit is set. */
static void test_bar_mapping(Fixture *f, gconstpointer data)
{
    DmMachine *m = f->m;

    cfg_write(m, DEVFN, PCI_BASE_ADDRESS_0, BAR0_ADDR, 4);
    cfg_write(m, DEVFN, PCI_BASE_ADDRESS_0 + 4, BAR1_ADDR, 4);
    g_assert_false(io_mapped(f, BAR0_ADDR));
    g_assert_false(mmio_mapped(f, BAR1_ADDR));
    g_assert_cmphex(in(m, BAR0_ADDR, 1), ==, 0xff);

    cfg_write(m, DEVFN, PCI_COMMAND, PCI_COMMAND_IO, 2);
    g_assert_true(io_mapped(f, BAR0_ADDR));
    g_assert_true(io_mapped(f, BAR0_ADDR + 0xff));
    g_assert_false(io_mapped(f, BAR0_ADDR + 0x100));
    g_assert_false(mmio_mapped(f, BAR1_ADDR));
    g_assert_cmphex(in(m, BAR0_ADDR, 1), ==, 0x00);

    cfg_write(m, DEVFN, PCI_COMMAND, PCI_COMMAND_MEMORY, 2);
    g_assert_false(io_mapped(f, BAR0_ADDR));
    g_assert_true(mmio_mapped(f, BAR1_ADDR));
    g_assert_true(mmio_mapped(f, BAR1_ADDR + 0xffffff));
    g_assert_false(mmio_mapped(f, BAR1_ADDR + 0x1000000));

    /* Moving a decoded BAR moves the region. */
    cfg_write(m, DEVFN, PCI_COMMAND, PCI_COMMAND_IO | PCI_COMMAND_MEMORY, 2);
    cfg_write(m, DEVFN, PCI_BASE_ADDRESS_0, 0xd000, 4);
    g_assert_false(io_mapped(f, BAR0_ADDR));
    g_assert_true(io_mapped(f, 0xd000));
    cfg_write(m, DEVFN, PCI_BASE_ADDRESS_0 + 4, 0xe1000000, 4);
    g_assert_false(mmio_mapped(f, BAR1_ADDR));
    g_assert_true(mmio_mapped(f, 0xe1000000));

    cfg_write(m, DEVFN, PCI_COMMAND, 0, 2);
    g_assert_false(io_mapped(f, 0xd000));
    g_assert_false(mmio_mapped(f, 0xe1000000));
}

/* Fixed port 0x10: byte and word registers share offsets (pandoc §"I/O"). */
static void test_fixed_reads(Fixture *f, gconstpointer data)
{
    DmMachine *m = f->m;

    /* XEN_IOPORT_MAGIC */
    g_assert_cmphex(in(m, 0x10, 2), ==, 0x49d2);
    /* XEN_IOPORT_PLATFLAGS, then XEN_IOPORT_PROTOVER = 1 */
    g_assert_cmphex(in(m, 0x10, 1), ==, 0x00);
    g_assert_cmphex(in(m, 0x12, 1), ==, 0x01);
    /* Everything else: all-ones at the width asked. */
    g_assert_cmphex(in(m, 0x12, 2), ==, 0xffff);
    g_assert_cmphex(in(m, 0x11, 2), ==, 0xffff);
    g_assert_cmphex(in(m, 0x10, 4), ==, 0xffffffff);
    g_assert_cmphex(in(m, 0x14, 4), ==, 0xffffffff);
    for (uint16_t port = 0x11; port < 0x20; port++) {
        if (port != 0x12) {
            g_assert_cmphex(in(m, port, 1), ==, 0xff);
        }
    }
    /* 16 ports decoded, as QEMU's "xen-fixed" region; 0x0f and 0x20 not. */
    g_assert_true(dm_space_lookup(m->io, 0x1f, &(uint64_t){ 0 }) ==
                  &f->s->fixed_io);
    g_assert_false(dm_space_lookup(m->io, 0x20, &(uint64_t){ 0 }) ==
                   &f->s->fixed_io);
    g_assert_false(dm_space_lookup(m->io, 0x0f, &(uint64_t){ 0 }) ==
                   &f->s->fixed_io);
}

/* XEN_IOPORT_PLATFLAGS: only bit 0 (ROM lock) is kept. */
static void test_fixed_flags(Fixture *f, gconstpointer data)
{
    DmMachine *m = f->m;

    out(m, 0x10, 0xff, 1);
    g_assert_cmphex(in(m, 0x10, 1), ==, 0x01);
    g_assert_cmphex(f->s->flags, ==, 0x01);
    out(m, 0x10, 0xfe, 1);
    g_assert_cmphex(in(m, 0x10, 1), ==, 0x00);
    out(m, 0x10, 0x01, 1);
    /* A word or dword write at 0x10 is another register. */
    out(m, 0x10, 0x0000, 2);
    out(m, 0x10, 0x00000000, 4);
    g_assert_cmphex(in(m, 0x10, 1), ==, 0x01);
    g_assert_cmphex(in(m, 0x10, 2), ==, 0x49d2);
}

/* The Linux/Windows driver handshake, then the unplug request. */
static void test_fixed_unplug(Fixture *f, gconstpointer data)
{
    DmMachine *m = f->m;

    g_assert_cmphex(in(m, 0x10, 2), ==, 0x49d2);
    g_assert_cmphex(in(m, 0x12, 1), ==, 0x01);
    /* XEN_IOPORT_PRODNUM (Linux: 3), XEN_IOPORT_DRVVER (dword, ignored). */
    out(m, 0x12, 0x0003, 2);
    out(m, 0x10, 0x00000001, 4);
    g_assert_cmpuint(f->s->driver_product, ==, 3);
    g_assert_cmpuint(f->s->unplug_requested, ==, 0);
    g_assert_cmphex(in(m, 0x10, 2), ==, 0x49d2);
    /* XEN_IOPORT_UNPLUG: IDE/SCSI disks and NICs. */
    out(m, 0x10, 0x0003, 2);
    g_assert_cmphex(f->s->unplug_requested, ==, 0x03);
    /* Aux IDE and NVMe disks; unknown bits are not kept. */
    out(m, 0x10, 0xfffc, 2);
    g_assert_cmphex(f->s->unplug_requested, ==, 0x0f);
    /* None of it changes the registers. */
    g_assert_cmphex(in(m, 0x10, 1), ==, 0x00);
    g_assert_cmphex(in(m, 0x12, 1), ==, 0x01);
    /* Product 1 (Citrix Windows) and 0 are kept as well. */
    out(m, 0x12, 0x0001, 2);
    g_assert_cmpuint(f->s->driver_product, ==, 1);
    out(m, 0x12, 0x0000, 2);
    g_assert_cmpuint(f->s->driver_product, ==, 0);
    /* An odd-offset word is no register. */
    out(m, 0x11, 0x0003, 2);
    g_assert_cmpuint(f->s->driver_product, ==, 0);
}

/* XEN_IOPORT_LOG: bytes collect until a newline. */
static void test_fixed_log(Fixture *f, gconstpointer data)
{
    DmMachine *m = f->m;
    const char *msg = "xen-blkfront";

    for (const char *p = msg; *p; p++) {
        out(m, 0x12, (uint8_t)*p, 1);
    }
    g_assert_cmpuint(f->s->log_len, ==, strlen(msg));
    g_assert_cmpmem(f->s->log, f->s->log_len, msg, strlen(msg));
    out(m, 0x12, '\n', 1);
    g_assert_cmpuint(f->s->log_len, ==, 0);
    /* A full buffer flushes; the byte that found it full is dropped. */
    for (unsigned i = 0; i < XENPLAT_LOG_SIZE - 1; i++) {
        out(m, 0x12, 'a', 1);
    }
    g_assert_cmpuint(f->s->log_len, ==, XENPLAT_LOG_SIZE - 1);
    out(m, 0x12, 'b', 1);
    g_assert_cmpuint(f->s->log_len, ==, 0);
    /* The log does not touch the protocol version. */
    g_assert_cmphex(in(m, 0x12, 1), ==, 0x01);
}

/* BAR0: byte registers; flags at 0, SUSE unplug at 4 and 8. */
static void test_bar_io(Fixture *f, gconstpointer data)
{
    DmMachine *m = f->m;

    map_bars(f);
    g_assert_cmphex(in(m, BAR0_ADDR, 1), ==, 0x00);
    out(m, BAR0_ADDR, 0x03, 1);
    g_assert_cmphex(in(m, BAR0_ADDR, 1), ==, 0x01);
    g_assert_cmphex(in(m, 0x10, 1), ==, 0x01);
    out(m, 0x10, 0x00, 1);
    g_assert_cmphex(in(m, BAR0_ADDR, 1), ==, 0x00);
    out(m, BAR0_ADDR, 0x01, 1);
    /* Wider accesses split into bytes; only offset 0 reads a value. */
    g_assert_cmphex(in(m, BAR0_ADDR, 2), ==, 0xff01);
    g_assert_cmphex(in(m, BAR0_ADDR, 4), ==, 0xffffff01);
    for (uint16_t off = 1; off < 0x100; off++) {
        g_assert_cmphex(in(m, BAR0_ADDR + off, 1), ==, 0xff);
    }
    /* Offset 2 is no log port here: nothing collects. */
    out(m, BAR0_ADDR + 2, 'x', 1);
    g_assert_cmpuint(f->s->log_len, ==, 0);

    /* xenlinux: outl(1, ioaddr + 4) unplugs disks and NICs. */
    out(m, BAR0_ADDR + 4, 2, 1);
    g_assert_cmphex(f->s->unplug_requested, ==, 0);
    out(m, BAR0_ADDR + 4, 1, 4);
    g_assert_cmphex(f->s->unplug_requested, ==, 0x03);
    g_assert_cmphex(in(m, BAR0_ADDR, 1), ==, 0x01);
}

/* Old VMDP at offset 8: 1 disks, 2 NICs, anything else is log. */
static void test_bar_io_log(Fixture *f, gconstpointer data)
{
    DmMachine *m = f->m;

    map_bars(f);
    out(m, BAR0_ADDR + 8, 1, 1);
    g_assert_cmphex(f->s->unplug_requested, ==, 0x01);
    g_assert_cmpuint(f->s->log_len, ==, 0);
    out(m, BAR0_ADDR + 8, 2, 1);
    g_assert_cmphex(f->s->unplug_requested, ==, 0x03);
    out(m, BAR0_ADDR + 8, 'o', 1);
    out(m, BAR0_ADDR + 8, 'k', 1);
    g_assert_cmpmem(f->s->log, f->s->log_len, "ok", 2);
    out(m, BAR0_ADDR + 8, '\n', 1);
    g_assert_cmpuint(f->s->log_len, ==, 0);
}

/* BAR1: reads 0 at every width, writes go nowhere. */
static void test_bar_mmio(Fixture *f, gconstpointer data)
{
    DmMachine *m = f->m;

    map_bars(f);
    for (unsigned size = 1; size <= 8; size *= 2) {
        dm_space_write(m->mem, BAR1_ADDR + 0x1000, UINT64_MAX, size);
        g_assert_cmphex(dm_space_read(m->mem, BAR1_ADDR + 0x1000, size), ==,
                        0);
        g_assert_cmphex(dm_space_read(m->mem, BAR1_ADDR + 0xfffff8, size),
                        ==, 0);
    }
    g_assert_cmphex(f->s->flags, ==, 0);
}

/*
 * QEMU's device never calls pci_set_irq: INTA is only advertised (Xen
 * raises the event-channel callback on that GSI itself).
 */
static void test_no_intx(Fixture *f, gconstpointer data)
{
    DmMachine *m = f->m;

    map_bars(f);
    out(m, 0x10, 0x01, 1);
    out(m, 0x10, 0x0003, 2);
    out(m, 0x12, 'z', 1);
    out(m, 0x12, '\n', 1);
    out(m, BAR0_ADDR + 4, 1, 1);
    out(m, BAR0_ADDR + 8, 1, 1);
    dm_space_write(m->mem, BAR1_ADDR, 1, 4);
    for (int pin = 0; pin < PCI_NUM_PINS; pin++) {
        g_assert_cmpint(f->s->pci.irq_state[pin], ==, 0);
        g_assert_false(m->pci_intx_level[2][pin]);
    }
    g_assert_cmphex(cfg_read(m, DEVFN, PCI_STATUS, 2) & PCI_STATUS_INTERRUPT,
                    ==, 0);
    for (unsigned irq = 0; irq < DM_NUM_IRQS; irq++) {
        g_assert_false(m->irq_level[irq]);
    }
}

/*
 * system_reset: flags back to 0 (QEMU writes 0 to the flags port), the
 * PCI header back to power-on, BARs unmapped; unplugs are not undone.
 */
static void test_reset(Fixture *f, gconstpointer data)
{
    DmMachine *m = f->m;

    map_bars(f);
    out(m, 0x10, 0x01, 1);
    out(m, 0x10, 0x0002, 2);
    cfg_write(m, DEVFN, PCI_INTERRUPT_LINE, 5, 1);
    dm_machine_reset(m, false);
    g_assert_cmphex(in(m, 0x10, 1), ==, 0x00);
    g_assert_cmphex(in(m, 0x10, 2), ==, 0x49d2);
    g_assert_cmphex(cfg_read(m, DEVFN, PCI_COMMAND, 2), ==, 0);
    g_assert_cmphex(cfg_read(m, DEVFN, PCI_BASE_ADDRESS_0, 4), ==, 0x01);
    g_assert_cmphex(cfg_read(m, DEVFN, PCI_BASE_ADDRESS_0 + 4, 4), ==, 0x08);
    g_assert_cmphex(cfg_read(m, DEVFN, PCI_INTERRUPT_LINE, 1), ==, 0);
    g_assert_cmphex(cfg_read(m, DEVFN, PCI_INTERRUPT_PIN, 1), ==, 1);
    g_assert_false(io_mapped(f, BAR0_ADDR));
    g_assert_false(mmio_mapped(f, BAR1_ADDR));
    g_assert_cmphex(f->s->unplug_requested, ==, 0x02);
}

/*
 * "platform" v4 (qemu-stream.md §4.12): the PCIDevice (version_id, 256
 * config bytes, 4 irq_state words) then flags, 277 bytes. The device has
 * BAR0 at 0xc000, BAR1 at 0xf0000000, both decoded, line 11, ROM locked.
 */
static const uint8_t platform_golden[PLATFORM_WIRE_SIZE] = {
    0x00, 0x00, 0x00, 0x02,             /* PCIDevice version_id = 2 */
    /* config 0x00: vendor 5853, device 0001, command 0003, status 0 */
    0x53, 0x58, 0x01, 0x00, 0x03, 0x00, 0x00, 0x00,
    /* 0x08: revision 1, prog-if 0, class ff80; 0x0c: all 0 */
    0x01, 0x00, 0x80, 0xff, 0x00, 0x00, 0x00, 0x00,
    /* 0x10: BAR0 0xc000 | I/O, BAR1 0xf0000000 | prefetchable */
    0x01, 0xc0, 0x00, 0x00, 0x08, 0x00, 0x00, 0xf0,
    /* 0x18-0x2b: BAR2-5, cardbus CIS: none */
    [4 + 0x18] = 0x00,
    /* 0x2c: subsystem vendor 5853, subsystem 0001 */
    [4 + 0x2c] = 0x53, 0x58, 0x01, 0x00,
    /* 0x30-0x3b: no ROM, no capabilities */
    /* 0x3c: interrupt line 11, pin INTA */
    [4 + 0x3c] = 0x0b, 0x01, 0x00, 0x00,
    /* 0x40-0xff: no device-specific registers */
    /* irq_state INTA-D: 4 x be32 0 */
    [260] = 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x01,                               /* flags: ROM lock */
};

static void golden_device(Fixture *f)
{
    map_bars(f);
    cfg_write(f->m, DEVFN, PCI_INTERRUPT_LINE, 11, 1);
    out(f->m, 0x10, 0x01, 1);
}

static void test_state_golden(Fixture *f, gconstpointer data)
{
    const SaveSection *s = xenplat_info.state;
    g_autoptr(GByteArray) out = g_byte_array_new();
    g_autoptr(GError) err = NULL;

    g_assert_cmpstr(s->name, ==, "platform");
    g_assert_cmpint(s->version, ==, 4);
    g_assert_cmpint(s->minimum_version, ==, 4);
    g_assert_null(s->subsections);
    g_assert_cmpuint(save_section_wire_size(s, f->s, 4), ==,
                     PLATFORM_WIRE_SIZE);
    golden_device(f);
    g_assert_true(save_encode(s, f->s, out, &err));
    g_assert_no_error(err);
    g_assert_cmpmem(out->data, out->len, platform_golden,
                    sizeof(platform_golden));
}

/* Into a second xenfv machine: same registers, same mappings. */
static void test_state_load(Fixture *f, gconstpointer data)
{
    const SaveSection *s = xenplat_info.state;
    SaveReader r = { .data = platform_golden,
                     .len = sizeof(platform_golden) };
    g_autoptr(GByteArray) again = g_byte_array_new();
    g_autoptr(GError) err = NULL;

    g_assert_true(save_decode(s, f->s, 4, &r, SAVE_DECODE_APPLY, &err));
    g_assert_no_error(err);
    g_assert_cmpuint(r.pos, ==, sizeof(platform_golden));
    /* post_load re-derives the BAR mappings from the loaded header. */
    g_assert_true(io_mapped(f, BAR0_ADDR));
    g_assert_true(mmio_mapped(f, BAR1_ADDR));
    g_assert_cmphex(in(f->m, BAR0_ADDR, 1), ==, 0x01);
    g_assert_cmphex(in(f->m, 0x10, 1), ==, 0x01);
    g_assert_cmphex(cfg_read(f->m, DEVFN, PCI_INTERRUPT_LINE, 1), ==, 11);
    /* save -> load -> save gives the same bytes */
    g_assert_true(save_encode(s, f->s, again, &err));
    g_assert_cmpmem(again->data, again->len, platform_golden,
                    sizeof(platform_golden));
}

/* QEMU rewrites the loaded flags through the port: only bit 0 stays. */
static void test_state_flags_masked(Fixture *f, gconstpointer data)
{
    uint8_t bytes[PLATFORM_WIRE_SIZE];
    SaveReader r = { .data = bytes, .len = sizeof(bytes) };

    memcpy(bytes, platform_golden, sizeof(bytes));
    bytes[PLATFORM_WIRE_SIZE - 1] = 0xfe;
    g_assert_true(save_decode(xenplat_info.state, f->s, 4, &r,
                              SAVE_DECODE_APPLY, NULL));
    g_assert_cmphex(f->s->flags, ==, 0x00);
    g_assert_cmphex(in(f->m, 0x10, 1), ==, 0x00);
    bytes[PLATFORM_WIRE_SIZE - 1] = 0xff;
    r.pos = 0;
    g_assert_true(save_decode(xenplat_info.state, f->s, 4, &r,
                              SAVE_DECODE_APPLY, NULL));
    g_assert_cmphex(f->s->flags, ==, 0x01);
}

/* Every cut fails, naming the field that ran out. */
static void test_state_truncated(Fixture *f, gconstpointer data)
{
    for (size_t len = 0; len < PLATFORM_WIRE_SIZE; len++) {
        g_autoptr(GError) err = NULL;
        SaveReader r = { .data = platform_golden, .len = len,
                         .origin = 0x1000 };
        const char *field = len < 4 ? "version_id" : len < 260 ? "config"
                            : len < 276 ? "irq_state" : "flags";

        g_assert_false(save_decode(xenplat_info.state, f->s, 4, &r,
                                   SAVE_DECODE_CHECK, &err));
        g_assert_nonnull(err);
        if (!strstr(err->message, field)) {
            g_error("cut at %zu: %s", len, err->message);
        }
        g_assert_nonnull(strstr(err->message, "offset 0x1"));
    }
}

void test_xen_platform_register(void)
{
#define ADD(path, fn) \
    g_test_add("/hw/xen-platform/" path, Fixture, NULL, setup, fn, teardown)
    g_test_add_func("/hw/xen-platform/absent", test_absent);
    g_test_add_func("/hw/xen-platform/present", test_present);
    ADD("config", test_config);
    ADD("bar-sizing", test_bar_sizing);
    ADD("bar-mapping", test_bar_mapping);
    ADD("fixed/reads", test_fixed_reads);
    ADD("fixed/flags", test_fixed_flags);
    ADD("fixed/unplug", test_fixed_unplug);
    ADD("fixed/log", test_fixed_log);
    ADD("bar-io", test_bar_io);
    ADD("bar-io-log", test_bar_io_log);
    ADD("bar-mmio", test_bar_mmio);
    ADD("no-intx", test_no_intx);
    ADD("reset", test_reset);
    ADD("state/golden", test_state_golden);
    ADD("state/load", test_state_load);
    ADD("state/flags-masked", test_state_flags_masked);
    ADD("state/truncated", test_state_truncated);
#undef ADD
}
