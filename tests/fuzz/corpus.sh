#!/bin/bash
# The fuzz targets' seed corpora (tests/fuzz/corpus/TARGET) as regression
# tests: each file through the target's LLVMFuzzerTestOneInput, built
# without libFuzzer (replay.c) by the ordinary compiler, so every make
# check (and make distcheck's sanitizer build) replays them. An input
# that once crashed belongs in the corpus, named crash-WHAT.
set -u
srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
builddir=${abs_top_builddir:-$srcdir}
n=0 failed=0
for t in domxml conf stats guest; do
    n=$((n + 1))
    bin=$builddir/tests/fuzz/replay_$t
    out=$(mktemp)
    if "$bin" "$srcdir/tests/fuzz/corpus/$t" > "$out" 2>&1; then
        echo "ok $n - $t: $(sed -n 's/^replay: .*: \([0-9]* inputs\?\).*/\1/p' "$out")"
    else
        echo "not ok $n - $t (exit $?)"
        sed 's/^/#   /' "$out" | tail -n 40
        failed=$((failed + 1))
    fi
    rm -f "$out"
done
echo "1..$n"
[ "$failed" -eq 0 ]
