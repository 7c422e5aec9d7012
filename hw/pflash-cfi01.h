/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * CFI01 parallel flash for UEFI code (unit 0) and variables (unit 1),
 * configured as QEMU 7.2's pc machine has it: bank width 1, device width
 * unset, 4 KiB sectors, all ids 0.
 */
#ifndef HW_PFLASH_CFI01_H
#define HW_PFLASH_CFI01_H

#include "hw/hw.h"

#define PFLASH_SECTOR_SIZE 4096u
/* 2^cfi[0x2a]: 256 bytes for a bank width of 1. */
#define PFLASH_WRITEBLOCK 256u
#define PFLASH_CFI_LEN 0x52u
/* blk_offset while no buffered write is open. */
#define PFLASH_BLK_NONE UINT32_MAX

typedef struct Pflash {
    /* Guest-visible, saved ("pflash_cfi01" v1 and its subsection). */
    uint8_t wcycle;           /* cycle of a multi-cycle command */
    uint8_t cmd;              /* 0x00: read array */
    uint8_t status;           /* 0x80 ready, 0x20 erase, 0x10 program err */
    uint64_t counter;         /* buffered write: bytes left minus one */
    uint8_t blk_bytes[PFLASH_WRITEBLOCK];
    uint32_t blk_offset;      /* open buffered block, or PFLASH_BLK_NONE */

    /* Private to stubdm. */
    DmMachine *machine;
    unsigned unit;
    char name[16];            /* "system.flash0" */
    RamBlock *block;
    uint8_t *storage;         /* block->host */
    uint64_t size;
    uint8_t cfi[PFLASH_CFI_LEN];
    bool ro;
    bool romd;                /* read array: reads hit memory directly */
    DmRegion mem;
    RamBlock *isa_block;      /* unit 0: "isa-bios", a copy of its tail */
    DmRegion isa_bios;
    /* Backing file (hw/pflash-file.c). */
    char *path;
    int fd;                   /* -1: none, or readonly (never written) */
    bool unsynced;            /* written since the last fdatasync */
    guint sync_source;        /* GLib timeout flushing unsynced writes */
} Pflash;

extern const HwDeviceInfo pflash0_info;
extern const HwDeviceInfo pflash1_info;

/* hw/pflash-file.c: the backing file. */
gboolean pflash_file_open(Pflash *s, GError **errp);
/* [offset, offset + len) of storage to the file; sync: fdatasync now. */
void pflash_file_update(Pflash *s, uint64_t offset, uint64_t len, bool sync);
void pflash_file_sync(Pflash *s);
/* Replaces the file with the whole image: temporary, fsync, rename. */
gboolean pflash_file_write_back(Pflash *s, GError **errp);
void pflash_file_close(Pflash *s);

#endif
