#!/bin/sh
# deps.sh -- make sure the Debian packages psoas-triage builds against are installed.
# As root it installs what is missing (apt-get); otherwise it names what to install.
set -e
need=""
[ -f /usr/include/clips/clips.h ] || need="$need libclips-dev"
[ -f /usr/include/jansson.h ]     || need="$need libjansson-dev"
[ -f /usr/include/simdjson.h ]    || need="$need libsimdjson-dev"
[ -f /usr/include/readline/readline.h ] || need="$need libreadline-dev"
[ -f /usr/include/nettle/sha2.h ] || need="$need nettle-dev"    # the knowledge version
[ -f /usr/include/microhttpd.h ]  || need="$need libmicrohttpd-dev" # serve
command -v cc >/dev/null 2>&1     || need="$need gcc"
command -v c++ >/dev/null 2>&1    || need="$need g++"
command -v python3 >/dev/null 2>&1 || need="$need python3"  # the tests
# pytest runs them: python3's own, or Debian's pytest-3 for another python3 ahead on PATH
python3 -c 'import pytest' >/dev/null 2>&1 || command -v pytest-3 >/dev/null 2>&1 \
  || need="$need python3-pytest"
command -v xxd >/dev/null 2>&1    || need="$need xxd"      # embeds web/ in the program
[ -z "$need" ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "deps: installing$need" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # shellcheck disable=SC2086
  apt-get install -y -qq $need >&2
else
  echo "deps: missing Debian packages:$need" >&2
  echo "deps: install them with: sudo apt-get install -y$need" >&2
  exit 1
fi
