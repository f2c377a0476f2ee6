"""Rules about what the offer promises or leaves out.

Unpaid test work, guaranteed income or pressure to act now, and a description too short to judge.
"""

from __future__ import annotations

from collections.abc import Iterator

from bot.services.screening.model import Finding
from bot.services.screening.rule import Context, Rule, rule
from bot.services.screening.text import pattern

W = r"[^.!?;\n]"
WORK = r"(?:test|tests|trial|sample|samples|assignment|task|tasks|work|project|mock-?ups?|designs?|article|logo)"
UNPAID_TEST = pattern(
    rf"\b(?:unpaid|non-?paid|no-?pay)\s+(?:test|trial|sample|samples|assignment)(?:\s+{WORK})?\b",
    rf"\bfree\s+(?:test|sample|samples|assignment)(?:\s+{WORK})?\b|\bfree\s+trial\s+{WORK}\b",  # not a free trial
    r"\bunpaid\s+(?:task|tasks|work|project)\b|\bspec\s+work\b",
    r"\b(?:first|1st)\s+(?:week|day|days|month|task|project)\s+(?:is\s+|are\s+|will\s+be\s+)?(?:unpaid|free|not\s+paid)\b",
    r"\bpremi\w+\s+(?:semaine|journee|jour|mission|tache)\s+(?:n'est\s+pas|non)\s+(?:payee?s?|remuneree?s?)\b",
    rf"\b(?:test|trial|sample)\s+(?:(?:{WORK}|period|week|day)\s+)?(?:is\s+|will\s+be\s+)?(?:unpaid|not\s+paid|without\s+pay"
    r"|for\s+free|free\s+of\s+charge)\b",
    rf"\b(?:for\s+free|free\s+of\s+charge|without\s+pay(?:ment)?)\b{W}{{0,40}}?\b(?:before|to\s+prove|to\s+show"
    r"|if\s+(?:we|i)\s+like|then\s+we|and\s+if)\b",
    r"\b(?:only\s+)?(?:pay|paid)\s+(?:you\s+)?(?:only\s+)?if\s+(?:we|i)\s+(?:like|use|choose|select|keep|approve)",
    r"\b(?:tests?|essais?|exercices?|travail|mission|maquettes?|echantillons?|articles?)\s+(?:[\w']+\s+){0,2}?"
    r"(?:gratuits?|gratuites?|non\s+remuneres?|non\s+remunerees?|non\s+payes?|non\s+payees?)\b",
    rf"\b(?:gratuitement|a\s+titre\s+gracieux|sans\s+remuneration)\b{W}{{0,40}}?\b(?:avant|pour\s+(?:prouver"
    r"|montrer|voir)|si\s+(?:nous|on|je|le\s+resultat))\b",
    r"\b(?:paye\w*|remunere\w*|regle\w*)\s+(?:\w+\s+)?(?:uniquement|seulement)\s+si\b",
    r"\b(?:uniquement|seulement)\s+si\s+(?:nous|on|je)\s+(?:retenons|validons|aimons|gardons|choisissons|utilisons"
    r"|retient|valide|aime|garde|choisit|utilise)",
)


@rule("unpaid_test", 45, "screening.unpaid_test")
def unpaid_test(self: Rule, context: Context) -> Iterator[Finding]:
    """Asks for unpaid test work before hiring (a paid test task is fine)."""
    if found := context.scan.first(UNPAID_TEST, negatable=True):
        yield self.finding("screening.unpaid_test", found=found)


MONEY = r"(?:\$|€|£|usd|eur|dollars?|euros?)"
PERIOD = r"(?:day|daily|week|weekly|month|monthly|jour|semaine|mois)"
PROMISE = pattern(
    r"\bguarantee[ds]?\s+(?:\w+\s+)?(?:income|earnings|pay|payment|profits?|returns?|money|salary|\$|€|£|\d)",
    r"\b(?:income|earnings|profits?|returns?|pay)\s+(?:is\s+|are\s+)?guaranteed\b",
    rf"\b(?:earn|make)\s+(?:up\s+to\s+|over\s+|at\s+least\s+)?{MONEY}?\s?\d[\d,.k ]*\s*{MONEY}?\s*"
    rf"(?:/|per|a|an|every|each)\s*{PERIOD}\b",
    r"\b(?:passive\s+income|easy\s+money|financial\s+freedom|be\s+your\s+own\s+boss|get\s+rich)\b",
    r"\bmake\s+money\s+(?:from|at)\s+home\b",
    r"\b(?:revenus?|gains?|salaire|remuneration)\s+(?:\w+\s+)?garanti\w*|\bgaranti\w*\s+(?:\d|des\s+revenus"
    r"|un\s+revenu|des\s+gains)",
    rf"\bgagne[rz]?\s+(?:jusqu'a\s+|plus\s+de\s+|au\s+moins\s+)?\d[\d\s.,k]*\s*{MONEY}?\s*(?:/|par)\s*{PERIOD}\b",
    r"\b(?:revenus?\s+passifs?|argent\s+facile|liberte\s+financiere|devenez\s+votre\s+propre\s+patron)\b",
)
PRESSURE = pattern(
    r"\bact\s+(?:now|fast|quickly|immediately|today)\b|\blimited\s+(?:spots?|places?|positions?|seats?|slots?)\b",
    r"\bonly\s+\d+\s+(?:spots?|places?|positions?|seats?|slots?)\s+(?:left|remaining|available)\b",
    r"\b(?:spots?|places?|positions?)\s+(?:are\s+)?(?:filling|going)\s+(?:up\s+)?fast\b|\bdon'?t\s+miss\s+(?:out|this)",
    r"\b(?:offer|opportunity|this\s+deal)\s+(?:expires|ends|closes)\s+(?:today|tonight|in\s+\d+\s+(?:hours?|minutes?))",
    r"\b(?:reply|respond|answer|register|sign\s+up)\s+within\s+(?:the\s+next\s+)?\d+\s+(?:minutes?|mins?|hours?)\b",
    r"\btoday\s+only\b|\bfirst\s+come,?\s+first\s+served\b",
    r"\b(?:apply|register|sign\s+up)\s+before\s+(?:midnight|tonight|it'?s\s+too\s+late)\b",
    r"\bplaces?\s+limitees?\b|\bplus\s+que\s+\d+\s+places?\b|\bdernieres?\s+places?\b",
    r"\bagisse[zr]\s+(?:vite|maintenant|des\s+maintenant|aujourd'hui)\b|\bne\s+(?:ratez|manquez)\s+pas\b",
    r"\bpremier\s+arrive,?\s+premier\s+servi\b|\baujourd'hui\s+seulement\b",
    r"\brepond\w*\s+(?:dans\s+les|sous|en\s+moins\s+de)\s+\d+\s*(?:h|heures?|minutes?|min)\b",
    r"\boffre\s+(?:valable|limitee)\s+(?:aujourd'hui|\d+\s*h|jusqu'a\s+ce\s+soir)\b",
)


@rule("income_pressure", 40, "screening.guaranteed_income", "screening.act_now")
def income_pressure(self: Rule, context: Context) -> Iterator[Finding]:
    """Promises guaranteed or easy income, or presses applicants to act at once."""
    if found := context.scan.first(PROMISE, negatable=True):
        yield self.finding("screening.guaranteed_income", found=found)
    if found := context.scan.first(PRESSURE, negatable=True):
        yield self.finding("screening.act_now", found=found)


@rule("too_short", 15, "screening.too_short")
def too_short(self: Rule, context: Context) -> Iterator[Finding]:
    """A description with too few words to judge the gig by; light on its own, it adds to other signals."""
    count = len(context.scan.description_words)
    if count < context.settings.short_words:
        yield self.finding("screening.too_short", count=count, minimum=context.settings.short_words)
