/* SPDX-License-Identifier: GPL-2.0 */
/*
 * spar-mdev host module: the device types the parent offers.
 *
 * One line per type, in the order the types are registered.  For the line
 * X(name), the type's back-end defines the descriptor spar_<name>_type,
 * and the parent offers the mdev type spar-<name> with the module
 * parameter max_<name>.  Users of the list give @X and what follows each
 * line, @end: ";" after declarations, nothing after initialisers that end
 * in a comma.
 */
#ifndef _SPAR_TYPES_H
#define _SPAR_TYPES_H

#define SPAR_TYPES(X, end)	\
	X(nic) end		\
	X(hba) end		\
	X(input) end		\
	/* end of the table */

#endif /* _SPAR_TYPES_H */
