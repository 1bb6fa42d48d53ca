# Sanitizers for every target (included before any target is defined, so that
# add_compile_options/add_link_options reach the library, `lab`, the tests and the benchmarks).
#
#   cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DLAB_SANITIZE=address,undefined
#   cmake -S . -B build-tsan -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DLAB_SANITIZE=thread
#
# Empty (the default) builds without any sanitizer.
set(LAB_SANITIZE "" CACHE STRING
    "Comma-separated sanitizers for every target: address,undefined | thread | empty for none")

if(LAB_SANITIZE)
  string(REPLACE " " "" _lab_sanitize "${LAB_SANITIZE}")
  string(REPLACE "," ";" _lab_sanitize_list "${_lab_sanitize}")
  foreach(_lab_s IN LISTS _lab_sanitize_list)
    if(NOT _lab_s MATCHES "^(address|undefined|thread|leak)$")
      message(FATAL_ERROR "LAB_SANITIZE: unknown sanitizer '${_lab_s}' "
                          "(expected address,undefined or thread)")
    endif()
  endforeach()
  if("thread" IN_LIST _lab_sanitize_list AND
     ("address" IN_LIST _lab_sanitize_list OR "leak" IN_LIST _lab_sanitize_list))
    message(FATAL_ERROR "LAB_SANITIZE: thread cannot be combined with address or leak")
  endif()

  set(_lab_sanitize_flags -fsanitize=${_lab_sanitize})
  if(NOT _lab_sanitize_list STREQUAL "thread")
    # Readable stacks in the reports; every UBSan finding is fatal so that ctest fails on it.
    # Except that the vptr check is recoverable, so UBSAN_OPTIONS=halt_on_error decides: it needs
    # a file descriptor of its own to read memory, and without one (the test that runs a server
    # out of descriptors) it reports a false "invalid vptr"; that one test lets it go on, and CI's
    # halt_on_error=1 keeps it fatal everywhere else.
    list(APPEND _lab_sanitize_flags -fno-omit-frame-pointer)
    if("undefined" IN_LIST _lab_sanitize_list)
      list(APPEND _lab_sanitize_flags -fno-sanitize-recover=undefined -fsanitize-recover=vptr)
    endif()
  endif()
  # The compile a sanitizer build needs, and no more: line tables for the reports' stacks (-g1, not
  # -g's variables and their locations) and -O1 (the level the sanitizers' own documentation
  # builds at). They come after the build type's -O2 -g, so they win: http_server.cpp, the
  # costliest file under the sanitizers, compiles in 37 s instead of 60 s (bench/README.md). The
  # tests' own code goes on to -O0 (tests/CMakeLists.txt), as in Release.
  add_compile_options(${_lab_sanitize_flags} -O1 -g1)
  add_link_options(${_lab_sanitize_flags})
  # A position-dependent executable: Debian's default PIE makes the dynamic loader patch 1.5
  # million addresses of an instrumented `lab` (152 MB) at every start, 0.34 s of each run instead
  # of 0.22, and the tests start `lab` thousands of times.
  add_link_options(-no-pie)
  list(JOIN _lab_sanitize_flags " " _lab_sanitize_text)
  message(STATUS "LAB_SANITIZE=${_lab_sanitize}: ${_lab_sanitize_text} -O1 -g1")
  unset(_lab_s)
  unset(_lab_sanitize_text)
endif()
