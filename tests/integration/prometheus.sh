#!/usr/bin/env bash
# Prometheus integration (contrib/prometheus) against the real Debian 12
# snmp_exporter 0.21 and its generator:
#   1. the generator, run now on generator.yml, the base MIBs and our MIB,
#      gives exactly the committed snmp.yml (so it cannot rot);
#   2. the example rules pass promtool (check + unit tests), the README's
#      scrape configs pass promtool check config, and the rules and the
#      Grafana dashboard use only metric names snmp.yml defines;
#   3. prometheus-snmp-exporter with the committed snmp.yml scrapes a real
#      snmpd + agent (test driver, demo domains): every numeric value of
#      every column equals snmpwalk's, every text column equals the walk's
#      text, every row carries its domain's name (the non-ASCII one too),
#      counters are TYPE counter, and the scrape reports no error;
#      the same for the hand-written module vm_mib (VM-MIB, RFC 7666:
#      snmp-vm-mib.yml, appended to snmp.yml by regenerate.sh), with
#      vmName on every per-VM sample, and one metric per walked column;
#   4. a real Prometheus with the README's config scrapes both modules
#      and loads the rules.
# snmp_exporter 0.21 wraps Counter64 values modulo 2^53 by default
# (--snmp.wrap-large-counters; the test driver's counters are above 2^53):
# a Counter64 is compared with the walk's value modulo 2^53, exactly.
# The agent's cacheTimeout is an hour, so the walk and the scrape see the
# same snapshot (checked: two walks around the scrape agree).
set -u
. "$(dirname "$0")/../lib.sh"

R=.1.3.6.1.4.1.32473.1
P=$VAX_TOP_SRCDIR/contrib/prometheus
SNMP_YML=$P/snmp.yml

for t in prometheus-snmp-exporter:prometheus-snmp-exporter \
         prometheus-snmp-generator:prometheus-snmp-exporter curl:curl jq:jq; do
    command -v "${t%%:*}" >/dev/null ||
        vax_skip "${t%%:*} not installed (Debian package ${t#*:})"
done
vax_setup

# ---- 1. the generator reproduces the committed snmp.yml ----
basemibs=$VAX_TOP_BUILDDIR/tests/base-mibs
if bash "$VAX_TESTS_SRCDIR/get-base-mibs.sh" "$basemibs" > "$VAX_TMP/get-base-mibs.out" 2>&1; then
    check "generator runs on generator.yml + base MIBs + VIRT-AGENTX-MIB" \
        env BASE_MIBS="$basemibs" bash "$P/regenerate.sh" "$VAX_TMP/snmp.yml"
    check "committed snmp.yml equals the generator's output (else run contrib/prometheus/regenerate.sh)" \
        diff -u "$SNMP_YML" "$VAX_TMP/snmp.yml"
else
    vax_log "SKIP generator check: no base MIBs: $(tail -n 1 "$VAX_TMP/get-base-mibs.out")"
fi
check "snmp_exporter accepts snmp.yml (--dry-run)" \
    prometheus-snmp-exporter --dry-run --config.file="$SNMP_YML"
# The hand-written vm_mib module: a config on its own, and snmp.yml ends
# with it verbatim (checked without the generator too).
check "snmp_exporter accepts snmp-vm-mib.yml alone (--dry-run)" \
    prometheus-snmp-exporter --dry-run --config.file="$P/snmp-vm-mib.yml"
# shellcheck disable=SC2016
check "snmp.yml ends with snmp-vm-mib.yml (else run contrib/prometheus/regenerate.sh)" \
    eval 'tail -n "$(wc -l < "$P/snmp-vm-mib.yml")" "$SNMP_YML" | cmp -s - "$P/snmp-vm-mib.yml"'

# The metrics snmp.yml defines, as "name oid type", and its label names.
awk '$1 == "-" && $2 == "name:" { n = $3 }
     $1 == "oid:" && n != "" { o = $2 }
     $1 == "type:" && n != "" { print n, o, $2; n = "" }' "$SNMP_YML" > "$VAX_TMP/metrics"
awk '$1 == "labelname:" || ($1 == "-" && $2 == "labelname:") { print $NF }' "$SNMP_YML" |
    sort -u > "$VAX_TMP/labels"
printf '%s\n' instance job >> "$VAX_TMP/labels"
require "snmp.yml defines metrics (found $(wc -l < "$VAX_TMP/metrics"))" \
    test "$(wc -l < "$VAX_TMP/metrics")" -ge 50

# names_ok FILE: FILE holds PromQL (and YAML/JSON around it).  Every
# virt... or vm... name that is a series name (not in a {...} matcher, an on/by
# list, a {{template}} or $labels.X) must be a metric of snmp.yml; every
# virt... name in a matcher or on/by list must be a label of snmp.yml.
names_ok() {
    local bad=0 n
    sed -E 's/\{\{[^}]*\}\}//g; s/\$labels\.[A-Za-z_]+//g' "$1" > "$VAX_TMP/names.in"
    # label names: left of =, =~, !=, !~ in matchers; inside on/by lists;
    # the second argument of Grafana's label_values(SELECTOR, LABEL)
    { grep -oE '[A-Za-z_][A-Za-z0-9_]* *(=~|!=|!~|=[^=~])' "$VAX_TMP/names.in" | grep -oE '^[A-Za-z0-9_]+'
      grep -oE 'label_values\([^)]*\)' "$VAX_TMP/names.in" | sed -E 's/.*, *([A-Za-z0-9_]+)\)$/\1/'
      grep -oE '(on|by|without|ignoring|group_left|group_right) *\([^)]*\)' "$VAX_TMP/names.in" |
          sed -E 's/^[a-z_]+ *\(//; s/\)$//; s/[, ]+/\n/g'
    } | grep -E '^(virt|vm[A-Z])' | sort -u > "$VAX_TMP/names.labels"
    while read -r n; do
        grep -qxF "$n" "$VAX_TMP/labels" || { echo "unknown label $n"; bad=1; }
    done < "$VAX_TMP/names.labels"
    sed -E 's/\{[^}]*\}//g; s/(on|by|without|ignoring|group_left|group_right) *\([^)]*\)//g
            s/label_values\(([^,)]*),[^)]*\)/\1/g' \
        "$VAX_TMP/names.in" | grep -oE '\b(virt|vm[A-Z])[A-Za-z0-9_]*' | sort -u > "$VAX_TMP/names.metrics"
    while read -r n; do
        awk -v n="$n" '$1 == n { f = 1 } END { exit !f }' "$VAX_TMP/metrics" ||
            { echo "unknown metric $n"; bad=1; }
    done < "$VAX_TMP/names.metrics"
    echo "metrics: $(tr '\n' ' ' < "$VAX_TMP/names.metrics")"
    [ -s "$VAX_TMP/names.metrics" ] && [ "$bad" -eq 0 ]
}

# ---- 2. rules, README scrape configs, dashboard ----
# Rules: only expr lines and the block lines under them, not the
# annotations' prose.
awk '/^ *expr:/ { e = 1; ind = index($0, "expr:"); print; next }
     e && (match($0, /^ */) && RLENGTH > ind - 1 || /^ *$/) { print; next }
     { e = 0 }' "$P/virt-agentx.rules.yml" > "$VAX_TMP/rules.promql"
check "rules use only snmp.yml's metric and label names" names_ok "$VAX_TMP/rules.promql"
jq -r '.. | objects | (.expr?, .query?.query?, .definition?) | strings' \
    "$P/grafana-dashboard.json" > "$VAX_TMP/dash.promql"
check "dashboard is JSON and uses only snmp.yml's metric and label names" names_ok "$VAX_TMP/dash.promql"
check "dashboard is templated by instance and domain" \
    jq -e '[.templating.list[].name] | index("instance") and index("domain")' "$P/grafana-dashboard.json"
check "every dashboard query filters on \$instance" \
    jq -e '[.panels[].targets[]?.expr | select(test("virt") and (test("\\$instance") | not))] | length == 0' \
    "$P/grafana-dashboard.json"
if command -v promtool >/dev/null; then
    check "promtool check rules" promtool check rules "$P/virt-agentx.rules.yml"
    check "promtool test rules (virt-agentx.rules.test.yml)" \
        sh -c 'cd "$1" && promtool test rules virt-agentx.rules.test.yml' sh "$P"
    # The README's prometheus.yml examples (```yaml blocks with scrape_configs).
    awk -v d="$VAX_TMP" '/^```yaml/ { n++; f = d "/readme-" n ".yml"; on = 1; next }
         /^```/ { on = 0 } on { print > f }' "$P/README.md"
    for f in "$VAX_TMP"/readme-*.yml; do
        if [ ! -f "$f" ] || ! grep -q scrape_configs "$f"; then continue; fi
        sed -i "s|virt-agentx.rules.yml|$P/virt-agentx.rules.yml|" "$f"
        check "README's $(head -n 1 "$f" | sed 's/^# *//') passes promtool check config" \
            promtool check config "$f"
    done
else
    vax_log "promtool not installed (Debian package prometheus): rules checked by name only"
fi

# ---- 3. the exporter against a real snmpd and agent ----
vax_start_libvirtd
vax_load_demo_domains || vax_die "cannot load the demo domains"
vax_start_snmpd
printf 'indexFile %s\ncacheTimeout 3600\n' "$VAX_TMP/index" > "$VAX_TMP/agent.conf"
vax_start_agent
domcount() { vax_get $R.1.7.0 | grep -q 'Gauge32: 4$'; }
require "agent serves the four demo domains" wait_until 20 domcount

vax_start_tcp snmp_exporter 15 "$VAX_TMP/exporter.log" \
    prometheus-snmp-exporter --config.file="$SNMP_YML" --web.listen-address=127.0.0.1:@PORT@
EXPORTER_PORT=$VAX_TCP_PORT EXPORTER_PID=$VAX_TCP_PID
vax_log "snmp_exporter pid $EXPORTER_PID on 127.0.0.1:$EXPORTER_PORT: $(prometheus-snmp-exporter --version 2>&1 | head -n 1)"

# walk, scrape, walk again with octet strings in hex (-Ox: text columns
# decode the same way whatever their bytes).
nomore() { grep -v ' = No more variables left in this MIB View'; }
vax_walk $R | nomore > "$VAX_TMP/walk"
URL="http://127.0.0.1:$EXPORTER_PORT/snmp?target=127.0.0.1:$VAX_SNMP_PORT&module=virt_agentx"
t0=$(date +%s%N)
code=$(curl -sS -o "$VAX_TMP/scrape" -w '%{http_code}' "$URL" 2> "$VAX_TMP/curl.err")
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
vax_walk -Ox $R | nomore > "$VAX_TMP/walkx.raw"
require "scrape of module virt_agentx answers HTTP 200 (got $code, ${ms} ms)" test "$code" = 200
# net-snmp breaks hex strings into lines of 16 bytes: one line per varbind.
joinlines() {
    awk '/^\./ { if (l != "") print l; l = $0; next } { l = l " " $0 }
         END { if (l != "") print l }' "$1" | sed 's/ *$//'
}
joinlines "$VAX_TMP/walkx.raw" > "$VAX_TMP/walkx"
# mod53 N: N (decimal, up to 20 digits) modulo 2^53, exactly.
mod53() {
    local v=$1 r=0 i
    for (( i = 0; i < ${#v}; i++ )); do r=$(( (r * 10 + ${v:i:1}) % 9007199254740992 )); done
    echo "$r"
}
# wrap53 < WALK: the walk as snmp_exporter should report it: Counter64
# modulo 2^53.
wrap53() {
    local line
    while IFS= read -r line; do
        case $line in
            *' = Counter64: '*) echo "${line% = Counter64: *} = Counter64: $(mod53 "${line##* }")" ;;
            *) printf '%s\n' "$line" ;;
        esac
    done
}
wrap53 < "$VAX_TMP/walkx" > "$VAX_TMP/walkx53"
# The snapshot did not change between the walks.  The ages (virtCacheAge,
# virtDomainStatsAge and UsageAge, virtGuestDataAge, virtGuestAddressAge,
# virtPoolSpaceAge) are computed per request: left out here and below.
AGES="^$R\.1\.9\.0 |^$R\.2\.1\.3[28]\.|^$R\.6\.1\.[29]\.|^$R\.10\.1\.14\."
numeric() { joinlines "$1" | grep -v -E -e "$AGES" -e ' = (STRING|Hex-STRING): '; }
check "walks before and after the scrape agree (one snapshot)" \
    diff <(numeric "$VAX_TMP/walk") <(numeric "$VAX_TMP/walkx")

# scrape_health PREFIX SCRAPE WALK: no scrape error, no exporter warning,
# and one PDU per varbind the walk got.
scrape_health() {
    local pdus
    check "${1}no snmp_error in the scrape" eval "! grep -q snmp_error '$2'"
    check "exporter logged no warning or error" \
        eval '! grep -E "level=(warn|error)" "$VAX_TMP/exporter.log"'
    pdus=$(awk '$1 == "snmp_scrape_pdus_returned" { print $2 }' "$2")
    check "${1}snmp_scrape_pdus_returned ($pdus) = varbinds snmpwalk got ($(wc -l < "$3"))" \
        test "${pdus:-x}" = "$(wc -l < "$3")"
}
scrape_health "" "$VAX_TMP/scrape" "$VAX_TMP/walk"
check "snmp_scrape_packets_retried is 0" \
    grep -qx 'snmp_scrape_packets_retried 0' "$VAX_TMP/scrape"

# Domain names: the set in the labels is virsh's set.
vax_virsh list --all --name | sed '/^$/d' | LC_ALL=C sort > "$VAX_TMP/virsh.names"
sed -n 's/^virtDomainState{.*virtDomainName="\([^"]*\)".*/\1/p' "$VAX_TMP/scrape" |
    LC_ALL=C sort > "$VAX_TMP/scrape.names"
check "virtDomainName labels = virsh list --all ($(tr '\n' ' ' < "$VAX_TMP/virsh.names"))" \
    diff "$VAX_TMP/virsh.names" "$VAX_TMP/scrape.names"
check "the non-ASCII name comes out as UTF-8 text: virtDomainName=\"数据库-ü\"" \
    grep -qF 'virtDomainName="数据库-ü"' "$VAX_TMP/scrape"

# walkval OID: the walk's value (type prefix and quotes removed).
walkval() {
    awk -v o="$1" 'index($0, o " = ") == 1 { v = substr($0, length(o) + 4)
        sub(/^[A-Za-z0-9-]+: /, "", v); gsub(/"/, "", v); print v; exit }' "$VAX_TMP/walk"
}
# sample NAME IDX: the value of NAME's sample for domain index IDX ("" if none).
sample() {
    awk -v n="$1" -v i="virtDomainIndex=\"$2\"" 'index($0, n "{") == 1 && index($0, i) {
        print $NF; exit }' "$VAX_TMP/scrape"
}
# same A B: equal as numbers (the exporter prints floats: 8.97e+13).
same() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a != "" && b != "" && a + 0 == b + 0) }'; }
# The wrap: a counter above 2^53 comes out modulo 2^53.
big=$(awk -v p="$R.2.1.14." 'index($0, p) == 1 && $NF > 9007199254740992 { i = $1; sub(/.*\./, "", i); print i, $NF; exit }' "$VAX_TMP/walk")
if [ -n "$big" ]; then
    s=$(sample virtDomainCpuTime "${big%% *}")
    s=$(awk -v s="$s" 'BEGIN { printf "%.0f", s }')
    check "Counter64 above 2^53 wraps: virtDomainCpuTime walk ${big#* } -> scrape $s = walk mod 2^53" \
        test "$s" = "$(mod53 "${big#* }")"
fi
# Three columns by hand, per domain: state, memory, a counter.
# shellcheck disable=SC2013 # domain indexes: one integer a line
for idx in $(sed -n "s/^$R\.2\.1\.2\.\([0-9]*\) = .*/\1/p" "$VAX_TMP/walk"); do
    name=$(sed -n "s/^virtDomainState{virtDomainIndex=\"$idx\",virtDomainName=\"\([^\"]*\)\"}.*/\1/p" "$VAX_TMP/scrape")
    for col in 4:virtDomainState 12:virtDomainMemoryMax 14:virtDomainCpuTime; do
        w=$(walkval "$R.2.1.${col%%:*}.$idx") s=$(sample "${col#*:}" "$idx")
        [ "${col#*:}" != virtDomainCpuTime ] || [ -z "$w" ] || w=$(mod53 "$w")
        if [ -z "$w" ]; then
            check "$name: ${col#*:} absent in walk and scrape" test -z "$s"
        else
            check "$name: ${col#*:} scrape $s = walk $w" same "$s" "$w"
        fi
    done
done

# compare WALKX SCRAPE AGES DOMLABEL NAMELABEL NAMEOID "SUBLABELS" MIN:
# every sample of SCRAPE against WALKX (the -Ox walk, Counter64 mod 2^53),
# and every walked instance of a metric column against the samples (awk,
# bytes: LC_ALL=C).  A row's instance is DOMLABEL's value, then that of
# each of SUBLABELS it has, in that order (virtGuestAddressTable has two);
# NAMELABEL must be the walk's NAMEOID.DOM;
# AGES: OIDs (regex) whose values change per request, compared for
# presence only.  The metrics are those of $METRICS (default: all of
# snmp.yml's).  Prints MISMATCH lines and a summary.
compare() {
# shellcheck disable=SC2016
LC_ALL=C awk -v R="${R#.}" -v AGES="$3" -v DOM="$4" -v DNAME="$5" -v DOID="${6#.}" \
    -v SUBS="$7" -v MIN="$8" '
function unhex(s,   out, i, n) {   # "77 65 62" -> bytes
    out = ""; n = split(s, hx, " ")
    for (i = 1; i <= n; i++) out = out sprintf("%c", H[toupper(substr(hx[i], 1, 1))] * 16 + H[toupper(substr(hx[i], 2, 1))])
    return out
}
function bad(msg) { print "MISMATCH " msg; nbad++ }
BEGIN { for (i = 0; i < 16; i++) H[substr("0123456789ABCDEF", i + 1, 1)] = i; nsub = split(SUBS, SUB, " ") }
FILENAME == ARGV[1] { mtype[$1] = $3; moid[$1] = $2; colname[$2] = $1; next }
FILENAME == ARGV[2] {                     # the -Ox walk
    p = index($0, " = "); oid = substr($0, 2, p - 2); v = substr($0, p + 3)
    t = v; sub(/: .*/, "", t); sub(/^[A-Za-z0-9-]+: /, "", v)
    if (t == "Hex-STRING") { hexv[oid] = v; v = unhex(v) }
    else if (v ~ /^"/) v = substr(v, 2, length(v) - 2)
    w[oid] = v; next
}
/^#/ { next }                             # the scrape
{
    name = $0; sub(/[{ ].*/, "", name)
    if (!(name in moid)) next
    val = $NF; delete L; s = ""
    if (index($0, "{")) { s = substr($0, index($0, "{") + 1); s = substr(s, 1, length(s) - length(val) - 2) }
    while (s != "") {
        match(s, /^[A-Za-z_][A-Za-z0-9_]*="/); k = substr(s, 1, RLENGTH - 2); s = substr(s, RLENGTH + 1); lv = ""
        while (s != "") {
            c = substr(s, 1, 1)
            if (c == "\\") { c = substr(s, 2, 1); lv = lv (c == "n" ? "\n" : c); s = substr(s, 3) }
            else if (c == "\"") { s = substr(s, 2); break }
            else { lv = lv c; s = substr(s, 2) }
        }
        L[k] = lv; if (substr(s, 1, 1) == ",") s = substr(s, 2)
    }
    sub_ = ""; for (i = 1; i <= nsub; i++) if (SUB[i] in L) sub_ = sub_ (sub_ != "" ? "." : "") L[SUB[i]]
    inst = (DOM in L) ? L[DOM] (sub_ != "" ? "." sub_ : "") : "0"
    oid = moid[name] "." inst
    if (oid in seen) bad("two samples for " oid)
    seen[oid] = 1; n++
    if (!(oid in w)) { bad(name " " inst ": sample but no such instance in the walk"); next }
    if (oid ~ AGES) next
    t = mtype[name]
    if (t == "gauge" || t == "counter") { if (val + 0 != w[oid] + 0) bad(name " " inst ": scrape " val " walk " w[oid]) }
    else if (t == "DisplayString") { if (L[name] != w[oid] || val != 1) bad(name " " inst ": label \"" L[name] "\" walk \"" w[oid] "\"") }
    else if (t == "PhysAddress48") { m = hexv[oid]; gsub(/ +/, ":", m); if (toupper(L[name]) != toupper(m)) bad(name " " inst ": " L[name] " walk " m) }
    else if (t == "OctetString") { m = hexv[oid]; gsub(/ +/, "", m); if (L[name] != "0x" toupper(m) || val != 1) bad(name " " inst ": " L[name] " walk " m) }
    else bad(name ": unexpected type " t)
    # the lookups: names of the domain and of the device
    if (DOM in L) {
        d = w[DOID "." L[DOM]]
        if (!(DNAME in L) || L[DNAME] != d) bad(name " " inst ": " DNAME " \"" L[DNAME] "\" walk \"" d "\"")
        ndom++
    }
    if ("virtVcpuIndex" in L && L["virtVcpuNumber"] != w[R ".3.1.2." inst]) bad(name " " inst ": virtVcpuNumber " L["virtVcpuNumber"])
    if ("virtDiskIndex" in L && L["virtDiskName"] != w[R ".4.1.2." inst]) bad(name " " inst ": virtDiskName " L["virtDiskName"])
    if ("virtInterfaceIndex" in L && L["virtInterfaceName"] != w[R ".5.1.2." inst]) bad(name " " inst ": virtInterfaceName " L["virtInterfaceName"])
    if ("virtGuestFsIndex" in L && L["virtGuestFsMountPoint"] != w[R ".8.1.2." inst]) bad(name " " inst ": virtGuestFsMountPoint " L["virtGuestFsMountPoint"])
    if ("virtGuestAddressNumber" in L) {  # the address (hex), its names
        m = hexv[R ".7.1.5." inst]; gsub(/ +/, "", m)
        if (L["virtGuestAddress"] != "0x" toupper(m)) bad(name " " inst ": virtGuestAddress " L["virtGuestAddress"] " walk " m)
        if (L["virtGuestAddressIfName"] != w[R ".7.1.8." inst]) bad(name " " inst ": virtGuestAddressIfName " L["virtGuestAddressIfName"])
        if (L["virtInterfaceName"] != w[R ".5.1.2." L[DOM] "." L["virtGuestAddressIfRow"]]) bad(name " " inst ": virtInterfaceName " L["virtInterfaceName"])
        naddr++
    }
}
END {
    for (oid in w) {                      # every walked instance of a metric column was scraped
        c = oid; sub(/\.[0-9]+$/, "", c); c2 = c; sub(/\.[0-9]+$/, "", c2); c3 = c2; sub(/\.[0-9]+$/, "", c3)
        if (((c in colname) || (c2 in colname) || (c3 in colname)) && !(oid in seen)) bad(oid ": in the walk, not in the scrape")
    }
    if (n < MIN) bad("only " n " samples compared")
    printf "%d samples compared with the walk, %d with a %s label, %d guest address rows, %d mismatches\n", n, ndom, DNAME, naddr, nbad
}' "${METRICS:-$VAX_TMP/metrics}" "$1" "$2"
}
# The domain tables and the scalars; the pool and network tables have
# their own index and name labels: compared on their own below.
grep -v -E '^virt(Pool|Network)' "$VAX_TMP/metrics" > "$VAX_TMP/metrics.dom"
grep -E '^virtPool' "$VAX_TMP/metrics" > "$VAX_TMP/metrics.pool"
grep -E '^virtNetwork' "$VAX_TMP/metrics" > "$VAX_TMP/metrics.net"
METRICS=$VAX_TMP/metrics.dom compare "$VAX_TMP/walkx53" "$VAX_TMP/scrape" "^${R#.}[.]1[.]9[.]0$|^${R#.}[.]2[.]1[.]32[.]|^${R#.}[.]6[.]1[.][29][.]" \
    virtDomainIndex virtDomainName "$R.2.1.2" \
    "virtVcpuIndex virtDiskIndex virtInterfaceIndex virtGuestFsIndex virtGuestAddressIfRow virtGuestAddressNumber" 100 \
    > "$VAX_TMP/compare.out"
check "every scraped value, text label and lookup label equals snmpwalk's: $(tail -n 1 "$VAX_TMP/compare.out")" \
    eval '! grep MISMATCH "$VAX_TMP/compare.out"'

# ---- 3a. storage pools and libvirt networks ----
check "snmp.yml has the pool and network columns ($(wc -l < "$VAX_TMP/metrics.pool") and $(wc -l < "$VAX_TMP/metrics.net"))" \
    test "$(wc -l < "$VAX_TMP/metrics.pool")" -ge 10 -a "$(wc -l < "$VAX_TMP/metrics.net")" -ge 5
METRICS=$VAX_TMP/metrics.pool compare "$VAX_TMP/walkx53" "$VAX_TMP/scrape" "^${R#.}[.]10[.]1[.]14[.]" \
    virtPoolIndex virtPoolName "$R.10.1.2" "" 12 > "$VAX_TMP/compare-pool.out"
check "pools: every scraped value and label equals snmpwalk's, virtPoolName on each: $(tail -n 1 "$VAX_TMP/compare-pool.out")" \
    eval '! grep MISMATCH "$VAX_TMP/compare-pool.out"'
METRICS=$VAX_TMP/metrics.net compare "$VAX_TMP/walkx53" "$VAX_TMP/scrape" "^$" \
    virtNetworkIndex virtNetworkName "$R.11.1.2" "" 6 > "$VAX_TMP/compare-net.out"
check "networks: every scraped value and label equals snmpwalk's, virtNetworkName on each: $(tail -n 1 "$VAX_TMP/compare-net.out")" \
    eval '! grep MISMATCH "$VAX_TMP/compare-net.out"'
vax_virsh pool-list --all --name | sed 's/ *$//; /^$/d' | LC_ALL=C sort > "$VAX_TMP/virsh.pools"
sed -n 's/^virtPoolState{.*virtPoolName="\([^"]*\)".*/\1/p' "$VAX_TMP/scrape" | LC_ALL=C sort > "$VAX_TMP/scrape.pools"
check "virtPoolName labels = virsh pool-list --all ($(tr '\n' ' ' < "$VAX_TMP/virsh.pools"))" \
    diff "$VAX_TMP/virsh.pools" "$VAX_TMP/scrape.pools"
vax_virsh net-list --all --name | sed 's/ *$//; /^$/d' | LC_ALL=C sort > "$VAX_TMP/virsh.nets"
sed -n 's/^virtNetworkActive{.*virtNetworkName="\([^"]*\)".*/\1/p' "$VAX_TMP/scrape" | LC_ALL=C sort > "$VAX_TMP/scrape.nets"
check "virtNetworkName labels = virsh net-list --all ($(tr '\n' ' ' < "$VAX_TMP/virsh.nets"))" \
    diff "$VAX_TMP/virsh.nets" "$VAX_TMP/scrape.nets"
# pmetric NAME LABEL VALUE: the value of NAME's sample whose LABEL is VALUE.
pmetric() {
    awk -v n="$1" -v l="$2=\"$3\"" 'index($0, n "{") == 1 && index($0, l) { print $NF; exit }' "$VAX_TMP/scrape"
}
for col in Capacity Allocation Available; do
    want=$(vax_virsh pool-info --bytes default-pool | sed -n "s/^$col: *\([0-9]*\).*/\1/p")
    check "virtPool$col{virtPoolName=\"default-pool\"} = virsh pool-info --bytes ($want)" \
        same "$(pmetric "virtPool$col" virtPoolName default-pool)" "$want"
    check "virtPool$col is TYPE gauge (a VirtGauge64)" grep -qx "# TYPE virtPool$col gauge" "$VAX_TMP/scrape"
done
check "virtPoolUsed of default-pool is 0 (nothing allocated)" same "$(pmetric virtPoolUsed virtPoolName default-pool)" 0
check "virtPoolState of default-pool is running(3)" same "$(pmetric virtPoolState virtPoolName default-pool)" 3
check "virtPoolType: an info metric, type dir" grep -q '^virtPoolType{.*virtPoolName="default-pool".*virtPoolType="dir"} 1$' "$VAX_TMP/scrape"
bridge=$(vax_virsh net-info default | awk '$1 == "Bridge:" { print $2 }')
check "virtNetworkBridge of network default: virsh net-info's ($bridge)" \
    grep -q "^virtNetworkBridge{.*virtNetworkBridge=\"$bridge\".*virtNetworkName=\"default\"} 1$" "$VAX_TMP/scrape"
check "virtNetworkActive of network default is true(1), as virsh net-info" \
    eval '[ "$(vax_virsh net-info default | awk "\$1 == \"Active:\" { print \$2 }")" = yes ] && same "$(pmetric virtNetworkActive virtNetworkName default)" 1'

# TYPE lines: snmp.yml counter -> counter, everything else -> gauge.
# types SCRAPE MIN: "TYPE ..." lines for a wrong TYPE or fewer than MIN.
types() {
    awk -v min="$2" 'FILENAME == ARGV[1] { t[$1] = ($3 == "counter") ? "counter" : "gauge"; next }
         $1 == "#" && $2 == "TYPE" && ($3 in t) { n++; if ($4 != t[$3]) { print "TYPE", $3, $4, "want", t[$3]; bad++ } }
         END { if (n < min) print "TYPE lines: only", n; print n, "TYPE lines" }' \
        "$VAX_TMP/metrics" "$1"
}
types "$VAX_TMP/scrape" 40 > "$VAX_TMP/types.out"
check "every metric's TYPE matches snmp.yml ($(tail -n 1 "$VAX_TMP/types.out"))" \
    eval '! grep -q "^TYPE" "$VAX_TMP/types.out"'
for m in virtDomainCpuTime virtVcpuTime virtDiskReadBytes virtInterfaceRxBytes virtRefreshCount; do
    check "$m is TYPE counter and has samples" \
        eval 'grep -qx "# TYPE $m counter" "$VAX_TMP/scrape" && grep -q "^$m[{ ]" "$VAX_TMP/scrape"'
done
check "VirtGauge64 virtDomainMemoryMax is TYPE gauge, not counter" \
    grep -qx '# TYPE virtDomainMemoryMax gauge' "$VAX_TMP/scrape"

# ---- 3b. module vm_mib (hand-written: snmp-vm-mib.yml) ----
# The same checks for VM-MIB, on the subtrees the module walks (not
# vmCpuAffinityTable; vmHvObjectID is walked but not exported).  -Ot:
# TimeTicks as plain numbers, as the exporter reports them.  vmHvUpTime
# and vmUpTime are computed per request: compared for presence only.
V=.1.3.6.1.2.1.236.1
vmwalk() {
    local s
    for s in 1 2 3 4 5 7 8; do vax_walk -Ot "$@" "$V.$s" | nomore; done
}
vmwalk > "$VAX_TMP/vmwalk"
VMURL="http://127.0.0.1:$EXPORTER_PORT/snmp?target=127.0.0.1:$VAX_SNMP_PORT&module=vm_mib"
t0=$(date +%s%N)
code=$(curl -sS -o "$VAX_TMP/vmscrape" -w '%{http_code}' "$VMURL" 2> "$VAX_TMP/curl.err")
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
vmwalk -Ox > "$VAX_TMP/vmwalkx.raw"
require "scrape of module vm_mib answers HTTP 200 (got $code, ${ms} ms)" test "$code" = 200
joinlines "$VAX_TMP/vmwalkx.raw" > "$VAX_TMP/vmwalkx"
wrap53 < "$VAX_TMP/vmwalkx" > "$VAX_TMP/vmwalkx53"
VMAGES="^${V#.}[.]1[.]4[.]0$|^${V#.}[.]4[.]1[.]16[.]"
vmnumeric() { joinlines "$1" | grep -v -E -e "^$V\.1\.4\.0 |^$V\.4\.1\.16\." -e ' = (STRING|Hex-STRING): '; }
check "VM-MIB walks before and after the scrape agree (one snapshot)" \
    diff <(vmnumeric "$VAX_TMP/vmwalk") <(vmnumeric "$VAX_TMP/vmwalkx")
scrape_health "vm_mib: " "$VAX_TMP/vmscrape" "$VAX_TMP/vmwalk"
sed -n 's/^vmOperState{.*vmName="\([^"]*\)".*/\1/p' "$VAX_TMP/vmscrape" |
    LC_ALL=C sort > "$VAX_TMP/vmscrape.names"
check "vmName labels of vmOperState = virsh list --all" \
    diff "$VAX_TMP/virsh.names" "$VAX_TMP/vmscrape.names"
check "the non-ASCII name comes out as UTF-8 text: vmName=\"数据库-ü\"" \
    grep -qF 'vmName="数据库-ü"' "$VAX_TMP/vmscrape"
check "every vm_mib sample with a vmIndex has a vmName" \
    eval '! grep -E "^vm[A-Za-z]*\{.*vmIndex=" "$VAX_TMP/vmscrape" | grep -v "vmName="'
# The OIDs are typed by hand: each column the agent serves must be
# exactly one metric (catches a typo that exports a column twice under
# two names, or leaves one out).  Not metrics: vmName (a label) and
# vmHvObjectID (an OID).
# shellcheck disable=SC2016
awk -v V="${V#.}" 'FILENAME == ARGV[1] { if ($1 ~ /^vm/) { if ($2 in m) print "OID", $2, "is", m[$2], "and", $1; m[$2] = $1 }; next }
    { o = substr($1, 2); if (index(o, V ".") != 1) next
      n = split(substr(o, length(V) + 2), r, ".")
      col = (r[1] == 1) ? V ".1." r[2] : (r[1] >= 4) ? V "." r[1] ".1." r[3] : V "." r[1]
      if (!(col in m) && col != V ".4.1.2" && col != V ".1.3" && !(col in said)) { print "column", col, "is not a metric"; said[col] = 1 }
      cols[col] = 1 }
    END { for (c in cols) nc++; print nc, "columns walked" }' "$VAX_TMP/metrics" "$VAX_TMP/vmwalk" > "$VAX_TMP/vmcols.out"
check "vm_mib: one metric per walked VM-MIB column, no OID twice ($(tail -n 1 "$VAX_TMP/vmcols.out"))" \
    eval '! grep -qE "^(OID|column) " "$VAX_TMP/vmcols.out"'
compare "$VAX_TMP/vmwalkx53" "$VAX_TMP/vmscrape" "$VMAGES" \
    vmIndex vmName "$V.4.1.2" "vmCpuIndex vmStorageIndex vmNetworkIndex" 100 \
    > "$VAX_TMP/vmcompare.out"
check "vm_mib: every scraped value, text label and vmName equals snmpwalk's: $(tail -n 1 "$VAX_TMP/vmcompare.out")" \
    eval '! grep MISMATCH "$VAX_TMP/vmcompare.out"'
types "$VAX_TMP/vmscrape" 30 > "$VAX_TMP/vmtypes.out"
check "vm_mib: every metric's TYPE matches snmp-vm-mib.yml ($(tail -n 1 "$VAX_TMP/vmtypes.out"))" \
    eval '! grep -q "^TYPE" "$VAX_TMP/vmtypes.out"'
for m in vmCpuTime vmCpuCoreTime vmStorageReadIOs vmStorageWriteOctets; do
    check "$m is TYPE counter and has samples" \
        eval 'grep -qx "# TYPE $m counter" "$VAX_TMP/vmscrape" && grep -q "^$m[{ ]" "$VAX_TMP/vmscrape"'
done
check "vmOperState is TYPE gauge (the RFC's number)" \
    grep -qx '# TYPE vmOperState gauge' "$VAX_TMP/vmscrape"

# ---- 3c. the agent's usage gauges in a scrape ----
# A window closes at a refresh usageWindow after the first snapshot; the
# cache then goes back to 3600 s, so the scrape and snmpget see one snapshot.
reloads() { grep -c 'configuration reloaded' "$VAX_TMP/agent.log"; }
reload_with() {
    local n; n=$(reloads)
    printf 'indexFile %s\n%s\n' "$VAX_TMP/index" "$1" > "$VAX_TMP/agent.conf"
    kill -HUP "$VAX_AGENT_PID"
    wait_until 5 eval '[ "$(reloads)" -gt "$n" ]' || vax_die "the agent did not reload"
}
reload_with $'cacheTimeout 1\nusageWindow 1'
sleep 1.2
vax_get $R.1.7.0 > /dev/null
sleep 0.3
reload_with $'cacheTimeout 3600\nusageWindow 1'
web=$(sed -n "s/^virtDomainState{virtDomainIndex=\"\([0-9]*\)\",virtDomainName=\"web01\"}.*/\1/p" "$VAX_TMP/scrape")
g=$(vax_get "$R.2.1.33.$web" | awk '/Gauge32/ { print $NF }')
require "web01's virtDomainCpuUsage is served after a window ($g)" test -n "$g"
curl -sS -o "$VAX_TMP/scrape2" "$URL" 2> "$VAX_TMP/curl.err"
check "scrape: virtDomainCpuUsage of web01 is snmpget's $g" \
    same "$(awk -v i="virtDomainIndex=\"$web\"" 'index($0, "virtDomainCpuUsage{") == 1 && index($0, i) { print $NF; exit }' "$VAX_TMP/scrape2")" "$g"
d=$(vax_get "$R.4.1.19.$web.1" | awk '/Counter64/ { print $NF }')
check "scrape: virtDiskReadBytesRate of web01's vda is snmpget's ${d:-absent}, a gauge" \
    eval 'grep -qx "# TYPE virtDiskReadBytesRate gauge" "$VAX_TMP/scrape2" &&
        same "$(awk -v i="virtDomainIndex=\"$web\"" '"'"'index($0, "virtDiskReadBytesRate{") == 1 && index($0, i) && index($0, "virtDiskName=\"vda\"") { print $NF; exit }'"'"' "$VAX_TMP/scrape2")" "$d"'
check "scrape: virtDomainCpuUsageVcpus is a gauge metric" grep -qx '# TYPE virtDomainCpuUsageVcpus gauge' "$VAX_TMP/scrape2"

# ---- 4. a real Prometheus with the README's scrape config ----
# The README's one-hypervisor prometheus.yml as it is, with our snmpd as
# the target, our exporter's address, and a 1 s interval.
readme1=$(grep -l 'for one hypervisor' "$VAX_TMP"/readme-*.yml 2>/dev/null | head -n 1)
if command -v prometheus >/dev/null && [ -n "$readme1" ]; then
    sed -e "s|'hv1.example.org'|'127.0.0.1:$VAX_SNMP_PORT'|" \
        -e "s|replacement: 127.0.0.1:9116|replacement: 127.0.0.1:$EXPORTER_PORT|" \
        -e 's|scrape_interval: 60s|scrape_interval: 1s\n  evaluation_interval: 1s|' \
        "$readme1" > "$VAX_TMP/prometheus.yml"
    vax_start_tcp prometheus 30 "$VAX_TMP/prometheus.log" \
        prometheus --config.file="$VAX_TMP/prometheus.yml" \
        --storage.tsdb.path="$VAX_TMP/prometheus-data" --web.listen-address=127.0.0.1:@PORT@
    PROM_PORT=$VAX_TCP_PORT PROM_PID=$VAX_TCP_PID
    vax_log "prometheus pid $PROM_PID on 127.0.0.1:$PROM_PORT"
    promq() {   # promq QUERY: the API's JSON answer
        curl -sS -G "http://127.0.0.1:$PROM_PORT/api/v1/query" --data-urlencode "query=$1"
    }
    scraped() { promq 'up{job="virt-agentx"} == 1' | jq -e '.data.result | length == 1'; }
    require "Prometheus scrapes the exporter with the README's config (up == 1)" wait_until 30 scraped
    vmscraped() { promq 'up{job="vm-mib"} == 1' | jq -e '.data.result | length == 1'; }
    check "... and its vm-mib job, module vm_mib (up == 1)" wait_until 30 vmscraped
    # vmOperState per vmName in Prometheus = the exporter's scrape (which
    # equals the walk, checked above).
    promq vmOperState | jq -r '.data.result[] | "\(.metric.vmName) \(.value[1]) \(.metric.instance)"' |
        LC_ALL=C sort > "$VAX_TMP/prom-vmstate"
    sed -n "s/^vmOperState{vmIndex=\"[0-9]*\",vmName=\"\([^\"]*\)\"} \(.*\)/\1 \2 127.0.0.1:$VAX_SNMP_PORT/p" \
        "$VAX_TMP/vmscrape" | LC_ALL=C sort > "$VAX_TMP/scrape-vmstate"
    check "Prometheus stored vmOperState of every VM by vmName, = the scrape ($(tr '\n' ';' < "$VAX_TMP/prom-vmstate"))" \
        eval '[ "$(wc -l < "$VAX_TMP/prom-vmstate")" = 4 ] && diff "$VAX_TMP/scrape-vmstate" "$VAX_TMP/prom-vmstate"'
    promq virtDomainState > "$VAX_TMP/prom-state.json"
    check "instance label is the target, 127.0.0.1:$VAX_SNMP_PORT (relabelling)" \
        jq -e --arg i "127.0.0.1:$VAX_SNMP_PORT" \
        '.data.result | length == 4 and all(.metric.instance == $i and .metric.job == "virt-agentx")' \
        "$VAX_TMP/prom-state.json"
    jq -r '.data.result[].metric.virtDomainName' "$VAX_TMP/prom-state.json" | LC_ALL=C sort > "$VAX_TMP/prom.names"
    check "Prometheus has virtDomainState for every domain, by name" \
        diff "$VAX_TMP/virsh.names" "$VAX_TMP/prom.names"
    check "Prometheus stored virtDomainState of 数据库-ü = walk's" \
        eval 'jq -e --arg v "$(walkval "$R.2.1.4.$(sed -n "s/^virtDomainState{virtDomainIndex=\"\([0-9]*\)\",virtDomainName=\"数据库-ü\"}.*/\1/p" "$VAX_TMP/scrape")")" \
            ".data.result[] | select(.metric.virtDomainName == \"数据库-ü\") | .value[1] == \$v" "$VAX_TMP/prom-state.json" | grep -qx true'
    rules_ok() {
        curl -sS "http://127.0.0.1:$PROM_PORT/api/v1/rules" > "$VAX_TMP/prom-rules.json" &&
            jq -e '[.data.groups[].rules[] | select(.health == "ok")] | length == 10' "$VAX_TMP/prom-rules.json"
    }
    check "Prometheus loaded the 10 rules and evaluates them without error" wait_until 10 rules_ok
    check "Prometheus stored virtPoolUsed and virtNetworkActive by name" \
        eval 'promq "virtPoolUsed{virtPoolName=\"default-pool\"}" | jq -e ".data.result | length == 1" &&
              promq "virtNetworkActive{virtNetworkName=\"default\"}" | jq -e ".data.result | length == 1"'
    # Nothing in the demo should alert (VmCrashed included): no crash,
    # build has been off all along and is not autostart, libvirt is
    # connected, agent answers.
    check "no alert fires on the demo host" \
        eval 'promq ALERTS | jq -e ".data.result | length == 0"'
    # The agent stops, snmpd goes on answering: the scrape succeeds with
    # none of our metrics, and VirtAgentMissing goes pending (for: 5m).
    check "agent stops cleanly" vax_stop_agent
    missing() {
        promq 'ALERTS{alertname="VirtAgentMissing",alertstate="pending"}' |
            jq -e --arg i "127.0.0.1:$VAX_SNMP_PORT" '.data.result | length == 1 and .[0].metric.instance == $i'
    }
    check "without the agent, VirtAgentMissing goes pending for the host" wait_until 20 missing
    check "... while up stays 1 (snmpd answers)" eval 'promq "up{job=\"virt-agentx\"}" | jq -e ".data.result[0].value[1] == \"1\""'
    check "Prometheus logged no error" eval '! grep -E "level=error" "$VAX_TMP/prometheus.log"'
else
    vax_log "prometheus not installed (Debian package prometheus): no end-to-end scrape"
fi

# For the record: an excerpt of the scrape.
vax_log "scrape excerpt (curl '$URL'):"
{
    grep -E '^# (HELP|TYPE) virtDomainState ' "$VAX_TMP/scrape"
    grep -E '^virtDomainState\{' "$VAX_TMP/scrape"
    grep -E '^# TYPE virtDomainCpuTime ' "$VAX_TMP/scrape"
    grep -E '^virtDomainCpuTime\{' "$VAX_TMP/scrape"
    grep -E '^virtDomainMemoryMax\{' "$VAX_TMP/scrape" | head -n 2
    grep -E '^# TYPE virtDiskReadBytes ' "$VAX_TMP/scrape"
    grep -E '^virtDiskReadBytes\{' "$VAX_TMP/scrape" | head -n 2
    grep -E '^virtInterfaceRxBytes\{' "$VAX_TMP/scrape" | head -n 2
    grep -E '^virtConnectionState |^virtDomainCount |^snmp_scrape_(pdus_returned|duration_seconds) ' "$VAX_TMP/scrape"
    grep -E '^virtPool(Capacity|Allocation|Available|Used|State|Stalled|Type)\{|^virtNetwork(Bridge|Active|ForwardMode)\{' "$VAX_TMP/scrape"
} | sed 's/^/#   /'
vax_log "vm_mib scrape excerpt (curl '$VMURL'):"
{
    grep -E '^# (HELP|TYPE) vmOperState ' "$VAX_TMP/vmscrape"
    grep -E '^vmOperState\{' "$VAX_TMP/vmscrape"
    grep -E '^# TYPE vmCpuTime ' "$VAX_TMP/vmscrape"
    grep -E '^vmCpuTime\{' "$VAX_TMP/vmscrape" | head -n 2
    for m in vmUUID vmCpuCoreTime vmStorageReadOctets vmStorageDefinedSize vmNetworkPhysAddress; do
        grep -m 1 "^$m{" "$VAX_TMP/vmscrape"
    done
    grep -E '^vmHv|^vmNumber |^vmTableLastChange |^snmp_scrape_(pdus_returned|duration_seconds) ' "$VAX_TMP/vmscrape"
} | sed 's/^/#   /'

vax_done
