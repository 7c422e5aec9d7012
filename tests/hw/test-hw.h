/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests of hw/: each file registers its own /hw/<device>/ paths. */
#ifndef TEST_HW_H
#define TEST_HW_H

#include "save/codec.h"

#include <stddef.h>
#include <stdint.h>

void test_i8254_register(void);
void test_i8254_state_register(void);
void test_piix4_pm_register(void);
void test_piix4_pm_state_register(void);
void test_mc146818rtc_register(void);
void test_mc146818rtc_state_register(void);
void test_port92_register(void);
void test_pflash_register(void);
void test_xen_platform_register(void);
void test_pci_state_register(void);
void test_pflash_state_register(void);

/* save_encode of opaque, asserting success; the caller frees. */
GByteArray *test_hw_encode(const SaveSection *s, void *opaque);

/*
 * As the loader does: decode p in SAVE_DECODE_CHECK mode into a scratch
 * copy of live (size bytes), then apply it to live; all of p is read.
 */
void test_hw_load(const SaveSection *s, void *live, size_t size, int version,
                  const uint8_t *p, size_t len);
/* The check of test_hw_load alone: p would be accepted, live is untouched. */
void test_hw_accepted(const SaveSection *s, void *live, size_t size,
                      int version, const uint8_t *p, size_t len);
/* The check refuses p with an error containing message; live unchanged. */
void test_hw_refused(const SaveSection *s, void *live, size_t size,
                     int version, const uint8_t *p, size_t len,
                     const char *message);

/*
 * Where a cut of a reference payload stops the decoder: a cut below end
 * fails naming section and field; with field NULL the decoder instead
 * accepts the cut, having read up to stop (a subsection header is only
 * peeked at, so a cut inside one is left unread for the caller's framing
 * to refuse, and a cut at stop is a shorter payload without it).
 */
typedef struct TestHwCut {
    size_t end;
    const char *section;
    const char *field;
    size_t stop;
} TestHwCut;

#define TEST_HW_CUT(end, section, field) { (end), (section), (field), 0 }
#define TEST_HW_CUT_ACCEPTED(end, stop) { (end), NULL, NULL, (stop) }
#define TEST_HW_CUT_END { 0, NULL, NULL, 0 }

/*
 * Decodes every proper prefix of ref in SAVE_DECODE_CHECK mode into a
 * scratch copy of live (size bytes), as the loader stages a section;
 * cuts says how each cut ends. live must stay byte for byte as it was.
 */
void test_hw_truncations(const SaveSection *s, void *live, size_t size,
                         int version, const uint8_t *ref, size_t len,
                         const TestHwCut *cuts);

#endif
