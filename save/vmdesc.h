/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The JSON description QEMU appends to a migration stream. */
#ifndef SAVE_VMDESC_H
#define SAVE_VMDESC_H

#include "dm/json.h"
#include "save/state.h"

/*
 * One device of the description, from its table as saved now: name,
 * instance, vmsd name, version, fields (type, size, array length, nested
 * structs) and the subsections that are needed.
 */
DmJson *save_vmdesc_device(const char *idstr, uint32_t instance,
                           const SaveSection *s, void *opaque);

#endif
