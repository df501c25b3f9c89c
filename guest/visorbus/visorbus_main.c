// SPDX-License-Identifier: GPL-2.0
/*
 * visorbus: the bus type, its devices and the function-driver API.
 *
 * Each spar PCI function is a bus device "visorbus<N>" on this bus, and
 * each channel of its directory a device "vbus<N>:dev<M>" below it (M is
 * the directory entry).  Function drivers match channel type GUIDs.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/idr.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/sysfs.h>

#include "visorbus_private.h"

static DEFINE_IDA(visorbus_ida);
static bool visorbus_initialized;

static const struct device_type visorbus_bus_devtype = {
	.name = "visorbus",
};

static const struct device_type visorbus_chan_devtype = {
	.name = "visorchannel",
};

static bool is_visor_channel_dev(const struct device *dev)
{
	return dev->type == &visorbus_chan_devtype;
}

/**
 * visor_check_channel() - check a channel header against what a driver
 *	expects
 * @ch: the channel header
 * @dev: the device, for messages
 * @expected_uuid: channel type GUID, or the zero GUID for no check
 * @chname: name of the channel type, for messages
 * @expected_min_bytes: smallest acceptable header size field, 0 for none
 * @expected_version: required version_id, 0 for no check
 * @expected_signature: required signature, 0 for no check
 *
 * Context: any context.
 * Return: 1 if the header passes every check, 0 (with a message naming
 * the field) if not.
 */
int visor_check_channel(struct channel_header *ch, struct device *dev,
			const guid_t *expected_uuid, char *chname,
			u64 expected_min_bytes, u32 expected_version,
			u64 expected_signature)
{
	if (!guid_is_null(expected_uuid) &&
	    !guid_equal(&ch->chtype, expected_uuid)) {
		dev_err(dev, "channel mismatch on channel=%s(%pUL) field=type expected=%pUL actual=%pUL\n",
			chname, expected_uuid, expected_uuid, &ch->chtype);
		return 0;
	}
	if (expected_min_bytes > 0 && ch->size < expected_min_bytes) {
		dev_err(dev, "channel mismatch on channel=%s(%pUL) field=size expected=0x%-8.8llx actual=0x%-8.8llx\n",
			chname, expected_uuid, expected_min_bytes, ch->size);
		return 0;
	}
	if (expected_version > 0 && ch->version_id != expected_version) {
		dev_err(dev, "channel mismatch on channel=%s(%pUL) field=version expected=0x%-8.8x actual=0x%-8.8x\n",
			chname, expected_uuid, expected_version,
			ch->version_id);
		return 0;
	}
	if (expected_signature > 0 && ch->signature != expected_signature) {
		dev_err(dev, "channel mismatch on channel=%s(%pUL) field=signature expected=0x%-8.8llx actual=0x%-8.8llx\n",
			chname, expected_uuid, expected_signature,
			ch->signature);
		return 0;
	}
	return 1;
}
EXPORT_SYMBOL_GPL(visor_check_channel);

/* 0 for no match, else 1 + the index of the matching descriptor. */
static int visorbus_match(struct device *xdev, visorbus_match_driver *xdrv)
{
	struct visor_device *dev = to_visor_device(xdev);
	const struct visor_driver *drv = to_visor_driver(xdrv);
	struct visor_channeltype_descriptor *t;
	int i;

	if (!is_visor_channel_dev(xdev) || !drv->channel_types)
		return 0;
	for (i = 0, t = drv->channel_types; !guid_is_null(&t->guid); i++, t++) {
		if (guid_equal(&t->guid, &dev->channel_type_guid) &&
		    visor_check_channel(&dev->visorchannel->chan_hdr, xdev,
					&t->guid, (char *)t->name,
					t->min_bytes, t->version,
					VISOR_CHANNEL_SIGNATURE))
			return i + 1;
	}
	return 0;
}

static int visorbus_uevent(visorbus_uevent_device *xdev,
			   struct kobj_uevent_env *env)
{
	const struct visor_device *dev = to_visor_device(xdev);

	if (!is_visor_channel_dev(xdev))
		return 0;
	return add_uevent_var(env, "MODALIAS=visorbus:%pUl",
			      &dev->channel_type_guid);
}

static int visorbus_probe(struct device *xdev)
{
	struct visor_device *dev = to_visor_device(xdev);
	struct visor_driver *drv = to_visor_driver(xdev->driver);
	struct visorbus_pci *vb = dev->priv;
	int ret;

	mutex_lock(&dev->visordriver_callback_lock);
	if (dev->being_removed) {
		ret = -ENODEV;
	} else if (READ_ONCE(vb->quiesced)) {
		/* Attached again when the function resumes. */
		ret = -EPROBE_DEFER;
	} else {
		ret = drv->probe(dev);
		if (!ret) {
			set_bit(VISORBUS_F_BOUND, &dev->flags);
			dev->state.attached = 1;
			dev->state.running = 1;
		}
	}
	mutex_unlock(&dev->visordriver_callback_lock);
	return ret;
}

/* A pause completion that will never come counts as done. */
static void visorbus_pause_done(struct visor_device *dev)
{
	struct visorbus_pci *vb = dev->priv;

	if (test_and_clear_bit(VISORBUS_F_PAUSE_PENDING, &dev->flags) &&
	    atomic_dec_and_test(&vb->pause_pending))
		wake_up(&vb->wq);
}

static void visorbus_remove(struct device *xdev)
{
	struct visor_device *dev = to_visor_device(xdev);
	struct visor_driver *drv = to_visor_driver(xdev->driver);

	mutex_lock(&dev->visordriver_callback_lock);
	drv->remove(dev);
	clear_bit(VISORBUS_F_BOUND, &dev->flags);
	clear_bit(VISORBUS_F_PAUSED, &dev->flags);
	visorbus_pause_done(dev);
	dev->pausing = false;
	dev->resuming = false;
	dev->state.attached = 0;
	dev->state.running = 0;
	mutex_unlock(&dev->visordriver_callback_lock);
	/* As upstream: the bus stops the callbacks once remove returns. */
	visorbus_disable_channel_interrupts(dev);
}

/* --- sysfs: channel devices ------------------------------------------ */

static ssize_t physaddr_show(struct device *xdev,
			     struct device_attribute *attr, char *buf)
{
	struct visor_device *dev = to_visor_device(xdev);

	return sysfs_emit(buf, "0x%llx\n", dev->visorchannel->physaddr);
}
static DEVICE_ATTR_RO(physaddr);

static ssize_t nbytes_show(struct device *xdev, struct device_attribute *attr,
			   char *buf)
{
	struct visor_device *dev = to_visor_device(xdev);

	return sysfs_emit(buf, "0x%lx\n",
			  (unsigned long)dev->visorchannel->nbytes);
}
static DEVICE_ATTR_RO(nbytes);

static ssize_t clientpartition_show(struct device *xdev,
				    struct device_attribute *attr, char *buf)
{
	struct visor_device *dev = to_visor_device(xdev);

	return sysfs_emit(buf, "0x%llx\n",
			  dev->visorchannel->chan_hdr.partition_handle);
}
static DEVICE_ATTR_RO(clientpartition);

static ssize_t typeguid_show(struct device *xdev,
			     struct device_attribute *attr, char *buf)
{
	struct visor_device *dev = to_visor_device(xdev);

	return sysfs_emit(buf, "%pUL\n", &dev->channel_type_guid);
}
static DEVICE_ATTR_RO(typeguid);

static ssize_t zoneguid_show(struct device *xdev,
			     struct device_attribute *attr, char *buf)
{
	struct visor_device *dev = to_visor_device(xdev);

	return sysfs_emit(buf, "%pUL\n", &dev->visorchannel->chan_hdr.zone_guid);
}
static DEVICE_ATTR_RO(zoneguid);

/* The matching descriptor's name; nothing at all while unbound. */
static ssize_t typename_show(struct device *xdev,
			     struct device_attribute *attr, char *buf)
{
	struct visor_driver *drv;
	ssize_t len = 0;
	int i;

	device_lock(xdev);
	if (xdev->driver) {
		drv = to_visor_driver(xdev->driver);
		i = visorbus_match(xdev, xdev->driver);
		if (i)
			len = sysfs_emit(buf, "%s\n",
					 drv->channel_types[i - 1].name);
	}
	device_unlock(xdev);
	return len;
}
static DEVICE_ATTR_RO(typename);

static ssize_t modalias_show(struct device *xdev,
			     struct device_attribute *attr, char *buf)
{
	struct visor_device *dev = to_visor_device(xdev);

	return sysfs_emit(buf, "visorbus:%pUl\n", &dev->channel_type_guid);
}
static DEVICE_ATTR_RO(modalias);

static struct attribute *visorbus_chan_attrs[] = {
	&dev_attr_physaddr.attr,
	&dev_attr_nbytes.attr,
	&dev_attr_clientpartition.attr,
	&dev_attr_typeguid.attr,
	&dev_attr_zoneguid.attr,
	&dev_attr_typename.attr,
	&dev_attr_modalias.attr,
	NULL,
};
ATTRIBUTE_GROUPS(visorbus_chan);

/* --- sysfs: bus devices ---------------------------------------------- */

static struct visorbus_pci *to_vb(struct device *xdev)
{
	return to_visor_device(xdev)->priv;
}

static ssize_t partition_handle_show(struct device *xdev,
				     struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "0x%llx\n",
			  le64_to_cpu(to_vb(xdev)->dir[0].partition_handle));
}
static DEVICE_ATTR_RO(partition_handle);

static ssize_t partition_guid_show(struct device *xdev,
				   struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "{%pUb}\n",
			  &to_visor_device(xdev)->partition_guid);
}
static DEVICE_ATTR_RO(partition_guid);

static ssize_t partition_name_show(struct device *xdev,
				   struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%s\n", pci_name(to_vb(xdev)->pdev));
}
static DEVICE_ATTR_RO(partition_name);

static ssize_t channel_addr_show(struct device *xdev,
				 struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "0x%llx\n", (u64)to_vb(xdev)->mem_phys);
}
static DEVICE_ATTR_RO(channel_addr);

static ssize_t channel_bytes_show(struct device *xdev,
				  struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "0x%llx\n", to_vb(xdev)->mem_size);
}
static DEVICE_ATTR_RO(channel_bytes);

static ssize_t channel_id_show(struct device *xdev,
			       struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%pUL\n", &to_vb(xdev)->dir[0].type_guid);
}
static DEVICE_ATTR_RO(channel_id);

static struct attribute *visorbus_bus_attrs[] = {
	&dev_attr_partition_handle.attr,
	&dev_attr_partition_guid.attr,
	&dev_attr_partition_name.attr,
	&dev_attr_channel_addr.attr,
	&dev_attr_channel_bytes.attr,
	&dev_attr_channel_id.attr,
	NULL,
};
ATTRIBUTE_GROUPS(visorbus_bus);

static visorbus_bus_type visorbus_type = {
	.name = "visorbus",
	.match = visorbus_match,
	.uevent = visorbus_uevent,
	.probe = visorbus_probe,
	.remove = visorbus_remove,
};

/* --- the function-driver API ----------------------------------------- */

/**
 * visorbus_register_visor_driver() - register a function driver
 * @drv: the driver; probe, remove, pause and resume are required
 *
 * Context: process context.
 * Return: 0; -ENODEV if the bus is not initialised; -EINVAL if a required
 * callback is missing; else the driver core's error.
 */
int visorbus_register_visor_driver(struct visor_driver *drv)
{
	if (!visorbus_initialized)
		return -ENODEV;
	if (!drv->probe || !drv->remove || !drv->pause || !drv->resume)
		return -EINVAL;
	drv->driver.name = drv->name;
	drv->driver.bus = &visorbus_type;
	drv->driver.owner = drv->owner;
	return driver_register(&drv->driver);
}
EXPORT_SYMBOL_GPL(visorbus_register_visor_driver);

/**
 * visorbus_unregister_visor_driver() - unregister a function driver
 * @drv: the driver
 *
 * Every device bound to @drv is removed from it first.
 *
 * Context: process context.
 */
void visorbus_unregister_visor_driver(struct visor_driver *drv)
{
	driver_unregister(&drv->driver);
}
EXPORT_SYMBOL_GPL(visorbus_unregister_visor_driver);

/**
 * visorbus_read_channel() - copy bytes out of a device's channel
 * @dev: the device
 * @offset: byte offset in the channel
 * @dest: destination
 * @nbytes: bytes to copy
 *
 * Context: any context.
 * Return: 0, or -EIO if the range is not inside the channel.
 */
int visorbus_read_channel(struct visor_device *dev, unsigned long offset,
			  void *dest, unsigned long nbytes)
{
	if (!dev->visorchannel)
		return -EIO;
	return visorchannel_read(dev->visorchannel, offset, dest, nbytes);
}
EXPORT_SYMBOL_GPL(visorbus_read_channel);

/**
 * visorbus_write_channel() - copy bytes into a device's channel
 * @dev: the device
 * @offset: byte offset in the channel
 * @src: source
 * @nbytes: bytes to copy
 *
 * The transport lets a guest write only the features word of the channel
 * header (and, of course, the queues through the visorchannel calls).
 *
 * Context: any context.
 * Return: 0, or -EIO if the range is not inside the channel.
 */
int visorbus_write_channel(struct visor_device *dev, unsigned long offset,
			   void *src, unsigned long nbytes)
{
	if (!dev->visorchannel)
		return -EIO;
	return visorchannel_write(dev->visorchannel, offset, src, nbytes);
}
EXPORT_SYMBOL_GPL(visorbus_write_channel);

/**
 * visorbus_get_device_features() - device features the host offers
 * @dev: the device
 *
 * Not in the s-Par API.  The bits of the transport's HOST_FEATURES that
 * belong to the device type (SPAR_TRANSPORT_F_DEVICE_MASK): extensions of
 * the channel protocol that the driver may accept with
 * visorbus_set_device_features().  A driver that never calls these speaks
 * the protocol as s-Par defined it.
 *
 * Context: any context.
 * Return: the offered bits, 0 for a device without a channel.
 */
u32 visorbus_get_device_features(struct visor_device *dev)
{
	struct visorbus_pci *vb = dev->priv;

	if (!vb || !dev->visorchannel)
		return 0;
	return ioread32(vb->regs + SPAR_REG_HOST_FEATURES) &
	       SPAR_TRANSPORT_F_DEVICE_MASK;
}
EXPORT_SYMBOL_GPL(visorbus_get_device_features);

/**
 * visorbus_set_device_features() - accept device features
 * @dev: the device
 * @features: SPAR_TRANSPORT_F_DEVICE_MASK bits, a subset of what
 *	visorbus_get_device_features() returned; 0 to go back to the plain
 *	protocol
 *
 * Not in the s-Par API.  When the host takes the accepted bits up is the
 * device type's rule (a spar-nic channel: at its next NET_RCV_ENBDIS
 * enable).  The bus writes them again after any reset of the function.
 *
 * Context: process context; sleeps.
 * Return: the bits the host recorded, which the driver must use.
 */
u32 visorbus_set_device_features(struct visor_device *dev, u32 features)
{
	struct visorbus_pci *vb = dev->priv;
	u32 got;

	if (!vb || !dev->visorchannel)
		return 0;
	features &= SPAR_TRANSPORT_F_DEVICE_MASK;
	mutex_lock(&vb->feat_lock);
	iowrite32(vb->features | features, vb->regs + SPAR_REG_GUEST_FEATURES);
	got = ioread32(vb->regs + SPAR_REG_GUEST_FEATURES) &
	      SPAR_TRANSPORT_F_DEVICE_MASK;
	vb->dev_features = got;
	mutex_unlock(&vb->feat_lock);
	return got;
}
EXPORT_SYMBOL_GPL(visorbus_set_device_features);

/**
 * visorbus_enable_channel_interrupts() - start calling channel_interrupt
 * @dev: the device, bound to a driver
 *
 * From now on the driver's channel_interrupt runs, in softirq context,
 * after every interrupt of the spar function (or every VISORBUS_POLL_MS
 * milliseconds if it has no usable interrupt), and once soon after this
 * call.
 *
 * Context: process context.
 * Return: 0; -ENOENT if the driver has no channel_interrupt; -EINVAL if
 * already enabled or the device is being removed.
 */
int visorbus_enable_channel_interrupts(struct visor_device *dev)
{
	struct visorbus_pci *vb = dev->priv;
	struct visor_driver *drv;
	int ret = 0;

	if (!dev->device.driver)
		return -ENOENT;
	drv = to_visor_driver(dev->device.driver);
	if (!drv->channel_interrupt)
		return -ENOENT;
	if (!dev->visorchannel)
		return -EINVAL;
	spin_lock_bh(&vb->irq_lock);
	if (dev->timer_active || dev->being_removed)
		ret = -EINVAL;
	else
		dev->timer_active = true;
	spin_unlock_bh(&vb->irq_lock);
	if (!ret && vb->have_irq)
		tasklet_schedule(&vb->tasklet);
	return ret;
}
EXPORT_SYMBOL_GPL(visorbus_enable_channel_interrupts);

/**
 * visorbus_disable_channel_interrupts() - stop calling channel_interrupt
 * @dev: the device
 *
 * Synchronous: once this returns the callback is not running and will not
 * run again.  Must not be called from the callback itself.
 *
 * Context: process context.
 */
void visorbus_disable_channel_interrupts(struct visor_device *dev)
{
	struct visorbus_pci *vb = dev->priv;

	if (!vb)
		return;
	spin_lock_bh(&vb->irq_lock);
	dev->timer_active = false;
	spin_unlock_bh(&vb->irq_lock);
}
EXPORT_SYMBOL_GPL(visorbus_disable_channel_interrupts);

struct visorbus_devid {
	u32 bus_no;
	u32 dev_no;
};

static int visorbus_match_id(struct device *xdev, const void *data)
{
	const struct visorbus_devid *id = data;
	struct visor_device *dev = to_visor_device(xdev);

	return dev->chipset_bus_no == id->bus_no &&
	       dev->chipset_dev_no == id->dev_no;
}

/**
 * visorbus_get_device_by_id() - find a device by its numbers
 * @bus_no: bus number (N of "visorbus<N>")
 * @dev_no: device number, or BUS_ROOT_DEVICE for the bus device itself
 * @from: device to start after, or NULL
 *
 * Context: process context.
 * Return: the device with a reference held (drop it with
 * put_device(&dev->device)), or NULL.
 */
struct visor_device *visorbus_get_device_by_id(u32 bus_no, u32 dev_no,
					       struct visor_device *from)
{
	struct visorbus_devid id = { .bus_no = bus_no, .dev_no = dev_no };
	struct device *xdev;

	xdev = bus_find_device(&visorbus_type, from ? &from->device : NULL,
			       &id, visorbus_match_id);
	return xdev ? to_visor_device(xdev) : NULL;
}
EXPORT_SYMBOL_GPL(visorbus_get_device_by_id);

/* --- pause and resume of one device ---------------------------------- */

static void visorbus_pause_complete(struct visor_device *dev, int status)
{
	if (status)
		dev_warn(&dev->device, "pause failed (%d)\n", status);
	dev->pausing = false;
	visorbus_pause_done(dev);
}

static void visorbus_resume_complete(struct visor_device *dev, int status)
{
	if (status)
		dev_warn(&dev->device, "resume failed (%d)\n", status);
	dev->resuming = false;
}

/**
 * visorbus_pause_device() - ask a bound driver to pause
 * @dev: a channel device
 *
 * Counts a completion in the function's pause_pending unless the driver
 * refuses at once.
 *
 * Context: process context; takes the device's callback lock.
 */
void visorbus_pause_device(struct visor_device *dev)
{
	struct visorbus_pci *vb = dev->priv;
	struct visor_driver *drv;
	int ret;

	mutex_lock(&dev->visordriver_callback_lock);
	if (!test_bit(VISORBUS_F_BOUND, &dev->flags) || dev->being_removed)
		goto out;
	drv = to_visor_driver(dev->device.driver);
	set_bit(VISORBUS_F_PAUSED, &dev->flags);
	dev->pausing = true;
	dev->state.running = 0;
	atomic_inc(&vb->pause_pending);
	set_bit(VISORBUS_F_PAUSE_PENDING, &dev->flags);
	ret = drv->pause(dev, visorbus_pause_complete);
	if (ret) {
		dev_warn(&dev->device, "pause failed (%d)\n", ret);
		dev->pausing = false;
		visorbus_pause_done(dev);
	}
out:
	mutex_unlock(&dev->visordriver_callback_lock);
}

/**
 * visorbus_resume_device() - resume a driver the bus paused
 * @dev: a channel device
 *
 * Context: process context; takes the device's callback lock.
 */
void visorbus_resume_device(struct visor_device *dev)
{
	struct visor_driver *drv;
	int ret;

	mutex_lock(&dev->visordriver_callback_lock);
	if (!test_and_clear_bit(VISORBUS_F_PAUSED, &dev->flags) ||
	    !test_bit(VISORBUS_F_BOUND, &dev->flags) || dev->being_removed)
		goto out;
	drv = to_visor_driver(dev->device.driver);
	dev->resuming = true;
	dev->state.running = 1;
	ret = drv->resume(dev, visorbus_resume_complete);
	if (ret) {
		dev_warn(&dev->device, "resume failed (%d)\n", ret);
		dev->resuming = false;
	}
out:
	mutex_unlock(&dev->visordriver_callback_lock);
}

/**
 * visorbus_dispatch() - run channel_interrupt of every device that wants it
 * @vb: the function
 *
 * Context: softirq (the interrupt tasklet or the poll timer).
 */
void visorbus_dispatch(struct visorbus_pci *vb)
{
	struct visor_device *dev;
	unsigned int i;

	spin_lock(&vb->irq_lock);
	for (i = 0; i < ARRAY_SIZE(vb->devs); i++) {
		dev = vb->devs[i];
		/*
		 * A driver being removed still gets its callbacks until its
		 * remove() returns (it may wait for the host's answers);
		 * the bus clears timer_active then.  timer_active is only
		 * set while a driver is bound.
		 */
		if (!dev || !dev->timer_active)
			continue;
		to_visor_driver(dev->device.driver)->channel_interrupt(dev);
	}
	spin_unlock(&vb->irq_lock);
}

/* --- creating and removing devices ----------------------------------- */

static void visorbus_release_device(struct device *xdev)
{
	struct visor_device *dev = to_visor_device(xdev);

	kfree(dev->visorchannel);
	kfree(dev);
}

static struct visor_device *visorbus_alloc_device(struct visorbus_pci *vb)
{
	struct visor_device *dev;

	dev = kzalloc(sizeof(*dev), GFP_KERNEL);
	if (!dev)
		return NULL;
	dev->priv = vb;
	dev->chipset_bus_no = vb->bus_no;
	mutex_init(&dev->visordriver_callback_lock);
	INIT_LIST_HEAD(&dev->list_all);
	device_initialize(&dev->device);
	dev->device.bus = &visorbus_type;
	dev->device.release = visorbus_release_device;
	return dev;
}

/* A GUID naming the PCI function: vendor, device, domain, bus, slot, fn. */
static void visorbus_partition_guid(struct pci_dev *pdev, guid_t *g)
{
	u32 domain = pci_domain_nr(pdev->bus);

	memset(g, 0, sizeof(*g));
	g->b[0] = pdev->vendor & 0xff;
	g->b[1] = pdev->vendor >> 8;
	g->b[2] = pdev->device & 0xff;
	g->b[3] = pdev->device >> 8;
	g->b[4] = domain & 0xff;
	g->b[5] = (domain >> 8) & 0xff;
	g->b[6] = (domain >> 16) & 0xff;
	g->b[7] = domain >> 24;
	g->b[8] = pdev->bus->number;
	g->b[9] = PCI_SLOT(pdev->devfn);
	g->b[10] = PCI_FUNC(pdev->devfn);
}

/**
 * visorbus_create_bus() - create the bus device "visorbus<N>"
 * @vb: the function, with a validated directory
 *
 * Context: process context.
 * Return: 0 or a negative errno.
 */
int visorbus_create_bus(struct visorbus_pci *vb)
{
	struct visor_device *dev;
	int ret;

	ret = ida_alloc(&visorbus_ida, GFP_KERNEL);
	if (ret < 0)
		return ret;
	vb->bus_no = ret;
	dev = visorbus_alloc_device(vb);
	if (!dev) {
		ida_free(&visorbus_ida, vb->bus_no);
		return -ENOMEM;
	}
	dev->chipset_dev_no = BUS_ROOT_DEVICE;
	visorbus_partition_guid(vb->pdev, &dev->partition_guid);
	dev->device.type = &visorbus_bus_devtype;
	dev->device.groups = visorbus_bus_groups;
	dev->device.parent = &vb->pdev->dev;
	dev->state.created = 1;
	ret = dev_set_name(&dev->device, "visorbus%d", vb->bus_no);
	if (!ret)
		ret = device_add(&dev->device);
	if (ret) {
		put_device(&dev->device);
		ida_free(&visorbus_ida, vb->bus_no);
		return ret;
	}
	vb->bus_dev = dev;
	return 0;
}

/**
 * visorbus_remove_bus() - remove the bus device; its children are gone
 * @vb: the function
 *
 * Context: process context.
 */
void visorbus_remove_bus(struct visorbus_pci *vb)
{
	if (!vb->bus_dev)
		return;
	device_unregister(&vb->bus_dev->device);
	vb->bus_dev = NULL;
	ida_free(&visorbus_ida, vb->bus_no);
}

/**
 * visorbus_create_device() - create "vbus<N>:dev<entry>"
 * @vb: the function, with its bus device
 * @entry: a validated directory entry
 *
 * Drivers may bind before this returns.
 *
 * Context: process context.
 * Return: 0 or a negative errno.
 */
int visorbus_create_device(struct visorbus_pci *vb, unsigned int entry)
{
	struct visor_device *dev;
	int ret;

	dev = visorbus_alloc_device(vb);
	if (!dev)
		return -ENOMEM;
	dev->visorchannel = kzalloc(sizeof(*dev->visorchannel), GFP_KERNEL);
	if (!dev->visorchannel) {
		ret = -ENOMEM;
		goto err_put;
	}
	ret = visorchannel_init(dev->visorchannel, vb, entry);
	if (ret) {
		pci_err(vb->pdev, "channel %u has no usable queue headers\n",
			entry);
		goto err_put;
	}
	dev->chipset_dev_no = entry;
	guid_copy(&dev->channel_type_guid, &dev->visorchannel->guid);
	guid_copy(&dev->inst, &dev->visorchannel->chan_hdr.zone_guid);
	guid_copy(&dev->partition_guid, &vb->bus_dev->partition_guid);
	dev->device.type = &visorbus_chan_devtype;
	dev->device.groups = visorbus_chan_groups;
	dev->device.parent = &vb->bus_dev->device;
	dev->state.created = 1;
	ret = dev_set_name(&dev->device, "vbus%d:dev%u", vb->bus_no, entry);
	if (ret)
		goto err_put;

	spin_lock_bh(&vb->irq_lock);
	vb->devs[entry] = dev;
	spin_unlock_bh(&vb->irq_lock);
	ret = device_add(&dev->device);
	if (ret) {
		spin_lock_bh(&vb->irq_lock);
		vb->devs[entry] = NULL;
		spin_unlock_bh(&vb->irq_lock);
		goto err_put;
	}
	return 0;

err_put:
	put_device(&dev->device);
	return ret;
}

/**
 * visorbus_remove_device() - remove a channel device (unbinding its driver)
 * @vb: the function
 * @entry: directory entry of the device
 *
 * Context: process context.
 */
void visorbus_remove_device(struct visorbus_pci *vb, unsigned int entry)
{
	struct visor_device *dev = vb->devs[entry];

	if (!dev)
		return;
	mutex_lock(&dev->visordriver_callback_lock);
	dev->being_removed = true;
	mutex_unlock(&dev->visordriver_callback_lock);
	device_del(&dev->device);
	spin_lock_bh(&vb->irq_lock);
	vb->devs[entry] = NULL;
	spin_unlock_bh(&vb->irq_lock);
	put_device(&dev->device);
}

static int __init visorbus_init(void)
{
	int ret;

	ret = bus_register(&visorbus_type);
	if (ret)
		return ret;
	visorbus_initialized = true;
	ret = pci_register_driver(&visorbus_pci_driver);
	if (ret) {
		visorbus_initialized = false;
		bus_unregister(&visorbus_type);
	}
	return ret;
}

static void __exit visorbus_exit(void)
{
	pci_unregister_driver(&visorbus_pci_driver);
	visorbus_initialized = false;
	bus_unregister(&visorbus_type);
	ida_destroy(&visorbus_ida);
}

module_init(visorbus_init);
module_exit(visorbus_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("s-Par visorbus over the spar PCI transport");
