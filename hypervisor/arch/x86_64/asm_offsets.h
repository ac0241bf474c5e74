/* Offsets into C++ objects for the assembly fast paths
 * (syscall_entry.S, entry.S). asm_offsets.cpp checks each one with static_assert,
 * so a layout change breaks the build instead of the guest. */
#ifndef PVISOR_ARCH_ASM_OFFSETS_H
#define PVISOR_ARCH_ASM_OFFSETS_H

#define VCPU_MODE 13
#define VCPU_TRAPS 16   /* 16-byte entries: address, then flags */
#define VCPU_MODE_KERNEL 0
#define VCPU_MODE_USER 1
#define VCPU_CB_EVENT_ADDR 528
#define VCPU_CB_SYSCALL_ADDR 544
#define VCPU_CB_SYSCALL_FLAGS 552
#define VCPU_KERNEL_SP 576
#define VCPU_GS_USER 592
#define VCPU_GS_KERNEL 600
#define VCPU_KERNEL_ROOT 608
#define VCPU_USER_ROOT 616
#define VCPU_INFO 624
#define VCPU_HYPERCALLS 1168
#define VCPU_BOUNCES 1176
#define VCPU_TRAPS_TAKEN 1192

/* Offsets in core::GuestRegs (asm_offsets.cpp checks them). */
#define GR_R11 32
#define GR_RCX 96
#define GR_RAX 112
#define GR_RIP 136
#define GR_CS 144
#define GR_RFLAGS 152
#define GR_RSP 160
#define GR_SS 168

#define VCPU_INFO_UPCALL_PENDING 0
#define VCPU_INFO_UPCALL_MASK 1
#define VCPU_INFO_FAULT_ADDRESS 16

/* core::rflags::guest_settable, and what a handler keeps of it (no TF, RF,
 * AC), as core/bounce.cpp computes them. */
#define RFLAGS_GUEST_SETTABLE 0x250dd5
#define RFLAGS_HANDLER_KEEP 0x200cd5

#define MSR_KERNEL_GS_BASE 0xc0000102

#endif
