/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * QMP as a running stubdm speaks it: every command of dm/qmp-commands.c,
 * run states and their events (QEMU 7.2 softmmu/runstate.c), framing and
 * malformed input (qapi/qmp-dispatch.c), and monitor connections.
 */
#include "qtest-client.h"

#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

static JsonObject *obj(JsonNode *n)
{
    g_assert_nonnull(n);
    g_assert_true(JSON_NODE_HOLDS_OBJECT(n));
    return json_node_get_object(n);
}

static void assert_json_eq(JsonNode *got, const char *want_text)
{
    g_autoptr(JsonNode) want = qtc_json_parse(want_text);
    g_autofree char *got_text = qtc_json_text(got);

    if (!json_node_equal(got, want)) {
        g_error("got %s, want %s", got_text, want_text);
    }
}

static void send_str(QtcQmp *q, const char *text)
{
    qtc_qmp_send_raw(q, text, strlen(text));
}

static char *query_status(QtcQmp *q)
{
    g_autoptr(JsonNode) ret = qtc_qmp_ok(q, "query-status", NULL);
    JsonObject *o = obj(ret);

    /* QEMU 7.2 StatusInfo: running mirrors status, singlestep is false. */
    g_assert_false(json_object_get_boolean_member(o, "singlestep"));
    g_assert_cmpint(json_object_get_boolean_member(o, "running"), ==,
                    !strcmp(json_object_get_string_member(o, "status"),
                            "running"));
    return g_strdup(json_object_get_string_member(o, "status"));
}

static void assert_status(QtcQmp *q, const char *want)
{
    g_autofree char *status = query_status(q);

    g_assert_cmpstr(status, ==, want);
}

/* An event as QEMU sends it: timestamp of the host's real time. */
static void check_event(JsonNode *ev, const char *name, const char *data)
{
    JsonObject *o = obj(ev);
    JsonObject *ts = json_object_get_object_member(o, "timestamp");
    gint64 now = g_get_real_time() / G_USEC_PER_SEC;
    JsonNode *sec, *usec;

    g_assert_cmpstr(json_object_get_string_member(o, "event"), ==, name);
    g_assert_nonnull(ts);
    sec = json_object_get_member(ts, "seconds");
    usec = json_object_get_member(ts, "microseconds");
    g_assert_true(sec && json_node_get_value_type(sec) == G_TYPE_INT64);
    g_assert_true(usec && json_node_get_value_type(usec) == G_TYPE_INT64);
    g_assert_cmpint(json_node_get_int(sec), >=, now - 60);
    g_assert_cmpint(json_node_get_int(sec), <=, now + 1);
    g_assert_cmpint(json_node_get_int(usec), >=, 0);
    g_assert_cmpint(json_node_get_int(usec), <, 1000000);
    if (data) {
        assert_json_eq(json_object_get_member(o, "data"), data);
    } else {
        g_assert_false(json_object_has_member(o, "data"));
    }
}

static void expect_error(JsonNode *reply, const char *cls, const char *desc)
{
    g_autofree char *text = qtc_json_text(reply);

    if (g_strcmp0(qtc_reply_error_class(reply), cls) ||
        (desc && !strstr(qtc_reply_error_desc(reply), desc))) {
        g_error("want error %s '%s', got %s", cls, desc ? desc : "", text);
    }
    g_assert_false(json_object_has_member(obj(reply), "return"));
}

static void expect_error_text(QtcQmp *q, const char *text, const char *cls,
                              const char *desc)
{
    g_autoptr(JsonNode) reply = qtc_qmp_cmd_text(q, text);

    expect_error(reply, cls, desc);
    g_assert_false(json_object_has_member(obj(reply), "id"));
}

static void assert_exit_status(int status, int want)
{
    g_assert_cmpint(status, !=, -1);
    g_assert_true(WIFEXITED(status));
    g_assert_cmpint(WEXITSTATUS(status), ==, want);
}

static void test_capabilities(void)
{
    g_autoptr(QtcProcess) p = qtc_new();
    g_autoptr(GError) err = NULL;
    g_autoptr(JsonNode) r1 = NULL;
    g_autoptr(JsonNode) r2 = NULL;
    JsonObject *qmp, *ver;

    g_assert_true(qtc_launch(p, NULL, NULL, &err));
    g_assert_no_error(err);
    /* libxl compares the greeting's version with 2.11. */
    qmp = json_object_get_object_member(obj(qtc_qmp_greeting(qtc_qmp(p))),
                                        "QMP");
    ver = json_object_get_object_member(
        json_object_get_object_member(qmp, "version"), "qemu");
    g_assert_cmpint(json_object_get_int_member(ver, "major"), ==, 7);
    g_assert_cmpint(json_object_get_int_member(ver, "minor"), ==, 2);
    g_assert_cmpint(json_object_get_int_member(ver, "micro"), ==, 0);
    g_assert_true(JSON_NODE_HOLDS_ARRAY(
        json_object_get_member(qmp, "capabilities")));

    /* No out-of-band support is advertised, so none can be enabled, and
     * the failed attempt leaves the monitor in negotiation mode. */
    r1 = qtc_qmp_cmd_text(qtc_qmp(p), "{\"execute\": \"qmp_capabilities\", "
                          "\"arguments\": {\"enable\": [\"oob\"]}}");
    expect_error(r1, "GenericError", "oob");
    r2 = qtc_qmp_cmd_text(qtc_qmp(p), "{\"execute\": \"query-status\"}");
    expect_error(r2, "CommandNotFound", "qmp_capabilities");
    qtc_qmp_handshake(qtc_qmp(p));
    assert_exit_status(qtc_quit(p), 0);
}

static void test_query_version(void)
{
    g_autoptr(QtcProcess) p = qtc_start("-S");
    g_autoptr(JsonNode) ret = qtc_qmp_ok(qtc_qmp(p), "query-version", NULL);
    JsonObject *qemu = json_object_get_object_member(obj(ret), "qemu");

    g_assert_cmpint(json_object_get_int_member(qemu, "major"), ==, 7);
    g_assert_cmpint(json_object_get_int_member(qemu, "minor"), ==, 2);
    g_assert_cmpint(json_object_get_int_member(qemu, "micro"), ==, 0);
    g_assert_nonnull(json_object_get_string_member(obj(ret), "package"));
}

static void test_query_commands(void)
{
    static const char *const expected[] = {
        "qmp_capabilities", "query-version", "query-commands",
        "query-status", "stop", "cont", "quit", "system_reset",
        "system_powerdown", "query-name", "query-cpus-fast",
        "query-chardev", "query-vnc", "query-block", "query-blockstats",
    };
    g_autoptr(QtcProcess) p = qtc_start("-S");
    g_autoptr(JsonNode) ret = qtc_qmp_ok(qtc_qmp(p), "query-commands", NULL);
    g_autoptr(GHashTable) names = g_hash_table_new(g_str_hash, g_str_equal);
    JsonArray *list;

    g_assert_true(JSON_NODE_HOLDS_ARRAY(ret));
    list = json_node_get_array(ret);
    for (guint i = 0; i < json_array_get_length(list); i++) {
        JsonObject *c = json_array_get_object_element(list, i);
        const char *name = json_object_get_string_member(c, "name");
        g_assert_nonnull(name);
        /* Each command is listed once. */
        g_assert_true(g_hash_table_add(names, (gpointer)name));
    }
    for (size_t i = 0; i < G_N_ELEMENTS(expected); i++) {
        g_assert_true(g_hash_table_contains(names, expected[i]));
    }
}

static void test_status_prelaunch(void)
{
    g_autoptr(QtcProcess) p = qtc_start("-S");

    assert_status(qtc_qmp(p), "prelaunch");
    /* As observed on QEMU 7.2: stop in prelaunch changes nothing. */
    g_autoptr(JsonNode) r = qtc_qmp_ok(qtc_qmp(p), "stop", NULL);
    assert_status(qtc_qmp(p), "prelaunch");
    g_assert_cmpuint(qtc_qmp_event_count(qtc_qmp(p)), ==, 0);
}

static void test_status_running(void)
{
    g_autoptr(QtcProcess) p = qtc_start("%s", "");

    assert_status(qtc_qmp(p), "running");
    /* cont on a running VM emits nothing (vm_prepare_start). */
    g_autoptr(JsonNode) r = qtc_qmp_ok(qtc_qmp(p), "cont", NULL);
    assert_status(qtc_qmp(p), "running");
    g_assert_cmpuint(qtc_qmp_event_count(qtc_qmp(p)), ==, 0);
}

static void test_status_paused(void)
{
    g_autoptr(QtcProcess) p = qtc_start("%s", "");
    g_autoptr(JsonNode) r = qtc_qmp_ok(qtc_qmp(p), "stop", NULL);
    g_autoptr(JsonNode) ev = qtc_qmp_event_wait(qtc_qmp(p), "STOP");

    check_event(ev, "STOP", NULL);
    assert_status(qtc_qmp(p), "paused");
}

static void test_status_reset_from_paused(void)
{
    g_autoptr(QtcProcess) p = qtc_start("%s", "");
    g_autoptr(JsonNode) r1 = qtc_qmp_ok(qtc_qmp(p), "stop", NULL);
    g_autoptr(JsonNode) r2 = NULL;
    g_autoptr(JsonNode) ev = NULL;

    assert_status(qtc_qmp(p), "paused");
    /* QEMU's main loop moves a reset VM that is not running to
     * prelaunch. */
    r2 = qtc_qmp_ok(qtc_qmp(p), "system_reset", NULL);
    ev = qtc_qmp_event_wait(qtc_qmp(p), "RESET");
    assert_status(qtc_qmp(p), "prelaunch");
}

static void test_stop_cont_events(void)
{
    g_autoptr(QtcProcess) p = qtc_start("-S");
    QtcQmp *q = qtc_qmp(p);

    for (int i = 0; i < 2; i++) {
        g_autoptr(JsonNode) r1 = qtc_qmp_ok(q, "cont", NULL);
        g_autoptr(JsonNode) resume = qtc_qmp_event_wait(q, "RESUME");
        g_autoptr(JsonNode) r2 = NULL;
        g_autoptr(JsonNode) stop = NULL;

        check_event(resume, "RESUME", NULL);
        assert_status(q, "running");
        r2 = qtc_qmp_ok(q, "stop", NULL);
        stop = qtc_qmp_event_wait(q, "STOP");
        check_event(stop, "STOP", NULL);
        assert_status(q, "paused");
    }
    g_assert_cmpuint(qtc_qmp_event_count(q), ==, 0);
}

static void test_system_reset(void)
{
    g_autoptr(QtcProcess) p = qtc_start("%s", "");
    g_autoptr(JsonNode) r = qtc_qmp_ok(qtc_qmp(p), "system_reset", NULL);
    g_autoptr(JsonNode) ev = qtc_qmp_event_wait(qtc_qmp(p), "RESET");

    assert_json_eq(r, "{}");
    check_event(ev, "RESET",
                "{\"guest\": false, \"reason\": \"host-qmp-system-reset\"}");
    /* A running VM keeps running through a reset. */
    assert_status(qtc_qmp(p), "running");
}

static void test_system_powerdown(void)
{
    g_autoptr(QtcProcess) p = qtc_start("%s", "");
    g_autoptr(JsonNode) r = qtc_qmp_ok(qtc_qmp(p), "system_powerdown", NULL);
    g_autoptr(JsonNode) ev = qtc_qmp_event_wait(qtc_qmp(p), "POWERDOWN");

    assert_json_eq(r, "{}");
    check_event(ev, "POWERDOWN", NULL);
    g_assert_true(qtc_running(p));
}

static void test_quit(void)
{
    g_autoptr(QtcProcess) p = qtc_start("-S -no-shutdown");
    QtcQmp *q = qtc_qmp(p);
    g_autoptr(JsonNode) ev = NULL;
    g_autoptr(JsonNode) reply = NULL;

    /* QEMU sends the SHUTDOWN event before the reply, then closes. */
    send_str(q, "{\"execute\": \"quit\", \"id\": 9}\r\n");
    ev = qtc_qmp_recv(q);
    check_event(ev, "SHUTDOWN",
                "{\"guest\": false, \"reason\": \"host-qmp-quit\"}");
    reply = qtc_qmp_recv(q);
    assert_json_eq(reply, "{\"return\": {}, \"id\": 9}");
    g_assert_true(qtc_qmp_eof(q, qtc_timeout_ms()));
    assert_exit_status(qtc_wait_exit(p, qtc_timeout_ms()), 0);
}

static void test_sigterm(void)
{
    g_autoptr(QtcProcess) p = qtc_start("-no-shutdown");
    g_autoptr(JsonNode) ev = NULL;

    /* QEMU 7.2 quits with status 0 on SIGTERM even with -no-shutdown. */
    qtc_kill(p, SIGTERM);
    ev = qtc_qmp_event_wait(qtc_qmp(p), "SHUTDOWN");
    check_event(ev, "SHUTDOWN",
                "{\"guest\": false, \"reason\": \"host-signal\"}");
    assert_exit_status(qtc_wait_exit(p, qtc_timeout_ms()), 0);
}

static void test_query_name(void)
{
    g_autoptr(QtcProcess) p1 = qtc_start("-S");
    g_autoptr(QtcProcess) p2 = qtc_start("-S -name guest");
    g_autoptr(QtcProcess) p3 = qtc_start("-S -name guest=vm1,debug-threads=on");
    g_autoptr(JsonNode) r1 = qtc_qmp_ok(qtc_qmp(p1), "query-name", NULL);
    g_autoptr(JsonNode) r2 = qtc_qmp_ok(qtc_qmp(p2), "query-name", NULL);
    g_autoptr(JsonNode) r3 = qtc_qmp_ok(qtc_qmp(p3), "query-name", NULL);

    assert_json_eq(r1, "{}");
    assert_json_eq(r2, "{\"name\": \"guest\"}");
    assert_json_eq(r3, "{\"name\": \"vm1\"}");
}

static void test_query_cpus_fast(void)
{
    g_autoptr(QtcProcess) p = qtc_start("-S -smp 3");
    g_autoptr(JsonNode) ret = qtc_qmp_ok(qtc_qmp(p), "query-cpus-fast", NULL);
    JsonArray *cpus;

    g_assert_true(JSON_NODE_HOLDS_ARRAY(ret));
    cpus = json_node_get_array(ret);
    g_assert_cmpuint(json_array_get_length(cpus), ==, 3);
    for (guint i = 0; i < 3; i++) {
        JsonObject *c = json_array_get_object_element(cpus, i);
        JsonNode *idx = json_object_get_member(c, "cpu-index");
        /* libxl rebuilds avail_vcpus from integer cpu-index values. */
        g_assert_true(idx && json_node_get_value_type(idx) == G_TYPE_INT64);
        g_assert_cmpint(json_node_get_int(idx), ==, i);
        g_assert_cmpstr(json_object_get_string_member(c, "target"), ==,
                        "x86_64");
        g_assert_nonnull(json_object_get_string_member(c, "qom-path"));
        g_assert_nonnull(json_object_get_object_member(c, "props"));
    }
}

static void test_query_chardev(void)
{
    g_autoptr(QtcProcess) p = qtc_start("-S");
    g_autoptr(JsonNode) ret = qtc_qmp_ok(qtc_qmp(p), "query-chardev", NULL);
    g_autofree char *qmp_path = qtc_path(p, "qmp.sock");
    JsonArray *list;
    bool seen_qtest = false, seen_qmp = false;

    g_assert_true(JSON_NODE_HOLDS_ARRAY(ret));
    list = json_node_get_array(ret);
    g_assert_cmpuint(json_array_get_length(list), ==, 2);
    for (guint i = 0; i < 2; i++) {
        JsonObject *c = json_array_get_object_element(list, i);
        const char *label = json_object_get_string_member(c, "label");
        const char *file = json_object_get_string_member(c, "filename");

        g_assert_true(json_object_get_boolean_member(c, "frontend-open"));
        /* QEMU names the -qtest chardev "qtest". */
        if (!strcmp(label, "qtest")) {
            seen_qtest = true;
            g_assert_nonnull(strstr(file, qtc_qtest_socket(p)));
        } else {
            g_assert_cmpstr(label, ==, "char0");
            seen_qmp = true;
            g_assert_nonnull(strstr(file, qmp_path));
        }
    }
    g_assert_true(seen_qtest && seen_qmp);
}

static void test_query_vnc_block(void)
{
    g_autoptr(QtcProcess) p = qtc_start("-S -vnc none");
    g_autoptr(JsonNode) vnc = qtc_qmp_ok(qtc_qmp(p), "query-vnc", NULL);
    g_autoptr(JsonNode) blk = qtc_qmp_ok(qtc_qmp(p), "query-block", NULL);
    g_autoptr(JsonNode) st = qtc_qmp_ok(qtc_qmp(p), "query-blockstats", NULL);
    g_autoptr(JsonNode) st2 = qtc_qmp_cmd_text(qtc_qmp(p),
        "{\"execute\": \"query-blockstats\", "
        "\"arguments\": {\"query-nodes\": true}}");

    assert_json_eq(vnc, "{\"enabled\": false}");
    assert_json_eq(blk, "[]");
    assert_json_eq(st, "[]");
    assert_json_eq(qtc_reply_return(st2), "[]");
}

static void test_malformed(void)
{
    g_autoptr(QtcProcess) p = qtc_start("-S");
    QtcQmp *q = qtc_qmp(p);
    g_autoptr(JsonNode) r1 = NULL;
    g_autoptr(JsonNode) r2 = NULL;

    expect_error_text(q, "{\"execute\": }", "GenericError", "JSON parse");
    expect_error_text(q, "nonsense", "GenericError", NULL);
    expect_error_text(q, "[1, 2]", "GenericError", "JSON object");
    expect_error_text(q, "42", "GenericError", "JSON object");
    expect_error_text(q, "\"query-status\"", "GenericError", "JSON object");
    expect_error_text(q, "{}", "GenericError", "lacks member 'execute'");
    expect_error_text(q, "{\"execute\": 1}", "GenericError",
                      "'execute' must be a string");
    expect_error_text(q, "{\"execute\": \"query-status\", \"foo\": 1}",
                      "GenericError", "member 'foo' is unexpected");
    expect_error_text(q, "{\"execute\": \"query-status\", "
                      "\"arguments\": {\"x\": 1}}",
                      "GenericError", "Parameter 'x' is unexpected");
    expect_error_text(q, "{\"execute\": \"query-status\", "
                      "\"arguments\": [1]}", "GenericError",
                      "'arguments' must be an object");
    expect_error_text(q, "{\"execute\": \"query-blockstats\", "
                      "\"arguments\": {\"query-nodes\": 1}}",
                      "GenericError", "query-nodes");
    expect_error_text(q, "{\"execute\": \"qmp_capabilities\"}",
                      "CommandNotFound", "already complete");
    expect_error_text(q, "{\"execute\": \"nosuch\"}", "CommandNotFound",
                      "nosuch");
    /* The id is echoed even when the request is refused. */
    r1 = qtc_qmp_cmd_text(q, "{\"id\": \"x\"}");
    expect_error(r1, "GenericError", "execute");
    assert_json_eq(json_object_get_member(obj(r1), "id"), "\"x\"");
    r2 = qtc_qmp_cmd_text(q, "{\"execute\": \"query-status\", \"id\": 3}");
    g_assert_nonnull(qtc_reply_return(r2));
    assert_status(q, "prelaunch");
}

static void test_before_capabilities(void)
{
    g_autoptr(QtcProcess) p = qtc_new();
    g_autoptr(GError) err = NULL;
    g_autoptr(JsonNode) r1 = NULL;
    g_autoptr(JsonNode) r2 = NULL;

    g_assert_true(qtc_launch(p, NULL, NULL, &err));
    r1 = qtc_qmp_cmd_text(qtc_qmp(p), "{\"execute\": \"query-status\", "
                          "\"id\": 1}");
    expect_error(r1, "CommandNotFound", "qmp_capabilities");
    assert_json_eq(json_object_get_member(obj(r1), "id"), "1");
    r2 = qtc_qmp_cmd_text(qtc_qmp(p), "{\"execute\": \"nosuch\"}");
    expect_error(r2, "CommandNotFound", NULL);
    qtc_qmp_handshake(qtc_qmp(p));
    assert_status(qtc_qmp(p), "running");
}

/* {"execute":"query-status","arguments":{"pad":"AAA..."}} of total size */
static char *padded_command(size_t total)
{
    static const char head[] = "{\"execute\":\"query-status\","
                               "\"arguments\":{\"pad\":\"";
    static const char tail[] = "\"}}\r\n";
    GString *s = g_string_sized_new(total + 1);

    g_string_append(s, head);
    while (s->len < total - strlen(tail)) {
        g_string_append_c(s, 'A');
    }
    g_string_append(s, tail);
    return g_string_free(s, FALSE);
}

static void test_oversize(void)
{
    g_autoptr(QtcProcess) p = qtc_start("-S");
    QtcQmp *q = qtc_qmp(p);
    g_autofree char *small = padded_command((1u << 20) - 64);
    g_autofree char *big = padded_command((1u << 20) + 4096);
    g_autoptr(JsonNode) r1 = NULL;
    g_autoptr(JsonNode) r2 = NULL;

    /* Just under libxl's 1 MiB cap: parsed, then refused for the
     * argument. */
    send_str(q, small);
    r1 = qtc_qmp_recv_reply(q);
    expect_error(r1, "GenericError", "Parameter 'pad' is unexpected");
    /* Over it: one error, the rest of the line dropped, then service. */
    send_str(q, big);
    r2 = qtc_qmp_recv_reply(q);
    expect_error(r2, "GenericError", NULL);
    assert_status(q, "prelaunch");
    g_assert_false(qtc_qmp_readable(q, 100));
}

static void test_split_writes(void)
{
    static const char *const parts[] = {
        "  {\"exec", "ute\":\r\n \"query-", "status\",\n\"id\"", ":\n",
        "7}",
    };
    g_autoptr(QtcProcess) p = qtc_start("-S");
    QtcQmp *q = qtc_qmp(p);
    g_autoptr(JsonNode) reply = NULL;

    for (size_t i = 0; i < G_N_ELEMENTS(parts); i++) {
        /* A pause so each part arrives in its own read. */
        g_assert_false(qtc_qmp_readable(q, 50));
        send_str(q, parts[i]);
    }
    /* The closing brace ends the message; no newline needed. */
    reply = qtc_qmp_recv_reply(q);
    assert_json_eq(json_object_get_member(obj(reply), "id"), "7");
    assert_json_eq(json_object_get_member(obj(qtc_reply_return(reply)),
                                          "status"), "\"prelaunch\"");
}

static void test_two_in_one_write(void)
{
    static const char both[] =
        "{\"execute\":\"query-status\",\"id\":1}"
        "{\"execute\":\"query-name\",\"id\":2}\r\n";
    g_autoptr(QtcProcess) p = qtc_start("-S -name two");
    QtcQmp *q = qtc_qmp(p);
    g_autoptr(JsonNode) r1 = NULL;
    g_autoptr(JsonNode) r2 = NULL;

    send_str(q, both);
    r1 = qtc_qmp_recv_reply(q);
    r2 = qtc_qmp_recv_reply(q);
    assert_json_eq(json_object_get_member(obj(r1), "id"), "1");
    assert_json_eq(json_object_get_member(obj(r2), "id"), "2");
    assert_json_eq(qtc_reply_return(r2), "{\"name\": \"two\"}");
}

static void test_ids(void)
{
    static const char *const ids[] = {
        "0", "-5", "2020372736", "9007199254740993", "1.5", "\"abc\"",
        "\"\"", "true", "null", "[1, \"x\", []]", "{\"a\": {\"b\": 1}}",
    };
    g_autoptr(QtcProcess) p = qtc_start("-S");
    QtcQmp *q = qtc_qmp(p);

    for (size_t i = 0; i < G_N_ELEMENTS(ids); i++) {
        g_autoptr(JsonNode) ok = qtc_qmp_cmdf(q,
            "{\"execute\": \"query-status\", \"id\": %s}", ids[i]);
        g_autoptr(JsonNode) bad = qtc_qmp_cmdf(q,
            "{\"id\": %s, \"execute\": \"nosuch\"}", ids[i]);

        g_assert_nonnull(qtc_reply_return(ok));
        assert_json_eq(json_object_get_member(obj(ok), "id"), ids[i]);
        expect_error(bad, "CommandNotFound", NULL);
        assert_json_eq(json_object_get_member(obj(bad), "id"), ids[i]);
    }
}

/* A stubdm with -S, its default monitor negotiated, and a second server
 * monitor at DIR/m2.sock. */
static QtcProcess *start_two_monitors(char **m2_path)
{
    QtcProcess *p = qtc_new();
    g_autoptr(GError) err = NULL;
    g_autofree char *spec = NULL;
    const char *extra[] = { "-S", "-qmp", NULL, NULL };

    *m2_path = qtc_path(p, "m2.sock");
    spec = g_strdup_printf("unix:%s,server=on,wait=off", *m2_path);
    extra[2] = spec;
    if (!qtc_launch(p, NULL, extra, &err)) {
        g_error("%s", err->message);
    }
    qtc_qmp_handshake(qtc_qmp(p));
    return p;
}

static void test_two_monitors(void)
{
    g_autofree char *m2 = NULL;
    g_autoptr(QtcProcess) p = start_two_monitors(&m2);
    g_autoptr(GError) err = NULL;
    g_autoptr(QtcQmp) q2 = qtc_qmp_connect(m2, p, &err);
    QtcQmp *q1 = qtc_qmp(p);
    g_autoptr(JsonNode) r1 = NULL;
    g_autoptr(JsonNode) r2 = NULL;
    g_autoptr(JsonNode) ev1 = NULL;
    g_autoptr(JsonNode) ev2 = NULL;
    g_autoptr(JsonNode) st1 = NULL;
    g_autoptr(JsonNode) st2 = NULL;

    g_assert_no_error(err);
    qtc_qmp_handshake(q2);
    /* Requests outstanding on both: each monitor answers its own. */
    send_str(q2, "{\"execute\":\"cont\",\"id\":\"two\"}\r\n");
    g_assert_true(qtc_qmp_readable(q2, qtc_timeout_ms()));
    r1 = qtc_qmp_cmdf(q1, "{\"execute\":\"query-name\",\"id\":\"one\"}");
    r2 = qtc_qmp_recv_reply(q2);
    assert_json_eq(r1, "{\"return\": {}, \"id\": \"one\"}");
    assert_json_eq(r2, "{\"return\": {}, \"id\": \"two\"}");
    /* Events reach every negotiated monitor. */
    ev1 = qtc_qmp_event_wait(q1, "RESUME");
    ev2 = qtc_qmp_event_wait(q2, "RESUME");
    check_event(ev1, "RESUME", NULL);
    check_event(ev2, "RESUME", NULL);
    st1 = qtc_qmp_ok(q1, "stop", NULL);
    g_clear_pointer(&ev1, json_node_unref);
    g_clear_pointer(&ev2, json_node_unref);
    ev1 = qtc_qmp_event_wait(q1, "STOP");
    ev2 = qtc_qmp_event_wait(q2, "STOP");
    assert_status(q2, "paused");
    st2 = qtc_qmp_ok(q2, "query-chardev", NULL);
    g_assert_cmpuint(json_array_get_length(json_node_get_array(st2)), ==, 3);
}

static int connect_raw(const char *path)
{
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

    g_assert_cmpint(fd, >=, 0);
    g_assert_cmpuint(strlen(path), <, sizeof(sa.sun_path));
    strcpy(sa.sun_path, path);
    g_assert_cmpint(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), ==, 0);
    return fd;
}

static void test_one_client_at_a_time(void)
{
    g_autofree char *m2 = NULL;
    g_autoptr(QtcProcess) p = start_two_monitors(&m2);
    g_autoptr(GError) err = NULL;
    QtcQmp *a = qtc_qmp_connect(m2, p, &err);
    g_autoptr(QtcQmp) b = NULL;
    g_autoptr(QtcQmp) c = NULL;
    g_autoptr(JsonNode) r = NULL;
    struct pollfd pfd;

    g_assert_no_error(err);
    qtc_qmp_handshake(a);
    /* A second client waits in the backlog: no greeting yet. */
    pfd.fd = connect_raw(m2);
    pfd.events = POLLIN;
    g_assert_cmpint(poll(&pfd, 1, 300), ==, 0);
    assert_status(a, "prelaunch");
    qtc_qmp_free(a);
    /* Taken over once the first leaves, and negotiated afresh. */
    b = qtc_qmp_new_fd(pfd.fd, p, &err);
    g_assert_no_error(err);
    r = qtc_qmp_cmd_text(b, "{\"execute\": \"query-status\"}");
    expect_error(r, "CommandNotFound", "qmp_capabilities");
    qtc_qmp_handshake(b);
    assert_status(b, "prelaunch");
    g_clear_pointer(&b, qtc_qmp_free);
    /* And a third after that, again with a greeting. */
    c = qtc_qmp_connect(m2, p, &err);
    g_assert_no_error(err);
    qtc_qmp_handshake(c);
    assert_status(c, "prelaunch");
}

static void test_socket_mode(void)
{
    g_autofree char *m2 = NULL;
    g_autoptr(QtcProcess) p = start_two_monitors(&m2);
    struct stat st;

    /* Only the owner may drive the monitor (QEMU binds under umask). */
    g_assert_cmpint(stat(m2, &st), ==, 0);
    g_assert_true(S_ISSOCK(st.st_mode));
    g_assert_cmpint(st.st_mode & 07777, ==, 0600);
    assert_exit_status(qtc_quit(p), 0);
    /* The server removes its socket on the way out. */
    g_assert_false(g_file_test(m2, G_FILE_TEST_EXISTS));
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/qmp/capabilities", test_capabilities);
    g_test_add_func("/qmp/query-version", test_query_version);
    g_test_add_func("/qmp/query-commands", test_query_commands);
    g_test_add_func("/qmp/query-status/prelaunch", test_status_prelaunch);
    g_test_add_func("/qmp/query-status/running", test_status_running);
    g_test_add_func("/qmp/query-status/paused", test_status_paused);
    g_test_add_func("/qmp/query-status/reset-from-paused",
                    test_status_reset_from_paused);
    g_test_add_func("/qmp/events/stop-cont", test_stop_cont_events);
    g_test_add_func("/qmp/system_reset", test_system_reset);
    g_test_add_func("/qmp/system_powerdown", test_system_powerdown);
    g_test_add_func("/qmp/quit", test_quit);
    g_test_add_func("/qmp/sigterm", test_sigterm);
    g_test_add_func("/qmp/query-name", test_query_name);
    g_test_add_func("/qmp/query-cpus-fast", test_query_cpus_fast);
    g_test_add_func("/qmp/query-chardev", test_query_chardev);
    g_test_add_func("/qmp/query-vnc-block", test_query_vnc_block);
    g_test_add_func("/qmp/input/malformed", test_malformed);
    g_test_add_func("/qmp/input/before-capabilities",
                    test_before_capabilities);
    g_test_add_func("/qmp/input/oversize", test_oversize);
    g_test_add_func("/qmp/input/split-writes", test_split_writes);
    g_test_add_func("/qmp/input/two-in-one-write", test_two_in_one_write);
    g_test_add_func("/qmp/input/ids", test_ids);
    g_test_add_func("/qmp/monitors/two", test_two_monitors);
    g_test_add_func("/qmp/monitors/one-client-at-a-time",
                    test_one_client_at_a_time);
    g_test_add_func("/qmp/monitors/socket-mode", test_socket_mode);
    return g_test_run();
}
