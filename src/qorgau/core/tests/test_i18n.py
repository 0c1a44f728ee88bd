"""Translation catalogues: complete in Kazakh and Russian, and in step with the code."""

import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest

LOCALE = Path(__file__).resolve().parents[4] / "src" / "qorgau" / "locale"
KAZAKH_LETTERS = set("әғқңөұүһі")


@pytest.mark.parametrize("lang", ["kk", "ru"])
def test_every_string_is_translated(lang):
    po = polib.pofile(str(LOCALE / lang / "LC_MESSAGES" / "django.po"))
    assert po.untranslated_entries() == []
    assert [e for e in po.fuzzy_entries() if e.msgid] == []
    for entry in po.translated_entries():
        # Placeholders survive translation.
        for placeholder in ("%(", "{{"):
            assert entry.msgid.count(placeholder) == (entry.msgstr or entry.msgstr_plural[0]).count(
                placeholder
            ), entry.msgid


def test_kazakh_catalogue_uses_kazakh_letters():
    po = polib.pofile(str(LOCALE / "kk" / "LC_MESSAGES" / "django.po"))
    text = "".join(e.msgstr for e in po)
    assert set(text) | {"һ"} >= KAZAKH_LETTERS  # һ is rare in this vocabulary


@pytest.mark.skipif(
    shutil.which("xgettext") is None, reason="GNU gettext is needed to extract strings"
)
def test_catalogues_are_in_step_with_the_code(tmp_path):
    """makemessages on a copy finds no string that the catalogue lacks, and none it has extra."""
    source = LOCALE.parent
    copy = tmp_path / "qorgau"
    shutil.copytree(source, copy, ignore=shutil.ignore_patterns("*.mo", "__pycache__"))
    subprocess.run(
        [sys.executable, "-m", "django", "makemessages", "--no-obsolete", "--no-location", "-l", "kk",
         "--settings=tests.settings", f"--pythonpath={Path(__file__).resolve().parents[4]}"],
        cwd=copy, check=True, capture_output=True,
    )  # fmt: skip
    fresh = {
        (e.msgctxt, e.msgid)
        for e in polib.pofile(str(copy / "locale" / "kk" / "LC_MESSAGES" / "django.po"))
    }
    ours = {
        (e.msgctxt, e.msgid) for e in polib.pofile(str(LOCALE / "kk" / "LC_MESSAGES" / "django.po"))
    }
    assert fresh - ours == set(), "run `make messages` and translate the new strings"
    assert ours - fresh == set(), "run `make messages` to drop obsolete strings"
