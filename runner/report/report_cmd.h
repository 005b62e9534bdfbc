/* SPDX-License-Identifier: MIT */
/* `hvbench report` (report_cmd.c): an HTML report of results files. */
#ifndef REPORT_CMD_H
#define REPORT_CMD_H

/* Exit status when out of memory (the others are run.h's). */
#define EXIT_NO_MEMORY 70

int report_main(int argc, char **argv);

#endif
