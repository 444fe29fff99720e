"""The desk's pages over HTTP on SQLite and Postgres: login, CSRF, escaping, triage forms."""

from __future__ import annotations

import re
from datetime import timedelta

from fastapi.testclient import TestClient

from api.app import create_app
from monitor.config import Settings
from monitor.db.repositories.users import hash_password
from monitor.runtime import Runtime
from tests.dashboard.conftest import login
from tests.desk_seed import NOW, Doc, make_key, seed, seed_alert

XSS_TITLE = '<script>window.__xss=1</script>Acme "quoted"'
XSS_TEXT = 'Acme <img src=x onerror="window.__xss=2"> rocks'


def _login_token(client: TestClient) -> str:
    return client.cookies.get("bm_login_csrf", path="/login") or ""


def _mention_state(client: TestClient, key: str, mention_id: int) -> str:
    response = client.get(f"/api/v1/mentions/{mention_id}",
                          headers={"Authorization": f"Bearer {key}"})
    state: str = response.json()["state"]
    return state


def test_pages_need_a_login_and_come_back_after_it(desk: TestClient, admin_key: str) -> None:
    first = desk.get("/trends?interval=week", follow_redirects=False)
    assert first.status_code == 303
    assert first.headers["location"] == "/login?next=%2Ftrends%3Finterval%3Dweek"
    desk.get("/login")
    token = _login_token(desk)
    response = desk.post("/login", follow_redirects=False, data={
        "login_token": token, "api_key": admin_key, "next": "/trends?interval=week"})
    assert response.headers["location"] == "/trends?interval=week"
    cookie = response.headers["set-cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie
    assert "Secure" not in cookie  # plain http in this test
    assert desk.get("/trends").status_code == 200


def test_wrong_credentials_and_forged_logins_are_refused(desk: TestClient, runtime: Runtime
                                                         ) -> None:
    desk.get("/login")
    token = _login_token(desk)
    wrong = desk.post("/login", data={"login_token": token, "api_key": "bm_nope"})
    assert wrong.status_code == 401
    assert "Wrong API key" in wrong.text
    key = make_key(runtime, ["read"])
    forged = desk.post("/login", data={"login_token": "guess", "api_key": key},
                       follow_redirects=False)
    assert forged.status_code == 401  # the login form's own CSRF token did not match
    offsite = desk.post("/login", follow_redirects=False, data={
        "login_token": _login_token(desk), "api_key": key,
        "next": "//evil.example/"})
    assert offsite.headers["location"] == "/"


def test_configured_users_log_in_with_a_password(settings: Settings, runtime: Runtime) -> None:
    users = [{"name": "omar", "password_hash": hash_password("correct horse"),
              "scopes": ["read"]}]
    configured = Settings(database=settings.database.model_dump(),
                          api={"users": users, "public_url": "https://desk.example"})
    with TestClient(create_app(configured, runtime), base_url="https://testserver") as client:
        client.get("/login")
        token = _login_token(client)
        bad = client.post("/login", data={"login_token": token, "username": "omar",
                                          "password": "wrong"})
        assert bad.status_code == 401
        good = client.post("/login", follow_redirects=False, data={
            "login_token": _login_token(client),
            "username": "omar", "password": "correct horse"})
        assert good.status_code == 303
        assert "Secure" in good.headers["set-cookie"]  # the desk is served over https


def test_security_headers_and_escaping(desk: TestClient, csrf: str, runtime: Runtime) -> None:
    seed(runtime, [Doc("x", NOW, title=XSS_TITLE, text=XSS_TEXT, author='<b onclick="x">bob',
                       snippet=XSS_TEXT, url="javascript:alert(1)",
                       thread_url="https://forum.example/t/1", thread_title="<i>Thread</i>")])
    page = desk.get("/inbox?state=all")
    assert page.status_code == 200
    csp = page.headers["content-security-policy"]
    assert "default-src 'self'" in csp
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert page.headers["x-frame-options"] == "DENY"
    html = page.text
    assert "<script>window.__xss" not in html
    assert "&lt;script&gt;window.__xss=1&lt;/script&gt;" in html
    assert "<img" not in html
    assert 'onerror="window' not in html
    assert "<b onclick" not in html
    assert 'href="javascript:' not in html
    assert 'rel="noopener noreferrer ugc"' in html
    assert "<mark>Acme</mark>" in html  # the match is marked after escaping
    assert re.search(r"<script[^>]*>[^<]", html) is None  # no inline script at all


def test_inbox_filters_tabs_and_new_since_last_visit(desk: TestClient, csrf: str,
                                                     runtime: Runtime) -> None:
    seed(runtime, [Doc("a", NOW, title="Grinder noise", brands={"Acme": "negative"}),
                   Doc("b", NOW - timedelta(hours=1), title="Lovely crema",
                       brands={"Acme": "positive"})])
    html = desk.get("/inbox?sentiment=negative").text
    assert "Grinder noise" in html
    assert "Lovely crema" not in html
    assert re.search(r"New <span class=\"count\">1</span>", html)
    junk = desk.get("/inbox?sentiment=furious&since=yesterday&state=bogus")
    assert junk.status_code == 200  # a bad filter is dropped with a notice, not an error page
    assert "Ignored sentiment" in junk.text


def test_unscored_mentions_show_their_language(desk: TestClient, csrf: str,
                                               runtime: Runtime) -> None:
    seed(runtime, [Doc("a", NOW, title="Servizio pessimo", brands={"Acme": "unscored"},
                       language="it"),
                   Doc("b", NOW - timedelta(hours=1), title="??", brands={"Acme": "unscored"},
                       language=None)])
    html = desk.get("/inbox?sentiment=unscored").text
    assert "unscored (it)" in html
    assert "unscored (language unknown)" in html


def test_a_two_brand_comment_is_one_inbox_entry_with_both_chips(desk: TestClient, csrf: str,
                                                                runtime: Runtime) -> None:
    seed(runtime, [Doc("a", NOW, title="Acme versus Globex",
                       brands={"Acme": "negative", "Globex": "positive"})])
    html = desk.get("/inbox").text
    assert html.count('<li class="mention ') == 1
    chips = re.findall(r'class="brand-chip sentiment-(\w+)" title="(\w+):', html)
    assert chips == [("negative", "Acme"), ("positive", "Globex")]
    assert "↩ Needs reply" in html
    assert "Ignored brand" in desk.get("/inbox?brand=Initech").text


def test_triage_forms_need_the_csrf_token(desk: TestClient, csrf: str, admin_key: str,
                                          runtime: Runtime) -> None:
    ids = seed(runtime, [Doc("a", NOW), Doc("b", NOW)])
    url = f"/mentions/{ids['a']}/triage"
    refused = desk.post(url, data={"action": "state:seen"}, headers={"Accept": "text/html"})
    assert refused.status_code == 403
    assert "expired" in refused.text
    assert _mention_state(desk, admin_key, ids["a"]) == "new"
    done = desk.post(url, data={"action": "state:seen", "csrf_token": csrf, "back": "state=new"},
                     follow_redirects=False)
    assert done.status_code == 303
    assert done.headers["location"] == "/inbox?state=new"
    assert _mention_state(desk, admin_key, ids["a"]) == "seen"
    desk.post("/inbox/bulk", data={"action": "state:needs_reply", "csrf_token": csrf,
                                   "ids": [str(ids["a"]), str(ids["b"])]})
    assert _mention_state(desk, admin_key, ids["b"]) == "needs_reply"
    desk.post("/inbox/bulk", data={"action": "snooze:1d", "csrf_token": csrf,
                                   "all_matching": "1", "back": "state=needs_reply"})
    assert _mention_state(desk, admin_key, ids["a"]) == "snoozed"


def test_mention_page_notes_tags_and_mute(desk: TestClient, csrf: str, admin_key: str,
                                          runtime: Runtime) -> None:
    ids = seed(runtime, [
        Doc("p", NOW - timedelta(hours=1), title="Which machine?", text="Acme or not?",
            author="troll"),
        Doc("c", NOW, kind="comment", text="Acme is bad, buy mine", author="troll",
            parent_key="p", thread_url="https://forum.example/t/p",
            thread_title="Which machine?")])
    page = desk.get(f"/mentions/{ids['c']}").text
    assert "troll wrote" in page
    assert "Acme or not?" in page
    desk.post(f"/mentions/{ids['c']}/notes", data={"csrf_token": csrf, "body": "Known troll"})
    desk.post(f"/mentions/{ids['c']}/tags", data={"csrf_token": csrf, "tags": "spam, Troll"})
    page = desk.get(f"/mentions/{ids['c']}?mute=author").text
    assert "Known troll" in page
    assert 'value="spam, troll"' in page
    assert re.search(r'class="would-hide">2<', page)
    desk.post(f"/mentions/{ids['c']}/mute", data={"csrf_token": csrf, "kind": "author",
                                                   "hide_past": "1"})
    assert "Nothing here" in desk.get("/inbox").text
    muted = desk.get("/muted").text
    exclusion_id = re.search(r'action="/muted/(\d+)/delete"', muted).group(1)  # type: ignore[union-attr]
    desk.post(f"/muted/{exclusion_id}/delete", data={"csrf_token": csrf})
    assert "Which machine?" in desk.get("/inbox").text


def test_saved_views(desk: TestClient, csrf: str) -> None:
    desk.post("/views", data={"csrf_token": csrf, "name": "Negative Acme",
                              "back": "brand=Acme&sentiment=negative&cursor=abc"})
    html = desk.get("/inbox").text
    assert "Negative Acme" in html
    assert "/inbox?brand=Acme&amp;sentiment=negative" in html
    view_id = re.search(r'action="/views/(\d+)/delete"', html).group(1)  # type: ignore[union-attr]
    desk.post(f"/views/{view_id}/delete", data={"csrf_token": csrf})
    assert "Negative Acme" not in desk.get("/inbox").text


def test_trends_page_draws_charts(desk: TestClient, csrf: str, runtime: Runtime) -> None:
    seed(runtime, [Doc("a", NOW - timedelta(days=1), brands={"Acme": "negative"}),
                   Doc("b", NOW - timedelta(days=2), brands={"Acme": "positive",
                                                              "Globex": "neutral"})])
    html = desk.get("/trends?interval=day&since=2026-11-10&until=2026-11-21").text
    assert '<svg class="chart"' in html
    assert 'class="bar bar-neg"' in html
    assert 'class="bar bar-pos"' in html
    assert "Share of voice" in html
    assert "Globex" in html
    assert desk.get("/trends?interval=hour&since=2000-01-01").status_code == 200  # a notice


def test_sources_and_brands_pages(desk: TestClient, csrf: str, runtime: Runtime) -> None:
    seed(runtime, [Doc("a", NOW, text="Initech printers")])
    html = desk.get("/sources").text
    assert "Coffee forum" in html
    assert "pending" in html
    response = desk.post("/sources/new", data={
        "csrf_token": csrf, "name": "Brew", "url": "https://brew.example/feed",
        "interval_minutes": "15"}, follow_redirects=False)
    assert response.status_code == 303
    assert "https://brew.example/feed" in desk.get("/sources").text
    bad = desk.post("/sources/new", headers={"Accept": "text/html"}, data={
        "csrf_token": csrf, "url": "ftp://nope"})
    assert bad.status_code == 422
    assert "http" in bad.text
    desk.post("/brands/new", data={"csrf_token": csrf, "name": "Initech", "query": "Initech"})
    brand_id = re.search(r'href="/brands/(\d+)">', desk.get("/sources").text)
    assert brand_id is not None
    preview = desk.get(f"/brands/{brand_id.group(1)}?try_query=printers").text
    assert "in the last 30 days" in preview


def test_a_read_only_login_sees_no_forms_and_cannot_post(desk: TestClient, runtime: Runtime
                                                         ) -> None:
    ids = seed(runtime, [Doc("a", NOW)])
    token = login(desk, api_key=make_key(runtime, ["read"]))
    assert "Add source" not in desk.get("/sources").text
    refused = desk.post(f"/mentions/{ids['a']}/triage", headers={"Accept": "text/html"},
                        data={"csrf_token": token, "action": "state:seen"})
    assert refused.status_code == 403


def test_logout_ends_the_session(desk: TestClient, csrf: str) -> None:
    assert desk.post("/logout", data={"csrf_token": csrf}, follow_redirects=False
                     ).status_code == 303
    assert desk.get("/inbox", follow_redirects=False).status_code == 303


def test_alert_feed_and_alert_page(desk: TestClient, csrf: str, runtime: Runtime) -> None:
    ids = seed(runtime, [Doc("a", NOW, title="Recall <b>now</b>")])
    alert_id = seed_alert(runtime, title="Acme <i>spike</i>", severity="critical",
                          deliveries=("slack:sent",),
                          samples=[{"mention_id": ids["a"], "url": "javascript:alert(1)",
                                    "title": "Recall <b>now</b>", "snippet": "<img src=x>",
                                    "source_name": "Coffee forum", "author": "nadia",
                                    "at": NOW.isoformat(), "label": "negative"}])
    feed = desk.get("/alerts?severity=critical").text
    assert "Acme &lt;i&gt;spike&lt;/i&gt;" in feed
    assert 'class="badge severity severity-critical"' in feed
    assert "Nothing" not in desk.get("/alerts?cursor=@@junk").text  # bad cursor: first page
    page = desk.get(f"/alerts/{alert_id}").text
    assert f'href="/mentions/{ids["a"]}"' in page
    assert "&lt;img src=x&gt;" in page
    assert 'href="javascript:' not in page
    assert "slack" in page
    assert "42 in an hour; usually about 6 an hour (7.0×)" in page  # figures in words
    assert "about one in 10,000 by chance" in page
    assert "Observed" not in page
    desk.post(f"/alerts/{alert_id}/ack", data={"csrf_token": csrf})
    assert "Acknowledged 20" in desk.get(f"/alerts/{alert_id}").text
    desk.post(f"/alerts/{alert_id}/resolve", data={"csrf_token": csrf})
    assert "Resolved 20" in desk.get(f"/alerts/{alert_id}").text
    assert desk.post(f"/alerts/{alert_id}/delete", data={"csrf_token": csrf}).status_code == 422


def test_opml_import_export_and_suggestions_pages(desk: TestClient, csrf: str,
                                                   runtime: Runtime) -> None:
    seed(runtime, [Doc("a", NOW, text="Acme https://coffee-news.example/x"),
                   Doc("b", NOW, text="Acme https://coffee-news.example/y")])
    opml = (b'<opml version="2.0"><body><outline type="rss" text="Brew &lt;b&gt;" '
            b'xmlUrl="https://brew.example/feed"/><outline xmlUrl="ftp://nope"/>'
            b'<outline xmlUrl="https://forum.example/latest.rss"/></body></opml>')
    page = desk.post("/sources/import", data={"csrf_token": csrf},
                     files={"opml": ("feeds.opml", opml, "text/x-opml")})
    assert page.status_code == 200, page.text
    assert "1 added, 1 duplicates, 1 refused" in page.text
    assert "Brew &lt;b&gt;" in page.text
    forged = desk.post("/sources/import", data={"csrf_token": "nope"},
                       files={"opml": ("feeds.opml", opml, "text/x-opml")})
    assert forged.status_code == 403
    exported = desk.get("/sources/export.opml")
    assert 'xmlUrl="https://brew.example/feed"' in exported.text
    assert exported.headers["content-type"].startswith("text/x-opml")
    suggestions = desk.get("/sources/suggestions").text
    assert "coffee-news.example" in suggestions
    assert 'value="https://coffee-news.example/"' in suggestions


def test_thread_page_lists_every_comment_and_follows_and_mutes(
    desk: TestClient, csrf: str, runtime: Runtime
) -> None:
    url = "https://forum.example/t/9"
    ids = seed(runtime, [
        Doc("post", NOW - timedelta(hours=3), title="Espresso?", text="Acme or Globex?",
            url=url, thread_url=url, thread_title="Espresso?"),
        Doc("c1", NOW - timedelta(hours=2), kind="comment", author="omar", url=url + "#1",
            text="No brand here <b>bold</b>", thread_url=url, parent_key="post", brands={}),
        Doc("c2", NOW - timedelta(hours=1), kind="comment", author="lena", url=url + "#2",
            text="Acme broke", thread_url=url, parent_key="c1", brands={"Acme": "negative"}),
    ])
    mention = desk.get(f"/mentions/{ids['c2']}").text
    thread_id = re.search(r'href="/threads/(\d+)" class="thread-link"', mention).group(1)  # type: ignore[union-attr]
    html = desk.get(f"/threads/{thread_id}").text
    assert html.count('<li class="thread-post') == 3
    assert re.findall(r'class="thread-post depth-(\d)', html) == ["0", "1", "2"]
    assert "&lt;b&gt;bold&lt;/b&gt;" in html
    assert 'title="Acme: negative"' in html
    trends = desk.get("/trends?interval=day&since=2026-11-10&until=2026-11-21").text
    assert f'href="/threads/{thread_id}" class="thread-link"' in trends  # not off-site
    followed = desk.post(f"/threads/{thread_id}/follow",
                         data={"csrf_token": csrf, "followed": "1"})
    assert "Stop following" in followed.text
    assert desk.post(f"/threads/{thread_id}/mute", data={"csrf_token": "x"}).status_code == 403
    desk.post(f"/threads/{thread_id}/mute", data={"csrf_token": csrf, "hide_past": "1"})
    assert "Espresso?" not in desk.get("/inbox").text


def test_every_trends_figure_links_to_its_mentions(desk: TestClient, csrf: str,
                                                   runtime: Runtime) -> None:
    long_topic = "espresso machine descaling and warranty questions"
    seed(runtime, [
        Doc("a", NOW - timedelta(days=1), title="Old grinder", brands={"Acme": "negative"},
            topics=[long_topic]),
        Doc("b", NOW - timedelta(days=3), title="Older crema", brands={"Globex": "positive"},
            source="https://www.reddit.com/r/espresso/.rss"),
    ])
    html = desk.get("/trends?interval=day&since=2026-11-10&until=2026-11-21").text
    links = [link.replace("&amp;", "&") for link in re.findall(r'href="(/inbox\?[^"]+)"', html)]
    assert any("topic=espresso+machine+descaling" in link for link in links)
    assert long_topic.split()[-1] in html  # the label wraps; nothing is clipped with "…"
    assert "descaling and…" not in html
    by_source = [link for link in links if re.search(r"[?&]source=\d", link)]
    pages = {("Old grinder" in p, "Older crema" in p) for p in map(
        lambda link: desk.get(link).text, by_source)}
    assert pages == {(True, False), (False, True)}  # each source's link shows its own
    day = next(link for link in links if "since=2026-11-19T00" in link)
    page = desk.get(day).text
    assert "Old grinder" in page
    assert "Older crema" not in page
    assert "/api/v1/trends.csv?" in html
    assert "/api/v1/mentions.csv?" in html


def test_an_alert_page_leads_to_exactly_its_mentions(desk: TestClient, csrf: str,
                                                    runtime: Runtime) -> None:
    seed(runtime, [Doc("in", NOW - timedelta(minutes=5), title="Inside the spike"),
                   Doc("out", NOW - timedelta(hours=3), title="Long before it")])
    alert_id = seed_alert(runtime, title="Acme spike", created_at=NOW)
    seed_alert(runtime, title="Coffee forum failing", brand=None, created_at=NOW)
    page = desk.get(f"/alerts/{alert_id}").text
    link = re.search(r'class="alert-mentions" href="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    inbox = desk.get(link.replace("&amp;", "&")).text
    assert "Inside the spike" in inbox
    assert "Long before it" not in inbox
    assert "exactly the mentions behind" in inbox
    feed = desk.get("/alerts?brand=Acme").text
    assert "hides 1 alert about no brand" in feed
