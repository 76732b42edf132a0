#!/usr/bin/env bash
# The README's "Security" claims, with snmpd.conf.example as it ships: the
# SNMPv3 user reads our subtree with authPriv only, and nothing outside
# its view; the v2c community is held to the same view; secrets in a
# domain's XML (VNC/SPICE passwords) never reach the agent, while what it
# does serve from the XML (a network disk's source) is there.
set -u
. "$(dirname "$0")/../lib.sh"

R=.1.3.6.1.4.1.32473.1
HR=.1.3.6.1.2.1.25.1.1.0    # HOST-RESOURCES hrSystemUptime: served, not in the view
vax_setup
T=$VAX_TMP
command -v snmpget >/dev/null || vax_skip "snmpget not installed"

# The user net-snmp-create-v3-user would create (on a host it goes to
# /var/lib/snmp/snmpd.conf; the test's snmpd reads only its -c file).
# And a community without a view, to show the object left out exists.
export VAX_SNMPD_EXTRA='createUser monitor SHA-256 "auth-pass-phrase" AES "priv-pass-phrase"
rocommunity everything 127.0.0.1'
vax_start_libvirtd
cat > "$T/gfx.xml" <<'EOF'
<domain type='test'>
  <name>gfx</name>
  <uuid>5a4f6c1e-2222-4222-8333-000000000021</uuid>
  <memory unit='MiB'>128</memory>
  <vcpu>1</vcpu>
  <os><type>hvm</type></os>
  <devices>
    <graphics type='vnc' port='5900' passwd='vnc-secret-123'/>
    <graphics type='spice' passwd='spice-secret-456'/>
    <disk type='network' device='disk'>
      <source protocol='rbd' name='pool/image'>
        <host name='mon1' port='6789'/>
      </source>
      <auth username='cephuser'>
        <secret type='ceph' uuid='2ec115d7-3a88-3ceb-bc12-0ac909a6fd87'/>
      </auth>
      <target dev='vdb' bus='virtio'/>
    </disk>
  </devices>
</domain>
EOF
vax_virsh define "$T/gfx.xml" >/dev/null || vax_die "cannot define gfx"
vax_start_snmpd
export VAX_URI="test+unix:///default?socket=$T/libvirt/libvirt-sock-ro"
vax_start_agent

v3() {
    snmpget -v3 -u monitor -On -r 0 -t 2 "$@" "127.0.0.1:$VAX_SNMP_PORT" "$R.1.5.0" "$HR" 2>&1
}
authpriv=(-l authPriv -a SHA-256 -A auth-pass-phrase -x AES -X priv-pass-phrase)
check "SNMPv3 authPriv: our subtree is readable" \
    eval 'v3 "${authpriv[@]}" | grep -q "^$R.1.5.0 = STRING: \"[0-9.]*\"$"'
check "SNMPv3 authPriv: outside the view is noSuchObject" \
    eval 'v3 "${authpriv[@]}" | grep -q "^$HR = No Such Object"'
check "SNMPv3 authNoPriv: refused (authorizationError)" \
    eval 'v3 -l authNoPriv -a SHA-256 -A auth-pass-phrase | grep -q authorizationError'
check "SNMPv3 with a wrong passphrase: refused" \
    eval 'v3 -l authPriv -a SHA-256 -A wrong-pass-phrase -x AES -X priv-pass-phrase | grep -q "Authentication failure"'
check "v2c public: the same view (outside it: noSuchObject)" \
    eval 'vax_get_raw $HR | grep -q "No Such Object"'
# Without a view the object is there: the checks above prove the view.
check "the object outside the view exists (community without a view)" \
    eval 'snmpget -v2c -c everything -On -r 0 -t 2 127.0.0.1:$VAX_SNMP_PORT $HR | grep -q "Timeticks"'

# Domain XML over a read-only connection carries no passwords, and the
# agent serves only its fixed fields.
check "gfx is served" wait_until 10 eval 'vax_walk $R.2.1.2 | grep -q "\"gfx\""'
vax_walk .1.3.6.1.4.1.32473 > "$T/walk.out"
check "no VNC/SPICE password anywhere in the walk" eval '! grep -E "secret-(123|456)" "$T/walk.out"'
check "no Ceph user or secret UUID in the walk" eval '! grep -E "cephuser|2ec115d7" "$T/walk.out"'
check "the network disk's source is served as protocol:name" grep -q '"rbd:pool/image"' "$T/walk.out"
check "libvirt itself keeps the passwords from a read-only connection" \
    eval 'virsh -r -c "$VAX_URI" dumpxml --security-info gfx 2>&1 | grep -q "forbidden"'
vax_done
