#!/usr/bin/env bash
# Nagios/Icinga integration (contrib/nagios): the real check_snmp of
# monitoring-plugins, run with the command lines of virt-agentx.cfg, and
# check_virt_agentx, against a real snmpd, agent and libvirtd (test
# driver).  Expected states come from snmpget/virsh, thresholds are set
# below/above the values actually read.  Both configurations are verified
# (nagios4 -v, icinga2 daemon -C) and run by a private nagios4 and icinga2.
#
# Every plugin output is kept in nagios-outputs.txt and printed at the end
# (as "# " comments in the test log).
set -u
. "$(dirname "$0")/../lib.sh"

CHECK_SNMP=/usr/lib/nagios/plugins/check_snmp
NAGIOS_DIR=$VAX_TOP_SRCDIR/contrib/nagios
[ -x "$CHECK_SNMP" ] || vax_skip "no $CHECK_SNMP (apt-get install monitoring-plugins-standard)"
command -v perl >/dev/null || vax_skip "no perl"
R=.1.3.6.1.4.1.32473.1

vax_setup
vax_start_libvirtd
vax_load_demo_domains || vax_die "cannot load the demo domains"
# A name with spaces (and a quote-free shell word once quoted).
sed -e "s|<name>.*</name>|<name>my test vm</name>|" \
    -e "s|<uuid>.*</uuid>|<uuid>8e3b1c1a-0d5e-4f8a-9a51-0000000000ff</uuid>|" \
    "$VAX_DATA/dom-unicode.xml" > "$VAX_TMP/spaces.xml"
vax_virsh define "$VAX_TMP/spaces.xml" >/dev/null && vax_virsh start 'my test vm' >/dev/null ||
    vax_die "cannot start 'my test vm'"
# snmpd.conf.example's authPriv user "monitor", for the SNMPv3 check.
export VAX_SNMPD_EXTRA='createUser monitor SHA "auth-pass-phrase" AES "priv-pass-phrase"'
vax_start_snmpd
# Pools listed every 5 s, so that a volume shows within seconds.
printf 'indexFile %s\npoolInterval 5\n' "$VAX_TMP/index" > "$VAX_TMP/agent.conf"
vax_start_agent -t 1

# $USER1$: check_snmp and our plugin side by side, as once installed.
PLUGINS=$VAX_TMP/plugins
mkdir -p "$PLUGINS" "$VAX_TMP/state"
ln -s "$CHECK_SNMP" "$PLUGINS/check_snmp"
ln -s "$NAGIOS_DIR/check_virt_agentx" "$PLUGINS/check_virt_agentx"
export MP_STATE_PATH=$VAX_TMP/state
OUTS=$VAX_TMP/nagios-outputs.txt
: > "$OUTS"

# nagios_cmd COMMAND_NAME [ARG1 ARG2...]: COMMAND_NAME's command_line from
# virt-agentx.cfg, with the macros Nagios would fill in for our host.
nagios_cmd() {
    local name=$1 line i=1
    shift
    line=$(awk -v n="$name" '
        /^[[:space:]]*define command/ { inblock = 1; cn = ""; cl = "" }
        inblock && $1 == "command_name" { cn = $2 }
        inblock && $1 == "command_line" { sub(/^[[:space:]]*command_line[[:space:]]+/, ""); cl = $0 }
        inblock && /^[[:space:]]*}/ { if (cn == n) { print cl; exit } inblock = 0 }' \
        "$NAGIOS_DIR/virt-agentx.cfg")
    [ -n "$line" ] || { echo "no command $name in virt-agentx.cfg" >&2; return 1; }
    line=${line//\$USER1\$/$PLUGINS}
    line=${line//\$HOSTADDRESS\$/127.0.0.1}
    line=${line//\$_HOSTSNMP_PORT\$/$VAX_SNMP_PORT}
    line=${line//\$_HOSTSNMP_COMMUNITY\$/public}
    for a in "$@"; do line=${line//\$ARG$i\$/$a}; i=$((i + 1)); done
    printf '%s\n' "$line"
}

# expect RC DESC CMD...: run CMD, keep its output, check its exit status.
# The output is in $LAST afterwards.
LAST=
expect() {
    local want=$1 desc=$2 rc=0
    shift 2
    LAST=$("$@" 2>"$VAX_TMP/stderr") || rc=$?
    printf '$ %s\n%s\n(exit %d)\n\n' "$*" "$LAST" "$rc" >> "$OUTS"
    if [ "$rc" = "$want" ]; then ok "$desc (exit $rc)"
    else not_ok "$desc: exit $rc, expected $want: $LAST $(head -c 300 "$VAX_TMP/stderr")"; fi
}
# nagios RC DESC COMMAND_NAME ARGS...: a command of virt-agentx.cfg run as
# Nagios 4 runs it (through /bin/sh, which handles the quotes).
nagios() {
    local want=$1 desc=$2 cmd
    shift 2
    cmd=$(nagios_cmd "$@") || { not_ok "$desc: $cmd"; return; }
    expect "$want" "$desc" sh -c "$cmd"
}
P() { "$NAGIOS_DIR/check_virt_agentx" -H 127.0.0.1 -p "$VAX_SNMP_PORT" "$@"; }
contains() { case $LAST in *"$1"*) ok "$2" ;; *) not_ok "$2: '$1' not in: $LAST" ;; esac; }
# perf LABEL: the value of a perfdata item of $LAST (unit stripped).
perf() {
    printf '%s\n' "${LAST#*|}" | tr ' ' '\n' |
        sed -n "s/^'\{0,1\}$1'\{0,1\}=\([-0-9.]*\).*/\1/p" | head -n 1
}
val() { vax_get "$1" | sed 's/^[^=]*= [A-Za-z0-9]*: //'; }
# idx NAME: the virtDomainIndex of NAME (names come as hex with -Ox).
idx() {
    local hex
    hex=$(printf '%s' "$1" | od -An -tx1 | tr -d ' \n' | tr a-f A-F)
    snmpbulkwalk -v2c -c public -On -Ox -Oq -r 1 -t 5 "127.0.0.1:$VAX_SNMP_PORT" "$R.2.1.2" |
        awk -v h="$hex" '{ o = $1; $1 = ""; gsub(/[" ]/, ""); if ($0 == h) { n = split(o, a, "."); print a[n] } }'
}
# approx DESC GOT WANT PCT: GOT within PCT % of WANT.
approx() {
    if [ -n "$2" ] && [ -n "$3" ] &&
        awk -v g="$2" -v w="$3" -v p="$4" 'BEGIN { d = g - w; if (d < 0) d = -d; exit !(d <= w * p / 100) }'; then
        ok "$1 ($2, expected ~$3)"
    else
        not_ok "$1: got '$2', expected within $4% of '$3'"
    fi
}
now() { date +%s.%N; }

# ---------------------------------------------------------------------------
# check_snmp with the command lines of virt-agentx.cfg

eq_state() { [ "$(val "$R.1.6.0")" = "$1" ]; }
require "virtConnectionState is connected(1)" eq_state 1
nagios 0 "check_snmp: libvirt connection OK" check_virt_agentx_connection
contains "libvirt connection 1" "check_snmp: connection shows the value"

n=$(val "$R.1.7.0")
require "virtDomainCount ($n) is virsh's count" [ "$n" = "$(vax_virsh list --all --name | grep -c .)" ]
nagios 0 "check_snmp: $n domains within -w $n: -c $n:" check_virt_agentx_domain_count "$n:" "$n:"
nagios 1 "check_snmp: $n domains below -w $((n + 1)):" check_virt_agentx_domain_count "$((n + 1)):" "1:"
nagios 2 "check_snmp: $n domains below -c $((n + 1)):" check_virt_agentx_domain_count "$((n + 1)):" "$((n + 1)):"
check "check_snmp: perfdata domains=$n;W;C" eval '[[ $LAST == *"| domains=$n;$((n + 1)):;$((n + 1)):"* ]]'

age=$(val "$R.1.9.0")
nagios 0 "check_snmp: data age ${age} ms within 60000" check_virt_agentx_cache_age 60000 300000
# Any age is inside @0: (a refresh the check itself sets off may serve 0 ms,
# as the test driver answers in under 1 ms, so "-c 0" was not always hit).
nagios 2 "check_snmp: data age inside -c @0: is CRITICAL" check_virt_agentx_cache_age 0 @0:

# Domain states by index: running OK, paused WARNING, shut off CRITICAL.
declare -A IDX
for d in web01 db01 build '数据库-ü' 'my test vm'; do
    IDX[$d]=$(idx "$d")
    [ -n "${IDX[$d]}" ] || not_ok "no index for $d"
done
state_num() { vax_virsh domstats --state --raw "$1" | sed -n 's/^ *state\.state=//p'; }
want_rc() { case $1 in 1) echo 0 ;; 5|6) echo 2 ;; *) echo 1 ;; esac; }
for d in web01 db01 build '数据库-ü'; do
    s=$(state_num "$d")
    nagios "$(want_rc "$s")" "check_snmp: $d (index ${IDX[$d]}, virsh state $s)" \
        check_virt_agentx_domain_state_index "${IDX[$d]}"
    check "check_snmp: $d perfdata state=$s" eval '[[ $LAST == *"| state=$s;1:1;@5:6"* ]]'
done

# ---------------------------------------------------------------------------
# check_virt_agentx by name, through virt-agentx.cfg's commands

nagios 0 "plugin: web01 running" check_virt_agentx_state web01
contains "web01 is running" "plugin: web01 status line"
contains "| 'state'=1;;;0;7" "plugin: web01 perfdata"
# The guest's addresses (virtGuestAddressTable; the test driver's fake
# DHCP leases, on by default) are virsh domifaddr's, in its order.
want=$(vax_virsh domifaddr web01 --source lease | awk '$3 ~ /^ipv/ { printf "%s%s", s, $4; s = ", " }')
require "virsh domifaddr web01 --source lease lists addresses ($want)" [ -n "$want" ]
contains "web01 is running, addresses $want |" "plugin: state lists web01's addresses as virsh domifaddr"
expect 0 "plugin: state --no-addresses" P -m state -d web01 --no-addresses
check_eq "plugin: --no-addresses leaves them out" "VIRT-AGENTX OK - web01 is running | 'state'=1;;;0;7" "$LAST"
# Guest filesystems need guestAgent yes: without it, UNKNOWN saying why.
nagios 3 "plugin: fs without guestAgent is UNKNOWN" check_virt_agentx_fs web01 90 95
contains "no guest data for web01: virt-agentx does not ask guest agents (guestAgent no" \
    "plugin: fs says guestAgent is off"
expect 3 "plugin: -M outside fs mode is UNKNOWN" P -m state -d web01 -M /
nagios 1 "plugin: db01 paused" check_virt_agentx_state db01
contains "db01 is paused" "plugin: db01 says paused"
nagios 2 "plugin: build shut off" check_virt_agentx_state build
contains "build is shut off" "plugin: build says shut off"
nagios 0 "plugin: 数据库-ü (non-ASCII, quoted as in the cfg example)" check_virt_agentx_state "'数据库-ü'"
contains "数据库-ü is running" "plugin: the non-ASCII name comes back as UTF-8"
nagios 0 "plugin: 'my test vm' (spaces)" check_virt_agentx_state "'my test vm'"
nagios 3 "plugin: unknown domain is UNKNOWN" check_virt_agentx_state nosuch
contains "no domain named 'nosuch'" "plugin: says which name is unknown"
nagios 3 "plugin: a prefix of a name is not a match" check_virt_agentx_state web
# Configurable states: shut off is only WARNING, paused is OK.
expect 1 "plugin: --critical-states=crashed makes shut off WARNING" P -m state -d build --critical-states=crashed
expect 0 "plugin: --warning-states= (none) makes paused OK" P -m state -d db01 --warning-states=
expect 2 "plugin: --critical-states=paused" P -m state -d db01 --critical-states=paused,shutoff

# State changes through libvirt, seen by both (agent cache timeout 1 s).
vax_virsh suspend web01 >/dev/null
sh_rc() { local rc=0; sh -c "$(nagios_cmd "$@")" >/dev/null 2>&1 || rc=$?; echo "$rc"; }
check "after virsh suspend web01, the index check turns WARNING" \
    wait_until 10 eval '[ "$(sh_rc check_virt_agentx_domain_state_index "${IDX[web01]}")" = 1 ]'
nagios 1 "plugin: web01 WARNING after virsh suspend" check_virt_agentx_state web01
contains "web01 is paused" "plugin: web01 now paused"
vax_virsh resume web01 >/dev/null
check "after virsh resume web01, OK again" \
    wait_until 10 eval '[ "$(sh_rc check_virt_agentx_state web01)" = 0 ]'
vax_virsh destroy '数据库-ü' >/dev/null
check "after virsh destroy 数据库-ü, the index check turns CRITICAL" \
    wait_until 10 eval '[ "$(sh_rc check_virt_agentx_domain_state_index "${IDX[数据库-ü]}")" = 2 ]'
nagios 2 "plugin: 数据库-ü CRITICAL after virsh destroy" check_virt_agentx_state "'数据库-ü'"
contains "数据库-ü is shut off" "plugin: 数据库-ü now shut off"
expect 3 "plugin: cpu of a shut-off domain is UNKNOWN (no statistics)" P -m cpu -d '数据库-ü' --no-state
contains "数据库-ü is shut off: no statistics" "plugin: says why"

# ---- CPU: the rate against virsh's cpu time over a similar interval ----
# (--no-gauges: the plugin's own rates from the counters; the agent's
# gauges are checked below.)
# dominfo's "CPU time" is what virtDomainCpuTime serves (0.1 s steps).
# snap CMD KEY...: "TIME VALUE..." from one virsh call, TIME the middle of
# the call (the test driver's counters follow the wall clock, so a reading
# is only as good as its time stamp).
snap() {
    local cmd=$1 a b out
    shift
    a=$(now); out=$(eval "$cmd"); b=$(now)
    printf '%s\n' "$out" | awk -v a="$a" -v b="$b" -v keys="$*" '
        { v[$1] = $2; v[$2] = $3 }
        END { n = split(keys, k, " "); printf "%.6f", (a + b) / 2; for (i = 1; i <= n; i++) printf " %s", v[k[i]]; print "" }'
}
cpu_s() { vax_virsh dominfo web01 | sed -n 's/^CPU time: *\([0-9.]*\)s/cpu \1/p'; }
vcpus=$(vax_virsh dominfo web01 | awk '/^CPU\(s\):/ { print $2 }')
read -r t1 c1 < <(snap cpu_s cpu)
expect 0 "plugin: web01 CPU, two samples 2 s apart in the check" P --no-gauges -m cpu -d web01 --no-state --interval 2
read -r t2 c2 < <(snap cpu_s cpu)
want=$(awk -v a="$c1" -v b="$c2" -v t1="$t1" -v t2="$t2" -v n="$vcpus" 'BEGIN { printf "%.2f", (b - a) / (t2 - t1) / n * 100 }')
cpu=$(perf cpu)
approx "plugin: CPU % matches virsh dominfo over $vcpus vCPUs" "$cpu" "$want" 15
re="'cpu'=[0-9.]+%;;;0;100 'vcpus'=$vcpus;;;0 'cpu_time'=[0-9]+c\$"
check "plugin: cpu perfdata 'cpu'=N%;;;0;100 and a cpu_time counter" eval '[[ $LAST =~ $re ]]'
lo=$(awk -v v="$cpu" 'BEGIN { printf "%d", v / 2 }')
hi=$(awk -v v="$cpu" 'BEGIN { printf "%d", v * 2 + 1 }')
nagios 0 "plugin: CPU $cpu% within -w $hi -c $((hi * 2))" check_virt_agentx_cpu web01 "$hi" "$((hi * 2))"
nagios 1 "plugin: CPU $cpu% above -w $lo" check_virt_agentx_cpu web01 "$lo" "$hi"
nagios 2 "plugin: CPU $cpu% above -c $lo" check_virt_agentx_cpu web01 "$lo" "$lo"
check "plugin: thresholds in the cpu perfdata" eval '[[ $LAST == *"%;$lo;$lo;0;100"* ]]'

# ---- disk and NIC rates against virsh's counters ----
blk() { vax_virsh domblkstat web01 vda; }
nic() { vax_virsh domifstat web01 tap-web01-0; }
read -r t1 r1 w1 < <(snap blk rd_bytes wr_bytes)
expect 0 "plugin: web01 disk vda, in-check samples" P --no-gauges -m disk -d web01 -D vda --no-state --interval 2
read -r t2 r2 w2 < <(snap blk rd_bytes wr_bytes)
rate() { awk -v a="$1" -v b="$2" -v t1="$3" -v t2="$4" 'BEGIN { printf "%.0f", (b - a) / (t2 - t1) }'; }
approx "plugin: vda read B/s matches virsh domblkstat" "$(perf vda_read)" "$(rate "$r1" "$r2" "$t1" "$t2")" 15
approx "plugin: vda write B/s matches virsh domblkstat" "$(perf vda_write)" "$(rate "$w1" "$w2" "$t1" "$t2")" 15
rd=$(perf vda_read)
# shellcheck disable=SC2034 # used in the eval below
re="'vda_read'=[0-9]+B;;;0 'vda_write'=[0-9]+B;;;0\$"
check "plugin: disk perfdata 'vda_read'=NB;;;0" eval '[[ $LAST =~ $re ]]'
nagios 0 "plugin: disk within -w $((rd * 3))" check_virt_agentx_disk web01 "$((rd * 3))" "$((rd * 4))"
nagios 1 "plugin: disk read $rd B/s above -w $((rd / 3))" check_virt_agentx_disk web01 "$((rd / 3))" "$((rd * 4))"
nagios 2 "plugin: disk read $rd B/s above -c $((rd / 3))" check_virt_agentx_disk web01 "$((rd / 3))" "$((rd / 3))"
contains "sdb read" "plugin: without -D every disk is reported"

read -r t1 x1 < <(snap nic rx_bytes)
expect 0 "plugin: web01 NIC tap-web01-0" P --no-gauges -m net -d web01 -D tap-web01-0 --no-state --interval 2
read -r t2 x2 < <(snap nic rx_bytes)
rx=$(perf tap-web01-0_rx)
approx "plugin: rx B/s matches virsh domifstat" "$rx" "$(rate "$x1" "$x2" "$t1" "$t2")" 15
nagios 2 "plugin: NIC rx $rx B/s above -c $((rx / 3))" check_virt_agentx_net web01 "$((rx / 3))" "$((rx / 3))"
nagios 0 "plugin: NIC within -w $((rx * 3))" check_virt_agentx_net web01 "$((rx * 3))" "$((rx * 4))"
expect 3 "plugin: unknown device is UNKNOWN" P -m net -d web01 -D nosuch0 --no-state
contains "no interface named 'nosuch0'" "plugin: lists the interfaces instead"

# The state file: the second check takes its rate against the first one's
# sample, without sampling twice (so it is fast and covers the gap).
rm -rf "$VAX_TMP/state"/*
expect 0 "plugin: disk, first run (no state yet: samples twice)" P --no-gauges -m disk -d web01 -D vda -v
check "plugin: the first run said why it sampled twice" \
    grep -q "no previous sample: second sample in this check" "$VAX_TMP/stderr"
sleep 3
t0=$(date +%s%N)
expect 0 "plugin: disk, second run 3 s later (state file)" P --no-gauges -m disk -d web01 -D vda -v
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
check "plugin: the state-file run did not sample twice (${ms} ms)" \
    eval '! grep -q "second sample" "$VAX_TMP/stderr" && grep -q "snmpget" "$VAX_TMP/stderr"'
check "plugin: and its rate covers the 3 s since the first run" \
    eval '[[ $LAST =~ over\ ([0-9.]+)\ s ]] && awk -v s="${BASH_REMATCH[1]}" "BEGIN { exit !(s >= 2.9 && s < 6) }"'
check "plugin: state file written, no community in its name" \
    eval 'ls "$VAX_TMP/state/check_virt_agentx" | grep -q disk && ! ls "$VAX_TMP/state/check_virt_agentx" | grep -q public'

# ---- the agent's gauges: one SNMP round, no state file ----
G=$R.2.1
check "the agent serves web01's usage window (usageWindow 10: within two windows)" \
    wait_until 25 eval 'vax_get $G.37.${IDX[web01]} | grep -q Gauge32'
# gauge_run OID DESC PLUGIN-ARGS...: the plugin's value (perf LABEL) must be
# the gauge read just before or just after it (a window may close between).
gauge_run() {
    local oid=$1 label=$2 scale=$3 desc=$4 g0 g1 got
    shift 4
    g0=$(vax_get "$oid" | awk '{ print $NF }')
    expect 0 "plugin: $desc" "$@"
    g1=$(vax_get "$oid" | awk '{ print $NF }')
    got=$(perf "$label")
    contains "(agent gauge" "plugin: $desc: read from the agent's gauge"
    check "plugin: $desc: $got is the gauge ($g0 or $g1, / $scale)" \
        eval 'awk -v v="$got" -v a="$g0" -v b="$g1" -v s="$scale" "BEGIN { exit !(v == sprintf(\"%.2f\", a / s) + 0 || v == sprintf(\"%.2f\", b / s) + 0) }"'
}
rm -rf "$VAX_TMP/state"/*
gauge_run "$G.34.${IDX[web01]}" cpu 100 "cpu from virtDomainCpuUsageVcpus" P -m cpu -d web01 -v
check "plugin: the gauge run wrote no state file" eval '! ls "$VAX_TMP/state/check_virt_agentx" 2>/dev/null | grep -q cpu'
gauge_run "$R.4.1.19.${IDX[web01]}.1" vda_read 1 "disk from virtDiskReadBytesRate" P -m disk -d web01 -D vda
gauge_run "$R.5.1.18.${IDX[web01]}.1" tap-web01-0_rx 1 "net from virtInterfaceRxBytesRate" P -m net -d web01 -D tap-web01-0
expect 0 "plugin: --no-gauges takes the counters' way" P -m cpu -d web01 --no-state --no-gauges
check "plugin: ... and says so (no agent gauge in the output)" eval '[[ $LAST != *"agent gauge"* ]]'
# The test driver times no disk request: every latency is absent.
expect 0 "plugin: latency of a disk whose requests libvirt does not time" P -m latency -d web01 -D vda
contains "vda no read latency no write latency no flush latency" "plugin: latency says none was given"
# A domain just restarted has no window: the plugin falls back to counters.
vax_virsh destroy web01 > /dev/null && vax_virsh start web01 > /dev/null ||
    vax_die "cannot restart web01"
check "restarted: the agent shows web01 running" \
    wait_until 5 eval '[ "$(vax_get $G.4.${IDX[web01]} | awk "{ print \$NF }")" = 1 ]'
check "restarted: no usage window for web01" eval 'vax_get $G.37.${IDX[web01]} | grep -q "No Such Instance"'
expect 0 "plugin: cpu of a domain without a window yet" P -m cpu -d web01 --no-state -v
check "plugin: ... is computed from the counters, saying why" \
    eval '[[ $LAST != *"agent gauge"* ]] && grep -q "no usage window from the agent" "$VAX_TMP/stderr"'
expect 3 "plugin: latency without a window is UNKNOWN" P -m latency -d web01
contains "no usage window for web01 yet" "plugin: says why"

# ---- summary ----
running=$(vax_virsh list --state-running --name | grep -c .)
total=$(vax_virsh list --all --name | grep -c .)
nagios 0 "plugin: summary, $running of $total running, -c 1:" check_virt_agentx_summary 1: 1:
contains "$total domains: $running running" "plugin: summary counts as virsh"
check "plugin: summary perfdata 'running'=$running" [ "$(perf running)" = "$running" ]
nagios 2 "plugin: summary, fewer running than -c $((running + 1)):" check_virt_agentx_summary 1: "$((running + 1)):"
expect 1 "plugin: summary with --warning-states=paused names db01" P -m summary --warning-states=paused
contains "paused (db01)" "plugin: summary names the paused domain"

# ---- storage pools (virtPoolTable) ----
# The test driver's pool: default-pool, 100 GiB, nothing allocated; the
# agent lists pools every 5 s here (poolInterval 5, agent.conf above).
pool_info() { vax_virsh pool-info --bytes default-pool | sed -n "s/^$1: *\([0-9]*\).*/\1/p"; }
pidx=$(snmpbulkwalk -v2c -c public -On -Oq -r 1 -t 5 "127.0.0.1:$VAX_SNMP_PORT" "$R.10.1.2" |
    awk '$2 == "\"default-pool\"" { n = split($1, a, "."); print a[n] }')
require "the agent serves default-pool (virtPoolIndex ${pidx:-none})" [ -n "$pidx" ]
pool_used() { val "$R.10.1.11.$pidx"; }
nagios 0 "plugin: pool default-pool, 0% used, -w 90 -c 95" check_virt_agentx_pool default-pool 90 95
cap=$(pool_info Capacity) alloc=$(pool_info Allocation) avail=$(pool_info Available)
contains "default-pool 0% used (0 B of 107.4 GB, 107.4 GB available) |" "plugin: pool output: used, allocation, capacity, available"
check "plugin: pool perfdata = virsh pool-info --bytes (capacity $cap, allocation $alloc, available $avail)" \
    eval '[ "$(perf capacity)" = "$cap" ] && [ "$(perf allocation)" = "$alloc" ] && [ "$(perf available)" = "$avail" ] && [ "$(perf used)" = 0 ]'
check "plugin: pool perfdata 'used'=0%;90;95;0;100" eval '[[ $LAST == *"| '"'used'"'=0%;90;95;0;100 "* ]]'
expect 0 "plugin: pool by index ($pidx)" P -m pool --pool-index "$pidx"
contains "default-pool 0% used" "plugin: --pool-index finds default-pool"
nagios 0 "plugin: every pool (check_virt_agentx_pools)" check_virt_agentx_pools 90 95
contains "'default-pool'=0%;90;95;0;100 'default-pool_capacity'=${cap}B" "plugin: every pool: perfdata labelled by pool name"
nagios 3 "plugin: unknown pool name is UNKNOWN" check_virt_agentx_pool nosuch 90 95
contains "no storage pool named 'nosuch' on 127.0.0.1:$VAX_SNMP_PORT (pools: default-pool [$pidx])" \
    "plugin: says which name is unknown and lists the pools"
expect 3 "plugin: unknown pool index is UNKNOWN" P -m pool --pool-index 999
expect 3 "plugin: --pool outside pool mode is UNKNOWN" P -m host --pool default-pool
expect 3 "plugin: --pool and --pool-index together is UNKNOWN" P -m pool --pool default-pool --pool-index "$pidx"
# Fill it through libvirt: the test driver adds a volume's allocation to
# its pool's.  95 GiB of 100: 95% used, over the agent's 90% threshold.
vax_virsh vol-create-as default-pool fill 95G --allocation 95G >/dev/null || vax_die "cannot create a volume"
check "a 95 GiB volume: the agent serves virtPoolUsed 9500 within 15 s" wait_until 15 eval '[ "$(pool_used)" = 9500 ]'
cap=$(pool_info Capacity) alloc=$(pool_info Allocation) avail=$(pool_info Available)
want=$(awk -v a="$alloc" -v c="$cap" 'BEGIN { printf "%.2f", a * 100 / c }' | sed 's/\.\{0,1\}0*$//')
nagios 1 "plugin: pool $want% used above -w 90 (-c 96)" check_virt_agentx_pool default-pool 90 96
contains "default-pool $want% used (102.0 GB of 107.4 GB, 5.4 GB available)" "plugin: pool output after the fill"
check "plugin: pool perfdata after the fill = virsh pool-info --bytes ($alloc of $cap)" \
    eval '[ "$(perf used)" = "$want" ] && [ "$(perf allocation)" = "$alloc" ] && [ "$(perf available)" = "$avail" ]'
nagios 2 "plugin: pool $want% used above -c 90" check_virt_agentx_pool default-pool 80 90
nagios 0 "plugin: pool $want% used within -w 96 -c 98" check_virt_agentx_pool default-pool 96 98
vax_virsh vol-delete fill --pool default-pool >/dev/null || vax_die "cannot delete the volume"
check "volume deleted: virtPoolUsed back to 0" wait_until 15 eval '[ "$(pool_used)" = 0 ]'
nagios 0 "plugin: pool OK again after the volume is gone" check_virt_agentx_pool default-pool 80 90
# Stopped: libvirt keeps the pool's last numbers, the agent serves none
# (as virsh pool-info), so the plugin has nothing to judge.
vax_virsh pool-destroy default-pool >/dev/null || vax_die "cannot stop default-pool"
check "virsh pool-destroy: virtPoolState inactive(1)" wait_until 15 eval '[ "$(val "$R.10.1.5.$pidx")" = 1 ]'
expect 3 "plugin: an inactive pool (no space numbers from the agent) is UNKNOWN" P -m pool --pool default-pool -w 90
contains "default-pool is inactive: no space numbers" "plugin: says the pool is inactive (real agent)"
vax_virsh pool-start default-pool >/dev/null || vax_die "cannot start default-pool"
check "virsh pool-start: virtPoolState running(3)" wait_until 15 eval '[ "$(val "$R.10.1.5.$pidx")" = 3 ]'

# ---- the host node (virtHost) ----
# The test driver: nodeinfo, but no node memory statistics (virsh
# nodememstats fails), and CPU times that never move (no usage).
node() { vax_virsh nodeinfo | sed -n "s/^$1: *\([0-9]*\).*/\1/p"; }
hcpus=$(node 'CPU(s)') hmem=$(node 'Memory size')
gmem=0 gvcpus=0
while read -r d; do
    [ -n "$d" ] || continue
    gmem=$((gmem + $(vax_virsh dominfo "$d" | awk '/^Used memory:/ { print $3 }')))
    gvcpus=$((gvcpus + $(vax_virsh dominfo "$d" | awk '/^CPU\(s\):/ { print $2 }')))
done < <(vax_virsh list --name)     # active: running and paused (they have an ID)
mratio=$(awk -v g="$gmem" -v h="$hmem" 'BEGIN { printf "%.2f", int(g * 10000 / h + 0.5) / 100 }' | sed 's/\.\{0,1\}0*$//')
vratio=$(awk -v g="$gvcpus" -v h="$hcpus" 'BEGIN { printf "%.2f", int(g * 100 / h + 0.5) / 100 }' | sed 's/\.\{0,1\}0*$//')
check "virsh nodememstats: the test driver has no memory statistics" eval '! vax_virsh nodememstats >/dev/null 2>&1'
nagios 0 "plugin: host, memory -w 90 -c 95 (not reported: not judged)" check_virt_agentx_host 90 95 '' ''
contains "host memory use not reported by the hypervisor" "plugin: host says memory use is not reported"
contains "guests given $mratio% of its memory" "plugin: host memory ratio = virsh dominfo of the active domains / nodeinfo ($gmem of $hmem KiB)"
contains "$gvcpus guest vCPUs on $hcpus CPUs ($vratio per CPU)" "plugin: host vCPUs = virsh dominfo / nodeinfo"
check "plugin: host perfdata memory_ratio=$mratio%, guest_memory=$((gmem * 1024))B, cpus=$hcpus" \
    eval '[ "$(perf memory_ratio)" = "$mratio" ] && [ "$(perf guest_memory)" = "$((gmem * 1024))" ] && [ "$(perf cpus)" = "$hcpus" ] && [ "$(perf vcpu_ratio)" = "$vratio" ]'
contains "CPU usage not known yet" "plugin: host says CPU usage is not there (test driver)"
lo=$(awk -v v="$mratio" 'BEGIN { printf "%d", v / 2 }')
hi=$(awk -v v="$mratio" 'BEGIN { printf "%d", v * 2 + 1 }')
nagios 0 "plugin: overcommit $mratio% within --memory-ratio-warning=$hi" check_virt_agentx_overcommit "$hi" "$((hi * 2))" '' ''
nagios 1 "plugin: overcommit $mratio% above --memory-ratio-warning=$lo" check_virt_agentx_overcommit "$lo" "$hi" '' ''
check "plugin: overcommit perfdata 'memory_ratio'=$mratio%;$lo;$hi;0" eval '[[ $LAST == *"'"'memory_ratio'"'=$mratio%;$lo;$hi;0 "* ]]'
nagios 2 "plugin: overcommit $mratio% above --memory-ratio-critical=$lo" check_virt_agentx_overcommit "$lo" "$lo" '' ''
nagios 2 "plugin: $vratio vCPUs per CPU above --vcpu-ratio-critical=0.1" check_virt_agentx_overcommit '' '' '' 0.1
expect 3 "plugin: a bad ratio range is UNKNOWN" P -m host --cpu-warning 10:5
expect 3 "plugin: a ratio option outside host mode is UNKNOWN" P -m pool --cpu-warning 10

# What the test driver cannot give (node memory statistics, host CPU
# usage, a pool whose backend hangs): the real agent's answers with those
# values changed, served by stand-ins for snmpget/snmpbulkwalk.
FAKE=$VAX_TMP/fakebin
mkdir -p "$FAKE"
for s in 1 9 10; do
    snmpbulkwalk -v2c -c public -On -Oq -Ot -Oe -Ox -r 1 -t 5 "127.0.0.1:$VAX_SNMP_PORT" "$R.$s"
done | grep -v 'No more variables' > "$VAX_TMP/fake.walk"
# 16 GiB, 4 free, 1 in buffers, 3 in the page cache: 8 GiB (50%) used;
# the guests' memory ratio then over 16 GiB; CPU 75.12% over 10 s;
# default-pool stalled, its numbers 42 s old.
gkib=$(val "$R.9.19.0")
grep -v -e "^$R\.9\.1[4-7]\.0 " -e "^$R\.9\.2[1-3]\.0 " -e "^$R\.10\.1\.1[45]\.$pidx " "$VAX_TMP/fake.walk" > "$VAX_TMP/fake.data"
printf '%s\n' "$R.9.14.0 16777216" "$R.9.15.0 4194304" "$R.9.16.0 1048576" "$R.9.17.0 3145728" \
    "$R.9.21.0 $(( (gkib * 10000 + 8388608) / 16777216 ))" "$R.9.22.0 7512" "$R.9.23.0 10000" \
    "$R.10.1.14.$pidx 42000" "$R.10.1.15.$pidx 1" >> "$VAX_TMP/fake.data"
cat > "$FAKE/snmpget" <<'EOF'
#!/usr/bin/perl
# snmpget/snmpbulkwalk stand-in: answers from $FAKE_SNMP ("OID VALUE" lines,
# as -On -Oq -Ox print them), for the OIDs after the udp: peer argument.
my @a = @ARGV;
shift @a while @a && $a[0] !~ /^udp6?:/;
shift @a;
my (%v, @order);
open(my $f, '<', $ENV{FAKE_SNMP}) or die "$ENV{FAKE_SNMP}: $!";
while (<$f>) { chomp; my ($o, $x) = split / /, $_, 2; push @order, $o; $v{$o} = $x }
for my $o (@a) {
    if ($0 =~ /walk$/) { print "$_ $v{$_}\n" for grep { index($_, "$o.") == 0 } @order }
    else { print "$o ", $v{$o} // 'No Such Instance currently exists at this OID', "\n" }
}
EOF
chmod +x "$FAKE/snmpget"
ln -s snmpget "$FAKE/snmpbulkwalk"
F() { PATH=$FAKE:$PATH FAKE_SNMP=$VAX_TMP/fake.data P "$@"; }
expect 1 "plugin (stand-in tools): host memory 50% used above -w 40" F -m host -w 40 -c 60
contains "host memory 50% used (8.6 GB of 17.2 GB, 4.3 GB buffers/cache)" "plugin: memory used leaves free, buffers and cache out"
contains "CPU 75.12% over 10 s" "plugin: host CPU usage and its window"
contains "of its memory ($(awk -v k="$gkib" 'BEGIN { printf "%.1f", k * 1024 / 1e9 }') GB of 17.2 GB)" \
    "plugin: the guests' memory is set against virtHostMemoryTotal when there is one"
check "plugin: host perfdata 'memory'=50%;40;60;0;100 'memory_used'=$((8 * 1073741824))B" \
    eval '[[ $LAST == *"'"'memory'"'=50%;40;60;0;100 '"'memory_used'"'=8589934592B;;;0;17179869184 "* ]]'
expect 2 "plugin (stand-in tools): host memory 50% above -c 45" F -m host -w 40 -c 45
expect 2 "plugin (stand-in tools): host CPU 75.12% above --cpu-critical 70" F -m host --cpu-warning 50 --cpu-critical 70
check "plugin: cpu perfdata 'cpu'=75.12%;50;70;0;100" eval '[[ $LAST == *"'"'cpu'"'=75.12%;50;70;0;100"* ]]'
expect 0 "plugin (stand-in tools): host within every range" F -m host -w 60 --cpu-warning 80 --memory-ratio-warning 1000
expect 1 "plugin (stand-in tools): a stalled pool at 0% is WARNING" F -m pool --pool default-pool -w 90
contains "default-pool 0% used (0 B of 107.4 GB, 107.4 GB available); stalled: the agent's last asking did not return within 5 s, numbers 42 s old" \
    "plugin: says the pool is stalled and how old its numbers are"
grep -v "^$R\.10\.1\.11\.$pidx " "$VAX_TMP/fake.walk" | sed "s/^\($R\.10\.1\.5\.$pidx\) .*/\1 1/" > "$VAX_TMP/fake.inactive"
expect 3 "plugin (stand-in tools): an inactive pool without virtPoolUsed is UNKNOWN" \
    env PATH="$FAKE:$PATH" FAKE_SNMP="$VAX_TMP/fake.inactive" "$NAGIOS_DIR/check_virt_agentx" -H 127.0.0.1 -p "$VAX_SNMP_PORT" -m pool --pool default-pool
contains "default-pool is inactive: no space numbers" "plugin: says the pool is inactive"
grep -v "^$R\.9\." "$VAX_TMP/fake.data" > "$VAX_TMP/fake.nohost"
expect 3 "plugin (stand-in tools): an agent without virtHost is UNKNOWN" \
    env PATH="$FAKE:$PATH" FAKE_SNMP="$VAX_TMP/fake.nohost" "$NAGIOS_DIR/check_virt_agentx" -H 127.0.0.1 -p "$VAX_SNMP_PORT" -m host
contains "serves no host node (virtHost)" "plugin: says the host node is missing"
grep -v "^$R\.10\." "$VAX_TMP/fake.data" > "$VAX_TMP/fake.nopools"
expect 3 "plugin (stand-in tools): an agent without pools is UNKNOWN" \
    env PATH="$FAKE:$PATH" FAKE_SNMP="$VAX_TMP/fake.nopools" "$NAGIOS_DIR/check_virt_agentx" -H 127.0.0.1 -p "$VAX_SNMP_PORT" -m pool
contains "serves no storage pools" "plugin: says there are no pools"

# ---- bad arguments, --help, --version ----
expect 3 "plugin: bad range is UNKNOWN" P -m cpu -d web01 -w 10:5
expect 3 "plugin: missing -d is UNKNOWN" P -m state
expect 3 "plugin: unknown mode is UNKNOWN" P -m bogus
expect 3 "plugin: unknown option is UNKNOWN" P --bogus
expect 0 "plugin: --help" P --help
contains "--critical-states" "plugin: --help lists the options"
agent_version=$("${VAX_AGENT:-$VAX_TOP_BUILDDIR/src/virt-agentx}" -V | awk '{ print $2 }')
expect 0 "plugin: --version" "$NAGIOS_DIR/check_virt_agentx" --version
check "plugin: version is the agent's ($agent_version)" [ "$LAST" = "check_virt_agentx $agent_version" ]

# ---- perfdata syntax of every output with perfdata ----
# Items are label=value[UOM];warn;crit;min;max, a label in '' when it has
# spaces; what is left after taking every item away must be blank.
bad=$(grep -E '^(VIRT-AGENTX|SNMP) [A-Z]+ - .* \| ' "$OUTS" | sed 's/^[^|]* | //' | perl -ne '
    s/(?:^|\s)(?:\x27[^\x27=]+\x27|[^\x27=\s]+)=-?[0-9.]+(?:%|s|ms|B|KB|MB|TB|c)?(?:;[^;\s]*){0,4}(?=\s|$)//g;
    print if /\S/')
check "perfdata of every output follows the guidelines ${bad:+($bad)}" [ -z "$bad" ]

# ---- SNMPv3 (authPriv) ----
expect 0 "plugin: SNMPv3 authPriv user" P -P 3 -U monitor -a SHA -A auth-pass-phrase \
    -x AES -X priv-pass-phrase -m state -d web01
expect 3 "plugin: SNMPv3 with a wrong passphrase is UNKNOWN" P -P 3 -U monitor -a SHA \
    -A wrong-pass-phrase -x AES -X priv-pass-phrase -m state -d web01 -t 3

# ---------------------------------------------------------------------------
# Nagios 4: virt-agentx.cfg verified (nagios4 -v) and run by a private
# nagios4 for a few seconds; its status.dat gives each service's result.
# nagios4-core is not in bootstrap.sh (it pulls in an MTA): the installed
# one is used, else the package is fetched with apt-get download and
# unpacked into the build tree (tests/nagios4), never installed.
NAGIOS4=$(command -v nagios4 || true)
if [ -z "$NAGIOS4" ]; then
    n4=$VAX_TOP_BUILDDIR/tests/nagios4
    if [ ! -x "$n4/usr/sbin/nagios4" ]; then
        mkdir -p "$VAX_TMP/n4deb" "$n4"
        (cd "$VAX_TMP/n4deb" && apt-get download nagios4-core) > "$VAX_TMP/n4deb.out" 2>&1 &&
            dpkg-deb -x "$VAX_TMP"/n4deb/nagios4-core_*.deb "$n4" 2>> "$VAX_TMP/n4deb.out"
    fi
    [ -x "$n4/usr/sbin/nagios4" ] && NAGIOS4=$n4/usr/sbin/nagios4
fi
if [ -n "$NAGIOS4" ]; then
    N=$VAX_TMP/nagios4
    mkdir -p "$N/checkresults"
    cat > "$N/nagios.cfg" <<EOF
cfg_file=$N/objects.cfg
cfg_file=$NAGIOS_DIR/virt-agentx.cfg
resource_file=$N/resource.cfg
log_file=$N/nagios.log
status_file=$N/status.dat
status_update_interval=1
temp_file=$N/nagios.tmp
temp_path=$N
lock_file=$N/nagios.lock
query_socket=$N/nagios.qh
check_result_path=$N/checkresults
command_file=$N/nagios.cmd
check_external_commands=0
retain_state_information=0
state_retention_file=$N/retention.dat
object_cache_file=$N/objects.cache
precached_object_file=$N/objects.precache
nagios_user=$(id -un)
nagios_group=$(id -gn)
interval_length=1
max_service_check_spread=1
check_result_reaper_frequency=1
enable_notifications=0
use_syslog=0
illegal_macro_output_chars=\`~\$&|"<>
EOF
    echo "\$USER1\$=$PLUGINS" > "$N/resource.cfg"
    {
        printf 'define timeperiod {\n  timeperiod_name always\n  alias always\n'
        for day in monday tuesday wednesday thursday friday saturday sunday; do
            printf '  %s 00:00-24:00\n' "$day"
        done
        printf '}\n'
        printf 'define contact {\n  contact_name nobody\n  host_notifications_enabled 0\n'
        printf '  service_notifications_enabled 0\n  host_notification_period always\n'
        printf '  service_notification_period always\n  host_notification_options n\n'
        printf '  service_notification_options n\n'
        printf '  host_notification_commands check_virt_agentx_connection\n'
        printf '  service_notification_commands check_virt_agentx_connection\n}\n'
        printf 'define host {\n  host_name kvm01\n  address 127.0.0.1\n  _SNMP_COMMUNITY public\n'
        printf '  _SNMP_PORT %s\n  max_check_attempts 1\n  check_period always\n' "$VAX_SNMP_PORT"
        printf '  active_checks_enabled 0\n  contacts nobody\n}\n'
        printf 'define service {\n  name fast\n  register 0\n  host_name kvm01\n  check_interval 1\n'
        printf '  retry_interval 1\n  max_check_attempts 1\n  check_period always\n'
        printf '  notification_period always\n  contacts nobody\n}\n'
        while IFS='|' read -r desc cmd; do
            printf 'define service {\n  use fast\n  service_description %s\n  check_command %s\n}\n' "$desc" "$cmd"
        done <<EOF
libvirt connection|check_virt_agentx_connection
data age|check_virt_agentx_cache_age!60000!300000
domain count|check_virt_agentx_domain_count!1:!1:
build by index|check_virt_agentx_domain_state_index!${IDX[build]}
web01|check_virt_agentx_state!web01
db01|check_virt_agentx_state!db01
数据库-ü|check_virt_agentx_state!'数据库-ü'
my test vm|check_virt_agentx_state!'my test vm'
web01 cpu|check_virt_agentx_cpu!web01!1!95
web01 disk|check_virt_agentx_disk!web01!1000000000!2000000000
web01 net|check_virt_agentx_net!web01!1000000000!2000000000
domains|check_virt_agentx_summary!1:!1:
pool default-pool|check_virt_agentx_pool!default-pool!90!95
hypervisor|check_virt_agentx_host!90!95!!
overcommit|check_virt_agentx_overcommit!100!!!
EOF
    } > "$N/objects.cfg"
    check "nagios4 -v verifies virt-agentx.cfg" eval '"$NAGIOS4" -v "$N/nagios.cfg" > "$N/verify.out" 2>&1 &&
        grep -q "^Total Errors: *0" "$N/verify.out"'
    "$NAGIOS4" "$N/nagios.cfg" > "$N/daemon.out" 2>&1 < /dev/null {VAX_OUT}>&- {VAX_ERR}>&- &
    npid=$!
    VAX_PIDS+=("nagios4:$npid")
    # Every service has been checked once status.dat shows a last_check.
    checked() {
        cp "$N/status.dat" "$N/status.copy" 2>/dev/null &&
            [ "$(awk '/^servicestatus/ { s = 1 } s && /^\tlast_check=[1-9]/ { n++; s = 0 } END { print n + 0 }' "$N/status.copy")" -ge 15 ]
    }
    check "nagios4: the daemon checked all 15 services" wait_until 60 checked
    vax__forget "$npid"
    vax_kill "$npid" 20 || true
    # One line per service: description, state, output.
    awk -F= '/^servicestatus/ { d = ""; st = ""; o = "" }
        /^\tservice_description=/ { d = substr($0, index($0, "=") + 1) }
        /^\tcurrent_state=/ { st = $2 }
        /^\tplugin_output=/ { o = substr($0, index($0, "=") + 1) }
        /^\t}/ && d != "" { print d "\t" st "\t" o; d = "" }' "$N/status.copy" > "$N/results"
    sed 's/^/nagios4: /' "$N/results" >> "$OUTS"
    nres() {
        local line rc out
        line=$(awk -F'\t' -v n="$1" '$1 == n' "$N/results")
        IFS=$'\t' read -r _ rc out <<< "$line"
        if [ "$rc" = "$2" ] && [[ $out == *"$3"* ]]; then ok "nagios4: '$1' state $rc: $out"
        else not_ok "nagios4: '$1': state '$rc' (expected $2), output '$out' (expected '$3')"; fi
    }
    nres 'libvirt connection' 0 'libvirt connection 1'
    nres 'data age' 0 'data age'
    nres 'domain count' 0 "domains $(val "$R.1.7.0")"
    nres 'build by index' 2 'state *5*'
    nres web01 0 'web01 is running'
    nres db01 1 'db01 is paused'
    nres '数据库-ü' 2 '数据库-ü is shut off'
    nres 'my test vm' 0 'my test vm is running'
    nres 'web01 cpu' 1 'web01 CPU'
    nres 'web01 disk' 0 'web01 vda read'
    nres 'web01 net' 0 'web01 tap-web01-0 rx'
    nres domains 0 'domains:'
    nres 'pool default-pool' 0 'default-pool 0% used'
    nres hypervisor 0 'host memory use not reported'
    nres overcommit 1 "guests given $mratio% of its memory"
else
    ok "nagios4 not installed and not fetched (apt-get download nagios4-core): Nagios run skipped"
    sed 's/^/# /' "$VAX_TMP/n4deb.out" 2>/dev/null
fi

# ---------------------------------------------------------------------------
# Icinga 2: virt-agentx.conf validated (icinga2 daemon -C), then run for a
# few seconds by a private daemon, whose checks run the plugins with the
# CheckCommands' arguments (no shell); the results come from the state
# file it writes when it stops.
if command -v icinga2 >/dev/null; then
    I=$VAX_TMP/icinga2
    mkdir -p "$I"/{etc,lib,log,cache,spool,run}
    cat > "$I/etc/icinga2.conf" <<EOF
const PluginDir = "$PLUGINS"
include <itl>
include <plugins>
include "$NAGIOS_DIR/virt-agentx.conf"
object CheckerComponent "checker" { }
// Its notice log has a line per plugin run: the test waits for those.
object FileLogger "notice" {
  path = "$I/log/notice.log"
  severity = "notice"
}
// Every service every second, so that each has a result within seconds.
template Service "fast" default {
  check_interval = 1s
  retry_interval = 1s
}
object Host "kvm01" {
  check_command = "dummy"
  enable_active_checks = false
  address = "127.0.0.1"
  vars.virt_agentx = true
  vars.snmp_port = $VAX_SNMP_PORT
  vars.virt_domains["web01"] = { cpu_warn = "1" }
  vars.virt_domains["db01"] = { critical_states = "paused", disk = false, net = false }
  vars.virt_domains["my test vm"] = { }
  vars.virt_domains["数据库-ü"] = { disk = false }
  vars.virt_pools["default-pool"] = { }
  vars.virt_pools_all = true
  vars.virt_host = { memory_ratio_warn = "100" }
}
EOF
    IDEF=(-DDataDir="$I/lib" -DLogDir="$I/log" -DCacheDir="$I/cache" -DSpoolDir="$I/spool"
          -DInitRunDir="$I/run" -DConfigDir="$I/etc" -DRunAsUser="$(id -un)" -DRunAsGroup="$(id -gn)")
    check "icinga2 daemon -C validates virt-agentx.conf" \
        icinga2 daemon -C -c "$I/etc/icinga2.conf" "${IDEF[@]}"
    icinga2 object list --type Service "${IDEF[@]}" > "$I/services" 2>&1
    for sv in 'libvirt connection' 'libvirt data age' 'domain count' domains 'vm web01' \
        'vm cpu web01' 'vm disk web01' 'vm net web01' 'vm latency web01' 'vm my test vm' 'vm 数据库-ü' 'vm cpu 数据库-ü'; do
        check "icinga2: service '$sv' applied" grep -qF "Object 'kvm01!$sv' of type 'Service'" "$I/services"
    done
    check "icinga2: no disk service where disk = false" eval '! grep -qF "kvm01!vm disk db01" "$I/services"'
    for sv in 'pool default-pool' pools hypervisor; do
        check "icinga2: service '$sv' applied" grep -qF "Object 'kvm01!$sv' of type 'Service'" "$I/services"
    done
    # 4 per host, hypervisor, pools, 1 pool; state, cpu and latency for 4
    # domains; disk for 2; net for 3.
    check "icinga2: 24 services in all" [ "$(grep -c "of type 'Service'" "$I/services")" = 24 ]

    icinga2 daemon -c "$I/etc/icinga2.conf" "${IDEF[@]}" > "$I/daemon.out" 2>&1 < /dev/null \
        {VAX_OUT}>&- {VAX_ERR}>&- &
    ipid=$!
    VAX_PIDS+=("icinga2:$ipid")
    # Three plugin runs per service on average: every one has a result.
    runs() { [ "$(grep -c 'terminated with exit code' "$I/log/notice.log" 2>/dev/null)" -ge 58 ]; }
    check "icinga2: the daemon ran the checks (58 plugin runs)" wait_until 60 runs
    vax__forget "$ipid"
    vax_kill "$ipid" 20 || true
    # The state file is netstrings ("LEN:{json},"): one line per service
    # with a result: name, exit status, output, argv joined by \x1f.
    perl -MJSON::PP -e '
        local $/; my $d = <STDIN>; my $j = JSON::PP->new->utf8;
        binmode STDOUT, ":utf8";
        while ($d =~ /\G(\d+):/gc) {
            my $o = $j->decode(substr($d, pos($d), $1)); pos($d) += $1 + 1;
            next unless $o->{type} eq "Service";
            my $r = $o->{update}{last_check_result} or next;
            (my $out = $r->{output}) =~ s/\s+$//;
            print join("\t", $o->{name}, $r->{exit_status}, $out,
                       join("\x1f", @{ $r->{command} || [] })), "\n";
        }' < "$I/lib/icinga2.state" > "$I/results" 2> "$I/results.err"
    sed 's/\x1f/ /g; s/^/icinga2: /' "$I/results" >> "$OUTS"
    # ires SERVICE RC TEXT: Icinga ran SERVICE with exit RC and TEXT in its output.
    ires() {
        local line rc out
        line=$(awk -F'\t' -v n="kvm01!$1" '$1 == n' "$I/results")
        if [ -z "$line" ]; then not_ok "icinga2: no result for '$1' (see $I/daemon.out)"; return; fi
        IFS=$'\t' read -r _ rc out _ <<< "$line"
        if [ "$rc" = "$2" ] && [[ $out == *"$3"* ]]; then ok "icinga2: '$1' exit $rc: $out"
        else not_ok "icinga2: '$1': exit $rc (expected $2), output '$out' (expected '$3')"; fi
    }
    ires 'libvirt connection' 0 'libvirt connection 1'
    ires 'domain count' 0 "domains $(val "$R.1.7.0")"
    ires domains 0 'domains:'
    ires 'vm web01' 0 'web01 is running'
    ires 'vm db01' 2 'db01 is paused'              # critical_states = "paused"
    ires 'vm 数据库-ü' 2 '数据库-ü is shut off'      # destroyed above
    ires 'vm my test vm' 0 'my test vm is running'
    ires 'vm cpu web01' 1 'web01 CPU'                # cpu_warn = "1"
    ires 'vm disk web01' 0 'web01 vda read'
    ires 'vm net my test vm' 0 'my test vm has no interfaces'
    ires 'pool default-pool' 0 'default-pool 0% used'
    ires pools 0 'default-pool 0% used'
    ires hypervisor 1 "guests given $mratio% of its memory"   # memory_ratio_warn = "100"
    argv_of() { awk -F'\t' -v n="kvm01!$1" '$1 == n { print $4 }' "$I/results" | tr '\037' '\n'; }
    check "icinga2: the name with spaces is one argument after -d" \
        eval '[ "$(argv_of "vm my test vm" | grep -A1 -x -- -d | tail -n 1)" = "my test vm" ]'
    check "icinga2: the UTF-8 name is passed as is" \
        eval '[ "$(argv_of "vm 数据库-ü" | grep -A1 -x -- -d | tail -n 1)" = "数据库-ü" ]'
    check "icinga2: unset states pass no empty option" eval '! argv_of "vm web01" | grep -q -- -states'
    check "icinga2: the pool name is one argument after --pool" \
        eval '[ "$(argv_of "pool default-pool" | grep -A1 -x -- --pool | tail -n 1)" = default-pool ]'
    check "icinga2: hypervisor passes only the thresholds set" \
        eval 'argv_of hypervisor | grep -qx -- --memory-ratio-warning && ! argv_of hypervisor | grep -q -- "--cpu-\|--vcpu-"'
else
    not_ok "icinga2 not installed (apt-get install icinga2-bin): cannot check virt-agentx.conf"
fi

# ---- libvirt gone: the agent reports it, the checks say so ----
vax_stop_libvirtd
check "virtConnectionState turns disconnected(2)" wait_until 30 eq_state 2
nagios 2 "check_snmp: libvirt connection CRITICAL when libvirtd is gone" check_virt_agentx_connection
expect 3 "plugin: UNKNOWN without a libvirt connection" P -m state -d web01
contains "has no libvirt connection" "plugin: says the agent lost libvirt"

# ---- no agent, no snmpd ----
vax_stop_agent
nagios 3 "check_snmp: UNKNOWN when the subagent is gone (noSuchObject)" check_virt_agentx_connection
expect 3 "plugin: UNKNOWN when the subagent is gone" P -m state -d web01
contains "virt-agentx is not served" "plugin: says the subagent is missing"
dead=$(vax_free_udp_port "$VAX_SNMP_PORT" "$VAX_TRAP_PORT")
expect 3 "check_snmp (cfg arguments, -t 1 -e 1): UNKNOWN on a dead port" \
    sh -c "$(nagios_cmd check_virt_agentx_connection | sed "s/-p $VAX_SNMP_PORT /-p $dead /") -t 1 -e 1"
t0=$(date +%s%N)
expect 3 "plugin: UNKNOWN on a dead port" "$NAGIOS_DIR/check_virt_agentx" -H 127.0.0.1 -p "$dead" -m state -d web01 -t 3
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
contains "no SNMP answer from 127.0.0.1:$dead" "plugin: says there is no answer"
check "plugin: gave up within -t 3 (${ms} ms)" [ "$ms" -lt 4000 ]

echo "# ---- outputs (nagios-outputs.txt) ----"
sed 's/^/# /' "$OUTS"
vax_done
