"""Demo directory: about 35 bilingual services from the demo borough's partners, schools and council, with places,
opening times, languages and needs, so the public search, the ORUK feed and the stale report have something to show.
Idempotent: ids are derived from the names, and a second load changes nothing."""

from __future__ import annotations

import datetime
import random
import uuid
from decimal import Decimal

from django.utils import timezone

from cymuned.organisations.models import LocalAuthority, Organisation, Partner, School

from .models import (
    Contact,
    Language,
    Location,
    Phone,
    Schedule,
    Service,
    ServiceAtLocation,
    ServiceAttribute,
    Taxonomy,
    TaxonomyTerm,
)
from .taxonomy import ensure_needs_taxonomy, term_id

DEMO_NAMESPACE = uuid.UUID("c0ffee00-1234-4abc-8def-6d6572746879")

#: key -> English name, Welsh name, address, postcode, latitude, longitude
PLACES = {
    "civic": ("Civic Centre", "Canolfan Ddinesig", "Castle Street", "CF47 8AN", "51.745300", "-3.379000"),
    "library": ("Merthyr Tydfil Central Library", "Llyfrgell Ganolog Merthyr Tudful", "High Street", "CF47 8AF", "51.747000", "-3.378500"),
    "redhouse": ("Redhouse Cymru", "Redhouse Cymru", "Old Town Hall, High Street", "CF47 8AE", "51.745800", "-3.378600"),
    "gurnos": ("Gurnos Community Centre", "Canolfan Gymunedol y Gurnos", "Chestnut Way, Gurnos", "CF47 9SB", "51.762000", "-3.385000"),
    "troedyrhiw": ("Troedyrhiw Community Centre", "Canolfan Gymunedol Troed-y-rhiw", "Bridge Street, Troedyrhiw", "CF48 4DX", "51.712000", "-3.348000"),
    "aberfan": ("Aberfan Community Centre", "Canolfan Gymunedol Aberfan", "Aberfan Road, Aberfan", "CF48 4QE", "51.693000", "-3.344000"),
    "treharris": ("Treharris Library", "Llyfrgell Treharris", "Perrott Street, Treharris", "CF46 5ET", "51.666000", "-3.305000"),
    "hospital": ("Prince Charles Hospital", "Ysbyty'r Tywysog Siarl", "Gurnos Road", "CF47 9DT", "51.764000", "-3.386000"),
    "cefn": ("Cefn Coed Hall", "Neuadd Cefncoedycymer", "High Street, Cefn Coed", "CF48 2PL", "51.768000", "-3.400000"),
    "georgetown": ("Georgetown Family Centre", "Canolfan Deulu Georgetown", "Georgetown", "CF48 1BX", "51.740000", "-3.388000"),
    "jobcentre": ("Job Centre Plus, Merthyr Tydfil", "Canolfan Byd Gwaith, Merthyr Tudful", "Victoria Street", "CF47 8BW", "51.744000", "-3.377000"),
    "college": ("The College Merthyr Tydfil", "Coleg Merthyr Tudful", "Ynysfach", "CF48 1AR", "51.741000", "-3.381000"),
}

MERTHYR = "Merthyr Tydfil County Borough Council"
HEALTH = "Cwm Taf Morgannwg University Health Board"
HOMES = "Merthyr Valleys Homes"
VAMT = "Voluntary Action Merthyr Tydfil"
ACL = "Adult Community Learning"
YOUTH = "Youth Service"
MENTER = "Menter Iaith Merthyr Tudful"
FLYING = "Flying Start"
CAREERS = "Careers Wales"
CHILDREN = "Children's Services"
POLICE = "South Wales Police, Merthyr neighbourhood team"

#: organisation, name en, name cy, description en, description cy, needs, ages (min, max), languages, active offer,
#: places, days, opens, closes, fees (None = free)
SERVICES = [
    (HOMES, "Tenancy support", "Cymorth tenantiaeth", "Help to keep your home: rent, bills, repairs and dealing with letters.",
     "Help i gadw'ch cartref: rhent, biliau, atgyweiriadau a delio â llythyrau.", ["housing", "debt-money"], (16, None), ["en", "cy"], True,
     ["redhouse"], "MO,TU,WE,TH,FR", "09:00", "17:00", None),
    (HOMES, "Money advice drop-in", "Sesiwn galw heibio cyngor ariannol", "Free, confidential advice on debt, benefits and budgeting.",
     "Cyngor am ddim a chyfrinachol ar ddyled, budd-daliadau a chyllidebu.", ["debt-money"], (18, None), ["en"], False,
     ["gurnos", "troedyrhiw"], "TU,TH", "10:00", "13:00", None),
    (HOMES, "Warm homes energy advice", "Cyngor ynni cartrefi cynnes", "Advice on energy bills, grants for insulation and emergency fuel vouchers.",
     "Cyngor ar filiau ynni, grantiau inswleiddio a thalebau tanwydd brys.", ["energy", "debt-money"], (18, None), ["en", "cy"], False,
     ["redhouse"], "WE", "09:30", "15:30", None),
    (VAMT, "Merthyr Tydfil food bank", "Banc bwyd Merthyr Tudful", "Three days of emergency food for people in crisis, with a referral voucher.",
     "Bwyd brys am dri diwrnod i bobl mewn argyfwng, gyda thaleb atgyfeirio.", ["food"], (None, None), ["en"], False,
     ["civic"], "MO,WE,FR", "11:00", "14:00", None),
    (VAMT, "Community fridge", "Oergell gymunedol", "Surplus food from local shops, free to anyone, no questions asked.",
     "Bwyd dros ben o siopau lleol, am ddim i unrhyw un, dim cwestiynau.", ["food"], (None, None), ["en", "cy"], True,
     ["aberfan"], "TU,TH,SA", "10:00", "12:00", None),
    (VAMT, "Befriending for older people", "Cyfeillio i bobl hŷn", "Volunteers visit or phone older people living alone each week.",
     "Gwirfoddolwyr yn ymweld neu'n ffonio pobl hŷn sy'n byw ar eu pen eu hunain bob wythnos.", ["mental-health"], (65, None), ["en", "cy"], True,
     ["civic"], "MO,TU,WE,TH,FR", "09:00", "16:00", None),
    (VAMT, "Volunteering hub", "Hwb gwirfoddoli", "Find volunteering that fits you, with training and travel costs paid.",
     "Dewch o hyd i waith gwirfoddol sy'n addas i chi, gyda hyfforddiant a chostau teithio wedi'u talu.", ["employment"], (16, None), ["en"], False,
     ["civic"], "MO,TU,WE,TH", "10:00", "16:00", None),
    (HEALTH, "Child and adolescent mental health (CAMHS) drop-in", "Sesiwn galw heibio iechyd meddwl plant a'r glasoed (CAMHS)",
     "Talk to a mental health practitioner about a child's worries, without an appointment.",
     "Siaradwch ag ymarferydd iechyd meddwl am bryderon plentyn, heb apwyntiad.", ["mental-health"], (5, 18), ["en", "cy"], False,
     ["hospital"], "WE", "15:30", "18:00", None),
    (HEALTH, "Health visiting", "Ymwelwyr iechyd", "Health visitors support families with children under five: feeding, sleep, growth and development.",
     "Mae ymwelwyr iechyd yn cefnogi teuluoedd â phlant dan bump: bwydo, cysgu, twf a datblygiad.", ["parenting", "physical-health"], (0, 4),
     ["en", "cy"], True, ["georgetown", "gurnos"], "MO,TU,WE,TH,FR", "09:00", "17:00", None),
    (HEALTH, "Stop smoking Wales", "Helpa Fi i Stopio", "Free support and medication to help you stop smoking, in person or by phone.",
     "Cymorth a meddyginiaeth am ddim i'ch helpu i roi'r gorau i ysmygu, wyneb yn wyneb neu dros y ffôn.", ["physical-health", "substance-misuse"],
     (12, None), ["en", "cy"], True, ["hospital"], "MO,TH", "09:00", "17:00", None),
    (HEALTH, "Community drug and alcohol team", "Tîm cyffuriau ac alcohol cymunedol", "Assessment, treatment and support for adults worried about drugs or alcohol.",
     "Asesu, triniaeth a chymorth i oedolion sy'n poeni am gyffuriau neu alcohol.", ["substance-misuse", "mental-health"], (18, None), ["en"], False,
     ["civic"], "MO,TU,WE,TH,FR", "09:00", "17:00", None),
    (CHILDREN, "Family support team", "Tîm cymorth i deuluoedd", "Early help for families under pressure, before problems grow.",
     "Help cynnar i deuluoedd dan bwysau, cyn i broblemau dyfu.", ["parenting"], (0, 18), ["en", "cy"], True,
     ["civic"], "MO,TU,WE,TH,FR", "08:30", "17:00", None),
    (CHILDREN, "Young carers project", "Prosiect gofalwyr ifanc", "Breaks, activities and someone to talk to for children who look after someone at home.",
     "Seibiannau, gweithgareddau a rhywun i siarad â nhw i blant sy'n gofalu am rywun gartref.", ["youth", "mental-health"], (8, 18), ["en", "cy"], False,
     ["library"], "WE", "16:00", "18:00", None),
    (CHILDREN, "Domestic abuse support for families", "Cymorth cam-drin domestig i deuluoedd", "Confidential support and safety planning for anyone affected by domestic abuse.",
     "Cymorth cyfrinachol a chynllunio diogelwch i unrhyw un sy'n cael ei effeithio gan gam-drin domestig.", ["domestic-abuse"], (None, None),
     ["en", "cy", "pl"], False, ["civic"], "MO,TU,WE,TH,FR", "09:00", "17:00", None),
    (POLICE, "Neighbourhood police surgery", "Cymhorthfa'r heddlu cymdogaeth", "Meet your local officers about anti-social behaviour and community safety.",
     "Cwrdd â'ch swyddogion lleol am ymddygiad gwrthgymdeithasol a diogelwch cymunedol.", ["youth"], (None, None), ["en"], False,
     ["gurnos", "treharris"], "TH", "17:00", "19:00", None),
    (ACL, "Essential skills: English and maths", "Sgiliau hanfodol: Saesneg a mathemateg", "Free classes for adults to build confidence with reading, writing and numbers.",
     "Dosbarthiadau am ddim i oedolion i fagu hyder gyda darllen, ysgrifennu a rhifau.", ["adult-learning", "employment"], (19, None), ["en"], False,
     ["library", "treharris"], "TU,TH", "09:30", "12:00", None),
    (ACL, "Digital skills for everyday life", "Sgiliau digidol ar gyfer bywyd bob dydd", "Use a phone, tablet or computer for shopping, banking and school apps.",
     "Defnyddio ffôn, llechen neu gyfrifiadur i siopa, bancio ac apiau'r ysgol.", ["adult-learning"], (19, None), ["en", "cy"], False,
     ["library"], "MO", "13:00", "15:00", None),
    (ACL, "Family cooking on a budget", "Coginio i'r teulu ar gyllideb", "Cook healthy meals for a family for less, and take the food home.",
     "Coginio prydau iach i deulu am lai, a mynd â'r bwyd adref.", ["food", "adult-learning", "parenting"], (None, None), ["en", "cy"], False,
     ["troedyrhiw"], "WE", "10:00", "12:30", "£1 a session towards ingredients"),
    (ACL, "ESOL: English for speakers of other languages", "ESOL: Saesneg i siaradwyr ieithoedd eraill", "English classes at every level, with a crèche.",
     "Dosbarthiadau Saesneg ar bob lefel, gyda chrèche.", ["adult-learning"], (16, None), ["en", "ar", "uk", "pl"], False,
     ["college"], "MO,WE", "09:30", "12:00", None),
    (YOUTH, "Youth club, Gurnos", "Clwb ieuenctid, y Gurnos", "Games, trips, cooking and a safe place to be with friends.",
     "Gemau, tripiau, coginio a lle diogel i fod gyda ffrindiau.", ["youth"], (11, 18), ["en"], False,
     ["gurnos"], "MO,WE", "18:00", "21:00", "50p a night"),
    (YOUTH, "Youth information and counselling", "Gwybodaeth a chwnsela i bobl ifanc", "Free, confidential counselling and advice for 11 to 25 year olds.",
     "Cwnsela a chyngor am ddim a chyfrinachol i bobl 11 i 25 oed.", ["youth", "mental-health"], (11, 25), ["en", "cy"], True,
     ["library"], "MO,TU,WE,TH,FR", "10:00", "18:00", None),
    (YOUTH, "Detached youth work", "Gwaith ieuenctid ar y stryd", "Youth workers meet young people where they are, in parks and on the streets.",
     "Gweithwyr ieuenctid yn cwrdd â phobl ifanc lle maen nhw, mewn parciau ac ar y strydoedd.", ["youth", "substance-misuse"], (11, 25), ["en"], False,
     ["troedyrhiw", "aberfan"], "TU,FR", "18:00", "21:00", None),
    (MENTER, "Clwb Cymraeg after-school club", "Clwb Cymraeg ar ôl ysgol", "Play, crafts and sport in Welsh for primary school children.",
     "Chwarae, crefftau a chwaraeon yn Gymraeg i blant ysgol gynradd.", ["childcare", "welsh-language"], (4, 11), ["cy"], True,
     ["cefn"], "MO,TU,WE,TH", "15:15", "17:30", "£3 a session"),
    (MENTER, "Welsh conversation café", "Caffi sgwrs Gymraeg", "Practise your Welsh over a cuppa, whatever your level.",
     "Ymarfer eich Cymraeg dros baned, beth bynnag fo'ch lefel.", ["welsh-language", "adult-learning"], (16, None), ["cy", "en"], True,
     ["library"], "TH", "10:30", "12:00", None),
    (MENTER, "Cymraeg i blant: baby and toddler groups", "Cymraeg i Blant: grwpiau babanod a phlant bach",
     "Songs, rhymes and baby massage in Welsh, for parents who speak Welsh and those who don't yet.",
     "Caneuon, rhigymau a thylino babi yn Gymraeg, i rieni sy'n siarad Cymraeg a'r rhai sydd ddim eto.", ["parenting", "welsh-language"], (0, 3),
     ["cy", "en"], True, ["georgetown"], "FR", "10:00", "11:30", None),
    (FLYING, "Flying Start childcare", "Gofal plant Dechrau'n Deg", "Free, part-time, good quality childcare for 2 to 3 year olds in Flying Start areas.",
     "Gofal plant rhan-amser o ansawdd da am ddim i blant 2 i 3 oed yn ardaloedd Dechrau'n Deg.", ["childcare"], (2, 3), ["en", "cy"], True,
     ["georgetown", "gurnos"], "MO,TU,WE,TH,FR", "09:00", "11:30", None),
    (FLYING, "Parenting: Incredible Years", "Rhianta: Blynyddoedd Rhyfeddol", "A 12-week group for parents of children aged 3 to 6, with a crèche.",
     "Grŵp 12 wythnos i rieni plant 3 i 6 oed, gyda chrèche.", ["parenting"], (18, None), ["en"], False,
     ["georgetown"], "TU", "09:30", "11:30", None),
    (FLYING, "Speech and language drop-in", "Sesiwn galw heibio lleferydd ac iaith", "Advice from a speech and language therapist on your child's talking.",
     "Cyngor gan therapydd lleferydd ac iaith am siarad eich plentyn.", ["parenting", "disability"], (0, 4), ["en", "cy"], False,
     ["gurnos"], "TH", "13:30", "15:30", None),
    (CAREERS, "Careers advice for young people", "Cyngor gyrfaoedd i bobl ifanc", "Guidance on courses, apprenticeships and jobs, in school or at the centre.",
     "Cyfarwyddyd ar gyrsiau, prentisiaethau a swyddi, yn yr ysgol neu yn y ganolfan.", ["employment", "youth"], (11, 25), ["en", "cy"], True,
     ["jobcentre"], "MO,TU,WE,TH,FR", "09:00", "17:00", None),
    (CAREERS, "Working Wales: help back to work", "Cymru'n Gweithio: help yn ôl i'r gwaith", "CV help, interview practice and funding for training for adults.",
     "Help gyda CV, ymarfer cyfweliadau ac arian ar gyfer hyfforddiant i oedolion.", ["employment"], (16, None), ["en", "cy"], True,
     ["jobcentre", "treharris"], "MO,WE,FR", "09:30", "16:00", None),
    (MERTHYR, "Housing options and homelessness", "Opsiynau tai a digartrefedd", "Help if you are homeless or might lose your home, including out of hours.",
     "Help os ydych yn ddigartref neu os gallech golli'ch cartref, gan gynnwys y tu allan i oriau.", ["housing"], (16, None), ["en", "cy"], True,
     ["civic"], "MO,TU,WE,TH,FR", "08:30", "17:00", None),
    (MERTHYR, "Family Information Service", "Gwasanaeth Gwybodaeth i Deuluoedd", "Free information on childcare, funded places and help with costs.",
     "Gwybodaeth am ddim am ofal plant, lleoedd wedi'u hariannu a help gyda chostau.", ["childcare", "parenting"], (0, 25), ["en", "cy"], True,
     ["civic"], "MO,TU,WE,TH,FR", "09:00", "17:00", None),
    (MERTHYR, "Free school meals and uniform grant", "Prydau ysgol am ddim a grant gwisg ysgol", "Apply for free school meals and the School Essentials Grant.",
     "Gwneud cais am brydau ysgol am ddim a'r Grant Hanfodion Ysgol.", ["food", "debt-money"], (4, 16), ["en", "cy"], True,
     ["civic"], "MO,TU,WE,TH,FR", "09:00", "17:00", None),
    (MERTHYR, "Disability and additional learning needs advice", "Cyngor anabledd ac anghenion dysgu ychwanegol",
     "Advice for families on ALN, support in school and short breaks.", "Cyngor i deuluoedd ar ADY, cymorth yn yr ysgol a seibiannau byr.",
     ["disability", "parenting"], (0, 25), ["en", "cy", "bfi"], True, ["civic"], "TU,TH", "10:00", "15:00", None),
]

#: School-run services (the first school of each cluster by name), to show schools maintaining their own entries.
SCHOOL_SERVICES = [
    ("Cyfarthfa High School", "Community food pantry", "Pantri bwyd cymunedol", "A pay-what-you-can pantry for families of the cluster.",
     "Pantri talu-beth-allwch-chi i deuluoedd y clwstwr.", ["food"], (None, None), ["en"], False, "TH", "15:00", "17:00"),
    ("Afon Taf High School", "Homework club and family learning", "Clwb gwaith cartref a dysgu teuluol", "Help with homework and learning together after school.",
     "Help gyda gwaith cartref a dysgu gyda'n gilydd ar ôl ysgol.", ["youth", "adult-learning"], (11, 16), ["en"], False, "TU,WE", "15:15", "16:30"),
]


def _id(kind: str, name: str) -> uuid.UUID:
    return uuid.uuid5(DEMO_NAMESPACE, f"{kind}:{name}")


def _time(value: str) -> datetime.time:
    hours, minutes = value.split(":")
    return datetime.time(int(hours), int(minutes))


def load_demo_directory(*, local_authority: LocalAuthority, rng: random.Random, today: datetime.date) -> int:
    """Create the demo services (skipping those already there); answers how many were created."""
    ensure_needs_taxonomy(Taxonomy, TaxonomyTerm)
    organisations = {p.name_en: p for p in Partner.objects.filter(local_authority=local_authority)}
    organisations[MERTHYR] = local_authority
    organisations.update({s.name_en: s for s in School.objects.filter(local_authority=local_authority)})
    locations: dict[str, Location] = {}
    for key, (en, cy, address, postcode, lat, lon) in PLACES.items():
        locations[key] = Location.objects.get_or_create(
            id=_id("location", key),
            defaults={"local_authority": local_authority, "name_en": en, "name_cy": cy, "address_1": address, "city": "Merthyr Tydfil",
                      "postcode": postcode, "latitude": Decimal(lat), "longitude": Decimal(lon)},
        )[0]
    created = 0
    rows = [(*row,) for row in SERVICES] + [
        (org, en, cy, d_en, d_cy, needs, ages, langs, offer, None, days, opens, closes, None)
        for org, en, cy, d_en, d_cy, needs, ages, langs, offer, days, opens, closes in SCHOOL_SERVICES
    ]
    for org_name, en, cy, d_en, d_cy, needs, (low, high), languages, offer, places, days, opens, closes, fees in rows:
        organisation: Organisation | None = organisations.get(org_name)
        if organisation is None:
            continue
        sid = _id("service", en)
        if Service.objects.filter(pk=sid).exists():
            continue
        # Some entries are overdue a check, so the stale report has something in it.
        checked = today - datetime.timedelta(days=rng.choice([30, 90, 200, 420, 500]))
        service = Service.objects.create(
            id=sid, local_authority=local_authority, organisation=organisation, name_en=en, name_cy=cy, description_en=d_en,
            description_cy=d_cy, minimum_age=low, maximum_age=high, welsh_active_offer=offer, is_free=fees is None,
            fees_description_en=fees or "", fees_description_cy=(fees or "").replace("a session", "y sesiwn").replace("a night", "y noson"),
            email=f"{en.lower().split()[0].strip(':,')}@demo.cymuned.cymru", url="https://www.merthyr.gov.uk/",
            assured_date=checked, assurer_email="directory@demo.cymuned.cymru", review_date=checked + datetime.timedelta(days=365),
            last_modified=timezone.make_aware(datetime.datetime.combine(checked, datetime.time(10))),
        )
        ServiceAttribute.objects.bulk_create([ServiceAttribute(service=service, taxonomy_term_id=term_id(code)) for code in needs])
        names = {"cy": "Welsh", "en": "English", "pl": "Polish", "ar": "Arabic", "uk": "Ukrainian", "bfi": "British Sign Language"}
        Language.objects.bulk_create([Language(service=service, code=code, name=names.get(code, code)) for code in languages])
        if places is None:  # a school's own service: at the school
            school = organisation
            place = Location.objects.create(id=_id("location", school.name_en), local_authority=local_authority, organisation=school,
                                            name_en=school.name_en, name_cy=school.name_cy, address_1=school.address.split("\n")[0],
                                            city="Merthyr Tydfil", postcode=school.postcode,
                                            latitude=Decimal("51.7460") + Decimal(rng.randint(-300, 300)) / 10000,
                                            longitude=Decimal("-3.3780") + Decimal(rng.randint(-300, 300)) / 10000)
            places_for = [place]
        else:
            places_for = [locations[key] for key in places]
        for place in places_for:
            ServiceAtLocation.objects.create(id=_id("sal", f"{en}:{place.pk}"), service=service, location=place)
        Schedule.objects.create(id=_id("schedule", en), service=service, byday=days, opens_at=_time(opens), closes_at=_time(closes))
        contact = Contact.objects.create(id=_id("contact", en), service=service, title="Duty worker", email=service.email)
        Phone.objects.create(id=_id("phone", en), service=service, contact=contact, number=f"01685 {rng.randint(700000, 799999)}", type="voice")
        created += 1
    return created
