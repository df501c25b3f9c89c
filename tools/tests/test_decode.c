// SPDX-License-Identifier: GPL-2.0
/*
 * Self-test of the offline decoders: builds BAR0 and config space images
 * the way the transport specification lays them out, checks that the
 * validator accepts them and refuses each kind of damage, and that the
 * decoders print what the images hold.  One "PASS unit/tools-<name>" or
 * "FAIL unit/tools-<name>" line per check.
 */
#include <endian.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <spar/channel.h>
#include <spar/guid.h>
#include <spar/iochannel.h>
#include <spar/transport.h>

#include "spar_decode.h"

#define SLOTS		64
#define BAR0_SIZE	(256 * 1024)

static int fails;

static void result(const char *name, int ok, const char *why)
{
	printf("%s unit/tools-%s\n", ok ? "PASS" : "FAIL", name);
	if (!ok) {
		fails++;
		if (why && *why)
			printf("# %s: %s\n", name, why);
	}
}

static uint8_t *make_bar0(void)
{
	static const struct spar_guid vnic = SPAR_VNIC_CHANNEL_GUID;
	uint8_t *b = calloc(1, BAR0_SIZE);
	struct spar_transport_page *tp = (void *)b;
	uint64_t size = SPAR_IO_CHANNEL_BYTES(SLOTS);
	struct spar_io_channel *io = (void *)(b + 4096);
	struct spar_signal_queue_header *q[2] = { &io->cmd_q, &io->rsp_q };
	int i;

	tp->hdr.magic = htole32(SPAR_TRANSPORT_MAGIC);
	tp->hdr.version = htole32(SPAR_TRANSPORT_VERSION);
	tp->hdr.device_type = htole32(SPAR_TRANSPORT_TYPE_NIC);
	tp->hdr.num_channels = htole32(1);
	tp->hdr.bar0_size = htole64(BAR0_SIZE);
	tp->hdr.page_size = htole32(4096);
	tp->hdr.generation = htole32(3);
	tp->hdr.status = htole32(SPAR_STATUS_READY);
	tp->dir[0].type_guid = vnic;
	tp->dir[0].offset = htole64(4096);
	tp->dir[0].size = htole64(size);
	tp->dir[0].num_queues = htole16(2);
	tp->dir[0].flags = htole16(SPAR_TRANSPORT_DIR_F_PRESENT);
	tp->host_polling[0] = 0;
	tp->host_polling[1] = htole32(1);

	io->channel_header.signature = htole64(SPAR_CHANNEL_SIGNATURE);
	io->channel_header.header_size = htole32(128);
	io->channel_header.size = htole64(size);
	io->channel_header.chtype = vnic;
	io->channel_header.ch_space_offset = htole64(128);
	io->channel_header.version_id = htole32(SPAR_VNIC_CHANNEL_VERSIONID);
	io->channel_header.srv_state = htole32(SPAR_CHANNELSRV_READY);
	for (i = 0; i < 2; i++) {
		q[i]->signal_size = htole32(SPAR_SIZEOF_CMDRSP);
		q[i]->max_slots = htole32(SLOTS);
		q[i]->max_signals = htole32(SLOTS - 1);
		q[i]->size = htole64(SLOTS * SPAR_SIZEOF_CMDRSP);
	}
	io->cmd_q.sig_base_offset = htole64(1344);
	io->rsp_q.sig_base_offset = htole64(1472 + SLOTS * 1216 - 256);
	io->cmd_q.head = htole32(5);
	io->cmd_q.tail = htole32(2);
	memcpy(io->vnic.macaddr, "\x02\x11\x22\x33\x44\x55", 6);
	io->vnic.num_rcv_bufs = htole32(32);
	io->vnic.mtu = htole32(1500);
	return b;
}

static void make_cfg(uint8_t *c)
{
	memset(c, 0, SPAR_CFG_BYTES);
	c[0] = 0x18; c[1] = 0x10;	/* 0x1018 */
	c[2] = 0x01; c[3] = 0x53;	/* 0x5301 */
	c[6] = 0x10;			/* capability list */
	c[8] = SPAR_PCI_REVISION;
	c[9] = 0x00; c[10] = 0x00; c[11] = 0x02;
	c[0x10] = 0x0c;
	c[0x34] = 0x40;
	c[0x3d] = 1;
	c[0x40] = 0x05;			/* MSI, 64-bit */
	c[0x42] = 0x80;
}

static int decoded_has(const uint8_t *b, const char *needle)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	int ok;

	spar_decode_transport(f, b, BAR0_SIZE);
	spar_decode_channels(f, b, BAR0_SIZE);
	fclose(f);
	ok = strstr(text, needle) != NULL;
	if (!ok)
		printf("# decoder output lacks '%s':\n%s", needle, text);
	free(text);
	return ok;
}

/* damage one field of a good image, expect the validator to refuse it */
static void expect_bad(const char *name, size_t off, const void *val,
		       size_t len, const char *reason)
{
	uint8_t *b = make_bar0();
	char why[160] = "";
	int ret;

	memcpy(b + off, val, len);
	ret = spar_check_transport(b, BAR0_SIZE, SPAR_TRANSPORT_TYPE_NIC, why,
				   sizeof(why));
	result(name, ret && strstr(why, reason), why);
	free(b);
}

int main(void)
{
	static const uint32_t bad32 = 0xdeadbeef, nine = 9;
	static const uint64_t odd = 4096 + 512, huge = 1ULL << 40;
	static const uint16_t zero16;
	uint8_t *b = make_bar0();
	uint8_t cfg[SPAR_CFG_BYTES];
	char why[160] = "", s[64];
	struct spar_guid g = SPAR_VNIC_CHANNEL_GUID;
	char *text = NULL;
	size_t len = 0;
	FILE *f;
	int ret;

	ret = spar_check_transport(b, BAR0_SIZE, SPAR_TRANSPORT_TYPE_NIC, why,
				   sizeof(why));
	result("transport-valid", ret == 0, why);
	ret = spar_check_transport(b, BAR0_SIZE, SPAR_TRANSPORT_TYPE_HBA, why,
				   sizeof(why));
	result("transport-type-mismatch", ret != 0, "accepted");
	ret = spar_check_transport(b, BAR0_SIZE * 2, 0, why, sizeof(why));
	result("transport-bar-size", ret != 0 && strstr(why, "bar0_size"),
	       why);

	expect_bad("bad-magic", 0, &bad32, 4, "magic");
	expect_bad("bad-version", 4, &nine, 4, "version");
	expect_bad("bad-num-channels", 12, &nine, 4, "num_channels");
	expect_bad("dir-unaligned", 0x40 + 0x20, &odd, 8, "out of range");
	expect_bad("dir-too-big", 0x40 + 0x28, &huge, 8, "out of range");
	expect_bad("dir-no-queues", 0x40 + 0x38, &zero16, 2, "num_queues");
	expect_bad("dir-not-present", 0x40 + 0x3a, &zero16, 2, "present");
	expect_bad("channel-signature", 4096, &bad32, 4, "signature");
	expect_bad("channel-size", 4096 + 16, &huge, 8, "size");
	expect_bad("channel-chtype", 4096 + 32, &bad32, 4, "chtype");

	result("guid-string",
	       !strcmp(spar_guid_str(&g, s), SPAR_VNIC_CHANNEL_GUID_STR), s);
	result("chtype-name", !strcmp(spar_chtype_name(&g), "vnic"), "");
	result("status-string",
	       !strcmp(spar_status_str(SPAR_STATUS_NEEDS_RESET, s, sizeof(s)),
		       "NEEDS_RESET"), s);

	result("decode-directory", decoded_has(b, "(vnic) offset 0x1000"), "");
	result("decode-queue", decoded_has(b,
	       "queue 0 (notify 0): head 5 tail 2 pending 3 max_slots 64"), "");
	result("decode-vnic", decoded_has(b,
	       "mac 02:11:22:33:44:55 num_rcv_bufs 32 mtu 1500"), "");
	result("decode-notify", decoded_has(b, " 0: 0/0 1: 1/0"), "");
	/* a broken queue header must decode without reading out of bounds */
	memcpy(b + 4096 + 64, &huge, 8);
	result("decode-bad-offset", decoded_has(b, "header out of range"), "");

	make_cfg(cfg);
	ret = spar_check_config(cfg, why, sizeof(why));
	result("config-valid", ret == 0, why);
	f = open_memstream(&text, &len);
	spar_decode_config(f, cfg);
	fclose(f);
	result("config-decode", strstr(text, "1018:5301") &&
	       strstr(text, "MSI capability    at 0x40") != NULL, text);
	free(text);
	cfg[0x40] = 0x11;		/* MSI-X, not MSI */
	result("config-no-msi", spar_check_config(cfg, why, sizeof(why)) != 0,
	       "accepted");

	free(b);
	return fails ? 1 : 0;
}
