# The async coordination primitives (weft/runtime/sync/*.hpp), through the public API.
weft_test(weft_sync_tests
  SOURCES
    ${CMAKE_CURRENT_LIST_DIR}/sync/semaphore_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/sync/mutex_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/sync/rw_lock_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/sync/notify_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/sync/barrier_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/sync/cancellation_token_test.cpp
  LIBS weft::runtime)
