# The blocking pool (spawn_blocking) and the compute arena (compute), with the Runtime members
# that own them.
target_sources(weft_runtime PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/blocking_pool.cpp
  ${CMAKE_CURRENT_LIST_DIR}/compute_pool.cpp
  ${CMAKE_CURRENT_LIST_DIR}/runtime_offload.cpp)

# libtbb is not built with ThreadSanitizer, so TSan cannot see how oneTBB hands a task object
# from the thread that enqueues it to the thread that runs it, nor how it recycles that
# memory, and reports oneTBB's inline task code (compiled into this file) as racing. This
# file is therefore left uninstrumented and annotates the enqueue -> run order for TSan
# (__tsan_release/__tsan_acquire); its mutex is still seen through TSan's interceptors, and
# the jobs themselves, compiled in the callers' files, stay instrumented.
if(WEFT_SANITIZER STREQUAL "thread")
  set_source_files_properties(${CMAKE_CURRENT_LIST_DIR}/compute_pool.cpp
    PROPERTIES COMPILE_OPTIONS -fno-sanitize=thread COMPILE_DEFINITIONS WEFT_TSAN_ANNOTATIONS)
endif()
