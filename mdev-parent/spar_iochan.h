/* SPDX-License-Identifier: GPL-2.0 */
/*
 * spar-mdev host module: the IO channel (vnic, vhba) as the host lays it
 * out, for the back-ends whose types bring one.
 *
 * The channel has a command queue the host consumes and a response queue
 * it produces on, both of ring_slots slots of one uiscmdrsp each, and
 * takes its size from ring_slots.
 */
#ifndef _SPAR_IOCHAN_H
#define _SPAR_IOCHAN_H

#include <spar/iochannel.h>

#include "spar_mdev.h"

static inline int spar_iochan_geometry(u32 ring_slots, u64 *size,
				       struct spar_sq_geometry *geo)
{
	*size = SPAR_IO_CHANNEL_BYTES((u64)ring_slots);
	return spar_sq_io_geometry(*size, &geo[SPAR_IOCHAN_TO_IOPART],
				   &geo[SPAR_IOCHAN_FROM_IOPART]);
}

/* The plan of an IO channel of type @guid, @version, and its area writer. */
#define SPAR_IOCHAN_PLAN(guid_init, version_id, write_fn)		\
{									\
	.guid = guid_init,						\
	.version = version_id,						\
	.space_offset = offsetof(struct spar_io_channel, cmd_q),	\
	.ring_sized = true,						\
	.geometry = spar_iochan_geometry,				\
	.nr_queues = SPAR_IO_CHANNEL_NUM_QUEUES,			\
	.queues = {							\
		[SPAR_IOCHAN_TO_IOPART] = {				\
			.role = SPAR_SQ_SERVER_CONSUMES,		\
			.signal_size = SPAR_SIZEOF_CMDRSP,		\
		},							\
		[SPAR_IOCHAN_FROM_IOPART] = {				\
			.role = SPAR_SQ_SERVER_PRODUCES,		\
			.signal_size = SPAR_SIZEOF_CMDRSP,		\
		},							\
	},								\
	.write_area = write_fn,						\
}

#endif /* _SPAR_IOCHAN_H */
