"""`eval --format letter`: the letter to the patient's doctor.  What it says (the level,
the concerns and their findings in words, the clinic, the disclaimer, the provenance), that
no case id or answer can add markup, kb/clinic.json's errors, and a real browser: headless
Chromium prints it to PDF, one page per case, and poppler reads the page back."""
import html.parser
import json
import os
import re
import shutil
import subprocess
import tempfile

from harness import ROOT, HERE, Skip, expect, records, run, tmpdir, write

V = os.path.join(HERE, "vignettes")
DEV02 = os.path.join(V, "dev-02.json")           # typical: one urgent concern
DEV03 = os.path.join(V, "dev-03.json")           # an emergency with five concerns
FULLEST = os.path.join(HERE, "case-reports", "inf-05-iliopsoas-haematoma-rivaroxaban.json")
EPOCH = {"SOURCE_DATE_EPOCH": "1767225600"}      # 2026-01-01


def letter(args, env=EPOCH, want=0):
    p = run(["eval", "--format", "letter"] + list(args), env=env)
    expect(p.returncode == want, f"exit {p.returncode}, want {want}: {p.stderr}")
    return p.stdout


def kb_copy():
    d = os.path.join(tmpdir(), "kb")
    shutil.copytree(os.path.join(ROOT, "kb"), d)
    return d


class Page(html.parser.HTMLParser):
    """The tags, attributes and text of an HTML document."""

    def __init__(self, text):
        super().__init__(convert_charrefs=True)
        self.tags, self.attrs, self.text = [], [], []
        self.feed(text)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attrs += [name for name, _ in attrs]

    def handle_data(self, data):
        self.text.append(data)

    def words(self):
        return " ".join(" ".join(self.text).split())


# ---- what the letter says ---------------------------------------------------------------------

def test_letter_holds_the_result_in_words():
    out = letter([DEV02])
    [r] = records(run(["eval", DEV02]).stdout)
    clinic = json.load(open(os.path.join(ROOT, "kb", "clinic.json")))
    disclaimer = open(os.path.join(ROOT, "kb", "disclaimer.txt")).read()
    page = Page(out)
    words = page.words()
    expect(out.startswith("<!DOCTYPE html>") and out.rstrip().endswith("</html>"), out[:200])
    expect("{{" not in out, "a placeholder was left unfilled")
    expect(page.tags.count("article") == 1, "one case, one letter")
    for want in ["URGENT - SEE A DOCTOR TODAY", r["action"],                # the level, its time frame
                 "Possible abdominal aortic aneurysm",                     # the concern's title
                 "Because: pulsing lump in the belly.",                    # its finding, in words
                 clinic["name"], clinic["phone"], clinic["address"][0],   # the clinic
                 "Case dev-02", "Date 2026-01-01", "age: 72; sex assigned at birth: male",
                 "Do not treat the area of concern until a physician",     # a precaution
                 "Therapist's name", "Signature",
                 " ".join(disclaimer.split()),
                 f"Produced by {r['program']} with knowledge {r['knowledge']}."]:
        expect(want in words, f"the letter lacks {want!r}:\n{words}")
    expect("abdominal_pulsation" not in words and "no_deep_abdominal_work" not in words,
           "ids where people expect words")
    # the answers table: yes / no, and a question that does not apply (pregnancy, a man) left out
    rows = dict(re.findall(r'<tr class="\w+"><td>([^<]*)</td><td class="a">([^<]*)</td></tr>', out))
    expect(rows.get("pulsing lump in the belly") == "yes", rows)
    expect(rows.get("saddle numbness") == "no" and rows.get("hip replacement") == "no", rows)
    expect("pregnant, or could be" not in rows, f"pregnancy asked of a man: {rows}")
    # the body chart marks the pain answered yes (low back) and nothing else
    expect(out.count('class="site on"') == 1 and page.tags.count("svg") == 1, out)


def test_answers_table_says_dont_know_and_not_asked():
    d = tmpdir()
    case = write(os.path.join(d, "c.json"), json.dumps(
        {"id": "c-1", "answers": {"age": 34, "sex": "female", "groin_pain": True,
                                  "pregnant": "unknown", "fever": False}}))
    out = letter([case])
    rows = {label: cls for cls, label in re.findall(r'<tr class="(\w+)"><td>([^<]*)</td>', out)}
    expect(rows.get("pregnant, or could be") == "unknown", rows)
    expect(rows.get("fever of 38 °C or more, or shaking chills") == "no", rows)
    expect(rows.get("saddle numbness") == "unasked", rows)
    words = Page(out).words()
    expect("pregnant, or could be don't know" in words, words)
    expect("saddle numbness not asked" in words, words)
    expect("INCOMPLETE" in words, words)
    expect(out.count('class="site on"') == 2, "groin pain marks both groins")


def test_several_cases_one_document_a_page_each():
    d = tmpdir()
    cases = write(os.path.join(d, "cases.jsonl"),
                  open(DEV02).read().replace("\n", " ") + "\n"
                  + '{"id": "bad-1", "answers": {"fevr": true}}\n'
                  + open(DEV03).read().replace("\n", " ") + "\n")
    out = letter([cases], want=65)
    page = Page(out)
    expect(out.count("<!DOCTYPE html>") == 1 and page.tags.count("article") == 3, out[:300])
    expect("break-after: page" in out, "no page break between letters")
    words = page.words()
    i2, ibad, i3 = (words.index(s) for s in ["Case dev-02", "Case bad-1", "Case dev-03"])
    expect(i2 < ibad < i3, "letters out of input order")
    expect("No recommendation was made for this case: answers: key \"fevr\" is not a finding "
           "(did you mean 'fever'?)" in words, words)


def test_hostile_ids_and_answers_cannot_inject_markup():
    hostile = ["<script>alert(1)</script>", '"><img src=x onerror=alert(1)>',
               "'><svg onload=alert(1)>", "</style><b>x</b>", "a&amp;b &lt;i&gt;", "{{css}}"]
    d = tmpdir()
    lines = [json.dumps({"id": h, "answers": {"age": 70, "sex": "male", "groin_pain": True}})
             for h in hostile]
    # answers that are refused are quoted in the error page: they must be escaped there too
    lines.append(json.dumps({"id": "e-1", "answers": {"sex": "<script>alert(2)</script>"}}))
    lines.append(json.dumps({"id": "e-2", "answers": {"<img src=x onerror=alert(3)>": True}}))
    lines.append(json.dumps({"id": "e-3", "answers": {"age": "<b>70</b>"}}))
    cases = write(os.path.join(d, "hostile.jsonl"), "\n".join(lines) + "\n")
    kb = kb_copy()  # and a clinic with markup in its name
    data = json.load(open(os.path.join(kb, "clinic.json")))
    data["name"] = "<script>alert('clinic')</script> & Co"
    write(os.path.join(kb, "clinic.json"), json.dumps(data))
    p = run(["--kb", kb, "eval", "--format", "letter", cases], env=EPOCH)
    expect(p.returncode == 65, f"exit {p.returncode}: {p.stderr}")
    ordinary = write(os.path.join(d, "ordinary.jsonl"), open(DEV02).read().replace("\n", " ")
                     + '\n{"id": "e-0", "answers": {"fevr": true}}\n')
    benign = Page(letter([ordinary], want=65))  # a letter and an error page
    page = Page(p.stdout)
    expect(set(page.tags) <= set(benign.tags), f"tags a case added: {set(page.tags) - set(benign.tags)}")
    expect(not any(a.startswith("on") for a in page.attrs), f"event handlers: {page.attrs}")
    expect("script" not in page.tags and "img" not in page.tags and "b" not in page.tags, page.tags)
    words = page.words()
    for h in hostile:  # shown as text, exactly
        expect(f"Case {h}" in words, f"the id {h!r} is not shown as it is")
    for h in ["<script>alert(2)</script>", "<img src=x onerror=alert(3)>", "<script>alert('clinic')</script> & Co"]:
        expect(h in words, f"{h!r} is not shown as text")
    expect(p.stdout.count("<script") == 0 and p.stdout.count("<img") == 0, "raw markup in the output")


def test_letter_provenance_and_clinic_json_outside_the_knowledge_version():
    """The letter names the knowledge that produced it; the clinic's letterhead is not
    knowledge, so editing kb/clinic.json leaves the version as it is."""
    shipped = records(run(["eval", DEV02]).stdout)[0]["knowledge"]
    kb = kb_copy()
    write(os.path.join(kb, "clinic.json"),
          json.dumps({"name": "Harbour Physio", "address": "2 Quay Road\nPortsmouth",
                      "phone": "023 0000 0000"}))
    p = run(["--kb", kb, "eval", "--format", "letter", DEV02], env=EPOCH)
    expect(p.returncode == 0, p.stderr)
    words = Page(p.stdout).words()
    expect("Harbour Physio 2 Quay Road Portsmouth Phone: 023 0000 0000" in words, words[:300])
    expect("Email" not in words, "an email the clinic did not give")
    expect(f"knowledge {shipped}." in words, f"knowledge version changed: {words[-200:]}")
    expect(records(run(["--kb", kb, "eval", DEV02]).stdout)[0]["knowledge"] == shipped,
           "editing clinic.json changed the knowledge version")


def test_broken_clinic_json_is_file_line_problem_exit_70():
    kb = kb_copy()
    path = os.path.join(kb, "clinic.json")
    for text, msg in [
        ('{\n  "name": "A",\n  "phone": "1"\n  "address": "x"\n}\n', f'{path}:4: '),
        ('{\n  "name": "A",\n  "adress": "x",\n  "phone": "1"\n}\n',
         f"{path}:3: unknown key \"adress\" (did you mean 'address'?)"),
        ('{\n  "name": "A",\n  "address": ["x"],\n  "phone": 12\n}\n',
         f'{path}:4: "phone" must be a non-empty string'),
        ('{\n  "name": "A",\n  "address": [],\n  "phone": "1"\n}\n',
         f'{path}:3: "address" must be a non-empty string or a list of lines'),
        ('{"address": "x", "phone": "1"}', f'{path}:1: "name" is missing'),
        ('["A"]', f'{path}:1: expected an object'),
    ]:
        write(path, text)
        p = run(["--kb", kb, "eval", "--format", "letter", DEV02])
        expect(p.returncode == 70, f"{text!r}: exit {p.returncode}")
        expect(f"psoas-triage: {msg}" in p.stderr, f"{text!r}: stderr {p.stderr!r} lacks {msg!r}")
        expect(p.stdout == "", f"{text!r}: output despite the error")
        expect(run(["--kb", kb, "eval", DEV02]).returncode == 0, "other formats need no clinic.json")
        c = run(["--kb", kb, "check"])
        expect(c.returncode == 65 and f"psoas-triage: {msg}" in c.stderr, f"check: {c.stderr}")
    os.remove(path)
    p = run(["--kb", kb, "eval", "--format", "letter", DEV02])
    expect(p.returncode == 70 and f"{path}: No such file or directory" in p.stderr, p.stderr)


def test_label_must_be_a_non_empty_string():
    kb = kb_copy()
    path = os.path.join(kb, "questions.json")
    data = json.load(open(path))
    data["questions"][4]["label"] = 3
    write(path, json.dumps(data, indent=2))
    p = run(["--kb", kb, "eval", DEV02])
    expect(p.returncode == 70, f"exit {p.returncode}")
    expect('sudden_severe_pain: "label" must be a non-empty string' in p.stderr, p.stderr)


def test_other_formats_unchanged_by_the_letter():
    """--format letter is an addition: the usage names it, and JSON Lines, text and CSV of
    the same case are what they were (the writers' own tests pin their bytes)."""
    p = run(["eval", "--format", "xml", DEV02])
    expect(p.returncode == 64 and "--format must be jsonl, text, csv, letter" in p.stderr, p.stderr)
    [r] = records(run(["eval", DEV02]).stdout)
    expect(list(r) == ["id", "disposition", "action", "concerns", "precautions", "indications",
                       "ask", "disclaimer", "program", "knowledge"], r)
    expect("<" not in run(["eval", "--format", "text", DEV02]).stdout, "HTML in the text report")


# ---- a real browser -----------------------------------------------------------------------------

def browser():
    """The tools the printing tests need, or Skip."""
    for tool, pkg in [("chromium", "chromium"), ("pdfinfo", "poppler-utils"),
                      ("pdftotext", "poppler-utils"), ("pdftoppm", "poppler-utils")]:
        if not shutil.which(tool):
            raise Skip(f"{tool} is not installed (apt-get install -y {pkg})")
    return shutil.which("chromium")


def print_pdf(html_path, pdf_path):
    """Prints html_path to pdf_path with headless Chromium, as a user's browser would."""
    profile = tempfile.mkdtemp(prefix="psoas-chromium-")
    p = subprocess.run([browser(), "--headless", "--no-sandbox", "--disable-gpu",
                        f"--user-data-dir={profile}", f"--print-to-pdf={pdf_path}",
                        "--no-pdf-header-footer", "file://" + os.path.abspath(html_path)],
                       capture_output=True, text=True, timeout=180)
    shutil.rmtree(profile, ignore_errors=True)
    expect(os.path.exists(pdf_path), f"chromium wrote no PDF (exit {p.returncode}): {p.stderr[-2000:]}")


def pdf_pages(pdf_path):
    info = subprocess.run(["pdfinfo", pdf_path], capture_output=True, text=True, check=True).stdout
    return int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1)), re.search(r"^Page size:.*$", info, re.M).group(0)


def pdf_text(pdf_path):
    text = subprocess.run(["pdftotext", "-layout", pdf_path, "-"], capture_output=True, text=True,
                          check=True).stdout
    return " ".join(text.split())


def test_chromium_prints_a_typical_letter_on_one_page():
    """dev-02 (one concern), dev-03 (five, an emergency) and the fullest case report (six
    concerns, five precautions) each print on one page, on US Letter (Chromium's default)
    and on A4; the PDF's text holds the level and the disclaimer, and page 1 renders."""
    browser()
    d = tmpdir()
    disclaimer = " ".join(open(os.path.join(ROOT, "kb", "disclaimer.txt")).read().split())
    for case, level in [(DEV02, "URGENT - SEE A DOCTOR TODAY"), (DEV03, "EMERGENCY"),
                        (FULLEST, "EMERGENCY")]:
        name = os.path.basename(case)[:-5]
        html_path = write(os.path.join(d, name + ".html"), letter([case]))
        a4_path = write(os.path.join(d, name + "-a4.html"),
                        open(html_path).read().replace("</style>", "@page { size: A4; }\n</style>", 1))
        for path, paper in [(html_path, "letter"), (a4_path, "A4")]:
            pdf = path[:-5] + ".pdf"
            print_pdf(path, pdf)
            pages, size = pdf_pages(pdf)
            print(f"     {name} on {paper}: {pages} page(s) ({size})")
            expect(paper in size, f"{name}: {size}, want {paper}")
            expect(pages == 1, f"{name} on {paper}: {pages} pages, want 1")
            text = pdf_text(pdf)
            expect(level in text, f"{name}: the PDF lacks the level {level!r}: {text[:500]}")
            expect(disclaimer[:120] in text, f"{name}: the PDF lacks the disclaimer: {text[-800:]}")
            expect("Therapist's name" in text and "Signature" in text, f"{name}: no signature block")
        # page 1 as an image (what the README shows; look at it when the layout changes)
        subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", "-singlefile",
                        html_path[:-5] + ".pdf", os.path.join(d, name)], check=True)
        png = os.path.join(d, name + ".png")
        with open(png, "rb") as f:
            head = f.read(24)
        expect(head[:8] == b"\x89PNG\r\n\x1a\n", f"{png} is not a PNG")
        width, height = int.from_bytes(head[16:20], "big"), int.from_bytes(head[20:24], "big")
        expect((width, height) == (510, 660), f"{png}: {width}x{height}, want a Letter page at 60 dpi")
        expect(os.path.getsize(png) > 20000, f"{png}: {os.path.getsize(png)} bytes, a blank page?")


def test_chromium_prints_each_case_on_its_own_page():
    browser()
    d = tmpdir()
    cases = write(os.path.join(d, "cases.jsonl"), "".join(
        open(f).read().replace("\n", " ") + "\n" for f in [DEV02, DEV03, FULLEST]))
    html_path = write(os.path.join(d, "three.html"), letter([cases]))
    pdf = os.path.join(d, "three.pdf")
    print_pdf(html_path, pdf)
    pages, _ = pdf_pages(pdf)
    expect(pages == 3, f"3 cases printed on {pages} pages")
    for i, want in enumerate(["dev-02", "dev-03", "inf-05-iliopsoas-haematoma-rivaroxaban"], 1):
        text = subprocess.run(["pdftotext", "-f", str(i), "-l", str(i), pdf, "-"],
                              capture_output=True, text=True, check=True).stdout
        expect(want in text, f"page {i} lacks case {want}")


def test_readme_example_letter_is_current():
    """doc/letter-example.html is what `make letter-doc` writes from the current program and
    knowledge (the knowledge version aside)."""
    path = os.path.join(ROOT, "doc", "letter-example.html")
    expect(os.path.exists(path), "doc/letter-example.html is missing: run make letter-doc")
    fresh = letter([os.path.join(V, "own-36.json")])
    norm = lambda s: re.sub(r"sha256:[0-9a-f]{16}", "sha256:KNOWLEDGE", s)  # noqa: E731
    expect(norm(open(path).read()) == norm(fresh),
           "doc/letter-example.html is stale: run make letter-doc (and look at doc/letter.png)")
    expect(os.path.exists(os.path.join(ROOT, "doc", "letter.png")), "doc/letter.png is missing")
