"""Fail closed, as properties over every example of every rule in the catalogue (hypothesis):
a redirection inserted between two words, a literal operand replaced by `$VAR`, `${VAR}`,
`"$VAR"` or `$(cmd)`, flags split or reordered, any wrapper put in front — none of these lowers
the level.

One reading bounds the operand property: a word the engine cannot see is at worst `dangerous`
(unresolved-operand), since `blocked` is for targets seen to reduce to a root or home
(RISK-POLICY reading 12 with readings 1-2), so a `blocked` example may become `dangerous`."""

import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ccgpt.risk import classify
from ccgpt.risk.commands import SHORT_VALUES, WRAPPERS
from ccgpt.risk.levels import Level
from ccgpt.risk.parse import parse
from ccgpt.risk.rules import RULES

EXAMPLES = sorted({ex for r in RULES for ex in r.must_match + r.must_not_match})
SETTINGS = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
# A minimal valid invocation of every wrapper the engine knows (its positional operands filled).
_POSITIONAL = {"timeout": "timeout 5", "chroot": "chroot /srv/jail", "flock": "flock /tmp/lock", "sg": "sg users",
               "taskset": "taskset 1", "faketime": "faketime 2020-01-01", "chrt": "chrt 1", "gosu": "gosu app",
               "su-exec": "su-exec app"}
WRAPPER_PREFIXES = sorted(_POSITIONAL.get(w, w) for w in WRAPPERS if w not in ("exec", "coproc"))


def level(cmd: str) -> Level:
    return classify(cmd).level


def _commands(text: str):
    """Top-level `command` nodes of the text (not those inside strings that become code)."""
    data = text.encode()
    stack = [parse(data).root_node]
    while stack:
        n = stack.pop()
        if n.type == "command":
            yield n
        if n.type not in ("command_substitution", "process_substitution", "heredoc_body"):
            stack.extend(n.children)


def _char(text: str, b: int) -> int:
    return len(text.encode()[:b].decode("utf-8", "ignore"))


def _word_gaps(text: str) -> list[int]:
    out = []
    for cmd in _commands(text):
        kids = [c for c in cmd.children if c.type != "variable_assignment"]
        out += [_char(text, c.end_byte) for c in kids[:-1]]
    return sorted(set(out))


def _operands(text: str) -> list[tuple[int, int]]:
    out = []
    for cmd in _commands(text):
        for c in cmd.children:
            if c.type in ("word", "raw_string", "string") and c.child_count <= 3 and not c.text.startswith(b"-"):
                raw = c.text.decode()
                # Hidden characters are findings about the text itself: replacing them removes them.
                if "$" not in raw and "`" not in raw and "=" not in raw and raw.isascii() and raw.isprintable():
                    out.append((_char(text, c.start_byte), _char(text, c.end_byte)))
    return out


GAPPED = [(ex, g) for ex in EXAMPLES if not ex.startswith("eval eval") for g in _word_gaps(ex)]
OPERANDS = [(ex, span) for ex in EXAMPLES if not ex.startswith("eval eval") for span in _operands(ex)]


@SETTINGS
@given(st.sampled_from(GAPPED), st.sampled_from(["2>/dev/null", "2>&1", "</dev/null", "2>>/tmp/err.log"]))
def test_a_redirection_between_words_never_lowers(case, redirect):
    ex, gap = case
    mutated = ex[:gap] + " " + redirect + ex[gap:]
    assert level(mutated) >= level(ex), mutated


# Reading 12 raises an unknown word to `dangerous` where its position matters: the target of a
# destructive command, the program name, an option of a program that runs programs. Two kinds of
# example ask for more than that:
# - the finding is about the replaced text itself (an OSC 52 escape in printf's format, an
#   `ext::` URL): with the text gone, so is the evidence (printing to the terminal is `safe`,
#   and git refuses `ext::` URLs by default), so there is no floor;
# - the program only creates (`mkdir $D`, `touch $F`): at worst it creates or touches a file in
#   a system directory, which destroys nothing; the floor is `review` (it still changes state).
_TEXT_FINDINGS = frozenset(["terminal-escape", "code-in-setting"])
_CREATE_ONLY = ("mkdir ", "touch ")


def _floor(ex: str) -> Level:
    v = classify(ex)
    serious = {f.rule for f in v.findings if f.level >= Level.DANGEROUS}
    if serious and serious <= _TEXT_FINDINGS:
        return Level.SAFE
    if ex.startswith(_CREATE_ONLY):
        return min(v.level, Level.REVIEW)
    return min(v.level, Level.DANGEROUS)


@SETTINGS
@given(st.sampled_from(OPERANDS), st.sampled_from(["$VAR", "${VAR}", '"$VAR"', "$(get_value)"]))
def test_an_unknown_operand_never_lowers_below_the_fail_closed_floor(case, unknown):
    ex, (s, e) = case
    mutated = ex[:s] + unknown + ex[e:]
    assert level(mutated) >= _floor(ex), mutated


_CLUSTER = re.compile(r"(?<=\s)-([A-Za-z]{2,6})(?=\s|$)")


def _split_flags(text: str, reverse: bool) -> str:
    def one(m: re.Match) -> str:
        letters = m.group(1)
        return " ".join("-" + ch for ch in (reversed(letters) if reverse else letters))

    return _CLUSTER.sub(one, text)


# Programs whose single-dash words are long options (`find -name`, `openssl -out`), not clusters.
_SINGLE_DASH_LONG = frozenset("find openssl java gdb mongosh xmllint".split())


def _splittable(ex: str) -> bool:
    if not _CLUSTER.search(ex):
        return False
    first = ex.split()[0].rsplit("/", 1)[-1]
    if any(w.rsplit("/", 1)[-1] in _SINGLE_DASH_LONG for w in ex.split()):
        return False
    values = SHORT_VALUES.get(first, "") + "".join(o[1:] for o in WRAPPERS.get(first, (frozenset(),))[0] if len(o) == 2)
    return not any(ch in values for m in _CLUSTER.finditer(ex) for ch in m.group(1))


FLAGGED = [ex for ex in EXAMPLES if _splittable(ex)]


@SETTINGS
@given(st.sampled_from(FLAGGED), st.booleans())
def test_splitting_or_reordering_flags_never_lowers(ex, reverse):
    mutated = _split_flags(ex, reverse)
    assert level(mutated) >= level(ex), mutated
    reordered = _CLUSTER.sub(lambda m: "-" + m.group(1)[::-1], ex)
    assert level(reordered) >= level(ex), reordered


def _starts_with_simple_command(ex: str) -> bool:
    """A wrapper goes in front of a simple command (`sudo f() { …; }` is not shell)."""
    return any(c.start_byte == 0 for c in _commands(ex)) and ex.isascii() and not ex.startswith("eval eval")


SIMPLE = [ex for ex in EXAMPLES if _starts_with_simple_command(ex)]


@SETTINGS
@given(st.sampled_from(SIMPLE), st.sampled_from(WRAPPER_PREFIXES))
def test_any_wrapper_in_front_never_lowers(ex, wrapper):
    mutated = f"{wrapper} {ex}"
    assert level(mutated) >= level(ex), mutated


def test_the_strategies_cover_the_catalogue():
    assert len(GAPPED) > 300 and len(OPERANDS) > 200 and len(FLAGGED) > 20 and len(WRAPPER_PREFIXES) > 40
