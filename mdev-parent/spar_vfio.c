// SPDX-License-Identifier: GPL-2.0
/*
 * spar-mdev host module: the VFIO device, as a PCI function.
 *
 * Regions: configuration space, BAR0 (channel memory, mmap-able so that
 * guest accesses never exit) and BAR2 (trapped registers).  Interrupts:
 * INTx, MSI and REQ.  The ioctl switch calls one helper per request.
 */
#include <linux/mm.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>

#include "spar_mdev.h"

static u64 spar_region_size(struct spar_dev *sdev, unsigned int index)
{
	switch (index) {
	case VFIO_PCI_CONFIG_REGION_INDEX:
		return SPAR_CFG_SIZE;
	case VFIO_PCI_BAR0_REGION_INDEX:
		return sdev->bar0_size;
	case VFIO_PCI_BAR2_REGION_INDEX:
		return SPAR_TRANSPORT_REGS_SIZE;
	default:
		return 0;
	}
}

static long spar_ioctl_get_info(struct spar_dev *sdev, void __user *arg)
{
	unsigned long minsz = offsetofend(struct vfio_device_info, num_irqs);
	struct vfio_device_info info;

	if (copy_from_user(&info, arg, minsz))
		return -EFAULT;
	if (info.argsz < minsz)
		return -EINVAL;
	info.flags = VFIO_DEVICE_FLAGS_PCI | VFIO_DEVICE_FLAGS_RESET;
	info.num_regions = VFIO_PCI_NUM_REGIONS;
	info.num_irqs = VFIO_PCI_NUM_IRQS;
	return copy_to_user(arg, &info, minsz) ? -EFAULT : 0;
}

static long spar_ioctl_region_info(struct spar_dev *sdev, void __user *arg)
{
	unsigned long minsz = offsetofend(struct vfio_region_info, offset);
	struct vfio_region_info info;

	if (copy_from_user(&info, arg, minsz))
		return -EFAULT;
	if (info.argsz < minsz || info.index >= VFIO_PCI_NUM_REGIONS)
		return -EINVAL;

	mutex_lock(&sdev->lock);
	info.offset = SPAR_REGION_BASE(info.index);
	info.size = spar_region_size(sdev, info.index);
	mutex_unlock(&sdev->lock);
	info.flags = 0;
	info.cap_offset = 0;
	if (info.size)
		info.flags = VFIO_REGION_INFO_FLAG_READ |
			     VFIO_REGION_INFO_FLAG_WRITE;
	if (info.index == VFIO_PCI_BAR0_REGION_INDEX)
		info.flags |= VFIO_REGION_INFO_FLAG_MMAP;
	return copy_to_user(arg, &info, minsz) ? -EFAULT : 0;
}

static long spar_ioctl_irq_info(struct spar_dev *sdev, void __user *arg)
{
	unsigned long minsz = offsetofend(struct vfio_irq_info, count);
	struct vfio_irq_info info;
	int ret;

	if (copy_from_user(&info, arg, minsz))
		return -EFAULT;
	if (info.argsz < minsz || info.index >= VFIO_PCI_NUM_IRQS)
		return -EINVAL;
	ret = spar_irq_get_info(&info);
	if (ret)
		return ret;
	return copy_to_user(arg, &info, minsz) ? -EFAULT : 0;
}

static long spar_ioctl_set_irqs(struct spar_dev *sdev, void __user *arg)
{
	unsigned long minsz = offsetofend(struct vfio_irq_set, count);
	struct vfio_irq_info info;
	struct vfio_irq_set hdr;
	size_t data_size = 0;
	void *data = NULL;
	int ret;

	if (copy_from_user(&hdr, arg, minsz))
		return -EFAULT;
	if (hdr.index >= VFIO_PCI_NUM_IRQS)
		return -EINVAL;
	info.index = hdr.index;
	ret = spar_irq_get_info(&info);
	if (ret)
		return ret;
	ret = vfio_set_irqs_validate_and_prepare(&hdr, info.count,
						 VFIO_PCI_NUM_IRQS, &data_size);
	if (ret)
		return ret;
	if (data_size) {
		data = memdup_user(arg + minsz, data_size);
		if (IS_ERR(data))
			return PTR_ERR(data);
	}

	mutex_lock(&sdev->lock);
	ret = spar_irq_set(&sdev->irq, &hdr, data);
	mutex_unlock(&sdev->lock);
	kfree(data);
	return ret;
}

/* A function reset: the channels as after any reset, and power-on config. */
static long spar_ioctl_reset(struct spar_dev *sdev)
{
	int ret = spar_dev_reset(sdev);

	mutex_lock(&sdev->lock);
	spar_cfg_setup(sdev);
	mutex_unlock(&sdev->lock);
	return ret;
}

static long spar_vfio_ioctl(struct vfio_device *vdev, unsigned int cmd,
			    unsigned long arg)
{
	struct spar_dev *sdev = to_spar_dev(vdev);
	void __user *uarg = (void __user *)arg;

	switch (cmd) {
	case VFIO_DEVICE_GET_INFO:
		return spar_ioctl_get_info(sdev, uarg);
	case VFIO_DEVICE_GET_REGION_INFO:
		return spar_ioctl_region_info(sdev, uarg);
	case VFIO_DEVICE_GET_IRQ_INFO:
		return spar_ioctl_irq_info(sdev, uarg);
	case VFIO_DEVICE_SET_IRQS:
		return spar_ioctl_set_irqs(sdev, uarg);
	case VFIO_DEVICE_RESET:
		return spar_ioctl_reset(sdev);
	default:
		return -ENOTTY;
	}
}

/* Largest access that is one naturally aligned config/register access. */
static unsigned int spar_access_len(u64 off, size_t count)
{
	if (count >= 4 && IS_ALIGNED(off, 4))
		return 4;
	if (count >= 2 && IS_ALIGNED(off, 2))
		return 2;
	return 1;
}

static int spar_cfg_rw(struct spar_dev *sdev, u64 off, u8 *val,
		       unsigned int len, bool write)
{
	int ret;

	mutex_lock(&sdev->lock);
	if (write) {
		ret = spar_cfg_write(&sdev->cfg, off, val, len);
		spar_dev_command_sync(sdev);
	} else {
		spar_cfg_set_intx_pending(&sdev->cfg,
					  spar_irq_intx_asserted(&sdev->irq));
		ret = spar_cfg_read(&sdev->cfg, off, val, len);
	}
	mutex_unlock(&sdev->lock);
	return ret;
}

static void spar_bar2_rw(struct spar_dev *sdev, u64 off, u8 *val,
			 unsigned int len, bool write)
{
	/* Registers are 32-bit; any other access reads 0 and is ignored. */
	if (len != 4) {
		if (!write)
			memset(val, 0, len);
		return;
	}
	if (write)
		spar_regs_write(sdev, off, get_unaligned_le32(val));
	else
		put_unaligned_le32(spar_regs_read(sdev, off), val);
}

/* Config space and BAR2: split into naturally aligned small accesses. */
static ssize_t spar_small_rw(struct spar_dev *sdev, unsigned int index,
			     u64 off, char __user *buf, size_t count,
			     bool write)
{
	size_t done = 0;
	u8 val[4];
	int ret;

	while (done < count) {
		unsigned int len = spar_access_len(off + done, count - done);

		if (write && copy_from_user(val, buf + done, len))
			return -EFAULT;
		if (index == VFIO_PCI_CONFIG_REGION_INDEX) {
			ret = spar_cfg_rw(sdev, off + done, val, len, write);
			if (ret)
				return ret;
		} else {
			spar_bar2_rw(sdev, off + done, val, len, write);
		}
		if (!write && copy_to_user(buf + done, val, len))
			return -EFAULT;
		done += len;
	}
	return done;
}

static ssize_t spar_bar0_rw(struct spar_dev *sdev, u64 off, char __user *buf,
			    size_t count, bool write)
{
	unsigned long left;

	/* Bounds were checked by the caller against bar0_size. */
	if (write)
		left = copy_from_user(sdev->bar0 + off, buf, count);
	else
		left = copy_to_user(buf, sdev->bar0 + off, count);
	return left ? -EFAULT : count;
}

static ssize_t spar_rw(struct spar_dev *sdev, char __user *buf, size_t count,
		       loff_t *ppos, bool write)
{
	unsigned int index = SPAR_REGION_INDEX((u64)*ppos);
	u64 off = SPAR_REGION_OFFSET((u64)*ppos);
	bool decoded;
	u64 size;
	ssize_t ret;

	if (*ppos < 0 || index >= VFIO_PCI_NUM_REGIONS)
		return -EINVAL;
	mutex_lock(&sdev->lock);
	size = spar_region_size(sdev, index);
	/* Memory Space Enable gates both BARs; config space is always there. */
	decoded = index == VFIO_PCI_CONFIG_REGION_INDEX ||
		  spar_cfg_memory_enabled(&sdev->cfg);
	mutex_unlock(&sdev->lock);
	if (!count || off >= size || count > size - off)
		return -EINVAL;
	if (!decoded)
		return -EIO;

	if (index == VFIO_PCI_BAR0_REGION_INDEX)
		ret = spar_bar0_rw(sdev, off, buf, count, write);
	else
		ret = spar_small_rw(sdev, index, off, buf, count, write);
	if (ret > 0)
		*ppos += ret;
	return ret;
}

static ssize_t spar_vfio_read(struct vfio_device *vdev, char __user *buf,
			      size_t count, loff_t *ppos)
{
	return spar_rw(to_spar_dev(vdev), buf, count, ppos, false);
}

static ssize_t spar_vfio_write(struct vfio_device *vdev,
			       const char __user *buf, size_t count,
			       loff_t *ppos)
{
	return spar_rw(to_spar_dev(vdev), (char __user *)buf, count, ppos,
		       true);
}

static int spar_vfio_mmap(struct vfio_device *vdev, struct vm_area_struct *vma)
{
	struct spar_dev *sdev = to_spar_dev(vdev);
	u64 start = (u64)vma->vm_pgoff << PAGE_SHIFT;
	u64 len = vma->vm_end - vma->vm_start;
	u64 off = SPAR_REGION_OFFSET(start);

	if (SPAR_REGION_INDEX(start) != VFIO_PCI_BAR0_REGION_INDEX)
		return -EINVAL;
	if (!(vma->vm_flags & VM_SHARED))
		return -EINVAL;

	/*
	 * No sdev->lock here: mmap runs under the caller's mmap_lock, which
	 * pinning takes inside sdev->lock (through the pin cache and the
	 * IOMMU), so taking it here could deadlock.  None is needed: BAR0 is
	 * only reallocated while the device is closed, and an mmap needs an
	 * open device.
	 */
	if (off >= sdev->bar0_size || len > sdev->bar0_size - off)
		return -EINVAL;
	return remap_vmalloc_range(vma, sdev->bar0, off >> PAGE_SHIFT);
}

static void spar_vfio_request(struct vfio_device *vdev, unsigned int count)
{
	struct spar_dev *sdev = to_spar_dev(vdev);

	if (spar_irq_request(&sdev->irq)) {
		if (!count)
			dev_info(spar_dev_device(sdev),
				 "removal: asked the user to release the device\n");
	} else if (!count) {
		dev_notice(spar_dev_device(sdev),
			   "removal: the user set up no release request; waiting until it closes the device\n");
	}
}

static void spar_vfio_dma_unmap(struct vfio_device *vdev, u64 iova, u64 length)
{
	spar_pins_unmap(to_spar_dev(vdev), iova, length);
}

/* Closed: no worker may start, and none runs for the opener any more. */
static void spar_vfio_forget_owner(struct spar_dev *sdev)
{
	struct task_struct *owner;

	mutex_lock(&sdev->lock);
	sdev->open = false;
	owner = sdev->owner;
	sdev->owner = NULL;
	mutex_unlock(&sdev->lock);
	if (owner)
		put_task_struct(owner);
}

static int spar_vfio_open(struct vfio_device *vdev)
{
	struct spar_dev *sdev = to_spar_dev(vdev);
	int ret;

	mutex_lock(&sdev->lock);
	sdev->open = true;
	sdev->owner = get_task_struct(current);
	mutex_unlock(&sdev->lock);
	ret = spar_dev_reset(sdev);
	if (ret)
		spar_vfio_forget_owner(sdev);
	return ret;
}

static void spar_vfio_close(struct vfio_device *vdev)
{
	struct spar_dev *sdev = to_spar_dev(vdev);

	spar_vfio_forget_owner(sdev);
	/* Quiesces, forgets guest state and unpins, as a reset does. */
	spar_dev_reset(sdev);
	spar_irq_disable_all(&sdev->irq);
}

const struct vfio_device_ops spar_vfio_ops = {
	.name = "spar-mdev",
	.init = spar_dev_init,
	.release = spar_dev_release,
	.open_device = spar_vfio_open,
	.close_device = spar_vfio_close,
	.read = spar_vfio_read,
	.write = spar_vfio_write,
	.ioctl = spar_vfio_ioctl,
	.mmap = spar_vfio_mmap,
	.request = spar_vfio_request,
	.dma_unmap = spar_vfio_dma_unmap,
	SPAR_VFIO_EMULATED_IOMMUFD_OPS
};
