/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Firmware images: where stubdm looks for them (Debian's seabios package). */
#ifndef PC_BIOS_FIRMWARE_H
#define PC_BIOS_FIRMWARE_H

#include <glib.h>

/*
 * The path of name: as given when it contains a '/', else the first of
 * $STUBDM_FIRMWARE_DIR, /usr/share/seabios, /usr/share/qemu that has it.
 * A missing image is an error naming it and every place looked in.
 */
char *firmware_find(const char *name, GError **errp);

/*
 * Reads a BIOS image (a multiple of 64 KiB, 64 KiB to 16 MiB, as QEMU's
 * x86_bios_rom_init wants). Caller unrefs.
 */
GBytes *firmware_load_bios(const char *name, GError **errp);

#define FIRMWARE_ERROR (firmware_error_quark())
GQuark firmware_error_quark(void);

#endif
