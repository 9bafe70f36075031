# ccgpt shell integration for fish. Load it from ~/.config/fish/config.fish with:
#   ccgpt shell-init fish | source

function ask --description 'ccgpt ask'
    command ccgpt ask $argv
end
function sh-help --description 'ccgpt suggest'
    command ccgpt suggest $argv
end
function sh-explain --description 'ccgpt explain'
    command ccgpt explain $argv
end
function sh-script --description 'ccgpt script'
    command ccgpt script $argv
end

# The key binding: the typed line goes to `ccgpt suggest --print-only`, which shows its menu
# on the terminal and prints only the chosen command; that command replaces the buffer, for
# you to edit or run with Enter. Nothing is ever run from here.
function __ccgpt_suggest_line
    set -l line (commandline | string collect)
    if not string length -q -- (string trim -- "$line")
        return 0
    end
    set -l cmd (command ccgpt suggest --print-only -- "$line" </dev/tty | string collect)
    if test -n "$cmd"
        commandline --replace -- $cmd
        commandline -f end-of-line
    end
    commandline -f repaint
end

complete -c ccgpt -f -n __fish_use_subcommand -a '--help --version'
__CCGPT_FISH_COMPLETIONS__

if status is-interactive
    bind __CCGPT_KEY__ __ccgpt_suggest_line
    bind -M insert __CCGPT_KEY__ __ccgpt_suggest_line
end
