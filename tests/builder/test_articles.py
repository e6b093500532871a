"""Reading articles: formats, normalisation, ids, and every kind of bad input."""

from __future__ import annotations

import json
from pathlib import Path
import warnings

import pytest

from checkworthy.builder.articles import EmptyArticleWarning, IgnoredFileWarning, html_article, read_article_records, read_articles
from checkworthy.builder.split import split_article
from checkworthy.schemas.errors import InputError, InputFileNotFoundError, SchemaError
from checkworthy.schemas.io import atomic_write_jsonl, sha256_text


def test_txt_title_is_first_nonempty_line_and_text_keeps_it(write):
    path = write("news/a1.txt", "\n\nTalks resume in Vienna\n\nThe U.S. and Russia met.\n")
    [article] = read_articles([path])
    assert article.article_id == "a1"
    assert article.title == "Talks resume in Vienna"
    assert article.text.startswith("\n\nTalks resume in Vienna\n\nThe U.S.")
    assert article.text_sha256 == sha256_text(article.text)
    assert article.path == str(path)


def test_bom_and_crlf_are_normalised(write):
    path = write("a.txt", "\ufeffHeadline\r\n\r\nFirst line.\rSecond line.\r\n".encode("utf-8"))
    [article] = read_articles([path])
    assert article.text == "Headline\n\nFirst line.\nSecond line.\n"
    assert article.title == "Headline"


def test_directories_are_read_recursively_in_sorted_order_and_other_files_ignored(write, tmp_path):
    write("in/b.txt", "B title\n\nB body.")
    write("in/a.md", "# A title\n\nA **bold** [link](http://x.org) body.")
    write("in/sub/c.html", "<html><body><h1>C title</h1><p>C body.</p></body></html>")
    write("in/notes.json", '{"not": "an article"}')
    write("in/.hidden.txt", "Hidden\n\nNot read.")
    articles = read_articles(tmp_path / "in")
    assert [a.article_id for a in articles] == ["a", "b", "c"]
    assert articles[0].title == "A title"
    assert articles[0].text == "A title\n\nA bold link body."


def test_explicit_non_article_file_is_ignored_with_a_warning(write):
    path = write("notes.json", "{}")
    with pytest.warns(IgnoredFileWarning, match=r"notes\.json: not an article file"):
        assert read_articles([path]) == []


def test_gzipped_single_articles_are_read_as_the_file_inside(write, tmp_path):
    """A saved page ``story.html.gz`` (and ``.txt.gz``, ``.md.gz``) reads as ``story.html``:
    the same article, id from the name without both suffixes."""
    import gzip

    page = "<html lang='en'><body><h1>Talks resume</h1><p>Prices rose 4% in May. Officials said so.</p></body></html>"
    plain = write("plain/story.html", page)
    (tmp_path / "gz").mkdir()
    (tmp_path / "gz" / "story.html.gz").write_bytes(gzip.compress(page.encode("utf-8"), mtime=0))
    (tmp_path / "gz" / "note.txt.gz").write_bytes(gzip.compress(b"Bridge reopens\n\nThe bridge reopened in 1932.\n", mtime=0))
    [from_plain] = read_articles([plain])
    found = {a.article_id: a for a in read_articles([tmp_path / "gz"])}
    assert sorted(found) == ["note", "story"]
    assert (found["story"].text, found["story"].title, found["story"].language) == (from_plain.text, from_plain.title, "en")
    assert found["note"].title == "Bridge reopens"


@pytest.mark.parametrize(("charset", "meta"), [
    ("windows-1256", '<meta charset="windows-1256">'),
    ("iso-8859-6", '<meta http-equiv="Content-Type" content="text/html; charset=ISO-8859-6">'),
])
def test_a_page_saved_in_the_charset_it_declares_is_read_in_it(tmp_path, charset, meta):
    """An Arabic page saved in windows-1256 (not UTF-8) and declaring it is read as the same
    page in UTF-8 would be; one that declares nothing is refused, saying how to fix it."""
    page = (f"<html lang='ar'><head>{meta}<title>البطالة</title></head><body><h1>البطالة تنخفض</h1>"
            "<p>انخفض معدل البطالة في الأردن إلى 21 بالمئة في الربع الثالث.</p></body></html>")
    (tmp_path / "utf8.html").write_text(page, encoding="utf-8")
    (tmp_path / "legacy.html").write_bytes(page.encode(charset))
    [utf8], [legacy] = read_articles([tmp_path / "utf8.html"]), read_articles([tmp_path / "legacy.html"])
    assert (legacy.text, legacy.title, legacy.language) == (utf8.text, utf8.title, "ar")
    (tmp_path / "undeclared.html").write_bytes(page.replace(meta, "").encode(charset))
    with pytest.raises(InputError, match=r"undeclared\.html: line 1: expected UTF-8 text, found the byte .* or declare its charset"):
        read_articles([tmp_path / "undeclared.html"])


def test_a_broken_gzip_article_is_a_problem_naming_the_file(write):
    path = write("bad/story.html.gz", "<html>not gzip</html>")
    with pytest.raises(InputError, match=r"story\.html\.gz: expected gzip-compressed text .*cannot be decompressed"):
        read_articles([path])


def test_a_folder_without_article_files_says_what_it_ignored(write, tmp_path):
    write("pages/page.html.bz2", "x")
    write("pages/sub/notes.pdf", "x")
    write("pages/.hidden", "x")
    with pytest.warns(IgnoredFileWarning, match=r"pages: 2 file\(s\) that are not articles ignored \(\.html\.bz2, \.pdf; e\.g\. .*\); "
                                                r"article files end in \.txt"):
        assert read_articles([tmp_path / "pages"]) == []
    write("pages/a1.txt", "Talks resume\n\nPrices rose 4% in May.\n")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # beside articles, other files (labels, notes) are expected: no warning
        assert [a.article_id for a in read_articles([tmp_path / "pages"])] == ["a1"]


def test_html_keeps_blocks_and_captions_drops_scripts_and_navigation(write):
    html = """<!DOCTYPE html><html><head><title>Site | Talks</title><style>p {color: red}</style>
    <link rel="canonical" href="https://example.org/talks"><meta property="article:published_time" content="2017-12-08"></head>
    <body><nav><a href="/">Home</a> | <a href="/world">World</a></nav>
    <h1>Talks &amp; tensions</h1>
    <div>Intro text without a paragraph.<p>Prices rose 4%&nbsp;in May. Officials said so.</p></div>
    <figure><img src="x.jpg"><figcaption>A flag flies in Geneva.</figcaption></figure>
    <script>var x = "not text";</script><!-- a comment -->
    <ul><li>First point.</li><li>Second <b>bold</b> point.</li></ul>
    <footer>Copyright 2017</footer></body></html>"""
    [article] = read_articles([write("talks.html", html)])
    assert article.title == "Talks & tensions"
    assert article.url == "https://example.org/talks"
    assert article.published == "2017-12-08"
    assert article.text.split("\n\n") == [
        "Talks & tensions",
        "Intro text without a paragraph.",
        "Prices rose 4% in May. Officials said so.",
        "A flag flies in Geneva.",
        "First point.",
        "Second bold point.",
    ]
    [[start, end]] = article.meta["captions"]
    assert article.text[start:end] == "A flag flies in Geneva."
    assert "not text" not in article.text and "Home" not in article.text and "comment" not in article.text


def test_html_headline_leads_and_head_text_is_not_body(write):
    html = "<html><head><title>Site name</title></head><p>BREAKING</p><h1>Dam bursts</h1><p>Water rose 2 m.</p></html>"
    [article] = read_articles([write("dam.html", html)])
    assert article.title == "Dam bursts"
    assert article.text == "Dam bursts\n\nBREAKING\n\nWater rose 2 m."


def test_jsonl_fields_extras_and_title(write):
    lines = [
        {"id": "n1", "text": "Body one.", "title": "Title one", "url": "https://x.org/1", "source": "Wire", "published": "2024-01-02", "meta": {"fictional": True}, "lang": "en"},
        {"id": "n2", "text": "Title two\n\nBody two.", "title": "Title two", "url": None},
        {"id": 7, "text": "No title here."},
        {"id": "n4", "text": "Title  four\n\nBody four.", "title": "Title four"},
    ]
    path = write("batch.jsonl", "\n".join(json.dumps(line) for line in lines) + "\n")
    first, second, third, fourth = read_articles([path])
    assert first.text == "Title one\n\nBody one."
    assert first.meta == {"fictional": True, "lang": "en"}
    assert (first.url, first.source, first.published) == ("https://x.org/1", "Wire", "2024-01-02")
    assert first.path == f"{path}:1"
    assert second.text == "Title two\n\nBody two."
    assert third.article_id == "7" and third.title is None
    assert fourth.text == "Title  four\n\nBody four." and fourth.title == "Title four"


BAD_INPUTS = [
    pytest.param("latin1.txt", "Caf\xe9 prices rose.".encode("latin-1"), r"latin1\.txt: line 1: expected UTF-8 text, found the byte 0xe9", id="not-utf8"),
    pytest.param("blob.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", r"blob\.txt: expected a UTF-8 text file, found binary data", id="binary"),
    pytest.param("blob.jsonl", b'{"id": "a", "text": "x"}\n\x00\x01', r"blob\.jsonl: expected a UTF-8 text file, found binary data", id="binary-jsonl"),
    pytest.param("cut.jsonl", '{"id": "a", "text": "ok"}\n{"id": "b", "te', r"cut\.jsonl: line 2: expected a JSON object, found invalid JSON", id="truncated-jsonl"),
    pytest.param("list.jsonl", '[1, 2]\n', r"list\.jsonl: line 1: expected a JSON object, found list", id="non-object-jsonl"),
    pytest.param("noid.jsonl", '{"text": "Body."}\n', r"noid\.jsonl: line 1: missing required field\(s\) 'id'", id="missing-id"),
    pytest.param("notext.jsonl", '{"id": "a"}\n', r"notext\.jsonl: line 1: missing required field\(s\) 'text'", id="missing-text"),
    pytest.param("unsafe.jsonl", '{"id": "../etc/passwd", "text": "x"}\n', r"unsafe\.jsonl: line 1: field 'id': unsafe article id '\.\./etc/passwd'", id="unsafe-id"),
    pytest.param("my article.txt", "Title\n\nBody.", r"my article\.txt: file name: unsafe article id 'my article'", id="unsafe-file-name"),
    pytest.param("types.jsonl", '{"id": "a", "text": 5, "url": 3}\n', r"types\.jsonl: line 1: field 'text': expected a string, found int", id="wrong-type"),
    pytest.param("dup.jsonl", '{"id": "a", "text": "x"}\n{"id": "a", "text": "y"}\n', r"dup\.jsonl:2: duplicate article id 'a', already used by .*dup\.jsonl:1", id="duplicate-id"),
]


@pytest.mark.parametrize(("name", "content", "message"), BAD_INPUTS)
def test_bad_input_names_file_line_and_problem(write, name, content, message):
    path = write(name, content)
    with pytest.raises(InputError, match=message):
        read_articles([path])


def test_all_bad_files_are_listed_at_once(write, tmp_path):
    for param in BAD_INPUTS:
        name, content, _ = param.values
        write(f"in/{name}", content)
    write("in/good.txt", "Good\n\nA fine article.")
    with pytest.raises(InputError) as info:
        read_articles([tmp_path / "in"])
    message = str(info.value)
    assert message.startswith("cannot read the articles (")
    for param in BAD_INPUTS:
        name, _, _ = param.values
        assert name in message, name
    assert "good.txt" not in message


def test_duplicate_id_across_files(write, tmp_path):
    write("in/a.txt", "A\n\nBody.")
    write("in/sub/a.md", "A\n\nOther body.")
    with pytest.raises(InputError, match=r"sub/a\.md: duplicate article id 'a', already used by .*in/a\.txt"):
        read_articles([tmp_path / "in"])


def test_the_same_article_in_two_files_is_read_once(write, tmp_path):
    write("in/a.txt", "A\n\nBody of a.")
    first = read_articles([tmp_path / "in"])
    records = tmp_path / "out" / "articles.jsonl"
    records.parent.mkdir()
    records.write_text(json.dumps(first[0].to_dict()) + "\n", encoding="utf-8")
    both = read_articles([tmp_path / "in", records])
    assert [a.article_id for a in both] == ["a"] and both[0].path == first[0].path, "the first reading is kept"
    records.write_text(json.dumps({**first[0].to_dict(), "title": "Another title"}) + "\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"in/a\.txt: duplicate article id 'a', read twice with different content"):
        read_articles([tmp_path / "in", records])


def test_missing_path_is_reported():
    with pytest.raises(InputFileNotFoundError, match=r"nowhere/x\.txt: no such file or directory"):
        read_articles(["nowhere/x.txt"])


def test_empty_article_is_a_warning_naming_the_file(write, tmp_path):
    write("in/empty.txt", "\n   \n")
    write("in/full.txt", "Full\n\nText.")
    with pytest.warns(EmptyArticleWarning, match=r"empty\.txt: empty article 'empty'"):
        articles = read_articles([tmp_path / "in"])
    assert [a.article_id for a in articles] == ["full"]


def test_read_article_records_round_trip_and_tampering(tmp_path, write):
    articles = read_articles([write("a.txt", "Title\n\nBody text.")])
    path = tmp_path / "articles.jsonl"
    atomic_write_jsonl(path, [a.to_dict() for a in articles])
    assert read_article_records(path) == articles
    record = articles[0].to_dict() | {"text": "Title\n\nEdited body."}
    atomic_write_jsonl(path, [record, {"article_id": "bad id"}])
    with pytest.raises(SchemaError) as info:
        read_article_records(path)
    assert "line 1 (article_id 'a'): text_sha256 does not match the text" in str(info.value)
    assert "line 2: (top level): 'text' is a required property" in str(info.value)


def test_no_warning_for_good_input(write):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert len(read_articles([write("ok.txt", "Ok\n\nFine.")])) == 1


def test_the_articles_jsonl_written_by_tasks_reads_back_as_the_same_articles(tmp_path, write):
    from checkworthy.builder.tasks import write_tasks

    write("in/a1.txt", "Headline\n\nThe council spent 4 million dravs. Nobody objected.\n")
    write("in/more.jsonl", '{"id": "b2", "title": "T", "text": "T\\n\\nPrices rose 3%.\\n", "meta": {"fictional": true}}\n')
    original = read_articles([tmp_path / "in"])
    write_tasks([tmp_path / "in"], tmp_path / "out")
    again = read_articles([tmp_path / "out" / "articles.jsonl"])
    assert [(a.article_id, a.text, a.text_sha256, a.meta) for a in again] == [
        (a.article_id, a.text, a.text_sha256, a.meta) for a in original
    ]


# --- Real web pages: the article body without the page around it -----------------------

_PARAGRAPHS = [
    "Officials said on Monday that 1,200 homes had been flooded after the river rose by three metres overnight.",
    "The regional government has opened four shelters and asked residents of low-lying streets to leave before dark.",
    "Rainfall this month is already twice the October average, according to the national weather service.",
    "Insurers estimate the damage at more than 40 million euros, a figure that could rise as the water recedes.",
]


def _page(body: str, *, around: str = "") -> str:
    return f"""<!DOCTYPE html><html><head><title>Floods | Daily Example</title>
    <link rel="canonical" href="https://news.example.org/floods"><meta property="og:site_name" content="Daily Example">
    <meta name="author" content="Ana Lima"><meta property="article:published_time" content="2019-11-18T10:00:00Z"></head>
    <body>{body}{around}</body></html>"""


_ARTICLE = "<article><h1>River floods 1,200 homes</h1>" + "".join(f"<p>{p}</p>" for p in _PARAGRAPHS[:2]) + (
    '<figure><img src="f.jpg"><figcaption>Residents wade through a flooded street in the old town.</figcaption></figure>'
) + "".join(f"<p>{p}</p>" for p in _PARAGRAPHS[2:]) + "</article>"


def test_html_page_inside_a_form_is_read(write):
    """Some sites (Al Jazeera) put the whole page inside one <form>: the body is still found."""
    [article] = read_articles([write("form.html", _page(f'<form id="aspnetForm" action="/x">{_ARTICLE}</form>'))])
    assert article.text.split("\n\n")[0] == "River floods 1,200 homes"
    assert all(p in article.text for p in _PARAGRAPHS)


def test_html_sidebars_menus_and_comments_are_left_out(write):
    around = """<aside class="sidebar"><h3>Trending now</h3><ul><li><a href="/a">Celebrity chef opens a third restaurant in the capital</a></li>
    <li><a href="/b">Ten things to do this weekend if it keeps raining</a></li></ul></aside>
    <div class="related"><h3>Related Articles</h3><p><a href="/c">Drought fears return as reservoirs fall to record lows this summer</a></p></div>
    <section id="comments" class="comments"><h3>3 comments</h3><div class="comment"><p>This is what happens when nobody maintains the dykes, shameful.</p></div>
    <div class="comment"><p>My cousin lives there and says the shelters are already full tonight.</p></div></section>"""
    menu = '<header><ul class="menu"><li><a href="/">Home</a></li><li><a href="/world">World</a></li><li><a href="/sport">Sport</a></li></ul></header>'
    [article] = read_articles([write("floods.html", _page(menu + _ARTICLE, around=around))])
    lines = article.text.split("\n\n")
    assert lines == ["River floods 1,200 homes", *_PARAGRAPHS[:2], "Residents wade through a flooded street in the old town.", *_PARAGRAPHS[2:]]
    [[start, end]] = article.meta["captions"]
    assert article.text[start:end] == "Residents wade through a flooded street in the old town."
    assert (article.url, article.published) == ("https://news.example.org/floods", "2019-11-18T10:00:00Z")
    assert article.meta["author"] == "Ana Lima" and article.meta["site_name"] == "Daily Example"
    roles = {s.text: s.role for s in split_article(article)}
    assert roles["Residents wade through a flooded street in the old town."] == "caption"


def test_html_page_without_article_body_is_reported_by_name(write, tmp_path):
    write("in/empty.html", "<html><head><title>Log in</title></head><body><nav><a href='/'>Home</a></nav><script>x()</script></body></html>")
    write("in/bad.txt", "Caf\xe9".encode("latin-1"))
    write("in/good.txt", "Title\n\nBody text.")
    with pytest.raises(InputError, match=r"(?s)2 problem.*bad\.txt: line 1: expected UTF-8.*empty\.html: expected an article body, found only the headline 'Log in'"):
        read_articles(tmp_path / "in")


# --- Rules on top of the extractor (each fixture is one the extractor alone gets wrong) ----

_BRIDGE = [
    "The city council voted on Tuesday to close the old harbour bridge to cars from next spring onwards.",
    "Engineers found cracks in two of the six steel supports during an inspection carried out in August.",
    "Repairs are expected to cost about 18 million euros and to take at least two years to complete.",
    "Cyclists and pedestrians will still be allowed to cross while the work goes on, the council said.",
    "A ferry service between the two banks of the river will run every fifteen minutes during rush hour.",
    "Local shop owners fear that the closure will keep customers away from the old town this winter.",
    "The mayor promised a fund of two million euros to help businesses near the bridge through the works.",
    "Opposition councillors said the inspection should have been carried out years ago, before the cracks grew.",
]


def _bridge_page(body: str, *, logo: str = '<a href="/">City News</a>', after: str = "") -> str:
    return f"""<!DOCTYPE html><html><head><title>Harbour bridge to close to cars | City News</title>
    <meta property="og:title" content="Harbour bridge to close to cars"></head><body><header>{logo}</header>
    <main><article><h1>Harbour bridge to close to cars</h1><div class="story">{body}</div>{after}</article></main>
    <footer>Contact us</footer></body></html>"""


def _chunk(paragraphs: list[str], kind: str = "article-body") -> str:
    return f'<div class="grid"><div class="{kind}">' + "".join(f"<p>{p}</p>" for p in paragraphs) + "</div></div>"


def _body_lines(article) -> list[str]:
    return article.text.split("\n\n")[1:]


def test_html_body_cut_into_containers_is_read_whole():
    """The body sits in several containers of one kind with advertisements between them;
    trafilatura keeps the first container only."""
    body = _chunk(_BRIDGE[:3]) + '<div class="ad">Advertisement</div>' + _chunk(_BRIDGE[3:6]) + '<div class="ad">Advertisement</div>' + _chunk(_BRIDGE[6:])
    article = html_article(_bridge_page(body), "bridge")
    assert [line for line in _body_lines(article) if line != "Advertisement"] == _BRIDGE


@pytest.mark.parametrize(
    "after",
    [
        pytest.param(
            '<section class="comments"><h3>Comments</h3><div class="comment"><div class="grid"><div class="article-body">'
            "<p>This bridge has been falling apart for a decade and nobody in the council cared until now, shameful.</p>"
            "</div></div></div></section>",
            id="comment-text-in-a-container-of-the-body-kind",
        ),
        pytest.param(
            '<div class="story"><h1>Tram line to reopen</h1>'
            + _chunk(["The tram line to the airport will reopen in May after three years of works, the transport office said."])
            + "</div>",
            id="next-article-with-its-own-headline",
        ),
    ],
)
def test_html_containers_of_the_body_kind_that_do_not_continue_it_stay_out(after):
    body = _chunk(_BRIDGE[:4]) + '<div class="ad">Advertisement</div>' + _chunk(_BRIDGE[4:])
    article = html_article(_bridge_page(body, after=after), "bridge")
    assert [line for line in _body_lines(article) if line != "Advertisement"] == _BRIDGE


def test_html_list_of_links_and_its_title_are_left_out_lists_of_points_stay():
    related = (
        '<div class="heading">More great City News stories</div><ul>'
        '<li>The strange life and <a href="/a">mysterious death of a harbour pilot</a></li>'
        '<li>How the council <a href="/b">gets its transport budget backward</a></li>'
        '<li>The enduring power of trams, <a href="/c">even in a city without rails</a></li></ul>'
    )
    points = [
        "The bridge closes to cars on 1 March, the council said in a statement on its website.",
        "Buses will use the new ring road, according to the council's transport plan published in May.",
    ]
    cited = f'<ul><li>{points[0][:-1]} (<a href="/s">statement</a>).</li><li>{points[1][:-1]} (<a href="/p">plan</a>).</li></ul>'
    body = "".join(f"<p>{p}</p>" for p in _BRIDGE[:4]) + cited + related
    article = html_article(_bridge_page(f'<div class="article-body">{body}</div>'), "bridge")
    assert _body_lines(article) == [*_BRIDGE[:4], "The bridge closes to cars on 1 March, the council said in a statement on its website (statement).",
                                    "Buses will use the new ring road, according to the council's transport plan published in May (plan)."]


def test_html_headline_is_the_h1_closest_to_the_page_title():
    """A site logo or section name in an earlier <h1> is not the headline, and not body text either."""
    page = _bridge_page("".join(f"<p>{p}</p>" for p in _BRIDGE), logo='<h1 class="logo"><a href="/">City News</a> Opinion</h1>')
    article = html_article(page, "bridge")
    assert article.title == "Harbour bridge to close to cars"
    assert article.text.split("\n\n") == ["Harbour bridge to close to cars", *_BRIDGE]


def test_html_quotation_inside_the_body_is_kept_one_outside_is_not():
    """trafilatura drops an embedded post (its wrapper looks like a share widget); a quotation
    between two paragraphs of the article is part of it, one in a sidebar is not."""
    post = (
        '<div class="social-media-embed"><blockquote class="twitter-tweet"><p>The bridge has been unsafe for years and everybody knew it.</p>'
        '— Ana Lima (@analima) <a href="https://twitter.com/analima/status/1">November 18, 2019</a></blockquote></div>'
    )
    side = '<aside class="sidebar"><blockquote><p>Our city deserves better bridges than the ones we have now, a reader wrote.</p></blockquote></aside>'
    body = "".join(f"<p>{p}</p>" for p in _BRIDGE[:2]) + post + "".join(f"<p>{p}</p>" for p in _BRIDGE[2:4])
    article = html_article(_bridge_page(f'<div class="article-body">{body}</div>', after=side), "bridge")
    assert _body_lines(article) == [
        *_BRIDGE[:2],
        "The bridge has been unsafe for years and everybody knew it.",
        "— Ana Lima (@analima) November 18, 2019",
        *_BRIDGE[2:4],
    ]


_UNDATED = """<html lang="en"><head><title>Jobless rate falls</title>{head}</head><body>
<nav><a href="/">Home</a></nav><article><h1>Jobless rate falls</h1>
<p>The jobless rate fell to 3.9 percent in the third quarter, the statistics office said on Friday, its lowest level since 2010.</p>
<p>The ministry said 40,000 people found work in the quarter, most of them in construction and in the care sector.</p>
{body}</article><footer>&copy; 2025 Daily Example. All rights reserved.</footer></body></html>"""


@pytest.mark.parametrize(
    ("head", "body", "expected"),
    [
        ("", "", None),  # a year in the text or the footer is not a publication date
        ('<meta property="article:published_time" content="2024-03-01T08:00:00Z">', "", "2024-03-01T08:00:00Z"),
        ('<script type="application/ld+json">{"@type": "NewsArticle", "datePublished": "2023-06-15"}</script>', "", "2023-06-15"),
        ("", '<p>Published <time datetime="2022-02-02">2 February 2022</time></p>', "2022-02-02"),
    ],
    ids=["no-date", "meta", "json-ld", "time"],
)
def test_html_published_date_comes_from_the_page_markup_never_from_a_year_in_the_text(write, head, body, expected):
    [article] = read_articles([write("jobs.html", _UNDATED.format(head=head, body=body))])
    assert article.published == expected


def test_a_bad_json_line_is_one_problem_among_the_files_others(tmp_path):
    """Every problem of a JSONL file at once, and --skip-invalid leaves out the bad lines only
    (an invalid JSON line used to hide the file's other problems, and skip the whole file)."""
    path = tmp_path / "b.jsonl"
    path.write_text("\n".join(['not json', '{"id": "bad id!", "text": "x"}', '{"id": "x1", "text": 5}',
                               '{"id": "ok", "text": "Prices rose 4% in May."}']) + "\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        read_articles([path])
    assert [p.split(": ")[1] for p in caught.value.problems] == ["line 1", "line 2", "line 3"]
    with pytest.warns(UserWarning, match="3"):
        assert [a.article_id for a in read_articles([path], skip_invalid=True)] == ["ok"]


def _article(path, text="Prices rose 4% in May, the bureau said.\n"):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"Headline\n\n{text}", encoding="utf-8")
    return path


def test_folders_checkworthy_wrote_and_hidden_folders_are_not_read_as_articles(tmp_path, monkeypatch):
    """An earlier --out inside the input folder, a killed run's temporary folder, a dataset and .git."""
    from checkworthy.builder.articles import discover_article_files
    from checkworthy.builder.tasks import write_tasks

    news = tmp_path / "news"
    _article(news / "a.txt")
    write_tasks([news], news / "out")  # the output, now inside the input
    _article(news / ".out.p99999.h00000000.x1.tmp" / "articles.jsonl")  # what a killed run leaves
    _article(news / ".git" / "x.html")
    (news / "ds" / "versions" / "1.0.0" / "data").mkdir(parents=True)
    (news / "ds" / "versions" / "1.0.0" / "manifest.json").write_text("{}", encoding="utf-8")
    (news / "ds" / "versions" / "1.0.0" / "data" / "train.parquet").write_bytes(b"PAR1")
    (news / "ds" / "CHANGELOG.md").write_text("# Changelog\n\n## 1.0.0\n", encoding="utf-8")  # a dataset's, not an article
    with pytest.warns(IgnoredFileWarning, match=r"2 folder\(s\) that checkworthy wrote left out .*news/ds, .*news/out"):
        assert discover_article_files([news]) == [news / "a.txt"]
    with pytest.warns(IgnoredFileWarning, match="left out"):
        write_tasks([news], tmp_path / "again")  # reads the one article, not its own earlier output
    assert (tmp_path / "again" / "articles.jsonl").read_text(encoding="utf-8").count("\n") == 1
    assert discover_article_files([news / "out" / "articles.jsonl"]) == [news / "out" / "articles.jsonl"]  # named: read


def test_symbolic_link_loops_are_followed_once(tmp_path, monkeypatch):
    """Two links to '.' made a quoted '**' pattern run for minutes, and one gave 40-level paths."""
    import os

    from checkworthy.builder.articles import discover_article_files

    _article(tmp_path / "in" / "sub" / "de.txt")
    _article(tmp_path / "in" / "es.txt")
    os.symlink(".", tmp_path / "in" / "loopa")
    os.symlink(".", tmp_path / "in" / "loopb")
    os.symlink("..", tmp_path / "in" / "sub" / "up")
    monkeypatch.chdir(tmp_path)
    expected = [Path("in/es.txt"), Path("in/sub/de.txt")]
    assert discover_article_files(["in"]) == expected
    assert discover_article_files(["in/**/*.txt"]) == expected
    assert discover_article_files(["in/**"]) == expected
    assert discover_article_files(["in/*/*.txt"]) == [Path("in/sub/de.txt")]


def test_control_characters_that_separate_lines_become_line_breaks(tmp_path):
    """A form feed between two sentences was deleted, and 'Fourth part 6.Fifth 7.' became one sentence."""
    path = tmp_path / "r.jsonl"
    path.write_text(json.dumps({"id": "r", "text": "Prices rose 6%.\fWages fell 7%.\x0bRents rose 8%.\x1eBell\x07 here."}) + "\n", encoding="utf-8")
    with pytest.warns(UserWarning, match=r"removed 1 control character\(s\) and turned 3 that separate lines .* into line breaks "
                                         r"\(the first, U\+000C, on line 1\)"):
        (article,) = read_articles([path])
    assert article.text == "Prices rose 6%.\nWages fell 7%.\nRents rose 8%.\nBell here."
    assert [s.text for s in split_article(article)] == ["Prices rose 6%.", "Wages fell 7%.", "Rents rose 8%.", "Bell here."]


@pytest.mark.parametrize("first_line", ["Prices rise 5%.", "PRICES RISE 5%", "# Prices rise 5%", "Prices  rise 5%"])
def test_a_title_already_at_the_top_of_the_text_is_not_added_again(tmp_path, first_line):
    """A title that differed from the first line by a full stop or case was put above it: the headline twice, once as a task."""
    path = tmp_path / "a.jsonl"
    path.write_text(json.dumps({"id": "a", "title": "Prices rise 5%", "text": f"{first_line}\n\nThe bureau said so on Monday."}) + "\n",
                    encoding="utf-8")
    (article,) = read_articles([path])
    assert article.text == f"{first_line}\n\nThe bureau said so on Monday." and article.title == "Prices rise 5%"


def test_markdown_is_read_as_commonmark(tmp_path):
    """Front matter became tasks ('author: Jane'), the headline was '---', a code fence and table rules were sentences."""
    path = tmp_path / "post.md"
    path.write_text(
        '---\ntitle: "Front matter title"\nauthor: Jane\n---\n\n'
        "Unemployment fell to **3.9%** in January, the [bureau](http://x.org) said.\n\n"
        '```python\nprint("not text")\n```\n\n'
        "| Month | Rate |\n|-------|------|\n| Jan   | 3.9% |\n\n"
        '> "This is a strong report," said economist Ann Lee.\n\n'
        "- Wages rose 4% over the year.\n- ![chart](chart.png) Prices fell 1%.\n", encoding="utf-8")
    (article,) = read_articles([path])
    assert article.title == "Front matter title"
    assert article.text.split("\n\n") == [
        "Front matter title", "Unemployment fell to 3.9% in January, the bureau said.", "Month | Rate", "Jan | 3.9%",
        '"This is a strong report," said economist Ann Lee.', "Wages rose 4% over the year.", "Prices fell 1%."]
    (path.parent / "h.md").write_text("---\ntitle: Ignored\n---\n# The heading\n\nBody text here.\n", encoding="utf-8")
    assert read_articles([path.parent / "h.md"])[0].text == "The heading\n\nBody text here."


def test_a_pipe_and_an_unknown_declared_charset_are_named_for_what_they_are(tmp_path):
    import os

    from checkworthy.builder.articles import discover_article_files

    os.mkfifo(tmp_path / "pipe.html")
    with pytest.raises(InputFileNotFoundError, match=r"pipe\.html: not a file or a folder \(a pipe, a socket or a device\)"):
        discover_article_files([tmp_path / "pipe.html"])
    page = tmp_path / "bogus.html"
    page.write_bytes(b'<html><head><meta charset="x-bogus-123"></head><body><p>caf\xe9 prices rose 5%.</p></body></html>')
    with pytest.raises(InputError, match=r"or correct the charset it declares \('x-bogus-123' is not one Python knows"):
        read_articles([page])
