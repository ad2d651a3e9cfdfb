/* fhir.c -- see fhir.h.  Also the `fhir` command (commands.h).
 *
 * Built with jansson throughout: no JSON text is written by hand here. */
#include "fhir.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
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
  case C_NOT_IS:
    add_condition(list, q, c->op == C_IS ? "=" : "!=", "answerCoding", choice_coding(q, c->a));
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
static json_t *finding_item(const kb *k, int qi) {
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
    json_array_append_new(k->q[i].therapist ? therapist : items, finding_item(k, i));
  if (json_array_size(therapist)) /* apart: the patient never answers these */
    json_array_append_new(items, json_pack("{s:s, s:s, s:s, s:o}", "linkId", FHIR_LINK_THERAPIST,
                                           "text", "For the therapist: examination findings",
                                           "type", "group", "item", therapist));
  else
    json_decref(therapist);
  json_object_set_new(qn, "item", items);
  return qn;
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
