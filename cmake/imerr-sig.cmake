# imerr.sig_core: UserSig and callback signatures (src/imerr_sig.c) for
# Lua, on OpenSSL's libcrypto and zlib. imerr.core and libimerr keep no
# dependencies: without either library this module alone is not built
# (one status line says so), lua/imerr/sig.lua is installed all the same
# and says, when required, what is missing.
#
# Included by CMakeLists.txt in one of two places: under LuaRocks (one
# Lua, LUA_INCDIR), else after the per-ABI imerr.core modules
# (IMERR_BUILT_ABIS). Sets IMERR_SIG_BUILT for spec/ and fuzz/.
option(IMERR_SIG "Build imerr.sig_core where OpenSSL and zlib are found" ON)
set(IMERR_SIG_BUILT OFF)
if(IMERR_SIG)
  find_package(OpenSSL QUIET COMPONENTS Crypto)
  find_package(ZLIB QUIET)
  if(NOT TARGET OpenSSL::Crypto)
    message(STATUS "imerr: no OpenSSL libcrypto (Debian: libssl-dev), "
                   "imerr.sig is not built")
  elseif(NOT ZLIB_FOUND)
    message(STATUS "imerr: no zlib (Debian: zlib1g-dev), imerr.sig is not built")
  else()
    set(IMERR_SIG_BUILT ON)
  endif()
else()
  message(STATUS "imerr: IMERR_SIG is OFF, imerr.sig is not built")
endif()

# imerr.sig_core for one Lua ABI: exports luaopen_imerr_sig_core only and
# never links liblua, as imerr.core.
function(imerr_sig_module target incdir outdir)
  add_library(${target} MODULE src/imerr_sig_lua.c src/imerr_sig.c)
  target_include_directories(${target} PRIVATE ${incdir} src)
  target_compile_options(${target} PRIVATE ${IMERR_WARNINGS})
  target_link_libraries(${target} PRIVATE OpenSSL::Crypto ZLIB::ZLIB)
  set_target_properties(${target} PROPERTIES PREFIX "" OUTPUT_NAME sig_core
                        C_VISIBILITY_PRESET hidden
                        LIBRARY_OUTPUT_DIRECTORY ${outdir}/imerr)
endfunction()

if(IMERR_SIG_BUILT AND IMERR_LUAROCKS)
  imerr_sig_module(imerr_sig_core ${LUA_INCDIR} ${CMAKE_CURRENT_BINARY_DIR}/lua)
  install(TARGETS imerr_sig_core LIBRARY DESTINATION ${LIBDIR}/imerr)
elseif(IMERR_SIG_BUILT)
  set(IMERR_SIG_ABIS "")
  set(installed "")
  foreach(abi IN LISTS IMERR_BUILT_ABIS)
    string(REPLACE "." "" id ${abi})
    imerr_sig_module(imerr_sig_core_${id} "${IMERR_LUA_${abi}_INCLUDE_DIRS}"
                     ${CMAKE_CURRENT_BINARY_DIR}/lua/${abi})
    list(APPEND IMERR_SIG_ABIS ${abi})
    # Installed beside imerr.core: LuaJIT's goes to 5.1's folder when no
    # Lua 5.1 module was built (the same rule as CMakeLists.txt's).
    set(version ${abi})
    if(abi STREQUAL "luajit")
      set(version 5.1)
    endif()
    if(NOT version IN_LIST installed)
      list(APPEND installed ${version})
      install(TARGETS imerr_sig_core_${id}
              LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}/lua/${version}/imerr)
    endif()
  endforeach()
  message(STATUS "imerr: imerr.sig for: ${IMERR_SIG_ABIS}")
endif()
