/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A driver for fuzz targets when libFuzzer is not there (gcc builds, and
 * every "meson test" run): each corpus file once, then a fixed number of
 * seeded mutations, so a run is repeatable and fits a test timeout.
 *
 *   fuzz-NAME [--iterations N] [--seed S] [--max-len L] [--max-seconds T]
 *             [--save-slowest] [CORPUS-DIR-OR-FILE...]
 *
 * A crash leaves its input in ./crash-NAME (the path is printed); pass
 * that file back to reproduce it. --save-slowest keeps the slowest input
 * in ./slowest-NAME, where timeouts start.
 */
#include "fuzz.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Sanitizer runtimes call these if present; UB must fail the test. */
const char *__ubsan_default_options(void);
const char *__ubsan_default_options(void)
{
    return "halt_on_error=1:print_stacktrace=1";
}

/* Present only when a sanitizer runtime is linked in. */
extern void __sanitizer_set_death_callback(void (*cb)(void))
    __attribute__((weak));

/*
 * The input being run, for the crash handlers: a signal handler has no
 * other way to reach it.
 */
static const uint8_t *current_data;
static size_t current_size;
static char crash_path[256];

static void save_current_input(void)
{
    int fd = open(crash_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    static const char msg[] = "fuzz: input that failed saved to ";

    if (fd >= 0) {
        size_t off = 0;
        while (off < current_size) {
            ssize_t n = write(fd, current_data + off, current_size - off);
            if (n <= 0) {
                break;
            }
            off += (size_t)n;
        }
        close(fd);
    }
    if (write(STDERR_FILENO, msg, sizeof(msg) - 1) < 0 ||
        write(STDERR_FILENO, crash_path, strlen(crash_path)) < 0 ||
        write(STDERR_FILENO, "\n", 1) < 0) {
        /* Nothing more can be done from here. */
    }
}

static void crash_signal(int sig)
{
    save_current_input();
    signal(sig, SIG_DFL);
    raise(sig);
}

static void install_crash_handlers(void)
{
    if (__sanitizer_set_death_callback) {
        /* ASan catches SEGV itself and calls back before exiting. */
        __sanitizer_set_death_callback(save_current_input);
        signal(SIGABRT, crash_signal);
        return;
    }
    signal(SIGSEGV, crash_signal);
    signal(SIGBUS, crash_signal);
    signal(SIGFPE, crash_signal);
    signal(SIGILL, crash_signal);
    signal(SIGABRT, crash_signal);
}

/* The slowest input so far, reported at the end (timeouts start there). */
typedef struct {
    double seconds;
    GBytes *input;
} Slowest;

static void run_one(const uint8_t *data, size_t size)
{
    /* Exactly size bytes, so ASan sees any read past the end. */
    uint8_t *copy = g_malloc(size ? size : 1);

    if (size) {
        memcpy(copy, data, size);
    }

    current_data = copy;
    current_size = size;
    LLVMFuzzerTestOneInput(copy, size);
    current_data = NULL;
    current_size = 0;
    g_free(copy);
}

static void run_timed(const uint8_t *data, size_t size, Slowest *slowest)
{
    gint64 start = g_get_monotonic_time();
    double seconds;

    run_one(data, size);
    seconds = (g_get_monotonic_time() - start) / 1e6;
    if (seconds > slowest->seconds) {
        slowest->seconds = seconds;
        g_clear_pointer(&slowest->input, g_bytes_unref);
        slowest->input = g_bytes_new(data, size);
    }
}

static void save_slowest(const char *name, Slowest *slowest)
{
    g_autoptr(GError) err = NULL;
    g_autofree char *path = g_strdup_printf("slowest-%s", name);
    gsize len = 0;
    const char *data = slowest->input ?
        g_bytes_get_data(slowest->input, &len) : "";

    if (!g_file_set_contents(path, data, len, &err)) {
        fprintf(stderr, "fuzz: %s\n", err->message);
        return;
    }
    printf("%s: slowest input (%.3f s) saved to %s\n", name,
           slowest->seconds, path);
}

/* splitmix64: tiny, seedable, and the same on every host. */
static uint64_t rng_next(uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);

    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static size_t rng_below(uint64_t *state, size_t n)
{
    return n ? (size_t)(rng_next(state) % n) : 0;
}

/* Values parsers get wrong: limits, signs, bases, escapes, separators. */
static const char *const tokens[] = {
    "0", "1", "-1", "-0", "255", "256", "65535", "65536", "0xffff",
    "0x10000", "2147483647", "2147483648", "4294967295", "4294967296",
    "9223372036854775807", "9223372036854775808", "-9223372036854775808",
    "18446744073709551615", "18446744073709551616", "0xffffffffffffffff",
    "1e308", "1e309", "0.5", "010", "08", "0x", "16777216", "0xcf8",
    "0xcfc", "0x80000000", "0xfee00000", "0xfffffffc", "32751", "32752",
    "\n", "\r\n", " ", "\t", ",", ",,", "=", "\"", "\\", "\\\"", "\\u0000",
    "\\ud800", "\\udc00", "\\u00e9", "{", "}", "[", "]", ":", "{}", "[]",
    "null", "true", "on", "off", "-", "--", "K", "M", "G", "T", "\xff",
    "\xc3\xa9", "\xed\xa0\x80", "\0",
};

/* GByteArray is a GArray of bytes; GLib has no byte insert of its own. */
static void insert_bytes(GByteArray *b, size_t pos, const uint8_t *data,
                         size_t n)
{
    g_array_insert_vals((GArray *)b, (guint)pos, data, (guint)n);
}

static void mutate(GByteArray *b, GPtrArray *corpus, uint64_t *rng)
{
    size_t len = b->len;
    size_t pos = rng_below(rng, len + 1);
    GBytes *other = corpus->len ?
        g_ptr_array_index(corpus, rng_below(rng, corpus->len)) : NULL;
    gsize olen = 0;
    const uint8_t *odata = other ? g_bytes_get_data(other, &olen) : NULL;

    switch (rng_below(rng, 9)) {
    case 0:
        if (len) {
            b->data[rng_below(rng, len)] ^= 1u << rng_below(rng, 8);
        }
        break;
    case 1:
        if (len) {
            b->data[rng_below(rng, len)] = (uint8_t)rng_next(rng);
        }
        break;
    case 2: {
        uint8_t bytes[8];
        size_t n = 1 + rng_below(rng, sizeof(bytes));
        for (size_t i = 0; i < n; i++) {
            bytes[i] = (uint8_t)rng_next(rng);
        }
        insert_bytes(b, pos, bytes, n);
        break;
    }
    case 3:
        if (len) {
            size_t at = rng_below(rng, len);
            size_t n = 1 + rng_below(rng, MIN(len - at, 16));
            g_byte_array_remove_range(b, at, n);
        }
        break;
    case 4:
        if (len) {
            size_t at = rng_below(rng, len);
            size_t n = 1 + rng_below(rng, MIN(len - at, 64));
            g_autofree uint8_t *chunk = g_memdup2(b->data + at, n);
            insert_bytes(b, pos, chunk, n);
        }
        break;
    case 5:
        /* A piece of another input: tokens of the same protocol. */
        if (olen) {
            size_t at = rng_below(rng, olen);
            size_t n = 1 + rng_below(rng, MIN(olen - at, 64));
            insert_bytes(b, pos, odata + at, n);
        }
        break;
    case 6:
        if (olen) {
            size_t at = rng_below(rng, olen);
            g_byte_array_set_size(b, pos);
            g_byte_array_append(b, odata + at, olen - at);
        }
        break;
    case 7: {
        const char *t = tokens[rng_below(rng, G_N_ELEMENTS(tokens))];
        size_t n = *t ? strlen(t) : 1;
        /* Replace the token under pos when it is a number. */
        size_t end = pos;
        while (end < len && g_ascii_isalnum(b->data[end])) {
            end++;
        }
        if (end > pos) {
            g_byte_array_remove_range(b, pos, end - pos);
        }
        insert_bytes(b, pos, (const uint8_t *)t, n);
        break;
    }
    default: {
        const char *t = tokens[rng_below(rng, G_N_ELEMENTS(tokens))];
        size_t n = *t ? strlen(t) : 1;
        insert_bytes(b, pos, (const uint8_t *)t, n);
        break;
    }
    }
}

static void load_file(GPtrArray *corpus, const char *path)
{
    g_autoptr(GError) err = NULL;
    char *data;
    gsize len;

    if (!g_file_get_contents(path, &data, &len, &err)) {
        fprintf(stderr, "fuzz: %s\n", err->message);
        exit(2);
    }
    g_ptr_array_add(corpus, g_bytes_new_take(data, len));
}

static gint compare_names(gconstpointer a, gconstpointer b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every regular file in dir, in name order so runs repeat exactly. */
static void load_dir(GPtrArray *corpus, const char *dir)
{
    g_autoptr(GError) err = NULL;
    g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
    GDir *d = g_dir_open(dir, 0, &err);
    const char *name;

    if (!d) {
        fprintf(stderr, "fuzz: %s\n", err->message);
        exit(2);
    }
    while ((name = g_dir_read_name(d))) {
        g_ptr_array_add(names, g_build_filename(dir, name, NULL));
    }
    g_dir_close(d);
    g_ptr_array_sort(names, compare_names);
    for (guint i = 0; i < names->len; i++) {
        const char *path = g_ptr_array_index(names, i);
        if (g_file_test(path, G_FILE_TEST_IS_REGULAR)) {
            load_file(corpus, path);
        }
    }
}

static uint64_t number_arg(const char *opt, const char *v)
{
    char *end;
    unsigned long long n;

    errno = 0;
    n = v ? strtoull(v, &end, 0) : 0;
    if (!v || errno || *end || *v == '-') {
        fprintf(stderr, "fuzz: %s expects a number\n", opt);
        exit(2);
    }
    return n;
}

int main(int argc, char **argv)
{
    g_autoptr(GPtrArray) corpus =
        g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref);
    g_autofree char *name = g_path_get_basename(argv[0]);
    uint64_t iterations = 20000, seed = 1, max_len = 4096, max_seconds = 120;
    bool keep_slowest = false;
    Slowest slowest = { 0 };
    uint64_t rng, done = 0;
    GTimer *timer = g_timer_new();

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--iterations")) {
            iterations = number_arg(a, argv[++i]);
        } else if (!strcmp(a, "--seed")) {
            seed = number_arg(a, argv[++i]);
        } else if (!strcmp(a, "--max-len")) {
            max_len = number_arg(a, argv[++i]);
        } else if (!strcmp(a, "--max-seconds")) {
            max_seconds = number_arg(a, argv[++i]);
        } else if (!strcmp(a, "--save-slowest")) {
            keep_slowest = true;
        } else if (g_file_test(a, G_FILE_TEST_IS_DIR)) {
            load_dir(corpus, a);
        } else {
            load_file(corpus, a);
        }
    }
    {
        /* Absolute, so the message is useful from meson's test log. */
        g_autofree char *cwd = g_get_current_dir();
        g_autofree char *path = g_build_filename(cwd, "crash-", NULL);
        snprintf(crash_path, sizeof(crash_path), "%s%s", path, name);
    }
    install_crash_handlers();

    for (guint i = 0; i < corpus->len; i++) {
        gsize len;
        const uint8_t *data = g_bytes_get_data(g_ptr_array_index(corpus, i),
                                               &len);
        run_timed(data, len, &slowest);
    }

    rng = seed;
    for (; done < iterations; done++) {
        g_autoptr(GByteArray) b = g_byte_array_new();
        unsigned rounds = 1 + (unsigned)rng_below(&rng, 4);

        if (corpus->len && rng_below(&rng, 16)) {
            gsize len;
            const uint8_t *data = g_bytes_get_data(
                g_ptr_array_index(corpus, rng_below(&rng, corpus->len)), &len);
            g_byte_array_append(b, data, len);
        }
        for (unsigned r = 0; r < rounds; r++) {
            mutate(b, corpus, &rng);
        }
        if (b->len > max_len) {
            g_byte_array_set_size(b, max_len);
        }
        run_timed(b->data, b->len, &slowest);
        /* A bound for slow sanitizer builds; the sequence stays the same. */
        if (done % 256 == 255 &&
            g_timer_elapsed(timer, NULL) > (double)max_seconds) {
            done++;
            break;
        }
    }
    printf("%s: %u corpus inputs, %" G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT
           " mutations (seed %" G_GUINT64_FORMAT ") in %.1f s\n", name,
           corpus->len, done, iterations, seed,
           g_timer_elapsed(timer, NULL));
    if (keep_slowest) {
        save_slowest(name, &slowest);
    }
    g_clear_pointer(&slowest.input, g_bytes_unref);
    g_timer_destroy(timer);
    return 0;
}
