/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The i8254's "i8254" section (hw/i8254.c): the field table, QEMU 7.2's
 * bytes, loading old versions and bad values, and a save/load that the
 * guest cannot tell from the running PIT. The fixture is test-i8254.h's.
 */
#include "test-hw.h"
#include "test-i8254.h"

#include "save/codec.h"

#include <string.h>

/*
 * The "i8254" payload QEMU 7.2 wrote (xen-save-devices-state, stopped
 * clock at 0) after golden_io(): qemu-stream.md §4.2's sample.
 */
static const uint8_t golden_v3[108] = {
    0x00, 0x00, 0x00, 0x00,                         /* irq_disabled */
    /* channel 0 */
    0x00, 0x00, 0x2e, 0x9c,                         /* count */
    0x2e, 0x9c,                                     /* latched_count */
    0x02,                                           /* count_latched: MSB */
    0x00,                                           /* status_latched */
    0x00,                                           /* status */
    0x03,                                           /* read_state: WORD0 */
    0x03,                                           /* write_state: WORD0 */
    0x9c,                                           /* write_latch */
    0x03,                                           /* rw_mode */
    0x02,                                           /* mode */
    0x00,                                           /* bcd */
    0x01,                                           /* gate */
    0, 0, 0, 0, 0, 0, 0, 0,                         /* count_load_time */
    0x00, 0x00, 0x00, 0x00, 0x00, 0x98, 0x9a, 0x5c, /* next_transition */
    /* channel 1: as reset left it */
    0x00, 0x01, 0x00, 0x00,                         /* count */
    0x00, 0x00,                                     /* latched_count */
    0x00,                                           /* count_latched */
    0x00,                                           /* status_latched */
    0x00,                                           /* status */
    0x00,                                           /* read_state */
    0x00,                                           /* write_state */
    0x00,                                           /* write_latch */
    0x00,                                           /* rw_mode */
    0x03,                                           /* mode */
    0x00,                                           /* bcd */
    0x01,                                           /* gate */
    0, 0, 0, 0, 0, 0, 0, 0,                         /* count_load_time */
    0, 0, 0, 0, 0, 0, 0, 0,                         /* next_transition */
    /* channel 2 */
    0x00, 0x00, 0x12, 0x33,                         /* count */
    0x00, 0x00,                                     /* latched_count */
    0x00,                                           /* count_latched */
    0x00,                                           /* status_latched */
    0x00,                                           /* status */
    0x03,                                           /* read_state */
    0x03,                                           /* write_state */
    0x33,                                           /* write_latch */
    0x03,                                           /* rw_mode */
    0x03,                                           /* mode */
    0x00,                                           /* bcd */
    0x00,                                           /* gate: low at reset */
    0, 0, 0, 0, 0, 0, 0, 0,                         /* count_load_time */
    0, 0, 0, 0, 0, 0, 0, 0,                         /* next_transition */
    /* channels[0].next_transition_time, formerly irq_timer */
    0x00, 0x00, 0x00, 0x00, 0x00, 0x98, 0x9a, 0x5c,
};

/* Channel 0 as SeaBIOS programs it (latched, one byte read); 2 as a beep. */
static void golden_io(Pit *f)
{
    program(f, 0, RW_WORD, 2, 0, 0x2e9c);
    outb(f, PORT_CW, CW(0, RW_LATCH, 0, 0));
    g_assert_cmphex(inb(f, PORT_CH(0)), ==, 0x9c);
    program(f, 2, RW_WORD, 3, 0, 0x1233);
}

static GByteArray *encode(Pit *f)
{
    g_autoptr(GError) err = NULL;
    GByteArray *out = g_byte_array_new();

    g_assert_true(save_encode(i8254_info.state, f->pit, out, &err));
    g_assert_no_error(err);
    return out;
}

static gboolean decode(Pit *f, const uint8_t *buf, size_t len, int version,
                       SaveDecodeMode mode, GError **errp)
{
    SaveReader r = { .data = buf, .len = len };

    return save_decode(i8254_info.state, f->pit, version, &r, mode, errp);
}

static void test_state_table(Pit *f, gconstpointer data)
{
    static const char *const top[] = {
        "irq_disabled", "channels", "channels[0].next_transition_time",
    };
    static const char *const channel[] = {
        "count", "latched_count", "count_latched", "status_latched",
        "status", "read_state", "write_state", "write_latch", "rw_mode",
        "mode", "bcd", "gate", "count_load_time", "next_transition_time",
    };
    const SaveSection *s = i8254_info.state;
    const SaveSection *ch = s->fields[1].nested;

    g_assert_cmpstr(s->name, ==, "i8254");
    g_assert_cmpint(s->version, ==, 3);
    g_assert_cmpint(s->minimum_version, ==, 2);
    g_assert_cmpstr(ch->name, ==, "pit channel");
    g_assert_cmpint(ch->version, ==, 2);
    g_assert_cmpint(ch->minimum_version, ==, 2);
    g_assert_cmpuint(s->fields[1].count, ==, 3);
    /* QEMU's field names, for the JSON description. */
    for (unsigned i = 0; i < G_N_ELEMENTS(top); i++) {
        g_assert_cmpstr(s->fields[i].name, ==, top[i]);
    }
    g_assert_null(s->fields[G_N_ELEMENTS(top)].name);
    for (unsigned i = 0; i < G_N_ELEMENTS(channel); i++) {
        g_assert_cmpstr(ch->fields[i].name, ==, channel[i]);
    }
    g_assert_null(ch->fields[G_N_ELEMENTS(channel)].name);
    /* v2 has no irq_disabled: 104 bytes. */
    g_assert_cmpuint(save_section_wire_size(s, f->pit, 3), ==, 108);
    g_assert_cmpuint(save_section_wire_size(s, f->pit, 2), ==, 104);
    g_assert_cmpuint(save_section_wire_size(ch, &f->pit->channels[0], 2),
                     ==, 32);
}

static void test_state_golden(Pit *f, gconstpointer data)
{
    g_autoptr(GByteArray) out = NULL;

    golden_io(f);
    out = encode(f);
    g_assert_cmpmem(out->data, out->len, golden_v3, sizeof(golden_v3));
}

/* QEMU's bytes load, arm the timer and save back unchanged. */
static void test_state_load(Pit *f, gconstpointer data)
{
    g_autoptr(GError) err = NULL;
    g_autoptr(GByteArray) out = NULL;
    Pit ref;

    g_assert_true(decode(f, golden_v3, sizeof(golden_v3), 3,
                         SAVE_DECODE_APPLY, &err));
    g_assert_no_error(err);
    g_assert_true(dm_timer_pending(&f->pit->irq_timer));
    g_assert_cmpint(f->pit->irq_timer.expire, ==, 0x989a5c);
    out = encode(f);
    g_assert_cmpmem(out->data, out->len, golden_v3, sizeof(golden_v3));

    /* The guest reads what it would have read from the saved machine. */
    pit_init(&ref);
    golden_io(&ref);
    for (unsigned i = 0; i < 12; i++) {
        uint16_t port = PORT_CH(i % 3);

        g_assert_cmphex(inb(f, port), ==, inb(&ref, port));
    }
    pit_fini(&ref);
}

/* A v2 payload: no irq_disabled, which keeps the loader's value. */
static void test_state_load_v2(Pit *f, gconstpointer data)
{
    g_autoptr(GError) err = NULL;
    g_autoptr(GByteArray) out = NULL;

    f->pit->irq_disabled = 1;
    g_assert_true(decode(f, golden_v3 + 4, sizeof(golden_v3) - 4, 2,
                         SAVE_DECODE_APPLY, &err));
    g_assert_no_error(err);
    g_assert_cmpuint(f->pit->irq_disabled, ==, 1);
    g_assert_false(dm_timer_pending(&f->pit->irq_timer));
    out = encode(f);
    g_assert_cmphex(out->data[3], ==, 1);
    g_assert_cmpmem(out->data + 4, out->len - 4, golden_v3 + 4,
                    sizeof(golden_v3) - 4);
}

static void test_state_truncated(Pit *f, gconstpointer data)
{
    static const size_t lens[] = { 0, 4, 54, 104, 106, 107 };

    for (unsigned i = 0; i < G_N_ELEMENTS(lens); i++) {
        g_autoptr(GError) err = NULL;

        g_assert_false(decode(f, golden_v3, lens[i], 3, SAVE_DECODE_CHECK,
                              &err));
        g_assert_error(err, SAVE_ERROR, 0);
    }
    /* The second half alone is not a v2 payload either. */
    {
        g_autoptr(GError) err = NULL;

        g_assert_false(decode(f, golden_v3 + 54, 54, 2, SAVE_DECODE_CHECK,
                              &err));
        g_assert_error(err, SAVE_ERROR, 0);
    }
}

/* A state with something pending in every channel. */
static void busy_state(Pit *f)
{
    program(f, 0, RW_WORD, 2, 0, 1000);
    program(f, 1, RW_WORD, 3, 1, 0x0777);
    program(f, 2, RW_WORD, 1, 0, 0x2000);
    outb(f, PORT_61, 0x01);
    at(f, 1234);
    outb(f, PORT_CW, CW(1, RW_LATCH, 0, 0));
    outb(f, PORT_CW, RB(true, true, 4));
    (void)inb(f, PORT_CH(1));
    outb(f, PORT_CW, CW(0, RW_WORD, 2, 0));
    outb(f, PORT_CH(0), 0x55);
}

static void read_all(Pit *f, uint8_t *buf, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        buf[i] = inb(f, PORT_CH(i % 3));
    }
}

/* Save, reset, load: the guest reads the same bytes. */
static void test_state_restore(Pit *f, gconstpointer data)
{
    g_autoptr(GError) err = NULL;
    g_autoptr(GByteArray) saved = NULL;
    uint8_t before[24], after[24];

    busy_state(f);
    saved = encode(f);
    read_all(f, before, sizeof(before));

    /* Reset alone does not give them back. */
    i8254_info.reset(f->pit);
    read_all(f, after, sizeof(after));
    g_assert_cmpint(memcmp(before, after, sizeof(before)), !=, 0);

    i8254_info.reset(f->pit);
    g_assert_true(decode(f, saved->data, saved->len, 3, SAVE_DECODE_APPLY,
                         &err));
    g_assert_no_error(err);
    read_all(f, after, sizeof(after));
    g_assert_cmpmem(before, sizeof(before), after, sizeof(after));
}

/*
 * Into a second machine at the same virtual time (the "timer" section
 * carries it): reads and IRQ 0 continue identically, at v3 and v2.
 */
static void test_state_migrate(Pit *f, gconstpointer data)
{
    int version = GPOINTER_TO_INT(data);
    g_autoptr(GError) err = NULL;
    g_autoptr(GByteArray) saved = NULL;
    g_autoptr(GByteArray) again = NULL;
    size_t skip = version == 2 ? 4 : 0;
    Pit dst;
    uint8_t a[24], b[24];

    busy_state(f);
    saved = encode(f);
    pit_init(&dst);
    dm_clock_advance(dst.m.clock, dm_clock_now(f->m.clock));
    g_assert_true(decode(&dst, saved->data + skip, saved->len - skip,
                         version, SAVE_DECODE_APPLY, &err));
    g_assert_no_error(err);
    again = encode(&dst);
    g_assert_cmpmem(again->data, again->len, saved->data, saved->len);
    g_assert_true(dm_timer_pending(&dst.pit->irq_timer));
    g_assert_cmpint(dst.pit->irq_timer.expire, ==,
                    f->pit->channels[0].next_transition_time);

    /* The line's level travels with the interrupt controller. */
    dst.m.irq_level[0] = f->m.irq_level[0];
    g_array_set_size(f->edges, 0);
    at(f, 5000);
    at(&dst, 5000);
    g_assert_cmpuint(f->edges->len, >, 0);
    assert_edges(&dst, (const Edge *)f->edges->data, f->edges->len);
    read_all(f, a, sizeof(a));
    read_all(&dst, b, sizeof(b));
    g_assert_cmpmem(a, sizeof(a), b, sizeof(b));
    pit_fini(&dst);
}

/* post_load: re-arm channel 0 as QEMU does, refuse impossible values. */
static void test_state_post_load(Pit *f, gconstpointer data)
{
    static const struct {
        size_t offset;        /* in golden_v3 */
        uint8_t value;
        const char *message;
    } bad[] = {
        { 36 + 1, 0x00, "channel 1: field 'count' = 0 out of range" },
        { 36 + 1, 0x02, "channel 1: field 'count' = 131072 out of range" },
        { 36 + 0, 0xff, "channel 1: field 'count' = -16711680 out of "
                        "range" },
        { 68 + 13, 8, "channel 2: field 'mode' = 8 out of range" },
        { 4 + 9, 5, "channel 0: field 'read_state' = 5 out of range" },
        { 4 + 6, 4, "channel 0: field 'count_latched' = 4 out of range" },
        { 68 + 15, 2, "channel 2: field 'gate' = 2 out of range" },
    };
    uint8_t buf[sizeof(golden_v3)];

    /* -1: no transition pending; irq_disabled: the output is unwired. */
    memcpy(buf, golden_v3, sizeof(buf));
    memset(buf + 100, 0xff, 8);
    g_assert_true(decode(f, buf, sizeof(buf), 3, SAVE_DECODE_APPLY, NULL));
    g_assert_false(dm_timer_pending(&f->pit->irq_timer));
    memcpy(buf, golden_v3, sizeof(buf));
    buf[3] = 1;
    g_assert_true(decode(f, buf, sizeof(buf), 3, SAVE_DECODE_APPLY, NULL));
    g_assert_false(dm_timer_pending(&f->pit->irq_timer));

    /* Impossible values are refused while checking, before any apply. */
    for (unsigned i = 0; i < G_N_ELEMENTS(bad); i++) {
        g_autoptr(GError) err = NULL;

        memcpy(buf, golden_v3, sizeof(buf));
        buf[bad[i].offset] = bad[i].value;
        g_assert_false(decode(f, buf, sizeof(buf), 3, SAVE_DECODE_CHECK,
                              &err));
        g_assert_error(err, SAVE_ERROR, 0);
        g_assert_true(g_str_has_prefix(err->message,
                                       "section 'i8254' v3 (payload up to "
                                       "offset 0x6c): "));
        g_assert_nonnull(strstr(err->message, bad[i].message));
        /* Whatever was stored, the next access must not divide by 0. */
        read_all(f, buf, 6);
    }
}

void test_i8254_state_register(void)
{
#define ADD(path, fn) \
    g_test_add("/hw/i8254/" path, Pit, NULL, pit_setup, fn, pit_teardown)
    ADD("state/table", test_state_table);
    ADD("state/golden", test_state_golden);
    ADD("state/load", test_state_load);
    ADD("state/load-v2", test_state_load_v2);
    ADD("state/truncated", test_state_truncated);
    ADD("state/restore", test_state_restore);
    ADD("state/post-load", test_state_post_load);
#undef ADD
    g_test_add("/hw/i8254/state/migrate-v3", Pit, GINT_TO_POINTER(3),
               pit_setup, test_state_migrate, pit_teardown);
    g_test_add("/hw/i8254/state/migrate-v2", Pit, GINT_TO_POINTER(2),
               pit_setup, test_state_migrate, pit_teardown);
}
