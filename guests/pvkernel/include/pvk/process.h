// Processes: user programs, each in its own address space
// (pvk/address_space.h), run round-robin without a timer: the kernel
// switches on yield, on a blocking wait and on exit. run_program() starts
// one and runs every process until none is left runnable.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <kstd/result.h>

#include "pvk/user_context.h"

namespace pvk {

class AddressSpace;

struct Process {
    enum class State : uint8_t { runnable, waiting, zombie };
    uint32_t pid;
    uint32_t parent;  // 0: the kernel; orphan_parent after the parent ended
    const char* name;
    State state;
    uint32_t wait_for;  // while waiting: the child's pid
    UserContext ctx;
    AddressSpace* as;
    uint64_t fs_base;
    bool killed;        // ended by an exception
    ExitReason fault;   // valid if killed
    int64_t exit_status;
    uint64_t syscalls;
};

inline constexpr uint32_t orphan_parent = ~0u;
// What wait() reports for a child ended by an exception.
inline constexpr int64_t killed_status = 255;

struct ProgramResult {
    uint32_t pid;
    bool killed;          // ended by an exception, not by exit
    int64_t exit_status;  // valid unless killed
    ExitReason fault;     // valid if killed
    uint64_t syscalls;
};

// Loads the embedded program `name` (user_programs.h) into a new address
// space with arg in rdi, ready to run; returns its pid.
kstd::Result<uint32_t> spawn(const char* name, uint64_t arg);
// Runs processes until none is runnable.
void run_all();
// The result of a process the kernel spawned, once it has ended; frees it.
kstd::Result<ProgramResult> reap(uint32_t pid);
// spawn, run_all, reap.
kstd::Result<ProgramResult> run_program(const char* name, uint64_t arg);
// Processes not yet freed.
uint32_t process_count();

// The system calls that change which process runs (syscall.cpp decodes).
int64_t process_fork(Process& p);
// Returns the child's status, or blocks p (the status then arrives in
// p's rax when the child ends; the return value is ignored).
int64_t process_wait(Process& p, uint32_t pid);
void process_exit(Process& p, int64_t status);
void process_yield(Process& p);
void process_set_fs_base(Process& p, uint64_t base);

}  // namespace pvk
