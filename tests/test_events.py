"""In-Pod events: parsed from log lines, ordered on the node's one clock."""
from helpers.checks.events import Timeline, before, parse


def test_events_are_parsed_and_other_lines_skipped():
    events = parse(["app: line 1", "event 12.50 app exiting", "event 12.71 shipper SIGTERM"])
    timeline = Timeline(events)
    assert timeline.at("app", "exiting") == 12.5 and timeline.at("shipper", "SIGTERM") == 12.71
    assert timeline.at("shipper", "exiting") is None
    assert str(timeline) == "app exiting @12.50, shipper SIGTERM @12.71"


def test_before_needs_both_events():
    assert before(1.0, 2.0) and not before(2.0, 1.0) and not before(None, 1.0) and not before(1.0, 1.0)
