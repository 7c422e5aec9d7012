/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * QEMU's vmdesc JSON, written from the state tables: the sizes add up
 * to the payload, so a reader can check a stream against it (QEMU
 * itself reads and drops it).
 */
#include "save/vmdesc.h"

static const char *kind_name(SaveKind k)
{
    switch (k) {
    case SAVE_U8: return "uint8";
    case SAVE_U16: return "uint16";
    case SAVE_U32: return "uint32";
    case SAVE_U64: return "uint64";
    case SAVE_I8: return "int8";
    case SAVE_I16: return "int16";
    case SAVE_I32: return "int32";
    case SAVE_I64: return "int64";
    case SAVE_BOOL: return "bool";
    case SAVE_BUFFER: return "buffer";
    case SAVE_STRUCT: return "struct";
    case SAVE_TIMER: return "timer";
    default: return "unused_buffer";
    }
}

static size_t kind_size(const SaveField *f, void *elem)
{
    switch (f->kind) {
    case SAVE_STRUCT:
        return save_section_wire_size(f->nested, elem, f->nested->version);
    case SAVE_BUFFER:
    case SAVE_UNUSED:
        return f->size;
    default:
        return save_kind_width(f->kind);
    }
}
static DmJson *describe(const SaveSection *s, void *opaque, int version);

static DmJson *describe_field(const SaveField *f, void *opaque)
{
    DmJson *o = dm_json_new_object();
    void *first = (char *)opaque + f->offset;
    unsigned n = save_field_count(f, opaque);

    dm_json_object_set_string(o, "name", f->name);
    dm_json_object_set_string(o, "type", kind_name(f->kind));
    dm_json_object_set_int(o, "size", n ? (int64_t)kind_size(f, first) : 0);
    if (n > 1) {
        dm_json_object_set_int(o, "array_len", n);
    }
    if (f->kind == SAVE_STRUCT) {
        dm_json_object_set(o, "struct",
                           describe(f->nested, first, f->nested->version));
    }
    return o;
}

static DmJson *describe(const SaveSection *s, void *opaque, int version)
{
    DmJson *o = dm_json_new_object();
    DmJson *fields = dm_json_new_array();
    DmJson *subs = dm_json_new_array();

    dm_json_object_set_string(o, "vmsd_name", s->name);
    dm_json_object_set_int(o, "version", version);
    for (const SaveField *f = s->fields; f->name; f++) {
        if (save_field_present(f, opaque, version)) {
            dm_json_array_add(fields, describe_field(f, opaque));
        }
    }
    dm_json_object_set(o, "fields", fields);
    for (const SaveSection *const *sub = s->subsections; sub && *sub;
         sub++) {
        if (!(*sub)->needed || (*sub)->needed(opaque)) {
            dm_json_array_add(subs, describe(*sub, opaque, (*sub)->version));
        }
    }
    if (dm_json_length(subs)) {
        dm_json_object_set(o, "subsections", subs);
    } else {
        dm_json_free(subs);
    }
    return o;
}

DmJson *save_vmdesc_device(const char *idstr, uint32_t instance,
                           const SaveSection *s, void *opaque)
{
    DmJson *desc = describe(s, opaque, s->version);
    DmJson *o = dm_json_new_object();

    /* QEMU's key order: name, instance_id, then the description. */
    dm_json_object_set_string(o, "name", idstr);
    dm_json_object_set_int(o, "instance_id", instance);
    for (size_t i = 0; i < dm_json_length(desc); i++) {
        dm_json_object_set(o, dm_json_object_key(desc, i),
                           dm_json_copy(dm_json_object_value(desc, i)));
    }
    dm_json_free(desc);
    return o;
}
