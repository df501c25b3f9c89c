// SPDX-License-Identifier: GPL-2.0
/*
 * spar-mdev host module: instances: creation, removal, reset, status and
 * their sysfs attributes.
 */
#include <linux/device.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include "spar_mdev.h"

/* Bound on cached guest pages per instance (16 MiB of 4 KiB pages). */
#define SPAR_PIN_CACHE_MAX	4096
/* Bound on the opt-in busy-poll window. */
#define SPAR_BUSY_POLL_MAX_US	10000
/* How long a guest may take to acknowledge a pause. */
#define SPAR_PAUSE_TIMEOUT_MS	10000

static void spar_pause_timeout(struct work_struct *work);

/*
 * Take one instance of @t's limit.  Fails once every instance is in use;
 * the mdev core hands the error back to the writer of "create".
 */
static int spar_type_reserve(struct spar_type *t, struct mdev_device *mdev)
{
	if (atomic_add_unless(&t->live, 1, t->max_instances))
		return 0;

	dev_err_ratelimited(&mdev->dev,
			    "%s: all %u instances are in use; remove one or reload with a larger limit\n",
			    t->mtype.pretty_name, t->max_instances);
	return -EUSERS;
}

static void spar_type_unreserve(struct spar_type *t)
{
	atomic_dec(&t->live);
}

static int spar_bar0_alloc(struct spar_dev *sdev)
{
	u64 size;
	u8 *mem;
	int ret;

	lockdep_assert_held(&sdev->lock);
	ret = spar_layout_size(sdev, &size);
	if (ret)
		return ret;
	if (sdev->bar0 && size == sdev->bar0_size)
		return spar_layout_init(sdev);

	/* Zeroed, page-aligned and mappable into user space. */
	mem = vmalloc_user(size);
	if (!mem)
		return -ENOMEM;
	vfree(sdev->bar0);
	sdev->bar0 = mem;
	sdev->bar0_size = size;
	sdev->tp = (struct spar_transport_page *)mem;
	return spar_layout_init(sdev);
}

/**
 * spar_cfg_setup() - configuration space at power-on
 * @sdev: the instance
 *
 * Context: with @sdev->lock held.
 */
void spar_cfg_setup(struct spar_dev *sdev)
{
	struct spar_pci_id id = {
		.vendor = SPAR_PCI_VENDOR_ID,
		.device = sdev->type->desc->pci_device,
		.revision = SPAR_PCI_REVISION,
		.class = sdev->type->desc->pci_class,
		.bar0_size = sdev->bar0_size,
		.bar2_size = SPAR_TRANSPORT_REGS_SIZE,
	};

	spar_cfg_init(&sdev->cfg, &id);
	spar_dev_command_sync(sdev);
}

/**
 * spar_dev_command_sync() - follow the guest's Command register
 * @sdev: the instance
 *
 * Interrupt Disable gates INTx.  Bus Master Enable gates the host's every
 * access to guest memory and MSI, which is a memory write: when the bit
 * goes off this returns only after the engine's pass in flight, if any,
 * has ended, and with it the back-end's own I/O on guest pages, if any;
 * from then on the host pins nothing, copies nothing and sends no MSI.
 * Commands wait in their queues and host events that need guest buffers
 * are dropped until the bit is set again; then the engine resumes and one
 * held-back MSI is sent.
 *
 * Context: process context; with @sdev->lock held; may sleep.
 */
void spar_dev_command_sync(struct spar_dev *sdev)
{
	bool master = spar_cfg_bus_master(&sdev->cfg);

	lockdep_assert_held(&sdev->lock);
	spar_irq_set_intx_disabled(&sdev->irq,
				   spar_cfg_intx_disabled(&sdev->cfg));
	if (master == sdev->dma_enabled) {
		spar_irq_set_bus_master(&sdev->irq, master);
		return;
	}
	if (!master) {
		const struct spar_backend_ops *ops = sdev->type->desc->ops;

		spar_irq_set_bus_master(&sdev->irq, false);
		mutex_lock(&sdev->engine.dma_lock);
		WRITE_ONCE(sdev->dma_enabled, false);
		mutex_unlock(&sdev->engine.dma_lock);
		if (ops && ops->dma_off)
			ops->dma_off(sdev);
		return;
	}
	WRITE_ONCE(sdev->dma_enabled, true);
	spar_irq_set_bus_master(&sdev->irq, true);
	spar_engine_kick(sdev);
}

int spar_dev_init(struct vfio_device *vdev)
{
	struct spar_dev *sdev = to_spar_dev(vdev);
	struct mdev_device *mdev = to_mdev_device(vdev->dev);
	struct spar_type *t = to_spar_type(mdev->type);
	const struct spar_backend_ops *ops = t->desc->ops;
	int ret;

	ret = spar_type_reserve(t, mdev);
	if (ret)
		return ret;

	sdev->mdev = mdev;
	sdev->type = t;
	sdev->ring_slots = SPAR_RING_SLOTS_DEFAULT;
	mutex_init(&sdev->lock);
	spar_irq_init(&sdev->irq);
	spar_pins_init(&sdev->pins, SPAR_PIN_CACHE_MAX);
	INIT_DELAYED_WORK(&sdev->pause_timeout, spar_pause_timeout);
	spin_lock_init(&sdev->engine.lock);
	mutex_init(&sdev->engine.dma_lock);
	atomic_set(&sdev->engine.kick, 0);

	if (ops && ops->create) {
		ret = ops->create(sdev);
		if (ret)
			goto err_unreserve;
	}

	mutex_lock(&sdev->lock);
	ret = spar_bar0_alloc(sdev);
	if (!ret)
		spar_cfg_setup(sdev);
	mutex_unlock(&sdev->lock);
	if (ret)
		goto err_destroy;
	return 0;

err_destroy:
	vfree(sdev->bar0);
	if (ops && ops->destroy)
		ops->destroy(sdev);
err_unreserve:
	mutex_destroy(&sdev->engine.dma_lock);
	mutex_destroy(&sdev->lock);
	spar_type_unreserve(t);
	return ret;
}

/* Last reference gone: nothing can reach the instance any more. */
void spar_dev_release(struct vfio_device *vdev)
{
	struct spar_dev *sdev = to_spar_dev(vdev);
	struct spar_type *t = sdev->type;
	const struct spar_backend_ops *ops = t->desc->ops;

	cancel_delayed_work_sync(&sdev->pause_timeout);
	spar_pins_destroy(sdev);
	if (ops && ops->destroy)
		ops->destroy(sdev);
	vfree(sdev->bar0);
	mutex_destroy(&sdev->engine.dma_lock);
	mutex_destroy(&sdev->lock);
	spar_type_unreserve(t);
	spar_vfio_free_device(vdev);
}

/**
 * spar_dev_set_status() - change the status the guest reads
 * @sdev: the instance
 * @set: SPAR_STATUS_* bits to set
 * @clear: SPAR_STATUS_* bits to clear
 *
 * The copy in the transport page is written before the interrupt that
 * announces the change.
 *
 * Context: any context.
 */
void spar_dev_set_status(struct spar_dev *sdev, u32 set, u32 clear)
{
	int old, new;

	do {
		old = atomic_read(&sdev->status);
		new = (old & ~clear) | set;
	} while (atomic_cmpxchg(&sdev->status, old, new) != old);

	if (old == new)
		return;
	WRITE_ONCE(sdev->tp->hdr.status, cpu_to_le32(new));
	/* The status word is visible before the interrupt that names it. */
	virt_wmb();
	spar_irq_raise(&sdev->irq, SPAR_INT_CONFIG);
}

/**
 * spar_dev_protocol_error() - the guest broke the protocol
 * @sdev: the instance
 * @what: what it did, for the log
 *
 * Only this device is affected: it stops serving its queues and asks the
 * guest for a reset, which recovers it.
 *
 * Context: any context.
 */
void spar_dev_protocol_error(struct spar_dev *sdev, const char *what)
{
	atomic64_inc(&sdev->stats.protocol_errors);
	if (atomic_read(&sdev->status) & SPAR_STATUS_NEEDS_RESET)
		return;
	dev_warn_ratelimited(spar_dev_device(sdev),
			     "guest broke the channel protocol (%s); device needs reset\n",
			     what);
	spar_dev_set_status(sdev, SPAR_STATUS_NEEDS_RESET, SPAR_STATUS_READY);
}

/**
 * spar_dev_reset() - bring the instance back to its initial state
 * @sdev: the instance
 *
 * Quiesces the engine, lets the back-end forget every posted buffer,
 * drops every pin and re-initialises the channels.  An open device then
 * serves again.
 *
 * Context: process context; takes @sdev->lock; may sleep.
 * Return: 0 or a negative errno.
 */
int spar_dev_reset(struct spar_dev *sdev)
{
	int ret;

	mutex_lock(&sdev->lock);
	cancel_delayed_work(&sdev->pause_timeout);
	spar_engine_stop(sdev);
	spar_pins_drop_all(sdev);
	atomic_set(&sdev->status, 0);
	WRITE_ONCE(sdev->guest_status, 0);
	WRITE_ONCE(sdev->guest_features, 0);
	spar_irq_ack(&sdev->irq, ~0U);
	ret = spar_layout_init(sdev);
	atomic64_inc(&sdev->stats.resets);
	if (!ret && sdev->open) {
		ret = spar_engine_start(sdev);
		if (!ret) {
			spar_dev_set_status(sdev, SPAR_STATUS_READY, 0);
			spar_engine_kick(sdev);
		}
	}
	if (ret)
		spar_dev_set_status(sdev, SPAR_STATUS_NEEDS_RESET, 0);
	mutex_unlock(&sdev->lock);
	return ret;
}

/* Restart a stopped back-end on empty queues and mark the device ready. */
static void spar_dev_restart_locked(struct spar_dev *sdev)
{
	int ret;

	lockdep_assert_held(&sdev->lock);
	spar_pins_drop_all(sdev);
	ret = spar_layout_reinit_queues(sdev);
	if (!ret)
		ret = spar_engine_start(sdev);
	if (ret) {
		dev_err(spar_dev_device(sdev),
			"back-end restart failed (%d); device needs reset\n", ret);
		spar_dev_set_status(sdev, SPAR_STATUS_NEEDS_RESET,
				    SPAR_STATUS_PAUSED | SPAR_STATUS_READY);
		return;
	}
	spar_dev_set_status(sdev, SPAR_STATUS_READY, SPAR_STATUS_PAUSED);
	spar_engine_kick(sdev);
}

/**
 * spar_dev_pause() - back-end recovery: stop, and restart after the guest
 *	paused its drivers
 * @sdev: the instance
 *
 * With a guest that negotiated pause and runs its driver, this is the
 * transport's pause handshake; the restart happens when the guest
 * acknowledges.  With no driver up the back-end restarts at once; with a
 * driver that cannot pause the device asks for a reset.
 *
 * Context: process context; takes @sdev->lock; may sleep.
 * Return: 0; -ENODEV if the device is not open; -EBUSY if it is not
 * running (already paused, or needing reset).
 */
int spar_dev_pause(struct spar_dev *sdev)
{
	u32 status;
	int ret = 0;

	mutex_lock(&sdev->lock);
	status = atomic_read(&sdev->status);
	if (!sdev->open) {
		ret = -ENODEV;
		goto out;
	}
	if ((status & (SPAR_STATUS_READY | SPAR_STATUS_PAUSED |
		       SPAR_STATUS_NEEDS_RESET | SPAR_STATUS_BROKEN)) !=
	    SPAR_STATUS_READY) {
		ret = -EBUSY;
		goto out;
	}

	spar_engine_stop(sdev);
	if ((sdev->guest_features & SPAR_TRANSPORT_F_PAUSE) &&
	    sdev->guest_status == SPAR_GUEST_STATUS_DRIVER_OK) {
		spar_dev_set_status(sdev, SPAR_STATUS_PAUSED,
				    SPAR_STATUS_READY);
		schedule_delayed_work(&sdev->pause_timeout,
				      msecs_to_jiffies(SPAR_PAUSE_TIMEOUT_MS));
	} else if (!sdev->guest_status) {
		spar_dev_restart_locked(sdev);
	} else {
		spar_dev_set_status(sdev, SPAR_STATUS_NEEDS_RESET,
				    SPAR_STATUS_READY);
	}
out:
	mutex_unlock(&sdev->lock);
	return ret;
}

/**
 * spar_dev_resume_locked() - the guest acknowledged a pause
 * @sdev: the instance, paused
 *
 * Context: process context; with @sdev->lock held.
 */
void spar_dev_resume_locked(struct spar_dev *sdev)
{
	lockdep_assert_held(&sdev->lock);
	cancel_delayed_work(&sdev->pause_timeout);
	spar_dev_restart_locked(sdev);
}

static void spar_pause_timeout(struct work_struct *work)
{
	struct spar_dev *sdev = container_of(to_delayed_work(work),
					     struct spar_dev, pause_timeout);

	mutex_lock(&sdev->lock);
	if (atomic_read(&sdev->status) & SPAR_STATUS_PAUSED) {
		dev_warn(spar_dev_device(sdev),
			 "guest did not acknowledge the pause within %u ms; device needs reset\n",
			 SPAR_PAUSE_TIMEOUT_MS);
		spar_dev_set_status(sdev, SPAR_STATUS_NEEDS_RESET,
				    SPAR_STATUS_PAUSED);
	}
	mutex_unlock(&sdev->lock);
}

static int spar_mdev_probe(struct mdev_device *mdev)
{
	struct spar_dev *sdev;
	int ret;

	sdev = vfio_alloc_device(spar_dev, vdev, &mdev->dev, &spar_vfio_ops);
	if (IS_ERR(sdev))
		return PTR_ERR(sdev);

	ret = vfio_register_emulated_iommu_dev(&sdev->vdev);
	if (ret)
		goto err_put;

	dev_set_drvdata(&mdev->dev, sdev);
	return 0;

err_put:
	vfio_put_device(&sdev->vdev);
	return ret;
}

static void spar_mdev_remove(struct mdev_device *mdev)
{
	struct spar_dev *sdev = dev_get_drvdata(&mdev->dev);

	/* Waits until every user has closed the device, asking via REQ. */
	vfio_unregister_group_dev(&sdev->vdev);
	vfio_put_device(&sdev->vdev);
}

static unsigned int spar_get_available(struct mdev_type *mtype)
{
	struct spar_type *t = to_spar_type(mtype);
	int live = atomic_read(&t->live);

	return live < t->max_instances ? t->max_instances - live : 0;
}

static ssize_t spar_show_description(struct mdev_type *mtype, char *buf)
{
	return sysfs_emit(buf, "%s\n", to_spar_type(mtype)->desc->description);
}

/* --- instance attributes ------------------------------------------- */

/**
 * spar_attr_u32() - parse a numeric attribute value and bound it
 * @dev: the instance's device, for the message
 * @name: attribute name, for the message
 * @buf: what the user wrote
 * @min: smallest value allowed
 * @max: largest value allowed
 * @hint: text added to the message, or ""
 * @val: the value
 *
 * Context: process context.
 * Return: 0, or -EINVAL after logging what was wrong.
 */
int spar_attr_u32(struct device *dev, const char *name, const char *buf,
		  u32 min, u32 max, const char *hint, u32 *val)
{
	if (!kstrtou32(buf, 0, val) && *val >= min && *val <= max)
		return 0;
	dev_err_ratelimited(dev, "%s: '%.*s' is not a number from %u to %u%s\n",
			    name, (int)strcspn(buf, "\n"), buf, min, max, hint);
	return -EINVAL;
}

/**
 * spar_attr_writable() - may an attribute that shapes the guest's view change
 * @dev: the instance's device, for the message
 * @sdev: the instance
 * @name: attribute name, for the message
 *
 * Such attributes change only while no VM has the device open.
 *
 * Context: process context, sdev->lock held.
 * Return: 0, or -EBUSY after logging why.
 */
int spar_attr_writable(struct device *dev, struct spar_dev *sdev,
		       const char *name)
{
	lockdep_assert_held(&sdev->lock);
	if (!sdev->open)
		return 0;
	dev_err_ratelimited(dev, "%s: the device is open; set it before the VM starts\n",
			    name);
	return -EBUSY;
}

static struct spar_dev *dev_to_sdev(struct device *dev)
{
	return dev_get_drvdata(dev);
}

static ssize_t ring_slots_show(struct device *dev,
			       struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%u\n", dev_to_sdev(dev)->ring_slots);
}

static ssize_t ring_slots_store(struct device *dev,
				struct device_attribute *attr,
				const char *buf, size_t count)
{
	struct spar_dev *sdev = dev_to_sdev(dev);
	u32 old, val;
	int ret;

	ret = spar_attr_u32(dev, "ring_slots", buf, SPAR_RING_SLOTS_MIN,
			    SPAR_RING_SLOTS_MAX, "", &val);
	if (ret)
		return ret;

	mutex_lock(&sdev->lock);
	ret = spar_attr_writable(dev, sdev, "ring_slots");
	if (ret)
		goto out;
	old = sdev->ring_slots;
	sdev->ring_slots = val;
	ret = spar_bar0_alloc(sdev);
	if (ret) {
		sdev->ring_slots = old;
		spar_bar0_alloc(sdev);
		goto out;
	}
	spar_cfg_setup(sdev);
out:
	mutex_unlock(&sdev->lock);
	return ret ? ret : count;
}
static DEVICE_ATTR_RW(ring_slots);

static ssize_t busy_poll_us_show(struct device *dev,
				 struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%u\n",
			  READ_ONCE(dev_to_sdev(dev)->engine.busy_poll_us));
}

static ssize_t busy_poll_us_store(struct device *dev,
				  struct device_attribute *attr,
				  const char *buf, size_t count)
{
	u32 val;

	if (spar_attr_u32(dev, "busy_poll_us", buf, 0, SPAR_BUSY_POLL_MAX_US,
			  "", &val))
		return -EINVAL;
	/* Read by the worker on each idle period; no lock needed. */
	WRITE_ONCE(dev_to_sdev(dev)->engine.busy_poll_us, val);
	return count;
}
static DEVICE_ATTR_RW(busy_poll_us);

static ssize_t status_show(struct device *dev, struct device_attribute *attr,
			   char *buf)
{
	struct spar_dev *sdev = dev_to_sdev(dev);
	u32 st = atomic_read(&sdev->status);

	if (!READ_ONCE(sdev->open))
		return sysfs_emit(buf, "closed\n");
	if (st & SPAR_STATUS_BROKEN)
		return sysfs_emit(buf, "broken\n");
	if (st & SPAR_STATUS_NEEDS_RESET)
		return sysfs_emit(buf, "needs-reset\n");
	if (st & SPAR_STATUS_PAUSED)
		return sysfs_emit(buf, "paused\n");
	return sysfs_emit(buf, "%s\n", st & SPAR_STATUS_READY ? "ready" : "stopped");
}
static DEVICE_ATTR_RO(status);

/* What the guest driver said of itself, in the register's own bits. */
static ssize_t guest_status_show(struct device *dev,
				 struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%#x\n", READ_ONCE(dev_to_sdev(dev)->guest_status));
}
static DEVICE_ATTR_RO(guest_status);

static ssize_t guest_features_show(struct device *dev,
				   struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%#x\n",
			  READ_ONCE(dev_to_sdev(dev)->guest_features));
}
static DEVICE_ATTR_RO(guest_features);

static ssize_t recover_store(struct device *dev, struct device_attribute *attr,
			     const char *buf, size_t count)
{
	bool val;
	int ret;

	if (kstrtobool(buf, &val) || !val) {
		dev_err_ratelimited(dev, "recover: write 1 to restart the back-end\n");
		return -EINVAL;
	}
	ret = spar_dev_pause(dev_to_sdev(dev));
	if (ret == -ENODEV)
		dev_err_ratelimited(dev, "recover: the device is not open\n");
	else if (ret == -EBUSY)
		dev_err_ratelimited(dev, "recover: the device is not running (see status)\n");
	return ret ? ret : count;
}
static DEVICE_ATTR_WO(recover);

static struct attribute *spar_dev_attrs[] = {
	&dev_attr_ring_slots.attr,
	&dev_attr_recover.attr,
	&dev_attr_busy_poll_us.attr,
	&dev_attr_status.attr,
	&dev_attr_guest_status.attr,
	&dev_attr_guest_features.attr,
	NULL,
};

/* --- stats/ ---------------------------------------------------------- */

#define SPAR_STAT(name, expr)						\
static ssize_t stat_##name##_show(struct device *dev,			\
				  struct device_attribute *attr,	\
				  char *buf)				\
{									\
	struct spar_dev *sdev = dev_to_sdev(dev);			\
									\
	return sysfs_emit(buf, "%llu\n", (unsigned long long)(expr));	\
}									\
static struct device_attribute dev_attr_stat_##name =			\
	__ATTR(name, 0444, stat_##name##_show, NULL)

SPAR_STAT(doorbells, atomic64_read(&sdev->stats.doorbells));
SPAR_STAT(interrupts, spar_irq_raised(&sdev->irq));
SPAR_STAT(poll_passes, atomic64_read(&sdev->stats.poll_passes));
SPAR_STAT(sleeps, atomic64_read(&sdev->stats.sleeps));
SPAR_STAT(protocol_errors, atomic64_read(&sdev->stats.protocol_errors));
SPAR_STAT(resets, atomic64_read(&sdev->stats.resets));
SPAR_STAT(guest_resets, atomic64_read(&sdev->stats.guest_resets));
SPAR_STAT(pin_hits, atomic64_read(&sdev->stats.pin_hits));
SPAR_STAT(pin_misses, atomic64_read(&sdev->stats.pin_misses));
SPAR_STAT(pin_evictions, atomic64_read(&sdev->stats.pin_evictions));
SPAR_STAT(pin_unmap_drops, atomic64_read(&sdev->stats.pin_unmap_drops));
SPAR_STAT(pins_held, READ_ONCE(sdev->pins.count));
SPAR_STAT(pins_owned, atomic64_read(&sdev->stats.pins_owned));
SPAR_STAT(dma_unmaps, atomic64_read(&sdev->stats.dma_unmaps));
SPAR_STAT(pin_quarantine_rw, atomic64_read(&sdev->stats.pin_quarantine_rw));

static struct attribute *spar_stats_attrs[] = {
	&dev_attr_stat_doorbells.attr,
	&dev_attr_stat_interrupts.attr,
	&dev_attr_stat_poll_passes.attr,
	&dev_attr_stat_sleeps.attr,
	&dev_attr_stat_protocol_errors.attr,
	&dev_attr_stat_resets.attr,
	&dev_attr_stat_guest_resets.attr,
	&dev_attr_stat_pin_hits.attr,
	&dev_attr_stat_pin_misses.attr,
	&dev_attr_stat_pin_evictions.attr,
	&dev_attr_stat_pin_unmap_drops.attr,
	&dev_attr_stat_pins_held.attr,
	&dev_attr_stat_pins_owned.attr,
	&dev_attr_stat_dma_unmaps.attr,
	&dev_attr_stat_pin_quarantine_rw.attr,
	NULL,
};

/* --- the attribute groups of every type ------------------------------ */

/*
 * The core's attributes come first in each group, followed by those of
 * every type's back-end; an instance shows the core's and its own type's.
 * Both groups are built once the types are known.
 */
static struct attribute **spar_dev_all_attrs;
static struct attribute **spar_stats_all_attrs;

static unsigned int spar_attrs_count(struct attribute *const *attrs)
{
	unsigned int n = 0;

	while (attrs && attrs[n])
		n++;
	return n;
}

static int spar_attrs_index(struct attribute *const *attrs,
			    const struct attribute *attr)
{
	unsigned int i;

	for (i = 0; attrs && attrs[i]; i++)
		if (attrs[i] == attr)
			return i;
	return -1;
}

/* @grp is the instance's own back-end group for this directory, or NULL. */
static umode_t spar_type_attr_visible(struct kobject *kobj,
				      struct attribute *attr,
				      struct attribute *const *core,
				      const struct attribute_group *grp)
{
	int i;

	if (spar_attrs_index(core, attr) >= 0)
		return attr->mode;
	if (!grp)
		return 0;
	i = spar_attrs_index(grp->attrs, attr);
	if (i < 0)
		return 0;
	return grp->is_visible ? grp->is_visible(kobj, attr, i) : attr->mode;
}

static umode_t spar_dev_attr_visible(struct kobject *kobj,
				     struct attribute *attr, int n)
{
	struct spar_dev *sdev = dev_to_sdev(kobj_to_dev(kobj));

	if (!sdev)
		return 0;
	/* Channels of fixed geometry have no ring_slots to set. */
	if (attr == &dev_attr_ring_slots.attr && !sdev->type->ring_sized)
		return 0;
	return spar_type_attr_visible(kobj, attr, spar_dev_attrs,
				      sdev->type->desc->attrs);
}

static umode_t spar_stats_attr_visible(struct kobject *kobj,
				       struct attribute *attr, int n)
{
	struct spar_dev *sdev = dev_to_sdev(kobj_to_dev(kobj));

	if (!sdev)
		return 0;
	return spar_type_attr_visible(kobj, attr, spar_stats_attrs,
				      sdev->type->desc->stats);
}

static struct attribute_group spar_dev_group = {
	.is_visible = spar_dev_attr_visible,
};

static struct attribute_group spar_stats_group = {
	.name = "stats",
	.is_visible = spar_stats_attr_visible,
};

static const struct attribute_group *spar_mdev_groups[] = {
	&spar_dev_group,
	&spar_stats_group,
	NULL,
};

/*
 * The core's attributes @core, then those of every type's back-end: its
 * counters with @stats, else its attributes.  One array, NULL-terminated.
 */
static struct attribute **spar_attrs_join(struct attribute *const *core,
					  struct spar_type *const *types,
					  unsigned int n, bool stats)
{
	const struct attribute_group *grp;
	struct attribute **all;
	unsigned int i, len = spar_attrs_count(core);

	for (i = 0; i < n; i++) {
		grp = stats ? types[i]->desc->stats : types[i]->desc->attrs;
		len += grp ? spar_attrs_count(grp->attrs) : 0;
	}
	all = kcalloc(len + 1, sizeof(*all), GFP_KERNEL);
	if (!all)
		return NULL;
	len = spar_attrs_count(core);
	memcpy(all, core, len * sizeof(*all));
	for (i = 0; i < n; i++) {
		grp = stats ? types[i]->desc->stats : types[i]->desc->attrs;
		if (!grp)
			continue;
		memcpy(all + len, grp->attrs,
		       spar_attrs_count(grp->attrs) * sizeof(*all));
		len += spar_attrs_count(grp->attrs);
	}
	return all;
}

/**
 * spar_types_groups_init() - the instance attributes of every type
 * @types: the types the parent offers
 * @n: how many
 *
 * Context: module load, before the mdev driver is registered.
 * Return: 0 or -ENOMEM.
 */
int spar_types_groups_init(struct spar_type *const *types, unsigned int n)
{
	spar_dev_all_attrs = spar_attrs_join(spar_dev_attrs, types, n, false);
	spar_stats_all_attrs = spar_attrs_join(spar_stats_attrs, types, n,
					       true);
	if (!spar_dev_all_attrs || !spar_stats_all_attrs) {
		spar_types_groups_exit();
		return -ENOMEM;
	}
	spar_dev_group.attrs = spar_dev_all_attrs;
	spar_stats_group.attrs = spar_stats_all_attrs;
	spar_mdev_driver.driver.dev_groups = spar_mdev_groups;
	return 0;
}

/**
 * spar_types_groups_exit() - free what spar_types_groups_init() built
 *
 * Context: module unload, after the mdev driver is unregistered.
 */
void spar_types_groups_exit(void)
{
	spar_mdev_driver.driver.dev_groups = NULL;
	spar_dev_group.attrs = NULL;
	spar_stats_group.attrs = NULL;
	kfree(spar_dev_all_attrs);
	kfree(spar_stats_all_attrs);
	spar_dev_all_attrs = NULL;
	spar_stats_all_attrs = NULL;
}

struct mdev_driver spar_mdev_driver = {
	.device_api = VFIO_DEVICE_API_PCI_STRING,
	.driver = {
		.name = "spar_mdev",
		.owner = THIS_MODULE,
		.mod_name = KBUILD_MODNAME,
	},
	.probe = spar_mdev_probe,
	.remove = spar_mdev_remove,
	.get_available = spar_get_available,
	.show_description = spar_show_description,
};
