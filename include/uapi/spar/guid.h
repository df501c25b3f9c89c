/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR BSD-3-Clause */
/*
 * GUIDs as they lie in s-Par shared memory: 16 bytes, the first three
 * fields little-endian (the Microsoft "mixed-endian" order), the last
 * eight bytes as written.
 *
 * Every well-known GUID comes in two forms: SPAR_xxx_GUID, an initialiser
 * for struct spar_guid holding the in-memory bytes, and SPAR_xxx_GUID_STR,
 * the canonical lowercase text (as used in "visorbus:<guid>" module
 * aliases).  The two forms name the same GUID.
 */
#ifndef _UAPI_SPAR_GUID_H
#define _UAPI_SPAR_GUID_H

#include <linux/types.h>

struct spar_guid {
	__u8 b[16];
} __attribute__((__packed__));

/* Length of the canonical text form, without the terminating NUL. */
#define SPAR_GUID_STRING_LEN	36

/* Build the in-memory bytes of GUID aaaaaaaa-bbbb-cccc-dddd-dddddddddddd. */
#define SPAR_GUID_INIT(a, b, c, d0, d1, d2, d3, d4, d5, d6, d7)		\
	{ { (a) & 0xff, ((a) >> 8) & 0xff, ((a) >> 16) & 0xff,		\
	    ((a) >> 24) & 0xff, (b) & 0xff, ((b) >> 8) & 0xff,		\
	    (c) & 0xff, ((c) >> 8) & 0xff,					\
	    (d0), (d1), (d2), (d3), (d4), (d5), (d6), (d7) } }

/* The all-zero GUID, which terminates tables and means "none". */
#define SPAR_NULL_GUID							\
	SPAR_GUID_INIT(0x00000000, 0x0000, 0x0000,			\
		       0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00)
#define SPAR_NULL_GUID_STR	"00000000-0000-0000-0000-000000000000"

/* Virtual SCSI HBA channel type ("sparvhba"). */
#define SPAR_VHBA_CHANNEL_GUID						\
	SPAR_GUID_INIT(0x414815ed, 0xc58c, 0x11da,			\
		       0x95, 0xa9, 0x00, 0xe0, 0x81, 0x61, 0x16, 0x5f)
#define SPAR_VHBA_CHANNEL_GUID_STR	"414815ed-c58c-11da-95a9-00e08161165f"

/* Virtual NIC channel type ("ultravnic"). */
#define SPAR_VNIC_CHANNEL_GUID						\
	SPAR_GUID_INIT(0x8cd5994d, 0xc58e, 0x11da,			\
		       0x95, 0xa9, 0x00, 0xe0, 0x81, 0x61, 0x16, 0x5f)
#define SPAR_VNIC_CHANNEL_GUID_STR	"8cd5994d-c58e-11da-95a9-00e08161165f"

/* Keyboard input channel type ("keyboard"). */
#define SPAR_KEYBOARD_CHANNEL_GUID						\
	SPAR_GUID_INIT(0xc73416d0, 0xb0b8, 0x44af,			\
		       0xb3, 0x04, 0x9d, 0x2a, 0xe9, 0x9f, 0x1b, 0x3d)
#define SPAR_KEYBOARD_CHANNEL_GUID_STR	"c73416d0-b0b8-44af-b304-9d2ae99f1b3d"

/* Mouse input channel type ("mouse"). */
#define SPAR_MOUSE_CHANNEL_GUID						\
	SPAR_GUID_INIT(0xaddf07d4, 0x94a9, 0x46e2,			\
		       0x81, 0xc3, 0x61, 0xab, 0xcd, 0xbd, 0xbd, 0x87)
#define SPAR_MOUSE_CHANNEL_GUID_STR	"addf07d4-94a9-46e2-81c3-61abcdbdbd87"

/* Controlvm channel type. */
#define SPAR_CONTROLVM_CHANNEL_GUID						\
	SPAR_GUID_INIT(0x2b3c2d10, 0x7ef5, 0x4ad8,			\
		       0xb9, 0x66, 0x34, 0x48, 0xb7, 0x38, 0x6b, 0x3d)
#define SPAR_CONTROLVM_CHANNEL_GUID_STR	"2b3c2d10-7ef5-4ad8-b966-3448b7386b3d"

/* Virtual bus channel type. */
#define SPAR_VBUS_CHANNEL_GUID						\
	SPAR_GUID_INIT(0x193b331b, 0xc58f, 0x11da,			\
		       0x95, 0xa9, 0x00, 0xe0, 0x81, 0x61, 0x16, 0x5f)
#define SPAR_VBUS_CHANNEL_GUID_STR	"193b331b-c58f-11da-95a9-00e08161165f"

/* Console video channel type (no protocol of its own). */
#define SPAR_CONSOLEVIDEO_CHANNEL_GUID						\
	SPAR_GUID_INIT(0x3cd6e705, 0xd6a2, 0x4aa5,			\
		       0xad, 0x5c, 0x7b, 0x08, 0x88, 0x9d, 0xff, 0xe2)
#define SPAR_CONSOLEVIDEO_CHANNEL_GUID_STR	"3cd6e705-d6a2-4aa5-ad5c-7b08889dffe2"

/* Bus instance of the IO service partition (not a channel type). */
#define SPAR_SIOVM_GUID						\
	SPAR_GUID_INIT(0x72120008, 0x4aab, 0x11dc,			\
		       0x85, 0x30, 0x44, 0x45, 0x53, 0x54, 0x42, 0x00)
#define SPAR_SIOVM_GUID_STR	"72120008-4aab-11dc-8530-444553544200"

/* Control director channel type (legacy, unused). */
#define SPAR_CONTROLDIRECTOR_CHANNEL_GUID						\
	SPAR_GUID_INIT(0x5b52c5ac, 0xe5f5, 0x4d42,			\
		       0x8d, 0xff, 0x42, 0x9e, 0xae, 0xcd, 0x22, 0x1f)
#define SPAR_CONTROLDIRECTOR_CHANNEL_GUID_STR	"5b52c5ac-e5f5-4d42-8dff-429eaecd221f"

/* Diagnostic pool channel type (legacy, unused). */
#define SPAR_DIAGPOOL_CHANNEL_GUID						\
	SPAR_GUID_INIT(0xb4e79625, 0xaede, 0x4eaa,			\
		       0x9e, 0x11, 0xd3, 0xed, 0xdc, 0xd4, 0x50, 0x4c)
#define SPAR_DIAGPOOL_CHANNEL_GUID_STR	"b4e79625-aede-4eaa-9e11-d3eddcd4504c"

#endif /* _UAPI_SPAR_GUID_H */
