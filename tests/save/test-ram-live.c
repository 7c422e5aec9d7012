/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Live RAM saving and the fast load paths: the dirty log across passes,
 * pages re-sent after the guest wrote them, a machine migrated in steps
 * while qtest-style writes land, and the staging commit (moved runs,
 * dropped zero runs, copies into memory ram/ did not map) all-or-nothing.
 */
#include "test-save.h"

#include "dm/machine.h"
#include "ram/ram-block.h"
#include "save/machine-state.h"
#include "save/migrate-out.h"
#include "save/ram-section.h"

#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define PAGE RAM_PAGE_SIZE
/* Above the 2 MiB from which commit moves runs instead of copying. */
#define BIG_PAGES 1100

/* Loads payloads: START, then parts more PARTs (each up to its EOS). */
static gboolean load_payloads(RamRegistry *reg, int fd, unsigned parts,
                              GError **errp)
{
    g_autoptr(SaveRamLoad) l = save_ram_load_new(reg, false);
    SaveInput in;
    gboolean ok;

    lseek(fd, 0, SEEK_SET);
    save_input_init(&in, fd);
    ok = save_ram_load_payload(l, &in, true, errp);
    for (unsigned i = 0; ok && i < parts; i++) {
        ok = save_ram_load_payload(l, &in, false, errp);
    }
    save_input_destroy(&in);
    if (ok) {
        save_ram_load_commit(l);
    }
    return ok;
}

static void fill_pages(uint8_t *p, uint64_t first, uint64_t n)
{
    for (uint64_t i = first; i < first + n; i++) {
        memset(p + i * PAGE, (int)(i % 251) + 1, PAGE);
    }
}

typedef struct {
    int fd;
    const GByteArray *bytes;
} Trickle;

/* Writes the stream in odd-sized pieces: reads come back short. */
static gpointer trickle_run(gpointer opaque)
{
    Trickle *t = opaque;

    for (guint at = 0; at < t->bytes->len;) {
        guint n = MIN(3001, t->bytes->len - at);
        g_assert_cmpint(write(t->fd, t->bytes->data + at, n), ==, n);
        at += n;
    }
    close(t->fd);
    return NULL;
}

/* Loads bytes through a pipe fed in pieces. */
static gboolean load_trickled(RamRegistry *reg, const GByteArray *bytes,
                              unsigned parts, GError **errp)
{
    g_autoptr(SaveRamLoad) l = save_ram_load_new(reg, false);
    int p[2];
    uint8_t sink[4096];
    Trickle t;
    GThread *th;
    SaveInput in;
    gboolean ok;

    g_assert_cmpint(pipe(p), ==, 0);
    t = (Trickle){ .fd = p[1], .bytes = bytes };
    th = g_thread_new("trickle", trickle_run, &t);
    save_input_init(&in, p[0]);
    ok = save_ram_load_payload(l, &in, true, errp);
    for (unsigned i = 0; ok && i < parts; i++) {
        ok = save_ram_load_payload(l, &in, false, errp);
    }
    save_input_destroy(&in);
    /* Drain so the writer ends even after a refusal. */
    while (read(p[0], sink, sizeof(sink)) > 0) {
    }
    g_thread_join(th);
    close(p[0]);
    if (ok) {
        save_ram_load_commit(l);
    }
    return ok;
}

/* Passes over the dirty log: a page written after it went is sent again. */
static void test_iterate(void)
{
    RamRegistry *src = ram_registry_new();
    RamRegistry *dst = ram_registry_new();
    RamBlock *a = ram_block_new_local(src, "a", 64 * PAGE, 64 * PAGE, false,
                                      NULL);
    RamBlock *d = ram_block_new_local(dst, "a", 64 * PAGE, 64 * PAGE, false,
                                      NULL);
    SaveRamSave rs = { .reg = src };
    int fd = memfd_create("live", MFD_CLOEXEC);
    unsigned parts = 0;
    uint64_t sent = 0, n;
    SaveWriter w;

    fill_pages(a->host, 0, 32);               /* pages 32..63 stay zero */
    save_writer_init(&w, fd);
    save_ram_write_blocks(&rs, &w);
    save_ram_mark_all_dirty(&rs);
    g_assert_cmpuint(save_ram_dirty_pages(&rs), ==, 64);
    g_assert_cmpuint(save_ram_write_dirty(&rs, &w, 10), ==, 10);
    parts++;
    g_assert_cmpuint(save_ram_dirty_pages(&rs), ==, 54);
    /* The guest writes a page already sent and one still owed. */
    a->host[2 * PAGE + 7] = 0xee;
    ram_block_mark_dirty(a, 2 * PAGE + 7, 1);
    a->host[40 * PAGE] = 0xdd;
    ram_block_mark_dirty(a, 40 * PAGE, 1);
    g_assert_cmpuint(save_ram_dirty_pages(&rs), ==, 55);
    /* Past used_length nothing is owed (it would never be sent). */
    ram_block_mark_dirty(a, 64 * PAGE, PAGE);
    g_assert_cmpuint(save_ram_dirty_pages(&rs), ==, 55);
    while ((n = save_ram_write_dirty(&rs, &w, 16))) {
        sent += n;
        parts++;
    }
    parts++;                                  /* the empty last one */
    g_assert_cmpuint(sent, ==, 55);
    g_assert_cmpuint(rs.rounds, ==, 1);       /* wrapped once, for page 2 */
    g_assert_cmpuint(rs.data_pages + rs.zero_pages, ==, 65);
    g_assert_cmpuint(rs.zero_pages, ==, 31);  /* 32..63 less page 40 */
    g_assert_true(save_writer_finish(&w, NULL));

    memset(d->host, 0x99, 64 * PAGE);
    g_assert_true(load_payloads(dst, fd, parts, NULL));
    g_assert_cmpmem(d->host, 64 * PAGE, a->host, 64 * PAGE);
    close(fd);
    ram_registry_free(src);
    ram_registry_free(dst);
}

/* Pages never written are known zero without reading them. */
static void test_untouched(void)
{
    RamRegistry *reg = ram_registry_new();
    RamBlock *a = ram_block_new_local(reg, "a", 128 * PAGE, 128 * PAGE,
                                      false, NULL);
    uint64_t u;

    a->host[3 * PAGE] = 1;
    a->host[64 * PAGE + 5] = 0;               /* written, though with 0 */
    u = ram_block_untouched64(a, 0);
    if (!u) {
        g_test_skip("no /proc/self/pagemap here");
        ram_registry_free(reg);
        return;
    }
    g_assert_cmphex(u, ==, ~(UINT64_C(1) << 3));
    g_assert_cmphex(ram_block_untouched64(a, 64), ==, ~UINT64_C(1));
    ram_registry_free(reg);
}

/*
 * A dense stream of more than 2 MiB loads through the moving commit into
 * an anon block and by copies into a borrowed buffer; zero runs drop
 * what was there; a cut stream changes neither.
 */
static void test_commit_paths(void)
{
    RamRegistry *src = ram_registry_new();
    RamRegistry *dst = ram_registry_new();
    uint8_t *sbuf = g_malloc0(BIG_PAGES * PAGE);
    uint8_t *dbuf = g_malloc(BIG_PAGES * PAGE);
    RamBlock *s1 = ram_block_new_local(src, "x", BIG_PAGES * PAGE,
                                       BIG_PAGES * PAGE, false, NULL);
    RamBlock *s2 = ram_block_new_borrowed(src, "y", sbuf, BIG_PAGES * PAGE,
                                          RAM_BACKING_LOCAL, NULL);
    RamBlock *d1 = ram_block_new_local(dst, "x", BIG_PAGES * PAGE,
                                       BIG_PAGES * PAGE, false, NULL);
    RamBlock *d2 = ram_block_new_borrowed(dst, "y", dbuf, BIG_PAGES * PAGE,
                                          RAM_BACKING_LOCAL, NULL);
    SaveRamSave rs = { .reg = src };
    int fd = memfd_create("big", MFD_CLOEXEC);
    int cut = memfd_create("cut", MFD_CLOEXEC);
    g_autoptr(GByteArray) all = NULL;
    g_autoptr(GError) err = NULL;
    uint8_t *d1_host = d1->host;
    SaveWriter w;

    /* Memory ram/ mapped may be moved and dropped; a test's buffer not. */
    g_assert_true(s1->anon && d1->anon && !s2->anon && !d2->anon);
    /* x: data 0..899, zero 900..1099; y: zero 0..99, data 100..1099. */
    fill_pages(s1->host, 0, 900);
    fill_pages(s2->host, 100, BIG_PAGES - 100);
    memset(d1->host, 0x42, BIG_PAGES * PAGE);
    memset(d2->host, 0x43, BIG_PAGES * PAGE);

    save_writer_init(&w, fd);
    save_ram_write_blocks(&rs, &w);
    save_ram_write_pages(&rs, &w, true);
    g_assert_true(save_writer_finish(&w, NULL));
    all = test_save_fd_contents(fd);

    /* Cut short of its EOS: refused, and neither block changed. */
    g_assert_cmpint(write(cut, all->data, all->len - 100), ==,
                    (ssize_t)(all->len - 100));
    g_assert_false(load_payloads(dst, cut, 1, &err));
    g_assert_nonnull(err);
    for (uint64_t i = 0; i < BIG_PAGES * PAGE; i += 997) {
        g_assert_cmphex(d1->host[i], ==, 0x42);
        g_assert_cmphex(d2->host[i], ==, 0x43);
    }

    /* Short reads from a pipe: the same bytes, however they arrive. */
    g_assert_true(load_trickled(dst, all, 1, NULL));
    g_assert_cmpmem(d1->host, BIG_PAGES * PAGE, s1->host, BIG_PAGES * PAGE);
    g_assert_cmpmem(d2->host, BIG_PAGES * PAGE, s2->host, BIG_PAGES * PAGE);
    memset(d1->host, 0x42, BIG_PAGES * PAGE);
    memset(d2->host, 0x43, BIG_PAGES * PAGE);

    g_assert_true(load_payloads(dst, fd, 1, NULL));
    g_assert_true(d1->host == d1_host && d2->host == dbuf);
    g_assert_cmpmem(d1->host, BIG_PAGES * PAGE, s1->host, BIG_PAGES * PAGE);
    g_assert_cmpmem(d2->host, BIG_PAGES * PAGE, s2->host, BIG_PAGES * PAGE);
    /* The moved range is ordinary memory: writable, and freed with x. */
    memset(d1->host, 0x17, PAGE);
    close(fd);
    close(cut);
    ram_registry_free(src);
    ram_registry_free(dst);
    g_free(sbuf);
    g_free(dbuf);
}

static DmMachine *live_pc(void)
{
    DmOptions *o = dm_options_new();
    g_autoptr(GError) err = NULL;
    DmMachine *m;

    o->accel = g_strdup("qtest");
    o->machine_type = g_strdup("pc-i440fx-7.2");
    o->ram_size = 16 << 20;
    m = dm_machine_new(o, &err);
    g_assert_no_error(err);
    return m;
}

/*
 * A machine migrated in steps while writes land through the path qtest
 * uses: the stream loads into another machine with the final bytes.
 */
static void test_machine_live(void)
{
    DmMachine *a = live_pc();
    DmMachine *b = live_pc();
    SaveFormat f = save_format_for_migrate(a);
    SaveStats st = { 0 };
    g_autoptr(GError) err = NULL;
    int fd = memfd_create("live", MFD_CLOEXEC);
    uint8_t *ram = a->guest_ram->host;
    SaveMigrate *s;
    unsigned steps = 0;

    memset(ram + 0x100000, 0x5a, 0x300000);
    s = save_migrate_begin(a, fd, &f);
    g_assert_cmpuint(save_migrate_remaining(s), >, 4096);
    while (save_migrate_remaining(s) > 100) {
        uint64_t at = 0x100000 + (uint64_t)steps * 0x3001;
        save_migrate_iterate(s, 300);
        /* A write behind the cursor and one ahead of it. */
        ram[at] = (uint8_t)steps;
        dm_machine_mark_dirty(a, at, 1);
        ram[0xf00000 - at] = (uint8_t)~steps;
        dm_machine_mark_dirty(a, 0xf00000 - at, 1);
        steps++;
    }
    g_assert_cmpuint(steps, >, 10);
    save_migrate_stats(s, &st);
    g_assert_cmpuint(st.dirty_syncs, >=, 2);
    /* Stopped: one last write, then the rest. */
    ram[0x7654] = 0x99;
    dm_machine_mark_dirty(a, 0x7654, 1);
    g_assert_true(save_migrate_finish(s, &st, &err));
    g_assert_cmpuint(st.zero_pages + st.data_pages, >,
                     (16 << 20) / PAGE + steps);
    lseek(fd, 0, SEEK_SET);
    g_assert_true(load_machine_state(b, fd, NULL, &err));
    g_assert_cmpmem(b->guest_ram->host, 16 << 20, ram, 16 << 20);
    close(fd);
    dm_machine_free(a);
    dm_machine_free(b);
}

void test_ram_live_register(void)
{
    g_test_add_func("/save/ram/live/iterate", test_iterate);
    g_test_add_func("/save/ram/live/untouched", test_untouched);
    g_test_add_func("/save/ram/live/commit-paths", test_commit_paths);
    g_test_add_func("/save/ram/live/machine", test_machine_live);
}
