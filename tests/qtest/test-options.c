/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The command line as a process sees it: a refused option ends stubdm
 * with status 1 and one line naming it, before any socket is created or
 * connected; --help and --version succeed.
 */
#include "qtest-client.h"

#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

typedef struct {
    int status;
    char *out;
    char *err;
} RunResult;

static void run_result_free(RunResult *r)
{
    g_free(r->out);
    g_free(r->err);
    g_free(r);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC(RunResult, run_result_free)

static RunResult *run(const char *const *args)
{
    g_autoptr(GPtrArray) argv = g_ptr_array_new();
    g_autoptr(GError) err = NULL;
    RunResult *r = g_new0(RunResult, 1);

    g_ptr_array_add(argv, (gpointer)qtc_stubdm());
    for (const char *const *a = args; *a; a++) {
        g_ptr_array_add(argv, (gpointer)*a);
    }
    g_ptr_array_add(argv, NULL);
    if (!g_spawn_sync(NULL, (char **)argv->pdata, NULL,
                      G_SPAWN_STDIN_FROM_DEV_NULL, NULL, NULL, &r->out,
                      &r->err, &r->status, &err)) {
        g_error("spawning %s: %s", qtc_stubdm(), err->message);
    }
    return r;
}

static int listen_on(const char *path)
{
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

    g_assert_cmpint(fd, >=, 0);
    g_assert_cmpuint(strlen(path), <, sizeof(sa.sun_path));
    strcpy(sa.sun_path, path);
    g_assert_cmpint(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), ==, 0);
    g_assert_cmpint(listen(fd, 1), ==, 0);
    return fd;
}

typedef struct {
    const char *name;
    const char *args[4];
    const char *expect[3];    /* substrings of the one stderr line */
} BadCase;

static const BadCase bad_cases[] = {
    { "device", { "-device", "e1000,id=nic0" },
      { "-device e1000,id=nic0", "not emulated", "e1000" } },
    { "drive", { "-drive", "file=x,if=ide" },
      { "-drive file=x,if=ide", "not emulated", "ide" } },
    { "vnc", { "-vnc", "127.0.0.1:0" },
      { "-vnc 127.0.0.1:0", "not emulated" } },
    { "usb", { "-usb" }, { "-usb", "not emulated" } },
    { "serial", { "-serial", "pty" }, { "-serial pty", "not emulated" } },
    { "machine-key", { "-machine", "pc,foo=1" },
      { "-machine pc,foo=1", "'foo'" } },
    { "machine-type", { "-machine", "nosuch" },
      { "-machine nosuch", "'nosuch'" } },
    { "m", { "-m", "abc" }, { "-m abc" } },
    { "xen-domid", { "-xen-domid", "-1" }, { "-xen-domid -1" } },
    { "xen-domid-reserved", { "-xen-domid", "32752" },
      { "-xen-domid 32752" } },
    { "smp", { "-smp", "0" }, { "-smp 0" } },
    { "smp-maxcpus", { "-smp", "4,maxcpus=2" }, { "-smp 4,maxcpus=2" } },
    { "chardev", { "-chardev", "pty,id=x" },
      { "-chardev pty,id=x", "not emulated", "pty" } },
    { "mon", { "-mon", "chardev=nosuch,mode=control" },
      { "-mon chardev=nosuch", "'nosuch'" } },
    { "accel", { "-accel", "tcg" }, { "-accel tcg", "not emulated" } },
    { "unknown", { "-no-such-option" }, { "-no-such-option", "invalid" } },
    { "stray", { "disk.img" }, { "disk.img" } },
    { "missing-argument", { "-name" }, { "-name", "argument" } },
};

static void test_bad(gconstpointer data)
{
    const BadCase *c = data;
    g_autofree char *dir = g_dir_make_tmp("qtc-opt-XXXXXX", NULL);
    g_autofree char *qtest = g_build_filename(dir, "qtest.sock", NULL);
    g_autofree char *server = g_build_filename(dir, "early.sock", NULL);
    g_autofree char *qtest_arg = g_strdup_printf("unix:%s", qtest);
    g_autofree char *server_arg = g_strdup_printf(
        "socket,id=early,path=%s,server=on,wait=off", server);
    const char *args[16] = {
        "-qtest", qtest_arg, "-chardev", server_arg,
        "-mon", "chardev=early,mode=control",
    };
    size_t n = 6;
    g_autoptr(RunResult) r = NULL;
    struct pollfd pfd;

    g_assert_nonnull(dir);
    /* Good options first: none of them may take effect. */
    for (size_t i = 0; i < G_N_ELEMENTS(c->args) && c->args[i]; i++) {
        args[n++] = c->args[i];
    }
    args[n] = NULL;
    pfd.fd = listen_on(qtest);
    pfd.events = POLLIN;
    r = run(args);

    g_assert_true(WIFEXITED(r->status));
    g_assert_cmpint(WEXITSTATUS(r->status), ==, 1);
    g_assert_cmpstr(r->out, ==, "");
    /* One line, prefixed like every stubdm diagnostic. */
    g_assert_true(g_str_has_prefix(r->err, "stubdm: "));
    g_assert_true(g_str_has_suffix(r->err, "\n"));
    g_assert_true(strchr(r->err, '\n') == r->err + strlen(r->err) - 1);
    for (size_t i = 0; i < G_N_ELEMENTS(c->expect) && c->expect[i]; i++) {
        if (!strstr(r->err, c->expect[i])) {
            g_error("stderr lacks '%s': %s", c->expect[i], r->err);
        }
    }
    /* Refused before start: no socket bound, none connected. */
    g_assert_false(g_file_test(server, G_FILE_TEST_EXISTS));
    g_assert_cmpint(poll(&pfd, 1, 0), ==, 0);
    close(pfd.fd);
    unlink(qtest);
    g_assert_cmpint(rmdir(dir), ==, 0);
}

static void test_version(void)
{
    static const char *const spellings[][2] = {
        { "--version", NULL }, { "-version", NULL },
    };

    for (size_t i = 0; i < G_N_ELEMENTS(spellings); i++) {
        g_autoptr(RunResult) r = run(spellings[i]);

        g_assert_true(WIFEXITED(r->status));
        g_assert_cmpint(WEXITSTATUS(r->status), ==, 0);
        g_assert_cmpstr(r->err, ==, "");
        /* One line: the name, a version, and the QMP it speaks. */
        g_assert_true(g_str_has_prefix(r->out, "stubdm "));
        g_assert_true(g_ascii_isdigit(r->out[strlen("stubdm ")]));
        g_assert_nonnull(strstr(r->out, "7.2"));
        g_assert_true(strchr(r->out, '\n') == r->out + strlen(r->out) - 1);
    }
}

static void test_help(void)
{
    static const char *const spellings[][2] = {
        { "--help", NULL }, { "-help", NULL }, { "-h", NULL },
    };
    static const char *const mentions[] = {
        "usage:", "-xen-domid", "-qtest", "-machine", "-chardev", "-mon",
        "-S", "xenfv",
    };

    for (size_t i = 0; i < G_N_ELEMENTS(spellings); i++) {
        g_autoptr(RunResult) r = run(spellings[i]);

        g_assert_true(WIFEXITED(r->status));
        g_assert_cmpint(WEXITSTATUS(r->status), ==, 0);
        g_assert_cmpstr(r->err, ==, "");
        for (size_t j = 0; j < G_N_ELEMENTS(mentions); j++) {
            if (!strstr(r->out, mentions[j])) {
                g_error("--help lacks '%s':\n%s", mentions[j], r->out);
            }
        }
    }
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    for (size_t i = 0; i < G_N_ELEMENTS(bad_cases); i++) {
        g_autofree char *path = g_strdup_printf("/options/refuse/%s",
                                                bad_cases[i].name);
        g_test_add_data_func(path, &bad_cases[i], test_bad);
    }
    g_test_add_func("/options/version", test_version);
    g_test_add_func("/options/help", test_help);
    return g_test_run();
}
