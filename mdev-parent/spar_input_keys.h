/* SPDX-License-Identifier: GPL-2.0 */
/*
 * spar-mdev host module: Linux key codes as the set-1 scancodes a guest's
 * visorinput decodes back to the same key.
 *
 * The guest's tables are the authority (fact sheet §5.3): a key is listed
 * here only if its code comes back unchanged, so nothing is
 * mistranslated.  Codes 1-83 and 86-88 coincide with their one-byte make
 * codes; the navigation cluster, right Ctrl, right Alt and keypad Enter use
 * the 0xE0-prefixed form, and keypad slash the one-byte code the guest
 * decodes for it.  Keys absent here (Print Screen, Pause, the Windows keys,
 * ...) have no code the guest understands.
 *
 * Only uapi headers: the unit tests build this table in user space.
 */
#ifndef _SPAR_INPUT_KEYS_H
#define _SPAR_INPUT_KEYS_H

#include <linux/input-event-codes.h>
#include <linux/types.h>

#include <spar/input.h>

/* A two-byte code as the channel carries it: 0xE0 low, second byte high. */
#define SPAR_SC_EXT(b)	((__u16)(((b) << 8) | SPAR_SCANCODE_EXTENDED))

/* Keys above this have no scancode. */
#define SPAR_INPUT_KEYMAP_SIZE	(KEY_KPRIGHTPAREN + 1)

static const __u16 spar_input_keymap[SPAR_INPUT_KEYMAP_SIZE] = {
	[KEY_ESC] = 0x01,
	[KEY_1] = 0x02, [KEY_2] = 0x03, [KEY_3] = 0x04, [KEY_4] = 0x05,
	[KEY_5] = 0x06, [KEY_6] = 0x07, [KEY_7] = 0x08, [KEY_8] = 0x09,
	[KEY_9] = 0x0a, [KEY_0] = 0x0b,
	[KEY_MINUS] = 0x0c, [KEY_EQUAL] = 0x0d, [KEY_BACKSPACE] = 0x0e,
	[KEY_TAB] = 0x0f,
	[KEY_Q] = 0x10, [KEY_W] = 0x11, [KEY_E] = 0x12, [KEY_R] = 0x13,
	[KEY_T] = 0x14, [KEY_Y] = 0x15, [KEY_U] = 0x16, [KEY_I] = 0x17,
	[KEY_O] = 0x18, [KEY_P] = 0x19,
	[KEY_LEFTBRACE] = 0x1a, [KEY_RIGHTBRACE] = 0x1b, [KEY_ENTER] = 0x1c,
	[KEY_LEFTCTRL] = 0x1d,
	[KEY_A] = 0x1e, [KEY_S] = 0x1f, [KEY_D] = 0x20, [KEY_F] = 0x21,
	[KEY_G] = 0x22, [KEY_H] = 0x23, [KEY_J] = 0x24, [KEY_K] = 0x25,
	[KEY_L] = 0x26,
	[KEY_SEMICOLON] = 0x27, [KEY_APOSTROPHE] = 0x28, [KEY_GRAVE] = 0x29,
	[KEY_LEFTSHIFT] = 0x2a, [KEY_BACKSLASH] = 0x2b,
	[KEY_Z] = 0x2c, [KEY_X] = 0x2d, [KEY_C] = 0x2e, [KEY_V] = 0x2f,
	[KEY_B] = 0x30, [KEY_N] = 0x31, [KEY_M] = 0x32,
	[KEY_COMMA] = 0x33, [KEY_DOT] = 0x34, [KEY_SLASH] = 0x35,
	[KEY_RIGHTSHIFT] = 0x36, [KEY_KPASTERISK] = 0x37, [KEY_LEFTALT] = 0x38,
	[KEY_SPACE] = 0x39, [KEY_CAPSLOCK] = 0x3a,
	[KEY_F1] = 0x3b, [KEY_F2] = 0x3c, [KEY_F3] = 0x3d, [KEY_F4] = 0x3e,
	[KEY_F5] = 0x3f, [KEY_F6] = 0x40, [KEY_F7] = 0x41, [KEY_F8] = 0x42,
	[KEY_F9] = 0x43, [KEY_F10] = 0x44,
	[KEY_NUMLOCK] = 0x45, [KEY_SCROLLLOCK] = 0x46,
	[KEY_KP7] = 0x47, [KEY_KP8] = 0x48, [KEY_KP9] = 0x49,
	[KEY_KPMINUS] = 0x4a,
	[KEY_KP4] = 0x4b, [KEY_KP5] = 0x4c, [KEY_KP6] = 0x4d,
	[KEY_KPPLUS] = 0x4e,
	[KEY_KP1] = 0x4f, [KEY_KP2] = 0x50, [KEY_KP3] = 0x51,
	[KEY_KP0] = 0x52, [KEY_KPDOT] = 0x53,
	[KEY_102ND] = 0x56, [KEY_F11] = 0x57, [KEY_F12] = 0x58,
	[KEY_KPLEFTPAREN] = 0x5a, [KEY_KPRIGHTPAREN] = 0x5b,
	[KEY_HELP] = 0x5f, [KEY_KPSLASH] = 0x62,
	[KEY_MACRO] = 0x70, [KEY_MUTE] = 0x71,
	[KEY_KPENTER] = SPAR_SC_EXT(0x1c),
	[KEY_RIGHTCTRL] = SPAR_SC_EXT(0x1d),
	[KEY_RIGHTALT] = SPAR_SC_EXT(0x38),
	[KEY_HOME] = SPAR_SC_EXT(0x47),
	[KEY_UP] = SPAR_SC_EXT(0x48),
	[KEY_PAGEUP] = SPAR_SC_EXT(0x49),
	[KEY_LEFT] = SPAR_SC_EXT(0x4b),
	[KEY_RIGHT] = SPAR_SC_EXT(0x4d),
	[KEY_END] = SPAR_SC_EXT(0x4f),
	[KEY_DOWN] = SPAR_SC_EXT(0x50),
	[KEY_PAGEDOWN] = SPAR_SC_EXT(0x51),
	[KEY_INSERT] = SPAR_SC_EXT(0x52),
	[KEY_DELETE] = SPAR_SC_EXT(0x53),
};

/* The scancode of Linux key @code, or 0 if the guest could not decode one. */
static inline __u16 spar_input_scancode(unsigned int code)
{
	return code < SPAR_INPUT_KEYMAP_SIZE ? spar_input_keymap[code] : 0;
}

#endif /* _SPAR_INPUT_KEYS_H */
