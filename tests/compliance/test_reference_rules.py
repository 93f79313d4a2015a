"""Every rule of the reference (docs/compliance.md, "Rules by regime") is in its pack."""

from __future__ import annotations

import pytest

from arrears.adapters.policy_files import parse_pack, read_pack_text

REFERENCE = {
    "us-regf": [
        "us.regf.inconvenient_time", "us.regf.ambiguous_location",
        "us.regf.designated_inconvenient", "us.regf.consent", "us.regf.place_of_employment",
        "us.regf.attorney_represented", "us.regf.cease_communication", "us.regf.medium_optout",
        "us.regf.electronic_optout_notice", "us.regf.call_frequency_7in7",
        "us.regf.post_conversation_7day", "us.regf.limited_content_message",
        "us.regf.mini_miranda", "us.regf.third_party", "us.regf.location_info",
        "us.regf.validation_timing", "us.regf.validation_content", "us.regf.validation_period",
        "us.regf.dispute_hold", "us.regf.passive_collection", "us.regf.time_barred",
        "us.regf.record_retention", "us.tcpa.cell_consent", "us.tcpa.residential_prerecorded",
        "us.tcpa.revocation",
    ],
    "cn": [
        "cn.contact_hours", "cn.voice_connected_cap", "cn.unanswered_attempt_cap",
        "cn.collection_interval", "cn.debtor_only", "cn.contact_when_unreachable",
        "cn.contact_script_limits", "cn.contact_refusal", "cn.identify_institution",
        "cn.prohibited_conduct", "cn.field_visit", "cn.recording", "cn.record_retention",
        "cn.outsourcing", "cn.hardship_installment", "cn.pipl.minimisation",
    ],
    "uk-conc": [
        "uk.conc.forbearance", "uk.conc.contact_times", "uk.conc.third_party_privacy",
        "uk.bs.standard", "uk.bs.mental_health",
    ],
}  # fmt: skip


@pytest.mark.parametrize("pack_name", sorted(REFERENCE))
def test_every_reference_rule_is_in_its_pack(pack_name: str) -> None:
    pack, findings = parse_pack(read_pack_text(pack_name))
    assert pack is not None, findings
    ids = {rule.id for rule in pack.rules}
    # a rule split in parts (e.g. its wording half) counts by its prefix
    missing = [
        i for i in REFERENCE[pack_name] if not any(x == i or x.startswith(i + ".") for x in ids)
    ]
    assert missing == []
