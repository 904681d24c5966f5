"""care_tracker.rules.cqc_locations: reading CQC's active-locations CSV."""

import csv
import io
import itertools
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from care_tracker.rules.cqc_locations import (
    OPTIONAL_HEADERS,
    PUBLIC_BODY_BY_OWNERSHIP_TYPE,
    REQUIRED_HEADERS,
    CqcLocation,
    ParseStats,
    RowError,
    display_postcode,
    parse_cqc_file,
    postcode_key,
)

# A slice of the real layout, in CQC's column order, with columns the import ignores
# (telephone, type/sector, coordinates, regulated activity, GP and dental service types, ...).
HEADER = (
    "Location ID,Location HSCA start date,Dormant (Y/N),Care home?,Location Name,"
    "Location Telephone Number,Registered manager,Care homes beds,Location Type/Sector,"
    "Location Region,Location Local Authority,Location Street Address,Location Address Line 2,"
    "Location City,Location County,Location Postal Code,Location Latitude,Location Longitude,"
    "Provider ID,Provider Name,Provider Ownership Type,Regulated activity - Personal care,"
    "Service type - Care home service with nursing,"
    "Service type - Care home service without nursing,Service type - Dental service,"
    "Service type - Doctors consultation service,Service type - Domiciliary care service,"
    "Service type - Extra Care housing services,Service type - Shared Lives,"
    "Service type - Supported living service,Location Dual Registered,"
    "Primary ID (Dual registration locations),Contact Email"
)
# fmt: off
SAMPLE = (
    HEADER + "\r\n"
    # line 2: care home with nursing; a quoted street address with a comma; mixed-case email
    '1-101641521,01/04/2011,N,Y,Rose Court Nursing Home,01632 960001,Jane Smith,40,Social Care Org,'
    'Yorkshire and The Humber,Leeds,"Flat 2, Rose Court",Elm Road,Leeds,West Yorkshire,ls1 4ap,'
    '53.79,-1.54,1-1000000001,Rosewood Care Ltd,Organisation,Y,Y,,,,,,,,,,Manager@Example.ORG\r\n'
    # line 3: a GP surgery (skipped)
    '1-111111111,01/04/2013,N,N,Elm Road Surgery,01632 960002,,,Primary Medical Services,'
    'London,Camden,1 Elm Road,,London,,NW1 2DB,51.53,-0.14,1-1111111110,Dr A Patel,Individual,'
    ',,,,Y,,,,,,,\r\n'
    # line 4: a dentist (skipped)
    '1-222222222,01/04/2011,N,N,Smile Dental,01632 960003,,,Primary Dental Care,London,Camden,'
    '2 High Street,,London,,NW1 3AA,51.53,-0.14,1-2222222220,Smile Dental LLP,Partnership,'
    ',,,Y,,,,,,,,\r\n'
    # lines 5-6: home care and supported living; ISO date; a quoted field with a line break
    '1-333333333,2019-06-15,N,N,Acorn Homecare (North),01632 960004,Sam Jones,,Social Care Org,'
    'North West,Manchester,"Suite 4\nThe Exchange",Deansgate,Manchester,,M3  4LZ,53.48,-2.25,'
    '1-3333333330,Acorn Homecare Ltd,Organisation,Y,,,,,Y,,,Y,,,\r\n'
    # line 7: dormant home care, no email, unknown ownership type
    '1-444444444,01/10/2020,Y,N,Birch Lodge Care,,,,Social Care Org,South West,Bristol,'
    '5 Birch Lane,,Bristol,,BS1 5TR,51.45,-2.59,1-4444444440,Birch Care CIC,Community Interest,'
    'Y,,,,,Y,,,,,,\r\n'
    # line 8: a bad location ID
    '1-ABC,01/04/2011,N,Y,Broken Row Home,,,12,Social Care Org,London,Camden,3 Oak St,,London,,'
    'NW1 4AA,,,1-5555555550,Broken Ltd,Organisation,Y,,Y,,,,,,,,,\r\n'
    # line 9: a date that does not exist
    '1-666666666,31/02/2020,N,Y,February Home,,,20,Social Care Org,London,Camden,4 Oak St,,London,,'
    'NW1 5AA,,,1-6666666660,Feb Ltd,Organisation,Y,,Y,,,,,,,,,\r\n'
    # line 10: Extra Care housing only (skipped, counted)
    '1-777777777,01/04/2015,N,N,Willow Extra Care,,,,Social Care Org,London,Camden,6 Oak St,,'
    'London,,NW1 6AA,,,1-7777777770,Willow Housing,Organisation,,,,,,,Y,,,,,\r\n'
    # line 11: blank
    "\r\n"
    # line 12: council-run supported living
    '1-888888888,01/04/2012,N,N,Council Supported Living Service,,,,Social Care Org,London,'
    'Camden,Town Hall,Judd Street,London,,WC1H 9JE,,,1-8888888880,London Borough of Camden,'
    'Local Authority,Y,,,,,,,,Y,,,\r\n'
)
# fmt: on


def parse(text, stats=None):
    return list(parse_cqc_file(io.StringIO(text, newline=""), stats))


def test_sample_file():
    stats = ParseStats()
    out = parse(SAMPLE, stats)

    assert out == [
        CqcLocation(
            location_id="1-101641521",
            name="Rose Court Nursing Home",
            provider_id="1-1000000001",
            provider_name="Rosewood Care Ltd",
            address_lines=("Flat 2, Rose Court", "Elm Road"),
            town="Leeds",
            county="West Yorkshire",
            postcode="LS1 4AP",
            postcode_key="LS14AP",
            local_authority="Leeds",
            region="Yorkshire and The Humber",
            care_types=("care_home",),
            nursing=True,
            beds=40,
            dormant=False,
            registered_on=date(2011, 4, 1),
            deregistered_on=None,
            public_body=None,
            contact_email="manager@example.org",
            registered_manager="Jane Smith",
            latitude=53.79,
            longitude=-1.54,
        ),
        CqcLocation(
            location_id="1-333333333",
            name="Acorn Homecare (North)",
            provider_id="1-3333333330",
            provider_name="Acorn Homecare Ltd",
            address_lines=("Suite 4\nThe Exchange", "Deansgate"),
            town="Manchester",
            county=None,
            postcode="M3 4LZ",
            postcode_key="M34LZ",
            local_authority="Manchester",
            region="North West",
            care_types=("home_care", "supported_living"),
            nursing=False,
            beds=None,
            dormant=False,
            registered_on=date(2019, 6, 15),
            deregistered_on=None,
            public_body=None,
            contact_email=None,
            registered_manager="Sam Jones",
            latitude=53.48,
            longitude=-2.25,
        ),
        CqcLocation(
            location_id="1-444444444",
            name="Birch Lodge Care",
            provider_id="1-4444444440",
            provider_name="Birch Care CIC",
            address_lines=("5 Birch Lane",),
            town="Bristol",
            county=None,
            postcode="BS1 5TR",
            postcode_key="BS15TR",
            local_authority="Bristol",
            region="South West",
            care_types=("home_care",),
            nursing=False,
            beds=None,
            dormant=True,
            registered_on=date(2020, 10, 1),
            deregistered_on=None,
            public_body=None,
            contact_email=None,
            registered_manager=None,
            latitude=51.45,
            longitude=-2.59,
        ),
        RowError(8, "location 1-ABC: Location ID '1-ABC' is not a CQC ID (1- then digits)"),
        RowError(9, "location 1-666666666: Location HSCA start date '31/02/2020': not a real date"),
        CqcLocation(
            location_id="1-888888888",
            name="Council Supported Living Service",
            provider_id="1-8888888880",
            provider_name="London Borough of Camden",
            address_lines=("Town Hall", "Judd Street"),
            town="London",
            county=None,
            postcode="WC1H 9JE",
            postcode_key="WC1H9JE",
            local_authority="Camden",
            region="London",
            care_types=("supported_living",),
            nursing=False,
            beds=None,
            dormant=False,
            registered_on=date(2012, 4, 1),
            deregistered_on=None,
            public_body=True,
            contact_email=None,
            registered_manager=None,
        ),
    ]
    assert stats == ParseStats(
        rows=10,  # records: lines 5-6 are one
        blank=1,
        locations=4,
        skipped_not_adult_social_care=3,
        skipped_extra_care_or_shared_lives=1,
        errors=2,
    )


def test_lines_without_line_endings_and_a_plain_list_work_too():
    lines = SAMPLE.replace("\r\n", "\n").split("\n")
    out = list(parse_cqc_file(lines))
    assert [getattr(x, "location_id", None) for x in out] == [
        "1-101641521", "1-333333333", "1-444444444", None, None, "1-888888888"
    ]
    assert [x.line_number for x in out if isinstance(x, RowError)] == [8, 9]


def test_records_are_immutable():
    location = parse(SAMPLE)[0]
    with pytest.raises(AttributeError):
        location.name = "Other"


# --- header -------------------------------------------------------------------------------


def test_missing_required_headers_are_named():
    header = HEADER.replace("Provider ID,", "").replace("Location Postal Code,", "Postcode,")
    with pytest.raises(ValueError) as info:
        parse_cqc_file([header + "\n"])
    assert "Location Postal Code" in str(info.value)
    assert "Provider ID" in str(info.value)


def test_header_error_is_raised_at_the_call_not_at_first_read():
    with pytest.raises(ValueError, match="empty"):
        parse_cqc_file([])


def test_headers_match_exactly_case_included():
    with pytest.raises(ValueError, match="Location ID"):
        parse_cqc_file([HEADER.replace("Location ID", "location id") + "\n"])


def test_bom_and_spaces_around_header_cells_are_tolerated():
    header = "\ufeff " + HEADER.replace(",", " , ")
    body = SAMPLE.split("\r\n", 1)[1]
    out = parse(header + "\r\n" + body)
    assert [x.location_id for x in out if isinstance(x, CqcLocation)] == [
        "1-101641521", "1-333333333", "1-444444444", "1-888888888"
    ]


def test_a_repeated_used_header_is_refused():
    with pytest.raises(ValueError, match="repeats column.*Location Name"):
        parse_cqc_file([HEADER + ",Location Name\n"])


def test_required_and_optional_headers():
    assert "Contact Email" in OPTIONAL_HEADERS
    assert "Location HSCA End Date" in OPTIONAL_HEADERS
    assert "Registered manager" in OPTIONAL_HEADERS
    assert "Location ID" in REQUIRED_HEADERS and "Provider Ownership Type" in REQUIRED_HEADERS
    minimal = ",".join(REQUIRED_HEADERS) + "\n"
    row = {h: "" for h in REQUIRED_HEADERS} | {
        "Location ID": "1-1",
        "Location Name": "X",
        "Location Postal Code": "SW1A 1AA",
        "Provider ID": "1-2",
        "Provider Name": "P",
        "Service type - Care home service without nursing": "y",
    }
    [location] = parse(minimal + ",".join(row[h] for h in REQUIRED_HEADERS) + "\n")
    assert location.care_types == ("care_home",)
    assert location.nursing is False
    assert location.contact_email is None and location.registered_manager is None


# --- rows ---------------------------------------------------------------------------------

BASE_ROW = {
    "Location ID": "1-108213466",
    "Location Name": "Oak House",
    "Location HSCA start date": "01/04/2011",
    "Dormant (Y/N)": "N",
    "Care homes beds": "",
    "Location Region": "London",
    "Location Local Authority": "Camden",
    "Location Street Address": "1 Oak St",
    "Location Address Line 2": "",
    "Location City": "London",
    "Location County": "",
    "Location Postal Code": "NW1 4AA",
    "Provider ID": "1-101641521",
    "Provider Name": "Oak Ltd",
    "Provider Ownership Type": "Organisation",
    "Service type - Care home service with nursing": "",
    "Service type - Care home service without nursing": "",
    "Service type - Domiciliary care service": "Y",
    "Service type - Supported living service": "",
}


def one(**changes):
    """Parse a one-row file: BASE_ROW with some cells changed or added (extra columns)."""
    row = BASE_ROW | changes
    header = list(row)
    text = ",".join(header) + "\n" + ",".join(row[h] for h in header) + "\n"
    return parse(text)


def test_deactivated_file_end_date():
    [location] = one(**{"Location HSCA End Date": "2026-09-30"})
    assert location.deregistered_on == date(2026, 9, 30)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"Provider ID": "1-"}, "Provider ID '1-' is not a CQC ID"),
        ({"Provider ID": "RXX01"}, "Provider ID 'RXX01' is not a CQC ID"),
        ({"Location ID": ""}, "Location ID is blank"),
        ({"Location Name": " "}, "Location Name is blank"),
        ({"Location Postal Code": ""}, "Location Postal Code is blank"),
        ({"Location Postal Code": "NOT A CODE"}, "'NOT A CODE' is not a UK postcode"),
        ({"Care homes beds": "forty"}, "Care homes beds 'forty' is not a whole number"),
        ({"Care homes beds": "-1"}, "Care homes beds '-1' is not a whole number"),
        ({"Contact Email": "not-an-email"}, "Contact Email 'not-an-email' is not an email"),
        ({"Contact Email": "a@b.org; c@d.org"}, "is not an email"),
        ({"Dormant (Y/N)": "maybe"}, "Dormant (Y/N) must be Y, N or blank, not 'maybe'"),
        ({"Service type - Domiciliary care service": "Yes"}, "must be Y, N or blank"),
        ({"Location HSCA start date": "2011/04/01"}, "not a date (DD/MM/YYYY or YYYY-MM-DD)"),
        ({"Location HSCA End Date": "2026-13-01"}, "Location HSCA End Date '2026-13-01': not a real"),
    ],
)
def test_bad_values_are_row_errors(changes, message):
    [error] = one(**changes)
    assert isinstance(error, RowError)
    assert error.line_number == 2
    assert message in error.message


def test_several_problems_are_reported_together():
    [error] = one(**{"Location ID": "X", "Care homes beds": "many"})
    assert error.message == (
        "location X: Location ID 'X' is not a CQC ID (1- then digits); "
        "Care homes beds 'many' is not a whole number"
    )
    assert str(error) == "line 2: " + error.message


def test_a_skipped_row_is_never_an_error():
    stats = ParseStats()
    out = list(
        parse_cqc_file(
            [
                ",".join(BASE_ROW) + "\n",
                ",".join("" if "Service" in h else "garbage" for h in BASE_ROW) + "\n",
            ],
            stats,
        )
    )
    assert out == []
    assert stats.skipped_not_adult_social_care == 1 and stats.errors == 0


def test_shared_lives_only_is_skipped_and_counted():
    stats = ParseStats()
    row = BASE_ROW | {"Service type - Domiciliary care service": "", "Service type - Shared Lives": "Y"}
    text = ",".join(row) + "\n" + ",".join(row.values()) + "\n"
    assert parse(text, stats) == []
    assert stats.skipped_extra_care_or_shared_lives == 1


def test_short_row_reads_missing_cells_as_blank_and_long_row_is_an_error():
    header = ",".join(BASE_ROW) + "\n"
    values = list(BASE_ROW.values())
    values[-1] = "Y"  # supported living, the last column
    values[-2] = ""  # no home care
    short = ",".join(values[:-1]) + "\n"  # drops the supported living Y: nothing left -> skipped
    full = ",".join(values) + "\n"
    long_blank = ",".join(values) + ",,\n"
    long = ",".join(values) + ",surprise\n"
    out = list(parse_cqc_file([header, short, full, long_blank, long]))
    assert [type(x).__name__ for x in out] == ["CqcLocation", "CqcLocation", "RowError"]
    assert out[2] == RowError(5, f"{len(values) + 1} cells but the header has {len(values)} columns")


@pytest.mark.parametrize(
    ("ownership", "public"),
    [("Local Authority", True), ("NHS Body", True), ("nhs healthcare organisation", True),
     ("Organisation", None), ("Individual", False), ("Partnership", False),
     ("", None), ("Community Interest", None)],
)
def test_public_body(ownership, public):
    [location] = one(**{"Provider Ownership Type": ownership})
    assert location.public_body is public


def test_public_body_mapping_is_one_dict():
    assert PUBLIC_BODY_BY_OWNERSHIP_TYPE["Local Authority"] is True
    assert "Organisation" not in PUBLIC_BODY_BY_OWNERSHIP_TYPE  # a council is an "Organisation" too


def test_care_home_with_both_service_types_and_home_care():
    [location] = one(**{
        "Service type - Care home service with nursing": "Y",
        "Service type - Care home service without nursing": "Y",
        "Care homes beds": "64",
    })
    assert location.care_types == ("care_home", "home_care")
    assert location.nursing is True and location.beds == 64


def test_record_line_numbers_follow_multi_line_fields():
    header = ",".join(BASE_ROW) + "\n"
    first = ",".join(v if k != "Location Street Address" else '"1\n2\n3"' for k, v in BASE_ROW.items())
    bad = ",".join(v if k != "Location ID" else "bad" for k, v in BASE_ROW.items())
    out = list(parse_cqc_file(io.StringIO(header + first + "\n" + bad + "\n", newline="")))
    assert out[0].address_lines == ("1\n2\n3",)
    assert out[1].line_number == 5  # header 1, first record 2-4, bad record 5


def test_streams_row_by_row():
    def endless():
        yield ",".join(BASE_ROW) + "\n"
        for n in itertools.count(1):
            row = BASE_ROW | {"Location ID": f"1-{n}"}
            yield ",".join(row.values()) + "\n"

    first_three = list(itertools.islice(parse_cqc_file(endless()), 3))
    assert [x.location_id for x in first_three] == ["1-1", "1-2", "1-3"]


# --- postcodes ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "key", "shown"),
    [("sw1a 1aa", "SW1A1AA", "SW1A 1AA"), (" M3  4LZ ", "M34LZ", "M3 4LZ"),
     ("b338th", "B338TH", "B33 8TH"), ("LS1\t4AP", "LS14AP", "LS1 4AP"), ("", "", "")],
)
def test_postcode_key_and_display(text, key, shown):
    assert postcode_key(text) == key
    assert display_postcode(text) == shown


@given(st.text())
def test_postcode_key_is_idempotent_upper_case_without_spaces(text):
    key = postcode_key(text)
    assert postcode_key(key) == key
    assert not any(c.isspace() for c in key)
    assert key == key.upper()


postcode_like = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789 ")


@given(postcode_like, st.data())
def test_postcode_key_ignores_case_and_spaces(text, data):
    squashed = text.replace(" ", "")
    # the same characters, each in any case, with any spaces between them
    variant = "".join(
        data.draw(st.sampled_from([c.lower(), c.upper()])) + data.draw(st.sampled_from(["", " ", "  "]))
        for c in squashed
    )
    assert postcode_key(variant) == postcode_key(text)
    other = data.draw(postcode_like)
    assert (postcode_key(other) == postcode_key(text)) == (
        other.replace(" ", "").upper() == squashed.upper()
    )


def test_an_unreadable_record_is_reported_and_reading_goes_on():
    header = ",".join(BASE_ROW) + "\n"
    good = ",".join(BASE_ROW.values()) + "\n"
    huge = ",".join(v if k != "Location Name" else "x" * 500 for k, v in BASE_ROW.items()) + "\n"
    old = csv.field_size_limit(200)
    try:
        out = list(parse_cqc_file([header, huge, good]))
    finally:
        csv.field_size_limit(old)
    assert isinstance(out[0], RowError) and out[0].line_number == 2
    assert "unreadable CSV record" in out[0].message
    assert isinstance(out[1], CqcLocation)


@pytest.mark.parametrize("lat, lon, expected", [
    ("53.8175", "-1.5771", (53.8175, -1.5771)),
    ("", "", (None, None)),
    ("53.8", "", (None, None)),  # one without the other
    ("north", "-1.5", (None, None)),
    ("40.0", "-1.5", (None, None)),  # outside the UK
    ("53.8", "12.0", (None, None)),
    ("nan", "-1.5", (None, None)),
])
def test_coordinates_are_read_when_both_are_in_the_uk_and_never_refuse_the_row(lat, lon, expected):
    row = SAMPLE.split("\r\n")[1].replace("53.79,-1.54", f"{lat},{lon}")
    [location] = parse(HEADER + "\r\n" + row + "\r\n")
    assert (location.latitude, location.longitude) == expected
