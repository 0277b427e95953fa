#!/bin/sh
# Regenerate the build system from configure.ac and the Makefile.am files.
set -eu
cd "$(dirname "$0")"
mkdir -p build-aux m4
autoreconf -fi
# The TAP driver lets one test program report many test cases.
cp -f "$(automake --print-libdir)/tap-driver.sh" build-aux/tap-driver.sh
