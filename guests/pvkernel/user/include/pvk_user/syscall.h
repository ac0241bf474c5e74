// System calls for pvkernel user programs (pvk/syscall_abi.h). The same
// `syscall` instruction reaches the kernel on pvisor (bounced by the
// hypervisor) and natively (IA32_LSTAR).
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <pvk/syscall_abi.h>

namespace pvk_user {

inline int64_t syscall3(uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2) {
    int64_t ret;
    // SAFETY: the kernel preserves every register but rax, rcx and r11;
    // "memory" because write reads the buffer.
    asm volatile("syscall" : "=a"(ret) : "a"(nr), "D"(a0), "S"(a1), "d"(a2) : "rcx", "r11", "memory");
    return ret;
}
inline int64_t syscall0(uint64_t nr) { return syscall3(nr, 0, 0, 0); }
inline int64_t syscall1(uint64_t nr, uint64_t a0) { return syscall3(nr, a0, 0, 0); }

inline int64_t sys_null() { return syscall0(PVK_SYS_null); }
inline int64_t sys_write(int fd, const void* buf, size_t len) {
    return syscall3(PVK_SYS_write, static_cast<uint64_t>(fd), reinterpret_cast<uint64_t>(buf), len);
}
[[noreturn]] inline void sys_exit(int64_t status) {
    syscall1(PVK_SYS_exit, static_cast<uint64_t>(status));
    __builtin_trap();  // exit does not return
}
inline int64_t sys_getpid() { return syscall0(PVK_SYS_getpid); }
inline int64_t sys_yield() { return syscall0(PVK_SYS_yield); }
inline int64_t sys_set_fs_base(const void* base) {
    return syscall1(PVK_SYS_set_fs_base, reinterpret_cast<uint64_t>(base));
}

inline int64_t sys_fork() { return syscall0(PVK_SYS_fork); }
inline int64_t sys_wait(int64_t pid) { return syscall1(PVK_SYS_wait, static_cast<uint64_t>(pid)); }
// Sets the break (0: reads it); returns the break or a negative error.
inline int64_t sys_brk(uint64_t addr) { return syscall1(PVK_SYS_brk, addr); }

// Grows (or with a negative n shrinks) the heap; returns the old break,
// or 0 on failure. The new pages are demand-zero.
inline uint8_t* sbrk(int64_t n) {
    int64_t old = sys_brk(0);
    if (old < 0 || sys_brk(static_cast<uint64_t>(old + n)) < 0) return nullptr;
    return reinterpret_cast<uint8_t*>(old);
}

inline uint64_t cycles() {
    uint32_t lo, hi;
    // SAFETY: reads the time-stamp counter; no memory effects.
    asm volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return (uint64_t{hi} << 32) | lo;
}

// printf to the console through sys_write.
void printf(const char* fmt, ...) __attribute__((format(printf, 1, 2)));

// Prints "pvk-bench: <name> <total/ops with 2 decimals> cycles", the
// line the bench runner reads.
inline void bench_report(const char* name, uint64_t total, uint64_t ops) {
    if (ops == 0) ops = 1;
    uint64_t hundredths = total * 100 / ops;
    printf("pvk-bench: %s %lu.%02lu cycles\n", name, hundredths / 100, hundredths % 100);
}

}  // namespace pvk_user

// Each program defines user_main (not main, whose signature C++ fixes);
// its argument is what the kernel passed in rdi, its result the exit status.
extern "C" int user_main(uint64_t arg);
