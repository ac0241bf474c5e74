/*
 * pvisor hypercall ABI: version.
 *
 * A guest compares PVISOR_ABI_VERSION_MAJOR with the value the hypervisor
 * reports; a different major version means the guest must not run.
 * Minor versions only add (new hypercalls, new flags, new tail fields).
 *
 * Freestanding: C11 and C++20, no includes beyond <stdint.h>.
 */
#ifndef PVISOR_VERSION_H
#define PVISOR_VERSION_H

#include <stdint.h>

#define PVISOR_ABI_VERSION_MAJOR 0u
#define PVISOR_ABI_VERSION_MINOR 1u

/* Packed form: major in bits 31:16, minor in bits 15:0. */
#define PVISOR_ABI_VERSION \
    ((uint32_t)((PVISOR_ABI_VERSION_MAJOR << 16) | PVISOR_ABI_VERSION_MINOR))

#endif /* PVISOR_VERSION_H */
