# ccgpt shell integration for zsh. Load it from ~/.zshrc (after compinit, for completions) with:
#   eval "$(ccgpt shell-init zsh)"

ask() { command ccgpt ask "$@" }
sh-help() { command ccgpt suggest "$@" }
sh-explain() { command ccgpt explain "$@" }
sh-script() { command ccgpt script "$@" }

# The key binding: the typed line goes to `ccgpt suggest --print-only`, which shows its menu
# on the terminal and prints only the chosen command; that command replaces the buffer, for
# you to edit or run with Enter. Nothing is ever run from here.
__ccgpt_suggest_widget() {
    local line=$BUFFER cmd
    [[ -n ${line//[[:space:]]/} ]] || return 0
    zle -I
    cmd="$(command ccgpt suggest --print-only -- "$line" </dev/tty)" || { zle reset-prompt; return 0 }
    if [[ -n $cmd ]]; then
        BUFFER=$cmd
        CURSOR=${#BUFFER}
    fi
    zle reset-prompt
}

_ccgpt() {
    local -a commands
    commands=(
__CCGPT_ZSH_DESCRIBE__
    )
    if (( CURRENT == 2 )); then
        _describe 'ccgpt command' commands
        return
    fi
    if [[ ${words[CURRENT]} == -* ]]; then
        compadd -- __CCGPT_FLAGS__
        return
    fi
    if (( CURRENT == 3 )); then
        case ${words[2]} in
__CCGPT_ZSH_SUBCOMMANDS__
        esac
    fi
    _files
}

if [[ -o interactive ]]; then
    zle -N __ccgpt_suggest_widget
    bindkey -M emacs '__CCGPT_KEY__' __ccgpt_suggest_widget
    bindkey -M viins '__CCGPT_KEY__' __ccgpt_suggest_widget
    (( $+functions[compdef] )) && compdef _ccgpt ccgpt
fi
