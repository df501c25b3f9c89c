/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A small VFIO client for spar mediated devices: the device of one mdev
 * instance, DMA mappings, regions, registers and interrupts.  Every
 * function returns 0 or a negative errno value.
 *
 * Two ways to the device: the legacy one (container /dev/vfio/vfio, group
 * /dev/vfio/N, type1 IOMMU) and the device cdev bound to an iommufd
 * (/dev/vfio/devices/vfioN, /dev/iommu, one IOAS).  SPAR_VFIO_BACKEND in
 * the environment chooses: "legacy" (the default) or "iommufd".
 */
#ifndef _SPAR_TOOLS_VFIO_H
#define _SPAR_TOOLS_VFIO_H

#include <stddef.h>
#include <stdint.h>
#include <linux/vfio.h>

#define SPAR_MDEV_DEVICES	"/sys/bus/mdev/devices"
#define SPAR_UUID_LEN		36

enum spar_vfio_backend {
	SPAR_VFIO_LEGACY,
	SPAR_VFIO_IOMMUFD,
};

struct spar_vfio {
	enum spar_vfio_backend backend;
	int container;		/* legacy: /dev/vfio/vfio */
	int group;		/* legacy: /dev/vfio/N */
	int iommufd;		/* iommufd: /dev/iommu */
	uint32_t ioas_id;	/* iommufd: the IOAS the device is attached to */
	int device;
	int group_id;
	char uuid[SPAR_UUID_LEN + 1];
	struct vfio_region_info region[VFIO_PCI_NUM_REGIONS];
	void *bar0;
	size_t bar0_size;
	int irq_fd[VFIO_PCI_NUM_IRQS];
	/* last failing step, for messages */
	const char *what;
};

int spar_uuid_valid(const char *uuid);
/* The backend SPAR_VFIO_BACKEND names; -EINVAL for an unknown name. */
int spar_vfio_backend_env(enum spar_vfio_backend *b);
const char *spar_vfio_backend_name(enum spar_vfio_backend b);
int spar_vfio_open(struct spar_vfio *v, const char *uuid);
/*
 * Another instance in @first's container (legacy) or IOAS (iommufd), as
 * QEMU puts a VM's devices.
 */
int spar_vfio_open_shared(struct spar_vfio *v, const char *uuid,
			  const struct spar_vfio *first);
void spar_vfio_close(struct spar_vfio *v);
/* True while @v can map and unmap DMA. */
int spar_vfio_dma_ready(const struct spar_vfio *v);
const char *spar_vfio_strerror(const struct spar_vfio *v, int err,
			       char *buf, size_t len);

/* Device-readable only unless @writable, as a DMA_TO_DEVICE mapping. */
int spar_vfio_dma_map_prot(struct spar_vfio *v, void *vaddr, uint64_t iova,
			   uint64_t size, int writable);
int spar_vfio_dma_map(struct spar_vfio *v, void *vaddr, uint64_t iova,
		      uint64_t size);
int spar_vfio_dma_unmap(struct spar_vfio *v, uint64_t iova, uint64_t size);

int spar_vfio_region_info(struct spar_vfio *v, unsigned int index,
			  struct vfio_region_info *info);
int spar_vfio_cfg_read(struct spar_vfio *v, unsigned int off, void *buf,
		       size_t len);
int spar_vfio_cfg_write(struct spar_vfio *v, unsigned int off,
			const void *buf, size_t len);
int spar_vfio_command(struct spar_vfio *v, uint16_t set, uint16_t clear);
int spar_vfio_bar0_read(struct spar_vfio *v, uint64_t off, void *buf,
			size_t len);
int spar_vfio_map_bar0(struct spar_vfio *v);
uint32_t spar_vfio_reg_read(struct spar_vfio *v, unsigned int off);
int spar_vfio_reg_write(struct spar_vfio *v, unsigned int off, uint32_t val);

int spar_vfio_irq_enable(struct spar_vfio *v, unsigned int index);
int spar_vfio_irq_disable(struct spar_vfio *v, unsigned int index);
int spar_vfio_intx_unmask(struct spar_vfio *v);
int spar_vfio_irq_wait(struct spar_vfio *v, unsigned int index,
		       int timeout_ms, uint64_t *count);
int spar_vfio_reset(struct spar_vfio *v);

/* sysfs helpers for an instance directory */
int spar_sysfs_read(const char *uuid, const char *attr, char *buf,
		    size_t len);
int spar_sysfs_write(const char *uuid, const char *attr, const char *val);
long long spar_sysfs_u64(const char *uuid, const char *attr);

#endif /* _SPAR_TOOLS_VFIO_H */
