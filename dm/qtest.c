/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The qtest line protocol, as QEMU's softmmu/qtest.c speaks it, so QEMU's
 * libqtest conventions drive stubdm unchanged. Where QEMU asserts on bad
 * input, stubdm answers "FAIL <why>" and keeps serving.
 */
#include "dm/qtest.h"
#include "dm/chardev.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Longest line: a b64write of 16 MiB fits. */
#define QTEST_MAX_LINE (24u << 20)
/* Largest read/write/memset a single command may touch. */
#define QTEST_MAX_BUF (16u << 20)

struct DmQtest {
    DmMachine *machine;
    DmChardev *chr;
    GString *inbuf;
    bool discarding;          /* rest of an over-long line */
    FILE *log;
    bool log_owned;
    GTimer *timer;
    bool intercepting;
};

static void qtest_log_prefix(DmQtest *q, char kind)
{
    if (q->log) {
        fprintf(q->log, "[%c +%.06f] ", kind,
                q->timer ? g_timer_elapsed(q->timer, NULL) : 0.0);
    }
}

static void G_GNUC_PRINTF(2, 3) qtest_reply(DmQtest *q, const char *fmt, ...)
{
    va_list ap;
    g_autofree char *line = NULL;

    va_start(ap, fmt);
    line = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    qtest_log_prefix(q, 'S');
    if (q->log) {
        fputs(line, q->log);
        fflush(q->log);
    }
    if (q->chr) {
        dm_chardev_write(q->chr, line, strlen(line));
    }
}

static void qtest_irq_observer(void *opaque, unsigned irq, bool level)
{
    DmQtest *q = opaque;

    if (q->intercepting) {
        qtest_reply(q, "IRQ %s %u\n", level ? "raise" : "lower", irq);
    }
}

/* strtoul with base 0, as QEMU parses every number here, but checked. */
static bool parse_u64(const char *s, uint64_t *out)
{
    char *end;

    if (!s || !*s || *s == '-') {
        return false;
    }
    errno = 0;
    *out = strtoull(s, &end, 0);
    return !errno && !*end;
}

static bool parse_i64(const char *s, int64_t *out)
{
    char *end;

    if (!s || !*s) {
        return false;
    }
    errno = 0;
    *out = strtoll(s, &end, 0);
    return !errno && !*end;
}

static unsigned width_of(char c)
{
    switch (c) {
    case 'b': return 1;
    case 'w': return 2;
    case 'l': return 4;
    case 'q': return 8;
    default: return 0;
    }
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    c = g_ascii_tolower(c);
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

static void cmd_out(DmQtest *q, char **w, unsigned n, unsigned width)
{
    uint64_t addr, value;

    if (n != 3 || !parse_u64(w[1], &addr) || !parse_u64(w[2], &value)) {
        qtest_reply(q, "FAIL usage: %s ADDR VALUE\n", w[0]);
    } else if (addr > 0xffff) {
        qtest_reply(q, "FAIL port 0x%" PRIx64 " beyond 0xffff\n", addr);
    } else {
        dm_space_write(q->machine->io, addr, value, width);
        qtest_reply(q, "OK\n");
    }
}

static void cmd_in(DmQtest *q, char **w, unsigned n, unsigned width)
{
    uint64_t addr;

    if (n != 2 || !parse_u64(w[1], &addr)) {
        qtest_reply(q, "FAIL usage: %s ADDR\n", w[0]);
    } else if (addr > 0xffff) {
        qtest_reply(q, "FAIL port 0x%" PRIx64 " beyond 0xffff\n", addr);
    } else {
        uint64_t v = dm_space_read(q->machine->io, addr, width);
        qtest_reply(q, "OK 0x%04" PRIx64 "\n", v);
    }
}

static void cmd_write_n(DmQtest *q, char **w, unsigned n, unsigned width)
{
    uint64_t addr, value;

    if (n != 3 || !parse_u64(w[1], &addr) || !parse_u64(w[2], &value)) {
        qtest_reply(q, "FAIL usage: %s ADDR VALUE\n", w[0]);
        return;
    }
    dm_space_write(q->machine->mem, addr, value, width);
    dm_machine_mark_dirty(q->machine, addr, width);
    qtest_reply(q, "OK\n");
}

static void cmd_read_n(DmQtest *q, char **w, unsigned n, unsigned width)
{
    uint64_t addr;

    if (n != 2 || !parse_u64(w[1], &addr)) {
        qtest_reply(q, "FAIL usage: %s ADDR\n", w[0]);
        return;
    }
    qtest_reply(q, "OK 0x%016" PRIx64 "\n",
                dm_space_read(q->machine->mem, addr, width));
}

static bool parse_addr_len(DmQtest *q, char **w, unsigned n, unsigned want,
                           const char *usage, uint64_t *addr, uint64_t *len)
{
    if (n != want || !parse_u64(w[1], addr) || !parse_u64(w[2], len)) {
        qtest_reply(q, "FAIL usage: %s %s\n", w[0], usage);
        return false;
    }
    if (*len > QTEST_MAX_BUF) {
        qtest_reply(q, "FAIL size %" PRIu64 " exceeds %u bytes\n", *len,
                    QTEST_MAX_BUF);
        return false;
    }
    return true;
}

static void cmd_read(DmQtest *q, char **w, unsigned n)
{
    uint64_t addr, len;
    g_autofree uint8_t *data = NULL;
    g_autoptr(GString) hex = NULL;

    if (!parse_addr_len(q, w, n, 3, "ADDR SIZE", &addr, &len)) {
        return;
    }
    if (!len) {
        qtest_reply(q, "FAIL size must not be 0\n");
        return;
    }
    static const char digits[] = "0123456789abcdef";

    data = g_malloc(len);
    dm_space_read_buf(q->machine->mem, addr, data, len);
    hex = g_string_sized_new(2 * len + 2);
    for (uint64_t i = 0; i < len; i++) {
        g_string_append_c(hex, digits[data[i] >> 4]);
        g_string_append_c(hex, digits[data[i] & 15]);
    }
    qtest_reply(q, "OK 0x%s\n", hex->str);
}

static void cmd_b64read(DmQtest *q, char **w, unsigned n)
{
    uint64_t addr, len;
    g_autofree uint8_t *data = NULL;
    g_autofree char *b64 = NULL;

    if (!parse_addr_len(q, w, n, 3, "ADDR SIZE", &addr, &len)) {
        return;
    }
    data = g_malloc(len ? len : 1);
    dm_space_read_buf(q->machine->mem, addr, data, len);
    b64 = g_base64_encode(data, len);
    qtest_reply(q, "OK %s\n", b64);
}

static void cmd_write(DmQtest *q, char **w, unsigned n)
{
    uint64_t addr, len;
    g_autofree uint8_t *data = NULL;
    const char *hex;
    size_t digits;

    if (!parse_addr_len(q, w, n, 4, "ADDR SIZE 0xDATA", &addr, &len)) {
        return;
    }
    hex = w[3];
    if (strncmp(hex, "0x", 2) || strlen(hex) < 3) {
        qtest_reply(q, "FAIL data must be 0x followed by hex digits\n");
        return;
    }
    hex += 2;
    digits = strlen(hex);
    data = g_malloc0(len ? len : 1);
    /* Short data is zero-filled at the end, as QEMU does. */
    for (uint64_t i = 0; i < len && 2 * i + 1 < digits; i++) {
        int hi = hexval(hex[2 * i]), lo = hexval(hex[2 * i + 1]);
        if (hi < 0 || lo < 0) {
            qtest_reply(q, "FAIL bad hex digit in data\n");
            return;
        }
        data[i] = (uint8_t)(hi << 4 | lo);
    }
    dm_space_write_buf(q->machine->mem, addr, data, len);
    dm_machine_mark_dirty(q->machine, addr, len);
    qtest_reply(q, "OK\n");
}

static void cmd_b64write(DmQtest *q, char **w, unsigned n)
{
    uint64_t addr, len;
    g_autofree uint8_t *data = NULL;
    g_autofree uint8_t *decoded = NULL;
    gsize out_len = 0;

    if (!parse_addr_len(q, w, n, 4, "ADDR SIZE B64DATA", &addr, &len)) {
        return;
    }
    decoded = g_base64_decode(w[3], &out_len);
    data = g_malloc0(len ? len : 1);
    memcpy(data, decoded, MIN(out_len, len));
    dm_space_write_buf(q->machine->mem, addr, data, len);
    dm_machine_mark_dirty(q->machine, addr, len);
    qtest_reply(q, "OK\n");
}

static void cmd_memset(DmQtest *q, char **w, unsigned n)
{
    uint64_t addr, len, pattern;
    g_autofree uint8_t *data = NULL;

    if (!parse_addr_len(q, w, n, 4, "ADDR SIZE VALUE", &addr, &len)) {
        return;
    }
    if (!parse_u64(w[3], &pattern)) {
        qtest_reply(q, "FAIL usage: memset ADDR SIZE VALUE\n");
        return;
    }
    if (len) {
        data = g_malloc(len);
        memset(data, (int)(pattern & 0xff), len);
        dm_space_write_buf(q->machine->mem, addr, data, len);
        dm_machine_mark_dirty(q->machine, addr, len);
    }
    qtest_reply(q, "OK\n");
}

static void cmd_clock(DmQtest *q, char **w, unsigned n, bool step)
{
    DmClock *clock = q->machine->clock;
    int64_t now = dm_clock_now(clock), arg, target;

    if (!dm_clock_is_manual(clock)) {
        qtest_reply(q, "FAIL %s needs -accel qtest (the clock follows the "
                    "host)\n", w[0]);
        return;
    }
    if (step && n == 1) {
        int64_t deadline = dm_clock_deadline(clock);
        /* With no timer pending QEMU stays put. */
        target = deadline < 0 ? now : now + deadline;
    } else if (n == 2 && parse_i64(w[1], &arg) &&
               (!step || (arg >= 0 && arg <= INT64_MAX - now))) {
        target = step ? now + arg : arg;
    } else {
        qtest_reply(q, "FAIL usage: %s\n",
                    step ? "clock_step [NS]" : "clock_set NS");
        return;
    }
    qtest_reply(q, "OK %" PRIi64 "\n", dm_clock_advance(clock, target));
}

static void cmd_irq_intercept(DmQtest *q, char **w, unsigned n)
{
    /* stubdm's only interrupt sink is what the I/O APIC would see. */
    if (n != 2) {
        qtest_reply(q, "FAIL usage: %s QOM-PATH\n", w[0]);
    } else if (strcmp(w[1], "ioapic") && strcmp(w[1], "/machine/ioapic")) {
        qtest_reply(q, "FAIL Unknown device\n");
    } else {
        q->intercepting = true;
        qtest_reply(q, "OK\n");
    }
}

static void qtest_process_line(DmQtest *q, char *line)
{
    g_auto(GStrv) w = NULL;
    unsigned n;
    const char *c;

    if (q->log) {
        qtest_log_prefix(q, 'R');
        fprintf(q->log, "%s\n", line);
        fflush(q->log);
    }
    w = g_strsplit(line, " ", 0);
    n = g_strv_length(w);
    if (n == 0 || !*w[0]) {
        qtest_reply(q, "FAIL empty command\n");
        return;
    }
    c = w[0];
    if (!strcmp(c, "outb") || !strcmp(c, "outw") || !strcmp(c, "outl")) {
        cmd_out(q, w, n, width_of(c[3]));
    } else if (!strcmp(c, "inb") || !strcmp(c, "inw") || !strcmp(c, "inl")) {
        cmd_in(q, w, n, width_of(c[2]));
    } else if (g_str_has_prefix(c, "write") && strlen(c) == 6 &&
               width_of(c[5])) {
        cmd_write_n(q, w, n, width_of(c[5]));
    } else if (g_str_has_prefix(c, "read") && strlen(c) == 5 &&
               width_of(c[4])) {
        cmd_read_n(q, w, n, width_of(c[4]));
    } else if (!strcmp(c, "read")) {
        cmd_read(q, w, n);
    } else if (!strcmp(c, "write")) {
        cmd_write(q, w, n);
    } else if (!strcmp(c, "b64read")) {
        cmd_b64read(q, w, n);
    } else if (!strcmp(c, "b64write")) {
        cmd_b64write(q, w, n);
    } else if (!strcmp(c, "memset")) {
        cmd_memset(q, w, n);
    } else if (!strcmp(c, "clock_step")) {
        cmd_clock(q, w, n, true);
    } else if (!strcmp(c, "clock_set")) {
        cmd_clock(q, w, n, false);
    } else if (!strcmp(c, "endianness")) {
        qtest_reply(q, "OK little\n");
    } else if (!strcmp(c, "irq_intercept_in") ||
               !strcmp(c, "irq_intercept_out")) {
        cmd_irq_intercept(q, w, n);
    } else {
        qtest_reply(q, "FAIL Unknown command '%s'\n", c);
    }
}

void dm_qtest_feed(DmQtest *q, const char *data, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        if (data[i] != '\n') {
            if (q->discarding) {
                continue;
            }
            if (q->inbuf->len >= QTEST_MAX_LINE) {
                q->discarding = true;
                g_string_truncate(q->inbuf, 0);
                continue;
            }
            g_string_append_c(q->inbuf, data[i]);
            continue;
        }
        if (q->discarding) {
            q->discarding = false;
            qtest_reply(q, "FAIL line longer than %u bytes\n", QTEST_MAX_LINE);
            continue;
        }
        /* A NUL inside a line would cut it short; refuse it whole. */
        if (memchr(q->inbuf->str, '\0', q->inbuf->len)) {
            qtest_reply(q, "FAIL NUL byte in command\n");
        } else {
            qtest_process_line(q, q->inbuf->str);
        }
        g_string_truncate(q->inbuf, 0);
    }
}

static void qtest_opened(void *opaque)
{
    DmQtest *q = opaque;

    g_clear_pointer(&q->timer, g_timer_destroy);
    q->timer = g_timer_new();
    if (q->log) {
        fprintf(q->log, "[I %.06f] OPENED\n", 0.0);
        fflush(q->log);
    }
}

static void qtest_received(void *opaque, const uint8_t *data, size_t len)
{
    dm_qtest_feed(opaque, (const char *)data, len);
}

static void qtest_closed(void *opaque)
{
    DmQtest *q = opaque;

    if (q->log) {
        qtest_log_prefix(q, 'I');
        fprintf(q->log, "CLOSED\n");
        fflush(q->log);
    }
    g_string_truncate(q->inbuf, 0);
    q->discarding = false;
}

static const DmChardevHandlers qtest_handlers = {
    .opened = qtest_opened,
    .received = qtest_received,
    .closed = qtest_closed,
};

DmQtest *dm_qtest_new(DmMachine *m, DmChardev *chr, const char *log_path,
                      GError **errp)
{
    DmQtest *q = g_new0(DmQtest, 1);

    q->machine = m;
    q->chr = chr;
    q->inbuf = g_string_new(NULL);
    /* QEMU logs to stderr unless told a file, or "none". */
    if (!log_path) {
        q->log = stderr;
    } else if (strcmp(log_path, "none")) {
        q->log = fopen(log_path, "w+");
        if (!q->log) {
            g_set_error(errp, G_FILE_ERROR, g_file_error_from_errno(errno),
                        "-qtest-log %s: %s", log_path, g_strerror(errno));
            dm_qtest_free(q);
            return NULL;
        }
        q->log_owned = true;
    }
    dm_machine_set_irq_observer(m, qtest_irq_observer, q);
    if (chr && !dm_chardev_start(chr, &qtest_handlers, q, errp)) {
        dm_qtest_free(q);
        return NULL;
    }
    return q;
}

void dm_qtest_free(DmQtest *q)
{
    if (!q) {
        return;
    }
    if (q->machine->irq_observer_opaque == q) {
        dm_machine_set_irq_observer(q->machine, NULL, NULL);
    }
    if (q->log_owned) {
        fclose(q->log);
    }
    g_clear_pointer(&q->timer, g_timer_destroy);
    g_string_free(q->inbuf, TRUE);
    g_free(q);
}
