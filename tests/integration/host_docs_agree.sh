#!/usr/bin/env bash
# carbondump --help, the carbondump(1) man page and the bash completion name
# the same flags, for the main command and for install-agent; the man page
# renders without warnings, and the completion offers the values it documents.
. "$(dirname "$0")/lib.sh"
man_page="${CD_BINARY_DIR:?CD_BINARY_DIR must point at the CMake build directory}/packaging/carbondump.1.gz"
completion="$CD_SOURCE/packaging/bash-completion/carbondump"
[ -f "$man_page" ] || fail "no man page at $man_page (the manpage target builds it)"; pass

# Flags of --help: on option lines ("  -x, --xx VALUE   text"), before the text.
help_flags() {
  grep -E '^  -' | sed -E 's/^  //; s/ {2,}.*//' |
    grep -oE -- '(^|[ ,|])--?[a-zA-Z][a-zA-Z-]*' | sed -E 's/^[ ,|]//' | sort -u
}
# Flags the man page defines between two headings: on the lines that start with a
# bold flag and are followed by the indented text (.RS) that describes them.
man_flags() { # first heading, next heading
  gzip -dc "$man_page" | sed -n "/^\.SH $1\$/,/^\.SH $2\$/p" |
    awk '/^\.RS/ && previous ~ /^\\fB-/ { print previous } { previous = $0 }' |
    grep -oE -- '\\fB--?[a-zA-Z][a-zA-Z-]*\\fR' | sed -E 's/^\\fB//; s/\\fR$//' | sort -u
}
# What the completion offers after the given words, for a word starting with $1.
complete_words() { # current word, preceding words...
  local cur=$1; shift
  bash -c '. "$1"; shift; COMP_WORDS=(carbondump "$@"); COMP_CWORD=$(($# ));
           _carbondump; printf "%s\n" "${COMPREPLY[@]}"' _ "$completion" "$@" "$cur" | sort -u
}

"$CARBONDUMP" --help >"$WORK/help.txt" || fail "carbondump --help failed"
"$CARBONDUMP" install-agent --help >"$WORK/install-help.txt" || fail "carbondump install-agent --help failed"
main=$(help_flags <"$WORK/help.txt")
install=$(help_flags <"$WORK/install-help.txt")
[ "$(wc -l <<<"$main")" -ge 25 ] || fail "too few flags read from --help: $main"; pass
[ "$(wc -l <<<"$install")" -ge 8 ] || fail "too few flags read from install-agent --help: $install"; pass

expect_eq "$main" "$(man_flags OPTIONS INSTALL-AGENT)" "flags of --help and of the man page's OPTIONS"
expect_eq "$install" "$(man_flags INSTALL-AGENT 'EXIT STATUS')" "flags of install-agent --help and of the man page's INSTALL-AGENT"
expect_eq "$main" "$(complete_words -)" "flags the completion offers"
expect_eq "$install" "$(complete_words - install-agent --carbon-home /opt/am)" "flags the completion offers after install-agent"

warnings=$(MANWIDTH=80 man --warnings -E UTF-8 -l "$man_page" 2>&1 >/dev/null)
expect_eq "" "$warnings" "warnings rendering the man page"
MANWIDTH=80 man -E UTF-8 -l "$man_page" 2>/dev/null | grep -q '^       carbondump install-agent --carbon-home DIR' ||
  fail "the rendered man page lacks the install-agent synopsis"; pass

expect_eq install-agent "$(complete_words ins)" "completion of the subcommand"
expect_eq threads "$(complete_words thr --only)" "completion of a section"
expect_eq threads,histogram "$(complete_words threads,hi --skip)" "completion of a section after a comma"
expect_eq "$(printf 'none\nbasic\nfull' | sort)" "$(complete_words '' --heap-redact)" "completion of --heap-redact"
expect_eq "" "$(complete_words '' --timeout)" "completion of a number"
finish
