// SPDX-License-Identifier: GPL-2.0
/*
 * visorbus channels: bounded access to one channel of a spar function and
 * its signal queues, with the guest side of the transport's notification
 * protocol.
 *
 * The queues themselves are the client role of the common signal queue
 * implementation.  The s-Par calls take no buffer size: a caller's buffer
 * is taken to hold the queue's signal_size bytes, as read from the queue
 * header when the channel was brought up (1216 on IO channels, 16 on
 * keyboard and mouse channels).  A host that later announces a larger
 * signal_size gets -EMSGSIZE rather than a copy past that size.
 */
#include <linux/io.h>
#include <linux/string.h>

#include "visorbus_private.h"

static_assert(sizeof(struct channel_header) == SPAR_CHANNEL_HEADER_SIZE);
static_assert(sizeof(struct signal_queue_header) ==
	      SPAR_SIGNAL_QUEUE_HEADER_SIZE);
static_assert(offsetof(struct channel_header, ch_space_offset) ==
	      offsetof(struct spar_channel_header, ch_space_offset));
static_assert(offsetof(struct channel_header, zone_guid) ==
	      offsetof(struct spar_channel_header, zone_guid));
static_assert(offsetof(struct channel_header, recover_channel) ==
	      offsetof(struct spar_channel_header, recover_channel));
static_assert(offsetof(struct signal_queue_header, head) ==
	      offsetof(struct spar_signal_queue_header, head));
static_assert(offsetof(struct signal_queue_header, tail) ==
	      offsetof(struct spar_signal_queue_header, tail));
static_assert(offsetof(struct signal_queue_header, errorflags) ==
	      offsetof(struct spar_signal_queue_header, errorflags));

#ifdef __BIG_ENDIAN
#error "s-Par channels are read in place: little-endian CPUs only"
#endif

/**
 * visorchannel_refresh() - re-read what the bus caches about a channel
 * @ch: the channel, stopped or not yet in use
 *
 * Copies the channel header and, per queue, the signal size.
 *
 * Context: process context, with no queue call running on @ch.
 * Return: 0, or -EPROTO if a queue header lies outside the channel or has
 * no usable signal size.
 */
int visorchannel_refresh(struct visorchannel *ch)
{
	unsigned int q;
	u64 off;
	int ret;

	memcpy(&ch->chan_hdr, ch->mem, sizeof(ch->chan_hdr));
	ret = spar_sq_client_init(&ch->sq, ch->mem, ch->nbytes);
	if (ret)
		return ret;
	for (q = 0; q < ch->nr_queues; q++) {
		off = ch->sq.ch_space_offset +
			(u64)q * SPAR_SIGNAL_QUEUE_HEADER_SIZE;
		if (ch->sq.ch_space_offset < SPAR_CHANNEL_HEADER_SIZE ||
		    off > ch->nbytes ||
		    ch->nbytes - off < SPAR_SIGNAL_QUEUE_HEADER_SIZE)
			return -EPROTO;
		ch->signal_size[q] = le32_to_cpu(READ_ONCE(*(__le32 *)(ch->mem + off +
			offsetof(struct spar_signal_queue_header, signal_size))));
		if (!ch->signal_size[q] || ch->signal_size[q] > ch->nbytes)
			return -EPROTO;
	}
	return 0;
}

/**
 * visorchannel_init() - set up the channel of one directory entry
 * @ch: the channel, zeroed
 * @vb: the function
 * @entry: index of a validated entry in @vb->dir
 *
 * Context: process context.
 * Return: 0 or a negative errno from visorchannel_refresh().
 */
int visorchannel_init(struct visorchannel *ch, struct visorbus_pci *vb,
		      unsigned int entry)
{
	const struct spar_transport_dir_entry *e = &vb->dir[entry];
	u64 off = le64_to_cpu(e->offset);

	ch->vb = vb;
	ch->entry = entry;
	ch->mem = (u8 *)vb->mem + off;
	ch->physaddr = vb->mem_phys + off;
	ch->nbytes = le64_to_cpu(e->size);
	ch->nr_queues = le16_to_cpu(e->num_queues);
	memcpy(&ch->guid, &e->type_guid, sizeof(ch->guid));
	spin_lock_init(&ch->insert_lock);
	spin_lock_init(&ch->remove_lock);
	return visorchannel_refresh(ch);
}

/**
 * visorchannel_stop() - forbid or allow queue calls on a channel
 * @ch: the channel
 * @stop: true to forbid: inserts fail with -EIO, removes with -EAGAIN
 *
 * Once this returns, no queue call that started before is still running.
 *
 * Context: process context.
 */
void visorchannel_stop(struct visorchannel *ch, bool stop)
{
	unsigned long flags;

	spin_lock_irqsave(&ch->insert_lock, flags);
	spin_lock(&ch->remove_lock);
	ch->stopped = stop;
	spin_unlock(&ch->remove_lock);
	spin_unlock_irqrestore(&ch->insert_lock, flags);
}

/**
 * visorchannel_read() - copy bytes out of a channel
 * @ch: the channel
 * @offset: byte offset in the channel
 * @dest: destination
 * @nbytes: bytes to copy
 *
 * Context: any context.
 * Return: 0, or -EIO if the range is not inside the channel.
 */
int visorchannel_read(struct visorchannel *ch, unsigned long offset,
		      void *dest, unsigned long nbytes)
{
	if (offset > ch->nbytes || nbytes > ch->nbytes - offset)
		return -EIO;
	memcpy(dest, ch->mem + offset, nbytes);
	return 0;
}

/**
 * visorchannel_write() - copy bytes into a channel
 * @ch: the channel
 * @offset: byte offset in the channel
 * @src: source
 * @nbytes: bytes to copy
 *
 * A write into the channel header also updates the bus's copy of it.
 *
 * Context: any context.
 * Return: 0, or -EIO if the range is not inside the channel.
 */
int visorchannel_write(struct visorchannel *ch, unsigned long offset,
		       void *src, unsigned long nbytes)
{
	if (offset > ch->nbytes || nbytes > ch->nbytes - offset)
		return -EIO;
	if (offset < sizeof(ch->chan_hdr)) {
		size_t n = min_t(size_t, nbytes, sizeof(ch->chan_hdr) - offset);

		memcpy((u8 *)&ch->chan_hdr + offset, src, n);
	}
	memcpy(ch->mem + offset, src, nbytes);
	return 0;
}

static u32 visorchannel_index(struct visorchannel *ch, u32 queue)
{
	return SPAR_TRANSPORT_NOTIFY_INDEX(ch->entry, queue);
}

/*
 * Guest to host: tell the host that an index moved (new entries, or room
 * made), unless it is polling that queue.
 */
static void visorchannel_notify(struct visorchannel *ch, u32 queue)
{
	struct visorbus_pci *vb = ch->vb;
	u32 idx = visorchannel_index(ch, queue);

	if (vb->features & SPAR_TRANSPORT_F_NOTIFY_SUPPRESS) {
		/*
		 * Orders the index store (head of an insert, tail of a remove)
		 * before the load of host_polling; pairs with the host's
		 * barrier between storing NOTIFY there and re-reading the
		 * queue indexes.
		 */
		virt_mb();
		if (READ_ONCE(vb->tp->host_polling[idx]))
			return;
	}
	/* iowrite32() orders the slot and index stores before it. */
	iowrite32(idx, vb->regs + SPAR_REG_DOORBELL);
}

/**
 * visorchannel_signalinsert() - insert one signal into a queue
 * @channel: the channel
 * @queue: queue index in the channel
 * @msg: the signal: the queue's signal_size bytes are copied from it
 *
 * Rings the doorbell when the host asked to be told.
 *
 * Context: any context; takes the channel's insert lock.
 * Return: 0; -EIO if the queue is full or the channel is stopped (paused
 * or being reset); -EINVAL for a queue the channel does not have; -EPROTO
 * or -EMSGSIZE if the queue header is not usable.
 */
int visorchannel_signalinsert(struct visorchannel *channel, u32 queue,
			      void *msg)
{
	int ret = visorchannel_signalinsert_quiet(channel, queue, msg);

	if (!ret)
		visorchannel_notify(channel, queue);
	return ret;
}
EXPORT_SYMBOL_GPL(visorchannel_signalinsert);

/**
 * visorchannel_signalinsert_quiet() - insert one signal, no doorbell yet
 * @channel: the channel
 * @queue: queue index in the channel
 * @msg: the signal, as for visorchannel_signalinsert()
 *
 * Not in the s-Par API.  For a batch: insert each signal with this, then
 * call visorchannel_signalkick() once, which rings the doorbell if the
 * host asked to be told.  Until then the host may not see the signals.
 *
 * Context: any context; takes the channel's insert lock.
 * Return: as visorchannel_signalinsert().
 */
int visorchannel_signalinsert_quiet(struct visorchannel *channel, u32 queue,
				    void *msg)
{
	unsigned long flags;
	int ret;

	if (!channel || queue >= channel->nr_queues)
		return -EINVAL;
	spin_lock_irqsave(&channel->insert_lock, flags);
	if (channel->stopped)
		ret = -EIO;
	else
		ret = spar_sq_client_insert(&channel->sq, queue, msg,
					    channel->signal_size[queue]);
	spin_unlock_irqrestore(&channel->insert_lock, flags);
	return ret;
}
EXPORT_SYMBOL_GPL(visorchannel_signalinsert_quiet);

/**
 * visorchannel_signalkick() - end a batch of quiet inserts
 * @channel: the channel
 * @queue: queue index in the channel
 *
 * Not in the s-Par API.  Rings the doorbell for @queue unless the host
 * polls it.
 *
 * Context: any context.
 */
void visorchannel_signalkick(struct visorchannel *channel, u32 queue)
{
	if (!channel || queue >= channel->nr_queues ||
	    READ_ONCE(channel->stopped))
		return;
	visorchannel_notify(channel, queue);
}
EXPORT_SYMBOL_GPL(visorchannel_signalkick);

/**
 * visorchannel_signalremove() - remove one signal from a queue
 * @channel: the channel
 * @queue: queue index in the channel
 * @msg: buffer for the queue's signal_size bytes
 *
 * Rings the doorbell when the host asked to be told: a host that found
 * the queue full waits for the room this removal makes.
 *
 * Context: any context; takes the channel's remove lock.
 * Return: 0; -EAGAIN if the queue is empty or the channel is stopped;
 * -EINVAL for a queue the channel does not have; -EPROTO or -EMSGSIZE if
 * the queue header is not usable.
 */
int visorchannel_signalremove(struct visorchannel *channel, u32 queue,
			      void *msg)
{
	unsigned long flags;
	int ret;

	if (!channel || queue >= channel->nr_queues)
		return -EINVAL;
	spin_lock_irqsave(&channel->remove_lock, flags);
	if (channel->stopped)
		ret = -EAGAIN;
	else
		ret = spar_sq_client_remove(&channel->sq, queue, msg,
					    channel->signal_size[queue]);
	spin_unlock_irqrestore(&channel->remove_lock, flags);
	if (!ret)
		visorchannel_notify(channel, queue);
	return ret;
}
EXPORT_SYMBOL_GPL(visorchannel_signalremove);

/**
 * visorchannel_signalempty() - whether a queue has nothing to remove
 * @channel: the channel
 * @queue: queue index in the channel
 *
 * Context: any context; takes the channel's remove lock.
 * Return: true if the queue is empty, the channel is stopped, or the queue
 * cannot be read; false if a signal is waiting.
 */
bool visorchannel_signalempty(struct visorchannel *channel, u32 queue)
{
	unsigned long flags;
	bool empty;

	if (!channel || queue >= channel->nr_queues)
		return true;
	spin_lock_irqsave(&channel->remove_lock, flags);
	empty = channel->stopped || spar_sq_client_empty(&channel->sq, queue);
	spin_unlock_irqrestore(&channel->remove_lock, flags);
	return empty;
}
EXPORT_SYMBOL_GPL(visorchannel_signalempty);

/**
 * visorchannel_set_polling() - say whether the guest polls a queue
 * @channel: the channel
 * @queue: queue index in the channel
 * @polling: true while the driver will look at the queue without being
 *	interrupted (e.g. while NAPI polls); false to be interrupted when
 *	the host publishes on it
 *
 * Not in the s-Par API.  Writes the queue's guest_polling word of the
 * transport page.  Turning polling off is the waiter's half of the
 * notification protocol: after the word is stored, a full barrier, then
 * the queue is looked at again, so that an entry published just before
 * cannot be missed.  A driver that gets true back must poll again (and
 * set polling again) instead of waiting for the interrupt.
 *
 * Context: any context.
 * Return: with @polling false, true if the queue is not empty; otherwise
 * false.
 */
bool visorchannel_set_polling(struct visorchannel *channel, u32 queue,
			      bool polling)
{
	struct visorbus_pci *vb;
	u32 idx;

	if (!channel || queue >= channel->nr_queues ||
	    READ_ONCE(channel->stopped))
		return false;
	vb = channel->vb;
	idx = visorchannel_index(channel, queue);
	WRITE_ONCE(vb->tp->guest_polling[idx],
		   cpu_to_le32(polling ? SPAR_TRANSPORT_POLLING :
			       SPAR_TRANSPORT_NOTIFY));
	if (polling)
		return false;
	/*
	 * Pairs with the host's barrier between its head store and its
	 * load of guest_polling.
	 */
	virt_mb();
	return !visorchannel_signalempty(channel, queue);
}
EXPORT_SYMBOL_GPL(visorchannel_set_polling);

/**
 * visorchannel_get_guid() - the channel's type
 * @channel: the channel
 *
 * Context: any context.
 * Return: the channel type GUID from the channel directory.
 */
const guid_t *visorchannel_get_guid(struct visorchannel *channel)
{
	return &channel->guid;
}
EXPORT_SYMBOL_GPL(visorchannel_get_guid);
