// Default sanitizer options for every fuzz target; the ASAN_OPTIONS / UBSAN_OPTIONS environment
// variables still override them. UBSan is compiled recoverable so that a long run can suppress a
// known report (UBSAN_OPTIONS=suppressions=...), but by default any report stops the run.
extern "C" const char* __ubsan_default_options() {
  return "halt_on_error=1:print_stacktrace=1:print_summary=1";
}
extern "C" const char* __asan_default_options() {
  return "detect_leaks=1";
}
