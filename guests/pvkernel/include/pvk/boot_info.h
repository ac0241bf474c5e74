// What the platform layer found at boot, in platform-neutral terms. The pv
// layer fills it from pv_start_info, the native layer from multiboot.
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace pvk {

struct BootInfo {
    const char* platform;    // "pv" or "native"
    const char* name;        // domain name ("native" on bare hardware)
    uint32_t domid;
    bool privileged;         // pv: PV_SIF_PRIVILEGED (dom0)
    uint64_t memory_bytes;   // memory the kernel owns
    const char* cmdline;     // never null
    // Free memory for the kernel heap, mapped read-write.
    uint64_t heap_base;
    uint64_t heap_size;
    // The user region: the only memory user mode can reach. Mapped in the
    // kernel's address space at the same address.
    uint64_t user_va;
    uint64_t user_size;
    uint64_t tsc_hz;         // 0 if unknown
};

// The BootInfo the platform passed to pvk_kernel_start().
const BootInfo& boot_info();

}  // namespace pvk
