// SPDX-License-Identifier: GPL-2.0
/*
 * Write a small seed corpus for the fuzz targets:
 *   mkseeds DIR_SERVER DIR_CLIENT
 * Seeds are well-formed channels and op scripts that exercise the normal
 * paths; the fuzzer mutates them into hostile ones.
 */
#include <endian.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <spar/channel.h>
#include "signalqueue.h"
#include "fuzz.h"

static u8 buf[1 << 20];
static size_t len;

static void start(u8 sel)
{
	buf[0] = sel;
	buf[1] = 0;
	len = FUZZ_HDR_LEN;
}

static void op(u8 code, u8 queue, u16 arg, u32 val)
{
	struct fuzz_op o = { code, queue, htole16(arg), htole32(val) };

	memcpy(buf + len, &o, sizeof(o));
	len += sizeof(o);
	buf[1]++;
}

static void image(const void *p, size_t n)
{
	memcpy(buf + len, p, n);
	len += n;
}

static void save(const char *dir, int n)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/seed-%02d", dir, n);
	f = fopen(path, "wb");
	if (!f || fwrite(buf, 1, len, f) != len || fclose(f)) {
		perror(path);
		exit(1);
	}
}

static void script(u16 ss)
{
	op(FUZZ_INSERT, 0, ss, 0x11);
	op(FUZZ_INSERT, 1, ss, 0x22);
	op(FUZZ_POKE_INDEX, 0, 0, 1);
	op(FUZZ_POKE_INDEX, 1, 0, 1);
	op(FUZZ_REMOVE, 0, ss, 0);
	op(FUZZ_REMOVE, 1, ss, 0);
	op(FUZZ_PENDING, 0, 0, 0);
	op(FUZZ_EMPTY, 1, 0, 0);
	op(FUZZ_INSERT, 0, ss / 2, 0x33);
	op(FUZZ_POKE_INDEX, 0, 1, 0xffffffff);
	op(FUZZ_INSERT, 0, ss, 0x44);
	op(FUZZ_REMOVE, 0, ss, 0);
	op(FUZZ_RESYNC, 0, 0, 0);
	op(FUZZ_RESET, 0, 0, 0);
	op(FUZZ_INSERT, 0, ss, 0x55);
	op(FUZZ_REMOVE, 0, ss, 0);
}

/* a channel with one server-initialised queue and a few signals in it */
static size_t make_chan(u8 *chan, u64 size, const struct spar_sq_geometry *g,
			int nq, int fill)
{
	struct spar_sq_server s;
	u8 msg[2048];
	int i, k;

	memset(chan, 0, size);
	((struct spar_channel_header *)chan)->ch_space_offset =
		htole64(g[0].queue_offset);
	((struct spar_channel_header *)chan)->size = htole64(size);
	for (k = 0; k < nq; k++) {
		if (spar_sq_server_init(&s, chan, size, &g[k],
					SPAR_SQ_SERVER_PRODUCES))
			exit(1);
		for (i = 0; i < fill; i++) {
			memset(msg, i + 1, sizeof(msg));
			spar_sq_server_insert(&s, msg, g[k].signal_size);
		}
	}
	return size;
}

int main(int argc, char **argv)
{
	static const struct spar_sq_geometry small = { 128, 256, 16, 8 };
	static const struct spar_sq_geometry two[2] = {
		{ 128, 384, 24, 5 }, { 256, 504, 24, 5 }
	};
	static const u16 ss[] = { 16, 16, 16, 24, 1, 1, 1216 };
	struct spar_sq_geometry input;
	static u8 chan[4096];
	int n = 0, i;

	if (argc != 3) {
		fprintf(stderr, "usage: mkseeds SERVER_DIR CLIENT_DIR\n");
		return 2;
	}
	spar_sq_input_geometry(4096, &input);

	for (i = 0; i < 7; i++) {
		start(i);
		script(ss[i]);
		save(argv[1], n++);
	}
	start(0 | FUZZ_IMAGE_LATE);
	script(16);
	image(chan, make_chan(chan, 384, &small, 1, 3));
	save(argv[1], n++);
	start(3 | FUZZ_IMAGE_LATE);
	script(24);
	image(chan, make_chan(chan, 624, two, 2, 2));
	save(argv[1], n++);

	n = 0;
	start(0x80);
	script(16);
	image(chan, make_chan(chan, 384, &small, 1, 3));
	save(argv[2], n++);
	start(0x80);
	script(16);
	image(chan, make_chan(chan, 1064, &input, 1, 10));
	save(argv[2], n++);
	start(0x80);
	script(24);
	image(chan, make_chan(chan, 624, two, 2, 2));
	save(argv[2], n++);
	return 0;
}
