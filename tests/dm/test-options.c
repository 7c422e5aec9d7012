/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The command line (dm/options.h), fed the argv libxl 4.17 builds for an
 * HVM guest (spec/xen-toolstack.md section 1.2 and its Corrections).
 */
#include "test-dm.h"

#include "dm/dm-error.h"
#include "dm/options.h"

#include <string.h>

#define MIB (UINT64_C(1) << 20)

/* Parses a NULL-terminated argv (argv[0] included); NULL and *errp if bad. */
static DmOptions *parse(const char *const *argv, GError **errp)
{
    DmOptions *o = dm_options_new();
    int argc = 0;

    while (argv[argc]) {
        argc++;
    }
    if (!dm_options_parse(o, argc, (char **)argv, errp)) {
        g_assert_true(errp == NULL || *errp != NULL);
        dm_options_free(o);
        return NULL;
    }
    return o;
}

static DmOptions *parse_ok(const char *const *argv)
{
    g_autoptr(GError) err = NULL;
    DmOptions *o = parse(argv, &err);

    g_assert_no_error(err);
    g_assert_nonnull(o);
    return o;
}

static DmChardevConfig *chardev(DmOptions *o, guint i)
{
    g_assert_cmpuint(i, <, o->chardevs->len);
    return g_ptr_array_index(o->chardevs, i);
}

static DmMonitorConfig *monitor(DmOptions *o, guint i)
{
    g_assert_cmpuint(i, <, o->monitors->len);
    return g_ptr_array_index(o->monitors, i);
}

static void test_libxl_hvm(void)
{
    /* Rows 1-21 of section 1.2, a guest with vnc=0, 2 of 4 vCPUs, no NIC. */
    static const char *const argv[] = {
        "/usr/libexec/xen-qemu-system-i386",
        "-xen-domid", "7",
        "-no-shutdown",
        "-chardev",
        "socket,id=libxl-cmd,path=/var/run/xen/qmp-libxl-7,server=on,wait=off",
        "-mon", "chardev=libxl-cmd,mode=control",
        "-chardev",
        "socket,id=libxenstat-cmd,path=/var/run/xen/qmp-libxenstat-7,"
        "server=on,wait=off",
        "-mon", "chardev=libxenstat-cmd,mode=control",
        "-nodefaults",
        "-no-user-config",
        "-name", "debian-guest",
        "-vnc", "none",
        "-display", "none",
        "-boot", "order=cda",
        "-smp", "2,maxcpus=4",
        "-net", "none",
        "-machine", "xenfv,suppress-vmdesc=on",
        "-m", "1016",
        NULL
    };
    g_autoptr(DmOptions) o = parse_ok(argv);
    DmChardevConfig *c;

    g_assert_cmpint(o->xen_domid, ==, 7);
    g_assert_true(o->no_shutdown);
    /* QEMU 7.2 pc_piix.c keeps the "xenfv" alias on xenfv-3.1. */
    g_assert_cmpstr(o->machine_type, ==, "xenfv-3.1");
    g_assert_cmpstr(o->accel, ==, "xen");
    g_assert_true(o->suppress_vmdesc);
    g_assert_cmpuint(o->max_ram_below_4g, ==, 0);
    g_assert_cmpuint(o->ram_size, ==, 1016 * MIB);
    g_assert_cmpuint(o->smp_cpus, ==, 2);
    g_assert_cmpuint(o->smp_max_cpus, ==, 4);
    g_assert_cmpstr(o->name, ==, "debian-guest");
    g_assert_cmpstr(o->boot_order, ==, "cda");
    g_assert_false(o->start_paused);
    g_assert_false(o->xen_domid_restrict);
    g_assert_null(o->qtest_chardev);
    g_assert_null(o->incoming);
    g_assert_cmpuint(o->chardevs->len, ==, 2);
    c = chardev(o, 0);
    g_assert_cmpstr(c->id, ==, "libxl-cmd");
    g_assert_cmpint(c->kind, ==, DM_CHARDEV_SOCKET);
    g_assert_cmpstr(c->path, ==, "/var/run/xen/qmp-libxl-7");
    g_assert_cmpint(c->fd, ==, -1);
    g_assert_true(c->server);
    g_assert_false(c->wait);
    c = chardev(o, 1);
    g_assert_cmpstr(c->id, ==, "libxenstat-cmd");
    g_assert_cmpstr(c->path, ==, "/var/run/xen/qmp-libxenstat-7");
    g_assert_true(c->server);
    g_assert_false(c->wait);
    g_assert_true(dm_options_find_chardev(o, "libxenstat-cmd") == c);
    g_assert_null(dm_options_find_chardev(o, "libxl"));
    g_assert_cmpuint(o->monitors->len, ==, 2);
    g_assert_cmpstr(monitor(o, 0)->chardev, ==, "libxl-cmd");
    g_assert_false(monitor(o, 0)->pretty);
    g_assert_cmpstr(monitor(o, 1)->chardev, ==, "libxenstat-cmd");
}

static void test_pc_alias(void)
{
    /* xen_platform_pci=0 plus an mmio_hole. */
    static const char *const argv[] = {
        "stubdm", "-xen-domid", "3",
        "-machine", "pc,accel=xen,suppress-vmdesc=on,max-ram-below-4g=2G",
        NULL
    };
    static const char *const bare[] = { "stubdm", "-xen-domid", "0", NULL };
    g_autoptr(DmOptions) o = parse_ok(argv);
    g_autoptr(DmOptions) d = parse_ok(bare);

    g_assert_cmpstr(o->machine_type, ==, "pc-i440fx-7.2");
    g_assert_cmpstr(o->accel, ==, "xen");
    g_assert_true(o->suppress_vmdesc);
    g_assert_cmpuint(o->max_ram_below_4g, ==, 2048 * MIB);
    /* QEMU's defaults: pc, 128 MiB, one vCPU. */
    g_assert_cmpint(d->xen_domid, ==, 0);
    g_assert_cmpstr(d->machine_type, ==, "pc-i440fx-7.2");
    g_assert_cmpuint(d->ram_size, ==, 128 * MIB);
    g_assert_cmpuint(d->smp_cpus, ==, 1);
    g_assert_false(d->suppress_vmdesc);
}

static void test_restricted(void)
{
    /* Row 3' and row 17: libxl passes the listening socket as fd 3. */
    static const char *const argv[] = {
        "stubdm", "-xen-domid", "12", "-no-shutdown",
        "-chardev", "socket,id=libxl-cmd,fd=3,server=on,wait=off", "-S",
        "-mon", "chardev=libxl-cmd,mode=control",
        "-xen-domid-restrict", "-chroot", "/var/run/xen/qemu-root-12",
        "-runas", "65534:65534",
        "-incoming", "fd:5",
        "-machine", "xenfv-4.2,suppress-vmdesc=on", "-m", "256",
        NULL
    };
    g_autoptr(DmOptions) o = parse_ok(argv);
    DmChardevConfig *c = chardev(o, 0);

    g_assert_cmpint(c->fd, ==, 3);
    g_assert_null(c->path);
    g_assert_true(c->server);
    g_assert_false(c->wait);
    g_assert_true(o->start_paused);
    g_assert_true(o->xen_domid_restrict);
    g_assert_cmpstr(o->chroot_dir, ==, "/var/run/xen/qemu-root-12");
    g_assert_cmpstr(o->runas, ==, "65534:65534");
    g_assert_cmpstr(o->incoming, ==, "fd:5");
    g_assert_cmpstr(o->machine_type, ==, "xenfv-4.2");
}

static uint64_t ram_size_of(const char *arg)
{
    const char *argv[] = { "stubdm", "-xen-domid", "1", "-m", arg, NULL };
    g_autoptr(DmOptions) o = parse_ok(argv);

    return o->ram_size;
}

static void test_memory_forms(void)
{
    g_assert_cmpuint(ram_size_of("512"), ==, 512 * MIB);
    g_assert_cmpuint(ram_size_of("512M"), ==, 512 * MIB);
    g_assert_cmpuint(ram_size_of("512m"), ==, 512 * MIB);
    g_assert_cmpuint(ram_size_of("2G"), ==, 2048 * MIB);
    g_assert_cmpuint(ram_size_of("size=1G"), ==, 1024 * MIB);
    g_assert_cmpuint(ram_size_of("4096K"), ==, 4 * MIB);
    g_assert_cmpuint(ram_size_of("1T"), ==, 1024 * 1024 * MIB);
    g_assert_cmpuint(ram_size_of("size=768,slots=0,maxmem=1G"), ==,
                     768 * MIB);
}

static void smp_of(const char *arg, unsigned cpus, unsigned max)
{
    const char *argv[] = { "stubdm", "-xen-domid", "1", "-smp", arg, NULL };
    g_autoptr(DmOptions) o = parse_ok(argv);

    g_assert_cmpuint(o->smp_cpus, ==, cpus);
    g_assert_cmpuint(o->smp_max_cpus, ==, max);
}

static void test_smp_forms(void)
{
    smp_of("4", 4, 4);
    smp_of("2,maxcpus=8", 2, 8);
    smp_of("cpus=3", 3, 3);
    smp_of("cpus=1,maxcpus=128", 1, 128);
    smp_of("0x10", 16, 16);
}

typedef struct {
    const char *argv[8];      /* after "stubdm -xen-domid 1" unless noted */
    const char *want[3];      /* substrings of the message */
} Refusal;

static const Refusal refusals[] = {
    { { "-device", "e1000,id=nic0,netdev=net0" }, { "-device", "e1000" } },
    { { "-drive", "file=/img/disk.raw,if=ide,index=0,media=disk" },
      { "-drive", "file=/img/disk.raw", "ide" } },
    { { "-vnc", "127.0.0.1:0,to=99" }, { "-vnc", "127.0.0.1:0,to=99" } },
    { { "-display", "sdl" }, { "-display", "sdl" } },
    { { "-usb" }, { "-usb", "USB" } },
    { { "-usbdevice", "tablet" }, { "-usbdevice", "tablet" } },
    { { "-serial", "pty" }, { "-serial", "pty" } },
    { { "-soundhw", "ac97" }, { "-soundhw", "ac97" } },
    { { "-machine", "xenfv,suppress-vmdesc=on,frob=1" },
      { "-machine", "frob" } },
    { { "-machine", "q35" }, { "-machine", "q35" } },
    { { "-machine", "xenfv,igd-passthru=on" }, { "-machine", "igd" } },
    { { "-machine", "xenfv,suppress-vmdesc=maybe" },
      { "-machine", "maybe" } },
    { { "-accel", "kvm" }, { "-accel", "kvm" } },
    { { "-m", "1" }, { "-m", "1" } },
    { { "-m", "lots" }, { "-m", "lots" } },
    { { "-m", "2T" }, { "-m", "2T" } },
    { { "-m", "512Q" }, { "-m", "512Q" } },
    { { "-m", "99999999999999999999G" },
      { "-m", "99999999999999999999G" } },
    { { "-smp", "0" }, { "-smp", "0" } },
    { { "-smp", "129" }, { "-smp", "129" } },
    { { "-smp", "4,maxcpus=2" }, { "-smp", "4,maxcpus=2" } },
    { { "-chardev", "pty,id=libxl-channel0" },
      { "-chardev", "pty,id=libxl-channel0", "pty" } },
    { { "-chardev", "socket,path=/tmp/x,server=on" },
      { "-chardev", "id=" } },
    { { "-chardev", "socket,id=c,path=/tmp/x,fd=3" }, { "-chardev", "fd=" } },
    { { "-chardev", "socket,id=c,fd=-3,server=on" }, { "-chardev", "fd=-3" } },
    { { "-chardev", "socket,id=c,path=/tmp/x,server=perhaps" },
      { "-chardev", "perhaps" } },
    { { "-chardev", "socket,id=c,path=/tmp/x", "-chardev",
        "socket,id=c,path=/tmp/y" },
      { "-chardev", "'c'" } },
    { { "-chardev", "socket,id=m,path=/tmp/m", "-mon",
        "chardev=m,mode=readline" },
      { "-mon", "readline" } },
    { { "-mon", "chardev=nope,mode=control" }, { "-mon", "nope" } },
    { { "-chardev", "socket,id=m,path=/tmp/m", "-mon",
        "chardev=m,mode=control", "-mon", "chardev=m,mode=control" },
      { "-mon", "chardev=m" } },
    { { "-qmp", "tcp:127.0.0.1:4444" }, { "-qmp", "tcp:127.0.0.1:4444" } },
    { { "-qmp", "unix:" }, { "-qmp", "unix:" } },
    { { "-incoming", "tcp:0:4444" }, { "-incoming", "tcp:0:4444" } },
    { { "-incoming", "fd:x" }, { "-incoming", "fd:x" } },
    { { "-boot", "order=cd1" }, { "-boot", "order=cd1" } },
    { { "-frobnicate" }, { "-frobnicate" } },
    { { "--frobnicate" }, { "-frobnicate" } },
    { { "disk.img" }, { "disk.img" } },
    { { "-m" }, { "-m", "argument" } },
    { { "-runas", "" }, { "-runas" } },
};

static void check_refusal(const char *const *tail, const char *const *want,
                          const char *const *head)
{
    g_autoptr(GPtrArray) argv = g_ptr_array_new();
    g_autoptr(GError) err = NULL;
    g_autofree char *joined = NULL;

    for (; *head; head++) {
        g_ptr_array_add(argv, (char *)*head);
    }
    for (; *tail; tail++) {
        g_ptr_array_add(argv, (char *)*tail);
    }
    g_ptr_array_add(argv, NULL);
    joined = g_strjoinv(" ", (char **)argv->pdata);
    g_test_message("argv: %s", joined);
    g_assert_null(parse((const char *const *)argv->pdata, &err));
    g_assert_nonnull(err);
    g_assert_true(err->domain == DM_ERROR);
    g_test_message("error: %s", err->message);
    for (unsigned w = 0; w < G_N_ELEMENTS(refusals[0].want) && want[w]; w++) {
        if (!strstr(err->message, want[w])) {
            g_error("'%s' lacks '%s'", err->message, want[w]);
        }
    }
}

static void test_refusals(void)
{
    static const char *const head[] = { "stubdm", "-xen-domid", "1", NULL };

    for (size_t i = 0; i < G_N_ELEMENTS(refusals); i++) {
        check_refusal(refusals[i].argv, refusals[i].want, head);
    }
}

static void test_domid_refusals(void)
{
    static const char *const head[] = { "stubdm", NULL };
    static const Refusal domids[] = {
        /* DOMID_FIRST_RESERVED (0x7ff0) and above name no guest. */
        { { "-xen-domid", "32752" }, { "-xen-domid", "32752" } },
        { { "-xen-domid", "-1" }, { "-xen-domid", "-1" } },
        { { "-xen-domid", "7x" }, { "-xen-domid", "7x" } },
        { { "-xen-domid", "" }, { "-xen-domid" } },
        { { "-xen-domid" }, { "-xen-domid", "argument" } },
        /* Nothing to serve: the message names both ways to fix it. */
        { { "-m", "512" }, { "-xen-domid", "-qtest" } },
        { { NULL }, { "-xen-domid", "-qtest" } },
    };

    for (size_t i = 0; i < G_N_ELEMENTS(domids); i++) {
        check_refusal(domids[i].argv, domids[i].want, head);
    }
}

static void test_double_dash(void)
{
    static const char *const one[] = {
        "stubdm", "-xen-domid", "9", "-machine", "xenfv", "-m", "2G", "-S",
        "-name", "g", NULL
    };
    static const char *const two[] = {
        "stubdm", "--xen-domid", "9", "--machine", "xenfv", "--m", "2G",
        "--S", "--name", "g", NULL
    };
    g_autoptr(DmOptions) a = parse_ok(one);
    g_autoptr(DmOptions) b = parse_ok(two);

    g_assert_cmpint(a->xen_domid, ==, b->xen_domid);
    g_assert_cmpstr(a->machine_type, ==, b->machine_type);
    g_assert_cmpuint(a->ram_size, ==, b->ram_size);
    g_assert_cmpint(a->start_paused, ==, b->start_paused);
    g_assert_cmpstr(a->name, ==, b->name);
    g_assert_true(b->start_paused);
    g_assert_cmpuint(b->ram_size, ==, 2048 * MIB);
}

static void test_qmp_compat(void)
{
    static const char *const argv[] = {
        "stubdm", "-xen-domid", "2",
        "-qmp", "unix:/run/stubdm/qmp.sock,server=on,wait=off",
        "-qmp", "unix:/run/stubdm/qmp2.sock,server,nowait",
        NULL
    };
    g_autoptr(DmOptions) o = parse_ok(argv);
    DmChardevConfig *c = chardev(o, 0);

    g_assert_cmpstr(c->id, ==, "compat_monitor0");
    g_assert_cmpint(c->kind, ==, DM_CHARDEV_SOCKET);
    g_assert_cmpstr(c->path, ==, "/run/stubdm/qmp.sock");
    g_assert_true(c->server);
    g_assert_false(c->wait);
    g_assert_cmpstr(monitor(o, 0)->chardev, ==, "compat_monitor0");
    /* Old-style bare flags, as in QEMU's own test harness. */
    c = chardev(o, 1);
    g_assert_cmpstr(c->id, ==, "compat_monitor1");
    g_assert_true(c->server);
    g_assert_false(c->wait);
    g_assert_cmpstr(monitor(o, 1)->chardev, ==, "compat_monitor1");
}

static void test_qtest(void)
{
    /* What QEMU's libqtest passes, minus what stubdm has no use for. */
    static const char *const argv[] = {
        "stubdm", "-qtest", "unix:/tmp/qtest-1.sock", "-qtest-log",
        "/dev/null", "-chardev", "socket,path=/tmp/qtest-1.qmp,id=char0",
        "-mon", "chardev=char0,mode=control,pretty=on", "-display", "none",
        "-machine", "pc,accel=qtest", "-m", "64M", NULL
    };
    static const char *const implied[] = {
        "stubdm", "-qtest", "stdio", NULL
    };
    g_autoptr(DmOptions) o = parse_ok(argv);
    g_autoptr(DmOptions) s = parse_ok(implied);
    DmChardevConfig *c = dm_options_find_chardev(o, "qtest");

    g_assert_cmpstr(o->accel, ==, "qtest");
    g_assert_cmpstr(o->qtest_chardev, ==, "qtest");
    g_assert_cmpstr(o->qtest_log, ==, "/dev/null");
    g_assert_cmpint(o->xen_domid, ==, -1);
    g_assert_nonnull(c);
    g_assert_false(c->server);
    g_assert_cmpstr(c->path, ==, "/tmp/qtest-1.sock");
    g_assert_true(monitor(o, 0)->pretty);
    /* -qtest alone implies the qtest accelerator. */
    g_assert_cmpstr(s->accel, ==, "qtest");
    g_assert_cmpint(chardev(s, 0)->kind, ==, DM_CHARDEV_STDIO);
}

static void test_accel_empty(void)
{
    static const char *const head[] = { "stubdm", "-xen-domid", "1", NULL };
    static const Refusal empty[] = {
        /* An empty accelerator list is a refusal, not a crash. */
        { { "-accel", "" }, { "-accel" } },
        { { "-accel", "accel=" }, { "-accel", "accel=" } },
        { { "-machine", "pc,accel=" }, { "-machine", "pc,accel=" } },
        { { "-accel", ":" }, { "-accel" } },
    };

    for (size_t i = 0; i < G_N_ELEMENTS(empty); i++) {
        check_refusal(empty[i].argv, empty[i].want, head);
    }
}

static void test_help_version(void)
{
    static const char *const argv[] = { "stubdm", "--help", NULL };
    static const char *const ver[] = { "stubdm", "-version", NULL };
    g_autoptr(DmOptions) o = parse_ok(argv);
    g_autoptr(DmOptions) v = parse_ok(ver);
    g_autofree char *help = dm_options_help();

    /* --help and -version need nothing to serve. */
    g_assert_true(o->show_help);
    g_assert_true(v->show_version);
    g_assert_nonnull(strstr(help, "-xen-domid"));
    g_assert_nonnull(strstr(help, "xenfv"));
}

void test_options_register(void)
{
    g_test_add_func("/dm/options/libxl-hvm", test_libxl_hvm);
    g_test_add_func("/dm/options/pc-alias", test_pc_alias);
    g_test_add_func("/dm/options/restricted", test_restricted);
    g_test_add_func("/dm/options/memory-forms", test_memory_forms);
    g_test_add_func("/dm/options/smp-forms", test_smp_forms);
    g_test_add_func("/dm/options/refusals", test_refusals);
    g_test_add_func("/dm/options/domid-refusals", test_domid_refusals);
    g_test_add_func("/dm/options/double-dash", test_double_dash);
    g_test_add_func("/dm/options/qmp-compat", test_qmp_compat);
    g_test_add_func("/dm/options/qtest", test_qtest);
    g_test_add_func("/dm/options/accel-empty", test_accel_empty);
    g_test_add_func("/dm/options/help-version", test_help_version);
}
