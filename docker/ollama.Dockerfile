# syntax=docker/dockerfile:1
# Ollama as an unprivileged user. The upstream image runs as root; this layer adds a user and a
# model directory it owns, so that the named volume mounted there starts with that owner.
# Use a release no older than the newest fixed version in
# src/ccgpt/data/ollama_vulnerabilities.toml (0.17.1 when this was written), and pin it by
# digest for a deployment (docs/docker.md).
ARG OLLAMA_IMAGE=ollama/ollama:0.32.4
FROM ${OLLAMA_IMAGE}
RUN mkdir -p /models \
 && chown 10002:10002 /models \
 && chmod 700 /models
ENV OLLAMA_MODELS=/models/models \
    HOME=/models \
    OLLAMA_HOST=0.0.0.0:11434
USER 10002:10002
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 CMD ["ollama", "list"]
