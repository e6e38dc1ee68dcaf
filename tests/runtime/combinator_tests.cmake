# The combinators (when_all, when_any/select, JoinSet, TaskLocal), through the public API.
weft_test(weft_combinator_tests
  SOURCES
    ${CMAKE_CURRENT_LIST_DIR}/combinator/when_all_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/combinator/when_any_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/combinator/join_set_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/combinator/task_local_test.cpp
  LIBS weft::runtime)
