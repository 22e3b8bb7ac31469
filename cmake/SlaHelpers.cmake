# Helpers shared by every directory of the suite.

# sla_library(NAME SOURCES ... DEPS ...): a static library with the suite's warnings.
function(sla_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_library(${name} STATIC ${ARG_SOURCES})
  target_include_directories(${name} PUBLIC ${PROJECT_SOURCE_DIR})
  target_compile_options(${name} PRIVATE ${SLA_WARNINGS})
  target_link_libraries(${name} PUBLIC ${ARG_DEPS})
endfunction()

# sla_test(NAME SOURCES ... DEPS ... [LABELS ...]): a GoogleTest binary registered with ctest.
# Tests whose name ends in _mysql_test get the `mysql` label: they need the throwaway MariaDB.
function(sla_test name)
  if(NOT SLA_BUILD_TESTS)
    return()
  endif()
  # RUN_SERIAL: ctest runs its tests alone (they change the shared test server's settings).
  cmake_parse_arguments(ARG "RUN_SERIAL" "" "SOURCES;DEPS;LABELS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_compile_options(${name} PRIVATE ${SLA_WARNINGS})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} GTest::gmock GTest::gtest_main)
  set(labels ${ARG_LABELS})
  if(name MATCHES "_mysql_test$")
    list(APPEND labels mysql)
  else()
    list(APPEND labels unit)
  endif()
  if(ARG_RUN_SERIAL)
    gtest_discover_tests(${name} PROPERTIES LABELS "${labels}" RUN_SERIAL TRUE DISCOVERY_TIMEOUT 60)
  else()
    gtest_discover_tests(${name} PROPERTIES LABELS "${labels}" DISCOVERY_TIMEOUT 60)
  endif()
endfunction()

# sla_protoc(FILE ROOT dir OUT dir [GRPC var] [DEPENDS ...] [IMPORTS dir...] SOURCES var): C++
# for FILE (a .proto path relative to ROOT, importing also from each IMPORTS folder) into OUT.
# Sets SOURCES' variable to the generated message .cc file; with GRPC also generates the gRPC
# stubs and sets GRPC's variable to their .cc file.
function(sla_protoc rel)
  cmake_parse_arguments(ARG "" "ROOT;OUT;SOURCES;GRPC" "DEPENDS;IMPORTS" ${ARGN})
  set(import_args)
  foreach(dir ${ARG_IMPORTS})
    list(APPEND import_args --proto_path=${dir})
  endforeach()
  string(REGEX REPLACE "\\.proto$" "" base ${rel})
  set(outs ${ARG_OUT}/${base}.pb.cc ${ARG_OUT}/${base}.pb.h)
  set(grpc_args)
  if(ARG_GRPC)
    list(APPEND outs ${ARG_OUT}/${base}.grpc.pb.cc ${ARG_OUT}/${base}.grpc.pb.h)
    set(grpc_args --grpc_out=${ARG_OUT} --plugin=protoc-gen-grpc=$<TARGET_FILE:gRPC::grpc_cpp_plugin>)
    set(${ARG_GRPC} ${ARG_OUT}/${base}.grpc.pb.cc PARENT_SCOPE)
  endif()
  add_custom_command(
    OUTPUT ${outs}
    COMMAND protobuf::protoc --proto_path=${ARG_ROOT} ${import_args} --cpp_out=${ARG_OUT} ${grpc_args} ${rel}
    DEPENDS ${ARG_ROOT}/${rel} ${ARG_DEPENDS}
    WORKING_DIRECTORY ${ARG_ROOT}
    COMMENT "protoc ${rel}")
  set(${ARG_SOURCES} ${ARG_OUT}/${base}.pb.cc PARENT_SCOPE)
endfunction()

# sla_embed_migrations(TARGET NAMESPACE DIR...): compiles every DIR/V*.sql into TARGET as a
# sorted table of (file name, SQL text), so a service binary carries its own schema history
# and needs no files beside it at run time. Versions must not collide across the DIRs.
function(sla_embed_migrations target ns)
  set(files)
  foreach(dir ${ARGN})
    file(GLOB dir_files CONFIGURE_DEPENDS ${dir}/V*.sql)
    list(APPEND files ${dir_files})
  endforeach()
  set(out ${CMAKE_CURRENT_BINARY_DIR}/${target}_migrations.cc)
  set(body "// Generated from ${ARGN}; do not edit.\n#include \"common/mysql/migration.h\"\n")
  string(APPEND body "namespace ${ns} {\nconst std::vector<sla::mysql::Migration>& Migrations() {\n")
  string(APPEND body "  static const auto* const kMigrations = new std::vector<sla::mysql::Migration>{\n")
  foreach(f ${files})
    get_filename_component(fname ${f} NAME)
    file(READ ${f} sql)
    string(APPEND body "    {\"${fname}\", R\"sla_sql(${sql})sla_sql\"},\n")
  endforeach()
  string(APPEND body "  };\n  return *kMigrations;\n}\n}  // namespace ${ns}\n")
  # Written through a copy so that an unchanged schema does not trigger a rebuild.
  file(WRITE ${out}.tmp "${body}")
  configure_file(${out}.tmp ${out} COPYONLY)
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${files})
  target_sources(${target} PRIVATE ${out})
endfunction()

# sla_service(NAME BINARY SOURCES ... DEPS ... [OUTBOX PRODUCER|CONSUMER...]): a service binary
# with its migrations embedded (from ./migrations) under namespace sla::<short name>.
# OUTBOX adds the shared outbox migrations (common/outbox/migrations/<side>) of a service that
# publishes an event stream (PRODUCER) or follows others' (CONSUMER); they carry versions of
# their own (1001+, 2001+) and so run after the service's own on a new database.
# The migrations also form the library ${short}_migrations, so tests can apply the real schema.
function(sla_service short binary)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS;OUTBOX" ${ARGN})
  set(dirs ${CMAKE_CURRENT_SOURCE_DIR}/migrations)
  foreach(side ${ARG_OUTBOX})
    string(TOLOWER ${side} side)
    list(APPEND dirs ${PROJECT_SOURCE_DIR}/common/outbox/migrations/${side})
  endforeach()
  add_library(${short}_migrations STATIC)
  target_include_directories(${short}_migrations PUBLIC ${PROJECT_SOURCE_DIR})
  sla_embed_migrations(${short}_migrations sla::${short} ${dirs})
  add_executable(${binary} ${ARG_SOURCES})
  target_compile_options(${binary} PRIVATE ${SLA_WARNINGS})
  target_link_libraries(${binary} PRIVATE sla_server sla_protos_grpc ${short}_migrations ${ARG_DEPS})
endfunction()
