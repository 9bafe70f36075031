"""Terminal output safety: nothing a model or a command writes reaches a terminal with control
characters intact."""
