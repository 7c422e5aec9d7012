/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The qtest line protocol (dm/qtest.h) against a real i440FX board. The
 * log is the only output without a socket, so it goes to a memfd and is
 * checked: every command line gets exactly one OK or FAIL. Clock commands
 * are clamped to a virtual-time budget so each input ends quickly.
 */
#include "fuzz.h"

#include "dm/qtest.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static unsigned count_replies(int fd)
{
    g_autoptr(GString) log = g_string_new(NULL);
    char buf[4096];
    ssize_t n;
    off_t off = 0;
    unsigned replies = 0;

    while ((n = pread(fd, buf, sizeof(buf), off)) > 0) {
        g_string_append_len(log, buf, n);
        off += n;
    }
    /* Lines look like "[S +0.000000] OK 0x00ff"; IRQ lines are extra. */
    for (const char *p = log->str; p && *p; p = strchr(p, '\n')) {
        const char *body;
        if (*p == '\n') {
            p++;
        }
        if (!g_str_has_prefix(p, "[S ")) {
            continue;
        }
        body = strstr(p, "] ");
        if (body && (g_str_has_prefix(body + 2, "OK") ||
                     g_str_has_prefix(body + 2, "FAIL"))) {
            replies++;
        }
    }
    return replies;
}

/*
 * Virtual time one input may move the clock. A guest-programmed PIT can
 * fire every 838 ns, and qtest runs every tick on the way (QEMU does the
 * same), so "clock_set 9223372036854775807" would run for days.
 */
#define CLOCK_BUDGET_NS (100 * 1000 * 1000)

/*
 * Returns the line to feed instead when a clock command would go past
 * the budget, or NULL. Parses as dm/qtest.c does (words split at single
 * spaces, strtoll base 0), so only lines it would run are touched.
 */
static char *clamp_clock(DmMachine *m, const char *line, int64_t *budget)
{
    g_auto(GStrv) w = g_strsplit(line, " ", 0);
    int64_t now = dm_clock_now(m->clock), arg, advance;
    bool step;
    char *end;

    if (g_strv_length(w) != 2) {
        return NULL;
    }
    step = !strcmp(w[0], "clock_step");
    if (!step && strcmp(w[0], "clock_set")) {
        return NULL;
    }
    errno = 0;
    arg = strtoll(w[1], &end, 0);
    if (!*w[1] || errno || *end) {
        return NULL;
    }
    advance = step ? arg : arg - now;
    if (advance <= 0) {
        return NULL;
    }
    if (advance <= *budget) {
        *budget -= advance;
        return NULL;
    }
    advance = *budget;
    *budget = 0;
    return step ? g_strdup_printf("clock_step %" PRIi64, advance)
                : g_strdup_printf("clock_set %" PRIi64, now + advance);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    g_autoptr(GError) err = NULL;
    g_autofree char *log_path = NULL;
    DmMachine *m = fuzz_machine_new();
    int fd = memfd_create("qtest-log", MFD_CLOEXEC);
    int64_t budget = CLOCK_BUDGET_NS;
    unsigned lines = 0;
    size_t start = 0;

    if (fd < 0) {
        perror("memfd_create");
        abort();
    }
    log_path = g_strdup_printf("/proc/self/fd/%d", fd);
    m->qtest = dm_qtest_new(m, NULL, log_path, &err);
    if (!m->qtest) {
        fprintf(stderr, "qtest: %s\n", err->message);
        abort();
    }
    /* Line by line (the last need not end in a newline), one reply each. */
    for (size_t i = 0; i <= size; i++) {
        if (i < size && data[i] != '\n') {
            continue;
        }
        g_autofree char *line = g_strndup((const char *)data + start,
                                          i - start);
        g_autofree char *clamped = NULL;
        if (strlen(line) == i - start) {
            clamped = clamp_clock(m, line, &budget);
        }
        if (clamped) {
            dm_qtest_feed(m->qtest, clamped, strlen(clamped));
        } else {
            dm_qtest_feed(m->qtest, (const char *)data + start, i - start);
        }
        dm_qtest_feed(m->qtest, "\n", 1);
        lines++;
        start = i + 1;
    }
    dm_machine_free(m);
    if (count_replies(fd) != lines) {
        fprintf(stderr, "%u command lines, %u replies\n", lines,
                count_replies(fd));
        abort();
    }
    close(fd);
    return 0;
}
