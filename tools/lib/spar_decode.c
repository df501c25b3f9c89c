// SPDX-License-Identifier: GPL-2.0
/*
 * Offline decoders of spar transport structures.
 */
#include <endian.h>
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <spar/channel.h>
#include <spar/guid.h>
#include <spar/input.h>
#include <spar/iochannel.h>
#include <spar/transport.h>

#include "spar_decode.h"

/* unaligned little-endian loads from a byte buffer */
static uint16_t ld16(const void *p)
{
	uint16_t v;

	memcpy(&v, p, sizeof(v));
	return le16toh(v);
}

static uint32_t ld32(const void *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return le32toh(v);
}

static uint64_t ld64(const void *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return le64toh(v);
}

#define AT(base, type, field) \
	((const uint8_t *)(base) + offsetof(type, field))
#define F16(base, type, field)	ld16(AT(base, type, field))
#define F32(base, type, field)	ld32(AT(base, type, field))
#define F64(base, type, field)	ld64(AT(base, type, field))

static int why_set(char *why, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int why_set(char *why, size_t len, const char *fmt, ...)
{
	va_list ap;

	if (why && len) {
		va_start(ap, fmt);
		vsnprintf(why, len, fmt, ap);
		va_end(ap);
	}
	return -EPROTO;
}

const char *spar_guid_str(const struct spar_guid *g, char *buf)
{
	const uint8_t *b = g->b;

	sprintf(buf, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
		b[3], b[2], b[1], b[0], b[5], b[4], b[7], b[6],
		b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
	return buf;
}

static const struct {
	struct spar_guid guid;
	const char *name;
} chtypes[] = {
	{ SPAR_VNIC_CHANNEL_GUID, "vnic" },
	{ SPAR_VHBA_CHANNEL_GUID, "vhba" },
	{ SPAR_KEYBOARD_CHANNEL_GUID, "keyboard" },
	{ SPAR_MOUSE_CHANNEL_GUID, "mouse" },
};

const char *spar_chtype_name(const struct spar_guid *g)
{
	size_t i;

	for (i = 0; i < sizeof(chtypes) / sizeof(chtypes[0]); i++)
		if (!memcmp(&chtypes[i].guid, g, sizeof(*g)))
			return chtypes[i].name;
	return "unknown";
}

const char *spar_status_str(uint32_t st, char *buf, size_t len)
{
	snprintf(buf, len, "%s%s%s%s%s",
		 st & SPAR_STATUS_READY ? "READY " : "",
		 st & SPAR_STATUS_PAUSED ? "PAUSED " : "",
		 st & SPAR_STATUS_NEEDS_RESET ? "NEEDS_RESET " : "",
		 st & SPAR_STATUS_BROKEN ? "BROKEN " : "",
		 st & ~0xfU ? "(unknown bits) " : "");
	if (!buf[0])
		snprintf(buf, len, "0");
	else
		buf[strlen(buf) - 1] = 0;
	return buf;
}

/* ---- configuration space ---- */

#define PCI_CAP_LIST_BIT	0x10
#define PCI_CAP_ID_MSI		0x05

static int find_msi(const uint8_t *cfg)
{
	unsigned int pos, n = 0;

	if (!(ld16(cfg + 0x06) & PCI_CAP_LIST_BIT))
		return 0;
	pos = cfg[0x34] & ~3U;
	while (pos >= 0x40 && pos < SPAR_CFG_BYTES - 1 && n++ < 48) {
		if (cfg[pos] == PCI_CAP_ID_MSI)
			return pos;
		pos = cfg[pos + 1] & ~3U;
	}
	return 0;
}

int spar_check_config(const uint8_t *cfg, char *why, size_t len)
{
	uint16_t dev = ld16(cfg + 2);
	uint32_t class = ld32(cfg + 8) >> 8;

	if (ld16(cfg) != SPAR_PCI_VENDOR_ID)
		return why_set(why, len, "vendor 0x%04x", ld16(cfg));
	if (dev == SPAR_PCI_DEVICE_ID_NIC ? class != SPAR_PCI_CLASS_NIC :
	    dev == SPAR_PCI_DEVICE_ID_HBA ? class != SPAR_PCI_CLASS_HBA :
	    dev == SPAR_PCI_DEVICE_ID_INPUT ? class != SPAR_PCI_CLASS_INPUT :
	    1)
		return why_set(why, len, "device 0x%04x class 0x%06x", dev,
			       class);
	if (cfg[8] != SPAR_PCI_REVISION)
		return why_set(why, len, "revision %u", cfg[8]);
	if ((cfg[0x0e] & 0x7f) != 0)
		return why_set(why, len, "header type %u", cfg[0x0e]);
	if (cfg[0x3d] != SPAR_PCI_INTERRUPT_PIN)
		return why_set(why, len, "interrupt pin %u", cfg[0x3d]);
	if (!find_msi(cfg))
		return why_set(why, len, "no MSI capability");
	return 0;
}

void spar_decode_config(FILE *f, const uint8_t *cfg)
{
	uint16_t cmd = ld16(cfg + 4), sts = ld16(cfg + 6);
	uint32_t bar0 = ld32(cfg + 0x10), bar1 = ld32(cfg + 0x14);
	uint32_t bar2 = ld32(cfg + 0x18);
	int msi = find_msi(cfg);

	fprintf(f, "  vendor:device     %04x:%04x (subsystem %04x:%04x), revision %u\n",
		ld16(cfg), ld16(cfg + 2), ld16(cfg + 0x2c), ld16(cfg + 0x2e),
		cfg[8]);
	fprintf(f, "  class             %06x\n", ld32(cfg + 8) >> 8);
	fprintf(f, "  command           0x%04x (%s%s%s)\n", cmd,
		cmd & 0x2 ? "memory " : "", cmd & 0x4 ? "bus-master " : "",
		cmd & 0x400 ? "intx-disabled" : "intx-enabled");
	fprintf(f, "  status            0x%04x%s\n", sts,
		sts & 0x8 ? " (interrupt pending)" : "");
	fprintf(f, "  BAR0              0x%016llx (64-bit%s)\n",
		((unsigned long long)bar1 << 32) | (bar0 & ~0xfU),
		bar0 & 0x8 ? ", prefetchable" : "");
	fprintf(f, "  BAR2              0x%08x (32-bit)\n", bar2 & ~0xfU);
	fprintf(f, "  interrupt         pin %u line %u\n", cfg[0x3d],
		cfg[0x3c]);
	if (msi) {
		uint16_t ctl = ld16(cfg + msi + 2);

		fprintf(f, "  MSI capability    at 0x%02x, %s, %s, address 0x%08x%08x data 0x%04x\n",
			msi, ctl & 1 ? "enabled" : "disabled",
			ctl & 0x80 ? "64-bit" : "32-bit",
			ctl & 0x80 ? ld32(cfg + msi + 8) : 0,
			ld32(cfg + msi + 4),
			ld16(cfg + msi + (ctl & 0x80 ? 12 : 8)));
	} else {
		fprintf(f, "  MSI capability    none\n");
	}
}

/* ---- transport page ---- */

static int check_channel(const uint8_t *bar0, uint64_t off, uint64_t size,
			 const struct spar_guid *type, uint32_t entry,
			 char *why, size_t len)
{
	const uint8_t *ch = bar0 + off;

	if (F64(ch, struct spar_channel_header, signature) !=
	    SPAR_CHANNEL_SIGNATURE)
		return why_set(why, len, "dir[%u]: channel signature 0x%llx",
			       entry, (unsigned long long)
			       F64(ch, struct spar_channel_header, signature));
	if (F64(ch, struct spar_channel_header, size) != size)
		return why_set(why, len, "dir[%u]: channel size %llu, entry says %llu",
			       entry, (unsigned long long)
			       F64(ch, struct spar_channel_header, size),
			       (unsigned long long)size);
	if (memcmp(AT(ch, struct spar_channel_header, chtype), type,
		   sizeof(*type)))
		return why_set(why, len, "dir[%u]: channel chtype differs",
			       entry);
	return 0;
}

int spar_check_transport(const void *bar0, uint64_t bar0_size,
			 uint32_t device_type, char *why, size_t len)
{
	const uint8_t *b = bar0;
	const uint8_t *h = b + SPAR_TRANSPORT_HDR_OFFSET;
	uint64_t offs[SPAR_TRANSPORT_MAX_CHANNELS], ends[SPAR_TRANSPORT_MAX_CHANNELS];
	uint32_t n, i, j, t;

	if (bar0_size < 2 * SPAR_TRANSPORT_PAGE_SIZE ||
	    (bar0_size & (bar0_size - 1)))
		return why_set(why, len, "BAR0 size %llu is not a power of two of at least 2 pages",
			       (unsigned long long)bar0_size);
	if (F32(h, struct spar_transport_header, magic) != SPAR_TRANSPORT_MAGIC)
		return why_set(why, len, "magic 0x%08x",
			       F32(h, struct spar_transport_header, magic));
	if (F32(h, struct spar_transport_header, version) !=
	    SPAR_TRANSPORT_VERSION)
		return why_set(why, len, "version %u",
			       F32(h, struct spar_transport_header, version));
	t = F32(h, struct spar_transport_header, device_type);
	if (t < SPAR_TRANSPORT_TYPE_NIC || t > SPAR_TRANSPORT_TYPE_INPUT ||
	    (device_type && t != device_type))
		return why_set(why, len, "device_type %u", t);
	if (F32(h, struct spar_transport_header, page_size) !=
	    SPAR_TRANSPORT_PAGE_SIZE)
		return why_set(why, len, "page_size %u",
			       F32(h, struct spar_transport_header, page_size));
	if (F64(h, struct spar_transport_header, bar0_size) != bar0_size)
		return why_set(why, len, "bar0_size %llu, BAR is %llu",
			       (unsigned long long)
			       F64(h, struct spar_transport_header, bar0_size),
			       (unsigned long long)bar0_size);
	n = F32(h, struct spar_transport_header, num_channels);
	if (n < 1 || n > SPAR_TRANSPORT_MAX_CHANNELS)
		return why_set(why, len, "num_channels %u", n);

	for (i = 0; i < n; i++) {
		const uint8_t *e = b + SPAR_TRANSPORT_DIR_OFFSET +
				   i * SPAR_TRANSPORT_DIR_ENTRY_SIZE;
		uint64_t off = F64(e, struct spar_transport_dir_entry, offset);
		uint64_t size = F64(e, struct spar_transport_dir_entry, size);
		uint16_t nq = F16(e, struct spar_transport_dir_entry, num_queues);
		uint16_t fl = F16(e, struct spar_transport_dir_entry, flags);
		struct spar_guid type;
		int ret;

		if (!(fl & SPAR_TRANSPORT_DIR_F_PRESENT))
			return why_set(why, len, "dir[%u]: not present", i);
		if (off < SPAR_TRANSPORT_PAGE_SIZE || !size ||
		    (off | size) & (SPAR_TRANSPORT_PAGE_SIZE - 1) ||
		    off > bar0_size || size > bar0_size - off)
			return why_set(why, len, "dir[%u]: offset 0x%llx size 0x%llx out of range",
				       i, (unsigned long long)off,
				       (unsigned long long)size);
		if (nq < 1 || nq > SPAR_TRANSPORT_MAX_QUEUES)
			return why_set(why, len, "dir[%u]: num_queues %u", i,
				       nq);
		for (j = 0; j < i; j++)
			if (off < ends[j] && offs[j] < off + size)
				return why_set(why, len, "dir[%u] overlaps dir[%u]",
					       i, j);
		offs[i] = off;
		ends[i] = off + size;
		memcpy(&type, AT(e, struct spar_transport_dir_entry, type_guid),
		       sizeof(type));
		ret = check_channel(b, off, size, &type, i, why, len);
		if (ret)
			return ret;
	}
	return 0;
}

static const char *type_name(uint32_t t)
{
	switch (t) {
	case SPAR_TRANSPORT_TYPE_NIC:
		return "nic";
	case SPAR_TRANSPORT_TYPE_HBA:
		return "hba";
	case SPAR_TRANSPORT_TYPE_INPUT:
		return "input";
	default:
		return "unknown";
	}
}

void spar_decode_transport(FILE *f, const void *bar0, uint64_t bar0_size)
{
	const uint8_t *b = bar0;
	const uint8_t *h = b;
	char g[40], z[40], st[64], why[160];
	uint32_t n, i;

	fprintf(f, "  magic             0x%08x\n",
		F32(h, struct spar_transport_header, magic));
	fprintf(f, "  version           %u\n",
		F32(h, struct spar_transport_header, version));
	fprintf(f, "  device_type       %u (%s)\n",
		F32(h, struct spar_transport_header, device_type),
		type_name(F32(h, struct spar_transport_header, device_type)));
	fprintf(f, "  num_channels      %u\n",
		F32(h, struct spar_transport_header, num_channels));
	fprintf(f, "  bar0_size         %llu\n", (unsigned long long)
		F64(h, struct spar_transport_header, bar0_size));
	fprintf(f, "  page_size         %u\n",
		F32(h, struct spar_transport_header, page_size));
	fprintf(f, "  generation        %u\n",
		F32(h, struct spar_transport_header, generation));
	fprintf(f, "  status            0x%x (%s)\n",
		F32(h, struct spar_transport_header, status),
		spar_status_str(F32(h, struct spar_transport_header, status),
				st, sizeof(st)));
	fprintf(f, "  valid             %s\n",
		spar_check_transport(bar0, bar0_size, 0, why, sizeof(why)) ?
		why : "yes");

	n = F32(h, struct spar_transport_header, num_channels);
	if (n > SPAR_TRANSPORT_MAX_CHANNELS)
		n = SPAR_TRANSPORT_MAX_CHANNELS;
	fprintf(f, "Directory:\n");
	for (i = 0; i < n; i++) {
		const uint8_t *e = b + SPAR_TRANSPORT_DIR_OFFSET +
				   i * SPAR_TRANSPORT_DIR_ENTRY_SIZE;
		struct spar_guid t, zg;

		memcpy(&t, AT(e, struct spar_transport_dir_entry, type_guid),
		       sizeof(t));
		memcpy(&zg, AT(e, struct spar_transport_dir_entry, zone_guid),
		       sizeof(zg));
		fprintf(f, "  [%u] %s (%s) offset 0x%llx size 0x%llx queues %u flags 0x%x\n",
			i, spar_guid_str(&t, g), spar_chtype_name(&t),
			(unsigned long long)
			F64(e, struct spar_transport_dir_entry, offset),
			(unsigned long long)
			F64(e, struct spar_transport_dir_entry, size),
			F16(e, struct spar_transport_dir_entry, num_queues),
			F16(e, struct spar_transport_dir_entry, flags));
		fprintf(f, "      zone %s partition_handle 0x%llx\n",
			spar_guid_str(&zg, z), (unsigned long long)
			F64(e, struct spar_transport_dir_entry,
			    partition_handle));
	}
	fprintf(f, "Notification words (index: host_polling/guest_polling):\n ");
	for (i = 0; i < n * SPAR_TRANSPORT_MAX_QUEUES; i++) {
		const uint8_t *e = b + SPAR_TRANSPORT_DIR_OFFSET +
				   (i / SPAR_TRANSPORT_MAX_QUEUES) *
				   SPAR_TRANSPORT_DIR_ENTRY_SIZE;

		if (i % SPAR_TRANSPORT_MAX_QUEUES >=
		    F16(e, struct spar_transport_dir_entry, num_queues))
			continue;
		fprintf(f, " %u: %u/%u", i,
			ld32(b + SPAR_TRANSPORT_HOST_POLLING_OFFSET + 4 * i),
			ld32(b + SPAR_TRANSPORT_GUEST_POLLING_OFFSET + 4 * i));
	}
	fprintf(f, "\n");
}

void spar_decode_channel_header(FILE *f, const void *ch, const char *in)
{
	struct spar_guid t, z;
	char g[40], zs[40];

	memcpy(&t, AT(ch, struct spar_channel_header, chtype), sizeof(t));
	memcpy(&z, AT(ch, struct spar_channel_header, zone_guid), sizeof(z));
	fprintf(f, "%ssignature 0x%llx header_size %u size %llu version %u srv_state %u\n",
		in, (unsigned long long)
		F64(ch, struct spar_channel_header, signature),
		F32(ch, struct spar_channel_header, header_size),
		(unsigned long long)F64(ch, struct spar_channel_header, size),
		F32(ch, struct spar_channel_header, version_id),
		F32(ch, struct spar_channel_header, srv_state));
	fprintf(f, "%schtype %s (%s)\n", in, spar_guid_str(&t, g),
		spar_chtype_name(&t));
	fprintf(f, "%szone %s ch_space_offset %llu features 0x%llx\n", in,
		spar_guid_str(&z, zs), (unsigned long long)
		F64(ch, struct spar_channel_header, ch_space_offset),
		(unsigned long long)
		F64(ch, struct spar_channel_header, features));
}

void spar_decode_queue_header(FILE *f, const void *qh, const char *name,
			      const char *in)
{
	uint32_t max = F32(qh, struct spar_signal_queue_header, max_slots);
	uint32_t head = F32(qh, struct spar_signal_queue_header, head);
	uint32_t tail = F32(qh, struct spar_signal_queue_header, tail);

	fprintf(f, "%s%s: head %u tail %u pending %s", in, name, head, tail,
		max && head < max && tail < max ? "" : "?");
	if (max && head < max && tail < max)
		fprintf(f, "%u", (head + max - tail) % max);
	fprintf(f, " max_slots %u signal_size %u sig_base_offset %llu\n",
		max, F32(qh, struct spar_signal_queue_header, signal_size),
		(unsigned long long)
		F64(qh, struct spar_signal_queue_header, sig_base_offset));
	fprintf(f, "%s    sent %llu received %llu overflows %llu\n", in,
		(unsigned long long)
		F64(qh, struct spar_signal_queue_header, num_sent),
		(unsigned long long)
		F64(qh, struct spar_signal_queue_header, num_received),
		(unsigned long long)
		F64(qh, struct spar_signal_queue_header, num_overflows));
}

void spar_decode_channels(FILE *f, const void *bar0, uint64_t bar0_size)
{
	const uint8_t *b = bar0;
	uint32_t n, i, q;

	n = F32(b, struct spar_transport_header, num_channels);
	if (n > SPAR_TRANSPORT_MAX_CHANNELS)
		n = SPAR_TRANSPORT_MAX_CHANNELS;
	for (i = 0; i < n; i++) {
		const uint8_t *e = b + SPAR_TRANSPORT_DIR_OFFSET +
				   i * SPAR_TRANSPORT_DIR_ENTRY_SIZE;
		uint64_t off = F64(e, struct spar_transport_dir_entry, offset);
		uint64_t size = F64(e, struct spar_transport_dir_entry, size);
		uint16_t nq = F16(e, struct spar_transport_dir_entry, num_queues);
		const uint8_t *ch;
		uint64_t qoff;
		struct spar_guid t;

		if (off < SPAR_TRANSPORT_PAGE_SIZE || off > bar0_size ||
		    size < SPAR_CHANNEL_HEADER_SIZE || size > bar0_size - off) {
			fprintf(f, "Channel %u: out of range\n", i);
			continue;
		}
		ch = b + off;
		memcpy(&t, AT(e, struct spar_transport_dir_entry, type_guid),
		       sizeof(t));
		fprintf(f, "Channel %u (%s) at 0x%llx:\n", i,
			spar_chtype_name(&t), (unsigned long long)off);
		spar_decode_channel_header(f, ch, "  ");
		qoff = F64(ch, struct spar_channel_header, ch_space_offset);
		if (nq > SPAR_TRANSPORT_MAX_QUEUES)
			nq = SPAR_TRANSPORT_MAX_QUEUES;
		for (q = 0; q < nq; q++) {
			uint64_t at = qoff + (uint64_t)q *
				      SPAR_SIGNAL_QUEUE_HEADER_SIZE;
			char name[32];

			if (qoff < SPAR_CHANNEL_HEADER_SIZE || qoff > size ||
			    at + SPAR_SIGNAL_QUEUE_HEADER_SIZE > size) {
				fprintf(f, "  queue %u: header out of range\n",
					q);
				continue;
			}
			snprintf(name, sizeof(name), "queue %u (notify %u)", q,
				 SPAR_TRANSPORT_NOTIFY_INDEX(i, q));
			spar_decode_queue_header(f, ch + at, name, "  ");
		}
		if (!strcmp(spar_chtype_name(&t), "vnic") &&
		    size >= sizeof(struct spar_io_channel)) {
			const uint8_t *vn = ch + offsetof(struct spar_io_channel,
							  vnic);
			const uint8_t *m = vn;

			fprintf(f, "  vnic: mac %02x:%02x:%02x:%02x:%02x:%02x num_rcv_bufs %u mtu %u\n",
				m[0], m[1], m[2], m[3], m[4], m[5],
				F32(vn, struct spar_iochannel_vnic,
				    num_rcv_bufs),
				F32(vn, struct spar_iochannel_vnic, mtu));
		} else if (!strcmp(spar_chtype_name(&t), "vhba") &&
			   size >= sizeof(struct spar_io_channel)) {
			const uint8_t *vh = ch + offsetof(struct spar_io_channel,
							  vhba);

			fprintf(f, "  vhba: wwnn %08x:%08x max channel %u id %u lun %u cmd_per_lun %u io_size %u\n",
				F32(vh, struct spar_iochannel_vhba, wwnn.wwnn1),
				F32(vh, struct spar_iochannel_vhba, wwnn.wwnn2),
				F32(vh, struct spar_iochannel_vhba,
				    max.max_channel),
				F32(vh, struct spar_iochannel_vhba, max.max_id),
				F32(vh, struct spar_iochannel_vhba, max.max_lun),
				F32(vh, struct spar_iochannel_vhba,
				    max.cmd_per_lun),
				F32(vh, struct spar_iochannel_vhba,
				    max.max_io_size));
		}
	}
}
