"""The user guide (docs/guide, built with MkDocs): it builds with --strict (every link and anchor
found), names only the pictures of the screenshot list and every one of them is there, says the same
in both languages, and the built site asks nothing of any other site."""
import re
import subprocess
import sys

import pytest

from tests.browser.guide_support import GUIDE, IMAGES, ROOT, SHOTS, image_names

# Each Indonesian page and its English twin.
TWINS = {"index.md": "index.md", "koordinator.md": "coordinator.md", "petugas.md": "officer.md",
         "warga.md": "citizen.md"}
PICTURE = re.compile(r"!\[[^\]]*\]\(\.\./img/([^)\s]+)\)")


def pictures(page):
    return PICTURE.findall(page.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    site = tmp_path_factory.mktemp("guide")
    run = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site)],
                         cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stdout + run.stderr
    return site


def test_the_guide_builds_with_every_link_and_anchor_found(built):
    assert (built / "index.html").is_file()
    for indonesian, english in TWINS.items():
        assert (built / "id" / indonesian.replace(".md", ".html")).is_file()
        assert (built / "en" / english.replace(".md", ".html")).is_file()


def test_the_guide_names_only_listed_pictures_and_every_listed_picture_is_there():
    named = {name for page in GUIDE.rglob("*.md") for name in pictures(page)}
    assert named - image_names() == set(), "pictures the guide names that the screenshot list does not take"
    assert image_names() - named == set(), "pictures taken that the guide never shows"
    missing = {name: SHOTS[name.rsplit("-", 1)[0]][1] for name in image_names() if not (IMAGES / name).is_file()}
    assert missing == {}, "run tests/browser/test_guide_screenshots.py to take them"
    assert {path.name for path in IMAGES.glob("*.png")} == image_names(), "a picture no longer listed"


@pytest.mark.parametrize("indonesian", TWINS)
def test_both_languages_show_the_same_pictures_in_the_same_order(indonesian):
    assert pictures(GUIDE / "id" / indonesian) == pictures(GUIDE / "en" / TWINS[indonesian])


def test_the_built_guide_loads_nothing_from_another_site(built):
    for page in built.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        outside = re.findall(r"<(?:script|link|img)\b[^>]*(?:src|href)=\"(?:https?:)?//[^\"]+\"", html)
        assert outside == [], f"{page.relative_to(built)} loads {outside}"
