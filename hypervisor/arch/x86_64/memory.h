// The hypervisor's memory managers, set up at boot (boot_main.cpp).
#pragma once

#include "core/frame_allocator.h"
#include "core/heap.h"

namespace arch {

core::FrameAllocator& hv_frames();
core::Heap& hv_heap();

}  // namespace arch
