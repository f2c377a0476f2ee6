"""Each screening rule on its own: what it catches in English and French, and the hard cases it lets through."""

from __future__ import annotations

import pytest

from bot.services.screening import GigText, History, PastBudget, RecentGig, screen

FILLER = " The work is described in the attached brief, with the deadline and the files we already have."


def reasons(description: str, **fields: object) -> set[str]:
    """The reason keys a gig with this description gets, leaving out the short-description one."""
    gig = GigText(title=str(fields.pop("title", "A small gig")), description=description + FILLER, **fields)  # type: ignore[arg-type]
    return {f.reason_key for f in screen(gig).findings} - {"screening.too_short"}


@pytest.mark.parametrize(("text", "expected"), [
    ("You will need to pay a $50 refundable registration fee to get started.", {"screening.deposit"}),
    ("A small deposit of 30 EUR is required to secure your spot.", {"screening.deposit"}),
    ("Each applicant must buy the starter kit, reimbursed after the first week.", {"screening.deposit"}),
    ("Des frais de dossier de 25 € sont demandés à l'inscription.", {"screening.deposit"}),
    ("Vous devez verser une caution de 40 € avant de commencer.", {"screening.deposit"}),
    ("Tu dois payer 20 € pour accéder à la plateforme de missions.", {"screening.deposit"}),
    ("We send the starter materials once you pay the training fee.", {"screening.deposit"}),  # beside "we send"
    ("Vous recevrez le matériel après paiement des frais d'inscription.", {"screening.deposit"}),
    ("Vous recevrez un acompte de 30 % à la signature.", set()),
    # a deposit paid TO the freelancer is how careful clients work
    ("I pay a 30% deposit upfront, the rest on delivery.", set()),
    ("We'll send a 50% deposit before you start.", set()),
    ("Acompte de 30 % versé au freelance à la commande, solde à la livraison.", set()),
    ("Je vous verse un acompte de 40 % au démarrage.", set()),
    ("No registration fee, no deposit: you are paid for every hour.", set()),
])
def test_deposit_asked_of_applicants(text: str, expected: set[str]) -> None:
    assert reasons(text) & {"screening.deposit"} == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("Contact our HR manager on Telegram: @hr_lisa for details.", True),
    ("Interviews are held on WhatsApp only.", True),
    ("Text me on WhatsApp at +44 7700 900123.", True),
    ("Écrivez-nous sur WhatsApp au +33 6 12 34 56 78.", True),
    ("Toutes les infos sur Telegram uniquement.", True),
    ("Apply here: https://t.me/jobs_hr_office", True),
    # the app as the product
    ("Build a Telegram bot that sends customers a message when their order ships.", False),
    ("Le bot doit répondre aux clients sur Telegram en français.", False),
    ("Integrate the WhatsApp Business API so agents can reply to customers on WhatsApp.", False),
    ("Audio signal processing in Python: filters and an FFT.", False),
])
def test_contact_only_through_a_messaging_app(text: str, expected: bool) -> None:
    assert ("screening.off_platform" in reasons(text)) is expected


def test_a_messaging_app_link_as_the_apply_url_counts() -> None:
    assert "screening.off_platform" in reasons("Data entry from home.", apply_url="https://wa.me/33612345678")


@pytest.mark.parametrize(("text", "expected"), [
    ("Your first task: buy Apple gift cards and send me photos of the codes.", "screening.payment_gift_card"),
    ("Vous serez payé en cartes cadeaux Amazon chaque semaine.", "screening.payment_gift_card"),
    ("Payment will be made in USDT only; send your wallet address.", "screening.payment_crypto"),
    ("Rémunération en bitcoin, versée chaque vendredi.", "screening.payment_crypto"),
    ("On vous paie en USDT chaque semaine.", "screening.payment_crypto"),
    ("We will mail you a check. Deposit it, keep $300 and send the rest to our vendor.", "screening.payment_cheque"),
    ("Vous recevrez un chèque : encaissez-le puis virez le surplus à notre fournisseur.", "screening.payment_cheque"),
    ("Nous vous enverrons un chèque de 2000 €, vous garderez 300 € et enverrez le reste.", "screening.payment_cheque"),
    ("Paiement par carte PCS ou Transcash uniquement.", "screening.payment_gift_card"),
    ("Forward the funds via Western Union, keeping 10%.", "screening.payment_wire"),
    ("Transférez les fonds par MoneyGram à notre bureau.", "screening.payment_wire"),
])
def test_payment_by_gift_card_crypto_wire_or_cheque_overpayment(text: str, expected: str) -> None:
    assert expected in reasons(text)


@pytest.mark.parametrize("text", [
    "Build a crypto price dashboard showing BTC and ETH from the CoinGecko API. Paid by bank transfer.",
    "Nous voulons intégrer le paiement en bitcoin (BTCPay) sur notre boutique.",
    "Set up a gift card plugin so customers can buy gift cards on our WooCommerce store.",
    "Check that the contact form works and fix the CSS.",
    "Payment by bank transfer on delivery.",
    "Paiement par chèque ou virement à la fin de la mission.",
    "We need a cheque printing feature in our accounting app, with the remaining balance on the stub.",
])
def test_crypto_and_gift_cards_as_the_product_are_no_payment_method(text: str) -> None:
    assert not {r for r in reasons(text) if r.startswith("screening.payment")}


@pytest.mark.parametrize(("text", "expected"), [
    ("To set up payroll, send a copy of your passport and your online banking login.", True),
    ("Provide your bank account number and routing number so we can send the advance.", True),
    ("Envoyez-nous une photo de votre carte d'identité et votre RIB.", True),
    ("Merci de nous communiquer votre numéro de carte bancaire pour vérifier votre identité.", True),
    ("Payment within 15 days of your invoice; include your IBAN on the invoice.", False),
    ("Paiement par virement à 30 jours, RIB à joindre à la facture.", False),
    ("Our reconciliation tool needs a CSV import with the IBAN and amount columns.", False),
])
def test_bank_or_id_details(text: str, expected: bool) -> None:
    assert ("screening.bank_or_id" in reasons(text)) is expected


@pytest.mark.parametrize(("text", "expected"), [
    ("Applicants must write an unpaid test article before we hire.", True),
    ("Redesign five screens; we only pay if we use your design.", True),
    ("The first week is unpaid training.", True),
    ("Un test gratuit de 3 articles est demandé avant toute collaboration.", True),
    ("Vous serez payé uniquement si nous retenons votre proposition.", True),
    ("Période d'essai non rémunérée de deux semaines.", True),
    ("We start with a paid test task of 2 hours at your rate.", False),
    ("Un petit test rémunéré (1 h, 40 €) avant la mission.", False),
    ("This is not an unpaid test: the trial is paid.", False),
    ("Set up the free trial flow of our SaaS with Stripe.", False),
])
def test_unpaid_test_work_before_hire(text: str, expected: bool) -> None:
    assert ("screening.unpaid_test" in reasons(text)) is expected


@pytest.mark.parametrize(("text", "expected"), [
    ("Earn $300 a day from home, guaranteed income.", {"screening.guaranteed_income"}),
    ("Act now: only 3 spots left!", {"screening.act_now"}),
    ("Gagnez 200 € par jour, revenus garantis.", {"screening.guaranteed_income"}),
    ("Agissez vite, places limitées !", {"screening.act_now"}),
    ("Urgent: our site is down, we need someone today.", set()),
    ("Limited budget, flexible deadline.", set()),
])
def test_guaranteed_income_or_act_now(text: str, expected: set[str]) -> None:
    assert reasons(text) & {"screening.guaranteed_income", "screening.act_now"} == expected


@pytest.mark.parametrize(("text", "url", "expected"), [
    ("Apply through our portal: https://bit.ly/3Kq9remote", None, "screening.shortened_link"),
    ("Formulaire ici : tinyurl.com/mission-saisie", None, "screening.shortened_link"),
    ("Accept the offer on the link.", "https://upwork-hiring-portal.com/offer/1", "screening.lookalike_link"),
    ("Payment through https://www.paypal-secure-payments.net/invoice", None, "screening.lookalike_link"),
    ("Sign up at https://paypa1.com/login", None, "screening.lookalike_link"),
    ("Acceptez la mission sur https://mаlt.fr/mission/1 (a cyrillique).", None, "screening.lookalike_link"),
    ("Accept the offer at https://upwrok.com/offer", None, "screening.lookalike_link"),
    ("Log in at https://xn--pypal-4ve.com", None, "screening.lookalike_link"),
])
def test_shortened_or_look_alike_links(text: str, url: str | None, expected: str) -> None:
    assert expected in reasons(text, apply_url=url)


@pytest.mark.parametrize(("text", "url"), [
    ("Apply on Upwork too.", "https://www.upwork.com/jobs/~01a2b3"),
    ("Profile on https://www.malt.fr/profile/someone and code on https://github.com/someone", None),
    ("Docs at https://someone.github.io/project and fonts from fonts.googleapis.com", None),
    ("Built with Node.js and Vue.js, deployed on ASP.NET.", None),
    ("Write to jobs@paypal-careers.example if needed.", None),
])
def test_real_domains_and_words_that_look_like_domains_are_no_link_finding(text: str, url: str | None) -> None:
    assert not reasons(text, apply_url=url) & {"screening.shortened_link", "screening.lookalike_link"}


@pytest.mark.parametrize(("text", "expected"), [
    ("@everyone new remote job!", {"screening.mass_ping"}),
    ("<!channel> mission ce week-end", {"screening.mass_ping"}),
    ("Hey @anna @mike.codes @sara_ux, paid tasks for you", {"screening.many_mentions"}),
    ("Ask @anna if unsure; email jobs@example.com", set()),
])
def test_mentions_and_pings(text: str, expected: set[str]) -> None:
    assert reasons(text) & {"screening.mass_ping", "screening.many_mentions"} == expected


def test_a_short_description_is_noted_but_publishes_alone() -> None:
    result = screen(GigText(title="Fix CSS", description="Menu overlaps the logo on phones."))
    assert [f.reason_key for f in result.findings] == ["screening.too_short"]
    assert result.tier == "publish" and result.score == 15


BOARD = History(budgets=[PastBudget(("wordpress",), cents * 100, "EUR") for cents in (150, 200, 250, 180, 300)])


@pytest.mark.parametrize(("top", "currency", "hourly", "fired"), [
    (90_000, "EUR", False, True),  # 900 EUR: 4.5 times the 200 EUR median
    (60_000, "EUR", False, False),  # exactly 3 times: not above
    (60_100, "EUR", False, True),
    (90_000, "USD", False, False),  # no history in USD
    (90_000, "EUR", True, False),  # no hourly history
])
def test_pay_far_above_the_median_of_the_tag(top: int, currency: str, hourly: bool, fired: bool) -> None:
    gig = GigText("Plugin update", "Update one plugin." + FILLER, ("wordpress",), top, top, currency, hourly)
    found = [f for f in screen(gig, BOARD).findings if f.rule == "pay_above"]
    assert bool(found) is fired
    if found:
        assert found[0].params["tag"] == "wordpress" and found[0].params["count"] == 5
        assert str(found[0].params["median"]) == "200"


def test_pay_above_needs_five_earlier_gigs_with_the_tag() -> None:
    small_board = History(budgets=list(BOARD.budgets)[:4])
    gig = GigText("Plugin update", "Update one plugin." + FILLER, ("wordpress",), 500_000, 500_000, "EUR")
    assert [f for f in screen(gig, small_board).findings if f.rule == "pay_above"] == []
    assert [f for f in screen(gig).findings if f.rule == "pay_above"] == []


RECENT = History(recent=[RecentGig(7, "Remote data entry assistant", "We are looking for reliable people to enter "
                                   "customer orders into our online system from home, weekly payment, no experience.")])


def test_the_same_text_under_another_title_is_found_and_measured() -> None:
    text = "We are looking for reliable people to enter customer orders into our online system from home, " \
           "weekly payment, no experience needed."
    found = [f for f in screen(GigText("Online typing job", text), RECENT).findings if f.rule == "duplicate"]
    assert [(f.params["id"], f.params["title"]) for f in found] == [(7, "Remote data entry assistant")]
    assert 70 <= found[0].params["percent"] < 100
    same_title = screen(GigText("Remote DATA entry assistant", text), RECENT)
    assert "duplicate" not in same_title.rules
    other_text = screen(GigText("Online typing job", "Enter our orders into the system. " + FILLER), RECENT)
    assert "duplicate" not in other_text.rules
