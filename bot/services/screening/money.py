"""Rules about money asked of applicants: a deposit or fee, an odd way of paying, bank or ID details, free work.

Patterns read the folded text (lower case, no accents), one clause at a time, in English and French. Each rule
knows its hard cases: a client who pays the freelancer a deposit, a gig about building a crypto dashboard, a
paid test task.
"""

from __future__ import annotations

from collections.abc import Iterator

from bot.services.screening.model import Finding
from bot.services.screening.rule import Context, Rule, rule
from bot.services.screening.text import pattern

W = r"[^.!?;\n]"  # any character within the clause
AMOUNT = r"(?:(?:\$|€|£)\s?\d[\d,.]*|\d[\d,.]*\s?(?:\$|€|£|usd|eur|euros?|dollars?)(?!\w))"
FEE = r"(?:deposits?|fees?|acomptes?|cautions?|frais|depots?|cotisations?|starter\s+kit|kit\s+de\s+demarrage)"
NAMED_FEE = pattern(
    r"\b(?:registration|application|training|onboarding|activation|processing|membership|joining|enrol?ment"
    r"|verification|refundable|security|administrative|admin|start-?up|placement|booking|one-time|small|entry"
    r"|background(?:\s+check)?|certification)\s+(?:fees?|deposits?)\b",
    r"\byou\s+(?:will\s+be|are|get)\s+charged\b|\bpay\s+for\s+(?:your|the)\s+(?:own\s+)?(?:training|starter\s+kit"
    r"|equipment|background\s+check|certification|account\s+activation)\b",
    r"\bfrais\s+de\s+\d+\s*(?:€|euros?)|\bparticipation\s+(?:de\s+\d+\s*(?:€|euros?)\s+)?aux\s+frais\b",
    r"\b(?:payer|payez|financer|financez)\s+(?:votre|ta|la)\s+(?:propre\s+)?(?:formation|kit|inscription)\b",
    r"\bfrais\s+(?:d'inscription|de\s+dossier|de\s+formation|d'adhesion|d'activation|de\s+traitement"
    r"|de\s+verification|d'ouverture|de\s+demarrage|administratifs|de\s+reservation|de\s+mise\s+en\s+relation)\b",
    r"\b(?:depot\s+de\s+garantie|caution\s+remboursable|acompte\s+remboursable)\b",
    r"\b(?:buy|purchase|order)\s+(?:the\s+|our\s+|a\s+)?(?:starter|training|onboarding)\s+(?:kit|pack|package)\b",
    r"\b(?:acheter|achetez|commander|commandez)\s+(?:le|notre|un)\s+(?:kit|pack)\s+(?:de\s+)?(?:demarrage|formation)\b",
)
APPLICANT_PAYS = pattern(
    rf"\b(?:you|applicants?|candidates?|each\s+(?:applicant|candidate|member))\b{W}{{0,30}}?"
    rf"\b(?:pay|send|transfer|deposit|wire|cover|advance)\b{W}{{0,30}}?\b{FEE}",
    rf"\b(?:vous|tu|les\s+candidats?|chaque\s+candidat)\b{W}{{0,30}}?"
    rf"\b(?:payer|payez|paies|verser|versez|regler|reglez|envoyer|envoyez|virer|virez|avancer|avancez)\b"
    rf"{W}{{0,30}}?\b{FEE}",
    rf"\b{FEE}\b{W}{{0,40}}?\b(?:is\s+|are\s+)?(?:required|needed|mandatory|due)\b{W}{{0,30}}?"
    rf"\b(?:to|before)\s+(?:you\s+)?(?:can\s+)?(?:start|begin|get\s+started|secure|reserve|receive|unlock|access"
    rf"|activate|join|be\s+hired|get\s+the\s+(?:job|gig|task))",
    rf"\b{FEE}\b{W}{{0,30}}?\b(?:to|in\s+order\s+to)\s+(?:secure|reserve|confirm|unlock|activate)\s+(?:your|the)\s+"
    rf"(?:spot|place|position|seat|slot|account|access|application)",
    rf"\b{FEE}\b{W}{{0,40}}?\b(?:a\s+votre\s+charge|a\s+ta\s+charge|a\s+la\s+charge\s+du\s+(?:candidat|freelance)"
    rf"|pour\s+(?:commencer|demarrer|reserver|valider|confirmer|debloquer|activer|garantir)"
    rf"|avant\s+de\s+(?:commencer|demarrer))",
    rf"\b(?:buy|purchase|order)\b{W}{{0,60}}?\b(?:you(?:'ll|\s+will)\s+be\s+)?(?:reimbursed|refunded)\b",
    rf"\b(?:buy|purchase)\b{W}{{0,40}}?\b(?:from|through)\s+our\s+(?:approved\s+|certified\s+)?(?:vendor|supplier)",
    rf"\b(?:pay|send|transfer|payer|payez|verser|versez|regler|reglez|envoyer|envoyez)\s+(?:a\s+|un\s+|une\s+)?"
    rf"(?:small\s+|petite?\s+)?{AMOUNT}{W}{{0,30}}?\b(?:to|pour|before|avant\s+de)\s+(?:(?:be\s+able\s+to|pouvoir)\s+)?"
    r"(?:access|acceder|start|commencer|unlock|debloquer|activate|activer|join|register|s'inscrire|vous\s+inscrire"
    r"|apply|postuler|get\s+started|demarrer|receive|recevoir|rejoindre)",
    rf"\b(?:acheter|achetez|avancer|avancez|commander|commandez)\b{W}{{0,40}}?\b(?:rembourse\w*)\b",
)
CLIENT_PAYS = pattern(  # the money goes to the freelancer: a client's deposit, an advance, paid at order
    r"\b(?:we|i|the\s+client|client|our\s+(?:company|team))(?:'ll|\s+will|\s+can|\s+would)?\s+"
    r"(?:pay|pays|send|sends|transfer|wire|cover|covers|provide|offer|advance)\b",
    r"\bpaid\s+(?:to\s+you|to\s+the\s+freelancer|upfront\s+to)|\bto\s+the\s+freelancer\b|\bto\s+you\s+upfront\b",
    r"\byou(?:'ll|\s+will)?\s+(?:receive|get)\s+(?:a\s+|an\s+|the\s+)?(?:\d+\s?%\s+)?(?:deposit|advance|upfront)",
    r"\byou(?:'ll|\s+will)\s+be\s+paid\b|\bupfront\s+(?:payment|deposit)\s+(?:to|for)\s+you\b",
    r"\b(?:nous|je|le\s+client|on)\s+(?:vous\s+|te\s+)?(?:versons|verse|versera|verserons|verserai|payons|paie|paye"
    r"|reglons|regle|avance|avancons|avancerons|donnons|offrons)\b",
    r"\bverse\w*\s+(?:au|a\s+la|a\s+l')\s*(?:freelance|prestataire|developpeu|graphiste|redacteu|candidat)",
    r"\bvous\s+(?:recevez|recevrez|toucherez|touchez|percevrez)\s+(?:un\s+|une\s+|l')?(?:\d+\s?%\s+(?:d')?)?"
    r"(?:acompte|avance)",
    r"\ba\s+la\s+(?:commande|signature)\b",
)


@rule("deposit", 70, "screening.deposit")
def deposit(self: Rule, context: Context) -> Iterator[Finding]:
    """Asks applicants to pay a deposit or a fee (not a deposit the client pays the freelancer).

    A named applicant fee ("registration fee", "frais d'inscription") counts even beside a client paying something
    ("we send the kit once you pay the registration fee"); looser wordings do not.
    """
    found = (context.scan.first(NAMED_FEE, negatable=True)
             or context.scan.first(APPLICANT_PAYS, CLIENT_PAYS, negatable=True))
    if found:
        yield self.finding("screening.deposit", found=found)


PAY = (r"(?:paid|pay|paying|payment|payments|payout|compensation|compensated|remuneration|salary|wages?|budget"
       r"|paye|payee|payes|paie|paient|payons|payer|paierons|paiements?|remunere\w*|regle|reglement|verse|versement|honoraires?|rate)")
VIA = r"(?:in|via|by|with|through|using|as|en|par|avec|sous\s+forme\s+de)"
CRYPTO = (r"(?:crypto(?:currency|currencies|-?monnaies?)?|bitcoins?|btc|usdt|usdc|tether|eth(?:ereum)?|solana"
          r"|bnb|binance(?:\s+pay)?|litecoin|ltc|dogecoin|trc-?20|erc-?20|stablecoins?)")
GIFT = (r"(?:gift\s*cards?|(?:steam|itunes|apple|google\s+play|amazon|ebay)\s+(?:gift\s+)?cards?"
        r"|cartes?[\s-]+cadeaux?|(?:coupons?|cartes?|recharges?)\s+pcs|transcash|neosurf|paysafecard|toneo)")
PRODUCT = pattern(  # the words a gig about building a payment feature uses: then crypto or gift cards are the product
    r"\b(?:accept\w*|integrat\w*|gateway|checkout|dashboard|tracker|chart\w*|api|plugin|module|feature|widget"
    r"|wallet\s+connect|exchange\s+rates?|price\s+feed|store|shop|woocommerce|shopify|stripe)\b",
    r"\b(?:accepter|integr\w*|passerelle|tableau\s+de\s+bord|fonctionnalite|boutique|cours\s+(?:du|des))\b",
)
CRYPTO_PAY = pattern(rf"\b{PAY}\b{W}{{0,20}}?\b{VIA}\s+(?:[\w']+\s+){{0,2}}?{CRYPTO}\b",
                     r"\b\d[\d,. ]*\s*(?:usdt|usdc|btc|eth)\b",
                     r"\b(?:your|votre|ton)\s+(?:crypto\s+|usdt\s+|btc\s+)?(?:wallet|portefeuille)\s+(?:address|adresse)?")
GIFT_PAY = pattern(rf"\b{PAY}\b{W}{{0,20}}?\b{VIA}\s+(?:[\w']+\s+){{0,2}}?{GIFT}",
                   rf"\b(?:buy|purchase|acheter|achetez|achete|achat)\b{W}{{0,30}}?{GIFT}",
                   rf"{GIFT}{W}{{0,40}}?\b(?:codes?|scratch|gratter|photo)\b")
WIRE = pattern(r"\b(?:western\s+union|moneygram|ria\s+money|mandat\s+cash|worldremit)\b",
               r"\bfriends\s+(?:and|&)\s+family\b|\bentre\s+proches\b",
               rf"\b(?:wire|forward|transfer|virer|virez|transferer|transferez)\b{W}{{0,20}}?"
               r"\b(?:the\s+|les\s+|l')?(?:funds|money|fonds|argent)\b")
CHEQUE = pattern(r"\b(?:mail|send|post|receive|deposit|cash|envoyer|envoyons|enverr|recevrez|recevoir|encaisser"
                 r"|encaissez|remettr|deposer|deposez)\w*\s+(?:you\s+)?(?:a\s+|the\s+|un\s+|le\s+|our\s+)?(?:cheque|check|cheques|checks)")
REST = pattern(
    r"\b(?:send|wire|transfer|forward|return|refund|pay)\w*\s+(?:back\s+)?(?:the\s+)?(?:rest|remainder|remaining"
    r"|balance|difference|excess|extra|surplus|leftover)\b",
    rf"\bkeep\s+(?:\$|€|£)?\s?\d+{W}{{0,40}}?\b(?:send|forward|wire|transfer|pay)\w*",
    r"\b(?:renvoy|rembours|revers|vir|transfer|envoy|enverr)\w*\s+(?:le\s+|la\s+|l')?(?:reste|surplus|difference"
    r"|excedent|solde|trop-percu)\b",
    rf"\bgard\w*\s+\d+{W}{{0,40}}?\b(?:envoy|enverr|vir|revers|transfer)\w*",
)


@rule("payment_method", 60, "screening.payment_gift_card", "screening.payment_crypto", "screening.payment_wire",
      "screening.payment_cheque")
def payment_method(self: Rule, context: Context) -> Iterator[Finding]:
    """Payment by gift card, crypto, money-transfer service, or a cheque whose surplus goes back."""
    scan = context.scan
    if found := scan.first(GIFT_PAY, PRODUCT, negatable=True):
        yield self.finding("screening.payment_gift_card", found=found)
    if found := scan.first(CRYPTO_PAY, PRODUCT, negatable=True):
        yield self.finding("screening.payment_crypto", found=found)
    cheque = scan.first(CHEQUE)
    rest = scan.first(REST)
    if cheque and rest:
        yield self.finding("screening.payment_cheque", found=rest)
    elif found := scan.first(WIRE, negatable=True):
        yield self.finding("screening.payment_wire", found=found)


ASK = (r"(?:send|provide|share|give|submit|email|upload|include|attach|need|needs|require|requires|required"
       r"|ask\s+for|with|enter|fill\s+in|envoy\w*|fourni\w*|communiqu\w*|transmet\w*|transmis|joind\w*|joign\w*"
       r"|partag\w*|demand\w*|besoin|exig\w*|avec|indiqu\w*|renseign\w*|remplir|remplissez)")
IDENTITY = (r"(?:bank\s+(?:login|password|credentials|card\s+pin)|online\s+banking|ssn|social\s+security(?:\s+number)?"
            r"|passport|driver'?s?\s+licen[cs]e|(?:photo|copy|scan|picture)\s+of\s+(?:your|the)\s+(?:id|card)"
            r"|(?:id|identity)\s+(?:card|document)|national\s+id|selfie\s+(?:with|holding)|credit\s+card\s+(?:number"
            r"|details)|card\s+(?:number|details)|cvv|cvc|pin\s+(?:code|number)|carte\s+d'identite"
            r"|pieces?\s+d'identite|passeport|permis\s+de\s+conduire|numero\s+de\s+securite\s+sociale|carte\s+vitale"
            r"|(?:numero\s+de\s+(?:votre\s+|ta\s+)?)?carte\s+bancaire|cryptogramme|code\s+(?:de\s+la\s+carte|secret|pin)"
            r"|identifiants?\s+bancaires?|selfie\s+avec|kyc|mother'?s\s+maiden\s+name|your\s+(?:government\s+)?id)")
BANK = (r"(?:bank\s+(?:account\s+)?(?:details|information|info|number|statement)|account\s+number|routing\s+number"
        r"|sort\s+code|iban|swift|rib|coordonnees\s+bancaires|numero\s+de\s+compte|releve\s+d'identite\s+bancaire)")
SYSTEM = pattern(  # a gig about a system that handles such details, not a request for the applicant's own
    r"\b(?:columns?|fields?|imports?|exports?|csv|database|schema|api|validat\w*|parser|parsing|statements"
    r"|champs?|colonnes?|base\s+de\s+donnees|releves\s+bancaires)\b",
)
IDENTITY_ASK = pattern(rf"\b{ASK}\b{W}{{0,50}}?\b{IDENTITY}\b",
                       r"\bverif\w*\s+(?:your|votre|ton)\s+identit\w*")
BANK_ASK = pattern(rf"\b{ASK}\b{W}{{0,50}}?\b{BANK}\b")
INVOICE = pattern(r"\b(?:invoice|invoicing|factur\w*|after\s+delivery|apres\s+(?:la\s+)?livraison|on\s+delivery"
                  r"|a\s+la\s+livraison|end\s+of\s+the\s+(?:project|mission)|fin\s+de\s+(?:la\s+)?mission)\b")
INVOICE_OR_SYSTEM = pattern(INVOICE.pattern, SYSTEM.pattern)


@rule("bank_or_id", 70, "screening.bank_or_id")
def bank_or_id(self: Rule, context: Context) -> Iterator[Finding]:
    """Asks for bank or identity details (bank details for an invoice at the end of the work are ordinary)."""
    found = (context.scan.first(IDENTITY_ASK, SYSTEM, negatable=True)
             or context.scan.first(BANK_ASK, INVOICE_OR_SYSTEM, negatable=True))
    if found:
        yield self.finding("screening.bank_or_id", found=found)
