/* fixtures.c - building domains and snapshots in memory for unit tests. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>

#include <libvirt/libvirt.h>

#include "libvirt_guest.h"

#include "fixtures.h"

static void oom(void)
{
	fputs("fixtures: out of memory\n", stderr);
	abort();
}

void *fx_calloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (!p)
		oom();
	return p;
}

char *fx_strdup(const char *s)
{
	char *d;

	if (!s)
		return NULL;
	if (!(d = strdup(s)))
		oom();
	return d;
}

char *fx_repeat(const char *s, size_t n)
{
	size_t len = strlen(s);
	char *d = fx_calloc(len * n + 1, 1);

	for (size_t i = 0; i < n; i++)
		memcpy(d + i * len, s, len);
	return d;
}

struct vax_domdef *fx_domdef(const char *const *disk_targets, size_t ndisks,
			     const char *const *nic_targets, size_t nnics)
{
	struct vax_domdef *def = vax_domdef_new();

	if (!def)
		oom();
	def->parsed = true;   /* as if read from a domain XML */
	if (ndisks) {
		def->disks = fx_calloc(ndisks, sizeof(*def->disks));
		def->ndisks = ndisks;
		for (size_t i = 0; i < ndisks; i++)
			def->disks[i].target = fx_strdup(disk_targets[i]);
	}
	if (nnics) {
		def->nics = fx_calloc(nnics, sizeof(*def->nics));
		def->nnics = nnics;
		for (size_t i = 0; i < nnics; i++)
			def->nics[i].target = fx_strdup(nic_targets[i]);
	}
	return def;
}

struct vax_domdef *fx_domdef_n(size_t ndisks, size_t nnics)
{
	struct vax_domdef *def = fx_domdef(NULL, 0, NULL, 0);
	char name[32];

	if (ndisks) {
		def->disks = fx_calloc(ndisks, sizeof(*def->disks));
		def->ndisks = ndisks;
		for (size_t i = 0; i < ndisks; i++) {
			if (i < 26)
				snprintf(name, sizeof(name), "vd%c", (char)('a' + i));
			else
				snprintf(name, sizeof(name), "vd%zu", i);
			def->disks[i].target = fx_strdup(name);
		}
	}
	if (nnics) {
		def->nics = fx_calloc(nnics, sizeof(*def->nics));
		def->nnics = nnics;
		for (size_t i = 0; i < nnics; i++) {
			snprintf(name, sizeof(name), "vnet%zu", i);
			def->nics[i].target = fx_strdup(name);
		}
	}
	return def;
}

void fx_domain_init(struct vax_domain *d, uint32_t index, const char *name,
		    const char *uuid, int state, struct vax_domdef *def,
		    size_t nvcpus)
{
	memset(d, 0, sizeof(*d));
	d->index = index;
	d->name = fx_strdup(name);
	if (uuid)
		snprintf(d->uuid, sizeof(d->uuid), "%s", uuid);
	if (state >= 0)
		vax_set(&d->vals, VAX_DOM_STATE, (uint64_t)state);
	d->def = def ? def : fx_domdef(NULL, 0, NULL, 0);
	if (d->def->ndisks)
		d->disks = fx_calloc(d->def->ndisks, sizeof(*d->disks));
	if (d->def->nnics)
		d->nics = fx_calloc(d->def->nnics, sizeof(*d->nics));
	if (nvcpus) {
		d->vcpus = fx_calloc(nvcpus, sizeof(*d->vcpus));
		d->nvcpus = nvcpus;
	}
}

struct vax_domain *fx_add_domain(struct vax_snapshot *s, uint32_t index,
				 const char *name, const char *uuid, int state,
				 struct vax_domdef *def, size_t nvcpus)
{
	struct vax_domain *d = vax_snapshot_add(s);

	if (!d)
		oom();
	fx_domain_init(d, index, name, uuid, state, def, nvcpus);
	return d;
}

void fx_seal(struct vax_snapshot *s)
{
	if (vax_snapshot_seal(s) < 0)
		oom();
}

struct vax_domain *fx_find(struct vax_snapshot *s, uint32_t index)
{
	for (size_t i = 0; i < s->ndomains; i++)
		if (s->domains[i].index == index)
			return &s->domains[i];
	fprintf(stderr, "fixtures: no domain %u\n", index);
	abort();
}

struct vax_guest_addr fx_addr(const char *mac, const char *ip, int prefix, int source,
			      const char *ifname)
{
	struct vax_guest_addr a = { .source = (uint8_t)source };

	if (mac && !(a.has_mac = vax_parse_mac(mac, a.mac))) {
		fprintf(stderr, "fixtures: bad MAC %s\n", mac);
		abort();
	}
	if (inet_pton(AF_INET, ip, a.addr) == 1)
		a.family = 4;
	else if (inet_pton(AF_INET6, ip, a.addr) == 1)
		a.family = 6;
	else {
		fprintf(stderr, "fixtures: bad address %s\n", ip);
		abort();
	}
	if (prefix >= 0) {
		a.prefix = (uint8_t)prefix;
		a.has_prefix = true;
	}
	a.ifname = fx_strdup(ifname);
	return a;
}

struct vax_guest_info *fx_guest_info(int64_t taken_ms, const char *hostname,
				     const char *os_name, const char *kernel,
				     const char *tz, bool tz_set, int64_t tz_offset,
				     int64_t users)
{
	struct vax_guest_info *i = vax_guest_info_new();

	if (!i)
		oom();
	i->taken_ms = taken_ms;
	i->hostname = fx_strdup(hostname);
	i->os_name = fx_strdup(os_name);
	i->kernel = fx_strdup(kernel);
	i->timezone = fx_strdup(tz);
	if (tz_set)
		vax_set(&i->vals, VAX_GUEST_TZ_OFFSET, (uint64_t)tz_offset);
	if (users >= 0)
		vax_set(&i->vals, VAX_GUEST_USERS, (uint64_t)users);
	return i;
}

void fx_guest_fs(struct vax_guest_info *info, const char *mountpoint, const char *type,
		 const char *device, const char *disk, int64_t total, int64_t used)
{
	struct vax_guest_fs *fs = realloc(info->fs, (info->nfs + 1) * sizeof(*fs)), *f;

	if (!fs)
		oom();
	info->fs = fs;
	f = &fs[info->nfs++];
	memset(f, 0, sizeof(*f));
	f->mountpoint = fx_strdup(mountpoint);
	f->type = fx_strdup(type);
	f->device = fx_strdup(device);
	f->disk = fx_strdup(disk);
	if (total >= 0)
		vax_set(&f->vals, VAX_FS_TOTAL, (uint64_t)total);
	if (used >= 0)
		vax_set(&f->vals, VAX_FS_USED, (uint64_t)used);
}

struct vax_guest *fx_guest(enum vax_agent_state state, const char *error,
			   struct vax_guest_info *info, int64_t addrs_ms,
			   const struct vax_guest_addr *addrs, size_t naddrs)
{
	struct vax_guest *g = vax_guest_new();

	if (!g)
		oom();
	g->state = state;
	g->error = fx_strdup(error);
	g->info = info;
	g->addrs_ms = addrs_ms;
	if (naddrs) {
		g->addrs = fx_calloc(naddrs, sizeof(*g->addrs));
		memcpy(g->addrs, addrs, naddrs * sizeof(*addrs));
		g->naddrs = naddrs;
	}
	return g;
}

int fx_utf8_valid(const char *str, size_t len)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0;

	while (i < len) {
		size_t n;
		if (s[i] < 0x80)
			n = 1;
		else if ((s[i] & 0xE0) == 0xC0)
			n = 2;
		else if ((s[i] & 0xF0) == 0xE0)
			n = 3;
		else if ((s[i] & 0xF8) == 0xF0)
			n = 4;
		else
			return 0;
		if (i + n > len)
			return 0;   /* cut in the middle of a character */
		for (size_t k = 1; k < n; k++)
			if ((s[i + k] & 0xC0) != 0x80)
				return 0;
		i += n;
	}
	return 1;
}

int vax_run_suite(Suite *s)
{
	SRunner *sr;
	int failed;

	if (virInitialize() < 0)
		return EXIT_FAILURE;
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
