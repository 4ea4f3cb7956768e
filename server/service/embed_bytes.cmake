# Writes OUTPUT, a C++ file defining `const unsigned char SYMBOL[]` and
# `const size_t SYMBOL##Size` as the bytes of INPUT (any binary file).
# Usage: cmake -DINPUT=... -DOUTPUT=... -DSYMBOL=... -P embed_bytes.cmake
file(READ "${INPUT}" hex HEX)
string(LENGTH "${hex}" hex_length)
if(hex_length EQUAL 0)
  message(FATAL_ERROR "${INPUT} is empty")
endif()
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
# 16 bytes a line.
string(REPEAT "0x[0-9a-f][0-9a-f]," 16 line)
string(REGEX REPLACE "(${line})" "\\1\n" bytes "${bytes}")
file(WRITE "${OUTPUT}"
  "// Generated from ${INPUT} by server/service/embed_bytes.cmake: do not edit.\n"
  "#include <cstddef>\n"
  "namespace hubsync {\n"
  "extern const unsigned char ${SYMBOL}[];\n"
  "extern const size_t ${SYMBOL}Size;\n"
  "const unsigned char ${SYMBOL}[] = {\n${bytes}};\n"
  "const size_t ${SYMBOL}Size = sizeof(${SYMBOL});\n"
  "}  // namespace hubsync\n")
