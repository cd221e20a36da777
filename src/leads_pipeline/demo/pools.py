"""Vocabulary the synthetic facilities are built from.

Generic words, common US given names and surnames, and public city / county / ZIP facts.
No value here comes from the agencies' files.
"""

from __future__ import annotations

# --- people -----------------------------------------------------------------------------

FIRST_NAMES = (
    "MARIA", "JENNIFER", "LINDA", "PATRICIA", "ELIZABETH", "SUSAN", "JESSICA", "SARAH",
    "KAREN", "NANCY", "LISA", "BETTY", "MARGARET", "SANDRA", "ASHLEY", "KIMBERLY", "EMILY",
    "DONNA", "MICHELLE", "CAROL", "AMANDA", "MELISSA", "DEBORAH", "STEPHANIE", "REBECCA",
    "LAURA", "SHARON", "CYNTHIA", "KATHLEEN", "AMY", "SHIRLEY", "ANGELA", "HELEN", "ANNA",
    "BRENDA", "PAMELA", "NICOLE", "SAMANTHA", "KATHERINE", "CHRISTINE", "DEBRA", "RACHEL",
    "CAROLYN", "JANET", "CATHERINE", "HEATHER", "DIANE", "JULIE", "JOYCE", "VICTORIA",
    "KELLY", "CHRISTINA", "LAUREN", "JOAN", "EVELYN", "OLIVIA", "JUDITH", "MEGAN", "CHERYL",
    "ANDREA", "HANNAH", "JACQUELINE", "MARTHA", "GLORIA", "TERESA", "ANN", "SARA", "MADISON",
    "FRANCES", "KATHRYN", "JANICE", "JEAN", "ABIGAIL", "ALICE", "JUDY", "SOPHIA", "GRACE",
    "DENISE", "AMBER", "DORIS", "MARILYN", "DANIELLE", "BEVERLY", "ISABELLA", "THERESA",
    "DIANA", "NATALIE", "BRITTANY", "CHARLOTTE", "MARIE", "KAYLA", "ALEXIS", "LORI",
    "YOLANDA", "ROSA", "VERONICA", "GUADALUPE", "LETICIA", "ALMA", "BLANCA", "ADRIANA",
    "TAMIKA", "LATOYA", "KEISHA", "EBONY", "JASMINE", "PRECIOUS", "TIFFANY", "CRYSTAL",
    "JAMES", "ROBERT", "JOHN", "MICHAEL", "DAVID", "WILLIAM", "RICHARD", "JOSEPH", "THOMAS",
    "CHARLES", "DANIEL", "MATTHEW", "ANTHONY", "MARK", "STEVEN", "PAUL", "ANDREW", "KEVIN",
    "BRIAN", "GEORGE", "TIMOTHY", "JOSE", "LUIS", "CARLOS", "JUAN", "MIGUEL", "ANTONIO",
)

LAST_NAMES = (
    "SMITH", "WILLIAMS", "BROWN", "JONES", "GARCIA", "MILLER", "DAVIS", "RODRIGUEZ",
    "MARTINEZ", "HERNANDEZ", "LOPEZ", "GONZALEZ", "WILSON", "ANDERSON", "THOMAS", "MOORE",
    "JACKSON", "MARTIN", "LEE", "PEREZ", "THOMPSON", "WHITE", "HARRIS", "SANCHEZ", "CLARK",
    "RAMIREZ", "LEWIS", "ROBINSON", "WALKER", "YOUNG", "ALLEN", "KING", "WRIGHT", "SCOTT",
    "TORRES", "NGUYEN", "HILL", "FLORES", "GREEN", "ADAMS", "NELSON", "BAKER", "HALL",
    "RIVERA", "CAMPBELL", "MITCHELL", "CARTER", "ROBERTS", "GOMEZ", "PHILLIPS", "EVANS",
    "TURNER", "DIAZ", "PARKER", "CRUZ", "EDWARDS", "COLLINS", "REYES", "STEWART", "MORRIS",
    "MORALES", "MURPHY", "COOK", "ROGERS", "GUTIERREZ", "ORTIZ", "MORGAN", "COOPER",
    "PETERSON", "BAILEY", "REED", "KELLY", "HOWARD", "RAMOS", "KIM", "COX", "WARD",
    "RICHARDSON", "WATSON", "BROOKS", "CHAVEZ", "WOOD", "JAMES", "BENNETT", "GRAY", "MENDOZA",
    "RUIZ", "HUGHES", "PRICE", "ALVAREZ", "CASTILLO", "SANDERS", "PATEL", "MYERS", "LONG",
    "ROSS", "FOSTER", "JIMENEZ", "POWELL", "JENKINS", "PERRY", "RUSSELL", "SULLIVAN", "BELL",
    "COLEMAN", "BUTLER", "HENDERSON", "BARNES", "GONZALES", "FISHER", "VASQUEZ", "SIMMONS",
    "ROMERO", "JORDAN", "PATTERSON", "ALEXANDER", "HAMILTON", "GRAHAM", "REYNOLDS", "GRIFFIN",
    "WALLACE", "MORENO", "WEST", "COLE", "HAYES", "BRYANT", "HERRERA", "GIBSON", "ELLIS",
    "TRAN", "MEDINA", "AGUILAR", "STEVENS", "MURRAY", "FORD", "CASTRO", "MARSHALL", "OWENS",
    "HARRISON", "FERNANDEZ", "MCDONALD", "WOODS", "WASHINGTON", "KENNEDY", "WELLS", "VARGAS",
    "HENRY", "CHEN", "FREEMAN", "WEBB", "TUCKER", "GUZMAN", "BURNS", "CRAWFORD", "OLSON",
    "SIMPSON", "PORTER", "HUNTER", "GORDON", "MENDEZ", "SILVA", "SHAW", "SNYDER", "MASON",
    "DIXON", "MUNOZ", "HUNT", "HICKS", "HOLMES", "PALMER", "WAGNER", "BLACK", "ROBERTSON",
)

# --- facility names (title case; agencies that write upper case upper-case them) -------

NAME_ADJECTIVES = (
    "Little", "Bright", "Happy", "Sunny", "Tiny", "Growing", "Busy", "Golden", "Rainbow",
    "Shining", "Gentle", "Precious", "Wonder", "Lucky", "Blessed", "Clever", "Curious",
    "Joyful", "Smart", "Merry", "Noble", "Silver", "Cozy", "Playful", "Brilliant", "Radiant",
    "Kindred", "Harmony", "Sparkling", "Peaceful", "Faithful", "Hopeful", "Bold", "Mighty",
    "Young", "Wise", "Tender", "Sweet", "Morning", "Evening", "Northern", "Southern",
    "Desert", "Prairie", "Canyon", "Summit", "Valley", "River", "Lakeside", "Hilltop",
    "Magic", "Imagine", "Discovery", "Adventure", "Explorer", "Cornerstone", "Heritage",
    "Horizon", "Lighthouse", "Evergreen",
)

NAME_NOUNS = (
    "Acorns", "Sproutlings", "Explorers", "Stars", "Minds", "Hearts", "Hands", "Steps",
    "Blossoms", "Bees", "Bears", "Lambs", "Owls", "Cubs", "Seeds", "Treasures", "Wonders",
    "Dreamers", "Footprints", "Pebbles", "Sparrows", "Meadows", "Crayons", "Buttons",
    "Ducklings", "Fireflies", "Kites", "Lanterns", "Pinecones", "Tadpoles", "Butterflies",
    "Ladybugs", "Robins", "Foxes", "Otters", "Pandas", "Penguins", "Giraffes", "Koalas",
    "Dolphins", "Sunflowers", "Tulips", "Daisies", "Maples", "Willows", "Oaks", "Rainbows",
    "Rockets", "Comets", "Planets", "Scholars", "Learners", "Thinkers", "Builders",
    "Achievers", "Champions", "Pioneers", "Voyagers", "Giggles", "Wiggles",
)

NAME_TYPES = (
    "Academy", "Learning Center", "Child Care", "Daycare", "Preschool",
    "Child Development Center", "Early Learning Center", "Montessori", "Kids Club",
    "Nursery School", "Learning Academy", "Play School", "Christian Academy", "Day School",
    "Child Care Center", "Early Learning Academy", "Learning Garden", "Kids Academy",
)

HOME_TYPES = (
    "Home Daycare", "Family Child Care", "Home Child Care", "Daycare", "Child Care",
    "Play & Learn", "Little Learners", "Playhouse", "Kids Korner", "Tiny Tots",
)

# Names with an apostrophe; the mis-encoding quirk needs them.
POSSESSIVE_TYPES = ("Kids", "Little Ones", "Playhouse", "Daycare", "Child Care", "Angels")

BRANDS = (
    "Apex", "Pulse", "Vertex", "Titan", "Evolve", "Stride", "Momentum", "Zenith", "Kinetic",
    "Fusion", "Elevate", "Ironwood", "Catalyst", "Velocity", "Anchor",
)
OTHER_KINDS = ("Fitness", "Athletic Club", "Fitness Kids Club", "Sports Club", "Rec Center")

LEGAL_SUFFIXES = ("", "LLC", "INC", "CORP", "L.L.C.")
LEGAL_SUFFIX_WEIGHTS = (60, 27, 8, 2, 3)

# --- addresses --------------------------------------------------------------------------

STREET_NAMES = (
    "Maple", "Desert Bloom", "Harvest Moon", "Cedar Ridge", "Willow Creek", "Sandstone",
    "Juniper", "Aspen Grove", "Silver Sage", "Mesquite Bend", "Copper Canyon", "Red Rock",
    "Quail Run", "Sunset Ridge", "Mountain Vista", "Shadow Creek", "Falcon Crest", "Oak Hollow",
    "Pine Valley", "Bluebonnet", "Prairie Wind", "Meadowlark", "Cottonwood", "Hickory Hill",
    "Magnolia", "Pecan Grove", "Live Oak", "Cypress", "Sycamore", "Elmwood", "Birchwood",
    "Walnut", "Chestnut", "Dogwood", "Laurel", "Hawthorne", "Briarwood", "Foxglove",
    "Primrose Hill", "Lavender", "Rosewood", "Ironwood", "Sagebrush", "Yucca", "Ocotillo",
    "Palo Verde", "Agave", "Saguaro", "Tumbleweed", "Coyote", "Roadrunner", "Mustang",
    "Stagecoach", "Wagon Wheel", "Lone Star", "Liberty", "Independence", "Patriot",
    "Heritage", "Pioneer", "Frontier", "Settlers", "Homestead", "Orchard", "Vineyard",
    "Garden", "Park", "Lake", "River", "Brook", "Spring", "Fountain", "Bridge", "Mill",
    "Church", "School", "College", "Main", "Center", "Market", "Commerce", "Industrial",
    "Airport", "Railroad", "Highland", "Lowell", "Franklin", "Jefferson", "Madison",
    "Monroe", "Jackson", "Lincoln", "Grant", "Washington", "Adams", "Hamilton", "Kennedy",
    "Roosevelt", "Wilson", "Cleveland", "Harrison", "Tyler", "Polk", "Taylor", "Pierce",
    "Buchanan", "Garfield", "Arthur", "Hayes", "Fillmore", "Coolidge", "Hoover", "Truman",
    "Eisenhower", "Sierra Vista", "Crystal Springs", "Eagle Nest", "Hidden Valley",
    "Green Valley", "Rolling Hills", "Country Club", "Golf Course", "Stonebridge",
    "Timber Ridge", "Deer Creek", "Bear Creek", "Elk Horn", "Buffalo", "Bison", "Antelope",
    "Pronghorn", "Raven", "Hummingbird", "Cardinal", "Bluebird", "Mockingbird", "Heron",
    "Pelican", "Osprey", "Kestrel", "Starling", "Swallow", "Wren", "Finch", "Lark",
)

# canonical key -> (full word, abbreviation)
STREET_TYPES = (
    ("STREET", "ST"), ("AVENUE", "AVE"), ("BOULEVARD", "BLVD"), ("DRIVE", "DR"),
    ("ROAD", "RD"), ("LANE", "LN"), ("COURT", "CT"), ("PLACE", "PL"), ("PARKWAY", "PKWY"),
    ("CIRCLE", "CIR"), ("TERRACE", "TER"), ("WAY", "WAY"), ("TRAIL", "TRL"),
    ("HIGHWAY", "HWY"), ("LOOP", "LOOP"), ("FREEWAY", "FWY"),
)
STREET_TYPE_WEIGHTS = (20, 16, 8, 20, 12, 6, 6, 3, 2, 3, 1, 3, 2, 1, 1, 0.5)

DIRECTIONALS = (
    ("NORTH", "N"), ("SOUTH", "S"), ("EAST", "E"), ("WEST", "W"),
    ("NORTHEAST", "NE"), ("NORTHWEST", "NW"), ("SOUTHEAST", "SE"), ("SOUTHWEST", "SW"),
)

UNIT_TYPES = ("STE", "SUITE", "#", "UNIT", "BLDG")

# state -> (two-letter code, full name, [(city, county, [zips])])
PLACES: dict[str, tuple[str, str, tuple[tuple[str, str, tuple[int, ...]], ...]]] = {
    "NV": ("NV", "Nevada", (
        ("LAS VEGAS", "CLARK", (89101, 89102, 89103, 89104, 89106, 89107, 89108, 89109,
                                89110, 89113, 89117, 89118, 89119, 89120, 89121, 89122,
                                89123, 89128, 89129, 89130, 89131, 89134, 89135, 89138,
                                89139, 89141, 89142, 89143, 89144, 89145, 89146, 89147,
                                89148, 89149, 89156, 89166, 89178, 89179, 89183)),
        ("HENDERSON", "CLARK", (89002, 89011, 89012, 89014, 89015, 89044, 89052, 89074)),
        ("NORTH LAS VEGAS", "CLARK", (89030, 89031, 89032, 89081, 89084, 89085, 89086)),
        ("BOULDER CITY", "CLARK", (89005,)),
        ("MESQUITE", "CLARK", (89027,)),
        ("LAUGHLIN", "CLARK", (89029,)),
        ("RENO", "WASHOE", (89501, 89502, 89503, 89506, 89509, 89511, 89512, 89519, 89521,
                            89523)),
        ("SPARKS", "WASHOE", (89431, 89434, 89436, 89441)),
        ("CARSON CITY", "CARSON CITY", (89701, 89703, 89705, 89706)),
        ("ELKO", "ELKO", (89801,)),
        ("SPRING CREEK", "ELKO", (89815,)),
        ("FERNLEY", "LYON", (89408,)),
        ("PAHRUMP", "NYE", (89048, 89060)),
        ("MINDEN", "DOUGLAS", (89423,)),
        ("FALLON", "CHURCHILL", (89406,)),
        ("WINNEMUCCA", "HUMBOLDT", (89445,)),
    )),
    "OK": ("OK", "Oklahoma", (
        ("OKLAHOMA CITY", "OKLAHOMA", (73102, 73103, 73104, 73105, 73106, 73107, 73108,
                                        73109, 73111, 73112, 73114, 73115, 73116, 73117,
                                        73118, 73119, 73120, 73122, 73127, 73129, 73132,
                                        73135, 73139, 73142, 73149, 73159, 73162, 73170,
                                        73173, 73179)),
        ("TULSA", "TULSA", (74103, 74104, 74105, 74106, 74107, 74108, 74110, 74112, 74114,
                            74115, 74116, 74119, 74120, 74126, 74127, 74128, 74129, 74130,
                            74132, 74133, 74134, 74135, 74136, 74137, 74145, 74146)),
        ("EDMOND", "OKLAHOMA", (73003, 73012, 73013, 73025, 73034)),
        ("NORMAN", "CLEVELAND", (73069, 73071, 73072)),
        ("MOORE", "CLEVELAND", (73160, 73170)),
        ("YUKON", "CANADIAN", (73099,)),
        ("EL RENO", "CANADIAN", (73036,)),
        ("MUSTANG", "CANADIAN", (73064,)),
        ("BROKEN ARROW", "TULSA", (74011, 74012, 74014)),
        ("OWASSO", "TULSA", (74055,)),
        ("BIXBY", "TULSA", (74008,)),
        ("JENKS", "TULSA", (74037,)),
        ("SAND SPRINGS", "TULSA", (74063,)),
        ("LAWTON", "COMANCHE", (73501, 73505, 73507)),
        ("MIDWEST CITY", "OKLAHOMA", (73110, 73130)),
        ("STILLWATER", "PAYNE", (74074, 74075)),
        ("ENID", "GARFIELD", (73701, 73703)),
        ("MUSKOGEE", "MUSKOGEE", (74401, 74403)),
        ("SHAWNEE", "POTTAWATOMIE", (74801, 74804)),
        ("ARDMORE", "CARTER", (73401,)),
        ("PONCA CITY", "KAY", (74601, 74604)),
        ("ELMORE CITY", "GARVIN", (73433,)),
    )),
    "TX": ("TX", "Texas", (
        ("HOUSTON", "HARRIS", (77002, 77004, 77006, 77007, 77008, 77009, 77011, 77012,
                               77013, 77014, 77015, 77016, 77017, 77018, 77019, 77021,
                               77022, 77023, 77024, 77025, 77026, 77028, 77029, 77031,
                               77033, 77034, 77035, 77036, 77038, 77039, 77040, 77041,
                               77042, 77043, 77044, 77045, 77047, 77048, 77049, 77050,
                               77051, 77053, 77054, 77055, 77057, 77060, 77061, 77062,
                               77063, 77064, 77065, 77066, 77067, 77068, 77070, 77071,
                               77072, 77073, 77074, 77075, 77076, 77077, 77078, 77079,
                               77080, 77081, 77082, 77083, 77084, 77085, 77086, 77087,
                               77088, 77089, 77090, 77091, 77092, 77093, 77094, 77095,
                               77096, 77098, 77099)),
        ("SAN ANTONIO", "BEXAR", (78201, 78202, 78203, 78204, 78207, 78208, 78209, 78210,
                                  78211, 78212, 78213, 78214, 78216, 78217, 78218, 78219,
                                  78220, 78221, 78222, 78223, 78224, 78225, 78226, 78227,
                                  78228, 78229, 78230, 78231, 78232, 78233, 78237, 78238,
                                  78239, 78240, 78242, 78244, 78245, 78247, 78248, 78249,
                                  78250, 78251, 78252, 78253, 78254, 78258, 78259, 78260)),
        ("DALLAS", "DALLAS", (75201, 75203, 75204, 75205, 75206, 75207, 75208, 75209,
                              75210, 75211, 75212, 75214, 75215, 75216, 75217, 75218,
                              75219, 75220, 75223, 75224, 75225, 75226, 75227, 75228,
                              75229, 75230, 75231, 75232, 75233, 75234, 75235, 75236,
                              75237, 75238, 75240, 75241, 75243, 75244, 75246, 75248,
                              75249, 75251, 75252, 75253, 75254)),
        ("AUSTIN", "TRAVIS", (78701, 78702, 78703, 78704, 78705, 78721, 78722, 78723,
                              78724, 78725, 78727, 78728, 78729, 78730, 78731, 78732,
                              78733, 78734, 78735, 78736, 78737, 78738, 78739, 78741,
                              78744, 78745, 78746, 78748, 78749, 78750, 78751, 78752,
                              78753, 78754, 78756, 78757, 78758, 78759)),
        ("FORT WORTH", "TARRANT", (76102, 76103, 76104, 76105, 76106, 76107, 76108, 76109,
                                   76110, 76111, 76112, 76114, 76115, 76116, 76117, 76118,
                                   76119, 76120, 76123, 76126, 76131, 76132, 76133, 76134,
                                   76135, 76137, 76140, 76148, 76164, 76177, 76179)),
        ("EL PASO", "EL PASO", (79901, 79902, 79903, 79904, 79905, 79907, 79912, 79915,
                                79924, 79925, 79927, 79930, 79932, 79934, 79935, 79936,
                                79938)),
        ("HORIZON CITY", "EL PASO", (79928,)),
        ("CORPUS CHRISTI", "NUECES", (78401, 78404, 78405, 78408, 78410, 78411, 78412,
                                      78413, 78414, 78415, 78416, 78417, 78418)),
        ("LUBBOCK", "LUBBOCK", (79401, 79403, 79404, 79407, 79410, 79412, 79413, 79414,
                                79415, 79416, 79423, 79424)),
        ("KILLEEN", "BELL", (76541, 76542, 76543, 76549)),
        ("TEMPLE", "BELL", (76501, 76502, 76504)),
        ("PLANO", "COLLIN", (75023, 75024, 75025, 75074, 75075, 75093)),
        ("MCKINNEY", "COLLIN", (75069, 75070, 75071, 75072)),
        ("FRISCO", "COLLIN", (75033, 75034, 75035)),
        ("THE COLONY", "DENTON", (75056,)),
        ("DENTON", "DENTON", (76201, 76205, 76207, 76209, 76210)),
        ("ARLINGTON", "TARRANT", (76001, 76002, 76006, 76010, 76011, 76012, 76013, 76014,
                                  76015, 76016, 76017, 76018)),
        ("GRAND PRAIRIE", "DALLAS", (75050, 75051, 75052, 75054)),
        ("GARLAND", "DALLAS", (75040, 75041, 75042, 75043, 75044)),
        ("IRVING", "DALLAS", (75038, 75039, 75060, 75061, 75062, 75063)),
        ("DUNCANVILLE", "DALLAS", (75116, 75137)),
        ("PEARLAND", "BRAZORIA", (77581, 77584)),
        ("WEST COLUMBIA", "BRAZORIA", (77486,)),
        ("SUGAR LAND", "FORT BEND", (77478, 77479, 77498)),
        ("KATY", "HARRIS", (77449, 77450, 77493, 77494)),
        ("KINGWOOD", "HARRIS", (77339, 77345)),
        ("PASADENA", "HARRIS", (77502, 77503, 77504, 77505, 77506)),
        ("PFLUGERVILLE", "TRAVIS", (78660,)),
        ("ROUND ROCK", "WILLIAMSON", (78664, 78665, 78681)),
        ("GEORGETOWN", "WILLIAMSON", (78626, 78628, 78633)),
        ("LAREDO", "WEBB", (78040, 78041, 78043, 78045, 78046)),
        ("MCALLEN", "HIDALGO", (78501, 78503, 78504)),
        ("EDINBURG", "HIDALGO", (78539, 78541, 78542)),
        ("BROWNSVILLE", "CAMERON", (78520, 78521, 78526)),
        ("LOS FRESNOS", "CAMERON", (78566,)),
        ("WACO", "MCLENNAN", (76701, 76704, 76705, 76706, 76707, 76708, 76710, 76712)),
        ("AMARILLO", "POTTER", (79101, 79102, 79106, 79107, 79108)),
        ("MIDLAND", "MIDLAND", (79701, 79703, 79705, 79707)),
        ("ODESSA", "ECTOR", (79761, 79762, 79763, 79764, 79765)),
        ("ABILENE", "TAYLOR", (79601, 79602, 79603, 79605, 79606)),
        ("SWEETWATER", "NOLAN", (79556,)),
        ("TYLER", "SMITH", (75701, 75702, 75703, 75707, 75709)),
        ("BEAUMONT", "JEFFERSON", (77701, 77702, 77703, 77705, 77706, 77707, 77708)),
        ("CONROE", "MONTGOMERY", (77301, 77302, 77303, 77304, 77306)),
        ("MONTGOMERY", "MONTGOMERY", (77316, 77356)),
        ("NAVASOTA", "GRIMES", (77868,)),
        ("SOMERSET", "BEXAR", (78069,)),
        ("NEW BRAUNFELS", "COMAL", (78130, 78132)),
        ("SAN MARCOS", "HAYS", (78666,)),
        ("COLLEGE STATION", "BRAZOS", (77840, 77845)),
    )),
}

STATE_ORDER = ("NV", "OK", "TX")

# Real, assigned area codes: phones must pass a US-number validity check downstream.
AREA_CODES = (
    702, 725, 775, 405, 539, 572, 580, 918, 210, 214, 254, 281, 325, 346, 361, 409, 430,
    432, 469, 512, 682, 713, 726, 737, 806, 817, 830, 832, 903, 915, 936, 940, 945, 956,
    972, 979, 209, 216, 307, 316, 317, 360, 386, 417, 503, 505, 510, 565, 619, 630, 701,
    201, 202, 203, 205, 206, 207, 208, 212, 213, 215, 217, 218, 219, 224, 225, 228, 229,
    231, 234, 239, 240, 248, 251, 252, 253, 256, 260, 262, 267, 269, 270, 276, 301, 302,
    303, 304, 305, 308, 309, 310, 312, 313, 314, 315, 318, 319, 320, 321, 323, 330, 334,
    336, 337, 339, 347, 351, 352, 404, 406, 407, 408, 410, 412, 413, 414, 415, 419, 423,
)
LOCAL_NUMBERS = 8_000_000  # exchanges 200-999: 8M local numbers per area code

EMAIL_DOMAINS = (
    "gmail.com", "yahoo.com", "hotmail.com", "outlook.com", "aol.com", "icloud.com",
    "ymail.com", "att.net", "sbcglobal.net", "live.com",
)
EMAIL_DOMAIN_WEIGHTS = (50, 18, 9, 6, 4, 4, 2, 2, 2, 3)

# CRM: where the company's other (unrelated) leads are.
CRM_STATES = (
    ("New York", "NY"), ("California", "CA"), ("Florida", "FL"), ("Ohio", "OH"),
    ("Wisconsin", "WI"), ("Minnesota", "MN"), ("Iowa", "IA"), ("Kansas", "KS"),
    ("Oregon", "OR"), ("Indiana", "IN"), ("Maryland", "MD"), ("Pennsylvania", "PA"),
    ("Colorado", "CO"), ("Arizona", "AZ"), ("Utah", "UT"), ("Louisiana", "LA"),
    ("South Carolina", "SC"), ("West Virginia", "WV"), ("Arkansas", "AR"), ("Georgia", "GA"),
)
CRM_CITIES = (
    "Springfield", "Riverside", "Fairview", "Georgetown", "Franklin", "Greenville",
    "Bristol", "Clinton", "Madison", "Salem", "Arlington", "Ashland", "Burlington",
    "Milton", "Oxford", "Dayton", "Lexington", "Auburn", "Jackson", "Newport",
)
