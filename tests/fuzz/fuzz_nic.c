// SPDX-License-Identifier: GPL-2.0
/*
 * Fuzz the spar-nic command validator with arbitrary slots, slot lengths
 * and frame limits.  The slot is an exact-size heap block, so ASAN sees
 * any read past it.  A refusal must give one of the known reasons; an
 * accepted command must be within every bound the back-end relies on and
 * agree with the bytes it came from.
 */
#include <endian.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spar_nic_proto.h"
#include "fuzz_nic.h"
#include "fuzz_assert.h"

static const char *const reasons[] = {
	"command slot shorter than a command",
	"non-network command on a NIC channel",
	"unknown network command",
	"receive buffer descriptor out of range",
	"frame shorter than an Ethernet header",
	"frame longer than the largest MTU",
	"transmit fragment list out of range",
	"transmit fragments do not add up to the frame",
};

static bool known_reason(const char *why)
{
	size_t i;

	for (i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++)
		if (!strcmp(why, reasons[i]))
			return true;
	return false;
}

/* @f is inside one 4 KiB page and came from @pi */
static void check_frag(const struct spar_nic_frag *f,
		       const struct spar_phys_info *pi)
{
	u64 off = f->iova & SPAR_PI_PAGE_MASK;

	ASSERT(f->len >= 1 && f->len <= SPAR_PI_PAGE_SIZE);
	ASSERT(off + f->len <= SPAR_PI_PAGE_SIZE);
	ASSERT(f->iova + f->len - 1 >= f->iova);
	ASSERT(f->iova >> SPAR_PI_PAGE_SHIFT == le64toh(pi->pi_pfn));
	ASSERT(off == le16toh(pi->pi_off));
	ASSERT(f->len == le16toh(pi->pi_len));
}

static void check_xmit(const struct spar_nic_xmit *x,
		       const struct spar_net_pkt_xmt *raw, u32 max_frame)
{
	u64 sum = 0;
	u32 i;

	ASSERT(x->len == le32toh(raw->len));
	ASSERT(x->nfrags == le32toh(raw->num_frags));
	ASSERT(x->len >= SPAR_NIC_MIN_FRAME && x->len <= max_frame);
	ASSERT(x->nfrags >= 1 && x->nfrags <= SPAR_NIC_MAX_FRAGS);
	for (i = 0; i < x->nfrags; i++) {
		check_frag(&x->frags[i], &raw->frags[i]);
		sum += x->frags[i].len;
	}
	ASSERT(sum == x->len);
}

static void check_accepted(const struct spar_nic_cmd *cmd,
			   const struct spar_uiscmdrsp *raw, size_t slot_len,
			   u32 max_frame)
{
	ASSERT(slot_len >= sizeof(*raw));
	ASSERT(raw->cmdtype == SPAR_CMD_NET_TYPE);
	ASSERT(cmd->net);
	ASSERT(cmd->type == le32toh(raw->net.type));
	ASSERT(cmd->buf == le64toh(raw->net.buf));

	switch (cmd->type) {
	case SPAR_NET_RCV_POST:
		check_frag(&cmd->post, &raw->net.rcvpost.frag);
		break;
	case SPAR_NET_XMIT:
		check_xmit(&cmd->xmit, &raw->net.xmt, max_frame);
		break;
	case SPAR_NET_RCV_ENBDIS:
	case SPAR_NET_RCV_PROMISC:
		ASSERT(cmd->enbdis.context == le64toh(raw->net.enbdis.context));
		ASSERT(cmd->enbdis.enable == le16toh(raw->net.enbdis.enable));
		ASSERT(cmd->enbdis.on == (cmd->enbdis.enable != 0));
		break;
	case SPAR_NET_MACADDR:
		break;
	default:
		ASSERT(!"accepted a command of another type");
	}
}

static void check_refused(const char *why, const struct spar_nic_cmd *cmd,
			  const struct spar_uiscmdrsp *raw, size_t slot_len)
{
	bool net = slot_len >= sizeof(*raw) &&
		   raw->cmdtype == SPAR_CMD_NET_TYPE;

	ASSERT(known_reason(why));
	ASSERT(cmd->net == net);
	if (net)
		ASSERT(cmd->type == le32toh(raw->net.type));
}

static void check_offload(const u8 *slot, size_t slot_len, u32 features,
			  u32 len, u32 mtu)
{
	struct spar_nic_offload o, again;
	const char *why;
	u8 base;

	why = spar_nic_offload_parse(slot, slot_len, features, len, mtu, &o);
	ASSERT(spar_nic_offload_parse(slot, slot_len, features, len, mtu,
				      &again) == why);
	if (why)
		return;
	if (o.needs_csum) {
		ASSERT(features & SPAR_NIC_F_CSUM);
		ASSERT((u32)o.csum_start + o.csum_offset + 2 <= len);
		ASSERT(o.csum_start >= SPAR_NIC_MIN_CSUM_START);
	}
	if (o.gso_type == SPAR_NET_GSO_NONE) {
		/* s-Par's limit, or up to the channel's MTU with big-mtu */
		ASSERT(len <= SPAR_NIC_MAX_FRAME ||
		       ((features & SPAR_NIC_F_BIG_MTU) &&
			len <= (u64)mtu + SPAR_ETH_HEADER_SIZE &&
			len <= SPAR_NIC_BIG_MTU_MAX + SPAR_ETH_HEADER_SIZE));
		return;
	}
	base = o.gso_type & ~SPAR_NET_GSO_ECN;
	ASSERT(features & SPAR_NIC_F_TSO);
	ASSERT(base == SPAR_NET_GSO_TCPV4 || base == SPAR_NET_GSO_TCPV6);
	ASSERT(o.needs_csum && o.gso_size >= SPAR_NIC_MIN_GSO_SIZE &&
	       o.gso_size <= len && o.gso_size <= mtu && o.hdr_len <= len);
	ASSERT(o.csum_offset == SPAR_NIC_TCP_CSUM_OFFSET);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct spar_nic_cmd *cmd, *again;
	const char *why;
	u32 max_frame;
	size_t slot_len;
	u8 *slot, *copy;

	if (size < FUZZ_NIC_HDR_LEN)
		return 0;
	max_frame = data[0] | data[1] << 8 | data[2] << 16 |
		    (u32)data[3] << 24;
	slot_len = data[4] | data[5] << 8;
	data += FUZZ_NIC_HDR_LEN;
	size -= FUZZ_NIC_HDR_LEN;
	if (size > slot_len)
		size = slot_len;

	slot = malloc(slot_len ? slot_len : 1);
	copy = malloc(slot_len ? slot_len : 1);
	cmd = malloc(sizeof(*cmd));
	again = malloc(sizeof(*again));
	ASSERT(slot && copy && cmd && again);
	memset(slot, 0, slot_len);
	memcpy(slot, data, size);
	memcpy(copy, slot, slot_len);

	why = spar_nic_cmd_parse(slot, slot_len, max_frame, cmd);
	ASSERT(!memcmp(slot, copy, slot_len));
	if (why)
		check_refused(why, cmd, (const void *)slot, slot_len);
	else
		check_accepted(cmd, (const void *)slot, slot_len, max_frame);

	/* Nothing but the arguments decides. */
	ASSERT(spar_nic_cmd_parse(slot, slot_len, max_frame, again) == why);

	/*
	 * The offload block of an accepted transmit, under the features the
	 * top bits of the frame limit pick: what it accepts fits the frame.
	 */
	if (!why && cmd->type == SPAR_NET_XMIT)
		check_offload(slot, slot_len, (max_frame >> 27) << 16,
			      cmd->xmit.len, slot_len * 8);

	free(again);
	free(cmd);
	free(copy);
	free(slot);
	return 0;
}
