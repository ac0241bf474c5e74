// A user program: loaded into the user region and run to completion. One
// program at a time owns the user region (there is one user address space).
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <kstd/result.h>

#include "pvk/user_context.h"

namespace pvk {

struct Process {
    uint32_t pid;
    const char* name;
    UserContext ctx;
    bool exited;
    int64_t exit_status;
    uint64_t syscalls;
};

struct ProgramResult {
    uint32_t pid;
    bool killed;          // ended by an exception, not by exit
    int64_t exit_status;  // valid unless killed
    ExitReason fault;     // valid if killed
    uint64_t syscalls;
};

// Loads the embedded program `name` (see user_programs.h), passes arg in
// rdi, and runs it until it exits or takes an exception.
kstd::Result<ProgramResult> run_program(const char* name, uint64_t arg);

}  // namespace pvk
