"""Page layouts the option-table reader must understand, each written as groff renders it.

The layouts are the ones real pages use (named next to each); the real pages themselves are
checked in test_option_tables.py.
"""

from __future__ import annotations

from ccgpt.explain.manparse import HELP_MAX, parse_rendered, variants

LAYOUTS = """\
NAME
       frob - twiddle the bits

SYNOPSIS
       frob [-a, --arguments] [-n|--notable] [-d exdir] file

OPTIONS
       ○   --slurp/-s:

           Read the entire input stream into a large array.

       ○   --compact-output / -c:

           Print each object on one line.

       [-d exdir]
              An optional directory to which to extract files.

       -a     Show command line arguments.

       -n     Do not load any table.

       -u, -U NUM, --unified[=NUM]
              output NUM (default 3) lines of unified context

       -N, --new-file
              treat absent files as empty

       -x, --proxy [protocol://]host[:port]
              Use the specified proxy.

              The proxy string can be specified with a protocol:// prefix.

       -type c
              File is of type c:

              b      block (buffered) special

              f      regular file

              To search for more than one type at once, separate the letters by a comma.

       -perm mode
              File's permission bits are exactly mode.

       -perm -mode
              All of the permission bits mode are set for the file.

       -perm /mode
              Any of the permission bits mode are set for the file.

       ( expr )
              Force precedence.

       ! expr True if expr is false.

       expr1 -a expr2
              Same as expr1 expr2.

       --armor
       -a2    Create ASCII armored output.

       "-I dirs"
       "--directory-path=dirs"
           Search these directories for sources.

       -[no]header
              Turn headers on or off.

       -0 ... -9
              Select a compression preset level.

       -#
       (-0, -1, -2)
              Regulate the speed of compression.

       -s, --signal, -SIGNAL
              Send this signal instead of SIGTERM.

          -b, --binary      read in binary mode
              --tag         create a BSD-style checksum

       -pnum  or  --strip=num
          Strip the smallest prefix containing num leading slashes.

       -C  --format=FORMAT
              use the specified FORMAT instead of the default

DESCRIPTION
       Not an item.
"""


def _table():
    title, items = parse_rendered(LAYOUTS)
    assert title == "twiddle the bits"
    table: dict = {}
    for it in items:
        for tag in it.tags:
            table.setdefault(tag, it)  # the first item that names a tag, as Page.lookup does
    return table


def test_bullets_slashes_and_brackets():
    t = _table()
    assert t["--slurp"] is t["-s"] and t["-s"].help == "Read the entire input stream into a large array."
    assert t["-c"] is t["--compact-output"]
    assert t["-d"].help == "An optional directory to which to extract files." and t["-d"].arg_for("-d") == "required"


def test_value_arguments_are_per_variant():
    t = _table()
    unified = t["-u"]
    assert unified.arg_for("-u") == "optional"  # diff -u takes no following word
    assert unified.arg_for("-U") == "required" and unified.arg_for("--unified") == "optional"
    assert t["-x"].arg_for("-x") == "required" and t["--proxy"].arg_for("--proxy") == "required"
    assert t["-N"].arg_for("-N") is None


def test_help_runs_past_the_first_paragraph_of_the_item():
    t = _table()
    assert t["-type"].help == ("File is of type c: b block (buffered) special f regular file To search for "
                               "more than one type at once, separate the letters by a comma.")
    assert t["--proxy"].help == "Use the specified proxy. The proxy string can be specified with a protocol:// prefix."
    assert t["-perm"].help == "File's permission bits are exactly mode."  # the next item is not part of it


def test_operators_take_no_value():
    t = _table()
    assert t["("] is t[")"] and t["("].help == "Force precedence."
    assert t["!"].help == "True if expr is false." and t["!"].arg_for("!") is None
    assert t["-a"].help == "Show command line arguments."  # the first -a wins; the operator is also known
    assert variants("expr1 -o expr2") == (["-o"], [None])
    assert variants("EXPRESSION1 -a EXPRESSION2") == (["-a"], [None])


def test_separate_tag_lines_negations_ranges_and_placeholders():
    t = _table()
    assert t["--armor"] is t["-a2"]
    assert t["-I"] is t["--directory-path"] and t["-I"].help == "Search these directories for sources."
    assert t["-header"] is t["-noheader"]
    assert t["-9"].help == "Select a compression preset level."
    assert "-2" in t["-#"].tags and t["-#"].help == "Regulate the speed of compression."
    assert t["-SIGNAL"] is t["--signal"]


def test_usage_dump_lines():
    t = _table()  # shasum: "-b, --binary      read in binary mode", the long name after the comma kept
    assert t["-b"] is t["--binary"] and t["-b"].help == "read in binary mode"
    assert t["--tag"].help == "create a BSD-style checksum"
    # two spaces between variants are not a body: patch's and stat's tags
    assert t["-p"] is t["--strip"] and t["-p"].arg_for("-p") == "required"
    assert t["--format"].help == "use the specified FORMAT instead of the default" and t["-C"] is t["--format"]


def test_synopsis_groups_give_aliases():
    t = _table()
    assert t["--arguments"] is t["-a"] and t["--notable"] is t["-n"]
    assert "DESCRIPTION" not in t and "Not" not in t


def test_long_bodies_are_cut_at_a_paragraph():
    paragraphs = "\n\n".join(f"              Paragraph {i} " + "word " * 60 for i in range(40))
    _, items = parse_rendered(f"OPTIONS\n       -z\n{paragraphs}\n")
    help_ = items[0].help
    assert help_.startswith("Paragraph 0 ") and len(help_) <= HELP_MAX + 400
    assert help_.endswith("word")  # whole paragraphs only
