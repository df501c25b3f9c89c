/* SPDX-License-Identifier: GPL-2.0 */
/* Kernel side of the validator shim: the kernel's own types and helpers. */
#ifndef _SPAR_PROTO_SHIM_KERNEL_H
#define _SPAR_PROTO_SHIM_KERNEL_H

#include <linux/types.h>
#include <linux/stddef.h>
#include <asm/byteorder.h>

#endif /* _SPAR_PROTO_SHIM_KERNEL_H */
