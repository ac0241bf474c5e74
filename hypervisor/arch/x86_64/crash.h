// Deliberate faults (command line `crash=`), so tests can prove the crash
// path and the protections: W^X, NX, the guard page and the IST stacks.
#pragma once

#include "core/cmdline.h"

namespace arch {

void crash_on_purpose(core::CrashKind kind);

}  // namespace arch
