/* SPDX-License-Identifier: GPL-2.0-or-later */
/* stubdm -xen-domid on a host without Xen: one clear line, exit status 1. */
#include "test-glue.h"

#include "dm/machine.h"
#include "dm/options.h"
#include "toolstack-glue/ioreq.h"
#include "toolstack-glue/xen.h"

#include <glib.h>
#include <string.h>
#include <sys/wait.h>

static void test_no_hypervisor(void)
{
    const char *stubdm = g_getenv("STUBDM");
    g_autofree char *out = NULL;
    g_autofree char *err = NULL;
    g_autoptr(GError) error = NULL;
    int status;

    if (g_file_test("/dev/xen/privcmd", G_FILE_TEST_EXISTS) ||
        g_file_test("/proc/xen/privcmd", G_FILE_TEST_EXISTS)) {
        g_test_skip("this host runs Xen");
        return;
    }
    g_assert_nonnull(stubdm);   /* meson test sets it */
    {
        char *argv[] = {
            (char *)stubdm, "-xen-domid", "5", "-machine", "xenfv",
            "-nodefaults", NULL,
        };
        g_assert_true(g_spawn_sync(NULL, argv, NULL, G_SPAWN_DEFAULT, NULL,
                                   NULL, &out, &err, &status, &error));
    }
    g_assert_no_error(error);
    g_assert_true(WIFEXITED(status));
    g_assert_cmpint(WEXITSTATUS(status), ==, 1);
    g_assert_cmpstr(out, ==, "");
    g_assert_true(g_str_has_prefix(err, "stubdm: cannot open the Xen "
                                        "control interface: "));
    g_assert_true(g_str_has_suffix(err, "; is this a Xen dom0?\n"));
    /* One line: the Xen libraries' own messages are kept quiet. */
    g_assert_true(strchr(err, '\n') == err + strlen(err) - 1);
}

typedef struct Seen {
    DmMachine *m;
    bool attached_empty;      /* nothing was mapped before attach */
    GPtrArray *io;            /* names of mapped port regions */
    GPtrArray *mem;
} Seen;

static void seen_io(void *opaque, DmRegion *r, bool mapped)
{
    Seen *s = opaque;

    if (mapped) {
        g_ptr_array_add(s->io, g_strdup_printf("%s@%" G_GINT64_MODIFIER "x",
                                               r->name, r->base));
    }
}

static void seen_mem(void *opaque, DmRegion *r, bool mapped)
{
    Seen *s = opaque;

    if (mapped) {
        g_ptr_array_add(s->mem, g_strdup(r->name));
    }
}

static void seen_attach(void *opaque, DmMachine *m)
{
    Seen *s = opaque;
    uint64_t off;

    s->m = m;
    s->attached_empty = !dm_space_lookup(m->io, 0xcf8, &off) &&
                        !m->devices;
    dm_space_set_listener(m->io, seen_io, s);
    dm_space_set_listener(m->mem, seen_mem, s);
}

static const DmPlatformHooks seen_hooks = { .attach = seen_attach };

static bool has(GPtrArray *a, const char *name)
{
    for (guint i = 0; i < a->len; i++) {
        if (!strcmp(g_ptr_array_index(a, i), name)) {
            return true;
        }
    }
    return false;
}

/*
 * The -accel xen board: hooks attach before any region is mapped, so the
 * glue sees every range it must claim; requests then reach the devices.
 */
static void test_board(void)
{
    char *argv[] = {
        "stubdm", "-xen-domid", "5", "-machine", "xenfv", "-nodefaults",
        NULL,
    };
    g_autoptr(GError) err = NULL;
    DmOptions *opts = dm_options_new();
    Seen s = {
        .io = g_ptr_array_new_with_free_func(g_free),
        .mem = g_ptr_array_new_with_free_func(g_free),
    };
    DmMachine *m;
    uint8_t page[4096] = { 0 };
    GlueIoreq q = { 0 };
    uint32_t *w;

    g_assert_true(dm_options_parse(opts, G_N_ELEMENTS(argv) - 1, argv,
                                   &err));
    g_assert_no_error(err);
    m = dm_machine_new_platform(opts, &seen_hooks, &s, &err);
    g_assert_no_error(err);
    g_assert_true(s.m == m);
    g_assert_true(s.attached_empty);
    g_assert_null(m->guest_ram);      /* Xen owns guest RAM */
    g_assert_true(has(s.io, "pci-conf-idx@cf8"));
    g_assert_true(has(s.io, "pci-conf-data@cfc"));
    for (guint i = 0; i < s.mem->len; i++) {
        g_test_message("MMIO region: %s",
                       (const char *)g_ptr_array_index(s.mem, i));
    }

    /* CONFIG_ADDRESS then CONFIG_DATA: the i440FX's ids (8086:1237). */
    q.io = m->io;
    q.mem = m->mem;
    w = (uint32_t *)page;
    w[0] = 0xcf8;                     /* addr */
    w[2] = 0x80000000;                /* data */
    w[4] = 1;                         /* count */
    w[5] = 4;                         /* size */
    page[30] = 1;                     /* READY, write */
    page[31] = 0;                     /* PIO */
    g_assert_true(glue_ioreq_handle_slot(&q, page, 0));
    g_assert_cmpuint(page[30] & 0xf, ==, 3);
    w[0] = 0xcfc;
    w[2] = 0;
    page[30] = 1 | 0x20;              /* READY, read */
    g_assert_true(glue_ioreq_handle_slot(&q, page, 0));
    g_assert_cmphex(w[2], ==, 0x12378086);

    dm_space_set_listener(m->io, NULL, NULL);
    dm_space_set_listener(m->mem, NULL, NULL);
    dm_machine_free(m);
    g_ptr_array_free(s.io, TRUE);
    g_ptr_array_free(s.mem, TRUE);
}

/* Overlapping regions become one Xen range; RAM and PAM stay with Xen. */
static void test_claims(void)
{
    static const DmRegionOps ops = { 0 };
    uint8_t ram[16];
    DmRegion r[6];
    g_autoptr(GPtrArray) regions = g_ptr_array_new();
    g_autoptr(GArray) claims = NULL;
    const GlueRange *g;

    dm_region_init_io(&r[0], "a", 0x10, &ops, NULL);
    r[0].base = 0x1000;
    dm_region_init_io(&r[1], "b", 0x10, &ops, NULL);
    r[1].base = 0x1008;                       /* overlaps a */
    dm_region_init_io(&r[2], "c", 0x4, &ops, NULL);
    r[2].base = 0x100;
    dm_region_init_ram(&r[3], "ram", sizeof(ram), ram, false);
    r[3].base = 0x0;
    dm_region_init_io(&r[4], "pam", 0x4000, &ops, NULL);
    r[4].base = 0xc0000;
    dm_region_init_io(&r[5], "inside", 0x2, &ops, NULL);
    r[5].base = 0x1002;                       /* inside a */
    for (unsigned i = 0; i < G_N_ELEMENTS(r); i++) {
        g_ptr_array_add(regions, &r[i]);
    }
    claims = glue_xen_claims(regions);
    g_assert_cmpuint(claims->len, ==, 2);
    g = &g_array_index(claims, GlueRange, 0);
    g_assert_cmphex(g->start, ==, 0x100);
    g_assert_cmphex(g->end, ==, 0x103);
    g = &g_array_index(claims, GlueRange, 1);
    g_assert_cmphex(g->start, ==, 0x1000);
    g_assert_cmphex(g->end, ==, 0x1017);
}

void test_xen_register(void)
{
    g_test_add_func("/glue/xen/claims", test_claims);
    g_test_add_func("/glue/xen/no-hypervisor", test_no_hypervisor);
    g_test_add_func("/glue/xen/board", test_board);
}
