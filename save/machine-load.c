/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Whole-machine device state: loading. Every section is staged (decoded
 * into a scratch copy to check it, its bytes kept) and nothing is applied
 * until the stream has been read to EOF.
 */
#include "save/machine-state.h"
#include "save/machine-entries.h"
#include "save/foreign/foreign.h"
#include "save/ram-section.h"
#include "save/stream.h"

#include <string.h>

/* Instance ids old QEMU used (the I/O base); accepted on load only. */
static const struct {
    const char *idstr;
    uint32_t alias;
} legacy_instances[] = {
    { "i8254", 0x40 },
    { "mc146818rtc", 0x70 },
};

typedef struct {
    SaveEntry *entry;
    int version;
    GByteArray *bytes;
    uint64_t offset;
} SaveStaged;

static void staged_clear(gpointer p)
{
    SaveStaged *s = p;

    if (s->bytes) {
        g_byte_array_free(s->bytes, TRUE);
    }
}

/* One load: what was staged, what was skipped, where the stream is. */
typedef struct {
    DmMachine *m;
    GArray *entries;          /* SaveEntry */
    GArray *staged;           /* SaveStaged, applied at EOF */
    GPtrArray *skipped;       /* idstrs of unemulated devices, unique */
    GHashTable *skipped_seen; /* "idstr#instance" */
    bool footers;
    char last[256];           /* idstr of the last complete section */
    SaveRamLoad *ram;         /* staged RAM; NULL: the machine has none */
    int64_t ram_id;           /* section id of ram's START, or -1 */
    bool ram_ended;
    const char *hint;         /* added to a refusal: a dialect seen */
} SaveLoad;

static SaveEntry *find_entry(GArray *entries, const char *idstr,
                             uint32_t instance)
{
    for (guint i = 0; i < entries->len; i++) {
        SaveEntry *e = &g_array_index(entries, SaveEntry, i);
        /* Very old QEMU named PCI sections without their path. */
        bool name = !strcmp(e->idstr, idstr) ||
                    !strcmp(e->section->name, idstr);
        bool inst = e->instance == instance;

        for (size_t a = 0; a < G_N_ELEMENTS(legacy_instances); a++) {
            inst |= !strcmp(legacy_instances[a].idstr, idstr) &&
                    legacy_instances[a].alias == instance;
        }
        if (name && inst) {
            return e;
        }
    }
    return NULL;
}

static gboolean load_configuration(DmMachine *m, SaveInput *in,
                                   GError **errp)
{
    uint32_t len;
    g_autofree char *name = NULL;
    uint64_t at = save_input_offset(in);

    if (!save_input_be32(in, &len, errp)) {
        return FALSE;
    }
    if (len > 255) {
        g_set_error(errp, SAVE_ERROR, 0,
                    "configuration section at offset 0x%" G_GINT64_MODIFIER
                    "x: machine name of %u bytes", at, len);
        return FALSE;
    }
    name = g_malloc0(len + 1);
    if (!save_input_bytes(in, name, len, errp)) {
        return FALSE;
    }
    /* QEMU compares only the received length: a prefix passes. */
    if (strncmp(name, m->machine_type, len)) {
        g_set_error(errp, SAVE_ERROR, 0,
                    "configuration section at offset 0x%" G_GINT64_MODIFIER
                    "x: machine type received is '%s' and local is '%s'",
                    at, name, m->machine_type);
        return FALSE;
    }
    return TRUE;
}

/* Where a record that could not be read would have been. */
static void prefix_record(SaveLoad *l, const char *what, uint64_t at,
                          GError **errp)
{
    if (l->last[0]) {
        g_prefix_error(errp, "%s at offset 0x%" G_GINT64_MODIFIER
                       "x (after section '%s'): ", what, at, l->last);
    } else {
        g_prefix_error(errp, "%s at offset 0x%" G_GINT64_MODIFIER "x: ",
                       what, at);
    }
}

/*
 * A section no device of this machine has: with unemulated=skip and a
 * table to parse it by, read it into a scratch copy and drop it.
 */
static const SaveSection *unemulated_section(SaveLoad *l, const char *idstr,
                                             uint32_t instance, uint64_t at,
                                             GError **errp)
{
    const SaveSection *s = save_foreign_find(idstr, NULL);
    g_autofree char *key = NULL;

    if (!s) {
        g_set_error(errp, SAVE_ERROR, 0,
                    "section '%s' instance %u at offset 0x%"
                    G_GINT64_MODIFIER "x: unknown section (no device of "
                    "machine %s has it, and stubdm does not know its "
                    "layout)", idstr, instance, at, l->m->machine_type);
        return NULL;
    }
    if (!l->m->opts->unemulated_skip) {
        g_set_error(errp, SAVE_ERROR, 0,
                    "section '%s' instance %u at offset 0x%"
                    G_GINT64_MODIFIER "x: stubdm does not emulate this "
                    "device; -machine ...,unemulated=skip would skip its "
                    "sections and load the rest", idstr, instance, at);
        return NULL;
    }
    key = g_strdup_printf("%s#%u", idstr, instance);
    if (!g_hash_table_add(l->skipped_seen, g_steal_pointer(&key))) {
        g_set_error(errp, SAVE_ERROR, 0,
                    "section '%s' instance %u at offset 0x%"
                    G_GINT64_MODIFIER "x: the stream has it twice", idstr,
                    instance, at);
        return NULL;
    }
    return s;
}

static gboolean load_footer(SaveInput *in, const char *idstr, uint32_t id,
                            bool *footers, GError **errp)
{
    const uint8_t *peek;

    /* Footers are on iff the byte after the first payload is 0x7e. */
    if (save_input_peek(in, 1, &peek) == 1 && peek[0] == QEVM_FOOTER) {
        uint8_t mark;
        uint32_t fid;
        if (!save_input_u8(in, &mark, errp) ||
            !save_input_be32(in, &fid, errp)) {
            g_prefix_error(errp, "section '%s': footer: ", idstr);
            return FALSE;
        }
        if (fid != id) {
            g_set_error(errp, SAVE_ERROR, 0,
                        "section '%s': footer at offset 0x%"
                        G_GINT64_MODIFIER "x names section %u, not %u",
                        idstr, save_input_offset(in) - 5, fid, id);
            return FALSE;
        }
        *footers = true;
    } else if (*footers) {
        g_set_error(errp, SAVE_ERROR, 0,
                    "section '%s': missing footer at offset 0x%"
                    G_GINT64_MODIFIER "x", idstr, save_input_offset(in));
        return FALSE;
    }
    return TRUE;
}

/* Reads one FULL section into a stage (or skips it); nothing live moves. */
static gboolean load_full_section(SaveLoad *l, SaveInput *in, GError **errp)
{
    uint64_t at = save_input_offset(in) - 1;
    uint32_t id, instance, wire_version;
    int version;
    char idstr[256];
    SaveEntry *e;
    const SaveSection *section;
    SaveStaged st = { 0 };
    g_autofree void *scratch = NULL;

    if (!save_input_be32(in, &id, errp) ||
        !save_input_counted(in, idstr, errp)) {
        prefix_record(l, "section header", at, errp);
        return FALSE;
    }
    if (!save_input_be32(in, &instance, errp) ||
        !save_input_be32(in, &wire_version, errp)) {
        g_prefix_error(errp, "section '%s' at offset 0x%" G_GINT64_MODIFIER
                       "x: header: ", idstr, at);
        return FALSE;
    }
    if (wire_version > INT32_MAX) {
        g_set_error(errp, SAVE_ERROR, 0,
                    "section '%s' at offset 0x%" G_GINT64_MODIFIER "x: "
                    "version %u is newer than stubdm knows", idstr, at,
                    wire_version);
        return FALSE;
    }
    e = find_entry(l->entries, idstr, instance);
    if (e) {
        section = e->section;
        for (guint i = 0; i < l->staged->len; i++) {
            if (g_array_index(l->staged, SaveStaged, i).entry == e) {
                g_set_error(errp, SAVE_ERROR, 0,
                            "section '%s' at offset 0x%" G_GINT64_MODIFIER
                            "x: the stream has it twice", idstr, at);
                return FALSE;
            }
        }
    } else {
        section = unemulated_section(l, idstr, instance, at, errp);
        if (!section) {
            return FALSE;
        }
    }
    /* A source dialect may label a layout with another version. */
    version = dm_compat_layout_version(&l->m->compat, section->name,
                                       (int)wire_version);
    if (!l->hint) {
        l->hint = dm_compat_dialect_hint(&l->m->compat, section->name,
                                         (int)wire_version);
    }
    if (version > section->version || version < section->minimum_version) {
        g_set_error(errp, SAVE_ERROR, 0,
                    "section '%s' at offset 0x%" G_GINT64_MODIFIER "x: "
                    "version %u is %s (stubdm reads %d to %d)", idstr, at,
                    wire_version, version > section->version ?
                    "newer than stubdm knows" : "too old",
                    section->minimum_version, section->version);
        return FALSE;
    }
    if (e) {
        st.entry = e;
        st.version = version;
        st.offset = save_input_offset(in);
        st.bytes = g_byte_array_new();
        scratch = g_memdup2(e->opaque, e->size);
        g_array_append_val(l->staged, st);
    } else {
        scratch = save_foreign_scratch_new(section, l->m->machine_type);
    }
    if (!save_input_decode(in, section, scratch, version, st.bytes,
                           errp)) {
        if (version != (int)wire_version) {
            g_prefix_error(errp, "version %u read with the qemu-kvm 1.0 "
                           "layout: ", wire_version);
        }
        g_prefix_error(errp, "section '%s' instance %u at offset 0x%"
                       G_GINT64_MODIFIER "x: ", idstr, instance, at);
        return FALSE;
    }
    if (!load_footer(in, idstr, id, &l->footers, errp)) {
        return FALSE;
    }
    if (!e && !g_ptr_array_find_with_equal_func(l->skipped, idstr,
                                                g_str_equal, NULL)) {
        g_ptr_array_add(l->skipped, g_strdup(idstr));
    }
    g_strlcpy(l->last, idstr, sizeof(l->last));
    return TRUE;
}

/* The header of a START: only "ram" v4 instance 0 is a live section here. */
static gboolean load_live_start(SaveLoad *l, SaveInput *in, uint32_t id,
                                uint64_t at, GError **errp)
{
    char idstr[256];
    uint32_t instance, version;

    if (!save_input_counted(in, idstr, errp) ||
        !save_input_be32(in, &instance, errp) ||
        !save_input_be32(in, &version, errp)) {
        prefix_record(l, "live section header", at, errp);
        return FALSE;
    }
    if (strcmp(idstr, SAVE_RAM_IDSTR) || instance) {
        g_set_error(errp, SAVE_ERROR, 0,
                    "section '%s' instance %u (id %u, live) at offset 0x%"
                    G_GINT64_MODIFIER "x: stubdm has no such live section "
                    "(block or dirty-bitmap migration is not supported)",
                    idstr, instance, id, at);
        return FALSE;
    }
    if (!l->ram || l->m->opts->xen_domid >= 0) {
        g_set_error(errp, SAVE_ERROR, 0,
                    "section 'ram' at offset 0x%" G_GINT64_MODIFIER "x: "
                    "RAM loading not allowed on Xen (the toolstack moves "
                    "guest memory)", at);
        return FALSE;
    }
    if (l->ram_id >= 0) {
        g_set_error(errp, SAVE_ERROR, 0, "section 'ram' at offset 0x%"
                    G_GINT64_MODIFIER "x: the stream has it twice", at);
        return FALSE;
    }
    if (version != SAVE_RAM_VERSION) {
        g_set_error(errp, SAVE_ERROR, 0, "section 'ram' at offset 0x%"
                    G_GINT64_MODIFIER "x: version %u (stubdm reads 4 only)",
                    at, version);
        return FALSE;
    }
    l->ram_id = id;
    return TRUE;
}

/* START, PART or END of the RAM section: staged, nothing applied. */
static gboolean load_live_section(SaveLoad *l, SaveInput *in, uint8_t type,
                                  uint64_t at, GError **errp)
{
    uint32_t id;

    if (!save_input_be32(in, &id, errp)) {
        prefix_record(l, "live section header", at, errp);
        return FALSE;
    }
    if (type == QEVM_SECTION_START) {
        if (!load_live_start(l, in, id, at, errp)) {
            return FALSE;
        }
    } else if (l->ram_id < 0 || id != (uint32_t)l->ram_id || l->ram_ended) {
        g_set_error(errp, SAVE_ERROR, 0,
                    "live section record 0x%02x at offset 0x%"
                    G_GINT64_MODIFIER "x: section id %u %s", type, at, id,
                    l->ram_ended ? "after its END" :
                    "has no START before it");
        return FALSE;
    }
    if (!save_ram_load_payload(l->ram, in, type == QEVM_SECTION_START,
                               errp)) {
        g_prefix_error(errp, "section 'ram' at offset 0x%" G_GINT64_MODIFIER
                       "x: ", at);
        return FALSE;
    }
    if (!load_footer(in, SAVE_RAM_IDSTR, id, &l->footers, errp)) {
        return FALSE;
    }
    l->ram_ended = type == QEVM_SECTION_END;
    g_strlcpy(l->last, SAVE_RAM_IDSTR, sizeof(l->last));
    return TRUE;
}

static gboolean apply_staged(GArray *staged, GError **errp)
{
    for (guint i = 0; i < staged->len; i++) {
        SaveStaged *st = &g_array_index(staged, SaveStaged, i);
        SaveReader r = { .data = st->bytes->data, .len = st->bytes->len,
                         .origin = st->offset };

        if (!save_decode(st->entry->section, st->entry->opaque, st->version,
                         &r, SAVE_DECODE_APPLY, errp)) {
            return FALSE;
        }
    }
    return TRUE;
}

static gboolean load_records(SaveLoad *l, SaveInput *in, GError **errp)
{
    uint32_t magic, version;

    if (!save_input_be32(in, &magic, errp) ||
        !save_input_be32(in, &version, errp)) {
        g_prefix_error(errp, "stream header: ");
        return FALSE;
    }
    if (magic != QEVM_MAGIC) {
        g_set_error(errp, SAVE_ERROR, 0,
                    "not a migration stream (magic 0x%08x at offset 0)",
                    magic);
        return FALSE;
    }
    if (version != QEVM_VERSION) {
        g_set_error(errp, SAVE_ERROR, 0,
                    "stream version %u at offset 4 is not supported (only "
                    "3)", version);
        return FALSE;
    }
    for (;;) {
        uint8_t type;
        uint64_t at = save_input_offset(in);

        if (!save_input_u8(in, &type, errp)) {
            prefix_record(l, "record", at, errp);
            return FALSE;
        }
        if (type == QEVM_EOF) {
            return TRUE;
        }
        if (type == QEVM_CONFIGURATION && at == 8) {
            if (!load_configuration(l->m, in, errp)) {
                return FALSE;
            }
        } else if (type == QEVM_SECTION_FULL) {
            if (!load_full_section(l, in, errp)) {
                return FALSE;
            }
        } else if (type >= QEVM_SECTION_START && type <= QEVM_SECTION_END) {
            if (!load_live_section(l, in, type, at, errp)) {
                return FALSE;
            }
        } else {
            g_set_error(errp, SAVE_ERROR, 0, "unknown record type 0x%02x",
                        type);
            prefix_record(l, "record", at, errp);
            return FALSE;
        }
    }
}

gboolean load_machine_state(DmMachine *m, int fd, GPtrArray **skipped,
                            GError **errp)
{
    SaveClockState clock = { 0 };
    g_autoptr(GArray) entries = save_machine_entries(m, &clock);
    g_autoptr(GArray) staged = g_array_new(FALSE, TRUE, sizeof(SaveStaged));
    g_autoptr(GPtrArray) dropped = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GHashTable) seen = g_hash_table_new_full(g_str_hash,
                                                       g_str_equal, g_free,
                                                       NULL);
    g_autoptr(SaveRamLoad) ram = m->ram ?
        save_ram_load_new(m->ram, m->opts->unemulated_skip) : NULL;
    SaveLoad l = {
        .m = m,
        .entries = entries,
        .staged = staged,
        .skipped = dropped,
        .skipped_seen = seen,
        .ram = ram,
        .ram_id = -1,
    };
    SaveInput in;
    gboolean ok;

    g_array_set_clear_func(staged, staged_clear);
    save_input_init(&in, fd);
    /* Everything is read and checked before the machine changes. */
    ok = load_records(&l, &in, errp);
    save_input_destroy(&in);
    if (!ok) {
        if (l.hint && errp && *errp) {
            char *why = (*errp)->message;
            (*errp)->message = g_strdup_printf("%s (%s)", why, l.hint);
            g_free(why);
        }
        return FALSE;
    }
    if (l.ram_id >= 0 && !l.ram_ended) {
        g_set_error(errp, SAVE_ERROR, 0,
                    "section 'ram': the stream ends without its END record");
        return FALSE;
    }
    /* RAM first, as QEMU loads it: device post_load may look at it. */
    if (ram) {
        const GPtrArray *blocks = save_ram_load_skipped(ram);
        save_ram_load_commit(ram);
        for (guint i = 0; i < blocks->len; i++) {
            g_ptr_array_add(dropped, g_strdup_printf(
                "RAM block %s", (char *)g_ptr_array_index(blocks, i)));
        }
    }
    if (!apply_staged(staged, errp)) {
        return FALSE;
    }
    if (dropped->len) {
        g_autoptr(GString) list = g_string_new(NULL);
        for (guint i = 0; i < dropped->len; i++) {
            g_string_append_printf(list, "%s%s", i ? ", " : "",
                                   (char *)g_ptr_array_index(dropped, i));
        }
        g_printerr("stubdm: skipped sections of devices it does not "
                   "emulate: %s\n", list->str);
    }
    if (skipped) {
        *skipped = g_steal_pointer(&dropped);
    }
    return TRUE;
}
