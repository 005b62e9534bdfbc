/* SPDX-License-Identifier: MIT */
#include <string.h>

#include "dev.h"
#include "dev_conform_ctl.h"
#include "dev_debug_exit.h"
#include "dev_pv_console.h"
#include "dev_serial.h"
#include "dev_set.h"
#include "dev_testdev.h"

#define NR(a) (sizeof(a) / sizeof((a)[0]))

static const struct dev_type *const standard[] = {
	&dev_serial, &dev_pv_console, &dev_debug_exit,
};

static const struct dev_type *const conform[] = {
	&dev_serial, &dev_pv_console, &dev_debug_exit, &dev_testdev, &dev_conform_ctl,
};

const struct dev_set dev_set_standard = { "standard", standard, NR(standard) };
const struct dev_set dev_set_conform = { "conform", conform, NR(conform) };

const struct dev_set *dev_set_find(const char *name)
{
	static const struct dev_set *const sets[] = { &dev_set_standard, &dev_set_conform };

	for (size_t i = 0; i < NR(sets); i++)
		if (!strcmp(name, sets[i]->name))
			return sets[i];
	return NULL;
}

uint32_t dev_set_faults(const struct dev_set *set)
{
	uint32_t faults = 0;

	for (unsigned int i = 0; i < set->nr; i++)
		faults |= set->types[i]->faults;
	return faults;
}
