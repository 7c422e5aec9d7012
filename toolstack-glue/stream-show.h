/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * stubdm-stream's reading of a QEVM stream: every section decoded with
 * the state tables (the machine's devices, then save/foreign/), as JSON.
 */
#ifndef GLUE_STREAM_SHOW_H
#define GLUE_STREAM_SHOW_H

#include "dm/json.h"
#include "dm/machine.h"

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct GlueTool {
    const char *machine;      /* --machine, or NULL */
    const char *memory;       /* --memory (MiB), or NULL */
    bool json;
    bool skip_unemulated;
    bool xen;                 /* --xen: the source served a Xen guest */
    const char *output;
    const char *config;
    int last_percent;
    uint64_t progress_total;
} GlueTool;

/* Progress on stderr for large inputs, when stderr is a terminal. */
void glue_tool_progress(GlueTool *t, uint64_t done);
/* Integers beyond int64 become decimal strings. */
DmJson *glue_json_u64(uint64_t v);
/*
 * The machine a state is read against: --machine, else the stream's
 * configuration section, else "pc"; qtest-accelerated, nothing started.
 */
DmMachine *glue_tool_machine(GlueTool *t, const uint8_t *state, size_t len,
                             GError **errp);
/*
 * Decodes the stream at data (origin: its offset in the file) into out:
 * machine, records with fields. On error out holds what was read.
 */
gboolean glue_show_qevm(GlueTool *t, const uint8_t *data, size_t len,
                        uint64_t origin, DmJson *out, GError **errp);

#endif
