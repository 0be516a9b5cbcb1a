"""The operators' second factor: TOTP codes (RFC 6238), recovery codes, enrolment and reset.

``codes`` holds the arithmetic (window, replay, recovery-code shape) with no
database; ``qr`` draws the enrolment QR code as text; ``factor`` holds the
rules that touch the database (enrol, check, reset, all audited). The secret
is encrypted by ``services.vault`` before it reaches a row and is never in a
DTO other than the one-time enrolment offer.
"""
