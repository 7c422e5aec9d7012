/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The PIIX4 SMBus host controller: 64 ports, an empty bus behind it. */
#ifndef HW_PM_SMBUS_H
#define HW_PM_SMBUS_H

#include "dm/space.h"
#include "save/state.h"

#include <stdbool.h>
#include <stdint.h>

#define PM_SMBUS_IO_SIZE 64
#define PM_SMBUS_MAX_MSG_SIZE 32

/* The fields are QEMU 7.2's "pmsmb", in wire order. */
typedef struct PmSmbus {
    uint8_t smb_stat;         /* SMBHSTSTS */
    uint8_t smb_ctl;          /* SMBHSTCNT, without START */
    uint8_t smb_cmd;
    uint8_t smb_addr;         /* slave address << 1 | read */
    uint8_t smb_data0;
    uint8_t smb_data1;
    uint32_t smb_index;       /* position in smb_data */
    uint8_t smb_data[PM_SMBUS_MAX_MSG_SIZE];
    uint8_t smb_auxctl;       /* SMBAUXCTL: PEC, 32-byte block buffer */
    uint8_t smb_blkdata;      /* SMBBLKDAT in byte-by-byte mode */
    bool i2c_enable;
    bool op_done;             /* no block transfer in progress */
    bool in_i2c_block_read;
    bool start_transaction_on_status_read;
    /* Private to stubdm. */
    DmRegion io;              /* mapped by the owner */
} PmSmbus;

/* Power-on state; force_aux_blk: the 32-byte buffer is on from the start. */
void pm_smbus_init(PmSmbus *s, bool force_aux_blk);

extern const SaveSection pm_smbus_section;

#endif
