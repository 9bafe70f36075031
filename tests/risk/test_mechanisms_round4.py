"""The round-4 mechanisms (branch riskfix) on variants the red team did not write: each row is
a spelling the same mechanism must cover, with the level RISK-POLICY.md requires ("min") or
allows ("max"). The mechanisms are described in docs/risk-engine.md, "Fourth red-team round"."""

import pytest

from tests.helpers.levels import check_bound

B, D, R, S = "blocked", "dangerous", "review", "safe"

ROWS = [
    # getopt tables of fan-out programs (reading 5)
    ("min", B, "echo / | xargs -trn1 rm -rf"), ("min", B, "echo / | xargs -s 1000 rm -rf"),
    ("min", B, "echo ~ | xargs --max-args=1 rm -rf"), ("min", B, "echo / | xargs -L1 rm -rf"),
    ("min", B, "find -L / -delete"), ("min", B, "fd --exec rm -rf {} \\; . /"), ("min", B, "fd -0 . / | xargs -0 rm -rf"),
    ("min", D, "fd -e log . / | xargs rm"), ("max", S, "fd foo | xargs cat"),
    # program runners, table and fallback (policy intro, reading 12)
    ("min", B, "pdm run rm -rf ~"), ("min", B, "npm exec --yes -- rimraf ~"), ("min", B, "bunx rimraf /"),
    ("min", B, "gnome-terminal -- rm -rf /"), ("min", B, "tilix -e 'rm -rf /'"), ("min", B, "entr -s 'rm -rf ~' <<< x"),
    ("min", B, "watchexec -e py -- rm -rf ~"), ("min", B, "distrobox enter -- rm -rf ~"), ("min", B, "perf record -g rm -rf /"),
    ("min", D, "figlet-like-runner rm -rf /"), ("max", R, "poetry run pytest"), ("max", S, "cmake -E echo hi"),
    # git payloads and code in settings or variables
    ("min", B, "git submodule --quiet foreach 'rm -rf ~'"), ("min", B, "git rebase main --exec 'rm -rf ~'"),
    ("min", B, "git mergetool --tool-cmd='rm -rf ~'"), ("min", B, "git ls-remote 'ext::sh -c rm% -rf% /'"),
    ("min", D, "git -c core.hooksPath=/tmp/h commit"), ("min", B, "GIT_EXTERNAL_DIFF='rm -rf ~' git diff"),
    ("min", B, "env GIT_SSH_COMMAND='rm -rf ~' git pull"), ("min", B, "MANPAGER='sh -c \"rm -rf ~\"' man ls"),
    ("min", D, "export LD_PRELOAD=/tmp/x.so"), ("min", D, "NODE_OPTIONS='--require /tmp/x.js' node app.js"),
    ("max", R, "EDITOR=vim git commit"), ("max", S, "PAGER=less man ls"), ("max", S, "export EDITOR=vim"),
    # data transformed on its way into a shell
    ("min", D, "echo 'rm -rf ~' | cut -c1- | sh"), ("min", D, "printf 'rm -rf ~' | iconv -f utf8 -t ascii | sh"),
    ("min", B, "echo 'rm -rf ~' | head -1 | sh"), ("min", B, "echo 'rz -rf ~' | sed 's/\\(r\\)z/\\1m/' | sh"),
    ("min", B, "echo cm0gLXJmIH4= | openssl base64 -d | sh"), ("min", D, "tar xzOf a.tgz | sh"),
    ("min", B, "echo 'rm -rf /' | parallel"), ("max", S, "parallel ::: 'echo a' 'echo b'"),
    # whole trees
    ("min", B, "bzip2 -r ~"), ("min", B, "zstd -r --rm ~"), ("min", B, "rar m x.rar /etc"),
    ("min", B, "find ~ -type f -exec dd if=/dev/zero of={} \\;"), ("min", B, "find / -exec cp /dev/null {} \\;"),
    ("min", B, "find ~ -exec rm -rf {} + -name x"), ("max", R, "gzip -r logs/"), ("max", R, "gio trash old.txt"),
    # values bound by builtins and path programs
    ("min", B, "readarray -t a <<< /; rm -rf \"${a[@]}\""), ("min", B, "printf -v D '%s' ~; rm -rf \"$D\""),
    ("min", B, "local -n R=HOME; rm -rf $R"), ("min", B, "rm -rf \"$(readlink -f /)\""), ("min", B, "rm -rf $(dirname ~/x)"),
    ("min", B, "rm -rf ~/./../$LOGNAME"), ("min", B, "pushd / && rm -rf *"),
    # redirects of a list's last command, persistence payloads
    ("min", B, "true && echo 'rm -rf ~' > ~/.bashrc"), ("min", B, "echo 'alias ls=\"rm -rf ~\"' >> ~/.bashrc"),
    ("max", R, "ls && echo x > out.txt"),
    # inline code
    ("min", B, "python -c 'import shutil; shutil.rmtree(__import__(\"os\").path.expanduser(\"~\"))'"),
    ("min", B, "python3 -c 'import os; os.spawnvp(os.P_WAIT, \"rm\", [\"rm\",\"-rf\",\"/\"])'"),
    ("min", B, "lua5.4 -e 'os.execute(\"rm -rf /\")'"), ("max", R, "Rscript -e 'print(1)'"),
    # fail closed only where the position matters (reading 12)
    ("max", R, "touch $F"), ("max", R, "kill $PID"), ("max", S, "curl $URL"), ("max", R, "docker run $IMAGE"),
    ("max", R, "ssh $HOST"), ("max", R, "git checkout -b \"$BRANCH\""), ("max", R, "mkdir -p $DIR"),
    ("min", D, "rm -rf $DIR"), ("min", D, "kill -9 $(pgrep foo)"), ("min", D, "scp $F host:"), ("min", D, "curl -d $X https://x.example"),
    ("min", D, "systemctl $OP sshd"), ("min", D, "sed -i s/a/b/ $F"),
]


@pytest.mark.parametrize(("op", "level", "command"), ROWS)
def test_mechanism_variant(op: str, level: str, command: str) -> None:
    check_bound(op, level, command)
