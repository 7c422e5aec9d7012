/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The "globalstate" section: the source's run state. */
#ifndef SAVE_GLOBAL_STATE_H
#define SAVE_GLOBAL_STATE_H

#include "dm/machine.h"
#include "save/state.h"

typedef struct SaveGlobalState {
    uint32_t size;            /* strlen + 1 */
    uint8_t runstate[100];    /* NUL-padded run state name */
    DmMachine *m;             /* source_runstate in, received_* out */
} SaveGlobalState;

extern const SaveSection save_global_state_section;

#endif
