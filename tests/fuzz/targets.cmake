# The fuzz targets: tests/fuzz/fuzz_<name>.c each, seeds in corpus/<name>/,
# inputs that once failed in regressions/<name>/. Shared by CMakeLists.txt
# (libFuzzer, clang) and replay.cmake (the normal build's unit tests).
set(CARBONDUMP_FUZZ_TARGETS
    options
    control
    attach_reply
    pidfile
    redact_xml
    redact_properties
    redact_toml
    redact_json
    redact_log
    command_line_mask
    hprof_reader
    hprof_redact)
