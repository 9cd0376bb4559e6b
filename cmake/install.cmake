# cmake/install.cmake - `cmake --install build --prefix P` (and `make install`):
# the shared and static library, the public headers, the deltalake command,
# its man page, deltalake.pc and the CMake package deltalake::deltalake.
include(CMakePackageConfigHelpers)

set(DLK_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/deltalake)
set(DLK_PC_DIR ${CMAKE_INSTALL_LIBDIR}/pkgconfig)

install(TARGETS deltalake_shared deltalake_static EXPORT deltalakeTargets
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(TARGETS deltalake RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(DIRECTORY ${CMAKE_SOURCE_DIR}/include/deltalake DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}
  FILES_MATCHING PATTERN "*.h")
if(EXISTS ${CMAKE_SOURCE_DIR}/docs/deltalake.1)
  install(FILES ${CMAKE_SOURCE_DIR}/docs/deltalake.1 DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
endif()

# deltalake.pc: relocatable (prefix from the .pc file's own folder), so the
# prefix given to `cmake --install --prefix` need not be known here.
file(RELATIVE_PATH DLK_PC_TO_PREFIX "/p/${DLK_PC_DIR}" "/p")
string(REGEX REPLACE "/$" "" DLK_PC_TO_PREFIX "${DLK_PC_TO_PREFIX}")
# Requires.private: the modules whose static link line works as their .pc
# files state it. libcurl's Libs.private names libraries Debian ships no
# development files for (-lrtmp, -lgssapi_krb5, ...), so libcurl is linked by
# its ordinary flags in Libs.private instead.
set(_pc_requires ${DLK_PC_MODULES})
list(REMOVE_ITEM _pc_requires libcurl)
string(JOIN " " DLK_PC_REQUIRES_PRIVATE ${_pc_requires})
execute_process(COMMAND ${PKG_CONFIG_EXECUTABLE} --libs libcurl OUTPUT_VARIABLE DLK_PC_LIBS_PRIVATE
  OUTPUT_STRIP_TRAILING_WHITESPACE RESULT_VARIABLE _rc)
if(_rc OR NOT DLK_PC_LIBS_PRIVATE)
  set(DLK_PC_LIBS_PRIVATE "-lcurl")
endif()
string(APPEND DLK_PC_LIBS_PRIVATE " -lroaring -lm -pthread")
configure_file(${CMAKE_SOURCE_DIR}/cmake/deltalake.pc.in ${CMAKE_BINARY_DIR}/deltalake.pc @ONLY)
install(FILES ${CMAKE_BINARY_DIR}/deltalake.pc DESTINATION ${DLK_PC_DIR})

# the CMake package: deltalake::deltalake (shared), deltalake::deltalake_static
install(EXPORT deltalakeTargets NAMESPACE deltalake:: FILE deltalakeTargets.cmake
  DESTINATION ${DLK_CMAKE_DIR})
string(JOIN " " DLK_PC_MODULES_STR ${DLK_PC_MODULES})
configure_package_config_file(${CMAKE_SOURCE_DIR}/cmake/deltalakeConfig.cmake.in
  ${CMAKE_BINARY_DIR}/deltalakeConfig.cmake INSTALL_DESTINATION ${DLK_CMAKE_DIR})
# 0.x: a new minor version may change the API
write_basic_package_version_file(${CMAKE_BINARY_DIR}/deltalakeConfigVersion.cmake
  VERSION ${PROJECT_VERSION} COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_BINARY_DIR}/deltalakeConfig.cmake ${CMAKE_BINARY_DIR}/deltalakeConfigVersion.cmake
  DESTINATION ${DLK_CMAKE_DIR})
