// SPDX-License-Identifier: GPL-2.0
/*
 * Write a small seed corpus for the spar-nic command validator:
 *   mkseeds_nic DIR
 * One well-formed command of each kind the guest sends, a few refused
 * ones, under the back-end's geometry and frame limit and under others.
 * Trailing zero bytes are left out: the target pads the slot with zeros.
 */
#include <endian.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spar_nic_proto.h"
#include "fuzz_nic.h"

static union {
	struct spar_uiscmdrsp cmd;
	u8 bytes[SPAR_SIZEOF_CMDRSP];
} slot;
static const char *dir;
static int seq;

static void save(u32 max_frame, u16 slot_len)
{
	u8 hdr[FUZZ_NIC_HDR_LEN] = {
		max_frame, max_frame >> 8, max_frame >> 16, max_frame >> 24,
		slot_len, slot_len >> 8,
	};
	size_t len = sizeof(slot.bytes);
	char path[4096];
	FILE *f;

	while (len && !slot.bytes[len - 1])
		len--;
	snprintf(path, sizeof(path), "%s/seed-%02d", dir, seq++);
	f = fopen(path, "wb");
	if (!f || fwrite(hdr, 1, sizeof(hdr), f) != sizeof(hdr) ||
	    fwrite(slot.bytes, 1, len, f) != len || fclose(f)) {
		perror(path);
		exit(1);
	}
}

static void net(u32 type)
{
	memset(&slot, 0, sizeof(slot));
	slot.cmd.cmdtype = SPAR_CMD_NET_TYPE;
	slot.cmd.net.type = htole32(type);
	slot.cmd.net.buf = htole64(0x1000 + seq);
}

static void pi(struct spar_phys_info *p, u64 pfn, u16 off, u16 len)
{
	p->pi_pfn = htole64(pfn);
	p->pi_off = htole16(off);
	p->pi_len = htole16(len);
}

/* a transmit of @len bytes split into @nfrags nearly equal fragments */
static void xmit(u32 len, u32 nfrags)
{
	u32 i, left = len;

	net(SPAR_NET_XMIT);
	slot.cmd.net.xmt.len = htole32(len);
	slot.cmd.net.xmt.num_frags = htole32(nfrags);
	for (i = 0; i < nfrags; i++) {
		u32 n = left / (nfrags - i);

		pi(&slot.cmd.net.xmt.frags[i], 0x200 + i, 0, n);
		left -= n;
	}
}

static void enbdis(u32 type, u16 enable)
{
	net(type);
	slot.cmd.net.enbdis.context = htole64(0xc0ffee);
	slot.cmd.net.enbdis.enable = htole16(enable);
}

int main(int argc, char **argv)
{
	static const u16 slot_lens[] = { SPAR_SIZEOF_CMDRSP,
					 sizeof(struct spar_uiscmdrsp) };
	const u32 mtu = 1500 + SPAR_ETH_HEADER_SIZE;
	size_t i;

	if (argc != 2) {
		fprintf(stderr, "usage: mkseeds_nic DIR\n");
		return 2;
	}
	dir = argv[1];

	for (i = 0; i < sizeof(slot_lens) / sizeof(slot_lens[0]); i++) {
		net(SPAR_NET_RCV_POST);
		pi(&slot.cmd.net.rcvpost.frag, 0x1234, 64,
		   SPAR_RCVPOST_BUF_SIZE);
		save(SPAR_NIC_MAX_FRAME, slot_lens[i]);
		xmit(60, 1);
		save(SPAR_NIC_MAX_FRAME, slot_lens[i]);
		xmit(mtu, 2);
		save(mtu, slot_lens[i]);
	}
	xmit(SPAR_NIC_MAX_FRAME, 5);
	save(SPAR_NIC_MAX_FRAME, SPAR_SIZEOF_CMDRSP);
	xmit(SPAR_NIC_MAX_FRAGS * 100, SPAR_NIC_MAX_FRAGS);
	save(SPAR_NIC_MAX_FRAME, SPAR_SIZEOF_CMDRSP);
	enbdis(SPAR_NET_RCV_ENBDIS, 1);
	save(SPAR_NIC_MAX_FRAME, SPAR_SIZEOF_CMDRSP);
	enbdis(SPAR_NET_RCV_ENBDIS, 0);
	save(SPAR_NIC_MAX_FRAME, SPAR_SIZEOF_CMDRSP);
	enbdis(SPAR_NET_RCV_PROMISC, SPAR_NET_PROMISC_ON);
	save(SPAR_NIC_MAX_FRAME, SPAR_SIZEOF_CMDRSP);
	net(SPAR_NET_MACADDR);
	save(SPAR_NIC_MAX_FRAME, SPAR_SIZEOF_CMDRSP);

	/* refused: a response type, a SCSI command, a short slot */
	net(SPAR_NET_XMIT_DONE);
	save(SPAR_NIC_MAX_FRAME, SPAR_SIZEOF_CMDRSP);
	net(SPAR_NET_RCV_POST);
	slot.cmd.cmdtype = SPAR_CMD_SCSI_TYPE;
	save(SPAR_NIC_MAX_FRAME, SPAR_SIZEOF_CMDRSP);
	xmit(60, 1);
	save(SPAR_NIC_MAX_FRAME, 64);
	return 0;
}
