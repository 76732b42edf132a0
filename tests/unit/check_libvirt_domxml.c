/* check_libvirt_domxml.c - reading a libvirt domain XML. */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "libvirt_domxml.h"
#include "fixtures.h"
#include "utf8.h"

#define N(a) (int)(sizeof(a) / sizeof((a)[0]))
#define BIT(f) (UINT64_C(1) << (f))
/* The values the <vcpu> element sets (VAX_DOM_VCPU_MIN: no <vcpus>). */
#define VCPUS (BIT(VAX_DOM_VCPU_CUR) | BIT(VAX_DOM_VCPU_MAX) | BIT(VAX_DOM_VCPU_MIN))
#define MEMS (BIT(VAX_DOM_MEM_MAX) | BIT(VAX_DOM_MEM_CUR))

static char err[512];

/* ---- documents that parse ---- */

/* What a disk or NIC must hold. A field a case leaves out must be NULL
 * (false, no MAC): each case states all the parser makes of its input,
 * so a field that appears from nowhere fails too. */
struct disk_want {
	const char *type, *device, *source, *target, *bus, *format;
	bool readonly;
};

struct nic_want {
	const char *type, *source, *parent, *target, *model, *filterref, *ip;
	bool has_mac;
	uint8_t mac[6];
};

struct doc_case {
	const char *name;
	const char *xml;          /* a whole document, or */
	const char *devices;      /* <devices> content of a minimal domain */
	size_t len;               /* bytes of xml to parse; 0: all */
	const char *os_type;
	uint64_t have;            /* exactly these values are set ... */
	uint64_t v[VAX_DOM_NFIELDS];   /* ... to these */
	const char *cpuset;
	bool cpu_auto;
	size_t npins;
	struct { unsigned vcpu; const char *cpuset; } pins[1];
	size_t ndisks, nnics;
	struct disk_want disks[3];
	struct nic_want nics[2];
};

static const char full_xml[] =
	"<?xml version='1.0' encoding='UTF-8'?>\n"
	"<domain type='kvm' id='3'>\n"
	"  <name>web01</name>\n"
	"  <uuid>8e3b1c1a-0d5e-4f8a-9a51-000000000001</uuid>\n"
	"  <memory unit='KiB'>4194304</memory>\n"
	"  <currentMemory unit='KiB'>2097152</currentMemory>\n"
	"  <vcpu placement='static' current='2'>4</vcpu>\n"
	"  <os><type arch='x86_64' machine='pc-q35-7.2'>hvm</type><boot dev='hd'/></os>\n"
	"  <devices>\n"
	"    <emulator>/usr/bin/qemu-system-x86_64</emulator>\n"
	"    <disk type='file' device='disk'>\n"
	"      <driver name='qemu' type='qcow2'/>\n"
	"      <source file='/var/lib/libvirt/images/web01.qcow2'/>\n"
	"      <target dev='vda' bus='virtio'/>\n"
	"    </disk>\n"
	"    <disk type='block' device='disk'>\n"
	"      <source dev='/dev/vg0/web01-data'/>\n"
	"      <target dev='vdb' bus='virtio'/>\n"
	"    </disk>\n"
	"    <disk type='file' device='cdrom'>\n"
	"      <target dev='sda' bus='sata'/>\n"
	"      <readonly/>\n"
	"    </disk>\n"
	"    <controller type='usb' index='0'/>\n"
	"    <interface type='bridge'>\n"
	"      <mac address='52:54:00:aa:00:01'/>\n"
	"      <source bridge='br0'/>\n"
	"      <target dev='vnet3'/>\n"
	"      <model type='virtio'/>\n"
	"      <filterref filter='clean-traffic'>\n"
	"        <parameter name='IP' value='192.0.2.10'/>\n"
	"      </filterref>\n"
	"    </interface>\n"
	"    <interface type='user'>\n"
	"      <mac address='52:54:00:aa:00:02'/>\n"
	"      <model type='e1000'/>\n"
	"    </interface>\n"
	"    <graphics type='vnc' port='-1'/>\n"
	"  </devices>\n"
	"</domain>\n";

/* A case's disks and NICs, counted. */
#define DISKS(...) .disks = { __VA_ARGS__ }, \
	.ndisks = sizeof((struct disk_want[]){ __VA_ARGS__ }) / sizeof(struct disk_want)
#define NICS(...) .nics = { __VA_ARGS__ }, \
	.nnics = sizeof((struct nic_want[]){ __VA_ARGS__ }) / sizeof(struct nic_want)
#define MAC(...) .has_mac = true, .mac = { __VA_ARGS__ }

static const struct doc_case docs[] = {
	/* A whole domain: only the sizes of <domain> become values; VM-MIB
	 * also needs the image format, read-only, the NIC's host bridge
	 * and the vCPUs present at start (current='2'). */
	{ .name = "full", .xml = full_xml, .os_type = "hvm", .have = VCPUS | MEMS,
	  .v = { [VAX_DOM_VCPU_MAX] = 4, [VAX_DOM_VCPU_CUR] = 2, [VAX_DOM_VCPU_MIN] = 2,
		 [VAX_DOM_MEM_MAX] = 4194304, [VAX_DOM_MEM_CUR] = 2097152 },
	  DISKS({ .type = "file", .device = "disk", .target = "vda", .bus = "virtio",
		  .source = "/var/lib/libvirt/images/web01.qcow2", .format = "qcow2" },
		{ .type = "block", .device = "disk", .source = "/dev/vg0/web01-data",
		  .target = "vdb", .bus = "virtio" },
		{ .type = "file", .device = "cdrom", .target = "sda", .bus = "sata",
		  .readonly = true }),
	  NICS({ .type = "bridge", .source = "br0", .parent = "br0", .target = "vnet3",
		 .model = "virtio", .filterref = "clean-traffic", .ip = "192.0.2.10",
		 MAC(0x52, 0x54, 0x00, 0xaa, 0x00, 0x01) },
	       { .type = "user", .model = "e1000",   /* user-mode: no target */
		 MAC(0x52, 0x54, 0x00, 0xaa, 0x00, 0x02) }) },
	/* <vcpus> counts the vCPUs that cannot be unplugged; a <vcpupin>
	 * with no vCPU number is no pin; a cdrom is read-only, <readonly/>
	 * or not; a macvtap's parent is its device, a running network
	 * NIC's its bridge. */
	{ .name = "vm-mib placement",
	  .xml = "<domain><vcpu placement='static' cpuset='0-3,^1'>3</vcpu>"
		 "<vcpus><vcpu id='0' enabled='yes' hotpluggable='no'/>"
		 "<vcpu id='1' enabled='yes' hotpluggable='yes'/>"
		 "<vcpu id='2' enabled='no' hotpluggable='yes'/></vcpus>"
		 "<cputune><vcpupin vcpu='1' cpuset='5'/><vcpupin vcpu='x' cpuset='1'/>"
		 "</cputune><devices><disk type='file' device='cdrom'/>"
		 "<interface type='direct'><source dev='eth0' mode='vepa'/></interface>"
		 "<interface type='network'><source network='default' bridge='virbr0'/>"
		 "</interface></devices></domain>",
	  .have = VCPUS, .v = { [VAX_DOM_VCPU_MAX] = 3, [VAX_DOM_VCPU_CUR] = 3,
				[VAX_DOM_VCPU_MIN] = 1 },
	  .cpuset = "0-3,^1", .npins = 1, .pins = { { 1, "5" } },
	  DISKS({ .type = "file", .device = "cdrom", .readonly = true }),
	  NICS({ .type = "direct", .source = "eth0", .parent = "eth0" },
	       { .type = "network", .source = "default", .parent = "virbr0" }) },
	{ .name = "auto placement", .xml = "<domain><vcpu placement='auto'>2</vcpu></domain>",
	  .have = VCPUS, .cpu_auto = true,
	  .v = { [VAX_DOM_VCPU_MAX] = 2, [VAX_DOM_VCPU_CUR] = 2, [VAX_DOM_VCPU_MIN] = 2 } },

	/* Disks: the source is whichever attribute the type uses. */
	{ .name = "disk file", .devices =
	  "<disk type='file' device='disk'><driver name='qemu' type='raw'/>"
	  "<source file='/img/a.raw'/><target dev='vda' bus='virtio'/></disk>",
	  DISKS({ .type = "file", .device = "disk", .source = "/img/a.raw", .target = "vda",
		  .bus = "virtio", .format = "raw" }) },
	{ .name = "disk block", .devices =
	  "<disk type='block' device='lun'><source dev='/dev/sdb'/>"
	  "<target dev='sdb' bus='scsi'/></disk>",
	  DISKS({ .type = "block", .device = "lun", .source = "/dev/sdb", .target = "sdb",
		  .bus = "scsi" }) },
	{ .name = "disk dir", .devices =
	  "<disk type='dir' device='floppy'><source dir='/srv/floppy'/>"
	  "<target dev='fda' bus='fdc'/></disk>",
	  DISKS({ .type = "dir", .device = "floppy", .source = "/srv/floppy", .target = "fda",
		  .bus = "fdc" }) },
	{ .name = "disk network rbd", .devices =
	  "<disk type='network' device='disk'>"
	  "<source protocol='rbd' name='pool/img'>"
	  "<host name='mon1.example' port='6789'/></source>"
	  "<auth username='libvirt'><secret type='ceph' uuid='x'/></auth>"
	  "<target dev='vdc' bus='virtio'/></disk>",
	  DISKS({ .type = "network", .device = "disk", .source = "rbd:pool/img",
		  .target = "vdc", .bus = "virtio" }) },
	{ .name = "disk network, no protocol", .devices =
	  "<disk type='network'><source name='iqn.2024-01.example:t/1'/>"
	  "<target dev='sdc'/></disk>",
	  DISKS({ .type = "network", .device = "disk", .source = "iqn.2024-01.example:t/1",
		  .target = "sdc" }) },
	{ .name = "disk volume", .devices =
	  "<disk type='volume' device='disk'>"
	  "<source pool='default' volume='web01.qcow2'/>"
	  "<target dev='vdd' bus='virtio'/></disk>",
	  DISKS({ .type = "volume", .device = "disk", .source = "default/web01.qcow2",
		  .target = "vdd", .bus = "virtio" }) },
	{ .name = "disk volume without volume", .devices =
	  "<disk type='volume'><source pool='default'/><target dev='vdd'/></disk>",
	  DISKS({ .type = "volume", .device = "disk", .target = "vdd" }) },
	{ .name = "cdrom without source", .devices =
	  "<disk type='file' device='cdrom'><driver name='qemu'/>"
	  "<target dev='hdc' bus='ide'/><readonly/></disk>",
	  DISKS({ .type = "file", .device = "cdrom", .target = "hdc", .bus = "ide",
		  .readonly = true }) },
	{ .name = "disk source without attributes", .devices =
	  "<disk type='file' device='cdrom'><source/><target dev='hdc'/></disk>",
	  DISKS({ .type = "file", .device = "cdrom", .target = "hdc", .readonly = true }) },
	/* No device=: libvirt's default, "disk". */
	{ .name = "disk device default", .devices =
	  "<disk type='file'><source file='/a'/><target dev='vda'/></disk>",
	  DISKS({ .type = "file", .device = "disk", .source = "/a", .target = "vda" }) },
	/* An empty attribute is an absent one. */
	{ .name = "disk empty attributes", .devices =
	  "<disk type='' device=''><source file=''/><target dev='' bus=''/></disk>",
	  DISKS({ .device = "disk" }) },
	{ .name = "disk bare", .devices = "<disk/>", DISKS({ .device = "disk" }) },
	{ .name = "disk order kept", .devices =
	  "<disk><target dev='vdc'/></disk><interface type='user'/>"
	  "<disk><target dev='vda'/></disk><controller type='pci'/>"
	  "<disk><target dev='vdb'/></disk>",
	  DISKS({ .device = "disk", .target = "vdc" }, { .device = "disk", .target = "vda" },
		{ .device = "disk", .target = "vdb" }),
	  NICS({ .type = "user" }) },
	{ .name = "disk unicode source", .devices =
	  "<disk type='file'><source file='/var/lib/images/数据库-ü.qcow2'/>"
	  "<target dev='vda'/></disk>",
	  DISKS({ .type = "file", .device = "disk", .source = "/var/lib/images/数据库-ü.qcow2",
		  .target = "vda" }) },
	{ .name = "disk escaped source", .devices =
	  "<disk type='file'><source file='/img/a&amp;b&apos;&#x4e2d;.img'/>"
	  "<target dev='vda'/></disk>",
	  DISKS({ .type = "file", .device = "disk", .source = "/img/a&b'中.img",
		  .target = "vda" }) },

	/* Interfaces: the source is the network, bridge, device or socket. */
	{ .name = "nic bridge", .devices =
	  "<interface type='bridge'><mac address='52:54:00:12:34:56'/>"
	  "<source bridge='br0'/><target dev='vnet0'/><model type='virtio'/>"
	  "</interface>",
	  NICS({ .type = "bridge", .source = "br0", .parent = "br0", .target = "vnet0",
		 .model = "virtio", MAC(0x52, 0x54, 0x00, 0x12, 0x34, 0x56) }) },
	{ .name = "nic network", .devices =
	  "<interface type='network'><source network='default'/>"
	  "<target dev='vnet1'/></interface>",
	  NICS({ .type = "network", .source = "default", .target = "vnet1" }) },
	/* The live XML of a running network NIC names the bridge as well:
	 * the source stays the network. */
	{ .name = "nic network live", .devices =
	  "<interface type='network'><source network='default' "
	  "portid='0b3c' bridge='virbr0'/><target dev='vnet1'/></interface>",
	  NICS({ .type = "network", .source = "default", .parent = "virbr0",
		 .target = "vnet1" }) },
	{ .name = "nic network inactive", .devices =
	  "<interface type='network'><source network='default'/></interface>",
	  NICS({ .type = "network", .source = "default" }) },
	{ .name = "nic ethernet", .devices =
	  "<interface type='ethernet'><mac address='52:54:00:00:00:09'/>"
	  "<target dev='tap0' managed='no'/><model type='e1000'/></interface>",
	  NICS({ .type = "ethernet", .target = "tap0", .model = "e1000",
		 MAC(0x52, 0x54, 0x00, 0x00, 0x00, 0x09) }) },
	{ .name = "nic user", .devices =
	  "<interface type='user'><mac address='52:54:00:00:00:0a'/>"
	  "<model type='rtl8139'/></interface>",
	  NICS({ .type = "user", .model = "rtl8139",
		 MAC(0x52, 0x54, 0x00, 0x00, 0x00, 0x0a) }) },
	{ .name = "nic direct", .devices =
	  "<interface type='direct'><source dev='eth0' mode='vepa'/>"
	  "<target dev='macvtap0'/></interface>",
	  NICS({ .type = "direct", .source = "eth0", .parent = "eth0",
		 .target = "macvtap0" }) },
	{ .name = "nic vhostuser", .devices =
	  "<interface type='vhostuser'><source type='unix' "
	  "path='/run/vhost/sock0' mode='server'/></interface>",
	  NICS({ .type = "vhostuser", .source = "/run/vhost/sock0" }) },
	{ .name = "nic mac in upper case", .devices =
	  "<interface type='user'><mac address='AA:BB:CC:0D:0E:0F'/></interface>",
	  NICS({ .type = "user", MAC(0xaa, 0xbb, 0xcc, 0x0d, 0x0e, 0x0f) }) },
	{ .name = "nic without mac", .devices = "<interface type='user'/>",
	  NICS({ .type = "user" }) },
	/* The first IP parameter is the NIC's address. */
	{ .name = "nic filterref ip", .devices =
	  "<interface type='bridge'><source bridge='br0'/>"
	  "<filterref filter='clean-traffic'>"
	  "<parameter name='MAC' value='52:54:00:00:00:01'/>"
	  "<parameter name='IP' value='192.0.2.5'/>"
	  "<parameter name='IP' value='192.0.2.6'/>"
	  "</filterref></interface>",
	  NICS({ .type = "bridge", .source = "br0", .parent = "br0",
		 .filterref = "clean-traffic", .ip = "192.0.2.5" }) },
	/* Parameter names are case-sensitive (nwfilter's are). */
	{ .name = "nic filterref without ip", .devices =
	  "<interface type='bridge'><filterref filter='no-spoofing'>"
	  "<parameter name='CTRL_IP_LEARNING' value='dhcp'/>"
	  "<parameter name='ip' value='192.0.2.9'/>"
	  "<parameter value='192.0.2.8'/>"
	  "</filterref></interface>",
	  NICS({ .type = "bridge", .filterref = "no-spoofing" }) },
	{ .name = "nic bare", .devices = "<interface/>", NICS({ .type = NULL }) },
	{ .name = "nic elements without attributes", .devices =
	  "<interface type='bridge'><mac/><source/><target/><model/>"
	  "<filterref><parameter/></filterref></interface>",
	  NICS({ .type = "bridge" }) },

	/* Domain-level values. */
	{ .name = "os type", .xml = "<domain><os><type arch='aarch64'>hvm</type></os></domain>",
	  .os_type = "hvm" },
	{ .name = "os type lxc", .xml = "<domain type='lxc'><os><type>exe</type>"
	  "<init>/sbin/init</init></os></domain>", .os_type = "exe" },
	{ .name = "os without type", .xml = "<domain><os><boot dev='hd'/></os></domain>" },
	{ .name = "os type empty", .xml = "<domain><os><type/></os></domain>" },
	{ .name = "vcpu current", .xml =
	  "<domain><vcpu placement='static' current='3'>8</vcpu></domain>", .have = VCPUS,
	  .v = { [VAX_DOM_VCPU_MAX] = 8, [VAX_DOM_VCPU_CUR] = 3, [VAX_DOM_VCPU_MIN] = 3 } },
	/* No current=: all of them. */
	{ .name = "vcpu without current", .xml = "<domain><vcpu>4</vcpu></domain>",
	  .have = VCPUS,
	  .v = { [VAX_DOM_VCPU_MAX] = 4, [VAX_DOM_VCPU_CUR] = 4, [VAX_DOM_VCPU_MIN] = 4 } },
	/* A count that is no count is absent, and so is what follows from it. */
	{ .name = "vcpu not numbers", .xml = "<domain><vcpu current='x'>four</vcpu></domain>" },
	{ .name = "vcpu negative", .xml = "<domain><vcpu current='-1'>-4</vcpu></domain>" },
	{ .name = "vcpu above 32 bits", .xml = "<domain><vcpu>4294967296</vcpu></domain>" },
	{ .name = "vcpu -2^64+1", .xml =
	  "<domain><vcpu> -18446744073709551615</vcpu></domain>" },
	{ .name = "empty domain", .xml = "<domain/>" },
	{ .name = "memory and current memory", .xml =
	  "<domain><memory unit='GiB'>4</memory>"
	  "<currentMemory unit='MiB'>1536</currentMemory></domain>",
	  .have = MEMS, .v = { [VAX_DOM_MEM_MAX] = 4194304, [VAX_DOM_MEM_CUR] = 1572864 } },
	{ .name = "current memory in an unknown unit", .xml =
	  "<domain><currentMemory unit='furlong'>1</currentMemory></domain>" },

	/* Odd documents that are still domains. */
	{ .name = "length respected", .xml = "<domain/>trailing garbage that is not XML <<<",
	  .len = sizeof("<domain/>") - 1 },
	{ .name = "empty devices", .xml = "<domain type='kvm'><devices>  </devices></domain>" },
	/* Only <domain><devices>'s own children are devices. */
	{ .name = "devices elsewhere ignored", .xml =
	  "<domain><disk><target dev='vda'/></disk>"
	  "<metadata><devices><disk/></devices></metadata>"
	  "<devices><hostdev><disk/></hostdev></devices></domain>" },
	{ .name = "unicode domain", .xml =
	  "<?xml version='1.0' encoding='UTF-8'?>"
	  "<domain type='test'><name>数据库-ü</name>"
	  "<devices><interface type='bridge'><source bridge='brü0'/>"
	  "<target dev='tap-ü'/></interface></devices></domain>",
	  NICS({ .type = "bridge", .source = "brü0", .parent = "brü0", .target = "tap-ü" }) },
	/* An encoding declaration is honoured: text comes back as UTF-8. */
	{ .name = "latin-1 document", .xml =
	  "<?xml version='1.0' encoding='ISO-8859-1'?>"
	  "<domain><devices><disk><source file='/img/\xfc.img'/></disk>"
	  "</devices></domain>",
	  DISKS({ .device = "disk", .source = "/img/\xc3\xbc.img" }) },
	{ .name = "internal entity", .xml =
	  "<?xml version='1.0'?><!DOCTYPE domain [<!ENTITY t 'hvm'>]>"
	  "<domain><os><type>&t;</type></os></domain>", .os_type = "hvm" },
	{ .name = "namespaced metadata", .xml =
	  "<domain xmlns:test='http://libvirt.org/schemas/domain/test/1.0'>"
	  "<devices><disk type='file'><target dev='vda'/></disk></devices>"
	  "<test:runstate>3</test:runstate></domain>",
	  DISKS({ .type = "file", .device = "disk", .target = "vda" }) },
};

static bool same(const char *a, const char *b)
{
	return a == b || (a && b && strcmp(a, b) == 0);
}

/* A string field against what the case wants (NULL: absent). */
#define STR_EQ(c, what, got, want) \
	ck_assert_msg(same((got), (want)), "%s: %s is \"%s\", not \"%s\"", (c)->name, \
		      (what), (got) ? (got) : "(null)", (want) ? (want) : "(null)")
#define UINT_EQ(c, what, got, want) \
	ck_assert_msg((got) == (want), "%s: %s is %llu, not %llu", (c)->name, (what), \
		      (unsigned long long)(got), (unsigned long long)(want))

/* Parse len bytes of a document (0: all of it); asserts it parses. */
static struct vax_domdef *parse(const char *xml, size_t len)
{
	struct vax_domdef *def;

	err[0] = '\0';
	def = vax_domxml_parse(xml, len ? len : strlen(xml), err, sizeof(err));
	ck_assert_msg(def != NULL, "parse failed: %s", err);
	ck_assert_int_eq(def->ref, 1);
	ck_assert(def->parsed);
	return def;
}

/* Parse <domain><devices>DEVICES</devices></domain>. */
static struct vax_domdef *parse_devices(const char *devices)
{
	char *xml;
	struct vax_domdef *def;

	ck_assert_int_ge(asprintf(&xml, "<domain type='kvm'><name>t</name>"
				  "<devices>%s</devices></domain>", devices), 0);
	def = parse(xml, 0);
	free(xml);
	return def;
}

static void check_disk(const struct doc_case *c, const struct vax_disk_def *d,
		       const struct disk_want *w)
{
	STR_EQ(c, "disk type", d->type, w->type);
	STR_EQ(c, "disk device", d->device, w->device);
	STR_EQ(c, "disk source", d->source, w->source);
	STR_EQ(c, "disk target", d->target, w->target);
	STR_EQ(c, "disk bus", d->bus, w->bus);
	STR_EQ(c, "disk format", d->format, w->format);
	UINT_EQ(c, "disk readonly", d->readonly, w->readonly);
}

static void check_nic(const struct doc_case *c, const struct vax_nic_def *n,
		      const struct nic_want *w)
{
	STR_EQ(c, "nic type", n->type, w->type);
	STR_EQ(c, "nic source", n->source, w->source);
	STR_EQ(c, "nic parent", n->parent, w->parent);
	STR_EQ(c, "nic target", n->target, w->target);
	STR_EQ(c, "nic model", n->model, w->model);
	STR_EQ(c, "nic filterref", n->filterref, w->filterref);
	STR_EQ(c, "nic ip", n->ip, w->ip);
	UINT_EQ(c, "nic has_mac", n->has_mac, w->has_mac);
	if (w->has_mac)
		ck_assert_msg(memcmp(n->mac, w->mac, 6) == 0, "%s: MAC differs", c->name);
}

START_TEST(test_doc)
{
	const struct doc_case *c = &docs[_i];
	struct vax_domdef *def = c->devices ? parse_devices(c->devices)
					    : parse(c->xml, c->len);

	STR_EQ(c, "os type", def->os_type, c->os_type);
	UINT_EQ(c, "values set", def->vals.have, c->have);
	for (int f = 0; f < VAX_DOM_NFIELDS; f++)
		if (c->have & BIT(f))
			ck_assert_msg(def->vals.v[f] == c->v[f], "%s: field %d is %llu, not %llu",
				      c->name, f, (unsigned long long)def->vals.v[f],
				      (unsigned long long)c->v[f]);
	STR_EQ(c, "cpuset", def->cpuset, c->cpuset);
	UINT_EQ(c, "cpu_auto", def->cpu_auto, c->cpu_auto);
	UINT_EQ(c, "pins", def->npins, c->npins);
	for (size_t i = 0; i < c->npins; i++) {
		UINT_EQ(c, "pin vcpu", def->pins[i].vcpu, c->pins[i].vcpu);
		STR_EQ(c, "pin cpuset", def->pins[i].cpuset, c->pins[i].cpuset);
	}
	UINT_EQ(c, "disks", def->ndisks, c->ndisks);
	UINT_EQ(c, "nics", def->nnics, c->nnics);
	/* No devices, no arrays. */
	ck_assert(!def->ndisks == !def->disks);
	ck_assert(!def->nnics == !def->nics);
	for (size_t i = 0; i < c->ndisks; i++)
		check_disk(c, &def->disks[i], &c->disks[i]);
	for (size_t i = 0; i < c->nnics; i++)
		check_nic(c, &def->nics[i], &c->nics[i]);
	vax_domdef_unref(def);
}
END_TEST

START_TEST(test_ref_counting)
{
	struct vax_domdef *def = parse(full_xml, 0);

	ck_assert_ptr_eq(vax_domdef_ref(def), def);
	ck_assert_int_eq(def->ref, 2);
	vax_domdef_unref(def);
	ck_assert_int_eq(def->ref, 1);
	ck_assert_str_eq(def->os_type, "hvm");
	vax_domdef_unref(def);
	ck_assert_ptr_null(vax_domdef_ref(NULL));
	vax_domdef_unref(NULL);
}
END_TEST

START_TEST(test_1000_disks)
{
	size_t cap = 1000 * 96 + 256, len = 0;
	char *xml = malloc(cap), name[16];
	struct vax_domdef *def;

	ck_assert_ptr_nonnull(xml);
	len += (size_t)snprintf(xml + len, cap - len, "<domain><devices>");
	for (int i = 0; i < 1000; i++)
		len += (size_t)snprintf(xml + len, cap - len,
					"<disk type='file'><source file='/i/%d'/>"
					"<target dev='sd%d' bus='scsi'/></disk>", i, i);
	len += (size_t)snprintf(xml + len, cap - len, "</devices></domain>");
	ck_assert_uint_lt(len, cap);
	def = parse(xml, 0);
	free(xml);
	ck_assert_uint_eq(def->ndisks, 1000);
	for (int i = 0; i < 1000; i++) {
		snprintf(name, sizeof(name), "sd%d", i);
		ck_assert_str_eq(def->disks[i].target, name);
	}
	ck_assert_str_eq(def->disks[999].source, "/i/999");
	vax_domdef_unref(def);
}
END_TEST

/* Anything but six colon-separated hex pairs is no MAC. */
static const char *const bad_macs[] = {
	"52:54:00:12:34",          /* five bytes */
	"52:54:00:12:34:56:78",    /* seven bytes */
	"52:54:00:12:34:5g",       /* not hex */
	"zz:54:00:12:34:56",
	"52-54-00-12-34-56",
	"525400123456",
	"52:54:00:12:34:56x",
	"152:54:00:12:34:56",
	"",
	"52:54:00:12:34:",
};

START_TEST(test_nic_mac_invalid)
{
	char xml[256];
	struct vax_domdef *def;

	snprintf(xml, sizeof(xml),
		 "<interface type='user'><mac address='%s'/></interface>", bad_macs[_i]);
	def = parse_devices(xml);
	ck_assert_uint_eq(def->nnics, 1);
	ck_assert_ptr_nonnull(def->nics);
	ck_assert_msg(!def->nics[0].has_mac, "'%s' taken as a MAC", bad_macs[_i]);
	vax_domdef_unref(def);
}
END_TEST

/* <memory> in every unit libvirt writes; absent when it cannot be KiB. */
static const struct {
	const char *elem;         /* contents of <domain> */
	bool present;
	unsigned long long kib;
} memory_cases[] = {
	{ "<memory>1024</memory>", true, 1024 },
	{ "<memory unit='KiB'>1024</memory>", true, 1024 },
	{ "<memory unit='k'>1024</memory>", true, 1024 },
	{ "<memory unit='MiB'>2</memory>", true, 2048 },
	{ "<memory unit='M'>3</memory>", true, 3072 },
	{ "<memory unit='GiB'>1</memory>", true, 1048576 },
	{ "<memory unit='G'>2</memory>", true, 2097152 },
	{ "<memory unit='TiB'>1</memory>", true, 1073741824ULL },
	{ "<memory unit='bytes'>1048576</memory>", true, 1024 },
	{ "<memory unit='b'>2048</memory>", true, 2 },
	{ "<memory unit='KB'>1024</memory>", true, 1000 },
	{ "<memory unit='MB'>1</memory>", true, 976 },
	{ "<memory unit='GB'>1</memory>", true, 976562 },
	{ "<memory unit='parsec'>1</memory>", false, 0 },
	{ "<memory unit=''>5</memory>", true, 5 },   /* empty: the default */
	{ "<memory unit='GiB'>99999999999999999</memory>", false, 0 },
	{ "<memory>99999999999999999999999</memory>", false, 0 },
	{ "<memory>-1</memory>", false, 0 },
	{ "<memory> -1</memory>", false, 0 },
	{ "<memory>1.5</memory>", false, 0 },
	{ "<memory></memory>", false, 0 },
	{ "<memory unit='MiB'/>", false, 0 },
	{ "<memory>0x10</memory>", false, 0 },
};

START_TEST(test_memory_units)
{
	char xml[256];
	struct vax_domdef *def;

	snprintf(xml, sizeof(xml), "<domain>%s</domain>", memory_cases[_i].elem);
	def = parse(xml, 0);
	ck_assert_msg(vax_has(&def->vals, VAX_DOM_MEM_MAX) == memory_cases[_i].present,
		      "%s: present %d", memory_cases[_i].elem,
		      vax_has(&def->vals, VAX_DOM_MEM_MAX));
	if (memory_cases[_i].present)
		ck_assert_uint_eq(def->vals.v[VAX_DOM_MEM_MAX], memory_cases[_i].kib);
	ck_assert(!vax_has(&def->vals, VAX_DOM_MEM_CUR));
	vax_domdef_unref(def);
}
END_TEST

/* vax_domxml_kib on its own: ok false leaves *kib untouched. */
static const struct {
	const char *number, *unit;
	bool ok;
	unsigned long long kib;
} kib_cases[] = {
	{ "7", NULL, true, 7 },                  /* no unit: KiB */
	{ "7", "KiB", true, 7 },
	{ "1", "T", true, 1073741824ULL },
	{ "1", "TB", true, 976562500ULL },
	{ "1023", "bytes", true, 0 },            /* rounded down */
	{ "0", "GiB", true, 0 },
	{ "18446744073709551615", "KiB", true, 18446744073709551615ULL },
	{ "18014398509481983", "MiB", true, 18014398509481983ULL * 1024 },
	{ NULL, NULL, false, 0 },
	{ "", NULL, false, 0 },
	{ "-1", NULL, false, 0 },
	{ " -1", NULL, false, 0 },
	{ "+1", NULL, false, 0 },
	{ "12abc", NULL, false, 0 },
	{ "12 ", NULL, false, 0 },
	{ "12", "kib", false, 0 },               /* units are case-sensitive */
	{ "12", "", false, 0 },
	{ "12", "PiB", false, 0 },
	{ "18446744073709551616", "KiB", false, 0 },
	{ "18014398509481984", "MiB", false, 0 },   /* overflows 64 bits of KiB */
	{ "18446744073709552", "KB", false, 0 },
};

START_TEST(test_kib)
{
	unsigned long long kib = 42, want = kib_cases[_i].ok ? kib_cases[_i].kib : 42;
	int r = vax_domxml_kib(kib_cases[_i].number, kib_cases[_i].unit, &kib);

	ck_assert_msg(r == (kib_cases[_i].ok ? 0 : -1), "'%s' '%s': %d",
		      kib_cases[_i].number ? kib_cases[_i].number : "(null)",
		      kib_cases[_i].unit ? kib_cases[_i].unit : "(null)", r);
	ck_assert_uint_eq(kib, want);
}
END_TEST

/* ---- documents that do not parse ---- */

/* What libvirt returns for a domain renamed to bytes that are not UTF-8
 * (virDomainRename takes any): no encoding declaration, the raw byte. */
static const char bad_name_xml[] =
	"<domain type='test'><name>bad\xffname</name><vcpu>1</vcpu><devices>"
	"<disk type='file' device='disk'><source file='/img/a.qcow2'/>"
	"<target dev='vda' bus='virtio'/></disk></devices></domain>";

static const struct {
	const char *xml;
	int len;                  /* bytes to parse; -1: all */
	const char *err;          /* in the message */
} bad_docs[] = {
	{ "this is not xml", -1, "does not parse" },
	{ "<domain><devices><disk type='file'>", -1, "does not parse" },
	/* libxml2 says "...encoding !\nBytes: 0xFF 0x6E ...\n". */
	{ bad_name_xml, -1, "does not parse" },
	{ "<network><name>default</name></network>", -1, "<domain>" },
	{ "", 0, "does not parse" },
	{ "<domain/>", 0, "does not parse" },   /* a length of 0 reads nothing */
	{ "<domain/>trailing garbage that is not XML <<<", -1, "does not parse" },
};

START_TEST(test_bad_doc)
{
	const char *s = bad_docs[_i].xml;
	size_t len = bad_docs[_i].len < 0 ? strlen(s) : (size_t)bad_docs[_i].len;

	err[0] = '\0';
	ck_assert_ptr_null(vax_domxml_parse(s, len, err, sizeof(err)));
	ck_assert_msg(strstr(err, bad_docs[_i].err) != NULL, "case %d: %s", _i, err);
	/* One log line, without the newline libxml2 ends it in. */
	ck_assert_ptr_null(strchr(err, '\n'));
	ck_assert_uint_gt(strlen(err), 0);
	ck_assert_int_ne(err[strlen(err) - 1], ' ');
}
END_TEST

START_TEST(test_not_utf8_cleaned_parses)
{
	/* The collector cleans libvirt's XML as it cleans names: the
	 * domain keeps its devices. */
	char *clean = vax_utf8_dup(bad_name_xml);
	struct vax_domdef *def;

	ck_assert_ptr_nonnull(clean);
	def = parse(clean, 0);
	ck_assert_uint_eq(def->ndisks, 1);
	ck_assert_str_eq(def->disks[0].target, "vda");
	vax_domdef_unref(def);
	free(clean);
}
END_TEST

START_TEST(test_small_err_buffer)
{
	char small[8];

	memset(small, 'z', sizeof(small));
	ck_assert_ptr_null(vax_domxml_parse("<x/>", 4, small, sizeof(small)));
	ck_assert_uint_eq(strlen(small), sizeof(small) - 1);
}
END_TEST

/* Whatever libxml2 makes of an external entity, it is not the file. */
START_TEST(test_external_entity_not_loaded)
{
	const char *s =
		"<?xml version='1.0'?>"
		"<!DOCTYPE domain [<!ENTITY x SYSTEM 'file:///etc/passwd'>]>"
		"<domain><os><type>&x;</type></os></domain>";
	struct vax_domdef *def = vax_domxml_parse(s, strlen(s), err, sizeof(err));

	ck_assert_msg(def != NULL, "%s", err);
	ck_assert(def->os_type == NULL || strstr(def->os_type, "root:") == NULL);
	vax_domdef_unref(def);
}
END_TEST

static Suite *domxml_suite(void)
{
	Suite *s = suite_create("domxml");
	TCase *tc;

	tc = tcase_create("parse");
	tcase_add_loop_test(tc, test_doc, 0, N(docs));
	tcase_add_test(tc, test_ref_counting);
	tcase_add_test(tc, test_1000_disks);
	tcase_add_loop_test(tc, test_nic_mac_invalid, 0, N(bad_macs));
	tcase_add_loop_test(tc, test_memory_units, 0, N(memory_cases));
	tcase_add_loop_test(tc, test_kib, 0, N(kib_cases));
	suite_add_tcase(s, tc);

	tc = tcase_create("odd");
	tcase_add_loop_test(tc, test_bad_doc, 0, N(bad_docs));
	tcase_add_test(tc, test_not_utf8_cleaned_parses);
	tcase_add_test(tc, test_small_err_buffer);
	tcase_add_test(tc, test_external_entity_not_loaded);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return vax_run_suite(domxml_suite());
}
