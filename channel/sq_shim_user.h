/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Userspace side of the signal queue shim: relaxed __atomic loads and
 * stores give single-copy access to shared words, __atomic_thread_fence
 * gives the barriers.
 */
#ifndef _SPAR_SQ_SHIM_USER_H
#define _SPAR_SQ_SHIM_USER_H

#include <endian.h>
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>
#include <linux/types.h>

typedef __u8 u8;
typedef __u16 u16;
typedef __u32 u32;
typedef __u64 u64;

static inline u32 sq_load_le32(const void *p)
{
	return le32toh(__atomic_load_n((const u32 *)p, __ATOMIC_RELAXED));
}

static inline u64 sq_load_le64(const void *p)
{
	return le64toh(__atomic_load_n((const u64 *)p, __ATOMIC_RELAXED));
}

static inline void sq_store_le32(void *p, u32 v)
{
	__atomic_store_n((u32 *)p, htole32(v), __ATOMIC_RELAXED);
}

static inline void sq_store_le64(void *p, u64 v)
{
	__atomic_store_n((u64 *)p, htole64(v), __ATOMIC_RELAXED);
}

/*
 * An acquire fence orders earlier loads before later loads and stores, a
 * release fence orders earlier loads and stores before later stores: each
 * is at least as strong as the kernel barrier it stands in for.
 */
#define sq_mb()			__atomic_thread_fence(__ATOMIC_SEQ_CST)
#define sq_rmb()		__atomic_thread_fence(__ATOMIC_ACQUIRE)
#define sq_wmb()		__atomic_thread_fence(__ATOMIC_RELEASE)

#define sq_memcpy(d, s, n)	memcpy(d, s, n)
#define sq_memset(d, c, n)	memset(d, c, n)

#endif /* _SPAR_SQ_SHIM_USER_H */
