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
#include <linux/wait.h>
#include <linux/vfio.h>
#include <linux/workqueue.h>
#include <linux/xarray.h>

#include <spar/transport.h>
#include "signalqueue.h"
#include "spar_cfg.h"
#include "spar_compat.h"
#include "spar_irq.h"
#include "spar_types.h"

#define SPAR_CLASS_NAME		"spar"
#define SPAR_PARENT_NAME	"spar"

/* Upper bound for the per-type instance limits given at load time. */
#define SPAR_MAX_INSTANCES_LIMIT	1024

/* VFIO region offsets: region index in the bits above this shift. */
#define SPAR_REGION_SHIFT	40
#define SPAR_REGION_INDEX(off)	((off) >> SPAR_REGION_SHIFT)
#define SPAR_REGION_OFFSET(off)	((off) & ((1ULL << SPAR_REGION_SHIFT) - 1))
#define SPAR_REGION_BASE(index)	((u64)(index) << SPAR_REGION_SHIFT)

/* Slots per queue of a ring-sized channel: default and bounds of ring_slots. */
#define SPAR_RING_SLOTS_DEFAULT	256
#define SPAR_RING_SLOTS_MIN	64
#define SPAR_RING_SLOTS_MAX	4096

/* Largest BAR0 any type lays out. */
#define SPAR_BAR0_MAX_SIZE	(64ULL << 20)

/* Largest signal the engine takes off a queue. */
#define SPAR_ENGINE_MSG_MAX	PAGE_SIZE

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
 * @protocol_errors: protocol violations by the guest
 * @pin_hits: guest page look-ups served by the pin cache
 * @pin_misses: guest page look-ups that had to pin
 * @pin_evictions: cached pins dropped to stay within the bound
 * @pin_unmap_drops: cached pins dropped because the user unmapped them
 * @dma_unmaps: dma_unmap callbacks received from the IOMMU back-end
 * @pin_quarantine_rw: guest accesses served without a pin because their
 *	page lay in a range being unmapped
 * @resets: device resets
 * @guest_resets: resets the guest asked for through the RESET register
 * @pins_owned: pages pinned outside the cache, owned by requests in
 *	flight (spar_pin_run())
 */
struct spar_counters {
	atomic64_t doorbells;
	atomic64_t interrupts;
	atomic64_t poll_passes;
	atomic64_t sleeps;
	atomic64_t protocol_errors;
	atomic64_t pin_hits;
	atomic64_t pin_misses;
	atomic64_t pin_evictions;
	atomic64_t pin_unmap_drops;
	atomic64_t dma_unmaps;
	atomic64_t pin_quarantine_rw;
	atomic64_t resets;
	atomic64_t guest_resets;
	atomic64_t pins_owned;
};

/**
 * struct spar_backend_ops - what a device type plugs into the engine
 * @create: allocate back-end state at instance creation, before the
 *	channels are first laid out; may sleep
 * @destroy: free it at instance release; may sleep
 * @start: the engine starts serving (device opened, reset done, resume)
 * @stop: the engine stopped; forget every posted buffer and drop
 *	every reference to guest memory before returning
 * @handle: one command the guest put on queue @q of channel @chan;
 *	@msg is a private copy, never shared memory.  Return 0, or
 *	-EPROTO when the command breaks the protocol (the device is then
 *	marked as needing reset)
 * @poll: produce work towards the guest (e.g. received frames), at most
 *	@budget items; return the number done, or -EPROTO
 * @flush: end of a pass of the worker, whatever it returned: hand on what
 *	@handle gathered during the pass (e.g. frames for the host stack)
 * @unmap: the user unmapped [@iova, @iova + @len): forget every posted
 *	buffer in the range (pins are dropped by the caller)
 * @dma_off: the guest turned bus mastering off: return once nothing the
 *	back-end started outside the worker (e.g. I/O on guest pages it
 *	handed to other kernel code) still touches guest memory; may sleep
 * @accept_features: of the device features (SPAR_TRANSPORT_F_DEVICE_MASK)
 *	the guest writes, which the host records, so that the guest reads
 *	back exactly what the back-end will use; NULL keeps them all.  Called
 *	with sdev->lock held; must not sleep
 * @room: free slots the back-end needs on its response queues before the
 *	engine may take another command; the engine stops taking commands
 *	while fewer are free
 */
struct spar_backend_ops {
	int (*create)(struct spar_dev *sdev);
	void (*destroy)(struct spar_dev *sdev);
	int (*start)(struct spar_dev *sdev);
	void (*stop)(struct spar_dev *sdev);
	int (*handle)(struct spar_dev *sdev, unsigned int chan, unsigned int q,
		      const void *msg);
	int (*poll)(struct spar_dev *sdev, int budget);
	void (*flush)(struct spar_dev *sdev);
	void (*unmap)(struct spar_dev *sdev, u64 iova, u64 len);
	void (*dma_off)(struct spar_dev *sdev);
	u32 (*accept_features)(struct spar_dev *sdev, u32 features);
	unsigned int room;
};

/**
 * struct spar_queue_plan - one signal queue of a channel
 * @role: which end of the queue the host is
 * @signal_size: bytes per slot; a geometry that disagrees is refused
 */
struct spar_queue_plan {
	enum spar_sq_role role;
	u32 signal_size;
};

/**
 * struct spar_chan_plan - one channel a type brings, as the host lays it out
 * @guid: channel type GUID
 * @version: version_id written in the channel header
 * @space_offset: ch_space_offset written in the channel header: where the
 *	signal queue headers start
 * @ring_sized: the channel's size follows the instance's ring_slots
 * @geometry: the channel's size in bytes (whole pages) for @ring_slots
 *	slots per queue, and the geometry of each of its @nr_queues queues.
 *	Return 0, or -EINVAL if they do not fit
 * @nr_queues: queues in the channel, 1..SPAR_TRANSPORT_MAX_QUEUES
 * @queues: each queue, by index in the channel
 * @write_area: write the type-specific area of the freshly laid out
 *	channel @ch, or NULL if the channel has none.  Called with the
 *	device quiesced, with sdev->lock held, after the back-end's create
 */
struct spar_chan_plan {
	struct spar_guid guid;
	u32 version;
	u64 space_offset;
	bool ring_sized;
	int (*geometry)(u32 ring_slots, u64 *size,
			struct spar_sq_geometry *geo);
	unsigned int nr_queues;
	struct spar_queue_plan queues[SPAR_TRANSPORT_MAX_QUEUES];
	void (*write_area)(struct spar_dev *sdev, struct spar_chan *ch);
};

/**
 * struct spar_type_desc - everything the core knows of one device type
 * @sysfs_name: the mdev type's directory is "spar-" and this; also names
 *	the module parameter max_<sysfs_name>
 * @name: the type's name file, e.g. "spar-nic"
 * @description: one line for the type's description file
 * @pci_device: PCI device ID (and subsystem ID)
 * @pci_class: PCI class code
 * @transport_type: SPAR_TRANSPORT_TYPE_* in the transport page
 * @default_limit: instances allowed when no limit is given at load time
 * @nr_chans: channels an instance has, 1..SPAR_TRANSPORT_MAX_CHANNELS
 * @chans: how each is laid out, in BAR0 order
 * @ops: back-end, or NULL while the type has none: its queues are then
 *	laid out but served by nothing
 * @attrs: the back-end's instance attributes, or NULL
 * @stats: the back-end's counters, shown under stats/ beside the core's,
 *	or NULL
 *
 * Each type defines one in its back-end's file; the core reaches the type
 * only through it.  @attrs and @stats are shown on instances of this type
 * only; their own is_visible, if any, is asked after that.
 */
struct spar_type_desc {
	const char *sysfs_name;
	const char *name;
	const char *description;
	u16 pci_device;
	u32 pci_class;
	u32 transport_type;
	unsigned int default_limit;
	unsigned int nr_chans;
	const struct spar_chan_plan *chans;
	const struct spar_backend_ops *ops;
	const struct attribute_group *attrs;
	const struct attribute_group *stats;
};

/**
 * struct spar_type - one mdev type offered by the parent
 * @mtype: the mdev core's view; sysfs_name and pretty_name are set here
 * @table_name: the name on the type's line of the table, which names the
 *	module parameter; the descriptor's sysfs_name must be the same
 * @desc: the type's descriptor
 * @max_instances: instance limit, fixed at module load
 * @limit_given: @max_instances came from a module parameter
 * @msg_size: bytes of the largest signal on any queue the host consumes
 * @ring_sized: some channel's size follows ring_slots
 * @live: instances that currently hold a reservation against @max_instances
 *
 * A reservation is taken in probe before anything else is allocated and
 * given back by the vfio device's release, so @live never exceeds
 * @max_instances and never counts a device that is already gone.
 */
struct spar_type {
	struct mdev_type mtype;
	const char *table_name;
	const struct spar_type_desc *desc;
	unsigned int max_instances;
	bool limit_given;
	size_t msg_size;
	bool ring_sized;
	atomic_t live;
};

/**
 * struct spar_engine - the worker serving one open instance
 * @lock: protects @task against a doorbell racing with a stop
 * @dma_lock: held by the worker across each pass (every access to guest
 *	memory and every MSI of the engine happens in one), and taken by
 *	whoever turns bus mastering off, so that no pass is in flight once
 *	the guest's write returns
 * @task: the kthread, while the device is open and has a back-end
 * @kick: set by doorbells and back-end events, cleared by the worker
 *	before each pass; pairs with the re-check before it sleeps
 * @msg: private copy of the command being handled
 * @msg_size: bytes of @msg: the largest slot of any queue the host
 *	consumes; every copy into it is checked against this
 * @irq_pending: notification indexes that got a signal in this pass
 * @room_wait: the last pass left commands queued for lack of room on a
 *	response queue; the worker then asks to be told when room appears
 * @busy_poll_us: opt-in window the worker keeps polling after it found
 *	nothing, in microseconds
 * @adaptive_ns: current self-tuned polling window
 */
struct spar_engine {
	spinlock_t lock; /* see above */
	struct mutex dma_lock; /* see above */
	struct task_struct *task;
	atomic_t kick;
	u8 *msg;
	size_t msg_size;
	unsigned long irq_pending;
	bool room_wait;
	unsigned int busy_poll_us;
	u64 adaptive_ns;
};

/* Pages spar_pin_run() takes at once: what vfio_pin_pages() accepts. */
#define SPAR_PIN_RUN_MAX	(PAGE_SIZE / sizeof(unsigned long))

/* Ranges that may be in the middle of an unmap at once; see spar_xlate.c. */
#define SPAR_PIN_QUARANTINE_MAX	16

/**
 * struct spar_pin_range - an IOVA range the user is unmapping
 * @first: first page frame number
 * @last: last page frame number
 * @since: ktime_get_ns() when the range was quarantined
 * @pending: unmapping tasks that have yet to return to user space
 */
struct spar_pin_range {
	u64 first;
	u64 last;
	u64 since;
	unsigned int pending;
};

/**
 * struct spar_pin_cache - guest pages pinned for the back-end
 * @lock: serialises look-ups, copies from cached pins, the quarantine and
 *	dma_unmap purges.  Never held across vfio_pin_pages(),
 *	vfio_unpin_pages() or vfio_dma_rw(), which take the IOMMU back-end's
 *	own locks
 * @idle: woken when a slot of @pinning drops to zero
 * @pages: pins by IOVA page frame number and access (read-only or
 *	writable; see spar_pin_index())
 * @lru: the same entries, least recently used first
 * @count: entries in @pages
 * @max: bound on @count
 * @pinning: vfio_pin_pages() calls in progress, by the parity of the
 *	@unmap_seq they began under
 * @unmap_seq: incremented at every dma_unmap round
 * @quarantine: ranges being unmapped, in which nothing is pinned
 * @nr_quarantine: entries in use in @quarantine
 */
struct spar_pin_cache {
	struct mutex lock; /* see above */
	wait_queue_head_t idle;
	struct xarray pages;
	struct list_head lru;
	unsigned int count;
	unsigned int max;
	unsigned int pinning[2];
	u64 unmap_seq;
	struct spar_pin_range quarantine[SPAR_PIN_QUARANTINE_MAX];
	unsigned int nr_quarantine;
};

/**
 * struct spar_dev - one mdev instance, one emulated PCI function
 * @vdev: the VFIO device; first member, as the VFIO core requires
 * @mdev: the mediated device this instance is bound to
 * @type: the type it was created as
 * @lock: serialises open/close, reset, configuration space, registers and
 *	attribute changes
 * @open: the user has the device open
 * @owner: the task that opened it, while it is open; the worker runs in
 *	its cgroups
 * @cfg: configuration space; under @lock
 * @dma_enabled: Bus Master Enable as the guest last wrote it: the host may
 *	pin, copy and raise MSIs.  Written under @lock, and cleared also under
 *	the engine's dma_lock; read by the worker
 * @irq: interrupt state; its own lock
 * @bar0: channel memory, vmalloc_user(), mapped by the user
 * @bar0_size: bytes of @bar0, a power of two
 * @ring_slots: slots per queue of the ring-sized channels; an attribute,
 *	fixed while the device is open
 * @tp: transport page, the first page of @bar0
 * @nr_chans: channels laid out in @bar0
 * @chan: the host's trusted copy of their geometry
 * @status: SPAR_STATUS_* as the guest reads it
 * @guest_status: SPAR_GUEST_STATUS_* as the guest wrote it
 * @guest_features: features the guest accepted
 * @dev_features: device-type features (SPAR_TRANSPORT_F_DEVICE_MASK) the
 *	back-end offers; set by it while the device is not open
 * @generation: incremented on every (re)initialisation of the channels
 * @engine: the worker
 * @pause_timeout: gives up on a guest that does not acknowledge a pause
 * @pins: the pin cache
 * @stats: the core's counters
 * @backend: the back-end's private state
 */
struct spar_dev {
	struct vfio_device vdev;
	struct mdev_device *mdev;
	struct spar_type *type;
	struct mutex lock; /* see above */
	bool open;
	struct task_struct *owner;
	struct spar_cfg cfg;
	bool dma_enabled;
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
	u32 dev_features;
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

/*
 * Whether the guest lets the function reach its memory (Bus Master Enable).
 * A back-end uses it to drop host events it could not deliver anyway.
 */
static inline bool spar_dev_dma_allowed(struct spar_dev *sdev)
{
	return READ_ONCE(sdev->dma_enabled);
}

static inline void *spar_chan_mem(struct spar_dev *sdev,
				  const struct spar_chan *ch)
{
	return sdev->bar0 + ch->offset;
}

extern struct mdev_driver spar_mdev_driver;
extern const struct vfio_device_ops spar_vfio_ops;

/*
 * Test hooks (module parameter fault_inject): when set, back-ends may offer
 * debugfs files under this directory that make an instance misbehave
 * towards its guest, so that guest drivers can be tested against a hostile
 * host.  NULL when the parameter is off.
 */
extern struct dentry *spar_debugfs_faults;

/* The type descriptors, one per line of the type table. */
#define SPAR_TYPE_DESC_DECLARE(name) \
	extern const struct spar_type_desc spar_##name##_type
SPAR_TYPES(SPAR_TYPE_DESC_DECLARE, ;)

/* spar_hba.c: the LIO fabric */
int spar_hba_register(void);
void spar_hba_unregister(void);

/* spar_layout.c */
int spar_layout_size(struct spar_dev *sdev, u64 *bar0_size);
int spar_layout_init(struct spar_dev *sdev);
int spar_layout_reinit_queues(struct spar_dev *sdev);

/* spar_regs.c */
u32 spar_regs_read(struct spar_dev *sdev, unsigned int off);
void spar_regs_write(struct spar_dev *sdev, unsigned int off, u32 val);

/* spar_instance.c */
int spar_types_groups_init(struct spar_type *const *types, unsigned int n);
void spar_types_groups_exit(void);
int spar_dev_init(struct vfio_device *vdev);
void spar_dev_release(struct vfio_device *vdev);
int spar_dev_reset(struct spar_dev *sdev);
void spar_cfg_setup(struct spar_dev *sdev);
void spar_dev_command_sync(struct spar_dev *sdev);
int spar_attr_u32(struct device *dev, const char *name, const char *buf,
		  u32 min, u32 max, const char *hint, u32 *val);
int spar_attr_writable(struct device *dev, struct spar_dev *sdev,
		       const char *name);
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
int spar_guest_range_ok(struct spar_dev *sdev, u64 iova, size_t len,
			bool write);
int spar_pin_run(struct spar_dev *sdev, u64 iova, unsigned int npages,
		 bool write, struct page **pages);
void spar_unpin_run(struct spar_dev *sdev, u64 iova, unsigned int npages,
		    struct page **pages, bool written);
ssize_t spar_ranges_len(const struct spar_guest_range *r, u32 n,
			size_t max_len);
int spar_copy_from_ranges(struct spar_dev *sdev,
			  const struct spar_guest_range *r, u32 n,
			  void *dst, size_t len);
int spar_copy_to_ranges(struct spar_dev *sdev,
			const struct spar_guest_range *r, u32 n,
			const void *src, size_t len);

#endif /* _SPAR_MDEV_H */
