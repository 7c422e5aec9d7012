/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * QMP input as a monitor reads it: the bytes go down a socketpair into a
 * monitor's chardev, through its DmJsonSplitter and the parse, envelope
 * and argument checks of dm/qmp.c, to commands run against a real board.
 * The target checks what libxl depends on: the greeting comes first, every
 * line ends in "\r\n" and parses as a JSON object, and each message (as a
 * second splitter cuts the same bytes) gets exactly one "return" or
 * "error". One memfd rides along with the first byte (SCM_RIGHTS), so
 * add-fd and the save and load commands on /dev/fdset/N have a file.
 */
#include "fuzz.h"

#include "dm/chardev.h"
#include "dm/json-split.h"
#include "dm/qmp.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

/* Main-loop turns without progress before the target calls it a hang. */
#define MAX_IDLE_TURNS 100000

typedef struct {
    int peer;                 /* our end of the socketpair */
    GString *out;             /* everything the monitor sent */
    unsigned expected;        /* messages and framing errors, by the model */
    bool unsafe;              /* would touch the host's files: not run */
} QmpFuzz;

/*
 * Commands a fuzzer may run. The rest (and any added later) could reach
 * the host's files by name, so an input that calls one is skipped; the
 * save and load commands run only on descriptor sets.
 */
static bool command_is_safe(const char *name, const DmJson *args)
{
    static const char *const safe[] = {
        "qmp_capabilities", "stop", "cont", "quit", "system_reset",
        "system_powerdown", "add-fd", "xen-set-global-dirty-log",
    };
    const DmJson *file;

    if (g_str_has_prefix(name, "query-")) {
        return true;
    }
    for (size_t i = 0; i < G_N_ELEMENTS(safe); i++) {
        if (!strcmp(name, safe[i])) {
            return true;
        }
    }
    if (strcmp(name, "xen-save-devices-state") &&
        strcmp(name, "xen-load-devices-state")) {
        return false;
    }
    file = args && dm_json_type(args) == DM_JSON_OBJECT ?
        dm_json_object_get(args, "filename") : NULL;
    return !file || dm_json_type(file) != DM_JSON_STRING ||
           g_str_has_prefix(dm_json_get_string(file), "/dev/fdset/");
}

/* Whether the monitor would run a command outside the safe set. */
static bool message_is_unsafe(const char *text)
{
    g_autoptr(DmJson) req = dm_json_parse(text, strlen(text), NULL);
    const DmJson *exec;
    size_t n;
    const DmQmpCommand *cmds = dm_qmp_commands(&n);

    if (!req || dm_json_type(req) != DM_JSON_OBJECT) {
        return false;
    }
    exec = dm_json_object_get(req, "execute");
    if (!exec || dm_json_type(exec) != DM_JSON_STRING) {
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        if (!strcmp(cmds[i].name, dm_json_get_string(exec))) {
            return !command_is_safe(cmds[i].name,
                                    dm_json_object_get(req, "arguments"));
        }
    }
    return false;
}

/* Runs the main context until idle, collecting what the monitor wrote. */
static void drain(QmpFuzz *f)
{
    char buf[65536];

    for (;;) {
        ssize_t n = recv(f->peer, buf, sizeof(buf), MSG_DONTWAIT);
        if (n > 0) {
            g_string_append_len(f->out, buf, n);
        } else if (!g_main_context_iteration(NULL, FALSE)) {
            break;
        }
    }
}

/* The model: each message and each framing error earns one reply. */
static void count_message(void *opaque, const char *text, const char *error)
{
    QmpFuzz *f = opaque;

    f->expected++;
    f->unsafe |= text && message_is_unsafe(text);
}

static void check_output(QmpFuzz *f)
{
    unsigned replies = 0, lines = 0;
    const char *p = f->out->str;
    const char *end = p + f->out->len;

    while (p < end) {
        const char *nl = memchr(p, '\n', end - p);
        g_autoptr(GError) err = NULL;
        g_autoptr(DmJson) msg = NULL;

        if (!nl || nl == p || nl[-1] != '\r' || memchr(p, '\r', nl - 1 - p)) {
            fprintf(stderr, "reply not ending in CRLF: %.*s\n",
                    (int)(end - p), p);
            abort();
        }
        msg = dm_json_parse(p, nl - 1 - p, &err);
        if (!msg || dm_json_type(msg) != DM_JSON_OBJECT) {
            fprintf(stderr, "reply is not a JSON object (%s): %.*s\n",
                    err ? err->message : "", (int)(nl - p), p);
            abort();
        }
        if (!lines++ && !dm_json_object_get(msg, "QMP")) {
            fprintf(stderr, "no greeting first\n");
            abort();
        }
        if (dm_json_object_get(msg, "return") ||
            dm_json_object_get(msg, "error")) {
            replies++;
        } else if (!dm_json_object_get(msg, "event") && lines > 1) {
            fprintf(stderr, "not a reply or event: %.*s\n", (int)(nl - p),
                    p);
            abort();
        }
        p = nl + 1;
    }
    if (replies != f->expected) {
        fprintf(stderr, "%u messages, %u replies\n", f->expected, replies);
        abort();
    }
}

/* The first byte, with a memfd for add-fd to take. */
static ssize_t send_first(int sock, const uint8_t *data)
{
    union {
        char buf[CMSG_SPACE(sizeof(int))];
        struct cmsghdr align;
    } ctl;
    struct iovec iov = { .iov_base = (void *)data, .iov_len = 1 };
    struct msghdr msg = {
        .msg_iov = &iov, .msg_iovlen = 1,
        .msg_control = ctl.buf, .msg_controllen = sizeof(ctl.buf),
    };
    struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);
    int fd = memfd_create("fuzz-fdset", MFD_CLOEXEC);
    ssize_t n;

    if (fd < 0) {
        perror("memfd_create");
        abort();
    }
    cm->cmsg_level = SOL_SOCKET;
    cm->cmsg_type = SCM_RIGHTS;
    cm->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(cm), &fd, sizeof(int));
    n = sendmsg(sock, &msg, MSG_NOSIGNAL);
    close(fd);
    return n;
}

static size_t unread(int fd)
{
    int n = 0;

    if (ioctl(fd, FIONREAD, &n) < 0) {
        perror("FIONREAD");
        abort();
    }
    return (size_t)n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    g_autoptr(GError) err = NULL;
    DmMachine *m;
    DmChardevConfig cfg = { .id = (char *)"fuzz", .kind = DM_CHARDEV_SOCKET };
    QmpFuzz f = { .out = g_string_new(NULL) };
    DmJsonSplitter model;
    DmChardev *chr;
    DmMonitor *mon;
    size_t off = 0;
    unsigned idle = 0;
    int sv[2];

    dm_json_splitter_init(&model, DM_QMP_MAX_MESSAGE);
    dm_json_splitter_feed(&model, (const char *)data, size, count_message,
                          &f);
    dm_json_splitter_destroy(&model);
    if (f.unsafe) {
        g_string_free(f.out, TRUE);
        return 0;
    }

    m = fuzz_machine_new();
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) {
        perror("socketpair");
        abort();
    }
    /* A client chardev on an inherited fd: no listening, no path. */
    cfg.fd = sv[0];
    chr = dm_chardev_new(&cfg, &err);
    if (!chr) {
        fprintf(stderr, "chardev: %s\n", err->message);
        abort();
    }
    g_ptr_array_add(m->chardevs, chr);
    mon = dm_monitor_new(m, chr, false, &err);
    if (!mon) {
        fprintf(stderr, "monitor: %s\n", err->message);
        abort();
    }
    g_ptr_array_add(m->monitors, mon);
    f.peer = sv[1];
    if (size && send_first(sv[1], data) == 1) {
        off = 1;
    }

    /* Until the monitor has read every byte; replies may block sends. */
    while (off < size || unread(sv[0])) {
        size_t before = off + f.out->len;
        if (off < size) {
            ssize_t n = send(sv[1], data + off, size - off,
                             MSG_DONTWAIT | MSG_NOSIGNAL);
            off += n > 0 ? (size_t)n : 0;
        }
        drain(&f);
        idle = off + f.out->len == before ? idle + 1 : 0;
        if (idle > MAX_IDLE_TURNS) {
            fprintf(stderr, "monitor stopped reading\n");
            abort();
        }
    }
    drain(&f);
    check_output(&f);

    dm_machine_free(m);
    close(sv[1]);
    g_string_free(f.out, TRUE);
    return 0;
}
