/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * An outgoing migrate stream written in steps: the header and the RAM
 * block list, RAM passes while the guest may still run, then the rest
 * once it stopped. A non-live migrate is the same with one pass.
 */
#include "save/migrate-out.h"
#include "save/ram-section.h"

struct SaveMigrate {
    DmMachine *m;
    SaveFormat f;
    SaveWriter w;
    SaveRamSave rs;
    bool ram;                 /* the stream has a "ram" section */
    uint32_t ram_id;
};

SaveMigrate *save_migrate_begin(DmMachine *m, int fd, const SaveFormat *f)
{
    SaveMigrate *s = g_new0(SaveMigrate, 1);

    s->m = m;
    s->f = *f;
    s->ram = f->ram && m->ram;
    s->rs.reg = m->ram;
    save_writer_init(&s->w, fd);
    save_machine_write_header(m, &s->w, f);
    if (s->ram) {
        s->ram_id = save_machine_ram_section_id(m);
        save_write_section_header(&s->w, QEVM_SECTION_START, s->ram_id,
                                  SAVE_RAM_IDSTR, 0, SAVE_RAM_VERSION);
        save_ram_write_blocks(&s->rs, &s->w);
        save_write_footer(&s->w, f, s->ram_id);
        /* The bulk stage: every page is owed once, whatever came before. */
        save_ram_mark_all_dirty(&s->rs);
    }
    return s;
}

uint64_t save_migrate_iterate(SaveMigrate *s, uint64_t max_pages)
{
    uint64_t sent;

    if (!s->ram) {
        return 0;
    }
    save_write_section_header(&s->w, QEVM_SECTION_PART, s->ram_id, NULL, 0,
                              0);
    sent = save_ram_write_dirty(&s->rs, &s->w, max_pages);
    save_write_footer(&s->w, &s->f, s->ram_id);
    return sent;
}

uint64_t save_migrate_remaining(const SaveMigrate *s)
{
    return s->ram ? save_ram_dirty_pages(&s->rs) : 0;
}

void save_migrate_stats(const SaveMigrate *s, SaveStats *stats)
{
    stats->bytes = s->w.written + (s->w.buf ? s->w.buf->len : 0);
    stats->ram_total = s->ram ? save_ram_total(&s->rs) : 0;
    stats->zero_pages = s->rs.zero_pages;
    stats->data_pages = s->rs.data_pages;
    /* One sync when the bulk stage began, one per pass after it. */
    stats->dirty_syncs = s->ram ? 1 + s->rs.rounds : 0;
}

const GError *save_migrate_error(const SaveMigrate *s)
{
    return s->w.error;
}

gboolean save_migrate_finish(SaveMigrate *s, SaveStats *stats,
                             GError **errp)
{
    gboolean ok = TRUE;

    if (s->ram) {
        /* The guest is stopped: what is still dirty goes in END. */
        save_write_section_header(&s->w, QEVM_SECTION_END, s->ram_id, NULL,
                                  0, 0);
        save_ram_write_dirty(&s->rs, &s->w, 0);
        save_write_footer(&s->w, &s->f, s->ram_id);
    }
    if (!save_machine_write_devices(s->m, &s->w, &s->f, errp)) {
        ok = FALSE;
    }
    if (stats) {
        save_migrate_stats(s, stats);
        if (s->ram) {
            /* END's walk of the log is a sync of its own. */
            stats->dirty_syncs++;
        }
    }
    if (!save_writer_finish(&s->w, ok ? errp : NULL)) {
        ok = FALSE;
    }
    g_free(s);
    return ok;
}

void save_migrate_abort(SaveMigrate *s)
{
    if (s) {
        save_writer_finish(&s->w, NULL);
        g_free(s);
    }
}

gboolean save_machine_migrate(DmMachine *m, int fd, const SaveFormat *f,
                              SaveStats *stats, GError **errp)
{
    SaveMigrate *s = save_migrate_begin(m, fd, f);

    /* Stopped: one pass sends every page, END has nothing left. */
    save_migrate_iterate(s, 0);
    return save_migrate_finish(s, stats, errp);
}
