/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Machine-type compat: the table's flags per type, every machine type's
 * own stream saved, loaded and read back register by register, and the
 * qemu-kvm 1.0 variant built from the state tables.
 */
#include "test-save.h"

#include "dm/machine-compat.h"
#include "dm/machine-types.h"
#include "dm/options.h"
#include "hw/i8254.h"
#include "save/machine-state.h"

#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define PMBA 0xb000
#define SMBBA 0xb100

/* Every type stubdm answers to (dm/machine-types.c), oldest last. */
static const char *const all_types[] = {
    "pc-i440fx-7.2", "pc-i440fx-7.1", "pc-i440fx-7.0", "pc-i440fx-6.2",
    "pc-i440fx-6.1", "pc-i440fx-6.0", "pc-i440fx-5.2", "pc-i440fx-5.1",
    "pc-i440fx-5.0", "pc-i440fx-4.2", "pc-i440fx-4.1", "pc-i440fx-4.0",
    "pc-i440fx-3.1", "pc-i440fx-3.0", "pc-i440fx-2.12", "pc-i440fx-2.11",
    "pc-i440fx-2.10", "pc-i440fx-2.9", "pc-i440fx-2.8", "pc-i440fx-2.7",
    "pc-i440fx-2.6", "pc-i440fx-2.5", "pc-i440fx-2.4", "pc-i440fx-2.3",
    "pc-i440fx-2.2", "pc-i440fx-2.1", "pc-i440fx-2.0", "pc-i440fx-1.7",
    "pc-i440fx-1.6", "pc-i440fx-1.5", "pc-i440fx-1.4", "pc-1.0",
    "xenfv-4.2", "xenfv-3.1",
};

static void test_table(void)
{
    DmCompat c = dm_compat_for("pc", false, false);

    g_assert_true(c.configuration && c.pcihost_config_reg &&
                  c.pcspk_migrate && c.piix4_smbus_migrate &&
                  c.piix4_bridge_hotplug && c.piix4_acpi_index &&
                  c.piix4_memhp && c.piix4_acpi_only && !c.suppress_vmdesc);
    g_assert_cmpstr(c.default_bios, ==, "bios-256k.bin");
    /* Each row at its boundary: the type named has it, the next not. */
    g_assert_true(dm_compat_for("pc-i440fx-7.0", 0, 0).piix4_acpi_index);
    g_assert_false(dm_compat_for("pc-i440fx-6.2", 0, 0).piix4_acpi_index);
    g_assert_true(dm_compat_for("pc-i440fx-6.0", 0, 0).piix4_acpi_only);
    g_assert_false(dm_compat_for("pc-i440fx-5.2", 0, 0).piix4_acpi_only);
    g_assert_true(dm_compat_for("pc-i440fx-5.1", 0, 0).pcihost_config_reg);
    g_assert_false(dm_compat_for("pc-i440fx-5.0", 0, 0).pcihost_config_reg);
    g_assert_true(dm_compat_for("pc-i440fx-4.0", 0, 0).piix4_smbus_migrate);
    g_assert_false(dm_compat_for("pc-i440fx-3.1", 0, 0).piix4_smbus_migrate);
    g_assert_false(dm_compat_for("xenfv", 0, 0).piix4_smbus_migrate);
    g_assert_true(dm_compat_for("xenfv-4.2", 0, 0).piix4_smbus_migrate);
    g_assert_true(dm_compat_for("pc-i440fx-2.8", 0, 0).pcspk_migrate);
    g_assert_false(dm_compat_for("pc-i440fx-2.7", 0, 0).pcspk_migrate);
    g_assert_true(dm_compat_for("pc-i440fx-2.4", 0, 0).configuration);
    g_assert_false(dm_compat_for("pc-i440fx-2.3", 0, 0).configuration);
    g_assert_false(dm_compat_for("pc-i440fx-2.3", 0, 0).suppress_vmdesc);
    g_assert_true(dm_compat_for("pc-i440fx-2.2", 0, 0).suppress_vmdesc);
    g_assert_true(dm_compat_for("pc-i440fx-2.0", 0, 0).suppress_vmdesc);
    g_assert_false(dm_compat_for("pc-i440fx-1.7", 0, 0).suppress_vmdesc);
    g_assert_true(dm_compat_for("pc-i440fx-2.1", 0, 0).piix4_memhp);
    g_assert_false(dm_compat_for("pc-i440fx-2.0", 0, 0).piix4_memhp);
    g_assert_true(dm_compat_for("pc-i440fx-2.0", 0, 0).piix4_bridge_hotplug);
    g_assert_false(dm_compat_for("pc-i440fx-1.7", 0, 0).piix4_bridge_hotplug);
    g_assert_cmpstr(dm_compat_for("pc-i440fx-2.0", 0, 0).default_bios, ==,
                    "bios-256k.bin");
    g_assert_cmpstr(dm_compat_for("pc-i440fx-1.7", 0, 0).default_bios, ==,
                    "bios.bin");
    g_assert_cmpstr(dm_compat_for("pc-1.0", 0, 0).default_bios, ==,
                    "bios.bin");
    /* Xen: QEMU's accelerator compat on top of the type's. */
    c = dm_compat_for("pc-i440fx-7.2", true, false);
    g_assert_false(c.configuration || c.piix4_bridge_hotplug);
    g_assert_true(c.piix4_acpi_index && c.pcihost_config_reg);
    /* The qemu-kvm layouts apply only with the option. */
    c = dm_compat_for("pc-1.0", false, true);
    g_assert_cmpint(dm_compat_layout_version(&c, "i8254", 2), ==, 3);
    g_assert_cmpint(dm_compat_layout_version(&c, "piix4_pm", 2), ==, 3);
    g_assert_cmpint(dm_compat_layout_version(&c, "piix4_pm", 3), ==, 3);
    g_assert_cmpint(dm_compat_layout_version(&c, "PIIX3", 2), ==, 2);
    g_assert_null(dm_compat_dialect_hint(&c, "i8254", 2));
    c = dm_compat_for("pc-1.0", false, false);
    g_assert_cmpint(dm_compat_layout_version(&c, "i8254", 2), ==, 2);
    g_assert_nonnull(strstr(dm_compat_dialect_hint(&c, "piix4_pm", 2),
                            "pc-1.0,qemu-kvm-migration=on"));
    g_assert_null(dm_compat_dialect_hint(&c, "i8254", 3));
}

static void cfg_write(DmMachine *m, unsigned devfn, unsigned reg,
                      uint32_t val, unsigned len)
{
    dm_space_write(m->io, 0xcf8, 0x80000000u | devfn << 8 | (reg & 0xfc), 4);
    dm_space_write(m->io, 0xcfc + (reg & 3), val, len);
}

/* Guest-visible state a type-agnostic guest leaves behind. */
static void program(DmMachine *m)
{
    static const struct { uint16_t port; uint8_t val; } io[] = {
        { 0x43, 0x34 }, { 0x40, 0x9c }, { 0x40, 0x2e },   /* PIT ch0 */
        { 0x43, 0xb6 }, { 0x42, 0x33 }, { 0x42, 0x12 },   /* PIT ch2 */
        { 0x43, 0x70 }, { 0x41, 0x05 },   /* ch1: first byte of two */
        { 0x43, 0x00 },                   /* ch0 latched, not read */
        { 0x61, 0x01 },                   /* ch2 gate */
        { 0x70, 0x10 }, { 0x71, 0x42 }, { 0x70, 0x2e }, { 0x71, 0x99 },
        { 0x70, 0x0b }, { 0x71, 0x02 },   /* RTC reg B: 24 h */
        { 0x92, 0x02 },                   /* A20 */
        { 0xb3, 0x55 },                   /* APM status */
    };

    cfg_write(m, 0x00, 0x59, 0x30, 1);           /* PAM0 */
    cfg_write(m, 0x00, 0x5a, 0x33, 1);           /* PAM1 */
    cfg_write(m, 0x00, 0x72, 0x02, 1);           /* SMRAM */
    cfg_write(m, 0x08, 0x60, 0x0b, 1);           /* PIRQA */
    cfg_write(m, 0x08, 0x63, 0x05, 1);           /* PIRQD */
    cfg_write(m, 0x08, 0x04, 0x0007, 2);
    cfg_write(m, 0x0b, 0x40, PMBA | 1, 4);
    cfg_write(m, 0x0b, 0x80, 0x01, 1);
    cfg_write(m, 0x0b, 0x90, SMBBA | 1, 4);
    cfg_write(m, 0x0b, 0xd2, 0x09, 1);
    cfg_write(m, 0x0b, 0x3c, 0x09, 1);
    for (size_t i = 0; i < G_N_ELEMENTS(io); i++) {
        dm_space_write(m->io, io[i].port, io[i].val, 1);
    }
    dm_space_write(m->io, PMBA + 2, 0x0121, 2);  /* PM1_EN */
    dm_space_write(m->io, PMBA + 4, 0x0001, 2);  /* PM1_CNT: SCI_EN */
    dm_space_write(m->io, 0xafe2, 0x0f, 1);      /* GPE0 enable */
    dm_space_write(m->io, SMBBA + 3, 0x5a, 1);   /* SMBus command */
    dm_space_write(m->io, SMBBA + 4, 0xa1, 1);   /* SMBus address */
}

/* Reads every register this test programs, as bytes, side effects alike. */
static GByteArray *read_back(DmMachine *m)
{
    GByteArray *b = g_byte_array_new();
    static const uint8_t fns[] = { 0x00, 0x08, 0x0b };
    static const uint8_t cmos[] = { 0x0a, 0x0b, 0x0d, 0x10, 0x2e, 0x32 };

    for (size_t f = 0; f < G_N_ELEMENTS(fns); f++) {
        for (unsigned reg = 0; reg < 256; reg += 4) {
            uint32_t v;
            dm_space_write(m->io, 0xcf8, 0x80000000u | fns[f] << 8 | reg, 4);
            v = (uint32_t)dm_space_read(m->io, 0xcfc, 4);
            g_byte_array_append(b, (uint8_t *)&v, 4);
        }
    }
    for (size_t i = 0; i < G_N_ELEMENTS(cmos); i++) {
        uint8_t v;
        dm_space_write(m->io, 0x70, cmos[i], 1);
        v = (uint8_t)dm_space_read(m->io, 0x71, 1);
        g_byte_array_append(b, &v, 1);
    }
    static const uint16_t ports[] = {
        0x40, 0x40, 0x61, 0x92, 0xb2, 0xb3, PMBA, PMBA + 2, PMBA + 4,
        0xafe0, 0xafe2,
    };
    static const uint16_t smbus[] = { SMBBA + 3, SMBBA + 4 };

    /* PIT: status of each channel by read-back, then ch0's latch. */
    for (unsigned ch = 0; ch < 3; ch++) {
        uint8_t v;
        dm_space_write(m->io, 0x43, 0xe0 | 2u << ch, 1);
        v = (uint8_t)dm_space_read(m->io, 0x40 + ch, 1);
        g_byte_array_append(b, &v, 1);
    }
    for (size_t i = 0; i < G_N_ELEMENTS(ports); i++) {
        uint8_t v = (uint8_t)dm_space_read(m->io, ports[i], 1);
        g_byte_array_append(b, &v, 1);
    }
    /* Types up to 3.1 do not migrate the SMBus host: QEMU loses it too. */
    for (size_t i = 0; m->compat.piix4_smbus_migrate &&
                       i < G_N_ELEMENTS(smbus); i++) {
        uint8_t v = (uint8_t)dm_space_read(m->io, smbus[i], 1);
        g_byte_array_append(b, &v, 1);
    }
    return b;
}

static GByteArray *save(DmMachine *m, const SaveFormat *f)
{
    g_autoptr(GError) err = NULL;
    GByteArray *b = g_byte_array_new();
    int fd = memfd_create("stream", MFD_CLOEXEC);
    uint8_t buf[4096];
    ssize_t n;

    g_assert_cmpint(fd, >=, 0);
    g_assert_true(save_machine_state(m, fd, f, &err));
    g_assert_no_error(err);
    g_assert_cmpint(lseek(fd, 0, SEEK_SET), ==, 0);
    while ((n = read(fd, buf, sizeof(buf))) > 0) {
        g_byte_array_append(b, buf, (guint)n);
    }
    close(fd);
    return b;
}

static gboolean load(DmMachine *m, const GByteArray *b, GError **errp)
{
    int fd = memfd_create("stream", MFD_CLOEXEC);
    gboolean ok;

    g_assert_cmpint(fd, >=, 0);
    g_assert_cmpint(write(fd, b->data, b->len), ==, (ssize_t)b->len);
    g_assert_cmpint(lseek(fd, 0, SEEK_SET), ==, 0);
    ok = load_machine_state(m, fd, NULL, errp);
    close(fd);
    return ok;
}

/* Names the first differing byte, for a readable failure. */
static void assert_same(const char *what, const GByteArray *got,
                        const GByteArray *want)
{
    guint n = MIN(got->len, want->len);

    for (guint i = 0; i < n; i++) {
        if (got->data[i] != want->data[i]) {
            g_error("%s: byte %u is 0x%02x, expected 0x%02x", what, i,
                    got->data[i], want->data[i]);
        }
    }
    if (got->len != want->len) {
        g_error("%s: %u bytes, expected %u", what, got->len, want->len);
    }
}

/* Where a section's header is: its counted idstr, then instance, version. */
static const uint8_t *find_section(const GByteArray *b, const char *idstr)
{
    size_t n = strlen(idstr);
    g_autofree uint8_t *key = g_malloc(n + 1);

    key[0] = (uint8_t)n;
    memcpy(key + 1, idstr, n);
    return memmem(b->data, b->len, key, n + 1);
}

static uint32_t be32_at(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | p[1] << 16 | p[2] << 8 | p[3];
}

/* The version field of idstr's section header, for relabelling. */
static uint8_t *section_version(GByteArray *b, const char *idstr)
{
    uint8_t *p = (uint8_t *)find_section(b, idstr);

    g_assert_nonnull(p);
    return p + 1 + strlen(idstr) + 4;
}

/*
 * Each type: a programmed machine saves; a fresh machine of the same
 * type loads it, reads back the same, and saves the same bytes again;
 * the sections the compat table turns on or off are there or not.
 */
static void test_each_type(void)
{
    for (size_t i = 0; i < G_N_ELEMENTS(all_types); i++) {
        const char *type = all_types[i];
        g_autoptr(GError) err = NULL;
        DmMachine *src = test_save_machine_new(type, false, false);
        DmMachine *dst = test_save_machine_new(type, false, false);
        SaveFormat f = save_format_for_migrate(src);
        DmCompat c = src->compat;
        g_autoptr(GByteArray) stream = NULL;
        g_autoptr(GByteArray) again = NULL;
        g_autoptr(GByteArray) want = NULL;
        g_autoptr(GByteArray) got = NULL;

        f.ram = false;
        program(src);
        stream = save(src, &f);
        want = read_back(src);
        g_test_message("%s: %u bytes", type, stream->len);
        if (!load(dst, stream, &err)) {
            g_error("%s: %s", type, err->message);
        }
        /* Before reading back: reads move latches and flags. */
        again = save(dst, &f);
        assert_same(type, again, stream);
        got = read_back(dst);
        assert_same(type, got, want);

        g_assert_true((find_section(stream, "pcspk") != NULL) ==
                      c.pcspk_migrate);
        g_assert_true((find_section(stream, "PCIHost") != NULL) ==
                      c.pcihost_config_reg);
        g_assert_true((find_section(stream, "piix4_pm/memhp") != NULL) ==
                      c.piix4_memhp);
        g_assert_true((stream->data[8] == 0x07) == f.configuration);
        g_assert_true(f.configuration ==
                      (c.configuration && !g_str_has_prefix(type, "xenfv")));
        dm_machine_free(src);
        dm_machine_free(dst);
    }
}

static I8254 *pit(DmMachine *m)
{
    I8254 *s = dm_machine_find_device(m, "i8254");

    g_assert_nonnull(s);
    return s;
}

/*
 * qemu-kvm 1.0's stream, built from the tables: stubdm's pc-1.0 sections
 * at version 3 (for piix4_pm the layout without SMBus, bridge hotplug,
 * acpi_index and memhp: 312 bytes) relabelled version 2, as qemu-kvm
 * wrote them.
 */
static void test_qemu_kvm(void)
{
    g_autoptr(GError) err = NULL;
    DmMachine *src = test_save_machine_new("pc-1.0", false, false);
    DmMachine *kvm = test_save_machine_new("pc-1.0", false, true);
    DmMachine *plain = test_save_machine_new("pc-1.0", false, false);
    SaveFormat f = save_format_for_migrate(src);
    g_autoptr(GByteArray) stream = NULL;
    g_autoptr(GByteArray) want = NULL;
    g_autoptr(GByteArray) got = NULL;
    g_autoptr(GByteArray) before = NULL;
    g_autoptr(GByteArray) after = NULL;
    g_autoptr(GByteArray) upstream = NULL;
    uint8_t *v;

    g_assert_false(f.configuration || f.footers);
    f.ram = false;
    before = save(plain, &f);
    program(src);
    pit(src)->irq_disabled = 1;
    stream = save(src, &f);
    want = read_back(src);
    v = section_version(stream, "i8254");
    g_assert_cmpuint(be32_at(v), ==, 3);
    v[3] = 2;
    v = section_version(stream, "0000:00:01.3/piix4_pm");
    g_assert_cmpuint(be32_at(v), ==, 3);
    v[3] = 2;

    /* With the option: every register as the source had it. */
    if (!load(kvm, stream, &err)) {
        g_error("qemu-kvm stream: %s", err->message);
    }
    got = read_back(kvm);
    assert_same("qemu-kvm", got, want);
    g_assert_cmpuint(pit(kvm)->irq_disabled, ==, 1);

    /* Without it: refused, the option named, nothing changed. */
    g_assert_false(load(plain, stream, &err));
    g_test_message("refusal: %s", err->message);
    g_assert_nonnull(strstr(err->message, "-machine "
                            "pc-1.0,qemu-kvm-migration=on"));
    g_assert_nonnull(strstr(err->message, "version 2"));
    after = save(plain, &f);
    assert_same("refused load", after, before);
    g_clear_error(&err);

    /*
     * Upstream's own version-2 i8254 (no irq_disabled word, 104 bytes)
     * loads without the option; with it, the bytes cannot be told apart
     * from qemu-kvm's and are misread, so the stream is refused.
     */
    upstream = g_byte_array_new();
    v = section_version(stream, "i8254") + 4;
    g_byte_array_append(upstream, stream->data, (guint)(v - stream->data));
    g_byte_array_append(upstream, v + 4,
                        (guint)(stream->len - (size_t)(v + 4 - stream->data)));
    v = section_version(upstream, "0000:00:01.3/piix4_pm");
    v[3] = 3;
    g_clear_pointer(&after, g_byte_array_unref);
    g_assert_true(load(plain, upstream, &err));
    g_assert_no_error(err);
    after = read_back(plain);
    g_assert_cmpmem(after->data, after->len, want->data, want->len);
    g_assert_cmpuint(pit(plain)->irq_disabled, ==, 0);
    dm_machine_free(kvm);
    kvm = test_save_machine_new("pc-1.0", false, true);
    g_assert_false(load(kvm, upstream, &err));
    g_test_message("upstream v2 with the option: %s", err->message);

    dm_machine_free(src);
    dm_machine_free(kvm);
    dm_machine_free(plain);
}

static void test_option(void)
{
    static const char *const bad[] = {
        "stubdm", "-accel", "qtest",
        "-machine", "pc-i440fx-1.4,qemu-kvm-migration=on", NULL,
    };
    static const char *const good[] = {
        "stubdm", "-accel", "qtest",
        "-machine", "pc-1.0,qemu-kvm-migration=on", NULL,
    };
    g_autoptr(GError) err = NULL;
    DmOptions *o = dm_options_new();

    g_assert_false(dm_options_parse(o, 5, (char **)bad, &err));
    g_assert_nonnull(strstr(err->message, "qemu-kvm-migration=on"));
    g_assert_nonnull(strstr(err->message, "pc-1.0"));
    g_assert_nonnull(strstr(err->message, "pc-i440fx-1.4"));
    dm_options_free(o);
    o = dm_options_new();
    g_assert_true(dm_options_parse(o, 5, (char **)good, NULL));
    g_assert_true(o->qemu_kvm_migration);
    g_assert_cmpstr(o->machine_type, ==, "pc-1.0");
    dm_options_free(o);
}

void test_compat_register(void)
{
    g_test_add_func("/save/compat/table", test_table);
    g_test_add_func("/save/compat/each-type", test_each_type);
    g_test_add_func("/save/compat/qemu-kvm-1.0", test_qemu_kvm);
    g_test_add_func("/save/compat/option", test_option);
}
