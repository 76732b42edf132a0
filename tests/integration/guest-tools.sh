#!/usr/bin/env bash
# The integrations' guest-data parts against one real Linux guest (busybox
# and qemu-ga, tests/guest, under TCG in a private libvirtd) and the agent
# with guestAgent yes: check_virt_agentx -m fs (OK, WARNING, CRITICAL with
# thresholds set around the used % virsh guestinfo reports) and the guest's
# eth0 address in -m state; snmp_exporter with contrib/prometheus/snmp.yml
# (used bytes and % with the mount point label, the address label); the
# Zabbix template's guest discovery rules run on the agent's walk as
# Zabbix 6.0 would (discovery[] rows, the rule's JavaScript under node,
# then every item prototype's OID). A Zabbix server is not started here:
# zabbix.sh imports the template into one; this test stays lean.
# shellcheck disable=SC2016 # eval '...' strings expand when evaluated
set -u
. "$(dirname "$0")/../lib.sh"

R=.1.3.6.1.4.1.32473.1
PLUGIN=$VAX_TOP_SRCDIR/contrib/nagios/check_virt_agentx
command -v perl >/dev/null || vax_skip "no perl (check_virt_agentx)"
vax_setup
vax_start_libvirtd_qemu          # skips, saying why, without QEMU or root
vax_linux_image                  # skips, saying why, without its packages
vax_start_snmpd
printf 'indexFile %s\nguestAgent yes\nguestInterval 2\nguestTimeout 5\n' "$VAX_TMP/index" > "$VAX_TMP/agent.conf"
vax_start_agent -t 1

# Unique per run: tap names and guest cgroups are host-wide.
G=gt-$$ TAP=tgt-$$ NET=10.214.$(( $$ % 250 ))
xml=$(vax_linux_guest_xml "$G" "$TAP" "$NET") || vax_die "cannot make $G's XML and disk"
vax_virsh define "$xml" > /dev/null || vax_die "cannot define $G"
vax_virsh start "$G" > /dev/null || vax_die "cannot start $G"
vax_linux_up "$G" "$NET"
UUID=$(vax_virsh domuuid "$G")
idx_of() { vax_walk $R.2.1.3 | awk -v u="\"$1\"" '$4 == u { n = split($1, a, "."); print a[n] }'; }
require "$G in virtDomainTable" wait_until 10 eval '[ -n "$(idx_of "$UUID")" ]'
I=$(idx_of "$UUID")
require "virtGuestAgentState of $G turns connected(2)" \
    wait_until 30 eval '[ "$(vax_get $R.6.1.1.$I | awk "{ print \$NF }")" = 2 ]'

# Fill /mnt/data (64 MiB ext4) to a used % well inside 0..100, so that
# thresholds below and above it are all meaningful.
vax_guest_exec "$G" 'dd if=/dev/zero of=/mnt/data/fill bs=1M count=36 conv=fsync' > /dev/null ||
    vax_die "guest-exec dd in $G failed"
# virsh guestinfo's /mnt/data: "USED TOTAL" in bytes, and its % rounded
# down as the MIB defines virtGuestFsUsedPercent.
ref() {
    vax_virsh guestinfo "$G" --filesystem | awk -F' *: *' '
        $1 ~ /^fs\.[0-9]+\.mountpoint$/ && $2 == "/mnt/data" { split($1, k, "."); n = k[2] }
        { v[$1] = $2 }
        END { if (n != "") print v["fs." n ".used-bytes"], v["fs." n ".total-bytes"] }'
}
# guest-exec returns at once: wait until the dd's 36 MiB are in (a loaded
# host took seconds; virsh then still saw 3% used).
require "the 36 MiB written in the guest show in virsh guestinfo" \
    wait_until 90 eval '[ "$(ref | awk "{ print \$1 }")" -ge 37748736 ]'
fsrow() {   # the agent's virtGuestFsIndex of /mnt/data
    vax_walk "$R.8.1.2.$I" | awk '$NF == "\"/mnt/data\"" { n = split($1, a, "."); print a[n] }'
}
pct_of() { awk -v u="$1" -v t="$2" 'BEGIN { printf "%d", int(u * 100 / t) }'; }
# The agent asks every 2 s: wait until it serves what virsh sees now.
settled() {
    local r f
    r=$(ref) f=$(fsrow)
    [ -n "$r" ] && [ -n "$f" ] || return 1
    # shellcheck disable=SC2086 # $r is "USED TOTAL"
    [ "$(vax_get "$R.8.1.8.$I.$f" | awk '{ print $NF }')" = "$(pct_of $r)" ]
}
require "virtGuestFsUsedPercent of /mnt/data is virsh guestinfo's used/total, rounded down" wait_until 30 settled
read -r USED TOTAL <<< "$(ref)"
PCT=$(pct_of "$USED" "$TOTAL") F=$(fsrow)
echo "# virsh guestinfo: /mnt/data used $USED of $TOTAL bytes = $PCT% (virtGuestFsIndex $F)"
require "the used % ($PCT) leaves room for thresholds on both sides" [ "$PCT" -ge 20 ] && [ "$PCT" -le 80 ]
check_eq "virtGuestFsTotalBytes is virsh's total-bytes" "$TOTAL" "$(vax_get "$R.8.1.6.$I.$F" | awk '{ print $NF }')"

# ---- Nagios: check_virt_agentx ----
LAST=
expect() {
    local want=$1 desc=$2 rc=0
    shift 2
    LAST=$("$PLUGIN" -H 127.0.0.1 -p "$VAX_SNMP_PORT" "$@" 2>&1) || rc=$?
    echo "# \$ check_virt_agentx $*: $LAST"
    if [ "$rc" = "$want" ]; then ok "$desc (exit $rc)"; else not_ok "$desc: exit $rc, expected $want: $LAST"; fi
}
contains() { case $LAST in *"$1"*) ok "$2" ;; *) not_ok "$2: '$1' not in: $LAST" ;; esac; }
expect 0 "fs: /mnt/data $PCT% within -w $((PCT + 5)) -c $((PCT + 10))" \
    -m fs -d "$G" -M /mnt/data -w $((PCT + 5)) -c $((PCT + 10))
contains "$G /mnt/data $PCT% used" "fs: the status line gives the used %"
contains "'/mnt/data'=$PCT%;$((PCT + 5));$((PCT + 10));0;100" "fs: perfdata of the mount point with thresholds"
# The guest rewrites a 256 KiB file every second: its used bytes move by a
# few KiB between virsh's reading and the plugin's (seen: 1 KiB).
contains ";;;0;$TOTAL" "fs: used bytes perfdata, max = size"
pu=$(printf '%s\n' "$LAST" | sed -n "s|.*'/mnt/data_used'=\([0-9]*\)B;.*|\1|p")
vax_between "fs: used bytes perfdata = virsh's used bytes, within the guest's churn (512 KiB)" \
    "$pu" "$(( USED - 524288 ))" "$(( USED + 524288 ))"
expect 1 "fs: $PCT% above -w $((PCT - 5)) (below -c $((PCT + 5)))" \
    -m fs -d "$G" -M /mnt/data -w $((PCT - 5)) -c $((PCT + 5))
expect 2 "fs: $PCT% above -c $((PCT - 5))" -m fs -d "$G" -M /mnt/data -w $((PCT - 10)) -c $((PCT - 5))
# -w PCT: alert above PCT, so exactly PCT is still OK (MIB: rounded down).
expect 0 "fs: exactly -w $PCT is not above it" -m fs -d "$G" -M /mnt/data -w "$PCT"
expect 2 "fs: every filesystem, /mnt/data the critical one" -m fs -d "$G" -w 100 -c $((PCT - 5))
contains "$G /mnt/data $PCT% used" "fs: the critical filesystem comes first"
nfs=$(vax_virsh guestinfo "$G" --filesystem | sed -n 's/^fs\.count *: *//p')
check_eq "fs: one %-perfdata item per filesystem of virsh guestinfo ($nfs)" "$nfs" \
    "$(printf '%s\n' "${LAST#*|}" | tr ' ' '\n' | grep -c '^.*=[0-9]*%;')"
expect 3 "fs: an unknown mount point is UNKNOWN" -m fs -d "$G" -M /nosuch
contains "mounted: " "fs: lists the mount points instead"
expect 0 "state: $G running" -m state -d "$G"
contains "addresses $NET.2/30 (eth0)" "state: lists eth0's address, from the guest agent"

# ---- Prometheus: snmp_exporter with the committed snmp.yml ----
if command -v prometheus-snmp-exporter >/dev/null && command -v curl >/dev/null; then
    vax_start_tcp snmp_exporter 15 "$VAX_TMP/exporter.log" prometheus-snmp-exporter \
        --config.file="$VAX_TOP_SRCDIR/contrib/prometheus/snmp.yml" --web.listen-address=127.0.0.1:@PORT@
    curl -sS -o "$VAX_TMP/scrape" \
        "http://127.0.0.1:$VAX_TCP_PORT/snmp?target=127.0.0.1:$VAX_SNMP_PORT&module=virt_agentx" ||
        not_ok "snmp_exporter scrape failed"
    # metric NAME LABELS...: the value of NAME's sample that has every LABEL.
    metric() {
        local n=$1
        shift
        awk -v n="$n" -v ls="$*" 'index($0, n "{") == 1 {
            k = split(ls, l, " "); for (i = 1; i <= k; i++) if (!index($0, l[i])) next
            print $NF; exit }' "$VAX_TMP/scrape"
    }
    same() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a != "" && a + 0 == b + 0) }'; }
    lbl=("virtDomainName=\"$G\"" 'virtGuestFsMountPoint="/mnt/data"')
    {
        v=$(metric virtGuestFsUsedPercent "${lbl[@]}")
        check "prometheus: virtGuestFsUsedPercent{${lbl[*]}} = $PCT (got ${v:-none})" same "$v" "$PCT"
        v=$(metric virtGuestFsUsedBytes "${lbl[@]}")
        # Within the guest's churn, as the plugin's perfdata above.
        vax_between "prometheus: virtGuestFsUsedBytes{${lbl[*]}} = virsh's $USED, within 512 KiB" \
            "$v" "$(( USED - 524288 ))" "$(( USED + 524288 ))"
        v=$(metric virtGuestFsTotalBytes "${lbl[@]}")
        check "prometheus: virtGuestFsTotalBytes = $TOTAL (got ${v:-none})" same "$v" "$TOTAL"
        # shellcheck disable=SC2086 # the address's octets are words
        hex=$(printf '0x%02X%02X%02X%02X' ${NET//./ } 2)
        v=$(metric virtGuestAddressPrefix "virtDomainName=\"$G\"" "virtGuestAddress=\"$hex\"" \
            'virtGuestAddressIfName="eth0"' "virtInterfaceName=\"$TAP\"")
        check "prometheus: virtGuestAddressPrefix{virtGuestAddress=\"$hex\" ($NET.2), eth0, $TAP} = 30 (got ${v:-none})" \
            same "$v" 30
    }
    check "prometheus: no snmp_error in the scrape" eval '! grep -q snmp_error "$VAX_TMP/scrape"'
else
    ok "# SKIP prometheus: prometheus-snmp-exporter or curl not installed"
fi

# ---- Zabbix: the template's guest discovery rules on the agent's walk ----
if command -v node >/dev/null && python3 -c 'import yaml' 2>/dev/null; then
    # zwalk OID: the walk as Zabbix 6.0 gets it from net-snmp: STRING
    # values as text, other octet strings as hex, numbers as numbers.
    zwalk() { snmpbulkwalk -v2c -c public -On -Cr50 -r 1 -t 5 "127.0.0.1:$VAX_SNMP_PORT" "$1"; }
    export -f zwalk
    export VAX_SNMP_PORT
    python3 - "$VAX_TOP_SRCDIR/contrib/zabbix/virt-agentx.yaml" "$G" "$NET.2" "$PCT" "$USED" "$TOTAL" \
        > "$VAX_TMP/zabbix.out" 2>&1 <<'EOF'
import json, re, subprocess, sys, yaml
tpl, dom, addr, pct, used, total = sys.argv[1:]
t = yaml.safe_load(open(tpl))['zabbix_export']['templates'][0]
rules = {r['key']: r for r in t['discovery_rules']}
bad = 0
def say(ok, msg):
    global bad
    print(('ok ' if ok else 'FAIL ') + msg)
    bad += not ok
def walk(oid):
    out = subprocess.run(['bash', '-c', 'zwalk "$0"', oid], capture_output=True, text=True).stdout
    r = {}
    for l in out.splitlines():
        m = re.match(r'^\.(\S+) = (\w[\w-]*): (.*)$', l)
        if not m or not m.group(1).startswith(oid + '.'):
            continue
        v = m.group(3).strip()
        if m.group(2) == 'STRING':
            v = v[1:-1] if v.startswith('"') else v
        r[m.group(1)[len(oid) + 1:]] = v
    return r
def lld(rule):
    # discovery[{#M1},OID1,{#M2},OID2...]: one row per index any OID has.
    args = re.match(r'^discovery\[(.*)\]$', rule['snmp_oid']).group(1).split(',')
    rows = {}
    for m, oid in zip(args[0::2], args[1::2]):
        for i, v in walk(oid).items():
            rows.setdefault(i, {'{#SNMPINDEX}': i})[m] = v
    value = json.dumps(list(rows.values()))
    for p in rule.get('preprocessing', []):
        if p['type'] == 'JAVASCRIPT':
            js = '(function (value) {\n' + p['parameters'][0] + '\n})(require("fs").readFileSync(0, "utf8"))'
            value = subprocess.run(['node', '-e', 'process.stdout.write(String(' + js + '))'],
                                   input=value, capture_output=True, text=True, check=True).stdout
    return json.loads(value)
def get(oid):
    return walk(oid.rsplit('.', 1)[0]).get(oid.rsplit('.', 1)[1])
def macros(s, row):
    return re.sub(r'\{#[A-Z.]+\}', lambda m: row.get(m.group(0), m.group(0)), s)
# Filesystems: the guest's /mnt/data, its items' values.
fs = [r for r in lld(rules['virt.guest.fs.discovery'])
      if r.get('{#DOMAIN.NAME}') == dom and r.get('{#FS.MOUNTPOINT}') == '/mnt/data']
say(len(fs) == 1, 'fs LLD: one row {#DOMAIN.NAME}=%s {#FS.MOUNTPOINT}=/mnt/data (%s)' % (dom, fs))
want = {'virt.guest.fs.pused': pct, 'virt.guest.fs.used': used, 'virt.guest.fs.total': total}
for row in fs:
    say(row.get('{#FS.TYPE}') == 'ext4', 'fs LLD: {#FS.TYPE} is ext4 (%s)' % row.get('{#FS.TYPE}'))
    for ip in rules['virt.guest.fs.discovery']['item_prototypes']:
        k = ip['key'].split('[')[0]
        v = get(macros(ip['snmp_oid'], row))
        # Used bytes move with the guest's churn (a 256 KiB file rewritten each second).
        good = (v is not None and abs(int(v) - int(used)) <= 524288) if k == 'virt.guest.fs.used' else v == want.get(k)
        say(good, 'fs item %s (%s): %s, expected %s' % (macros(ip['key'], row), macros(ip['snmp_oid'], row), v, want.get(k)))
        for tp in ip.get('trigger_prototypes', []):
            say('{$VIRT.FS.PUSED.' in tp['expression'] and ip['key'] in tp['expression'],
                'fs trigger on %s: %s' % (ip['key'], tp['expression']))
say(set(want) == {ip['key'].split('[')[0] for ip in rules['virt.guest.fs.discovery']['item_prototypes']},
    'fs LLD: item prototypes are used %, used and total bytes')
macro = {m['macro']: m['value'] for m in t['macros']}
say(macro.get('{$VIRT.FS.PUSED.WARN}') == '90' and macro.get('{$VIRT.FS.PUSED.CRIT}') == '95',
    'fs thresholds {$VIRT.FS.PUSED.WARN}=90, {$VIRT.FS.PUSED.CRIT}=95')
# Addresses: eth0's, rendered as text.
ad = [r for r in lld(rules['virt.guest.address.discovery']) if r.get('{#DOMAIN.NAME}') == dom]
hit = [r for r in ad if r.get('{#ADDR}') == addr and r.get('{#ADDR.IFNAME}') == 'eth0' and r.get('{#ADDR.TYPE}') == 'ipv4']
say(len(hit) == 1, 'address LLD: {#ADDR}=%s on eth0 among %s' % (addr, [r.get('{#ADDR}') for r in ad]))
for row in hit:
    for ip in rules['virt.guest.address.discovery']['item_prototypes']:
        v = get(macros(ip['snmp_oid'], row))
        say(v == '30', 'address item %s: %s, expected 30' % (macros(ip['key'], row), v))
v6 = [r['{#ADDR}'] for r in ad if r.get('{#ADDR.TYPE}') == 'ipv6']
say(all(re.match(r'^[0-9a-f:]+$', a) and '::' in a or a.count(':') == 7 for a in v6),
    'address LLD: IPv6 addresses as text (%s)' % v6)
sys.exit(1 if bad else 0)
EOF
    rc=$?
    sed 's/^/#   /' "$VAX_TMP/zabbix.out"
    check "zabbix: the template's guest filesystem and address discovery work on the agent's walk" test "$rc" -eq 0
else
    ok "# SKIP zabbix: node or python3-yaml not installed (the discovery rules' JavaScript needs node)"
fi

vax_virsh destroy "$G" > /dev/null
check "fs of a destroyed domain is UNKNOWN, saying it is not running" \
    wait_until 10 eval '"$PLUGIN" -H 127.0.0.1 -p "$VAX_SNMP_PORT" -m fs -d "$G" | grep -q "no guest data for $G: it is not running"'
vax_virsh undefine "$G" > /dev/null
vax_done
