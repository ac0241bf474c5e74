// Privileged x86-64 instructions for the native (ring 0) build: the
// helpers pvkernel shares with the hypervisor (x86/cpu.h, x86/io.h),
// unqualified in pvk::native. The pv build cannot use any of them.
#pragma once

#include <x86/cpu.h>
#include <x86/io.h>

namespace pvk::native {
using namespace x86;
}  // namespace pvk::native
