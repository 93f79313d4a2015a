"""The web app: server-rendered pages for staff and borrowers, and the HTTP API."""
