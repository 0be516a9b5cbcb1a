"""Setting up the second factor: the QR code, the secret in groups, a code, the recovery codes."""
