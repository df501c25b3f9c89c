// SPDX-License-Identifier: GPL-2.0
/*
 * spar-mdev host module: the spar-input type.
 *
 * Two channels per instance, a keyboard and a mouse, each one queue of
 * 16-byte input reports that only the host fills.  The events come from
 * host input devices: every instance registers its own input_handler, whose
 * match callback takes the devices its "sources" attribute names (by name,
 * phys or uniq) and those a program created through uinput with the phys
 * "spar-input/<uuid>/...".  Hotplug is the input core's: a device that
 * appears later is offered to every handler.
 *
 * Events are translated in the input core's context (dev->event_lock held,
 * interrupts off) into a bounded pending list per channel; the instance's
 * worker moves them to the guest's queue as it makes room.  The guest's
 * queue holds only SPAR_INPUT_MAXINPUTREPORTS reports, so the pending list
 * is where a slow guest is absorbed:
 *
 *  - a key or button release always has a slot: every press admitted keeps
 *    one slot in reserve for its release, so no key sticks in the guest;
 *  - a press, wheel step or lock-state change that finds no slot is
 *    dropped and counted, and the release of a dropped press is dropped
 *    with it;
 *  - a motion that finds no slot replaces the newest pending motion, or
 *    waits in one deferred slot, so the newest position always arrives.
 *
 * The guest writes nothing the back-end reads: the core's queue code keeps
 * the head to itself and checks the guest's tail against its own geometry.
 */
#include <linux/input.h>
#include <linux/list.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>

#include <spar/input.h>

#include "spar_mdev.h"
#include "spar_input_keys.h"

#define INPUT_KBD_CHAN		0
#define INPUT_MOUSE_CHAN	1
#define INPUT_NR_CHANS		2

/* Events waiting for room in one channel's queue. */
#define SPAR_INPUT_PENDING_MAX	256
/* Selectors in the sources attribute, and bytes of one. */
#define SPAR_INPUT_SEL_MAX	8
#define SPAR_INPUT_SEL_LEN	128
/* Wheel steps taken from one event. */
#define SPAR_INPUT_WHEEL_MAX	16
/* Bounds of the x_res and y_res attributes. */
#define SPAR_INPUT_RES_MIN	1
#define SPAR_INPUT_RES_MAX	32767
/* Every instance takes the uinput devices whose phys starts with this. */
#define SPAR_INPUT_PHYS_PREFIX	"spar-input/"

enum spar_input_field {
	SPAR_SEL_NAME,
	SPAR_SEL_PHYS,
	SPAR_SEL_UNIQ,
};

static const char *const spar_sel_field_names[] = {
	[SPAR_SEL_NAME] = "name",
	[SPAR_SEL_PHYS] = "phys",
	[SPAR_SEL_UNIQ] = "uniq",
};

/**
 * struct spar_input_sel - one selector of the sources attribute
 * @field: what it compares
 * @prefix: @text ended in '*': compare only its length
 * @text: the value, without the '*'
 */
struct spar_input_sel {
	enum spar_input_field field;
	bool prefix;
	char text[SPAR_INPUT_SEL_LEN];
};

/**
 * struct spar_input_fifo - events for one channel not yet in its queue
 * @ev: the events, a ring
 * @first: index of the oldest
 * @count: events in the ring
 * @held: presses admitted whose release is still to come; that many
 *	slots are kept free for the releases
 * @motion_deferred: a motion found no slot; @mx, @my wait to be sent
 *	after the ring
 * @mx: its x
 * @my: its y
 */
struct spar_input_fifo {
	struct spar_input_activity ev[SPAR_INPUT_PENDING_MAX];
	unsigned int first;
	unsigned int count;
	unsigned int held;
	bool motion_deferred;
	u16 mx;
	u16 my;
};

/**
 * struct spar_input_src - one host input device feeding the instance
 * @handle: the input core's link between the device and our handler
 * @link: in spar_input.srcs
 * @grabbed: this handle grabbed the device
 * @leaving: disconnect has begun; what the device sends now is dropped
 *	(letting go of a grab makes the host's keyboard handler set the
 *	device's LEDs to the console's, which is no news for the guest)
 * @moved: a motion came since the last SYN_REPORT
 * @held: keys and buttons this device pressed and the guest was told of
 */
struct spar_input_src {
	struct input_handle handle;
	struct list_head link;
	bool grabbed;
	bool leaving;
	bool moved;
	DECLARE_BITMAP(held, KEY_CNT);
};

/**
 * struct spar_input - back-end state of one instance
 * @sdev: the instance
 * @handler: this instance's input handler; registered whenever the
 *	instance exists, re-registered when the binding changes
 * @handler_name: its name
 * @bind_lock: serialises changes of the binding (sel, grab, handler)
 * @registered: @handler is registered
 * @sel: the sources selectors; changed only while @handler is not
 *	registered, so match and connect read them without a lock
 * @nr_sel: entries in @sel
 * @grab: grab the devices taken
 * @phys_prefix: "spar-input/<uuid>/"
 * @src_lock: protects @srcs
 * @srcs: connected devices
 * @lock: protects everything below; taken in the input core's event
 *	context
 * @fifo: per channel
 * @x: pointer position shared by every source, 0..@x_res
 * @y: 0..@y_res
 * @x_res: inclusive maximum of x, as the guest reads it from the channel
 * @y_res: inclusive maximum of y
 * @locks_known: LED_* bits whose state in the guest the host knows
 * @locks_on: of those, the ones on: toggled by the lock keys the guest
 *	is sent, set by the lock states it is sent
 * @seq: sequence number of the next report
 * @events: events taken from sources
 * @reports: reports put on each channel's queue
 * @drops_full: events dropped for lack of room
 * @drops_unmapped: events the protocol cannot carry
 * @motion_merged: motions folded into a later one for lack of room
 * @batch: events the worker moves in one pass; used only by the worker
 */
struct spar_input {
	struct spar_dev *sdev;
	struct input_handler handler;
	char handler_name[48];
	struct mutex bind_lock; /* see above */
	bool registered;
	struct spar_input_sel sel[SPAR_INPUT_SEL_MAX];
	unsigned int nr_sel;
	bool grab;
	char phys_prefix[64];
	struct mutex src_lock; /* see above */
	struct list_head srcs;
	spinlock_t lock; /* see above */
	struct spar_input_fifo fifo[INPUT_NR_CHANS];
	u16 x;
	u16 y;
	u16 x_res;
	u16 y_res;
	u8 locks_known;
	u8 locks_on;
	u64 seq;
	u64 events;
	u64 reports[INPUT_NR_CHANS];
	u64 drops_full;
	u64 drops_unmapped;
	u64 motion_merged;
	struct spar_input_activity batch[SPAR_INPUT_MAXINPUTREPORTS];
};

static struct spar_input *to_input(struct spar_dev *sdev)
{
	return sdev->backend;
}

/* --- the pending lists ----------------------------------------------- */

static struct spar_input_activity *fifo_at(struct spar_input_fifo *f,
					   unsigned int i)
{
	return &f->ev[(f->first + i) % SPAR_INPUT_PENDING_MAX];
}

static void fifo_append(struct spar_input_fifo *f, u16 action, u16 arg1,
			u16 arg2)
{
	struct spar_input_activity *a = fifo_at(f, f->count);

	a->action = cpu_to_le16(action);
	a->arg1 = cpu_to_le16(arg1);
	a->arg2 = cpu_to_le16(arg2);
	a->arg3 = 0;
	f->count++;
}

/*
 * A motion that found no room waits in the deferred slot; it goes into the
 * list as soon as there is room, before any later event, so that a click
 * lands where the pointer went.  @reserve slots stay free for the event
 * the caller is about to add.  Caller holds inp->lock.
 */
static void input_flush_motion(struct spar_input_fifo *f, unsigned int reserve)
{
	if (!f->motion_deferred ||
	    f->count + f->held + reserve >= SPAR_INPUT_PENDING_MAX)
		return;
	fifo_append(f, SPAR_INPUTACTION_XY_MOTION, f->mx, f->my);
	f->motion_deferred = false;
}

/*
 * Queue an event that has no release to come.  The slots reserved for the
 * releases of held presses are not used.  Caller holds inp->lock.
 */
static bool input_put(struct spar_input *inp, unsigned int chan, u16 action,
		      u16 arg1, u16 arg2)
{
	struct spar_input_fifo *f = &inp->fifo[chan];

	input_flush_motion(f, 0);
	if (f->count + f->held >= SPAR_INPUT_PENDING_MAX) {
		inp->drops_full++;
		return false;
	}
	fifo_append(f, action, arg1, arg2);
	return true;
}

/* A press: admitted only with a slot left for its release. */
static bool input_press(struct spar_input *inp, struct spar_input_src *src,
			unsigned int chan, unsigned int code, u16 action,
			u16 arg1)
{
	struct spar_input_fifo *f = &inp->fifo[chan];

	if (test_bit(code, src->held))
		return true;
	input_flush_motion(f, 0);
	if (f->count + f->held + 2 > SPAR_INPUT_PENDING_MAX) {
		inp->drops_full++;
		return false;
	}
	fifo_append(f, action, arg1, 0);
	f->held++;
	__set_bit(code, src->held);
	return true;
}

/* A release: always has its slot, unless its press was dropped. */
static bool input_release(struct spar_input *inp, struct spar_input_src *src,
			  unsigned int chan, unsigned int code, u16 action,
			  u16 arg1)
{
	struct spar_input_fifo *f = &inp->fifo[chan];

	if (!__test_and_clear_bit(code, src->held))
		return false;
	if (!WARN_ON_ONCE(!f->held))
		f->held--;
	/* The release's own slot is kept: it may not be taken. */
	input_flush_motion(f, 1);
	if (WARN_ON_ONCE(f->count >= SPAR_INPUT_PENDING_MAX))
		return false;
	fifo_append(f, action, arg1, 0);
	return true;
}

static void input_motion(struct spar_input *inp)
{
	struct spar_input_fifo *f = &inp->fifo[INPUT_MOUSE_CHAN];
	struct spar_input_activity *last;

	if (f->motion_deferred) {
		/* Newer than the deferred one, and nothing came between. */
		inp->motion_merged++;
		f->mx = inp->x;
		f->my = inp->y;
		input_flush_motion(f, 0);
		return;
	}
	if (f->count + f->held < SPAR_INPUT_PENDING_MAX) {
		fifo_append(f, SPAR_INPUTACTION_XY_MOTION, inp->x, inp->y);
		return;
	}
	inp->motion_merged++;
	last = f->count ? fifo_at(f, f->count - 1) : NULL;
	if (last && le16_to_cpu(last->action) == SPAR_INPUTACTION_XY_MOTION) {
		last->arg1 = cpu_to_le16(inp->x);
		last->arg2 = cpu_to_le16(inp->y);
		return;
	}
	f->motion_deferred = true;
	f->mx = inp->x;
	f->my = inp->y;
}

/* --- translation, in the input core's event context ------------------- */

static int input_mouse_button(unsigned int code)
{
	switch (code) {
	case BTN_LEFT:
		return SPAR_MOUSE_BUTTON_LEFT;
	case BTN_MIDDLE:
		return SPAR_MOUSE_BUTTON_MIDDLE;
	case BTN_RIGHT:
		return SPAR_MOUSE_BUTTON_RIGHT;
	default:
		return 0;
	}
}

/* The LED_* of a lock key, or -1. */
static int input_lock_led(unsigned int code)
{
	switch (code) {
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

static void input_key(struct spar_input *inp, struct spar_input_src *src,
		      unsigned int code, int value)
{
	int button = input_mouse_button(code);
	int led = input_lock_led(code);
	bool was_held;
	u16 sc;

	/* Autorepeat comes from the guest's own input core. */
	if (value == 2)
		return;
	if (button) {
		if (value)
			input_press(inp, src, INPUT_MOUSE_CHAN, code,
				    SPAR_INPUTACTION_MOUSE_BUTTON_DOWN, button);
		else
			input_release(inp, src, INPUT_MOUSE_CHAN, code,
				      SPAR_INPUTACTION_MOUSE_BUTTON_UP, button);
		return;
	}
	sc = spar_input_scancode(code);
	if (!sc) {
		if (value)
			inp->drops_unmapped++;
		return;
	}
	if (!value) {
		input_release(inp, src, INPUT_KBD_CHAN, code,
			      SPAR_INPUTACTION_KEY_UP, sc);
		return;
	}
	was_held = test_bit(code, src->held);
	/* A lock key the guest is sent toggles its lock there. */
	if (input_press(inp, src, INPUT_KBD_CHAN, code,
			SPAR_INPUTACTION_KEY_DOWN, sc) && !was_held && led >= 0)
		inp->locks_on ^= BIT(led);
}

/* Position on an axis of @res + 1 points, from a source's absolute value. */
static u16 input_scale(struct input_dev *dev, unsigned int axis, int value,
		       u16 res)
{
	s64 min = input_abs_get_min(dev, axis);
	s64 span = (s64)input_abs_get_max(dev, axis) - min;
	s64 pos;

	if (span <= 0)
		return 0;
	pos = clamp_t(s64, (s64)value - min, 0, span);
	return div64_s64(pos * res + span / 2, span);
}

static u16 input_move(u16 pos, int delta, u16 res)
{
	return clamp_t(s64, (s64)pos + delta, 0, res);
}

static void input_rel(struct spar_input *inp, struct spar_input_src *src,
		      unsigned int code, int value)
{
	unsigned int steps, i;
	u16 action;

	switch (code) {
	case REL_X:
		inp->x = input_move(inp->x, value, inp->x_res);
		src->moved = true;
		return;
	case REL_Y:
		inp->y = input_move(inp->y, value, inp->y_res);
		src->moved = true;
		return;
	case REL_WHEEL:
		action = value > 0 ? SPAR_INPUTACTION_WHEEL_ROTATE_AWAY :
				     SPAR_INPUTACTION_WHEEL_ROTATE_TOWARD;
		steps = min_t(unsigned int, abs(value), SPAR_INPUT_WHEEL_MAX);
		for (i = 0; i < steps; i++)
			if (!input_put(inp, INPUT_MOUSE_CHAN, action, 0, 0))
				break;
		return;
	case REL_WHEEL_HI_RES:
		/* The same rotation again, finer: REL_WHEEL carries it. */
		return;
	default:
		inp->drops_unmapped++;
	}
}

static void input_abs(struct spar_input *inp, struct spar_input_src *src,
		      unsigned int code, int value)
{
	struct input_dev *dev = src->handle.dev;

	switch (code) {
	case ABS_X:
		inp->x = input_scale(dev, ABS_X, value, inp->x_res);
		src->moved = true;
		return;
	case ABS_Y:
		inp->y = input_scale(dev, ABS_Y, value, inp->y_res);
		src->moved = true;
		return;
	default:
		inp->drops_unmapped++;
	}
}

/*
 * A source's lock LED changed: tell the guest the state, unless it has it
 * already, for instance because the lock key that made the LED change was
 * just sent to it (the guest would toggle its lock a second time).
 */
static void input_led(struct spar_input *inp, unsigned int code, int value)
{
	u16 sc;

	switch (code) {
	case LED_CAPSL:
		sc = spar_input_scancode(KEY_CAPSLOCK);
		break;
	case LED_NUML:
		sc = spar_input_scancode(KEY_NUMLOCK);
		break;
	case LED_SCROLLL:
		sc = spar_input_scancode(KEY_SCROLLLOCK);
		break;
	default:
		return;
	}
	if ((inp->locks_known & BIT(code)) &&
	    !!(inp->locks_on & BIT(code)) == !!value)
		return;
	if (!input_put(inp, INPUT_KBD_CHAN,
		       SPAR_INPUTACTION_SET_LOCKING_KEY_STATE, sc, !!value))
		return;
	inp->locks_known |= BIT(code);
	if (value)
		inp->locks_on |= BIT(code);
	else
		inp->locks_on &= ~BIT(code);
}

static void spar_input_event(struct input_handle *handle, unsigned int type,
			     unsigned int code, int value)
{
	struct spar_input_src *src = container_of(handle, struct spar_input_src,
						  handle);
	struct spar_input *inp = handle->private;
	unsigned long flags;
	bool kick = false;

	spin_lock_irqsave(&inp->lock, flags);
	if (src->leaving) {
		spin_unlock_irqrestore(&inp->lock, flags);
		return;
	}
	switch (type) {
	case EV_KEY:
		inp->events++;
		input_key(inp, src, code, value);
		kick = true;
		break;
	case EV_REL:
		inp->events++;
		input_rel(inp, src, code, value);
		kick = code == REL_WHEEL;
		break;
	case EV_ABS:
		inp->events++;
		input_abs(inp, src, code, value);
		break;
	case EV_LED:
		inp->events++;
		input_led(inp, code, value);
		kick = true;
		break;
	case EV_SYN:
		if (code == SYN_REPORT && src->moved) {
			src->moved = false;
			input_motion(inp);
			kick = true;
		}
		break;
	default:
		break;
	}
	spin_unlock_irqrestore(&inp->lock, flags);
	if (kick)
		spar_engine_kick(inp->sdev);
}

/* --- binding --------------------------------------------------------- */

static bool input_sel_match(const struct spar_input_sel *sel, const char *s)
{
	if (!s)
		return false;
	if (sel->prefix)
		return !strncmp(s, sel->text, strlen(sel->text));
	return !strcmp(s, sel->text);
}

static bool spar_input_match(struct input_handler *handler,
			     struct input_dev *dev)
{
	struct spar_input *inp = handler->private;
	unsigned int i;

	if (dev->phys && !strncmp(dev->phys, inp->phys_prefix,
				  strlen(inp->phys_prefix)))
		return true;
	for (i = 0; i < inp->nr_sel; i++) {
		const struct spar_input_sel *sel = &inp->sel[i];
		const char *s = sel->field == SPAR_SEL_NAME ? dev->name :
				sel->field == SPAR_SEL_PHYS ? dev->phys :
				dev->uniq;

		if (input_sel_match(sel, s))
			return true;
	}
	return false;
}

static int spar_input_connect(struct input_handler *handler,
			      struct input_dev *dev,
			      const struct input_device_id *id)
{
	struct spar_input *inp = handler->private;
	struct device *mdev = spar_dev_device(inp->sdev);
	struct spar_input_src *src;
	bool own;
	int ret;

	src = kzalloc(sizeof(*src), GFP_KERNEL);
	if (!src)
		return -ENOMEM;
	src->handle.dev = dev;
	src->handle.handler = handler;
	src->handle.name = dev_name(mdev);
	src->handle.private = inp;
	ret = input_register_handle(&src->handle);
	if (ret)
		goto err_free;
	ret = input_open_device(&src->handle);
	if (ret)
		goto err_unregister;
	/*
	 * A device made for this instance (phys spar-input/<uuid>/) is
	 * always grabbed: what a program types for the guest must not reach
	 * the host's console or desktop too.
	 */
	own = dev->phys && !strncmp(dev->phys, inp->phys_prefix,
				    strlen(inp->phys_prefix));
	if (inp->grab || own) {
		ret = input_grab_device(&src->handle);
		if (ret)
			dev_warn(mdev, "cannot grab %s (%s): %s (%d)\n",
				 dev_name(&dev->dev), dev->name,
				 ret == -EBUSY ? "another reader holds it" :
				 "error", ret);
		else
			src->grabbed = true;
	}
	mutex_lock(&inp->src_lock);
	list_add_tail(&src->link, &inp->srcs);
	mutex_unlock(&inp->src_lock);
	dev_dbg(mdev, "source %s (%s) bound\n", dev_name(&dev->dev),
		dev->name ? dev->name : "unnamed");
	return 0;

err_unregister:
	input_unregister_handle(&src->handle);
err_free:
	kfree(src);
	return ret;
}

/*
 * The guest hears the release of every key and button the device held,
 * except those still down in @down (NULL: all).  Caller holds inp->lock.
 * Returns whether anything was released.
 */
static bool input_release_held(struct spar_input *inp,
			       struct spar_input_src *src,
			       const unsigned long *down)
{
	unsigned int code;
	int button;
	bool any = false;

	for_each_set_bit(code, src->held, KEY_CNT) {
		if (down && test_bit(code, down))
			continue;
		button = input_mouse_button(code);
		if (button)
			input_release(inp, src, INPUT_MOUSE_CHAN, code,
				      SPAR_INPUTACTION_MOUSE_BUTTON_UP, button);
		else
			input_release(inp, src, INPUT_KBD_CHAN, code,
				      SPAR_INPUTACTION_KEY_UP,
				      spar_input_scancode(code));
		any = true;
	}
	return any;
}

/* The device goes: release everything it still holds. */
static void input_release_all(struct spar_input *inp,
			      struct spar_input_src *src)
{
	unsigned long flags;
	bool any;

	spin_lock_irqsave(&inp->lock, flags);
	any = input_release_held(inp, src, NULL);
	spin_unlock_irqrestore(&inp->lock, flags);
	if (any)
		spar_engine_kick(inp->sdev);
}

/*
 * The input core calls this after another reader's grab of the device
 * ended: releases made during the grab never reached this handle, so the
 * keys no longer down are released in the guest now.
 */
static void spar_input_handle_start(struct input_handle *handle)
{
	struct spar_input_src *src = container_of(handle, struct spar_input_src,
						  handle);
	struct spar_input *inp = handle->private;
	struct input_dev *dev = handle->dev;
	unsigned long flags;
	bool any;

	spin_lock_irqsave(&dev->event_lock, flags);
	spin_lock(&inp->lock);
	any = input_release_held(inp, src, dev->key);
	spin_unlock(&inp->lock);
	spin_unlock_irqrestore(&dev->event_lock, flags);
	if (any)
		spar_engine_kick(inp->sdev);
}

static void spar_input_disconnect(struct input_handle *handle)
{
	struct spar_input_src *src = container_of(handle, struct spar_input_src,
						  handle);
	struct spar_input *inp = handle->private;
	unsigned long flags;

	mutex_lock(&inp->src_lock);
	list_del(&src->link);
	mutex_unlock(&inp->src_lock);
	spin_lock_irqsave(&inp->lock, flags);
	src->leaving = true;
	spin_unlock_irqrestore(&inp->lock, flags);
	if (src->grabbed)
		input_release_device(handle);
	/* After this no event of the device reaches us. */
	input_close_device(handle);
	input_release_all(inp, src);
	dev_dbg(spar_dev_device(inp->sdev), "source %s unbound\n",
		dev_name(&handle->dev->dev));
	input_unregister_handle(handle);
	kfree(src);
}

static const struct input_device_id spar_input_ids[] = {
	{
		.flags = INPUT_DEVICE_ID_MATCH_EVBIT,
		.evbit = { BIT_MASK(EV_KEY) },
	},
	{
		.flags = INPUT_DEVICE_ID_MATCH_EVBIT,
		.evbit = { BIT_MASK(EV_REL) },
	},
	{
		.flags = INPUT_DEVICE_ID_MATCH_EVBIT,
		.evbit = { BIT_MASK(EV_ABS) },
	},
	{ },
};

/* Offer every input device to the handler again.  Under bind_lock. */
static int input_bind(struct spar_input *inp)
{
	int ret;

	lockdep_assert_held(&inp->bind_lock);
	if (inp->registered) {
		input_unregister_handler(&inp->handler);
		inp->registered = false;
	}
	ret = input_register_handler(&inp->handler);
	if (ret) {
		dev_err(spar_dev_device(inp->sdev),
			"cannot register the input handler (%d): the instance takes no input device until sources or grab is written again\n",
			ret);
		return ret;
	}
	inp->registered = true;
	return 0;
}

/* --- the engine's side ---------------------------------------------- */

/* Take up to @max events of @chan off its pending list. */
static unsigned int input_take(struct spar_input *inp, unsigned int chan,
			       unsigned int max)
{
	struct spar_input_fifo *f = &inp->fifo[chan];
	unsigned long flags;
	unsigned int n = 0;

	spin_lock_irqsave(&inp->lock, flags);
	while (n < max && f->count) {
		inp->batch[n++] = *fifo_at(f, 0);
		f->first = (f->first + 1) % SPAR_INPUT_PENDING_MAX;
		f->count--;
	}
	if (n < max && !f->count && f->motion_deferred) {
		struct spar_input_activity *a = &inp->batch[n++];

		a->action = cpu_to_le16(SPAR_INPUTACTION_XY_MOTION);
		a->arg1 = cpu_to_le16(f->mx);
		a->arg2 = cpu_to_le16(f->my);
		a->arg3 = 0;
		f->motion_deferred = false;
	}
	spin_unlock_irqrestore(&inp->lock, flags);
	return n;
}

static bool input_waiting(struct spar_input *inp, unsigned int chan)
{
	struct spar_input_fifo *f = &inp->fifo[chan];

	return READ_ONCE(f->count) || READ_ONCE(f->motion_deferred);
}

static int spar_input_poll(struct spar_dev *sdev, int budget)
{
	struct spar_input *inp = to_input(sdev);
	struct spar_input_report rep;
	unsigned int chan, n, i;
	int room, done = 0, ret;

	for (chan = 0; chan < INPUT_NR_CHANS; chan++) {
		if (!input_waiting(inp, chan))
			continue;
		room = spar_engine_room(sdev, chan, SPAR_INPUT_QUEUE);
		room = min3(room, budget - done,
			    (int)ARRAY_SIZE(inp->batch));
		if (room <= 0) {
			/* Ask for a doorbell once the guest makes room. */
			sdev->engine.room_wait = true;
			continue;
		}
		n = input_take(inp, chan, room);
		for (i = 0; i < n; i++) {
			rep.seq_no = cpu_to_le64(inp->seq++);
			rep.activity = inp->batch[i];
			ret = spar_engine_send(sdev, chan, SPAR_INPUT_QUEUE,
					       &rep, sizeof(rep));
			if (ret == -EPROTO)
				return ret;
			if (ret) {
				/* Room was counted first: only a bug lands here. */
				WARN_ON_ONCE(ret != -ENOSPC);
				break;
			}
		}
		spin_lock_irq(&inp->lock);
		inp->reports[chan] += i;
		inp->drops_full += n - i;
		spin_unlock_irq(&inp->lock);
		done += i;
		if (input_waiting(inp, chan))
			sdev->engine.room_wait = true;
	}
	return done;
}

/* Reports from before a reset or an open belong to no one. */
static int spar_input_start(struct spar_dev *sdev)
{
	struct spar_input *inp = to_input(sdev);
	unsigned int chan;

	spin_lock_irq(&inp->lock);
	for (chan = 0; chan < INPUT_NR_CHANS; chan++) {
		inp->fifo[chan].count = 0;
		inp->fifo[chan].motion_deferred = false;
	}
	inp->locks_known = 0;
	spin_unlock_irq(&inp->lock);
	return 0;
}

static void spar_kbd_write_area(struct spar_dev *sdev, struct spar_chan *ch)
{
	struct spar_input_channel *in = spar_chan_mem(sdev, ch);

	in->data.n_input_reports = cpu_to_le32(SPAR_INPUT_MAXINPUTREPORTS);
}

static void spar_mouse_write_area(struct spar_dev *sdev, struct spar_chan *ch)
{
	struct spar_input_channel *in = spar_chan_mem(sdev, ch);
	struct spar_input *inp = to_input(sdev);

	in->data.n_input_reports = cpu_to_le32(SPAR_INPUT_MAXINPUTREPORTS);
	in->data.mouse.x_res = cpu_to_le16(inp->x_res);
	in->data.mouse.y_res = cpu_to_le16(inp->y_res);
}

static int spar_input_create(struct spar_dev *sdev)
{
	struct device *dev = spar_dev_device(sdev);
	struct spar_input *inp;
	int ret;

	inp = kzalloc(sizeof(*inp), GFP_KERNEL);
	if (!inp)
		return -ENOMEM;
	inp->sdev = sdev;
	inp->x_res = SPAR_MOUSE_DEFAULT_X_RES;
	inp->y_res = SPAR_MOUSE_DEFAULT_Y_RES;
	inp->x = inp->x_res / 2;
	inp->y = inp->y_res / 2;
	mutex_init(&inp->bind_lock);
	mutex_init(&inp->src_lock);
	spin_lock_init(&inp->lock);
	INIT_LIST_HEAD(&inp->srcs);
	snprintf(inp->phys_prefix, sizeof(inp->phys_prefix), "%s%s/",
		 SPAR_INPUT_PHYS_PREFIX, dev_name(dev));
	snprintf(inp->handler_name, sizeof(inp->handler_name), "spar-input:%.8s",
		 dev_name(dev));
	inp->handler.name = inp->handler_name;
	inp->handler.private = inp;
	inp->handler.event = spar_input_event;
	inp->handler.match = spar_input_match;
	inp->handler.connect = spar_input_connect;
	inp->handler.disconnect = spar_input_disconnect;
	inp->handler.start = spar_input_handle_start;
	inp->handler.id_table = spar_input_ids;
	sdev->backend = inp;

	mutex_lock(&inp->bind_lock);
	ret = input_bind(inp);
	mutex_unlock(&inp->bind_lock);
	if (ret) {
		sdev->backend = NULL;
		mutex_destroy(&inp->bind_lock);
		mutex_destroy(&inp->src_lock);
		kfree(inp);
	}
	return ret;
}

static void spar_input_destroy(struct spar_dev *sdev)
{
	struct spar_input *inp = to_input(sdev);

	if (!inp)
		return;
	mutex_lock(&inp->bind_lock);
	if (inp->registered)
		input_unregister_handler(&inp->handler);
	inp->registered = false;
	mutex_unlock(&inp->bind_lock);
	WARN_ON_ONCE(!list_empty(&inp->srcs));
	mutex_destroy(&inp->bind_lock);
	mutex_destroy(&inp->src_lock);
	kfree(inp);
	sdev->backend = NULL;
}

static const struct spar_backend_ops spar_input_ops = {
	.create = spar_input_create,
	.destroy = spar_input_destroy,
	.start = spar_input_start,
	.poll = spar_input_poll,
	/* Nothing to consume; wait for one free slot before producing. */
	.room = 1,
};

/* --- attributes ----------------------------------------------------- */

static struct spar_input *dev_to_input(struct device *dev,
				       struct spar_dev **sdev)
{
	*sdev = dev_get_drvdata(dev);
	return to_input(*sdev);
}

static ssize_t sources_show(struct device *dev, struct device_attribute *attr,
			    char *buf)
{
	struct spar_dev *sdev;
	struct spar_input *inp = dev_to_input(dev, &sdev);
	unsigned int i;
	int len = 0;

	mutex_lock(&inp->bind_lock);
	for (i = 0; i < inp->nr_sel; i++)
		len += sysfs_emit_at(buf, len, "%s=%s%s\n",
				     spar_sel_field_names[inp->sel[i].field],
				     inp->sel[i].text,
				     inp->sel[i].prefix ? "*" : "");
	mutex_unlock(&inp->bind_lock);
	return len;
}

/* Parse one selector of @len bytes at @s into @sel. */
static int input_sel_parse(struct device *dev, const char *s, size_t len,
			   struct spar_input_sel *sel)
{
	const char *eq = memchr(s, '=', len);
	size_t flen, vlen;
	unsigned int f;

	if (!eq)
		goto bad;
	flen = eq - s;
	vlen = len - flen - 1;
	for (f = 0; f < ARRAY_SIZE(spar_sel_field_names); f++)
		if (strlen(spar_sel_field_names[f]) == flen &&
		    !memcmp(s, spar_sel_field_names[f], flen))
			break;
	if (f == ARRAY_SIZE(spar_sel_field_names))
		goto bad;
	sel->field = f;
	sel->prefix = vlen && eq[vlen] == '*';
	if (sel->prefix)
		vlen--;
	if (!vlen && !sel->prefix) {
		dev_err_ratelimited(dev, "sources: '%.*s' has an empty value\n",
				    (int)len, s);
		return -EINVAL;
	}
	if (vlen >= SPAR_INPUT_SEL_LEN) {
		dev_err_ratelimited(dev, "sources: a value is longer than %d bytes\n",
				    SPAR_INPUT_SEL_LEN - 1);
		return -EINVAL;
	}
	memcpy(sel->text, eq + 1, vlen);
	sel->text[vlen] = 0;
	return 0;
bad:
	dev_err_ratelimited(dev, "sources: '%.*s' is not name=TEXT, phys=TEXT or uniq=TEXT\n",
			    (int)min_t(size_t, len, 80), s);
	return -EINVAL;
}

static ssize_t sources_store(struct device *dev, struct device_attribute *attr,
			     const char *buf, size_t count)
{
	struct spar_dev *sdev;
	struct spar_input *inp = dev_to_input(dev, &sdev);
	struct spar_input_sel *sel;
	unsigned int n = 0, i;
	const char *p = buf, *end = buf + count;
	size_t len;
	int ret;

	sel = kcalloc(SPAR_INPUT_SEL_MAX, sizeof(*sel), GFP_KERNEL);
	if (!sel)
		return -ENOMEM;
	while (p < end) {
		len = strcspn(p, ";\n");
		if (p + len > end)
			len = end - p;
		if (len) {
			if (n == SPAR_INPUT_SEL_MAX) {
				dev_err_ratelimited(dev, "sources: at most %d selectors\n",
						    SPAR_INPUT_SEL_MAX);
				ret = -EINVAL;
				goto out;
			}
			ret = input_sel_parse(dev, p, len, &sel[n]);
			if (ret)
				goto out;
			n++;
		}
		p += len + 1;
	}

	mutex_lock(&inp->bind_lock);
	if (inp->registered) {
		input_unregister_handler(&inp->handler);
		inp->registered = false;
	}
	/* Keep the old list in @sel, to go back to if binding fails. */
	swap(inp->nr_sel, n);
	for (i = 0; i < SPAR_INPUT_SEL_MAX; i++)
		swap(inp->sel[i], sel[i]);
	ret = input_bind(inp);
	if (ret) {
		inp->nr_sel = n;
		memcpy(inp->sel, sel, sizeof(inp->sel));
		input_bind(inp);
	}
	mutex_unlock(&inp->bind_lock);
out:
	kfree(sel);
	return ret ? ret : count;
}
static DEVICE_ATTR_RW(sources);

static ssize_t grab_show(struct device *dev, struct device_attribute *attr,
			 char *buf)
{
	struct spar_dev *sdev;

	return sysfs_emit(buf, "%d\n", READ_ONCE(dev_to_input(dev, &sdev)->grab));
}

static ssize_t grab_store(struct device *dev, struct device_attribute *attr,
			  const char *buf, size_t count)
{
	struct spar_dev *sdev;
	struct spar_input *inp = dev_to_input(dev, &sdev);
	bool val;
	int ret;

	if (kstrtobool(buf, &val)) {
		dev_err_ratelimited(dev, "grab: give 0 or 1\n");
		return -EINVAL;
	}
	mutex_lock(&inp->bind_lock);
	ret = 0;
	if (val != inp->grab) {
		/* Bind again, so that every source is grabbed or let go. */
		if (inp->registered) {
			input_unregister_handler(&inp->handler);
			inp->registered = false;
		}
		WRITE_ONCE(inp->grab, val);
		ret = input_bind(inp);
		if (ret) {
			/* Back to the old setting, bound as before. */
			WRITE_ONCE(inp->grab, !val);
			input_bind(inp);
		}
	}
	mutex_unlock(&inp->bind_lock);
	return ret ? ret : count;
}
static DEVICE_ATTR_RW(grab);

static ssize_t input_res_store(struct device *dev, const char *name,
			       const char *buf, size_t count, bool is_x)
{
	struct spar_dev *sdev;
	struct spar_input *inp = dev_to_input(dev, &sdev);
	u32 val;
	int ret;

	if (spar_attr_u32(dev, name, buf, SPAR_INPUT_RES_MIN,
			  SPAR_INPUT_RES_MAX, "", &val))
		return -EINVAL;
	mutex_lock(&sdev->lock);
	ret = spar_attr_writable(dev, sdev, name);
	if (!ret) {
		spin_lock_irq(&inp->lock);
		if (is_x) {
			inp->x_res = val;
			inp->x = min(inp->x, inp->x_res);
		} else {
			inp->y_res = val;
			inp->y = min(inp->y, inp->y_res);
		}
		spin_unlock_irq(&inp->lock);
		/* The guest reads the resolution from the channel at probe. */
		ret = spar_layout_init(sdev);
	}
	mutex_unlock(&sdev->lock);
	return ret ? ret : count;
}

static ssize_t x_res_show(struct device *dev, struct device_attribute *attr,
			  char *buf)
{
	struct spar_dev *sdev;

	return sysfs_emit(buf, "%u\n", READ_ONCE(dev_to_input(dev, &sdev)->x_res));
}

static ssize_t x_res_store(struct device *dev, struct device_attribute *attr,
			   const char *buf, size_t count)
{
	return input_res_store(dev, "x_res", buf, count, true);
}
static DEVICE_ATTR_RW(x_res);

static ssize_t y_res_show(struct device *dev, struct device_attribute *attr,
			  char *buf)
{
	struct spar_dev *sdev;

	return sysfs_emit(buf, "%u\n", READ_ONCE(dev_to_input(dev, &sdev)->y_res));
}

static ssize_t y_res_store(struct device *dev, struct device_attribute *attr,
			   const char *buf, size_t count)
{
	return input_res_store(dev, "y_res", buf, count, false);
}
static DEVICE_ATTR_RW(y_res);

static ssize_t bound_show(struct device *dev, struct device_attribute *attr,
			  char *buf)
{
	struct spar_dev *sdev;
	struct spar_input *inp = dev_to_input(dev, &sdev);
	struct spar_input_src *src;
	int len = 0;

	mutex_lock(&inp->src_lock);
	list_for_each_entry(src, &inp->srcs, link) {
		struct input_dev *idev = src->handle.dev;

		len += sysfs_emit_at(buf, len, "%s\t%s\t%s\n",
				     dev_name(&idev->dev),
				     idev->phys ? idev->phys : "",
				     idev->name ? idev->name : "");
	}
	mutex_unlock(&inp->src_lock);
	return len;
}
static DEVICE_ATTR_RO(bound);

static struct attribute *spar_input_attrs[] = {
	&dev_attr_sources.attr,
	&dev_attr_grab.attr,
	&dev_attr_x_res.attr,
	&dev_attr_y_res.attr,
	&dev_attr_bound.attr,
	NULL,
};

static const struct attribute_group spar_input_group = {
	.attrs = spar_input_attrs,
};

/* --- counters, under stats/ ----------------------------------------- */

#define INPUT_STAT(name, expr)						\
static ssize_t stat_##name##_show(struct device *dev,			\
				  struct device_attribute *attr,	\
				  char *buf)				\
{									\
	struct spar_dev *sdev;						\
	struct spar_input *inp = dev_to_input(dev, &sdev);		\
	u64 val;							\
									\
	spin_lock_irq(&inp->lock);					\
	val = (expr);							\
	spin_unlock_irq(&inp->lock);					\
	return sysfs_emit(buf, "%llu\n", (unsigned long long)val);	\
}									\
static struct device_attribute dev_attr_stat_##name =			\
	__ATTR(name, 0444, stat_##name##_show, NULL)

INPUT_STAT(events, inp->events);
INPUT_STAT(reports_kbd, inp->reports[INPUT_KBD_CHAN]);
INPUT_STAT(reports_mouse, inp->reports[INPUT_MOUSE_CHAN]);
INPUT_STAT(drops_full, inp->drops_full);
INPUT_STAT(drops_unmapped, inp->drops_unmapped);
INPUT_STAT(motion_merged, inp->motion_merged);
INPUT_STAT(pending_kbd, inp->fifo[INPUT_KBD_CHAN].count);
INPUT_STAT(pending_mouse, inp->fifo[INPUT_MOUSE_CHAN].count +
	   inp->fifo[INPUT_MOUSE_CHAN].motion_deferred);

static struct attribute *spar_input_stats_attrs[] = {
	&dev_attr_stat_events.attr,
	&dev_attr_stat_reports_kbd.attr,
	&dev_attr_stat_reports_mouse.attr,
	&dev_attr_stat_drops_full.attr,
	&dev_attr_stat_drops_unmapped.attr,
	&dev_attr_stat_motion_merged.attr,
	&dev_attr_stat_pending_kbd.attr,
	&dev_attr_stat_pending_mouse.attr,
	NULL,
};

static const struct attribute_group spar_input_stats = {
	.attrs = spar_input_stats_attrs,
};

/* --- the type ------------------------------------------------------- */

static int spar_input_geometry(u32 ring_slots, u64 *size,
			       struct spar_sq_geometry *geo)
{
	/* Fixed: the channel's size does not follow ring_slots. */
	*size = SPAR_INPUT_CHANNEL_SIZE;
	return spar_sq_input_geometry(*size, &geo[SPAR_INPUT_QUEUE]);
}

#define SPAR_INPUT_PLAN(guid_init, version_id, write_fn)		\
{									\
	.guid = guid_init,						\
	.version = version_id,						\
	.space_offset = SPAR_INPUT_QUEUE_OFFSET,			\
	.geometry = spar_input_geometry,				\
	.nr_queues = SPAR_INPUT_NUM_QUEUES,				\
	.queues = {							\
		[SPAR_INPUT_QUEUE] = {					\
			.role = SPAR_SQ_SERVER_PRODUCES,		\
			.signal_size = SPAR_INPUT_REPORT_SIZE,		\
		},							\
	},								\
	.write_area = write_fn,						\
}

static const struct spar_chan_plan spar_input_chans[] = {
	[INPUT_KBD_CHAN] = SPAR_INPUT_PLAN(SPAR_KEYBOARD_CHANNEL_GUID,
					   SPAR_KEYBOARD_CHANNEL_VERSIONID,
					   spar_kbd_write_area),
	[INPUT_MOUSE_CHAN] = SPAR_INPUT_PLAN(SPAR_MOUSE_CHANNEL_GUID,
					     SPAR_MOUSE_CHANNEL_VERSIONID,
					     spar_mouse_write_area),
};

const struct spar_type_desc spar_input_type = {
	.sysfs_name = "input",
	.name = "spar-input",
	.description =
		"s-Par virtual keyboard and mouse: two input channels fed by host input devices",
	.pci_device = SPAR_PCI_DEVICE_ID_INPUT,
	.pci_class = SPAR_PCI_CLASS_INPUT,
	.transport_type = SPAR_TRANSPORT_TYPE_INPUT,
	.default_limit = 4,
	.nr_chans = ARRAY_SIZE(spar_input_chans),
	.chans = spar_input_chans,
	.ops = &spar_input_ops,
	.attrs = &spar_input_group,
	.stats = &spar_input_stats,
};
