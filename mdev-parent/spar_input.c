// SPDX-License-Identifier: GPL-2.0
/*
 * spar-mdev host module: the spar-input type.
 *
 * Two channels per instance, a keyboard and a mouse, each one queue of
 * input reports towards the guest.  The type has no back-end yet: its
 * queues are laid out and served by nothing.
 */
#include <spar/input.h>

#include "spar_mdev.h"

static int spar_input_geometry(u32 ring_slots, u64 *size,
			       struct spar_sq_geometry *geo)
{
	/* Fixed: the channel's size does not follow ring_slots. */
	*size = SPAR_INPUT_CHANNEL_SIZE;
	return spar_sq_input_geometry(*size, &geo[SPAR_INPUT_QUEUE]);
}

static struct spar_input_channel_data *
spar_input_data(struct spar_dev *sdev, struct spar_chan *ch)
{
	struct spar_input_channel *in = spar_chan_mem(sdev, ch);

	return &in->data;
}

static void spar_kbd_write_area(struct spar_dev *sdev, struct spar_chan *ch)
{
	struct spar_input_channel_data *d = spar_input_data(sdev, ch);

	d->n_input_reports = cpu_to_le32(SPAR_INPUT_MAXINPUTREPORTS);
}

static void spar_mouse_write_area(struct spar_dev *sdev, struct spar_chan *ch)
{
	struct spar_input_channel_data *d = spar_input_data(sdev, ch);

	d->n_input_reports = cpu_to_le32(SPAR_INPUT_MAXINPUTREPORTS);
	d->mouse.x_res = cpu_to_le16(SPAR_MOUSE_DEFAULT_X_RES);
	d->mouse.y_res = cpu_to_le16(SPAR_MOUSE_DEFAULT_Y_RES);
}

#define SPAR_INPUT_PLAN(guid_init, version_id, write_fn)		\
{									\
	.guid = guid_init,						\
	.version = version_id,						\
	.space_offset = SPAR_INPUT_QUEUE_OFFSET,			\
	.geometry = spar_input_geometry,				\
	.nr_queues = SPAR_INPUT_NUM_QUEUES,				\
	.queues = {							\
		[SPAR_INPUT_QUEUE] = {					\
			.role = SPAR_SQ_SERVER_PRODUCES,		\
			.signal_size = SPAR_INPUT_REPORT_SIZE,		\
		},							\
	},								\
	.write_area = write_fn,						\
}

static const struct spar_chan_plan spar_input_chans[] = {
	SPAR_INPUT_PLAN(SPAR_KEYBOARD_CHANNEL_GUID,
			SPAR_KEYBOARD_CHANNEL_VERSIONID, spar_kbd_write_area),
	SPAR_INPUT_PLAN(SPAR_MOUSE_CHANNEL_GUID,
			SPAR_MOUSE_CHANNEL_VERSIONID, spar_mouse_write_area),
};

const struct spar_type_desc spar_input_type = {
	.sysfs_name = "input",
	.name = "spar-input",
	.description =
		"s-Par virtual keyboard and mouse: two input channels fed by host sources",
	.pci_device = SPAR_PCI_DEVICE_ID_INPUT,
	.pci_class = SPAR_PCI_CLASS_INPUT,
	.transport_type = SPAR_TRANSPORT_TYPE_INPUT,
	.default_limit = 4,
	.nr_chans = ARRAY_SIZE(spar_input_chans),
	.chans = spar_input_chans,
};
