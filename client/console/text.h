// Text for a terminal: UTF-8 decoded to wide characters, display widths
// (a CJK character takes two columns, a combining accent none), and cells
// cut or padded to an exact number of columns. No ncurses here.
//
// Widths come from wcwidth(), so they need a UTF-8 LC_CTYPE (the console
// calls setlocale; tests set C.UTF-8).
#ifndef HUBSYNC_CLIENT_CONSOLE_TEXT_H_
#define HUBSYNC_CLIENT_CONSOLE_TEXT_H_

#include <string>
#include <string_view>

namespace hubsync::console {

// Decodes UTF-8; a malformed byte becomes U+FFFD, never an error, so a
// bad name from the server cannot break the screen.
std::wstring Widen(std::string_view utf8);
// `utf8` as the console draws it: Widen, with anything a terminal would act
// on (escapes, C1 controls, bidi overrides, newlines, invalid bytes) written
// out as \x1b or \u202e (common/text_rule.h, EscapeUnprintable), so a name
// from the server cannot move the cursor or reorder the screen.
std::wstring Shown(std::string_view utf8);
// Encodes back to UTF-8.
std::string Narrow(std::wstring_view wide);

// Columns `s` takes on screen; a control or unknown character counts 1.
int DisplayWidth(std::wstring_view s);

// Exactly `width` columns: cut with a trailing "…" when too long (never
// splitting a wide character), padded with spaces when short.
std::wstring Fit(std::wstring_view s, int width);

// Lower case, character by character (towlower), for searching by name.
std::wstring Lower(std::wstring_view s);

}  // namespace hubsync::console

#endif  // HUBSYNC_CLIENT_CONSOLE_TEXT_H_
