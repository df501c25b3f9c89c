/* SPDX-License-Identifier: GPL-2.0 */
/*
 * spar-nic command validation: the private copy of one slot of the
 * command queue in, a checked command or the reason for refusing it out.
 * Built into the host module and into userspace (unit tests, fuzzing);
 * it touches nothing but its arguments.
 */
#ifndef _SPAR_NIC_PROTO_H
#define _SPAR_NIC_PROTO_H

#include "spar_proto_shim.h"
#include <spar/iochannel.h>
#include <spar/net_offload.h>
#include <spar/transport.h>

/* Shortest frame a transmit may carry: an Ethernet header. */
#define SPAR_NIC_MIN_FRAME	SPAR_ETH_HEADER_SIZE
/* Longest frame: the largest MTU the protocol allows, with its header. */
#define SPAR_NIC_MAX_FRAME	(SPAR_ETH_MAX_MTU + SPAR_ETH_HEADER_SIZE)
/* Fragments one transmit may describe. */
#define SPAR_NIC_MAX_FRAGS	SPAR_MAX_PHYS_INFO
/* Highest guest page number whose address fits in 64 bits. */
#define SPAR_NIC_MAX_PFN	(~(u64)0 >> SPAR_PI_PAGE_SHIFT)

/**
 * struct spar_nic_frag - one checked piece of a guest buffer
 * @iova: guest address of the first byte
 * @len: bytes, 1..SPAR_PI_PAGE_SIZE; the piece stays inside one 4 KiB
 *	guest page, so @iova + @len does not wrap
 */
struct spar_nic_frag {
	u64 iova;
	u32 len;
};

/**
 * struct spar_nic_xmit - a checked NET_XMIT
 * @len: frame bytes, SPAR_NIC_MIN_FRAME up to the caller's maximum
 * @nfrags: entries of @frags in use, 1..SPAR_NIC_MAX_FRAGS
 * @frags: the frame, in order; their lengths add up to @len
 */
struct spar_nic_xmit {
	u32 len;
	u32 nfrags;
	struct spar_nic_frag frags[SPAR_NIC_MAX_FRAGS];
};

/**
 * struct spar_nic_enbdis - a checked NET_RCV_ENBDIS or NET_RCV_PROMISC
 * @context: the guest's cookie, echoed in the ACK
 * @enable: the value the guest sent, echoed in the ACK
 * @on: @enable is non-zero (guests send 1, or SPAR_NET_PROMISC_ON)
 */
struct spar_nic_enbdis {
	u64 context;
	u16 enable;
	bool on;
};

/**
 * struct spar_nic_cmd - a command from the guest, checked
 * @net: the slot held a network command, so @type is what the guest
 *	sent; also set when the command was then refused
 * @type: SPAR_NET_RCV_POST, SPAR_NET_XMIT, SPAR_NET_RCV_ENBDIS,
 *	SPAR_NET_RCV_PROMISC or SPAR_NET_MACADDR once accepted
 * @buf: the guest's cookie for the command, echoed in its response
 * @post: NET_RCV_POST: the empty receive buffer
 * @xmit: NET_XMIT
 * @enbdis: NET_RCV_ENBDIS and NET_RCV_PROMISC
 */
struct spar_nic_cmd {
	bool net;
	u32 type;
	u64 buf;
	union {
		struct spar_nic_frag post;
		struct spar_nic_xmit xmit;
		struct spar_nic_enbdis enbdis;
	};
};

/**
 * struct spar_nic_offload - checked offload metadata of a NET_XMIT
 * @needs_csum: the host fills in a checksum at @csum_start + @csum_offset
 * @gso_type: SPAR_NET_GSO_NONE, or SPAR_NET_GSO_TCPV4 or SPAR_NET_GSO_TCPV6
 *	possibly with SPAR_NET_GSO_ECN
 * @hdr_len: as the guest gave it; at most the frame's length
 * @gso_size: with a @gso_type, the segment payload, SPAR_NIC_MIN_GSO_SIZE
 *	up to the MTU
 * @csum_start: with @needs_csum, inside the frame, past an Ethernet
 *	header and the smallest IP header
 * @csum_offset: with @needs_csum, the 2-byte result lies inside the frame
 */
struct spar_nic_offload {
	bool needs_csum;
	u8 gso_type;
	u16 hdr_len;
	u16 gso_size;
	u16 csum_start;
	u16 csum_offset;
};

const char *spar_nic_cmd_parse(const void *slot, size_t slot_len,
			       u32 max_frame, struct spar_nic_cmd *cmd);
/* Fewest bytes before a checksum: Ethernet and the smallest IP header. */
#define SPAR_NIC_MIN_CSUM_START		(SPAR_ETH_HEADER_SIZE + 20)
#define SPAR_NIC_MIN_CSUM_START_V6	(SPAR_ETH_HEADER_SIZE + 40)
/* Where TCP keeps its checksum, from the start of its header. */
#define SPAR_NIC_TCP_CSUM_OFFSET	16
/* Smallest segment payload a TSO frame may ask for. */
#define SPAR_NIC_MIN_GSO_SIZE		64

const char *spar_nic_offload_parse(const void *slot, size_t slot_len,
				   u32 features, u32 frame_len, u32 mtu,
				   struct spar_nic_offload *o);
bool spar_nic_frag_overlaps(const struct spar_nic_frag *f, u64 iova,
			    u64 len);

#endif /* _SPAR_NIC_PROTO_H */
