#!/bin/bash
# tests/demo.sh [AGENT] - the body of `make demo`.
#
# Starts a private libvirtd (test driver) with the four demo domains of
# tests/data, a private snmpd (AgentX master) and snmptrapd, runs the agent
# (AGENT, else $VAX_AGENT, else TOP_BUILDDIR/src/virt-agentx) against them,
# prints what it serves, and stops everything.  Names come from
# mibs/VIRT-AGENTX-MIB.txt when the base MIBs can be had
# (tests/get-base-mibs.sh), numeric OIDs otherwise (or with VAX_DEMO_NUMERIC=1).
# Exits non-zero if any step fails.
# shellcheck disable=SC2119 # $1 is the agent, not for the functions
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/lib.sh
. "$here/lib.sh"

export VAX_AGENT=${1:-${VAX_AGENT:-$VAX_TOP_BUILDDIR/src/virt-agentx}}
builddir=${abs_top_builddir:-$PWD}
base_mibs=$builddir/tests/base-mibs

heading() { printf '\n=== %s ===\n' "$*"; }

vax_setup

# Names need the base MIB modules, which Debian does not ship: fetch them
# now (before any daemon runs), use them only if our MIB then loads.
use_names=0
if [ "${VAX_DEMO_NUMERIC:-0}" != 1 ] &&
    [ -f "$VAX_TOP_SRCDIR/mibs/VIRT-AGENTX-MIB.txt" ] &&
    [ -f "$here/get-base-mibs.sh" ] &&
    bash "$here/get-base-mibs.sh" "$base_mibs" > "$VAX_TMP/get-base-mibs.out" 2>&1 &&
    MIBDIRS="$VAX_TOP_SRCDIR/mibs:$base_mibs" MIBS=VIRT-AGENTX-MIB \
        snmptranslate -On VIRT-AGENTX-MIB::virtDomainTable > /dev/null 2>&1; then
    use_names=1
else
    echo "# VIRT-AGENTX-MIB not loadable here: numeric OIDs follow"
fi

heading "Private libvirtd, test driver, demo domains"
vax_start_libvirtd
vax_load_demo_domains || vax_die "loading the demo domains failed"
vax_virsh list --all

heading "Private snmptrapd and snmpd, then the agent"
vax_start_trapd
vax_start_snmpd
vax_start_agent

# From here on every client loads our MIB (the daemons were started without).
if [ "$use_names" = 1 ]; then
    export MIBDIRS="$VAX_TOP_SRCDIR/mibs:$base_mibs" MIBS=VIRT-AGENTX-MIB
fi
target=127.0.0.1:$VAX_SNMP_PORT
snmp=(-v2c -c public -r 1 -t 5)

heading "virtScalars ($VAX_OID.1.1)"
if [ "$use_names" = 1 ]; then
    snmpwalk "${snmp[@]}" "$target" VIRT-AGENTX-MIB::virtScalars
else
    vax_walk "$VAX_OID.1.1"
fi

n=2
for table in virtDomainTable virtVcpuTable virtDiskTable virtInterfaceTable; do
    heading "$table ($VAX_OID.1.$n)"
    if [ "$use_names" = 1 ]; then
        snmptable "${snmp[@]}" -Cb -Ci "$target" "VIRT-AGENTX-MIB::$table"
    else
        # snmptable needs the MIB to know the columns: walk instead.
        vax_walk "$VAX_OID.1.$n"
    fi
    n=$((n + 1))
done

# The IETF VM-MIB from the same snapshot: Debian has no text for it, so
# numerically (doc/vm-mib.md names every column).
heading "VM-MIB (RFC 7666): vmHypervisor, vmNumber and vmTable (.1.3.6.1.2.1.236.1.1-.1.4)"
for sub in 1 2 3 4; do
    vax_walk ".1.3.6.1.2.1.236.1.$sub"
done

heading "Stopping"
status=0
vax_stop_agent || status=$?
[ "$status" -eq 0 ] || vax_die "the agent exited with status $status on SIGTERM"
echo "agent stopped cleanly; stopping snmpd, snmptrapd and libvirtd"
