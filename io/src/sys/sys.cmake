# The platform layer of weft::io (io/src/sys): one implementation file per platform behind
# each interface header.
if(WIN32)
  target_sources(weft_io PRIVATE
    ${CMAKE_CURRENT_LIST_DIR}/socket_api_windows.cpp
    ${CMAKE_CURRENT_LIST_DIR}/signal_source_windows.cpp
    ${CMAKE_CURRENT_LIST_DIR}/windows_errors.cpp
    ${CMAKE_CURRENT_LIST_DIR}/winsock_windows.cpp)
  target_link_libraries(weft_io PUBLIC ws2_32 iphlpapi ntdll)
else()
  target_sources(weft_io PRIVATE
    ${CMAKE_CURRENT_LIST_DIR}/socket_api_posix.cpp
    ${CMAKE_CURRENT_LIST_DIR}/signal_mask_posix.cpp)
  # Linux uses a signalfd, except in a build against libkqueue (backends.cmake), which takes
  # the BSD path so that the kqueue signal source is tested here too.
  if(CMAKE_SYSTEM_NAME STREQUAL "Linux" AND NOT WEFT_LIBKQUEUE_PREFIX)
    target_sources(weft_io PRIVATE ${CMAKE_CURRENT_LIST_DIR}/signal_source_linux.cpp)
  else()
    target_sources(weft_io PRIVATE ${CMAKE_CURRENT_LIST_DIR}/signal_source_kqueue.cpp)
  endif()
endif()
