/* SPDX-License-Identifier: MIT */
/*
 * The command template of the vmm-cmd target (docs/vmm-cmd.md): how to start
 * any VMM that boots a PVH ELF and gives the guest COM1 on its stdout,
 *
 *	qemu-system-x86_64 -M microvm ... -m {mem_mib} -kernel {payload} -append {cmdline}
 *
 * The text is split into words as sh splits a simple command (blanks, '...',
 * "..." and backslashes), but no shell runs it: expansions, redirections,
 * pipes, lists and comments are refused rather than passed on literally.
 * Placeholders are substituted into the words after the split, so a value
 * (a command line with spaces, quotes or ';') is always part of one argument
 * and is never itself split or interpreted.  {{ and }} are literal braces.
 */
#ifndef VMM_TEMPLATE_H
#define VMM_TEMPLATE_H

#include <stddef.h>

/* The text comes from the command line or a config file: bounded. */
#define VMM_TEMPLATE_MAX_LEN 4096u
#define VMM_TEMPLATE_MAX_WORDS 256u

enum vmm_template_var {
	VMM_VAR_PAYLOAD,	/* {payload}: the PVH ELF's path (required) */
	VMM_VAR_CMDLINE,	/* {cmdline}: the guest kernel command line (required) */
	VMM_VAR_MEM_MIB,	/* {mem_mib}: guest memory in MiB */
	VMM_VAR_CPUS,		/* {cpus}: the number of vCPUs */
	VMM_NR_VARS
};

/* Where a placeholder goes: before byte at of its word's literal text. */
struct vmm_template_ref {
	size_t at;
	enum vmm_template_var var;
};

struct vmm_template_word {
	char *text;		/* the word without quotes and placeholders */
	size_t first_ref, nr_refs;	/* its placeholders in vmm_template.refs */
};

struct vmm_template {
	struct vmm_template_word *words;
	size_t nr_words;
	struct vmm_template_ref *refs;	/* in word order, in order within a word */
	size_t nr_refs;
	unsigned int uses;	/* 1 << VMM_VAR_x for each placeholder present */
	char *buf;		/* holds every word's text */
};

struct vmm_template_vars {
	const char *payload;
	const char *cmdline;
	unsigned int mem_mib;
	unsigned int cpus;
};

/*
 * Parse a template (a NUL-terminated string) into t.  0, or -1 with why set
 * to a one-line "vmm-cmd: ..." message; t then holds nothing (freeing it is
 * harmless).  The first word names the VMM and holds no placeholder.
 */
int vmm_template_parse(struct vmm_template *t, const char *text, char *why, size_t why_len);

/*
 * The argv to run: one element per word, the placeholders replaced by v's
 * values as they are, NULL-terminated, freed with vmm_template_argv_free.
 * 0, -EINVAL when a placeholder used has no value in v, or -ENOMEM.
 */
int vmm_template_expand(const struct vmm_template *t, const struct vmm_template_vars *v,
			char ***argv_out);

void vmm_template_argv_free(char **argv);

/*
 * The program argv[0] names, found as execvp finds it (a name with a '/' is
 * that file, another is searched for in PATH): its path into path, or -1
 * with why saying what is wrong ("vmm-cmd: 'firecracker' not found in PATH
 * (/usr/bin:/bin)").  A check before the run, so that a typo is reported as
 * such rather than as a VMM failing with exit status 127.
 */
int vmm_template_resolve(const struct vmm_template *t, char *path, size_t len, char *why,
			 size_t why_len);

void vmm_template_free(struct vmm_template *t);

#endif
