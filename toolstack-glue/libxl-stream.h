/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libxl migration stream v2 records and the xl save-file header
 * (xen docs/specs/libxl-migration-stream.pandoc, tools/xl/xl.h).
 */
#ifndef GLUE_LIBXL_STREAM_H
#define GLUE_LIBXL_STREAM_H

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define GLUE_ERROR (glue_error_quark())
GQuark glue_error_quark(void);

#define GLUE_XL_MAGIC "Xen saved domain, xl format\n \0 \r"
#define GLUE_XL_MAGIC_LEN 32
#define GLUE_XL_HEADER_LEN 48
#define GLUE_XL_FLAG_JSON 0x1u
#define GLUE_XL_FLAG_STREAMV2 0x2u

#define GLUE_LIBXL_IDENT 0x4c6962786c466d74ull      /* "LibxlFmt" */
#define GLUE_LIBXL_VERSION 2
#define GLUE_LIBXL_HEADER_LEN 16
#define GLUE_RECORD_HEADER_LEN 8
#define GLUE_RECORD_OPTIONAL 0x80000000u

#define GLUE_LIBXC_MARKER 0xffffffffffffffffull
#define GLUE_LIBXC_ID 0x58454e46u                     /* "XENF" */

enum {
    GLUE_REC_END = 0,
    GLUE_REC_LIBXC_CONTEXT = 1,
    GLUE_REC_EMULATOR_XENSTORE_DATA = 2,
    GLUE_REC_EMULATOR_CONTEXT = 3,
    GLUE_REC_CHECKPOINT_END = 4,
    GLUE_REC_CHECKPOINT_STATE = 5,
};

/* Emulator sub-header ids (libxl_sr_stream_format.h). */
enum {
    GLUE_EMULATOR_UNKNOWN = 0,
    GLUE_EMULATOR_QEMU_TRADITIONAL = 1,
    GLUE_EMULATOR_QEMU_UPSTREAM = 2,
};

/* One record as framed on the wire; body borrows the parsed buffer. */
typedef struct GlueRecord {
    uint32_t type;
    uint32_t length;
    const uint8_t *body;
    uint64_t offset;          /* of the record header in the file */
} GlueRecord;

typedef struct GlueEmulator {
    uint32_t id;
    uint32_t index;
    const uint8_t *data;      /* borrowed from the record body */
    size_t len;
} GlueEmulator;

typedef struct GlueXlHeader {
    uint32_t mandatory_flags;
    uint32_t optional_flags;
    uint32_t optional_data_len;
    const uint8_t *config;    /* borrowed; NULL when there is none */
    uint32_t config_len;
} GlueXlHeader;

/* What a whole image holds (all pointers borrow the parsed buffer). */
typedef struct GlueImage {
    bool xl;                  /* an xl header came first */
    GlueXlHeader xl_header;
    uint32_t libxl_options;
    uint64_t libxl_offset;    /* of "LibxlFmt" */
    bool libxc;               /* a LIBXC_CONTEXT record was seen */
    uint32_t libxc_version;
    uint32_t libxc_domain_type;
    uint64_t libxc_offset;
    uint64_t libxc_len;
    unsigned libxc_records;
    bool emulator;            /* an EMULATOR_CONTEXT was seen (last wins) */
    GlueEmulator emu;
    uint64_t emu_offset;      /* of the emulator blob in the file */
    unsigned xenstore_pairs;
    unsigned records;         /* libxl records, END included */
    uint64_t end_offset;      /* first byte after the END record */
} GlueImage;

/* Receives each libxl record as it is read (for stubdm-stream show). */
typedef void GlueRecordFn(void *opaque, const GlueRecord *rec);

/* The name of a libxl record type, or NULL for unknown types. */
const char *glue_record_name(uint32_t type);
const char *glue_emulator_name(uint32_t id);

/* Encoders: each appends one whole record (header, body, zero padding). */
void glue_record_put(GByteArray *out, uint32_t type, const void *body,
                     size_t len);
void glue_libxl_header_put(GByteArray *out);
void glue_end_put(GByteArray *out);
/* LIBXC_CONTEXT followed by a minimal libxc v3 HVM image. */
void glue_libxc_context_put(GByteArray *out);
void glue_emulator_context_put(GByteArray *out, uint32_t id, uint32_t index,
                               const void *data, size_t len);
/* pairs: NULL-terminated key, value, key, value... (keys relative to DM/) */
void glue_xenstore_data_put(GByteArray *out, uint32_t id, uint32_t index,
                            const char *const *pairs);
/* config: JSON text (its NUL is stored too), or NULL. */
void glue_xl_header_put(GByteArray *out, const char *config);

/* A whole xl image around an emulator state (qemu-upstream, index 0). */
GByteArray *glue_image_build(const void *state, size_t len,
                             const char *config);

/* Decoders: bounds-checked, errors name the record and the offset. */
gboolean glue_xl_header_get(const uint8_t *data, size_t len,
                            GlueXlHeader *h, size_t *consumed,
                            GError **errp);
gboolean glue_libxl_header_get(const uint8_t *data, size_t len,
                               uint64_t origin, uint32_t *options,
                               GError **errp);
/* The record at pos; *next is the offset after its padding. */
gboolean glue_record_get(const uint8_t *data, size_t len, size_t pos,
                         GlueRecord *rec, size_t *next, GError **errp);
gboolean glue_emulator_get(const GlueRecord *rec, GlueEmulator *e,
                           GError **errp);
/* Checks the key/value pairs; *pairs counts them. */
gboolean glue_xenstore_data_get(const GlueRecord *rec, unsigned *pairs,
                                GError **errp);
/* Walks a libxc image at pos by its record lengths; *next after END. */
gboolean glue_libxc_skip(const uint8_t *data, size_t len, size_t pos,
                         GlueImage *img, size_t *next, GError **errp);

/*
 * Parses an xl image (xl == TRUE: header required) or a raw libxl
 * stream (xl == FALSE) up to its END record. Unknown mandatory records
 * are refused, unknown optional ones skipped.
 */
gboolean glue_image_parse(const uint8_t *data, size_t len, bool xl,
                          GlueImage *img, GlueRecordFn *fn, void *opaque,
                          GError **errp);

#endif
