# The blocking pool (spawn_blocking) and the compute arena (compute), with the Runtime members
# that own them.
target_sources(weft_runtime PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/blocking_pool.cpp
  ${CMAKE_CURRENT_LIST_DIR}/compute_pool.cpp
  ${CMAKE_CURRENT_LIST_DIR}/runtime_offload.cpp)
