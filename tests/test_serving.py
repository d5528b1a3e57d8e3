"""Serving the built SPA: hashed bundles pre-compressed and cached for a year, index.html never.

A small dist/ laid out as Vite lays it out is compressed by the build's own step
(frontend/scripts/compress-dist.mjs) and served through the middleware stack of the settings.
"""

import gzip
import hashlib
import os
import shutil
import subprocess
from pathlib import Path

import brotli
import pytest
from django.conf import settings as django_settings
from django.test import Client

COMPRESS_DIST = Path(django_settings.BASE_DIR) / "frontend" / "scripts" / "compress-dist.mjs"
BUNDLE = "/assets/index-Bx3k9_Az.js"
INDEX_HTML = (
    '<!doctype html><html lang="ko"><head><meta charset="UTF-8" /><title>papertrade</title>'
    f'<script type="module" crossorigin src="{BUNDLE}"></script></head>'
    '<body><div id="root"></div></body></html>\n'
)


def cache_directives(response) -> set[str]:
    return {part.strip() for part in response["Cache-Control"].split(",")}


@pytest.fixture
def dist(tmp_path, settings) -> Path:
    """A built SPA: index.html, a hashed bundle, an incompressible hashed file, an unhashed file."""
    root = tmp_path / "dist"
    (root / "assets").mkdir(parents=True)
    (root / "index.html").write_text(INDEX_HTML)
    (root / BUNDLE.lstrip("/")).write_text(
        "".join(f"export const tick{i} = {{ price: {i * 7919 % 100003}, side: 'buy' }};\n" for i in range(5000))
    )
    # JSON of random bytes' hex digests does compress; raw random bytes do not.
    (root / "assets" / "noise-AAAAAAAA.json").write_bytes(os.urandom(20_000))
    (root / "robots.txt").write_text("User-agent: *\nDisallow: /api/\n" * 100)
    node = shutil.which("node")
    assert node, "node is needed: `npm run build` runs this step (make test builds the SPA too)"
    subprocess.run([node, str(COMPRESS_DIST), str(root)], check=True, capture_output=True, timeout=60)
    settings.FRONTEND_DIST = root
    settings.WHITENOISE_ROOT = root
    return root


@pytest.fixture
def web(dist) -> Client:
    """A client whose middleware (WhiteNoise reads its root when built) sees the dist above."""
    return Client()


def test_the_build_step_writes_brotli_and_gzip_siblings_that_decompress_to_the_file(dist):
    bundle = (dist / BUNDLE.lstrip("/")).read_bytes()
    br = (dist / f"{BUNDLE.lstrip('/')}.br").read_bytes()
    gz = (dist / f"{BUNDLE.lstrip('/')}.gz").read_bytes()
    assert brotli.decompress(br) == bundle
    assert gzip.decompress(gz) == bundle
    assert len(br) < len(gz) < len(bundle) / 4
    # Nothing is written where compression saves nothing.
    assert not (dist / "assets" / "noise-AAAAAAAA.json.br").exists()
    assert not (dist / "assets" / "noise-AAAAAAAA.json.gz").exists()


@pytest.mark.parametrize(
    ("accept_encoding", "encoding"),
    [
        ("gzip, deflate, br, zstd", "br"),  # what Chromium sends
        ("br", "br"),
        ("gzip, deflate", "gzip"),
        ("gzip", "gzip"),
        ("identity", None),
        (None, None),
    ],
)
def test_a_hashed_bundle_is_served_per_accept_encoding_and_cached_for_a_year(web, dist, accept_encoding, encoding):
    headers = {} if accept_encoding is None else {"HTTP_ACCEPT_ENCODING": accept_encoding}
    response = web.get(BUNDLE, **headers)
    assert response.status_code == 200
    body = b"".join(response.streaming_content)
    original = (dist / BUNDLE.lstrip("/")).read_bytes()
    assert response.get("Content-Encoding") == encoding
    assert int(response["Content-Length"]) == len(body)
    decoded = {"br": brotli.decompress, "gzip": gzip.decompress, None: bytes}[encoding](body)
    assert hashlib.sha256(decoded).digest() == hashlib.sha256(original).digest()
    if encoding:
        assert len(body) < len(original) / 4
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Vary"] == "Accept-Encoding"
    assert cache_directives(response) == {"public", "max-age=31536000", "immutable"}


def test_an_incompressible_hashed_file_goes_out_as_it_is(web):
    response = web.get("/assets/noise-AAAAAAAA.json", HTTP_ACCEPT_ENCODING="gzip, deflate, br")
    assert response.status_code == 200
    assert "Content-Encoding" not in response
    assert len(b"".join(response.streaming_content)) == 20_000
    assert cache_directives(response) == {"public", "max-age=31536000", "immutable"}


def test_a_file_without_a_content_hash_is_not_cached_for_a_year(web):
    response = web.get("/robots.txt", HTTP_ACCEPT_ENCODING="gzip, deflate, br")
    assert response.status_code == 200
    assert response["Content-Encoding"] == "br"
    assert "immutable" not in cache_directives(response)
    assert "max-age=31536000" not in cache_directives(response)


@pytest.mark.parametrize("path", ["/", "/symbols/005930", "/portfolio", "/strategies?tab=runs"])
def test_index_html_and_client_routes_are_never_served_from_a_cache_unasked(web, path):
    response = web.get(path, HTTP_ACCEPT_ENCODING="gzip, deflate, br")
    assert response.status_code == 200
    assert b"".join(response.streaming_content).decode() == INDEX_HTML
    assert response["Content-Type"] == "text/html; charset=utf-8"
    assert "no-cache" in cache_directives(response)
    assert not any(d.startswith("max-age=") and d != "max-age=0" for d in cache_directives(response))


def test_index_html_by_its_own_name_is_not_cached_either(web):
    response = web.get("/index.html", HTTP_ACCEPT_ENCODING="gzip, deflate, br")
    assert response.status_code == 200
    assert brotli.decompress(b"".join(response.streaming_content)).decode() == INDEX_HTML
    assert cache_directives(response) == {"no-cache"}


def test_the_page_that_says_the_app_is_not_built_is_not_cached(tmp_path, settings):
    settings.FRONTEND_DIST = tmp_path / "missing"
    settings.WHITENOISE_ROOT = None
    response = Client().get("/symbols/005930")
    assert response.status_code == 200
    assert b"npm run build" in response.content
    assert cache_directives(response) == {"no-cache"}


def test_a_missing_bundle_is_a_404_not_the_spa(web):
    """A stale page asking for a bundle a newer build replaced must not get HTML as JavaScript."""
    assert web.get("/assets/index-ZZZZZZZZ.js").status_code == 404
