/* letter.c -- see letter.h.
 *
 * A page is a template from web/ (web.h) with {{name}} placeholders: {{if:F|G}} is " on"
 * when finding F or G is answered yes (the body chart's marks), every other name is
 * filled by one function of the table `fillers`.  An unknown name is copied as it is,
 * so a test sees it.  Values are escaped by letter_escape() where they are put in;
 * the templates themselves are trusted (they are the program's own files). */
#include "letter.h"

#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "web.h"

/* ---- escaping --------------------------------------------------------------------------- */

/* Appends the n bytes at str escaped (letter_escape). */
static void escape_n(strbuf *b, const char *str, size_t n) {
  const unsigned char *s = (const unsigned char *)str, *run = s, *end = s + n;
  while (s < end) {
    const char *ent = NULL;
    int hide;
    size_t len = shown_len(s, (size_t)(end - s), &hide);
    switch (*s) {
    case '&': ent = "&amp;"; break;
    case '<': ent = "&lt;"; break;
    case '>': ent = "&gt;"; break;
    case '"': ent = "&quot;"; break;
    case '\'': ent = "&#39;"; break;
    default:
      if (hide) ent = "\xef\xbf\xbd";
    }
    if (!ent) {
      s += len;
      continue;
    }
    sb_add(b, (const char *)run, (size_t)(s - run));
    sb_puts(b, ent);
    run = s += len;
  }
  sb_add(b, (const char *)run, (size_t)(s - run));
}

void letter_escape(strbuf *b, const char *s) { escape_n(b, s, strlen(s)); }

/* A text of several lines (the disclaimer's paragraphs, the clinic's address), each line
 * escaped, the newlines kept (the page shows them: white-space: pre-line). */
static void escape_lines(strbuf *b, const char *s) {
  for (const char *nl; (nl = strchr(s, '\n')); s = nl + 1) {
    escape_n(b, s, (size_t)(nl - s));
    sb_add(b, "\n", 1);
  }
  letter_escape(b, s);
}

/* ---- the letterhead: kb/clinic.json ---------------------------------------------------- */

struct letterhead {
  json_t *json;                     /* clinic.json: name, phone, email point into it */
  const char *name, *phone, *email; /* email: NULL when not given */
  char *address;                    /* its lines, joined by newlines */
  char date[16];                    /* YYYY-MM-DD */
};

/* Today's date as YYYY-MM-DD (local time), or SOURCE_DATE_EPOCH's (UTC) when it is set
 * to a number of seconds. */
static void letter_date(char *buf, size_t n) {
  time_t t = time(NULL);
  struct tm tm;
  const char *fixed = getenv("SOURCE_DATE_EPOCH");
  char *end;
  errno = 0;
  long long v = fixed && *fixed ? strtoll(fixed, &end, 10) : -1;
  if (v >= 0 && !*end && !errno) {
    t = (time_t)v;
    gmtime_r(&t, &tm);
  } else {
    localtime_r(&t, &tm);
  }
  strftime(buf, n, "%Y-%m-%d", &tm);
}

/* The line (from 1) of the member "key": in the JSON text, or 1 when it is not there. */
static int key_line(const char *text, const char *key) {
  size_t n = strlen(key);
  for (const char *p = text; (p = strchr(p, '"')); p++) {
    if (strncmp(p + 1, key, n) || p[n + 1] != '"') continue;
    const char *q = p + n + 2;
    while (*q == ' ' || *q == '\t' || *q == '\r' || *q == '\n') q++;
    if (*q != ':') continue;
    int line = 1;
    for (const char *c = text; c < p; c++) line += *c == '\n';
    return line;
  }
  return 1;
}

/* The non-empty string member key of clinic.json's object j, or NULL: then a problem is
 * reported (unless the member is optional and absent) and counted in *errors. */
static const char *clinic_str(const char *path, const char *text, json_t *j, const char *key,
                              int optional, int *errors) {
  json_t *v = json_object_get(j, key);
  if (!v && optional) return NULL;
  const char *s = json_string_value(v);
  if (s && *s) return s;
  if (!v)
    report("%s:1: \"%s\" is missing", path, key);
  else
    report("%s:%d: \"%s\" must be a non-empty string", path, key_line(text, key), key);
  ++*errors;
  return NULL;
}

struct letterhead *letter_open(const char *kb_dir) {
  static const char *const keys[] = {"name", "address", "phone", "email"};
  char *path = xasprintf("%s/clinic.json", kb_dir);
  struct letterhead *h = xcalloc(1, sizeof *h);
  size_t len;
  char *text = read_file(path, &len);
  json_error_t e;
  int errors = 0;
  if (!text) {
    report("%s: %s (the clinic's name, address and phone, which head every letter)", path,
           strerror(errno));
    errors++;
    goto done;
  }
  if (!(h->json = json_loadb(text, len, JSON_REJECT_DUPLICATES, &e))) {
    report("%s:%d: %s", path, e.line, e.text);
    errors++;
    goto done;
  }
  if (!json_is_object(h->json)) {
    report("%s:1: expected an object with \"name\", \"address\" and \"phone\"", path);
    errors++;
    goto done;
  }
  const char *key;
  json_t *v;
  json_object_foreach(h->json, key, v) {
    size_t i = 0;
    while (i < sizeof keys / sizeof *keys && strcmp(key, keys[i])) i++;
    if (i < sizeof keys / sizeof *keys) continue;
    const char *hint = closest_word(key, keys, sizeof keys / sizeof *keys);
    report("%s:%d: unknown key \"%s\"%s%s%s (the keys are name, address, phone, email)", path,
           key_line(text, key), key, hint ? " (did you mean '" : "", hint ? hint : "",
           hint ? "'?)" : "");
    errors++;
  }
  h->name = clinic_str(path, text, h->json, "name", 0, &errors);
  h->phone = clinic_str(path, text, h->json, "phone", 0, &errors);
  h->email = clinic_str(path, text, h->json, "email", 1, &errors);
  json_t *addr = json_object_get(h->json, "address");
  strbuf lines = {0};
  size_t i;
  json_t *line;
  if (json_is_array(addr) && json_array_size(addr) > 0) {
    json_array_foreach(addr, i, line) {
      const char *s = json_string_value(line);
      if (!s || !*s) break;
      sb_printf(&lines, "%s%s", i ? "\n" : "", s);
    }
    if (i < json_array_size(addr)) sb_clear(&lines);
  } else if (json_string_value(addr)) {
    sb_puts(&lines, json_string_value(addr));
  }
  if (!lines.len) {
    if (!addr)
      report("%s:1: \"address\" is missing", path);
    else
      report("%s:%d: \"address\" must be a non-empty string or a list of lines (strings)", path,
             key_line(text, "address"));
    errors++;
  }
  h->address = lines.s;
  letter_date(h->date, sizeof h->date);
done:
  free(text);
  free(path);
  if (errors) {
    letter_close(h);
    return NULL;
  }
  return h;
}

void letter_close(struct letterhead *h) {
  if (!h) return;
  json_decref(h->json);
  free(h->address);
  free(h);
}

/* ---- the pages ---------------------------------------------------------------------------- */

struct page {
  const kb *k;                /* NULL for the document's head */
  const struct letterhead *h; /* may be NULL */
  const char *id;
  const struct tcase *c;      /* may be NULL: no answers shown */
  const struct result *r;     /* NULL on an error page */
  const char *err;
  char date[16];
};

/* The words a finding is shown by: its label, or else its question. */
static const char *finding_words(const struct question *q) { return q->label ? q->label : q->text; }

/* Appends the answer to question qi in words (not escaped): "yes", "no", "don't know",
 * "not asked", a number or a choice. */
static void answer_words(strbuf *b, const kb *k, const struct tcase *c, int qi) {
  const struct question *q = &k->q[qi];
  switch (case_state(c, k, qi)) {
  case ANS_YES: sb_puts(b, "yes"); break;
  case ANS_NO: sb_puts(b, "no"); break;
  case ANS_UNKNOWN: sb_puts(b, "don't know"); break;
  case ANS_VALUE:
    if (q->type == Q_INT)
      sb_printf(b, "%ld", c->a[qi].value);
    else
      sb_puts(b, q->choices[c->a[qi].value]);
    break;
  default: sb_puts(b, "not asked");
  }
}

/* 1 if one of the findings named in list (n bytes, ids separated by '|') is answered yes. */
static int any_yes(const struct page *p, const char *list, size_t n) {
  if (!p->c) return 0;
  const char *end = list + n;
  while (list < end) {
    const char *bar = memchr(list, '|', (size_t)(end - list));
    size_t len = (size_t)((bar ? bar : end) - list);
    int qi = kb_question_n(p->k, list, len);
    if (qi >= 0 && case_state(p->c, p->k, qi) == ANS_YES) return 1;
    list += len + 1;
  }
  return 0;
}

/* Appends a concern's "because" item in words, escaped.  An item is (rules/00-base.clp) a
 * finding id, "F>=N", "F<N", "F unknown", "no F" or "F=V"; anything else is shown as it is. */
static void because_words(strbuf *b, const kb *k, const char *item) {
  strbuf w = {0};
  int no = !strncmp(item, "no ", 3);
  const char *name = no ? item + 3 : item;
  size_t n = strcspn(name, "<>= ");
  int qi = kb_question_n(k, name, n);
  const char *rest = name + n;
  if (qi < 0) {
    sb_puts(&w, item);
  } else {
    sb_puts(&w, finding_words(&k->q[qi]));
    if (no)
      sb_puts(&w, ": no");
    else if (!strncmp(rest, ">=", 2))
      sb_printf(&w, ": %s or over", rest + 2);
    else if (*rest == '<')
      sb_printf(&w, ": under %s", rest + 1);
    else if (*rest == '=')
      sb_printf(&w, ": %s", rest + 1);
    else if (!strcmp(rest, " unknown"))
      sb_puts(&w, ": not known");
    else
      sb_puts(&w, rest);
  }
  letter_escape(b, w.s ? w.s : "");
  sb_free(&w);
}

static void render(strbuf *b, const char *tpl, const struct page *p);

static void fill_css(strbuf *b, const struct page *p) {
  (void)p;
  sb_puts(b, web_letter_css);
}

static void fill_program(strbuf *b, const struct page *p) {
  (void)p;
  letter_escape(b, PROGNAME " " PSOAS_VERSION);
}

static void fill_knowledge(strbuf *b, const struct page *p) { letter_escape(b, p->k->knowledge); }
static void fill_date(strbuf *b, const struct page *p) { letter_escape(b, p->date); }
static void fill_case_id(strbuf *b, const struct page *p) { letter_escape(b, p->id); }
static void fill_disclaimer(strbuf *b, const struct page *p) { escape_lines(b, p->k->disclaimer); }
static void fill_error(strbuf *b, const struct page *p) { letter_escape(b, p->err ? p->err : ""); }

static void fill_level(strbuf *b, const struct page *p) {
  letter_escape(b, level_name(p->r->disposition));
}

static void fill_level_label(strbuf *b, const struct page *p) {
  letter_escape(b, p->k->levels[p->r->disposition].label);
}

static void fill_level_action(strbuf *b, const struct page *p) {
  letter_escape(b, p->k->levels[p->r->disposition].action);
}

static void fill_clinic(strbuf *b, const struct page *p) {
  const struct letterhead *h = p->h;
  if (!h) return;
  sb_puts(b, "<div class=\"clinic-name\">");
  letter_escape(b, h->name);
  sb_puts(b, "</div>\n    <div>");
  escape_lines(b, h->address);
  sb_puts(b, "</div>\n    <div>Phone: ");
  letter_escape(b, h->phone);
  sb_puts(b, "</div>");
  if (h->email) {
    sb_puts(b, "\n    <div>Email: ");
    letter_escape(b, h->email);
    sb_puts(b, "</div>");
  }
}

/* The findings that are not yes/no (age, sex, how long the pain has lasted): those that
 * must be answered, and any other that was. */
static void fill_patient(strbuf *b, const struct page *p) {
  const kb *k = p->k;
  strbuf w = {0};
  if (!p->c) return;
  for (int i = 0, n = 0; i < k->nq; i++) {
    const struct question *q = &k->q[i];
    if (q->type == Q_BOOL || (!kb_required(q) && case_state(p->c, k, i) == ANS_NONE)) continue;
    sb_printf(&w, "%s%s: ", n++ ? "; " : "", finding_words(q));
    if (case_state(p->c, k, i) == ANS_UNKNOWN)
      sb_puts(&w, "not known");
    else
      answer_words(&w, k, p->c, i);
  }
  letter_escape(b, w.s ? w.s : "");
  sb_free(&w);
}

static void fill_concerns(strbuf *b, const struct page *p) {
  const kb *k = p->k;
  const struct result *r = p->r;
  if (!r->nconcerns) sb_puts(b, "    <p class=\"none\">None found.</p>\n");
  for (int i = 0; i < r->nconcerns; i++) {
    const struct rconcern *rc = &r->concerns[i];
    const struct concern_def *cd = &k->c[rc->concern];
    sb_puts(b, "    <div class=\"concern\"><span class=\"title\">");
    letter_escape(b, cd->title);
    sb_puts(b, "</span> <span class=\"badge lv-");
    letter_escape(b, level_name(cd->level));
    sb_puts(b, "\">");
    letter_escape(b, level_name(cd->level));
    sb_puts(b, "</span>");
    if (rc->nbecause) sb_puts(b, "<br><span class=\"because\">Because: ");
    for (int j = 0; j < rc->nbecause; j++) {
      if (j) sb_puts(b, "; ");
      because_words(b, k, result_because(r, rc, j));
    }
    sb_puts(b, rc->nbecause ? ".</span></div>\n" : "</div>\n");
  }
}

static void fill_chart(strbuf *b, const struct page *p) { render(b, web_bodychart_svg, p); }

/* Whether the chart marks anything: each {{if:...}} of the chart, evaluated. */
static void fill_chart_caption(strbuf *b, const struct page *p) {
  int marked = 0;
  for (const char *s = web_bodychart_svg; (s = strstr(s, "{{if:")); s += 5) {
    const char *close = strstr(s, "}}");
    if (close && any_yes(p, s + 5, (size_t)(close - s - 5))) marked = 1;
  }
  letter_escape(b, !p->c ? "" : marked ? "Shaded: where the pain is." : "No pain site was reported.");
}

/* The red-flag and treatment-safety yes/no questions that apply to the person (or were
 * answered all the same), in two tables side by side. */
static void fill_answers(strbuf *b, const struct page *p) {
  const kb *k = p->k;
  if (!p->c) {
    sb_puts(b, "    <p class=\"none\">The answers are not shown.</p>\n");
    return;
  }
  /* rows: question indexes, and -1 / -2 for the headings "Red flags" / "Treatment safety" */
  int *rows = xcalloc((size_t)k->nq + 2, sizeof *rows), n = 0;
  for (int group = 1; group <= 2; group++) {
    int heading = n;
    rows[n++] = -group;
    for (int i = 0; i < k->nq; i++) {
      const struct question *q = &k->q[i];
      if (q->type != Q_BOOL || (group == 1 ? !q->red_flag : q->red_flag || !q->safety)) continue;
      if (!kb_applicable(k, i, p->c->a) && p->c->a[i].state == ANS_NONE) continue;
      rows[n++] = i;
    }
    if (n == heading + 1) n--; /* no row under this heading */
  }
  int split = (n + 1) / 2;
  if (split > 0 && rows[split - 1] < 0) split--; /* no heading at the bottom of a column */
  for (int t = 0; t < 2; t++) {
    sb_puts(b, "    <table>\n");
    for (int j = t ? split : 0; j < (t ? n : split); j++) {
      if (rows[j] < 0) {
        sb_printf(b, "      <tr><th colspan=\"2\">%s</th></tr>\n",
                  rows[j] == -1 ? "Red flags" : "Treatment safety");
        continue;
      }
      static const char *const cls[] = {"unasked", "yes", "no", "unknown", "value"};
      strbuf a = {0};
      answer_words(&a, k, p->c, rows[j]);
      sb_printf(b, "      <tr class=\"%s\"><td>", cls[case_state(p->c, k, rows[j])]);
      letter_escape(b, finding_words(&k->q[rows[j]]));
      sb_puts(b, "</td><td class=\"a\">");
      letter_escape(b, a.s);
      sb_puts(b, "</td></tr>\n");
      sb_free(&a);
    }
    sb_puts(b, "    </table>\n");
  }
  free(rows);
}

static void fill_precautions(strbuf *b, const struct page *p) {
  const kb *k = p->k;
  int any = 0;
  for (int i = 0; i < k->nprec; i++)
    if (p->r->prec[i]) {
      sb_puts(b, any++ ? "    <li>" : "  <ul>\n    <li>");
      letter_escape(b, k->prec[i].text);
      sb_puts(b, "</li>\n");
    }
  sb_puts(b, any ? "  </ul>\n" : "  <p class=\"none\">None.</p>\n");
}

typedef void filler(strbuf *b, const struct page *p);
static const struct {
  const char *name;
  filler *fill;
} fillers[] = {
    {"css", fill_css},
    {"program", fill_program},
    {"knowledge", fill_knowledge},
    {"date", fill_date},
    {"case_id", fill_case_id},
    {"clinic", fill_clinic},
    {"patient", fill_patient},
    {"level", fill_level},
    {"level_label", fill_level_label},
    {"level_action", fill_level_action},
    {"concerns", fill_concerns},
    {"chart", fill_chart},
    {"chart_caption", fill_chart_caption},
    {"answers", fill_answers},
    {"precautions", fill_precautions},
    {"disclaimer", fill_disclaimer},
    {"error", fill_error},
};

/* Appends template tpl with its placeholders filled for page p. */
static void render(strbuf *b, const char *tpl, const struct page *p) {
  const char *s = tpl, *open;
  while ((open = strstr(s, "{{"))) {
    const char *name = open + 2, *close = strstr(name, "}}");
    if (!close) break;
    size_t n = (size_t)(close - name), i = 0;
    sb_add(b, s, (size_t)(open - s));
    s = close + 2;
    if (n > 3 && !strncmp(name, "if:", 3)) {
      if (any_yes(p, name + 3, n - 3)) sb_puts(b, " on");
      continue;
    }
    while (i < sizeof fillers / sizeof *fillers &&
           (strlen(fillers[i].name) != n || strncmp(fillers[i].name, name, n)))
      i++;
    if (i < sizeof fillers / sizeof *fillers)
      fillers[i].fill(b, p);
    else
      sb_add(b, open, n + 4); /* unknown: left as it is, for the tests to see */
  }
  sb_puts(b, s);
}

static void page_init(struct page *p, const kb *k, const struct letterhead *h, const char *id) {
  memset(p, 0, sizeof *p);
  p->k = k;
  p->h = h;
  p->id = id;
  if (h)
    memcpy(p->date, h->date, sizeof p->date);
  else
    letter_date(p->date, sizeof p->date);
}

void letter_begin(strbuf *b) {
  struct page p;
  page_init(&p, NULL, NULL, "");
  render(b, web_letter_head_html, &p);
}

void letter_end(strbuf *b) { sb_puts(b, "</body>\n</html>\n"); }

void letter_case(strbuf *b, const kb *k, const struct letterhead *h, const char *id,
                 const struct tcase *c, const struct result *r) {
  struct page p;
  page_init(&p, k, h, id);
  p.c = c;
  p.r = r;
  render(b, web_letter_html, &p);
}

void letter_error(strbuf *b, const kb *k, const struct letterhead *h, const char *id,
                  const char *err) {
  struct page p;
  page_init(&p, k, h, id);
  p.err = err;
  render(b, web_letter_error_html, &p);
}
