"""Lines of plain words, read without the parser.

Most lines the engine sees are one simple command of literal words: `ls -la src`, `git status`,
`rm -rf build`, `grep -rn 'TODO' src`. For those, tree-sitter's tree is always the same shape:
one `command` whose name is a `word` and whose arguments are `word`, `number` or `raw_string`
(single-quoted) nodes, one per blank-separated token. So the words are cut here with a regex
and evaluated and dispatched by the same code as the tree's words (Dispatcher.visit_plain),
which skips the parse and the node reads, the larger half of the cost of such a line.

The alphabet is what makes the shortcut exact: no double quote, backslash, `$`, backquote, glob,
brace, bracket, `#`, `!`, operator, redirection or non-ASCII character can appear, and a name
that bash or the grammar treats specially (a reserved word, `time`, a declaration, `unset`, an
assignment) sends the line to the parser. Anything not matched takes the full path: the
shortcut can only be skipped, never wrong. tests/risk/test_plainline.py checks that the tree has
that shape and the verdict is the same with and without the shortcut, over generated lines and
every plain example of the rule catalogue and the corpora.
"""

from __future__ import annotations

from ccgpt.risk.lazyre import lazy_re

# A plain word: characters with no meaning to bash or to the grammar inside a word (`~` only
# expands at the start of a word, which the rules read from the text as the parser gives it),
# or a whole single-quoted word of printable ASCII (its text is literal, whatever it holds).
# Lines without a quote (most) are checked with str.strip, which compiles nothing.
_UNQUOTED = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_./:,+=@%^~- "
_TOKEN = r"(?:[A-Za-z0-9_./:,+=@%^~-]+|'[ -&(-~]*')"
_PLAIN_LINE = lazy_re(rf" *{_TOKEN}(?: +{_TOKEN})* *")
_WORD = lazy_re(_TOKEN)
# The command name: a program name or path, not starting with `-`, and not a reserved word
# with something glued on (`fi.x` is read as `fi` by the grammar).
_NAME_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_./-")
_RESERVED = frozenset("if then else elif fi case esac for while until do done in select function time coproc".split())
# Words the grammar or bash reads as syntax when they come first (or anywhere, for the
# reserved words: `ls then` is fine for bash, but the full path costs little for such lines).
_SPECIAL = frozenset(
    "if then else elif fi case esac for select while until do done in function time coproc "
    "declare typeset export local readonly unset unsetenv".split())

ENABLED = True  # tests turn the shortcut off to compare both paths


class PlainWord:
    """The few attributes of a tree-sitter `word` node that the dispatch reads."""

    __slots__ = ("start_byte", "end_byte", "type")
    children: tuple = ()
    child_count = 0
    is_named = True

    def __init__(self, start: int, end: int, quoted: bool) -> None:
        self.start_byte, self.end_byte = start, end
        self.type = "raw_string" if quoted else "word"


def _keyword_head(name: str) -> bool:
    """`fi.x`, `done-x`: the grammar reads the reserved word at the front as syntax."""
    if name.isalnum():
        return False  # a whole word: a reserved one is in _SPECIAL already
    return name.split(".", 1)[0].split("/", 1)[0].split("-", 1)[0] in _RESERVED


def plain_words(text: str) -> list[PlainWord] | None:
    """The words of `text` when it is one command of plain words; None when it needs the parser."""
    if not ENABLED:
        return None
    if "'" not in text:
        if text.strip(_UNQUOTED):
            return None
        tokens = text.split()  # the usual case, and the fastest cut: blanks are single spaces here
    elif _PLAIN_LINE.fullmatch(text) is None:
        return None
    else:
        tokens = _WORD.findall(text)
    # A reserved word, an unusual name (`'rm'`, `a=b`, `-`, `x@`, `a%`, `fi@x`: the grammar reads
    # some as syntax) or a word starting with `=` (`==` and `=~` are test operators to it) is the
    # full path's to read.
    if not tokens or " =" in text or tokens[0][0] in "=-" or not _NAME_CHARS.issuperset(tokens[0]):
        return None
    if not _SPECIAL.isdisjoint(tokens) or _keyword_head(tokens[0]):
        return None
    words, pos = [], 0
    for word in tokens:
        pos = text.index(word, pos)  # the token itself: every token before it ends before `pos`
        end = pos + len(word)
        words.append(PlainWord(pos, end, word[0] == "'"))
        pos = end
    return words
