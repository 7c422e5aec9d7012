/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The PIIX4 SMBus host controller (82371AB datasheet, 7.3), as QEMU 7.2's
 * hw/i2c/pm_smbus.c has it, including the ICH-style auxiliary control
 * register at 0x0d. No slave answers on stubdm's bus (QEMU has SPD EEPROMs
 * at 0x50-0x57): every transfer that addresses one ends in DEV_ERR, and a
 * receive from nobody reads 0xff.
 */
#include "hw/pm-smbus.h"

#define SMBHSTSTS 0x00
#define SMBHSTCNT 0x02
#define SMBHSTCMD 0x03
#define SMBHSTADD 0x04
#define SMBHSTDAT0 0x05
#define SMBHSTDAT1 0x06
#define SMBBLKDAT 0x07
#define SMBAUXCTL 0x0d

#define STS_HOST_BUSY 0x01
#define STS_INTR 0x02
#define STS_DEV_ERR 0x04
#define STS_FAILED 0x10
#define STS_BYTE_DONE 0x80

#define CTL_INTREN 0x01
#define CTL_KILL 0x02
#define CTL_LAST_BYTE 0x20
#define CTL_START 0x40
#define CTL_RETURN_MASK 0x1f

/* SMBHSTCNT bits 4:2. */
#define PROT_I2C_BLOCK_READ 6
#define PROT_BLOCK_DATA 5

#define AUX_BLK 0x02
#define AUX_MASK 0x03

/* What an empty bus hands back when a byte is clocked in. */
#define BUS_IDLE_BYTE 0xff

static uint8_t smbus_protocol(const PmSmbus *s)
{
    return (s->smb_ctl >> 2) & 7;
}

static void smbus_wrap_index(PmSmbus *s)
{
    if (s->smb_index >= PM_SMBUS_MAX_MSG_SIZE) {
        s->smb_index = 0;
    }
}

/*
 * Runs the command in SMBHSTCNT. Quick, byte, word and I2C block reads
 * need a slave to acknowledge its address, so they fail at once; a block
 * write in byte-by-byte mode first collects its bytes from the guest.
 */
static void smbus_transaction(PmSmbus *s)
{
    bool read = s->smb_addr & 1;

    if (s->smb_stat & STS_DEV_ERR) {
        return;
    }
    if (smbus_protocol(s) == PROT_BLOCK_DATA && !read) {
        if (s->smb_auxctl & AUX_BLK) {
            /* The buffer is complete; sending it finds no slave. */
            s->smb_index = 0;
        } else {
            s->op_done = false;
            s->smb_stat |= STS_HOST_BUSY | STS_BYTE_DONE;
            s->smb_data[0] = s->smb_blkdata;
            s->smb_index = 0;
            return;
        }
    }
    s->smb_stat |= STS_DEV_ERR;
}

static void smbus_transaction_start(PmSmbus *s)
{
    if (s->smb_ctl & CTL_INTREN) {
        smbus_transaction(s);
        s->start_transaction_on_status_read = false;
    } else {
        /*
         * QEMU defers the command to the next status read, because some
         * BIOSes wait for HOST_BUSY to appear before they poll for its end.
         */
        s->smb_stat |= STS_HOST_BUSY;
        s->start_transaction_on_status_read = true;
    }
}

/* Byte-by-byte transfers move one byte per BYTE_DONE acknowledgement. */
static bool smbus_byte_by_byte(const PmSmbus *s)
{
    if (s->op_done) {
        return false;
    }
    return s->in_i2c_block_read || !(s->smb_auxctl & AUX_BLK);
}

/* The guest cleared BYTE_DONE: hand over the next byte of the transfer. */
static void smbus_next_byte(PmSmbus *s)
{
    bool read = (s->smb_addr & 1) || s->in_i2c_block_read;

    s->smb_index++;
    smbus_wrap_index(s);
    if (!read && s->smb_index == s->smb_data0) {
        /* The last byte is in: the write finds no slave. */
        s->smb_stat |= STS_DEV_ERR;
    } else if (!read) {
        s->smb_data[s->smb_index] = s->smb_blkdata;
        s->smb_stat |= STS_BYTE_DONE;
    } else if (s->smb_ctl & CTL_LAST_BYTE) {
        s->op_done = true;
        if (s->in_i2c_block_read) {
            s->in_i2c_block_read = false;
            s->smb_blkdata = BUS_IDLE_BYTE;
        } else {
            s->smb_blkdata = s->smb_data[s->smb_index];
        }
        s->smb_index = 0;
        s->smb_stat |= STS_INTR;
        s->smb_stat &= ~STS_HOST_BUSY;
    } else {
        s->smb_blkdata = s->in_i2c_block_read ? BUS_IDLE_BYTE
                                              : s->smb_data[s->smb_index];
        s->smb_stat |= STS_BYTE_DONE;
    }
}

static void smbus_write(void *opaque, uint64_t addr, uint64_t val,
                        unsigned size)
{
    PmSmbus *s = opaque;
    uint8_t clear_byte_done;

    switch (addr) {
    case SMBHSTSTS:
        /* Write 1 to clear; HOST_BUSY is read-only. */
        clear_byte_done = s->smb_stat & val & STS_BYTE_DONE;
        s->smb_stat &= ~(val & ~STS_HOST_BUSY);
        if (clear_byte_done && smbus_byte_by_byte(s)) {
            smbus_next_byte(s);
        }
        break;
    case SMBHSTCNT:
        s->smb_ctl = val & ~CTL_START;
        if (val & CTL_START) {
            if (!s->op_done) {
                /* A new command abandons the transfer in progress. */
                s->smb_index = 0;
                s->op_done = true;
                s->in_i2c_block_read = false;
            }
            smbus_transaction_start(s);
        }
        if (s->smb_ctl & CTL_KILL) {
            s->op_done = true;
            s->smb_index = 0;
            s->smb_stat |= STS_FAILED;
            s->smb_stat &= ~STS_HOST_BUSY;
        }
        break;
    case SMBHSTCMD:
        s->smb_cmd = val;
        break;
    case SMBHSTADD:
        s->smb_addr = val;
        break;
    case SMBHSTDAT0:
        s->smb_data0 = val;
        break;
    case SMBHSTDAT1:
        s->smb_data1 = val;
        break;
    case SMBBLKDAT:
        smbus_wrap_index(s);
        if (s->smb_auxctl & AUX_BLK) {
            s->smb_data[s->smb_index++] = val;
        } else {
            s->smb_blkdata = val;
        }
        break;
    case SMBAUXCTL:
        s->smb_auxctl = val & AUX_MASK;
        break;
    default:
        break;
    }
}

static uint64_t smbus_read(void *opaque, uint64_t addr, unsigned size)
{
    PmSmbus *s = opaque;
    uint8_t val;

    switch (addr) {
    case SMBHSTSTS:
        val = s->smb_stat;
        if (s->start_transaction_on_status_read) {
            s->start_transaction_on_status_read = false;
            s->smb_stat &= ~STS_HOST_BUSY;
            smbus_transaction(s);
        }
        return val;
    case SMBHSTCNT:
        return s->smb_ctl & CTL_RETURN_MASK;
    case SMBHSTCMD:
        return s->smb_cmd;
    case SMBHSTADD:
        return s->smb_addr;
    case SMBHSTDAT0:
        return s->smb_data0;
    case SMBHSTDAT1:
        return s->smb_data1;
    case SMBBLKDAT:
        if (!(s->smb_auxctl & AUX_BLK) || s->in_i2c_block_read) {
            return s->smb_blkdata;
        }
        smbus_wrap_index(s);
        val = s->smb_data[s->smb_index++];
        if (!s->op_done && s->smb_index == s->smb_data0) {
            s->op_done = true;
            s->smb_index = 0;
            s->smb_stat &= ~STS_HOST_BUSY;
        }
        return val;
    case SMBAUXCTL:
        return s->smb_auxctl;
    default:
        return 0;
    }
}

static const DmRegionOps smbus_ops = {
    .read = smbus_read,
    .write = smbus_write,
    .max_access = 1,
};

void pm_smbus_init(PmSmbus *s, bool force_aux_blk)
{
    dm_region_init_io(&s->io, "pm-smbus", PM_SMBUS_IO_SIZE, &smbus_ops, s);
    s->op_done = true;
    if (force_aux_blk) {
        s->smb_auxctl |= AUX_BLK;
    }
}

static const SaveField pm_smbus_fields[] = {
    SAVE_FIELD_U8(PmSmbus, smb_stat),
    SAVE_FIELD_U8(PmSmbus, smb_ctl),
    SAVE_FIELD_U8(PmSmbus, smb_cmd),
    SAVE_FIELD_U8(PmSmbus, smb_addr),
    SAVE_FIELD_U8(PmSmbus, smb_data0),
    SAVE_FIELD_U8(PmSmbus, smb_data1),
    SAVE_FIELD_U32(PmSmbus, smb_index),
    SAVE_FIELD_U8_ARRAY(PmSmbus, smb_data, PM_SMBUS_MAX_MSG_SIZE),
    SAVE_FIELD_U8(PmSmbus, smb_auxctl),
    SAVE_FIELD_U8(PmSmbus, smb_blkdata),
    SAVE_FIELD_BOOL(PmSmbus, i2c_enable),
    SAVE_FIELD_BOOL(PmSmbus, op_done),
    SAVE_FIELD_BOOL(PmSmbus, in_i2c_block_read),
    SAVE_FIELD_BOOL(PmSmbus, start_transaction_on_status_read),
    SAVE_END
};

/* Nested in "piix4_pm"; smb_index is not checked, every use wraps it. */
const SaveSection pm_smbus_section = {
    .name = "pmsmb",
    .version = 1,
    .minimum_version = 1,
    .fields = pm_smbus_fields,
};
