/* floor.c -- what eval's start-up cannot go below with this CLIPS: a process that creates a
 * CLIPS environment, defines the five host functions the rules call (so that the image
 * loads), loads the eval image and exits, doing nothing of psoas-triage's own.  bench.py
 * compiles it and times it beside `eval FILE` (doc/performance.md, "Start-up now"). */
#include <clips.h>

static void *level_stub(void *env) { return EnvAddSymbol(env, "proceed"); }
static int int_stub(void *env) {
  (void)env;
  return 0;
}

int main(int argc, char **argv) {
  void *env = CreateEnvironment();
  if (!env || argc != 2) return 2;
  EnvDefineFunction2(env, "concern-level", 'w', PTIEF level_stub, "level_stub", "11k");
  EnvDefineFunction2(env, "severity", 'i', PTIEF int_stub, "int_stub", "11k");
  EnvDefineFunction2(env, "more-severe", 'b', PTIEF int_stub, "int_stub", "22k");
  EnvDefineFunction2(env, "concern-at-least", 'b', PTIEF int_stub, "int_stub", "22k");
  EnvDefineFunction2(env, "most-severe-concern-level", 'w', PTIEF level_stub, "level_stub", "00");
  return EnvBload(env, argv[1]) ? 0 : 1;
}
