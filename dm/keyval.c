/* SPDX-License-Identifier: GPL-2.0-or-later */
/* QEMU's option-string syntax, as libxl writes it on the command line. */
#include "dm/keyval.h"
#include "dm/dm-error.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static void keyval_free(gpointer p)
{
    DmKeyval *kv = p;

    g_free(kv->key);
    g_free(kv->value);
    g_free(kv);
}

/* Reads up to an unescaped ',' (or '=' when stop_at_eq); ",," is a comma. */
static char *keyval_token(const char **pp, bool stop_at_eq)
{
    GString *s = g_string_new(NULL);
    const char *p = *pp;

    while (*p) {
        if (*p == ',') {
            if (p[1] == ',') {
                g_string_append_c(s, ',');
                p += 2;
                continue;
            }
            break;
        }
        if (stop_at_eq && *p == '=') {
            break;
        }
        g_string_append_c(s, *p++);
    }
    *pp = p;
    return g_string_free(s, FALSE);
}

GPtrArray *dm_keyval_parse(const char *str, const char *implied_key,
                           GError **errp)
{
    g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func(keyval_free);
    const char *p = str;
    bool first = true;

    while (*p) {
        g_autofree char *key = keyval_token(&p, true);
        char *value = NULL;

        if (*p == '=') {
            p++;
            value = keyval_token(&p, false);
        }
        if (*p == ',') {
            p++;
            if (!*p) {
                g_set_error(errp, DM_ERROR, DM_ERROR_INVALID,
                            "trailing comma");
                g_free(value);
                return NULL;
            }
        }
        if (first && !value && implied_key) {
            value = g_steal_pointer(&key);
            key = g_strdup(implied_key);
        }
        first = false;
        if (!*key) {
            g_set_error(errp, DM_ERROR, DM_ERROR_INVALID,
                        "empty parameter name");
            g_free(value);
            return NULL;
        }
        DmKeyval *kv = g_new(DmKeyval, 1);
        kv->key = g_steal_pointer(&key);
        kv->value = value;
        g_ptr_array_add(out, kv);
    }
    return g_steal_pointer(&out);
}

const char *dm_keyval_get(GPtrArray *kv, const char *key)
{
    const char *found = NULL;

    /* The last occurrence wins, as in QEMU. */
    for (guint i = 0; i < kv->len; i++) {
        DmKeyval *e = g_ptr_array_index(kv, i);
        if (strcmp(e->key, key) == 0) {
            found = e->value ? e->value : "on";
        }
    }
    return found;
}

bool dm_keyval_parse_bool(const char *v, bool *out)
{
    if (!v || !strcmp(v, "on") || !strcmp(v, "yes") || !strcmp(v, "true") ||
        !strcmp(v, "y")) {
        *out = true;
    } else if (!strcmp(v, "off") || !strcmp(v, "no") ||
               !strcmp(v, "false") || !strcmp(v, "n")) {
        *out = false;
    } else {
        return false;
    }
    return true;
}

bool dm_keyval_parse_u64(const char *v, uint64_t *out)
{
    char *end;
    unsigned long long n;

    if (!v || !*v || *v == '-' || *v == '+' || g_ascii_isspace(*v)) {
        return false;
    }
    errno = 0;
    n = strtoull(v, &end, 0);
    if (errno || *end) {
        return false;
    }
    *out = n;
    return true;
}

bool dm_keyval_parse_size(const char *v, uint64_t default_unit,
                          uint64_t *out)
{
    char *end;
    unsigned long long n;
    uint64_t unit = default_unit;

    if (!v || !g_ascii_isdigit(*v)) {
        return false;
    }
    errno = 0;
    n = strtoull(v, &end, 10);
    if (errno) {
        return false;
    }
    if (*end) {
        switch (g_ascii_toupper(*end)) {
        case 'B': unit = 1; break;
        case 'K': unit = UINT64_C(1) << 10; break;
        case 'M': unit = UINT64_C(1) << 20; break;
        case 'G': unit = UINT64_C(1) << 30; break;
        case 'T': unit = UINT64_C(1) << 40; break;
        default: return false;
        }
        if (end[1]) {
            return false;
        }
    }
    if (n > UINT64_MAX / unit) {
        return false;
    }
    *out = n * unit;
    return true;
}
