// The frame an exception, or a system call from user mode, leaves for the
// kernel. It has the layout of struct pv_frame (pvisor/trap.h): the pv
// build gets it from the hypervisor, the native exception stubs build it
// on top of the CPU's interrupt frame, so one C++ handler serves both.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "pvk/asm_offsets.h"

namespace pvk {

struct TrapFrame {
    uint64_t rcx;
    uint64_t r11;
    uint64_t rax;
    uint32_t vector;
    uint32_t flags;  // TF_FROM_USER, TF_HAS_ERROR_CODE, TF_SYSCALL
    uint64_t error_code;
    uint64_t rip;
    uint64_t cs;
    uint64_t rflags;
    uint64_t rsp;
    uint64_t ss;
};

static_assert(offsetof(TrapFrame, rcx) == TF_RCX);
static_assert(offsetof(TrapFrame, r11) == TF_R11);
static_assert(offsetof(TrapFrame, rax) == TF_RAX);
static_assert(offsetof(TrapFrame, vector) == TF_VECTOR);
static_assert(offsetof(TrapFrame, flags) == TF_FLAGS);
static_assert(offsetof(TrapFrame, error_code) == TF_ERROR_CODE);
static_assert(offsetof(TrapFrame, rip) == TF_RIP);
static_assert(offsetof(TrapFrame, cs) == TF_CS);
static_assert(offsetof(TrapFrame, rflags) == TF_RFLAGS);
static_assert(offsetof(TrapFrame, rsp) == TF_RSP);
static_assert(offsetof(TrapFrame, ss) == TF_SS);
static_assert(sizeof(TrapFrame) == TF_SIZE);

// Exception vectors (Intel SDM Vol. 3A, 6.15).
enum Vector : uint32_t {
    vec_de = 0,
    vec_db = 1,
    vec_nmi = 2,
    vec_bp = 3,
    vec_of = 4,
    vec_br = 5,
    vec_ud = 6,
    vec_nm = 7,
    vec_df = 8,
    vec_ts = 10,
    vec_np = 11,
    vec_ss = 12,
    vec_gp = 13,
    vec_pf = 14,
    vec_mf = 16,
    vec_ac = 17,
    vec_mc = 18,
    vec_xm = 19,
};

// "#PF" and the like, or "vector" for one without a mnemonic.
const char* vector_name(uint32_t vector);

}  // namespace pvk
