"""FHIR R4: `fhir questionnaire` (the question catalogue as a Questionnaire) and `eval` of
QuestionnaireResponses (alone, in a Bundle, one per line).

Every vignette makes the round trip case file -> QuestionnaireResponse (written here, from
the case's answers) -> eval, and must get the very same result; the Questionnaire's
enableWhen must mean what the kb's `when` conditions mean; and the npm package `fhir`
(FHIR.js, `npm ci`) validates what the program writes and what the tests write
(tests/fhir-validate.js), after showing that it does reject a broken resource."""
import json
import os
import random
import shutil
import subprocess

from harness import ROOT, HERE, Skip, expect, load, records, run, tmpdir, vignette_files, write

BASE = "http://psoas-triage.example/fhir"
URL = BASE + "/Questionnaire/psoas-intake"
QUESTIONS = load(os.path.join(ROOT, "kb", "questions.json"))["questions"]
BY_ID = {q["id"]: q for q in QUESTIONS}
SAME = ("disposition", "action", "concerns", "precautions", "indications", "ask", "knowledge")


# ---- case file -> QuestionnaireResponse (the test's own converter) ---------------------------

def value(q, v):
    """The answer element of value v (a case file's) to question q; None for "unknown"."""
    if v is None or v == "unknown":
        return None
    if q["type"] == "bool":
        return {"valueBoolean": v is True or v == "yes"}
    if q["type"] == "int":
        return {"valueInteger": v}
    return {"valueCoding": {"system": f"{BASE}/CodeSystem/{q['id']}", "code": v}}


def response(case, qid=True):
    """The QuestionnaireResponse of a case file: its answers as items in catalogue order
    (the therapist's inside their group), "unknown" left out.  A case whose unanswered
    questions mean no gives each unanswered yes/no finding an explicit false, since a
    QuestionnaireResponse has no "unanswered_means"."""
    answers = dict(case["answers"])
    if case.get("unanswered_means") == "no":
        for q in QUESTIONS:
            if q["type"] == "bool" and q["id"] not in answers:
                answers[q["id"]] = False
    patient, therapist = [], []
    for q in QUESTIONS:
        a = value(q, answers.get(q["id"]))
        if a:
            (therapist if q["who"] == "therapist" else patient).append({"linkId": q["id"], "answer": [a]})
    if therapist:
        patient.append({"linkId": "therapist-findings", "item": therapist})
    qr = {"resourceType": "QuestionnaireResponse", "questionnaire": URL, "status": "completed",
          "item": patient}
    if qid:
        qr["id"] = case["id"]
    return qr


def cases_of(path):
    c = load(path)
    return c if isinstance(c, list) else [c]


def by_id(recs):
    return {r["id"]: r for r in recs}


def same_result(a, b):
    """The fields of a result two readings of one case must share (all but the id)."""
    return {k: a.get(k) for k in SAME} == {k: b.get(k) for k in SAME}


# ---- the Questionnaire ------------------------------------------------------------------------

def questionnaire(args=()):
    p = run(list(args) + ["fhir", "questionnaire"])
    expect(p.returncode == 0, f"exit {p.returncode}: {p.stderr}")
    return json.loads(p.stdout), p.stderr


def items(q):
    """Every item of a Questionnaire (or response), depth first, with its parent's linkId."""
    out = []

    def walk(lst, parent):
        for it in lst or []:
            out.append((it, parent))
            walk(it.get("item"), it["linkId"])
            for a in it.get("answer", []):
                walk(a.get("item"), it["linkId"])
    walk(q.get("item"), None)
    return out


def test_questionnaire_holds_every_finding():
    """One item per finding, in catalogue order: its type, limits or choices, its patient
    wording, its help and why texts, required for red flags and treatment-safety
    questions, the therapist's findings in a group of their own, the disclaimer first,
    and the canonical url with the knowledge version."""
    q, err = questionnaire()
    expect(err == "", err)
    [rec] = records(run(["eval", os.path.join(HERE, "vignettes", "dev-02.json")]).stdout)
    expect(q["resourceType"] == "Questionnaire" and q["url"] == URL and q["status"] == "active", q.get("url"))
    expect(q["version"] == rec["knowledge"] and q["version"].startswith("sha256:"), q["version"])
    expect(q["name"] and q["title"] and "not a diagnosis" in q["description"], q["description"])
    every = items(q)
    links = [it["linkId"] for it, _ in every]
    expect(len(links) == len(set(links)), "linkIds repeat")
    disclaimer = open(os.path.join(ROOT, "kb", "disclaimer.txt")).read().split()
    first = q["item"][0]
    expect(first["type"] == "display" and first["text"].split() == disclaimer, first)
    found = [(it, parent) for it, parent in every if it["linkId"] in BY_ID]
    expect([it["linkId"] for it, _ in found] == [x["id"] for x in QUESTIONS if x["who"] == "patient"] +
           [x["id"] for x in QUESTIONS if x["who"] == "therapist"], "not one item per finding in order")
    for it, parent in found:
        k = BY_ID[it["linkId"]]
        want_type = {"bool": "boolean", "int": "integer", "choice": "choice"}[k["type"]]
        expect(it["type"] == want_type and it["text"] == k["text"], it["linkId"])
        expect(it.get("required", False) == (k["red_flag"] or k.get("safety", False)), f"{k['id']} required")
        expect(parent == ("therapist-findings" if k["who"] == "therapist" else None), f"{k['id']} in {parent}")
        if k["type"] == "int":
            ext = {e["url"].rsplit("/", 1)[1]: e["valueInteger"] for e in it["extension"]}
            expect(ext == {"minValue": k["min"], "maxValue": k["max"]}, ext)
        if k["type"] == "choice":
            codes = [o["valueCoding"]["code"] for o in it["answerOption"]]
            expect(codes == k["choices"], codes)
        helps = {h["linkId"]: h for h in it["item"]}
        why, how = helps[k["id"] + "-why"], helps[k["id"] + "-help"]
        expect(why["type"] == "display" and why["text"] == k["why"], why)
        expect(how["type"] == "display" and how["text"] == k["help"], how)
        control = why["extension"][0]
        expect(control["url"] == "http://hl7.org/fhir/StructureDefinition/questionnaire-itemControl"
               and control["valueCodeableConcept"]["coding"][0]["code"] == "help", control)
    group = q["item"][-1]
    expect(group["linkId"] == "therapist-findings" and group["type"] == "group", group["linkId"])


# ---- enableWhen means what `when` means --------------------------------------------------------

def when_holds(w, ans):
    """The kb's `when` condition w on complete answers ans (kb.c's cond_eval once every
    finding it names is known)."""
    if w is None:
        return True
    (op, arg), = w.items()
    if op == "yes":
        return ans[arg] is True
    if op == "is":
        return ans[arg[0]] == arg[1]
    if op == "not_is":
        return ans[arg[0]] != arg[1]
    if op == "range":
        return arg[1] <= ans[arg[0]] <= arg[2]
    if op == "any":
        return any(when_holds(x, ans) for x in arg)
    if op == "all":
        return all(when_holds(x, ans) for x in arg)
    raise AssertionError(f"an operator this test does not know: {op}")


def enabled(item, ans):
    """FHIR R4's reading of an item's enableWhen on answers ans (each question answered
    once)."""
    conds = item.get("enableWhen")
    if not conds:
        return True
    results = []
    for c in conds:
        v = ans[c["question"]]
        if c["operator"] == "exists":  # every question is answered here
            results.append(c["answerBoolean"] is True)
            continue
        key = [k for k in c if k.startswith("answer")][0]
        want = c[key]["code"] if key == "answerCoding" else c[key]
        results.append({"=": v == want, "!=": v != want, ">=": v >= want, "<=": v <= want,
                        ">": v > want, "<": v < want}[c["operator"]])
    expect(len(conds) == 1 or item.get("enableBehavior") in ("all", "any"), f"{item['linkId']}: no enableBehavior")
    return all(results) if item.get("enableBehavior", "all") == "all" else any(results)


def random_answers(rnd, questions):
    ans = {}
    for q in questions:
        if q["type"] == "bool":
            ans[q["id"]] = rnd.random() < 0.5
        elif q["type"] == "int":
            ans[q["id"]] = rnd.choice([q["min"], q["max"], rnd.randint(q["min"], q["max"])] +
                                      list(range(max(q["min"], 5), min(q["max"], 70), 5)))
        else:
            ans[q["id"]] = rnd.choice(q["choices"])
    return ans


def test_enable_when_means_the_kb_when():
    """For every question, on 3000 random complete sets of answers, the Questionnaire's
    enableWhen holds exactly when the kb's `when` does: every operator the kb uses maps.
    (With an answer missing they differ on purpose: see the README.)"""
    q, _ = questionnaire()
    item = {it["linkId"]: it for it, _ in items(q)}
    rnd = random.Random(13)
    used = set()
    for x in QUESTIONS:
        if x["when"]:
            expect("enableWhen" in item[x["id"]], f"{x['id']}: its condition was not mapped")
            used |= {k for c in [x["when"]] + x["when"].get("all", []) + x["when"].get("any", []) for k in c}
    for _ in range(3000):
        ans = random_answers(rnd, QUESTIONS)
        for x in QUESTIONS:
            expect(enabled(item[x["id"]], ans) == when_holds(x["when"], ans),
                   f"{x['id']}: enableWhen and when differ on {ans}")
    expect({"yes", "not_is", "range", "any", "all"} <= used, used)


def kb_with_whens(whens):
    """A copy of kb/ in which each question of `whens` has that `when` condition."""
    d = os.path.join(tmpdir(), "kb")
    shutil.copytree(os.path.join(ROOT, "kb"), d)
    path = os.path.join(d, "questions.json")
    doc = load(path)
    for x in doc["questions"]:
        if x["id"] in whens:
            x["when"] = whens[x["id"]]
    write(path, json.dumps(doc, indent=2))
    return d


def test_conditions_enable_when_cannot_say_leave_the_question_enabled():
    """`any` inside `all`, `all` inside `any`, a range inside `any`: the question is always
    enabled, named on stderr and in the description with the reason; a condition with
    one member, or `all` inside `all`, is still said; `is` maps to '='."""
    whens = {
        "hip_replacement": {"all": [{"yes": "fever"}, {"any": [{"yes": "night_pain"}, {"yes": "weight_loss"}]}]},
        "inflammatory_bowel_disease": {"any": [{"yes": "fever"}, {"all": [{"yes": "night_pain"}, {"yes": "weight_loss"}]}]},
        "recent_abdominal_surgery": {"any": [{"yes": "fever"}, {"range": ["age", 10, 20]}]},
        "osteoporosis_or_steroids": {"all": [{"yes": "fever"}, {"all": [{"is": ["sex", "female"]}, {"range": ["age", 50, 120]}]},
                                             {"any": [{"yes": "night_pain"}]}]},
    }
    kbdir = kb_with_whens(whens)
    q, err = questionnaire(["--kb", kbdir])
    item = {it["linkId"]: it for it, _ in items(q)}
    for qid, why in [("hip_replacement", "puts 'any' inside 'all'"),
                     ("inflammatory_bowel_disease", "puts 'all' inside 'any'"),
                     ("recent_abdominal_surgery", "puts a 'range'")]:
        expect("enableWhen" not in item[qid], f"{qid}: {item[qid].get('enableWhen')}")
        expect(f"'{qid}' is always enabled" in err and why in err, err)
        expect(f"{qid} (it {why}" in q["description"], q["description"])
    said = item["osteoporosis_or_steroids"]
    expect(said.get("enableBehavior") == "all" and len(said["enableWhen"]) == 5, said.get("enableWhen"))
    expect({"question": "sex", "operator": "=",
            "answerCoding": {"system": f"{BASE}/CodeSystem/sex", "code": "female", "display": "female"}}
           in said["enableWhen"], said["enableWhen"])
    expect(err.count("always enabled") == 3, err)
    rnd = random.Random(7)
    changed = [dict(x, when=whens.get(x["id"], x["when"])) for x in QUESTIONS]
    for _ in range(500):
        ans = random_answers(rnd, changed)
        x = BY_ID["osteoporosis_or_steroids"]
        expect(enabled(said, ans) == when_holds(whens[x["id"]], ans), ans)


def test_fhir_command_usage():
    for args, want in [([], "which resource"), (["patient"], "unknown resource 'patient'"),
                       (["questionnaire", "extra"], "unknown argument 'extra'")]:
        p = run(["fhir"] + args)
        expect(p.returncode == 64 and want in p.stderr and p.stdout == "", f"{args}: {p.returncode} {p.stderr}")
    p = run(["fhir", "questionnaire", "--kb", os.path.join(tmpdir(), "none")])
    expect(p.returncode == 70 and p.stdout == "", f"{p.returncode} {p.stderr}")


# ---- eval of QuestionnaireResponses -----------------------------------------------------------

def roundtrip(path):
    def test():
        d = tmpdir()
        out = []
        for i, case in enumerate(cases_of(path)):
            out.append(write(os.path.join(d, f"qr-{i}.json"), json.dumps(response(case))))
        p = run(["eval", path] + out)
        recs = records(p.stdout)
        n = len(out)
        expect(p.returncode == 0 and len(recs) == 2 * n, f"exit {p.returncode}: {p.stdout[:400]} {p.stderr}")
        for case_rec, qr_rec in zip(recs[:n], recs[n:]):
            expect(case_rec["id"] == qr_rec["id"], (case_rec["id"], qr_rec["id"]))
            expect(same_result(case_rec, qr_rec),
                   f"{os.path.basename(path)}: the case file gives {case_rec['disposition']} "
                   f"{[c['id'] for c in case_rec['concerns']]} ask {case_rec['ask']}, its "
                   f"QuestionnaireResponse {qr_rec.get('disposition')} "
                   f"{[c['id'] for c in qr_rec.get('concerns', [])]} ask {qr_rec.get('ask')} {qr_rec.get('error', '')}")
    return test


def generate_tests():
    return [(f"roundtrip/{os.path.basename(p)[:-5]}", roundtrip(p)) for p in vignette_files()]


def all_vignettes():
    return [c for p in vignette_files() for c in cases_of(p)]


def test_vignettes_as_one_bundle_and_as_json_lines():
    """Every vignette's QuestionnaireResponse in one Bundle (each type eval reads), and
    one per line (with a Bundle of two on a line of its own): one record per response, in
    order, each the result its case file gets."""
    cases = all_vignettes()
    want = records(run(["eval", os.path.join(HERE, "vignettes")]).stdout)
    expect(len(want) == len(cases) and all("error" not in r for r in want), "the vignettes do not all evaluate")
    want = by_id(want)
    d = tmpdir()
    for kind in ("collection", "batch", "transaction", "searchset"):
        bundle = {"resourceType": "Bundle", "type": kind,
                  "entry": [{"resource": response(c)} for c in cases]}
        if kind in ("batch", "transaction"):
            for e in bundle["entry"]:
                e["request"] = {"method": "POST", "url": "QuestionnaireResponse"}
        path = write(os.path.join(d, f"{kind}.json"), json.dumps(bundle))
        p = run(["eval", path])
        recs = records(p.stdout)
        expect(p.returncode == 0 and [r["id"] for r in recs] == [c["id"] for c in cases],
               f"{kind}: exit {p.returncode} {p.stderr} {[r['id'] for r in recs][:5]}")
        for r in recs:
            expect(same_result(r, want[r["id"]]), f"{kind}: {r['id']} differs")
    lines = [json.dumps(response(c)) for c in cases]
    lines.insert(3, json.dumps({"resourceType": "Bundle", "type": "collection",
                                "entry": [{"resource": response(c)} for c in cases[:2]]}))
    path = write(os.path.join(d, "responses.jsonl"), "\n".join(lines) + "\n")
    for fast in ("1", "0"):
        p = run(["eval", path], env={"PSOAS_FASTPATH": fast})
        recs = records(p.stdout)
        ids = [c["id"] for c in cases]
        expect(p.returncode == 0 and [r["id"] for r in recs] == ids[:3] + ids[:2] + ids[3:],
               f"exit {p.returncode} {p.stderr}")
        for r in recs:
            expect(same_result(r, want[r["id"]]), f"jsonl: {r['id']} differs")
    p = run(["eval", "-"], input="\n".join(lines) + "\n")
    expect(len(records(p.stdout)) == len(cases) + 2, "stdin")


def test_unknown_link_id_and_wrong_answer_type_are_error_records():
    """An unknown linkId is named as a linkId (with a "did you mean"); an answer of the
    wrong type gets the case file's message for that finding; every other response is
    still evaluated, and the exit status is 65."""
    def qr(i, items):
        return {"resourceType": "QuestionnaireResponse", "id": i, "status": "completed", "item": items}
    responses = [
        qr("unknown-link", [{"linkId": "age", "answer": [{"valueInteger": 40}]},
                            {"linkId": "fevr", "answer": [{"valueBoolean": True}]}]),
        qr("nested-unknown", [{"linkId": "therapist-findings", "item": [{"linkId": "psoas_tendr"}]}]),
        qr("int-for-bool", [{"linkId": "fever", "answer": [{"valueInteger": 3}]}]),
        qr("string-for-int", [{"linkId": "age", "answer": [{"valueString": "forty"}]}]),
        qr("bool-for-choice", [{"linkId": "sex", "answer": [{"valueBoolean": True}]}]),
        qr("not-a-choice", [{"linkId": "sex", "answer": [{"valueCoding": {"code": "mail"}}]}]),
        qr("out-of-range", [{"linkId": "age", "answer": [{"valueInteger": 130}]}]),
        qr("twice", [{"linkId": "fever", "answer": [{"valueBoolean": True}]},
                     {"linkId": "fever", "answer": [{"valueBoolean": False}]}]),
        qr("two-answers", [{"linkId": "fever", "answer": [{"valueBoolean": True}, {"valueBoolean": False}]}]),
        qr("no-link", [{"answer": [{"valueBoolean": True}]}]),
        qr("answer-on-a-help-text", [{"linkId": "fever-why", "answer": [{"valueString": "x"}]}]),
        qr("fine", [{"linkId": "age", "answer": [{"valueInteger": 40}]},
                    {"linkId": "fever-why"}, {"linkId": "disclaimer-text"}]),
    ]
    want = {
        "unknown-link": "linkId \"fevr\" is not a finding (did you mean 'fever'?)",
        "nested-unknown": "linkId \"psoas_tendr\" is not a finding (did you mean 'psoas_tender'?)",
        "int-for-bool": "key 'fever' expects true, false, \"yes\", \"no\" or \"unknown\", got 3",
        "string-for-int": "key 'age' expects a whole number from 0 to 120, got a string \"forty\"",
        "bool-for-choice": "key 'sex' expects \"female\", \"male\" or \"other\" (or \"unknown\"), got true",
        "not-a-choice": "key 'sex' expects \"female\", \"male\" or \"other\" (or \"unknown\"), got \"mail\" (did you mean \"male\"?)",
        "out-of-range": "key 'age' must be from 0 to 120, got 130",
        "twice": "linkId 'fever' appears twice",
        "two-answers": "linkId 'fever' has 2 answers (a finding takes one)",
        "no-link": "an item without a linkId",
        "answer-on-a-help-text": "linkId \"fever-why\" takes no answer (it is not a question)",
    }
    path = write(os.path.join(tmpdir(), "bad.jsonl"), "".join(json.dumps(r) + "\n" for r in responses))
    p = run(["eval", path])
    recs = records(p.stdout)
    expect(p.returncode == 65 and [r["id"] for r in recs] == [r["id"] for r in responses], f"{p.returncode} {recs}")
    for r in recs:
        if r["id"] == "fine":
            expect("error" not in r and r["disposition"] == "incomplete", r)
        else:
            expect(r.get("error") == want[r["id"]], f"{r['id']}: {r.get('error')!r}, want {want[r['id']]!r}")


def test_response_ids_and_default_names():
    """A record is named by the response's id, else its identifier's value, else as a
    case without an id is: FILE, FILE[i] for the i-th entry of a Bundle (other resources
    in it are passed over), FILE:LINE in JSON Lines; answer.item is read."""
    d = tmpdir()
    plain = {"resourceType": "QuestionnaireResponse", "status": "completed",
             "item": [{"linkId": "age", "answer": [{"valueInteger": 72}]},
                      {"linkId": "abdominal_pulsation",
                       "answer": [{"valueBoolean": True,
                                   "item": [{"linkId": "sex", "answer": [{"valueCoding": {"code": "male"}}]}]}]}]}
    ident = dict(plain, identifier={"system": "urn:x", "value": "by-identifier"})
    bundle = {"resourceType": "Bundle", "type": "searchset",
              "entry": [{"resource": {"resourceType": "Patient", "id": "p"}}, {"resource": plain},
                        {"resource": ident}, {"resource": dict(plain, id="by-id")}]}
    single = write(os.path.join(d, "one.json"), json.dumps(plain))
    bpath = write(os.path.join(d, "bundle.json"), json.dumps(bundle))
    lines = write(os.path.join(d, "lines.jsonl"), json.dumps(plain) + "\n" + json.dumps(bundle) + "\n")
    array = write(os.path.join(d, "array.json"), json.dumps([plain, ident]))
    p = run(["eval", single, bpath, lines, array])
    recs = records(p.stdout)
    expect([r["id"] for r in recs] == [single, f"{bpath}[2]", "by-identifier", "by-id", f"{lines}:1",
                                       f"{lines}:2[2]", "by-identifier", "by-id", f"{array}[1]", "by-identifier"],
           [r["id"] for r in recs])
    expect(p.returncode == 0 and all(r["disposition"] == "urgent" for r in recs), p.stdout[:500])
    expect(all([c["id"] for c in r["concerns"]] == ["aaa"] for r in recs), recs[0]["concerns"])


def test_resources_eval_does_not_read_are_error_records():
    d = tmpdir()
    cases = [({"resourceType": "Patient", "id": "p"}, "resourceType \"Patient\": eval reads a QuestionnaireResponse, or a Bundle of them"),
             ({"resourceType": "Bundle", "type": "document", "entry": []}, "a Bundle of type \"document\": eval reads"),
             ({"resourceType": "Bundle", "entry": []}, "a Bundle of type (none)"),
             ({"resourceType": "Bundle", "type": "collection", "entry": [{"resource": {"resourceType": "Patient"}}]},
              "a Bundle with no QuestionnaireResponse in it"),
             ({"resourceType": 7}, "resourceType 7"),
             ({"resourceType": "QuestionnaireResponse", "item": {"linkId": "age"}}, "\"item\" must be an array")]
    path = write(os.path.join(d, "other.jsonl"), "".join(json.dumps(c) + "\n" for c, _ in cases))
    p = run(["eval", path])
    recs = records(p.stdout)
    expect(p.returncode == 65 and len(recs) == len(cases), f"{p.returncode} {recs}")
    for i, (r, (_, want)) in enumerate(zip(recs, cases)):
        expect(r["id"] == f"{path}:{i + 1}" and r.get("error", "").startswith(want), f"{r} want {want}")


def test_bundles_are_cut_whatever_their_text():
    """The reader cuts a Bundle into its responses entry by entry: an escaped
    "resourceType", "type" after "entry", white space anywhere, a Bundle inside an array
    all read as the parsed Bundle would be; a malformed Bundle, or one with a member twice,
    is one error record, worded as for any malformed case."""
    qr = json.dumps({"resourceType": "QuestionnaireResponse", "status": "completed",
                     "item": [{"linkId": "collapse", "answer": [{"valueBoolean": True}]}]})
    good = [
        '{"resourceType":"\\u0042undle","type":"collection","entry":[{"resource":%s}]}' % qr,
        '{"entry":[{"resource":%s},{"resource":{"resourceType":"Patient"}}],"type":"batch","resourceType":"Bundle"}' % qr,
        ' { "resourceType" : "Bundle" , "type" : "searchset" , "entry" : [ { "resource" : %s } ] } ' % qr,
    ]
    d = tmpdir()
    lines = write(os.path.join(d, "good.jsonl"), "\n".join(good) + "\n")
    array = write(os.path.join(d, "array.json"), "[%s, %s]" % (good[0], good[1]))
    p = run(["eval", lines, array])
    recs = records(p.stdout)
    expect(p.returncode == 0 and [r["id"] for r in recs] ==
           [f"{lines}:1[1]", f"{lines}:2[1]", f"{lines}:3[1]", f"{array}[1][1]", f"{array}[2][1]"], p.stdout[:600])
    expect(len({json.dumps({k: r[k] for k in SAME}) for r in recs}) == 1, "the same response read differently")
    bad = [
        '{"resourceType":"Bundle","type":"collection","entry":[{"resource":%s},]}' % qr,
        '{"resourceType":"Bundle","type":"collection","type":"batch","entry":[{"resource":%s}]}' % qr,
        '{"resourceType":"Bundle","type":"collection","entry":[{"resource":%s}]} x' % qr,
        '{"resourceType":"Bundle","type":"collection","entry":[{"resource":%s}' % qr,
    ]
    p = run(["eval", write(os.path.join(d, "bad.jsonl"), "\n".join(bad) + "\n")])
    recs = records(p.stdout)
    expect(p.returncode == 65 and len(recs) == len(bad), p.stdout)
    for r in recs:
        expect(r.get("error", "").startswith("malformed JSON at column "), r)
    expect("duplicate object key" in recs[1]["error"], recs[1])


def test_fast_path_leaves_resources_to_the_fhir_reader():
    """A line with a "resourceType" is never read as a case file, even one that holds
    "answers": the fast reader declines it and the FHIR reader reads it (no items: every
    question unanswered)."""
    line = json.dumps({"resourceType": "QuestionnaireResponse", "id": "x", "status": "completed",
                       "answers": {"collapse": True}}) + "\n"
    p = run(["eval", "-"], input=line, env={"PSOAS_FASTPATH": "verify"})
    [r] = records(p.stdout)
    expect("0 records settled" in p.stderr, p.stderr)
    expect(r["disposition"] == "incomplete" and r["concerns"] == [], r)
    expect(p.stdout == run(["eval", "-"], input=line, env={"PSOAS_FASTPATH": "0"}).stdout, "fast path on/off differ")


def test_text_and_csv_formats_read_responses_too():
    case = load(os.path.join(HERE, "vignettes", "dev-02.json"))
    path = write(os.path.join(tmpdir(), "qr.json"), json.dumps(response(case)))
    for fmt in ("text", "csv"):
        a = run(["eval", "--format", fmt, os.path.join(HERE, "vignettes", "dev-02.json")]).stdout
        b = run(["eval", "--format", fmt, path]).stdout
        expect(a == b, f"{fmt}:\n{a}\n---\n{b}")


# ---- validation with FHIR.js (npm ci) ---------------------------------------------------------

VALIDATE = os.path.join(HERE, "fhir-validate.js")


def validator(paths):
    node = shutil.which("node") or shutil.which("nodejs")
    if not node:
        raise Skip("node is not installed (sudo apt-get install -y nodejs npm; then npm ci)")
    if not os.path.isdir(os.path.join(ROOT, "node_modules", "fhir")):
        raise Skip("the npm package fhir is not installed: run `npm ci` at the top of the repository")
    return subprocess.run([node, VALIDATE] + list(paths), capture_output=True, text=True, timeout=300)


def errors_of(p):
    return [line for line in p.stdout.splitlines() if ": error" in line]


def test_validator_rejects_a_broken_questionnaire():
    """The validator is not vacuous: a wrong code, an unknown property, a missing answer
    in an enableWhen, and the same in a nested item (FHIR.js does not look there by
    itself: fhir-validate.js does) are errors, named by location; exit 1."""
    d = tmpdir()
    q, _ = questionnaire()
    good = write(os.path.join(d, "good.json"), json.dumps(q))
    q["item"][1]["type"] = "yesno"
    q["item"][2]["colour"] = "red"
    q["item"][3]["enableWhen"] = [{"question": "sex", "operator": "!="}]
    q["item"][-1]["item"][0]["required"] = "yes"
    bad = write(os.path.join(d, "bad.json"), json.dumps(q))
    p = validator([good])
    expect(p.returncode == 0 and not errors_of(p), p.stdout + p.stderr)
    p = validator([bad])
    errs = errors_of(p)
    expect(p.returncode == 1, p.stdout + p.stderr)
    for where in ("Questionnaire.item[1].type", "Questionnaire.item[2].colour", "Questionnaire.item[3].enableWhen[0]",
                  f"Questionnaire.item[{len(q['item']) - 1}].item[0].required"):
        expect(any(where in e for e in errs), f"{where} not reported: {errs}")
    broken = write(os.path.join(d, "bad-response.json"), json.dumps(
        {"resourceType": "QuestionnaireResponse", "status": "done",
         "item": [{"linkId": "g", "item": [{"linkId": "fever", "answer": [{"valueBoolean": "yes"}]}]}]}))
    errs = errors_of(validator([broken]))
    expect(any("QuestionnaireResponse.status" in e for e in errs)
           and any("item[0].item[0].answer[0].valueBoolean" in e for e in errs), errs)


def test_questionnaire_and_responses_validate():
    """The exported Questionnaire, and the responses these tests give eval (one per
    vignette, a Bundle of them, JSON Lines), are valid FHIR R4 for FHIR.js."""
    d = tmpdir()
    q, _ = questionnaire()
    paths = [write(os.path.join(d, "questionnaire.json"), json.dumps(q))]
    cases = all_vignettes()
    paths.append(write(os.path.join(d, "responses.jsonl"), "".join(json.dumps(response(c)) + "\n" for c in cases)))
    paths.append(write(os.path.join(d, "bundle.json"), json.dumps(
        {"resourceType": "Bundle", "type": "collection", "entry": [{"resource": response(c)} for c in cases]})))
    p = validator(paths)
    expect(p.returncode == 0 and not errors_of(p), p.stdout[-3000:] + p.stderr)
