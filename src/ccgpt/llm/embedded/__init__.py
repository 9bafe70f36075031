"""The embedded models: `catalog` (what exists), `assemble` (chunks -> one verified file),
`runtime` (the llama.cpp backend), `prefix_cache` (the fixed prompt prefix, evaluated once).

Importing this package imports neither llama_cpp nor any model package."""

from ccgpt.llm.embedded.catalog import DEFAULT, MODELS, EmbeddedModel, find, get, selected_name
from ccgpt.llm.embedded.runtime import DEFAULT_MAX_TOKENS, EmbeddedBackend, embedded_model_path

__all__ = ["DEFAULT", "DEFAULT_MAX_TOKENS", "MODELS", "EmbeddedBackend", "EmbeddedModel", "embedded_model_path",
           "find", "get", "selected_name"]
