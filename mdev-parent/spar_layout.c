// SPDX-License-Identifier: GPL-2.0
/*
 * spar-mdev host module: what BAR0 holds.
 *
 * Page 0 is the transport page; the channels of the type follow, each
 * page-aligned, each a standard s-Par channel.  The host decides the
 * geometry here and keeps its own copy of it in struct spar_chan; what it
 * writes into BAR0 is only for the guest to read.
 */
#include <linux/log2.h>
#include <linux/string.h>
#include <linux/uuid.h>

#include <spar/channel.h>
#include <spar/input.h>
#include <spar/iochannel.h>

#include "spar_mdev.h"

/* VHBA limits the guest applies to its SCSI host. */
#define SPAR_HBA_MAX_CHANNEL	1
#define SPAR_HBA_MAX_ID		SPAR_MAX_SCSI_TARGETS
#define SPAR_HBA_MAX_LUN	SPAR_MAX_SCSI_LUNS
#define SPAR_HBA_CMD_PER_LUN	64
/* One page per scatter entry, SPAR_MAX_PHYS_INFO entries. */
#define SPAR_HBA_MAX_IO_SIZE	(SPAR_MAX_PHYS_INFO * SPAR_PI_PAGE_SIZE)

struct spar_chan_plan {
	struct spar_guid guid;
	u64 size;
	u32 version;
	bool input;
};

static const struct spar_guid spar_vnic_guid = SPAR_VNIC_CHANNEL_GUID;
static const struct spar_guid spar_vhba_guid = SPAR_VHBA_CHANNEL_GUID;
static const struct spar_guid spar_kbd_guid = SPAR_KEYBOARD_CHANNEL_GUID;
static const struct spar_guid spar_mouse_guid = SPAR_MOUSE_CHANNEL_GUID;

static unsigned int spar_plan(struct spar_dev *sdev,
			      struct spar_chan_plan plan[SPAR_TRANSPORT_MAX_CHANNELS])
{
	u64 io_size = SPAR_IO_CHANNEL_BYTES((u64)sdev->ring_slots);

	switch (sdev->type->id) {
	case SPAR_TYPE_NIC:
		plan[0] = (struct spar_chan_plan){ spar_vnic_guid, io_size,
			SPAR_VNIC_CHANNEL_VERSIONID, false };
		return 1;
	case SPAR_TYPE_HBA:
		plan[0] = (struct spar_chan_plan){ spar_vhba_guid, io_size,
			SPAR_VHBA_CHANNEL_VERSIONID, false };
		return 1;
	case SPAR_TYPE_INPUT:
		plan[0] = (struct spar_chan_plan){ spar_kbd_guid,
			SPAR_INPUT_CHANNEL_SIZE,
			SPAR_KEYBOARD_CHANNEL_VERSIONID, true };
		plan[1] = (struct spar_chan_plan){ spar_mouse_guid,
			SPAR_INPUT_CHANNEL_SIZE,
			SPAR_MOUSE_CHANNEL_VERSIONID, true };
		return 2;
	default:
		return 0;
	}
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
	struct spar_chan_plan plan[SPAR_TRANSPORT_MAX_CHANNELS];
	unsigned int i, n = spar_plan(sdev, plan);
	u64 total = SPAR_TRANSPORT_PAGE_SIZE;

	for (i = 0; i < n; i++)
		total += plan[i].size;
	if (!n || total > SPAR_BAR0_MAX_SIZE)
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
	struct spar_channel_header *h = (void *)(sdev->bar0 + ch->offset);
	u64 space = p->input ? SPAR_INPUT_QUEUE_OFFSET :
			       offsetof(struct spar_io_channel, cmd_q);

	h->signature = cpu_to_le64(SPAR_CHANNEL_SIGNATURE);
	h->header_size = cpu_to_le32(SPAR_CHANNEL_HEADER_SIZE);
	h->size = cpu_to_le64(ch->size);
	h->chtype = p->guid;
	h->partition_handle = cpu_to_le64(spar_partition_handle(sdev));
	h->ch_space_offset = cpu_to_le64(space);
	h->version_id = cpu_to_le32(p->version);
	h->srv_state = cpu_to_le32(SPAR_CHANNELSRV_UNINITIALIZED);
}

static int spar_init_queues(struct spar_dev *sdev, struct spar_chan *ch,
			    const struct spar_chan_plan *p)
{
	struct spar_sq_geometry geo[2];
	void *base = sdev->bar0 + ch->offset;
	int ret;

	if (p->input) {
		ret = spar_sq_input_geometry(ch->size, &geo[0]);
		if (ret)
			return ret;
		ch->nr_queues = SPAR_INPUT_NUM_QUEUES;
		return spar_sq_server_init(&ch->q[0], base, ch->size, &geo[0],
					   SPAR_SQ_SERVER_PRODUCES);
	}

	ret = spar_sq_io_geometry(ch->size, &geo[0], &geo[1]);
	if (ret)
		return ret;
	ch->nr_queues = SPAR_IO_CHANNEL_NUM_QUEUES;
	ret = spar_sq_server_init(&ch->q[SPAR_IOCHAN_TO_IOPART], base,
				  ch->size, &geo[0], SPAR_SQ_SERVER_CONSUMES);
	if (ret)
		return ret;
	return spar_sq_server_init(&ch->q[SPAR_IOCHAN_FROM_IOPART], base,
				   ch->size, &geo[1], SPAR_SQ_SERVER_PRODUCES);
}

static void spar_write_type_area(struct spar_dev *sdev, struct spar_chan *ch,
				 const struct spar_chan_plan *p)
{
	u8 *base = sdev->bar0 + ch->offset;

	if (sdev->type->id == SPAR_TYPE_HBA) {
		struct spar_io_channel *io = (void *)base;
		struct spar_vhba_config_max *max = &io->vhba.max;

		max->max_channel = cpu_to_le32(SPAR_HBA_MAX_CHANNEL);
		max->max_id = cpu_to_le32(SPAR_HBA_MAX_ID);
		max->max_lun = cpu_to_le32(SPAR_HBA_MAX_LUN);
		max->cmd_per_lun = cpu_to_le32(SPAR_HBA_CMD_PER_LUN);
		max->max_io_size = cpu_to_le32(SPAR_HBA_MAX_IO_SIZE);
	} else if (p->input) {
		struct spar_input_channel_data *d =
			(void *)(base + SPAR_INPUT_CHANNEL_DATA_OFFSET);

		d->n_input_reports = cpu_to_le32(SPAR_INPUT_MAXINPUTREPORTS);
		if (guid_equal((const guid_t *)&p->guid,
			       (const guid_t *)&spar_mouse_guid)) {
			d->mouse.x_res = cpu_to_le16(SPAR_MOUSE_DEFAULT_X_RES);
			d->mouse.y_res = cpu_to_le16(SPAR_MOUSE_DEFAULT_Y_RES);
		}
	}
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

			ret = spar_sq_server_init(sq, sdev->bar0 + ch->offset,
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
	struct spar_chan_plan plan[SPAR_TRANSPORT_MAX_CHANNELS];
	unsigned int i, n = spar_plan(sdev, plan);
	struct spar_transport_header *hdr = &sdev->tp->hdr;
	u64 off = SPAR_TRANSPORT_PAGE_SIZE;
	int ret;

	lockdep_assert_held(&sdev->lock);
	memset(sdev->bar0, 0, sdev->bar0_size);
	memset(sdev->chan, 0, sizeof(sdev->chan));

	for (i = 0; i < n; i++) {
		struct spar_chan *ch = &sdev->chan[i];

		if (plan[i].size > sdev->bar0_size - off)
			return -EINVAL;
		ch->offset = off;
		ch->size = plan[i].size;
		ch->type_guid = plan[i].guid;
		off += plan[i].size;

		spar_write_header(sdev, ch, &plan[i]);
		ret = spar_init_queues(sdev, ch, &plan[i]);
		if (ret)
			return ret;
		spar_write_type_area(sdev, ch, &plan[i]);
		spar_write_dir(sdev, i, &plan[i]);
	}
	sdev->nr_chans = n;

	if (sdev->type->ops && sdev->type->ops->layout) {
		ret = sdev->type->ops->layout(sdev);
		if (ret)
			return ret;
	}

	hdr->magic = cpu_to_le32(SPAR_TRANSPORT_MAGIC);
	hdr->version = cpu_to_le32(SPAR_TRANSPORT_VERSION);
	hdr->device_type = cpu_to_le32(sdev->type->transport_type);
	hdr->num_channels = cpu_to_le32(n);
	hdr->bar0_size = cpu_to_le64(sdev->bar0_size);
	hdr->page_size = cpu_to_le32(SPAR_TRANSPORT_PAGE_SIZE);
	spar_init_notify(sdev);
	spar_set_generation(sdev);

	/* Channels are complete: only now may a guest believe them. */
	for (i = 0; i < n; i++) {
		struct spar_channel_header *h =
			(void *)(sdev->bar0 + sdev->chan[i].offset);

		h->srv_state = cpu_to_le32(SPAR_CHANNELSRV_READY);
	}
	return 0;
}
