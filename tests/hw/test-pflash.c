/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * CFI01 flash (hw/pflash-cfi01.c) on a pc-i440fx-7.2 board with a 64 KiB
 * varstore file: commands, status, readonly, and the file's bytes.
 */
#include "test-hw.h"

#include "dm/machine-pc.h"
#include "hw/pflash-cfi01.h"

#include <glib/gstdio.h>
#include <string.h>

#define SIZE 0x10000u
#define BASE (0x100000000ull - SIZE)

typedef struct {
    DmMachine *m;
    char *dir, *path;
} Fixture;

static void setup(Fixture *f, gconstpointer data)
{
    g_autoptr(GError) err = NULL;
    g_autofree uint8_t *img = g_malloc(SIZE);
    DmOptions *o = dm_options_new();

    memset(img, 0xa5, SIZE);
    f->dir = g_dir_make_tmp("pflash-XXXXXX", NULL);
    f->path = g_build_filename(f->dir, "vars.fd", NULL);
    g_assert_true(g_file_set_contents(f->path, (char *)img, SIZE, NULL));
    o->accel = g_strdup("qtest");
    o->machine_type = g_strdup("pc-i440fx-7.2");
    o->pflash[0].file = g_strdup(f->path);
    o->pflash[0].readonly = data != NULL;
    f->m = dm_machine_new(o, &err);
    g_assert_no_error(err);
}

static void teardown(Fixture *f, gconstpointer data)
{
    dm_machine_free(f->m);
    g_unlink(f->path);
    g_rmdir(f->dir);
    g_free(f->path);
    g_free(f->dir);
}

static uint8_t file_byte(Fixture *f, uint64_t off)
{
    g_autofree char *buf = NULL;
    gsize len;

    g_assert_true(g_file_get_contents(f->path, &buf, &len, NULL));
    g_assert_cmpuint(len, ==, SIZE);
    return buf[off];
}

static void wb(Fixture *f, uint64_t off, uint8_t v)
{
    dm_space_write(f->m->mem, BASE + off, v, 1);
}

static uint64_t rd(Fixture *f, uint64_t off, unsigned n)
{
    return dm_space_read(f->m->mem, BASE + off, n);
}

static void test_query(Fixture *f, gconstpointer data)
{
    g_assert_cmphex(rd(f, 0, 4), ==, 0xa5a5a5a5);
    wb(f, 0x55, 0x98);
    g_assert_cmphex(rd(f, 0x10, 1), ==, 'Q');
    /* Unaligned: split into bytes, as QEMU does. */
    g_assert_cmphex(rd(f, 0x11, 2), ==, 0x5952);
    g_assert_cmphex(rd(f, 0x27, 1), ==, 16);
    g_assert_cmphex(rd(f, 0x2d, 1), ==, 15);
    g_assert_cmphex(rd(f, 0x2f, 1), ==, 0x10);
    g_assert_cmphex(rd(f, 0x52, 1), ==, 0);
    /* Query mode ignores all but 0xff. */
    wb(f, 0, 0x90);
    g_assert_cmphex(rd(f, 0x10, 1), ==, 'Q');
    wb(f, 0, 0xff);
    wb(f, 0, 0x90);
    g_assert_cmphex(rd(f, 0, 4), ==, 0);
    wb(f, 0, 0x70);
    g_assert_cmphex(rd(f, 0, 4), ==, 0x00800080);
    g_assert_cmphex(rd(f, 0, 2), ==, 0x80);
    wb(f, 0, 0xff);
    g_assert_cmphex(rd(f, 0, 1), ==, 0xa5);
}

static void test_program_erase(Fixture *f, gconstpointer data)
{
    wb(f, 0x10, 0x40);
    dm_space_write(f->m->mem, BASE + 0x10, 0x12345678, 4);
    g_assert_cmphex(rd(f, 0, 1), ==, 0x80);
    g_assert_cmphex(file_byte(f, 0x13), ==, 0x12);
    wb(f, 0, 0xff);
    g_assert_cmphex(rd(f, 0x10, 4), ==, 0x12345678);
    wb(f, 0x1234, 0x20);
    wb(f, 0x1234, 0xd0);
    g_assert_cmphex(rd(f, 0, 1), ==, 0x80);
    wb(f, 0, 0xff);
    g_assert_cmphex(rd(f, 0x1000, 4), ==, 0xffffffff);
    g_assert_cmphex(file_byte(f, 0x1fff), ==, 0xff);
    g_assert_cmphex(file_byte(f, 0x2000), ==, 0xa5);
    g_assert_cmphex(file_byte(f, 0xfff), ==, 0xa5);
    /* Buffered write of 2 bytes, confirmed. */
    wb(f, 0x300, 0xe8);
    wb(f, 0x300, 0x01);
    wb(f, 0x300, 0x11);
    wb(f, 0x301, 0x22);
    g_assert_cmphex(file_byte(f, 0x300), ==, 0xa5);
    wb(f, 0x300, 0xd0);
    g_assert_cmphex(file_byte(f, 0x300), ==, 0x11);
    g_assert_cmphex(file_byte(f, 0x301), ==, 0x22);
    g_assert_cmphex(file_byte(f, 0x302), ==, 0xa5);
}

static void test_readonly(Fixture *f, gconstpointer data)
{
    wb(f, 0, 0x40);
    wb(f, 0, 0x00);
    g_assert_cmphex(rd(f, 0, 1), ==, 0x90);
    wb(f, 0, 0x20);
    wb(f, 0, 0xd0);
    g_assert_cmphex(rd(f, 0, 1), ==, 0xb0);
    wb(f, 0, 0x50);
    g_assert_cmphex(rd(f, 0, 1), ==, 0xa5);
    g_assert_cmphex(file_byte(f, 0), ==, 0xa5);
}

static Pflash *unit0(Fixture *f)
{
    Pflash *s = dm_machine_find_device(f->m, pflash0_info.name);

    g_assert_nonnull(s);
    return s;
}

/*
 * A program is synced within 100 ms, or at once when the VM stops, and
 * an erase at once (the durability rules).
 */
static void test_sync(Fixture *f, gconstpointer data)
{
    Pflash *s = unit0(f);

    dm_machine_vm_start(f->m);
    wb(f, 0x20, 0x40);
    wb(f, 0x20, 0x5a);
    g_assert_cmphex(file_byte(f, 0x20), ==, 0x5a);
    g_assert_true(s->unsynced);
    dm_machine_vm_stop(f->m, DM_RUN_PAUSED);
    g_assert_false(s->unsynced);

    dm_machine_vm_start(f->m);
    wb(f, 0x21, 0x40);
    wb(f, 0x21, 0x5b);
    g_assert_true(s->unsynced);
    /* The 100 ms deadline runs from the main loop. */
    for (int i = 0; i < 50 && s->unsynced; i++) {
        g_usleep(10000);
        while (g_main_context_iteration(NULL, FALSE)) {
        }
    }
    g_assert_false(s->unsynced);

    wb(f, 0x2000, 0x20);
    wb(f, 0x2000, 0xd0);
    g_assert_false(s->unsynced);
}

void test_pflash_register(void)
{
    g_test_add("/hw/pflash/sync", Fixture, NULL, setup, test_sync,
               teardown);
    g_test_add("/hw/pflash/query", Fixture, NULL, setup, test_query,
               teardown);
    g_test_add("/hw/pflash/program-erase", Fixture, NULL, setup,
               test_program_erase, teardown);
    g_test_add("/hw/pflash/readonly", Fixture, "ro", setup, test_readonly,
               teardown);
}
