// Frame-pointer backtraces with symbol names from the embedded table.
#pragma once

#include <stdint.h>

namespace arch {

void print_symbolized(uint64_t address);
// Prints "backtrace:" and one line per frame, starting at rip and walking
// the frame-pointer chain from rbp.
void print_backtrace(uint64_t rip, uint64_t rbp);

}  // namespace arch
