/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The "timer" section (save_clock_section, save/machine-state.c): the
 * virtual clock every other section's times are on (qemu-stream.md 4.1).
 */
#include "test-save.h"
#include "samples.h"

#include "dm/clock.h"
#include "save/codec.h"
#include "save/machine-state.h"

#include <string.h>

/* The clock devstate-i440fx-7.2-booted.bin stopped at, about 1.5 s. */
#define BOOTED_NS INT64_C(0x59767d2b)

/* What stubdm writes with its clock at BOOTED_NS. */
static const uint8_t timer_golden[24] = {
    /* cpu_ticks_offset: no vCPU ticks here (QEMU's TCG has its own) */
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    /* dummy: unused, zeros */
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    /* cpu_clock_offset (since v2): the virtual clock, ns */
    0x00, 0x00, 0x00, 0x00, 0x59, 0x76, 0x7d, 0x2b,
};

/* The same section as QEMU 7.2 wrote it in devstate-i440fx-7.2-booted. */
static const uint8_t timer_qemu_booted[24] = {
    /* cpu_ticks_offset: TCG's tick base */
    0x00, 0x00, 0x00, 0x00, 0xe8, 0x41, 0x1a, 0x84,
    /* dummy */
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    /* cpu_clock_offset */
    0x00, 0x00, 0x00, 0x00, 0x59, 0x76, 0x7d, 0x2b,
};

typedef struct {
    DmClock *clock;
    SaveClockState state;
} Fixture;

static void setup(Fixture *f, gconstpointer data)
{
    f->clock = dm_clock_new(true);
    f->state = (SaveClockState){ .clock = f->clock };
}

static void teardown(Fixture *f, gconstpointer data)
{
    dm_clock_free(f->clock);
}

static GByteArray *encode(Fixture *f)
{
    g_autoptr(GError) err = NULL;
    GByteArray *out = g_byte_array_new();

    g_assert_true(save_encode(&save_clock_section, &f->state, out, &err));
    g_assert_no_error(err);
    return out;
}

/* As the loader stages a section: check a copy, then apply. */
static void load(Fixture *f, const uint8_t *p, size_t len, int version)
{
    g_autoptr(GError) err = NULL;
    SaveClockState scratch = f->state;
    SaveReader r = { .data = p, .len = len };

    g_assert_true(save_decode(&save_clock_section, &scratch, version, &r,
                              SAVE_DECODE_CHECK, &err));
    g_assert_no_error(err);
    g_assert_cmpuint(r.pos, ==, len);
    r.pos = 0;
    g_assert_true(save_decode(&save_clock_section, &f->state, version, &r,
                              SAVE_DECODE_APPLY, &err));
    g_assert_no_error(err);
    g_assert_cmpuint(r.pos, ==, len);
}

static void test_table(Fixture *f, gconstpointer data)
{
    static const char *const names[] = {
        "cpu_ticks_offset", "dummy", "cpu_clock_offset",
    };
    const SaveSection *s = &save_clock_section;

    g_assert_cmpstr(s->name, ==, "timer");
    g_assert_cmpint(s->version, ==, 2);
    g_assert_cmpint(s->minimum_version, ==, 1);
    for (unsigned i = 0; i < G_N_ELEMENTS(names); i++) {
        g_assert_cmpstr(s->fields[i].name, ==, names[i]);
    }
    g_assert_null(s->fields[G_N_ELEMENTS(names)].name);
    /* No icount here, so never its subsections. */
    g_assert_null(s->subsections);
    g_assert_cmpuint(save_section_wire_size(s, &f->state, 2), ==, 24);
    g_assert_cmpuint(save_section_wire_size(s, &f->state, 1), ==, 16);
}

static void test_golden(Fixture *f, gconstpointer data)
{
    g_autoptr(GByteArray) zero = NULL;
    g_autoptr(GByteArray) out = NULL;
    static const uint8_t never_started[24];

    /* A VM that never ran: all zeros, as devstate-i440fx-7.2.bin. */
    zero = encode(f);
    g_assert_cmpmem(zero->data, zero->len, never_started,
                    sizeof(never_started));
    dm_clock_advance(f->clock, BOOTED_NS);
    out = encode(f);
    g_assert_cmpmem(out->data, out->len, timer_golden, sizeof(timer_golden));
}

/* The reference array is the sample's bytes. */
static void test_sample(Fixture *f, gconstpointer data)
{
    GPtrArray *list = sample_list();
    const Sample *s = sample_find(list, "devstate-i440fx-7.2-booted");
    const SampleRecord *timer = NULL;
    const uint8_t *bytes;
    size_t len;

    g_assert_nonnull(s);
    for (guint i = 0; i < s->records->len; i++) {
        const SampleRecord *r = &g_array_index(s->records, SampleRecord, i);
        if (!strcmp(r->kind, "FULL") && !strcmp(r->idstr, "timer")) {
            timer = r;
            break;
        }
    }
    g_assert_nonnull(timer);
    g_assert_cmpuint(timer->version, ==, 2);
    bytes = sample_bytes(s, &len);
    g_assert_cmpuint(timer->payload_len, ==, sizeof(timer_qemu_booted));
    g_assert_cmpuint(timer->payload + timer->payload_len, <=, len);
    g_assert_cmpmem(bytes + timer->payload, timer->payload_len,
                    timer_qemu_booted, sizeof(timer_qemu_booted));
    sample_list_free(list);
}

/*
 * QEMU's section moves the clock to the source's; saving it again gives
 * stubdm's bytes, whose own save -> load -> save is exact.
 */
static void test_load(Fixture *f, gconstpointer data)
{
    g_autoptr(GByteArray) again = NULL;
    g_autoptr(GByteArray) third = NULL;

    dm_clock_advance(f->clock, 777);
    load(f, timer_qemu_booted, sizeof(timer_qemu_booted), 2);
    g_assert_cmpint(dm_clock_now(f->clock), ==, BOOTED_NS);
    again = encode(f);
    g_assert_cmpmem(again->data, again->len, timer_golden,
                    sizeof(timer_golden));
    load(f, again->data, again->len, 2);
    third = encode(f);
    g_assert_cmpmem(third->data, third->len, again->data, again->len);
    g_assert_cmpint(dm_clock_now(f->clock), ==, BOOTED_NS);
}

/* Version 1 has no clock: the machine keeps its own. */
static void test_load_v1(Fixture *f, gconstpointer data)
{
    g_autoptr(GByteArray) out = NULL;

    dm_clock_advance(f->clock, 4242);
    load(f, timer_qemu_booted, 16, 1);
    g_assert_cmpint(dm_clock_now(f->clock), ==, 4242);
    out = encode(f);
    g_assert_cmpuint(out->len, ==, 24);
    g_assert_cmpint(out->data[23], ==, 4242 & 0xff);
}

static void assert_cuts(Fixture *f, int version, size_t len)
{
    static const char *const field[] = {
        "cpu_ticks_offset", "dummy", "cpu_clock_offset",
    };
    SaveClockState before = f->state;
    int64_t now = dm_clock_now(f->clock);

    for (size_t cut = 0; cut < len; cut++) {
        g_autoptr(GError) err = NULL;
        g_autofree char *want = g_strdup_printf("section 'timer': field "
                                                "'%s'", field[cut / 8]);
        SaveClockState scratch = f->state;
        SaveReader r = { .data = timer_qemu_booted, .len = cut,
                         .origin = 0x1b };

        g_assert_false(save_decode(&save_clock_section, &scratch, version,
                                   &r, SAVE_DECODE_CHECK, &err));
        g_assert_error(err, SAVE_ERROR, 0);
        if (!strstr(err->message, want) ||
            !strstr(err->message, "at offset 0x")) {
            g_error("cut at %zu: \"%s\", expected %s", cut, err->message,
                    want);
        }
        g_assert_cmpmem(&f->state, sizeof(f->state), &before,
                        sizeof(before));
        g_assert_cmpint(dm_clock_now(f->clock), ==, now);
    }
}

static void test_truncated(Fixture *f, gconstpointer data)
{
    dm_clock_advance(f->clock, 99);
    assert_cuts(f, 2, 24);
    assert_cuts(f, 1, 16);
}

void test_timer_register(void)
{
#define ADD(path, fn) \
    g_test_add("/save/timer/" path, Fixture, NULL, setup, fn, teardown)
    ADD("table", test_table);
    ADD("golden", test_golden);
    ADD("sample", test_sample);
    ADD("load", test_load);
    ADD("load-v1", test_load_v1);
    ADD("truncated", test_truncated);
#undef ADD
}
