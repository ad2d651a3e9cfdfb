/* unit.c -- unit tests for the parts: kb loading, `when` conditions, case parsing and
 * validation, the engine on hand-built cases, output encoding.
 *
 *   build/unit-tests --list     names of the tests
 *   build/unit-tests [NAME...]  run them (all by default); exit 1 if any check failed
 *
 * Runs from the repository root (it loads ./kb and ./rules). */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../src/engine.h"
#include "../src/fastcase.h"
#include "../src/fhirout.h"
#include "../src/kb.h"
#include "../src/letter.h"
#include "../src/output.h"
#include "../src/tcase.h"
#include "../src/util.h"

static int failures;
#define CHECK(cond)                                                        \
  do {                                                                     \
    if (!(cond)) {                                                         \
      printf("  %s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);    \
      failures++;                                                          \
    }                                                                      \
  } while (0)

static kb *K;

/* Parses JSON text as a case; returns 0 or -1 with err. */
static int parse(const char *text, struct tcase *c, char *err, size_t n) {
  json_error_t e;
  json_t *j = json_loads(text, JSON_REJECT_DUPLICATES, &e);
  if (!j) {
    snprintf(err, n, "test JSON broken: %s", e.text);
    return -2;
  }
  int rc = case_from_json(K, j, c, "default-id", err, n);
  json_decref(j);
  return rc;
}

static void test_kb_loads(void) {
  CHECK(K != NULL);
  CHECK(K->nq == 97); /* CLINICAL.md's 62 + the 31 findings revision 2 adds + 4 of the project's */
  CHECK(K->nc == 86); /* CLINICAL.md's 35 + the 33 revision 2 adds + 18 of the project's */
  CHECK(kb_question(K, "fever") >= 0);
  CHECK(kb_question(K, "fevr") == -1);
  CHECK(strcmp(kb_suggest_question(K, "fevr"), "fever") == 0);
  CHECK(kb_concern(K, "aaa_rupture") >= 0);
  CHECK(K->c[kb_concern(K, "aaa_rupture")].level == LV_EMERGENCY);
  CHECK(strstr(K->disclaimer, "not a substitute for professional medical advice") != NULL);
  CHECK(strstr(K->disclaimer, "emergency services") != NULL);
  int rf = 0, ts = 0;
  for (int i = 0; i < K->nq; i++) rf += K->q[i].red_flag, ts += K->q[i].safety;
  CHECK(rf == 31); /* CLINICAL.md's 19 + revision 2's 11 + groin_lump_irreducible */
  CHECK(ts == 6);  /* revision 2, principle 5 */
}

static void test_kb_rejects_broken(void) {
  /* A copy of the kb with a broken `when` reference must not load. */
  CHECK(system("rm -rf build/kb-broken && cp -r kb build/kb-broken && "
               "sed -i 's/\"yes\": \"leg_pain\"/\"yes\": \"leg_pian\"/' build/kb-broken/questions.json") == 0);
  fprintf(stderr, "(expected error follows)\n");
  kb *b = kb_load("build/kb-broken");
  CHECK(b == NULL);
  kb_free(b);
  kb_free(NULL); /* no-op */
}

static void test_when_conditions(void) {
  struct tcase c;
  char err[512];
  int preg = kb_question(K, "pregnant"), knee = kb_question(K, "pain_below_knee");
  case_init(&c, K);
  CHECK(parse("{\"answers\":{\"sex\":\"female\",\"age\":30}}", &c, err, sizeof err) == 0);
  CHECK(kb_applicable(K, preg, c.a));
  CHECK(parse("{\"answers\":{\"sex\":\"male\",\"age\":30}}", &c, err, sizeof err) == 0);
  CHECK(!kb_applicable(K, preg, c.a));
  CHECK(parse("{\"answers\":{\"sex\":\"female\",\"age\":70}}", &c, err, sizeof err) == 0);
  CHECK(!kb_applicable(K, preg, c.a));
  CHECK(parse("{\"answers\":{\"sex\":\"other\",\"age\":10}}", &c, err, sizeof err) == 0);
  CHECK(kb_applicable(K, preg, c.a));
  CHECK(parse("{\"answers\":{\"leg_pain\":true}}", &c, err, sizeof err) == 0);
  CHECK(kb_applicable(K, knee, c.a));
  CHECK(parse("{\"answers\":{\"leg_pain\":\"unknown\"}}", &c, err, sizeof err) == 0);
  CHECK(!kb_applicable(K, knee, c.a));
  /* three values (revision 2, principle 6): an undecided condition applies ... */
  CHECK(parse("{\"answers\":{}}", &c, err, sizeof err) == 0);
  CHECK(kb_applicable(K, preg, c.a));
  CHECK(parse("{\"answers\":{\"sex\":\"female\"}}", &c, err, sizeof err) == 0);
  CHECK(kb_applicable(K, preg, c.a));
  CHECK(parse("{\"answers\":{\"age\":30,\"sex\":\"unknown\"}}", &c, err, sizeof err) == 0);
  CHECK(kb_applicable(K, preg, c.a));
  /* ... one that the known answers settle does not, whatever is still open ... */
  CHECK(parse("{\"answers\":{\"sex\":\"male\"}}", &c, err, sizeof err) == 0);
  CHECK(!kb_applicable(K, preg, c.a));
  CHECK(parse("{\"answers\":{\"age\":75}}", &c, err, sizeof err) == 0);
  CHECK(!kb_applicable(K, preg, c.a));
  /* ... and a follow-up on a yes waits for the yes, inside any/all too. */
  int wbp = kb_question(K, "weight_bearing_pain");
  CHECK(parse("{\"answers\":{}}", &c, err, sizeof err) == 0);
  CHECK(!kb_applicable(K, wbp, c.a));
  CHECK(parse("{\"answers\":{\"runner\":true}}", &c, err, sizeof err) == 0);
  CHECK(kb_applicable(K, wbp, c.a));
  case_free(&c);
}

static void test_case_values(void) {
  struct tcase c;
  char err[512];
  case_init(&c, K);
  CHECK(parse("{\"id\":\"x1\",\"answers\":{\"age\":67,\"sex\":\"male\",\"fever\":\"yes\","
              "\"collapse\":\"no\",\"leg_pain\":\"unknown\",\"limp\":null,\"runner\":false},"
              "\"unanswered_means\":\"no\",\"expect\":{}}",
              &c, err, sizeof err) == 0);
  CHECK(strcmp(c.id, "x1") == 0);
  CHECK(c.unanswered_no == 1);
  CHECK(c.a[kb_question(K, "age")].state == ANS_VALUE && c.a[kb_question(K, "age")].value == 67);
  CHECK(c.a[kb_question(K, "fever")].state == ANS_YES);
  CHECK(c.a[kb_question(K, "collapse")].state == ANS_NO);
  CHECK(c.a[kb_question(K, "leg_pain")].state == ANS_UNKNOWN);
  CHECK(c.a[kb_question(K, "limp")].state == ANS_UNKNOWN);
  CHECK(c.a[kb_question(K, "runner")].state == ANS_NO);
  CHECK(case_state(&c, K, kb_question(K, "night_pain")) == ANS_NO);   /* unticked = no */
  CHECK(case_state(&c, K, kb_question(K, "symptom_weeks")) == ANS_NONE); /* not a box */
  CHECK(parse("{\"id\":7,\"answers\":{}}", &c, err, sizeof err) == 0);
  CHECK(strcmp(c.id, "7") == 0);
  CHECK(parse("{\"answers\":{}}", &c, err, sizeof err) == 0);
  CHECK(strcmp(c.id, "default-id") == 0);
  case_free(&c);
}

/* Each bad case must fail with a message containing `want`. */
static void test_case_errors(void) {
  static const struct {
    const char *json, *want;
  } bad[] = {
      {"[1,2]", "must be a JSON object"},
      {"{\"id\":\"a\"}", "no 'answers'"},
      {"{\"answers\":[]}", "key 'answers' expects an object"},
      {"{\"answers\":{\"fevr\":true}}", "key \"fevr\" is not a finding (did you mean 'fever'?)"},
      {"{\"answers\":{\"zzzzzzzz\":true}}", "key \"zzzzzzzz\" is not a finding"},
      {"{\"answers\":{\"fever\":3}}", "key 'fever' expects true, false"},
      {"{\"answers\":{\"fever\":\"maybe\"}}", "key 'fever' expects true, false"},
      {"{\"answers\":{\"age\":150}}", "key 'age' must be from 0 to 120, got 150"},
      {"{\"answers\":{\"age\":-1}}", "key 'age' must be from 0 to 120"},
      {"{\"answers\":{\"age\":40.5}}", "key 'age' expects a whole number"},
      {"{\"answers\":{\"age\":\"40\"}}", "key 'age' expects a whole number"},
      {"{\"answers\":{\"age\":99999999999999999}}", "key 'age' must be from 0 to 120"},
      {"{\"answers\":{\"sex\":\"mael\"}}", "key 'sex' expects \"female\", \"male\" or \"other\""},
      {"{\"answers\":{\"sex\":\"mael\"}}", "did you mean \"male\"?"},
      {"{\"answers\":{\"sex\":true}}", "key 'sex' expects"},
      {"{\"answers\":{},\"unanswered_means\":\"yes\"}", "key 'unanswered_means' expects"},
      {"{\"id\":[1],\"answers\":{}}", "key 'id' expects a string"},
      {"{\"id\":\"\",\"answers\":{}}", "key 'id' must be 1 to"},
  };
  struct tcase c;
  char err[512];
  case_init(&c, K);
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    int rc = parse(bad[i].json, &c, err, sizeof err);
    if (rc != -1 || !strstr(err, bad[i].want)) {
      printf("  case %s: rc=%d err='%s', want '%s'\n", bad[i].json, rc, err, bad[i].want);
      failures++;
    }
    CHECK(c.id != NULL); /* an error record always has an id */
  }
  case_free(&c);
}

/* The fast path (fastcase.c) either declines or gives exactly what the reference reader
 * gives; here on the plain shapes it must accept and on every kind it must decline. */
static void test_fastcase_agrees(void) {
  static const struct {
    int fast; /* 1: the fast path must settle it */
    const char *json;
  } in[] = {
      {1, "{\"id\":\"x1\",\"answers\":{\"age\":67,\"sex\":\"male\",\"fever\":\"yes\","
          "\"collapse\":false,\"leg_pain\":null,\"limp\":\"unknown\",\"runner\":\"no\"},"
          "\"unanswered_means\":\"no\"}"},
      {1, "{\"answers\":{}}"},                                 /* default id */
      {1, "\n  {\"answers\":{\"fever\":true}}\n"},              /* a case file's layout */
      {1, "{\"id\":-42,\"answers\":{\"age\":0}}"},         /* a number id */
      {1, "{ \"answers\" : { \"age\" : -0 } , \"unanswered_means\" : \"unknown\" }"},
      {1, "{\"note\":\"caf\xc3\xa9\",\"flag\":true,\"n\":null,\"k\":7,\"answers\":{}}"},
      {1, "{\"id\":\"\xe2\x9c\x93\",\"answers\":{\"sex\":\"other\",\"age\":120}}"},
      {0, "{\"id\":\"a\\u0062\",\"answers\":{}}"},          /* an escape */
      {0, "{\"answers\":{\"fev\\u0065r\":true}}"},
      {0, "\xef\xbb\xbf{\"answers\":{}}"},                       /* byte-order mark */
      {0, "{\"answers\":{\"fever\":true,\"fever\":false}}"},  /* duplicates */
      {0, "{\"id\":\"a\",\"id\":\"b\",\"answers\":{}}"},
      {0, "{\"answers\":{},\"answers\":{}}"},
      {0, "{\"x\":1,\"x\":2,\"answers\":{}}"},
      {0, "{\"answers\":{},\"unanswered_means\":\"no\",\"unanswered_means\":\"no\"}"},
      {0, "{\"meta\":{\"a\":1},\"answers\":{}}"},            /* nested, ignored value */
      {0, "{\"meta\":1.5,\"answers\":{}}"},
      {0, "{\"answers\":{\"age\":99999999999999999999}}"},     /* beyond 64 bits */
      {0, "{\"answers\":{\"age\":1e2}}"},
      {0, "{\"answers\":{\"fever\":true}} {}"},                 /* trailing text */
      {0, "{\"answers\":{\"fever\":\"a\tb\"}}"},              /* raw control character */
      {0, "{\"answers\":{\"sex\":\"\xc0\xae\"}}"},            /* overlong UTF-8 */
      {0, "{\"answers\":{\"fever\":tru}}"},
      {0, "[{\"answers\":{}}]"},
  };
  struct tcase f, r;
  char err[512];
  case_init(&f, K);
  case_init(&r, K);
  struct fastcase *fc = fastcase_new();
  for (size_t i = 0; i < sizeof in / sizeof in[0]; i++) {
    int got = fastcase_read(fc, K, in[i].json, strlen(in[i].json), &f, "default-id");
    if (got != in[i].fast) {
      printf("  fast path %s %s\n", got ? "settled" : "declined", in[i].json);
      failures++;
    }
    if (!got) continue;
    CHECK(parse(in[i].json, &r, err, sizeof err) == 0);
    CHECK(case_same(K, &f, &r));
  }
  /* Every invalid case of test_case_errors is declined. */
  static const char *const invalid[] = {
      "{\"id\":\"a\"}", "{\"answers\":[]}", "{\"answers\":{\"fevr\":true}}",
      "{\"answers\":{\"fever\":3}}", "{\"answers\":{\"fever\":\"maybe\"}}",
      "{\"answers\":{\"age\":150}}", "{\"answers\":{\"age\":-1}}",
      "{\"answers\":{\"age\":40.5}}", "{\"answers\":{\"age\":\"40\"}}",
      "{\"answers\":{\"sex\":\"mal\"}}", "{\"answers\":{\"sex\":true}}",
      "{\"answers\":{},\"unanswered_means\":\"yes\"}", "{\"id\":[1],\"answers\":{}}",
      "{\"id\":\"\",\"answers\":{}}", "{\"id\":1.5,\"answers\":{}}",
  };
  for (size_t i = 0; i < sizeof invalid / sizeof invalid[0]; i++) {
    if (fastcase_read(fc, K, invalid[i], strlen(invalid[i]), &f, "d")) {
      printf("  fast path settled an invalid case: %s\n", invalid[i]);
      failures++;
    }
    CHECK(f.id == NULL); /* declined: cleared */
  }
  fastcase_free(fc);
  fastcase_free(NULL);
  case_free(&f);
  case_free(&r);
}

static enum level eval_text(struct engine *e, const char *json, struct result *r) {
  struct tcase c;
  char err[512];
  case_init(&c, K);
  int rc = parse(json, &c, err, sizeof err);
  CHECK(rc == 0);
  rc = engine_eval(e, &c, MODE_EVAL, 0, r);
  if (rc) printf("  engine: %s\n", r->error);
  CHECK(rc == 0);
  case_free(&c);
  return r->disposition;
}

static int has_concern(const struct result *r, const char *id) {
  for (int i = 0; i < r->nconcerns; i++)
    if (!strcmp(K->c[r->concerns[i].concern].id, id)) return 1;
  return 0;
}

static void test_engine_levels(void) {
  struct engine *e = engine_open(K, "rules", ENGINE_DIALOGUE);
  struct result r;
  CHECK(e != NULL);
  if (!e) return;
  result_init(&r, K);
  CHECK(eval_text(e, "{\"answers\":{\"fever\":true},\"unanswered_means\":\"no\"}", &r) == LV_URGENT);
  CHECK(has_concern(&r, "infection"));
  /* no answers at all: nobody is cleared */
  CHECK(eval_text(e, "{\"answers\":{}}", &r) == LV_INCOMPLETE);
  CHECK(r.nask >= 17);
  /* the pulsating mass with collapse: emergency, and nothing more to ask */
  CHECK(eval_text(e, "{\"answers\":{\"abdominal_pulsation\":true,\"collapse\":true}}", &r) == LV_EMERGENCY);
  CHECK(has_concern(&r, "aaa_rupture"));
  /* `ask` names the open red flags whatever the disposition (revision 2, principle 6) */
  CHECK(r.nask > 0 && r.ask[0].question == kb_question(K, "age"));
  /* age boundaries: flank pain at 54 is a stone, at 55 also an aneurysm */
  CHECK(eval_text(e, "{\"answers\":{\"age\":54,\"sex\":\"male\",\"flank_pain_waves\":true},\"unanswered_means\":\"no\"}", &r) == LV_URGENT);
  CHECK(!has_concern(&r, "aaa") && has_concern(&r, "kidney_stone"));
  CHECK(eval_text(e, "{\"answers\":{\"age\":55,\"sex\":\"male\",\"flank_pain_waves\":true},\"unanswered_means\":\"no\"}", &r) == LV_URGENT);
  CHECK(has_concern(&r, "aaa"));
  /* an evaluation leaves nothing behind for the next one */
  CHECK(eval_text(e, "{\"answers\":{\"age\":30,\"sex\":\"male\"},\"unanswered_means\":\"no\"}", &r) == LV_PROCEED);
  CHECK(r.nconcerns == 0 && r.nask == 0);
  result_free(&r);
  engine_close(e);
}

/* The host functions the rules compare levels with (src/engine.c), called from a probe
 * rule: each test that must hold opens the way to concern young_patient, the one that
 * must not to femoral_bursitis (neither fires otherwise for this case). */
static void test_engine_host_functions(void) {
  CHECK(system("rm -rf build/rules-probe && cp -r rules build/rules-probe && "
               "rm -f build/rules-probe/*.bin && "
               "printf '%s\\n' "
               "'(defrule CONCERNS::probe-holds \"[A] unit test\" (finding (id fever) (value yes))' "
               "'  (test (concern-at-least aaa_rupture emergency))' "
               "'  (test (concern-at-least kidney_stone urgent))' "
               "'  (test (concern-at-least kidney_stone proceed))' "
               "'  (test (concern-at-least not_in_the_kb emergency))' "
               "'  (test (eq (most-severe-concern-level) proceed))' "
               "'  => (assert (concern (id young_patient) (because probe))))' "
               "'(defrule CONCERNS::probe-fails \"[A] unit test\" (finding (id fever) (value yes))' "
               "'  (test (concern-at-least kidney_stone emergency))' "
               "'  => (assert (concern (id femoral_bursitis) (because probe))))' "
               "> build/rules-probe/99-probe.clp") == 0);
  struct engine *e = engine_open(K, "build/rules-probe", ENGINE_EVAL);
  struct result r;
  CHECK(e != NULL);
  if (!e) return;
  result_init(&r, K);
  /* fever alone: infection (urgent); the probes decide the rest */
  CHECK(eval_text(e, "{\"answers\":{\"fever\":true},\"unanswered_means\":\"no\"}", &r) == LV_URGENT);
  CHECK(has_concern(&r, "young_patient"));
  CHECK(!has_concern(&r, "femoral_bursitis"));
  result_free(&r);
  engine_close(e);
}

static void test_engine_bad_rules(void) {
  /* A rule file with an undefined variable must fail to load (never half-loaded). */
  CHECK(system("rm -rf build/rules-broken && cp -r rules build/rules-broken && "
               "printf '(defrule CONCERNS::oops \"[A] x\" (finding (id fever)) => (assert (concern (id infection) (because ?nope))))\\n' "
               "> build/rules-broken/99-oops.clp") == 0);
  fprintf(stderr, "(expected error follows)\n");
  struct engine *e = engine_open(K, "build/rules-broken", ENGINE_DIALOGUE);
  CHECK(e == NULL);
  engine_close(e);
  engine_close(NULL);
}

static void test_output_escaping(void) {
  struct engine *e = engine_open(K, "rules", ENGINE_DIALOGUE);
  struct result r;
  struct tcase c;
  char err[512];
  strbuf b = {0};
  result_init(&r, K);
  case_init(&c, K);
  CHECK(parse("{\"id\":\"a\\\"b,c\\n(assert (concern (id aaa_rupture)))\",\"answers\":{\"age\":30,"
              "\"sex\":\"male\"},\"unanswered_means\":\"no\"}", &c, err, sizeof err) == 0);
  CHECK(engine_eval(e, &c, MODE_EVAL, 0, &r) == 0);
  CHECK(r.disposition == LV_PROCEED);
  out_record(&b, FMT_CSV, K, c.id, &r, NULL, 0);
  CHECK(strncmp(b.s, "\"a\"\"b,c\xef\xbf\xbd(assert", 17) == 0); /* the line break as U+FFFD: one line */
  sb_clear(&b);
  out_record(&b, FMT_JSONL, K, c.id, &r, NULL, 0);
  json_error_t je;
  json_t *j = json_loads(b.s, 0, &je);
  CHECK(j && !strcmp(json_string_value(json_object_get(j, "id")), c.id));
  CHECK(j && !strcmp(json_string_value(json_object_get(j, "disposition")), "proceed"));
  json_decref(j);
  sb_free(&b);
  case_free(&c);
  result_free(&r);
  engine_close(e);
}

/* The hand-written JSON Lines records are byte-identical to jansson's json_dumps of
 * result_json(), on every vignette-like case here and on strings full of escapes, except
 * that the characters a person is not shown (DEL, C1, U+2028...) are escaped, which
 * jansson leaves raw: the same JSON; bytes that are not UTF-8 become U+FFFD and the
 * record still parses. */
static void test_output_matches_jansson(void) {
  struct engine *e = engine_open(K, "rules", ENGINE_DIALOGUE);
  struct result r;
  struct tcase c;
  char err[512];
  strbuf b = {0};
  CHECK(e != NULL);
  if (!e) return;
  result_init(&r, K);
  case_init(&c, K);
  static const char *const cases[] = {
      "{\"id\":\"q\\\"\\\\/\\u0001\\u001f\\u007f\\b\\f\\n\\r\\t\\u00e9\\u2028\\ud83d\\ude00\",\"answers\":{}}",
      "{\"id\":7,\"answers\":{\"abdominal_pulsation\":true,\"collapse\":true}}",
      "{\"answers\":{\"age\":72,\"sex\":\"male\",\"flank_pain_waves\":true,\"fever\":true,"
      "\"painful_urination\":true,\"low_back_pain\":true,\"diabetes\":true},\"unanswered_means\":\"no\"}",
      "{\"answers\":{\"age\":30,\"sex\":\"female\",\"runner\":true,\"si_dysfunction\":true,"
      "\"low_back_pain\":true,\"pain_on_rising\":true,\"athlete\":true},\"unanswered_means\":\"no\"}",
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    CHECK(parse(cases[i], &c, err, sizeof err) == 0);
    CHECK(engine_eval(e, &c, MODE_EVAL, 0, &r) == 0);
    sb_clear(&b);
    out_record(&b, FMT_JSONL, K, c.id, &r, NULL, 0);
    json_t *o = result_json(K, c.id, &r);
    char *want = json_dumps(o, JSON_COMPACT);
    json_error_t je;
    json_t *got = json_loads(b.s, 0, &je);
    CHECK(got && json_equal(got, o));
    json_decref(got);
    if (i == 0) { /* DEL and U+2028, which jansson leaves raw */
      CHECK(strstr(b.s, "\\u007F") && strstr(b.s, "\\u2028") && strchr(want, 0x7f) &&
            strstr(want, "\xe2\x80\xa8"));
    } else {
      CHECK(want && b.len == strlen(want) + 1 && !strncmp(b.s, want, b.len - 1) &&
            b.s[b.len - 1] == '\n');
      if (want && strncmp(b.s, want, strlen(want))) printf("  got  %s  want %s\n", b.s, want);
    }
    free(want);
    json_decref(o);
    sb_clear(&b);
    out_record(&b, FMT_JSONL, K, c.id, NULL, "a \"quoted\"\tmessage\x01", 0);
    o = json_pack("{s:s,s:s,s:s,s:s}", "id", c.id, "error", "a \"quoted\"\tmessage\x01", "program",
                  PROGNAME " " PSOAS_VERSION, "knowledge", K->knowledge);
    want = json_dumps(o, JSON_COMPACT);
    got = json_loads(b.s, 0, &je);
    CHECK(got && json_equal(got, o));
    json_decref(got);
    CHECK(i == 0 || (want && !strncmp(b.s, want, strlen(want)) && !strcmp(b.s + strlen(want), "\n")));
    free(want);
    json_decref(o);
  }
  /* every single byte, and every pair of bytes, alone in a string: the same as jansson
   * where jansson accepts the string (but for DEL, C1 controls and U+061C, escaped here:
   * the same string); otherwise valid JSON with U+FFFD */
  for (int i = 1; i < 256 * 256; i++) {
    char in[3] = {(char)(i & 255), (char)(i >> 8), 0};
    if (!in[0]) continue;
    sb_clear(&b);
    out_json_string(&b, in);
    json_t *s = json_string(in);
    const unsigned char *u = (const unsigned char *)in; /* DEL, a C1 control or U+061C */
    int hidden = memchr(in, 0x7f, 2) || (u[0] == 0xc2 && u[1] < 0xa0) || (u[0] == 0xd8 && u[1] == 0x9c);
    if (s && hidden) {
      json_error_t je;
      json_t *back = json_loads(b.s, JSON_DECODE_ANY, &je);
      if (!back || !json_equal(back, s) || !strstr(b.s, "\\u")) {
        printf("  bytes %02x %02x: got %s, not the string escaped\n", i & 255, i >> 8, b.s);
        failures++;
      }
      json_decref(back);
      json_decref(s);
    } else if (s) {
      char *want = json_dumps(s, JSON_ENCODE_ANY | JSON_COMPACT);
      if (strcmp(b.s, want)) {
        printf("  bytes %02x %02x: got %s want %s\n", i & 255, i >> 8, b.s, want);
        failures++;
      }
      free(want);
      json_decref(s);
    } else {
      json_error_t je;
      json_t *back = json_loads(b.s, JSON_DECODE_ANY, &je);
      if (!back || !strstr(json_string_value(back), "\xef\xbf\xbd")) {
        printf("  bytes %02x %02x: %s does not parse back with U+FFFD\n", i & 255, i >> 8, b.s);
        failures++;
      }
      json_decref(back);
    }
  }
  /* longer UTF-8 forms: 3- and 4-byte sequences, overlong, surrogates, past U+10FFFF */
  static const char *const seqs[] = {"\xe2\x82\xac", "\xf0\x9f\x98\x80", "\xe0\x80\xaf",
                                     "\xed\xa0\x80", "\xf4\x90\x80\x80", "\xf0\x8f\xbf\xbf",
                                     "a\xe2\x82", "\xf4\x8f\xbf\xbfz"};
  for (size_t i = 0; i < sizeof seqs / sizeof seqs[0]; i++) {
    sb_clear(&b);
    out_json_string(&b, seqs[i]);
    json_t *s = json_string(seqs[i]);
    json_error_t je;
    json_t *back = json_loads(b.s, JSON_DECODE_ANY, &je);
    CHECK(back != NULL);
    if (s) CHECK(back && !strcmp(json_string_value(back), seqs[i]));
    else CHECK(back && strstr(json_string_value(back), "\xef\xbf\xbd"));
    json_decref(s);
    json_decref(back);
  }
  sb_free(&b);
  case_free(&c);
  result_free(&r);
  engine_close(e);
}

static void test_util(void) {
  CHECK(edit_distance("fever", "fevr", 5) == 1);
  CHECK(edit_distance("kitten", "sitting", 5) == 3);
  CHECK(edit_distance("abc", "xyzxyzxyz", 2) == 3);
  const char *words[] = {"female", "male", "other"};
  CHECK(!strcmp(closest_word("femal", words, 3), "female"));
  CHECK(closest_word("zzzzzz", words, 3) == NULL);
  strbuf b = {0};
  for (int i = 0; i < 1000; i++) sb_printf(&b, "%d,", i);
  CHECK(b.len == 3890 && b.s[b.len] == '\0');
  sb_free(&b);
  sb_free(NULL);
}

/* Typed dialogue answers go through the same validation as case files. */
static void test_typed_answers(void) {
  static const struct {
    const char *q, *text;
    int ok;
    unsigned char state;
    long value;
  } t[] = {
      {"fever", "y", 1, ANS_YES, 0},        {"fever", " YES ", 1, ANS_YES, 0},
      {"fever", "n", 1, ANS_NO, 0},         {"fever", "?", 1, ANS_UNKNOWN, 0},
      {"fever", "don't know", 1, ANS_UNKNOWN, 0}, {"fever", "maybe", 0, 0, 0},
      {"fever", "", 0, 0, 0},               {"fever", "1", 0, 0, 0},
      {"age", "47", 1, ANS_VALUE, 47},      {"age", "150", 0, 0, 0},
      {"age", "-1", 0, 0, 0},               {"age", "4x", 0, 0, 0},
      {"age", "99999999999999999999", 0, 0, 0}, {"age", "dk", 1, ANS_UNKNOWN, 0},
      {"sex", "Female", 1, ANS_VALUE, 0},   {"sex", "fe", 1, ANS_VALUE, 0},
      {"sex", "m", 1, ANS_VALUE, 1},        {"sex", "o", 1, ANS_VALUE, 2},
      {"sex", "x", 0, 0, 0},                {"sex", "y", 0, 0, 0},
  };
  for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
    struct answer a = {ANS_NONE, -7};
    char err[256] = "";
    int rc = case_parse_answer(K, kb_question(K, t[i].q), t[i].text, &a, err, sizeof err);
    if ((rc == 0) != t[i].ok || (t[i].ok && (a.state != t[i].state || a.value != t[i].value)) ||
        (!t[i].ok && (a.state != ANS_NONE || !*err))) {
      printf("  %s: \"%s\": rc %d state %d value %ld err %s\n", t[i].q, t[i].text, rc, a.state, a.value, err);
      failures++;
    }
  }
}

/* The letter's one escaping function: the five markup characters as entities, control
 * characters (tab and newline too), C1 controls, line separators, bidi marks and bytes
 * that are not UTF-8 as U+FFFD, everything else as it is; and a
 * letter with every value hostile holds no markup but the templates' own, and every
 * placeholder of web/ is filled. */
static void test_letter_escaping(void) {
  static const struct {
    const char *in, *out;
  } t[] = {
      {"plain", "plain"},
      {"<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;"},
      {"a&b \"c\" 'd'", "a&amp;b &quot;c&quot; &#39;d&#39;"},
      {"tab\tnew\nline\r\x01\x7f", "tab\xef\xbf\xbdnew\xef\xbf\xbdline\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"},
      {"c1 \xc2\x9b\xc2\x85 ok \xc2\xa0", "c1 \xef\xbf\xbd\xef\xbf\xbd ok \xc2\xa0"},
      {"\xe2\x80\xae" "DEECORP\xe2\x80\xa8\xe2\x81\xa6\xe2\x80\x8f\xd8\x9c", "\xef\xbf\xbd" "DEECORP\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"},
      {"\xe2\x80\x94 \xe2\x80\xaf \xe2\x81\xaa \xf0\x9f\x98\x80", "\xe2\x80\x94 \xe2\x80\xaf \xe2\x81\xaa \xf0\x9f\x98\x80"},
      {"38 \xc2\xb0" "C \xe2\x80\x94 ok", "38 \xc2\xb0" "C \xe2\x80\x94 ok"},
      {"bad \xff\xc0\x80 \xed\xa0\x80", "bad \xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd \xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"},
      {"", ""},
  };
  for (size_t i = 0; i < sizeof t / sizeof *t; i++) {
    strbuf b = {0};
    letter_escape(&b, t[i].in);
    if (strcmp(b.s ? b.s : "", t[i].out)) {
      printf("  letter_escape(\"%s\") = \"%s\"\n", t[i].in, b.s ? b.s : "");
      failures++;
    }
    sb_free(&b);
  }

  struct engine *e = engine_open(K, "rules", ENGINE_DIALOGUE);
  struct letterhead *h = letter_open("kb");
  struct result r;
  struct tcase c;
  char err[512];
  strbuf b = {0};
  result_init(&r, K);
  case_init(&c, K);
  CHECK(h != NULL);
  CHECK(parse("{\"id\":\"<b onload='x'>&\",\"answers\":{\"age\":70,\"sex\":\"male\","
              "\"abdominal_pulsation\":true,\"groin_pain\":true}}", &c, err, sizeof err) == 0);
  CHECK(engine_eval(e, &c, MODE_EVAL, 0, &r) == 0);
  letter_begin(&b);
  out_case(&b, FMT_LETTER, K, h, &c, &r, 0);
  out_record(&b, FMT_LETTER, K, "<i>", NULL, "err <u>", 0);
  letter_end(&b);
  CHECK(strstr(b.s, "{{") == NULL);
  CHECK(strstr(b.s, "<b ") == NULL && strstr(b.s, "<i>") == NULL && strstr(b.s, "<u>") == NULL);
  CHECK(strstr(b.s, "&lt;b onload=&#39;x&#39;&gt;&amp;") != NULL);
  CHECK(strstr(b.s, "class=\"site on\"") != NULL);
  CHECK(strstr(b.s, "pulsing lump in the belly") != NULL);
  sb_free(&b);
  letter_close(h);
  letter_close(NULL);
  case_free(&c);
  result_free(&r);
  engine_close(e);
}

/* out_json writes a jansson value as the JSON Lines writer does (key order, escaping,
 * numbers as jansson); fhir_uuid gives a version-8 UUID of the type and the id. */
static void test_fhir_writing(void) {
  struct engine *e = engine_open(K, "rules", ENGINE_DIALOGUE);
  struct result r;
  struct tcase c;
  char err[512], a[37], a2[37], b2[37];
  strbuf b = {0}, w = {0};
  CHECK(e != NULL);
  if (!e) return;
  result_init(&r, K);
  case_init(&c, K);
  CHECK(parse("{\"id\":\"q\\u007f\\u2028\\n\",\"answers\":{\"abdominal_pulsation\":true,\"age\":70}}", &c,
              err, sizeof err) == 0);
  CHECK(engine_eval(e, &c, MODE_EVAL, 0, &r) == 0);
  json_t *o = result_json(K, c.id, &r);
  out_json(&b, o);
  out_record(&w, FMT_JSONL, K, c.id, &r, NULL, 0);
  CHECK(b.len + 1 == w.len && !strncmp(b.s, w.s, b.len));
  json_decref(o);
  sb_clear(&b);
  o = json_pack("{s:i,s:b,s:n,s:[s,f],s:{}}", "n", -3, "t", 1, "z", "a", "x\"y", 0.5, "o");
  out_json(&b, o);
  CHECK(!strcmp(b.s, "{\"n\":-3,\"t\":true,\"z\":null,\"a\":[\"x\\\"y\",0.5],\"o\":{}}"));
  json_decref(o);
  sb_clear(&b);
  out_record(&b, FMT_FHIR, K, c.id, &r, NULL, 0);
  json_error_t je;
  o = json_loads(b.s, 0, &je);
  CHECK(o && !strcmp(json_string_value(json_object_get(json_object_get(o, "identifier"), "value")), c.id));
  CHECK(b.len && memchr(b.s, '\n', b.len) == b.s + b.len - 1);
  json_decref(o);
  fhir_uuid(a, "RiskAssessment", "dev-02");
  fhir_uuid(a2, "RiskAssessment", "dev-02");
  fhir_uuid(b2, "ServiceRequest", "dev-02");
  CHECK(strlen(a) == 36 && !strcmp(a, a2) && strcmp(a, b2) && a[8] == '-' && a[14] == '8' &&
        strchr("89ab", a[19]));
  sb_free(&b);
  sb_free(&w);
  case_free(&c);
  result_free(&r);
  engine_close(e);
}

/* fastjson_load_file gives json_load_file's tree for every knowledge file, and for text
 * it declines (or that is not JSON) jansson's own result and error. */
static void load_both(const char *path, json_t **fast, json_t **ref, json_error_t *fe, json_error_t *re) {
  *fast = fastjson_load_file(path, JSON_REJECT_DUPLICATES, fe);
  *ref = json_load_file(path, JSON_REJECT_DUPLICATES, re);
}

static void test_fastjson_agrees(void) {
  static const char *const files[] = {"questions", "concerns", "precautions", "indications", "levels",
                                      "sources", "screen", "principles", "clinic"};
  for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
    char path[64];
    snprintf(path, sizeof path, "kb/%s.json", files[i]);
    json_t *fast, *ref;
    json_error_t fe, re;
    load_both(path, &fast, &ref, &fe, &re);
    CHECK(ref != NULL && fast != NULL && json_equal(fast, ref));
    json_decref(fast);
    json_decref(ref);
  }
  static const char *const texts[] = {
      "{\"a\": [1, -2, 3.5, 1e3, true, false, null, \"x\", {}, []], \"b\": {\"c\": \"d\"}}",
      "[{\"k\": 1}, {\"k\": 2}]",
      "{\"a\": 1, \"a\": 2}",                        /* a duplicate key */
      "{\"a\": 9223372036854775807, \"b\": -9223372036854775808}",
      "{\"a\": 9223372036854775808}",                  /* past jansson's integers */
      "{\"a\": 1e400}",                                /* a real that overflows */
      "{\"a\": \"\\u0000\"}",                      /* an escaped NUL */
      "{\"a\": \"\\ud800\"}",                      /* a lone surrogate */
      "{\"a\": \"tab\there\"}",                      /* a raw control byte in a string */
      "\xef\xbb\xbf{\"a\": 1}",                       /* a byte-order mark */
      "{\"a\": \"\xc3\x28\"}",                       /* invalid UTF-8 */
      "42", "\"s\"", "", "{", "{\"a\": 1} x", "{\"a\": [1,]}", "{\"a\":\n 01}",
  };
  for (size_t i = 0; i < sizeof texts / sizeof *texts; i++) {
    const char *path = "build/fastjson-test.json";
    FILE *f = fopen(path, "wb");
    CHECK(f != NULL);
    if (!f) return;
    fputs(texts[i], f);
    fclose(f);
    json_t *fast, *ref;
    json_error_t fe, re;
    load_both(path, &fast, &ref, &fe, &re);
    int same = (!fast && !ref) ? fe.line == re.line && !strcmp(fe.text, re.text)
                               : fast && ref && json_equal(fast, ref);
    if (!same) printf("  text %zu: fast %s (%s:%d), reference %s (%s:%d)\n", i, fast ? "read it" : fe.text, fe.source, fe.line, ref ? "read it" : re.text, re.source, re.line);
    CHECK(same);
    json_decref(fast);
    json_decref(ref);
  }
  json_error_t e;
  CHECK(fastjson_load_file("build/no-such-file.json", JSON_REJECT_DUPLICATES, &e) == NULL && strstr(e.text, "No such file"));
}

static const struct {
  const char *name;
  void (*fn)(void);
} tests[] = {
#define T(x) {#x, test_##x}
    T(kb_loads),       T(kb_rejects_broken), T(when_conditions), T(case_values),
    T(case_errors),    T(fastcase_agrees),   T(engine_levels),     T(engine_host_functions), T(engine_bad_rules), T(output_escaping),
    T(output_matches_jansson), T(util),      T(typed_answers),     T(letter_escaping),
    T(fhir_writing),   T(fastjson_agrees),
};

int main(int argc, char **argv) {
  size_t n = sizeof tests / sizeof tests[0];
  if (argc > 1 && !strcmp(argv[1], "--list")) {
    for (size_t i = 0; i < n; i++) printf("%s\n", tests[i].name);
    return 0;
  }
  K = kb_load("kb");
  int total = 0;
  for (size_t i = 0; i < n; i++) {
    int want = argc == 1;
    for (int a = 1; a < argc; a++)
      if (!strcmp(argv[a], tests[i].name)) want = 1;
    if (!want) continue;
    int before = failures;
    tests[i].fn();
    printf("%s %s\n", failures == before ? "ok  " : "FAIL", tests[i].name);
    total++;
  }
  kb_free(K);
  if (total == 0) {
    printf("no such test\n");
    return 2;
  }
  return failures ? 1 : 0;
}
