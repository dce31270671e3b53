# Checks that each contract is a module pallet-contracts accepts (ABI.md §1), with wabt:
# it validates with bulk memory, reference types, multi-value and saturating float-to-int turned
# off; it has no float instructions; it imports its memory as env.memory with 2..16 pages; and it
# has no table, no exported global, and only `call` and `deploy` as exports.
#   cmake -DWASM_VALIDATE=… -DWASM2WAT=… -DDIR=… -DCONTRACTS="a;b" -P check_wasm.cmake
foreach(name IN LISTS CONTRACTS)
  set(wasm ${DIR}/${name}.wasm)
  execute_process(
    COMMAND ${WASM_VALIDATE} --disable-bulk-memory --disable-reference-types
            --disable-multi-value --disable-saturating-float-to-int ${wasm}
    RESULT_VARIABLE rc ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${name}.wasm uses a feature pallet-contracts refuses:\n${err}")
  endif()
  execute_process(COMMAND ${WASM2WAT} ${wasm} OUTPUT_VARIABLE wat RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "wasm2wat could not read ${name}.wasm")
  endif()
  if(wat MATCHES "f32|f64")
    message(FATAL_ERROR "${name}.wasm has float instructions or types")
  endif()
  if(NOT wat MATCHES "\\(import \"env\" \"memory\" \\(memory \\(;0;\\) 2 16\\)\\)")
    message(FATAL_ERROR "${name}.wasm does not import env.memory with 2..16 pages")
  endif()
  string(REGEX MATCHALL "\\(export \"[^\"]*\"" exports "${wat}")
  if(NOT exports STREQUAL "(export \"call\";(export \"deploy\"" AND
     NOT exports STREQUAL "(export \"deploy\";(export \"call\"")
    message(FATAL_ERROR "${name}.wasm exports ${exports}, not just call and deploy")
  endif()
  string(REGEX MATCHALL "\\(import \"[^\"]*\"" modules "${wat}")
  foreach(module IN LISTS modules)
    if(NOT module MATCHES "^\\(import \"(env|seal0|seal1|seal2)\"$")
      message(FATAL_ERROR "${name}.wasm imports from ${module}")
    endif()
  endforeach()
  if(wat MATCHES "\\(table")
    message(FATAL_ERROR "${name}.wasm has a table")
  endif()
endforeach()
message(STATUS "checked: ${CONTRACTS}")
