/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The JSON reader and writer (dm/json.h) on raw bytes. Whatever parses
 * must print, in both styles, to text that parses back to the same print;
 * that is what libxl relies on when it reads our replies.
 */
#include "fuzz.h"

#include "dm/json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Prints v, parses that back and returns the reprint of what came back. */
static char *reprint(const DmJson *v, bool pretty)
{
    g_autofree char *text = dm_json_to_string(v, pretty);
    g_autoptr(GError) err = NULL;
    g_autoptr(DmJson) again = dm_json_parse(text, strlen(text), &err);

    if (!again) {
        fprintf(stderr, "output does not parse: %s\n%s\n", err->message,
                text);
        abort();
    }
    /* QMP replies are one line: only pretty output may hold newlines. */
    if (!pretty && strpbrk(text, "\r\n")) {
        abort();
    }
    return dm_json_to_string(again, false);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    g_autoptr(GError) err = NULL;
    g_autoptr(DmJson) v = dm_json_parse((const char *)data, size, &err);
    g_autoptr(DmJson) copy = NULL;
    g_autoptr(DmJson) settled = NULL;
    g_autofree char *flat = NULL;
    g_autofree char *copied = NULL;
    g_autofree char *once = NULL;
    g_autofree char *pretty = NULL;
    g_autofree char *twice = NULL;

    if (!v) {
        /* Errors say where: "... at byte N". */
        if (!err || !strstr(err->message, " at byte ")) {
            abort();
        }
        return 0;
    }
    flat = dm_json_to_string(v, false);
    copy = dm_json_copy(v);
    copied = dm_json_to_string(copy, false);
    if (strcmp(flat, copied)) {
        abort();
    }
    /*
     * A double that prints without a fraction ("-0", "1e+20" as digits)
     * reads back as an integer, so the first reprint may differ; from
     * then on printing and parsing must be a fixed point.
     */
    once = reprint(v, false);
    pretty = reprint(v, true);
    if (strcmp(once, pretty)) {
        fprintf(stderr, "pretty and flat differ:\n%s\n%s\n", once, pretty);
        abort();
    }
    settled = dm_json_parse(once, strlen(once), NULL);
    twice = reprint(settled, false);
    if (strcmp(once, twice)) {
        fprintf(stderr, "reprint differs:\n%s\n%s\n", once, twice);
        abort();
    }
    return 0;
}
