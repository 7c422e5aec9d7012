/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * QEVM v3 streams as a person reads them: sections, versions, fields by
 * name, walked with the same tables save/ decodes with; RAM block lists.
 */
#include "toolstack-glue/stream-show.h"
#include "hw/hw.h"
#include "ram/ram-block.h"
#include "save/codec.h"
#include "save/machine-state.h"
#include "save/foreign/foreign.h"
#include "save/ram-section.h"
#include "save/stream.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define SUBSECTION_MARK 0x05
/* Buffers longer than this are shown by their first bytes only. */
#define SHOW_BUFFER_MAX 64
#define PROGRESS_MIN (64u << 20)

typedef struct Cursor {
    const uint8_t *data;
    size_t len;
    size_t pos;
    uint64_t origin;          /* file offset of data[0] */
} Cursor;

void glue_tool_progress(GlueTool *t, uint64_t done)
{
    int pct;

    if (t->progress_total < PROGRESS_MIN || !isatty(STDERR_FILENO)) {
        return;
    }
    pct = (int)(done * 100 / t->progress_total);
    if (pct != t->last_percent) {
        t->last_percent = pct;
        fprintf(stderr, "\rstubdm-stream: %3d%%%s", pct,
                pct >= 100 ? "\n" : "");
    }
}

static bool cur_have(const Cursor *c, size_t n)
{
    return c->len - c->pos >= n;
}

static gboolean cur_need(const Cursor *c, size_t n, const char *what,
                         GError **errp)
{
    if (!cur_have(c, n)) {
        g_set_error(errp, SAVE_ERROR, 0,
                    "%s at offset 0x%" G_GINT64_MODIFIER "x: stream ends "
                    "(%zu bytes left, %zu needed)", what,
                    c->origin + c->pos, c->len - c->pos, n);
        return FALSE;
    }
    return TRUE;
}

static uint64_t cur_be(Cursor *c, unsigned width)
{
    uint64_t v = 0;

    for (unsigned i = 0; i < width; i++) {
        v = v << 8 | c->data[c->pos++];
    }
    return v;
}

static gboolean cur_counted(Cursor *c, char *buf, const char *what,
                            GError **errp)
{
    uint8_t n;

    if (!cur_need(c, 1, what, errp)) {
        return FALSE;
    }
    n = c->data[c->pos];
    if (!cur_need(c, 1 + (size_t)n, what, errp)) {
        return FALSE;
    }
    memcpy(buf, c->data + c->pos + 1, n);
    buf[n] = '\0';
    c->pos += 1 + (size_t)n;
    return TRUE;
}

DmJson *glue_json_u64(uint64_t v)
{
    if (v > INT64_MAX) {
        g_autofree char *s = g_strdup_printf("%" G_GUINT64_FORMAT, v);
        return dm_json_new_string(s);
    }
    return dm_json_new_int((int64_t)v);
}

static DmJson *json_hex(const uint8_t *p, size_t n)
{
    g_autoptr(GString) s = g_string_new(NULL);

    for (size_t i = 0; i < MIN(n, (size_t)SHOW_BUFFER_MAX); i++) {
        g_string_append_printf(s, "%02x", p[i]);
    }
    if (n > SHOW_BUFFER_MAX) {
        g_string_append_printf(s, "... (%zu bytes)", n);
    }
    return dm_json_new_string(s->str);
}

static DmJson *scalar(SaveKind k, uint64_t v)
{
    switch (k) {
    case SAVE_BOOL:
        return dm_json_new_bool(v != 0);
    case SAVE_I8:
        return dm_json_new_int((int8_t)v);
    case SAVE_I16:
        return dm_json_new_int((int16_t)v);
    case SAVE_I32:
        return dm_json_new_int((int32_t)v);
    case SAVE_I64:
        return dm_json_new_int((int64_t)v);
    default:
        return glue_json_u64(v);
    }
}

static gboolean show_fields(const SaveSection *s, void *opaque, int version,
                            Cursor *c, DmJson *out, GError **errp);

/*
 * The decoded copy (opaque) answers tests and element counts; the values
 * shown are the bytes on the wire, walked in the same order.
 */
static gboolean show_element(const SaveSection *s, const SaveField *f,
                             uint8_t *p, Cursor *c, DmJson **v,
                             GError **errp)
{
    switch (f->kind) {
    case SAVE_STRUCT:
        *v = dm_json_new_object();
        return show_fields(f->nested, p, f->nested->version, c, *v, errp);
    case SAVE_BUFFER:
        if (!cur_need(c, f->size, f->name, errp)) {
            return FALSE;
        }
        *v = json_hex(c->data + c->pos, f->size);
        memcpy(p, c->data + c->pos, f->size);
        c->pos += f->size;
        return TRUE;
    case SAVE_UNUSED:
        if (!cur_need(c, f->size, f->name, errp)) {
            return FALSE;
        }
        c->pos += f->size;
        *v = NULL;
        return TRUE;
    case SAVE_TIMER: {
        int64_t when;
        if (!cur_need(c, 8, f->name, errp)) {
            return FALSE;
        }
        when = (int64_t)cur_be(c, 8);
        *v = when == -1 ? dm_json_new_string("idle")
                        : dm_json_new_int(when);
        return TRUE;
    }
    default: {
        uint64_t x;
        if (!cur_need(c, save_kind_width(f->kind), f->name, errp)) {
            return FALSE;
        }
        x = cur_be(c, save_kind_width(f->kind));
        *v = scalar(f->kind, x);
        /* Later tests and counts read it, as in the codec. */
        if (f->kind == SAVE_BOOL) {
            *(bool *)p = x != 0;
        } else {
            memcpy(p, &x, MIN(f->size, sizeof(x)));
        }
        return TRUE;
    }
    }
}

static gboolean show_subsections(const SaveSection *s, void *opaque,
                                 Cursor *c, DmJson *out, GError **errp)
{
    size_t parent = strlen(s->name);

    while (cur_have(c, 2) && c->data[c->pos] == SUBSECTION_MARK) {
        size_t n = c->data[c->pos + 1];
        const uint8_t *name = c->data + c->pos + 2;
        const SaveSection *sub = NULL;
        g_autofree char *key = NULL;
        DmJson *o;
        int version;

        if (n < parent + 1 || !cur_have(c, 2 + n) ||
            memcmp(name, s->name, parent)) {
            break;
        }
        for (const SaveSection *const *x = s->subsections; x && *x; x++) {
            if (strlen((*x)->name) == n && !memcmp((*x)->name, name, n)) {
                sub = *x;
            }
        }
        if (!sub) {
            break;
        }
        c->pos += 2 + n;
        if (!cur_need(c, 4, sub->name, errp)) {
            return FALSE;
        }
        version = (int)cur_be(c, 4);
        key = g_strdup_printf("[subsection %s v%d]", sub->name, version);
        o = dm_json_new_object();
        dm_json_object_set(out, key, o);
        if (!show_fields(sub, opaque, version, c, o, errp)) {
            return FALSE;
        }
    }
    return TRUE;
}

static gboolean show_fields(const SaveSection *s, void *opaque, int version,
                            Cursor *c, DmJson *out, GError **errp)
{
    for (const SaveField *f = s->fields; f->name; f++) {
        uint8_t *base = (uint8_t *)opaque + f->offset;
        unsigned n = f->count;
        DmJson *v = NULL;

        if (!save_field_present(f, opaque, version)) {
            continue;
        }
        if (f->varray) {
            uint64_t cnt = 0;
            memcpy(&cnt, (uint8_t *)opaque + f->count_offset,
                   MIN(f->count_size, sizeof(cnt)));
            n = (unsigned)MIN(cnt, (uint64_t)f->count);
        }
        if (f->kind == SAVE_BUFFER || f->kind == SAVE_UNUSED ||
            (n == 1 && !f->varray)) {
            if (!show_element(s, f, base, c, &v, errp)) {
                return FALSE;
            }
        } else {
            v = dm_json_new_array();
            for (unsigned i = 0; i < n; i++) {
                DmJson *e = NULL;
                if (!show_element(s, f, base + (size_t)i * f->size, c, &e,
                                  errp)) {
                    dm_json_free(v);
                    return FALSE;
                }
                dm_json_array_add(v, e);
            }
        }
        if (v) {
            dm_json_object_set(out, f->name, v);
        }
    }
    return show_subsections(s, opaque, c, out, errp);
}

/* The table for a section: the machine's own, else save/foreign/. */
static const SaveSection *find_table(DmMachine *m, const char *idstr,
                                     void **scratch, const char **origin)
{
    const SaveSection *s = save_machine_section(m, idstr, scratch);

    if (s) {
        *origin = "stubdm";
        return s;
    }
    s = save_foreign_find(idstr, NULL);
    if (s) {
        *scratch = save_foreign_scratch_new(s, m->machine_type);
        *origin = "foreign";
    }
    return s;
}

static gboolean show_full(DmMachine *m, Cursor *c, DmJson *rec,
                          GError **errp)
{
    uint64_t at = c->origin + c->pos - 1;
    char idstr[256];
    uint32_t id, instance, version;
    const SaveSection *s;
    const char *origin = NULL;
    g_autofree void *scratch = NULL;
    SaveReader r;
    Cursor walk;
    DmJson *fields;

    if (!cur_need(c, 4, "section header", errp)) {
        return FALSE;
    }
    id = (uint32_t)cur_be(c, 4);
    if (!cur_counted(c, idstr, "section header", errp) ||
        !cur_need(c, 8, "section header", errp)) {
        return FALSE;
    }
    instance = (uint32_t)cur_be(c, 4);
    version = (uint32_t)cur_be(c, 4);
    dm_json_object_set_string(rec, "record", "section");
    dm_json_object_set_string(rec, "idstr", idstr);
    dm_json_object_set_int(rec, "section_id", id);
    dm_json_object_set_int(rec, "instance", instance);
    dm_json_object_set_int(rec, "version", version);
    s = find_table(m, idstr, &scratch, &origin);
    if (!s) {
        dm_json_object_set_string(rec, "table", "unknown");
        g_set_error(errp, SAVE_ERROR, 0,
                    "section '%s' at offset 0x%" G_GINT64_MODIFIER "x: "
                    "unknown to stubdm (no table; the stream has no lengths "
                    "to skip it by)", idstr, at);
        return FALSE;
    }
    dm_json_object_set_string(rec, "table", origin);
    if ((int)version > s->version || (int)version < s->minimum_version) {
        g_set_error(errp, SAVE_ERROR, 0,
                    "section '%s' at offset 0x%" G_GINT64_MODIFIER "x: "
                    "version %u outside %d..%d", idstr, at, version,
                    s->minimum_version, s->version);
        return FALSE;
    }
    r = (SaveReader){ .data = c->data + c->pos, .len = c->len - c->pos,
                      .origin = c->origin + c->pos };
    if (!save_decode(s, scratch, (int)version, &r, SAVE_DECODE_SHOW,
                     errp)) {
        g_prefix_error(errp, "section '%s' at offset 0x%" G_GINT64_MODIFIER
                       "x: ", idstr, at);
        return FALSE;
    }
    /*
     * Walked again on a fresh copy, filled field by field as the codec
     * fills it, so tests and counts see what the decode saw.
     */
    g_free(scratch);
    scratch = NULL;
    find_table(m, idstr, &scratch, &origin);
    walk = (Cursor){ .data = c->data + c->pos, .len = r.pos,
                     .origin = c->origin + c->pos };
    fields = dm_json_new_object();
    dm_json_object_set(rec, "fields", fields);
    if (!show_fields(s, scratch, (int)version, &walk, fields, errp)) {
        return FALSE;
    }
    dm_json_object_set_int(rec, "bytes", (int64_t)r.pos);
    c->pos += r.pos;
    if (cur_have(c, 5) && c->data[c->pos] == QEVM_FOOTER) {
        c->pos += 5;
    }
    return TRUE;
}

/* The "ram" payload up to EOS: block list and page counts per block. */
static gboolean show_ram(GlueTool *t, Cursor *c, DmJson *rec, GError **errp)
{
    DmJson *blocks = dm_json_object_get(rec, "blocks");
    uint64_t pages = 0, zero = 0;

    if (!blocks) {
        blocks = dm_json_new_array();
        dm_json_object_set(rec, "blocks", blocks);
    }
    for (;;) {
        uint64_t at = c->origin + c->pos;
        uint64_t word;
        unsigned flags, kind;

        if (!cur_need(c, 8, "RAM record", errp)) {
            return FALSE;
        }
        word = cur_be(c, 8);
        flags = word & (RAM_PAGE_SIZE - 1);
        kind = flags & ~SAVE_RAM_CONTINUE;
        if (flags == SAVE_RAM_EOS) {
            break;
        }
        if (kind == SAVE_RAM_MEM_SIZE) {
            uint64_t total = word & ~(uint64_t)0xfff;
            dm_json_object_set(rec, "total", glue_json_u64(total));
            while (total) {
                char idstr[256];
                uint64_t used;
                DmJson *b;
                if (!cur_counted(c, idstr, "RAM block list", errp) ||
                    !cur_need(c, 8, "RAM block list", errp)) {
                    return FALSE;
                }
                used = cur_be(c, 8);
                if (used > total) {
                    g_set_error(errp, SAVE_ERROR, 0,
                                "RAM block list at offset 0x%"
                                G_GINT64_MODIFIER "x: block \"%s\" overruns "
                                "the total", at, idstr);
                    return FALSE;
                }
                total -= used;
                b = dm_json_new_object();
                dm_json_object_set_string(b, "idstr", idstr);
                dm_json_object_set(b, "used_length", glue_json_u64(used));
                dm_json_array_add(blocks, b);
            }
        } else if (kind == SAVE_RAM_ZERO || kind == SAVE_RAM_PAGE) {
            char idstr[256];
            if (!(flags & SAVE_RAM_CONTINUE) &&
                !cur_counted(c, idstr, "RAM page record", errp)) {
                return FALSE;
            }
            if (!cur_need(c, kind == SAVE_RAM_ZERO ? 1 : RAM_PAGE_SIZE,
                          "RAM page", errp)) {
                return FALSE;
            }
            c->pos += kind == SAVE_RAM_ZERO ? 1 : RAM_PAGE_SIZE;
            pages++;
            zero += kind == SAVE_RAM_ZERO;
            glue_tool_progress(t, c->origin + c->pos);
        } else {
            g_set_error(errp, SAVE_ERROR, 0,
                        "RAM record at offset 0x%" G_GINT64_MODIFIER "x: "
                        "flags 0x%x not decoded", at, flags);
            return FALSE;
        }
    }
    pages += dm_json_object_get(rec, "pages") ?
             (uint64_t)dm_json_get_int(dm_json_object_get(rec, "pages")) : 0;
    zero += dm_json_object_get(rec, "zero_pages") ?
            (uint64_t)dm_json_get_int(dm_json_object_get(rec, "zero_pages"))
            : 0;
    dm_json_object_set(rec, "pages", glue_json_u64(pages));
    dm_json_object_set(rec, "zero_pages", glue_json_u64(zero));
    return TRUE;
}

static char *configured_machine(const uint8_t *data, size_t len)
{
    uint32_t n;

    if (len < 13 || data[8] != QEVM_CONFIGURATION) {
        return NULL;
    }
    n = (uint32_t)data[9] << 24 | data[10] << 16 | data[11] << 8 | data[12];
    if (n > len - 13 || n > 255) {
        return NULL;
    }
    return g_strndup((const char *)data + 13, n);
}

DmMachine *glue_tool_machine(GlueTool *t, const uint8_t *state, size_t len,
                               GError **errp)
{
    g_autofree char *conf = configured_machine(state, len);
    const char *type = t->machine ? t->machine : conf ? conf : "pc";
    g_autofree char *mach = g_strdup_printf("%s,accel=qtest%s", type,
        t->skip_unemulated ? ",unemulated=skip" : "");
    /* A Xen guest's board differs (PIIX3-xen lines, no PIT, no bridge
     * hotplug): -xen-domid with qtest builds it without a hypervisor. */
    const char *argv[] = { "stubdm", "-machine", mach, "-m",
                           t->memory ? t->memory : "128",
                           t->xen ? "-xen-domid" : NULL, "1", NULL };
    DmOptions *o = dm_options_new();
    DmMachine *m;

    int argc = t->xen ? G_N_ELEMENTS(argv) - 1 : 5;

    if (!dm_options_parse(o, argc, (char **)argv, errp)) {
        dm_options_free(o);
        g_prefix_error(errp, "machine '%s': ", type);
        return NULL;
    }
    m = dm_machine_new(o, errp);
    if (!m) {
        g_prefix_error(errp, "machine '%s': ", type);
    }
    return m;
}

gboolean glue_show_qevm(GlueTool *t, const uint8_t *data, size_t len,
                          uint64_t origin, DmJson *out, GError **errp)
{
    Cursor c = { .data = data, .len = len, .origin = origin };
    g_autoptr(GError) err = NULL;
    DmJson *records = dm_json_new_array();
    DmJson *ram = NULL;
    DmMachine *m;
    uint32_t magic, version;
    gboolean ok = TRUE;

    dm_json_object_set(out, "offset", glue_json_u64(origin));
    dm_json_object_set(out, "length", glue_json_u64(len));
    if (!cur_need(&c, 8, "stream header", errp)) {
        dm_json_free(records);
        return FALSE;
    }
    magic = (uint32_t)cur_be(&c, 4);
    version = (uint32_t)cur_be(&c, 4);
    if (magic != QEVM_MAGIC || version != QEVM_VERSION) {
        dm_json_free(records);
        g_set_error(errp, SAVE_ERROR, 0,
                    "not a QEVM v3 stream at offset 0x%" G_GINT64_MODIFIER
                    "x (magic 0x%08x, version %u)", origin, magic, version);
        return FALSE;
    }
    m = glue_tool_machine(t, data, len, errp);
    if (!m) {
        dm_json_free(records);
        return FALSE;
    }
    dm_json_object_set_string(out, "machine", m->machine_type);
    dm_json_object_set(out, "records", records);
    while (ok) {
        uint64_t at = c.origin + c.pos;
        DmJson *rec;
        uint8_t type;

        glue_tool_progress(t, at);
        if (!cur_need(&c, 1, "record", errp)) {
            ok = FALSE;
            break;
        }
        type = c.data[c.pos++];
        rec = dm_json_new_object();
        dm_json_object_set(rec, "offset", glue_json_u64(at));
        dm_json_array_add(records, rec);
        if (type == QEVM_EOF) {
            dm_json_object_set_string(rec, "record", "eof");
            if (cur_have(&c, 5) && c.data[c.pos] == QEVM_VMDESCRIPTION) {
                uint32_t n;
                c.pos++;
                n = (uint32_t)cur_be(&c, 4);
                rec = dm_json_new_object();
                dm_json_object_set(rec, "offset", glue_json_u64(at + 1));
                dm_json_object_set_string(rec, "record", "vmdescription");
                dm_json_object_set_int(rec, "bytes", n);
                dm_json_array_add(records, rec);
            }
            break;
        } else if (type == QEVM_CONFIGURATION) {
            char name[256];
            uint32_t n;
            if (!cur_need(&c, 4, "configuration", errp)) {
                ok = FALSE;
                break;
            }
            n = (uint32_t)cur_be(&c, 4);
            if (n > 255 || !cur_need(&c, n, "configuration", errp)) {
                if (n > 255) {
                    g_set_error(errp, SAVE_ERROR, 0, "configuration at "
                                "offset 0x%" G_GINT64_MODIFIER "x: name of "
                                "%u bytes", at, n);
                }
                ok = FALSE;
                break;
            }
            memcpy(name, c.data + c.pos, n);
            name[n] = '\0';
            c.pos += n;
            dm_json_object_set_string(rec, "record", "configuration");
            dm_json_object_set_string(rec, "machine", name);
        } else if (type == QEVM_SECTION_FULL) {
            ok = show_full(m, &c, rec, errp);
        } else if (type >= QEVM_SECTION_START && type <= QEVM_SECTION_END) {
            uint32_t id;
            if (!cur_need(&c, 4, "section header", errp)) {
                ok = FALSE;
                break;
            }
            id = (uint32_t)cur_be(&c, 4);
            if (type == QEVM_SECTION_START) {
                char idstr[256];
                uint32_t instance, v;
                if (!cur_counted(&c, idstr, "section header", errp) ||
                    !cur_need(&c, 8, "section header", errp)) {
                    ok = FALSE;
                    break;
                }
                instance = (uint32_t)cur_be(&c, 4);
                v = (uint32_t)cur_be(&c, 4);
                if (strcmp(idstr, "ram")) {
                    g_set_error(errp, SAVE_ERROR, 0, "live section '%s' at "
                                "offset 0x%" G_GINT64_MODIFIER "x: unknown "
                                "to stubdm", idstr, at);
                    ok = FALSE;
                    break;
                }
                ram = rec;
                dm_json_object_set_string(rec, "record", "ram");
                dm_json_object_set_int(rec, "section_id", id);
                dm_json_object_set_int(rec, "instance", instance);
                dm_json_object_set_int(rec, "version", v);
            } else {
                dm_json_object_set_string(rec, "record",
                    type == QEVM_SECTION_PART ? "ram part" : "ram end");
            }
            ok = show_ram(t, &c, ram ? ram : rec, errp);
            if (ok && cur_have(&c, 5) && c.data[c.pos] == QEVM_FOOTER) {
                c.pos += 5;
            }
        } else {
            g_set_error(errp, SAVE_ERROR, 0, "unknown record type 0x%02x "
                        "at offset 0x%" G_GINT64_MODIFIER "x", type, at);
            ok = FALSE;
        }
    }
    glue_tool_progress(t, t->progress_total);
    dm_machine_free(m);
    return ok;
}

