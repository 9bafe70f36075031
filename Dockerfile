# syntax=docker/dockerfile:1
# ccgpt gateway image: `ccgpt serve` as an unprivileged user, no compilers in the final image.
#
# Images are referenced by tag here. For a deployment, pin them by digest (docs/docker.md
# explains how to look up and verify a digest); `ccgpt audit` reports every unpinned FROM.
ARG PYTHON_IMAGE=python:3.12-slim-bookworm

# ---- build: every wheel, including llama-cpp-python compiled from source ----------------------
FROM ${PYTHON_IMAGE} AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends build-essential cmake git \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY pyproject.toml README.md LICENSE ./
COPY src ./src
# CMAKE_ARGS tunes llama.cpp (e.g. "-DGGML_NATIVE=OFF" for an image that runs on any x86-64).
ARG CMAKE_ARGS="-DGGML_NATIVE=OFF"
RUN CMAKE_ARGS="${CMAKE_ARGS}" pip wheel --no-cache-dir --wheel-dir /wheels .

# ---- runtime: the wheels and nothing that compiles ---------------------------------------------
FROM ${PYTHON_IMAGE}
# libgomp1: llama.cpp's OpenMP runtime (the build stage's compiler is not copied over).
RUN apt-get update \
 && apt-get install -y --no-install-recommends libgomp1 \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --uid 10001 --user-group --home-dir /data --no-create-home --shell /usr/sbin/nologin ccgpt \
 && mkdir -p /data /etc/ccgpt \
 && chown 10001:10001 /data \
 && chmod 700 /data
RUN --mount=type=bind,from=build,source=/wheels,target=/wheels \
    pip install --no-cache-dir --no-index --find-links=/wheels codexcontinue
COPY --chmod=0644 docker/ccgpt.toml /etc/ccgpt/config.toml
ENV CCGPT_CONFIG=/etc/ccgpt/config.toml \
    CCGPT_DATA_DIR=/data \
    HOME=/data \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1
USER 10001:10001
WORKDIR /data
EXPOSE 11435
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:11435/healthz', timeout=4)"]
ENTRYPOINT ["ccgpt"]
CMD ["serve"]
