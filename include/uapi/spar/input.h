/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR BSD-3-Clause */
/*
 * s-Par keyboard and mouse channels.
 *
 * Each channel has one signal queue of 16-byte input reports that only
 * the back-end fills.  The channel data after the common header tells the
 * guest the pointer resolution; the queue header and the report slots
 * follow at the fixed offsets of the original full channel layout, which
 * struct spar_input_channel describes.  Guests locate the queue through
 * ch_space_offset and sig_base_offset, never through these offsets.
 *
 * All structures are byte-packed and little-endian.
 */
#ifndef _UAPI_SPAR_INPUT_H
#define _UAPI_SPAR_INPUT_H

#include <linux/types.h>
#include <spar/channel.h>

/* channel_header.version_id of keyboard and mouse channels */
#define SPAR_KEYBOARD_CHANNEL_VERSIONID	1
#define SPAR_MOUSE_CHANNEL_VERSIONID	1

/* Report slots per channel */
#define SPAR_KEYBOARD_MAXINPUTREPORTS	50
#define SPAR_MOUSE_MAXINPUTREPORTS	50
#define SPAR_INPUT_MAXINPUTREPORTS	50

/* The only queue of an input channel */
#define SPAR_INPUT_QUEUE		0
#define SPAR_INPUT_NUM_QUEUES		1

/* Layout of a keyboard or mouse channel (absolute offsets) */
#define SPAR_INPUT_REPORT_SIZE		16
#define SPAR_INPUT_CHANNEL_DATA_OFFSET	128
#define SPAR_INPUT_CHANNEL_DATA_SIZE	8
#define SPAR_INPUT_QUEUE_OFFSET		136	/* ch_space_offset */
#define SPAR_INPUT_SLOTS_OFFSET		264
#define SPAR_INPUT_SIG_BASE_OFFSET	128	/* slots - queue header */
#define SPAR_INPUT_CHANNEL_END		1064	/* sizeof(struct spar_input_channel) */
#define SPAR_INPUT_CHANNEL_SIZE		4096	/* channel_header.size */

/* Pointer resolution a guest assumes when x_res / y_res are zero */
#define SPAR_MOUSE_DEFAULT_X_RES	1024
#define SPAR_MOUSE_DEFAULT_Y_RES	768

/* keyboard.flags */
#define SPAR_KEYBOARD_FLAG_YIELD_TO_BOOT	0x01

/* input_activity.action */
#define SPAR_INPUTACTION_NONE			0
#define SPAR_INPUTACTION_XY_MOTION		1	/* arg1 = x, arg2 = y */
#define SPAR_INPUTACTION_MOUSE_BUTTON_DOWN	2	/* arg1 = button */
#define SPAR_INPUTACTION_MOUSE_BUTTON_UP	3	/* arg1 = button */
#define SPAR_INPUTACTION_MOUSE_BUTTON_CLICK	4	/* arg1 = button */
#define SPAR_INPUTACTION_MOUSE_BUTTON_DCLICK	5	/* arg1 = button */
#define SPAR_INPUTACTION_WHEEL_ROTATE_AWAY	6
#define SPAR_INPUTACTION_WHEEL_ROTATE_TOWARD	7
#define SPAR_INPUTACTION_SET_MAX_XY		8	/* arg1 = x, arg2 = y */
#define SPAR_INPUTACTION_KEY_DOWN		64	/* arg1 = scancode */
#define SPAR_INPUTACTION_KEY_UP			65	/* arg1 = scancode */
#define SPAR_INPUTACTION_SET_LOCKING_KEY_STATE	66	/* arg1 = scancode, arg2 = on */
#define SPAR_INPUTACTION_KEY_DOWN_UP		67	/* arg1 = scancode */

/* arg1 of the MOUSE_BUTTON actions */
#define SPAR_MOUSE_BUTTON_LEFT		1
#define SPAR_MOUSE_BUTTON_MIDDLE	2
#define SPAR_MOUSE_BUTTON_RIGHT		3

/*
 * Scancodes are PC/XT set 1 make codes.  A code above 0xFF is a two-byte
 * code: SPAR_SCANCODE_EXTENDED in the low byte, the second byte in the
 * high byte.
 */
#define SPAR_SCANCODE_EXTENDED		0xE0

/**
 * struct spar_input_activity - one input event
 * @action: SPAR_INPUTACTION_*
 * @arg1: first argument
 * @arg2: second argument
 * @arg3: unused
 */
struct spar_input_activity {
	__le16 action;
	__le16 arg1;
	__le16 arg2;
	__le16 arg3;
} __attribute__((__packed__));

/**
 * struct spar_input_report - one slot of an input channel queue
 * @seq_no: sequence number, informative only
 * @activity: the event
 */
struct spar_input_report {
	__le64 seq_no;
	struct spar_input_activity activity;
} __attribute__((__packed__));

/**
 * struct spar_input_channel_data - channel data after the common header
 * @n_input_reports: report slots (SPAR_INPUT_MAXINPUTREPORTS)
 * @mouse: mouse channels: inclusive maximum of the absolute x and y axes,
 *	0 for the default
 * @keyboard: keyboard channels: SPAR_KEYBOARD_FLAG_*
 */
struct spar_input_channel_data {
	__le32 n_input_reports;
	union {
		struct {
			__le16 x_res;
			__le16 y_res;
		} __attribute__((__packed__)) mouse;
		struct {
			__le32 flags;
		} __attribute__((__packed__)) keyboard;
	} __attribute__((__packed__));
} __attribute__((__packed__));

/**
 * struct spar_input_channel - full keyboard or mouse channel
 * @channel_header: common channel header
 * @data: channel data
 * @input_report_q: the report queue
 * @input_report: report slots
 *
 * The channel occupies SPAR_INPUT_CHANNEL_SIZE bytes; the bytes after
 * this structure are reserved and zero.
 */
struct spar_input_channel {
	struct spar_channel_header channel_header;
	struct spar_input_channel_data data;
	struct spar_signal_queue_header input_report_q;
	struct spar_input_report input_report[SPAR_INPUT_MAXINPUTREPORTS];
} __attribute__((__packed__));

#endif /* _UAPI_SPAR_INPUT_H */
