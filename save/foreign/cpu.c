/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * x86_64 vCPU sections of QEMU 7.2 (cpu_common, cpu, apic, kvm-tpr-opt;
 * qemu-stream.md A.1), read only to get past them: Xen runs the vCPUs.
 */
#include "save/foreign/foreign-int.h"

/* "cpu_common" (1, 1); instance = CPU index. */
typedef struct {
    uint32_t halted;
    uint32_t interrupt_request;
    int32_t exception_index;  /* -1: none */
    bool crash_occurred;
} ForeignCpuCommon;

static bool exception_index_needed(void *opaque)
{
    return ((ForeignCpuCommon *)opaque)->exception_index != -1;
}

static bool crash_occurred_needed(void *opaque)
{
    return ((ForeignCpuCommon *)opaque)->crash_occurred;
}

FOREIGN_VMSD(cpu_common_exception, "cpu_common/exception_index", 1, 1,
             exception_index_needed,
             SAVE_FIELD_I32(ForeignCpuCommon, exception_index));
FOREIGN_VMSD(cpu_common_crash, "cpu_common/crash_occurred", 1, 1,
             crash_occurred_needed,
             SAVE_FIELD_BOOL(ForeignCpuCommon, crash_occurred));

static const SaveSection *const cpu_common_subsections[] = {
    &cpu_common_exception, &cpu_common_crash, NULL,
};

static const SaveField cpu_common_fields[] = {
    SAVE_FIELD_U32(ForeignCpuCommon, halted),
    SAVE_FIELD_U32(ForeignCpuCommon, interrupt_request),
    SAVE_END
};

static const SaveSection cpu_common_section = {
    .name = "cpu_common",
    .version = 1,
    .minimum_version = 1,
    .fields = cpu_common_fields,
    .subsections = cpu_common_subsections,
};

static void cpu_common_init(void *opaque, const char *machine_type)
{
    ((ForeignCpuCommon *)opaque)->exception_index = -1;
}

/* Pieces of the "cpu" layout, each its own nested vmstate in QEMU. */
typedef struct {
    uint32_t selector;
    uint64_t base;
    uint32_t limit;
    uint32_t flags;
} ForeignSegment;

typedef struct {
    uint64_t mant;            /* via a temporary: the 80-bit register */
    uint16_t exp;
} ForeignFpReg;

typedef struct {
    uint64_t q0, q1;
} ForeignQ2;                  /* xmm_reg, ymmh_reg, bnd_regs, mtrr_var */

typedef struct {
    uint64_t q[4];
} ForeignZmmh;

typedef struct {
    uint64_t q[8];
} ForeignHi16Zmm;

typedef struct {
    uint64_t from, to, info;
} ForeignLbrRecord;

/* "cpu" (12, min 11): X86CPU's fields, then one member per subsection. */
typedef struct {
    uint64_t regs[16];
    uint64_t eip;
    uint64_t eflags;
    uint32_t hflags;
    uint16_t fpuc, fpus, fptag, fpregs_format;
    ForeignFpReg fpregs[8];
    ForeignSegment segs[6];
    ForeignSegment ldt, tr, gdt, idt;
    uint32_t sysenter_cs;
    uint64_t sysenter_esp, sysenter_eip;
    uint64_t cr0, cr2, cr3, cr4;
    uint64_t dr[8];
    int32_t a20_mask;
    uint32_t mxcsr;
    ForeignQ2 xmm[16];
    uint64_t efer, star, lstar, cstar, fmask, kernelgsbase;
    uint32_t smbase;
    uint64_t pat;
    uint32_t hflags2;
    uint64_t vm_hsave, vm_vmcb, tsc_offset, intercept;
    uint16_t intercept_cr_read, intercept_cr_write;
    uint16_t intercept_dr_read, intercept_dr_write;
    uint32_t intercept_exceptions;
    uint8_t v_tpr;
    uint64_t mtrr_fixed[11];
    uint64_t mtrr_deftype;
    ForeignQ2 mtrr_var[8];
    int32_t interrupt_injected;
    uint32_t mp_state;
    uint64_t tsc;
    int32_t exception_nr;
    uint8_t soft_interrupt, nmi_injected, nmi_pending, has_error_code;
    uint32_t sipi_vector;
    uint64_t mcg_cap, mcg_status, mcg_ctl;
    uint64_t mce_banks[40];
    uint64_t tsc_aux, system_time_msr, wall_clock_msr;
    uint64_t xcr0, xstate_bv;
    ForeignQ2 ymmh[16];
    /* Subsections. */
    struct {
        uint8_t pending, injected, has_payload;
        uint64_t payload;
    } exc;
    uint64_t async_pf_en_msr, async_pf_int_msr, pv_eoi_en_msr;
    uint64_t steal_time_msr, poll_control_msr;
    struct {
        uint16_t fpop;
        uint64_t fpip, fpdp;
    } fpop;
    uint64_t tsc_adjust, tsc_deadline, misc_enable, feature_control;
    struct {
        uint64_t fixed_ctr_ctrl, global_ctrl, global_status, global_ovf_ctrl;
        uint64_t fixed_counters[3], gp_counters[18], gp_evtsel[18];
    } pmu;
    struct {
        ForeignQ2 bnd_regs[4];
        uint64_t bndcs_cfgu, bndcs_sts, bndcfgs;
    } mpx;
    struct {
        uint64_t guest_os_id, hypercall;
    } hv_hypercall;
    uint64_t hv_vapic, hv_tsc, hv_crash[5], hv_runtime;
    struct {
        uint64_t control, evt_page, msg_page, sint[16];
    } hv_synic;
    struct {
        uint64_t config[4], count[4];
    } hv_stimer;
    struct {
        uint64_t control, tsc_emulation_control, tsc_emulation_status;
    } hv_reenlightenment;
    struct {
        uint64_t opmask[8];
        ForeignZmmh zmmh[16];
        ForeignHi16Zmm hi16_zmm[16];
    } avx512;
    uint64_t xss;
    uint32_t umwait;
    int64_t tsc_khz;
    uint64_t smi_count;
    uint32_t pkru, pkrs;
    uint64_t spec_ctrl, amd_tsc_scale, mcg_ext_ctl;
    struct {
        uint64_t ctrl, status, output_base, output_mask, cr3_match, addrs[8];
    } pt;
    uint64_t virt_ssbd;
    struct {
        uint64_t nested_cr3;
        uint32_t nested_pg_mode;
    } npt;
    uint32_t svm_int_ctl, tsx_ctrl;
    uint64_t sgx_lepubkeyhash[4], pdptrs[4];
    struct {
        uint64_t xfd, xfd_err;
    } xfd;
    struct {
        uint8_t xtilecfg[64];
        uint8_t xtiledata[8192];
    } amx;
    struct {
        uint64_t ctl, depth;
        ForeignLbrRecord records[32];
    } lbr;
    uint8_t triple_fault_pending;
    /* Local configuration (machine compat). */
    bool save_tsc_khz;        /* x86 machines 2.6 and newer */
    bool migrate_smi_count;   /* pc-i440fx-2.11 and newer */
} ForeignCpu;

#define CPU_MEMBER_SIZE(m) sizeof(((ForeignCpu *)0)->m)

/*
 * needed() of most CPU subsections: the value differs from reset. Where
 * QEMU also asks the CPU model (Hyper-V, SGX, AMX, arch LBR, TSX, XFD,
 * LMCE features), the value alone decides here: stubdm has no CPU model,
 * and only a reader of the section's bytes ever sees the difference.
 */
#define CPU_NONZERO(fn, m)                                                  \
    static bool fn(void *opaque)                                            \
    {                                                                       \
        return foreign_nonzero(&((ForeignCpu *)opaque)->m,                  \
                               CPU_MEMBER_SIZE(m));                         \
    }

/* A "cpu/..." subsection, all version 1 in 7.2. */
#define CPU_SUB(var, label, need, ...)                                      \
    FOREIGN_VMSD(var, "cpu/" label, 1, 1, need, __VA_ARGS__)

#define HF_GUEST_MASK (1u << 21)      /* SVM intercepts active (in L2) */

static bool exception_info_needed(void *opaque)
{
    ForeignCpu *c = opaque;

    /* Pending and injected differ only for a vCPU running a nested guest. */
    return c->exc.pending && (c->hflags & HF_GUEST_MASK);
}

static bool poll_control_needed(void *opaque)
{
    return ((ForeignCpu *)opaque)->poll_control_msr != 1;
}

static bool misc_enable_needed(void *opaque)
{
    /* MSR_IA32_MISC_ENABLE_DEFAULT: fast strings */
    return ((ForeignCpu *)opaque)->misc_enable != 1;
}

static bool tsc_khz_needed(void *opaque)
{
    ForeignCpu *c = opaque;

    return c->tsc_khz && c->save_tsc_khz;
}

static bool smi_count_needed(void *opaque)
{
    ForeignCpu *c = opaque;

    return c->migrate_smi_count && c->smi_count;
}

static bool amd_tsc_scale_needed(void *opaque)
{
    /* MSR_AMD64_TSC_RATIO_DEFAULT: ratio 1.0 in 8.32 fixed point */
    return ((ForeignCpu *)opaque)->amd_tsc_scale != UINT64_C(1) << 32;
}

static bool svm_npt_needed(void *opaque)
{
    return ((ForeignCpu *)opaque)->hflags2 & (1u << 6);  /* HF2_NPT */
}

CPU_NONZERO(async_pf_needed, async_pf_en_msr)
CPU_NONZERO(async_pf_int_needed, async_pf_int_msr)
CPU_NONZERO(pv_eoi_needed, pv_eoi_en_msr)
CPU_NONZERO(steal_time_needed, steal_time_msr)
CPU_NONZERO(fpop_needed, fpop)
CPU_NONZERO(tsc_adjust_needed, tsc_adjust)
CPU_NONZERO(tsc_deadline_needed, tsc_deadline)
CPU_NONZERO(feature_control_needed, feature_control)
CPU_NONZERO(pmu_needed, pmu)
CPU_NONZERO(mpx_needed, mpx)
CPU_NONZERO(hv_hypercall_needed, hv_hypercall)
CPU_NONZERO(hv_vapic_needed, hv_vapic)
CPU_NONZERO(hv_tsc_needed, hv_tsc)
CPU_NONZERO(hv_crash_needed, hv_crash)
CPU_NONZERO(hv_runtime_needed, hv_runtime)
CPU_NONZERO(hv_synic_needed, hv_synic)
CPU_NONZERO(hv_stimer_needed, hv_stimer)
CPU_NONZERO(hv_reenlightenment_needed, hv_reenlightenment)
CPU_NONZERO(avx512_needed, avx512)
CPU_NONZERO(xss_needed, xss)
CPU_NONZERO(umwait_needed, umwait)
CPU_NONZERO(pkru_needed, pkru)
CPU_NONZERO(pkrs_needed, pkrs)
CPU_NONZERO(spec_ctrl_needed, spec_ctrl)
CPU_NONZERO(mcg_ext_ctl_needed, mcg_ext_ctl)
CPU_NONZERO(pt_needed, pt)
CPU_NONZERO(virt_ssbd_needed, virt_ssbd)
CPU_NONZERO(svm_guest_needed, svm_int_ctl)
CPU_NONZERO(tsx_ctrl_needed, tsx_ctrl)
CPU_NONZERO(sgx_needed, sgx_lepubkeyhash)
CPU_NONZERO(pdptrs_needed, pdptrs)
CPU_NONZERO(xfd_needed, xfd)
CPU_NONZERO(amx_needed, amx)
CPU_NONZERO(lbr_needed, lbr)
CPU_NONZERO(triple_fault_needed, triple_fault_pending)

FOREIGN_VMSD(segment_vmsd, "segment", 1, 1, NULL,
             SAVE_FIELD_U32(ForeignSegment, selector),
             SAVE_FIELD_U64(ForeignSegment, base),
             SAVE_FIELD_U32(ForeignSegment, limit),
             SAVE_FIELD_U32(ForeignSegment, flags));
FOREIGN_VMSD(fpreg_vmsd, "fpreg", 0, 0, NULL,
             SAVE_FIELD_U64(ForeignFpReg, mant),
             SAVE_FIELD_U16(ForeignFpReg, exp));
/* One layout, four names: QEMU gives each its own vmstate. */
FOREIGN_VMSD(xmm_vmsd, "xmm_reg", 1, 1, NULL,
             SAVE_FIELD_U64(ForeignQ2, q0), SAVE_FIELD_U64(ForeignQ2, q1));
FOREIGN_VMSD(ymmh_vmsd, "ymmh_reg", 1, 1, NULL,
             SAVE_FIELD_U64(ForeignQ2, q0), SAVE_FIELD_U64(ForeignQ2, q1));
FOREIGN_VMSD(mtrr_var_vmsd, "mtrr_var", 1, 1, NULL,
             SAVE_FIELD_U64(ForeignQ2, q0), SAVE_FIELD_U64(ForeignQ2, q1));
FOREIGN_VMSD(bnd_regs_vmsd, "bnd_regs", 1, 1, NULL,
             SAVE_FIELD_U64(ForeignQ2, q0), SAVE_FIELD_U64(ForeignQ2, q1));
FOREIGN_VMSD(zmmh_vmsd, "zmmh_reg", 1, 1, NULL,
             FOREIGN_U64_ARRAY(ForeignZmmh, q, 4));
FOREIGN_VMSD(hi16_zmm_vmsd, "hi16_zmm_reg", 1, 1, NULL,
             FOREIGN_U64_ARRAY(ForeignHi16Zmm, q, 8));
FOREIGN_VMSD(lbr_record_vmsd, "lbr_records_var", 1, 1, NULL,
             SAVE_FIELD_U64(ForeignLbrRecord, from),
             SAVE_FIELD_U64(ForeignLbrRecord, to),
             SAVE_FIELD_U64(ForeignLbrRecord, info));

#define C ForeignCpu
CPU_SUB(cpu_exception_info, "exception_info", exception_info_needed,
        SAVE_FIELD_U8(C, exc.pending), SAVE_FIELD_U8(C, exc.injected),
        SAVE_FIELD_U8(C, exc.has_payload), SAVE_FIELD_U64(C, exc.payload));
CPU_SUB(cpu_async_pf, "async_pf_msr", async_pf_needed,
        SAVE_FIELD_U64(C, async_pf_en_msr));
CPU_SUB(cpu_async_pf_int, "async_pf_int_msr", async_pf_int_needed,
        SAVE_FIELD_U64(C, async_pf_int_msr));
CPU_SUB(cpu_pv_eoi, "async_pv_eoi_msr", pv_eoi_needed,
        SAVE_FIELD_U64(C, pv_eoi_en_msr));
CPU_SUB(cpu_steal_time, "steal_time_msr", steal_time_needed,
        SAVE_FIELD_U64(C, steal_time_msr));
CPU_SUB(cpu_poll_control, "poll_control_msr", poll_control_needed,
        SAVE_FIELD_U64(C, poll_control_msr));
CPU_SUB(cpu_fpop_ip_dp, "fpop_ip_dp", fpop_needed,
        SAVE_FIELD_U16(C, fpop.fpop), SAVE_FIELD_U64(C, fpop.fpip),
        SAVE_FIELD_U64(C, fpop.fpdp));
CPU_SUB(cpu_tsc_adjust, "msr_tsc_adjust", tsc_adjust_needed,
        SAVE_FIELD_U64(C, tsc_adjust));
CPU_SUB(cpu_tscdeadline, "msr_tscdeadline", tsc_deadline_needed,
        SAVE_FIELD_U64(C, tsc_deadline));
CPU_SUB(cpu_misc_enable, "msr_ia32_misc_enable", misc_enable_needed,
        SAVE_FIELD_U64(C, misc_enable));
CPU_SUB(cpu_feature_control, "msr_ia32_feature_control",
        feature_control_needed, SAVE_FIELD_U64(C, feature_control));
CPU_SUB(cpu_pmu, "msr_architectural_pmu", pmu_needed,
        SAVE_FIELD_U64(C, pmu.fixed_ctr_ctrl),
        SAVE_FIELD_U64(C, pmu.global_ctrl),
        SAVE_FIELD_U64(C, pmu.global_status),
        SAVE_FIELD_U64(C, pmu.global_ovf_ctrl),
        FOREIGN_U64_ARRAY(C, pmu.fixed_counters, 3),
        FOREIGN_U64_ARRAY(C, pmu.gp_counters, 18),
        FOREIGN_U64_ARRAY(C, pmu.gp_evtsel, 18));
CPU_SUB(cpu_mpx, "mpx", mpx_needed,
        SAVE_FIELD_STRUCT_ARRAY(C, mpx.bnd_regs, ForeignQ2, 4,
                                bnd_regs_vmsd),
        SAVE_FIELD_U64(C, mpx.bndcs_cfgu), SAVE_FIELD_U64(C, mpx.bndcs_sts),
        SAVE_FIELD_U64(C, mpx.bndcfgs));
CPU_SUB(cpu_hv_hypercall, "msr_hyperv_hypercall", hv_hypercall_needed,
        SAVE_FIELD_U64(C, hv_hypercall.guest_os_id),
        SAVE_FIELD_U64(C, hv_hypercall.hypercall));
CPU_SUB(cpu_hv_vapic, "msr_hyperv_vapic", hv_vapic_needed,
        SAVE_FIELD_U64(C, hv_vapic));
CPU_SUB(cpu_hv_time, "msr_hyperv_time", hv_tsc_needed,
        SAVE_FIELD_U64(C, hv_tsc));
CPU_SUB(cpu_hv_crash, "msr_hyperv_crash", hv_crash_needed,
        FOREIGN_U64_ARRAY(C, hv_crash, 5));
CPU_SUB(cpu_hv_runtime, "msr_hyperv_runtime", hv_runtime_needed,
        SAVE_FIELD_U64(C, hv_runtime));
CPU_SUB(cpu_hv_synic, "msr_hyperv_synic", hv_synic_needed,
        SAVE_FIELD_U64(C, hv_synic.control),
        SAVE_FIELD_U64(C, hv_synic.evt_page),
        SAVE_FIELD_U64(C, hv_synic.msg_page),
        FOREIGN_U64_ARRAY(C, hv_synic.sint, 16));
CPU_SUB(cpu_hv_stimer, "msr_hyperv_stimer", hv_stimer_needed,
        FOREIGN_U64_ARRAY(C, hv_stimer.config, 4),
        FOREIGN_U64_ARRAY(C, hv_stimer.count, 4));
CPU_SUB(cpu_hv_reenlightenment, "msr_hyperv_reenlightenment",
        hv_reenlightenment_needed,
        SAVE_FIELD_U64(C, hv_reenlightenment.control),
        SAVE_FIELD_U64(C, hv_reenlightenment.tsc_emulation_control),
        SAVE_FIELD_U64(C, hv_reenlightenment.tsc_emulation_status));
CPU_SUB(cpu_avx512, "avx512", avx512_needed,
        FOREIGN_U64_ARRAY(C, avx512.opmask, 8),
        SAVE_FIELD_STRUCT_ARRAY(C, avx512.zmmh, ForeignZmmh, 16, zmmh_vmsd),
        SAVE_FIELD_STRUCT_ARRAY(C, avx512.hi16_zmm, ForeignHi16Zmm, 16,
                                hi16_zmm_vmsd));
CPU_SUB(cpu_xss, "xss", xss_needed, SAVE_FIELD_U64(C, xss));
CPU_SUB(cpu_umwait, "umwait", umwait_needed, SAVE_FIELD_U32(C, umwait));
CPU_SUB(cpu_tsc_khz, "tsc_khz", tsc_khz_needed, SAVE_FIELD_I64(C, tsc_khz));
CPU_SUB(cpu_smi_count, "msr_smi_count", smi_count_needed,
        SAVE_FIELD_U64(C, smi_count));
CPU_SUB(cpu_pkru, "pkru", pkru_needed, SAVE_FIELD_U32(C, pkru));
CPU_SUB(cpu_pkrs, "pkrs", pkrs_needed, SAVE_FIELD_U32(C, pkrs));
CPU_SUB(cpu_spec_ctrl, "spec_ctrl", spec_ctrl_needed,
        SAVE_FIELD_U64(C, spec_ctrl));
CPU_SUB(cpu_amd_tsc_scale, "amd_tsc_scale_msr", amd_tsc_scale_needed,
        SAVE_FIELD_U64(C, amd_tsc_scale));
CPU_SUB(cpu_mcg_ext_ctl, "mcg_ext_ctl", mcg_ext_ctl_needed,
        SAVE_FIELD_U64(C, mcg_ext_ctl));
CPU_SUB(cpu_intel_pt, "intel_pt", pt_needed,
        SAVE_FIELD_U64(C, pt.ctrl), SAVE_FIELD_U64(C, pt.status),
        SAVE_FIELD_U64(C, pt.output_base), SAVE_FIELD_U64(C, pt.output_mask),
        SAVE_FIELD_U64(C, pt.cr3_match), FOREIGN_U64_ARRAY(C, pt.addrs, 8));
CPU_SUB(cpu_virt_ssbd, "virt_ssbd", virt_ssbd_needed,
        SAVE_FIELD_U64(C, virt_ssbd));
/* "svn" (sic): the name QEMU gave the nested-paging subsection. */
CPU_SUB(cpu_svm_npt, "svn_npt", svm_npt_needed,
        SAVE_FIELD_U64(C, npt.nested_cr3),
        SAVE_FIELD_U32(C, npt.nested_pg_mode));
CPU_SUB(cpu_svm_guest, "svm_guest", svm_guest_needed,
        SAVE_FIELD_U32(C, svm_int_ctl));
CPU_SUB(cpu_tsx_ctrl, "msr_tsx_ctrl", tsx_ctrl_needed,
        SAVE_FIELD_U32(C, tsx_ctrl));
CPU_SUB(cpu_intel_sgx, "intel_sgx", sgx_needed,
        FOREIGN_U64_ARRAY(C, sgx_lepubkeyhash, 4));
CPU_SUB(cpu_pdptrs, "pdptrs", pdptrs_needed,
        FOREIGN_U64_ARRAY(C, pdptrs, 4));
CPU_SUB(cpu_msr_xfd, "msr_xfd", xfd_needed,
        SAVE_FIELD_U64(C, xfd.xfd), SAVE_FIELD_U64(C, xfd.xfd_err));
CPU_SUB(cpu_amx, "intel_amx_xtile", amx_needed,
        SAVE_FIELD_BUFFER(C, amx.xtilecfg),
        SAVE_FIELD_BUFFER(C, amx.xtiledata));
CPU_SUB(cpu_arch_lbr, "arch_lbr", lbr_needed,
        SAVE_FIELD_U64(C, lbr.ctl), SAVE_FIELD_U64(C, lbr.depth),
        SAVE_FIELD_STRUCT_ARRAY(C, lbr.records, ForeignLbrRecord, 32,
                                lbr_record_vmsd));
CPU_SUB(cpu_triple_fault, "triple_fault", triple_fault_needed,
        SAVE_FIELD_U8(C, triple_fault_pending));

/*
 * QEMU 7.2's order. Not here: cpu/nested_state (KVM's nested VMX/SVM
 * blob, variable and only with KVM) and cpu/efer32 (32-bit targets); a
 * stream with either is refused as carrying an unknown subsection.
 */
static const SaveSection *const cpu_subsections[] = {
    &cpu_exception_info, &cpu_async_pf, &cpu_async_pf_int, &cpu_pv_eoi,
    &cpu_steal_time, &cpu_poll_control, &cpu_fpop_ip_dp, &cpu_tsc_adjust,
    &cpu_tscdeadline, &cpu_misc_enable, &cpu_feature_control, &cpu_pmu,
    &cpu_mpx, &cpu_hv_hypercall, &cpu_hv_vapic, &cpu_hv_time,
    &cpu_hv_crash, &cpu_hv_runtime, &cpu_hv_synic, &cpu_hv_stimer,
    &cpu_hv_reenlightenment, &cpu_avx512, &cpu_xss, &cpu_umwait,
    &cpu_tsc_khz, &cpu_smi_count, &cpu_pkru, &cpu_pkrs, &cpu_spec_ctrl,
    &cpu_amd_tsc_scale, &cpu_mcg_ext_ctl, &cpu_intel_pt, &cpu_virt_ssbd,
    &cpu_svm_npt, &cpu_svm_guest, &cpu_tsx_ctrl, &cpu_intel_sgx,
    &cpu_pdptrs, &cpu_msr_xfd, &cpu_amx, &cpu_arch_lbr, &cpu_triple_fault,
    NULL,
};

/* target_ulong is 64 bits on an x86_64 target; 16 GPRs and XMM regs. */
static const SaveField cpu_fields[] = {
    FOREIGN_U64_ARRAY(C, regs, 16),
    SAVE_FIELD_U64(C, eip),
    SAVE_FIELD_U64(C, eflags),
    SAVE_FIELD_U32(C, hflags),
    SAVE_FIELD_U16(C, fpuc),
    SAVE_FIELD_U16(C, fpus),
    SAVE_FIELD_U16(C, fptag),
    SAVE_FIELD_U16(C, fpregs_format),
    SAVE_FIELD_STRUCT_ARRAY(C, fpregs, ForeignFpReg, 8, fpreg_vmsd),
    SAVE_FIELD_STRUCT_ARRAY(C, segs, ForeignSegment, 6, segment_vmsd),
    SAVE_FIELD_STRUCT(C, ldt, ForeignSegment, segment_vmsd),
    SAVE_FIELD_STRUCT(C, tr, ForeignSegment, segment_vmsd),
    SAVE_FIELD_STRUCT(C, gdt, ForeignSegment, segment_vmsd),
    SAVE_FIELD_STRUCT(C, idt, ForeignSegment, segment_vmsd),
    SAVE_FIELD_U32(C, sysenter_cs),
    SAVE_FIELD_U64(C, sysenter_esp),
    SAVE_FIELD_U64(C, sysenter_eip),
    SAVE_FIELD_U64(C, cr0),
    SAVE_FIELD_U64(C, cr2),
    SAVE_FIELD_U64(C, cr3),
    SAVE_FIELD_U64(C, cr4),
    FOREIGN_U64_ARRAY(C, dr, 8),
    SAVE_FIELD_I32(C, a20_mask),
    SAVE_FIELD_U32(C, mxcsr),
    SAVE_FIELD_STRUCT_ARRAY(C, xmm, ForeignQ2, 16, xmm_vmsd),
    SAVE_FIELD_U64(C, efer),
    SAVE_FIELD_U64(C, star),
    SAVE_FIELD_U64(C, lstar),
    SAVE_FIELD_U64(C, cstar),
    SAVE_FIELD_U64(C, fmask),
    SAVE_FIELD_U64(C, kernelgsbase),
    SAVE_FIELD_U32(C, smbase),
    SAVE_FIELD_U64(C, pat),
    SAVE_FIELD_U32(C, hflags2),
    SAVE_FIELD_U64(C, vm_hsave),
    SAVE_FIELD_U64(C, vm_vmcb),
    SAVE_FIELD_U64(C, tsc_offset),
    SAVE_FIELD_U64(C, intercept),
    SAVE_FIELD_U16(C, intercept_cr_read),
    SAVE_FIELD_U16(C, intercept_cr_write),
    SAVE_FIELD_U16(C, intercept_dr_read),
    SAVE_FIELD_U16(C, intercept_dr_write),
    SAVE_FIELD_U32(C, intercept_exceptions),
    SAVE_FIELD_U8(C, v_tpr),
    FOREIGN_U64_ARRAY(C, mtrr_fixed, 11),
    SAVE_FIELD_U64(C, mtrr_deftype),
    /* MSR_MTRRcap_VCNT; since 8, below the minimum we read */
    FOREIGN_STRUCT_ARRAY_SINCE(C, mtrr_var, ForeignQ2, 8, mtrr_var_vmsd, 8),
    SAVE_FIELD_I32(C, interrupt_injected),
    SAVE_FIELD_U32(C, mp_state),
    SAVE_FIELD_U64(C, tsc),
    SAVE_FIELD_I32(C, exception_nr),
    SAVE_FIELD_U8(C, soft_interrupt),
    SAVE_FIELD_U8(C, nmi_injected),
    SAVE_FIELD_U8(C, nmi_pending),
    SAVE_FIELD_U8(C, has_error_code),
    SAVE_FIELD_U32(C, sipi_vector),
    SAVE_FIELD_U64(C, mcg_cap),
    SAVE_FIELD_U64(C, mcg_status),
    SAVE_FIELD_U64(C, mcg_ctl),
    FOREIGN_U64_ARRAY(C, mce_banks, 40),      /* MCE_BANKS_DEF * 4 */
    SAVE_FIELD_U64(C, tsc_aux),
    SAVE_FIELD_U64(C, system_time_msr),
    SAVE_FIELD_U64(C, wall_clock_msr),
    SAVE_FIELD_U64_SINCE(C, xcr0, 12),
    SAVE_FIELD_U64_SINCE(C, xstate_bv, 12),
    FOREIGN_STRUCT_ARRAY_SINCE(C, ymmh, ForeignQ2, 16, ymmh_vmsd, 12),
    SAVE_END
};
#undef C

static const SaveSection cpu_section = {
    .name = "cpu",
    .version = 12,
    .minimum_version = 11,
    .fields = cpu_fields,
    .subsections = cpu_subsections,
};

static void cpu_init(void *opaque, const char *machine_type)
{
    ForeignCpu *c = opaque;

    /* Reset values the needed() predicates compare against. */
    c->poll_control_msr = 1;
    c->misc_enable = 1;
    c->amd_tsc_scale = UINT64_C(1) << 32;
    c->save_tsc_khz = foreign_machine_at_least(machine_type, 2, 6);
    c->migrate_smi_count = foreign_machine_at_least(machine_type, 2, 11);
}

/* "apic" (3, 3); instance = APIC id (sequential for 2.6 and older). */
typedef struct {
    uint32_t apicbase;
    uint8_t id, arb_id, tpr;
    uint32_t spurious_vec;
    uint8_t log_dest, dest_mode;
    uint32_t isr[8], tmr[8], irr[8];
    uint32_t lvt[6];
    uint32_t esr;
    uint32_t icr[2];
    uint32_t divide_conf;
    int32_t count_shift;
    uint32_t initial_count;
    int64_t initial_count_load_time;
    int64_t next_time;
    int64_t timer_expiry;     /* open-coded timer, virtual ns */
    int32_t sipi_vector;      /* apic_sipi */
    int32_t wait_for_sipi;
} ForeignApic;

static bool apic_sipi_needed(void *opaque)
{
    return ((ForeignApic *)opaque)->wait_for_sipi != 0;
}

/* Named without the "apic/" slash; it still passes QEMU's prefix test. */
FOREIGN_VMSD(apic_sipi, "apic_sipi", 1, 1, apic_sipi_needed,
             SAVE_FIELD_I32(ForeignApic, sipi_vector),
             SAVE_FIELD_I32(ForeignApic, wait_for_sipi));

static const SaveSection *const apic_subsections[] = { &apic_sipi, NULL };

static const SaveField apic_fields[] = {
    SAVE_FIELD_U32(ForeignApic, apicbase),
    SAVE_FIELD_U8(ForeignApic, id),
    SAVE_FIELD_U8(ForeignApic, arb_id),
    SAVE_FIELD_U8(ForeignApic, tpr),
    SAVE_FIELD_U32(ForeignApic, spurious_vec),
    SAVE_FIELD_U8(ForeignApic, log_dest),
    SAVE_FIELD_U8(ForeignApic, dest_mode),
    SAVE_FIELD_U32_ARRAY(ForeignApic, isr, 8),
    SAVE_FIELD_U32_ARRAY(ForeignApic, tmr, 8),
    SAVE_FIELD_U32_ARRAY(ForeignApic, irr, 8),
    SAVE_FIELD_U32_ARRAY(ForeignApic, lvt, 6),
    SAVE_FIELD_U32(ForeignApic, esr),
    SAVE_FIELD_U32_ARRAY(ForeignApic, icr, 2),
    SAVE_FIELD_U32(ForeignApic, divide_conf),
    SAVE_FIELD_I32(ForeignApic, count_shift),
    SAVE_FIELD_U32(ForeignApic, initial_count),
    SAVE_FIELD_I64(ForeignApic, initial_count_load_time),
    SAVE_FIELD_I64(ForeignApic, next_time),
    SAVE_FIELD_I64(ForeignApic, timer_expiry),
    SAVE_END
};

static const SaveSection apic_section = {
    .name = "apic",
    .version = 3,
    .minimum_version = 3,
    .fields = apic_fields,
    .subsections = apic_subsections,
};

/* "kvm-tpr-opt" (1, 1): the TPR-access patching of Windows XP guests. */
typedef struct {
    uint32_t set_tpr, set_tpr_eax;
    uint32_t get_tpr[8];
    uint32_t get_tpr_stack;
} ForeignVapicHandlers;

typedef struct {
    uint32_t vaddr, fixup_start, fixup_end, vapic_vaddr, vapic_size;
    uint32_t vcpu_shift, real_tpr_addr;
    ForeignVapicHandlers up, mp;
} ForeignVapicRom;

typedef struct {
    ForeignVapicRom rom_state;
    uint32_t state, real_tpr_addr, rom_state_vaddr, vapic_paddr;
    uint32_t rom_state_paddr;
} ForeignVapic;

FOREIGN_VMSD(vapic_handlers_vmsd, "kvmvapic-handlers", 1, 1, NULL,
             SAVE_FIELD_U32(ForeignVapicHandlers, set_tpr),
             SAVE_FIELD_U32(ForeignVapicHandlers, set_tpr_eax),
             SAVE_FIELD_U32_ARRAY(ForeignVapicHandlers, get_tpr, 8),
             SAVE_FIELD_U32(ForeignVapicHandlers, get_tpr_stack));
FOREIGN_VMSD(vapic_rom_vmsd, "kvmvapic-guest-rom", 1, 1, NULL,
             SAVE_FIELD_UNUSED("signature", 8),
             SAVE_FIELD_U32(ForeignVapicRom, vaddr),
             SAVE_FIELD_U32(ForeignVapicRom, fixup_start),
             SAVE_FIELD_U32(ForeignVapicRom, fixup_end),
             SAVE_FIELD_U32(ForeignVapicRom, vapic_vaddr),
             SAVE_FIELD_U32(ForeignVapicRom, vapic_size),
             SAVE_FIELD_U32(ForeignVapicRom, vcpu_shift),
             SAVE_FIELD_U32(ForeignVapicRom, real_tpr_addr),
             SAVE_FIELD_STRUCT(ForeignVapicRom, up, ForeignVapicHandlers,
                               vapic_handlers_vmsd),
             SAVE_FIELD_STRUCT(ForeignVapicRom, mp, ForeignVapicHandlers,
                               vapic_handlers_vmsd));

static const SaveField vapic_fields[] = {
    SAVE_FIELD_STRUCT(ForeignVapic, rom_state, ForeignVapicRom,
                      vapic_rom_vmsd),
    SAVE_FIELD_U32(ForeignVapic, state),
    SAVE_FIELD_U32(ForeignVapic, real_tpr_addr),
    SAVE_FIELD_U32(ForeignVapic, rom_state_vaddr),
    SAVE_FIELD_U32(ForeignVapic, vapic_paddr),
    SAVE_FIELD_U32(ForeignVapic, rom_state_paddr),
    SAVE_END
};

static const SaveSection vapic_section = {
    .name = "kvm-tpr-opt",
    .version = 1,
    .minimum_version = 1,
    .fields = vapic_fields,
};

const SaveForeign save_foreign_cpu[] = {
    { "cpu_common", false, &cpu_common_section, sizeof(ForeignCpuCommon),
      cpu_common_init },
    { "cpu", false, &cpu_section, sizeof(ForeignCpu), cpu_init },
    { "apic", false, &apic_section, sizeof(ForeignApic), NULL },
    { "kvm-tpr-opt", false, &vapic_section, sizeof(ForeignVapic), NULL },
    { NULL },
};
