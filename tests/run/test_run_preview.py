"""The preview's report: what a command would create, modify and delete, on a throwaway copy."""

from __future__ import annotations

from ccgpt.run.limits import Limits
from ccgpt.run.preview import compare, diffstat, render_tree, run_preview, snapshot


def seed(work):
    (work / "notes.txt").write_text("a\nb\nc\n")
    (work / "src").mkdir()
    (work / "src" / "old.py").write_text("x = 1\ny = 2\n")
    (work / "same.txt").write_text("unchanged\n")


SCRIPT = ("echo new > new.txt; mkdir -p pkg/deep; printf '1\\n2\\n' > pkg/deep/mod.py; "
          "sed -i s/b/B/ notes.txt; echo d >> notes.txt; rm src/old.py; echo said-something")


def test_report_lists_created_modified_deleted(work):
    seed(work)
    before = snapshot(str(work))
    report = run_preview(["sh", "-c", SCRIPT], cwd=str(work), section={}, limits=Limits(timeout=20))
    # The real directory is untouched.
    assert snapshot(str(work)) == before
    assert not (work / "new.txt").exists() and (work / "src" / "old.py").exists()
    assert "+ new.txt" in report and "+ mod.py" in report and "+ pkg/" in report
    assert "~ notes.txt" in report and "- old.py" in report
    assert "same.txt" not in report
    assert "| said-something" in report
    assert "6 paths changed: 4 created, 1 modified, 1 deleted; 5 insertions(+), 3 deletions(-)" in report


def test_compare_and_diffstat(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir(), b.mkdir()
    (a / "f").write_text("1\n2\n3\n")
    (b / "f").write_text("1\nTWO\n3\n4\n")
    (a / "gone").write_text("z\n")
    (b / "added").write_text("q\n")
    (a / "mode").write_text("m\n")
    (b / "mode").write_text("m\n")
    (b / "mode").chmod(0o755)
    ch = compare(snapshot(str(a)), snapshot(str(b)), str(a), str(b))
    assert ch.created == ["added"] and ch.deleted == ["gone"] and sorted(ch.modified) == ["f", "mode"]
    assert ch.stats["f"] == (2, 1)
    assert diffstat(ch) == "4 paths changed: 1 created, 2 modified, 1 deleted; 3 insertions(+), 2 deletions(-)"
    tree = render_tree(ch)
    assert tree.splitlines()[0] == "."


def test_nothing_changes(work):
    seed(work)
    report = run_preview(["ls"], cwd=str(work), section={}, limits=Limits(timeout=20))
    assert "no files would be created, modified or deleted" in report
    assert "| notes.txt" in report


def test_hostile_file_names_are_sanitised_in_the_tree(work):
    report = run_preview(["sh", "-c", "touch \"$(printf 'evil\\033]0;x\\007name')\""], cwd=str(work),
                         section={}, limits=Limits(timeout=20))
    assert "\x1b" not in report and "\x07" not in report and "evil" in report


# A command that tries to tell the preview from the real run by what the outside test used.
TELL = ("grep -q ccgpt-preview /proc/self/mountinfo && echo tell=mountinfo; "
        "readlink /proc/self/fd/0; pwd; basename \"$(pwd -P)\"; ls -A /tmp | wc -l; id -u; "
        "env | sort | grep -v '^_=' | md5sum")


def test_preview_and_real_run_look_the_same_to_the_command(work):
    import io

    from ccgpt.run.sandbox import run_sandboxed

    (work / "data.txt").write_text("keep\n")
    report = run_preview(["sh", "-c", TELL], cwd=str(work), section={}, limits=Limits(timeout=20))
    seen_in_preview = [line[4:] for line in report.splitlines() if line.startswith("  | ")]
    out = io.StringIO()
    run_sandboxed(["sh", "-c", TELL], cwd=str(work), limits=Limits(timeout=20), section={}, stdout=out, stderr=out)
    assert seen_in_preview == out.getvalue().rstrip("\n").split("\n")
    assert "tell=mountinfo" not in report
    assert "/dev/null" in seen_in_preview
    assert "best effort" in report
