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

int main(int argc, char **argv)
{
	const char *conf_file = NULL, *pidfile = NULL;
	char *uri = NULL, *socket = NULL;
	bool foreground = false, check_only = false, log_set = false;
	unsigned timeout = 0;
	struct vax_config cfg;
	struct vax_collector *collector;
	char err[1024];
	int opt, status = 0;

	while ((opt = getopt(argc, argv, "fx:u:t:c:L:D::p:nhV")) != -1) {
		switch (opt) {
		case 'f': foreground = true; break;
		case 'x': socket = optarg; break;
		case 'u': uri = optarg; break;
		case 't':
			if (vax_parse_uint(optarg, 1, 86400, &timeout) < 0) {
				fprintf(stderr, "virt-agentx: -t %s: the cache timeout must be "
					"a whole number of seconds in 1..86400\n", optarg);
				return EXIT_USAGE;
			}
			break;
		case 'c': conf_file = optarg; break;
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

	/* The file first, then the command line, which wins. */
	vax_config_init(&cfg);
	if (vax_config_load(&cfg, conf_file ? conf_file : VAX_DEFAULT_CONFIG,
			    conf_file != NULL, err, sizeof(err)) < 0) {
		fprintf(stderr, "virt-agentx: %s\n", err);
		vax_config_free(&cfg);
		return EXIT_CONFIG;
	}
	if ((uri && !(free(cfg.uri), cfg.uri = strdup(uri))) ||
	    (socket && !(free(cfg.agentx_socket), cfg.agentx_socket = strdup(socket)))) {
		fprintf(stderr, "virt-agentx: out of memory\n");
		return EXIT_RUNTIME;
	}
	if (timeout)
		cfg.cache_timeout = timeout;
	if (!cfg.index_file && !(cfg.index_file = strdup(VAX_DEFAULT_INDEX_FILE)))
		return EXIT_RUNTIME;
	if (check_only) {
		printf("%s: configuration OK\n", conf_file ? conf_file : VAX_DEFAULT_CONFIG);
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
			.agentx_retries = cfg.agentx_retries,
			.agentx_ping = cfg.agentx_ping,
			.refresh_wait_ms = cfg.refresh_wait_ms,
			.uri = cfg.uri,
			.cache_timeout = cfg.cache_timeout }, err, sizeof(err)) < 0) {
		vax_err("%s", err);
		status = EXIT_RUNTIME;
		goto out;
	}
	collector = vax_collector_start(&(struct vax_collector_opts){
			.uri = cfg.uri,
			.cache_timeout = cfg.cache_timeout,
			.index_file = cfg.index_file,
			.publish = vax_agent_publish }, err, sizeof(err));
	if (!collector) {
		vax_err("%s", err);
		vax_agent_shutdown();
		status = EXIT_RUNTIME;
		goto out;
	}
	vax_notice("virt-agentx %s started (libvirt %s, cache %u s)", PACKAGE_VERSION,
		   cfg.uri ? cfg.uri : "default URI", cfg.cache_timeout);
	vax_agent_run(collector);
	vax_collector_stop(collector);
	vax_agent_shutdown();
out:
	if (pidfile)
		unlink(pidfile);
	vax_config_free(&cfg);
	xmlCleanupParser();
	return status;
}
