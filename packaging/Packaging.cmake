# Installation beyond the two binaries, and the packages (CPack): a .deb and a
# .tar.gz holding
#   bin/carbondump
#   lib/carbondump/libcarbondump.so             (where the collector looks for it)
#   share/man/man1/carbondump.1.gz              (from packaging/carbondump.1.scd, by scdoc)
#   share/bash-completion/completions/carbondump
#   share/doc/carbondump/README.md              (packaging/README.operators.md)
# The .deb installs under /usr; its dependencies are what dpkg-shlibdeps finds the
# built binaries need (libc6, libcjson1, libssl3, libzip4, zlib1g on Debian 12), and
# it has no maintainer scripts, so that apt-get remove leaves no trace in dpkg.
#
#   cmake --build build && (cd build && cpack)     ->  build/carbondump_<version>_<arch>.deb
#                                                      build/carbondump-<version>-Linux.tar.gz

include(GNUInstallDirs)

# The manual page: written in scdoc, turned into roff and gzipped (-n: no name or
# time stamp in the header, so equal sources give equal files) at build time.
find_program(SCDOC_EXECUTABLE scdoc REQUIRED)
find_program(GZIP_EXECUTABLE gzip REQUIRED)
set(CARBONDUMP_MAN_SOURCE ${CMAKE_SOURCE_DIR}/packaging/carbondump.1.scd)
set(CARBONDUMP_MAN_ROFF ${CMAKE_BINARY_DIR}/packaging/carbondump.1)
set(CARBONDUMP_MAN_PAGE ${CARBONDUMP_MAN_ROFF}.gz)
add_custom_command(
  OUTPUT ${CARBONDUMP_MAN_PAGE}
  COMMAND ${CMAKE_COMMAND} -E make_directory ${CMAKE_BINARY_DIR}/packaging
  COMMAND ${SCDOC_EXECUTABLE} < ${CARBONDUMP_MAN_SOURCE} > ${CARBONDUMP_MAN_ROFF}
  COMMAND ${GZIP_EXECUTABLE} -9nf ${CARBONDUMP_MAN_ROFF}
  DEPENDS ${CARBONDUMP_MAN_SOURCE}
  COMMENT "Generating the carbondump(1) manual page")
add_custom_target(manpage ALL DEPENDS ${CARBONDUMP_MAN_PAGE})

install(FILES ${CARBONDUMP_MAN_PAGE} DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
install(FILES ${CMAKE_SOURCE_DIR}/packaging/bash-completion/carbondump
        DESTINATION ${CMAKE_INSTALL_DATAROOTDIR}/bash-completion/completions)
install(FILES ${CMAKE_SOURCE_DIR}/packaging/README.operators.md
        DESTINATION ${CMAKE_INSTALL_DOCDIR} RENAME README.md)

set(CARBONDUMP_PACKAGE_MAINTAINER "carbondump maintainers <carbondump@localhost>" CACHE STRING
    "the Maintainer field of the .deb: set it to the people who publish the package")

set(CPACK_PACKAGE_NAME carbondump)
set(CPACK_PACKAGE_VENDOR carbondump)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "capture a hung, leaking or failed Java server (WSO2 Carbon) into one ZIP")
string(CONCAT CPACK_PACKAGE_DESCRIPTION
    "carbondump collects thread dumps, the class histogram, heap summary and heap dump, GC, "
    "class loader and VM state, the operating system and a WSO2 Carbon installation "
    "(configuration, logs, databases, checksums, with secrets masked) into one ZIP for "
    "support analysis. It attaches to a HotSpot JVM without JDK tools, through its own "
    "JVMTI agent, which can also be loaded at start-up to capture a bundle by itself on "
    "OutOfMemoryError, GC thrashing or a deadlock.")
set(CPACK_GENERATOR "DEB;TGZ")
set(CPACK_STRIP_FILES ON)
set(CPACK_PACKAGE_FILE_NAME ${CPACK_PACKAGE_NAME}-${PROJECT_VERSION}-${CMAKE_SYSTEM_NAME})

set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_MAINTAINER ${CARBONDUMP_PACKAGE_MAINTAINER})
set(CPACK_DEBIAN_PACKAGE_SECTION utils)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
# Depends: dpkg-shlibdeps on the built binaries, when cpack runs (DebianDepends.cmake).
file(GENERATE OUTPUT ${CMAKE_BINARY_DIR}/packaging/CPackProjectConfig.cmake CONTENT
     "set(CARBONDUMP_COLLECTOR \"$<TARGET_FILE:carbondump>\")
set(CARBONDUMP_AGENT \"$<TARGET_FILE:carbondump_agent>\")
include(\"${CMAKE_SOURCE_DIR}/packaging/DebianDepends.cmake\")
")
set(CPACK_PROJECT_CONFIG_FILE ${CMAKE_BINARY_DIR}/packaging/CPackProjectConfig.cmake)
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "bash-completion")
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)

include(CPack)
