"""Our own table of shell syntax: operators, redirects, expansions, keyword pieces.

These texts are written by this project (source `syntax:bash`), checked against the bash
manual's sections on pipelines, lists, redirection and expansion. Everything else an
explanation says is quoted from the machine's man pages or from bash's `help`.
"""

from __future__ import annotations

SOURCE = "syntax:bash"

OPERATORS = {
    "|": "pipe: the standard output of the command on the left is connected to the standard input of the command on the right",
    "|&": "pipe both standard output and standard error of the command on the left into the command on the right",
    "&&": "and: run the command on the right only if the command on the left succeeded (exit status 0)",
    "||": "or: run the command on the right only if the command on the left failed (non-zero exit status)",
    ";": "run the commands one after the other; the next starts when the previous one has finished",
    ";;": "end of one case branch",
    "&": "run the command on the left in the background; the shell does not wait for it to finish",
    "\n": "run the commands one after the other",
    "!": "negate the exit status of the pipeline that follows",
    "(": "run the commands inside the parentheses in a subshell: changes to variables or the current directory do not last after it",
    "{": "group the commands inside the braces; they run in the current shell",
    "((": "arithmetic evaluation: the expression is evaluated; the status is 0 when its value is not zero",
    "function": "define a shell function",
    "then": "the commands run when the condition of the if or elif succeeded",
    "elif": "another condition, tested when the previous ones failed",
    "else": "the commands run when every condition failed",
    "fi": "end of the if statement",
    "do": "start of the loop body",
    "done": "end of the loop body",
    "in": "the list of words the loop variable takes in turn, or the word a case statement matches",
    "esac": "end of the case statement",
    "]]": "end of the conditional expression",
    "]": "end of the test expression",
    "}": "end of the group of commands",
    ")": "end of the subshell",
}

REDIRECTS = {
    ">": "redirect standard output to the file, truncating it first (creating it if needed)",
    ">>": "redirect standard output to the file, appending to it (creating it if needed)",
    "<": "read standard input from the file",
    ">|": "redirect standard output to the file, truncating it even when the noclobber option is set",
    "<>": "open the file for both reading and writing on the file descriptor (standard input by default)",
    "&>": "redirect both standard output and standard error to the file, truncating it",
    "&>>": "append both standard output and standard error to the file",
    ">&": "duplicate an output file descriptor: write to where the target descriptor writes",
    "<&": "duplicate an input file descriptor",
    "2>": "redirect standard error (file descriptor 2) to the file, truncating it",
    "2>>": "append standard error (file descriptor 2) to the file",
    "2>&1": "send standard error to the same place as standard output",
    "1>&2": "send standard output to the same place as standard error",
    ">&2": "send standard output to the same place as standard error",
    ">/dev/null": "discard standard output",
    "2>/dev/null": "discard standard error (error messages)",
    "&>/dev/null": "discard both standard output and standard error",
    "<<": "here-document: the lines that follow, up to the delimiter line, are the command's standard input",
    "<<-": "here-document with leading tabs removed from its lines and from the delimiter line",
    "<<<": "here-string: the word after the operator, with a newline added, is the command's standard input",
}

EXPANSIONS = {
    "$(": "command substitution: runs the command inside and puts its output here (trailing newlines removed)",
    "`": "command substitution (old form): runs the command inside the backquotes and puts its output here",
    "<(": "process substitution: runs the command inside and puts here a file name from which its output can be read",
    ">(": "process substitution: runs the command inside and puts here a file name whose written data becomes its input",
    "$": "parameter expansion: replaced by the value of the variable",
    "${": "parameter expansion: replaced by the value of the variable, possibly transformed by the operator inside the braces",
    "$((": "arithmetic expansion: replaced by the value of the arithmetic expression",
    "assignment": "variable assignment: sets the shell variable on the left of = to the value on the right",
    "prefix-assignment": "variable assignment placed before a command: the variable is set in that command's environment only",
    "glob": "pathname expansion: the pattern is replaced by the sorted list of matching file names",
    "~": "tilde expansion: replaced by the home directory",
    "brace": "brace expansion: generates one word for each comma-separated item or sequence element",
    "heredoc-body": "the here-document's lines, given to the command as standard input",
    "comment": "a comment: ignored by the shell",
}

TABLE = {**OPERATORS, **REDIRECTS, **EXPANSIONS}


def lookup(key: str) -> str | None:
    return TABLE.get(key)


def redirect_key(op: str, fd: str | None, target: str | None) -> str:
    """The most specific table key for a redirect: `2>&1`, `2>/dev/null`, `>>`, ..."""
    fd = fd or ""
    full = f"{fd}{op}{target or ''}"
    for cand in (full, f"{fd}{op}", (f"{op}{target}" if fd in ("", "1") else ""), op):
        if cand and cand in REDIRECTS:
            return cand
    return op
