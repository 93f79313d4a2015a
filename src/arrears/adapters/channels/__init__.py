"""Channel adapters: the ways a message leaves (SMS over SMPP, e-mail over SMTP, letters as PDF)."""
