/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Start-up as libxl 4.17 drives qemu-xen for an HVM guest in dom0
 * (spec xen-toolstack.md §1.2, §1.4-1.6, §3.1): the exact
 * argv, then QMP the way libxl_qmp.c speaks it, one connection per
 * operation.
 */
#include "qtest-client.h"

#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

/* libxl_qmp.c starts every connection's ids at 0x786c7100 ("xlq\0"). */
#define LIBXL_FIRST_ID INT64_C(2020372736)
#define DOMID "5"

typedef struct {
    QtcQmp *q;
    gint64 next_id;
} Libxl;

/* One libxl operation: connect, check the greeting, negotiate. */
static Libxl *libxl_open(QtcProcess *p, const char *path, int fd)
{
    g_autoptr(GError) err = NULL;
    Libxl *l = g_new0(Libxl, 1);
    JsonObject *qemu;

    l->q = fd >= 0 ? qtc_qmp_new_fd(fd, p, &err)
                   : qtc_qmp_connect(path, p, &err);
    g_assert_no_error(err);
    l->next_id = LIBXL_FIRST_ID;
    /* libxl compares QMP.version.qemu with 2.11.0 for the save args. */
    qemu = json_object_get_object_member(
        json_object_get_object_member(
            json_object_get_object_member(
                json_node_get_object(qtc_qmp_greeting(l->q)), "QMP"),
            "version"),
        "qemu");
    g_assert_cmpint(json_object_get_int_member(qemu, "major"), >=, 2);
    return l;
}

static void libxl_close(Libxl *l)
{
    qtc_qmp_free(l->q);
    g_free(l);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC(Libxl, libxl_close)

/*
 * {"execute":CMD,"id":N[,"arguments":ARGS]}\r\n as libxl's yajl writer
 * emits it; the reply must carry the same integer id and no error.
 * Returns a copy of "return".
 */
static JsonNode *libxl_cmd(Libxl *l, const char *cmd, const char *args)
{
    gint64 id = l->next_id++;
    g_autofree char *text = NULL;
    g_autoptr(JsonNode) reply = NULL;
    g_autofree char *reply_text = NULL;
    JsonNode *idn, *ret;

    text = args ? g_strdup_printf("{\"execute\":\"%s\",\"id\":%" G_GINT64_FORMAT
                                  ",\"arguments\":%s}", cmd, id, args)
                : g_strdup_printf("{\"execute\":\"%s\",\"id\":%" G_GINT64_FORMAT
                                  "}", cmd, id);
    reply = qtc_qmp_cmd_text(l->q, text);
    reply_text = qtc_json_text(reply);
    idn = json_object_get_member(json_node_get_object(reply), "id");
    if (!idn || json_node_get_value_type(idn) != G_TYPE_INT64 ||
        json_node_get_int(idn) != id) {
        g_error("'%s': reply id is not %" G_GINT64_FORMAT ": %s", cmd, id,
                reply_text);
    }
    ret = qtc_reply_return(reply);
    if (!ret) {
        g_error("'%s' failed: %s", cmd, reply_text);
    }
    return json_node_copy(ret);
}

static void libxl_caps(Libxl *l)
{
    g_autoptr(JsonNode) ret = libxl_cmd(l, "qmp_capabilities", NULL);

    g_assert_true(JSON_NODE_HOLDS_OBJECT(ret));
}

static char *libxl_status(QtcProcess *p, const char *path)
{
    g_autoptr(Libxl) l = libxl_open(p, path, -1);
    g_autoptr(JsonNode) ret = NULL;

    libxl_caps(l);
    ret = libxl_cmd(l, "query-status", NULL);
    return g_strdup(json_object_get_string_member(json_node_get_object(ret),
                                                  "status"));
}

static void assert_status(QtcProcess *p, const char *path, const char *want)
{
    g_autofree char *status = libxl_status(p, path);

    g_assert_cmpstr(status, ==, want);
}

/*
 * The argv of libxl__build_device_model_args_new for an HVM guest with no
 * disk, NIC, VNC or serial port; libxl_cmd is the chardev text of the
 * first monitor. Then what the test adds in place of a hypervisor.
 */
static GPtrArray *libxl_argv(QtcProcess *p, const char *libxl_cmd_chardev,
                             bool paused)
{
    GPtrArray *a = g_ptr_array_new_with_free_func(g_free);
    g_autofree char *stat_path = qtc_path(p, "qmp-libxenstat-" DOMID);
    static const char *const tail[] = {
        "-nodefaults", "-no-user-config", "-name", "guest", "-vnc", "none",
        "-display", "none", "-boot", "order=cda", "-smp", "2,maxcpus=2",
        "-net", "none", "-machine", "xenfv,suppress-vmdesc=on", "-m", "1016",
    };

    g_ptr_array_add(a, g_strdup(qtc_stubdm()));
    g_ptr_array_add(a, g_strdup("-xen-domid"));
    g_ptr_array_add(a, g_strdup(DOMID));
    g_ptr_array_add(a, g_strdup("-no-shutdown"));
    g_ptr_array_add(a, g_strdup("-chardev"));
    g_ptr_array_add(a, g_strdup(libxl_cmd_chardev));
    /* Restricted mode: the guest waits for QMP 'cont'. */
    if (paused) {
        g_ptr_array_add(a, g_strdup("-S"));
    }
    g_ptr_array_add(a, g_strdup("-mon"));
    g_ptr_array_add(a, g_strdup("chardev=libxl-cmd,mode=control"));
    g_ptr_array_add(a, g_strdup("-chardev"));
    g_ptr_array_add(a, g_strdup_printf("socket,id=libxenstat-cmd,path=%s,"
                                       "server=on,wait=off", stat_path));
    g_ptr_array_add(a, g_strdup("-mon"));
    g_ptr_array_add(a, g_strdup("chardev=libxenstat-cmd,mode=control"));
    for (size_t i = 0; i < G_N_ELEMENTS(tail); i++) {
        g_ptr_array_add(a, g_strdup(tail[i]));
    }
    g_ptr_array_add(a, g_strdup("-qtest"));
    g_ptr_array_add(a, g_strdup_printf("unix:%s", qtc_qtest_socket(p)));
    g_ptr_array_add(a, g_strdup("-qtest-log"));
    g_ptr_array_add(a, g_strdup("/dev/null"));
    g_ptr_array_add(a, NULL);
    return a;
}

static void launch(QtcProcess *p, const char *chardev, bool paused,
                   const int *keep_fds)
{
    g_autoptr(GPtrArray) argv = libxl_argv(p, chardev, paused);
    g_autoptr(GError) err = NULL;

    if (!qtc_launch_argv(p, (const char *const *)argv->pdata, true, NULL,
                         keep_fds, &err)) {
        g_error("%s", err->message);
    }
}

static void assert_socket_0600(const char *path)
{
    struct stat st;

    g_assert_cmpint(stat(path, &st), ==, 0);
    g_assert_true(S_ISSOCK(st.st_mode));
    g_assert_cmpint(st.st_mode & 07777, ==, 0600);
}

/* §1.5: query-chardev then query-vnc on one connection. */
static void post_start_config(QtcProcess *p, const char *path)
{
    g_autoptr(Libxl) l = libxl_open(p, path, -1);
    g_autoptr(JsonNode) chardevs = NULL;
    g_autoptr(JsonNode) vnc = NULL;
    JsonArray *list;
    bool seen = false;

    libxl_caps(l);
    chardevs = libxl_cmd(l, "query-chardev", NULL);
    g_assert_true(JSON_NODE_HOLDS_ARRAY(chardevs));
    list = json_node_get_array(chardevs);
    for (guint i = 0; i < json_array_get_length(list); i++) {
        JsonObject *c = json_array_get_object_element(list, i);
        const char *label = json_object_get_string_member(c, "label");
        /* libxl reads label and filename of every entry. */
        g_assert_nonnull(label);
        g_assert_nonnull(json_object_get_string_member(c, "filename"));
        g_assert_true(json_object_get_boolean_member(c, "frontend-open"));
        seen |= !strcmp(label, "libxl-cmd");
    }
    g_assert_true(seen);
    vnc = libxl_cmd(l, "query-vnc", NULL);
    g_assert_false(json_object_get_boolean_member(json_node_get_object(vnc),
                                                  "enabled"));
}

/* §1.6: libxl_retrieve_domain_configuration's own connection. */
static void check_cpus(QtcProcess *p, const char *path)
{
    g_autoptr(Libxl) l = libxl_open(p, path, -1);
    g_autoptr(JsonNode) cpus = NULL;
    JsonArray *list;

    libxl_caps(l);
    cpus = libxl_cmd(l, "query-cpus-fast", NULL);
    g_assert_true(JSON_NODE_HOLDS_ARRAY(cpus));
    list = json_node_get_array(cpus);
    g_assert_cmpuint(json_array_get_length(list), ==, 2);
    for (guint i = 0; i < 2; i++) {
        JsonNode *idx = json_object_get_member(
            json_array_get_object_element(list, i), "cpu-index");
        g_assert_true(idx && json_node_get_value_type(idx) == G_TYPE_INT64);
        g_assert_cmpint(json_node_get_int(idx), ==, i);
    }
}

/* libxenstat (xentop) on the second monitor, in its own spacing. */
static void check_libxenstat(QtcProcess *p)
{
    g_autofree char *path = qtc_path(p, "qmp-libxenstat-" DOMID);
    g_autoptr(GError) err = NULL;
    g_autoptr(QtcQmp) q = qtc_qmp_connect(path, p, &err);
    g_autoptr(JsonNode) r1 = NULL;
    g_autoptr(JsonNode) r2 = NULL;
    g_autoptr(JsonNode) r3 = NULL;

    g_assert_no_error(err);
    assert_socket_0600(path);
    r1 = qtc_qmp_cmd_text(q, "{ \"execute\": \"qmp_capabilities\" }");
    g_assert_nonnull(qtc_reply_return(r1));
    r2 = qtc_qmp_cmd_text(q, "{ \"execute\": \"query-block\" }");
    g_assert_true(JSON_NODE_HOLDS_ARRAY(qtc_reply_return(r2)));
    r3 = qtc_qmp_cmd_text(q, "{ \"execute\": \"query-blockstats\" }");
    g_assert_true(JSON_NODE_HOLDS_ARRAY(qtc_reply_return(r3)));
}

/* libxl tears down with SIGHUP (§1.8); QEMU exits 0 on it. */
static void teardown(QtcProcess *p)
{
    int status;

    qtc_kill(p, SIGHUP);
    status = qtc_wait_exit(p, qtc_timeout_ms());
    g_assert_cmpint(status, !=, -1);
    g_assert_true(WIFEXITED(status));
    g_assert_cmpint(WEXITSTATUS(status), ==, 0);
}

static void test_start_paused(void)
{
    g_autoptr(QtcProcess) p = qtc_new();
    g_autofree char *path = qtc_path(p, "qmp-libxl-" DOMID);
    g_autofree char *chardev = g_strdup_printf(
        "socket,id=libxl-cmd,path=%s,server=on,wait=off", path);

    launch(p, chardev, true, NULL);
    /* §1.4 readiness: prelaunch, on its own connection. */
    assert_status(p, path, "prelaunch");
    assert_socket_0600(path);
    post_start_config(p, path);
    check_cpus(p, path);
    {
        /* libxl_domain_unpause. */
        g_autoptr(Libxl) l = libxl_open(p, path, -1);
        g_autoptr(JsonNode) ret = NULL;
        g_autoptr(JsonNode) ev = NULL;

        libxl_caps(l);
        ret = libxl_cmd(l, "cont", NULL);
        ev = qtc_qmp_event_wait(l->q, "RESUME");
    }
    assert_status(p, path, "running");
    {
        /* The first step of a save. */
        g_autoptr(Libxl) l = libxl_open(p, path, -1);
        g_autoptr(JsonNode) ret = NULL;
        g_autoptr(JsonNode) st = NULL;

        libxl_caps(l);
        st = libxl_cmd(l, "query-status", NULL);
        g_assert_cmpstr(json_object_get_string_member(
                            json_node_get_object(st), "status"), ==,
                        "running");
        ret = libxl_cmd(l, "stop", NULL);
        g_clear_pointer(&st, json_node_unref);
        st = libxl_cmd(l, "query-status", NULL);
        g_assert_cmpstr(json_object_get_string_member(
                            json_node_get_object(st), "status"), ==,
                        "paused");
        g_assert_cmpint(l->next_id, ==, LIBXL_FIRST_ID + 4);
    }
    check_libxenstat(p);
    assert_status(p, path, "paused");
    teardown(p);
}

static void test_start_running(void)
{
    g_autoptr(QtcProcess) p = qtc_new();
    g_autofree char *path = qtc_path(p, "qmp-libxl-" DOMID);
    g_autofree char *chardev = g_strdup_printf(
        "socket,id=libxl-cmd,path=%s,server=on,wait=off", path);

    /* Without -S libxl waits for xenstore's state=running instead. */
    launch(p, chardev, false, NULL);
    assert_status(p, path, "running");
    post_start_config(p, path);
    check_cpus(p, path);
    check_libxenstat(p);
    teardown(p);
}

static void test_start_restricted_fd(void)
{
    g_autoptr(QtcProcess) p = qtc_new();
    g_autofree char *path = qtc_path(p, "qmp-libxl-" DOMID);
    g_autofree char *chardev = NULL;
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    g_autoptr(Libxl) l = NULL;
    g_autoptr(JsonNode) st = NULL;
    int listen_fd, client_fd, keep[2];

    /*
     * dm_restrict=1: libxl binds and listens itself, passes the fd, and
     * connects at once; the connection waits in the backlog until the
     * device model runs.
     */
    g_assert_cmpuint(strlen(path), <, sizeof(sa.sun_path));
    strcpy(sa.sun_path, path);
    listen_fd = socket(AF_UNIX, SOCK_STREAM, 0);
    g_assert_cmpint(listen_fd, >=, 0);
    g_assert_cmpint(bind(listen_fd, (struct sockaddr *)&sa, sizeof(sa)), ==,
                    0);
    g_assert_cmpint(listen(listen_fd, 5), ==, 0);
    client_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    g_assert_cmpint(connect(client_fd, (struct sockaddr *)&sa, sizeof(sa)),
                    ==, 0);
    chardev = g_strdup_printf("socket,id=libxl-cmd,fd=%d,server=on,wait=off",
                              listen_fd);
    keep[0] = listen_fd;
    keep[1] = -1;
    launch(p, chardev, true, keep);
    close(listen_fd);

    l = libxl_open(p, NULL, client_fd);
    libxl_caps(l);
    st = libxl_cmd(l, "query-status", NULL);
    g_assert_cmpstr(json_object_get_string_member(json_node_get_object(st),
                                                  "status"), ==, "prelaunch");
    g_clear_pointer(&l, libxl_close);
    /* Later operations connect to the same socket afresh. */
    post_start_config(p, path);
    check_cpus(p, path);
    teardown(p);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/libxl/start", test_start_paused);
    g_test_add_func("/libxl/start-running", test_start_running);
    g_test_add_func("/libxl/start-restricted-fd", test_start_restricted_fd);
    return g_test_run();
}
