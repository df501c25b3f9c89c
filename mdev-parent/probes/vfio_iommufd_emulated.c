// SPDX-License-Identifier: GPL-2.0
/* Emulated devices bind to iommufd through the VFIO core (since 6.2). */
#include <linux/vfio.h>

const struct vfio_device_ops probe = {
	.bind_iommufd = vfio_iommufd_emulated_bind,
	.unbind_iommufd = vfio_iommufd_emulated_unbind,
	.attach_ioas = vfio_iommufd_emulated_attach_ioas,
};
