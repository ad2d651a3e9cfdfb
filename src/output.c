/* output.c -- see output.h. */
#include "output.h"

#include "fhirout.h"

#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

json_t *result_json(const kb *k, const char *id, const struct result *r) {
  json_t *o = json_object();
  json_object_set_new(o, "id", json_string(id));
  json_object_set_new(o, "disposition", json_string(level_name(r->disposition)));
  json_object_set_new(o, "action", json_string(k->levels[r->disposition].action));
  json_t *cs = json_array();
  for (int i = 0; i < r->nconcerns; i++) {
    const struct rconcern *rc = &r->concerns[i];
    const struct concern_def *cd = &k->c[rc->concern];
    json_t *c = json_object(), *because = json_array();
    json_object_set_new(c, "id", json_string(cd->id));
    json_object_set_new(c, "level", json_string(level_name(cd->level)));
    json_object_set_new(c, "title", json_string(cd->title));
    for (int b = 0; b < rc->nbecause; b++)
      json_array_append_new(because, json_string(result_because(r, rc, b)));
    json_object_set_new(c, "because", because);
    json_array_append_new(cs, c);
  }
  json_object_set_new(o, "concerns", cs);
  json_t *pr = json_array(), *in = json_array(), *ask = json_array();
  for (int i = 0; i < k->nprec; i++)
    if (r->prec[i]) json_array_append_new(pr, json_string(k->prec[i].id));
  for (int i = 0; i < k->nind; i++)
    if (r->ind[i]) json_array_append_new(in, json_string(k->ind[i].id));
  for (int i = 0; i < r->nask; i++)
    json_array_append_new(ask, json_string(k->q[r->ask[i].question].id));
  json_object_set_new(o, "precautions", pr);
  json_object_set_new(o, "indications", in);
  json_object_set_new(o, "ask", ask);
  json_object_set_new(o, "disclaimer", json_string(k->disclaimer));
  json_object_set_new(o, "program", json_string(PROGNAME " " PSOAS_VERSION));
  json_object_set_new(o, "knowledge", json_string(k->knowledge));
  return o;
}

/* ---- JSON Lines records ------------------------------------------------------------------
 *
 * Written directly rather than built as jansson objects and dumped: on big batches building
 * and dumping the objects cost more than a third of the host's time per case.  The bytes
 * are exactly those json_dumps(result_json(...), JSON_COMPACT) gives (tests/unit.c checks
 * it): same key order, same escaping -- except for the characters shown_len hides (DEL, C1
 * controls, U+2028/U+2029, bidi marks), which jansson leaves as they are: they are escaped
 * here (\u0085), the same JSON, so that a record is one line for every reader (Python's
 * str.splitlines breaks lines at U+0085 and U+2028) and drives no terminal it is shown on. */

void out_json_string(strbuf *b, const char *str) {
  static const char hex[] = "0123456789ABCDEF";
  const unsigned char *s = (const unsigned char *)str, *run = s;
  size_t n = strlen(str);
  const unsigned char *end = s + n;
  sb_add(b, "\"", 1);
  while (s < end) {
    unsigned c = *s;
    if (c >= 0x20 && c != '"' && c != '\\' && c < 0x7f) { /* the common case: copied in runs */
      s++;
      continue;
    }
    int hide;
    size_t ulen = utf8_seq_len(s, (size_t)(end - s)); /* 0: not UTF-8 */
    if (c >= 0x80 && ulen && (shown_len(s, ulen, &hide), !hide)) {
      s += ulen;
      continue;
    }
    sb_add(b, (const char *)run, (size_t)(s - run));
    char esc[8] = {'\\', 0};
    size_t elen = 2;
    switch (c) {
    case '"': esc[1] = '"'; break;
    case '\\': esc[1] = '\\'; break;
    case '\b': esc[1] = 'b'; break;
    case '\f': esc[1] = 'f'; break;
    case '\n': esc[1] = 'n'; break;
    case '\r': esc[1] = 'r'; break;
    case '\t': esc[1] = 't'; break;
    default:
      if (ulen) { /* a control character or a hidden one (all below U+10000): \uXXXX */
        unsigned cp = utf8_decode(s, ulen);
        esc[1] = 'u';
        for (int i = 0; i < 4; i++) esc[2 + i] = hex[(cp >> (12 - 4 * i)) & 15];
        elen = 6;
      } else { /* not UTF-8 (jansson would refuse the whole string): U+FFFD */
        memcpy(esc, "\xef\xbf\xbd", 3);
        elen = 3;
      }
    }
    sb_add(b, esc, elen);
    run = s += ulen ? ulen : 1;
  }
  sb_add(b, (const char *)run, (size_t)(s - run));
  sb_add(b, "\"", 1);
}

void out_json(strbuf *b, const json_t *j) {
  const char *key;
  json_t *v;
  size_t i;
  int first = 1;
  switch (json_typeof(j)) {
  case JSON_OBJECT:
    sb_add(b, "{", 1);
    json_object_foreach((json_t *)j, key, v) {
      if (!first) sb_add(b, ",", 1);
      first = 0;
      out_json_string(b, key);
      sb_add(b, ":", 1);
      out_json(b, v);
    }
    sb_add(b, "}", 1);
    break;
  case JSON_ARRAY:
    sb_add(b, "[", 1);
    json_array_foreach((json_t *)j, i, v) {
      if (i) sb_add(b, ",", 1);
      out_json(b, v);
    }
    sb_add(b, "]", 1);
    break;
  case JSON_STRING:
    out_json_string(b, json_string_value(j));
    break;
  default: { /* a number, true, false, null: as jansson writes it */
    char *s = json_dumps(j, JSON_ENCODE_ANY | JSON_COMPACT);
    if (s) sb_puts(b, s);
    free(s);
  }
  }
}

/* Appends "key": (with the comma before it unless first). */
static void json_key(strbuf *b, const char *key, int first) {
  if (!first) sb_add(b, ",", 1);
  out_json_string(b, key);
  sb_add(b, ":", 1);
}

static void json_member(strbuf *b, const char *key, const char *value, int first) {
  json_key(b, key, first);
  out_json_string(b, value);
}

/* key: [the ids of defs whose flag is set], in catalogue order; pre: the ids escaped
 * (out_prepare), or NULL. */
static void flagged_ids(strbuf *b, const char *key, const struct text_def *defs,
                        char *const *pre, const unsigned char *flags, int n) {
  json_key(b, key, 0);
  sb_add(b, "[", 1);
  for (int i = 0, any = 0; i < n; i++)
    if (flags[i]) {
      if (any++) sb_add(b, ",", 1);
      if (pre)
        sb_puts(b, pre[i]);
      else
        out_json_string(b, defs[i].id);
    }
  sb_add(b, "]", 1);
}

/* ,"program":"psoas-triage VERSION","knowledge":"sha256:...": which program and which
 * knowledge produced a record, on every record. */
static void provenance_members(strbuf *b, const kb *k) {
  json_member(b, "program", PROGNAME " " PSOAS_VERSION, 0);
  json_member(b, "knowledge", k->knowledge, 0);
}

/* The record's members after its id, up to the concerns: ,"disposition":..,"action":.. */
static void level_members(strbuf *b, const kb *k, enum level lv) {
  json_member(b, "disposition", level_name(lv), 0);
  json_member(b, "action", k->levels[lv].action, 0);
}

/* A concern's members up to its because list: {"id":..,"level":..,"title":..,"because":[ */
static void concern_head(strbuf *b, const struct concern_def *cd) {
  sb_add(b, "{", 1);
  json_member(b, "id", cd->id, 1);
  json_member(b, "level", level_name(cd->level), 0);
  json_member(b, "title", cd->title, 0);
  json_key(b, "because", 0);
  sb_add(b, "[", 1);
}

/* The record's end: ,"disclaimer":..,"program":..,"knowledge":..}\n */
static void record_tail(strbuf *b, const kb *k) {
  json_member(b, "disclaimer", k->disclaimer, 0);
  provenance_members(b, k);
  sb_add(b, "}\n", 2);
}

/* b's text, now owned by the caller (b is left empty). */
static char *taken(strbuf *b) {
  char *t = b->s ? b->s : xstrdup("");
  *b = (strbuf){0};
  return t;
}

/* The ids of n text entries, each escaped as a JSON string. */
static char **escaped_ids(const struct text_def *defs, int n) {
  char **v = xcalloc((size_t)n + 1, sizeof *v);
  strbuf b = {0};
  for (int i = 0; i < n; i++) {
    out_json_string(&b, defs[i].id);
    v[i] = taken(&b);
  }
  return v;
}

void out_prepare(kb *k) {
  if (k->json_tail) return;
  strbuf b = {0};
  for (int i = 0; i < LV_COUNT; i++) {
    level_members(&b, k, (enum level)i);
    k->json_level[i] = taken(&b);
  }
  k->json_concern = xcalloc((size_t)k->nc, sizeof *k->json_concern);
  for (int i = 0; i < k->nc; i++) {
    concern_head(&b, &k->c[i]);
    k->json_concern[i] = taken(&b);
  }
  k->json_qid = xcalloc((size_t)k->nq + 1, sizeof *k->json_qid);
  for (int i = 0; i < k->nq; i++) {
    out_json_string(&b, k->q[i].id);
    k->json_qid[i] = taken(&b);
  }
  k->json_prec = escaped_ids(k->prec, k->nprec);
  k->json_ind = escaped_ids(k->ind, k->nind);
  record_tail(&b, k);
  k->json_tail = taken(&b);
}

static void jsonl_result(strbuf *b, const kb *k, const char *id, const struct result *r) {
  sb_add(b, "{", 1);
  json_member(b, "id", id, 1);
  if (k->json_tail)
    sb_puts(b, k->json_level[r->disposition]);
  else
    level_members(b, k, r->disposition);
  json_key(b, "concerns", 0);
  sb_add(b, "[", 1);
  for (int i = 0; i < r->nconcerns; i++) {
    const struct rconcern *rc = &r->concerns[i];
    if (i) sb_add(b, ",", 1);
    if (k->json_tail)
      sb_puts(b, k->json_concern[rc->concern]);
    else
      concern_head(b, &k->c[rc->concern]);
    for (int j = 0; j < rc->nbecause; j++) {
      if (j) sb_add(b, ",", 1);
      out_json_string(b, result_because(r, rc, j));
    }
    sb_add(b, "]}", 2);
  }
  sb_add(b, "]", 1);
  flagged_ids(b, "precautions", k->prec, k->json_prec, r->prec, k->nprec);
  flagged_ids(b, "indications", k->ind, k->json_ind, r->ind, k->nind);
  json_key(b, "ask", 0);
  sb_add(b, "[", 1);
  for (int i = 0; i < r->nask; i++) {
    if (i) sb_add(b, ",", 1);
    if (k->json_qid)
      sb_puts(b, k->json_qid[r->ask[i].question]);
    else
      out_json_string(b, k->q[r->ask[i].question].id);
  }
  sb_add(b, "]", 1);
  if (k->json_tail)
    sb_puts(b, k->json_tail);
  else
    record_tail(b, k);
}

/* Field for CSV: shown as a person is (sb_add_shown: a spreadsheet or a terminal shows
 * it, and a line break would look like another row even in quotes); quoted when it holds
 * a comma or quote (RFC 4180); a value a spreadsheet would run as a formula (starting
 * with =, +, -, @, a tab or a carriage return) gets a leading ' and quotes, as OWASP's
 * CSV-injection advice says. */
static void csv_field(strbuf *b, const char *value) {
  strbuf shown = {0};
  const char *s = value;
  while (*s >= 0x20 && *s < 0x7f) s++; /* printable ASCII (the kb's ids): as it is */
  if (*s) sb_add_shown(&shown, value);
  s = *s ? shown.s : value;
  int formula = *s && strchr("=+-@\t\r", *s);
  if (!formula && !strpbrk(s, ",\"")) {
    sb_puts(b, s);
  } else {
    sb_add(b, formula ? "\"'" : "\"", formula ? 2 : 1);
    for (; *s; s++) {
      if (*s == '"') sb_add(b, "\"", 1);
      sb_add(b, s, 1);
    }
    sb_add(b, "\"", 1);
  }
  sb_free(&shown);
}

const char *out_header(enum format fmt) {
  return fmt == FMT_CSV ? "id,disposition,concerns,precautions,ask,error,program,knowledge\n" : "";
}

void out_begin(strbuf *b, enum format fmt) {
  if (fmt == FMT_LETTER)
    letter_begin(b);
  else
    sb_puts(b, out_header(fmt));
}

void out_end(strbuf *b, enum format fmt) {
  if (fmt == FMT_LETTER) letter_end(b);
}

const char *level_color(enum level l) {
  switch (l) {
  case LV_EMERGENCY: return "\033[1;97;41m";
  case LV_URGENT: return "\033[1;31m";
  case LV_REFER: return "\033[1;33m";
  case LV_INCOMPLETE: return "\033[1;35m";
  case LV_CAUTION: return "\033[1;36m";
  case LV_PROCEED: return "\033[1;32m";
  default: return "";
  }
}

/* Wraps text at width columns: the first line starts with first, the others with rest
 * (a hanging indent for list items).  Words are never broken. */
static void wrap_hang(strbuf *b, const char *text, const char *first, const char *rest, int width) {
  const char *p = text;
  int start = (int)strlen(first), col = start;
  sb_puts(b, first);
  while (*p) {
    while (*p == ' ' || *p == '\n') p++;
    const char *w = p;
    while (*p && *p != ' ' && *p != '\n') p++;
    int len = (int)(p - w);
    if (!len) break;
    if (col > start && col + 1 + len > width) {
      sb_add(b, "\n", 1);
      sb_puts(b, rest);
      col = start = (int)strlen(rest);
    } else if (col > start) {
      sb_add(b, " ", 1);
      col++;
    }
    sb_add(b, w, (size_t)len);
    col += len;
  }
  sb_add(b, "\n", 1);
}

/* Wraps text at width columns with the given indent. */
static void wrap(strbuf *b, const char *text, const char *indent, int width) {
  wrap_hang(b, text, indent, indent, width);
}

void out_wrap_hang(strbuf *b, const char *text, const char *first, const char *rest, int width) {
  wrap_hang(b, text, first, rest, width);
}

void out_wrap(strbuf *b, const char *text, const char *indent, int width) {
  wrap(b, text, indent, width);
}

int out_term_width(int fd) {
  const char *cols = getenv("COLUMNS");
  int w = 0;
  if (cols && *cols) w = atoi(cols);
  if (w <= 0 && isatty(fd)) {
    struct winsize ws;
    if (ioctl(fd, TIOCGWINSZ, &ws) == 0) w = ws.ws_col;
  }
  if (w <= 0) return 0;
  return w < 40 ? 40 : w > 100 ? 100 : w;
}

/* How the lines an id continues on start (not blank, so no part of an id looks like a
 * line of a record of its own). */
#define ID_CONTINUED "   ... "

/* "Case ID" and suffix, the first line(s) of a record: the id shown as a person is
 * (sb_add_shown: no line breaks, escape sequences or bidi marks), then cut into lines of
 * at most width bytes, the others starting with ID_CONTINUED.  A character takes at most
 * as many columns as bytes, so a terminal of that width never wraps these lines itself:
 * a long id could otherwise put a word of its own at the start of a screen line, and
 * look like a banner ("  PROCEED"). */
static void case_line(strbuf *b, const char *id, const char *suffix, int width) {
  strbuf t = {0};
  sb_puts(&t, "Case ");
  sb_add_shown(&t, id);
  sb_puts(&t, suffix);
  const char *s = t.s, *end = t.s + t.len;
  size_t room = (size_t)width; /* at least 40 */
  for (;;) {
    const char *cut = s;
    while (cut < end) {
      size_t len = utf8_seq_len((const unsigned char *)cut, (size_t)(end - cut));
      if ((size_t)(cut + len - s) > room) break;
      cut += len;
    }
    sb_add(b, s, (size_t)(cut - s));
    sb_add(b, "\n", 1);
    if (cut == end) break;
    sb_puts(b, ID_CONTINUED);
    room = (size_t)width - strlen(ID_CONTINUED);
    s = cut;
  }
  sb_free(&t);
}

void out_because_words(strbuf *b, const kb *k, const char *item, int ids) {
  if (ids) {
    sb_puts(b, item);
    return;
  }
  int qi = kb_question(k, item);
  long n;
  char rest[64];
  if (qi >= 0) sb_puts(b, k->q[qi].label);
  else if (!strncmp(item, "no ", 3) && kb_question(k, item + 3) >= 0)
    sb_printf(b, "not: %s", k->q[kb_question(k, item + 3)].label);
  else if (sscanf(item, "age>=%ld%63s", &n, rest) == 1) sb_printf(b, "age %ld or over", n);
  else if (sscanf(item, "age<%ld%63s", &n, rest) == 1) sb_printf(b, "under %ld", n);
  else if (sscanf(item, "symptom_weeks<%ld%63s", &n, rest) == 1) sb_printf(b, "pain for under %ld weeks", n);
  else if (sscanf(item, "symptom_weeks>=%ld%63s", &n, rest) == 1) sb_printf(b, "pain for %ld weeks or more", n);
  else if (!strcmp(item, "symptom_weeks unknown")) sb_puts(b, "how long the pain has lasted is not known");
  else if (!strncmp(item, "sex=", 4)) sb_printf(b, "sex %s", item + 4);
  else sb_puts(b, item);
}

/* "  LABEL" in the level's colour, and its action wrapped: the banner a record opens and
 * closes with. */
static void banner(strbuf *b, const kb *k, enum level l, int style, int width) {
  const char *on = style & OUT_COLOR ? level_color(l) : "", *off = style & OUT_COLOR ? "\033[0m" : "";
  sb_printf(b, "  %s%s%s\n", on, k->levels[l].label, off);
  wrap(b, k->levels[l].action, "  ", width);
}

/* The parts of a readable record after its heading: concerns, precautions, indications,
 * the questions still open (ask_title), the knowledge version and the disclaimer. */
static void text_body(strbuf *b, const kb *k, const struct result *r, int style, int width,
                      int indications, const char *ask_title) {
  int ids = style & OUT_SHOW_IDS;
  strbuf t = {0};
  if (r->nconcerns) {
    sb_puts(b, "\n  Concerns (how this was reached):\n");
    for (int i = 0; i < r->nconcerns; i++) {
      const struct rconcern *rc = &r->concerns[i];
      const struct concern_def *cd = &k->c[rc->concern];
      sb_clear(&t);
      sb_printf(&t, "[%s] %s%s%s%s", level_name(cd->level), cd->title, ids ? " (" : "", ids ? cd->id : "",
                ids ? ")" : "");
      wrap_hang(b, t.s, "  - ", "    ", width);
      sb_clear(&t);
      sb_puts(&t, "because: ");
      for (int j = 0; j < rc->nbecause; j++) {
        if (j) sb_puts(&t, "; ");
        out_because_words(&t, k, result_because(r, rc, j), ids);
      }
      wrap(b, t.s, "      ", width);
      wrap(b, cd->advice, "      ", width);
    }
  } else {
    sb_puts(b, "\n  Concerns: none found.\n");
  }
  int any = 0;
  for (int i = 0; i < k->nprec; i++)
    if (r->prec[i]) {
      if (!any++) sb_puts(b, "\n  Precautions:\n");
      sb_clear(&t);
      sb_printf(&t, "%s%s%s%s", ids ? "[" : "", ids ? k->prec[i].id : "", ids ? "] " : "", k->prec[i].text);
      wrap_hang(b, t.s, "  - ", "    ", width);
    }
  any = 0;
  for (int i = 0; indications && i < k->nind; i++)
    if (r->ind[i]) {
      if (!any++) sb_puts(b, "\n  Psoas release is indicated for:\n");
      sb_clear(&t);
      sb_printf(&t, "%s%s%s%s", ids ? "[" : "", ids ? k->ind[i].id : "", ids ? "] " : "", k->ind[i].text);
      wrap_hang(b, t.s, "  - ", "    ", width);
    }
  if (r->nask && r->disposition == LV_EMERGENCY) {
    sb_printf(b, "\n  %d red-flag or treatment-safety question%s not answered: the emergency comes first.\n",
              r->nask, r->nask == 1 ? " was" : "s were");
  } else if (r->nask) {
    sb_printf(b, "\n  %s\n", ask_title);
    for (int i = 0; i < r->nask; i++) {
      const struct question *q = &k->q[r->ask[i].question];
      sb_clear(&t);
      sb_printf(&t, "%s%s%s%s", ids ? "[" : "", ids ? q->id : "", ids ? "] " : "", q->text);
      wrap_hang(b, t.s, "  - ", "    ", width);
    }
  }
  sb_printf(b, "\n  Knowledge: %s (%s %s)\n", k->knowledge, PROGNAME, PSOAS_VERSION);
  sb_add(b, "\n", 1);
  wrap(b, k->disclaimer, "  ", width);
  sb_free(&t);
}

static int text_width(int style) {
  int w = style >> 8;
  return w >= 40 ? w : 88;
}

static void text_record(strbuf *b, const kb *k, const char *id, const struct result *r,
                        int style) {
  int width = text_width(style);
  case_line(b, id, "", width);
  banner(b, k, r->disposition, style, width);
  text_body(b, k, r, style, width, 1,
            "Questions still to answer before anyone is cleared (red flags, treatment safety):");
  sb_add(b, "\n", 1);
  banner(b, k, r->disposition, style, width); /* the last thing on screen, too */
  sb_add(b, "\n", 1);
}

void out_desk_record(strbuf *b, const kb *k, const char *id, const struct result *r,
                     enum level desk, const char *verdict, int style) {
  int width = text_width(style);
  const char *on = style & OUT_COLOR ? level_color(desk) : "", *off = style & OUT_COLOR ? "\033[0m" : "";
  strbuf t = {0};
  sb_puts(&t, verdict);
  case_line(b, id, " (front-desk screen)", width);
  sb_puts(b, on);
  wrap(b, t.s, "  ", width);
  sb_puts(b, off);
  text_body(b, k, r, style, width, 0, "To ask at the first visit, before any treatment:");
  sb_printf(b, "\n%s", on);
  wrap(b, t.s, "  ", width);
  sb_printf(b, "%s\n", off);
  sb_free(&t);
}

void out_record(strbuf *b, enum format fmt, const kb *k, const char *id,
                const struct result *r, const char *err, int style) {
  switch (fmt) {
  case FMT_JSONL:
    if (err) {
      sb_add(b, "{", 1);
      json_member(b, "id", id, 1);
      json_member(b, "error", err, 0);
      provenance_members(b, k);
      sb_add(b, "}\n", 2);
    } else {
      jsonl_result(b, k, id, r);
    }
    break;
  case FMT_TEXT:
    if (err) {
      case_line(b, id, "", text_width(style));
      sb_puts(b, "  ERROR: ");
      sb_add_shown(b, err);
      sb_puts(b, "\n  No recommendation was made for this case.\n\n");
      wrap(b, k->disclaimer, "  ", text_width(style));
      sb_add(b, "\n", 1);
    } else {
      text_record(b, k, id, r, style);
    }
    break;
  case FMT_CSV: {
    csv_field(b, id);
    sb_add(b, ",", 1);
    if (!err) {
      strbuf f = {0};
      sb_puts(b, level_name(r->disposition));
      sb_add(b, ",", 1);
      for (int i = 0; i < r->nconcerns; i++)
        sb_printf(&f, "%s%s", i ? ";" : "", k->c[r->concerns[i].concern].id);
      csv_field(b, f.s ? f.s : "");
      sb_add(b, ",", 1);
      sb_clear(&f);
      int n = 0;
      for (int i = 0; i < k->nprec; i++)
        if (r->prec[i]) sb_printf(&f, "%s%s", n++ ? ";" : "", k->prec[i].id);
      csv_field(b, f.s ? f.s : "");
      sb_add(b, ",", 1);
      sb_clear(&f);
      for (int i = 0; i < r->nask; i++)
        sb_printf(&f, "%s%s", i ? ";" : "", k->q[r->ask[i].question].id);
      csv_field(b, f.s ? f.s : "");
      sb_add(b, ",,", 2);
      sb_free(&f);
    } else {
      sb_puts(b, ",,,,");
      csv_field(b, err);
      sb_add(b, ",", 1);
    }
    sb_printf(b, "%s %s,%s\n", PROGNAME, PSOAS_VERSION, k->knowledge);
    break;
  }
  case FMT_LETTER:
    if (err)
      letter_error(b, k, NULL, id, err);
    else
      letter_case(b, k, NULL, id, NULL, r);
    break;
  case FMT_FHIR:
    fhir_record(b, k, id, r, err);
    break;
  }
}

void out_case(strbuf *b, enum format fmt, const kb *k, const struct letterhead *h,
              const struct tcase *c, const struct result *r, int style) {
  if (fmt == FMT_LETTER)
    letter_case(b, k, h, c->id, c, r);
  else
    out_record(b, fmt, k, c->id, r, NULL, style);
}
