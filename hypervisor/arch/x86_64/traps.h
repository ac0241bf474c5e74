#pragma once

#include "trap_frame.h"

namespace arch {

const char* exception_name(uint64_t vector);
void dump_registers(const TrapFrame& f);
[[noreturn]] void fatal_trap(const TrapFrame& f);

}  // namespace arch

extern "C" void trap_dispatch(arch::TrapFrame* frame);
