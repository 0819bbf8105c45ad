#!/usr/bin/env bash
# swc as `make install` installed it into PREFIX (no DESTDIR): the binary
# runs with the installed library and nothing else (no LD_LIBRARY_PATH),
# the man page names every subcommand and option swc's own help has and
# renders, and the bash and zsh completions offer swc's words. No cluster
# needed. tests/install/run.sh calls it after its install.
#
#   tests/install/swc.sh PREFIX
set -euo pipefail
PREFIX=${1:?usage: tests/install/swc.sh PREFIX}
fail() { echo "install test (swc): $*" >&2; exit 1; }
has() { local text; text=$(cat); grep -q "$@" <<<"$text"; }

bin=$PREFIX/bin/swc
man=$PREFIX/share/man/man1/swc.1
bashc=$PREFIX/share/bash-completion/completions/swc
zshc=$PREFIX/share/zsh/site-functions/_swc
[ -x "$bin" ] || fail "missing $bin"
for f in "$man" "$bashc" "$zshc"; do [ -f "$f" ] || fail "missing $f"; done

# The installed swc finds the installed library by itself.
unset LD_LIBRARY_PATH
ldd "$bin" | has "libswiftclient.so.* => $PREFIX/lib/" || fail "$bin does not load $PREFIX/lib's library: $(ldd "$bin")"
readelf -d "$bin" | has "RUNPATH.*\[$PREFIX/lib\]" || fail "$bin has no RUNPATH $PREFIX/lib"
ver=$("$bin" --version) || fail "swc --version failed"
[ "$ver" = "swc $(pkg-config --modversion "$PREFIX/lib/pkgconfig/swiftclient.pc")" ] || fail "swc --version: $ver"
help=$("$bin" --help) || fail "swc --help failed"
# The subcommands, as swc lists them (never a list of our own).
mapfile -t subs < <(awk '/^subcommands [(]/ { on = 1; next } on && /^$/ { exit } on { print $1 }' <<<"$help")
[ "${#subs[@]}" -ge 10 ] || fail "swc --help lists ${#subs[@]} subcommands"
has -x '  2 *.*' <<<"$help" || fail "swc --help has no exit statuses"

# The man page: every subcommand and each of its options, the exit statuses.
for sub in "${subs[@]}"; do
  has -x "\.SS $sub" <"$man" || fail "swc.1 has no section for $sub"
  sub_help=$("$bin" "$sub" --help) || fail "swc $sub --help failed"
  for flag in $(grep -oE -- '--[a-z0-9-]+' <<<"$sub_help" | sort -u); do
    has -F -- "\\fB${flag//-/\\-}\\fR" <"$man" || fail "swc.1 lacks $sub's $flag"
  done
done
for code in 0 1 2; do has -x ".B $code" <"$man" || fail "swc.1: no exit status $code"; done
has '^\.SH EXIT STATUS' <"$man" || fail "swc.1 has no EXIT STATUS"
if command -v groff >/dev/null; then
  text=$(groff -man -Tutf8 -ww -P-cbou "$man" 2>"$PREFIX/groff.err") || fail "groff failed"
  [ ! -s "$PREFIX/groff.err" ] || fail "groff warns: $(cat "$PREFIX/groff.err")"
  rm -f "$PREFIX/groff.err"
  for w in NAME SYNOPSIS DESCRIPTION SUBCOMMANDS "GLOBAL OPTIONS" "EXIT STATUS" "${subs[@]}"; do
    has -F "$w" <<<"$text" || fail "the rendered man page lacks $w"
  done
  MANPAGER=cat MANWIDTH=80 man -l "$man" >/dev/null 2>&1 || fail "man -l $man failed"
else
  fail "groff is needed (scripts/test installs it)"
fi

# bash: swc up<TAB> gives upload; options of the subcommand typed; nothing
# after it (then file names, -o default).
export PATH=$PREFIX/bin:$PATH
complete_bash() {
  bash --norc -c 'source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _swc; echo "${COMPREPLY[*]}"' \
    _ "$bashc" "$@"
}
bash --norc -c 'source "$1"; complete -p swc' _ "$bashc" | has -- '-o default -F _swc swc' \
  || fail "the bash completion does not register _swc for swc"
[ "$(complete_bash swc up)" = upload ] || fail "bash: swc up<TAB> gives '$(complete_bash swc up)'"
[ "$(complete_bash swc info)" = info ] || fail "bash: swc info<TAB> gives '$(complete_bash swc info)'"
[ "$(complete_bash swc upload --segment-s)" = --segment-size ] \
  || fail "bash: swc upload --segment-s<TAB> gives '$(complete_bash swc upload --segment-s)'"
[ "$(complete_bash swc -q download --no-sh)" = --no-shuffle ] || fail "bash: swc -q download --no-sh<TAB>"
[ "$(complete_bash swc --vers)" = --version ] || fail "bash: swc --vers<TAB> gives '$(complete_bash swc --vers)'"
[ -z "$(complete_bash swc upload c '')" ] || fail "bash: an operand should complete as a file name"
all=$(complete_bash swc '')
# Every subcommand but bash_completion (as swift's leaves itself out).
for sub in "${subs[@]}"; do
  [ "$sub" = bash_completion ] || has -w -- "$sub" <<<"$all" || fail "bash: swc <TAB> lacks $sub"
done
if has -w bash_completion <<<"$all"; then fail "bash: swc <TAB> offers bash_completion"; fi

# zsh: the completion function run with compadd and _files stubbed.
command -v zsh >/dev/null || fail "zsh is needed (scripts/test installs it)"
complete_zsh() {
  zsh -f -c 'compadd() { [[ $1 == -- ]] && shift; print -l -- "$@" }; _files() { print FILES }
             _call_program() { shift; "$@" }
             f=$1; shift; words=("$@"); CURRENT=$#; PREFIX=${words[CURRENT]}; source "$f"' _ "$zshc" "$@" \
    | grep -E -- "^(FILES|${*: -1}.*)\$" | tr '\n' ' ' | sed 's/ $//'
}
[ "$(complete_zsh swc up)" = upload ] || fail "zsh: swc up<TAB> gives '$(complete_zsh swc up)'"
[ "$(complete_zsh swc upload --segment-s)" = --segment-size ] \
  || fail "zsh: swc upload --segment-s<TAB> gives '$(complete_zsh swc upload --segment-s)'"
[ "$(complete_zsh swc upload c '')" = FILES ] || fail "zsh: an operand should complete as a file name"
has -x '#compdef swc' < <(head -n 1 "$zshc") || fail "_swc does not start with #compdef swc"
echo "install test (swc): ${#subs[@]} subcommands in swc.1 (rendered), bash and zsh complete, runs from $PREFIX"
