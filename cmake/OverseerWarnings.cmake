# Warnings are part of the build contract: the tree builds clean with -Wall -Wextra.
add_library(overseer_warnings INTERFACE)
target_compile_options(overseer_warnings INTERFACE -Wall -Wextra -Wpedantic -Wshadow
                                                   -Wnon-virtual-dtor -Wold-style-cast)
