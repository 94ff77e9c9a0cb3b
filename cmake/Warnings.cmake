add_library(portcullis_warnings INTERFACE)
target_compile_options(portcullis_warnings INTERFACE -Wall -Wextra -Wpedantic -Wno-unused-parameter -Wno-missing-field-initializers)
