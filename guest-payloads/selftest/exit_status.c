/* SPDX-License-Identifier: MIT */
/*
 * exit_status: ends the run with the status given as "status=N" on the
 * command line, so tests can check how each VMM reports a payload's status.
 */
#include "rt.h"

int guest_main(void)
{
	uint64_t status = rt_cmdline_u64("status", 0);

	rt_printf("exiting with status %lu\n", status);
	return (int)status;
}
