// SPDX-License-Identifier: GPL-2.0
/* An iommufd-bound device can detach from its IOAS (since 6.6). */
#include <linux/vfio.h>

const struct vfio_device_ops probe = {
	.detach_ioas = vfio_iommufd_emulated_detach_ioas,
};
