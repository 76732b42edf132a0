#!/usr/bin/env bash
# Hostile and odd input, end to end (real snmpd, real libvirtd with the
# test driver, the agent):
#   1. configuration files no parser should accept, or must read right;
#   2. libvirt URIs that cannot work: the agent runs, says so once,
#      retries with backoff without spinning, connects when it can;
#   3. odd domains: no devices, 4096 and 16385 vCPUs, names of 255, 1027
#      and 4000 bytes, with control characters, with a byte that is not
#      UTF-8; domains created and destroyed while walks run;
#   4. SNMP requests the clients hardly send: huge, zero and too many
#      index sub-ids, 128+ sub-ids, columns 0/1/past the last, between
#      and past the tables, GETBULK with 0, negative, huge repetitions and
#      non-repeaters, and a SET of every column and scalar.
# cli.sh, tables.sh and lifecycle.sh cover the ordinary cases (unknown
# directive, bad number "5s", missing file, -n, a libvirtd that comes
# later, SET of three objects, plain GETNEXT past the end).
# tests/rawsnmp.pl sends what net-snmp's clients refuse or silently
# change (snmpget truncates a sub-id above 2^32-1 to 32 bits).
set -u
. "$(dirname "$0")/../lib.sh"

R=.1.3.6.1.4.1.32473.1
D=$R.2.1
vax_setup
T=$VAX_TMP
AGENT=${VAX_AGENT:-$VAX_TOP_BUILDDIR/src/virt-agentx}
[ -x "$AGENT" ] || vax_die "agent not built: $AGENT"
command -v perl >/dev/null || vax_skip "perl not installed (tests/rawsnmp.pl needs it)"
RAW=$VAX_TESTS_SRCDIR/rawsnmp.pl


# ===========================================================================
# 1. Configuration files

# run EXPECTED_STATUS PATTERN ARGS...: as in cli.sh.
run() {
    local want=$1 pattern=$2 rc=0
    shift 2
    timeout 10 "$AGENT" "$@" > "$T/run.out" 2>&1 < /dev/null || rc=$?
    cat "$T/run.out"
    [ "$rc" -eq "$want" ] || { echo "exit status $rc, expected $want"; return 1; }
    grep -Eq -- "$pattern" "$T/run.out" || { echo "output does not match /$pattern/"; return 1; }
}
# only_printable FILE: no byte outside printable ASCII and newline.
only_printable() { ! LC_ALL=C grep -q '[^[:print:]]' "$1"; }

{ echo "cacheTimeout 5"; printf '#%09000d\n' 0; } > "$T/long.conf"
check "a line longer than the parser's buffer: FILE:LINE, exit 1" \
    run 1 "^virt-agentx: $T/long.conf:2: line longer than 8191 bytes$" -n -c "$T/long.conf"
printf 'cacheTimeout 5\nlibvirtURI qemu:///system\0junk\n' > "$T/nul.conf"
check "a NUL byte: FILE:LINE and column, exit 1 (was: 'line longer than')" \
    run 1 "^virt-agentx: $T/nul.conf:2: NUL byte in column 26$" -n -c "$T/nul.conf"
printf 'indexFile /tmp/x\033[2J\n' > "$T/esc.conf"
check "a terminal escape: FILE:LINE names the control character, exit 1" \
    run 1 "$T/esc.conf:1: control character 0x1B in column 17$" -n -c "$T/esc.conf"
check "... and the message does not carry it" only_printable "$T/run.out"
printf 'cache\377Timeout 5\n' > "$T/latin.conf"
check "a non-UTF-8 byte in a directive: unknown directive, shown as \\xFF" \
    run 1 "$T/latin.conf:1: unknown directive \"cache\\\\xFFTimeout\"" -n -c "$T/latin.conf"
check "... and the raw byte is not in the message" only_printable "$T/run.out"
printf 'indexFile /var/lib/virt-agentx/\351t\351\n' > "$T/latin-value.conf"
check "a non-UTF-8 value (a Latin-1 path) is taken as it is (documented)" \
    run 0 "configuration OK" -n -c "$T/latin-value.conf"
: > "$T/empty.conf"
check "an empty file is a file of defaults" run 0 "configuration OK" -n -c "$T/empty.conf"
check "/dev/zero as configuration: refused at once, no hang, no huge allocation" \
    run 1 "/dev/zero: configuration file is not a regular file" -n -c /dev/zero
check "a file that cannot be read (/proc/self/mem: EIO): named, exit 1" \
    run 1 "^virt-agentx: /proc/self/mem: read error: Input/output error$" -n -c /proc/self/mem
if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null; then
    cp "$T/empty.conf" "$T/secret.conf" && chmod 000 "$T/secret.conf"
    if setpriv --reuid=65534 --regid=65534 --clear-groups "$AGENT" -V >/dev/null 2>&1; then
        check "a file the user may not read (as nobody, mode 000): exit 1" \
            eval 'st=0; setpriv --reuid=65534 --regid=65534 --clear-groups "$AGENT" -n -c "$T/secret.conf" > "$T/run.out" 2>&1 || st=$?;
                  cat "$T/run.out"; [ $st -eq 1 ] && grep -q "secret.conf: cannot open configuration file: Permission denied" "$T/run.out"'
    else
        vax_log "not checked: an unreadable file (user nobody cannot run $AGENT)"
    fi
fi
# CRLF line ends and a directive given twice (the later wins): the agent
# below runs with this file and serves virtCacheTimeout from it.
# usageWindow 3600: no usage gauge appears during the test, so walks
# taken minutes apart compare equal (usage.sh tests the gauges).
printf 'cacheTimeout 30\r\nindexFile %s/index\r\ncacheTimeout 1\r\nusageWindow 3600\r\n' "$T" > "$T/agent.conf"
check "CRLF and a duplicated directive: accepted" run 0 "configuration OK" -n -c "$T/agent.conf"

# ===========================================================================
# 2. libvirt URIs that cannot work

vax_start_snmpd
HZ=$(getconf CLK_TCK)
cpu_ms() { awk -v hz="$HZ" '{ print int(($14 + $15) * 1000 / hz) }' "/proc/$1/stat"; }
scalar() { vax_get "$R.1.$1.0" | sed 's/.* = [A-Za-z0-9]*: //'; }

# bad_uri LABEL URI PATTERN: the agent started on URI keeps running,
# serves disconnected(2) and empty tables, logs PATTERN once, retries with
# backoff (virtRefreshErrors grows slowly) and uses little CPU for 5 s.
bad_uri() {
    local label=$1 uri=$2 pattern=$3 c0 c1 ms errs n w
    NBAD=$(( ${NBAD:-0} + 1 ))
    # shellcheck disable=SC2034 # used in the eval below
    w=$T/walk-bad-uri.$NBAD
    export VAX_URI=$uri
    : > "$T/agent.log"
    vax_start_agent
    c0=$(cpu_ms "$VAX_AGENT_PID")
    sleep 5
    c1=$(cpu_ms "$VAX_AGENT_PID")
    ms=$((c1 - c0))
    check "$label: the agent keeps running" vax_pid_alive "$VAX_AGENT_PID"
    check_eq "$label: virtConnectionState is disconnected(2)" 2 "$(scalar 6)"
    check_eq "$label: virtCacheTimeout is the file's last cacheTimeout (CRLF file)" 1 "$(scalar 8)"
    check "$label: the log names the URI and libvirt's reason" \
        eval 'grep -F "cannot connect to libvirt at $uri: " "$T/agent.log" | grep -q -- "$pattern"'
    n=$(grep -c 'cannot connect to libvirt' "$T/agent.log")
    errs=$(scalar 12)
    check "$label: retried ($errs failed refreshes in 5 s), logged once ($n)" \
        eval '[ "$errs" -ge 2 ] && [ "$n" -eq 1 ]'
    check "$label: backoff, not a busy loop ($errs retries, ${ms} ms CPU in 5 s)" \
        eval '[ "$errs" -le 6 ] && [ "$ms" -lt 1000 ]'
    check "$label: a walk works and shows no domain, pool or network" \
        eval 'vax_walk $R > "$w" && ! grep -q "^$D\.\|^$R\.1[01]\.1\." "$w" && grep -q "^$R.1.6.0 = INTEGER: 2" "$w"'
}

bad_uri "URI '::::'" '::::' 'Unable to parse URI'
check "URI '::::': SIGTERM, exit 0" vax_stop_agent
mv "$T/agent.log" "$T/agent-colons.log"
bad_uri "URI qemu+bogus:///system" 'qemu+bogus:///system' 'transport in URL not recognised'
check "URI qemu+bogus: SIGTERM, exit 0" vax_stop_agent
mv "$T/agent.log" "$T/agent-bogus.log"
# The socket of the libvirtd started below, in a directory not there yet.
bad_uri "missing socket" "test+unix:///default?socket=$T/libvirt/libvirt-sock" \
    "Failed to connect socket to '$T/libvirt/libvirt-sock': No such file or directory"
vax_start_libvirtd
connected() { [ "$(scalar 6)" = 1 ]; }
check "the socket appears (libvirtd started): connected within 40 s (backoff is at most 30 s)" \
    wait_until 40 connected
check "the connection is logged" grep -q "connected to libvirt at $VAX_URI" "$T/agent.log"

# ===========================================================================
# 3. Odd domains through the test driver

U=5a4f6c1e-2222-4333-8444-0000000000
# dom_xml FILE NAME UUID VCPUS [DEVICES]: a test-driver domain.
dom_xml() {
    cat > "$1" <<EOF
<domain type='test'>
  <name>$2</name>
  <uuid>$3</uuid>
  <memory unit='MiB'>64</memory>
  <vcpu>$4</vcpu>
  <os><type>hvm</type></os>
  <devices>${5:-}</devices>
</domain>
EOF
}
rep() { printf "%${2}s" '' | tr ' ' "$1"; }
hex() { od -v -An -tx1 | tr -d ' \n' | tr a-f A-F; }
# raw_get OID: one GET through rawsnmp.pl, "TYPE: VALUE" (strings in hex).
raw_get() { perl "$RAW" "127.0.0.1:$VAX_SNMP_PORT" public get "$1" | sed -n '2s/^[^ ]* = //p'; }
# served_hex OID: the string at OID as bare hex digits.
served_hex() { raw_get "$1" | sed 's/^STRING: //; s/ //g'; }
# idx UUID: the domain's index, from the UUID column.
idx() { vax_walk $D.3 | awk -v u="\"$1\"" '$4 == u { n = split($1, a, "."); print a[n] }'; }
ndoms() { scalar 7; }

dom_xml "$T/zero.xml" zero-dev "${U}01" 1
dom_xml "$T/v4096.xml" v4096 "${U}02" 4096
dom_xml "$T/v16385.xml" v16385 "${U}03" 16385
N255=$(rep n 255) N1027="$(rep a 1023)üzz" N4000=$(rep b 4000)
dom_xml "$T/n255.xml" "$N255" "${U}04" 1
dom_xml "$T/n1027.xml" "$N1027" "${U}05" 1
dom_xml "$T/n4000.xml" "$N4000" "${U}06" 1
# Tab and CR as character references, DEL and U+0085 (C1) as bytes; a
# newline only in a transient domain (define refuses it, create does not).
dom_xml "$T/ctl.xml" "$(printf 'ctl&#9;x&#13;y\177\302\205')" "${U}07" 1
dom_xml "$T/nl.xml" "nl&#10;x" "${U}09" 1
dom_xml "$T/ren.xml" ren-me "${U}08" 1 "<disk type='file' device='disk'>
    <source file='/img/ren.qcow2'/><target dev='vda' bus='virtio'/></disk>"
dom_xml "$T/ren2.xml" ren2-me "${U}0a" 1
make_doms() {
    local f
    vax_virsh create "$T/zero.xml" && vax_virsh create "$T/v4096.xml" &&
        vax_virsh create "$T/v16385.xml" && vax_virsh create "$T/nl.xml" || return 1
    for f in n255 n1027 n4000 ctl ren ren2; do vax_virsh define "$T/$f.xml" || return 1; done
}
require "libvirt takes the odd domains" make_doms
# Any bytes through virDomainRename (the domain must be inactive).
# shellcheck disable=SC2034 # in the eval below
BAD=$(printf 'bad\377name')
# shellcheck disable=SC2016
check "libvirt renames a domain to a name that is not UTF-8" \
    eval 'vax_virsh domrename ren-me "$BAD" && vax_virsh list --all --name | LC_ALL=C grep -qx "$BAD"'
check "libvirt renames a domain to a name with byte 01" vax_virsh domrename ren2-me $'c\001x'
check "all 11 domains served" wait_until 10 eval '[ "$(ndoms)" = 11 ]'

i=$(idx "${U}01")
check_eq "0 devices: virtDomainDiskCount 0" 0 "$(vax_get $D.28.$i | sed 's/.*: //')"
check_eq "0 devices: virtDomainInterfaceCount 0" 0 "$(vax_get $D.29.$i | sed 's/.*: //')"
check "0 devices: no disk or interface row, one vCPU row" eval '
    ! vax_walk $R.4.1.2 | grep -q "^$R.4.1.2.$i\." && ! vax_walk $R.5.1.2 | grep -q "^$R.5.1.2.$i\." &&
    [ "$(vax_walk $R.3.1.2.$i | grep -c "^$R.3.1.2.$i\.")" = 1 ]'

# The test driver accepts any vCPU count (4096, 16385, 100000 all define).
i=$(idx "${U}02")
check_eq "4096 vCPUs: virtDomainVcpuCurrent" "Gauge32: 4096" "$(raw_get $D.10.$i)"
vax_walk $R.3.1.2.$i > "$T/v4096.walk"
check "4096 vCPUs: 4096 rows, numbered 0..4095 in order" \
    eval 'awk -v p="$R.3.1.2.$i." "index(\$1, p) == 1 { n++; if (\$1 != p n || \$4 != n - 1) bad++ } END { exit !(n == 4096 && !bad) }" "$T/v4096.walk"'
check_eq "4096 vCPUs: the last row by GET" "INTEGER: 4095" "$(raw_get $R.3.1.2.$i.4096)"
check_eq "4096 vCPUs: no row 4097" noSuchInstance "$(raw_get $R.3.1.2.$i.4097)"
i=$(idx "${U}03")
check_eq "16385 vCPUs: virtDomainVcpuCurrent says so" "Gauge32: 16385" "$(raw_get $D.10.$i)"
check_eq "16385 vCPUs: above the agent's cap (VAX_MAX_VCPUS 16384) no vCPU rows" \
    "" "$(vax_walk $R.3.1.2.$i | grep "^$R.3.1.2.$i\.")"
vax_virsh destroy v4096 >/dev/null && vax_virsh destroy v16385 >/dev/null
check "the big transient domains are gone" wait_until 10 eval '[ "$(ndoms)" = 9 ]'

# Names: VirtUtf8String (SIZE (0..1024)), cut on a character boundary.
check_eq "a 255-byte name is served whole" "$(printf %s "$N255" | hex)" "$(served_hex "$D.2.$(idx "${U}04")")"
check_eq "a 1027-byte name is cut to 1023 bytes, before the 2-byte ü it would split" \
    "$(rep a 1023 | hex)" "$(served_hex "$D.2.$(idx "${U}05")")"
check_eq "a 4000-byte name is cut to 1024 bytes" "$(rep b 1024 | hex)" "$(served_hex "$D.2.$(idx "${U}06")")"
check_eq "tab, CR, DEL and C1 in a name are served byte for byte" \
    "$(printf 'ctl\tx\ry\177\302\205' | hex)" "$(served_hex "$D.2.$(idx "${U}07")")"
check_eq "a newline in a name is served byte for byte" \
    "$(printf 'nl\nx' | hex)" "$(served_hex "$D.2.$(idx "${U}09")")"
i=$(idx "${U}08")
check_eq "a name with byte FF is served as valid UTF-8 (U+FFFD for the byte)" \
    "$(printf 'bad\357\277\275name' | hex)" "$(served_hex "$D.2.$i")"
# libvirt puts the byte into the domain XML as it is, which libxml2
# refuses: the domain lost its devices and the agent warned at every
# refresh.  The XML is cleaned like the name now.
check_eq "... and it keeps its devices (its XML is cleaned too): disk count" "Gauge32: 1" "$(raw_get "$D.28.$i")"
check_eq "... and its disk row" "$(printf vda | hex)" "$(served_hex "$R.4.1.2.$i.1")"
check_eq "a name renamed to hold byte 01 is served byte for byte" "$(printf 'c\001x' | hex)" \
    "$(served_hex "$D.2.$(idx "${U}0a")")"
check "the name column walks whole" eval 'vax_walk $D.2 > "$T/names.walk" && [ "$(grep -c "^$D.2\." "$T/names.walk")" = 9 ]'

# ---- domains that vanish while they are listed and walked ----
# One virsh session creates and destroys transient domains, defines,
# starts, destroys and undefines persistent ones, two rounds in flight at
# most; meanwhile the agent refreshes every second (and at every event)
# and the walks run.  Rows may come and go; a walk must never fail and a
# row must never show another domain's name, UUID or devices.
CU=5a4f6c1e-3333-4444-8555-
churn_xml() {
    local i=$1
    dom_xml "$T/churn$i.xml" "churn$i" "$CU$(printf %012d "$i")" 2 "
    <disk type='file' device='disk'><source file='/img/c$i-a.qcow2'/><target dev='vda' bus='virtio'/></disk>
    <disk type='file' device='disk'><source file='/img/c$i-b.qcow2'/><target dev='vdb' bus='virtio'/></disk>
    <interface type='ethernet'><mac address='52:54:00:cc:00:01'/><target dev='tapc$i'/></interface>"
}
for i in $(seq 1 30); do churn_xml "$i"; done
churn_feed() {
    local round i deadline=$(( $(date +%s) + 6 ))
    for round in $(seq 1 100); do
        # At most two rounds ahead of virsh.
        while [ "$round" -gt 2 ] && ! grep -qw "round $((round - 2))" "$T/churn.out" 2>/dev/null; do
            sleep 0.05
        done
        [ "$(date +%s)" -lt "$deadline" ] || break
        for i in $(seq 1 30); do
            if [ $((i % 2)) = 1 ]; then
                echo "create $T/churn$i.xml"
            else
                echo "define $T/churn$i.xml"; echo "start churn$i"
            fi
            if [ "$i" -gt 3 ]; then
                j=$((i - 3))
                echo "destroy churn$j"
                [ $((j % 2)) = 1 ] || echo "undefine churn$j"
            fi
        done
        for j in 28 29 30; do
            echo "destroy churn$j"
            [ $((j % 2)) = 1 ] || echo "undefine churn$j"
        done
        echo "echo round $round"
    done
}
churn_feed | virsh -c "$VAX_URI" > "$T/churn.out" 2>&1 &
churn_pid=$!
nwalk=0 walk_fail=0
while vax_pid_alive "$churn_pid"; do
    nwalk=$((nwalk + 1))
    for col in $D.2 $D.3 $R.4.1.2 $R.5.1.2; do
        f=$T/churn-walk.$nwalk.${col#"$R".}
        vax_walk "$col" > "$f" 2>&1 || { walk_fail=$((walk_fail + 1)); echo "# walk $col failed:"; sed 's/^/#   /' "$f"; }
    done
done
wait "$churn_pid"
rounds=$(grep -o 'round [0-9]*' "$T/churn.out" | grep -vc 'round \$')
created=$(grep -c 'created from\|started' "$T/churn.out")
check "churn: $rounds rounds, $created domains started, $nwalk rounds of walks" \
    eval '[ "$rounds" -ge 2 ] && [ "$created" -ge 60 ] && [ "$nwalk" -ge 3 ]'
check_eq "churn: every walk succeeded" 0 "$walk_fail"
increasing() {  # increasing WALK...: strictly increasing OIDs in each
    local f keys
    keys=$(for k in $(seq 1 16); do printf -- '-k%d,%dn ' "$k" "$k"; done)
    for f in "$@"; do
        grep '^\.1\.' "$f" | awk '{ print $1 }' | sed 's/^\.//' > "$T/oids"
        # shellcheck disable=SC2086
        sort -C -u -t. $keys "$T/oids" || { echo "not in order: $f"; return 1; }
    done
}
check "churn: every walk is in strictly increasing OID order" increasing "$T"/churn-walk.*
# Every row a walk showed must belong to the domain its index names in
# the index file: churnN has UUID ...N, disks vda and vdb, NIC tapcN.
cat "$T"/churn-walk.* > "$T/churn-all"
check "churn: some walks saw churn domains (the test is not vacuous)" \
    grep -q '"churn[0-9]*"' "$T/churn-all"
rows_ok() { perl -e '
    my ($index, $all, $R) = @ARGV;
    my %uuid_of;
    open my $ix, "<", $index or die "$index: $!";
    while (<$ix>) { $uuid_of{$2} = lc $1 if /^([0-9a-f-]{36}) (\d+)$/i; }
    my ($bad, $rows) = (0, 0);
    open my $w, "<", $all or die;
    while (<$w>) {
        next unless /^\Q$R\E\.(\d)\.1\.(\d+)\.(\d+)(?:\.(\d+))? = (?:STRING|Hex-STRING): "?([^"]*)"?\s*$/;
        my ($t, $col, $i, $sub, $v) = ($1, $2, $3, $4, $5);
        my $u = $uuid_of{$i} // do { print "index $i not in the index file\n"; $bad++; next };
        next unless $u =~ /^5a4f6c1e-3333-4444-8555-0*(\d+)$/;
        my $n = $1;
        $rows++;
        my $want = $t == 2 && $col == 2 ? "churn$n" : $t == 2 && $col == 3 ? $u :
                   $t == 4 ? ($sub == 1 ? "vda" : $sub == 2 ? "vdb" : "no disk $sub") :
                   $t == 5 ? ($sub == 1 ? "tapc$n" : "no nic $sub") : next;
        if ($v ne $want) { print "row $t.$col.$i", (defined $sub ? ".$sub" : ""), ": \"$v\", want \"$want\"\n"; $bad++; }
    }
    print "$rows\n";
    exit($bad || !$rows);' "$T/index" "$T/churn-all" "$R"
}
rows_ok > "$T/churn-rows"
check "churn: no row shows another domain's name, UUID or devices ($(tail -n 1 "$T/churn-rows") rows)" rows_ok
check "churn: the agent survived" vax_pid_alive "$VAX_AGENT_PID"
check "churn over: back to 9 domains" wait_until 10 eval '[ "$(ndoms)" = 9 ]'

# ===========================================================================
# 4. SNMP requests at and past the edges

raw() { perl "$RAW" "127.0.0.1:$VAX_SNMP_PORT" public "$@"; }
# The walk below is compared with one after the SETs: first let the test
# driver's default-pool and default network in. The storage thread, whose
# first connection failed (section 2), tries again after poolInterval
# (30 s by default) and only then lists them.
t0=$(date +%s%N)
check "virtPoolTable and virtNetworkTable have their rows within 40 s" \
    wait_until 40 eval 'vax_walk $R.10.1.2 | grep -q "^$R.10.1.2.[0-9]* = STRING: \"default-pool\"" &&
        vax_walk $R.11.1.2 | grep -q "^$R.11.1.2.[0-9]* = STRING: \"default\""'
vax_log "waited $(( ($(date +%s%N) - t0) / 1000000 )) ms for the pool and network rows"
vax_walk "$VAX_OID" | grep '^\.1\.' | grep -v ' = No more variables left' > "$T/w0" ||
    vax_die "walk failed"
# walk_next OID: the first OID of the walk after OID ("" past the end).
walk_next() {
    perl -e 'my @x = grep { length } split /\./, $ARGV[1];
        open my $f, "<", $ARGV[0] or die;
        while (<$f>) { my ($o) = split / /; my @o = grep { length } split /\./, $o;
            my $c = 0;
            for my $k (0 .. ($#o < $#x ? $#o : $#x)) { $c = $o[$k] <=> $x[$k]; last if $c; }
            $c ||= @o <=> @x;
            if ($c > 0) { print $o; exit } }' "$T/w0" "$1"
}
first_d=$(sed -n "s/^$D\.2\.\([0-9]*\) .*/\1/p" "$T/w0" | head -n 1)
last_d=$(sed -n "s/^$D\.2\.\([0-9]*\) .*/\1/p" "$T/w0" | tail -n 1)
X128=$D.2.$first_d && while [ "$(echo "$X128" | tr -cd . | wc -c)" -lt 128 ]; do X128=$X128.7; done
S128=$R.1.14.0 && while [ "$(echo "$S128" | tr -cd . | wc -c)" -lt 128 ]; do S128=$S128.4294967295; done

# GETNEXT from odd places: the answer is the walk's next OID, or
# endOfMibView past our subtree (snmpd.conf.example's view ends there).
for x in "$VAX_OID" "$VAX_OID.0" "$R.0" "$R.1" "$R.1.0" "$R.1.1" "$R.1.14.0" "$R.1.14.0.1" \
    "$R.1.15" "$R.1.4294967295" "$R.2" "$D" "$D.0" "$D.1" "$D.1.$last_d" "$D.2.0" \
    "$D.2.2147483648" "$D.2.4294967295" "$D.29.4294967295" "$D.30" "$D.31.1" "$D.33" "$D.39" \
    "$R.2.2" "$R.2.4294967295" "$R.3.0" "$R.3.1.2.$first_d" "$R.3.1.2.$first_d.0" \
    "$R.3.1.8" "$R.3.1.11" "$R.4.1.19" "$R.4.1.27" "$R.5.1.0" "$R.5.1.17.4294967295.4294967295" "$R.5.1.18" "$R.5.1.26" \
    "$R.6" "$R.4294967295" "$X128" "$S128"; do
    want=$(walk_next "$x")
    got=$(raw getnext "$x" | sed -n '2p')
    short=$(echo "$x" | sed 's/\(\.7\)\{4,\}/.7.../; s/\(\.4294967295\)\{4,\}/.4294967295.../')
    if [ -n "$want" ]; then
        check_eq "GETNEXT $short -> $want" "$want" "${got%% *}"
    else
        check "GETNEXT $short: past our subtree, endOfMibView" eval 'echo "$got"; case $got in *" = endOfMibView") ;; *) false ;; esac'
    fi
done

# GET of instances that cannot exist: the exact exception.
for pair in \
    "$D.2.0 noSuchInstance" "$D.2.4294967295 noSuchInstance" "$D.2.2147483648 noSuchInstance" \
    "$D.2.$first_d.1 noSuchInstance" "$D.2 noSuchInstance" "$D.0.$first_d noSuchObject" \
    "$D.1.$first_d noSuchObject" "$D.30.$first_d noSuchObject" "$D.31.$first_d noSuchObject" \
    "$D.39.$first_d noSuchObject" "$D.4294967295.$first_d noSuchObject" \
    "$R.3.1.2.$first_d noSuchInstance" "$R.3.1.2.$first_d.0 noSuchInstance" \
    "$R.3.1.2.$first_d.1.1 noSuchInstance" "$R.2.2.1.$first_d noSuchObject" \
    "$R.1.0.0 noSuchObject" "$R.1.15.0 noSuchObject" "$R.1.6.1 noSuchInstance" \
    "$R.1.6.0.0 noSuchInstance" "$R.1.6 noSuchInstance" "$X128 noSuchInstance" \
    "$S128 noSuchInstance" "$R.5.1.17.$last_d.4294967295 noSuchInstance"; do
    oid=${pair% *} want=${pair##* }
    short=$(echo "$oid" | sed 's/\(\.7\)\{4,\}/.7.../; s/\(\.4294967295\)\{4,\}/.4294967295.../')
    check_eq "GET $short: $want" "$want" "$(raw_get "$oid")"
done

# Sub-identifiers SNMP cannot carry (above 2^32-1) and OIDs longer than
# 128: snmpd's decoder refuses the message, nothing is answered, nothing
# reaches the agent (AgentX sub-ids are 32-bit).  2^64 itself is not
# tried: net-snmp's decoder wraps it to 0 and answers for .0 (its bug).
X129=$X128.7 X200=$X128
while [ "$(echo "$X200" | tr -cd . | wc -c)" -lt 200 ]; do X200=$X200.7; done
k=0 pids=()
for x in "$D.2.4294967296" "$D.2.18446744073709551615" "$D.2.$first_d.99999999999" \
    "$X129" "$X200"; do
    for pdu in get getnext; do    # in parallel: each waits 2 s for nothing
        k=$((k + 1))
        { echo "$pdu $x"; perl "$RAW" -t 2 "127.0.0.1:$VAX_SNMP_PORT" public "$pdu" "$x"; } \
            > "$T/drop.$k" 2>&1 &
        pids+=($!)
    done
done
wait "${pids[@]}"   # not a bare wait: the daemons are our children too
for f in "$T"/drop.*; do
    what=$(head -n 1 "$f" | sed 's/\(\.7\)\{4,\}/.7.../')
    n=$(head -n 1 "$f" | tr -cd . | wc -c)
    check_eq "$what ($n sub-ids): dropped by snmpd, no value" TIMEOUT "$(sed -n 2p "$f")"
done
check "after all that, the agent serves" eval 'vax_get $R.1.5.0 | grep -q STRING'

# GETBULK (RFC 3416 4.2.3): N non-repeaters, R repeaters, M repetitions.
# bulk_is DESC NONREP MAXREP OID... -- EXPECTED_OID...: the answer's OIDs.
bulk_is() {
    local desc=$1 nr=$2 mr=$3 got want
    shift 3
    local -a vars=()
    while [ "$1" != -- ]; do vars+=("$1"); shift; done
    shift
    got=$(raw "getbulk:$nr:$mr" "${vars[@]}" | sed -n '2,$p' | awk '{ print $1 }' | tr '\n' ' ')
    got=${got% }
    want="$*"
    check_eq "$desc" "$want" "$got"
}
n1=$(walk_next "$R") n2=$(walk_next "$n1")
d1=$(walk_next "$D") d2=$(walk_next "$d1")
bulk_is "GETBULK max-repetitions 0: no variable" 0 0 "$R" "$D" --
bulk_is "GETBULK 1 non-repeater, max-repetitions 0: the non-repeater only" 1 0 "$R" "$D" -- "$n1"
bulk_is "GETBULK non-repeaters 5 > 2 variables: both are non-repeaters" 5 3 "$R" "$D" -- "$n1" "$d1"
bulk_is "GETBULK non-repeaters -1: taken as 0" -1 2 "$R" "$D" -- "$n1" "$d1" "$n2" "$d2"
bulk_is "GETBULK max-repetitions -5: taken as 0" 0 -5 "$R" "$D" --
for mr in 10000 2147483647; do
    raw "getbulk:0:$mr" "$R" | sed -n '2,$p' | awk '{ print $1 }' > "$T/bulk"
    k=$(wc -l < "$T/bulk")
    check "GETBULK max-repetitions $mr: $k variables (snmpd caps), the walk's first $k" \
        eval '[ "$k" -ge 10 ] && diff "$T/bulk" <(head -n "$k" "$T/w0" | awk "{ print \$1 }")'
done
raw getbulk:0:10000 "$R" "$D" "$R.3" "$R.4" | sed -n '2,5p' | awk '{ print $1 }' > "$T/bulk4"
check "GETBULK of 4 repeaters, max-repetitions 10000: the first row is each one's GETNEXT" \
    eval 'diff "$T/bulk4" <(for o in "$R" "$D" "$R.3" "$R.4"; do walk_next "$o"; echo; done)'

# ---- SET of every column and scalar: notWritable, nothing changes ----
# RFC 3416 4.2.5 step 2: when no variable sharing the name's prefix can
# ever be created or modified (VIRT-AGENTX-MIB is read-only), the answer
# is notWritable -- before any type check, and for instances that do not
# exist too.  snmpset has no Counter64 type: rawsnmp.pl sends those.
norm() {  # the walk without the values that move by themselves
    awk '$3 ~ /^(Counter64|Gauge32|Timeticks):$/ { print $1, $3; next } { print }' "$1"
}
norm "$T/w0" > "$T/before"
# Every object of VIRT-AGENTX-MIB's scalars and table entries (read-only,
# accessible-for-notify, and the not-accessible indexes), from the MIB
# file, with a SET type from its SYNTAX; at the first instance the walk
# has of it, or one made up (the first domain, its first device).
perl -e '
    my ($mib, $walk, $R, $dom) = @ARGV;
    my %base = (virtScalars => "$R.1", virtHost => "$R.9", virtDomainEntry => "$R.2.1",
        virtVcpuEntry => "$R.3.1", virtDiskEntry => "$R.4.1", virtInterfaceEntry => "$R.5.1",
        virtPoolEntry => "$R.10.1", virtNetworkEntry => "$R.11.1");
    my @walk = do { open my $w, "<", $walk or die; map { (split / /)[0] } <$w> };
    local $/; open my $m, "<", $mib or die; my $text = <$m>;
    while ($text =~ /^(\w+) OBJECT-TYPE\s+SYNTAX\s+([\w-]+).*?MAX-ACCESS\s+([\w-]+).*?::= \{ (\w+) (\d+) \}/msg) {
        my ($name, $syntax, $access, $parent, $n) = ($1, $2, $3, $4, $5);
        next unless $base{$parent};
        my $col = "$base{$parent}.$n";
        my $inst = $parent =~ /^virt(Scalars|Host)$/ ? "$col.0" :
            ((grep { index($_, "$col.") == 0 } @walk)[0] //
             ($parent eq "virtDomainEntry" ? "$col.$dom" :
              $parent =~ /^virt(Pool|Network)Entry$/ ? "$col.1" : "$col.$dom.1"));
        my $t = $syntax =~ /^(Counter64|VirtGauge64)$/ ? "C" : $syntax eq "Gauge32" ? "u" :
            $syntax eq "MacAddress" ? "x" :
            $syntax =~ /^(DisplayString|VirtUtf8String|VirtUuidString|OCTET)$/ ? "s" : "i";
        print "$inst $t $name $access\n";
    }' "$VAX_TOP_SRCDIR/mibs/VIRT-AGENTX-MIB.txt" "$T/w0" "$R" "$first_d" > "$T/columns"
nobj=$(wc -l < "$T/columns")
nwalked=$(awk '{ print $1 }' "$T/columns" | grep -cxFf <(awk '{ print $1 }' "$T/w0"))
check_eq "SET: every object of the MIB's scalars and tables ($nwalked at an instance the walk has)" \
    162 "$nobj"
set_refused() {  # set_refused OID SNMPSET_TYPE VALUE
    local res
    if [ "$2" = C ]; then
        res=$(perl "$RAW" "127.0.0.1:$VAX_SNMP_PORT" private set "$1=C:$3")
        echo "$res"
        [ "$(echo "$res" | head -n 1)" = "status=17 index=1" ]   # notWritable(17)
    else
        res=$(vax_set "$1" "$2" "$3" 2>&1)
        echo "$res"
        echo "$res" | grep -q '^Reason: notWritable' && echo "$res" | grep -qx "Failed object: $1"
    fi
}
while read -r oid t name access; do
    case $t in
        i) v=2 ;; u) v=7 ;; C) v=12345 ;; x) v=DEADBEEF0001 ;; *) v=hacked ;;
    esac
    check "SET $name ($access) at $oid, type $t: notWritable" set_refused "$oid" "$t" "$v"
done < "$T/columns"
for x in "$D.2.999999 s" "$D.2.$first_d.1 s" "$D.99.$first_d s" "$R.1.99.0 i" \
    "$R.3.1.2.$first_d.9999 i" "$R.9.9 i" "$R.1.6.0 s" "$D.14.$first_d s"; do
    check "SET of ${x% *} (no such instance or object, or a wrong type): notWritable" \
        set_refused "${x% *}" "${x##* }" 1
done
check "SET with the read-only community: noAccess (snmpd's VACM, before the agent)" \
    eval 'res=$(snmpset -v2c -c public -On -r 1 -t 5 127.0.0.1:$VAX_SNMP_PORT $R.1.8.0 i 60 2>&1);
          echo "$res"; echo "$res" | grep -q "^Reason: noAccess"'
vax_walk "$VAX_OID" | grep '^\.1\.' | grep -v ' = No more variables left' > "$T/w1"
norm "$T/w1" > "$T/after"
check "after every SET the walk is the walk before (OIDs, types, every text and INTEGER)" \
    diff "$T/before" "$T/after"

check_eq "no 'does not parse' warning in the log (was one per refresh for the FF name)" \
    0 "$(grep -ac 'does not parse' "$T/agent.log")"
check "the log is valid UTF-8, names included" iconv -f UTF-8 -t UTF-8 -o /dev/null "$T/agent.log"
check "the agent stops cleanly (exit 0): no crash, no sanitizer report" vax_stop_agent
vax_done
