"""Every real Nevada record: the one-string address and the primary contact.

Expected values were read off the real file by eye; the city is the words between the street
(or unit) and the comma before `NV`.
"""

from leads_pipeline.stages.lookups.parsers.address import parse_one_line
from leads_pipeline.stages.lookups.parsers.person import parse_contact

# Credential Number -> address1, address2, city, zip, first_name, last_name, operator
# fmt: off
ROWS = [
    ("1106-22", "150 N. WILLOW ST", None, "MESQUITE", "89027", "Janeece", "Noel", None),
    ("1288-22", "2845 MOHAWK ST", None, "LAS VEGAS", "89146", "Tania", "Pineda", None),
    ("2919-23", "6036 ATLANTIS DREAM AVE", None, "LAS VEGAS", "89139", "Bethany", "Johnson", "Bethany Johnson"),
    ("2199-23", "555 PAGE ST", None, "LAS VEGAS", "89110", "Sherrita", "Myers", None),
    ("2351-23", "470 GYPSUM DRIVE", None, "SPRING CREEK", "89815", "Kyla", "Hannah", "Kyla Hannah"),
    ("2454-23", "6321 LAUREN ASHTON AVENUE", None, "LAS VEGAS", "89131", "Deetra", "Stewart", "Deetra Stewart"),
    ("788-22", "540 E. LAKE MEAD PKWY", None, "HENDERSON", "89015", "Theresa", "Hehn", None),
    ("3646-23", "3135 FLORENTINE DRIVE", None, "CARSON CITY", "89701", "Maria", "Arreola", "Maria Arreola"),
    ("3497-22", "3801 N. CAMPBELL RD", None, "LAS VEGAS", "89129", "Jaini", "Jariwala", None),
    ("3496-22", "9975 PLACID ST", None, "LAS VEGAS", "89135", "Jaini", "Jariwala", "Jaini Jariwala"),
    ("2907-23", "6044 RIVER BELLE ST", None, "NORTH LAS VEGAS", "89031", "Angel", "Chadwick", "Angel Chadwick"),
    ("1930-23", "5909 IRIS AVE", None, "LAS VEGAS", "89107", "Chantai", "Peterson", "Chantai Peterson"),
    ("2632-23", "4270 S RAINBOW BLVD", None, "LAS VEGAS", "89103", "Darine", "Farraj", "Darine Farraj"),
    ("2353-23", "9637 JERAN MILES CT", None, "LAS VEGAS", "89147", "Daniel", "Headworth", "Daniel Headworth"),
    ("1473-23", "8889 S. EASTERN AVE.", "STE 160", "LAS VEGAS", "89123", "Tina", "Fox", None),
    ("1250-23", "7625 S. RAINBOW BLVD.", "STE 104-106", "LAS VEGAS", "89139", "Nicole", "Miner", None),
    ("1054-23", "10748 SPRUCEDALE AVE", None, "LAS VEGAS", "89144", "Charlene", "Rath", None),
    ("1231-22", "2760 S. JONES BLVD", None, "LAS VEGAS", "89146", "Kimberli", "Helaire-Smith", None),
    ("925-23", "10050 ALTA DR", None, "LAS VEGAS", "89145", "Lisa", "Fitzgerald", None),
    ("1316-23", "10721 W. CHARLESTON BLVD", None, "LAS VEGAS", "89135", "Anita", "Heuyard", None),
    ("2429-21", "496 SOUTH MAIN STREET", None, "LAS VEGAS", "89101", "Joyce", "Barrow-Henderson", None),
    ("1026-23", "6200 HARGROVE AVE", None, "LAS VEGAS", "89107", "Bridget", "Thomas", None),
    ("3118-23", "4446 MELINE AVENUE", None, "NORTH LAS VEGAS", "89084", "Peggy", "Peter", "Peggy Peter"),
    ("1041-23", "2401 TECH CENTER CT", None, "LAS VEGAS", "89128", "Gretchen", "Lee", None),
    ("1038-23", "9550 W. CHEYENNE AVE", None, "LAS VEGAS", "89129", "Donna", "Einspahr", None),
    ("3422-23", "3113 BUDDING BLSSOM CT", None, "LAS VEGAS", "89108", "Cheryl", "Polk", "Cheryl Polk"),
    ("1078-23", "3521 N. DURANGO DR", None, "LAS VEGAS", "89129", "Erica", "Stegall", None),
    ("1164-22", "1668 GATEWAY AVE", None, "LAS VEGAS", "89104", "Olga", "Cascos", "Olga Cascos"),
    ("1465-23", "8100 WESTCLIFF DR", None, "LAS VEGAS", "89145", "Kristen", "Kennedy", None),
    ("892-23", "6200 SMOKE RANCH RD", None, "LAS VEGAS", "89108", "Trenice", "Taylor", None),
    ("967-22", "2150 SNOW TRAIL", None, "LAS VEGAS", "89134", "Erika", "van Rhyn", None),
    ("1253-23", "3085 DESERT MARIGOLD DR", None, "LAS VEGAS", "89135", "Anastasia", "Edey", None),
    ("1266-23", "7175 W. OQUENDO RD", None, "LAS VEGAS", "89113", "Julie", "Proud", None),
    ("1129-22", "5055 S. DURANGO DR", None, "LAS VEGAS", "89113", "Maria", "Zaccheo", None),
    ("1168-23", "3221 MONACO SHORES DR", None, "LAS VEGAS", "89117", "Celida", "Padilla", "Celida Padilla"),
    ("1382-22", "9692 SWAYING TREES DR", None, "LAS VEGAS", "89147", "Galina", "Gerevenko", "Galina Gerevenko"),
    ("921-22", "8601 SCHOLAR LN", None, "LAS VEGAS", "89128", "Sara", "Carlson", None),
    ("2195-23", "2575 FORT APACHE RD.", None, "LAS VEGAS", "89117", "Yazmin", "Valdez-Giron", None),
    ("1400-23", "2750 LAKE SAHARA DR", None, "LAS VEGAS", "89117", "Kamerine", "Acosta", None),
    ("1075-23", "9700 W. HILLPOINTE RD", None, "LAS VEGAS", "89134", "Valerie", "Irizari", None),
    ("879-23", "9001 HILLPOINTE RD", None, "LAS VEGAS", "89134", "Sharon", "Knafo", None),
    ("991-23", "2121 HARBOR ISLAND DR", None, "LAS VEGAS", "89128", "Deanne", "McMahan", None),
    ("986-23", "8451 BOSECK DR", None, "LAS VEGAS", "89145", "Crystal", "Frost", None),
    ("1295-23", "6395 E. RUSSELL RD", None, "LAS VEGAS", "89122", "Jamie", "Stevens", None),
    ("1108-22", "1312 VISTA DR", None, "LAS VEGAS", "89102", "Dina", "Harlig", None),
    ("3247-23", "3528 ST. ROSE PKWY", None, "HENDERSON", "89052", "Aleksandra", "Lipska Hallock", None),
    ("1185-22", "10265 BERMUDA RD", None, "LAS VEGAS", "89183", "Jennifer", "Heiny", None),
    ("1435-23", "8233 STONEHEATHER CT", None, "LAS VEGAS", "89117", "Shamalie", "Wijekularatne", "Shamalie Wijekularatne"),
    ("3392-22", "6054 DOROCA ST", None, "LAS VEGAS", "89134", "Octavia", "McLaurin", "Octavia McLaurin"),
    ("1152-23", "6980 W. ROBINDALE RD", None, "LAS VEGAS", "89113", "Theresa", "Olpendo", None),
    ("2799-20", "240 WATER STREET", None, "HENDERSON", "89015", "Xanie", "Gann", None),
    ("411-23", "500 HARRIS ST", None, "HENDERSON", "89015", "Felisha", "Aguilar", None),
    ("1105-22", "11183 S. EASTERN AVE", None, "HENDERSON", "89052", "Ashlee", "Naehu", "Ashlee Naehu"),
    ("1474-23", "35 S. STEPHANIE ST", None, "HENDERSON", "89012", "Argie", "Reyes", None),
    ("2167-23", "11350 SOUTHERN HIGHLANDS PKWY", None, "LAS VEGAS", "89141", "Taylor", "Damelio", None),
    ("965-22", "2750 ROBINDALE RD", None, "HENDERSON", "89074", "Jaime", "Bucholz", None),
    ("2191-23", "4855 W. PEBBLE RD.", None, "LAS VEGAS", "89139", "Rosaly", "Lizardo", None),
    ("1508-22", "3980 W. ANN RD.", "STE 1", "NORTH LAS VEGAS", "89031", "Gloria", "Phillips", None),
    ("3512-23", "6045 SUGAR CREEK DR", None, "NORTH LAS VEGAS", "89081", "Heather", "Soto", "Heather Soto"),
    ("3192-22", "9859 W. DEER SPRINGS", None, "LAS VEGAS", "89149", "Pennie", "Donlin", None),
    ("2128-23", "3435 LINDELL ROAD", None, "LAS VEGAS", "89146", "Minli", "Wang", None),
    ("3154-23", "5770 HEDGEHAVEN COURT", None, "LAS VEGAS", "89120", "Gayle", "Thomsen", "Gayle Thomsen"),
    ("1998-22", "512 CALIFORNIA AVE.", None, "BOULDER CITY", "89005", "Sandra", "Piche", None),
    ("007-23", "571 ADAMS BLVD", None, "BOULDER CITY", "89005", "Melanie", "Budd", None),
    ("1116-22", "100 ST. JUDE ST", None, "BOULDER CITY", "89005", "Nicole", "Poblete", None),
    ("1505-22", "1650 CASINO DR", None, "LAUGHLIN", "89029", "Cindy", "Campbell", None),
    ("3217-23", "6508 W COUGAR AVE", None, "LAS VEGAS", "89139", "Dinusha", "Nanayakkara", "Dinusha Nanayakkara"),
    ("1988-22", "8125 W. SAHARA", None, "LAS VEGAS", "89117", "Argie", "Reyes", None),
    ("2290-22", "3325 E. RUSSELL RD.", None, "LAS VEGAS", "89120", "Argie", "Reyes", None),
    ("2724-22", "4935 BLUE DIAMOND RD", None, "LAS VEGAS", "89139", "Jasmine", "Tillman", None),
]
# fmt: on
EXPECTED = {row[0]: row[1:] for row in ROWS}


def test_expectations_cover_every_real_record(
    nevada_rows: list[dict[str, str]],
) -> None:
    assert len(nevada_rows) == len(EXPECTED) == 70
    assert {row["Credential Number"] for row in nevada_rows} == set(EXPECTED)


def test_every_real_address_splits(nevada_rows: list[dict[str, str]]) -> None:
    for row in nevada_rows:
        address1, address2, city, zip_code, *_ = EXPECTED[row["Credential Number"]]
        parsed = parse_one_line(row["Address"])
        got = (parsed.address1, parsed.address2, parsed.city, parsed.state, parsed.zip)
        assert got == (address1, address2, city, "NV", zip_code), row["Address"]
        assert parsed.problem is None
        # The house number is the address's first word.
        assert parsed.street_number == row["Address"].split()[0]


def test_every_real_contact_parses(nevada_rows: list[dict[str, str]]) -> None:
    for row in nevada_rows:
        *_, first_name, last_name, operator = EXPECTED[row["Credential Number"]]
        role = row["Primary Contact Role"]
        contact = parse_contact(row["Primary Contact Name"], role)
        assert (contact.first_name, contact.last_name) == (first_name, last_name), row
        assert contact.title == role
        assert contact.operator == operator
        assert (operator is not None) == (role == "Owner")
        assert contact.problem is None
