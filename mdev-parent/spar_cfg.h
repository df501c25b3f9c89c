/* SPDX-License-Identifier: GPL-2.0 */
/*
 * spar-mdev host module: emulated PCI configuration space.
 */
#ifndef _SPAR_CFG_H
#define _SPAR_CFG_H

#include <linux/types.h>

#define SPAR_CFG_SIZE		256
#define SPAR_CFG_MSI_CAP	0x40

/**
 * struct spar_pci_id - what the function says it is
 * @vendor: PCI vendor ID, also used as subsystem vendor
 * @device: PCI device ID, also used as subsystem ID
 * @revision: revision ID (the transport version)
 * @class: 24-bit class code: base class, subclass, programming interface
 * @bar0_size: size of the 64-bit prefetchable channel BAR, a power of two
 * @bar2_size: size of the 32-bit register BAR, a power of two >= 16
 */
struct spar_pci_id {
	u16 vendor;
	u16 device;
	u8 revision;
	u32 class;
	u64 bar0_size;
	u32 bar2_size;
};

/**
 * struct spar_cfg - one function's configuration space
 * @bytes: what a reader sees
 * @wmask: bits a write may change
 * @w1cmask: bits a write of 1 clears
 *
 * Bits in neither mask are read-only.  A BAR is sized by the masks alone:
 * writing all ones leaves exactly the writable address bits set.
 */
struct spar_cfg {
	u8 bytes[SPAR_CFG_SIZE];
	u8 wmask[SPAR_CFG_SIZE];
	u8 w1cmask[SPAR_CFG_SIZE];
};

void spar_cfg_init(struct spar_cfg *cfg, const struct spar_pci_id *id);
int spar_cfg_read(const struct spar_cfg *cfg, unsigned int off, void *buf,
		  unsigned int len);
int spar_cfg_write(struct spar_cfg *cfg, unsigned int off, const void *buf,
		   unsigned int len);
void spar_cfg_set_intx_pending(struct spar_cfg *cfg, bool pending);
bool spar_cfg_intx_disabled(const struct spar_cfg *cfg);
bool spar_cfg_memory_enabled(const struct spar_cfg *cfg);
bool spar_cfg_bus_master(const struct spar_cfg *cfg);

#endif /* _SPAR_CFG_H */
