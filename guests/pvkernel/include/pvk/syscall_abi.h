/*
 * pvkernel's system-call ABI, shared by the kernel and user programs.
 *
 * `syscall` with the number in rax and arguments in rdi, rsi, rdx, r10, r8
 * (the Linux convention); the result comes back in rax: 0 or positive, or
 * a negative PVK_E* code. rcx and r11 are clobbered. Plain C (#defines)
 * so user programs of any language can use it.
 */
#ifndef PVK_SYSCALL_ABI_H
#define PVK_SYSCALL_ABI_H

#define PVK_SYS_null 0         /* does nothing; returns 0 (benchmarks) */
#define PVK_SYS_write 1        /* (fd, buf, len): fd 1 or 2, the console; returns len */
#define PVK_SYS_exit 2         /* (status): ends the program */
#define PVK_SYS_getpid 3       /* returns the program's pid */
#define PVK_SYS_yield 4        /* gives up the CPU; returns 0 */
#define PVK_SYS_set_fs_base 5  /* (base): the FS base, for TLS; returns 0 */
#define PVK_SYS_fork 6         /* copy of the caller (copy-on-write): child's pid, 0 in the child */
#define PVK_SYS_wait 7         /* (pid): waits for that child to end; its exit status (255 if killed) */
#define PVK_SYS_brk 8          /* (addr): sets the program break (0: none); returns the break */
#define PVK_SYS_COUNT 9

/* Error codes: Linux's values. */
#define PVK_EBADF 9
#define PVK_ECHILD 10
#define PVK_EAGAIN 11
#define PVK_ENOMEM 12
#define PVK_EFAULT 14
#define PVK_EINVAL 22
#define PVK_ENOSYS 38

#endif
