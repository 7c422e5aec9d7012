/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Encoding and decoding of one state table's payload (QEMU vmstate rules). */
#ifndef SAVE_CODEC_H
#define SAVE_CODEC_H

#include "save/state.h"

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

/*
 * A bounded view of received bytes; offsets in errors are origin + pos.
 * With a refill hook the view is a window on a stream: the hook makes at
 * least need more bytes visible (resetting data/len/pos/origin) or
 * returns FALSE at the end of the stream.
 */
typedef struct SaveReader SaveReader;
struct SaveReader {
    const uint8_t *data;
    size_t len;
    size_t pos;
    uint64_t origin;          /* stream offset of data[0] */
    gboolean (*refill)(SaveReader *r, size_t need);
    void *refill_opaque;
};

typedef enum {
    /* Decode into a scratch copy: timers are checked, never armed. */
    SAVE_DECODE_CHECK,
    /* Decode into the live device: timers are armed or stopped. */
    SAVE_DECODE_APPLY,
    /*
     * Decode to show (stubdm-stream): as CHECK, but no check hooks, so a
     * stream from another machine configuration can still be read.
     */
    SAVE_DECODE_SHOW,
} SaveDecodeMode;

/* Runs pre_save hooks, then appends the fields and needed subsections. */
gboolean save_encode(const SaveSection *s, void *opaque, GByteArray *out,
                     GError **errp);

/*
 * Reads a payload written at version (fields, then subsections) into
 * opaque. Errors name the section, the field and the stream offset. In
 * APPLY mode post_load hooks run as QEMU runs them: a nested struct's or
 * subsection's after its own fields, the section's last.
 */
gboolean save_decode(const SaveSection *s, void *opaque, int version,
                     SaveReader *r, SaveDecodeMode mode, GError **errp);

#endif
