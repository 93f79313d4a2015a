"""Payment providers the borrower portal pays through (``services.portal_payments``)."""
