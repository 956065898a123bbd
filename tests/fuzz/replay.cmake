# Included from tests/CMakeLists.txt in every build: each fuzz target linked
# with replay_main.c instead of libFuzzer, registered as a unit test that runs
# its seeds and regressions, so that every input that once failed a target
# keeps being checked (and under ASan+UBSan in scripts/test.sh).
include(${CMAKE_CURRENT_LIST_DIR}/targets.cmake)
foreach(name ${CARBONDUMP_FUZZ_TARGETS})
  add_executable(replay_${name} ${CMAKE_CURRENT_LIST_DIR}/replay_main.c
                                ${CMAKE_CURRENT_LIST_DIR}/fuzz_${name}.c)
  target_link_libraries(replay_${name} PRIVATE cdcollector)
  target_include_directories(replay_${name} PRIVATE ${CMAKE_CURRENT_LIST_DIR})
  set_target_properties(replay_${name} PROPERTIES RUNTIME_OUTPUT_DIRECTORY
                                                  ${CMAKE_BINARY_DIR}/tests/fuzz)
  add_test(NAME unit.fuzz_${name}
           COMMAND replay_${name} ${CMAKE_CURRENT_LIST_DIR}/corpus/${name}
                   ${CMAKE_CURRENT_LIST_DIR}/regressions/${name})
  set_tests_properties(unit.fuzz_${name} PROPERTIES LABELS unit)
endforeach()
