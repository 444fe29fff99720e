"""Customer-service vocabulary that VADER's general-purpose lexicon misses or gets backwards.

VADER looks words up one whitespace-separated token at a time, so a phrase can only carry a
valence once it has been rewritten into a single token. Every entry of ``PHRASES`` is
``(token, valence, patterns)``; before VADER sees a piece of text, each match of a pattern is
replaced by ``token``:

* ``token`` joins words with ``_`` (``on_hold_for_ages``). VADER only strips punctuation from
  the ends of a token, so the underscores survive and the phrase stays one token.
* ``valence`` is added to VADER's lexicon under ``token``, on VADER's own -4..+4 scale
  (``bad`` is -2.5, ``good`` 1.9, ``great`` 3.1). ``None`` means nothing is added: the phrase
  is only rewritten, either to an ordinary word VADER already knows (``anything but`` -> ``not``)
  or to a token VADER does not know, which makes the phrase neutral (``customer support`` is a
  department, not the praise VADER's ``support`` +1.7 would make of it).
* ``patterns`` use a small dialect of regular expressions: a space matches any run of
  whitespace or hyphens (so ``double charged`` also matches ``double-charged``), ``'`` matches
  an optional straight or curly apostrophe (``can't``, ``cant``, ``can’t``), ``#`` matches a
  number in digits or words (``45``, ``two``, ``a few``), ``*`` matches one to three words, and
  ordinary groups, alternations and ``?`` work as usual. Patterns are matched case-insensitively
  on whole words; where two entries match at the same place, the one listed first wins.

Rewriting a negated phrase into one token also fixes the negation cases VADER gets wrong:
``no issues`` (VADER scores the word ``no`` as negative because ``issues`` is not in its
lexicon), ``couldn't be happier`` (VADER negates ``happier``) and ``nothing but praise``.

``WORDS`` are single words added to VADER's lexicon as they are.
"""

from __future__ import annotations

import re
from typing import Final

Phrase = tuple[str, float | None, tuple[str, ...]]

_PROBLEM = (
    r"(?:issues?|problems?|hassles?|glitch(?:es)?|hiccups?|trouble|bugs?|dramas?|"
    r"dropped calls?|outages?|crash(?:es)?|failures?|breakdowns?|incidents?|faults?|"
    r"regressions?|missed deadlines?)"
)
_CONTACT = (
    r"(?:replied|responded|answered|called (?:me |us )?back|got back(?: to (?:me|us))?|heard back)"
)
_DELIVERY = (
    r"(?:arrived|came|showed up|shown up|turned up|delivered|received (?:it|the \w+|my \w+))"
)

PHRASES: Final[tuple[Phrase, ...]] = (
    # --- negated complaints that are praise
    (
        "no_issues",
        1.7,
        (
            rf"(?:no|zero) (?:real |major |big |serious )?{_PROBLEM}",
            rf"(?:not|without) (?:a |one |any |the )?(?:single )?(?:real |major |sugar )?"
            rf"{_PROBLEM}",
            rf"(?:never|haven't|hasn't|have not|has not|didn't|did not) (?:once )?"
            rf"(?:had|have|experienced|run into|ran into|encountered)"
            rf" (?:a |an |any |one )?(?:single )?(?:real |major )?{_PROBLEM}",
            rf"{_PROBLEM} free",
            r"worry free",
        ),
    ),
    (
        "cant_complain",
        1.6,
        (
            r"(?:can't|cannot|can not|couldn't|could not) complain",
            r"nothing to complain about",
            r"(?:no|zero) complaints?",
            r"not (?:a|one) single complaint",
        ),
    ),
    (
        "never_disappoints",
        2.0,
        (
            r"never (?:once )?(?:disappoints?|disappointed|let (?:me|us) down|lets (?:me|us) down)",
            r"(?:haven't|have not|hasn't|has not) (?:once )?(?:disappointed|let (?:me|us) down)",
        ),
    ),
    (
        "couldnt_be_happier",
        2.8,
        (
            r"(?:couldn't|could not|can't|cannot) (?:be|have been|get) "
            r"(?:any )?(?:happier|more (?:pleased|satisfied|happy|impressed))",
            r"(?:couldn't|could not|can't|cannot) ask for (?:more|better|anything more)",
        ),
    ),
    (
        "couldnt_be_better",
        2.4,
        (
            r"(?:couldn't|could not) (?:be|have been|get) better",
            r"(?:(?:has|have) )?never been better",
        ),
    ),
    (
        "couldnt_be_worse",
        -2.6,
        (
            r"(?:couldn't|could not) (?:be|have been|get) worse",
            r"(?:(?:has|have) )?never been worse",
        ),
    ),
    (
        "cant_recommend_enough",
        2.8,
        (
            r"(?:can't|cannot|can not) (?:recommend|thank|praise) * (?:highly |more )?enough",
            r"(?:can't|cannot|can not) say enough good things",
            r"(?:can't|cannot|can not) speak (?:highly |well )?enough",
        ),
    ),
    # --- "support" as a department, which VADER would read as praise
    (
        "customer_support",
        None,
        (
            r"(?:customer|tech|technical|product|it|live|phone|chat|email|premium) support",
            r"support (?:team|agent|agents|staff|ticket|tickets|line|desk|chat|rep|reps|email|"
            r"person|people|page|site|forum|number|queue|case)",
            r"support(?= (?:never|didn't|did not|hasn't|has not|keeps?|kept|just|said|says|told|"
            r"tells|replied|responded|answered|closed|sent|asked|wanted|wants|was|were|is|are|has|"
            r"have|had))",
            r"support(?=\s*[:|])",
        ),
    ),
    (
        "reference_number",
        None,
        (
            r"(?:phone|order|tracking|account|case|ticket|reference|policy|customer|confirmation|"
            r"serial|model|claims?|contact|support|help ?line|booking|flight|card) number",
        ),
    ),
    # --- billing
    (
        "double_charged",
        -2.3,
        (
            r"double (?:charged|billed|charging|billing)",
            r"(?:charged|billed) (?:me |us |my card |our card )?(?:twice|two times|double)",
            r"charged (?:me |us )?for the same \w+ twice",
        ),
    ),
    ("over_charged", -2.2, (r"over(?: )?(?:charged|billed|charging)",)),
    ("rip_off", -2.6, (r"rip off", r"ripoff", r"ripped (?:me |us )?off", r"price gouging")),
    ("hidden_fees", -1.8, (r"(?:hidden|surprise|junk|sneaky) (?:fees?|charges?|costs?)",)),
    (
        "refund_denied",
        -2.2,
        (
            r"refunds? (?:was |were |got |has been )?(?:denied|refused|rejected|declined)",
            r"(?:denied|refused|rejected|declined) (?:my |a |the |our |any )?refunds?",
            r"(?:refused|won't|wouldn't|will not|would not) (?:to )?refund",
            r"no refunds?",
        ),
    ),
    (
        "price_hike",
        -1.4,
        (
            r"price (?:hikes?|increases?)",
            r"(?:raised|hiked|jacked up|bumped up) (?:my |our |the |their )?"
            r"(?:prices?|premiums?|rates?|bill|fees?|subscription)",
            r"(?:prices?|premiums?|rates|bills?|fees) "
            r"(?:went|have gone|has gone|keep going|are going|going) up",
        ),
    ),
    # --- waiting and unanswered contact
    (
        "on_hold_for_ages",
        -2.0,
        (
            r"on hold (?:with * )?for (?:over |more than |almost |nearly )?"
            r"# (?:hours?|minutes|mins)",
            r"on hold (?:with * )?for (?:ages|hours|forever|an eternity)",
            r"# (?:hours?|minutes|mins) on hold",
            r"on hold (?:with * )?all (?:day|morning|afternoon)",
        ),
    ),
    (
        "waited_for_ages",
        -1.4,
        (
            r"waited (?:for )?(?:over |more than |almost |nearly )?"
            r"# (?:minutes|mins|hours?|days|weeks|months)",
            r"took # (?:calls|emails|attempts|tries|weeks|months) to",
        ),
    ),
    (
        "still_waiting",
        -1.6,
        (
            r"still (?:am |are |is )?waiting",
            r"still (?:no|nothing)",
        ),
    ),
    (
        "never_replied",
        -2.0,
        (
            rf"never (?:once )?{_CONTACT}",
            rf"(?:nobody|no one|no-one) (?:ever )?(?:{_CONTACT}|answers|replies|responds|picks up|"
            rf"picked up)",
            r"(?:didn't|did not|hasn't|has not|haven't|have not|won't|will not) (?:even )?"
            r"(?:reply|respond|replied|responded|answer|answered|got back|gotten back|called back|"
            r"call back|get back)",
            r"(?:no|zero) (?:response|reply|replies|answer|answers|callback|call back)",
        ),
    ),
    (
        "never_arrived",
        -1.8,
        (
            rf"never {_DELIVERY}",
            rf"(?:still )?(?:haven't|hasn't|have not|has not|didn't|did not) (?:yet )?"
            rf"(?:{_DELIVERY}|arrive|come|show up|turn up|received)",
            r"(?:nobody|no one|no-one) (?:came|showed up|turned up)",
            r"no show",
        ),
    ),
    (
        "didnt_bother",
        -2.0,
        (
            r"(?:didn't|did not|never|couldn't|could not|won't|wouldn't|doesn't|does not) "
            r"(?:even )?(?:bother|bothered) to \w+",
        ),
    ),
    ("hung_up", -2.0, (r"(?:hung|hangs|hang) up on (?:me|us|my \w+)",)),
    (
        "the_runaround",
        -2.0,
        (
            r"(?:the )?run(?: )?around",
            r"transferred # times",
            r"(?:read|reads|reading) (?:from|off) a script",
            r"(?:template|canned|copy paste|copy and paste|automated) (?:reply|replies|response|"
            r"responses|answer|answers|email)",
        ),
    ),
    # --- service failures
    (
        "dropped_call",
        -1.5,
        (
            r"(?:calls?|connection|signal|internet|wifi|broadband|line) (?:keeps? |kept )?"
            r"(?:dropping|dropped|drops|cutting out|cuts out|cut out)",
            r"drops? (?:out|the connection)",
            r"dropping out",
            r"dropped calls?",
        ),
    ),
    (
        "locked_out",
        -1.6,
        (
            r"locked (?:me |us )?out",
            r"(?:locked|locking|froze|freezing|frozen|blocked|blocking|suspended|suspending|"
            r"closed|closing) (?:my|our) (?:\w+ )?"
            r"(?:cards?|accounts?)",
        ),
    ),
    (
        "never_again",
        -2.2,
        (
            r"never again",
            r"never (?:buying|using|flying|ordering|shopping|booking|going|dealing) "
            r"(?:with |from |to )?* again",
            r"(?:do not|don't) buy",
            r"stay away",
            r"steer clear",
            r"avoid (?:at all costs|like the plague)",
        ),
    ),
    (
        "is_a_joke",
        -2.0,
        (
            r"(?:is|was|are|were|it's|that's) (?:a |an )?(?:complete |total |absolute |bad )?joke",
            r"what a joke",
        ),
    ),
    (
        "late_by",
        -1.5,
        (
            r"# (?:hours?|days?|weeks?|minutes) late",
            r"late (?:deliveries|delivery|arrivals?|shipments?|fees?|charges?|payments?)",
        ),
    ),
    (
        "dragging_feet",
        -1.5,
        (
            r"(?:dragging|dragged|drags|drag) (?:their |its |his |her )?"
            r"(?:out|on|feet)",
        ),
    ),
    (
        "lost_data",
        -1.8,
        (
            r"(?:deleted|wiped|erased|lost) (?:out )?(?:all )?(?:of )?(?:my|our) (?:\w+ )?"
            r"(?:data|files|photos|pictures|reports|documents|work|messages|emails|contacts|"
            r"settings|progress|history)",
        ),
    ),
    (
        "slow_service",
        -1.4,
        (
            r"(?:slow|sluggish) (?:response|responses|reply|replies|delivery|shipping|service|"
            r"internet|speeds?|connection|app|website|site|refund|support)",
        ),
    ),
    # --- good service
    (
        "above_and_beyond",
        2.6,
        (
            r"above and beyond",
            r"(?:went|goes|go|going) "
            r"(?:out of (?:their|his|her|its|the|my|our) way|the extra mile)",
        ),
    ),
    (
        "fixed_it",
        1.6,
        (
            r"(?:fixed|resolved|solved|sorted) "
            r"(?:it|(?:the|my|our) (?:\w+ ){0,2}(?:issue|problem|fault|bug|error|claim|case|"
            r"order|account|refund)|everything)(?: out)?",
            r"sorted (?:it|everything|me|us|things) out",
            r"got (?:it|everything) (?:fixed|sorted|resolved)",
            r"(?:problem|issue|fault|bug|error) (?:was |got |has been |is |now )?"
            r"(?:solved|resolved|fixed|sorted)",
        ),
    ),
    ("no_questions_asked", 1.5, (r"no questions asked",)),
    (
        "patient_staff",
        1.5,
        (r"(?:was|were|is|are|been|so|very|really|incredibly|extremely|super|always) patient",),
    ),
    (
        "reliable_service",
        1.6,
        (
            r"(?:very|so|really|super|always|been|is|was|are|were|totally|extremely|incredibly|most|"
            r"completely|rock solid and|fast and|cheap and) reliable",
        ),
    ),
    (
        "polite_staff",
        1.8,
        (r"(?:very|so|really|always|extremely|incredibly|super|was|were|is|are|and) polite",),
    ),
    (
        "sloppy_work",
        -1.6,
        (
            r"sloppy "
            r"(?:work|service|job|packaging|packing|support|workmanship|repairs?|installation)",
        ),
    ),
    (
        "professional_staff",
        1.4,
        (
            r"(?:very|so|really|extremely|incredibly|super|always|courteous and|friendly and|"
            r"polite and|quick and|fast and) professional",
        ),
    ),
    (
        "buggy_software",
        -1.7,
        (
            r"(?:is|was|are|were|so|very|really|too|super|still|pretty|quite|extremely|incredibly|"
            r"horribly|terribly) buggy",
        ),
    ),
    ("props_to", 2.0, (r"(?:props|shout out|shoutout|hats off) to",)),
    (
        "not_fixed",
        -1.6,
        (
            r"(?:still not|never|not yet|never got|still hasn't been|still haven't been) "
            r"(?:fixed|resolved|sorted)",
        ),
    ),
    (
        "fast_service",
        1.6,
        (
            r"(?:fast|quick|speedy|prompt|rapid|super fast|super quick|lightning fast) "
            r"(?:response|responses|reply|replies|delivery|shipping|service|setup|turnaround|"
            r"refund|support)",
            r"(?:replied|responded|answered|got back to (?:me|us)|called (?:me |us )?back|arrived|"
            r"delivered|refunded|fixed|sorted|resolved)(?: me| us| it| it out)? (?:with)?in "
            r"(?:minutes|seconds|# (?:minutes|mins|hours?|seconds|days?)|an? (?:hour|day))",
            r"(?:replied|responded|answered|refunded|fixed|arrived|delivered|sorted|resolved)"
            r"(?: me| us| it| it out)? (?:very |so |really )?(?:promptly|quickly|right away|"
            r"immediately|straight away)",
        ),
    ),
    (
        "on_time",
        1.2,
        (
            r"(?:arrived|arrives|landed|lands|departed|delivered|came|showed up|turned up|left|"
            r"leaves|got (?:us|me|it|there|here)(?: there| here)?|was|were|is|are|be|always|"
            r"running|ran|runs) (?:right |exactly |always |perfectly )?on time",
            r"ahead of schedule",
            r"(?:arrived|came|delivered|showed up) early",
        ),
    ),
    (
        "five_stars",
        2.2,
        (
            r"(?:5|five) stars?",
            r"(?:10|ten) out of (?:10|ten)",
            r"(?:5|five) out of (?:5|five)",
        ),
    ),
    (
        "one_star",
        -2.0,
        (
            r"(?:0|1|zero|one) stars?",
            r"(?:0|1|zero|one) out of (?:5|10|five|ten)",
        ),
    ),
    # --- business news: shares are stock, not sharing
    (
        "stock_shares",
        None,
        (
            r"shares(?= (?:of|in|rose|fell|closed|jumped|dropped|slipped|gained|climbed|tumbled|"
            r"surged|sank|plunged|were|are|have|traded|opened|ended|finished|edged|rallied))",
        ),
    ),
    # --- faint praise and hedges: praise in form, a complaint in fact
    (
        "faint_praise",
        -1.2,
        (
            r"(?:isn't|is not|wasn't|was not|aren't|are not|not) (?:exactly |quite )?the worst",
            r"second worst",
            r"not far off",
            r"(?:isn't|is not|wasn't|was not|aren't|are not|not) (?:terrible|awful|bad|horrible), "
            r"(?:just|only|merely|but)",
            r"(?:isn't|is not|wasn't|was not|aren't|are not) what (?:it|they) "
            r"(?:was|were|used to be)",
            r"(?:just|only|merely) not (?:terrible|awful|bad|horrible|the worst)",
            r"not exactly (?:un|in|dis)\w+",
            r"(?:isn't|is not|wasn't|was not|aren't|are not) exactly "
            r"(?!the |a |an |sure|what|how|why|when|where|like|clear|new|news)\w+",
            r"not without (?:its|their|his|her|some) (?:problems|issues|faults|flaws)",
            r"(?:looked|looks|looking|sounded|sounds|seemed|seems) (?:great|good|nice|fine|"
            r"amazing) on paper",
        ),
    ),
    (
        "hedged_verdict",
        -0.8,
        (
            r"(?:wouldn't|would not|won't|can't|cannot) (?:really )?say * (?:is |was |are )?"
            r"(?:bad|terrible|awful|good|great)",
        ),
    ),
    # --- litotes: negated faults that are praise
    (
        "not_half_bad",
        1.8,
        (
            r"not half bad",
            r"not (?:a |at all |remotely |in the least )?(?:disappointing|disappointed|"
            r"disappointment|let down|letdown)",
            r"(?:not|wasn't|isn't) a mistake",
            r"(?:not|never|didn't|did not) (?:once )?put a foot wrong",
            r"(?:can't|cannot|couldn't|could not) fault",
            r"never fails? to",
            r"without a hitch",
            r"no regrets",
            r"(?:no|without (?:any )?) fuss",
            r"never had a bad \w+",
            r"(?:better|more) than (?:i |we )?expected",
        ),
    ),
    # --- time: slow is a complaint, on time and quick are praise
    (
        "took_ages",
        -1.5,
        (
            r"took (?:them |it |us |me )?(?:over |nearly |almost |more than )?# (?:\w+ )?"
            r"(?:minutes|hours|days|weeks|months)",
            r"# (?:days|weeks|months) (?:and counting|later and)",
            r"lasted (?:only |just |barely )?# (?:days|weeks|months|seasons?)",
            r"(?:wanted|needed|quoted|asked for|wants|needs) # (?:\w+ )?(?:days|weeks|months)",
        ),
    ),
    (
        "on_time",
        1.5,
        (
            r"(?:right |exactly |bang )?on (?:time|schedule)",
            r"ahead of schedule",
            r"(?:a|one|two|# )? days? early",
            r"(?:arrived|delivered|came|shipped) early",
            r"next day",
            r"on the spot",
            r"same day (?:delivery|shipping|dispatch|service|repair|replacement)",
            r"(?:with)?in (?:a few |#)?(?:seconds|minutes|the hour|an hour)",
            r"within (?:the|a) (?:day|week)",
            r"still going strong",
        ),
    ),
    # --- departments and comparisons that VADER reads as opinions
    (
        "neutral_phrase",
        None,
        (
            r"fraud (?:team|department|alerts?|protection|checks?|detection|prevention)",
            r"(?:tastes?|tasted|smells?|smelled|smelt) like",
            # Product names whose adjective is not an opinion ("smart plug", "free tier").
            r"smart (?:plugs?|speakers?|tvs?|watch(?:es)?|home|meters?|thermostats?|locks?|"
            r"bulbs?|phones?|displays?|doorbells?|cameras?)",
            r"free (?:tier|plan|version|edition|account)",
            r"as a (?:wedding |birthday |christmas |housewarming )?gift",
        ),
    ),
    # A perk is mildly welcome, not the praise "loyalty", "reward" or "gift" alone would make it.
    (
        "customer_perk",
        0.6,
        (
            r"(?:loyalty|reward|rewards) (?:cards?|programm?e?s?|points|scheme)",
            r"gift (?:cards?|vouchers?|certificates?)",
            r"free trial",
        ),
    ),
    # A brand's promise is what the customer was told, not an opinion ("X promised a callback").
    (
        "promised_by",
        None,
        (
            r"(?:promised|promises|had promised) (?:(?:us|me) )?(?:(?:a|an|the|our|my) )?(?:\w+ )?"
            r"(?:delivery|refunds?|callbacks?|call back|repairs?|fix|replacement|response|reply|"
            r"technician|engineer)",
        ),
    ),
    # "a new excuse to visit" is a reason, not a complaint.
    (
        "another_excuse",
        -1.5,
        (r"(?:another|a new|more|the usual|same old|yet another) excuses?(?!\s+(?:to|for)\b)",),
    ),
    # --- something a customer expects, missing
    (
        "nothing_given",
        -1.5,
        (
            r"no (?:\w+ )?(?:backups?|warning|response|reply|answer|explanation|apology|refund|"
            r"notice|acknowledg(?:e?ment)|follow ?up|callback|call back|update)",
        ),
    ),
    # --- product faults
    (
        "still_failing",
        -1.5,
        (
            r"still (?:charging|billing|waiting|broken|can't|cannot|doesn't|does not|hasn't|"
            r"has not|haven't|isn't|won't|no sign)",
            r"(?:reboots|restarts|resets|turns off|shuts off|shuts down) (?:itself|on its own)",
            r"(?:logged|logs|logging|kicked|kicks) (?:me|us) out",
            r"(?:never|didn't|did not) (?:called|call|rang|showed up|turned up|came)",
            r"(?:nobody|no one|no-one)(?: there)? (?:seems to |seemed to )?cares?",
            r"means nothing",
            r"without (?:a word|an explanation|explanation|warning|notice|telling)",
            r"(?:at|on) (?:my|our) own (?:cost|expense|dime)",
            r"(?:permanently|always|constantly) busy",
            r"used to (?:love|like|enjoy|trust|recommend|be (?:good|great|reliable|decent))",
            r"(?:shipped|arrived|delivered|came|showed up|turned up|running|always) late",
            r"late again",
            r"(?:couldn't|could not|can't|cannot) find (?:my|our|the)",
            r"blamed (?:me|us|my|our|the customer)",
            r"(?:is|are|was|were) all (?:marketing|hype|talk|show|smoke and mirrors)",
            r"(?:it's|it has|it's now|has|have) been # (?:days|weeks|months)",
            r"(?:timed|times|timing) out",
            r"(?:removed|dropped|killed|took away) (?:the |a |an |our |my )?(?:one |only )?"
            r"(?:feature|features|option|button|export|setting|support for)",
            r"data breach",
            r"like it's (?:19|20)\d\d",
            r"(?:can't|cannot|couldn't|could not) cope",
            r"(?:costs?|charges?|charged|charging) (?:us |me )?more",
            r"without (?:asking|consent|permission|my consent|our consent)",
            r"(?:and )?then (?:nothing but )?silence",
            r"radio silence",
            r"(?:is|are|was|were|became|becomes|is just) a maze",
        ),
    ),
    (
        "good_value",
        1.6,
        (
            r"saves? (?:me|us|you) (?:hours|time|money|a fortune)",
            r"(?:didn't|did not|won't|wouldn't) charge (?:me|us|for|anything|a penny)",
            r"(?:no|free of) charge",
            r"walked (?:me|us) through",
            r"paid (?:out|the claim|my claim|our claim|in full)",
            r"stepped in",
            r"without (?:a fight|arguing|an argument|any argument)",
            r"(?:haven't|have not|never|didn't|did not) looked back",
            r"saved the day",
            r"worked (?:perfectly|flawlessly|the whole (?:flight|trip|time|day|way))",
            r"reversed (?:the |all the |my |our )?(?:\w+ )?(?:charges?|fees?|transactions?)",
            r"(?:worked|works|working) (?:first time|out of the box|straight away)",
            r"just work(?:s|ed)?",
            r"(?:picked up|answered|answers|picks up) (?:on|at) the first ring",
        ),
    ),
    (
        "not_reliable",
        -1.6,
        (
            r"(?:isn't|is not|wasn't|was not|aren't|are not|not|never) (?:very |always |exactly |"
            r"that |so )?reliable",
        ),
    ),
    # "more reliable than X" is left to VADER: the comparison's target is unknown here.
    (
        "is_reliable",
        1.8,
        (
            r"(?:very|so|really|super|totally|always|extremely|incredibly|is|are|was|were|been|be|"
            r"and|solid|rock solid) reliable",
        ),
    ),
    (
        "replaced_faulty",
        1.8,
        (
            r"(?:replaced|swapped|exchanged) (?:a|the|my|our|both) (?:faulty|broken|dead|"
            r"defective|cracked|damaged|dented|leaking|bricked) \w+",
        ),
    ),
    # --- rewritten to a word VADER already knows; last, so that the specific phrases above
    # win when both match at the same place ("didn't even reply" is never_replied).
    ("never", None, (r"never (?:once|even|ever)",)),
    ("not", None, (r"anything but",)),
    ("only", None, (r"nothing but",)),
)

WORDS: Final[dict[str, float]] = {
    "overpriced": -1.6,
    "scammed": -2.6,
    "unhelpful": -2.0,
    "unresponsive": -1.9,
    "unreliable": -1.9,
    "glitchy": -1.6,
    "laggy": -1.5,
    "crashed": -1.6,
    "crashes": -1.5,
    "crashing": -1.6,
    "outage": -1.6,
    "outages": -1.6,
    "nightmare": -2.4,
    "nightmares": -2.2,
    "shoddy": -2.0,
    "flimsy": -1.3,
    "stranded": -1.6,
    "unusable": -2.0,
    "dismissive": -1.7,
    "condescending": -1.9,
    "disconnected": -1.1,
    "disconnects": -1.2,
    "disconnecting": -1.2,
    "overbooked": -1.4,
    "canceled": -1.0,
    "refunded": 1.0,
    "knowledgeable": 1.7,
    "seamless": 1.8,
    "smoothly": 1.3,
    "speedy": 1.4,
    "hassle": -1.5,
    "patiently": 1.3,
    "scratched": -1.2,
    "dented": -1.2,
    "leaking": -1.2,
    "hassles": -1.5,
    "cracked": -1.5,
    "stale": -1.5,
    "soggy": -1.5,
    "burnt": -1.3,
    "chalky": -1.2,
    "segfaults": -1.8,
    "segfault": -1.6,
    "sagging": -1.2,
    "soaked": -1.1,
    "bricked": -2.2,
    "bricks": -1.5,
    "rattles": -1.2,
    "wobbles": -1.2,
    "curdled": -1.5,
    "throttled": -1.3,
    "throttles": -1.3,
    "faulty": -1.8,
    "defective": -1.9,
    "waived": 1.5,
    "legends": 2.0,
    "legend": 1.8,
    "magic": 1.5,
    "flawless": 2.3,
    "flawlessly": 2.3,
    "smoothest": 1.8,
    "breaks": -1.0,
    "leaks": -1.2,
    "clog": -1.2,
    "clogs": -1.2,
    "clogged": -1.3,
    "excuses": -1.2,
    "pricier": -0.8,
    "snapped": -1.2,
    "scorched": -1.5,
    "jammed": -1.2,
    "jams": -1.2,
    "cardboard": -0.8,
    "spotless": 1.5,
    "grainy": -1.0,
    "outlived": 1.5,
    "outlasted": 1.5,
    "outlasts": 1.5,
    "outperformed": 1.5,
    "outperforms": 1.5,
    # Review and forum words VADER's lexicon does not have.
    "disgraceful": -2.5,
    "overheated": -1.8,
    "overheats": -1.8,
    "overheating": -1.5,
    "flaky": -1.5,
    "janky": -1.5,
    "bloated": -1.2,
    "ripoff": -2.3,
    "subpar": -1.8,
    "mediocre": -1.5,
    "abysmal": -2.8,
    "atrocious": -2.8,
    "shambles": -2.0,
    "clunky": -1.3,
    "finicky": -1.0,
    "botched": -2.0,
    "predatory": -2.0,
    "intuitive": 1.5,
    "snappy": 1.5,
    "goated": 2.0,
}


_SEPARATOR = r"[\s-]+"
_NUMBER = (
    r"(?:\d+(?:[.,]\d+)?|an?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|"
    r"fifteen|twenty|thirty|forty|forty[\s-]+five|fifty|sixty|ninety|several|many|so[\s-]+many|"
    r"a[\s-]+few|a[\s-]+couple[\s-]+of)"
)
_FEW_WORDS = r"(?:[\w'’.&-]+\s+){0,2}[\w'’.&-]+"
_DIALECT = {" ": _SEPARATOR, "'": "['’]?", "#": _NUMBER, "*": _FEW_WORDS}


def _check_tokens(phrases: tuple[Phrase, ...]) -> None:
    # A token added to the lexicon must not be an English word, or every use of that word
    # would take the phrase's valence.
    for token, valence, _ in phrases:
        if valence is not None and "_" not in token:
            raise ValueError(f"lexicon token {token!r} needs an underscore to stay a phrase")


def _translate(pattern: str) -> str:
    return "".join(_DIALECT.get(char, char) for char in pattern)


def _compile_phrases(phrases: tuple[Phrase, ...]) -> re.Pattern[str]:
    groups = (
        f"(?P<p{index}>{'|'.join(_translate(p) for p in patterns)})"
        for index, (_, _, patterns) in enumerate(phrases)
    )
    return re.compile(rf"(?<![\w'’])(?=\w)(?:{'|'.join(groups)})(?![\w'’])", re.IGNORECASE)


_check_tokens(PHRASES)
_PHRASE_RE: Final = _compile_phrases(PHRASES)
_TOKENS: Final = {f"p{index}": token for index, (token, _, _) in enumerate(PHRASES)}

LEXICON_ADDITIONS: Final[dict[str, float]] = {
    **WORDS,
    **{token: valence for token, valence, _ in PHRASES if valence is not None},
}


def compute_vader_input(text: str) -> str:
    """Return ``text`` with every known phrase rewritten to its single lexicon token."""
    return _PHRASE_RE.sub(lambda match: _TOKENS[match.lastgroup or ""], text)


# Emoji whose name VADER reads as neutral ("thumbs up", "pouting face") or the wrong way round
# ("fire"): each is read as one token with the valence people give it in comments.
_EMOJI_VALENCES: Final[dict[str, tuple[str, float]]] = {
    "👍": ("emoji_thumbs_up", 1.5),
    "👌": ("emoji_ok_hand", 1.2),
    "🙌": ("emoji_raised_hands", 1.5),
    "💯": ("emoji_hundred", 1.2),
    "🔥": ("emoji_fire", 1.0),
    "💪": ("emoji_flexed_biceps", 1.0),
    "🤩": ("emoji_star_struck", 2.0),
    "👎": ("emoji_thumbs_down", -1.5),
    "😡": ("emoji_pouting", -2.0),
    "🤬": ("emoji_cursing", -2.5),
    "😤": ("emoji_steaming", -1.5),
    "💩": ("emoji_poo", -2.0),
    "🤮": ("emoji_vomiting", -2.5),
    "🤢": ("emoji_nauseated", -2.0),
    "🙄": ("emoji_eye_roll", -1.0),
    "😒": ("emoji_unamused", -1.0),
    "🤦": ("emoji_facepalm", -1.2),
    "🤡": ("emoji_clown", -1.2),
}
# What VADER replaces each of those emoji with before it reads the text.
EMOJI_WORDS: Final[dict[str, str]] = {
    emoji: f" {token} " for emoji, (token, _) in _EMOJI_VALENCES.items()
}
LEXICON_ADDITIONS.update({token: valence for token, valence in _EMOJI_VALENCES.values()})
