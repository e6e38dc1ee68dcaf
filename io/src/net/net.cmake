# Sources of the networking part of weft::io (sockets, addresses, resolve, signals).
target_sources(weft_io PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/connect.cpp
  ${CMAKE_CURRENT_LIST_DIR}/error.cpp
  ${CMAKE_CURRENT_LIST_DIR}/listener_socket.cpp
  ${CMAKE_CURRENT_LIST_DIR}/resolve.cpp
  ${CMAKE_CURRENT_LIST_DIR}/resolver_pool.cpp
  ${CMAKE_CURRENT_LIST_DIR}/signal.cpp
  ${CMAKE_CURRENT_LIST_DIR}/socket_address.cpp
  ${CMAKE_CURRENT_LIST_DIR}/socket_core.cpp
  ${CMAKE_CURRENT_LIST_DIR}/stream_socket.cpp
  ${CMAKE_CURRENT_LIST_DIR}/tcp.cpp
  ${CMAKE_CURRENT_LIST_DIR}/udp_socket.cpp
  ${CMAKE_CURRENT_LIST_DIR}/unix.cpp
)
