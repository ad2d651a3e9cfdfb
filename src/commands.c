/* commands.c -- eval, check and questions: the non-interactive commands. */
#include "commands.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "batch.h"
#include "engine.h"
#include "output.h"
#include "util.h"

int ctx_load_kb(struct ctx *ctx) {
  if (ctx->k) return 0;
  ctx->k = kb_load(ctx->kb_dir);
  if (ctx->k && kb_stamp(ctx->k, ctx->rules_dir) < 0) {
    kb_free(ctx->k);
    ctx->k = NULL;
  }
  if (ctx->k) out_prepare(ctx->k);
  return ctx->k ? 0 : EXIT_SOFTWARE;
}

int ctx_common_option(struct ctx *ctx, int argc, char **argv, int *i) {
  const char *a = argv[*i];
  if ((strcmp(a, "--rules") && strcmp(a, "--kb")) || *i + 1 >= argc) return 0;
  char **slot = a[2] == 'r' ? &ctx->rules_dir : &ctx->kb_dir;
  free(*slot);
  *slot = xstrdup(argv[++*i]);
  return 1;
}

int cmd_usage(const struct ctx *ctx, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vreport(fmt, ap);
  va_end(ap);
  fprintf(stderr, "\nusage: %s %s %s\n", PROGNAME, ctx->cmd->name, ctx->cmd->args);
  return EXIT_USAGE;
}

/* ---- eval ---------------------------------------------------------------------------------- */

int cmd_eval(struct ctx *ctx, int argc, char **argv) {
  struct batch_opts o = {.format = FMT_JSONL, .style = OUT_WIDTH(out_term_width(STDOUT_FILENO))};
  long cores = sysconf(_SC_NPROCESSORS_ONLN);
  o.jobs = cores > 0 ? (int)(cores > 64 ? 64 : cores) : 1;
  char **inputs = xcalloc((size_t)argc + 1, sizeof *inputs);
  int ninputs = 0, status;
  enum progress progress = PROGRESS_AUTO;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (!strcmp(a, "--format") && i + 1 < argc) {
      const char *f = argv[++i];
      if (!strcmp(f, "jsonl") || !strcmp(f, "json"))
        o.format = FMT_JSONL;
      else if (!strcmp(f, "text"))
        o.format = FMT_TEXT;
      else if (!strcmp(f, "csv"))
        o.format = FMT_CSV;
      else if (!strcmp(f, "letter"))
        o.format = FMT_LETTER;
      else if (!strcmp(f, "fhir"))
        o.format = FMT_FHIR;
      else {
        free(inputs);
        return cmd_usage(ctx, "--format must be jsonl, text, csv, letter or fhir, not '%s'", f);
      }
    } else if (!strcmp(a, "--jobs") && i + 1 < argc) {
      char *end;
      long n = strtol(argv[++i], &end, 10);
      if (*end || n < 1 || n > 256) {
        free(inputs);
        return cmd_usage(ctx, "--jobs takes a number from 1 to 256, not '%s'", argv[i]);
      }
      o.jobs = (int)n;
    } else if (!strcmp(a, "--summary") || !strcmp(a, "--summary=text")) {
      o.summary = SUMMARY_TEXT;
    } else if (!strcmp(a, "--summary=json")) {
      o.summary = SUMMARY_JSON;
    } else if (!strcmp(a, "--show-ids")) {
      o.style |= OUT_SHOW_IDS;
    } else if (!strcmp(a, "--progress")) {
      progress = PROGRESS_ON;
    } else if (!strcmp(a, "--no-progress")) {
      progress = PROGRESS_OFF;
    } else if (ctx_common_option(ctx, argc, argv, &i)) {
      continue;
    } else if (!strcmp(a, "--")) {
      while (++i < argc) inputs[ninputs++] = argv[i];
    } else if (a[0] == '-' && a[1]) {
      free(inputs);
      return cmd_usage(ctx, "unknown option '%s'", a);
    } else {
      inputs[ninputs++] = argv[i];
    }
  }
  if (ninputs == 0) {
    free(inputs);
    return cmd_usage(ctx, "no input: name case files, directories, or '-' for stdin");
  }
  /* More workers than cores gains nothing and costs an engine (and chunks in flight)
   * each: at most JOBS_PER_CORE per core, so memory stays bounded whatever --jobs says. */
  if (cores > 0 && o.jobs > JOBS_PER_CORE * cores) {
    report("--jobs %d: using %ld (at most %d per core; this machine has %ld)", o.jobs,
           JOBS_PER_CORE * cores, JOBS_PER_CORE, cores);
    o.jobs = (int)(JOBS_PER_CORE * cores);
  }
  if ((status = ctx_load_kb(ctx))) {
    free(inputs);
    return status;
  }
  o.k = ctx->k;
  o.rules_dir = ctx->rules_dir;
  if (o.summary == SUMMARY_JSON && o.format != FMT_JSONL) {
    free(inputs);
    return cmd_usage(ctx, "--summary=json needs JSON Lines output (use --summary with csv/text)");
  }
  /* never in pipes; automatic only when the records themselves are not on the terminal */
  o.progress = !isatty(2) || (progress == PROGRESS_AUTO && isatty(1)) ? PROGRESS_OFF : progress;
  struct letterhead *h = NULL;
  if (o.format == FMT_LETTER && !(o.letterhead = h = letter_open(ctx->k->dir))) {
    free(inputs);
    return EXIT_SOFTWARE;
  }
  engine_process_ends(); /* eval is the last thing this process does */
  status = batch_eval(&o, inputs, ninputs);
  letter_close(h);
  free(inputs);
  return status;
}

/* ---- questions ----------------------------------------------------------------------------- */

int cmd_questions(struct ctx *ctx, int argc, char **argv) {
  for (int i = 1; i < argc; i++)
    if (!ctx_common_option(ctx, argc, argv, &i)) return cmd_usage(ctx, "unknown argument '%s'", argv[i]);
  int status = ctx_load_kb(ctx);
  if (status) return status;
  const kb *k = ctx->k;
  const char *section = "";
  printf("Question catalogue (%s/questions.json): %d questions; RF = red-flag screening\n"
         "question, TS = treatment-safety question: each must be answered before anyone is\n"
         "cleared for treatment.\n",
         k->dir, k->nq);
  for (int i = 0; i < k->nq; i++) {
    const struct question *q = &k->q[i];
    if (strcmp(section, q->section)) {
      section = q->section;
      printf("\n[%s]\n", section);
    }
    char type[160];
    if (q->type == Q_INT)
      snprintf(type, sizeof type, "number %ld-%ld", q->min, q->max);
    else if (q->type == Q_CHOICE) {
      strbuf b = {0};
      for (int c = 0; c < q->nchoices; c++) sb_printf(&b, "%s%s", c ? "/" : "", q->choices[c]);
      snprintf(type, sizeof type, "%s", b.s);
      sb_free(&b);
    } else
      snprintf(type, sizeof type, "yes/no");
    printf("  %-26s %-2s %-9s %-14s %s\n", q->id, q->red_flag ? "RF" : q->safety ? "TS" : "",
           q->therapist ? "therapist" : "patient", type, q->text);
    if (q->when) {
      strbuf w = {0};
      kb_when_text(k, i, &w);
      printf("  %-26s    asked when: %s\n", "", w.s);
      sb_free(&w);
    }
  }
  return EXIT_OK;
}
