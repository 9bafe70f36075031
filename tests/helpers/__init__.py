"""Test doubles shared by several test folders, imported as `tests.helpers.NAME`.

The repository root is on pytest's `pythonpath` (pyproject.toml), so `tests` is importable as a
package from every test and from scripts the tests spawn (with the root on PYTHONPATH).
"""
