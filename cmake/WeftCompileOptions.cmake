# Warnings as errors for weft's own code, and the sanitizer selected by WEFT_SANITIZER.
# Both are attached to targets with weft_target_defaults() so that consumers of the
# installed package do not inherit them.

set(WEFT_WARNINGS -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wold-style-cast
    -Wcast-align -Woverloaded-virtual -Werror)

set(WEFT_SANITIZER_FLAGS "")
if(WEFT_SANITIZER STREQUAL "thread")
  # -Wno-tsan: moodycamel's ConcurrentQueue (the inboxes) uses std::atomic_thread_fence,
  # which TSan does not model, and GCC warns at every inlined use. weft's own code avoids
  # fences under TSan (scheduler/src/idle.cpp); the queue's are in a third-party header.
  set(WEFT_SANITIZER_FLAGS -fsanitize=thread -g -fno-omit-frame-pointer -Wno-tsan)
elseif(WEFT_SANITIZER STREQUAL "address")
  set(WEFT_SANITIZER_FLAGS -fsanitize=address,undefined -fno-sanitize-recover=undefined -g
      -fno-omit-frame-pointer)
elseif(NOT WEFT_SANITIZER STREQUAL "")
  message(FATAL_ERROR "WEFT_SANITIZER must be '', 'thread' or 'address', not '${WEFT_SANITIZER}'")
endif()

# GCC 12 reports -Wmaybe-uninitialized false positives in sanitizer-instrumented code (e.g.
# std::optional<JoinHandle> in the tests); they are not real in the release build, which
# keeps the warning as an error.
if(NOT WEFT_SANITIZER STREQUAL "")
  list(APPEND WEFT_SANITIZER_FLAGS -Wno-maybe-uninitialized)
endif()

function(weft_target_defaults target)
  target_compile_options(${target} PRIVATE ${WEFT_WARNINGS} ${WEFT_SANITIZER_FLAGS})
  target_link_options(${target} PRIVATE ${WEFT_SANITIZER_FLAGS})
endfunction()
