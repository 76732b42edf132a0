/* replay.c - feed files to a fuzz target's LLVMFuzzerTestOneInput, without
 * libFuzzer: the seed corpora run as regression tests in make check with
 * any compiler (and under --enable-sanitizers in make distcheck).
 *
 *   replay_TARGET FILE|DIR...
 *
 * A directory means every regular file in it (not recursive, sorted, dot
 * files skipped). Exit 0 when every input ran; a finding crashes (abort,
 * sanitizer report), as under the fuzzer. A missing or empty argument is
 * an error: a corpus that silently went away must not pass.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"

static int run_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL, *p;
	size_t len = 0, cap = 0, n;

	if (!f) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		return -1;
	}
	do {
		if (len == cap) {
			cap = cap ? cap * 2 : 4096;
			if (!(p = realloc(buf, cap))) {
				fprintf(stderr, "replay: %s: out of memory\n", path);
				free(buf);
				fclose(f);
				return -1;
			}
			buf = p;
		}
		n = fread(buf + len, 1, cap - len, f);
		len += n;
	} while (n > 0);
	if (ferror(f)) {
		fprintf(stderr, "replay: %s: read error\n", path);
		free(buf);
		fclose(f);
		return -1;
	}
	fclose(f);
	/* An exact copy: ASan sees a read past the input's end, as under
	 * libFuzzer. */
	p = malloc(len ? len : 1);
	if (!p) {
		free(buf);
		return -1;
	}
	if (len)
		memcpy(p, buf, len);
	free(buf);
	LLVMFuzzerTestOneInput(p, len);
	free(p);
	return 0;
}

static int skip_dot(const struct dirent *e)
{
	return e->d_name[0] != '.';
}

/* Returns the number of inputs run, -1 on an error. */
static long run_path(const char *path)
{
	struct dirent **names;
	struct stat st;
	long count = 0;
	int n;

	if (stat(path, &st) < 0) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode))
		return run_file(path) < 0 ? -1 : 1;
	if ((n = scandir(path, &names, skip_dot, alphasort)) < 0) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		return -1;
	}
	for (int i = 0; i < n; i++) {
		char *file;
		if (count >= 0 && asprintf(&file, "%s/%s", path, names[i]->d_name) >= 0) {
			if (stat(file, &st) == 0 && S_ISREG(st.st_mode))
				count = run_file(file) < 0 ? -1 : count + 1;
			free(file);
		} else {
			count = -1;
		}
		free(names[i]);
	}
	free(names);
	return count;
}

int main(int argc, char **argv)
{
	int rc = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: %s FILE|DIR...\n", argv[0]);
		return 2;
	}
	for (int i = 1; i < argc; i++) {
		long n = run_path(argv[i]);
		if (n <= 0) {
			if (n == 0)
				fprintf(stderr, "replay: %s: no inputs\n", argv[i]);
			rc = 1;
			continue;
		}
		printf("replay: %s: %ld input%s, no finding\n", argv[i], n, n == 1 ? "" : "s");
	}
	return rc;
}
