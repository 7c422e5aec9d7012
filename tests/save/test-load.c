/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * QEMU 7.2's reference streams loaded whole: unemulated sections refused or
 * skipped (-machine unemulated=), cut and live streams refused, no change.
 */
#include "test-save.h"
#include "samples.h"

#include "dm/options.h"
#include "hw/hw.h"
#include "hw/i440fx.h"
#include "save/foreign/foreign.h"
#include "save/machine-state.h"

#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/*
 * Devices stubdm emulates whose tables other work is still changing; a
 * load of a whole sample may stop at one of them, and only there.
 */
static const char *const unfinished[] = {
    "i8254", "mc146818rtc", "port92", "piix4_pm", "pflash_cfi01", NULL,
};

/* Sections of the stable devices a filtered stream keeps besides. */
static const char *const stable[] = {
    "timer", "PCIHost", "0000:00:00.0/I440FX", "0000:00:01.0/PIIX3",
    "globalstate", NULL,
};

DmMachine *test_save_machine_new(const char *type, bool skip, bool qemu_kvm)
{
    g_autoptr(GError) err = NULL;
    DmOptions *o = dm_options_new();
    DmMachine *m;

    o->accel = g_strdup("qtest");
    o->machine_type = g_strdup(type);
    o->ram_size = 16 << 20;
    o->unemulated_skip = skip;
    o->qemu_kvm_migration = qemu_kvm;
    m = dm_machine_new(o, &err);
    g_assert_no_error(err);
    return m;
}

static gboolean load_bytes(DmMachine *m, const uint8_t *p, size_t len,
                           GPtrArray **skipped, GError **errp)
{
    int fd = memfd_create("stream", MFD_CLOEXEC);
    gboolean ok;

    g_assert_cmpint(fd, >=, 0);
    for (size_t done = 0; done < len;) {
        ssize_t n = write(fd, p + done, len - done);
        g_assert_cmpint(n, >, 0);
        done += (size_t)n;
    }
    g_assert_cmpint(lseek(fd, 0, SEEK_SET), ==, 0);
    ok = load_machine_state(m, fd, skipped, errp);
    close(fd);
    return ok;
}

static PciBus *machine_bus(DmMachine *m)
{
    I440fx *host = dm_machine_find_device(m, "i440FX");

    g_assert_nonnull(host);
    return host->bus;
}

/* What a load would change: 00:00.0 and 00:01.0, the 0xcf8 latch, clock. */
typedef struct {
    uint8_t host[256];
    uint8_t isa[256];
    uint32_t config_reg;
    int64_t now;
} Snapshot;

static void snapshot(DmMachine *m, Snapshot *s)
{
    PciBus *bus = machine_bus(m);

    for (uint32_t reg = 0; reg < 256; reg += 4) {
        uint32_t h = pci_bus_config_read(bus, 0, PCI_DEVFN(0, 0), reg, 4);
        uint32_t i = pci_bus_config_read(bus, 0, PCI_DEVFN(1, 0), reg, 4);
        pci_set_long(s->host + reg, h);
        pci_set_long(s->isa + reg, i);
    }
    s->config_reg = bus->config_reg;
    s->now = dm_clock_now(m->clock);
}

/* State no sample has, so that a stray apply would show. */
static void machine_dirty(DmMachine *m)
{
    PciBus *bus = machine_bus(m);

    pci_bus_config_write(bus, 0, PCI_DEVFN(0, 0), 0x59, 0x33, 1); /* PAM0 */
    pci_bus_config_write(bus, 0, PCI_DEVFN(1, 0), 0x60, 0x0b, 1); /* PIRQA */
    bus->config_reg = 0x80001234;
    dm_clock_advance(m->clock, 12345);
}

static void assert_unchanged(DmMachine *m, const Snapshot *before)
{
    Snapshot now;

    snapshot(m, &now);
    g_assert_cmpmem(now.host, 256, before->host, 256);
    g_assert_cmpmem(now.isa, 256, before->isa, 256);
    g_assert_cmphex(now.config_reg, ==, before->config_reg);
    g_assert_cmpint(now.now, ==, before->now);
}

/* The idstr of the first "section '...'" an error names, or NULL. */
static char *failing_section(const char *msg)
{
    const char *p = strstr(msg, "section '");
    const char *q;

    if (!p) {
        return NULL;
    }
    p += strlen("section '");
    q = strchr(p, '\'');
    return q ? g_strndup(p, q - p) : NULL;
}

static bool name_in(const char *idstr, const char *const *names)
{
    const char *slash = strrchr(idstr, '/');

    for (const char *const *n = names; *n; n++) {
        if (!strcmp(idstr, *n) || (slash && !strcmp(slash + 1, *n))) {
            return true;
        }
    }
    return false;
}

/* Whether a device on the board has this section (its table's name). */
static bool board_has(DmMachine *m, const char *idstr)
{
    const char *slash = strrchr(idstr, '/');
    const char *name = slash ? slash + 1 : idstr;

    if (!strcmp(idstr, "timer") || !strcmp(idstr, "PCIHost")) {
        return true;
    }
    for (guint i = 0; i < m->devices->len; i++) {
        HwDevice *d = g_ptr_array_index(m->devices, i);
        if (d->info->state && !strcmp(d->info->state->name, name)) {
            return true;
        }
    }
    return false;
}

/* Unique idstrs of the sample's sections a skip load drops, in order. */
static GPtrArray *expected_skips(DmMachine *m, const Sample *s)
{
    GPtrArray *names = g_ptr_array_new();

    for (guint i = 0; i < s->records->len; i++) {
        SampleRecord *r = &g_array_index(s->records, SampleRecord, i);
        if (!strcmp(r->kind, "FULL") && !board_has(m, r->idstr) &&
            save_foreign_find(r->idstr, NULL) &&
            !g_ptr_array_find_with_equal_func(names, r->idstr, g_str_equal,
                                              NULL)) {
            g_ptr_array_add(names, r->idstr);
        }
    }
    return names;
}

static bool keep_known(const SampleRecord *r)
{
    return name_in(r->idstr, stable) || save_foreign_find(r->idstr, NULL);
}

static uint64_t be_at(const uint8_t *p, unsigned width)
{
    uint64_t v = 0;

    for (unsigned i = 0; i < width; i++) {
        v = v << 8 | p[i];
    }
    return v;
}

/*
 * Every device-state sample with unemulated=skip: parsed to EOF and
 * applied, or stopped only by a device whose table is not final.
 */
static void test_skip_samples(void)
{
    GPtrArray *list = sample_list();

    for (guint i = 0; i < list->len; i++) {
        const Sample *s = g_ptr_array_index(list, i);
        DmMachine *m;
        g_autoptr(GPtrArray) skipped = NULL;
        g_autoptr(GPtrArray) expected = NULL;
        g_autoptr(GError) err = NULL;
        g_autofree char *at = NULL;
        const uint8_t *data;
        size_t len;
        Snapshot before;

        if (!g_str_has_prefix(s->name, "devstate-")) {
            continue;
        }
        m = test_save_machine_new(s->machine, true, false);
        machine_dirty(m);
        snapshot(m, &before);
        data = sample_bytes(s, &len);
        if (load_bytes(m, data, len, &skipped, &err)) {
            expected = expected_skips(m, s);
            g_test_message("%s: loaded, skipped %u sections", s->name,
                           skipped->len);
            g_assert_cmpuint(skipped->len, ==, expected->len);
            for (guint k = 0; k < skipped->len; k++) {
                g_assert_cmpstr(g_ptr_array_index(skipped, k), ==,
                                g_ptr_array_index(expected, k));
            }
        } else {
            at = failing_section(err->message);
            g_test_message("%s: stops at '%s', a device stubdm emulates "
                           "whose table is not final here: %s", s->name,
                           at, err->message);
            g_assert_nonnull(at);
            if (!name_in(at, unfinished)) {
                g_error("%s: %s", s->name, err->message);
            }
            g_assert_null(skipped);
            assert_unchanged(m, &before);
        }
        dm_machine_free(m);
    }
    sample_list_free(list);
}

/*
 * Every sample (device state or migration) cut down to its unemulated
 * sections plus those of the stable devices loads, dropping exactly the
 * unemulated ones, and applies the rest (PCIHost, timer).
 */
static void test_skip_filtered(void)
{
    GPtrArray *list = sample_list();

    for (guint i = 0; i < list->len; i++) {
        const Sample *s = g_ptr_array_index(list, i);
        g_autoptr(GByteArray) stream = sample_filter(s, keep_known);
        g_autoptr(GPtrArray) skipped = NULL;
        g_autoptr(GPtrArray) expected = NULL;
        g_autoptr(GError) err = NULL;
        DmMachine *m = test_save_machine_new(s->machine, true, false);
        const uint8_t *data = sample_bytes(s, NULL);

        machine_dirty(m);
        if (!load_bytes(m, stream->data, stream->len, &skipped, &err)) {
            g_error("%s: %s", s->name, err->message);
        }
        expected = expected_skips(m, s);
        g_assert_cmpuint(skipped->len, ==, expected->len);
        g_assert_cmpuint(skipped->len, >=, 10);
        for (guint k = 0; k < skipped->len; k++) {
            g_assert_cmpstr(g_ptr_array_index(skipped, k), ==,
                            g_ptr_array_index(expected, k));
        }
        for (guint k = 0; k < s->records->len; k++) {
            SampleRecord *r = &g_array_index(s->records, SampleRecord, k);
            if (strcmp(r->kind, "FULL")) {
                continue;
            }
            if (!strcmp(r->idstr, "PCIHost")) {
                g_assert_cmphex(machine_bus(m)->config_reg, ==,
                                be_at(data + r->payload, 4));
            }
            if (!strcmp(r->idstr, "timer") && r->version >= 2) {
                g_assert_cmpint(dm_clock_now(m->clock), ==,
                                (int64_t)be_at(data + r->payload + 16, 8));
            }
        }
        g_test_message("%s: %u sections skipped", s->name, skipped->len);
        dm_machine_free(m);
    }
    sample_list_free(list);
}

/* By default the first unemulated section stops the load, with a hint. */
static void test_refuse(void)
{
    GPtrArray *list = sample_list();
    const Sample *s = sample_find(list, "devstate-i440fx-7.2");
    DmMachine *m = test_save_machine_new(s->machine, false, false);
    g_autoptr(GError) err = NULL;
    GPtrArray *skipped = NULL;
    Snapshot before;
    size_t len;
    const uint8_t *data = sample_bytes(s, &len);

    machine_dirty(m);
    snapshot(m, &before);
    g_assert_false(load_bytes(m, data, len, &skipped, &err));
    g_test_message("%s", err->message);
    g_assert_nonnull(strstr(err->message, "section 'cpu_common' instance 0 "
                            "at offset 0x38: stubdm does not emulate this "
                            "device"));
    g_assert_nonnull(strstr(err->message, "-machine ...,unemulated=skip"));
    g_assert_null(skipped);
    assert_unchanged(m, &before);
    dm_machine_free(m);
    sample_list_free(list);
}

static bool keep_timer(const SampleRecord *r)
{
    return !strcmp(r->idstr, "timer");
}

/* A section nobody knows is refused as unknown, skip or not. */
static void test_unknown(void)
{
    static const uint8_t odd[] = {
        0x04, 0x00, 0x00, 0x00, 0x63,       /* FULL, section id 99 */
        0x0e, 'n', 'o', '-', 's', 'u', 'c', 'h', '-', 'd', 'e', 'v', 'i',
        'c', 'e',
        0x00, 0x00, 0x00, 0x00,             /* instance */
        0x00, 0x00, 0x00, 0x01,             /* version */
        0x00,                               /* payload */
        0x7e, 0x00, 0x00, 0x00, 0x63,       /* footer */
        0x00,                               /* EOF */
    };
    GPtrArray *list = sample_list();
    const Sample *s = sample_find(list, "devstate-i440fx-7.2");
    g_autoptr(GByteArray) stream = sample_filter(s, keep_timer);

    g_byte_array_set_size(stream, stream->len - 1);     /* drop EOF */
    g_byte_array_append(stream, odd, sizeof(odd));
    for (int skip = 0; skip < 2; skip++) {
        DmMachine *m = test_save_machine_new(s->machine, skip, false);
        g_autoptr(GError) err = NULL;
        g_autofree char *where = g_strdup_printf(
            "section 'no-such-device' instance 0 at offset 0x%x: unknown "
            "section", stream->len - (unsigned)sizeof(odd));
        Snapshot before;

        machine_dirty(m);
        snapshot(m, &before);
        g_assert_false(load_bytes(m, stream->data, stream->len, NULL, &err));
        g_test_message("%s", err->message);
        g_assert_nonnull(strstr(err->message, where));
        g_assert_null(strstr(err->message, "unemulated=skip"));
        assert_unchanged(m, &before);
        dm_machine_free(m);
    }
    sample_list_free(list);
}

static bool keep_dma(const SampleRecord *r)
{
    return !strcmp(r->idstr, "dma") && r->instance == 0;
}

/* An unemulated section twice (same instance) is refused too. */
static void test_twice(void)
{
    GPtrArray *list = sample_list();
    const Sample *s = sample_find(list, "devstate-i440fx-7.2");
    g_autoptr(GByteArray) one = sample_filter(s, keep_dma);
    g_autoptr(GByteArray) two = g_byte_array_new();
    g_autoptr(GError) err = NULL;
    DmMachine *m = test_save_machine_new(s->machine, true, false);

    g_byte_array_append(two, one->data, one->len - 1);
    g_byte_array_append(two, one->data + 8, one->len - 8);
    g_assert_false(load_bytes(m, two->data, two->len, NULL, &err));
    g_assert_nonnull(strstr(err->message, "section 'dma' instance 0 at "
                            "offset 0x"));
    g_assert_nonnull(strstr(err->message, "the stream has it twice"));
    dm_machine_free(m);
    sample_list_free(list);
}

/* pc.ram's used_length: the first entry of the START's block list. */
static uint64_t sample_ram_size(const uint8_t *data, const SampleRecord *r)
{
    /* type, id, "\x03ram", instance, version, MEM_SIZE word */
    const uint8_t *p = data + r->at + 1 + 4 + 4 + 4 + 4 + 8;
    uint64_t v = 0;

    g_assert_cmpmem(p, 7, "\x06pc.ram", 7);
    for (int i = 0; i < 8; i++) {
        v = v << 8 | p[7 + i];
    }
    return v;
}

static DmMachine *machine_new_ram(const char *type, bool skip,
                                  uint64_t ram)
{
    g_autoptr(GError) err = NULL;
    DmOptions *o = dm_options_new();
    DmMachine *m;

    o->accel = g_strdup("qtest");
    o->machine_type = g_strdup(type);
    o->ram_size = ram;
    o->unemulated_skip = skip;
    m = dm_machine_new(o, &err);
    g_assert_no_error(err);
    return m;
}

/*
 * Full migrations: refused at the block list without unemulated=skip
 * (fw_cfg blobs) or with another -m, loaded with both right, and the
 * RAM untouched by every refusal.
 */
static void test_migrate(void)
{
    GPtrArray *list = sample_list();
    unsigned n = 0;

    for (guint i = 0; i < list->len; i++) {
        const Sample *s = g_ptr_array_index(list, i);
        const SampleRecord *ram = NULL;
        size_t len;
        const uint8_t *data = sample_bytes(s, &len);
        uint64_t size;

        if (!g_str_has_prefix(s->name, "migrate-")) {
            continue;
        }
        for (guint k = 0; k < s->records->len && !ram; k++) {
            SampleRecord *r = &g_array_index(s->records, SampleRecord, k);
            if (!strcmp(r->kind, "START")) {
                ram = r;
            }
        }
        g_assert_nonnull(ram);
        size = sample_ram_size(data, ram);
        for (int c = 0; c < 3; c++) {
            bool skip = c != 0;
            DmMachine *m = machine_new_ram(s->machine, skip,
                                           c == 2 ? size * 2 : size);
            g_autoptr(GError) err = NULL;
            Snapshot before;
            gboolean ok;

            machine_dirty(m);
            m->guest_ram->host[0x5000] = 0xa5;
            snapshot(m, &before);
            ok = load_bytes(m, data, len, NULL, &err);
            if (c == 1 && strcmp(s->name, "migrate-pflash")) {
                g_assert_no_error(err);
                /* The reset vector, from the stream's pc.bios (§2.3). */
                g_assert_cmphex(dm_space_read(m->mem, 0xfffffff0, 1), ==,
                                0xea);
                g_assert_cmphex(m->guest_ram->host[0x5000], ==, 0);
                g_assert_cmphex(m->bios->used_length, ==,
                                strstr(s->name, "1.7") ? 0x20000 : 0x40000);
                dm_machine_free(m);
                continue;
            }
            g_assert_false(ok);
            g_test_message("%s: %s", s->name, err->message);
            g_assert_nonnull(strstr(err->message, "section 'ram'"));
            g_assert_nonnull(strstr(err->message, c == 2 ?
                             "size mismatch: pc.ram" : "unknown RAM block"));
            assert_unchanged(m, &before);
            g_assert_cmphex(m->guest_ram->host[0x5000], ==, 0xa5);
            dm_machine_free(m);
        }
        n++;
    }
    g_assert_cmpuint(n, >, 0);
    sample_list_free(list);
}

static void expect_cut_fails(DmMachine *m, const Sample *s,
                             const GByteArray *stream, size_t cut,
                             const Snapshot *before)
{
    g_autoptr(GError) err = NULL;

    g_assert_false(load_bytes(m, stream->data, cut, NULL, &err));
    if (!strstr(err->message, "section '") ||
        !strstr(err->message, "offset 0x")) {
        g_error("%s cut at 0x%zx: %s", s->name, cut, err->message);
    }
    assert_unchanged(m, before);
}

/*
 * Every sample (unemulated and stable sections), cut before each record,
 * inside its header (section id; instance id), inside its payload and
 * before its footer: refused naming a section and an offset, machine
 * unchanged.
 */
static void test_truncated(void)
{
    GPtrArray *list = sample_list();

    for (guint i = 0; i < list->len; i++) {
        const Sample *s = g_ptr_array_index(list, i);
        g_autoptr(GByteArray) stream = sample_filter(s, keep_known);
        DmMachine *m = test_save_machine_new(s->machine, true, false);
        uint64_t at = 8;              /* after the file header */
        unsigned cuts = 0;
        Snapshot before;

        machine_dirty(m);
        snapshot(m, &before);
        for (guint k = 0; k < s->records->len; k++) {
            SampleRecord *r = &g_array_index(s->records, SampleRecord, k);
            uint64_t payload;

            if (strcmp(r->kind, "FULL") || !keep_known(r)) {
                continue;
            }
            payload = at + (r->payload - r->at);
            /* Before the first idstr was read there is no section to name. */
            if (at > 8) {
                expect_cut_fails(m, s, stream, at, &before);
                expect_cut_fails(m, s, stream, at + 3, &before);
            }
            expect_cut_fails(m, s, stream, payload - 6, &before);
            expect_cut_fails(m, s, stream, payload + r->payload_len / 2,
                             &before);
            expect_cut_fails(m, s, stream, payload + r->payload_len,
                             &before);
            cuts += at > 8 ? 5 : 3;
            at += r->end - r->at;
        }
        g_assert_cmpuint(at + 1, ==, stream->len);
        g_test_message("%s: %u cuts refused", s->name, cuts);
        dm_machine_free(m);
    }
    sample_list_free(list);
}

/* -machine unemulated=refuse|skip, refuse by default. */
static void test_option(void)
{
    static const struct {
        const char *arg;
        bool ok;
        bool skip;
    } cases[] = {
        { "pc", true, false },
        { "pc,unemulated=refuse", true, false },
        { "pc,unemulated=skip", true, true },
        { "xenfv,unemulated=skip,suppress-vmdesc=on", true, true },
        { "pc,unemulated=yes", false, false },
        { "pc,unemulated=", false, false },
    };

    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autoptr(DmOptions) o = dm_options_new();
        g_autoptr(GError) err = NULL;
        char *argv[] = {
            "stubdm", "-machine", (char *)cases[i].arg, "-qtest", "stdio",
            NULL
        };

        g_assert_cmpint(dm_options_parse(o, 5, argv, &err), ==,
                        cases[i].ok);
        if (cases[i].ok) {
            g_assert_cmpint(o->unemulated_skip, ==, cases[i].skip);
        } else {
            g_assert_nonnull(strstr(err->message,
                                    "unemulated expects refuse or skip"));
        }
    }
}

void test_load_register(void)
{
    g_test_add_func("/save/load/skip-samples", test_skip_samples);
    g_test_add_func("/save/load/skip-filtered", test_skip_filtered);
    g_test_add_func("/save/load/refuse", test_refuse);
    g_test_add_func("/save/load/unknown", test_unknown);
    g_test_add_func("/save/load/twice", test_twice);
    g_test_add_func("/save/load/migrate", test_migrate);
    g_test_add_func("/save/load/truncated", test_truncated);
    g_test_add_func("/save/load/option", test_option);
}
