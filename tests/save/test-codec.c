/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The state-table codec against hand-written bytes (QEMU vmstate rules). */
#include "test-save.h"

#include "dm/clock.h"
#include "hw/i440fx.h"
#include "hw/piix3.h"
#include "save/codec.h"

#include <string.h>

typedef struct {
    uint8_t a;
    uint16_t b;
    int32_t c;
    uint64_t d;
    bool e;
    uint8_t buf[3];
    uint32_t arr[2];
    uint32_t newer;           /* since version 2 */
    uint32_t tested;          /* only when flag */
    bool flag;
    uint8_t sub;              /* in subsection "demo/sub" */
    DmTimer timer;
} Demo;

static bool demo_tested(void *opaque, int version)
{
    return ((Demo *)opaque)->flag;
}

static bool demo_sub_needed(void *opaque)
{
    return ((Demo *)opaque)->sub != 0;
}

static const SaveField demo_sub_fields[] = {
    SAVE_FIELD_U8(Demo, sub),
    SAVE_END
};

static const SaveSection demo_sub = {
    .name = "demo/sub",
    .version = 1,
    .minimum_version = 1,
    .fields = demo_sub_fields,
    .needed = demo_sub_needed,
};

static const SaveSection *const demo_subsections[] = { &demo_sub, NULL };

static const SaveField demo_fields[] = {
    SAVE_FIELD_U8(Demo, a),
    SAVE_FIELD_U16(Demo, b),
    SAVE_FIELD_I32(Demo, c),
    SAVE_FIELD_U64(Demo, d),
    SAVE_FIELD_BOOL(Demo, e),
    SAVE_FIELD_BUFFER(Demo, buf),
    SAVE_FIELD_U32_ARRAY(Demo, arr, 2),
    SAVE_FIELD_UNUSED("gap", 2),
    SAVE_FIELD_U32_SINCE(Demo, newer, 2),
    SAVE_FIELD_BOOL(Demo, flag),
    SAVE_FIELD_U32_TEST(Demo, tested, demo_tested),
    SAVE_FIELD_TIMER(Demo, timer),
    SAVE_END
};

static const SaveSection demo_section = {
    .name = "demo",
    .version = 2,
    .minimum_version = 1,
    .fields = demo_fields,
    .subsections = demo_subsections,
};

static const uint8_t demo_golden[] = {
    0x11,                               /* a */
    0x22, 0x33,                         /* b, big-endian */
    0xff, 0xff, 0xff, 0xfe,             /* c = -2 */
    0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08,     /* d */
    0x01,                               /* e */
    0xaa, 0xbb, 0xcc,                   /* buf, raw */
    0x00, 0x00, 0x00, 0x05,             /* arr[0] */
    0x00, 0x00, 0x00, 0x06,             /* arr[1] */
    0x00, 0x00,                         /* gap: zeros */
    0x00, 0x00, 0x01, 0x00,             /* newer (v2) */
    0x01,                               /* flag */
    0xde, 0xad, 0xbe, 0xef,             /* tested (flag set) */
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0xe8,     /* timer at 1000 */
    0x05, 0x08, 'd', 'e', 'm', 'o', '/', 's', 'u', 'b', /* subsection */
    0x00, 0x00, 0x00, 0x01,             /* its version */
    0x77,                               /* sub */
};

static void demo_init(Demo *d, DmClock *clock)
{
    memset(d, 0, sizeof(*d));
    dm_timer_init(&d->timer, clock, NULL, NULL);
}

static void demo_fill(Demo *d)
{
    d->a = 0x11;
    d->b = 0x2233;
    d->c = -2;
    d->d = 0x0102030405060708;
    d->e = true;
    memcpy(d->buf, "\xaa\xbb\xcc", 3);
    d->arr[0] = 5;
    d->arr[1] = 6;
    d->newer = 0x100;
    d->flag = true;
    d->tested = 0xdeadbeef;
    d->sub = 0x77;
    dm_timer_mod(&d->timer, 1000);
}

static void test_golden_save(void)
{
    g_autoptr(GByteArray) out = g_byte_array_new();
    DmClock *clock = dm_clock_new(true);
    Demo d;

    demo_init(&d, clock);
    demo_fill(&d);
    g_assert_true(save_encode(&demo_section, &d, out, NULL));
    g_assert_cmpmem(out->data, out->len, demo_golden, sizeof(demo_golden));
    dm_timer_del(&d.timer);
    dm_clock_free(clock);
}

static void test_golden_load(void)
{
    DmClock *clock = dm_clock_new(true);
    SaveReader r = { .data = demo_golden, .len = sizeof(demo_golden) };
    g_autoptr(GByteArray) again = g_byte_array_new();
    Demo d;

    demo_init(&d, clock);
    g_assert_true(save_decode(&demo_section, &d, 2, &r,
                              SAVE_DECODE_APPLY, NULL));
    g_assert_cmpuint(r.pos, ==, sizeof(demo_golden));
    g_assert_cmpint(d.c, ==, -2);
    g_assert_cmpuint(d.tested, ==, 0xdeadbeef);
    g_assert_cmpuint(d.sub, ==, 0x77);
    g_assert_true(dm_timer_pending(&d.timer));
    g_assert_cmpint(d.timer.expire, ==, 1000);
    /* save -> load -> save gives the same bytes */
    g_assert_true(save_encode(&demo_section, &d, again, NULL));
    g_assert_cmpmem(again->data, again->len, demo_golden,
                    sizeof(demo_golden));
    dm_timer_del(&d.timer);
    dm_clock_free(clock);
}

static void test_check_mode_leaves_timers(void)
{
    DmClock *clock = dm_clock_new(true);
    SaveReader r = { .data = demo_golden, .len = sizeof(demo_golden) };
    Demo d;

    demo_init(&d, clock);
    g_assert_true(save_decode(&demo_section, &d, 2, &r,
                              SAVE_DECODE_CHECK, NULL));
    g_assert_false(dm_timer_pending(&d.timer));
    dm_clock_free(clock);
}

static void test_truncated(void)
{
    DmClock *clock = dm_clock_new(true);

    /*
     * Every cut short of the end either fails naming the field and the
     * offset, or (inside a subsection header, which QEMU only peeks at)
     * stops before the cut bytes, leaving them to the record reader.
     */
    for (size_t len = 0; len < sizeof(demo_golden); len++) {
        SaveReader r = { .data = demo_golden, .len = len,
                          .origin = 0x100 };
        g_autoptr(GError) err = NULL;
        Demo d;

        demo_init(&d, clock);
        if (save_decode(&demo_section, &d, 2, &r, SAVE_DECODE_CHECK, &err)) {
            g_assert_cmpuint(len, >=, sizeof(demo_golden) - 15);
            g_assert_cmpuint(r.pos, ==, sizeof(demo_golden) - 15);
            continue;
        }
        g_assert_nonnull(strstr(err->message, "section 'demo"));
        g_assert_nonnull(strstr(err->message, "offset 0x1"));
    }
    dm_clock_free(clock);
}

static void test_older_version(void)
{
    /* A v1 payload lacks 'newer'; the field keeps what it had. */
    static const uint8_t v1[] = {
        0x11, 0x22, 0x33, 0xff, 0xff, 0xff, 0xfe,
        1, 2, 3, 4, 5, 6, 7, 8, 0x00, 0xaa, 0xbb, 0xcc,
        0, 0, 0, 5, 0, 0, 0, 6, 0, 0,
        0x00,                                       /* flag clear */
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,     /* no timer */
    };
    DmClock *clock = dm_clock_new(true);
    SaveReader r = { .data = v1, .len = sizeof(v1) };
    Demo d;

    demo_init(&d, clock);
    d.newer = 42;
    d.tested = 7;
    dm_timer_mod(&d.timer, 5);
    g_assert_true(save_decode(&demo_section, &d, 1, &r, SAVE_DECODE_APPLY,
                              NULL));
    g_assert_cmpuint(r.pos, ==, sizeof(v1));
    g_assert_cmpuint(d.newer, ==, 42);
    g_assert_cmpuint(d.tested, ==, 7);
    g_assert_false(dm_timer_pending(&d.timer));
    dm_clock_free(clock);
}

static void test_unknown_subsection(void)
{
    g_autoptr(GByteArray) in = g_byte_array_new();
    g_autoptr(GError) err = NULL;
    DmClock *clock = dm_clock_new(true);
    SaveReader r;
    Demo d;

    g_byte_array_append(in, demo_golden, sizeof(demo_golden) - 15);
    g_byte_array_append(in, (const uint8_t *)"\x05\x08" "demo/xyz"
                        "\x00\x00\x00\x01\x00", 15);
    r = (SaveReader){ .data = in->data, .len = in->len };
    demo_init(&d, clock);
    g_assert_false(save_decode(&demo_section, &d, 2, &r, SAVE_DECODE_CHECK,
                               &err));
    g_assert_nonnull(strstr(err->message, "unknown subsection 'demo/xyz'"));
    dm_clock_free(clock);
}

static void test_subsection_version(void)
{
    g_autoptr(GByteArray) in = g_byte_array_new();
    g_autoptr(GError) err = NULL;
    DmClock *clock = dm_clock_new(true);
    SaveReader r;
    Demo d;

    g_byte_array_append(in, demo_golden, sizeof(demo_golden));
    in->data[in->len - 2] = 2;          /* subsection version 2 > 1 */
    r = (SaveReader){ .data = in->data, .len = in->len };
    demo_init(&d, clock);
    g_assert_false(save_decode(&demo_section, &d, 2, &r, SAVE_DECODE_CHECK,
                               &err));
    g_assert_nonnull(strstr(err->message, "version 2 outside 1..1"));
    dm_clock_free(clock);
}

typedef struct {
    uint8_t n;
    int32_t v[4];
} Counted;

static const SaveField counted_fields[] = {
    SAVE_FIELD_U8(Counted, n),
    SAVE_FIELD_I32_VARRAY(Counted, v, 4, n),
    SAVE_END
};

static const SaveSection counted_section = {
    .name = "counted",
    .version = 1,
    .minimum_version = 1,
    .fields = counted_fields,
};

/* A count read earlier in the payload sizes the array; capacity bounds it. */
static void test_varray(void)
{
    static const uint8_t two[] = {
        0x02,                               /* n */
        0x00, 0x00, 0x00, 0x07,             /* v[0] */
        0xff, 0xff, 0xff, 0xf9,             /* v[1] = -7 */
    };
    static const uint8_t five[] = { 0x05, 0, 0, 0, 1 };
    SaveReader r = { .data = two, .len = sizeof(two) };
    g_autoptr(GError) err = NULL;
    g_autoptr(GByteArray) out = g_byte_array_new();
    Counted c = { 0 };

    g_assert_true(save_decode(&counted_section, &c, 1, &r, SAVE_DECODE_APPLY,
                              NULL));
    g_assert_cmpuint(r.pos, ==, sizeof(two));
    g_assert_cmpint(c.v[1], ==, -7);
    g_assert_true(save_encode(&counted_section, &c, out, NULL));
    g_assert_cmpmem(out->data, out->len, two, sizeof(two));
    g_assert_cmpuint(save_section_wire_size(&counted_section, &c, 1), ==, 9);

    r = (SaveReader){ .data = five, .len = sizeof(five), .origin = 0x40 };
    g_assert_false(save_decode(&counted_section, &c, 1, &r,
                               SAVE_DECODE_CHECK, &err));
    g_assert_nonnull(strstr(err->message, "has 5 elements, at most 4"));
    g_assert_nonnull(strstr(err->message, "offset 0x41"));
}

/* Table sizes of the devices against QEMU 7.2 (qemu-stream.md 4.3-4.5). */
static void test_device_sizes(void)
{
    g_autofree I440fx *host = g_new0(I440fx, 1);
    g_autofree Piix3 *isa = g_new0(Piix3, 1);

    g_assert_cmpuint(save_section_wire_size(&pci_device_section, &host->pci,
                                            2), ==, 276);
    g_assert_cmpuint(save_section_wire_size(i440fx_info.state, host, 3), ==,
                     277);
    g_assert_cmpuint(save_section_wire_size(piix3_info.state, isa, 3), ==,
                     292);
    g_assert_cmpuint(save_section_wire_size(piix3_info.state, isa, 2), ==,
                     276);
    g_assert_cmpuint(save_section_wire_size(&pci_host_section, host->bus, 1),
                     ==, 4);
}

void test_codec_register(void)
{
    g_test_add_func("/save/codec/golden-save", test_golden_save);
    g_test_add_func("/save/codec/golden-load", test_golden_load);
    g_test_add_func("/save/codec/check-mode", test_check_mode_leaves_timers);
    g_test_add_func("/save/codec/truncated", test_truncated);
    g_test_add_func("/save/codec/older-version", test_older_version);
    g_test_add_func("/save/codec/unknown-subsection",
                    test_unknown_subsection);
    g_test_add_func("/save/codec/subsection-version",
                    test_subsection_version);
    g_test_add_func("/save/codec/varray", test_varray);
    g_test_add_func("/save/tables/device-sizes", test_device_sizes);
}
