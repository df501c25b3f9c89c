/* SPDX-License-Identifier: GPL-2.0 */
/*
 * s-Par signal queues: one implementation of the ring for both sides of a
 * channel, built into the host module, the guest modules and userspace.
 *
 * A queue is a 128-byte header (struct spar_signal_queue_header) and an
 * array of max_slots fixed-size slots.  The producer owns head, num_sent
 * and num_overflows; the consumer owns tail and num_received.  head names
 * the most recently filled slot and tail the most recently emptied one:
 * the ring is empty when head == tail and full when the slot after head is
 * tail, so it holds max_slots - 1 signals.
 *
 * Two roles use it:
 *
 * Server (host back-end): the geometry is the server's own, validated once
 * (struct spar_sq_geometry), and the server keeps private copies of its own
 * index and counters.  Each call reads exactly one word from shared memory,
 * the peer's index, checks it against the trusted max_slots, and never reads
 * the shared geometry again.
 *
 * Client (guest driver): the algorithm the s-Par guest drivers used.  The
 * queue header is read from shared memory on every call, each word once,
 * and every value is checked before it is used: the ring must have at
 * least two slots, both indices must be inside it and all of its slots
 * inside the channel.
 *
 * Return codes:
 *
 *   0          success
 *   -EAGAIN    remove: the queue is empty
 *   -ENOSPC    server insert: the queue is full (num_overflows counted)
 *   -EIO       client insert: the queue is full (num_overflows counted),
 *              the code the s-Par guest API gives for a full queue
 *   -EPROTO    the shared memory holds something impossible (an index not
 *              below max_slots; for a client also a bad max_slots,
 *              signal_size or slot area): the peer broke the protocol and
 *              the device should be reset.  A server queue stays broken,
 *              answering -EPROTO, until spar_sq_server_reset() or a
 *              successful spar_sq_server_resync().
 *   -EMSGSIZE  client: the queue's signal_size is larger than the caller's
 *              buffer
 *   -EINVAL    bad arguments or geometry: an operation the queue's role
 *              does not allow, a server copy longer than a slot, a client
 *              channel whose ch_space_offset is below 128 or not 8-byte
 *              aligned
 *
 * Locking: none inside.  Each queue has one producer and one consumer;
 * callers serialise all producer calls on a queue, and all consumer calls
 * (remove and empty) on a queue, with their own locks.
 */
#ifndef _SPAR_SIGNALQUEUE_H
#define _SPAR_SIGNALQUEUE_H

#include "sq_shim.h"
#include <spar/channel.h>

/* IO channels (vnic, vhba): legacy SignalQInit layout */
#define SPAR_SQ_IO_PROTOCOL_SIZE	1472	/* fixed part, rounded to 64 */
#define SPAR_SQ_IO_SIGNAL_SIZE		1216	/* uiscmdrsp, rounded to 64 */
#define SPAR_SQ_IO_MIN_SLOTS		64
#define SPAR_SQ_IO_MAX_SLOTS		4096
#define SPAR_SQ_IO_CMD_QUEUE_OFFSET	128	/* queue 0: guest to server */
#define SPAR_SQ_IO_RSP_QUEUE_OFFSET	256	/* queue 1: server to guest */

/* keyboard and mouse channels: one queue of 50 16-byte reports */
#define SPAR_SQ_INPUT_QUEUE_OFFSET	136
#define SPAR_SQ_INPUT_SLOT_OFFSET	264
#define SPAR_SQ_INPUT_SIGNAL_SIZE	16
#define SPAR_SQ_INPUT_SLOTS		50

/* upper bound on max_slots for any queue a server sets up */
#define SPAR_SQ_MAX_SLOTS		65536

/**
 * struct spar_sq_geometry - where a queue lives, as the server decided it
 * @queue_offset: byte offset of the queue header from the channel start;
 *	a multiple of 8, at or after the 128-byte channel header
 * @slot_offset: byte offset of slot 0 from the channel start; at or after
 *	the end of the queue header
 * @signal_size: bytes per slot, at least 1
 * @max_slots: ring modulus, 2..SPAR_SQ_MAX_SLOTS; the ring holds
 *	@max_slots - 1 signals
 */
struct spar_sq_geometry {
	u64 queue_offset;
	u64 slot_offset;
	u32 signal_size;
	u32 max_slots;
};

/**
 * enum spar_sq_role - which end of a queue the server is
 * @SPAR_SQ_SERVER_CONSUMES: the guest inserts, the server removes
 * @SPAR_SQ_SERVER_PRODUCES: the server inserts, the guest removes
 */
enum spar_sq_role {
	SPAR_SQ_SERVER_CONSUMES,
	SPAR_SQ_SERVER_PRODUCES,
};

/**
 * struct spar_sq_server - private server state of one queue
 * @geo: trusted geometry, validated by spar_sq_server_init()
 * @qh: queue header in the channel mapping
 * @slots: slot 0 in the channel mapping
 * @role: which end the server is
 * @index: the server's own index (head when producing, tail when
 *	consuming); always below @geo.max_slots
 * @count: signals moved by the server (num_sent or num_received)
 * @overflows: inserts refused because the ring was full
 * @broken: the peer wrote an impossible index; every call fails with
 *	-EPROTO until the queue is reset or re-synchronised
 *
 * Nothing here is ever read back from shared memory except by
 * spar_sq_server_resync().
 */
struct spar_sq_server {
	struct spar_sq_geometry geo;
	u8 *qh;
	u8 *slots;
	enum spar_sq_role role;
	u32 index;
	u64 count;
	u64 overflows;
	bool broken;
};

/**
 * struct spar_sq_client - client view of one mapped channel
 * @chan: start of the channel mapping (byte 0 of the channel header)
 * @chan_size: bytes mapped at @chan
 * @ch_space_offset: offset of queue 0's header, read once from the channel
 *	header by spar_sq_client_init()
 */
struct spar_sq_client {
	u8 *chan;
	u64 chan_size;
	u64 ch_space_offset;
};

int spar_sq_geometry_check(const struct spar_sq_geometry *geo, u64 chan_size);
int spar_sq_io_geometry(u64 chan_size, struct spar_sq_geometry *cmd_q,
			struct spar_sq_geometry *rsp_q);
int spar_sq_input_geometry(u64 chan_size, struct spar_sq_geometry *geo);

int spar_sq_server_init(struct spar_sq_server *sq, void *chan, u64 chan_size,
			const struct spar_sq_geometry *geo,
			enum spar_sq_role role);
void spar_sq_server_reset(struct spar_sq_server *sq);
int spar_sq_server_resync(struct spar_sq_server *sq);
int spar_sq_server_insert(struct spar_sq_server *sq, const void *msg,
			  size_t len);
int spar_sq_server_remove(struct spar_sq_server *sq, void *msg, size_t len);
int spar_sq_server_pending(struct spar_sq_server *sq);
bool spar_sq_server_empty(struct spar_sq_server *sq);

int spar_sq_client_init(struct spar_sq_client *cl, void *chan, u64 chan_size);
int spar_sq_client_insert(const struct spar_sq_client *cl, u32 queue,
			  const void *msg, size_t msg_size);
int spar_sq_client_remove(const struct spar_sq_client *cl, u32 queue,
			  void *msg, size_t msg_size);
bool spar_sq_client_empty(const struct spar_sq_client *cl, u32 queue);

#endif /* _SPAR_SIGNALQUEUE_H */
