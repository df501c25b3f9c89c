// SPDX-License-Identifier: GPL-2.0
/*
 * spar-nic command validation.  Every field the back-end acts on is
 * decoded here, once, from the private copy of the slot, and checked
 * against the protocol's limits before the back-end sees it.
 */
#include "spar_nic_proto.h"

/* Decode one phys_info; false if it leaves its 4 KiB page or is empty. */
static bool nic_frag(const struct spar_phys_info *pi, struct spar_nic_frag *f)
{
	u64 pfn = le64_to_cpu(pi->pi_pfn);
	u32 off = le16_to_cpu(pi->pi_off);
	u32 len = le16_to_cpu(pi->pi_len);

	if (!len || off >= SPAR_PI_PAGE_SIZE || len > SPAR_PI_PAGE_SIZE - off ||
	    pfn > SPAR_NIC_MAX_PFN)
		return false;
	/* The page number fits the shift; the offset fills its low bits. */
	f->iova = (pfn << SPAR_PI_PAGE_SHIFT) + off;
	f->len = len;
	return true;
}

static const char *nic_parse_post(const struct spar_net_pkt_rcvpost *raw,
				  struct spar_nic_frag *post)
{
	if (!nic_frag(&raw->frag, post))
		return "receive buffer descriptor out of range";
	return NULL;
}

static const char *nic_parse_xmit(const struct spar_net_pkt_xmt *raw,
				  u32 max_frame, struct spar_nic_xmit *x)
{
	u32 len = le32_to_cpu(raw->len);
	u32 nfrags = le32_to_cpu(raw->num_frags);
	u32 sum = 0, i;

	if (len < SPAR_NIC_MIN_FRAME)
		return "frame shorter than an Ethernet header";
	if (len > max_frame)
		return "frame longer than the largest MTU";
	if (!nfrags || nfrags > SPAR_NIC_MAX_FRAGS)
		return "transmit fragment list out of range";
	for (i = 0; i < nfrags; i++) {
		if (!nic_frag(&raw->frags[i], &x->frags[i]))
			return "transmit fragment list out of range";
		/* At most SPAR_NIC_MAX_FRAGS pages: cannot overflow. */
		sum += x->frags[i].len;
	}
	if (sum != len)
		return "transmit fragments do not add up to the frame";
	x->len = len;
	x->nfrags = nfrags;
	return NULL;
}

static void nic_parse_enbdis(const struct spar_net_pkt_enbdis *raw,
			     struct spar_nic_enbdis *e)
{
	e->context = le64_to_cpu(raw->context);
	e->enable = le16_to_cpu(raw->enable);
	e->on = e->enable != 0;
}

/**
 * spar_nic_cmd_parse() - check one command from a spar-nic command queue
 * @slot: private copy of the slot, never shared memory
 * @slot_len: bytes in @slot, the queue's signal size
 * @max_frame: longest frame a transmit may carry, at most
 *	SPAR_NIC_MAX_FRAME for the back-end
 * @cmd: the checked command
 *
 * Accepts NET_RCV_POST, NET_XMIT, NET_RCV_ENBDIS, NET_RCV_PROMISC and
 * NET_MACADDR; refuses anything else, and any of those whose buffer
 * descriptors or lengths break the protocol.  Whether accepted or not,
 * @cmd->net and @cmd->type say which network command the slot held, so
 * that the caller can count it.  The fields of @cmd that belong to the
 * command's type are valid only if it was accepted.
 *
 * Context: any context; touches nothing but its arguments.
 * Return: NULL if the command is accepted, or a short description of
 * what the guest got wrong, for the caller's log.
 */
const char *spar_nic_cmd_parse(const void *slot, size_t slot_len,
			       u32 max_frame, struct spar_nic_cmd *cmd)
{
	const struct spar_uiscmdrsp *raw = slot;

	cmd->net = false;
	cmd->type = 0;
	cmd->buf = 0;
	if (slot_len < sizeof(*raw))
		return "command slot shorter than a command";
	if (raw->cmdtype != SPAR_CMD_NET_TYPE)
		return "non-network command on a NIC channel";
	cmd->net = true;
	cmd->type = le32_to_cpu(raw->net.type);
	cmd->buf = le64_to_cpu(raw->net.buf);

	switch (cmd->type) {
	case SPAR_NET_RCV_POST:
		return nic_parse_post(&raw->net.rcvpost, &cmd->post);
	case SPAR_NET_XMIT:
		return nic_parse_xmit(&raw->net.xmt, max_frame, &cmd->xmit);
	case SPAR_NET_RCV_ENBDIS:
	case SPAR_NET_RCV_PROMISC:
		nic_parse_enbdis(&raw->net.enbdis, &cmd->enbdis);
		return NULL;
	case SPAR_NET_MACADDR:
		/* Defined by the protocol but never acted upon. */
		return NULL;
	default:
		return "unknown network command";
	}
}

/**
 * spar_nic_offload_parse() - check the offload metadata of a NET_XMIT
 * @slot: private copy of the slot, which spar_nic_cmd_parse() accepted as
 *	a NET_XMIT
 * @slot_len: bytes in @slot
 * @features: the SPAR_NIC_F_* features in force
 * @frame_len: the frame's length, as spar_nic_cmd_parse() checked it
 *	against the longest frame @features allow
 * @mtu: the channel's MTU, which bounds a segment
 * @o: the checked metadata
 *
 * Without SPAR_NIC_F_CSUM and SPAR_NIC_F_TSO in @features the message
 * has no offload block: @o says "nothing to do" and nothing is read.
 * A frame that is not segmented must fit s-Par's MTU, or with
 * SPAR_NIC_F_BIG_MTU the channel's (spar_nic_max_frame()); a segmented one
 * needs SPAR_NIC_F_TSO and a checksum request.
 *
 * Context: any context; touches nothing but its arguments.
 * Return: NULL, or a short description of what the guest got wrong.
 */
const char *spar_nic_offload_parse(const void *slot, size_t slot_len,
				   u32 features, u32 frame_len, u32 mtu,
				   struct spar_nic_offload *o)
{
	const struct spar_net_offload *raw;
	u32 start, off;
	u8 base;

	*o = (struct spar_nic_offload){ 0 };
	if (!(features & (SPAR_NIC_F_CSUM | SPAR_NIC_F_TSO)))
		goto plain;
	if (slot_len < SPAR_NET_OFFLOAD_OFFSET + sizeof(*raw))
		return "command slot too short for offload metadata";
	raw = (const void *)((const u8 *)slot + SPAR_NET_OFFLOAD_OFFSET);
	if (raw->flags & ~SPAR_NET_OFL_F_NEEDS_CSUM)
		return "unknown transmit offload flags";
	o->needs_csum = raw->flags & SPAR_NET_OFL_F_NEEDS_CSUM;
	o->gso_type = raw->gso_type;
	o->hdr_len = le16_to_cpu(raw->hdr_len);
	o->gso_size = le16_to_cpu(raw->gso_size);
	o->csum_start = le16_to_cpu(raw->csum_start);
	o->csum_offset = le16_to_cpu(raw->csum_offset);

	if (o->needs_csum) {
		if (!(features & SPAR_NIC_F_CSUM))
			return "checksum offload not negotiated";
		start = o->csum_start;
		off = o->csum_offset;
		/* Both 16 bits: no overflow. */
		if (start + off + 2 > frame_len)
			return "checksum position outside the frame";
		/* The stack takes what precedes it as link and IP headers. */
		if (start < SPAR_NIC_MIN_CSUM_START)
			return "checksum start inside the Ethernet or IP header";
	}
	if (o->gso_type == SPAR_NET_GSO_NONE)
		goto plain;
	if (!(features & SPAR_NIC_F_TSO))
		return "segmentation offload not negotiated";
	base = o->gso_type & ~SPAR_NET_GSO_ECN;
	if (base != SPAR_NET_GSO_TCPV4 && base != SPAR_NET_GSO_TCPV6)
		return "unknown segmentation type";
	if (!o->needs_csum)
		return "segmentation without a checksum request";
	if (o->csum_offset != SPAR_NIC_TCP_CSUM_OFFSET ||
	    (base == SPAR_NET_GSO_TCPV6 &&
	     o->csum_start < SPAR_NIC_MIN_CSUM_START_V6))
		return "segmentation checksum not at a TCP header";
	if (o->gso_size < SPAR_NIC_MIN_GSO_SIZE || o->gso_size > mtu ||
	    o->gso_size > frame_len || o->hdr_len > frame_len)
		return "segment size out of range";
	return NULL;

plain:
	if (frame_len > spar_nic_max_frame(features, mtu))
		return "frame longer than the largest MTU";
	return NULL;
}

/**
 * spar_nic_frag_overlaps() - whether a checked piece shares a byte with a
 *	range the user unmapped
 * @f: the piece, as spar_nic_cmd_parse() checked it
 * @iova: first byte of the range
 * @len: bytes in the range; the range may end at the top of the 64-bit
 *	space, so its end is not representable
 *
 * Compares last bytes, never ends, so that neither a range nor a piece
 * ending at 2^64 wraps to zero.
 *
 * Context: any context; touches nothing but its arguments.
 * Return: true if some byte of @f lies in the range.
 */
bool spar_nic_frag_overlaps(const struct spar_nic_frag *f, u64 iova, u64 len)
{
	u64 last = iova + (len - 1);

	if (!len || !f->len)
		return false;
	/* A range that would wrap runs to the top of the space. */
	if (last < iova)
		last = ~(u64)0;
	return f->iova <= last && iova <= f->iova + (f->len - 1);
}
