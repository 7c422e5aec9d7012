/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The libxl v2 / xl save-image record parser on raw bytes, both as an xl
 * image and as a raw libxl stream. Whatever it accepts must be framed
 * inside the input, and every refusal must say where.
 */
#include "fuzz.h"

#include "toolstack-glue/libxl-stream.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void one(const uint8_t *data, size_t size, bool xl)
{
    g_autoptr(GError) err = NULL;
    GlueImage img;

    if (!glue_image_parse(data, size, xl, &img, NULL, NULL, &err)) {
        if (!err || !strstr(err->message, "offset")) {
            fprintf(stderr, "refusal without an offset: %s\n",
                    err ? err->message : "(no error)");
            abort();
        }
        return;
    }
    if (img.end_offset > size || (img.emulator &&
        (img.emu.data < data || img.emu.data + img.emu.len > data + size))) {
        fprintf(stderr, "accepted image points outside the input\n");
        abort();
    }
    if (img.emulator) {
        /* Re-wrapping what was found must parse back to the same blob. */
        g_autoptr(GByteArray) again = glue_image_build(img.emu.data,
                                                       img.emu.len, NULL);
        GlueImage back;
        if (!glue_image_parse(again->data, again->len, true, &back, NULL,
                              NULL, NULL) ||
            back.emu.len != img.emu.len ||
            memcmp(back.emu.data, img.emu.data, img.emu.len)) {
            fprintf(stderr, "wrap of an extracted state does not parse\n");
            abort();
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    one(data, size, true);
    one(data, size, false);
    return 0;
}
