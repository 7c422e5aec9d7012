/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Shared helpers of hw/ devices. */
#include "hw/hw.h"
