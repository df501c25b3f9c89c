/* SPDX-License-Identifier: GPL-2.0 */
/*
 * visorbus: the bus that s-Par function drivers (visornic, visorhba,
 * visorinput) attach to.
 *
 * This is the function-driver API of the s-Par visorbus, kept source
 * compatible with the last in-kernel version of <linux/visorbus.h>, on top
 * of the spar PCI transport: each spar PCI function is one bus
 * ("visorbus<N>") and each channel in its directory one device
 * ("vbus<N>:dev<M>").  Channel memory is ordinary write-back memory, so the
 * structures below are read and written in place, in CPU byte order, as
 * they always were (s-Par guests are little-endian).
 *
 * Additions to the traditional API are marked "Not in the s-Par API".
 */
#ifndef __VISORBUS_H__
#define __VISORBUS_H__

#include <linux/device.h>
#include <linux/kernel.h>
#include <linux/list.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/timer.h>
#include <linux/types.h>
#include <linux/uuid.h>

struct visorchannel;

/* "ECNL" as a little-endian number: channel_header.signature */
#define VISOR_CHANNEL_SIGNATURE ('L' << 24 | 'N' << 16 | 'C' << 8 | 'E')

/* channel_header.srv_state */
enum channel_serverstate {
	CHANNELSRV_UNINITIALIZED = 0,
	CHANNELSRV_READY = 1,
};

/* channel_header.cli_state_boot and cli_state_os */
enum channel_clientstate {
	CHANNELCLI_DETACHED = 0,
	CHANNELCLI_DISABLED = 1,
	CHANNELCLI_ATTACHING = 2,
	CHANNELCLI_ATTACHED = 3,
	CHANNELCLI_BUSY = 4,
	CHANNELCLI_OWNED = 5,
};

/* channel_header.features */
#define VISOR_CHANNEL_ENABLE_INTS		BIT_ULL(0)
#define VISOR_DRIVER_ENABLES_INTS		BIT_ULL(1)
#define VISOR_CHANNEL_IS_POLLING		BIT_ULL(3)
#define VISOR_IOVM_OK_DRIVER_DISABLING_INTS	BIT_ULL(4)
#define VISOR_DRIVER_DISABLES_INTS		BIT_ULL(5)
#define VISOR_DRIVER_ENHANCED_RCVBUF_CHECKING	BIT_ULL(6)

/**
 * struct channel_header - common header at byte 0 of every channel
 * @signature: VISOR_CHANNEL_SIGNATURE
 * @legacy_state: unused
 * @header_size: 128
 * @size: bytes of the whole channel
 * @features: VISOR_CHANNEL_* and VISOR_DRIVER_* bits
 * @chtype: channel type GUID
 * @partition_handle: partition the channel belongs to
 * @handle: unused
 * @ch_space_offset: offset of the first signal queue header
 * @version_id: version of the channel type's layout
 * @partition_index: unused
 * @zone_guid: zone the channel belongs to
 * @cli_str_offset: offset of the client string, 0 if none
 * @cli_state_boot: enum channel_clientstate of a pre-boot client
 * @cmd_state_cli: unused
 * @cli_state_os: enum channel_clientstate of the OS client
 * @ch_characteristic: unused
 * @cmd_state_srv: unused
 * @srv_state: enum channel_serverstate
 * @cli_error_boot: throttle bits of the pre-boot client
 * @cli_error_os: throttle bits of the OS client
 * @filler: padding
 * @recover_channel: unused
 *
 * The same 128 bytes as struct spar_channel_header in <spar/channel.h>.
 * A function driver writes only @features.
 */
struct channel_header {
	u64 signature;
	u32 legacy_state;
	u32 header_size;
	u64 size;
	u64 features;
	guid_t chtype;
	u64 partition_handle;
	u64 handle;
	u64 ch_space_offset;
	u32 version_id;
	u32 partition_index;
	guid_t zone_guid;
	u32 cli_str_offset;
	u32 cli_state_boot;
	u32 cmd_state_cli;
	u32 cli_state_os;
	u32 ch_characteristic;
	u32 cmd_state_srv;
	u32 srv_state;
	u8 cli_error_boot;
	u8 cli_error_os;
	u8 filler[1];
	u8 recover_channel;
} __packed;

/**
 * struct signal_queue_header - header of one signal queue
 * @version: 0
 * @chtype: 0
 * @size: bytes of the slot array
 * @sig_base_offset: offset of slot 0 from this header
 * @features: unused
 * @num_sent: signals inserted (producer)
 * @num_overflows: inserts refused because the queue was full (producer)
 * @signal_size: bytes per slot
 * @max_slots: slots in the ring
 * @max_signals: @max_slots - 1
 * @head: most recently filled slot (producer)
 * @num_received: signals removed (consumer)
 * @tail: most recently emptied slot (consumer)
 * @reserved1: zero
 * @reserved2: zero
 * @client_queue: unused
 * @num_irq_received: unused
 * @num_empty: unused
 * @errorflags: unused
 * @filler: padding to 128 bytes
 *
 * The same 128 bytes as struct spar_signal_queue_header in
 * <spar/channel.h>.  Only the visorchannel_signal*() calls touch queues.
 */
struct signal_queue_header {
	u32 version;
	u32 chtype;
	u64 size;
	u64 sig_base_offset;
	u64 features;
	u64 num_sent;
	u64 num_overflows;
	u32 signal_size;
	u32 max_slots;
	u32 max_signals;
	u32 head;
	u64 num_received;
	u32 tail;
	u32 reserved1;
	u64 reserved2;
	u64 client_queue;
	u64 num_irq_received;
	u64 num_empty;
	u32 errorflags;
	u8 filler[12];
} __packed;

/* {414815ed-c58c-11da-95a9-00e08161165f} */
#define VISOR_VHBA_CHANNEL_GUID \
	GUID_INIT(0x414815ed, 0xc58c, 0x11da, \
		  0x95, 0xa9, 0x0, 0xe0, 0x81, 0x61, 0x16, 0x5f)
#define VISOR_VHBA_CHANNEL_GUID_STR \
	"414815ed-c58c-11da-95a9-00e08161165f"

struct visor_device;

/**
 * typedef visorbus_state_complete_func - end of a pause or resume
 * @dev: the device the driver paused or resumed
 * @status: 0 on success, else a negative errno
 *
 * A driver's pause() and resume() call this once, from any context, when
 * the device has stopped (or restarted) using its channel.
 */
typedef void (*visorbus_state_complete_func) (struct visor_device *dev,
					      int status);

/**
 * struct visor_channeltype_descriptor - a channel type a driver handles
 * @guid: channel type GUID; the array ends with an all-zero GUID
 * @name: name of the type (the device's sysfs "typename")
 * @min_bytes: smallest acceptable channel, 0 for no check
 * @version: required channel_header.version_id, 0 for no check
 */
struct visor_channeltype_descriptor {
	const guid_t guid;
	const char *name;
	u64 min_bytes;
	u32 version;
};

/**
 * struct visor_driver - a function driver
 * @name: driver name
 * @owner: THIS_MODULE
 * @channel_types: channel types handled, ending with a zero GUID
 * @probe: bind to a device.  Called with the device's callback lock held,
 *	in process context.  Required.
 * @remove: unbind.  Called with the callback lock held; the bus stops
 *	channel interrupts for the device after it returns.  Required.
 * @channel_interrupt: something may have happened in the channel; called
 *	in softirq context (must not sleep) while channel interrupts are
 *	enabled for the device
 * @pause: stop using the channel (back-end recovery); call the completion
 *	function when done.  Required.
 * @resume: start again on empty queues; call the completion function when
 *	done.  Required.
 * @driver: private to the bus
 */
struct visor_driver {
	const char *name;
	struct module *owner;
	struct visor_channeltype_descriptor *channel_types;
	int (*probe)(struct visor_device *dev);
	void (*remove)(struct visor_device *dev);
	void (*channel_interrupt)(struct visor_device *dev);
	int (*pause)(struct visor_device *dev,
		     visorbus_state_complete_func complete_func);
	int (*resume)(struct visor_device *dev,
		      visorbus_state_complete_func complete_func);

	/* These fields are for private use by the bus driver only. */
	struct device_driver driver;
};

#define to_visor_driver(x) (container_of(x, struct visor_driver, driver))

/**
 * struct visorchipset_state - device life-cycle bits (bus-private)
 * @created: the device exists
 * @attached: a driver is bound
 * @configured: unused
 * @running: the channel is in use (not paused)
 * @reserved: unused
 */
struct visorchipset_state {
	u32 created:1;
	u32 attached:1;
	u32 configured:1;
	u32 running:1;
	u32 reserved:28;
};

/**
 * struct visor_device - one channel on a visorbus
 * @visorchannel: the channel, for the visorchannel_*() calls
 * @channel_type_guid: the channel type, from the channel directory
 * @device: the device ("vbus<B>:dev<D>", or "visorbus<B>" for a bus)
 * @list_all: bus-private
 * @timer: bus-private (unused: see visorbus_enable_channel_interrupts())
 * @timer_active: bus-private: channel interrupts are enabled
 * @being_removed: bus-private: the device is going away
 * @visordriver_callback_lock: bus-private: serialises probe, remove,
 *	pause and resume
 * @pausing: bus-private: a pause is in progress
 * @resuming: bus-private: a resume is in progress
 * @chipset_bus_no: bus number B
 * @chipset_dev_no: device number D (BUS_ROOT_DEVICE for a bus)
 * @state: bus-private life-cycle bits
 * @inst: instance GUID (the zone GUID of the channel)
 * @name: bus-private
 * @pending_msg_hdr: bus-private, unused
 * @vbus_hdr_info: bus-private, unused
 * @partition_guid: GUID of the partition (see the admin guide)
 * @debugfs_dir: bus-private, unused
 * @debugfs_bus_info: bus-private, unused
 * @priv: bus-private: the spar PCI function the device belongs to
 * @flags: bus-private state bits
 */
struct visor_device {
	struct visorchannel *visorchannel;
	guid_t channel_type_guid;
	/* These fields are for private use by the bus driver only. */
	struct device device;
	struct list_head list_all;
	struct timer_list timer;
	bool timer_active;
	bool being_removed;
	struct mutex visordriver_callback_lock; /* probe/remove/pause/resume */
	bool pausing;
	bool resuming;
	u32 chipset_bus_no;
	u32 chipset_dev_no;
	struct visorchipset_state state;
	guid_t inst;
	u8 *name;
	void *pending_msg_hdr;
	void *vbus_hdr_info;
	guid_t partition_guid;
	struct dentry *debugfs_dir;
	struct dentry *debugfs_bus_info;
	void *priv;
	unsigned long flags;
};

#define to_visor_device(x) container_of(x, struct visor_device, device)

int visorbus_register_visor_driver(struct visor_driver *drv);
void visorbus_unregister_visor_driver(struct visor_driver *drv);
int visorbus_read_channel(struct visor_device *dev, unsigned long offset,
			  void *dest, unsigned long nbytes);
int visorbus_write_channel(struct visor_device *dev, unsigned long offset,
			   void *src, unsigned long nbytes);
int visorbus_enable_channel_interrupts(struct visor_device *dev);
void visorbus_disable_channel_interrupts(struct visor_device *dev);

/*
 * Signal queues.  @msg must hold the queue's signal_size bytes: 1216
 * (sizeof a padded struct uiscmdrsp) on IO channels, 16 on keyboard and
 * mouse channels.
 */
int visorchannel_signalremove(struct visorchannel *channel, u32 queue,
			      void *msg);
int visorchannel_signalinsert(struct visorchannel *channel, u32 queue,
			      void *msg);
bool visorchannel_signalempty(struct visorchannel *channel, u32 queue);
const guid_t *visorchannel_get_guid(struct visorchannel *channel);

/* Not in the s-Par API: notification control for NAPI-style drivers. */
bool visorchannel_set_polling(struct visorchannel *channel, u32 queue,
			      bool polling);
/* Not in the s-Par API: insert several signals, then one doorbell. */
int visorchannel_signalinsert_quiet(struct visorchannel *channel, u32 queue,
				    void *msg);
void visorchannel_signalkick(struct visorchannel *channel, u32 queue);
/* Not in the s-Par API: protocol extensions of the device type. */
u32 visorbus_get_device_features(struct visor_device *dev);
u32 visorbus_set_device_features(struct visor_device *dev, u32 features);

int visor_check_channel(struct channel_header *ch, struct device *dev,
			const guid_t *expected_uuid, char *chname,
			u64 expected_min_bytes, u32 expected_version,
			u64 expected_signature);

#define BUS_ROOT_DEVICE UINT_MAX
struct visor_device *visorbus_get_device_by_id(u32 bus_no, u32 dev_no,
					       struct visor_device *from);

#endif /* __VISORBUS_H__ */
