"""Reading a member list's file (XLSX or CSV) into the table of text cells the import takes."""
import pytest

from bakohumas.harness import member_list_xlsx
from gateway.spreadsheets import UnreadableFile, member_list_table, template_xlsx
from services.directory.schemas import IMPORT_COLUMNS

HEADER = [header for _name, header in IMPORT_COLUMNS]


def test_a_workbook_gives_its_cells_as_typed():
    table = member_list_table(member_list_xlsx([{"name": "Dinas Sosial", "short_name": "DINSOS", "kind": "opd",
                                                 "region_code": 73.72, "officer_phone": 81234567890.0}]))
    assert table["columns"] == HEADER
    [row] = table["rows"]
    assert row[4] == "73.72" and row[13] == "81234567890" and len(row) == 14  # empty cells at the end dropped


@pytest.mark.parametrize("encoding, delimiter", [("utf-8-sig", ","), ("cp1252", ";"), ("utf-8", "\t")])
def test_a_csv_is_read_in_the_encodings_and_delimiters_spreadsheets_save(encoding, delimiter):
    text = delimiter.join(HEADER[:5]) + "\r\n" + delimiter.join(["Dinas Pariwisata & Budaya", "DISPARBUD", "opd", "",
                                                                 "73.72"]) + "\r\n"
    table = member_list_table(text.encode(encoding))
    assert table["columns"] == HEADER[:5] and table["rows"] == [["Dinas Pariwisata & Budaya", "DISPARBUD", "opd", "",
                                                                  "73.72"]]


def test_the_template_is_a_workbook_whose_first_sheet_is_the_header_only():
    assert member_list_table(template_xlsx()) == {"columns": HEADER, "rows": []}


@pytest.mark.parametrize("content", [b"", b"PK\x03\x04 broken", bytes(range(256)) * 4])
def test_what_is_not_a_member_list_is_refused(content):
    with pytest.raises(UnreadableFile):
        member_list_table(content)
