"""`psoas-triage serve` over HTTP, through the real binary: the API against eval, a web
session continued at the terminal and evaluated in batch, and the security promises
(tokens, CSRF, limits, ids, slow clients).  The pages in a real browser are in
test_browser.py, the load in test_load.py."""
import glob
import http.client
import json
import os
import re
import socket
import subprocess
import time
import urllib.parse

from harness import HERE, Skip, WebServer, binary, expect, records, run, tmpdir, write

DEV = sorted(glob.glob(os.path.join(HERE, "vignettes", "dev-*.json")))


class Server(WebServer):
    """The server on a free port, its cases in a new directory, its log in a file
    (harness.WebServer); request(): one request on a connection of its own."""

    def __init__(self, *args, listen="127.0.0.1:0", cases=None):
        super().__init__(*args, cases=cases, threads=2, listen=listen)

    def request(self, method, path, body=None, headers=None, timeout=30):
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        if isinstance(body, (dict, list)):
            body = json.dumps(body)
        c.request(method, path, body=body, headers=headers or {},
                  encode_chunked=bool(headers and headers.get("Transfer-Encoding") == "chunked"))
        r = c.getresponse()
        data = r.read().decode("utf-8", "replace")
        c.close()
        return r.status, dict((k.lower(), v) for k, v in r.getheaders()), data


class Browser:
    """A form-posting client with a cookie jar (what a browser without JavaScript does)."""

    def __init__(self, server):
        self.s, self.cookies = server, {}

    def _headers(self, extra=None):
        h = dict(extra or {})
        if self.cookies:
            h["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        return h

    def _keep(self, headers):
        for k, v in headers.items():
            if k == "set-cookie":
                name, value = v.split(";")[0].split("=", 1)
                self.cookies[name] = value

    def get(self, path):
        status, h, body = self.s.request("GET", path, headers=self._headers())
        self._keep(h)
        return status, body

    def post(self, path, fields, csrf_from=None):
        form = dict(fields)
        if "csrf" not in form:
            form["csrf"] = self.csrf(csrf_from or path.rsplit("/", 1)[0] or "/")
        status, h, body = self.s.request("POST", path, body=urllib.parse.urlencode(form), headers=self._headers(
            {"Content-Type": "application/x-www-form-urlencoded"}))
        self._keep(h)
        return status, h, body

    def csrf(self, page):
        _, body = self.get(page)
        m = re.search(r'name="csrf" value="([0-9a-f]+)"', body)
        expect(m, f"no CSRF token on {page}:\n{body[:2000]}")
        return m.group(1)


def eval_level(path):
    p = run(["eval", path])
    return records(p.stdout)[0].get("disposition")


def answer_for(case, qid):
    """The answer a vignette gives to question qid, as a form value."""
    v = case.get("answers", {}).get(qid)
    if v is None or v == "unknown":
        return "unknown"
    if v is True:
        return "yes"
    if v is False:
        return "no"
    return str(v)


def web_steps(b, mode, case, limit=10**6):
    """Answers up to `limit` prompts of this browser's session from the vignette; returns
    the last page."""
    _, page = b.get(f"/{mode}")
    for _ in range(limit):
        m = re.search(r'name="at" value="([^"]*)"', page)
        if not m:
            return page
        ids = m.group(1).split()
        if len(ids) > 1:  # a checklist: yes if any member is yes
            vals = [answer_for(case, q) for q in ids]
            a = "yes" if "yes" in vals else "no" if all(v == "no" for v in vals) else "unknown"
        else:
            a = answer_for(case, ids[0])
        fields = {"at": m.group(1), "a": a}
        if a not in ("yes", "no", "unknown") and re.search(r'type="number"', page):
            fields = {"at": m.group(1), "a": "value", "v": a}
        status, h, _ = b.post(f"/{mode}/answer", fields, csrf_from=f"/{mode}")
        expect(status == 303, f"answer {fields}: {status}")
        _, page = b.get(f"/{mode}")
    return page


def page_level(page):
    m = re.search(r'<body class="(?:result|case) lv-(\w+)"', page)
    return m.group(1) if m else None


# ---- the API ---------------------------------------------------------------------------------

def test_api_eval_gives_what_eval_gives():
    wants = records(run(["eval", *DEV]).stdout)
    with Server() as s:
        for path, want in zip(DEV, wants):
            with open(path) as f:
                body = f.read()
            status, h, data = s.request("POST", "/api/eval", body)
            expect(status == 200 and h["content-type"] == "application/json", f"{path}: {status}")
            expect(json.loads(data) == want, f"{path}: /api/eval differs from eval")
        status, _, data = s.request("POST", "/api/eval", '{"answers":{"fevr":true}}')
        expect(status == 400 and "did you mean 'fever'" in json.loads(data)["error"], data)
        status, _, data = s.request("POST", "/api/eval", '{"answers":')
        expect(status == 400 and json.loads(data)["error"].startswith("malformed JSON at line 1"), data)
        status, _, data = s.request("GET", "/api/eval")
        expect(status == 405, status)


def test_api_next_drives_a_session_to_the_result():
    """/api/next: a new session, then one answer at a time as asked, to the result; the
    result equals eval of the case file it saved."""
    with open(os.path.join(HERE, "vignettes", "dev-05.json")) as f:
        case = json.load(f)
    with Server() as s:
        status, _, data = s.request("POST", "/api/next", {"answers": {}})
        reply = json.loads(data)
        sid = reply["session"]
        for _ in range(200):
            if reply["done"]:
                break
            qs = reply["prompt"]["questions"]
            answers = {}
            for q in qs:
                a = case["answers"].get(q["id"], "unknown")
                answers[q["id"]] = a
            status, _, data = s.request("POST", "/api/next", {"session": sid, "answers": answers})
            expect(status == 200, data)
            reply = json.loads(data)
        expect(reply["done"], "the dialogue did not end")
        saved = os.path.join(s.cases, sid + ".json")
        expect(reply["result"]["disposition"] == eval_level(saved), reply["result"])
        status, _, data = s.request("POST", "/api/next", {"session": "../../etc/passwd", "answers": {}})
        expect(status == 404, status)
        status, _, data = s.request("POST", "/api/next", {"answers": {"age": 500}})
        expect(status == 400 and "age" in json.loads(data)["error"], data)


# ---- one dialogue, three hosts ------------------------------------------------------------

def test_web_session_continued_at_the_terminal_and_evaluated():
    """A case started on the web page, interrupted, continued with `intake --resume` at the
    terminal and evaluated with `eval` gives the same result in all three."""
    with open(os.path.join(HERE, "vignettes", "dev-02.json")) as f:
        case = json.load(f)
    with Server() as s:
        b = Browser(s)
        b.post("/intake/start", {}, csrf_from="/intake")
        web_steps(b, "intake", case, limit=4)
        files = glob.glob(os.path.join(s.cases, "*.json"))
        expect(len(files) == 1, files)
        path = files[0]
        saved = json.load(open(path))
        expect(len(saved["dialogue"]["steps"]) == 4, saved["dialogue"])
    # the terminal: answer the rest from the vignette (one line per prompt, ids shown)
    lines = []
    p = subprocess.Popen([binary(), "intake", "--show-ids", "--resume", path], stdin=subprocess.PIPE,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    out, err = "", ""
    # feed answers lazily: read prompts from the output as they come
    import select
    buf = ""
    deadline = time.time() + 60
    while time.time() < deadline:
        r, _, _ = select.select([p.stdout], [], [], 5)
        if not r:
            break
        chunk = os.read(p.stdout.fileno(), 65536).decode()
        if not chunk:
            break
        buf += chunk
        m = re.findall(r"\[([a-z_ ]+)\] ", buf)
        if m and buf.rstrip().endswith(">"):
            ids = m[-1].split()
            vals = [answer_for(case, q) for q in ids]
            a = vals[0] if len(ids) == 1 else ("yes" if "yes" in vals else "no")
            a = {"unknown": "?"}.get(a, a)
            lines.append(a)
            p.stdin.write(a + "\n")
            p.stdin.flush()
            out += buf
            buf = ""
    p.stdin.close()
    out += buf + p.stdout.read()
    p.wait(timeout=30)
    expect(p.returncode == 0, f"intake exit {p.returncode}: {p.stderr.read()}\n{out[-2000:]}")
    term = re.findall(r"^  (EMERGENCY|URGENT|REFER|INCOMPLETE|CAUTION|PROCEED)", out, re.M)
    batch = eval_level(path)
    with Server(cases=os.path.dirname(path)) as s:  # the desk's page of the case, on the web
        _, page = Browser(s).get(f"/cases/{os.path.basename(path)[:-5]}")
    expect(term and term[-1].lower() == batch == page_level(page) == case["expect"]["disposition"],
           f"terminal {term}, eval {batch}, web {page_level(page)}, vignette {case['expect']['disposition']}")


def test_web_session_survives_reload_and_restart():
    """A reload shows the same question; a restarted server continues the session."""
    with open(os.path.join(HERE, "vignettes", "dev-05.json")) as f:
        case = json.load(f)
    with Server() as s:
        b = Browser(s)
        b.post("/intake/start", {}, csrf_from="/intake")
        page = web_steps(b, "intake", case, limit=3)
        _, again = b.get("/intake")
        at = re.search(r'name="at" value="([^"]*)"', page).group(1)
        expect(f'name="at" value="{at}"' in again, "a reload showed another question")
        cases, cookies = s.cases, dict(b.cookies)
    with Server(cases=cases) as s:
        b = Browser(s)
        b.cookies = cookies
        _, page = b.get("/intake")
        expect(f'name="at" value="{at}"' in page, "after a restart the session did not continue")
        # a stale form (the same question answered twice) is not applied twice
        b.post("/intake/answer", {"at": at, "a": answer_for(case, at.split()[0]) if " " not in at else "no"}, csrf_from="/intake")
        n = len(json.load(open(glob.glob(os.path.join(cases, "*.json"))[0]))["dialogue"]["steps"])
        b.post("/intake/answer", {"at": at, "a": "yes"}, csrf_from="/intake")
        m = len(json.load(open(glob.glob(os.path.join(cases, "*.json"))[0]))["dialogue"]["steps"])
        expect(n == m == 4, f"steps {n} then {m}")


# ---- security ----------------------------------------------------------------------------------

def token_file():
    return write(os.path.join(tmpdir("psoas-token-"), "token"), "s3cret-clinic-token-0123456789\n")


def test_other_addresses_need_a_token():
    p = run(["serve", "--listen", "0.0.0.0:0", "--cases", tmpdir("psoas-serve-")], timeout=30)
    expect(p.returncode == 64 and "needs --token-file" in p.stderr, f"{p.returncode} {p.stderr}")


def test_no_token_401_on_a_non_loopback_address():
    with Server("--token-file", token_file(), listen="0.0.0.0:0") as s:
        expect("WARNING: no TLS" in s.log(), "no warning without TLS")
        status, h, data = s.request("POST", "/api/eval", '{"answers":{}}')
        expect(status == 401 and h.get("www-authenticate") == "Bearer", status)
        status, _, data = s.request("GET", "/cases")
        expect(status == 401 and 'name="token"' in data, status)
        status, _, _ = s.request("POST", "/api/eval", '{"answers":{}}', {"Authorization": "Bearer wrong-token-0123456789"})
        expect(status == 401, status)
        status, _, _ = s.request("POST", "/api/eval", '{"answers":{}}',
                                 {"Authorization": "Bearer s3cret-clinic-token-0123456789"})
        expect(status == 200, status)
        # the pages: a sign-in sets a cookie; a tablet for patients reaches /intake only
        b = Browser(s)
        st, h, _ = b.post("/login", {"token": "nope"}, csrf_from="/login")
        expect(st == 401 and "pt_auth" not in b.cookies, st)
        st, h, _ = b.post("/login", {"token": "s3cret-clinic-token-0123456789"}, csrf_from="/login")
        cookie = h.get("set-cookie", "")
        expect(st == 303 and "HttpOnly" in cookie and "SameSite=Strict" in cookie, cookie)
        expect("s3cret" not in cookie, "the cookie holds the token")
        expect(b.get("/cases")[0] == 200, "desk sign-in")
        k = Browser(s)
        k.post("/login", {"token": "s3cret-clinic-token-0123456789", "kiosk": "1"}, csrf_from="/login")
        expect(k.get("/intake")[0] == 200 and k.get("/cases")[0] == 403 and k.get("/screen")[0] == 403,
               "a kiosk reaches more than the intake")


def test_forged_csrf_403_and_signed_sessions():
    with Server() as s:
        b = Browser(s)
        st, _, _ = b.post("/intake/start", {"csrf": "0" * 32})
        expect(st == 403, st)
        st, _, _ = b.post("/intake/start", {}, csrf_from="/intake")
        expect(st == 303 and "pt_intake" in b.cookies, st)
        # a patient cannot name another session: a cookie with another id is not honoured
        other = Browser(s)
        other.post("/intake/start", {}, csrf_from="/intake")
        sid = other.cookies["pt_intake"].split(".")[0]
        forged = Browser(s)
        forged.cookies = {"pt_intake": sid + "." + "0" * 32}
        _, page = forged.get("/intake")
        expect('name="at"' not in page and "Start</button>" in page, "a forged session cookie was honoured")
        # a CSRF token made for one browser fails in another
        token = b.csrf("/intake")
        st, _, _ = other.post("/intake/answer", {"csrf": token, "at": "age", "a": "40"})
        expect(st == 403, st)


def test_body_limit_413_and_headers():
    with Server() as s:
        # a 10 MB body, sent as a client would: refused on its headers, before it is read
        c = socket.create_connection(("127.0.0.1", s.port), timeout=30)
        c.sendall(b"POST /api/eval HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                  b"Content-Length: %d\r\n\r\n" % (10 << 20))
        try:
            for _ in range(160):
                c.sendall(b"x" * 65536)
        except OSError:
            pass  # the server closed the connection after its answer
        reply = b""
        try:
            while chunk := c.recv(65536):
                reply += chunk
        except OSError:
            pass
        c.close()
        expect(reply.startswith(b"HTTP/1.1 413") and b"256 KiB" in reply, reply[:300])
        # and a chunked body that grows past the limit
        status, _, data = s.request("POST", "/api/eval", iter([b"x" * 65536] * 8),
                                    {"Transfer-Encoding": "chunked"})
        expect(status == 413 and "256 KiB" in data, status)
        status, h, _ = s.request("GET", "/intake")
        csp = h.get("content-security-policy", "")
        expect("script-src 'self'" in csp and "unsafe-inline" not in csp and "default-src 'none'" in csp, csp)
        expect(h.get("x-content-type-options") == "nosniff" and h.get("cache-control") == "no-store"
               and h.get("referrer-policy") == "no-referrer", h)


def test_path_traversal_in_ids_is_404():
    with Server() as s:
        outside = write(os.path.join(tmpdir("psoas-outside-"), "secret.json"), '{"id":"secret","answers":{}}')
        os.symlink(outside, os.path.join(s.cases, "link.json"))
        for path in ("/cases/..%2f..%2fetc%2fpasswd", "/cases/../../etc/passwd", "/cases/%2e%2e",
                     "/cases/.secret", "/cases/link", "/cases/link/letter", "/cases/a%00b",
                     "/cases/" + "a" * 200, "/static/../kb/questions.json"):
            status, _, data = s.request("GET", path)
            expect(status == 404 and "secret" not in data.split("<footer")[0].lower().replace("psoas", ""),
                   f"{path}: {status}")
        expect("/cases/link" not in s.request("GET", "/cases")[2], "a symbolic link is listed")


def test_idle_connections_do_not_block_a_client():
    """200 connections that send half a request and wait (a slowloris) do not keep a
    real client out."""
    with Server() as s:
        idle = []
        for _ in range(200):
            c = socket.create_connection(("127.0.0.1", s.port), timeout=10)
            c.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n")
            idle.append(c)
        t0 = time.time()
        status, _, _ = s.request("GET", "/", timeout=10)
        took = time.time() - t0
        for c in idle:
            c.close()
        expect(status == 200 and took < 5, f"status {status} after {took:.1f} s")


def test_logs_name_no_answer():
    with Server() as s:
        s.request("POST", "/api/next", {"answers": {"age": 77, "sex": "female"}})
        b = Browser(s)
        b.post("/intake/start", {}, csrf_from="/intake")
        _, page = b.get("/intake")
        at = re.search(r'name="at" value="([^"]*)"', page).group(1)
        b.post("/intake/answer", {"at": at, "a": "value", "v": "77"}, csrf_from="/intake")
    for line in s.log().splitlines():
        expect(re.fullmatch(r"psoas-triage: (\S+ (GET|POST) \S+ \d{3}|stopping \(signal 15\)|serving on .*)", line),
               f"a log line says more than the request: {line!r}")
    requests = "\n".join(l for l in s.log().splitlines() if "serving on" not in l)  # (its port may hold 77)
    expect("77" not in requests and "female" not in s.log(), "an answer reached the log")


def test_guessing_the_token_is_429_after_ten_tries():
    with Server("--token-file", token_file()) as s:
        codes = [s.request("POST", "/api/eval", "{}", {"Authorization": f"Bearer guess-{i:020d}"})[0]
                 for i in range(12)]
        expect(codes[:9] == [401] * 9 and codes[-1] == 429, codes)
        status, _, data = s.request("POST", "/api/eval", '{"answers":{}}',
                                    {"Authorization": "Bearer s3cret-clinic-token-0123456789"})
        expect(status == 429 and "wait a minute" in json.loads(data)["error"], status)


def test_tls():
    """--tls-cert/--tls-key: HTTPS (libmicrohttpd's GnuTLS), and its cookies are Secure."""
    import shutil
    import ssl
    if not shutil.which("openssl"):
        raise Skip("openssl is not installed")
    d = tmpdir("psoas-tls-")
    cert, key = os.path.join(d, "cert.pem"), os.path.join(d, "key.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert,
                    "-days", "1", "-subj", "/CN=localhost"], check=True, capture_output=True)
    with Server("--tls-cert", cert, "--tls-key", key) as s:
        ctx = ssl.create_default_context(cafile=cert)
        ctx.check_hostname = False
        c = http.client.HTTPSConnection("127.0.0.1", s.port, context=ctx, timeout=30)
        c.request("GET", "/intake")
        r = c.getresponse()
        body = r.read().decode()
        expect(r.status == 200 and "Start</button>" in body, r.status)
        csrf = re.search(r'name="csrf" value="([0-9a-f]+)"', body).group(1)
        c.request("POST", "/intake/start", body=f"csrf={csrf}",
                  headers={"Content-Type": "application/x-www-form-urlencoded"})
        r = c.getresponse()
        r.read()
        cookie = r.getheader("Set-Cookie", "")
        expect(r.status == 303 and "; Secure" in cookie and "HttpOnly" in cookie, cookie)
        c.close()
        plain = http.client.HTTPConnection("127.0.0.1", s.port, timeout=10)
        try:
            plain.request("GET", "/")
            status = plain.getresponse().status
        except (OSError, http.client.HTTPException):
            status = None
        expect(status is None or status >= 400, f"plain HTTP on the TLS port: {status}")


def test_cases_lists_today_and_continues_an_unfinished_one():
    with Server() as s:
        b = Browser(s)
        b.post("/intake/start", {}, csrf_from="/intake")
        old = write(os.path.join(s.cases, "old-case.json"), '{"id":"old-case","answers":{"age":40}}')
        os.utime(old, (time.time() - 3 * 86400,) * 2)
        _, today = b.get("/cases")
        _, every = b.get("/cases?all=1")
        expect("/cases/web-intake-" in today and "/cases/old-case" not in today, "today's list")
        expect("/cases/web-intake-" in every and "/cases/old-case" in every and "unfinished" in every, "all")
        sid = re.search(r'/cases/(web-intake-[^"]+)"', today).group(1)
        desk = Browser(s)  # another browser (the desk) continues it
        st, h, _ = desk.post(f"/cases/{sid}/continue", {}, csrf_from=f"/cases/{sid}")
        expect(st == 303 and h["location"] == "/intake" and desk.cookies["pt_intake"].startswith(sid), h)
        _, page = desk.get("/intake")
        expect('name="at"' in page, "the continued session shows its next question")
