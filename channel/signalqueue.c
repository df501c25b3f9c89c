// SPDX-License-Identifier: GPL-2.0
/*
 * s-Par signal queues.  The model, the roles and the return codes are
 * described in signalqueue.h.
 *
 * Memory ordering.  Every insert and every remove, in either role, runs
 * one of these two sequences (the labels are used in the comments below):
 *
 *	producer			consumer
 *	tail = load(tail)		head = load(head)
 *	sq_mb()		[P1]		sq_rmb()	[C1]
 *	write slot(head + 1)		read slot(tail + 1)
 *	sq_wmb()	[P2]		sq_mb()		[C2]
 *	store(head)			store(tail)
 *
 * P2 pairs with C1: a consumer that sees the new head also sees the slot
 * body written before it.  C2 pairs with P1: a producer that sees the new
 * tail cannot overwrite the slot before the consumer has finished copying
 * it out.  head and tail are single 32-bit words, loaded and stored in one
 * access each; counters are informational and follow their index.
 *
 * Every value read from shared memory is loaded once into a local and
 * checked before it is used for anything.
 */

#include "signalqueue.h"

#define SQ_OFF(field)	offsetof(struct spar_signal_queue_header, field)
#define SQ_CH_OFF(field) offsetof(struct spar_channel_header, field)

/* true if [off, off + len) lies inside [0, size); cannot overflow */
static bool sq_fits(u64 off, u64 len, u64 size)
{
	return off <= size && len <= size - off;
}

/* the slot after @idx; @idx < @max_slots so idx + 1 cannot wrap */
static u32 sq_next(u32 idx, u32 max_slots)
{
	return idx + 1 < max_slots ? idx + 1 : 0;
}

/*
 * Fill the slot at @slot with @len bytes of @msg, zero the rest of its
 * @signal_size bytes, then publish it by storing @head.  The caller has
 * loaded the consumer's tail and found the slot free.
 */
static void sq_publish(u8 *qh, u8 *slot, u32 signal_size, u32 head,
		       const void *msg, size_t len)
{
	/*
	 * [P1] The consumer is done with this slot only because the tail we
	 * loaded has moved past it: keep our writes to the slot after that
	 * load.  Pairs with [C2] in sq_consume().
	 */
	sq_mb();
	if (len)
		sq_memcpy(slot, msg, len);
	if (len < signal_size)
		sq_memset(slot + len, 0, signal_size - len);
	/*
	 * [P2] Slot body before the head that announces it.  Pairs with [C1]
	 * in sq_consume().
	 */
	sq_wmb();
	sq_store_le32(qh + SQ_OFF(head), head);
}

/*
 * Copy @len bytes out of the slot at @slot, then hand the slot back by
 * storing @tail.  The caller has loaded the producer's head and found the
 * slot filled.
 */
static void sq_consume(u8 *qh, const u8 *slot, u32 tail, void *msg,
		       size_t len)
{
	/*
	 * [C1] The head we loaded announced this slot: read its body only
	 * after that load.  Pairs with [P2] in sq_publish().
	 */
	sq_rmb();
	if (len)
		sq_memcpy(msg, slot, len);
	/*
	 * [C2] Finish reading the slot before the tail store lets the
	 * producer reuse it.  Pairs with [P1] in sq_publish().
	 */
	sq_mb();
	sq_store_le32(qh + SQ_OFF(tail), tail);
}

/**
 * spar_sq_geometry_check() - validate a server's queue geometry
 * @geo: geometry to check
 * @chan_size: size of the channel in bytes
 *
 * The queue header must be 8-byte aligned, start after the channel header
 * and end inside the channel; the slot area must start after the queue
 * header and end inside the channel; there must be 2..SPAR_SQ_MAX_SLOTS
 * slots of at least one byte.  All arithmetic is overflow-safe.
 *
 * Context: Any context.
 * Return: 0 if the geometry is usable, -EINVAL if not.
 */
int spar_sq_geometry_check(const struct spar_sq_geometry *geo, u64 chan_size)
{
	u64 qend, bytes;

	if (geo->max_slots < 2 || geo->max_slots > SPAR_SQ_MAX_SLOTS ||
	    !geo->signal_size)
		return -EINVAL;
	if (geo->queue_offset < SPAR_CHANNEL_HEADER_SIZE ||
	    (geo->queue_offset & 7))
		return -EINVAL;
	if (!sq_fits(geo->queue_offset, SPAR_SIGNAL_QUEUE_HEADER_SIZE,
		     chan_size))
		return -EINVAL;
	qend = geo->queue_offset + SPAR_SIGNAL_QUEUE_HEADER_SIZE;
	bytes = (u64)geo->max_slots * geo->signal_size;
	if (geo->slot_offset < qend ||
	    !sq_fits(geo->slot_offset, bytes, chan_size))
		return -EINVAL;
	return 0;
}

/**
 * spar_sq_io_geometry() - geometry of the two queues of an IO channel
 * @chan_size: size of the vnic or vhba channel in bytes
 * @cmd_q: filled with queue 0 (guest to server) geometry
 * @rsp_q: filled with queue 1 (server to guest) geometry
 *
 * The s-Par IO channel layout: 1472 bytes of fixed part, then the slot
 * areas of both queues back to back, each ((chan_size - 1472) / 2) / 1216
 * slots of 1216 bytes.  A 159744-byte channel gets 65 slots per queue.
 *
 * Context: Any context.
 * Return: 0 on success, -EINVAL if the channel holds fewer than
 * SPAR_SQ_IO_MIN_SLOTS or more than SPAR_SQ_IO_MAX_SLOTS slots per queue.
 */
int spar_sq_io_geometry(u64 chan_size, struct spar_sq_geometry *cmd_q,
			struct spar_sq_geometry *rsp_q)
{
	u64 avail;
	u32 slots;
	int ret;

	if (chan_size < SPAR_SQ_IO_PROTOCOL_SIZE)
		return -EINVAL;
	avail = chan_size - SPAR_SQ_IO_PROTOCOL_SIZE;
	/* bound first so that the division below is a 32-bit one */
	if (avail >= 2ULL * SPAR_SQ_IO_SIGNAL_SIZE * (SPAR_SQ_IO_MAX_SLOTS + 1))
		return -EINVAL;
	slots = (u32)avail / 2 / SPAR_SQ_IO_SIGNAL_SIZE;
	if (slots < SPAR_SQ_IO_MIN_SLOTS)
		return -EINVAL;

	cmd_q->queue_offset = SPAR_SQ_IO_CMD_QUEUE_OFFSET;
	cmd_q->slot_offset = SPAR_SQ_IO_PROTOCOL_SIZE;
	cmd_q->signal_size = SPAR_SQ_IO_SIGNAL_SIZE;
	cmd_q->max_slots = slots;

	rsp_q->queue_offset = SPAR_SQ_IO_RSP_QUEUE_OFFSET;
	rsp_q->slot_offset = SPAR_SQ_IO_PROTOCOL_SIZE +
			     (u64)slots * SPAR_SQ_IO_SIGNAL_SIZE;
	rsp_q->signal_size = SPAR_SQ_IO_SIGNAL_SIZE;
	rsp_q->max_slots = slots;

	ret = spar_sq_geometry_check(cmd_q, chan_size);
	if (ret)
		return ret;
	return spar_sq_geometry_check(rsp_q, chan_size);
}

/**
 * spar_sq_input_geometry() - geometry of a keyboard or mouse queue
 * @chan_size: size of the input channel in bytes
 * @geo: filled with the geometry of the channel's one queue
 *
 * Queue header at 136, fifty 16-byte report slots at 264.
 *
 * Context: Any context.
 * Return: 0 on success, -EINVAL if the channel is too small.
 */
int spar_sq_input_geometry(u64 chan_size, struct spar_sq_geometry *geo)
{
	geo->queue_offset = SPAR_SQ_INPUT_QUEUE_OFFSET;
	geo->slot_offset = SPAR_SQ_INPUT_SLOT_OFFSET;
	geo->signal_size = SPAR_SQ_INPUT_SIGNAL_SIZE;
	geo->max_slots = SPAR_SQ_INPUT_SLOTS;
	return spar_sq_geometry_check(geo, chan_size);
}

/**
 * spar_sq_server_init() - set up a server queue and its shared header
 * @sq: private server state to fill
 * @chan: start of the channel in the server's mapping
 * @chan_size: size of the channel in bytes
 * @geo: the server's geometry for this queue; copied
 * @role: whether the server consumes or produces on this queue
 *
 * Validates @geo, then does what spar_sq_server_reset() does.
 *
 * Context: Any context.  The peer must not use the queue yet.
 * Return: 0 on success, -EINVAL for bad geometry or role.
 */
int spar_sq_server_init(struct spar_sq_server *sq, void *chan, u64 chan_size,
			const struct spar_sq_geometry *geo,
			enum spar_sq_role role)
{
	int ret;

	if (role != SPAR_SQ_SERVER_CONSUMES && role != SPAR_SQ_SERVER_PRODUCES)
		return -EINVAL;
	ret = spar_sq_geometry_check(geo, chan_size);
	if (ret)
		return ret;
	sq->geo = *geo;
	sq->qh = (u8 *)chan + geo->queue_offset;
	sq->slots = (u8 *)chan + geo->slot_offset;
	sq->role = role;
	spar_sq_server_reset(sq);
	return 0;
}

/**
 * spar_sq_server_reset() - empty a server queue and rewrite its header
 * @sq: initialised server queue
 *
 * Zeroes the private index and counters, clears the broken state, and
 * rewrites the 128-byte queue header in shared memory the s-Par way:
 * zero-filled, then size = max_slots * signal_size, sig_base_offset = slot
 * area relative to the queue header, signal_size, max_slots and
 * max_signals = max_slots - 1.  head and tail are 0.  Slot bodies are not
 * touched.
 *
 * Context: Any context.  The peer must not use the queue meanwhile; the
 * caller announces the queue (for example through srv_state) afterwards.
 */
void spar_sq_server_reset(struct spar_sq_server *sq)
{
	const struct spar_sq_geometry *geo = &sq->geo;
	u8 *qh = sq->qh;

	sq->index = 0;
	sq->count = 0;
	sq->overflows = 0;
	sq->broken = false;

	sq_memset(qh, 0, SPAR_SIGNAL_QUEUE_HEADER_SIZE);
	sq_store_le64(qh + SQ_OFF(size),
		      (u64)geo->max_slots * geo->signal_size);
	sq_store_le64(qh + SQ_OFF(sig_base_offset),
		      geo->slot_offset - geo->queue_offset);
	sq_store_le32(qh + SQ_OFF(signal_size), geo->signal_size);
	sq_store_le32(qh + SQ_OFF(max_slots), geo->max_slots);
	sq_store_le32(qh + SQ_OFF(max_signals), geo->max_slots - 1);
	/*
	 * The header is complete before whatever store the caller makes next
	 * to announce the channel; the peer reads that announcement first.
	 */
	sq_wmb();
}

/**
 * spar_sq_server_resync() - adopt the ring state found in shared memory
 * @sq: initialised server queue
 *
 * For a server that restarts on a live channel: loads the server's own
 * index and counters from the queue header, once each, and makes them the
 * private state, provided both indices are below max_slots.  Clears the
 * broken state on success.  The geometry is never re-read.
 *
 * Context: Any context.  Serialised with every other call on @sq.
 * Return: 0 on success, -EPROTO (and @sq is broken) if an index is out of
 * range.
 */
int spar_sq_server_resync(struct spar_sq_server *sq)
{
	bool produces = sq->role == SPAR_SQ_SERVER_PRODUCES;
	u32 own, peer;

	own = sq_load_le32(sq->qh + (produces ? SQ_OFF(head) : SQ_OFF(tail)));
	peer = sq_load_le32(sq->qh + (produces ? SQ_OFF(tail) : SQ_OFF(head)));
	if (own >= sq->geo.max_slots || peer >= sq->geo.max_slots) {
		sq->broken = true;
		return -EPROTO;
	}
	sq->index = own;
	if (produces) {
		sq->count = sq_load_le64(sq->qh + SQ_OFF(num_sent));
		sq->overflows = sq_load_le64(sq->qh + SQ_OFF(num_overflows));
	} else {
		sq->count = sq_load_le64(sq->qh + SQ_OFF(num_received));
		sq->overflows = 0;
	}
	sq->broken = false;
	return 0;
}

/* Load the peer's index, once, and check it against the trusted geometry. */
static int sq_server_peer(struct spar_sq_server *sq, u32 *peer)
{
	u32 v;

	if (sq->broken)
		return -EPROTO;
	v = sq_load_le32(sq->qh + (sq->role == SPAR_SQ_SERVER_PRODUCES ?
				   SQ_OFF(tail) : SQ_OFF(head)));
	if (v >= sq->geo.max_slots) {
		sq->broken = true;
		return -EPROTO;
	}
	*peer = v;
	return 0;
}

/**
 * spar_sq_server_insert() - server produces one signal
 * @sq: server queue in the SPAR_SQ_SERVER_PRODUCES role
 * @msg: signal to copy in
 * @len: bytes of @msg, at most the slot size; the rest of the slot is
 *	zero-filled
 *
 * Reads one word of shared memory, the guest's tail.  Writes the slot,
 * then head, then num_sent; or, when the ring is full, num_overflows only.
 *
 * Context: Any context.  Callers serialise producers of one queue.
 * Return: 0 on success, -ENOSPC if the ring is full, -EPROTO if the
 * guest's tail is out of range or the queue is broken, -EINVAL if @len is
 * larger than a slot or the server does not produce on this queue.
 */
int spar_sq_server_insert(struct spar_sq_server *sq, const void *msg,
			  size_t len)
{
	u32 head, tail;
	int ret;

	if (sq->role != SPAR_SQ_SERVER_PRODUCES || len > sq->geo.signal_size)
		return -EINVAL;
	ret = sq_server_peer(sq, &tail);
	if (ret)
		return ret;
	head = sq_next(sq->index, sq->geo.max_slots);
	if (head == tail) {
		sq->overflows++;
		sq_store_le64(sq->qh + SQ_OFF(num_overflows), sq->overflows);
		return -ENOSPC;
	}
	sq_publish(sq->qh, sq->slots + (size_t)head * sq->geo.signal_size,
		   sq->geo.signal_size, head, msg, len);
	sq->index = head;
	sq->count++;
	sq_store_le64(sq->qh + SQ_OFF(num_sent), sq->count);
	return 0;
}

/**
 * spar_sq_server_remove() - server consumes one signal
 * @sq: server queue in the SPAR_SQ_SERVER_CONSUMES role
 * @msg: buffer for the signal
 * @len: bytes to copy from the start of the slot, at most the slot size
 *
 * Reads one word of shared memory, the guest's head, then the slot body.
 * Writes tail, then num_received.  The copy in @msg is private to the
 * caller, which still has to validate its contents.
 *
 * Context: Any context.  Callers serialise consumers of one queue.
 * Return: 0 on success, -EAGAIN if the ring is empty, -EPROTO if the
 * guest's head is out of range or the queue is broken, -EINVAL if @len is
 * larger than a slot or the server does not consume on this queue.
 */
int spar_sq_server_remove(struct spar_sq_server *sq, void *msg, size_t len)
{
	u32 head, tail;
	int ret;

	if (sq->role != SPAR_SQ_SERVER_CONSUMES || len > sq->geo.signal_size)
		return -EINVAL;
	ret = sq_server_peer(sq, &head);
	if (ret)
		return ret;
	if (head == sq->index)
		return -EAGAIN;
	tail = sq_next(sq->index, sq->geo.max_slots);
	sq_consume(sq->qh, sq->slots + (size_t)tail * sq->geo.signal_size,
		   tail, msg, len);
	sq->index = tail;
	sq->count++;
	sq_store_le64(sq->qh + SQ_OFF(num_received), sq->count);
	return 0;
}

/**
 * spar_sq_server_pending() - number of signals in a server queue's ring
 * @sq: server queue in either role
 *
 * For a consuming server, the signals waiting to be removed; for a
 * producing server, the signals the guest has not removed yet.  Reads one
 * word of shared memory, the peer's index.  Implies no barrier: a caller
 * that re-checks after publishing "notify me" must order that store
 * before this call itself.
 *
 * Context: Any context.
 * Return: 0..max_slots - 1, or -EPROTO if the peer's index is out of range
 * or the queue is broken.
 */
int spar_sq_server_pending(struct spar_sq_server *sq)
{
	u32 peer, head, tail, max_slots = sq->geo.max_slots;
	int ret;

	ret = sq_server_peer(sq, &peer);
	if (ret)
		return ret;
	if (sq->role == SPAR_SQ_SERVER_PRODUCES) {
		head = sq->index;
		tail = peer;
	} else {
		head = peer;
		tail = sq->index;
	}
	return head >= tail ? head - tail : max_slots - tail + head;
}

/**
 * spar_sq_server_empty() - peek whether a server queue's ring is empty
 * @sq: server queue in either role
 *
 * Context: Any context.
 * Return: true if head == tail.  A broken queue reads as not empty, so a
 * caller that goes on to remove learns -EPROTO from that call.
 */
bool spar_sq_server_empty(struct spar_sq_server *sq)
{
	return spar_sq_server_pending(sq) == 0;
}

/**
 * spar_sq_client_init() - set up the client view of a mapped channel
 * @cl: client view to fill
 * @chan: start of the channel mapping, 8-byte aligned
 * @chan_size: bytes mapped at @chan
 *
 * Loads ch_space_offset from the channel header once; later calls use
 * this copy and check it themselves.
 *
 * Context: Any context.
 * Return: 0 on success, -EINVAL if @chan_size cannot hold a channel
 * header.
 */
int spar_sq_client_init(struct spar_sq_client *cl, void *chan, u64 chan_size)
{
	if (chan_size < SPAR_CHANNEL_HEADER_SIZE)
		return -EINVAL;
	cl->chan = chan;
	cl->chan_size = chan_size;
	cl->ch_space_offset = sq_load_le64(cl->chan +
					   SQ_CH_OFF(ch_space_offset));
	return 0;
}

/* A validated snapshot of one queue header, as a client sees it. */
struct sq_snap {
	u8 *qh;
	u8 *slots;
	u32 signal_size;
	u32 max_slots;
	u32 head;
	u32 tail;
};

/*
 * Load the header of @queue, each word once, and refuse what cannot be a
 * working ring or would reach outside the channel.
 */
static int sq_client_load(const struct spar_sq_client *cl, u32 queue,
			  size_t msg_size, struct sq_snap *s)
{
	u64 qoff, sbo, base;

	if (cl->ch_space_offset < SPAR_CHANNEL_HEADER_SIZE ||
	    (cl->ch_space_offset & 7))
		return -EINVAL;
	/* queue * 128 + 128 < 2^40: no overflow */
	if (!sq_fits(cl->ch_space_offset,
		     ((u64)queue + 1) * SPAR_SIGNAL_QUEUE_HEADER_SIZE,
		     cl->chan_size))
		return -EPROTO;
	qoff = cl->ch_space_offset + (u64)queue * SPAR_SIGNAL_QUEUE_HEADER_SIZE;
	s->qh = cl->chan + qoff;

	sbo = sq_load_le64(s->qh + SQ_OFF(sig_base_offset));
	s->signal_size = sq_load_le32(s->qh + SQ_OFF(signal_size));
	s->max_slots = sq_load_le32(s->qh + SQ_OFF(max_slots));
	s->head = sq_load_le32(s->qh + SQ_OFF(head));
	s->tail = sq_load_le32(s->qh + SQ_OFF(tail));

	if (s->max_slots < 2 || !s->signal_size ||
	    s->head >= s->max_slots || s->tail >= s->max_slots)
		return -EPROTO;
	/* the slot area starts after this header and ends in the channel */
	if (sbo < SPAR_SIGNAL_QUEUE_HEADER_SIZE ||
	    !sq_fits(qoff, sbo, cl->chan_size))
		return -EPROTO;
	base = qoff + sbo;
	if (!sq_fits(base, (u64)s->max_slots * s->signal_size, cl->chan_size))
		return -EPROTO;
	if (s->signal_size > msg_size)
		return -EMSGSIZE;
	s->slots = cl->chan + base;
	return 0;
}

/**
 * spar_sq_client_insert() - client produces one signal
 * @cl: client view of the channel
 * @queue: queue index within the channel
 * @msg: signal to copy in; signal_size bytes are copied
 * @msg_size: bytes available at @msg
 *
 * The s-Par guest insert: load the queue header, refuse impossible
 * geometry, advance head, and on a full ring count num_overflows instead.
 *
 * Context: Any context.  Callers serialise producers of one queue.
 * Return: 0 on success, -EIO if the ring is full, -EPROTO if the queue
 * header is impossible, -EMSGSIZE if signal_size > @msg_size, -EINVAL if
 * ch_space_offset is below 128 or misaligned.
 */
int spar_sq_client_insert(const struct spar_sq_client *cl, u32 queue,
			  const void *msg, size_t msg_size)
{
	struct sq_snap s;
	u32 head;
	int ret;

	ret = sq_client_load(cl, queue, msg_size, &s);
	if (ret)
		return ret;
	head = sq_next(s.head, s.max_slots);
	if (head == s.tail) {
		sq_store_le64(s.qh + SQ_OFF(num_overflows),
			      sq_load_le64(s.qh + SQ_OFF(num_overflows)) + 1);
		return -EIO;
	}
	sq_publish(s.qh, s.slots + (size_t)head * s.signal_size, s.signal_size,
		   head, msg, s.signal_size);
	sq_store_le64(s.qh + SQ_OFF(num_sent),
		      sq_load_le64(s.qh + SQ_OFF(num_sent)) + 1);
	return 0;
}

/**
 * spar_sq_client_remove() - client consumes one signal
 * @cl: client view of the channel
 * @queue: queue index within the channel
 * @msg: buffer for the signal; signal_size bytes are written
 * @msg_size: bytes available at @msg
 *
 * The s-Par guest remove: load the queue header, refuse impossible
 * geometry, and if the ring is not empty advance tail past the copied slot.
 *
 * Context: Any context.  Callers serialise consumers of one queue.
 * Return: 0 on success, -EAGAIN if the ring is empty, -EPROTO if the queue
 * header is impossible, -EMSGSIZE if signal_size > @msg_size, -EINVAL if
 * ch_space_offset is below 128 or misaligned.
 */
int spar_sq_client_remove(const struct spar_sq_client *cl, u32 queue,
			  void *msg, size_t msg_size)
{
	struct sq_snap s;
	u32 tail;
	int ret;

	ret = sq_client_load(cl, queue, msg_size, &s);
	if (ret)
		return ret;
	if (s.head == s.tail)
		return -EAGAIN;
	tail = sq_next(s.tail, s.max_slots);
	sq_consume(s.qh, s.slots + (size_t)tail * s.signal_size, tail, msg,
		   s.signal_size);
	sq_store_le64(s.qh + SQ_OFF(num_received),
		      sq_load_le64(s.qh + SQ_OFF(num_received)) + 1);
	return 0;
}

/**
 * spar_sq_client_empty() - peek whether a client queue's ring is empty
 * @cl: client view of the channel
 * @queue: queue index within the channel
 *
 * Context: Any context.  Callers serialise it with the queue's consumer.
 * Return: true if head == tail, and also true if the queue header cannot
 * be used (as the s-Par guest API does); false otherwise.
 */
bool spar_sq_client_empty(const struct spar_sq_client *cl, u32 queue)
{
	struct sq_snap s;

	if (sq_client_load(cl, queue, (size_t)-1, &s))
		return true;
	return s.head == s.tail;
}
