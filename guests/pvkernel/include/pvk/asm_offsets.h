/*
 * Structure offsets the assembly entry paths need. The C++ headers that
 * define the structures static_assert each one, so a layout change cannot
 * silently break the assembly.
 */
#ifndef PVK_ASM_OFFSETS_H
#define PVK_ASM_OFFSETS_H

/* struct pvk::TrapFrame: the pv_frame layout (pvisor/trap.h). The native
 * exception stubs build the same layout on top of the CPU's frame. */
#define TF_RCX 0
#define TF_R11 8
#define TF_RAX 16
#define TF_VECTOR 24 /* u32 vector, then u32 flags */
#define TF_FLAGS 28
#define TF_ERROR_CODE 32
#define TF_RIP 40
#define TF_CS 48
#define TF_RFLAGS 56
#define TF_RSP 64
#define TF_SS 72
#define TF_SIZE 80

/* TrapFrame.flags: the same bits as PV_FRAME_* (pvisor/trap.h). */
#define TF_FROM_USER 1
#define TF_HAS_ERROR_CODE 2
#define TF_SYSCALL 4

#define TF_VECTOR_SYSCALL 256

/* struct pvk::UserContext */
#define UC_RAX 0
#define UC_RBX 8
#define UC_RCX 16
#define UC_RDX 24
#define UC_RSI 32
#define UC_RDI 40
#define UC_RBP 48
#define UC_RSP 56
#define UC_R8 64
#define UC_R9 72
#define UC_R10 80
#define UC_R11 88
#define UC_R12 96
#define UC_R13 104
#define UC_R14 112
#define UC_R15 120
#define UC_RIP 128
#define UC_RFLAGS 136
#define UC_EXIT_VECTOR 144 /* u32 vector, then u32 flags, as in TrapFrame */
#define UC_EXIT_FLAGS 148
#define UC_EXIT_ERROR_CODE 152
#define UC_SIZE 160

/* struct pvk::CatchBuffer (fault.h) */
#define CB_RBX 0
#define CB_RBP 8
#define CB_R12 16
#define CB_R13 24
#define CB_R14 32
#define CB_R15 40
#define CB_RSP 48
#define CB_RIP 56

#endif
