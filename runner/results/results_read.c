/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "results_doc.h"
#include "results_read.h"
#include "table.h"

/* Where a refusal's reason goes; every check returns -1 after filling it. */
struct verdict {
	char *why;
	size_t len;
};

/*
 * The reason quotes the file (a foreign schema name, the parser's "near
 * '...'" token): keep it to printable ASCII, one line, whatever it held.
 */
static void why_printable(char *why)
{
	for (unsigned char *p = (unsigned char *)why; *p; p++)
		if (*p < 0x20 || *p >= 0x7f)
			*p = '?';
}

static int refuse(struct verdict *v, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int refuse(struct verdict *v, const char *fmt, ...)
{
	va_list ap;

	if (!v->len)
		return -1;
	va_start(ap, fmt);
	vsnprintf(v->why, v->len, fmt, ap);
	va_end(ap);
	why_printable(v->why);
	return -1;
}

static const char *json_kind(const json_t *j)
{
	switch (json_typeof(j)) {
	case JSON_OBJECT:
		return "an object";
	case JSON_ARRAY:
		return "an array";
	case JSON_STRING:
		return "a string";
	case JSON_INTEGER:
		return "an integer";
	case JSON_REAL:
		return "a real";
	case JSON_TRUE:
	case JSON_FALSE:
		return "a boolean";
	case JSON_NULL:
		return "null";
	}
	return "?";
}

/*
 * The types a field may have.  WANT_NUMBER takes an integer or a real: a
 * whole value may be written without a fraction (docs/results.md).
 */
enum want {
	WANT_STRING = 1 << 0,
	WANT_INTEGER = 1 << 1,
	WANT_NUMBER = 1 << 2,	/* integer or real */
	WANT_BOOL = 1 << 3,
	WANT_OBJECT = 1 << 4,
	WANT_ARRAY = 1 << 5,
	WANT_NULL = 1 << 6,
	WANT_ABSENT = 1 << 7,	/* the field is optional */
};

static bool want_met(const json_t *j, unsigned int want)
{
	if (!j)
		return want & WANT_ABSENT;
	return ((want & WANT_STRING) && json_is_string(j)) ||
	       ((want & WANT_INTEGER) && json_is_integer(j)) ||
	       ((want & WANT_NUMBER) && json_is_number(j)) ||
	       ((want & WANT_BOOL) && json_is_boolean(j)) ||
	       ((want & WANT_OBJECT) && json_is_object(j)) ||
	       ((want & WANT_ARRAY) && json_is_array(j)) || ((want & WANT_NULL) && json_is_null(j));
}

static const char *want_name(unsigned int want)
{
	want &= ~WANT_ABSENT;
	if (want == (WANT_INTEGER | WANT_NULL))
		return "an integer or null";
	if (want == (WANT_OBJECT | WANT_NULL))
		return "an object or null";
	if (want == (WANT_STRING | WANT_NULL))
		return "a string or null";
	if (want == WANT_STRING)
		return "a string";
	if (want == WANT_INTEGER)
		return "an integer";
	if (want == WANT_NUMBER)
		return "a number";
	if (want == WANT_BOOL)
		return "a boolean";
	if (want == WANT_OBJECT)
		return "an object";
	return "an array";
}

/* obj[key] in *out; 0 if its type is wanted, else -1 with a reason naming where it is. */
static int field_check(struct verdict *v, const json_t *obj, const char *where, const char *key,
		       unsigned int want, const json_t **out)
{
	const json_t *j = json_object_get(obj, key);

	*out = j;
	if (want_met(j, want))
		return 0;
	if (!j)
		return refuse(v, "%s%s is missing", where, key);
	return refuse(v, "%s%s is %s, not %s", where, key, json_kind(j), want_name(want));
}

/*
 * A terminal acts on C0 controls, DEL and the C1 controls U+0080..U+009F
 * (ESC and CSI among them).  Bytes of the one at s[i], or 0 if none is.
 */
static size_t control_len(const unsigned char *s, size_t i, size_t len)
{
	if (s[i] < 0x20 || s[i] == 0x7f)
		return 1;
	if (s[i] == 0xc2 && i + 1 < len && s[i + 1] >= 0x80 && s[i + 1] < 0xa0)
		return 2;
	return 0;
}

/*
 * Replace each control character by '?' in a string hvbench show prints,
 * so a file cannot drive the terminal.  jansson has already checked the
 * UTF-8, and swapping a whole character for '?' keeps it valid.  Anything
 * but a string is left alone.
 */
static int string_defang(json_t *j)
{
	const unsigned char *s;
	size_t len, i = 0, k = 0;
	char *copy;
	int e;

	if (!json_is_string(j))
		return 0;
	s = (const unsigned char *)json_string_value(j);
	len = json_string_length(j);
	while (i < len && !control_len(s, i, len))
		i++;
	if (i == len)
		return 0;
	copy = malloc(len + 1);
	if (!copy)
		return -1;
	for (i = 0; i < len;) {
		size_t c = control_len(s, i, len);

		copy[k++] = c ? '?' : (char)s[i];
		i += c ? c : 1;
	}
	copy[k] = '\0';
	e = json_string_setn(j, copy, k);
	free(copy);
	return e;
}

static int text_defang(json_t *obj, const char *key)
{
	return string_defang(json_object_get(obj, key));
}

/* A name the table prints in a column: a non-empty string of bounded length. */
static int name_check(struct verdict *v, const json_t *r, const char *where, const char *key)
{
	const json_t *j;

	if (field_check(v, r, where, key, WANT_STRING, &j))
		return -1;
	if (!json_string_length(j))
		return refuse(v, "%s%s is empty", where, key);
	if (json_string_length(j) > RESULTS_MAX_NAME)
		return refuse(v, "%s%s is longer than %u bytes", where, key, RESULTS_MAX_NAME);
	return 0;
}

/* A number of ns hvbench could have measured. */
static bool time_ok(const json_t *j)
{
	double t = json_number_value(j);

	return json_is_number(j) && t >= 0 && t <= RESULTS_MAX_NS;
}

static int summary_check(struct verdict *v, const json_t *s, const char *where)
{
	static const char *const numbers[] = { "min", "p50", "p90", "p99", "p99.9", "max",
					       "mean", "stddev", "mad" };
	static const char *const outliers[] = { "low", "high", "far" };
	const json_t *j, *ci, *out;
	char at[80];

	if (field_check(v, s, where, "n", WANT_INTEGER, &j))
		return -1;
	for (size_t i = 0; i < sizeof(numbers) / sizeof(numbers[0]); i++) {
		if (field_check(v, s, where, numbers[i], WANT_NUMBER, &j))
			return -1;
		if (!time_ok(j))
			return refuse(v, "%s%s is %g, not a time of 0 to %g ns", where, numbers[i],
				      json_number_value(j), RESULTS_MAX_NS);
	}
	if (field_check(v, s, where, "ci95_median", WANT_ARRAY, &ci))
		return -1;
	if (json_array_size(ci) != 2 || !time_ok(json_array_get(ci, 0)) ||
	    !time_ok(json_array_get(ci, 1)))
		return refuse(v, "%sci95_median is not [lo, hi], two times of 0 to %g ns", where,
			      RESULTS_MAX_NS);
	if (field_check(v, s, where, "outliers", WANT_OBJECT, &out))
		return -1;
	snprintf(at, sizeof(at), "%soutliers.", where);
	for (size_t i = 0; i < sizeof(outliers) / sizeof(outliers[0]); i++)
		if (field_check(v, out, at, outliers[i], WANT_INTEGER, &j))
			return -1;
	return 0;
}

/* Every per-operation figure, the counters of later versions too, is a number or null. */
static int per_op_check(struct verdict *v, const json_t *p, const char *where)
{
	const char *key;
	const json_t *j;

	json_object_foreach((json_t *)p, key, j)
		if (!json_is_number(j) && !json_is_null(j))
			return refuse(v, "%s%.40s is %s, not a number or null", where, key,
				      json_kind(j));
	return 0;
}

static int result_check(struct verdict *v, json_t *r, size_t i)
{
	static const char *const names[] = { "workload", "mode", "target", "status" };
	const json_t *j;
	char where[32], at[64];

	snprintf(where, sizeof(where), "results[%zu].", i);
	if (!json_is_object(r))
		return refuse(v, "results[%zu] is %s, not an object", i, json_kind(r));
	for (size_t k = 0; k < sizeof(names) / sizeof(names[0]); k++)
		if (name_check(v, r, where, names[k]))
			return -1;
	if (field_check(v, r, where, "cpl", WANT_INTEGER | WANT_NULL, &j))
		return -1;
	if (json_is_integer(j) && (json_integer_value(j) < 0 || json_integer_value(j) > 3))
		return refuse(v, "%scpl is %lld, not 0..3", where,
			      (long long)json_integer_value(j));
	if (field_check(v, r, where, "reason", WANT_STRING | WANT_ABSENT, &j))
		return -1;
	if (field_check(v, r, where, "summary", WANT_OBJECT | WANT_ABSENT, &j))
		return -1;
	snprintf(at, sizeof(at), "%ssummary.", where);
	if (j && summary_check(v, j, at))
		return -1;
	if (field_check(v, r, where, "per_op", WANT_OBJECT | WANT_NULL | WANT_ABSENT, &j))
		return -1;
	snprintf(at, sizeof(at), "%sper_op.", where);
	if (json_is_object(j) && per_op_check(v, j, at))
		return -1;
	for (size_t k = 0; k < sizeof(names) / sizeof(names[0]); k++)
		if (text_defang(r, names[k]))
			return refuse(v, "out of memory");
	if (text_defang(r, "reason"))
		return refuse(v, "out of memory");
	return 0;
}

/*
 * kind "conform": the conformance member's objects, field by field.  Its
 * strings are the guest's and the VMM's text, which a report prints, so
 * they are defanged like the table's.
 */
struct field {
	const char *key;
	unsigned int want;	/* or WANT_NAME: a name, as name_check wants it */
};

#define WANT_NAME (1u << 8)

static int object_check(struct verdict *v, json_t *obj, const char *where,
			const struct field *fields, size_t n)
{
	const json_t *j;

	if (!json_is_object(obj))
		return refuse(v, "%.*s is %s, not an object", (int)strlen(where) - 1, where,
			      json_kind(obj));
	for (size_t i = 0; i < n; i++) {
		if (fields[i].want == WANT_NAME ? name_check(v, obj, where, fields[i].key) :
		    field_check(v, obj, where, fields[i].key, fields[i].want, &j))
			return -1;
		if (text_defang(obj, fields[i].key))
			return refuse(v, "out of memory");
	}
	return 0;
}

static int conform_target_check(struct verdict *v, json_t *t, size_t i)
{
	static const struct field fields[] = {
		{ "name", WANT_NAME }, { "available", WANT_BOOL },
		{ "unavailable_why", WANT_STRING | WANT_NULL },
		{ "expectations", WANT_STRING | WANT_NULL }, { "summary", WANT_OBJECT },
	};
	static const char *const counts[] = { "pass", "fail", "skip", "timeout", "crash", "error",
					      "expected_fail", "unexpected_fail",
					      "unexpected_pass" };
	char where[64], at[80];
	const json_t *j;

	snprintf(where, sizeof(where), "conformance.targets[%zu].", i);
	if (object_check(v, t, where, fields, sizeof(fields) / sizeof(fields[0])))
		return -1;
	snprintf(at, sizeof(at), "%ssummary.", where);
	for (size_t k = 0; k < sizeof(counts) / sizeof(counts[0]); k++)
		if (field_check(v, json_object_get(t, "summary"), at, counts[k], WANT_INTEGER, &j))
			return -1;
	return 0;
}

static int conform_result_check(struct verdict *v, json_t *r, size_t i, size_t k)
{
	static const struct field fields[] = {
		{ "target", WANT_NAME }, { "status", WANT_NAME }, { "verdict", WANT_NAME },
		{ "reason", WANT_STRING | WANT_NULL }, { "fails", WANT_ARRAY },
		{ "checks", WANT_INTEGER }, { "seconds", WANT_NUMBER },
		{ "expected_reason", WANT_STRING | WANT_NULL },
	};
	json_t *fails;
	char where[80];

	snprintf(where, sizeof(where), "conformance.tests[%zu].results[%zu].", i, k);
	if (object_check(v, r, where, fields, sizeof(fields) / sizeof(fields[0])))
		return -1;
	fails = json_object_get(r, "fails");
	for (size_t f = 0; f < json_array_size(fails); f++) {
		if (!json_is_string(json_array_get(fails, f)))
			return refuse(v, "%sfails[%zu] is %s, not a string", where, f,
				      json_kind(json_array_get(fails, f)));
		if (string_defang(json_array_get(fails, f)))
			return refuse(v, "out of memory");
	}
	return 0;
}

static int conform_test_check(struct verdict *v, json_t *t, size_t i)
{
	static const struct field fields[] = {
		{ "id", WANT_NAME }, { "area", WANT_NAME }, { "spec", WANT_STRING },
		{ "description", WANT_STRING }, { "vcpus", WANT_INTEGER }, { "results", WANT_ARRAY },
	};
	char where[48];
	json_t *results;

	snprintf(where, sizeof(where), "conformance.tests[%zu].", i);
	if (object_check(v, t, where, fields, sizeof(fields) / sizeof(fields[0])))
		return -1;
	results = json_object_get(t, "results");
	for (size_t k = 0; k < json_array_size(results); k++)
		if (conform_result_check(v, json_array_get(results, k), i, k))
			return -1;
	return 0;
}

static int conformance_check(struct verdict *v, json_t *doc)
{
	static const struct field fields[] = {
		{ "targets", WANT_ARRAY }, { "tests", WANT_ARRAY }, { "seconds", WANT_NUMBER },
	};
	json_t *c = json_object_get(doc, "conformance"), *arr;

	if (!c)
		return refuse(v, "kind is \"conform\" but conformance is missing");
	if (object_check(v, c, "conformance.", fields, sizeof(fields) / sizeof(fields[0])))
		return -1;
	arr = json_object_get(c, "targets");
	for (size_t i = 0; i < json_array_size(arr); i++)
		if (conform_target_check(v, json_array_get(arr, i), i))
			return -1;
	arr = json_object_get(c, "tests");
	for (size_t i = 0; i < json_array_size(arr); i++)
		if (conform_test_check(v, json_array_get(arr, i), i))
			return -1;
	return 0;
}

/* What the file says it is: refused first, so a foreign file is named as such. */
static int schema_check(struct verdict *v, const json_t *doc)
{
	const json_t *j;
	json_int_t ver;

	j = json_object_get(doc, "schema");
	if (!j)
		return refuse(v, "no schema field: not an hvbench results file");
	if (!json_is_string(j))
		return refuse(v, "schema is %s, not a string", json_kind(j));
	if (strcmp(json_string_value(j), RESULTS_SCHEMA))
		return refuse(v, "schema is \"%.60s\", not \"%s\"", json_string_value(j),
			      RESULTS_SCHEMA);
	if (field_check(v, doc, "", "schema_version", WANT_INTEGER, &j))
		return -1;
	ver = json_integer_value(j);
	if (ver > RESULTS_SCHEMA_VERSION)
		return refuse(v, "schema_version %lld: written by a newer hvbench (this one reads "
			      "up to %d)", (long long)ver, RESULTS_SCHEMA_VERSION);
	if (ver < 1)
		return refuse(v, "schema_version %lld is not a version", (long long)ver);
	return 0;
}

/* The header hvbench show prints: kind, start, completeness, host and KVM backend. */
static int header_check(struct verdict *v, json_t *doc)
{
	const json_t *j;
	json_t *env;

	if (field_check(v, doc, "", "kind", WANT_STRING, &j) ||
	    field_check(v, doc, "", "started_at", WANT_STRING, &j) ||
	    field_check(v, doc, "", "complete", WANT_BOOL, &j) ||
	    field_check(v, doc, "", "environment", WANT_OBJECT | WANT_NULL | WANT_ABSENT, &j))
		return -1;
	env = (json_t *)j;
	if (text_defang(doc, "kind") || text_defang(doc, "started_at") ||
	    text_defang(env, "hostname") || text_defang(json_object_get(env, "kvm"), "backend"))
		return refuse(v, "out of memory");
	return 0;
}

/*
 * The one setting hvbench show reads: a run made slower on purpose
 * (--debug-pio-delay-ns) must not pass for an honest one.
 */
static int settings_check(struct verdict *v, const json_t *doc)
{
	const json_t *settings, *j;

	if (field_check(v, doc, "", "settings", WANT_OBJECT | WANT_NULL | WANT_ABSENT, &settings) ||
	    field_check(v, settings, "settings.", "debug_pio_delay_ns", WANT_INTEGER | WANT_ABSENT,
			&j))
		return -1;
	if (j && json_integer_value(j) < 0)
		return refuse(v, "settings.debug_pio_delay_ns is %lld, not a delay",
			      (long long)json_integer_value(j));
	return 0;
}

static int doc_check(struct verdict *v, json_t *doc)
{
	const json_t *arr;

	if (!json_is_object(doc))
		return refuse(v, "not a results file: the document is %s, not an object",
			      json_kind(doc));
	if (schema_check(v, doc) || header_check(v, doc) || settings_check(v, doc))
		return -1;
	if (!strcmp(json_string_value(json_object_get(doc, "kind")), "conform") &&
	    conformance_check(v, doc))
		return -1;
	if (field_check(v, doc, "", "results", WANT_ARRAY, &arr))
		return -1;
	if (json_array_size(arr) > RESULTS_MAX_CELLS)
		return refuse(v, "%zu results, more than the %u a results file may hold",
			      json_array_size(arr), RESULTS_MAX_CELLS);
	for (size_t i = 0; i < json_array_size(arr); i++)
		if (result_check(v, json_array_get(arr, i), i))
			return -1;
	return 0;
}

json_t *results_parse(const char *buf, size_t len, char *why, size_t why_len)
{
	struct verdict v = { why, why_len };
	json_error_t err;
	json_t *doc;

	if (why_len)
		why[0] = '\0';
	if (!len) {
		refuse(&v, "empty file");
		return NULL;
	}
	if (len > RESULTS_MAX_BYTES) {
		refuse(&v, "%zu bytes, more than the %u MiB a results file may have", len,
		       RESULTS_MAX_BYTES >> 20);
		return NULL;
	}
	/* A duplicate key could show one reader one value and another a different one. */
	doc = json_loadb(buf, len, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, &err);
	if (!doc) {
		refuse(&v, "not JSON: %s (line %d, column %d)", err.text, err.line, err.column);
		return NULL;
	}
	if (doc_check(&v, doc)) {
		json_decref(doc);
		return NULL;
	}
	return doc;
}

/*
 * The whole file, at most RESULTS_MAX_BYTES + 1 bytes of it (so that more
 * is seen); a pipe or /dev/stdin is read the same way as a file.
 */
static int file_slurp(int fd, size_t hint, char **out, size_t *out_len)
{
	size_t cap = hint + 1, len = 0;
	char *buf = malloc(cap);

	if (!buf)
		return -ENOMEM;
	for (;;) {
		ssize_t r;

		if (len == cap) {
			char *bigger;

			if (cap > RESULTS_MAX_BYTES) {
				free(buf);
				return -EFBIG;
			}
			cap = cap * 2 > RESULTS_MAX_BYTES + 1 ? RESULTS_MAX_BYTES + 1 : cap * 2;
			bigger = realloc(buf, cap);
			if (!bigger) {
				free(buf);
				return -ENOMEM;
			}
			buf = bigger;
		}
		r = read(fd, buf + len, cap - len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int e = -errno;

			free(buf);
			return e;
		}
		if (!r)
			break;
		len += (size_t)r;
	}
	*out = buf;
	*out_len = len;
	return 0;
}

json_t *results_load(const char *path, char *why, size_t why_len)
{
	struct verdict v = { why, why_len };
	struct stat st;
	size_t len = 0;
	char *buf = NULL;
	json_t *doc;
	int fd, e;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		refuse(&v, "cannot open: %s", strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st)) {
		refuse(&v, "cannot stat: %s", strerror(errno));
		close(fd);
		return NULL;
	}
	if (S_ISREG(st.st_mode) && (unsigned long long)st.st_size > RESULTS_MAX_BYTES) {
		refuse(&v, "%lld bytes, more than the %u MiB a results file may have",
		       (long long)st.st_size, RESULTS_MAX_BYTES >> 20);
		close(fd);
		return NULL;
	}
	e = file_slurp(fd, S_ISREG(st.st_mode) ? (size_t)st.st_size : 65536, &buf, &len);
	close(fd);
	if (e == -EFBIG) {
		refuse(&v, "more than the %u MiB a results file may have", RESULTS_MAX_BYTES >> 20);
		return NULL;
	}
	if (e) {
		refuse(&v, "cannot read: %s", strerror(-e));
		return NULL;
	}
	doc = results_parse(buf, len, why, why_len);
	free(buf);
	return doc;
}

static double number_or(const json_t *obj, const char *key, double otherwise)
{
	const json_t *j = json_object_get(obj, key);

	return json_is_number(j) ? json_number_value(j) : otherwise;
}

const char *results_target_name(const char *t)
{
	return t && !strcmp(t, "qemu") ? "qemu-kvm" : t;
}

const char *results_target_of(const json_t *r)
{
	if (json_is_true(json_object_get(r, "probes_off")))
		return "refvmm-np";
	return results_target_name(json_string_value(json_object_get(r, "target")));
}

/*
 * Exits per operation are per_op's, the mean over the measured repetitions;
 * the live table of hvbench run shows the first repetition's.
 */
static void result_row(const json_t *r, struct table_row *row)
{
	const json_t *sum = json_object_get(r, "summary"), *per_op = json_object_get(r, "per_op");
	const json_t *cpl = json_object_get(r, "cpl"), *rep;
	size_t i;

	*row = (struct table_row){
		.workload = json_string_value(json_object_get(r, "workload")),
		.mode = json_string_value(json_object_get(r, "mode")),
		.target = results_target_of(r),
		.status = json_string_value(json_object_get(r, "status")),
		.cpl = json_is_integer(cpl) ? (int)json_integer_value(cpl) : -1,
		.measured = sum != NULL,
		.p50 = number_or(sum, "p50", 0),
		.p99 = number_or(sum, "p99", 0),
		.min = number_or(sum, "min", 0),
		.exits = number_or(per_op, "exits", -1),
		.user_exits = number_or(per_op, "user_exits", -1),
		.reason = json_string_value(json_object_get(r, "reason")),
	};
	json_array_foreach(json_object_get(r, "repetitions"), i, rep) {
		const json_t *p50 = json_object_get(rep, "p50");

		if (json_is_number(p50))
			table_row_add_rep(row, json_number_value(p50));
	}
}

int results_rows(const json_t *doc, struct table_row **rows, size_t *n)
{
	const json_t *arr = json_object_get(doc, "results");
	size_t count = json_array_size(arr);
	struct table_row *r = calloc(count ? count : 1, sizeof(*r));

	if (!r)
		return -ENOMEM;
	for (size_t i = 0; i < count; i++)
		result_row(json_array_get(arr, i), &r[i]);
	*rows = r;
	*n = count;
	return 0;
}
