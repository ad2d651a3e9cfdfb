/* commands.h -- the command table's handlers.  Each takes the shared context and its
 * own argv (argv[0] is the command name) and returns an exit status. */
#ifndef PSOAS_COMMANDS_H
#define PSOAS_COMMANDS_H

#include "kb.h"

struct command;

struct ctx {
  char *rules_dir, *kb_dir; /* owned */
  kb *k;                    /* loaded by ctx_load_kb, freed by main */
  const struct command *cmd;
};

struct command {
  const char *name;
  int (*run)(struct ctx *ctx, int argc, char **argv);
  const char *args, *help;
};

/* Loads the kb (and checks the rules directory exists) into ctx->k; returns 0 or
 * EXIT_SOFTWARE after reporting. */
int ctx_load_kb(struct ctx *ctx);
/* Parses the command's options: --rules DIR and --kb DIR are accepted after the
 * command too.  Returns 1 if argv[*i] was such an option (consumed). */
int ctx_common_option(struct ctx *ctx, int argc, char **argv, int *i);
/* "usage: psoas-triage NAME ARGS" to stderr; returns EXIT_USAGE. */
int cmd_usage(const struct ctx *ctx, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

int cmd_eval(struct ctx *ctx, int argc, char **argv);
int cmd_check(struct ctx *ctx, int argc, char **argv);
int cmd_questions(struct ctx *ctx, int argc, char **argv);
int cmd_knowledge(struct ctx *ctx, int argc, char **argv);
int cmd_fhir(struct ctx *ctx, int argc, char **argv); /* fhir.c */

#endif
