#!/bin/bash
# mib-lint.sh - check mibs/VIRT-AGENTX-MIB.txt with libsmi's smilint and
# net-snmp's MIB parser.  Test for automake's TESTS harness:
#   exit 0 = pass, 1 = fail, 77 = skip (the reason is printed).
#
# Environment:
#   srcdir / top_srcdir   source tree (default: this script's ../..)
#   abs_top_builddir      build tree (default: $PWD); the base MIB modules
#                         are fetched into $builddir/tests/base-mibs by
#                         tests/get-base-mibs.sh and reused afterwards.

set -u

script_dir=$(cd "$(dirname "$0")" && pwd) || exit 1

mib_rel=mibs/VIRT-AGENTX-MIB.txt

# automake sets $srcdir to the source directory of the Makefile that runs
# the test, which is the top source dir only if TESTS is in the top-level
# Makefile.am; take the first candidate that actually holds the MIB.
top_srcdir_found=
for cand in "${top_srcdir:-}" "${srcdir:-}" "${srcdir:+$srcdir/..}" \
            "$script_dir/../.."; do
    [ -n "$cand" ] || continue
    if [ -f "$cand/$mib_rel" ]; then
        top_srcdir_found=$(cd "$cand" && pwd)
        break
    fi
done
if [ -z "$top_srcdir_found" ]; then
    echo "not ok - cannot find $mib_rel (srcdir=${srcdir:-unset}, script in $script_dir)"
    exit 1
fi
src=$top_srcdir_found
mib=$src/$mib_rel

builddir=${abs_top_builddir:-$PWD}
basemibs=$builddir/tests/base-mibs

skip() {
    echo "SKIP: $*"
    exit 77
}

command -v smilint >/dev/null 2>&1 ||
    skip "smilint not found (Debian package smitools)"
command -v snmptranslate >/dev/null 2>&1 ||
    skip "snmptranslate not found (Debian package snmp)"

if ! getmibs_err=$("$src/tests/get-base-mibs.sh" "$basemibs" 2>&1); then
    skip "could not get the base MIB modules (SNMPv2-SMI, ...) into" \
         "$basemibs: $getmibs_err"
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/mib-lint.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT

failed=0
ok()     { echo "ok - $*"; }
not_ok() { echo "not ok - $*"; failed=1; }

# --- 1. smilint -------------------------------------------------------------
# -c /dev/null: ignore /etc/smi.conf and ~/.smirc, so that only SMIPATH
# (base modules + our mibs/ dir) is searched.  smilint exits 0 even when it
# reports errors, so any output at all is a failure.
out=$(SMIPATH="$basemibs:$src/mibs" smilint -c /dev/null -l 6 "$mib" 2>&1)
rc=$?
if [ $rc -eq 0 ] && [ -z "$out" ]; then
    ok "smilint -l 6 reports nothing for $mib_rel"
else
    not_ok "smilint -l 6 on $mib_rel (exit $rc):"
    printf '%s\n' "$out" | sed 's/^/#   /'
fi

# --- 2. net-snmp ------------------------------------------------------------
# Hermetic net-snmp environment: no snmp.conf (SNMPCONFPATH is an empty
# dir), a throw-away persistent dir (cert_indexes pre-created, otherwise
# net-snmp announces its creation on stderr), only our MIB directories.
mkdir -p "$tmp/conf" "$tmp/persist/cert_indexes"
snmpt() {
    env -u MIBS -u MIBFILES \
        SNMPCONFPATH="$tmp/conf" SNMP_PERSISTENT_DIR="$tmp/persist" \
        MIBDIRS="$basemibs:$src/mibs" \
        snmptranslate -m VIRT-AGENTX-MIB "$@"
}

# check_oid NAME EXPECTED
check_oid() {
    local name=$1 want=$2 got err rc
    got=$(snmpt -On "VIRT-AGENTX-MIB::$name" 2>"$tmp/err")
    rc=$?
    err=$(cat "$tmp/err")
    if [ $rc -eq 0 ] && [ "$got" = "$want" ] && [ -z "$err" ]; then
        ok "snmptranslate: $name is $want"
    else
        if [ "$got" = "$want" ] && [ $rc -eq 0 ]; then
            not_ok "snmptranslate: $name is $want but errors were printed"
        else
            not_ok "snmptranslate: $name: want $want, got '${got}' (exit $rc)"
        fi
        [ -z "$err" ] || printf '%s\n' "$err" | sed 's/^/#   stderr: /'
    fi
}

check_oid virtAgentxMIB .1.3.6.1.4.1.32473
check_oid virtDiskReadBytes .1.3.6.1.4.1.32473.1.4.1.8
# Notification and accessible-for-notify column numbers are a contract
# with the C code (src/), which builds the trap OIDs itself.
check_oid virtDomainStopped .1.3.6.1.4.1.32473.0.6
check_oid virtDomainEventDetailText .1.3.6.1.4.1.32473.1.2.1.31
check_oid virtConnectionRestored .1.3.6.1.4.1.32473.0.11

tree=$(snmpt -Tp VIRT-AGENTX-MIB::virtAgentxMIB 2>"$tmp/err")
rc=$?
err=$(cat "$tmp/err")
if [ $rc -eq 0 ] && [ -z "$err" ] &&
   printf '%s\n' "$tree" | grep -q 'virtInterfaceTxDrops(17)'; then
    ok "snmptranslate -Tp loads the whole module without errors"
else
    not_ok "snmptranslate -Tp VIRT-AGENTX-MIB (exit $rc)"
    [ -z "$err" ] || printf '%s\n' "$err" | sed 's/^/#   stderr: /'
fi

# --- 3. placeholder enterprise number ---------------------------------------
# The RFC 5612 documentation PEN must be written exactly once (the
# MODULE-IDENTITY), so that replacing it with a real PEN is a one-line edit.
n=$(grep -c 32473 "$mib")
if [ "$n" -eq 1 ]; then
    ok "the enterprise arc appears exactly once in $mib_rel"
else
    not_ok "the enterprise arc 32473 appears $n times in $mib_rel (want 1)"
fi

exit $failed
