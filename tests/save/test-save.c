/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The test-save binary: the codec, the foreign tables, whole-stream loads. */
#include "test-save.h"

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
    test_codec_register();
    test_compat_register();
    test_foreign_register();
    test_load_register();
    test_ram_register();
    test_timer_register();
    test_ram_live_register();
    return g_test_run();
}
