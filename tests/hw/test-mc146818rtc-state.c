/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The MC146818 RTC's "mc146818rtc" section (hw/mc146818rtc.c): the field
 * table, QEMU 7.2's bytes, v1/v2 streams, bad values, migration and the
 * reinjection subsection. The fixture is test-mc146818rtc.h's.
 */
#include "test-hw.h"
#include "test-mc146818rtc.h"

#include "save/codec.h"

#include <string.h>

static GByteArray *encode(Rtc *f)
{
    g_autoptr(GError) err = NULL;
    GByteArray *out = g_byte_array_new();

    g_assert_true(save_encode(mc146818rtc_info.state, f->rtc, out, &err));
    g_assert_no_error(err);
    return out;
}

static gboolean decode(Rtc *f, const uint8_t *buf, size_t len, int version,
                       GError **errp)
{
    SaveReader r = { .data = buf, .len = len };

    return save_decode(mc146818rtc_info.state, f->rtc, version, &r,
                       SAVE_DECODE_APPLY, errp);
}

static void test_state_table(Rtc *f, gconstpointer data)
{
    static const char *const names[] = {
        "cmos_data", "cmos_index", "unused", "periodic_timer",
        "next_periodic_time", "unused", "irq_coalesced", "period",
        "base_rtc", "last_update", "offset", "update_timer",
        "next_alarm_time",
    };
    const SaveSection *s = mc146818rtc_info.state;

    g_assert_cmpstr(s->name, ==, "mc146818rtc");
    g_assert_cmpint(s->version, ==, 3);
    g_assert_cmpint(s->minimum_version, ==, 1);
    for (unsigned i = 0; i < G_N_ELEMENTS(names); i++) {
        g_assert_cmpstr(s->fields[i].name, ==, names[i]);
    }
    g_assert_null(s->fields[G_N_ELEMENTS(names)].name);
    /* qemu-stream.md 4.8: 245 bytes; v2 lacks the last 40, v1 8 more. */
    g_assert_cmpuint(save_section_wire_size(s, f->rtc, 3), ==, 245);
    g_assert_cmpuint(save_section_wire_size(s, f->rtc, 2), ==, 205);
    g_assert_cmpuint(save_section_wire_size(s, f->rtc, 1), ==, 197);
    g_assert_cmpstr(s->subsections[0]->name, ==,
                    "mc146818rtc/irq_reinject_on_ack_count");
    g_assert_null(s->subsections[1]);
    g_assert_cmpuint(save_section_wire_size(s->subsections[0], f->rtc, 1),
                     ==, 2);
}

/* 0.25 s after start, the guest sets a 2 Hz periodic interrupt. */
static void golden_io(Rtc *f)
{
    at(f, NS / 4);
    cmos_write(f, REG_A, 0x2f);
    cmos_write(f, REG_B, B_24H | B_PIE);
}

static const uint8_t golden_v3[245] = {
    /* cmos_data 0x00-0x0f: 23:59:58 Fri 28.02.20, alarm 00:00:00, A-D */
    0x58, 0x00, 0x59, 0x00, 0x23, 0x00, 0x06, 0x28,
    0x02, 0x20, 0x2f, 0x42, 0x00, 0x80, 0x00, 0x00,
    /* 0x10-0x1f: equipment, base and extended memory */
    0x00, 0x00, 0x00, 0x00, 0x06, 0x80, 0x02, 0xff,
    0xff, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    /* 0x30-0x3f: extended memory, century, above 16 MiB, boot order */
    0xff, 0xff, 0x20, 0x00, 0x00, 0x07, 0x00, 0x00,
    0x30, 0x00, 0x00, 0x00, 0x00, 0x12, 0x00, 0x00,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,    /* 0x40 */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,    /* 0x50 */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,    /* 0x60 */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,    /* 0x70 */
    0x0b,                                           /* cmos_index */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,       /* unused: 28 */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0x00, 0x00, 0x00, 0x00, 0x2c, 0xb4, 0x17, 0x81, /* periodic_timer */
    0x00, 0x00, 0x00, 0x00, 0x2c, 0xb4, 0x17, 0x81, /* next_periodic_time */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,             /* unused: 24 */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0x00, 0x00, 0x00, 0x00,                         /* irq_coalesced */
    0x00, 0x00, 0x40, 0x00,                         /* period: 16384 */
    0x00, 0x00, 0x00, 0x00, 0x5e, 0x59, 0xa9, 0x7e, /* base_rtc */
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* last_update */
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* offset */
    0x00, 0x00, 0x00, 0x00, 0x3b, 0x9a, 0xca, 0x00, /* update_timer: 1 s */
    0x00, 0x00, 0x00, 0x00, 0x77, 0x35, 0x94, 0x00, /* next_alarm: 2 s */
};

static void test_state_golden(Rtc *f, gconstpointer data)
{
    g_autoptr(GByteArray) out = NULL;

    golden_io(f);
    out = encode(f);
    g_assert_cmpmem(out->data, out->len, golden_v3, sizeof(golden_v3));
}

/* The golden bytes load into a fresh RTC and save back unchanged. */
static void test_state_load(Rtc *f, gconstpointer data)
{
    g_autoptr(GError) err = NULL;
    g_autoptr(GByteArray) out = NULL;

    at(f, NS / 4);
    g_assert_true(decode(f, golden_v3, sizeof(golden_v3), 3, &err));
    g_assert_no_error(err);
    out = encode(f);
    g_assert_cmpmem(out->data, out->len, golden_v3, sizeof(golden_v3));
    at(f, 750000000);
    g_assert_false(irq8(f));
    at(f, 750000001);
    g_assert_true(irq8(f));
}

/* v1/v2 streams have no base_rtc: the time restarts from the registers. */
static void test_state_load_old(Rtc *f, gconstpointer data)
{
    g_autoptr(GError) err = NULL;
    static const uint8_t t[8] = { 0x00, 0x00, 0x00, 0x07, 0x29, 0x02, 0x20,
                                  0x20 };
    uint8_t v2[205];

    memcpy(v2, golden_v3, sizeof(v2));
    v2[SECOND] = 0x00;
    v2[MINUTE] = 0x00;
    v2[HOUR] = 0x00;
    v2[MDAY] = 0x29;
    at(f, 10 * NS + NS / 4);
    f->rtc->base_rtc = 0;
    g_assert_true(decode(f, v2, sizeof(v2), 2, &err));
    g_assert_no_error(err);
    assert_time(f, t);
    at(f, 11 * NS + NS / 4);
    g_assert_cmphex(cmos_read(f, SECOND), ==, 0x01);
    /* v1: no irq_coalesced or period either; 197 bytes. */
    g_assert_true(decode(f, v2, 197, 1, &err));
    g_assert_no_error(err);
    g_assert_cmpuint(f->rtc->period, ==, 16384);    /* from A and B */
    g_assert_false(decode(f, v2, 196, 1, &err));
    g_assert_error(err, SAVE_ERROR, 0);
}

static void test_state_truncated(Rtc *f, gconstpointer data)
{
    static const size_t lens[] = { 0, 128, 129, 157, 205, 244 };

    for (unsigned i = 0; i < G_N_ELEMENTS(lens); i++) {
        g_autoptr(GError) err = NULL;
        SaveReader r = { .data = golden_v3, .len = lens[i] };

        g_assert_false(save_decode(mc146818rtc_info.state, f->rtc, 3, &r,
                                   SAVE_DECODE_CHECK, &err));
        g_assert_error(err, SAVE_ERROR, 0);
    }
}

/* An index with bit 7 set cannot come from port 0x70. */
static void test_state_bad_index(Rtc *f, gconstpointer data)
{
    g_autoptr(GError) err = NULL;
    uint8_t buf[sizeof(golden_v3)];

    SaveReader r = { .data = buf, .len = sizeof(buf) };

    memcpy(buf, golden_v3, sizeof(buf));
    buf[128] = 0x80;
    /* Refused while checking, before anything is applied. */
    g_assert_false(save_decode(mc146818rtc_info.state, f->rtc, 3, &r,
                               SAVE_DECODE_CHECK, &err));
    g_assert_error(err, SAVE_ERROR, 0);
    g_assert_cmpstr(err->message, ==, "section 'mc146818rtc' v3 (payload "
                    "up to offset 0xf5): field 'cmos_index' = 128 out of "
                    "range");
}

/* An RTC with an alarm, UIE, a written time and a phase in the second. */
static void busy_state(Rtc *f)
{
    at(f, 3 * NS + 123456789);
    cmos_write(f, SECOND_ALARM, 0x10);
    cmos_write(f, MINUTE_ALARM, 0xc0);
    cmos_write(f, HOUR_ALARM, 0xc0);
    cmos_write(f, REG_A, 0x23);
    cmos_write(f, REG_B, B_24H | B_AIE | B_UIE);
    cmos_write(f, MINUTE, 0x07);
    cmos_write(f, 0x50, 0xab);
    at(f, 4 * NS + 200 * MS);
}

/* Save, load into a second RTC at the same time: same bytes, then the
 * same registers and IRQ 8 edges from there on. */
static void test_state_migrate(Rtc *f, gconstpointer data)
{
    g_autoptr(GError) err = NULL;
    g_autoptr(GByteArray) saved = NULL;
    g_autoptr(GByteArray) again = NULL;
    Rtc dst;

    busy_state(f);
    g_assert_true(irq8(f));
    saved = encode(f);
    rtc_setup(&dst, "base=2001-01-01,clock=vm");
    at(&dst, dm_clock_now(f->m.clock));
    g_assert_true(decode(&dst, saved->data, saved->len, 3, &err));
    g_assert_no_error(err);
    again = encode(&dst);
    g_assert_cmpmem(again->data, again->len, saved->data, saved->len);
    g_assert_true(irq8(&dst));                      /* IRQF was set */

    g_array_set_size(f->edges, 0);
    g_array_set_size(dst.edges, 0);
    for (int64_t t = 4 * NS + 300 * MS; t < 20 * NS; t += 700 * MS) {
        at(f, t);
        at(&dst, t);
        for (uint8_t i = 0; i <= REG_C; i++) {
            g_assert_cmphex(cmos_read(f, i), ==, cmos_read(&dst, i));
        }
    }
    g_assert_cmphex(cmos_read(&dst, 0x50), ==, 0xab);
    g_assert_cmpuint(f->edges->len, >, 10);
    g_assert_cmpuint(f->edges->len, ==, dst.edges->len);
    for (guint i = 0; i < f->edges->len; i++) {
        Edge *a = &g_array_index(f->edges, Edge, i);
        Edge *b = &g_array_index(dst.edges, Edge, i);

        g_assert_cmpint(a->at, ==, b->at);
        g_assert_cmpint(a->level, ==, b->level);
    }
    rtc_stop(&dst);
}

/*
 * post_load restarts periodic ticks from the load time unless the saved
 * one is due within QEMU's 60 s clock jump; the golden state saved at
 * 0.25 s has its next tick at 0.75 s.
 */
static void test_state_periodic(Rtc *f, gconstpointer data)
{
    g_autoptr(GError) err = NULL;
    Rtc late;

    at(f, NS / 2);
    g_assert_true(decode(f, golden_v3, sizeof(golden_v3), 3, &err));
    g_assert_no_error(err);
    g_assert_cmpint(f->rtc->next_periodic_time, ==, NS + 1);
    at(f, NS);
    g_assert_false(irq8(f));
    at(f, NS + 1);
    g_assert_true(irq8(f));

    rtc_setup(&late, NULL);
    at(&late, 800 * MS);
    g_assert_true(decode(&late, golden_v3, sizeof(golden_v3), 3, &err));
    g_assert_no_error(err);
    g_assert_false(irq8(&late));
    at(&late, 800 * MS + 1);                        /* overdue: at once */
    g_assert_true(irq8(&late));
    g_assert_cmpint(late.rtc->next_periodic_time, ==, 5 * NS / 4 + 1);
    rtc_stop(&late);
}

/* The subsection travels when QEMU's slew count is non-zero. */
static void test_state_subsection(Rtc *f, gconstpointer data)
{
    static const char name[] = "mc146818rtc/irq_reinject_on_ack_count";
    g_autoptr(GError) err = NULL;
    g_autoptr(GByteArray) out = NULL;
    g_autoptr(GByteArray) again = NULL;

    f->rtc->irq_reinject_on_ack_count = 7;
    out = encode(f);
    g_assert_cmpuint(out->len, ==, 245 + 2 + strlen(name) + 4 + 2);
    g_assert_cmphex(out->data[245], ==, 0x05);
    g_assert_cmpmem(out->data + 247, strlen(name), name, strlen(name));
    g_assert_cmphex(out->data[out->len - 1], ==, 7);
    f->rtc->irq_reinject_on_ack_count = 0;
    g_assert_true(decode(f, out->data, out->len, 3, &err));
    g_assert_no_error(err);
    g_assert_cmpuint(f->rtc->irq_reinject_on_ack_count, ==, 7);
    again = encode(f);
    g_assert_cmpmem(again->data, again->len, out->data, out->len);
}

void test_mc146818rtc_state_register(void)
{
#define ADD(path, fn) \
    g_test_add("/hw/mc146818rtc/" path, Rtc, NULL, rtc_setup, fn, \
               rtc_teardown)
    ADD("state/table", test_state_table);
    ADD("state/golden", test_state_golden);
    ADD("state/load", test_state_load);
    ADD("state/load-old", test_state_load_old);
    ADD("state/truncated", test_state_truncated);
    ADD("state/bad-index", test_state_bad_index);
    ADD("state/migrate", test_state_migrate);
    ADD("state/periodic", test_state_periodic);
    ADD("state/subsection", test_state_subsection);
#undef ADD
}
