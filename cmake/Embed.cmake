# Pages, styles and scripts live as files of their own (lab/live/live_page.html,
# lab/report/report.css, ...) and are compiled into `lab` as string constants, so that `lab` stays
# one self-contained binary and the files stay files a browser, an editor and a linter can read.
#
#   lab_embed(TARGET lab/live/live_page.html live_page_html)
# makes <build>/embedded/lab/live/live_page.html.hpp, declaring
#   inline constexpr std::string_view live_page_html = R"lab_embedded(...)lab_embedded";
# and remakes it whenever the file changes. Include it as "lab/live/live_page.html.hpp".
#
# Run as a script (cmake -P), it writes one such header: -DIN=file -DOUT=header -DNAME=constant.
if(CMAKE_SCRIPT_MODE_FILE)
  file(READ "${IN}" text)
  string(FIND "${text}" ")lab_embedded\"" clash)
  if(NOT clash EQUAL -1)
    message(FATAL_ERROR "${IN} contains the raw string's end marker )lab_embedded\"")
  endif()
  file(WRITE "${OUT}.tmp" "#pragma once\n// Made from ${IN} by cmake/Embed.cmake: edit that file, not this one.\n"
                          "#include <string_view>\n\nnamespace lab {\n\ninline constexpr std::string_view ${NAME} = "
                          "R\"lab_embedded(${text})lab_embedded\";\n\n}  // namespace lab\n")
  file(COPY_FILE "${OUT}.tmp" "${OUT}" ONLY_IF_DIFFERENT)
  file(REMOVE "${OUT}.tmp")
  return()
endif()

set(LAB_EMBED_SCRIPT ${CMAKE_CURRENT_LIST_FILE})
function(lab_embed target file name)
  set(out ${CMAKE_BINARY_DIR}/embedded/${file}.hpp)
  add_custom_command(OUTPUT ${out}
    COMMAND ${CMAKE_COMMAND} -DIN=${CMAKE_SOURCE_DIR}/${file} -DOUT=${out} -DNAME=${name} -P ${LAB_EMBED_SCRIPT}
    DEPENDS ${CMAKE_SOURCE_DIR}/${file} ${LAB_EMBED_SCRIPT}
    COMMENT "Embedding ${file}")
  # The header is made by a target of its own, which depends on nothing: a custom command of
  # lab_core itself would first wait for every target lab_core depends on (Ninja's rule for a
  # target's custom commands), so lab_core's compiles, and the tests' after them, would wait for
  # lab_engine to be archived while a core stood idle (bench/README.md, issue 44).
  add_custom_target(embed_${name} DEPENDS ${out})
  add_dependencies(${target} embed_${name})
  target_include_directories(${target} PUBLIC ${CMAKE_BINARY_DIR}/embedded)
endfunction()
