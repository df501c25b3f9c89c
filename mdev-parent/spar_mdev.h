/* SPDX-License-Identifier: GPL-2.0 */
/*
 * spar-mdev host module: definitions shared by the files of the module.
 *
 * The device model (configuration space, BARs, registers, interrupts,
 * reset) knows nothing of Ethernet, SCSI or keys; a back-end never touches
 * PCI state.  They meet in struct spar_backend_ops and in the engine.
 */
#ifndef _SPAR_MDEV_H
#define _SPAR_MDEV_H

#include <linux/atomic.h>
#include <linux/mdev.h>
#include <linux/mutex.h>
#include <linux/sched.h>
#include <linux/vfio.h>
#include <linux/workqueue.h>
#include <linux/xarray.h>

#include <spar/transport.h>
#include "signalqueue.h"
#include "spar_cfg.h"
#include "spar_compat.h"
#include "spar_irq.h"

#define SPAR_CLASS_NAME		"spar"
#define SPAR_PARENT_NAME	"spar"

/* Upper bound for the per-type instance limits given at load time. */
#define SPAR_MAX_INSTANCES_LIMIT	1024

/* VFIO region offsets: region index in the bits above this shift. */
#define SPAR_REGION_SHIFT	40
#define SPAR_REGION_INDEX(off)	((off) >> SPAR_REGION_SHIFT)
#define SPAR_REGION_OFFSET(off)	((off) & ((1ULL << SPAR_REGION_SHIFT) - 1))
#define SPAR_REGION_BASE(index)	((u64)(index) << SPAR_REGION_SHIFT)

/* Slots per queue of an IO channel: default and bounds of ring_slots. */
#define SPAR_RING_SLOTS_DEFAULT	256
#define SPAR_RING_SLOTS_MIN	64
#define SPAR_RING_SLOTS_MAX	4096

/* Largest BAR0 any type lays out. */
#define SPAR_BAR0_MAX_SIZE	(64ULL << 20)

enum spar_dev_type {
	SPAR_TYPE_NIC,
	SPAR_TYPE_HBA,
	SPAR_TYPE_INPUT,
	SPAR_NR_TYPES,
};

struct spar_dev;

/**
 * struct spar_guest_range - a piece of guest memory, as a back-end's
 *	validator decoded it from a command
 * @iova: guest address of the first byte
 * @len: bytes
 */
struct spar_guest_range {
	u64 iova;
	u64 len;
};

/**
 * struct spar_chan - one channel in BAR0, as the host laid it out
 * @offset: byte offset of the channel in BAR0
 * @size: bytes of the channel
 * @type_guid: channel type
 * @nr_queues: signal queues in the channel
 * @q: server state of each queue, geometry trusted
 */
struct spar_chan {
	u64 offset;
	u64 size;
	struct spar_guid type_guid;
	unsigned int nr_queues;
	struct spar_sq_server q[SPAR_TRANSPORT_MAX_QUEUES];
};

/**
 * struct spar_counters - per-instance statistics, shown under stats/
 * @doorbells: doorbell register writes
 * @interrupts: interrupts raised (also counted by the IRQ layer)
 * @poll_passes: passes of the engine over the queues
 * @sleeps: times the engine went to sleep waiting for a doorbell
 * @cmds: commands taken from the guest, by s-Par cmdtype (0 = other)
 * @net_cmds: network commands, by net type
 * @protocol_errors: protocol violations by the guest
 * @pin_hits: guest page look-ups served by the pin cache
 * @pin_misses: guest page look-ups that had to pin
 * @pin_evictions: cached pins dropped to stay within the bound
 * @pin_unmap_drops: cached pins dropped because the user unmapped them
 * @resets: device resets
 */
struct spar_counters {
	atomic64_t doorbells;
	atomic64_t interrupts;
	atomic64_t poll_passes;
	atomic64_t sleeps;
	atomic64_t cmds[6];
	atomic64_t net_cmds[10];
	atomic64_t protocol_errors;
	atomic64_t pin_hits;
	atomic64_t pin_misses;
	atomic64_t pin_evictions;
	atomic64_t pin_unmap_drops;
	atomic64_t resets;
};

/**
 * struct spar_backend_ops - what a device type plugs into the engine
 * @create: allocate back-end state at instance creation; may sleep
 * @destroy: free it at instance release; may sleep
 * @layout: fill in the type-specific parts of each channel after the
 *	generic layout; called with the device quiesced
 * @start: the engine starts serving (device opened, reset done, resume)
 * @stop: the engine stopped; forget every posted buffer and drop
 *	every reference to guest memory before returning
 * @handle: one command the guest put on queue @q of channel @chan;
 *	@msg is a private copy, never shared memory.  Return 0, or
 *	-EPROTO when the command breaks the protocol (the device is then
 *	marked as needing reset)
 * @poll: produce work towards the guest (e.g. received frames), at most
 *	@budget items; return the number done, or -EPROTO
 * @unmap: the user unmapped [@iova, @iova + @len): forget every posted
 *	buffer in the range (pins are dropped by the caller)
 * @room: free slots the back-end needs on its response queues before the
 *	engine may take another command; the engine stops taking commands
 *	while fewer are free
 */
struct spar_backend_ops {
	int (*create)(struct spar_dev *sdev);
	void (*destroy)(struct spar_dev *sdev);
	int (*layout)(struct spar_dev *sdev);
	int (*start)(struct spar_dev *sdev);
	void (*stop)(struct spar_dev *sdev);
	int (*handle)(struct spar_dev *sdev, unsigned int chan, unsigned int q,
		      const void *msg);
	int (*poll)(struct spar_dev *sdev, int budget);
	void (*unmap)(struct spar_dev *sdev, u64 iova, u64 len);
	unsigned int room;
};

/**
 * struct spar_type - one mdev type offered by the parent
 * @mtype: the mdev core's view; sysfs_name and pretty_name are set here
 * @id: which device type this is
 * @description: one line for the type's sysfs description file
 * @pci_device: PCI device ID
 * @pci_class: PCI class code
 * @transport_type: SPAR_TRANSPORT_TYPE_*
 * @ops: back-end, or NULL while the type has none: its queues are then
 *	laid out but served by nothing
 * @max_instances: instance limit, fixed at module load
 * @live: instances that currently hold a reservation against @max_instances
 *
 * A reservation is taken in probe before anything else is allocated and
 * given back by the vfio device's release, so @live never exceeds
 * @max_instances and never counts a device that is already gone.
 */
struct spar_type {
	struct mdev_type mtype;
	enum spar_dev_type id;
	const char *description;
	u16 pci_device;
	u32 pci_class;
	u32 transport_type;
	const struct spar_backend_ops *ops;
	unsigned int max_instances;
	atomic_t live;
};

/**
 * struct spar_engine - the worker serving one open instance
 * @lock: protects @task against a doorbell racing with a stop
 * @task: the kthread, while the device is open and has a back-end
 * @kick: set by doorbells and back-end events, cleared by the worker
 *	before each pass; pairs with the re-check before it sleeps
 * @msg: private copy of the command being handled
 * @irq_pending: notification indexes that got a signal in this pass
 * @room_wait: the last pass left commands queued for lack of room on a
 *	response queue; the worker then asks to be told when room appears
 * @busy_poll_us: opt-in window the worker keeps polling after it found
 *	nothing, in microseconds
 * @adaptive_ns: current self-tuned polling window
 */
struct spar_engine {
	spinlock_t lock; /* see above */
	struct task_struct *task;
	atomic_t kick;
	u8 *msg;
	unsigned long irq_pending;
	bool room_wait;
	unsigned int busy_poll_us;
	u64 adaptive_ns;
};

/**
 * struct spar_pin_cache - guest pages pinned for the back-end
 * @lock: serialises look-ups, copies and dma_unmap purges; a copy holds
 *	it for one page, so an unmap waits at most that long
 * @pages: pinned pages by IOVA page frame number
 * @lru: the same entries, least recently used first
 * @count: entries in @pages
 * @max: bound on @count
 */
struct spar_pin_cache {
	struct mutex lock; /* see above */
	struct xarray pages;
	struct list_head lru;
	unsigned int count;
	unsigned int max;
};

/**
 * struct spar_dev - one mdev instance, one emulated PCI function
 * @vdev: the VFIO device; first member, as the VFIO core requires
 * @mdev: the mediated device this instance is bound to
 * @type: the type it was created as
 * @lock: serialises open/close, reset, configuration space, registers and
 *	attribute changes
 * @open: the user has the device open
 * @cfg: configuration space; under @lock
 * @irq: interrupt state; its own lock
 * @bar0: channel memory, vmalloc_user(), mapped by the user
 * @bar0_size: bytes of @bar0, a power of two
 * @ring_slots: slots per queue of an IO channel (nic, hba); an attribute,
 *	fixed while the device is open
 * @tp: transport page, the first page of @bar0
 * @nr_chans: channels laid out in @bar0
 * @chan: the host's trusted copy of their geometry
 * @status: SPAR_STATUS_* as the guest reads it
 * @guest_status: SPAR_GUEST_STATUS_* as the guest wrote it
 * @guest_features: features the guest accepted
 * @generation: incremented on every (re)initialisation of the channels
 * @engine: the worker
 * @pause_timeout: gives up on a guest that does not acknowledge a pause
 * @pins: the pin cache
 * @stats: counters
 * @backend: the back-end's private state
 */
struct spar_dev {
	struct vfio_device vdev;
	struct mdev_device *mdev;
	struct spar_type *type;
	struct mutex lock; /* see above */
	bool open;
	struct spar_cfg cfg;
	struct spar_irq irq;
	u8 *bar0;
	u64 bar0_size;
	u32 ring_slots;
	struct spar_transport_page *tp;
	unsigned int nr_chans;
	struct spar_chan chan[SPAR_TRANSPORT_MAX_CHANNELS];
	atomic_t status;
	u32 guest_status;
	u32 guest_features;
	u32 generation;
	struct spar_engine engine;
	struct delayed_work pause_timeout;
	struct spar_pin_cache pins;
	struct spar_counters stats;
	void *backend;
};

static inline struct spar_type *to_spar_type(struct mdev_type *mtype)
{
	return container_of(mtype, struct spar_type, mtype);
}

static inline struct spar_dev *to_spar_dev(struct vfio_device *vdev)
{
	return container_of(vdev, struct spar_dev, vdev);
}

static inline struct device *spar_dev_device(struct spar_dev *sdev)
{
	return &sdev->mdev->dev;
}

extern struct mdev_driver spar_mdev_driver;
extern const struct vfio_device_ops spar_vfio_ops;
extern const struct attribute_group *spar_mdev_groups[];

/* spar_layout.c */
int spar_layout_size(struct spar_dev *sdev, u64 *bar0_size);
int spar_layout_init(struct spar_dev *sdev);
int spar_layout_reinit_queues(struct spar_dev *sdev);

/* spar_regs.c */
u32 spar_regs_read(struct spar_dev *sdev, unsigned int off);
void spar_regs_write(struct spar_dev *sdev, unsigned int off, u32 val);

/* spar_instance.c */
int spar_dev_init(struct vfio_device *vdev);
void spar_dev_release(struct vfio_device *vdev);
int spar_dev_reset(struct spar_dev *sdev);
void spar_cfg_setup(struct spar_dev *sdev);
int spar_attr_u32(struct device *dev, const char *name, const char *buf,
		  u32 min, u32 max, const char *hint, u32 *val);
int spar_dev_pause(struct spar_dev *sdev);
void spar_dev_resume_locked(struct spar_dev *sdev);
void spar_dev_set_status(struct spar_dev *sdev, u32 set, u32 clear);
void spar_dev_protocol_error(struct spar_dev *sdev, const char *what);

/* spar_engine.c */
int spar_engine_start(struct spar_dev *sdev);
void spar_engine_stop(struct spar_dev *sdev);
void spar_engine_kick(struct spar_dev *sdev);
int spar_engine_send(struct spar_dev *sdev, unsigned int chan, unsigned int q,
		     const void *msg, size_t len);
int spar_engine_room(struct spar_dev *sdev, unsigned int chan, unsigned int q);

/* spar_xlate.c */
void spar_pins_init(struct spar_pin_cache *pins, unsigned int max);
void spar_pins_destroy(struct spar_dev *sdev);
void spar_pins_drop_all(struct spar_dev *sdev);
void spar_pins_unmap(struct spar_dev *sdev, u64 iova, u64 length);
int spar_copy_from_guest(struct spar_dev *sdev, void *dst, u64 iova,
			 size_t len);
int spar_copy_to_guest(struct spar_dev *sdev, u64 iova, const void *src,
		       size_t len);
int spar_guest_range_ok(struct spar_dev *sdev, u64 iova, size_t len);
ssize_t spar_ranges_len(const struct spar_guest_range *r, u32 n,
			size_t max_len);
int spar_copy_from_ranges(struct spar_dev *sdev,
			  const struct spar_guest_range *r, u32 n,
			  void *dst, size_t len);
int spar_copy_to_ranges(struct spar_dev *sdev,
			const struct spar_guest_range *r, u32 n,
			const void *src, size_t len);

/* spar_nic.c */
extern const struct spar_backend_ops spar_nic_ops;
extern const struct attribute_group spar_nic_group;

#endif /* _SPAR_MDEV_H */
