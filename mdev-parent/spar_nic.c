// SPDX-License-Identifier: GPL-2.0
/*
 * spar-mdev host module: the spar-nic back-end.
 *
 * Each instance has a host network interface.  What the guest transmits
 * (NET_XMIT) is received on that interface; what the host transmits on it
 * fills the receive buffers the guest posted (NET_RCV_POST) and reaches
 * the guest as NET_RCV, chained over several buffers for large frames.
 * The host interface has carrier while the guest has reception enabled;
 * the guest's link follows the host interface's administrative state.
 */
#include <linux/debugfs.h>
#include <linux/etherdevice.h>
#include <linux/if_vlan.h>
#include <linux/netdevice.h>
#include <linux/rtnetlink.h>
#include <linux/slab.h>
#include <linux/skbuff.h>
#include <linux/virtio_net.h>

#include "spar_iochan.h"
#include "spar_nic_proto.h"

#define SPAR_NIC_MIN_MTU	ETH_MIN_MTU
/* What a guest that takes SPAR_NIC_F_BIG_MTU may use; others see less. */
#define SPAR_NIC_MAX_MTU	SPAR_NIC_BIG_MTU_MAX
#define SPAR_NIC_DEFAULT_MTU	ETH_DATA_LEN
#define SPAR_NIC_MIN_RCV_BUFS	6
/*
 * Enough for a TCP stream at the rate the worker fills them; the guest
 * takes fewer if the queues cannot hold that many with its transmits.
 */
#define SPAR_NIC_DEFAULT_RCV_BUFS 192
/* Linear part of a large frame from the guest; the rest goes in pages. */
#define SPAR_NIC_XMIT_HEAD	256
/* What the host interface can hand to a guest that takes every offload. */
#define SPAR_NIC_NETDEV_OFFLOADS					\
	(NETIF_F_SG | NETIF_F_HW_CSUM | NETIF_F_TSO | NETIF_F_TSO6 |	\
	 NETIF_F_TSO_ECN)

static_assert(SPAR_NET_OFFLOAD_OFFSET >=
	      offsetof(struct spar_uiscmdrsp, net.xmt) +
	      sizeof(struct spar_net_pkt_xmt));
static_assert(SPAR_NET_OFFLOAD_OFFSET >=
	      offsetof(struct spar_uiscmdrsp, net.rcv) +
	      sizeof(struct spar_net_pkt_rcv));
static_assert(SPAR_NET_OFFLOAD_OFFSET + sizeof(struct spar_net_offload) <=
	      offsetof(struct spar_uiscmdrsp, private_data));
/* Receive buffers a guest may have posted at once. */
#define SPAR_NIC_MAX_POSTED	SPAR_RING_SLOTS_MAX
/* Host frames waiting for the worker; the interface stops beyond this. */
#define SPAR_NIC_TXQ_LEN	256
/* Guest frames handed to the host stack as one list, at most. */
#define SPAR_NIC_RX_BATCH	64
/* Guest frames waiting for the interface's GRO poll, at most. */
#define SPAR_NIC_GRO_QUEUE	1024
/* How long a host frame waits for the guest to post buffers for it. */
#define SPAR_NIC_RX_WAIT	HZ
/* Host interface name when the default one is taken: spn0, spn1, ... */
#define SPAR_NIC_IFNAME_ENUM	"spn%d"
/* Guest page size of phys_info descriptors. */
#define SPAR_NIC_PAGE		SPAR_PI_PAGE_SIZE
/* Fault injection: most unasked-for completions one request may queue. */
#define SPAR_NIC_FLOOD_MAX	BIT(20)
/* ... and the buffer they name, which no guest ever posted or sent. */
#define SPAR_NIC_FLOOD_COOKIE	(~0ULL)

/* The engine's single channel and its two queues. */
#define NIC_CHAN	0
#define NIC_CMD_Q	SPAR_IOCHAN_TO_IOPART
#define NIC_RSP_Q	SPAR_IOCHAN_FROM_IOPART

enum {
	SPAR_NIC_LINK_CHANGED,	/* host interface went up or down */
};

struct spar_nic_buf {
	u64 cookie;
	struct spar_nic_frag frag;
};

/**
 * struct spar_nic - back-end state of one spar-nic instance
 * @sdev: the instance
 * @netdev: the host interface
 * @mac: the guest's MAC address (attribute)
 * @mtu: the guest's MTU (attribute)
 * @num_rcv_bufs: receive buffers the guest is asked to post (attribute)
 * @post_lock: guards the posted-buffer FIFO against dma_unmap
 * @posted: FIFO of posted receive buffers, SPAR_NIC_MAX_POSTED entries
 * @post_first: index of the oldest posted buffer
 * @post_count: buffers in the FIFO
 * @rx_enabled: the guest enabled reception (NET_RCV_ENBDIS)
 * @feat: SPAR_NIC_F_* in force, taken from the guest's accepted features
 *	when it enabled reception; 0 while it is disabled
 * @promisc: the guest asked for every frame
 * @link_reported: link state last sent to the guest, or -1
 * @drops: host frames dropped since the last NET_RCV
 * @flags: SPAR_NIC_* event bits for the worker
 * @txq: host frames waiting for the worker
 * @rx_list: frames from the guest for the host stack, gathered during
 *	a pass of the worker and handed on as one list at its end
 * @rx_list_len: frames on @rx_list
 * @bounce: one page for copying frames into guest buffers
 * @rsp: the response being built
 * @cmd: the command being handled, as the validator checked it
 * @cmds: commands taken from the guest, by s-Par cmdtype (0 = other)
 * @net_cmds: network commands, by net type, counted even when refused
 * @gso_xmit: segmented frames taken from the guest
 * @gso_rcv: segmented frames given to the guest
 * @csum_xmit: frames from the guest that asked for a checksum
 * @offload_errors: frames whose offload metadata the host could not apply
 * @no_buffer: host frames dropped because the guest had too few buffers
 *	posted for SPAR_NIC_RX_WAIT
 * @rcv_waits: times a host frame had to wait for the guest to post buffers
 * @wait_since: jiffies (with bit 0 set) since the frame at the head of
 *	@txq waits for buffers, or 0
 * @flood: fault injection: unasked-for completions still to post
 * @faults: fault injection: the instance's debugfs directory, or NULL
 *
 * @rx_enabled, @feat, @promisc, @link_reported, @drops, @wait_since,
 * @rx_list, @bounce, @rsp and @cmd belong to the engine's worker; the
 * host transmit path only reads @rx_enabled and @feat.
 */
struct spar_nic {
	struct spar_dev *sdev;
	struct net_device *netdev;
	u8 mac[ETH_ALEN];
	u32 mtu;
	u32 num_rcv_bufs;
	struct mutex post_lock; /* see above */
	struct spar_nic_buf *posted;
	unsigned int post_first;
	unsigned int post_count;
	bool rx_enabled;
	u32 feat;
	bool promisc;
	int link_reported;
	u32 drops;
	unsigned long flags;
	struct sk_buff_head txq;
	struct list_head rx_list;
	unsigned int rx_list_len;
	u8 *bounce;
	struct spar_uiscmdrsp rsp;
	struct spar_nic_cmd cmd;
	atomic64_t cmds[6];
	atomic64_t net_cmds[10];
	atomic64_t gso_xmit;
	atomic64_t gso_rcv;
	atomic64_t csum_xmit;
	atomic64_t offload_errors;
	atomic64_t no_buffer;
	atomic64_t rcv_waits;
	unsigned long wait_since;
	atomic_t flood;
	struct dentry *faults;
};

/**
 * struct spar_nic_priv - private area of the host interface
 * @nic: the back-end it belongs to
 * @napi: hands @gro_q to GRO; one instance, so it runs on one CPU at a
 *	time and keeps the frames in their order
 * @gro_q: frames of a guest that does not segment (no SPAR_NIC_F_TSO),
 *	queued by the worker for @napi
 */
struct spar_nic_priv {
	struct spar_nic *nic;
	struct napi_struct napi;
	struct sk_buff_head gro_q;
};

static struct spar_nic *to_nic(struct spar_dev *sdev)
{
	return sdev->backend;
}

/* Longest unsegmented frame of this guest, either way (worker only). */
static u32 nic_max_frame(struct spar_nic *nic)
{
	return spar_nic_max_frame(nic->feat, READ_ONCE(nic->mtu));
}

static int nic_bad(struct spar_nic *nic, const char *what)
{
	spar_dev_protocol_error(nic->sdev, what);
	return -EPROTO;
}

/* --- host interface ------------------------------------------------- */

static int spar_nic_open(struct net_device *dev)
{
	struct spar_nic_priv *priv = netdev_priv(dev);
	struct spar_nic *nic = priv->nic;

	napi_enable(&priv->napi);
	if (READ_ONCE(nic->rx_enabled))
		netif_carrier_on(dev);
	netif_start_queue(dev);
	set_bit(SPAR_NIC_LINK_CHANGED, &nic->flags);
	spar_engine_kick(nic->sdev);
	return 0;
}

static int spar_nic_stop(struct net_device *dev)
{
	struct spar_nic_priv *priv = netdev_priv(dev);
	struct spar_nic *nic = priv->nic;

	netif_stop_queue(dev);
	napi_disable(&priv->napi);
	skb_queue_purge(&priv->gro_q);
	netif_carrier_off(dev);
	set_bit(SPAR_NIC_LINK_CHANGED, &nic->flags);
	spar_engine_kick(nic->sdev);
	return 0;
}

static netdev_tx_t spar_nic_xmit(struct sk_buff *skb, struct net_device *dev)
{
	struct spar_nic *nic = ((struct spar_nic_priv *)netdev_priv(dev))->nic;

	/* While bus mastering is off no guest buffer can be filled. */
	if (!READ_ONCE(nic->rx_enabled) || !spar_dev_dma_allowed(nic->sdev)) {
		DEV_STATS_INC(dev, tx_dropped);
		dev_kfree_skb_any(skb);
		return NETDEV_TX_OK;
	}
	skb_queue_tail(&nic->txq, skb);
	if (skb_queue_len(&nic->txq) >= SPAR_NIC_TXQ_LEN)
		netif_stop_queue(dev);
	spar_engine_kick(nic->sdev);
	return NETDEV_TX_OK;
}

/*
 * The interface offers every offload a guest may take; what this guest
 * did not take, the stack does in software before the frame gets here.
 */
static netdev_features_t spar_nic_features_check(struct sk_buff *skb,
						 struct net_device *dev,
						 netdev_features_t features)
{
	struct spar_nic *nic = ((struct spar_nic_priv *)netdev_priv(dev))->nic;
	u32 feat = READ_ONCE(nic->feat);

	features = vlan_features_check(skb, features);
	if (skb->len > SPAR_NET_MAX_GSO_FRAME)
		features &= ~NETIF_F_GSO_MASK;
	if (!(feat & SPAR_NIC_F_GUEST_CSUM))
		features &= ~(NETIF_F_CSUM_MASK | NETIF_F_GSO_MASK);
	if (!(feat & SPAR_NIC_F_LARGE_RX))
		features &= ~NETIF_F_GSO_MASK;
	return features;
}

static const struct net_device_ops spar_nic_netdev_ops = {
	.ndo_open = spar_nic_open,
	.ndo_stop = spar_nic_stop,
	.ndo_start_xmit = spar_nic_xmit,
	.ndo_features_check = spar_nic_features_check,
	.ndo_set_mac_address = eth_mac_addr,
	.ndo_validate_addr = eth_validate_addr,
};

/*
 * GRO for a guest that does not segment: the worker queues a pass's
 * frames and schedules this poll, which normally runs when the worker
 * enables bottom halves again (else in ksoftirqd).
 */
static int spar_nic_napi_poll(struct napi_struct *napi, int budget)
{
	struct spar_nic_priv *priv = container_of(napi, struct spar_nic_priv,
						  napi);
	struct sk_buff *skb;
	int done = 0;

	while (done < budget && (skb = skb_dequeue(&priv->gro_q))) {
		napi_gro_receive(napi, skb);
		done++;
	}
	/* A frame queued after the loop found none: its schedule was lost. */
	if (done < budget && napi_complete_done(napi, done) &&
	    !skb_queue_empty_lockless(&priv->gro_q))
		napi_schedule(napi);
	return done;
}

static struct net_device *spar_nic_netdev_new(struct spar_nic *nic,
					      const char *name)
{
	struct spar_nic_priv *priv;
	struct net_device *dev;
	int ret;

	dev = alloc_netdev(sizeof(struct spar_nic_priv), name,
			   strchr(name, '%') ? NET_NAME_ENUM : NET_NAME_USER,
			   ether_setup);
	if (!dev)
		return ERR_PTR(-ENOMEM);
	priv = netdev_priv(dev);
	priv->nic = nic;
	skb_queue_head_init(&priv->gro_q);
	netif_napi_add(dev, &priv->napi, spar_nic_napi_poll);
	dev->netdev_ops = &spar_nic_netdev_ops;
	dev->min_mtu = SPAR_NIC_MIN_MTU;
	dev->max_mtu = SPAR_NIC_MAX_MTU;
	dev->mtu = nic->mtu;
	dev->hw_features = SPAR_NIC_NETDEV_OFFLOADS;
	dev->features = SPAR_NIC_NETDEV_OFFLOADS | NETIF_F_HIGHDMA;
	dev->vlan_features = dev->features;
	/* Frames wait on txq: one skb must not be queued twice. */
	dev->priv_flags &= ~IFF_TX_SKB_SHARING;
	eth_hw_addr_random(dev);
	SET_NETDEV_DEV(dev, spar_dev_device(nic->sdev));
	netif_carrier_off(dev);

	/* Fails with -EEXIST if the name is taken; "%d" picks a free one. */
	ret = register_netdev(dev);
	if (ret) {
		netif_napi_del(&priv->napi);
		free_netdev(dev);
		return ERR_PTR(ret);
	}
	return dev;
}

static void spar_nic_netdev_free(struct net_device *dev)
{
	struct spar_nic_priv *priv = netdev_priv(dev);

	unregister_netdev(dev);
	netif_napi_del(&priv->napi);
	/* queued by a flush that raced with the interface going down */
	skb_queue_purge(&priv->gro_q);
	free_netdev(dev);
}

/* --- posted receive buffers ----------------------------------------- */

static void nic_forget_posted(struct spar_nic *nic)
{
	mutex_lock(&nic->post_lock);
	nic->post_first = 0;
	nic->post_count = 0;
	mutex_unlock(&nic->post_lock);
}

static struct spar_nic_buf *nic_posted(struct spar_nic *nic, unsigned int i)
{
	return &nic->posted[(nic->post_first + i) % SPAR_NIC_MAX_POSTED];
}

static void spar_nic_unmap(struct spar_dev *sdev, u64 iova, u64 len)
{
	struct spar_nic *nic = to_nic(sdev);
	unsigned int i, kept = 0;

	mutex_lock(&nic->post_lock);
	for (i = 0; i < nic->post_count; i++) {
		struct spar_nic_buf b = *nic_posted(nic, i);

		if (spar_nic_frag_overlaps(&b.frag, iova, len))
			continue;
		*nic_posted(nic, kept++) = b;
	}
	nic->post_count = kept;
	mutex_unlock(&nic->post_lock);
}

static int nic_rcv_post(struct spar_nic *nic, const struct spar_nic_cmd *cmd)
{
	struct spar_nic_buf b;
	int ret = 0;

	b.cookie = cmd->buf;
	b.frag = cmd->post;
	if (spar_guest_range_ok(nic->sdev, b.frag.iova, b.frag.len,
				true))
		return nic_bad(nic, "receive buffer outside guest memory");

	mutex_lock(&nic->post_lock);
	if (nic->post_count < SPAR_NIC_MAX_POSTED)
		*nic_posted(nic, nic->post_count++) = b;
	else
		ret = -ENOSPC;
	mutex_unlock(&nic->post_lock);
	if (ret)
		return nic_bad(nic, "too many receive buffers posted");
	return 0;
}

/* --- guest to host -------------------------------------------------- */

static int nic_send(struct spar_nic *nic, u32 type, u64 buf)
{
	struct spar_uiscmdrsp *rsp = &nic->rsp;
	int ret;

	rsp->cmdtype = SPAR_CMD_NET_TYPE;
	rsp->net.type = cpu_to_le32(type);
	rsp->net.buf = cpu_to_le64(buf);
	ret = spar_engine_send(nic->sdev, NIC_CHAN, NIC_RSP_Q, rsp,
			       sizeof(*rsp));
	return ret == -EPROTO ? ret : 0;
}

static int nic_xmit_done(struct spar_nic *nic, u64 buf, u32 result)
{
	memset(&nic->rsp, 0, sizeof(nic->rsp));
	nic->rsp.net.xmtdone.xmt_done_result = cpu_to_le32(result);
	return nic_send(nic, SPAR_NET_XMIT_DONE, buf);
}

/*
 * Where byte @off of @skb lives and how many bytes follow it there.  The
 * page fragments nic_xmit_skb() made are whole pages but the last.
 */
static u8 *nic_skb_at(struct sk_buff *skb, u32 off, u32 *room)
{
	const skb_frag_t *frag;

	if (off < skb_headlen(skb)) {
		*room = skb_headlen(skb) - off;
		return skb->data + off;
	}
	off -= skb_headlen(skb);
	frag = &skb_shinfo(skb)->frags[off / PAGE_SIZE];
	*room = skb_frag_size(frag) - off % PAGE_SIZE;
	return page_address(skb_frag_page(frag)) + off % PAGE_SIZE;
}

/* Gather a checked fragment list into @skb, which has room for it. */
static int nic_gather(struct spar_nic *nic, const struct spar_nic_xmit *x,
		      struct sk_buff *skb)
{
	u32 i, off = 0;
	int ret;

	for (i = 0; i < x->nfrags; i++) {
		u64 iova = x->frags[i].iova;
		u32 left = x->frags[i].len;

		while (left) {
			u32 room;
			u8 *dst = nic_skb_at(skb, off, &room);

			room = min(room, left);
			ret = spar_copy_from_guest(nic->sdev, dst, iova, room);
			if (ret)
				return ret;
			iova += room;
			left -= room;
			off += room;
		}
	}
	return 0;
}

/*
 * An skb for @len bytes: linear for a frame that fits a page, otherwise
 * a small head and order-0 pages, so a 64 KiB frame needs no large
 * contiguous allocation.
 */
static struct sk_buff *nic_xmit_skb(struct net_device *dev, u32 len)
{
	struct sk_buff *skb;
	u32 off;

	if (len <= SPAR_NIC_XMIT_HEAD * 8) {
		skb = netdev_alloc_skb_ip_align(dev, len);
		if (skb)
			skb_put(skb, len);
		return skb;
	}
	skb = netdev_alloc_skb_ip_align(dev, SPAR_NIC_XMIT_HEAD);
	if (!skb)
		return NULL;
	skb_put(skb, SPAR_NIC_XMIT_HEAD);
	for (off = SPAR_NIC_XMIT_HEAD; off < len; off += PAGE_SIZE) {
		struct page *page;

		/* Bounded by SPAR_NET_MAX_GSO_FRAME, checked by the parser. */
		if (WARN_ON_ONCE(skb_shinfo(skb)->nr_frags >= MAX_SKB_FRAGS))
			goto err;
		page = alloc_page(GFP_KERNEL | __GFP_NOWARN);
		if (!page)
			goto err;
		skb_add_rx_frag(skb, skb_shinfo(skb)->nr_frags, page, 0,
				min_t(u32, len - off, PAGE_SIZE), PAGE_SIZE);
	}
	return skb;
err:
	kfree_skb(skb);
	return NULL;
}

/* Apply checked offload metadata, as tun does for a virtio_net_hdr. */
static int nic_xmit_offload(struct spar_nic *nic, struct sk_buff *skb,
			    const struct spar_nic_offload *o)
{
	struct virtio_net_hdr h = {
		.flags = o->needs_csum ? VIRTIO_NET_HDR_F_NEEDS_CSUM : 0,
		.gso_type = o->gso_type,
		.hdr_len = __cpu_to_virtio16(true, o->hdr_len),
		.gso_size = __cpu_to_virtio16(true, o->gso_size),
		.csum_start = __cpu_to_virtio16(true, o->csum_start),
		.csum_offset = __cpu_to_virtio16(true, o->csum_offset),
	};

	if (!h.flags && h.gso_type == VIRTIO_NET_HDR_GSO_NONE)
		return 0;
	if (h.flags)
		atomic64_inc(&nic->csum_xmit);
	if (h.gso_type != VIRTIO_NET_HDR_GSO_NONE)
		atomic64_inc(&nic->gso_xmit);
	return virtio_net_hdr_to_skb(skb, &h, true);
}

/*
 * The guest's frames go to the host stack as one list per pass of the
 * worker (at most SPAR_NIC_RX_BATCH at a time), as tun hands on a batch:
 * from process context, so with bottom halves off, as the receive path
 * expects.  Their completions may reach the guest first; the frames were
 * copied out of its buffers before.
 *
 * A guest that does not segment sends frames of at most the MTU; those go
 * through GRO instead (unless the interface has it off), which merges a
 * stream's frames before the stack sees them: queued for the interface's
 * one NAPI instance, which keeps their order.  The choice is per guest,
 * never per frame, so a flow is never split between the two paths.
 */
static void nic_rx_flush(struct spar_nic *nic)
{
	struct net_device *dev = nic->netdev;
	struct spar_nic_priv *priv = netdev_priv(dev);
	struct sk_buff *skb, *next;

	if (!nic->rx_list_len)
		return;
	if (!netif_running(dev)) {
		/* went down since the frames were taken */
		list_for_each_entry_safe(skb, next, &nic->rx_list, list) {
			skb_list_del_init(skb);
			DEV_STATS_INC(dev, rx_dropped);
			kfree_skb(skb);
		}
	} else if (!(nic->feat & SPAR_NIC_F_TSO)) {
		list_for_each_entry_safe(skb, next, &nic->rx_list, list) {
			skb_list_del_init(skb);
			if (skb_queue_len(&priv->gro_q) >= SPAR_NIC_GRO_QUEUE) {
				DEV_STATS_INC(dev, rx_dropped);
				kfree_skb(skb);
				continue;
			}
			skb_queue_tail(&priv->gro_q, skb);
		}
		local_bh_disable();
		napi_schedule(&priv->napi);
		local_bh_enable();
	} else {
		local_bh_disable();
		netif_receive_skb_list(&nic->rx_list);
		local_bh_enable();
	}
	INIT_LIST_HEAD(&nic->rx_list);
	nic->rx_list_len = 0;
}

static void spar_nic_flush(struct spar_dev *sdev)
{
	nic_rx_flush(to_nic(sdev));
}

static int nic_xmit(struct spar_nic *nic, const struct spar_nic_cmd *cmd,
		    const void *msg, size_t msg_len)
{
	struct net_device *dev = nic->netdev;
	u32 len = cmd->xmit.len;
	struct spar_nic_offload ofl;
	struct sk_buff *skb;
	const char *why;

	why = spar_nic_offload_parse(msg, msg_len, nic->feat, len,
				     READ_ONCE(nic->mtu), &ofl);
	if (why)
		return nic_bad(nic, why);
	skb = nic_xmit_skb(dev, len);
	if (!skb) {
		DEV_STATS_INC(dev, rx_dropped);
		return nic_xmit_done(nic, cmd->buf, SPAR_XMIT_FAILED);
	}
	if (nic_gather(nic, &cmd->xmit, skb)) {
		kfree_skb(skb);
		return nic_bad(nic, "transmit buffer outside guest memory");
	}
	/*
	 * The metadata is sound; the headers in the frame may not match, and
	 * a "segmented" frame too short to be one must still fit the MTU.
	 */
	if (nic_xmit_offload(nic, skb, &ofl) ||
	    (!skb_is_gso(skb) &&
	     len > nic_max_frame(nic))) {
		atomic64_inc(&nic->offload_errors);
		dev_warn_ratelimited(spar_dev_device(nic->sdev),
				     "transmit offload does not match the frame's headers; dropped\n");
		DEV_STATS_INC(dev, rx_dropped);
		kfree_skb(skb);
		return nic_xmit_done(nic, cmd->buf, SPAR_XMIT_FAILED);
	}

	if (!netif_running(dev)) {
		DEV_STATS_INC(dev, rx_dropped);
		kfree_skb(skb);
	} else {
		skb->protocol = eth_type_trans(skb, dev);
		DEV_STATS_INC(dev, rx_packets);
		DEV_STATS_ADD(dev, rx_bytes, len);
		list_add_tail(&skb->list, &nic->rx_list);
		if (++nic->rx_list_len >= SPAR_NIC_RX_BATCH)
			nic_rx_flush(nic);
	}
	return nic_xmit_done(nic, cmd->buf, SPAR_XMIT_SUCCESS);
}

static int nic_enbdis(struct spar_nic *nic, const struct spar_nic_cmd *cmd)
{
	bool enable = cmd->enbdis.on;
	u32 feat = 0;

	if (enable)
		feat = spar_nic_features_kept(READ_ONCE(nic->sdev->guest_features));
	WRITE_ONCE(nic->feat, feat);
	WRITE_ONCE(nic->rx_enabled, enable);
	if (enable) {
		if (READ_ONCE(nic->mtu) > SPAR_NIC_LEGACY_MTU_MAX &&
		    !(feat & SPAR_NIC_F_BIG_MTU))
			dev_warn_ratelimited(spar_dev_device(nic->sdev),
					     "the guest driver did not take big-mtu: it uses MTU %u, and unsegmented frames over that from %s (MTU %u) are dropped\n",
					     SPAR_NIC_LEGACY_MTU_MAX,
					     nic->netdev->name,
					     READ_ONCE(nic->mtu));
		netif_carrier_on(nic->netdev);
		/* The ACK brings the guest's link up; correct it if need be. */
		nic->link_reported = 1;
		set_bit(SPAR_NIC_LINK_CHANGED, &nic->flags);
	} else {
		netif_carrier_off(nic->netdev);
		nic_forget_posted(nic);
		skb_queue_purge(&nic->txq);
		nic->wait_since = 0;
		nic->link_reported = -1;
	}
	memset(&nic->rsp, 0, sizeof(nic->rsp));
	nic->rsp.net.enbdis.context = cpu_to_le64(cmd->enbdis.context);
	nic->rsp.net.enbdis.enable = cpu_to_le16(cmd->enbdis.enable);
	return nic_send(nic, SPAR_NET_RCV_ENBDIS_ACK, cmd->buf);
}

/* Every slot the guest filled, by the command type it claims. */
static void nic_count_cmdtype(struct spar_nic *nic, const void *msg)
{
	u8 cmdtype = ((const struct spar_uiscmdrsp *)msg)->cmdtype;

	if (cmdtype >= ARRAY_SIZE(nic->cmds))
		cmdtype = 0;
	atomic64_inc(&nic->cmds[cmdtype]);
}

static int spar_nic_handle(struct spar_dev *sdev, unsigned int chan,
			   unsigned int q, const void *msg)
{
	struct spar_nic *nic = to_nic(sdev);
	struct spar_nic_cmd *cmd = &nic->cmd;
	size_t len = sdev->chan[chan].q[q].geo.signal_size;
	const char *why;
	int ret;

	nic_count_cmdtype(nic, msg);
	why = spar_nic_cmd_parse(msg, len,
				 nic->feat & SPAR_NIC_F_TSO ?
				 SPAR_NET_MAX_GSO_FRAME :
				 nic_max_frame(nic),
				 cmd);
	if (why) {
		ret = nic_bad(nic, why);
	} else {
		switch (cmd->type) {
		case SPAR_NET_RCV_POST:
			ret = nic_rcv_post(nic, cmd);
			break;
		case SPAR_NET_XMIT:
			ret = nic_xmit(nic, cmd, msg, len);
			break;
		case SPAR_NET_RCV_ENBDIS:
			ret = nic_enbdis(nic, cmd);
			break;
		case SPAR_NET_RCV_PROMISC:
			/* Guests send the IFF_PROMISC bit (0x100) for "on". */
			nic->promisc = cmd->enbdis.on;
			ret = 0;
			break;
		default:
			/* MACADDR: defined by the protocol, never acted upon. */
			ret = 0;
			break;
		}
	}
	/*
	 * Counted by type once handled, refused ones included (the guest sent
	 * them): a counter that moved tells a reader that the command's
	 * effect, e.g. a buffer on the posted list, is in place.
	 */
	if (cmd->net && cmd->type < ARRAY_SIZE(nic->net_cmds))
		atomic64_inc(&nic->net_cmds[cmd->type]);
	return ret;
}

/* --- host to guest -------------------------------------------------- */

static bool nic_wanted(struct spar_nic *nic, const struct sk_buff *skb)
{
	const u8 *dest = skb->data;

	if (nic->promisc || is_multicast_ether_addr(dest))
		return true;
	return ether_addr_equal(dest, nic->mac);
}

/*
 * Give the buffers of an aborted delivery back, in their order, ahead of
 * those posted since: the guest still considers them posted.
 */
static void nic_unchain(struct spar_nic *nic, const struct spar_nic_buf *chain,
			unsigned int n)
{
	mutex_lock(&nic->post_lock);
	while (n && nic->post_count < SPAR_NIC_MAX_POSTED) {
		nic->post_first = (nic->post_first + SPAR_NIC_MAX_POSTED - 1) %
				  SPAR_NIC_MAX_POSTED;
		nic->posted[nic->post_first] = chain[--n];
		nic->post_count++;
	}
	mutex_unlock(&nic->post_lock);
}

/*
 * Pick buffers for @len bytes, at most @max; returns how many, 0 if they
 * do not suffice.
 */
static unsigned int nic_chain(struct spar_nic *nic, u32 len, unsigned int max,
			      struct spar_nic_buf *chain)
{
	unsigned int n = 0;
	u32 room = 0;

	mutex_lock(&nic->post_lock);
	while (room < len && n < max && n < nic->post_count) {
		chain[n] = *nic_posted(nic, n);
		room += chain[n].frag.len;
		n++;
	}
	if (room < len) {
		n = 0;
	} else {
		nic->post_first = (nic->post_first + n) % SPAR_NIC_MAX_POSTED;
		nic->post_count -= n;
	}
	mutex_unlock(&nic->post_lock);
	return n;
}

/* The guest's cookie for buffer @i of a NET_RCV being built. */
static void nic_rcv_cookie(struct spar_nic *nic, unsigned int i, u64 cookie)
{
	struct spar_net_offload *ofl = (void *)((u8 *)&nic->rsp +
						SPAR_NET_OFFLOAD_OFFSET);

	if (i < SPAR_MAX_NET_RCV_CHAIN)
		nic->rsp.net.rcv.rcvbuf[i] = cpu_to_le64(cookie);
	else
		ofl->rcvbuf_ext[i - SPAR_MAX_NET_RCV_CHAIN] = cpu_to_le64(cookie);
}

/*
 * Describe @skb's checksum state and segmentation for a guest that took
 * the offloads.  What it did not take was done by the stack (see
 * spar_nic_features_check()), unless the guest re-negotiated since the
 * frame was queued: then fill in the checksum here, or drop a segmented
 * frame.
 */
static int nic_rcv_offload(struct spar_nic *nic, struct sk_buff *skb)
{
	struct spar_net_offload *ofl = (void *)((u8 *)&nic->rsp +
						SPAR_NET_OFFLOAD_OFFSET);
	struct virtio_net_hdr h;

	if (skb_is_gso(skb) && !(nic->feat & SPAR_NIC_F_LARGE_RX))
		return -EINVAL;
	if (!(nic->feat & SPAR_NIC_F_GUEST_CSUM))
		return skb->ip_summed == CHECKSUM_PARTIAL ?
		       skb_checksum_help(skb) : 0;
	if (virtio_net_hdr_from_skb(skb, &h, true, true, 0))
		return -EINVAL;
	spar_net_offload_from_vnet(ofl, &h);
	if (skb_is_gso(skb))
		atomic64_inc(&nic->gso_rcv);
	return 0;
}

static int nic_deliver(struct spar_nic *nic, struct sk_buff *skb)
{
	struct spar_nic_buf chain[SPAR_NET_MAX_RCV_CHAIN_LARGE];
	struct spar_net_pkt_rcv *rcv = &nic->rsp.net.rcv;
	bool large = nic->feat & SPAR_NIC_F_LARGE_RX;
	u32 off = 0, len = skb->len;
	unsigned int i, n;

	memset(&nic->rsp, 0, sizeof(nic->rsp));
	if (nic_rcv_offload(nic, skb)) {
		atomic64_inc(&nic->offload_errors);
		DEV_STATS_INC(nic->netdev, tx_dropped);
		return 0;
	}
	/* nic_rcv_offload() let a segmented frame through only with @large */
	if (len > (skb_is_gso(skb) ? SPAR_NET_MAX_GSO_FRAME :
		   nic_max_frame(nic)))
		goto drop;
	n = nic_chain(nic, len, large ? SPAR_NET_MAX_RCV_CHAIN_LARGE :
		      SPAR_MAX_NET_RCV_CHAIN, chain);
	if (!n)
		return -EAGAIN;

	for (i = 0; i < n; i++) {
		u32 chunk = min(len - off, chain[i].frag.len);

		if (skb_copy_bits(skb, off, nic->bounce, chunk)) {
			nic_unchain(nic, chain, n);
			goto drop;
		}
		/*
		 * The buffer was in guest memory when it was posted; if it is
		 * gone now, the user unmapped it since (dma_unmap raced with
		 * this frame), which is no protocol violation: drop the frame
		 * and that buffer, and keep the others posted.
		 */
		if (spar_copy_to_guest(nic->sdev, chain[i].frag.iova,
				       nic->bounce, chunk)) {
			memmove(&chain[i], &chain[i + 1],
				(n - i - 1) * sizeof(chain[0]));
			nic_unchain(nic, chain, n - 1);
			goto drop;
		}
		nic_rcv_cookie(nic, i, chain[i].cookie);
		off += chunk;
	}
	rcv->rcv_done_len = cpu_to_le32(len);
	rcv->numrcvbufs = n;
	rcv->rcvs_dropped_delta = cpu_to_le32(nic->drops);
	nic->drops = 0;
	DEV_STATS_INC(nic->netdev, tx_packets);
	DEV_STATS_ADD(nic->netdev, tx_bytes, len);
	return nic_send(nic, SPAR_NET_RCV, chain[0].cookie);

drop:
	DEV_STATS_INC(nic->netdev, tx_dropped);
	nic->drops++;
	return 0;
}

static int nic_report_link(struct spar_nic *nic)
{
	int up = netif_running(nic->netdev);

	if (!nic->rx_enabled || up == nic->link_reported)
		return 0;
	nic->link_reported = up;
	memset(&nic->rsp, 0, sizeof(nic->rsp));
	nic->rsp.net.enbdis.enable = cpu_to_le16(up);
	return nic_send(nic, SPAR_NET_CONNECT_STATUS, 0);
}

/*
 * Fault injection: transmit completions nobody asked for, as fast as the
 * response queue takes them, to test that the guest bounds its work.
 */
static int nic_flood(struct spar_nic *nic, int budget)
{
	int done = 0, ret;

	while (done < budget && atomic_read(&nic->flood) > 0) {
		if (spar_engine_room(nic->sdev, NIC_CHAN, NIC_RSP_Q) < 1) {
			nic->sdev->engine.room_wait = true;
			break;
		}
		ret = nic_xmit_done(nic, SPAR_NIC_FLOOD_COOKIE, 0);
		if (ret)
			return ret;
		atomic_dec(&nic->flood);
		done++;
	}
	return done;
}

/*
 * The guest has too few buffers posted for the frame at the head of the
 * queue.  Keep it there until the guest posts more (its post rings the
 * doorbell, or the worker polls): a stream is paced by the guest, as by a
 * NIC's ring, instead of losing frames.  A frame kept SPAR_NIC_RX_WAIT
 * is dropped, so that a guest that stopped posting does not hold the
 * queue for ever.  Returns true to keep waiting.
 */
static bool nic_rcv_wait(struct spar_nic *nic)
{
	if (!nic->wait_since) {
		nic->wait_since = jiffies | 1;
		atomic64_inc(&nic->rcv_waits);
		return true;
	}
	if (time_before(jiffies, nic->wait_since + SPAR_NIC_RX_WAIT))
		return true;
	atomic64_inc(&nic->no_buffer);
	DEV_STATS_INC(nic->netdev, tx_dropped);
	nic->drops++;
	return false;
}

static int spar_nic_poll(struct spar_dev *sdev, int budget)
{
	struct spar_nic *nic = to_nic(sdev);
	struct sk_buff *skb;
	int done = 0, ret;

	if (unlikely(atomic_read(&nic->flood))) {
		done = nic_flood(nic, budget);
		if (done < 0)
			return done;
	}

	if (test_bit(SPAR_NIC_LINK_CHANGED, &nic->flags)) {
		if (spar_engine_room(sdev, NIC_CHAN, NIC_RSP_Q) > 0) {
			clear_bit(SPAR_NIC_LINK_CHANGED, &nic->flags);
			ret = nic_report_link(nic);
			if (ret)
				return ret;
		} else {
			/* Ask for a doorbell once the guest makes room. */
			sdev->engine.room_wait = true;
		}
	}

	while (done < budget && (skb = skb_peek(&nic->txq))) {
		if (!nic->rx_enabled) {
			skb_queue_purge(&nic->txq);
			nic->wait_since = 0;
			break;
		}
		if (spar_engine_room(sdev, NIC_CHAN, NIC_RSP_Q) < 1) {
			/* Ask for a doorbell once the guest makes room. */
			sdev->engine.room_wait = true;
			break;
		}
		ret = nic_wanted(nic, skb) ? nic_deliver(nic, skb) : 0;
		if (ret == -EAGAIN) {
			if (nic_rcv_wait(nic))
				break;
			ret = 0;	/* dropped after waiting too long */
		}
		nic->wait_since = 0;
		skb = skb_dequeue(&nic->txq);
		consume_skb(skb);
		if (ret)
			return ret;
		done++;
	}
	if (netif_queue_stopped(nic->netdev) &&
	    skb_queue_len(&nic->txq) < SPAR_NIC_TXQ_LEN / 2)
		netif_wake_queue(nic->netdev);
	return done;
}

/* --- lifecycle ------------------------------------------------------ */

static int spar_nic_start(struct spar_dev *sdev)
{
	struct spar_nic *nic = to_nic(sdev);

	WRITE_ONCE(nic->rx_enabled, false);
	WRITE_ONCE(nic->feat, 0);
	nic->wait_since = 0;
	nic->promisc = false;
	nic->link_reported = -1;
	nic->drops = 0;
	return 0;
}

static void spar_nic_stop_backend(struct spar_dev *sdev)
{
	struct spar_nic *nic = to_nic(sdev);

	WRITE_ONCE(nic->rx_enabled, false);
	WRITE_ONCE(nic->feat, 0);
	netif_carrier_off(nic->netdev);
	nic_forget_posted(nic);
	skb_queue_purge(&nic->txq);
	/* every pass of the worker ends with a flush */
	if (WARN_ON_ONCE(nic->rx_list_len))
		nic_rx_flush(nic);
	if (netif_running(nic->netdev))
		netif_wake_queue(nic->netdev);
}

/*
 * The MTU the channel shows a guest that accepted @features: the whole
 * MTU with SPAR_NIC_F_BIG_MTU, else no more than s-Par's limit, so that a
 * driver that knows nothing of the feature never sees a value it cannot
 * carry.
 */
static u32 nic_chan_mtu(struct spar_nic *nic, u32 features)
{
	if (spar_nic_features_kept(features) & SPAR_NIC_F_BIG_MTU)
		return nic->mtu;
	return min_t(u32, nic->mtu, SPAR_NIC_LEGACY_MTU_MAX);
}

static void nic_write_mtu(struct spar_nic *nic, struct spar_chan *ch,
			  u32 features)
{
	struct spar_io_channel *io = spar_chan_mem(nic->sdev, ch);

	WRITE_ONCE(io->vnic.mtu, cpu_to_le32(nic_chan_mtu(nic, features)));
}

static void spar_nic_write_area(struct spar_dev *sdev, struct spar_chan *ch)
{
	struct spar_nic *nic = to_nic(sdev);
	struct spar_io_channel *io = spar_chan_mem(sdev, ch);
	u32 slots = ch->q[NIC_RSP_Q].geo.max_slots;

	memcpy(io->vnic.macaddr, nic->mac, ETH_ALEN);
	/* Every posted buffer may come back at once on the response queue. */
	io->vnic.num_rcv_bufs = cpu_to_le32(min(nic->num_rcv_bufs, slots - 1));
	nic_write_mtu(nic, ch, sdev->guest_features);
}

static int nic_flood_get(void *data, u64 *val)
{
	struct spar_nic *nic = data;

	*val = atomic_read(&nic->flood);
	return 0;
}

static int nic_flood_set(void *data, u64 val)
{
	struct spar_nic *nic = data;

	if (val > SPAR_NIC_FLOOD_MAX)
		return -EINVAL;
	atomic_set(&nic->flood, val);
	spar_engine_kick(nic->sdev);
	return 0;
}

DEFINE_DEBUGFS_ATTRIBUTE(nic_flood_fops, nic_flood_get, nic_flood_set,
			 "%llu\n");

/*
 * debugfs <module>/<uuid>/flood_xmit_done: write N to have the worker post
 * N transmit completions for a buffer the guest never sent; reads back how
 * many are still to come.
 */
static void nic_faults_create(struct spar_nic *nic)
{
	if (!spar_debugfs_faults)
		return;
	nic->faults = debugfs_create_dir(dev_name(spar_dev_device(nic->sdev)),
					 spar_debugfs_faults);
	debugfs_create_file_unsafe("flood_xmit_done", 0600, nic->faults, nic,
				   &nic_flood_fops);
}

static int spar_nic_create(struct spar_dev *sdev)
{
	char name[IFNAMSIZ];
	struct spar_nic *nic;
	int ret;

	nic = kzalloc(sizeof(*nic), GFP_KERNEL);
	if (!nic)
		return -ENOMEM;
	nic->sdev = sdev;
	nic->mtu = SPAR_NIC_DEFAULT_MTU;
	nic->num_rcv_bufs = SPAR_NIC_DEFAULT_RCV_BUFS;
	sdev->dev_features = SPAR_NIC_F_ALL;
	nic->link_reported = -1;
	eth_random_addr(nic->mac);
	mutex_init(&nic->post_lock);
	skb_queue_head_init(&nic->txq);
	INIT_LIST_HEAD(&nic->rx_list);
	nic->posted = kvcalloc(SPAR_NIC_MAX_POSTED, sizeof(*nic->posted),
			       GFP_KERNEL);
	nic->bounce = kmalloc(SPAR_NIC_PAGE, GFP_KERNEL);
	if (!nic->posted || !nic->bounce) {
		ret = -ENOMEM;
		goto err_free;
	}
	sdev->backend = nic;

	/*
	 * Default name: "spn" and the first 8 hex digits of the UUID.  If an
	 * interface has that name already (another instance whose UUID starts
	 * the same, or one named so by hand), the kernel numbers a free one.
	 */
	snprintf(name, sizeof(name), "spn%.8s", dev_name(spar_dev_device(sdev)));
	nic->netdev = spar_nic_netdev_new(nic, name);
	if (nic->netdev == ERR_PTR(-EEXIST)) {
		strscpy(name, SPAR_NIC_IFNAME_ENUM, sizeof(name));
		nic->netdev = spar_nic_netdev_new(nic, name);
	}
	if (IS_ERR(nic->netdev)) {
		ret = PTR_ERR(nic->netdev);
		nic->netdev = NULL;
		dev_err(spar_dev_device(sdev),
			"cannot create host interface %s: %d\n", name, ret);
		goto err_free;
	}
	nic_faults_create(nic);
	return 0;

err_free:
	sdev->backend = NULL;
	kfree(nic->bounce);
	kvfree(nic->posted);
	mutex_destroy(&nic->post_lock);
	kfree(nic);
	return ret;
}

static void spar_nic_destroy(struct spar_dev *sdev)
{
	struct spar_nic *nic = to_nic(sdev);

	if (!nic)
		return;
	/* Waits for readers and writers of the files to leave. */
	debugfs_remove(nic->faults);
	if (nic->netdev)
		spar_nic_netdev_free(nic->netdev);
	skb_queue_purge(&nic->txq);
	kfree(nic->bounce);
	kvfree(nic->posted);
	mutex_destroy(&nic->post_lock);
	kfree(nic);
	sdev->backend = NULL;
}

/*
 * The guest reads back the offloads the host will use.  The channel's MTU
 * follows SPAR_NIC_F_BIG_MTU at once, so that the guest can read it next.
 */
static u32 spar_nic_accept_features(struct spar_dev *sdev, u32 features)
{
	u32 kept = spar_nic_features_kept(features);

	lockdep_assert_held(&sdev->lock);
	if (sdev->nr_chans)
		nic_write_mtu(to_nic(sdev), &sdev->chan[NIC_CHAN], kept);
	return kept;
}

static const struct spar_backend_ops spar_nic_ops = {
	.create = spar_nic_create,
	.destroy = spar_nic_destroy,
	.start = spar_nic_start,
	.stop = spar_nic_stop_backend,
	.flush = spar_nic_flush,
	.handle = spar_nic_handle,
	.poll = spar_nic_poll,
	.unmap = spar_nic_unmap,
	.accept_features = spar_nic_accept_features,
	/* Every command is answered by at most one response. */
	.room = 1,
};

/* --- attributes ----------------------------------------------------- */

static struct spar_nic *dev_to_nic(struct device *dev, struct spar_dev **sdev)
{
	*sdev = dev_get_drvdata(dev);
	return to_nic(*sdev);
}

/* Re-write the channel so the guest sees the new value on its next open. */
static int nic_attr_commit(struct spar_dev *sdev)
{
	return spar_layout_init(sdev);
}

static ssize_t mac_show(struct device *dev, struct device_attribute *attr,
			char *buf)
{
	struct spar_dev *sdev;
	struct spar_nic *nic = dev_to_nic(dev, &sdev);
	ssize_t ret;

	mutex_lock(&sdev->lock);
	ret = sysfs_emit(buf, "%pM\n", nic->mac);
	mutex_unlock(&sdev->lock);
	return ret;
}

static ssize_t mac_store(struct device *dev, struct device_attribute *attr,
			 const char *buf, size_t count)
{
	struct spar_dev *sdev;
	struct spar_nic *nic = dev_to_nic(dev, &sdev);
	char text[18];
	u8 mac[ETH_ALEN];
	int ret;

	if (strscpy(text, buf, sizeof(text)) < 0 && buf[17] != '\n')
		goto bad;
	strim(text);
	if (!mac_pton(text, mac) || !is_valid_ether_addr(mac))
		goto bad;

	mutex_lock(&sdev->lock);
	ret = spar_attr_writable(dev, sdev, "mac");
	if (!ret) {
		ether_addr_copy(nic->mac, mac);
		ret = nic_attr_commit(sdev);
	}
	mutex_unlock(&sdev->lock);
	return ret ? ret : count;
bad:
	dev_err_ratelimited(dev, "mac: '%.*s' is not a unicast MAC address like 02:00:00:00:00:01\n",
			    (int)strcspn(buf, "\n"), buf);
	return -EINVAL;
}
static DEVICE_ATTR_RW(mac);

/*
 * Host and guest agree on the MTU: the host interface takes it first (a
 * team or bond the interface belongs to may refuse), and only then does
 * the channel the guest reads.  Called with sdev->lock held.
 */
static int nic_mtu_set(struct spar_nic *nic, u32 val)
{
	u32 old = nic->mtu;
	int ret;

	lockdep_assert_held(&nic->sdev->lock);
	rtnl_lock();
	ret = dev_set_mtu(nic->netdev, val);
	rtnl_unlock();
	if (ret) {
		dev_err_ratelimited(spar_dev_device(nic->sdev),
				    "mtu: the host interface %s refused %u (%d)\n",
				    nic->netdev->name, val, ret);
		return ret;
	}
	WRITE_ONCE(nic->mtu, val);
	ret = nic_attr_commit(nic->sdev);
	if (ret) {
		WRITE_ONCE(nic->mtu, old);
		rtnl_lock();
		dev_set_mtu(nic->netdev, old);
		rtnl_unlock();
	}
	return ret;
}

static ssize_t mtu_show(struct device *dev, struct device_attribute *attr,
			char *buf)
{
	struct spar_dev *sdev;

	return sysfs_emit(buf, "%u\n", READ_ONCE(dev_to_nic(dev, &sdev)->mtu));
}

static ssize_t mtu_store(struct device *dev, struct device_attribute *attr,
			 const char *buf, size_t count)
{
	struct spar_dev *sdev;
	struct spar_nic *nic = dev_to_nic(dev, &sdev);
	u32 val;
	int ret;

	if (spar_attr_u32(dev, "mtu", buf, SPAR_NIC_MIN_MTU, SPAR_NIC_MAX_MTU,
			  "", &val))
		return -EINVAL;
	mutex_lock(&sdev->lock);
	ret = spar_attr_writable(dev, sdev, "mtu");
	if (!ret)
		ret = nic_mtu_set(nic, val);
	mutex_unlock(&sdev->lock);
	return ret ? ret : count;
}
static DEVICE_ATTR_RW(mtu);

static ssize_t num_rcv_bufs_show(struct device *dev,
				 struct device_attribute *attr, char *buf)
{
	struct spar_dev *sdev;

	return sysfs_emit(buf, "%u\n",
			  READ_ONCE(dev_to_nic(dev, &sdev)->num_rcv_bufs));
}

static ssize_t num_rcv_bufs_store(struct device *dev,
				  struct device_attribute *attr,
				  const char *buf, size_t count)
{
	struct spar_dev *sdev;
	struct spar_nic *nic = dev_to_nic(dev, &sdev);
	u32 val, max;
	int ret;

	mutex_lock(&sdev->lock);
	max = sdev->chan[NIC_CHAN].q[NIC_RSP_Q].geo.max_slots - 1;
	ret = spar_attr_u32(dev, "num_rcv_bufs", buf, SPAR_NIC_MIN_RCV_BUFS,
			    max, " (raise ring_slots for more)", &val);
	if (ret)
		goto out;
	ret = spar_attr_writable(dev, sdev, "num_rcv_bufs");
	if (!ret) {
		WRITE_ONCE(nic->num_rcv_bufs, val);
		ret = nic_attr_commit(sdev);
	}
out:
	mutex_unlock(&sdev->lock);
	return ret ? ret : count;
}
static DEVICE_ATTR_RW(num_rcv_bufs);

static ssize_t ifname_show(struct device *dev, struct device_attribute *attr,
			   char *buf)
{
	struct spar_dev *sdev;
	struct spar_nic *nic = dev_to_nic(dev, &sdev);
	ssize_t ret;

	rtnl_lock();
	ret = sysfs_emit(buf, "%s\n", nic->netdev ? nic->netdev->name : "");
	rtnl_unlock();
	return ret;
}

static ssize_t ifname_store(struct device *dev, struct device_attribute *attr,
			    const char *buf, size_t count)
{
	struct spar_dev *sdev;
	struct spar_nic *nic = dev_to_nic(dev, &sdev);
	struct net_device *new, *old;
	char name[IFNAMSIZ];
	size_t len = strcspn(buf, "\n");
	int ret;

	if (len >= IFNAMSIZ || !len) {
		dev_err_ratelimited(dev, "ifname: give 1 to %d characters\n",
				    IFNAMSIZ - 1);
		return -EINVAL;
	}
	memcpy(name, buf, len);
	name[len] = 0;
	if (!dev_valid_name(name) || strchr(name, '%')) {
		dev_err_ratelimited(dev, "ifname: '%s' is not a valid interface name\n",
				    name);
		return -EINVAL;
	}

	mutex_lock(&sdev->lock);
	ret = spar_attr_writable(dev, sdev, "ifname");
	if (ret)
		goto out;
	if (netif_running(nic->netdev)) {
		dev_err_ratelimited(dev, "ifname: %s is up; bring it down first\n",
				    nic->netdev->name);
		ret = -EBUSY;
		goto out;
	}
	if (!strcmp(name, nic->netdev->name))
		goto out;
	/*
	 * A registered interface cannot be renamed from here: register one
	 * under the new name, and only then let the old one go.
	 */
	new = spar_nic_netdev_new(nic, name);
	if (IS_ERR(new)) {
		ret = PTR_ERR(new);
		dev_err_ratelimited(dev, "ifname: cannot create %s (%s)\n",
				    name, ret == -EEXIST ?
				    "an interface of that name exists" :
				    "error");
		goto out;
	}
	old = nic->netdev;
	nic->netdev = new;
	spar_nic_netdev_free(old);
out:
	mutex_unlock(&sdev->lock);
	return ret ? ret : count;
}
static DEVICE_ATTR_RW(ifname);

/* Names of the SPAR_NIC_F_* bits, for the offloads attribute. */
static const struct {
	const char *name;
	u32 bit;
} nic_offload_names[] = {
	{ "csum", SPAR_NIC_F_CSUM },
	{ "guest-csum", SPAR_NIC_F_GUEST_CSUM },
	{ "tso", SPAR_NIC_F_TSO },
	{ "large-rx", SPAR_NIC_F_LARGE_RX },
	{ "big-mtu", SPAR_NIC_F_BIG_MTU },
};

static ssize_t offloads_show(struct device *dev, struct device_attribute *attr,
			     char *buf)
{
	struct spar_dev *sdev = dev_get_drvdata(dev);
	u32 f = READ_ONCE(sdev->dev_features);
	unsigned int i;
	int len = 0;

	for (i = 0; i < ARRAY_SIZE(nic_offload_names); i++)
		if (f & nic_offload_names[i].bit)
			len += sysfs_emit_at(buf, len, "%s%s", len ? " " : "",
					     nic_offload_names[i].name);
	len += sysfs_emit_at(buf, len, "%s\n", len ? "" : "none");
	return len;
}

/*
 * A list of offload names separated by spaces or commas, "all" or "none":
 * what the host offers the guest.  A guest takes any subset.
 */
static ssize_t offloads_store(struct device *dev, struct device_attribute *attr,
			      const char *buf, size_t count)
{
	struct spar_dev *sdev = dev_get_drvdata(dev);
	char *text, *p, *word;
	unsigned int i;
	u32 f = 0;
	int ret;

	text = kstrndup(buf, count, GFP_KERNEL);
	if (!text)
		return -ENOMEM;
	p = strim(text);
	while ((word = strsep(&p, " ,\t\n"))) {
		if (!*word)
			continue;
		if (!strcmp(word, "all")) {
			f |= SPAR_NIC_F_ALL;
			continue;
		}
		if (!strcmp(word, "none"))
			continue;
		for (i = 0; i < ARRAY_SIZE(nic_offload_names); i++)
			if (!strcmp(word, nic_offload_names[i].name))
				break;
		if (i == ARRAY_SIZE(nic_offload_names)) {
			dev_err_ratelimited(dev, "offloads: unknown offload '%s'; give csum, guest-csum, tso, large-rx, big-mtu, all or none\n",
					    word);
			kfree(text);
			return -EINVAL;
		}
		f |= nic_offload_names[i].bit;
	}
	kfree(text);
	if ((f & SPAR_NIC_F_TSO) && !(f & SPAR_NIC_F_CSUM)) {
		dev_err_ratelimited(dev, "offloads: tso needs csum\n");
		return -EINVAL;
	}
	if ((f & SPAR_NIC_F_LARGE_RX) && !(f & SPAR_NIC_F_GUEST_CSUM)) {
		dev_err_ratelimited(dev, "offloads: large-rx needs guest-csum\n");
		return -EINVAL;
	}
	if ((f & SPAR_NIC_F_BIG_MTU) && !(f & SPAR_NIC_F_LARGE_RX)) {
		dev_err_ratelimited(dev, "offloads: big-mtu needs large-rx\n");
		return -EINVAL;
	}
	mutex_lock(&sdev->lock);
	ret = spar_attr_writable(dev, sdev, "offloads");
	if (!ret)
		WRITE_ONCE(sdev->dev_features, f);
	mutex_unlock(&sdev->lock);
	return ret ? ret : count;
}
static DEVICE_ATTR_RW(offloads);

static struct attribute *spar_nic_attrs[] = {
	&dev_attr_mac.attr,
	&dev_attr_offloads.attr,
	&dev_attr_mtu.attr,
	&dev_attr_num_rcv_bufs.attr,
	&dev_attr_ifname.attr,
	NULL,
};

static const struct attribute_group spar_nic_group = {
	.attrs = spar_nic_attrs,
};

/* --- counters, under stats/ ----------------------------------------- */

#define NIC_STAT(name, expr)						\
static ssize_t stat_##name##_show(struct device *dev,			\
				  struct device_attribute *attr,	\
				  char *buf)				\
{									\
	struct spar_dev *sdev;						\
	struct spar_nic *nic = dev_to_nic(dev, &sdev);			\
									\
	return sysfs_emit(buf, "%llu\n", (unsigned long long)(expr));	\
}									\
static struct device_attribute dev_attr_stat_##name =			\
	__ATTR(name, 0444, stat_##name##_show, NULL)

NIC_STAT(cmd_scsi, atomic64_read(&nic->cmds[SPAR_CMD_SCSI_TYPE]));
NIC_STAT(cmd_net, atomic64_read(&nic->cmds[SPAR_CMD_NET_TYPE]));
NIC_STAT(cmd_taskmgmt, atomic64_read(&nic->cmds[SPAR_CMD_SCSITASKMGMT_TYPE]));
NIC_STAT(cmd_other, atomic64_read(&nic->cmds[0]));
NIC_STAT(net_rcv_post, atomic64_read(&nic->net_cmds[SPAR_NET_RCV_POST]));
NIC_STAT(net_xmit, atomic64_read(&nic->net_cmds[SPAR_NET_XMIT]));
NIC_STAT(net_rcv_enbdis, atomic64_read(&nic->net_cmds[SPAR_NET_RCV_ENBDIS]));
NIC_STAT(net_rcv_promisc, atomic64_read(&nic->net_cmds[SPAR_NET_RCV_PROMISC]));
NIC_STAT(gso_xmit, atomic64_read(&nic->gso_xmit));
NIC_STAT(gso_rcv, atomic64_read(&nic->gso_rcv));
NIC_STAT(csum_xmit, atomic64_read(&nic->csum_xmit));
NIC_STAT(offload_errors, atomic64_read(&nic->offload_errors));
NIC_STAT(features, READ_ONCE(nic->feat));
NIC_STAT(rcv_no_buffer, atomic64_read(&nic->no_buffer));
NIC_STAT(rcv_waits, atomic64_read(&nic->rcv_waits));

static struct attribute *spar_nic_stats_attrs[] = {
	&dev_attr_stat_cmd_scsi.attr,
	&dev_attr_stat_cmd_net.attr,
	&dev_attr_stat_cmd_taskmgmt.attr,
	&dev_attr_stat_cmd_other.attr,
	&dev_attr_stat_net_rcv_post.attr,
	&dev_attr_stat_net_xmit.attr,
	&dev_attr_stat_net_rcv_enbdis.attr,
	&dev_attr_stat_net_rcv_promisc.attr,
	&dev_attr_stat_gso_xmit.attr,
	&dev_attr_stat_gso_rcv.attr,
	&dev_attr_stat_csum_xmit.attr,
	&dev_attr_stat_offload_errors.attr,
	&dev_attr_stat_features.attr,
	&dev_attr_stat_rcv_no_buffer.attr,
	&dev_attr_stat_rcv_waits.attr,
	NULL,
};

static const struct attribute_group spar_nic_stats = {
	.attrs = spar_nic_stats_attrs,
};

/* --- the type ------------------------------------------------------- */

static const struct spar_chan_plan spar_nic_chans[] = {
	[NIC_CHAN] = SPAR_IOCHAN_PLAN(SPAR_VNIC_CHANNEL_GUID,
				      SPAR_VNIC_CHANNEL_VERSIONID,
				      spar_nic_write_area),
};

const struct spar_type_desc spar_nic_type = {
	.sysfs_name = "nic",
	.name = "spar-nic",
	.description =
		"s-Par virtual NIC: one VNIC IO channel served by a host network interface",
	.pci_device = SPAR_PCI_DEVICE_ID_NIC,
	.pci_class = SPAR_PCI_CLASS_NIC,
	.transport_type = SPAR_TRANSPORT_TYPE_NIC,
	.default_limit = 16,
	.nr_chans = ARRAY_SIZE(spar_nic_chans),
	.chans = spar_nic_chans,
	.ops = &spar_nic_ops,
	.attrs = &spar_nic_group,
	.stats = &spar_nic_stats,
};
