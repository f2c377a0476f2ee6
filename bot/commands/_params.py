"""Parameters several commands share, declared once."""

from bot.core.registry import Kind, Param

GIG_ID = Param("id", Kind.GIG, required=True, positional=True)  # `/gig apply 12`, `/gig close #12`
