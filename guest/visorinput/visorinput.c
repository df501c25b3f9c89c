// SPDX-License-Identifier: GPL-2.0
/*
 * visorinput: Linux input devices on s-Par keyboard and mouse channels.
 *
 * Each channel is one queue of 16-byte reports that only the back-end
 * fills; nothing ever goes the other way.  A keyboard channel becomes a
 * keyboard with the three lock LEDs, a mouse channel an absolute pointer
 * with three buttons and a wheel.  The queue is drained only while the
 * input device is open and the bus has not paused the channel: reports
 * that come while nobody listens wait in the queue, and those the full
 * queue cannot take are the back-end's to drop.
 *
 * Reports are taken in bounded batches from the bus's channel callback
 * (softirq context); whatever a batch leaves comes with the next call,
 * which the back-end's next report or the bus's poll brings.
 */
#include <linux/input.h>
#include <linux/lockdep.h>
#include <linux/minmax.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/visorbus.h>

#include <spar/channel.h>
#include <spar/guid.h>
#include <spar/input.h>

#include "visorinput_keys.h"

#define VISORINPUT_NAME		"visorinput"

/* Identities of the Linux devices. */
#define VI_KBD_NAME		"visor Keyboard"
#define VI_KBD_PHYS		"visorkbd:input0"
#define VI_MOUSE_NAME		"visor Mouse"
#define VI_MOUSE_PHYS		"visormou:input0"
#define VI_VENDOR		0x0001
#define VI_PRODUCT_KBD		0x0001
#define VI_PRODUCT_MOUSE	0x0002
#define VI_VERSION		0x0100

/* Reports taken in one call, at most: four times a full queue. */
#define VI_MAX_REPORTS_PER_CALL	(4 * SPAR_INPUT_MAXINPUTREPORTS)

/*
 * The packet size the device announces: each report is one packet of up
 * to three events (a key or button and its sync; x, y and sync), and
 * evdev sizes a reader's buffer at eight packets, which this makes room
 * for the VI_MAX_REPORTS_PER_CALL reports of one call.
 */
#define VI_EVENTS_PER_BURST	(2 * SPAR_INPUT_MAXINPUTREPORTS)

/* The channel must hold the data the driver reads after the header. */
#define VI_MIN_CHANNEL_BYTES	(SPAR_INPUT_CHANNEL_DATA_OFFSET + \
				 SPAR_INPUT_CHANNEL_DATA_SIZE)

#define VI_OFF_SPACE		offsetof(struct spar_channel_header, \
					 ch_space_offset)
#define VI_OFF_SIGNAL_SIZE	offsetof(struct spar_signal_queue_header, \
					 signal_size)

enum vi_kind {
	VI_KEYBOARD,
	VI_MOUSE,
};

/**
 * struct visorinput - one keyboard or mouse channel
 * @vdev: the channel device
 * @input: the Linux input device
 * @kind: keyboard or mouse, by the channel type
 * @lock: serialises the input device's open and close with the bus's
 *	pause, resume and remove; protects @opened, @paused, @removing and
 *	@polling
 * @opened: the input device is open
 * @paused: the bus has paused the channel
 * @removing: remove has begun: an open must not start polling
 * @polling: channel interrupts are enabled
 *
 * Lock order: the input core's device mutex (held around open and close)
 * before @lock; @lock is never held while calling into the input core
 * functions that take that mutex.
 */
struct visorinput {
	struct visor_device *vdev;
	struct input_dev *input;
	enum vi_kind kind;
	struct mutex lock; /* see above */
	bool opened;
	bool paused;
	bool removing;
	bool polling;
};

/* --- reports -------------------------------------------------------- */

static void vi_key(struct input_dev *input, unsigned int code, int value)
{
	input_report_key(input, code, value);
	input_sync(input);
}

static void vi_key_click(struct input_dev *input, unsigned int code)
{
	vi_key(input, code, 1);
	vi_key(input, code, 0);
}

/* The button of a MOUSE_BUTTON action, 0 for one the mouse lacks. */
static unsigned int vi_button(unsigned int arg1)
{
	switch (arg1) {
	case SPAR_MOUSE_BUTTON_LEFT:
		return BTN_LEFT;
	case SPAR_MOUSE_BUTTON_MIDDLE:
		return BTN_MIDDLE;
	case SPAR_MOUSE_BUTTON_RIGHT:
		return BTN_RIGHT;
	default:
		return 0;
	}
}

/* The LED of a locking key, -1 for any other key. */
static int vi_lock_led(unsigned int key)
{
	switch (key) {
	case KEY_CAPSLOCK:
		return LED_CAPSL;
	case KEY_NUMLOCK:
		return LED_NUML;
	case KEY_SCROLLLOCK:
		return LED_SCROLLL;
	default:
		return -1;
	}
}

/*
 * SET_LOCKING_KEY_STATE: the host's lock state is @on.  Where the guest's
 * LED disagrees, press and release the key so that the guest's keyboard
 * handling toggles its lock.  The LED bit is flipped here, before the key
 * goes out, so that a second report coming before the guest updates its
 * LEDs does not toggle the lock back; the handler's own LED update, made
 * later, then finds the bit already right.  The input core keeps the bit
 * under its event lock.
 */
static void vi_lock_key(struct input_dev *input, unsigned int key, bool on)
{
	unsigned long flags;
	bool differs;
	int led;

	led = vi_lock_led(key);
	if (led < 0)
		return;
	spin_lock_irqsave(&input->event_lock, flags);
	differs = test_bit(led, input->led) != on;
	if (differs)
		__change_bit(led, input->led);
	spin_unlock_irqrestore(&input->event_lock, flags);
	if (differs)
		vi_key_click(input, key);
}

static void vi_keyboard_action(struct input_dev *input, unsigned int action,
			       unsigned int arg1, unsigned int arg2)
{
	unsigned int key = visorinput_scancode_to_key(arg1);

	if (key == KEY_RESERVED)
		return;
	switch (action) {
	case SPAR_INPUTACTION_KEY_DOWN:
		vi_key(input, key, 1);
		break;
	case SPAR_INPUTACTION_KEY_UP:
		vi_key(input, key, 0);
		break;
	case SPAR_INPUTACTION_KEY_DOWN_UP:
		vi_key_click(input, key);
		break;
	case SPAR_INPUTACTION_SET_LOCKING_KEY_STATE:
		vi_lock_key(input, key, arg2 != 0);
		break;
	}
}

static void vi_mouse_motion(struct input_dev *input, unsigned int x,
			    unsigned int y)
{
	/* The axes run from 0 to the resolution the channel announced. */
	x = min_t(unsigned int, x, input_abs_get_max(input, ABS_X));
	y = min_t(unsigned int, y, input_abs_get_max(input, ABS_Y));
	input_report_abs(input, ABS_X, x);
	input_report_abs(input, ABS_Y, y);
	input_sync(input);
}

static void vi_mouse_wheel(struct input_dev *input, int clicks)
{
	input_report_rel(input, REL_WHEEL, clicks);
	input_sync(input);
}

static void vi_mouse_action(struct input_dev *input, unsigned int action,
			    unsigned int arg1, unsigned int arg2)
{
	unsigned int btn = vi_button(arg1);

	switch (action) {
	case SPAR_INPUTACTION_XY_MOTION:
		vi_mouse_motion(input, arg1, arg2);
		break;
	case SPAR_INPUTACTION_MOUSE_BUTTON_DOWN:
		if (btn)
			vi_key(input, btn, 1);
		break;
	case SPAR_INPUTACTION_MOUSE_BUTTON_UP:
		if (btn)
			vi_key(input, btn, 0);
		break;
	case SPAR_INPUTACTION_MOUSE_BUTTON_CLICK:
		if (btn)
			vi_key_click(input, btn);
		break;
	case SPAR_INPUTACTION_MOUSE_BUTTON_DCLICK:
		if (btn) {
			vi_key_click(input, btn);
			vi_key_click(input, btn);
		}
		break;
	case SPAR_INPUTACTION_WHEEL_ROTATE_AWAY:
		vi_mouse_wheel(input, 1);
		break;
	case SPAR_INPUTACTION_WHEEL_ROTATE_TOWARD:
		vi_mouse_wheel(input, -1);
		break;
	}
}

/*
 * One report.  Key actions only mean something on a keyboard, pointer
 * actions only on a mouse; the rest (NONE, SET_MAX_XY, unknown numbers)
 * is ignored.  arg3 and seq_no are unused by every action.
 */
static void vi_report(struct visorinput *vi,
		      const struct spar_input_report *rep)
{
	unsigned int action = le16_to_cpu(rep->activity.action);
	unsigned int arg1 = le16_to_cpu(rep->activity.arg1);
	unsigned int arg2 = le16_to_cpu(rep->activity.arg2);

	if (vi->kind == VI_KEYBOARD)
		vi_keyboard_action(vi->input, action, arg1, arg2);
	else
		vi_mouse_action(vi->input, action, arg1, arg2);
}

/*
 * Context: softirq, from the bus, only while polling is enabled; the bus
 * never runs it twice at once for one device, and disabling polling
 * waits for a call in progress.
 */
static void visorinput_channel_interrupt(struct visor_device *vdev)
{
	struct visorinput *vi = dev_get_drvdata(&vdev->device);
	struct spar_input_report rep;
	unsigned int n;
	int ret;

	if (!vi)
		return;
	for (n = 0; n < VI_MAX_REPORTS_PER_CALL; n++) {
		ret = visorchannel_signalremove(vdev->visorchannel,
						SPAR_INPUT_QUEUE, &rep);
		if (ret) {
			if (ret != -EAGAIN)
				dev_warn_ratelimited(&vdev->device,
						     "cannot take a report (%d)\n",
						     ret);
			return;
		}
		vi_report(vi, &rep);
	}
}

/* --- polling -------------------------------------------------------- */

static int vi_start_polling(struct visorinput *vi)
{
	int ret;

	lockdep_assert_held(&vi->lock);
	if (vi->polling)
		return 0;
	ret = visorbus_enable_channel_interrupts(vi->vdev);
	if (ret) {
		dev_err(&vi->vdev->device,
			"cannot enable channel interrupts (%d)\n", ret);
		return ret;
	}
	vi->polling = true;
	return 0;
}

/* Synchronous: no report is handled once this returns. */
static void vi_stop_polling(struct visorinput *vi)
{
	lockdep_assert_held(&vi->lock);
	if (!vi->polling)
		return;
	visorbus_disable_channel_interrupts(vi->vdev);
	vi->polling = false;
}

/* Context: process; the input core holds the input device's mutex. */
static int vi_open(struct input_dev *input)
{
	struct visorinput *vi = input_get_drvdata(input);
	int ret = 0;

	mutex_lock(&vi->lock);
	if (vi->removing) {
		ret = -ENODEV;
		goto out;
	}
	/* While paused, resume starts polling for an open device. */
	if (!vi->paused)
		ret = vi_start_polling(vi);
	if (!ret)
		vi->opened = true;
out:
	mutex_unlock(&vi->lock);
	return ret;
}

/* Context: process; the input core holds the input device's mutex. */
static void vi_close(struct input_dev *input)
{
	struct visorinput *vi = input_get_drvdata(input);

	mutex_lock(&vi->lock);
	vi->opened = false;
	vi_stop_polling(vi);
	mutex_unlock(&vi->lock);
}

/* --- probe and remove ----------------------------------------------- */

/*
 * The bus copies as many bytes per report as the queue header's
 * signal_size says; refuse a channel whose reports are not the 16 bytes
 * the driver's buffer holds.
 */
static int vi_check_queue(struct visorinput *vi)
{
	struct visor_device *vdev = vi->vdev;
	__le64 space;
	__le32 size;
	u64 off;
	int ret;

	ret = visorbus_read_channel(vdev, VI_OFF_SPACE, &space, sizeof(space));
	if (ret)
		return ret;
	off = le64_to_cpu(space) +
	      SPAR_INPUT_QUEUE * SPAR_SIGNAL_QUEUE_HEADER_SIZE +
	      VI_OFF_SIGNAL_SIZE;
	if (off < le64_to_cpu(space))
		return -EPROTO;
	ret = visorbus_read_channel(vdev, off, &size, sizeof(size));
	if (ret)
		return ret;
	if (le32_to_cpu(size) != sizeof(struct spar_input_report)) {
		dev_err(&vdev->device, "reports of %u bytes, expected %zu\n",
			le32_to_cpu(size), sizeof(struct spar_input_report));
		return -EPROTO;
	}
	return 0;
}

static void vi_setup_common(struct visorinput *vi)
{
	struct input_dev *input = vi->input;

	input->id.bustype = BUS_VIRTUAL;
	input->id.vendor = VI_VENDOR;
	input->id.version = VI_VERSION;
	input->dev.parent = &vi->vdev->device;
	input->open = vi_open;
	input->close = vi_close;
	/*
	 * Reports come in bursts of up to a full queue or more per
	 * interrupt: size the readers' buffers (evdev's follow this hint)
	 * for a burst, so that a reader that wakes late does not lose
	 * events to a buffer overflow.
	 */
	input_set_events_per_packet(input, VI_EVENTS_PER_BURST);
	input_set_drvdata(input, vi);
}

static void vi_set_keys(struct input_dev *input, const unsigned short *keys)
{
	unsigned int i;

	for (i = 0; i < VISORINPUT_SCANCODES; i++)
		if (keys[i] != KEY_RESERVED)
			__set_bit(keys[i], input->keybit);
}

static void vi_setup_keyboard(struct visorinput *vi)
{
	struct input_dev *input = vi->input;

	input->name = VI_KBD_NAME;
	input->phys = VI_KBD_PHYS;
	input->id.product = VI_PRODUCT_KBD;
	__set_bit(EV_KEY, input->evbit);
	/* Held keys repeat in the input core: there is no repeat action. */
	__set_bit(EV_REP, input->evbit);
	__set_bit(EV_LED, input->evbit);
	__set_bit(LED_CAPSL, input->ledbit);
	__set_bit(LED_SCROLLL, input->ledbit);
	__set_bit(LED_NUML, input->ledbit);
	vi_set_keys(input, visorinput_keys_primary);
	vi_set_keys(input, visorinput_keys_extended);
}

static int vi_setup_mouse(struct visorinput *vi)
{
	struct input_dev *input = vi->input;
	struct spar_input_channel_data data;
	unsigned int x_res, y_res;
	int ret;

	BUILD_BUG_ON(sizeof(data) != SPAR_INPUT_CHANNEL_DATA_SIZE);
	ret = visorbus_read_channel(vi->vdev, SPAR_INPUT_CHANNEL_DATA_OFFSET,
				    &data, sizeof(data));
	if (ret)
		return ret;
	x_res = le16_to_cpu(data.mouse.x_res);
	y_res = le16_to_cpu(data.mouse.y_res);
	if (!x_res)
		x_res = SPAR_MOUSE_DEFAULT_X_RES;
	if (!y_res)
		y_res = SPAR_MOUSE_DEFAULT_Y_RES;

	input->name = VI_MOUSE_NAME;
	input->phys = VI_MOUSE_PHYS;
	input->id.product = VI_PRODUCT_MOUSE;
	input_set_capability(input, EV_KEY, BTN_LEFT);
	input_set_capability(input, EV_KEY, BTN_RIGHT);
	input_set_capability(input, EV_KEY, BTN_MIDDLE);
	/* Both ranges include the resolution itself. */
	input_set_abs_params(input, ABS_X, 0, x_res, 0, 0);
	input_set_abs_params(input, ABS_Y, 0, y_res, 0, 0);
	input_set_capability(input, EV_REL, REL_WHEEL);
	return 0;
}

static int visorinput_probe(struct visor_device *vdev)
{
	static const guid_t kbd_guid = SPAR_KEYBOARD_CHANNEL_GUID;
	static const guid_t mouse_guid = SPAR_MOUSE_CHANNEL_GUID;
	struct visorinput *vi;
	int ret;

	BUILD_BUG_ON(sizeof(struct spar_input_report) !=
		     SPAR_INPUT_REPORT_SIZE);

	vi = kzalloc(sizeof(*vi), GFP_KERNEL);
	if (!vi)
		return -ENOMEM;
	vi->vdev = vdev;
	mutex_init(&vi->lock);
	if (guid_equal(&vdev->channel_type_guid, &kbd_guid)) {
		vi->kind = VI_KEYBOARD;
	} else if (guid_equal(&vdev->channel_type_guid, &mouse_guid)) {
		vi->kind = VI_MOUSE;
	} else {
		ret = -ENODEV;
		goto err_free;
	}
	ret = vi_check_queue(vi);
	if (ret)
		goto err_free;

	vi->input = input_allocate_device();
	if (!vi->input) {
		ret = -ENOMEM;
		goto err_free;
	}
	vi_setup_common(vi);
	if (vi->kind == VI_KEYBOARD)
		vi_setup_keyboard(vi);
	else
		ret = vi_setup_mouse(vi);
	if (ret)
		goto err_input;

	/* Polling starts at the first open, which may come at once. */
	dev_set_drvdata(&vdev->device, vi);
	ret = input_register_device(vi->input);
	if (ret) {
		dev_err(&vdev->device, "cannot register the input device (%d)\n",
			ret);
		goto err_drvdata;
	}
	return 0;

err_drvdata:
	dev_set_drvdata(&vdev->device, NULL);
err_input:
	input_free_device(vi->input);
err_free:
	mutex_destroy(&vi->lock);
	kfree(vi);
	return ret;
}

static void visorinput_remove(struct visor_device *vdev)
{
	struct visorinput *vi = dev_get_drvdata(&vdev->device);

	if (!vi)
		return;
	mutex_lock(&vi->lock);
	vi->removing = true;
	vi_stop_polling(vi);
	mutex_unlock(&vi->lock);
	/*
	 * Unregistering closes the device for its remaining users, and
	 * vi_close() takes @lock: it must not be held here.  No open or
	 * close comes after this returns.
	 */
	input_unregister_device(vi->input);
	dev_set_drvdata(&vdev->device, NULL);
	mutex_destroy(&vi->lock);
	kfree(vi);
}

/* --- pause and resume ----------------------------------------------- */

/*
 * Pause: the back-end stops and forgets what it has not yet queued, so
 * releases of keys and buttons held now may never come.  Stop polling,
 * keep the open state for the resume, and let the input core release
 * everything that is down (it takes the input device's mutex, so @lock
 * is dropped first).
 */
static int visorinput_pause(struct visor_device *vdev,
			    visorbus_state_complete_func complete_func)
{
	struct visorinput *vi = dev_get_drvdata(&vdev->device);

	mutex_lock(&vi->lock);
	vi->paused = true;
	vi_stop_polling(vi);
	mutex_unlock(&vi->lock);
	input_reset_device(vi->input);
	complete_func(vdev, 0);
	return 0;
}

/* Resume: poll again if the device is open. */
static int visorinput_resume(struct visor_device *vdev,
			     visorbus_state_complete_func complete_func)
{
	struct visorinput *vi = dev_get_drvdata(&vdev->device);
	int ret = 0;

	mutex_lock(&vi->lock);
	vi->paused = false;
	if (vi->opened)
		ret = vi_start_polling(vi);
	mutex_unlock(&vi->lock);
	complete_func(vdev, ret);
	return 0;
}

static struct visor_channeltype_descriptor visorinput_channel_types[] = {
	{ SPAR_KEYBOARD_CHANNEL_GUID, "keyboard", VI_MIN_CHANNEL_BYTES,
	  SPAR_KEYBOARD_CHANNEL_VERSIONID },
	{ SPAR_MOUSE_CHANNEL_GUID, "mouse", VI_MIN_CHANNEL_BYTES,
	  SPAR_MOUSE_CHANNEL_VERSIONID },
	{}
};

static struct visor_driver visorinput_driver = {
	.name = VISORINPUT_NAME,
	.owner = THIS_MODULE,
	.channel_types = visorinput_channel_types,
	.probe = visorinput_probe,
	.remove = visorinput_remove,
	.pause = visorinput_pause,
	.resume = visorinput_resume,
	.channel_interrupt = visorinput_channel_interrupt,
};

static int __init visorinput_init(void)
{
	return visorbus_register_visor_driver(&visorinput_driver);
}

static void __exit visorinput_exit(void)
{
	visorbus_unregister_visor_driver(&visorinput_driver);
}

module_init(visorinput_init);
module_exit(visorinput_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("s-Par virtual keyboard and mouse driver");
MODULE_ALIAS("visorbus:" SPAR_KEYBOARD_CHANNEL_GUID_STR);
MODULE_ALIAS("visorbus:" SPAR_MOUSE_CHANNEL_GUID_STR);
