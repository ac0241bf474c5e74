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

#include "pvisor/abi.h"


#define PVISOR_ABI_VERSION_MAJOR PV_U(0)
#define PVISOR_ABI_VERSION_MINOR PV_U(1)

/* Packed form: major in bits 31:16, minor in bits 15:0. */
#define PVISOR_ABI_VERSION ((PVISOR_ABI_VERSION_MAJOR << 16) | PVISOR_ABI_VERSION_MINOR)

/* version hypercall commands */
#define PV_VERSIONOP_version PV_U(0)   /* returns PVISOR_ABI_VERSION; arg unused */
#define PV_VERSIONOP_features PV_U(1)  /* returns the PV_FEATURE_* bits; arg unused */
#define PV_VERSIONOP_build PV_U(2)     /* copies a NUL-terminated build string (at most
                                   * PV_VERSION_BUILD_MAX bytes) to arg; returns its length */

#define PV_VERSION_BUILD_MAX PV_U(64)

/* Feature bits (PV_VERSIONOP_features). */
#define PV_FEATURE_HYPERCALL_PAGE (PV_U(1) << 0) /* the builder fills the hypercall page */
#define PV_FEATURE_SPLIT_ROOTS (PV_U(1) << 1)    /* separate kernel and user page-table roots */

#endif /* PVISOR_VERSION_H */
