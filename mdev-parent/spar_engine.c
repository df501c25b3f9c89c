// SPDX-License-Identifier: GPL-2.0
/*
 * spar-mdev host module: the engine that serves an open instance.
 *
 * One kthread per open instance, in the cgroups of the process that opened
 * it, takes the guest's commands off the queues the host consumes and
 * hands each, undecoded, to the back-end, lets the back-end produce
 * towards the guest, and interrupts the guest once per pass when
 * it asked for it.  Work per pass is bounded so one guest cannot keep the
 * CPU; between passes the worker polls for a short, self-tuned window and
 * then sleeps until a doorbell or a back-end event.
 */
#include <linux/cgroup.h>
#include <linux/kthread.h>
#include <linux/sched/clock.h>
#include <linux/slab.h>

#include "spar_mdev.h"

/* Commands taken per pass before the worker lets others run. */
#define SPAR_ENGINE_WEIGHT		256
/* Items a back-end may produce per pass. */
#define SPAR_ENGINE_POLL_BUDGET		64
/* Bounds of the self-tuned polling window. */
#define SPAR_ENGINE_POLL_MIN_NS		(2 * NSEC_PER_USEC)
#define SPAR_ENGINE_POLL_MAX_NS		(200 * NSEC_PER_USEC)

static_assert(SPAR_TRANSPORT_MAX_NOTIFY <= BITS_PER_LONG);

/*
 * Queues are served only while the host is ready, a driver is up and the
 * guest lets the function reach its memory.
 */
static bool spar_engine_serving(struct spar_dev *sdev)
{
	return READ_ONCE(sdev->dma_enabled) &&
	       (atomic_read(&sdev->status) &
		(SPAR_STATUS_READY | SPAR_STATUS_PAUSED |
		 SPAR_STATUS_NEEDS_RESET | SPAR_STATUS_BROKEN)) ==
		SPAR_STATUS_READY &&
	       (READ_ONCE(sdev->guest_status) & SPAR_GUEST_STATUS_DRIVER_OK);
}

/*
 * Tell the guest whether it must ring the doorbell after publishing: on the
 * queues the host consumes, and with @producers also on those it produces
 * on (where the host waits for the guest to make room).
 */
static void spar_engine_set_polling(struct spar_dev *sdev, bool polling,
				    bool producers)
{
	u32 val = polling ? SPAR_TRANSPORT_POLLING : SPAR_TRANSPORT_NOTIFY;
	__le32 *words = sdev->tp->host_polling;
	unsigned int c, q;

	for (c = 0; c < sdev->nr_chans; c++) {
		struct spar_chan *ch = &sdev->chan[c];

		for (q = 0; q < ch->nr_queues; q++)
			if (producers ||
			    ch->q[q].role == SPAR_SQ_SERVER_CONSUMES)
				WRITE_ONCE(words[SPAR_TRANSPORT_NOTIFY_INDEX(c, q)],
					   cpu_to_le32(val));
	}
}

static int spar_engine_chan_room(struct spar_dev *sdev, unsigned int c);

/* Anything to take, with room to answer it? */
static bool spar_engine_has_work(struct spar_dev *sdev)
{
	unsigned int room = sdev->type->desc->ops->room;
	unsigned int c, q;

	for (c = 0; c < sdev->nr_chans; c++) {
		struct spar_chan *ch = &sdev->chan[c];

		for (q = 0; q < ch->nr_queues; q++)
			if (ch->q[q].role == SPAR_SQ_SERVER_CONSUMES &&
			    !spar_sq_server_empty(&ch->q[q]) &&
			    spar_engine_chan_room(sdev, c) >= (int)room)
				return true;
	}
	return false;
}

/* Fewest free slots over the queues the host produces on in @ch. */
static int spar_engine_chan_room(struct spar_dev *sdev, unsigned int c)
{
	struct spar_chan *ch = &sdev->chan[c];
	int room = INT_MAX;
	unsigned int q;

	for (q = 0; q < ch->nr_queues; q++) {
		if (ch->q[q].role == SPAR_SQ_SERVER_PRODUCES)
			room = min(room, spar_engine_room(sdev, c, q));
	}
	return room;
}

static int spar_engine_consume_queue(struct spar_dev *sdev, unsigned int c,
				     unsigned int q, int *budget)
{
	const struct spar_backend_ops *ops = sdev->type->desc->ops;
	struct spar_sq_server *sq = &sdev->chan[c].q[q];
	int done = 0, ret;

	/*
	 * The buffer was sized from the largest slot of any queue the host
	 * consumes, and the layout refused a geometry other than the plan's;
	 * a queue with a bigger slot is a bug in the core, not the guest.
	 */
	if (WARN_ON_ONCE(sq->geo.signal_size > sdev->engine.msg_size)) {
		spar_dev_set_status(sdev, SPAR_STATUS_BROKEN,
				    SPAR_STATUS_READY);
		return -EPROTO;
	}
	while (*budget > 0) {
		/* Leave the command queued until its answer has room. */
		if (spar_engine_chan_room(sdev, c) < (int)ops->room) {
			sdev->engine.room_wait = true;
			break;
		}
		ret = spar_sq_server_remove(sq, sdev->engine.msg,
					    sq->geo.signal_size);
		if (ret == -EAGAIN)
			break;
		if (ret) {
			spar_dev_protocol_error(sdev, "queue index out of range");
			return -EPROTO;
		}
		ret = ops->handle(sdev, c, q, sdev->engine.msg);
		if (ret == -EPROTO)
			return ret;
		(*budget)--;
		done++;
	}
	return done;
}

/* One bounded pass.  Returns the work done, or -EPROTO. */
static int spar_engine_pass_queues(struct spar_dev *sdev)
{
	const struct spar_backend_ops *ops = sdev->type->desc->ops;
	int budget = SPAR_ENGINE_WEIGHT, done = 0, ret;
	unsigned int c, q;

	atomic64_inc(&sdev->stats.poll_passes);
	sdev->engine.room_wait = false;
	for (c = 0; c < sdev->nr_chans; c++) {
		for (q = 0; q < sdev->chan[c].nr_queues; q++) {
			if (sdev->chan[c].q[q].role != SPAR_SQ_SERVER_CONSUMES)
				continue;
			ret = spar_engine_consume_queue(sdev, c, q, &budget);
			if (ret < 0)
				return ret;
			done += ret;
		}
	}
	if (ops->poll) {
		ret = ops->poll(sdev, SPAR_ENGINE_POLL_BUDGET);
		if (ret < 0)
			return ret;
		done += ret;
	}
	return done;
}

/* A pass, then the back-end's flush of what the pass gathered. */
static int spar_engine_pass(struct spar_dev *sdev)
{
	const struct spar_backend_ops *ops = sdev->type->desc->ops;
	int ret = spar_engine_pass_queues(sdev);

	if (ops->flush)
		ops->flush(sdev);
	return ret;
}

/*
 * Interrupt the guest once for everything this pass produced, unless it
 * said it is polling every queue that got a signal.
 */
static void spar_engine_flush_irq(struct spar_dev *sdev)
{
	struct spar_engine *eng = &sdev->engine;
	bool notify = false;
	unsigned int i;

	if (!eng->irq_pending)
		return;
	if (!(READ_ONCE(sdev->guest_features) &
	      SPAR_TRANSPORT_F_NOTIFY_SUPPRESS)) {
		/* The guest ignores the polling words: always tell it. */
		eng->irq_pending = 0;
		atomic64_inc(&sdev->stats.interrupts);
		spar_irq_raise(&sdev->irq, SPAR_INT_QUEUE);
		return;
	}
	/*
	 * The new head is stored before guest_polling is read.  Pairs with
	 * the guest's full barrier between storing NOTIFY into guest_polling
	 * and re-checking the queue: either it sees our head, or we see its
	 * NOTIFY.
	 */
	virt_mb();
	for_each_set_bit(i, &eng->irq_pending, SPAR_TRANSPORT_MAX_NOTIFY) {
		if (le32_to_cpu(READ_ONCE(sdev->tp->guest_polling[i])) ==
		    SPAR_TRANSPORT_NOTIFY) {
			notify = true;
			break;
		}
	}
	eng->irq_pending = 0;
	if (notify) {
		atomic64_inc(&sdev->stats.interrupts);
		spar_irq_raise(&sdev->irq, SPAR_INT_QUEUE);
	}
}

/* Room again on every queue the host produces on, after waiting for it? */
static bool spar_engine_has_room(struct spar_dev *sdev)
{
	unsigned int room = sdev->type->desc->ops->room;
	unsigned int c;

	for (c = 0; c < sdev->nr_chans; c++)
		if (spar_engine_chan_room(sdev, c) < (int)room)
			return false;
	return true;
}

static u64 spar_engine_window(struct spar_engine *eng)
{
	u32 busy = READ_ONCE(eng->busy_poll_us);

	return max_t(u64, (u64)busy * NSEC_PER_USEC, eng->adaptive_ns);
}

/* Sleep until kicked, after asking for doorbells and checking once more. */
static void spar_engine_sleep(struct spar_dev *sdev)
{
	struct spar_engine *eng = &sdev->engine;
	bool producers = eng->room_wait;

	spar_engine_set_polling(sdev, false, producers);
	/*
	 * NOTIFY is stored before the queues are re-checked.  Pairs with the
	 * guest's full barrier between storing its new head and reading
	 * host_polling: either we see its signal here, or it sees NOTIFY and
	 * rings the doorbell.
	 */
	virt_mb();
	set_current_state(TASK_INTERRUPTIBLE);
	if (!kthread_should_stop() && !atomic_read(&eng->kick) &&
	    !(spar_engine_serving(sdev) &&
	      (spar_engine_has_work(sdev) ||
	       (producers && spar_engine_has_room(sdev))))) {
		atomic64_inc(&sdev->stats.sleeps);
		schedule();
	}
	__set_current_state(TASK_RUNNING);
	spar_engine_set_polling(sdev, true, producers);
}

static int spar_engine_thread(void *data)
{
	struct spar_dev *sdev = data;
	struct spar_engine *eng = &sdev->engine;
	u64 idle_since = local_clock();
	bool found_in_window = false;
	int done;

	spar_engine_set_polling(sdev, true, false);
	while (!kthread_should_stop()) {
		atomic_set(&eng->kick, 0);
		done = 0;
		/* Bus mastering cannot go off during a pass: see dma_lock. */
		mutex_lock(&eng->dma_lock);
		if (spar_engine_serving(sdev)) {
			done = spar_engine_pass(sdev);
			spar_engine_flush_irq(sdev);
		}
		mutex_unlock(&eng->dma_lock);
		if (done > 0) {
			idle_since = local_clock();
			found_in_window = true;
			cond_resched();
			continue;
		}
		if (done == 0 && spar_engine_serving(sdev) &&
		    local_clock() - idle_since < spar_engine_window(eng)) {
			cpu_relax();
			cond_resched();
			continue;
		}
		/* Window over: widen it if polling paid off, else narrow it. */
		if (found_in_window)
			eng->adaptive_ns = min_t(u64, SPAR_ENGINE_POLL_MAX_NS,
						 max_t(u64, SPAR_ENGINE_POLL_MIN_NS,
						       eng->adaptive_ns * 2));
		else
			eng->adaptive_ns /= 2;
		found_in_window = false;
		spar_engine_sleep(sdev);
		idle_since = local_clock();
	}
	spar_engine_set_polling(sdev, false, false);
	return 0;
}

/**
 * spar_engine_kick() - make the worker run a pass soon
 * @sdev: the instance
 *
 * Used for doorbells and back-end events.
 *
 * Context: any context.
 */
void spar_engine_kick(struct spar_dev *sdev)
{
	struct spar_engine *eng = &sdev->engine;
	unsigned long flags;

	atomic_set(&eng->kick, 1);
	spin_lock_irqsave(&eng->lock, flags);
	if (eng->task)
		wake_up_process(eng->task);
	spin_unlock_irqrestore(&eng->lock, flags);
}

/**
 * spar_engine_start() - start serving an instance
 * @sdev: the instance, with a freshly initialised layout
 *
 * Types without a back-end have no worker: their queues stay unserved.
 *
 * Context: process context; with @sdev->lock held.
 * Return: 0 or a negative errno.
 */
int spar_engine_start(struct spar_dev *sdev)
{
	const struct spar_backend_ops *ops = sdev->type->desc->ops;
	struct spar_engine *eng = &sdev->engine;
	struct task_struct *task;
	int ret;

	lockdep_assert_held(&sdev->lock);
	if (!ops || eng->task)
		return 0;

	/* Every queue's slot size was checked against the plan it came from. */
	eng->msg = kzalloc(sdev->type->msg_size, GFP_KERNEL);
	if (!eng->msg)
		return -ENOMEM;
	eng->msg_size = sdev->type->msg_size;
	eng->irq_pending = 0;
	eng->adaptive_ns = 0;
	if (ops->start) {
		ret = ops->start(sdev);
		if (ret)
			goto err_free;
	}
	task = kthread_create(spar_engine_thread, sdev, "spar/%pUl",
			      &sdev->mdev->uuid);
	if (IS_ERR(task)) {
		ret = PTR_ERR(task);
		goto err_stop;
	}
	/*
	 * The work is done for the process that opened the device: charge
	 * it to that process's cgroups, so that the VM's limits cover it.
	 */
	if (sdev->owner) {
		ret = cgroup_attach_task_all(sdev->owner, task);
		if (ret) {
			dev_err_ratelimited(spar_dev_device(sdev),
					    "cannot move the worker into the cgroups of its opener (%d)\n",
					    ret);
			kthread_stop(task);
			goto err_stop;
		}
	}
	get_task_struct(task);
	spin_lock_irq(&eng->lock);
	eng->task = task;
	spin_unlock_irq(&eng->lock);
	wake_up_process(task);
	return 0;

err_stop:
	if (ops->stop)
		ops->stop(sdev);
err_free:
	kfree(eng->msg);
	eng->msg = NULL;
	eng->msg_size = 0;
	return ret;
}

/**
 * spar_engine_stop() - stop serving; the back-end forgets guest state
 * @sdev: the instance
 *
 * When this returns no worker runs and the back-end holds no reference to
 * guest memory.
 *
 * Context: process context; with @sdev->lock held; sleeps.
 */
void spar_engine_stop(struct spar_dev *sdev)
{
	const struct spar_backend_ops *ops = sdev->type->desc->ops;
	struct spar_engine *eng = &sdev->engine;
	struct task_struct *task;

	lockdep_assert_held(&sdev->lock);
	spin_lock_irq(&eng->lock);
	task = eng->task;
	eng->task = NULL;
	spin_unlock_irq(&eng->lock);
	if (!task)
		return;

	kthread_stop(task);
	put_task_struct(task);
	if (ops->stop)
		ops->stop(sdev);
	kfree(eng->msg);
	eng->msg = NULL;
	eng->msg_size = 0;
}

/**
 * spar_engine_send() - put a signal on a queue the host produces on
 * @sdev: the instance
 * @chan: channel index
 * @q: queue index in the channel
 * @msg: the signal
 * @len: its length, at most the queue's signal size
 *
 * The guest is interrupted at the end of the pass if it asked for it.
 *
 * Context: the engine's worker (from a back-end's handle or poll).
 * Return: 0; -ENOSPC if the queue is full; -EPROTO if the guest broke it
 * (the device is then marked as needing reset).
 */
int spar_engine_send(struct spar_dev *sdev, unsigned int chan, unsigned int q,
		     const void *msg, size_t len)
{
	int ret;

	if (WARN_ON_ONCE(chan >= sdev->nr_chans ||
			 q >= sdev->chan[chan].nr_queues))
		return -EINVAL;
	ret = spar_sq_server_insert(&sdev->chan[chan].q[q], msg, len);
	if (ret == -EPROTO)
		spar_dev_protocol_error(sdev, "queue index out of range");
	else if (!ret)
		__set_bit(SPAR_TRANSPORT_NOTIFY_INDEX(chan, q),
			  &sdev->engine.irq_pending);
	return ret;
}

/**
 * spar_engine_room() - free slots on a queue the host produces on
 * @sdev: the instance
 * @chan: channel index
 * @q: queue index in the channel
 *
 * Context: the engine's worker.
 * Return: free slots, or 0 if the guest broke the queue.
 */
int spar_engine_room(struct spar_dev *sdev, unsigned int chan, unsigned int q)
{
	struct spar_sq_server *sq = &sdev->chan[chan].q[q];
	int pending = spar_sq_server_pending(sq);

	if (pending < 0) {
		spar_dev_protocol_error(sdev, "queue index out of range");
		return 0;
	}
	return (int)sq->geo.max_slots - 1 - pending;
}
