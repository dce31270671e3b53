# Building C++ contracts written with phat's SDK (sdk/README.md).
#
#   phat_add_contract(NAME SOURCE [VERSION v] [AUTHORS a...])
#
# builds, under ${CMAKE_BINARY_DIR}/contracts/:
#   NAME.wasm      SOURCE compiled by clang for wasm32 and linked by wasm-ld into a module that
#                  pallet-contracts accepts (ABI.md §1): imports env.memory (2..16 pages) and
#                  seal0/1/2 functions only, exports only `call` and `deploy`, MVP instructions
#                  plus sign-extension (no bulk memory, reference types, multi-value or
#                  saturating float-to-int: pallet-contracts' wasmi refuses them).
#   NAME.json      its ink! v5 metadata, printed by SOURCE compiled natively with
#                  -DPHAT_SDK_METADATA (target NAME_metadata), with source.hash = blake2b-256 of
#                  NAME.wasm;
#   NAME.contract  the metadata with the Wasm in source.wasm.
# The target NAME_contract builds all three (part of ALL).
#
# clang compiles and wasm-ld links in two steps: when the clang driver links, it runs binaryen's
# wasm-opt if that happens to be installed, which would make the module depend on the machine.
#
# `phat build` (src/cli/build_command.cc) runs the same steps for a user's contract. The flags
# below are the only copy: phat_write_contract_build_header() hands them, the default version
# and the clang, wasm-ld and SDK found here to the CLI in a generated header, so that the two
# cannot drift apart and `phat build` makes the same bytes as this build.

set(PHAT_SDK_INCLUDE_DIR ${CMAKE_SOURCE_DIR}/sdk/include)

if(CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
  set(PHAT_CONTRACT_CXX ${CMAKE_CXX_COMPILER})
else()
  find_program(PHAT_CONTRACT_CXX NAMES clang++-19 clang++)
endif()
find_program(PHAT_CONTRACT_WASM_LD NAMES wasm-ld-19 wasm-ld HINTS /usr/lib/llvm-19/bin)
find_package(nlohmann_json REQUIRED)

# Freestanding: no libc, no C++ library, no exceptions or RTTI (the SDK supplies memcpy & co.).
# -fno-threadsafe-statics: a contract has one thread, and there is no __cxa_guard_* to call.
set(PHAT_CONTRACT_CXXFLAGS
    --target=wasm32 -std=c++20 -O2 -mcpu=mvp -msign-ext
    -ffreestanding -nostdlib -fno-exceptions -fno-rtti -fno-threadsafe-statics
    -Wall -Wextra -Werror=return-type)
# Memory: imported, 2 pages to start (as ink! contracts import), at most 16 (pallet-contracts'
# default limit). The stack comes first, so that overflowing it traps instead of overwriting data.
set(PHAT_CONTRACT_LDFLAGS
    --no-entry --import-memory --initial-memory=131072 --max-memory=1048576
    --stack-first -z stack-size=32768 --gc-sections --export=call --export=deploy)
# The metadata program: the same source, natively, in the SDK's language standard. Its output does
# not depend on optimization (it only prints), so `phat build` compiles it without any.
set(PHAT_CONTRACT_METADATA_CXXFLAGS -std=c++20 -DPHAT_SDK_METADATA)

function(phat_add_contract name source)
  cmake_parse_arguments(PARSE_ARGV 2 arg "" "VERSION" "AUTHORS")
  if(NOT PHAT_CONTRACT_CXX OR NOT PHAT_CONTRACT_WASM_LD)
    message(FATAL_ERROR "phat_add_contract needs clang++ and wasm-ld (clang-19, lld-19: "
                        "run scripts/setup)")
  endif()
  if(NOT arg_VERSION)
    set(arg_VERSION ${PROJECT_VERSION})
  endif()
  get_filename_component(source ${source} ABSOLUTE)
  set(out_dir ${CMAKE_BINARY_DIR}/contracts)
  set(obj ${CMAKE_CURRENT_BINARY_DIR}/${name}.wasm.o)
  set(wasm ${out_dir}/${name}.wasm)

  add_custom_command(
    OUTPUT ${obj}
    COMMAND ${PHAT_CONTRACT_CXX} ${PHAT_CONTRACT_CXXFLAGS} -I${PHAT_SDK_INCLUDE_DIR}
            -MD -MF ${obj}.d -c ${source} -o ${obj}
    DEPENDS ${source}
    DEPFILE ${obj}.d
    COMMENT "contract ${name}: clang wasm32"
    VERBATIM)
  add_custom_command(
    OUTPUT ${wasm}
    COMMAND ${CMAKE_COMMAND} -E make_directory ${out_dir}
    COMMAND ${PHAT_CONTRACT_WASM_LD} ${PHAT_CONTRACT_LDFLAGS} ${obj} -o ${wasm}
    DEPENDS ${obj}
    COMMENT "contract ${name}: wasm-ld"
    VERBATIM)

  # The same source, natively: a program that prints the metadata.
  add_executable(${name}_metadata ${source})
  target_compile_options(${name}_metadata PRIVATE ${PHAT_CONTRACT_METADATA_CXXFLAGS})
  target_include_directories(${name}_metadata PRIVATE ${PHAT_SDK_INCLUDE_DIR})
  target_link_libraries(${name}_metadata PRIVATE nlohmann_json::nlohmann_json)
  set_target_properties(${name}_metadata PROPERTIES RUNTIME_OUTPUT_DIRECTORY
                                                    ${CMAKE_CURRENT_BINARY_DIR} CXX_STANDARD 20)

  set(author_flags)
  foreach(author IN LISTS arg_AUTHORS)
    list(APPEND author_flags --author ${author})
  endforeach()
  add_custom_command(
    OUTPUT ${out_dir}/${name}.json ${out_dir}/${name}.contract
    COMMAND ${name}_metadata --name ${name} --version ${arg_VERSION} ${author_flags}
            --wasm ${wasm} --json ${out_dir}/${name}.json --contract ${out_dir}/${name}.contract
    DEPENDS ${name}_metadata ${wasm}
    COMMENT "contract ${name}: metadata and .contract"
    VERBATIM)
  add_custom_target(${name}_contract ALL
                    DEPENDS ${wasm} ${out_dir}/${name}.json ${out_dir}/${name}.contract)
endfunction()

# A C++ string literal of `value`, for generated headers.
function(_phat_cxx_string out value)
  string(REPLACE "\\" "\\\\" value "${value}")
  string(REPLACE "\"" "\\\"" value "${value}")
  set(${out} "\"${value}\"" PARENT_SCOPE)
endfunction()

# The items of a list as C++ string literals separated by commas.
function(_phat_cxx_strings out)
  set(items)
  foreach(item IN LISTS ARGN)
    _phat_cxx_string(literal "${item}")
    list(APPEND items "${literal}")
  endforeach()
  list(JOIN items ", " joined)
  set(${out} "${joined}" PARENT_SCOPE)
endfunction()

# Writes the header `phat build` compiles with (see the top of this file): the flags above, the
# default contract version, and the contract compiler, linker and SDK include directory this
# build found (empty when not found; the CLI then looks on PATH).
function(phat_write_contract_build_header path)
  _phat_cxx_strings(PHAT_GEN_WASM_CXXFLAGS ${PHAT_CONTRACT_CXXFLAGS})
  _phat_cxx_strings(PHAT_GEN_WASM_LDFLAGS ${PHAT_CONTRACT_LDFLAGS})
  _phat_cxx_strings(PHAT_GEN_METADATA_CXXFLAGS ${PHAT_CONTRACT_METADATA_CXXFLAGS})
  _phat_cxx_string(PHAT_GEN_VERSION "${PROJECT_VERSION}")
  set(clang "")
  if(PHAT_CONTRACT_CXX)
    set(clang "${PHAT_CONTRACT_CXX}")
  endif()
  set(wasm_ld "")
  if(PHAT_CONTRACT_WASM_LD)
    set(wasm_ld "${PHAT_CONTRACT_WASM_LD}")
  endif()
  _phat_cxx_string(PHAT_GEN_CLANG "${clang}")
  _phat_cxx_string(PHAT_GEN_WASM_LD "${wasm_ld}")
  _phat_cxx_string(PHAT_GEN_SDK_INCLUDE "${PHAT_SDK_INCLUDE_DIR}")
  configure_file(${CMAKE_CURRENT_FUNCTION_LIST_DIR}/contract_build.h.in ${path} @ONLY)
endfunction()
