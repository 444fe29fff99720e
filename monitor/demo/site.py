"""A small sample site on loopback: a WordPress-style blog and a Blogger-style blog."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

from monitor.demo.content import BEAN_NEWS, BREW_BLOG, DemoComment, DemoPost

TEMPLATES = Path(__file__).parent / "templates"
GUID_BASE = "https://brew.example"  # GUIDs stay the same whichever port the demo runs on


@dataclass(frozen=True)
class Page:
    content_type: str
    body: bytes


def _env() -> Environment:
    return Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html", "xml"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )


def _comment_view(comment: DemoComment, now: datetime, children: list[Any]) -> dict[str, Any]:
    moment = now - timedelta(hours=comment.age_hours)
    return {
        "id": comment.id, "author": comment.author, "text": comment.text,
        "parent": comment.parent, "children": children,
        "date_iso": moment.isoformat(timespec="seconds").replace("+00:00", "Z"),
        "date_rfc822": format_datetime(moment, usegmt=True),
    }


def _post_view(post: DemoPost, now: datetime) -> dict[str, Any]:
    moment = now - timedelta(hours=post.age_hours)
    views: dict[int, dict[str, Any]] = {}
    for comment in post.comments:
        views[comment.id] = _comment_view(comment, now, [])
    for comment in post.comments:
        if comment.parent is not None:
            views[comment.parent]["children"].append(views[comment.id])
    return {
        "id": post.id, "slug": post.slug, "title": post.title, "author": post.author,
        "paragraphs": post.paragraphs, "comments": list(views.values()),
        "top_comments": [v for v in views.values() if v["parent"] is None],
        "date_iso": moment.isoformat(timespec="seconds").replace("+00:00", "Z"),
        "date_rfc822": format_datetime(moment, usegmt=True),
    }


def render_site(base: str, now: datetime, *, with_late_posts: bool = True) -> dict[str, Page]:
    """Every page of the demo site, by path."""
    env = _env()
    brew = [_post_view(p, now) for p in BREW_BLOG if with_late_posts or not p.late]
    beans = [_post_view(p, now) for p in BEAN_NEWS if with_late_posts or not p.late]
    common = {"base": base, "base_guid": GUID_BASE, "built": format_datetime(now, usegmt=True),
              "built_iso": now.isoformat(timespec="seconds")}
    pages = {
        "/brew/feed/": _xml(env, "wp_feed.xml", posts=brew, **common),
        "/beans/feeds/posts/default": _atom(env, "blogger_posts.xml", posts=beans, **common),
        "/robots.txt": Page("text/plain", b"User-agent: *\nDisallow: /wp-admin/\n"),
    }
    for post in brew:
        pages[f"/brew/{post['slug']}/"] = _html(env, "wp_post.html", post=post, **common)
        pages[f"/brew/{post['slug']}/feed/"] = _xml(env, "wp_comments.xml", post=post, **common)
    for post in beans:
        path = f"/beans/feeds/{post['id']}/comments/default"
        pages[path] = _atom(env, "blogger_comments.xml", post=post, **common)
    return pages


def _xml(env: Environment, name: str, **context: Any) -> Page:
    body = env.get_template(name).render(**context)
    return Page("application/rss+xml; charset=utf-8", body.encode())


def _atom(env: Environment, name: str, **context: Any) -> Page:
    body = env.get_template(name).render(**context)
    return Page("application/atom+xml; charset=utf-8", body.encode())


def _html(env: Environment, name: str, **context: Any) -> Page:
    return Page("text/html; charset=utf-8", env.get_template(name).render(**context).encode())


class DemoSite:
    """Serves the rendered site from a background thread on 127.0.0.1."""

    def __init__(self, port: int = 0, now: datetime | None = None, *,
                 hold_late_posts: bool = False) -> None:
        self._server = ThreadingHTTPServer(("127.0.0.1", port), _Handler)
        self.base_url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._now = now or datetime.now(UTC)
        self._publish(with_late_posts=not hold_late_posts)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def _publish(self, *, with_late_posts: bool) -> None:
        pages = render_site(self.base_url, self._now, with_late_posts=with_late_posts)
        self._server.pages = pages  # type: ignore[attr-defined]

    def publish_late_posts(self) -> None:
        """Put the posts held back at start-up on the site, as if just published."""
        self._publish(with_late_posts=True)

    def __enter__(self) -> DemoSite:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    @property
    def feed_urls(self) -> dict[str, str]:
        return {
            "The Brew Blog": f"{self.base_url}/brew/feed/",
            "Bean News": f"{self.base_url}/beans/feeds/posts/default",
        }


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        pages: dict[str, Page] = self.server.pages  # type: ignore[attr-defined]
        page = pages.get(self.path.split("?", 1)[0])
        if page is None:
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Type", page.content_type)
        self.send_header("Content-Length", str(len(page.body)))
        self.end_headers()
        self.wfile.write(page.body)

    def log_message(self, format: str, *args: Any) -> None:
        return
