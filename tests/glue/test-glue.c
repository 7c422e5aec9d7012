/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test-glue: the unit tests of toolstack-glue/, one file per part. */
#include "test-glue.h"

#include <glib.h>

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    test_ioreq_register();
    test_spin_register();
    test_xen_register();
    test_libxl_stream_register();
    test_xenstore_register();
    return g_test_run();
}
