/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The test-dm binary: address spaces, clock, options, keyval, JSON split. */
#include "test-dm.h"

#include <glib.h>

/* Read by the UBSan runtime in sanitizer builds: undefined behaviour fails. */
const char *__ubsan_default_options(void);
const char *__ubsan_default_options(void)
{
    return "halt_on_error=1:print_stacktrace=1";
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    test_space_register();
    test_clock_register();
    test_options_register();
    test_keyval_register();
    test_json_split_register();
    test_fdset_register();
    return g_test_run();
}
