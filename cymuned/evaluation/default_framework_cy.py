"""Welsh text of the default framework (Welsh Government's model of community focused schools / ysgolion bro).

Mirrors ``default_framework.py``: the same element, enabler and stage codes, and the same ``(element, enabler)``
keys in ``CELLS_CY``, each holding the Welsh guidance, example evidence and four stage descriptors."""

from __future__ import annotations

ELEMENTS_CY: dict[str, str] = {
    "family": "Ymgysylltu â theuluoedd",
    "community": "Ymgysylltu â'r gymuned",
    "multi_agency": "Ymgysylltu amlasiantaethol",
}
ENABLERS_CY: dict[str, str] = {
    "vision": "Gweledigaeth gyffredin",
    "leadership": "Arweinyddiaeth gydweithredol",
    "relationships": "Perthnasoedd ymddiriedus",
    "learning": "Dysgu cysylltiedig",
}
STAGES_CY: dict[int, str] = {
    1: "Dechreuol",
    2: "Datblygol",
    3: "Sefydledig",
    4: "Arwain",
}
TITLE_CY = "Hunanwerthuso ysgolion bro"
INTRODUCTION_CY = (
    "Rhowch radd i bob un o'r deuddeg sgwâr ar y continwwm, eglurwch pam, ac atodwch dystiolaeth. Byddwch yn "
    "onest: diben y fframwaith yw gwella, nid barnu. Mae eich clwstwr neu'ch awdurdod lleol yn cymedroli'r graddau."
)

# (element, enabler) -> guidance, example evidence, then the four stage descriptors (Welsh).
CELLS_CY: dict[tuple[str, str], tuple[str, str, tuple[str, str, str, str]]] = {
    ("family", "vision"): (
        "I ba raddau y mae teuluoedd, ac yn anad dim y rhai y mae tlodi'n eu dal yn ôl, yn rhannu ac yn llunio "
        "gweledigaeth yr ysgol ar gyfer gweithio gyda nhw.",
        "Datganiad o weledigaeth a ysgrifennwyd gyda rhieni; cofnodion fforymau rhieni; canlyniadau arolygon wedi'u "
        "dadansoddi yn ôl cymhwystra i gael prydau ysgol am ddim (eFSM).",
        (
            "Mae gweledigaeth yr ysgol yn cyfeirio at deuluoedd, ond ni chafodd teuluoedd eu cynnwys wrth ei hysgrifennu.",
            "Gofynnwyd i deuluoedd am eu barn ar y weledigaeth; mae rhai rhieni wedi helpu i'w hadolygu.",
            "Ysgrifennwyd y weledigaeth gyda grŵp cynrychiadol o deuluoedd, gan gynnwys teuluoedd eFSM, ac mae'r rhan "
            "fwyaf ohonynt yn gyfarwydd â hi.",
            "Teuluoedd sy'n arwain yr adolygiad o'r weledigaeth bob blwyddyn; mae'n amlwg yn llywio blaenoriaethau'r "
            "ysgol, ac mae'r gymuned yn berchen arni.",
        ),
    ),
    ("family", "leadership"): (
        "Pwy sy'n arwain ymgysylltu â theuluoedd, ac i ba raddau y mae teuluoedd yn cael rhan yn y penderfyniadau "
        "sy'n effeithio arnynt.",
        "Swydd-ddisgrifiad y Swyddog Ymgysylltu â Theuluoedd (SYTh); cylch gorchwyl y cyngor rhieni; adroddiadau'r "
        "llywodraethwyr.",
        (
            "Mae ymgysylltu â theuluoedd yn dibynnu ar ychydig o staff brwdfrydig; nid oes arweinydd wedi'i enwi ar ei "
            "gyfer.",
            "Mae arweinydd wedi'i enwi (y SYTh yn aml) yn cydlynu ymgysylltu â theuluoedd gyda rhywfaint o gefnogaeth "
            "gan uwch arweinwyr.",
            "Mae uwch arweinwyr, y SYTh a'r llywodraethwyr yn cynllunio ymgysylltu â theuluoedd gyda'i gilydd; mae "
            "rhieni'n aelodau o grwpiau gwneud penderfyniadau.",
            "Mae arweinyddiaeth ymgysylltu â theuluoedd yn cael ei rhannu â rhieni, sy'n cyd-arwain prosiectau ac sy'n "
            "cael hyfforddiant i gefnogi teuluoedd eraill.",
        ),
    ),
    ("family", "relationships"): (
        "I ba raddau y mae teuluoedd yn teimlo bod croeso iddynt, eu bod yn cael eu parchu a bod rhywun yn gwrando "
        "arnynt, yn enwedig y rhai sy'n ei chael hi'n anodd mynd at yr ysgol.",
        "Cofnodion cyswllt y SYTh; ymweliadau cartref; presenoldeb mewn digwyddiadau i deuluoedd wedi'i ddadansoddi "
        "yn ôl eFSM; cwynion a chanmoliaeth.",
        (
            "Mae cyswllt â theuluoedd yn ymwneud yn bennaf â phroblemau, fel absenoldeb neu ymddygiad.",
            "Mae staff yn gwneud cyswllt cadarnhaol â rhai teuluoedd; mae'r SYTh yn cyrraedd teuluoedd sy'n anaml yn "
            "dod i'r ysgol.",
            "Mae'r rhan fwyaf o deuluoedd, gan gynnwys y rhai y mae tlodi'n eu dal yn ôl, yn dweud ei bod yn hawdd mynd "
            "at y staff a bod rhywun yn gwrando arnynt.",
            "Mae teuluoedd yn ymddiried yn yr ysgol fel y lle cyntaf i droi ato; maent yn codi pryderon yn gynnar ac yn "
            "helpu teuluoedd eraill i ymgysylltu.",
        ),
    ),
    ("family", "learning"): (
        "Sut y caiff teuluoedd eu helpu i gefnogi dysgu eu plant, ac i ddysgu eu hunain.",
        "Cyrsiau dysgu teuluol; y nifer sy'n manteisio ar ddysgu oedolion; adnoddau dysgu yn y cartref yn Gymraeg ac "
        "yn Saesneg.",
        (
            "Anfonir gwybodaeth am ddysgu adref; ychydig o deuluoedd sy'n cymryd rhan mewn gweithgareddau dysgu.",
            "Mae'r ysgol yn cynnal sesiynau dysgu teuluol o bryd i'w gilydd ac yn cyfeirio teuluoedd at ddysgu oedolion.",
            "Mae dysgu teuluol a dysgu oedolion rheolaidd yn cael eu cynllunio gyda phartneriaid, yn cyrraedd "
            "teuluoedd eFSM ac yn cael eu gwerthuso.",
            "Mae teuluoedd a'r ysgol yn dysgu gyda'i gilydd; mae dysgu teuluol yn arwain at gymwysterau ac at rieni'n "
            "gwirfoddoli neu'n gweithio yn yr ysgol.",
        ),
    ),
    ("community", "vision"): (
        "I ba raddau y mae'r gymuned ehangach yn gweld yr ysgol fel ei hysgol ei hun ac yn rhannu ei huchelgeisiau.",
        "Ymgynghori â'r gymuned; beth yw ystyr 'cymuned' yma yng ngeiriau'r trigolion eu hunain; cynlluniau lleol "
        "sy'n cyfeirio at yr ysgol.",
        (
            "Ychydig o gysylltiad sydd gan yr ysgol â'r gymuned y tu hwnt i'w theuluoedd.",
            "Mae'r ysgol wedi ymgynghori â rhai grwpiau cymunedol ynghylch ei rôl yn yr ardal.",
            "Mae'r ysgol a grwpiau cymunedol yn rhannu gweledigaeth ysgrifenedig ar gyfer yr ysgol fel hyb cymunedol.",
            "Mae'r gymuned yn llunio ac yn hyrwyddo gweledigaeth yr ysgol, sy'n rhan o gynlluniau lleol ar gyfer yr "
            "ardal.",
        ),
    ),
    ("community", "leadership"): (
        "Sut y mae'r ysgol a grwpiau cymunedol yn arwain y defnydd cymunedol a gweithgareddau cymunedol gyda'i "
        "gilydd.",
        "Llywodraethwyr cymunedol; cytundebau llogi a defnyddio; cynllunio ar y cyd â grwpiau; memoranda "
        "cyd-ddealltwriaeth.",
        (
            "Achlysurol yw'r defnydd cymunedol o'r ysgol, ac fe'i trefnir fesul achos.",
            "Mae aelod o staff yn cydlynu'r defnydd cymunedol; mae llywodraethwyr cymunedol wedi'u penodi.",
            "Mae rheolwr ysgol fro a chynrychiolwyr cymunedol yn cynllunio'r defnydd o safle'r ysgol a'r "
            "gweithgareddau gyda'i gilydd.",
            "Mae partneriaid cymunedol yn cyd-arwain cynnig cymunedol yr ysgol, gan wneud penderfyniadau ar y cyd am "
            "flaenoriaethau, mannau ac adnoddau.",
        ),
    ),
    ("community", "relationships"): (
        "Pa mor agored yw'r ysgol yn ei chymuned a faint o ymddiriedaeth sydd ynddi, gan gynnwys o ran bwyd, lle a "
        "chymorth.",
        "Oriau o ddefnydd cymunedol o safle'r ysgol; darpariaeth bwyd; adborth gan grwpiau a thrigolion.",
        (
            "Anaml y mae'r gymuned yn defnyddio'r ysgol; mae ei hadeiladau ar gau y tu allan i oriau ysgol.",
            "Mae rhai grwpiau'n defnyddio mannau yn yr ysgol; mae'r ysgol yn cymryd rhan mewn digwyddiadau lleol.",
            "Mae'r ysgol yn lle croesawgar i grwpiau lleol a thrigolion ar yr adegau pan fydd ei hangen arnynt, a'r "
            "costau wedi'u deall a'u cynllunio.",
            "Mae'r ysgol yn hyb cymunedol y mae pobl yn ymddiried ynddo, ac mae ar agor pan fydd ei hangen ar y "
            "gymuned, gan gynnig bwyd, lle a chymorth ag urddas.",
        ),
    ),
    ("community", "learning"): (
        "Sut y mae dysgu'n cysylltu â'r gymuned: ei lleoedd, ei phobl, ei hanes, ei hiaith a'i gwaith.",
        "Cynlluniau cwricwlwm sy'n defnyddio cyd-destunau lleol; gwirfoddolwyr; gweithgareddau Cymraeg gyda'r "
        "gymuned.",
        (
            "Anaml y mae dysgu'n tynnu ar y gymuned leol.",
            "Mae rhai testunau'n defnyddio lleoedd lleol ac ymwelwyr.",
            "Mae'r cwricwlwm yn defnyddio'r gymuned yn rheolaidd fel lle i ddysgu, ac mae aelodau'r gymuned yn "
            "cyfrannu ato.",
            "Mae dysgwyr a'r gymuned yn dysgu oddi wrth ei gilydd; mae dysgu'n diwallu anghenion lleol ac yn dathlu "
            "iaith a diwylliant yr ardal.",
        ),
    ),
    ("multi_agency", "vision"): (
        "I ba raddau y mae'r ysgol a gwasanaethau eraill yn rhannu un farn am yr hyn sydd ei angen ar blant a "
        "theuluoedd.",
        "Cynlluniau'r hyb neu'r clwstwr y cytunwyd arnynt â phartneriaid; canlyniadau cyffredin; data a rennir o dan "
        "gytundebau.",
        (
            "Mae'r ysgol yn gweithio gyda gwasanaethau eraill fesul achos, heb farn gyffredin am anghenion.",
            "Mae'r ysgol a phartneriaid allweddol wedi trafod anghenion lleol gyda'i gilydd.",
            "Mae gan yr ysgol, y clwstwr a'r partneriaid ddarlun cytûn o'r anghenion a blaenoriaethau cyffredin, a "
            "adolygir ar y cyd.",
            "Mae gweledigaeth amlasiantaethol gyffredin yn llywio'r gwaith o gynllunio ar y cyd, comisiynu a defnyddio "
            "adnoddau ar draws y clwstwr.",
        ),
    ),
    ("multi_agency", "leadership"): (
        "Sut y mae'r ysgol yn arwain ac yn cymryd rhan mewn gwaith amlasiantaethol: atgyfeiriadau, yr hyb a Thîm o "
        "Amgylch y Teulu.",
        "Cofnodion atgyfeirio; cofnodion cyfarfodydd yr hyb; memoranda cyd-ddealltwriaeth; unigolion cyswllt wedi'u "
        "henwi ym mhob gwasanaeth.",
        (
            "Aelodau unigol o staff sy'n gwneud atgyfeiriadau; nid yw'r ysgol yn gwybod beth sy'n digwydd wedyn.",
            "Mae arweinydd wedi'i enwi yn gwneud atgyfeiriadau ac yn mynd ar eu trywydd, ac yn mynychu cyfarfodydd "
            "amlasiantaethol.",
            "Mae'r ysgol yn chwarae rhan weithredol yn yr hyb ac yng nghyfarfodydd Tîm o Amgylch y Teulu, gyda rolau y "
            "cytunwyd arnynt a gwaith dilynol amserol.",
            "Mae'r ysgol yn cyd-arwain gwaith amlasiantaethol yn y clwstwr; caiff gwasanaethau eu cynllunio a'u "
            "hadolygu ar y cyd, gydag atebolrwydd clir.",
        ),
    ),
    ("multi_agency", "relationships"): (
        "Pa mor dda y mae staff a phartneriaid yn adnabod ei gilydd ac yn ymddiried yn ei gilydd, a sut y mae "
        "cydsyniad a rhannu gwybodaeth yn gweithio.",
        "Cytundebau rhannu gwybodaeth; cofnodion cydsyniad; adborth gan bartneriaid; hyfforddiant ar y cyd.",
        (
            "Ychydig o gysylltiadau sydd gan staff mewn gwasanaethau eraill; mae'r trefniadau rhannu gwybodaeth yn "
            "aneglur.",
            "Mae staff yn gwybod â phwy i gysylltu mewn gwasanaethau allweddol; caiff cydsyniad ei gofnodi ar gyfer "
            "atgyfeiriadau.",
            "Mae perthnasoedd gwaith ymddiriedus â phartneriaid yn sicrhau bod teuluoedd yn cael y cymorth iawn ar yr "
            "adeg iawn, a bod cydsyniad yn cael ei barchu.",
            "Mae partneriaid yn gweithio fel un tîm o amgylch teuluoedd; mae gwybodaeth yn llifo'n ddiogel, ac mae "
            "teuluoedd yn cael profiad o gymorth cydgysylltiedig.",
        ),
    ),
    ("multi_agency", "learning"): (
        "Sut y mae cymorth gan wasanaethau eraill yn dileu rhwystrau rhag dysgu, a sut y mae staff yn dysgu gan "
        "bartneriaid.",
        "Presenoldeb a llesiant cyn ac ar ôl cael cymorth; sesiynau dan arweiniad partneriaid; dysgu proffesiynol ar "
        "y cyd.",
        (
            "Anaml y caiff cymorth gan wasanaethau eraill ei gysylltu â dysgu'r dysgwyr.",
            "Mae rhywfaint o'r cymorth gan bartneriaid yn gysylltiedig â rhwystrau rhag dysgu, fel presenoldeb.",
            "Caiff cymorth gan bartneriaid ei gynllunio o amgylch rhwystrau rhag dysgu, ac adolygir ei effaith ar "
            "bresenoldeb, llesiant a chynnydd.",
            "Mae cymorth amlasiantaethol a'r cwricwlwm yn cael eu cynllunio gyda'i gilydd; mae staff a phartneriaid yn "
            "dysgu gan ei gilydd ac mae'r effaith yn glir.",
        ),
    ),
}
