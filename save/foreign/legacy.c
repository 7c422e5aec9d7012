/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Legacy PC devices stubdm does not emulate: floppy controller, PS/2, i8042,
 * VMware mouse, PIIX3 IDE, SMBus and SPD EEPROMs (qemu-stream.md A.2).
 */
#include "save/foreign/foreign-int.h"

/*
 * "fdc" (2, 2): an ISA wrapper whose only field is the controller, a
 * nested vmstate also named "fdc" that carries the subsections.
 */
#define FD_FIFO_SIZE 512      /* fifo_size: local, FD_SECTOR_LEN in 7.2 */
#define FD_MAX_DRIVES 2       /* MAX_FD */
#define FD_MSR_NONDMA 0x20
#define FD_MSR_DIO 0x40
#define FD_MSR_RQM 0x80

enum {
    FD_PHASE_RECONSTRUCT,     /* not received: derived from msr */
    FD_PHASE_COMMAND,
    FD_PHASE_EXECUTION,
    FD_PHASE_RESULT,
};

typedef struct {
    uint8_t head, track, sect;
    uint8_t media_changed;
    uint8_t media_rate;
    uint8_t perpendicular;
    bool check_media_rate;    /* property, on for every 7.2 PC machine */
} ForeignFdrive;

typedef struct {
    uint8_t sra, srb, dor, tdr, dsr, msr, status0, status1, status2;
    uint8_t fifo[FD_FIFO_SIZE];
    uint32_t data_pos, data_len;
    uint8_t data_state, data_dir, eot;
    uint8_t timer0, timer1, precomp_trk, config, lock, pwrd;
    uint8_t num_floppies;     /* EQUAL in QEMU; not compared here */
    ForeignFdrive drives[FD_MAX_DRIVES];
    int32_t reset_sensei;
    int64_t result_timer;     /* timer expiry, virtual ns */
    uint8_t phase;
} ForeignFdc;

typedef struct {
    ForeignFdc state;
} ForeignFdcIsa;

static bool fdrive_media_changed_needed(void *opaque)
{
    /* QEMU also wants a drive behind it; 1 is the power-on value. */
    return ((ForeignFdrive *)opaque)->media_changed != 1;
}

static bool fdrive_media_rate_needed(void *opaque)
{
    return ((ForeignFdrive *)opaque)->check_media_rate;
}

static bool fdrive_perpendicular_needed(void *opaque)
{
    return ((ForeignFdrive *)opaque)->perpendicular != 0;
}

static bool fdc_reset_sensei_needed(void *opaque)
{
    return ((ForeignFdc *)opaque)->reset_sensei != 0;
}

static bool fdc_result_timer_needed(void *opaque)
{
    return ((ForeignFdc *)opaque)->result_timer != -1;
}

/* The phase older QEMU derived from the main status register. */
static uint8_t fdc_reconstruct_phase(const ForeignFdc *s)
{
    if (s->msr & FD_MSR_NONDMA || !(s->msr & FD_MSR_RQM)) {
        return FD_PHASE_EXECUTION;
    }
    return s->msr & FD_MSR_DIO ? FD_PHASE_RESULT : FD_PHASE_COMMAND;
}

static bool fdc_phase_needed(void *opaque)
{
    ForeignFdc *s = opaque;

    return s->phase != FD_PHASE_RECONSTRUCT &&
           s->phase != fdc_reconstruct_phase(s);
}

FOREIGN_VMSD(fdrive_media_changed, "fdrive/media_changed", 1, 1,
             fdrive_media_changed_needed,
             SAVE_FIELD_U8(ForeignFdrive, media_changed));
FOREIGN_VMSD(fdrive_media_rate, "fdrive/media_rate", 1, 1,
             fdrive_media_rate_needed,
             SAVE_FIELD_U8(ForeignFdrive, media_rate));
FOREIGN_VMSD(fdrive_perpendicular, "fdrive/perpendicular", 1, 1,
             fdrive_perpendicular_needed,
             SAVE_FIELD_U8(ForeignFdrive, perpendicular));

static const SaveSection *const fdrive_subsections[] = {
    &fdrive_media_changed, &fdrive_media_rate, &fdrive_perpendicular, NULL,
};

static const SaveField fdrive_fields[] = {
    SAVE_FIELD_U8(ForeignFdrive, head),
    SAVE_FIELD_U8(ForeignFdrive, track),
    SAVE_FIELD_U8(ForeignFdrive, sect),
    SAVE_END
};

static const SaveSection fdrive_vmsd = {
    .name = "fdrive",
    .version = 1,
    .minimum_version = 1,
    .fields = fdrive_fields,
    .subsections = fdrive_subsections,
};

FOREIGN_VMSD(fdc_reset_sensei, "fdc/reset_sensei", 1, 1,
             fdc_reset_sensei_needed,
             SAVE_FIELD_I32(ForeignFdc, reset_sensei));
FOREIGN_VMSD(fdc_result_timer, "fdc/result_timer", 1, 1,
             fdc_result_timer_needed,
             SAVE_FIELD_I64(ForeignFdc, result_timer));
FOREIGN_VMSD(fdc_phase, "fdc/phase", 1, 1, fdc_phase_needed,
             SAVE_FIELD_U8(ForeignFdc, phase));

static const SaveSection *const fdc_subsections[] = {
    &fdc_reset_sensei, &fdc_result_timer, &fdc_phase, NULL,
};

static const SaveField fdc_fields[] = {
    SAVE_FIELD_U8(ForeignFdc, sra),
    SAVE_FIELD_U8(ForeignFdc, srb),
    SAVE_FIELD_U8(ForeignFdc, dor),
    SAVE_FIELD_U8(ForeignFdc, tdr),
    SAVE_FIELD_U8(ForeignFdc, dsr),
    SAVE_FIELD_U8(ForeignFdc, msr),
    SAVE_FIELD_U8(ForeignFdc, status0),
    SAVE_FIELD_U8(ForeignFdc, status1),
    SAVE_FIELD_U8(ForeignFdc, status2),
    SAVE_FIELD_U8_ARRAY(ForeignFdc, fifo, FD_FIFO_SIZE),
    SAVE_FIELD_U32(ForeignFdc, data_pos),
    SAVE_FIELD_U32(ForeignFdc, data_len),
    SAVE_FIELD_U8(ForeignFdc, data_state),
    SAVE_FIELD_U8(ForeignFdc, data_dir),
    SAVE_FIELD_U8(ForeignFdc, eot),
    SAVE_FIELD_U8(ForeignFdc, timer0),
    SAVE_FIELD_U8(ForeignFdc, timer1),
    SAVE_FIELD_U8(ForeignFdc, precomp_trk),
    SAVE_FIELD_U8(ForeignFdc, config),
    SAVE_FIELD_U8(ForeignFdc, lock),
    SAVE_FIELD_U8(ForeignFdc, pwrd),
    SAVE_FIELD_U8(ForeignFdc, num_floppies),
    FOREIGN_STRUCT_ARRAY_SINCE(ForeignFdc, drives, ForeignFdrive,
                               FD_MAX_DRIVES, fdrive_vmsd, 1),
    SAVE_END
};

static const SaveSection fdc_vmsd = {
    .name = "fdc",
    .version = 2,
    .minimum_version = 2,
    .fields = fdc_fields,
    .subsections = fdc_subsections,
};

static const SaveField fdc_isa_fields[] = {
    SAVE_FIELD_STRUCT(ForeignFdcIsa, state, ForeignFdc, fdc_vmsd),
    SAVE_END
};

static const SaveSection fdc_isa_section = {
    .name = "fdc",
    .version = 2,
    .minimum_version = 2,
    .fields = fdc_isa_fields,
};

static void fdc_init(void *opaque, const char *machine_type)
{
    ForeignFdc *s = &((ForeignFdcIsa *)opaque)->state;

    s->result_timer = -1;
    for (int i = 0; i < FD_MAX_DRIVES; i++) {
        s->drives[i].media_changed = 1;
        s->drives[i].check_media_rate = true;
    }
}

/* "PS2 Common State" (3, 2): the 256-byte queue both PS/2 devices have. */
typedef struct {
    int32_t write_cmd;
    int32_t rptr, wptr, count;
    uint8_t data[256];        /* PS2_BUFFER_SIZE */
} ForeignPs2;

FOREIGN_VMSD(ps2_common_vmsd, "PS2 Common State", 3, 2, NULL,
             SAVE_FIELD_I32(ForeignPs2, write_cmd),
             SAVE_FIELD_I32(ForeignPs2, rptr),
             SAVE_FIELD_I32(ForeignPs2, wptr),
             SAVE_FIELD_I32(ForeignPs2, count),
             SAVE_FIELD_BUFFER(ForeignPs2, data));

/* "ps2kbd" (3, 2). */
typedef struct {
    ForeignPs2 common;
    int32_t scan_enabled;
    int32_t translate;
    int32_t scancode_set;
    int32_t ledstate;
    bool need_high_bit;
    int32_t cwptr;            /* command reply queue; -1 empty */
} ForeignPs2Kbd;

static bool ps2kbd_ledstate_needed(void *opaque)
{
    return ((ForeignPs2Kbd *)opaque)->ledstate != 0;
}

static bool ps2kbd_need_high_bit_needed(void *opaque)
{
    return ((ForeignPs2Kbd *)opaque)->need_high_bit;
}

static bool ps2kbd_cqueue_needed(void *opaque)
{
    return ((ForeignPs2Kbd *)opaque)->cwptr != -1;
}

FOREIGN_VMSD(ps2kbd_ledstate, "ps2kbd/ledstate", 3, 2,
             ps2kbd_ledstate_needed,
             SAVE_FIELD_I32(ForeignPs2Kbd, ledstate));
FOREIGN_VMSD(ps2kbd_need_high_bit, "ps2kbd/need_high_bit", 1, 1,
             ps2kbd_need_high_bit_needed,
             SAVE_FIELD_BOOL(ForeignPs2Kbd, need_high_bit));
FOREIGN_VMSD(ps2kbd_cqueue, "ps2kbd/command_reply_queue", 0, 0,
             ps2kbd_cqueue_needed,
             SAVE_FIELD_I32(ForeignPs2Kbd, cwptr));

static const SaveSection *const ps2kbd_subsections[] = {
    &ps2kbd_ledstate, &ps2kbd_need_high_bit, &ps2kbd_cqueue, NULL,
};

static const SaveField ps2kbd_fields[] = {
    SAVE_FIELD_STRUCT(ForeignPs2Kbd, common, ForeignPs2, ps2_common_vmsd),
    SAVE_FIELD_I32(ForeignPs2Kbd, scan_enabled),
    SAVE_FIELD_I32(ForeignPs2Kbd, translate),
    SAVE_FIELD_I32_SINCE(ForeignPs2Kbd, scancode_set, 3),
    SAVE_END
};

static const SaveSection ps2kbd_section = {
    .name = "ps2kbd",
    .version = 3,
    .minimum_version = 2,
    .fields = ps2kbd_fields,
    .subsections = ps2kbd_subsections,
};

static void ps2kbd_init(void *opaque, const char *machine_type)
{
    ((ForeignPs2Kbd *)opaque)->cwptr = -1;
}

/* "ps2mouse" (2, 2). */
typedef struct {
    ForeignPs2 common;
    uint8_t status, resolution, sample_rate, wrap, type, detect_state;
    int32_t dx, dy, dz;
    uint8_t buttons;
} ForeignPs2Mouse;

static const SaveField ps2mouse_fields[] = {
    SAVE_FIELD_STRUCT(ForeignPs2Mouse, common, ForeignPs2, ps2_common_vmsd),
    SAVE_FIELD_U8(ForeignPs2Mouse, status),
    SAVE_FIELD_U8(ForeignPs2Mouse, resolution),
    SAVE_FIELD_U8(ForeignPs2Mouse, sample_rate),
    SAVE_FIELD_U8(ForeignPs2Mouse, wrap),
    SAVE_FIELD_U8(ForeignPs2Mouse, type),
    SAVE_FIELD_U8(ForeignPs2Mouse, detect_state),
    SAVE_FIELD_I32(ForeignPs2Mouse, dx),
    SAVE_FIELD_I32(ForeignPs2Mouse, dy),
    SAVE_FIELD_I32(ForeignPs2Mouse, dz),
    SAVE_FIELD_U8(ForeignPs2Mouse, buttons),
    SAVE_END
};

static const SaveSection ps2mouse_section = {
    .name = "ps2mouse",
    .version = 2,
    .minimum_version = 2,
    .fields = ps2mouse_fields,
};

/* "pckbd" (3, 3): ISA wrapper around the i8042 vmstate of the same name. */
#define KBD_STAT_OBF 0x01
#define KBD_STAT_MOUSE_OBF 0x20
#define KBD_OUT_RESET 0x01
#define KBD_OUT_A20 0x02
#define KBD_OUT_OBF 0x10
#define KBD_OUT_MOUSE_OBF 0x20

typedef struct {
    uint8_t write_cmd, status, mode, pending_tmp;
    uint8_t outport;          /* pckbd_outport; 0: not received */
    uint32_t migration_flags, obsrc;
    uint8_t obdata, cbdata;
    bool extended_state;      /* property; off for pc-i440fx-6.0 and older */
} ForeignKbd;

typedef struct {
    ForeignKbd kbd;
} ForeignKbdIsa;

static bool kbd_outport_needed(void *opaque)
{
    ForeignKbd *s = opaque;
    uint8_t dflt = KBD_OUT_RESET | KBD_OUT_A20 |
                   (s->status & KBD_STAT_OBF ? KBD_OUT_OBF : 0) |
                   (s->status & KBD_STAT_MOUSE_OBF ? KBD_OUT_MOUSE_OBF : 0);

    return s->outport && s->outport != dflt;
}

static bool kbd_extended_state_needed(void *opaque)
{
    return ((ForeignKbd *)opaque)->extended_state;
}

/* Named without the "pckbd/" slash; it still passes the prefix test. */
FOREIGN_VMSD(kbd_outport, "pckbd_outport", 1, 1, kbd_outport_needed,
             SAVE_FIELD_U8(ForeignKbd, outport));
FOREIGN_VMSD(kbd_extended_state, "pckbd/extended_state", 0, 0,
             kbd_extended_state_needed,
             SAVE_FIELD_U32(ForeignKbd, migration_flags),
             SAVE_FIELD_U32(ForeignKbd, obsrc),
             SAVE_FIELD_U8(ForeignKbd, obdata),
             SAVE_FIELD_U8(ForeignKbd, cbdata));

static const SaveSection *const kbd_subsections[] = {
    &kbd_outport, &kbd_extended_state, NULL,
};

static const SaveField kbd_fields[] = {
    SAVE_FIELD_U8(ForeignKbd, write_cmd),
    SAVE_FIELD_U8(ForeignKbd, status),
    SAVE_FIELD_U8(ForeignKbd, mode),
    SAVE_FIELD_U8(ForeignKbd, pending_tmp),
    SAVE_END
};

static const SaveSection kbd_vmsd = {
    .name = "pckbd",
    .version = 3,
    .minimum_version = 3,
    .fields = kbd_fields,
    .subsections = kbd_subsections,
};

static const SaveField kbd_isa_fields[] = {
    SAVE_FIELD_STRUCT(ForeignKbdIsa, kbd, ForeignKbd, kbd_vmsd),
    SAVE_END
};

static const SaveSection kbd_isa_section = {
    .name = "pckbd",
    .version = 3,
    .minimum_version = 3,
    .fields = kbd_isa_fields,
};

static void kbd_init(void *opaque, const char *machine_type)
{
    ((ForeignKbdIsa *)opaque)->kbd.extended_state =
        foreign_machine_at_least(machine_type, 6, 1);
}

/* "vmmouse" (0, 0); vmport is off under Xen. */
#define VMMOUSE_QUEUE_SIZE 1024

typedef struct {
    int32_t queue_size;       /* EQUAL 1024 in QEMU; not compared here */
    uint32_t queue[VMMOUSE_QUEUE_SIZE];
    uint16_t nb_queue;
    uint16_t status;
    uint8_t absolute;
} ForeignVmmouse;

static const SaveField vmmouse_fields[] = {
    SAVE_FIELD_I32(ForeignVmmouse, queue_size),
    SAVE_FIELD_U32_ARRAY(ForeignVmmouse, queue, VMMOUSE_QUEUE_SIZE),
    SAVE_FIELD_U16(ForeignVmmouse, nb_queue),
    SAVE_FIELD_U16(ForeignVmmouse, status),
    SAVE_FIELD_U8(ForeignVmmouse, absolute),
    SAVE_END
};

static const SaveSection vmmouse_section = {
    .name = "vmmouse",
    .version = 0,
    .minimum_version = 0,
    .fields = vmmouse_fields,
};

/* "ide" (3, 0) of the PIIX3 IDE function: 2 BMDMA, 2 buses, 4 drives. */
#define IDE_RETRY_COMPAT_BITS 0x78    /* DMA, PIO, READ, FLUSH retry */
#define IDE_DRQ_STAT 0x08
/* io_buffer_total_len: IDE_DMA_BUF_SECTORS (256) * 512 + 4, local. */
#define IDE_IO_BUFFER_LEN (256 * 512 + 4)

typedef struct {
    uint8_t cmd;
    uint8_t migration_compat_status;
    uint32_t addr;
    int64_t retry_sector_num;
    uint32_t retry_nsector;
    uint8_t retry_unit;
    uint32_t cur_addr, cur_prd_last, cur_prd_addr, cur_prd_len;
    uint8_t status;
} ForeignBmdma;

typedef struct {
    uint8_t cmd, unit;
    int32_t error_status;
    int64_t retry_sector_num;
    uint32_t retry_nsector;
    uint8_t retry_unit;
} ForeignIdeBus;

typedef struct {
    int32_t mult_sectors;
    int32_t identify_set;
    uint8_t identify_data[512];
    uint8_t feature, error;
    uint32_t nsector;
    uint8_t sector, lcyl, hcyl;
    uint8_t hob_feature, hob_sector, hob_nsector, hob_lcyl, hob_hcyl;
    uint8_t select, status, lba48, sense_key, asc, cdrom_changed;
    /* ide_drive/pio_state */
    int32_t req_nb_sectors;
    uint8_t io_buffer[IDE_IO_BUFFER_LEN];
    int32_t cur_io_buffer_offset, cur_io_buffer_len;
    uint8_t end_transfer_fn_idx;
    int32_t elementary_transfer_size, packet_transfer_size;
    bool tray_open, tray_locked;
    bool new_media, eject_request;
} ForeignIdeDrive;

typedef struct {
    ForeignPciDevice dev;
    ForeignBmdma bmdma[2];
    ForeignIdeBus bus[2];
    ForeignIdeDrive bus0_ifs[2];
    ForeignIdeDrive bus1_ifs[2];
} ForeignIde;

static bool bmdma_current_needed(void *opaque)
{
    return ((ForeignBmdma *)opaque)->cur_prd_len != 0;
}

static bool bmdma_status_needed(void *opaque)
{
    /* Older QEMU kept retry flags in these status bits. */
    return ((ForeignBmdma *)opaque)->status & IDE_RETRY_COMPAT_BITS;
}

static bool ide_bus_error_needed(void *opaque)
{
    return ((ForeignIdeBus *)opaque)->error_status != 0;
}

static bool ide_identify_set(void *opaque, int version)
{
    return ((ForeignIdeDrive *)opaque)->identify_set != 0;
}

static bool ide_pio_state_needed(void *opaque)
{
    /* QEMU also sends it for a PIO retry the bus remembers. */
    return ((ForeignIdeDrive *)opaque)->status & IDE_DRQ_STAT;
}

static bool ide_tray_state_needed(void *opaque)
{
    ForeignIdeDrive *s = opaque;

    return s->tray_open || s->tray_locked;
}

static bool ide_gesn_needed(void *opaque)
{
    ForeignIdeDrive *s = opaque;

    return s->new_media || s->eject_request;
}

/* "ide bmdma_current" passes the prefix test of "ide bmdma" as is. */
FOREIGN_VMSD(bmdma_current, "ide bmdma_current", 1, 1, bmdma_current_needed,
             SAVE_FIELD_U32(ForeignBmdma, cur_addr),
             SAVE_FIELD_U32(ForeignBmdma, cur_prd_last),
             SAVE_FIELD_U32(ForeignBmdma, cur_prd_addr),
             SAVE_FIELD_U32(ForeignBmdma, cur_prd_len));
FOREIGN_VMSD(bmdma_status, "ide bmdma/status", 1, 1, bmdma_status_needed,
             SAVE_FIELD_U8(ForeignBmdma, status));
FOREIGN_VMSD(ide_bus_error, "ide_bus/error", 2, 1, ide_bus_error_needed,
             SAVE_FIELD_I32(ForeignIdeBus, error_status),
             SAVE_FIELD_I64_SINCE(ForeignIdeBus, retry_sector_num, 2),
             SAVE_FIELD_U32_SINCE(ForeignIdeBus, retry_nsector, 2),
             SAVE_FIELD_U8_SINCE(ForeignIdeBus, retry_unit, 2));
FOREIGN_VMSD(ide_pio_state, "ide_drive/pio_state", 1, 1,
             ide_pio_state_needed,
             SAVE_FIELD_I32(ForeignIdeDrive, req_nb_sectors),
             SAVE_FIELD_BUFFER(ForeignIdeDrive, io_buffer),
             SAVE_FIELD_I32(ForeignIdeDrive, cur_io_buffer_offset),
             SAVE_FIELD_I32(ForeignIdeDrive, cur_io_buffer_len),
             SAVE_FIELD_U8(ForeignIdeDrive, end_transfer_fn_idx),
             SAVE_FIELD_I32(ForeignIdeDrive, elementary_transfer_size),
             SAVE_FIELD_I32(ForeignIdeDrive, packet_transfer_size));
FOREIGN_VMSD(ide_tray_state, "ide_drive/tray_state", 1, 1,
             ide_tray_state_needed,
             SAVE_FIELD_BOOL(ForeignIdeDrive, tray_open),
             SAVE_FIELD_BOOL(ForeignIdeDrive, tray_locked));
FOREIGN_VMSD(ide_gesn, "ide_drive/atapi/gesn_state", 1, 1, ide_gesn_needed,
             SAVE_FIELD_BOOL(ForeignIdeDrive, new_media),
             SAVE_FIELD_BOOL(ForeignIdeDrive, eject_request));

static const SaveSection *const bmdma_subsections[] = {
    &bmdma_current, &bmdma_status, NULL,
};

static const SaveField bmdma_fields[] = {
    SAVE_FIELD_U8(ForeignBmdma, cmd),
    SAVE_FIELD_U8(ForeignBmdma, migration_compat_status),
    SAVE_FIELD_U32(ForeignBmdma, addr),
    SAVE_FIELD_I64(ForeignBmdma, retry_sector_num),
    SAVE_FIELD_U32(ForeignBmdma, retry_nsector),
    SAVE_FIELD_U8(ForeignBmdma, retry_unit),
    SAVE_END
};

static const SaveSection bmdma_vmsd = {
    .name = "ide bmdma",
    .version = 3,
    .minimum_version = 0,
    .fields = bmdma_fields,
    .subsections = bmdma_subsections,
};

static const SaveSection *const ide_bus_subsections[] = {
    &ide_bus_error, NULL,
};

static const SaveField ide_bus_fields[] = {
    SAVE_FIELD_U8(ForeignIdeBus, cmd),
    SAVE_FIELD_U8(ForeignIdeBus, unit),
    SAVE_END
};

static const SaveSection ide_bus_vmsd = {
    .name = "ide_bus",
    .version = 1,
    .minimum_version = 1,
    .fields = ide_bus_fields,
    .subsections = ide_bus_subsections,
};

static const SaveSection *const ide_drive_subsections[] = {
    &ide_pio_state, &ide_tray_state, &ide_gesn, NULL,
};

static const SaveField ide_drive_fields[] = {
    SAVE_FIELD_I32(ForeignIdeDrive, mult_sectors),
    SAVE_FIELD_I32(ForeignIdeDrive, identify_set),
    /* present only when identify_set, just read, is non-zero */
    FOREIGN_BUFFER_TEST(ForeignIdeDrive, identify_data, ide_identify_set),
    SAVE_FIELD_U8(ForeignIdeDrive, feature),
    SAVE_FIELD_U8(ForeignIdeDrive, error),
    SAVE_FIELD_U32(ForeignIdeDrive, nsector),
    SAVE_FIELD_U8(ForeignIdeDrive, sector),
    SAVE_FIELD_U8(ForeignIdeDrive, lcyl),
    SAVE_FIELD_U8(ForeignIdeDrive, hcyl),
    SAVE_FIELD_U8(ForeignIdeDrive, hob_feature),
    SAVE_FIELD_U8(ForeignIdeDrive, hob_sector),
    SAVE_FIELD_U8(ForeignIdeDrive, hob_nsector),
    SAVE_FIELD_U8(ForeignIdeDrive, hob_lcyl),
    SAVE_FIELD_U8(ForeignIdeDrive, hob_hcyl),
    SAVE_FIELD_U8(ForeignIdeDrive, select),
    SAVE_FIELD_U8(ForeignIdeDrive, status),
    SAVE_FIELD_U8(ForeignIdeDrive, lba48),
    SAVE_FIELD_U8(ForeignIdeDrive, sense_key),
    SAVE_FIELD_U8(ForeignIdeDrive, asc),
    SAVE_FIELD_U8_SINCE(ForeignIdeDrive, cdrom_changed, 3),
    SAVE_END
};

static const SaveSection ide_drive_vmsd = {
    .name = "ide_drive",
    .version = 3,
    .minimum_version = 0,
    .fields = ide_drive_fields,
    .subsections = ide_drive_subsections,
};

static const SaveField ide_fields[] = {
    SAVE_FIELD_STRUCT(ForeignIde, dev, ForeignPciDevice,
                      foreign_pci_device_section),
    SAVE_FIELD_STRUCT_ARRAY(ForeignIde, bmdma, ForeignBmdma, 2, bmdma_vmsd),
    FOREIGN_STRUCT_ARRAY_SINCE(ForeignIde, bus, ForeignIdeBus, 2,
                               ide_bus_vmsd, 1),
    FOREIGN_STRUCT_ARRAY_SINCE(ForeignIde, bus0_ifs, ForeignIdeDrive, 2,
                               ide_drive_vmsd, 3),
    FOREIGN_STRUCT_ARRAY_SINCE(ForeignIde, bus1_ifs, ForeignIdeDrive, 2,
                               ide_drive_vmsd, 3),
    SAVE_END
};

static const SaveSection ide_section = {
    .name = "ide",
    .version = 3,
    .minimum_version = 0,
    .fields = ide_fields,
};

/* "i2c_bus" (1, 1). */
typedef struct {
    uint8_t saved_address;
} ForeignI2cBus;

static const SaveField i2c_bus_fields[] = {
    SAVE_FIELD_U8(ForeignI2cBus, saved_address),
    SAVE_END
};

static const SaveSection i2c_bus_section = {
    .name = "i2c_bus",
    .version = 1,
    .minimum_version = 1,
    .fields = i2c_bus_fields,
};

/*
 * "smbus-eeprom" (1, 1), instances 0-7: the SPD EEPROMs, written only
 * once the guest touched one, and never for pc-i440fx-3.1 and older.
 */
typedef struct {
    uint8_t address;
} ForeignI2cSlave;

typedef struct {
    ForeignI2cSlave i2c;
    int32_t mode;
    int32_t data_len;
    uint8_t data_buf[34];     /* SMBUS_DATA_MAX_LEN */
} ForeignSmbusDevice;

typedef struct {
    ForeignSmbusDevice smbusdev;
    uint8_t data[256];        /* SMBUS_EEPROM_SIZE */
    uint8_t offset;
    bool accessed;
} ForeignSmbusEeprom;

FOREIGN_VMSD(i2c_slave_vmsd, "I2CSlave", 1, 1, NULL,
             SAVE_FIELD_U8(ForeignI2cSlave, address));
FOREIGN_VMSD(smbus_device_vmsd, "smbus-device", 1, 1, NULL,
             SAVE_FIELD_STRUCT(ForeignSmbusDevice, i2c, ForeignI2cSlave,
                               i2c_slave_vmsd),
             SAVE_FIELD_I32(ForeignSmbusDevice, mode),
             SAVE_FIELD_I32(ForeignSmbusDevice, data_len),
             SAVE_FIELD_U8_ARRAY(ForeignSmbusDevice, data_buf, 34));

static const SaveField smbus_eeprom_fields[] = {
    SAVE_FIELD_STRUCT(ForeignSmbusEeprom, smbusdev, ForeignSmbusDevice,
                      smbus_device_vmsd),
    SAVE_FIELD_U8_ARRAY(ForeignSmbusEeprom, data, 256),
    SAVE_FIELD_U8(ForeignSmbusEeprom, offset),
    SAVE_FIELD_BOOL(ForeignSmbusEeprom, accessed),
    SAVE_END
};

static const SaveSection smbus_eeprom_section = {
    .name = "smbus-eeprom",
    .version = 1,
    .minimum_version = 1,
    .fields = smbus_eeprom_fields,
};

const SaveForeign save_foreign_legacy[] = {
    { "fdc", false, &fdc_isa_section, sizeof(ForeignFdcIsa), fdc_init },
    { "ps2kbd", false, &ps2kbd_section, sizeof(ForeignPs2Kbd), ps2kbd_init },
    { "ps2mouse", false, &ps2mouse_section, sizeof(ForeignPs2Mouse), NULL },
    { "pckbd", false, &kbd_isa_section, sizeof(ForeignKbdIsa), kbd_init },
    { "vmmouse", false, &vmmouse_section, sizeof(ForeignVmmouse), NULL },
    { "ide", true, &ide_section, sizeof(ForeignIde), NULL },
    { "i2c_bus", false, &i2c_bus_section, sizeof(ForeignI2cBus), NULL },
    { "smbus-eeprom", false, &smbus_eeprom_section,
      sizeof(ForeignSmbusEeprom), NULL },
    { NULL },
};
