/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libxl stream v2 records and the xl save-file header against the bytes
 * of xen-toolstack.md §4.4, which Xen's verify-stream-v2 accepts.
 */
#include "test-glue.h"
#include "toolstack-glue/libxl-stream.h"

#include <string.h>

/* §4.4: the minimal accepted xl image (--no-config --payload-text hello). */
static const uint8_t golden[164] = {
    /* xl magic "Xen saved domain, xl format\n \0 \r" */
    0x58, 0x65, 0x6e, 0x20, 0x73, 0x61, 0x76, 0x65,
    0x64, 0x20, 0x64, 0x6f, 0x6d, 0x61, 0x69, 0x6e,
    0x2c, 0x20, 0x78, 0x6c, 0x20, 0x66, 0x6f, 0x72,
    0x6d, 0x61, 0x74, 0x0a, 0x20, 0x00, 0x20, 0x0d,
    0x04, 0x03, 0x02, 0x01,             /* byteorder 0x01020304, native */
    0x02, 0x00, 0x00, 0x00,             /* mandatory_flags: STREAMv2 */
    0x00, 0x00, 0x00, 0x00,             /* optional_flags */
    0x04, 0x00, 0x00, 0x00,             /* optional_data_len */
    0x00, 0x00, 0x00, 0x00,             /* config_len: no config */
    /* libxl header (big-endian): "LibxlFmt", version 2, options 0 */
    0x4c, 0x69, 0x62, 0x78, 0x6c, 0x46, 0x6d, 0x74,
    0x00, 0x00, 0x00, 0x02,
    0x00, 0x00, 0x00, 0x00,
    0x01, 0x00, 0x00, 0x00,             /* LIBXC_CONTEXT */
    0x00, 0x00, 0x00, 0x00,             /* body_length 0 */
    /* libxc image header (big-endian): marker, "XENF", v3, options */
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0x58, 0x45, 0x4e, 0x46,
    0x00, 0x00, 0x00, 0x03,
    0x00, 0x00, 0x00, 0x00,             /* options, reserved */
    0x00, 0x00, 0x00, 0x00,             /* reserved */
    /* libxc domain header: HVM, page_shift 12, Xen 4.17 */
    0x02, 0x00, 0x00, 0x00,
    0x0c, 0x00, 0x00, 0x00,
    0x04, 0x00, 0x00, 0x00,
    0x11, 0x00, 0x00, 0x00,
    0x10, 0x00, 0x00, 0x00,             /* libxc STATIC_DATA_END */
    0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00,             /* libxc END */
    0x00, 0x00, 0x00, 0x00,
    0x03, 0x00, 0x00, 0x00,             /* EMULATOR_CONTEXT */
    0x0d, 0x00, 0x00, 0x00,             /* body_length 8 + 5 */
    0x02, 0x00, 0x00, 0x00,             /* emulator id: qemu-upstream */
    0x00, 0x00, 0x00, 0x00,             /* index 0 */
    0x68, 0x65, 0x6c, 0x6c, 0x6f,       /* "hello" */
    0x00, 0x00, 0x00,                   /* padding to 8 */
    0x00, 0x00, 0x00, 0x00,             /* END */
    0x00, 0x00, 0x00, 0x00,
};

static void test_golden(void)
{
    g_autoptr(GByteArray) img = glue_image_build("hello", 5, NULL);

    g_assert_cmpmem(img->data, img->len, golden, sizeof(golden));
}

static void test_parse_golden(void)
{
    g_autoptr(GError) err = NULL;
    GlueImage img;

    g_assert_true(glue_image_parse(golden, sizeof(golden), true, &img,
                                   NULL, NULL, &err));
    g_assert_no_error(err);
    g_assert_true(img.xl);
    g_assert_cmpuint(img.xl_header.mandatory_flags, ==, GLUE_XL_FLAG_STREAMV2);
    g_assert_null(img.xl_header.config);
    g_assert_cmpuint(img.libxl_offset, ==, 0x34);
    g_assert_true(img.libxc);
    g_assert_cmpuint(img.libxc_version, ==, 3);
    g_assert_cmpuint(img.libxc_offset, ==, 0x4c);
    g_assert_cmpuint(img.libxc_records, ==, 2);
    g_assert_true(img.emulator);
    g_assert_cmpuint(img.emu.id, ==, GLUE_EMULATOR_QEMU_UPSTREAM);
    g_assert_cmpuint(img.emu.index, ==, 0);
    g_assert_cmpmem(img.emu.data, img.emu.len, "hello", 5);
    g_assert_cmpuint(img.emu_offset, ==, 0x94);
    /* LIBXC_CONTEXT, EMULATOR_CONTEXT, END */
    g_assert_cmpuint(img.records, ==, 3);
    g_assert_cmpuint(img.end_offset, ==, sizeof(golden));
}

static void test_truncated(void)
{
    for (size_t n = 0; n < sizeof(golden); n++) {
        g_autoptr(GError) err = NULL;
        GlueImage img;

        g_assert_false(glue_image_parse(golden, n, true, &img, NULL, NULL,
                                        &err));
        g_assert_nonnull(err);
        g_assert_nonnull(strstr(err->message, "offset"));
    }
}

/* A raw libxl stream: header, then the records built by fill. */
static GByteArray *raw_stream(void (*fill)(GByteArray *out))
{
    GByteArray *out = g_byte_array_new();

    glue_libxl_header_put(out);
    fill(out);
    glue_end_put(out);
    return out;
}

static gboolean parse_raw(GByteArray *s, GlueImage *img, GError **errp)
{
    return glue_image_parse(s->data, s->len, false, img, NULL, NULL, errp);
}

static void fill_mandatory(GByteArray *out)
{
    glue_record_put(out, 6, "x", 1);
}

static void fill_optional(GByteArray *out)
{
    glue_record_put(out, GLUE_RECORD_OPTIONAL | 7, "abc", 3);
    glue_emulator_context_put(out, GLUE_EMULATOR_QEMU_UPSTREAM, 0, "s", 1);
}

static void fill_emulator_id(GByteArray *out)
{
    glue_emulator_context_put(out, 3, 0, "s", 1);
}

static void fill_short_emulator(GByteArray *out)
{
    glue_record_put(out, GLUE_REC_EMULATOR_CONTEXT, "1234567", 7);
}

static void fill_two_emulators(GByteArray *out)
{
    glue_emulator_context_put(out, GLUE_EMULATOR_QEMU_UPSTREAM, 0, "a", 1);
    glue_emulator_context_put(out, GLUE_EMULATOR_QEMU_UPSTREAM, 3, "bc", 2);
}

static void test_unknown_types(void)
{
    g_autoptr(GByteArray) mand = raw_stream(fill_mandatory);
    g_autoptr(GByteArray) opt = raw_stream(fill_optional);
    g_autoptr(GByteArray) id = raw_stream(fill_emulator_id);
    g_autoptr(GByteArray) shrt = raw_stream(fill_short_emulator);
    g_autoptr(GByteArray) two = raw_stream(fill_two_emulators);
    g_autoptr(GError) err = NULL;
    GlueImage img;

    /* libxl-migration-stream.pandoc: unknown mandatory types are fatal. */
    g_assert_false(parse_raw(mand, &img, &err));
    g_assert_nonnull(strstr(err->message, "unknown mandatory type 0x6 at "
                                          "offset 0x10"));
    g_clear_error(&err);
    /* ...and the top bit makes a record optional: skipped. */
    g_assert_true(parse_raw(opt, &img, &err));
    g_assert_no_error(err);
    g_assert_true(img.emulator);
    g_assert_cmpmem(img.emu.data, img.emu.len, "s", 1);
    g_assert_false(parse_raw(id, &img, &err));
    g_assert_nonnull(strstr(err->message, "unknown emulator id 3"));
    g_clear_error(&err);
    /* Emulator records carry at least the 8-byte sub-header. */
    g_assert_false(parse_raw(shrt, &img, &err));
    g_assert_nonnull(strstr(err->message, "EMULATOR_CONTEXT at offset 0x10"));
    g_clear_error(&err);
    /* libxl_stream_read.c: each EMULATOR_CONTEXT replaces the last. */
    g_assert_true(parse_raw(two, &img, &err));
    g_assert_cmpuint(img.emu.index, ==, 3);
    g_assert_cmpmem(img.emu.data, img.emu.len, "bc", 2);
}

static void test_padding(void)
{
    g_autoptr(GByteArray) s = g_byte_array_sized_new(sizeof(golden));
    g_autoptr(GError) err = NULL;
    GlueImage img;

    g_byte_array_append(s, golden, sizeof(golden));
    s->data[0x9a] = 1;        /* a padding byte after "hello" */
    g_assert_false(glue_image_parse(s->data, s->len, true, &img, NULL,
                                    NULL, &err));
    g_assert_nonnull(strstr(err->message, "non-zero padding at offset "
                                          "0x9a"));
}

static void test_headers(void)
{
    g_autoptr(GByteArray) s = g_byte_array_sized_new(sizeof(golden));
    g_autoptr(GError) err = NULL;
    GlueImage img;

    g_byte_array_append(s, golden, sizeof(golden));
    s->data[0x3f] = 3;        /* libxl version 3 */
    g_assert_false(glue_image_parse(s->data, s->len, true, &img, NULL,
                                    NULL, &err));
    g_assert_nonnull(strstr(err->message, "version 3 at offset 0x3c"));
    g_clear_error(&err);
    s->data[0x3f] = 2;
    s->data[0x24] = 0;        /* xl flags without STREAMv2 */
    g_assert_false(glue_image_parse(s->data, s->len, true, &img, NULL,
                                    NULL, &err));
    g_assert_nonnull(strstr(err->message, "lack STREAMv2"));
    g_clear_error(&err);
    s->data[0x24] = 2;
    s->data[0x43] = 4;        /* libxl options bit 2: reserved */
    g_assert_false(glue_image_parse(s->data, s->len, true, &img, NULL,
                                    NULL, &err));
    g_assert_nonnull(strstr(err->message, "options 0x4"));
}

static void test_config(void)
{
    static const char config[] = "{\"c_info\": {}}";
    g_autoptr(GByteArray) img = glue_image_build("QEVM", 4, config);
    g_autoptr(GError) err = NULL;
    GlueImage p;

    g_assert_true(glue_image_parse(img->data, img->len, true, &p, NULL,
                                   NULL, &err));
    /* xl.h: JSON config with its trailing NUL, after a u32 length. */
    g_assert_cmpuint(p.xl_header.mandatory_flags, ==,
                     GLUE_XL_FLAG_STREAMV2 | GLUE_XL_FLAG_JSON);
    g_assert_cmpuint(p.xl_header.config_len, ==, sizeof(config));
    g_assert_cmpmem(p.xl_header.config, p.xl_header.config_len, config,
                    sizeof(config));
    g_assert_cmpuint(p.xl_header.optional_data_len, ==, 4 + sizeof(config));
    g_assert_cmpmem(p.emu.data, p.emu.len, "QEVM", 4);
}

static void fill_xenstore(GByteArray *out)
{
    static const char *const pairs[] = {
        "physmap/1/start_addr", "f0000000", "physmap/1/size", "800000",
        "physmap/1/name", "vga.vram", NULL
    };
    glue_xenstore_data_put(out, GLUE_EMULATOR_QEMU_UPSTREAM, 0, pairs);
    glue_emulator_context_put(out, GLUE_EMULATOR_QEMU_UPSTREAM, 0, "s", 1);
}

static void fill_bad_xenstore(GByteArray *out)
{
    static const char *const pairs[] = { "/abs", "v", NULL };
    glue_xenstore_data_put(out, GLUE_EMULATOR_QEMU_UPSTREAM, 0, pairs);
}

static void fill_unterminated_xenstore(GByteArray *out)
{
    static const uint8_t body[] = { 2, 0, 0, 0, 0, 0, 0, 0, 'k', 0, 'v' };
    glue_record_put(out, GLUE_REC_EMULATOR_XENSTORE_DATA, body,
                    sizeof(body));
}

static void test_xenstore_data(void)
{
    g_autoptr(GByteArray) good = raw_stream(fill_xenstore);
    g_autoptr(GByteArray) bad = raw_stream(fill_bad_xenstore);
    g_autoptr(GByteArray) unterm = raw_stream(fill_unterminated_xenstore);
    g_autoptr(GError) err = NULL;
    GlueImage img;

    g_assert_true(parse_raw(good, &img, &err));
    g_assert_cmpuint(img.xenstore_pairs, ==, 3);
    /* libxl_stream_read.c: keys are relative to the DM's path. */
    g_assert_false(parse_raw(bad, &img, &err));
    g_assert_nonnull(strstr(err->message, "is absolute"));
    g_clear_error(&err);
    /* 16 (header) + 8 (record) + 8 (emulator) + "k\0" */
    g_assert_false(parse_raw(unterm, &img, &err));
    g_assert_nonnull(strstr(err->message, "value of 'k' at offset 0x22 is "
                                          "not NUL-terminated"));
}

static void test_names(void)
{
    g_assert_cmpstr(glue_record_name(GLUE_REC_EMULATOR_CONTEXT), ==,
                    "EMULATOR_CONTEXT");
    g_assert_cmpstr(glue_record_name(GLUE_REC_CHECKPOINT_STATE), ==,
                    "CHECKPOINT_STATE");
    g_assert_null(glue_record_name(6));
    g_assert_cmpstr(glue_emulator_name(2), ==, "qemu-upstream");
    g_assert_null(glue_emulator_name(3));
}

void test_libxl_stream_register(void)
{
    g_test_add_func("/glue/libxl/golden", test_golden);
    g_test_add_func("/glue/libxl/parse-golden", test_parse_golden);
    g_test_add_func("/glue/libxl/truncated", test_truncated);
    g_test_add_func("/glue/libxl/unknown-types", test_unknown_types);
    g_test_add_func("/glue/libxl/padding", test_padding);
    g_test_add_func("/glue/libxl/headers", test_headers);
    g_test_add_func("/glue/libxl/xenstore-data", test_xenstore_data);
    g_test_add_func("/glue/xl/config", test_config);
    g_test_add_func("/glue/libxl/names", test_names);
}
