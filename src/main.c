/* main.c - options, configuration and the daemon's life cycle. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>

#include <libvirt/libvirt.h>
#include <libxml/parser.h>

#include "agentx.h"
#include "collector.h"
#include "conf.h"
#include "guest.h"
#include "storage.h"
#include "libvirt_loop.h"
#include "log.h"
#include "priv.h"

enum { EXIT_CONFIG = 1, EXIT_USAGE = 2, EXIT_RUNTIME = 3 };

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: virt-agentx [OPTIONS]\n"
		"AgentX subagent serving libvirt domains, vCPUs, disks and interfaces\n"
		"(VIRT-AGENTX-MIB) to the host's snmpd.\n\n"
		"  -f            stay in the foreground\n"
		"  -x ADDRESS    AgentX master address (unix:/path, tcp:HOST:PORT)\n"
		"  -u URI        libvirt URI (default: libvirt's default URI)\n"
		"  -t SECONDS    cache timeout, 1..86400 (default 5)\n"
		"  -c FILE       configuration file (default " VAX_DEFAULT_CONFIG ")\n"
		"  -L[oesf...]   logging, as snmpd: -Lo stdout, -Le stderr, -Lf FILE,\n"
		"                -Ls FACILITY (syslog); default: stderr with -f, else syslog\n"
		"  -D[TOKENS]    debug output (all, or comma-separated tokens:\n"
		"                collector, agentx, ...)\n"
		"  -p PIDFILE    write the process id to PIDFILE\n"
		"  -U USER       run as USER (name or uid) once started, with its groups;\n"
		"                needs root; USER must be able to connect to the AgentX\n"
		"                and libvirt sockets and write the index file's directory\n"
		"  -G GROUP      with -U: run with this group (default: USER's own)\n"
		"  -n            check the configuration and exit\n"
		"  -h            this help\n"
		"  -V            print the version and exit\n\n"
		"Exit status: 0 success, 1 configuration error, 2 usage error,\n"
		"3 start-up failure. See virt-agentx(8) and virt-agentx.conf(5).\n");
}

static int write_pidfile(const char *path)
{
	FILE *f = fopen(path, "we");

	if (!f || fprintf(f, "%ld\n", (long)getpid()) < 0 || fclose(f) != 0) {
		vax_err("%s: cannot write pid file: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

/* The directory part of path ("." for a bare name). */
static void dir_of(const char *path, char *dir, size_t len)
{
	const char *slash = strrchr(path, '/');

	if (!slash)
		snprintf(dir, len, ".");
	else if (slash == path)
		snprintf(dir, len, "/");
	else
		snprintf(dir, len, "%.*s", (int)(slash - path), path);
}

/* May the current user create and replace files in path's directory (and
 * remove path itself, which a sticky directory forbids for another
 * owner's file)? 0, or -1 with errno set. */
static int can_replace(const char *path)
{
	char dir[4096];
	struct stat d, f;

	dir_of(path, dir, sizeof(dir));
	if (access(dir, W_OK | X_OK) < 0)
		return -1;
	if (stat(dir, &d) == 0 && (d.st_mode & S_ISVTX) && stat(path, &f) == 0 &&
	    f.st_uid != geteuid()) {
		errno = EPERM;
		return -1;
	}
	return 0;
}

/* What the command line said (it wins over the file, on reload too). */
static struct {
	const char *conf_file;   /* NULL: the default file, which may be missing */
	const char *uri, *socket;
	unsigned timeout;
} cli;

static struct vax_config cfg;            /* in force */
static struct vax_collector *collector;
static struct vax_guests *guests;
static struct vax_storage *storage;   /* NULL: poolInterval 0 */
static struct vax_libvirt_loop *loop;
static struct vax_priv priv;             /* -U, -G */

/* The file, then the command line. -1 with "FILE:LINE: problem" in err. */
static int load_config(struct vax_config *c, char *err, size_t errlen)
{
	vax_config_init(c);
	if (vax_config_load(c, cli.conf_file ? cli.conf_file : VAX_DEFAULT_CONFIG,
			    cli.conf_file != NULL, err, errlen) < 0)
		goto fail;
	if ((cli.uri && !(free(c->uri), c->uri = strdup(cli.uri))) ||
	    (cli.socket && !(free(c->agentx_socket), c->agentx_socket = strdup(cli.socket))) ||
	    (!c->index_file && !(c->index_file = strdup(VAX_DEFAULT_INDEX_FILE)))) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	if (cli.timeout)
		c->cache_timeout = cli.timeout;
	return 0;
fail:
	vax_config_free(c);
	return -1;
}

static struct vax_collector *start_collector(const struct vax_config *c,
					     char *err, size_t errlen)
{
	return vax_collector_start(&(struct vax_collector_opts){
			.loop = loop,
			.uri = c->uri,
			.index_file = c->index_file,
			.publish = vax_agent_publish,
			.on_event = vax_agent_event,
			.guests = guests,
			.storage = storage,
			.usage_window_ms = c->usage_window * 1000 }, err, errlen);
}

/* After -U: what the new user must reach, said at start rather than found
 * out at the first SIGHUP, index write or AgentX reconnection. */
static void check_access(const char *pidfile)
{
	const char *conf = cli.conf_file ? cli.conf_file : VAX_DEFAULT_CONFIG;
	const char *ax = cfg.agentx_socket ? cfg.agentx_socket : "/var/agentx/master";
	char who[128], dir[4096];

	if (!priv.change)
		return;
	vax_priv_who(&priv, who, sizeof(who));
	if (access(conf, R_OK) < 0 && errno != ENOENT)
		vax_warn("%s: not readable by %s (%s): SIGHUP cannot re-read it",
			 conf, who, strerror(errno));
	if (can_replace(cfg.index_file) < 0) {
		dir_of(cfg.index_file, dir, sizeof(dir));
		vax_warn("index file %s: %s cannot write in %s (%s): domain indexes are "
			 "kept in memory only and may change when the agent restarts; "
			 "make the directory writable by that user", cfg.index_file, who,
			 dir, strerror(errno));
	}
	if (strncmp(ax, "unix:", 5) == 0)
		ax += 5;
	if (ax[0] == '/' && access(ax, W_OK) < 0 && errno != ENOENT)
		vax_warn("AgentX socket %s: %s cannot connect to it (%s): let that user "
			 "or one of its groups in with snmpd's agentXPerms, e.g. "
			 "\"agentXPerms 0660 0750 root GROUP\"", ax, who, strerror(errno));
	if (pidfile && can_replace(pidfile) < 0)
		vax_warn("pid file %s: %s cannot remove it at exit (%s): it stays behind",
			 pidfile, who, strerror(errno));
	if (!cfg.uri && !getenv("LIBVIRT_DEFAULT_URI"))
		vax_warn("no libvirt URI given: as %s libvirt picks that user's default, "
			 "usually its own session (qemu:///session), not the host's "
			 "domains; give -u qemu:///system", who);
}

static bool differ(const char *a, const char *b)
{
	return (a || b) && (!a || !b || strcmp(a, b) != 0);
}

/* The guest-data thread's options from the configuration. */
static struct vax_guest_opts guest_opts(const struct vax_config *c)
{
	struct vax_guest_opts o = { .agent = c->guest.agent, .interval = c->guest.interval,
				    .timeout = c->guest.timeout };

	_Static_assert(VAX_GUEST_MAX_SOURCES == VAX_MAX_ADDR_SOURCES, "address sources");
	o.nsources = vax_guest_sources(&c->guest, o.sources);
	return o;
}

/* The storage thread's options (thresholds: hundredths of a percent);
 * *over (to free) holds the per-pool ones: out of memory, none. */
static struct vax_storage_opts storage_opts(const struct vax_config *c,
					    struct vax_pool_threshold **over)
{
	size_t n = c->pool.npools;

	if (!(*over = n ? calloc(n, sizeof(**over)) : NULL))
		n = 0;
	for (size_t i = 0; i < n; i++)
		(*over)[i] = (struct vax_pool_threshold){ c->pool.pools[i].name,
							  c->pool.pools[i].threshold * 100 };
	return (struct vax_storage_opts){ .interval = c->pool.interval,
		.refresh = c->pool.refresh, .threshold = c->pool.threshold * 100,
		.hysteresis = c->pool.hysteresis * 100, .pools = *over, .npools = n };
}

static struct vax_storage *start_storage(const struct vax_config *c)
{
	struct vax_pool_threshold *over;
	struct vax_storage_opts o = storage_opts(c, &over);
	struct vax_storage *st = vax_storage_start(loop, c->uri, &o, vax_agent_event, NULL);

	free(over);   /* copied */
	return st;
}

static bool guest_differ(const struct vax_config *a, const struct vax_config *b)
{
	struct vax_guest_opts x = guest_opts(a), y = guest_opts(b);

	return x.agent != y.agent || x.interval != y.interval || x.timeout != y.timeout ||
	       x.nsources != y.nsources || memcmp(x.sources, y.sources, x.nsources) != 0;
}

/* SIGHUP: apply what can change while running; a bad file changes nothing. */
static void reload(void *arg)
{
	struct vax_config next;
	char err[1024];

	(void)arg;
	if (load_config(&next, err, sizeof(err)) < 0) {
		vax_err("%s; keeping the running configuration", err);
		return;
	}
	if (differ(next.uri, cfg.uri) || differ(next.index_file, cfg.index_file)) {
		vax_notice("libvirt URI or index file changed: the collector switches over");
		vax_collector_reconfigure(collector, next.uri, differ(next.uri, cfg.uri),
					  differ(next.index_file, cfg.index_file) ? next.index_file : NULL);
	}
	if (differ(next.agentx_socket, cfg.agentx_socket) ||
	    next.agentx_timeout != cfg.agentx_timeout ||
	    next.agentx_ping != cfg.agentx_ping || next.mibs != cfg.mibs)
		vax_warn("AgentX settings or serveMIBs changed: they take effect when "
			 "the agent restarts");
	if (differ(next.uri, cfg.uri) || guest_differ(&next, &cfg))
		{
		struct vax_guest_opts o = guest_opts(&next);
		vax_guests_reconfigure(guests, next.uri, &o);
	}
	if (!storage != !next.pool.interval)
		vax_warn("poolInterval switched pools and networks %s: that takes effect "
			 "when the agent restarts", next.pool.interval ? "on" : "off");
	else if (storage) {
		struct vax_pool_threshold *over;
		struct vax_storage_opts o = storage_opts(&next, &over);
		vax_storage_reconfigure(storage, next.uri, &o);
		free(over);
	}
	vax_collector_set_usage_window(collector, next.usage_window * 1000);
	vax_config_free(&cfg);
	cfg = next;
	vax_agent_configure(&cfg);
	vax_notice("configuration reloaded: cache %u s, notifications %s", cfg.cache_timeout,
		   cfg.traps_enabled ? "on" : "off");
}

int main(int argc, char **argv)
{
	const char *pidfile = NULL;
	bool foreground = false, check_only = false, log_set = false, xml_cleanup = true;
	char err[1024];
	int opt, status = 0;

	const char *user = NULL, *group = NULL;

	vax_priv_sanitize_fds();   /* before -Lf opens the log file */
	while ((opt = getopt(argc, argv, "fx:u:t:c:L:D::p:U:G:nhV")) != -1) {
		switch (opt) {
		case 'f': foreground = true; break;
		case 'x': cli.socket = optarg; break;
		case 'u': cli.uri = optarg; break;
		case 't':
			if (vax_parse_uint(optarg, 1, 86400, &cli.timeout) < 0) {
				fprintf(stderr, "virt-agentx: -t %s: the cache timeout must be "
					"a whole number of seconds in 1..86400\n", optarg);
				return EXIT_USAGE;
			}
			break;
		case 'c': cli.conf_file = optarg; break;
		case 'L':
			if (snmp_log_options(optarg, argc, argv) < 0) {
				fprintf(stderr, "virt-agentx: bad logging option -L%s\n", optarg);
				return EXIT_USAGE;
			}
			log_set = true;
			break;
		case 'D':
			debug_register_tokens(optarg);
			snmp_set_do_debugging(1);
			vax_log_set_debug(1);
			break;
		case 'p': pidfile = optarg; break;
		case 'U': user = optarg; break;
		case 'G': group = optarg; break;
		case 'n': check_only = true; break;
		case 'h': usage(stdout); return 0;
		case 'V': printf("virt-agentx %s\n", PACKAGE_VERSION); return 0;
		default: usage(stderr); return EXIT_USAGE;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "virt-agentx: unexpected argument \"%s\"\n", argv[optind]);
		usage(stderr);
		return EXIT_USAGE;
	}
	if (load_config(&cfg, err, sizeof(err)) < 0) {
		fprintf(stderr, "virt-agentx: %s\n", err);
		return EXIT_CONFIG;
	}
	if (vax_priv_lookup(&priv, user, group, err, sizeof(err)) < 0) {
		fprintf(stderr, "virt-agentx: %s\n", err);
		vax_config_free(&cfg);
		return EXIT_USAGE;
	}
	if (check_only) {
		printf("%s: configuration OK\n", cli.conf_file ? cli.conf_file : VAX_DEFAULT_CONFIG);
		vax_priv_free(&priv);
		vax_config_free(&cfg);
		return 0;
	}

	if (!log_set) {
		if (foreground)
			snmp_enable_stderrlog();
		else
			snmp_enable_syslog_ident("virt-agentx", LOG_DAEMON);
	}
	if (!foreground && daemon(0, 0) < 0) {
		fprintf(stderr, "virt-agentx: cannot detach: %s\n", strerror(errno));
		return EXIT_RUNTIME;
	}
	if (pidfile && write_pidfile(pidfile) < 0) {
		vax_priv_free(&priv);
		vax_config_free(&cfg);
		return EXIT_RUNTIME;
	}

	/* What needs root is open (pid file, log file, configuration read):
	 * switch users now, before libvirt, net-snmp's AgentX session or any
	 * thread starts, so that every connection and every reconnection is
	 * made as the same user. */
	if (vax_priv_drop(&priv, err, sizeof(err)) < 0) {
		vax_err("%s", err);
		status = EXIT_RUNTIME;
		goto out;
	}
	if (priv.same)
		vax_notice("already running as %s: nothing to switch",
			   vax_priv_who(&priv, err, sizeof(err)));
	/* The agent never executes anything that should gain privileges. */
	if (vax_priv_no_new_privs(err, sizeof(err)) < 0)
		vax_warn("%s", err);
	check_access(pidfile);

	if (vax_agent_event_init(err, sizeof(err)) < 0 ||
	    !(loop = vax_libvirt_loop_start(err, sizeof(err))) ||
	    vax_agent_init(&cfg, err, sizeof(err)) < 0) {
		vax_err("%s", err);
		status = EXIT_RUNTIME;
		goto out;
	}
	struct vax_guest_opts gopts = guest_opts(&cfg);
	if (!(guests = vax_guests_start(loop, cfg.uri, &gopts))) {
		vax_err("cannot start the guest-data thread: out of memory");
		vax_libvirt_loop_stop(loop);
		loop = NULL;
		vax_agent_shutdown();
		status = EXIT_RUNTIME;
		goto out;
	}
	if (cfg.guest.agent)
		vax_notice("guestAgent yes: guest agents are asked every %u s over a "
			   "read-write libvirt connection", cfg.guest.interval);
	if (cfg.pool.interval && !(storage = start_storage(&cfg)))
		vax_warn("cannot start the storage thread: out of memory; no pools or networks");
	if (cfg.pool.refresh && storage)
		vax_notice("poolRefresh yes: pools are refreshed every %u s over a read-write "
			   "libvirt connection", cfg.pool.interval);
	if (!(collector = start_collector(&cfg, err, sizeof(err)))) {
		char who[128];
		vax_err("%s%s%s", err, priv.change ? "; the agent runs as " : "",
			priv.change ? vax_priv_who(&priv, who, sizeof(who)) : "");
		vax_storage_stop(storage);
		vax_guests_stop(guests);
		vax_libvirt_loop_stop(loop);   /* its thread logs through the agent */
		loop = NULL;
		vax_agent_shutdown();
		status = EXIT_RUNTIME;
		goto out;
	}
	vax_notice("virt-agentx %s started (libvirt %s, cache %u s%s%s)", PACKAGE_VERSION,
		   cfg.uri ? cfg.uri : "default URI", cfg.cache_timeout,
		   priv.change ? ", as " : "", priv.change ? vax_priv_who(&priv, err, sizeof(err)) : "");
	vax_agent_run(collector, reload, NULL);
	/* A thread still in libvirt may still use libxml2: no cleanup then. */
	xml_cleanup = vax_collector_stop(collector);
	vax_guests_stop(guests);   /* after the collector, which reads it */
	vax_storage_stop(storage);   /* likewise */
	/* Every connection is closed by now; the loop's thread logs through
	 * the agent's wake-up pipe, so it ends before the agent does. */
	vax_libvirt_loop_stop(loop);
	loop = NULL;
	vax_agent_shutdown();
out:
	vax_libvirt_loop_stop(loop);   /* if the agent never started */
	if (pidfile)
		unlink(pidfile);   /* after -U it may stay behind: see check_access() */
	vax_priv_free(&priv);
	vax_config_free(&cfg);
	if (xml_cleanup)
		xmlCleanupParser();
	return status;
}
