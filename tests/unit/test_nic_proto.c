// SPDX-License-Identifier: GPL-2.0
/*
 * spar-nic command validation: well-formed commands are accepted and
 * decoded, each kind of malformed command is refused with its own reason,
 * and the validator reads nothing past the command (every slot is a
 * guarded buffer of exactly the length given).
 *
 * Prints one "PASS unit/nic_proto-<name>" or "FAIL unit/nic_proto-<name>"
 * line per case.
 */
#include <linux/virtio_net.h>

#include "spar_nic_proto.h"
#include "unit.h"

#define WHY_SLOT	"command slot shorter than a command"
#define WHY_NOT_NET	"non-network command on a NIC channel"
#define WHY_UNKNOWN	"unknown network command"
#define WHY_POST	"receive buffer descriptor out of range"
#define WHY_SHORT	"frame shorter than an Ethernet header"
#define WHY_LONG	"frame longer than the largest MTU"
#define WHY_FRAGS	"transmit fragment list out of range"
#define WHY_SUM		"transmit fragments do not add up to the frame"

#define CMD_LEN		sizeof(struct spar_uiscmdrsp)
#define COOKIE		0x0123456789abcdefULL

static struct unit_guard guard;

/* a zeroed slot of @len bytes with a guard page right after it */
static struct spar_uiscmdrsp *slot_new(size_t len)
{
	return (struct spar_uiscmdrsp *)unit_guard_alloc(&guard, len);
}

static void slot_free(void)
{
	CHECK(unit_guard_check(&guard));
	unit_guard_free(&guard);
}

static void set_net(struct spar_uiscmdrsp *c, u32 type)
{
	c->cmdtype = SPAR_CMD_NET_TYPE;
	c->net.type = htole32(type);
	c->net.buf = htole64(COOKIE);
}

static void set_pi(struct spar_phys_info *pi, u64 pfn, u32 off, u32 len)
{
	pi->pi_pfn = htole64(pfn);
	pi->pi_off = htole16(off);
	pi->pi_len = htole16(len);
}

static void set_post(struct spar_uiscmdrsp *c, u64 pfn, u32 off, u32 len)
{
	set_net(c, SPAR_NET_RCV_POST);
	set_pi(&c->net.rcvpost.frag, pfn, off, len);
}

/*
 * A transmit of @len bytes in @nfrags fragments: all but the last are
 * whole pages, the last takes the rest (it may be empty or too long if
 * the numbers do not fit, for the tests that want that).
 */
static void set_xmit(struct spar_uiscmdrsp *c, u32 len, u32 nfrags)
{
	u32 i, left = len;

	set_net(c, SPAR_NET_XMIT);
	c->net.xmt.len = htole32(len);
	c->net.xmt.num_frags = htole32(nfrags);
	for (i = 0; i < nfrags && i < SPAR_MAX_PHYS_INFO; i++) {
		u32 n = i + 1 < nfrags ? SPAR_PI_PAGE_SIZE : left;

		set_pi(&c->net.xmt.frags[i], 0x1000 + i, 0, n);
		left -= n < left ? n : left;
	}
}

/* fragments set_xmit() needs for @len bytes, within the protocol's bounds */
static u32 frags_for(u32 len)
{
	u32 n = len / SPAR_PI_PAGE_SIZE + !!(len % SPAR_PI_PAGE_SIZE);

	if (!n)
		return 1;
	return n < SPAR_NIC_MAX_FRAGS ? n : SPAR_NIC_MAX_FRAGS;
}

static const char *parse(struct spar_uiscmdrsp *c, struct spar_nic_cmd *cmd)
{
	return spar_nic_cmd_parse(c, CMD_LEN, SPAR_NIC_MAX_FRAME, cmd);
}

static void t_limits(void)
{
	CHECK_EQ(SPAR_NIC_MIN_FRAME, 14);
	CHECK_EQ(SPAR_NIC_MAX_FRAME, 16384 + 14);
	CHECK_EQ(SPAR_NIC_MAX_FRAGS, 64);
	CHECK(SPAR_NIC_MAX_PFN == 0x000fffffffffffffULL);
}

static void t_short_slot(void)
{
	static const size_t lens[] = { 0, 1, CMD_LEN - 1 };
	struct spar_nic_cmd cmd;
	size_t i;

	for (i = 0; i < UNIT_ARRAY_SIZE(lens); i++) {
		struct spar_uiscmdrsp *c = slot_new(CMD_LEN);

		set_post(c, 1, 0, 64);
		memset(&cmd, 0xff, sizeof(cmd));
		CHECK_WHY(spar_nic_cmd_parse(c, lens[i], SPAR_NIC_MAX_FRAME,
					     &cmd), WHY_SLOT);
		CHECK(!cmd.net);
		slot_free();
	}
}

static void t_slot_sizes(void)
{
	static const size_t lens[] = { CMD_LEN, SPAR_SIZEOF_CMDRSP };
	struct spar_nic_cmd cmd;
	size_t i;

	for (i = 0; i < UNIT_ARRAY_SIZE(lens); i++) {
		struct spar_uiscmdrsp *c = slot_new(lens[i]);

		set_post(c, 1, 0, 64);
		CHECK_WHY(spar_nic_cmd_parse(c, lens[i], SPAR_NIC_MAX_FRAME,
					     &cmd), NULL);
		slot_free();
	}
}

static void t_not_net(void)
{
	static const u8 types[] = { 0, SPAR_CMD_SCSI_TYPE,
				    SPAR_CMD_SCSITASKMGMT_TYPE,
				    SPAR_CMD_NOTIFYGUEST_TYPE, 0xff };
	struct spar_nic_cmd cmd;
	size_t i;

	for (i = 0; i < UNIT_ARRAY_SIZE(types); i++) {
		struct spar_uiscmdrsp *c = slot_new(CMD_LEN);

		set_post(c, 1, 0, 64);
		c->cmdtype = types[i];
		CHECK_WHY(parse(c, &cmd), WHY_NOT_NET);
		CHECK(!cmd.net);
		slot_free();
	}
}

static void t_unknown_type(void)
{
	static const u32 types[] = { SPAR_NET_RCV, SPAR_NET_XMIT_DONE,
				     SPAR_NET_RCV_ENBDIS_ACK,
				     SPAR_NET_CONNECT_STATUS,
				     SPAR_NET_MACADDR_ACK, 10, 0x100,
				     0x80000000, 0xffffffff };
	struct spar_nic_cmd cmd;
	size_t i;

	for (i = 0; i < UNIT_ARRAY_SIZE(types); i++) {
		struct spar_uiscmdrsp *c = slot_new(CMD_LEN);

		set_net(c, types[i]);
		CHECK_WHY(parse(c, &cmd), WHY_UNKNOWN);
		/* Still counted by type. */
		CHECK(cmd.net);
		CHECK_EQ(cmd.type, types[i]);
		slot_free();
	}
}

static void t_post_good(void)
{
	static const struct { u64 pfn; u32 off, len; u64 iova; } ok[] = {
		{ 0x12345, 64, SPAR_RCVPOST_BUF_SIZE, 0x12345040 },
		{ 0, 0, SPAR_PI_PAGE_SIZE, 0 },
		{ 7, SPAR_PI_PAGE_SIZE - 1, 1, 0x7fff },
		{ SPAR_NIC_MAX_PFN, SPAR_PI_PAGE_SIZE - 1, 1, ~0ULL },
	};
	struct spar_nic_cmd cmd;
	size_t i;

	for (i = 0; i < UNIT_ARRAY_SIZE(ok); i++) {
		struct spar_uiscmdrsp *c = slot_new(CMD_LEN);

		set_post(c, ok[i].pfn, ok[i].off, ok[i].len);
		CHECK_WHY(parse(c, &cmd), NULL);
		CHECK(cmd.net);
		CHECK_EQ(cmd.type, SPAR_NET_RCV_POST);
		CHECK(cmd.buf == COOKIE);
		CHECK(cmd.post.iova == ok[i].iova);
		CHECK_EQ(cmd.post.len, ok[i].len);
		slot_free();
	}
}

static void t_post_bad(void)
{
	static const struct { u64 pfn; u32 off, len; } bad[] = {
		{ 1, 0, 0 },				/* empty */
		{ 1, SPAR_PI_PAGE_SIZE, 1 },		/* offset outside */
		{ 1, 0xffff, 1 },
		{ 1, 4000, 97 },			/* crosses the page */
		{ 1, 0, SPAR_PI_PAGE_SIZE + 1 },
		{ 1, 0xffff, 0xffff },
		{ SPAR_NIC_MAX_PFN + 1, 0, 64 },	/* address wraps */
		{ ~0ULL, 0, 64 },
	};
	struct spar_nic_cmd cmd;
	size_t i;

	for (i = 0; i < UNIT_ARRAY_SIZE(bad); i++) {
		struct spar_uiscmdrsp *c = slot_new(CMD_LEN);

		set_post(c, bad[i].pfn, bad[i].off, bad[i].len);
		CHECK_WHY(parse(c, &cmd), WHY_POST);
		CHECK(cmd.net);
		CHECK_EQ(cmd.type, SPAR_NET_RCV_POST);
		slot_free();
	}
}

/* the accepted transmit matches what set_xmit() wrote */
static void check_xmit(const struct spar_nic_cmd *cmd, u32 len, u32 nfrags)
{
	u32 i, sum = 0;

	CHECK_EQ(cmd->type, SPAR_NET_XMIT);
	CHECK(cmd->buf == COOKIE);
	CHECK_EQ(cmd->xmit.len, len);
	CHECK_EQ(cmd->xmit.nfrags, nfrags);
	for (i = 0; i < cmd->xmit.nfrags && i < SPAR_NIC_MAX_FRAGS; i++) {
		CHECK(cmd->xmit.frags[i].iova ==
		      (u64)(0x1000 + i) << SPAR_PI_PAGE_SHIFT);
		sum += cmd->xmit.frags[i].len;
	}
	CHECK_EQ(sum, len);
}

static void t_xmit_good(void)
{
	static const struct { u32 len, nfrags; } ok[] = {
		{ SPAR_NIC_MIN_FRAME, 1 },
		{ 60, 1 },
		{ 1514, 1 },
		{ 9014, 3 },
		{ 3 * SPAR_PI_PAGE_SIZE, 3 },
		{ SPAR_NIC_MAX_FRAME, 5 },
	};
	struct spar_nic_cmd cmd;
	size_t i;

	for (i = 0; i < UNIT_ARRAY_SIZE(ok); i++) {
		struct spar_uiscmdrsp *c = slot_new(CMD_LEN);

		set_xmit(c, ok[i].len, ok[i].nfrags);
		CHECK_WHY(parse(c, &cmd), NULL);
		check_xmit(&cmd, ok[i].len, ok[i].nfrags);
		slot_free();
	}
}

/* every fragment slot used: 64 fragments of 256 bytes */
static void t_xmit_max_frags(void)
{
	struct spar_uiscmdrsp *c = slot_new(CMD_LEN);
	struct spar_nic_cmd cmd;
	u32 i;

	set_net(c, SPAR_NET_XMIT);
	c->net.xmt.len = htole32(SPAR_NIC_MAX_FRAGS * 256);
	c->net.xmt.num_frags = htole32(SPAR_NIC_MAX_FRAGS);
	for (i = 0; i < SPAR_NIC_MAX_FRAGS; i++)
		set_pi(&c->net.xmt.frags[i], 0x1000 + i, 0, 256);
	CHECK_WHY(parse(c, &cmd), NULL);
	check_xmit(&cmd, SPAR_NIC_MAX_FRAGS * 256, SPAR_NIC_MAX_FRAGS);
	slot_free();
}

static void t_xmit_frame_len(void)
{
	static const struct { u32 len, max; const char *why; } rows[] = {
		{ 0, SPAR_NIC_MAX_FRAME, WHY_SHORT },
		{ SPAR_NIC_MIN_FRAME - 1, SPAR_NIC_MAX_FRAME, WHY_SHORT },
		{ SPAR_NIC_MAX_FRAME + 1, SPAR_NIC_MAX_FRAME, WHY_LONG },
		{ 0xffffffff, SPAR_NIC_MAX_FRAME, WHY_LONG },
		{ 1514, 1514, NULL },
		{ 1515, 1514, WHY_LONG },
		/* a maximum below the minimum refuses every frame */
		{ SPAR_NIC_MIN_FRAME, 0, WHY_LONG },
	};
	struct spar_nic_cmd cmd;
	size_t i;

	for (i = 0; i < UNIT_ARRAY_SIZE(rows); i++) {
		struct spar_uiscmdrsp *c = slot_new(CMD_LEN);

		set_xmit(c, rows[i].len, frags_for(rows[i].len));
		CHECK_WHY(spar_nic_cmd_parse(c, CMD_LEN, rows[i].max, &cmd),
			  rows[i].why);
		CHECK(cmd.net);
		CHECK_EQ(cmd.type, SPAR_NET_XMIT);
		slot_free();
	}
}

static void t_xmit_frag_count(void)
{
	static const u32 counts[] = { 0, SPAR_NIC_MAX_FRAGS + 1, 0x80000000,
				      0xffffffff };
	struct spar_nic_cmd cmd;
	size_t i;

	for (i = 0; i < UNIT_ARRAY_SIZE(counts); i++) {
		struct spar_uiscmdrsp *c = slot_new(CMD_LEN);

		set_xmit(c, 1514, 1);
		c->net.xmt.num_frags = htole32(counts[i]);
		CHECK_WHY(parse(c, &cmd), WHY_FRAGS);
		slot_free();
	}
}

static void t_xmit_frag_bad(void)
{
	static const struct { u64 pfn; u32 off, len; } bad[] = {
		{ 1, 0, 0 },
		{ 1, SPAR_PI_PAGE_SIZE, 14 },
		{ 1, 4000, 200 },
		{ SPAR_NIC_MAX_PFN + 1, 0, 14 },
	};
	struct spar_nic_cmd cmd;
	size_t i;

	for (i = 0; i < UNIT_ARRAY_SIZE(bad); i++) {
		struct spar_uiscmdrsp *c = slot_new(CMD_LEN);

		/* the middle one of three fragments is bad */
		set_xmit(c, 2 * SPAR_PI_PAGE_SIZE + 100, 3);
		set_pi(&c->net.xmt.frags[1], bad[i].pfn, bad[i].off,
		       bad[i].len);
		CHECK_WHY(parse(c, &cmd), WHY_FRAGS);
		slot_free();
	}
}

static void t_xmit_sum(void)
{
	struct spar_nic_cmd cmd;
	struct spar_uiscmdrsp *c;

	/* fragments describe less than the frame */
	c = slot_new(CMD_LEN);
	set_xmit(c, 1514, 1);
	set_pi(&c->net.xmt.frags[0], 0x1000, 0, 1513);
	CHECK_WHY(parse(c, &cmd), WHY_SUM);
	slot_free();

	/* more than the frame */
	c = slot_new(CMD_LEN);
	set_xmit(c, 1514, 2);
	set_pi(&c->net.xmt.frags[1], 0x1001, 0, 1);
	CHECK_WHY(parse(c, &cmd), WHY_SUM);
	slot_free();

	/* entries past num_frags do not count */
	c = slot_new(CMD_LEN);
	set_xmit(c, 1514, 1);
	set_pi(&c->net.xmt.frags[1], 0x1001, 0, 100);
	CHECK_WHY(parse(c, &cmd), NULL);
	check_xmit(&cmd, 1514, 1);
	slot_free();
}

/* the frame length is judged before the fragments */
static void t_xmit_order(void)
{
	struct spar_nic_cmd cmd;
	struct spar_uiscmdrsp *c;

	c = slot_new(CMD_LEN);
	set_xmit(c, 10, 0);
	CHECK_WHY(parse(c, &cmd), WHY_SHORT);
	slot_free();

	c = slot_new(CMD_LEN);
	set_xmit(c, SPAR_NIC_MAX_FRAME + 1, 0);
	CHECK_WHY(parse(c, &cmd), WHY_LONG);
	slot_free();
}

static void t_enbdis(void)
{
	static const struct { u32 type; u16 enable; bool on; } rows[] = {
		{ SPAR_NET_RCV_ENBDIS, 1, true },
		{ SPAR_NET_RCV_ENBDIS, 0, false },
		{ SPAR_NET_RCV_ENBDIS, 0xffff, true },
		{ SPAR_NET_RCV_PROMISC, SPAR_NET_PROMISC_ON, true },
		{ SPAR_NET_RCV_PROMISC, 0, false },
	};
	struct spar_nic_cmd cmd;
	size_t i;

	for (i = 0; i < UNIT_ARRAY_SIZE(rows); i++) {
		struct spar_uiscmdrsp *c = slot_new(CMD_LEN);

		set_net(c, rows[i].type);
		c->net.enbdis.context = htole64(0xfeedface00000000ULL + i);
		c->net.enbdis.enable = htole16(rows[i].enable);
		CHECK_WHY(parse(c, &cmd), NULL);
		CHECK_EQ(cmd.type, rows[i].type);
		CHECK(cmd.buf == COOKIE);
		CHECK(cmd.enbdis.context == 0xfeedface00000000ULL + i);
		CHECK_EQ(cmd.enbdis.enable, rows[i].enable);
		CHECK_EQ(cmd.enbdis.on, rows[i].on);
		slot_free();
	}
}

static void t_macaddr(void)
{
	struct spar_uiscmdrsp *c = slot_new(CMD_LEN);
	struct spar_nic_cmd cmd;

	set_net(c, SPAR_NET_MACADDR);
	memset(c->net.macaddr.macaddr, 0xff, SPAR_MAX_MACADDR_LEN);
	CHECK_WHY(parse(c, &cmd), NULL);
	CHECK_EQ(cmd.type, SPAR_NET_MACADDR);
	slot_free();
}

/*
 * Which posted buffers an unmap takes away: a byte in common, with ranges
 * and buffers that end at the top of the 64-bit space (2^64 itself is not
 * representable, so an end computed as start + length wraps to 0).
 */
static void t_unmap_overlap(void)
{
	const u64 top = ~(u64)0;
	struct spar_nic_frag f;

	/* a buffer in the last page, the range being the last two pages */
	f.iova = top - 4095;
	f.len = 100;
	CHECK(spar_nic_frag_overlaps(&f, top - 8191, 8192));
	/* the same range, the buffer in the page below it */
	f.iova = top - 8191 - 4096;
	CHECK(!spar_nic_frag_overlaps(&f, top - 8191, 8192));
	/* a buffer that ends at 2^64, the range just below it */
	f.iova = top - 4095;
	f.len = 4096;
	CHECK(!spar_nic_frag_overlaps(&f, top - 8191, 4096));
	CHECK(spar_nic_frag_overlaps(&f, top - 8191, 4097));
	CHECK(spar_nic_frag_overlaps(&f, top, 1));
	/* the whole space, and a range whose length would run past it */
	CHECK(spar_nic_frag_overlaps(&f, 0, top));
	CHECK(spar_nic_frag_overlaps(&f, top - 10, 4096));
	/* ordinary ranges: touching is not overlapping */
	f.iova = 0x10000;
	f.len = 0x800;
	CHECK(spar_nic_frag_overlaps(&f, 0x10000, 1));
	CHECK(spar_nic_frag_overlaps(&f, 0x107ff, 0x1000));
	CHECK(!spar_nic_frag_overlaps(&f, 0x10800, 0x1000));
	CHECK(!spar_nic_frag_overlaps(&f, 0xf000, 0x1000));
	CHECK(spar_nic_frag_overlaps(&f, 0xf000, 0x1001));
	/* nothing overlaps an empty range */
	CHECK(!spar_nic_frag_overlaps(&f, 0x10000, 0));
}

#define F_ALL		SPAR_NIC_F_ALL
#define WHY_OFL_SLOT	"command slot too short for offload metadata"
#define WHY_OFL_FLAGS	"unknown transmit offload flags"
#define WHY_OFL_CSUM	"checksum offload not negotiated"
#define WHY_OFL_CPOS	"checksum position outside the frame"
#define WHY_OFL_GSO	"segmentation offload not negotiated"
#define WHY_OFL_TYPE	"unknown segmentation type"
#define WHY_OFL_NOCSUM	"segmentation without a checksum request"
#define WHY_OFL_SIZE	"segment size out of range"
#define WHY_OFL_CHDR	"checksum start inside the Ethernet or IP header"
#define WHY_OFL_TCP	"segmentation checksum not at a TCP header"
#define T_MTU		9000

static struct spar_net_offload *ofl_of(struct spar_uiscmdrsp *c)
{
	return (struct spar_net_offload *)((u8 *)c + SPAR_NET_OFFLOAD_OFFSET);
}

static void set_ofl(struct spar_uiscmdrsp *c, u8 flags, u8 gso, u16 hdr,
		    u16 size, u16 start, u16 off)
{
	struct spar_net_offload *o = ofl_of(c);

	o->flags = flags;
	o->gso_type = gso;
	o->hdr_len = htole16(hdr);
	o->gso_size = htole16(size);
	o->csum_start = htole16(start);
	o->csum_offset = htole16(off);
}

/* the block lies in bytes a plain NET_XMIT or NET_RCV leaves unused */
static void t_ofl_layout(void)
{
	CHECK(SPAR_NET_OFFLOAD_OFFSET >=
	      offsetof(struct spar_uiscmdrsp, net.xmt) +
	      sizeof(struct spar_net_pkt_xmt));
	CHECK(SPAR_NET_OFFLOAD_OFFSET + sizeof(struct spar_net_offload) <=
	      offsetof(struct spar_uiscmdrsp, private_data));
	CHECK_EQ(sizeof(struct spar_net_offload), 16 + 12 * 8);
	CHECK_EQ(SPAR_NET_MAX_RCV_CHAIN_LARGE, 17);
	CHECK_EQ(SPAR_NET_MAX_GSO_FRAME, 65550);
	CHECK_EQ(SPAR_NIC_F_ALL, 0x1f0000);
	CHECK_EQ(SPAR_NIC_LEGACY_MTU_MAX, SPAR_ETH_MAX_MTU - 14);
	CHECK(SPAR_NIC_BIG_MTU_MAX + 14 <= SPAR_NET_MAX_GSO_FRAME);
	CHECK(!(SPAR_NIC_F_ALL & SPAR_TRANSPORT_F_TRANSPORT_MASK));
	/* values are virtio-net's: both sides hand them to its helpers */
	CHECK_EQ(SPAR_NET_OFL_F_NEEDS_CSUM, VIRTIO_NET_HDR_F_NEEDS_CSUM);
	CHECK_EQ(SPAR_NET_OFL_F_DATA_VALID, VIRTIO_NET_HDR_F_DATA_VALID);
	CHECK_EQ(SPAR_NET_GSO_NONE, VIRTIO_NET_HDR_GSO_NONE);
	CHECK_EQ(SPAR_NET_GSO_TCPV4, VIRTIO_NET_HDR_GSO_TCPV4);
	CHECK_EQ(SPAR_NET_GSO_TCPV6, VIRTIO_NET_HDR_GSO_TCPV6);
	CHECK_EQ(SPAR_NET_GSO_ECN, VIRTIO_NET_HDR_GSO_ECN);
}

/* without the features nothing is read: a full block changes nothing */
static void t_ofl_off(void)
{
	struct spar_uiscmdrsp *c = slot_new(CMD_LEN);
	struct spar_nic_offload o;

	set_ofl(c, 0xff, 0xff, 1, 1, 0xffff, 0xffff);
	CHECK_WHY(spar_nic_offload_parse(c, CMD_LEN, 0, 1514, T_MTU, &o), NULL);
	CHECK(!o.needs_csum && !o.gso_type);
	/* the receive-side features do not make a transmit carry one */
	CHECK_WHY(spar_nic_offload_parse(c, CMD_LEN, SPAR_NIC_F_GUEST_CSUM |
					 SPAR_NIC_F_LARGE_RX, 1514, T_MTU, &o), NULL);
	/* a frame over the MTU stays refused */
	CHECK_WHY(spar_nic_offload_parse(c, CMD_LEN, 0,
					 SPAR_NIC_MAX_FRAME + 1, T_MTU, &o), WHY_LONG);
	slot_free();
}

static void t_ofl_csum(void)
{
	struct spar_uiscmdrsp *c = slot_new(CMD_LEN);
	struct spar_nic_offload o;

	/* TCP over IPv4: start 34, result at 34 + 16 */
	set_ofl(c, SPAR_NET_OFL_F_NEEDS_CSUM, 0, 0, 0, 34, 16);
	CHECK_WHY(spar_nic_offload_parse(c, CMD_LEN, SPAR_NIC_F_CSUM, 1514,
					 T_MTU, &o), NULL);
	CHECK(o.needs_csum);
	CHECK_EQ(o.csum_start, 34);
	CHECK_EQ(o.csum_offset, 16);
	/* the 2-byte result must lie inside the frame */
	CHECK_WHY(spar_nic_offload_parse(c, CMD_LEN, SPAR_NIC_F_CSUM, 52,
					 T_MTU, &o), NULL);
	CHECK_WHY(spar_nic_offload_parse(c, CMD_LEN, SPAR_NIC_F_CSUM, 51,
					 T_MTU, &o), WHY_OFL_CPOS);
	set_ofl(c, SPAR_NET_OFL_F_NEEDS_CSUM, 0, 0, 0, 0xffff, 0xffff);
	CHECK_WHY(spar_nic_offload_parse(c, CMD_LEN, F_ALL,
					 SPAR_NET_MAX_GSO_FRAME, T_MTU, &o),
		  WHY_OFL_CPOS);
	/* asked for without the feature (segmentation alone is not it) */
	set_ofl(c, SPAR_NET_OFL_F_NEEDS_CSUM, 0, 0, 0, 34, 16);
	CHECK_WHY(spar_nic_offload_parse(c, CMD_LEN, SPAR_NIC_F_TSO, 1514,
					 T_MTU, &o), WHY_OFL_CSUM);
	/* nothing before the end of an Ethernet and a minimal IP header */
	set_ofl(c, SPAR_NET_OFL_F_NEEDS_CSUM, 0, 0, 0, 0, 16);
	CHECK_WHY(spar_nic_offload_parse(c, CMD_LEN, SPAR_NIC_F_CSUM, 1514,
					 T_MTU, &o), WHY_OFL_CHDR);
	set_ofl(c, SPAR_NET_OFL_F_NEEDS_CSUM, 0, 0, 0, 33, 6);
	CHECK_WHY(spar_nic_offload_parse(c, CMD_LEN, SPAR_NIC_F_CSUM, 1514,
					 T_MTU, &o), WHY_OFL_CHDR);
	set_ofl(c, SPAR_NET_OFL_F_NEEDS_CSUM, 0, 0, 0, 34, 6);
	CHECK_WHY(spar_nic_offload_parse(c, CMD_LEN, SPAR_NIC_F_CSUM, 1514,
					 T_MTU, &o), NULL);
	/* DATA_VALID is for receives; other bits are unknown */
	set_ofl(c, SPAR_NET_OFL_F_DATA_VALID, 0, 0, 0, 0, 0);
	CHECK_WHY(spar_nic_offload_parse(c, CMD_LEN, F_ALL, 1514, T_MTU, &o),
		  WHY_OFL_FLAGS);
	set_ofl(c, 0x80, 0, 0, 0, 0, 0);
	CHECK_WHY(spar_nic_offload_parse(c, CMD_LEN, F_ALL, 1514, T_MTU, &o),
		  WHY_OFL_FLAGS);
	slot_free();
}

static void t_ofl_gso(void)
{
	static const u8 good[] = {
		SPAR_NET_GSO_TCPV4, SPAR_NET_GSO_TCPV6,
		SPAR_NET_GSO_TCPV4 | SPAR_NET_GSO_ECN,
		SPAR_NET_GSO_TCPV6 | SPAR_NET_GSO_ECN,
	};
	static const u8 bad[] = { 2, 3, 5, 0x7f, SPAR_NET_GSO_ECN, 0xff };
	struct spar_uiscmdrsp *c = slot_new(CMD_LEN);
	const u8 csum = SPAR_NET_OFL_F_NEEDS_CSUM;
	struct spar_nic_offload o;
	size_t i;

	for (i = 0; i < UNIT_ARRAY_SIZE(good); i++) {
		u16 start = (good[i] & ~SPAR_NET_GSO_ECN) ==
			    SPAR_NET_GSO_TCPV6 ? 54 : 34;

		set_ofl(c, csum, good[i], 66, 1448, start, 16);
		CHECK_WHY(spar_nic_offload_parse(c, CMD_LEN, F_ALL,
						 SPAR_NET_MAX_GSO_FRAME, T_MTU, &o),
			  NULL);
		CHECK_EQ(o.gso_type, good[i]);
		CHECK_EQ(o.gso_size, 1448);
		CHECK_EQ(o.hdr_len, 66);
	}
	for (i = 0; i < UNIT_ARRAY_SIZE(bad); i++) {
		set_ofl(c, csum, bad[i], 66, 1448, 34, 16);
		CHECK_WHY(spar_nic_offload_parse(c, CMD_LEN, F_ALL, 60000, T_MTU, &o),
			  WHY_OFL_TYPE);
	}
	set_ofl(c, csum, SPAR_NET_GSO_TCPV4, 66, 1448, 34, 16);
	CHECK_WHY(spar_nic_offload_parse(c, CMD_LEN, SPAR_NIC_F_CSUM, 60000,
					 T_MTU, &o), WHY_OFL_GSO);
	set_ofl(c, 0, SPAR_NET_GSO_TCPV4, 66, 1448, 34, 16);
	CHECK_WHY(spar_nic_offload_parse(c, CMD_LEN, F_ALL, 60000, T_MTU, &o),
		  WHY_OFL_NOCSUM);
	set_ofl(c, csum, SPAR_NET_GSO_TCPV4, 66, 0, 34, 16);
	CHECK_WHY(spar_nic_offload_parse(c, CMD_LEN, F_ALL, 60000, T_MTU, &o),
		  WHY_OFL_SIZE);
	set_ofl(c, csum, SPAR_NET_GSO_TCPV4, 66, 1449, 34, 16);
	CHECK_WHY(spar_nic_offload_parse(c, CMD_LEN, F_ALL, 1448, T_MTU, &o),
		  WHY_OFL_SIZE);
	set_ofl(c, csum, SPAR_NET_GSO_TCPV4, 1449, 100, 34, 16);
	CHECK_WHY(spar_nic_offload_parse(c, CMD_LEN, F_ALL, 1448, T_MTU, &o),
		  WHY_OFL_SIZE);
	/* a segment is at least SPAR_NIC_MIN_GSO_SIZE and at most the MTU */
	set_ofl(c, csum, SPAR_NET_GSO_TCPV4, 66, 63, 34, 16);
	CHECK_WHY(spar_nic_offload_parse(c, CMD_LEN, F_ALL, 60000, T_MTU, &o),
		  WHY_OFL_SIZE);
	set_ofl(c, csum, SPAR_NET_GSO_TCPV4, 66, 64, 34, 16);
	CHECK_WHY(spar_nic_offload_parse(c, CMD_LEN, F_ALL, 60000, T_MTU, &o),
		  NULL);
	set_ofl(c, csum, SPAR_NET_GSO_TCPV4, 66, 1501, 34, 16);
	CHECK_WHY(spar_nic_offload_parse(c, CMD_LEN, F_ALL, 60000, 1500, &o),
		  WHY_OFL_SIZE);
	set_ofl(c, csum, SPAR_NET_GSO_TCPV4, 66, 1500, 34, 16);
	CHECK_WHY(spar_nic_offload_parse(c, CMD_LEN, F_ALL, 60000, 1500, &o),
		  NULL);
	/* the checksum goes where TCP keeps it, after a whole IP header */
	set_ofl(c, csum, SPAR_NET_GSO_TCPV4, 66, 1448, 34, 6);
	CHECK_WHY(spar_nic_offload_parse(c, CMD_LEN, F_ALL, 60000, T_MTU, &o),
		  WHY_OFL_TCP);
	set_ofl(c, csum, SPAR_NET_GSO_TCPV6, 66, 1448, 53, 16);
	CHECK_WHY(spar_nic_offload_parse(c, CMD_LEN, F_ALL, 60000, T_MTU, &o),
		  WHY_OFL_TCP);
	/* an unsegmented frame keeps the MTU limit under TSO */
	set_ofl(c, csum, SPAR_NET_GSO_NONE, 0, 0, 34, 16);
	CHECK_WHY(spar_nic_offload_parse(c, CMD_LEN, F_ALL,
					 SPAR_NIC_MAX_FRAME + 1, T_MTU, &o), WHY_LONG);
	slot_free();
}

/* the block is read only when the slot holds it */
static void t_ofl_slot(void)
{
	size_t len = SPAR_NET_OFFLOAD_OFFSET + sizeof(struct spar_net_offload);
	struct spar_uiscmdrsp *c = slot_new(len);
	struct spar_nic_offload o;

	set_ofl(c, SPAR_NET_OFL_F_NEEDS_CSUM, 0, 0, 0, 34, 16);
	CHECK_WHY(spar_nic_offload_parse(c, len, F_ALL, 1514, T_MTU, &o), NULL);
	slot_free();
	c = slot_new(len - 1);
	CHECK_WHY(spar_nic_offload_parse(c, len - 1, F_ALL, 1514, T_MTU, &o),
		  WHY_OFL_SLOT);
	CHECK_WHY(spar_nic_offload_parse(c, len - 1, 0, 1514, T_MTU, &o), NULL);
	slot_free();
}

static void t_ofl_kept(void)
{
	CHECK_EQ(spar_nic_features_kept(F_ALL), F_ALL);
	CHECK_EQ(spar_nic_features_kept(0xffffffff), F_ALL);
	CHECK_EQ(spar_nic_features_kept(SPAR_NIC_F_TSO), 0);
	CHECK_EQ(spar_nic_features_kept(SPAR_NIC_F_LARGE_RX), 0);
	CHECK_EQ(spar_nic_features_kept(SPAR_NIC_F_TSO | SPAR_NIC_F_LARGE_RX |
					SPAR_NIC_F_GUEST_CSUM),
		 SPAR_NIC_F_LARGE_RX | SPAR_NIC_F_GUEST_CSUM);
	CHECK_EQ(spar_nic_features_kept(SPAR_NIC_F_TSO | SPAR_NIC_F_CSUM |
					SPAR_NIC_F_LARGE_RX),
		 SPAR_NIC_F_TSO | SPAR_NIC_F_CSUM);
	/* a big MTU stands on large receive, and so on receive checksums */
	CHECK_EQ(spar_nic_features_kept(SPAR_NIC_F_BIG_MTU |
					SPAR_NIC_F_GUEST_CSUM), SPAR_NIC_F_GUEST_CSUM);
	CHECK_EQ(spar_nic_features_kept(SPAR_NIC_F_BIG_MTU |
					SPAR_NIC_F_LARGE_RX), 0);
	CHECK_EQ(spar_nic_features_kept(SPAR_NIC_F_BIG_MTU |
					SPAR_NIC_F_LARGE_RX |
					SPAR_NIC_F_GUEST_CSUM),
		 SPAR_NIC_F_BIG_MTU | SPAR_NIC_F_LARGE_RX |
		 SPAR_NIC_F_GUEST_CSUM);
}

/* an unsegmented frame may reach the channel's MTU only with big-mtu */
static void t_ofl_big_mtu(void)
{
	u32 rx = SPAR_NIC_F_GUEST_CSUM | SPAR_NIC_F_LARGE_RX;
	u32 big = rx | SPAR_NIC_F_BIG_MTU;
	struct spar_uiscmdrsp *c = slot_new(CMD_LEN);
	struct spar_nic_offload o;

	CHECK_EQ(spar_nic_max_frame(0, 65535), SPAR_NIC_MAX_FRAME);
	CHECK_EQ(spar_nic_max_frame(rx, 65535), SPAR_NIC_MAX_FRAME);
	CHECK_EQ(spar_nic_max_frame(big, 65535), 65535 + 14);
	CHECK_EQ(spar_nic_max_frame(big, 30000), 30014);
	/* never tighter than s-Par's limit, never past the feature's */
	CHECK_EQ(spar_nic_max_frame(big, 1500), SPAR_NIC_MAX_FRAME);
	CHECK_EQ(spar_nic_max_frame(big, 0xffffffff),
		 SPAR_NIC_BIG_MTU_MAX + 14);

	CHECK_WHY(spar_nic_offload_parse(c, CMD_LEN, big, 30014, 30000, &o),
		  NULL);
	CHECK_WHY(spar_nic_offload_parse(c, CMD_LEN, big, 30015, 30000, &o),
		  WHY_LONG);
	CHECK_WHY(spar_nic_offload_parse(c, CMD_LEN, rx, 30014, 30000, &o),
		  WHY_LONG);
	CHECK_WHY(spar_nic_offload_parse(c, CMD_LEN, big | SPAR_NIC_F_CSUM |
					 SPAR_NIC_F_TSO, 65549, 65535, &o),
		  NULL);
	CHECK_WHY(spar_nic_offload_parse(c, CMD_LEN, big, 65550, 65535, &o),
		  WHY_LONG);
	CHECK_WHY(spar_nic_offload_parse(c, CMD_LEN, big,
					 SPAR_NIC_MAX_FRAME, 1500, &o), NULL);
	slot_free();
}

static const struct unit_case cases[] = {
	{ "limits", t_limits },
	{ "short-slot", t_short_slot },
	{ "slot-sizes", t_slot_sizes },
	{ "not-net", t_not_net },
	{ "unknown-type", t_unknown_type },
	{ "post-good", t_post_good },
	{ "post-bad", t_post_bad },
	{ "xmit-good", t_xmit_good },
	{ "xmit-max-frags", t_xmit_max_frags },
	{ "xmit-frame-len", t_xmit_frame_len },
	{ "xmit-frag-count", t_xmit_frag_count },
	{ "xmit-frag-bad", t_xmit_frag_bad },
	{ "xmit-sum", t_xmit_sum },
	{ "xmit-order", t_xmit_order },
	{ "enbdis", t_enbdis },
	{ "macaddr", t_macaddr },
	{ "unmap-overlap", t_unmap_overlap },
	{ "offload-layout", t_ofl_layout },
	{ "offload-off", t_ofl_off },
	{ "offload-csum", t_ofl_csum },
	{ "offload-gso", t_ofl_gso },
	{ "offload-slot", t_ofl_slot },
	{ "offload-kept", t_ofl_kept },
	{ "offload-big-mtu", t_ofl_big_mtu },
};

int main(void)
{
	return unit_main("nic_proto", cases, UNIT_ARRAY_SIZE(cases));
}
