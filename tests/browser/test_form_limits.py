"""A complaint form sent in more parts than the gateway parses (issue 20): the form again with a 413,
named in the reader's language, and what was typed still in its fields."""
from playwright.sync_api import expect

from tests.browser.conftest import look

TYPED = "Lampu jalan di depan SD Negeri 3 padam sejak seminggu"


def test_a_form_in_too_many_parts_comes_back_with_what_was_typed(page, forum):
    page.goto("/lapor")
    page.get_by_label("Apa yang terjadi?").fill(TYPED)
    page.get_by_label("Nama", exact=True).fill("Wayan Pelapor")
    # What a broken client or a hostile page sends: 1,500 fields more than the form has.
    page.evaluate("""() => {
        const form = document.getElementById("formulir");
        for (let n = 0; n < 1500; n++) {
            const field = document.createElement("input");
            Object.assign(field, {type: "hidden", name: "x" + n, value: "1"});
            form.appendChild(field);
        }
    }""")
    with page.expect_response(lambda response: response.url.endswith("/lapor")) as answer:
        page.get_by_role("button", name="Kirim pengaduan").click()
    assert answer.value.status == 413
    expect(page.get_by_role("alert")).to_contain_text("terlalu banyak bagian")
    expect(page.get_by_label("Apa yang terjadi?")).to_have_value(TYPED)
    expect(page.get_by_label("Nama", exact=True)).to_have_value("Wayan Pelapor")
    look(page, "lapor-terlalu-banyak-bagian")
