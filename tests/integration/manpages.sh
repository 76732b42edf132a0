#!/usr/bin/env bash
# The manual pages: they render without a warning (groff -ww, mandoc's
# lint, man -l), virt-agentx(8) has an entry for every option "-h" lists
# and no other, virt-agentx.conf(5) one for every directive the agent
# accepts and no other, with the range the agent enforces and, for
# trapEvents, every event name it takes; virt-agentx(8) lists every
# notification of the MIB with its number; and the example configuration
# names every directive, commented out, with values the agent accepts.
set -u
. "$(dirname "$0")/../lib.sh"

vax_setup
AGENT=${VAX_AGENT:-$VAX_TOP_BUILDDIR/src/virt-agentx}
[ -x "$AGENT" ] || vax_die "agent not built: $AGENT"
T=$VAX_TMP
MAN8=$VAX_TOP_BUILDDIR/man/virt-agentx.8
MAN5=$VAX_TOP_BUILDDIR/man/virt-agentx.conf.5
EXAMPLE=$VAX_TOP_SRCDIR/virt-agentx.conf.example
if [ ! -f "$MAN8" ] || [ ! -f "$MAN5" ]; then
    vax_die "man pages not built (make): $MAN8 $MAN5"
fi
command -v groff > /dev/null || vax_skip "groff not installed (bootstrap.sh installs groff-base)"

# ---- rendering ----------------------------------------------------------

# quiet FILE CMD...: CMD succeeds and prints nothing at all (stdout and
# stderr both go to FILE, shown by check on failure).
quiet() {
    local out=$1
    shift
    "$@" > "$out" 2>&1 || return 1
    [ ! -s "$out" ]
}
# renders PAGE: man -l formats it to text with nothing on stderr, and the
# text has the page's sections.
renders() {
    local page=$1 rc=0
    MANWIDTH=80 MANPAGER=cat PAGER=cat man -l "$page" > "$T/man.txt" 2> "$T/man.err" || rc=$?
    cat "$T/man.err"
    [ "$rc" -eq 0 ] && [ ! -s "$T/man.err" ] && grep -q '^NAME' "$T/man.txt" &&
        grep -q '^SEE ALSO' "$T/man.txt"
}

for page in "$MAN8" "$MAN5"; do
    name=${page##*/}
    check "$name: groff -ww prints no warning" quiet "$T/groff.out" \
        groff -man -Tutf8 -ww -z "$page"
    if command -v mandoc > /dev/null; then
        check "$name: mandoc -T lint finds nothing" quiet "$T/mandoc.out" \
            mandoc -T lint "$page"
    else
        echo "# mandoc not installed: lint skipped (bootstrap.sh installs it)"
    fi
    if command -v man > /dev/null; then
        check "$name: man -l renders it" renders "$page"
    else
        echo "# man not installed: man -l skipped"
    fi
    check "$name: make filled in every @VARIABLE@" eval "! grep -n '@[A-Za-z_]*@' '$page'"
done

# ---- options --------------------------------------------------------------

# The letters of a section's tagged paragraphs: the ".B \-x" or ".BI \-x ..."
# line right after each .TP or .TQ between ".SH SECTION" and the next .SH.
tagged_options() {
    awk -v sec="$2" '
        /^\.SH / { in_sec = ($0 == ".SH " sec); next }
        in_sec && prev ~ /^\.T[PQ]/ && match($0, /^\.BI? \\-[A-Za-z]/) {
            print substr($0, RLENGTH, 1)
        }
        { prev = $0 }' "$1" | sort -u
}
"$AGENT" -h > "$T/usage.txt" 2>&1
sed -n 's/^  -\([A-Za-z]\).*/\1/p' "$T/usage.txt" | sort -u > "$T/opts.usage"
tagged_options "$MAN8" OPTIONS > "$T/opts.man"
check "-h lists options (at least -f, -n, -V)" \
    eval "grep -qx f '$T/opts.usage' && grep -qx n '$T/opts.usage' && grep -qx V '$T/opts.usage'"
while read -r o; do
    check "virt-agentx.8 has an entry for -$o (from -h)" grep -qx -- "$o" "$T/opts.man"
done < "$T/opts.usage"
while read -r o; do
    check "virt-agentx.8's entry -$o is an option -h lists" grep -qx -- "$o" "$T/opts.usage"
done < "$T/opts.man"
# The SYNOPSIS as rendered: the letter of every "-x" that starts a word or
# follows "[" (what follows the letter is an argument: -Llogopts).
groff -man -Tascii -P-cbou "$MAN8" 2> /dev/null |
    sed -n '/^SYNOPSIS/,/^DESCRIPTION/p' | grep -oE '(^|[[ ])-[A-Za-z]' |
    sed 's/.*-//' | sort -u > "$T/opts.synopsis"
check "virt-agentx.8's synopsis and -h agree on the letters" \
    diff "$T/opts.usage" "$T/opts.synopsis"

# ---- directives -----------------------------------------------------------

# What the agent takes for a directive: every word conf.c spells out as a
# string literal that, alone on a line, is not refused as an unknown
# directive (so the list follows the parser, however it matches names).
# agent_says LINE: the agent's answer to -n with a file holding LINE.
agent_says() {
    printf '%s\n' "$1" > "$T/one.conf"
    "$AGENT" -n -c "$T/one.conf" 2>&1
}
grep -o '"[A-Za-z]\+"' "$VAX_TOP_SRCDIR/src/conf.c" | tr -d '"' | sort -u > "$T/literals"
: > "$T/directives.code"
while read -r w; do
    agent_says "$w" | grep -q 'unknown directive' || echo "$w" >> "$T/directives.code"
done < "$T/literals"
require "a made-up directive is refused as unknown (the probe works)" \
    eval 'agent_says "frobnicate 1" | grep -q "unknown directive"'
require "conf.c yields directives (at least libvirtURI and cacheTimeout)" \
    eval "grep -qx libvirtURI '$T/directives.code' && grep -qx cacheTimeout '$T/directives.code'"
echo "# directives the agent accepts: $(tr '\n' ' ' < "$T/directives.code")"

# The DIRECTIVES section's entries: ".BI name ..." or ".B name" after .TP.
awk '/^\.SH / { in_sec = ($0 == ".SH DIRECTIVES"); next }
     in_sec && prev ~ /^\.TP/ && match($0, /^\.BI? [A-Za-z]+/) { print $2 }
     { prev = $0 }' "$MAN5" | sort -u > "$T/directives.man"
while read -r d; do
    check "virt-agentx.conf.5 has an entry for $d" grep -qx -- "$d" "$T/directives.man"
done < "$T/directives.code"
while read -r d; do
    check "virt-agentx.conf.5's entry $d is a directive the agent accepts" \
        eval "! agent_says '$d' | grep -q 'unknown directive'"
done < "$T/directives.man"

# entry NAME: the text of NAME's entry in the DIRECTIVES section.
entry() {
    awk -v d="$1" '/^\.SH / { in_sec = ($0 == ".SH DIRECTIVES"); next }
        in_sec && /^\.TP/ { tp = 1; on = 0; next }
        in_sec && tp { on = ($2 == d); tp = 0 }
        in_sec && on' "$MAN5" | tr '\n' ' '
}
# A numeric directive's range, as the agent states it when refusing "x".
while read -r d; do
    range=$(agent_says "$d x" | sed -n 's/.* in \([0-9]*\.\.[0-9]*\)$/\1/p')
    [ -n "$range" ] || continue
    check "$d: the page gives the agent's range $range" \
        eval "entry '$d' | grep -qF 'Range $range;'"
    check "$d: the example configuration gives the range $range" \
        eval "grep -B6 '^#$d ' '$EXAMPLE' | grep -qF '$range'"
done < "$T/directives.code"

# trapEvents: every event name the agent's own refusal lists.
agent_says "trapEvents bogus" | sed -n 's/.*(use \(.*\))$/\1/p' | tr -d ' ' | tr , '\n' \
    > "$T/events"
require "the agent lists its event names when refusing one" test -s "$T/events"
while read -r e; do
    check "trapEvents: the page names the event $e" \
        eval "entry trapEvents | grep -qE '(^| )$e( |\$)'"
done < "$T/events"

# ---- notifications ----------------------------------------------------------

# Every NOTIFICATION-TYPE of the MIB is in virt-agentx.8's list, with its
# number: ".TP" then ".B name" then "\&.N".
awk '/^[A-Za-z]+ NOTIFICATION-TYPE/ { n = $1 }
     n && /::=/ { gsub(/[{}]/, ""); print n, $NF; n = "" }' \
    "$VAX_TOP_SRCDIR/mibs/VIRT-AGENTX-MIB.txt" > "$T/notifications"
require "the MIB has notifications" test -s "$T/notifications"
while read -r name number; do
    check "virt-agentx.8 lists $name as .$number" \
        eval "grep -A1 -x '.B $name' '$MAN8' | grep -q '^\\\\&\\.$number\\(,\\|\$\\)'"
done < "$T/notifications"

# ---- the example configuration --------------------------------------------

check "the example configuration is accepted as it is (all commented out)" \
    eval "'$AGENT' -n -c '$EXAMPLE' | grep -q 'configuration OK'"
while read -r d; do
    check "the example configuration shows $d, commented out" grep -q "^#$d " "$EXAMPLE"
done < "$T/directives.code"
sed -n 's/^#\([A-Za-z]\+\) /\1 /p' "$EXAMPLE" > "$T/uncommented.conf"
check "its directive lines, uncommented, are accepted" \
    eval "'$AGENT' -n -c '$T/uncommented.conf' | grep -q 'configuration OK'"
check "and they are only directives the agent accepts" eval '
    cut -d" " -f1 "$T/uncommented.conf" | sort -u | diff - "$T/directives.code"'
vax_done
