// Hypervisor stacks: where they are, so that a backtrace only follows frame
// pointers into memory that is certainly mapped.
#pragma once

#include <stdint.h>

namespace arch {

struct StackRange {
    uint64_t bottom;
    uint64_t top;
};

void stacks_register(StackRange r);
void stacks_unregister(StackRange r);
// True if [addr, addr+len) lies inside one registered stack.
bool stacks_contain(uint64_t addr, uint64_t len);

}  // namespace arch
