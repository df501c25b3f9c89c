// SPDX-License-Identifier: GPL-2.0
/*
 * spar-mdev host module: the mdev parent.
 *
 * One parent device of class "spar" offers three mdev types, spar-nic,
 * spar-hba and spar-input.  Each instance becomes an emulated PCI function
 * whose BAR holds s-Par channels.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/device.h>
#include <linux/module.h>
#include <linux/slab.h>

#include "spar_mdev.h"

static unsigned int max_nic = 16;
module_param(max_nic, uint, 0444);
MODULE_PARM_DESC(max_nic, "Number of spar-nic instances allowed (1-1024, default 16)");

static unsigned int max_hba = 16;
module_param(max_hba, uint, 0444);
MODULE_PARM_DESC(max_hba, "Number of spar-hba instances allowed (1-1024, default 16)");

static unsigned int max_input = 4;
module_param(max_input, uint, 0444);
MODULE_PARM_DESC(max_input, "Number of spar-input instances allowed (1-1024, default 4)");

static struct spar_type spar_types[SPAR_NR_TYPES] = {
	[SPAR_TYPE_NIC] = {
		.mtype.sysfs_name = "nic",
		.mtype.pretty_name = "spar-nic",
		.id = SPAR_TYPE_NIC,
		.pci_device = SPAR_PCI_DEVICE_ID_NIC,
		.pci_class = SPAR_PCI_CLASS_NIC,
		.transport_type = SPAR_TRANSPORT_TYPE_NIC,
		.ops = &spar_nic_ops,
		.description =
			"s-Par virtual NIC: one VNIC IO channel served by a host network interface",
	},
	[SPAR_TYPE_HBA] = {
		.mtype.sysfs_name = "hba",
		.mtype.pretty_name = "spar-hba",
		.id = SPAR_TYPE_HBA,
		.pci_device = SPAR_PCI_DEVICE_ID_HBA,
		.pci_class = SPAR_PCI_CLASS_HBA,
		.transport_type = SPAR_TRANSPORT_TYPE_HBA,
		.description =
			"s-Par virtual SCSI HBA: one VHBA IO channel served by a LIO target",
	},
	[SPAR_TYPE_INPUT] = {
		.mtype.sysfs_name = "input",
		.mtype.pretty_name = "spar-input",
		.id = SPAR_TYPE_INPUT,
		.pci_device = SPAR_PCI_DEVICE_ID_INPUT,
		.pci_class = SPAR_PCI_CLASS_INPUT,
		.transport_type = SPAR_TRANSPORT_TYPE_INPUT,
		.description =
			"s-Par virtual keyboard and mouse: two input channels fed by host sources",
	},
};

static struct mdev_type *spar_mdev_types[SPAR_NR_TYPES] = {
	&spar_types[SPAR_TYPE_NIC].mtype,
	&spar_types[SPAR_TYPE_HBA].mtype,
	&spar_types[SPAR_TYPE_INPUT].mtype,
};

/**
 * struct spar_parent - the single parent device
 * @dev: class device the mdev types hang off; its release frees this
 * @parent: mdev core state for @dev
 */
struct spar_parent {
	struct device dev;
	struct mdev_parent parent;
};

static struct class *spar_class;
static struct spar_parent *spar_parent;

static void spar_parent_release(struct device *dev)
{
	kfree(container_of(dev, struct spar_parent, dev));
}

static int spar_check_limit(const char *param, unsigned int val)
{
	if (val >= 1 && val <= SPAR_MAX_INSTANCES_LIMIT)
		return 0;
	pr_err("%s=%u is out of range: it must be between 1 and %u\n",
	       param, val, SPAR_MAX_INSTANCES_LIMIT);
	return -EINVAL;
}

static int spar_set_limits(void)
{
	if (spar_check_limit("max_nic", max_nic) ||
	    spar_check_limit("max_hba", max_hba) ||
	    spar_check_limit("max_input", max_input))
		return -EINVAL;

	spar_types[SPAR_TYPE_NIC].max_instances = max_nic;
	spar_types[SPAR_TYPE_HBA].max_instances = max_hba;
	spar_types[SPAR_TYPE_INPUT].max_instances = max_input;
	return 0;
}

static int spar_parent_create(void)
{
	struct spar_parent *p;
	int ret;

	p = kzalloc(sizeof(*p), GFP_KERNEL);
	if (!p)
		return -ENOMEM;

	p->dev.class = spar_class;
	p->dev.release = spar_parent_release;
	dev_set_name(&p->dev, "%s", SPAR_PARENT_NAME);
	ret = device_register(&p->dev);
	if (ret)
		goto err_put;

	ret = mdev_register_parent(&p->parent, &p->dev, &spar_mdev_driver,
				   spar_mdev_types, ARRAY_SIZE(spar_mdev_types));
	if (ret)
		goto err_unregister;

	spar_parent = p;
	return 0;

err_unregister:
	device_unregister(&p->dev);
	return ret;
err_put:
	/* device_register() failed: the reference is still ours to drop. */
	put_device(&p->dev);
	return ret;
}

static void spar_parent_destroy(void)
{
	/* Removes every remaining instance before it returns. */
	mdev_unregister_parent(&spar_parent->parent);
	device_unregister(&spar_parent->dev);
	spar_parent = NULL;
}

static int __init spar_init(void)
{
	int ret;

	ret = spar_set_limits();
	if (ret)
		return ret;

	ret = mdev_register_driver(&spar_mdev_driver);
	if (ret)
		return ret;

	spar_class = spar_class_create(SPAR_CLASS_NAME);
	if (IS_ERR(spar_class)) {
		ret = PTR_ERR(spar_class);
		goto err_driver;
	}

	ret = spar_parent_create();
	if (ret)
		goto err_class;

	pr_info("loaded: %u spar-nic, %u spar-hba, %u spar-input instances allowed\n",
		max_nic, max_hba, max_input);
	return 0;

err_class:
	class_destroy(spar_class);
err_driver:
	mdev_unregister_driver(&spar_mdev_driver);
	return ret;
}

static void __exit spar_exit(void)
{
	spar_parent_destroy();
	class_destroy(spar_class);
	mdev_unregister_driver(&spar_mdev_driver);
}

module_init(spar_init);
module_exit(spar_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("s-Par channels as VFIO mediated devices");
MODULE_SOFTDEP("pre: vfio_iommu_type1");
