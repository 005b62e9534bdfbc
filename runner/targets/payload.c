/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "payload.h"
#include "vm.h"

#define PAYLOAD_MAX (64u << 20)

int payload_load(struct payload *p, const char *path, const char *env_var,
		 const char *default_rel, const char *cmd)
{
	char self[PATH_MAX];
	ssize_t len;
	struct stat st;
	int fd;

	*p = (struct payload){ 0 };
	if (!path)
		path = getenv(env_var);
	if (!path) {
		len = readlink("/proc/self/exe", self, sizeof(self) - 1);
		if (len <= 0)
			return -1;
		self[len] = '\0';
		snprintf(p->path, sizeof(p->path), "%s/%s", dirname(self), default_rel);
	} else {
		snprintf(p->path, sizeof(p->path), "%s", path);
	}
	fd = open(p->path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) || !S_ISREG(st.st_mode) || st.st_size <= 0 ||
	    st.st_size > PAYLOAD_MAX) {
		fprintf(stderr, "%s: cannot use the payload %s: %s; build it (ninja -C build) "
			"or name it on the command line\n", cmd, p->path,
			fd < 0 ? strerror(errno) : "not a regular file of sensible size");
		if (fd >= 0)
			close(fd);
		return -1;
	}
	p->data = malloc(st.st_size);
	if (p->data && read(fd, p->data, st.st_size) != st.st_size) {
		fprintf(stderr, "%s: cannot read the payload %s\n", cmd, p->path);
		free(p->data);
		p->data = NULL;
	}
	close(fd);
	p->size = p->data ? (size_t)st.st_size : 0;
	return p->data ? 0 : -1;
}

void payload_free(struct payload *p)
{
	free(p->data);
	p->data = NULL;
	p->size = 0;
}

uint32_t payload_kvm_tsc_khz(void)
{
	struct vm_config cfg = { .mem_bytes = VM_MIN_MEM, .nr_vcpus = 1 };
	struct vmm_err err = { 0 };
	struct vm *vm = vm_create(&cfg, &err);
	uint32_t khz = vm ? vm->tsc_khz : 0;

	vm_destroy(vm);
	return khz;
}
