"""The progress shown by long commands (``make demo``'s load-demo): lines in a log, a bar
redrawn in place on a terminal."""

import io

from qorgau.core.progress import Progress


class Terminal(io.StringIO):
    def isatty(self):
        return True


def test_in_a_log_each_stage_gets_a_line_when_it_starts_and_when_it_ends():
    out = io.StringIO()
    progress = Progress(out)
    for done in range(1, 5):
        progress("weeks of history", done, 4)
    progress("campaign", 0, 1)
    progress("campaign", 1, 1)
    progress.close()
    lines = out.getvalue().splitlines()
    assert [line.split("] ")[1].split(" (")[0] for line in lines] == [
        " 25% weeks of history",
        "100% weeks of history",
        "  0% campaign",
        "100% campaign",
    ]
    assert lines[1].startswith("[" + "#" * 30 + "]") and "(4/4, " in lines[1]
    assert "\r" not in out.getvalue()


def test_on_a_terminal_the_bar_is_redrawn_in_place_and_each_stage_ends_its_line():
    out = Terminal()
    progress = Progress(out, interval=3600)  # only stage starts and ends are drawn
    for done in range(1, 11):
        progress("statuses", done, 10)
    progress("reports", 1, 2)
    progress.close()
    text = out.getvalue()
    assert text.count("\r") == 3  # start and end of "statuses", start of "reports"
    assert text.endswith("\n") and text.count("\n") == 2
    assert "100% statuses (10/10" in text and " 50% reports (1/2" in text
