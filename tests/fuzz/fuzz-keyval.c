/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Option strings (dm/keyval.h) as they come from the command line. Every
 * parse must survive re-escaping: writing the pairs back with ",," and
 * parsing again gives the same pairs.
 */
#include "fuzz.h"

#include "dm/keyval.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void append_escaped(GString *out, const char *s)
{
    for (; *s; s++) {
        if (*s == ',') {
            g_string_append_c(out, ',');
        }
        g_string_append_c(out, *s);
    }
}

static void check_values(const DmKeyval *kv)
{
    uint64_t u, size;
    bool b;
    const char *v = kv->value;

    (void)dm_keyval_parse_bool(v, &b);
    if (!v) {
        return;
    }
    /* Plain decimal means the same to both number parsers. */
    if (v[0] >= '1' && v[0] <= '9' && strspn(v, "0123456789") == strlen(v)) {
        bool a = dm_keyval_parse_u64(v, &u);
        bool c = dm_keyval_parse_size(v, 1, &size);
        if (a != c || (a && u != size)) {
            abort();
        }
    } else {
        (void)dm_keyval_parse_u64(v, &u);
        (void)dm_keyval_parse_size(v, UINT64_C(1) << 20, &size);
    }
}

static void check_round_trip(GPtrArray *kv)
{
    g_autoptr(GString) text = g_string_new(NULL);
    g_autoptr(GError) err = NULL;
    g_autoptr(GPtrArray) again = NULL;

    for (guint i = 0; i < kv->len; i++) {
        const DmKeyval *e = g_ptr_array_index(kv, i);
        if (!e->key || !*e->key || strchr(e->key, '=')) {
            abort();
        }
        if (i) {
            g_string_append_c(text, ',');
        }
        append_escaped(text, e->key);
        if (e->value) {
            g_string_append_c(text, '=');
            append_escaped(text, e->value);
        }
        check_values(e);
    }
    again = dm_keyval_parse(text->str, NULL, &err);
    if (!again || again->len != kv->len) {
        fprintf(stderr, "re-parse of '%s': %s\n", text->str,
                err ? err->message : "different length");
        abort();
    }
    for (guint i = 0; i < kv->len; i++) {
        const DmKeyval *a = g_ptr_array_index(kv, i);
        const DmKeyval *b = g_ptr_array_index(again, i);
        if (strcmp(a->key, b->key) || g_strcmp0(a->value, b->value)) {
            fprintf(stderr, "re-parse of '%s' changed pair %u\n", text->str,
                    i);
            abort();
        }
        /* The last duplicate is what a lookup returns. */
        if (!dm_keyval_get(kv, a->key)) {
            abort();
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* argv strings end at the first NUL. */
    g_autofree char *str = g_strndup((const char *)data, size);
    static const char *const implied[] = { NULL, "type" };

    for (size_t i = 0; i < G_N_ELEMENTS(implied); i++) {
        g_autoptr(GError) err = NULL;
        g_autoptr(GPtrArray) kv = dm_keyval_parse(str, implied[i], &err);

        if (!kv) {
            if (!err || !*err->message) {
                abort();
            }
            continue;
        }
        check_round_trip(kv);
    }
    return 0;
}
