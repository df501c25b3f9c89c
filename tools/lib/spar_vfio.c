// SPDX-License-Identifier: GPL-2.0
/*
 * VFIO client for spar mediated devices.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include "spar_vfio.h"

/*
 * The iommufd and VFIO cdev interface (Linux 6.6 and later).  The C
 * library's kernel headers may predate it, so the ABI is spelled out here
 * under names of our own: numbers and layouts as in the kernel's
 * include/uapi/linux/iommufd.h and vfio.h.
 */
#define SPAR_IOMMUFD_TYPE		';'
#define SPAR_IOMMU_IOAS_ALLOC		_IO(SPAR_IOMMUFD_TYPE, 0x81)
#define SPAR_IOMMU_IOAS_MAP		_IO(SPAR_IOMMUFD_TYPE, 0x85)
#define SPAR_IOMMU_IOAS_UNMAP		_IO(SPAR_IOMMUFD_TYPE, 0x86)
#define SPAR_IOAS_MAP_FIXED_IOVA	(1u << 0)
#define SPAR_IOAS_MAP_WRITEABLE		(1u << 1)
#define SPAR_IOAS_MAP_READABLE		(1u << 2)
#define SPAR_VFIO_DEVICE_BIND_IOMMUFD	_IO(VFIO_TYPE, VFIO_BASE + 18)
#define SPAR_VFIO_DEVICE_ATTACH_PT	_IO(VFIO_TYPE, VFIO_BASE + 19)

struct spar_iommu_ioas_alloc {
	uint32_t size;
	uint32_t flags;
	uint32_t out_ioas_id;
};

struct spar_iommu_ioas_map {
	uint32_t size;
	uint32_t flags;
	uint32_t ioas_id;
	uint32_t reserved;
	uint64_t user_va;
	uint64_t length;
	uint64_t iova;
};

struct spar_iommu_ioas_unmap {
	uint32_t size;
	uint32_t ioas_id;
	uint64_t iova;
	uint64_t length;
};

struct spar_vfio_bind_iommufd {
	uint32_t argsz;
	uint32_t flags;
	int32_t iommufd;
	uint32_t out_devid;
};

struct spar_vfio_attach_pt {
	uint32_t argsz;
	uint32_t flags;
	uint32_t pt_id;
};

int spar_vfio_backend_env(enum spar_vfio_backend *b)
{
	const char *e = getenv("SPAR_VFIO_BACKEND");

	if (!e || !*e || !strcmp(e, "legacy"))
		*b = SPAR_VFIO_LEGACY;
	else if (!strcmp(e, "iommufd"))
		*b = SPAR_VFIO_IOMMUFD;
	else
		return -EINVAL;
	return 0;
}

const char *spar_vfio_backend_name(enum spar_vfio_backend b)
{
	return b == SPAR_VFIO_IOMMUFD ? "iommufd" : "legacy";
}

int spar_uuid_valid(const char *uuid)
{
	int i;

	if (strlen(uuid) != SPAR_UUID_LEN)
		return 0;
	for (i = 0; i < SPAR_UUID_LEN; i++) {
		char c = uuid[i];

		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (c != '-')
				return 0;
		} else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
			     (c >= 'A' && c <= 'F'))) {
			return 0;
		}
	}
	return 1;
}

static int fail(struct spar_vfio *v, const char *what)
{
	int err = errno ? errno : EIO;

	v->what = what;
	return -err;
}

static int group_of(const char *uuid)
{
	char path[128], link[256];
	const char *p;
	ssize_t n;

	snprintf(path, sizeof(path), SPAR_MDEV_DEVICES "/%s/iommu_group",
		 uuid);
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0)
		return -errno;
	link[n] = 0;
	p = strrchr(link, '/');
	p = p ? p + 1 : link;
	return atoi(p);
}

/* The legacy way: group into a container with the type1 IOMMU. */
static int legacy_open(struct spar_vfio *v, const struct spar_vfio *first)
{
	struct vfio_group_status gs = { .argsz = sizeof(gs) };
	char path[64];
	int ret, type;

	ret = group_of(v->uuid);
	if (ret < 0) {
		v->what = ret == -ENOENT ? "no such mdev instance" :
					   "reading its iommu_group";
		return ret;
	}
	v->group_id = ret;

	errno = 0;
	if (first)
		v->container = fcntl(first->container, F_DUPFD_CLOEXEC, 0);
	else
		v->container = open("/dev/vfio/vfio", O_RDWR | O_CLOEXEC);
	if (v->container < 0)
		return fail(v, "opening /dev/vfio/vfio");
	if (ioctl(v->container, VFIO_GET_API_VERSION) != VFIO_API_VERSION) {
		errno = ENOTSUP;
		return fail(v, "VFIO API version");
	}
	snprintf(path, sizeof(path), "/dev/vfio/%d", v->group_id);
	v->group = open(path, O_RDWR | O_CLOEXEC);
	if (v->group < 0)
		return fail(v, "opening the VFIO group");
	if (ioctl(v->group, VFIO_GROUP_GET_STATUS, &gs))
		return fail(v, "VFIO_GROUP_GET_STATUS");
	if (!(gs.flags & VFIO_GROUP_FLAGS_VIABLE)) {
		errno = EPERM;
		return fail(v, "group not viable");
	}
	if (ioctl(v->group, VFIO_GROUP_SET_CONTAINER, &v->container))
		return fail(v, "VFIO_GROUP_SET_CONTAINER");
	if (ioctl(v->container, VFIO_CHECK_EXTENSION, VFIO_TYPE1v2_IOMMU) > 0)
		type = VFIO_TYPE1v2_IOMMU;
	else
		type = VFIO_TYPE1_IOMMU;
	/* a shared container has its IOMMU model already */
	if (!first && ioctl(v->container, VFIO_SET_IOMMU, type))
		return fail(v, "VFIO_SET_IOMMU");
	v->device = ioctl(v->group, VFIO_GROUP_GET_DEVICE_FD, v->uuid);
	if (v->device < 0)
		return fail(v, "VFIO_GROUP_GET_DEVICE_FD");
	return 0;
}

/* The device's cdev, /dev/vfio/devices/vfioN, from its vfio-dev directory. */
static int cdev_of(struct spar_vfio *v, char *path, size_t len)
{
	char dir[128];
	struct dirent *d;
	DIR *dp;
	int ret = -ENOENT;

	snprintf(dir, sizeof(dir), SPAR_MDEV_DEVICES "/%s", v->uuid);
	if (access(dir, F_OK)) {
		v->what = "no such mdev instance";
		return -ENOENT;
	}
	snprintf(dir, sizeof(dir), SPAR_MDEV_DEVICES "/%s/vfio-dev", v->uuid);
	dp = opendir(dir);
	if (!dp) {
		ret = -errno;
		v->what = ret == -ENOENT ?
			"no VFIO device cdev (Linux 6.6 or later with CONFIG_VFIO_DEVICE_CDEV is needed)" :
			"reading the instance's vfio-dev directory";
		return ret;
	}
	while ((d = readdir(dp))) {
		if (!strncmp(d->d_name, "vfio", 4) && d->d_name[4]) {
			snprintf(path, len, "/dev/vfio/devices/%s", d->d_name);
			ret = 0;
			break;
		}
	}
	closedir(dp);
	if (ret)
		v->what = "no vfioN entry under vfio-dev";
	return ret;
}

/*
 * The iommufd way: the device's cdev bound to an iommufd and attached to
 * an IOAS, @first's when given.
 */
static int iommufd_open(struct spar_vfio *v, const struct spar_vfio *first)
{
	struct spar_vfio_bind_iommufd bind = { .argsz = sizeof(bind) };
	struct spar_vfio_attach_pt attach = { .argsz = sizeof(attach) };
	char path[300];
	int ret;

	ret = cdev_of(v, path, sizeof(path));
	if (ret)
		return ret;
	errno = 0;
	if (first) {
		v->iommufd = fcntl(first->iommufd, F_DUPFD_CLOEXEC, 0);
		if (v->iommufd < 0)
			return fail(v, "duplicating the iommufd");
		v->ioas_id = first->ioas_id;
	} else {
		struct spar_iommu_ioas_alloc a = { .size = sizeof(a) };

		v->iommufd = open("/dev/iommu", O_RDWR | O_CLOEXEC);
		if (v->iommufd < 0)
			return fail(v, errno == ENOENT ?
				    "opening /dev/iommu (a kernel with CONFIG_IOMMUFD is needed)" :
				    "opening /dev/iommu");
		if (ioctl(v->iommufd, SPAR_IOMMU_IOAS_ALLOC, &a))
			return fail(v, "IOMMU_IOAS_ALLOC");
		v->ioas_id = a.out_ioas_id;
	}
	v->device = open(path, O_RDWR | O_CLOEXEC);
	if (v->device < 0)
		return fail(v, "opening the VFIO device cdev");
	bind.iommufd = v->iommufd;
	/* the kernel refuses a second user of the device with EINVAL */
	if (ioctl(v->device, SPAR_VFIO_DEVICE_BIND_IOMMUFD, &bind))
		return fail(v, errno == EINVAL ?
			    "VFIO_DEVICE_BIND_IOMMUFD (is the device in use, e.g. by a running VM?)" :
			    "VFIO_DEVICE_BIND_IOMMUFD");
	attach.pt_id = v->ioas_id;
	if (ioctl(v->device, SPAR_VFIO_DEVICE_ATTACH_PT, &attach))
		return fail(v, "VFIO_DEVICE_ATTACH_IOMMUFD_PT");
	return 0;
}

static int vfio_open(struct spar_vfio *v, const char *uuid,
		     const struct spar_vfio *first)
{
	unsigned int i;
	int ret;

	memset(v, 0, sizeof(*v));
	v->container = v->group = v->iommufd = v->device = -1;
	for (i = 0; i < VFIO_PCI_NUM_IRQS; i++)
		v->irq_fd[i] = -1;
	if (!spar_uuid_valid(uuid)) {
		v->what = "UUID syntax";
		return -EINVAL;
	}
	snprintf(v->uuid, sizeof(v->uuid), "%s", uuid);
	if (first) {
		v->backend = first->backend;
	} else if (spar_vfio_backend_env(&v->backend)) {
		v->what = "SPAR_VFIO_BACKEND is neither legacy nor iommufd";
		return -EINVAL;
	}

	if (v->backend == SPAR_VFIO_IOMMUFD)
		ret = iommufd_open(v, first);
	else
		ret = legacy_open(v, first);
	if (ret)
		goto err;
	for (i = 0; i < VFIO_PCI_NUM_REGIONS; i++) {
		ret = spar_vfio_region_info(v, i, &v->region[i]);
		if (ret)
			goto err;
	}
	return 0;
err:
	spar_vfio_close(v);
	return ret;
}

int spar_vfio_open(struct spar_vfio *v, const char *uuid)
{
	return vfio_open(v, uuid, NULL);
}

int spar_vfio_open_shared(struct spar_vfio *v, const char *uuid,
			  const struct spar_vfio *first)
{
	return vfio_open(v, uuid, first);
}

void spar_vfio_close(struct spar_vfio *v)
{
	unsigned int i;

	for (i = 0; i < VFIO_PCI_NUM_IRQS; i++) {
		if (v->irq_fd[i] >= 0) {
			if (v->device >= 0)
				spar_vfio_irq_disable(v, i);
			close(v->irq_fd[i]);
			v->irq_fd[i] = -1;
		}
	}
	if (v->bar0)
		munmap(v->bar0, v->bar0_size);
	v->bar0 = NULL;
	/* closing the device unbinds it from the iommufd */
	if (v->device >= 0)
		close(v->device);
	if (v->group >= 0)
		close(v->group);
	if (v->container >= 0)
		close(v->container);
	if (v->iommufd >= 0)
		close(v->iommufd);
	v->device = v->group = v->container = v->iommufd = -1;
}

int spar_vfio_dma_ready(const struct spar_vfio *v)
{
	return v->backend == SPAR_VFIO_IOMMUFD ? v->iommufd >= 0 :
						 v->container >= 0;
}

const char *spar_vfio_strerror(const struct spar_vfio *v, int err, char *buf,
			       size_t len)
{
	const char *hint = "";

	if (err == -EBUSY)
		hint = " (the device is in use, e.g. by a running VM)";
	else if (err == -ENOENT && v->group_id == 0 && v->group < 0)
		hint = "";
	snprintf(buf, len, "%s: %s%s", v->what ? v->what : "vfio",
		 strerror(-err), hint);
	return buf;
}

int spar_vfio_dma_map(struct spar_vfio *v, void *vaddr, uint64_t iova,
		      uint64_t size)
{
	return spar_vfio_dma_map_prot(v, vaddr, iova, size, 1);
}

int spar_vfio_dma_map_prot(struct spar_vfio *v, void *vaddr, uint64_t iova,
			   uint64_t size, int writable)
{
	struct vfio_iommu_type1_dma_map m = {
		.argsz = sizeof(m),
		.flags = VFIO_DMA_MAP_FLAG_READ |
			 (writable ? VFIO_DMA_MAP_FLAG_WRITE : 0),
		.vaddr = (uintptr_t)vaddr,
		.iova = iova,
		.size = size,
	};

	errno = 0;
	if (v->backend == SPAR_VFIO_IOMMUFD) {
		struct spar_iommu_ioas_map im = {
			.size = sizeof(im),
			.flags = SPAR_IOAS_MAP_FIXED_IOVA |
				 SPAR_IOAS_MAP_READABLE |
				 (writable ? SPAR_IOAS_MAP_WRITEABLE : 0),
			.ioas_id = v->ioas_id,
			.user_va = (uintptr_t)vaddr,
			.length = size,
			.iova = iova,
		};

		if (ioctl(v->iommufd, SPAR_IOMMU_IOAS_MAP, &im))
			return fail(v, "IOMMU_IOAS_MAP");
		return 0;
	}
	if (ioctl(v->container, VFIO_IOMMU_MAP_DMA, &m))
		return fail(v, "VFIO_IOMMU_MAP_DMA");
	return 0;
}

int spar_vfio_dma_unmap(struct spar_vfio *v, uint64_t iova, uint64_t size)
{
	struct vfio_iommu_type1_dma_unmap u = {
		.argsz = sizeof(u),
		.iova = iova,
		.size = size,
	};

	errno = 0;
	if (v->backend == SPAR_VFIO_IOMMUFD) {
		struct spar_iommu_ioas_unmap iu = {
			.size = sizeof(iu),
			.ioas_id = v->ioas_id,
			.iova = iova,
			.length = size,
		};

		if (ioctl(v->iommufd, SPAR_IOMMU_IOAS_UNMAP, &iu))
			return fail(v, "IOMMU_IOAS_UNMAP");
		return 0;
	}
	if (ioctl(v->container, VFIO_IOMMU_UNMAP_DMA, &u))
		return fail(v, "VFIO_IOMMU_UNMAP_DMA");
	return 0;
}

int spar_vfio_region_info(struct spar_vfio *v, unsigned int index,
			  struct vfio_region_info *info)
{
	memset(info, 0, sizeof(*info));
	info->argsz = sizeof(*info);
	info->index = index;
	errno = 0;
	if (ioctl(v->device, VFIO_DEVICE_GET_REGION_INFO, info))
		return fail(v, "VFIO_DEVICE_GET_REGION_INFO");
	return 0;
}

static int region_rw(struct spar_vfio *v, unsigned int index, uint64_t off,
		     void *buf, size_t len, int write)
{
	const struct vfio_region_info *r = &v->region[index];
	ssize_t n;

	if (off > r->size || len > r->size - off)
		return -EINVAL;
	errno = 0;
	if (write)
		n = pwrite(v->device, buf, len, r->offset + off);
	else
		n = pread(v->device, buf, len, r->offset + off);
	if (n < 0)
		return fail(v, write ? "region write" : "region read");
	if ((size_t)n != len)
		return -EIO;
	return 0;
}

int spar_vfio_cfg_read(struct spar_vfio *v, unsigned int off, void *buf,
		       size_t len)
{
	return region_rw(v, VFIO_PCI_CONFIG_REGION_INDEX, off, buf, len, 0);
}

int spar_vfio_cfg_write(struct spar_vfio *v, unsigned int off,
			const void *buf, size_t len)
{
	return region_rw(v, VFIO_PCI_CONFIG_REGION_INDEX, off, (void *)buf,
			 len, 1);
}

/* set and clear bits of the PCI Command register (e.g. 0x2 memory, 0x4 master) */
int spar_vfio_command(struct spar_vfio *v, uint16_t set, uint16_t clear)
{
	uint16_t cmd;
	int ret;

	ret = spar_vfio_cfg_read(v, 4, &cmd, 2);
	if (ret)
		return ret;
	cmd = htole16((le16toh(cmd) | set) & ~clear);
	return spar_vfio_cfg_write(v, 4, &cmd, 2);
}

int spar_vfio_bar0_read(struct spar_vfio *v, uint64_t off, void *buf,
			size_t len)
{
	return region_rw(v, VFIO_PCI_BAR0_REGION_INDEX, off, buf, len, 0);
}

int spar_vfio_map_bar0(struct spar_vfio *v)
{
	const struct vfio_region_info *r = &v->region[VFIO_PCI_BAR0_REGION_INDEX];
	void *p;

	if (v->bar0)
		return 0;
	if (!r->size || !(r->flags & VFIO_REGION_INFO_FLAG_MMAP)) {
		v->what = "BAR0 is not mmap-able";
		return -ENOTSUP;
	}
	errno = 0;
	p = mmap(NULL, r->size, PROT_READ | PROT_WRITE, MAP_SHARED, v->device,
		 r->offset);
	if (p == MAP_FAILED)
		return fail(v, "mmap of BAR0");
	v->bar0 = p;
	v->bar0_size = r->size;
	return 0;
}

uint32_t spar_vfio_reg_read(struct spar_vfio *v, unsigned int off)
{
	uint32_t val = 0;

	if (region_rw(v, VFIO_PCI_BAR2_REGION_INDEX, off, &val, 4, 0))
		return 0xffffffff;
	return le32toh(val);
}

int spar_vfio_reg_write(struct spar_vfio *v, unsigned int off, uint32_t val)
{
	val = htole32(val);
	return region_rw(v, VFIO_PCI_BAR2_REGION_INDEX, off, &val, 4, 1);
}

static int irq_set(struct spar_vfio *v, unsigned int index, uint32_t flags,
		   uint32_t count, int fd)
{
	char buf[sizeof(struct vfio_irq_set) + sizeof(int)];
	struct vfio_irq_set *s = (struct vfio_irq_set *)buf;

	memset(buf, 0, sizeof(buf));
	s->argsz = sizeof(*s) + (fd >= 0 ? sizeof(int) : 0);
	s->flags = flags;
	s->index = index;
	s->start = 0;
	s->count = count;
	if (fd >= 0)
		memcpy(s->data, &fd, sizeof(int));
	errno = 0;
	if (ioctl(v->device, VFIO_DEVICE_SET_IRQS, s))
		return fail(v, "VFIO_DEVICE_SET_IRQS");
	return 0;
}

int spar_vfio_irq_enable(struct spar_vfio *v, unsigned int index)
{
	int fd, ret;

	if (index >= VFIO_PCI_NUM_IRQS)
		return -EINVAL;
	if (v->irq_fd[index] >= 0)
		return 0;
	fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (fd < 0)
		return fail(v, "eventfd");
	ret = irq_set(v, index, VFIO_IRQ_SET_DATA_EVENTFD |
		      VFIO_IRQ_SET_ACTION_TRIGGER, 1, fd);
	if (ret) {
		close(fd);
		return ret;
	}
	v->irq_fd[index] = fd;
	return 0;
}

int spar_vfio_irq_disable(struct spar_vfio *v, unsigned int index)
{
	int ret;

	if (index >= VFIO_PCI_NUM_IRQS)
		return -EINVAL;
	ret = irq_set(v, index, VFIO_IRQ_SET_DATA_NONE |
		      VFIO_IRQ_SET_ACTION_TRIGGER, 0, -1);
	if (v->irq_fd[index] >= 0) {
		close(v->irq_fd[index]);
		v->irq_fd[index] = -1;
	}
	return ret;
}

int spar_vfio_intx_unmask(struct spar_vfio *v)
{
	return irq_set(v, VFIO_PCI_INTX_IRQ_INDEX, VFIO_IRQ_SET_DATA_NONE |
		       VFIO_IRQ_SET_ACTION_UNMASK, 1, -1);
}

/* 1 and *count if the eventfd fired, 0 on timeout */
int spar_vfio_irq_wait(struct spar_vfio *v, unsigned int index,
		       int timeout_ms, uint64_t *count)
{
	struct pollfd pfd;
	uint64_t n = 0;
	int ret;

	if (index >= VFIO_PCI_NUM_IRQS || v->irq_fd[index] < 0)
		return -EINVAL;
	pfd.fd = v->irq_fd[index];
	pfd.events = POLLIN;
	ret = poll(&pfd, 1, timeout_ms);
	if (ret < 0)
		return -errno;
	if (!ret)
		return 0;
	if (read(pfd.fd, &n, sizeof(n)) != sizeof(n))
		return errno == EAGAIN ? 0 : -errno;
	if (count)
		*count = n;
	return 1;
}

int spar_vfio_reset(struct spar_vfio *v)
{
	errno = 0;
	if (ioctl(v->device, VFIO_DEVICE_RESET))
		return fail(v, "VFIO_DEVICE_RESET");
	return 0;
}

static void attr_path(char *path, size_t len, const char *uuid,
		      const char *attr)
{
	snprintf(path, len, SPAR_MDEV_DEVICES "/%s/%s", uuid, attr);
}

int spar_sysfs_read(const char *uuid, const char *attr, char *buf,
		    size_t len)
{
	char path[256];
	ssize_t n;
	int fd;

	attr_path(path, sizeof(path), uuid, attr);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	if (n < 0) {
		n = -errno;
		close(fd);
		return n;
	}
	close(fd);
	buf[n] = 0;
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		buf[--n] = 0;
	return 0;
}

int spar_sysfs_write(const char *uuid, const char *attr, const char *val)
{
	char path[256];
	ssize_t n;
	int fd, ret = 0;

	attr_path(path, sizeof(path), uuid, attr);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = write(fd, val, strlen(val));
	if (n < 0)
		ret = -errno;
	close(fd);
	return ret;
}

long long spar_sysfs_u64(const char *uuid, const char *attr)
{
	char buf[64];
	int ret;

	ret = spar_sysfs_read(uuid, attr, buf, sizeof(buf));
	if (ret)
		return ret;
	return strtoll(buf, NULL, 0);
}
