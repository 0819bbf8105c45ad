# bash completion for swc, the OpenStack Swift client of libswiftclient
# (installed as $(datadir)/bash-completion/completions/swc).
#
# The words come from swc itself: `swc bash_completion` prints the
# subcommands and the global options, `swc bash_completion <subcommand>`
# that subcommand's options and the global ones (as python-swiftclient's
# `swift bash_completion`), so what is offered is always what the swc being
# completed takes. Operands complete as file names (`complete -o default`).
_swc() {
  local cur=${COMP_WORDS[COMP_CWORD]} swc=${COMP_WORDS[0]/#\~/$HOME} words w sub=
  local -a subs=()
  COMPREPLY=()
  words=$("$swc" bash_completion 2>/dev/null) || return 0
  for w in $words; do
    [[ $w == -* ]] || subs+=("$w")
  done
  # The subcommand: the first word before the cursor that names one.
  for w in "${COMP_WORDS[@]:1:COMP_CWORD-1}"; do
    if [[ " ${subs[*]} " == *" $w "* ]]; then
      sub=$w
      break
    fi
  done
  if [[ $cur == -* ]]; then
    words=$("$swc" bash_completion ${sub:+"$sub"} 2>/dev/null) || return 0
    mapfile -t COMPREPLY < <(compgen -W "$words" -- "$cur")
  elif [[ -z $sub ]]; then
    mapfile -t COMPREPLY < <(compgen -W "${subs[*]}" -- "$cur")
  fi
  return 0
}
complete -o default -F _swc swc
