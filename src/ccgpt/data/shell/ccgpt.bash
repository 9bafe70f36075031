# ccgpt shell integration for bash. Load it from ~/.bashrc with:
#   eval "$(ccgpt shell-init bash)"

ask() { command ccgpt ask "$@"; }
sh-help() { command ccgpt suggest "$@"; }
sh-explain() { command ccgpt explain "$@"; }
sh-script() { command ccgpt script "$@"; }

# The key binding: the typed line goes to `ccgpt suggest --print-only`, which shows its menu
# on the terminal and prints only the chosen command; that command replaces the line, for you
# to edit or run with Enter. Nothing is ever run from here.
__ccgpt_suggest_line() {
    local line="$READLINE_LINE" cmd
    [[ -n "${line//[[:space:]]/}" ]] || return 0
    cmd="$(command ccgpt suggest --print-only -- "$line" </dev/tty)" || return 0
    [[ -n "$cmd" ]] || return 0
    READLINE_LINE="$cmd"
    READLINE_POINT=${#READLINE_LINE}
}

_ccgpt_complete() {
    local cur="${COMP_WORDS[COMP_CWORD]}"
    if [[ "$cur" == -* ]]; then
        COMPREPLY=( $(compgen -W "__CCGPT_FLAGS__" -- "$cur") )
        return 0
    fi
    if (( COMP_CWORD == 1 )); then
        COMPREPLY=( $(compgen -W "__CCGPT_COMMANDS__" -- "$cur") )
        return 0
    fi
    if (( COMP_CWORD == 2 )); then
        case "${COMP_WORDS[1]}" in
__CCGPT_BASH_SUBCOMMANDS__
        esac
    fi
}

if [[ $- == *i* ]]; then
    bind -x '"__CCGPT_KEY__": __ccgpt_suggest_line'
    complete -o default -F _ccgpt_complete ccgpt
fi
