// SPDX-License-Identifier: GPL-2.0
/*
 * spar-mdev host module: creating and removing instances.
 */
#include <linux/device.h>
#include <linux/module.h>

#include "spar_mdev.h"

/*
 * Take one instance of @t's limit.  Fails once every instance is in use;
 * the mdev core hands the error back to the writer of "create".
 */
static int spar_type_reserve(struct spar_type *t, struct mdev_device *mdev)
{
	if (atomic_add_unless(&t->live, 1, t->max_instances))
		return 0;

	dev_err_ratelimited(&mdev->dev,
			    "%s: all %u instances are in use; remove one or reload with a larger limit\n",
			    t->mtype.pretty_name, t->max_instances);
	return -EUSERS;
}

static void spar_type_unreserve(struct spar_type *t)
{
	atomic_dec(&t->live);
}

static int spar_dev_init(struct vfio_device *vdev)
{
	struct spar_dev *sdev = to_spar_dev(vdev);
	struct mdev_device *mdev = to_mdev_device(vdev->dev);
	struct spar_type *t = to_spar_type(mdev->type);
	int ret;

	ret = spar_type_reserve(t, mdev);
	if (ret)
		return ret;

	sdev->mdev = mdev;
	sdev->type = t;
	mutex_init(&sdev->lock);
	return 0;
}

/* Last reference gone: nothing can reach the instance any more. */
static void spar_dev_release(struct vfio_device *vdev)
{
	struct spar_dev *sdev = to_spar_dev(vdev);

	mutex_destroy(&sdev->lock);
	spar_type_unreserve(sdev->type);
	vfio_free_device(vdev);
}

static const struct vfio_device_ops spar_vfio_ops = {
	.name = "spar-mdev",
	.init = spar_dev_init,
	.release = spar_dev_release,
};

static int spar_mdev_probe(struct mdev_device *mdev)
{
	struct spar_dev *sdev;
	int ret;

	sdev = vfio_alloc_device(spar_dev, vdev, &mdev->dev, &spar_vfio_ops);
	if (IS_ERR(sdev))
		return PTR_ERR(sdev);

	ret = vfio_register_emulated_iommu_dev(&sdev->vdev);
	if (ret)
		goto err_put;

	dev_set_drvdata(&mdev->dev, sdev);
	return 0;

err_put:
	vfio_put_device(&sdev->vdev);
	return ret;
}

static void spar_mdev_remove(struct mdev_device *mdev)
{
	struct spar_dev *sdev = dev_get_drvdata(&mdev->dev);

	/* Waits until every user of the VFIO device has closed it. */
	vfio_unregister_group_dev(&sdev->vdev);
	vfio_put_device(&sdev->vdev);
}

static unsigned int spar_get_available(struct mdev_type *mtype)
{
	struct spar_type *t = to_spar_type(mtype);
	int live = atomic_read(&t->live);

	return live < t->max_instances ? t->max_instances - live : 0;
}

static ssize_t spar_show_description(struct mdev_type *mtype, char *buf)
{
	return sysfs_emit(buf, "%s\n", to_spar_type(mtype)->description);
}

struct mdev_driver spar_mdev_driver = {
	.device_api = VFIO_DEVICE_API_PCI_STRING,
	.driver = {
		.name = "spar_mdev",
		.owner = THIS_MODULE,
		.mod_name = KBUILD_MODNAME,
	},
	.probe = spar_mdev_probe,
	.remove = spar_mdev_remove,
	.get_available = spar_get_available,
	.show_description = spar_show_description,
};
