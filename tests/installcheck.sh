#!/usr/bin/env bash
# tests/installcheck.sh - run by "make installcheck" (and so by make
# distcheck) after "make install": every file is where the build said it
# would go, the installed agent runs and accepts the installed example
# configuration, the installed man pages render and name the installed
# paths, the unit starts the installed agent.
#
# Environment (from Makefile.am): DESTDIR (may be empty), sbindir, mibdir,
# docdir, man5dir, man8dir, unit (the installed unit's path, empty when
# not installed), PACKAGE_VERSION, top_srcdir.
set -u

. "$(dirname "$0")/tap.sh"

: "${sbindir:?}" "${mibdir:?}" "${docdir:?}" "${pkgdatadir:?}" "${man5dir:?}" "${man8dir:?}" \
  "${PACKAGE_VERSION:?}" "${top_srcdir:?}"
unit=${unit:-}
D=${DESTDIR:-}
agent=$D$sbindir/virt-agentx
files=(
    "$agent"
    "$D$mibdir/VIRT-AGENTX-MIB.txt"
    "$D$docdir/README.md"
    "$D$docdir/snmpd.conf.example"
    "$D$docdir/virt-agentx.conf.example"
    "$D$man8dir/virt-agentx.8"
    "$D$man5dir/virt-agentx.conf.5"
    "$D$docdir/vm-mib.md"
    "$D$docdir/vm-mib-notifications.md"
    "$D$pkgdatadir/zabbix/virt-agentx.yaml"
    "$D$pkgdatadir/zabbix/vm-mib.yaml"
    "$D$pkgdatadir/zabbix/zabbix-trap-receiver.pl"
    "$D$pkgdatadir/prometheus/snmp.yml"
    "$D$pkgdatadir/prometheus/virt-agentx.rules.yml"
    "$D$pkgdatadir/prometheus/grafana-dashboard.json"
    "$D$pkgdatadir/nagios/check_virt_agentx"
    "$D$pkgdatadir/nagios/virt-agentx.cfg"
    "$D$pkgdatadir/nagios/virt-agentx.conf"
)
[ -z "$unit" ] || files+=("$D$unit")
for f in "${files[@]}"; do
    check "installed: $f" test -f "$f"
done
check "the agent is executable" test -x "$agent"
check "the installed Nagios plugin runs: check_virt_agentx --version" \
    eval '"$D$pkgdatadir/nagios/check_virt_agentx" --version | grep -q "$PACKAGE_VERSION"'
check "virt-agentx -V prints $PACKAGE_VERSION" \
    eval '[ "$("$agent" -V)" = "virt-agentx $PACKAGE_VERSION" ]'
check "the installed MIB is the source's" \
    cmp -s "$top_srcdir/mibs/VIRT-AGENTX-MIB.txt" "$D$mibdir/VIRT-AGENTX-MIB.txt"

tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
example=$D$docdir/virt-agentx.conf.example
check "the installed example configuration passes -n" \
    eval '"$agent" -n -c "$example" | grep -q "configuration OK"'
sed -n 's/^#\([A-Za-z]\+\) /\1 /p' "$example" > "$tmp/uncommented.conf"
check "and so does it with every directive uncommented" \
    eval '[ -s "$tmp/uncommented.conf" ] && "$agent" -n -c "$tmp/uncommented.conf" | grep -q "configuration OK"'

for page in "$D$man8dir/virt-agentx.8" "$D$man5dir/virt-agentx.conf.5"; do
    [ -f "$page" ] || continue
    check "${page##*/} names no unfilled @VARIABLE@" eval '! grep -q "@[A-Za-z_]*@" "$page"'
    if command -v man > /dev/null; then
        check "man -l ${page##*/} renders it, with no warning" \
            eval 'MANWIDTH=80 MANPAGER=cat PAGER=cat man -l "$page" > "$tmp/page.txt" 2> "$tmp/page.err" &&
                  [ ! -s "$tmp/page.err" ] && grep -q "^NAME" "$tmp/page.txt"'
    else
        echo "# man not installed: ${page##*/} not rendered"
    fi
done
check "virt-agentx.8 names the installed MIB" \
    grep -qF "$mibdir/VIRT-AGENTX-MIB.txt" "$D$man8dir/virt-agentx.8"
check "virt-agentx.8 names the installed examples" \
    grep -qF "$docdir/snmpd.conf.example" "$D$man8dir/virt-agentx.8"
if [ -n "$unit" ]; then
    check "the unit starts the installed agent" \
        grep -qx "ExecStart=$sbindir/virt-agentx .*" "$D$unit"
fi

tap_done installcheck
