"""Options checked against the man page: does the candidate use options its program documents?

Small models invent options (`ls --sort-size`, `du --max-size`). The explain engine already
knows which options each page documents, and marks the others ("--x is not described in
man:ls(1)"). Those notes are the check; a few words the option tables are known to read as
options although they are not (find's operators, `head -5`) are left out, so a right command
is not sent back for repair.
"""

from __future__ import annotations

import re

# find's operators and negation are documented in prose, not as option items.
_NOT_OPTIONS = {"(", ")", "\\(", "\\)", "!", "-o", "-a", "-not", "-and", "-or", ","}
_OBSOLETE_COUNT = re.compile(r"-\d+$")  # `head -5`, `tail -20`: the old count syntax
_NOTE = "is not described in"


class OptionChecker:
    """One per suggest session: the explainer keeps the man pages it has read."""

    def __init__(self, explainer=None):
        self._explainer = explainer

    def _explain(self, command: str):
        if self._explainer is None:
            from ccgpt.explain.engine import Explainer

            self._explainer = Explainer()
        return self._explainer.explain(command)

    def undocumented(self, command: str) -> list[str]:
        """The explain engine's notes on options the man page does not document, e.g.
        "--sort-size is not described in man:ls(1); did you mean --sort?"."""
        try:
            parts = self._explain(command)
        except Exception:  # an unreadable page must not lose the candidate
            return []
        notes = []
        for part in parts:
            note = getattr(part, "note", None) or ""
            if part.kind != "option" or _NOTE not in note:
                continue
            word = part.text.split()[0] if part.text.split() else part.text
            if word in _NOT_OPTIONS or _OBSOLETE_COUNT.match(word):
                continue
            notes.append(note)
        return notes

