/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The savevm stream loader on raw bytes, against a machine that skips
 * sections of devices it does not emulate (so those tables are fuzzed
 * too). A refused stream must leave the machine exactly as it was: the
 * machine's own saved state before and after must be byte-identical.
 */
#include "fuzz.h"

#include "save/machine-state.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static DmMachine *stream_machine(void)
{
    static const char *const argv[] = {
        "stubdm", "-machine", "pc,accel=qtest,unemulated=skip", "-m", "8",
        NULL
    };
    g_autoptr(GError) err = NULL;
    DmOptions *o = dm_options_new();
    DmMachine *m;

    if (!dm_options_parse(o, G_N_ELEMENTS(argv) - 1, (char **)argv, &err) ||
        !(m = dm_machine_new(o, &err))) {
        fprintf(stderr, "fuzz: machine: %s\n", err->message);
        abort();
    }
    return m;
}

static int memfd_with(const uint8_t *data, size_t size)
{
    int fd = memfd_create("fuzz-stream", MFD_CLOEXEC);

    if (fd < 0 || (size && write(fd, data, size) != (ssize_t)size) ||
        lseek(fd, 0, SEEK_SET) != 0) {
        abort();
    }
    return fd;
}

/* The machine's state as stubdm would save it. */
static GBytes *snapshot(DmMachine *m)
{
    SaveFormat f = { .configuration = false, .footers = true };
    int fd = memfd_create("fuzz-snapshot", MFD_CLOEXEC);
    g_autoptr(GError) err = NULL;
    off_t len;
    void *buf;

    if (fd < 0 || !save_machine_state(m, fd, &f, &err)) {
        abort();
    }
    len = lseek(fd, 0, SEEK_END);
    buf = g_malloc(len);
    if (pread(fd, buf, len, 0) != len) {
        abort();
    }
    close(fd);
    return g_bytes_new_take(buf, len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    DmMachine *m = stream_machine();
    g_autoptr(GBytes) before = snapshot(m);
    g_autoptr(GError) err = NULL;
    g_autoptr(GPtrArray) skipped = NULL;
    int fd = memfd_with(data, size);

    if (!load_machine_state(m, fd, &skipped, &err)) {
        g_autoptr(GBytes) after = snapshot(m);
        /* Every refusal says where. */
        if (!err || !strstr(err->message, "offset")) {
            fprintf(stderr, "refusal without an offset: %s\n",
                    err ? err->message : "(no error)");
            abort();
        }
        if (!g_bytes_equal(before, after)) {
            fprintf(stderr, "refused stream changed the machine: %s\n",
                    err->message);
            abort();
        }
    }
    close(fd);
    dm_machine_free(m);
    return 0;
}
