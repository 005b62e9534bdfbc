/* SPDX-License-Identifier: MIT */
/* What an environment record means for the figures measured in it (env_notes.c). */
#ifndef ENV_NOTES_H
#define ENV_NOTES_H

#include <jansson.h>
#include <stddef.h>

/* What env's KVM backend means for refvmm's guests, one line. */
void env_backend_note(const json_t *env, char *buf, size_t len);

/* What native figures measure on this host (bare metal or a guest), one line. */
void env_native_meaning(const json_t *env, char *buf, size_t len);

#endif
