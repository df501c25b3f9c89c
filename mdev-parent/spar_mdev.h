/* SPDX-License-Identifier: GPL-2.0 */
/*
 * spar-mdev host module: definitions shared by the files of the module.
 */
#ifndef _SPAR_MDEV_H
#define _SPAR_MDEV_H

#include <linux/atomic.h>
#include <linux/mdev.h>
#include <linux/mutex.h>
#include <linux/vfio.h>

#define SPAR_CLASS_NAME		"spar"
#define SPAR_PARENT_NAME	"spar"

/* Upper bound for the per-type instance limits given at load time. */
#define SPAR_MAX_INSTANCES_LIMIT	1024

enum spar_dev_type {
	SPAR_TYPE_NIC,
	SPAR_TYPE_HBA,
	SPAR_TYPE_INPUT,
	SPAR_NR_TYPES,
};

/**
 * struct spar_type - one mdev type offered by the parent
 * @mtype: the mdev core's view; sysfs_name and pretty_name are set here
 * @id: which device type this is
 * @description: one line for the type's sysfs description file
 * @max_instances: instance limit, fixed at module load
 * @live: instances that currently hold a reservation against @max_instances
 *
 * A reservation is taken in probe before anything else is allocated and
 * given back by the vfio device's release, so @live never exceeds
 * @max_instances and never counts a device that is already gone.
 */
struct spar_type {
	struct mdev_type mtype;
	enum spar_dev_type id;
	const char *description;
	unsigned int max_instances;
	atomic_t live;
};

/**
 * struct spar_dev - one mdev instance, one emulated PCI function
 * @vdev: the VFIO device; first member, as the VFIO core requires
 * @mdev: the mediated device this instance is bound to
 * @type: the type it was created as
 * @lock: serialises user-visible state changes of the instance
 */
struct spar_dev {
	struct vfio_device vdev;
	struct mdev_device *mdev;
	struct spar_type *type;
	struct mutex lock;
};

static inline struct spar_type *to_spar_type(struct mdev_type *mtype)
{
	return container_of(mtype, struct spar_type, mtype);
}

static inline struct spar_dev *to_spar_dev(struct vfio_device *vdev)
{
	return container_of(vdev, struct spar_dev, vdev);
}

extern struct mdev_driver spar_mdev_driver;

#endif /* _SPAR_MDEV_H */
