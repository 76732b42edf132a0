# shellcheck shell=bash
# tests/tap.sh - TAP lines for the scripts that run outside the test
# harness's fixtures (installcheck.sh, deb.sh): source it, call check, end
# with tap_done NAME.
failed=0 n=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
not_ok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $*"; }
check() {
    local desc=$1
    shift
    if "$@"; then ok "$desc"; else not_ok "$desc"; fi
}
# tap_done NAME: the plan and a summary; exits 1 if any check failed.
tap_done() {
    echo "1..$n"
    if [ "$failed" -ne 0 ]; then
        echo "$1: $failed of $n checks failed" >&2
        exit 1
    fi
    echo "$1: $n checks passed"
    exit 0
}
