# The async coordination primitives (weft/runtime/sync/*.hpp).
target_sources(weft_runtime PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/semaphore.cpp
  ${CMAKE_CURRENT_LIST_DIR}/notify.cpp
  ${CMAKE_CURRENT_LIST_DIR}/barrier.cpp
  ${CMAKE_CURRENT_LIST_DIR}/cancellation_token.cpp)
