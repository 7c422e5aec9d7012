/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The error domain of dm/. */
#ifndef DM_ERROR_H
#define DM_ERROR_H

#include <glib.h>

#define DM_ERROR (dm_error_quark())
GQuark dm_error_quark(void);

typedef enum {
    DM_ERROR_INVALID,         /* bad option, value or request */
    DM_ERROR_NOT_EMULATED,    /* hardware or feature stubdm does not have */
    DM_ERROR_IO,              /* a host call failed */
    DM_ERROR_STATE,           /* not allowed in the current run state */
} DmErrorCode;

#endif
