/* conf.h - virt-agentx.conf and the command-line values that override it.
 * Main thread (start and SIGHUP); the result is read by the agent there. */
#ifndef VAX_CONF_H
#define VAX_CONF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#define VAX_DEFAULT_CONFIG "/etc/snmp/virt-agentx.conf"
#define VAX_DEFAULT_INDEX_FILE "/var/lib/virt-agentx/index"

/* VM-MIB (RFC 7666) notifications. */
struct vax_vm_conf {
	bool per_vm;                   /* vmPerVMNotificationsEnabled */
	bool bulk;                     /* vmBulkNotificationsEnabled */
	unsigned rate;                 /* per-VM notifications a second, 0: no limit */
	unsigned bulk_window_ms;       /* how long bulk notifications gather VMs */
};

/* Inside the guests (guest.c). */
#define VAX_MAX_ADDR_SOURCES 3
struct vax_guest_conf {
	bool agent;                    /* guestAgent: ask the guest agents (read-write) */
	unsigned interval;             /* seconds between two askings of one guest */
	unsigned timeout;              /* seconds an agent may take, 0: libvirt's */
	/* Address sources (enum vax_addr_source) in order of preference;
	 * none set: lease, then agent with guestAgent yes. */
	unsigned char sources[VAX_MAX_ADDR_SOURCES];
	size_t nsources;
	bool sources_set;
};

/* Storage pools and networks (storage.c). */
struct vax_pool_conf {
	unsigned interval;             /* poolInterval: seconds, 0: not gathered */
	bool refresh;                  /* poolRefresh: refresh pools (read-write) */
	unsigned threshold;            /* poolSpaceThreshold: percent, 0: none */
	unsigned hysteresis;           /* poolSpaceHysteresis: percent */
	struct vax_pool_override { char *name; unsigned threshold; } *pools;
	size_t npools;                 /* poolSpaceThreshold PERCENT POOL lines */
	bool pool_traps, net_traps;    /* poolNotifications, networkNotifications */
};

/* The whole configuration, one type for every layer that needs a part:
 * the daemon owns it and passes it whole (agentx.h, agentx_vmmib.h). */
struct vax_config {
	char *uri;             /* NULL: libvirt's default URI */
	unsigned cache_timeout;        /* seconds */
	unsigned usage_window;         /* seconds: the usage gauges' shortest window */
	char *index_file;
	char *agentx_socket;   /* NULL: net-snmp's default */
	unsigned agentx_timeout;       /* seconds, 0: the master's default */
	unsigned agentx_ping;          /* seconds between pings to the master */
	unsigned refresh_wait_ms;      /* how long a request may wait for a refresh */
	bool traps_enabled;
	unsigned trap_events;          /* mask of 1 << enum vax_event_kind */
	unsigned mibs;                 /* VAX_MIB_* served (serveMIBs) */
	struct vax_vm_conf vm;
	struct vax_guest_conf guest;
	struct vax_pool_conf pool;
};

/* The address sources in effect (the default when none is set); n of them. */
size_t vax_guest_sources(const struct vax_guest_conf *g,
			 unsigned char out[VAX_MAX_ADDR_SOURCES]);

/* The MIBs the agent can serve, in serveMIBs' order. */
enum { VAX_MIB_VIRT = 1 << 0, VAX_MIB_VM = 1 << 1, VAX_MIB_ALL = (1 << 2) - 1 };

void vax_config_init(struct vax_config *c);
void vax_config_free(struct vax_config *c);

/* One line of the file. Returns 0, or -1 with the problem in err (without
 * file and line: the caller adds them). */
int vax_config_line(struct vax_config *c, const char *line, char *err, size_t errlen);

/* The lines of an open stream (a file, or a buffer through fmemopen: the
 * fuzzer's entry point); name stands for the file in messages. -1 with
 * "NAME:LINE: problem" (or "NAME: problem") in err. */
int vax_config_read(struct vax_config *c, FILE *f, const char *name,
		    char *err, size_t errlen);

/* Parse a trapEvents list ("all", or words separated by commas or
 * spaces) into a mask of (1 << kind). -1 with err naming the bad word. */
int vax_event_parse_list(const char *list, unsigned *mask, char *err, size_t errlen);

/* A whole file. A missing file is fine unless must_exist. -1 with
 * "FILE:LINE: problem" (or "FILE: problem") in err. */
int vax_config_load(struct vax_config *c, const char *path, bool must_exist,
		    char *err, size_t errlen);

/* A list of names, comma- or space-separated, any case, "all" for every
 * one: the mask of those named (bit k: names[k]). -1 with the first
 * unknown word at *bad (*badlen bytes), or *badlen 0 when none is named. */
int vax_parse_names(const char *list, const char *const *names, size_t n,
		    unsigned *mask, const char **bad, size_t *badlen);

/* Parse "N" within [min, max]; -1 if not a number or out of range. */
int vax_parse_uint(const char *s, unsigned min, unsigned max, unsigned *out);

#endif
