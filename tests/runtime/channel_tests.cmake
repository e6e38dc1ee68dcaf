# The channels: mpsc (bounded and unbounded), broadcast and watch.
weft_test(weft_channel_tests
  SOURCES
    ${CMAKE_CURRENT_LIST_DIR}/channel/mpsc_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/channel/mpsc_bounded_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/channel/broadcast_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/channel/watch_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/channel/throughput_test.cpp
  LIBS weft::runtime)
