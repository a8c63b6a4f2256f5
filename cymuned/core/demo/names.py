"""Word lists for the demo borough: Welsh and English names as found in the South Wales valleys."""

GIVEN_NAMES = [
    "Aled", "Alys", "Amelia", "Ava", "Bethan", "Caitlin", "Carys", "Cerys", "Charlie", "Ciaran", "Dafydd", "Dylan",
    "Efa", "Elin", "Ella", "Emily", "Evan", "Ffion", "Freya", "Gethin", "Grace", "Gruffydd", "Harri", "Harry",
    "Isla", "Iwan", "Jack", "Jacob", "Jessica", "Leo", "Lili", "Lowri", "Lucy", "Mali", "Mason", "Megan", "Mia",
    "Morgan", "Nia", "Noah", "Oliver", "Osian", "Poppy", "Rhys", "Ruby", "Seren", "Sion", "Sophie", "Tomos", "Twm",
]
FAMILY_NAMES = [
    "Bevan", "Davies", "Edwards", "Evans", "Griffiths", "Harris", "Hopkins", "Howells", "Hughes", "James",
    "Jenkins", "John", "Jones", "Lewis", "Llewellyn", "Lloyd", "Morgan", "Morris", "Owen", "Parry", "Phillips",
    "Powell", "Price", "Prosser", "Pugh", "Rees", "Richards", "Roberts", "Rowlands", "Smith", "Thomas",
    "Walters", "Watkins", "Williams", "Ahmed", "Kowalski", "Nowak", "Khan", "O'Brien", "Ó Súilleabháin",
]
PLACES = [
    ("Aberfan", "Aberfan"), ("Bedlinog", "Bedlinog"), ("Cefn Coed", "Cefncoedycymer"), ("Dowlais", "Dowlais"),
    ("Gurnos", "Gurnos"), ("Heolgerrig", "Heolgerrig"), ("Merthyr Vale", "Ynysowen"), ("Pant", "Pant"),
    ("Pentrebach", "Pentre-bach"), ("Penydarren", "Penydarren"), ("Treharris", "Treharris"), ("Troedyrhiw", "Troed-y-rhiw"),
    ("Trelewis", "Trelewis"), ("Twynyrodyn", "Twynyrodyn"), ("Abercanaid", "Abercannaid"), ("Galon Uchaf", "Galon Uchaf"),
    ("Gellideg", "Gellideg"), ("Goetre", "Y Goetre"), ("Edwardsville", "Edwardsville"), ("Quakers Yard", "Mynwent y Crynwyr"),
]
STREETS = ["High Street", "Church Street", "Heol y Nant", "Station Road", "Heol Tywysog", "Park Terrace", "Bryn Road", "Heol Gwaelod"]
