// SPDX-License-Identifier: GPL-2.0
/*
 * spar-mdev host module: interrupts of the emulated function.
 *
 * The function has one INTx line, one MSI vector and the REQ interrupt
 * that asks the user to give the device back.  The user hands us eventfds
 * through VFIO_DEVICE_SET_IRQS; a VMM wires them to KVM irqfds so that
 * signalling one injects the interrupt without entering the VMM.
 */
#include <linux/eventfd.h>
#include <linux/file.h>
#include <linux/vfio.h>

#include "spar_compat.h"
#include "spar_irq.h"

void spar_irq_init(struct spar_irq *irq)
{
	memset(irq, 0, sizeof(*irq));
	spin_lock_init(&irq->lock);
}

/**
 * spar_irq_get_info() - answer VFIO_DEVICE_GET_IRQ_INFO
 * @info: the user's request, index filled in; the rest is filled here
 *
 * Context: process context.
 * Return: 0, or -EINVAL for an index the function does not have.
 */
int spar_irq_get_info(struct vfio_irq_info *info)
{
	switch (info->index) {
	case VFIO_PCI_INTX_IRQ_INDEX:
		info->count = 1;
		info->flags = VFIO_IRQ_INFO_EVENTFD | VFIO_IRQ_INFO_MASKABLE |
			      VFIO_IRQ_INFO_AUTOMASKED;
		return 0;
	case VFIO_PCI_MSI_IRQ_INDEX:
		info->count = 1;
		info->flags = VFIO_IRQ_INFO_EVENTFD | VFIO_IRQ_INFO_NORESIZE;
		return 0;
	case VFIO_PCI_REQ_IRQ_INDEX:
		info->count = 1;
		info->flags = VFIO_IRQ_INFO_EVENTFD;
		return 0;
	case VFIO_PCI_MSIX_IRQ_INDEX:
		/* no MSI-X capability: no vectors, as vfio-pci answers */
		info->count = 0;
		info->flags = 0;
		return 0;
	default:
		/*
		 * Including VFIO_PCI_ERR_IRQ_INDEX: the function is not PCI
		 * Express, and vfio-pci refuses the index for such a function,
		 * which QEMU takes as "no error reporting" without a warning.
		 */
		return -EINVAL;
	}
}

/* Swap in a new trigger, or none; drops the old one outside the lock. */
static int irq_set_trigger(struct spar_irq *irq, struct eventfd_ctx **slot,
			   s32 fd)
{
	struct eventfd_ctx *new = NULL, *old;
	unsigned long flags;

	if (fd >= 0) {
		new = eventfd_ctx_fdget(fd);
		if (IS_ERR(new))
			return PTR_ERR(new);
	}
	spin_lock_irqsave(&irq->lock, flags);
	old = *slot;
	*slot = new;
	spin_unlock_irqrestore(&irq->lock, flags);
	if (old)
		eventfd_ctx_put(old);
	return 0;
}

/*
 * Decide whether INTx must be signalled now: the line is up, enabled and
 * not masked.  Masks it, as the assertion of a VFIO INTx line does.
 */
static bool irq_intx_arm_locked(struct spar_irq *irq)
{
	lockdep_assert_held(&irq->lock);
	if (!irq->intx || !irq->cause || irq->intx_masked ||
	    irq->intx_disabled)
		return false;
	irq->intx_masked = true;
	irq->raised++;
	return true;
}

static void irq_intx_fire_locked(struct spar_irq *irq)
{
	if (irq_intx_arm_locked(irq))
		spar_eventfd_signal(irq->intx);
}

static void irq_intx_unmask(struct spar_irq *irq)
{
	unsigned long flags;

	spin_lock_irqsave(&irq->lock, flags);
	irq->intx_masked = false;
	irq_intx_fire_locked(irq);
	spin_unlock_irqrestore(&irq->lock, flags);
}

/*
 * The resample eventfd fired (the guest's EOI).  This runs inside that
 * eventfd's wakeup, where signalling another eventfd is not allowed, so a
 * still-asserted line is only re-armed here and signalled from the thread.
 */
static int irq_unmask_handler(void *opaque, void *unused)
{
	struct spar_irq *irq = opaque;
	unsigned long flags;
	bool fire;

	spin_lock_irqsave(&irq->lock, flags);
	irq->intx_masked = false;
	fire = irq_intx_arm_locked(irq);
	spin_unlock_irqrestore(&irq->lock, flags);
	return fire;
}

static void irq_unmask_thread(void *opaque, void *unused)
{
	struct spar_irq *irq = opaque;
	unsigned long flags;

	spin_lock_irqsave(&irq->lock, flags);
	if (irq->intx)
		spar_eventfd_signal(irq->intx);
	spin_unlock_irqrestore(&irq->lock, flags);
}

static int irq_set_intx(struct spar_irq *irq, u32 action, u32 type,
			void *data)
{
	bool flag = type == VFIO_IRQ_SET_DATA_BOOL ? *(u8 *)data : true;
	unsigned long flags;

	switch (action) {
	case VFIO_IRQ_SET_ACTION_TRIGGER:
		if (type == VFIO_IRQ_SET_DATA_EVENTFD)
			return irq_set_trigger(irq, &irq->intx, *(s32 *)data);
		if (!flag)
			return 0;
		/* A loopback test of the line, as vfio-pci offers. */
		spin_lock_irqsave(&irq->lock, flags);
		if (irq->intx)
			spar_eventfd_signal(irq->intx);
		spin_unlock_irqrestore(&irq->lock, flags);
		return 0;
	case VFIO_IRQ_SET_ACTION_MASK:
		if (type == VFIO_IRQ_SET_DATA_EVENTFD)
			return -EINVAL;
		if (flag) {
			spin_lock_irqsave(&irq->lock, flags);
			irq->intx_masked = true;
			spin_unlock_irqrestore(&irq->lock, flags);
		}
		return 0;
	case VFIO_IRQ_SET_ACTION_UNMASK:
		if (type == VFIO_IRQ_SET_DATA_EVENTFD) {
			s32 fd = *(s32 *)data;

			if (fd < 0) {
				vfio_virqfd_disable(&irq->intx_unmask);
				return 0;
			}
			return vfio_virqfd_enable(irq, irq_unmask_handler,
						  irq_unmask_thread, NULL,
						  &irq->intx_unmask, fd);
		}
		if (flag)
			irq_intx_unmask(irq);
		return 0;
	default:
		return -EINVAL;
	}
}

static int irq_set_simple(struct spar_irq *irq, struct eventfd_ctx **slot,
			  u32 action, u32 type, void *data)
{
	unsigned long flags;

	if (action != VFIO_IRQ_SET_ACTION_TRIGGER)
		return -EINVAL;
	if (type == VFIO_IRQ_SET_DATA_EVENTFD)
		return irq_set_trigger(irq, slot, *(s32 *)data);
	if (type == VFIO_IRQ_SET_DATA_BOOL && !*(u8 *)data)
		return 0;
	spin_lock_irqsave(&irq->lock, flags);
	if (*slot)
		spar_eventfd_signal(*slot);
	spin_unlock_irqrestore(&irq->lock, flags);
	return 0;
}

/**
 * spar_irq_set() - carry out a validated VFIO_DEVICE_SET_IRQS
 * @irq: the function's interrupt state
 * @hdr: header, already checked by vfio_set_irqs_validate_and_prepare()
 * @data: @hdr->count items of the data type, or NULL for DATA_NONE
 *
 * A count of zero with DATA_NONE and ACTION_TRIGGER disables the index.
 *
 * Context: process context; may sleep.
 * Return: 0 or a negative errno.
 */
int spar_irq_set(struct spar_irq *irq, struct vfio_irq_set *hdr, void *data)
{
	u32 action = hdr->flags & VFIO_IRQ_SET_ACTION_TYPE_MASK;
	u32 type = hdr->flags & VFIO_IRQ_SET_DATA_TYPE_MASK;
	struct eventfd_ctx **slot;

	if (!hdr->count) {
		if (action != VFIO_IRQ_SET_ACTION_TRIGGER ||
		    type != VFIO_IRQ_SET_DATA_NONE)
			return -EINVAL;
		switch (hdr->index) {
		case VFIO_PCI_INTX_IRQ_INDEX:
			vfio_virqfd_disable(&irq->intx_unmask);
			return irq_set_trigger(irq, &irq->intx, -1);
		case VFIO_PCI_MSI_IRQ_INDEX:
			return irq_set_trigger(irq, &irq->msi, -1);
		case VFIO_PCI_REQ_IRQ_INDEX:
			return irq_set_trigger(irq, &irq->req, -1);
		default:
			return -EINVAL;
		}
	}

	/* Every index has exactly one interrupt. */
	if (hdr->start != 0 || hdr->count != 1)
		return -EINVAL;

	switch (hdr->index) {
	case VFIO_PCI_INTX_IRQ_INDEX:
		return irq_set_intx(irq, action, type, data);
	case VFIO_PCI_MSI_IRQ_INDEX:
		slot = &irq->msi;
		break;
	case VFIO_PCI_REQ_IRQ_INDEX:
		slot = &irq->req;
		break;
	default:
		return -EINVAL;
	}
	return irq_set_simple(irq, slot, action, type, data);
}

/**
 * spar_irq_disable_all() - drop every trigger and pending cause
 * @irq: the function's interrupt state
 *
 * Used when the user closes the device; the REQ trigger is dropped too.
 *
 * Context: process context; may sleep.
 */
void spar_irq_disable_all(struct spar_irq *irq)
{
	unsigned long flags;

	vfio_virqfd_disable(&irq->intx_unmask);
	irq_set_trigger(irq, &irq->intx, -1);
	irq_set_trigger(irq, &irq->msi, -1);
	irq_set_trigger(irq, &irq->req, -1);
	spin_lock_irqsave(&irq->lock, flags);
	irq->cause = 0;
	irq->intx_masked = false;
	irq->intx_disabled = false;
	irq->msi_deferred = false;
	spin_unlock_irqrestore(&irq->lock, flags);
}

/**
 * spar_irq_raise() - interrupt the guest for @cause
 * @irq: the function's interrupt state
 * @cause: cause bits to add to the pending set
 *
 * With MSI set up, every call sends one message, or while bus mastering
 * is off, one message once it is on again.  Otherwise INTx is asserted
 * until the guest acknowledges every cause.
 *
 * Context: any context.
 */
void spar_irq_raise(struct spar_irq *irq, u32 cause)
{
	unsigned long flags;

	spin_lock_irqsave(&irq->lock, flags);
	irq->cause |= cause;
	if (irq->msi && irq->msi_blocked) {
		irq->msi_deferred = true;
	} else if (irq->msi) {
		irq->raised++;
		spar_eventfd_signal(irq->msi);
	} else {
		irq_intx_fire_locked(irq);
	}
	spin_unlock_irqrestore(&irq->lock, flags);
}

/**
 * spar_irq_cause() - the causes the guest has not acknowledged
 * @irq: the function's interrupt state
 *
 * Context: any context.
 * Return: the pending cause bits.
 */
u32 spar_irq_cause(struct spar_irq *irq)
{
	unsigned long flags;
	u32 cause;

	spin_lock_irqsave(&irq->lock, flags);
	cause = irq->cause;
	spin_unlock_irqrestore(&irq->lock, flags);
	return cause;
}

/**
 * spar_irq_ack() - the guest acknowledged causes (write-1-to-clear)
 * @irq: the function's interrupt state
 * @bits: causes to clear
 *
 * INTx deasserts once no cause is left.
 *
 * Context: any context.
 */
void spar_irq_ack(struct spar_irq *irq, u32 bits)
{
	unsigned long flags;

	spin_lock_irqsave(&irq->lock, flags);
	irq->cause &= ~bits;
	spin_unlock_irqrestore(&irq->lock, flags);
}

/**
 * spar_irq_intx_asserted() - level of the INTx line, for the status register
 * @irq: the function's interrupt state
 *
 * Context: any context.
 * Return: true while INTx is the delivery method and a cause is pending.
 */
bool spar_irq_intx_asserted(struct spar_irq *irq)
{
	unsigned long flags;
	bool up;

	spin_lock_irqsave(&irq->lock, flags);
	up = !irq->msi && irq->cause && !irq->intx_disabled;
	spin_unlock_irqrestore(&irq->lock, flags);
	return up;
}

/**
 * spar_irq_set_intx_disabled() - follow the command register's INTx disable
 * @irq: the function's interrupt state
 * @disabled: the bit's new value
 *
 * Re-enabling with a cause pending asserts the line again.
 *
 * Context: any context.
 */
void spar_irq_set_intx_disabled(struct spar_irq *irq, bool disabled)
{
	unsigned long flags;

	spin_lock_irqsave(&irq->lock, flags);
	irq->intx_disabled = disabled;
	if (!irq->msi)
		irq_intx_fire_locked(irq);
	spin_unlock_irqrestore(&irq->lock, flags);
}

/**
 * spar_irq_set_bus_master() - follow the command register's Bus Master Enable
 * @irq: the function's interrupt state
 * @master: the bit's new value
 *
 * An MSI is a memory write by the function, so none is sent while the bit
 * is clear; if one was held back, it is sent when the bit is set.  INTx
 * is not a memory write and is not affected.
 *
 * Context: any context.
 */
void spar_irq_set_bus_master(struct spar_irq *irq, bool master)
{
	unsigned long flags;

	spin_lock_irqsave(&irq->lock, flags);
	irq->msi_blocked = !master;
	if (master && irq->msi_deferred && irq->msi) {
		irq->raised++;
		spar_eventfd_signal(irq->msi);
	}
	if (master)
		irq->msi_deferred = false;
	spin_unlock_irqrestore(&irq->lock, flags);
}

/**
 * spar_irq_request() - ask the user to release the device
 * @irq: the function's interrupt state
 *
 * Context: any context.
 * Return: true if a REQ trigger was there to signal.
 */
bool spar_irq_request(struct spar_irq *irq)
{
	unsigned long flags;
	bool sent = false;

	spin_lock_irqsave(&irq->lock, flags);
	if (irq->req) {
		spar_eventfd_signal(irq->req);
		sent = true;
	}
	spin_unlock_irqrestore(&irq->lock, flags);
	return sent;
}

/**
 * spar_irq_raised() - interrupts delivered so far
 * @irq: the function's interrupt state
 *
 * Context: any context.
 * Return: the count of MSI messages and INTx assertions.
 */
u64 spar_irq_raised(struct spar_irq *irq)
{
	unsigned long flags;
	u64 n;

	spin_lock_irqsave(&irq->lock, flags);
	n = irq->raised;
	spin_unlock_irqrestore(&irq->lock, flags);
	return n;
}
