/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A bounded JSON reader and QEMU-format writer (RFC 8259). The reader
 * never reads past len, limits nesting, and reports the byte offset of
 * the first problem.
 */
#include "dm/json.h"
#include "dm/dm-error.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    char *key;
    DmJson *value;
} Member;

struct DmJson {
    DmJsonType type;
    union {
        bool b;
        int64_t i;
        double d;
        char *s;
        GPtrArray *items;     /* DmJson (array) or Member (object) */
    };
};

static DmJson *json_new(DmJsonType t)
{
    DmJson *v = g_new0(DmJson, 1);

    v->type = t;
    return v;
}

static void member_free(gpointer p)
{
    Member *m = p;

    g_free(m->key);
    dm_json_free(m->value);
    g_free(m);
}

DmJson *dm_json_new_null(void)
{
    return json_new(DM_JSON_NULL);
}

DmJson *dm_json_new_bool(bool b)
{
    DmJson *v = json_new(DM_JSON_BOOL);

    v->b = b;
    return v;
}

DmJson *dm_json_new_int(int64_t i)
{
    DmJson *v = json_new(DM_JSON_INT);

    v->i = i;
    return v;
}

DmJson *dm_json_new_string(const char *s)
{
    DmJson *v = json_new(DM_JSON_STRING);

    v->s = g_strdup(s);
    return v;
}

DmJson *dm_json_new_array(void)
{
    DmJson *v = json_new(DM_JSON_ARRAY);

    v->items = g_ptr_array_new_with_free_func((GDestroyNotify)dm_json_free);
    return v;
}

DmJson *dm_json_new_object(void)
{
    DmJson *v = json_new(DM_JSON_OBJECT);

    v->items = g_ptr_array_new_with_free_func(member_free);
    return v;
}

void dm_json_free(DmJson *v)
{
    if (!v) {
        return;
    }
    if (v->type == DM_JSON_STRING) {
        g_free(v->s);
    } else if (v->type == DM_JSON_ARRAY || v->type == DM_JSON_OBJECT) {
        g_ptr_array_free(v->items, TRUE);
    }
    g_free(v);
}

DmJson *dm_json_copy(const DmJson *v)
{
    DmJson *c;

    switch (v->type) {
    case DM_JSON_STRING:
        return dm_json_new_string(v->s);
    case DM_JSON_ARRAY:
        c = dm_json_new_array();
        for (guint i = 0; i < v->items->len; i++) {
            dm_json_array_add(c, dm_json_copy(g_ptr_array_index(v->items, i)));
        }
        return c;
    case DM_JSON_OBJECT:
        c = dm_json_new_object();
        for (guint i = 0; i < v->items->len; i++) {
            Member *m = g_ptr_array_index(v->items, i);
            dm_json_object_set(c, m->key, dm_json_copy(m->value));
        }
        return c;
    default:
        c = json_new(v->type);
        *c = *v;
        return c;
    }
}

DmJsonType dm_json_type(const DmJson *v)
{
    return v->type;
}

bool dm_json_get_bool(const DmJson *v)
{
    g_assert(v->type == DM_JSON_BOOL);
    return v->b;
}

int64_t dm_json_get_int(const DmJson *v)
{
    g_assert(v->type == DM_JSON_INT);
    return v->i;
}

double dm_json_get_number(const DmJson *v)
{
    g_assert(v->type == DM_JSON_INT || v->type == DM_JSON_NUMBER);
    return v->type == DM_JSON_INT ? (double)v->i : v->d;
}

const char *dm_json_get_string(const DmJson *v)
{
    g_assert(v->type == DM_JSON_STRING);
    return v->s;
}

size_t dm_json_length(const DmJson *v)
{
    g_assert(v->type == DM_JSON_ARRAY || v->type == DM_JSON_OBJECT);
    return v->items->len;
}

DmJson *dm_json_array_get(const DmJson *a, size_t i)
{
    g_assert(a->type == DM_JSON_ARRAY && i < a->items->len);
    return g_ptr_array_index(a->items, i);
}

const char *dm_json_object_key(const DmJson *o, size_t i)
{
    g_assert(o->type == DM_JSON_OBJECT && i < o->items->len);
    return ((Member *)g_ptr_array_index(o->items, i))->key;
}

DmJson *dm_json_object_value(const DmJson *o, size_t i)
{
    g_assert(o->type == DM_JSON_OBJECT && i < o->items->len);
    return ((Member *)g_ptr_array_index(o->items, i))->value;
}

void dm_json_array_add(DmJson *a, DmJson *v)
{
    g_assert(a->type == DM_JSON_ARRAY);
    g_ptr_array_add(a->items, v);
}

static Member *object_find(const DmJson *o, const char *key)
{
    g_assert(o->type == DM_JSON_OBJECT);
    for (guint i = 0; i < o->items->len; i++) {
        Member *m = g_ptr_array_index(o->items, i);
        if (!strcmp(m->key, key)) {
            return m;
        }
    }
    return NULL;
}

void dm_json_object_set(DmJson *o, const char *key, DmJson *v)
{
    Member *m = object_find(o, key);

    if (m) {
        dm_json_free(m->value);
        m->value = v;
        return;
    }
    m = g_new(Member, 1);
    m->key = g_strdup(key);
    m->value = v;
    g_ptr_array_add(o->items, m);
}

DmJson *dm_json_object_get(const DmJson *o, const char *key)
{
    Member *m = object_find(o, key);

    return m ? m->value : NULL;
}

void dm_json_object_set_string(DmJson *o, const char *key, const char *s)
{
    dm_json_object_set(o, key, dm_json_new_string(s));
}

void dm_json_object_set_int(DmJson *o, const char *key, int64_t i)
{
    dm_json_object_set(o, key, dm_json_new_int(i));
}

void dm_json_object_set_bool(DmJson *o, const char *key, bool b)
{
    dm_json_object_set(o, key, dm_json_new_bool(b));
}

/* Reader. */

typedef struct {
    const char *p;
    size_t len;
    size_t pos;
    GError **errp;
} Reader;

static DmJson *read_value(Reader *r, unsigned depth);

static bool G_GNUC_PRINTF(2, 3) fail(Reader *r, const char *fmt, ...)
{
    va_list ap;
    g_autofree char *msg = NULL;

    if (r->errp && *r->errp) {
        return false;
    }
    va_start(ap, fmt);
    msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    g_set_error(r->errp, DM_ERROR, DM_ERROR_INVALID, "%s at byte %zu", msg,
                r->pos);
    return false;
}

static void skip_blanks(Reader *r)
{
    while (r->pos < r->len && strchr(" \t\r\n", r->p[r->pos]) &&
           r->p[r->pos]) {
        r->pos++;
    }
}

static int peek(Reader *r)
{
    return r->pos < r->len ? (unsigned char)r->p[r->pos] : -1;
}

static bool read_hex4(Reader *r, unsigned *out)
{
    *out = 0;
    for (int i = 0; i < 4; i++) {
        int c = peek(r);
        int d = g_ascii_xdigit_value((char)c);
        if (c < 0 || d < 0) {
            return fail(r, "bad \\u escape");
        }
        *out = *out << 4 | (unsigned)d;
        r->pos++;
    }
    return true;
}

static bool read_escape(Reader *r, GString *s)
{
    int c = peek(r);
    unsigned cp, lo;

    r->pos++;
    switch (c) {
    case '"': g_string_append_c(s, '"'); return true;
    case '\\': g_string_append_c(s, '\\'); return true;
    case '/': g_string_append_c(s, '/'); return true;
    case 'b': g_string_append_c(s, '\b'); return true;
    case 'f': g_string_append_c(s, '\f'); return true;
    case 'n': g_string_append_c(s, '\n'); return true;
    case 'r': g_string_append_c(s, '\r'); return true;
    case 't': g_string_append_c(s, '\t'); return true;
    case 'u':
        break;
    default:
        r->pos--;
        return fail(r, "bad escape in string");
    }
    if (!read_hex4(r, &cp)) {
        return false;
    }
    if (cp >= 0xd800 && cp < 0xdc00) {
        if (r->pos + 2 > r->len || r->p[r->pos] != '\\' ||
            r->p[r->pos + 1] != 'u') {
            return fail(r, "lone high surrogate");
        }
        r->pos += 2;
        if (!read_hex4(r, &lo)) {
            return false;
        }
        if (lo < 0xdc00 || lo >= 0xe000) {
            return fail(r, "bad low surrogate");
        }
        cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
    } else if (cp >= 0xdc00 && cp < 0xe000) {
        return fail(r, "lone low surrogate");
    }
    if (cp == 0) {
        return fail(r, "NUL in string");
    }
    g_string_append_unichar(s, cp);
    return true;
}

static char *read_string(Reader *r)
{
    g_autoptr(GString) s = g_string_new(NULL);
    size_t start = r->pos;

    r->pos++;                 /* opening quote */
    for (;;) {
        int c = peek(r);
        if (c < 0) {
            r->pos = start;
            fail(r, "unterminated string");
            return NULL;
        }
        if (c == '"') {
            r->pos++;
            break;
        }
        if (c < 0x20) {
            fail(r, "control character in string");
            return NULL;
        }
        if (c == '\\') {
            r->pos++;
            if (!read_escape(r, s)) {
                return NULL;
            }
            continue;
        }
        g_string_append_c(s, (char)c);
        r->pos++;
    }
    if (!g_utf8_validate(s->str, s->len, NULL)) {
        r->pos = start;
        fail(r, "string is not valid UTF-8");
        return NULL;
    }
    return g_string_free(g_steal_pointer(&s), FALSE);
}

static DmJson *read_number(Reader *r)
{
    size_t start = r->pos;
    bool integral = true;
    g_autofree char *text = NULL;
    char *end;

    if (peek(r) == '-') {
        r->pos++;
    }
    if (peek(r) == '0') {
        r->pos++;
    } else if (peek(r) >= '1' && peek(r) <= '9') {
        while (peek(r) >= '0' && peek(r) <= '9') {
            r->pos++;
        }
    } else {
        fail(r, "bad number");
        return NULL;
    }
    if (peek(r) == '.') {
        integral = false;
        r->pos++;
        if (!(peek(r) >= '0' && peek(r) <= '9')) {
            fail(r, "bad number");
            return NULL;
        }
        while (peek(r) >= '0' && peek(r) <= '9') {
            r->pos++;
        }
    }
    if (peek(r) == 'e' || peek(r) == 'E') {
        integral = false;
        r->pos++;
        if (peek(r) == '+' || peek(r) == '-') {
            r->pos++;
        }
        if (!(peek(r) >= '0' && peek(r) <= '9')) {
            fail(r, "bad number");
            return NULL;
        }
        while (peek(r) >= '0' && peek(r) <= '9') {
            r->pos++;
        }
    }
    text = g_strndup(r->p + start, r->pos - start);
    if (integral) {
        errno = 0;
        long long i = strtoll(text, &end, 10);
        if (!errno) {
            return dm_json_new_int(i);
        }
    }
    DmJson *v = json_new(DM_JSON_NUMBER);
    v->d = g_ascii_strtod(text, &end);
    if (!isfinite(v->d)) {
        dm_json_free(v);
        r->pos = start;
        fail(r, "number out of range");
        return NULL;
    }
    return v;
}

static DmJson *read_keyword(Reader *r)
{
    static const struct {
        const char *word;
        DmJsonType type;
        bool value;
    } words[] = {
        { "true", DM_JSON_BOOL, true },
        { "false", DM_JSON_BOOL, false },
        { "null", DM_JSON_NULL, false },
    };

    for (size_t i = 0; i < G_N_ELEMENTS(words); i++) {
        size_t n = strlen(words[i].word);
        if (r->len - r->pos >= n && !memcmp(r->p + r->pos, words[i].word, n)) {
            r->pos += n;
            return words[i].type == DM_JSON_BOOL ?
                dm_json_new_bool(words[i].value) : dm_json_new_null();
        }
    }
    fail(r, "unexpected character '%c'", g_ascii_isprint(r->p[r->pos]) ?
         r->p[r->pos] : '?');
    return NULL;
}

static DmJson *read_array(Reader *r, unsigned depth)
{
    g_autoptr(DmJson) a = dm_json_new_array();

    r->pos++;
    skip_blanks(r);
    if (peek(r) == ']') {
        r->pos++;
        return g_steal_pointer(&a);
    }
    for (;;) {
        DmJson *v = read_value(r, depth + 1);
        if (!v) {
            return NULL;
        }
        dm_json_array_add(a, v);
        skip_blanks(r);
        if (peek(r) == ',') {
            r->pos++;
            continue;
        }
        if (peek(r) == ']') {
            r->pos++;
            return g_steal_pointer(&a);
        }
        fail(r, "expected ',' or ']'");
        return NULL;
    }
}

static DmJson *read_object(Reader *r, unsigned depth)
{
    g_autoptr(DmJson) o = dm_json_new_object();

    r->pos++;
    skip_blanks(r);
    if (peek(r) == '}') {
        r->pos++;
        return g_steal_pointer(&o);
    }
    for (;;) {
        g_autofree char *key = NULL;
        DmJson *v;

        skip_blanks(r);
        if (peek(r) != '"') {
            fail(r, "expected a member name");
            return NULL;
        }
        key = read_string(r);
        if (!key) {
            return NULL;
        }
        if (object_find(o, key)) {
            fail(r, "duplicate key '%s'", key);
            return NULL;
        }
        skip_blanks(r);
        if (peek(r) != ':') {
            fail(r, "expected ':'");
            return NULL;
        }
        r->pos++;
        v = read_value(r, depth + 1);
        if (!v) {
            return NULL;
        }
        dm_json_object_set(o, key, v);
        skip_blanks(r);
        if (peek(r) == ',') {
            r->pos++;
            continue;
        }
        if (peek(r) == '}') {
            r->pos++;
            return g_steal_pointer(&o);
        }
        fail(r, "expected ',' or '}'");
        return NULL;
    }
}

static DmJson *read_value(Reader *r, unsigned depth)
{
    int c;

    if (depth > DM_JSON_MAX_DEPTH) {
        fail(r, "nesting deeper than %d", DM_JSON_MAX_DEPTH);
        return NULL;
    }
    skip_blanks(r);
    c = peek(r);
    switch (c) {
    case -1:
        fail(r, "unexpected end of input");
        return NULL;
    case '{':
        return read_object(r, depth);
    case '[':
        return read_array(r, depth);
    case '"': {
        char *s = read_string(r);
        DmJson *v;
        if (!s) {
            return NULL;
        }
        v = json_new(DM_JSON_STRING);
        v->s = s;
        return v;
    }
    default:
        if (c == '-' || (c >= '0' && c <= '9')) {
            return read_number(r);
        }
        return read_keyword(r);
    }
}

DmJson *dm_json_parse(const char *text, size_t len, GError **errp)
{
    Reader r = { .p = text, .len = len, .errp = errp };
    g_autoptr(DmJson) v = read_value(&r, 0);

    if (!v) {
        return NULL;
    }
    skip_blanks(&r);
    if (r.pos != r.len) {
        fail(&r, "trailing characters after the value");
        return NULL;
    }
    return g_steal_pointer(&v);
}

/* Writer. */

static void write_string(GString *out, const char *raw)
{
    /* Strings from the command line need not be UTF-8. */
    g_autofree char *s = g_utf8_make_valid(raw, -1);

    g_string_append_c(out, '"');
    for (const char *p = s; *p; p = g_utf8_next_char(p)) {
        gunichar c = g_utf8_get_char(p);
        switch (c) {
        case '"': g_string_append(out, "\\\""); break;
        case '\\': g_string_append(out, "\\\\"); break;
        case '\b': g_string_append(out, "\\b"); break;
        case '\f': g_string_append(out, "\\f"); break;
        case '\n': g_string_append(out, "\\n"); break;
        case '\r': g_string_append(out, "\\r"); break;
        case '\t': g_string_append(out, "\\t"); break;
        default:
            if (c >= 0x20 && c <= 0x7e) {
                g_string_append_c(out, (char)c);
            } else if (c >= 0x10000) {
                c -= 0x10000;
                g_string_append_printf(out, "\\u%04X\\u%04X",
                                       0xd800 | (c >> 10), 0xdc00 | (c & 0x3ff));
            } else {
                g_string_append_printf(out, "\\u%04X", c);
            }
        }
    }
    g_string_append_c(out, '"');
}

static void write_indent(GString *out, bool pretty, unsigned level)
{
    if (pretty) {
        g_string_append_c(out, '\n');
        for (unsigned i = 0; i < level; i++) {
            g_string_append(out, "    ");
        }
    }
}

static void write_value(GString *out, const DmJson *v, bool pretty,
                        unsigned level)
{
    switch (v->type) {
    case DM_JSON_NULL:
        g_string_append(out, "null");
        break;
    case DM_JSON_BOOL:
        g_string_append(out, v->b ? "true" : "false");
        break;
    case DM_JSON_INT:
        g_string_append_printf(out, "%" G_GINT64_FORMAT, v->i);
        break;
    case DM_JSON_NUMBER: {
        char buf[G_ASCII_DTOSTR_BUF_SIZE];
        g_string_append(out, g_ascii_dtostr(buf, sizeof(buf), v->d));
        break;
    }
    case DM_JSON_STRING:
        write_string(out, v->s);
        break;
    case DM_JSON_ARRAY:
    case DM_JSON_OBJECT: {
        bool obj = v->type == DM_JSON_OBJECT;
        g_string_append_c(out, obj ? '{' : '[');
        for (guint i = 0; i < v->items->len; i++) {
            if (i) {
                g_string_append_c(out, ',');
                if (!pretty) {
                    g_string_append_c(out, ' ');
                }
            }
            write_indent(out, pretty, level + 1);
            if (obj) {
                Member *m = g_ptr_array_index(v->items, i);
                write_string(out, m->key);
                g_string_append(out, ": ");
                write_value(out, m->value, pretty, level + 1);
            } else {
                write_value(out, g_ptr_array_index(v->items, i), pretty,
                            level + 1);
            }
        }
        if (v->items->len) {
            write_indent(out, pretty, level);
        }
        g_string_append_c(out, obj ? '}' : ']');
        break;
    }
    }
}

char *dm_json_to_string(const DmJson *v, bool pretty)
{
    GString *out = g_string_new(NULL);

    write_value(out, v, pretty, 0);
    return g_string_free(out, FALSE);
}
