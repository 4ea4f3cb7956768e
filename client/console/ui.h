// A thin layer over ncursesw: start and stop the terminal, draw UTF-8 text
// clipped to a width, read keys (wide characters included), and the modal
// pieces the console needs (a message box, a yes/no question, a line of
// input). Only this file and ui.cc include curses.h.
#ifndef HUBSYNC_CLIENT_CONSOLE_UI_H_
#define HUBSYNC_CLIENT_CONSOLE_UI_H_

#include <optional>
#include <string>
#include <vector>

namespace hubsync::console {

// Colour roles (ncurses colour pairs).
enum class Paint {
  kPlain = 0,
  kNotMatched,
  kNew,
  kMatched,
  kMayMatch,
  kSynced,
  kDesynced,
  kError,
  kBar,  // title and help bars
  kOk,
};

struct Key {
  enum Type { kNone, kChar, kSpecial } type = kNone;
  wchar_t ch = 0;  // kChar
  int code = 0;    // kSpecial: KEY_UP, KEY_RESIZE, ... (curses codes)
  bool Is(wchar_t c) const { return type == kChar && ch == c; }
};

// Key codes callers compare with (the curses values, without curses.h).
int KeyUp();
int KeyDown();
int KeyPageUp();
int KeyPageDown();
int KeyHome();
int KeyEnd();
int KeyResize();
int KeyEnter();
int KeyBackspace();

class Ui {
 public:
  // Sets the locale from the environment, starts curses (raw, so Ctrl-C is
  // a key rather than a signal; no echo; keypad) with colours when the
  // terminal has them and NO_COLOR is not set to a non-empty value
  // (https://no-color.org): without colours the bars are drawn in reverse.
  // In a locale that is not UTF-8, boxes are drawn with ASCII characters.
  Ui();
  ~Ui();  // endwin: the terminal is left as it was
  Ui(const Ui&) = delete;
  Ui& operator=(const Ui&) = delete;

  int rows() const;
  int cols() const;
  bool colour() const { return colour_; }
  // Whether the locale's character set (nl_langinfo(CODESET)) is UTF-8, and
  // its name ("ANSI_X3.4-1968" for LANG=C).
  bool utf8() const { return utf8_; }
  const std::string& codeset() const { return codeset_; }
  // Ctrl-C was pressed: Read returned it, and a dialog or input line that
  // was waiting returned as if Esc (n) was pressed. Screens then quit.
  bool interrupted() const { return interrupted_; }
  void Erase();
  // Draws `utf8` at (y, x), cut or padded to exactly `width` columns.
  void Put(int y, int x, const std::string& utf8, int width,
           Paint paint = Paint::kPlain, bool reverse = false,
           bool bold = false);
  void Show();  // refresh

  // Waits up to `timeout_ms` (-1: forever) for a key.
  Key Read(int timeout_ms);

  // A box in the middle of the screen with `lines`; waits for a key and
  // returns it.
  Key Message(const std::string& title, const std::vector<std::string>& lines,
              const std::string& footer, Paint paint = Paint::kPlain);
  // The same, until y/Y (true) or n/N/Esc/q (false).
  bool Ask(const std::string& title, const std::vector<std::string>& lines,
           const std::string& question, Paint paint = Paint::kPlain);
  // A box with `lines` and an input line; returns the text on Enter, or
  // nullopt on Esc.
  std::optional<std::string> Input(const std::string& title,
                                   const std::vector<std::string>& lines,
                                   const std::string& prompt,
                                   Paint paint = Paint::kPlain);
  // An input line on screen row `y` (for search); Enter returns the text,
  // Esc nullopt.
  std::optional<std::string> Prompt(int y, const std::string& label,
                                    const std::string& initial);

 private:
  bool colour_ = false;
  bool utf8_ = true;
  bool interrupted_ = false;
  std::string codeset_;
};

}  // namespace hubsync::console

#endif  // HUBSYNC_CLIENT_CONSOLE_UI_H_
