"""The outbox in SQL (``uow.outbox``): messages enqueued with the actions that permit them,
claimed under a lease, and brought to a final status by their outcomes and receipts.

Enqueueing is one INSERT … SELECT over the actions just stored (the decision seqs of a
batch are consecutive: the audit append holds the log's lock), inside the caller's
transaction: an action and its message commit together or not at all. Calls, field visits
and legal referrals become work items in the same statement's twin.

A claim moves due messages to ``sending`` with a lease and one more attempt, in one
UPDATE … RETURNING (``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so that two dispatchers
never take the same message; SQLite has one writer at a time). A message whose lease ran
out while ``sending`` — its dispatcher died between sending and recording — is claimed
again and resent under the same message id. Nothing here commits.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, bindparam, text

from arrears.adapters.store.bulk import as_date, as_utc, select_in, sql_value
from arrears.domain.compliance.facts import loan_file_person
from arrears.domain.messages import FINAL_STATUSES, Receipt

MESSAGE_CHANNELS = ("sms", "email", "letter")
# The queue each kind of work goes to (the desk, the field and legal screens read them).
QUEUE_OF_CHANNEL = {"call": "agent", "field_visit": "field", "legal_review": "legal"}

CLAIMED_COLUMNS = (
    "message_id", "action_id", "as_of", "loan_id", "borrower_id", "channel", "template", "arm",
    "priority", "attempts", "not_before", "language", "recipient", "subject", "body", "html",
    "headers", "encoding", "segments", "step",
)  # fmt: skip


_UNCHANGED: dict[str, Any] = dict.fromkeys(
    ("next_attempt_at", "provider", "provider_id", "decision_id", "rule_id", "last_error",
     "sent_at", "final_at"),
) | {"attempted": 0}  # fmt: skip


class SqlOutbox:
    def __init__(self, connection: Connection):
        self.connection = connection
        self.postgres = connection.dialect.name == "postgresql"

    def _value(self, value: date | datetime) -> Any:
        return sql_value(self.connection, value)

    # -- enqueueing -----------------------------------------------------------------------
    def enqueue(
        self, first_decision: int, last_decision: int, now: datetime, after_action: int = 0
    ) -> None:
        """Messages for the sms, e-mail and letter actions permitted or deferred by the
        decisions ``first_decision``…``last_decision``; work items for permitted calls,
        visits and legal referrals. A deferred message waits for its lawful moment, when
        the gate judges it again before it is sent. ``after_action``: an action id known
        to be older than the batch's, so that the actions are read from their key on, not
        found by scanning every action ever planned (their decision id has no index)."""
        day = "to_char(a.as_of, 'YYYYMMDD')" if self.postgres else "strftime('%Y%m%d', a.as_of)"
        channels = ", ".join(f"'{c}'" for c in MESSAGE_CHANNELS)
        bounds = {
            "first": first_decision, "last": last_decision, "now": self._value(now),
            "after": after_action,
        }  # fmt: skip
        self.connection.execute(
            text(
                "INSERT INTO message (message_id, action_id, as_of, loan_id, borrower_id, channel,"
                " template, arm, priority, status, attempts, not_before, next_attempt_at,"
                " created_at)"
                f" SELECT 'm:' || {day} || ':' || a.loan_id || ':' || a.step, a.action_id,"
                " a.as_of, a.loan_id, a.borrower_id, a.channel, a.template, a.arm, a.priority,"
                " 'queued', 0, COALESCE(a.not_before, a.earliest_at),"
                " COALESCE(a.not_before, a.earliest_at), :now FROM action a"
                " WHERE a.action_id > :after AND a.decision_id BETWEEN :first AND :last"
                f" AND a.channel IN ({channels}) AND a.status IN ('permitted', 'deferred')"
            ),
            bounds,
        )
        queue = " ".join(f"WHEN '{c}' THEN '{q}'" for c, q in QUEUE_OF_CHANNEL.items())
        work = ", ".join(f"'{c}'" for c in QUEUE_OF_CHANNEL)
        self.connection.execute(
            text(
                "INSERT INTO work_item (action_id, queue, as_of, loan_id, borrower_id, channel,"
                " step, priority, overdue_minor, permit_id, status, created_at)"
                f" SELECT a.action_id, CASE a.channel {queue} END, a.as_of, a.loan_id,"
                " a.borrower_id, a.channel, a.step, a.priority, a.overdue_minor, a.permit_id,"
                " 'open', :now FROM action a"
                " WHERE a.action_id > :after AND a.decision_id BETWEEN :first AND :last"
                f" AND a.channel IN ({work}) AND a.status = 'permitted'"
            ),
            bounds,
        )

    # -- claiming -------------------------------------------------------------------------
    def expire(self, cutoff: datetime, now: datetime) -> int:
        """Queued messages whose moment came before ``cutoff`` and never went: stale."""
        result = self.connection.execute(
            text(
                "UPDATE message SET status = 'expired', final_at = :now, lease_until = NULL,"
                " last_error = 'not sent in time: its day passed' WHERE status = 'queued'"
                " AND not_before < :cutoff"
            ),
            {"cutoff": self._value(cutoff), "now": self._value(now)},
        )
        return int(result.rowcount or 0)

    def claim(
        self, channel: str, now: datetime, limit: int, lease_until: datetime
    ) -> list[dict[str, Any]]:
        """Up to ``limit`` due messages of ``channel``, now leased to the caller."""
        lock = " FOR UPDATE SKIP LOCKED" if self.postgres else ""
        params = {
            "channel": channel, "now": self._value(now), "limit": limit,
            "lease": self._value(lease_until),
        }  # fmt: skip
        claimed = self.connection.execute(
            text(
                "UPDATE message SET status = 'sending', lease_until = :lease"
                " WHERE message_id IN ("
                " SELECT message_id FROM message WHERE channel = :channel AND"
                " ((status = 'queued' AND next_attempt_at <= :now)"
                " OR (status = 'sending' AND lease_until < :now))"
                f" ORDER BY priority DESC, next_attempt_at, message_id LIMIT :limit{lock})"
                " RETURNING message_id"
            ),
            params,
        ).scalars()
        ids = sorted(claimed)
        if not ids:
            return []
        rows = self.connection.execute(
            text(
                "SELECT m.message_id, m.action_id, m.as_of, m.loan_id, m.borrower_id, m.channel,"
                " m.template, m.arm, m.priority, m.attempts, m.not_before, m.language,"
                " m.recipient, m.subject, m.body, m.html, m.headers_json, m.encoding, m.segments,"
                " a.step"
                " FROM message m JOIN action a ON a.action_id = m.action_id"
                " WHERE m.message_id IN :ids ORDER BY m.priority DESC, m.message_id"
            ).bindparams(bindparam("ids", expanding=True)),
            {"ids": ids},
        )
        found = []
        for row in rows:
            item = dict(zip(CLAIMED_COLUMNS, row, strict=True))
            item["as_of"] = as_date(item["as_of"])
            item["not_before"] = as_utc(item["not_before"])
            item["headers"] = json.loads(item["headers"]) if item["headers"] else {}
            found.append(item)
        return found

    def people(self, message_ids: Sequence[str]) -> dict[str, dict[str, Any]]:
        """For each message, whom it goes to as the sender and the gate need them: the
        product, the purpose (a reminder while the loan is not late), the borrower's
        name, number, e-mail, language and zone, their flags (name, set at), and the
        person as the loan file has them — None when they hold a compliance profile,
        which the gate reads itself."""
        if not message_ids:
            return {}
        ids = bindparam("ids", expanding=True)
        rows = self.connection.execute(
            text(
                "SELECT m.message_id, m.borrower_id, l.product, l.currency,"
                " COALESCE(ls.dpd, 0), b.name, b.phone, b.email, b.language, b.timezone,"
                " cp.borrower_id IS NOT NULL FROM message m JOIN loan l ON l.loan_id = m.loan_id"
                " JOIN borrower b ON b.borrower_id = m.borrower_id"
                " LEFT JOIN loan_status ls ON ls.loan_id = m.loan_id"
                " LEFT JOIN compliance_profile cp ON cp.borrower_id = m.borrower_id"
                " WHERE m.message_id IN :ids"
            ).bindparams(ids),
            {"ids": list(message_ids)},
        ).all()
        flags: dict[str, list[tuple[str, datetime]]] = {}
        for borrower_id, flag, set_at in self.connection.execute(
            text(
                "SELECT f.borrower_id, f.flag, f.set_at FROM borrower_flag f WHERE f.borrower_id"
                " IN (SELECT borrower_id FROM message WHERE message_id IN :ids)"
                " ORDER BY f.borrower_id, f.flag"
            ).bindparams(ids),
            {"ids": list(message_ids)},
        ):
            flags.setdefault(borrower_id, []).append((flag, as_utc(set_at)))
        found = {}
        for (message_id, borrower_id, product, currency, dpd, name, phone, email, language,
             zone, has_profile) in rows:  # fmt: skip
            found[message_id] = {
                "product": product, "currency": currency,
                "purpose": "reminder" if int(dpd) == 0 else "collection",
                "name": name, "phone": phone, "email": email, "language": language,
                "timezone": zone, "flags": tuple(flags.get(borrower_id, ())),
                "person": None if has_profile else loan_file_person(
                    borrower_id, name, phone, email, zone, language),
            }  # fmt: skip
        return found

    def save_rendered(self, rows: Sequence[dict[str, Any]]) -> None:
        """The rendered text of claimed messages: a retry sends exactly these words."""
        if rows:
            stored = [
                {**row, "headers": json.dumps(row.get("headers") or {}, ensure_ascii=False)}
                for row in rows
            ]
            self.connection.execute(
                text(
                    "UPDATE message SET language = :language, recipient = :recipient,"
                    " subject = :subject, body = :body, html = :html, headers_json = :headers,"
                    " encoding = :encoding, segments = :segments WHERE message_id = :message_id"
                ),
                stored,
            )

    # -- recording outcomes ---------------------------------------------------------------
    def update(self, changes: Sequence[dict[str, Any]]) -> None:
        """Each change names a message and sets its status and what goes with it
        (keys: message_id, status, and any of next_attempt_at, provider, provider_id,
        decision_id, rule_id, last_error, sent_at, final_at, attempted — 1 when the
        change records a try at the provider)."""
        if not changes:
            return
        convert = self._value
        changes = [{**_UNCHANGED, **change} for change in changes]
        self.connection.execute(
            text(
                "UPDATE message SET status = :status, lease_until = NULL,"
                " attempts = attempts + :attempted,"
                " next_attempt_at = COALESCE(:next_attempt_at, next_attempt_at),"
                " provider = COALESCE(:provider, provider),"
                " provider_id = COALESCE(:provider_id, provider_id),"
                " decision_id = COALESCE(:decision_id, decision_id),"
                " rule_id = COALESCE(:rule_id, rule_id), last_error = :last_error,"
                " sent_at = COALESCE(:sent_at, sent_at), final_at = :final_at"
                " WHERE message_id = :message_id"
            ),
            [
                {
                    **change,
                    **{
                        key: convert(change[key]) if change.get(key) is not None else None
                        for key in ("next_attempt_at", "sent_at", "final_at")
                    },
                }
                for change in changes
            ],
        )

    def apply_receipts(
        self, provider: str | None, receipts: Sequence[Receipt]
    ) -> list[dict[str, Any]]:
        """Bring the messages the receipts name to their final status; returns the
        messages changed (message_id, action_id, status), for the contact history. A
        receipt for a message already final, or unknown, changes nothing. ``provider``
        None: the provider's id alone names the message (an e-mail's Message-ID)."""
        if not receipts:
            return []
        final = ", ".join(f"'{s}'" for s in FINAL_STATUSES)
        named = select_in(
            self.connection,
            "SELECT provider_id, message_id, action_id FROM message WHERE provider_id IN ({ids})"
            f" AND status NOT IN ({final})" + (" AND provider = {mark}" if provider else ""),
            sorted({r.provider_id for r in receipts}),
            after=(provider,) if provider else (),
        )
        found = {str(row[0]): (row[1], row[2]) for row in named}
        changed: dict[str, dict[str, Any]] = {}
        for receipt in receipts:  # in arrival order: the first receipt for a message settles it
            if receipt.provider_id not in found or found[receipt.provider_id][0] in changed:
                continue
            message_id, action_id = found[receipt.provider_id]
            delivered = receipt.status == "delivered"
            changed[message_id] = {
                "message_id": message_id, "action_id": action_id, "status": receipt.status,
                "at": self._value(receipt.at),
                "detail": None if delivered else receipt.detail or None,
            }  # fmt: skip
        if changed:
            self.connection.execute(
                text(
                    "UPDATE message SET status = :status, final_at = :at, last_error = :detail"
                    " WHERE message_id = :message_id"
                ),
                [{**c, "status": str(c["status"])} for c in changed.values()],
            )
        return list(changed.values())

    # -- the contact history -------------------------------------------------------------
    def record_sent(self, message_ids: Sequence[str], now: datetime) -> None:
        """A contact attempt for each message the provider took (outcome ``sent``), so the
        gate counts it toward the caps and the cycle sees the borrower was written to."""
        if message_ids:
            self.connection.execute(
                text(
                    "INSERT INTO contact_attempt (borrower_id, loan_id, channel, direction,"
                    " party, outcome, attempted_at, recorded_at, action_id, arm, address,"
                    " made_by) SELECT borrower_id, loan_id, channel, 'outbound', 'borrower',"
                    " 'sent', sent_at, :now, action_id, arm, recipient, 'lender' FROM message"
                    " WHERE message_id IN :ids ORDER BY message_id"
                ).bindparams(bindparam("ids", expanding=True)),
                {"ids": list(message_ids), "now": self._value(now)},
            )

    def record_receipts(self, changed: Sequence[dict[str, Any]], now: datetime) -> None:
        """The attempt of each message a receipt settled takes the receipt's outcome
        (undelivered texts do not count toward the caps)."""
        outcome = {"delivered": "delivered", "undeliverable": "undeliverable",
                   "expired": "undeliverable", "bounced": "undeliverable"}  # fmt: skip
        rows = [
            {"action_id": c["action_id"], "outcome": outcome[str(c["status"])],
             "now": self._value(now)}
            for c in changed
            if str(c["status"]) in outcome
        ]  # fmt: skip
        if rows:
            self.connection.execute(
                text(
                    "UPDATE contact_attempt SET outcome = :outcome, recorded_at = :now"
                    " WHERE action_id = :action_id AND outcome = 'sent'"
                ),
                rows,
            )

    # -- replies and opt-outs -------------------------------------------------------------
    def borrowers_by_phone(self, numbers: Sequence[str]) -> dict[str, str]:
        """The borrower holding each number (as stored; the first by id if several)."""
        if not numbers:
            return {}
        rows = self.connection.execute(
            text(
                "SELECT phone, MIN(borrower_id) FROM borrower WHERE phone IN :numbers"
                " GROUP BY phone"
            ).bindparams(bindparam("numbers", expanding=True)),
            {"numbers": list(numbers)},
        )
        return {str(phone): str(borrower_id) for phone, borrower_id in rows}

    def profiles_with_opt_outs(self) -> list[dict[str, Any]]:
        """Compliance profiles holding an opt-out or a reply (their JSON, parsed)."""
        rows = self.connection.execute(
            text(
                "SELECT profile_json FROM compliance_profile WHERE profile_json LIKE"
                " '%opt_outs%' OR profile_json LIKE '%inbound_messages%'"
            )
        ).scalars()
        return [json.loads(row) for row in rows]

    # -- reading --------------------------------------------------------------------------
    def listing(
        self,
        status: str | None = None,
        loan_id: str | None = None,
        channel: str | None = None,
        limit: int | None = 50,
        message_id: str | None = None,
    ) -> list[dict[str, Any]]:
        """Messages, newest day first."""
        where, params = _filters(
            status=status, loan_id=loan_id, channel=channel, message_id=message_id
        )
        rows = self.connection.execute(
            text(
                "SELECT message_id, as_of, loan_id, channel, template, language, recipient,"
                " status, attempts, subject, body, html, encoding, segments, provider, provider_id,"
                " rule_id, last_error, sent_at, final_at FROM message"
                f"{where} ORDER BY as_of DESC, channel, message_id"
                + (" LIMIT :limit" if limit else "")
            ),
            {**params, "limit": limit},
        )
        listed = [dict(row._mapping) for row in rows]
        for item in listed:
            item["as_of"] = as_date(item["as_of"])
            for key in ("sent_at", "final_at"):
                item[key] = as_utc(item[key]) if item[key] else None
        return listed

    def statistics(self, first: date | None, last: date | None) -> list[tuple[Any, ...]]:
        """Messages by day, channel, template and status, with counts."""
        where, params = _filters(first=first, last=last, value=self._value)
        rows = self.connection.execute(
            text(
                "SELECT as_of, channel, COALESCE(template, ''), status, COUNT(*) FROM message"
                f"{where} GROUP BY as_of, channel, template, status"
                " ORDER BY as_of, channel, template, status"
            ),
            params,
        )
        return [(as_date(r[0]), r[1], r[2], r[3], int(r[4])) for r in rows]

    def status_counts(self) -> dict[str, int]:
        rows = self.connection.execute(text("SELECT status, COUNT(*) FROM message GROUP BY status"))
        return {str(status): int(count) for status, count in rows}

    def work_counts(self) -> dict[tuple[str, str], int]:
        rows = self.connection.execute(
            text("SELECT queue, status, COUNT(*) FROM work_item GROUP BY queue, status")
        )
        return {(queue, status): int(count) for queue, status, count in rows}


def _filters(
    *,
    status: str | None = None,
    loan_id: str | None = None,
    channel: str | None = None,
    message_id: str | None = None,
    first: date | None = None,
    last: date | None = None,
    value: Any = None,
) -> tuple[str, dict[str, Any]]:
    clauses, params = [], {}
    given_columns = (
        ("status", status), ("loan_id", loan_id), ("channel", channel), ("message_id", message_id)
    )  # fmt: skip
    for column, given in given_columns:
        if given:
            clauses.append(f"{column} = :{column}")
            params[column] = given
    if first is not None:
        clauses.append("as_of >= :first")
        params["first"] = value(first)
    if last is not None:
        clauses.append("as_of <= :last")
        params["last"] = value(last)
    return (" WHERE " + " AND ".join(clauses) if clauses else ""), params
