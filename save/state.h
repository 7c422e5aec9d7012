/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Declarative state tables. A device describes its saved state once, in
 * QEMU 7.2's field order; the same table drives save, load, the JSON
 * description and the stream dump. Wire encoding: big-endian scalars,
 * nothing between fields (QEMU's vmstate rules).
 */
#ifndef SAVE_STATE_H
#define SAVE_STATE_H

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SAVE_ERROR (save_error_quark())
GQuark save_error_quark(void);

typedef enum {
    SAVE_U8,
    SAVE_U16,
    SAVE_U32,
    SAVE_U64,
    SAVE_I8,
    SAVE_I16,
    SAVE_I32,
    SAVE_I64,
    SAVE_BOOL,
    SAVE_BUFFER,              /* size raw bytes */
    SAVE_STRUCT,              /* nested table, read at our own version */
    SAVE_TIMER,               /* DmTimer: be64 expiry, -1 when idle */
    SAVE_UNUSED,              /* size zero bytes, skipped on load */
} SaveKind;

typedef struct SaveSection SaveSection;

/* Presence test; a field with a test ignores its version. */
typedef bool SaveTestFn(void *opaque, int version);

typedef struct SaveField {
    const char *name;
    SaveKind kind;
    size_t offset;            /* in the device's state struct */
    size_t size;              /* bytes of one element in the struct */
    unsigned count;           /* elements; 1 for a plain field */
    int since;                /* first section version carrying it */
    SaveTestFn *test;
    const SaveSection *nested;        /* SAVE_STRUCT */
    /*
     * Variable arrays: the element count is another member of the same
     * struct (read earlier in the payload, or local configuration);
     * count above is then the capacity, and a larger count is refused.
     */
    bool varray;
    size_t count_offset;
    size_t count_size;
} SaveField;

struct SaveSection {
    const char *name;
    int version;
    int minimum_version;
    const SaveField *fields;          /* ends with SAVE_END */
    /* Subsections follow the fields, each only when needed() says so. */
    const SaveSection *const *subsections;    /* NULL-terminated, or NULL */
    bool (*needed)(void *opaque);
    gboolean (*pre_save)(void *opaque, GError **errp);
    /*
     * Validates a decoded copy before anything is applied (QEMU's
     * VMSTATE_VALIDATE and "must match" fields); a refusal here leaves
     * the machine untouched.
     */
    gboolean (*check)(void *opaque, int version, GError **errp);
    /* Runs after the whole stream was checked; derives what is not saved. */
    gboolean (*post_load)(void *opaque, int version, GError **errp);
};

/* Compile-time check that a struct member has exactly the given type. */
#define SAVE_CHECK_TYPE(T, f, type)                                         \
    (sizeof(char[__builtin_types_compatible_p(__typeof__(((T *)0)->f),      \
                                              type) ? 1 : -1]) * 0)

#define SAVE_SCALAR_(T, f, kind_, type, v, test_)                           \
    { .name = #f, .kind = (kind_),                                          \
      .offset = offsetof(T, f) + SAVE_CHECK_TYPE(T, f, type),               \
      .size = sizeof(type), .count = 1, .since = (v), .test = (test_) }

#define SAVE_FIELD_U8(T, f)   SAVE_SCALAR_(T, f, SAVE_U8, uint8_t, 0, NULL)
#define SAVE_FIELD_U16(T, f)  SAVE_SCALAR_(T, f, SAVE_U16, uint16_t, 0, NULL)
#define SAVE_FIELD_U32(T, f)  SAVE_SCALAR_(T, f, SAVE_U32, uint32_t, 0, NULL)
#define SAVE_FIELD_U64(T, f)  SAVE_SCALAR_(T, f, SAVE_U64, uint64_t, 0, NULL)
#define SAVE_FIELD_I32(T, f)  SAVE_SCALAR_(T, f, SAVE_I32, int32_t, 0, NULL)
#define SAVE_FIELD_I64(T, f)  SAVE_SCALAR_(T, f, SAVE_I64, int64_t, 0, NULL)
#define SAVE_FIELD_BOOL(T, f) SAVE_SCALAR_(T, f, SAVE_BOOL, bool, 0, NULL)
#define SAVE_FIELD_U8_SINCE(T, f, v)                                        \
    SAVE_SCALAR_(T, f, SAVE_U8, uint8_t, v, NULL)
#define SAVE_FIELD_U16_SINCE(T, f, v)                                       \
    SAVE_SCALAR_(T, f, SAVE_U16, uint16_t, v, NULL)
#define SAVE_FIELD_U32_SINCE(T, f, v)                                       \
    SAVE_SCALAR_(T, f, SAVE_U32, uint32_t, v, NULL)
#define SAVE_FIELD_U64_SINCE(T, f, v)                                       \
    SAVE_SCALAR_(T, f, SAVE_U64, uint64_t, v, NULL)
#define SAVE_FIELD_I32_SINCE(T, f, v)                                       \
    SAVE_SCALAR_(T, f, SAVE_I32, int32_t, v, NULL)
#define SAVE_FIELD_I64_SINCE(T, f, v)                                       \
    SAVE_SCALAR_(T, f, SAVE_I64, int64_t, v, NULL)
#define SAVE_FIELD_U32_TEST(T, f, t)                                        \
    SAVE_SCALAR_(T, f, SAVE_U32, uint32_t, 0, t)

/* Fixed arrays of scalars: n elements back to back, no count on the wire. */
#define SAVE_ARRAY_(T, f, kind_, type, n, v)                                \
    { .name = #f, .kind = (kind_),                                          \
      .offset = offsetof(T, f) + SAVE_CHECK_TYPE(T, f, type[n]),            \
      .size = sizeof(type), .count = (n), .since = (v) }
#define SAVE_FIELD_U8_ARRAY(T, f, n)  SAVE_ARRAY_(T, f, SAVE_U8, uint8_t, n, 0)
#define SAVE_FIELD_U32_ARRAY(T, f, n)                                       \
    SAVE_ARRAY_(T, f, SAVE_U32, uint32_t, n, 0)
#define SAVE_FIELD_I32_ARRAY_SINCE(T, f, n, v)                              \
    SAVE_ARRAY_(T, f, SAVE_I32, int32_t, n, v)

/* n is the capacity; the wire count is member cnt of T. */
#define SAVE_VARRAY_(T, f, kind_, type, n, cnt)                             \
    { .name = #f, .kind = (kind_),                                          \
      .offset = offsetof(T, f) + SAVE_CHECK_TYPE(T, f, type[n]),            \
      .size = sizeof(type), .count = (n), .varray = true,                   \
      .count_offset = offsetof(T, cnt),                                     \
      .count_size = sizeof(((T *)0)->cnt) }
#define SAVE_FIELD_I32_VARRAY(T, f, n, cnt)                                 \
    SAVE_VARRAY_(T, f, SAVE_I32, int32_t, n, cnt)
#define SAVE_FIELD_STRUCT_VARRAY(T, f, type, n, cnt, section)               \
    { .name = #f, .kind = SAVE_STRUCT,                                      \
      .offset = offsetof(T, f) + SAVE_CHECK_TYPE(T, f, type[n]),            \
      .size = sizeof(type), .count = (n), .nested = &(section),             \
      .varray = true, .count_offset = offsetof(T, cnt),                     \
      .count_size = sizeof(((T *)0)->cnt) }

/* Raw bytes (cmos_data, PCI config space). */
#define SAVE_FIELD_BUFFER(T, f)                                             \
    { .name = #f, .kind = SAVE_BUFFER, .offset = offsetof(T, f),            \
      .size = sizeof(((T *)0)->f), .count = 1 }

/* A nested table; type is the C struct it describes. */
#define SAVE_FIELD_STRUCT(T, f, type, section)                              \
    { .name = #f, .kind = SAVE_STRUCT,                                      \
      .offset = offsetof(T, f) + SAVE_CHECK_TYPE(T, f, type),               \
      .size = sizeof(type), .count = 1, .nested = &(section) }
#define SAVE_FIELD_STRUCT_ARRAY(T, f, type, n, section)                     \
    { .name = #f, .kind = SAVE_STRUCT,                                      \
      .offset = offsetof(T, f) + SAVE_CHECK_TYPE(T, f, type[n]),            \
      .size = sizeof(type), .count = (n), .nested = &(section) }
#define SAVE_FIELD_STRUCT_TEST(T, f, type, section, t)                      \
    { .name = #f, .kind = SAVE_STRUCT,                                      \
      .offset = offsetof(T, f) + SAVE_CHECK_TYPE(T, f, type),               \
      .size = sizeof(type), .count = 1, .nested = &(section), .test = (t) }
#define SAVE_FIELD_STRUCT_SINCE(T, f, type, section, v)                     \
    { .name = #f, .kind = SAVE_STRUCT,                                      \
      .offset = offsetof(T, f) + SAVE_CHECK_TYPE(T, f, type),               \
      .size = sizeof(type), .count = 1, .nested = &(section), .since = (v) }

/* A DmTimer member: its expiry on the device's clock. */
#define SAVE_FIELD_TIMER(T, f)                                              \
    { .name = #f, .kind = SAVE_TIMER,                                       \
      .offset = offsetof(T, f) + SAVE_CHECK_TYPE(T, f, DmTimer),            \
      .size = sizeof(DmTimer), .count = 1 }

/* Bytes of a removed field, kept so the layout stays the same. */
#define SAVE_FIELD_UNUSED(label, n)                                         \
    { .name = label, .kind = SAVE_UNUSED, .size = (n), .count = 1 }

#define SAVE_END { .name = NULL }

/* Whether f is on the wire: its test if it has one, else its version. */
bool save_field_present(const SaveField *f, void *opaque, int version);
/* Wire bytes of one element of a scalar or timer kind (8 for 64-bit). */
unsigned save_kind_width(SaveKind k);

/* Elements of f in opaque: fixed, or a varray's count capped at capacity. */
unsigned save_field_count(const SaveField *f, const void *opaque);

/* Bytes the fields of s take on the wire at version v (no subsections). */
size_t save_section_wire_size(const SaveSection *s, void *opaque, int v);

#endif
