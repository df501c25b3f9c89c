// SPDX-License-Identifier: GPL-2.0
/*
 * Wire-format checks that cannot be made at build time: GUID initialisers
 * against their text forms and against the byte rows of the protocol
 * description, and derived channel-geometry constants.  Including
 * wire_asserts.h makes every size and offset check part of this build.
 *
 * Prints one "PASS unit/wire-<name>" or "FAIL unit/wire-<name>" line per
 * check; exits non-zero if any check failed.
 */
#include <stdio.h>
#include <string.h>

#include <spar/wire_asserts.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static int failures;
static int checks;

static void report(int ok, const char *name)
{
	checks++;
	if (!ok)
		failures++;
	printf("%s unit/wire-%s\n", ok ? "PASS" : "FAIL", name);
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;	/* upper case is not canonical here */
}

static int hexbyte(const char *s)
{
	int hi = hexval(s[0]);
	int lo = hexval(s[1]);

	return (hi < 0 || lo < 0) ? -1 : hi * 16 + lo;
}

/*
 * Parse canonical lowercase text "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"
 * into the in-memory order: a, b and c little-endian, the rest as written.
 */
static int guid_parse(const char *s, unsigned char out[16])
{
	static const int text_pos[16] = {
		6, 4, 2, 0,		/* a, reversed */
		11, 9,			/* b, reversed */
		16, 14,			/* c, reversed */
		19, 21,			/* d */
		24, 26, 28, 30, 32, 34	/* e */
	};
	int i;

	if (strlen(s) != SPAR_GUID_STRING_LEN)
		return -1;
	if (s[8] != '-' || s[13] != '-' || s[18] != '-' || s[23] != '-')
		return -1;
	for (i = 0; i < 16; i++) {
		int v = hexbyte(s + text_pos[i]);

		if (v < 0)
			return -1;
		out[i] = (unsigned char)v;
	}
	return 0;
}

/* Parse a byte row written as "ed 15 48 ..." (16 bytes). */
static int row_parse(const char *s, unsigned char out[16])
{
	int i;

	for (i = 0; i < 16; i++) {
		int v = hexbyte(s);

		if (v < 0)
			return -1;
		out[i] = (unsigned char)v;
		s += 2;
		if (i < 15 && *s++ != ' ')
			return -1;
	}
	return *s ? -1 : 0;
}

struct guid_case {
	const char *name;
	struct spar_guid init;
	const char *text;
	const char *row;	/* bytes in memory, from the protocol tables */
};

static const struct guid_case guid_cases[] = {
	{ "vhba", SPAR_VHBA_CHANNEL_GUID, SPAR_VHBA_CHANNEL_GUID_STR,
	  "ed 15 48 41 8c c5 da 11 95 a9 00 e0 81 61 16 5f" },
	{ "vnic", SPAR_VNIC_CHANNEL_GUID, SPAR_VNIC_CHANNEL_GUID_STR,
	  "4d 99 d5 8c 8e c5 da 11 95 a9 00 e0 81 61 16 5f" },
	{ "keyboard", SPAR_KEYBOARD_CHANNEL_GUID, SPAR_KEYBOARD_CHANNEL_GUID_STR,
	  "d0 16 34 c7 b8 b0 af 44 b3 04 9d 2a e9 9f 1b 3d" },
	{ "mouse", SPAR_MOUSE_CHANNEL_GUID, SPAR_MOUSE_CHANNEL_GUID_STR,
	  "d4 07 df ad a9 94 e2 46 81 c3 61 ab cd bd bd 87" },
	{ "controlvm", SPAR_CONTROLVM_CHANNEL_GUID,
	  SPAR_CONTROLVM_CHANNEL_GUID_STR,
	  "10 2d 3c 2b f5 7e d8 4a b9 66 34 48 b7 38 6b 3d" },
	{ "vbus", SPAR_VBUS_CHANNEL_GUID, SPAR_VBUS_CHANNEL_GUID_STR,
	  "1b 33 3b 19 8f c5 da 11 95 a9 00 e0 81 61 16 5f" },
	{ "consolevideo", SPAR_CONSOLEVIDEO_CHANNEL_GUID,
	  SPAR_CONSOLEVIDEO_CHANNEL_GUID_STR,
	  "05 e7 d6 3c a2 d6 a5 4a ad 5c 7b 08 88 9d ff e2" },
	{ "siovm", SPAR_SIOVM_GUID, SPAR_SIOVM_GUID_STR,
	  "08 00 12 72 ab 4a dc 11 85 30 44 45 53 54 42 00" },
	{ "controldirector", SPAR_CONTROLDIRECTOR_CHANNEL_GUID,
	  SPAR_CONTROLDIRECTOR_CHANNEL_GUID_STR,
	  "ac c5 52 5b f5 e5 42 4d 8d ff 42 9e ae cd 22 1f" },
	{ "diagpool", SPAR_DIAGPOOL_CHANNEL_GUID,
	  SPAR_DIAGPOOL_CHANNEL_GUID_STR,
	  "25 96 e7 b4 de ae aa 4e 9e 11 d3 ed dc d4 50 4c" },
	{ "null", SPAR_NULL_GUID, SPAR_NULL_GUID_STR,
	  "00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00" },
};

static void check_guids(void)
{
	char name[64];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(guid_cases); i++) {
		const struct guid_case *c = &guid_cases[i];
		unsigned char text[16], row[16];

		snprintf(name, sizeof(name), "guid-%s-text", c->name);
		report(guid_parse(c->text, text) == 0 &&
		       memcmp(text, c->init.b, 16) == 0, name);

		snprintf(name, sizeof(name), "guid-%s-bytes", c->name);
		report(row_parse(c->row, row) == 0 &&
		       memcmp(row, c->init.b, 16) == 0, name);
	}
}

static void check_io_geometry(void)
{
	unsigned long proto = (sizeof(struct spar_io_channel) + 63) / 64 * 64;
	unsigned long cmdrsp = (sizeof(struct spar_uiscmdrsp) + 63) / 64 * 64;
	unsigned long min_size = (proto + 2 * 64 * cmdrsp + 4095) / 4096 * 4096;
	unsigned long slots = ((159744 - proto) / 2) / cmdrsp;
	unsigned long rsp_base = proto + slots * cmdrsp - 256;

	report(proto == 1472 && proto == SPAR_SIZEOF_PROTOCOL, "sizeof-protocol");
	report(cmdrsp == 1216 && cmdrsp == SPAR_SIZEOF_CMDRSP, "sizeof-cmdrsp");
	report(min_size == 159744 && min_size == SPAR_MIN_IO_CHANNEL_SIZE,
	       "min-io-channel-size");
	report(min_size / 4096 == 39, "min-io-channel-pages");
	report(slots == 65 &&
	       SPAR_IO_CHANNEL_SLOTS(SPAR_MIN_IO_CHANNEL_SIZE) == 65,
	       "min-io-channel-slots");
	/* page rounding may add slots, never remove them */
	report(SPAR_IO_CHANNEL_BYTES(SPAR_MIN_NUMSIGNALS) == 159744 &&
	       SPAR_IO_CHANNEL_BYTES(65) == 159744 &&
	       SPAR_IO_CHANNEL_SLOTS(SPAR_IO_CHANNEL_BYTES(SPAR_MAX_NUMSIGNALS)) >=
	       SPAR_MAX_NUMSIGNALS, "io-channel-bytes");
	/* queue 0 slots at absolute 1472, queue 1 right after them */
	report(proto - offsetof(struct spar_io_channel, cmd_q) == 1344 &&
	       rsp_base == 1472 + 65 * 1216 - 256, "io-sig-base-offsets");
	report((16384 + 14 + 4032 - 1) / 4032 == 5 &&
	       SPAR_MAX_NET_RCV_CHAIN == 5, "max-net-rcv-chain");
	report(SPAR_RCVPOST_BUF_SIZE + 64 <= SPAR_PI_PAGE_SIZE,
	       "rcvpost-buf-fits-page");
}

static void check_input_geometry(void)
{
	unsigned long q = offsetof(struct spar_input_channel, input_report_q);
	unsigned long s = offsetof(struct spar_input_channel, input_report);

	report(q == 136 && s == 264 && s - q == SPAR_INPUT_SIG_BASE_OFFSET,
	       "input-offsets");
	report(SPAR_INPUT_MAXINPUTREPORTS * sizeof(struct spar_input_report) ==
	       800 && sizeof(struct spar_input_channel) == 1064,
	       "input-slots");
}

static void check_magics(void)
{
	static const unsigned char ecnl[8] = { 'E', 'C', 'N', 'L', 0, 0, 0, 0 };
	static const unsigned char spar[4] = { 'S', 'P', 'A', 'R' };
	unsigned long long sig = SPAR_CHANNEL_SIGNATURE;
	unsigned int magic = SPAR_TRANSPORT_MAGIC;
	unsigned char b[8];
	int i;

	for (i = 0; i < 8; i++)
		b[i] = (sig >> (8 * i)) & 0xff;
	report(memcmp(b, ecnl, 8) == 0, "channel-signature-bytes");
	for (i = 0; i < 4; i++)
		b[i] = (magic >> (8 * i)) & 0xff;
	report(memcmp(b, spar, 4) == 0, "transport-magic-bytes");
}

static void check_transport(void)
{
	report(SPAR_TRANSPORT_NOTIFY_INDEX(1, 0) == 4 &&
	       SPAR_TRANSPORT_NOTIFY_INDEX(SPAR_TRANSPORT_MAX_CHANNELS - 1,
					   SPAR_TRANSPORT_MAX_QUEUES - 1) ==
	       SPAR_TRANSPORT_MAX_NOTIFY - 1, "transport-notify-index");
	report(SPAR_TRANSPORT_VERSION == 1 && SPAR_PCI_REVISION == 1,
	       "transport-revision");
	report(sizeof(struct spar_transport_page) == SPAR_TRANSPORT_PAGE_SIZE &&
	       SPAR_TRANSPORT_GUEST_POLLING_OFFSET -
	       SPAR_TRANSPORT_HOST_POLLING_OFFSET >= 128,
	       "transport-page-layout");
}

int main(void)
{
	check_guids();
	check_io_geometry();
	check_input_geometry();
	check_magics();
	check_transport();

	return (failures || !checks) ? 1 : 0;
}
