/*
 * pvisor hypercall ABI: version.
 *
 * A guest compares PVISOR_ABI_VERSION_MAJOR with the value the hypervisor
 * reports; a different major version means the guest must not run.
 * Minor versions only add (new hypercalls, new flags, new tail fields).
 *
 * Freestanding: C11 and C++20; assembly may include it.
 */
#ifndef PVISOR_VERSION_H
#define PVISOR_VERSION_H


#define PVISOR_ABI_VERSION_MAJOR 0u
#define PVISOR_ABI_VERSION_MINOR 1u

/* Packed form: major in bits 31:16, minor in bits 15:0. */
#define PVISOR_ABI_VERSION ((PVISOR_ABI_VERSION_MAJOR << 16) | PVISOR_ABI_VERSION_MINOR)

/* version hypercall commands */
#define PV_VERSIONOP_version 0u   /* returns PVISOR_ABI_VERSION; arg unused */
#define PV_VERSIONOP_features 1u  /* returns the PV_FEATURE_* bits; arg unused */
#define PV_VERSIONOP_build 2u     /* copies a NUL-terminated build string (at most
                                   * PV_VERSION_BUILD_MAX bytes) to arg; returns its length */

#define PV_VERSION_BUILD_MAX 64u

/* Feature bits (PV_VERSIONOP_features). */
#define PV_FEATURE_HYPERCALL_PAGE (1u << 0) /* the builder fills the hypercall page */
#define PV_FEATURE_SPLIT_ROOTS (1u << 1)    /* separate kernel and user page-table roots */

#endif /* PVISOR_VERSION_H */
