"""The fast RSS path against feedparser on feedparser's own test corpus.

Every feed file of feedparser's test suite (``tests/`` of its source distribution: the
well-formed and ill-formed cases, encodings, entities, HTTP headers) is parsed twice by
``collectors.feeds.parse_feed``: once through feedparser only, once with the fast path
(``collectors.fastfeed``) first. For each file the report says whether the fast path
answered or fell back to feedparser, and, where it answered, whether the parsed feed and
the collector's documents (posts, comments, thread references) are identical. Any
difference is a failure (exit status 1): where the fast path cannot give what feedparser
gives it must fall back.

The corpus is not part of this repository. Give its directory with ``--corpus``
(the ``tests`` folder of an unpacked feedparser sdist), or let the script fetch the sdist of
the installed feedparser version into ``--cache`` (default ``~/.cache/brand-monitor``) with
pip, as one would by hand::

    python3 -m pip download --no-deps --no-binary :all: feedparser==6.0.14 -d /tmp/fp
    tar xzf /tmp/fp/feedparser-6.0.14.tar.gz -C /tmp/fp
    .venv/bin/python bench/feed_parser_parity.py --corpus /tmp/fp/feedparser-6.0.14/tests

The last line is JSON.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import re
import shutil
import subprocess
import sys
import tarfile
from collections.abc import Sequence
from importlib.metadata import version
from pathlib import Path

from collectors.document import Document, ThreadRef
from collectors.errors import ParseError
from collectors.fastfeed import parse_rss
from collectors.feeds import ParsedFeed, comment_documents, parse_feed, post_document
from collectors.rss import thread_ref

HEADER = re.compile(rb"^Header:\s+([^:]+):(.+)$", re.MULTILINE)


def locate_corpus(corpus: str | None, cache: Path) -> Path:
    if corpus:
        return Path(corpus)
    release = version("feedparser")
    tests = cache / f"feedparser-{release}" / "tests"
    if tests.is_dir():
        return tests
    cache.mkdir(parents=True, exist_ok=True)
    pips = [[sys.executable, "-m", "pip"], ["pip3"], ["pip"]]
    for pip in pips:
        if pip[0] != sys.executable and shutil.which(pip[0]) is None:
            continue
        done = subprocess.run([*pip, "download", "--no-deps", "--no-binary", ":all:",
                               f"feedparser=={release}", "-d", str(cache)],
                              capture_output=True, text=True, check=False)
        if done.returncode == 0:
            break
    archive = cache / f"feedparser-{release}.tar.gz"
    if not archive.is_file():
        sys.exit(f"feedparser {release}'s source distribution not found; download it with\n"
                 f"  python3 -m pip download --no-deps --no-binary :all: feedparser=={release}"
                 f" -d {cache}\nand run again (or pass --corpus DIR)")
    with tarfile.open(archive) as tar:
        tar.extractall(cache, filter="data")
    return tests


def headers_of(body: bytes) -> dict[str, str]:
    """The response headers feedparser's test server sends for a file."""
    headers = {k.decode().strip().lower(): v.decode().strip() for k, v in HEADER.findall(body)}
    headers.setdefault("content-type", "application/xml")
    return headers


Outcome = ParsedFeed | str  # the parsed feed, or the error it raised


def parse(body: bytes, url: str, headers: dict[str, str], *, fast_path: bool) -> Outcome:
    try:
        return parse_feed(body, url, headers, fast_path=fast_path)
    except ParseError as exc:
        return f"ParseError: {exc}"


def collector_view(outcome: Outcome) -> object:
    """What the collectors make of a parsed feed: posts with their thread references, and
    the comments (as a site-wide comment feed and as one post's comment feed)."""
    if isinstance(outcome, str):
        return outcome
    documents: list[Document | ThreadRef] = []
    comments = [e for e in outcome.entries if e.is_comment]
    if comments:
        documents += comment_documents(dataclasses.replace(outcome, entries=tuple(comments)))
    for entry in outcome.entries:
        if not entry.is_comment and (entry.guid or entry.link):
            post = post_document(entry)
            documents += [post, thread_ref(entry, post)]
    return documents, comment_documents(outcome)


def compare(files: Sequence[Path], root: Path) -> tuple[dict[str, int], list[str]]:
    answered, fell_back, differ = [], [], []
    for path in files:
        body = path.read_bytes()
        url = f"http://127.0.0.1:8097/{path.relative_to(root).as_posix()}"
        headers = headers_of(body)
        reference = parse(body, url, headers, fast_path=False)
        lowered = {**headers, "content-location": url}
        try:
            fast_answer = parse_rss(body, url, lowered) is not None
            fast = parse(body, url, headers, fast_path=True)
        except Exception as exc:  # a crash of the fast path is a difference too
            differ.append((path, f"{type(exc).__name__}: {exc}"))
            continue
        name = str(path.relative_to(root))
        if not fast_answer:
            fell_back.append(name)
        elif fast == reference and collector_view(fast) == collector_view(reference):
            answered.append(name)
        else:
            differ.append((path, f"fast {fast!r}\nfeedparser {reference!r}"))
    for path, why in differ:
        print(f"DIFFERS {path.relative_to(root)}\n  {why[:2000]}")
    report = {"files": len(files), "fast_identical": len(answered),
              "fell_back": len(fell_back), "differ": len(differ)}
    return report, sorted(answered)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", help="feedparser's tests directory")
    parser.add_argument("--cache", type=Path, default=Path.home() / ".cache" / "brand-monitor")
    parser.add_argument("--list", action="store_true", help="name the files the fast path read")
    args = parser.parse_args()
    root = locate_corpus(args.corpus, args.cache)
    files = sorted(p for p in root.rglob("*") if p.suffix in (".xml", ".rdf", ".atom", ".rss"))
    if not files:
        sys.exit(f"no feed files under {root}")
    report, identical = compare(files, root)
    if args.list:
        print("\n".join(f"fast path, identical: {name}" for name in identical))
    print(f"feedparser {version('feedparser')} corpus at {root}: {report['files']} files; "
          f"fast path answered and identical: {report['fast_identical']}; fell back to "
          f"feedparser: {report['fell_back']}; differ: {report['differ']}")
    print(json.dumps({"bench": "feed_parser_parity", "feedparser": version("feedparser"),
                      **report}))
    sys.exit(1 if report["differ"] else 0)


if __name__ == "__main__":
    main()
