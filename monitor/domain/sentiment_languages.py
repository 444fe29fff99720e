"""Sentiment lexicons for Spanish, French, German and Portuguese, scored the way VADER scores.

The lexicons were written for this project (released under the project's licence) from common
consumer-review vocabulary: general evaluative words, product faults, delivery and service
failures, and the phrases people use to praise or complain about a company. Valences use
VADER's -4..+4 scale (``malo`` -2.5 like ``bad``, ``bueno`` 1.9 like ``good``).

Scoring follows VADER's rules: a word's valence is flipped and damped (x -0.74) when a negator
is among the three words before it, strengthened by 0.293 after an intensifier ("muy",
"très", "sehr", "muito"), and a contrast word ("pero", "mais", "aber", "mas") halves what came
before it and adds half again to what follows. Phrases (``nunca contestó``, ``pas terrible``)
are matched first, longest first, and are never negated again. No model, no download.

Each entry line is ``forms valence``; ``forms`` is a word, a phrase with ``_`` between its
words, or a stem with its endings in brackets (``pésim[o|a|os|as]``, an empty ending keeps the
stem alone).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Final

NEGATION_SCALAR = -0.74
BOOSTER_INCREMENT = 0.293
BEFORE_CONTRAST = 0.5
AFTER_CONTRAST = 1.5
_NEGATION_WINDOW = 3
_LONGEST_PHRASE = 4

_ES_LEXICON = """
buen[o|a|os|as] 1.9
bien 1.5
buenísim[o|a|os|as] 3.0
excelente[|s] 3.0
genial[|es] 3.0
fantástic[o|a|os|as] 3.0
perfect[o|a|os|as] 2.7
perfectamente 2.7
maravillos[o|a|os|as] 3.0
maravilla 3.0
estupend[o|a|os|as] 2.8
increíble[|s] 2.5
encant[a|an|ó|o] 2.8
encantad[o|a|os|as] 2.6
recomiend[o|a] 1.8
recomendable[|s] 1.8
recomendad[o|a|os|as] 1.6
amable[|s] 2.0
rápid[o|a|os|as] 1.2
rapidísim[o|a|os|as] 2.0
rápidamente 1.2
enseguida 1.0
fiable[|s] 1.8
confiable[|s] 1.8
content[o|a|os|as] 2.0
feliz 2.2
satisfech[o|a|os|as] 2.0
gracias 1.5
mejor[|es] 1.6
puntual[|es] 1.5
silencios[o|a|os|as] 1.0
potente[|s] 1.2
solucion[ó|aron|ado|ada] 1.5
resolvi[ó|eron] 1.5
ayud[ó|aron] 1.3
útil[|es] 1.5
cómod[o|a|os|as] 1.5
fácil[|es] 1.2
gratis 1.0
agradable[|s] 2.0
impecable[|s] 2.8
funciona[|n] 0.8
devolvi[ó|eron] 1.0
devuelve[|n] 1.0
reembols[o|aron|ó] 1.0
clara[|s] 0.8
completa[|s] 0.6
ahorrado 1.2
mal -2.0
mal[o|a|os|as] -2.5
pésim[o|a|os|as] -3.0
horrible[|s] -2.8
terrible[|s] -2.8
fatal[|es] -2.5
desastre[|s] -2.8
desastros[o|a|os|as] -2.8
vergüenza -2.5
vergonzos[o|a|os|as] -2.5
subió_el_precio -1.4
subió_el_seguro -1.4
subieron_los_precios -1.4
estafa[|s] -3.0
robo -2.8
timo -2.8
engaño -2.5
lent[o|a|os|as] -1.2
rot[o|a|os|as] -2.0
romp[ió|ieron|e] -1.8
defectuos[o|a|os|as] -2.0
estropead[o|a|os|as] -1.8
hart[o|a|os|as] -2.0
decepcionad[o|a|os|as] -2.2
decepcionante[|s] -2.2
decepción -2.2
queja[|s] -1.2
problema[|s] -1.2
fall[ó|aron|a|an] -1.5
perdi[ó|eron] -1.5
perdid[o|a|os|as] -1.3
tard[ó|aron] -1.0
cancel[ó|aron] -1.0
cancelad[o|a|os|as] -1.0
retraso[|s] -1.5
inaceptable[|s] -2.8
lamentable[|s] -2.5
asco -2.8
asqueros[o|a|os|as] -2.8
odio -3.0
peor[|es] -2.0
mediocre[|s] -1.8
absurd[o|a|os|as] -1.8
ridícul[o|a|os|as] -2.0
inútil[|es] -2.0
incompetente[|s] -2.2
car[o|os] -0.8
desconect[a|ó|an] -1.2
se_cae -1.5
se_desconecta -1.5
nunca_contestó -2.0
nunca_contestan -2.0
nunca_respondió -2.0
nunca_responden -2.0
nadie_responde -2.0
nadie_contesta -2.0
en_espera -1.2
cobró_dos_veces -2.0
cobro_duplicado -2.0
nunca_más -2.0
no_está_nada_mal 1.8
no_está_mal 1.5
"""

_FR_LEXICON = """
bon[|ne|s|nes] 1.9
bien 1.5
excellent[|e|s|es] 3.0
génial[|e|s|es] 3.0
géniaux 3.0
super 2.5
parfait[|e|s|es] 2.7
parfaitement 2.5
formidable[|s] 3.0
magnifique[|s] 3.0
ador[e|é|able|ables] 2.8
recommand[e|é|ée] 1.8
satisfait[|e|s|es] 2.0
ravi[|e|s|es] 2.5
content[|e|s|es] 2.0
rapide[|s] 1.2
fiable[|s] 1.8
efficace[|s] 1.8
agréable[|s] 2.0
réacti[f|ve|fs|ves] 1.8
merci 1.5
top 1.5
silencieu[x|se|ses] 1.0
élégant[|e|s|es] 1.8
solide[|s] 1.2
mieux 1.6
meilleur[|e|s|es] 1.8
impeccable[|s] 2.8
aimable[|s] 2.0
sympa[|s] 1.8
gentil[|le|s|les] 1.8
pratique[|s] 1.0
utile[|s] 1.5
aidé 1.3
résolu 1.5
remboursement 1.0
rembourser 1.0
remboursé[|e|s] 1.0
mauvais[|e|es] -2.5
mal -1.5
nul[|le|s|les] -2.8
horrible[|s] -2.8
terrible[|s] -2.0
catastrophe[|s] -2.8
catastrophique[|s] -2.8
scandale -2.8
scandaleu[x|se|ses] -2.8
arnaque[|s] -3.0
déçu[|e|s|es] -2.2
décevant[|e|s|es] -2.2
déception -2.2
cassé[|e|s|es] -2.0
abîmé[|e|s|es] -1.8
panne -1.8
plant[e|ent|é] -1.5
lent[|e|s|es] -1.2
incompétent[|e|s|es] -2.2
inadmissible[|s] -2.8
inacceptable[|s] -2.8
dégueulasse[|s] -3.0
dégoûtant[|e|s|es] -2.8
absurde[|s] -1.8
pire[|s] -2.2
problème[|s] -1.2
perdu[|e|s|es] -1.3
annulé[|e|s|es] -1.0
retard[|s] -1.5
honte -2.5
honteu[x|se|ses] -2.5
augmenté_ses_prix -1.4
augmente_ses_prix -1.4
fait_attendre -1.5
bravo 2.0
réglé 1.5
marre -2.0
raccroché -1.8
refus[e|é|ée] -1.2
énervant[|e|s|es] -2.0
lamentable[|s] -2.5
inutile[|s] -2.0
cher -0.8
chère -0.8
malheureusement -1.2
pénible[|s] -2.0
déconnecte -1.2
se_déconnecte -1.5
pas_terrible -1.5
pas_mal 1.5
pas_mauvais 1.5
répond_jamais -2.0
jamais_répondu -2.0
sans_arrêt -0.5
au_nez -0.5
"""

_DE_LEXICON = """
gut[|e|er|es|en|em] 1.9
super 2.5
toll[|e|er|es|en|em] 2.8
großartig[|e|er|es|en|em] 3.0
hervorragend[|e|er|es|en|em] 3.0
ausgezeichnet[|e|er|es|en|em] 3.0
fantastisch[|e|er|es|en|em] 3.0
perfekt[|e|er|es|en|em] 2.7
zuverlässig[|e|er|es|en|em] 1.8
stabil[|e|er|es|en|em] 1.2
schnell[|e|er|es|en|em] 1.2
freundlich[|e|er|es|en|em] 2.0
empfehlen 1.8
empfehlenswert 2.0
liebe 2.5
begeistert 2.5
zufrieden 2.0
pünktlich[|e|er|es|en|em] 1.5
leise 1.0
klar[|e|er|es|en] 0.8
vollständig 0.6
danke 1.5
top 2.0
prima 2.5
klasse 2.5
spitze 2.5
gelöst 1.5
geholfen 1.5
bequem 1.5
schön[|e|er|es|en] 2.0
besser 1.6
beste[|n|r|s] 2.0
lecker 2.5
reagiert 0.6
schlecht[|e|er|es|en|em] -2.5
schlimm[|e|er|es|en|em] -2.5
schrecklich[|e|er|es|en|em] -2.8
furchtbar[|e|er|es|en|em] -2.8
katastrophe -2.8
katastrophal[|e|er|es|en] -2.8
miserabel -2.8
mies[|e|er|es|en] -2.2
kaputt -2.0
beschädigt -1.8
defekt -2.0
enttäuscht -2.2
enttäuschend[|e|er|es|en] -2.2
enttäuschung -2.2
frechheit -2.8
unverschämt -2.8
betrug -3.0
abzocke -2.8
ärgerlich -2.0
ärger -1.8
ekelhaft -2.8
langsam[|e|er|es|en] -1.2
inkompetent -2.2
abgelehnt -1.5
problem[|e] -1.2
verloren -1.3
gestrichen -1.0
storniert -1.0
verspätet -1.5
verspätung -1.5
nervig -2.0
nutzlos -2.0
teuer -0.8
beschwerde -1.2
ausfall -1.5
fällt_ständig_aus -2.0
fällt_aus -1.5
verbindungsabbrüche -1.8
aufgelegt -1.8
nie_geantwortet -2.0
nie_zurückgerufen -2.0
nase_voll -2.0
leider -1.0
schade -1.5
nie_wieder -2.0
"""

_PT_LEXICON = """
bom 1.9
boa[|s] 1.9
bons 1.9
bem 1.2
ótim[o|a|os|as] 3.0
excelente[|s] 3.0
fantástic[o|a|os|as] 3.0
perfeit[o|a|os|as] 2.7
perfeitamente 2.7
funciona 0.8
maravilhos[o|a|os|as] 3.0
incrível 2.5
ador[ei|o|ando|a] 2.8
gost[ei|o] 2.0
recomend[o|a] 1.8
rápid[o|a|os|as] 1.2
confiável[|s] 1.8
confiáveis 1.8
simpátic[o|a|os|as] 2.0
gentil 2.0
atencios[o|a|os|as] 2.0
satisfeit[o|a|os|as] 2.0
content[e|es] 2.0
feliz 2.2
obrigad[o|a] 1.5
resistente[|s] 1.0
confortável 1.5
silencios[o|a|os|as] 1.0
potente[|s] 1.2
pontua[l|is] 1.5
melhor[|es] 1.6
resolv[eu|eram|e] 1.5
ajud[ou|aram] 1.3
útil 1.5
fácil 1.2
legal 1.8
devolv[e|eu|eram] 1.0
aceita 0.8
ruim -2.5
ruins -2.5
mau -2.5
má -2.5
maus -2.5
péssim[o|a|os|as] -3.0
horrível -2.8
horríveis -2.8
terrível -2.8
terríveis -2.8
desastre -2.8
vergonha -2.5
absurdo -2.0
fraude -3.0
golpe -2.5
roubo -2.8
lent[o|a|os|as] -1.2
quebr[ou|ado|ada|ados|adas] -2.0
danificad[o|a|os|as] -1.8
defeituos[o|a|os|as] -2.0
decepcionad[o|a|os|as] -2.2
decepcionante -2.2
decepção -2.2
decepcionou -2.2
nojent[o|a|os|as] -2.8
inaceitável -2.8
problema[|s] -1.2
perd[eu|eram] -1.5
cancelad[o|a|os|as] -1.0
atraso -1.5
fart[o|a] -2.0
pior[|es] -2.0
inútil -2.0
car[o|os] -0.8
cai -1.0
desconecta -1.2
ninguém_atende -2.0
ninguém_responde -2.0
nunca_respondeu -2.0
nunca_respondem -2.0
"""

_ES_FUNCTION = (
    "no nunca jamás ni nada tampoco sin nadie ninguno ninguna|"
    "muy mucho muchísimo tan super súper realmente totalmente absolutamente demasiado bastante|"
    "pero sin_embargo"
)
_FR_FUNCTION = (
    "ne n pas jamais rien aucun aucune personne sans ni|"
    "très vraiment trop tellement totalement absolument vivement si hyper super|"
    "mais cependant pourtant par_contre"
)
_DE_FUNCTION = (
    "nicht nie niemals kein keine keinen keinem keiner nichts ohne niemand|"
    "sehr wirklich total absolut extrem echt so ganz besonders richtig|"
    "aber jedoch doch dagegen"
)
_PT_FUNCTION = (
    "não nunca jamais nem nada sem ninguém nenhum nenhuma|"
    "muito muita tão super realmente totalmente absolutamente bem bastante|"
    "mas porém contudo no_entanto"
)
_SOURCES: Final = {
    "es": (_ES_LEXICON, _ES_FUNCTION),
    "fr": (_FR_LEXICON, _FR_FUNCTION),
    "de": (_DE_LEXICON, _DE_FUNCTION),
    "pt": (_PT_LEXICON, _PT_FUNCTION),
}
LEXICON_LANGUAGES: Final = frozenset(_SOURCES)

_ALPHA = 15.0
_WORD = re.compile(r"[^\W\d_]+|[,;:.!?]")
# Punctuation kept as a token: a negation does not reach past it ("nie Probleme, sehr gut").
_PAUSES = frozenset(",;:.!?")
_STEM = re.compile(r"^(?P<stem>[^\[]*)\[(?P<endings>[^\]]*)\](?P<tail>.*)$")


@dataclass(frozen=True, slots=True)
class LanguageLexicon:
    """One language's valences (phrases keyed by their words joined with ``_``) and rules."""

    valences: dict[str, float]
    negators: frozenset[str]
    boosters: frozenset[str]
    contrasts: frozenset[str]


def expand_forms(forms: str) -> list[str]:
    """``pésim[o|a]`` -> ``["pésimo", "pésima"]``; a plain word or phrase stays as it is."""
    match = _STEM.match(forms)
    if match is None:
        return [forms]
    return [f"{match['stem']}{ending}{match['tail']}" for ending in match["endings"].split("|")]


def parse_lexicon(source: str) -> dict[str, float]:
    """Read entry lines (``forms valence``); a later line for the same form wins."""
    valences: dict[str, float] = {}
    for line in source.strip().splitlines():
        forms, valence = line.rsplit(" ", 1)
        for form in expand_forms(forms.strip()):
            valences[form.lower()] = float(valence)
    return valences


@lru_cache(maxsize=len(_SOURCES))
def load_lexicon(language: str) -> LanguageLexicon:
    """The lexicon and rule words of ``language`` (one of ``LEXICON_LANGUAGES``)."""
    entries, function_words = _SOURCES[language]
    negators, boosters, contrasts = (frozenset(part.split()) for part in function_words.split("|"))
    return LanguageLexicon(parse_lexicon(entries), negators, boosters, contrasts)


def tokenize(text: str) -> list[str]:
    """Lower-case words and clause punctuation; apostrophes split ("n'est" -> "n", "est")."""
    return [word.lower() for word in _WORD.findall(text)]


def compute_language_valence(text: str, language: str) -> float:
    """VADER-style raw valence sum of ``text`` (not normalised) with ``language``'s lexicon."""
    lexicon = load_lexicon(language)
    tokens = _join_phrases(tokenize(text), lexicon)
    scored = [_token_valence(tokens, index, lexicon) for index in range(len(tokens))]
    return sum(_apply_contrast(tokens, scored, lexicon))


def normalise(total: float) -> float:
    """VADER's normalisation of a valence sum into -1..1."""
    return total / math.sqrt(total * total + _ALPHA)


def _join_phrases(tokens: list[str], lexicon: LanguageLexicon) -> list[str]:
    """Replace each known phrase (and two-word rule words) by its ``_``-joined token."""
    joined: list[str] = []
    index = 0
    while index < len(tokens):
        for size in range(min(_LONGEST_PHRASE, len(tokens) - index), 1, -1):
            candidate = "_".join(tokens[index : index + size])
            if candidate in lexicon.valences or candidate in lexicon.contrasts:
                joined.append(candidate)
                index += size
                break
        else:
            joined.append(tokens[index])
            index += 1
    return joined


def _token_valence(tokens: list[str], index: int, lexicon: LanguageLexicon) -> float:
    token = tokens[index]
    valence = lexicon.valences.get(token, 0.0)
    if valence == 0.0 or "_" in token:
        return valence
    before = tokens[max(0, index - _NEGATION_WINDOW) : index]
    pauses = [i for i, word in enumerate(before) if word in _PAUSES]
    before = before[pauses[-1] + 1 :] if pauses else before
    if index and tokens[index - 1] in lexicon.boosters:
        valence += BOOSTER_INCREMENT if valence > 0 else -BOOSTER_INCREMENT
    if any(word in lexicon.negators for word in before):
        valence *= NEGATION_SCALAR
    return valence


def _apply_contrast(
    tokens: list[str], scored: list[float], lexicon: LanguageLexicon
) -> list[float]:
    cut = next((i for i, token in enumerate(tokens) if token in lexicon.contrasts), None)
    if cut is None:
        return scored
    return [v * (BEFORE_CONTRAST if i < cut else AFTER_CONTRAST) for i, v in enumerate(scored)]
