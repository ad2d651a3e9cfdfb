/* fhir.c -- see fhir.h.  Also the `fhir` command (commands.h).
 *
 * Built with jansson throughout: no JSON text is written by hand here. */
#include "fhir.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "tcase.h"
#include "util.h"

#define EXT_MIN_VALUE "http://hl7.org/fhir/StructureDefinition/minValue"
#define EXT_MAX_VALUE "http://hl7.org/fhir/StructureDefinition/maxValue"
#define EXT_ITEM_CONTROL "http://hl7.org/fhir/StructureDefinition/questionnaire-itemControl"
#define ITEM_CONTROL_SYSTEM "http://hl7.org/fhir/questionnaire-item-control"

/* ---- `when` conditions as enableWhen ----------------------------------------------------- */

/* How a flat list of enableWhen conditions is joined: not yet said (a single condition
 * needs no enableBehavior), all, or any. */
enum joined { J_ONE, J_ALL, J_ANY };

/* The coding of choice c of question q: one code system per question, its codes the
 * choices of the kb. */
static json_t *choice_coding(const struct question *q, long c) {
  char *system = xasprintf("%s/CodeSystem/%s", FHIR_BASE, q->id);
  json_t *v = json_pack("{s:s, s:s, s:s}", "system", system, "code", q->choices[c], "display",
                        q->choices[c]);
  free(system);
  return v;
}

static void add_condition(json_t *list, const struct question *q, const char *op, const char *key,
                          json_t *answer) {
  json_array_append_new(list, json_pack("{s:s, s:s, s:o}", "question", q->id, "operator", op, key, answer));
}

/* Appends condition c to list as enableWhen conditions joined as *j says (set by the
 * first all or any met, or by a range, which is two conditions that must both hold).
 * Returns NULL, or why c cannot be one flat list (list is then incomplete). */
static const char *flatten(const kb *k, const struct cond *c, json_t *list, enum joined *j) {
  const struct question *q = c->op <= C_RANGE ? &k->q[c->q] : NULL;
  switch (c->op) {
  case C_YES:
    add_condition(list, q, "=", "answerBoolean", json_true());
    return NULL;
  case C_IS:
    add_condition(list, q, "=", "answerCoding", choice_coding(q, c->a));
    return NULL;
  case C_NOT_IS:
    /* FHIR reads != on an unanswered question as true, so a form would show a question
     * for "sex not male" before the sex is given, and a man who fills in from the top sees
     * it until he reaches his sex.  Where the list is joined by all, the answer must also
     * exist; the question it names is required, so nothing is skipped by waiting for it.
     * Under any, an exists cannot be joined to the != alone: the != stays as it is. */
    if (*j != J_ANY) {
      *j = J_ALL;
      add_condition(list, q, "exists", "answerBoolean", json_true());
    }
    add_condition(list, q, "!=", "answerCoding", choice_coding(q, c->a));
    return NULL;
  case C_RANGE:
    if (*j == J_ANY) return "puts a 'range' (two conditions that must both hold) inside 'any'";
    *j = J_ALL;
    add_condition(list, q, ">=", "answerInteger", json_integer(c->a));
    add_condition(list, q, "<=", "answerInteger", json_integer(c->b));
    return NULL;
  case C_ANY:
  case C_ALL: {
    if (c->nkids == 1) return flatten(k, c->kids[0], list, j); /* the same as its one condition */
    enum joined want = c->op == C_ALL ? J_ALL : J_ANY;
    if (*j != J_ONE && *j != want)
      return want == J_ANY ? "puts 'any' inside 'all'" : "puts 'all' inside 'any'";
    *j = want;
    for (int i = 0; i < c->nkids; i++) {
      const char *why = flatten(k, c->kids[i], list, j);
      if (why) return why;
    }
    return NULL;
  }
  }
  return "has an operator unknown here";
}

/* Sets item's enableWhen (and enableBehavior when there are several conditions) from
 * question qi's `when`.  Returns NULL, or why it cannot (item is then left as it was:
 * always enabled). */
static const char *set_enable_when(const kb *k, int qi, json_t *item) {
  const struct cond *c = k->q[qi].when;
  if (!c) return NULL;
  json_t *list = json_array();
  enum joined j = J_ONE;
  const char *why = flatten(k, c, list, &j);
  if (!why) {
    json_object_set(item, "enableWhen", list);
    if (json_array_size(list) > 1)
      json_object_set_new(item, "enableBehavior", json_string(j == J_ANY ? "any" : "all"));
  }
  json_decref(list);
  return why;
}

const char *fhir_when_unsaid(const kb *k, int qi) {
  json_t *scratch = json_object();
  const char *why = set_enable_when(k, qi, scratch);
  json_decref(scratch);
  return why;
}

/* ---- the Questionnaire -------------------------------------------------------------------- */

/* A display item under a question, shown as the SDC item control says: "help" (a help
 * button, as LHC-Forms renders it) or "flyover" (a tooltip). */
static json_t *help_item(const char *qid, const char *suffix, const char *text, const char *control,
                         const char *control_display) {
  char *link = xasprintf("%s-%s", qid, suffix);
  json_t *it = json_pack("{s:[{s:s, s:{s:[{s:s, s:s, s:s}]}}], s:s, s:s, s:s}",
                         "extension", "url", EXT_ITEM_CONTROL, "valueCodeableConcept", "coding",
                         "system", ITEM_CONTROL_SYSTEM, "code", control, "display", control_display,
                         "linkId", link, "text", text, "type", "display");
  free(link);
  return it;
}

/* The item of question qi: its type, limits or choices, when it is enabled, whether it
 * is required, and its two help texts as child display items. */
json_t *fhir_item(const kb *k, int qi) {
  const struct question *q = &k->q[qi];
  static const char *const types[] = {[Q_BOOL] = "boolean", [Q_INT] = "integer", [Q_CHOICE] = "choice"};
  json_t *it = json_object();
  if (q->type == Q_INT)
    json_object_set_new(it, "extension",
                        json_pack("[{s:s, s:I}, {s:s, s:I}]", "url", EXT_MIN_VALUE, "valueInteger",
                                  (json_int_t)q->min, "url", EXT_MAX_VALUE, "valueInteger",
                                  (json_int_t)q->max));
  json_object_set_new(it, "linkId", json_string(q->id));
  json_object_set_new(it, "text", json_string(q->text));
  json_object_set_new(it, "type", json_string(types[q->type]));
  set_enable_when(k, qi, it);
  if (kb_required(q)) json_object_set_new(it, "required", json_true());
  if (q->type == Q_CHOICE) {
    json_t *options = json_array();
    for (int c = 0; c < q->nchoices; c++)
      json_array_append_new(options, json_pack("{s:o}", "valueCoding", choice_coding(q, c)));
    json_object_set_new(it, "answerOption", options);
  }
  json_object_set_new(it, "item", json_pack("[o, o]",
                                            help_item(q->id, "help", q->help, "flyover", "Fly-over"),
                                            help_item(q->id, "why", q->why, "help", "Help-Button")));
  return it;
}

/* What the Questionnaire says of itself: what it is, and how the kb's conditions became
 * enableWhen, naming each question left always enabled. */
static json_t *description(const kb *k) {
  strbuf b = {0};
  sb_printf(&b, "The question catalogue of %s %s (knowledge %s): psoas (iliopsoas) syndrome and "
                "the serious conditions that can mimic it. A screening aid, not a diagnosis. "
                "Red-flag and treatment-safety questions are required. Each question's `when` "
                "condition in the knowledge base is its enableWhen: `yes` as = true, `is` as =, "
                "`not_is` as !=, `range` as >= and <=, `all` and `any` as enableBehavior. "
                "enableWhen is one flat list, so a condition that puts `any` inside `all`, or "
                "`all` or a `range` inside `any`, cannot be said, and its question is left "
                "always enabled; here ",
            PROGNAME, PSOAS_VERSION, k->knowledge);
  int n = 0;
  for (int i = 0; i < k->nq; i++) {
    const char *why = fhir_when_unsaid(k, i);
    if (why) sb_printf(&b, "%s%s (it %s)", n++ ? ", " : "", k->q[i].id, why);
  }
  sb_puts(&b, n ? "." : "none is.");
  json_t *s = json_string(b.s);
  sb_free(&b);
  return s;
}

json_t *fhir_questionnaire(const kb *k) {
  json_t *qn = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:[s], s:o}",
                         "resourceType", "Questionnaire", "id", "psoas-intake",
                         "url", FHIR_QUESTIONNAIRE_URL, "version", k->knowledge,
                         "name", "PsoasTriageIntake",
                         "title", "Back, hip and groin pain: intake for psoas syndrome and its mimics",
                         "status", "active", "subjectType", "Patient", "description", description(k));
  json_t *items = json_array(), *therapist = json_array();
  json_array_append_new(items, json_pack("{s:s, s:s, s:s}", "linkId", FHIR_LINK_DISCLAIMER, "text",
                                         k->disclaimer, "type", "display"));
  for (int i = 0; i < k->nq; i++)
    json_array_append_new(k->q[i].therapist ? therapist : items, fhir_item(k, i));
  if (json_array_size(therapist)) /* apart: the patient never answers these */
    json_array_append_new(items, json_pack("{s:s, s:s, s:s, s:o}", "linkId", FHIR_LINK_THERAPIST,
                                           "text", "For the therapist: examination findings",
                                           "type", "group", "item", therapist));
  else
    json_decref(therapist);
  json_object_set_new(qn, "item", items);
  return qn;
}

/* ---- QuestionnaireResponses as cases ------------------------------------------------------- */

int fhir_is_resource(json_t *j) { return json_is_object(j) && json_object_get(j, "resourceType"); }

static int is_type(json_t *resource, const char *type) {
  const char *t = json_string_value(json_object_get(resource, "resourceType"));
  return t && !strcmp(t, type);
}

int fhir_is_response(json_t *j) { return is_type(j, "QuestionnaireResponse"); }

int fhir_maybe_bundle(const char *text, size_t len) {
  if (memchr(text, '\\', len)) return 1;
  /* memchr for the rare 'B', then a compare: a third of the time memmem took (1% of eval) */
  for (const char *p = text, *end = text + len; (p = memchr(p, 'B', (size_t)(end - p))); p++)
    if ((size_t)(end - p) >= 6 && !memcmp(p, "Bundle", 6)) return 1;
  return 0;
}

int fhir_bundle_readable(json_t *type, size_t responses, char *err, size_t n) {
  static const char *const kinds[] = {"collection", "batch", "transaction", "searchset", NULL};
  const char *const *k = kinds;
  while (json_is_string(type) && *k && strcmp(json_string_value(type), *k)) k++;
  if (!json_is_string(type) || !*k) {
    char shown[64];
    if (type) case_show(type, shown, sizeof shown);
    return case_fail(err, n, "a Bundle of type %s: eval reads collection, batch, transaction and "
                       "searchset Bundles of QuestionnaireResponses", type ? shown : "(none)");
  }
  if (!responses) return case_fail(err, n, "a Bundle with no QuestionnaireResponse in it");
  return 0;
}

int fhir_responses(json_t *r, fhir_response_fn *fn, void *arg, char *err, size_t n) {
  char shown[64];
  json_t *type = json_object_get(r, "resourceType");
  if (fhir_is_response(r)) {
    fn(arg, r, 0);
    return 0;
  }
  if (!is_type(r, "Bundle")) {
    case_show(type, shown, sizeof shown);
    return case_fail(err, n, "resourceType %s: eval reads a QuestionnaireResponse, or a Bundle of them", shown);
  }
  json_t *entries = json_object_get(r, "entry"), *e;
  size_t i, found = 0;
  json_array_foreach(entries, i, e) found += fhir_is_response(json_object_get(e, "resource"));
  if (fhir_bundle_readable(json_object_get(r, "type"), found, err, n) < 0) return -1;
  json_array_foreach(entries, i, e) {
    json_t *res = json_object_get(e, "resource");
    if (fhir_is_response(res)) fn(arg, res, i + 1);
  }
  return 0;
}

/* The value of qr's id, else of its identifier (an Identifier in R4; the first of a list,
 * as R5 has it), or NULL. */
static json_t *id_value(json_t *qr) {
  json_t *id = json_object_get(qr, "id"), *ident = json_object_get(qr, "identifier");
  if (id) return id;
  if (json_is_array(ident)) ident = json_array_get(ident, 0);
  return json_object_get(ident, "value");
}

const char *fhir_case_id(json_t *qr) {
  json_t *v = id_value(qr);
  const char *s = json_string_value(v);
  size_t len = s ? json_string_length(v) : 0;
  return s && len > 0 && len <= CASE_ID_MAX && strlen(s) == len ? s : NULL;
}

/* Reading one QuestionnaireResponse's items into the answers of a case file. */
struct reading {
  const kb *k;
  json_t *answers;   /* finding id -> its value, as a case file has it */
  char *seen;        /* per question: its item was met (a second one is an error) */
  char *err;
  size_t n;
};

/* 1 if link is an item of our Questionnaire that takes no answer: the disclaimer, the
 * therapist's group, a finding's help text.  Forms may return them; they say nothing. */
static int takes_no_answer(const kb *k, const char *link) {
  if (!strcmp(link, FHIR_LINK_DISCLAIMER) || !strcmp(link, FHIR_LINK_THERAPIST)) return 1;
  const char *dash = strrchr(link, '-');
  return dash && (!strcmp(dash, "-help") || !strcmp(dash, "-why")) &&
         kb_question_n(k, link, (size_t)(dash - link)) >= 0;
}

/* The answer of finding qi: its value[x] (valueCoding by its code) into r->answers, as a
 * case file would hold it, for case_from_json to judge.  An answer without a value
 * leaves the finding unanswered. */
static int read_answer(struct reading *r, int qi, json_t *answer) {
  const char *id = r->k->q[qi].id, *key, *which = NULL;
  json_t *v, *value = NULL;
  if (!json_is_object(answer)) return case_fail(r->err, r->n, "linkId '%s': an answer must be an object", id);
  json_object_foreach(answer, key, v) {
    if (strncmp(key, "value", 5)) continue;
    if (which) return case_fail(r->err, r->n, "linkId '%s': an answer with both %s and %s", id, which, key);
    which = key;
    value = v;
  }
  if (!value) return 0;
  if (json_is_null(value)) return case_fail(r->err, r->n, "linkId '%s': %s is null", id, which);
  if (!strcmp(which, "valueCoding") && json_object_get(value, "code"))
    value = json_object_get(value, "code"); /* the system is not checked: the code is the choice */
  json_object_set(r->answers, id, value);
  return 0;
}

static int read_items(struct reading *r, json_t *items, int depth);

/* One item: its answer, if its linkId is a finding; then the items nested in it and in
 * its answers.  Returns 0, or -1 with the message in r->err. */
static int read_item(struct reading *r, json_t *item, int depth) {
  char shown[64];
  if (!json_is_object(item)) return case_fail(r->err, r->n, "an item must be an object");
  json_t *link = json_object_get(item, "linkId"), *answers = json_object_get(item, "answer"), *a;
  const char *id = json_string_value(link);
  if (!id) return case_fail(r->err, r->n, "an item without a linkId");
  case_show(link, shown, sizeof shown);
  if (answers && !json_is_array(answers))
    return case_fail(r->err, r->n, "linkId %s: \"answer\" must be an array", shown);
  int qi = strlen(id) == json_string_length(link) ? kb_question(r->k, id) : -1;
  if (qi < 0 && !takes_no_answer(r->k, id)) {
    const char *hint = strlen(id) <= CASE_VALUE_MAX ? kb_suggest_question(r->k, id) : NULL;
    return case_fail(r->err, r->n, "linkId %s is not a finding%s%s%s", shown,
               hint ? " (did you mean '" : "", hint ? hint : "", hint ? "'?)" : "");
  }
  if (qi < 0 && json_array_size(answers))
    return case_fail(r->err, r->n, "linkId %s takes no answer (it is not a question)", shown);
  if (qi >= 0) {
    if (r->seen[qi]++) return case_fail(r->err, r->n, "linkId '%s' appears twice", id);
    if (json_array_size(answers) > 1)
      return case_fail(r->err, r->n, "linkId '%s' has %zu answers (a finding takes one)", id,
                 json_array_size(answers));
    if (json_array_size(answers) == 1 && read_answer(r, qi, json_array_get(answers, 0)) < 0) return -1;
  }
  size_t i;
  json_array_foreach(answers, i, a) /* answer.item: items nested under an answer */
    if (read_items(r, json_object_get(a, "item"), depth + 1) < 0) return -1;
  return read_items(r, json_object_get(item, "item"), depth + 1);
}

/* The items of a list (a resource's, an item's or an answer's), depth levels down. */
static int read_items(struct reading *r, json_t *items, int depth) {
  if (!items) return 0;
  if (!json_is_array(items)) return case_fail(r->err, r->n, "\"item\" must be an array");
  if (depth > CASE_DEPTH_MAX) return case_fail(r->err, r->n, "items nested more than %d levels deep", CASE_DEPTH_MAX);
  size_t i;
  json_t *item;
  json_array_foreach(items, i, item) if (read_item(r, item, depth) < 0) return -1;
  return 0;
}

json_t *fhir_case_from(const kb *k, json_t *qr, char *err, size_t n) {
  struct reading r = {k, json_object(), xcalloc((size_t)k->nq + 1, 1), err, n};
  json_t *c = NULL;
  if (read_items(&r, json_object_get(qr, "item"), 1) == 0) {
    c = json_object();
    json_t *id = id_value(qr);
    if (id) json_object_set(c, "id", id);
    json_object_set(c, "answers", r.answers);
  }
  json_decref(r.answers);
  free(r.seen);
  return c;
}

/* ---- the `fhir` command --------------------------------------------------------------------- */

int cmd_fhir(struct ctx *ctx, int argc, char **argv) {
  const char *what = NULL;
  for (int i = 1; i < argc; i++) {
    if (ctx_common_option(ctx, argc, argv, &i)) continue;
    if (what || argv[i][0] == '-') return cmd_usage(ctx, "unknown argument '%s'", argv[i]);
    what = argv[i];
  }
  if (!what) return cmd_usage(ctx, "which resource? (questionnaire)");
  if (strcmp(what, "questionnaire")) return cmd_usage(ctx, "unknown resource '%s' (questionnaire)", what);
  int status = ctx_load_kb(ctx);
  if (status) return status;
  const kb *k = ctx->k;
  /* said on stderr too: a form built from it asks these whatever the earlier answers */
  for (int i = 0; i < k->nq; i++) {
    const char *why = fhir_when_unsaid(k, i);
    if (!why) continue;
    strbuf w = {0};
    kb_when_text(k, i, &w);
    report("fhir questionnaire: '%s' is always enabled: its condition (%s) %s, which FHIR's "
           "enableWhen cannot say", k->q[i].id, w.s, why);
    sb_free(&w);
  }
  json_t *qn = fhir_questionnaire(k);
  if (json_dumpf(qn, stdout, JSON_INDENT(2)) == 0) putchar('\n');
  json_decref(qn);
  return EXIT_OK; /* a write error is found and said when main closes stdout */
}
