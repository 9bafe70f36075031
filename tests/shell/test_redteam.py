"""Red-team findings: each command was classified lower (or higher) than RISK-POLICY.md says.
Expected levels are reasoned from the policy, one comment per family.

Commands are data here: nothing in this file is ever executed."""

import pytest

from ccgpt.shell.risk import classify

BLOCKED = [
    # getopt_long accepts unambiguous prefixes of long options
    "rm --rec --for /",
    "rm --recur --force ~",
    "chmod --recur 777 /",
    "chown --rec nobody /etc",
    "sudo --us root rm -rf /",
    # a cluster's value-taking letter owns the rest of the word or the next one
    "sudo -Eu root rm -rf /",
    "sudo -Euroot rm -rf ~",
    "mv --target-directory=/tmp /etc",
    "mv --target=/tmp /usr",
    "mv -t/tmp /usr",
    # git config values that git runs through sh later
    "git config --global core.pager 'rm -rf ~'",
    "git config alias.x '!rm -rf /'",
]

DANGEROUS = [
    "git push --forc",
    "git push --for origin main",
    "git reset --har",
    "git clean --forc -d",
    # persistence: git runs hooks, ssh commands, filters from these keys on later commands
    "git config core.hooksPath /tmp/h",
    "git config --global core.hooksPath /tmp/h",
    "git config --global core.sshCommand 'sh -c x'",
    "git config filter.x.smudge ./x.sh",
]

REVIEW = [
    "git config --global core.editor vim",
    "git config --global credential.helper store",
    "git config --global alias.co checkout",
    "git config user.name me",
    "git push --set-upstream origin main",
]

SAFE: list[str] = []


@pytest.mark.parametrize("command", BLOCKED)
def test_blocked(command):
    assert classify(command).level == "blocked", classify(command).findings


@pytest.mark.parametrize("command", DANGEROUS)
def test_dangerous(command):
    assert classify(command).level == "dangerous", classify(command).findings


@pytest.mark.parametrize("command", REVIEW)
def test_review(command):
    assert classify(command).level == "review", classify(command).findings


@pytest.mark.parametrize("command", SAFE)
def test_safe(command):
    assert classify(command).level == "safe", classify(command).findings
