"""Real commands, explained from this machine's man pages.

Each expected help fragment was checked against the page (`man ls`, `man tar`, ...); the
groundedness test separately checks that every help string is a quote. When a page is absent
from a machine, the test asserts the documented behaviour for that case instead (help None,
a note that says no man page was found) -- never a silent skip.
"""

from __future__ import annotations

import pytest

from explain_helpers import expect, man_path, part


pytestmark = pytest.mark.needs("man", "groff")  # quotes the machine's man pages


def test_ls_combined_short_options(explain):
    parts = explain("ls -la /tmp")
    assert [(p["text"], p["kind"], p["span"]) for p in parts] == [
        ("ls", "command", [0, 2]), ("-la", "option", [3, 6]), ("/tmp", "argument", [7, 11])]
    if man_path("ls"):
        opt = part(parts, "-la")
        # one segment per letter, in the order written, each quoted from ls(1)
        assert opt["help"].startswith("-l use a long listing format; -a do not ignore entries starting with .")
        assert part(parts, "ls")["help"] == "list directory contents"
    expect(part(parts, "-la"), "ls", "use a long listing format")


def test_find_primaries_and_exec(explain):
    cmd = "find . -name '*.log' -mtime +7 -exec gzip {} \\;"
    parts = explain(cmd)
    expect(part(parts, "find", "command"), "find", "search for files in a directory hierarchy")
    expect(part(parts, "-name '*.log'", "option"), "find", "Base of file name")
    expect(part(parts, "-mtime +7", "option"), "find", "last modified")
    expect(part(parts, "-exec", "option"), "find", "Execute command")
    # the command run by -exec is explained as a command, from its own page
    expect(part(parts, "gzip", "command"), "gzip", "compress or expand files")
    expect(part(parts, "{}", "argument"), "find", "is replaced by the current file name")
    term = part(parts, "\\;")
    assert term["kind"] == "argument" and "-exec" in term["note"]
    for p in parts:
        assert cmd[p["span"][0]:p["span"][1]] == p["text"]


def test_find_negative_number_is_a_value(explain):
    parts = explain("find /var -mtime -30 -type f")
    expect(part(parts, "-mtime -30", "option"), "find", "last modified")
    expect(part(parts, "-type f", "option"), "find", "File is of type")


def test_tar_unix_and_old_style(explain):
    parts = explain("tar -xzvf archive.tar.gz -C /opt")
    opt = part(parts, "-xzvf archive.tar.gz", "option")  # f takes the archive name
    expect(opt, "tar", "-x Extract files from an archive.")
    if man_path("tar"):
        for frag in ("-z Filter the archive through gzip", "-v Verbosely list files processed",
                     "-f Use archive file or device ARCHIVE"):
            assert frag in opt["help"]
    expect(part(parts, "-C /opt", "option"), "tar", "Change to DIR")
    old = explain("tar czf backup.tgz /etc")
    expect(part(old, "czf backup.tgz", "option"), "tar", "-c Create a new archive.")
    assert part(old, "/etc")["kind"] == "argument"


def test_ps_bsd_options(explain):
    parts = explain("ps aux")
    opt = part(parts, "aux", "option")
    expect(opt, "ps", 'a Lift the BSD-style "only yourself" restriction')
    if man_path("ps"):
        assert "u Display user-oriented format." in opt["help"]
        assert '; x Lift the BSD-style "must have a tty" restriction' in opt["help"]


def test_grep_long_option_with_value(explain):
    parts = explain("grep -rn --include='*.py' TODO .")
    expect(part(parts, "-rn", "option"), "grep", "-r Read all files under each directory, recursively")
    expect(part(parts, "--include='*.py'", "option"), "grep", "Search only files whose base name matches GLOB")
    assert part(parts, "TODO")["kind"] == "argument"


def test_sed_option_taking_a_value(explain):
    parts = explain("sed -n -e 's/a/b/p' in.txt")
    expect(part(parts, "-n", "option"), "sed", "suppress automatic printing of pattern space")
    expect(part(parts, "-e 's/a/b/p'", "option"), "sed", "add the script to the commands to be executed")


def test_awk_field_separator(explain):
    parts = explain("awk -F: '{print $1}' /etc/passwd")
    awk = part(parts, "awk", "command")
    page = "mawk" if (man_path("awk") or "").endswith("mawk.1.gz") else "awk"
    if man_path("awk"):
        assert awk["source"].startswith("man:") and awk["help"]
        assert part(parts, "-F:", "option")["source"] == awk["source"]
    else:
        assert awk["help"] is None
    assert page


def test_xargs_runs_a_command(explain):
    parts = explain("find . -print0 | xargs -0 rm -f")
    expect(part(parts, "-0", "option"), "xargs", "Input items are terminated by a null character")
    expect(part(parts, "rm", "command"), "rm", "remove files or directories")
    expect(part(parts, "-f", "option"), "rm", "ignore nonexistent files")
    assert part(parts, "|")["kind"] == "operator"


def test_git_subcommand_page(explain):
    parts = explain("git commit -am 'fix typo' && git push -u origin main")
    expect(part(parts, "git", "command"), "git", "the stupid content tracker")
    expect(part(parts, "commit", "subcommand"), "git", "Record changes to the repository", page="git-commit")
    expect(part(parts, "-am 'fix typo'", "option"), "git", "-a Tell the command to automatically stage files",
           page="git-commit")
    expect(part(parts, "push", "subcommand"), "git", "Update remote refs", page="git-push")
    assert part(parts, "&&")["source"] == "syntax:bash"


def test_docker_without_a_page(explain):
    parts = explain("docker run --rm -it ubuntu bash")
    sub = part(parts, "run", "subcommand")
    if man_path("docker") is None:
        assert part(parts, "docker")["help"] is None
        assert "no man page for docker" in part(parts, "docker")["note"]
        assert sub["help"] is None
        assert part(parts, "--rm")["help"] is None
    else:
        assert part(parts, "docker")["source"].startswith("man:docker")


def test_curl_options(explain):
    parts = explain("curl -fsSL -o page.html https://example.com")
    opt = part(parts, "-fsSL", "option")
    expect(opt, "curl", "-f (HTTP) Fail fast with no output at all on server errors")
    if man_path("curl"):
        assert "; -L (HTTP) If the server reports that the requested page has moved" in opt["help"]
    expect(part(parts, "-o page.html", "option"), "curl", "Write output to <file> instead of stdout")


def test_ssh_mdoc_page(explain):
    parts = explain("ssh -i ~/.ssh/id_ed25519 -p 2222 -L 8080:localhost:80 user@host")
    expect(part(parts, "-i ~/.ssh/id_ed25519", "option"), "ssh", "Selects a file from which the identity")
    expect(part(parts, "-p 2222", "option"), "ssh", "Port to connect to on the remote host")
    expect(part(parts, "-L 8080:localhost:80", "option"), "ssh", "Specifies that connections to the given TCP port")


def test_chmod_and_mode(explain):
    parts = explain("chmod -R 755 /var/www")
    expect(part(parts, "-R", "option"), "chmod", "change files and directories recursively")
    assert part(parts, "755")["kind"] == "argument"


def test_systemctl_and_apt_subcommands(explain):
    parts = explain("systemctl restart nginx")
    expect(part(parts, "restart", "subcommand"), "systemctl", "Stop and then start one or more units")
    apt = explain("apt install -y curl")
    expect(part(apt, "install", "subcommand"), "apt", "Performs the requested action", section="8")
    # apt(8) sends its readers to apt-get(8) for the options
    expect(part(apt, "-y", "option"), "apt-get", "Automatic yes to prompts", section="8")


def test_typo_option_says_so(explain):
    parts = explain("ls --colour=x")
    opt = part(parts, "--colour=x", "option")
    assert opt["help"] is None and opt["source"] is None
    if man_path("ls"):
        assert "did you mean --color" in opt["note"]


def test_gnu_long_option_abbreviation(explain):
    parts = explain("ls --almost")
    expect(part(parts, "--almost", "option"), "ls", "do not list implied . and ..")


def test_program_without_a_page(explain):
    parts = explain("frobnicate-xyz --fast input")
    assert part(parts, "frobnicate-xyz")["help"] is None
    assert "no man page" in part(parts, "frobnicate-xyz")["note"]
    assert part(parts, "--fast")["help"] is None
    rel = explain("./configure --prefix=/usr")
    assert "relative path" in part(rel, "./configure")["note"]


@pytest.mark.parametrize("cmd,name,fragment", [
    ("cd /tmp", "cd", "Change the shell working directory."),
    ("export FOO=bar", "export", "Set export attribute for shell variables."),
    ("read -r line", "read", "Read a line from the standard input"),
])
def test_builtins(explain, cmd, name, fragment):
    parts = explain(cmd)
    p = part(parts, name, "command")
    assert p["source"] == "builtin:bash" and fragment in p["help"]


def test_set_e_and_test_operators(explain):
    parts = explain("set -euo pipefail; [[ -f ~/.bashrc ]] && source ~/.bashrc")
    opt = part(parts, "-euo pipefail", "option")
    assert opt["source"] == "builtin:bash"
    assert opt["help"].startswith("-e Exit immediately if a command exits with a non-zero status.")
    assert part(parts, "[[", "keyword")["help"] == "Execute conditional command."
    assert part(parts, "-f", "operator")["help"] == "True if file exists and is a regular file."


def test_redirects_operators_assignments_substitutions(explain):
    cmd = 'FOO=1 make -j4 > build.log 2>&1 & echo "$(date +%s)" >> log; cat <<< "$x" | wc -l'
    parts = explain(cmd)
    kinds = {(p["text"], p["kind"]) for p in parts}
    for expected in [("FOO=1", "assignment"), ("> build.log", "redirect"), ("2>&1", "redirect"),
                     ("&", "operator"), ("$(date +%s)", "substitution"), (">> log", "redirect"),
                     (";", "operator"), ('<<< "$x"', "redirect"), ("|", "operator"), ("$x", "substitution")]:
        assert expected in kinds
    assert part(parts, "2>&1")["help"] == "send standard error to the same place as standard output"
    assert part(parts, "date", "command")["kind"] == "command"  # inside the substitution
    for p in parts:
        if p["kind"] in ("operator", "redirect", "assignment", "substitution") and p["help"]:
            assert p["source"] in ("syntax:bash", "builtin:bash")


def test_heredoc_and_keywords(explain):
    cmd = "if [ -d /tmp/x ]; then\n  cat <<EOF > f\nhi $USER\nEOF\nfi\nfor f in *.txt; do wc -l \"$f\"; done"
    parts = explain(cmd)
    assert part(parts, "if", "keyword")["help"] == "Execute commands based on conditional."
    assert part(parts, "<<EOF", "redirect")["help"].startswith("here-document")
    assert part(parts, "> f", "redirect")
    assert part(parts, "$USER", "substitution")
    assert part(parts, "for", "keyword")["source"] == "builtin:bash"
    assert part(parts, "*.txt", "argument")["help"].startswith("pathname expansion")
    for p in parts:
        assert cmd[p["span"][0]:p["span"][1]] == p["text"]


def test_spans_are_characters_not_bytes(explain):
    cmd = "echo 'héllo wörld' | grep -c ö"
    parts = explain(cmd)
    for p in parts:
        assert cmd[p["span"][0]:p["span"][1]] == p["text"]
    assert part(parts, "-c", "option")["span"] == [cmd.index("-c"), cmd.index("-c") + 2]
