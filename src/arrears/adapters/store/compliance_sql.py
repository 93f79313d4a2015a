"""What the gate reads from the store: each borrower as a compliance ``Person`` and their
recent contact history, for a whole batch of proposals at once.

A borrower's person is built from the borrower row (phone, e-mail, zone, language) and,
where one was set, their compliance profile (holds, consents, opt-outs, preferences,
third parties, more numbers): the scenario format's ``borrower`` object, stored as JSON.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from functools import lru_cache
from typing import Any

import phonenumbers
from sqlalchemy import Connection, select

from arrears.adapters.scenario_files import parse_person
from arrears.adapters.store import tables as t
from arrears.adapters.store.bulk import as_utc, insert_rows, select_in, sql_value
from arrears.domain.compliance.facts import (
    Channel,
    Contact,
    Direction,
    Email,
    Outcome,
    Person,
    Phone,
    loan_file_person,
)
from arrears.domain.compliance.zones import place_number, remember_number_zones, unplaced
from arrears.domain.contacts import CONVERSATIONS
from arrears.domain.contacts import Outcome as Recorded
from arrears.domain.findings import Finding
from arrears.services.errors import InvalidInput

# Recorded outcomes as the rules count them: a conversation is any talk with a person;
# busy, switched off and disconnected never reached the dialled number (1006.14(b)(3)).
_OUTCOMES = {
    **{o: Outcome.CONVERSATION for o in CONVERSATIONS},
    Recorded.REFUSED: Outcome.REFUSED,
    Recorded.NO_ANSWER: Outcome.NO_ANSWER,
    Recorded.VOICEMAIL: Outcome.VOICEMAIL,
    Recorded.BUSY: Outcome.NOT_CONNECTED,
    Recorded.SWITCHED_OFF: Outcome.NOT_CONNECTED,
    Recorded.DISCONNECTED: Outcome.NOT_CONNECTED,
    Recorded.WRONG_NUMBER: Outcome.WRONG_NUMBER,
    Recorded.NOT_HOME: Outcome.NO_ANSWER,
    Recorded.WRONG_ADDRESS: Outcome.WRONG_NUMBER,
    Recorded.UNDELIVERABLE: Outcome.UNDELIVERABLE,
    Recorded.SENT: Outcome.SENT,
    Recorded.DELIVERED: Outcome.DELIVERED,
    Recorded.FAILED: Outcome.NOT_CONNECTED,
}


class SqlComplianceFacts:
    def __init__(self, connection: Connection):
        self.connection = connection

    def save_profile(self, borrower_id: str, profile: dict[str, Any], now: datetime) -> None:
        person, findings = parse_person({**profile, "id": borrower_id})
        if person is None:
            raise InvalidInput(_problems("the compliance profile is not valid", findings))
        p = t.compliance_profile
        text = json.dumps(profile, ensure_ascii=False, sort_keys=True)
        self.connection.execute(p.delete().where(p.c.borrower_id == borrower_id))
        self.connection.execute(
            p.insert().values(borrower_id=borrower_id, profile_json=text, updated_at=now)
        )

    def profile(self, borrower_id: str) -> dict[str, Any] | None:
        p = t.compliance_profile
        text = self.connection.execute(
            select(p.c.profile_json).where(p.c.borrower_id == borrower_id)
        ).scalar()
        return json.loads(text) if text else None

    def people(self, borrower_ids: Sequence[str]) -> dict[str, Person]:
        """Each borrower as the gate sees them."""
        rows = select_in(
            self.connection,
            "SELECT b.borrower_id, b.name, b.phone, b.email, b.timezone, b.language,"
            " p.profile_json FROM borrower b"
            " LEFT JOIN compliance_profile p ON p.borrower_id = b.borrower_id"
            " WHERE b.borrower_id IN ({ids})",
            borrower_ids,
        )
        people = {row[0]: _person(row) for row in rows}
        self.place_numbers({p.number for person in people.values() for p in person.phones})
        return people

    def place_numbers(self, numbers: set[str]) -> None:
        """Read where the numbers were placed; place the new ones and keep them."""
        numbers = unplaced(numbers)  # a long-running process holds most already
        if not numbers:
            return
        version = phonenumbers.__version__
        rows = select_in(
            self.connection,
            "SELECT number, zones FROM phone_zone WHERE number IN ({ids}) AND library = {mark}",
            sorted(numbers),
            after=(version,),
        )
        known = {row.number: tuple(z for z in row.zones.split(",") if z) for row in rows}
        new = {number: place_number(number) for number in numbers - known.keys()}
        if new:
            select_in(self.connection, "DELETE FROM phone_zone WHERE number IN ({ids})", list(new))
            insert_rows(
                self.connection, "phone_zone", ("number", "zones", "library"),
                [(number, ",".join(zones), version) for number, zones in new.items()],
            )  # fmt: skip
        remember_number_zones({**known, **new})

    def history(self, borrower_ids: Sequence[str], since: datetime) -> dict[str, list[Contact]]:
        """Each borrower's contacts from ``since`` on, oldest first."""
        rows = select_in(
            self.connection,
            "SELECT borrower_id, loan_id, channel, direction, party, outcome, attempted_at,"
            " address, made_by FROM contact_attempt WHERE borrower_id IN ({ids})"
            " AND attempted_at >= {mark} ORDER BY attempted_at, attempt_id",
            borrower_ids,
            after=(sql_value(self.connection, since),),
        )
        found: dict[str, list[Contact]] = {}
        for row in rows:
            found.setdefault(row[0], []).append(_contact(row))
        return found


def _problems(title: str, findings: Sequence[Finding]) -> str:
    return "; ".join([title, *(str(f) for f in findings)])


def _person(row: Any) -> Person:
    borrower_id, name, phone, email, zone, language, profile_json = row  # (plain tuple: fast)
    if not profile_json:  # most borrowers: only what the loan file holds
        return loan_file_person(borrower_id, name, phone, email, zone, language)
    person = _stored_person(borrower_id, name or "", language, zone, profile_json)
    numbers = {phone.number for phone in person.phones}
    extra_phones = (Phone(phone),) if phone and phone not in numbers else ()
    addresses = {email.address for email in person.emails}
    extra_emails = (Email(email),) if email and email not in addresses else ()
    if not extra_phones and not extra_emails:
        return person
    return Person(
        **{
            f: getattr(person, f)
            for f in Person.__dataclass_fields__
            if f not in ("phones", "emails")
        },
        phones=(*extra_phones, *person.phones),
        emails=(*extra_emails, *person.emails),
    )


# Stored text → enum member by dict: calling an Enum class per row costs more than the row.
_CHANNELS = {c.value: c for c in Channel}
_DIRECTIONS = {d.value: d for d in Direction}
_OUTCOME_OF_TEXT = {o.value: _OUTCOMES.get(o, Outcome.NO_ANSWER) for o in Recorded}


@lru_cache(maxsize=100_000)
def _stored_person(
    borrower_id: str, name: str, language: str | None, zone: str | None, profile_json: str
) -> Person:
    """A stored profile as a person (validated when it was set; read once per process)."""
    base: dict[str, Any] = json.loads(profile_json)
    base["id"] = borrower_id
    base.setdefault("name", name)
    if language and "language" not in base:
        base["language"] = language
    if zone and not base.get("zones"):
        base["zones"] = [zone]
    person, findings = parse_person(base)
    if person is None:  # stored profiles were checked on save; a broken one is a fault
        raise InvalidInput(_problems(f"borrower {borrower_id}: stored profile", findings))
    return person


def _contact(row: Any) -> Contact:
    _, loan_id, channel, direction, party, outcome, attempted_at, address, made_by = row
    return Contact(
        _CHANNELS[channel], as_utc(attempted_at), _OUTCOME_OF_TEXT[outcome],
        _DIRECTIONS[direction], None if party == "borrower" else party, address,
        (loan_id,) if loan_id else (), made_by,
    )  # fmt: skip
