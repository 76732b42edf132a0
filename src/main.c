/* main.c - options, configuration and the daemon's life cycle. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>

#include <libvirt/libvirt.h>
#include <libxml/parser.h>

#include "agent.h"
#include "collector.h"
#include "conf.h"
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

/* What the command line said (it wins over the file, on reload too). */
static struct {
	const char *conf_file;   /* NULL: the default file, which may be missing */
	const char *uri, *socket;
	unsigned timeout;
} cli;

static struct vax_config cfg;            /* in force */
static struct vax_collector *collector;

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
			.uri = c->uri,
			.index_file = c->index_file,
			.publish = vax_agent_publish,
			.on_event = vax_agent_event }, err, errlen);
}

static bool differ(const char *a, const char *b)
{
	return (a || b) && (!a || !b || strcmp(a, b) != 0);
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
	    next.agentx_ping != cfg.agentx_ping)
		vax_warn("AgentX settings changed: they take effect when the agent restarts");
	vax_agent_configure(collector, next.cache_timeout, next.refresh_wait_ms,
			    next.traps_enabled, next.trap_events);
	vax_notice("configuration reloaded: cache %u s, notifications %s", next.cache_timeout,
		   next.traps_enabled ? "on" : "off");
	vax_config_free(&cfg);
	cfg = next;
}

int main(int argc, char **argv)
{
	const char *pidfile = NULL;
	bool foreground = false, check_only = false, log_set = false;
	char err[1024];
	int opt, status = 0;

	vax_priv_sanitize_fds();   /* before -Lf opens the log file */
	while ((opt = getopt(argc, argv, "fx:u:t:c:L:D::p:nhV")) != -1) {
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
	if (check_only) {
		printf("%s: configuration OK\n", cli.conf_file ? cli.conf_file : VAX_DEFAULT_CONFIG);
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
	if (pidfile && write_pidfile(pidfile) < 0)
		return EXIT_RUNTIME;

	if (vax_agent_event_init(err, sizeof(err)) < 0 ||
	    vax_agent_init(&(struct vax_agent_opts){
			.agentx_socket = cfg.agentx_socket,
			.agentx_timeout = cfg.agentx_timeout,
			.agentx_ping = cfg.agentx_ping,
			.refresh_wait_ms = cfg.refresh_wait_ms,
			.traps_enabled = cfg.traps_enabled,
			.trap_events = cfg.trap_events,
			.uri = cfg.uri,
			.cache_timeout = cfg.cache_timeout }, err, sizeof(err)) < 0) {
		vax_err("%s", err);
		status = EXIT_RUNTIME;
		goto out;
	}
	if (!(collector = start_collector(&cfg, err, sizeof(err)))) {
		vax_err("%s", err);
		vax_agent_shutdown();
		status = EXIT_RUNTIME;
		goto out;
	}
	vax_notice("virt-agentx %s started (libvirt %s, cache %u s)", PACKAGE_VERSION,
		   cfg.uri ? cfg.uri : "default URI", cfg.cache_timeout);
	vax_agent_run(collector, reload, NULL);
	vax_collector_stop(collector);
	vax_agent_shutdown();
out:
	if (pidfile)
		unlink(pidfile);
	vax_config_free(&cfg);
	xmlCleanupParser();
	return status;
}
