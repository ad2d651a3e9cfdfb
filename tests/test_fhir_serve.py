"""FHIR on `psoas-triage serve`: the SDC adaptive questionnaire ($next-question), the
Questionnaire and the CapabilityStatement, through the real binary.  The dialogue is the
one the terminal and the pages drive: $next-question asks what /api/next asks, in the same
order, stops at an emergency at once, and its result is eval's."""
import glob
import json
import os
import shutil
import subprocess

from harness import HERE, ROOT, Skip, expect, records, run, tmpdir
from test_serve import Server

VALIDATOR = os.path.join(HERE, "fhir-validate.js")
VIGNETTES = [os.path.join(HERE, "vignettes", f"dev-{n:02d}.json") for n in (1, 2, 3, 5, 8)]


def load(path):
    with open(path) as f:
        return json.load(f)


def answer(q_item, value):
    """The QuestionnaireResponse answer list for a case-file answer (none: not answered)."""
    if value is None or value == "unknown":
        return None
    if q_item["type"] == "boolean":
        return [{"valueBoolean": value in (True, "yes")}]
    if q_item["type"] == "integer":
        return [{"valueInteger": int(value)}]
    opt = [o["valueCoding"] for o in q_item["answerOption"] if o["valueCoding"]["code"] == value]
    return [{"valueCoding": opt[0]}]


def post(s, qr):
    status, h, data = s.request("POST", "/fhir/Questionnaire/$next-question", qr)
    expect(status == 200 and h["content-type"] == "application/fhir+json", f"{status}: {data[:500]}")
    return json.loads(data)


def drive(s, case):
    """Answers $next-question from the case until it completes; returns (the completed
    response, every response returned, the linkIds asked in order)."""
    qr = {"resourceType": "QuestionnaireResponse", "status": "in-progress", "item": []}
    seen, asked = [], []
    for _ in range(200):
        qr = post(s, qr)
        seen.append(qr)
        if qr["status"] == "completed":
            return qr, seen, asked
        q = qr["contained"][0]
        have = {i["linkId"] for i in qr["item"]}
        for it in q["item"]:
            if it["linkId"] in have:
                continue
            asked.append(it["linkId"])
            a = answer(it, case["answers"].get(it["linkId"]))
            qr["item"].append({"linkId": it["linkId"], **({"answer": a} if a else {})})
    raise AssertionError("$next-question never completed")


def api_next_order(s, case):
    """The questions /api/next asks for the same case, in order."""
    status, _, data = s.request("POST", "/api/next", {"answers": {}})
    reply, order = json.loads(data), []
    while not reply["done"]:
        ids = [q["id"] for q in reply["prompt"]["questions"]]
        order += ids
        given = {i: case["answers"].get(i, "unknown") for i in ids}
        status, _, data = s.request("POST", "/api/next", {"session": reply["session"], "answers": given})
        reply = json.loads(data)
    return order, reply["result"]


def test_next_question_is_the_dialogue_and_its_result_is_evals():
    with Server() as s:
        for path in VIGNETTES:
            case = load(path)
            done, _, asked = drive(s, case)
            order, api_result = api_next_order(s, case)
            expect(asked == order, f"{path}: $next-question asked {asked}, /api/next {order}")
            risk = [c for c in done["contained"] if c["resourceType"] == "RiskAssessment"]
            expect(len(risk) == 1, f"{path}: {done['contained']}")
            got = [(p["outcome"]["coding"][0]["code"], p["qualitativeRisk"]["coding"][0]["code"])
                   for p in risk[0].get("prediction", [])]
            want = [(c["id"], c["level"]) for c in api_result["concerns"]]
            expect(got == want, f"{path}: {got} != {want}")
            refs = [e["valueReference"]["reference"] for e in done["extension"]]
            expect("#risk" in refs, refs)
            refers = api_result["disposition"] in ("emergency", "urgent", "refer")
            expect(("#referral" in refs) == refers, f"{path}: {refs} for {api_result['disposition']}")


def test_an_emergency_ends_it_at_once():
    """dev-03 is an emergency: the response completes as soon as it is established, with
    as many questions as the terminal's dialogue asks."""
    case = load(os.path.join(HERE, "vignettes", "dev-03.json"))
    expect(case["expect"]["disposition"] == "emergency", case["expect"])
    with Server() as s:
        done, _, asked = drive(s, case)
        order, result = api_next_order(s, case)
    expect(result["disposition"] == "emergency" and asked == order, f"{asked} / {order}")
    expect(len(asked) < 15, f"{len(asked)} questions before the emergency")


def test_questionnaire_and_metadata_and_errors():
    with Server() as s:
        status, h, data = s.request("GET", "/fhir/Questionnaire/psoas-intake")
        q = json.loads(data)
        want = json.loads(run(["fhir", "questionnaire"]).stdout)
        expect(status == 200 and q == want, "the served Questionnaire differs from `fhir questionnaire`")
        status, _, data = s.request("GET", "/fhir/metadata")
        cs = json.loads(data)
        expect(status == 200 and cs["resourceType"] == "CapabilityStatement" and
               cs["rest"][0]["resource"][0]["operation"][0]["name"] == "next-question", cs)
        status, _, data = s.request("POST", "/fhir/Questionnaire/$next-question",
                                    {"resourceType": "QuestionnaireResponse", "status": "in-progress",
                                     "item": [{"linkId": "fevr", "answer": [{"valueBoolean": True}]}]})
        oo = json.loads(data)
        expect(status == 400 and oo["resourceType"] == "OperationOutcome" and
               "fevr" in oo["issue"][0]["diagnostics"], data)
        status, _, data = s.request("POST", "/fhir/Questionnaire/$next-question", {"resourceType": "Patient"})
        expect(status == 400, status)
        params = {"resourceType": "Parameters", "parameter": [
            {"name": "in", "resource": {"resourceType": "QuestionnaireResponse", "status": "in-progress"}}]}
        expect(post(s, params)["status"] == "in-progress", "Parameters input")


def test_everything_it_writes_validates():
    if not shutil.which("node") or not os.path.isdir(os.path.join(ROOT, "node_modules", "fhir")):
        raise Skip("node or node_modules/fhir is missing (npm ci)")
    d = tmpdir("psoas-fhir-serve-")
    lines = []
    with Server() as s:
        for path in VIGNETTES[:3]:
            _, seen, _ = drive(s, load(path))
            lines += [json.dumps(r) for r in seen]
        lines.append(s.request("GET", "/fhir/metadata")[2].strip())
        lines.append(s.request("GET", "/fhir/Questionnaire/psoas-intake")[2].strip())
    out = os.path.join(d, "resources.jsonl")
    with open(out, "w") as f:
        f.write("\n".join(lines) + "\n")
    p = subprocess.run(["node", VALIDATOR, out], capture_output=True, text=True, timeout=300)
    expect(p.returncode == 0, f"validator: exit {p.returncode}\n{p.stdout[-3000:]}{p.stderr[-2000:]}")
