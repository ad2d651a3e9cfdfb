"""The web pages of `psoas-triage serve` as people use them, in a real browser: Debian's
chromium, headless, driven through selenium (python3-selenium, chromium-driver).

  - a patient through /intake on a tablet (768 x 1024) and on a phone (390 x 844),
    answering from a vignette: Yes / No / Don't know, numbers, choices, Back once, "Why is
    this asked?" once, a reload half-way; the result page's level is `eval` of the case
    file the server saved, and the questions asked are the terminal's; the emergency
    message (role=alert) comes with the answer that establishes the emergency;
  - the same with JavaScript off;
  - a receptionist through /screen: a Yes to a checklist opens its members, one at a time;
  - the desk: /cases (newest first, with the levels), /cases/ID, /cases/ID/letter, and
    "Continue" on an unfinished session;
  - what can be checked of accessibility from the DOM on every page visited: labels, the
    text of buttons, targets of at least 44 px, contrast, no horizontal scrolling at 200 %
    zoom, the Tab order reaching the answer buttons, a visible focus (and a check that
    these checks catch each fault they look for).

PSOAS_SCREENSHOTS=1 (`make screenshots`) saves the pages shown in the README into
doc/screenshots/.  Skipped when selenium, chromium or chromedriver is missing."""
import json
import os
import shutil
import time

import pytest

import harness

import dialog
from harness import ROOT, WebServer, expect, load, records, run, tmpdir, write

if os.environ.get("PSOAS_TOOL_STATUS"):  # the pages' server paths run under the tools in test_serve
    pytest.skip("the browser tests do not run again under the sanitizers and valgrind", allow_module_level=True)
try:
    from selenium import webdriver
    from selenium.common.exceptions import StaleElementReferenceException, WebDriverException
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import WebDriverWait
except ImportError:
    pytest.skip("selenium is not installed (Debian: python3-selenium)", allow_module_level=True)

CHROMIUM, CHROMEDRIVER = harness.chromium_or_skip()

WAIT = 60  # seconds for a page: generous, the machine may be building at the same time
TABLET, PHONE, DESK = (768, 1024), (390, 844), (1024, 768)
SHOTS = os.environ.get("PSOAS_SCREENSHOTS") == "1"
SHOT_DIR = os.path.join(ROOT, "doc", "screenshots")
TOKEN = "clinic-tablets-token-0123456789"
with open(os.path.join(ROOT, "kb", "levels.json")) as _f:
    LABELS = {lv["id"]: lv["label"] for lv in json.load(_f)["levels"]}


def vignette(name):
    return load(os.path.join(ROOT, "tests", "vignettes", name + ".json"))


def gone_error(e):
    """An error of chromedriver that says the element's page is gone (a navigation)."""
    return isinstance(e, StaleElementReferenceException) or "does not belong to the document" in str(e)


# ---- the browser ----------------------------------------------------------------------------

class Browser:
    """One headless chromium with its own profile (cookies), its viewport emulated at
    size (CSS pixels; mobile: the viewport meta tag applies, as on a tablet or phone)."""

    def __init__(self, server, size, mobile=True, javascript=True):
        o = webdriver.ChromeOptions()
        o.binary_location = CHROMIUM
        for a in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                  "--disable-extensions", "--no-first-run", "--lang=en-GB",
                  f"--window-size={size[0]},{size[1]}"):
            o.add_argument(a)
        if not javascript:
            o.add_experimental_option("prefs", {"profile.managed_default_content_settings.javascript": 2})
        try:
            self.d = webdriver.Chrome(service=Service(CHROMEDRIVER), options=o)
        except WebDriverException as e:
            pytest.skip(f"chromium does not start here: {str(e).splitlines()[0]}")
        self.d.set_page_load_timeout(WAIT)
        self.server, self.size, self.mobile = server, size, mobile
        self.metrics(size, mobile=mobile)

    def metrics(self, size, scale=1, mobile=None):
        self.d.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
            "width": size[0], "height": size[1], "deviceScaleFactor": scale,
            "mobile": self.mobile if mobile is None else mobile})

    def quit(self):
        self.d.quit()

    # navigation: every step waits until the old page is gone and the new one is loaded
    def get(self, path):
        self.d.get(self.server.url + path)
        self._loaded()

    def _loaded(self):
        WebDriverWait(self.d, WAIT).until(lambda d: d.execute_script("return document.readyState") == "complete")

    def submit(self, button, key=None):
        """Clicks button (or presses key on it) and waits for the page it leads to."""
        html = self.d.find_element(By.TAG_NAME, "html")
        try:
            if key:
                button.send_keys(key)
            else:
                button.click()
        except WebDriverException as e:
            # chromedriver looks at the button again after the click, and the page it
            # led to may already be there: the click was made (if not, the wait below
            # fails)
            if not gone_error(e):
                raise
        self._left(html)

    def _left(self, html):
        """Waits until the page of element html is replaced by the next one, loaded."""
        def gone(_):
            try:
                html.is_enabled()
                return False
            except WebDriverException as e:  # stale, or "not in the document" (a race)
                if gone_error(e):
                    return True
                raise
        WebDriverWait(self.d, WAIT).until(gone)
        self._loaded()

    def reload(self):
        html = self.d.find_element(By.TAG_NAME, "html")
        self.d.refresh()
        self._left(html)

    def one(self, css):
        return self.d.find_element(By.CSS_SELECTOR, css)

    def all(self, css):
        return self.d.find_elements(By.CSS_SELECTOR, css)

    def js(self, script, *args):
        return self.d.execute_script(script, *args)

    def body_classes(self):
        return (self.one("body").get_attribute("class") or "").split()

    def text(self):
        return self.one("body").text

    # the dialogue pages
    def prompt(self):
        """The ids of the question(s) on the page, or None when it asks nothing."""
        at = self.all("form.question input[name=at]")
        return at[0].get_attribute("value").split() if at else None

    def kind(self):
        """bool, int or choice: how the page's question is answered."""
        if self.all("form.question input[type=number]"):
            return "int"
        return "bool" if self.all('form.question button[value="yes"]') else "choice"

    def button(self, typed):
        """The form's button for a typed answer (y, n, ?, a number, a choice)."""
        value = {"y": "yes", "n": "no", "?": "unknown"}.get(typed, typed)
        if self.kind() == "int" and typed != "?":
            value = "value"
        for b in self.all("form.question button[name=a]"):
            if b.get_attribute("value") == value:
                return b
        raise AssertionError(f"no button for {typed!r} on the page:\n{self.text()[:1500]}")

    def answer(self, typed):
        if self.kind() == "int" and typed != "?":
            box = self.one("form.question input[type=number]")
            box.clear()
            box.send_keys(typed)
        self.submit(self.button(typed))

    def session(self, mode="intake"):
        c = self.d.get_cookie("pt_" + mode)
        expect(c and c.get("httpOnly"), f"no HttpOnly session cookie pt_{mode}: {c}")
        return c["value"].rsplit(".", 1)[0]

    def shot(self, name):
        if SHOTS:
            os.makedirs(SHOT_DIR, exist_ok=True)
            self.d.save_screenshot(os.path.join(SHOT_DIR, name + ".png"))


@pytest.fixture
def browsers():
    """browsers(server, size, ...) -> a new Browser; all quit after the test."""
    made = []

    def make(server, size, **kw):
        b = Browser(server, size, **kw)
        made.append(b)
        return b
    yield make
    for b in made:
        b.quit()


@pytest.fixture(scope="module")
def server():
    """The server on loopback, no token (`serve --listen 127.0.0.1:0 --cases DIR`)."""
    with WebServer("--threads", "2") as s:
        yield s


@pytest.fixture(scope="module")
def clinic():
    """The server with an access token (the clinic's LAN): tablets sign in "for patients"."""
    token = write(os.path.join(tmpdir("psoas-token-"), "token"), TOKEN + "\n")
    with WebServer("--token-file", token, "--threads", "2") as s:
        yield s


# ---- what the server saved, and what eval makes of it ---------------------------------------

def saved(server, sid):
    path = os.path.join(server.cases, sid + ".json")
    expect(os.path.isfile(path), f"the session's case file {path} is missing")
    with open(path) as f:
        return path, json.load(f)  # it must parse


def eval_of(path, fmt=None, columns=None):
    args = ["eval"] + (["--format", fmt] if fmt else []) + [path]
    p = run(args, env={"COLUMNS": str(columns)} if columns else None)
    expect(p.returncode in (0, 65), f"eval {path}: exit {p.returncode}\n{p.stderr}")
    return p.stdout if fmt else records(p.stdout)[0]


def typed_of(value):
    """A saved answer as the vignette helpers type it (y, n, ?, the number or choice)."""
    return dialog.typed(value)


def expect_saved_answers(server, sid, v, asked):
    """The case file holds the vignette's answer to every single question asked so far,
    and nothing else (a checklist answered no sets its members no)."""
    _, doc = saved(server, sid)
    got = {q: typed_of(a) for q, a in doc.get("answers", {}).items()}
    want = {}
    for ids in asked:
        typed = dialog.answer_for(v, ids)
        if len(ids) == 1:
            want[ids[0]] = typed
        elif typed == "n":
            want.update({q: "n" for q in ids})
    expect(got == want, f"the saved answers differ from the ones given:\n saved {got}\n given {want}")


def terminal_prompts(v, command):
    """The prompts the terminal asks for vignette v (the reference: one dialogue, three
    hosts), the case file it saved and its transcript."""
    d, asked, status, path = dialog.run_vignette(v, command, tmpdir("psoas-term-"))
    expect(status == 0, f"{command} at the terminal: exit {status}")
    return asked, path, d.text()


# ---- accessibility, from the DOM ----------------------------------------------------------------

A11Y = r"""
const out = [];
const show = (el) => el.outerHTML.slice(0, 160);
if (!document.documentElement.lang) out.push('no lang on <html>');
if (!document.title.trim()) out.push('no <title>');
if (document.querySelectorAll('h1').length < 1) out.push('no <h1>');
for (const el of document.querySelectorAll('input, select, textarea')) {
  if (el.type === 'hidden') continue;
  const label = (el.id && document.querySelector('label[for="' + CSS.escape(el.id) + '"]')) ||
                el.closest('label') || el.getAttribute('aria-label') || el.getAttribute('aria-labelledby');
  if (!label || (label.textContent !== undefined && !label.textContent.trim())) out.push('no label: ' + show(el));
}
for (const el of document.querySelectorAll('button, a[href], summary')) {
  if (!(el.innerText || '').trim() && !el.getAttribute('aria-label')) out.push('no text: ' + show(el));
}
for (const el of document.querySelectorAll('img, svg')) {
  if (el.tagName === 'IMG' && el.getAttribute('alt') === null) out.push('img without alt: ' + show(el));
}
// the targets a patient presses: the answers, Back, Start, Next person
for (const el of document.querySelectorAll('form.question button, form.back button, button.start, button.next-person')) {
  const r = el.getBoundingClientRect();
  if (r.height < 44 || r.width < 44) out.push(`target ${r.width.toFixed(0)}x${r.height.toFixed(0)} px: ` + show(el));
}
// contrast (WCAG AA) of the text that is shown
const rgb = (s) => { const m = s.match(/[\d.]+/g).map(Number); return {r: m[0], g: m[1], b: m[2], a: m.length > 3 ? m[3] : 1}; };
const lum = (c) => { const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
                     return 0.2126 * f(c.r) + 0.7152 * f(c.g) + 0.0722 * f(c.b); };
const background = (el) => { for (; el; el = el.parentElement) { const c = rgb(getComputedStyle(el).backgroundColor);
                                                                 if (c.a > 0) return c; } return {r: 255, g: 255, b: 255, a: 1}; };
const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
const seen = new Set();
for (let n; (n = walker.nextNode());) {
  const el = n.parentElement;
  if (!n.textContent.trim() || seen.has(el) || !el.offsetParent && getComputedStyle(el).position !== 'fixed') continue;
  seen.add(el);
  if (el.closest('[disabled]') || el.closest('details:not([open]) > :not(summary)')) continue;
  const st = getComputedStyle(el);
  const fg = rgb(st.color), bg = background(el);
  const l1 = lum(fg), l2 = lum(bg), ratio = (Math.max(l1, l2) + 0.05) / (Math.min(l1, l2) + 0.05);
  const size = parseFloat(st.fontSize), bold = parseInt(st.fontWeight, 10) >= 700;
  const need = size >= 24 || (bold && size >= 18.66) ? 3 : 4.5;
  if (ratio < need) out.push(`contrast ${ratio.toFixed(2)} < ${need}: ` + show(el));
}
return out;
"""

OVERFLOW = r"""
const de = document.documentElement, w = de.clientWidth, out = [];
if (de.scrollWidth > w) {
  for (const el of document.querySelectorAll('body *')) {
    const r = el.getBoundingClientRect();
    if (r.right > w + 1 && r.width > 0) out.push(`${el.tagName.toLowerCase()}.${el.className} right=${r.right.toFixed(0)}`);
  }
  out.unshift(`scrollWidth ${de.scrollWidth} > clientWidth ${w}`);
}
return out.slice(0, 8);
"""


def accessible(b, what):
    """The DOM checks on the page shown, and no horizontal scrolling, also at 200 % zoom
    (the viewport halved at twice the pixel density: what a zoom of 200 % makes of it) on
    a screen of 640 px or more (WCAG's reflow asks for 320 CSS px, not less)."""
    problems = b.js(A11Y)
    expect(not problems, f"{what}: accessibility:\n  " + "\n  ".join(problems))
    sizes = [(b.size, "100 %")] + ([((b.size[0] // 2, b.size[1] // 2), "200 %")] if b.size[0] >= 640 else [])
    for size, label in sizes:
        b.metrics(size, scale=1 if label == "100 %" else 2, mobile=False)
        try:
            over = b.js(OVERFLOW)
        finally:
            b.metrics(b.size)
        expect(not over, f"{what}: horizontal scrolling at {label} zoom on {b.size[0]} px:\n  " + "\n  ".join(over))


def focus_order(b):
    """Tab from the top of the page: the descriptions of the elements focused in turn
    (until the focus leaves the page or comes round)."""
    b.js("if (document.activeElement) document.activeElement.blur(); window.scrollTo(0, 0);")
    order, first = [], None
    for _ in range(30):
        ActionChains(b.d).send_keys(Keys.TAB).perform()
        el = b.d.switch_to.active_element
        desc = b.js("const e = arguments[0]; return e === document.body ? '' : "
                    "e.tagName.toLowerCase() + ':' + (e.value && e.tagName === 'BUTTON' ? e.value : (e.innerText || e.name || '').trim());", el)
        if not desc or desc == first:
            break
        first = first or desc
        order.append(desc)
        if len(order) > 1 and desc == order[0]:
            break
    return order


def expect_tab_reaches_answers(b, what):
    order = focus_order(b)
    answers = [f"button:{x.get_attribute('value')}" for x in b.all("form.question button[name=a]")]
    pos = [order.index(a) if a in order else -1 for a in answers]
    expect(-1 not in pos, f"{what}: Tab does not reach every answer button {answers}: {order}")
    expect(pos == sorted(pos) and pos[-1] - pos[0] == len(pos) - 1,
           f"{what}: the answer buttons are not reached in their order, one after another: {order}")
    later = [i for i, d in enumerate(order) if d.startswith("summary:") or d == "button:"]
    expect(all(i > pos[-1] for i in later), f"{what}: Why / Back come before the answers: {order}")
    return order


def tab_to(b, value):
    """Focuses the answer button `value` with Tab from the top; returns it."""
    b.js("if (document.activeElement) document.activeElement.blur(); window.scrollTo(0, 0);")
    for _ in range(30):
        ActionChains(b.d).send_keys(Keys.TAB).perform()
        el = b.d.switch_to.active_element
        if el.tag_name == "button" and el.get_attribute("value") == value:
            st = b.js("const s = getComputedStyle(arguments[0]); return [s.outlineStyle, parseFloat(s.outlineWidth)];", el)
            expect(st[0] != "none" and st[1] >= 2, f"the focused button {value!r} shows no focus ring: {st}")
            return el
    raise AssertionError(f"Tab never reaches the button {value!r}")


# ---- the patient ---------------------------------------------------------------------------------

def result_level(b):
    """The level the result page shows: its class and the label in its record, which must
    agree."""
    lv = [c[3:] for c in b.body_classes() if c.startswith("lv-")]
    expect(len(lv) == 1, f"the result page has no single level class: {b.body_classes()}")
    record = b.one("pre.record").text
    shown = [k for k, label in LABELS.items() if f"\n  {label}\n" in "\n" + record + "\n"]
    expect(shown == lv, f"the page's class says {lv}, its record shows {shown}:\n{record[:600]}")
    verdict = b.all("p.verdict")  # the level in words above the record (the alert's, for an emergency)
    if lv[0] == "emergency":
        expect(not verdict, "an emergency's page shows a level above the record besides the alert")
    else:
        expect(len(verdict) == 1 and verdict[0].get_attribute("class").split() == ["verdict", f"lv-{lv[0]}"]
               and verdict[0].text.startswith(LABELS[lv[0]]),
               f"the level above the record is not {lv[0]}: {[(v.get_attribute('class'), v.text) for v in verdict]}")
    return lv[0], record


def test_patient_on_a_tablet(clinic, browsers):
    """An urgent vignette (rev-20: a runner with groin pain) through /intake on a tablet
    signed in for patients: every kind of answer, Back once, Why once, a keyboard answer,
    a reload half-way; the same questions as the terminal; the level is eval's."""
    v = vignette("rev-20")
    expect(not dialog.THERAPIST & set(v["answers"]), "the web intake asks no therapist's findings")
    ref, term_file, _ = terminal_prompts(v, "intake")
    b = browsers(clinic, TABLET)
    b.get("/intake")
    expect(b.prompt() is None and b.all("input#token"), "the clinic's server asks for a sign-in")
    accessible(b, "/login")
    b.one("input#token").send_keys(TOKEN)
    b.one("input#kiosk").click()
    b.submit(b.one("form.login button"))
    expect(b.d.current_url.endswith("/intake") and b.all("button.start"), f"after sign-in: {b.d.current_url}")
    expect(not b.all("nav a[href='/cases']"), "a patients' tablet shows the desk's links")
    accessible(b, "/intake start")
    b.submit(b.one("button.start"))
    sid = b.session()
    asked, kinds, done = [], set(), set()
    half = len(ref) // 2
    while (ids := b.prompt()) is not None:
        expect(len(asked) < 120, "more than 120 prompts")
        kind = b.kind()
        if kind not in kinds:  # each kind of page once: the accessibility checks
            kinds.add(kind)
            accessible(b, f"a {kind} question ({ids[0]})")
            if kind == "bool":
                expect_tab_reaches_answers(b, f"a yes/no question ({ids[0]})")
                b.shot("tablet-question")
        if kind == "bool" and "why" not in done and len(asked) >= 3:
            done.add("why")  # Why is this asked? opens in place, says why
            why = b.one("details.why")
            expect(not why.get_attribute("open"), "the Why box is open before it is asked")
            b.one("details.why summary").click()
            WebDriverWait(b.d, WAIT).until(lambda d: why.get_attribute("open") is not None)
            text = why.find_element(By.TAG_NAME, "p")
            expect(text.is_displayed() and len(text.text) > 20, f"the Why box says nothing: {text.text!r}")
            accessible(b, "the Why box open")
            b.shot("tablet-why")
        if len(asked) == half and "reload" not in done:
            done.add("reload")  # a reload half-way: the same question, nothing lost
            progress = b.one(".progress").text
            b.reload()
            expect(b.prompt() == ids, f"after a reload: {b.prompt()} instead of {ids}")
            expect(b.one(".progress").text == progress, f"the progress changed on a reload: {progress}")
            expect_saved_answers(clinic, sid, v, asked)
        typed = dialog.answer_for(v, ids)
        if kind == "bool" and "keyboard" not in done and len(asked) >= 5:
            done.add("keyboard")  # Tab to the answer, Enter (a keyboard or switch user)
            b.submit(tab_to(b, {"y": "yes", "n": "no", "?": "unknown"}[typed]), key=Keys.ENTER)
        elif kind == "bool" and "key" not in done and len(asked) >= 7:
            done.add("key")  # app.js: the keys y, n and ? answer
            html = b.one("html")
            ActionChains(b.d).send_keys(typed).perform()
            b._left(html)
        else:
            b.answer(typed)
        asked.append(ids)
        if len(asked) == 3 and "back" not in done:
            done.add("back")  # Back undoes exactly the last answer
            b.submit(b.one("form.back button"))
            expect(b.prompt() == asked[-1], f"Back shows {b.prompt()}, not {asked[-1]}")
            asked.pop()
            expect_saved_answers(clinic, sid, v, asked)
        if b.prompt() is not None:
            expect(not b.all("[role=alert]"), f"an alert on a question page after {ids}")
    expect(done == {"why", "reload", "back", "keyboard", "key"}, f"the run did not try everything: {done}")
    expect(kinds == {"bool", "int", "choice"}, f"not every kind of question was answered: {kinds}")
    expect(asked == ref, f"the web asked other questions than the terminal:\n web {asked}\n terminal {ref}")
    expect_saved_answers(clinic, sid, v, asked)
    # the result: the level eval gives the saved case file, and the terminal's
    path, _ = saved(clinic, sid)
    level, record = result_level(b)
    want = eval_of(path)["disposition"]
    expect(level == want == eval_of(term_file)["disposition"] == v["expect"]["disposition"],
           f"web {level}, eval of its file {want}, terminal {eval_of(term_file)['disposition']}, "
           f"vignette {v['expect']['disposition']}")
    expect(record == eval_of(path, "text", 80).rstrip("\n"),
           "the result page's record is not what eval --format text writes of the case file")
    expect(not b.all("[role=alert]"), "an emergency alert on an urgent result")
    accessible(b, "the urgent result")
    b.metrics(PHONE)
    b.shot("phone-result")
    b.metrics(b.size)
    # a patients' tablet reaches nothing else
    b.get("/cases")
    expect("This device is for the intake only." in b.text() and not b.all("table.cases"), "a kiosk sees /cases")
    # and the next person starts anew
    b.get("/intake")
    b.submit(b.one("button.next-person"))  # a new session, at its first question
    expect(b.prompt() == ref[0] and b.session() != sid, "Next person did not start a new session")


def test_patient_on_a_phone_emergency(server, browsers):
    """An emergency vignette (dev-04: saddle numbness and a bladder change) on a phone:
    no alert before, the alert at the top of the page with the answer that establishes
    the emergency -- the first after which eval of the saved case file says emergency,
    and where the terminal stops -- and the level is eval's."""
    v = vignette("dev-04")
    ref, term_file, _ = terminal_prompts(v, "intake")
    b = browsers(server, PHONE)
    b.get("/intake")
    b.submit(b.one("button.start"))
    sid = b.session()
    asked = []
    while (ids := b.prompt()) is not None:
        expect(len(asked) < len(ref), f"the web asks more than the terminal's {len(ref)} prompts: {ids}")
        expect(not b.all("[role=alert]"), f"an alert before the emergency is established (at {ids})")
        if not asked:
            accessible(b, "a question on a phone")
        b.answer(dialog.answer_for(v, ids))
        asked.append(ids)
        if b.prompt() is not None:  # still asking: the answers so far are no emergency yet
            level = eval_of(saved(server, sid)[0])["disposition"]
            expect(level != "emergency", f"eval says emergency after {ids}, the page asks on: {b.prompt()}")
    expect(asked == ref, f"the web asked other questions than the terminal:\n web {asked}\n terminal {ref}")
    alerts = b.all("[role=alert]")
    expect(len(alerts) == 1 and alerts[0].is_displayed(), "no emergency alert on the result page")
    alert = alerts[0]
    top = b.js("return arguments[0].getBoundingClientRect().top", alert)
    expect(top < PHONE[1] / 3, f"the emergency message is not at the top of the page (at {top:.0f} px)")
    words = alert.text
    for w in (LABELS["emergency"], "Call emergency services", "112", "999", "911"):
        expect(w in words, f"the emergency message lacks {w!r}: {words!r}")
    path, _ = saved(server, sid)
    level, _ = result_level(b)
    expect(level == "emergency" == eval_of(path)["disposition"] == eval_of(term_file)["disposition"],
           f"web {level}, eval of its file {eval_of(path)['disposition']}")
    accessible(b, "the emergency page on a phone")
    b.shot("phone-emergency")
    b.metrics(TABLET)
    b.shot("tablet-emergency")
    b.metrics(b.size)


def test_patient_without_javascript(server, browsers):
    """JavaScript off: the pages work as plain forms (a short emergency, dev-03), Back
    too, and the keys of app.js do nothing."""
    v = vignette("dev-03")
    ref, _, _ = terminal_prompts(v, "intake")
    b = browsers(server, TABLET, javascript=False)
    b.get("/intake")
    b.submit(b.one("button.start"))
    sid = b.session()
    asked, tried = [], set()
    while (ids := b.prompt()) is not None:
        expect(len(asked) < 20, "more than 20 prompts")
        if b.kind() == "bool" and "key" not in tried:
            tried.add("key")  # app.js's key y: nothing without the script
            ActionChains(b.d).send_keys("y").perform()
            time.sleep(1)
            expect(b.prompt() == ids and b.one("html"), "a key answered with JavaScript off")
        b.answer(dialog.answer_for(v, ids))
        asked.append(ids)
        if len(asked) == 2 and "back" not in tried:
            tried.add("back")
            b.submit(b.one("form.back button"))
            expect(b.prompt() == ids, f"Back shows {b.prompt()}, not {ids}")
            asked.pop()
    expect(tried == {"key", "back"}, f"the run did not try everything: {tried}")
    expect(asked == ref, f"without JavaScript the web asked {asked}, the terminal {ref}")
    expect(len(b.all("[role=alert]")) == 1, "no emergency alert without JavaScript")
    path, _ = saved(server, sid)
    expect(result_level(b)[0] == eval_of(path)["disposition"] == "emergency", "the level without JavaScript")


def test_accessibility_checks_catch_what_they_look_for(server, browsers):
    """The checks above are not empty: on a page given each fault, each is reported."""
    b = browsers(server, TABLET)
    b.get("/intake")
    accessible(b, "/intake start")
    # (styles set through the CSSOM: the page's Content-Security-Policy drops style attributes)
    b.js("""const m = document.querySelector('main');
            const add = (html, style) => { m.insertAdjacentHTML('beforeend', html);
                                           Object.assign(m.lastElementChild.style, style || {}); };
            add('<input id="nolabel" type="text">');
            add('<button class="start">S</button>', {minHeight: '0', minWidth: '0', height: '30px', padding: '0'});
            add('<button aria-hidden="true"></button>');
            add('<p>pale words</p>', {color: '#bbb'});
            add('<div>wide</div>', {width: '2000px'});""")
    problems = "\n".join(b.js(A11Y))
    for fault in ("no label: <input id=\"nolabel\"", "no text: <button", "target ", "contrast "):
        expect(fault in problems, f"the checks miss {fault!r}:\n{problems}")
    expect(b.js(OVERFLOW), "the overflow check misses a 2000 px element")


# ---- the front desk ----------------------------------------------------------------------------

def test_receptionist_screen_checklists(server, browsers):
    """/screen with dev-02 (a pulsing lump in the belly): the red flags as checklists; a
    Yes to one opens its members, asked one at a time; the same prompts and desk verdict
    as the terminal's screen."""
    v = vignette("dev-02")
    ref, term_file, term_text = terminal_prompts(v, "screen")
    b = browsers(server, DESK, mobile=False)
    b.get("/screen")
    accessible(b, "/screen start")
    b.submit(b.one("button.start"))
    asked, shot = [], False
    while (ids := b.prompt()) is not None:
        expect(len(asked) < 60, "more than 60 prompts")
        items = b.all("ul.checklist li")
        if len(ids) > 1:
            expect(len(items) == len(ids), f"a checklist of {len(ids)} questions shows {len(items)} lines")
            expect(b.kind() == "bool", "a checklist is not answered yes / no / don't know")
            if not shot:
                shot = True
                accessible(b, "a checklist")
                expect_tab_reaches_answers(b, "a checklist")
                b.shot("screen-checklist")
        else:
            expect(not items, f"a single question shows a checklist: {ids}")
        b.answer(dialog.answer_for(v, ids))
        asked.append(ids)
    # a Yes to a checklist opens it: its members come next, one at a time
    yes = [i for i, p in enumerate(asked) if len(p) > 1 and dialog.answer_for(v, p) == "y"]
    expect(yes, f"no checklist was answered yes: {asked}")
    group, after = asked[yes[0]], asked[yes[0] + 1:]
    members = [p for p in after if set(p) & set(group)]
    expect(after and len(after[0]) == 1 and after[0][0] in group,
           f"a Yes to the checklist {group} did not open it: next {after[:1]}")
    expect(all(len(p) == 1 for p in members) and len(members) >= 2,
           f"the opened checklist's members are not asked one at a time: {members}")
    expect(asked == ref, f"the web screen asked other prompts than the terminal:\n web {asked}\n terminal {ref}")
    web, term = dialog.screen_level(b.one("pre.record").text), dialog.screen_level(term_text)
    above = dialog.screen_level(b.one("p.verdict").text)
    expect(above == web and f"lv-{web}" in b.one("p.verdict").get_attribute("class"),
           f"the verdict above the record says {above}, the record {web}")
    expect(web == term == v["expect"]["disposition"],
           f"the desk's verdict: web {web}, terminal {term}, vignette {v['expect']['disposition']}")
    path, _ = saved(server, b.session("screen"))
    lv = [c[3:] for c in b.body_classes() if c.startswith("lv-")]
    expect(lv == [eval_of(path)["disposition"]], f"the screen's result page says {lv}, eval of its file "
           f"{eval_of(path)['disposition']}")
    accessible(b, "the screen's result")


# ---- the desk: /cases ------------------------------------------------------------------------------

def cases_rows(b):
    rows = []
    for tr in b.all("table.cases tbody tr"):
        td = tr.find_elements(By.TAG_NAME, "td")
        level = td[2].find_element(By.CSS_SELECTOR, ".level")
        rows.append({"when": td[0].text, "id": td[1].text, "href": td[1].find_element(By.TAG_NAME, "a").get_attribute("href"),
                     "label": level.text, "class": level.get_attribute("class"), "state": td[3].text})
    return rows


def test_desk_cases(browsers):
    """/cases on a server of its own: an intake finished on a tablet and a screen left
    half-way at the desk are both listed, newest first, with their levels; /cases/ID shows
    eval's record, /cases/ID/letter the letter; Continue takes the screen up again on
    another computer, to its end."""
    token = write(os.path.join(tmpdir("psoas-token-"), "token"), TOKEN + "\n")
    with WebServer("--token-file", token, "--threads", "2") as s:
        # a patient finishes an intake (an emergency, dev-03) on a tablet
        tablet = browsers(s, TABLET)
        tablet.get("/login")
        tablet.one("input#token").send_keys(TOKEN)
        tablet.one("input#kiosk").click()
        tablet.submit(tablet.one("form.login button"))
        tablet.submit(tablet.one("button.start"))
        iv = vignette("dev-03")
        while (ids := tablet.prompt()) is not None:
            tablet.answer(dialog.answer_for(iv, ids))
        intake = tablet.session()
        # the list orders by the files' times in seconds: the next session a second later
        time.sleep(1.2)
        # a receptionist starts a screen (dev-02) and is called away after 3 answers
        desk = browsers(s, DESK, mobile=False)
        desk.get("/login")
        accessible(desk, "/login")
        desk.one("input#token").send_keys(TOKEN)
        desk.submit(desk.one("form.login button"))
        desk.get("/screen")
        desk.submit(desk.one("button.start"))
        sv = vignette("dev-02")
        sref, _, _ = terminal_prompts(sv, "screen")
        for i in range(3):
            expect(desk.prompt() == sref[i], f"screen prompt {i}: {desk.prompt()} != {sref[i]}")
            desk.answer(dialog.answer_for(sv, desk.prompt()))
        screen = desk.session("screen")
        # another computer at the desk: /cases
        other = browsers(s, DESK, mobile=False)
        other.get("/login")
        other.one("input#token").send_keys(TOKEN)
        other.submit(other.one("form.login button"))
        other.get("/cases")
        rows = cases_rows(other)
        expect([r["id"] for r in rows] == [screen, intake],
               f"/cases lists {[r['id'] for r in rows]}, not the two sessions newest first")
        ipath, _ = saved(s, intake)
        spath, _ = saved(s, screen)
        ilevel, slevel = eval_of(ipath)["disposition"], eval_of(spath)["disposition"]
        expect(rows[1]["label"] == LABELS[ilevel] and f"lv-{ilevel}" in rows[1]["class"]
               and rows[1]["state"] == "finished", f"the intake's row: {rows[1]}, eval {ilevel}")
        expect(f"lv-{slevel}" in rows[0]["class"] and rows[0]["state"] == "unfinished",
               f"the screen's row: {rows[0]}, eval {slevel}")
        accessible(other, "/cases")
        other.shot("cases")
        # the finished intake: the record eval writes, and its letter
        other.submit(other.all("table.cases a")[1])
        expect(other.one("pre.record").text == eval_of(ipath, "text", 88).rstrip("\n"),
               "/cases/ID does not show what eval --format text writes of the case file")
        expect(not other.all("form[action$='/continue']"), "a finished case offers Continue")
        accessible(other, "/cases/ID")
        links = [a for a in other.all("a") if a.text == "Referral letter"]
        expect(links, "no link to the referral letter")
        other.submit(links[0])
        letter = other.one("article.letter").text
        expect(intake in letter and LABELS[ilevel] in letter,
               f"the letter lacks the case id or its level:\n{letter[:800]}")
        # the letter eval writes of the case file reads the same (dated the same day)
        other.d.get("file://" + write(os.path.join(tmpdir("psoas-letter-"), "letter.html"), eval_of(ipath, "letter")))
        other._loaded()
        expect(other.one("article.letter").text == letter,
               "/cases/ID/letter reads otherwise than eval --format letter of the case file")
        # the unfinished screen: Continue, on this computer, to the end
        other.get(f"/cases/{screen}")
        other.submit(other.one("form[action$='/continue'] button"))
        expect(other.d.current_url.endswith("/screen") and other.prompt() == sref[3],
               f"Continue shows {other.prompt()}, not the 4th prompt {sref[3]}")
        n = 3
        while (ids := other.prompt()) is not None:
            expect(ids == sref[n], f"prompt {n}: {ids} != {sref[n]}")
            other.answer(dialog.answer_for(sv, ids))
            n += 1
        expect(n == len(sref), f"the continued screen took {n} prompts, the terminal {len(sref)}")
        other.get("/cases")
        rows = cases_rows(other)
        slevel = eval_of(spath)["disposition"]
        expect([r["id"] for r in rows] == [screen, intake] and rows[0]["state"] == "finished"
               and f"lv-{slevel}" in rows[0]["class"], f"after Continue: {rows}")


def test_cases_newest_first_within_a_second(browsers):
    """Two sessions made within the same second: the newer is listed first."""
    import urllib.request

    def new_session(s):
        req = urllib.request.Request(s.url + "/api/next", data=b'{"answers": {"age": 40}}', method="POST",
                                     headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=WAIT) as r:
            return json.load(r)["session"]

    with WebServer("--threads", "2") as s:
        for _ in range(50):  # until the second sorts after the first by its id
            older = new_session(s)
            newer = new_session(s)
            st = [os.stat(os.path.join(s.cases, i + ".json")).st_mtime_ns for i in (older, newer)]
            if st[0] // 10**9 == st[1] // 10**9 and st[0] < st[1] and newer > older:
                break
            for i in (older, newer):
                os.remove(os.path.join(s.cases, i + ".json"))
        else:
            pytest.skip("no two sessions in the same second here")
        b = browsers(s, DESK, mobile=False)
        b.get("/cases")
        listed = [r["id"] for r in cases_rows(b)]
        expect(listed == [newer, older], f"/cases lists {listed}; the newer is {newer}")
