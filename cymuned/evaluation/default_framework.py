"""The default framework: Welsh Government's model of community focused schools (3 elements, 4 enablers)
on a four-stage continuum. English text here; the Welsh text is in ``default_framework_cy.py`` under the same keys.
A local authority adapts it by making a new version."""

from __future__ import annotations

ELEMENTS = [
    ("family", "Family engagement"),
    ("community", "Community engagement"),
    ("multi_agency", "Multi-agency engagement"),
]
ENABLERS = [
    ("vision", "Collective vision"),
    ("leadership", "Collaborative leadership"),
    ("relationships", "Trusting relationships"),
    ("learning", "Connected learning"),
]
STAGES = [
    (1, "Emerging", "#f4cccc", "#0b0c0c"),
    (2, "Developing", "#fce5b0", "#0b0c0c"),
    (3, "Established", "#cfe8cf", "#0b0c0c"),
    (4, "Leading", "#7cc48a", "#0b0c0c"),
]
TITLE = "Community focused schools self-evaluation"
INTRODUCTION = (
    "Rate each of the twelve squares on the continuum, say why, and attach evidence. Be honest: the "
    "framework is for improvement, not judgement. Your cluster or local authority moderates the ratings."
)

# (element, enabler) -> guidance, example evidence, then the four stage descriptors.
CELLS: dict[tuple[str, str], tuple[str, str, tuple[str, str, str, str]]] = {
    ("family", "vision"): (
        "How far families, and above all those held back by poverty, share and shape the school's vision for working with them.",
        "Vision statement written with parents; minutes of parent forums; survey results by eFSM.",
        (
            "The school's vision mentions families, but families were not involved in writing it.",
            "Families have been asked about the vision; some parents helped review it.",
            "The vision was written with a representative group of families, including eFSM families, and is known to most of them.",
            "Families lead the review of the vision each year; it visibly drives the school's priorities and is owned by the community.",
        ),
    ),
    ("family", "leadership"): (
        "Who leads family engagement, and how far families share in decisions that affect them.",
        "Job description of the Family Engagement Officer; parent council terms of reference; governor reports.",
        (
            "Family engagement depends on a few enthusiastic staff; it has no named lead.",
            "A named lead (often the FEO) coordinates family engagement with some senior support.",
            "Senior leaders, the FEO and governors plan family engagement together; parents sit on decision-making groups.",
            "Leadership of family engagement is shared with parents, who co-lead projects and are trained to support other families.",
        ),
    ),
    ("family", "relationships"): (
        "How welcomed, respected and listened to families feel, especially those who find school hard to approach.",
        "Contact logs of the FEO; home visits; attendance at family events by eFSM; complaints and compliments.",
        (
            "Contact with families is mostly about problems, such as absence or behaviour.",
            "Staff make positive contact with some families; the FEO reaches families who rarely come in.",
            "Most families, including those held back by poverty, report that staff are approachable and that they are listened to.",
            "Families trust the school as a first place to turn; they bring concerns early and help other families engage.",
        ),
    ),
    ("family", "learning"): (
        "How families are helped to support their children's learning, and to learn themselves.",
        "Family learning courses; take-up of adult learning; home learning resources in Welsh and English.",
        (
            "Information about learning is sent home; few families take part in learning activities.",
            "The school runs occasional family learning sessions and signposts adult learning.",
            "Regular family and adult learning is planned with partners, reaches eFSM families and is evaluated.",
            "Families and the school learn together; family learning leads to qualifications and to parents volunteering or working in the school.",
        ),
    ),
    ("community", "vision"): (
        "How far the wider community sees the school as its own and shares its ambitions.",
        "Community consultation; what 'community' means here in residents' own words; local plans referring to the school.",
        (
            "The school has little contact with the community beyond its families.",
            "The school has consulted some community groups about its role in the area.",
            "The school and community groups share a written vision for the school as a community hub.",
            "The community shapes and champions the school's vision, which is part of local plans for the area.",
        ),
    ),
    ("community", "leadership"): (
        "How the school and community groups lead community use and activities together.",
        "Community governors; letting and use agreements; joint planning with groups; MoUs.",
        (
            "Community use of the school is occasional and arranged case by case.",
            "A member of staff coordinates community use; community governors are in post.",
            "A community school manager and community representatives plan use of the premises and activities together.",
            "Community partners co-lead the school's community offer, with shared decisions on priorities, spaces and resources.",
        ),
    ),
    ("community", "relationships"): (
        "How open and trusted the school is in its community, including for food, space and support.",
        "Hours of community use of the premises; food provision; feedback from groups and residents.",
        (
            "The community seldom uses the school; its buildings are closed outside school hours.",
            "Some groups use school spaces; the school takes part in local events.",
            "The school is a welcoming place for local groups and residents at the times they need it, with costs understood and planned.",
            "The school is a trusted community hub, open when the community needs it, offering food, space and support with dignity.",
        ),
    ),
    ("community", "learning"): (
        "How learning connects with the community: its places, people, history, language and work.",
        "Curriculum plans using local contexts; volunteers; Welsh-language activities with the community.",
        (
            "Learning rarely draws on the local community.",
            "Some topics use local places and visitors.",
            "The curriculum regularly uses the community as a place of learning, and community members contribute to it.",
            "Learners and the community learn from each other; learning serves local needs and celebrates the area's language and culture.",
        ),
    ),
    ("multi_agency", "vision"): (
        "How far the school and other services share one view of what children and families need.",
        "Hub or cluster plans agreed with partners; shared outcomes; data shared under agreements.",
        (
            "The school works with other services case by case, without a shared view of needs.",
            "The school and key partners have discussed local needs together.",
            "The school, cluster and partners have an agreed picture of need and shared priorities, reviewed together.",
            "A shared multi-agency vision drives joint planning, commissioning and the use of resources across the cluster.",
        ),
    ),
    ("multi_agency", "leadership"): (
        "How the school leads and takes part in multi-agency work: referrals, the hub and Team Around the Family.",
        "Referral records; hub meeting minutes; memoranda of understanding; named contacts in each service.",
        (
            "Referrals are made by individual staff; the school does not know what happens next.",
            "A named lead makes and follows up referrals and attends multi-agency meetings.",
            "The school plays an active part in the hub and Team Around the Family meetings, with agreed roles and timely follow-up.",
            "The school co-leads multi-agency work in the cluster; services are planned and reviewed jointly with clear accountability.",
        ),
    ),
    ("multi_agency", "relationships"): (
        "How well staff and partners know and trust each other, and how consent and information sharing work.",
        "Information-sharing agreements; consent records; partner feedback; joint training.",
        (
            "Staff have few contacts in other services; information sharing is unclear.",
            "Staff know who to contact in key services; consent is recorded for referrals.",
            "Trusting working relationships with partners make sure families get the right support at the right time, with consent respected.",
            "Partners work as one team around families; information flows safely, and families experience joined-up support.",
        ),
    ),
    ("multi_agency", "learning"): (
        "How support from other services removes barriers to learning, and how staff learn from partners.",
        "Attendance and wellbeing before and after support; partner-led sessions; joint professional learning.",
        (
            "Support from other services is seldom linked to learners' learning.",
            "Some partner support is linked to barriers to learning, such as attendance.",
            "Partner support is planned around barriers to learning and its effect on attendance, wellbeing and progress is reviewed.",
            "Multi-agency support and the curriculum are planned together; staff and partners learn from each other and the impact is clear.",
        ),
    ),
}
