/* fuzz_conf.c - the configuration file parser on arbitrary bytes.
 *
 * The input is a whole file, read through vax_config_read from an
 * fmemopen() stream, as vax_config_load reads a real one (line splitting
 * and the line-length limit included). Besides memory errors, checks what
 * the parser promises: an error names the file and says something; a
 * file that loads leaves every setting within its documented range.
 */
#include "config.h"

#include <string.h>

#include "conf.h"
#include "libvirt_events.h"
#include "fuzz.h"

#define NAME "fuzz.conf"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vax_config c;
	char err[512];
	/* A copy of exactly size bytes (fmemopen wants a writable buffer;
	 * ASan then sees any read past the input). */
	char *buf = malloc(size ? size : 1);
	FILE *f;
	int rc;

	if (!buf)
		return 0;
	if (size)
		memcpy(buf, data, size);
	if (!(f = fmemopen(buf, size, "r"))) {
		free(buf);
		return 0;
	}
	vax_config_init(&c);
	err[0] = '\0';
	rc = vax_config_read(&c, f, NAME, err, sizeof(err));
	fclose(f);
	free(buf);

	FUZZ_ASSERT(rc == 0 || rc == -1);
	if (rc < 0) {
		FUZZ_ASSERT(memchr(err, '\0', sizeof(err)) != NULL);
		FUZZ_ASSERT(strncmp(err, NAME ":", strlen(NAME ":")) == 0);
		FUZZ_ASSERT(strlen(err) > strlen(NAME ":"));
	} else {
		FUZZ_ASSERT(c.cache_timeout >= 1 && c.cache_timeout <= 86400);
		FUZZ_ASSERT(c.agentx_timeout <= 3600);
		FUZZ_ASSERT(c.agentx_ping >= 1 && c.agentx_ping <= 3600);
		FUZZ_ASSERT(c.refresh_wait_ms <= 500);
		FUZZ_ASSERT(c.trap_events != 0 && (c.trap_events & ~VAX_EV_ALL) == 0);
		/* A string setting is never empty (that is "needs a value"). */
		FUZZ_ASSERT(!c.uri || *c.uri);
		FUZZ_ASSERT(!c.index_file || *c.index_file);
		FUZZ_ASSERT(!c.agentx_socket || *c.agentx_socket);
	}
	/* An error may leave earlier lines applied: free must cope either way. */
	vax_config_free(&c);
	return 0;
}
