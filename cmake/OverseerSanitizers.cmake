# OVERSEER_SANITIZE builds the library, the CLI and the tests with AddressSanitizer and
# UndefinedBehaviorSanitizer; every report ends the process, so a test that triggers one fails.
# OVERSEER_BUILD_FUZZ adds libFuzzer's coverage instrumentation to the same objects, so that one
# clang build serves both `make test-asan` and `make fuzz` instead of compiling the tree twice.
if(OVERSEER_BUILD_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID MATCHES "Clang")
    message(FATAL_ERROR "OVERSEER_BUILD_FUZZ needs clang for libFuzzer: "
                        "-DCMAKE_CXX_COMPILER=clang++ -DCMAKE_C_COMPILER=clang")
  endif()
  set(OVERSEER_SANITIZE ON)
  add_compile_options(-fsanitize=fuzzer-no-link)
endif()
if(OVERSEER_SANITIZE)
  set(overseer_sanitizer_flags -fsanitize=address,undefined -fno-sanitize-recover=all
                               -fno-omit-frame-pointer)
  add_compile_options(${overseer_sanitizer_flags})
  add_link_options(${overseer_sanitizer_flags})
endif()
