/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The reference streams and the record offsets their dumps give. */
#include "samples.h"

#include <stdio.h>
#include <string.h>

static const char *samples_dir(void)
{
    const char *dir = g_getenv("STUBDM_SAMPLES");

    if (!dir || !g_file_test(dir, G_FILE_TEST_IS_DIR)) {
        g_error("the reference streams are missing: set STUBDM_SAMPLES to "
                "shared/samples (now '%s')", dir ? dir : "");
    }
    return dir;
}

/* The machine type each sample was written on (samples/README.md). */
static const char *sample_machine(const char *name)
{
    if (strstr(name, "-3.1-")) {
        return "pc-i440fx-3.1";
    }
    if (strstr(name, "-1.7")) {
        return "pc-i440fx-1.7";
    }
    return "pc-i440fx-7.2";
}

static uint32_t be32_at(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | p[2] << 8 | p[3];
}

/* Whether a dump line starts with an 8-digit offset and a space. */
static bool record_line(const char *l)
{
    for (int i = 0; i < 8; i++) {
        if (!g_ascii_isxdigit(l[i])) {
            return false;
        }
    }
    return l[8] == ' ';
}

/* Top-level lines of the dump: "OFFSET KIND [id N 'IDSTR' ...]". */
static void parse_dump(Sample *s, const char *path)
{
    g_autofree char *text = NULL;
    g_auto(GStrv) lines = NULL;
    size_t len;
    const uint8_t *data = g_bytes_get_data(s->data, &len);

    if (!g_file_get_contents(path, &text, NULL, NULL)) {
        g_error("cannot read %s", path);
    }
    lines = g_strsplit(text, "\n", -1);
    for (char **l = lines; *l; l++) {
        SampleRecord r = { 0 };
        unsigned long long at;
        int n = 0;

        if (!record_line(*l) ||
            sscanf(*l, "%llx %15s %n", &at, r.kind, &n) < 2 ||
            !strcmp(r.kind, "QEVM")) {
            continue;
        }
        r.at = at;
        sscanf(*l + n, "id %u '%255[^']' instance %u version %u", &r.id,
               r.idstr, &r.instance, &r.version);
        if (!strcmp(r.kind, "FULL")) {
            r.payload = r.at + 1 + 4 + 1 + strlen(r.idstr) + 4 + 4;
        }
        g_array_append_val(s->records, r);
    }
    for (guint i = 0; i < s->records->len; i++) {
        SampleRecord *r = &g_array_index(s->records, SampleRecord, i);

        r->end = i + 1 < s->records->len ?
                 g_array_index(s->records, SampleRecord, i + 1).at :
                 r->at + 1;
        if (!strcmp(r->kind, "FULL") && !s->footers && r->end >= 5 &&
            r->end <= len && data[r->end - 5] == 0x7e &&
            be32_at(data + r->end - 4) == r->id) {
            s->footers = true;
        }
    }
    for (guint i = 0; i < s->records->len; i++) {
        SampleRecord *r = &g_array_index(s->records, SampleRecord, i);

        if (!strcmp(r->kind, "FULL")) {
            r->payload_len = r->end - (s->footers ? 5 : 0) - r->payload;
        }
    }
}

static Sample *sample_load(const char *dir, const char *file)
{
    Sample *s = g_new0(Sample, 1);
    g_autofree char *bin = g_build_filename(dir, file, NULL);
    g_autofree char *txt = NULL;
    char *contents;
    size_t len;

    s->name = g_strndup(file, strlen(file) - 4);
    txt = g_strdup_printf("%s/%s.txt", dir, s->name);
    if (!g_file_get_contents(bin, &contents, &len, NULL)) {
        g_error("cannot read %s", bin);
    }
    s->data = g_bytes_new_take(contents, len);
    s->machine = sample_machine(s->name);
    s->records = g_array_new(FALSE, TRUE, sizeof(SampleRecord));
    parse_dump(s, txt);
    return s;
}

static void sample_free(gpointer p)
{
    Sample *s = p;

    g_free(s->name);
    g_bytes_unref(s->data);
    g_array_free(s->records, TRUE);
    g_free(s);
}

static gint by_name(gconstpointer a, gconstpointer b)
{
    return strcmp((*(Sample *const *)a)->name, (*(Sample *const *)b)->name);
}

GPtrArray *sample_list(void)
{
    const char *dir = samples_dir();
    GPtrArray *list = g_ptr_array_new_with_free_func(sample_free);
    g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
    const char *file;

    g_assert_nonnull(d);
    while ((file = g_dir_read_name(d))) {
        if (g_str_has_suffix(file, ".bin")) {
            g_ptr_array_add(list, sample_load(dir, file));
        }
    }
    g_ptr_array_sort(list, by_name);
    g_assert_nonnull(sample_find(list, "devstate-i440fx-7.2"));
    return list;
}

void sample_list_free(GPtrArray *list)
{
    g_ptr_array_free(list, TRUE);
}

const Sample *sample_find(GPtrArray *list, const char *name)
{
    for (guint i = 0; i < list->len; i++) {
        const Sample *s = g_ptr_array_index(list, i);
        if (!strcmp(s->name, name)) {
            return s;
        }
    }
    return NULL;
}

const uint8_t *sample_bytes(const Sample *s, size_t *len)
{
    return g_bytes_get_data(s->data, len);
}

GByteArray *sample_filter(const Sample *s,
                          bool (*keep)(const SampleRecord *r))
{
    static const uint8_t header[] = { 'Q', 'E', 'V', 'M', 0, 0, 0, 3 };
    static const uint8_t eof = 0x00;
    GByteArray *out = g_byte_array_new();
    const uint8_t *data = g_bytes_get_data(s->data, NULL);

    g_byte_array_append(out, header, sizeof(header));
    for (guint i = 0; i < s->records->len; i++) {
        const SampleRecord *r = &g_array_index(s->records, SampleRecord, i);
        if (!strcmp(r->kind, "FULL") && keep(r)) {
            g_byte_array_append(out, data + r->at, (guint)(r->end - r->at));
        }
    }
    g_byte_array_append(out, &eof, 1);
    return out;
}
