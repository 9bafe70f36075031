"""The one table of invisible characters: code points that change how text reads without
showing themselves. The output sanitiser marks them (`<U+202E>`); the risk engine reports them
in commands (`hidden-unicode`) and drops them from program names (`r<U+200B>m` is `rm`).

Character-class bodies (for `[...]` in a regular expression), so users compile them lazily."""

from __future__ import annotations

# Bidirectional embeddings, overrides, isolates and marks: they reorder what is displayed.
BIDI = "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
# Zero-width and formatting characters: soft hyphen, Mongolian vowel separator, zero-width
# space/joiners, word joiner and invisible operators, BOM, interlinear annotation controls,
# tag characters.
ZERO_WIDTH = "\u00ad\u180e\u200b-\u200d\u2060-\u2064\ufeff\ufff9-\ufffb\U000e0000-\U000e007f"
INVISIBLE = BIDI + ZERO_WIDTH
