/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * PCI display adapters: std VGA "vga", Cirrus CLGD 5446 "cirrus_vga"
 * (qemu-stream.md A.4). stubdm has no display; VRAM is a RAM block.
 */
#include "save/foreign/foreign-int.h"

/* The VGA registers both adapters save, in the same order. */
typedef struct {
    uint8_t msr, fcr, st00, st01;
    uint8_t dac_state, dac_sub_index, dac_read_index, dac_write_index;
    uint8_t dac_cache[3];
    uint8_t palette[768];
    int32_t bank_offset;
} ForeignVgaDac;

#define VGA_DAC_FIELDS(T, m)                                                \
    SAVE_FIELD_U8(T, m.msr), SAVE_FIELD_U8(T, m.fcr),                       \
    SAVE_FIELD_U8(T, m.st00), SAVE_FIELD_U8(T, m.st01),                     \
    SAVE_FIELD_U8(T, m.dac_state), SAVE_FIELD_U8(T, m.dac_sub_index),       \
    SAVE_FIELD_U8(T, m.dac_read_index),                                     \
    SAVE_FIELD_U8(T, m.dac_write_index),                                    \
    SAVE_FIELD_BUFFER(T, m.dac_cache), SAVE_FIELD_BUFFER(T, m.palette),     \
    SAVE_FIELD_I32(T, m.bank_offset)

/* Inner "vga" (2, 2) of the std VGA: VGACommonState. */
typedef struct {
    uint32_t latch;
    uint8_t sr_index;
    uint8_t sr[8];            /* of 256: QEMU saves the first 8 */
    uint8_t gr_index;
    uint8_t gr[16];           /* of 256: the first 16 */
    uint8_t ar_index;
    uint8_t ar[21];
    int32_t ar_flip_flop;
    uint8_t cr_index;
    uint8_t cr[256];
    ForeignVgaDac dac;
    uint8_t is_vbe_vmstate;   /* EQUAL 1 in QEMU; not compared here */
    uint16_t vbe_index;
    uint16_t vbe_regs[10];    /* VBE_DISPI_INDEX_NB */
    uint32_t vbe_start_addr, vbe_line_offset, vbe_bank_mask;
    bool big_endian_fb;       /* vga.endian */
    bool default_endian_fb;   /* local: little-endian on x86 */
} ForeignVga;

typedef struct {
    ForeignPciDevice dev;
    ForeignVga vga;
} ForeignPciVga;

static bool vga_endian_needed(void *opaque)
{
    ForeignVga *s = opaque;

    return s->big_endian_fb != s->default_endian_fb;
}

/* "vga.endian": a dot, not a slash; QEMU's prefix test still matches. */
FOREIGN_VMSD(vga_endian, "vga.endian", 1, 1, vga_endian_needed,
             SAVE_FIELD_BOOL(ForeignVga, big_endian_fb));

static const SaveSection *const vga_subsections[] = { &vga_endian, NULL };

static const SaveField vga_fields[] = {
    SAVE_FIELD_U32(ForeignVga, latch),
    SAVE_FIELD_U8(ForeignVga, sr_index),
    SAVE_FIELD_BUFFER(ForeignVga, sr),
    SAVE_FIELD_U8(ForeignVga, gr_index),
    SAVE_FIELD_BUFFER(ForeignVga, gr),
    SAVE_FIELD_U8(ForeignVga, ar_index),
    SAVE_FIELD_BUFFER(ForeignVga, ar),
    SAVE_FIELD_I32(ForeignVga, ar_flip_flop),
    SAVE_FIELD_U8(ForeignVga, cr_index),
    SAVE_FIELD_BUFFER(ForeignVga, cr),
    VGA_DAC_FIELDS(ForeignVga, dac),
    SAVE_FIELD_U8(ForeignVga, is_vbe_vmstate),
    SAVE_FIELD_U16(ForeignVga, vbe_index),
    FOREIGN_U16_ARRAY(ForeignVga, vbe_regs, 10),
    SAVE_FIELD_U32(ForeignVga, vbe_start_addr),
    SAVE_FIELD_U32(ForeignVga, vbe_line_offset),
    SAVE_FIELD_U32(ForeignVga, vbe_bank_mask),
    SAVE_END
};

static const SaveSection vga_vmsd = {
    .name = "vga",
    .version = 2,
    .minimum_version = 2,
    .fields = vga_fields,
    .subsections = vga_subsections,
};

static const SaveField pci_vga_fields[] = {
    SAVE_FIELD_STRUCT(ForeignPciVga, dev, ForeignPciDevice,
                      foreign_pci_device_section),
    SAVE_FIELD_STRUCT(ForeignPciVga, vga, ForeignVga, vga_vmsd),
    SAVE_END
};

static const SaveSection pci_vga_section = {
    .name = "vga",
    .version = 2,
    .minimum_version = 2,
    .fields = pci_vga_fields,
};

/* Inner "cirrus_vga" (2, 1): CirrusVGAState, the full 256 SR and GR. */
typedef struct {
    uint32_t latch;
    uint8_t sr_index;
    uint8_t sr[256];
    uint8_t gr_index;
    uint8_t shadow_gr0, shadow_gr1;
    uint8_t gr_2_255[254];    /* gr[0..1] travel as the shadows above */
    uint8_t ar_index;
    uint8_t ar[21];
    int32_t ar_flip_flop;
    uint8_t cr_index;
    uint8_t cr[256];
    ForeignVgaDac dac;
    uint8_t hidden_dac_lockindex, hidden_dac_data;
    uint32_t hw_cursor_x, hw_cursor_y;
} ForeignCirrus;

typedef struct {
    ForeignPciDevice dev;
    ForeignCirrus cirrus_vga;
} ForeignPciCirrus;

/* No bitblt state: QEMU assumes the blitter is idle when saving. */
static const SaveField cirrus_fields[] = {
    SAVE_FIELD_U32(ForeignCirrus, latch),
    SAVE_FIELD_U8(ForeignCirrus, sr_index),
    SAVE_FIELD_BUFFER(ForeignCirrus, sr),
    SAVE_FIELD_U8(ForeignCirrus, gr_index),
    SAVE_FIELD_U8(ForeignCirrus, shadow_gr0),
    SAVE_FIELD_U8(ForeignCirrus, shadow_gr1),
    SAVE_FIELD_BUFFER(ForeignCirrus, gr_2_255),
    SAVE_FIELD_U8(ForeignCirrus, ar_index),
    SAVE_FIELD_BUFFER(ForeignCirrus, ar),
    SAVE_FIELD_I32(ForeignCirrus, ar_flip_flop),
    SAVE_FIELD_U8(ForeignCirrus, cr_index),
    SAVE_FIELD_BUFFER(ForeignCirrus, cr),
    VGA_DAC_FIELDS(ForeignCirrus, dac),
    SAVE_FIELD_U8(ForeignCirrus, hidden_dac_lockindex),
    SAVE_FIELD_U8(ForeignCirrus, hidden_dac_data),
    SAVE_FIELD_U32(ForeignCirrus, hw_cursor_x),
    SAVE_FIELD_U32(ForeignCirrus, hw_cursor_y),
    SAVE_END
};

static const SaveSection cirrus_vmsd = {
    .name = "cirrus_vga",
    .version = 2,
    .minimum_version = 1,
    .fields = cirrus_fields,
};

static const SaveField pci_cirrus_fields[] = {
    SAVE_FIELD_STRUCT(ForeignPciCirrus, dev, ForeignPciDevice,
                      foreign_pci_device_section),
    SAVE_FIELD_STRUCT(ForeignPciCirrus, cirrus_vga, ForeignCirrus,
                      cirrus_vmsd),
    SAVE_END
};

static const SaveSection pci_cirrus_section = {
    .name = "cirrus_vga",
    .version = 2,
    .minimum_version = 2,
    .fields = pci_cirrus_fields,
};

const SaveForeign save_foreign_display[] = {
    { "vga", true, &pci_vga_section, sizeof(ForeignPciVga), NULL },
    { "cirrus_vga", true, &pci_cirrus_section, sizeof(ForeignPciCirrus),
      NULL },
    { NULL },
};
