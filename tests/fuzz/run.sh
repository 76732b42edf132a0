#!/bin/bash
# make fuzz: each libFuzzer target for FUZZ_SECONDS (default 600) on a
# copy of its seed corpus, one after the other; prints libFuzzer's final
# stats and coverage per target and fails if any target found something
# (crash, sanitizer report, leak, timeout, out-of-memory).
#
#   FUZZ_SECONDS=60 FUZZ_TARGETS="stats conf" bash tests/fuzz/run.sh
#
# Work lands in $abs_top_builddir/fuzz-work/TARGET: corpus/ (the seeds
# plus whatever the run found new; the committed corpus is never
# written), artifacts/ (crash-*, leak-*, timeout-*, oom-* inputs) and
# fuzz.log. FUZZ_ARGS adds libFuzzer options (e.g. -jobs, -seed=N).
set -u
srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
builddir=${abs_top_builddir:-$srcdir}
seconds=${FUZZ_SECONDS:-600}
targets=${FUZZ_TARGETS:-domxml conf stats guest}
# shellcheck disable=SC2206 # word splitting wanted
extra=(${FUZZ_ARGS:-})
case $seconds in ''|*[!0-9]*) echo "FUZZ_SECONDS=$seconds: not a number of seconds" >&2; exit 2 ;; esac

# Per target: the longest input worth trying.
max_len() {
    case $1 in
        domxml) echo 16384 ;;
        conf) echo 12288 ;;     # past the 8190-byte line limit
        *) echo 8192 ;;
    esac
}

failed=() summary=()
for t in $targets; do
    bin=$builddir/tests/fuzz/fuzz_$t
    seeds=$srcdir/tests/fuzz/corpus/$t
    work=$builddir/fuzz-work/$t
    [ -x "$bin" ] || { echo "no $bin (configure --enable-fuzzing CC=clang; make)" >&2; exit 2; }
    [ -d "$seeds" ] || { echo "no seed corpus $seeds" >&2; exit 2; }
    rm -rf "$work"
    mkdir -p "$work/corpus" "$work/artifacts"
    cp "$seeds"/* "$work/corpus/"
    nseeds=$(find "$work/corpus" -type f | wc -l)
    dict=()
    [ ! -f "$srcdir/tests/fuzz/$t.dict" ] || dict=("-dict=$srcdir/tests/fuzz/$t.dict")
    echo "== fuzz_$t: ${seconds} s from $nseeds seeds (log: $work/fuzz.log)"
    rc=0
    # A leak is a finding (detect_leaks is on under libFuzzer); -timeout:
    # one input taking 10 s is a finding too.
    ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=0:detect_leaks=1} \
    UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1} \
        "$bin" -max_total_time="$seconds" -print_final_stats=1 -timeout=10 \
            -rss_limit_mb=2048 -max_len="$(max_len "$t")" \
            -artifact_prefix="$work/artifacts/" "${dict[@]}" "${extra[@]}" \
            "$work/corpus" > "$work/fuzz.log" 2>&1 || rc=$?
    # libFuzzer's last status line: "#N  REDUCE cov: C ft: F corp: U/S ..."
    last=$(grep -E '^#[0-9]+' "$work/fuzz.log" | grep 'cov:' | tail -n 1)
    cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<< "$last")
    ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<< "$last")
    corp=$(sed -n 's/.* corp: \([0-9]*\/[0-9]*[a-zA-Z]*\).*/\1/p' <<< "$last")
    final_stat() { sed -n "s/^stat::$1: *//p" "$work/fuzz.log" | tail -n 1; }
    execs=$(final_stat number_of_executed_units) eps=$(final_stat average_exec_per_sec)
    newu=$(final_stat new_units_added) rss=$(final_stat peak_rss_mb)
    grep '^stat::' "$work/fuzz.log" | sed 's/^/   /'
    echo "   last: ${last:-none}"
    line=$(printf '%-7s %10s execs %7s exec/s  cov %5s  ft %6s  corpus %-12s (%s seeds, +%s new)  rss %s MB' \
        "$t" "${execs:-?}" "${eps:-?}" "${cov:-?}" "${ft:-?}" "${corp:-?}" "$nseeds" "${newu:-?}" "${rss:-?}")
    artifacts=$(find "$work/artifacts" -type f | head -n 5)
    if [ "$rc" -ne 0 ] || [ -n "$artifacts" ]; then
        failed+=("$t")
        line="$line  FINDING (exit $rc)"
        echo "   FINDING in fuzz_$t (exit $rc); report:"
        grep -E -A 30 '^==[0-9]+==ERROR|runtime error|invariant broken|^==[0-9]+== ERROR: libFuzzer' \
            "$work/fuzz.log" | head -n 60 | sed 's/^/   | /'
        for a in $artifacts; do
            echo "   input: $a"
            echo "   reproduce: $bin $a   (or: $builddir/tests/fuzz/replay_$t $a)"
        done
    fi
    summary+=("$line")
done

echo "== summary (FUZZ_SECONDS=$seconds)"
printf '%s\n' "${summary[@]}"
if [ ${#failed[@]} -gt 0 ]; then
    echo "fuzz: findings in: ${failed[*]}"
    exit 1
fi
echo "fuzz: no findings"
