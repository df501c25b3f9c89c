// SPDX-License-Identifier: GPL-2.0
/*
 * A vfio_device's release op must free the device with vfio_free_device()
 * (6.1 only: later kernels free it after release returns).
 */
#include <linux/vfio.h>

void (*probe)(struct vfio_device *vdev) = vfio_free_device;
