# Run by cpack before each package generator (CPACK_PROJECT_CONFIG_FILE, written
# by Packaging.cmake with the paths of the built collector and agent): for the
# .deb, sets Depends to what dpkg-shlibdeps finds the two binaries load.
#
# Not CPACK_DEBIAN_PACKAGE_SHLIBDEPS: that switch also makes CPack add postinst
# and postrm scripts running ldconfig for any library under /usr/lib, and a
# package with a postrm stays in dpkg's database ("rc") after apt-get remove.
# The agent is not on the linker's search path; ldconfig has nothing to do.
if(NOT CPACK_GENERATOR STREQUAL "DEB")
  return()
endif()
set(_shlibdeps_dir "${CPACK_PACKAGE_DIRECTORY}/_shlibdeps")
file(MAKE_DIRECTORY "${_shlibdeps_dir}/debian")
file(TOUCH "${_shlibdeps_dir}/debian/control") # dpkg-shlibdeps insists on one
execute_process(
  COMMAND dpkg-shlibdeps -O "${CARBONDUMP_COLLECTOR}" "${CARBONDUMP_AGENT}"
  WORKING_DIRECTORY "${_shlibdeps_dir}"
  OUTPUT_VARIABLE _shlibdeps_output
  ERROR_VARIABLE _shlibdeps_errors
  RESULT_VARIABLE _shlibdeps_status)
file(REMOVE_RECURSE "${_shlibdeps_dir}")
if(NOT _shlibdeps_status EQUAL 0 OR NOT _shlibdeps_output MATCHES "^shlibs:Depends=")
  message(FATAL_ERROR "dpkg-shlibdeps failed (package dpkg-dev): ${_shlibdeps_errors}")
endif()
string(REGEX REPLACE "^shlibs:Depends=([^\n]*).*" "\\1" CPACK_DEBIAN_PACKAGE_DEPENDS
       "${_shlibdeps_output}")
