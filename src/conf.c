/* conf.c - a small line-oriented parser for virt-agentx.conf.
 *
 * Our own rather than net-snmp's read_config: net-snmp only warns about an
 * unknown or bad line and carries on, and a daemon deployed to a fleet must
 * refuse a configuration it does not understand, naming file and line.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "conf.h"
#include "file.h"
#include "libvirt_events.h"
#include "number.h"

void vax_config_init(struct vax_config *c)
{
	memset(c, 0, sizeof(*c));
	c->cache_timeout = 5;
	c->usage_window = 10;
	c->agentx_ping = 1;
	c->refresh_wait_ms = 50;
	c->traps_enabled = true;
	c->trap_events = VAX_EV_ALL;
	c->mibs = VAX_MIB_ALL;
	c->vm.per_vm = true;
	c->vm.bulk = false;
	c->vm.rate = 0;
	c->vm.bulk_window_ms = 1000;
	c->guest.interval = 60;
	c->guest.timeout = 5;
	c->pool.interval = 30;
	c->pool.threshold = 90;
	c->pool.hysteresis = 5;
	c->pool.pool_traps = true;
	c->pool.net_traps = true;
}

/* The names of enum vax_addr_source, from 1. */
static const char *const source_names[] = { "lease", "agent", "arp" };

size_t vax_guest_sources(const struct vax_guest_conf *g,
			 unsigned char out[VAX_MAX_ADDR_SOURCES])
{
	size_t n = 0;

	if (g->sources_set) {
		memcpy(out, g->sources, g->nsources);
		return g->nsources;
	}
	out[n++] = 1;               /* lease */
	if (g->agent)
		out[n++] = 2;       /* agent */
	return n;
}


void vax_config_free(struct vax_config *c)
{
	free(c->uri);
	free(c->index_file);
	free(c->agentx_socket);
	for (size_t i = 0; i < c->pool.npools; i++)
		free(c->pool.pools[i].name);
	free(c->pool.pools);
	vax_config_init(c);
}

int vax_parse_uint(const char *s, unsigned min, unsigned max, unsigned *out)
{
	uint64_t v;

	if (!vax_parse_u64(s, max, &v) || v < min)
		return -1;
	*out = (unsigned)v;
	return 0;
}

int vax_parse_names(const char *list, const char *const *names, size_t n,
		    unsigned *mask, const char **bad, size_t *badlen)
{
	const char *p = list;
	unsigned m = 0;

	*badlen = 0;
	while (*p) {
		size_t len, k;

		while (*p == ',' || isspace((unsigned char)*p))
			p++;
		if (!*p)
			break;
		for (len = 0; p[len] && p[len] != ',' && !isspace((unsigned char)p[len]); len++)
			;
		if (len == 3 && strncasecmp(p, "all", 3) == 0) {
			m |= (1u << n) - 1;
		} else {
			for (k = 0; k < n; k++)
				if (strlen(names[k]) == len && strncasecmp(p, names[k], len) == 0)
					break;
			if (k == n) {
				*bad = p;
				*badlen = len;
				return -1;
			}
			m |= 1u << k;
		}
		p += len;
	}
	if (!m)
		return -1;
	*mask = m;
	return 0;
}

static int set_string(char **dst, const char *value, const char *name,
		      char *err, size_t errlen)
{
	char *s;

	if (!*value) {
		snprintf(err, errlen, "%s needs a value", name);
		return -1;
	}
	if (!(s = strdup(value))) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	free(*dst);
	*dst = s;
	return 0;
}

/* Text from the file as an error message may show it: at most 64 bytes,
 * anything but printable ASCII as \xNN, so a message never carries a
 * broken UTF-8 sequence or a terminal escape into the log. */
static const char *shown(const char *s, char *buf, size_t len)
{
	size_t n = 0;

	for (; *s && n + 8 < len && n < 64; s++) {
		unsigned char ch = (unsigned char)*s;
		if (ch >= 0x20 && ch < 0x7f)
			buf[n++] = (char)ch;
		else
			n += (size_t)snprintf(buf + n, len - n, "\\x%02X", ch);
	}
	if (*s && n + 4 <= len) {
		memcpy(buf + n, "...", 3);
		n += 3;
	}
	buf[n] = '\0';
	return buf;
}

static int set_uint(unsigned *dst, const char *value, unsigned min, unsigned max,
		    const char *name, const char *unit, char *err, size_t errlen)
{
	char buf[80];

	if (vax_parse_uint(value, min, max, dst) == 0)
		return 0;
	snprintf(err, errlen, "%s: \"%s\" is not a whole number of %s in %u..%u",
		 name, shown(value, buf, sizeof(buf)), unit, min, max);
	return -1;
}

static int set_bool(bool *dst, const char *value, const char *name, char *err,
		    size_t errlen)
{
	char buf[80];

	if (!strcasecmp(value, "yes") || !strcasecmp(value, "true") || !strcmp(value, "1"))
		*dst = true;
	else if (!strcasecmp(value, "no") || !strcasecmp(value, "false") || !strcmp(value, "0"))
		*dst = false;
	else {
		snprintf(err, errlen, "%s: \"%s\" is not yes or no", name,
			 shown(value, buf, sizeof(buf)));
		return -1;
	}
	return 0;
}

/* poolSpaceThreshold PERCENT [POOL]: the default, or one pool's (a
 * later line for the same pool wins). */
static int set_threshold(struct vax_pool_conf *pc, const char *value, const char *name,
			 char *err, size_t errlen)
{
	char num[16], buf[80];
	const char *pool = value;
	unsigned pct;
	size_t n;

	while (*pool && !isspace((unsigned char)*pool))
		pool++;
	n = (size_t)(pool - value);
	while (isspace((unsigned char)*pool))
		pool++;
	snprintf(num, sizeof(num), "%.*s", (int)(n < sizeof(num) - 1 ? n : sizeof(num) - 1), value);
	if (n >= sizeof(num) || vax_parse_uint(num, 0, 100, &pct) < 0) {
		snprintf(err, errlen, "%s: \"%s\" is not a whole percentage in 0..100 "
			 "(0: no notification), optionally followed by a pool name",
			 name, shown(value, buf, sizeof(buf)));
		return -1;
	}
	if (!*pool) {
		pc->threshold = pct;
		return 0;
	}
	/* poolSpaceThreshold 95 "my pool": the quotes are not the name's. */
	char quoted[4096];
	size_t plen = strlen(pool);
	if (plen >= 2 && pool[0] == '"' && pool[plen - 1] == '"' && plen - 2 < sizeof(quoted)) {
		memcpy(quoted, pool + 1, plen - 2);
		quoted[plen - 2] = '\0';
		pool = quoted;
	}
	for (size_t i = 0; i < pc->npools; i++)
		if (strcmp(pc->pools[i].name, pool) == 0) {
			pc->pools[i].threshold = pct;
			return 0;
		}
	struct vax_pool_override *p = realloc(pc->pools, (pc->npools + 1) * sizeof(*p));
	if (!p || !(p[pc->npools].name = strdup(pool))) {
		if (p)
			pc->pools = p;
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	p[pc->npools++].threshold = pct;
	pc->pools = p;
	return 0;
}

/* guestAddressSources: "none", or source names in order of preference. */
static int set_sources(struct vax_guest_conf *g, const char *value, const char *name,
		       char *err, size_t errlen)
{
	const char *p = value;
	char buf[80];
	unsigned char got[VAX_MAX_ADDR_SOURCES];   /* set only if all is well */
	size_t n = 0;

	if (!strcasecmp(value, "none")) {
		g->nsources = 0;
		g->sources_set = true;
		return 0;
	}
	while (*p) {
		size_t len, k;
		char word[65];

		while (*p == ',' || isspace((unsigned char)*p))
			p++;
		if (!*p)
			break;
		for (len = 0; p[len] && p[len] != ',' && !isspace((unsigned char)p[len]); len++)
			;
		for (k = 0; k < VAX_MAX_ADDR_SOURCES; k++)
			if (strlen(source_names[k]) == len && !strncasecmp(p, source_names[k], len))
				break;
		snprintf(word, sizeof(word), "%.*s", (int)(len < 64 ? len : 64), p);
		if (k == VAX_MAX_ADDR_SOURCES) {
			snprintf(err, errlen, "%s: unknown source \"%s\" (use lease, "
				 "agent, arp, in order of preference, or none)", name,
				 shown(word, buf, sizeof(buf)));
			return -1;
		}
		for (size_t j = 0; j < n; j++)
			if (got[j] == k + 1) {
				snprintf(err, errlen, "%s: %s is named twice", name,
					 source_names[k]);
				return -1;
			}
		got[n++] = (unsigned char)(k + 1);
		p += len;
	}
	if (!n) {
		snprintf(err, errlen, "%s needs a value (lease, agent, arp, or none)", name);
		return -1;
	}
	memcpy(g->sources, got, n);
	g->nsources = n;
	g->sources_set = true;
	return 0;
}

int vax_config_line(struct vax_config *c, const char *line, char *err, size_t errlen)
{
	char name[64], value[4096], buf[80];
	const char *p = line, *v;
	size_t n, vlen;

	while (isspace((unsigned char)*p))
		p++;
	if (*p == '\0' || *p == '#')
		return 0;
	for (n = 0; p[n] && !isspace((unsigned char)p[n]); n++)
		;
	if (n >= sizeof(name)) {
		memcpy(name, p, 32);
		name[32] = '\0';
		snprintf(err, errlen, "unknown directive \"%s...\"",
			 shown(name, buf, sizeof(buf)));
		return -1;
	}
	memcpy(name, p, n);
	name[n] = '\0';
	for (v = p + n; isspace((unsigned char)*v); v++)
		;
	vlen = strlen(v);
	while (vlen && isspace((unsigned char)v[vlen - 1]))
		vlen--;
	if (vlen >= sizeof(value)) {
		snprintf(err, errlen, "%s: value too long", name);
		return -1;
	}
	/* Optional double quotes around the whole value. */
	if (vlen && v[0] == '"') {
		if (vlen < 2 || v[vlen - 1] != '"') {
			snprintf(err, errlen, "%s: unterminated quote: end the value "
				 "with \" or remove the one before it", name);
			return -1;
		}
		v++;
		vlen -= 2;
	}
	memcpy(value, v, vlen);
	value[vlen] = '\0';

	if (!strcasecmp(name, "libvirtURI"))
		return set_string(&c->uri, value, name, err, errlen);
	if (!strcasecmp(name, "indexFile"))
		return set_string(&c->index_file, value, name, err, errlen);
	if (!strcasecmp(name, "agentXSocket"))
		return set_string(&c->agentx_socket, value, name, err, errlen);
	if (!strcasecmp(name, "cacheTimeout"))
		return set_uint(&c->cache_timeout, value, 1, 86400, name, "seconds",
				err, errlen);
	if (!strcasecmp(name, "usageWindow"))
		return set_uint(&c->usage_window, value, 1, 3600, name, "seconds",
				err, errlen);
	if (!strcasecmp(name, "agentXTimeout"))
		return set_uint(&c->agentx_timeout, value, 1, 3600, name, "seconds",
				err, errlen);
	if (!strcasecmp(name, "agentXPingInterval"))
		return set_uint(&c->agentx_ping, value, 1, 3600, name, "seconds",
				err, errlen);
	if (!strcasecmp(name, "refreshWait"))
		return set_uint(&c->refresh_wait_ms, value, 0, 500, name,
				"milliseconds", err, errlen);
	if (!strcasecmp(name, "trapsEnabled"))
		return set_bool(&c->traps_enabled, value, name, err, errlen);
	if (!strcasecmp(name, "vmPerVMNotifications"))
		return set_bool(&c->vm.per_vm, value, name, err, errlen);
	if (!strcasecmp(name, "vmBulkNotifications"))
		return set_bool(&c->vm.bulk, value, name, err, errlen);
	if (!strcasecmp(name, "vmNotificationRate"))
		return set_uint(&c->vm.rate, value, 0, 100000, name,
				"notifications a second", err, errlen);
	if (!strcasecmp(name, "vmBulkWindow"))
		return set_uint(&c->vm.bulk_window_ms, value, 10, 60000, name,
				"milliseconds", err, errlen);
	if (!strcasecmp(name, "guestAgent"))
		return set_bool(&c->guest.agent, value, name, err, errlen);
	if (!strcasecmp(name, "guestInterval"))
		return set_uint(&c->guest.interval, value, 1, 86400, name, "seconds",
				err, errlen);
	if (!strcasecmp(name, "guestTimeout"))
		return set_uint(&c->guest.timeout, value, 0, 300, name, "seconds",
				err, errlen);
	if (!strcasecmp(name, "guestAddressSources"))
		return set_sources(&c->guest, value, name, err, errlen);
	if (!strcasecmp(name, "poolInterval")) {
		if (set_uint(&c->pool.interval, value, 0, 86400, name, "seconds", err, errlen) < 0)
			return -1;
		if (c->pool.interval && c->pool.interval < 5) {
			snprintf(err, errlen, "%s: %u s is too often: use 5 or more "
				 "(0: pools and networks are not gathered)", name, c->pool.interval);
			return -1;
		}
		return 0;
	}
	if (!strcasecmp(name, "poolRefresh"))
		return set_bool(&c->pool.refresh, value, name, err, errlen);
	if (!strcasecmp(name, "poolSpaceThreshold"))
		return set_threshold(&c->pool, value, name, err, errlen);
	if (!strcasecmp(name, "poolSpaceHysteresis"))
		return set_uint(&c->pool.hysteresis, value, 0, 50, name, "percentage points",
				err, errlen);
	if (!strcasecmp(name, "poolNotifications"))
		return set_bool(&c->pool.pool_traps, value, name, err, errlen);
	if (!strcasecmp(name, "networkNotifications"))
		return set_bool(&c->pool.net_traps, value, name, err, errlen);
	if (!strcasecmp(name, "trapEvents")) {
		char why[256];
		if (vax_event_parse_list(value, &c->trap_events, why, sizeof(why)) < 0) {
			snprintf(err, errlen, "%s: %s", name, why);
			return -1;
		}
		return 0;
	}
	if (!strcasecmp(name, "serveMIBs")) {
		static const char *const mibs[] = { "VIRT-AGENTX-MIB", "VM-MIB" };
		const char *bad;
		size_t blen;
		char word[65];
		if (vax_parse_names(value, mibs, 2, &c->mibs, &bad, &blen) == 0)
			return 0;
		if (!blen) {
			snprintf(err, errlen, "%s: no MIB named (use VIRT-AGENTX-MIB, "
				 "VM-MIB or all)", name);
			return -1;
		}
		snprintf(word, sizeof(word), "%.*s", (int)(blen < 64 ? blen : 64), bad);
		snprintf(err, errlen, "%s: unknown MIB \"%s\" (use VIRT-AGENTX-MIB, "
			 "VM-MIB or all)", name, shown(word, buf, sizeof(buf)));
		return -1;
	}
	snprintf(err, errlen, "unknown directive \"%s\" (see the README)",
		 shown(name, buf, sizeof(buf)));
	return -1;
}

/* Read one line (without its newline) into buf; *len is its length, which
 * strlen() would get wrong with a NUL byte in the line. 1: a line, 0: end
 * of file, -1: longer than the buffer, -2: read error. */
static int read_line(FILE *f, char *buf, size_t size, size_t *len)
{
	size_t n = 0;
	int ch;

	while ((ch = getc(f)) != EOF && ch != '\n') {
		if (n + 1 >= size)
			return -1;
		buf[n++] = (char)ch;
	}
	buf[n] = '\0';
	*len = n;
	if (ferror(f))
		return -2;
	return ch == EOF && n == 0 ? 0 : 1;
}

/* A byte no configuration line has a use for: NUL (C strings would cut
 * the line there without a word) and control characters other than tab
 * and the CR of a CRLF line end (they can hide text from a reader of the
 * file or of the log). Bytes >= 0x80 are taken as they are: a path needs
 * not be UTF-8. Returns the 1-based column of the first one, or 0. */
static size_t bad_byte(const char *line, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)line[i];
		if (ch == '\r' && i + 1 == len)
			break;
		if ((ch < 0x20 && ch != '\t') || ch == 0x7f)
			return i + 1;
	}
	return 0;
}

int vax_config_read(struct vax_config *c, FILE *f, const char *name,
		    char *err, size_t errlen)
{
	char line[8192], msg[512];
	int lineno = 0, r;
	size_t len, col;

	while ((r = read_line(f, line, sizeof(line), &len)) > 0) {
		lineno++;
		if ((col = bad_byte(line, len))) {
			unsigned char ch = (unsigned char)line[col - 1];
			if (ch)
				snprintf(err, errlen, "%s:%d: control character 0x%02X in "
					 "column %zu", name, lineno, ch, col);
			else
				snprintf(err, errlen, "%s:%d: NUL byte in column %zu",
					 name, lineno, col);
			return -1;
		}
		if (vax_config_line(c, line, msg, sizeof(msg)) < 0) {
			snprintf(err, errlen, "%s:%d: %s", name, lineno, msg);
			return -1;
		}
	}
	if (r == -1) {
		snprintf(err, errlen, "%s:%d: line longer than %zu bytes", name,
			 lineno + 1, sizeof(line) - 1);
		return -1;
	}
	if (r == -2) {
		snprintf(err, errlen, "%s: read error: %s", name, strerror(errno));
		return -1;
	}
	/* Checked once the whole file is read: the two lines may come in
	 * either order. */
	for (size_t i = 0; !c->guest.agent && i < c->guest.nsources; i++)
		if (c->guest.sources[i] == 2) {
			snprintf(err, errlen, "%s: guestAddressSources names agent, "
				 "which needs guestAgent yes (or leave agent out)", name);
			return -1;
		}
	return 0;
}

int vax_event_parse_list(const char *list, unsigned *mask, char *err, size_t errlen)
{
	const char *kinds[VAX_EV_NKINDS], *bad;
	size_t n;

	for (int k = 0; k < VAX_EV_NKINDS; k++)
		kinds[k] = vax_event_kind_name(k);
	if (vax_parse_names(list, kinds, VAX_EV_NKINDS, mask, &bad, &n) == 0)
		return 0;
	if (!n)
		snprintf(err, errlen, "no event named");
	else
		snprintf(err, errlen, "unknown event \"%.*s\" (use all, defined, "
			 "undefined, started, suspended, resumed, stopped, "
			 "shutdown, pmsuspended, crashed)", (int)(n > 40 ? 40 : n), bad);
	return -1;
}

int vax_config_load(struct vax_config *c, const char *path, bool must_exist,
		    char *err, size_t errlen)
{
	FILE *f = vax_fopen_regular(path, "configuration file", err, errlen);
	int rc;

	if (!f) {
		if (errno == ENOENT && !must_exist)
			return 0;
		return -1;
	}
	rc = vax_config_read(c, f, path, err, errlen);
	fclose(f);
	return rc;
}
