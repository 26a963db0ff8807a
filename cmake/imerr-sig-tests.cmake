# The tests of imerr.sig (cmake/imerr-sig.cmake), included at the end of
# spec/CMakeLists.txt:
#   c_sig            src/imerr_sig.c in C: known answers, bounds, bombs,
#                    four threads
#   sig_oracle_<abi> against Tencent's Node library (spec/sig/oracle.sh;
#                    sig_oracle_npm installs it with npm first)
# and IMERR_SIG_BUILT in the busted tests' environment: OFF makes the specs
# check what a missing imerr.sig_core says instead.
foreach(abi IN LISTS IMERR_BUILT_ABIS)
  if(TEST busted_${abi})
    set_property(TEST busted_${abi} APPEND PROPERTY ENVIRONMENT
                 "IMERR_SIG_BUILT=${IMERR_SIG_BUILT}")
  endif()
endforeach()
if(NOT IMERR_SIG_BUILT)
  return()
endif()

add_executable(test_sig c/test_sig.c ${PROJECT_SOURCE_DIR}/src/imerr_sig.c)
target_include_directories(test_sig PRIVATE ${PROJECT_SOURCE_DIR}/src)
find_package(Threads REQUIRED)
target_link_libraries(test_sig PRIVATE OpenSSL::Crypto ZLIB::ZLIB
                      Threads::Threads)
target_compile_options(test_sig PRIVATE ${IMERR_WARNINGS})
add_test(NAME c_sig COMMAND test_sig)

find_program(IMERR_NODE node)
find_program(IMERR_NPM npm)
if(NOT IMERR_NODE OR NOT IMERR_NPM)
  message(STATUS "imerr: no node or npm, no sig_oracle tests "
                 "(Debian: nodejs and npm)")
  return()
endif()
add_test(NAME sig_oracle_npm
         COMMAND sh ${PROJECT_SOURCE_DIR}/spec/sig/oracle.sh install
                 ${CMAKE_BINARY_DIR})
set_tests_properties(sig_oracle_npm PROPERTIES FIXTURES_SETUP sig_npm)
foreach(abi IN LISTS IMERR_SIG_ABIS)
  if(IMERR_LUA_EXE_${abi})
    add_test(NAME sig_oracle_${abi}
             COMMAND sh ${PROJECT_SOURCE_DIR}/spec/sig/oracle.sh run
                     ${CMAKE_BINARY_DIR} ${IMERR_LUA_EXE_${abi}} ${abi})
    set_tests_properties(sig_oracle_${abi} PROPERTIES
                         FIXTURES_REQUIRED sig_npm ENVIRONMENT
                         "${IMERR_SPEC_ENV}")
  endif()
endforeach()
