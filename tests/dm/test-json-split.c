/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Cutting a QMP byte stream into messages (dm/json-split.h). */
#include "test-dm.h"

#include "dm/json-split.h"

#include <string.h>

/* Messages as delivered; errors are recorded as "ERROR: <text>". */
static void collect(void *opaque, const char *text, const char *error)
{
    GPtrArray *out = opaque;

    g_assert_true((text == NULL) != (error == NULL));
    if (error) {
        g_ptr_array_add(out, g_strdup_printf("ERROR: %s", error));
    } else {
        g_ptr_array_add(out, g_strdup(text));
    }
}

static GPtrArray *messages_new(void)
{
    return g_ptr_array_new_with_free_func(g_free);
}

/* Feeds data in chunks of the given sizes (cycled); 0 means all at once. */
static GPtrArray *split(const char *data, size_t len, size_t limit,
                        const size_t *chunks, size_t nchunks)
{
    GPtrArray *out = messages_new();
    DmJsonSplitter s;
    size_t off = 0;

    dm_json_splitter_init(&s, limit);
    for (size_t i = 0; off < len; i++) {
        size_t n = nchunks ? chunks[i % nchunks] : len;
        n = MIN(n, len - off);
        dm_json_splitter_feed(&s, data + off, n, collect, out);
        off += n;
    }
    dm_json_splitter_destroy(&s);
    return out;
}

static GPtrArray *split_all(const char *data, size_t limit)
{
    return split(data, strlen(data), limit, NULL, 0);
}

static void assert_messages(GPtrArray *got, const char *const *want)
{
    guint n = 0;

    while (want[n]) {
        g_assert_cmpuint(n, <, got->len);
        g_assert_cmpstr(g_ptr_array_index(got, n), ==, want[n]);
        n++;
    }
    g_assert_cmpuint(got->len, ==, n);
}

static void assert_same(GPtrArray *a, GPtrArray *b)
{
    g_assert_cmpuint(a->len, ==, b->len);
    for (guint i = 0; i < a->len; i++) {
        g_assert_cmpstr(g_ptr_array_index(a, i), ==, g_ptr_array_index(b, i));
    }
}

/* A session as libxl and a human at socat would type it. */
static const char stream[] =
    "{ \"execute\": \"qmp_capabilities\" }\r\n"
    "{\"execute\":\"query-status\",\"id\":1}"
    "{\"execute\": \"xen-save-devices-state\",\n"
    "  \"arguments\": {\"filename\": \"/dev/fdset/1\", \"live\": false}}\n"
    "  {\"execute\": \"x\", \"arguments\": {\"s\": \"}{][\\\"}\"}}\n"
    "[1, [2, [3, {\"a\": [4]}]], \"]\"]\n"
    "garbage 42\ttrue\n"
    "{\"id\": \"\\\\\", \"execute\": \"stop\"}";

static const char *const stream_messages[] = {
    "{ \"execute\": \"qmp_capabilities\" }",
    "{\"execute\":\"query-status\",\"id\":1}",
    "{\"execute\": \"xen-save-devices-state\",\n"
    "  \"arguments\": {\"filename\": \"/dev/fdset/1\", \"live\": false}}",
    "{\"execute\": \"x\", \"arguments\": {\"s\": \"}{][\\\"}\"}}",
    "[1, [2, [3, {\"a\": [4]}]], \"]\"]",
    "garbage",
    "42",
    "true",
    "{\"id\": \"\\\\\", \"execute\": \"stop\"}",
    NULL
};

static void test_whole_stream(void)
{
    g_autoptr(GPtrArray) got = split_all(stream, 4096);

    assert_messages(got, stream_messages);
}

static void test_byte_by_byte(void)
{
    static const size_t one[] = { 1 };
    g_autoptr(GPtrArray) got = split(stream, strlen(stream), 4096, one, 1);

    assert_messages(got, stream_messages);
}

static void test_random_chunks(void)
{
    GRand *rand = g_rand_new_with_seed(0x15);
    g_autoptr(GPtrArray) whole = split_all(stream, 4096);

    /* Every cut point is some chunking's boundary; try many. */
    for (unsigned round = 0; round < 200; round++) {
        size_t chunks[7];
        for (size_t i = 0; i < G_N_ELEMENTS(chunks); i++) {
            chunks[i] = g_rand_int_range(rand, 1, 40);
        }
        g_autoptr(GPtrArray) got = split(stream, strlen(stream), 4096,
                                         chunks, G_N_ELEMENTS(chunks));
        assert_same(whole, got);
    }
    /* And each single split point, exhaustively. */
    for (size_t cut = 1; cut < strlen(stream); cut++) {
        size_t chunks[2] = { cut, strlen(stream) };
        g_autoptr(GPtrArray) got = split(stream, strlen(stream), 4096,
                                         chunks, 2);
        assert_same(whole, got);
    }
    g_rand_free(rand);
}

static void test_strings(void)
{
    /* Brackets and escaped quotes inside strings do not count. */
    static const char *const want[] = {
        "{\"a\": \"{{{[[[\"}",
        "{\"b\": \"\\\"}\\\"\"}",
        "{\"c\": \"\\\\\"}",
        "\"a string } with spaces\"",
        NULL
    };
    g_autoptr(GPtrArray) got = split_all(
        "{\"a\": \"{{{[[[\"}{\"b\": \"\\\"}\\\"\"}\n"
        "{\"c\": \"\\\\\"}\"a string } with spaces\" ", 4096);

    assert_messages(got, want);
}

static void test_two_in_one_chunk(void)
{
    static const char *const want[] = {
        "{\"execute\":\"stop\"}", "{\"execute\":\"cont\"}", "[]", "{}", NULL
    };
    g_autoptr(GPtrArray) got = split_all(
        "{\"execute\":\"stop\"}{\"execute\":\"cont\"}\n[] {}", 4096);

    assert_messages(got, want);
}

static void test_bare_tokens(void)
{
    static const char *const want[] = {
        "abc", "1.5", "null", "x", "\"y z\"", "nul", "{\"a\": 1}", "t",
        "[2]", NULL
    };
    g_autoptr(GPtrArray) got = split_all(
        "  abc\n1.5\r\nnull\tx\"y z\" nul{\"a\": 1}t[2] tail", 4096);

    /*
     * A bare token ends at a blank or where a new value starts, as in
     * QEMU's lexer; "tail" has nothing after it yet, so it is still
     * being read.
     */
    assert_messages(got, want);
}

static void test_nul_byte(void)
{
    static const char *const want[] = {
        "ERROR: JSON parse error, stray NUL byte",
        "{\"b\": 1}",
        "abc",
        "ERROR: JSON parse error, stray NUL byte",
        "[3]",
        NULL
    };
    static const char in[] = "{\"a\": \"x\0{\"b\": 1}abc\0[3]";
    static const size_t one[] = { 1 };
    g_autoptr(GPtrArray) whole = split(in, sizeof(in) - 1, 4096, NULL, 0);
    g_autoptr(GPtrArray) bytes = split(in, sizeof(in) - 1, 4096, one, 1);

    /*
     * As QEMU's lexer: a NUL drops the message it interrupts, even inside
     * a string, and is an error of its own; a bare token before it is
     * still delivered.
     */
    assert_messages(whole, want);
    assert_messages(bytes, want);
}

static void test_no_newline_needed(void)
{
    GPtrArray *out = messages_new();
    DmJsonSplitter s;

    /* libxl does not wait for a newline; neither may the splitter. */
    dm_json_splitter_init(&s, 4096);
    dm_json_splitter_feed(&s, "{\"execute\":", 11, collect, out);
    g_assert_cmpuint(out->len, ==, 0);
    dm_json_splitter_feed(&s, "\"cont\"}", 7, collect, out);
    g_assert_cmpuint(out->len, ==, 1);
    g_assert_cmpstr(g_ptr_array_index(out, 0), ==, "{\"execute\":\"cont\"}");
    /* A reset (client gone) forgets a half-read message. */
    dm_json_splitter_feed(&s, "{\"execute\": \"st", 15, collect, out);
    dm_json_splitter_reset(&s);
    dm_json_splitter_feed(&s, "[7]", 3, collect, out);
    g_assert_cmpuint(out->len, ==, 2);
    g_assert_cmpstr(g_ptr_array_index(out, 1), ==, "[7]");
    dm_json_splitter_destroy(&s);
    g_ptr_array_free(out, TRUE);
}

static void test_oversize(void)
{
    static const size_t one[] = { 1 };
    g_autoptr(GString) in = g_string_new("{\"execute\": \"");
    g_autoptr(GPtrArray) whole = NULL;
    g_autoptr(GPtrArray) bytes = NULL;
    GPtrArray *runs[2];

    /* 300 bytes on one line against a 64-byte limit, with brackets later. */
    for (unsigned i = 0; i < 300; i++) {
        g_string_append_c(in, "ab}{]["[i % 6]);
    }
    g_string_append(in, "\"} {\"x\": 1}\n{\"execute\":\"cont\"}\n");
    whole = split(in->str, in->len, 64, NULL, 0);
    bytes = split(in->str, in->len, 64, one, 1);
    runs[0] = whole;
    runs[1] = bytes;
    for (unsigned r = 0; r < 2; r++) {
        GPtrArray *got = runs[r];
        g_assert_cmpuint(got->len, ==, 2);
        g_assert_true(g_str_has_prefix(g_ptr_array_index(got, 0), "ERROR: "));
        g_assert_nonnull(strstr(g_ptr_array_index(got, 0), "64"));
        g_assert_cmpstr(g_ptr_array_index(got, 1), ==,
                        "{\"execute\":\"cont\"}");
    }
}

static void test_limit_exact(void)
{
    /* A message of exactly the limit still fits; one byte more does not. */
    g_autoptr(GPtrArray) fits = split_all("{\"a\":\"0123456789\"}\n", 18);
    g_autoptr(GPtrArray) over = split_all("{\"a\":\"01234567890\"}\n[1]\n",
                                          18);
    static const char *const want_fits[] = { "{\"a\":\"0123456789\"}", NULL };

    assert_messages(fits, want_fits);
    g_assert_cmpuint(over->len, ==, 2);
    g_assert_true(g_str_has_prefix(g_ptr_array_index(over, 0), "ERROR: "));
    g_assert_cmpstr(g_ptr_array_index(over, 1), ==, "[1]");
}

void test_json_split_register(void)
{
    g_test_add_func("/dm/json-split/whole-stream", test_whole_stream);
    g_test_add_func("/dm/json-split/byte-by-byte", test_byte_by_byte);
    g_test_add_func("/dm/json-split/random-chunks", test_random_chunks);
    g_test_add_func("/dm/json-split/strings", test_strings);
    g_test_add_func("/dm/json-split/two-in-one-chunk", test_two_in_one_chunk);
    g_test_add_func("/dm/json-split/bare-tokens", test_bare_tokens);
    g_test_add_func("/dm/json-split/nul-byte", test_nul_byte);
    g_test_add_func("/dm/json-split/no-newline-needed",
                    test_no_newline_needed);
    g_test_add_func("/dm/json-split/oversize", test_oversize);
    g_test_add_func("/dm/json-split/limit-exact", test_limit_exact);
}
