/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Userspace side of the validator shim: the uapi fixed-width types under
 * their kernel names, and <endian.h> for byte order.
 */
#ifndef _SPAR_PROTO_SHIM_USER_H
#define _SPAR_PROTO_SHIM_USER_H

#include <endian.h>
#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

typedef __u8 u8;
typedef __u16 u16;
typedef __u32 u32;
typedef __u64 u64;

#define le16_to_cpu(x)		((u16)le16toh(x))
#define le32_to_cpu(x)		((u32)le32toh(x))
#define le64_to_cpu(x)		((u64)le64toh(x))

#endif /* _SPAR_PROTO_SHIM_USER_H */
