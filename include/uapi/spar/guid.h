/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR BSD-3-Clause */
/*
 * GUIDs as they lie in s-Par shared memory: 16 bytes, the first three
 * fields little-endian (the Microsoft "mixed-endian" order), the last
 * eight bytes as written.
 */
#ifndef _UAPI_SPAR_GUID_H
#define _UAPI_SPAR_GUID_H

#include <linux/types.h>

struct spar_guid {
	__u8 b[16];
} __attribute__((__packed__));

/* Build the in-memory bytes of GUID aaaaaaaa-bbbb-cccc-dddd-dddddddddddd. */
#define SPAR_GUID_INIT(a, b, c, d0, d1, d2, d3, d4, d5, d6, d7)		\
	{ { (a) & 0xff, ((a) >> 8) & 0xff, ((a) >> 16) & 0xff,		\
	    ((a) >> 24) & 0xff, (b) & 0xff, ((b) >> 8) & 0xff,		\
	    (c) & 0xff, ((c) >> 8) & 0xff,					\
	    (d0), (d1), (d2), (d3), (d4), (d5), (d6), (d7) } }

#endif /* _UAPI_SPAR_GUID_H */
