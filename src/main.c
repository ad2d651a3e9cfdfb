/* main.c -- the command line: one table of commands, options, data directories.
 *
 * main() only parses the global options, finds the command and maps its status to the
 * exit code; each command is its own function. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "batch.h"
#include "commands.h"
#include "engine.h"
#include "intake.h"
#include "kb.h"
#include "serve.h"
#include "util.h"

#ifndef PSOAS_VERSION
#define PSOAS_VERSION "0.1.0"
#endif
#ifndef PSOAS_DATADIR
#define PSOAS_DATADIR "/usr/local/share/psoas-triage"
#endif

static const struct command commands[] = {
    {"intake", cmd_intake, "[--therapist] [--show-ids] [--save FILE] [--resume FILE]",
     "guided intake questionnaire (interactive; one answer per line when piped)"},
    {"screen", cmd_screen, "[--show-ids] [--save FILE] [--resume FILE]",
     "front-desk screen: red flags first, as few questions as possible"},
    {"eval", cmd_eval, "[--format jsonl|text|csv|letter|fhir] [--jobs N] [--summary[=json]] [--progress|--no-progress] [--show-ids] [FILE|DIR|-]...",
     "evaluate case files, directories of them, or JSON Lines on stdin ('-')"},
    {"serve", cmd_serve, "[--listen ADDR:PORT] [--cases DIR] [--token-file FILE] [--tls-cert FILE --tls-key FILE] [--threads N]",
     "the intake, the front-desk screen and the cases as web pages, and a JSON API"},
    {"check", cmd_check, "[--image FILE]",
     "validate rules/ and kb/ together (--image: also write the rules' binary image)"},
    {"questions", cmd_questions, "", "print the question catalogue"},
    {"knowledge", cmd_knowledge, "",
     "print the whole clinical table (Markdown) for a clinician to review: doc/knowledge.md"},
    {"fhir", cmd_fhir, "questionnaire",
     "print the question catalogue as a FHIR R4 Questionnaire (JSON)"},
    {NULL, NULL, NULL, NULL}};

static void usage(FILE *f) {
  fprintf(f, "usage: %s [--rules DIR] [--kb DIR] COMMAND [ARGS]\n\n"
             "Triage for psoas (iliopsoas) syndrome and the serious conditions that mimic it:\n"
             "a referral recommendation plus the disclaimer.  Not a diagnosis.\n\ncommands:\n",
          PROGNAME);
  for (const struct command *c = commands; c->name; c++)
    fprintf(f, "  %s %s\n      %s\n", c->name, c->args, c->help);
  fprintf(f, "\noptions:\n"
             "  --rules DIR   rule files (*.clp) to load instead of the installed ones\n"
             "  --kb DIR      knowledge base (questions, concerns, disclaimer) to use\n"
             "  --help        this text\n  --version     the version\n\n"
             "exit status: 0 ok, 64 usage, 65 invalid case data, 66 input missing,\n"
             "             70 rules/kb failed to load or the engine failed, 74 output error;\n"
             "             intake/screen: 75 stopped before the end (answers saved), 130 Ctrl-C\n");
}

/* Flushes standard output, fsync()s it when it is a file (results that a power cut can
 * lose are not written yet) and closes its descriptor (where NFS reports a failed
 * write).  The stream itself stays open, empty, so that report() may still flush it.
 * Returns 0, or -1 with errno set. */
static int close_stdout(void) {
  struct stat st;
  int rc = fflush(stdout);
  if (rc == 0 && ferror(stdout)) { /* an earlier write failed, its errno is gone */
    rc = -1;
    errno = EIO;
  }
  if (rc == 0 && fstat(STDOUT_FILENO, &st) == 0 && S_ISREG(st.st_mode)) rc = fsync(STDOUT_FILENO);
  int e = errno;
  if (close(STDOUT_FILENO) != 0 && rc == 0) return -1;
  errno = e;
  return rc ? -1 : 0;
}

static int is_dir(const char *p) {
  struct stat st;
  return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

/* The data directory `what` ("rules" or "kb"): beside the executable (the build tree),
 * else ../share/psoas-triage/ relative to it (an installed tree), else the compiled-in
 * PSOAS_DATADIR.  Caller frees. */
static char *data_dir(const char *what) {
  char exe[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
  if (n > 0) {
    exe[n] = '\0';
    char *slash = strrchr(exe, '/');
    if (slash) *slash = '\0';
    char *p = xasprintf("%s/%s", exe, what);
    if (is_dir(p)) return p;
    free(p);
    p = xasprintf("%s/../share/psoas-triage/%s", exe, what);
    if (is_dir(p)) return p;
    free(p);
  }
  return xasprintf("%s/%s", PSOAS_DATADIR, what);
}

int main(int argc, char **argv) {
  struct ctx ctx = {0};
  char *rules = NULL, *kbdir = NULL;
  int i = 1;
  for (; i < argc && argv[i][0] == '-' && argv[i][1] == '-'; i++) {
    const char *a = argv[i];
    if (!strcmp(a, "--help")) {
      usage(stdout);
      return fclose(stdout) ? EXIT_IOERR : EXIT_OK;
    } else if (!strcmp(a, "--version")) {
      printf("%s %s\n", PROGNAME, PSOAS_VERSION);
      return fclose(stdout) ? EXIT_IOERR : EXIT_OK;
    } else if ((!strcmp(a, "--rules") || !strcmp(a, "--kb")) && i + 1 < argc) {
      char **slot = a[2] == 'r' ? &rules : &kbdir;
      free(*slot);
      *slot = xstrdup(argv[++i]);
    } else {
      break; /* a command's own option, e.g. eval --rules after the command */
    }
  }
  if (i >= argc) {
    usage(stderr);
    return EXIT_USAGE;
  }
  const struct command *cmd = NULL;
  for (const struct command *c = commands; c->name; c++)
    if (!strcmp(argv[i], c->name)) cmd = c;
  if (!cmd) {
    report("unknown command '%s' (try '%s --help')", argv[i], PROGNAME);
    free(rules);
    free(kbdir);
    return EXIT_USAGE;
  }
  for (int j = i + 1; j < argc && strcmp(argv[j], "--"); j++)
    if (!strcmp(argv[j], "--help") || !strcmp(argv[j], "-h")) {
      printf("usage: %s %s %s\n\n%s.\n\nAlso: --rules DIR, --kb DIR (other knowledge); see `%s --help` and\n"
             "`man %s` for the exit statuses.\n",
             PROGNAME, cmd->name, cmd->args, cmd->help, PROGNAME, PROGNAME);
      free(rules);
      free(kbdir);
      return fclose(stdout) ? EXIT_IOERR : EXIT_OK;
    }
  ctx.rules_dir = rules ? rules : data_dir("rules");
  ctx.kb_dir = kbdir ? kbdir : data_dir("kb");
  ctx.cmd = cmd;
  int status = cmd->run(&ctx, argc - i, argv + i);
  int said = status == EXIT_IOERR && ferror(stdout); /* the command reported it */
  if (close_stdout() != 0) {
    if (!said) report("standard output: %s", strerror(errno));
    status = EXIT_IOERR;
  }
  kb_free(ctx.k);
  free(ctx.rules_dir);
  free(ctx.kb_dir);
  return status;
}
