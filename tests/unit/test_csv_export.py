"""care_tracker.rules.csv_export: RFC 4180 output, cell formats, formula neutralisation."""

import csv
import io
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal
from enum import Enum

import pytest
from hypothesis import given
from hypothesis import strategies as st

from care_tracker.rules.csv_export import (
    DANGEROUS_FIRST_CHARACTERS,
    ENCODING,
    csv_rows,
    format_cell,
    neutralise,
    write_csv,
)


def parse(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline="")))


class Colour(Enum):
    RED = "red"
    SUM = "=1+1"


# --- neutralise ---------------------------------------------------------------------------


@pytest.mark.parametrize("first", ["=", "+", "-", "@", "\t", "\r"])
def test_dangerous_first_character_gets_a_quote(first):
    assert neutralise(first + "SUM(A1:A9)") == "'" + first + "SUM(A1:A9)"


@pytest.mark.parametrize(
    "text", ["", "plain", "a=b", " =1+1", "'=already quoted", "1-101641521", "\n=x", "5"]
)
def test_other_text_is_unchanged(text):
    assert neutralise(text) == text


def test_dangerous_set_is_exactly_the_owasp_list():
    assert DANGEROUS_FIRST_CHARACTERS == {"=", "+", "-", "@", "\t", "\r"}


# --- format_cell --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, ""),
        (True, "true"),
        (False, "false"),
        (0, "0"),
        (-5, "-5"),  # a number: written as a number, never neutralised
        (12345678901234567890, "12345678901234567890"),
        (1.5, "1.5"),
        (-0.1, "-0.1"),
        (Decimal("-12.50"), "-12.50"),
        (Decimal("1E+3"), "1000"),
        (date(2026, 10, 1), "2026-10-01"),
        (datetime(2026, 10, 1, 9, 30), "2026-10-01T09:30:00"),
        (datetime(2026, 10, 1, 9, 30, tzinfo=timezone.utc), "2026-10-01T09:30:00+00:00"),
        (datetime(2026, 10, 1, 9, 30, tzinfo=timezone(timedelta(hours=1))),
         "2026-10-01T09:30:00+01:00"),
        (time(7, 5), "07:05:00"),
        ("-5", "'-5"),  # text that looks like a number is still text
        ("+44 20 7946 0000", "'+44 20 7946 0000"),
        ("@admin", "'@admin"),
        ("Rose Court", "Rose Court"),
        (Colour.RED, "red"),
        (Colour.SUM, "'=1+1"),
    ],
)
def test_format_cell(value, text):
    assert format_cell(value) == text


@pytest.mark.parametrize("value", [float("nan"), float("inf"), -float("inf"), Decimal("NaN")])
def test_non_finite_numbers_are_refused(value):
    with pytest.raises(ValueError):
        format_cell(value)


@pytest.mark.parametrize("value", [object(), b"bytes", [1, 2], {"a": 1}])
def test_unknown_types_are_refused(value):
    with pytest.raises(TypeError):
        format_cell(value)


# --- csv_rows -----------------------------------------------------------------------------


def test_header_first_crlf_and_quoting_only_when_needed():
    lines = list(
        csv_rows(
            ["Name", "Notes", "Hours", "Paid", "Day"],
            [
                ["Ann O'Neil", 'said "hello", left', 7.5, True, date(2026, 3, 2)],
                {"Name": "Bob", "Notes": "line one\r\nline two", "Hours": None, "Paid": False},
            ],
        )
    )
    assert lines == [
        "Name,Notes,Hours,Paid,Day\r\n",
        'Ann O\'Neil,"said ""hello"", left",7.5,true,2026-03-02\r\n',
        'Bob,"line one\r\nline two",,false,\r\n',
    ]


def test_formulas_neutralised_in_data_and_header():
    text = "".join(csv_rows(["=cmd", "Amount"], [["=HYPERLINK(\"http://x\")", -3], ["@SUM(1)", "-3"]]))
    assert parse(text) == [
        ["'=cmd", "Amount"],
        ["'=HYPERLINK(\"http://x\")", "-3"],
        ["'@SUM(1)", "'-3"],
    ]


def test_a_single_empty_column_still_reads_back_as_a_row():
    text = "".join(csv_rows(["Only"], [[None], [""]]))
    assert parse(text) == [["Only"], [""], [""]]


def test_mapping_row_missing_key_is_empty():
    assert list(csv_rows(["a", "b"], [{"b": 2}]))[1] == ",2\r\n"


def test_mapping_row_unknown_key_is_refused():
    with pytest.raises(ValueError, match="not in the header: c"):
        list(csv_rows(["a", "b"], [{"a": 1, "c": 3}]))


def test_sequence_row_of_the_wrong_length_is_refused():
    with pytest.raises(ValueError, match="row 2: 1 values for 2 columns"):
        list(csv_rows(["a", "b"], [[1, 2], [1]]))


def test_string_row_is_refused():
    with pytest.raises(TypeError):
        list(csv_rows(["a", "b"], ["ab"]))


@pytest.mark.parametrize("header", [[], ["a", "b", "a"]])
def test_bad_header_is_refused(header):
    with pytest.raises(ValueError):
        list(csv_rows(header, []))


def test_rows_are_consumed_lazily():
    def rows():
        yield [1]
        raise AssertionError("read too far")

    lines = csv_rows(["n"], rows())
    assert next(lines) == "n\r\n"
    assert next(lines) == "1\r\n"


def test_write_csv_to_a_text_stream():
    out = io.StringIO(newline="")
    assert write_csv(out, ["a"], [[1], ["x"]]) == 2
    assert out.getvalue() == "a\r\n1\r\nx\r\n"
    assert write_csv(io.StringIO(), ["a"], []) == 0


def test_utf8_without_bom():
    data = b"".join(line.encode(ENCODING) for line in csv_rows(["Name"], [["Zoë Ødegård 日本"]]))
    assert data == "Name\r\nZoë Ødegård 日本\r\n".encode()
    assert not data.startswith(b"\xef\xbb\xbf")


# --- property -----------------------------------------------------------------------------

cells = st.one_of(st.text(), st.integers(), st.none())


@st.composite
def tables(draw):
    header = draw(st.lists(st.text(min_size=1), min_size=1, max_size=5, unique=True))
    rows = draw(st.lists(st.lists(cells, min_size=len(header), max_size=len(header)), max_size=8))
    return header, rows


def expected(value) -> str:
    if value is None:
        return ""
    if isinstance(value, int):
        return str(value)
    return neutralise(value)


@given(tables())
def test_round_trip_through_the_csv_module(table):
    header, rows = table
    lines = list(csv_rows(header, rows))

    assert len(lines) == len(rows) + 1
    for line in lines:
        assert line.endswith("\r\n")
        assert len(parse(line)) == 1  # each piece yielded is exactly one record

    parsed = parse("".join(lines))
    assert parsed[0] == [neutralise(h) for h in header]
    assert parsed[1:] == [[expected(v) for v in row] for row in rows]

    # un-neutralising: a neutralised text cell reads back as "'" + the original
    for row, parsed_row in zip(rows, parsed[1:], strict=True):
        for value, got in zip(row, parsed_row, strict=True):
            if isinstance(value, str) and value[:1] in DANGEROUS_FIRST_CHARACTERS:
                assert got == "'" + value
            if not isinstance(value, int):  # only numbers may start with "-"
                assert got[:1] not in DANGEROUS_FIRST_CHARACTERS
    for got in parsed[0]:
        assert got[:1] not in DANGEROUS_FIRST_CHARACTERS
