/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The test-hw binary: devices driven through their handlers, and the
 * section helpers the *-state.c files share.
 */
#include "test-hw.h"

#include <glib.h>
#include <string.h>

GByteArray *test_hw_encode(const SaveSection *s, void *opaque)
{
    g_autoptr(GError) err = NULL;
    GByteArray *out = g_byte_array_new();

    g_assert_true(save_encode(s, opaque, out, &err));
    g_assert_no_error(err);
    return out;
}


void test_hw_accepted(const SaveSection *s, void *live, size_t size,
                      int version, const uint8_t *p, size_t len)
{
    g_autoptr(GError) err = NULL;
    g_autofree void *scratch = g_memdup2(live, size);
    SaveReader r = { .data = p, .len = len };

    g_assert_true(save_decode(s, scratch, version, &r, SAVE_DECODE_CHECK,
                              &err));
    g_assert_no_error(err);
    g_assert_cmpuint(r.pos, ==, len);
}

void test_hw_load(const SaveSection *s, void *live, size_t size, int version,
                  const uint8_t *p, size_t len)
{
    g_autoptr(GError) err = NULL;
    SaveReader r = { .data = p, .len = len };

    test_hw_accepted(s, live, size, version, p, len);
    g_assert_true(save_decode(s, live, version, &r, SAVE_DECODE_APPLY,
                              &err));
    g_assert_no_error(err);
    g_assert_cmpuint(r.pos, ==, len);
}

void test_hw_refused(const SaveSection *s, void *live, size_t size,
                     int version, const uint8_t *p, size_t len,
                     const char *message)
{
    g_autoptr(GError) err = NULL;
    g_autofree void *snapshot = g_memdup2(live, size);
    g_autofree void *scratch = g_memdup2(live, size);
    SaveReader r = { .data = p, .len = len };

    g_assert_false(save_decode(s, scratch, version, &r, SAVE_DECODE_CHECK,
                               &err));
    g_assert_error(err, SAVE_ERROR, 0);
    if (!strstr(err->message, message)) {
        g_error("\"%s\" does not say \"%s\"", err->message, message);
    }
    g_assert_cmpmem(live, size, snapshot, size);
}

void test_hw_truncations(const SaveSection *s, void *live, size_t size,
                         int version, const uint8_t *ref, size_t len,
                         const TestHwCut *cuts)
{
    g_autoptr(GByteArray) before = test_hw_encode(s, live);
    g_autoptr(GByteArray) after = NULL;
    /* After the encode: pre_save hooks may refresh what they save. */
    g_autofree void *snapshot = g_memdup2(live, size);
    const TestHwCut *c = cuts;

    for (size_t cut = 0; cut < len; cut++) {
        g_autoptr(GError) err = NULL;
        g_autofree void *scratch = g_memdup2(live, size);
        SaveReader r = { .data = ref, .len = cut, .origin = 0x1000 };
        gboolean ok;

        while (c->end && cut >= c->end) {
            c++;
        }
        g_assert_cmpuint(c->end, >, 0);
        ok = save_decode(s, scratch, version, &r, SAVE_DECODE_CHECK, &err);
        if (!c->field) {
            g_assert_no_error(err);
            g_assert_true(ok);
            g_assert_cmpuint(r.pos, ==, c->stop);
        } else {
            g_autofree char *want = g_strdup_printf("section '%s': field "
                                                    "'%s'", c->section,
                                                    c->field);
            g_assert_false(ok);
            g_assert_error(err, SAVE_ERROR, 0);
            if (!strstr(err->message, want) ||
                !strstr(err->message, "offset 0x1")) {
                g_error("cut at %zu: \"%s\", expected %s", cut,
                        err->message, want);
            }
        }
        g_assert_cmpmem(live, size, snapshot, size);
    }
    after = test_hw_encode(s, live);
    g_assert_cmpmem(after->data, after->len, before->data, before->len);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    test_i8254_register();
    test_i8254_state_register();
    test_piix4_pm_register();
    test_piix4_pm_state_register();
    test_mc146818rtc_register();
    test_mc146818rtc_state_register();
    test_port92_register();
    test_pflash_register();
    test_xen_platform_register();
    test_pci_state_register();
    test_pflash_state_register();
    return g_test_run();
}
