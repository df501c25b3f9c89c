/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Input format shared by the signal queue fuzz targets and their seed
 * generator.  The input is what a hostile peer controls: the bytes of the
 * channel and the moments at which it changes them.
 *
 *   byte 0        variant (low 7 bits) and FUZZ_IMAGE_LATE (bit 7)
 *   byte 1        number of op records, at most FUZZ_MAX_OPS
 *   8 * nops      op records (struct fuzz_op)
 *   the rest      channel image
 *
 * Server target: the channel image is copied into the channel before the
 * server initialises its queues, or with FUZZ_IMAGE_LATE after (so the
 * peer has overwritten the queue headers too).  Client target: the image
 * is the channel as the client finds it.
 */
#ifndef _SPAR_FUZZ_H
#define _SPAR_FUZZ_H

#include <stdint.h>

#define FUZZ_IMAGE_LATE	0x80
#define FUZZ_MAX_OPS	64

enum fuzz_opcode {
	FUZZ_INSERT,	/* arg: copy length (server) or buffer size (client) */
	FUZZ_REMOVE,	/* same */
	FUZZ_PENDING,	/* server: pending; client: empty */
	FUZZ_EMPTY,
	FUZZ_POKE32,	/* peer writes val at offset arg */
	FUZZ_POKE_INDEX,/* peer writes its index word: val mod (max_slots + 2) */
	FUZZ_RESET,	/* server only */
	FUZZ_RESYNC,	/* server only */
	FUZZ_NR_OPS
};

struct fuzz_op {
	uint8_t op;
	uint8_t queue;
	uint16_t arg;
	uint32_t val;
} __attribute__((__packed__));

#define FUZZ_HDR_LEN	2

#endif /* _SPAR_FUZZ_H */
