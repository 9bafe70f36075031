"""What a task asks for: only to look (read-only), or to change something.

Used to rank candidates: for "find files bigger than 1MB" a small model once put
`find -type f -size +1M -delete` first. A task with no word that asks for a change is read-only,
and a candidate the risk engine rates above `safe` does more than it asks. The word list errs
on the side of "changes": a missed read-only task only loses the penalty, never a candidate.
"""

from __future__ import annotations

import re

_CHANGE_WORDS = re.compile(
    r"\b(delete|deletes|remove|removes|rm|erase|wipe|clean|clear|purge|prune|move|mv|rename|create|make|mkdir|"
    r"touch|write|save|store|append|add|insert|prepend|change|replace|substitute|edit|modify|update|set|fix|"
    r"compress|gzip|gunzip|bzip2|xz|zip|unzip|extract|unpack|pack|archive|backup|back up|install|uninstall|"
    r"kill|stop|start|restart|chmod|chown|give|grant|revoke|allow|deny|copy|cp|duplicate|link|symlink|"
    r"truncate|empty|convert|encode|decode|format|commit|push|pull|merge|checkout|switch|stage|unstage|"
    r"reset|revert|download|upload|fetch|sync|split|join|combine|concatenate|generate|run|execute|apply|"
    r"patch|mount|unmount|shut|reboot|enable|disable|lock|unlock|encrypt|decrypt|sort\s+\S+\s+in\s+place|"
    r"in place|overwrite|into|to a file|to the file|>)\b",
    re.IGNORECASE,
)


def read_only(task: str) -> bool:
    """True when nothing in the task asks for a change (show, list, find, count, print, ...)."""
    return not _CHANGE_WORDS.search(task)


def does_more_than_asked(task: str, level: str) -> bool:
    return level != "safe" and read_only(task)
