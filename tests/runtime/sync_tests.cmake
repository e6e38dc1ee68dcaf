# The async coordination primitives (weft/runtime/sync/*.hpp), through the public API.
weft_test(weft_sync_tests
  SOURCES
    ${CMAKE_CURRENT_LIST_DIR}/sync/semaphore_test.cpp
  LIBS weft::runtime)
