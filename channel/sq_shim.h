/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Environment shim for the signal queue implementation.
 *
 * signalqueue.c is compiled unchanged into kernel modules and into
 * userspace programs.  It reaches types, byte order, shared-word
 * accessors, barriers and memcpy only through the names defined by the
 * two headers selected here:
 *
 *   u8/u16/u32/u64, bool          fixed-width and boolean types
 *   sq_load_le32(p), sq_load_le64(p)
 *                                 one single-copy load of a little-endian
 *                                 word in shared memory, host order result
 *   sq_store_le32(p, v), sq_store_le64(p, v)
 *                                 one single-copy store of a word
 *   sq_mb(), sq_rmb(), sq_wmb()   full, read and write barriers that order
 *                                 accesses against the other side of the
 *                                 channel (another CPU, VM or process)
 *   sq_memcpy, sq_memset          bulk copies of slot bodies
 *   EAGAIN, EINVAL, EIO, ENOSPC, EMSGSIZE, EPROTO
 *
 * Word accessors take a plain address so that no pointer to a member of
 * a packed structure is ever formed; callers keep words naturally
 * aligned.
 */
#ifndef _SPAR_SQ_SHIM_H
#define _SPAR_SQ_SHIM_H

#ifdef __KERNEL__
#include "sq_shim_kernel.h"
#else
#include "sq_shim_user.h"
#endif

#endif /* _SPAR_SQ_SHIM_H */
