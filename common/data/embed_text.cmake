# Writes OUTPUT, a C++ file defining `const char SYMBOL[]` as the text of
# INPUT (a raw string literal, so INPUT must not contain ")csv").
# Usage: cmake -DINPUT=... -DOUTPUT=... -DSYMBOL=... -P embed_text.cmake
file(READ "${INPUT}" content)
string(FIND "${content}" ")csv" bad)
if(NOT bad EQUAL -1)
  message(FATAL_ERROR "${INPUT} contains \")csv\", which would end the literal")
endif()
file(WRITE "${OUTPUT}"
  "// Generated from ${INPUT} by common/data/embed_text.cmake: do not edit.\n"
  "namespace hubsync {\n"
  "extern const char ${SYMBOL}[];\n"
  "const char ${SYMBOL}[] = R\"csv(${content})csv\";\n"
  "}  // namespace hubsync\n")
