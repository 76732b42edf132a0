/* check_conf.c - virt-agentx.conf parsing. */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"
#include "fixtures.h"

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
	ck_assert_uint_eq(cfg.agentx_timeout, 0);
	ck_assert_uint_eq(cfg.agentx_ping, 1);
	ck_assert_uint_eq(cfg.refresh_wait_ms, 50);
}
END_TEST

START_TEST(test_free_resets_to_defaults)
{
	ck_assert_int_eq(line("libvirtURI qemu:///system"), 0);
	ck_assert_int_eq(line("cacheTimeout 60"), 0);
	vax_config_free(&cfg);
	ck_assert_ptr_null(cfg.uri);
	ck_assert_uint_eq(cfg.cache_timeout, 5);
}
END_TEST

/* ---- each directive ---- */

START_TEST(test_libvirt_uri)
{
	ck_assert_int_eq(line("libvirtURI qemu:///system"), 0);
	ck_assert_str_eq(cfg.uri, "qemu:///system");
}
END_TEST

START_TEST(test_libvirt_uri_replaced)
{
	ck_assert_int_eq(line("libvirtURI test:///default"), 0);
	ck_assert_int_eq(line("libvirtURI qemu+ssh://h/system"), 0);
	ck_assert_str_eq(cfg.uri, "qemu+ssh://h/system");
}
END_TEST

START_TEST(test_cache_timeout)
{
	ck_assert_int_eq(line("cacheTimeout 30"), 0);
	ck_assert_uint_eq(cfg.cache_timeout, 30);
}
END_TEST

START_TEST(test_cache_timeout_bounds)
{
	ck_assert_int_eq(line("cacheTimeout 1"), 0);
	ck_assert_uint_eq(cfg.cache_timeout, 1);
	ck_assert_int_eq(line("cacheTimeout 86400"), 0);
	ck_assert_uint_eq(cfg.cache_timeout, 86400);
}
END_TEST

START_TEST(test_index_file)
{
	ck_assert_int_eq(line("indexFile /var/lib/virt-agentx/idx"), 0);
	ck_assert_str_eq(cfg.index_file, "/var/lib/virt-agentx/idx");
}
END_TEST

START_TEST(test_agentx_socket)
{
	ck_assert_int_eq(line("agentXSocket tcp:localhost:705"), 0);
	ck_assert_str_eq(cfg.agentx_socket, "tcp:localhost:705");
}
END_TEST

START_TEST(test_agentx_timeout)
{
	ck_assert_int_eq(line("agentXTimeout 3600"), 0);
	ck_assert_uint_eq(cfg.agentx_timeout, 3600);
	ck_assert_int_ne(line("agentXTimeout 3601"), 0);
	ck_assert_ptr_nonnull(strstr(err, "agentXTimeout"));
	ck_assert_ptr_nonnull(strstr(err, "1..3600"));
	ck_assert_int_ne(line("agentXTimeout 0"), 0);
	ck_assert_uint_eq(cfg.agentx_timeout, 3600);
}
END_TEST

/* net-snmp's subagent never reads a retry count: not a directive. */
START_TEST(test_agentx_retries)
{
	ck_assert_int_ne(line("agentXRetries 3"), 0);
	ck_assert_ptr_nonnull(strstr(err, "unknown directive"));
}
END_TEST

START_TEST(test_agentx_ping)
{
	ck_assert_int_eq(line("agentXPingInterval 15"), 0);
	ck_assert_uint_eq(cfg.agentx_ping, 15);
	ck_assert_int_ne(line("agentXPingInterval 0"), 0);
	ck_assert_ptr_nonnull(strstr(err, "agentXPingInterval"));
	ck_assert_ptr_nonnull(strstr(err, "1..3600"));
}
END_TEST

START_TEST(test_refresh_wait)
{
	ck_assert_int_eq(line("refreshWait 0"), 0);
	ck_assert_uint_eq(cfg.refresh_wait_ms, 0);
	ck_assert_int_eq(line("refreshWait 500"), 0);
	ck_assert_uint_eq(cfg.refresh_wait_ms, 500);
	ck_assert_int_ne(line("refreshWait 501"), 0);
	ck_assert_ptr_nonnull(strstr(err, "refreshWait"));
	ck_assert_ptr_nonnull(strstr(err, "0..500"));
	ck_assert_ptr_nonnull(strstr(err, "milliseconds"));
}
END_TEST

/* ---- syntax ---- */

START_TEST(test_case_insensitive)
{
	ck_assert_int_eq(line("CACHETIMEOUT 7"), 0);
	ck_assert_uint_eq(cfg.cache_timeout, 7);
	ck_assert_int_eq(line("libvirturi test:///default"), 0);
	ck_assert_str_eq(cfg.uri, "test:///default");
	ck_assert_int_eq(line("AgentxPingInterval 3"), 0);
	ck_assert_uint_eq(cfg.agentx_ping, 3);
	ck_assert_int_eq(line("INDEXFILE /tmp/x"), 0);
	ck_assert_str_eq(cfg.index_file, "/tmp/x");
}
END_TEST

START_TEST(test_value_case_kept)
{
	ck_assert_int_eq(line("indexFile /Var/Lib/Index"), 0);
	ck_assert_str_eq(cfg.index_file, "/Var/Lib/Index");
}
END_TEST

START_TEST(test_quoted_value)
{
	ck_assert_int_eq(line("indexFile \"/var/lib/my index\""), 0);
	ck_assert_str_eq(cfg.index_file, "/var/lib/my index");
	ck_assert_int_eq(line("cacheTimeout \"12\""), 0);
	ck_assert_uint_eq(cfg.cache_timeout, 12);
}
END_TEST

START_TEST(test_empty_quoted_value)
{
	ck_assert_int_ne(line("libvirtURI \"\""), 0);
	ck_assert_ptr_nonnull(strstr(err, "libvirtURI"));
	ck_assert_ptr_null(cfg.uri);
}
END_TEST

START_TEST(test_unterminated_quote)
{
	static const char *bad[] = { "libvirtURI \"", "libvirtURI \"test:///default",
				     "cacheTimeout \"5" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert_int_ne(line(bad[i]), 0);
		ck_assert_ptr_nonnull(strstr(err, "unterminated quote"));
	}
	ck_assert_ptr_null(cfg.uri);
}
END_TEST

START_TEST(test_whitespace_around)
{
	ck_assert_int_eq(line("   \tcacheTimeout \t  9 \t\r\n"), 0);
	ck_assert_uint_eq(cfg.cache_timeout, 9);
	ck_assert_int_eq(line("agentXSocket   /run/agentx/master  \n"), 0);
	ck_assert_str_eq(cfg.agentx_socket, "/run/agentx/master");
}
END_TEST

START_TEST(test_value_with_inner_spaces)
{
	ck_assert_int_eq(line("indexFile /a b/c"), 0);
	ck_assert_str_eq(cfg.index_file, "/a b/c");
}
END_TEST

START_TEST(test_comments_and_blank)
{
	ck_assert_int_eq(line(""), 0);
	ck_assert_int_eq(line("\n"), 0);
	ck_assert_int_eq(line("   \t  \n"), 0);
	ck_assert_int_eq(line("# cacheTimeout 99"), 0);
	ck_assert_int_eq(line("   # indented comment"), 0);
	ck_assert_int_eq(line("#"), 0);
	ck_assert_uint_eq(cfg.cache_timeout, 5);
}
END_TEST

/* ---- errors ---- */

static const char *const bad_numbers[] = {
	"abc", "-1", "0", "86401", "5s", "99999999999999999999", "", " ", "+5",
	"5.0", "0x10", "4294967301",
};

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

START_TEST(test_bad_number_keeps_previous)
{
	ck_assert_int_eq(line("cacheTimeout 42"), 0);
	ck_assert_int_eq(line("cacheTimeout 0"), -1);
	ck_assert_uint_eq(cfg.cache_timeout, 42);
}
END_TEST

START_TEST(test_bad_number_quotes_value)
{
	ck_assert_int_eq(line("agentXTimeout 5s"), -1);
	ck_assert_ptr_nonnull(strstr(err, "\"5s\""));
}
END_TEST

START_TEST(test_unknown_directive)
{
	ck_assert_int_eq(line("cacheTimeOutt 5"), -1);
	ck_assert_ptr_nonnull(strstr(err, "unknown directive"));
	ck_assert_ptr_nonnull(strstr(err, "cacheTimeOutt"));
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

START_TEST(test_no_value_string)
{
	ck_assert_int_eq(line("libvirtURI"), -1);
	ck_assert_ptr_nonnull(strstr(err, "libvirtURI"));
	ck_assert_int_eq(line("indexFile   \n"), -1);
	ck_assert_ptr_nonnull(strstr(err, "indexFile"));
	ck_assert_int_eq(line("agentXSocket"), -1);
	ck_assert_ptr_nonnull(strstr(err, "agentXSocket"));
}
END_TEST

START_TEST(test_no_value_number)
{
	ck_assert_int_eq(line("cacheTimeout"), -1);
	ck_assert_ptr_nonnull(strstr(err, "cacheTimeout"));
	ck_assert_int_eq(line("refreshWait \n"), -1);
	ck_assert_ptr_nonnull(strstr(err, "refreshWait"));
	ck_assert_int_eq(line("agentXPingInterval"), -1);
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

/* ---- vax_parse_uint ---- */

/* ---- serveMIBs ---- */

START_TEST(test_serve_mibs_default_both)
{
	ck_assert_uint_eq(cfg.mibs, VAX_MIB_VIRT | VAX_MIB_VM);
}
END_TEST

START_TEST(test_serve_mibs_each)
{
	ck_assert_int_eq(line("serveMIBs VM-MIB"), 0);
	ck_assert_uint_eq(cfg.mibs, VAX_MIB_VM);
	ck_assert_int_eq(line("serveMIBs VIRT-AGENTX-MIB"), 0);
	ck_assert_uint_eq(cfg.mibs, VAX_MIB_VIRT);
	ck_assert_int_eq(line("servemibs vm-mib,virt-agentx-mib"), 0);
	ck_assert_uint_eq(cfg.mibs, VAX_MIB_ALL);
	ck_assert_int_eq(line("serveMIBs \"VM-MIB  VIRT-AGENTX-MIB\""), 0);
	ck_assert_uint_eq(cfg.mibs, VAX_MIB_ALL);
	ck_assert_int_eq(line("serveMIBs VM-MIB"), 0);
	ck_assert_int_eq(line("serveMIBs all"), 0);
	ck_assert_uint_eq(cfg.mibs, VAX_MIB_ALL);
}
END_TEST

START_TEST(test_serve_mibs_bad)
{
	ck_assert_int_eq(line("serveMIBs VM-MIB"), 0);
	ck_assert_int_eq(line("serveMIBs VM-MIB,IF-MIB"), -1);
	ck_assert_str_eq(err, "serveMIBs: unknown MIB \"IF-MIB\" (use VIRT-AGENTX-MIB, "
			 "VM-MIB or all)");
	ck_assert_uint_eq(cfg.mibs, VAX_MIB_VM);   /* unchanged */
	ck_assert_int_eq(line("serveMIBs ,, ,"), -1);
	ck_assert_str_eq(err, "serveMIBs: no MIB named (use VIRT-AGENTX-MIB, VM-MIB or all)");
	ck_assert_int_eq(line("serveMIBs"), -1);
	ck_assert_int_eq(line("serveMIBs VM"), -1);   /* no prefixes */
	ck_assert_int_eq(line("serveMIBs VM-MIB\xff"), -1);
	ck_assert_str_eq(err, "serveMIBs: unknown MIB \"VM-MIB\\xFF\" (use VIRT-AGENTX-MIB, "
			 "VM-MIB or all)");
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

START_TEST(test_parse_uint)
{
	unsigned u = 77;

	ck_assert_int_eq(vax_parse_uint("10", 1, 10, &u), 0);
	ck_assert_uint_eq(u, 10);
	ck_assert_int_eq(vax_parse_uint("0", 0, 0, &u), 0);
	ck_assert_uint_eq(u, 0);
	ck_assert_int_eq(vax_parse_uint("4294967295", 0, 4294967295u, &u), 0);
	ck_assert_uint_eq(u, 4294967295u);
	u = 77;
	ck_assert_int_eq(vax_parse_uint("4294967296", 0, 4294967295u, &u), -1);
	ck_assert_int_eq(vax_parse_uint(NULL, 0, 10, &u), -1);
	ck_assert_int_eq(vax_parse_uint("", 0, 10, &u), -1);
	ck_assert_int_eq(vax_parse_uint("11", 0, 10, &u), -1);
	ck_assert_int_eq(vax_parse_uint("1", 2, 10, &u), -1);
	ck_assert_int_eq(vax_parse_uint(" 1", 0, 10, &u), -1);
	ck_assert_int_eq(vax_parse_uint("1 ", 0, 10, &u), -1);
	ck_assert_uint_eq(u, 77);
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

static void write_conf(const char *content, char *path, size_t pathlen)
{
	FILE *f;

	snprintf(path, pathlen, "%s/virt-agentx.conf", tmpdir);
	ck_assert_ptr_nonnull(f = fopen(path, "w"));
	ck_assert_int_ge(fputs(content, f), 0);
	ck_assert_int_eq(fclose(f), 0);
}

START_TEST(test_load_ok)
{
	char path[512];

	write_conf("# virt-agentx\n"
		   "\n"
		   "libvirtURI \"qemu:///system\"\n"
		   "cacheTimeout 10\n"
		   "   indexFile /var/lib/virt-agentx/index\n"
		   "agentXSocket /var/agentx/master\n"
		   "agentXTimeout 2\n"
		   "agentXPingInterval 30\n"
		   "refreshWait 100\n"
		   "# end", path, sizeof(path));
	ck_assert_int_eq(vax_config_load(&cfg, path, true, err, sizeof(err)), 0);
	ck_assert_str_eq(cfg.uri, "qemu:///system");
	ck_assert_uint_eq(cfg.cache_timeout, 10);
	ck_assert_str_eq(cfg.index_file, "/var/lib/virt-agentx/index");
	ck_assert_str_eq(cfg.agentx_socket, "/var/agentx/master");
	ck_assert_uint_eq(cfg.agentx_timeout, 2);
	ck_assert_uint_eq(cfg.agentx_ping, 30);
	ck_assert_uint_eq(cfg.refresh_wait_ms, 100);
}
END_TEST

START_TEST(test_load_last_line_without_newline)
{
	char path[512];

	write_conf("cacheTimeout 11", path, sizeof(path));
	ck_assert_int_eq(vax_config_load(&cfg, path, true, err, sizeof(err)), 0);
	ck_assert_uint_eq(cfg.cache_timeout, 11);
}
END_TEST

START_TEST(test_load_crlf)
{
	char path[512];

	write_conf("cacheTimeout 12\r\nlibvirtURI test:///default\r\n", path,
		   sizeof(path));
	ck_assert_int_eq(vax_config_load(&cfg, path, true, err, sizeof(err)), 0);
	ck_assert_uint_eq(cfg.cache_timeout, 12);
	ck_assert_str_eq(cfg.uri, "test:///default");
}
END_TEST

START_TEST(test_load_error_line_3)
{
	char path[512], prefix[600];

	write_conf("# comment\n"
		   "cacheTimeout 10\n"
		   "cacheTimeout abc\n"
		   "agentXRetries 3\n", path, sizeof(path));
	ck_assert_int_eq(vax_config_load(&cfg, path, true, err, sizeof(err)), -1);
	snprintf(prefix, sizeof(prefix), "%s:3:", path);
	ck_assert_msg(strncmp(err, prefix, strlen(prefix)) == 0, "err: %s", err);
	ck_assert_ptr_nonnull(strstr(err, "cacheTimeout"));
	/* Stops at the error: later lines are not applied. */
}
END_TEST

START_TEST(test_load_unknown_directive_line)
{
	char path[512], prefix[600];

	write_conf("\n\n\n\nfrobnicate 1\n", path, sizeof(path));
	ck_assert_int_eq(vax_config_load(&cfg, path, false, err, sizeof(err)), -1);
	snprintf(prefix, sizeof(prefix), "%s:5:", path);
	ck_assert_msg(strncmp(err, prefix, strlen(prefix)) == 0, "err: %s", err);
	ck_assert_ptr_nonnull(strstr(err, "frobnicate"));
}
END_TEST

START_TEST(test_load_line_too_long)
{
	char path[512], prefix[600];
	char *content = malloc(20000);

	ck_assert_ptr_nonnull(content);
	strcpy(content, "cacheTimeout 3\n# ");
	memset(content + strlen(content), 'x', 10000);
	strcpy(content + 17 + 10000, "\n");
	write_conf(content, path, sizeof(path));
	free(content);
	ck_assert_int_eq(vax_config_load(&cfg, path, true, err, sizeof(err)), -1);
	snprintf(prefix, sizeof(prefix), "%s:2:", path);
	ck_assert_msg(strncmp(err, prefix, strlen(prefix)) == 0, "err: %s", err);
}
END_TEST

START_TEST(test_load_missing_optional)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/does-not-exist.conf", tmpdir);
	ck_assert_int_eq(vax_config_load(&cfg, path, false, err, sizeof(err)), 0);
	ck_assert_uint_eq(cfg.cache_timeout, 5);
}
END_TEST

START_TEST(test_load_missing_required)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/does-not-exist.conf", tmpdir);
	ck_assert_int_eq(vax_config_load(&cfg, path, true, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, path));
}
END_TEST

START_TEST(test_load_directory)
{
	ck_assert_int_eq(vax_config_load(&cfg, tmpdir, false, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, tmpdir));
	ck_assert_int_eq(vax_config_load(&cfg, tmpdir, true, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, tmpdir));
}
END_TEST

START_TEST(test_load_empty_file)
{
	char path[512];

	write_conf("", path, sizeof(path));
	ck_assert_int_eq(vax_config_load(&cfg, path, true, err, sizeof(err)), 0);
	ck_assert_uint_eq(cfg.cache_timeout, 5);
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

/* ---- hostile files: bytes no line should hold ---- */

static void write_bytes(const char *content, size_t len, char *path, size_t pathlen)
{
	FILE *f;

	snprintf(path, pathlen, "%s/virt-agentx.conf", tmpdir);
	ck_assert_ptr_nonnull(f = fopen(path, "w"));
	ck_assert_uint_eq(fwrite(content, 1, len, f), len);
	ck_assert_int_eq(fclose(f), 0);
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

START_TEST(test_load_nul_byte)
{
	static const char content[] = "libvirtURI qemu:///system\0evil\ncacheTimeout 7\n";
	char path[512];

	/* fgets() and strlen() took this for a line too long (the NUL hid
	 * the newline) or cut the URI at the NUL without a word. */
	write_bytes(content, sizeof(content) - 1, path, sizeof(path));
	ck_assert_int_eq(vax_config_load(&cfg, path, true, err, sizeof(err)), -1);
	assert_err_at(path, 1, "NUL byte in column 26");
	ck_assert_ptr_null(cfg.uri);
}
END_TEST

START_TEST(test_load_nul_byte_last_line)
{
	static const char content[] = "cacheTimeout 7\ncacheTimeout 9\0";
	char path[512];

	write_bytes(content, sizeof(content) - 1, path, sizeof(path));
	ck_assert_int_eq(vax_config_load(&cfg, path, true, err, sizeof(err)), -1);
	assert_err_at(path, 2, "NUL byte in column 15");
}
END_TEST

START_TEST(test_load_control_characters)
{
	static const struct { const char *text; int line; const char *what; } cases[] = {
		{ "libvirtURI qemu:///system\x1b[2K\n", 1, "control character 0x1B in column 26" },
		{ "# ok\ncacheTimeout 5\rcacheTimeout 500\n", 2, "0x0D in column 15" },
		{ "cacheTimeout\v5\n", 1, "0x0B in column 13" },
		{ "indexFile /x\x7f\n", 1, "0x7F in column 13" },
		{ "cacheTimeout 5\r\r\n", 1, "0x0D in column 15" },
	};
	char path[512];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		vax_config_free(&cfg);
		write_conf(cases[i].text, path, sizeof(path));
		ck_assert_int_eq(vax_config_load(&cfg, path, true, err, sizeof(err)), -1);
		assert_err_at(path, cases[i].line, cases[i].what);
		assert_err_printable();
	}
}
END_TEST

START_TEST(test_load_tabs_and_crlf_fine)
{
	char path[512];

	write_conf("\tcacheTimeout\t7\t\r\n#\tcomment\r\n", path, sizeof(path));
	ck_assert_int_eq(vax_config_load(&cfg, path, true, err, sizeof(err)), 0);
	ck_assert_uint_eq(cfg.cache_timeout, 7);
}
END_TEST

START_TEST(test_load_non_utf8_value_kept)
{
	char path[512];

	/* A path is bytes, not text: Latin-1 and broken UTF-8 are kept as
	 * they are (the MIB view cleans what it serves). */
	write_conf("indexFile /var/lib/\xe9t\xe9/\xff\xfe\n", path, sizeof(path));
	ck_assert_int_eq(vax_config_load(&cfg, path, true, err, sizeof(err)), 0);
	ck_assert_str_eq(cfg.index_file, "/var/lib/\xe9t\xe9/\xff\xfe");
}
END_TEST

START_TEST(test_load_non_utf8_shown_escaped)
{
	char path[512];

	write_conf("# \xff\n\xc3\x28\xff\xfe 5\n", path, sizeof(path));
	ck_assert_int_eq(vax_config_load(&cfg, path, true, err, sizeof(err)), -1);
	assert_err_at(path, 2, "unknown directive \"\\xC3(\\xFF\\xFE\"");
	assert_err_printable();
	vax_config_free(&cfg);
	write_conf("cacheTimeout 5\xff\n", path, sizeof(path));
	ck_assert_int_eq(vax_config_load(&cfg, path, true, err, sizeof(err)), -1);
	assert_err_at(path, 1, "\"5\\xFF\" is not a whole number");
	assert_err_printable();
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

START_TEST(test_load_duplicates_last_wins)
{
	char path[512];

	/* Documented: a directive given twice takes the later value, as
	 * the same directive on the command line wins over the file. */
	write_conf("cacheTimeout 10\nlibvirtURI test:///a\n"
		   "cacheTimeout 20\nlibvirtURI test:///b\ntrapsEnabled no\n"
		   "trapsEnabled yes\n", path, sizeof(path));
	ck_assert_int_eq(vax_config_load(&cfg, path, true, err, sizeof(err)), 0);
	ck_assert_uint_eq(cfg.cache_timeout, 20);
	ck_assert_str_eq(cfg.uri, "test:///b");
	ck_assert(cfg.traps_enabled);
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

static Suite *conf_suite(void)
{
	Suite *s = suite_create("conf");
	TCase *tc;

	tc = tcase_create("defaults");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_defaults);
	tcase_add_test(tc, test_free_resets_to_defaults);
	suite_add_tcase(s, tc);

	tc = tcase_create("directives");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_libvirt_uri);
	tcase_add_test(tc, test_libvirt_uri_replaced);
	tcase_add_test(tc, test_cache_timeout);
	tcase_add_test(tc, test_cache_timeout_bounds);
	tcase_add_test(tc, test_index_file);
	tcase_add_test(tc, test_agentx_socket);
	tcase_add_test(tc, test_agentx_timeout);
	tcase_add_test(tc, test_agentx_retries);
	tcase_add_test(tc, test_agentx_ping);
	tcase_add_test(tc, test_refresh_wait);
	suite_add_tcase(s, tc);

	tc = tcase_create("syntax");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_case_insensitive);
	tcase_add_test(tc, test_value_case_kept);
	tcase_add_test(tc, test_quoted_value);
	tcase_add_test(tc, test_empty_quoted_value);
	tcase_add_test(tc, test_unterminated_quote);
	tcase_add_test(tc, test_whitespace_around);
	tcase_add_test(tc, test_value_with_inner_spaces);
	tcase_add_test(tc, test_comments_and_blank);
	suite_add_tcase(s, tc);

	tc = tcase_create("errors");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, test_bad_number, 0,
			    (int)(sizeof(bad_numbers) / sizeof(bad_numbers[0])));
	tcase_add_test(tc, test_bad_number_keeps_previous);
	tcase_add_test(tc, test_bad_number_quotes_value);
	tcase_add_test(tc, test_unknown_directive);
	tcase_add_test(tc, test_unknown_directive_long);
	tcase_add_test(tc, test_no_value_string);
	tcase_add_test(tc, test_no_value_number);
	tcase_add_test(tc, test_value_too_long);
	tcase_add_test(tc, test_parse_uint);
	tcase_add_test(tc, test_escaped_value_bounded);
	suite_add_tcase(s, tc);

	tc = tcase_create("load");
	tcase_add_checked_fixture(tc, file_setup, file_teardown);
	tcase_add_test(tc, test_load_ok);
	tcase_add_test(tc, test_load_last_line_without_newline);
	tcase_add_test(tc, test_load_crlf);
	tcase_add_test(tc, test_load_error_line_3);
	tcase_add_test(tc, test_load_unknown_directive_line);
	tcase_add_test(tc, test_load_line_too_long);
	tcase_add_test(tc, test_load_missing_optional);
	tcase_add_test(tc, test_load_missing_required);
	tcase_add_test(tc, test_load_directory);
	tcase_add_test(tc, test_load_empty_file);
	tcase_add_test(tc, test_read_stream);
	tcase_add_test(tc, test_load_nul_byte);
	tcase_add_test(tc, test_load_nul_byte_last_line);
	tcase_add_test(tc, test_load_control_characters);
	tcase_add_test(tc, test_load_tabs_and_crlf_fine);
	tcase_add_test(tc, test_load_non_utf8_value_kept);
	tcase_add_test(tc, test_load_non_utf8_shown_escaped);
	tcase_add_test(tc, test_load_duplicates_last_wins);
	tcase_add_test(tc, test_load_line_length_limit);
	tcase_add_test(tc, test_serve_mibs_default_both);
	tcase_add_test(tc, test_serve_mibs_each);
	tcase_add_test(tc, test_serve_mibs_bad);
	tcase_add_test(tc, test_parse_names);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return vax_run_suite(conf_suite());
}
