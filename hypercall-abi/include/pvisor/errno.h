/*
 * pvisor hypercall ABI: error codes.
 *
 * A hypercall returns 0 or a positive value on success, or the negative of
 * one of these codes. The values match Linux's errno numbers so that a
 * ported Linux guest can pass them through unchanged.
 *
 * Freestanding: C11 and C++20, no includes beyond <stdint.h>.
 */
#ifndef PVISOR_ERRNO_H
#define PVISOR_ERRNO_H

#define PV_EPERM    1   /* caller lacks the privilege (not dom0, wrong mode) */
#define PV_ENOENT   2   /* no such object (port, grant, module) */
#define PV_ESRCH    3   /* no such domain or vCPU */
#define PV_EINTR    4   /* interrupted; the operation may be retried */
#define PV_EIO      5   /* device or console I/O failed */
#define PV_E2BIG    7   /* count or size beyond the documented limit */
#define PV_EAGAIN   11  /* temporarily unavailable; retry */
#define PV_ENOMEM   12  /* out of memory or over the domain's reservation */
#define PV_EACCES   13  /* object exists but the caller may not use it */
#define PV_EFAULT   14  /* a guest pointer is unmapped, not canonical, or reaches hypervisor space */
#define PV_EBUSY    16  /* object in use (pinned, mapped, bound) */
#define PV_EEXIST   17  /* object already exists or is already bound */
#define PV_EINVAL   22  /* malformed argument */
#define PV_ENOSPC   28  /* a fixed-size table is full */
#define PV_ERANGE   34  /* a value is outside its allowed range */
#define PV_ENOSYS   38  /* no such hypercall or sub-operation */
#define PV_EALREADY 114 /* the state change was already made */

#endif /* PVISOR_ERRNO_H */
