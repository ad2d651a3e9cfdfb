"""`eval --format fhir`: one FHIR R4 Bundle (type collection) per case, in input order,
saying what the JSON Lines record says -- a RiskAssessment whose predictions are the
concerns (titles, levels, the findings behind them in words), a ServiceRequest exactly
when the level refers the person to a physician (its priority the level's), an
OperationOutcome with eval's message for an invalid case -- with ids and fullUrls derived
from the case id alone (the same for any --jobs, any day), the case id kept in an
identifier whatever it holds, and every Bundle valid for the npm package `fhir`
(tests/fhir_validate_bundles.js; `npm ci` installs it)."""
import hashlib
import json
import os
import re
import shutil
import subprocess

from harness import HERE, ROOT, Skip, expect, records, run, tmpdir, write

VIGNETTES = os.path.join(HERE, "vignettes")
HOSTILE = os.path.join(HERE, "regress", "hostile-ids.jsonl")
VALIDATOR = os.path.join(HERE, "fhir_validate_bundles.js")
BASE = "http://psoas-triage.example/fhir"
PRIORITY = {"emergency": "stat", "urgent": "urgent", "refer": "routine"}
KB = {name: json.load(open(os.path.join(ROOT, "kb", f"{name}.json")))
      for name in ("levels", "precautions", "questions")}
LEVELS = {lv["id"]: lv for lv in KB["levels"]["levels"]}
PRECAUTIONS = {p["id"]: p["text"] for p in KB["precautions"]["precautions"]}
QUESTIONS = {q["id"]: q for q in KB["questions"]["questions"]}
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")
FHIR_ID = re.compile(r"[A-Za-z0-9\-.]{1,64}")
# what a person is never shown of an id (as tests/test_writers.py): control characters,
# C1, line and paragraph separators, bidi marks
HIDDEN = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]")


def bundles(stdout):
    """The Bundles of an eval run: one per line, split at "\\n" alone (a line break inside a
    record, U+2028 included, would make two)."""
    return [json.loads(line) for line in stdout.split("\n") if line]


def resources(bundle):
    """{resourceType: resource} of a Bundle's entries (each type at most once)."""
    out = {}
    for e in bundle["entry"]:
        r = e["resource"]
        expect(r["resourceType"] not in out, f"two {r['resourceType']} in one Bundle")
        out[r["resourceType"]] = r
    return out


def uuid_of(rtype, case_id):
    """The documented derivation (src/fhirout.h): a SHA-256 of "psoas-triage fhir", the
    resource type and the case id (NUL-separated), cut to a version-8 UUID."""
    d = bytearray(hashlib.sha256(b"psoas-triage fhir\0" + rtype.encode() + b"\0" +
                                 case_id.encode("utf-8", "surrogateescape")).digest()[:16])
    d[6] = (d[6] & 0x0F) | 0x80
    d[8] = (d[8] & 0x3F) | 0x80
    h = d.hex()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def because_words(item):
    """A `because` item in the words of kb/questions.json, as the text format shows it."""
    if item in QUESTIONS:
        return QUESTIONS[item]["label"]
    if item.startswith("no ") and item[3:] in QUESTIONS:
        return "not: " + QUESTIONS[item[3:]]["label"]
    return None  # a threshold ("age>=50"): said in words too, not checked here


def check_ids(bundle, case_id):
    """Every resource's id is an R4 id and the UUID of its type and the case id; its
    fullUrl is urn:uuid: of it; the case id is the Bundle's identifier."""
    expect(bundle["resourceType"] == "Bundle" and bundle["type"] == "collection", bundle)
    expect(bundle["identifier"] == {"system": f"{BASE}/case-id", "value": case_id},
           f"{case_id!r}: the Bundle's identifier is {bundle['identifier']}")
    expect(bundle["id"] == uuid_of("Bundle", case_id), f"{case_id!r}: Bundle id {bundle['id']}")
    for e in bundle["entry"]:
        r = e["resource"]
        want = uuid_of(r["resourceType"], case_id)
        expect(r["id"] == want and UUID.fullmatch(want) and FHIR_ID.fullmatch(want),
               f"{case_id!r}: {r['resourceType']} id {r['id']}, derived {want}")
        expect(e["fullUrl"] == "urn:uuid:" + want, f"{case_id!r}: fullUrl {e['fullUrl']}")


def check_subject(res, case_id):
    ref = res["subject"]
    expect(ref["identifier"] == {"system": f"{BASE}/case-id", "value": case_id} and
           set(ref) == {"identifier", "display"} and not HIDDEN.search(ref["display"]),
           f"{case_id!r}: {res['resourceType']}.subject {ref}")
    expect(res["identifier"] == [ref["identifier"]], f"{case_id!r}: {res['resourceType']}.identifier")


def check_against_record(bundle, rec):
    """The Bundle says what the JSON Lines record says."""
    cid = rec["id"]
    check_ids(bundle, cid)
    res = resources(bundle)
    if "error" in rec:
        expect(set(res) == {"OperationOutcome"}, f"{cid}: an error record, Bundle of {set(res)}")
        issues = res["OperationOutcome"]["issue"]
        expect(len(issues) == 1 and issues[0]["severity"] == "error" and
               issues[0]["diagnostics"] == rec["error"], f"{cid}: {issues} for {rec['error']!r}")
        return
    refers = rec["disposition"] in PRIORITY
    expect(set(res) == ({"RiskAssessment", "ServiceRequest"} if refers else {"RiskAssessment"}),
           f"{cid}: {rec['disposition']}, Bundle of {sorted(res)}")
    ra = res["RiskAssessment"]
    expect(ra["status"] == "final", ra["status"])
    check_subject(ra, cid)
    expect(f"knowledge {rec['knowledge']}" in ra["method"]["text"] and rec["program"] in ra["method"]["text"],
           f"{cid}: method {ra['method']}")
    preds = ra.get("prediction", [])
    expect(len(preds) == len(rec["concerns"]), f"{cid}: {len(preds)} predictions, {len(rec['concerns'])} concerns")
    for p, c in zip(preds, rec["concerns"]):
        expect(p["outcome"]["text"] == c["title"] and
               p["outcome"]["coding"] == [{"system": f"{BASE}/CodeSystem/concern", "code": c["id"], "display": c["title"]}],
               f"{cid}: outcome {p['outcome']} for {c}")
        risk = p["qualitativeRisk"]
        expect(risk["coding"][0]["system"] == f"{BASE}/CodeSystem/level" and risk["coding"][0]["code"] == c["level"]
               and risk["text"] == LEVELS[c["level"]]["label"], f"{cid}: qualitativeRisk {risk} for {c['level']}")
        for item in c["because"]:
            words = because_words(item)
            expect(words is None or words in p.get("rationale", ""),
                   f"{cid}: {c['id']}: {words!r} ({item}) not in the rationale {p.get('rationale')!r}")
        expect(bool(c["because"]) == ("rationale" in p), f"{cid}: {c['id']}: rationale {p.get('rationale')!r}")
    mitigation = ra.get("mitigation", "").split("\n") if "mitigation" in ra else []
    expect(mitigation == [PRECAUTIONS[p] for p in rec["precautions"]], f"{cid}: mitigation {mitigation}")
    notes = [n["text"] for n in ra["note"]]
    level = LEVELS[rec["disposition"]]
    expect(notes[0] == f"{level['label']}: {level['action']}" and notes[-1] == rec["disclaimer"],
           f"{cid}: notes {notes}")
    open_qs = [n for n in notes if "not answered" in n or "still to answer" in n]
    expect(len(open_qs) == bool(rec["ask"]), f"{cid}: ask {rec['ask']}, notes {notes}")
    for q in rec["ask"]:
        expect(f"- {QUESTIONS[q]['text']}" in open_qs[0], f"{cid}: the open question {q} is not in {open_qs}")
    if refers:
        sr = res["ServiceRequest"]
        expect(sr["status"] == "active" and sr["intent"] == "proposal" and
               sr["priority"] == PRIORITY[rec["disposition"]], f"{cid}: {rec['disposition']}: {sr}")
        check_subject(sr, cid)
        titles = [c["title"] for c in rec["concerns"]]
        referring = [c["title"] for c in rec["concerns"] if c["level"] in PRIORITY]
        expect([r["text"] for r in sr["reasonCode"]] == (referring or titles), f"{cid}: reasonCode {sr['reasonCode']}")
        expect(sr["supportingInfo"] == [{"reference": "urn:uuid:" + ra["id"], "display": "Triage risk assessment"}],
               f"{cid}: supportingInfo {sr['supportingInfo']}")
        expect(sr["note"] == [{"text": notes[0]}], f"{cid}: {sr['note']}")


def validator():
    """The command that validates Bundles (node and the npm package `fhir`), or Skip."""
    node = shutil.which("node") or shutil.which("nodejs")
    if not node:
        raise Skip("node is not installed (Debian: nodejs), so the Bundles are not validated")
    if not os.path.isdir(os.path.join(ROOT, "node_modules", "fhir")):
        raise Skip("node_modules/fhir is missing (run `npm ci`), so the Bundles are not validated")
    return [node, VALIDATOR]


def validate(text):
    return subprocess.run(validator(), input=text, capture_output=True, text=True, timeout=300, cwd=ROOT)


def test_fhir_every_vignette_matches_its_jsonl_record():
    """Every vignette: one Bundle per case, in order, saying what the JSON Lines record
    says; the ServiceRequest present exactly when the level refers (and its priority
    the level's)."""
    recs = records(run(["eval", VIGNETTES]).stdout)
    p = run(["eval", "--format", "fhir", VIGNETTES])
    expect(p.returncode == 0, f"exit {p.returncode}: {p.stderr[:500]}")
    out = bundles(p.stdout)
    expect(len(out) == len(recs) > 100, f"{len(recs)} records, {len(out)} Bundles")
    for b, rec in zip(out, recs):
        check_against_record(b, rec)
    seen = {rec["disposition"] for rec in recs}
    expect(seen == set(LEVELS), f"the vignettes give only {seen}")


def test_fhir_bundles_are_valid_r4():
    """The npm package `fhir` (and the invariants tests/fhir_validate_bundles.js adds)
    finds no error in the Bundles of every vignette, of the hostile ids and of error
    records."""
    cmd = validator()
    d = tmpdir()
    bad = write(os.path.join(d, "bad.jsonl"), 'x\n{"id":"q","answers":{"fevr":true}}\n{"id":7,"answers":[]}\n')
    text = "".join(run(["eval", "--format", "fhir", path]).stdout for path in (VIGNETTES, HOSTILE, bad))
    n = text.count("\n")
    p = subprocess.run(cmd, input=text, capture_output=True, text=True, timeout=300, cwd=ROOT)
    expect(p.returncode == 0 and p.stdout.strip().endswith(f"{n} bundles valid"),
           f"exit {p.returncode}:\n{p.stdout[-3000:]}{p.stderr[-2000:]}")


def test_fhir_validator_rejects_broken_bundles():
    """The validator is no rubber stamp: each of these breaks of a good Bundle is an error,
    said with its place (and a good Bundle passes)."""
    good = bundles(run(["eval", "--format", "fhir", os.path.join(VIGNETTES, "dev-02.json")]).stdout)[0]

    def broken(change):
        b = json.loads(json.dumps(good))
        res = resources(b)
        change(b, res["RiskAssessment"], res["ServiceRequest"])
        return json.dumps(b)

    cases = {
        "RiskAssessment.status: Missing property": lambda b, ra, sr: ra.pop("status"),
        "ServiceRequest.priority: Code \"soon\" not found": lambda b, ra, sr: sr.update(priority="soon"),
        "ServiceRequest.intent: Code \"plan-ish\" not found": lambda b, ra, sr: sr.update(intent="plan-ish"),
        "Bundle.type: Code \"heap\" not found": lambda b, ra, sr: b.update(type="heap"),
        "RiskAssessment.subject: Missing property": lambda b, ra, sr: ra.pop("subject"),
        "RiskAssessment.risk: Unexpected property": lambda b, ra, sr: ra.update(risk="high"),
        "RiskAssessment.prediction[0].rationale: an array": lambda b, ra, sr: ra["prediction"][0].update(rationale=["x"]),
        "Bundle.entry[0].resource.mitigation: empty element": lambda b, ra, sr: ra.update(mitigation=""),
        "Bundle.entry[0].resource.id: not an R4 id": lambda b, ra, sr: ra.update(id="a b"),
        "is no entry of the Bundle": lambda b, ra, sr: sr["supportingInfo"][0].update(reference="urn:uuid:" + "0" * 8 + "-0000-0000-0000-" + "0" * 12),
        "not a valid resource type": lambda b, ra, sr: ra.update(resourceType="RiskAssesment"),
    }
    p = validate(json.dumps(good) + "\n")
    expect(p.returncode == 0 and "1 bundles valid" in p.stdout, f"a good Bundle: exit {p.returncode}: {p.stdout}")
    for message, change in cases.items():
        p = validate(broken(change) + "\n")
        expect(p.returncode == 1 and message in p.stdout, f"{message}: exit {p.returncode}: {p.stdout}")
    p = validate("{not json\n")
    expect(p.returncode == 1 and "not JSON" in p.stdout, p.stdout)


def test_fhir_hostile_ids_keep_the_id():
    """tests/regress/hostile-ids.jsonl: one valid JSON line per case, of the level the
    JSON Lines record computes, the id exactly as given in every identifier, no hidden
    character as it is (escaped in the JSON), the subject's display shown as a person is
    shown an id; and ids from a file's name (not UTF-8: U+FFFD)."""
    cases = [json.loads(line) for line in open(HOSTILE) if line.strip()]
    recs = records(run(["eval", HOSTILE]).stdout)
    p = run(["eval", "--format", "fhir", HOSTILE])
    expect(not HIDDEN.search(p.stdout.replace("\n", "")), f"a hidden character: {HIDDEN.search(p.stdout)!r}")
    out = bundles(p.stdout)
    expect(len(out) == len(cases) == p.stdout.count("\n"), f"{len(cases)} cases, {len(out)} lines")
    for b, case, rec in zip(out, cases, recs):
        expect(rec["id"] == case["id"], rec["id"])
        check_against_record(b, rec)
    d = tmpdir()
    name = os.path.join(d.encode(), b"caf\xe9 \x1b[2J.json")
    with open(name, "w") as f:
        f.write('{"answers": {"age": 40}}')
    p = run(["eval", "--format", "fhir", d])
    b = json.loads(p.stdout)
    want = os.path.join(d, "caf\ufffd \x1b[2J.json")
    expect(b["identifier"]["value"] == want and resources(b)["RiskAssessment"]["subject"]["display"] ==
           "Case " + os.path.join(d, "caf\ufffd \ufffd[2J.json"), f"{b['identifier']} {p.stderr}")


def test_fhir_invalid_cases_get_an_operation_outcome_in_place():
    """An invalid case, a malformed line: a Bundle with an OperationOutcome (severity
    error, eval's message) in its place, the other cases evaluated; exit 65."""
    lines = ['{"id":"a","answers":{"age":40,"sex":"male","low_back_pain":true}}', "x",
             '{"id":"b","answers":{"fevr":true}}', '{"id":"c","answers":{"age":72,"abdominal_pulsation":true}}']
    text = "\n".join(lines) + "\n"
    recs = records(run(["eval", "-"], input=text).stdout)
    p = run(["eval", "--format", "fhir", "-"], input=text)
    out = bundles(p.stdout)
    expect(p.returncode == 65 and len(out) == 4, f"exit {p.returncode}, {len(out)} Bundles")
    expect([sorted(resources(b)) for b in out] == [["RiskAssessment"], ["OperationOutcome"], ["OperationOutcome"],
                                                   ["RiskAssessment", "ServiceRequest"]], out)
    for b, rec in zip(out, recs):
        check_against_record(b, rec)
    expect(resources(out[2])["OperationOutcome"]["issue"][0]["diagnostics"] ==
           "answers: key \"fevr\" is not a finding (did you mean 'fever'?)", out[2])


def test_fhir_output_is_the_same_for_any_jobs_and_any_day():
    """Byte-identical with --jobs 1, 2 and 4, on another day (SOURCE_DATE_EPOCH) and in
    another run; no date in it; the same case id always gives the same resource ids, and
    two case ids never the same."""
    base = run(["eval", "--jobs", "1", "--format", "fhir", VIGNETTES]).stdout
    for jobs, env in (("2", None), ("4", {"SOURCE_DATE_EPOCH": "86400"}), ("4", None)):
        p = run(["eval", "--jobs", jobs, "--format", "fhir", VIGNETTES], env=env)
        expect(p.stdout == base, f"--jobs {jobs} {env}: the output differs")
    expect(not re.search(r'"(date|occurrenceDateTime|timestamp|authoredOn|lastUpdated)"', base), "a date in the output")
    out = bundles(base)
    ids = [e["resource"]["id"] for b in out for e in b["entry"]] + [b["id"] for b in out]
    expect(len(ids) == len(set(ids)), "two resources share an id")
    one = run(["eval", "--format", "fhir", "-"], input='{"id":"dev-02","answers":{"age":30}}\n').stdout
    dev02 = next(b for b in out if b["identifier"]["value"] == "dev-02")
    expect(bundles(one)[0]["entry"][0]["fullUrl"] == dev02["entry"][0]["fullUrl"],
           "the same case id, another result: another RiskAssessment id")


def test_fhir_format_is_offered():
    """--format fhir is in eval's usage, and a wrong format names it."""
    expect("fhir" in run(["eval", "--help"]).stdout.splitlines()[0], "eval --help lacks fhir")
    p = run(["eval", "--format", "hl7", VIGNETTES])
    expect(p.returncode == 64 and "letter or fhir" in p.stderr, p.stderr)
