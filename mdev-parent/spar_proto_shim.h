/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Environment shim for the back-ends' command validators.
 *
 * A validator turns the private copy of one queue slot into a checked
 * command.  It is compiled unchanged into the host module and into
 * userspace programs (unit tests, fuzz targets), and reaches its
 * environment only through the names defined by the two headers selected
 * here:
 *
 *   u8/u16/u32/u64, bool, size_t, NULL
 *                                 fixed-width, boolean and size types
 *   __le16/__le32/__le64          little-endian wire types
 *   le16_to_cpu(x), le32_to_cpu(x), le64_to_cpu(x)
 *                                 wire to host byte order
 *
 * A validator reads only the private copy it is given, never shared
 * memory, so it needs no single-copy accessors and no barriers.
 */
#ifndef _SPAR_PROTO_SHIM_H
#define _SPAR_PROTO_SHIM_H

#ifdef __KERNEL__
#include "spar_proto_shim_kernel.h"
#else
#include "spar_proto_shim_user.h"
#endif

#endif /* _SPAR_PROTO_SHIM_H */
