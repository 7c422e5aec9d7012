/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * CFI01 (Intel command set) parallel flash, as QEMU 7.2's
 * hw/block/pflash_cfi01.c behaves with the properties hw/i386/pc_sysfw.c
 * gives it: width 1, no device width (so ID and CFI reads take the
 * "legacy" path: one table byte per offset & 0xff), 4 KiB sectors, ids 0,
 * little-endian. The buffered-write buffer is the 7.2.9+ stable one.
 *
 * In read-array mode the region is memory for reads and traps writes
 * (QEMU's romd); any write that leaves the chip in another mode makes
 * reads trap too, until a command returns it to read array.
 */
#include "hw/pflash-cfi01.h"
#include "dm/dm-error.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#define PFLASH_SIZE_LIMIT (8u * 1024 * 1024)  /* pc_sysfw: both units */
#define ISA_BIOS_MAX (128u * 1024)
#define RAM_4G (UINT64_C(1) << 32)

#define STATUS_READY 0x80
#define STATUS_ERASE_ERR 0x20
#define STATUS_PROGRAM_ERR 0x10

/* CFI query table; bytes not listed are 0 (QEMU fills nothing else). */
static void pflash_fill_cfi(Pflash *s)
{
    uint64_t blocks = s->size / PFLASH_SECTOR_SIZE;
    uint8_t *t = s->cfi;

    memset(t, 0, PFLASH_CFI_LEN);
    t[0x10] = 'Q';            /* "QRY" */
    t[0x11] = 'R';
    t[0x12] = 'Y';
    t[0x13] = 0x01;           /* primary command set: Intel/Sharp */
    t[0x15] = 0x31;           /* primary extended table at 0x31 */
    t[0x1b] = 0x45;           /* Vcc min 4.5 V */
    t[0x1c] = 0x55;           /* Vcc max 5.5 V */
    t[0x1f] = 0x07;           /* typical single-byte program 2^7 us */
    t[0x20] = 0x07;           /* typical buffer write 2^7 us */
    t[0x21] = 0x0a;           /* typical block erase 2^10 ms */
    t[0x23] = 0x04;           /* max timeouts: 2^4 times typical */
    t[0x24] = 0x04;
    t[0x25] = 0x04;
    t[0x27] = __builtin_ctzll(s->size);       /* device size, log2 */
    t[0x28] = 0x02;           /* interface: x8/x16 async */
    t[0x2a] = 0x08;           /* write buffer 2^8 bytes (bank width 1) */
    t[0x2c] = 0x01;           /* one uniform erase region */
    t[0x2d] = (blocks - 1) & 0xff;
    t[0x2e] = (blocks - 1) >> 8;
    t[0x2f] = (PFLASH_SECTOR_SIZE >> 8) & 0xff;
    t[0x30] = PFLASH_SECTOR_SIZE >> 16;
    t[0x31] = 'P';            /* primary extended table "PRI" 1.0 */
    t[0x32] = 'R';
    t[0x33] = 'I';
    t[0x34] = '1';
    t[0x35] = '0';
    t[0x3f] = 0x01;           /* one protection field */
}

static const DmRegionOps pflash_romd_ops;
static const DmRegionOps pflash_io_ops;

/* Read array maps memory for reads; other modes trap them. */
static void pflash_set_romd(Pflash *s, bool romd)
{
    uint64_t base;

    if (s->romd == romd && s->mem.ops) {
        return;
    }
    s->romd = romd;
    if (!dm_region_mapped(&s->mem)) {
        s->mem.ops = romd ? &pflash_romd_ops : &pflash_io_ops;
        return;
    }
    /* Remapped so the space's listener (Xen) sees the mode change. */
    base = s->mem.base;
    dm_space_unmap(&s->mem);
    s->mem.ops = romd ? &pflash_romd_ops : &pflash_io_ops;
    dm_space_map(s->machine->mem, &s->mem, base, 1);
}

static uint32_t pflash_data_read(Pflash *s, uint64_t offset, unsigned width)
{
    uint32_t v = 0;

    for (unsigned i = 0; i < width && offset + i < s->size; i++) {
        v |= (uint32_t)s->storage[offset + i] << (8 * i);
    }
    return v;
}

static uint64_t pflash_read(void *opaque, uint64_t offset, unsigned width)
{
    Pflash *s = opaque;
    uint32_t v;
    uint64_t boff = offset & 0xff;

    switch (s->cmd) {
    default:
        /* Not reachable from the guest; QEMU falls back to read array. */
        s->wcycle = 0;
        s->cmd = 0x00;
        /* fall through */
    case 0x00:
        return pflash_data_read(s, offset, width);
    case 0x10: case 0x20: case 0x28: case 0x40:
    case 0x50: case 0x60: case 0x70: case 0xe8:
        /* Status; without a device width a 32-bit read doubles it. */
        v = s->status;
        if (width > 2) {
            v |= (uint32_t)s->status << 16;
        }
        return v;
    case 0x90:
        /* Manufacturer and device ids: (id0 << 8 | id1), all 0 on pc. */
        return 0;
    case 0x98:
        return boff < PFLASH_CFI_LEN ? s->cfi[boff] : 0;
    }
}

/* Little-endian store; inside an open buffered write, into its buffer. */
static void pflash_data_write(Pflash *s, uint64_t offset, uint32_t value,
                              unsigned width)
{
    uint8_t *p;

    if (s->blk_offset != PFLASH_BLK_NONE) {
        if (offset < s->blk_offset ||
            offset + width > (uint64_t)s->blk_offset + PFLASH_WRITEBLOCK) {
            /* Straying out of the block drops it (the confirm fails). */
            s->status |= STATUS_PROGRAM_ERR;
            s->blk_offset = PFLASH_BLK_NONE;
            return;
        }
        p = s->blk_bytes + (offset - s->blk_offset);
    } else {
        if (offset + width > s->size) {
            return;
        }
        p = s->storage + offset;
    }
    for (unsigned i = 0; i < width; i++) {
        p[i] = value >> (8 * i);
    }
}

static void pflash_blk_start(Pflash *s, uint64_t offset)
{
    s->blk_offset = offset & ~(uint64_t)(PFLASH_WRITEBLOCK - 1);
    memcpy(s->blk_bytes, s->storage + s->blk_offset, PFLASH_WRITEBLOCK);
}

/* Confirmed: the buffer goes to the array, then durably to the file. */
static void pflash_blk_flush(Pflash *s)
{
    uint32_t off = s->blk_offset;

    memcpy(s->storage + off, s->blk_bytes, PFLASH_WRITEBLOCK);
    s->blk_offset = PFLASH_BLK_NONE;
    pflash_file_update(s, off, PFLASH_WRITEBLOCK, true);
}

static void pflash_write(void *opaque, uint64_t offset, uint64_t value64,
                         unsigned width)
{
    Pflash *s = opaque;
    uint32_t value = value64;
    uint8_t cmd = value;

    if (!s->wcycle) {
        pflash_set_romd(s, false);
    }
    switch (s->wcycle) {
    case 0:
        switch (cmd) {
        case 0x00:            /* QEMU's own name for read array */
        case 0xf0:            /* AMD reset/probe */
        case 0xff:            /* read array */
            goto read_array;
        case 0x10:            /* single byte program, setup */
        case 0x40:
        case 0x60:            /* block lock/unlock, setup */
        case 0x98:            /* CFI query */
            break;
        case 0x20:            /* block erase: done at setup, as QEMU */
            offset &= ~(uint64_t)(PFLASH_SECTOR_SIZE - 1);
            if (!s->ro) {
                memset(s->storage + offset, 0xff, PFLASH_SECTOR_SIZE);
                pflash_file_update(s, offset, PFLASH_SECTOR_SIZE, true);
            } else {
                s->status |= STATUS_ERASE_ERR;
            }
            s->status |= STATUS_READY;
            break;
        case 0x50:            /* clear status */
            s->status = 0;
            goto read_array;
        case 0x70:            /* read status */
        case 0x90:            /* read identifier */
            s->cmd = cmd;
            return;
        case 0xe8:            /* write to buffer */
            s->status |= STATUS_READY;
            break;
        default:
            goto error;
        }
        s->wcycle++;
        s->cmd = cmd;
        return;
    case 1:
        switch (s->cmd) {
        case 0x10:
        case 0x40:
            if (!s->ro) {
                pflash_data_write(s, offset, value, width);
                pflash_file_update(s, offset, width, false);
            } else {
                s->status |= STATUS_PROGRAM_ERR;
            }
            s->status |= STATUS_READY;
            s->wcycle = 0;
            return;
        case 0x20:
        case 0x28:
            if (cmd == 0xd0) {
                s->wcycle = 0;
                s->status |= STATUS_READY;
                return;
            }
            if (cmd == 0xff) {
                goto read_array;
            }
            goto error;
        case 0xe8:
            /* The count, masked to the bank width: bytes minus one. */
            s->counter = value & 0xff;
            s->wcycle++;
            return;
        case 0x60:
            /* Locks are not modelled: 0x01 and 0xd0 both just succeed. */
            if (cmd == 0xd0 || cmd == 0x01) {
                s->wcycle = 0;
                s->status |= STATUS_READY;
                return;
            }
            goto read_array;
        case 0x98:
            /* Anything but read array keeps query mode. */
            if (cmd == 0xff) {
                goto read_array;
            }
            return;
        default:
            goto error;
        }
    case 2:
        if (s->cmd != 0xe8) {
            goto error;
        }
        /* 7.2 stable: the block is the first data write's, if more follow. */
        if (s->blk_offset == PFLASH_BLK_NONE && s->counter) {
            pflash_blk_start(s, offset);
        }
        if (!s->ro && s->blk_offset != PFLASH_BLK_NONE) {
            pflash_data_write(s, offset, value, width);
        } else {
            s->status |= STATUS_PROGRAM_ERR;
        }
        s->status |= STATUS_READY;
        if (!s->counter) {
            s->wcycle++;
            return;
        }
        s->counter--;
        return;
    case 3:
        if (s->cmd != 0xe8) {
            s->blk_offset = PFLASH_BLK_NONE;
            goto error;
        }
        /* Without a buffer to commit (readonly, one byte, strayed), the
         * confirm returns to read array, as measured on QEMU 7.2.22. */
        if (cmd == 0xd0 && s->blk_offset != PFLASH_BLK_NONE) {
            pflash_blk_flush(s);
            s->wcycle = 0;
            s->status |= STATUS_READY;
            return;
        }
        s->blk_offset = PFLASH_BLK_NONE;
        goto read_array;
    default:
        goto read_array;
    }

error:
    /* An unknown sequence: QEMU logs it and returns to read array. */
read_array:
    pflash_set_romd(s, true);
    s->wcycle = 0;
    s->cmd = 0x00;
}

static const DmRegionOps pflash_romd_ops = {
    .write = pflash_write,
    .max_access = 4,
};

static const DmRegionOps pflash_io_ops = {
    .read = pflash_read,
    .write = pflash_write,
    .max_access = 4,
};

static bool pflash_present(DmMachine *m, unsigned unit)
{
    return m->opts->pflash[unit].file != NULL;
}

static bool pflash0_present(DmMachine *m)
{
    return pflash_present(m, 0);
}

static bool pflash1_present(DmMachine *m)
{
    return pflash_present(m, 1);
}

/* QEMU's pc_isa_bios_init: a read-only copy of flash0's last 128 KiB. */
static gboolean pflash_map_isa_bios(Pflash *s, GError **errp)
{
    uint64_t len = MIN(s->size, ISA_BIOS_MAX);

    s->isa_block = ram_block_new_local(s->machine->ram, "isa-bios", len, len,
                                       false, errp);
    if (!s->isa_block) {
        return FALSE;
    }
    memcpy(s->isa_block->host, s->storage + s->size - len, len);
    dm_region_init_ram(&s->isa_bios, "isa-bios", len, s->isa_block->host,
                       true);
    dm_space_map(s->machine->pci_mem, &s->isa_bios, 0x100000 - len, 1);
    return TRUE;
}

static gboolean pflash_realize_unit(DmMachine *m, Pflash *s, unsigned unit,
                                    GError **errp)
{
    Pflash *below = unit ? dm_machine_find_device(m, "pflash0") : NULL;
    uint64_t top = below ? below->mem.base : RAM_4G;

    s->machine = m;
    s->unit = unit;
    s->fd = -1;
    s->blk_offset = PFLASH_BLK_NONE;
    g_snprintf(s->name, sizeof(s->name), "system.flash%u", unit);
    if (unit && !below) {
        g_set_error(errp, DM_ERROR, DM_ERROR_INVALID,
                    "-drive if=pflash,unit=1: pflash1 requires pflash0");
        return FALSE;
    }
    s->path = g_strdup(m->opts->pflash[unit].file);
    s->ro = m->opts->pflash[unit].readonly;
    if (!pflash_file_open(s, errp)) {
        return FALSE;
    }
    if (RAM_4G - top + s->size > PFLASH_SIZE_LIMIT) {
        g_set_error(errp, DM_ERROR, DM_ERROR_INVALID,
                    "-drive if=pflash,unit=%u,file=%s: combined size of "
                    "system firmware exceeds %u bytes", unit, s->path,
                    PFLASH_SIZE_LIMIT);
        return FALSE;
    }
    s->block = ram_block_new_local(m->ram, s->name, s->size, s->size, false,
                                   errp);
    if (!s->block) {
        return FALSE;
    }
    s->storage = s->block->host;
    for (uint64_t off = 0; off < s->size;) {
        ssize_t n = pread(s->fd, s->storage + off, s->size - off, off);
        if (n <= 0) {
            g_set_error(errp, DM_ERROR, DM_ERROR_IO,
                        "-drive if=pflash,unit=%u,file=%s: reading: %s",
                        unit, s->path, n ? g_strerror(errno) : "short file");
            return FALSE;
        }
        off += n;
    }
    pflash_fill_cfi(s);
    dm_region_init_ram(&s->mem, s->name, s->size, s->storage, false);
    s->romd = true;
    s->mem.ops = &pflash_romd_ops;
    s->mem.opaque = s;
    /* Above pc.bios, should the board still load one. */
    dm_space_map(m->mem, &s->mem, top - s->size, 1);
    return unit ? TRUE : pflash_map_isa_bios(s, errp);
}

static void pflash_unrealize(void *opaque);

/* Written data reaches the disk when the VM stops (QEMU flushes drives). */
static void pflash_runstate(void *opaque, DmRunState state)
{
    if (state != DM_RUN_RUNNING) {
        pflash_file_sync(opaque);
    }
}

/* The board frees a device whose realize failed: undo what was mapped. */
static gboolean pflash_realize(DmMachine *m, Pflash *s, unsigned unit,
                               GError **errp)
{
    if (!pflash_realize_unit(m, s, unit, errp)) {
        pflash_unrealize(s);
        return FALSE;
    }
    dm_machine_add_runstate_listener(m, pflash_runstate, s);
    return TRUE;
}

static gboolean pflash0_realize(DmMachine *m, void *opaque, GError **errp)
{
    return pflash_realize(m, opaque, 0, errp);
}

static gboolean pflash1_realize(DmMachine *m, void *opaque, GError **errp)
{
    return pflash_realize(m, opaque, 1, errp);
}

static void pflash_reset(void *opaque)
{
    Pflash *s = opaque;

    s->cmd = 0x00;
    s->wcycle = 0;
    pflash_set_romd(s, true);
    s->status = STATUS_READY;
    s->blk_offset = PFLASH_BLK_NONE;
}

static void pflash_unrealize(void *opaque)
{
    Pflash *s = opaque;

    if (dm_region_mapped(&s->mem)) {
        dm_space_unmap(&s->mem);
    }
    if (dm_region_mapped(&s->isa_bios)) {
        dm_space_unmap(&s->isa_bios);
    }
    pflash_file_close(s);
}

static gboolean pflash_pre_save(void *opaque, GError **errp)
{
    pflash_file_sync(opaque);
    return TRUE;
}

static gboolean pflash_check(void *opaque, int version, GError **errp)
{
    Pflash *s = opaque;

    if (s->blk_offset != PFLASH_BLK_NONE &&
        (s->blk_offset % PFLASH_WRITEBLOCK ||
         s->blk_offset >= s->size)) {
        g_set_error(errp, SAVE_ERROR, 0, "blk_offset 0x%x outside the "
                    "0x%" G_GINT64_MODIFIER "x-byte flash or not aligned",
                    s->blk_offset, s->size);
        return FALSE;
    }
    return TRUE;
}

/*
 * QEMU 7.2 does not migrate the read mapping: its destination reads array
 * data, whatever command was loaded, until the guest's next write, and so
 * does stubdm's. The file gets the loaded image, since the destination
 * may not share the source's.
 */
static gboolean pflash_post_load(void *opaque, int version, GError **errp)
{
    Pflash *s = opaque;
    g_autoptr(GError) err = NULL;

    pflash_set_romd(s, true);
    if (!pflash_file_write_back(s, &err)) {
        g_printerr("stubdm: %s\n", err->message);
    }
    return TRUE;
}

static bool pflash_blk_needed(void *opaque)
{
    return ((Pflash *)opaque)->blk_offset != PFLASH_BLK_NONE;
}

/* QEMU 7.2.9+: blk_bytes is writeblock_size (256) long, not on the wire. */
static const SaveField pflash_blk_fields[] = {
    SAVE_FIELD_BUFFER(Pflash, blk_bytes),
    SAVE_FIELD_U32(Pflash, blk_offset),
    SAVE_END
};

static const SaveSection pflash_blk_section = {
    .name = "pflash_cfi01_blk_write",
    .version = 1,
    .minimum_version = 1,
    .fields = pflash_blk_fields,
    .needed = pflash_blk_needed,
};

static const SaveSection *const pflash_subsections[] = {
    &pflash_blk_section,
    NULL,
};

static const SaveField pflash_fields[] = {
    SAVE_FIELD_U8(Pflash, wcycle),
    SAVE_FIELD_U8(Pflash, cmd),
    SAVE_FIELD_U8(Pflash, status),
    SAVE_FIELD_U64(Pflash, counter),
    SAVE_END
};

static const SaveSection pflash_section = {
    .name = "pflash_cfi01",
    .version = 1,
    .minimum_version = 1,
    .fields = pflash_fields,
    .subsections = pflash_subsections,
    .pre_save = pflash_pre_save,
    .check = pflash_check,
    .post_load = pflash_post_load,
};

/* Two entries, instance ids 0 and 1 by their order in the board. */
const HwDeviceInfo pflash0_info = {
    .name = "pflash0",
    .instance_size = sizeof(Pflash),
    .present = pflash0_present,
    .realize = pflash0_realize,
    .reset = pflash_reset,
    .unrealize = pflash_unrealize,
    .state = &pflash_section,
};

const HwDeviceInfo pflash1_info = {
    .name = "pflash1",
    .instance_size = sizeof(Pflash),
    .present = pflash1_present,
    .realize = pflash1_realize,
    .reset = pflash_reset,
    .unrealize = pflash_unrealize,
    .state = &pflash_section,
};
