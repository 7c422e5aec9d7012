/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * save/foreign/ against qemu-stream.md Appendix A sizes, hand-written bytes
 * and every such section of QEMU 7.2's reference streams, read and rewritten.
 */
#include "test-save.h"
#include "samples.h"

#include "hw/pci.h"
#include "save/codec.h"
#include "save/foreign/foreign.h"

#include <string.h>

/* Every idstr Appendix A and 4.4 name, as QEMU 7.2 writes it. */
static const char *const appendix_a[] = {
    "cpu_common", "cpu", "apic", "kvm-tpr-opt", "fw_cfg", "dma",
    "i8259", "ioapic", "hpet", "fdc", "ps2kbd", "ps2mouse",
    "pckbd", "vmmouse", "0000:00:01.1/ide", "i2c_bus", "smbus-eeprom",
    "acpi_build", "0000:00:02.0/vga",
    "0000:00:02.0/cirrus_vga", NULL,
};

static void test_lookup(void)
{
    size_t size = 0;

    for (const char *const *n = appendix_a; *n; n++) {
        g_assert_nonnull(save_foreign_find(*n, &size));
        g_assert_cmpuint(size, >, 0);
    }
    /* PCI functions match by their last part, at any path, or bare. */
    g_assert_true(save_foreign_find("0000:00:03.0/ide", NULL) ==
                  save_foreign_find("ide", NULL));
    g_assert_true(save_foreign_find("0000:00:02.0/vga", NULL) !=
                  save_foreign_find("0000:00:02.0/cirrus_vga", NULL));
    /* Others need the exact idstr. */
    g_assert_null(save_foreign_find("0000:00:04.0/cpu", &size));
    g_assert_cmpuint(size, ==, 0);
    g_assert_null(save_foreign_find("cpu/avx512", NULL));
    g_assert_null(save_foreign_find("CPU", NULL));
    /* Devices stubdm emulates have their own tables in hw/. */
    g_assert_null(save_foreign_find("i8254", NULL));
    g_assert_null(save_foreign_find("PCIHost", NULL));
    g_assert_null(save_foreign_find("0000:00:00.0/I440FX", NULL));
    g_assert_null(save_foreign_find("0000:00:01.3/piix4_pm", NULL));
}

static size_t wire_size(const char *idstr, int version)
{
    const SaveSection *s = save_foreign_find(idstr, NULL);
    g_autofree void *scratch = save_foreign_scratch_new(s, NULL);

    return save_section_wire_size(s, scratch, version);
}

/* Field bytes at reset, without subsections (qemu-stream.md A, 4.4). */
static void test_sizes(void)
{
    static const struct {
        const char *idstr;
        int version;
        size_t bytes;
    } sizes[] = {
        { "cpu_common", 1, 8 },
        { "cpu", 12, 1817 },          /* 1851 with poll_control_msr */
        { "cpu", 11, 1545 },          /* no xcr0, xstate_bv, YMMH */
        { "apic", 3, 181 },
        { "kvm-tpr-opt", 1, 144 },
        { "fw_cfg", 2, 6 },
        { "fw_cfg", 1, 4 },           /* 16-bit cur_offset */
        { "dma", 1, 75 },
        { "i8259", 1, 16 },
        { "ioapic", 3, 206 },
        { "ioapic", 1, 194 },         /* no unused 8, no irr */
        { "hpet", 2, 151 },           /* 3 timers from the local count */
        { "hpet", 1, 150 },           /* no count byte */
        { "fdc", 2, 545 },            /* 593 with two media_rate */
        { "ps2kbd", 3, 284 },
        { "ps2kbd", 2, 280 },
        { "ps2mouse", 2, 291 },
        { "pckbd", 3, 4 },
        { "vmmouse", 0, 4105 },
        { "ide", 3, 430 },            /* no drive has identify data */
        { "ide", 2, 318 },            /* no drives */
        { "ide", 0, 314 },            /* no buses either */
        { "i2c_bus", 1, 1 },
        { "smbus-eeprom", 1, 301 },
        { "acpi_build", 1, 1 },
        { "vga", 2, 1407 },
        { "cirrus_vga", 2, 1870 },
    };

    for (size_t i = 0; i < G_N_ELEMENTS(sizes); i++) {
        g_test_message("%s v%d", sizes[i].idstr, sizes[i].version);
        g_assert_cmpuint(wire_size(sizes[i].idstr, sizes[i].version), ==,
                         sizes[i].bytes);
    }
}

/* Decodes bytes at version: must take them all; then writes them back. */
static void round_trip(const char *idstr, const char *machine, int version,
                       const uint8_t *bytes, size_t len)
{
    const SaveSection *s = save_foreign_find(idstr, NULL);
    g_autofree void *scratch = save_foreign_scratch_new(s, machine);
    g_autoptr(GByteArray) out = g_byte_array_new();
    g_autoptr(GError) err = NULL;
    SaveReader r = { .data = bytes, .len = len };

    g_assert_nonnull(s);
    if (!save_decode(s, scratch, version, &r, SAVE_DECODE_CHECK, &err)) {
        g_error("%s v%d: %s", idstr, version, err->message);
    }
    g_assert_cmpuint(r.pos, ==, len);
    /* Writing needs the current version, as QEMU always writes it. */
    if (version == s->version) {
        g_assert_true(save_encode(s, scratch, out, NULL));
        g_assert_cmpmem(out->data, out->len, bytes, len);
    }
}

/*
 * PCIBUS (hw/pci.c): the count just read sizes the array. Another line
 * count than this bus's (4 on a PC, 128 for PIIX3-xen) loads only when
 * no line is asserted.
 */
static void pcibus_load(int32_t lines, const uint8_t *bytes, size_t len,
                        const char *want_error)
{
    g_autofree PciBus *bus = g_new0(PciBus, 1);
    g_autoptr(GByteArray) out = g_byte_array_new();
    g_autoptr(GError) err = NULL;
    SaveReader r = { .data = bytes, .len = len, .origin = 0x9a9 };

    bus->lines = lines;
    if (!want_error) {
        g_assert_true(save_decode(&pci_bus_section, bus, 1, &r,
                                  SAVE_DECODE_APPLY, &err));
        g_assert_cmpuint(r.pos, ==, len);
        g_assert_true(save_encode(&pci_bus_section, bus, out, NULL));
        if (bytes[3] == lines) {
            g_assert_cmpmem(out->data, out->len, bytes, len);
        } else {
            /* Idle lines of another bus: this one's, all idle, go out. */
            g_assert_cmpuint(out->len, ==, 4 + 4 * lines);
            g_assert_cmpuint(out->data[3], ==, lines);
            for (guint i = 4; i < out->len; i++) {
                g_assert_cmpuint(out->data[i], ==, 0);
            }
        }
        return;
    }
    g_assert_false(save_decode(&pci_bus_section, bus, 1, &r,
                               SAVE_DECODE_CHECK, &err));
    g_assert_nonnull(strstr(err->message, want_error));
}

static void test_pcibus(void)
{
    static const uint8_t four[] = {
        0x00, 0x00, 0x00, 0x04,             /* nirq */
        0x00, 0x00, 0x00, 0x01,             /* irq_count[0]: INTA# */
        0x00, 0x00, 0x00, 0x00,             /* irq_count[1] */
        0x00, 0x00, 0x00, 0x02,             /* irq_count[2] */
        0x00, 0x00, 0x00, 0x00,             /* irq_count[3] */
    };
    static const uint8_t too_many[] = {
        0x00, 0x00, 0x00, 0x81,             /* nirq 129 */
    };
    static const uint8_t negative[] = {
        0xff, 0xff, 0xff, 0xff,             /* nirq -1 */
    };
    uint8_t xen[4 + 128 * 4] = { 0x00, 0x00, 0x00, 0x80 };

    pcibus_load(4, four, sizeof(four), NULL);
    pcibus_load(128, xen, sizeof(xen), NULL);
    pcibus_load(4, xen, sizeof(xen), NULL);
    xen[4 + 127 * 4 + 3] = 1;              /* irq_count[127] */
    pcibus_load(128, xen, sizeof(xen), NULL);
    pcibus_load(4, xen, sizeof(xen), "'irq_count[127]' = 1: the source's "
                "bus has 128 interrupt lines and this machine's 4");
    pcibus_load(128, four, sizeof(four), "'irq_count[0]' = 1");
    pcibus_load(4, too_many, sizeof(too_many), "'irq_count' has 129 "
                "elements, at most 128 fit");
    pcibus_load(4, too_many, sizeof(too_many), "offset 0x9ad");
    pcibus_load(4, negative, sizeof(negative), "has -1 elements");
}

static void put_be(GByteArray *b, uint64_t v, unsigned width)
{
    g_assert(width <= 8);
    for (unsigned i = 0; i < width; i++) {
        uint8_t byte = v >> (8 * (width - 1 - i));
        g_byte_array_append(b, &byte, 1);
    }
}

/* One "hpet_timer": tn, config, cmp, fsb, period, wrap_flag, timer. */
static void put_hpet_timer(GByteArray *b, uint8_t tn)
{
    put_be(b, tn, 1);                       /* tn */
    put_be(b, 0x00000004000000f0ull, 8);    /* config: 64-bit capable */
    put_be(b, UINT64_MAX, 8);               /* cmp */
    put_be(b, 0, 8);                        /* fsb */
    put_be(b, 0, 8);                        /* period */
    put_be(b, 0, 1);                        /* wrap_flag */
    put_be(b, UINT64_MAX, 8);               /* qemu_timer: not armed */
}

/* HPET: v2 carries the timer count; v1 uses the local one (3). */
static void test_hpet(void)
{
    g_autoptr(GByteArray) v2 = g_byte_array_new();
    g_autoptr(GByteArray) v1 = g_byte_array_new();
    g_autoptr(GByteArray) big = g_byte_array_new();
    g_autoptr(GError) err = NULL;
    const SaveSection *s = save_foreign_find("hpet", NULL);
    g_autofree void *scratch = save_foreign_scratch_new(s, NULL);
    SaveReader r;

    put_be(v2, 0x1, 8);                     /* config: ENABLE */
    put_be(v2, 0, 8);                       /* isr */
    put_be(v2, 0x1234, 8);                  /* hpet_counter */
    g_byte_array_append(v1, v2->data, v2->len);
    put_be(v2, 4, 1);                       /* num_timers: 4, not 3 */
    for (int i = 0; i < 4; i++) {
        put_hpet_timer(v2, i);
    }
    /* hpet/offset: enabled and saved (pc-i440fx-2.12 and newer) */
    put_be(v2, 0x05, 1);
    put_be(v2, 11, 1);
    g_byte_array_append(v2, (const uint8_t *)"hpet/offset", 11);
    put_be(v2, 1, 4);                       /* its version */
    put_be(v2, 0x9999, 8);                  /* hpet_offset */
    round_trip("hpet", NULL, 2, v2->data, v2->len);
    for (int i = 0; i < 3; i++) {
        put_hpet_timer(v1, i);
    }
    round_trip("hpet", NULL, 1, v1->data, v1->len);

    /* More timers than QEMU's 32 is refused before reading them. */
    g_byte_array_append(big, v2->data, 24);
    put_be(big, 33, 1);
    r = (SaveReader){ .data = big->data, .len = big->len };
    g_assert_false(save_decode(s, scratch, 2, &r, SAVE_DECODE_CHECK, &err));
    g_assert_nonnull(strstr(err->message, "has 33 elements, at most 32"));
}

/* fw_cfg: a 16-bit offset in version 1, 32 bits since 2 (UINT16_HACK). */
static void test_fw_cfg(void)
{
    static const uint8_t v1[] = {
        0x00, 0x19,                         /* cur_entry */
        0x00, 0x10,                         /* cur_offset, 16 bits */
    };
    static const uint8_t v2[] = {
        0x00, 0x19,                         /* cur_entry */
        0x00, 0x00, 0x00, 0x10,             /* cur_offset */
        0x05, 0x0a, 'f', 'w', '_', 'c', 'f', 'g', '/', 'd', 'm', 'a',
        0x00, 0x00, 0x00, 0x00,             /* fw_cfg/dma version 0 */
        0, 0, 0, 0, 0, 0, 0x10, 0x00,       /* dma_addr */
    };

    round_trip("fw_cfg", "pc-i440fx-2.6", 1, v1, sizeof(v1));
    round_trip("fw_cfg", "pc-i440fx-2.7", 2, v2, sizeof(v2));
}

/* IDE: a drive's identify data is there only if identify_set says so. */
static void test_ide_identify(void)
{
    g_autoptr(GByteArray) b = g_byte_array_new();
    uint8_t pci[256] = { 0x86, 0x80, 0x10, 0x70 };

    put_be(b, 2, 4);                        /* PCIDevice version_id */
    g_byte_array_append(b, pci, sizeof(pci));  /* config */
    for (int i = 0; i < 4; i++) {
        put_be(b, 0, 4);                    /* irq_state[i] */
    }
    for (int i = 0; i < 2; i++) {           /* bmdma[i] */
        put_be(b, 0, 1);                    /* cmd */
        put_be(b, 0, 1);                    /* migration_compat_status */
        put_be(b, 0, 4);                    /* addr */
        put_be(b, 0, 8);                    /* retry_sector_num */
        put_be(b, 0, 4);                    /* retry_nsector */
        put_be(b, 0, 1);                    /* retry_unit */
    }
    for (int i = 0; i < 2; i++) {           /* bus[i] */
        put_be(b, 0, 1);                    /* cmd */
        put_be(b, 0, 1);                    /* unit */
    }
    for (int i = 0; i < 4; i++) {           /* bus0_ifs[0..1], bus1_ifs */
        put_be(b, 16, 4);                   /* mult_sectors */
        put_be(b, i == 1, 4);               /* identify_set */
        if (i == 1) {
            for (int k = 0; k < 512; k++) { /* identify_data */
                put_be(b, k & 0xff, 1);
            }
        }
        put_be(b, 0, 1);                    /* feature */
        put_be(b, 0, 1);                    /* error */
        put_be(b, 1, 4);                    /* nsector */
        for (int k = 0; k < 13; k++) {      /* sector ... asc */
            put_be(b, k == 9 ? 0x50 : 0, 1);  /* status DRDY|DSC */
        }
        put_be(b, 0, 1);                    /* cdrom_changed (v3) */
    }
    g_assert_cmpuint(b->len, ==, 430 + 512);
    round_trip("0000:00:01.1/ide", NULL, 3, b->data, b->len);
    /* Version 0 stops after the BMDMA state. */
    round_trip("0000:00:01.1/ide", NULL, 0, b->data, 314);
}

/* ioapic v1: no qemu-kvm gap, no irr. */
static void test_ioapic_v1(void)
{
    uint8_t v1[2 + 24 * 8] = {
        0x00,                               /* id */
        0x01,                               /* ioregsel */
    };

    for (int i = 0; i < 24; i++) {
        v1[2 + i * 8 + 5] = 0x01;           /* ioredtbl[i]: masked, bit 16 */
    }
    round_trip("ioapic", NULL, 1, v1, sizeof(v1));
}

/* A top-level record's payload in a sample. */
static const uint8_t *payload_of(const Sample *s, const SampleRecord *r)
{
    return sample_bytes(s, NULL) + r->payload;
}

/*
 * Every section of every reference stream that has a table here: read
 * whole, to the byte, and written back identically (subsection choice
 * included), with the compat of the machine the sample was written on.
 */
static void test_samples(void)
{
    GPtrArray *list = sample_list();
    g_autoptr(GHashTable) seen = g_hash_table_new(g_str_hash, g_str_equal);
    unsigned n = 0;

    for (guint i = 0; i < list->len; i++) {
        const Sample *s = g_ptr_array_index(list, i);

        for (guint k = 0; k < s->records->len; k++) {
            const SampleRecord *r = &g_array_index(s->records, SampleRecord,
                                                   k);
            const SaveSection *t;

            if (strcmp(r->kind, "FULL") ||
                !(t = save_foreign_find(r->idstr, NULL))) {
                continue;
            }
            g_test_message("%s: '%s' instance %u at 0x%" G_GINT64_MODIFIER
                           "x, %" G_GUINT64_FORMAT " bytes", s->name,
                           r->idstr, r->instance, r->at, r->payload_len);
            round_trip(r->idstr, s->machine, (int)r->version,
                       payload_of(s, r), r->payload_len);
            g_hash_table_add(seen, (gpointer)t->name);
            n++;
        }
    }
    g_test_message("%u sections read and written back", n);
    /* Only the std VGA is in no sample (sizes above check its table). */
    for (const char *const *name = appendix_a; *name; name++) {
        const SaveSection *t = save_foreign_find(*name, NULL);
        if (strcmp(t->name, "vga")) {
            g_assert_true(g_hash_table_contains(seen, t->name));
        }
    }
    sample_list_free(list);
}

/*
 * Every cut of every such section of three samples either fails naming a
 * section and an offset, or stops early because the cut fell inside a
 * subsection header, which QEMU only peeks at (a nested struct's reader
 * then goes on with the next field); the record reader then fails on
 * the footer or the next record (/save/load/truncated).
 */
static void test_truncated(void)
{
    GPtrArray *list = sample_list();
    const char *const names[] = {
        "devstate-i440fx-7.2", "devstate-smbus-eeprom",
        "migrate-i440fx-7.2-cirrus",
    };

    for (size_t i = 0; i < G_N_ELEMENTS(names); i++) {
        const Sample *s = sample_find(list, names[i]);

        g_assert_nonnull(s);
        for (guint k = 0; k < s->records->len; k++) {
            const SampleRecord *r = &g_array_index(s->records, SampleRecord,
                                                   k);
            const SaveSection *t;
            const uint8_t *p;

            if (strcmp(r->kind, "FULL") ||
                !(t = save_foreign_find(r->idstr, NULL))) {
                continue;
            }
            p = payload_of(s, r);
            for (size_t len = 0; len < r->payload_len; len++) {
                g_autofree void *scratch =
                    save_foreign_scratch_new(t, s->machine);
                g_autoptr(GError) err = NULL;
                SaveReader rd = { .data = p, .len = len,
                                  .origin = r->payload };

                if (save_decode(t, scratch, (int)r->version, &rd,
                                SAVE_DECODE_CHECK, &err)) {
                    g_assert_cmpuint(rd.pos, <=, len);
                    g_assert_nonnull(memchr(p, 0x05, len + 1));
                    continue;
                }
                g_assert_nonnull(strstr(err->message, "section '"));
                g_assert_nonnull(strstr(err->message, "offset 0x"));
            }
        }
    }
    sample_list_free(list);
}

void test_foreign_register(void)
{
    g_test_add_func("/save/foreign/lookup", test_lookup);
    g_test_add_func("/save/foreign/sizes", test_sizes);
    g_test_add_func("/save/foreign/pcibus", test_pcibus);
    g_test_add_func("/save/foreign/hpet", test_hpet);
    g_test_add_func("/save/foreign/fw-cfg", test_fw_cfg);
    g_test_add_func("/save/foreign/ide-identify", test_ide_identify);
    g_test_add_func("/save/foreign/ioapic-v1", test_ioapic_v1);
    g_test_add_func("/save/foreign/samples", test_samples);
    g_test_add_func("/save/foreign/truncated", test_truncated);
}
