/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests of hw/: each file registers its own /hw/<device>/ paths. */
#ifndef TEST_HW_H
#define TEST_HW_H

void test_i8254_register(void);
void test_i8254_state_register(void);
void test_piix4_pm_register(void);
void test_piix4_pm_state_register(void);
void test_mc146818rtc_register(void);
void test_mc146818rtc_state_register(void);
void test_port92_register(void);
void test_pflash_register(void);
void test_xen_platform_register(void);

#endif
