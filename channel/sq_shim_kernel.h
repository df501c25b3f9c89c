/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernel side of the signal queue shim: READ_ONCE/WRITE_ONCE for shared
 * words and the virt_* barriers, which stay real barriers in a
 * uniprocessor guest kernel that still shares memory with an SMP host.
 */
#ifndef _SPAR_SQ_SHIM_KERNEL_H
#define _SPAR_SQ_SHIM_KERNEL_H

#include <linux/types.h>
#include <linux/compiler.h>
#include <linux/errno.h>
#include <linux/stddef.h>
#include <linux/string.h>
#include <asm/barrier.h>
#include <asm/byteorder.h>

static inline u32 sq_load_le32(const void *p)
{
	return le32_to_cpu(READ_ONCE(*(const __le32 *)p));
}

static inline u64 sq_load_le64(const void *p)
{
	return le64_to_cpu(READ_ONCE(*(const __le64 *)p));
}

static inline void sq_store_le32(void *p, u32 v)
{
	WRITE_ONCE(*(__le32 *)p, cpu_to_le32(v));
}

static inline void sq_store_le64(void *p, u64 v)
{
	WRITE_ONCE(*(__le64 *)p, cpu_to_le64(v));
}

/* Barrier pairs are documented at each use. */
#define sq_mb()			virt_mb()
/* Barrier pairs are documented at each use. */
#define sq_rmb()		virt_rmb()
/* Barrier pairs are documented at each use. */
#define sq_wmb()		virt_wmb()

#define sq_memcpy(d, s, n)	memcpy(d, s, n)
#define sq_memset(d, c, n)	memset(d, c, n)

#endif /* _SPAR_SQ_SHIM_KERNEL_H */
