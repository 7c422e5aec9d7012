/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Chipset sections stubdm does not emulate: 8237 DMA, 8259 PIC, I/O APIC,
 * HPET, PC speaker, PCI bus IRQ counts (qemu-stream.md A.2, 4.4, 4.10-11).
 */
#include "save/foreign/foreign-int.h"

/* "dma" (1, 1); instance 0 = channels 0-3, 1 = channels 4-7. */
typedef struct {
    int32_t now[2];           /* COUNT, ADDR */
    uint16_t base[2];
    uint8_t mode, page, pageh, dack, eop;
} ForeignDmaChannel;

typedef struct {
    uint8_t command, mask, flip_flop;
    int32_t dshift;
    ForeignDmaChannel regs[4];
} ForeignDma;

FOREIGN_VMSD(dma_regs_vmsd, "dma_regs", 1, 1, NULL,
             FOREIGN_I32_ARRAY(ForeignDmaChannel, now, 2),
             FOREIGN_U16_ARRAY(ForeignDmaChannel, base, 2),
             SAVE_FIELD_U8(ForeignDmaChannel, mode),
             SAVE_FIELD_U8(ForeignDmaChannel, page),
             SAVE_FIELD_U8(ForeignDmaChannel, pageh),
             SAVE_FIELD_U8(ForeignDmaChannel, dack),
             SAVE_FIELD_U8(ForeignDmaChannel, eop));

static const SaveField dma_fields[] = {
    SAVE_FIELD_U8(ForeignDma, command),
    SAVE_FIELD_U8(ForeignDma, mask),
    SAVE_FIELD_U8(ForeignDma, flip_flop),
    SAVE_FIELD_I32(ForeignDma, dshift),
    FOREIGN_STRUCT_ARRAY_SINCE(ForeignDma, regs, ForeignDmaChannel, 4,
                               dma_regs_vmsd, 1),
    SAVE_END
};

static const SaveSection dma_section = {
    .name = "dma",
    .version = 1,
    .minimum_version = 1,
    .fields = dma_fields,
};

/* "i8259" (1, 1); instance 0 = master, 1 = slave. Not created under Xen. */
typedef struct {
    uint8_t last_irr, irr, imr, isr, priority_add, irq_base;
    uint8_t read_reg_select, poll, special_mask, init_state, auto_eoi;
    uint8_t rotate_on_auto_eoi, special_fully_nested_mode, init4;
    uint8_t single_mode, elcr;
} ForeignPic;

static const SaveField pic_fields[] = {
    SAVE_FIELD_U8(ForeignPic, last_irr),
    SAVE_FIELD_U8(ForeignPic, irr),
    SAVE_FIELD_U8(ForeignPic, imr),
    SAVE_FIELD_U8(ForeignPic, isr),
    SAVE_FIELD_U8(ForeignPic, priority_add),
    SAVE_FIELD_U8(ForeignPic, irq_base),
    SAVE_FIELD_U8(ForeignPic, read_reg_select),
    SAVE_FIELD_U8(ForeignPic, poll),
    SAVE_FIELD_U8(ForeignPic, special_mask),
    SAVE_FIELD_U8(ForeignPic, init_state),
    SAVE_FIELD_U8(ForeignPic, auto_eoi),
    SAVE_FIELD_U8(ForeignPic, rotate_on_auto_eoi),
    SAVE_FIELD_U8(ForeignPic, special_fully_nested_mode),
    SAVE_FIELD_U8(ForeignPic, init4),
    SAVE_FIELD_U8(ForeignPic, single_mode),
    SAVE_FIELD_U8(ForeignPic, elcr),
    SAVE_END
};

static const SaveSection pic_section = {
    .name = "i8259",
    .version = 1,
    .minimum_version = 1,
    .fields = pic_fields,
};

/* "ioapic" (3, 1); QEMU creates it under Xen too, unused there. */
typedef struct {
    uint8_t id;
    uint8_t ioregsel;
    uint32_t irr;
    uint64_t ioredtbl[24];    /* IOAPIC_NUM_PINS */
} ForeignIoapic;

static const SaveField ioapic_fields[] = {
    SAVE_FIELD_U8(ForeignIoapic, id),
    SAVE_FIELD_U8(ForeignIoapic, ioregsel),
    /* qemu-kvm's version 2 carried 8 more bytes here; upstream skips them */
    FOREIGN_UNUSED_SINCE("qemu_kvm_v2", 8, 2),
    SAVE_FIELD_U32_SINCE(ForeignIoapic, irr, 2),
    FOREIGN_U64_ARRAY(ForeignIoapic, ioredtbl, 24),
    SAVE_END
};

static const SaveSection ioapic_section = {
    .name = "ioapic",
    .version = 3,
    .minimum_version = 1,
    .fields = ioapic_fields,
};

/* "hpet" (2, 1): the timer count comes from a byte just read. */
#define HPET_MAX_TIMERS 32
#define HPET_CFG_ENABLE 0x001

typedef struct {
    uint8_t tn;
    uint64_t config, cmp, fsb, period;
    uint8_t wrap_flag;
    int64_t qemu_timer;       /* timer expiry, virtual ns, -1 idle */
} ForeignHpetTimer;

typedef struct {
    uint64_t config, isr, hpet_counter;
    uint8_t num_timers;
    ForeignHpetTimer timer[HPET_MAX_TIMERS];
    uint8_t rtc_irq_level;
    uint64_t hpet_offset;
    bool hpet_offset_saved;   /* property; off for pc-i440fx-2.11 and older */
} ForeignHpet;

static bool hpet_rtc_irq_level_needed(void *opaque)
{
    return ((ForeignHpet *)opaque)->rtc_irq_level != 0;
}

static bool hpet_offset_needed(void *opaque)
{
    ForeignHpet *s = opaque;

    return (s->config & HPET_CFG_ENABLE) && s->hpet_offset_saved;
}

FOREIGN_VMSD(hpet_timer_vmsd, "hpet_timer", 1, 1, NULL,
             SAVE_FIELD_U8(ForeignHpetTimer, tn),
             SAVE_FIELD_U64(ForeignHpetTimer, config),
             SAVE_FIELD_U64(ForeignHpetTimer, cmp),
             SAVE_FIELD_U64(ForeignHpetTimer, fsb),
             SAVE_FIELD_U64(ForeignHpetTimer, period),
             SAVE_FIELD_U8(ForeignHpetTimer, wrap_flag),
             SAVE_FIELD_I64(ForeignHpetTimer, qemu_timer));
FOREIGN_VMSD(hpet_rtc_irq_level, "hpet/rtc_irq_level", 1, 1,
             hpet_rtc_irq_level_needed,
             SAVE_FIELD_U8(ForeignHpet, rtc_irq_level));
FOREIGN_VMSD(hpet_offset, "hpet/offset", 1, 1, hpet_offset_needed,
             SAVE_FIELD_U64(ForeignHpet, hpet_offset));

static const SaveSection *const hpet_subsections[] = {
    &hpet_rtc_irq_level, &hpet_offset, NULL,
};

static const SaveField hpet_fields[] = {
    SAVE_FIELD_U64(ForeignHpet, config),
    SAVE_FIELD_U64(ForeignHpet, isr),
    SAVE_FIELD_U64(ForeignHpet, hpet_counter),
    /* A version-1 stream leaves the local count (init below) in force. */
    SAVE_FIELD_U8_SINCE(ForeignHpet, num_timers, 2),
    SAVE_FIELD_STRUCT_VARRAY(ForeignHpet, timer, ForeignHpetTimer,
                             HPET_MAX_TIMERS, num_timers, hpet_timer_vmsd),
    SAVE_END
};

static const SaveSection hpet_section = {
    .name = "hpet",
    .version = 2,
    .minimum_version = 1,
    .fields = hpet_fields,
    .subsections = hpet_subsections,
};

static void hpet_init(void *opaque, const char *machine_type)
{
    ForeignHpet *s = opaque;

    s->num_timers = 3;        /* the "timers" property: HPET_MIN_TIMERS */
    s->hpet_offset_saved = foreign_machine_at_least(machine_type, 2, 12);
}

const SaveForeign save_foreign_chipset[] = {
    { "dma", false, &dma_section, sizeof(ForeignDma), NULL },
    { "i8259", false, &pic_section, sizeof(ForeignPic), NULL },
    { "ioapic", false, &ioapic_section, sizeof(ForeignIoapic), NULL },
    { "hpet", false, &hpet_section, sizeof(ForeignHpet), hpet_init },
    { NULL },
};
