// SPDX-License-Identifier: GPL-2.0
/*
 * visornic: Ethernet interface on an s-Par virtual NIC (VNIC) channel.
 *
 * The channel has two queues of struct spar_uiscmdrsp.  The driver posts
 * empty receive buffers (NET_RCV_POST), turns reception on and off
 * (NET_RCV_ENBDIS) and transmits (NET_XMIT) on the command queue; the
 * back-end answers on the response queue with NET_RCV (a frame in one or
 * more posted buffers), NET_XMIT_DONE, NET_RCV_ENBDIS_ACK and
 * NET_CONNECT_STATUS.  The response queue is drained by NAPI.
 *
 * Every cookie the back-end echoes (net.buf, rcvbuf[], enbdis.context) is
 * an index into one of the driver's tables plus a tag, and is checked
 * before use; buffer addresses come from the DMA API.
 */
#include <linux/dma-mapping.h>
#include <linux/etherdevice.h>
#include <linux/ethtool.h>
#include <linux/if_vlan.h>
#include <linux/jiffies.h>
#include <linux/module.h>
#include <linux/netdevice.h>
#include <linux/pci.h>
#include <linux/rtnetlink.h>
#include <linux/skbuff.h>
#include <linux/u64_stats_sync.h>
#include <linux/virtio_net.h>
#include <linux/visorbus.h>
#include <linux/wait.h>
#include <linux/workqueue.h>

#include <spar/channel.h>
#include <spar/guid.h>
#include <spar/iochannel.h>
#include <spar/net_offload.h>
#include <spar/transport.h>

#define VISORNIC_NAME		"visornic"

/* Where the VNIC parameters live in the channel. */
#define VN_OFF_FEATURES		offsetof(struct spar_channel_header, features)
#define VN_OFF_MAC		offsetof(struct spar_io_channel, vnic.macaddr)
#define VN_OFF_NUM_RCV_BUFS	offsetof(struct spar_io_channel, vnic.num_rcv_bufs)
#define VN_OFF_MTU		offsetof(struct spar_io_channel, vnic.mtu)
#define VN_OFF_CMD_CAP		offsetof(struct spar_io_channel, cmd_q.max_signals)
#define VN_OFF_RSP_CAP		offsetof(struct spar_io_channel, rsp_q.max_signals)

#define VN_CMD_Q		SPAR_IOCHAN_TO_IOPART
#define VN_RSP_Q		SPAR_IOCHAN_FROM_IOPART

/* Every queue buffer holds a whole slot. */
#define VN_MSG_SIZE		SPAR_SIZEOF_CMDRSP

/* Receive buffers: one page each, SPAR_RCVPOST_BUF_SIZE bytes at its end. */
#define VN_RX_BUF		SPAR_RCVPOST_BUF_SIZE
#define VN_RX_HEADROOM		(SPAR_PI_PAGE_SIZE - VN_RX_BUF)
/* Frames up to this size are copied; larger ones keep their pages. */
#define VN_RX_COPYBREAK		256
/* Bytes of a large frame copied into the linear part of its skb. */
#define VN_RX_PULL		128
/* Buffers given back during a NAPI poll before they are posted again. */
#define VN_REFILL_BATCH		32
#define VN_MAX_RCV_BUFS		SPAR_MAX_NUMSIGNALS
/*
 * Responses outside the flow control (NET_RCV_ENBDIS_ACK and link
 * changes).  Posted receive buffers, transmits in flight and these never
 * add up to more than a queue holds, so the back-end never waits for room
 * on the response queue because of this driver, and commands always find
 * room on the command queue.
 */
#define VN_RSP_RESERVE		4

/* Offloads this driver implements, if the host offers them. */
#define VN_FEATURES		SPAR_NIC_F_ALL
#define VN_TX_MAPS		(MAX_SKB_FRAGS + 1)

#define VN_ACK_TIMEOUT		(5 * HZ)
#define VN_WATCHDOG		(5 * HZ)
/* Stale responses drained at probe, at most. */
#define VN_DRAIN_MAX		SPAR_MAX_NUMSIGNALS

/*
 * Cookie layout: bits 56-63 kind, bits 16-47 tag, bits 0-15 index.
 * The tag changes every time a table entry is reused, so a late or
 * duplicated echo never matches an entry it no longer names.
 */
#define VN_KIND_TX		0x54ULL
#define VN_KIND_RX		0x52ULL
#define VN_KIND_ENBDIS		0x45ULL
#define VN_COOKIE(kind, tag, idx) \
	((kind) << 56 | (u64)(u32)(tag) << 16 | (u16)(idx))
#define VN_COOKIE_KIND(c)	((c) >> 56)
#define VN_COOKIE_TAG(c)	((u32)((c) >> 16))
#define VN_COOKIE_IDX(c)	((u16)(c))
#define VN_COOKIE_RSVD(c)	(((c) >> 48) & 0xff)

/* Rate-limited messages about what the back-end sent. */
#define vn_err_rl(vn, fmt, ...)						\
	do {								\
		if (net_ratelimit())					\
			netdev_err((vn)->netdev, fmt, ##__VA_ARGS__);	\
	} while (0)
#define vn_warn_rl(vn, fmt, ...)					\
	do {								\
		if (net_ratelimit())					\
			netdev_warn((vn)->netdev, fmt, ##__VA_ARGS__);	\
	} while (0)

static unsigned int offloads = VN_FEATURES >> 16;
module_param(offloads, uint, 0444);
MODULE_PARM_DESC(offloads,
		 "channel offloads to take if the host offers them: 1 transmit checksum, 2 receive checksum, 4 TSO, 8 large receive, 16 MTU over 16370 (default 31; 0 speaks the s-Par protocol only)");

/* visornic.flags */
enum {
	VN_ENABLED,	/* reception enabled (ENBDIS 1 sent, no 0 since) */
	VN_ACKED,	/* the back-end acknowledged the last ENBDIS */
	VN_LINK_DOWN,	/* NET_CONNECT_STATUS said the link is down */
	VN_PAUSED,	/* the channel is paused: no queue may be touched */
	VN_NAPI_ON,	/* NAPI is enabled (state_lock) */
	VN_INTS_ON,	/* channel interrupts are enabled (state_lock) */
	VN_BROKEN,	/* the response queue failed; stop polling it */
};

/**
 * struct visornic_rxbuf - one receive buffer
 * @page: the page, or NULL
 * @dma: DMA address of @page
 * @tag: tag of the current posting
 * @posted: the back-end holds the buffer
 */
struct visornic_rxbuf {
	struct page *page;
	dma_addr_t dma;
	u32 tag;
	bool posted;
};

/**
 * struct visornic_txmap - one DMA mapping of a transmitted frame
 * @addr: DMA address
 * @len: bytes
 */
struct visornic_txmap {
	dma_addr_t addr;
	u32 len;
};

/**
 * struct visornic_txbuf - one transmitted frame awaiting NET_XMIT_DONE
 * @skb: the frame, or NULL if the entry is free
 * @tag: tag of the current use
 * @nmaps: entries in @map; the first maps the linear part
 * @map: DMA mappings of the linear part and of each page fragment
 */
struct visornic_txbuf {
	struct sk_buff *skb;
	u32 tag;
	unsigned int nmaps;
	struct visornic_txmap map[VN_TX_MAPS];
};

/**
 * struct visornic_stats - counters of one direction
 * @syncp: guards the 64-bit counters
 * @packets: frames
 * @bytes: bytes
 */
struct visornic_stats {
	struct u64_stats_sync syncp;
	u64_stats_t packets;
	u64_stats_t bytes;
};

/**
 * struct visornic - one VNIC
 * @vdev: the visorbus device
 * @netdev: the interface
 * @dma_dev: device that maps buffers (the PCI function)
 * @napi: drains the response queue
 * @incarnation: unique_num of our receive posts
 * @num_rcv_bufs: receive buffers: the channel's count, or fewer if the
 *	queues are too small for that many plus the transmits in flight
 * @max_outstanding: transmits in flight, at most
 * @upper: stop the transmit queue at this many in flight
 * @lower: wake it again at this many
 * @feat: SPAR_NIC_F_* the host recorded as accepted
 * @max_frame: longest unsegmented frame either side sends, Ethernet
 *	header included
 * @lock: serialises inserts on the command queue (and @cmd), and guards
 *	@tx, @tx_count, @tx_next and @tx_tag
 * @cmd: message being inserted
 * @tx: transmit table, @max_outstanding entries
 * @tx_count: entries of @tx in use
 * @tx_next: where the next search for a free entry starts
 * @tx_tag: tag of the next transmit
 * @rx: receive table, @num_rcv_bufs entries; used by NAPI, or by the
 *	control path while NAPI is disabled
 * @rx_tag: tag of the next receive post
 * @rx_unposted: receive buffers that could not be posted again (NAPI
 *	retries them)
 * @rsp: message being handled (NAPI)
 * @state_lock: serialises open, close, reset, pause, resume and remove
 * @flags: VN_* bits
 * @enbdis_cookie: context of the last NET_RCV_ENBDIS sent
 * @enbdis_tag: tag of the next NET_RCV_ENBDIS
 * @ack_wq: waits for NET_RCV_ENBDIS_ACK
 * @reset_work: recovers from a transmit timeout
 * @rx_stats: frames received (NAPI)
 * @tx_stats: transmits completed (NAPI)
 * @rx_dropped: received frames dropped
 * @rx_errors: malformed or unexpected responses
 * @rx_missed: frames the back-end dropped for want of a receive buffer
 * @tx_dropped: frames not transmitted
 * @tx_errors: transmits the back-end failed
 */
struct visornic {
	struct visor_device *vdev;
	struct net_device *netdev;
	struct device *dma_dev;
	struct napi_struct napi;
	u64 incarnation;
	u32 num_rcv_bufs;
	u32 max_outstanding;
	u32 upper;
	u32 lower;
	u32 feat;
	u32 max_frame;

	spinlock_t lock; /* see above */
	struct spar_uiscmdrsp *cmd;
	struct visornic_txbuf *tx;
	u32 tx_count;
	u32 tx_next;
	u32 tx_tag;

	struct visornic_rxbuf *rx;
	u32 rx_tag;
	u32 rx_unposted;
	struct spar_uiscmdrsp *rsp;

	struct mutex state_lock; /* see above */
	unsigned long flags;
	u64 enbdis_cookie;
	u32 enbdis_tag;
	wait_queue_head_t ack_wq;
	struct work_struct reset_work;

	struct visornic_stats rx_stats;
	struct visornic_stats tx_stats;
	atomic64_t rx_dropped;
	atomic64_t rx_errors;
	atomic64_t rx_missed;
	atomic64_t tx_dropped;
	atomic64_t tx_errors;
};

static struct visorchannel *vn_chan(struct visornic *vn)
{
	return vn->vdev->visorchannel;
}

static void vn_stats_add(struct visornic_stats *s, unsigned int bytes)
{
	u64_stats_update_begin(&s->syncp);
	u64_stats_inc(&s->packets);
	u64_stats_add(&s->bytes, bytes);
	u64_stats_update_end(&s->syncp);
}

static void vn_bad(struct visornic *vn, const char *what)
{
	atomic64_inc(&vn->rx_errors);
	vn_err_rl(vn, "dropped response: %s\n", what);
}

/* Insert @vn->cmd on the command queue.  Called with @vn->lock held. */
static int vn_insert(struct visornic *vn)
{
	lockdep_assert_held(&vn->lock);
	vn->cmd->cmdtype = SPAR_CMD_NET_TYPE;
	return visorchannel_signalinsert(vn_chan(vn), VN_CMD_Q, vn->cmd);
}

/*
 * Schedule NAPI.  The response queue is switched to polling (no
 * interrupts) only by whoever owns the NAPI schedule, so the polling word
 * is never left set while nobody polls.
 */
static void vn_kick(struct visornic *vn)
{
	local_bh_disable();
	if (napi_schedule_prep(&vn->napi)) {
		visorchannel_set_polling(vn_chan(vn), VN_RSP_Q, true);
		__napi_schedule(&vn->napi);
	}
	local_bh_enable();
}

/* --- receive buffers ------------------------------------------------ */

static int vn_rx_alloc(struct visornic *vn, struct visornic_rxbuf *rb, gfp_t gfp)
{
	struct page *page = alloc_page(gfp | __GFP_NOWARN);
	dma_addr_t dma;

	if (!page)
		return -ENOMEM;
	/* The whole page, so that a bounce buffer keeps its alignment. */
	dma = dma_map_page(vn->dma_dev, page, 0, PAGE_SIZE, DMA_FROM_DEVICE);
	if (dma_mapping_error(vn->dma_dev, dma)) {
		__free_page(page);
		return -ENOMEM;
	}
	if (((dma + VN_RX_HEADROOM) & SPAR_PI_PAGE_MASK) + VN_RX_BUF >
	    SPAR_PI_PAGE_SIZE) {
		dma_unmap_page(vn->dma_dev, dma, PAGE_SIZE, DMA_FROM_DEVICE);
		__free_page(page);
		return -EINVAL;
	}
	rb->page = page;
	rb->dma = dma;
	return 0;
}

static void vn_rx_free(struct visornic *vn, struct visornic_rxbuf *rb)
{
	if (!rb->page)
		return;
	dma_unmap_page(vn->dma_dev, rb->dma, PAGE_SIZE, DMA_FROM_DEVICE);
	__free_page(rb->page);
	rb->page = NULL;
	rb->posted = false;
}

/*
 * Forget every receive buffer.  @safe: the back-end no longer holds the
 * posted ones (it acknowledged a disable, or it was restarted).  If it may
 * still write to them they are leaked rather than reused.
 */
static void vn_rx_release(struct visornic *vn, bool safe)
{
	unsigned int i, leaked = 0;

	for (i = 0; i < vn->num_rcv_bufs; i++) {
		struct visornic_rxbuf *rb = &vn->rx[i];

		if (rb->posted && !safe) {
			rb->page = NULL;
			rb->posted = false;
			leaked++;
			continue;
		}
		vn_rx_free(vn, rb);
	}
	vn->rx_unposted = 0;
	if (leaked)
		netdev_warn(vn->netdev, "back-end did not release %u receive buffers; leaving them to it\n",
			    leaked);
}

/*
 * Post receive buffer @i, without a doorbell: the caller ends its batch
 * with vn_rx_kick().  Called by NAPI or with NAPI disabled.
 */
static int vn_rx_post(struct visornic *vn, unsigned int i)
{
	struct visornic_rxbuf *rb = &vn->rx[i];
	dma_addr_t dma = rb->dma + VN_RX_HEADROOM;
	struct spar_net_pkt_rcvpost *post;
	int ret;

	rb->tag = vn->rx_tag++;
	dma_sync_single_for_device(vn->dma_dev, rb->dma, PAGE_SIZE,
				   DMA_FROM_DEVICE);
	spin_lock_bh(&vn->lock);
	/*
	 * A disable clears VN_ENABLED before it inserts NET_RCV_ENBDIS 0
	 * under this lock: a post is either before it (and forgotten by the
	 * host with the others) or not made at all.
	 */
	if (!test_bit(VN_ENABLED, &vn->flags)) {
		spin_unlock_bh(&vn->lock);
		return -EAGAIN;
	}
	memset(vn->cmd, 0, VN_MSG_SIZE);
	vn->cmd->net.type = cpu_to_le32(SPAR_NET_RCV_POST);
	vn->cmd->net.buf = cpu_to_le64(VN_COOKIE(VN_KIND_RX, rb->tag, i));
	post = &vn->cmd->net.rcvpost;
	post->frag.pi_pfn = cpu_to_le64(dma >> SPAR_PI_PAGE_SHIFT);
	post->frag.pi_off = cpu_to_le16(dma & SPAR_PI_PAGE_MASK);
	post->frag.pi_len = cpu_to_le16(VN_RX_BUF);
	post->unique_num = cpu_to_le64(vn->incarnation);
	vn->cmd->cmdtype = SPAR_CMD_NET_TYPE;
	ret = visorchannel_signalinsert_quiet(vn_chan(vn), VN_CMD_Q, vn->cmd);
	spin_unlock_bh(&vn->lock);
	rb->posted = !ret;
	return ret;
}

/* End a batch of receive posts: one doorbell, if the host wants it. */
static void vn_rx_kick(struct visornic *vn)
{
	visorchannel_signalkick(vn_chan(vn), VN_CMD_Q);
}

/*
 * Post every buffer not posted: those that came back in this poll, and
 * those that could not be posted before (no memory, or a failed insert).
 * One batch, one doorbell.  Called by NAPI or with NAPI disabled.
 */
static void vn_rx_refill(struct visornic *vn)
{
	unsigned int i, left = 0, posted = 0;

	for (i = 0; i < vn->num_rcv_bufs; i++) {
		struct visornic_rxbuf *rb = &vn->rx[i];

		if (rb->posted)
			continue;
		if ((!rb->page && vn_rx_alloc(vn, rb, GFP_ATOMIC)) ||
		    vn_rx_post(vn, i))
			left++;
		else
			posted++;
	}
	vn->rx_unposted = left;
	if (posted)
		vn_rx_kick(vn);
}

/* --- control messages ----------------------------------------------- */

static int vn_send_enbdis(struct visornic *vn, bool enable)
{
	u64 cookie = VN_COOKIE(VN_KIND_ENBDIS, vn->enbdis_tag++, enable);
	int ret;

	WRITE_ONCE(vn->enbdis_cookie, cookie);
	clear_bit(VN_ACKED, &vn->flags);
	spin_lock_bh(&vn->lock);
	memset(vn->cmd, 0, VN_MSG_SIZE);
	vn->cmd->net.type = cpu_to_le32(SPAR_NET_RCV_ENBDIS);
	vn->cmd->net.enbdis.context = cpu_to_le64(cookie);
	vn->cmd->net.enbdis.enable = cpu_to_le16(enable);
	ret = vn_insert(vn);
	spin_unlock_bh(&vn->lock);
	return ret;
}

static void vn_send_promisc(struct visornic *vn)
{
	bool on = vn->netdev->flags & IFF_PROMISC;

	spin_lock_bh(&vn->lock);
	memset(vn->cmd, 0, VN_MSG_SIZE);
	vn->cmd->net.type = cpu_to_le32(SPAR_NET_RCV_PROMISC);
	vn->cmd->net.enbdis.enable = cpu_to_le16(on ? SPAR_NET_PROMISC_ON : 0);
	if (vn_insert(vn))
		vn_warn_rl(vn, "command queue full; promiscuous mode not changed\n");
	spin_unlock_bh(&vn->lock);
}

/* Wait for the answer to the last NET_RCV_ENBDIS, or for a pause. */
static int vn_wait_ack(struct visornic *vn)
{
	wait_event_timeout(vn->ack_wq, test_bit(VN_ACKED, &vn->flags) ||
			   test_bit(VN_PAUSED, &vn->flags), VN_ACK_TIMEOUT);
	if (test_bit(VN_ACKED, &vn->flags))
		return 0;
	return test_bit(VN_PAUSED, &vn->flags) ? -EAGAIN : -ETIMEDOUT;
}

/* --- transmit table ------------------------------------------------- */

static void vn_tx_unmap(struct visornic *vn, struct visornic_txbuf *tb)
{
	unsigned int i;

	for (i = 0; i < tb->nmaps; i++) {
		if (!i)
			dma_unmap_single(vn->dma_dev, tb->map[i].addr,
					 tb->map[i].len, DMA_TO_DEVICE);
		else
			dma_unmap_page(vn->dma_dev, tb->map[i].addr,
				       tb->map[i].len, DMA_TO_DEVICE);
	}
	tb->nmaps = 0;
}

/* Drop every transmit in flight.  Transmit and NAPI must be stopped. */
static void vn_tx_flush(struct visornic *vn)
{
	unsigned int i;

	for (i = 0; i < vn->max_outstanding; i++) {
		struct visornic_txbuf *tb = &vn->tx[i];

		if (!tb->skb)
			continue;
		vn_tx_unmap(vn, tb);
		dev_kfree_skb_any(tb->skb);
		tb->skb = NULL;
		atomic64_inc(&vn->tx_dropped);
	}
	spin_lock_bh(&vn->lock);
	vn->tx_count = 0;
	spin_unlock_bh(&vn->lock);
}

/* Pieces of 4 KiB-page-bounded spar_phys_info a mapping needs. */
static unsigned int vn_pieces(dma_addr_t addr, u32 len)
{
	if (!len)
		return 0;
	return DIV_ROUND_UP((addr & SPAR_PI_PAGE_MASK) + len, SPAR_PI_PAGE_SIZE);
}

/* Map @skb into @tb; returns the number of pieces or a negative errno. */
static int vn_tx_map(struct visornic *vn, struct sk_buff *skb,
		     struct visornic_txbuf *tb)
{
	unsigned int i, pieces;
	dma_addr_t addr;

	tb->nmaps = 0;
	addr = dma_map_single(vn->dma_dev, skb->data, skb_headlen(skb),
			      DMA_TO_DEVICE);
	if (dma_mapping_error(vn->dma_dev, addr))
		return -ENOMEM;
	tb->map[0].addr = addr;
	tb->map[0].len = skb_headlen(skb);
	tb->nmaps = 1;
	pieces = vn_pieces(addr, skb_headlen(skb));

	for (i = 0; i < skb_shinfo(skb)->nr_frags; i++) {
		const skb_frag_t *frag = &skb_shinfo(skb)->frags[i];
		u32 len = skb_frag_size(frag);

		addr = skb_frag_dma_map(vn->dma_dev, frag, 0, len,
					DMA_TO_DEVICE);
		if (dma_mapping_error(vn->dma_dev, addr)) {
			vn_tx_unmap(vn, tb);
			return -ENOMEM;
		}
		tb->map[tb->nmaps].addr = addr;
		tb->map[tb->nmaps].len = len;
		tb->nmaps++;
		pieces += vn_pieces(addr, len);
	}
	return pieces;
}

/* Describe @tb's mappings in @xmt, split at every 4 KiB boundary. */
static void vn_tx_frags(struct spar_net_pkt_xmt *xmt,
			const struct visornic_txbuf *tb)
{
	unsigned int i, n = 0;

	for (i = 0; i < tb->nmaps; i++) {
		dma_addr_t addr = tb->map[i].addr;
		u32 left = tb->map[i].len;

		while (left) {
			u32 off = addr & SPAR_PI_PAGE_MASK;
			u32 len = min_t(u32, left, SPAR_PI_PAGE_SIZE - off);

			xmt->frags[n].pi_pfn = cpu_to_le64(addr >> SPAR_PI_PAGE_SHIFT);
			xmt->frags[n].pi_off = cpu_to_le16(off);
			xmt->frags[n].pi_len = cpu_to_le16(len);
			n++;
			addr += len;
			left -= len;
		}
	}
	xmt->num_frags = cpu_to_le32(n);
}

static bool vn_tx_may_run(struct visornic *vn)
{
	return test_bit(VN_ENABLED, &vn->flags) &&
	       test_bit(VN_ACKED, &vn->flags) &&
	       !test_bit(VN_LINK_DOWN, &vn->flags) &&
	       !test_bit(VN_PAUSED, &vn->flags);
}

/* Ring for transmits inserted quietly, if the host asked to be told. */
static void vn_tx_kick(struct visornic *vn)
{
	visorchannel_signalkick(vn_chan(vn), VN_CMD_Q);
}

/* Drop @skb; frames inserted before it without a doorbell get theirs. */
static netdev_tx_t vn_drop(struct visornic *vn, struct sk_buff *skb)
{
	vn_tx_kick(vn);
	atomic64_inc(&vn->tx_dropped);
	dev_kfree_skb_any(skb);
	return NETDEV_TX_OK;
}

/* Find a free transmit entry; there is one while tx_count < max. */
static struct visornic_txbuf *vn_tx_slot(struct visornic *vn, u32 *idx)
{
	unsigned int i;

	for (i = 0; i < vn->max_outstanding; i++) {
		u32 n = (vn->tx_next + i) % vn->max_outstanding;

		/* Only this path fills entries; NAPI only empties them. */
		if (!READ_ONCE(vn->tx[n].skb)) {
			*idx = n;
			return &vn->tx[n];
		}
	}
	return NULL;
}

/* Stop the transmit queue, unless completions made room meanwhile. */
static void vn_tx_stop(struct visornic *vn)
{
	netif_stop_queue(vn->netdev);
	vn_tx_kick(vn);
	/* Pairs with the barrier in vn_xmit_done(). */
	smp_mb();
	if (READ_ONCE(vn->tx_count) <= vn->lower && vn_tx_may_run(vn))
		netif_wake_queue(vn->netdev);
}

/* Put the checksum request and segmentation @h describes in @vn->cmd. */
static void vn_tx_offload(struct visornic *vn, const struct virtio_net_hdr *h)
{
	spar_net_offload_from_vnet((void *)((u8 *)vn->cmd +
					    SPAR_NET_OFFLOAD_OFFSET), h);
}

static netdev_tx_t visornic_xmit(struct sk_buff *skb, struct net_device *netdev)
{
	struct visornic *vn = netdev_priv(netdev);
	struct spar_net_pkt_xmt *xmt;
	struct visornic_txbuf *tb;
	struct virtio_net_hdr h;
	bool ofl = vn->feat & (SPAR_NIC_F_CSUM | SPAR_NIC_F_TSO);
	bool more;
	int pieces, ret;
	u32 idx;

	if (!vn_tx_may_run(vn)) {
		netif_stop_queue(netdev);
		return vn_drop(vn, skb);
	}
	tb = READ_ONCE(vn->tx_count) < vn->max_outstanding ?
	     vn_tx_slot(vn, &idx) : NULL;
	if (!tb) {
		vn_tx_stop(vn);
		return NETDEV_TX_BUSY;
	}
	if (skb->len < ETH_HLEN ||
	    skb->len > (skb_is_gso(skb) ? SPAR_NET_MAX_GSO_FRAME : vn->max_frame))
		return vn_drop(vn, skb);
	/* Only what was negotiated reaches here; else do it in software. */
	if ((skb_is_gso(skb) && !(vn->feat & SPAR_NIC_F_TSO)) ||
	    (skb->ip_summed == CHECKSUM_PARTIAL &&
	     !(vn->feat & SPAR_NIC_F_CSUM) && skb_checksum_help(skb)))
		return vn_drop(vn, skb);
	/* Only what the host accepts: TCP segments that ask for checksums. */
	if (ofl && (virtio_net_hdr_from_skb(skb, &h, true, false, 0) ||
		    (h.gso_type != VIRTIO_NET_HDR_GSO_NONE &&
		     (!(h.flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) ||
		      ((h.gso_type & ~VIRTIO_NET_HDR_GSO_ECN) !=
		       VIRTIO_NET_HDR_GSO_TCPV4 &&
		       (h.gso_type & ~VIRTIO_NET_HDR_GSO_ECN) !=
		       VIRTIO_NET_HDR_GSO_TCPV6)))))
		return vn_drop(vn, skb);
	if (eth_skb_pad(skb)) {
		atomic64_inc(&vn->tx_dropped);
		return NETDEV_TX_OK;
	}
	if (skb_has_frag_list(skb) && __skb_linearize(skb))
		return vn_drop(vn, skb);

	pieces = vn_tx_map(vn, skb, tb);
	if (pieces > SPAR_MAX_PHYS_INFO) {
		/* Too scattered: one linear buffer needs few pieces. */
		vn_tx_unmap(vn, tb);
		pieces = __skb_linearize(skb) ? -ENOMEM :
			 vn_tx_map(vn, skb, tb);
	}
	if (pieces < 0 || pieces > SPAR_MAX_PHYS_INFO) {
		if (pieces > 0)
			vn_tx_unmap(vn, tb);
		return vn_drop(vn, skb);
	}

	/* Once inserted, the skb may complete at any moment. */
	skb_tx_timestamp(skb);
	spin_lock(&vn->lock);
	memset(vn->cmd, 0, VN_MSG_SIZE);
	tb->tag = vn->tx_tag++;
	vn->cmd->net.type = cpu_to_le32(SPAR_NET_XMIT);
	vn->cmd->net.buf = cpu_to_le64(VN_COOKIE(VN_KIND_TX, tb->tag, idx));
	xmt = &vn->cmd->net.xmt;
	xmt->len = cpu_to_le32(skb->len);
	vn_tx_frags(xmt, tb);
	skb_copy_bits(skb, 0, xmt->ethhdr, ETH_HLEN);
	/* lincsum stays zero; offloads go in the negotiated block. */
	if (ofl)
		vn_tx_offload(vn, &h);
	/* More frames follow at once: one doorbell for them all. */
	more = netdev_xmit_more();
	vn->cmd->cmdtype = SPAR_CMD_NET_TYPE;
	ret = more ? visorchannel_signalinsert_quiet(vn_chan(vn), VN_CMD_Q,
						     vn->cmd) :
		     visorchannel_signalinsert(vn_chan(vn), VN_CMD_Q, vn->cmd);
	if (!ret) {
		WRITE_ONCE(tb->skb, skb);
		WRITE_ONCE(vn->tx_count, vn->tx_count + 1);
		vn->tx_next = (idx + 1) % vn->max_outstanding;
	}
	spin_unlock(&vn->lock);
	if (ret) {
		/* Command queue full: drop rather than wait for room. */
		vn_tx_unmap(vn, tb);
		return vn_drop(vn, skb);
	}
	/* vn_tx_stop() rings: a stopped queue brings no next frame. */
	if (READ_ONCE(vn->tx_count) >= vn->upper)
		vn_tx_stop(vn);
	return NETDEV_TX_OK;
}

/* --- responses ------------------------------------------------------ */

static void vn_xmit_done(struct visornic *vn, const struct spar_uiscmdrsp *rsp,
			 int budget)
{
	u64 cookie = le64_to_cpu(rsp->net.buf);
	u32 idx = VN_COOKIE_IDX(cookie);
	struct visornic_txbuf *tb;
	struct sk_buff *skb = NULL;

	if (VN_COOKIE_KIND(cookie) != VN_KIND_TX || VN_COOKIE_RSVD(cookie) ||
	    idx >= vn->max_outstanding) {
		vn_bad(vn, "transmit completion with a bad cookie");
		return;
	}
	tb = &vn->tx[idx];
	spin_lock(&vn->lock);
	if (tb->skb && tb->tag == VN_COOKIE_TAG(cookie)) {
		skb = tb->skb;
		vn_tx_unmap(vn, tb);
		/* The entry is free before the count says so. */
		WRITE_ONCE(tb->skb, NULL);
		WRITE_ONCE(vn->tx_count, vn->tx_count - 1);
	}
	spin_unlock(&vn->lock);
	if (!skb) {
		vn_bad(vn, "unexpected transmit completion");
		return;
	}

	if (le32_to_cpu(rsp->net.xmtdone.xmt_done_result))
		atomic64_inc(&vn->tx_errors);
	else
		vn_stats_add(&vn->tx_stats, skb->len);
	napi_consume_skb(skb, budget);

	/* Pairs with the barrier in visornic_xmit(). */
	smp_mb();
	if (netif_queue_stopped(vn->netdev) &&
	    READ_ONCE(vn->tx_count) <= vn->lower && vn_tx_may_run(vn))
		netif_wake_queue(vn->netdev);
}

/*
 * Check the cookies of a NET_RCV.  Fills @idx with the distinct posted
 * buffers it names; returns their number, or 0 if any cookie is bad.
 */
static unsigned int vn_rcv_bufs(struct visornic *vn,
				const struct spar_uiscmdrsp *rsp,
				unsigned int n, u16 *idx)
{
	const struct spar_net_offload *ofl = (const void *)((const u8 *)rsp +
							    SPAR_NET_OFFLOAD_OFFSET);
	unsigned int i, j;

	for (i = 0; i < n; i++) {
		u64 cookie = le64_to_cpu(i < SPAR_MAX_NET_RCV_CHAIN ?
					 rsp->net.rcv.rcvbuf[i] :
					 ofl->rcvbuf_ext[i - SPAR_MAX_NET_RCV_CHAIN]);

		idx[i] = VN_COOKIE_IDX(cookie);
		if (VN_COOKIE_KIND(cookie) != VN_KIND_RX ||
		    VN_COOKIE_RSVD(cookie) || idx[i] >= vn->num_rcv_bufs ||
		    !vn->rx[idx[i]].posted ||
		    vn->rx[idx[i]].tag != VN_COOKIE_TAG(cookie))
			return 0;
		for (j = 0; j < i; j++)
			if (idx[j] == idx[i])
				return 0;
	}
	return n;
}

/* Build an skb of @len bytes from the chained buffers @idx. */
static struct sk_buff *vn_rcv_skb(struct visornic *vn, const u16 *idx,
				  unsigned int n, u32 len)
{
	struct visornic_rxbuf spare[SPAR_NET_MAX_RCV_CHAIN_LARGE];
	struct sk_buff *skb;
	unsigned int i, pull;
	u32 off = 0;

	for (i = 0; i < n; i++)
		dma_sync_single_range_for_cpu(vn->dma_dev, vn->rx[idx[i]].dma,
					      VN_RX_HEADROOM, VN_RX_BUF,
					      DMA_FROM_DEVICE);

	pull = len <= VN_RX_COPYBREAK ? len : VN_RX_PULL;
	skb = napi_alloc_skb(&vn->napi, pull);
	if (!skb)
		return NULL;
	skb_put_data(skb, page_address(vn->rx[idx[0]].page) + VN_RX_HEADROOM,
		     pull);
	if (pull == len)
		return skb;

	/* Large frame: the pages go to the skb, fresh ones stay posted. */
	for (i = 0; i < n; i++) {
		if (vn_rx_alloc(vn, &spare[i], GFP_ATOMIC)) {
			while (i--)
				vn_rx_free(vn, &spare[i]);
			kfree_skb(skb);
			return NULL;
		}
	}
	for (i = 0; i < n; i++) {
		struct visornic_rxbuf *rb = &vn->rx[idx[i]];
		u32 start = i ? 0 : pull;
		u32 chunk = min_t(u32, len - off, VN_RX_BUF);

		swap(rb->page, spare[i].page);
		swap(rb->dma, spare[i].dma);
		dma_unmap_page(vn->dma_dev, spare[i].dma, PAGE_SIZE,
			       DMA_FROM_DEVICE);
		if (chunk > start)
			skb_add_rx_frag(skb, skb_shinfo(skb)->nr_frags,
					spare[i].page, VN_RX_HEADROOM + start,
					chunk - start, PAGE_SIZE);
		else
			put_page(spare[i].page);
		off += chunk;
	}
	return skb;
}

/*
 * Apply the offload metadata of a NET_RCV to @skb, as virtio-net does for
 * its header.  Returns 0, or -EINVAL if it does not match the frame.
 */
static int vn_rcv_offload(struct visornic *vn, const struct spar_uiscmdrsp *rsp,
			  struct sk_buff *skb)
{
	const struct spar_net_offload *ofl = (const void *)((const u8 *)rsp +
							    SPAR_NET_OFFLOAD_OFFSET);
	struct virtio_net_hdr h;

	spar_net_offload_to_vnet(ofl, &h);
	if (h.gso_type != VIRTIO_NET_HDR_GSO_NONE &&
	    !(vn->feat & SPAR_NIC_F_LARGE_RX))
		return -EINVAL;
	if (h.flags & ~(VIRTIO_NET_HDR_F_NEEDS_CSUM |
			VIRTIO_NET_HDR_F_DATA_VALID))
		return -EINVAL;
	if ((h.flags & VIRTIO_NET_HDR_F_DATA_VALID) &&
	    (vn->netdev->features & NETIF_F_RXCSUM))
		skb->ip_summed = CHECKSUM_UNNECESSARY;
	if (virtio_net_hdr_to_skb(skb, &h, true))
		return -EINVAL;
	/* Only a segmented frame may exceed the MTU's frame. */
	if (!skb_is_gso(skb) && skb->len > vn->max_frame)
		return -EINVAL;
	return 0;
}

static int vn_rcv(struct visornic *vn, const struct spar_uiscmdrsp *rsp)
{
	const struct spar_net_pkt_rcv *rcv = &rsp->net.rcv;
	u32 len = le32_to_cpu(rcv->rcv_done_len);
	unsigned int i, n = rcv->numrcvbufs;
	bool large = vn->feat & SPAR_NIC_F_LARGE_RX;
	u16 idx[SPAR_NET_MAX_RCV_CHAIN_LARGE];
	struct sk_buff *skb = NULL;
	bool ok = true;

	if (!n || n > (large ? SPAR_NET_MAX_RCV_CHAIN_LARGE :
		       SPAR_MAX_NET_RCV_CHAIN)) {
		vn_bad(vn, "receive with a bad buffer count");
		return 0;
	}
	if (!vn_rcv_bufs(vn, rsp, n, idx)) {
		vn_bad(vn, "receive with a bad cookie");
		return 0;
	}
	if (rcv->rcvbuf[0] != rsp->net.buf || len < ETH_HLEN ||
	    n != DIV_ROUND_UP(len, VN_RX_BUF)) {
		vn_bad(vn, "receive with an inconsistent buffer chain");
		ok = false;
	}
	for (i = 0; i < n; i++)
		vn->rx[idx[i]].posted = false;
	atomic64_add(le32_to_cpu(rcv->rcvs_dropped_delta), &vn->rx_missed);

	if (!test_bit(VN_ENABLED, &vn->flags)) {
		/* Closing: the buffers are not posted again. */
		atomic64_inc(&vn->rx_dropped);
		return 0;
	}
	if (ok && test_bit(VN_ACKED, &vn->flags)) {
		skb = vn_rcv_skb(vn, idx, n, len);
		if (!skb)
			ok = false;
	}
	if (skb && (vn->feat & SPAR_NIC_F_GUEST_CSUM) &&
	    vn_rcv_offload(vn, rsp, skb)) {
		vn_bad(vn, "receive offload does not match the frame");
		kfree_skb(skb);
		skb = NULL;
	}
	if (!skb)
		atomic64_inc(&vn->rx_dropped);

	/*
	 * Each buffer consumed is posted again (with a fresh page if given
	 * away) at the end of the poll, all in one batch.
	 */
	vn->rx_unposted += n;

	if (!skb)
		return 0;
	skb->protocol = eth_type_trans(skb, vn->netdev);
	vn_stats_add(&vn->rx_stats, len);
	napi_gro_receive(&vn->napi, skb);
	return 1;
}

static void vn_enbdis_ack(struct visornic *vn, const struct spar_uiscmdrsp *rsp)
{
	u64 cookie = le64_to_cpu(rsp->net.enbdis.context);

	if (cookie != READ_ONCE(vn->enbdis_cookie) ||
	    test_bit(VN_ACKED, &vn->flags)) {
		vn_bad(vn, "unexpected enable/disable acknowledgment");
		return;
	}
	set_bit(VN_ACKED, &vn->flags);
	wake_up(&vn->ack_wq);
	if (VN_COOKIE_IDX(cookie) && test_bit(VN_ENABLED, &vn->flags)) {
		clear_bit(VN_LINK_DOWN, &vn->flags);
		netif_carrier_on(vn->netdev);
		netif_wake_queue(vn->netdev);
	}
}

static void vn_connect_status(struct visornic *vn,
			      const struct spar_uiscmdrsp *rsp)
{
	if (!test_bit(VN_ENABLED, &vn->flags))
		return;
	if (le16_to_cpu(rsp->net.enbdis.enable) == 1) {
		clear_bit(VN_LINK_DOWN, &vn->flags);
		if (test_bit(VN_ACKED, &vn->flags)) {
			netif_carrier_on(vn->netdev);
			netif_wake_queue(vn->netdev);
		}
	} else {
		set_bit(VN_LINK_DOWN, &vn->flags);
		netif_stop_queue(vn->netdev);
		netif_carrier_off(vn->netdev);
	}
}

/* Handle one response; returns 1 if it delivered a frame. */
static void vn_handle(struct visornic *vn, const struct spar_uiscmdrsp *rsp,
		      int budget)
{
	if (rsp->cmdtype != SPAR_CMD_NET_TYPE) {
		vn_bad(vn, "not a network response");
		return;
	}
	switch (le32_to_cpu(rsp->net.type)) {
	case SPAR_NET_RCV:
		vn_rcv(vn, rsp);
		break;
	case SPAR_NET_XMIT_DONE:
		vn_xmit_done(vn, rsp, budget);
		break;
	case SPAR_NET_RCV_ENBDIS_ACK:
		vn_enbdis_ack(vn, rsp);
		break;
	case SPAR_NET_CONNECT_STATUS:
		vn_connect_status(vn, rsp);
		break;
	default:
		vn_bad(vn, "unknown network response");
		break;
	}
}

static int visornic_poll(struct napi_struct *napi, int budget)
{
	struct visornic *vn = container_of(napi, struct visornic, napi);
	int work = 0, ret;

	/*
	 * Every response taken off the queue counts against the budget, not
	 * only delivered frames: a host that keeps posting transmit
	 * completions, or responses that deliver nothing, must not keep this
	 * loop running in softirq.
	 */
	while (work < budget) {
		ret = visorchannel_signalremove(vn_chan(vn), VN_RSP_Q, vn->rsp);
		if (ret == -EAGAIN)
			break;
		if (ret) {
			if (!test_and_set_bit(VN_BROKEN, &vn->flags))
				netdev_err(vn->netdev, "response queue unusable (%d)\n",
					   ret);
			break;
		}
		vn_handle(vn, vn->rsp, budget);
		work++;
		/* Keep the host supplied during a long poll. */
		if (vn->rx_unposted >= VN_REFILL_BATCH &&
		    test_bit(VN_ENABLED, &vn->flags))
			vn_rx_refill(vn);
	}
	if (vn->rx_unposted && test_bit(VN_ENABLED, &vn->flags))
		vn_rx_refill(vn);
	if (work < budget && napi_complete_done(napi, work)) {
		/* Interrupts back on; catch what came in meanwhile. */
		if (visorchannel_set_polling(vn_chan(vn), VN_RSP_Q, false) &&
		    !test_bit(VN_BROKEN, &vn->flags) &&
		    napi_schedule_prep(napi)) {
			visorchannel_set_polling(vn_chan(vn), VN_RSP_Q, true);
			__napi_schedule(napi);
		}
	}
	return work;
}

static void visornic_channel_interrupt(struct visor_device *vdev)
{
	struct visornic *vn = dev_get_drvdata(&vdev->device);

	if (vn && !test_bit(VN_BROKEN, &vn->flags) &&
	    !visorchannel_signalempty(vdev->visorchannel, VN_RSP_Q))
		vn_kick(vn);
}

/* --- enable and disable --------------------------------------------- */

static void vn_napi_off(struct visornic *vn)
{
	lockdep_assert_held(&vn->state_lock);
	if (test_and_clear_bit(VN_NAPI_ON, &vn->flags))
		napi_disable(&vn->napi);
}

static void vn_napi_on(struct visornic *vn)
{
	lockdep_assert_held(&vn->state_lock);
	if (!test_and_set_bit(VN_NAPI_ON, &vn->flags)) {
		napi_enable(&vn->napi);
		vn_kick(vn);
	}
}

/*
 * Post the receive buffers and enable reception.  @wait: wait for the
 * acknowledgment (otherwise the link comes up when it arrives).
 */
static int vn_enable(struct visornic *vn, bool wait)
{
	unsigned int i, have = 0, posted = 0;
	bool napi_was_on;
	int ret;

	lockdep_assert_held(&vn->state_lock);
	if (test_bit(VN_PAUSED, &vn->flags) || test_bit(VN_ENABLED, &vn->flags))
		return 0;	/* resume enables; or already enabled */

	/* The receive table belongs to NAPI while it runs. */
	napi_was_on = test_bit(VN_NAPI_ON, &vn->flags);
	vn_napi_off(vn);
	for (i = 0; i < vn->num_rcv_bufs; i++)
		if (vn->rx[i].page || !vn_rx_alloc(vn, &vn->rx[i], GFP_KERNEL))
			have++;
	if (!have || have < vn->num_rcv_bufs * 2 / 3) {
		netdev_err(vn->netdev, "only %u of %u receive buffers\n",
			   have, vn->num_rcv_bufs);
		vn_rx_release(vn, true);
		ret = -ENOMEM;
		goto out_napi;
	}
	clear_bit(VN_LINK_DOWN, &vn->flags);
	set_bit(VN_ENABLED, &vn->flags);
	for (i = 0; i < vn->num_rcv_bufs; i++) {
		if (!vn->rx[i].page)
			continue;
		if (vn_rx_post(vn, i))
			break;
		posted++;
	}
	vn->rx_unposted = vn->num_rcv_bufs - posted;
	if (posted)
		vn_rx_kick(vn);
	if (posted < have)
		netdev_warn(vn->netdev, "posted %u of %u receive buffers\n",
			    posted, have);
	if (napi_was_on)
		vn_napi_on(vn);

	ret = vn_send_enbdis(vn, true);
	if (ret) {
		netdev_err(vn->netdev, "cannot send enable (%d)\n", ret);
		goto out_disable;
	}
	vn_send_promisc(vn);
	if (!wait)
		return 0;
	ret = vn_wait_ack(vn);
	if (ret == -EAGAIN)
		return 0;	/* paused meanwhile: resume enables */
	if (ret) {
		netdev_err(vn->netdev, "no answer to enable\n");
		goto out_disable;
	}
	return 0;

out_disable:
	clear_bit(VN_ENABLED, &vn->flags);
	if (!test_bit(VN_PAUSED, &vn->flags)) {
		vn_send_enbdis(vn, false);
		vn_wait_ack(vn);
	}
	vn_napi_off(vn);
	vn_rx_release(vn, test_bit(VN_ACKED, &vn->flags) ||
		      test_bit(VN_PAUSED, &vn->flags));
	if (napi_was_on)
		vn_napi_on(vn);
	return ret;
out_napi:
	if (napi_was_on)
		vn_napi_on(vn);
	return ret;
}

/* Disable reception and drop every buffer. */
static int vn_disable(struct visornic *vn)
{
	bool napi_was_on;
	int ret = 0;

	lockdep_assert_held(&vn->state_lock);
	clear_bit(VN_ENABLED, &vn->flags);
	netif_carrier_off(vn->netdev);
	netif_tx_disable(vn->netdev);
	if (!test_bit(VN_PAUSED, &vn->flags)) {
		ret = vn_send_enbdis(vn, false);
		if (!ret)
			ret = vn_wait_ack(vn);
		if (ret && ret != -EAGAIN)
			netdev_err(vn->netdev, "no answer to disable (%d)\n",
				   ret);
	}
	/*
	 * Transmits complete in order before the acknowledgment, so what
	 * is left was lost; receive buffers are free once acknowledged.
	 */
	napi_was_on = test_bit(VN_NAPI_ON, &vn->flags);
	vn_napi_off(vn);
	vn_tx_flush(vn);
	vn_rx_release(vn, test_bit(VN_ACKED, &vn->flags) ||
		      test_bit(VN_PAUSED, &vn->flags));
	if (napi_was_on)
		vn_napi_on(vn);
	return ret == -EAGAIN ? 0 : ret;
}

/* --- net_device ----------------------------------------------------- */

static int visornic_open(struct net_device *netdev)
{
	struct visornic *vn = netdev_priv(netdev);
	int ret;

	netif_carrier_off(netdev);
	mutex_lock(&vn->state_lock);
	ret = vn_enable(vn, true);
	mutex_unlock(&vn->state_lock);
	return ret;
}

static int visornic_close(struct net_device *netdev)
{
	struct visornic *vn = netdev_priv(netdev);

	mutex_lock(&vn->state_lock);
	vn_disable(vn);
	mutex_unlock(&vn->state_lock);
	return 0;
}

static void visornic_set_rx_mode(struct net_device *netdev)
{
	struct visornic *vn = netdev_priv(netdev);

	/* Multicast needs no filter: the back-end passes all of it. */
	if (test_bit(VN_ENABLED, &vn->flags) && !test_bit(VN_PAUSED, &vn->flags))
		vn_send_promisc(vn);
}

static void visornic_tx_timeout(struct net_device *netdev, unsigned int txq)
{
	struct visornic *vn = netdev_priv(netdev);

	netdev_warn(netdev, "transmit timed out with %u in flight; resetting\n",
		    READ_ONCE(vn->tx_count));
	schedule_work(&vn->reset_work);
}

static void visornic_reset_work(struct work_struct *work)
{
	struct visornic *vn = container_of(work, struct visornic, reset_work);

	rtnl_lock();
	mutex_lock(&vn->state_lock);
	if (netif_running(vn->netdev) && !test_bit(VN_PAUSED, &vn->flags)) {
		vn_disable(vn);
		if (vn_enable(vn, true))
			netdev_err(vn->netdev, "reset failed; bring the interface down and up\n");
	}
	mutex_unlock(&vn->state_lock);
	rtnl_unlock();
}

static void visornic_get_stats64(struct net_device *netdev,
				 struct rtnl_link_stats64 *st)
{
	struct visornic *vn = netdev_priv(netdev);
	unsigned int start;

	do {
		start = u64_stats_fetch_begin(&vn->rx_stats.syncp);
		st->rx_packets = u64_stats_read(&vn->rx_stats.packets);
		st->rx_bytes = u64_stats_read(&vn->rx_stats.bytes);
	} while (u64_stats_fetch_retry(&vn->rx_stats.syncp, start));
	do {
		start = u64_stats_fetch_begin(&vn->tx_stats.syncp);
		st->tx_packets = u64_stats_read(&vn->tx_stats.packets);
		st->tx_bytes = u64_stats_read(&vn->tx_stats.bytes);
	} while (u64_stats_fetch_retry(&vn->tx_stats.syncp, start));
	st->rx_dropped = atomic64_read(&vn->rx_dropped);
	st->rx_errors = atomic64_read(&vn->rx_errors);
	st->rx_missed_errors = atomic64_read(&vn->rx_missed);
	st->tx_dropped = atomic64_read(&vn->tx_dropped);
	st->tx_errors = atomic64_read(&vn->tx_errors);
}

/* A segmented frame must fit what the channel carries, or be split here. */
static netdev_features_t visornic_features_check(struct sk_buff *skb,
						 struct net_device *netdev,
						 netdev_features_t features)
{
	features = vlan_features_check(skb, features);
	if (skb->len > SPAR_NET_MAX_GSO_FRAME)
		features &= ~NETIF_F_GSO_MASK;
	return features;
}

static const struct net_device_ops visornic_netdev_ops = {
	.ndo_open = visornic_open,
	.ndo_stop = visornic_close,
	.ndo_start_xmit = visornic_xmit,
	.ndo_features_check = visornic_features_check,
	.ndo_set_rx_mode = visornic_set_rx_mode,
	.ndo_tx_timeout = visornic_tx_timeout,
	.ndo_get_stats64 = visornic_get_stats64,
	.ndo_validate_addr = eth_validate_addr,
};

static void visornic_get_drvinfo(struct net_device *netdev,
				 struct ethtool_drvinfo *info)
{
	struct visornic *vn = netdev_priv(netdev);

	strscpy(info->driver, VISORNIC_NAME, sizeof(info->driver));
	strscpy(info->bus_info, dev_name(&vn->vdev->device),
		sizeof(info->bus_info));
}

static const struct ethtool_ops visornic_ethtool_ops = {
	.get_drvinfo = visornic_get_drvinfo,
	.get_link = ethtool_op_get_link,
};

/* --- visorbus driver ------------------------------------------------ */

/* Buffers are mapped for the PCI function that carries the channel. */
static struct device *vn_find_dma_dev(struct visor_device *vdev)
{
	struct device *dev;

	for (dev = vdev->device.parent; dev; dev = dev->parent)
		if (dev_is_pci(dev))
			return dev;
	return NULL;
}

/* Flow control for @n receive buffers; stays sane for small @n. */
static void vn_set_thresholds(struct visornic *vn, u32 n)
{
	vn->max_outstanding = max_t(u32, 3, n / 3 > 5 ? n / 3 - 2 : 3);
	vn->upper = max_t(u32, 2, vn->max_outstanding - 1);
	vn->lower = max_t(u32, 1, vn->max_outstanding / 2);
}

static int vn_read_config(struct visornic *vn, u8 *mac, u32 *cap)
{
	struct visor_device *vdev = vn->vdev;
	__le32 val, val2;
	int ret;

	ret = visorbus_read_channel(vdev, VN_OFF_MAC, mac, ETH_ALEN);
	if (ret)
		return ret;
	ret = visorbus_read_channel(vdev, VN_OFF_NUM_RCV_BUFS, &val, sizeof(val));
	if (ret)
		return ret;
	vn->num_rcv_bufs = le32_to_cpu(val);
	ret = visorbus_read_channel(vdev, VN_OFF_CMD_CAP, &val, sizeof(val));
	if (ret)
		return ret;
	ret = visorbus_read_channel(vdev, VN_OFF_RSP_CAP, &val2, sizeof(val2));
	if (ret)
		return ret;
	*cap = min(le32_to_cpu(val), le32_to_cpu(val2));

	if (*cap < SPAR_MIN_NUMSIGNALS - 1 || *cap >= SPAR_MAX_NUMSIGNALS) {
		dev_err(&vdev->device, "bad queue capacity %u\n", *cap);
		return -EINVAL;
	}
	if (!vn->num_rcv_bufs || vn->num_rcv_bufs > VN_MAX_RCV_BUFS) {
		dev_err(&vdev->device, "bad receive buffer count %u\n",
			vn->num_rcv_bufs);
		return -EINVAL;
	}
	if (!is_valid_ether_addr(mac)) {
		dev_err(&vdev->device, "bad MAC address %pM\n", mac);
		return -EINVAL;
	}
	return 0;
}

/*
 * The MTU, read once the offloads are taken: with SPAR_NIC_F_BIG_MTU the
 * host shows the whole of it, which may exceed s-Par's limit.
 */
static int vn_read_mtu(struct visornic *vn, u32 *mtu)
{
	u32 max = vn->feat & SPAR_NIC_F_BIG_MTU ? SPAR_NIC_BIG_MTU_MAX :
		  SPAR_ETH_MAX_MTU;
	__le32 val;
	int ret;

	ret = visorbus_read_channel(vn->vdev, VN_OFF_MTU, &val, sizeof(val));
	if (ret)
		return ret;
	*mtu = le32_to_cpu(val);
	if (*mtu < ETH_MIN_MTU || *mtu > max) {
		dev_err(&vn->vdev->device, "bad MTU %u\n", *mtu);
		return -EINVAL;
	}
	vn->max_frame = spar_nic_max_frame(vn->feat, *mtu);
	return 0;
}

/* Tell the channel we poll and check receive buffers, as s-Par guests do. */
static int vn_set_features(struct visornic *vn)
{
	__le64 features;
	u64 f;
	int ret;

	ret = visorbus_read_channel(vn->vdev, VN_OFF_FEATURES, &features,
				    sizeof(features));
	if (ret)
		return ret;
	f = le64_to_cpu(features) | SPAR_CHANNEL_IS_POLLING |
	    SPAR_DRIVER_ENHANCED_RCVBUF_CHECKING;
	features = cpu_to_le64(f);
	return visorbus_write_channel(vn->vdev, VN_OFF_FEATURES, &features,
				      sizeof(features));
}

/*
 * Take the offloads the host offers and the module parameter allows, and
 * give the interface the matching features.  The host takes them up when
 * reception is enabled.
 */
static void vn_take_offloads(struct visornic *vn)
{
	struct net_device *netdev = vn->netdev;
	u32 want;

	want = spar_nic_features_kept(visorbus_get_device_features(vn->vdev) &
				      VN_FEATURES & (offloads << 16));
	/* Written even when 0: an earlier driver may have left others. */
	vn->feat = visorbus_set_device_features(vn->vdev, want);
	if (vn->feat != want) {
		dev_warn(&vn->vdev->device, "host recorded offloads %#x, not %#x; using none\n",
			 vn->feat, want);
		vn->feat = visorbus_set_device_features(vn->vdev, 0);
	}

	netdev->hw_features = NETIF_F_SG;
	if (vn->feat & SPAR_NIC_F_CSUM)
		netdev->hw_features |= NETIF_F_HW_CSUM;
	if (vn->feat & SPAR_NIC_F_TSO)
		netdev->hw_features |= NETIF_F_TSO | NETIF_F_TSO6 |
				       NETIF_F_TSO_ECN;
	if (vn->feat & SPAR_NIC_F_GUEST_CSUM)
		netdev->hw_features |= NETIF_F_RXCSUM;
	netdev->features = netdev->hw_features | NETIF_F_HIGHDMA;
	netdev->vlan_features = netdev->features;
}

static void vn_free(struct visornic *vn)
{
	kfree(vn->cmd);
	kfree(vn->rsp);
	kvfree(vn->tx);
	kvfree(vn->rx);
}

static int visornic_probe(struct visor_device *vdev)
{
	struct net_device *netdev;
	struct visornic *vn;
	unsigned int i;
	u8 mac[ETH_ALEN];
	u32 mtu, cap;
	int ret;

	BUILD_BUG_ON(sizeof(struct spar_uiscmdrsp) > VN_MSG_SIZE);
	BUILD_BUG_ON(VN_RX_PULL > VN_RX_COPYBREAK);
	BUILD_BUG_ON(SPAR_NET_MAX_RCV_CHAIN_LARGE > MAX_SKB_FRAGS);

	netdev = alloc_etherdev(sizeof(*vn));
	if (!netdev)
		return -ENOMEM;
	vn = netdev_priv(netdev);
	vn->vdev = vdev;
	vn->netdev = netdev;
	spin_lock_init(&vn->lock);
	mutex_init(&vn->state_lock);
	init_waitqueue_head(&vn->ack_wq);
	INIT_WORK(&vn->reset_work, visornic_reset_work);
	u64_stats_init(&vn->rx_stats.syncp);
	u64_stats_init(&vn->tx_stats.syncp);
	vn->incarnation = get_jiffies_64();

	vn->dma_dev = vn_find_dma_dev(vdev);
	if (!vn->dma_dev) {
		dev_err(&vdev->device, "no PCI function above the device\n");
		ret = -ENODEV;
		goto err_netdev;
	}
	ret = vn_read_config(vn, mac, &cap);
	if (ret)
		goto err_netdev;
	/* What can be outstanding at once must fit in either queue. */
	vn_set_thresholds(vn, min(vn->num_rcv_bufs, cap));
	vn->num_rcv_bufs = min(vn->num_rcv_bufs,
			       cap - VN_RSP_RESERVE - vn->max_outstanding);

	ret = -ENOMEM;
	vn->cmd = kzalloc(VN_MSG_SIZE, GFP_KERNEL);
	vn->rsp = kzalloc(VN_MSG_SIZE, GFP_KERNEL);
	vn->rx = kvcalloc(vn->num_rcv_bufs, sizeof(*vn->rx), GFP_KERNEL);
	vn->tx = kvcalloc(vn->max_outstanding, sizeof(*vn->tx), GFP_KERNEL);
	if (!vn->cmd || !vn->rsp || !vn->rx || !vn->tx)
		goto err_free;

	/* Whatever an earlier driver left unanswered is of no use now. */
	for (i = 0; i < VN_DRAIN_MAX; i++)
		if (visorchannel_signalremove(vdev->visorchannel, VN_RSP_Q,
					      vn->rsp))
			break;

	ret = vn_set_features(vn);
	if (ret)
		goto err_free;

	vn_take_offloads(vn);
	ret = vn_read_mtu(vn, &mtu);
	if (ret)
		goto err_features;
	eth_hw_addr_set(netdev, mac);
	netdev->mtu = mtu;
	netdev->min_mtu = ETH_MIN_MTU;
	netdev->max_mtu = mtu;
	netdev->netdev_ops = &visornic_netdev_ops;
	netdev->ethtool_ops = &visornic_ethtool_ops;
	netdev->watchdog_timeo = VN_WATCHDOG;
	SET_NETDEV_DEV(netdev, &vdev->device);
	netif_napi_add(netdev, &vn->napi, visornic_poll);
	netif_carrier_off(netdev);
	dev_set_drvdata(&vdev->device, vn);

	mutex_lock(&vn->state_lock);
	vn_napi_on(vn);
	mutex_unlock(&vn->state_lock);

	ret = register_netdev(netdev);
	if (ret) {
		dev_err(&vdev->device, "cannot register the interface (%d)\n",
			ret);
		goto err_napi;
	}
	ret = visorbus_enable_channel_interrupts(vdev);
	if (ret) {
		dev_err(&vdev->device, "cannot enable channel interrupts (%d)\n",
			ret);
		goto err_unregister;
	}
	set_bit(VN_INTS_ON, &vn->flags);
	netdev_info(netdev, "%pM, MTU %u, %u receive buffers, offloads %#x\n",
		    mac, mtu, vn->num_rcv_bufs, vn->feat >> 16);
	return 0;

err_unregister:
	unregister_netdev(netdev);
err_napi:
	mutex_lock(&vn->state_lock);
	vn_napi_off(vn);
	mutex_unlock(&vn->state_lock);
	netif_napi_del(&vn->napi);
	dev_set_drvdata(&vdev->device, NULL);
err_features:
	visorbus_set_device_features(vdev, 0);
err_free:
	vn_free(vn);
err_netdev:
	mutex_destroy(&vn->state_lock);
	free_netdev(netdev);
	return ret;
}

static void visornic_remove(struct visor_device *vdev)
{
	struct visornic *vn = dev_get_drvdata(&vdev->device);
	struct net_device *netdev;

	if (!vn)
		return;
	netdev = vn->netdev;
	/* Closes the interface, which disables reception. */
	unregister_netdev(netdev);
	cancel_work_sync(&vn->reset_work);

	mutex_lock(&vn->state_lock);
	if (test_and_clear_bit(VN_INTS_ON, &vn->flags))
		visorbus_disable_channel_interrupts(vdev);
	vn_napi_off(vn);
	vn_tx_flush(vn);
	vn_rx_release(vn, test_bit(VN_PAUSED, &vn->flags));
	mutex_unlock(&vn->state_lock);
	/* The next driver starts from the s-Par protocol. */
	visorbus_set_device_features(vdev, 0);

	dev_set_drvdata(&vdev->device, NULL);
	netif_napi_del(&vn->napi);
	vn_free(vn);
	mutex_destroy(&vn->state_lock);
	free_netdev(netdev);
}

/*
 * Pause: the back-end has stopped and forgets everything queued, so
 * complete everything locally without touching the queues.
 */
static int visornic_pause(struct visor_device *vdev,
			  visorbus_state_complete_func complete_func)
{
	struct visornic *vn = dev_get_drvdata(&vdev->device);

	set_bit(VN_PAUSED, &vn->flags);
	wake_up(&vn->ack_wq);
	mutex_lock(&vn->state_lock);
	if (test_and_clear_bit(VN_INTS_ON, &vn->flags))
		visorbus_disable_channel_interrupts(vdev);
	netif_carrier_off(vn->netdev);
	netif_tx_disable(vn->netdev);
	vn_napi_off(vn);
	clear_bit(VN_ENABLED, &vn->flags);
	clear_bit(VN_ACKED, &vn->flags);
	vn_tx_flush(vn);
	vn_rx_release(vn, true);
	mutex_unlock(&vn->state_lock);
	complete_func(vdev, 0);
	return 0;
}

/* Resume: start again on empty queues; the link follows the ACK. */
static int visornic_resume(struct visor_device *vdev,
			   visorbus_state_complete_func complete_func)
{
	struct visornic *vn = dev_get_drvdata(&vdev->device);
	int ret = 0;

	rtnl_lock();
	mutex_lock(&vn->state_lock);
	clear_bit(VN_PAUSED, &vn->flags);
	clear_bit(VN_BROKEN, &vn->flags);
	vn_napi_on(vn);
	if (!test_bit(VN_INTS_ON, &vn->flags)) {
		ret = visorbus_enable_channel_interrupts(vdev);
		if (ret)
			netdev_err(vn->netdev, "cannot enable channel interrupts (%d)\n",
				   ret);
		else
			set_bit(VN_INTS_ON, &vn->flags);
	}
	if (!ret && netif_running(vn->netdev))
		ret = vn_enable(vn, false);
	mutex_unlock(&vn->state_lock);
	rtnl_unlock();
	complete_func(vdev, ret);
	return 0;
}

static struct visor_channeltype_descriptor visornic_channel_types[] = {
	{ GUID_INIT(0x8cd5994d, 0xc58e, 0x11da,
		    0x95, 0xa9, 0x00, 0xe0, 0x81, 0x61, 0x16, 0x5f),
	  "ultravnic", sizeof(struct spar_channel_header),
	  SPAR_VNIC_CHANNEL_VERSIONID },
	{}
};

static struct visor_driver visornic_driver = {
	.name = VISORNIC_NAME,
	.owner = THIS_MODULE,
	.channel_types = visornic_channel_types,
	.probe = visornic_probe,
	.remove = visornic_remove,
	.pause = visornic_pause,
	.resume = visornic_resume,
	.channel_interrupt = visornic_channel_interrupt,
};

static int __init visornic_init(void)
{
	return visorbus_register_visor_driver(&visornic_driver);
}

static void __exit visornic_exit(void)
{
	visorbus_unregister_visor_driver(&visornic_driver);
}

module_init(visornic_init);
module_exit(visornic_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("s-Par virtual NIC driver");
MODULE_ALIAS("visorbus:" SPAR_VNIC_CHANNEL_GUID_STR);
