# Which Poller backends (io/src/*_poller.cpp) this build compiles, each announced to the code
# by WEFT_HAVE_<BACKEND>; io/src/io_backend.cpp lists them, the platform's own first.
#
#   Linux      epoll; and kqueue too when WEFT_LIBKQUEUE_PREFIX names an installed libkqueue
#              (an emulation of kqueue over epoll, used to test the kqueue backend here)
#   BSD/macOS  kqueue
#   Windows    iocp
set(WEFT_LIBKQUEUE_PREFIX "" CACHE PATH
    "Install prefix of libkqueue: also build the kqueue backend on Linux (for testing)")

set(weft_backends "")
if(WIN32)
  list(APPEND weft_backends iocp)
elseif(CMAKE_SYSTEM_NAME STREQUAL "Linux")
  list(APPEND weft_backends epoll)
  if(WEFT_LIBKQUEUE_PREFIX)
    list(APPEND weft_backends kqueue)
  endif()
else()
  include(CheckIncludeFileCXX)
  check_include_file_cxx(sys/event.h WEFT_HAVE_SYS_EVENT_H)
  if(WEFT_HAVE_SYS_EVENT_H)
    list(APPEND weft_backends kqueue)
  endif()
endif()
if(NOT weft_backends)
  message(FATAL_ERROR "weft needs epoll, kqueue or IOCP; ${CMAKE_SYSTEM_NAME} has none of them")
endif()

foreach(backend IN LISTS weft_backends)
  string(TOUPPER ${backend} upper)
  target_sources(weft_io PRIVATE ${CMAKE_CURRENT_LIST_DIR}/${backend}_poller.cpp)
  target_compile_definitions(weft_io PRIVATE WEFT_HAVE_${upper})
endforeach()

# libkqueue installs its header as <kqueue/sys/event.h>; kqueue_poller.cpp includes
# <sys/event.h>, as on a BSD, through this include directory.
if(kqueue IN_LIST weft_backends AND WEFT_LIBKQUEUE_PREFIX)
  find_library(WEFT_LIBKQUEUE_LIBRARY NAMES libkqueue.a kqueue
               PATHS ${WEFT_LIBKQUEUE_PREFIX}/lib ${WEFT_LIBKQUEUE_PREFIX}/lib64 NO_DEFAULT_PATH
               REQUIRED)
  target_include_directories(weft_io PRIVATE ${WEFT_LIBKQUEUE_PREFIX}/include/kqueue)
  target_link_libraries(weft_io PRIVATE $<BUILD_INTERFACE:${WEFT_LIBKQUEUE_LIBRARY}>)
endif()
message(STATUS "weft: io backends: ${weft_backends}")
set(WEFT_IO_BACKENDS ${weft_backends} PARENT_SCOPE)
