/* check_libvirt_domxml.c - reading a libvirt domain XML. */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "libvirt_domxml.h"
#include "fixtures.h"
#include "utf8.h"

static char err[512];

/* Parse a NUL-terminated document; asserts it parses. */
static struct vax_domdef *parse(const char *xml)
{
	struct vax_domdef *def;

	err[0] = '\0';
	def = vax_domxml_parse(xml, strlen(xml), err, sizeof(err));
	ck_assert_msg(def != NULL, "parse failed: %s", err);
	ck_assert_int_eq(def->ref, 1);
	return def;
}

/* Parse <domain><devices>DEVICES</devices></domain>. */
static struct vax_domdef *parse_devices(const char *devices)
{
	char *xml;
	struct vax_domdef *def;

	ck_assert_int_ge(asprintf(&xml, "<domain type='kvm'><name>t</name>"
				  "<devices>%s</devices></domain>", devices), 0);
	def = parse(xml);
	free(xml);
	return def;
}

static struct vax_domdef *one_disk(const char *disk)
{
	struct vax_domdef *def = parse_devices(disk);

	ck_assert_uint_eq(def->ndisks, 1);
	ck_assert_ptr_nonnull(def->disks);
	return def;
}

static struct vax_domdef *one_nic(const char *nic)
{
	struct vax_domdef *def = parse_devices(nic);

	ck_assert_uint_eq(def->nnics, 1);
	ck_assert_ptr_nonnull(def->nics);
	return def;
}

/* ---- a full document ---- */

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

START_TEST(test_full_domain)
{
	struct vax_domdef *def = parse(full_xml);
	static const uint8_t mac1[6] = { 0x52, 0x54, 0x00, 0xaa, 0x00, 0x01 };

	ck_assert_str_eq(def->os_type, "hvm");
	ck_assert(vax_has(&def->vals, VAX_DOM_VCPU_MAX));
	ck_assert_uint_eq(def->vals.v[VAX_DOM_VCPU_MAX], 4);
	ck_assert_uint_eq(def->vals.v[VAX_DOM_VCPU_CUR], 2);
	ck_assert_uint_eq(def->vals.v[VAX_DOM_MEM_MAX], 4194304);
	ck_assert_uint_eq(def->vals.v[VAX_DOM_MEM_CUR], 2097152);
	ck_assert_uint_eq(def->ndisks, 3);
	ck_assert_str_eq(def->disks[0].target, "vda");
	ck_assert_str_eq(def->disks[0].source, "/var/lib/libvirt/images/web01.qcow2");
	ck_assert_str_eq(def->disks[1].target, "vdb");
	ck_assert_str_eq(def->disks[2].target, "sda");
	ck_assert_uint_eq(def->nnics, 2);
	ck_assert_str_eq(def->nics[0].target, "vnet3");
	ck_assert(def->nics[0].has_mac);
	ck_assert_mem_eq(def->nics[0].mac, mac1, 6);
	ck_assert_ptr_null(def->nics[1].target);
	ck_assert_str_eq(def->nics[1].type, "user");
	vax_domdef_unref(def);
}
END_TEST

START_TEST(test_only_domain_fields_set)
{
	struct vax_domdef *def = parse(full_xml);
	uint64_t expect = (UINT64_C(1) << VAX_DOM_VCPU_CUR) |
			  (UINT64_C(1) << VAX_DOM_VCPU_MAX) |
			  (UINT64_C(1) << VAX_DOM_MEM_MAX) |
			  (UINT64_C(1) << VAX_DOM_MEM_CUR) |
			  (UINT64_C(1) << VAX_DOM_VCPU_MIN);

	ck_assert_uint_eq(def->vals.have, expect);
	vax_domdef_unref(def);
}
END_TEST

/* What VM-MIB needs beyond VIRT-AGENTX-MIB: image format, read-only,
 * the NIC's host bridge, vCPU placement and the vCPUs present at start. */
START_TEST(test_vm_mib_fields)
{
	struct vax_domdef *def = parse(full_xml);

	ck_assert_str_eq(def->disks[0].format, "qcow2");
	ck_assert(!def->disks[0].readonly);
	ck_assert_ptr_null(def->disks[1].format);
	ck_assert(def->disks[2].readonly);
	ck_assert_str_eq(def->nics[0].parent, "br0");
	ck_assert_ptr_null(def->nics[1].parent);
	ck_assert_uint_eq(def->vals.v[VAX_DOM_VCPU_MIN], 2);   /* current='2' */
	ck_assert_ptr_null(def->cpuset);
	ck_assert(!def->cpu_auto);
	ck_assert_uint_eq(def->npins, 0);
	vax_domdef_unref(def);

	def = parse("<domain><vcpu placement='static' cpuset='0-3,^1'>3</vcpu>"
		    "<vcpus><vcpu id='0' enabled='yes' hotpluggable='no'/>"
		    "<vcpu id='1' enabled='yes' hotpluggable='yes'/>"
		    "<vcpu id='2' enabled='no' hotpluggable='yes'/></vcpus>"
		    "<cputune><vcpupin vcpu='1' cpuset='5'/><vcpupin vcpu='x' cpuset='1'/>"
		    "</cputune><devices><disk type='file' device='cdrom'/>"
		    "<interface type='direct'><source dev='eth0' mode='vepa'/></interface>"
		    "<interface type='network'><source network='default' bridge='virbr0'/>"
		    "</interface></devices></domain>");
	ck_assert_uint_eq(def->vals.v[VAX_DOM_VCPU_MIN], 1);
	ck_assert_str_eq(def->cpuset, "0-3,^1");
	ck_assert_uint_eq(def->npins, 1);   /* vcpu='x' is no vCPU */
	ck_assert_uint_eq(def->pins[0].vcpu, 1);
	ck_assert_str_eq(def->pins[0].cpuset, "5");
	ck_assert(def->disks[0].readonly);   /* a cdrom, <readonly/> or not */
	ck_assert_str_eq(def->nics[0].parent, "eth0");
	ck_assert_str_eq(def->nics[1].parent, "virbr0");
	ck_assert_str_eq(def->nics[1].source, "default");
	vax_domdef_unref(def);

	def = parse("<domain><vcpu placement='auto'>2</vcpu></domain>");
	ck_assert(def->cpu_auto);
	vax_domdef_unref(def);
}
END_TEST

START_TEST(test_ref_counting)
{
	struct vax_domdef *def = parse(full_xml);

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

/* ---- disks ---- */

START_TEST(test_disk_file)
{
	struct vax_domdef *def = one_disk(
		"<disk type='file' device='disk'><driver name='qemu' type='raw'/>"
		"<source file='/img/a.raw'/><target dev='vda' bus='virtio'/></disk>");
	const struct vax_disk_def *d = &def->disks[0];

	ck_assert_str_eq(d->type, "file");
	ck_assert_str_eq(d->device, "disk");
	ck_assert_str_eq(d->source, "/img/a.raw");
	ck_assert_str_eq(d->target, "vda");
	ck_assert_str_eq(d->bus, "virtio");
	vax_domdef_unref(def);
}
END_TEST

START_TEST(test_disk_block)
{
	struct vax_domdef *def = one_disk(
		"<disk type='block' device='lun'><source dev='/dev/sdb'/>"
		"<target dev='sdb' bus='scsi'/></disk>");
	const struct vax_disk_def *d = &def->disks[0];

	ck_assert_str_eq(d->type, "block");
	ck_assert_str_eq(d->device, "lun");
	ck_assert_str_eq(d->source, "/dev/sdb");
	ck_assert_str_eq(d->bus, "scsi");
	vax_domdef_unref(def);
}
END_TEST

START_TEST(test_disk_dir)
{
	struct vax_domdef *def = one_disk(
		"<disk type='dir' device='floppy'><source dir='/srv/floppy'/>"
		"<target dev='fda' bus='fdc'/></disk>");

	ck_assert_str_eq(def->disks[0].source, "/srv/floppy");
	ck_assert_str_eq(def->disks[0].device, "floppy");
	vax_domdef_unref(def);
}
END_TEST

START_TEST(test_disk_network_rbd)
{
	struct vax_domdef *def = one_disk(
		"<disk type='network' device='disk'>"
		"<source protocol='rbd' name='pool/img'>"
		"<host name='mon1.example' port='6789'/></source>"
		"<auth username='libvirt'><secret type='ceph' uuid='x'/></auth>"
		"<target dev='vdc' bus='virtio'/></disk>");

	ck_assert_str_eq(def->disks[0].type, "network");
	ck_assert_str_eq(def->disks[0].source, "rbd:pool/img");
	ck_assert_str_eq(def->disks[0].target, "vdc");
	vax_domdef_unref(def);
}
END_TEST

START_TEST(test_disk_network_no_protocol)
{
	struct vax_domdef *def = one_disk(
		"<disk type='network'><source name='iqn.2024-01.example:t/1'/>"
		"<target dev='sdc'/></disk>");

	ck_assert_str_eq(def->disks[0].source, "iqn.2024-01.example:t/1");
	vax_domdef_unref(def);
}
END_TEST

START_TEST(test_disk_volume)
{
	struct vax_domdef *def = one_disk(
		"<disk type='volume' device='disk'>"
		"<source pool='default' volume='web01.qcow2'/>"
		"<target dev='vdd' bus='virtio'/></disk>");

	ck_assert_str_eq(def->disks[0].type, "volume");
	ck_assert_str_eq(def->disks[0].source, "default/web01.qcow2");
	vax_domdef_unref(def);
}
END_TEST

START_TEST(test_disk_volume_incomplete)
{
	struct vax_domdef *def = one_disk(
		"<disk type='volume'><source pool='default'/><target dev='vdd'/></disk>");

	ck_assert_ptr_null(def->disks[0].source);
	vax_domdef_unref(def);
}
END_TEST

START_TEST(test_disk_cdrom_no_source)
{
	struct vax_domdef *def = one_disk(
		"<disk type='file' device='cdrom'><driver name='qemu'/>"
		"<target dev='hdc' bus='ide'/><readonly/></disk>");
	const struct vax_disk_def *d = &def->disks[0];

	ck_assert_str_eq(d->device, "cdrom");
	ck_assert_ptr_null(d->source);
	ck_assert_str_eq(d->target, "hdc");
	ck_assert_str_eq(d->bus, "ide");
	vax_domdef_unref(def);
}
END_TEST

START_TEST(test_disk_source_without_attributes)
{
	struct vax_domdef *def = one_disk(
		"<disk type='file' device='cdrom'><source/><target dev='hdc'/></disk>");

	ck_assert_ptr_null(def->disks[0].source);
	vax_domdef_unref(def);
}
END_TEST

START_TEST(test_disk_device_default)
{
	struct vax_domdef *def = one_disk(
		"<disk type='file'><source file='/a'/><target dev='vda'/></disk>");

	ck_assert_str_eq(def->disks[0].device, "disk");
	ck_assert_ptr_null(def->disks[0].bus);
	vax_domdef_unref(def);
}
END_TEST

START_TEST(test_disk_empty_attributes)
{
	struct vax_domdef *def = one_disk(
		"<disk type='' device=''><source file=''/><target dev='' bus=''/></disk>");
	const struct vax_disk_def *d = &def->disks[0];

	ck_assert_ptr_null(d->type);
	ck_assert_str_eq(d->device, "disk");
	ck_assert_ptr_null(d->source);
	ck_assert_ptr_null(d->target);
	ck_assert_ptr_null(d->bus);
	vax_domdef_unref(def);
}
END_TEST

START_TEST(test_disk_bare)
{
	struct vax_domdef *def = one_disk("<disk/>");
	const struct vax_disk_def *d = &def->disks[0];

	ck_assert_ptr_null(d->type);
	ck_assert_ptr_null(d->source);
	ck_assert_ptr_null(d->target);
	ck_assert_ptr_null(d->bus);
	ck_assert_str_eq(d->device, "disk");
	vax_domdef_unref(def);
}
END_TEST

START_TEST(test_disk_order_kept)
{
	struct vax_domdef *def = parse_devices(
		"<disk><target dev='vdc'/></disk>"
		"<interface type='user'/>"
		"<disk><target dev='vda'/></disk>"
		"<controller type='pci'/>"
		"<disk><target dev='vdb'/></disk>");

	ck_assert_uint_eq(def->ndisks, 3);
	ck_assert_str_eq(def->disks[0].target, "vdc");
	ck_assert_str_eq(def->disks[1].target, "vda");
	ck_assert_str_eq(def->disks[2].target, "vdb");
	ck_assert_uint_eq(def->nnics, 1);
	vax_domdef_unref(def);
}
END_TEST

START_TEST(test_disk_unicode_source)
{
	struct vax_domdef *def = one_disk(
		"<disk type='file'><source file='/var/lib/images/数据库-ü.qcow2'/>"
		"<target dev='vda'/></disk>");

	ck_assert_str_eq(def->disks[0].source, "/var/lib/images/数据库-ü.qcow2");
	vax_domdef_unref(def);
}
END_TEST

START_TEST(test_disk_escaped_source)
{
	struct vax_domdef *def = one_disk(
		"<disk type='file'><source file='/img/a&amp;b&apos;&#x4e2d;.img'/>"
		"<target dev='vda'/></disk>");

	ck_assert_str_eq(def->disks[0].source, "/img/a&b'中.img");
	vax_domdef_unref(def);
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
	def = parse(xml);
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

/* ---- interfaces ---- */

START_TEST(test_nic_bridge)
{
	struct vax_domdef *def = one_nic(
		"<interface type='bridge'><mac address='52:54:00:12:34:56'/>"
		"<source bridge='br0'/><target dev='vnet0'/><model type='virtio'/>"
		"</interface>");
	const struct vax_nic_def *n = &def->nics[0];
	static const uint8_t mac[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };

	ck_assert_str_eq(n->type, "bridge");
	ck_assert_str_eq(n->source, "br0");
	ck_assert_str_eq(n->target, "vnet0");
	ck_assert_str_eq(n->model, "virtio");
	ck_assert(n->has_mac);
	ck_assert_mem_eq(n->mac, mac, 6);
	ck_assert_ptr_null(n->filterref);
	ck_assert_ptr_null(n->ip);
	vax_domdef_unref(def);
}
END_TEST

START_TEST(test_nic_network)
{
	struct vax_domdef *def = one_nic(
		"<interface type='network'><source network='default'/>"
		"<target dev='vnet1'/></interface>");

	ck_assert_str_eq(def->nics[0].type, "network");
	ck_assert_str_eq(def->nics[0].source, "default");
	ck_assert_str_eq(def->nics[0].target, "vnet1");
	vax_domdef_unref(def);
}
END_TEST

/* The live XML of a running network NIC names the bridge as well. */
START_TEST(test_nic_network_live)
{
	struct vax_domdef *def = one_nic(
		"<interface type='network'><source network='default' "
		"portid='0b3c' bridge='virbr0'/><target dev='vnet1'/></interface>");

	ck_assert_str_eq(def->nics[0].source, "default");
	vax_domdef_unref(def);
}
END_TEST

START_TEST(test_nic_network_inactive)
{
	struct vax_domdef *def = one_nic(
		"<interface type='network'><source network='default'/></interface>");

	ck_assert_str_eq(def->nics[0].source, "default");
	ck_assert_ptr_null(def->nics[0].target);
	ck_assert_ptr_null(def->nics[0].model);
	vax_domdef_unref(def);
}
END_TEST

START_TEST(test_nic_ethernet)
{
	struct vax_domdef *def = one_nic(
		"<interface type='ethernet'><mac address='52:54:00:00:00:09'/>"
		"<target dev='tap0' managed='no'/><model type='e1000'/></interface>");

	ck_assert_str_eq(def->nics[0].type, "ethernet");
	ck_assert_str_eq(def->nics[0].target, "tap0");
	ck_assert_ptr_null(def->nics[0].source);
	ck_assert_str_eq(def->nics[0].model, "e1000");
	vax_domdef_unref(def);
}
END_TEST

START_TEST(test_nic_user)
{
	struct vax_domdef *def = one_nic(
		"<interface type='user'><mac address='52:54:00:00:00:0a'/>"
		"<model type='rtl8139'/></interface>");
	const struct vax_nic_def *n = &def->nics[0];

	ck_assert_str_eq(n->type, "user");
	ck_assert_ptr_null(n->target);
	ck_assert_ptr_null(n->source);
	ck_assert_str_eq(n->model, "rtl8139");
	ck_assert(n->has_mac);
	ck_assert_uint_eq(n->mac[5], 0x0a);
	vax_domdef_unref(def);
}
END_TEST

START_TEST(test_nic_direct)
{
	struct vax_domdef *def = one_nic(
		"<interface type='direct'><source dev='eth0' mode='vepa'/>"
		"<target dev='macvtap0'/></interface>");

	ck_assert_str_eq(def->nics[0].source, "eth0");
	vax_domdef_unref(def);
}
END_TEST

START_TEST(test_nic_vhostuser)
{
	struct vax_domdef *def = one_nic(
		"<interface type='vhostuser'><source type='unix' "
		"path='/run/vhost/sock0' mode='server'/></interface>");

	ck_assert_str_eq(def->nics[0].source, "/run/vhost/sock0");
	vax_domdef_unref(def);
}
END_TEST

START_TEST(test_nic_mac_upper_case)
{
	struct vax_domdef *def = one_nic(
		"<interface type='user'><mac address='AA:BB:CC:0D:0E:0F'/></interface>");
	static const uint8_t mac[6] = { 0xaa, 0xbb, 0xcc, 0x0d, 0x0e, 0x0f };

	ck_assert(def->nics[0].has_mac);
	ck_assert_mem_eq(def->nics[0].mac, mac, 6);
	vax_domdef_unref(def);
}
END_TEST

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
	def = one_nic(xml);
	ck_assert_msg(!def->nics[0].has_mac, "'%s' taken as a MAC", bad_macs[_i]);
	vax_domdef_unref(def);
}
END_TEST

START_TEST(test_nic_no_mac)
{
	struct vax_domdef *def = one_nic("<interface type='user'/>");

	ck_assert(!def->nics[0].has_mac);
	vax_domdef_unref(def);
}
END_TEST

START_TEST(test_nic_filterref_ip)
{
	struct vax_domdef *def = one_nic(
		"<interface type='bridge'><source bridge='br0'/>"
		"<filterref filter='clean-traffic'>"
		"<parameter name='MAC' value='52:54:00:00:00:01'/>"
		"<parameter name='IP' value='192.0.2.5'/>"
		"<parameter name='IP' value='192.0.2.6'/>"
		"</filterref></interface>");

	ck_assert_str_eq(def->nics[0].filterref, "clean-traffic");
	ck_assert_str_eq(def->nics[0].ip, "192.0.2.5");   /* the first one */
	vax_domdef_unref(def);
}
END_TEST

START_TEST(test_nic_filterref_without_ip)
{
	struct vax_domdef *def = one_nic(
		"<interface type='bridge'><filterref filter='no-spoofing'>"
		"<parameter name='CTRL_IP_LEARNING' value='dhcp'/>"
		"<parameter name='ip' value='192.0.2.9'/>"
		"<parameter value='192.0.2.8'/>"
		"</filterref></interface>");

	ck_assert_str_eq(def->nics[0].filterref, "no-spoofing");
	ck_assert_ptr_null(def->nics[0].ip);
	vax_domdef_unref(def);
}
END_TEST

START_TEST(test_nic_bare)
{
	struct vax_domdef *def = one_nic("<interface/>");
	const struct vax_nic_def *n = &def->nics[0];

	ck_assert_ptr_null(n->type);
	ck_assert_ptr_null(n->target);
	ck_assert_ptr_null(n->source);
	ck_assert_ptr_null(n->model);
	ck_assert_ptr_null(n->filterref);
	ck_assert_ptr_null(n->ip);
	ck_assert(!n->has_mac);
	vax_domdef_unref(def);
}
END_TEST

START_TEST(test_nic_elements_without_attributes)
{
	struct vax_domdef *def = one_nic(
		"<interface type='bridge'><mac/><source/><target/><model/>"
		"<filterref><parameter/></filterref></interface>");
	const struct vax_nic_def *n = &def->nics[0];

	ck_assert_ptr_null(n->source);
	ck_assert_ptr_null(n->target);
	ck_assert_ptr_null(n->model);
	ck_assert_ptr_null(n->filterref);
	ck_assert_ptr_null(n->ip);
	ck_assert(!n->has_mac);
	vax_domdef_unref(def);
}
END_TEST

/* ---- domain-level values ---- */

START_TEST(test_os_type)
{
	struct vax_domdef *def = parse(
		"<domain><os><type arch='aarch64'>hvm</type></os></domain>");

	ck_assert_str_eq(def->os_type, "hvm");
	vax_domdef_unref(def);
	def = parse("<domain type='lxc'><os><type>exe</type><init>/sbin/init</init>"
		    "</os></domain>");
	ck_assert_str_eq(def->os_type, "exe");
	vax_domdef_unref(def);
}
END_TEST

START_TEST(test_os_type_missing)
{
	struct vax_domdef *def = parse("<domain><os><boot dev='hd'/></os></domain>");

	ck_assert_ptr_null(def->os_type);
	vax_domdef_unref(def);
	def = parse("<domain><os><type/></os></domain>");
	ck_assert_ptr_null(def->os_type);
	vax_domdef_unref(def);
}
END_TEST

START_TEST(test_vcpu_current)
{
	struct vax_domdef *def = parse(
		"<domain><vcpu placement='static' current='3'>8</vcpu></domain>");

	ck_assert_uint_eq(def->vals.v[VAX_DOM_VCPU_CUR], 3);
	ck_assert_uint_eq(def->vals.v[VAX_DOM_VCPU_MAX], 8);
	vax_domdef_unref(def);
}
END_TEST

START_TEST(test_vcpu_no_current)
{
	struct vax_domdef *def = parse("<domain><vcpu>4</vcpu></domain>");

	ck_assert(vax_has(&def->vals, VAX_DOM_VCPU_CUR));
	ck_assert_uint_eq(def->vals.v[VAX_DOM_VCPU_CUR], 4);
	ck_assert_uint_eq(def->vals.v[VAX_DOM_VCPU_MAX], 4);
	vax_domdef_unref(def);
}
END_TEST

START_TEST(test_vcpu_bad_values)
{
	struct vax_domdef *def = parse("<domain><vcpu current='x'>four</vcpu></domain>");

	ck_assert(!vax_has(&def->vals, VAX_DOM_VCPU_CUR));
	ck_assert(!vax_has(&def->vals, VAX_DOM_VCPU_MAX));
	vax_domdef_unref(def);
	def = parse("<domain><vcpu current='-1'>-4</vcpu></domain>");
	ck_assert(!vax_has(&def->vals, VAX_DOM_VCPU_CUR));
	ck_assert(!vax_has(&def->vals, VAX_DOM_VCPU_MAX));
	vax_domdef_unref(def);
	def = parse("<domain><vcpu>4294967296</vcpu></domain>");
	ck_assert(!vax_has(&def->vals, VAX_DOM_VCPU_MAX));
	ck_assert(!vax_has(&def->vals, VAX_DOM_VCPU_CUR));
	vax_domdef_unref(def);
	def = parse("<domain><vcpu> -18446744073709551615</vcpu></domain>");
	ck_assert(!vax_has(&def->vals, VAX_DOM_VCPU_MAX));
	vax_domdef_unref(def);
}
END_TEST

START_TEST(test_vcpu_missing)
{
	struct vax_domdef *def = parse("<domain/>");

	ck_assert(!vax_has(&def->vals, VAX_DOM_VCPU_CUR));
	ck_assert(!vax_has(&def->vals, VAX_DOM_VCPU_MAX));
	vax_domdef_unref(def);
}
END_TEST

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
	def = parse(xml);
	ck_assert_msg(vax_has(&def->vals, VAX_DOM_MEM_MAX) == memory_cases[_i].present,
		      "%s: present %d", memory_cases[_i].elem,
		      vax_has(&def->vals, VAX_DOM_MEM_MAX));
	if (memory_cases[_i].present)
		ck_assert_uint_eq(def->vals.v[VAX_DOM_MEM_MAX], memory_cases[_i].kib);
	ck_assert(!vax_has(&def->vals, VAX_DOM_MEM_CUR));
	vax_domdef_unref(def);
}
END_TEST

START_TEST(test_current_memory)
{
	struct vax_domdef *def = parse(
		"<domain><memory unit='GiB'>4</memory>"
		"<currentMemory unit='MiB'>1536</currentMemory></domain>");

	ck_assert_uint_eq(def->vals.v[VAX_DOM_MEM_MAX], 4194304);
	ck_assert_uint_eq(def->vals.v[VAX_DOM_MEM_CUR], 1572864);
	vax_domdef_unref(def);
	def = parse("<domain><currentMemory unit='furlong'>1</currentMemory></domain>");
	ck_assert(!vax_has(&def->vals, VAX_DOM_MEM_CUR));
	vax_domdef_unref(def);
}
END_TEST

/* ---- vax_domxml_kib ---- */

START_TEST(test_kib_direct)
{
	unsigned long long kib = 0;

	ck_assert_int_eq(vax_domxml_kib("7", NULL, &kib), 0);
	ck_assert_uint_eq(kib, 7);
	ck_assert_int_eq(vax_domxml_kib("7", "KiB", &kib), 0);
	ck_assert_uint_eq(kib, 7);
	ck_assert_int_eq(vax_domxml_kib("1", "T", &kib), 0);
	ck_assert_uint_eq(kib, 1073741824ULL);
	ck_assert_int_eq(vax_domxml_kib("1", "TB", &kib), 0);
	ck_assert_uint_eq(kib, 976562500ULL);
	ck_assert_int_eq(vax_domxml_kib("1023", "bytes", &kib), 0);
	ck_assert_uint_eq(kib, 0);   /* rounded down */
	ck_assert_int_eq(vax_domxml_kib("0", "GiB", &kib), 0);
	ck_assert_uint_eq(kib, 0);
	ck_assert_int_eq(vax_domxml_kib("18446744073709551615", "KiB", &kib), 0);
	ck_assert_uint_eq(kib, 18446744073709551615ULL);
	ck_assert_int_eq(vax_domxml_kib("18014398509481983", "MiB", &kib), 0);
	ck_assert_uint_eq(kib, 18014398509481983ULL * 1024);
}
END_TEST

START_TEST(test_kib_invalid)
{
	unsigned long long kib = 42;

	ck_assert_int_eq(vax_domxml_kib(NULL, NULL, &kib), -1);
	ck_assert_int_eq(vax_domxml_kib("", NULL, &kib), -1);
	ck_assert_int_eq(vax_domxml_kib("-1", NULL, &kib), -1);
	ck_assert_int_eq(vax_domxml_kib(" -1", NULL, &kib), -1);
	ck_assert_int_eq(vax_domxml_kib("+1", NULL, &kib), -1);
	ck_assert_int_eq(vax_domxml_kib("12abc", NULL, &kib), -1);
	ck_assert_int_eq(vax_domxml_kib("12 ", NULL, &kib), -1);
	ck_assert_int_eq(vax_domxml_kib("12", "kib", &kib), -1);
	ck_assert_int_eq(vax_domxml_kib("12", "", &kib), -1);
	ck_assert_int_eq(vax_domxml_kib("12", "PiB", &kib), -1);
	ck_assert_int_eq(vax_domxml_kib("18446744073709551616", "KiB", &kib), -1);
	ck_assert_int_eq(vax_domxml_kib("18014398509481984", "MiB", &kib), -1);
	ck_assert_int_eq(vax_domxml_kib("18446744073709552", "KB", &kib), -1);
	ck_assert_uint_eq(kib, 42);   /* untouched on error */
}
END_TEST

/* ---- odd input ---- */

START_TEST(test_not_xml)
{
	const char *s = "this is not xml";

	err[0] = '\0';
	ck_assert_ptr_null(vax_domxml_parse(s, strlen(s), err, sizeof(err)));
	ck_assert_ptr_nonnull(strstr(err, "does not parse"));
}
END_TEST

START_TEST(test_truncated_xml)
{
	const char *s = "<domain><devices><disk type='file'>";

	err[0] = '\0';
	ck_assert_ptr_null(vax_domxml_parse(s, strlen(s), err, sizeof(err)));
	ck_assert_uint_gt(strlen(err), 0);
}
END_TEST

/* What libvirt returns for a domain renamed to bytes that are not UTF-8
 * (virDomainRename takes any): no encoding declaration, the raw byte. */
static const char bad_name_xml[] =
	"<domain type='test'><name>bad\xffname</name><vcpu>1</vcpu><devices>"
	"<disk type='file' device='disk'><source file='/img/a.qcow2'/>"
	"<target dev='vda' bus='virtio'/></disk></devices></domain>";

START_TEST(test_not_utf8_refused_one_line)
{
	err[0] = '\0';
	ck_assert_ptr_null(vax_domxml_parse(bad_name_xml, strlen(bad_name_xml), err,
					    sizeof(err)));
	ck_assert_ptr_nonnull(strstr(err, "does not parse"));
	/* libxml2 says "...encoding !\nBytes: 0xFF 0x6E ...\n": one line. */
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
	def = vax_domxml_parse(clean, strlen(clean), err, sizeof(err));
	ck_assert_msg(def != NULL, "%s", err);
	ck_assert_uint_eq(def->ndisks, 1);
	ck_assert_str_eq(def->disks[0].target, "vda");
	vax_domdef_unref(def);
	free(clean);
}
END_TEST

START_TEST(test_wrong_root)
{
	const char *s = "<network><name>default</name></network>";

	err[0] = '\0';
	ck_assert_ptr_null(vax_domxml_parse(s, strlen(s), err, sizeof(err)));
	ck_assert_ptr_nonnull(strstr(err, "<domain>"));
}
END_TEST

START_TEST(test_zero_length)
{
	err[0] = '\0';
	ck_assert_ptr_null(vax_domxml_parse("", 0, err, sizeof(err)));
	ck_assert_uint_gt(strlen(err), 0);
	/* A length of 0 on a non-empty buffer reads nothing. */
	ck_assert_ptr_null(vax_domxml_parse("<domain/>", 0, err, sizeof(err)));
}
END_TEST

START_TEST(test_length_respected)
{
	const char *s = "<domain/>trailing garbage that is not XML <<<";
	struct vax_domdef *def;

	def = vax_domxml_parse(s, strlen("<domain/>"), err, sizeof(err));
	ck_assert_ptr_nonnull(def);
	vax_domdef_unref(def);
	ck_assert_ptr_null(vax_domxml_parse(s, strlen(s), err, sizeof(err)));
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

START_TEST(test_empty_domain)
{
	struct vax_domdef *def = parse("<domain/>");

	ck_assert_uint_eq(def->ndisks, 0);
	ck_assert_uint_eq(def->nnics, 0);
	ck_assert_ptr_null(def->disks);
	ck_assert_ptr_null(def->nics);
	ck_assert_ptr_null(def->os_type);
	ck_assert_uint_eq(def->vals.have, 0);
	vax_domdef_unref(def);
}
END_TEST

START_TEST(test_empty_devices)
{
	struct vax_domdef *def = parse("<domain type='kvm'><devices>  </devices></domain>");

	ck_assert_uint_eq(def->ndisks, 0);
	ck_assert_uint_eq(def->nnics, 0);
	vax_domdef_unref(def);
}
END_TEST

START_TEST(test_devices_elsewhere_ignored)
{
	struct vax_domdef *def = parse(
		"<domain><disk><target dev='vda'/></disk>"
		"<metadata><devices><disk/></devices></metadata>"
		"<devices><hostdev><disk/></hostdev></devices></domain>");

	ck_assert_uint_eq(def->ndisks, 0);
	vax_domdef_unref(def);
}
END_TEST

START_TEST(test_unicode_domain)
{
	struct vax_domdef *def = parse(
		"<?xml version='1.0' encoding='UTF-8'?>"
		"<domain type='test'><name>数据库-ü</name>"
		"<devices><interface type='bridge'><source bridge='brü0'/>"
		"<target dev='tap-ü'/></interface></devices></domain>");

	ck_assert_str_eq(def->nics[0].source, "brü0");
	ck_assert_str_eq(def->nics[0].target, "tap-ü");
	vax_domdef_unref(def);
}
END_TEST

START_TEST(test_latin1_document)
{
	/* An encoding declaration is honoured: text comes back as UTF-8. */
	struct vax_domdef *def = parse(
		"<?xml version='1.0' encoding='ISO-8859-1'?>"
		"<domain><devices><disk><source file='/img/\xfc.img'/></disk>"
		"</devices></domain>");

	ck_assert_str_eq(def->disks[0].source, "/img/\xc3\xbc.img");
	vax_domdef_unref(def);
}
END_TEST

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

START_TEST(test_internal_entity)
{
	struct vax_domdef *def = parse(
		"<?xml version='1.0'?><!DOCTYPE domain [<!ENTITY t 'hvm'>]>"
		"<domain><os><type>&t;</type></os></domain>");

	ck_assert_str_eq(def->os_type, "hvm");
	vax_domdef_unref(def);
}
END_TEST

START_TEST(test_namespaced_metadata)
{
	struct vax_domdef *def = parse(
		"<domain xmlns:test='http://libvirt.org/schemas/domain/test/1.0'>"
		"<devices><disk type='file'><target dev='vda'/></disk></devices>"
		"<test:runstate>3</test:runstate></domain>");

	ck_assert_uint_eq(def->ndisks, 1);
	vax_domdef_unref(def);
}
END_TEST

static Suite *domxml_suite(void)
{
	Suite *s = suite_create("domxml");
	TCase *tc;

	tc = tcase_create("document");
	tcase_add_test(tc, test_full_domain);
	tcase_add_test(tc, test_only_domain_fields_set);
	tcase_add_test(tc, test_ref_counting);
	tcase_add_test(tc, test_vm_mib_fields);
	suite_add_tcase(s, tc);

	tc = tcase_create("disk");
	tcase_add_test(tc, test_disk_file);
	tcase_add_test(tc, test_disk_block);
	tcase_add_test(tc, test_disk_dir);
	tcase_add_test(tc, test_disk_network_rbd);
	tcase_add_test(tc, test_disk_network_no_protocol);
	tcase_add_test(tc, test_disk_volume);
	tcase_add_test(tc, test_disk_volume_incomplete);
	tcase_add_test(tc, test_disk_cdrom_no_source);
	tcase_add_test(tc, test_disk_source_without_attributes);
	tcase_add_test(tc, test_disk_device_default);
	tcase_add_test(tc, test_disk_empty_attributes);
	tcase_add_test(tc, test_disk_bare);
	tcase_add_test(tc, test_disk_order_kept);
	tcase_add_test(tc, test_disk_unicode_source);
	tcase_add_test(tc, test_disk_escaped_source);
	tcase_add_test(tc, test_1000_disks);
	suite_add_tcase(s, tc);

	tc = tcase_create("interface");
	tcase_add_test(tc, test_nic_bridge);
	tcase_add_test(tc, test_nic_network);
	tcase_add_test(tc, test_nic_network_live);
	tcase_add_test(tc, test_nic_network_inactive);
	tcase_add_test(tc, test_nic_ethernet);
	tcase_add_test(tc, test_nic_user);
	tcase_add_test(tc, test_nic_direct);
	tcase_add_test(tc, test_nic_vhostuser);
	tcase_add_test(tc, test_nic_mac_upper_case);
	tcase_add_loop_test(tc, test_nic_mac_invalid, 0,
			    (int)(sizeof(bad_macs) / sizeof(bad_macs[0])));
	tcase_add_test(tc, test_nic_no_mac);
	tcase_add_test(tc, test_nic_filterref_ip);
	tcase_add_test(tc, test_nic_filterref_without_ip);
	tcase_add_test(tc, test_nic_bare);
	tcase_add_test(tc, test_nic_elements_without_attributes);
	suite_add_tcase(s, tc);

	tc = tcase_create("domain");
	tcase_add_test(tc, test_os_type);
	tcase_add_test(tc, test_os_type_missing);
	tcase_add_test(tc, test_vcpu_current);
	tcase_add_test(tc, test_vcpu_no_current);
	tcase_add_test(tc, test_vcpu_bad_values);
	tcase_add_test(tc, test_vcpu_missing);
	tcase_add_loop_test(tc, test_memory_units, 0,
			    (int)(sizeof(memory_cases) / sizeof(memory_cases[0])));
	tcase_add_test(tc, test_current_memory);
	tcase_add_test(tc, test_kib_direct);
	tcase_add_test(tc, test_kib_invalid);
	suite_add_tcase(s, tc);

	tc = tcase_create("odd");
	tcase_add_test(tc, test_not_xml);
	tcase_add_test(tc, test_truncated_xml);
	tcase_add_test(tc, test_not_utf8_refused_one_line);
	tcase_add_test(tc, test_not_utf8_cleaned_parses);
	tcase_add_test(tc, test_wrong_root);
	tcase_add_test(tc, test_zero_length);
	tcase_add_test(tc, test_length_respected);
	tcase_add_test(tc, test_small_err_buffer);
	tcase_add_test(tc, test_empty_domain);
	tcase_add_test(tc, test_empty_devices);
	tcase_add_test(tc, test_devices_elsewhere_ignored);
	tcase_add_test(tc, test_unicode_domain);
	tcase_add_test(tc, test_latin1_document);
	tcase_add_test(tc, test_external_entity_not_loaded);
	tcase_add_test(tc, test_internal_entity);
	tcase_add_test(tc, test_namespaced_metadata);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return vax_run_suite(domxml_suite());
}
