/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Firmware lookup and loading (QEMU 7.2 hw/i386/x86.c x86_bios_rom_init). */
#include "pc-bios/firmware.h"

#include <string.h>

G_DEFINE_QUARK(firmware-error-quark, firmware_error)

#define KIB 1024u

char *firmware_find(const char *name, GError **errp)
{
    const char *env = g_getenv("STUBDM_FIRMWARE_DIR");
    const char *dirs[] = { env, "/usr/share/seabios", "/usr/share/qemu" };
    g_autoptr(GString) looked = g_string_new(NULL);

    if (strchr(name, '/')) {
        if (g_file_test(name, G_FILE_TEST_IS_REGULAR)) {
            return g_strdup(name);
        }
        g_set_error(errp, FIRMWARE_ERROR, 0, "firmware '%s' not found",
                    name);
        return NULL;
    }
    for (size_t i = 0; i < G_N_ELEMENTS(dirs); i++) {
        g_autofree char *path = NULL;
        if (!dirs[i] || !dirs[i][0]) {
            continue;
        }
        path = g_build_filename(dirs[i], name, NULL);
        if (g_file_test(path, G_FILE_TEST_IS_REGULAR)) {
            return g_steal_pointer(&path);
        }
        g_string_append_printf(looked, "%s%s", looked->len ? ", " : "",
                               dirs[i]);
    }
    g_set_error(errp, FIRMWARE_ERROR, 0,
                "firmware '%s' not found (looked in %s; Debian's package "
                "seabios has it, -bios PATH names another)", name,
                looked->str);
    return NULL;
}

GBytes *firmware_load_bios(const char *name, GError **errp)
{
    g_autofree char *path = firmware_find(name, errp);
    g_autofree char *data = NULL;
    gsize len;

    if (!path || !g_file_get_contents(path, &data, &len, errp)) {
        return NULL;
    }
    if (len < 64 * KIB || len % (64 * KIB) || len > 16 * KIB * KIB) {
        g_set_error(errp, FIRMWARE_ERROR, 0,
                    "firmware %s: %zu bytes; a BIOS image is a multiple of "
                    "64 KiB up to 16 MiB", path, (size_t)len);
        return NULL;
    }
    return g_bytes_new_take(g_steal_pointer(&data), len);
}
