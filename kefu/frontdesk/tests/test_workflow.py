from kefu.core.workflow import Refusal
from kefu.frontdesk.workflow import TABLE


def test_the_table_reads_as_the_lifecycle():
    assert TABLE.names == ("approve", "scan", "cancel")
    assert TABLE.check(action="approve", status="requested", role="steward") is None
    assert TABLE.check(action="approve", status="requested", role="agent") is Refusal.ROLE
    assert TABLE.check(action="scan", status="requested", role="agent") is Refusal.STATE
    assert TABLE.check(action="scan", status="approved", role="agent") is None
    assert TABLE.check(action="scan", status="approved", role="vendor") is Refusal.ROLE
    assert TABLE.check(action="cancel", status="used", role="supervisor") is Refusal.STATE
    assert TABLE.target_status(action="scan", status="approved") == "used"
    assert TABLE.missing_fields(action="cancel", data={"reason": "  "}) == ["reason"]
    assert TABLE.allowed(status="requested", role="steward") == ["approve", "cancel"]
    assert TABLE.allowed(status="approved", role="agent") == ["scan", "cancel"]
