// SPDX-License-Identifier: GPL-2.0
/*
 * spar-mdev host module: the BAR2 registers.
 *
 * Every access is a trap into the host, so the guest uses these rarely:
 * the doorbell when the host asked for it, the interrupt status on INTx,
 * and status, features and reset at bring-up and recovery.
 */
#include "spar_mdev.h"

#define SPAR_HOST_FEATURES	SPAR_TRANSPORT_F_ALL

static_assert(!(SPAR_HOST_FEATURES & SPAR_TRANSPORT_F_DEVICE_MASK));

/* What this function offers: the transport's features and its type's. */
static u32 spar_regs_offered(struct spar_dev *sdev)
{
	return SPAR_HOST_FEATURES |
	       (READ_ONCE(sdev->dev_features) & SPAR_TRANSPORT_F_DEVICE_MASK);
}

/*
 * Transport features are taken once, before the driver starts; device
 * features at any time, for the back-end to take up when its protocol
 * says (spar-nic: when the guest enables reception).
 */
static void spar_regs_guest_features(struct spar_dev *sdev, u32 val)
{
	const struct spar_backend_ops *ops = sdev->type->desc->ops;
	u32 cur;

	mutex_lock(&sdev->lock);
	val &= spar_regs_offered(sdev);
	if (ops && ops->accept_features)
		val = (val & SPAR_TRANSPORT_F_TRANSPORT_MASK) |
		      (ops->accept_features(sdev, val &
					    SPAR_TRANSPORT_F_DEVICE_MASK) &
		       SPAR_TRANSPORT_F_DEVICE_MASK);
	cur = sdev->guest_features;
	if (!sdev->guest_status)
		cur = (cur & ~SPAR_TRANSPORT_F_TRANSPORT_MASK) |
		      (val & SPAR_TRANSPORT_F_TRANSPORT_MASK);
	cur = (cur & ~SPAR_TRANSPORT_F_DEVICE_MASK) |
	      (val & SPAR_TRANSPORT_F_DEVICE_MASK);
	WRITE_ONCE(sdev->guest_features, cur);
	mutex_unlock(&sdev->lock);
}

/**
 * spar_regs_read() - read one 32-bit register
 * @sdev: the instance
 * @off: register offset, 4-byte aligned, below SPAR_TRANSPORT_REGS_SIZE
 *
 * Context: process context.
 * Return: the register value; zero for write-only and undefined offsets.
 */
u32 spar_regs_read(struct spar_dev *sdev, unsigned int off)
{
	switch (off) {
	case SPAR_REG_MAGIC:
		return SPAR_TRANSPORT_MAGIC;
	case SPAR_REG_VERSION:
		return SPAR_TRANSPORT_VERSION;
	case SPAR_REG_HOST_FEATURES:
		return spar_regs_offered(sdev);
	case SPAR_REG_GUEST_FEATURES:
		return READ_ONCE(sdev->guest_features);
	case SPAR_REG_STATUS:
		return atomic_read(&sdev->status);
	case SPAR_REG_GUEST_STATUS:
		return READ_ONCE(sdev->guest_status);
	case SPAR_REG_GENERATION:
		return READ_ONCE(sdev->generation);
	case SPAR_REG_INT_STATUS:
		return spar_irq_cause(&sdev->irq);
	default:
		return 0;
	}
}

/*
 * The guest's driver status moves only along the transitions the transport
 * allows; anything else is a protocol violation.
 */
static void spar_regs_guest_status(struct spar_dev *sdev, u32 val)
{
	const u32 ok = SPAR_GUEST_STATUS_DRIVER_OK;
	const u32 ack = SPAR_GUEST_STATUS_DRIVER_OK | SPAR_GUEST_STATUS_PAUSED;
	u32 status, cur;

	mutex_lock(&sdev->lock);
	cur = sdev->guest_status;
	status = atomic_read(&sdev->status);
	if (val == cur) {
		mutex_unlock(&sdev->lock);
		return;
	}
	if (cur == 0 && val == ok) {
		WRITE_ONCE(sdev->guest_status, val);
		mutex_unlock(&sdev->lock);
		spar_engine_kick(sdev);
		return;
	}
	if (cur == ok && val == ack && (status & SPAR_STATUS_PAUSED)) {
		WRITE_ONCE(sdev->guest_status, val);
		spar_dev_resume_locked(sdev);
		mutex_unlock(&sdev->lock);
		return;
	}
	if (cur == ack && val == ok && !(status & SPAR_STATUS_PAUSED)) {
		WRITE_ONCE(sdev->guest_status, val);
		mutex_unlock(&sdev->lock);
		spar_engine_kick(sdev);
		return;
	}
	mutex_unlock(&sdev->lock);
	spar_dev_protocol_error(sdev, "illegal GUEST_STATUS write");
}

/**
 * spar_regs_write() - write one 32-bit register
 * @sdev: the instance
 * @off: register offset, 4-byte aligned, below SPAR_TRANSPORT_REGS_SIZE
 * @val: the value
 *
 * Writes to read-only and undefined registers are ignored.
 *
 * Context: process context; may take @sdev->lock and reset the device.
 */
void spar_regs_write(struct spar_dev *sdev, unsigned int off, u32 val)
{
	switch (off) {
	case SPAR_REG_DOORBELL:
		atomic64_inc(&sdev->stats.doorbells);
		spar_engine_kick(sdev);
		break;
	case SPAR_REG_INT_STATUS:
		spar_irq_ack(&sdev->irq, val);
		break;
	case SPAR_REG_RESET:
		if (val == SPAR_RESET_REQUEST) {
			atomic64_inc(&sdev->stats.guest_resets);
			spar_dev_reset(sdev);
		}
		break;
	case SPAR_REG_GUEST_FEATURES:
		spar_regs_guest_features(sdev, val);
		break;
	case SPAR_REG_GUEST_STATUS:
		spar_regs_guest_status(sdev, val);
		break;
	}
}
