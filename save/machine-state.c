/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Whole-machine device state in QEMU's savevm format. Loading stages
 * every section (decoded into a scratch copy to check it, its bytes
 * kept), and applies nothing until the stream has been read to EOF.
 */
#include "save/machine-state.h"
#include "dm/machine-pc.h"
#include "dm/machine-types.h"
#include "hw/hw.h"
#include "hw/i440fx.h"
#include "hw/pci.h"
#include "save/foreign/foreign.h"
#include "save/ram-section.h"
#include "save/stream.h"
#include "save/vmdesc.h"

#include <string.h>


static gboolean clock_pre_save(void *opaque, GError **errp)
{
    SaveClockState *c = opaque;

    c->cpu_ticks_offset = 0;  /* TCG's tick base; stubdm runs no vCPU */
    c->cpu_clock_offset = dm_clock_now(c->clock);
    return TRUE;
}

static gboolean clock_post_load(void *opaque, int version, GError **errp)
{
    SaveClockState *c = opaque;

    /* v1 streams carry no clock; the machine keeps its own. */
    if (version >= 2) {
        dm_clock_set_now(c->clock, c->cpu_clock_offset);
    }
    return TRUE;
}

static const SaveField clock_fields[] = {
    SAVE_FIELD_I64(SaveClockState, cpu_ticks_offset),
    SAVE_FIELD_UNUSED("dummy", 8),
    SAVE_FIELD_I64_SINCE(SaveClockState, cpu_clock_offset, 2),
    SAVE_END
};

const SaveSection save_clock_section = {
    .name = "timer",
    .version = 2,
    .minimum_version = 1,
    .fields = clock_fields,
    .pre_save = clock_pre_save,
    .post_load = clock_post_load,
};

typedef struct {
    char *idstr;
    uint32_t instance;
    const SaveSection *section;
    void *opaque;
    size_t size;              /* of *opaque, for scratch copies */
} SaveEntry;

/* Instance ids old QEMU used (the I/O base); accepted on load only. */
static const struct {
    const char *idstr;
    uint32_t alias;
} legacy_instances[] = {
    { "i8254", 0x40 },
    { "mc146818rtc", 0x70 },
};

static void entry_clear(gpointer p)
{
    g_free(((SaveEntry *)p)->idstr);
}

/* PCI devices are named by their path: the table's first field says so. */
static char *device_idstr(const HwDeviceInfo *info, void *state)
{
    const SaveField *first = &info->state->fields[0];

    if (first->kind == SAVE_STRUCT && first->nested == &pci_device_section) {
        const PciDevice *d = (const PciDevice *)((char *)state +
                                                 first->offset);
        return g_strdup_printf("0000:00:%02x.%x/%s", d->devfn >> 3,
                               d->devfn & 7, info->state->name);
    }
    return g_strdup(info->state->name);
}

static GArray *machine_entries(DmMachine *m, SaveClockState *clock)
{
    GArray *entries = g_array_new(FALSE, TRUE, sizeof(SaveEntry));
    SaveEntry e = {
        .idstr = g_strdup("timer"),
        .section = &save_clock_section,
        .opaque = clock,
        .size = sizeof(*clock),
    };

    g_array_set_clear_func(entries, entry_clear);
    clock->clock = m->clock;
    g_array_append_val(entries, e);
    for (guint i = 0; m->devices && i < m->devices->len; i++) {
        HwDevice *d = g_ptr_array_index(m->devices, i);
        if (!d->info->state) {
            continue;
        }
        /*
         * QEMU 5.1 and newer save the 0xcf8 latch as "PCIHost", just
         * before the host bridge (x-config-reg-migration-enabled).
         */
        if (d->info == &i440fx_info && m->compat.pcihost_config_reg) {
            I440fx *host = d->state;
            e = (SaveEntry){
                .idstr = g_strdup(pci_host_section.name),
                .section = &pci_host_section,
                .opaque = host->bus,
                .size = sizeof(*host->bus),
            };
            g_array_append_val(entries, e);
        }
        /* Then the bus's IRQ line counts, on every machine. */
        if (d->info == &i440fx_info) {
            I440fx *host = d->state;
            e = (SaveEntry){
                .idstr = g_strdup(pci_bus_section.name),
                .section = &pci_bus_section,
                .opaque = host->bus,
                .size = sizeof(*host->bus),
            };
            g_array_append_val(entries, e);
        }
        e = (SaveEntry){
            .idstr = device_idstr(d->info, d->state),
            .section = d->info->state,
            .opaque = d->state,
            .size = d->info->instance_size,
        };
        /* Two of a kind (pflash_cfi01): ids 0, 1... in board order. */
        for (guint j = 0; j < entries->len; j++) {
            e.instance += !strcmp(g_array_index(entries, SaveEntry, j).idstr,
                                  e.idstr);
        }
        g_array_append_val(entries, e);
        /* Further sections of the same state (i8254's "pcspk"). */
        for (const SaveSection *const *x = d->info->extra_state; x && *x;
             x++) {
            /* A section with a needed() test exists only when it holds. */
            if ((*x)->needed && !(*x)->needed(d->state)) {
                continue;
            }
            e = (SaveEntry){
                .idstr = g_strdup((*x)->name),
                .section = *x,
                .opaque = d->state,
                .size = d->info->instance_size,
            };
            g_array_append_val(entries, e);
        }
    }
    return entries;
}

const SaveSection *save_machine_section(DmMachine *m, const char *idstr,
                                        void **scratch)
{
    SaveClockState clock = { 0 };
    g_autoptr(GArray) entries = machine_entries(m, &clock);
    const char *slash = strrchr(idstr, '/');

    for (guint i = 0; i < entries->len; i++) {
        SaveEntry *e = &g_array_index(entries, SaveEntry, i);
        /* Old streams name PCI sections without their path. */
        if (!strcmp(e->idstr, idstr) ||
            !strcmp(e->section->name, slash ? slash + 1 : idstr)) {
            *scratch = g_memdup2(e->opaque, e->size);
            return e->section;
        }
    }
    return NULL;
}

SaveFormat save_format_for_device_state(const DmMachine *m)
{
    /* QEMU's Xen accelerator turns footers off; TCG keeps them on. */
    SaveFormat f = { .configuration = false,
                     .footers = m->opts->xen_domid < 0 };
    return f;
}

SaveFormat save_format_for_migrate(const DmMachine *m)
{
    const char *type = m->machine_type;
    bool xen = m->opts->xen_domid >= 0 || g_str_has_prefix(type, "xenfv");
    bool suppress = m->opts->suppress_vmdesc_set ? m->opts->suppress_vmdesc
                                                 : m->compat.suppress_vmdesc;
    SaveFormat f = {
        .configuration = m->compat.configuration && !xen,
        .footers = m->compat.configuration && !xen,
        .ram = true,
        .vmdesc = !suppress && !xen,
    };
    return f;
}

static void write_section_header(SaveWriter *w, uint8_t type, uint32_t id,
                                 const char *idstr, uint32_t instance,
                                 uint32_t version)
{
    save_writer_u8(w, type);
    save_writer_be32(w, id);
    if (type == QEVM_SECTION_START || type == QEVM_SECTION_FULL) {
        save_writer_counted(w, idstr);
        save_writer_be32(w, instance);
        save_writer_be32(w, version);
    }
}

static void write_footer(SaveWriter *w, const SaveFormat *f, uint32_t id)
{
    if (f->footers) {
        save_writer_u8(w, QEVM_FOOTER);
        save_writer_be32(w, id);
    }
}

/*
 * A stopped-VM migrate as QEMU 7.2 writes it: START with the block list,
 * one PART with every page, an END with nothing left but EOS.
 */
static void write_ram(DmMachine *m, SaveWriter *w, const SaveFormat *f,
                      uint32_t id, SaveStats *stats)
{
    SaveRamSave rs = { .reg = m->ram };

    write_section_header(w, QEVM_SECTION_START, id, SAVE_RAM_IDSTR, 0,
                         SAVE_RAM_VERSION);
    save_ram_write_blocks(&rs, w);
    write_footer(w, f, id);
    write_section_header(w, QEVM_SECTION_PART, id, NULL, 0, 0);
    save_ram_write_pages(&rs, w, true);
    write_footer(w, f, id);
    write_section_header(w, QEVM_SECTION_END, id, NULL, 0, 0);
    save_ram_write_pages(&rs, w, false);
    write_footer(w, f, id);
    stats->zero_pages = rs.zero_pages;
    stats->data_pages = rs.data_pages;
    for (guint i = 0; i < m->ram->blocks->len; i++) {
        RamBlock *b = g_ptr_array_index(m->ram->blocks, i);
        if (ram_block_migratable(b)) {
            stats->ram_total += b->used_length;
        }
    }
}

/* The description QEMU appends after EOF; written from the tables. */
static void write_vmdesc(SaveWriter *w, GArray *entries)
{
    g_autoptr(DmJson) root = dm_json_new_object();
    DmJson *devices = dm_json_new_array();
    g_autofree char *text = NULL;

    dm_json_object_set_int(root, "page_size", 4096);
    for (guint i = 0; i < entries->len; i++) {
        SaveEntry *e = &g_array_index(entries, SaveEntry, i);
        dm_json_array_add(devices, save_vmdesc_device(e->idstr, e->instance,
                                                      e->section,
                                                      e->opaque));
    }
    dm_json_object_set(root, "devices", devices);
    text = dm_json_to_string(root, false);
    save_writer_u8(w, QEVM_VMDESCRIPTION);
    save_writer_be32(w, (uint32_t)strlen(text));
    save_writer_bytes(w, text, strlen(text));
}

gboolean save_machine_state(DmMachine *m, int fd, const SaveFormat *f,
                            GError **errp)
{
    SaveStats stats = { 0 };

    return save_machine_migrate(m, fd, f, &stats, errp);
}

gboolean save_machine_migrate(DmMachine *m, int fd, const SaveFormat *f,
                              SaveStats *stats, GError **errp)
{
    SaveClockState clock = { 0 };
    g_autoptr(GArray) entries = machine_entries(m, &clock);
    g_autoptr(GByteArray) payload = g_byte_array_new();
    SaveWriter w;

    save_writer_init(&w, fd);
    save_writer_be32(&w, QEVM_MAGIC);
    save_writer_be32(&w, QEVM_VERSION);
    if (f->configuration) {
        save_writer_u8(&w, QEVM_CONFIGURATION);
        save_writer_be32(&w, (uint32_t)strlen(m->machine_type));
        save_writer_bytes(&w, m->machine_type, strlen(m->machine_type));
    }
    if (f->ram && m->ram) {
        /* Device sections keep ids 0..n-1; ram takes the next. */
        write_ram(m, &w, f, entries->len, stats);
    }
    for (guint i = 0; i < entries->len; i++) {
        SaveEntry *e = &g_array_index(entries, SaveEntry, i);

        g_byte_array_set_size(payload, 0);
        if (!save_encode(e->section, e->opaque, payload, errp)) {
            save_writer_finish(&w, NULL);
            return FALSE;
        }
        write_section_header(&w, QEVM_SECTION_FULL, i, e->idstr,
                             e->instance, (uint32_t)e->section->version);
        save_writer_bytes(&w, payload->data, payload->len);
        write_footer(&w, f, i);
    }
    save_writer_u8(&w, QEVM_EOF);
    if (f->vmdesc) {
        write_vmdesc(&w, entries);
    }
    stats->bytes = w.written + (w.buf ? w.buf->len : 0);
    return save_writer_finish(&w, errp);
}

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
    g_autoptr(GArray) entries = machine_entries(m, &clock);
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
