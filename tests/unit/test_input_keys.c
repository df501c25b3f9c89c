// SPDX-License-Identifier: GPL-2.0
/*
 * spar-input scancodes: every Linux key the host translates comes back as
 * the same key through the guest's decode tables (visorinput), one-byte
 * codes stay below 0x80 (break codes are not make codes), two-byte codes
 * carry 0xE0 in the low byte, the keys the protocol cannot carry have no
 * code, and the keys the issue names (keypad, arrows, right Alt) are
 * translated.
 *
 * Prints one "PASS unit/input_keys-<name>" or "FAIL unit/input_keys-<name>"
 * line per case.
 */
#include "spar_input_keys.h"
#include "../../guest/visorinput/visorinput_keys.h"
#include "unit.h"

static void t_round_trip(void)
{
	unsigned int code, n = 0;

	for (code = 0; code < SPAR_INPUT_KEYMAP_SIZE; code++) {
		__u16 sc = spar_input_scancode(code);

		if (!sc)
			continue;
		n++;
		CHECK_EQ(visorinput_scancode_to_key(sc), code);
	}
	/* Codes 1-83, 86-88 and 26 more. */
	CHECK_EQ(n, 83u + 3u + 19u);
}

static void t_forms(void)
{
	unsigned int code;

	for (code = 0; code < SPAR_INPUT_KEYMAP_SIZE; code++) {
		__u16 sc = spar_input_scancode(code);

		if (sc > 0xff)
			CHECK_EQ(sc & 0xff, SPAR_SCANCODE_EXTENDED);
		else
			CHECK(sc < 0x80);
	}
}

static void t_unmapped(void)
{
	static const unsigned int none[] = {
		KEY_RESERVED, KEY_SYSRQ, KEY_PAUSE, KEY_LEFTMETA,
		KEY_RIGHTMETA, KEY_COMPOSE, KEY_POWER, KEY_F13, KEY_VOLUMEUP,
		BTN_LEFT, KEY_MAX, KEY_CNT + 5,
	};
	unsigned int i;

	for (i = 0; i < UNIT_ARRAY_SIZE(none); i++)
		CHECK_EQ(spar_input_scancode(none[i]), 0);
}

static void t_named(void)
{
	CHECK_EQ(spar_input_scancode(KEY_A), 0x1e);
	CHECK_EQ(spar_input_scancode(KEY_ENTER), 0x1c);
	CHECK_EQ(spar_input_scancode(KEY_KP5), 0x4c);
	CHECK_EQ(spar_input_scancode(KEY_KPENTER), 0x1ce0);
	CHECK_EQ(spar_input_scancode(KEY_RIGHTALT), 0x38e0);
	CHECK_EQ(spar_input_scancode(KEY_UP), 0x48e0);
	CHECK_EQ(spar_input_scancode(KEY_DELETE), 0x53e0);
	CHECK_EQ(spar_input_scancode(KEY_KPSLASH), 0x62);
	CHECK_EQ(spar_input_scancode(KEY_CAPSLOCK), 0x3a);
}

static const struct unit_case cases[] = {
	{ "round-trip", t_round_trip },
	{ "forms", t_forms },
	{ "unmapped", t_unmapped },
	{ "named", t_named },
};

int main(void)
{
	return unit_main("input_keys", cases, UNIT_ARRAY_SIZE(cases));
}
