/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Whole-machine device state in QEMU's savevm format: the sections a
 * machine has, and saving them (machine-load.c loads them).
 */
#include "save/machine-state.h"
#include "save/machine-entries.h"
#include "dm/machine-pc.h"
#include "dm/machine-types.h"
#include "hw/hw.h"
#include "hw/i440fx.h"
#include "hw/pci.h"
#include "save/foreign/foreign.h"
#include "save/global-state.h"
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

GArray *save_machine_entries(DmMachine *m, SaveClockState *clock)
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
    /* Last, as in QEMU; listed always so that a stream's can be read. */
    if (!m->global_state) {
        m->global_state = g_new0(SaveGlobalState, 1);
        m->global_state->m = m;
    }
    e = (SaveEntry){
        .idstr = g_strdup(save_global_state_section.name),
        .section = &save_global_state_section,
        .opaque = m->global_state,
        .size = sizeof(*m->global_state),
    };
    g_array_append_val(entries, e);
    return entries;
}

const SaveSection *save_machine_section(DmMachine *m, const char *idstr,
                                        void **scratch)
{
    SaveClockState clock = { 0 };
    g_autoptr(GArray) entries = save_machine_entries(m, &clock);
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

/* The description QEMU appends after EOF; written from the tables. */
/* A listed section whose needed() test fails is not written (globalstate). */
static bool entry_saved(SaveEntry *e)
{
    return !e->section->needed || e->section->needed(e->opaque);
}

static void write_vmdesc(SaveWriter *w, GArray *entries)
{
    g_autoptr(DmJson) root = dm_json_new_object();
    DmJson *devices = dm_json_new_array();
    g_autofree char *text = NULL;

    dm_json_object_set_int(root, "page_size", 4096);
    for (guint i = 0; i < entries->len; i++) {
        SaveEntry *e = &g_array_index(entries, SaveEntry, i);
        if (!entry_saved(e)) {
            continue;
        }
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

void save_write_section_header(SaveWriter *w, uint8_t type, uint32_t id,
                               const char *idstr, uint32_t instance,
                               uint32_t version)
{
    write_section_header(w, type, id, idstr, instance, version);
}

void save_write_footer(SaveWriter *w, const SaveFormat *f, uint32_t id)
{
    write_footer(w, f, id);
}

uint32_t save_machine_ram_section_id(DmMachine *m)
{
    SaveClockState clock = { 0 };
    g_autoptr(GArray) entries = save_machine_entries(m, &clock);

    /* Device sections keep ids 0..n-1; ram takes the next. */
    return entries->len;
}

void save_machine_write_header(DmMachine *m, SaveWriter *w,
                               const SaveFormat *f)
{
    save_writer_be32(w, QEVM_MAGIC);
    save_writer_be32(w, QEVM_VERSION);
    if (f->configuration) {
        save_writer_u8(w, QEVM_CONFIGURATION);
        save_writer_be32(w, (uint32_t)strlen(m->machine_type));
        save_writer_bytes(w, m->machine_type, strlen(m->machine_type));
    }
}

gboolean save_machine_write_devices(DmMachine *m, SaveWriter *w,
                                    const SaveFormat *f, GError **errp)
{
    SaveClockState clock = { 0 };
    g_autoptr(GArray) entries = save_machine_entries(m, &clock);
    g_autoptr(GByteArray) payload = g_byte_array_new();

    for (guint i = 0; i < entries->len; i++) {
        SaveEntry *e = &g_array_index(entries, SaveEntry, i);

        if (!entry_saved(e)) {
            continue;
        }
        g_byte_array_set_size(payload, 0);
        if (!save_encode(e->section, e->opaque, payload, errp)) {
            return FALSE;
        }
        write_section_header(w, QEVM_SECTION_FULL, i, e->idstr,
                             e->instance, (uint32_t)e->section->version);
        save_writer_bytes(w, payload->data, payload->len);
        write_footer(w, f, i);
    }
    save_writer_u8(w, QEVM_EOF);
    if (f->vmdesc) {
        write_vmdesc(w, entries);
    }
    return TRUE;
}
