# The libFuzzer target over the request-handling path (tests/fuzz/fuzz_request.cpp): Beast's
# request parser with the server's limits, then the answer functions the server calls, no sockets.
#
#   CC=clang-14 CXX=clang++-14 cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DLAB_FUZZ=ON
#   cmake --build build-fuzz --target lab_fuzz_request
#   mkdir -p /tmp/lab-fuzz-corpus
#   build-fuzz/tests/fuzz/lab_fuzz_request -max_total_time=60 /tmp/lab-fuzz-corpus tests/fuzz/corpus
#
# Needs clang with compiler-rt (Debian 12: apt-get install clang-14 libclang-rt-14-dev).
option(LAB_FUZZ "Build the libFuzzer target lab_fuzz_request (clang only)" OFF)

if(LAB_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID MATCHES "Clang")
    message(WARNING "LAB_FUZZ=ON needs clang (e.g. CXX=clang++-14); "
                    "${CMAKE_CXX_COMPILER_ID} cannot build lab_fuzz_request, skipping it")
  else()
    set(_lab_fuzz_flags -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
                        -fno-omit-frame-pointer)
    # Only the I/O-free sources the request path needs, compiled with the fuzzer's
    # instrumentation (lab_core is not reused: it is built without it and drags in the servers).
    add_executable(lab_fuzz_request
      tests/fuzz/fuzz_request.cpp
      lab/server/routes.cpp
      lab/server/answer.cpp           # the answers the server gives, called as the session calls them
      lab/clock.cpp
      lab/compute/gil.cpp
      lab/compute/cpu_ledger.cpp     # CPU time per slice, for /stats
      lab/server/live_events.cpp)    # the live marks a request's stamps send (no channel: nothing sent)
    set_target_properties(lab_fuzz_request PROPERTIES
      RUNTIME_OUTPUT_DIRECTORY ${CMAKE_CURRENT_BINARY_DIR}/tests/fuzz)
    target_include_directories(lab_fuzz_request PRIVATE ${CMAKE_CURRENT_SOURCE_DIR})
    target_compile_definitions(lab_fuzz_request PRIVATE BOOST_ASIO_NO_DEPRECATED)
    target_compile_options(lab_fuzz_request PRIVATE ${_lab_fuzz_flags})
    target_link_options(lab_fuzz_request PRIVATE ${_lab_fuzz_flags})
    target_link_libraries(lab_fuzz_request PRIVATE
      Boost::headers Threads::Threads nlohmann_json::nlohmann_json fmt::fmt)
    list(JOIN _lab_fuzz_flags " " _lab_fuzz_text)
    message(STATUS "LAB_FUZZ: lab_fuzz_request with ${_lab_fuzz_text}")
  endif()
endif()
