/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The machine the QMP and qtest fuzz targets run against. */
#include "fuzz.h"

#include <stdio.h>
#include <stdlib.h>

DmMachine *fuzz_machine_new(void)
{
    /*
     * Through the option parser, so the machine is what "-machine
     * pc,accel=qtest -m 8" gives stubdm; 8 MiB keeps each run cheap.
     */
    static const char *const argv[] = {
        "stubdm", "-machine", "pc,accel=qtest", "-m", "8", "-name", "fuzz",
        NULL
    };
    g_autoptr(GError) err = NULL;
    DmOptions *o = dm_options_new();
    DmMachine *m;

    if (!dm_options_parse(o, G_N_ELEMENTS(argv) - 1, (char **)argv, &err)) {
        fprintf(stderr, "fuzz: options: %s\n", err->message);
        abort();
    }
    m = dm_machine_new(o, &err);
    if (!m) {
        fprintf(stderr, "fuzz: machine: %s\n", err->message);
        abort();
    }
    return m;
}
