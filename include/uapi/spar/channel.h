/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR BSD-3-Clause */
/*
 * s-Par channel wire format: the common 128-byte channel header and the
 * 128-byte signal queue header.
 *
 * Everything here is shared memory written by one side and read by the
 * other.  All structures are byte-packed and little-endian; there are no
 * pointers or enums inside them.
 */
#ifndef _UAPI_SPAR_CHANNEL_H
#define _UAPI_SPAR_CHANNEL_H

#include <linux/types.h>
#include <spar/guid.h>

/* "ECNL" read as a little-endian u64; the upper 32 bits are zero. */
#define SPAR_CHANNEL_SIGNATURE		0x000000004C4E4345ULL

#define SPAR_CHANNEL_HEADER_SIZE	128
#define SPAR_SIGNAL_QUEUE_HEADER_SIZE	128

/* srv_state */
#define SPAR_CHANNELSRV_UNINITIALIZED	0
#define SPAR_CHANNELSRV_READY		1

/* cli_state_boot, cli_state_os */
#define SPAR_CHANNELCLI_DETACHED	0
#define SPAR_CHANNELCLI_DISABLED	1
#define SPAR_CHANNELCLI_ATTACHING	2
#define SPAR_CHANNELCLI_ATTACHED	3
#define SPAR_CHANNELCLI_BUSY		4
#define SPAR_CHANNELCLI_OWNED		5

/* cli_error_boot, cli_error_os throttle bits */
#define SPAR_CLIERROR_DISABLED		0x01
#define SPAR_CLIERROR_NOT_ATTACHED	0x02
#define SPAR_CLIERROR_BUSY		0x04

/* channel header features (u64 at offset 24) */
#define SPAR_CHANNEL_ENABLE_INTS		(1ULL << 0)
#define SPAR_DRIVER_ENABLES_INTS		(1ULL << 1)
#define SPAR_CHANNEL_IS_POLLING			(1ULL << 3)
#define SPAR_IOVM_OK_DRIVER_DISABLING_INTS	(1ULL << 4)
#define SPAR_DRIVER_DISABLES_INTS		(1ULL << 5)
#define SPAR_DRIVER_ENHANCED_RCVBUF_CHECKING	(1ULL << 6)

/**
 * struct spar_channel_header - common header at byte 0 of every channel
 *
 * Field names follow the s-Par guest API so that function drivers read
 * familiar names.  The server fills every field; a client only ORs bits
 * into @features.
 *
 * @signature: SPAR_CHANNEL_SIGNATURE
 * @legacy_state: unused
 * @header_size: SPAR_CHANNEL_HEADER_SIZE
 * @size: bytes of the whole channel
 * @features: SPAR_CHANNEL_* and SPAR_DRIVER_* bits
 * @chtype: channel type GUID
 * @partition_handle: partition the channel belongs to
 * @handle: unused
 * @ch_space_offset: offset of the first signal queue header, >= 128
 * @version_id: version of the channel type's layout
 * @partition_index: unused
 * @zone_guid: zone the channel belongs to
 * @cli_str_offset: offset of a NUL-terminated client string, 0 if none
 * @cli_state_boot: client state of a pre-boot client (SPAR_CHANNELCLI_*)
 * @cmd_state_cli: unused
 * @cli_state_os: client state of the OS client (SPAR_CHANNELCLI_*)
 * @ch_characteristic: unused
 * @cmd_state_srv: unused
 * @srv_state: SPAR_CHANNELSRV_*
 * @cli_error_boot: SPAR_CLIERROR_* throttle bits of the pre-boot client
 * @cli_error_os: SPAR_CLIERROR_* throttle bits of the OS client
 * @filler: padding
 * @recover_channel: unused
 */
struct spar_channel_header {
	__le64 signature;
	__le32 legacy_state;
	__le32 header_size;
	__le64 size;
	__le64 features;
	struct spar_guid chtype;
	__le64 partition_handle;
	__le64 handle;
	__le64 ch_space_offset;
	__le32 version_id;
	__le32 partition_index;
	struct spar_guid zone_guid;
	__le32 cli_str_offset;
	__le32 cli_state_boot;
	__le32 cmd_state_cli;
	__le32 cli_state_os;
	__le32 ch_characteristic;
	__le32 cmd_state_srv;
	__le32 srv_state;
	__u8 cli_error_boot;
	__u8 cli_error_os;
	__u8 filler[1];
	__u8 recover_channel;
} __attribute__((__packed__));

/**
 * struct spar_signal_queue_header - one ring of fixed-size slots
 *
 * @head is written only by the producer and names the most recently
 * filled slot; @tail is written only by the consumer and names the most
 * recently emptied slot.  Empty is head == tail, full is
 * (head + 1) % max_slots == tail, so a ring holds max_slots - 1 signals.
 * The slot array starts @sig_base_offset bytes after this header.
 *
 * @version: 0
 * @chtype: 0
 * @size: bytes of the slot array
 * @sig_base_offset: offset of slot 0 from the start of this header
 * @features: unused
 * @num_sent: signals inserted (producer)
 * @num_overflows: inserts refused because the ring was full (producer)
 * @signal_size: bytes per slot
 * @max_slots: slots in the ring
 * @max_signals: max_slots - 1
 * @head: most recently filled slot (producer)
 * @num_received: signals removed (consumer)
 * @tail: most recently emptied slot (consumer)
 * @reserved1: zero
 * @reserved2: zero
 * @client_queue: unused
 * @num_irq_received: unused
 * @num_empty: unused
 * @errorflags: unused
 * @filler: padding to 128 bytes
 */
struct spar_signal_queue_header {
	/* first cache line: producer side */
	__le32 version;
	__le32 chtype;
	__le64 size;
	__le64 sig_base_offset;
	__le64 features;
	__le64 num_sent;
	__le64 num_overflows;
	__le32 signal_size;
	__le32 max_slots;
	__le32 max_signals;
	__le32 head;
	/* second cache line: consumer side */
	__le64 num_received;
	__le32 tail;
	__le32 reserved1;
	__le64 reserved2;
	__le64 client_queue;
	__le64 num_irq_received;
	__le64 num_empty;
	__le32 errorflags;
	__u8 filler[12];
} __attribute__((__packed__));

#endif /* _UAPI_SPAR_CHANNEL_H */
