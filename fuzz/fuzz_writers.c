/* fuzz_writers.c -- libFuzzer target: the output writers with hostile case ids.
 *
 * The invariant: the level a human reads is the level computed.  No case id -- line
 * breaks, escape sequences and other control characters, U+2028/U+2029, bidi overrides,
 * bytes that are not UTF-8, ids of any length, ids that look like a banner, a "Case" line
 * or a spreadsheet formula -- may make a record show another level, another record, or
 * raw control characters to a terminal.
 *
 * Input: byte 0 picks a record: one of six vignettes, one per level (evaluated once, at
 * setup), or an error record; byte 1 the text style (bit 0 colour, bit 1 ids, the other
 * bits the width: 0 for the default, else 40..102); the rest, up to a NUL, is the id.
 * The record is written in every format (out_case, out_record; the letter with its
 * answers and letterhead) with that id and with a plain one, and each output is parsed
 * back and checked (abort() = a finding):
 *   - every output: valid UTF-8 without control characters (C0 but its line ends, DEL,
 *     C1), U+2028/U+2029 or bidi marks (JSON Lines escapes them, \u2028);
 *   - everything but the id is byte for byte what the plain id gives;
 *   - text: the id's lines come first, the first "Case ID", none longer than the width
 *     (so a terminal of that width does not wrap one into a line of its own), none
 *     another "Case" line or a level's word; then exactly two banners, both the computed
 *     level's, the first right after the id and the second last, and no other line
 *     starting with a level's word;
 *   - CSV (a strict RFC 4180 parser): the header and one row of 8 fields, two lines in
 *     all, the disposition field the computed level, no field starting with = + - @ tab
 *     or CR (a neutralised one starts with ');
 *   - JSON Lines: one line, valid JSON, the computed disposition, the id as given when it
 *     is UTF-8;
 *   - letter: one page of the computed level (its class and its label), the id only in
 *     its cell and only escaped (no raw < > " ' or bare &);
 *   - FHIR: one line, valid JSON, a Bundle whose identifier is the id as given (when it is
 *     UTF-8), holding a RiskAssessment with a prediction per concern of the concern's
 *     level and a ServiceRequest exactly when the level refers (of its priority), or an
 *     OperationOutcome for an error record; the same as a plain id's but for the id, the
 *     subjects' displays and the UUIDs derived from the id.
 * An id that is valid UTF-8 without any character above must be shown exactly.
 *
 * Run from the repository root, like fuzz_case (it loads ./kb, ./rules and
 * ./tests/vignettes). */
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../src/engine.h"
#include "../src/kb.h"
#include "../src/letter.h"
#include "../src/output.h"
#include "../src/tcase.h"
#include "../src/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* One vignette per level, in level order (setup checks that each gives its level). */
static const char *const vignettes[LV_COUNT] = {
    "tests/vignettes/dev-03.json", "tests/vignettes/dev-02.json", "tests/vignettes/dev-08.json",
    "tests/vignettes/dev-21.json", "tests/vignettes/dev-10.json", "tests/vignettes/dev-01.json"};
#define PLAIN_ID "plain-id"
#define ERROR_TEXT "answers: key \"fevr\" is not a finding"
#define CSV_FIELDS 8

static kb *K;
static struct letterhead *H;
static struct tcase C[LV_COUNT];
static struct result R[LV_COUNT];
static char words[LV_COUNT][16]; /* the first word of each level's label: "PROCEED" */

/* The record being checked, for the report of a finding. */
static const char *cur_id;
static int cur_record, cur_style;

static void fail(const char *format, const char *what, const char *out) {
  fprintf(stderr, "fuzz_writers: %s: %s (record %d, style 0x%x)\n  id: ", format, what,
          cur_record, cur_style);
  for (const unsigned char *s = (const unsigned char *)cur_id; *s && s - (const unsigned char *)cur_id < 300; s++)
    fprintf(stderr, *s < 0x20 || *s >= 0x7f ? "\\x%02x" : "%c", *s);
  fprintf(stderr, "\n  output:\n%.3000s\n", out ? out : "");
  abort();
}

static void setup(void) {
  setenv("SOURCE_DATE_EPOCH", "1767225600", 1); /* the same date on every letter */
  K = kb_load("kb");
  struct engine *e = K ? engine_open(K, "rules", ENGINE_EVAL) : NULL;
  H = K ? letter_open("kb") : NULL;
  if (!e || !H) abort();
  for (int l = 0; l < LV_COUNT; l++) {
    json_error_t je;
    char err[512];
    json_t *j = json_load_file(vignettes[l], 0, &je);
    case_init(&C[l], K);
    result_init(&R[l], K);
    if (!j || case_from_json(K, j, &C[l], "fuzz", err, sizeof err) < 0 ||
        engine_eval(e, &C[l], MODE_EVAL, 0, &R[l]) < 0 || R[l].disposition != (enum level)l) {
      fprintf(stderr, "fuzz_writers: %s does not give %s\n", vignettes[l], level_name((enum level)l));
      abort();
    }
    json_decref(j);
    const char *label = K->levels[l].label;
    size_t n = 0;
    while (n < sizeof words[l] - 1 && label[n] >= 'A' && label[n] <= 'Z') n++;
    memcpy(words[l], label, n);
  }
  engine_close(e);
}

/* ---- characters ------------------------------------------------------------------------ */

/* The code point of the valid UTF-8 sequence of len bytes at s. */
static unsigned code_point(const unsigned char *s, size_t len) {
  static const unsigned char lead_mask[] = {0, 0x7f, 0x1f, 0x0f, 0x07};
  unsigned cp = s[0] & lead_mask[len];
  for (size_t i = 1; i < len; i++) cp = (cp << 6) | (s[i] & 0x3f);
  return cp;
}

/* A character no person should be shown as it is: a control character (C0, DEL, C1), a
 * line or paragraph separator, or an invisible mark that reorders text. */
static int hidden(unsigned cp) {
  return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) || cp == 0x61c || cp == 0x200e || cp == 0x200f ||
         cp == 0x2028 || cp == 0x2029 || (cp >= 0x202a && cp <= 0x202e) ||
         (cp >= 0x2066 && cp <= 0x2069);
}

/* 1 if s is valid UTF-8 without a hidden character (newlines allowed when nl). */
static int clean(const char *str, size_t n, int nl) {
  const unsigned char *s = (const unsigned char *)str, *end = s + n;
  while (s < end) {
    size_t len = utf8_seq_len(s, (size_t)(end - s));
    if (!len) return 0;
    unsigned cp = code_point(s, len);
    if (hidden(cp) && !(nl && cp == '\n')) return 0;
    s += len;
  }
  return 1;
}

/* Output for a person: valid UTF-8, no hidden character but its line ends. */
static void check_shown(const char *format, const strbuf *out) {
  if (!clean(out->s, out->len, 1)) fail(format, "a control character, bidi mark or bad UTF-8", out->s);
}

/* The level whose word begins line (after blanks), or -1. */
static int level_word(const char *line) {
  line += strspn(line, " ");
  for (int l = 0; l < LV_COUNT; l++) {
    size_t n = strlen(words[l]);
    if (!strncmp(line, words[l], n) && !(line[n] >= 'A' && line[n] <= 'Z')) return l;
  }
  return -1;
}

/* ---- text ------------------------------------------------------------------------------- */

/* Removes from s every occurrence of the escape sequence seq (the writer's own colours). */
static void strip(strbuf *s, const char *seq) {
  size_t n = strlen(seq);
  char *p;
  while ((p = strstr(s->s, seq))) {
    memmove(p, p + n, s->len - (size_t)(p - s->s) - n + 1);
    s->len -= n;
  }
}

/* The lines of s, each NUL-terminated in place (what follows the last '\n' is left out),
 * their count in *n; the caller frees the array. */
static char **split_lines(char *s, size_t *n) {
  size_t max = 1;
  for (const char *c = s; (c = strchr(c, '\n')); c++) max++;
  char **lines = xcalloc(max, sizeof *lines);
  *n = 0;
  for (char *nl; (nl = strchr(s, '\n')); s = nl + 1) {
    *nl = '\0';
    lines[(*n)++] = s;
  }
  return lines;
}

/* The banner line of a level: "  LABEL" (colours stripped), or -1. */
static int banner_of(const char *line) {
  for (int l = 0; l < LV_COUNT; l++)
    if (!strncmp(line, "  ", 2) && !strcmp(line + 2, K->levels[l].label)) return l;
  return -1;
}

#define CONTINUED "   ... " /* how the writer starts the lines an id continues on */

/* The id's lines: their count (the lines before the first banner, or before the ERROR line
 * of an error record), checked; the id they show goes to shown. */
static size_t id_lines(char **lines, size_t n, int width, strbuf *shown, const char *out) {
  size_t i = 0;
  if (!n || strncmp(lines[0], "Case ", 5)) fail("text", "the record does not open with \"Case \"", out);
  for (; i < n && banner_of(lines[i]) < 0 && strncmp(lines[i], "  ERROR: ", 9); i++) {
    const char *line = lines[i];
    if (i && strncmp(line, CONTINUED, strlen(CONTINUED)))
      fail("text", "a line of the id is not marked as its continuation", out);
    if (strlen(line) > (size_t)width) fail("text", "a line of the id is wider than the text", out);
    if (level_word(line) >= 0) fail("text", "a line of the id starts with a level's word", out);
    sb_puts(shown, line + (i ? strlen(CONTINUED) : 5));
  }
  return i;
}

static void check_text(const strbuf *raw, const strbuf *plain, const char *id, int level,
                       int style) {
  int width = style >> 8 >= 40 ? style >> 8 : 88;
  strbuf t = {0}, p = {0}, shown = {0};
  sb_add(&t, raw->s, raw->len);
  sb_add(&p, plain->s, plain->len);
  if (style & OUT_COLOR && level >= 0) { /* the computed level's colour, and no other */
    strip(&t, level_color((enum level)level));
    strip(&t, "\033[0m");
    strip(&p, level_color((enum level)level));
    strip(&p, "\033[0m");
  }
  check_shown("text", &t);
  if (!t.len || t.s[t.len - 1] != '\n') fail("text", "no line end at the end", raw->s);
  size_t n, pn;
  char **lines = split_lines(t.s, &n), **plines = split_lines(p.s, &pn);
  size_t first = id_lines(lines, n, width, &shown, raw->s);
  if (n - first != pn - 1) fail("text", "the lines after the id differ from a plain id's", raw->s);
  for (size_t i = first; i < n; i++)
    if (strcmp(lines[i], plines[i - first + 1])) fail("text", "a line after the id differs from a plain id's", raw->s);
  if (clean(id, strlen(id), 0) && strcmp(shown.s, id)) fail("text", "a clean id is not shown as it is", raw->s);
  /* the banners: two, of the computed level, first and last; no other level line */
  size_t banners[3], nb = 0;
  for (size_t i = first; i < n; i++) {
    int b = banner_of(lines[i]);
    if (b < 0 && level_word(lines[i]) >= 0) fail("text", "a line other than a banner starts with a level's word", raw->s);
    if (b < 0) continue;
    if (b != level || nb == 2) fail("text", "a banner of another level, or a third one", raw->s);
    banners[nb++] = i;
  }
  if (level < 0 && nb) fail("text", "a banner in an error record", raw->s);
  if (level >= 0) {
    if (nb != 2 || banners[0] != first) fail("text", "the banner does not follow the id", raw->s);
    /* the last banner ends the record: it, its action and a blank line, as the first */
    for (size_t i = banners[1]; i < n; i++)
      if (strcmp(lines[i], lines[banners[0] + i - banners[1]]) || (i == n - 1 && *lines[i]))
        fail("text", "the last banner is not the last thing", raw->s);
  }
  free(lines);
  free(plines);
  sb_free(&t);
  sb_free(&p);
  sb_free(&shown);
}

/* ---- CSV -------------------------------------------------------------------------------- */

/* Parses CSV text s strictly (RFC 4180, with the writer's "\n" line ends, a final one
 * required): into fields[record][field], at most 2 records of CSV_FIELDS fields.  Returns
 * the number of records, or -1 if the text is not such CSV. */
static int csv_parse(const char *s, strbuf fields[2][CSV_FIELDS]) {
  int rec = 0, f = 0;
  while (*s) {
    if (rec == 2 || f == CSV_FIELDS) return -1;
    strbuf *out = &fields[rec][f];
    sb_add(out, "", 0);
    if (*s == '"') {
      for (s++;; s++) {
        if (!*s) return -1;
        if (*s == '"' && s[1] != '"') break;
        if (*s == '"') s++;
        sb_add(out, s, 1);
      }
      s++;
    } else {
      size_t n = strcspn(s, ",\n\"\r");
      sb_add(out, s, n);
      s += n;
    }
    if (*s == ',') {
      f++;
      s++;
    } else if (*s == '\n') {
      if (f != CSV_FIELDS - 1) return -1;
      rec++;
      f = 0;
      s++;
    } else {
      return -1; /* a quote or CR in a bare field, text after a closing quote, no line end */
    }
  }
  return f ? -1 : rec;
}

static void check_csv(const strbuf *raw, const strbuf *plain, const char *id, int level) {
  strbuf doc = {0}, fields[2][CSV_FIELDS] = {{{0}}}, pfields[2][CSV_FIELDS] = {{{0}}}, pdoc = {0};
  out_begin(&doc, FMT_CSV);
  sb_add(&doc, raw->s, raw->len);
  out_begin(&pdoc, FMT_CSV);
  sb_add(&pdoc, plain->s, plain->len);
  check_shown("csv", raw);
  if (csv_parse(doc.s, fields) != 2) fail("csv", "not the header and one row of 8 fields", raw->s);
  if (csv_parse(pdoc.s, pfields) != 2) fail("csv", "a plain id's record is not CSV", plain->s);
  if (memchr(raw->s, '\n', raw->len) != raw->s + raw->len - 1) fail("csv", "the row is more than one line", raw->s);
  const char *disposition = fields[1][1].s;
  if (strcmp(disposition, level >= 0 ? level_name((enum level)level) : ""))
    fail("csv", "the disposition is not the computed level", raw->s);
  for (int f = 0; f < CSV_FIELDS; f++) {
    const char *v = fields[1][f].s;
    if (*v && strchr("=+-@\t\r", *v)) fail("csv", "a field a spreadsheet would run as a formula", raw->s);
    if (f && strcmp(v, pfields[1][f].s)) fail("csv", "a field but the id differs from a plain id's", raw->s);
  }
  const char *shown = fields[1][0].s;
  if (clean(id, strlen(id), 0) && strcmp(shown, id) && !(*shown == '\'' && !strcmp(shown + 1, id)))
    fail("csv", "a clean id is not shown as it is", raw->s);
  for (int r = 0; r < 2; r++)
    for (int f = 0; f < CSV_FIELDS; f++) {
      sb_free(&fields[r][f]);
      sb_free(&pfields[r][f]);
    }
  sb_free(&doc);
  sb_free(&pdoc);
}

/* ---- JSON Lines ------------------------------------------------------------------------- */

static json_t *jsonl_parse(const strbuf *out) {
  json_error_t e;
  if (!out->len || memchr(out->s, '\n', out->len) != out->s + out->len - 1)
    fail("jsonl", "not exactly one line", out->s);
  check_shown("jsonl", out);
  json_t *j = json_loadb(out->s, out->len, 0, &e);
  if (!json_is_object(j)) fail("jsonl", e.text, out->s);
  return j;
}

static void check_jsonl(const strbuf *raw, const strbuf *plain, const char *id, int level) {
  json_t *j = jsonl_parse(raw), *p = jsonl_parse(plain);
  const char *disposition = json_string_value(json_object_get(j, "disposition"));
  if (level >= 0 ? !disposition || strcmp(disposition, level_name((enum level)level)) : disposition != NULL)
    fail("jsonl", "the disposition is not the computed level", raw->s);
  const char *shown = json_string_value(json_object_get(j, "id"));
  json_t *given = json_string(id); /* NULL when id is not UTF-8 */
  if (!shown || (given && strcmp(shown, id))) fail("jsonl", "the id is not the given id", raw->s);
  json_decref(given);
  json_object_del(j, "id");
  json_object_del(p, "id");
  if (!json_equal(j, p)) fail("jsonl", "a member but the id differs from a plain id's", raw->s);
  json_decref(j);
  json_decref(p);
}

/* ---- the letter ------------------------------------------------------------------------- */

#define ID_CELL "<tr><th>Case</th><td>"

/* Appends the HTML text s (n bytes, the writer's entities only) decoded to b; -1 for a
 * character that markup from the id would need. */
static int html_text(strbuf *b, const char *s, size_t n) {
  static const char *const ent[][2] = {{"&amp;", "&"}, {"&lt;", "<"}, {"&gt;", ">"}, {"&quot;", "\""}, {"&#39;", "'"}};
  for (const char *end = s + n; s < end;) {
    if (strchr("<>\"'", *s)) return -1;
    if (*s != '&') {
      sb_add(b, s++, 1);
      continue;
    }
    size_t i = 0;
    while (i < 5 && strncmp(s, ent[i][0], strlen(ent[i][0]))) i++;
    if (i == 5) return -1;
    sb_puts(b, ent[i][1]);
    s += strlen(ent[i][0]);
  }
  return 0;
}

/* The id's cell of a letter: start and length; the text before and after it goes to rest. */
static const char *id_cell(const strbuf *out, size_t *len, strbuf *rest) {
  const char *cell = strstr(out->s, ID_CELL);
  if (!cell || strstr(cell + 1, ID_CELL)) fail("letter", "not exactly one id cell", out->s);
  cell += strlen(ID_CELL);
  const char *end = strstr(cell, "</td></tr>");
  if (!end) fail("letter", "the id cell is not closed", out->s);
  *len = (size_t)(end - cell);
  sb_add(rest, out->s, (size_t)(cell - out->s));
  sb_puts(rest, end);
  return cell;
}

static void check_letter(const strbuf *raw, const strbuf *plain, const char *id, int level) {
  strbuf rest = {0}, prest = {0}, shown = {0};
  size_t len, plen;
  check_shown("letter", raw);
  const char *cell = id_cell(raw, &len, &rest);
  id_cell(plain, &plen, &prest);
  if (strcmp(rest.s, prest.s)) fail("letter", "the page but the id differs from a plain id's", raw->s);
  if (html_text(&shown, cell, len) < 0) fail("letter", "the id is not escaped", raw->s);
  if (clean(id, strlen(id), 0) && strcmp(shown.s ? shown.s : "", id)) fail("letter", "a clean id is not shown as it is", raw->s);
  if (level >= 0) { /* the level, as the page shows it: its class and its label */
    strbuf want = {0};
    sb_printf(&want, "<article class=\"letter lv-%s\">", level_name((enum level)level));
    const char *a = strstr(raw->s, "<article class=\"letter lv-");
    if (!a || strncmp(a, want.s, want.len) || strstr(a + 1, "<article")) fail("letter", "not one page of the computed level", raw->s);
    sb_clear(&want);
    sb_printf(&want, "<div class=\"label\">%s</div>", K->levels[level].label);
    const char *l = strstr(raw->s, "<div class=\"label\">");
    if (!l || strncmp(l, want.s, want.len) || strstr(l + want.len, "class=\"label\"")) fail("letter", "the label is not the computed level's", raw->s);
    sb_free(&want);
  }
  sb_free(&rest);
  sb_free(&prest);
  sb_free(&shown);
}

/* ---- FHIR ------------------------------------------------------------------------------ */

/* Removes from a Bundle what depends on the id: identifiers, subjects, ids, fullUrls and
 * references (UUIDs of the id). */
static void fhir_strip(json_t *j) {
  static const char *const keys[] = {"identifier", "subject", "id", "fullUrl", "reference"};
  size_t i;
  json_t *v;
  if (json_is_object(j)) {
    for (size_t k = 0; k < sizeof keys / sizeof *keys; k++) json_object_del(j, keys[k]);
    const char *key;
    json_object_foreach(j, key, v) fhir_strip(v);
  } else if (json_is_array(j)) {
    json_array_foreach(j, i, v) fhir_strip(v);
  }
}

/* The entry's resource of type rtype, or NULL. */
static json_t *fhir_resource(json_t *bundle, const char *rtype) {
  size_t i;
  json_t *e;
  json_array_foreach(json_object_get(bundle, "entry"), i, e) {
    json_t *r = json_object_get(e, "resource");
    const char *t = json_string_value(json_object_get(r, "resourceType"));
    if (t && !strcmp(t, rtype)) return r;
  }
  return NULL;
}

static void check_fhir(const strbuf *raw, const strbuf *plain, const char *id, int which) {
  static const char *const priority[] = {"stat", "urgent", "routine"};
  json_error_t e;
  if (!raw->len || memchr(raw->s, '\n', raw->len) != raw->s + raw->len - 1) fail("fhir", "not exactly one line", raw->s);
  check_shown("fhir", raw);
  json_t *j = json_loadb(raw->s, raw->len, 0, &e), *p = json_loadb(plain->s, plain->len, 0, &e);
  if (!j || !p) fail("fhir", e.text, raw->s);
  const char *rt = json_string_value(json_object_get(j, "resourceType"));
  if (!rt || strcmp(rt, "Bundle")) fail("fhir", "not a Bundle", raw->s);
  const char *shown = json_string_value(json_object_get(json_object_get(j, "identifier"), "value"));
  json_t *given = json_string(id); /* NULL when id is not UTF-8 */
  if (!shown || (given && strcmp(shown, id))) fail("fhir", "the identifier is not the given id", raw->s);
  json_decref(given);
  size_t n = json_array_size(json_object_get(j, "entry"));
  json_t *ra = fhir_resource(j, "RiskAssessment"), *sr = fhir_resource(j, "ServiceRequest");
  if (which == LV_COUNT) {
    if (n != 1 || !fhir_resource(j, "OperationOutcome")) fail("fhir", "an error record without its OperationOutcome", raw->s);
  } else {
    const struct result *r = &R[which];
    json_t *preds = json_object_get(ra, "prediction");
    if (!ra || n != (size_t)(1 + (which <= LV_REFER)) || (which <= LV_REFER) != !!sr)
      fail("fhir", "not a RiskAssessment and a ServiceRequest exactly when the level refers", raw->s);
    if (sr && strcmp(json_string_value(json_object_get(sr, "priority")), priority[which]))
      fail("fhir", "the priority is not the level's", raw->s);
    if (json_array_size(preds) != (size_t)r->nconcerns) fail("fhir", "not a prediction per concern", raw->s);
    for (int i = 0; i < r->nconcerns; i++) {
      json_t *risk = json_object_get(json_array_get(preds, (size_t)i), "qualitativeRisk");
      const char *code = json_string_value(json_object_get(json_array_get(json_object_get(risk, "coding"), 0), "code"));
      if (!code || strcmp(code, level_name(K->c[r->concerns[i].concern].level))) fail("fhir", "a prediction of another level", raw->s);
    }
  }
  fhir_strip(j);
  fhir_strip(p);
  if (!json_equal(j, p)) fail("fhir", "the Bundle but what depends on the id differs from a plain id's", raw->s);
  json_decref(j);
  json_decref(p);
}

/* ---- one input -------------------------------------------------------------------------- */

/* Record `which` (a level's vignette, or LV_COUNT: an error record) in format fmt for id. */
static void write_record(strbuf *b, enum format fmt, int which, const char *id, int style) {
  sb_clear(b);
  if (which == LV_COUNT) {
    out_record(b, fmt, K, id, NULL, ERROR_TEXT, style);
    return;
  }
  char *own = C[which].id; /* the case with the id, for out_case */
  C[which].id = (char *)id;
  if (fmt == FMT_LETTER)
    out_case(b, fmt, K, H, &C[which], &R[which], style);
  else
    out_case(b, fmt, K, NULL, &C[which], &R[which], style);
  C[which].id = own;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (!K) setup();
  if (size < 2) return 0;
  int which = data[0] % (LV_COUNT + 1), wbits = data[1] >> 2;
  int style = (data[1] & 1 ? OUT_COLOR : 0) | (data[1] & 2 ? OUT_SHOW_IDS : 0) | OUT_WIDTH(wbits ? 39 + wbits : 0);
  char *id = strndup((const char *)data + 2, size - 2);
  int level = which < LV_COUNT ? which : -1;
  strbuf out = {0}, plain = {0};
  cur_id = id;
  cur_record = which;
  cur_style = style;
  write_record(&out, FMT_TEXT, which, id, style);
  write_record(&plain, FMT_TEXT, which, PLAIN_ID, style);
  check_text(&out, &plain, id, level, style);
  write_record(&out, FMT_CSV, which, id, style);
  write_record(&plain, FMT_CSV, which, PLAIN_ID, style);
  check_csv(&out, &plain, id, level);
  write_record(&out, FMT_JSONL, which, id, style);
  write_record(&plain, FMT_JSONL, which, PLAIN_ID, style);
  check_jsonl(&out, &plain, id, level);
  write_record(&out, FMT_LETTER, which, id, style);
  write_record(&plain, FMT_LETTER, which, PLAIN_ID, style);
  check_letter(&out, &plain, id, level);
  write_record(&out, FMT_FHIR, which, id, style);
  write_record(&plain, FMT_FHIR, which, PLAIN_ID, style);
  check_fhir(&out, &plain, id, which);
  sb_free(&out);
  sb_free(&plain);
  free(id);
  return 0;
}
