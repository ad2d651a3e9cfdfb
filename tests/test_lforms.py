"""The exported Questionnaire (`psoas-triage fhir questionnaire`) in a form renderer nobody
here wrote: NLM's LHC-Forms (the npm package lforms, `npm ci`), its web component and its
FHIR R4 support, in Debian's headless chromium driven by selenium, as test_browser.py
drives it.  The page and the lforms files are served from a temporary directory by
python's http.server on 127.0.0.1; chromium resolves no other host, and the test checks
that the page loaded nothing from anywhere else.

  - the pregnancy question (`pregnant`: sex given and not male, age 10-60) is never in the
    form of a man, whichever of age and sex he gives first, and comes for a woman of 30;
  - the groin-lump follow-up (`groin_lump_irreducible`, when `{"yes": "groin_lump"}`)
    comes only with a Yes to groin_lump, and goes again with a No;
  - the "?" button shows a question's why (the help text, itemControl flyover, is not
    shown: LHC-Forms does not support flyover);
  - vignettes answered through the form with real clicks (the number typed, the sex
    picked from the list, every Yes and No clicked): the QuestionnaireResponse LHC-Forms
    makes (LForms.Util.getFormFHIRData) gives `eval` the same result as the vignette's
    case file.

PSOAS_SCREENSHOTS=1 (`make screenshots`) saves doc/screenshots/lforms.png.  Skipped when
selenium, chromium, chromedriver or node_modules/lforms is missing, and under a checking
tool (PSOAS_TOOL_STATUS: sanitizers, valgrind), which the browser does not need."""
import functools
import http.server
import json
import os
import shutil
import subprocess
import threading
import time

import pytest

import harness

from harness import HERE, ROOT, expect, load, records, run, tmpdir, write

if os.environ.get("PSOAS_TOOL_STATUS"):
    pytest.skip("under a checking tool (PSOAS_TOOL_STATUS): the browser tests need not run under "
                "each; what the program does here (fhir questionnaire, eval of a response) "
                "test_fhir.py runs under it", allow_module_level=True)

try:
    from selenium import webdriver
    from selenium.common.exceptions import WebDriverException
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import WebDriverWait
except ImportError:
    pytest.skip("selenium is not installed (Debian: python3-selenium)", allow_module_level=True)

CHROMIUM, CHROMEDRIVER = harness.chromium_or_skip()

LFORMS = os.path.join(ROOT, "node_modules", "lforms", "dist", "lforms")
# what the page loads, as lforms' README says (styles, zone.js, the web component, FHIR R4)
SCRIPTS = ["webcomponent/assets/lib/zone.min.js", "webcomponent/runtime.js", "webcomponent/polyfills.js",
           "webcomponent/main.js", "fhir/R4/lformsFHIR.min.js"]
if not all(os.path.isfile(os.path.join(LFORMS, f)) for f in SCRIPTS + ["webcomponent/styles.css"]):
    pytest.skip("the npm package lforms is not installed: run `npm ci` at the top of the repository",
                allow_module_level=True)

WAIT = 90  # seconds: generous, two cores may be building at the same time
SHOTS = os.environ.get("PSOAS_SCREENSHOTS") == "1"
SHOT_DIR = os.path.join(ROOT, "doc", "screenshots")
QUESTIONS = load(os.path.join(ROOT, "kb", "questions.json"))["questions"]
BY_ID = {q["id"]: q for q in QUESTIONS}
# the question whose `when` is {"yes": "groin_lump"}
[FOLLOW_UP] = [q["id"] for q in QUESTIONS if q.get("when") == {"yes": "groin_lump"}]

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>psoas-triage intake in LHC-Forms</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="lforms/webcomponent/styles.css">
</head><body>
<div id="form"></div>
%s
<script>
// lforms' scripts need document.body: they come at its end, and then the form
window.psoasState = "loading";
fetch("questionnaire.json").then(r => r.json())
  .then(q => LForms.Util.addFormToPage(q, "form", {fhirVersion: "R4"}))
  .then(() => { window.psoasState = "ready"; }, e => { window.psoasState = "error: " + e; });
</script>
</body></html>
""" % "\n".join(f'<script src="lforms/{s}"></script>' for s in SCRIPTS)


class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def site():
    """The page, the exported Questionnaire and lforms' dist (a symbolic link), served on
    127.0.0.1; yields its url."""
    d = tmpdir("psoas-lforms-")
    p = run(["fhir", "questionnaire"])
    expect(p.returncode == 0, f"fhir questionnaire: exit {p.returncode}: {p.stderr}")
    write(os.path.join(d, "questionnaire.json"), p.stdout)
    write(os.path.join(d, "index.html"), PAGE)
    os.symlink(LFORMS, os.path.join(d, "lforms"))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=d))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()
    shutil.rmtree(d, ignore_errors=True)


class Form:
    """One headless chromium showing the Questionnaire in LHC-Forms."""

    def __init__(self, url):
        o = webdriver.ChromeOptions()
        o.binary_location = CHROMIUM
        for a in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                  "--disable-extensions", "--no-first-run", "--lang=en-GB", "--window-size=1000,1000",
                  # no network: every host name but the local server's fails to resolve
                  "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"):
            o.add_argument(a)
        o.set_capability("goog:loggingPrefs", {"browser": "ALL"})
        try:
            self.d = webdriver.Chrome(service=Service(CHROMEDRIVER), options=o)
        except WebDriverException as e:
            pytest.skip(f"chromium does not start here: {str(e).splitlines()[0]}")
        self.d.set_page_load_timeout(WAIT)
        self.d.set_script_timeout(WAIT)
        self.url = url

    def quit(self):
        self.d.quit()

    def wait(self, what, why):
        try:
            return WebDriverWait(self.d, WAIT, poll_frequency=0.1).until(lambda d: what())
        except Exception as e:
            raise AssertionError(f"waited {WAIT} s for {why}: {type(e).__name__} {e}") from None

    def js(self, script, *args):
        return self.d.execute_script(script, *args)

    def open(self):
        """A fresh form: the page loaded again, LHC-Forms ready, nothing loaded from any
        other origin, and no error on the console."""
        self.d.get(self.url + "/index.html")
        self.wait(lambda: self.js("return window.psoasState") != "loading", "LHC-Forms to render the form")
        state = self.js("return window.psoasState")
        expect(state == "ready", f"LHC-Forms did not load the Questionnaire: {state}; console: {self.console()}")
        self.wait(lambda: self.item("age") is not None, "the first question")
        foreign = self.js("return performance.getEntriesByType('resource').map(e => e.name)"
                          ".filter(u => !u.startsWith(location.origin))")
        expect(foreign == [], f"the page loaded from elsewhere: {foreign}")
        errors = [m for m in self.console() if m["level"] == "SEVERE"]
        expect(errors == [], f"errors on the console: {errors}")

    def console(self):
        return self.d.get_log("browser")

    # ---- the items: LHC-Forms names them by linkId ("item-fever/1", in a group "/1/1")
    def item(self, link):
        """The displayed <lhc-item> of linkId link, or None (not in the DOM, or hidden)."""
        for e in self.d.find_elements(By.CSS_SELECTOR, f'lhc-item[id^="item-{link}/"]'):
            if e.get_attribute("id").split("/")[0] == "item-" + link and e.is_displayed():
                return e
        return None

    def shown(self, link):
        return self.item(link) is not None

    def wait_shown(self, link, shown=True):
        self.wait(lambda: self.shown(link) == shown, f"{link} to be {'shown' if shown else 'gone'}")

    def radio_id(self, link):
        """The id LHC-Forms gives the radio group of boolean linkId link ("fever/1")."""
        labels = self.item(link).find_elements(By.CSS_SELECTOR, "lhc-item-boolean label.ant-radio-wrapper")
        expect(labels, f"{link}: no Yes / No radio buttons")
        return labels[0].get_attribute("id").rsplit("|", 1)[0]

    def click_yes_no(self, link, yes, radio=None):
        """Clicks Yes or No of boolean link, as a person does, and waits until it is checked."""
        radio = radio or self.radio_id(link)
        label = self.d.find_element(By.ID, f"{radio}|{'true' if yes else 'false'}")
        label.click()
        self.wait(lambda: "ant-radio-wrapper-checked" in (label.get_attribute("class") or ""),
                  f"{link} {'Yes' if yes else 'No'} to be checked")

    def type_number(self, link, n):
        box = self.d.find_element(By.ID, f"{link}/1")
        box.click()
        box.clear()
        box.send_keys(str(n), Keys.TAB)
        self.wait(lambda: box.get_attribute("value") == str(n), f"{link} to hold {n}")

    def choose(self, link, choice):
        """Opens the list of choice item link (autocomplete-lhc) and clicks choice."""
        box = self.d.find_element(By.ID, f"{link}/1")
        box.click()
        css = "#lhc-tools-searchResults li"
        self.wait(lambda: any(li.is_displayed() for li in self.d.find_elements(By.CSS_SELECTOR, css)),
                  f"the list of {link}")
        items = {li.text.split(":", 1)[-1].strip(): li for li in self.d.find_elements(By.CSS_SELECTOR, css)}
        expect(choice in items, f"{link}: {choice} not in the list {sorted(items)}")
        items[choice].click()
        self.wait(lambda: box.get_attribute("value") == choice, f"{link} to show {choice}")

    def answer(self, link, value):
        q = BY_ID[link]
        if q["type"] == "bool":
            self.click_yes_no(link, value is True or value == "yes")
        elif q["type"] == "int":
            self.type_number(link, value)
        else:
            self.choose(link, value)

    def open_booleans(self, done):
        """[(linkId, radio id)] of the boolean items shown, in form order, not in done."""
        return self.js("""
            const out = [];
            for (const g of document.querySelectorAll('#form lhc-item-boolean nz-radio-group')) {
              const radio = g.querySelector('label.ant-radio-wrapper').id.split('|')[0];
              const link = radio.split('/')[0];
              if (!arguments[0].includes(link) && g.offsetParent !== null) out.push([link, radio]);
            }
            return out;""", sorted(done))

    def response(self):
        return self.js("return LForms.Util.getFormFHIRData('QuestionnaireResponse', 'R4', "
                       "document.getElementById('form'))")

    def shot(self, name):
        if SHOTS:
            os.makedirs(SHOT_DIR, exist_ok=True)
            self.js("document.activeElement && document.activeElement.blur(); window.scrollTo(0, 0)")
            time.sleep(1)  # the radio buttons' animation (ng-zorro) to end
            self.d.save_screenshot(os.path.join(SHOT_DIR, name + ".png"))


@pytest.fixture
def form(site):
    f = Form(site)
    try:
        f.open()
        yield f
    finally:
        f.quit()


# ---- enableWhen, as LHC-Forms reads it ------------------------------------------------------

def test_pregnancy_question_only_for_those_who_could_be(form):
    """A man of 45 or 55 never sees `pregnant` (it is not in the DOM at any step), whether he
    gives his sex or his age first (a `not_is` under `all` waits for the sex to exist; sex
    is required); a woman of 30 sees it once both are given, not before."""
    expect(not form.shown("pregnant"), "pregnant shown before age and sex are answered")
    form.choose("sex", "male")
    expect(not form.shown("pregnant"), "pregnant shown to a man")
    form.type_number("age", 45)
    expect(form.shown("testicular_pain"), "testicular_pain not shown to a man")  # the form is live
    expect(not form.shown("pregnant"), "pregnant shown to a man of 45")
    form.wait_shown("vascular_risk", False)  # age >= 50: not for 45

    form.open()
    form.type_number("age", 55)
    form.wait_shown("vascular_risk")  # age >= 50: the form has read the age, 10-60 holds
    expect(not form.shown("pregnant"), "pregnant shown to a man of 55 before he gives his sex")
    form.choose("sex", "male")
    form.wait_shown("testicular_pain")
    expect(not form.shown("pregnant"), "pregnant shown to a man")

    form.open()
    form.choose("sex", "female")
    expect(not form.shown("pregnant"), "pregnant shown before the age is given (>= on no answer is false)")
    form.type_number("age", 30)
    form.wait_shown("pregnant")
    expect(not form.shown("testicular_pain"), "testicular_pain shown to a woman")
    form.click_yes_no("pregnant", True)
    form.wait_shown("vaginal_bleeding")
    form.shot("lforms")


def test_groin_lump_follow_up(form):
    """The question whose `when` is {"yes": "groin_lump"} comes with a Yes to groin_lump
    only: not before, not with a No."""
    expect(FOLLOW_UP == "groin_lump_irreducible", FOLLOW_UP)
    expect(not form.shown(FOLLOW_UP), f"{FOLLOW_UP} shown before groin_lump is answered")
    form.click_yes_no("groin_lump", False)
    expect(not form.shown(FOLLOW_UP), f"{FOLLOW_UP} shown after groin_lump No")
    form.click_yes_no("groin_lump", True)
    form.wait_shown(FOLLOW_UP)
    form.click_yes_no("groin_lump", False)
    form.wait_shown(FOLLOW_UP, False)
    form.click_yes_no("groin_lump", True)
    form.wait_shown(FOLLOW_UP)


def test_help_button_shows_why(form):
    """The `-why` display item (itemControl help) is LHC-Forms' "?" button: clicked, it
    shows the question's why.  (The `-help` item's itemControl flyover is one LHC-Forms
    does not support, lforms' r4-support.md: that text is not shown at all.)"""
    why, how = BY_ID["groin_lump"]["why"], BY_ID["groin_lump"]["help"]
    buttons = form.item("groin_lump").find_elements(By.CSS_SELECTOR, "button.lhc-help-button")
    expect(len(buttons) == 1, f"{len(buttons)} help buttons")
    buttons[0].click()
    css = ".lhc-popover-help"
    form.wait(lambda: any(why in p.text for p in form.d.find_elements(By.CSS_SELECTOR, css) if p.is_displayed()),
              "the why of groin_lump in the help popover")
    expect(not form.js("return document.body.innerText.includes(arguments[0])", how),
           "the flyover help text is shown: LHC-Forms supports flyover now (update the README)")


# ---- a vignette through the form, its QuestionnaireResponse through eval ----------------------

def fill(form, case):
    """Answers case's answers in the form through its UI: age and sex first (typed,
    picked), then down the form every Yes / No shown, clicked (each click may bring
    follow-ups; they are answered in turn).  "unknown" is left unanswered; with
    "unanswered_means": "no" every boolean the case does not answer is clicked No, as on a
    paper form where an unticked box means no.  Returns the linkIds clicked."""
    answers = {k: v for k, v in case["answers"].items() if v != "unknown"}
    no = case.get("unanswered_means") == "no"
    for link in ("sex", "age"):
        if link in answers:
            form.answer(link, answers[link])
    done, clicked = set(), []
    while True:
        todo = form.open_booleans(done)
        if not todo:
            others = [k for k in answers if k not in done and BY_ID[k]["type"] != "bool" and k not in ("sex", "age")]
            for k in others:  # numbers and choices further down (e.g. symptom_weeks)
                form.wait_shown(k)
                form.answer(k, answers[k])
                done.add(k)
            if not others:
                break
            continue
        link, radio = todo[0]
        done.add(link)
        if link in answers or no:
            v = answers.get(link, False)
            form.click_yes_no(link, v is True or v == "yes", radio)
            clicked.append(link)
    missed = [k for k in answers if k not in done and k not in ("sex", "age")]
    expect(not missed, f"answers the form never showed: {missed}")
    return clicked


def answers_of(qr):
    """linkId -> the answer element of a QuestionnaireResponse (nested items too)."""
    out = {}

    def walk(items):
        for it in items or []:
            for a in it.get("answer", []):
                out[it["linkId"]] = a
                walk(a.get("item"))
            walk(it.get("item"))
    walk(qr.get("item"))
    return out


def validate(path):
    """tests/fhir-validate.js (FHIR.js) on path, when node and the npm package fhir are
    here (npm ci installs both packages): None, or what it said."""
    node = shutil.which("node") or shutil.which("nodejs")
    if not node or not os.path.isdir(os.path.join(ROOT, "node_modules", "fhir")):
        return None
    p = subprocess.run([node, os.path.join(HERE, "fhir-validate.js"), path], capture_output=True,
                       text=True, timeout=300)
    return p


SAME = ("disposition", "action", "concerns", "precautions", "indications", "ask", "knowledge")


@pytest.mark.parametrize("name", ["dev-05", "dev-21"])
def test_vignette_through_the_form(form, name):
    """dev-05 (a 34-year-old transplant recipient with fever, groin pain and a limp; an
    unticked box means no: some 75 clicks) and dev-21 (a man of 30 with back pain, the
    rest left open): the QuestionnaireResponse LHC-Forms makes is valid FHIR R4, holds
    each answer as the Questionnaire types it (valueBoolean, valueInteger, a valueCoding
    of the choice's system), and `eval` of it gives the vignette's own result: the same
    disposition, concerns (with their because), precautions and action."""
    path = os.path.join(HERE, "vignettes", name + ".json")
    case = load(path)
    clicked = fill(form, case)
    qr = form.response()
    expect(qr and qr.get("resourceType") == "QuestionnaireResponse", f"no QuestionnaireResponse: {qr}")
    got = answers_of(qr)
    given = {k: v for k, v in case["answers"].items() if v != "unknown"}
    for k, v in given.items():
        q = BY_ID[k]
        want = ({"valueBoolean": v is True or v == "yes"} if q["type"] == "bool" else
                {"valueInteger": v} if q["type"] == "int" else
                {"valueCoding": {"system": f"http://psoas-triage.example/fhir/CodeSystem/{k}", "code": v,
                                 "display": v}})
        expect(got.get(k) == want, f"{k}: LHC-Forms wrote {got.get(k)}, the form was given {want}")
    extra = {k: a for k, a in got.items() if k not in given and a != {"valueBoolean": False}}
    expect(not extra, f"answers nobody gave: {extra}")
    expect(set(got) == set(given) | set(clicked), f"answered {sorted(set(got) ^ (set(given) | set(clicked)))}")
    d = tmpdir("psoas-lforms-qr-")
    try:
        qpath = write(os.path.join(d, name + "-lforms.json"), json.dumps(qr, indent=1))
        v = validate(qpath)
        expect(v is None or (v.returncode == 0 and ": error" not in v.stdout), f"FHIR.js: {v and v.stdout + v.stderr}")
        p = run(["eval", qpath])
        expect(p.returncode == 0, f"eval of LHC-Forms' response: exit {p.returncode}: {p.stdout}{p.stderr}")
        [mine] = records(p.stdout)
        [theirs] = records(run(["eval", path]).stdout)
        expect(mine["disposition"] == theirs["disposition"] == case["expect"]["disposition"],
               f"{mine['disposition']} from the form, {theirs['disposition']} from the case file")
        diff = {k: (mine.get(k), theirs.get(k)) for k in SAME if mine.get(k) != theirs.get(k)}
        expect(not diff, f"the form's response and the case file differ: {diff}")
    finally:
        shutil.rmtree(d, ignore_errors=True)
