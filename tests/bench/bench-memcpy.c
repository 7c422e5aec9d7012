/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * This machine's memcpy bandwidth, the ceiling for RAM-section save and
 * load (bench-ram.py prints it beside them): best of several copies of
 * 256 MiB between two touched buffers. Prints "memcpy MIB_PER_S".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define SIZE (256u << 20)
#define ROUNDS 8

static double now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(void)
{
    unsigned char *src = malloc(SIZE), *dst = malloc(SIZE);
    double best = 1e9;

    if (!src || !dst) {
        return 1;
    }
    memset(src, 0x5a, SIZE);
    memset(dst, 0, SIZE);
    for (int i = 0; i < ROUNDS; i++) {
        double t0 = now();
        memcpy(dst, src, SIZE);
        double t = now() - t0;
        /* Keep the copy observable. */
        src[i] ^= dst[SIZE - 1 - i];
        if (t < best) {
            best = t;
        }
    }
    printf("memcpy %.0f\n", (SIZE >> 20) / best);
    free(src);
    free(dst);
    return 0;
}
