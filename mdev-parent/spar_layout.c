// SPDX-License-Identifier: GPL-2.0
/*
 * spar-mdev host module: what BAR0 holds.
 *
 * Page 0 is the transport page; the channels of the type follow, each
 * page-aligned, each a standard s-Par channel, as the type's channel plan
 * says.  The host decides the geometry here and keeps its own copy of it
 * in struct spar_chan; what it writes into BAR0 is only for the guest to
 * read.  The type-specific area of each channel is the back-end's to
 * write.
 */
#include <linux/log2.h>
#include <linux/string.h>

#include <spar/channel.h>

#include "spar_mdev.h"

/*
 * Size and queue geometry of channel @p of the instance, with each queue's
 * slot size checked against the plan: the engine's buffer was sized by it.
 */
static int spar_plan_geometry(struct spar_dev *sdev,
			      const struct spar_chan_plan *p, u64 *size,
			      struct spar_sq_geometry geo[SPAR_TRANSPORT_MAX_QUEUES])
{
	unsigned int q;
	int ret;

	memset(geo, 0, SPAR_TRANSPORT_MAX_QUEUES * sizeof(*geo));
	ret = p->geometry(sdev->ring_slots, size, geo);
	if (ret)
		return ret;
	if (!*size || !IS_ALIGNED(*size, SPAR_TRANSPORT_PAGE_SIZE))
		return -EINVAL;
	for (q = 0; q < p->nr_queues; q++)
		if (geo[q].signal_size != p->queues[q].signal_size)
			return -EINVAL;
	return 0;
}

/**
 * spar_layout_size() - BAR0 size the instance needs with its attributes
 * @sdev: the instance
 * @bar0_size: the size, a power of two
 *
 * Context: process context; with @sdev->lock held.
 * Return: 0, or -EINVAL if the channels would not fit SPAR_BAR0_MAX_SIZE.
 */
int spar_layout_size(struct spar_dev *sdev, u64 *bar0_size)
{
	const struct spar_type_desc *d = sdev->type->desc;
	struct spar_sq_geometry geo[SPAR_TRANSPORT_MAX_QUEUES];
	u64 size, total = SPAR_TRANSPORT_PAGE_SIZE;
	unsigned int i;
	int ret;

	for (i = 0; i < d->nr_chans; i++) {
		ret = spar_plan_geometry(sdev, &d->chans[i], &size, geo);
		if (ret)
			return ret;
		if (size > SPAR_BAR0_MAX_SIZE)
			return -EINVAL;
		total += size;
	}
	if (total > SPAR_BAR0_MAX_SIZE)
		return -EINVAL;
	*bar0_size = roundup_pow_of_two(total);
	return 0;
}

static u64 spar_partition_handle(struct spar_dev *sdev)
{
	u64 handle;

	/* Stable for the instance: the first half of its UUID. */
	memcpy(&handle, &sdev->mdev->uuid, sizeof(handle));
	return handle;
}

static void spar_write_header(struct spar_dev *sdev, struct spar_chan *ch,
			      const struct spar_chan_plan *p)
{
	struct spar_channel_header *h = spar_chan_mem(sdev, ch);

	h->signature = cpu_to_le64(SPAR_CHANNEL_SIGNATURE);
	h->header_size = cpu_to_le32(SPAR_CHANNEL_HEADER_SIZE);
	h->size = cpu_to_le64(ch->size);
	h->chtype = p->guid;
	h->partition_handle = cpu_to_le64(spar_partition_handle(sdev));
	h->ch_space_offset = cpu_to_le64(p->space_offset);
	h->version_id = cpu_to_le32(p->version);
	h->srv_state = cpu_to_le32(SPAR_CHANNELSRV_UNINITIALIZED);
}

static int spar_init_queues(struct spar_dev *sdev, struct spar_chan *ch,
			    const struct spar_chan_plan *p,
			    const struct spar_sq_geometry *geo)
{
	unsigned int q;
	int ret;

	for (q = 0; q < p->nr_queues; q++) {
		ret = spar_sq_server_init(&ch->q[q], spar_chan_mem(sdev, ch),
					  ch->size, &geo[q],
					  p->queues[q].role);
		if (ret)
			return ret;
	}
	ch->nr_queues = p->nr_queues;
	return 0;
}

static void spar_write_dir(struct spar_dev *sdev, unsigned int i,
			   const struct spar_chan_plan *p)
{
	struct spar_transport_dir_entry *e = &sdev->tp->dir[i];
	struct spar_chan *ch = &sdev->chan[i];

	e->type_guid = p->guid;
	e->offset = cpu_to_le64(ch->offset);
	e->size = cpu_to_le64(ch->size);
	e->partition_handle = cpu_to_le64(spar_partition_handle(sdev));
	e->num_queues = cpu_to_le16(ch->nr_queues);
	e->flags = cpu_to_le16(SPAR_TRANSPORT_DIR_F_PRESENT);
}

/*
 * Notification words after a (re)initialisation: the guest asks for every
 * interrupt; the host wants doorbells for the command queues it consumes
 * (its worker sleeps until told) and polls everything else.
 */
static void spar_init_notify(struct spar_dev *sdev)
{
	struct spar_transport_page *tp = sdev->tp;
	unsigned int c, q, i;

	memset(tp->host_polling, 0, sizeof(tp->host_polling));
	memset(tp->guest_polling, 0, sizeof(tp->guest_polling));
	for (c = 0; c < sdev->nr_chans; c++) {
		for (q = 0; q < sdev->chan[c].nr_queues; q++) {
			i = SPAR_TRANSPORT_NOTIFY_INDEX(c, q);
			if (sdev->chan[c].q[q].role != SPAR_SQ_SERVER_CONSUMES)
				tp->host_polling[i] =
					cpu_to_le32(SPAR_TRANSPORT_POLLING);
		}
	}
}

static void spar_set_generation(struct spar_dev *sdev)
{
	WRITE_ONCE(sdev->generation, sdev->generation + 1);
	sdev->tp->hdr.generation = cpu_to_le32(sdev->generation);
}

/**
 * spar_layout_reinit_queues() - empty every queue, keep the channels
 * @sdev: the instance, quiesced
 *
 * Used to resume after a pause: queue headers (indexes and counters) and
 * notification words start afresh; channel headers and type-specific areas
 * keep their values.
 *
 * Context: process context; with @sdev->lock held.
 * Return: 0, or a negative errno if a queue could not be set up again.
 */
int spar_layout_reinit_queues(struct spar_dev *sdev)
{
	unsigned int c, q;
	int ret;

	lockdep_assert_held(&sdev->lock);
	for (c = 0; c < sdev->nr_chans; c++) {
		struct spar_chan *ch = &sdev->chan[c];

		for (q = 0; q < ch->nr_queues; q++) {
			struct spar_sq_server *sq = &ch->q[q];
			struct spar_sq_geometry geo = sq->geo;

			ret = spar_sq_server_init(sq, spar_chan_mem(sdev, ch),
						  ch->size, &geo, sq->role);
			if (ret)
				return ret;
		}
	}
	spar_init_notify(sdev);
	spar_set_generation(sdev);
	return 0;
}

/**
 * spar_layout_init() - (re)write BAR0 from scratch
 * @sdev: the instance, quiesced: no worker runs and no back-end holds
 *	guest state
 *
 * Everything the guest wrote is forgotten.  The generation moves on so that
 * a guest can tell the channels were re-initialised.
 *
 * Context: process context; with @sdev->lock held.
 * Return: 0, or a negative errno if the geometry does not fit.
 */
int spar_layout_init(struct spar_dev *sdev)
{
	const struct spar_type_desc *d = sdev->type->desc;
	struct spar_sq_geometry geo[SPAR_TRANSPORT_MAX_QUEUES];
	struct spar_transport_header *hdr = &sdev->tp->hdr;
	u64 size, off = SPAR_TRANSPORT_PAGE_SIZE;
	unsigned int i, n = d->nr_chans;
	int ret;

	lockdep_assert_held(&sdev->lock);
	memset(sdev->bar0, 0, sdev->bar0_size);
	memset(sdev->chan, 0, sizeof(sdev->chan));
	/* No channel until every one is laid out: readers check this. */
	sdev->nr_chans = 0;

	for (i = 0; i < n; i++) {
		const struct spar_chan_plan *p = &d->chans[i];
		struct spar_chan *ch = &sdev->chan[i];

		ret = spar_plan_geometry(sdev, p, &size, geo);
		if (ret)
			return ret;
		if (size > sdev->bar0_size - off)
			return -EINVAL;
		ch->offset = off;
		ch->size = size;
		ch->type_guid = p->guid;
		off += size;

		spar_write_header(sdev, ch, p);
		ret = spar_init_queues(sdev, ch, p, geo);
		if (ret)
			return ret;
		if (p->write_area)
			p->write_area(sdev, ch);
		spar_write_dir(sdev, i, p);
	}
	sdev->nr_chans = n;

	hdr->magic = cpu_to_le32(SPAR_TRANSPORT_MAGIC);
	hdr->version = cpu_to_le32(SPAR_TRANSPORT_VERSION);
	hdr->device_type = cpu_to_le32(d->transport_type);
	hdr->num_channels = cpu_to_le32(n);
	hdr->bar0_size = cpu_to_le64(sdev->bar0_size);
	hdr->page_size = cpu_to_le32(SPAR_TRANSPORT_PAGE_SIZE);
	spar_init_notify(sdev);
	spar_set_generation(sdev);

	/* Channels are complete: only now may a guest believe them. */
	for (i = 0; i < n; i++) {
		struct spar_channel_header *h =
			spar_chan_mem(sdev, &sdev->chan[i]);

		h->srv_state = cpu_to_le32(SPAR_CHANNELSRV_READY);
	}
	return 0;
}
