/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What every fuzz target provides, for libFuzzer or standalone-main.c. */
#ifndef TESTS_FUZZ_H
#define TESTS_FUZZ_H

#include "dm/machine.h"

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * A qtest-accelerated i440FX machine with little RAM and nothing opened:
 * the context the QMP and qtest servers need, without sockets.
 */
DmMachine *fuzz_machine_new(void);

#endif
