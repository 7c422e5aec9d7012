/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Device-state save and load inside the process, without QMP: what
 * xen-save-devices-state and xen-load-devices-state cost stubdm itself.
 * Prints medians; asserts nothing about speed.
 */
#include "dm/machine.h"
#include "dm/options.h"
#include "save/machine-state.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define ROUNDS 2000

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

    return x < y ? -1 : x > y;
}

static double median_us(int64_t *ns, size_t n)
{
    qsort(ns, n, sizeof(*ns), cmp_i64);
    return ns[n / 2] / 1000.0;
}

int main(int argc, char **argv)
{
    static const char *const args[] = {
        "stubdm", "-machine", "pc-i440fx-7.2,accel=qtest", "-m", "128", NULL
    };
    g_autoptr(GError) err = NULL;
    DmOptions *o = dm_options_new();
    static int64_t save_ns[ROUNDS], load_ns[ROUNDS];
    SaveFormat f = { .configuration = false, .footers = true };
    DmMachine *m;
    int fd = memfd_create("bench-state", MFD_CLOEXEC);

    if (fd < 0 ||
        !dm_options_parse(o, G_N_ELEMENTS(args) - 1, (char **)args, &err) ||
        !(m = dm_machine_new(o, &err))) {
        fprintf(stderr, "bench: %s\n", err ? err->message : "memfd");
        return 1;
    }
    for (int i = 0; i < ROUNDS; i++) {
        struct timespec a, b;

        clock_gettime(CLOCK_MONOTONIC, &a);
        if (ftruncate(fd, 0) < 0 || lseek(fd, 0, SEEK_SET) < 0 ||
            !save_machine_state(m, fd, &f, &err)) {
            fprintf(stderr, "bench: save: %s\n", err ? err->message : "");
            return 1;
        }
        clock_gettime(CLOCK_MONOTONIC, &b);
        save_ns[i] = (b.tv_sec - a.tv_sec) * 1000000000LL +
                     (b.tv_nsec - a.tv_nsec);
        lseek(fd, 0, SEEK_SET);
        clock_gettime(CLOCK_MONOTONIC, &a);
        if (!load_machine_state(m, fd, NULL, &err)) {
            fprintf(stderr, "bench: load: %s\n", err->message);
            return 1;
        }
        clock_gettime(CLOCK_MONOTONIC, &b);
        load_ns[i] = (b.tv_sec - a.tv_sec) * 1000000000LL +
                     (b.tv_nsec - a.tv_nsec);
    }
    printf("stubdm in-process device state (%d rounds, %ld bytes): "
           "save %.1f us, load %.1f us (medians)\n", ROUNDS,
           (long)lseek(fd, 0, SEEK_END), median_us(save_ns, ROUNDS),
           median_us(load_ns, ROUNDS));
    close(fd);
    dm_machine_free(m);
    return 0;
}
