# spawn_blocking and compute: the blocking pool and the oneTBB compute arena.
weft_test(weft_offload_tests
  SOURCES
    ${CMAKE_CURRENT_LIST_DIR}/offload/blocking_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/offload/compute_test.cpp
  LIBS weft::runtime)
