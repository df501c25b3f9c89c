/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Guest side of the spar transport over a VFIO device: bring-up,
 * client queues, notifications, and a VNIC driver for tests and benches.
 */
#ifndef _SPAR_TOOLS_GUEST_H
#define _SPAR_TOOLS_GUEST_H

#include <stdint.h>
#include <signalqueue.h>
#include <spar/iochannel.h>
#include <spar/transport.h>

#include "spar_vfio.h"

struct spar_guest {
	struct spar_vfio *v;
	uint8_t *bar0;
	uint32_t type;
	uint32_t features;
	uint32_t nchan;
	uint64_t chan_off[SPAR_TRANSPORT_MAX_CHANNELS];
	uint64_t chan_size[SPAR_TRANSPORT_MAX_CHANNELS];
	struct spar_sq_client sq[SPAR_TRANSPORT_MAX_CHANNELS];
	/* doorbells written, and publications that needed none */
	uint64_t doorbells;
	uint64_t doorbells_skipped;
};

int spar_guest_bringup(struct spar_guest *g, struct spar_vfio *v,
		       uint32_t features, char *why, size_t len);
int spar_guest_restart(struct spar_guest *g, char *why, size_t len);
uint32_t spar_guest_status(struct spar_guest *g);
uint8_t *spar_guest_chan(struct spar_guest *g, unsigned int ch);
uint8_t *spar_guest_queue(struct spar_guest *g, unsigned int ch,
			  unsigned int q);
void spar_guest_set_polling(struct spar_guest *g, unsigned int idx,
			    uint32_t val);
uint32_t spar_guest_host_polling(struct spar_guest *g, unsigned int idx);
void spar_guest_notify(struct spar_guest *g, unsigned int ch,
		       unsigned int q);
int spar_guest_insert(struct spar_guest *g, unsigned int ch, unsigned int q,
		      const void *msg, size_t size);
int spar_guest_remove(struct spar_guest *g, unsigned int ch, unsigned int q,
		      void *msg, size_t size);

/* anonymous memory mapped for DMA at a chosen IOVA */
struct spar_arena {
	uint8_t *va;
	uint64_t iova;
	size_t size;
	int mapped;
};

int spar_arena_create(struct spar_vfio *v, struct spar_arena *a,
		      uint64_t iova, size_t size);
int spar_arena_map(struct spar_vfio *v, struct spar_arena *a);
int spar_arena_unmap(struct spar_vfio *v, struct spar_arena *a);
void spar_arena_destroy(struct spar_vfio *v, struct spar_arena *a);

#define SPAR_VNIC_TX_SLOT_PAGES	17	/* a 65550-byte frame at offset 0 */
#define SPAR_VNIC_BACKLOG	1024

struct spar_vnic {
	struct spar_guest *g;
	struct spar_arena rx;	/* one receive buffer per page */
	struct spar_arena tx;	/* tx_slots slots of SPAR_VNIC_TX_SLOT_PAGES pages */
	uint32_t nbufs;
	uint32_t tx_slots;
	uint64_t tx_seq;
	/* responses pulled off the queue but not yet handed out */
	struct spar_uiscmdrsp *backlog;
	unsigned int bl_first, bl_count;
	/* counters of responses seen */
	uint64_t n_xmit_done, n_xmit_failed, n_rcv, n_ack, n_link;
	uint64_t rcv_dropped;
	int link;		/* last NET_CONNECT_STATUS, -1 none */
	int auto_repost;	/* re-post buffers of RCVs dropped by _wait() */
};

int spar_vnic_init(struct spar_vnic *n, struct spar_guest *g,
		   uint64_t rx_iova, uint32_t nbufs, uint64_t tx_iova,
		   uint32_t tx_slots);
void spar_vnic_fini(struct spar_vnic *n);
int spar_vnic_send(struct spar_vnic *n, const struct spar_uiscmdrsp *cmd);
int spar_vnic_post(struct spar_vnic *n, uint32_t idx);
int spar_vnic_post_all(struct spar_vnic *n);
int spar_vnic_enable(struct spar_vnic *n, int on);
int spar_vnic_promisc(struct spar_vnic *n, int on);
void spar_vnic_xmit_cmd(struct spar_vnic *n, struct spar_uiscmdrsp *cmd,
			const void *frame, uint32_t len);
int spar_vnic_xmit(struct spar_vnic *n, const void *frame, uint32_t len);
int spar_vnic_pump(struct spar_vnic *n);
int spar_vnic_next(struct spar_vnic *n, struct spar_uiscmdrsp *rsp);
int spar_vnic_wait(struct spar_vnic *n, uint32_t type,
		   struct spar_uiscmdrsp *rsp, int timeout_ms);
int spar_vnic_rcv_copy(struct spar_vnic *n, const struct spar_uiscmdrsp *rsp,
		       void *buf, size_t len);
uint64_t spar_vnic_rcv_cookie(const struct spar_uiscmdrsp *r, unsigned int i);
int spar_vnic_repost(struct spar_vnic *n, const struct spar_uiscmdrsp *rsp);

uint64_t spar_now_us(void);

#endif /* _SPAR_TOOLS_GUEST_H */
