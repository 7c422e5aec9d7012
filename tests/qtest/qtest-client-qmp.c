/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The I/O and QMP half of the test client: framing as libxl requires it
 * (every server message ends in "\r\n"), replies returned, events queued.
 */
#include "qtest-client-int.h"

#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

struct QtcQmp {
    QtcReader rd;
    QtcProcess *owner;
    char *name;               /* for messages */
    JsonNode *greeting;
    GQueue events;            /* JsonNode * */
};

gint64 qtc_deadline_after(int ms)
{
    return g_get_monotonic_time() + (gint64)ms * 1000;
}

int qtc_ms_left(gint64 deadline)
{
    gint64 left = deadline - g_get_monotonic_time();

    return left <= 0 ? 0 : (int)MIN(left / 1000 + 1, G_MAXINT);
}

void qtc_reader_init(QtcReader *r, int fd)
{
    r->fd = fd;
    r->buf = g_string_new(NULL);
    r->eof = false;
}

void qtc_reader_destroy(QtcReader *r)
{
    if (r->fd >= 0) {
        close(r->fd);
        r->fd = -1;
    }
    if (r->buf) {
        g_string_free(r->buf, TRUE);
        r->buf = NULL;
    }
}

int qtc_reader_fill(QtcReader *r, gint64 deadline)
{
    char chunk[65536];
    struct pollfd pfd = { .fd = r->fd, .events = POLLIN };
    ssize_t n;

    if (r->eof) {
        return 0;
    }
    for (;;) {
        int ret = poll(&pfd, 1, qtc_ms_left(deadline));
        if (ret < 0 && errno == EINTR) {
            continue;
        }
        if (ret <= 0) {
            return -1;
        }
        n = recv(r->fd, chunk, sizeof(chunk), 0);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            r->eof = true;
            return 0;
        }
        g_string_append_len(r->buf, chunk, n);
        return 1;
    }
}

char *qtc_reader_line(QtcReader *r, QtcProcess *owner, const char *what)
{
    gint64 deadline = qtc_deadline_after(qtc_timeout_ms());
    size_t scanned = 0;       /* a 16 MiB b64read comes in many reads */

    for (;;) {
        char *nl = memchr(r->buf->str + scanned, '\n',
                          r->buf->len - scanned);
        scanned = r->buf->len;
        if (nl) {
            size_t len = (size_t)(nl - r->buf->str);
            char *line = g_strndup(r->buf->str, len);
            g_string_erase(r->buf, 0, (gssize)len + 1);
            return line;
        }
        switch (qtc_reader_fill(r, deadline)) {
        case 0:
            return NULL;
        case -1:
            qtc_fail(owner, "timed out after %d ms waiting for %s",
                     qtc_timeout_ms(), what);
        default:
            break;
        }
    }
}

void qtc_send_all(int fd, const void *data, size_t len, QtcProcess *owner,
                  const char *what)
{
    const char *p = data;

    while (len) {
        ssize_t n = send(fd, p, len, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            qtc_fail(owner, "sending to %s: %s", what, g_strerror(errno));
        }
        p += n;
        len -= (size_t)n;
    }
}

JsonNode *qtc_json_parse(const char *text)
{
    g_autoptr(JsonParser) parser = json_parser_new();
    g_autoptr(GError) err = NULL;

    if (!json_parser_load_from_data(parser, text, -1, &err) ||
        !json_parser_get_root(parser)) {
        g_error("not JSON (%s): %s", err ? err->message : "empty", text);
    }
    return json_node_copy(json_parser_get_root(parser));
}

char *qtc_json_text(JsonNode *node)
{
    return json_to_string(node, FALSE);
}

static JsonNode *try_parse(const char *text)
{
    g_autoptr(JsonParser) parser = json_parser_new();

    if (!json_parser_load_from_data(parser, text, -1, NULL) ||
        !json_parser_get_root(parser)) {
        return NULL;
    }
    return json_node_copy(json_parser_get_root(parser));
}

JsonNode *qtc_qmp_recv(QtcQmp *q)
{
    g_autoptr(GString) msg = g_string_new(NULL);

    /*
     * A message may span lines but must end in "\r\n": complete JSON
     * followed by a bare "\n" is what makes libxl hang, so it fails here.
     */
    for (;;) {
        g_autofree char *line = qtc_reader_line(&q->rd, q->owner,
                                                "a QMP message");
        JsonNode *node;

        if (!line) {
            if (msg->len) {
                qtc_fail(q->owner, "%s: stream ended inside a message: %s",
                         q->name, msg->str);
            }
            return NULL;
        }
        if (g_str_has_suffix(line, "\r")) {
            line[strlen(line) - 1] = '\0';
            g_string_append(msg, line);
            node = try_parse(msg->str);
            if (!node || !JSON_NODE_HOLDS_OBJECT(node)) {
                qtc_fail(q->owner, "%s: not a JSON object: %s", q->name,
                         msg->str);
            }
            return node;
        }
        g_string_append(msg, line);
        node = try_parse(msg->str);
        if (node) {
            json_node_unref(node);
            qtc_fail(q->owner, "%s: message ends in \\n without \\r: %s",
                     q->name, msg->str);
        }
        g_string_append_c(msg, '\n');
    }
}

static bool is_event(JsonNode *msg)
{
    return json_object_has_member(json_node_get_object(msg), "event");
}

JsonNode *qtc_qmp_recv_reply(QtcQmp *q)
{
    for (;;) {
        JsonNode *msg = qtc_qmp_recv(q);
        if (!msg) {
            qtc_fail(q->owner, "%s: stream ended while waiting for a reply",
                     q->name);
        }
        if (!is_event(msg)) {
            return msg;
        }
        g_queue_push_tail(&q->events, msg);
    }
}

QtcQmp *qtc_qmp_wrap(int fd, QtcProcess *owner, const char *name,
                     GError **errp)
{
    QtcQmp *q = g_new0(QtcQmp, 1);
    JsonObject *o;

    qtc_reader_init(&q->rd, fd);
    q->owner = owner;
    q->name = g_strdup(name);
    g_queue_init(&q->events);
    q->greeting = qtc_qmp_recv(q);
    if (!q->greeting) {
        g_set_error(errp, QTC_ERROR, QTC_ERROR_EXITED,
                    "%s: closed before the QMP greeting", name);
        qtc_qmp_free(q);
        return NULL;
    }
    o = json_node_get_object(q->greeting);
    if (!json_object_has_member(o, "QMP")) {
        g_autofree char *t = qtc_json_text(q->greeting);
        g_set_error(errp, QTC_ERROR, QTC_ERROR_SPAWN,
                    "%s: greeting without a QMP member: %s", name, t);
        qtc_qmp_free(q);
        return NULL;
    }
    return q;
}

QtcQmp *qtc_qmp_new_fd(int fd, QtcProcess *owner, GError **errp)
{
    return qtc_qmp_wrap(fd, owner, "QMP", errp);
}

QtcQmp *qtc_qmp_connect(const char *path, QtcProcess *owner, GError **errp)
{
    gint64 deadline = qtc_deadline_after(qtc_timeout_ms());
    struct sockaddr_un sa = { .sun_family = AF_UNIX };

    if (strlen(path) >= sizeof(sa.sun_path)) {
        g_set_error(errp, QTC_ERROR, QTC_ERROR_SPAWN, "%s: path too long",
                    path);
        return NULL;
    }
    strcpy(sa.sun_path, path);
    for (;;) {
        int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        int err, status;
        if (fd < 0) {
            g_set_error(errp, QTC_ERROR, QTC_ERROR_SPAWN, "socket: %s",
                        g_strerror(errno));
            return NULL;
        }
        if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0) {
            return qtc_qmp_wrap(fd, owner, path, errp);
        }
        err = errno;
        close(fd);
        /* The server may not have bound or listened yet. */
        if (err != ENOENT && err != ECONNREFUSED && err != EAGAIN) {
            g_set_error(errp, QTC_ERROR, QTC_ERROR_SPAWN, "connect %s: %s",
                        path, g_strerror(err));
            return NULL;
        }
        if (owner && qtc_exited(owner, &status)) {
            g_autofree char *out = qtc_stderr(owner);
            g_set_error(errp, QTC_ERROR, QTC_ERROR_EXITED,
                        "device model exited (wait status 0x%x) before %s "
                        "accepted connections; its output:\n%s",
                        status, path, out);
            return NULL;
        }
        if (!qtc_ms_left(deadline)) {
            g_set_error(errp, QTC_ERROR, QTC_ERROR_TIMEOUT,
                        "connect %s: %s after %d ms", path, g_strerror(err),
                        qtc_timeout_ms());
            return NULL;
        }
        g_usleep(10000);
    }
}

void qtc_qmp_free(QtcQmp *q)
{
    if (!q) {
        return;
    }
    qtc_reader_destroy(&q->rd);
    g_queue_clear_full(&q->events, (GDestroyNotify)json_node_unref);
    if (q->greeting) {
        json_node_unref(q->greeting);
    }
    g_free(q->name);
    g_free(q);
}

JsonNode *qtc_qmp_greeting(QtcQmp *q)
{
    return q->greeting;
}

void qtc_qmp_send_raw(QtcQmp *q, const void *data, size_t len)
{
    qtc_send_all(q->rd.fd, data, len, q->owner, q->name);
}

JsonNode *qtc_qmp_cmd_text(QtcQmp *q, const char *text)
{
    qtc_qmp_send_raw(q, text, strlen(text));
    qtc_qmp_send_raw(q, "\r\n", 2);
    return qtc_qmp_recv_reply(q);
}

JsonNode *qtc_qmp_cmdf(QtcQmp *q, const char *fmt, ...)
{
    va_list ap;
    g_autofree char *text = NULL;

    va_start(ap, fmt);
    text = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    return qtc_qmp_cmd_text(q, text);
}

JsonNode *qtc_qmp_cmd(QtcQmp *q, const char *name, JsonObject *args)
{
    g_autoptr(JsonObject) o = json_object_new();
    g_autoptr(JsonNode) n = json_node_new(JSON_NODE_OBJECT);
    g_autofree char *text = NULL;

    json_object_set_string_member(o, "execute", name);
    if (args) {
        json_object_set_object_member(o, "arguments", json_object_ref(args));
    }
    json_node_set_object(n, o);
    text = qtc_json_text(n);
    return qtc_qmp_cmd_text(q, text);
}

JsonNode *qtc_qmp_ok(QtcQmp *q, const char *name, JsonObject *args)
{
    g_autoptr(JsonNode) reply = qtc_qmp_cmd(q, name, args);
    JsonNode *ret = qtc_reply_return(reply);

    if (!ret) {
        g_autofree char *t = qtc_json_text(reply);
        qtc_fail(q->owner, "%s: '%s' failed: %s", q->name, name, t);
    }
    return json_node_copy(ret);
}

void qtc_qmp_handshake(QtcQmp *q)
{
    g_autoptr(JsonNode) ret = qtc_qmp_ok(q, "qmp_capabilities", NULL);

    if (!JSON_NODE_HOLDS_OBJECT(ret) ||
        json_object_get_size(json_node_get_object(ret)) != 0) {
        qtc_fail(q->owner, "%s: qmp_capabilities did not return {}",
                 q->name);
    }
}

bool qtc_qmp_readable(QtcQmp *q, int timeout_ms)
{
    struct pollfd pfd = { .fd = q->rd.fd, .events = POLLIN };

    if (q->rd.buf->len) {
        return true;
    }
    return poll(&pfd, 1, timeout_ms) > 0;
}

bool qtc_qmp_eof(QtcQmp *q, int timeout_ms)
{
    gint64 deadline = qtc_deadline_after(timeout_ms);

    for (;;) {
        int r = qtc_reader_fill(&q->rd, deadline);
        if (r == 0) {
            return true;
        }
        if (r < 0) {
            return false;
        }
    }
}

static const char *event_name(JsonNode *ev)
{
    return json_object_get_string_member_with_default(
        json_node_get_object(ev), "event", "");
}

JsonNode *qtc_qmp_event_take(QtcQmp *q, const char *name)
{
    for (GList *l = q->events.head; l; l = l->next) {
        if (!strcmp(event_name(l->data), name)) {
            JsonNode *ev = l->data;
            g_queue_delete_link(&q->events, l);
            return ev;
        }
    }
    return NULL;
}

JsonNode *qtc_qmp_event_wait(QtcQmp *q, const char *name)
{
    JsonNode *ev = qtc_qmp_event_take(q, name);

    while (!ev) {
        JsonNode *msg = qtc_qmp_recv(q);
        if (!msg) {
            qtc_fail(q->owner, "%s: stream ended while waiting for event %s",
                     q->name, name);
        }
        if (!is_event(msg)) {
            g_autofree char *t = qtc_json_text(msg);
            json_node_unref(msg);
            qtc_fail(q->owner, "%s: reply while waiting for event %s: %s",
                     q->name, name, t);
        }
        if (!strcmp(event_name(msg), name)) {
            ev = msg;
        } else {
            g_queue_push_tail(&q->events, msg);
        }
    }
    return ev;
}

guint qtc_qmp_event_count(QtcQmp *q)
{
    return g_queue_get_length(&q->events);
}

JsonNode *qtc_reply_return(JsonNode *reply)
{
    return json_object_get_member(json_node_get_object(reply), "return");
}

static JsonObject *reply_error(JsonNode *reply)
{
    JsonNode *e = json_object_get_member(json_node_get_object(reply),
                                         "error");

    return e && JSON_NODE_HOLDS_OBJECT(e) ? json_node_get_object(e) : NULL;
}

const char *qtc_reply_error_class(JsonNode *reply)
{
    JsonObject *e = reply_error(reply);

    return e ? json_object_get_string_member_with_default(e, "class", NULL)
             : NULL;
}

const char *qtc_reply_error_desc(JsonNode *reply)
{
    JsonObject *e = reply_error(reply);

    return e ? json_object_get_string_member_with_default(e, "desc", NULL)
             : NULL;
}

