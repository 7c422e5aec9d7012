/* SPDX-License-Identifier: GPL-2.0-or-later */
/* QEMU-style "value,key=value,..." option strings (",," escapes a comma). */
#ifndef DM_KEYVAL_H
#define DM_KEYVAL_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

typedef struct DmKeyval {
    char *key;
    char *value;              /* NULL for a bare flag such as "server" */
} DmKeyval;

/*
 * Splits str into pairs. A first element without '=' is stored under
 * implied_key; with no implied key it is a bare flag like any later one.
 * The array owns its pairs.
 */
GPtrArray *dm_keyval_parse(const char *str, const char *implied_key,
                           GError **errp);
const char *dm_keyval_get(GPtrArray *kv, const char *key);

/* "on"/"off" (and QEMU's yes/no/true/false); a bare flag is on. */
bool dm_keyval_parse_bool(const char *value, bool *out);
/* A size with an optional K/M/G/T suffix; bare numbers use default_unit. */
bool dm_keyval_parse_size(const char *value, uint64_t default_unit,
                          uint64_t *out);
/* A whole unsigned number in C syntax (decimal, 0x hex, 0 octal). */
bool dm_keyval_parse_u64(const char *value, uint64_t *out);

#endif
