/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The test-glue binary: one register function per test file. */
#ifndef TEST_GLUE_H
#define TEST_GLUE_H

void test_ioreq_register(void);
void test_spin_register(void);
void test_xen_register(void);
void test_libxl_stream_register(void);
void test_xenstore_register(void);

#endif
