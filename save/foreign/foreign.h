/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Tables of sections of devices stubdm does not emulate (qemu-stream.md
 * Appendix A, PCIBUS of 4.4): the stream has no lengths to skip by.
 */
#ifndef SAVE_FOREIGN_FOREIGN_H
#define SAVE_FOREIGN_FOREIGN_H

#include "save/state.h"

#include <stddef.h>

/*
 * The table for a section idstr as QEMU 7.2 writes it, or NULL. PCI
 * devices match by the part after their path ("0000:00:01.1/ide"), and,
 * as QEMU's compat names, without it. *scratch_size (may be NULL) is what
 * a decode of it needs: see save_foreign_scratch_new().
 */
const SaveSection *save_foreign_find(const char *idstr,
                                     size_t *scratch_size);

/*
 * A zeroed scratch copy for s (from save_foreign_find) with QEMU's local
 * configuration filled in: counts that are not on the wire (HPET timers
 * of a version-1 stream) and the properties needed() predicates consult,
 * as machine_type (canonical name; NULL: pc-i440fx-7.2) sets them.
 * Caller frees with g_free().
 */
void *save_foreign_scratch_new(const SaveSection *s,
                               const char *machine_type);

#endif
