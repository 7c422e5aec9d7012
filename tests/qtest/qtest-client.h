/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A qtest and QMP client for tests, spawning a device model the way QEMU's
 * tests/qtest/libqtest.c does, so the same tests can drive stubdm or QEMU.
 */
#ifndef QTEST_CLIENT_H
#define QTEST_CLIENT_H

#include <glib.h>
#include <json-glib/json-glib.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define QTC_ERROR (qtc_error_quark())
GQuark qtc_error_quark(void);

typedef enum {
    QTC_ERROR_SPAWN,          /* fork/exec or socket set-up failed */
    QTC_ERROR_EXITED,         /* the child exited before connecting */
    QTC_ERROR_TIMEOUT,
} QtcErrorCode;

/* How long any single wait lasts; QTC_TIMEOUT (seconds) overrides it. */
int qtc_timeout_ms(void);

/* $STUBDM (set by tests/meson.build); fails the test when it is unset. */
const char *qtc_stubdm(void);

typedef struct QtcQmp QtcQmp;
typedef struct QtcProcess QtcProcess;

/*
 * QMP connections. Every server message must end in "\r\n" (libxl cuts
 * only there); the reader fails the test otherwise. Replies are returned,
 * events arriving meanwhile are queued.
 */

/* Connects to a server socket, retrying until it accepts; reads the
 * greeting. owner (may be NULL) supplies its stderr to failure messages
 * and stops the retries when it exits. */
QtcQmp *qtc_qmp_connect(const char *path, QtcProcess *owner, GError **errp);
/* Takes an accepted socket; reads the greeting. */
QtcQmp *qtc_qmp_new_fd(int fd, QtcProcess *owner, GError **errp);
void qtc_qmp_free(QtcQmp *q);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(QtcQmp, qtc_qmp_free)

/* Borrowed; the greeting object. */
JsonNode *qtc_qmp_greeting(QtcQmp *q);
/* Sends qmp_capabilities and expects {"return": {}}. */
void qtc_qmp_handshake(QtcQmp *q);

void qtc_qmp_send_raw(QtcQmp *q, const void *data, size_t len);
/* Sends text followed by "\r\n" and returns the reply (caller frees). */
JsonNode *qtc_qmp_cmd_text(QtcQmp *q, const char *text);
JsonNode *qtc_qmp_cmdf(QtcQmp *q, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
/* {"execute": name[, "arguments": args]}; args borrowed, may be NULL. */
JsonNode *qtc_qmp_cmd(QtcQmp *q, const char *name, JsonObject *args);
/* Like qtc_qmp_cmd, but fails the test on an error reply; returns a new
 * copy of the "return" member. */
JsonNode *qtc_qmp_ok(QtcQmp *q, const char *name, JsonObject *args);

/* The next message of any kind, or NULL at end of stream. */
JsonNode *qtc_qmp_recv(QtcQmp *q);
/* The next reply, queueing events; fails the test at end of stream. */
JsonNode *qtc_qmp_recv_reply(QtcQmp *q);
/* Whether a message (or part of one) arrives within timeout_ms. */
bool qtc_qmp_readable(QtcQmp *q, int timeout_ms);
/* Whether the peer has closed the stream within timeout_ms. */
bool qtc_qmp_eof(QtcQmp *q, int timeout_ms);

/* The first queued event called name, removed from the queue; else reads
 * until one arrives (other events are queued, a reply fails the test). */
JsonNode *qtc_qmp_event_wait(QtcQmp *q, const char *name);
/* A queued event called name, or NULL; does not read. */
JsonNode *qtc_qmp_event_take(QtcQmp *q, const char *name);
guint qtc_qmp_event_count(QtcQmp *q);

/* Reply helpers: reply must be an object. */
JsonNode *qtc_reply_return(JsonNode *reply);         /* borrowed or NULL */
const char *qtc_reply_error_class(JsonNode *reply);  /* borrowed or NULL */
const char *qtc_reply_error_desc(JsonNode *reply);   /* borrowed or NULL */
char *qtc_json_text(JsonNode *node);                 /* compact text */
JsonNode *qtc_json_parse(const char *text);          /* fails the test */

/*
 * The device-model process. It lives in its own temporary directory,
 * which also holds the sockets and the captured stderr.
 */

/* Creates the directory and the qtest listening socket; nothing runs. */
QtcProcess *qtc_new(void);
/* Stops the child if it still runs (qtc_quit), fails the test if its
 * output holds a sanitizer report, closes everything, removes the dir. */
void qtc_free(QtcProcess *p);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(QtcProcess, qtc_free)

const char *qtc_dir(QtcProcess *p);
/* DIR/name; caller frees. */
char *qtc_path(QtcProcess *p, const char *name);
const char *qtc_qtest_socket(QtcProcess *p);
/* The child's stderr so far; caller frees. */
char *qtc_stderr(QtcProcess *p);
int qtc_pid(QtcProcess *p);

/*
 * libqtest style: binary (NULL: $STUBDM) -qtest unix:DIR/qtest.sock
 * -qtest-log /dev/null -chardev socket,path=DIR/qmp.sock,id=char0
 * -mon chardev=char0,mode=control EXTRA... Accepts both connections and
 * reads the greeting; does not negotiate.
 */
gboolean qtc_launch(QtcProcess *p, const char *binary,
                    const char *const *extra, GError **errp);
/*
 * Exact argv (argv[0] is the binary). qtest: accept the child's qtest
 * connection on qtc_qtest_socket. qmp_server: a server socket the child
 * creates; connect to it with retries (NULL: none). keep_fds (-1
 * terminated, may be NULL) are inherited under the same numbers.
 */
gboolean qtc_launch_argv(QtcProcess *p, const char *const *argv, bool qtest,
                         const char *qmp_server, const int *keep_fds,
                         GError **errp);

/* qtc_new + qtc_launch($STUBDM, extra split as a shell would) + handshake;
 * fails the test on any error. */
QtcProcess *qtc_start(const char *extra_fmt, ...) G_GNUC_PRINTF(1, 2);

/* The monitor opened by qtc_launch/qtc_launch_argv; borrowed. */
QtcQmp *qtc_qmp(QtcProcess *p);

void qtc_kill(QtcProcess *p, int sig);
/* The wait status once the child exits, or -1 after timeout_ms. */
int qtc_wait_exit(QtcProcess *p, int timeout_ms);
/* SIGTERM and wait; SIGKILL when it does not exit in time. Wait status. */
int qtc_quit(QtcProcess *p);
bool qtc_running(QtcProcess *p);

/*
 * qtest protocol. Replies are "OK ..." or "FAIL ..."; "IRQ raise N" and
 * "IRQ lower N" lines seen while waiting are recorded, not returned.
 */
#define QTC_MAX_IRQ 256

/* Sends line (without newline) and returns the reply line (caller frees,
 * no newline). */
char *qtc_qtest_raw(QtcProcess *p, const char *line);
char *qtc_qtestf(QtcProcess *p, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
bool qtc_get_irq(QtcProcess *p, unsigned irq);
/* IRQ lines seen so far, as "raise N"/"lower N" strings; borrowed. */
GPtrArray *qtc_irq_log(QtcProcess *p);

void qtc_outb(QtcProcess *p, uint16_t port, uint8_t v);
void qtc_outw(QtcProcess *p, uint16_t port, uint16_t v);
void qtc_outl(QtcProcess *p, uint16_t port, uint32_t v);
uint8_t qtc_inb(QtcProcess *p, uint16_t port);
uint16_t qtc_inw(QtcProcess *p, uint16_t port);
uint32_t qtc_inl(QtcProcess *p, uint16_t port);

void qtc_writeb(QtcProcess *p, uint64_t addr, uint8_t v);
void qtc_writew(QtcProcess *p, uint64_t addr, uint16_t v);
void qtc_writel(QtcProcess *p, uint64_t addr, uint32_t v);
void qtc_writeq(QtcProcess *p, uint64_t addr, uint64_t v);
uint8_t qtc_readb(QtcProcess *p, uint64_t addr);
uint16_t qtc_readw(QtcProcess *p, uint64_t addr);
uint32_t qtc_readl(QtcProcess *p, uint64_t addr);
uint64_t qtc_readq(QtcProcess *p, uint64_t addr);

/* "read"/"write" with hex data. */
void qtc_memread(QtcProcess *p, uint64_t addr, void *buf, size_t len);
void qtc_memwrite(QtcProcess *p, uint64_t addr, const void *buf,
                  size_t len);
void qtc_b64read(QtcProcess *p, uint64_t addr, void *buf, size_t len);
void qtc_b64write(QtcProcess *p, uint64_t addr, const void *buf,
                  size_t len);
void qtc_memset(QtcProcess *p, uint64_t addr, uint8_t pattern, size_t len);

/* Virtual-clock nanoseconds after the command. */
int64_t qtc_clock_step(QtcProcess *p, int64_t ns);
int64_t qtc_clock_step_next(QtcProcess *p);
int64_t qtc_clock_set(QtcProcess *p, int64_t ns);
void qtc_irq_intercept_in(QtcProcess *p, const char *path);

#endif
