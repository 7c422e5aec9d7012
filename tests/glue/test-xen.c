/* SPDX-License-Identifier: GPL-2.0-or-later */
/* stubdm -xen-domid on a host without Xen: one clear line, exit status 1. */
#include "test-glue.h"

#include "dm/machine.h"
#include "dm/options.h"
#include "toolstack-glue/ioreq.h"
#include "toolstack-glue/xen.h"

#include <xenctrl.h>          /* SHUTDOWN_* */

#include <errno.h>
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
    g_assert_true(g_str_has_prefix(err, "stubdm: no Xen hypervisor "
                                        "interface found (cannot open the "
                                        "Xen control interface: "));
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

/* What the run-state and power logic asked of Xen, in order. */
typedef struct Calls {
    GString *log;
    int fail_errno;           /* non-zero: every call fails so */
} Calls;

static int fake_result(Calls *c)
{
    if (c->fail_errno) {
        errno = c->fail_errno;
        return -1;
    }
    return 0;
}

static int fake_set_server_state(void *opaque, bool enabled)
{
    Calls *c = opaque;

    g_string_append_printf(c->log, "server=%d ", enabled);
    return fake_result(c);
}

static void fake_serve(void *opaque)
{
    Calls *c = opaque;

    g_string_append(c->log, "serve ");
}

static int fake_shutdown(void *opaque, unsigned reason)
{
    Calls *c = opaque;

    g_string_append_printf(c->log, "shutdown=%s ",
                           reason == SHUTDOWN_poweroff ? "poweroff" :
                           reason == SHUTDOWN_reboot ? "reboot" : "?");
    return fake_result(c);
}

static int fake_set_acpi_s_state(void *opaque, unsigned state)
{
    Calls *c = opaque;

    g_string_append_printf(c->log, "S%u ", state);
    return fake_result(c);
}

static const GlueXenOps fake_ops = {
    .set_server_state = fake_set_server_state,
    .serve = fake_serve,
    .shutdown = fake_shutdown,
    .set_acpi_s_state = fake_set_acpi_s_state,
};

/* The machine's power events go to the GlueXen, as with glue_xen_platform. */
static void fwd_reset(void *opaque)
{
    glue_xen_platform.reset(opaque);
}

static void fwd_poweroff(void *opaque)
{
    glue_xen_platform.poweroff(opaque);
}

static const DmPlatformHooks fwd_hooks = {
    .reset = fwd_reset, .poweroff = fwd_poweroff,
};

static DmMachine *fake_machine(GlueXen *x, bool paused)
{
    char *argv[] = {
        "stubdm", "-xen-domid", "5", "-machine", "xenfv", "-nodefaults",
        paused ? "-S" : NULL, NULL,
    };
    g_autoptr(GError) err = NULL;
    DmOptions *opts = dm_options_new();
    DmMachine *m;

    g_assert_true(dm_options_parse(opts, paused ? 7 : 6, argv, &err));
    m = dm_machine_new_platform(opts, &fwd_hooks, x, &err);
    g_assert_no_error(err);
    /* What glue_xen_start does once the board is built. */
    dm_machine_add_runstate_listener(m, glue_xen_runstate, x);
    g_assert_true(dm_machine_start(m, &err));
    g_assert_no_error(err);
    return m;
}

static void run_pending(void)
{
    while (g_main_context_iteration(NULL, FALSE)) {
    }
}

/*
 * qemu-xen's change-state handler: the server is enabled exactly while
 * the machine runs, requests are read from the first run on.
 */
static void test_runstate(void)
{
    Calls c = { g_string_new(NULL), 0 };
    GlueXen *x = glue_xen_new_with_ops(5, &fake_ops, &c);
    DmMachine *m = fake_machine(x, true);
    g_autoptr(GError) err = NULL;

    g_assert_cmpstr(c.log->str, ==, "");      /* -S: prelaunch, no change */
    g_assert_true(dm_machine_cont(m, &err));
    g_assert_cmpstr(c.log->str, ==, "serve server=1 ");
    dm_machine_stop(m);
    g_assert_cmpstr(c.log->str, ==, "serve server=1 server=0 ");
    g_assert_true(dm_machine_cont(m, &err));
    g_assert_cmpstr(c.log->str, ==, "serve server=1 server=0 server=1 ");
    dm_machine_vm_stop(m, DM_RUN_FINISH_MIGRATE);
    g_assert_cmpstr(c.log->str, ==,
                    "serve server=1 server=0 server=1 server=0 ");
    glue_xen_free(x);
    dm_machine_free(m);

    /* Without -S the machine runs at start: served and enabled at once. */
    g_string_truncate(c.log, 0);
    x = glue_xen_new_with_ops(5, &fake_ops, &c);
    m = fake_machine(x, false);
    g_assert_cmpstr(c.log->str, ==, "serve server=1 ");
    glue_xen_free(x);
    dm_machine_free(m);
    g_string_free(c.log, TRUE);
}

/* S5 and reset through xendevicemodel_shutdown, S3 through the S state. */
static void test_power(void)
{
    Calls c = { g_string_new(NULL), 0 };
    GlueXen *x = glue_xen_new_with_ops(5, &fake_ops, &c);
    DmMachine *m = fake_machine(x, false);

    g_string_truncate(c.log, 0);
    dm_machine_request_shutdown(m);
    dm_machine_request_shutdown(m);           /* one request pending */
    run_pending();
    g_assert_cmpstr(c.log->str, ==, "shutdown=poweroff ");
    dm_machine_request_reset(m);
    run_pending();
    g_assert_cmpstr(c.log->str, ==, "shutdown=poweroff shutdown=reboot ");
    glue_xen_suspend(x);
    glue_xen_wakeup(x);
    g_assert_cmpstr(c.log->str, ==,
                    "shutdown=poweroff shutdown=reboot S3 S0 ");

    /* Refused calls (a restricted xc handle): a warning, no crash. */
    c.fail_errno = EPERM;
    g_test_expect_message(G_LOG_DOMAIN, G_LOG_LEVEL_WARNING,
                          "*cannot set the ACPI S state*S3*");
    glue_xen_suspend(x);
    g_test_expect_message(G_LOG_DOMAIN, G_LOG_LEVEL_WARNING,
                          "*cannot shut domain 5 down*");
    glue_xen_platform.poweroff(x);
    g_test_expect_message(G_LOG_DOMAIN, G_LOG_LEVEL_WARNING,
                          "*cannot disable the ioreq server*");
    dm_machine_stop(m);
    g_test_assert_expected_messages();
    glue_xen_free(x);
    dm_machine_free(m);
    g_string_free(c.log, TRUE);
}

/* libxl always sets XEN_DOMAIN_ID; by hand stubdm restricts itself. */
static void test_restrict_default(void)
{
    g_assert_true(glue_xen_restrict_wanted(false, NULL));
    g_assert_true(glue_xen_restrict_wanted(true, NULL));
    g_assert_false(glue_xen_restrict_wanted(false, "5"));
    g_assert_true(glue_xen_restrict_wanted(true, "5"));
}

void test_xen_register(void)
{
    g_test_add_func("/glue/xen/runstate", test_runstate);
    g_test_add_func("/glue/xen/power", test_power);
    g_test_add_func("/glue/xen/restrict-default", test_restrict_default);
    g_test_add_func("/glue/xen/claims", test_claims);
    g_test_add_func("/glue/xen/no-hypervisor", test_no_hypervisor);
    g_test_add_func("/glue/xen/board", test_board);
}
