/* SPDX-License-Identifier: GPL-2.0-or-later */
/* QEMU-style option strings and their value parsers (dm/keyval.h). */
#include "test-dm.h"

#include "dm/dm-error.h"
#include "dm/keyval.h"

#include <string.h>

static GPtrArray *parse_ok(const char *str, const char *implied)
{
    g_autoptr(GError) err = NULL;
    GPtrArray *kv = dm_keyval_parse(str, implied, &err);

    g_assert_no_error(err);
    g_assert_nonnull(kv);
    return kv;
}

static void parse_fails(const char *str, const char *implied,
                        const char *want)
{
    g_autoptr(GError) err = NULL;

    g_assert_null(dm_keyval_parse(str, implied, &err));
    g_assert_error(err, DM_ERROR, DM_ERROR_INVALID);
    g_assert_nonnull(strstr(err->message, want));
}

static DmKeyval *pair(GPtrArray *kv, guint i)
{
    g_assert_cmpuint(i, <, kv->len);
    return g_ptr_array_index(kv, i);
}

static void test_implied_key(void)
{
    g_autoptr(GPtrArray) kv = parse_ok("socket,id=mon,path=/x", "backend");
    g_autoptr(GPtrArray) named = parse_ok("backend=socket,id=a", "backend");
    g_autoptr(GPtrArray) later = parse_ok("id=a,socket", "backend");

    g_assert_cmpuint(kv->len, ==, 3);
    g_assert_cmpstr(pair(kv, 0)->key, ==, "backend");
    g_assert_cmpstr(pair(kv, 0)->value, ==, "socket");
    g_assert_cmpstr(dm_keyval_get(kv, "id"), ==, "mon");
    g_assert_cmpstr(dm_keyval_get(kv, "path"), ==, "/x");
    g_assert_null(dm_keyval_get(kv, "server"));
    g_assert_cmpstr(dm_keyval_get(named, "backend"), ==, "socket");
    /* Only the first element may omit its key. */
    g_assert_null(dm_keyval_get(later, "backend"));
    g_assert_cmpstr(pair(later, 1)->key, ==, "socket");
    g_assert_null(pair(later, 1)->value);
}

static void test_comma_escape(void)
{
    g_autoptr(GPtrArray) kv = parse_ok("a,,b,path=/x,,y,,,z=1", "file");
    g_autoptr(GPtrArray) key = parse_ok("k,,ey=v", NULL);
    g_autoptr(GPtrArray) tail = parse_ok("v=x,,", NULL);

    g_assert_cmpstr(dm_keyval_get(kv, "file"), ==, "a,b");
    g_assert_cmpstr(dm_keyval_get(kv, "path"), ==, "/x,y,");
    g_assert_cmpstr(dm_keyval_get(kv, "z"), ==, "1");
    g_assert_cmpuint(kv->len, ==, 3);
    g_assert_cmpstr(pair(key, 0)->key, ==, "k,ey");
    /* ",," at the end is an escaped comma, not a trailing separator. */
    g_assert_cmpstr(dm_keyval_get(tail, "v"), ==, "x,");
}

static void test_bare_flags(void)
{
    g_autoptr(GPtrArray) kv = parse_ok("unix:/p,server,nowait", "path");
    bool b = false;

    g_assert_cmpuint(kv->len, ==, 3);
    g_assert_null(pair(kv, 1)->value);
    /* A bare flag reads as "on". */
    g_assert_cmpstr(dm_keyval_get(kv, "server"), ==, "on");
    g_assert_true(dm_keyval_parse_bool(dm_keyval_get(kv, "nowait"), &b));
    g_assert_true(b);
    b = false;
    g_assert_true(dm_keyval_parse_bool(NULL, &b));
    g_assert_true(b);
}

static void test_last_wins(void)
{
    g_autoptr(GPtrArray) kv = parse_ok("a=1,b=2,a=3,b", NULL);

    g_assert_cmpuint(kv->len, ==, 4);
    g_assert_cmpstr(dm_keyval_get(kv, "a"), ==, "3");
    g_assert_cmpstr(dm_keyval_get(kv, "b"), ==, "on");
}

static void test_errors(void)
{
    g_autoptr(GPtrArray) empty = parse_ok("", "type");
    g_autoptr(GPtrArray) empty_value = parse_ok("a=,b=", NULL);

    parse_fails("a=1,", NULL, "trailing comma");
    parse_fails("xenfv,", "type", "trailing comma");
    parse_fails("a=1,=2", NULL, "empty parameter name");
    parse_fails("=2", NULL, "empty parameter name");
    parse_fails("a,,b,=1", "file", "empty parameter name");
    g_assert_cmpuint(empty->len, ==, 0);
    g_assert_cmpstr(dm_keyval_get(empty_value, "a"), ==, "");
    g_assert_cmpstr(dm_keyval_get(empty_value, "b"), ==, "");
}

static void size_is(const char *v, uint64_t unit, uint64_t want)
{
    uint64_t out = 0;

    if (!dm_keyval_parse_size(v, unit, &out)) {
        g_error("size '%s' refused", v);
    }
    g_assert_cmpuint(out, ==, want);
}

static void size_refused(const char *v, uint64_t unit)
{
    uint64_t out = 0x1234;

    if (dm_keyval_parse_size(v, unit, &out)) {
        g_error("size '%s' accepted as %" G_GUINT64_FORMAT, v, out);
    }
    g_assert_cmpuint(out, ==, 0x1234);
}

static void test_sizes(void)
{
    const uint64_t mib = UINT64_C(1) << 20;

    size_is("0", 1, 0);
    size_is("512", mib, 512 * mib);
    size_is("512", 1, 512);
    size_is("512B", mib, 512);
    size_is("4k", 1, 4096);
    size_is("4K", mib, 4096);
    size_is("3M", 1, 3 * mib);
    size_is("2g", 1, UINT64_C(2) << 30);
    size_is("1T", 1, UINT64_C(1) << 40);
    size_is("16777215T", 1, UINT64_C(16777215) << 40);
    size_is("18446744073709551615", 1, UINT64_MAX);
    size_refused("16777216T", 1);
    size_refused("18446744073709551616", 1);
    size_refused("17592186044416M", 1);
    size_refused("18446744073709551615", 2);
    size_refused("", 1);
    size_refused("M", 1);
    size_refused("-1", 1);
    size_refused("+1", 1);
    size_refused(" 1", 1);
    size_refused("1 ", 1);
    size_refused("1.5G", 1);
    size_refused("1KB", 1);
    size_refused("1X", 1);
    size_refused("0x10", 1);
    size_refused(NULL, 1);
}

static void test_bools(void)
{
    static const char *const yes[] = { "on", "yes", "true", "y" };
    static const char *const no[] = { "off", "no", "false", "n" };
    static const char *const bad[] = { "", "1", "0", "ON", "On", "maybe",
                                       "onn", "of" };
    bool b;

    for (size_t i = 0; i < G_N_ELEMENTS(yes); i++) {
        b = false;
        g_assert_true(dm_keyval_parse_bool(yes[i], &b));
        g_assert_true(b);
    }
    for (size_t i = 0; i < G_N_ELEMENTS(no); i++) {
        b = true;
        g_assert_true(dm_keyval_parse_bool(no[i], &b));
        g_assert_false(b);
    }
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        b = true;
        if (dm_keyval_parse_bool(bad[i], &b)) {
            g_error("bool '%s' accepted", bad[i]);
        }
        g_assert_true(b);
    }
}

static void test_u64(void)
{
    static const struct {
        const char *text;
        uint64_t value;
    } good[] = {
        { "0", 0 },
        { "42", 42 },
        { "0x7fef", 0x7fef },
        { "0X10", 16 },
        { "010", 8 },
        { "18446744073709551615", UINT64_MAX },
        { "0xffffffffffffffff", UINT64_MAX },
    };
    static const char *const bad[] = {
        "", "-1", "+1", " 1", "\t1", "1 ", "1x", "0x", "08", "1e3", "abc",
        "18446744073709551616", "0x10000000000000000", "-0",
    };
    uint64_t v;

    for (size_t i = 0; i < G_N_ELEMENTS(good); i++) {
        v = 0x5555;
        if (!dm_keyval_parse_u64(good[i].text, &v)) {
            g_error("u64 '%s' refused", good[i].text);
        }
        g_assert_cmpuint(v, ==, good[i].value);
    }
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        v = 0x5555;
        if (dm_keyval_parse_u64(bad[i], &v)) {
            g_error("u64 '%s' accepted as %" G_GUINT64_FORMAT, bad[i], v);
        }
        g_assert_cmpuint(v, ==, 0x5555);
    }
    g_assert_false(dm_keyval_parse_u64(NULL, &v));
}

void test_keyval_register(void)
{
    g_test_add_func("/dm/keyval/implied-key", test_implied_key);
    g_test_add_func("/dm/keyval/comma-escape", test_comma_escape);
    g_test_add_func("/dm/keyval/bare-flags", test_bare_flags);
    g_test_add_func("/dm/keyval/last-wins", test_last_wins);
    g_test_add_func("/dm/keyval/errors", test_errors);
    g_test_add_func("/dm/keyval/sizes", test_sizes);
    g_test_add_func("/dm/keyval/bools", test_bools);
    g_test_add_func("/dm/keyval/u64", test_u64);
}
