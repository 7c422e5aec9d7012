/* SPDX-License-Identifier: GPL-2.0-or-later */
/* State-table helpers shared by the codec, the dump and the tests. */
#include "save/state.h"

G_DEFINE_QUARK(save-error-quark, save_error)

bool save_field_present(const SaveField *f, void *opaque, int version)
{
    return f->test ? f->test(opaque, version) : f->since <= version;
}

unsigned save_kind_width(SaveKind k)
{
    switch (k) {
    case SAVE_U8:
    case SAVE_I8:
    case SAVE_BOOL:
        return 1;
    case SAVE_U16:
    case SAVE_I16:
        return 2;
    case SAVE_U32:
    case SAVE_I32:
        return 4;
    default:
        return 8;
    }
}

static size_t scalar_size(const SaveField *f)
{
    return f->kind == SAVE_BUFFER || f->kind == SAVE_UNUSED ?
           f->size : save_kind_width(f->kind);
}

unsigned save_field_count(const SaveField *f, const void *opaque)
{
    const uint8_t *p = (const uint8_t *)opaque + f->count_offset;
    uint64_t n;

    if (!f->varray) {
        return f->count;
    }
    switch (f->count_size) {
    case 1: n = *p; break;
    case 2: n = *(const uint16_t *)p; break;
    case 4: n = *(const uint32_t *)p; break;
    default: n = *(const uint64_t *)p; break;
    }
    return n > f->count ? f->count : (unsigned)n;
}

size_t save_section_wire_size(const SaveSection *s, void *opaque, int v)
{
    size_t total = 0;

    for (const SaveField *f = s->fields; f->name; f++) {
        unsigned n;

        if (!save_field_present(f, opaque, v)) {
            continue;
        }
        n = save_field_count(f, opaque);
        if (f->kind == SAVE_STRUCT) {
            for (unsigned i = 0; i < n; i++) {
                void *elem = (char *)opaque + f->offset + i * f->size;
                total += save_section_wire_size(f->nested, elem,
                                                f->nested->version);
            }
        } else {
            total += scalar_size(f) * n;
        }
    }
    return total;
}
