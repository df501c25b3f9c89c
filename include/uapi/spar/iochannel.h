/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR BSD-3-Clause */
/*
 * s-Par IO channels (virtual NIC and virtual SCSI HBA) and the
 * command/response unit, struct spar_uiscmdrsp, that travels through
 * their two signal queues.
 *
 * All structures are byte-packed and little-endian.  Values that were C
 * pointers or opaque cookies are __le64; values that were C enums or ints
 * are __le32 (__u8 where the original was a char).  The field names are
 * those of the s-Par guest drivers; the structure names carry a spar_
 * prefix.  Pointer-sized fields are opaque: the side that writes them is
 * the only side that may interpret them.
 */
#ifndef _UAPI_SPAR_IOCHANNEL_H
#define _UAPI_SPAR_IOCHANNEL_H

#include <linux/types.h>
#include <spar/channel.h>
#include <spar/guid.h>

/* channel_header.version_id of each IO channel type */
#define SPAR_VHBA_CHANNEL_VERSIONID	2
#define SPAR_VNIC_CHANNEL_VERSIONID	2
#define SPAR_VSWITCH_CHANNEL_VERSIONID	1
#define SPAR_IO_CHANNEL_VERSIONID	2

/* Queue numbers inside an IO channel */
#define SPAR_IOCHAN_TO_IOPART		0	/* commands: guest -> back-end */
#define SPAR_IOCHAN_FROM_IOPART		1	/* responses: back-end -> guest */
/* the same two queues as the back-end names them */
#define SPAR_IOCHAN_FROM_GUESTPART	0
#define SPAR_IOCHAN_TO_GUESTPART	1
#define SPAR_IO_CHANNEL_NUM_QUEUES	2

/* uiscmdrsp.cmdtype */
#define SPAR_CMD_SCSI_TYPE		1
#define SPAR_CMD_NET_TYPE		2
#define SPAR_CMD_SCSITASKMGMT_TYPE	3
#define SPAR_CMD_NOTIFYGUEST_TYPE	4
#define SPAR_CMD_VDISKMGMT_TYPE		5	/* legacy; no payload defined here */

/* uiscmdrsp_scsi.data_dir (same numbers as Linux enum dma_data_direction) */
#define SPAR_UIS_DMA_BIDIRECTIONAL	0
#define SPAR_UIS_DMA_TO_DEVICE		1
#define SPAR_UIS_DMA_FROM_DEVICE	2
#define SPAR_UIS_DMA_NONE		3

/* uiscmdrsp_net.type */
#define SPAR_NET_RCV_POST		0	/* guest: post an empty receive buffer */
#define SPAR_NET_RCV			1	/* back-end: packet received */
#define SPAR_NET_XMIT			2	/* guest: transmit a packet */
#define SPAR_NET_XMIT_DONE		3	/* back-end: transmit finished */
#define SPAR_NET_RCV_ENBDIS		4	/* guest: enable/disable reception */
#define SPAR_NET_RCV_ENBDIS_ACK		5	/* back-end: acknowledges RCV_ENBDIS */
#define SPAR_NET_RCV_PROMISC		6	/* guest: promiscuous mode on/off */
#define SPAR_NET_CONNECT_STATUS		7	/* back-end: link up/down */
#define SPAR_NET_MACADDR		8	/* MAC address update (unused) */
#define SPAR_NET_MACADDR_ACK		9	/* acknowledges NET_MACADDR (unused) */

/* uiscmdrsp_scsitaskmgmt.tasktype */
#define SPAR_TASK_MGMT_ABORT_TASK	1
#define SPAR_TASK_MGMT_BUS_RESET	2
#define SPAR_TASK_MGMT_LUN_RESET	3
#define SPAR_TASK_MGMT_TARGET_RESET	4

/* uiscmdrsp_scsitaskmgmt.result */
#define SPAR_TASK_MGMT_FAILED		0
#define SPAR_TASK_MGMT_SUCCESS		1

/* uiscmdrsp_scsi.addlstat: additional (non-SCSI) status */
#define SPAR_ADDL_RESET			1
#define SPAR_ADDL_TIMEOUT		2
#define SPAR_ADDL_INTERNAL_ERROR	3
#define SPAR_ADDL_SEL_TIMEOUT		4
#define SPAR_ADDL_CMD_TIMEOUT		5
#define SPAR_ADDL_BAD_TARGET		6
#define SPAR_ADDL_RETRY			7

/* net_pkt_xmtdone.xmt_done_result */
#define SPAR_XMIT_SUCCESS		0
#define SPAR_XMIT_FAILED		1

/* Array bounds and sizes */
#define SPAR_MAX_CMND_SIZE		16	/* CDB bytes */
#define SPAR_MAX_SENSE_SIZE		64
#define SPAR_MAX_PHYS_INFO		64	/* frags or SG entries per command */
#define SPAR_MAX_MACADDR_LEN		6
#define SPAR_MAX_CLIENTSTRING_LEN	1024

/* Page geometry of spar_phys_info: always 4 KiB, whatever the guest uses */
#define SPAR_PI_PAGE_SIZE		0x1000
#define SPAR_PI_PAGE_MASK		0x0FFF
#define SPAR_PI_PAGE_SHIFT		12

/* Network */
#define SPAR_ETH_HEADER_SIZE		14
#define SPAR_ETH_MIN_DATA_SIZE		46
#define SPAR_ETH_MIN_PACKET_SIZE	60
#define SPAR_ETH_MAX_MTU		16384
#define SPAR_RCVPOST_BUF_SIZE		4032	/* one receive buffer */
/* receive buffers one maximum-size frame can span (5) */
#define SPAR_MAX_NET_RCV_CHAIN						\
	((SPAR_ETH_MAX_MTU + SPAR_ETH_HEADER_SIZE + SPAR_RCVPOST_BUF_SIZE - 1) \
	 / SPAR_RCVPOST_BUF_SIZE)
#define SPAR_NET_PROMISC_ON		0x100	/* enbdis.enable as guests send it */

/*
 * Offloads (spar-nic device features, transport.h).  Without them no
 * field below is read or written and the messages are s-Par's.
 */
/* Longest frame with SPAR_NIC_F_TSO or SPAR_NIC_F_LARGE_RX: 64 KiB + header */
#define SPAR_NET_MAX_GSO_FRAME		(65536 + SPAR_ETH_HEADER_SIZE)
/* Receive buffers such a frame can span (17) */
#define SPAR_NET_MAX_RCV_CHAIN_LARGE					\
	((SPAR_NET_MAX_GSO_FRAME + SPAR_RCVPOST_BUF_SIZE - 1) /		\
	 SPAR_RCVPOST_BUF_SIZE)
/* Where struct spar_net_offload starts in a uiscmdrsp (after xmt) */
#define SPAR_NET_OFFLOAD_OFFSET		832
/* struct spar_net_offload.flags */
#define SPAR_NET_OFL_F_NEEDS_CSUM	0x01	/* fill in csum_start/offset */
#define SPAR_NET_OFL_F_DATA_VALID	0x02	/* NET_RCV: checksum verified */
/* struct spar_net_offload.gso_type */
#define SPAR_NET_GSO_NONE		0
#define SPAR_NET_GSO_TCPV4		1
#define SPAR_NET_GSO_TCPV6		4
#define SPAR_NET_GSO_ECN		0x80	/* flag: the frame had CWR set */

/* Signals per queue */
#define SPAR_MIN_NUMSIGNALS		64
#define SPAR_MAX_NUMSIGNALS		4096
#define SPAR_MAX_NET_RCV_BUFS		(SPAR_MIN_NUMSIGNALS / 2)	/* legacy */

/* Legacy SCSI limits */
#define SPAR_MAX_IO_SIZE		(1024 * 1024)
#define SPAR_MAX_SCSI_BUSES		1
#define SPAR_MAX_SCSI_TARGETS		8
#define SPAR_MAX_SCSI_LUNS		16
#define SPAR_VDEST_ALL			0xFFFF

/* Synthetic "no disk" INQUIRY reply */
#define SPAR_NO_DISK_INQUIRY_RESULT_LEN	36
#define SPAR_MIN_INQUIRY_RESULT_LEN	5
#define SPAR_DEV_NOT_CAPABLE		0x7F
#define SPAR_DEV_DISK_CAPABLE_NOT_PRESENT 0x20
#define SPAR_DEV_PROC_CAPABLE_NOT_PRESENT 0x23
#define SPAR_DEV_HISUPPORT		0x10
#define SPAR_SCSI_SPC2_VER		4

/*
 * IO channel geometry.  The fixed part (struct spar_io_channel, 1438
 * bytes) is rounded up to 64 bytes; the command queue's slots start there
 * and the response queue's slots follow them.  Both queues use slots of
 * sizeof(struct spar_uiscmdrsp) rounded up to 64 bytes.
 */
#define SPAR_SIZEOF_PROTOCOL		1472
#define SPAR_SIZEOF_CMDRSP		1216
#define SPAR_IO_CHANNEL_PAGE_SIZE	4096

/* slots in each of the two queues of an IO channel of @bytes bytes */
#define SPAR_IO_CHANNEL_SLOTS(bytes)					\
	((((bytes) - SPAR_SIZEOF_PROTOCOL) / 2) / SPAR_SIZEOF_CMDRSP)

/* bytes of an IO channel with @slots slots per queue, page-rounded */
#define SPAR_IO_CHANNEL_BYTES(slots)					\
	((SPAR_SIZEOF_PROTOCOL + 2 * (slots) * SPAR_SIZEOF_CMDRSP +	\
	  SPAR_IO_CHANNEL_PAGE_SIZE - 1) /					\
	 SPAR_IO_CHANNEL_PAGE_SIZE * SPAR_IO_CHANNEL_PAGE_SIZE)

/* smallest IO channel: SPAR_MIN_NUMSIGNALS slots per queue (39 pages) */
#define SPAR_MIN_IO_CHANNEL_SIZE	159744

/* channel_header.size a guest requires before it binds (header only) */
#define SPAR_IO_CHANNEL_MIN_BYTES	128

/* Fixed-format sense data, byte 0 / byte 2 bit fields */
#define SPAR_SENSE_ERRORCODE_MASK	0x7F
#define SPAR_SENSE_VALID		0x80
#define SPAR_SENSE_KEY_MASK		0x0F
#define SPAR_SENSE_ILI			0x20
#define SPAR_SENSE_EOM			0x40
#define SPAR_SENSE_FILEMARK		0x80
#define SPAR_SENSE_CURRENT_ERRORS	0x70

/**
 * struct spar_phys_info - one piece of a guest buffer, within one 4 KiB page
 * @pi_pfn: guest page frame number (address >> SPAR_PI_PAGE_SHIFT)
 * @pi_off: byte offset in the page, below SPAR_PI_PAGE_SIZE
 * @pi_len: bytes, at most SPAR_PI_PAGE_SIZE - @pi_off
 */
struct spar_phys_info {
	__le64 pi_pfn;
	__le16 pi_off;
	__le16 pi_len;
} __attribute__((__packed__));

/**
 * struct spar_guest_phys_info - one scatter-gather element of a SCSI command
 * @address: guest byte address
 * @length: bytes; may cross pages when the memory is contiguous
 */
struct spar_guest_phys_info {
	__le64 address;
	__le64 length;
} __attribute__((__packed__));

/**
 * struct spar_uisscsi_dest - SCSI address of a command's target
 * @channel: bus
 * @id: target
 * @lun: logical unit
 */
struct spar_uisscsi_dest {
	__le32 channel;
	__le32 id;
	__le32 lun;
} __attribute__((__packed__));

/**
 * struct spar_vhba_wwnn - world-wide node name of a virtual HBA
 * @wwnn1: first half
 * @wwnn2: second half
 */
struct spar_vhba_wwnn {
	__le32 wwnn1;
	__le32 wwnn2;
} __attribute__((__packed__));

/**
 * struct spar_vhba_config_max - limits of a virtual HBA (counts, not values)
 * @max_channel: buses
 * @max_id: targets per bus
 * @max_lun: LUNs per target
 * @cmd_per_lun: commands queued per LUN
 * @max_io_size: bytes per command
 */
struct spar_vhba_config_max {
	__le32 max_channel;
	__le32 max_id;
	__le32 max_lun;
	__le32 cmd_per_lun;
	__le32 max_io_size;
} __attribute__((__packed__));

/**
 * struct spar_sense_data - SCSI fixed-format sense data (18 bytes)
 * @errorcode_valid: bits 0-6 response code, bit 7 valid
 * @segment: segment number
 * @flags_sensekey: bits 0-3 sense key, bit 5 ILI, bit 6 EOM, bit 7 filemark
 * @information: information field, big-endian
 * @additional_sense_length: bytes that follow (10)
 * @command_specific: command-specific information, big-endian
 * @asc: additional sense code
 * @ascq: additional sense code qualifier
 * @fru: field replaceable unit code
 * @sense_key_specific: sense-key-specific bytes
 */
struct spar_sense_data {
	__u8 errorcode_valid;
	__u8 segment;
	__u8 flags_sensekey;
	__u8 information[4];
	__u8 additional_sense_length;
	__u8 command_specific[4];
	__u8 asc;
	__u8 ascq;
	__u8 fru;
	__u8 sense_key_specific[3];
} __attribute__((__packed__));

/**
 * struct spar_net_lincsum - checksum offload hints of a transmitted packet
 * @valid: 1 if this block is valid
 * @hrawoffv: 1 if @hrawoff is valid
 * @nhrawoffv: 1 if @nhrawoff is valid
 * @protocol: ethertype, network byte order
 * @csum: partial checksum
 * @hrawoff: offset of the transport header from the packet start
 * @nhrawoff: offset of the network header from the packet start
 */
struct spar_net_lincsum {
	__u8 valid;
	__u8 hrawoffv;
	__u8 nhrawoffv;
	__be16 protocol;
	__le32 csum;
	__le32 hrawoff;
	__le32 nhrawoff;
} __attribute__((__packed__));

/**
 * struct spar_net_pkt_xmt - NET_XMIT payload
 * @len: packet length including the Ethernet header
 * @num_frags: valid entries in @frags
 * @frags: the whole packet, starting at the Ethernet header
 * @ethhdr: copy of the Ethernet header
 * @lincsum: checksum offload hints
 */
struct spar_net_pkt_xmt {
	__le32 len;
	__le32 num_frags;
	struct spar_phys_info frags[SPAR_MAX_PHYS_INFO];
	__u8 ethhdr[SPAR_ETH_HEADER_SIZE];
	struct spar_net_lincsum lincsum;
} __attribute__((__packed__));

/**
 * struct spar_net_pkt_xmtdone - NET_XMIT_DONE payload
 * @xmt_done_result: SPAR_XMIT_SUCCESS or non-zero on failure
 */
struct spar_net_pkt_xmtdone {
	__le32 xmt_done_result;
} __attribute__((__packed__));

/**
 * struct spar_net_pkt_rcvpost - NET_RCV_POST payload
 * @frag: the empty buffer, SPAR_RCVPOST_BUF_SIZE bytes within one page
 * @unique_num: incarnation number of the posting driver
 */
struct spar_net_pkt_rcvpost {
	struct spar_phys_info frag;
	__le64 unique_num;
} __attribute__((__packed__));

/**
 * struct spar_net_pkt_rcv - NET_RCV payload
 * @rcv_done_len: bytes received, including the Ethernet header
 * @numrcvbufs: posted buffers filled, 1..SPAR_MAX_NET_RCV_CHAIN, or up to
 *	SPAR_NET_MAX_RCV_CHAIN_LARGE with SPAR_NIC_F_LARGE_RX
 * @rcvbuf: cookies of the filled buffers, in order; rcvbuf[0] == net.buf;
 *	those past SPAR_MAX_NET_RCV_CHAIN are in struct spar_net_offload
 * @unique_num: incarnation number the buffers were posted with
 * @rcvs_dropped_delta: packets dropped since the last NET_RCV
 */
struct spar_net_pkt_rcv {
	__le32 rcv_done_len;
	__u8 numrcvbufs;
	__le64 rcvbuf[SPAR_MAX_NET_RCV_CHAIN];
	__le64 unique_num;
	__le32 rcvs_dropped_delta;
} __attribute__((__packed__));

/**
 * struct spar_net_pkt_enbdis - RCV_ENBDIS, RCV_ENBDIS_ACK, RCV_PROMISC and
 * CONNECT_STATUS payload
 * @context: opaque guest cookie, echoed
 * @enable: 1 enable / link up, 0 disable / link down
 */
struct spar_net_pkt_enbdis {
	__le64 context;
	__le16 enable;
} __attribute__((__packed__));

/**
 * struct spar_net_pkt_macaddr - NET_MACADDR and NET_MACADDR_ACK payload
 * @context: opaque cookie, echoed
 * @macaddr: the address
 */
struct spar_net_pkt_macaddr {
	__le64 context;
	__u8 macaddr[SPAR_MAX_MACADDR_LEN];
} __attribute__((__packed__));

/**
 * struct spar_net_offload - offload metadata of a NET_XMIT or NET_RCV
 * @flags: SPAR_NET_OFL_F_*
 * @gso_type: SPAR_NET_GSO_*; NONE for a frame of at most the MTU
 * @hdr_len: bytes of Ethernet, IP and TCP headers of a segmented frame
 * @gso_size: payload bytes of each segment
 * @csum_start: with NEEDS_CSUM, where checksumming starts, from the
 *	first byte of the frame
 * @csum_offset: with NEEDS_CSUM, where the result goes, from @csum_start
 * @reserved: zero
 * @rcvbuf_ext: NET_RCV with SPAR_NIC_F_LARGE_RX: cookies of the buffers
 *	after the SPAR_MAX_NET_RCV_CHAIN in rcv.rcvbuf, in order
 *
 * Fields and values mean what they mean in struct virtio_net_hdr, in
 * little-endian byte order.  The structure lies at SPAR_NET_OFFLOAD_OFFSET
 * of the message, in bytes a message without offloads leaves unused.  A
 * NET_XMIT reads it only with SPAR_NIC_F_CSUM (checksum) or SPAR_NIC_F_TSO
 * (segmentation); a NET_RCV fills it only with SPAR_NIC_F_GUEST_CSUM or
 * SPAR_NIC_F_LARGE_RX, and is otherwise zero there.
 */
struct spar_net_offload {
	__u8 flags;
	__u8 gso_type;
	__le16 hdr_len;
	__le16 gso_size;
	__le16 csum_start;
	__le16 csum_offset;
	__u8 reserved[6];
	__le64 rcvbuf_ext[SPAR_NET_MAX_RCV_CHAIN_LARGE - SPAR_MAX_NET_RCV_CHAIN];
} __attribute__((__packed__));

/**
 * struct spar_uiscmdrsp_net - network command or response (cmdtype 2)
 * @type: SPAR_NET_*
 * @buf: opaque guest cookie naming the packet or buffer, echoed
 * @xmt: NET_XMIT
 * @xmtdone: NET_XMIT_DONE
 * @rcvpost: NET_RCV_POST
 * @rcv: NET_RCV
 * @enbdis: NET_RCV_ENBDIS, NET_RCV_ENBDIS_ACK, NET_RCV_PROMISC,
 *	NET_CONNECT_STATUS
 * @macaddr: NET_MACADDR, NET_MACADDR_ACK
 */
struct spar_uiscmdrsp_net {
	__le32 type;
	__le64 buf;
	union {
		struct spar_net_pkt_xmt xmt;
		struct spar_net_pkt_xmtdone xmtdone;
		struct spar_net_pkt_rcvpost rcvpost;
		struct spar_net_pkt_rcv rcv;
		struct spar_net_pkt_enbdis enbdis;
		struct spar_net_pkt_macaddr macaddr;
	} __attribute__((__packed__));
} __attribute__((__packed__));

/**
 * struct spar_uiscmdrsp_scsi - SCSI command and its response (cmdtype 1)
 * @handle: opaque guest cookie, echoed
 * @cmnd: CDB
 * @bufflen: total data transfer length
 * @guest_phys_entries: valid entries in @gpi_list
 * @gpi_list: data buffer scatter list
 * @data_dir: SPAR_UIS_DMA_*
 * @vdest: target
 * @linuxstat: back-end: Linux SCSI result word, 0 on success
 * @scsistat: back-end: SAM status byte
 * @addlstat: back-end: SPAR_ADDL_*
 * @sensebuf: back-end: sense data (struct spar_sense_data at the start)
 * @vdisk: back-end private
 * @no_disk_result: back-end: 1 asks the guest to synthesise a "no disk"
 *	INQUIRY reply
 */
struct spar_uiscmdrsp_scsi {
	__le64 handle;
	__u8 cmnd[SPAR_MAX_CMND_SIZE];
	__le32 bufflen;
	__le16 guest_phys_entries;
	struct spar_guest_phys_info gpi_list[SPAR_MAX_PHYS_INFO];
	__le32 data_dir;
	struct spar_uisscsi_dest vdest;
	__le32 linuxstat;
	__u8 scsistat;
	__u8 addlstat;
	__u8 sensebuf[SPAR_MAX_SENSE_SIZE];
	__le64 vdisk;
	__le32 no_disk_result;
} __attribute__((__packed__));

/**
 * struct spar_uiscmdrsp_scsitaskmgmt - task management (cmdtype 3)
 * @tasktype: SPAR_TASK_MGMT_ABORT_TASK etc.
 * @vdest: target
 * @handle: opaque guest cookie, echoed
 * @notify_handle: opaque guest cookie, echoed
 * @notifyresult_handle: opaque guest cookie, echoed
 * @result: back-end: SPAR_TASK_MGMT_FAILED or SPAR_TASK_MGMT_SUCCESS
 */
struct spar_uiscmdrsp_scsitaskmgmt {
	__le32 tasktype;
	struct spar_uisscsi_dest vdest;
	__le64 handle;
	__le64 notify_handle;
	__le64 notifyresult_handle;
	__u8 result;
} __attribute__((__packed__));

/**
 * struct spar_uiscmdrsp_disknotify - disk arrival or removal (cmdtype 4)
 * @add: 1 added, 0 removed
 * @v_hba: back-end private
 * @channel: bus
 * @id: target
 * @lun: logical unit
 */
struct spar_uiscmdrsp_disknotify {
	__u8 add;
	__le64 v_hba;
	__le32 channel;
	__le32 id;
	__le32 lun;
} __attribute__((__packed__));

/**
 * struct spar_uiscmdrsp - one command or response in an IO channel queue
 * @cmdtype: SPAR_CMD_*; selects the union member
 * @scsi: SPAR_CMD_SCSI_TYPE
 * @net: SPAR_CMD_NET_TYPE
 * @scsitaskmgmt: SPAR_CMD_SCSITASKMGMT_TYPE
 * @disknotify: SPAR_CMD_NOTIFYGUEST_TYPE
 * @private_data: back-end private
 * @next: back-end private
 * @activeq_next: back-end private
 * @activeq_prev: back-end private
 *
 * A queue slot is SPAR_SIZEOF_CMDRSP bytes; the bytes after this
 * structure are undefined.
 */
struct spar_uiscmdrsp {
	__u8 cmdtype;
	union {
		struct spar_uiscmdrsp_scsi scsi;
		struct spar_uiscmdrsp_net net;
		struct spar_uiscmdrsp_scsitaskmgmt scsitaskmgmt;
		struct spar_uiscmdrsp_disknotify disknotify;
	} __attribute__((__packed__));
	__le64 private_data;
	__le64 next;
	__le64 activeq_next;
	__le64 activeq_prev;
} __attribute__((__packed__));

/**
 * struct spar_iochannel_vhba - type-specific area of a VHBA channel
 * @wwnn: node name
 * @max: limits the guest applies to its SCSI host
 */
struct spar_iochannel_vhba {
	struct spar_vhba_wwnn wwnn;
	struct spar_vhba_config_max max;
} __attribute__((__packed__));

/**
 * struct spar_iochannel_vnic - type-specific area of a VNIC channel
 * @macaddr: MAC address of the guest interface
 * @num_rcv_bufs: receive buffers the guest posts
 * @mtu: MTU of the guest interface
 * @zone_guid: zone
 */
struct spar_iochannel_vnic {
	__u8 macaddr[SPAR_MAX_MACADDR_LEN];
	__le32 num_rcv_bufs;
	__le32 mtu;
	struct spar_guid zone_guid;
} __attribute__((__packed__));

/**
 * struct spar_io_channel - fixed part of a VNIC or VHBA channel
 * @channel_header: common channel header
 * @cmd_q: queue SPAR_IOCHAN_TO_IOPART
 * @rsp_q: queue SPAR_IOCHAN_FROM_IOPART
 * @vhba: VHBA channels
 * @vnic: VNIC channels
 * @client_string: NUL-terminated client description, may be empty
 *
 * The slot areas of the two queues follow at SPAR_SIZEOF_PROTOCOL.
 */
struct spar_io_channel {
	struct spar_channel_header channel_header;
	struct spar_signal_queue_header cmd_q;
	struct spar_signal_queue_header rsp_q;
	union {
		struct spar_iochannel_vhba vhba;
		struct spar_iochannel_vnic vnic;
	} __attribute__((__packed__));
	__u8 client_string[SPAR_MAX_CLIENTSTRING_LEN];
} __attribute__((__packed__));

#endif /* _UAPI_SPAR_IOCHANNEL_H */
