/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The qtest line protocol as QEMU 7.2's softmmu/qtest.c answers it: reply
 * formats, access widths, little-endian composition, the virtual clock,
 * and FAIL lines (where QEMU would assert) that leave the server serving.
 */
#include "qtest-client.h"

#include <inttypes.h>
#include <string.h>

#define GIB (UINT64_C(1) << 30)
/* No device decodes this port on a PC (it is not ISA, PCI or ACPI). */
#define FREE_PORT 0x1234

static void assert_reply(QtcProcess *p, const char *line, const char *want)
{
    g_autofree char *got = qtc_qtest_raw(p, line);

    g_assert_cmpstr(got, ==, want);
}

static void assert_fail(QtcProcess *p, const char *line)
{
    g_autofree char *got = qtc_qtest_raw(p, line);

    if (!g_str_has_prefix(got, "FAIL")) {
        g_error("'%s' answered '%s', want FAIL", line, got);
    }
    /* The server still answers. */
    assert_reply(p, "endianness", "OK little");
}

static void test_io_unassigned(void)
{
    g_autoptr(QtcProcess) p = qtc_start("-S");

    /* QEMU formats in* as "OK 0x%04x"; unassigned ports read all-ones. */
    assert_reply(p, "inb 0x1234", "OK 0x00ff");
    assert_reply(p, "inw 0x1234", "OK 0xffff");
    assert_reply(p, "inl 0x1234", "OK 0xffffffff");
    assert_reply(p, "outb 0x1234 0x5a", "OK");
    assert_reply(p, "outw 0x1234 0x5a5a", "OK");
    assert_reply(p, "outl 0x1234 0x5a5a5a5a", "OK");
    g_assert_cmphex(qtc_inb(p, FREE_PORT), ==, 0xff);
    g_assert_cmphex(qtc_inw(p, FREE_PORT), ==, 0xffff);
    g_assert_cmphex(qtc_inl(p, FREE_PORT), ==, 0xffffffff);
    qtc_outb(p, FREE_PORT, 1);
    qtc_outw(p, FREE_PORT, 2);
    qtc_outl(p, FREE_PORT, 3);
    /* The last port, and one word spilling past it. */
    assert_reply(p, "inb 0xffff", "OK 0x00ff");
    assert_reply(p, "inw 0xffff", "OK 0xffff");
    assert_fail(p, "inb 0x10000");
    assert_fail(p, "outb 0x10000 1");
}

static void test_mem_widths(void)
{
    g_autoptr(QtcProcess) p = qtc_start("-S");

    /* QEMU formats read* as "OK 0x%016" PRIx64 whatever the width. */
    assert_reply(p, "writeb 0x1000 0xab", "OK");
    assert_reply(p, "readb 0x1000", "OK 0x00000000000000ab");
    assert_reply(p, "writew 0x1010 0xabcd", "OK");
    assert_reply(p, "readw 0x1010", "OK 0x000000000000abcd");
    assert_reply(p, "writel 0x1020 0xdeadbeef", "OK");
    assert_reply(p, "readl 0x1020", "OK 0x00000000deadbeef");
    assert_reply(p, "writeq 0x1030 0x0123456789abcdef", "OK");
    assert_reply(p, "readq 0x1030", "OK 0x0123456789abcdef");
    /* A value wider than the access keeps its low bytes only. */
    assert_reply(p, "writeb 0x1040 0x1ff", "OK");
    assert_reply(p, "readw 0x1040", "OK 0x00000000000000ff");
    qtc_writeq(p, 0x2000, UINT64_C(0xfedcba9876543210));
    g_assert_cmphex(qtc_readq(p, 0x2000), ==, UINT64_C(0xfedcba9876543210));
    qtc_writel(p, 0x2000, 0x11111111);
    g_assert_cmphex(qtc_readq(p, 0x2000), ==, UINT64_C(0xfedcba9811111111));
    qtc_writew(p, 0x2006, 0x2222);
    g_assert_cmphex(qtc_readq(p, 0x2000), ==, UINT64_C(0x2222ba9811111111));
    qtc_writeb(p, 0x2004, 0x33);
    g_assert_cmphex(qtc_readl(p, 0x2004), ==, 0x2222ba33);
    g_assert_cmphex(qtc_readw(p, 0x2000), ==, 0x1111);
    g_assert_cmphex(qtc_readb(p, 0x2007), ==, 0x22);
}

static void test_mem_little_endian(void)
{
    g_autoptr(QtcProcess) p = qtc_start("-S");
    static const uint8_t bytes[8] = {
        0x08, 0x07, 0x06, 0x05, 0x04, 0x03, 0x02, 0x01
    };
    uint8_t buf[8];

    /* x86 is little-endian: the least significant byte comes first. */
    qtc_writel(p, 0x3000, 0x11223344);
    g_assert_cmphex(qtc_readb(p, 0x3000), ==, 0x44);
    g_assert_cmphex(qtc_readb(p, 0x3001), ==, 0x33);
    g_assert_cmphex(qtc_readb(p, 0x3002), ==, 0x22);
    g_assert_cmphex(qtc_readb(p, 0x3003), ==, 0x11);
    g_assert_cmphex(qtc_readw(p, 0x3001), ==, 0x2233);
    for (unsigned i = 0; i < 8; i++) {
        qtc_writeb(p, 0x3100 + i, bytes[i]);
    }
    g_assert_cmphex(qtc_readq(p, 0x3100), ==, UINT64_C(0x0102030405060708));
    g_assert_cmphex(qtc_readl(p, 0x3104), ==, 0x01020304);
    /* Unaligned accesses compose the same way. */
    g_assert_cmphex(qtc_readl(p, 0x3103), ==, 0x02030405);
    qtc_writeq(p, 0x3201, UINT64_C(0x8877665544332211));
    qtc_memread(p, 0x3201, buf, sizeof(buf));
    for (unsigned i = 0; i < 8; i++) {
        g_assert_cmphex(buf[i], ==, 0x11 * (i + 1));
    }
}

static void test_mem_read_write_hex(void)
{
    g_autoptr(QtcProcess) p = qtc_start("-S");
    uint8_t data[300], back[300];

    for (size_t i = 0; i < sizeof(data); i++) {
        data[i] = (uint8_t)(i * 7 + 3);
    }
    qtc_memwrite(p, 0x4000, data, sizeof(data));
    qtc_memread(p, 0x4000, back, sizeof(back));
    g_assert_cmpmem(data, sizeof(data), back, sizeof(back));
    g_assert_cmphex(qtc_readb(p, 0x4000 + 299), ==, data[299]);

    qtc_writel(p, 0x4400, 0xffffffff);
    assert_reply(p, "write 0x4400 4 0x12", "OK");
    /* Short data is zero-filled to the stated size, as in QEMU. */
    assert_reply(p, "read 0x4400 4", "OK 0x12000000");
    assert_reply(p, "write 0x4400 0x2 0xAbCd", "OK");
    assert_reply(p, "read 0x4400 0x4", "OK 0xabcd0000");
}

static void test_mem_b64(void)
{
    g_autoptr(QtcProcess) p = qtc_start("-S");
    uint8_t data[1000], back[1000];

    for (size_t i = 0; i < sizeof(data); i++) {
        data[i] = (uint8_t)g_test_rand_int();
    }
    qtc_b64write(p, 0x5000, data, sizeof(data));
    qtc_b64read(p, 0x5000, back, sizeof(back));
    g_assert_cmpmem(data, sizeof(data), back, sizeof(back));
    /* Both encodings address the same memory. */
    qtc_memread(p, 0x5000, back, sizeof(back));
    g_assert_cmpmem(data, sizeof(data), back, sizeof(back));

    qtc_writel(p, 0x5800, 0x00000099);
    assert_reply(p, "b64read 0x5800 4", "OK mQAAAA==");
    assert_reply(p, "b64write 0x5800 3 AQID", "OK");
    g_assert_cmphex(qtc_readl(p, 0x5800), ==, 0x00030201);
}

static void test_mem_memset(void)
{
    g_autoptr(QtcProcess) p = qtc_start("-S");
    uint8_t buf[0x102];

    qtc_memset(p, 0x6000, 0xa5, 0x100);
    qtc_memread(p, 0x5fff, buf, sizeof(buf));
    g_assert_cmphex(buf[0], ==, 0);
    for (size_t i = 1; i <= 0x100; i++) {
        g_assert_cmphex(buf[i], ==, 0xa5);
    }
    g_assert_cmphex(buf[0x101], ==, 0);
    /* Size 0 is accepted and touches nothing. */
    assert_reply(p, "memset 0x6000 0 0x11", "OK");
    g_assert_cmphex(qtc_readb(p, 0x6000), ==, 0xa5);
    assert_reply(p, "memset 0x6000 2 0x11", "OK");
    g_assert_cmphex(qtc_readl(p, 0x6000), ==, 0xa5a51111);
}

static void test_mem_unassigned(void)
{
    /* -m 64: RAM ends at 0x4000000. */
    g_autoptr(QtcProcess) p = qtc_start("-S -m 64");

    qtc_writeb(p, 0x3ffffff, 0x77);
    g_assert_cmphex(qtc_readb(p, 0x3ffffff), ==, 0x77);
    /* Unassigned memory reads 0 on QEMU 7.2 and drops writes. */
    assert_reply(p, "readq 0x4000000", "OK 0x0000000000000000");
    qtc_writel(p, 0x4000000, 0x12345678);
    g_assert_cmphex(qtc_readl(p, 0x4000000), ==, 0);
    /* An access straddling the end of RAM keeps the RAM half. */
    qtc_writel(p, 0x3fffffe, 0xaabbccdd);
    g_assert_cmphex(qtc_readl(p, 0x3fffffe), ==, 0x0000ccdd);
}

static void test_mem_above_4g(void)
{
    g_autoptr(QtcProcess) p = qtc_start("-S -m 5G");
    g_autoptr(QtcProcess) p2 = qtc_start("-S -m 5G "
                                         "-machine pc,max-ram-below-4g=2G");
    uint8_t data[16] = "above-4g-memory", back[16];

    /*
     * QEMU 7.2 pc_piix.c: at most 3.5 GiB stay below 4 GiB, cut to 3 GiB
     * for gigabyte alignment when RAM does not fit (checked against
     * qemu-system-x86_64 7.2): RAM at [0, 3 GiB) and [4 GiB, 6 GiB).
     */
    qtc_writeq(p, 4 * GIB, UINT64_C(0x1122334455667788));
    g_assert_cmphex(qtc_readq(p, 4 * GIB), ==, UINT64_C(0x1122334455667788));
    qtc_memwrite(p, 4 * GIB + 0x1000, data, sizeof(data));
    qtc_b64read(p, 4 * GIB + 0x1000, back, sizeof(back));
    g_assert_cmpmem(data, sizeof(data), back, sizeof(back));
    qtc_writeb(p, 6 * GIB - 1, 0x5a);
    g_assert_cmphex(qtc_readb(p, 6 * GIB - 1), ==, 0x5a);
    g_assert_cmphex(qtc_readb(p, 6 * GIB), ==, 0);
    qtc_writeb(p, 3 * GIB - 1, 0x66);
    g_assert_cmphex(qtc_readb(p, 3 * GIB - 1), ==, 0x66);
    /* The PCI hole, 0xe0000000 up included. Its top (firmware, 0xfffe0000
     * up) is left out: the BIOS will be mapped there. */
    for (uint64_t a = 3 * GIB; a < 0xfff00000; a += 0x1000000) {
        qtc_writel(p, a, 0xffffffff);
        g_assert_cmphex(qtc_readl(p, a), ==, 0);
    }
    assert_reply(p, "readb 0xe0000000", "OK 0x0000000000000000");
    /* RAM below did not move into the hole, nor alias above 4 GiB. */
    g_assert_cmphex(qtc_readb(p, 3 * GIB - 1), ==, 0x66);
    g_assert_cmphex(qtc_readq(p, 4 * GIB), ==, UINT64_C(0x1122334455667788));

    /* max-ram-below-4g (libxl's mmio_hole) moves the split down. */
    qtc_writeb(p2, 2 * GIB - 1, 0x77);
    g_assert_cmphex(qtc_readb(p2, 2 * GIB - 1), ==, 0x77);
    qtc_writeb(p2, 2 * GIB, 0x77);
    g_assert_cmphex(qtc_readb(p2, 2 * GIB), ==, 0);
    qtc_writeb(p2, 7 * GIB - 1, 0x77);
    g_assert_cmphex(qtc_readb(p2, 7 * GIB - 1), ==, 0x77);
}

static void test_clock(void)
{
    g_autoptr(QtcProcess) p = qtc_start("%s", "");
    int64_t t0 = qtc_clock_step(p, 0), t1, t2;

    /* Under qtest the test alone moves virtual time. */
    g_usleep(20000);
    g_assert_cmpint(qtc_clock_step(p, 0), ==, t0);
    g_assert_cmpint(qtc_clock_step(p, 100), ==, t0 + 100);
    /*
     * Without an argument: to the next timer deadline (the PIT's, once
     * the board has one), or nowhere when none is pending. Either way
     * never back, and the reply is the clock's new value.
     */
    t1 = qtc_clock_step_next(p);
    g_assert_cmpint(t1, >=, t0 + 100);
    g_assert_cmpint(qtc_clock_step(p, 0), ==, t1);
    t2 = qtc_clock_step_next(p);
    g_assert_cmpint(t2, >=, t1);
    g_assert_cmpint(qtc_clock_set(p, t2 + 1000000), ==, t2 + 1000000);
    /* Never backwards: the reply is the unchanged time. */
    g_assert_cmpint(qtc_clock_set(p, t2 + 5), ==, t2 + 1000000);
    g_assert_cmpint(qtc_clock_set(p, 0), ==, t2 + 1000000);
    {
        g_autofree char *line = g_strdup_printf("OK %" PRIi64,
                                                t2 + 1000001);
        assert_reply(p, "clock_step 1", line);
    }
    assert_fail(p, "clock_step -1");
    assert_fail(p, "clock_step x");
    assert_fail(p, "clock_set");
    assert_fail(p, "clock_set 1 2");
    g_assert_cmpint(qtc_clock_step(p, 0), ==, t2 + 1000001);
}

static void test_misc_commands(void)
{
    g_autoptr(QtcProcess) p = qtc_start("-S");

    assert_reply(p, "endianness", "OK little");
    /* libqtest's name for the interrupt sink is "ioapic". */
    assert_reply(p, "irq_intercept_in ioapic", "OK");
    assert_reply(p, "irq_intercept_out ioapic", "OK");
    assert_fail(p, "irq_intercept_in /machine/nosuch");
    assert_fail(p, "irq_intercept_in");
    assert_reply(p, "x", "FAIL Unknown command 'x'");
    assert_reply(p, "outbx 0x80 1", "FAIL Unknown command 'outbx'");
    /* Nothing raised an interrupt. */
    g_assert_cmpuint(qtc_irq_log(p)->len, ==, 0);
}

static void test_bad_arguments(void)
{
    static const char *const bad[] = {
        "", "outb", "outb 0x80", "outb 0x80 zz", "outb 0x80 1 2",
        "inb", "inb -1", "inw 0x80 1", "inl 0x8g", "readb", "readq zz",
        "readl 0x1000 4", "writeb 0x1000", "writew 0x1000 x",
        "writeq 0x1000 1 2", "read", "read 0x1000", "read 0x1000 0",
        "read 0x1000 x", "read 0x1000 0x2000000", "write 0x1000 4",
        "write 0x1000 4 zz", "write 0x1000 4 0x", "write 0x1000 4 0xzz00",
        "b64read 0x1000", "b64write 0x1000 4", "memset 0x1000 4",
        "memset 0x1000 4 x", "memset 0x1000 0x2000000 0",
        "writeb 99999999999999999999 1",
    };
    g_autoptr(QtcProcess) p = qtc_start("-S");

    qtc_writel(p, 0x1000, 0xcafef00d);
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        assert_fail(p, bad[i]);
    }
    /* None of them wrote anything. */
    g_assert_cmphex(qtc_readl(p, 0x1000), ==, 0xcafef00d);
}

static void test_log(void)
{
    g_autoptr(QtcProcess) p = qtc_new();
    g_autofree char *log = qtc_path(p, "qtest.log");
    g_autofree char *text = NULL;
    g_autoptr(GError) err = NULL;
    const char *extra[] = { "-S", "-qtest-log", log, NULL };
    bool recv = false, sent = false;
    g_auto(GStrv) lines = NULL;

    /* The later -qtest-log replaces libqtest's /dev/null. */
    g_assert_true(qtc_launch(p, NULL, extra, &err));
    g_assert_no_error(err);
    assert_reply(p, "endianness", "OK little");
    g_assert_true(g_file_get_contents(log, &text, NULL, NULL));
    lines = g_strsplit(text, "\n", 0);
    for (guint i = 0; lines[i]; i++) {
        recv |= g_str_has_prefix(lines[i], "[R +") &&
                g_str_has_suffix(lines[i], "] endianness");
        sent |= g_str_has_prefix(lines[i], "[S +") &&
                g_str_has_suffix(lines[i], "] OK little");
    }
    if (!recv || !sent) {
        g_error("qtest log lacks the exchange:\n%s", text);
    }
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/qtest/io/unassigned", test_io_unassigned);
    g_test_add_func("/qtest/mem/widths", test_mem_widths);
    g_test_add_func("/qtest/mem/little-endian", test_mem_little_endian);
    g_test_add_func("/qtest/mem/read-write-hex", test_mem_read_write_hex);
    g_test_add_func("/qtest/mem/b64", test_mem_b64);
    g_test_add_func("/qtest/mem/memset", test_mem_memset);
    g_test_add_func("/qtest/mem/unassigned", test_mem_unassigned);
    g_test_add_func("/qtest/mem/above-4g", test_mem_above_4g);
    g_test_add_func("/qtest/clock", test_clock);
    g_test_add_func("/qtest/misc-commands", test_misc_commands);
    g_test_add_func("/qtest/bad-arguments", test_bad_arguments);
    g_test_add_func("/qtest/log", test_log);
    return g_test_run();
}
