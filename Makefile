# psoas-triage -- see README.md.  `make` builds ./psoas-triage (installing missing
# Debian packages first when run as root); `make test` runs every test.

PREFIX   ?= /usr/local
DESTDIR  ?=
BINDIR    = $(PREFIX)/bin
DATADIR   = $(PREFIX)/share/psoas-triage
MANDIR    = $(PREFIX)/share/man/man1
VERSION   = 0.1.0

CC       ?= cc
WARN      = -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wformat=2 -Wno-format-nonliteral
OPT      ?= -O2 -g
CPPFLAGS += -isystem /usr/include/clips -D_GNU_SOURCE \
            -DPSOAS_VERSION='"$(VERSION)"' -DPSOAS_DATADIR='"$(DATADIR)"'
CFLAGS   += -std=c11 $(OPT) $(WARN) -pthread
LDLIBS   += -lclips -ljansson -lreadline -lm -pthread

SRC  = src/util.c src/kb.c src/tcase.c src/engine.c src/output.c src/batch.c \
       src/commands.c src/main.c
OBJ  = $(SRC:src/%.c=build/%.o)
DEPS = build/.deps-ok

.PHONY: all deps run test check-vignettes clean install uninstall bench

all: psoas-triage rules/rules.bin

$(DEPS): scripts/deps.sh
	@sh scripts/deps.sh
	@mkdir -p build && touch $@

build/%.o: src/%.c $(wildcard src/*.h) | $(DEPS)
	@mkdir -p build
	$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

psoas-triage: $(OBJ)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(OBJ) $(LDLIBS)

# The rules as a CLIPS binary image (bsave), for a fast start; psoas-triage uses it only
# while it is newer than every rules/*.clp, and parses the .clp files otherwise.
IMAGE = rules/rules.bin
$(IMAGE): psoas-triage $(wildcard rules/*.clp) $(wildcard kb/*.json)
	./psoas-triage --rules rules --kb kb check --image $@ >/dev/null

run: psoas-triage
	./psoas-triage intake

LIBOBJ = $(filter-out build/main.o,$(OBJ))

build/unit-tests: tests/unit.c $(LIBOBJ) $(wildcard src/*.h)
	$(CC) $(CPPFLAGS) $(CFLAGS) -o $@ tests/unit.c $(LIBOBJ) $(LDLIBS)

test: psoas-triage $(IMAGE) build/unit-tests
	python3 tests/run.py

# Throughput, start-up and memory of eval (bench/bench.py); needs jq for the comparison.
bench: psoas-triage $(IMAGE)
	@command -v jq >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq jq >&2; } || \
	  { echo "bench: needs jq: sudo apt-get install -y jq" >&2; exit 1; }
	python3 bench/bench.py

clean:
	rm -rf build psoas-triage $(IMAGE)

install: psoas-triage
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(DATADIR)/rules $(DESTDIR)$(DATADIR)/kb $(DESTDIR)$(MANDIR)
	install -m 755 psoas-triage $(DESTDIR)$(BINDIR)/psoas-triage
	install -m 644 rules/*.clp $(DESTDIR)$(DATADIR)/rules/
	rm -f $(DESTDIR)$(DATADIR)/rules/rules.bin
	./psoas-triage --rules $(DESTDIR)$(DATADIR)/rules --kb kb check \
	  --image $(DESTDIR)$(DATADIR)/rules/rules.bin >/dev/null
	install -m 644 kb/*.json kb/*.txt $(DESTDIR)$(DATADIR)/kb/
	install -m 644 doc/psoas-triage.1 $(DESTDIR)$(MANDIR)/psoas-triage.1

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/psoas-triage $(DESTDIR)$(MANDIR)/psoas-triage.1
	rm -rf $(DESTDIR)$(DATADIR)
