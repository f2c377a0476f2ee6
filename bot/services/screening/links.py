"""Rules about links: URL shorteners, look-alikes of well-known domains, and the community's blocked domains.

A look-alike is a host whose name reads as a well-known freelancing or payment domain once homoglyphs are undone
(`paypa1`, `upwοrk` with a Greek omicron, punycode `xn--...`), or one that wears the name inside another domain
(`upwork-jobs.net`, `paypal.com.secure-login.io`). The community's allowlisted domains never count.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from bot.services.screening.model import Finding
from bot.services.screening.rule import Context, Rule, rule

SHORTENERS = frozenset("""
bit.ly bitly.com tinyurl.com t.co goo.gl ow.ly is.gd buff.ly rebrand.ly cutt.ly shorturl.at rb.gy tiny.cc s.id
bl.ink t.ly v.gd shorte.st adf.ly lnkd.in trib.al surl.li short.io tiny.one u.to clck.ru qr.ae soo.gd bc.vc
ouo.io shrtco.de x.gd n9.cl urlz.fr pxlme.me lc.cx shorturl.com tr.im cli.gs dub.sh kutt.it 2u.pw
t2m.io zpr.io tiny.pl short.gy
""".split())
WELL_KNOWN = {  # the name a look-alike imitates -> its real registrable domains
    "upwork": {"upwork.com"}, "fiverr": {"fiverr.com"}, "freelancer": {"freelancer.com", "freelancer.fr"},
    "malt": {"malt.fr", "malt.com", "malt.de", "malt.es"}, "toptal": {"toptal.com"}, "paypal": {"paypal.com",
    "paypal.me"}, "stripe": {"stripe.com"}, "payoneer": {"payoneer.com"}, "wise": {"wise.com"},
    "linkedin": {"linkedin.com", "lnkd.in"}, "indeed": {"indeed.com", "indeed.fr"}, "github": {"github.com",
    "github.io"}, "gitlab": {"gitlab.com"}, "google": {"google.com", "google.fr"}, "revolut": {"revolut.com"},
    "codeur": {"codeur.com"}, "guru": {"guru.com"}, "peopleperhour": {"peopleperhour.com"},
    "welcometothejungle": {"welcometothejungle.com"}, "glassdoor": {"glassdoor.com"}, "discord": {"discord.com",
    "discord.gg"}, "slack": {"slack.com"}, "notion": {"notion.so", "notion.site"}, "calendly": {"calendly.com"},
    "docusign": {"docusign.com", "docusign.net"}, "microsoft": {"microsoft.com"}, "apple": {"apple.com"},
}
SECOND_LEVEL = {"co", "com", "org", "net", "gov", "ac", "gouv"}  # co.uk, com.au, gouv.fr: registrable is 3 labels
TLDS = ("com|net|org|io|co|fr|ly|gl|gd|me|be|de|uk|app|dev|info|biz|xyz|online|site|top|shop|store|link|click|live"
        "|ru|cn|tk|ml|ga|cf|gq|in|us|ca|eu|ch|es|it|nl|so|gg|cc|to|at|sh|ai|id|li|cx|ae|pw|work|jobs|page")
HOST = re.compile(rf"(?:https?://|www\.)(?P<a>[^\s/?#<>\"'()|]+)|(?<![\w@.-])(?P<b>(?:[\w-]+\.)+(?:{TLDS}))(?=[/\s),.;:!?]|$)",
                  re.IGNORECASE)
HOMOGLYPHS = str.maketrans({"0": "o", "1": "l", "3": "e", "4": "a", "5": "s", "7": "t", "8": "b", "9": "g",
                            "а": "a", "е": "e", "о": "o", "р": "p", "с": "c", "у": "y", "х": "x", "і": "i",
                            "ј": "j", "ԁ": "d", "ո": "n", "ѕ": "s", "ɡ": "g", "ο": "o", "ν": "v", "ι": "i",
                            "κ": "k", "ρ": "p", "τ": "t", "α": "a", "ε": "e", "ӏ": "l", "ı": "i", "ɩ": "l"})


def hosts(context: Context) -> list[str]:
    """Every link host in the gig's text and its apply URL, lower case, without `www.` or port, in order."""
    found: dict[str, None] = {}
    for text in (context.scan.raw, context.gig.apply_url or ""):
        for match in HOST.finditer(text):
            host = (match.group("a") or match.group("b")).lower().split(":")[0].split("@")[-1].strip(".")
            if "." in host:
                found[host.removeprefix("www.")] = None
    return list(found)


def registrable(host: str) -> str:
    """The part of a host one registers: `jobs.upwork.com` -> `upwork.com`, `a.b.co.uk` -> `b.co.uk`."""
    labels = host.split(".")
    keep = 3 if len(labels) >= 3 and labels[-2] in SECOND_LEVEL and len(labels[-1]) == 2 else 2
    return ".".join(labels[-keep:])


def skeleton(label: str) -> str:
    """A label as it reads: homoglyphs and digits-for-letters undone, `rn` read as `m`, `vv` as `w`."""
    return label.translate(HOMOGLYPHS).replace("rn", "m").replace("vv", "w")


def near(label: str, name: str) -> bool:
    """One letter doubled or dropped, or two next letters swapped (`upwrok`, `fiverrr`), for names of 6+ letters."""
    if len(name) < 6 or label == name or abs(len(label) - len(name)) > 1:
        return False
    if len(label) == len(name):
        diff = [i for i, (a, b) in enumerate(zip(label, name, strict=True)) if a != b]
        return len(diff) == 2 and diff[1] == diff[0] + 1 and label[diff[0]] == name[diff[1]] \
            and label[diff[1]] == name[diff[0]]
    longer, shorter = (label, name) if len(label) > len(name) else (name, label)
    return any(longer[:i] + longer[i + 1:] == shorter and i > 0 and longer[i] == longer[i - 1]
               for i in range(len(longer)))


def imitates(host: str) -> str | None:
    """The well-known name a host imitates, or None (the real domains and their subdomains imitate nothing)."""
    own = registrable(host)
    if any(own in domains for domains in WELL_KNOWN.values()):
        return None
    punycode = host.startswith("xn--") or ".xn--" in host or not host.isascii()
    for label in host.split("."):
        for part in [label, *label.split("-")]:
            read = skeleton(part.removeprefix("xn--"))
            for name in WELL_KNOWN:
                if read == name or near(read, name):
                    return name
    return "?" if punycode else None


@rule("link", 45, "screening.shortened_link", "screening.lookalike_link")
def link(self: Rule, context: Context) -> Iterator[Finding]:
    """A link through a URL shortener, or to a domain that imitates a well-known one."""
    for host in hosts(context):
        if context.settings.allows_domain(host):
            continue
        if registrable(host) in SHORTENERS or host in SHORTENERS:
            yield self.finding("screening.shortened_link", domain=host)
        elif (name := imitates(host)) is not None:
            yield self.finding("screening.lookalike_link", domain=host, like=_real(name, host))


def _real(name: str, host: str) -> str:
    """The real domain a look-alike imitates, the one with the same ending when there is one (`malt.fr`)."""
    if name not in WELL_KNOWN:
        return host
    domains = sorted(WELL_KNOWN[name])
    return next((domain for domain in domains if domain.rsplit(".", 1)[-1] == host.rsplit(".", 1)[-1]), domains[0])


@rule("blocked_domain", 60, "screening.blocked_domain")
def blocked_domain(self: Rule, context: Context) -> Iterator[Finding]:
    """A link to a domain on the community's blocklist."""
    for host in hosts(context):
        if not context.settings.allows_domain(host) and (domain := context.settings.blocks_domain(host)):
            yield self.finding("screening.blocked_domain", domain=domain)
