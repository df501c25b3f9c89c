// SPDX-License-Identifier: GPL-2.0
/*
 * spar-mdev host module: the mdev parent.
 *
 * One parent device of class "spar" offers one mdev type per line of the
 * type table.  Each instance becomes an emulated PCI function whose BAR
 * holds s-Par channels.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/device.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/stringify.h>
#include <linux/sysfs.h>

#include "spar_mdev.h"

static int spar_limit_set(const char *val, const struct kernel_param *kp);
static int spar_limit_get(char *buf, const struct kernel_param *kp);

static const struct kernel_param_ops spar_limit_ops = {
	.set = spar_limit_set,
	.get = spar_limit_get,
};

/* Each type of the table, and its limit as the module parameter max_<name>. */
#define SPAR_TYPE_DEFINE(name)						\
	static struct spar_type spar_type_##name = {			\
		.table_name = #name,					\
		.desc = &spar_##name##_type,				\
	};								\
	module_param_cb(max_##name, &spar_limit_ops, &spar_type_##name, 0444); \
	__MODULE_PARM_TYPE(max_##name, "uint");				\
	MODULE_PARM_DESC(max_##name, "Number of spar-" #name		\
			 " instances allowed (1-"			\
			 __stringify(SPAR_MAX_INSTANCES_LIMIT) ")")
SPAR_TYPES(SPAR_TYPE_DEFINE, ;)

#define SPAR_TYPE_REF(name) (&spar_type_##name),
static struct spar_type *const spar_types[] = {
	SPAR_TYPES(SPAR_TYPE_REF, /* each entry ends in a comma */)
};

static struct mdev_type *spar_mdev_types[ARRAY_SIZE(spar_types)];

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

static bool fault_inject;
module_param(fault_inject, bool, 0444);
MODULE_PARM_DESC(fault_inject,
		 "Offer debugfs files that make instances misbehave towards their guests, for testing guest drivers (default: off)");

struct dentry *spar_debugfs_faults;

static void spar_parent_release(struct device *dev)
{
	kfree(container_of(dev, struct spar_parent, dev));
}

/* Range checks wait for spar_init(), so that the message is the module's. */
static int spar_limit_set(const char *val, const struct kernel_param *kp)
{
	struct spar_type *t = kp->arg;
	int ret;

	ret = kstrtouint(val, 0, &t->max_instances);
	if (!ret)
		t->limit_given = true;
	return ret;
}

static int spar_limit_get(char *buf, const struct kernel_param *kp)
{
	const struct spar_type *t = kp->arg;

	return sysfs_emit(buf, "%u\n", t->max_instances);
}

static int spar_check_limit(struct spar_type *t)
{
	if (!t->limit_given)
		t->max_instances = t->desc->default_limit;
	if (t->max_instances >= 1 &&
	    t->max_instances <= SPAR_MAX_INSTANCES_LIMIT)
		return 0;
	pr_err("max_%s=%u is out of range: it must be between 1 and %u\n",
	       t->desc->sysfs_name, t->max_instances,
	       SPAR_MAX_INSTANCES_LIMIT);
	return -EINVAL;
}

/* A descriptor the core cannot serve is a bug in its back-end. */
static int spar_check_plan(const struct spar_chan_plan *p, size_t *msg_size)
{
	unsigned int q;

	if (!p->geometry || !p->nr_queues ||
	    p->nr_queues > SPAR_TRANSPORT_MAX_QUEUES)
		return -EINVAL;
	for (q = 0; q < p->nr_queues; q++) {
		const struct spar_queue_plan *qp = &p->queues[q];

		if (!qp->signal_size)
			return -EINVAL;
		if (qp->role == SPAR_SQ_SERVER_CONSUMES)
			*msg_size = max_t(size_t, *msg_size, qp->signal_size);
	}
	return 0;
}

static int spar_check_type(struct spar_type *t)
{
	const struct spar_type_desc *d = t->desc;
	unsigned int c;

	if (!d->sysfs_name || strcmp(d->sysfs_name, t->table_name) ||
	    !d->name || !d->description || !d->chans ||
	    !d->nr_chans || d->nr_chans > SPAR_TRANSPORT_MAX_CHANNELS)
		goto bad;
	t->msg_size = 0;
	t->ring_sized = false;
	for (c = 0; c < d->nr_chans; c++) {
		if (spar_check_plan(&d->chans[c], &t->msg_size))
			goto bad;
		t->ring_sized |= d->chans[c].ring_sized;
	}
	/*
	 * A back-end handles what the guest sends on the queues the host
	 * consumes; one whose channels have none (input) only produces.
	 */
	if (d->ops && (t->msg_size > SPAR_ENGINE_MSG_MAX ||
		       (t->msg_size && !d->ops->handle) ||
		       (!t->msg_size && !d->ops->poll)))
		goto bad;
	return spar_check_limit(t);
bad:
	pr_err("type %s: its descriptor is not valid\n", t->table_name);
	return -EINVAL;
}

static int spar_types_init(void)
{
	unsigned int i;
	int ret;

	for (i = 0; i < ARRAY_SIZE(spar_types); i++) {
		struct spar_type *t = spar_types[i];

		ret = spar_check_type(t);
		if (ret)
			return ret;
		atomic_set(&t->live, 0);
		t->mtype.sysfs_name = t->desc->sysfs_name;
		t->mtype.pretty_name = t->desc->name;
		spar_mdev_types[i] = &t->mtype;
	}
	return spar_types_groups_init(spar_types, ARRAY_SIZE(spar_types));
}

static void spar_log_limits(void)
{
	char buf[160];
	unsigned int i;
	int len = 0;

	for (i = 0; i < ARRAY_SIZE(spar_types); i++)
		len += scnprintf(buf + len, sizeof(buf) - len, "%s%u %s",
				 i ? ", " : "", spar_types[i]->max_instances,
				 spar_types[i]->desc->name);
	pr_info("loaded: %s instances allowed\n", buf);
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

	ret = spar_types_init();
	if (ret)
		return ret;

	ret = spar_hba_register();
	if (ret)
		goto err_groups;

	ret = mdev_register_driver(&spar_mdev_driver);
	if (ret)
		goto err_fabric;

	spar_class = spar_class_create(SPAR_CLASS_NAME);
	if (IS_ERR(spar_class)) {
		ret = PTR_ERR(spar_class);
		goto err_driver;
	}

	ret = spar_parent_create();
	if (ret)
		goto err_class;

	if (fault_inject) {
		spar_debugfs_faults = debugfs_create_dir(KBUILD_MODNAME, NULL);
		pr_warn("fault injection enabled: instances misbehave on request under debugfs %s/\n",
			KBUILD_MODNAME);
	}
	spar_log_limits();
	return 0;

err_class:
	class_destroy(spar_class);
err_driver:
	mdev_unregister_driver(&spar_mdev_driver);
err_fabric:
	spar_hba_unregister();
err_groups:
	spar_types_groups_exit();
	return ret;
}

static void __exit spar_exit(void)
{
	spar_parent_destroy();
	debugfs_remove(spar_debugfs_faults);
	class_destroy(spar_class);
	mdev_unregister_driver(&spar_mdev_driver);
	spar_hba_unregister();
	spar_types_groups_exit();
}

module_init(spar_init);
module_exit(spar_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("s-Par channels as VFIO mediated devices");
MODULE_SOFTDEP("pre: vfio_iommu_type1");
