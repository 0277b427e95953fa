# Included by every tests/*/Makefile.am: run tests through the TAP driver so
# each test case is counted, and make cmocka speak TAP.  tap-run passes the
# TAP on, turning cmocka's "not ok N # SKIP" (a FAIL to automake) into the
# "ok N # SKIP" that a skip is.
LOG_DRIVER = env AM_TAP_AWK='$(AWK)' $(SHELL) $(top_srcdir)/build-aux/tap-driver.sh
LOG_COMPILER = $(SHELL) $(top_srcdir)/tests/tap-run
AM_TESTS_ENVIRONMENT = CMOCKA_MESSAGE_OUTPUT=TAP; export CMOCKA_MESSAGE_OUTPUT; \
  top_builddir='$(abs_top_builddir)'; export top_builddir; \
  top_srcdir='$(abs_top_srcdir)'; export top_srcdir;
