// Port I/O: the shared ring-0 helpers (x86/io.h), unqualified in arch.
#pragma once

#include <x86/io.h>

namespace arch {
using namespace x86;
}  // namespace arch
