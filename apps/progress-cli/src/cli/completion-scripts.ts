/**
 * Shell completion scripts. Both call `progress --get-yargs-completions <words>`, which yargs
 * answers from the same command definitions the parser uses, so completions never drift.
 */
export const BASH_COMPLETION = `###-begin-progress-completions-###
# bash completion for progress. Install: progress completion bash >> ~/.bashrc
_progress_completions()
{
    local cur_word args type_list
    cur_word="\${COMP_WORDS[COMP_CWORD]}"
    args=("\${COMP_WORDS[@]}")
    mapfile -t type_list < <(progress --get-yargs-completions "\${args[@]}" 2>/dev/null)
    mapfile -t COMPREPLY < <(compgen -W "$( printf '%q ' "\${type_list[@]}" )" -- "\${cur_word}")
    return 0
}
complete -o bashdefault -o default -F _progress_completions progress
###-end-progress-completions-###
`;

export const ZSH_COMPLETION = `#compdef progress
###-begin-progress-completions-###
# zsh completion for progress. Install: progress completion zsh > "\${fpath[1]}/_progress"
_progress_completions()
{
  local reply
  local si=$IFS
  IFS=$'\\n' reply=($(COMP_CWORD="$((CURRENT-1))" COMP_LINE="$BUFFER" COMP_POINT="$CURSOR" progress --get-yargs-completions "\${words[@]}" 2>/dev/null))
  IFS=$si
  if [[ \${#reply} -gt 0 ]]; then
    _describe 'values' reply
  else
    _default
  fi
}
if [[ "\${zsh_eval_context[-1]}" == "loadautofunc" ]]; then
  _progress_completions "$@"
else
  compdef _progress_completions progress
fi
###-end-progress-completions-###
`;
