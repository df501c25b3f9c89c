/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Input format of the spar-hba command validator's fuzz target and its
 * seed generator.  The guest controls the slot; the geometry and the
 * transfer limit vary too, so that the validator is tried against every
 * channel it might be given.
 *
 *   bytes 0-3     max_io_size, little-endian: the longest transfer allowed
 *   bytes 4-5     slot_len, little-endian: the queue's signal size
 *   the rest      the slot, cut to slot_len or padded with zeros to it
 */
#ifndef _SPAR_FUZZ_HBA_H
#define _SPAR_FUZZ_HBA_H

#define FUZZ_HBA_HDR_LEN	6

#endif /* _SPAR_FUZZ_HBA_H */
