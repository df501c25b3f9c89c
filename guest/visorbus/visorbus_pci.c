// SPDX-License-Identifier: GPL-2.0
/*
 * visorbus over PCI: the guest side of the spar PCI transport.
 *
 * Binds to spar functions, brings the transport up as the transport
 * document prescribes and validates the transport page and its channel
 * directory before anything else may use them.  Function drivers attach
 * to the channels through the visorbus bus type.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/dma-mapping.h>
#include <linux/io.h>
#include <linux/module.h>
#include <linux/pci.h>
#include <linux/uuid.h>

#include "visorbus_private.h"

/* What this driver implements of the transport's features. */
#define VISORBUS_FEATURES \
	(SPAR_TRANSPORT_F_NOTIFY_SUPPRESS | SPAR_TRANSPORT_F_PAUSE)

/* How long function drivers get to complete a pause. */
#define VISORBUS_PAUSE_TIMEOUT_MS	5000

static int visorbus_check_entry(struct visorbus_pci *vb, unsigned int i,
				const struct spar_transport_dir_entry *e)
{
	u64 off = le64_to_cpu(e->offset), size = le64_to_cpu(e->size);
	struct spar_channel_header hdr;
	u16 nq = le16_to_cpu(e->num_queues);
	unsigned int j;

	if (!(le16_to_cpu(e->flags) & SPAR_TRANSPORT_DIR_F_PRESENT) ||
	    off < SPAR_TRANSPORT_PAGE_SIZE || !size ||
	    !IS_ALIGNED(off | size, SPAR_TRANSPORT_PAGE_SIZE) ||
	    off >= vb->mem_size || size > vb->mem_size - off ||
	    !nq || nq > SPAR_TRANSPORT_MAX_QUEUES)
		return -EINVAL;
	for (j = 0; j < i; j++) {
		u64 o = le64_to_cpu(vb->dir[j].offset);

		if (off < o + le64_to_cpu(vb->dir[j].size) && o < off + size)
			return -EINVAL;
	}
	/* The channels are the ones the type brings, in their order. */
	if (memcmp(&e->type_guid, &vb->type->chans[i], sizeof(e->type_guid)))
		return -EINVAL;
	memcpy(&hdr, vb->mem + off, sizeof(hdr));
	if (le64_to_cpu(hdr.signature) != SPAR_CHANNEL_SIGNATURE ||
	    le64_to_cpu(hdr.size) != size ||
	    memcmp(&hdr.chtype, &e->type_guid, sizeof(hdr.chtype)))
		return -EINVAL;
	return 0;
}

static int visorbus_check_transport(struct visorbus_pci *vb)
{
	struct spar_transport_header hdr;
	unsigned int i, n;

	memcpy(&hdr, vb->mem, sizeof(hdr));
	n = le32_to_cpu(hdr.num_channels);
	if (le32_to_cpu(hdr.magic) != SPAR_TRANSPORT_MAGIC ||
	    le32_to_cpu(hdr.version) != SPAR_TRANSPORT_VERSION ||
	    le32_to_cpu(hdr.device_type) != vb->type->transport_type ||
	    le32_to_cpu(hdr.page_size) != SPAR_TRANSPORT_PAGE_SIZE ||
	    le64_to_cpu(hdr.bar0_size) != vb->mem_size ||
	    n != vb->type->nr_chans) {
		pci_err(vb->pdev, "transport page is not valid\n");
		return -EINVAL;
	}
	/* One copy: the host never changes the directory under us. */
	memcpy(vb->dir, vb->mem + SPAR_TRANSPORT_DIR_OFFSET,
	       n * sizeof(vb->dir[0]));
	for (i = 0; i < n; i++) {
		if (visorbus_check_entry(vb, i, &vb->dir[i])) {
			pci_err(vb->pdev, "channel directory entry %u is not valid\n", i);
			return -EINVAL;
		}
	}
	vb->nr_chans = n;
	return 0;
}

static int visorbus_reset(struct visorbus_pci *vb)
{
	u32 status;

	if (ioread32(vb->regs + SPAR_REG_MAGIC) != SPAR_TRANSPORT_MAGIC ||
	    ioread32(vb->regs + SPAR_REG_VERSION) != SPAR_TRANSPORT_VERSION) {
		pci_err(vb->pdev, "not a spar transport version %u function\n",
			SPAR_TRANSPORT_VERSION);
		return -ENODEV;
	}
	iowrite32(SPAR_RESET_REQUEST, vb->regs + SPAR_REG_RESET);
	/* The read completes the reset and tells its outcome. */
	status = ioread32(vb->regs + SPAR_REG_STATUS);
	if (!(status & SPAR_STATUS_READY)) {
		pci_err(vb->pdev, "host did not become ready (status %#x)\n",
			status);
		return -EIO;
	}
	return 0;
}

/* Bring-up steps 2 to 4: reset, validate, negotiate features. */
static int visorbus_restart(struct visorbus_pci *vb)
{
	u32 host, got;
	int ret;

	ret = visorbus_reset(vb);
	if (ret)
		return ret;
	ret = visorbus_check_transport(vb);
	if (ret)
		return ret;
	host = ioread32(vb->regs + SPAR_REG_HOST_FEATURES);
	/* A function driver's device features survive the reset. */
	mutex_lock(&vb->feat_lock);
	iowrite32(host & (VISORBUS_FEATURES | vb->dev_features),
		  vb->regs + SPAR_REG_GUEST_FEATURES);
	got = ioread32(vb->regs + SPAR_REG_GUEST_FEATURES);
	vb->features = got & VISORBUS_FEATURES;
	if ((got & SPAR_TRANSPORT_F_DEVICE_MASK) != vb->dev_features)
		pci_warn(vb->pdev, "host kept device features %#x of %#x after the reset\n",
			 got & SPAR_TRANSPORT_F_DEVICE_MASK, vb->dev_features);
	vb->dev_features = got & SPAR_TRANSPORT_F_DEVICE_MASK;
	mutex_unlock(&vb->feat_lock);
	return 0;
}

/* Step 6: the driver uses the queues from now on. */
static void visorbus_driver_ok(struct visorbus_pci *vb)
{
	iowrite32(SPAR_GUEST_STATUS_DRIVER_OK, vb->regs + SPAR_REG_GUEST_STATUS);
	vb->acked = false;
	/* Anything that changes after this read raises CONFIG. */
	WRITE_ONCE(vb->seen_status, ioread32(vb->regs + SPAR_REG_STATUS));
}

static void visorbus_stop_channels(struct visorbus_pci *vb, bool stop)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(vb->devs); i++)
		if (vb->devs[i])
			visorchannel_stop(vb->devs[i]->visorchannel, stop);
}

static void visorbus_create_devices(struct visorbus_pci *vb)
{
	unsigned int i;
	int ret;

	for (i = 0; i < vb->nr_chans; i++) {
		ret = visorbus_create_device(vb, i);
		if (ret)
			pci_err(vb->pdev, "cannot create device for channel %u (%d)\n",
				i, ret);
	}
}

static void visorbus_remove_devices(struct visorbus_pci *vb)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(vb->devs); i++)
		visorbus_remove_device(vb, i);
}

/*
 * Pause every bound function driver, wait for their completions, then
 * forbid queue calls.  Probes meanwhile are deferred.
 */
static void visorbus_quiesce(struct visorbus_pci *vb)
{
	unsigned int i;
	long left;

	if (vb->quiesced)
		return;
	WRITE_ONCE(vb->quiesced, true);
	/* One for the loop, so that early completions cannot reach zero. */
	atomic_set(&vb->pause_pending, 1);
	for (i = 0; i < ARRAY_SIZE(vb->devs); i++)
		if (vb->devs[i])
			visorbus_pause_device(vb->devs[i]);
	if (!atomic_dec_and_test(&vb->pause_pending)) {
		left = wait_event_timeout(vb->wq, !atomic_read(&vb->pause_pending),
					  msecs_to_jiffies(VISORBUS_PAUSE_TIMEOUT_MS));
		if (!left)
			pci_warn(vb->pdev, "function drivers did not complete the pause within %u ms\n",
				 VISORBUS_PAUSE_TIMEOUT_MS);
	}
	visorbus_stop_channels(vb, true);
}

/* Allow queue calls, resume the drivers paused, attach deferred probes. */
static void visorbus_unquiesce(struct visorbus_pci *vb)
{
	struct visor_device *dev;
	unsigned int i;

	visorbus_stop_channels(vb, false);
	WRITE_ONCE(vb->quiesced, false);
	for (i = 0; i < ARRAY_SIZE(vb->devs); i++)
		if (vb->devs[i])
			visorbus_resume_device(vb->devs[i]);
	for (i = 0; i < ARRAY_SIZE(vb->devs); i++) {
		dev = vb->devs[i];
		if (dev && !test_bit(VISORBUS_F_BOUND, &dev->flags) &&
		    device_attach(&dev->device) < 0)
			dev_warn(&dev->device, "cannot attach a driver\n");
	}
}

/* STATUS has NEEDS_RESET: pause, reset, bring up again, resume. */
static void visorbus_recover(struct visorbus_pci *vb)
{
	struct spar_transport_dir_entry old[SPAR_TRANSPORT_MAX_CHANNELS];
	unsigned int old_n = vb->nr_chans, i;
	int ret;

	pci_warn(vb->pdev, "the host asks for a reset; resetting the function\n");
	visorbus_quiesce(vb);
	memcpy(old, vb->dir, sizeof(old));
	ret = visorbus_restart(vb);
	if (ret) {
		pci_err(vb->pdev, "reset failed (%d); unbind and rebind the function to retry\n",
			ret);
		vb->broken = true;
		return;
	}
	if (vb->nr_chans != old_n ||
	    memcmp(old, vb->dir, old_n * sizeof(old[0]))) {
		pci_info(vb->pdev, "channel directory changed; re-creating the devices\n");
		visorbus_remove_devices(vb);
		visorbus_driver_ok(vb);
		WRITE_ONCE(vb->quiesced, false);
		visorbus_create_devices(vb);
		return;
	}
	for (i = 0; i < ARRAY_SIZE(vb->devs); i++) {
		if (vb->devs[i] &&
		    visorchannel_refresh(vb->devs[i]->visorchannel)) {
			pci_err(vb->pdev, "channel %u is not usable after the reset\n",
				i);
			vb->broken = true;
			return;
		}
	}
	visorbus_driver_ok(vb);
	visorbus_unquiesce(vb);
	pci_info(vb->pdev, "reset done; function drivers resumed\n");
}

/* Process context: follow STATUS (pause, resume, reset, broken). */
static void visorbus_config_work(struct work_struct *work)
{
	struct visorbus_pci *vb = container_of(work, struct visorbus_pci,
					       config_work);
	u32 status;

	mutex_lock(&vb->state_lock);
	if (vb->removing || vb->broken)
		goto out;
	status = ioread32(vb->regs + SPAR_REG_STATUS);
	WRITE_ONCE(vb->seen_status, status);
	if (status & SPAR_STATUS_BROKEN) {
		pci_err(vb->pdev, "the host reports the back-end gone; remove the device\n");
		vb->broken = true;
		visorbus_quiesce(vb);
	} else if (status & SPAR_STATUS_NEEDS_RESET) {
		visorbus_recover(vb);
	} else if (status & SPAR_STATUS_PAUSED) {
		visorbus_quiesce(vb);
		if (!vb->acked) {
			iowrite32(SPAR_GUEST_STATUS_DRIVER_OK |
				  SPAR_GUEST_STATUS_PAUSED,
				  vb->regs + SPAR_REG_GUEST_STATUS);
			vb->acked = true;
			pci_info(vb->pdev, "paused\n");
		}
	} else if (status & SPAR_STATUS_READY) {
		if (vb->acked) {
			iowrite32(SPAR_GUEST_STATUS_DRIVER_OK,
				  vb->regs + SPAR_REG_GUEST_STATUS);
			vb->acked = false;
		}
		if (vb->quiesced) {
			visorbus_unquiesce(vb);
			pci_info(vb->pdev, "resumed\n");
		}
	}
out:
	mutex_unlock(&vb->state_lock);
}

static bool visorbus_status_changed(struct visorbus_pci *vb)
{
	return le32_to_cpu(READ_ONCE(vb->tp->hdr.status)) !=
	       READ_ONCE(vb->seen_status);
}

/*
 * With MSI no register is read: queue work is found in the queues and a
 * status change in hdr.status, which the host writes before it raises the
 * CONFIG interrupt.  With INTx, INT_STATUS says whether the interrupt is
 * ours and is acknowledged before the causes are handled.
 */
static irqreturn_t visorbus_isr(int irq, void *data)
{
	struct visorbus_pci *vb = data;
	u32 cause;

	if (vb->msi) {
		cause = SPAR_INT_QUEUE;
		if (visorbus_status_changed(vb))
			cause |= SPAR_INT_CONFIG;
	} else {
		cause = ioread32(vb->regs + SPAR_REG_INT_STATUS);
		if (!cause || cause == ~0U)
			return IRQ_NONE;
		iowrite32(cause, vb->regs + SPAR_REG_INT_STATUS);
	}
	if (cause & SPAR_INT_CONFIG)
		queue_work(system_long_wq, &vb->config_work);
	tasklet_schedule(&vb->tasklet);
	return IRQ_HANDLED;
}

static void visorbus_tasklet(struct tasklet_struct *t)
{
	struct visorbus_pci *vb = from_tasklet(vb, t, tasklet);

	visorbus_dispatch(vb);
}

/* No interrupt: upstream's periodic polling, plus the status check. */
static void visorbus_poll(struct timer_list *t)
{
	struct visorbus_pci *vb = from_timer(vb, t, poll_timer);

	visorbus_dispatch(vb);
	if (visorbus_status_changed(vb))
		queue_work(system_long_wq, &vb->config_work);
	if (!READ_ONCE(vb->stopping))
		mod_timer(&vb->poll_timer,
			  jiffies + msecs_to_jiffies(VISORBUS_POLL_MS));
}

static void visorbus_setup_irq(struct visorbus_pci *vb)
{
	struct pci_dev *pdev = vb->pdev;
	int ret;

	ret = pci_alloc_irq_vectors(pdev, 1, 1, PCI_IRQ_MSI | PCI_IRQ_INTX);
	if (ret < 0)
		goto poll;
	vb->msi = pdev->msi_enabled;
	ret = request_irq(pci_irq_vector(pdev, 0), visorbus_isr,
			  vb->msi ? 0 : IRQF_SHARED, KBUILD_MODNAME, vb);
	if (ret) {
		pci_free_irq_vectors(pdev);
		goto poll;
	}
	vb->have_irq = true;
	return;
poll:
	pci_warn(pdev, "no interrupt (%d); polling every %u ms\n", ret,
		 VISORBUS_POLL_MS);
	mod_timer(&vb->poll_timer, jiffies + msecs_to_jiffies(VISORBUS_POLL_MS));
}

static void visorbus_stop_irq(struct visorbus_pci *vb)
{
	WRITE_ONCE(vb->stopping, true);
	del_timer_sync(&vb->poll_timer);
	if (vb->have_irq) {
		free_irq(pci_irq_vector(vb->pdev, 0), vb);
		pci_free_irq_vectors(vb->pdev);
		vb->have_irq = false;
	}
	tasklet_kill(&vb->tasklet);
}

static int visorbus_pci_probe(struct pci_dev *pdev,
			      const struct pci_device_id *id)
{
	struct visorbus_pci *vb;
	int ret;

	vb = devm_kzalloc(&pdev->dev, sizeof(*vb), GFP_KERNEL);
	if (!vb)
		return -ENOMEM;
	vb->pdev = pdev;
	vb->type = (const struct visorbus_spar_type *)id->driver_data;
	spin_lock_init(&vb->irq_lock);
	mutex_init(&vb->feat_lock);
	mutex_init(&vb->state_lock);
	init_waitqueue_head(&vb->wq);
	INIT_WORK(&vb->config_work, visorbus_config_work);
	tasklet_setup(&vb->tasklet, visorbus_tasklet);
	timer_setup(&vb->poll_timer, visorbus_poll, 0);

	/* Step 1: enable, map the registers. */
	ret = pcim_enable_device(pdev);
	if (ret)
		return ret;
	/* The host reaches any guest page: no bounce buffers needed. */
	ret = dma_set_mask_and_coherent(&pdev->dev, DMA_BIT_MASK(64));
	if (ret)
		return ret;
	pci_set_master(pdev);
	ret = pcim_iomap_regions(pdev, BIT(SPAR_TRANSPORT_BAR_REGS),
				 KBUILD_MODNAME);
	if (ret)
		return ret;
	vb->regs = pcim_iomap_table(pdev)[SPAR_TRANSPORT_BAR_REGS];
	/* Channel memory is ordinary memory on the host: map it cached. */
	ret = pci_request_region(pdev, SPAR_TRANSPORT_BAR_CHANNELS,
				 KBUILD_MODNAME);
	if (ret)
		return ret;
	vb->mem_phys = pci_resource_start(pdev, SPAR_TRANSPORT_BAR_CHANNELS);
	vb->mem_size = pci_resource_len(pdev, SPAR_TRANSPORT_BAR_CHANNELS);
	if (vb->mem_size < 2 * SPAR_TRANSPORT_PAGE_SIZE) {
		pci_err(pdev, "BAR0 is too small\n");
		return -ENODEV;
	}
	vb->mem = devm_memremap(&pdev->dev, vb->mem_phys, vb->mem_size,
				MEMREMAP_WB);
	if (IS_ERR(vb->mem))
		return PTR_ERR(vb->mem);
	vb->tp = vb->mem;

	/* Steps 2 to 4. */
	ret = visorbus_restart(vb);
	if (ret)
		return ret;
	pci_set_drvdata(pdev, vb);
	ret = visorbus_create_bus(vb);
	if (ret)
		goto err_reset;
	/* Step 5. */
	visorbus_setup_irq(vb);
	/* Step 6, then 7; a status change meanwhile is handled after. */
	mutex_lock(&vb->state_lock);
	visorbus_driver_ok(vb);
	visorbus_create_devices(vb);
	mutex_unlock(&vb->state_lock);

	pci_info(pdev, "spar transport v%u: visorbus%d, %u channel(s), %s, features %#x\n",
		 SPAR_TRANSPORT_VERSION, vb->bus_no, vb->nr_chans,
		 vb->have_irq ? (vb->msi ? "MSI" : "INTx") : "polling",
		 vb->features);
	/* In case the status moved before the interrupt handler was there. */
	queue_work(system_long_wq, &vb->config_work);
	return 0;

err_reset:
	iowrite32(SPAR_RESET_REQUEST, vb->regs + SPAR_REG_RESET);
	ioread32(vb->regs + SPAR_REG_STATUS);
	return ret;
}

static void visorbus_pci_remove(struct pci_dev *pdev)
{
	struct visorbus_pci *vb = pci_get_drvdata(pdev);

	mutex_lock(&vb->state_lock);
	vb->removing = true;
	mutex_unlock(&vb->state_lock);
	cancel_work_sync(&vb->config_work);
	/* Drivers' remove() runs with interrupts still delivered. */
	visorbus_remove_devices(vb);
	visorbus_stop_irq(vb);
	/* The handler may have queued it once more; it returns at once. */
	cancel_work_sync(&vb->config_work);
	visorbus_remove_bus(vb);
	/* Leave the function as a fresh driver expects to find it. */
	iowrite32(SPAR_RESET_REQUEST, vb->regs + SPAR_REG_RESET);
	ioread32(vb->regs + SPAR_REG_STATUS);
	pci_info(pdev, "removed\n");
}

/*
 * Reboot, power-off or kexec: the next kernel owns the memory the host
 * still holds as posted buffers.  Reset the function, which makes the host
 * drop every posted buffer and pin, then turn bus mastering off, so that
 * nothing more is written into guest memory.  Interrupts are left to the
 * PCI core; no driver callback runs after this.
 */
static void visorbus_pci_shutdown(struct pci_dev *pdev)
{
	struct visorbus_pci *vb = pci_get_drvdata(pdev);

	if (!vb)
		return;
	WRITE_ONCE(vb->stopping, true);
	iowrite32(SPAR_RESET_REQUEST, vb->regs + SPAR_REG_RESET);
	ioread32(vb->regs + SPAR_REG_STATUS);
	pci_clear_master(pdev);
}

/*
 * A spar type, by the suffix of its SPAR_PCI_DEVICE_ID_ and
 * SPAR_TRANSPORT_TYPE_ names, and the type GUIDs of the channels it
 * brings, in directory order.
 */
#define VISORBUS_SPAR_TYPE(name, ...)					\
{									\
	PCI_DEVICE(SPAR_PCI_VENDOR_ID, SPAR_PCI_DEVICE_ID_##name),	\
	.driver_data = (kernel_ulong_t)&(const struct visorbus_spar_type) { \
		.transport_type = SPAR_TRANSPORT_TYPE_##name,		\
		.nr_chans = ARRAY_SIZE(((struct spar_guid[]){ __VA_ARGS__ })), \
		.chans = { __VA_ARGS__ },				\
	},								\
}

/* The spar types this bus drives. */
static const struct pci_device_id visorbus_pci_ids[] = {
	VISORBUS_SPAR_TYPE(NIC, SPAR_VNIC_CHANNEL_GUID),
	VISORBUS_SPAR_TYPE(HBA, SPAR_VHBA_CHANNEL_GUID),
	VISORBUS_SPAR_TYPE(INPUT, SPAR_KEYBOARD_CHANNEL_GUID,
			   SPAR_MOUSE_CHANNEL_GUID),
	{ }
};
MODULE_DEVICE_TABLE(pci, visorbus_pci_ids);

struct pci_driver visorbus_pci_driver = {
	.name = KBUILD_MODNAME,
	.id_table = visorbus_pci_ids,
	.probe = visorbus_pci_probe,
	.remove = visorbus_pci_remove,
	.shutdown = visorbus_pci_shutdown,
};
