# Included by every tests/*/Makefile.am: run tests through the TAP driver so
# each test case is counted, and make cmocka speak TAP.
LOG_DRIVER = env AM_TAP_AWK='$(AWK)' $(SHELL) $(top_srcdir)/build-aux/tap-driver.sh
AM_TESTS_ENVIRONMENT = CMOCKA_MESSAGE_OUTPUT=TAP; export CMOCKA_MESSAGE_OUTPUT; \
  top_builddir='$(abs_top_builddir)'; export top_builddir; \
  top_srcdir='$(abs_top_srcdir)'; export top_srcdir;
