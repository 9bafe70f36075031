from ccgpt.security.redact import MASK, redact


def test_redacts_common_secret_shapes():
    secrets = {
        "openai": "sk-proj-abcdefghijklmnopqrstuvwx1234",
        "github": "ghp_" + "a1" * 18,
        "aws": "AKIAIOSFODNN7EXAMPLE",
        "gateway": "ccgpt_" + "Z" * 32,
        "slack": "xoxb-1234567890-abcdefghij",
    }
    for name, secret in secrets.items():
        out = redact(f"the {name} key is {secret} ok")
        assert secret not in out, name
        assert MASK in out and out.endswith(" ok")


def test_redacts_bearer_url_password_env_and_flags():
    text = (
        'curl -H "Authorization: Bearer abcdefghijklmnop1234" https://alice:hunter2pass@db.example/x '
        "DB_PASSWORD=correcthorse mysql --password s3cr3tpw"
    )
    out = redact(text)
    for secret in ("abcdefghijklmnop1234", "hunter2pass", "correcthorse", "s3cr3tpw"):
        assert secret not in out
    assert "alice" in out and "db.example" in out and "mysql" in out


def test_redacts_private_key_blocks():
    block = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmU=\n-----END OPENSSH PRIVATE KEY-----"
    out = redact(f"here:\n{block}\nthanks")
    assert "b3BlbnNzaC1rZXktdjEAAAAABG5vbmU=" not in out
    assert out.startswith("here:") and out.endswith("thanks")


def test_leaves_ordinary_text_alone():
    text = "git commit -m 'fix the token bucket' && ls -la ~/keys"
    assert redact(text) == text
