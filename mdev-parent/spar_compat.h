/* SPDX-License-Identifier: GPL-2.0 */
/*
 * spar-mdev host module: the kernel interfaces that differ between the
 * kernels the module builds for.  The rest of the module uses one spelling;
 * this header maps it onto the kernel at hand, using the results of
 * feature tests that the build compiles against that kernel first.
 */
#ifndef _SPAR_COMPAT_H
#define _SPAR_COMPAT_H

#include <linux/device/class.h>
#include <linux/eventfd.h>
#include <linux/module.h>
#include <linux/vfio.h>

#include "spar_probed.h"

#ifdef SPAR_HAVE_LINUX_UNALIGNED_H
#include <linux/unaligned.h>
#else
#include <asm/unaligned.h>
#endif

/* Since 6.4 a class no longer records its owner. */
static inline struct class *spar_class_create(const char *name)
{
#ifdef SPAR_HAVE_CLASS_CREATE_NO_OWNER
	return class_create(name);
#else
	return class_create(THIS_MODULE, name);
#endif
}

/* Since 6.8 an eventfd signal always adds one. */
static inline void spar_eventfd_signal(struct eventfd_ctx *ctx)
{
#ifdef SPAR_HAVE_EVENTFD_SIGNAL_NO_COUNT
	eventfd_signal(ctx);
#else
	eventfd_signal(ctx, 1);
#endif
}

/*
 * The last thing a vfio_device's release op does.  Where the VFIO core
 * frees the device itself after release returns, there is nothing to do.
 */
static inline void spar_vfio_free_device(struct vfio_device *vdev)
{
#ifdef SPAR_HAVE_VFIO_FREE_DEVICE
	vfio_free_device(vdev);
#endif
}

/*
 * An emulated device bound through iommufd lets the VFIO core look after
 * the binding; on kernels built with IOMMUFD registration fails without
 * these ops.  Where IOMMUFD is off the helpers are NULL, as the core
 * expects.
 */
#if defined(SPAR_HAVE_VFIO_DETACH_IOAS)
#define SPAR_VFIO_EMULATED_IOMMUFD_OPS				\
	.bind_iommufd = vfio_iommufd_emulated_bind,		\
	.unbind_iommufd = vfio_iommufd_emulated_unbind,		\
	.attach_ioas = vfio_iommufd_emulated_attach_ioas,	\
	.detach_ioas = vfio_iommufd_emulated_detach_ioas,
#elif defined(SPAR_HAVE_VFIO_IOMMUFD_EMULATED)
#define SPAR_VFIO_EMULATED_IOMMUFD_OPS				\
	.bind_iommufd = vfio_iommufd_emulated_bind,		\
	.unbind_iommufd = vfio_iommufd_emulated_unbind,		\
	.attach_ioas = vfio_iommufd_emulated_attach_ioas,
#else
#define SPAR_VFIO_EMULATED_IOMMUFD_OPS
#endif

#endif /* _SPAR_COMPAT_H */
