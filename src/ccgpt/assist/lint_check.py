"""ShellCheck on a suggested one-liner: the findings that mean it does not do what it says.

Most of ShellCheck's advice is about robustness or style (quote "$var", `find -print0 | xargs
-0`, `cd ... || exit`). Sent to a small model as a repair request, that advice changes commands
that were right: quoting `md5sum $(ls)` makes one file name of many. So a candidate goes back
for repair only on ShellCheck's errors and on the warnings below, each a command whose words do
something other than they seem to; on the project's 541 reference commands (the dev set's gold
answers and the explain corpus's one-liners) none of them fires.
"""

from __future__ import annotations

# Warnings that mean the command as written is wrong (what each means, in our words).
WRONG_AS_WRITTEN = {
    1083,  # a `{` or `}` is literal: a quote closed early (nested single quotes in sh -c / awk)
    2026,  # a word outside quotes: `'...'$x'...'` meant as nested single quotes
    2061,  # find -name's unquoted glob, which the shell expands before find sees it
    2062,  # grep's unquoted pattern, which the shell expands first
    2146,  # `find ... -o ... -exec`: the action applies to the last alternative only
    2156,  # a file name pasted into `sh -c '... {}'` instead of passed as a parameter
    2210,  # `>` inside an expression is a file redirection, not a comparison
    2216,  # piping into a command that does not read stdin (`| rm`, `| echo`)
    2217,  # redirecting into a command that does not read stdin
    2227,  # a redirection among find's arguments applies to find itself, not to its action
}


# The user's shells ShellCheck reads; zsh and fish it does not (their syntax would be "errors").
DIALECTS = {"bash": "bash", "sh": "sh", "dash": "dash", "ksh": "ksh"}


# ShellCheck's wording is terse for a small model ("Use \\( \\) to group." was answered with the
# same command); these say what the fix looks like, in general terms.
FIX = {
    2146: "Put the -o alternatives in \\( \\) so the action applies to all of them: "
          "find DIR \\( -name 'A' -o -name 'B' \\) -exec CMD {} +",
    2026: "Single quotes cannot be nested: use double quotes inside, or end the quote and use '\\''.",
    2216: "Use xargs (or find -exec) to pass the names as arguments.",
}


def shell_bugs(command: str, shell: str = "bash") -> list[str]:
    """ShellCheck's errors and wrong-as-written warnings on `command`, as one line each
    ("SC2146: This action ignores everything before the -o. Use \\( \\) to group."); [] when
    ShellCheck is not installed or cannot read it, or for a shell it does not know (the check
    is a help, never a gate)."""
    from ccgpt.assist.lint import ShellCheckUnavailable, lint

    if shell not in DIALECTS:
        return []
    try:
        findings = lint(command, DIALECTS[shell], timeout=10)
    except ShellCheckUnavailable:
        return []
    notes = []
    for f in findings:
        if f.level == "error" or (f.level == "warning" and f.code in WRONG_AS_WRITTEN):
            note = f"SC{f.code}: {f.message.rstrip('.')}." + (f" {FIX[f.code]}" if f.code in FIX else "")
            if note not in notes:
                notes.append(note)
    return notes


def repair_request(command: str, undocumented: list[str], bugs: list[str], unused: list[str] | None = None) -> str:
    """The one repair turn's request: what the man page and ShellCheck say is wrong, and the
    files the task names that the command does not use (named_paths.unused_paths)."""
    said = [f"The command `{command}`"]
    if undocumented:
        said.append("uses options its manual page does not document: " + "; ".join(undocumented) + ".")
    if bugs:
        said.append(("ShellCheck also finds mistakes in it: " if undocumented else "has mistakes ShellCheck finds: ")
                    + " ".join(bugs))
    if unused:
        said.append(("It does not use " if len(said) > 1 else "does not use ") + ", ".join(unused) + ", which the task names.")
    return " ".join(said) + " Reply with a corrected command in a ```bash code block."
