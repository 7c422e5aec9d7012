/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests of save/: each file registers its own /save/<area>/ paths. */
#ifndef TEST_SAVE_H
#define TEST_SAVE_H

#include "dm/machine.h"

void test_codec_register(void);
void test_compat_register(void);
void test_foreign_register(void);
void test_load_register(void);
void test_ram_register(void);
void test_timer_register(void);
void test_ram_live_register(void);

/* Everything in fd from its start (test-ram.c). */
GByteArray *test_save_fd_contents(int fd);

/* A qtest machine of type with 16 MiB of RAM (test-load.c). */
DmMachine *test_save_machine_new(const char *type, bool skip, bool qemu_kvm);

#endif
