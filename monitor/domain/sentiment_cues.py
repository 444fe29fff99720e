"""Phrases that complain or praise without a single sentiment word.

"It tripped the breaker on day one", "still waiting for a reply", "then silence": a reader
knows these are complaints, but VADER's lexicon has no word in them to score. The same holds
for praise told as facts ("set it up himself in twenty minutes", "not one lost message"). These
lists count such phrases in the text around a mention, as evidence for the combiner
(``sentiment_combiner``); they change no VADER score. Kept to patterns that recur in reviews
and support threads, in English, Spanish, French, German and Portuguese.
"""

from __future__ import annotations

import re

_NUMBER = r"(?:\d+|two|three|four|five|six|seven|eight|nine|ten|several|multiple|many)"
_SPAN = r"(?:minutes?|hours?|days?|weeks?|months?)"

_COMPLAINT_EN = (
    r"tripped the (?:breaker|fuse)|(?:stopped|quit|stops) working|(?:won't|wouldn't|doesn't|"
    r"didn't|does not|did not|will not|can't|cannot) (?:turn on|start|charge|connect|boot|pair|"
    r"sync|load|work|fix|solve|answer|reply|respond|refund|arrive|ship)|"
    r"still (?:waiting|no |nothing|hasn't|haven't|have not|has not|not )|"
    r"no (?:reply|response|answer|refund|word|update|callback)|then (?:silence|nothing)|"
    r"(?:never|didn't|did not) (?:arrived?|showed? up|call(?:ed)? back|repl(?:y|ied)|"
    r"heard back|got back|came)|on hold for|put (?:me )?on hold|hung up|ghosted|"
    r"(?:charged|billed) (?:me |us )?(?:twice|double|again)|double[- ]charged|hidden fees?|"
    r"(?:price|prices|bill|premium|fee|fees|rent|quote) (?:went up|doubled|tripled|jumped)|"
    r"cancell?ed (?:my|our|the) (?:order|flight|booking|account|subscription|reservation)|"
    r"(?:lost|misplaced) (?:my|our) (?:bag|luggage|order|data|files|parcel|package)|"
    r"(?:wrong|missing|damaged) (?:item|part|parts|size|order|colour|color|box)|"
    r"(?:closed|marked) (?:my |the |our )?(?:ticket|case|issue)|as resolved|"
    r"(?:refused|denied|rejected) (?:a |my |our |to |the )?(?:refund|claim|warranty|return)|"
    r"(?:sent|took|returned|returning|return) it back|smells? (?:like|of) burning|burning smell|"
    r"overheat(?:s|ed|ing)?|drains? (?:the|my) battery|went private|locked (?:me |us )?out|"
    r"chargeback|(?:filed|opened|lodged) (?:a |an )?(?:complaint|dispute|claim)|"
    r"(?:went|goes|gone) (?:dead|silent|dark|quiet)|bricked|unusable|"
    r"(?:keeps|kept) (?:crashing|dropping|disconnecting|freezing|rebooting|emailing|charging|"
    r"asking|failing)|dropped calls?|twice the (?:quote|price|estimate)|(?:a|one) third of|"
    r"removed (?:the|a|our) (?:feature|option|free)|paywall(?:ed)?|greyed out|grayed out|"
    rf"{_NUMBER} (?:times|attempts|calls|emails|tickets|bills|visits|technicians)|"
    r"fell apart|falls apart|came apart|peeling|dripping|leak(?:s|ed|ing)|rust(?:ed|ing)?|"
    r"outage|(?:down|broken|offline) again|(?:nobody|no one|none of them) (?:answers|answered|"
    r"replies|replied|picks up|picked up|came|showed|knew|could)|"
    r"(?:forgot|lost|wiped|deleted) (?:every|all|my|our)|returns? (?:403|404|500|an error)|"
    r"error|(?:ten|\d+) minutes in the house|after taking (?:payment|the money)|"
    r"kept the money|(?:three|\d+) different (?:totals|answers|prices)|"
    r"(?:with|for) (?:no|zero) (?:explanation|warning|notice)|without (?:warning|notice)|"
    r"(?:never|not) again|(?:cut|cuts) out|changed overnight|standing for|"
    rf"(?:took|takes|taking|waited|wait) (?:them )?(?:{_NUMBER}|a|an|over a|almost a) "
    r"(?:weeks?|months?)|(?:a|one|two|three|six) (?:weeks?|months?) (?:later|to (?:deliver|reply|"
    r"answer|fix|ship|refund))"
)
_COMPLAINT_FOREIGN = (
    # Spanish
    r"sigo esperando|(?:no|ya no) funciona|dej[óo] de funcionar|sin respuesta|"
    r"nadie (?:me )?(?:responde|contesta|respondi[óo]|contest[óo])|(?:me )?cobraron dos veces|"
    r"devolv[íi]|ni una respuesta|nunca lleg[óo]|se rompi[óo]|se apag[óo]|otra vez ca[íi]do|"
    r"tarda (?:una semana|un mes|semanas|meses)|nunca vino|cobra el doble|"
    r"(?:horas|minutos) (?:de espera|esperando)|"
    # French
    r"toujours rien|toujours pas|ne (?:marche|fonctionne|s'allume|charge) (?:plus|pas)|"
    r"aucune r[ée]ponse|sans r[ée]ponse|jamais (?:arriv[ée]e?|re[çc]ue?)|factur[ée]e? deux fois|"
    r"renvoy[ée]|(?:tomb[ée]e? )?en panne|personne ne r[ée]pond|"
    r"met (?:une semaine|un mois|des semaines|des mois)|ne r[ée]pond pas|personne n'explique|"
    r"co[ûu]te le double|(?:minutes|heures) d'attente|"
    # German
    r"funktioniert (?:nicht|nicht mehr|schon wieder nicht)|keine antwort|"
    r"immer noch (?:nichts|keine?|nicht)|nie angekommen|doppelt (?:abgebucht|berechnet)|"
    r"zur[üu]ckgeschickt|kaputt|ausgefallen|niemand (?:antwortet|geht ran)|st[üu]rzt ab|"
    r"schreibt (?:seit|nicht)|dauert (?:jetzt )?(?:schon )?(?:\w+ )?(?:wochen|monate)|gestrichen|"
    r"kostet das doppelte|warteschleife|in der schleife|"
    # Portuguese
    r"n[ãa]o funciona|parou de funcionar|sem resposta|at[ée] agora nada|nunca chegou|"
    r"cobra(?:do|ram) duas vezes|devolvi|ainda (?:estou )?esperando|ningu[ée]m (?:responde|atende)|"
    r"demora (?:uma semana|um m[êe]s|semanas|meses)|ainda estou sem|cobra o dobro|"
    r"demora semanas|"
    r"quebrou|travou|perdeu|perderam|"
    r"perdi[óo]|perdieron|(?:a|ont) perdu|verloren|verlor"
)
_PRAISE_EN = (
    r"just works|still (?:going|running|works|working|holds|holding)|"
    r"(?:never|hasn't|has not|haven't|have not|didn't) (?:missed a beat|let (?:me|us) down|"
    r"skipped a beat|dropped a call|failed (?:me|us|once))|paid for itself|"
    r"(?:would|will|'d|'ll) (?:buy|order|fly|use|book|pick) (?:it |them |\w+ )?again|"
    rf"(?:in|within|under) (?:{_NUMBER}|an?|a few|twenty|thirty|fifteen) {_SPAN}|"
    r"(?:same|next)[- ]day|overnight|a day early|ahead of schedule|"
    r"(?:without|with no|no) (?:questions? asked|a fight|fuss|quibble|hassle|argument|receipt|"
    r"charge|card needed)|(?:didn't|did not|won't|never) (?:charge|bill) (?:us|me)|"
    r"free of charge|set (?:it|them) up (?:himself|herself|myself|themselves|ourselves)|"
    r"(?:dropped|fell|went down|halved|cut) by (?:a third|half|\d+ ?%)|"
    r"one[- ]line change|(?:boring|quiet) ever since|"
    r"(?:not one|not a single|zero|no) (?:lost|dropped|missed|outage|downtime|complaints?|"
    r"issues?|problems?|crash(?:es)?)|(?:years?|months?) (?:later|on)\b|compliments|"
    r"(?:flew|sent) (?:an? )?(?:engineer|technician|replacement)|stayed until|"
    r"(?:merged|fixed|answered|replied|shipped) (?:my|our|the|it)? ?\w* ?"
    r"(?:in|within) (?:a|an|one)|"
    r"(?:is|was) gone\b|keeps me going|whole family|(?:every|each) (?:sunday|day|morning|week)"
)
_PRAISE_FOREIGN = (
    # Spanish
    r"sin (?:problemas|preguntas|pegas|coste)|en (?:menos de )?(?:un d[íi]a|una hora|\d+ minutos)|"
    r"volver[íi]a a comprar|sigue funcionando|al d[íi]a siguiente|(?:en )?el mismo d[íi]a|"
    # French
    r"sans (?:probl[èe]me|souci|discuter|frais)|en (?:moins d'une heure|un jour|24 ?h|"
    r"quelques minutes)|je (?:le )?rach[èe]terais|fonctionne toujours|le lendemain|"
    r"le jour m[êe]me|dans la journ[ée]e|"
    # German
    r"ohne (?:probleme|murren|r[üu]ckfragen|aufpreis)|innerhalb von|am n[äa]chsten tag|"
    r"w[üu]rde (?:es |ihn |sie )?wieder kaufen|l[äa]uft (?:seit|immer noch)|"
    r"am (?:selben|gleichen) tag|"
    # Portuguese
    r"sem (?:problemas|complica[çc][ãa]o|perguntas|custo)|em (?:menos de )?(?:um dia|uma hora|"
    r"\d+ minutos)|compraria de novo|funciona at[ée] hoje|no dia seguinte|"
    r"no (?:mesmo|pr[óo]prio) dia"
)

# One pass over the lower-cased text finds both kinds (matching lower case against lower case
# is several times faster than re.IGNORECASE over this many alternatives).
_CUES = re.compile(
    rf"(?<!\w)(?:(?P<complaint>{_COMPLAINT_EN}|{_COMPLAINT_FOREIGN})|{_PRAISE_EN}|{_PRAISE_FOREIGN})"
)


def count_cues(text: str) -> tuple[int, int]:
    """How many complaint and how many praise phrases ``text`` has.

    A negated complaint ("never leaks", "no outage since") counts as praise.
    """
    text = text.lower()
    complaints = praise = 0
    for match in _CUES.finditer(text):
        negated = _NEGATED.search(text, max(0, match.start() - _NEGATION_REACH), match.start())
        if match.group("complaint") is not None and negated is None:
            complaints += 1
        else:
            praise += 1
    return complaints, praise


# How far before a complaint phrase a negation is looked for: one or two short words.
_NEGATION_REACH = 16
_NEGATED = re.compile(
    r"\b(?:never|no|not|without|zero|nie|kein\w*|jamais|sans|sin|nunca|sem)\s+(?:\w+\s+)?$",
    re.IGNORECASE,
)


_BETTER = (
    r"faster|quicker|cheaper|sooner|earlier|lighter|quieter|smaller bill|more reliable|"
    r"easier|simpler|longer battery|outlast(?:s|ed)?|outperform(?:s|ed)?|"
    r"m[áa]s (?:r[áa]pido|barato|f[áa]cil)|plus (?:rapide|simple)|moins cher|"
    r"schneller|billiger|g[üu]nstiger|einfacher|mais (?:r[áa]pido|barato|f[áa]cil)"
)
_WORSE = (
    r"slower|pricier|more expensive|dearer|heavier|louder|harder|clunkier|"
    r"half (?:the|as)|m[áa]s (?:lento|caro)|plus (?:lent|cher)|langsamer|teurer|"
    r"mais (?:lento|caro)"
)
_COMPARATIVE = re.compile(rf"(?<!\w)(?:(?P<better>{_BETTER})|{_WORSE})(?!\w)")


def compute_comparative_polarity(text: str) -> float:
    """+1 per comparative that is a virtue ("faster", "cheaper"), -1 per vice ("slower",
    "half as"), capped at ±2: what a comparison says of the thing compared, not of its foil."""
    total = sum(1 if m.group("better") else -1 for m in _COMPARATIVE.finditer(text.lower()))
    return float(max(-2, min(2, total)))
