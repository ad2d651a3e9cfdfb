/* serve.c -- `psoas-triage serve` (see serve.h).
 *
 * The web is one more host of the dialogue (dialogue.h), not a second implementation of
 * it.  The server keeps no session in memory: a session is its case file in --cases DIR,
 * in the same format the terminal writes.  Every request that answers loads the file,
 * drives the dialogue one step, saves the file atomically and redirects (Post/Redirect/
 * Get: a reload never answers twice, and a reload half-way shows the same question), so
 * `intake --resume FILE` and `eval DIR` read what the web wrote, and a restart loses
 * nothing.
 *
 * Threads: libmicrohttpd's thread pool; each of its threads has its own engine (a CLIPS
 * environment is not thread-safe), made on first use, as eval's workers have.
 *
 * Security (README "Web"):
 *   - loopback only unless --listen says otherwise; any other address needs a token
 *     (--token-file): a Bearer header for the API, a login page setting an HttpOnly,
 *     SameSite=Strict cookie for the pages; the cookie is a MAC, never the token;
 *   - two roles: the desk (everything) and a kiosk (a tablet handed to patients: /intake
 *     only, and each patient sees only their own session: the session cookie is signed);
 *   - a CSRF token (a MAC of the session) on every form; a strict Content-Security-Policy
 *     (no inline script), nosniff, no referrer, no caching of case pages;
 *   - limits: request body 256 KiB (413), header memory, connections in all and per
 *     client, an idle timeout per connection (a slowloris starves nobody);
 *   - case ids are made by the server; an id from a client is only ever looked up among
 *     the files of --cases (never a path: anything else is 404);
 *   - the log names requests and status codes, never an answer or a name. */
#include "serve.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <dlfcn.h>
#include <microhttpd.h>
#include <nettle/hmac.h>
#include <nettle/memops.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "dialogue.h"
#include "engine.h"
#include "fhir.h"
#include "fhirout.h"
#include "letter.h"
#include "output.h"
#include "screenkb.h"
#include "tcase.h"
#include "util.h"
#include "web.h"

/* libmicrohttpd is opened only by `serve`: linked into the program it (and the GnuTLS it
 * pulls in, with eight more libraries and their initialisers) cost every `eval` about
 * 1.4 ms of start-up.  Its header still gives the types and constants; the functions
 * serve calls come from dlopen() of the runtime library (Debian's libmicrohttpd12). */
#define MHD_SONAME "libmicrohttpd.so.12"
static struct {
  __typeof__(MHD_start_daemon) *start_daemon;
  __typeof__(MHD_stop_daemon) *stop_daemon;
  __typeof__(MHD_get_daemon_info) *get_daemon_info;
  __typeof__(MHD_get_connection_info) *get_connection_info;
  __typeof__(MHD_is_feature_supported) *is_feature_supported;
  __typeof__(MHD_lookup_connection_value) *lookup_connection_value;
  __typeof__(MHD_create_response_from_buffer) *create_response_from_buffer;
  __typeof__(MHD_add_response_header) *add_response_header;
  __typeof__(MHD_queue_response) *queue_response;
  __typeof__(MHD_destroy_response) *destroy_response;
} mhd;

/* Opens libmicrohttpd and finds what serve calls; 0, or -1 after saying what is missing. */
static int mhd_open(void) {
  void *h = dlopen(MHD_SONAME, RTLD_NOW | RTLD_LOCAL);
  if (!h) {
    report("serve needs GNU libmicrohttpd (%s, Debian's libmicrohttpd12): %s", MHD_SONAME, dlerror());
    return -1;
  }
  static const struct {
    const char *name;
    size_t offset;
  } fn[] = {
#define MHD_FN(f) {"MHD_" #f, offsetof(__typeof__(mhd), f)}
      MHD_FN(start_daemon),          MHD_FN(stop_daemon),         MHD_FN(get_daemon_info),
      MHD_FN(get_connection_info),   MHD_FN(is_feature_supported), MHD_FN(lookup_connection_value),
      MHD_FN(create_response_from_buffer), MHD_FN(add_response_header), MHD_FN(queue_response),
      MHD_FN(destroy_response),
#undef MHD_FN
  };
  for (size_t i = 0; i < sizeof fn / sizeof *fn; i++) {
    void *f = dlsym(h, fn[i].name);
    if (!f) {
      report("%s has no %s: %s", MHD_SONAME, fn[i].name, dlerror());
      return -1;
    }
    memcpy((char *)&mhd + fn[i].offset, &f, sizeof f);
  }
  return 0;
}

/* The calls below go through the table (the names stay those of libmicrohttpd's manual). */
#define MHD_start_daemon (*mhd.start_daemon)
#define MHD_stop_daemon (*mhd.stop_daemon)
#define MHD_get_daemon_info (*mhd.get_daemon_info)
#define MHD_get_connection_info (*mhd.get_connection_info)
#define MHD_is_feature_supported (*mhd.is_feature_supported)
#define MHD_lookup_connection_value (*mhd.lookup_connection_value)
#define MHD_create_response_from_buffer (*mhd.create_response_from_buffer)
#define MHD_add_response_header (*mhd.add_response_header)
#define MHD_queue_response (*mhd.queue_response)
#define MHD_destroy_response (*mhd.destroy_response)

#define BODY_MAX (256u << 10)       /* a request body (a form, a case for the API) */
#define CASE_FILE_MAX (1u << 20)    /* a session's case file */
#define CONN_MAX 1000               /* connections in all */
#define CONN_PER_CLIENT 400         /* connections from one address */
#define IDLE_SECONDS 20             /* an idle connection is closed after this */
#define HEADER_MEMORY (32u << 10)   /* per connection: request line and headers */
#define CASES_LISTED 200            /* /cases shows the newest ones */
#define AUTH_FAILURES 10            /* wrong tokens from one address per minute, then 429 */
#define AUTH_CLIENTS 256            /* addresses remembered for that */

enum role { ROLE_NONE, ROLE_KIOSK, ROLE_DESK };

struct server {
  const kb *k;
  screenkb *sk;
  const char *rules_dir, *kb_dir;
  char *cases;            /* --cases DIR (absolute) */
  int cases_fd;           /* open on it: ids are looked up with openat, never as paths */
  char *token;            /* --token-file's token, or NULL */
  int auth;               /* a token is required (any address but loopback, or a token) */
  int tls;                /* HTTPS: cookies are Secure */
  unsigned char secret[32]; /* MAC key of cookies and CSRF tokens (--cases DIR/.secret) */
  struct letterhead *letterhead;
  pthread_key_t engine_key;
  pthread_mutex_t auth_mu;  /* guards failures[] */
  struct {                  /* wrong tokens per client address, this minute */
    unsigned char addr[16];
    time_t minute;
    int n;
  } failures[AUTH_CLIENTS];
};

/* ---- small things ----------------------------------------------------------------------- */

static void hex(char *out, const unsigned char *in, size_t n) {
  static const char digits[] = "0123456789abcdef";
  for (size_t i = 0; i < n; i++) {
    out[2 * i] = digits[in[i] >> 4];
    out[2 * i + 1] = digits[in[i] & 15];
  }
  out[2 * n] = '\0';
}

/* The MAC of "what|detail" under the server's secret, as 32 hex digits (128 bits). */
static void mac(const struct server *s, const char *what, const char *detail, char out[33]) {
  struct hmac_sha256_ctx ctx;
  unsigned char d[SHA256_DIGEST_SIZE];
  hmac_sha256_set_key(&ctx, sizeof s->secret, s->secret);
  hmac_sha256_update(&ctx, strlen(what), (const uint8_t *)what);
  hmac_sha256_update(&ctx, 1, (const uint8_t *)"|");
  hmac_sha256_update(&ctx, strlen(detail), (const uint8_t *)detail);
  hmac_sha256_digest(&ctx, sizeof d, d);
  hex(out, d, 16);
}

/* Compares in constant time (a token or MAC must not leak through timing). */
static int same_secret(const char *a, const char *b) {
  size_t n = strlen(a);
  return n == strlen(b) && memeql_sec(a, b, n);
}

/* A case id the server made, or that may name a file in --cases: 1-64 of [A-Za-z0-9._-],
 * not starting with '.' (so never "..", never a path). */
static int valid_id(const char *s) {
  size_t n = strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-");
  return n > 0 && n <= 64 && !s[n] && s[0] != '.';
}

static void log_line(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void log_line(const char *fmt, ...) {
  char when[32];
  time_t now = time(NULL);
  struct tm tm;
  strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%S", localtime_r(&now, &tm));
  va_list ap;
  va_start(ap, fmt);
  /* stderr's own lock, not a mutex of ours: a line is whole against every writer of stderr,
     the main thread's "stopping" among them (stdio takes that lock for each call). */
  flockfile(stderr);
  fprintf(stderr, "%s: %s ", PROGNAME, when);
  vfprintf(stderr, fmt, ap);
  fputc('\n', stderr);
  funlockfile(stderr);
  va_end(ap);
}

/* This thread's engine (made on first use; closed when the thread ends). */
static struct engine *thread_engine(struct server *s) {
  struct engine *e = pthread_getspecific(s->engine_key);
  if (!e && (e = engine_open(s->k, s->rules_dir, ENGINE_DIALOGUE))) pthread_setspecific(s->engine_key, e);
  return e;
}

static void close_engine(void *e) { engine_close(e); }

/* ---- requests and responses --------------------------------------------------------------- */

#define FIELDS_MAX 40

struct request {
  struct server *s;
  struct MHD_Connection *conn;
  const char *method, *url;
  strbuf body;
  int too_big;            /* the body is over BODY_MAX: 413 */
  int nfields;            /* a form's fields (application/x-www-form-urlencoded) */
  char *name[FIELDS_MAX], *value[FIELDS_MAX];
  enum role role;
  int status;             /* for the log */
};

static const char *field(const struct request *r, const char *name) {
  for (int i = 0; i < r->nfields; i++)
    if (!strcmp(r->name[i], name)) return r->value[i];
  return NULL;
}

/* Decodes one application/x-www-form-urlencoded component in place. */
static void form_decode(char *s) {
  char *o = s;
  for (; *s; s++) {
    if (*s == '+') {
      *o++ = ' ';
    } else if (*s == '%' && s[1] && s[2] && strchr("0123456789abcdefABCDEF", s[1]) &&
               strchr("0123456789abcdefABCDEF", s[2])) {
      char h[3] = {s[1], s[2], 0};
      *o++ = (char)strtol(h, NULL, 16);
      s += 2;
    } else {
      *o++ = *s;
    }
  }
  *o = '\0';
}

/* The form fields of the body (a urlencoded form; other bodies have none). */
static void parse_form(struct request *r) {
  const char *type = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE);
  if (!type || strncasecmp(type, "application/x-www-form-urlencoded", 33) || !r->body.s) return;
  char *save = NULL;
  for (char *pair = strtok_r(r->body.s, "&", &save); pair && r->nfields < FIELDS_MAX;
       pair = strtok_r(NULL, "&", &save)) {
    char *eq = strchr(pair, '=');
    if (eq) *eq = '\0';
    form_decode(pair);
    if (eq) form_decode(eq + 1);
    r->name[r->nfields] = pair;
    r->value[r->nfields++] = eq ? eq + 1 : "";
  }
}

/* Every response's headers: no sniffing, no referrer, no framing, a strict CSP (pages
 * load only this server's style and script), and no caching of anything about a case. */
static void common_headers(struct MHD_Response *resp, const char *type, int letter) {
  MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, type);
  MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
  MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
  MHD_add_response_header(resp, "X-Frame-Options", "DENY");
  MHD_add_response_header(resp, "Cache-Control", "no-store");
  MHD_add_response_header(resp, "Content-Security-Policy",
                          letter ? "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
                                   "frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
                                 : "default-src 'none'; style-src 'self'; script-src 'self'; "
                                   "img-src 'self'; form-action 'self'; frame-ancestors 'none'; "
                                   "base-uri 'none'");
}

/* Sends b (taken over) with status and type; extra: one more header "Name: value" or NULL. */
static enum MHD_Result respond(struct request *r, unsigned status, const char *type, strbuf *b,
                            const char *hname, const char *hvalue) {
  struct MHD_Response *resp = MHD_create_response_from_buffer(b->len, b->s ? b->s : (char *)"",
                                                              b->s ? MHD_RESPMEM_MUST_FREE : MHD_RESPMEM_PERSISTENT);
  b->s = NULL;
  b->len = b->cap = 0;
  common_headers(resp, type, !strcmp(type, "text/html; charset=utf-8") && r->url && strstr(r->url, "/letter"));
  if (hname) MHD_add_response_header(resp, hname, hvalue);
  if (status == MHD_HTTP_UNAUTHORIZED && !strncmp(r->url, "/api/", 5))
    MHD_add_response_header(resp, MHD_HTTP_HEADER_WWW_AUTHENTICATE, "Bearer");
  r->status = (int)status;
  enum MHD_Result ret = MHD_queue_response(r->conn, status, resp);
  MHD_destroy_response(resp);
  return ret;
}

static enum MHD_Result redirect(struct request *r, const char *to, const char *cookie) {
  strbuf b = {0};
  struct MHD_Response *resp = MHD_create_response_from_buffer(0, (char *)"", MHD_RESPMEM_PERSISTENT);
  common_headers(resp, "text/plain", 0);
  MHD_add_response_header(resp, MHD_HTTP_HEADER_LOCATION, to);
  if (cookie) MHD_add_response_header(resp, MHD_HTTP_HEADER_SET_COOKIE, cookie);
  r->status = MHD_HTTP_SEE_OTHER;
  enum MHD_Result ret = MHD_queue_response(r->conn, MHD_HTTP_SEE_OTHER, resp);
  MHD_destroy_response(resp);
  sb_free(&b);
  return ret;
}

/* A JSON error record, as eval writes one: {"id", "error", "program", "knowledge"}. */
static enum MHD_Result json_error(struct request *r, unsigned status, const char *id, const char *msg) {
  strbuf b = {0};
  out_record(&b, FMT_JSONL, r->s->k, id ? id : "request", NULL, msg, 0);
  return respond(r, status, "application/json", &b, NULL, NULL);
}

/* ---- pages ---------------------------------------------------------------------------------- */

static void esc(strbuf *b, const char *s) { letter_escape(b, s ? s : ""); }

/* A text record for a <pre>: each line escaped, the line breaks kept. */
static void esc_lines(strbuf *b, const char *s) {
  strbuf line = {0};
  for (const char *nl; s && *s; s = nl ? nl + 1 : s + strlen(s)) {
    nl = strchr(s, '\n');
    sb_clear(&line);
    sb_add(&line, s, nl ? (size_t)(nl - s) : strlen(s));
    esc(b, line.s);
    if (nl) sb_puts(b, "\n");
    if (!nl) break;
  }
  sb_free(&line);
}

/* The page around body: the header, the main part and the disclaimer. */
static void page_open(strbuf *b, const struct request *r, const char *title, const char *klass) {
  sb_puts(b, "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
             "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>");
  esc(b, title);
  sb_puts(b, " · psoas-triage</title>\n<link rel=\"stylesheet\" href=\"/static/app.css\">\n"
             "<script src=\"/static/app.js\" defer></script>\n</head>\n<body class=\"");
  esc(b, klass);
  sb_puts(b, "\">\n<header class=\"bar\"><span class=\"brand\">psoas-triage</span>");
  if (r->role == ROLE_DESK)
    sb_puts(b, "<nav aria-label=\"Desk\"><a href=\"/intake\">Intake</a> <a href=\"/screen\">Screen</a> "
               "<a href=\"/cases\">Cases</a></nav>");
  sb_puts(b, "</header>\n<main id=\"main\">\n");
}

static void page_close(strbuf *b, const struct request *r) {
  sb_puts(b, "</main>\n<footer><p class=\"disclaimer\">");
  esc(b, r->s->k->disclaimer);
  sb_puts(b, "</p></footer>\n</body>\n</html>\n");
}

static enum MHD_Result send_page(struct request *r, unsigned status, strbuf *b) {
  return respond(r, status, "text/html; charset=utf-8", b, NULL, NULL);
}

/* A page with a heading and one paragraph (errors, notices). */
static enum MHD_Result message_page(struct request *r, unsigned status, const char *title, const char *text) {
  strbuf b = {0};
  page_open(&b, r, title, "message");
  sb_puts(&b, "<h1>");
  esc(&b, title);
  sb_puts(&b, "</h1>\n<p>");
  esc(&b, text);
  sb_puts(&b, "</p>\n<p><a href=\"/\">Start page</a></p>\n");
  page_close(&b, r);
  return send_page(r, status, &b);
}

/* The CSRF token of this request's forms: a MAC of who is asking (the session cookie,
 * or the role's cookie), so a form made for one browser fails in another. */
static void csrf_for(const struct request *r, char out[33]) {
  const char *who = MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND, "pt_intake");
  const char *who2 = MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND, "pt_screen");
  const char *auth = MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND, "pt_auth");
  char *id = xasprintf("%s/%s/%s", who ? who : "-", who2 ? who2 : "-", auth ? auth : "-");
  mac(r->s, "csrf", id, out);
  free(id);
}

static void csrf_field(strbuf *b, const struct request *r) {
  char t[33];
  csrf_for(r, t);
  sb_printf(b, "<input type=\"hidden\" name=\"csrf\" value=\"%s\">", t);
}

static int csrf_ok(const struct request *r) {
  char t[33];
  const char *got = field(r, "csrf");
  csrf_for(r, t);
  return got && same_secret(got, t);
}

/* ---- sessions: case files in --cases ----------------------------------------------------- */

/* Reads the case file of id (a regular file in --cases, no symbolic link) into j. */
static json_t *read_case(struct server *s, const char *id, char *err, size_t n) {
  if (!valid_id(id)) {
    snprintf(err, n, "no such case");
    return NULL;
  }
  char *name = xasprintf("%s.json", id);
  int fd = openat(s->cases_fd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
  free(name);
  struct stat st;
  if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size > CASE_FILE_MAX) {
    snprintf(err, n, "no such case");
    if (fd >= 0) close(fd);
    return NULL;
  }
  json_error_t e;
  json_t *j = json_loadfd(fd, JSON_REJECT_DUPLICATES, &e);
  close(fd);
  if (!j) snprintf(err, n, "the case file is not valid JSON (line %d: %s)", e.line, e.text);
  return j;
}

static char *case_path(const struct server *s, const char *id) { return xasprintf("%s/%s.json", s->cases, id); }

/* A new session's id: the mode, the time and 48 random bits (server-made, unguessable). */
static char *new_id(enum mode mode) {
  unsigned char rnd[6];
  char h[13], stamp[32];
  if (getrandom(rnd, sizeof rnd, 0) != (ssize_t)sizeof rnd) memset(rnd, 0, sizeof rnd);
  hex(h, rnd, sizeof rnd);
  time_t now = time(NULL);
  strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", localtime(&now));
  return xasprintf("web-%s-%s-%s", dlg_mode_names[mode], stamp, h);
}

/* Creates the case file of a new session (O_EXCL: never over another), with its first
 * answers if any; returns the id or NULL (errno). */
static char *create_session(struct server *s, struct dialogue *d) {
  for (int tries = 0; tries < 8; tries++) {
    char *id = new_id(d->mode), *name = xasprintf("%s.json", id);
    int fd = openat(s->cases_fd, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    free(name);
    if (fd < 0 && errno == EEXIST) {
      free(id);
      continue;
    }
    if (fd < 0) {
      free(id);
      return NULL;
    }
    close(fd);
    free(d->c.id);
    d->c.id = xstrdup(id);
    char *path = case_path(s, id);
    int rc = dlg_write(d, path);
    free(path);
    if (rc == 0) return id;
    free(id);
    return NULL;
  }
  errno = EEXIST;
  return NULL;
}

/* The session cookie of a mode: "ID.MAC" (signed: a client cannot name another case). */
static char *session_cookie(const struct server *s, const char *id, enum mode mode) {
  char m[33];
  mac(s, dlg_mode_names[mode], id, m);
  return xasprintf("pt_%s=%s.%s; Path=/; HttpOnly; SameSite=Strict%s", dlg_mode_names[mode], id, m,
                   s->tls ? "; Secure" : "");
}

/* The id of this browser's session of a mode, if its cookie is genuine; caller frees. */
static char *session_of(const struct request *r, enum mode mode) {
  char name[16], m[33];
  snprintf(name, sizeof name, "pt_%s", dlg_mode_names[mode]);
  const char *v = MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND, name);
  const char *dot = v ? strrchr(v, '.') : NULL;
  if (!dot) return NULL;
  char *id = xasprintf("%.*s", (int)(dot - v), v);
  mac(r->s, dlg_mode_names[mode], id, m);
  if (!valid_id(id) || !same_secret(dot + 1, m)) {
    free(id);
    return NULL;
  }
  return id;
}

/* Loads session id into d (dlg_init done by the caller) and runs the rules.  Returns 0, or
 * -1 with err set. */
static int load_session(struct server *s, struct dialogue *d, const char *id, char *err, size_t n) {
  json_t *j = read_case(s, id, err, n);
  if (!j) return -1;
  int rc = dlg_load(d, j, id, 0, err, n);
  json_decref(j);
  if (rc == 0 && dlg_eval(d) < 0) {
    snprintf(err, n, "engine: %.400s", d->r.error);
    rc = -1;
  }
  return rc;
}

/* ---- the dialogue pages: /intake and /screen --------------------------------------------------- */

static const char *mode_path(enum mode m) { return m == MODE_SCREEN ? "/screen" : "/intake"; }

static void answer_buttons(strbuf *b, const struct question *q) {
  if (q->type == Q_BOOL) {
    sb_puts(b, "<div class=\"answers\">"
               "<button class=\"yes\" name=\"a\" value=\"yes\" accesskey=\"y\">Yes</button>"
               "<button class=\"no\" name=\"a\" value=\"no\" accesskey=\"n\">No</button>"
               "<button class=\"unknown\" name=\"a\" value=\"unknown\">Don't know</button></div>");
  } else if (q->type == Q_INT) {
    sb_printf(b, "<p class=\"number\"><label for=\"v\">Your answer (%ld to %ld)</label> "
                 "<input id=\"v\" name=\"v\" type=\"number\" inputmode=\"numeric\" min=\"%ld\" "
                 "max=\"%ld\" autofocus></p><div class=\"answers\">"
                 "<button class=\"yes\" name=\"a\" value=\"value\">Next</button>"
                 "<button class=\"unknown\" name=\"a\" value=\"unknown\">Don't know</button></div>",
              q->min, q->max, q->min, q->max);
  } else {
    sb_puts(b, "<div class=\"answers choices\">");
    for (int i = 0; i < q->nchoices; i++) {
      sb_puts(b, "<button name=\"a\" value=\"");
      esc(b, q->choices[i]);
      sb_puts(b, "\">");
      esc(b, q->choices[i]);
      sb_puts(b, "</button>");
    }
    sb_puts(b, "<button class=\"unknown\" name=\"a\" value=\"unknown\">Don't know</button></div>");
  }
}

/* The prompt's question ids, "a b c" (a form carries them: an answer to a question no
 * longer asked -- a double click, a second tab -- is not applied). */
static void prompt_ids(strbuf *b, const struct dialogue *d, const struct dlg_prompt *p) {
  for (int i = 0; i < p->n; i++) sb_printf(b, "%s%s", i ? " " : "", d->k->q[p->q[i]].id);
}

static void why_box(strbuf *b, const struct dialogue *d, const struct dlg_prompt *p) {
  const kb *k = d->k;
  sb_puts(b, "<details class=\"why\"><summary>Why is this asked?</summary>\n<p>");
  if (p->group >= 0) {
    esc(b, d->sk->g[p->group].why);
    sb_puts(b, "</p>\n");
  } else {
    const struct question *q = &k->q[p->q[0]];
    esc(b, q->why);
    sb_puts(b, "</p>\n");
    if (q->red_flag)
      sb_puts(b, "<p>It is a red-flag question: nobody is cleared for treatment until it is answered.</p>\n");
    else if (q->safety)
      sb_puts(b, "<p>It is a treatment-safety question: nobody is cleared for treatment until it is answered.</p>\n");
    if (p->ask && p->ask->nconcerns) {
      sb_puts(b, "<p>Your answer helps rule in or out:</p><ul>");
      for (int i = 0; i < p->ask->nconcerns; i++) {
        sb_puts(b, "<li>");
        esc(b, k->c[p->ask->concerns[i]].title);
        sb_puts(b, "</li>");
      }
      sb_puts(b, "</ul>\n");
    }
  }
  sb_puts(b, "</details>\n");
}

static void prompt_page(strbuf *b, struct request *r, const struct dialogue *d, const struct dlg_prompt *p) {
  const kb *k = d->k;
  const struct question *q = &k->q[p->q[0]];
  const char *path = mode_path(d->mode);
  int answered = 0, open = 0;
  for (int i = 0; i < k->nq; i++) answered += d->c.a[i].state != ANS_NONE;
  for (int i = 0; i < d->r.nask; i++) open += d->c.a[d->r.ask[i].question].state == ANS_NONE;
  page_open(b, r, d->mode == MODE_SCREEN ? "Front-desk screen" : "Intake", "ask");
  if (d->r.disposition == LV_URGENT) {
    sb_puts(b, "<p class=\"notice lv-urgent\" role=\"status\">");
    esc(b, k->levels[LV_URGENT].label);
    sb_puts(b, ": this already needs a doctor today. The remaining questions help the doctor.</p>\n");
  }
  sb_printf(b, "<p class=\"progress\">%d answered · about %d more</p>\n", answered, open);
  sb_puts(b, "<form method=\"post\" action=\"");
  sb_puts(b, path);
  sb_puts(b, "/answer\" class=\"question\">\n");
  csrf_field(b, r);
  sb_puts(b, "<input type=\"hidden\" name=\"at\" value=\"");
  prompt_ids(b, d, p);
  sb_puts(b, "\">\n<h1 id=\"q\">");
  esc(b, p->group >= 0 ? d->sk->g[p->group].text : q->text);
  sb_puts(b, "</h1>\n");
  if (p->group >= 0) {
    const struct screen_group *g = &d->sk->g[p->group];
    sb_puts(b, "<ul class=\"checklist\">");
    for (int i = 0; i < p->n; i++)
      for (int m = 0; m < g->nm; m++)
        if (g->m[m].q == p->q[i]) {
          sb_puts(b, "<li>");
          esc(b, g->m[m].phrase);
          sb_puts(b, "</li>");
        }
    sb_puts(b, "</ul>\n<p class=\"hint\">Yes if any of these applies (each is then asked on its own).</p>\n");
  } else if (q->help && *q->help) {
    sb_puts(b, "<p class=\"hint\">");
    esc(b, q->help);
    sb_puts(b, "</p>\n");
  }
  answer_buttons(b, p->group >= 0 ? &(struct question){.type = Q_BOOL} : q);
  sb_puts(b, "\n</form>\n");
  why_box(b, d, p);
  sb_printf(b, "<form method=\"post\" action=\"%s/back\" class=\"back\">", path);
  csrf_field(b, r);
  sb_printf(b, "<button%s>Back</button></form>\n", d->nsteps ? "" : " disabled");
  page_close(b, r);
}

/* The end of a dialogue: the result as the terminal shows it (the desk's verdict on the
 * screen), the emergency message first when there is one. */
static void result_page(strbuf *b, struct request *r, const struct dialogue *d) {
  const kb *k = d->k;
  struct result full;
  result_init(&full, k);
  struct engine *e = thread_engine(r->s);
  int ok = e && engine_eval(e, &d->c, MODE_EVAL, 0, &full) == 0;
  enum level lv = ok ? full.disposition : d->r.disposition;
  char klass[32];
  snprintf(klass, sizeof klass, "result lv-%s", level_name(lv));
  page_open(b, r, "Result", klass);
  if (dlg_emergency(d) || lv == LV_EMERGENCY) {
    sb_puts(b, "<section class=\"emergency\" role=\"alert\"><h1>");
    esc(b, k->levels[LV_EMERGENCY].label);
    sb_puts(b, "</h1><p class=\"call\">");
    esc(b, k->levels[LV_EMERGENCY].action);
    sb_puts(b, "</p><p>Call the emergency number (112 in Europe, 911 in North America, 999 in the UK) "
               "or ask the staff to do it now. Do not wait for the rest of the questions.</p></section>\n");
  }
  strbuf t = {0};
  if (d->mode == MODE_SCREEN)
    out_desk_record(&t, k, d->c.id, ok ? &full : &d->r, d->r.disposition, d->sk->verdict[d->r.disposition],
                    OUT_WIDTH(80));
  else
    out_record(&t, FMT_TEXT, k, d->c.id, ok ? &full : NULL, ok ? NULL : "the rules failed on this case",
               OUT_WIDTH(80));
  if (dlg_emergency(d) || lv == LV_EMERGENCY) {
    sb_puts(b, "<h2>The result</h2>\n"); /* the page's heading is the emergency's */
  } else { /* the level first, in words (the desk's verdict on the screen), then the record */
    enum level shown = d->mode == MODE_SCREEN ? d->r.disposition : lv;
    sb_printf(b, "<h1>The result</h1>\n<p class=\"verdict lv-%s\"><strong>", level_name(shown));
    esc(b, d->mode == MODE_SCREEN ? d->sk->verdict[shown] : k->levels[shown].label);
    sb_puts(b, "</strong>");
    if (d->mode != MODE_SCREEN) {
      sb_puts(b, " ");
      esc(b, k->levels[shown].action);
    }
    sb_puts(b, "</p>\n");
  }
  sb_puts(b, "<pre class=\"record\">");
  esc_lines(b, t.s);
  sb_puts(b, "</pre>\n");
  sb_free(&t);
  if (r->role == ROLE_DESK) {
    sb_puts(b, "<p><a href=\"/cases/");
    esc(b, d->c.id);
    sb_puts(b, "\">This case at the desk</a></p>\n");
  }
  sb_printf(b, "<form method=\"post\" action=\"%s/start\">", mode_path(d->mode));
  csrf_field(b, r);
  sb_puts(b, "<button class=\"next-person\">Next person: start again</button></form>\n");
  page_close(b, r);
  result_free(&full);
}

static enum MHD_Result start_page(struct request *r, enum mode mode) {
  strbuf b = {0};
  page_open(&b, r, mode == MODE_SCREEN ? "Front-desk screen" : "Intake", "start");
  if (mode == MODE_SCREEN)
    sb_puts(&b, "<h1>Front-desk screen</h1>\n<p>Red flags first, as few questions as possible: "
                "emergency now, see a doctor today, see a doctor before booking, or fine to book.</p>\n");
  else
    sb_puts(&b, "<h1>Before your appointment</h1>\n<p>A few questions about your back, hip and groin "
                "pain, the most important first. Answer yes, no or don't know; you can go back at any "
                "time, and every answer is saved as you go.</p>\n");
  sb_printf(&b, "<form method=\"post\" action=\"%s/start\">", mode_path(mode));
  csrf_field(&b, r);
  sb_puts(&b, "<button class=\"start\">Start</button></form>\n");
  page_close(&b, r);
  return send_page(r, MHD_HTTP_OK, &b);
}

/* GET /intake, /screen: this browser's session at its next question, or its result, or
 * the start page. */
static enum MHD_Result dialogue_page(struct request *r, enum mode mode) {
  char *id = session_of(r, mode);
  if (!id) return start_page(r, mode);
  struct dialogue d;
  char err[512];
  dlg_init(&d, r->s->k, r->s->sk, thread_engine(r->s), mode, 0);
  enum MHD_Result ret;
  if (!d.e) {
    ret = message_page(r, MHD_HTTP_INTERNAL_SERVER_ERROR, "Server error", "The rules could not be loaded.");
  } else if (load_session(r->s, &d, id, err, sizeof err) < 0) {
    ret = start_page(r, mode); /* the case is gone (moved away by the desk): start anew */
  } else {
    strbuf b = {0};
    struct dlg_prompt p;
    if (dlg_next(&d, &p))
      prompt_page(&b, r, &d, &p);
    else
      result_page(&b, r, &d);
    ret = send_page(r, MHD_HTTP_OK, &b);
  }
  dlg_free(&d);
  free(id);
  return ret;
}

/* POST /MODE/start: a new session (its case file made at once), then its first question. */
static enum MHD_Result dialogue_start(struct request *r, enum mode mode) {
  struct dialogue d;
  dlg_init(&d, r->s->k, r->s->sk, NULL, mode, 0);
  char *id = create_session(r->s, &d);
  dlg_free(&d);
  if (!id) {
    log_line("cannot create a case file in %s: %s", r->s->cases, strerror(errno));
    return message_page(r, MHD_HTTP_INTERNAL_SERVER_ERROR, "Cannot save",
                        "The answers cannot be saved on this server: please tell the staff.");
  }
  char *cookie = session_cookie(r->s, id, mode);
  enum MHD_Result ret = redirect(r, mode_path(mode), cookie);
  free(cookie);
  free(id);
  return ret;
}

/* POST /MODE/answer (a=yes|no|unknown|CHOICE|value, v=NUMBER, at=the prompt's ids) and
 * POST /MODE/back. */
static enum MHD_Result dialogue_post(struct request *r, enum mode mode, int back) {
  char *id = session_of(r, mode);
  if (!id) return redirect(r, mode_path(mode), NULL);
  struct dialogue d;
  char err[512];
  dlg_init(&d, r->s->k, r->s->sk, thread_engine(r->s), mode, 0);
  enum MHD_Result ret;
  if (!d.e || load_session(r->s, &d, id, err, sizeof err) < 0) {
    ret = redirect(r, mode_path(mode), NULL);
  } else {
    struct dlg_prompt p;
    int changed = 0, bad = 0;
    strbuf at = {0};
    if (back) {
      changed = dlg_back(&d) != NULL;
    } else if (dlg_next(&d, &p) && (prompt_ids(&at, &d, &p), at.s) && field(r, "at") &&
               !strcmp(field(r, "at"), at.s)) {
      const char *a = field(r, "a");
      const char *text = a && !strcmp(a, "value") ? field(r, "v") : a;
      struct answer ans;
      if (text && case_parse_answer(d.k, p.q[0], text, &ans, err, sizeof err) == 0) {
        dlg_answer(&d, &p, ans);
        changed = 1;
      } else {
        bad = 1;
      }
    }
    sb_free(&at);
    char *path = case_path(r->s, id);
    if (changed && dlg_write(&d, path) < 0) {
      log_line("cannot save %s: %s", path, strerror(errno));
      ret = message_page(r, MHD_HTTP_INTERNAL_SERVER_ERROR, "Not saved",
                         "Your last answer could not be saved on this server: please tell the staff.");
    } else if (bad) {
      ret = message_page(r, MHD_HTTP_BAD_REQUEST, "Please answer again", err[0] ? err : "No answer was given.");
    } else {
      ret = redirect(r, mode_path(mode), NULL);
    }
    free(path);
  }
  dlg_free(&d);
  free(id);
  return ret;
}

/* ---- the desk: /cases ------------------------------------------------------------------------- */

struct listed {
  char *id;
  struct timespec mtime; /* to the nanosecond: two sessions of one second keep their order */
};

static int newest_first(const void *a, const void *b) {
  const struct listed *x = a, *y = b;
  if (x->mtime.tv_sec != y->mtime.tv_sec) return x->mtime.tv_sec < y->mtime.tv_sec ? 1 : -1;
  if (x->mtime.tv_nsec != y->mtime.tv_nsec) return x->mtime.tv_nsec < y->mtime.tv_nsec ? 1 : -1;
  return strcmp(x->id, y->id);
}

/* GET /cases: today's sessions, newest first (?all=1: every one, the newest CASES_LISTED). */
static enum MHD_Result cases_page(struct request *r) {
  struct server *s = r->s;
  int all = MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, "all") != NULL;
  time_t now = time(NULL);
  struct tm today;
  localtime_r(&now, &today);
  today.tm_hour = today.tm_min = today.tm_sec = 0;
  time_t midnight = mktime(&today);
  int dfd = dup(s->cases_fd);
  DIR *dir = dfd >= 0 ? fdopendir(dfd) : NULL;
  struct listed *l = NULL;
  size_t n = 0, cap = 0;
  if (dir) {
    rewinddir(dir);
    struct dirent *e;
    while ((e = readdir(dir))) {
      size_t len = strlen(e->d_name);
      struct stat st;
      if (e->d_name[0] == '.' || len < 6 || strcmp(e->d_name + len - 5, ".json")) continue;
      if (fstatat(s->cases_fd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISREG(st.st_mode) ||
          (!all && st.st_mtime < midnight))
        continue;
      char *id = xasprintf("%.*s", (int)(len - 5), e->d_name);
      if (!valid_id(id)) {
        free(id);
        continue;
      }
      if (n == cap) l = xrealloc(l, sizeof *l * (cap = cap ? 2 * cap : 64));
      l[n++] = (struct listed){id, st.st_mtim};
    }
    closedir(dir);
  } else if (dfd >= 0) {
    close(dfd);
  }
  if (n) qsort(l, n, sizeof *l, newest_first);
  strbuf b = {0};
  page_open(&b, r, "Cases", "cases");
  sb_puts(&b, all ? "<h1>All cases</h1>\n<p><a href=\"/cases\">Today's only</a></p>\n"
                  : "<h1>Today's cases</h1>\n<p><a href=\"/cases?all=1\">All cases</a></p>\n");
  sb_puts(&b, "<table class=\"cases\"><thead><tr><th scope=\"col\">When</th>"
              "<th scope=\"col\">Case</th><th scope=\"col\">Level</th><th scope=\"col\">State</th></tr></thead><tbody>\n");
  struct engine *e = thread_engine(s);
  for (size_t i = 0; i < n && i < CASES_LISTED && e; i++) {
    char err[512], when[32];
    strftime(when, sizeof when, "%Y-%m-%d %H:%M", localtime(&l[i].mtime.tv_sec));
    json_t *j = read_case(s, l[i].id, err, sizeof err);
    const char *mode = json_string_value(json_object_get(json_object_get(j, "dialogue"), "mode"));
    enum mode m = mode && !strcmp(mode, "screen") ? MODE_SCREEN : MODE_INTAKE;
    struct dialogue d;
    dlg_init(&d, s->k, s->sk, e, m, 0);
    struct result full;
    result_init(&full, s->k);
    int ok = j && dlg_load(&d, j, l[i].id, 0, err, sizeof err) == 0 && dlg_eval(&d) == 0 &&
             engine_eval(e, &d.c, MODE_EVAL, 0, &full) == 0;
    struct dlg_prompt p;
    int open = ok && mode && dlg_next(&d, &p);
    sb_printf(&b, "<tr><td>%s</td><td><a href=\"/cases/", when);
    esc(&b, l[i].id);
    sb_puts(&b, "\">");
    esc(&b, l[i].id);
    sb_puts(&b, "</a></td><td>");
    if (ok) {
      sb_printf(&b, "<span class=\"level lv-%s\">", level_name(full.disposition));
      esc(&b, m == MODE_SCREEN && mode ? s->sk->verdict[d.r.disposition] : s->k->levels[full.disposition].label);
      sb_puts(&b, "</span>");
    } else {
      sb_puts(&b, "<span class=\"level invalid\">cannot be read</span>");
    }
    sb_printf(&b, "</td><td>%s</td></tr>\n", !mode ? "from a file" : open ? "unfinished" : "finished");
    result_free(&full);
    dlg_free(&d);
    json_decref(j);
  }
  sb_puts(&b, "</tbody></table>\n");
  if (n == 0) sb_puts(&b, all ? "<p>No case yet.</p>\n" : "<p>No case today yet.</p>\n");
  page_close(&b, r);
  for (size_t i = 0; i < n; i++) free(l[i].id);
  free(l);
  return send_page(r, MHD_HTTP_OK, &b);
}

/* GET /cases/ID: the result as the terminal shows it; /cases/ID/letter: the referral
 * letter; POST /cases/ID/continue: this browser continues the dialogue. */
static enum MHD_Result case_page(struct request *r, const char *rest) {
  struct server *s = r->s;
  char id[80], err[512];
  const char *slash = strchr(rest, '/');
  size_t len = slash ? (size_t)(slash - rest) : strlen(rest);
  if (len >= sizeof id) return message_page(r, MHD_HTTP_NOT_FOUND, "Not found", "There is no such case.");
  memcpy(id, rest, len);
  id[len] = '\0';
  const char *what = slash ? slash + 1 : "";
  json_t *j = read_case(s, id, err, sizeof err);
  if (!j) return message_page(r, MHD_HTTP_NOT_FOUND, "Not found", "There is no such case.");
  const char *mode = json_string_value(json_object_get(json_object_get(j, "dialogue"), "mode"));
  enum mode m = mode && !strcmp(mode, "screen") ? MODE_SCREEN : MODE_INTAKE;
  enum MHD_Result ret;
  if (!strcmp(what, "continue") && !strcmp(r->method, "POST")) {
    char *cookie = session_cookie(s, id, m);
    ret = csrf_ok(r) ? redirect(r, mode_path(m), cookie)
                     : message_page(r, MHD_HTTP_FORBIDDEN, "Refused", "This form has expired: reload the page.");
    free(cookie);
    json_decref(j);
    return ret;
  }
  if (*what && strcmp(what, "letter")) {
    json_decref(j);
    return message_page(r, MHD_HTTP_NOT_FOUND, "Not found", "There is no such page.");
  }
  struct engine *e = thread_engine(s);
  struct dialogue d;
  dlg_init(&d, s->k, s->sk, e, m, 0);
  struct result full;
  result_init(&full, s->k);
  int loaded = e && dlg_load(&d, j, id, 0, err, sizeof err) == 0;
  int ok = loaded && engine_eval(e, &d.c, MODE_EVAL, 0, &full) == 0;
  if (loaded && !ok) snprintf(err, sizeof err, "engine: %.400s", full.error);
  strbuf b = {0};
  if (!strcmp(what, "letter")) {
    letter_begin(&b);
    if (ok)
      letter_case(&b, s->k, s->letterhead, id, &d.c, &full);
    else
      letter_error(&b, s->k, s->letterhead, id, err);
    letter_end(&b);
    ret = send_page(r, MHD_HTTP_OK, &b);
  } else {
    char klass[32];
    snprintf(klass, sizeof klass, ok ? "case lv-%s" : "case", ok ? level_name(full.disposition) : "");
    page_open(&b, r, id, klass);
    sb_puts(&b, "<h1>Case ");
    esc(&b, id);
    sb_puts(&b, "</h1>\n<pre class=\"record\">");
    strbuf t = {0};
    out_record(&t, FMT_TEXT, s->k, id, ok ? &full : NULL, ok ? NULL : err, OUT_WIDTH(88));
    esc_lines(&b, t.s);
    sb_free(&t);
    sb_puts(&b, "</pre>\n<p class=\"actions\">");
    if (ok) {
      sb_puts(&b, "<a href=\"/cases/");
      esc(&b, id);
      sb_puts(&b, "/letter\">Referral letter</a> ");
    }
    struct dlg_prompt p;
    if (loaded && mode && dlg_eval(&d) == 0 && dlg_next(&d, &p)) {
      sb_puts(&b, "</p><form method=\"post\" action=\"/cases/");
      esc(&b, id);
      sb_puts(&b, "/continue\">");
      csrf_field(&b, r);
      sb_printf(&b, "<button>Continue this %s here</button></form><p>", dlg_mode_names[m]);
    }
    sb_puts(&b, "<a href=\"/cases\">All cases</a></p>\n");
    page_close(&b, r);
    ret = send_page(r, MHD_HTTP_OK, &b);
  }
  result_free(&full);
  dlg_free(&d);
  json_decref(j);
  return ret;
}

/* ---- the JSON API ----------------------------------------------------------------------------- */

/* POST /api/eval: a case -> the record eval writes (400 with eval's error record). */
static enum MHD_Result api_eval(struct request *r) {
  struct server *s = r->s;
  json_error_t e;
  json_t *j = r->body.s ? json_loadb(r->body.s, r->body.len, JSON_REJECT_DUPLICATES, &e) : NULL;
  char err[512];
  if (!j) {
    snprintf(err, sizeof err, "malformed JSON at line %d, column %d: %s", e.line, e.column, case_json_reason(&e));
    return json_error(r, MHD_HTTP_BAD_REQUEST, "request", err);
  }
  struct tcase c;
  struct result res;
  case_init(&c, s->k);
  result_init(&res, s->k);
  struct engine *eng = thread_engine(s);
  strbuf b = {0};
  unsigned status = MHD_HTTP_OK;
  if (case_from_json(s->k, j, &c, "request", err, sizeof err) < 0) {
    out_record(&b, FMT_JSONL, s->k, c.id, NULL, err, 0);
    status = MHD_HTTP_BAD_REQUEST;
  } else if (!eng || engine_eval(eng, &c, MODE_EVAL, 0, &res) < 0) {
    out_record(&b, FMT_JSONL, s->k, c.id, NULL, eng ? res.error : "the rules could not be loaded", 0);
    status = MHD_HTTP_INTERNAL_SERVER_ERROR;
  } else {
    out_case(&b, FMT_JSONL, s->k, NULL, &c, &res, 0);
  }
  json_decref(j);
  case_free(&c);
  result_free(&res);
  return respond(r, status, "application/json", &b, NULL, NULL);
}

static json_t *question_json(const kb *k, int qi) {
  const struct question *q = &k->q[qi];
  json_t *o = json_object();
  json_object_set_new(o, "id", json_string(q->id));
  json_object_set_new(o, "text", json_string(q->text));
  json_object_set_new(o, "type", json_string(q->type == Q_BOOL ? "yesno" : q->type == Q_INT ? "number" : "choice"));
  json_t *allowed = json_array();
  if (q->type == Q_BOOL) {
    json_array_append_new(allowed, json_string("yes"));
    json_array_append_new(allowed, json_string("no"));
  }
  for (int i = 0; q->type == Q_CHOICE && i < q->nchoices; i++) json_array_append_new(allowed, json_string(q->choices[i]));
  json_array_append_new(allowed, json_string("unknown"));
  json_object_set_new(o, "answers", allowed);
  if (q->type == Q_INT) {
    json_object_set_new(o, "min", json_integer(q->min));
    json_object_set_new(o, "max", json_integer(q->max));
  }
  json_object_set_new(o, "why", json_string(q->why ? q->why : ""));
  json_object_set_new(o, "red_flag", json_boolean(q->red_flag));
  return o;
}

/* POST /api/next {"session": ID (optional), "mode": "intake"|"screen" (new sessions),
 * "answers": {...}}: the answers are added to the session (a new one, saved in --cases,
 * when none is named), and the reply is the next prompt, or the result when the dialogue
 * is over: {"session","mode","disposition","emergency","done","prompt" | "result"}. */
static enum MHD_Result api_next(struct request *r) {
  struct server *s = r->s;
  json_error_t e;
  char err[512];
  json_t *j = r->body.s ? json_loadb(r->body.s, r->body.len, JSON_REJECT_DUPLICATES, &e) : NULL;
  if (!j || !json_is_object(j)) {
    if (j) snprintf(err, sizeof err, "the request must be a JSON object");
    else snprintf(err, sizeof err, "malformed JSON at line %d, column %d: %s", e.line, e.column, case_json_reason(&e));
    json_decref(j);
    return json_error(r, MHD_HTTP_BAD_REQUEST, "request", err);
  }
  const char *sid = json_string_value(json_object_get(j, "session"));
  const char *mname = json_string_value(json_object_get(j, "mode"));
  json_t *answers = json_object_get(j, "answers");
  const char *key;
  json_t *v;
  json_object_foreach(j, key, v) if (strcmp(key, "session") && strcmp(key, "mode") && strcmp(key, "answers")) {
    snprintf(err, sizeof err, "unknown key '%.64s' (expected session, mode and answers)", key);
    json_decref(j);
    return json_error(r, MHD_HTTP_BAD_REQUEST, "request", err);
  }
  if (mname && strcmp(mname, "intake") && strcmp(mname, "screen")) {
    json_decref(j);
    return json_error(r, MHD_HTTP_BAD_REQUEST, "request", "mode must be intake or screen");
  }
  enum mode m = mname && !strcmp(mname, "screen") ? MODE_SCREEN : MODE_INTAKE;
  struct engine *eng = thread_engine(s);
  if (!eng) {
    json_decref(j);
    return json_error(r, MHD_HTTP_INTERNAL_SERVER_ERROR, NULL, "the rules could not be loaded");
  }
  struct dialogue d;
  json_t *saved = NULL;
  if (sid) {
    if (!(saved = read_case(s, sid, err, sizeof err))) {
      enum MHD_Result ret = json_error(r, MHD_HTTP_NOT_FOUND, sid, "no such session");
      json_decref(j); /* (sid points into it) */
      return ret;
    }
    const char *sm = json_string_value(json_object_get(json_object_get(saved, "dialogue"), "mode"));
    m = sm && !strcmp(sm, "screen") ? MODE_SCREEN : MODE_INTAKE;
  }
  dlg_init(&d, s->k, s->sk, eng, m, 0);
  enum MHD_Result ret;
  unsigned status = MHD_HTTP_OK;
  if (saved && dlg_load(&d, saved, sid, 0, err, sizeof err) < 0) {
    ret = json_error(r, MHD_HTTP_BAD_REQUEST, sid, err);
    goto done;
  }
  /* the answers given: each checked as eval checks a case's answers, then added as a step */
  if (answers) {
    json_t *c = json_pack("{s:O}", "answers", answers);
    struct tcase add;
    case_init(&add, s->k);
    int rc = case_from_json(s->k, c, &add, sid ? sid : "request", err, sizeof err);
    json_decref(c);
    if (rc < 0) {
      case_free(&add);
      ret = json_error(r, MHD_HTTP_BAD_REQUEST, sid ? sid : "request", err);
      goto done;
    }
    for (int qi = 0; qi < s->k->nq; qi++)
      if (add.a[qi].state != ANS_NONE) {
        struct dlg_prompt one = {.group = -1, .n = 1, .q = {qi}};
        dlg_answer(&d, &one, add.a[qi]);
      }
    case_free(&add);
  }
  char *id = NULL;
  if (sid) {
    id = xstrdup(sid);
    char *path = case_path(s, id);
    if (answers && dlg_write(&d, path) < 0) status = MHD_HTTP_INTERNAL_SERVER_ERROR;
    free(path);
  } else if (!(id = create_session(s, &d))) {
    status = MHD_HTTP_INTERNAL_SERVER_ERROR;
  }
  if (status != MHD_HTTP_OK) {
    log_line("cannot save a session in %s: %s", s->cases, strerror(errno));
    ret = json_error(r, status, id, "the answers could not be saved on the server");
    free(id);
    goto done;
  }
  if (dlg_eval(&d) < 0) {
    ret = json_error(r, MHD_HTTP_INTERNAL_SERVER_ERROR, id, d.r.error);
    free(id);
    goto done;
  }
  json_t *o = json_object();
  json_object_set_new(o, "session", json_string(id));
  json_object_set_new(o, "mode", json_string(dlg_mode_names[m]));
  json_object_set_new(o, "disposition", json_string(level_name(d.r.disposition)));
  json_object_set_new(o, "emergency", json_boolean(dlg_emergency(&d)));
  struct dlg_prompt p;
  if (dlg_next(&d, &p)) {
    json_t *pr = json_object(), *qs = json_array();
    json_object_set_new(pr, "group", p.group >= 0 ? json_string(s->sk->g[p.group].id) : json_null());
    json_object_set_new(pr, "text", json_string(p.group >= 0 ? s->sk->g[p.group].text : s->k->q[p.q[0]].text));
    for (int i = 0; i < p.n; i++) json_array_append_new(qs, question_json(s->k, p.q[i]));
    json_object_set_new(pr, "questions", qs);
    json_object_set_new(o, "done", json_false());
    json_object_set_new(o, "prompt", pr);
  } else {
    struct result full;
    result_init(&full, s->k);
    strbuf rec = {0};
    if (engine_eval(eng, &d.c, MODE_EVAL, 0, &full) == 0)
      out_case(&rec, FMT_JSONL, s->k, NULL, &d.c, &full, 0);
    else
      out_record(&rec, FMT_JSONL, s->k, id, NULL, full.error, 0);
    json_object_set_new(o, "done", json_true());
    json_object_set_new(o, "result", json_loadb(rec.s, rec.len, 0, NULL));
    sb_free(&rec);
    result_free(&full);
  }
  char *text = json_dumps(o, JSON_COMPACT);
  json_decref(o);
  strbuf b = {0};
  sb_puts(&b, text);
  sb_puts(&b, "\n");
  free(text);
  free(id);
  ret = respond(r, MHD_HTTP_OK, "application/json", &b, NULL, NULL);
done:
  dlg_free(&d);
  json_decref(saved);
  json_decref(j);
  return ret;
}

/* ---- FHIR (HL7 R4, SDC): the Questionnaire, $next-question, the CapabilityStatement ------ */

#define SDC_ADAPTIVE "http://hl7.org/fhir/uv/sdc/StructureDefinition/sdc-questionnaire-adaptive"
#define EXT_RESULT FHIR_BASE "/StructureDefinition/triage-result"

/* Sends resource (taken over) as application/fhir+json. */
static enum MHD_Result fhir_send(struct request *r, unsigned status, json_t *resource) {
  char *t = json_dumps(resource, JSON_COMPACT);
  json_decref(resource);
  strbuf b = {0};
  sb_puts(&b, t ? t : "{}");
  sb_puts(&b, "\n");
  free(t);
  return respond(r, status, "application/fhir+json", &b, NULL, NULL);
}

/* An OperationOutcome: the error, worded as eval words it (shown safely: the message may
 * quote the input). */
static enum MHD_Result fhir_error(struct request *r, unsigned status, const char *code, const char *msg) {
  strbuf m = {0};
  sb_add_shown(&m, msg);
  json_t *oo = json_pack("{s:s, s:[{s:s, s:s, s:s%}]}", "resourceType", "OperationOutcome", "issue",
                         "severity", "error", "code", code, "diagnostics", m.s ? m.s : "", m.len);
  sb_free(&m);
  return fhir_send(r, status, oo);
}

static enum MHD_Result fhir_metadata(struct request *r) {
  char date[16];
  time_t now = time(NULL);
  strftime(date, sizeof date, "%Y-%m-%d", gmtime(&now));
  json_t *cs = json_pack(
      "{s:s, s:s, s:s, s:s, s:s, s:[s], s:{s:s, s:s}, s:{s:s}, s:[{s:s, s:[{s:s, s:[{s:s}], s:[{s:s, s:s}]}]}]}",
      "resourceType", "CapabilityStatement", "status", "active", "date", date, "kind", "instance",
      "fhirVersion", "4.0.1", "format", "json", "software", "name", PROGNAME, "version", PSOAS_VERSION,
      "implementation", "description",
      "psoas-triage: triage for psoas syndrome and its serious mimics, as an SDC adaptive questionnaire",
      "rest", "mode", "server", "resource", "type", "Questionnaire", "interaction", "code", "read",
      "operation", "name", "next-question", "definition",
      "http://hl7.org/fhir/uv/sdc/OperationDefinition/Questionnaire-next-question");
  return fhir_send(r, MHD_HTTP_OK, cs);
}

/* The QuestionnaireResponse of a $next-question request: the body itself, or the "in"
 * (or "questionnaire-response") parameter of a Parameters resource.  Borrowed from j. */
static json_t *next_question_input(json_t *j) {
  if (fhir_is_response(j)) return j;
  const char *type = json_string_value(json_object_get(j, "resourceType"));
  if (!type || strcmp(type, "Parameters")) return NULL;
  size_t i;
  json_t *p;
  json_array_foreach(json_object_get(j, "parameter"), i, p) {
    const char *name = json_string_value(json_object_get(p, "name"));
    json_t *res = json_object_get(p, "resource");
    if (name && (!strcmp(name, "in") || !strcmp(name, "questionnaire-response")) && fhir_is_response(res))
      return res;
  }
  return NULL;
}

/* The Questionnaire contained in qr that it answers ("#ID"), made (empty, adaptive) if it
 * has none.  Borrowed from qr. */
static json_t *contained_questionnaire(json_t *qr) {
  json_t *contained = json_object_get(qr, "contained");
  if (!json_is_array(contained)) json_object_set_new(qr, "contained", contained = json_array());
  size_t i;
  json_t *c;
  json_array_foreach(contained, i, c) {
    const char *type = json_string_value(json_object_get(c, "resourceType"));
    if (type && !strcmp(type, "Questionnaire")) {
      if (!json_is_array(json_object_get(c, "item"))) json_object_set_new(c, "item", json_array());
      return c;
    }
  }
  c = json_pack("{s:s, s:s, s:[{s:s, s:b}], s:s, s:s, s:s, s:[]}", "resourceType", "Questionnaire", "id",
                "psoas-intake", "extension", "url", SDC_ADAPTIVE, "valueBoolean", 1, "url", FHIR_QUESTIONNAIRE_URL,
                "status", "active", "title", "psoas-triage intake (adaptive)", "item");
  json_array_append_new(contained, c);
  return c;
}

static int has_link(json_t *items, const char *link) {
  size_t i;
  json_t *it;
  json_array_foreach(items, i, it) {
    const char *l = json_string_value(json_object_get(it, "linkId"));
    if (l && !strcmp(l, link)) return 1;
  }
  return 0;
}

/* A question the contained Questionnaire asked that the response leaves unanswered was
 * seen and not answered: "don't know" (a response has no other way to say it), so that
 * it is not asked again. */
static void asked_unanswered(struct dialogue *d, json_t *q) {
  size_t i;
  json_t *it;
  json_array_foreach(json_object_get(q, "item"), i, it) {
    int qi = kb_question(d->k, json_string_value(json_object_get(it, "linkId")) ?: "");
    if (qi < 0 || d->c.a[qi].state != ANS_NONE) continue;
    struct dlg_prompt one = {.group = -1, .n = 1, .q = {qi}};
    dlg_answer(d, &one, (struct answer){.state = ANS_UNKNOWN});
  }
}

/* The result into qr: status completed, the RiskAssessment (and the ServiceRequest when
 * it refers) of eval's --format fhir contained, and referenced from an extension. */
static int complete(const kb *k, struct engine *e, json_t *qr, const struct tcase *c, char *err, size_t n) {
  struct result res;
  result_init(&res, k);
  int rc = engine_eval(e, c, MODE_EVAL, 0, &res);
  if (rc < 0) snprintf(err, n, "engine: %.400s", res.error);
  strbuf line = {0};
  if (rc == 0) fhir_record(&line, k, c->id ? c->id : "next-question", &res, NULL);
  result_free(&res);
  json_t *bundle = rc == 0 ? json_loadb(line.s, line.len, 0, NULL) : NULL;
  sb_free(&line);
  if (rc < 0) return -1;
  json_t *contained = json_object_get(qr, "contained"), *ext = json_object_get(qr, "extension");
  if (!json_is_array(ext)) json_object_set_new(qr, "extension", ext = json_array());
  size_t i;
  json_t *entry;
  json_array_foreach(json_object_get(bundle, "entry"), i, entry) {
    json_t *res_ = json_object_get(entry, "resource");
    const char *type = json_string_value(json_object_get(res_, "resourceType"));
    const char *local = type && !strcmp(type, "RiskAssessment") ? "risk" : "referral";
    json_object_set_new(res_, "id", json_string(local));
    json_t *sup = json_object_get(res_, "supportingInfo"); /* the Bundle's urn: references */
    if (sup) json_object_set_new(res_, "supportingInfo", json_pack("[{s:s}]", "reference", "#risk"));
    json_array_append(contained, res_);
    char *ref = xasprintf("#%s", local);
    json_array_append_new(ext, json_pack("{s:s, s:{s:s}}", "url", EXT_RESULT, "valueReference", "reference", ref));
    free(ref);
  }
  json_decref(bundle);
  json_object_set_new(qr, "status", json_string("completed"));
  return 0;
}

/* POST /fhir/Questionnaire/$next-question (SDC): a QuestionnaireResponse (alone or in
 * Parameters) whose contained Questionnaire holds the questions asked so far, and its
 * answers; back the same response with the next question(s) appended to the contained
 * Questionnaire, or, when nothing more is needed (an emergency ends it at once), with
 * status completed and the result.  The same dialogue as the terminal and the pages. */
static enum MHD_Result fhir_next_question(struct request *r) {
  struct server *s = r->s;
  json_error_t e;
  char err[600];
  json_t *j = r->body.s ? json_loadb(r->body.s, r->body.len, JSON_REJECT_DUPLICATES, &e) : NULL;
  if (!j) {
    snprintf(err, sizeof err, "malformed JSON at line %d, column %d: %s", e.line, e.column, case_json_reason(&e));
    return fhir_error(r, MHD_HTTP_BAD_REQUEST, "structure", err);
  }
  json_t *in = next_question_input(j);
  if (!in) {
    json_decref(j);
    return fhir_error(r, MHD_HTTP_BAD_REQUEST, "invalid",
                      "expected a QuestionnaireResponse, or Parameters with one as \"in\"");
  }
  json_t *qr = json_deep_copy(in);
  json_decref(j);
  json_t *cj = fhir_case_from(s->k, qr, err, sizeof err);
  struct engine *eng = thread_engine(s);
  struct dialogue d;
  dlg_init(&d, s->k, s->sk, eng, MODE_INTAKE, 0);
  enum MHD_Result ret;
  if (!cj || !eng || dlg_load(&d, cj, "QuestionnaireResponse", 0, err, sizeof err) < 0) {
    ret = fhir_error(r, eng ? MHD_HTTP_BAD_REQUEST : MHD_HTTP_INTERNAL_SERVER_ERROR, "invalid",
                     eng ? err : "the rules could not be loaded");
  } else if (asked_unanswered(&d, contained_questionnaire(qr)), dlg_eval(&d) < 0) {
    snprintf(err, sizeof err, "engine: %.400s", d.r.error);
    ret = fhir_error(r, MHD_HTTP_INTERNAL_SERVER_ERROR, "exception", err);
  } else {
    json_t *q = contained_questionnaire(qr), *items = json_object_get(q, "item");
    const char *qid = json_string_value(json_object_get(q, "id"));
    char *ref = xasprintf("#%s", qid ? qid : "psoas-intake");
    json_object_set_new(qr, "questionnaire", json_string(ref));
    free(ref);
    struct dlg_prompt p;
    int rc = 0;
    if (dlg_next(&d, &p)) {
      for (int i = 0; i < p.n; i++) {
        if (has_link(items, s->k->q[p.q[i]].id)) continue;
        json_t *it = fhir_item(s->k, p.q[i]); /* the server decides what is asked next */
        json_object_del(it, "enableWhen");
        json_object_del(it, "enableBehavior");
        json_array_append_new(items, it);
      }
      json_object_set_new(qr, "status", json_string("in-progress"));
    } else {
      rc = complete(s->k, eng, qr, &d.c, err, sizeof err);
    }
    if (rc < 0) {
      json_decref(qr);
      qr = NULL;
      ret = fhir_error(r, MHD_HTTP_INTERNAL_SERVER_ERROR, "exception", err);
    } else {
      ret = fhir_send(r, MHD_HTTP_OK, qr);
      qr = NULL;
    }
  }
  dlg_free(&d);
  json_decref(cj);
  json_decref(qr);
  return ret;
}

/* ---- who is asking ------------------------------------------------------------------------------ */

/* The client's address as 16 bytes (IPv4 mapped), for counting its wrong tokens. */
static void client_addr(const struct request *r, unsigned char out[16]) {
  memset(out, 0, 16);
  const union MHD_ConnectionInfo *ci = MHD_get_connection_info(r->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
  const struct sockaddr *sa = ci ? ci->client_addr : NULL;
  if (sa && sa->sa_family == AF_INET)
    memcpy(out + 12, &((const struct sockaddr_in *)sa)->sin_addr, 4);
  else if (sa && sa->sa_family == AF_INET6)
    memcpy(out, &((const struct sockaddr_in6 *)sa)->sin6_addr, 16);
}

/* Counts a wrong token from this client (fail) or asks whether it has had too many this
 * minute: guessing the token is slowed to AUTH_FAILURES tries a minute per address. */
static int too_many_failures(struct request *r, int fail) {
  struct server *s = r->s;
  unsigned char a[16];
  client_addr(r, a);
  time_t minute = time(NULL) / 60;
  int over = 0, slot = -1, oldest = 0;
  pthread_mutex_lock(&s->auth_mu);
  for (int i = 0; i < AUTH_CLIENTS && slot < 0; i++)
    if (s->failures[i].minute == minute && !memcmp(s->failures[i].addr, a, 16)) slot = i;
  if (slot < 0 && fail) { /* a slot of a past minute, or the one with the fewest */
    for (int i = 0; i < AUTH_CLIENTS; i++) {
      if (s->failures[i].minute != minute) {
        oldest = i;
        break;
      }
      if (s->failures[i].n < s->failures[oldest].n) oldest = i;
    }
    slot = oldest;
    memcpy(s->failures[slot].addr, a, 16);
    s->failures[slot].minute = minute;
    s->failures[slot].n = 0;
  }
  if (slot >= 0) {
    s->failures[slot].n += fail;
    over = s->failures[slot].n >= AUTH_FAILURES;
  }
  pthread_mutex_unlock(&s->auth_mu);
  return over;
}

static enum role role_of(const struct request *r) {
  const struct server *s = r->s;
  if (!s->auth) return ROLE_DESK;
  const char *h = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);
  if (h && !strncasecmp(h, "Bearer ", 7)) {
    if (same_secret(h + 7, s->token)) return ROLE_DESK;
    too_many_failures((struct request *)r, 1);
    return ROLE_NONE;
  }
  char m[33];
  const char *c = MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND, "pt_auth");
  if (c && (mac(s, "desk", s->token, m), same_secret(c, m))) return ROLE_DESK;
  if (c && (mac(s, "kiosk", s->token, m), same_secret(c, m))) return ROLE_KIOSK;
  return ROLE_NONE;
}

static enum MHD_Result login_page(struct request *r, unsigned status, const char *note) {
  strbuf b = {0};
  page_open(&b, r, "Sign in", "login");
  sb_puts(&b, "<h1>Sign in</h1>\n");
  if (note) {
    sb_puts(&b, "<p class=\"notice\" role=\"alert\">");
    esc(&b, note);
    sb_puts(&b, "</p>\n");
  }
  sb_puts(&b, "<form method=\"post\" action=\"/login\" class=\"login\">");
  csrf_field(&b, r);
  sb_puts(&b, "<p><label for=\"token\">The clinic's access token</label> "
              "<input id=\"token\" name=\"token\" type=\"password\" autocomplete=\"current-password\" required></p>\n"
              "<p><input id=\"kiosk\" name=\"kiosk\" type=\"checkbox\" value=\"1\"> "
              "<label for=\"kiosk\">A tablet for patients (the intake only)</label></p>\n"
              "<p><button>Sign in</button></p></form>\n");
  page_close(&b, r);
  return send_page(r, status, &b);
}

static enum MHD_Result login(struct request *r) {
  struct server *s = r->s;
  const char *t = field(r, "token");
  if (!s->auth) return redirect(r, "/", NULL);
  if (!csrf_ok(r)) return login_page(r, MHD_HTTP_FORBIDDEN, "This form has expired: please try again.");
  if (too_many_failures(r, 0))
    return login_page(r, MHD_HTTP_TOO_MANY_REQUESTS, "Too many wrong tokens: wait a minute and try again.");
  if (!t || !same_secret(t, s->token)) {
    too_many_failures(r, 1);
    return login_page(r, MHD_HTTP_UNAUTHORIZED, "That is not the access token.");
  }
  char m[33];
  int kiosk = field(r, "kiosk") != NULL;
  mac(s, kiosk ? "kiosk" : "desk", s->token, m);
  char *cookie = xasprintf("pt_auth=%s; Path=/; HttpOnly; SameSite=Strict%s", m, s->tls ? "; Secure" : "");
  enum MHD_Result ret = redirect(r, kiosk ? "/intake" : "/", cookie);
  free(cookie);
  return ret;
}

static enum MHD_Result home(struct request *r) {
  if (r->role == ROLE_KIOSK) return redirect(r, "/intake", NULL);
  strbuf b = {0};
  page_open(&b, r, "Start", "home");
  sb_puts(&b, "<h1>psoas-triage</h1>\n<ul class=\"menu\">"
              "<li><a href=\"/intake\">Intake</a>: the patient answers on this screen, one question at a time</li>"
              "<li><a href=\"/screen\">Front-desk screen</a>: the red flags, for a call or the desk</li>"
              "<li><a href=\"/cases\">Cases</a>: today's sessions, their levels and letters</li></ul>\n");
  page_close(&b, r);
  return send_page(r, MHD_HTTP_OK, &b);
}

/* ---- dispatch ------------------------------------------------------------------------------------- */

static enum MHD_Result static_file(struct request *r, const char *data, const char *type) {
  struct MHD_Response *resp = MHD_create_response_from_buffer(strlen(data), (void *)data, MHD_RESPMEM_PERSISTENT);
  common_headers(resp, type, 0);
  MHD_add_response_header(resp, "Cache-Control", "public, max-age=3600");
  r->status = MHD_HTTP_OK;
  enum MHD_Result ret = MHD_queue_response(r->conn, MHD_HTTP_OK, resp);
  MHD_destroy_response(resp);
  return ret;
}

static enum MHD_Result route(struct request *r) {
  const char *u = r->url, *m = r->method;
  int get = !strcmp(m, "GET") || !strcmp(m, "HEAD"), post = !strcmp(m, "POST");
  int fhir = !strncmp(u, "/fhir/", 6), api = !strncmp(u, "/api/", 5) || fhir; /* FHIR: as the API */
  if (get && !strcmp(u, "/static/app.css")) return static_file(r, web_app_css, "text/css; charset=utf-8");
  if (get && !strcmp(u, "/static/app.js")) return static_file(r, web_app_js, "text/javascript; charset=utf-8");
  if (r->too_big)
    return api || !r->s ? json_error(r, MHD_HTTP_CONTENT_TOO_LARGE, "request", "the request body is larger than 256 KiB")
                        : message_page(r, MHD_HTTP_CONTENT_TOO_LARGE, "Too large", "The request is too large.");
  if (!strcmp(u, "/login")) return post ? login(r) : login_page(r, MHD_HTTP_OK, NULL);
  if (r->s->auth && too_many_failures(r, 0))
    return api ? json_error(r, MHD_HTTP_TOO_MANY_REQUESTS, NULL, "too many wrong tokens from this address: wait a minute")
               : message_page(r, MHD_HTTP_TOO_MANY_REQUESTS, "Wait a minute", "Too many wrong tokens from this address.");
  r->role = role_of(r);
  if (r->role == ROLE_NONE)
    return api ? json_error(r, MHD_HTTP_UNAUTHORIZED, NULL, "an access token is required (Authorization: Bearer TOKEN)")
               : login_page(r, MHD_HTTP_UNAUTHORIZED, NULL);
  int intake = !strcmp(u, "/intake") || !strncmp(u, "/intake/", 8);
  if (r->role == ROLE_KIOSK && !intake && strcmp(u, "/"))
    return api ? json_error(r, MHD_HTTP_FORBIDDEN, NULL, "this device may only take intakes")
               : message_page(r, MHD_HTTP_FORBIDDEN, "Not here", "This device is for the intake only.");
  if (post && !api && !csrf_ok(r))
    return message_page(r, MHD_HTTP_FORBIDDEN, "Refused", "This form has expired or was not made here: reload the page and try again.");
  if (fhir) {
    if (get && !strcmp(u, "/fhir/metadata")) return fhir_metadata(r);
    if (get && !strcmp(u, "/fhir/Questionnaire/psoas-intake")) return fhir_send(r, MHD_HTTP_OK, fhir_questionnaire(r->s->k));
    if (post && (!strcmp(u, "/fhir/Questionnaire/$next-question") ||
                 !strcmp(u, "/fhir/Questionnaire/psoas-intake/$next-question")))
      return fhir_next_question(r);
    return fhir_error(r, MHD_HTTP_NOT_FOUND, "not-found", "no such resource or operation");
  }
  if (api) {
    if (!post) return json_error(r, MHD_HTTP_METHOD_NOT_ALLOWED, NULL, "use POST");
    if (!strcmp(u, "/api/eval")) return api_eval(r);
    if (!strcmp(u, "/api/next")) return api_next(r);
    return json_error(r, MHD_HTTP_NOT_FOUND, NULL, "no such endpoint");
  }
  if (get && !strcmp(u, "/")) return home(r);
  for (enum mode md = MODE_INTAKE; md <= MODE_SCREEN; md++) {
    const char *base = mode_path(md);
    size_t n = strlen(base);
    if (strncmp(u, base, n) || (u[n] && u[n] != '/')) continue;
    if (get && !u[n]) return dialogue_page(r, md);
    if (post && !strcmp(u + n, "/start")) return dialogue_start(r, md);
    if (post && !strcmp(u + n, "/answer")) return dialogue_post(r, md, 0);
    if (post && !strcmp(u + n, "/back")) return dialogue_post(r, md, 1);
  }
  if (get && !strcmp(u, "/cases")) return cases_page(r);
  if ((get || post) && !strncmp(u, "/cases/", 7)) return case_page(r, u + 7);
  return message_page(r, MHD_HTTP_NOT_FOUND, "Not found", "There is no such page.");
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
                                  const char *version, const char *upload, size_t *upload_size, void **state) {
  (void)version;
  struct request *r = *state;
  if (!r) { /* the headers: refuse a body announced too large before it is sent */
    r = *state = xcalloc(1, sizeof *r);
    r->s = cls;
    r->conn = conn;
    r->method = method;
    r->url = url;
    const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
    if (cl && strtoull(cl, NULL, 10) > BODY_MAX) {
      r->too_big = 1;
      return route(r);
    }
    return MHD_YES;
  }
  if (*upload_size) {
    if (r->body.len + *upload_size > BODY_MAX)
      r->too_big = 1;
    else if (!r->too_big)
      sb_add(&r->body, upload, *upload_size);
    *upload_size = 0;
    return MHD_YES;
  }
  if (r->status) return MHD_YES; /* answered already (413 on the headers) */
  parse_form(r);
  return route(r);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **state, enum MHD_RequestTerminationCode why) {
  (void)conn;
  (void)why;
  (void)cls;
  struct request *r = *state;
  if (!r) return;
  log_line("%s %s %d", r->method, r->url, r->status); /* never a body, a form or a cookie */
  sb_free(&r->body);
  free(r);
  *state = NULL;
}

/* ---- starting ----------------------------------------------------------------------------------- */

/* --listen ADDR:PORT ([ADDR]:PORT for IPv6) into ss; *loopback set. */
static int parse_listen(const char *arg, struct sockaddr_storage *ss, socklen_t *len, int *loopback) {
  char host[128];
  const char *colon = strrchr(arg, ':');
  if (!colon || colon == arg || (size_t)(colon - arg) >= sizeof host) return -1;
  char *end;
  long port = strtol(colon + 1, &end, 10);
  if (*end || port < 0 || port > 65535) return -1; /* 0: any free port (said on stderr) */
  memcpy(host, arg, (size_t)(colon - arg));
  host[colon - arg] = '\0';
  memset(ss, 0, sizeof *ss);
  if (host[0] == '[' && host[strlen(host) - 1] == ']') {
    struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;
    host[strlen(host) - 1] = '\0';
    if (inet_pton(AF_INET6, host + 1, &a->sin6_addr) != 1) return -1;
    a->sin6_family = AF_INET6;
    a->sin6_port = htons((uint16_t)port);
    *len = sizeof *a;
    *loopback = IN6_IS_ADDR_LOOPBACK(&a->sin6_addr);
  } else {
    struct sockaddr_in *a = (struct sockaddr_in *)ss;
    if (!strcmp(host, "localhost")) strcpy(host, "127.0.0.1");
    if (inet_pton(AF_INET, host, &a->sin_addr) != 1) return -1;
    a->sin_family = AF_INET;
    a->sin_port = htons((uint16_t)port);
    *len = sizeof *a;
    *loopback = (ntohl(a->sin_addr.s_addr) >> 24) == 127;
  }
  return 0;
}

/* The default --cases: $XDG_DATA_HOME/psoas-triage/cases (~/.local/share/...). */
static char *default_cases(void) {
  const char *x = getenv("XDG_DATA_HOME"), *home = getenv("HOME");
  if (x && *x == '/') return xasprintf("%s/psoas-triage/cases", x);
  return xasprintf("%s/.local/share/psoas-triage/cases", home && *home ? home : "/tmp");
}

static int mkdirs(const char *path) {
  char *p = xstrdup(path);
  for (char *s = p + 1; *s; s++)
    if (*s == '/') {
      *s = '\0';
      if (mkdir(p, 0700) < 0 && errno != EEXIST) {
        free(p);
        return -1;
      }
      *s = '/';
    }
  int rc = mkdir(p, 0700) < 0 && errno != EEXIST ? -1 : 0;
  free(p);
  return rc;
}

/* The MAC key, kept in DIR/.secret (made once, 0600) so that a restart keeps the cookies
 * and the forms of open pages valid. */
static int load_secret(struct server *s) {
  int fd = openat(s->cases_fd, ".secret", O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd >= 0) {
    ssize_t n = read(fd, s->secret, sizeof s->secret);
    close(fd);
    if (n == (ssize_t)sizeof s->secret) return 0;
    report("%s/.secret: shorter than %zu bytes: remove it to make a new one", s->cases, sizeof s->secret);
    return -1;
  }
  if (getrandom(s->secret, sizeof s->secret, 0) != (ssize_t)sizeof s->secret) return -1;
  fd = openat(s->cases_fd, ".secret", O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0 || write_all(fd, (const char *)s->secret, sizeof s->secret) < 0 || fsync(fd) < 0) {
    report("%s/.secret: %s", s->cases, strerror(errno));
    if (fd >= 0) close(fd);
    return -1;
  }
  close(fd);
  return 0;
}

static char *read_token(const char *path) {
  size_t len;
  char *t = read_file(path, &len);
  if (!t) {
    report("%s: %s", path, strerror(errno));
    return NULL;
  }
  t[strcspn(t, "\r\n")] = '\0';
  if (strlen(t) < 16) {
    report("%s: the token must be at least 16 characters (its first line)", path);
    free(t);
    return NULL;
  }
  return t;
}

int cmd_serve(struct ctx *ctx, int argc, char **argv) {
  const char *listen = "127.0.0.1:8080", *cases = NULL, *token_file = NULL, *cert = NULL, *key = NULL;
  long threads = sysconf(_SC_NPROCESSORS_ONLN);
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (!strcmp(a, "--listen") && i + 1 < argc)
      listen = argv[++i];
    else if (!strcmp(a, "--cases") && i + 1 < argc)
      cases = argv[++i];
    else if (!strcmp(a, "--token-file") && i + 1 < argc)
      token_file = argv[++i];
    else if (!strcmp(a, "--tls-cert") && i + 1 < argc)
      cert = argv[++i];
    else if (!strcmp(a, "--tls-key") && i + 1 < argc)
      key = argv[++i];
    else if (!strcmp(a, "--threads") && i + 1 < argc) {
      char *end;
      threads = strtol(argv[++i], &end, 10);
      if (*end || threads < 1 || threads > 64) return cmd_usage(ctx, "--threads takes 1 to 64, not '%s'", argv[i]);
    } else if (!ctx_common_option(ctx, argc, argv, &i))
      return cmd_usage(ctx, "unknown argument '%s'", a);
  }
  if (threads < 1) threads = 1;
  if (!cert != !key) return cmd_usage(ctx, "--tls-cert and --tls-key go together");
  struct sockaddr_storage addr;
  socklen_t alen;
  int loopback;
  if (parse_listen(listen, &addr, &alen, &loopback) < 0)
    return cmd_usage(ctx, "--listen takes ADDRESS:PORT (e.g. 127.0.0.1:8080, [::1]:8080), not '%s'", listen);
  if (!loopback && !token_file) {
    report("--listen %s is not a loopback address: other machines could reach it, so it needs "
           "--token-file FILE (a secret of at least 16 characters)", listen);
    return EXIT_USAGE;
  }
  if (mhd_open() < 0) return EXIT_SOFTWARE;
  int status = ctx_load_kb(ctx);
  if (status) return status;
  struct server s = {.k = ctx->k, .rules_dir = ctx->rules_dir, .kb_dir = ctx->kb_dir};
  pthread_mutex_init(&s.auth_mu, NULL);
  char *dir = cases ? xstrdup(cases) : default_cases();
  char *cert_pem = NULL, *key_pem = NULL;
  status = EXIT_SOFTWARE;
  if (mkdirs(dir) < 0 || !(s.cases = realpath(dir, NULL)) ||
      (s.cases_fd = open(s.cases, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
    report("%s: cannot use it for the cases: %s", dir, strerror(errno));
    status = EXIT_CANTCREAT;
    goto out;
  }
  if (load_secret(&s) < 0) goto out;
  if (token_file && !(s.token = read_token(token_file))) {
    status = EXIT_NOINPUT;
    goto out;
  }
  s.auth = s.token != NULL;
  s.tls = cert != NULL;
  if (!(s.sk = screenkb_load(s.k, ctx->kb_dir)) || !(s.letterhead = letter_open(ctx->kb_dir))) goto out;
  struct engine *probe = engine_open(s.k, s.rules_dir, ENGINE_DIALOGUE); /* fail now, not at the first request */
  if (!probe) goto out;
  engine_close(probe);
  size_t n;
  if (cert && (!(cert_pem = read_file(cert, &n)) || !(key_pem = read_file(key, &n)))) {
    report("%s: %s", cert_pem ? key : cert, strerror(errno));
    status = EXIT_NOINPUT;
    goto out;
  }
  if (cert && MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES) {
    report("this libmicrohttpd has no TLS support");
    goto out;
  }
  pthread_key_create(&s.engine_key, close_engine);
  /* The signals that stop the server are blocked in every thread (libmicrohttpd's inherit
   * the mask) and taken by sigwait() in this one: delivered to a worker, a handler would
   * leave this thread waiting for ever. */
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &stop_signals, NULL);
  unsigned flags = MHD_USE_AUTO_INTERNAL_THREAD | MHD_USE_ERROR_LOG | (cert ? MHD_USE_TLS : 0) |
                   (addr.ss_family == AF_INET6 ? MHD_USE_IPv6 : 0);
  struct MHD_OptionItem tls[] = {
      {cert ? MHD_OPTION_HTTPS_MEM_CERT : MHD_OPTION_END, 0, cert_pem},
      {cert ? MHD_OPTION_HTTPS_MEM_KEY : MHD_OPTION_END, 0, key_pem},
      {MHD_OPTION_END, 0, NULL}};
  struct MHD_Daemon *daemon = MHD_start_daemon(
      flags, 0, NULL, NULL, on_request, &s, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
      MHD_OPTION_THREAD_POOL_SIZE, (unsigned)threads, MHD_OPTION_CONNECTION_LIMIT, (unsigned)CONN_MAX,
      MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)CONN_PER_CLIENT, MHD_OPTION_CONNECTION_TIMEOUT,
      (unsigned)IDLE_SECONDS, MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)HEADER_MEMORY,
      MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL, MHD_OPTION_ARRAY, tls, MHD_OPTION_END);
  if (!daemon) {
    report("cannot listen on %s: %s", listen, strerror(errno));
    status = EXIT_CANTCREAT;
    goto out_key;
  }
  /* the warning first: whoever waits for the "serving on" line has read it too */
  if (!loopback && !cert)
    fprintf(stderr, "%s: WARNING: no TLS (--tls-cert/--tls-key): answers and the token cross the "
                    "network in clear text; use TLS or a reverse proxy with TLS\n", PROGNAME);
  const union MHD_DaemonInfo *info = MHD_get_daemon_info(daemon, MHD_DAEMON_INFO_BIND_PORT);
  fprintf(stderr, "%s: serving on %s://%s (port %u), cases in %s%s\n", PROGNAME, cert ? "https" : "http",
          listen, info ? info->port : 0, s.cases, s.auth ? "; an access token is required" : "");
  int sig = 0;
  while (sigwait(&stop_signals, &sig) != 0) continue;
  fprintf(stderr, "%s: stopping (signal %d)\n", PROGNAME, sig);
  MHD_stop_daemon(daemon);
  status = EXIT_OK;
out_key:
  pthread_key_delete(s.engine_key);
out:
  free(cert_pem);
  free(key_pem);
  letter_close(s.letterhead);
  screenkb_free(s.sk);
  free(s.token);
  if (s.cases_fd > 0) close(s.cases_fd);
  free(s.cases);
  free(dir);
  pthread_mutex_destroy(&s.auth_mu);
  return status;
}
