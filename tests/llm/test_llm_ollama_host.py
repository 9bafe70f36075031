import pytest

from ccgpt.errors import ConfigError
from ccgpt.llm.ollama_host import DEFAULT_BASE_URL, ollama_base_url, parse_ollama_host

# (OLLAMA_HOST value, base URL). The first block mirrors the cases of Ollama's own
# envconfig tests and the doctests of the official Python client's _parse_host.
CASES = [
    (None, "http://127.0.0.1:11434"),
    ("", "http://127.0.0.1:11434"),
    ("   ", "http://127.0.0.1:11434"),
    ("1.2.3.4", "http://1.2.3.4:11434"),
    (":56789", "http://127.0.0.1:56789"),
    ("1.2.3.4:56789", "http://1.2.3.4:56789"),
    ("http://1.2.3.4", "http://1.2.3.4:80"),
    ("https://1.2.3.4", "https://1.2.3.4:443"),
    ("https://1.2.3.4:56789", "https://1.2.3.4:56789"),
    ("example.com", "http://example.com:11434"),
    ("example.com:56789", "http://example.com:56789"),
    ("http://example.com", "http://example.com:80"),
    ("https://example.com", "https://example.com:443"),
    ("https://example.com:56789", "https://example.com:56789"),
    ("example.com/", "http://example.com:11434"),
    ("example.com:56789/", "http://example.com:56789"),
    ("example.com/path", "http://example.com:11434/path"),
    ("example.com:56789/path", "http://example.com:56789/path"),
    ("https://example.com:56789/path", "https://example.com:56789/path"),
    ("example.com:56789/path/", "http://example.com:56789/path"),
    ("example.com/a/b/", "http://example.com:11434/a/b"),
    ("[0001:002:003:0004::1]", "http://[1:2:3:4::1]:11434"),
    ("[0001:002:003:0004::1]:56789", "http://[1:2:3:4::1]:56789"),
    ("http://[0001:002:003:0004::1]", "http://[1:2:3:4::1]:80"),
    ("https://[0001:002:003:0004::1]:56789/path", "https://[1:2:3:4::1]:56789/path"),
    ("[::1]:11434", "http://[::1]:11434"),
    ("[::1]", "http://[::1]:11434"),
    ("::1", "http://[::1]:11434"),  # bare IPv6 without a port, as Go's net.ParseIP accepts
    ("localhost", "http://localhost:11434"),
    ("localhost:8080", "http://localhost:8080"),
    ("ollama.com", "https://ollama.com:443"),
    # quoting and spaces, as Ollama strips them (systemd Environment= lines often carry them)
    ('"0.0.0.0:11434"', "http://127.0.0.1:11434"),
    ("  'example.com:1'  ", "http://example.com:1"),
    # the listen-everywhere addresses mean "this machine" for a client
    ("0.0.0.0", "http://127.0.0.1:11434"),
    ("0.0.0.0:11435", "http://127.0.0.1:11435"),
    ("http://0.0.0.0:11434", "http://127.0.0.1:11434"),
    ("[::]:11434", "http://[::1]:11434"),
    ("HTTP://example.com", "http://example.com:80"),
]


@pytest.mark.parametrize("value,expected", CASES)
def test_parse_ollama_host(value, expected):
    assert parse_ollama_host(value) == expected


@pytest.mark.parametrize("value", ["example.com:notaport", "1.2.3.4:99999", "[::1]:-1", "ftp://example.com"])
def test_invalid_values_name_the_variable(value):
    with pytest.raises(ConfigError) as err:
        parse_ollama_host(value)
    assert "OLLAMA_HOST" in str(err.value)
    assert "\n" not in str(err.value)


def test_from_environment():
    assert ollama_base_url({}) == DEFAULT_BASE_URL
    assert ollama_base_url({"OLLAMA_HOST": "box:1234"}) == "http://box:1234"
