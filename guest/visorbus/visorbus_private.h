/* SPDX-License-Identifier: GPL-2.0 */
/*
 * visorbus internals shared by the bus core, the channel code and the
 * spar PCI transport.
 */
#ifndef _VISORBUS_PRIVATE_H
#define _VISORBUS_PRIVATE_H

#include <linux/interrupt.h>
#include <linux/pci.h>
#include <linux/spinlock.h>
#include <linux/timer.h>
#include <linux/visorbus.h>
#include <linux/wait.h>
#include <linux/workqueue.h>

#include <spar/channel.h>
#include <spar/transport.h>

#include "signalqueue.h"
#include "visorbus_compat.h"

/* visor_device.flags */
#define VISORBUS_F_BOUND		0	/* probe succeeded */
#define VISORBUS_F_PAUSE_PENDING	1	/* pause completion awaited */
#define VISORBUS_F_PAUSED		2	/* paused by the bus */

/**
 * struct visorchannel - one channel of a spar function
 * @vb: the function
 * @mem: byte 0 of the channel in the BAR0 mapping
 * @physaddr: guest-physical address of the channel
 * @nbytes: bytes of the channel (directory entry, equal to header.size)
 * @entry: directory entry, for the notification indexes
 * @nr_queues: signal queues (directory entry)
 * @signal_size: per queue: bytes copied by each insert and remove
 * @stopped: queues must not be touched (pause acknowledged, reset);
 *	written under both locks, read under either
 * @chan_hdr: copy of the channel header, taken at bring-up and after a
 *	reset, and updated by visorbus_write_channel()
 * @guid: channel type, from the directory
 * @sq: client view of the queues
 * @insert_lock: serialises producers
 * @remove_lock: serialises consumers and signalempty
 */
struct visorchannel {
	struct visorbus_pci *vb;
	u8 *mem;
	u64 physaddr;
	u64 nbytes;
	unsigned int entry;
	u16 nr_queues;
	u32 signal_size[SPAR_TRANSPORT_MAX_QUEUES];
	bool stopped;
	struct channel_header chan_hdr;
	guid_t guid;
	struct spar_sq_client sq;
	spinlock_t insert_lock;	/* producers */
	spinlock_t remove_lock;	/* consumers */
};

/**
 * struct visorbus_spar_type - a spar function this bus drives
 * @transport_type: SPAR_TRANSPORT_TYPE_* its transport page must name
 * @nr_chans: channels the function brings
 * @chans: their type GUIDs, in directory order
 */
struct visorbus_spar_type {
	u32 transport_type;
	unsigned int nr_chans;
	struct spar_guid chans[SPAR_TRANSPORT_MAX_CHANNELS];
};

/**
 * struct visorbus_pci - one spar PCI function: one visorbus
 * @pdev: the PCI function
 * @type: the spar type its device ID names
 * @regs: BAR2, the transport registers
 * @mem: BAR0, mapped write-back: the transport page and the channels
 * @tp: the transport page (= @mem)
 * @mem_phys: guest-physical address of BAR0
 * @mem_size: bytes of BAR0
 * @dir: validated copy of the channel directory
 * @nr_chans: entries in @dir
 * @features: SPAR_TRANSPORT_F_* accepted by both sides
 * @dev_features: device features (SPAR_TRANSPORT_F_DEVICE_MASK) the
 *	function driver accepted; written again after every reset
 * @feat_lock: serialises writes of GUEST_FEATURES and @dev_features
 * @bus_no: N of "visorbus<N>"
 * @bus_dev: the bus device
 * @devs: the channel devices, by directory entry; changed under @irq_lock
 * @irq_lock: protects @devs and every device's timer_active; held while
 *	channel_interrupt callbacks run
 * @have_irq: an interrupt handler is installed
 * @msi: the interrupt is MSI (else INTx)
 * @tasklet: calls channel_interrupt after an interrupt
 * @poll_timer: without an interrupt: polls every VISORBUS_POLL_MS
 * @stopping: the poll timer must not re-arm
 * @config_work: reacts to STATUS changes (process context)
 * @state_lock: serialises @config_work with removal
 * @seen_status: STATUS value @config_work last acted on
 * @quiesced: function drivers are paused (or being paused)
 * @acked: GUEST_STATUS holds PAUSED
 * @removing: the function is being unbound
 * @broken: the host reported BROKEN, or a reset failed
 * @pause_pending: pause completions still awaited (plus one while pausing)
 * @wq: woken when @pause_pending drops to zero
 */
struct visorbus_pci {
	struct pci_dev *pdev;
	const struct visorbus_spar_type *type;
	void __iomem *regs;
	void *mem;
	struct spar_transport_page *tp;
	phys_addr_t mem_phys;
	u64 mem_size;
	struct spar_transport_dir_entry dir[SPAR_TRANSPORT_MAX_CHANNELS];
	unsigned int nr_chans;
	u32 features;
	u32 dev_features;
	struct mutex feat_lock;	/* GUEST_FEATURES, dev_features */
	int bus_no;
	struct visor_device *bus_dev;
	struct visor_device *devs[SPAR_TRANSPORT_MAX_CHANNELS];
	spinlock_t irq_lock;	/* devs[], timer_active, callbacks */
	bool have_irq;
	bool msi;
	struct tasklet_struct tasklet;
	struct timer_list poll_timer;
	bool stopping;
	struct work_struct config_work;
	struct mutex state_lock;	/* config_work against removal */
	u32 seen_status;
	bool quiesced;
	bool acked;
	bool removing;
	bool broken;
	atomic_t pause_pending;
	wait_queue_head_t wq;
};

/* Upstream's POLLJIFFIES_NORMALCHANNEL, as a time. */
#define VISORBUS_POLL_MS	10

/* visorchannel.c */
int visorchannel_init(struct visorchannel *ch, struct visorbus_pci *vb,
		      unsigned int entry);
int visorchannel_refresh(struct visorchannel *ch);
void visorchannel_stop(struct visorchannel *ch, bool stop);
int visorchannel_read(struct visorchannel *ch, unsigned long offset,
		      void *dest, unsigned long nbytes);
int visorchannel_write(struct visorchannel *ch, unsigned long offset,
		       void *src, unsigned long nbytes);

/* visorbus_main.c */
extern struct pci_driver visorbus_pci_driver;
int visorbus_create_bus(struct visorbus_pci *vb);
void visorbus_remove_bus(struct visorbus_pci *vb);
int visorbus_create_device(struct visorbus_pci *vb, unsigned int entry);
void visorbus_remove_device(struct visorbus_pci *vb, unsigned int entry);
void visorbus_pause_device(struct visor_device *vdev);
void visorbus_resume_device(struct visor_device *vdev);
void visorbus_dispatch(struct visorbus_pci *vb);

#endif /* _VISORBUS_PRIVATE_H */
