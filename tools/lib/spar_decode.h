/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Offline decoders and validators of spar transport structures: PCI
 * configuration space, the transport page, channel and queue headers.
 * They work on plain byte buffers (a snapshot or a live mapping) and never
 * trust what they read.
 */
#ifndef _SPAR_TOOLS_DECODE_H
#define _SPAR_TOOLS_DECODE_H

#include <stdint.h>
#include <stdio.h>

#define SPAR_CFG_BYTES		256

struct spar_guid;

const char *spar_guid_str(const struct spar_guid *g, char *buf);
const char *spar_chtype_name(const struct spar_guid *g);
const char *spar_status_str(uint32_t status, char *buf, size_t len);

int spar_check_config(const uint8_t *cfg, char *why, size_t len);
void spar_decode_config(FILE *f, const uint8_t *cfg);

/*
 * Step 3 of the bring-up: validate the transport page and directory of a
 * BAR0 image of @bar0_size bytes.  @device_type 0 accepts any type.
 * Returns 0, or -EPROTO with a reason in @why.
 */
int spar_check_transport(const void *bar0, uint64_t bar0_size,
			 uint32_t device_type, char *why, size_t len);
void spar_decode_transport(FILE *f, const void *bar0, uint64_t bar0_size);
void spar_decode_channel_header(FILE *f, const void *ch, const char *indent);
void spar_decode_queue_header(FILE *f, const void *qh, const char *name,
			      const char *indent);
/* every channel of a BAR0 image: header, queues, type-specific area */
void spar_decode_channels(FILE *f, const void *bar0, uint64_t bar0_size);

#endif /* _SPAR_TOOLS_DECODE_H */
