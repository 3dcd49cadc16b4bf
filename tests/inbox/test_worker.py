"""The background worker: its queue, its schedule in the offices' zone, its periodic tasks."""

from datetime import date, datetime

from tracker import schedule, worker


def test_tests_run_tasks_at_once(app):
    assert worker.huey.immediate


def test_the_daily_reminders_run_at_eight_in_shanghai_whatever_the_server_zone():
    at_eight = worker.local_crontab(minute="0", hour="8")
    assert at_eight(datetime(2026, 12, 1, 0, 0))  # 00:00 UTC is 08:00 in Shanghai
    assert not at_eight(datetime(2026, 12, 1, 8, 0))


def test_recurring_generation_runs_for_the_periods_starting_that_day():
    assert schedule.periods_starting(date(2027, 1, 1)) == ["2027-01", "2027Q1", "2027"]
    assert schedule.periods_starting(date(2026, 4, 1)) == ["2026-04", "2026Q2"]
    assert schedule.periods_starting(date(2026, 5, 1)) == ["2026-05"]
    assert schedule.periods_starting(date(2026, 4, 2)) == []


def test_the_periodic_tasks_call_the_commands_operations(app, monkeypatch):
    from tracker.ledger import operations_reminders as ledger_ops
    from tracker.projects import operations_assignment as project_ops

    asked = []
    monkeypatch.setattr(ledger_ops, "send_reminders", lambda actor, today: asked.append(("remind", today)) or [1, 2])
    monkeypatch.setattr(project_ops, "generate_recurring", lambda actor, period: asked.append(("generate", period)) or [1])
    with app.app_context():
        assert schedule.daily_reminders.call_local(date(2026, 12, 3)) == 2
        assert schedule.recurring_projects.call_local(date(2026, 10, 1)) == 2
    assert asked == [("remind", date(2026, 12, 3)), ("generate", "2026-10"), ("generate", "2026Q4")]


def test_the_worker_command_refuses_when_tasks_run_at_once(runner):
    result = runner.invoke(args=["worker"])
    assert result.exit_code != 0 and "immediately" in result.output
