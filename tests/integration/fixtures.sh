#!/bin/bash
# shellcheck disable=SC2016 # checks eval '...' on purpose
# The fixtures of tests/lib.sh work: a private libvirtd whose test-driver
# state persists across virsh calls, the demo domains, snmpd, snmptrapd and
# snmpd's trap sink.  No agent needed: if this fails, agent tests can't pass.
set -u
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"

vax_setup
vax_start_libvirtd

check "private libvirtd hosts test:///default with its domain 'test'" \
    eval 'vax_virsh list --all | grep -qw test'

cat > "$VAX_TMP/fixture-dom.xml" <<'EOF'
<domain type='test'>
  <name>fixture</name>
  <memory unit='KiB'>262144</memory>
  <vcpu>2</vcpu>
  <os><type>hvm</type></os>
  <devices>
    <disk type='file' device='disk'>
      <source file='/var/lib/libvirt/images/fixture-a.img'/>
      <target dev='vda' bus='virtio'/>
    </disk>
    <disk type='file' device='disk'>
      <source file='/var/lib/libvirt/images/fixture-b.img'/>
      <target dev='vdb' bus='virtio'/>
    </disk>
    <interface type='network'>
      <mac address='52:54:00:aa:0f:01'/>
      <source network='default'/>
      <target dev='tap-fixture0'/>
      <model type='virtio'/>
    </interface>
  </devices>
</domain>
EOF
check "virsh create of a transient domain" vax_virsh create "$VAX_TMP/fixture-dom.xml"
check "the domain is still there for a later virsh call" \
    eval '[ "$(vax_virsh domstate fixture)" = running ]'
check "it has 2 vCPUs" eval 'vax_virsh vcpucount fixture --live --active | grep -qx 2'
check "it has 2 disks" eval '[ "$(vax_virsh domblklist fixture | grep -c vd)" = 2 ]'
check "it has 1 NIC named tap-fixture0" \
    eval '[ "$(vax_virsh domiflist fixture | awk "{print \$1}")" = tap-fixture0 ]'
vax_virsh destroy fixture > /dev/null

check "vax_load_demo_domains" vax_load_demo_domains
check "demo states: web01 running, db01 paused, build shut off, 数据库-ü running" eval '
    [ "$(vax_virsh domstate web01)" = running ] &&
    [ "$(vax_virsh domstate db01)" = paused ] &&
    [ "$(vax_virsh domstate build)" = "shut off" ] &&
    [ "$(vax_virsh domstate 数据库-ü)" = running ]'
check "the default domain 'test' is gone, 4 domains remain" \
    eval '[ "$(vax_virsh list --all --name | grep -c .)" = 4 ]'
check "web01: 4 vCPUs, 2 disks, 2 NICs" eval '
    vax_virsh vcpucount web01 --live --active | grep -qx 4 &&
    [ "$(vax_virsh domblklist web01 | wc -l)" = 2 ] &&
    [ "$(vax_virsh domiflist web01 | wc -l)" = 2 ]'
check "bulk stats (state group) through libvirtd" \
    eval 'vax_virsh domstats --state web01 | grep -q "state.state=1"'

vax_start_trapd
vax_start_snmpd
check "snmpd answers sysUpTime" vax_get 1.3.6.1.2.1.1.3.0
check "snmpd's AgentX socket exists" test -S "$VAX_TMP/agentx.sock"
check "snmpd sent coldStart to its trap2sink (snmptrapd)" \
    wait_until 10 grep -q '\.1\.3\.6\.1\.6\.3\.1\.1\.5\.1' "$VAX_TMP/traps.log"
snmptrap -v2c -c public "127.0.0.1:$VAX_TRAP_PORT" '' "$VAX_OID.0.99" \
    "$VAX_OID.1.1.5.0" s "fixture-$$"
check "snmptrapd logs a trap sent to it" \
    wait_until 10 grep -q "fixture-$$" "$VAX_TMP/traps.log"
check "the trap's OID is logged numerically" grep -q "$VAX_OID\.0\.99" "$VAX_TMP/traps.log"

check "snmpd restarts" vax_restart_snmpd
check "snmpd answers again after the restart" vax_get 1.3.6.1.2.1.1.3.0
check "the AgentX socket is back" test -S "$VAX_TMP/agentx.sock"

check "libvirtd restarts" eval 'vax_stop_libvirtd && vax_start_libvirtd'
check "after a restart the test driver is back to its one domain" \
    eval '[ "$(vax_virsh list --all --name | grep -c .)" = 1 ]'

vax_done
