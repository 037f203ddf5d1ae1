"""A policy that needs no model: PII is redacted and profanity (word list) removes a record."""

LIGHT_POLICY = """\
profiles:
  default:
    quotations: off
    training:
      pii: {action: redact, reason: personal data}
      lexicon: {action: block, reason: profanity}
"""
