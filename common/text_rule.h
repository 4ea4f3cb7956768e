// The one rule for free text that hubsync stores and shows (names, labels,
// class names, ids from a MIS...), whatever path it came by: create calls,
// CSV and OneRoster uploads, pushed records, API key labels. See
// docs/FORMATS.md ("Text") and docs/SECURITY.md ("Text that reaches a
// terminal").
//
// Refused in a stored value:
// - invalid UTF-8 (overlong forms, surrogates, past U+10FFFF, cut short);
// - C0 controls U+0000-U+001F (NUL, tab, line feed, carriage return, ESC...),
//   DEL U+007F and the C1 controls U+0080-U+009F (U+009B is a one-byte CSI:
//   an escape sequence to many terminals);
// - the line and paragraph separators U+2028, U+2029;
// - the bidirectional embeddings, overrides and isolates U+202A-U+202E and
//   U+2066-U+2069, which reorder the text after them ("Trojan Source").
// The implicit marks U+200E, U+200F and U+061C are allowed: they change no
// order beyond their neighbours, and names in Arabic or Hebrew carry them.
//
// The clients escape any refused character they are given anyway (data
// stored by an older version): EscapeUnprintable.
#ifndef HUBSYNC_COMMON_TEXT_RULE_H_
#define HUBSYNC_COMMON_TEXT_RULE_H_

#include <string>
#include <string_view>
#include <vector>

#include "common/types.h"

namespace hubsync {

// Whether `cp` is one of the refused code points above.
bool IsRefusedCodePoint(char32_t cp);

// Empty if `value` may be stored; otherwise what is wrong, for a message
// after the field's name: "has a control character (U+001B, escape) at
// character 3", "has a bidirectional control character (U+202E, right-to-
// left override) at character 5", "is not valid UTF-8 (byte 0xFF at
// character 2)". Characters count from 1.
std::string TextProblem(std::string_view value);

// Whether nothing is left of `value` once white space (U+0020, NBSP U+00A0,
// the other Unicode spaces), format characters (general category Cf: ZWSP
// U+200B, ZWJ, BOM...) and other default-ignorable code points (U+3164
// HANGUL FILLER, variation selectors...) are taken out: a name a person
// would read as empty. Invalid UTF-8 bytes count as something (TextProblem
// reports them).
bool IsBlank(std::string_view value);

// The message for a required name (legal forename or surname, school name)
// that is empty ("legal_forename is empty") or blank ("legal_forename is
// blank: only spaces or invisible characters"); "" for one that is fine.
std::string RequiredNameProblem(std::string_view name, std::string_view value);
// Appends RequiredNameProblem's problem, if any, at file/line/column;
// returns true when the name is fine.
bool CheckRequiredName(const std::string& file, int line, int column,
                       std::string_view name, std::string_view value,
                       std::vector<Problem>* problems);

// `value` for a terminal: each refused code point written as \xHH (below
// U+0100) or \uHHHH, each byte of invalid UTF-8 as \xHH; everything else as
// it is. A backslash is left alone, so clean text is unchanged.
std::string EscapeUnprintable(std::string_view value);

// The same for a JSON document (the CLI's --json lines): each refused code
// point as a JSON escape \uHHHH, each invalid byte as \ufffd. Refused code
// points occur only inside JSON strings, where the escape is valid.
std::string EscapeUnprintableJson(std::string_view json);

}  // namespace hubsync

#endif  // HUBSYNC_COMMON_TEXT_RULE_H_
