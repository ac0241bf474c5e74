/*
 * pvisor hypercall ABI: the hypervisor console (console_io).
 *
 * Every domain may write; the hypervisor prints each complete line prefixed
 * with "(dN) ", N the domain id, and replaces control characters other than
 * tab with '?'. A partial last line is printed when the domain ends. Only
 * privileged domains (dom0) may read the console input.
 *
 * Freestanding: C11 and C++20.
 */
#ifndef PVISOR_CONSOLE_H
#define PVISOR_CONSOLE_H

#define PV_CONSOLEIO_write 0u  /* write count bytes from buffer; returns count */
#define PV_CONSOLEIO_read 1u   /* read up to count bytes into buffer; returns bytes read (0 if none) */

/* Larger requests are refused with -PV_E2BIG. */
#define PV_CONSOLEIO_MAX 4096u

#endif /* PVISOR_CONSOLE_H */
