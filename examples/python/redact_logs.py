"""Keep card numbers, emails and phone numbers out of your logs: a logging.Filter redacts every
record before a handler writes it. Then reversible tokens: text sent to a model carries <CARD_1>
instead of the number, and the model's reply gets the real values back from the vault.

Run: python examples/python/redact_logs.py (after `pip install ./bindings-py`)
"""

import io
import logging

import xspense


class RedactFilter(logging.Filter):
    """Replaces what the redactor finds in a log record's message with placeholders."""

    def __init__(self):
        super().__init__()
        self.redactor = xspense.Redactor()  # placeholders such as [CARD] and [EMAIL]

    def filter(self, record):
        record.msg = self.redactor.redact(record.getMessage()).text
        record.args = None  # getMessage() has already put the arguments in
        return True


written = io.StringIO()  # stands in for your log file
handler = logging.StreamHandler(written)
handler.addFilter(RedactFilter())
log = logging.getLogger("payments")
log.addHandler(handler)
log.setLevel(logging.INFO)

log.info("refund failed for card %s, customer %s", "4111 1111 1111 1111", "ana@example.com")
print("log:     ", written.getvalue().strip())
assert written.getvalue() == "refund failed for card [CARD], customer [EMAIL]\n", written.getvalue()

# Tokens instead of placeholders, remembered in a vault: the model never sees the values.
redactor = xspense.Redactor(operator="token")
vault = xspense.TokenVault()
line = "refund 4111 1111 1111 1111 to ana@example.com, call +1 415 555 0132"
safe = redactor.redact(line, vault)
print("to model:", safe.text)
assert safe.text == "refund <CARD_1> to <EMAIL_1>, call <PHONE_1>", safe.text
assert [f.kind for f in safe.findings] == ["CREDIT_CARD", "EMAIL_ADDRESS", "PHONE_NUMBER"]

reply = "Refunded <CARD_1> and wrote to <EMAIL_1>."  # the model's answer uses the tokens
print("restored:", vault.restore(reply))
assert vault.restore(reply) == "Refunded 4111 1111 1111 1111 and wrote to ana@example.com."
