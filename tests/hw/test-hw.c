/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The test-hw binary: devices driven through their handlers. */
#include "test-hw.h"

#include <glib.h>

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    test_i8254_register();
    test_i8254_state_register();
    test_piix4_pm_register();
    test_piix4_pm_state_register();
    test_mc146818rtc_register();
    test_mc146818rtc_state_register();
    test_port92_register();
    test_pflash_register();
    test_xen_platform_register();
    return g_test_run();
}
