/* SPDX-License-Identifier: GPL-2.0 */
/*
 * spar-mdev host module: interrupts of the emulated function.
 */
#ifndef _SPAR_IRQ_H
#define _SPAR_IRQ_H

#include <linux/spinlock.h>
#include <linux/types.h>

struct eventfd_ctx;
struct vfio_irq_info;
struct vfio_irq_set;
struct virqfd;

/**
 * struct spar_irq - interrupt state of one function
 * @lock: protects every field below; taken from any context
 * @intx: INTx trigger set by the user, or NULL
 * @msi: MSI trigger set by the user, or NULL
 * @req: REQ (release request) trigger, or NULL
 * @intx_unmask: resample eventfd that unmasks INTx, or NULL
 * @cause: interrupt causes not yet acknowledged by the guest
 * @intx_masked: INTx masked, by the user or automatically on assertion
 * @intx_disabled: the guest set Interrupt Disable in the command register
 * @msi_blocked: Bus Master Enable is clear: an MSI, being a memory write,
 *	is not sent
 * @msi_deferred: an MSI was held back by @msi_blocked; it is sent once
 *	bus mastering is enabled again
 * @raised: interrupts delivered (MSI or INTx edges)
 *
 * INTx is level-triggered: it stays asserted while @cause is non-zero.
 * As with any VFIO PCI device, an assertion masks the line until the user
 * unmasks it, and an unmask with the line still asserted signals again.
 */
struct spar_irq {
	spinlock_t lock; /* guards the fields below */
	struct eventfd_ctx *intx;
	struct eventfd_ctx *msi;
	struct eventfd_ctx *req;
	struct virqfd *intx_unmask;
	u32 cause;
	bool intx_masked;
	bool intx_disabled;
	bool msi_blocked;
	bool msi_deferred;
	u64 raised;
};

void spar_irq_init(struct spar_irq *irq);
int spar_irq_get_info(struct vfio_irq_info *info);
int spar_irq_set(struct spar_irq *irq, struct vfio_irq_set *hdr, void *data);
void spar_irq_disable_all(struct spar_irq *irq);
void spar_irq_raise(struct spar_irq *irq, u32 cause);
u32 spar_irq_cause(struct spar_irq *irq);
void spar_irq_ack(struct spar_irq *irq, u32 bits);
bool spar_irq_intx_asserted(struct spar_irq *irq);
void spar_irq_set_intx_disabled(struct spar_irq *irq, bool disabled);
void spar_irq_set_bus_master(struct spar_irq *irq, bool master);
bool spar_irq_request(struct spar_irq *irq);
u64 spar_irq_raised(struct spar_irq *irq);

#endif /* _SPAR_IRQ_H */
