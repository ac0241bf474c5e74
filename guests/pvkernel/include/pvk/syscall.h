// System-call dispatch for the running program.
#pragma once

#include <stdint.h>

#include "pvk/user_context.h"

namespace pvk {

struct Process;

// Handles the system call saved in p's context (number in rax) and writes
// the result to its rax. exit may free p; wait may leave it blocked (its
// rax is then written when the child ends).
void handle_syscall(Process& p);

}  // namespace pvk
