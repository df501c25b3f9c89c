/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR BSD-3-Clause */
/*
 * The spar PCI transport: how s-Par channels reach a guest through one
 * PCI function.
 *
 * BAR0 is channel memory, mapped into the guest: page 0 is the transport
 * page (struct spar_transport_page), s-Par channels follow at page-aligned
 * offsets listed in its directory.  BAR2 is a small block of trapped
 * 32-bit registers (SPAR_REG_*).  One MSI vector, or INTx, signals the
 * guest.  The transport specification in the project documentation is
 * normative; this header carries the same facts as constants and layouts.
 *
 * Everything is little-endian and fixed width.  Each field of the
 * transport page has exactly one writer, named in its comment; the host
 * never trusts a value it reads from BAR0.
 */
#ifndef _UAPI_SPAR_TRANSPORT_H
#define _UAPI_SPAR_TRANSPORT_H

#include <linux/types.h>
#include <spar/guid.h>

/* Transport version: PCI revision ID, SPAR_REG_VERSION, header.version */
#define SPAR_TRANSPORT_VERSION		1

/* PCI identity */
#define SPAR_PCI_VENDOR_ID		0x1018
#define SPAR_PCI_DEVICE_ID_NIC		0x5301
#define SPAR_PCI_DEVICE_ID_HBA		0x5302
#define SPAR_PCI_DEVICE_ID_INPUT	0x5303
#define SPAR_PCI_SUBSYSTEM_VENDOR_ID	SPAR_PCI_VENDOR_ID
#define SPAR_PCI_SUBSYSTEM_ID_NIC	SPAR_PCI_DEVICE_ID_NIC
#define SPAR_PCI_SUBSYSTEM_ID_HBA	SPAR_PCI_DEVICE_ID_HBA
#define SPAR_PCI_SUBSYSTEM_ID_INPUT	SPAR_PCI_DEVICE_ID_INPUT
#define SPAR_PCI_REVISION		SPAR_TRANSPORT_VERSION

/* 24-bit class codes: base class, subclass, programming interface */
#define SPAR_PCI_CLASS_NIC		0x020000	/* network: Ethernet */
#define SPAR_PCI_CLASS_HBA		0x010000	/* mass storage: SCSI */
#define SPAR_PCI_CLASS_INPUT		0x098000	/* input: other */

/* Interrupts: one MSI message, else INTx on pin INTA */
#define SPAR_PCI_MSI_VECTORS		1
#define SPAR_PCI_INTERRUPT_PIN		1

/* BARs */
#define SPAR_TRANSPORT_BAR_CHANNELS	0	/* 64-bit, prefetchable, 2^n bytes */
#define SPAR_TRANSPORT_BAR_REGS		2	/* 32-bit, non-prefetchable */
#define SPAR_TRANSPORT_REGS_SIZE	4096

/* "SPAR" in memory: 53 50 41 52 */
#define SPAR_TRANSPORT_MAGIC		0x52415053

/* Transport page and channel alignment */
#define SPAR_TRANSPORT_PAGE_SIZE	4096

/* header.device_type */
#define SPAR_TRANSPORT_TYPE_NIC		1
#define SPAR_TRANSPORT_TYPE_HBA		2
#define SPAR_TRANSPORT_TYPE_INPUT	3

/* Directory and notification bounds */
#define SPAR_TRANSPORT_MAX_CHANNELS	8
#define SPAR_TRANSPORT_MAX_QUEUES	4	/* per channel */
#define SPAR_TRANSPORT_MAX_NOTIFY					\
	(SPAR_TRANSPORT_MAX_CHANNELS * SPAR_TRANSPORT_MAX_QUEUES)

/* Notification index of queue @q of the channel in directory entry @ch */
#define SPAR_TRANSPORT_NOTIFY_INDEX(ch, q)				\
	((ch) * SPAR_TRANSPORT_MAX_QUEUES + (q))

/* host_polling[] and guest_polling[] values; readers treat non-zero as 1 */
#define SPAR_TRANSPORT_NOTIFY		0	/* tell me about index changes */
#define SPAR_TRANSPORT_POLLING		1	/* I am polling; don't tell me */

/* dir[].flags */
#define SPAR_TRANSPORT_DIR_F_PRESENT	(1U << 0)

/*
 * Feature bits: SPAR_REG_HOST_FEATURES, SPAR_REG_GUEST_FEATURES.  Bits 0-15
 * belong to the transport and are negotiated once, before DRIVER_OK; bits
 * 16-31 belong to the device type, are offered per function and may be
 * accepted at any time (each device type says when it takes them up).
 */
#define SPAR_TRANSPORT_F_NOTIFY_SUPPRESS	(1U << 0)
#define SPAR_TRANSPORT_F_PAUSE			(1U << 1)
#define SPAR_TRANSPORT_F_ALL						\
	(SPAR_TRANSPORT_F_NOTIFY_SUPPRESS | SPAR_TRANSPORT_F_PAUSE)
#define SPAR_TRANSPORT_F_TRANSPORT_MASK		0x0000ffffU
#define SPAR_TRANSPORT_F_DEVICE_MASK		0xffff0000U

/*
 * spar-nic device features, taken up by the host when the guest enables
 * reception (NET_RCV_ENBDIS 1) and kept until it disables it.  Each one
 * gives meaning to struct spar_net_offload (iochannel.h) in one direction.
 */
/* NET_XMIT may ask for a checksum (SPAR_NET_OFL_F_NEEDS_CSUM) */
#define SPAR_NIC_F_CSUM				(1U << 16)
/* NET_RCV may say a checksum is verified, or still to be filled in */
#define SPAR_NIC_F_GUEST_CSUM			(1U << 17)
/* NET_XMIT may carry TCP segmentation offload frames; needs F_CSUM */
#define SPAR_NIC_F_TSO				(1U << 18)
/* NET_RCV may carry merged TCP frames over more buffers; needs F_GUEST_CSUM */
#define SPAR_NIC_F_LARGE_RX			(1U << 19)
/*
 * The channel's MTU may exceed SPAR_ETH_MAX_MTU - 14, up to
 * SPAR_NIC_BIG_MTU_MAX: while the guest accepts it, vnic.mtu holds the
 * whole MTU (else at most 16370) and frames of that size go both ways
 * unsegmented; needs F_LARGE_RX.  Unlike the others, accepting it acts at
 * once: read vnic.mtu after writing GUEST_FEATURES.
 */
#define SPAR_NIC_F_BIG_MTU			(1U << 20)
#define SPAR_NIC_F_ALL							\
	(SPAR_NIC_F_CSUM | SPAR_NIC_F_GUEST_CSUM | SPAR_NIC_F_TSO |	\
	 SPAR_NIC_F_LARGE_RX | SPAR_NIC_F_BIG_MTU)
/* Largest MTU with SPAR_NIC_F_BIG_MTU: an IP packet's limit */
#define SPAR_NIC_BIG_MTU_MAX			65535
/* Largest MTU without it: s-Par's frame limit less the Ethernet header */
#define SPAR_NIC_LEGACY_MTU_MAX			(16384 - 14)

/*
 * BAR2 registers.  Every register is 32 bits wide and must be accessed
 * with naturally aligned 32-bit reads and writes; other accesses, and
 * accesses to offsets not listed, read as zero and are ignored on write.
 */
#define SPAR_REG_MAGIC			0x00	/* RO: SPAR_TRANSPORT_MAGIC */
#define SPAR_REG_VERSION		0x04	/* RO: SPAR_TRANSPORT_VERSION */
#define SPAR_REG_HOST_FEATURES		0x08	/* RO: SPAR_TRANSPORT_F_* offered */
#define SPAR_REG_GUEST_FEATURES		0x0c	/* RW: SPAR_TRANSPORT_F_* accepted */
#define SPAR_REG_STATUS			0x10	/* RO: SPAR_STATUS_* */
#define SPAR_REG_GUEST_STATUS		0x14	/* RW: SPAR_GUEST_STATUS_* */
#define SPAR_REG_RESET			0x18	/* WO: SPAR_RESET_REQUEST */
#define SPAR_REG_GENERATION		0x1c	/* RO: channel generation */
#define SPAR_REG_INT_STATUS		0x20	/* RO, W1C: SPAR_INT_* */
#define SPAR_REG_DOORBELL		0x24	/* WO: notification index */
#define SPAR_REG_BLOCK_SIZE		0x40	/* defined registers end here */

/* SPAR_REG_STATUS: written by the host */
#define SPAR_STATUS_READY		(1U << 0)	/* queues are serviced */
#define SPAR_STATUS_PAUSED		(1U << 1)	/* back-end recovering */
#define SPAR_STATUS_NEEDS_RESET		(1U << 2)	/* guest must reset */
#define SPAR_STATUS_BROKEN		(1U << 3)	/* back-end gone for good */

/* SPAR_REG_GUEST_STATUS: written by the guest */
#define SPAR_GUEST_STATUS_DRIVER_OK	(1U << 0)	/* driver uses the queues */
#define SPAR_GUEST_STATUS_PAUSED	(1U << 1)	/* acknowledges a pause */

/* SPAR_REG_RESET: the only value with an effect */
#define SPAR_RESET_REQUEST		1

/* SPAR_REG_INT_STATUS: causes of the last interrupt(s) */
#define SPAR_INT_QUEUE			(1U << 0)	/* a queue index moved */
#define SPAR_INT_CONFIG			(1U << 1)	/* SPAR_REG_STATUS changed */

/**
 * struct spar_transport_regs - the defined part of the BAR2 register block
 * @magic: SPAR_REG_MAGIC
 * @version: SPAR_REG_VERSION
 * @host_features: SPAR_REG_HOST_FEATURES
 * @guest_features: SPAR_REG_GUEST_FEATURES
 * @status: SPAR_REG_STATUS
 * @guest_status: SPAR_REG_GUEST_STATUS
 * @reset: SPAR_REG_RESET
 * @generation: SPAR_REG_GENERATION
 * @int_status: SPAR_REG_INT_STATUS
 * @doorbell: SPAR_REG_DOORBELL
 * @reserved: reads zero
 *
 * Describes offsets only: the block is accessed one register at a time.
 */
struct spar_transport_regs {
	__le32 magic;
	__le32 version;
	__le32 host_features;
	__le32 guest_features;
	__le32 status;
	__le32 guest_status;
	__le32 reset;
	__le32 generation;
	__le32 int_status;
	__le32 doorbell;
	__le32 reserved[6];
} __attribute__((__packed__));

/**
 * struct spar_transport_header - identity of the function (host-written)
 * @magic: SPAR_TRANSPORT_MAGIC
 * @version: SPAR_TRANSPORT_VERSION
 * @device_type: SPAR_TRANSPORT_TYPE_*
 * @num_channels: valid directory entries, 1..SPAR_TRANSPORT_MAX_CHANNELS
 * @bar0_size: bytes of BAR0, a power of two
 * @page_size: SPAR_TRANSPORT_PAGE_SIZE
 * @generation: incremented each time the host (re)initialises the channels
 * @status: copy of SPAR_REG_STATUS, updated before any SPAR_INT_CONFIG
 *	interrupt
 * @reserved: zero
 */
struct spar_transport_header {
	__le32 magic;
	__le32 version;
	__le32 device_type;
	__le32 num_channels;
	__le64 bar0_size;
	__le32 page_size;
	__le32 generation;
	__le32 status;
	__le32 reserved[7];
} __attribute__((__packed__));

/**
 * struct spar_transport_dir_entry - where one channel lies (host-written)
 * @type_guid: channel type, as a controlvm DEVICE_CREATE would name it
 * @zone_guid: zone, equal to the channel header's
 * @offset: byte offset of the channel in BAR0, page-aligned, non-zero
 * @size: bytes of the channel, page-aligned, equal to channel_header.size
 * @partition_handle: equal to the channel header's
 * @num_queues: signal queues in the channel, 1..SPAR_TRANSPORT_MAX_QUEUES
 * @flags: SPAR_TRANSPORT_DIR_F_*
 * @reserved: zero
 */
struct spar_transport_dir_entry {
	struct spar_guid type_guid;
	struct spar_guid zone_guid;
	__le64 offset;
	__le64 size;
	__le64 partition_handle;
	__le16 num_queues;
	__le16 flags;
	__le32 reserved;
} __attribute__((__packed__));

/**
 * struct spar_transport_page - page 0 of BAR0
 * @hdr: identity (host-written)
 * @dir: channel directory (host-written); entries at and beyond
 *	hdr.num_channels are zero
 * @reserved0: zero
 * @host_polling: host-written, one word per notification index:
 *	SPAR_TRANSPORT_POLLING while the host will see the guest's index
 *	changes of that queue without a doorbell
 * @reserved1: zero; keeps the two notification arrays on separate
 *	128-byte blocks
 * @guest_polling: guest-written, one word per notification index:
 *	SPAR_TRANSPORT_POLLING while the guest will see the host's index
 *	changes of that queue without an interrupt
 * @reserved2: zero
 */
struct spar_transport_page {
	struct spar_transport_header hdr;
	struct spar_transport_dir_entry dir[SPAR_TRANSPORT_MAX_CHANNELS];
	__u8 reserved0[448];
	__le32 host_polling[SPAR_TRANSPORT_MAX_NOTIFY];
	__u8 reserved1[128];
	__le32 guest_polling[SPAR_TRANSPORT_MAX_NOTIFY];
	__u8 reserved2[2688];
} __attribute__((__packed__));

/* Offsets in the transport page */
#define SPAR_TRANSPORT_HDR_OFFSET		0x000
#define SPAR_TRANSPORT_DIR_OFFSET		0x040
#define SPAR_TRANSPORT_DIR_ENTRY_SIZE		64
#define SPAR_TRANSPORT_HOST_POLLING_OFFSET	0x400
#define SPAR_TRANSPORT_GUEST_POLLING_OFFSET	0x500

#endif /* _UAPI_SPAR_TRANSPORT_H */
