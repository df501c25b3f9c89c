// SPDX-License-Identifier: GPL-2.0
/*
 * Guest side of the spar transport: the bring-up sequence, the client
 * queues (channel/signalqueue.c in its client role), notifications, and a
 * minimal VNIC driver that does what visornic does on the wire.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>

#include <spar/channel.h>
#include <spar/iochannel.h>
#include <spar/transport.h>

#include "spar_decode.h"
#include "spar_guest.h"

#define SLOT_BYTES	4096	/* bigger than any slot we drive */

uint64_t spar_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static int why_fail(char *why, size_t len, int err, const char *fmt,
		    const char *arg)
{
	if (why && len)
		snprintf(why, len, fmt, arg);
	return err;
}

static volatile uint32_t *tp_word(struct spar_guest *g, unsigned int off)
{
	return (volatile uint32_t *)(g->bar0 + off);
}

uint32_t spar_guest_status(struct spar_guest *g)
{
	return spar_vfio_reg_read(g->v, SPAR_REG_STATUS);
}

/* Steps 2, 4 and 6 of the bring-up, also the recovery after NEEDS_RESET. */
int spar_guest_restart(struct spar_guest *g, char *why, size_t len)
{
	uint32_t st, host;
	unsigned int i;
	int ret;

	ret = spar_vfio_reg_write(g->v, SPAR_REG_RESET, SPAR_RESET_REQUEST);
	if (ret)
		return why_fail(why, len, ret, "%s", "RESET write failed");
	st = spar_guest_status(g);
	if (st != SPAR_STATUS_READY) {
		char s[64];

		spar_status_str(st, s, sizeof(s));
		return why_fail(why, len, -EIO, "STATUS after RESET: %s", s);
	}
	host = spar_vfio_reg_read(g->v, SPAR_REG_HOST_FEATURES);
	ret = spar_vfio_reg_write(g->v, SPAR_REG_GUEST_FEATURES,
				  g->features & host);
	if (ret)
		return why_fail(why, len, ret, "%s", "GUEST_FEATURES write");
	g->features = spar_vfio_reg_read(g->v, SPAR_REG_GUEST_FEATURES);
	for (i = 0; i < g->nchan; i++) {
		ret = spar_sq_client_init(&g->sq[i], g->bar0 + g->chan_off[i],
					  g->chan_size[i]);
		if (ret)
			return why_fail(why, len, ret, "%s",
					"client queue init");
	}
	ret = spar_vfio_reg_write(g->v, SPAR_REG_GUEST_STATUS,
				  SPAR_GUEST_STATUS_DRIVER_OK);
	if (ret)
		return why_fail(why, len, ret, "%s", "GUEST_STATUS write");
	return 0;
}

int spar_guest_bringup(struct spar_guest *g, struct spar_vfio *v,
		       uint32_t features, char *why, size_t len)
{
	const struct spar_transport_page *tp;
	uint16_t dev;
	unsigned int i;
	int ret;

	memset(g, 0, sizeof(*g));
	g->v = v;
	g->features = features;

	/* 1: memory space and bus master; identify the registers */
	ret = spar_vfio_cfg_read(v, 2, &dev, 2);
	if (ret)
		return why_fail(why, len, ret, "%s", "config space read");
	ret = spar_vfio_command(v, 0x6, 0);
	if (ret)
		return why_fail(why, len, ret, "%s", "config space write");
	switch (le16toh(dev)) {
	case SPAR_PCI_DEVICE_ID_NIC:
		g->type = SPAR_TRANSPORT_TYPE_NIC;
		break;
	case SPAR_PCI_DEVICE_ID_HBA:
		g->type = SPAR_TRANSPORT_TYPE_HBA;
		break;
	case SPAR_PCI_DEVICE_ID_INPUT:
		g->type = SPAR_TRANSPORT_TYPE_INPUT;
		break;
	default:
		return why_fail(why, len, -ENODEV, "%s", "unknown device ID");
	}
	if (spar_vfio_reg_read(v, SPAR_REG_MAGIC) != SPAR_TRANSPORT_MAGIC ||
	    spar_vfio_reg_read(v, SPAR_REG_VERSION) != SPAR_TRANSPORT_VERSION)
		return why_fail(why, len, -ENODEV, "%s",
				"BAR2 MAGIC/VERSION mismatch");

	/* 2: reset */
	ret = spar_vfio_reg_write(v, SPAR_REG_RESET, SPAR_RESET_REQUEST);
	if (ret)
		return why_fail(why, len, ret, "%s", "RESET write failed");
	if (spar_guest_status(g) != SPAR_STATUS_READY)
		return why_fail(why, len, -EIO, "%s",
				"STATUS not READY after RESET");

	/* 3: map and validate the transport page */
	ret = spar_vfio_map_bar0(v);
	if (ret)
		return why_fail(why, len, ret, "%s", "BAR0 mmap failed");
	g->bar0 = v->bar0;
	ret = spar_check_transport(g->bar0, v->bar0_size, g->type, why, len);
	if (ret)
		return ret;
	tp = (const void *)g->bar0;
	g->nchan = le32toh(tp->hdr.num_channels);
	for (i = 0; i < g->nchan; i++) {
		g->chan_off[i] = le64toh(tp->dir[i].offset);
		g->chan_size[i] = le64toh(tp->dir[i].size);
	}

	/* 4 and 6 (interrupts, step 5, are the caller's choice) */
	return spar_guest_restart(g, why, len);
}

uint8_t *spar_guest_chan(struct spar_guest *g, unsigned int ch)
{
	return g->bar0 + g->chan_off[ch];
}

uint8_t *spar_guest_queue(struct spar_guest *g, unsigned int ch,
			  unsigned int q)
{
	return spar_guest_chan(g, ch) + g->sq[ch].ch_space_offset +
	       q * SPAR_SIGNAL_QUEUE_HEADER_SIZE;
}

void spar_guest_set_polling(struct spar_guest *g, unsigned int idx,
			    uint32_t val)
{
	__atomic_store_n(tp_word(g, SPAR_TRANSPORT_GUEST_POLLING_OFFSET +
				 4 * idx), htole32(val), __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
}

uint32_t spar_guest_host_polling(struct spar_guest *g, unsigned int idx)
{
	return le32toh(__atomic_load_n(tp_word(g,
			SPAR_TRANSPORT_HOST_POLLING_OFFSET + 4 * idx),
			__ATOMIC_RELAXED));
}

void spar_guest_notify(struct spar_guest *g, unsigned int ch, unsigned int q)
{
	unsigned int idx = SPAR_TRANSPORT_NOTIFY_INDEX(ch, q);

	/* index store before the host_polling load (store-buffering) */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if ((g->features & SPAR_TRANSPORT_F_NOTIFY_SUPPRESS) &&
	    spar_guest_host_polling(g, idx)) {
		g->doorbells_skipped++;
		return;
	}
	g->doorbells++;
	spar_vfio_reg_write(g->v, SPAR_REG_DOORBELL, idx);
}

int spar_guest_insert(struct spar_guest *g, unsigned int ch, unsigned int q,
		      const void *msg, size_t size)
{
	uint8_t slot[SLOT_BYTES];

	if (size > sizeof(slot))
		return -EINVAL;
	memcpy(slot, msg, size);
	memset(slot + size, 0, sizeof(slot) - size);
	return spar_sq_client_insert(&g->sq[ch], q, slot, sizeof(slot));
}

int spar_guest_remove(struct spar_guest *g, unsigned int ch, unsigned int q,
		      void *msg, size_t size)
{
	uint8_t slot[SLOT_BYTES];
	int ret;

	ret = spar_sq_client_remove(&g->sq[ch], q, slot, sizeof(slot));
	if (!ret)
		memcpy(msg, slot, size);
	return ret;
}

/* ---- DMA arenas ---- */

int spar_arena_map(struct spar_vfio *v, struct spar_arena *a)
{
	int ret;

	if (a->mapped)
		return 0;
	ret = spar_vfio_dma_map(v, a->va, a->iova, a->size);
	if (!ret)
		a->mapped = 1;
	return ret;
}

int spar_arena_unmap(struct spar_vfio *v, struct spar_arena *a)
{
	int ret;

	if (!a->mapped)
		return 0;
	ret = spar_vfio_dma_unmap(v, a->iova, a->size);
	if (!ret)
		a->mapped = 0;
	return ret;
}

int spar_arena_create(struct spar_vfio *v, struct spar_arena *a,
		      uint64_t iova, size_t size)
{
	void *p;
	int ret;

	memset(a, 0, sizeof(*a));
	size = (size + 4095) & ~(size_t)4095;
	p = mmap(NULL, size, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return -errno;
	memset(p, 0, size);
	a->va = p;
	a->iova = iova;
	a->size = size;
	ret = spar_arena_map(v, a);
	if (ret) {
		munmap(p, size);
		a->va = NULL;
	}
	return ret;
}

void spar_arena_destroy(struct spar_vfio *v, struct spar_arena *a)
{
	if (!a->va)
		return;
	if (v && spar_vfio_dma_ready(v))
		spar_arena_unmap(v, a);
	munmap(a->va, a->size);
	a->va = NULL;
}

/* ---- VNIC ---- */

#define NIC_CH		0
#define CMD_Q		SPAR_IOCHAN_TO_IOPART
#define RSP_Q		SPAR_IOCHAN_FROM_IOPART
#define PAGE		SPAR_PI_PAGE_SIZE

int spar_vnic_init(struct spar_vnic *n, struct spar_guest *g,
		   uint64_t rx_iova, uint32_t nbufs, uint64_t tx_iova,
		   uint32_t tx_slots)
{
	int ret;

	memset(n, 0, sizeof(*n));
	n->g = g;
	n->link = -1;
	n->nbufs = nbufs;
	n->tx_slots = tx_slots;
	n->backlog = calloc(SPAR_VNIC_BACKLOG, sizeof(*n->backlog));
	if (!n->backlog)
		return -ENOMEM;
	ret = spar_arena_create(g->v, &n->rx, rx_iova, (size_t)nbufs * PAGE);
	if (ret)
		goto err;
	ret = spar_arena_create(g->v, &n->tx, tx_iova,
				(size_t)tx_slots * SPAR_VNIC_TX_SLOT_PAGES *
				PAGE);
	if (ret)
		goto err;
	return 0;
err:
	spar_vnic_fini(n);
	return ret;
}

void spar_vnic_fini(struct spar_vnic *n)
{
	spar_arena_destroy(n->g->v, &n->rx);
	spar_arena_destroy(n->g->v, &n->tx);
	free(n->backlog);
	n->backlog = NULL;
}

static void vnic_account(struct spar_vnic *n, const struct spar_uiscmdrsp *r)
{
	switch (le32toh(r->net.type)) {
	case SPAR_NET_XMIT_DONE:
		n->n_xmit_done++;
		if (le32toh(r->net.xmtdone.xmt_done_result) != SPAR_XMIT_SUCCESS)
			n->n_xmit_failed++;
		break;
	case SPAR_NET_RCV:
		n->n_rcv++;
		n->rcv_dropped += le32toh(r->net.rcv.rcvs_dropped_delta);
		break;
	case SPAR_NET_RCV_ENBDIS_ACK:
		n->n_ack++;
		break;
	case SPAR_NET_CONNECT_STATUS:
		n->n_link++;
		n->link = le16toh(r->net.enbdis.enable) != 0;
		break;
	}
}

/* Move responses from the queue into the backlog; returns how many. */
int spar_vnic_pump(struct spar_vnic *n)
{
	int moved = 0, ret;

	while (n->bl_count < SPAR_VNIC_BACKLOG) {
		struct spar_uiscmdrsp *r = &n->backlog[(n->bl_first +
					     n->bl_count) % SPAR_VNIC_BACKLOG];

		ret = spar_guest_remove(n->g, NIC_CH, RSP_Q, r, sizeof(*r));
		if (ret == -EAGAIN)
			break;
		if (ret)
			return ret;
		vnic_account(n, r);
		n->bl_count++;
		moved++;
	}
	return moved;
}

int spar_vnic_next(struct spar_vnic *n, struct spar_uiscmdrsp *rsp)
{
	int ret;

	if (!n->bl_count) {
		ret = spar_vnic_pump(n);
		if (ret < 0)
			return ret;
		if (!n->bl_count)
			return -EAGAIN;
	}
	*rsp = n->backlog[n->bl_first];
	n->bl_first = (n->bl_first + 1) % SPAR_VNIC_BACKLOG;
	n->bl_count--;
	return 0;
}

int spar_vnic_send(struct spar_vnic *n, const struct spar_uiscmdrsp *cmd)
{
	uint64_t deadline = spar_now_us() + 2000000;
	int ret;

	for (;;) {
		ret = spar_guest_insert(n->g, NIC_CH, CMD_Q, cmd, sizeof(*cmd));
		if (ret != -EIO)
			break;
		/* full: make room for the host's answers, then retry */
		spar_guest_notify(n->g, NIC_CH, CMD_Q);
		ret = spar_vnic_pump(n);
		if (ret < 0)
			return ret;
		if (spar_now_us() > deadline)
			return -ETIMEDOUT;
		usleep(50);
	}
	if (!ret)
		spar_guest_notify(n->g, NIC_CH, CMD_Q);
	return ret;
}

int spar_vnic_post(struct spar_vnic *n, uint32_t idx)
{
	struct spar_uiscmdrsp c;
	uint64_t iova = n->rx.iova + (uint64_t)idx * PAGE;

	memset(&c, 0, sizeof(c));
	c.cmdtype = SPAR_CMD_NET_TYPE;
	c.net.type = htole32(SPAR_NET_RCV_POST);
	c.net.buf = htole64(idx);
	c.net.rcvpost.frag.pi_pfn = htole64(iova >> SPAR_PI_PAGE_SHIFT);
	c.net.rcvpost.frag.pi_off = 0;
	c.net.rcvpost.frag.pi_len = htole16(SPAR_RCVPOST_BUF_SIZE);
	c.net.rcvpost.unique_num = htole64(idx);
	return spar_vnic_send(n, &c);
}

int spar_vnic_post_all(struct spar_vnic *n)
{
	uint32_t i;
	int ret;

	for (i = 0; i < n->nbufs; i++) {
		ret = spar_vnic_post(n, i);
		if (ret)
			return ret;
	}
	return 0;
}

static int vnic_enbdis(struct spar_vnic *n, uint32_t type, uint16_t enable)
{
	struct spar_uiscmdrsp c;

	memset(&c, 0, sizeof(c));
	c.cmdtype = SPAR_CMD_NET_TYPE;
	c.net.type = htole32(type);
	c.net.buf = htole64(0x5eed);
	c.net.enbdis.context = htole64(0x5eed);
	c.net.enbdis.enable = htole16(enable);
	return spar_vnic_send(n, &c);
}

int spar_vnic_enable(struct spar_vnic *n, int on)
{
	return vnic_enbdis(n, SPAR_NET_RCV_ENBDIS, on ? 1 : 0);
}

int spar_vnic_promisc(struct spar_vnic *n, int on)
{
	return vnic_enbdis(n, SPAR_NET_RCV_PROMISC,
			   on ? SPAR_NET_PROMISC_ON : 0);
}

/* Copy @frame into the next transmit slot and describe it in @cmd. */
void spar_vnic_xmit_cmd(struct spar_vnic *n, struct spar_uiscmdrsp *cmd,
			const void *frame, uint32_t len)
{
	uint32_t slot = n->tx_seq++ % n->tx_slots;
	size_t base = (size_t)slot * SPAR_VNIC_TX_SLOT_PAGES * PAGE;
	uint32_t off = 0, i = 0;

	if (len > SPAR_VNIC_TX_SLOT_PAGES * PAGE)
		len = SPAR_VNIC_TX_SLOT_PAGES * PAGE;
	memcpy(n->tx.va + base, frame, len);
	memset(cmd, 0, sizeof(*cmd));
	cmd->cmdtype = SPAR_CMD_NET_TYPE;
	cmd->net.type = htole32(SPAR_NET_XMIT);
	cmd->net.buf = htole64(0x7000000000000000ULL | n->tx_seq);
	while (off < len) {
		uint32_t chunk = len - off < PAGE ? len - off : PAGE;
		uint64_t iova = n->tx.iova + base + off;

		cmd->net.xmt.frags[i].pi_pfn =
			htole64(iova >> SPAR_PI_PAGE_SHIFT);
		cmd->net.xmt.frags[i].pi_off = htole16(iova & (PAGE - 1));
		cmd->net.xmt.frags[i].pi_len = htole16(chunk);
		off += chunk;
		i++;
	}
	cmd->net.xmt.len = htole32(len);
	cmd->net.xmt.num_frags = htole32(i);
	memcpy(cmd->net.xmt.ethhdr, frame,
	       len < SPAR_ETH_HEADER_SIZE ? len : SPAR_ETH_HEADER_SIZE);
}

int spar_vnic_xmit(struct spar_vnic *n, const void *frame, uint32_t len)
{
	struct spar_uiscmdrsp c;

	spar_vnic_xmit_cmd(n, &c, frame, len);
	return spar_vnic_send(n, &c);
}

/*
 * Cookie of buffer @i of a NET_RCV: the first SPAR_MAX_NET_RCV_CHAIN in
 * rcv.rcvbuf, the rest (large receive) in the offload block.
 */
uint64_t spar_vnic_rcv_cookie(const struct spar_uiscmdrsp *r, unsigned int i)
{
	const struct spar_net_offload *o =
		(const void *)((const uint8_t *)r + SPAR_NET_OFFLOAD_OFFSET);

	if (i < SPAR_MAX_NET_RCV_CHAIN)
		return le64toh(r->net.rcv.rcvbuf[i]);
	return le64toh(o->rcvbuf_ext[i - SPAR_MAX_NET_RCV_CHAIN]);
}

int spar_vnic_repost(struct spar_vnic *n, const struct spar_uiscmdrsp *r)
{
	unsigned int i, cnt = r->net.rcv.numrcvbufs;
	int ret;

	if (cnt > SPAR_NET_MAX_RCV_CHAIN_LARGE)
		return -EPROTO;
	for (i = 0; i < cnt; i++) {
		uint64_t idx = spar_vnic_rcv_cookie(r, i);

		if (idx >= n->nbufs)
			return -EPROTO;
		ret = spar_vnic_post(n, idx);
		if (ret)
			return ret;
	}
	return 0;
}

int spar_vnic_wait(struct spar_vnic *n, uint32_t type,
		   struct spar_uiscmdrsp *rsp, int timeout_ms)
{
	uint64_t deadline = spar_now_us() + (uint64_t)timeout_ms * 1000;
	struct spar_uiscmdrsp r;
	int ret;

	for (;;) {
		ret = spar_vnic_next(n, &r);
		if (!ret) {
			if (le32toh(r.net.type) == type) {
				if (rsp)
					*rsp = r;
				return 0;
			}
			if (le32toh(r.net.type) == SPAR_NET_RCV &&
			    n->auto_repost)
				spar_vnic_repost(n, &r);
			continue;
		}
		if (ret != -EAGAIN)
			return ret;
		if (spar_now_us() > deadline)
			return -ETIMEDOUT;
		usleep(100);
	}
}

/* Gather a received frame; returns its length or a negative errno. */
int spar_vnic_rcv_copy(struct spar_vnic *n, const struct spar_uiscmdrsp *r,
		       void *buf, size_t len)
{
	uint32_t total = le32toh(r->net.rcv.rcv_done_len), off = 0;
	unsigned int i, cnt = r->net.rcv.numrcvbufs;

	if (cnt < 1 || cnt > SPAR_NET_MAX_RCV_CHAIN_LARGE || total > len ||
	    total > cnt * SPAR_RCVPOST_BUF_SIZE)
		return -EPROTO;
	for (i = 0; i < cnt && off < total; i++) {
		uint64_t idx = spar_vnic_rcv_cookie(r, i);
		uint32_t chunk = total - off;

		if (idx >= n->nbufs)
			return -EPROTO;
		if (chunk > SPAR_RCVPOST_BUF_SIZE)
			chunk = SPAR_RCVPOST_BUF_SIZE;
		memcpy((uint8_t *)buf + off, n->rx.va + idx * PAGE, chunk);
		off += chunk;
	}
	return off == total ? (int)total : -EPROTO;
}
