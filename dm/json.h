/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * JSON values for QMP. stubdm links statically and stays small (json-glib
 * drags GIO and half a dozen libraries into every process: 4 MiB of RSS
 * for an empty program); QMP needs only this much of JSON.
 */
#ifndef DM_JSON_H
#define DM_JSON_H

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum {
    DM_JSON_NULL,
    DM_JSON_BOOL,
    DM_JSON_INT,
    DM_JSON_NUMBER,           /* not integral or beyond int64 */
    DM_JSON_STRING,
    DM_JSON_ARRAY,
    DM_JSON_OBJECT,
} DmJsonType;

typedef struct DmJson DmJson;

#define DM_JSON_MAX_DEPTH 64

/* Parses exactly one value (surrounding blanks allowed); errors give the
 * byte offset. Strings must be valid UTF-8 without NUL. */
DmJson *dm_json_parse(const char *text, size_t len, GError **errp);
/* QEMU's output format: ", " and ": " separators, non-ASCII as \uXXXX. */
char *dm_json_to_string(const DmJson *v, bool pretty);

void dm_json_free(DmJson *v);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(DmJson, dm_json_free)
DmJson *dm_json_copy(const DmJson *v);

DmJson *dm_json_new_null(void);
DmJson *dm_json_new_bool(bool b);
DmJson *dm_json_new_int(int64_t i);
DmJson *dm_json_new_string(const char *s);
DmJson *dm_json_new_array(void);
DmJson *dm_json_new_object(void);

DmJsonType dm_json_type(const DmJson *v);
bool dm_json_get_bool(const DmJson *v);
int64_t dm_json_get_int(const DmJson *v);
double dm_json_get_number(const DmJson *v);
const char *dm_json_get_string(const DmJson *v);

/* Arrays and objects: length, and access by index. */
size_t dm_json_length(const DmJson *v);
DmJson *dm_json_array_get(const DmJson *a, size_t i);
const char *dm_json_object_key(const DmJson *o, size_t i);
DmJson *dm_json_object_value(const DmJson *o, size_t i);

/* The *_add and *_set calls take ownership of the value. */
void dm_json_array_add(DmJson *a, DmJson *v);
void dm_json_object_set(DmJson *o, const char *key, DmJson *v);
DmJson *dm_json_object_get(const DmJson *o, const char *key);
void dm_json_object_set_string(DmJson *o, const char *key, const char *s);
void dm_json_object_set_int(DmJson *o, const char *key, int64_t i);
void dm_json_object_set_bool(DmJson *o, const char *key, bool b);

#endif
