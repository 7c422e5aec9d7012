/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Shared by the option handlers of dm/options*.c. */
#ifndef DM_OPTIONS_INT_H
#define DM_OPTIONS_INT_H

#include "dm/options.h"

#define MIB (UINT64_C(1) << 20)
/* Xen's HVM_MAX_VCPUS: one ioreq slot per vCPU in a 4 KiB page. */
#define MAX_VCPUS 128

typedef gboolean OptFn(DmOptions *o, const char *opt, const char *arg,
                       GError **errp);

/* Each sets errp to "-OPT ARG: why" and returns FALSE. */
gboolean dm_opt_bad_value(GError **errp, const char *opt, const char *arg,
                          const char *why);
gboolean dm_opt_not_emulated(GError **errp, const char *opt,
                             const char *arg, const char *what);

GPtrArray *dm_opt_parse_kv(const char *opt, const char *arg,
                           const char *implied, GError **errp);
gboolean dm_opt_check_keys(GPtrArray *kv, const char *const *known,
                           const char *opt, const char *arg, GError **errp);
gboolean dm_opt_get_bool(GPtrArray *kv, const char *key, bool *out,
                         const char *opt, const char *arg, GError **errp);
gboolean dm_opt_set_string(char **field, const char *opt, const char *arg,
                           GError **errp);

void dm_chardev_config_free(gpointer p);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(DmChardevConfig, dm_chardev_config_free)

/* dm/options-board.c: what the machine is. */
OptFn dm_opt_accel;
OptFn dm_opt_machine;
OptFn dm_opt_m;
OptFn dm_opt_bios;
OptFn dm_opt_smp;
OptFn dm_opt_name;
OptFn dm_opt_boot;
OptFn dm_opt_rtc;

/* dm/options-chardev.c: sockets, monitors and qtest. */
OptFn dm_opt_chardev;
OptFn dm_opt_mon;
OptFn dm_opt_qmp;
OptFn dm_opt_qtest;

#endif
