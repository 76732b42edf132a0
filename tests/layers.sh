#!/usr/bin/env bash
# tests/layers.sh: doc/inside.md's layer table holds for the code. Every
# src/ file is in exactly one row, and a file includes only files of its
# own row or of rows below it (the table lists them from the top down).
set -u
. "$(dirname "$0")/lib.sh"

doc=$VAX_TESTS_SRCDIR/../doc/inside.md
src=$VAX_TESTS_SRCDIR/../src
declare -A row=()
n=0
# The table's rows, top down: each `name.c` / `name.h` it names is a file
# of that row (a file named twice keeps its first row).
while IFS= read -r line; do
    n=$((n + 1))
    for f in $(printf '%s\n' "$line" | grep -o '`[a-z_0-9]*\.[ch]`' | tr -d '`'); do
        [ -n "${row[${f%.[ch]}]:-}" ] || row[${f%.[ch]}]=$n
    done
done < <(sed -n '/^## Layers/,/^## /p' "$doc" | grep '^| [a-zA-Z]' | grep -v '^| layer')
check "the layer table has rows" test "$n" -ge 5

for f in "$src"/*.c "$src"/*.h; do
    base=$(basename "$f"); mod=${base%.[ch]}
    [ "$mod" != config ] || continue
    # A header a row names through its .c (model.h through model.c) is the
    # same file; headers without a .c (mib.h, libvirt_state.h) are named.
    if [ -z "${row[$mod]:-}" ]; then
        case $mod in collector_int) row[$mod]=${row[collector]:-} ;; esac
    fi
    if [ -z "${row[$mod]:-}" ]; then
        not_ok "$base is in no row of doc/inside.md's layer table"
        continue
    fi
    for inc in $(grep -o '^#include "[a-z_0-9]*\.h"' "$f" | sed 's/#include "//; s/"$//'); do
        m=${inc%.h}
        [ "$m" != config ] && [ "$m" != "$mod" ] || continue
        [ "$m" != collector_int ] || m=collector
        if [ -z "${row[$m]:-}" ]; then
            not_ok "$base includes $inc, which is in no row"
        elif [ "${row[$m]}" -lt "${row[$mod]}" ]; then
            not_ok "$base (row ${row[$mod]}) includes $inc from a row above it (${row[$m]})"
        fi
    done
done
ok "every src/ file is in a row, and includes only its row or rows below (${#row[@]} files)"
vax_done
