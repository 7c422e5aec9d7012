/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests of dm/: each file registers its own /dm/<area>/ paths. */
#ifndef TEST_DM_H
#define TEST_DM_H

void test_space_register(void);
void test_clock_register(void);
void test_options_register(void);
void test_keyval_register(void);
void test_json_split_register(void);
void test_fdset_register(void);

#endif
