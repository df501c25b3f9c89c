/* SPDX-License-Identifier: GPL-2.0 */
/*
 * spar-nic offloads, shared by the host back-end and visornic: which
 * negotiated features stand, and (in the kernel) the conversion between
 * the wire's struct spar_net_offload and the kernel's struct
 * virtio_net_hdr, whose values it carries.  Include after the kernel's
 * types (or the validator shim in userspace).
 */
#ifndef _SPAR_NET_OFFLOAD_H
#define _SPAR_NET_OFFLOAD_H

#include <spar/iochannel.h>
#include <spar/transport.h>

/**
 * spar_nic_features_kept() - the spar-nic device features in force
 * @features: SPAR_NIC_F_* a guest accepted
 *
 * Segmentation needs checksums filled in on the way: TSO stands only with
 * transmit checksums, large receive only with receive checksums.  A big
 * MTU needs large receive, which carries frames over more than five
 * buffers.
 *
 * Return: @features without those that lack the feature they build on.
 */
static inline u32 spar_nic_features_kept(u32 features)
{
	features &= SPAR_NIC_F_ALL;
	if (!(features & SPAR_NIC_F_CSUM))
		features &= ~SPAR_NIC_F_TSO;
	if (!(features & SPAR_NIC_F_GUEST_CSUM))
		features &= ~SPAR_NIC_F_LARGE_RX;
	if (!(features & SPAR_NIC_F_LARGE_RX))
		features &= ~SPAR_NIC_F_BIG_MTU;
	return features;
}

/**
 * spar_nic_max_frame() - the longest unsegmented frame either side sends
 * @features: SPAR_NIC_F_* in force
 * @mtu: the channel's MTU
 *
 * s-Par's limit, or with SPAR_NIC_F_BIG_MTU the MTU's frame if that is
 * longer: the feature never makes the limit tighter.
 *
 * Return: bytes, Ethernet header included.
 */
static inline u32 spar_nic_max_frame(u32 features, u32 mtu)
{
	u32 legacy = SPAR_ETH_MAX_MTU + SPAR_ETH_HEADER_SIZE;

	if (!(features & SPAR_NIC_F_BIG_MTU))
		return legacy;
	if (mtu > SPAR_NIC_BIG_MTU_MAX)
		mtu = SPAR_NIC_BIG_MTU_MAX;
	return mtu + SPAR_ETH_HEADER_SIZE > legacy ?
	       mtu + SPAR_ETH_HEADER_SIZE : legacy;
}

#ifdef __KERNEL__
#include <linux/virtio_net.h>

/* Write what @h says into the wire block @o (rcvbuf_ext untouched). */
static inline void spar_net_offload_from_vnet(struct spar_net_offload *o,
					      const struct virtio_net_hdr *h)
{
	o->flags = h->flags;
	o->gso_type = h->gso_type;
	o->hdr_len = cpu_to_le16(__virtio16_to_cpu(true, h->hdr_len));
	o->gso_size = cpu_to_le16(__virtio16_to_cpu(true, h->gso_size));
	o->csum_start = cpu_to_le16(__virtio16_to_cpu(true, h->csum_start));
	o->csum_offset = cpu_to_le16(__virtio16_to_cpu(true, h->csum_offset));
}

/* Read the wire block @o, a private copy, into @h. */
static inline void spar_net_offload_to_vnet(const struct spar_net_offload *o,
					    struct virtio_net_hdr *h)
{
	h->flags = o->flags;
	h->gso_type = o->gso_type;
	h->hdr_len = __cpu_to_virtio16(true, le16_to_cpu(o->hdr_len));
	h->gso_size = __cpu_to_virtio16(true, le16_to_cpu(o->gso_size));
	h->csum_start = __cpu_to_virtio16(true, le16_to_cpu(o->csum_start));
	h->csum_offset = __cpu_to_virtio16(true, le16_to_cpu(o->csum_offset));
}
#endif /* __KERNEL__ */

#endif /* _SPAR_NET_OFFLOAD_H */
