"""The servers behind the gateway: `base` (the Upstream interface and the Ollama-shaped pieces
streams are made of), `pool` (routing, health, failover), one module per kind (`ollama`,
`openai`, `embedded`; `http` is what the two HTTP kinds share) and `factory` (from config)."""
