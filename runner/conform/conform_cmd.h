/* SPDX-License-Identifier: MIT */
/* `hvbench conform` (conform_cmd.c). */
#ifndef CONFORM_CMD_H
#define CONFORM_CMD_H

#define CONFORM_EXIT_UNEXPECTED 1	/* an unexpected failure (or pass, with --strict) */
#define CONFORM_EXIT_ENV 2		/* usage or environment error */

int conform_main(int argc, char **argv, const char *command);

#endif
