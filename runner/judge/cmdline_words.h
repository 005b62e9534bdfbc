/* SPDX-License-Identifier: MIT */
/*
 * Two results files' kernel command lines as words, to say which words
 * only one of them has: compare's warnings and instance view, where a
 * word like pti=on is often the reason a mechanism moved.
 */
#ifndef CMDLINE_WORDS_H
#define CMDLINE_WORDS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

/* More words than any kernel's command line (COMMAND_LINE_SIZE is 2048 bytes on x86). */
#define CMDLINE_WORDS_MAX 1024

struct cmdline_words {
	char *words[2][CMDLINE_WORDS_MAX], *buf[2];
	size_t n[2];
	bool both;		/* both documents recorded a command line */
};

/* Split documents a's and b's environment.kernel.cmdline (cmdline_words_free it). */
void cmdline_words_take(struct cmdline_words *cl, const json_t *a, const json_t *b);
void cmdline_words_free(struct cmdline_words *cl);

/* Whether word i of side (0: a, 1: b) is on that side only. */
bool cmdline_words_only(const struct cmdline_words *cl, int side, size_t i);

/*
 * "only in LA: w1 w2; only in LB: w3", or "" when the words are the same
 * (malloc'ed; NULL if out of memory).  Both lines recorded, else "".
 */
char *cmdline_words_diff(const struct cmdline_words *cl, const char *la, const char *lb);

#endif
