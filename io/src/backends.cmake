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
# <sys/event.h>, as on a BSD, through this include directory (SYSTEM, as the BSDs' own header
# is). scripts/build-libkqueue.sh installs libkqueue.a under lib/; the result of find_library
# is cached, so it is looked up again when the prefix changes.
if(kqueue IN_LIST weft_backends AND WEFT_LIBKQUEUE_PREFIX)
  if(NOT EXISTS "${WEFT_LIBKQUEUE_PREFIX}/include/kqueue/sys/event.h")
    message(FATAL_ERROR "WEFT_LIBKQUEUE_PREFIX=${WEFT_LIBKQUEUE_PREFIX} has no "
                        "include/kqueue/sys/event.h: run scripts/build-libkqueue.sh first")
  endif()
  string(FIND "${WEFT_LIBKQUEUE_LIBRARY}" "${WEFT_LIBKQUEUE_PREFIX}/" found_at)
  if(NOT found_at EQUAL 0)
    unset(WEFT_LIBKQUEUE_LIBRARY CACHE)
  endif()
  find_library(WEFT_LIBKQUEUE_LIBRARY NAMES libkqueue.a kqueue
               PATHS ${WEFT_LIBKQUEUE_PREFIX}/lib ${WEFT_LIBKQUEUE_PREFIX}/lib64
                     ${WEFT_LIBKQUEUE_PREFIX}/lib/${CMAKE_LIBRARY_ARCHITECTURE}
               NO_DEFAULT_PATH REQUIRED)
  target_include_directories(weft_io SYSTEM PRIVATE ${WEFT_LIBKQUEUE_PREFIX}/include/kqueue)
  # libkqueue runs a thread of its own (it frees a queue when its descriptor is closed).
  target_link_libraries(weft_io PRIVATE $<BUILD_INTERFACE:${WEFT_LIBKQUEUE_LIBRARY}>
                                        Threads::Threads)
endif()
message(STATUS "weft: io backends: ${weft_backends}")
set(WEFT_IO_BACKENDS ${weft_backends} PARENT_SCOPE)
