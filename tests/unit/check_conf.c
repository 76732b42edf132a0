/* check_conf.c - virt-agentx.conf parsing. */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"
#include "fixtures.h"

#define N(a) (int)(sizeof(a) / sizeof((a)[0]))

static struct vax_config cfg;
static char err[1024];

static void setup(void)
{
	vax_config_init(&cfg);
	memset(err, 0, sizeof(err));
}

static void teardown(void)
{
	vax_config_free(&cfg);
}

static int line(const char *l)
{
	err[0] = '\0';
	return vax_config_line(&cfg, l, err, sizeof(err));
}

/* ---- defaults ---- */

START_TEST(test_defaults)
{
	ck_assert_ptr_null(cfg.uri);
	ck_assert_ptr_null(cfg.index_file);
	ck_assert_ptr_null(cfg.agentx_socket);
	ck_assert_uint_eq(cfg.cache_timeout, 5);
	ck_assert_uint_eq(cfg.usage_window, 10);
	ck_assert_uint_eq(cfg.agentx_timeout, 0);
	ck_assert_uint_eq(cfg.agentx_ping, 1);
	ck_assert_uint_eq(cfg.refresh_wait_ms, 50);
	ck_assert_uint_eq(cfg.mibs, VAX_MIB_VIRT | VAX_MIB_VM);
}
END_TEST

START_TEST(test_free_resets_to_defaults)
{
	ck_assert_int_eq(line("libvirtURI qemu:///system"), 0);
	ck_assert_int_eq(line("cacheTimeout 60"), 0);
	ck_assert_int_eq(line("usageWindow 60"), 0);
	vax_config_free(&cfg);
	ck_assert_ptr_null(cfg.uri);
	ck_assert_uint_eq(cfg.cache_timeout, 5);
	ck_assert_uint_eq(cfg.usage_window, 10);
}
END_TEST

/* ---- lines, one after another ---- */

/* What the settings hold after a line: a string (NULL: unset) or a number. */
enum field { NO_FIELD, URI, CACHE, INDEX, SOCKET, AX_TIMEOUT, PING, WAIT, TRAPS, MIBS,
	     USAGE, POOL_INTERVAL, POOL_REFRESH, POOL_TH, POOL_HYST, POOL_TRAPS, NET_TRAPS };
struct want { enum field field; const char *str; unsigned num; };
#define STR(f, s) { (f), (s), 0 }
#define NUM(f, n) { (f), NULL, (n) }
#define NOTHING { NO_FIELD, NULL, 0 }
#define OK(l, w) { .line = (l), .rc = 0, .is = w }
#define FAILS(l, w, ...) { .line = (l), .rc = -1, .is = w, .err = { __VA_ARGS__ } }
#define FAILS_AS(l, w, msg) { .line = (l), .rc = -1, .is = w, .err_is = (msg) }

struct step {
	const char *line;
	int rc;                   /* 0 or -1 */
	struct want is;           /* then this field holds this */
	const char *err[3];       /* with -1: these in the message, */
	const char *err_is;       /* or exactly this one */
};

/* Each script runs on the defaults, a line at a time. */
static const struct { const char *name; struct step steps[7]; } scripts[] = {
	/* Each directive. */
	{ "libvirtURI", { OK("libvirtURI qemu:///system", STR(URI, "qemu:///system")) } },
	{ "libvirtURI replaced", {
		OK("libvirtURI test:///default", STR(URI, "test:///default")),
		OK("libvirtURI qemu+ssh://h/system", STR(URI, "qemu+ssh://h/system")) } },
	{ "cacheTimeout", { OK("cacheTimeout 30", NUM(CACHE, 30)) } },
	{ "cacheTimeout bounds", {
		OK("cacheTimeout 1", NUM(CACHE, 1)),
		OK("cacheTimeout 86400", NUM(CACHE, 86400)) } },
	{ "usageWindow", { OK("usageWindow 60", NUM(USAGE, 60)) } },
	{ "usageWindow bounds", {
		OK("usageWindow 1", NUM(USAGE, 1)),
		OK("usageWindow 3600", NUM(USAGE, 3600)),
		FAILS("usageWindow 0", NUM(USAGE, 3600), "usageWindow", "1..3600", "seconds"),
		FAILS("usageWindow 3601", NUM(USAGE, 3600), "usageWindow", "1..3600"),
		FAILS_AS("usageWindow abc", NUM(USAGE, 3600),
			 "usageWindow: \"abc\" is not a whole number of seconds in 1..3600"),
		OK("USAGEWINDOW \"30\"", NUM(USAGE, 30)) } },
	/* A bad value leaves the default, not 0 (which would mean no window). */
	{ "usageWindow bad keeps the default", {
		FAILS("usageWindow 0", NUM(USAGE, 10), "usageWindow"),
		FAILS("usageWindow", NUM(USAGE, 10), "usageWindow"),
		FAILS("usageWindow -5", NUM(USAGE, 10), "usageWindow"),
		FAILS("usageWindow 10s", NUM(USAGE, 10), "usageWindow", "\"10s\"") } },
	/* Pools and networks. */
	{ "poolInterval", {
		OK("poolInterval 0", NUM(POOL_INTERVAL, 0)),
		OK("poolInterval 5", NUM(POOL_INTERVAL, 5)),
		OK("poolInterval 86400", NUM(POOL_INTERVAL, 86400)),
		FAILS_AS("poolInterval 4", NUM(POOL_INTERVAL, 4),
			 "poolInterval: 4 s is too often: use 5 or more (0: pools and "
			 "networks are not gathered)"),
		FAILS("poolInterval 86401", NUM(POOL_INTERVAL, 4), "poolInterval", "0..86400"),
		FAILS("poolInterval x", NUM(POOL_INTERVAL, 4), "poolInterval", "\"x\"") } },
	{ "poolRefresh", {
		OK("poolRefresh yes", NUM(POOL_REFRESH, 1)),
		OK("poolRefresh no", NUM(POOL_REFRESH, 0)),
		FAILS_AS("poolRefresh maybe", NUM(POOL_REFRESH, 0),
			 "poolRefresh: \"maybe\" is not yes or no") } },
	{ "poolSpaceThreshold", {
		OK("poolSpaceThreshold 95", NUM(POOL_TH, 95)),
		OK("poolSpaceThreshold 0", NUM(POOL_TH, 0)),
		OK("poolSpaceThreshold 100", NUM(POOL_TH, 100)),
		FAILS("poolSpaceThreshold 101", NUM(POOL_TH, 100), "poolSpaceThreshold", "0..100"),
		FAILS("poolSpaceThreshold 90%", NUM(POOL_TH, 100), "\"90%\"", "pool name"),
		FAILS("poolSpaceThreshold", NUM(POOL_TH, 100), "poolSpaceThreshold"),
		/* one pool's threshold leaves the default alone */
		OK("poolSpaceThreshold 80 images", NUM(POOL_TH, 100)) } },
	{ "poolSpaceHysteresis", {
		OK("poolSpaceHysteresis 0", NUM(POOL_HYST, 0)),
		OK("poolSpaceHysteresis 50", NUM(POOL_HYST, 50)),
		FAILS("poolSpaceHysteresis 51", NUM(POOL_HYST, 50), "poolSpaceHysteresis",
		      "0..50", "percentage points") } },
	{ "poolNotifications, networkNotifications", {
		OK("poolNotifications no", NUM(POOL_TRAPS, 0)),
		OK("networkNotifications no", NUM(NET_TRAPS, 0)),
		OK("networkNotifications yes", NUM(NET_TRAPS, 1)),
		FAILS("poolNotifications 2", NUM(POOL_TRAPS, 0), "poolNotifications") } },
	{ "indexFile", { OK("indexFile /var/lib/virt-agentx/idx",
			    STR(INDEX, "/var/lib/virt-agentx/idx")) } },
	{ "agentXSocket", { OK("agentXSocket tcp:localhost:705",
			       STR(SOCKET, "tcp:localhost:705")) } },
	{ "agentXTimeout", {
		OK("agentXTimeout 3600", NUM(AX_TIMEOUT, 3600)),
		FAILS("agentXTimeout 3601", NUM(AX_TIMEOUT, 3600), "agentXTimeout", "1..3600"),
		FAILS("agentXTimeout 0", NUM(AX_TIMEOUT, 3600), NULL) } },
	/* net-snmp's subagent never reads a retry count: not a directive. */
	{ "agentXRetries", { FAILS("agentXRetries 3", NOTHING, "unknown directive") } },
	{ "agentXPingInterval", {
		OK("agentXPingInterval 15", NUM(PING, 15)),
		FAILS("agentXPingInterval 0", NUM(PING, 15), "agentXPingInterval", "1..3600") } },
	{ "refreshWait", {
		OK("refreshWait 0", NUM(WAIT, 0)),
		OK("refreshWait 500", NUM(WAIT, 500)),
		FAILS("refreshWait 501", NUM(WAIT, 500),
		      "refreshWait", "0..500", "milliseconds") } },

	/* Syntax: names in any case, values as written. */
	{ "directives in any case", {
		OK("CACHETIMEOUT 7", NUM(CACHE, 7)),
		OK("libvirturi test:///default", STR(URI, "test:///default")),
		OK("AgentxPingInterval 3", NUM(PING, 3)),
		OK("INDEXFILE /tmp/x", STR(INDEX, "/tmp/x")) } },
	{ "value case kept", { OK("indexFile /Var/Lib/Index", STR(INDEX, "/Var/Lib/Index")) } },
	{ "quoted value", {
		OK("indexFile \"/var/lib/my index\"", STR(INDEX, "/var/lib/my index")),
		OK("cacheTimeout \"12\"", NUM(CACHE, 12)) } },
	{ "empty quoted value", { FAILS("libvirtURI \"\"", STR(URI, NULL), "libvirtURI") } },
	{ "unterminated quote", {
		FAILS("libvirtURI \"", STR(URI, NULL), "unterminated quote"),
		FAILS("libvirtURI \"test:///default", STR(URI, NULL), "unterminated quote"),
		FAILS("cacheTimeout \"5", STR(URI, NULL), "unterminated quote") } },
	{ "white space around", {
		OK("   \tcacheTimeout \t  9 \t\r\n", NUM(CACHE, 9)),
		OK("agentXSocket   /run/agentx/master  \n", STR(SOCKET, "/run/agentx/master")) } },
	{ "value with inner spaces", { OK("indexFile /a b/c", STR(INDEX, "/a b/c")) } },
	{ "comments and blank lines", {
		OK("", NUM(CACHE, 5)),
		OK("\n", NUM(CACHE, 5)),
		OK("   \t  \n", NUM(CACHE, 5)),
		OK("# cacheTimeout 99", NUM(CACHE, 5)),
		OK("   # indented comment", NUM(CACHE, 5)),
		OK("#", NUM(CACHE, 5)) } },

	/* Errors. */
	{ "bad number keeps the previous", {
		OK("cacheTimeout 42", NUM(CACHE, 42)),
		FAILS("cacheTimeout 0", NUM(CACHE, 42), NULL) } },
	{ "bad number quoted", { FAILS("agentXTimeout 5s", NOTHING, "\"5s\"") } },
	{ "unknown directive", { FAILS("cacheTimeOutt 5", NOTHING,
					 "unknown directive", "cacheTimeOutt") } },
	{ "string without value", {
		FAILS("libvirtURI", STR(URI, NULL), "libvirtURI"),
		FAILS("indexFile   \n", STR(INDEX, NULL), "indexFile"),
		FAILS("agentXSocket", STR(SOCKET, NULL), "agentXSocket") } },
	{ "number without value", {
		FAILS("cacheTimeout", NUM(CACHE, 5), "cacheTimeout"),
		FAILS("refreshWait \n", NUM(WAIT, 50), "refreshWait"),
		FAILS("agentXPingInterval", NUM(PING, 1), NULL) } },

	/* serveMIBs: a list, any case; a bad one changes nothing. */
	{ "serveMIBs each", {
		OK("serveMIBs VM-MIB", NUM(MIBS, VAX_MIB_VM)),
		OK("serveMIBs VIRT-AGENTX-MIB", NUM(MIBS, VAX_MIB_VIRT)),
		OK("servemibs vm-mib,virt-agentx-mib", NUM(MIBS, VAX_MIB_ALL)),
		OK("serveMIBs \"VM-MIB  VIRT-AGENTX-MIB\"", NUM(MIBS, VAX_MIB_ALL)),
		OK("serveMIBs VM-MIB", NUM(MIBS, VAX_MIB_VM)),
		OK("serveMIBs all", NUM(MIBS, VAX_MIB_ALL)) } },
	{ "serveMIBs bad", {
		OK("serveMIBs VM-MIB", NUM(MIBS, VAX_MIB_VM)),
		FAILS_AS("serveMIBs VM-MIB,IF-MIB", NUM(MIBS, VAX_MIB_VM),
			 "serveMIBs: unknown MIB \"IF-MIB\" (use VIRT-AGENTX-MIB, VM-MIB or all)"),
		FAILS_AS("serveMIBs ,, ,", NUM(MIBS, VAX_MIB_VM),
			 "serveMIBs: no MIB named (use VIRT-AGENTX-MIB, VM-MIB or all)"),
		FAILS("serveMIBs", NUM(MIBS, VAX_MIB_VM), NULL),
		FAILS("serveMIBs VM", NUM(MIBS, VAX_MIB_VM), NULL),   /* no prefixes */
		FAILS_AS("serveMIBs VM-MIB\xff", NUM(MIBS, VAX_MIB_VM),
			 "serveMIBs: unknown MIB \"VM-MIB\\xFF\" (use VIRT-AGENTX-MIB, VM-MIB or all)") } },
};

static bool same(const char *a, const char *b)
{
	return a == b || (a && b && strcmp(a, b) == 0);
}

static void check_field(const char *where, const struct want *w)
{
	static const char *const names[] = { "", "uri", "cache_timeout", "index_file",
		"agentx_socket", "agentx_timeout", "agentx_ping", "refresh_wait_ms",
		"traps_enabled", "mibs", "usage_window", "pool.interval", "pool.refresh",
		"pool.threshold", "pool.hysteresis", "pool.pool_traps", "pool.net_traps" };
	const char *s = NULL;
	unsigned n = 0;

	switch (w->field) {
	case NO_FIELD: return;
	case URI: s = cfg.uri; break;
	case INDEX: s = cfg.index_file; break;
	case SOCKET: s = cfg.agentx_socket; break;
	case CACHE: n = cfg.cache_timeout; break;
	case AX_TIMEOUT: n = cfg.agentx_timeout; break;
	case PING: n = cfg.agentx_ping; break;
	case WAIT: n = cfg.refresh_wait_ms; break;
	case TRAPS: n = cfg.traps_enabled; break;
	case MIBS: n = cfg.mibs; break;
	case USAGE: n = cfg.usage_window; break;
	case POOL_INTERVAL: n = cfg.pool.interval; break;
	case POOL_REFRESH: n = cfg.pool.refresh; break;
	case POOL_TH: n = cfg.pool.threshold; break;
	case POOL_HYST: n = cfg.pool.hysteresis; break;
	case POOL_TRAPS: n = cfg.pool.pool_traps; break;
	case NET_TRAPS: n = cfg.pool.net_traps; break;
	}
	if (w->field == URI || w->field == INDEX || w->field == SOCKET)
		ck_assert_msg(same(s, w->str), "%s: %s is \"%s\", not \"%s\"", where,
			      names[w->field], s ? s : "(null)", w->str ? w->str : "(null)");
	else
		ck_assert_msg(n == w->num, "%s: %s is %u, not %u", where, names[w->field],
			      n, w->num);
}

START_TEST(test_script)
{
	char where[128];

	for (int k = 0; k < 7 && scripts[_i].steps[k].line; k++) {
		const struct step *st = &scripts[_i].steps[k];
		int rc = line(st->line);

		snprintf(where, sizeof(where), "%s, line %d", scripts[_i].name, k + 1);
		ck_assert_msg(rc == st->rc, "%s: returned %d: %s", where, rc, err);
		for (int e = 0; e < 3 && st->err[e]; e++)
			ck_assert_msg(strstr(err, st->err[e]) != NULL, "%s: '%s' not in: %s",
				      where, st->err[e], err);
		if (st->err_is)
			ck_assert_msg(strcmp(err, st->err_is) == 0, "%s: %s", where, err);
		check_field(where, &st->is);
	}
}
END_TEST

static const char *const bad_numbers[] = {
	"abc", "-1", "0", "86401", "5s", "99999999999999999999", "", " ", "+5",
	"5.0", "0x10", "4294967301",
};

START_TEST(test_pool_defaults)
{
	ck_assert_uint_eq(cfg.pool.interval, 30);
	ck_assert(!cfg.pool.refresh);
	ck_assert_uint_eq(cfg.pool.threshold, 90);
	ck_assert_uint_eq(cfg.pool.hysteresis, 5);
	ck_assert(cfg.pool.pool_traps && cfg.pool.net_traps);
	ck_assert_uint_eq(cfg.pool.npools, 0);
}
END_TEST

/* Per-pool thresholds: one entry per pool (the last line wins), names
 * as written (spaces, any bytes), freed and reset with the rest. */
START_TEST(test_pool_thresholds)
{
	ck_assert_int_eq(line("poolSpaceThreshold 80 images"), 0);
	ck_assert_int_eq(line("poolSpaceThreshold 0 scratch"), 0);
	ck_assert_int_eq(line("poolSpaceThreshold 85 images"), 0);
	ck_assert_int_eq(line("poolSpaceThreshold 70   my pool  "), 0);
	ck_assert_int_eq(line("poolSpaceThreshold 75 \"quoted\""), 0);
	ck_assert_uint_eq(cfg.pool.threshold, 90);
	ck_assert_uint_eq(cfg.pool.npools, 4);
	ck_assert_str_eq(cfg.pool.pools[0].name, "images");
	ck_assert_uint_eq(cfg.pool.pools[0].threshold, 85);
	ck_assert_str_eq(cfg.pool.pools[1].name, "scratch");
	ck_assert_uint_eq(cfg.pool.pools[1].threshold, 0);
	ck_assert_str_eq(cfg.pool.pools[2].name, "my pool");
	ck_assert_uint_eq(cfg.pool.pools[2].threshold, 70);
	ck_assert_str_eq(cfg.pool.pools[3].name, "quoted");   /* the quotes are not its */
	ck_assert_int_eq(line("poolSpaceThreshold 101 images"), -1);
	ck_assert_uint_eq(cfg.pool.pools[0].threshold, 85);
	vax_config_free(&cfg);
	ck_assert_uint_eq(cfg.pool.npools, 0);
	ck_assert_ptr_null(cfg.pool.pools);
}
END_TEST

START_TEST(test_bad_number)
{
	char l[128];

	snprintf(l, sizeof(l), "cacheTimeout %s", bad_numbers[_i]);
	ck_assert_int_eq(line(l), -1);
	ck_assert_msg(strstr(err, "cacheTimeout") != NULL, "value '%s': %s",
		      bad_numbers[_i], err);
	ck_assert_msg(strstr(err, "1..86400") != NULL, "value '%s': %s",
		      bad_numbers[_i], err);
	ck_assert_uint_eq(cfg.cache_timeout, 5);   /* unchanged */
}
END_TEST

START_TEST(test_unknown_directive_long)
{
	char l[256];

	memset(l, 'x', 200);
	l[200] = '\0';
	ck_assert_int_eq(line(l), -1);
	ck_assert_ptr_nonnull(strstr(err, "unknown directive"));
	ck_assert_ptr_nonnull(strstr(err, "xxxxxxxx"));
	ck_assert_uint_lt(strlen(err), 200);
}
END_TEST

START_TEST(test_value_too_long)
{
	size_t n = 5000;
	char *l = malloc(n + 32);

	ck_assert_ptr_nonnull(l);
	strcpy(l, "indexFile ");
	memset(l + 10, 'a', n);
	l[10 + n] = '\0';
	ck_assert_int_eq(line(l), -1);
	ck_assert_ptr_nonnull(strstr(err, "indexFile"));
	ck_assert_ptr_null(cfg.index_file);
	free(l);
}
END_TEST

START_TEST(test_parse_names)
{
	static const char *const names[] = { "a", "bb", "c" };
	const char *bad = NULL;
	size_t n = 99;
	unsigned m = 0;

	ck_assert_int_eq(vax_parse_names("bb, C", names, 3, &m, &bad, &n), 0);
	ck_assert_uint_eq(m, 6);
	ck_assert_int_eq(vax_parse_names("ALL", names, 3, &m, &bad, &n), 0);
	ck_assert_uint_eq(m, 7);
	ck_assert_int_eq(vax_parse_names("a bb,x y", names, 3, &m, &bad, &n), -1);
	ck_assert_uint_eq(n, 1);
	ck_assert_int_eq(*bad, 'x');
	ck_assert_uint_eq(m, 7);   /* untouched on error */
	ck_assert_int_eq(vax_parse_names("", names, 3, &m, &bad, &n), -1);
	ck_assert_uint_eq(n, 0);
}
END_TEST

/* ---- vax_parse_uint: -1 leaves *out alone ---- */

static const struct { const char *s; unsigned min, max; int rc; unsigned out; } uints[] = {
	{ "10", 1, 10, 0, 10 },
	{ "0", 0, 0, 0, 0 },
	{ "4294967295", 0, 4294967295u, 0, 4294967295u },
	{ "4294967296", 0, 4294967295u, -1, 77 },
	{ NULL, 0, 10, -1, 77 },
	{ "", 0, 10, -1, 77 },
	{ "11", 0, 10, -1, 77 },
	{ "1", 2, 10, -1, 77 },
	{ " 1", 0, 10, -1, 77 },
	{ "1 ", 0, 10, -1, 77 },
};

START_TEST(test_parse_uint)
{
	unsigned u = 77;
	int rc = vax_parse_uint(uints[_i].s, uints[_i].min, uints[_i].max, &u);

	ck_assert_msg(rc == uints[_i].rc && u == uints[_i].out, "\"%s\" in %u..%u: %d, %u",
		      uints[_i].s ? uints[_i].s : "(null)", uints[_i].min, uints[_i].max, rc, u);
}
END_TEST

/* ---- files ---- */

static char tmpdir[256];

static void file_setup(void)
{
	const char *base = getenv("TMPDIR");

	setup();
	snprintf(tmpdir, sizeof(tmpdir), "%s/check_conf.XXXXXX",
		 base && *base ? base : "/tmp");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

static void file_teardown(void)
{
	char p[512];

	snprintf(p, sizeof(p), "%s/virt-agentx.conf", tmpdir);
	unlink(p);
	rmdir(tmpdir);
	teardown();
}

static void write_bytes(const char *content, size_t len, char *path, size_t pathlen)
{
	FILE *f;

	snprintf(path, pathlen, "%s/virt-agentx.conf", tmpdir);
	ck_assert_ptr_nonnull(f = fopen(path, "w"));
	ck_assert_uint_eq(fwrite(content, 1, len, f), len);
	ck_assert_int_eq(fclose(f), 0);
}

static void write_conf(const char *content, char *path, size_t pathlen)
{
	write_bytes(content, strlen(content), path, pathlen);
}

/* err starts with "PATH:LINE: " and contains what. */
static void assert_err_at(const char *path, int lineno, const char *what)
{
	char prefix[600];

	snprintf(prefix, sizeof(prefix), "%s:%d: ", path, lineno);
	ck_assert_msg(strncmp(err, prefix, strlen(prefix)) == 0, "err: %s", err);
	ck_assert_msg(strstr(err, what) != NULL, "'%s' not in: %s", what, err);
}

/* No byte of err is outside printable ASCII: a message carries no
 * terminal escape and no broken UTF-8 into the log. */
static void assert_err_printable(void)
{
	for (const char *p = err; *p; p++)
		ck_assert_msg((unsigned char)*p >= 0x20 && (unsigned char)*p < 0x7f,
			      "byte 0x%02X in: %s", (unsigned char)*p, err);
}

/* A file, loaded: either it loads and the settings hold what it says, or
 * the message names the line and the problem, in printable ASCII. */
#define BYTES(s) .text = (s), .len = sizeof(s) - 1   /* with NUL bytes */
static const struct {
	const char *name, *text;
	size_t len;               /* bytes of text; 0: strlen */
	bool optional;            /* loaded with must_exist false */
	int line;                 /* 0: loads; else the line of the error ... */
	const char *what;         /* ... and what the message says */
	struct want is[7];
} loads[] = {
	{ "a whole file", "# virt-agentx\n"
	  "\n"
	  "libvirtURI \"qemu:///system\"\n"
	  "cacheTimeout 10\n"
	  "   indexFile /var/lib/virt-agentx/index\n"
	  "agentXSocket /var/agentx/master\n"
	  "agentXTimeout 2\n"
	  "agentXPingInterval 30\n"
	  "refreshWait 100\n"
	  "# end",
	  .is = { STR(URI, "qemu:///system"), NUM(CACHE, 10),
		  STR(INDEX, "/var/lib/virt-agentx/index"), STR(SOCKET, "/var/agentx/master"),
		  NUM(AX_TIMEOUT, 2), NUM(PING, 30), NUM(WAIT, 100) } },
	{ "last line without newline", "cacheTimeout 11", .is = { NUM(CACHE, 11) } },
	{ "CRLF", "cacheTimeout 12\r\nlibvirtURI test:///default\r\n",
	  .is = { NUM(CACHE, 12), STR(URI, "test:///default") } },
	{ "empty file", "", .is = { NUM(CACHE, 5) } },
	{ "tabs and CRLF are fine", "\tcacheTimeout\t7\t\r\n#\tcomment\r\n",
	  .is = { NUM(CACHE, 7) } },
	/* A path is bytes, not text: Latin-1 and broken UTF-8 are kept as
	 * they are (the MIB view cleans what it serves). */
	{ "path not UTF-8 kept", "indexFile /var/lib/\xe9t\xe9/\xff\xfe\n",
	  .is = { STR(INDEX, "/var/lib/\xe9t\xe9/\xff\xfe") } },
	/* Documented: a directive given twice takes the later value, as
	 * the same directive on the command line wins over the file. */
	{ "the last of a directive wins", "cacheTimeout 10\nlibvirtURI test:///a\n"
	  "cacheTimeout 20\nlibvirtURI test:///b\ntrapsEnabled no\ntrapsEnabled yes\n",
	  .is = { NUM(CACHE, 20), STR(URI, "test:///b"), NUM(TRAPS, 1) } },

	/* Stops at the first error, with its line number. */
	{ "error on line 3", "# comment\ncacheTimeout 10\ncacheTimeout abc\nagentXRetries 3\n",
	  .line = 3, .what = "cacheTimeout" },
	{ "unknown directive on line 5", "\n\n\n\nfrobnicate 1\n", .optional = true,
	  .line = 5, .what = "frobnicate" },
	/* fgets() and strlen() took this for a line too long (the NUL hid
	 * the newline) or cut the URI at the NUL without a word. */
	{ "NUL byte", BYTES("libvirtURI qemu:///system\0evil\ncacheTimeout 7\n"),
	  .line = 1, .what = "NUL byte in column 26", .is = { STR(URI, NULL) } },
	{ "NUL byte on the last line", BYTES("cacheTimeout 7\ncacheTimeout 9\0"),
	  .line = 2, .what = "NUL byte in column 15" },
	{ "escape", "libvirtURI qemu:///system\x1b[2K\n",
	  .line = 1, .what = "control character 0x1B in column 26" },
	{ "CR inside a line", "# ok\ncacheTimeout 5\rcacheTimeout 500\n",
	  .line = 2, .what = "0x0D in column 15" },
	{ "vertical tab", "cacheTimeout\v5\n", .line = 1, .what = "0x0B in column 13" },
	{ "DEL", "indexFile /x\x7f\n", .line = 1, .what = "0x7F in column 13" },
	{ "two CRs", "cacheTimeout 5\r\r\n", .line = 1, .what = "0x0D in column 15" },
	{ "directive not UTF-8 shown escaped", "# \xff\n\xc3\x28\xff\xfe 5\n",
	  .line = 2, .what = "unknown directive \"\\xC3(\\xFF\\xFE\"" },
	{ "number not UTF-8 shown escaped", "cacheTimeout 5\xff\n",
	  .line = 1, .what = "\"5\\xFF\" is not a whole number" },
};

START_TEST(test_load)
{
	char path[512];
	int rc;

	write_bytes(loads[_i].text, loads[_i].len ? loads[_i].len : strlen(loads[_i].text),
		    path, sizeof(path));
	rc = vax_config_load(&cfg, path, !loads[_i].optional, err, sizeof(err));
	ck_assert_msg(rc == (loads[_i].line ? -1 : 0), "%s: %d: %s", loads[_i].name, rc, err);
	if (loads[_i].line) {
		assert_err_at(path, loads[_i].line, loads[_i].what);
		assert_err_printable();
	}
	for (int k = 0; k < 7; k++)
		check_field(loads[_i].name, &loads[_i].is[k]);
}
END_TEST

/* A file that is not there is fine only when optional; a directory never. */
static const struct { bool dir, must_exist; int rc; } opens[] = {
	{ false, false, 0 },
	{ false, true, -1 },
	{ true, false, -1 },
	{ true, true, -1 },
};

START_TEST(test_load_missing_or_directory)
{
	char path[512];

	if (opens[_i].dir)
		snprintf(path, sizeof(path), "%s", tmpdir);
	else
		snprintf(path, sizeof(path), "%s/does-not-exist.conf", tmpdir);
	ck_assert_int_eq(vax_config_load(&cfg, path, opens[_i].must_exist, err, sizeof(err)),
			 opens[_i].rc);
	if (opens[_i].rc)
		ck_assert_ptr_nonnull(strstr(err, path));
	ck_assert_uint_eq(cfg.cache_timeout, 5);
}
END_TEST

START_TEST(test_load_line_too_long)
{
	char path[512];
	char *content = malloc(20000);

	ck_assert_ptr_nonnull(content);
	strcpy(content, "cacheTimeout 3\n# ");
	memset(content + strlen(content), 'x', 10000);
	strcpy(content + 17 + 10000, "\n");
	write_conf(content, path, sizeof(path));
	free(content);
	ck_assert_int_eq(vax_config_load(&cfg, path, true, err, sizeof(err)), -1);
	assert_err_at(path, 2, "line longer than 8191 bytes");
}
END_TEST

/* The stream entry point (the fuzzer's): same lines, same messages, with
 * the given name in place of a path; an empty buffer is an empty file. */
START_TEST(test_read_stream)
{
	static char text[] = "cacheTimeout 7\n\nlibvirtURI test:///default\nbogus 1\n";
	FILE *f = fmemopen(text, strlen(text), "r");

	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(vax_config_read(&cfg, f, "mem.conf", err, sizeof(err)), -1);
	fclose(f);
	ck_assert_str_eq(err, "mem.conf:4: unknown directive \"bogus\" (see the README)");
	ck_assert_uint_eq(cfg.cache_timeout, 7);
	ck_assert_str_eq(cfg.uri, "test:///default");

	ck_assert_ptr_nonnull(f = fmemopen(text, 0, "r"));
	ck_assert_int_eq(vax_config_read(&cfg, f, "empty.conf", err, sizeof(err)), 0);
	fclose(f);
}
END_TEST

START_TEST(test_escaped_value_bounded)
{
	char l[3000];

	/* A long bad value is shown cut, escapes included. */
	strcpy(l, "refreshWait ");
	memset(l + 12, 0xff, 2000);
	l[2012] = '\0';
	ck_assert_int_eq(line(l), -1);
	ck_assert_ptr_nonnull(strstr(err, "\\xFF\\xFF"));
	ck_assert_ptr_nonnull(strstr(err, "...\""));
	ck_assert_uint_lt(strlen(err), 200);
	assert_err_printable();
}
END_TEST

START_TEST(test_load_line_length_limit)
{
	char path[512];
	char *content = malloc(8300);

	/* 8191 bytes and a newline: the longest line there is room for. */
	ck_assert_ptr_nonnull(content);
	content[0] = '#';
	memset(content + 1, 'x', 8190);
	strcpy(content + 8191, "\ncacheTimeout 8\n");
	write_conf(content, path, sizeof(path));
	ck_assert_int_eq(vax_config_load(&cfg, path, true, err, sizeof(err)), 0);
	ck_assert_uint_eq(cfg.cache_timeout, 8);
	/* One byte more, even on a last line without newline, is refused. */
	vax_config_free(&cfg);
	content[8191] = 'x';
	content[8192] = '\0';
	write_conf(content, path, sizeof(path));
	free(content);
	ck_assert_int_eq(vax_config_load(&cfg, path, true, err, sizeof(err)), -1);
	assert_err_at(path, 1, "line longer than 8191 bytes");
}
END_TEST

/* ---- inside the guests: guestAgent, guestInterval, guestTimeout,
 * guestAddressSources ---- */

START_TEST(test_guest_defaults)
{
	unsigned char src[VAX_MAX_ADDR_SOURCES];

	ck_assert(!cfg.guest.agent);
	ck_assert_uint_eq(cfg.guest.interval, 60);
	ck_assert_uint_eq(cfg.guest.timeout, 5);
	ck_assert(!cfg.guest.sources_set);
	/* Unset: the lease, then the agent when it is asked. */
	ck_assert_uint_eq(vax_guest_sources(&cfg.guest, src), 1);
	ck_assert_uint_eq(src[0], 1);
	ck_assert_int_eq(line("guestAgent yes"), 0);
	ck_assert_uint_eq(vax_guest_sources(&cfg.guest, src), 2);
	ck_assert_uint_eq(src[0], 1);
	ck_assert_uint_eq(src[1], 2);
	/* Set: exactly what was said, even none. */
	ck_assert_int_eq(line("guestAddressSources arp"), 0);
	ck_assert_uint_eq(vax_guest_sources(&cfg.guest, src), 1);
	ck_assert_uint_eq(src[0], 3);
	ck_assert_int_eq(line("guestAddressSources none"), 0);
	ck_assert_uint_eq(vax_guest_sources(&cfg.guest, src), 0);
	vax_config_free(&cfg);
	ck_assert(!cfg.guest.agent && !cfg.guest.sources_set);
	ck_assert_uint_eq(cfg.guest.interval, 60);
}
END_TEST

/* One line on top of `before` (NULL: the defaults): its result, what the
 * settings then hold and what the message says. */
static const struct {
	const char *before, *line;
	int rc;
	int agent;                 /* -1: not checked */
	unsigned interval, timeout;
	int nsources;              /* -1: not set */
	unsigned char sources[3];
	const char *err;           /* in the message, with rc -1 */
} guest_lines[] = {
	{ NULL, "guestAgent yes", 0, 1, 60, 5, -1, { 0 }, NULL },
	{ "guestAgent yes", "guestAgent no", 0, 0, 60, 5, -1, { 0 }, NULL },
	{ NULL, "GUESTAGENT True", 0, 1, 60, 5, -1, { 0 }, NULL },
	{ "guestAgent yes", "guestAgent maybe", -1, 1, 60, 5, -1, { 0 },
	  "guestAgent: \"maybe\" is not yes or no" },
	{ NULL, "guestAgent", -1, 0, 60, 5, -1, { 0 }, "guestAgent" },
	{ NULL, "guestInterval 1", 0, -1, 1, 5, -1, { 0 }, NULL },
	{ NULL, "guestInterval 86400", 0, -1, 86400, 5, -1, { 0 }, NULL },
	{ "guestInterval 30", "guestInterval 0", -1, -1, 30, 5, -1, { 0 }, "1..86400" },
	{ NULL, "guestInterval 86401", -1, -1, 60, 5, -1, { 0 }, "guestInterval" },
	{ NULL, "guestInterval 10s", -1, -1, 60, 5, -1, { 0 }, "\"10s\"" },
	{ NULL, "guestTimeout 0", 0, -1, 60, 0, -1, { 0 }, NULL },   /* libvirt's */
	{ NULL, "guestTimeout 300", 0, -1, 60, 300, -1, { 0 }, NULL },
	{ "guestTimeout 7", "guestTimeout 301", -1, -1, 60, 7, -1, { 0 }, "0..300" },
	{ NULL, "guestTimeout -1", -1, -1, 60, 5, -1, { 0 }, "guestTimeout" },
	{ NULL, "guestAddressSources lease", 0, -1, 60, 5, 1, { 1 }, NULL },
	{ NULL, "guestAddressSources arp, lease", 0, -1, 60, 5, 2, { 3, 1 }, NULL },
	{ NULL, "guestAddressSources AGENT,Lease arp", 0, -1, 60, 5, 3, { 2, 1, 3 }, NULL },
	{ NULL, "guestAddressSources \" ,arp,, \"", 0, -1, 60, 5, 1, { 3 }, NULL },
	{ "guestAddressSources arp", "guestAddressSources none", 0, -1, 60, 5, 0, { 0 }, NULL },
	{ NULL, "guestAddressSources NONE", 0, -1, 60, 5, 0, { 0 }, NULL },
	{ NULL, "guestAddressSources dhcp", -1, -1, 60, 5, -1, { 0 },
	  "guestAddressSources: unknown source \"dhcp\"" },
	{ NULL, "guestAddressSources lease,lease", -1, -1, 60, 5, -1, { 0 },
	  "lease is named twice" },
	{ NULL, "guestAddressSources arp lease ARP", -1, -1, 60, 5, -1, { 0 },
	  "arp is named twice" },
	{ NULL, "guestAddressSources none,lease", -1, -1, 60, 5, -1, { 0 },
	  "unknown source \"none\"" },
	{ NULL, "guestAddressSources lease,none", -1, -1, 60, 5, -1, { 0 },
	  "unknown source \"none\"" },
	{ NULL, "guestAddressSources \",,\"", -1, -1, 60, 5, -1, { 0 }, "needs a value" },
	{ NULL, "guestAddressSources", -1, -1, 60, 5, -1, { 0 }, "guestAddressSources" },
	{ NULL, "guestAddressSources leases", -1, -1, 60, 5, -1, { 0 }, "\"leases\"" },
	/* A bad line keeps what was there, as every other directive does. */
	{ "guestAddressSources arp", "guestAddressSources lease,dhcp", -1, -1, 60, 5, 1,
	  { 3 }, "dhcp" },
	{ "guestAddressSources arp", "guestAddressSources lease,agent,lease", -1, -1, 60, 5,
	  1, { 3 }, "named twice" },
};

START_TEST(test_guest_line)
{
	const char *l = guest_lines[_i].line;

	if (guest_lines[_i].before)
		ck_assert_int_eq(line(guest_lines[_i].before), 0);
	ck_assert_msg(line(l) == guest_lines[_i].rc, "%s: %s", l, err);
	if (guest_lines[_i].err)
		ck_assert_msg(strstr(err, guest_lines[_i].err), "%s: '%s' not in: %s", l,
			      guest_lines[_i].err, err);
	if (guest_lines[_i].agent >= 0)
		ck_assert_int_eq(cfg.guest.agent, guest_lines[_i].agent);
	ck_assert_uint_eq(cfg.guest.interval, guest_lines[_i].interval);
	ck_assert_uint_eq(cfg.guest.timeout, guest_lines[_i].timeout);
	if (guest_lines[_i].nsources < 0)
		ck_assert(!cfg.guest.sources_set);
	else {
		ck_assert(cfg.guest.sources_set);
		ck_assert_uint_eq(cfg.guest.nsources, (size_t)guest_lines[_i].nsources);
		ck_assert_mem_eq(cfg.guest.sources, guest_lines[_i].sources,
				 cfg.guest.nsources);
	}
}
END_TEST

/* The agent as an address source needs guestAgent yes, in the whole file:
 * the two lines in either order, and the last guestAgent counts. */
static const struct { const char *text; bool ok; } agent_sources[] = {
	{ "guestAddressSources agent\n", false },
	{ "guestAddressSources lease,agent\nguestAgent no\n", false },
	{ "guestAgent yes\nguestAddressSources arp,agent\nguestAgent no\n", false },
	{ "guestAgent yes\nguestAddressSources agent\n", true },
	{ "guestAddressSources agent,lease\nguestAgent yes\n", true },
	{ "guestAddressSources agent\nguestAddressSources lease\n", true },
	{ "guestAddressSources lease\n", true },
	{ "guestAgent no\n", true },     /* the default sources without the agent */
};

START_TEST(test_guest_agent_source)
{
	char path[512], want[600];
	int rc;

	write_conf(agent_sources[_i].text, path, sizeof(path));
	rc = vax_config_load(&cfg, path, true, err, sizeof(err));
	ck_assert_msg(rc == (agent_sources[_i].ok ? 0 : -1), "%s: %d: %s",
		      agent_sources[_i].text, rc, err);
	if (agent_sources[_i].ok)
		return;
	/* The file is named (no line: it is the two lines together). */
	snprintf(want, sizeof(want), "%s: guestAddressSources names agent, which needs "
		 "guestAgent yes", path);
	ck_assert_msg(strncmp(err, want, strlen(want)) == 0, "err: %s", err);
	assert_err_printable();
}
END_TEST

static Suite *conf_suite(void)
{
	Suite *s = suite_create("conf");
	TCase *tc;

	tc = tcase_create("defaults");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_defaults);
	tcase_add_test(tc, test_pool_defaults);
	tcase_add_test(tc, test_pool_thresholds);
	tcase_add_test(tc, test_free_resets_to_defaults);
	tcase_add_test(tc, test_guest_defaults);
	suite_add_tcase(s, tc);

	tc = tcase_create("lines");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, test_script, 0, N(scripts));
	tcase_add_loop_test(tc, test_bad_number, 0, N(bad_numbers));
	tcase_add_test(tc, test_unknown_directive_long);
	tcase_add_test(tc, test_value_too_long);
	tcase_add_test(tc, test_escaped_value_bounded);
	tcase_add_test(tc, test_parse_names);
	tcase_add_loop_test(tc, test_parse_uint, 0, N(uints));
	tcase_add_loop_test(tc, test_guest_line, 0, N(guest_lines));
	suite_add_tcase(s, tc);

	tc = tcase_create("load");
	tcase_add_checked_fixture(tc, file_setup, file_teardown);
	tcase_add_loop_test(tc, test_load, 0, N(loads));
	tcase_add_loop_test(tc, test_load_missing_or_directory, 0, N(opens));
	tcase_add_test(tc, test_load_line_too_long);
	tcase_add_test(tc, test_read_stream);
	tcase_add_test(tc, test_load_line_length_limit);
	tcase_add_loop_test(tc, test_guest_agent_source, 0, N(agent_sources));
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return vax_run_suite(conf_suite());
}
