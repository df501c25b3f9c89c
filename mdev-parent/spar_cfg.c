// SPDX-License-Identifier: GPL-2.0
/*
 * spar-mdev host module: emulated PCI configuration space.
 *
 * A conventional (non-express) type 0 header with one MSI capability.
 * Every access is range-checked; the user may read or write any naturally
 * aligned 1, 2 or 4 bytes and sees only what the masks allow.
 */
#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/pci_regs.h>
#include <linux/string.h>

#include "spar_cfg.h"
#include "spar_compat.h"

static void cfg_set8(struct spar_cfg *c, unsigned int off, u8 v, u8 wm)
{
	c->bytes[off] = v;
	c->wmask[off] = wm;
}

static void cfg_set16(struct spar_cfg *c, unsigned int off, u16 v, u16 wm)
{
	put_unaligned_le16(v, &c->bytes[off]);
	put_unaligned_le16(wm, &c->wmask[off]);
}

static void cfg_set32(struct spar_cfg *c, unsigned int off, u32 v, u32 wm)
{
	put_unaligned_le32(v, &c->bytes[off]);
	put_unaligned_le32(wm, &c->wmask[off]);
}

static void cfg_init_bars(struct spar_cfg *c, const struct spar_pci_id *id)
{
	u64 bar0_mask = ~(id->bar0_size - 1);

	/* BAR0/1: 64-bit prefetchable memory, the channel memory. */
	cfg_set32(c, PCI_BASE_ADDRESS_0,
		  PCI_BASE_ADDRESS_SPACE_MEMORY |
		  PCI_BASE_ADDRESS_MEM_TYPE_64 | PCI_BASE_ADDRESS_MEM_PREFETCH,
		  lower_32_bits(bar0_mask) & PCI_BASE_ADDRESS_MEM_MASK);
	cfg_set32(c, PCI_BASE_ADDRESS_1, 0, upper_32_bits(bar0_mask));
	/* BAR2: 32-bit non-prefetchable memory, the trapped registers. */
	cfg_set32(c, PCI_BASE_ADDRESS_2,
		  PCI_BASE_ADDRESS_SPACE_MEMORY | PCI_BASE_ADDRESS_MEM_TYPE_32,
		  ~(id->bar2_size - 1) & PCI_BASE_ADDRESS_MEM_MASK);
	/* BAR3-5 and the expansion ROM stay zero and read-only: absent. */
}

static void cfg_init_msi(struct spar_cfg *c)
{
	unsigned int cap = SPAR_CFG_MSI_CAP;

	cfg_set8(c, cap + PCI_CAP_LIST_ID, PCI_CAP_ID_MSI, 0);
	cfg_set8(c, cap + PCI_CAP_LIST_NEXT, 0, 0);
	/* One vector, 64-bit addresses; the OS may enable it. */
	cfg_set16(c, cap + PCI_MSI_FLAGS, PCI_MSI_FLAGS_64BIT,
		  PCI_MSI_FLAGS_ENABLE | PCI_MSI_FLAGS_QSIZE);
	cfg_set32(c, cap + PCI_MSI_ADDRESS_LO, 0, 0xfffffffc);
	cfg_set32(c, cap + PCI_MSI_ADDRESS_HI, 0, 0xffffffff);
	cfg_set16(c, cap + PCI_MSI_DATA_64, 0, 0xffff);
}

/**
 * spar_cfg_init() - build the configuration space of a new function
 * @cfg: the space to fill
 * @id: identity and BAR sizes
 *
 * Context: any; does not sleep.
 */
void spar_cfg_init(struct spar_cfg *cfg, const struct spar_pci_id *id)
{
	memset(cfg, 0, sizeof(*cfg));

	cfg_set16(cfg, PCI_VENDOR_ID, id->vendor, 0);
	cfg_set16(cfg, PCI_DEVICE_ID, id->device, 0);
	cfg_set16(cfg, PCI_COMMAND, 0,
		  PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER |
		  PCI_COMMAND_PARITY | PCI_COMMAND_SERR |
		  PCI_COMMAND_INTX_DISABLE);
	cfg_set16(cfg, PCI_STATUS, PCI_STATUS_CAP_LIST, 0);
	put_unaligned_le16(PCI_STATUS_PARITY | PCI_STATUS_SIG_TARGET_ABORT |
			   PCI_STATUS_REC_TARGET_ABORT |
			   PCI_STATUS_REC_MASTER_ABORT |
			   PCI_STATUS_SIG_SYSTEM_ERROR |
			   PCI_STATUS_DETECTED_PARITY,
			   &cfg->w1cmask[PCI_STATUS]);
	cfg_set8(cfg, PCI_REVISION_ID, id->revision, 0);
	cfg_set8(cfg, PCI_CLASS_PROG, id->class & 0xff, 0);
	cfg_set16(cfg, PCI_CLASS_DEVICE, id->class >> 8, 0);
	cfg_set8(cfg, PCI_CACHE_LINE_SIZE, 0, 0xff);
	cfg_set8(cfg, PCI_LATENCY_TIMER, 0, 0xff);
	cfg_set8(cfg, PCI_HEADER_TYPE, PCI_HEADER_TYPE_NORMAL, 0);
	cfg_init_bars(cfg, id);
	cfg_set16(cfg, PCI_SUBSYSTEM_VENDOR_ID, id->vendor, 0);
	cfg_set16(cfg, PCI_SUBSYSTEM_ID, id->device, 0);
	cfg_set8(cfg, PCI_CAPABILITY_LIST, SPAR_CFG_MSI_CAP, 0);
	cfg_set8(cfg, PCI_INTERRUPT_LINE, 0, 0xff);
	cfg_set8(cfg, PCI_INTERRUPT_PIN, 1, 0);
	cfg_init_msi(cfg);
}

static bool cfg_access_ok(unsigned int off, unsigned int len)
{
	if (len != 1 && len != 2 && len != 4)
		return false;
	if (off >= SPAR_CFG_SIZE || len > SPAR_CFG_SIZE - off)
		return false;
	return IS_ALIGNED(off, len);
}

/**
 * spar_cfg_read() - read from configuration space
 * @cfg: the space
 * @off: byte offset
 * @buf: where to put @len bytes, little-endian as on the bus
 * @len: 1, 2 or 4, with @off aligned to it
 *
 * Context: caller serialises against writers.
 * Return: 0, or -EINVAL for an access outside the space or misaligned.
 */
int spar_cfg_read(const struct spar_cfg *cfg, unsigned int off, void *buf,
		  unsigned int len)
{
	if (!cfg_access_ok(off, len))
		return -EINVAL;
	memcpy(buf, &cfg->bytes[off], len);
	return 0;
}

/**
 * spar_cfg_write() - write to configuration space
 * @cfg: the space
 * @off: byte offset
 * @buf: @len bytes, little-endian
 * @len: 1, 2 or 4, with @off aligned to it
 *
 * Only writable bits change; RW1C bits are cleared where @buf has ones.
 *
 * Context: caller serialises against readers and writers.
 * Return: 0, or -EINVAL for an access outside the space or misaligned.
 */
int spar_cfg_write(struct spar_cfg *cfg, unsigned int off, const void *buf,
		   unsigned int len)
{
	const u8 *src = buf;
	unsigned int i;

	if (!cfg_access_ok(off, len))
		return -EINVAL;

	for (i = 0; i < len; i++) {
		u8 wm = cfg->wmask[off + i];
		u8 v = cfg->bytes[off + i];

		v = (v & ~wm) | (src[i] & wm);
		v &= ~(src[i] & cfg->w1cmask[off + i]);
		cfg->bytes[off + i] = v;
	}
	return 0;
}

/**
 * spar_cfg_set_intx_pending() - mirror the INTx line in the status register
 * @cfg: the space
 * @pending: whether INTx is asserted
 *
 * Context: caller serialises against other accesses to @cfg.
 */
void spar_cfg_set_intx_pending(struct spar_cfg *cfg, bool pending)
{
	u16 status = get_unaligned_le16(&cfg->bytes[PCI_STATUS]);

	if (pending)
		status |= PCI_STATUS_INTERRUPT;
	else
		status &= ~PCI_STATUS_INTERRUPT;
	put_unaligned_le16(status, &cfg->bytes[PCI_STATUS]);
}

/**
 * spar_cfg_intx_disabled() - whether the OS set Interrupt Disable
 * @cfg: the space
 *
 * Return: true when INTx must not be asserted.
 */
bool spar_cfg_intx_disabled(const struct spar_cfg *cfg)
{
	return get_unaligned_le16(&cfg->bytes[PCI_COMMAND]) &
	       PCI_COMMAND_INTX_DISABLE;
}

/**
 * spar_cfg_memory_enabled() - whether the OS enabled memory decoding
 * @cfg: the space
 *
 * Return: true when BAR accesses are decoded.
 */
bool spar_cfg_memory_enabled(const struct spar_cfg *cfg)
{
	return get_unaligned_le16(&cfg->bytes[PCI_COMMAND]) &
	       PCI_COMMAND_MEMORY;
}

/**
 * spar_cfg_bus_master() - whether the OS enabled bus mastering
 * @cfg: the space
 *
 * Return: true when the function may access memory on its own (DMA, MSI).
 */
bool spar_cfg_bus_master(const struct spar_cfg *cfg)
{
	return get_unaligned_le16(&cfg->bytes[PCI_COMMAND]) &
	       PCI_COMMAND_MASTER;
}
