#!/bin/bash
# tests/fuzz/make-seeds.sh: refresh the seeds of tests/fuzz/corpus that
# come from real libvirt drivers (run by hand, as root, from a configured
# build tree; not part of make check). Writes into the source tree:
#   domxml/testdrv-*.xml   virsh dumpxml of the test driver's domains
#   domxml/qemu-*.xml      a real QEMU/TCG guest (tests/lib.sh's QEMU tier):
#                          the XML it was created from and its live dumpxml
#   stats/testdrv-*        bulk stats of the test driver (state group only)
#   stats/qemu-guest       the collector's groups for that guest, running
#                          a few seconds (disk counters climbing, balloon)
#   stats/qemu-all-guest   every group QEMU has (keys the agent ignores)
# The stats files come from dump-stats.c (make tests/fuzz/dump-stats):
# libvirt's own records and types, in stats_input.h's format, with the
# disks and NICs vax_domxml_parse finds in the domain's XML.
set -u
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"
corpus=$VAX_TESTS_SRCDIR/fuzz/corpus
dump=$VAX_TOP_BUILDDIR/tests/fuzz/dump-stats
(cd "$VAX_TOP_BUILDDIR" && make -s tests/fuzz/dump-stats) || vax_die "cannot build $dump"
vax_setup

# The test driver, in process: its default domain and the demo node.
node=test://$VAX_DATA/node.xml
check "test:///default dumpxml" eval \
    'virsh -q -c test:///default dumpxml test > "$corpus/domxml/testdrv-default-test.xml"'
for d in web01 db01 build; do
    check "$node dumpxml $d" eval \
        'virsh -q -c "$node" dumpxml "$d" > "$corpus/domxml/testdrv-node-$d.xml"'
done
check "test:///default bulk stats" "$dump" test:///default "$corpus/stats" testdrv-default
check "node.xml bulk stats" "$dump" "$node" "$corpus/stats" testdrv-node

# A real QEMU guest.
vax_start_libvirtd_qemu
g=fzs$$
vax_qemu_guest "$g" "tfz$$"
cp "$VAX_TMP/qemu-images/$g.xml" "$corpus/domxml/qemu-create.xml"
sleep 3   # disk counters climb, the balloon reports (1 s period)
check "qemu dumpxml" eval 'vax_virsh dumpxml "$g" > "$corpus/domxml/qemu-live.xml"'
check "qemu bulk stats" eval '"$dump" "$VAX_URI" "$VAX_TMP" qemu &&
    mv "$VAX_TMP/qemu-$g" "$corpus/stats/qemu-guest"'
check "qemu bulk stats, every group" eval '"$dump" "$VAX_URI" "$VAX_TMP" qemu-all all &&
    mv "$VAX_TMP/qemu-all-$g" "$corpus/stats/qemu-all-guest"'
check "the QEMU record has every group" grep -q '^L block.1.rd.reqs=[1-9]' "$corpus/stats/qemu-guest"
vax_done
