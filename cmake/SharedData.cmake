# Finds a folder of the workplace's shared data (../shared/<name> beside the repository, e.g.
# the WebAssembly spec testsuite). A clone elsewhere (CI, a temporary checkout) looks beside the
# repository it was cloned from, when that is a local path. PHAT_SHARED_DIR overrides both.
# Sets <out_var> to the folder, or to "<name>-NOTFOUND" so that tests using it fail loudly.
function(phat_find_shared name out_var)
  set(candidates "")
  if(DEFINED ENV{PHAT_SHARED_DIR})
    list(APPEND candidates "$ENV{PHAT_SHARED_DIR}/${name}")
  endif()
  list(APPEND candidates "${CMAKE_SOURCE_DIR}/../shared/${name}")
  execute_process(COMMAND git -C "${CMAKE_SOURCE_DIR}" config --get remote.origin.url
                  OUTPUT_VARIABLE origin OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
  if(origin MATCHES "^(/|file://)")
    string(REGEX REPLACE "^file://" "" origin "${origin}")
    list(APPEND candidates "${origin}/../shared/${name}")
  endif()
  foreach(dir IN LISTS candidates)
    if(IS_DIRECTORY "${dir}")
      get_filename_component(dir "${dir}" ABSOLUTE)
      set(${out_var} "${dir}" PARENT_SCOPE)
      return()
    endif()
  endforeach()
  message(WARNING "shared data '${name}' not found (looked in: ${candidates}); tests that need it "
                  "will fail. Set PHAT_SHARED_DIR to the folder that holds it.")
  set(${out_var} "${name}-NOTFOUND" PARENT_SCOPE)
endfunction()
