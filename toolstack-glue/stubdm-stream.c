/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * stubdm-stream: shows, checks, extracts and wraps device-model states
 * (QEVM v3 streams, raw libxl v2 streams and xl save images).
 */
#include "toolstack-glue/libxl-stream.h"
#include "toolstack-glue/stream-show.h"
#include "save/machine-state.h"
#include "save/stream.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static void render_value(GString *s, const DmJson *v, int indent);

static void render_object(GString *s, const DmJson *o, int indent)
{
    for (size_t i = 0; i < dm_json_length(o); i++) {
        const DmJson *v = dm_json_object_value(o, i);
        g_string_append_printf(s, "%*s%s", indent, "",
                               dm_json_object_key(o, i));
        if (dm_json_type(v) == DM_JSON_OBJECT) {
            g_string_append(s, ":\n");
            render_object(s, v, indent + 2);
        } else if (dm_json_type(v) == DM_JSON_ARRAY && dm_json_length(v) &&
                   dm_json_type(dm_json_array_get(v, 0)) == DM_JSON_OBJECT) {
            g_string_append(s, ":\n");
            for (size_t j = 0; j < dm_json_length(v); j++) {
                g_string_append_printf(s, "%*s[%zu]\n", indent + 2, "", j);
                render_object(s, dm_json_array_get(v, j), indent + 4);
            }
        } else {
            g_string_append(s, " = ");
            render_value(s, v, indent);
            g_string_append_c(s, '\n');
        }
    }
}

static void render_value(GString *s, const DmJson *v, int indent)
{
    switch (dm_json_type(v)) {
    case DM_JSON_ARRAY:
        g_string_append_c(s, '[');
        for (size_t j = 0; j < dm_json_length(v); j++) {
            g_string_append(s, j ? ", " : "");
            render_value(s, dm_json_array_get(v, j), indent);
        }
        g_string_append_c(s, ']');
        break;
    case DM_JSON_STRING:
        g_string_append(s, dm_json_get_string(v));
        break;
    case DM_JSON_INT: {
        int64_t i = dm_json_get_int(v);
        g_string_append_printf(s, "%" G_GINT64_FORMAT, i);
        if (i > 9) {
            g_string_append_printf(s, " (0x%" G_GINT64_MODIFIER "x)", i);
        }
        break;
    }
    default: {
        g_autofree char *t = dm_json_to_string(v, false);
        g_string_append(s, t);
        break;
    }
    }
}

/* Lookups that tolerate a document cut short by an error. */
static const char *jstr(const DmJson *o, const char *key)
{
    const DmJson *v = dm_json_object_get(o, key);

    return v && dm_json_type(v) == DM_JSON_STRING ? dm_json_get_string(v)
                                                  : "?";
}

static int64_t jint(const DmJson *o, const char *key)
{
    const DmJson *v = dm_json_object_get(o, key);

    return v && dm_json_type(v) == DM_JSON_INT ? dm_json_get_int(v) : -1;
}

static void render_record(GString *s, const DmJson *rec)
{
    const char *kind = jstr(rec, "record");
    int64_t at = jint(rec, "offset");
    const DmJson *fields = dm_json_object_get(rec, "fields");

    if (!strcmp(kind, "section")) {
        g_string_append_printf(s, "0x%08" G_GINT64_MODIFIER "x section '%s' "
                               "instance %" G_GINT64_FORMAT " version %"
                               G_GINT64_FORMAT " (%s table)\n", at,
            jstr(rec, "idstr"), jint(rec, "instance"), jint(rec, "version"),
            jstr(rec, "table"));
        if (fields) {
            render_object(s, fields, 4);
        }
        return;
    }
    g_string_append_printf(s, "0x%08" G_GINT64_MODIFIER "x %s\n", at, kind);
    for (size_t i = 0; i < dm_json_length(rec); i++) {
        const char *k = dm_json_object_key(rec, i);
        if (strcmp(k, "record") && strcmp(k, "offset")) {
            g_autoptr(DmJson) one = dm_json_new_object();
            dm_json_object_set(one, k,
                               dm_json_copy(dm_json_object_value(rec, i)));
            render_object(s, one, 4);
        }
    }
}

static void render_text(const DmJson *doc)
{
    g_autoptr(GString) s = g_string_new(NULL);
    const DmJson *image = dm_json_object_get(doc, "image");
    const DmJson *state = dm_json_object_get(doc, "state");

    g_string_append_printf(s, "%s: %s\n", jstr(doc, "file"),
                           jstr(doc, "format"));
    if (image) {
        render_object(s, image, 2);
    }
    if (state) {
        const DmJson *recs = dm_json_object_get(state, "records");
        g_string_append_printf(s, "QEVM v3 state at offset 0x%"
                               G_GINT64_MODIFIER "x, %" G_GINT64_FORMAT
                               " bytes, read as machine %s\n",
            jint(state, "offset"), jint(state, "length"),
            jstr(state, "machine"));
        for (size_t i = 0; recs && i < dm_json_length(recs); i++) {
            render_record(s, dm_json_array_get(recs, i));
        }
    }
    fputs(s->str, stdout);
}

typedef struct {
    DmJson *records;
} ImageShow;

static void image_record(void *opaque, const GlueRecord *rec)
{
    ImageShow *is = opaque;
    DmJson *r = dm_json_new_object();
    const char *name = glue_record_name(rec->type);
    GlueEmulator e;

    dm_json_object_set(r, "offset", glue_json_u64(rec->offset));
    if (name) {
        dm_json_object_set_string(r, "type", name);
    } else {
        g_autofree char *u = g_strdup_printf("unknown optional 0x%x (skipped)",
                                             rec->type);
        dm_json_object_set_string(r, "type", u);
    }
    dm_json_object_set_int(r, "length", rec->length);
    if ((rec->type == GLUE_REC_EMULATOR_CONTEXT ||
         rec->type == GLUE_REC_EMULATOR_XENSTORE_DATA) &&
        glue_emulator_get(rec, &e, NULL)) {
        dm_json_object_set_string(r, "emulator", glue_emulator_name(e.id));
        dm_json_object_set_int(r, "index", e.index);
    }
    dm_json_array_add(is->records, r);
}

static bool is_xl(const uint8_t *d, size_t n)
{
    return n >= GLUE_XL_MAGIC_LEN && !memcmp(d, GLUE_XL_MAGIC,
                                              GLUE_XL_MAGIC_LEN);
}

static bool is_libxl(const uint8_t *d, size_t n)
{
    return n >= 8 && !memcmp(d, "LibxlFmt", 8);
}

/* The image around a state, or FALSE with *img->emulator unset. */
static gboolean parse_image(const uint8_t *d, size_t n, GlueImage *img,
                            DmJson *doc, GError **errp)
{
    ImageShow is = { .records = dm_json_new_array() };
    DmJson *image = dm_json_new_object();
    gboolean ok;

    ok = glue_image_parse(d, n, is_xl(d, n), img, image_record, &is, errp);
    if (doc) {
        if (img->xl) {
            DmJson *x = dm_json_new_object();
            dm_json_object_set_int(x, "mandatory_flags",
                                   img->xl_header.mandatory_flags);
            dm_json_object_set_int(x, "config_length",
                                   img->xl_header.config_len);
            dm_json_object_set(image, "xl_header", x);
        }
        dm_json_object_set(image, "libxl_offset",
                           glue_json_u64(img->libxl_offset));
        dm_json_object_set(image, "records", is.records);
        if (img->libxc) {
            DmJson *x = dm_json_new_object();
            dm_json_object_set(x, "offset", glue_json_u64(img->libxc_offset));
            dm_json_object_set(x, "length", glue_json_u64(img->libxc_len));
            dm_json_object_set_int(x, "version", img->libxc_version);
            dm_json_object_set_string(x, "domain",
                img->libxc_domain_type == 2 ? "x86 HVM" :
                img->libxc_domain_type == 1 ? "x86 PV" : "unknown");
            dm_json_object_set_int(x, "records", img->libxc_records);
            dm_json_object_set(image, "libxc", x);
        }
        dm_json_object_set(doc, "image", image);
    } else {
        dm_json_free(is.records);
        dm_json_free(image);
    }
    if (ok && !img->emulator) {
        g_set_error(errp, GLUE_ERROR, 0,
                    "no EMULATOR_CONTEXT record in the image (records end "
                    "at offset 0x%" G_GINT64_MODIFIER "x)", img->end_offset);
        return FALSE;
    }
    return ok;
}

static GMappedFile *map_file(const char *path, GError **errp)
{
    GMappedFile *f = g_mapped_file_new(path, FALSE, errp);

    if (!f) {
        return NULL;
    }
    return f;
}

static int cmd_show(GlueTool *t, const char *path)
{
    g_autoptr(GError) err = NULL;
    g_autoptr(GMappedFile) f = map_file(path, &err);
    g_autoptr(DmJson) doc = dm_json_new_object();
    const uint8_t *d;
    size_t n;
    gboolean ok;

    if (!f) {
        fprintf(stderr, "stubdm-stream: %s\n", err->message);
        return 1;
    }
    d = (const uint8_t *)g_mapped_file_get_contents(f);
    n = g_mapped_file_get_length(f);
    t->progress_total = n;
    dm_json_object_set_string(doc, "file", path);
    if (is_xl(d, n) || is_libxl(d, n)) {
        GlueImage img;
        dm_json_object_set_string(doc, "format", is_xl(d, n) ?
                                  "xl save image" : "libxl stream v2");
        ok = parse_image(d, n, &img, doc, &err);
        if (ok) {
            DmJson *state = dm_json_new_object();
            dm_json_object_set(doc, "state", state);
            ok = glue_show_qevm(t, img.emu.data, img.emu.len, img.emu_offset,
                           state, &err);
        }
    } else {
        DmJson *state = dm_json_new_object();
        dm_json_object_set_string(doc, "format", "QEVM stream");
        dm_json_object_set(doc, "state", state);
        ok = glue_show_qevm(t, d, n, 0, state, &err);
    }
    if (!ok) {
        dm_json_object_set_string(doc, "error", err->message);
    }
    if (t->json) {
        g_autofree char *s = dm_json_to_string(doc, true);
        printf("%s\n", s);
    } else {
        render_text(doc);
    }
    if (!ok) {
        fprintf(stderr, "stubdm-stream: %s: %s\n", path, err->message);
        return 1;
    }
    return 0;
}

static int memfd_with(const uint8_t *d, size_t n)
{
    int fd = memfd_create("stubdm-stream", MFD_CLOEXEC);
    size_t done = 0;

    while (fd >= 0 && done < n) {
        ssize_t w = write(fd, d + done, n - done);
        if (w <= 0) {
            close(fd);
            return -1;
        }
        done += (size_t)w;
    }
    if (fd >= 0 && lseek(fd, 0, SEEK_SET) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

static int cmd_check(GlueTool *t, const char *path)
{
    g_autoptr(GError) err = NULL;
    g_autoptr(GMappedFile) f = map_file(path, &err);
    const uint8_t *d;
    size_t n;
    DmMachine *m;
    int fd;
    gboolean ok;

    if (!f) {
        fprintf(stderr, "stubdm-stream: %s\n", err->message);
        return 1;
    }
    d = (const uint8_t *)g_mapped_file_get_contents(f);
    n = g_mapped_file_get_length(f);
    if (is_xl(d, n) || is_libxl(d, n)) {
        GlueImage img;
        if (!parse_image(d, n, &img, NULL, &err)) {
            fprintf(stderr, "stubdm-stream: %s: %s\n", path, err->message);
            return 1;
        }
        d = img.emu.data;
        n = img.emu.len;
    }
    m = glue_tool_machine(t, d, n, &err);
    if (!m) {
        fprintf(stderr, "stubdm-stream: %s\n", err->message);
        return 1;
    }
    fd = memfd_with(d, n);
    if (fd < 0) {
        fprintf(stderr, "stubdm-stream: memfd: %s\n", g_strerror(errno));
        dm_machine_free(m);
        return 1;
    }
    ok = load_machine_state(m, fd, NULL, &err);
    close(fd);
    dm_machine_free(m);
    if (!ok) {
        fprintf(stderr, "stubdm-stream: %s: %s\n", path, err->message);
        return 1;
    }
    printf("%s: OK\n", path);
    return 0;
}

static gboolean write_all(GlueTool *t, const char *path, const uint8_t *d,
                          size_t n, GError **errp)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    size_t done = 0;

    if (fd < 0) {
        g_set_error(errp, GLUE_ERROR, 0, "%s: %s", path, g_strerror(errno));
        return FALSE;
    }
    t->progress_total = n;
    while (done < n) {
        ssize_t w = write(fd, d + done, MIN(n - done, (size_t)(8u << 20)));
        if (w < 0 && errno == EINTR) {
            continue;
        }
        if (w <= 0) {
            g_set_error(errp, GLUE_ERROR, 0, "%s: %s", path,
                        w < 0 ? g_strerror(errno) : "short write");
            close(fd);
            return FALSE;
        }
        done += (size_t)w;
        glue_tool_progress(t, done);
    }
    if (close(fd) < 0) {
        g_set_error(errp, GLUE_ERROR, 0, "%s: %s", path, g_strerror(errno));
        return FALSE;
    }
    return TRUE;
}

static int cmd_extract(GlueTool *t, const char *path)
{
    g_autoptr(GError) err = NULL;
    g_autoptr(GMappedFile) f = map_file(path, &err);
    GlueImage img;

    if (!f || !parse_image((const uint8_t *)g_mapped_file_get_contents(f),
                           g_mapped_file_get_length(f), &img, NULL, &err) ||
        !write_all(t, t->output, img.emu.data, img.emu.len, &err)) {
        fprintf(stderr, "stubdm-stream: %s: %s\n", path, err->message);
        return 1;
    }
    return 0;
}

static int cmd_wrap(GlueTool *t, const char *path)
{
    g_autoptr(GError) err = NULL;
    g_autoptr(GMappedFile) f = map_file(path, &err);
    g_autofree char *config = NULL;
    g_autoptr(GByteArray) img = NULL;
    const uint8_t *d;
    size_t n;

    if (!f) {
        fprintf(stderr, "stubdm-stream: %s\n", err->message);
        return 1;
    }
    d = (const uint8_t *)g_mapped_file_get_contents(f);
    n = g_mapped_file_get_length(f);
    if (n < 8 || memcmp(d, "QEVM", 4)) {
        fprintf(stderr, "stubdm-stream: %s: not a QEVM stream (no magic at "
                "offset 0)\n", path);
        return 1;
    }
    if (t->config && !g_file_get_contents(t->config, &config, NULL, &err)) {
        fprintf(stderr, "stubdm-stream: %s\n", err->message);
        return 1;
    }
    img = glue_image_build(d, n, config);
    if (!write_all(t, t->output, img->data, img->len, &err)) {
        fprintf(stderr, "stubdm-stream: %s\n", err->message);
        return 1;
    }
    return 0;
}

static int usage(void)
{
    fprintf(stderr,
        "usage: stubdm-stream show [--json] [--machine TYPE] [--xen] FILE\n"
        "       stubdm-stream check [--machine TYPE] [--xen] [--memory MIB] "
        "[--skip-unemulated] FILE\n"
        "       stubdm-stream extract IMAGE -o STATE\n"
        "       stubdm-stream wrap [--config JSON-FILE] STATE -o IMAGE\n"
        "FILE is a QEVM v3 stream, a libxl v2 stream or an xl save image.\n");
    return 2;
}

int main(int argc, char **argv)
{
    GlueTool t = { .last_percent = -1 };
    const char *cmd, *file = NULL;

    if (argc < 2) {
        return usage();
    }
    cmd = argv[1];
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        bool more = i + 1 < argc;
        if (!strcmp(a, "--json")) {
            t.json = true;
        } else if (!strcmp(a, "--skip-unemulated")) {
            t.skip_unemulated = true;
        } else if (!strcmp(a, "--xen")) {
            t.xen = true;
        } else if (!strcmp(a, "--machine") && more) {
            t.machine = argv[++i];
        } else if (!strcmp(a, "--memory") && more) {
            t.memory = argv[++i];
        } else if (!strcmp(a, "--config") && more) {
            t.config = argv[++i];
        } else if (!strcmp(a, "-o") && more) {
            t.output = argv[++i];
        } else if (a[0] == '-' || file) {
            return usage();
        } else {
            file = a;
        }
    }
    if (!file) {
        return usage();
    }
    if (!strcmp(cmd, "show")) {
        return cmd_show(&t, file);
    } else if (!strcmp(cmd, "check")) {
        return cmd_check(&t, file);
    } else if (!strcmp(cmd, "extract") && t.output) {
        return cmd_extract(&t, file);
    } else if (!strcmp(cmd, "wrap") && t.output) {
        return cmd_wrap(&t, file);
    }
    return usage();
}
