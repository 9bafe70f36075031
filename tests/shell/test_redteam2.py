"""Red-team round 2: commands classified lower (or higher) than RISK-POLICY.md says.
Expected levels are reasoned from the policy, one comment per family.

Commands are data here: nothing in this file is ever executed."""

import pytest

from ccgpt.shell.risk import classify

CASES = {
    "blocked": [
        # "writing to a block device or partition": firmware and block-by-block erasers
        "hdparm --security-erase pw /dev/sda",
        "hdparm --user-master u --security-erase-enhanced pw /dev/sda",
        "sudo hdparm --security-erase NULL /dev/sdb",
        "nvme format /dev/nvme0n1",
        "nvme sanitize -a 2 /dev/nvme0",
        "nvme format --ses=1 /dev/nvme0n1",
        "badblocks -w /dev/sda",
        "badblocks -wsv /dev/sdb",
        "blkdiscard /dev/sda",
        "sg_format --format /dev/sg0",
        "bash -c 'nvme format /dev/nvme0n1'",
    ],
    "dangerous": [
        # changing disk settings is a system change, not an erase
        "hdparm -W0 /dev/sda",
    ],
    "safe": [
        # the same tools only reading
        "hdparm -I /dev/sda",
        "nvme list",
        "nvme smart-log /dev/nvme0",
        "badblocks -sv /dev/sdb",
        "sg_format /dev/sg0",
    ],
}

PARAMS = [(level, cmd) for level, cmds in CASES.items() for cmd in cmds]


@pytest.mark.parametrize("level,command", PARAMS, ids=[c for _, c in PARAMS])
def test_round2(level, command):
    assert classify(command).level == level
