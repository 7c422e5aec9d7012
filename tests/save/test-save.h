/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests of save/: each file registers its own /save/<area>/ paths. */
#ifndef TEST_SAVE_H
#define TEST_SAVE_H

void test_codec_register(void);
void test_foreign_register(void);
void test_load_register(void);
void test_ram_register(void);

#endif
