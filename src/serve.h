/* serve.h -- `psoas-triage serve`: the intake and the front-desk screen as web pages, the
 * desk's list of cases, and a JSON API, on GNU libmicrohttpd.  See serve.c. */
#ifndef PSOAS_SERVE_H
#define PSOAS_SERVE_H

#include "commands.h"

/* psoas-triage serve [--listen ADDR:PORT] [--cases DIR] [--token-file FILE]
 *                    [--tls-cert FILE --tls-key FILE] [--threads N] */
int cmd_serve(struct ctx *ctx, int argc, char **argv);

#endif
