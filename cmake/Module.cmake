# portcullis_module(NAME DEPS...) builds src/NAME/*.cc into the static library
# portcullis_NAME. Dependencies point down: base <- config <- regex <- date <- filter.
function(portcullis_module name)
  file(GLOB sources CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/src/${name}/*.cc)
  if(NOT sources)  # a module still being written links as an empty library
    set(sources ${PROJECT_BINARY_DIR}/empty_${name}.cc)
    file(WRITE ${sources} "")
  endif()
  add_library(portcullis_${name} STATIC ${sources})
  target_include_directories(portcullis_${name} PUBLIC ${PROJECT_SOURCE_DIR}/include
                                                PRIVATE ${PROJECT_SOURCE_DIR}/src)
  target_link_libraries(portcullis_${name} PUBLIC ${ARGN} PRIVATE portcullis_warnings)
endfunction()

# portcullis_unit_test(NAME LIBS...) builds tests/unit/NAME/*_test.cc into one
# GoogleTest binary, registered with CTest as unit_NAME.
function(portcullis_unit_test name)
  file(GLOB sources CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/tests/unit/${name}/*_test.cc)
  if(NOT sources)
    return()
  endif()
  add_executable(${name}_test ${sources})
  set_target_properties(${name}_test PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${PROJECT_BINARY_DIR}/tests)
  target_link_libraries(${name}_test PRIVATE ${ARGN} GTest::gtest GTest::gtest_main portcullis_warnings)
  target_compile_definitions(${name}_test PRIVATE
    PORTCULLIS_SOURCE_DIR="${PROJECT_SOURCE_DIR}"
    PORTCULLIS_CORPUS_DIR="${PROJECT_SOURCE_DIR}/../shared/corpus/fail2ban-1.0.2")
  add_test(NAME unit_${name} COMMAND ${name}_test)
endfunction()
