// SPDX-License-Identifier: GPL-2.0
/*
 * spar-nic end-to-end checks, run inside the test VM by
 * tests/vm/tests/6*-nic*.sh.  This program is the guest: it drives an
 * instance through VFIO (bring-up, queues, VNIC messages) and checks the
 * host side through the instance's host interface (AF_PACKET) and sysfs.
 *
 *   nic_test attrs UUID MAC MTU NUM_RCV_BUFS
 *   nic_test basic UUID
 *   nic_test jumbo UUID
 *   nic_test reset UUID
 *   nic_test malicious UUID_A UUID_B
 *   nic_test remove UUID
 *   nic_test states UUID
 *   nic_test busmaster UUID
 *   nic_test acct UUID CGROUP-DIR
 *   nic_test access UUID
 *   nic_test unmap-race UUID_A UUID_B UUID_C UUID_D
 *   nic_test --list SUBCOMMAND   the check names SUBCOMMAND reports
 *
 * Every case prints "PASS vm/nic-<case>" or "FAIL vm/nic-<case>" with
 * "# " lines saying why.  Exit status 1 if any case failed.
 * SPAR_TEST_ABORT_AFTER=N makes it abort() after its Nth result, so that
 * the harness can be shown to catch a client that dies.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <linux/virtio_net.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <spar/channel.h>
#include <spar/iochannel.h>
#include <spar/transport.h>

#include "spar_decode.h"
#include "spar_guest.h"
#include "spar_vfio.h"

#define ETHERTYPE_TEST	0x88b5
#define RX_IOVA		0x10000000ULL
#define TX_IOVA		0x20000000ULL
#define NBUFS		32
#define TX_SLOTS	16
#define MAX_FRAME	(SPAR_ETH_MAX_MTU + SPAR_ETH_HEADER_SIZE)
/* Buffers for any frame a check may move: 64 KiB and a header. */
#define FRAME_BUF	SPAR_NET_MAX_GSO_FRAME
#define TMO		3000	/* ms for anything the host should do */

static int failures;
static char why[512];

static int results_left = -1;	/* SPAR_TEST_ABORT_AFTER */

static void result(const char *name, int ok)
{
	printf("%s vm/nic-%s\n", ok ? "PASS" : "FAIL", name);
	if (!ok) {
		failures++;
		printf("# nic-%s: %s\n", name, why[0] ? why : "failed");
	}
	why[0] = 0;
	/* A deliberate crash, to prove that the harness notices one. */
	if (results_left > 0 && --results_left == 0) {
		printf("# SPAR_TEST_ABORT_AFTER: aborting\n");
		fflush(stdout);
		abort();
	}
	fflush(stdout);
}

static int bad(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int bad(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	return -1;
}

static void note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void note(const char *fmt, ...)
{
	va_list ap;

	printf("# ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

/* ---- one instance: device, guest, vnic, host interface ---- */

struct inst {
	const char *uuid;
	char ifname[IFNAMSIZ];
	uint8_t mac[6];
	struct spar_vfio v;
	struct spar_guest g;
	struct spar_vnic n;
	int sock;
	int ifindex;
	int open;
};

static long long stat_of(struct inst *in, const char *name)
{
	char attr[64];

	snprintf(attr, sizeof(attr), "stats/%s", name);
	return spar_sysfs_u64(in->uuid, attr);
}

static long long netstat(struct inst *in, const char *name)
{
	char path[128], buf[64];
	FILE *f;
	long long v = -1;

	snprintf(path, sizeof(path), "/sys/class/net/%s/%s", in->ifname,
		 name);
	f = fopen(path, "r");
	if (!f)
		return -1;
	if (fgets(buf, sizeof(buf), f))
		v = strtoll(buf, NULL, 0);
	fclose(f);
	return v;
}

static int sysfs_status_is(struct inst *in, const char *want)
{
	char buf[32];

	return !spar_sysfs_read(in->uuid, "status", buf, sizeof(buf)) &&
	       !strcmp(buf, want);
}

static int host_socket(struct inst *in)
{
	struct sockaddr_ll sll = { 0 };
	int fd;

	in->ifindex = if_nametoindex(in->ifname);
	if (!in->ifindex)
		return bad("no host interface %s", in->ifname);
	fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, htons(ETH_P_ALL));
	if (fd < 0)
		return bad("AF_PACKET socket: %s", strerror(errno));
	sll.sll_family = AF_PACKET;
	sll.sll_protocol = htons(ETH_P_ALL);
	sll.sll_ifindex = in->ifindex;
	if (bind(fd, (struct sockaddr *)&sll, sizeof(sll))) {
		close(fd);
		return bad("bind to %s: %s", in->ifname, strerror(errno));
	}
	in->sock = fd;
	return 0;
}

/* drop whatever the socket has queued */
static void sock_drain(struct inst *in)
{
	char buf[64];

	while (recv(in->sock, buf, sizeof(buf), MSG_DONTWAIT) >= 0)
		;
}

/* next incoming test frame on the host interface, or -ETIMEDOUT */
static int host_recv(struct inst *in, uint8_t *buf, size_t len, int ms)
{
	uint64_t deadline = spar_now_us() + (uint64_t)ms * 1000;

	for (;;) {
		struct sockaddr_ll from;
		socklen_t fl = sizeof(from);
		struct pollfd p = { .fd = in->sock, .events = POLLIN };
		int64_t left = (int64_t)(deadline - spar_now_us()) / 1000;
		ssize_t n;

		if (left < 0 || poll(&p, 1, (int)left) <= 0)
			return -ETIMEDOUT;
		n = recvfrom(in->sock, buf, len, MSG_DONTWAIT,
			     (struct sockaddr *)&from, &fl);
		if (n < 0)
			continue;
		if (from.sll_pkttype == PACKET_OUTGOING || n < 14 ||
		    buf[12] != ETHERTYPE_TEST >> 8 ||
		    buf[13] != (ETHERTYPE_TEST & 0xff))
			continue;
		return (int)n;
	}
}

static int host_send(struct inst *in, const uint8_t *frame, size_t len)
{
	struct sockaddr_ll sll = { 0 };

	sll.sll_family = AF_PACKET;
	sll.sll_ifindex = in->ifindex;
	sll.sll_halen = 6;
	memcpy(sll.sll_addr, frame, 6);
	if (sendto(in->sock, frame, len, 0, (struct sockaddr *)&sll,
		   sizeof(sll)) == (ssize_t)len)
		return 0;
	/* a link down/up leaves ENETDOWN pending on the socket: clear it */
	if (errno == ENETDOWN) {
		int err;
		socklen_t el = sizeof(err);

		getsockopt(in->sock, SOL_SOCKET, SO_ERROR, &err, &el);
		if (sendto(in->sock, frame, len, 0, (struct sockaddr *)&sll,
			   sizeof(sll)) == (ssize_t)len)
			return 0;
	}
	return bad("send on %s (%zu bytes): %s", in->ifname, len,
			   strerror(errno));
}

static void make_frame(uint8_t *f, size_t len, const uint8_t *dst,
		       uint32_t seq)
{
	static const uint8_t src[6] = { 0x02, 0x5a, 0x00, 0x00, 0x00, 0x01 };
	size_t i;

	memcpy(f, dst, 6);
	memcpy(f + 6, src, 6);
	f[12] = ETHERTYPE_TEST >> 8;
	f[13] = ETHERTYPE_TEST & 0xff;
	for (i = 14; i < len; i++)
		f[i] = (uint8_t)(seq * 131 + i * 7 + (i >> 8));
	if (len >= 18)
		memcpy(f + 14, &seq, 4);
}

static int inst_open(struct inst *in, uint32_t features)
{
	char mac[32];
	int ret;

	if (spar_sysfs_read(in->uuid, "ifname", in->ifname,
			    sizeof(in->ifname)))
		return bad("%s: cannot read ifname", in->uuid);
	if (spar_sysfs_read(in->uuid, "mac", mac, sizeof(mac)) ||
	    sscanf(mac, "%hhx:%hhx:%hhx:%hhx:%hhx:%hhx", &in->mac[0],
		   &in->mac[1], &in->mac[2], &in->mac[3], &in->mac[4],
		   &in->mac[5]) != 6)
		return bad("%s: cannot read mac", in->uuid);
	ret = spar_vfio_open(&in->v, in->uuid);
	if (ret) {
		char e[160];

		return bad("open %s: %s", in->uuid,
			   spar_vfio_strerror(&in->v, ret, e, sizeof(e)));
	}
	in->open = 1;
	ret = spar_guest_bringup(&in->g, &in->v, features, why, sizeof(why));
	if (ret)
		return -1;
	ret = spar_vnic_init(&in->n, &in->g, RX_IOVA, NBUFS, TX_IOVA,
			     TX_SLOTS);
	if (ret)
		return bad("DMA arenas: %s", strerror(-ret));
	if (in->sock <= 0 && host_socket(in))
		return -1;
	return 0;
}

static void inst_close(struct inst *in)
{
	if (!in->open)
		return;
	spar_vnic_fini(&in->n);
	spar_vfio_close(&in->v);
	in->open = 0;
}

/* post every buffer, enable reception, wait for the acknowledgement */
/*
 * host_caught_up() - wait until the host has handled every command queued
 * so far: the command queue is empty and net_rcv_post has stopped moving
 * (the host counts a command once it is handled).  A frame sent on the
 * host interface before the host saw the posts would rightly be dropped.
 */
static void host_caught_up(struct inst *in)
{
	long long posts = -1;
	int i;

	for (i = 0; i < 500; i++) {
		const volatile struct spar_signal_queue_header *q = (const void *)
			spar_guest_queue(&in->g, 0, SPAR_IOCHAN_TO_IOPART);
		long long now = stat_of(in, "net_rcv_post");

		if (q->head == q->tail && now == posts)
			return;
		posts = now;
		usleep(20000);
	}
}

/*
 * host_link_ready() - wait until an up host interface passes frames: the
 * stack turns a carrier change into an operational state and an active
 * qdisc asynchronously (link watch, up to a second later), and a frame
 * sent before that is dropped by the stack, never reaching the host.
 */
static void host_link_ready(struct inst *in)
{
	uint64_t deadline = spar_now_us() + TMO * 1000ULL;
	char path[128], buf[16] = "";
	FILE *f;

	if (!(netstat(in, "flags") & 1))	/* IFF_UP */
		return;
	snprintf(path, sizeof(path), "/sys/class/net/%s/operstate",
		 in->ifname);
	while (spar_now_us() < deadline) {
		f = fopen(path, "r");
		buf[0] = 0;
		if (f) {
			if (!fgets(buf, sizeof(buf), f))
				buf[0] = 0;
			fclose(f);
		}
		if (netstat(in, "carrier") == 1 && !strncmp(buf, "up", 2))
			break;
		usleep(10000);
	}
	/* operstate is set just before the qdisc is activated */
	usleep(20000);
}

static int inst_start(struct inst *in)
{
	int ret;

	ret = spar_vnic_post_all(&in->n);
	if (!ret)
		ret = spar_vnic_enable(&in->n, 1);
	if (!ret)
		ret = spar_vnic_wait(&in->n, SPAR_NET_RCV_ENBDIS_ACK, NULL,
				     TMO);
	if (ret)
		return bad("start reception: %s", strerror(-ret));
	host_link_ready(in);
	return 0;
}

/* guest transmits one frame; checks XMIT_DONE and the bytes on the host */
static int xmit_check(struct inst *in, uint32_t len, uint32_t seq)
{
	static uint8_t f[FRAME_BUF], got[FRAME_BUF];
	static const uint8_t dst[6] = { 0x02, 0x5a, 0, 0, 0, 0x02 };
	struct spar_uiscmdrsp r;
	int n, ret;

	make_frame(f, len, dst, seq);
	ret = spar_vnic_xmit(&in->n, f, len);
	if (ret)
		return bad("xmit of %u bytes: %s", len, strerror(-ret));
	ret = spar_vnic_wait(&in->n, SPAR_NET_XMIT_DONE, &r, TMO);
	if (ret)
		return bad("no XMIT_DONE for a %u-byte frame: %s", len,
			   strerror(-ret));
	if (le32toh(r.net.xmtdone.xmt_done_result) != SPAR_XMIT_SUCCESS)
		return bad("XMIT_DONE result %u",
			   le32toh(r.net.xmtdone.xmt_done_result));
	/*
	 * The completion may overtake the frame on its way into the host
	 * stack, so an earlier case's frame can still come first: skip
	 * frames that carry another sequence number.
	 */
	do {
		n = host_recv(in, got, sizeof(got), TMO);
	} while (n >= 18 && len >= 18 && memcmp(got + 14, &seq, 4));
	if (n < 0)
		return bad("%u-byte frame never appeared on %s", len,
			   in->ifname);
	if ((uint32_t)n != len || memcmp(f, got, len))
		return bad("frame on %s differs (%d bytes, sent %u)",
			   in->ifname, n, len);
	return 0;
}

/* host sends one frame; the guest must receive it byte-exact */
static int rcv_check(struct inst *in, const uint8_t *dst, uint32_t len,
		     uint32_t seq, int *bufs)
{
	static uint8_t f[FRAME_BUF], got[FRAME_BUF];
	struct spar_uiscmdrsp r;
	int n, ret;

	make_frame(f, len, dst, seq);
	if (host_send(in, f, len))
		return -1;
	ret = spar_vnic_wait(&in->n, SPAR_NET_RCV, &r, TMO);
	if (ret)
		return bad("%u-byte frame sent on %s not received: %s", len,
			   in->ifname, strerror(-ret));
	n = spar_vnic_rcv_copy(&in->n, &r, got, sizeof(got));
	if (bufs)
		*bufs = r.net.rcv.numrcvbufs;
	spar_vnic_repost(&in->n, &r);
	if (n < 0)
		return bad("malformed NET_RCV (len %u, %u buffers)",
			   le32toh(r.net.rcv.rcv_done_len),
			   r.net.rcv.numrcvbufs);
	if ((uint32_t)n != len || memcmp(f, got, len))
		return bad("received frame differs (%d bytes, sent %u)", n,
			   len);
	return 0;
}

/* nothing of ours arrives within @ms */
/*
 * The worker handles a host frame asynchronously; under load that can take
 * a while.  Wait until a net counter has moved by at least @delta (or
 * @ms passed) and return how far it moved.
 */
static long long netstat_wait(struct inst *in, const char *name,
			      long long base, long long delta, int ms)
{
	long long v = netstat(in, name);

	while (v - base < delta && ms > 0) {
		usleep(10000);
		ms -= 10;
		v = netstat(in, name);
	}
	return v - base;
}

/*
 * A frame the host sent while the guest had no buffer posted: it waited
 * (stats/rcv_waits moved past @w0, nothing dropped since @d0) and, once
 * the guest posts, arrives first, byte-exact.
 */
static int rcv_waited(struct inst *in, long long w0, long long d0,
		      uint32_t len, uint32_t seq)
{
	static uint8_t f[MAX_FRAME], got[MAX_FRAME];
	struct spar_uiscmdrsp r;
	int n;

	if (stat_of(in, "rcv_waits") <= w0)
		return bad("stats/rcv_waits did not move: a buffer was still posted");
	if (netstat(in, "statistics/tx_dropped") != d0)
		return bad("the frame was dropped instead of waiting");
	if (spar_vnic_post_all(&in->n))
		return bad("posting buffers");
	if (spar_vnic_wait(&in->n, SPAR_NET_RCV, &r, TMO))
		return bad("the waiting frame was not delivered after the posts");
	n = spar_vnic_rcv_copy(&in->n, &r, got, sizeof(got));
	spar_vnic_repost(&in->n, &r);
	make_frame(f, len, in->mac, seq);
	if (n != (int)len || memcmp(got, f, len))
		return bad("the waiting frame differs (%d bytes, sent %u)", n,
			   len);
	return 0;
}

static int rcv_none(struct inst *in, int ms)
{
	struct spar_uiscmdrsp r;

	if (!spar_vnic_wait(&in->n, SPAR_NET_RCV, &r, ms)) {
		spar_vnic_repost(&in->n, &r);
		return bad("unexpected NET_RCV of %u bytes",
			   le32toh(r.net.rcv.rcv_done_len));
	}
	return 0;
}

static int run_cmd(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int run_cmd(const char *fmt, ...)
{
	char cmd[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	return system(cmd);
}

/* ---- attrs ---- */

static int case_attrs_channel(struct inst *in, const char *mac, uint32_t mtu,
			      uint32_t nbufs)
{
	struct spar_iochannel_vnic vn;
	uint8_t want[6];
	int ret;

	if (sscanf(mac, "%hhx:%hhx:%hhx:%hhx:%hhx:%hhx", &want[0], &want[1],
		   &want[2], &want[3], &want[4], &want[5]) != 6)
		return bad("bad MAC argument");
	ret = spar_vfio_bar0_read(&in->v, in->g.chan_off[0] +
				  offsetof(struct spar_io_channel, vnic),
				  &vn, sizeof(vn));
	if (ret)
		return bad("BAR0 read: %s", strerror(-ret));
	if (memcmp(vn.macaddr, want, 6))
		return bad("channel MAC %02x:%02x:%02x:%02x:%02x:%02x, want %s",
			   vn.macaddr[0], vn.macaddr[1], vn.macaddr[2],
			   vn.macaddr[3], vn.macaddr[4], vn.macaddr[5], mac);
	if (le32toh(vn.mtu) != mtu)
		return bad("channel mtu %u, want %u", le32toh(vn.mtu), mtu);
	if (le32toh(vn.num_rcv_bufs) != nbufs)
		return bad("channel num_rcv_bufs %u, want %u",
			   le32toh(vn.num_rcv_bufs), nbufs);
	return 0;
}

static int case_attrs_busy(struct inst *in)
{
	static const char *const a[][2] = {
		{ "mac", "02:00:00:00:00:42" }, { "mtu", "1400" },
		{ "num_rcv_bufs", "8" }, { "ifname", "spbusy0" },
		{ "ring_slots", "128" },
	};
	unsigned int i;
	int ret;

	for (i = 0; i < sizeof(a) / sizeof(a[0]); i++) {
		ret = spar_sysfs_write(in->uuid, a[i][0], a[i][1]);
		if (ret != -EBUSY)
			return bad("writing %s while open gave %s, want EBUSY",
				   a[i][0], ret ? strerror(-ret) : "success");
	}
	return 0;
}

static int do_attrs(char **argv)
{
	struct inst in = { .uuid = argv[0] };

	if (inst_open(&in, SPAR_TRANSPORT_F_ALL)) {
		result("attributes", 0);
		return 1;
	}
	result("attributes", !case_attrs_channel(&in, argv[1],
						 strtoul(argv[2], NULL, 0),
						 strtoul(argv[3], NULL, 0)));
	result("attributes-busy", !case_attrs_busy(&in));
	inst_close(&in);
	return 0;
}

/* ---- basic ---- */

static int case_bringup(struct inst *in)
{
	const struct spar_transport_page *tp = (const void *)in->g.bar0;
	const struct spar_channel_header *ch =
		(const void *)spar_guest_chan(&in->g, 0);
	static const struct spar_guid vnic = SPAR_VNIC_CHANNEL_GUID;
	uint8_t cfg[SPAR_CFG_BYTES];

	if (spar_vfio_cfg_read(&in->v, 0, cfg, sizeof(cfg)) ||
	    spar_check_config(cfg, why, sizeof(why)))
		return -1;
	if (le32toh(tp->hdr.magic) != SPAR_TRANSPORT_MAGIC ||
	    le32toh(tp->hdr.version) != SPAR_TRANSPORT_VERSION ||
	    le32toh(tp->hdr.device_type) != SPAR_TRANSPORT_TYPE_NIC ||
	    le32toh(tp->hdr.num_channels) != 1)
		return bad("transport header");
	if (memcmp(&tp->dir[0].type_guid, &vnic, sizeof(vnic)) ||
	    le16toh(tp->dir[0].num_queues) != 2 ||
	    !(le16toh(tp->dir[0].flags) & SPAR_TRANSPORT_DIR_F_PRESENT))
		return bad("directory entry 0");
	if (le64toh(ch->signature) != SPAR_CHANNEL_SIGNATURE ||
	    memcmp(&ch->chtype, &vnic, sizeof(vnic)) ||
	    le32toh(ch->version_id) != SPAR_VNIC_CHANNEL_VERSIONID ||
	    le64toh(ch->size) != le64toh(tp->dir[0].size) ||
	    le64toh(ch->size) < SPAR_MIN_IO_CHANNEL_SIZE)
		return bad("channel header");
	if (spar_guest_status(&in->g) != SPAR_STATUS_READY ||
	    !sysfs_status_is(in, "ready"))
		return bad("STATUS not READY");
	if (spar_vfio_reg_read(&in->v, SPAR_REG_GUEST_STATUS) !=
	    SPAR_GUEST_STATUS_DRIVER_OK)
		return bad("GUEST_STATUS not DRIVER_OK");
	return 0;
}

static int case_transmit(struct inst *in)
{
	static const uint32_t sizes[] = { 60, 14, 64, 333, 1514, 4200 };
	long long x0 = stat_of(in, "net_xmit");
	uint64_t d0 = in->n.n_xmit_done;
	unsigned int i;

	sock_drain(in);
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
		if (xmit_check(in, sizes[i], 100 + i))
			return -1;
	if (in->n.n_xmit_done - d0 != i)
		return bad("%llu XMIT_DONE for %u frames",
			   (unsigned long long)(in->n.n_xmit_done - d0), i);
	if (stat_of(in, "net_xmit") - x0 != i)
		return bad("stats/net_xmit moved by %lld for %u frames",
			   stat_of(in, "net_xmit") - x0, i);
	return 0;
}

static int case_receive(struct inst *in)
{
	static const uint32_t sizes[] = { 60, 64, 1000, 1514 };
	static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	unsigned int i;

	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
		if (rcv_check(in, in->mac, sizes[i], 200 + i, NULL))
			return -1;
	return rcv_check(in, bcast, 100, 299, NULL);
}

/* frames arriving with nothing posted are dropped and counted */
/*
 * Host frames that find no buffer posted wait for the guest to post some
 * (no drop), in order; one that waits longer than a second is dropped and
 * reported in rcvs_dropped_delta.
 */
static int case_drop(struct inst *in)
{
	static uint8_t f[128], got[MAX_FRAME];
	long long d0 = netstat(in, "statistics/tx_dropped");
	long long w0 = stat_of(in, "rcv_waits");
	long long nb0 = stat_of(in, "rcv_no_buffer");
	uint64_t rd0 = in->n.rcv_dropped;
	struct spar_uiscmdrsp r;
	int i, n;

	/* disabling reception forgets every posted buffer */
	if (spar_vnic_enable(&in->n, 0) ||
	    spar_vnic_wait(&in->n, SPAR_NET_RCV_ENBDIS_ACK, NULL, TMO))
		return bad("disable reception");
	if (spar_vnic_enable(&in->n, 1) ||
	    spar_vnic_wait(&in->n, SPAR_NET_RCV_ENBDIS_ACK, NULL, TMO))
		return bad("enable reception");
	for (i = 0; i < 3; i++) {
		make_frame(f, sizeof(f), in->mac, 300 + i);
		if (host_send(in, f, sizeof(f)))
			return -1;
	}
	if (rcv_none(in, 500))
		return -1;
	if (netstat(in, "statistics/tx_dropped") != d0)
		return bad("frames dropped while waiting for buffers");
	if (stat_of(in, "rcv_waits") <= w0)
		return bad("stats/rcv_waits did not move");
	/* posted now: the three arrive, in order, then a new one */
	if (spar_vnic_post_all(&in->n))
		return bad("re-post");
	for (i = 0; i < 3; i++) {
		if (spar_vnic_wait(&in->n, SPAR_NET_RCV, &r, TMO))
			return bad("waiting frame %d not delivered after the posts",
				   i);
		n = spar_vnic_rcv_copy(&in->n, &r, got, sizeof(got));
		spar_vnic_repost(&in->n, &r);
		make_frame(f, sizeof(f), in->mac, 300 + i);
		if (n != (int)sizeof(f) || memcmp(got, f, sizeof(f)))
			return bad("waiting frame %d differs (%d bytes)", i, n);
	}
	if (rcv_check(in, in->mac, 80, 310, NULL))
		return -1;
	/* no buffers for over a second: the frame is dropped */
	if (spar_vnic_enable(&in->n, 0) ||
	    spar_vnic_wait(&in->n, SPAR_NET_RCV_ENBDIS_ACK, NULL, TMO) ||
	    spar_vnic_enable(&in->n, 1) ||
	    spar_vnic_wait(&in->n, SPAR_NET_RCV_ENBDIS_ACK, NULL, TMO))
		return bad("disable and enable reception");
	make_frame(f, sizeof(f), in->mac, 320);
	if (host_send(in, f, sizeof(f)))
		return -1;
	usleep(1500000);
	/* the next frame wakes the worker, which gives up on the first */
	make_frame(f, sizeof(f), in->mac, 321);
	if (host_send(in, f, sizeof(f)))
		return -1;
	if (netstat_wait(in, "statistics/tx_dropped", d0, 1, 5000) != 1)
		return bad("tx_dropped moved by %lld after a frame waited 1.5 s, want 1",
			   netstat(in, "statistics/tx_dropped") - d0);
	if (stat_of(in, "rcv_no_buffer") != nb0 + 1)
		return bad("stats/rcv_no_buffer moved by %lld, want 1",
			   stat_of(in, "rcv_no_buffer") - nb0);
	if (spar_vnic_post_all(&in->n))
		return bad("re-post");
	if (spar_vnic_wait(&in->n, SPAR_NET_RCV, &r, TMO))
		return bad("the second frame was not delivered after the posts");
	n = spar_vnic_rcv_copy(&in->n, &r, got, sizeof(got));
	spar_vnic_repost(&in->n, &r);
	if (n != (int)sizeof(f) || memcmp(got, f, sizeof(f)))
		return bad("the second frame differs (%d bytes)", n);
	if (in->n.rcv_dropped - rd0 != 1)
		return bad("rcvs_dropped_delta summed to %llu, want 1",
			   (unsigned long long)(in->n.rcv_dropped - rd0));
	return 0;
}

/* stat_wait() - wait until counter @name of the instance reaches @want */
static int stat_wait(struct inst *in, const char *name, long long want)
{
	uint64_t deadline = spar_now_us() + TMO * 1000ULL;

	while (spar_now_us() < deadline) {
		if (stat_of(in, name) >= want)
			return 0;
		usleep(5000);
	}
	return bad("stats/%s is %lld, want %lld", name, stat_of(in, name),
		   want);
}

static int case_promisc(struct inst *in)
{
	static const uint8_t other[6] = { 0x02, 0xde, 0xad, 0xbe, 0xef, 0x01 };
	static uint8_t f[100];
	long long p0 = stat_of(in, "net_rcv_promisc");
	struct spar_uiscmdrsp r;

	/* promisc off: the frame to another MAC is filtered, the next passes */
	make_frame(f, sizeof(f), other, 400);
	if (host_send(in, f, sizeof(f)))
		return -1;
	if (rcv_check(in, in->mac, 90, 401, NULL))
		return -1;
	if (rcv_none(in, 300))
		return bad("frame to another MAC delivered with promisc off");
	if (spar_vnic_promisc(&in->n, 1))
		return bad("send NET_RCV_PROMISC");
	/* the host counts a command once handled: wait for it */
	if (stat_wait(in, "net_rcv_promisc", p0 + 1))
		return -1;
	if (rcv_check(in, other, 100, 402, NULL))
		return bad("frame to another MAC not delivered with promisc on (%s)",
			   why);
	if (spar_vnic_promisc(&in->n, 0))
		return bad("send NET_RCV_PROMISC off");
	if (stat_wait(in, "net_rcv_promisc", p0 + 2))
		return -1;
	make_frame(f, sizeof(f), other, 403);
	if (host_send(in, f, sizeof(f)))
		return -1;
	if (rcv_check(in, in->mac, 90, 404, NULL))
		return -1;
	if (rcv_none(in, 300))
		return bad("promisc off again: other MAC still delivered");
	(void)r;
	if (stat_of(in, "net_rcv_promisc") - p0 != 2)
		return bad("stats/net_rcv_promisc moved by %lld, want 2",
			   stat_of(in, "net_rcv_promisc") - p0);
	return 0;
}

static int wait_link(struct inst *in, int want)
{
	struct spar_uiscmdrsp r;
	uint64_t deadline = spar_now_us() + TMO * 1000ULL;

	while (spar_now_us() < deadline) {
		if (spar_vnic_wait(&in->n, SPAR_NET_CONNECT_STATUS, &r, TMO))
			break;
		if ((le16toh(r.net.enbdis.enable) != 0) == want)
			return 0;
	}
	return bad("no NET_CONNECT_STATUS %d (last %d)", want, in->n.link);
}

static int case_link(struct inst *in)
{
	if (run_cmd("ip link set %s down", in->ifname))
		return bad("ip link set down failed");
	if (wait_link(in, 0))
		return -1;
	if (run_cmd("ip link set %s up", in->ifname))
		return bad("ip link set up failed");
	if (wait_link(in, 1))
		return -1;
	return 0;
}

static int wait_carrier(struct inst *in, int want)
{
	uint64_t deadline = spar_now_us() + TMO * 1000ULL;

	while (spar_now_us() < deadline) {
		if (netstat(in, "carrier") == want)
			return 0;
		usleep(10000);
	}
	return bad("carrier %lld, want %d", netstat(in, "carrier"), want);
}

static int case_carrier(struct inst *in)
{
	if (wait_carrier(in, 1))
		return -1;
	if (spar_vnic_enable(&in->n, 0) ||
	    spar_vnic_wait(&in->n, SPAR_NET_RCV_ENBDIS_ACK, NULL, TMO))
		return bad("disable reception");
	if (wait_carrier(in, 0))
		return -1;
	if (spar_vnic_post_all(&in->n) || spar_vnic_enable(&in->n, 1) ||
	    spar_vnic_wait(&in->n, SPAR_NET_RCV_ENBDIS_ACK, NULL, TMO))
		return bad("enable reception");
	return wait_carrier(in, 1);
}

static int case_interrupts(struct inst *in)
{
	long long i0;
	uint64_t cnt = 0;
	int ret;

	ret = spar_vfio_irq_enable(&in->v, VFIO_PCI_MSI_IRQ_INDEX);
	if (ret)
		return bad("MSI eventfd: %s", strerror(-ret));
	spar_guest_set_polling(&in->g, 1, SPAR_TRANSPORT_NOTIFY);
	while (spar_vfio_irq_wait(&in->v, VFIO_PCI_MSI_IRQ_INDEX, 0, NULL) > 0)
		;
	i0 = stat_of(in, "interrupts");
	{
		static uint8_t f[120];

		make_frame(f, sizeof(f), in->mac, 500);
		if (host_send(in, f, sizeof(f)))
			return -1;
	}
	ret = spar_vfio_irq_wait(&in->v, VFIO_PCI_MSI_IRQ_INDEX, TMO, &cnt);
	if (ret <= 0)
		return bad("no MSI for a received frame with guest_polling 0");
	if (stat_of(in, "interrupts") <= i0)
		return bad("stats/interrupts did not move");
	if (spar_vnic_wait(&in->n, SPAR_NET_RCV, NULL, TMO))
		return bad("NET_RCV after the interrupt missing");

	/* polling: with NOTIFY_SUPPRESS accepted the host must stay quiet */
	spar_guest_set_polling(&in->g, 1, SPAR_TRANSPORT_POLLING);
	while (spar_vfio_irq_wait(&in->v, VFIO_PCI_MSI_IRQ_INDEX, 0, NULL) > 0)
		;
	i0 = stat_of(in, "interrupts");
	if (rcv_check(in, in->mac, 120, 501, NULL))
		return -1;
	if (spar_vfio_irq_wait(&in->v, VFIO_PCI_MSI_IRQ_INDEX, 200, NULL) > 0 ||
	    stat_of(in, "interrupts") != i0)
		return bad("interrupt raised although guest_polling is 1");
	spar_guest_set_polling(&in->g, 1, SPAR_TRANSPORT_NOTIFY);
	spar_vfio_irq_disable(&in->v, VFIO_PCI_MSI_IRQ_INDEX);
	return 0;
}

/* the doorbells the host counted are exactly the ones host_polling asked for */
static int case_doorbells(struct inst *in, long long db0, uint64_t rung0)
{
	long long got = stat_of(in, "doorbells") - db0;
	uint64_t rung = in->g.doorbells - rung0, i;
	uint64_t skip0 = in->g.doorbells_skipped;

	if (got != (long long)rung)
		return bad("host counted %lld doorbells, guest rang %llu", got,
			   (unsigned long long)rung);
	/*
	 * With the host busy-polling (10 ms, the largest busy_poll_us), most
	 * publications need no doorbell.
	 */
	if (spar_sysfs_write(in->uuid, "busy_poll_us", "10000"))
		return bad("busy_poll_us 10000 refused");
	db0 = stat_of(in, "doorbells");
	rung0 = in->g.doorbells;
	for (i = 0; i < 20; i++) {
		if (xmit_check(in, 64, 600 + i)) {
			spar_sysfs_write(in->uuid, "busy_poll_us", "0");
			return -1;
		}
	}
	spar_sysfs_write(in->uuid, "busy_poll_us", "0");
	got = stat_of(in, "doorbells") - db0;
	rung = in->g.doorbells - rung0;
	note("doorbells: %llu rung, %llu skipped while the host polled",
	     (unsigned long long)rung,
	     (unsigned long long)(in->g.doorbells_skipped - skip0));
	if (got != (long long)rung)
		return bad("busy-poll: host counted %lld doorbells, guest rang %llu",
			   got, (unsigned long long)rung);
	if (in->g.doorbells_skipped == skip0)
		return bad("host_polling never said 1 while the host polled");
	return 0;
}

/*
 * The interrupt indexes as vfio-pci answers them for a conventional PCI
 * function with INTx, MSI and no MSI-X: no error-reporting index at all
 * (QEMU warns when it gets one with no vector).
 */
static int case_irq_info(struct inst *in)
{
	static const struct {
		unsigned int index;
		int err;
		unsigned int count;
	} want[] = {
		{ VFIO_PCI_INTX_IRQ_INDEX, 0, 1 },
		{ VFIO_PCI_MSI_IRQ_INDEX, 0, 1 },
		{ VFIO_PCI_MSIX_IRQ_INDEX, 0, 0 },
		{ VFIO_PCI_ERR_IRQ_INDEX, EINVAL, 0 },
		{ VFIO_PCI_REQ_IRQ_INDEX, 0, 1 },
		{ VFIO_PCI_NUM_IRQS, EINVAL, 0 },
	};
	unsigned int i;

	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		struct vfio_irq_info info = {
			.argsz = sizeof(info), .index = want[i].index,
		};
		int err = ioctl(in->v.device, VFIO_DEVICE_GET_IRQ_INFO,
				&info) ? errno : 0;

		if (err != want[i].err)
			return bad("GET_IRQ_INFO index %u: %s, want %s",
				   want[i].index, err ? strerror(err) : "success",
				   want[i].err ? strerror(want[i].err) :
						 "success");
		if (!err && info.count != want[i].count)
			return bad("GET_IRQ_INFO index %u: count %u, want %u",
				   want[i].index, info.count, want[i].count);
	}
	return 0;
}

static int do_basic(char **argv)
{
	struct inst in = { .uuid = argv[0] };
	long long db0 = stat_of(&in, "doorbells");
	int ok;

	ok = !inst_open(&in, SPAR_TRANSPORT_F_ALL) && !case_bringup(&in);
	result("bring-up", ok);
	if (!ok)
		goto out;
	result("irq-info", !case_irq_info(&in));
	if (inst_start(&in)) {
		result("start", 0);
		goto out;
	}
	result("transmit", !case_transmit(&in));
	result("receive", !case_receive(&in));
	result("receive-drop", !case_drop(&in));
	result("promisc", !case_promisc(&in));
	result("link", !case_link(&in));
	result("carrier", !case_carrier(&in));
	result("interrupts", !case_interrupts(&in));
	result("doorbells", !case_doorbells(&in, db0, 0));
out:
	inst_close(&in);
	return 0;
}

/* ---- jumbo (mtu 9000 set by the caller) ---- */

static int do_jumbo(char **argv)
{
	struct inst in = { .uuid = argv[0] };
	int bufs = 0;
	int ok;

	ok = !inst_open(&in, SPAR_TRANSPORT_F_ALL) && !inst_start(&in);
	if (ok) {
		ok = !rcv_check(&in, in.mac, 9014, 700, &bufs);
		if (ok && bufs != 3)
			ok = !bad("9014-byte frame came in %d buffers, want 3",
				  bufs);
		if (ok)
			ok = !rcv_check(&in, in.mac, 4033, 701, &bufs) &&
			     (bufs == 2 || !bad("4033 bytes in %d buffers",
						bufs));
	}
	result("receive-jumbo", ok);
	if (in.open) {
		sock_drain(&in);
		result("transmit-jumbo", !xmit_check(&in, 9014, 702));
	}
	inst_close(&in);
	return 0;
}

/* ---- reset and unmap ---- */

static int case_reset(struct inst *in)
{
	long long d0, w0;
	static uint8_t f[100];
	int ret;

	if (rcv_check(in, in->mac, 100, 800, NULL))
		return -1;
	if (stat_of(in, "pins_held") <= 0)
		return bad("no pins held while buffers are posted");
	ret = spar_vfio_reset(&in->v);
	if (ret)
		return bad("VFIO_DEVICE_RESET: %s", strerror(-ret));
	/* the function reset cleared the command register: enable it again */
	ret = spar_vfio_command(&in->v, 0x6, 0);
	if (ret)
		return bad("command register: %s", strerror(-ret));
	if (stat_of(in, "pins_held") != 0)
		return bad("pins_held %lld after reset",
			   stat_of(in, "pins_held"));
	memset(&in->n.bl_count, 0, sizeof(in->n.bl_count));
	ret = spar_guest_restart(&in->g, why, sizeof(why));
	if (ret)
		return -1;
	/* enable without posting: the old buffers must be gone */
	if (spar_vnic_enable(&in->n, 1) ||
	    spar_vnic_wait(&in->n, SPAR_NET_RCV_ENBDIS_ACK, NULL, TMO))
		return bad("enable after reset");
	d0 = netstat(in, "statistics/tx_dropped");
	w0 = stat_of(in, "rcv_waits");
	make_frame(f, sizeof(f), in->mac, 801);
	if (host_send(in, f, sizeof(f)) || rcv_none(in, 500))
		return -1;
	if (rcv_waited(in, w0, d0, sizeof(f), 801))
		return bad("after reset: %s", why);
	host_caught_up(in);
	return rcv_check(in, in->mac, 100, 802, NULL);
}

static int case_unmap(struct inst *in)
{
	long long pins, d0, w0;
	uint64_t t0, dt;
	static uint8_t f[100];
	int ret;

	if (rcv_check(in, in->mac, 100, 900, NULL))
		return -1;
	/*
	 * The receive above re-posted its one buffer, and earlier cases may
	 * have left commands queued.  A buffer posted and then unmapped before
	 * the host saw it would rightly count as a protocol violation.
	 */
	host_caught_up(in);
	pins = stat_of(in, "pins_held");
	t0 = spar_now_us();
	ret = spar_arena_unmap(&in->v, &in->n.rx);
	dt = spar_now_us() - t0;
	if (ret)
		return bad("UNMAP_DMA: %s", strerror(-ret));
	note("unmap of %u posted buffers took %llu us", NBUFS,
	     (unsigned long long)dt);
	if (dt > 2000000)
		return bad("UNMAP_DMA took %llu ms", (unsigned long long)dt / 1000);
	if (stat_of(in, "pins_held") >= pins)
		return bad("pins_held %lld -> %lld after unmap", pins,
			   stat_of(in, "pins_held"));
	d0 = netstat(in, "statistics/tx_dropped");
	w0 = stat_of(in, "rcv_waits");
	make_frame(f, sizeof(f), in->mac, 901);
	if (host_send(in, f, sizeof(f)) || rcv_none(in, 500))
		return -1;
	if (spar_vfio_reg_read(&in->v, SPAR_REG_STATUS) != SPAR_STATUS_READY)
		return bad("unmap broke the device (protocol_errors %lld)",
			   stat_of(in, "protocol_errors"));
	ret = spar_arena_map(&in->v, &in->n.rx);
	if (ret)
		return bad("re-map: %s", strerror(-ret));
	if (rcv_waited(in, w0, d0, sizeof(f), 901))
		return bad("after unmap: %s (pins_held %lld)", why,
			   stat_of(in, "pins_held"));
	host_caught_up(in);
	return rcv_check(in, in->mac, 100, 902, NULL);
}

static int do_reset(char **argv)
{
	struct inst in = { .uuid = argv[0] };
	int ok;

	ok = !inst_open(&in, SPAR_TRANSPORT_F_ALL) && !inst_start(&in);
	result("reset", ok && !case_reset(&in));
	result("unmap", ok && !case_unmap(&in));
	if (ok) {
		ok = !rcv_check(&in, in.mac, 100, 950, NULL) &&
		     stat_of(&in, "pins_held") > 0;
		inst_close(&in);
		if (ok && stat_of(&in, "pins_held") != 0)
			ok = !bad("pins_held %lld after close",
				  stat_of(&in, "pins_held"));
		if (ok && !sysfs_status_is(&in, "closed"))
			ok = !bad("status not closed after close");
		result("close", ok);
	}
	inst_close(&in);
	return 0;
}

/* ---- transport states: pause/resume, GUEST_STATUS, INTx ---- */

static uint32_t reg(struct inst *in, unsigned int off)
{
	return spar_vfio_reg_read(&in->v, off);
}

/* wait up to @ms for STATUS == @want */
static int status_wait(struct inst *in, uint32_t want, int ms)
{
	while (reg(in, SPAR_REG_STATUS) != want && ms > 0) {
		usleep(10000);
		ms -= 10;
	}
	return reg(in, SPAR_REG_STATUS) == want ? 0 : -1;
}

/* traffic both ways after the host forgot everything: re-post, enable */
static int traffic_again(struct inst *in, uint32_t seq)
{
	if (inst_start(in))
		return -1;
	if (xmit_check(in, 200, seq))
		return -1;
	return rcv_check(in, in->mac, 200, seq + 1, NULL);
}

/* the pause handshake of the transport, driven by the recover attribute */
static int case_pause(struct inst *in)
{
	const struct spar_transport_page *tp = (const void *)in->g.bar0;
	uint32_t gen0 = reg(in, SPAR_REG_GENERATION);
	uint8_t *rq = spar_guest_queue(&in->g, 0, SPAR_IOCHAN_FROM_IOPART);
	int ret;

	if (xmit_check(in, 100, 1000))
		return -1;
	spar_vfio_reg_write(&in->v, SPAR_REG_INT_STATUS, ~0U);
	ret = spar_sysfs_write(in->uuid, "recover", "1");
	if (ret)
		return bad("recover: %s", strerror(-ret));
	if (reg(in, SPAR_REG_STATUS) != SPAR_STATUS_PAUSED ||
	    le32toh(tp->hdr.status) != SPAR_STATUS_PAUSED ||
	    !sysfs_status_is(in, "paused"))
		return bad("not paused after recover (STATUS %#x)",
			   reg(in, SPAR_REG_STATUS));
	if (!(reg(in, SPAR_REG_INT_STATUS) & SPAR_INT_CONFIG))
		return bad("no CONFIG interrupt cause for the pause");
	if (spar_sysfs_write(in->uuid, "recover", "1") != -EBUSY)
		return bad("a second recover while paused was not refused");

	/* acknowledge: the host restarts on empty queues */
	spar_vfio_reg_write(&in->v, SPAR_REG_GUEST_STATUS,
			    SPAR_GUEST_STATUS_DRIVER_OK |
			    SPAR_GUEST_STATUS_PAUSED);
	if (status_wait(in, SPAR_STATUS_READY, TMO))
		return bad("not READY after the acknowledgement (STATUS %#x)",
			   reg(in, SPAR_REG_STATUS));
	if (reg(in, SPAR_REG_GENERATION) != gen0 + 1 ||
	    le32toh(tp->hdr.generation) != gen0 + 1)
		return bad("generation %u after resume, want %u",
			   reg(in, SPAR_REG_GENERATION), gen0 + 1);
	if (le32toh(*(uint32_t *)(rq + 60)) || le32toh(*(uint32_t *)(rq + 72)))
		return bad("response queue indexes not reset by the resume");
	if (!sysfs_status_is(in, "ready"))
		return bad("sysfs status not ready after resume");
	spar_vfio_reg_write(&in->v, SPAR_REG_GUEST_STATUS,
			    SPAR_GUEST_STATUS_DRIVER_OK);
	if (reg(in, SPAR_REG_GUEST_STATUS) != SPAR_GUEST_STATUS_DRIVER_OK)
		return bad("GUEST_STATUS not back to DRIVER_OK");
	in->n.bl_count = 0;
	return traffic_again(in, 1010);
}

/* a guest that never acknowledges gets NEEDS_RESET; a reset recovers */
static int case_pause_timeout(struct inst *in)
{
	if (spar_sysfs_write(in->uuid, "recover", "1"))
		return bad("recover refused");
	if (status_wait(in, SPAR_STATUS_PAUSED, TMO))
		return bad("not paused");
	if (status_wait(in, SPAR_STATUS_NEEDS_RESET, 15000))
		return bad("no NEEDS_RESET after an unacknowledged pause (STATUS %#x)",
			   reg(in, SPAR_REG_STATUS));
	if (spar_guest_restart(&in->g, why, sizeof(why)))
		return -1;
	in->n.bl_count = 0;
	return traffic_again(in, 1020);
}

/* GUEST_STATUS moves only along the allowed transitions */
static int case_guest_status(struct inst *in)
{
	long long e0 = stat_of(in, "protocol_errors");

	/* PAUSED without a pause in progress is illegal */
	spar_vfio_reg_write(&in->v, SPAR_REG_GUEST_STATUS,
			    SPAR_GUEST_STATUS_DRIVER_OK |
			    SPAR_GUEST_STATUS_PAUSED);
	if (status_wait(in, SPAR_STATUS_NEEDS_RESET, TMO))
		return bad("illegal GUEST_STATUS write accepted (STATUS %#x)",
			   reg(in, SPAR_REG_STATUS));
	if (stat_of(in, "protocol_errors") <= e0)
		return bad("protocol_errors did not move");
	/* features are fixed once the driver is up */
	spar_vfio_reg_write(&in->v, SPAR_REG_GUEST_FEATURES, 0);
	if (reg(in, SPAR_REG_GUEST_FEATURES) != SPAR_TRANSPORT_F_ALL)
		return bad("GUEST_FEATURES changed while DRIVER_OK");
	if (spar_guest_restart(&in->g, why, sizeof(why)))
		return -1;
	in->n.bl_count = 0;
	return traffic_again(in, 1030);
}

/* a driver that did not negotiate pause cannot be paused: NEEDS_RESET */
static int case_pause_unsupported(struct inst *in)
{
	if (spar_sysfs_write(in->uuid, "recover", "1"))
		return bad("recover refused");
	if (status_wait(in, SPAR_STATUS_NEEDS_RESET, TMO))
		return bad("STATUS %#x, want NEEDS_RESET",
			   reg(in, SPAR_REG_STATUS));
	if (spar_guest_restart(&in->g, why, sizeof(why)))
		return -1;
	in->n.bl_count = 0;
	return traffic_again(in, 1040);
}

/* without MSI the function asserts INTx until the cause is acknowledged */
static int case_intx(struct inst *in)
{
	uint8_t cfg[8];
	static uint8_t f[120];
	int ret;

	ret = spar_vfio_irq_enable(&in->v, VFIO_PCI_INTX_IRQ_INDEX);
	if (ret)
		return bad("INTx eventfd: %s", strerror(-ret));
	spar_vfio_reg_write(&in->v, SPAR_REG_INT_STATUS, ~0U);
	spar_vfio_intx_unmask(&in->v);
	while (spar_vfio_irq_wait(&in->v, VFIO_PCI_INTX_IRQ_INDEX, 0, NULL) > 0)
		;
	spar_guest_set_polling(&in->g, 1, SPAR_TRANSPORT_NOTIFY);
	make_frame(f, sizeof(f), in->mac, 1050);
	if (host_send(in, f, sizeof(f)))
		return -1;
	if (spar_vfio_irq_wait(&in->v, VFIO_PCI_INTX_IRQ_INDEX, TMO, NULL) <= 0)
		return bad("no INTx for a received frame");
	if (!(reg(in, SPAR_REG_INT_STATUS) & SPAR_INT_QUEUE))
		return bad("INT_STATUS lacks the queue cause");
	if (spar_vfio_cfg_read(&in->v, 4, cfg, 4) || !(cfg[2] & 0x08))
		return bad("status register does not show INTx pending");
	/* masked until unmasked: a second frame raises nothing yet */
	make_frame(f, sizeof(f), in->mac, 1051);
	if (host_send(in, f, sizeof(f)))
		return -1;
	if (spar_vfio_irq_wait(&in->v, VFIO_PCI_INTX_IRQ_INDEX, 300, NULL) > 0)
		return bad("INTx fired again while masked");
	/* acknowledge every cause: the line drops */
	spar_vfio_reg_write(&in->v, SPAR_REG_INT_STATUS, ~0U);
	if (spar_vfio_cfg_read(&in->v, 4, cfg, 4) || (cfg[2] & 0x08))
		return bad("INTx still pending after the acknowledgement");
	spar_vfio_intx_unmask(&in->v);
	if (spar_vnic_wait(&in->n, SPAR_NET_RCV, NULL, TMO) ||
	    spar_vnic_wait(&in->n, SPAR_NET_RCV, NULL, TMO))
		return bad("the two frames did not arrive");
	spar_vfio_irq_disable(&in->v, VFIO_PCI_INTX_IRQ_INDEX);
	return 0;
}

static int do_states(char **argv)
{
	struct inst in = { .uuid = argv[0] };
	int ok;

	ok = !inst_open(&in, SPAR_TRANSPORT_F_ALL) && !inst_start(&in);
	result("pause-resume", ok && !case_pause(&in));
	result("pause-timeout", ok && !case_pause_timeout(&in));
	result("guest-status", ok && !case_guest_status(&in));
	result("intx", ok && !case_intx(&in));
	inst_close(&in);

	memset(&in, 0, sizeof(in));
	in.uuid = argv[0];
	ok = !inst_open(&in, SPAR_TRANSPORT_F_NOTIFY_SUPPRESS) &&
	     !inst_start(&in);
	result("pause-unsupported", ok && !case_pause_unsupported(&in));
	inst_close(&in);
	return 0;
}

/* ---- malicious guest ---- */

static void put32(uint8_t *p, uint32_t v)
{
	__atomic_store_n((uint32_t *)p, htole32(v), __ATOMIC_RELAXED);
}

static void put64(uint8_t *p, uint64_t v)
{
	__atomic_store_n((uint64_t *)p, htole64(v), __ATOMIC_RELAXED);
}

#define QOFF(f)	offsetof(struct spar_signal_queue_header, f)

static int wait_needs_reset(struct inst *in)
{
	uint64_t deadline = spar_now_us() + TMO * 1000ULL;

	while (spar_now_us() < deadline) {
		if (spar_vfio_reg_read(&in->v, SPAR_REG_STATUS) &
		    SPAR_STATUS_NEEDS_RESET)
			return sysfs_status_is(in, "needs-reset") ? 0 :
			       bad("STATUS NEEDS_RESET but sysfs status differs");
		usleep(2000);
	}
	return bad("STATUS 0x%x, want NEEDS_RESET",
		   spar_vfio_reg_read(&in->v, SPAR_REG_STATUS));
}

/* send a raw command without the client queue's checks */
static int send_raw(struct inst *in, const struct spar_uiscmdrsp *c)
{
	int ret = spar_guest_insert(&in->g, 0, SPAR_IOCHAN_TO_IOPART, c,
				    sizeof(*c));

	spar_vfio_reg_write(&in->v, SPAR_REG_DOORBELL, 0);
	return ret;
}

static int recover(struct inst *in)
{
	in->n.bl_count = 0;
	if (spar_guest_restart(&in->g, why, sizeof(why)))
		return -1;
	if (inst_start(in))
		return -1;
	return xmit_check(in, 64, 1099) ? bad("after RESET: %s", why) : 0;
}

enum evil {
	EVIL_CMD_HEAD, EVIL_RSP_TAIL, EVIL_FRAGS, EVIL_FRAG_LEN, EVIL_IOVA,
	EVIL_SHORT, EVIL_GEOMETRY, EVIL_DOORBELLS, EVIL_FRAG_ZERO,
	EVIL_FRAG_CROSS, EVIL_FRAG_SUM, EVIL_FRAME_BIG, EVIL_NET_TYPE,
	EVIL_CMD_TYPE, EVIL_POST_UNMAPPED, EVIL_POST_CROSS, EVIL_POST_OVERLAP,
	EVIL_CMD_FLOOD, EVIL_PAUSE_SILENT, EVIL_BUSMASTER_MID,
	EVIL_UNMAP_INFLIGHT, EVIL_OFL_IGNORED, EVIL_OFL_CSUM_POS,
	EVIL_OFL_FLAGS, EVIL_OFL_GSO_TYPE, EVIL_OFL_GSO_NOCSUM,
	EVIL_OFL_GSO_SIZE, EVIL_OFL_GSO_UNNEG, EVIL_OFL_HEADERS, EVIL_OFL_MTU,
	EVIL_OFL_CSUM_HDR, EVIL_NR,
};

static const char *const evil_names[EVIL_NR] = {
	"evil-head", "evil-tail", "evil-frag-count", "evil-frag-len",
	"evil-iova", "evil-short-frame", "evil-geometry", "evil-doorbells",
	"evil-frag-zero", "evil-frag-cross-page", "evil-frag-sum",
	"evil-frame-max-plus-1", "evil-net-type", "evil-cmd-type",
	"evil-post-unmapped", "evil-post-cross-page", "evil-post-overlap",
	"evil-cmd-flood", "evil-pause-silent", "evil-busmaster-mid",
	"evil-unmap-inflight", "evil-ofl-ignored", "evil-ofl-csum-pos",
	"evil-ofl-flags", "evil-ofl-gso-type", "evil-ofl-gso-nocsum",
	"evil-ofl-gso-size", "evil-ofl-gso-unnegotiated", "evil-ofl-headers",
	"evil-ofl-frame-mtu-plus-1", "evil-ofl-csum-in-header",
};

/* what the host must do about each case */
enum evil_outcome {
	EVIL_RESETS,	/* protocol error: this device alone needs a reset */
	EVIL_SERVES,	/* no error: the device keeps serving */
	EVIL_EITHER,	/* a race: either, as long as the host stays clean */
};

static enum evil_outcome evil_outcome(enum evil e)
{
	switch (e) {
	case EVIL_GEOMETRY:
	case EVIL_DOORBELLS:
	case EVIL_POST_OVERLAP:
	case EVIL_CMD_FLOOD:
	case EVIL_BUSMASTER_MID:
	case EVIL_OFL_IGNORED:
	case EVIL_OFL_HEADERS:
		return EVIL_SERVES;
	case EVIL_UNMAP_INFLIGHT:
		return EVIL_EITHER;
	default:
		return EVIL_RESETS;
	}
}

#define EVIL_PCI_CMD_MASTER	0x4

static void evil_post(struct spar_uiscmdrsp *c, uint64_t iova, uint16_t len,
		      uint64_t cookie)
{
	memset(c, 0, sizeof(*c));
	c->cmdtype = SPAR_CMD_NET_TYPE;
	c->net.type = htole32(SPAR_NET_RCV_POST);
	c->net.buf = htole64(cookie);
	c->net.rcvpost.frag.pi_pfn = htole64(iova >> SPAR_PI_PAGE_SHIFT);
	c->net.rcvpost.frag.pi_off = htole16(iova & 4095);
	c->net.rcvpost.frag.pi_len = htole16(len);
	c->net.rcvpost.unique_num = htole64(cookie);
}

/*
 * After a reset, only two posts, both of the same bytes; two frames land in
 * them, one over the other, and the host is fine.
 */
static int evil_post_overlap(struct inst *a)
{
	static uint8_t f[300];
	struct spar_uiscmdrsp c, r;
	int i, ret;

	a->n.bl_count = 0;
	if (spar_guest_restart(&a->g, why, sizeof(why)))
		return -1;
	for (i = 0; i < 2; i++) {
		evil_post(&c, a->n.rx.iova, SPAR_RCVPOST_BUF_SIZE, 0);
		if (spar_vnic_send(&a->n, &c))
			return bad("posting an overlapping buffer");
	}
	ret = spar_vnic_enable(&a->n, 1);
	if (!ret)
		ret = spar_vnic_wait(&a->n, SPAR_NET_RCV_ENBDIS_ACK, NULL, TMO);
	if (ret)
		return bad("enabling reception: %s", strerror(-ret));
	host_caught_up(a);
	host_link_ready(a);
	sock_drain(a);
	a->n.auto_repost = 0;
	for (i = 0; i < 2; i++) {
		make_frame(f, sizeof(f), a->mac, 1300 + i);
		if (host_send(a, f, sizeof(f)))
			return -1;
		if (spar_vnic_wait(&a->n, SPAR_NET_RCV, &r, TMO))
			return bad("frame %d into overlapping buffers not delivered",
				   i);
	}
	a->n.auto_repost = 1;
	if (memcmp(a->n.rx.va, f, sizeof(f)))
		return bad("the buffer does not hold the second frame");
	return 0;
}

/*
 * Keep the command queue full of commands the host accepts and ignores
 * for a second; halfway, the other instance must still pass traffic.
 */
static int evil_cmd_flood(struct inst *a, struct inst *b)
{
	uint64_t t0 = spar_now_us(), n = 0;
	struct spar_uiscmdrsp c;
	int checked = 0;

	memset(&c, 0, sizeof(c));
	c.cmdtype = SPAR_CMD_NET_TYPE;
	c.net.type = htole32(SPAR_NET_MACADDR);
	while (spar_now_us() - t0 < 1000000) {
		while (!spar_guest_insert(&a->g, 0, SPAR_IOCHAN_TO_IOPART, &c,
					  sizeof(c)))
			n++;
		spar_vfio_reg_write(&a->v, SPAR_REG_DOORBELL, 0);
		if (!checked && spar_now_us() - t0 > 500000) {
			checked = 1;
			sock_drain(b);
			if (xmit_check(b, 100, 1310))
				return bad("other instance starved by the flood: %s",
					   why);
		}
	}
	note("%llu commands queued in 1 s", (unsigned long long)n);
	host_caught_up(a);
	return 0;
}

/* bus mastering cleared with a transmit queued and frames arriving */
static int evil_busmaster_mid(struct inst *a)
{
	static uint8_t f[200];
	long long e0 = stat_of(a, "protocol_errors");
	int i, ret;

	ret = spar_vfio_command(&a->v, 0, EVIL_PCI_CMD_MASTER);
	if (ret)
		return bad("clearing bus master: %s", strerror(-ret));
	make_frame(f, sizeof(f), a->mac, 1320);
	spar_vnic_xmit(&a->n, f, sizeof(f));
	for (i = 0; i < 4; i++) {
		make_frame(f, sizeof(f), a->mac, 1321 + i);
		host_send(a, f, sizeof(f));
	}
	usleep(200000);
	ret = spar_vfio_command(&a->v, EVIL_PCI_CMD_MASTER, 0);
	if (ret)
		return bad("setting bus master: %s", strerror(-ret));
	if (spar_vnic_wait(&a->n, SPAR_NET_XMIT_DONE, NULL, TMO))
		return bad("the transmit queued while bus mastering was off never completed");
	if (stat_of(a, "protocol_errors") != e0)
		return bad("bus mastering off counted as a protocol error");
	return 0;
}

/* transmits queued, their buffers unmapped under them, mapped again */
static int evil_unmap_inflight(struct inst *a)
{
	static uint8_t f[1000];
	int i, ret;

	for (i = 0; i < 8; i++) {
		make_frame(f, sizeof(f), a->mac, 1330 + i);
		spar_vnic_xmit(&a->n, f, sizeof(f));
	}
	ret = spar_arena_unmap(&a->v, &a->n.tx);
	if (!ret)
		ret = spar_arena_map(&a->v, &a->n.tx);
	if (ret)
		return bad("unmap/map of the transmit buffers: %s",
			   strerror(-ret));
	usleep(200000);
	return 0;
}

static struct spar_net_offload *ofl_block(struct spar_uiscmdrsp *c)
{
	return (struct spar_net_offload *)((uint8_t *)c +
					   SPAR_NET_OFFLOAD_OFFSET);
}

static void ofl_set(struct spar_uiscmdrsp *c, uint8_t flags, uint8_t gso,
		    uint16_t hdr, uint16_t size, uint16_t start, uint16_t off)
{
	struct spar_net_offload *o = ofl_block(c);

	o->flags = flags;
	o->gso_type = gso;
	o->hdr_len = htole16(hdr);
	o->gso_size = htole16(size);
	o->csum_start = htole16(start);
	o->csum_offset = htole16(off);
}

/* the SPAR_NIC_F_* the host keeps of @f: each needs its checksum feature */
static uint32_t ofl_kept(uint32_t f)
{
	f &= SPAR_NIC_F_ALL;
	if (!(f & SPAR_NIC_F_CSUM))
		f &= ~SPAR_NIC_F_TSO;
	if (!(f & SPAR_NIC_F_GUEST_CSUM))
		f &= ~SPAR_NIC_F_LARGE_RX;
	if (!(f & SPAR_NIC_F_LARGE_RX))
		f &= ~SPAR_NIC_F_BIG_MTU;
	return f;
}

/*
 * Reset the function, accept the device features @dev (before DRIVER_OK,
 * as bring-up does), enable reception and check what the host took up.
 */
static int ofl_renegotiate(struct inst *in, uint32_t dev)
{
	long long got;

	in->g.features = SPAR_TRANSPORT_F_ALL | dev;
	in->n.bl_count = 0;
	if (spar_guest_restart(&in->g, why, sizeof(why)))
		return -1;
	if (inst_start(in))
		return -1;
	got = stat_of(in, "features");
	if (got != ofl_kept(dev))
		return bad("stats/features %#llx after accepting %#x, want %#x",
			   got, dev, ofl_kept(dev));
	return 0;
}

static int evil_do(struct inst *a, struct inst *b, enum evil e)
{
	uint8_t *cq = spar_guest_queue(&a->g, 0, SPAR_IOCHAN_TO_IOPART);
	uint8_t *rq = spar_guest_queue(&a->g, 0, SPAR_IOCHAN_FROM_IOPART);
	static uint8_t f[200], big[MAX_FRAME + 1];
	struct spar_uiscmdrsp c;
	uint32_t max = le32toh(*(uint32_t *)(cq + QOFF(max_slots)));
	uint64_t t0;
	int i;

	make_frame(f, sizeof(f), a->mac, 1000 + e);
	spar_vnic_xmit_cmd(&a->n, &c, f, sizeof(f));
	switch (e) {
	case EVIL_CMD_HEAD:
		put32(cq + QOFF(head), max + 3);
		spar_vfio_reg_write(&a->v, SPAR_REG_DOORBELL, 0);
		break;
	case EVIL_RSP_TAIL:
		put32(rq + QOFF(tail), 0xffff);
		send_raw(a, &c);
		break;
	case EVIL_FRAGS:
		c.net.xmt.num_frags = htole32(SPAR_MAX_PHYS_INFO + 1);
		send_raw(a, &c);
		break;
	case EVIL_FRAG_LEN:
		c.net.xmt.frags[0].pi_len = htole16(5000);
		c.net.xmt.len = htole32(5000);
		send_raw(a, &c);
		break;
	case EVIL_IOVA:
		c.net.xmt.frags[0].pi_pfn = htole64(0x7f0000000ULL);
		send_raw(a, &c);
		break;
	case EVIL_SHORT:
		c.net.xmt.len = htole32(10);
		c.net.xmt.frags[0].pi_len = htole16(10);
		send_raw(a, &c);
		break;
	case EVIL_GEOMETRY: {
		/* the host works from its own copy: hand-insert with it */
		uint8_t *chan = spar_guest_chan(&a->g, 0);
		uint32_t head = le32toh(*(uint32_t *)(cq + QOFF(head)));

		head = (head + 1) % max;
		put32(cq + QOFF(max_slots), 7);
		put32(cq + QOFF(signal_size), 3);
		put64(cq + QOFF(sig_base_offset), 0xfffffff0ULL);
		memcpy(chan + SPAR_SIZEOF_PROTOCOL +
		       (size_t)head * SPAR_SIZEOF_CMDRSP, &c, sizeof(c));
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		put32(cq + QOFF(head), head);
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		spar_vfio_reg_write(&a->v, SPAR_REG_DOORBELL, 0);
		break;
	}
	case EVIL_DOORBELLS:
		t0 = spar_now_us();
		for (i = 0; i < 100000; i++)
			spar_vfio_reg_write(&a->v, SPAR_REG_DOORBELL, i & 31);
		note("100000 doorbells took %llu ms",
		     (unsigned long long)(spar_now_us() - t0) / 1000);
		break;
	case EVIL_FRAG_ZERO:
		/* a second fragment of no bytes; the lengths still add up */
		c.net.xmt.frags[1] = c.net.xmt.frags[0];
		c.net.xmt.frags[1].pi_len = 0;
		c.net.xmt.num_frags = htole32(2);
		send_raw(a, &c);
		break;
	case EVIL_FRAG_CROSS:
		c.net.xmt.frags[0].pi_off = htole16(4000);
		send_raw(a, &c);
		break;
	case EVIL_FRAG_SUM:
		c.net.xmt.len = htole32(sizeof(f) + 1);
		send_raw(a, &c);
		break;
	case EVIL_FRAME_BIG:
		/* one byte over the largest frame of the largest MTU */
		make_frame(big, sizeof(big), a->mac, 1340);
		spar_vnic_xmit_cmd(&a->n, &c, big, sizeof(big));
		send_raw(a, &c);
		break;
	case EVIL_NET_TYPE:
		c.net.type = htole32(0x7f);
		send_raw(a, &c);
		break;
	case EVIL_CMD_TYPE:
		c.cmdtype = SPAR_CMD_SCSI_TYPE;
		send_raw(a, &c);
		break;
	case EVIL_POST_UNMAPPED:
		evil_post(&c, 0x7f0000000ULL << SPAR_PI_PAGE_SHIFT,
			  SPAR_RCVPOST_BUF_SIZE, 7);
		send_raw(a, &c);
		break;
	case EVIL_POST_CROSS:
		evil_post(&c, a->n.rx.iova + 200, SPAR_RCVPOST_BUF_SIZE, 7);
		send_raw(a, &c);
		break;
	case EVIL_POST_OVERLAP:
		return evil_post_overlap(a);
	case EVIL_CMD_FLOOD:
		return evil_cmd_flood(a, b);
	case EVIL_PAUSE_SILENT:
		if (spar_sysfs_write(a->uuid, "recover", "1"))
			return bad("recover refused");
		break;
	case EVIL_BUSMASTER_MID:
		return evil_busmaster_mid(a);
	case EVIL_UNMAP_INFLIGHT:
		return evil_unmap_inflight(a);
	case EVIL_OFL_IGNORED:
		/* features off: the block is never read */
		if (ofl_renegotiate(a, 0))
			return -1;
		spar_vnic_xmit_cmd(&a->n, &c, f, sizeof(f));
		memset(ofl_block(&c), 0xff, sizeof(struct spar_net_offload));
		send_raw(a, &c);
		if (spar_vnic_wait(&a->n, SPAR_NET_XMIT_DONE, NULL, TMO))
			return bad("no XMIT_DONE for a frame with a stray offload block");
		break;
	case EVIL_OFL_CSUM_POS:
	case EVIL_OFL_FLAGS:
	case EVIL_OFL_GSO_TYPE:
	case EVIL_OFL_GSO_NOCSUM:
	case EVIL_OFL_GSO_SIZE:
	case EVIL_OFL_HEADERS:
	case EVIL_OFL_MTU:
	case EVIL_OFL_CSUM_HDR:
		if (ofl_renegotiate(a, SPAR_NIC_F_ALL))
			return -1;
		if (e == EVIL_OFL_MTU) {
			/* within the TSO limit, but not segmented */
			make_frame(big, sizeof(big), a->mac, 1341);
			spar_vnic_xmit_cmd(&a->n, &c, big, sizeof(big));
			send_raw(a, &c);
			break;
		}
		spar_vnic_xmit_cmd(&a->n, &c, f, sizeof(f));
		if (e == EVIL_OFL_CSUM_POS)
			ofl_set(&c, SPAR_NET_OFL_F_NEEDS_CSUM, 0, 0, 0, 190, 9);
		else if (e == EVIL_OFL_FLAGS)
			ofl_set(&c, 0x04, 0, 0, 0, 0, 0);
		else if (e == EVIL_OFL_CSUM_HDR)
			/* the checksum would go into the Ethernet header */
			ofl_set(&c, SPAR_NET_OFL_F_NEEDS_CSUM, 0, 0, 0, 2, 6);
		else if (e == EVIL_OFL_GSO_TYPE)
			ofl_set(&c, SPAR_NET_OFL_F_NEEDS_CSUM, 3, 54, 100, 34,
				16);
		else if (e == EVIL_OFL_GSO_NOCSUM)
			ofl_set(&c, 0, SPAR_NET_GSO_TCPV4, 54, 100, 34, 16);
		else if (e == EVIL_OFL_GSO_SIZE)
			ofl_set(&c, SPAR_NET_OFL_F_NEEDS_CSUM,
				SPAR_NET_GSO_TCPV4, 54, 0, 34, 16);
		else
			/* sound metadata, but the frame is not TCP/IP */
			ofl_set(&c, SPAR_NET_OFL_F_NEEDS_CSUM,
				SPAR_NET_GSO_TCPV4, 54, 100, 34, 16);
		send_raw(a, &c);
		if (e == EVIL_OFL_HEADERS &&
		    spar_vnic_wait(&a->n, SPAR_NET_XMIT_DONE, NULL, TMO))
			return bad("no XMIT_DONE for a frame whose headers do not match its offload");
		break;
	case EVIL_OFL_GSO_UNNEG:
		/* checksums both ways, no segmentation */
		if (ofl_renegotiate(a, SPAR_NIC_F_CSUM | SPAR_NIC_F_GUEST_CSUM))
			return -1;
		spar_vnic_xmit_cmd(&a->n, &c, f, sizeof(f));
		ofl_set(&c, SPAR_NET_OFL_F_NEEDS_CSUM, SPAR_NET_GSO_TCPV4, 54,
			100, 34, 16);
		send_raw(a, &c);
		break;
	default:
		break;
	}
	return 0;
}

static int evil_case(struct inst *a, struct inst *b, enum evil e)
{
	long long pa = stat_of(a, "protocol_errors");
	long long pb = stat_of(b, "protocol_errors");
	enum evil_outcome want = evil_outcome(e);

	if (evil_do(a, b, e))
		return -1;
	if (e == EVIL_PAUSE_SILENT) {
		/* no acknowledgement: the pause times out into NEEDS_RESET */
		if (status_wait(a, SPAR_STATUS_NEEDS_RESET, 15000))
			return bad("no NEEDS_RESET after an unanswered pause (STATUS %#x)",
				   reg(a, SPAR_REG_STATUS));
	} else if (want == EVIL_RESETS) {
		if (wait_needs_reset(a))
			return -1;
		if (stat_of(a, "protocol_errors") <= pa)
			return bad("stats/protocol_errors did not move");
	} else if (e == EVIL_GEOMETRY) {
		if (spar_vnic_wait(&a->n, SPAR_NET_XMIT_DONE, NULL, TMO))
			return bad("host stopped serving after the guest rewrote the geometry");
		if (spar_vfio_reg_read(&a->v, SPAR_REG_STATUS) !=
		    SPAR_STATUS_READY)
			return bad("geometry rewrite changed STATUS to 0x%x",
				   spar_vfio_reg_read(&a->v, SPAR_REG_STATUS));
	} else if (want == EVIL_SERVES) {
		if (spar_vfio_reg_read(&a->v, SPAR_REG_STATUS) !=
		    SPAR_STATUS_READY)
			return bad("STATUS 0x%x, want READY",
				   spar_vfio_reg_read(&a->v, SPAR_REG_STATUS));
		if (stat_of(a, "protocol_errors") != pa)
			return bad("counted as a protocol error");
		sock_drain(a);
		if (xmit_check(a, 64, 1098))
			return bad("after the case: %s", why);
	} else {
		note("STATUS after the race: 0x%x",
		     spar_vfio_reg_read(&a->v, SPAR_REG_STATUS));
	}
	/* the other instance is untouched and passes traffic */
	if (!sysfs_status_is(b, "ready"))
		return bad("the other instance is not ready");
	if (stat_of(b, "protocol_errors") != pb)
		return bad("the other instance counted a protocol error");
	sock_drain(b);
	if (xmit_check(b, 100, 1097) || rcv_check(b, b->mac, 100, 1096, NULL))
		return bad("other instance: %s", why);
	/* a RESET write recovers */
	sock_drain(a);
	if (recover(a))
		return -1;
	if (e == EVIL_GEOMETRY) {
		uint8_t *cq = spar_guest_queue(&a->g, 0, SPAR_IOCHAN_TO_IOPART);

		if (le32toh(*(uint32_t *)(cq + QOFF(signal_size))) !=
		    SPAR_SIZEOF_CMDRSP)
			return bad("RESET did not rewrite the queue geometry");
	}
	return 0;
}

static int do_malicious(char **argv)
{
	struct inst a = { .uuid = argv[0] }, b = { .uuid = argv[1] };
	int e;

	if (inst_open(&a, SPAR_TRANSPORT_F_ALL) || inst_start(&a) ||
	    inst_open(&b, SPAR_TRANSPORT_F_ALL) || inst_start(&b)) {
		result("evil-setup", 0);
		goto out;
	}
	a.n.auto_repost = 1;
	b.n.auto_repost = 1;
	for (e = 0; e < EVIL_NR; e++)
		result(evil_names[e], !evil_case(&a, &b, e));
out:
	inst_close(&a);
	inst_close(&b);
	return 0;
}

/* ---- offloads ---- */

#define OFL_SRC_IP	0x0a4d0002	/* 10.77.0.2 */
#define OFL_DST_IP	0x0a4d0001	/* 10.77.0.1 */
#define OFL_HDRS	54		/* Ethernet, IPv4, TCP */
#define OFL_MSS		1448
#define OFL_XMIT	(OFL_HDRS + 10000)	/* three pages */
#define OFL_BIG		(OFL_HDRS + 30000)	/* eight receive buffers */

static void put_be16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v;
}

static void put_be32(uint8_t *p, uint32_t v)
{
	put_be16(p, v >> 16);
	put_be16(p + 2, v);
}

static uint32_t csum_add(uint32_t sum, const uint8_t *p, size_t len)
{
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)p[i] << 8 | p[i + 1];
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	return sum;
}

static uint16_t csum_fold32(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return sum;
}

/* sum of the TCP pseudo header of IPv4 frame @f of @len bytes */
static uint32_t tcp_pseudo(const uint8_t *f, size_t len)
{
	return csum_add(0, f + 26, 8) + 6 + (uint32_t)(len - 34);
}

/*
 * A TCP/IPv4 frame of @len bytes from @src to @dst.  Its TCP checksum
 * field holds the pseudo-header sum, as a stack leaves it for checksum
 * offload.
 */
static void make_tcp(uint8_t *f, size_t len, const uint8_t *dst,
		     const uint8_t *src, uint32_t seq)
{
	uint8_t *ip = f + 14, *th = f + 34;
	size_t i;

	memset(f, 0, OFL_HDRS);
	memcpy(f, dst, 6);
	memcpy(f + 6, src, 6);
	put_be16(f + 12, 0x0800);
	ip[0] = 0x45;
	put_be16(ip + 2, len - 14);
	ip[6] = 0x40;
	ip[8] = 64;
	ip[9] = 6;
	put_be32(ip + 12, OFL_SRC_IP);
	put_be32(ip + 16, OFL_DST_IP);
	put_be16(ip + 10, ~csum_fold32(csum_add(0, ip, 20)));
	put_be16(th, 40000);
	put_be16(th + 2, 5001);
	put_be32(th + 4, seq);
	th[12] = 0x50;
	th[13] = 0x18;
	put_be16(th + 14, 0xffff);
	for (i = OFL_HDRS; i < len; i++)
		f[i] = (uint8_t)(seq + i * 13 + (i >> 9));
	put_be16(th + 16, csum_fold32(tcp_pseudo(f, len)));
}

/* the TCP checksum of IPv4 frame @f is complete and right */
static int tcp_csum_ok(const uint8_t *f, size_t len)
{
	return csum_fold32(csum_add(tcp_pseudo(f, len), f + 34, len - 34)) ==
	       0xffff;
}

/*
 * Next IPv4 frame from @src on the host interface, and whether the host
 * left its checksum to be filled in (TP_STATUS_CSUMNOTREADY: the skb was
 * CHECKSUM_PARTIAL).
 */
static int host_recv_ip(struct inst *in, const uint8_t *src, uint8_t *buf,
			size_t len, int *partial)
{
	uint64_t deadline = spar_now_us() + TMO * 1000ULL;
	int one = 1;

	setsockopt(in->sock, SOL_PACKET, PACKET_AUXDATA, &one, sizeof(one));
	for (;;) {
		char ctl[CMSG_SPACE(sizeof(struct tpacket_auxdata))];
		struct sockaddr_ll from;
		struct iovec iov = { .iov_base = buf, .iov_len = len };
		struct msghdr m = {
			.msg_name = &from, .msg_namelen = sizeof(from),
			.msg_iov = &iov, .msg_iovlen = 1,
			.msg_control = ctl, .msg_controllen = sizeof(ctl),
		};
		struct pollfd p = { .fd = in->sock, .events = POLLIN };
		int64_t left = (int64_t)(deadline - spar_now_us()) / 1000;
		struct cmsghdr *cm;
		ssize_t n;

		if (left < 0 || poll(&p, 1, (int)left) <= 0)
			return -ETIMEDOUT;
		n = recvmsg(in->sock, &m, MSG_DONTWAIT);
		if (n < 14 || from.sll_pkttype == PACKET_OUTGOING ||
		    buf[12] != 0x08 || buf[13] != 0 || memcmp(buf + 6, src, 6))
			continue;
		*partial = 0;
		for (cm = CMSG_FIRSTHDR(&m); cm; cm = CMSG_NXTHDR(&m, cm)) {
			const struct tpacket_auxdata *aux = (void *)CMSG_DATA(cm);

			if (cm->cmsg_level == SOL_PACKET &&
			    cm->cmsg_type == PACKET_AUXDATA)
				*partial = !!(aux->tp_status &
					      TP_STATUS_CSUMNOTREADY);
		}
		return (int)n;
	}
}

/* send @frame on the host interface as a packet socket with a vnet header */
static int host_send_vnet(struct inst *in, const struct virtio_net_hdr *h,
			  const uint8_t *frame, size_t len)
{
	static uint8_t buf[sizeof(struct virtio_net_hdr) + OFL_BIG];
	struct sockaddr_ll sll = { 0 };
	int fd, one = 1, ret = 0;

	if (len > OFL_BIG)
		return bad("frame too long for the vnet buffer");
	fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return bad("AF_PACKET socket: %s", strerror(errno));
	if (setsockopt(fd, SOL_PACKET, PACKET_VNET_HDR, &one, sizeof(one)))
		ret = bad("PACKET_VNET_HDR: %s", strerror(errno));
	memcpy(buf, h, sizeof(*h));
	memcpy(buf + sizeof(*h), frame, len);
	sll.sll_family = AF_PACKET;
	sll.sll_ifindex = in->ifindex;
	sll.sll_halen = 6;
	memcpy(sll.sll_addr, frame, 6);
	if (!ret && sendto(fd, buf, sizeof(*h) + len, 0,
			   (struct sockaddr *)&sll, sizeof(sll)) !=
		    (ssize_t)(sizeof(*h) + len))
		ret = bad("vnet send of %zu bytes on %s: %s", len, in->ifname,
			  strerror(errno));
	close(fd);
	return ret;
}

/* the guest transmits @len bytes of TCP with offload metadata */
static int ofl_xmit(struct inst *in, size_t len, uint8_t gso, int partial_want)
{
	static uint8_t f[OFL_XMIT], got[OFL_XMIT + 64];
	static const uint8_t dst[6] = { 0x02, 0x5a, 0, 0, 0, 0x03 };
	long long c0 = stat_of(in, "csum_xmit"), g0 = stat_of(in, "gso_xmit");
	long long e0 = stat_of(in, "offload_errors");
	struct spar_uiscmdrsp c, r;
	int n, partial;

	make_tcp(f, len, dst, in->mac, (uint32_t)len);
	spar_vnic_xmit_cmd(&in->n, &c, f, len);
	ofl_set(&c, SPAR_NET_OFL_F_NEEDS_CSUM, gso, OFL_HDRS,
		gso ? OFL_MSS : 0, 34, 16);
	sock_drain(in);
	if (spar_vnic_send(&in->n, &c))
		return bad("cannot queue the transmit");
	if (spar_vnic_wait(&in->n, SPAR_NET_XMIT_DONE, &r, TMO))
		return bad("no XMIT_DONE");
	if (le32toh(r.net.xmtdone.xmt_done_result) != SPAR_XMIT_SUCCESS)
		return bad("XMIT_DONE result %u (offload_errors +%lld)",
			   le32toh(r.net.xmtdone.xmt_done_result),
			   stat_of(in, "offload_errors") - e0);
	n = host_recv_ip(in, in->mac, got, sizeof(got), &partial);
	if (n < 0)
		return bad("the frame never appeared on %s", in->ifname);
	if ((size_t)n != len || memcmp(got, f, len))
		return bad("%d bytes on %s, sent %zu%s", n, in->ifname, len,
			   (size_t)n == len ? " (contents differ)" : "");
	if (partial != partial_want)
		return bad("host skb %s CHECKSUM_PARTIAL", partial ? "is" : "is not");
	if (stat_of(in, "csum_xmit") != c0 + 1 ||
	    stat_of(in, "gso_xmit") != g0 + !!gso)
		return bad("csum_xmit +%lld, gso_xmit +%lld",
			   stat_of(in, "csum_xmit") - c0,
			   stat_of(in, "gso_xmit") - g0);
	return 0;
}

/*
 * The host sends one 30 KiB TCP segment-offload frame.  With large receive
 * the guest gets it whole, in eight buffers (three past the five of
 * rcv.rcvbuf), with its metadata; without, as MSS-sized segments, with
 * checksums to fill in if the guest takes receive checksums, else filled.
 */
static int ofl_rcv(struct inst *in, int large, int guest_csum)
{
	static uint8_t f[OFL_BIG], got[OFL_BIG];
	static const uint8_t src[6] = { 0x02, 0x5a, 0, 0, 0, 0x04 };
	struct virtio_net_hdr h = {
		.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM,
		.gso_type = VIRTIO_NET_HDR_GSO_TCPV4,
		.hdr_len = OFL_HDRS, .gso_size = OFL_MSS,
		.csum_start = 34, .csum_offset = 16,
	};
	long long g0 = stat_of(in, "gso_rcv");
	uint32_t payload = 0, segs = 0;
	struct spar_uiscmdrsp r;
	const struct spar_net_offload *o = ofl_block(&r);
	int n;

	make_tcp(f, OFL_BIG, in->mac, src, 77);
	if (host_send_vnet(in, &h, f, OFL_BIG))
		return -1;
	while (payload < OFL_BIG - OFL_HDRS) {
		if (spar_vnic_wait(&in->n, SPAR_NET_RCV, &r, TMO))
			return bad("%u of %u payload bytes received in %u frames",
				   payload, OFL_BIG - OFL_HDRS, segs);
		n = spar_vnic_rcv_copy(&in->n, &r, got, sizeof(got));
		spar_vnic_repost(&in->n, &r);
		if (n < 0)
			return bad("malformed NET_RCV (len %u, %u buffers)",
				   le32toh(r.net.rcv.rcv_done_len),
				   r.net.rcv.numrcvbufs);
		/* not ours: something the host stack sent meanwhile */
		if (n < OFL_HDRS || memcmp(got + 6, src, 6))
			continue;
		if (memcmp(got + OFL_HDRS, f + OFL_HDRS + payload,
			   n - OFL_HDRS))
			return bad("segment %u: payload differs", segs);
		if (large) {
			if (n != OFL_BIG || r.net.rcv.numrcvbufs != 8)
				return bad("%d bytes in %u buffers, want %u in 8",
					   n, r.net.rcv.numrcvbufs, OFL_BIG);
			if (o->gso_type != SPAR_NET_GSO_TCPV4 ||
			    le16toh(o->gso_size) != OFL_MSS ||
			    o->flags != SPAR_NET_OFL_F_NEEDS_CSUM ||
			    le16toh(o->csum_start) != 34 ||
			    le16toh(o->csum_offset) != 16)
				return bad("offload block: flags %#x gso %u size %u csum %u+%u",
					   o->flags, o->gso_type,
					   le16toh(o->gso_size),
					   le16toh(o->csum_start),
					   le16toh(o->csum_offset));
		} else {
			if (n > OFL_HDRS + OFL_MSS || o->gso_type)
				return bad("segment %u: %d bytes, gso type %u",
					   segs, n, o->gso_type);
			if (guest_csum &&
			    o->flags != SPAR_NET_OFL_F_NEEDS_CSUM)
				return bad("segment %u: offload flags %#x",
					   segs, o->flags);
			if (!guest_csum && (o->flags || !tcp_csum_ok(got, n)))
				return bad("segment %u: flags %#x, checksum %s",
					   segs, o->flags,
					   tcp_csum_ok(got, n) ? "right" : "wrong");
		}
		payload += n - OFL_HDRS;
		segs++;
	}
	if (stat_of(in, "gso_rcv") != g0 + large)
		return bad("gso_rcv +%lld", stat_of(in, "gso_rcv") - g0);
	return 0;
}

/* device features: offered, accepted after DRIVER_OK, taken at enable */
static int case_ofl_negotiation(struct inst *in)
{
	uint32_t t = SPAR_TRANSPORT_F_ALL;

	if ((reg(in, SPAR_REG_HOST_FEATURES) & SPAR_NIC_F_ALL) !=
	    SPAR_NIC_F_ALL)
		return bad("HOST_FEATURES %#x, want the offloads %#x",
			   reg(in, SPAR_REG_HOST_FEATURES), SPAR_NIC_F_ALL);
	/* after DRIVER_OK: device bits change, transport bits stay */
	spar_vfio_reg_write(&in->v, SPAR_REG_GUEST_FEATURES,
			    SPAR_NIC_F_CSUM | SPAR_NIC_F_GUEST_CSUM);
	if (reg(in, SPAR_REG_GUEST_FEATURES) !=
	    (t | SPAR_NIC_F_CSUM | SPAR_NIC_F_GUEST_CSUM))
		return bad("GUEST_FEATURES %#x after a device-feature write",
			   reg(in, SPAR_REG_GUEST_FEATURES));
	/* what the host records is what it will use: no TSO without csum */
	spar_vfio_reg_write(&in->v, SPAR_REG_GUEST_FEATURES,
			    SPAR_NIC_F_TSO | SPAR_NIC_F_GUEST_CSUM |
			    SPAR_NIC_F_LARGE_RX);
	if (reg(in, SPAR_REG_GUEST_FEATURES) !=
	    (t | SPAR_NIC_F_GUEST_CSUM | SPAR_NIC_F_LARGE_RX))
		return bad("GUEST_FEATURES %#x: TSO recorded without csum",
			   reg(in, SPAR_REG_GUEST_FEATURES));
	/* bits nobody offers are not recorded */
	spar_vfio_reg_write(&in->v, SPAR_REG_GUEST_FEATURES,
			    t | 0x80000000U | SPAR_NIC_F_CSUM);
	if (reg(in, SPAR_REG_GUEST_FEATURES) != (t | SPAR_NIC_F_CSUM))
		return bad("GUEST_FEATURES %#x after writing an unoffered bit",
			   reg(in, SPAR_REG_GUEST_FEATURES));
	/* taken at enable; large-rx without guest-csum is not recorded */
	spar_vfio_reg_write(&in->v, SPAR_REG_GUEST_FEATURES,
			    t | SPAR_NIC_F_CSUM | SPAR_NIC_F_LARGE_RX);
	if (reg(in, SPAR_REG_GUEST_FEATURES) != (t | SPAR_NIC_F_CSUM))
		return bad("GUEST_FEATURES %#x: large-rx recorded without guest-csum",
			   reg(in, SPAR_REG_GUEST_FEATURES));
	if (stat_of(in, "features") != 0)
		return bad("stats/features %#llx before reception was enabled",
			   stat_of(in, "features"));
	if (inst_start(in))
		return -1;
	if (stat_of(in, "features") != SPAR_NIC_F_CSUM)
		return bad("stats/features %#llx, want csum alone",
			   stat_of(in, "features"));
	/* a disable drops them; the next enable takes what is accepted now */
	spar_vfio_reg_write(&in->v, SPAR_REG_GUEST_FEATURES,
			    t | SPAR_NIC_F_ALL);
	if (spar_vnic_enable(&in->n, 0) ||
	    spar_vnic_wait(&in->n, SPAR_NET_RCV_ENBDIS_ACK, NULL, TMO))
		return bad("disable not acknowledged");
	if (stat_of(in, "features") != 0)
		return bad("stats/features %#llx after disable",
			   stat_of(in, "features"));
	if (inst_start(in))
		return -1;
	if (stat_of(in, "features") != SPAR_NIC_F_ALL)
		return bad("stats/features %#llx, want all offloads",
			   stat_of(in, "features"));
	return 0;
}

static int do_offloads(char **argv)
{
	struct inst in = { .uuid = argv[0] };
	int ok;

	ok = !inst_open(&in, SPAR_TRANSPORT_F_ALL);
	result("offload-negotiation", ok && !case_ofl_negotiation(&in));
	in.n.auto_repost = 1;
	result("offload-csum-xmit", ok && !ofl_xmit(&in, 300, 0, 1));
	result("offload-gso-xmit",
	       ok && !ofl_xmit(&in, OFL_XMIT, SPAR_NET_GSO_TCPV4, 1));
	result("offload-large-rcv", ok && !ofl_rcv(&in, 1, 1));
	/* large receive refused: segments, checksums left to the guest */
	result("offload-no-large-rcv",
	       ok && !ofl_renegotiate(&in, SPAR_NIC_F_CSUM |
				      SPAR_NIC_F_GUEST_CSUM |
				      SPAR_NIC_F_TSO) &&
	       !ofl_rcv(&in, 0, 1));
	/* everything refused: segments with checksums filled in */
	result("offload-none-rcv",
	       ok && !ofl_renegotiate(&in, 0) && !ofl_rcv(&in, 0, 0) &&
	       !xmit_check(&in, 300, 1500) &&
	       !rcv_check(&in, in.mac, 300, 1501, NULL));
	inst_close(&in);
	return 0;
}

/* the host offers no offloads (offloads=none): the plain protocol */
static int do_offloads_none(char **argv)
{
	struct inst in = { .uuid = argv[0] };
	int ok = !inst_open(&in, SPAR_TRANSPORT_F_ALL | SPAR_NIC_F_ALL);

	if (ok && (reg(&in, SPAR_REG_HOST_FEATURES) & ~SPAR_TRANSPORT_F_ALL)) {
		ok = !bad("HOST_FEATURES %#x with offloads=none",
			  reg(&in, SPAR_REG_HOST_FEATURES));
	} else if (ok && reg(&in, SPAR_REG_GUEST_FEATURES) !=
		   SPAR_TRANSPORT_F_ALL) {
		ok = !bad("GUEST_FEATURES %#x: unoffered offloads recorded",
			  reg(&in, SPAR_REG_GUEST_FEATURES));
	} else if (ok) {
		in.n.auto_repost = 1;
		ok = !inst_start(&in) && !stat_of(&in, "features") &&
		     !ofl_rcv(&in, 0, 0) && !xmit_check(&in, 300, 1510);
	}
	result("offload-not-offered", ok);
	inst_close(&in);
	return 0;
}

/* ---- GRO on the host interface ---- */

#define GRO_SEGS	8

/*
 * GRO_SEGS MSS-sized segments of one TCP flow, complete with checksums,
 * queued at once with one doorbell.  A guest that does not segment gets
 * them merged on the host interface (@merge: fewer, longer frames reach
 * the packet socket); one that takes TSO has them handed on as they came.
 * Either way every payload byte arrives, in order.
 */
static int case_gro(struct inst *in, int merge)
{
	static uint8_t f[OFL_HDRS + OFL_MSS], got[FRAME_BUF];
	static const uint8_t dst[6] = { 0x02, 0x5a, 0, 0, 0, 0x05 };
	const uint32_t seq0 = 0x10000;
	uint32_t payload = 0, seq, sum;
	struct spar_uiscmdrsp c;
	int i, n, frames = 0, longest = 0, partial;

	sock_drain(in);
	for (i = 0; i < GRO_SEGS; i++) {
		make_tcp(f, sizeof(f), dst, in->mac, seq0 + i * OFL_MSS);
		/* ACK alone (a PSH ends a merge), and a whole checksum */
		f[34 + 13] = 0x10;
		put_be16(f + 34 + 16, 0);
		sum = csum_add(tcp_pseudo(f, sizeof(f)), f + 34, sizeof(f) - 34);
		put_be16(f + 34 + 16, ~csum_fold32(sum));
		spar_vnic_xmit_cmd(&in->n, &c, f, sizeof(f));
		if (spar_guest_insert(&in->g, 0, SPAR_IOCHAN_TO_IOPART, &c,
				      sizeof(c)))
			return bad("cannot queue segment %d", i);
	}
	spar_vfio_reg_write(&in->v, SPAR_REG_DOORBELL, 0);
	for (i = 0; i < GRO_SEGS; i++)
		if (spar_vnic_wait(&in->n, SPAR_NET_XMIT_DONE, NULL, TMO))
			return bad("%d of %d XMIT_DONE", i, GRO_SEGS);
	while (payload < GRO_SEGS * OFL_MSS) {
		n = host_recv_ip(in, in->mac, got, sizeof(got), &partial);
		if (n < 0)
			return bad("%u of %u payload bytes in %d frames on %s",
				   payload, GRO_SEGS * OFL_MSS, frames,
				   in->ifname);
		seq = (uint32_t)got[38] << 24 | got[39] << 16 | got[40] << 8 |
		      got[41];
		if (n <= OFL_HDRS || seq != seq0 + payload)
			return bad("frame %d: %d bytes, sequence %#x, want %#x",
				   frames, n, seq, seq0 + payload);
		payload += n - OFL_HDRS;
		frames++;
		if (n > longest)
			longest = n;
	}
	note("%d segments reached %s as %d frames, the longest %d bytes",
	     GRO_SEGS, in->ifname, frames, longest);
	if (merge && frames >= GRO_SEGS)
		return bad("nothing merged: %d frames", frames);
	if (!merge && frames != GRO_SEGS)
		return bad("%d frames, want the %d sent", frames, GRO_SEGS);
	return 0;
}

static int do_gro(char **argv)
{
	struct inst in = { .uuid = argv[0] };
	int ok;

	ok = !inst_open(&in, SPAR_TRANSPORT_F_ALL) && !inst_start(&in);
	in.n.auto_repost = 1;
	result("gro-plain-guest", ok && !case_gro(&in, 1));
	result("gro-not-with-tso",
	       ok && !ofl_renegotiate(&in, SPAR_NIC_F_ALL) &&
	       !case_gro(&in, 0));
	inst_close(&in);
	return 0;
}

/* ---- an MTU over s-Par's limit (SPAR_NIC_F_BIG_MTU) ---- */

/* The instance's mtu attribute, which 60-nic.sh sets before this runs. */
#define BIG_MTU		30000
#define BIG_FRAME	(BIG_MTU + SPAR_ETH_HEADER_SIZE)

static int chan_mtu_is(struct inst *in, uint32_t want, const char *when)
{
	uint32_t v;
	int ret;

	ret = spar_vfio_bar0_read(&in->v, in->g.chan_off[0] +
				  offsetof(struct spar_io_channel, vnic.mtu),
				  &v, sizeof(v));
	if (ret)
		return bad("BAR0 read: %s", strerror(-ret));
	if (le32toh(v) != want)
		return bad("channel mtu %u %s, want %u", le32toh(v), when, want);
	return 0;
}

/* the channel shows the whole MTU exactly while the guest accepts it */
static int case_big_mtu_channel(struct inst *in)
{
	uint32_t t = SPAR_TRANSPORT_F_ALL;

	if (!(reg(in, SPAR_REG_HOST_FEATURES) & SPAR_NIC_F_BIG_MTU))
		return bad("HOST_FEATURES %#x: big-mtu not offered",
			   reg(in, SPAR_REG_HOST_FEATURES));
	if (chan_mtu_is(in, SPAR_NIC_LEGACY_MTU_MAX, "before any feature"))
		return -1;
	spar_vfio_reg_write(&in->v, SPAR_REG_GUEST_FEATURES,
			    t | SPAR_NIC_F_ALL);
	if (reg(in, SPAR_REG_GUEST_FEATURES) != (t | SPAR_NIC_F_ALL))
		return bad("GUEST_FEATURES %#x after accepting every feature",
			   reg(in, SPAR_REG_GUEST_FEATURES));
	if (chan_mtu_is(in, BIG_MTU, "with big-mtu accepted"))
		return -1;
	/* it stands on large receive */
	spar_vfio_reg_write(&in->v, SPAR_REG_GUEST_FEATURES,
			    t | SPAR_NIC_F_GUEST_CSUM | SPAR_NIC_F_BIG_MTU);
	if (reg(in, SPAR_REG_GUEST_FEATURES) != (t | SPAR_NIC_F_GUEST_CSUM))
		return bad("GUEST_FEATURES %#x: big-mtu recorded without large-rx",
			   reg(in, SPAR_REG_GUEST_FEATURES));
	if (chan_mtu_is(in, SPAR_NIC_LEGACY_MTU_MAX, "with big-mtu dropped"))
		return -1;
	spar_vfio_reg_write(&in->v, SPAR_REG_GUEST_FEATURES,
			    t | SPAR_NIC_F_ALL);
	return chan_mtu_is(in, BIG_MTU, "with big-mtu accepted again");
}

/* unsegmented frames of the whole MTU go both ways */
static int case_big_mtu_frames(struct inst *in)
{
	int bufs = 0, want;

	if (inst_start(in))
		return -1;
	if (stat_of(in, "features") != SPAR_NIC_F_ALL)
		return bad("stats/features %#llx, want %#x",
			   stat_of(in, "features"), SPAR_NIC_F_ALL);
	if (rcv_check(in, in->mac, BIG_FRAME, 800, &bufs))
		return -1;
	want = (BIG_FRAME + SPAR_RCVPOST_BUF_SIZE - 1) / SPAR_RCVPOST_BUF_SIZE;
	if (bufs != want)
		return bad("%u-byte frame came in %d buffers, want %d",
			   BIG_FRAME, bufs, want);
	sock_drain(in);
	return xmit_check(in, BIG_FRAME, 801);
}

/*
 * Refused: the channel shows s-Par's MTU, the host drops a longer frame
 * meant for the guest, and one from the guest breaks the protocol.
 */
static int case_big_mtu_refused(struct inst *in)
{
	static uint8_t f[FRAME_BUF];
	long long d0;

	if (ofl_renegotiate(in, SPAR_NIC_F_ALL & ~SPAR_NIC_F_BIG_MTU))
		return -1;
	if (chan_mtu_is(in, SPAR_NIC_LEGACY_MTU_MAX, "with big-mtu refused"))
		return -1;
	d0 = netstat(in, "statistics/tx_dropped");
	make_frame(f, BIG_FRAME, in->mac, 802);
	if (host_send(in, f, BIG_FRAME))
		return -1;
	if (netstat_wait(in, "statistics/tx_dropped", d0, 1, TMO) < 1)
		return bad("tx_dropped of %s did not move for a %u-byte frame",
			   in->ifname, BIG_FRAME);
	if (rcv_none(in, 300))
		return -1;
	/* s-Par's largest frame still goes through */
	if (rcv_check(in, in->mac, MAX_FRAME, 803, NULL))
		return -1;
	make_frame(f, BIG_FRAME, in->mac, 804);
	if (spar_vnic_xmit(&in->n, f, BIG_FRAME))
		return bad("cannot queue the transmit");
	if (wait_needs_reset(in))
		return bad("a %u-byte transmit without big-mtu did not break the device",
			   BIG_FRAME);
	return 0;
}

static int do_big_mtu(char **argv)
{
	struct inst in = { .uuid = argv[0] };
	int ok;

	ok = !inst_open(&in, SPAR_TRANSPORT_F_ALL);
	result("big-mtu-channel", ok && !case_big_mtu_channel(&in));
	in.n.auto_repost = 1;
	result("big-mtu-frames", ok && !case_big_mtu_frames(&in));
	result("big-mtu-refused", ok && !case_big_mtu_refused(&in));
	inst_close(&in);
	return 0;
}

/* ---- remove while open ---- */

static int do_remove(char **argv)
{
	const char *uuid = argv[0];
	int pfd[2], status = 0, ret;
	uint64_t t0, dt;
	char c = 0;
	pid_t pid;

	if (pipe(pfd))
		return 1;
	pid = fork();
	if (pid == 0) {
		struct spar_vfio v;

		close(pfd[0]);
		if (spar_vfio_open(&v, uuid) ||
		    spar_vfio_irq_enable(&v, VFIO_PCI_REQ_IRQ_INDEX))
			_exit(3);
		if (write(pfd[1], "r", 1) != 1)
			_exit(4);
		ret = spar_vfio_irq_wait(&v, VFIO_PCI_REQ_IRQ_INDEX, 20000,
					 NULL);
		spar_vfio_close(&v);
		_exit(ret > 0 ? 0 : 5);
	}
	close(pfd[1]);
	if (read(pfd[0], &c, 1) != 1) {
		bad("child could not open the device");
		waitpid(pid, &status, 0);
		result("remove-while-open", 0);
		return 0;
	}
	t0 = spar_now_us();
	ret = spar_sysfs_write(uuid, "remove", "1");
	dt = spar_now_us() - t0;
	waitpid(pid, &status, 0);
	note("remove took %llu ms", (unsigned long long)dt / 1000);
	if (ret)
		bad("remove: %s", strerror(-ret));
	else if (dt > 5000000)
		bad("remove took %llu ms", (unsigned long long)dt / 1000);
	else if (!WIFEXITED(status) || WEXITSTATUS(status))
		bad("the holder was not asked to release (status 0x%x)",
		    status);
	else if (access(SPAR_MDEV_DEVICES, F_OK) == 0 &&
		 spar_sysfs_read(uuid, "status", &c, 1) != -ENOENT)
		bad("instance still present");
	result("remove-while-open", !why[0]);
	return 0;
}

/* ---- Bus Master Enable and Memory Space Enable ---- */

#define PCI_CMD_MEMORY	0x2
#define PCI_CMD_MASTER	0x4

/* guest memory lookups the host made (pin cache hits and misses) */
static long long lookups(struct inst *in)
{
	return stat_of(in, "pin_hits") + stat_of(in, "pin_misses");
}

static void msi_drain(struct inst *in)
{
	while (spar_vfio_irq_wait(&in->v, VFIO_PCI_MSI_IRQ_INDEX, 0, NULL) > 0)
		;
}

/* every byte of the receive arena still holds @pat */
static int rx_untouched(struct inst *in, uint8_t pat)
{
	size_t i;

	for (i = 0; i < in->n.rx.size; i++)
		if (in->n.rx.va[i] != pat)
			return bad("receive buffer byte %zu (buffer %zu) written: 0x%02x",
				   i, i / 4096, in->n.rx.va[i]);
	return 0;
}

/*
 * Bus mastering off while traffic arrives both ways: the host fills no
 * posted buffer (host frames are dropped and counted), leaves the guest's
 * transmit in its queue, looks up no guest page and sends no MSI.
 */
static int case_busmaster_held(struct inst *in, const uint8_t *tx, size_t len)
{
	const volatile struct spar_signal_queue_header *cq = (const void *)
		spar_guest_queue(&in->g, 0, SPAR_IOCHAN_TO_IOPART);
	long long d0, l0, x0, i0, moved;
	static uint8_t f[200], got[MAX_FRAME];
	int i, ret;

	if (rcv_check(in, in->mac, 100, 1200, NULL))
		return -1;
	host_caught_up(in);
	ret = spar_vfio_irq_enable(&in->v, VFIO_PCI_MSI_IRQ_INDEX);
	if (ret)
		return bad("MSI eventfd: %s", strerror(-ret));
	spar_guest_set_polling(&in->g, 1, SPAR_TRANSPORT_NOTIFY);
	msi_drain(in);
	memset(in->n.rx.va, 0x5a, in->n.rx.size);
	ret = spar_vfio_command(&in->v, 0, PCI_CMD_MASTER);
	if (ret)
		return bad("clearing bus master: %s", strerror(-ret));
	d0 = netstat(in, "statistics/tx_dropped");
	l0 = lookups(in);
	x0 = stat_of(in, "net_xmit");
	i0 = stat_of(in, "interrupts");

	sock_drain(in);
	ret = spar_vnic_xmit(&in->n, tx, (uint32_t)len);
	if (ret)
		return bad("queueing a transmit: %s", strerror(-ret));
	for (i = 0; i < 4; i++) {
		make_frame(f, sizeof(f), in->mac, 1210 + i);
		if (host_send(in, f, sizeof(f)))
			return -1;
	}
	moved = netstat_wait(in, "statistics/tx_dropped", d0, 4, TMO);
	if (moved != 4)
		return bad("4 host frames with bus mastering off: tx_dropped moved by %lld",
			   moved);
	if (rcv_none(in, 300))
		return -1;
	if (rx_untouched(in, 0x5a))
		return -1;
	if (!spar_vnic_wait(&in->n, SPAR_NET_XMIT_DONE, NULL, 300))
		return bad("transmit handled with bus mastering off");
	if (host_recv(in, got, sizeof(got), 300) >= 0)
		return bad("guest frame reached %s with bus mastering off",
			   in->ifname);
	if (cq->head == cq->tail || stat_of(in, "net_xmit") != x0)
		return bad("the transmit left its queue (net_xmit %lld -> %lld)",
			   x0, stat_of(in, "net_xmit"));
	if (lookups(in) != l0)
		return bad("%lld guest page lookups with bus mastering off",
			   lookups(in) - l0);
	if (spar_vfio_irq_wait(&in->v, VFIO_PCI_MSI_IRQ_INDEX, 0, NULL) > 0 ||
	    stat_of(in, "interrupts") != i0)
		return bad("MSI sent with bus mastering off");
	return 0;
}

/* bus mastering on again: the held transmit completes, traffic flows */
static int case_busmaster_resume(struct inst *in, const uint8_t *tx,
				 size_t len)
{
	static uint8_t got[MAX_FRAME];
	int n, ret;

	ret = spar_vfio_command(&in->v, PCI_CMD_MASTER, 0);
	if (ret)
		return bad("setting bus master: %s", strerror(-ret));
	ret = spar_vnic_wait(&in->n, SPAR_NET_XMIT_DONE, NULL, TMO);
	if (ret)
		return bad("held transmit not completed: %s", strerror(-ret));
	n = host_recv(in, got, sizeof(got), TMO);
	if (n != (int)len || memcmp(got, tx, len))
		return bad("held transmit did not reach %s intact (%d bytes)",
			   in->ifname, n);
	if (spar_vfio_irq_wait(&in->v, VFIO_PCI_MSI_IRQ_INDEX, TMO, NULL) <= 0)
		return bad("no MSI after bus mastering came back");
	if (rcv_check(in, in->mac, 150, 1220, NULL))
		return -1;
	return xmit_check(in, 120, 1221);
}

/*
 * An MSI due while bus mastering is off (here a status change) is held
 * back and sent when it comes on again.
 */
static int case_busmaster_msi(struct inst *in)
{
	int ret;

	msi_drain(in);
	ret = spar_vfio_command(&in->v, 0, PCI_CMD_MASTER);
	if (ret)
		return bad("clearing bus master: %s", strerror(-ret));
	/* PAUSED with no pause in progress: the host asks for a reset */
	spar_vfio_reg_write(&in->v, SPAR_REG_GUEST_STATUS,
			    SPAR_GUEST_STATUS_DRIVER_OK |
			    SPAR_GUEST_STATUS_PAUSED);
	if (status_wait(in, SPAR_STATUS_NEEDS_RESET, TMO))
		return bad("STATUS %#x, want NEEDS_RESET", reg(in, SPAR_REG_STATUS));
	if (spar_vfio_irq_wait(&in->v, VFIO_PCI_MSI_IRQ_INDEX, 300, NULL) > 0)
		return bad("status MSI sent with bus mastering off");
	ret = spar_vfio_command(&in->v, PCI_CMD_MASTER, 0);
	if (ret)
		return bad("setting bus master: %s", strerror(-ret));
	if (spar_vfio_irq_wait(&in->v, VFIO_PCI_MSI_IRQ_INDEX, TMO, NULL) <= 0)
		return bad("held-back MSI not sent when bus mastering came back");
	spar_vfio_irq_disable(&in->v, VFIO_PCI_MSI_IRQ_INDEX);
	in->n.bl_count = 0;
	if (spar_guest_restart(&in->g, why, sizeof(why)))
		return -1;
	return traffic_again(in, 1230);
}

/* Memory Space Enable off: neither BAR answers; on again, all is as before */
static int case_memory_gate(struct inst *in)
{
	long long e0 = stat_of(in, "protocol_errors");
	uint8_t b[16];
	int ret;

	ret = spar_vfio_command(&in->v, 0, PCI_CMD_MEMORY);
	if (ret)
		return bad("clearing memory space: %s", strerror(-ret));
	if (spar_vfio_reg_read(&in->v, SPAR_REG_MAGIC) != 0xffffffff)
		return bad("BAR2 answered a read with memory space off");
	if (!spar_vfio_bar0_read(&in->v, 0, b, sizeof(b)))
		return bad("BAR0 answered a read with memory space off");
	/* an illegal GUEST_STATUS write that would need a reset is dropped */
	if (!spar_vfio_reg_write(&in->v, SPAR_REG_GUEST_STATUS,
				 SPAR_GUEST_STATUS_PAUSED))
		return bad("BAR2 took a write with memory space off");
	ret = spar_vfio_command(&in->v, PCI_CMD_MEMORY, 0);
	if (ret)
		return bad("setting memory space: %s", strerror(-ret));
	if (reg(in, SPAR_REG_MAGIC) != SPAR_TRANSPORT_MAGIC ||
	    reg(in, SPAR_REG_STATUS) != SPAR_STATUS_READY ||
	    stat_of(in, "protocol_errors") != e0)
		return bad("after memory space came back: MAGIC %#x STATUS %#x",
			   reg(in, SPAR_REG_MAGIC), reg(in, SPAR_REG_STATUS));
	sock_drain(in);
	return xmit_check(in, 80, 1240);
}

/* ---- access of guest mappings: read-only transmit, writable receive ---- */

/* remap_ro() - map arena @a again, device-readable only */
static int remap_ro(struct inst *in, struct spar_arena *a)
{
	int ret = spar_arena_unmap(&in->v, a);

	if (!ret)
		ret = spar_vfio_dma_map_prot(&in->v, a->va, a->iova, a->size, 0);
	if (!ret)
		a->mapped = 1;
	return ret;
}

static int case_tx_readonly(struct inst *in)
{
	long long e0 = stat_of(in, "protocol_errors");
	int i;

	/* As a guest's DMA_TO_DEVICE mappings behind a vIOMMU are. */
	if (remap_ro(in, &in->n.tx))
		return bad("read-only map of the transmit buffers: %s",
			   strerror(errno));
	for (i = 0; i < 3; i++)
		if (xmit_check(in, 200 + 500 * i, 1200 + i))
			return -1;
	if (stat_of(in, "protocol_errors") != e0)
		return bad("protocol_errors %lld -> %lld", e0,
			   stat_of(in, "protocol_errors"));
	if (spar_vfio_reg_read(&in->v, SPAR_REG_STATUS) != SPAR_STATUS_READY)
		return bad("STATUS 0x%x after read-only transmits",
			   spar_vfio_reg_read(&in->v, SPAR_REG_STATUS));
	return 0;
}

static int case_rx_readonly(struct inst *in)
{
	long long e0 = stat_of(in, "protocol_errors");

	/* A receive buffer the host cannot write is the guest's error. */
	host_caught_up(in);
	if (remap_ro(in, &in->n.rx))
		return bad("read-only map of the receive buffers: %s",
			   strerror(errno));
	if (spar_vnic_post(&in->n, 0))
		return bad("post");
	if (wait_needs_reset(in))
		return -1;
	if (stat_of(in, "protocol_errors") != e0 + 1)
		return bad("protocol_errors %lld -> %lld, want one more", e0,
			   stat_of(in, "protocol_errors"));
	return 0;
}

static int do_access(char **argv)
{
	struct inst in = { .uuid = argv[0] };
	int ok;

	ok = !inst_open(&in, SPAR_TRANSPORT_F_ALL) && !inst_start(&in);
	result("access-tx-readonly", ok && !case_tx_readonly(&in));
	result("access-rx-readonly-refused", ok && !case_rx_readonly(&in));
	inst_close(&in);
	return 0;
}

static int do_busmaster(char **argv)
{
	static const uint8_t dst[6] = { 0x02, 0x5a, 0, 0, 0, 0x03 };
	struct inst in = { .uuid = argv[0] };
	static uint8_t tx[300];
	int ok;

	make_frame(tx, sizeof(tx), dst, 1201);
	ok = !inst_open(&in, SPAR_TRANSPORT_F_ALL) && !inst_start(&in);
	ok = ok && !case_busmaster_held(&in, tx, sizeof(tx));
	result("busmaster-held", ok);
	result("busmaster-resume",
	       ok && !case_busmaster_resume(&in, tx, sizeof(tx)));
	/* whatever happened, the device is usable again for the next cases */
	if (in.open)
		spar_vfio_command(&in.v, PCI_CMD_MASTER | PCI_CMD_MEMORY, 0);
	result("memory-gate", in.open && !case_memory_gate(&in));
	if (in.open)
		spar_vfio_command(&in.v, PCI_CMD_MASTER | PCI_CMD_MEMORY, 0);
	result("busmaster-msi", in.open && !case_busmaster_msi(&in));
	inst_close(&in);
	return 0;
}

/* ---- accounting: the worker runs in the opener's cgroup ---- */

/* first line of a small proc or sysfs file, without its newline */
static int read_line(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");
	int ok;

	if (!f)
		return -errno;
	ok = fgets(buf, (int)len, f) != NULL;
	fclose(f);
	if (!ok)
		return -EIO;
	buf[strcspn(buf, "\n")] = 0;
	return 0;
}

/*
 * PID of the engine worker of instance @uuid, named "spar/UUID" (a kernel
 * that keeps only a task's first 15 characters shows a prefix), or 0.
 */
static pid_t worker_pid(const char *uuid)
{
	char want[64], comm[64], path[300];
	DIR *d = opendir("/proc");
	struct dirent *e;
	pid_t pid = 0;

	snprintf(want, sizeof(want), "spar/%s", uuid);
	while (d && !pid && (e = readdir(d))) {
		if (!isdigit((unsigned char)e->d_name[0]))
			continue;
		snprintf(path, sizeof(path), "/proc/%s/comm", e->d_name);
		if (read_line(path, comm, sizeof(comm)))
			continue;
		if (strlen(comm) >= 15 && !strncasecmp(comm, want, strlen(comm)))
			pid = atoi(e->d_name);
	}
	if (d)
		closedir(d);
	return pid;
}

/* the whole of /proc/@pid/cgroup (@pid 0: this process) */
static int cgroup_of(pid_t pid, char *buf, size_t len)
{
	char path[64];
	size_t n;
	FILE *f;

	if (pid)
		snprintf(path, sizeof(path), "/proc/%d/cgroup", (int)pid);
	else
		snprintf(path, sizeof(path), "/proc/self/cgroup");
	f = fopen(path, "r");
	if (!f)
		return -errno;
	n = fread(buf, 1, len - 1, f);
	fclose(f);
	buf[n] = 0;
	return n ? 0 : -EIO;
}

/* the instance's worker is in the same cgroups as this process */
static int case_worker_cgroup(struct inst *in, const char *mine)
{
	char theirs[512];
	pid_t w = worker_pid(in->uuid);

	if (!w)
		return bad("no worker named spar/%s", in->uuid);
	if (cgroup_of(w, theirs, sizeof(theirs)))
		return bad("cannot read /proc/%d/cgroup", (int)w);
	if (strcmp(theirs, mine))
		return bad("worker %d is in '%.*s', the opener in '%.*s'",
			   (int)w, (int)strcspn(theirs, "\n"), theirs,
			   (int)strcspn(mine, "\n"), mine);
	return 0;
}

/* after the close the worker is gone */
static int case_worker_gone(const char *uuid)
{
	int i;

	for (i = 0; i < 300 && worker_pid(uuid); i++)
		usleep(10000);
	return worker_pid(uuid) ? bad("worker still there after close") : 0;
}

static int do_acct(char **argv)
{
	struct inst in = { .uuid = argv[0] };
	char path[300], mine[512];
	FILE *f;
	int ok, ret;

	/* join the cgroup, as a VM's process would be placed in one */
	snprintf(path, sizeof(path), "%s/cgroup.procs", argv[1]);
	f = fopen(path, "w");
	ok = f && fprintf(f, "%d\n", (int)getpid()) > 0;
	if (f && fclose(f))
		ok = 0;
	if (!ok || cgroup_of(0, mine, sizeof(mine)) ||
	    !strncmp(mine, "0::/\n", 5)) {
		bad("cannot join %s (%s)", argv[1], strerror(errno));
		result("acct-worker-cgroup", 0);
		return 0;
	}
	note("opener in %.*s", (int)strcspn(mine, "\n"), mine);
	ret = spar_vfio_open(&in.v, in.uuid);
	if (ret) {
		bad("open: %s", strerror(-ret));
		result("acct-worker-cgroup", 0);
		return 0;
	}
	in.open = 1;
	result("acct-worker-cgroup", !case_worker_cgroup(&in, mine));
	/* a reset starts a new worker, for the same opener */
	ret = spar_vfio_reset(&in.v);
	if (ret)
		bad("VFIO_DEVICE_RESET: %s", strerror(-ret));
	result("acct-after-reset", !ret && !case_worker_cgroup(&in, mine));
	spar_vfio_close(&in.v);
	in.open = 0;
	result("acct-worker-gone", !case_worker_gone(in.uuid));
	return 0;
}

/* ---- dma_unmap racing the engines' pins ---- */

/*
 * RACE_INST instances share one container, as QEMU puts a VM's devices.
 * Each keeps its command queue full of transmits whose fragments lie in
 * the RACE_PAGES-page range R, and posts receive buffers in R.  R is
 * unmapped while every instance holds pins there, and mapped again, over
 * and over.  The type1 IOMMU calls dma_unmap on every device of the
 * container for each round it needs; more than one round per unmap means
 * a device pinned in R during the unmap, and ten BUG() the host.
 */
#define RACE_INST	4
#define RACE_IOVA	0x40000000ULL
#define RACE_PAGES	16
#define RACE_FRAG	96
#define PAGE_SIZE_4K	4096

static long long race_sum(struct inst *in, const char *stat, long long *each)
{
	long long sum = 0;
	int i;

	for (i = 0; i < RACE_INST; i++) {
		each[i] = stat_of(&in[i], stat);
		sum += each[i];
	}
	return sum;
}

/* a transmit of 4 fragments, each in another page of R */
static void race_xmit(struct spar_uiscmdrsp *c, uint64_t seq)
{
	uint32_t i;

	memset(c, 0, sizeof(*c));
	c->cmdtype = SPAR_CMD_NET_TYPE;
	c->net.type = htole32(SPAR_NET_XMIT);
	c->net.buf = htole64(0x6000000000000000ULL | seq);
	for (i = 0; i < 4; i++) {
		uint64_t iova = RACE_IOVA +
				((seq * 4 + i) % RACE_PAGES) * PAGE_SIZE_4K +
				(i ? 8 * i : 0);

		c->net.xmt.frags[i].pi_pfn = htole64(iova >> SPAR_PI_PAGE_SHIFT);
		c->net.xmt.frags[i].pi_off = htole16(iova & (PAGE_SIZE_4K - 1));
		c->net.xmt.frags[i].pi_len = htole16(RACE_FRAG);
	}
	c->net.xmt.len = htole32(4 * RACE_FRAG);
	c->net.xmt.num_frags = htole32(4);
}

static void race_post(struct spar_uiscmdrsp *c, uint32_t page)
{
	uint64_t iova = RACE_IOVA + (uint64_t)(page % RACE_PAGES) * PAGE_SIZE_4K;

	memset(c, 0, sizeof(*c));
	c->cmdtype = SPAR_CMD_NET_TYPE;
	c->net.type = htole32(SPAR_NET_RCV_POST);
	c->net.buf = htole64(0x5000000000000000ULL | page);
	c->net.rcvpost.frag.pi_pfn = htole64(iova >> SPAR_PI_PAGE_SHIFT);
	c->net.rcvpost.frag.pi_len = htole16(SPAR_RCVPOST_BUF_SIZE);
	c->net.rcvpost.unique_num = htole64(page);
}

/* drain responses, then fill the command queue; 2 posts per cycle */
static void race_fill(struct inst *in, uint64_t *seq, uint32_t cycle)
{
	struct spar_uiscmdrsp c;
	int i;

	while (!spar_guest_remove(&in->g, 0, SPAR_IOCHAN_FROM_IOPART, &c,
				  sizeof(c)))
		;
	for (i = 0; i < 2; i++) {
		race_post(&c, cycle * 2 + i);
		if (spar_guest_insert(&in->g, 0, SPAR_IOCHAN_TO_IOPART, &c,
				      sizeof(c)))
			break;
	}
	for (;;) {
		race_xmit(&c, (*seq)++);
		if (spar_guest_insert(&in->g, 0, SPAR_IOCHAN_TO_IOPART, &c,
				      sizeof(c)))
			break;
	}
	spar_vfio_reg_write(&in->v, SPAR_REG_DOORBELL, 0);
}

static int race_open(struct inst *in, int i)
{
	char e[160];
	int ret;

	ret = i ? spar_vfio_open_shared(&in[i].v, in[i].uuid, &in[0].v) :
		  spar_vfio_open(&in[i].v, in[i].uuid);
	if (ret)
		return bad("open %s: %s", in[i].uuid,
			   spar_vfio_strerror(&in[i].v, ret, e, sizeof(e)));
	in[i].open = 1;
	return spar_guest_bringup(&in[i].g, &in[i].v, SPAR_TRANSPORT_F_ALL, why,
				  sizeof(why));
}

static int race_recover(struct inst *in)
{
	if (!(spar_vfio_reg_read(&in->v, SPAR_REG_STATUS) &
	      SPAR_STATUS_NEEDS_RESET))
		return 0;
	return spar_guest_restart(&in->g, why, sizeof(why)) ? -1 : 1;
}

static int do_unmap_race(char **argv)
{
	struct inst in[RACE_INST] = { { 0 } };
	long long before[RACE_INST], after[RACE_INST], held[RACE_INST];
	const char *env = getenv("SPAR_TEST_RACE_CYCLES");
	long cycles = env && *env ? atol(env) : 10000;
	long armed = 0, skipped = 0, resets = 0, rounds_hist[4] = { 0 };
	long long max_rounds = 0, pe0, pe1;
	uint64_t seq = 0, t0;
	struct spar_arena r;
	int i, ok = 1, ret;
	long c;

	for (i = 0; i < RACE_INST; i++)
		in[i].uuid = argv[i];
	for (i = 0; i < RACE_INST; i++)
		if (race_open(in, i)) {
			result("unmap-race", 0);
			goto out;
		}
	ret = spar_arena_create(&in[0].v, &r, RACE_IOVA,
				RACE_PAGES * PAGE_SIZE_4K);
	if (ret) {
		bad("map R: %s", strerror(-ret));
		result("unmap-race", 0);
		goto out;
	}
	for (i = 0; i < RACE_PAGES; i++)
		make_frame(r.va + i * PAGE_SIZE_4K, RACE_FRAG, in[0].mac, i);
	pe0 = race_sum(in, "protocol_errors", held);
	t0 = spar_now_us();
	for (c = 0; c < cycles && ok; c++) {
		uint64_t deadline;
		long long rounds;

		for (i = 0; i < RACE_INST; i++)
			race_fill(&in[i], &seq, c);
		/* arm only while every instance holds pins in R */
		deadline = spar_now_us() + 500000;
		do {
			race_sum(in, "pins_held", held);
			for (i = 0; i < RACE_INST && held[i] > 0; i++)
				;
		} while (i < RACE_INST && spar_now_us() < deadline);
		if (i < RACE_INST)
			skipped++;
		else
			armed++;
		race_sum(in, "dma_unmaps", before);
		ret = spar_arena_unmap(&in[0].v, &r);
		if (ret) {
			ok = !bad("cycle %ld: UNMAP_DMA: %s", c, strerror(-ret));
			break;
		}
		race_sum(in, "dma_unmaps", after);
		race_sum(in, "pins_held", held);
		rounds = 0;
		for (i = 0; i < RACE_INST; i++) {
			if (after[i] - before[i] > rounds)
				rounds = after[i] - before[i];
			if (held[i])
				ok = !bad("cycle %ld: %s holds %lld pins after the unmap returned",
					  c, in[i].uuid, held[i]);
		}
		rounds_hist[rounds > 3 ? 3 : rounds]++;
		if (rounds > max_rounds)
			max_rounds = rounds;
		ret = spar_arena_map(&in[0].v, &r);
		if (ret) {
			ok = !bad("cycle %ld: MAP_DMA: %s", c, strerror(-ret));
			break;
		}
		for (i = 0; i < RACE_INST; i++) {
			ret = race_recover(&in[i]);
			if (ret < 0)
				ok = !bad("cycle %ld: %s: recovery: %s", c,
					  in[i].uuid, why);
			resets += ret > 0;
		}
	}
	pe1 = race_sum(in, "protocol_errors", held);
	note("%ld unmap cycles in %llu ms: %ld armed with pins held, %ld not; dma_unmap rounds per unmap: 0: %ld, 1: %ld, 2: %ld, 3+: %ld (most %lld); %ld resets, %lld protocol errors",
	     c, (unsigned long long)(spar_now_us() - t0) / 1000, armed,
	     skipped, rounds_hist[0], rounds_hist[1], rounds_hist[2],
	     rounds_hist[3], max_rounds, resets, pe1 - pe0);
	if (ok && max_rounds > 1)
		ok = !bad("an unmap needed %lld dma_unmap rounds: a device pinned the range while it was being unmapped",
			  max_rounds);
	if (ok && armed < cycles / 2)
		ok = !bad("only %ld of %ld unmaps found every instance holding pins",
			  armed, cycles);
	result("unmap-race", ok);
	spar_arena_destroy(&in[0].v, &r);
out:
	for (i = RACE_INST - 1; i >= 0; i--)
		if (in[i].open)
			spar_vfio_close(&in[i].v);
	return 0;
}

int main(int argc, char **argv)
{
	/*
	 * checks: every name the subcommand reports when nothing fails
	 * (nic_test --list CMD prints them, and the harness fails any that
	 * did not appear).  Names reported only on a failure are not listed.
	 */
	static const struct {
		const char *name;
		int args;
		int (*fn)(char **argv);
		const char *checks;
	} cmds[] = {
		{ "attrs", 4, do_attrs, "attributes attributes-busy" },
		{ "basic", 1, do_basic,
		  "bring-up irq-info transmit receive receive-drop promisc link "
		  "carrier "
		  "interrupts doorbells" },
		{ "jumbo", 1, do_jumbo, "receive-jumbo transmit-jumbo" },
		{ "reset", 1, do_reset, "reset unmap close" },
		{ "malicious", 2, do_malicious,
		  "evil-head evil-tail evil-frag-count evil-frag-len evil-iova "
		  "evil-short-frame evil-geometry evil-doorbells evil-frag-zero "
		  "evil-frag-cross-page evil-frag-sum evil-frame-max-plus-1 "
		  "evil-net-type evil-cmd-type evil-post-unmapped "
		  "evil-post-cross-page evil-post-overlap evil-cmd-flood "
		  "evil-pause-silent evil-busmaster-mid evil-unmap-inflight "
		  "evil-ofl-ignored evil-ofl-csum-pos evil-ofl-flags "
		  "evil-ofl-gso-type evil-ofl-gso-nocsum evil-ofl-gso-size "
		  "evil-ofl-gso-unnegotiated evil-ofl-headers "
		  "evil-ofl-frame-mtu-plus-1 evil-ofl-csum-in-header" },
		{ "remove", 1, do_remove, "remove-while-open" },
		{ "offloads", 1, do_offloads,
		  "offload-negotiation offload-csum-xmit offload-gso-xmit "
		  "offload-large-rcv offload-no-large-rcv offload-none-rcv" },
		{ "offloads-none", 1, do_offloads_none, "offload-not-offered" },
		{ "gro", 1, do_gro, "gro-plain-guest gro-not-with-tso" },
		{ "big-mtu", 1, do_big_mtu,
		  "big-mtu-channel big-mtu-frames big-mtu-refused" },
		{ "states", 1, do_states,
		  "pause-resume pause-timeout guest-status intx pause-unsupported" },
		{ "busmaster", 1, do_busmaster,
		  "busmaster-held busmaster-resume memory-gate busmaster-msi" },
		{ "acct", 2, do_acct,
		  "acct-worker-cgroup acct-after-reset acct-worker-gone" },
		{ "access", 1, do_access,
		  "access-tx-readonly access-rx-readonly-refused" },
		{ "unmap-race", RACE_INST, do_unmap_race, "unmap-race" },
	};
	const char *abort_after = getenv("SPAR_TEST_ABORT_AFTER");
	unsigned int i;

	setvbuf(stdout, NULL, _IOLBF, 0);
	signal(SIGPIPE, SIG_IGN);
	if (abort_after && *abort_after)
		results_left = atoi(abort_after);
	if (argc == 3 && !strcmp(argv[1], "--list")) {
		for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
			char list[1024], *tok, *save = NULL;

			if (strcmp(argv[2], cmds[i].name))
				continue;
			snprintf(list, sizeof(list), "%s", cmds[i].checks);
			for (tok = strtok_r(list, " ", &save); tok;
			     tok = strtok_r(NULL, " ", &save))
				printf("nic-%s\n", tok);
			return 0;
		}
		fprintf(stderr, "nic_test: no subcommand '%s'\n", argv[2]);
		return 2;
	}
	for (i = 0; argc > 1 && i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		if (strcmp(argv[1], cmds[i].name))
			continue;
		if (argc != cmds[i].args + 2)
			break;
		cmds[i].fn(argv + 2);
		return failures ? 1 : 0;
	}
	fprintf(stderr, "usage: nic_test attrs|basic|jumbo|reset|malicious|remove|states|busmaster|acct|access|unmap-race UUID...\n"
		"       nic_test --list SUBCOMMAND\n");
	return 2;
}
