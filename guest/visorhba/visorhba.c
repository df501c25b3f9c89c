// SPDX-License-Identifier: GPL-2.0
/*
 * visorhba: SCSI host adapter on an s-Par virtual HBA (VHBA) channel.
 *
 * Commands go on the command queue as struct spar_uiscmdrsp (cmdtype
 * SCSI, or TASKMGMT for the error handler); the back-end answers each on
 * the response queue with the Linux result word in linuxstat and, on a
 * CHECK CONDITION, the sense data.  Data buffers are mapped through the
 * DMA API for the PCI function and described by their DMA addresses.
 *
 * Every handle the back-end echoes is a slot index of the pending table
 * and a generation number, checked before use; an answer that matches no
 * command in flight is dropped and counted.  Answers are taken in bounded
 * batches: a back-end that keeps answering cannot hold a CPU.
 */
#include <linux/dma-mapping.h>
#include <linux/jiffies.h>
#include <linux/log2.h>
#include <linux/module.h>
#include <linux/pci.h>
#include <linux/slab.h>
#include <linux/visorbus.h>
#include <linux/workqueue.h>
#include <scsi/scsi.h>
#include <scsi/scsi_cmnd.h>
#include <scsi/scsi_device.h>
#include <scsi/scsi_eh.h>
#include <scsi/scsi_host.h>

#include <spar/channel.h>
#include <spar/guid.h>
#include <spar/iochannel.h>

#define VISORHBA_NAME		"visorhba"

#define VH_OFF_FEATURES		offsetof(struct spar_channel_header, features)
#define VH_OFF_MAX		offsetof(struct spar_io_channel, vhba.max)
#define VH_OFF_CMD_CAP		offsetof(struct spar_io_channel, cmd_q.max_signals)
#define VH_OFF_RSP_CAP		offsetof(struct spar_io_channel, rsp_q.max_signals)

#define VH_CMD_Q		SPAR_IOCHAN_TO_IOPART
#define VH_RSP_Q		SPAR_IOCHAN_FROM_IOPART

/* Every queue buffer holds a whole slot. */
#define VH_MSG_SIZE		SPAR_SIZEOF_CMDRSP
/* Commands and task management functions in flight at once. */
#define VH_MAX_PENDING		(2 * SPAR_MIN_NUMSIGNALS)
/* Of those, kept free for the error handler. */
#define VH_TMF_RESERVE		4
/* Bounds of what the channel may ask for. */
#define VH_MAX_TARGETS		SPAR_MAX_SCSI_TARGETS
#define VH_MAX_LUNS		SPAR_MAX_SCSI_LUNS
#define VH_MAX_SG		SPAR_MAX_PHYS_INFO
/* Answers taken in one batch before the rest is left to a work item. */
#define VH_BUDGET		64
/* How long the error handler waits for a task management answer. */
#define VH_TMF_TIMEOUT		(45 * HZ)
/* Handle: slot index in the low bits, the slot's generation above. */
#define VH_HANDLE_SLOT_BITS	order_base_2(VH_MAX_PENDING)
/* Disk notifications waiting for the work item; more trigger a scan. */
#define VH_MAX_NOTIFIES		32
/* Answers left by an earlier driver that probe throws away, at most. */
#define VH_DRAIN_MAX		SPAR_MAX_NUMSIGNALS

/**
 * struct vh_pending - one slot of the pending table
 * @cmd: the SCSI command, or NULL
 * @tmf: the error handler waits here for a task management answer, or NULL
 * @gen: generation of the slot, part of its handle
 */
struct vh_pending {
	struct scsi_cmnd *cmd;
	struct vh_tmf *tmf;
	u32 gen;
};

/**
 * struct vh_tmf - an error handler waiting for the back-end
 * @done: completed when the answer comes, or on pause
 * @result: SPAR_TASK_MGMT_* from the answer
 * @answered: the back-end answered
 */
struct vh_tmf {
	struct completion done;
	u8 result;
	bool answered;
};

/**
 * struct visorhba - one virtual HBA
 * @vdev: the channel device
 * @shost: the SCSI host
 * @dma_dev: device that maps buffers (the PCI function)
 * @lock: protects @pending, @next, @cmd, @notify, @nr_notify, @rescan,
 *	@removing and @paused
 * @pending: commands and functions in flight, by slot
 * @next: where the search for a free slot starts
 * @cmd: the command being inserted
 * @rsp: the answer being handled; under @rsp_lock
 * @rsp_lock: one drain of the response queue at a time
 * @more: drains again after a batch ran out of budget
 * @notify: disks the host added (bit 31 set) or removed, as target << 16
 *	| LUN; under @lock
 * @nr_notify: entries in @notify
 * @rescan: notifications were lost: scan the whole host
 * @disks: applies @notify
 * @removing: the driver is being removed: no more disk changes
 * @paused: the back-end is paused; commands wait
 * @ints_on: channel interrupts are enabled
 * @bad: answers dropped because they matched nothing (counter)
 * @notifies: disk notifications seen (counter)
 */
struct visorhba {
	struct visor_device *vdev;
	struct Scsi_Host *shost;
	struct device *dma_dev;
	spinlock_t lock; /* see above */
	struct vh_pending pending[VH_MAX_PENDING];
	unsigned int next;
	struct spar_uiscmdrsp *cmd;
	struct spar_uiscmdrsp *rsp;
	spinlock_t rsp_lock; /* see above */
	struct work_struct more;
	u32 notify[VH_MAX_NOTIFIES];
	unsigned int nr_notify;
	bool rescan;
	struct work_struct disks;
	bool removing;
	bool paused;
	bool ints_on;
	atomic64_t bad;
	atomic64_t notifies;
};

static struct visorhba *vh_of(struct Scsi_Host *shost)
{
	return *(struct visorhba **)shost_priv(shost);
}

static struct visorchannel *vh_chan(struct visorhba *vh)
{
	return vh->vdev->visorchannel;
}

static u64 vh_handle(struct visorhba *vh, unsigned int slot)
{
	return (u64)vh->pending[slot].gen << VH_HANDLE_SLOT_BITS | slot;
}

/*
 * A free slot, or -EBUSY.  Commands leave VH_TMF_RESERVE slots to the
 * error handler.  With @vh->lock held.
 */
static int vh_slot_get(struct visorhba *vh, bool tmf)
{
	unsigned int i, n = 0, slot, busy = 0;

	lockdep_assert_held(&vh->lock);
	for (i = 0; i < VH_MAX_PENDING; i++)
		if (vh->pending[i].cmd || vh->pending[i].tmf)
			busy++;
	if (busy >= VH_MAX_PENDING - (tmf ? 0 : VH_TMF_RESERVE))
		return -EBUSY;
	for (i = 0; i < VH_MAX_PENDING; i++, n++) {
		slot = (vh->next + n) % VH_MAX_PENDING;
		if (!vh->pending[slot].cmd && !vh->pending[slot].tmf) {
			vh->next = (slot + 1) % VH_MAX_PENDING;
			vh->pending[slot].gen++;
			return slot;
		}
	}
	return -EBUSY;
}

static void vh_slot_put(struct visorhba *vh, unsigned int slot)
{
	lockdep_assert_held(&vh->lock);
	vh->pending[slot].cmd = NULL;
	vh->pending[slot].tmf = NULL;
}

static u32 vh_data_dir(enum dma_data_direction dir)
{
	switch (dir) {
	case DMA_TO_DEVICE:
		return SPAR_UIS_DMA_TO_DEVICE;
	case DMA_FROM_DEVICE:
		return SPAR_UIS_DMA_FROM_DEVICE;
	default:
		return SPAR_UIS_DMA_NONE;
	}
}

static void vh_dest(struct spar_uisscsi_dest *d, struct scsi_device *sdev)
{
	d->channel = cpu_to_le32(sdev->channel);
	d->id = cpu_to_le32(sdev->id);
	d->lun = cpu_to_le32(sdev->lun);
}

/* --- commands ------------------------------------------------------- */

static int visorhba_queuecommand(struct Scsi_Host *shost,
				 struct scsi_cmnd *scmd)
{
	struct visorhba *vh = vh_of(shost);
	struct spar_uiscmdrsp_scsi *s;
	struct scatterlist *sg;
	unsigned long flags;
	int nseg, slot, i, ret;

	if (scmd->sc_data_direction == DMA_BIDIRECTIONAL ||
	    scmd->cmd_len > SPAR_MAX_CMND_SIZE) {
		scmd->result = DID_ERROR << 16;
		scsi_done(scmd);
		return 0;
	}
	nseg = scsi_dma_map(scmd);
	if (nseg < 0)
		return SCSI_MLQUEUE_HOST_BUSY;
	if (nseg > VH_MAX_SG) {
		/* sg_tablesize keeps this from happening. */
		scsi_dma_unmap(scmd);
		scmd->result = DID_ERROR << 16;
		scsi_done(scmd);
		return 0;
	}

	spin_lock_irqsave(&vh->lock, flags);
	slot = vh->paused ? -EBUSY : vh_slot_get(vh, false);
	if (slot < 0) {
		spin_unlock_irqrestore(&vh->lock, flags);
		scsi_dma_unmap(scmd);
		return SCSI_MLQUEUE_HOST_BUSY;
	}
	memset(vh->cmd, 0, VH_MSG_SIZE);
	vh->cmd->cmdtype = SPAR_CMD_SCSI_TYPE;
	s = &vh->cmd->scsi;
	s->handle = cpu_to_le64(vh_handle(vh, slot));
	memcpy(s->cmnd, scmd->cmnd, scmd->cmd_len);
	s->bufflen = cpu_to_le32(nseg ? scsi_bufflen(scmd) : 0);
	s->guest_phys_entries = cpu_to_le16(nseg);
	scsi_for_each_sg(scmd, sg, nseg, i) {
		s->gpi_list[i].address = cpu_to_le64(sg_dma_address(sg));
		s->gpi_list[i].length = cpu_to_le64(sg_dma_len(sg));
	}
	s->data_dir = cpu_to_le32(nseg ? vh_data_dir(scmd->sc_data_direction) :
				  SPAR_UIS_DMA_NONE);
	vh_dest(&s->vdest, scmd->device);
	vh->pending[slot].cmd = scmd;
	ret = visorchannel_signalinsert(vh_chan(vh), VH_CMD_Q, vh->cmd);
	if (ret)
		vh_slot_put(vh, slot);
	spin_unlock_irqrestore(&vh->lock, flags);
	if (ret) {
		scsi_dma_unmap(scmd);
		return SCSI_MLQUEUE_HOST_BUSY;
	}
	return 0;
}

static void vh_bad(struct visorhba *vh, const char *what)
{
	atomic64_inc(&vh->bad);
	dev_err_ratelimited(&vh->vdev->device, "dropped answer: %s\n", what);
}

/* Look up the slot a handle names; -1 if it names nothing in flight. */
static int vh_slot_of(struct visorhba *vh, u64 handle, bool tmf)
{
	unsigned int slot = handle & (BIT(VH_HANDLE_SLOT_BITS) - 1);
	struct vh_pending *p;

	lockdep_assert_held(&vh->lock);
	if (slot >= VH_MAX_PENDING ||
	    handle >> VH_HANDLE_SLOT_BITS != vh->pending[slot].gen)
		return -1;
	p = &vh->pending[slot];
	if (tmf ? !p->tmf : !p->cmd)
		return -1;
	return slot;
}

static void vh_scsi_done(struct visorhba *vh, const struct spar_uiscmdrsp *m)
{
	const struct spar_uiscmdrsp_scsi *s = &m->scsi;
	struct scsi_cmnd *scmd;
	unsigned long flags;
	u32 result;
	int slot;

	spin_lock_irqsave(&vh->lock, flags);
	slot = vh_slot_of(vh, le64_to_cpu(s->handle), false);
	if (slot < 0) {
		spin_unlock_irqrestore(&vh->lock, flags);
		vh_bad(vh, "unknown SCSI handle");
		return;
	}
	scmd = vh->pending[slot].cmd;
	vh_slot_put(vh, slot);
	spin_unlock_irqrestore(&vh->lock, flags);

	/* Host byte and status byte of the Linux result word only. */
	result = le32_to_cpu(s->linuxstat) & 0x00ff00ff;
	if (result)
		memcpy(scmd->sense_buffer, s->sensebuf,
		       min_t(size_t, SCSI_SENSE_BUFFERSIZE,
			     sizeof(s->sensebuf)));
	scmd->result = result;
	scsi_dma_unmap(scmd);
	scsi_done(scmd);
}

static void vh_tmf_done(struct visorhba *vh, const struct spar_uiscmdrsp *m)
{
	const struct spar_uiscmdrsp_scsitaskmgmt *t = &m->scsitaskmgmt;
	unsigned long flags;
	struct vh_tmf *tmf;
	int slot;

	spin_lock_irqsave(&vh->lock, flags);
	slot = vh_slot_of(vh, le64_to_cpu(t->handle), true);
	if (slot < 0) {
		spin_unlock_irqrestore(&vh->lock, flags);
		vh_bad(vh, "unknown task management handle");
		return;
	}
	tmf = vh->pending[slot].tmf;
	vh_slot_put(vh, slot);
	tmf->result = t->result;
	tmf->answered = true;
	complete(&tmf->done);
	spin_unlock_irqrestore(&vh->lock, flags);
}

#define VH_NOTIFY_ADD		BIT(31)

/* The host added or removed a disk: apply it from process context. */
static void vh_notify(struct visorhba *vh, const struct spar_uiscmdrsp *m)
{
	const struct spar_uiscmdrsp_disknotify *n = &m->disknotify;
	u32 id = le32_to_cpu(n->id), lun = le32_to_cpu(n->lun);
	unsigned long flags;

	atomic64_inc(&vh->notifies);
	if (le32_to_cpu(n->channel) || id >= vh->shost->max_id ||
	    lun >= vh->shost->max_lun || n->add > 1) {
		vh_bad(vh, "disk notification out of range");
		return;
	}
	spin_lock_irqsave(&vh->lock, flags);
	if (vh->removing) {
		spin_unlock_irqrestore(&vh->lock, flags);
		return;
	}
	if (vh->nr_notify < VH_MAX_NOTIFIES)
		vh->notify[vh->nr_notify++] = (n->add ? VH_NOTIFY_ADD : 0) |
					      id << 16 | lun;
	else
		vh->rescan = true;
	/* Under the lock: remove cancels the work after setting removing. */
	schedule_work(&vh->disks);
	spin_unlock_irqrestore(&vh->lock, flags);
}

static void visorhba_disks(struct work_struct *work)
{
	struct visorhba *vh = container_of(work, struct visorhba, disks);
	struct scsi_device *sdev;
	unsigned long flags;
	bool rescan;
	u32 n;

	for (;;) {
		spin_lock_irqsave(&vh->lock, flags);
		rescan = vh->rescan;
		vh->rescan = false;
		n = U32_MAX;
		if (!rescan && vh->nr_notify) {
			n = vh->notify[0];
			memmove(&vh->notify[0], &vh->notify[1],
				--vh->nr_notify * sizeof(vh->notify[0]));
		}
		spin_unlock_irqrestore(&vh->lock, flags);
		if (rescan) {
			scsi_scan_host(vh->shost);
			continue;
		}
		if (n == U32_MAX)
			return;
		if (n & VH_NOTIFY_ADD) {
			scsi_add_device(vh->shost, 0, (n >> 16) & 0x7fff,
					n & 0xffff);
			continue;
		}
		sdev = scsi_device_lookup(vh->shost, 0, n >> 16, n & 0xffff);
		if (sdev) {
			scsi_remove_device(sdev);
			scsi_device_put(sdev);
		}
	}
}

/* Take at most VH_BUDGET answers; true if more may be waiting. */
static bool vh_drain(struct visorhba *vh)
{
	unsigned int n;
	int ret;

	spin_lock(&vh->rsp_lock);
	for (n = 0; n < VH_BUDGET; n++) {
		ret = visorchannel_signalremove(vh_chan(vh), VH_RSP_Q, vh->rsp);
		if (ret)
			break;
		switch (vh->rsp->cmdtype) {
		case SPAR_CMD_SCSI_TYPE:
			vh_scsi_done(vh, vh->rsp);
			break;
		case SPAR_CMD_SCSITASKMGMT_TYPE:
			vh_tmf_done(vh, vh->rsp);
			break;
		case SPAR_CMD_NOTIFYGUEST_TYPE:
			vh_notify(vh, vh->rsp);
			break;
		default:
			vh_bad(vh, "unknown cmdtype");
			break;
		}
	}
	spin_unlock(&vh->rsp_lock);
	return n == VH_BUDGET;
}

static void visorhba_more(struct work_struct *work)
{
	struct visorhba *vh = container_of(work, struct visorhba, more);

	local_bh_disable();
	if (vh_drain(vh))
		queue_work(system_wq, &vh->more);
	local_bh_enable();
}

static void visorhba_channel_interrupt(struct visor_device *vdev)
{
	struct visorhba *vh = dev_get_drvdata(&vdev->device);

	if (vh && vh_drain(vh))
		queue_work(system_wq, &vh->more);
}

/* --- error handling ------------------------------------------------- */

/*
 * Send task management function @type for @sdev and wait for the answer.
 * The back-end answers every command the function covers before it
 * answers the function.
 */
static int vh_tmf(struct visorhba *vh, struct scsi_device *sdev, u32 type)
{
	struct spar_uiscmdrsp_scsitaskmgmt *t;
	struct vh_tmf tmf;
	unsigned long flags;
	int slot, ret;

	init_completion(&tmf.done);
	tmf.answered = false;
	tmf.result = SPAR_TASK_MGMT_FAILED;
	spin_lock_irqsave(&vh->lock, flags);
	slot = vh->paused ? -EBUSY : vh_slot_get(vh, true);
	if (slot < 0) {
		spin_unlock_irqrestore(&vh->lock, flags);
		return FAILED;
	}
	memset(vh->cmd, 0, VH_MSG_SIZE);
	vh->cmd->cmdtype = SPAR_CMD_SCSITASKMGMT_TYPE;
	t = &vh->cmd->scsitaskmgmt;
	t->tasktype = cpu_to_le32(type);
	vh_dest(&t->vdest, sdev);
	t->handle = cpu_to_le64(vh_handle(vh, slot));
	t->notify_handle = t->handle;
	t->notifyresult_handle = t->handle;
	vh->pending[slot].tmf = &tmf;
	ret = visorchannel_signalinsert(vh_chan(vh), VH_CMD_Q, vh->cmd);
	if (ret)
		vh_slot_put(vh, slot);
	spin_unlock_irqrestore(&vh->lock, flags);
	if (ret)
		return FAILED;

	wait_for_completion_timeout(&tmf.done, VH_TMF_TIMEOUT);
	spin_lock_irqsave(&vh->lock, flags);
	if (vh->pending[slot].tmf == &tmf)	/* no answer: forget it */
		vh_slot_put(vh, slot);
	ret = tmf.answered && tmf.result == SPAR_TASK_MGMT_SUCCESS ?
	      SUCCESS : FAILED;
	spin_unlock_irqrestore(&vh->lock, flags);
	sdev_printk(KERN_INFO, sdev, "task management %u: %s\n", type,
		    ret == SUCCESS ? "done" : "failed");
	return ret;
}

static int visorhba_eh_abort(struct scsi_cmnd *scmd)
{
	return vh_tmf(vh_of(scmd->device->host), scmd->device,
		      SPAR_TASK_MGMT_ABORT_TASK);
}

static int visorhba_eh_device_reset(struct scsi_cmnd *scmd)
{
	return vh_tmf(vh_of(scmd->device->host), scmd->device,
		      SPAR_TASK_MGMT_LUN_RESET);
}

static int visorhba_eh_bus_reset(struct scsi_cmnd *scmd)
{
	return vh_tmf(vh_of(scmd->device->host), scmd->device,
		      SPAR_TASK_MGMT_BUS_RESET);
}

/*
 * Complete every command in flight with @host_byte and wake every waiting
 * error handler: the back-end has forgotten them.
 */
static void vh_fail_all(struct visorhba *vh, u8 host_byte)
{
	struct scsi_cmnd *done[VH_MAX_PENDING];
	unsigned int i, n = 0;
	unsigned long flags;

	spin_lock_irqsave(&vh->lock, flags);
	for (i = 0; i < VH_MAX_PENDING; i++) {
		struct vh_pending *p = &vh->pending[i];

		if (p->cmd)
			done[n++] = p->cmd;
		if (p->tmf)
			complete(&p->tmf->done);
		vh_slot_put(vh, i);
	}
	spin_unlock_irqrestore(&vh->lock, flags);
	for (i = 0; i < n; i++) {
		done[i]->result = host_byte << 16;
		scsi_dma_unmap(done[i]);
		scsi_done(done[i]);
	}
}

/* --- visorbus driver ------------------------------------------------ */

static ssize_t bad_answers_show(struct device *dev,
				struct device_attribute *attr, char *buf)
{
	struct visorhba *vh = vh_of(class_to_shost(dev));

	return sysfs_emit(buf, "%lld\n", (long long)atomic64_read(&vh->bad));
}
static DEVICE_ATTR_RO(bad_answers);

static ssize_t disk_notifies_show(struct device *dev,
				  struct device_attribute *attr, char *buf)
{
	struct visorhba *vh = vh_of(class_to_shost(dev));

	return sysfs_emit(buf, "%lld\n",
			  (long long)atomic64_read(&vh->notifies));
}
static DEVICE_ATTR_RO(disk_notifies);

static struct attribute *visorhba_host_attrs[] = {
	&dev_attr_bad_answers.attr,
	&dev_attr_disk_notifies.attr,
	NULL,
};
ATTRIBUTE_GROUPS(visorhba_host);

static struct scsi_host_template visorhba_template = {
	.module = THIS_MODULE,
	.name = "s-Par virtual HBA",
	.proc_name = VISORHBA_NAME,
	.queuecommand = visorhba_queuecommand,
	.eh_abort_handler = visorhba_eh_abort,
	.eh_device_reset_handler = visorhba_eh_device_reset,
	.eh_bus_reset_handler = visorhba_eh_bus_reset,
	.can_queue = VH_MAX_PENDING - VH_TMF_RESERVE,
	.this_id = -1,
	.sg_tablesize = VH_MAX_SG,
	.max_sectors = 512,
	.cmd_per_lun = 64,
	.shost_groups = visorhba_host_groups,
};

static struct device *vh_find_dma_dev(struct visor_device *vdev)
{
	struct device *dev;

	for (dev = vdev->device.parent; dev; dev = dev->parent)
		if (dev_is_pci(dev))
			return dev;
	return NULL;
}

/* The limits the channel gives the host, checked. */
static int vh_configure(struct visorhba *vh, struct Scsi_Host *shost)
{
	struct visor_device *vdev = vh->vdev;
	struct spar_vhba_config_max max;
	u32 id, lun, per_lun, io, cap;
	__le32 c1, c2;
	int ret;

	ret = visorbus_read_channel(vdev, VH_OFF_MAX, &max, sizeof(max));
	if (!ret)
		ret = visorbus_read_channel(vdev, VH_OFF_CMD_CAP, &c1,
					    sizeof(c1));
	if (!ret)
		ret = visorbus_read_channel(vdev, VH_OFF_RSP_CAP, &c2,
					    sizeof(c2));
	if (ret)
		return ret;
	id = le32_to_cpu(max.max_id);
	lun = le32_to_cpu(max.max_lun);
	per_lun = le32_to_cpu(max.cmd_per_lun);
	io = le32_to_cpu(max.max_io_size);
	cap = min(le32_to_cpu(c1), le32_to_cpu(c2));
	if (!id || id > VH_MAX_TARGETS || !lun || lun > VH_MAX_LUNS ||
	    !per_lun || io < SECTOR_SIZE ||
	    cap < SPAR_MIN_NUMSIGNALS - 1 || cap >= SPAR_MAX_NUMSIGNALS) {
		dev_err(&vdev->device,
			"bad limits: %u targets, %u LUNs, %u per LUN, max_io_size %u, queues of %u\n",
			id, lun, per_lun, io, cap);
		return -EINVAL;
	}
	shost->max_channel = 0;
	shost->max_id = id;
	shost->max_lun = lun;
	shost->max_cmd_len = SPAR_MAX_CMND_SIZE;
	/* Every command and every function in flight fits either queue. */
	shost->can_queue = min_t(u32, VH_MAX_PENDING, cap) - VH_TMF_RESERVE;
	shost->cmd_per_lun = min_t(u32, per_lun, shost->can_queue);
	shost->max_sectors = io >> SECTOR_SHIFT;
	shost->sg_tablesize = clamp_t(u32, io / PAGE_SIZE, 1, VH_MAX_SG);
	return 0;
}

static int vh_set_features(struct visorhba *vh)
{
	__le64 features;
	int ret;

	ret = visorbus_read_channel(vh->vdev, VH_OFF_FEATURES, &features,
				    sizeof(features));
	if (ret)
		return ret;
	features = cpu_to_le64(le64_to_cpu(features) | SPAR_CHANNEL_IS_POLLING);
	return visorbus_write_channel(vh->vdev, VH_OFF_FEATURES, &features,
				      sizeof(features));
}

static int visorhba_probe(struct visor_device *vdev)
{
	struct Scsi_Host *shost;
	struct visorhba *vh;
	unsigned int i;
	int ret;

	BUILD_BUG_ON(sizeof(struct spar_uiscmdrsp) > VH_MSG_SIZE);

	vh = kzalloc(sizeof(*vh), GFP_KERNEL);
	if (!vh)
		return -ENOMEM;
	vh->vdev = vdev;
	spin_lock_init(&vh->lock);
	spin_lock_init(&vh->rsp_lock);
	INIT_WORK(&vh->more, visorhba_more);
	INIT_WORK(&vh->disks, visorhba_disks);
	vh->dma_dev = vh_find_dma_dev(vdev);
	vh->cmd = kzalloc(VH_MSG_SIZE, GFP_KERNEL);
	vh->rsp = kzalloc(VH_MSG_SIZE, GFP_KERNEL);
	ret = -ENOMEM;
	if (!vh->cmd || !vh->rsp)
		goto err_free;
	ret = -ENODEV;
	if (!vh->dma_dev) {
		dev_err(&vdev->device, "no PCI function above the device\n");
		goto err_free;
	}
	ret = -ENOMEM;
	shost = scsi_host_alloc(&visorhba_template, sizeof(vh));
	if (!shost)
		goto err_free;
	*(struct visorhba **)shost_priv(shost) = vh;
	vh->shost = shost;
	ret = vh_configure(vh, shost);
	if (ret)
		goto err_put;

	/* Whatever an earlier driver left unanswered is of no use now. */
	for (i = 0; i < VH_DRAIN_MAX; i++)
		if (visorchannel_signalremove(vdev->visorchannel, VH_RSP_Q,
					      vh->rsp))
			break;
	ret = vh_set_features(vh);
	if (ret)
		goto err_put;

	dev_set_drvdata(&vdev->device, vh);
	ret = scsi_add_host_with_dma(shost, &vdev->device, vh->dma_dev);
	if (ret) {
		dev_err(&vdev->device, "cannot add the SCSI host (%d)\n", ret);
		goto err_drvdata;
	}
	ret = visorbus_enable_channel_interrupts(vdev);
	if (ret) {
		dev_err(&vdev->device, "cannot enable channel interrupts (%d)\n",
			ret);
		goto err_remove;
	}
	vh->ints_on = true;
	dev_info(&vdev->device,
		 "SCSI host %u: %u targets, %u LUNs, %u commands, %u KiB per command\n",
		 shost->host_no, shost->max_id, (unsigned int)shost->max_lun,
		 shost->can_queue, shost->max_sectors / 2);
	scsi_scan_host(shost);
	return 0;

err_remove:
	scsi_remove_host(shost);
err_drvdata:
	dev_set_drvdata(&vdev->device, NULL);
err_put:
	scsi_host_put(shost);
err_free:
	kfree(vh->rsp);
	kfree(vh->cmd);
	kfree(vh);
	return ret;
}

static void visorhba_remove(struct visor_device *vdev)
{
	struct visorhba *vh = dev_get_drvdata(&vdev->device);
	unsigned long flags;

	if (!vh)
		return;
	/* Notifications that come now are moot. */
	spin_lock_irqsave(&vh->lock, flags);
	vh->removing = true;
	spin_unlock_irqrestore(&vh->lock, flags);
	cancel_work_sync(&vh->disks);
	/* Removing the disks still talks to the back-end (cache flushes). */
	scsi_remove_host(vh->shost);
	if (vh->ints_on)
		visorbus_disable_channel_interrupts(vdev);
	vh->ints_on = false;
	cancel_work_sync(&vh->more);
	vh_fail_all(vh, DID_NO_CONNECT);
	dev_set_drvdata(&vdev->device, NULL);
	scsi_host_put(vh->shost);
	kfree(vh->rsp);
	kfree(vh->cmd);
	kfree(vh);
}

/*
 * Pause: the back-end has stopped and forgets everything queued.  The
 * commands in flight go back to the midlayer to be sent again after the
 * resume, so a back-end recovery loses no I/O.
 */
static int visorhba_pause(struct visor_device *vdev,
			  visorbus_state_complete_func complete_func)
{
	struct visorhba *vh = dev_get_drvdata(&vdev->device);
	unsigned long flags;

	scsi_block_requests(vh->shost);
	spin_lock_irqsave(&vh->lock, flags);
	vh->paused = true;
	spin_unlock_irqrestore(&vh->lock, flags);
	if (vh->ints_on)
		visorbus_disable_channel_interrupts(vdev);
	vh->ints_on = false;
	cancel_work_sync(&vh->more);
	vh_fail_all(vh, DID_REQUEUE);
	complete_func(vdev, 0);
	return 0;
}

static int visorhba_resume(struct visor_device *vdev,
			   visorbus_state_complete_func complete_func)
{
	struct visorhba *vh = dev_get_drvdata(&vdev->device);
	unsigned long flags;
	int ret = 0;

	spin_lock_irqsave(&vh->lock, flags);
	vh->paused = false;
	spin_unlock_irqrestore(&vh->lock, flags);
	if (!vh->ints_on) {
		ret = visorbus_enable_channel_interrupts(vdev);
		if (ret)
			dev_err(&vdev->device,
				"cannot enable channel interrupts (%d)\n", ret);
		else
			vh->ints_on = true;
	}
	scsi_unblock_requests(vh->shost);
	complete_func(vdev, ret);
	return 0;
}

static struct visor_channeltype_descriptor visorhba_channel_types[] = {
	{ GUID_INIT(0x414815ed, 0xc58c, 0x11da,
		    0x95, 0xa9, 0x00, 0xe0, 0x81, 0x61, 0x16, 0x5f),
	  "sparvhba", sizeof(struct spar_channel_header),
	  SPAR_VHBA_CHANNEL_VERSIONID },
	{}
};

static struct visor_driver visorhba_driver = {
	.name = VISORHBA_NAME,
	.owner = THIS_MODULE,
	.channel_types = visorhba_channel_types,
	.probe = visorhba_probe,
	.remove = visorhba_remove,
	.pause = visorhba_pause,
	.resume = visorhba_resume,
	.channel_interrupt = visorhba_channel_interrupt,
};

static int __init visorhba_init(void)
{
	return visorbus_register_visor_driver(&visorhba_driver);
}

static void __exit visorhba_exit(void)
{
	visorbus_unregister_visor_driver(&visorhba_driver);
}

module_init(visorhba_init);
module_exit(visorhba_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("s-Par virtual SCSI HBA driver");
MODULE_ALIAS("visorbus:" SPAR_VHBA_CHANNEL_GUID_STR);
