"""Bad input never gives a 500: every page, fed junk in its query string, answers 2xx, 3xx or 4xx."""

import pytest

JUNK = {"page": "abc", "unit": "x", "owner": "-1", "year": "9999999999", "quarter": "7", "sort": "drop table",
        "dir": "sideways", "status": "nope", "source": "??", "countdown": "soon", "category": "%", "q": "'\"<>",
        "stage": "nowhere", "view": "../../etc", "origin_type": "project", "origin_id": "zz", "lane": "x",
        "severity": "9", "overdue": "maybe", "round": "r", "batch": "\x00"}


@pytest.fixture
def demo(runner):
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output


def _plain_get_routes(app):
    for rule in app.url_map.iter_rules():
        if "GET" in rule.methods and not rule.arguments and not rule.endpoint.startswith("static"):
            yield rule.rule


@pytest.mark.parametrize("username", ["leader", "sec1", "member1"])
def test_no_page_breaks_on_junk_query_strings(app, client, demo, username):
    assert client.post("/login", data={"username": username, "password": "demo12345"}).status_code == 302
    failures = {}
    for url in _plain_get_routes(app):
        if url in ("/logout",):
            continue
        for params in ({}, JUNK):
            response = client.get(url, query_string=params)
            if response.status_code >= 500:
                failures[url] = response.status_code
            response = client.get(url, query_string=params, headers={"HX-Request": "true"})
            if response.status_code >= 500:
                failures[url + " (htmx)"] = response.status_code
    assert failures == {}
