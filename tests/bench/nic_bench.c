// SPDX-License-Identifier: GPL-2.0
/*
 * spar-nic throughput bench, run inside the bench VM by
 * tests/bench/vm-bench.sh.
 *
 *   nic_bench spar UUID SIZE SECONDS   guest (this program, through VFIO)
 *                                      to host interface and back
 *   nic_bench veth IF_A IF_B SIZE SECONDS
 *                                      the same frames over a veth pair,
 *                                      AF_PACKET on both ends (reference)
 *
 * Prints one line per direction:
 *   RESULT <kind> <tx|rx> <size> <frames> <usec> <doorbells> <interrupts>
 *          <pin_hits> <pin_misses>
 */
#include <errno.h>
#include <net/if.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <sys/socket.h>

#include "spar_guest.h"
#include "spar_vfio.h"

#define ETHERTYPE_BENCH	0x88b6
#define NBUFS		64
#define TX_SLOTS	64
#define IN_FLIGHT	48

struct sender {
	int sock;
	int ifindex;
	uint8_t dst[6];
	uint32_t size;
	uint64_t usec;
	uint64_t sent;
	volatile int stop;
};

static int raw_socket(const char *ifname, int *ifindex)
{
	struct sockaddr_ll sll = { 0 };
	int fd, sz = 4 << 20;

	*ifindex = if_nametoindex(ifname);
	if (!*ifindex) {
		fprintf(stderr, "no interface %s\n", ifname);
		return -1;
	}
	fd = socket(AF_PACKET, SOCK_RAW, htons(ETHERTYPE_BENCH));
	if (fd < 0) {
		perror("socket");
		return -1;
	}
	sll.sll_family = AF_PACKET;
	sll.sll_protocol = htons(ETHERTYPE_BENCH);
	sll.sll_ifindex = *ifindex;
	if (bind(fd, (struct sockaddr *)&sll, sizeof(sll))) {
		perror("bind");
		close(fd);
		return -1;
	}
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
	setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz));
	return fd;
}

static void fill(uint8_t *f, uint32_t size, const uint8_t *dst)
{
	memset(f, 0xa5, size);
	memcpy(f, dst, 6);
	memcpy(f + 6, "\x02\x5b\x00\x00\x00\x01", 6);
	f[12] = ETHERTYPE_BENCH >> 8;
	f[13] = ETHERTYPE_BENCH & 0xff;
}

static void *send_thread(void *arg)
{
	struct sender *s = arg;
	struct sockaddr_ll sll = { 0 };
	uint8_t f[2048];
	uint64_t end = spar_now_us() + s->usec;

	fill(f, s->size, s->dst);
	sll.sll_family = AF_PACKET;
	sll.sll_ifindex = s->ifindex;
	sll.sll_halen = 6;
	memcpy(sll.sll_addr, s->dst, 6);
	while (!s->stop && spar_now_us() < end) {
		if (sendto(s->sock, f, s->size, 0, (struct sockaddr *)&sll,
			   sizeof(sll)) == (ssize_t)s->size)
			s->sent++;
		else if (errno == ENOBUFS || errno == EAGAIN)
			usleep(50);
	}
	return NULL;
}

/* frames counted on @sock until @s is done and the line is quiet */
static uint64_t count_rx(int sock, struct sender *s, pthread_t th)
{
	uint8_t buf[2048];
	uint64_t got = 0;
	struct pollfd p = { .fd = sock, .events = POLLIN };

	for (;;) {
		if (poll(&p, 1, 300) <= 0) {
			if (!pthread_tryjoin_np(th, NULL))
				break;
			continue;
		}
		while (recv(sock, buf, sizeof(buf), MSG_DONTWAIT) > 0)
			got++;
	}
	(void)s;
	return got;
}

static long long st(const char *uuid, const char *name)
{
	char attr[64];

	snprintf(attr, sizeof(attr), "stats/%s", name);
	return spar_sysfs_u64(uuid, attr);
}

struct snap {
	long long db, irq, hit, miss;
};

static void take(const char *uuid, struct snap *s)
{
	s->db = st(uuid, "doorbells");
	s->irq = st(uuid, "interrupts");
	s->hit = st(uuid, "pin_hits");
	s->miss = st(uuid, "pin_misses");
}

static void report(const char *kind, const char *dir, uint32_t size,
		   uint64_t frames, uint64_t usec, const struct snap *a,
		   const struct snap *b)
{
	printf("RESULT %s %s %u %llu %llu %lld %lld %lld %lld\n", kind, dir,
	       size, (unsigned long long)frames, (unsigned long long)usec,
	       b ? b->db - a->db : 0, b ? b->irq - a->irq : 0,
	       b ? b->hit - a->hit : 0, b ? b->miss - a->miss : 0);
	fflush(stdout);
}

/*
 * Wait for responses like a NAPI driver: poll while there is work, else
 * ask for an interrupt (guest_polling 0), re-check, and sleep on the MSI.
 */
static int idle_wait(struct spar_vnic *n)
{
	struct spar_guest *g = n->g;
	int ret;

	spar_guest_set_polling(g, 1, SPAR_TRANSPORT_NOTIFY);
	ret = spar_vnic_pump(n);
	if (!ret)
		spar_vfio_irq_wait(g->v, VFIO_PCI_MSI_IRQ_INDEX, 20, NULL);
	spar_guest_set_polling(g, 1, SPAR_TRANSPORT_POLLING);
	return ret;
}

static int bench_spar(const char *uuid, uint32_t size, uint32_t secs)
{
	struct spar_vfio v;
	struct spar_guest g;
	struct spar_vnic n;
	struct spar_uiscmdrsp r;
	struct sender s = { .size = size };
	struct snap a, b;
	char ifname[IFNAMSIZ], mac[32], why[256];
	uint8_t f[2048];
	uint64_t t0, sent = 0, got = 0;
	pthread_t th;
	int ret;

	if (spar_sysfs_read(uuid, "ifname", ifname, sizeof(ifname)) ||
	    spar_sysfs_read(uuid, "mac", mac, sizeof(mac)))
		return 1;
	sscanf(mac, "%hhx:%hhx:%hhx:%hhx:%hhx:%hhx", &s.dst[0], &s.dst[1],
	       &s.dst[2], &s.dst[3], &s.dst[4], &s.dst[5]);
	ret = spar_vfio_open(&v, uuid);
	if (ret) {
		fprintf(stderr, "open: %s\n",
			spar_vfio_strerror(&v, ret, why, sizeof(why)));
		return 1;
	}
	if (spar_guest_bringup(&g, &v, SPAR_TRANSPORT_F_ALL, why,
			       sizeof(why)) ||
	    spar_vnic_init(&n, &g, 0x10000000, NBUFS, 0x20000000, TX_SLOTS) ||
	    spar_vfio_irq_enable(&v, VFIO_PCI_MSI_IRQ_INDEX)) {
		fprintf(stderr, "bring-up failed: %s\n", why);
		return 1;
	}
	spar_guest_set_polling(&g, 1, SPAR_TRANSPORT_POLLING);
	if (spar_vnic_post_all(&n) || spar_vnic_enable(&n, 1) ||
	    spar_vnic_wait(&n, SPAR_NET_RCV_ENBDIS_ACK, NULL, 3000)) {
		fprintf(stderr, "enable failed\n");
		return 1;
	}
	s.sock = raw_socket(ifname, &s.ifindex);
	if (s.sock < 0)
		return 1;

	/* guest to host: keep IN_FLIGHT transmits outstanding */
	fill(f, size, (const uint8_t *)"\x02\x5b\x00\x00\x00\x02");
	take(uuid, &a);
	t0 = spar_now_us();
	while (spar_now_us() - t0 < secs * 1000000ULL) {
		while (sent - n.n_xmit_done < IN_FLIGHT) {
			if (spar_vnic_xmit(&n, f, size))
				break;
			sent++;
		}
		while (!spar_vnic_next(&n, &r))
			;
		if (sent - n.n_xmit_done >= IN_FLIGHT)
			idle_wait(&n);
	}
	while (n.n_xmit_done < sent && spar_now_us() - t0 < (secs + 3) * 1000000ULL) {
		while (!spar_vnic_next(&n, &r))
			;
		idle_wait(&n);
	}
	take(uuid, &b);
	report("spar", "tx", size, n.n_xmit_done, spar_now_us() - t0, &a, &b);

	/* host to guest: a sender thread on the host interface */
	s.usec = secs * 1000000ULL;
	take(uuid, &a);
	t0 = spar_now_us();
	pthread_create(&th, NULL, send_thread, &s);
	for (;;) {
		int any = 0;

		while (!spar_vnic_next(&n, &r)) {
			if (le32toh(r.net.type) == SPAR_NET_RCV) {
				got++;
				spar_vnic_repost(&n, &r);
			}
			any = 1;
		}
		if (any)
			continue;
		if (!pthread_tryjoin_np(th, NULL))
			break;
		idle_wait(&n);
	}
	usleep(100000);
	while (!spar_vnic_next(&n, &r))
		if (le32toh(r.net.type) == SPAR_NET_RCV)
			got++;
	take(uuid, &b);
	report("spar", "rx", size, got, spar_now_us() - t0, &a, &b);
	printf("# spar rx: %llu sent by the host, %llu received\n",
	       (unsigned long long)s.sent, (unsigned long long)got);
	spar_vnic_fini(&n);
	spar_vfio_close(&v);
	return 0;
}

static int bench_veth(const char *ifa, const char *ifb, uint32_t size,
		      uint32_t secs)
{
	static const char *const dirs[2] = { "tx", "rx" };
	int i;

	for (i = 0; i < 2; i++) {
		struct sender s = { .size = size, .usec = secs * 1000000ULL };
		const char *from = i ? ifb : ifa, *to = i ? ifa : ifb;
		int rx, idx;
		uint64_t t0, got;
		pthread_t th;

		memcpy(s.dst, "\x02\x5b\x00\x00\x00\x09", 6);
		s.sock = raw_socket(from, &s.ifindex);
		rx = raw_socket(to, &idx);
		if (s.sock < 0 || rx < 0)
			return 1;
		t0 = spar_now_us();
		pthread_create(&th, NULL, send_thread, &s);
		got = count_rx(rx, &s, th);
		report("veth", dirs[i], size, got, spar_now_us() - t0, NULL,
		       NULL);
		close(s.sock);
		close(rx);
	}
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 5 && !strcmp(argv[1], "spar"))
		return bench_spar(argv[2], atoi(argv[3]), atoi(argv[4]));
	if (argc == 6 && !strcmp(argv[1], "veth"))
		return bench_veth(argv[2], argv[3], atoi(argv[4]),
				  atoi(argv[5]));
	fprintf(stderr, "usage: nic_bench spar UUID SIZE SECONDS\n"
			"       nic_bench veth IF_A IF_B SIZE SECONDS\n");
	return 2;
}
