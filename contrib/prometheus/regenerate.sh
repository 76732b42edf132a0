#!/bin/bash
# regenerate.sh [OUTPUT]
#
# Regenerate snmp.yml (or OUTPUT) from generator.yml with Debian 12's
# prometheus-snmp-generator (snmp_exporter 0.21), put the header that
# says how it was made on top, and append the hand-written module vm_mib
# (snmp-vm-mib.yml, verbatim: the generator cannot make it without the
# VM-MIB text, which Debian does not ship).  snmp_exporter 0.21 reads one
# --config.file, so snmp.yml holds both modules.
# tests/integration/prometheus.sh runs this into a temp file and compares
# it with the committed snmp.yml, so that snmp.yml cannot drift from
# generator.yml, from the MIB or from snmp-vm-mib.yml.
#
# The generator needs the base MIB modules (SNMPv2-SMI, -TC, -CONF), which
# Debian main does not ship: set BASE_MIBS to a directory holding them as
# NAME.txt, or they are fetched by tests/get-base-mibs.sh into a temp dir.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
out=${1:-$here/snmp.yml}
gen=${SNMP_GENERATOR:-prometheus-snmp-generator}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/vax-snmpgen.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

base=${BASE_MIBS:-}
if [ -z "$base" ]; then
    base=$tmp/base-mibs
    "$top/tests/get-base-mibs.sh" "$base"
fi

# The 0.21 generator reads generator.yml from its working directory only.
# SNMPCONFPATH: no snmp.conf of the user's may add MIBs or directories.
mkdir -p "$tmp/conf"
(cd "$here" && MIBDIRS="$base:$top/mibs" SNMPCONFPATH="$tmp/conf" \
    "$gen" --fail-on-parse-errors --log.level=warn generate -o "$tmp/snmp.yml")

{
    cat <<'HDR'
# snmp_exporter configuration for VIRT-AGENTX-MIB (module virt_agentx)
# and VM-MIB (module vm_mib, appended at the end from snmp-vm-mib.yml).
# For snmp_exporter 0.21 (Debian 12's prometheus-snmp-exporter), the
# pre-0.23 format: community and SNMP version are inside the module.
# Do not edit: generated from generator.yml by Debian 12's
# prometheus-snmp-generator.  To regenerate, from the source tree:
#   contrib/prometheus/regenerate.sh
# which runs, in contrib/prometheus/ (BASE_MIBS: SNMPv2-SMI, -TC, -CONF as
# NAME.txt, fetched by tests/get-base-mibs.sh BASE_MIBS):
#   MIBDIRS=$BASE_MIBS:../../mibs prometheus-snmp-generator \
#       --fail-on-parse-errors generate -o snmp.yml
# and appends snmp-vm-mib.yml (edit that file, not the copy below).
HDR
    cat "$tmp/snmp.yml"
    echo
    cat "$here/snmp-vm-mib.yml"
} > "$tmp/out.yml"
mv -f "$tmp/out.yml" "$out"
