/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * "globalstate" (version 1): the run state the source had when the
 * migration began, so that a guest never started (prelaunch) or paused
 * stays so on the destination (qemu-stream.md A.3).
 */
#include "save/global-state.h"

#include <string.h>

/* QEMU 7.2's RunState names; stubdm has a subset of these states. */
static const char *const qemu_runstates[] = {
    "debug", "inmigrate", "internal-error", "io-error", "paused",
    "postmigrate", "prelaunch", "finish-migrate", "restore-vm", "running",
    "save-vm", "shutdown", "suspended", "watchdog", "guest-panicked", "colo",
};

/*
 * Always sent when the machine stores it (pc-i440fx-2.4 and newer, not
 * under Xen); otherwise only when it says more than running or paused.
 */
static bool global_state_needed(void *opaque)
{
    const SaveGlobalState *g = opaque;
    DmRunState s = g->m->migration.source_runstate;

    return g->m->compat.store_global_state ||
           (s != DM_RUN_RUNNING && s != DM_RUN_PAUSED);
}

static gboolean global_state_pre_save(void *opaque, GError **errp)
{
    SaveGlobalState *g = opaque;
    const char *name = dm_runstate_name(g->m->migration.source_runstate);

    memset(g->runstate, 0, sizeof(g->runstate));
    memcpy(g->runstate, name, strlen(name));
    g->size = (uint32_t)strlen(name) + 1;
    return TRUE;
}

/* QEMU's rules: a NUL within the buffer and a name it knows. */
static gboolean global_state_check(void *opaque, int version, GError **errp)
{
    const SaveGlobalState *g = opaque;
    const char *name = (const char *)g->runstate;

    if (g->size > sizeof(g->runstate) ||
        !memchr(g->runstate, 0, sizeof(g->runstate))) {
        g_set_error(errp, SAVE_ERROR, 0, "field 'runstate' is not a string "
                    "of at most %zu bytes (size %u)", sizeof(g->runstate),
                    g->size);
        return FALSE;
    }
    for (size_t i = 0; i < G_N_ELEMENTS(qemu_runstates); i++) {
        if (!strcmp(name, qemu_runstates[i])) {
            return TRUE;
        }
    }
    g_set_error(errp, SAVE_ERROR, 0, "field 'runstate' = '%.99s' is not a "
                "run state", name);
    return FALSE;
}

static gboolean global_state_post_load(void *opaque, int version,
                                       GError **errp)
{
    SaveGlobalState *g = opaque;
    DmRunState s;

    /* States stubdm lacks (an error or debug stop) are a stopped VM. */
    if (!dm_runstate_from_name((const char *)g->runstate, &s)) {
        s = DM_RUN_PAUSED;
    }
    g->m->migration.received_runstate = s;
    g->m->migration.runstate_received = true;
    return TRUE;
}

static const SaveField global_state_fields[] = {
    SAVE_FIELD_U32(SaveGlobalState, size),
    SAVE_FIELD_BUFFER(SaveGlobalState, runstate),
    SAVE_END
};

const SaveSection save_global_state_section = {
    .name = "globalstate",
    .version = 1,
    .minimum_version = 1,
    .fields = global_state_fields,
    .needed = global_state_needed,
    .pre_save = global_state_pre_save,
    .check = global_state_check,
    .post_load = global_state_post_load,
};
