"""tree-sitter-bash, loaded once and fast.

`import tree_sitter_bash` costs ~20 ms because its package `__init__` imports
importlib.resources; the grammar itself is one small extension module. So the extension
is located without executing the package and loaded directly (~1 ms). Start-up time of
`ccgpt check` is a feature.
"""

from __future__ import annotations

import importlib.machinery
import importlib.util
import os
import re
from functools import lru_cache

from tree_sitter import Language, Node, Parser, Tree  # noqa: F401  (re-exported for callers)


def _load_grammar_module():
    spec = importlib.util.find_spec("tree_sitter_bash")
    if spec is None or not spec.submodule_search_locations:
        raise ImportError("tree-sitter-bash is not installed")
    folder = list(spec.submodule_search_locations)[0]
    for name in os.listdir(folder):
        if name.startswith("_binding") and name.endswith(tuple(importlib.machinery.EXTENSION_SUFFIXES)):
            path = os.path.join(folder, name)
            loader = importlib.machinery.ExtensionFileLoader("tree_sitter_bash._binding", path)
            module_spec = importlib.util.spec_from_file_location("tree_sitter_bash._binding", path, loader=loader)
            module = importlib.util.module_from_spec(module_spec)
            loader.exec_module(module)
            return module
    import tree_sitter_bash  # unusual layout: take the slow, documented path

    return tree_sitter_bash


@lru_cache(maxsize=1)
def language() -> Language:
    return Language(_load_grammar_module().language())


@lru_cache(maxsize=1)
def parser() -> Parser:
    return Parser(language())


# A 4-byte UTF-8 sequence for a code point of plane 4 or above.
_HIGH_PLANES = re.compile(rb"[\xf1-\xf4][\x80-\xbf]{3}")
_STAND_IN = "\U00010000".encode()  # same UTF-8 length, an ordinary letter to the grammar


def parse(source: str | bytes) -> Tree:
    """Parse shell source. Spans from tree-sitter are byte offsets into the UTF-8 encoding.

    tree-sitter-bash 0.25 crashes the process (SIGSEGV) on `{` followed by a code point from
    plane 4 up (e.g. "{\\U000b2048"), which fuzzing found. Those planes hold only unassigned,
    private-use and tag characters, so a same-length stand-in letter is parsed instead: byte
    offsets stay exact, and callers read words from their original text.
    """
    data = source.encode("utf-8", "surrogateescape") if isinstance(source, str) else source
    if _HIGH_PLANES.search(data):
        data = _HIGH_PLANES.sub(_STAND_IN, data)
    return parser().parse(data)
