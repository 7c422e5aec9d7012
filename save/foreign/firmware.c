/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * QEMU's firmware interface and migration bookkeeping: fw_cfg, acpi_build
 * (qemu-stream.md A.3; globalstate is stubdm's own, save/global-state.c);
 * under Xen hvmloader is the firmware.
 */
#include "save/foreign/foreign-int.h"

/* "fw_cfg" (2, 1). */
#define FW_CFG_HOST_PAGE_SIZE 4096    /* x86 hosts */

typedef struct {
    uint16_t cur_entry;
    uint16_t cur_offset_v1;   /* version 1: the offset as 16 bits */
    uint32_t cur_offset;
    uint64_t dma_addr;
    uint64_t table_mr_size, linker_mr_size, rsdp_mr_size;
    bool dma_enabled;         /* property; off for pc-i440fx-2.6 and older */
    bool acpi_mr_restore;     /* property; off for pc-i440fx-4.2 and older */
} ForeignFwCfg;

static bool fw_cfg_is_version_1(void *opaque, int version)
{
    return version == 1;
}

static bool fw_cfg_dma_needed(void *opaque)
{
    return ((ForeignFwCfg *)opaque)->dma_enabled;
}

/* Sent only when a blob size is not page aligned (the rsdp usually). */
static bool fw_cfg_acpi_mr_needed(void *opaque)
{
    ForeignFwCfg *s = opaque;
    bool aligned = !(s->table_mr_size % FW_CFG_HOST_PAGE_SIZE) &&
                   !(s->linker_mr_size % FW_CFG_HOST_PAGE_SIZE) &&
                   !(s->rsdp_mr_size % FW_CFG_HOST_PAGE_SIZE);

    return s->acpi_mr_restore && !aligned;
}

FOREIGN_VMSD(fw_cfg_dma, "fw_cfg/dma", 0, 0, fw_cfg_dma_needed,
             SAVE_FIELD_U64(ForeignFwCfg, dma_addr));
/* Resizes the ACPI blob RAM blocks on load in QEMU; here only read. */
FOREIGN_VMSD(fw_cfg_acpi_mr, "fw_cfg/acpi_mr", 1, 1, fw_cfg_acpi_mr_needed,
             SAVE_FIELD_U64(ForeignFwCfg, table_mr_size),
             SAVE_FIELD_U64(ForeignFwCfg, linker_mr_size),
             SAVE_FIELD_U64(ForeignFwCfg, rsdp_mr_size));

static const SaveSection *const fw_cfg_subsections[] = {
    &fw_cfg_dma, &fw_cfg_acpi_mr, NULL,
};

static const SaveField fw_cfg_fields[] = {
    SAVE_FIELD_U16(ForeignFwCfg, cur_entry),
    /* QEMU's UINT16_HACK: version-1 streams had a 16-bit offset */
    FOREIGN_U16_TEST(ForeignFwCfg, cur_offset_v1, fw_cfg_is_version_1),
    SAVE_FIELD_U32_SINCE(ForeignFwCfg, cur_offset, 2),
    SAVE_END
};

static const SaveSection fw_cfg_section = {
    .name = "fw_cfg",
    .version = 2,
    .minimum_version = 1,
    .fields = fw_cfg_fields,
    .subsections = fw_cfg_subsections,
};

static void fw_cfg_init(void *opaque, const char *machine_type)
{
    ForeignFwCfg *s = opaque;

    s->dma_enabled = foreign_machine_at_least(machine_type, 2, 7);
    s->acpi_mr_restore = foreign_machine_at_least(machine_type, 5, 0);
}

/* "acpi_build" (1, 1): whether the guest already patched the tables. */
typedef struct {
    uint8_t patched;
} ForeignAcpiBuild;

static const SaveField acpi_build_fields[] = {
    SAVE_FIELD_U8(ForeignAcpiBuild, patched),
    SAVE_END
};

static const SaveSection acpi_build_section = {
    .name = "acpi_build",
    .version = 1,
    .minimum_version = 1,
    .fields = acpi_build_fields,
};

const SaveForeign save_foreign_firmware[] = {
    { "fw_cfg", false, &fw_cfg_section, sizeof(ForeignFwCfg), fw_cfg_init },
    { "acpi_build", false, &acpi_build_section, sizeof(ForeignAcpiBuild),
      NULL },
    { NULL },
};
