// System-call dispatch for the running program.
#pragma once

#include <stdint.h>

#include "pvk/user_context.h"

namespace pvk {

struct Process;

// Handles the system call saved in p's context (number in rax) and writes
// the result to its rax. Sets p->exited for exit.
void handle_syscall(Process& p);

}  // namespace pvk
