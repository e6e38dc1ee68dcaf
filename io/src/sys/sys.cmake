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
  # Linux uses a signalfd, in a build against libkqueue too: libkqueue's queue descriptor does
  # not report a signal that arrives while it is watched, as a BSD kqueue does, so a task
  # parked in wait_for_signal would never wake there.
  if(CMAKE_SYSTEM_NAME STREQUAL "Linux")
    target_sources(weft_io PRIVATE ${CMAKE_CURRENT_LIST_DIR}/signal_source_linux.cpp)
  else()
    target_sources(weft_io PRIVATE ${CMAKE_CURRENT_LIST_DIR}/signal_source_kqueue.cpp)
  endif()
endif()
