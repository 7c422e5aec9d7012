/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The process and qtest half of the test client. Launching follows QEMU
 * 7.2's libqtest: the test listens and the device model connects, so
 * there are no port or path races.
 */
#include "qtest-client-int.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

G_DEFINE_QUARK(qtc-error-quark, qtc_error)

#define DEFAULT_TIMEOUT_MS 20000

struct QtcProcess {
    char *dir;
    char *qtest_path;
    char *qmp_path;
    char *stderr_path;
    int qtest_listen;
    int qmp_listen;
    pid_t pid;                /* -1 before launch */
    bool reaped;
    int status;
    QtcReader qtest;
    QtcQmp *qmp;
    bool irq[QTC_MAX_IRQ];
    GPtrArray *irq_log;
};

int qtc_timeout_ms(void)
{
    const char *s = g_getenv("QTC_TIMEOUT");
    int v = s ? atoi(s) : 0;

    return v > 0 ? v * 1000 : DEFAULT_TIMEOUT_MS;
}

const char *qtc_stubdm(void)
{
    const char *s = g_getenv("STUBDM");

    if (!s || !*s) {
        g_error("STUBDM is not set: run the tests through 'meson test'");
    }
    return s;
}

void qtc_fail(QtcProcess *p, const char *fmt, ...)
{
    va_list ap;
    g_autofree char *msg = NULL;
    g_autofree char *err = NULL;
    g_autofree char *how = NULL;

    va_start(ap, fmt);
    msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    /* A dropped connection usually means the child is dying: give it a
     * moment so the message can say how. */
    if (p && p->pid > 0 && qtc_wait_exit(p, 500) != -1) {
        how = WIFSIGNALED(p->status)
            ? g_strdup_printf(" (device model killed by signal %d)",
                              WTERMSIG(p->status))
            : g_strdup_printf(" (device model exited with status %d)",
                              WEXITSTATUS(p->status));
    }
    err = p ? qtc_stderr(p) : NULL;
    g_error("%s%s%s%s", msg, how ? how : "",
            err ? "\n--- device model output ---\n" : "", err ? err : "");
}

static int listen_unix(const char *path, GError **errp)
{
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    int fd;

    if (strlen(path) >= sizeof(sa.sun_path)) {
        g_set_error(errp, QTC_ERROR, QTC_ERROR_SPAWN, "%s: path too long",
                    path);
        return -1;
    }
    strcpy(sa.sun_path, path);
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
        listen(fd, 1) < 0) {
        g_set_error(errp, QTC_ERROR, QTC_ERROR_SPAWN, "listen on %s: %s",
                    path, g_strerror(errno));
        if (fd >= 0) {
            close(fd);
        }
        return -1;
    }
    return fd;
}

QtcProcess *qtc_new(void)
{
    g_autoptr(GError) err = NULL;
    QtcProcess *p = g_new0(QtcProcess, 1);

    p->pid = -1;
    p->qtest_listen = p->qmp_listen = -1;
    p->qtest.fd = -1;
    p->irq_log = g_ptr_array_new_with_free_func(g_free);
    p->dir = g_dir_make_tmp("qtc-XXXXXX", &err);
    g_assert_no_error(err);
    p->qtest_path = g_build_filename(p->dir, "qtest.sock", NULL);
    p->qmp_path = g_build_filename(p->dir, "qmp.sock", NULL);
    p->stderr_path = g_build_filename(p->dir, "output.log", NULL);
    p->qtest_listen = listen_unix(p->qtest_path, &err);
    g_assert_no_error(err);
    return p;
}

static void remove_tree(const char *path)
{
    GDir *d = g_dir_open(path, 0, NULL);
    const char *name;

    while (d && (name = g_dir_read_name(d))) {
        g_autofree char *child = g_build_filename(path, name, NULL);
        if (g_file_test(child, G_FILE_TEST_IS_DIR) &&
            !g_file_test(child, G_FILE_TEST_IS_SYMLINK)) {
            remove_tree(child);
        } else {
            unlink(child);
        }
    }
    if (d) {
        g_dir_close(d);
    }
    rmdir(path);
}

/*
 * A sanitizer build of the device model reports to its stderr and may
 * carry on (UBSan) or exit with an odd status nobody checks (a killed
 * child): look at what it printed, so its bugs fail the test.
 */
static void check_sanitizers(QtcProcess *p)
{
    static const char *const markers[] = {
        "runtime error:", "AddressSanitizer", "LeakSanitizer",
        "UndefinedBehaviorSanitizer",
    };
    g_autofree char *out = qtc_stderr(p);

    for (size_t i = 0; i < G_N_ELEMENTS(markers); i++) {
        if (strstr(out, markers[i])) {
            g_error("device model reported '%s':\n%s", markers[i], out);
        }
    }
}

void qtc_free(QtcProcess *p)
{
    if (!p) {
        return;
    }
    /* A clean exit lets a sanitizer build run its leak check. */
    if (qtc_running(p)) {
        qtc_quit(p);
    }
    if (p->pid > 0) {
        check_sanitizers(p);
    }
    qtc_qmp_free(p->qmp);
    qtc_reader_destroy(&p->qtest);
    if (p->qtest_listen >= 0) {
        close(p->qtest_listen);
    }
    if (p->qmp_listen >= 0) {
        close(p->qmp_listen);
    }
    remove_tree(p->dir);
    g_ptr_array_free(p->irq_log, TRUE);
    g_free(p->dir);
    g_free(p->qtest_path);
    g_free(p->qmp_path);
    g_free(p->stderr_path);
    g_free(p);
}

const char *qtc_dir(QtcProcess *p)
{
    return p->dir;
}

char *qtc_path(QtcProcess *p, const char *name)
{
    return g_build_filename(p->dir, name, NULL);
}

const char *qtc_qtest_socket(QtcProcess *p)
{
    return p->qtest_path;
}

char *qtc_stderr(QtcProcess *p)
{
    char *text = NULL;

    if (!g_file_get_contents(p->stderr_path, &text, NULL, NULL)) {
        return g_strdup("");
    }
    return text;
}

int qtc_pid(QtcProcess *p)
{
    return p->pid;
}

QtcQmp *qtc_qmp(QtcProcess *p)
{
    g_assert(p->qmp);
    return p->qmp;
}

static bool process_exited(QtcProcess *p)
{
    if (p->pid < 0 || p->reaped) {
        return p->reaped;
    }
    if (waitpid(p->pid, &p->status, WNOHANG) == p->pid) {
        p->reaped = true;
    }
    return p->reaped;
}

bool qtc_exited(QtcProcess *p, int *status)
{
    bool done = process_exited(p);

    *status = p->status;
    return done;
}

bool qtc_running(QtcProcess *p)
{
    return p->pid > 0 && !process_exited(p);
}

void qtc_kill(QtcProcess *p, int sig)
{
    if (qtc_running(p)) {
        kill(p->pid, sig);
    }
}

int qtc_wait_exit(QtcProcess *p, int timeout_ms)
{
    gint64 deadline = qtc_deadline_after(timeout_ms);

    g_assert(p->pid > 0);
    while (!process_exited(p)) {
        if (!qtc_ms_left(deadline)) {
            return -1;
        }
        g_usleep(2000);
    }
    return p->status;
}

int qtc_quit(QtcProcess *p)
{
    int status;

    qtc_kill(p, SIGTERM);
    status = qtc_wait_exit(p, qtc_timeout_ms());
    if (status == -1) {
        qtc_kill(p, SIGKILL);
        status = qtc_wait_exit(p, qtc_timeout_ms());
    }
    return status;
}

static gboolean spawn(QtcProcess *p, const char *const *argv,
                      const int *keep_fds, GError **errp)
{
    int out = open(p->stderr_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
                   0600);
    int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
    int pipefd[2] = { -1, -1 };
    pid_t parent = getpid();
    int child_errno = 0;
    ssize_t n;

    if (out < 0 || null < 0 || pipe2(pipefd, O_CLOEXEC) < 0) {
        g_set_error(errp, QTC_ERROR, QTC_ERROR_SPAWN, "spawn set-up: %s",
                    g_strerror(errno));
        goto fail;
    }
    p->pid = fork();
    if (p->pid < 0) {
        g_set_error(errp, QTC_ERROR, QTC_ERROR_SPAWN, "fork: %s",
                    g_strerror(errno));
        goto fail;
    }
    if (p->pid == 0) {
        /* Only async-signal-safe calls until exec. A crashed or aborted
         * test must not leave device models behind. */
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent) {
            _exit(127);
        }
        dup2(null, STDIN_FILENO);
        dup2(out, STDOUT_FILENO);
        dup2(out, STDERR_FILENO);
        for (const int *fd = keep_fds; fd && *fd >= 0; fd++) {
            fcntl(*fd, F_SETFD, 0);
        }
        execvp(argv[0], (char *const *)argv);
        child_errno = errno;
        n = write(pipefd[1], &child_errno, sizeof(child_errno));
        _exit(127 + (int)(n < 0));
    }
    close(pipefd[1]);
    pipefd[1] = -1;
    /* The pipe closes on exec; data means exec failed. */
    do {
        n = read(pipefd[0], &child_errno, sizeof(child_errno));
    } while (n < 0 && errno == EINTR);
    if (n > 0) {
        waitpid(p->pid, &p->status, 0);
        p->reaped = true;
        g_set_error(errp, QTC_ERROR, QTC_ERROR_SPAWN, "exec %s: %s", argv[0],
                    g_strerror(child_errno));
        goto fail;
    }
    close(pipefd[0]);
    close(out);
    close(null);
    return TRUE;

fail:
    for (int i = 0; i < 2; i++) {
        if (pipefd[i] >= 0) {
            close(pipefd[i]);
        }
    }
    if (out >= 0) {
        close(out);
    }
    if (null >= 0) {
        close(null);
    }
    return FALSE;
}

static int accept_child(QtcProcess *p, int lfd, const char *what,
                        GError **errp)
{
    gint64 deadline = qtc_deadline_after(qtc_timeout_ms());

    for (;;) {
        struct pollfd pfd = { .fd = lfd, .events = POLLIN };
        if (poll(&pfd, 1, 20) > 0) {
            int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
            if (fd >= 0) {
                return fd;
            }
        }
        if (process_exited(p)) {
            g_autofree char *out = qtc_stderr(p);
            g_set_error(errp, QTC_ERROR, QTC_ERROR_EXITED,
                        "device model exited (wait status 0x%x) before "
                        "connecting to the %s socket; its output:\n%s",
                        p->status, what, out);
            return -1;
        }
        if (!qtc_ms_left(deadline)) {
            g_autofree char *out = qtc_stderr(p);
            g_set_error(errp, QTC_ERROR, QTC_ERROR_TIMEOUT,
                        "device model did not connect to the %s socket "
                        "within %d ms; its output:\n%s", what,
                        qtc_timeout_ms(), out);
            return -1;
        }
    }
}

static gboolean accept_qtest(QtcProcess *p, GError **errp)
{
    int fd = accept_child(p, p->qtest_listen, "qtest", errp);

    if (fd < 0) {
        return FALSE;
    }
    qtc_reader_init(&p->qtest, fd);
    return TRUE;
}

gboolean qtc_launch(QtcProcess *p, const char *binary,
                    const char *const *extra, GError **errp)
{
    g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func(g_free);
    int fd;

    g_assert(p->pid < 0);
    p->qmp_listen = listen_unix(p->qmp_path, errp);
    if (p->qmp_listen < 0) {
        return FALSE;
    }
    g_ptr_array_add(argv, g_strdup(binary ? binary : qtc_stubdm()));
    g_ptr_array_add(argv, g_strdup("-qtest"));
    g_ptr_array_add(argv, g_strdup_printf("unix:%s", p->qtest_path));
    g_ptr_array_add(argv, g_strdup("-qtest-log"));
    g_ptr_array_add(argv, g_strdup("/dev/null"));
    g_ptr_array_add(argv, g_strdup("-chardev"));
    g_ptr_array_add(argv, g_strdup_printf("socket,path=%s,id=char0",
                                          p->qmp_path));
    g_ptr_array_add(argv, g_strdup("-mon"));
    g_ptr_array_add(argv, g_strdup("chardev=char0,mode=control"));
    for (const char *const *a = extra; a && *a; a++) {
        g_ptr_array_add(argv, g_strdup(*a));
    }
    g_ptr_array_add(argv, NULL);
    if (!spawn(p, (const char *const *)argv->pdata, NULL, errp) ||
        !accept_qtest(p, errp)) {
        return FALSE;
    }
    fd = accept_child(p, p->qmp_listen, "QMP", errp);
    if (fd < 0) {
        return FALSE;
    }
    p->qmp = qtc_qmp_wrap(fd, p, "QMP", errp);
    return p->qmp != NULL;
}

gboolean qtc_launch_argv(QtcProcess *p, const char *const *argv, bool qtest,
                         const char *qmp_server, const int *keep_fds,
                         GError **errp)
{
    g_assert(p->pid < 0);
    if (!spawn(p, argv, keep_fds, errp) || (qtest && !accept_qtest(p, errp))) {
        return FALSE;
    }
    if (qmp_server) {
        p->qmp = qtc_qmp_connect(qmp_server, p, errp);
        return p->qmp != NULL;
    }
    return TRUE;
}

QtcProcess *qtc_start(const char *extra_fmt, ...)
{
    va_list ap;
    g_autofree char *extra = NULL;
    g_auto(GStrv) args = NULL;
    g_autoptr(GError) err = NULL;
    QtcProcess *p = qtc_new();

    va_start(ap, extra_fmt);
    extra = g_strdup_vprintf(extra_fmt, ap);
    va_end(ap);
    if (*g_strstrip(extra) && !g_shell_parse_argv(extra, NULL, &args, &err)) {
        g_error("qtc_start: bad arguments '%s': %s", extra, err->message);
    }
    if (!qtc_launch(p, NULL, (const char *const *)args, &err)) {
        g_error("qtc_start '%s': %s", extra, err->message);
    }
    qtc_qmp_handshake(p->qmp);
    return p;
}

static void qtest_record_irq(QtcProcess *p, const char *line)
{
    const char *what = line + 4;
    bool raise = g_str_has_prefix(what, "raise ");
    guint64 n;

    if (!raise && !g_str_has_prefix(what, "lower ")) {
        qtc_fail(p, "bad IRQ line: %s", line);
    }
    if (!g_ascii_string_to_unsigned(what + 6, 10, 0, QTC_MAX_IRQ - 1, &n,
                                    NULL)) {
        qtc_fail(p, "bad IRQ number: %s", line);
    }
    p->irq[n] = raise;
    g_ptr_array_add(p->irq_log, g_strdup(what));
}

char *qtc_qtest_raw(QtcProcess *p, const char *line)
{
    if (p->qtest.fd < 0) {
        qtc_fail(p, "no qtest connection for '%s'", line);
    }
    qtc_send_all(p->qtest.fd, line, strlen(line), p, "qtest");
    qtc_send_all(p->qtest.fd, "\n", 1, p, "qtest");
    for (;;) {
        char *reply = qtc_reader_line(&p->qtest, p, "a qtest reply");
        if (!reply) {
            qtc_fail(p, "qtest connection closed; command was '%s'", line);
        }
        if (!g_str_has_prefix(reply, "IRQ ")) {
            return reply;
        }
        qtest_record_irq(p, reply);
        g_free(reply);
    }
}

char *qtc_qtestf(QtcProcess *p, const char *fmt, ...)
{
    va_list ap;
    g_autofree char *line = NULL;

    va_start(ap, fmt);
    line = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    return qtc_qtest_raw(p, line);
}

bool qtc_get_irq(QtcProcess *p, unsigned irq)
{
    g_assert(irq < QTC_MAX_IRQ);
    return p->irq[irq];
}

GPtrArray *qtc_irq_log(QtcProcess *p)
{
    return p->irq_log;
}

/* Sends the command, fails the test unless the reply is OK; returns what
 * follows "OK " (empty for a bare OK). */
static char *G_GNUC_PRINTF(2, 3) qtest_ok(QtcProcess *p, const char *fmt, ...)
{
    va_list ap;
    g_autofree char *line = NULL;
    g_autofree char *reply = NULL;

    va_start(ap, fmt);
    line = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    reply = qtc_qtest_raw(p, line);
    if (!strcmp(reply, "OK")) {
        return g_strdup("");
    }
    if (!g_str_has_prefix(reply, "OK ")) {
        qtc_fail(p, "qtest '%s' answered '%s'", line, reply);
    }
    return g_strdup(reply + 3);
}

static uint64_t qtest_ok_number(QtcProcess *p, const char *cmd, uint64_t addr)
{
    g_autofree char *rest = qtest_ok(p, "%s 0x%" PRIx64, cmd, addr);
    char *end;
    uint64_t v;

    errno = 0;
    v = g_ascii_strtoull(rest, &end, 0);
    if (errno || end == rest || *end) {
        qtc_fail(p, "qtest '%s 0x%" PRIx64 "': bad number '%s'", cmd, addr,
                 rest);
    }
    return v;
}

static void qtest_ok_empty(QtcProcess *p, const char *cmd, uint64_t addr,
                           uint64_t value)
{
    g_autofree char *rest = qtest_ok(p, "%s 0x%" PRIx64 " 0x%" PRIx64, cmd,
                                     addr, value);

    if (*rest) {
        qtc_fail(p, "qtest '%s': unexpected 'OK %s'", cmd, rest);
    }
}

void qtc_outb(QtcProcess *p, uint16_t port, uint8_t v)
{
    qtest_ok_empty(p, "outb", port, v);
}

void qtc_outw(QtcProcess *p, uint16_t port, uint16_t v)
{
    qtest_ok_empty(p, "outw", port, v);
}

void qtc_outl(QtcProcess *p, uint16_t port, uint32_t v)
{
    qtest_ok_empty(p, "outl", port, v);
}

uint8_t qtc_inb(QtcProcess *p, uint16_t port)
{
    return (uint8_t)qtest_ok_number(p, "inb", port);
}

uint16_t qtc_inw(QtcProcess *p, uint16_t port)
{
    return (uint16_t)qtest_ok_number(p, "inw", port);
}

uint32_t qtc_inl(QtcProcess *p, uint16_t port)
{
    return (uint32_t)qtest_ok_number(p, "inl", port);
}

void qtc_writeb(QtcProcess *p, uint64_t addr, uint8_t v)
{
    qtest_ok_empty(p, "writeb", addr, v);
}

void qtc_writew(QtcProcess *p, uint64_t addr, uint16_t v)
{
    qtest_ok_empty(p, "writew", addr, v);
}

void qtc_writel(QtcProcess *p, uint64_t addr, uint32_t v)
{
    qtest_ok_empty(p, "writel", addr, v);
}

void qtc_writeq(QtcProcess *p, uint64_t addr, uint64_t v)
{
    qtest_ok_empty(p, "writeq", addr, v);
}

uint8_t qtc_readb(QtcProcess *p, uint64_t addr)
{
    return (uint8_t)qtest_ok_number(p, "readb", addr);
}

uint16_t qtc_readw(QtcProcess *p, uint64_t addr)
{
    return (uint16_t)qtest_ok_number(p, "readw", addr);
}

uint32_t qtc_readl(QtcProcess *p, uint64_t addr)
{
    return (uint32_t)qtest_ok_number(p, "readl", addr);
}

uint64_t qtc_readq(QtcProcess *p, uint64_t addr)
{
    return qtest_ok_number(p, "readq", addr);
}

void qtc_memread(QtcProcess *p, uint64_t addr, void *buf, size_t len)
{
    g_autofree char *rest = NULL;
    uint8_t *out = buf;

    if (!len) {
        return;
    }
    rest = qtest_ok(p, "read 0x%" PRIx64 " 0x%zx", addr, len);
    if (!g_str_has_prefix(rest, "0x") || strlen(rest) != 2 + 2 * len) {
        qtc_fail(p, "qtest read of %zu bytes answered 'OK %s'", len, rest);
    }
    for (size_t i = 0; i < len; i++) {
        int hi = g_ascii_xdigit_value(rest[2 + 2 * i]);
        int lo = g_ascii_xdigit_value(rest[3 + 2 * i]);
        if (hi < 0 || lo < 0) {
            qtc_fail(p, "qtest read: bad hex '%s'", rest);
        }
        out[i] = (uint8_t)(hi << 4 | lo);
    }
}

void qtc_memwrite(QtcProcess *p, uint64_t addr, const void *buf, size_t len)
{
    g_autoptr(GString) hex = g_string_sized_new(2 * len + 2);
    g_autofree char *rest = NULL;
    const uint8_t *in = buf;

    if (!len) {
        return;
    }
    for (size_t i = 0; i < len; i++) {
        g_string_append_printf(hex, "%02x", in[i]);
    }
    rest = qtest_ok(p, "write 0x%" PRIx64 " 0x%zx 0x%s", addr, len, hex->str);
}

void qtc_b64read(QtcProcess *p, uint64_t addr, void *buf, size_t len)
{
    g_autofree char *rest = NULL;
    g_autofree guchar *data = NULL;
    gsize got = 0;

    if (!len) {
        return;
    }
    rest = qtest_ok(p, "b64read 0x%" PRIx64 " 0x%zx", addr, len);
    data = g_base64_decode(rest, &got);
    if (got != len) {
        qtc_fail(p, "qtest b64read of %zu bytes decoded to %zu", len,
                 (size_t)got);
    }
    memcpy(buf, data, len);
}

void qtc_b64write(QtcProcess *p, uint64_t addr, const void *buf, size_t len)
{
    g_autofree char *b64 = NULL;
    g_autofree char *rest = NULL;

    if (!len) {
        return;
    }
    b64 = g_base64_encode(buf, len);
    rest = qtest_ok(p, "b64write 0x%" PRIx64 " 0x%zx %s", addr, len, b64);
}

void qtc_memset(QtcProcess *p, uint64_t addr, uint8_t pattern, size_t len)
{
    g_autofree char *rest = qtest_ok(p, "memset 0x%" PRIx64 " 0x%zx 0x%02x",
                                     addr, len, pattern);
}

static int64_t clock_reply(QtcProcess *p, char *rest)
{
    gint64 v;

    if (!g_ascii_string_to_signed(rest, 10, 0, G_MAXINT64, &v, NULL)) {
        qtc_fail(p, "qtest clock command answered 'OK %s'", rest);
    }
    g_free(rest);
    return v;
}

int64_t qtc_clock_step(QtcProcess *p, int64_t ns)
{
    return clock_reply(p, qtest_ok(p, "clock_step %" PRIi64, ns));
}

int64_t qtc_clock_step_next(QtcProcess *p)
{
    return clock_reply(p, qtest_ok(p, "clock_step"));
}

int64_t qtc_clock_set(QtcProcess *p, int64_t ns)
{
    return clock_reply(p, qtest_ok(p, "clock_set %" PRIi64, ns));
}

void qtc_irq_intercept_in(QtcProcess *p, const char *path)
{
    g_autofree char *rest = qtest_ok(p, "irq_intercept_in %s", path);
}
