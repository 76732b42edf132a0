/* model.h - one immutable snapshot of everything libvirt told us.
 *
 * The collector builds a snapshot, the agent serves it, then frees it once
 * a newer one replaced it. Nothing here knows SNMP or libvirt: a numeric
 * value is a field id into a uint64_t array plus a "have" bit, so "the driver
 * did not say" (absent) can never be confused with zero.
 *
 * Threads: a snapshot is built by one thread (the collector worker), then
 * sealed and never written again, so any thread may read it; the
 * reference counts are atomic.
 */
#ifndef VAX_MODEL_H
#define VAX_MODEL_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Numeric fields of a domain. */
enum vax_dom_field {
	VAX_DOM_STATE,           /* virDomainState */
	VAX_DOM_REASON,          /* reason code of that state */
	VAX_DOM_ID,              /* runtime id, running domains only */
	VAX_DOM_PERSISTENT,      /* 0/1 */
	VAX_DOM_AUTOSTART,       /* 0/1 */
	VAX_DOM_VCPU_CUR,
	VAX_DOM_VCPU_MAX,
	VAX_DOM_MEM_MAX,         /* KiB */
	VAX_DOM_MEM_CUR,         /* KiB */
	VAX_DOM_CPU_TIME,        /* ns */
	VAX_DOM_CPU_USER,        /* ns */
	VAX_DOM_CPU_SYSTEM,      /* ns */
	VAX_DOM_BAL_ACTUAL,      /* KiB, balloon statistics from here on */
	VAX_DOM_BAL_UNUSED,
	VAX_DOM_BAL_AVAILABLE,
	VAX_DOM_BAL_USABLE,
	VAX_DOM_BAL_RSS,
	VAX_DOM_BAL_SWAP_IN,
	VAX_DOM_BAL_SWAP_OUT,
	VAX_DOM_BAL_MAJOR_FAULT,
	VAX_DOM_BAL_MINOR_FAULT,
	VAX_DOM_BAL_DISK_CACHES,
	VAX_DOM_VCPU_MIN,        /* vCPUs that cannot be unplugged (from the XML) */
	/* Usage gauges over a window (usage.c), in hundredths of a percent
	 * of one host CPU, then the window in ms. */
	VAX_DOM_U_CPU, VAX_DOM_U_CPU_VCPUS, VAX_DOM_U_CPU_USER, VAX_DOM_U_CPU_SYSTEM,
	VAX_DOM_U_WINDOW,
	VAX_DOM_NFIELDS
};

enum vax_vcpu_field {
	VAX_VCPU_STATE, VAX_VCPU_TIME, VAX_VCPU_WAIT, VAX_VCPU_DELAY,
	VAX_VCPU_PCPU,
	/* gauges: hundredths of a percent of one host CPU */
	VAX_VCPU_U_BUSY, VAX_VCPU_U_STEAL, VAX_VCPU_U_WAIT,
	VAX_VCPU_NFIELDS
};

enum vax_disk_field {
	VAX_DISK_RD_REQS, VAX_DISK_RD_BYTES, VAX_DISK_WR_REQS, VAX_DISK_WR_BYTES,
	VAX_DISK_FL_REQS, VAX_DISK_RD_TIME, VAX_DISK_WR_TIME, VAX_DISK_FL_TIME,
	VAX_DISK_ERRORS, VAX_DISK_CAPACITY, VAX_DISK_ALLOCATION,
	VAX_DISK_PHYSICAL,
	/* gauges: bytes/s, requests/s, then microseconds per request */
	VAX_DISK_U_RD_BPS, VAX_DISK_U_WR_BPS, VAX_DISK_U_RD_OPS, VAX_DISK_U_WR_OPS,
	VAX_DISK_U_FL_OPS, VAX_DISK_U_RD_LAT, VAX_DISK_U_WR_LAT, VAX_DISK_U_FL_LAT,
	VAX_DISK_NFIELDS
};

enum vax_nic_field {
	VAX_NIC_RX_BYTES, VAX_NIC_RX_PKTS, VAX_NIC_RX_ERRS, VAX_NIC_RX_DROP,
	VAX_NIC_TX_BYTES, VAX_NIC_TX_PKTS, VAX_NIC_TX_ERRS, VAX_NIC_TX_DROP,
	VAX_NIC_HOST_IFINDEX,
	VAX_NIC_PARENT_IFINDEX,  /* the bridge or device it is attached to */
	/* gauges, per second: VAX_NIC_RX_BYTES..VAX_NIC_TX_DROP in order */
	VAX_NIC_U_FIRST,
	VAX_NIC_U_LAST = VAX_NIC_U_FIRST + VAX_NIC_TX_DROP,
	VAX_NIC_NFIELDS
};

/* Numeric facts of the host node (virtHost). */
enum vax_host_field {
	/* virNodeGetInfo, once per connection */
	VAX_HOST_CPUS, VAX_HOST_MHZ, VAX_HOST_NODES, VAX_HOST_SOCKETS,
	VAX_HOST_CORES, VAX_HOST_THREADS,
	VAX_HOST_MEMORY,         /* KiB */
	VAX_HOST_MAX_VCPUS,      /* virConnectGetMaxVcpus */
	/* virNodeGetCPUStats of all CPUs (ns), virNodeGetMemoryStats (KiB),
	 * at each refresh */
	VAX_HOST_CPU_KERNEL, VAX_HOST_CPU_USER, VAX_HOST_CPU_IDLE, VAX_HOST_CPU_IOWAIT,
	VAX_HOST_MEM_TOTAL, VAX_HOST_MEM_FREE, VAX_HOST_MEM_BUFFERS, VAX_HOST_MEM_CACHED,
	/* running domains' current vCPUs and memory (KiB), summed */
	VAX_HOST_GUEST_VCPUS, VAX_HOST_GUEST_MEMORY,
	/* gauges over the usage window: hundredths of a percent of all the
	 * host's CPUs busy (kernel + user), the window in ms */
	VAX_HOST_U_CPU, VAX_HOST_U_WINDOW,
	VAX_HOST_NFIELDS
};

/* A set of optional numbers: bit f of `have` says v[f] is known, so
 * "absent" is never confused with 0.  Each entity has its own size
 * (VAX_DOM_NFIELDS numbers for a domain, VAX_VCPU_NFIELDS for a vCPU): at
 * thousands of rows one size for all cost 40% more memory.  vax_set/vax_has/vax_unset take any of them and
 * ignore a field beyond its array. */
#define VAX_VALS(n) { uint64_t have; uint64_t v[n]; }
struct vax_vals VAX_VALS(VAX_DOM_NFIELDS);    /* a domain's */
struct vax_vcpu_vals VAX_VALS(VAX_VCPU_NFIELDS);
struct vax_disk_vals VAX_VALS(VAX_DISK_NFIELDS);
struct vax_nic_vals VAX_VALS(VAX_NIC_NFIELDS);
struct vax_host_vals VAX_VALS(VAX_HOST_NFIELDS);

#define VAX_NVALS(s) (sizeof((s)->v) / sizeof((s)->v[0]))
#define vax_set(s, f, x) vax_set_(&(s)->have, (s)->v, VAX_NVALS(s), (f), (x))
#define vax_has(s, f) vax_has_((s)->have, VAX_NVALS(s), (f))
#define vax_unset(s, f) vax_unset_(&(s)->have, VAX_NVALS(s), (f))

static inline void vax_set_(uint64_t *have, uint64_t *v, size_t n, int f, uint64_t x)
{
	if (f >= 0 && (size_t)f < n) {
		v[f] = x;
		*have |= UINT64_C(1) << f;
	}
}

static inline bool vax_has_(uint64_t have, size_t n, int f)
{
	return f >= 0 && (size_t)f < n && ((have >> f) & 1);
}

static inline void vax_unset_(uint64_t *have, size_t n, int f)
{
	if (f >= 0 && (size_t)f < n)
		*have &= ~(UINT64_C(1) << f);
}

/* Device metadata from the domain XML (NULL when the XML has none). */
struct vax_disk_def {
	char *target;   /* vda */
	char *source;   /* /path, /dev/x, proto:name, pool/volume */
	char *type;     /* file, block, network, volume, ... */
	char *bus;
	char *device;   /* disk, cdrom, ... */
	char *format;   /* <driver type=>: raw, qcow2, ... */
	bool readonly;  /* <readonly/>, or a cdrom */
};

struct vax_nic_def {
	char *target;   /* host-side device, e.g. vnet3 */
	char *type;     /* bridge, network, ethernet, user, ... */
	char *source;
	char *parent;   /* host bridge or device it is attached to (bridge=, dev=) */
	char *model;
	char *filterref;
	char *ip;       /* the filterref's IP parameter */
	uint8_t mac[6];
	bool has_mac;
};

/* The parsed definition of a domain, shared (reference counted) by every
 * snapshot built while the definition did not change, so the XML is parsed
 * once per change, not once per refresh. Freed from two threads: atomic. */
struct vax_domdef {
	atomic_int ref;
	bool parsed;            /* false: no XML could be had; counts unknown */
	char *os_type;
	struct vax_vals vals;   /* VAX_DOM_VCPU_*, VAX_DOM_MEM_* from the XML */
	/* vCPU placement: libvirt cpuset strings ("0-3,^2"); NULL: anywhere. */
	char *cpuset;           /* <vcpu cpuset=>: every vCPU's default */
	bool cpu_auto;          /* <vcpu placement='auto'>: numad decides */
	size_t npins;
	struct vax_vcpupin { unsigned vcpu; char *cpuset; } *pins;   /* <vcpupin> */
	size_t ndisks, nnics;
	struct vax_disk_def *disks;
	struct vax_nic_def *nics;
};

/* ---- inside the guest (guest.c gathers it, on its own cadence) ---- */

/* Where an address came from: virtGuestAddressSource's numbers. */
enum vax_addr_source { VAX_SRC_LEASE = 1, VAX_SRC_AGENT = 2, VAX_SRC_ARP = 3 };

struct vax_guest_addr {
	uint8_t mac[6];
	bool has_mac;
	uint8_t family;          /* 4 or 6 */
	uint8_t addr[16];        /* 4 or 16 octets, network order */
	uint8_t prefix;          /* bits; has_prefix false: not given */
	bool has_prefix;
	uint8_t source;          /* enum vax_addr_source */
	char *ifname;            /* the guest's name for it; NULL: not given */
};

enum vax_fs_field { VAX_FS_TOTAL, VAX_FS_USED, VAX_FS_NFIELDS };
struct vax_fs_vals VAX_VALS(VAX_FS_NFIELDS);

struct vax_guest_fs {
	char *mountpoint, *type;
	char *device;            /* the guest's device: /dev/vda1 */
	char *disk;              /* the host's disk alias (target): vda */
	struct vax_fs_vals vals; /* bytes */
};

enum vax_guest_field { VAX_GUEST_USERS, VAX_GUEST_TZ_OFFSET, VAX_GUEST_NFIELDS };
struct vax_guest_vals VAX_VALS(VAX_GUEST_NFIELDS);

/* One answer of the guest agent (virDomainGetGuestInfo), shared by every
 * guest record made while the agent did not answer again. */
struct vax_guest_info {
	atomic_int ref;
	int64_t taken_ms;        /* monotonic, when the agent answered */
	char *hostname, *os_name, *kernel, *timezone;
	struct vax_guest_vals vals;   /* VAX_GUEST_TZ_OFFSET: seconds east of UTC */
	size_t nfs, naddrs;
	struct vax_guest_fs *fs;
	struct vax_guest_addr *addrs; /* the agent's interfaces */
};

/* virtGuestAgentState's numbers. */
enum vax_agent_state {
	VAX_AGENT_NOT_CONFIGURED = 1, VAX_AGENT_CONNECTED = 2,
	VAX_AGENT_NOT_RESPONDING = 3, VAX_AGENT_UNSUPPORTED = 4,
	VAX_AGENT_NOT_RUNNING = 5,
};

/* What the guest-data thread knows of one running domain: its agent's
 * state, the last answer (info, NULL: none yet) and the addresses merged
 * from the configured sources. Immutable, shared by snapshots. */
struct vax_guest {
	atomic_int ref;
	enum vax_agent_state state;
	char *error;             /* why the agent did not answer; NULL */
	struct vax_guest_info *info;
	int64_t addrs_ms;        /* when the addresses were read; 0: never */
	size_t naddrs;
	struct vax_guest_addr *addrs;
};

/* ---- around the domains: storage pools and libvirt networks
 * (storage.c gathers them, on its own cadence) ---- */

enum vax_pool_field {
	VAX_POOL_STATE,          /* virStoragePoolState */
	VAX_POOL_AUTOSTART, VAX_POOL_PERSISTENT,   /* 0/1 */
	VAX_POOL_CAPACITY, VAX_POOL_ALLOCATION, VAX_POOL_AVAILABLE,   /* bytes */
	VAX_POOL_VOLUMES,
	VAX_POOL_SOURCE,         /* enum vax_pool_source: whose numbers */
	VAX_POOL_THRESHOLD,      /* poolSpaceThreshold for it, hundredths of a % */
	VAX_POOL_NFIELDS
};
struct vax_pool_vals VAX_VALS(VAX_POOL_NFIELDS);

/* virtPoolSpaceSource's numbers: libvirt's cached numbers (as fresh as
 * the pool's last refresh), or the filesystem's own (statvfs). */
enum vax_pool_source { VAX_POOL_SRC_LIBVIRT = 1, VAX_POOL_SRC_FILESYSTEM = 2 };

struct vax_pool {
	char uuid[37];
	char *name, *type, *target;   /* type and target path: from the XML */
	struct vax_pool_vals vals;
	int64_t read_ms;         /* monotonic, when its numbers were read; 0: never */
	bool stalled;            /* its last asking has not returned */
};

enum vax_net_field {
	VAX_NET_ACTIVE, VAX_NET_AUTOSTART, VAX_NET_PERSISTENT,   /* 0/1 */
	VAX_NET_LEASES,          /* DHCP leases in use */
	VAX_NET_NFIELDS
};
struct vax_net_vals VAX_VALS(VAX_NET_NFIELDS);

struct vax_network {
	char uuid[37];
	char *name, *bridge, *forward;   /* forward: <forward mode=>, "none" if no <forward> */
	struct vax_net_vals vals;
};

/* What the storage thread knew at one listing: immutable, shared by the
 * snapshots built until the next; pools and networks sorted by UUID. */
struct vax_storage_set {
	atomic_int ref;
	int64_t listed_ms;       /* monotonic */
	size_t npools, nnets;
	struct vax_pool *pools;
	struct vax_network *nets;
};

struct vax_storage_set *vax_storage_set_new(size_t npools, size_t nnets);
struct vax_storage_set *vax_storage_set_ref(struct vax_storage_set *st);
void vax_storage_set_unref(struct vax_storage_set *st);

struct vax_vcpu { struct vax_vcpu_vals vals; };
struct vax_disk { struct vax_disk_vals vals; };
struct vax_nic  { struct vax_nic_vals vals; };

struct vax_domain {
	uint32_t index;          /* stable, from the index map */
	int64_t stats_ms;        /* when its runtime stats were gathered; 0: none */
	char *name;
	char uuid[37];
	uint8_t uuid_raw[16];    /* the same, as 16 octets (set by seal) */
	bool has_uuid_raw;
	/* Monotonic ms when the agent saw it start (a new domain id); 0: it
	 * was already running when first seen, or it is not running. */
	int64_t started_ms;
	struct vax_domdef *def;  /* never NULL; may describe no devices */
	struct vax_vals vals;
	size_t nvcpus;
	struct vax_vcpu *vcpus;  /* vcpus[i] is libvirt vCPU number i */
	struct vax_disk *disks;  /* def->ndisks entries, same order */
	struct vax_nic *nics;    /* def->nnics entries, same order */
	struct vax_guest *guest; /* NULL: nothing known from inside it */
	/* Some runtime values were carried over from an earlier snapshot
	 * (the bulk call skipped the domain): no window may end here. */
	bool carried;
	/* The newer sample of the window the gauges (the *_U_* fields) cover,
	 * monotonic ms; 0: no gauges. */
	int64_t usage_ms;
};

/* One (domain, device) row of a device table, in index order; a pool
 * or network row has no domain (dom NULL, sub its index). */
struct vax_row {
	const struct vax_domain *dom;
	uint32_t sub;            /* device index, 1-based */
	uint32_t sub2;           /* a third index sub-id (VM-MIB's vCPU affinity) */
	const void *item;        /* a guest address or filesystem row's entry */
};

enum vax_conn_state { VAX_CONNECTED = 1, VAX_DISCONNECTED = 2 };

struct vax_snapshot {
	atomic_int ref;          /* the agent serves it, the collector keeps it */
	/* Host facts, NULL when unknown. */
	char *hostname, *hv_type, *hv_version, *lib_version, *uri;
	enum vax_conn_state conn;
	uint64_t conn_losses;    /* connections found dead so far */
	int64_t taken_ms;        /* monotonic time the data was gathered */
	int64_t begun_ms;        /* when gathering began: states read are no older */
	uint32_t refresh_ms;     /* how long gathering took */
	uint32_t refresh_calls;  /* libvirt calls it made */
	uint64_t refresh_count, refresh_errors;   /* as of this snapshot */
	/* Host facts for VM-MIB: the host's boot in CLOCK_MONOTONIC ms (<= 0;
	 * below 0 by the time spent suspended), known only for a local
	 * libvirt; the host's CPU count (0: unknown); when the set of domains
	 * last changed (monotonic ms, 0: never seen). */
	bool host_boot_known;
	int64_t host_boot_ms;
	uint32_t host_cpus;
	int64_t domains_changed_ms;
	bool guest_agent;        /* guestAgent yes: the agent is asked */
	/* The host node; host_ms: when its CPU and memory statistics were
	 * read (0: never). */
	char *cpu_model;
	struct vax_host_vals host;
	int64_t host_ms;
	/* Pools and networks (NULL: none known), and their rows: sub is the
	 * index, item the pool or network, sorted by index. */
	struct vax_storage_set *storage;
	size_t npool_rows, nnet_rows;
	struct vax_row *pool_rows, *net_rows;

	size_t ndomains, domains_cap;
	struct vax_domain *domains;   /* sorted by index */
	/* Flat row lists for the device tables, sorted by (domain, device). */
	size_t nvcpu_rows, ndisk_rows, nnic_rows;
	struct vax_row *vcpu_rows, *disk_rows, *nic_rows;
	/* Guest addresses: sub = the virtInterfaceTable row of their MAC (0:
	 * none), sub2 = their number in it; filesystems: sub counts. */
	size_t naddr_rows, nfs_rows;
	struct vax_row *addr_rows, *fs_rows;
};

struct vax_domdef *vax_domdef_new(void);
struct vax_domdef *vax_domdef_ref(struct vax_domdef *def);
void vax_domdef_unref(struct vax_domdef *def);
struct vax_guest_info *vax_guest_info_new(void);
struct vax_guest_info *vax_guest_info_ref(struct vax_guest_info *g);
void vax_guest_info_unref(struct vax_guest_info *g);
struct vax_guest *vax_guest_new(void);
struct vax_guest *vax_guest_ref(struct vax_guest *g);
void vax_guest_unref(struct vax_guest *g);
/* Free an address list's strings and the list. */
void vax_guest_addrs_free(struct vax_guest_addr *a, size_t n);
/* Free what a domain holds (name, stats arrays, its reference to def) and
 * zero it: the one place a domain is freed, in a snapshot or not. */
void vax_domain_clear(struct vax_domain *d);

/* Allocate a snapshot with room for n domains (ndomains starts at 0). */
struct vax_snapshot *vax_snapshot_new(size_t n);
/* Append a zeroed domain (owned by the snapshot) and return it. */
struct vax_domain *vax_snapshot_add(struct vax_snapshot *s);
/* Give back the last domain added (a domain that could not be built),
 * freeing what it holds; before vax_snapshot_seal only. */
void vax_snapshot_drop_last(struct vax_snapshot *s);
/* Sort domains by index and build the device row lists. Call once, last. */
int vax_snapshot_seal(struct vax_snapshot *s);
struct vax_snapshot *vax_snapshot_ref(struct vax_snapshot *s);
/* Drop a reference; the last one frees. */
void vax_snapshot_free(struct vax_snapshot *s);

const struct vax_domain *vax_snapshot_find(const struct vax_snapshot *s,
					   uint32_t index);

/* A libvirt cpuset ("0-3,^2,6") holds cpu: 1 yes, 0 no, -1 not a cpuset. */
int vax_cpuset_has(const char *set, unsigned cpu);


/* Balloon "used" memory as OpenStack Ceilometer computes it: available
 * minus usable, or minus unused when usable is missing. */
bool vax_domain_mem_used(const struct vax_domain *d, uint64_t *out);

#endif
