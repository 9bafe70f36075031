"""Pure parsers for the two streaming wire protocols LLM servers speak.

NDJSON (Ollama's native API) and server-sent events (OpenAI-compatible servers). Bytes go in,
in whatever chunks the network delivered them; typed events come out. No I/O and no httpx here:
the synchronous backends (`llm/ollama.py`, `llm/openai_compat.py`) and the gateway's async
upstreams feed the same parsers, so both read a stream the same way.
"""
