"""The demo site's posts and comments, written for brand-monitor's demo.

Two fictional coffee-machine makers, Acme and Globex, discussed on a WordPress-style blog
and a Blogger-style blog. Ages are in hours before the demo starts, so the data is recent.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class DemoComment:
    id: int
    author: str
    age_hours: float
    text: str
    parent: int | None = None


@dataclass(frozen=True)
class DemoPost:
    id: int
    slug: str
    title: str
    author: str
    age_hours: float
    paragraphs: tuple[str, ...]
    comments: tuple[DemoComment, ...] = field(default_factory=tuple)
    # Published after the demo's first crawl, so it arrives as news and raises an alert.
    late: bool = False


BREW_BLOG: tuple[DemoPost, ...] = (
    DemoPost(
        101, "acme-barista-pro-review", "Acme Barista Pro: three months in", "Nadia", 70,
        (
            "I bought the Acme Barista Pro in the summer sale and have pulled roughly four "
            "hundred shots with it since.",
            "The steam wand is excellent and the grinder is quiet. Acme got the basics right: "
            "temperature is stable and the portafilter feels solid.",
            "My only gripe is the drip tray, which fills up far too quickly.",
        ),
        (
            DemoComment(1001, "Tomas", 66, "Great review! My Acme has been flawless too, "
                        "no problems at all after a year."),
            DemoComment(1002, "Priya", 60, "How does it compare to the Globex Duo? I am torn "
                        "between the two."),
            DemoComment(1003, "Nadia", 58, "The Globex Duo is cheaper, but the Acme steams "
                        "milk much better.", parent=1002),
            DemoComment(1004, "Leo", 40, "Acme support was fantastic when my gasket wore out: "
                        "they sent a new one the next day."),
        ),
    ),
    DemoPost(
        102, "acme-billing-problem", "Acme double-charged me for a descaling kit", "Marek", 30,
        (
            "Ordered a descaling kit from the Acme web shop last week and was double-charged.",
            "I have been on hold for hours and nobody at Acme has replied to my emails. "
            "This is a rip-off and I am very disappointed.",
        ),
        (
            DemoComment(1101, "Sofia", 28, "Same here. Acme charged my card twice and the "
                        "refund was denied. Terrible customer service."),
            DemoComment(1102, "Jon", 25, "Ugh, Acme billing is a mess this month. Still "
                        "waiting for my refund."),
            DemoComment(1103, "Marek", 20, "Update: still no answer from Acme.", parent=1101),
            DemoComment(1104, "Ines", 6, "Globex had the same issue last year and fixed it in "
                        "a day. Acme should do better."),
        ),
    ),
    DemoPost(
        103, "weekend-latte-art", "Weekend latte art practice", "Nadia", 12,
        (
            "A slow Saturday: practising rosettas and tulips with oat milk.",
            "Oat milk foams differently, so I let it rest for ten seconds before pouring.",
        ),
        (
            DemoComment(1201, "Tomas", 10, "Lovely tulip! Which milk jug do you use?"),
            DemoComment(1202, "Nadia", 9, "A 350 ml jug from a local shop.", parent=1201),
        ),
    ),
)

BEAN_NEWS: tuple[DemoPost, ...] = (
    DemoPost(
        201, "globex-duo-launch", "Globex launches the Duo 2 espresso machine", "Editor", 50,
        (
            "Globex announced the Duo 2 on Tuesday, priced at 399 euros.",
            "The company says the new pump is quieter and the machine heats up in 45 seconds.",
        ),
        (
            DemoComment(2001, "Ravi", 48, "The Globex Duo 2 looks great, finally a quiet pump."),
            DemoComment(2002, "Anna", 47, "Globex quality has been poor lately; my first Duo "
                        "broke after two months."),
            DemoComment(2003, "Ravi", 45, "Mine has been fine, but I hear you.", parent=2002),
        ),
    ),
    DemoPost(
        202, "acme-recall-rumour", "Is Acme recalling the Barista Pro?", "Editor", 4,
        (
            "Several readers asked whether Acme is recalling the Barista Pro after reports of "
            "cracked water tanks.",
            "Acme told us it is investigating and that no recall has been announced.",
        ),
        (
            DemoComment(2101, "Lena", 3.5, "My Acme tank cracked last week. Awful, water all "
                        "over the counter."),
            DemoComment(2102, "Omar", 3, "Acme never replied to my ticket about the tank. "
                        "Really frustrating."),
            DemoComment(2103, "Kai", 2, "Mine is fine so far, but I am keeping an eye on it."),
            DemoComment(2104, "Lena", 1.5, "Kai, check under the tank: the crack starts there.",
                        parent=2103),
        ),
        late=True,
    ),
)
