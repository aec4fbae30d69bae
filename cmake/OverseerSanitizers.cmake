# OVERSEER_SANITIZE builds the library, the CLI and the tests with AddressSanitizer and
# UndefinedBehaviorSanitizer; every report ends the process, so a test that triggers one fails.
if(OVERSEER_SANITIZE)
  set(overseer_sanitizer_flags -fsanitize=address,undefined -fno-sanitize-recover=all
                               -fno-omit-frame-pointer)
  add_compile_options(${overseer_sanitizer_flags})
  add_link_options(${overseer_sanitizer_flags})
endif()
