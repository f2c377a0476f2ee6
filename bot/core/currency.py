"""Currencies: the ISO 4217 codes gigbot accepts and the symbols members type for them."""

from __future__ import annotations

SYMBOLS = {"€": "EUR", "$": "USD", "£": "GBP", "¥": "JPY", "₹": "INR"}
# currency words members write, lowercase, in English and French (and the ways Babel writes some symbols)
CURRENCY_WORDS = {
    "euro": "EUR", "euros": "EUR", "dollar": "USD", "dollars": "USD", "us$": "USD", "$us": "USD", "usd$": "USD",
    "ca$": "CAD", "$ca": "CAD", "c$": "CAD", "cad$": "CAD", "pound": "GBP", "pounds": "GBP", "£gb": "GBP",
    "livre": "GBP", "livres": "GBP", "yen": "JPY", "yens": "JPY", "rupee": "INR", "rupees": "INR", "roupie": "INR",
    "roupies": "INR",    "franc": "CHF", "francs": "CHF", "chf": "CHF",
}
# ISO 4217 codes of the currencies in use (funds, metals and test codes left out)
CURRENCIES = frozenset("""
AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BRL BSD BTN BWP BYN BZD CAD CDF CHF
CLP CNY COP CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD GNF GTQ GYD HKD HNL HTG
HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA
MKD MMK MNT MOP MRU MUR MVR MWK MXN MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD
RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT TND TOP TRY TTD TWD TZS UAH UGX
USD UYU UZS VES VND VUV WST XAF XCD XCG XOF XPF YER ZAR ZMW ZWG
""".split())
