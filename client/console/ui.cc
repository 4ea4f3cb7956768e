#define NCURSES_WIDECHAR 1
#include "client/console/ui.h"

#include <curses.h>
#include <langinfo.h>

#include <algorithm>
#include <clocale>
#include <cstdlib>

#include "absl/strings/str_cat.h"
#include "client/console/text.h"

namespace hubsync::console {
namespace {

int PairOf(Paint p) { return static_cast<int>(p); }

constexpr wint_t kCtrlC = 3;

// https://no-color.org: NO_COLOR set to anything but "" turns colour off.
bool NoColour() {
  const char* v = std::getenv("NO_COLOR");
  return v != nullptr && v[0] != '\0';
}

// Splits `text` into lines of at most `width` columns, at spaces when it can.
std::vector<std::wstring> Wrap(const std::wstring& text, int width) {
  if (DisplayWidth(text) <= width) return {text};  // keeps aligned columns
  std::vector<std::wstring> out;
  std::wstring line;
  std::wstring word;
  auto flush_word = [&] {
    if (word.empty()) return;
    if (!line.empty() && DisplayWidth(line) + 1 + DisplayWidth(word) > width) {
      out.push_back(line);
      line.clear();
    }
    while (DisplayWidth(word) > width) {  // a word longer than the box
      out.push_back(word.substr(0, static_cast<size_t>(width)));
      word.erase(0, static_cast<size_t>(width));
    }
    line += (line.empty() ? L"" : L" ") + word;
    word.clear();
  };
  for (wchar_t c : text) {
    if (c == L' ') {
      flush_word();
    } else {
      word.push_back(c);
    }
  }
  flush_word();
  out.push_back(line);
  return out;
}

void PutW(WINDOW* w, int y, int x, const std::wstring& s, int width) {
  const std::wstring fitted = Fit(s, width);
  mvwaddnwstr(w, y, x, fitted.c_str(), static_cast<int>(fitted.size()));
}

// Edits one line, starting from `text`, with the cursor shown: Enter returns
// the text, Esc nullopt; Backspace removes the last character and Ctrl-U
// clears the line. `read_key(text, &ch)` draws the line as it stands, waits
// for one key and returns what wget_wch returned for it. Ctrl-C sets
// *interrupted and returns nullopt.
template <typename ReadKey>
std::optional<std::string> EditLine(std::wstring text, bool* interrupted,
                                    ReadKey read_key) {
  curs_set(1);
  for (;;) {
    wint_t ch = 0;
    const int r = read_key(text, &ch);
    if (r == ERR) continue;
    if (r != KEY_CODE_YES && ch == kCtrlC) {
      *interrupted = true;
      curs_set(0);
      return std::nullopt;
    }
    if (r == KEY_CODE_YES) {
      if (static_cast<int>(ch) == KEY_ENTER) break;
      if (static_cast<int>(ch) == KEY_BACKSPACE && !text.empty())
        text.pop_back();
      continue;
    }
    if (ch == L'\n' || ch == L'\r') break;
    if (ch == 27) {
      curs_set(0);
      return std::nullopt;
    }
    if (ch == 127 || ch == 8) {
      if (!text.empty()) text.pop_back();
      continue;
    }
    if (ch == 21) {  // Ctrl-U: clear the line
      text.clear();
      continue;
    }
    if (ch >= 32) text.push_back(static_cast<wchar_t>(ch));
  }
  curs_set(0);
  return Narrow(text);
}

}  // namespace

int KeyUp() { return KEY_UP; }
int KeyDown() { return KEY_DOWN; }
int KeyPageUp() { return KEY_PPAGE; }
int KeyPageDown() { return KEY_NPAGE; }
int KeyHome() { return KEY_HOME; }
int KeyEnd() { return KEY_END; }
int KeyResize() { return KEY_RESIZE; }
int KeyEnter() { return KEY_ENTER; }
int KeyBackspace() { return KEY_BACKSPACE; }

Ui::Ui() {
  std::setlocale(LC_ALL, "");
  const char* codeset = nl_langinfo(CODESET);
  codeset_ = codeset != nullptr ? codeset : "";
  utf8_ = codeset_ == "UTF-8" || codeset_ == "utf8";
  set_escdelay(25);
  initscr();
  raw();  // Ctrl-C arrives as a key: the console quits cleanly on it
  noecho();
  nonl();
  keypad(stdscr, TRUE);
  curs_set(0);
  if (has_colors() && !NoColour()) {
    colour_ = true;
    start_color();
    use_default_colors();
    init_pair(PairOf(Paint::kNotMatched), COLOR_WHITE, -1);
    init_pair(PairOf(Paint::kNew), COLOR_CYAN, -1);
    init_pair(PairOf(Paint::kMatched), COLOR_GREEN, -1);
    init_pair(PairOf(Paint::kMayMatch), COLOR_YELLOW, -1);
    init_pair(PairOf(Paint::kSynced), COLOR_BLUE, -1);
    init_pair(PairOf(Paint::kDesynced), COLOR_MAGENTA, -1);
    init_pair(PairOf(Paint::kError), COLOR_WHITE, COLOR_RED);
    init_pair(PairOf(Paint::kBar), COLOR_BLACK, COLOR_CYAN);
    init_pair(PairOf(Paint::kOk), COLOR_BLACK, COLOR_GREEN);
  }
}

Ui::~Ui() { endwin(); }

int Ui::rows() const { return LINES; }
int Ui::cols() const { return COLS; }
void Ui::Erase() { erase(); }
void Ui::Show() { refresh(); }

void Ui::Put(int y, int x, const std::string& utf8, int width, Paint paint,
             bool reverse, bool bold) {
  if (y < 0 || y >= LINES || x >= COLS) return;
  width = std::min(width, COLS - x);
  if (width <= 0) return;
  attr_t attrs = 0;
  if (colour_ && paint != Paint::kPlain) attrs |= COLOR_PAIR(PairOf(paint));
  // Without colours the bars and errors stand out in reverse video.
  const bool bar =
      paint == Paint::kBar || paint == Paint::kError || paint == Paint::kOk;
  if (reverse || (!colour_ && bar)) attrs |= A_REVERSE;
  if (bold) attrs |= A_BOLD;
  attron(attrs);
  // The bottom-right cell cannot be written without scrolling: leave it.
  if (y == LINES - 1 && x + width == COLS) --width;
  PutW(stdscr, y, x, Shown(utf8), width);
  attroff(attrs);
}

Key Ui::Read(int timeout_ms) {
  timeout(timeout_ms);
  wint_t ch = 0;
  const int r = get_wch(&ch);
  Key k;
  if (r == ERR) return k;
  if (r == KEY_CODE_YES) {
    k.type = Key::kSpecial;
    k.code = static_cast<int>(ch);
  } else {
    k.type = Key::kChar;
    k.ch = static_cast<wchar_t>(ch);
    if (ch == kCtrlC) interrupted_ = true;
  }
  return k;
}

namespace {

// Draws a centred box with the title, the wrapped lines and a footer; the
// caller reads keys and deletes the window. When the lines are more than the
// screen can hold and `first` is given, the box shows them from line *first
// (clamped into range and written back), says which lines are shown on its
// bottom border, and sets *scrolls; without `first` the last line shown
// becomes an ellipsis.
WINDOW* Box(bool colour, bool utf8, const std::string& title,
            const std::vector<std::string>& lines, const std::string& footer,
            Paint paint, int extra_rows, int* first = nullptr,
            bool* scrolls = nullptr) {
  const int max_w = std::max(20, COLS - 4);
  int inner = DisplayWidth(Shown(title)) + 2;
  for (const auto& l : lines) inner = std::max(inner, DisplayWidth(Shown(l)));
  inner = std::max(inner, DisplayWidth(Shown(footer)));
  inner = std::min(inner, max_w - 4);
  std::vector<std::wstring> wrapped;
  for (const auto& l : lines) {
    for (auto& w : Wrap(Shown(l), inner)) wrapped.push_back(std::move(w));
  }
  const int total = static_cast<int>(wrapped.size());
  const int max_body = std::max(1, LINES - 6 - extra_rows);
  if (scrolls != nullptr) *scrolls = false;
  std::wstring where;  // "lines 1-18 of 25" on the bottom border
  if (total > max_body && first != nullptr) {
    *first = std::clamp(*first, 0, total - max_body);
    wrapped.erase(wrapped.begin(), wrapped.begin() + *first);
    wrapped.resize(static_cast<size_t>(max_body));
    if (scrolls != nullptr) *scrolls = true;
    where = Widen(absl::StrCat(" lines ", *first + 1, "-", *first + max_body,
                               " of ", total, ", j/k PgUp/PgDn: scroll "));
  } else if (total > max_body) {
    wrapped.resize(static_cast<size_t>(max_body));
    wrapped.back() = L"\u2026";
  }
  const int h = static_cast<int>(wrapped.size()) + 4 + extra_rows;
  const int w = inner + 4;
  WINDOW* win =
      newwin(h, w, std::max(0, (LINES - h) / 2), std::max(0, (COLS - w) / 2));
  keypad(win, TRUE);
  if (colour && paint != Paint::kPlain) {
    wattron(win, COLOR_PAIR(PairOf(paint)));
  }
  werase(win);
  if (utf8) {
    box(win, 0, 0);
  } else {
    // The line-drawing characters come out wrong outside UTF-8: ASCII.
    wborder(win, '|', '|', '-', '-', '+', '+', '+', '+');
  }
  wattron(win, A_BOLD);
  PutW(win, 0, 2, Shown(" " + title + " "),
       std::min(inner, DisplayWidth(Shown(title)) + 2));
  wattroff(win, A_BOLD);
  for (size_t i = 0; i < wrapped.size(); ++i) {
    PutW(win, static_cast<int>(i) + 1, 2, wrapped[i], inner);
  }
  PutW(win, h - 2, 2, Shown(footer), inner);
  if (!where.empty()) PutW(win, h - 1, 2, where, inner);
  return win;
}

// How far a key scrolls a box of `page` lines: 0 for a key that does not.
int ScrollBy(const Key& k, int page) {
  if (k.Is(L'j') || (k.type == Key::kSpecial && k.code == KEY_DOWN)) return 1;
  if (k.Is(L'k') || (k.type == Key::kSpecial && k.code == KEY_UP)) return -1;
  if (k.type == Key::kSpecial && k.code == KEY_NPAGE) return page;
  if (k.type == Key::kSpecial && k.code == KEY_PPAGE) return -page;
  return 0;
}

}  // namespace

Key Ui::Message(const std::string& title, const std::vector<std::string>& lines,
                const std::string& footer, Paint paint) {
  int first = 0;
  for (;;) {
    bool scrolls = false;
    WINDOW* win =
        Box(colour_, utf8_, title, lines, footer, paint, 0, &first, &scrolls);
    wrefresh(win);
    Key k;
    while (k.type == Key::kNone ||
           (k.type == Key::kSpecial && k.code == KEY_RESIZE)) {
      wtimeout(win, -1);
      wint_t ch = 0;
      const int r = wget_wch(win, &ch);
      if (r == ERR) continue;
      k.type = r == KEY_CODE_YES ? Key::kSpecial : Key::kChar;
      if (k.type == Key::kSpecial) {
        k.code = static_cast<int>(ch);
      } else {
        k.ch = static_cast<wchar_t>(ch);
        if (ch == kCtrlC) interrupted_ = true;
      }
    }
    delwin(win);
    touchwin(stdscr);
    const int by = ScrollBy(k, std::max(1, LINES - 7));
    if (!scrolls || by == 0) return k;
    first += by;
    refresh();  // the screen under the box, before the box again
  }
}

bool Ui::Ask(const std::string& title, const std::vector<std::string>& lines,
             const std::string& question, Paint paint) {
  for (;;) {
    Key k = Message(title, lines, question + "  [y/n]", paint);
    if (interrupted_) return false;
    if (k.Is(L'y') || k.Is(L'Y')) return true;
    if (k.Is(L'n') || k.Is(L'N') || k.Is(L'q') || k.Is(27)) return false;
  }
}

std::optional<std::string> Ui::Input(const std::string& title,
                                     const std::vector<std::string>& lines,
                                     const std::string& prompt, Paint paint) {
  const std::wstring p = Widen(prompt);
  return EditLine(
      L"", &interrupted_, [&](const std::wstring& text, wint_t* ch) {
        WINDOW* win = Box(colour_, utf8_, title, lines,
                          "Enter: send   Esc: back", paint, 1);
        int h, w;
        getmaxyx(win, h, w);
        PutW(win, h - 3, 2, p + L" " + text, w - 4);
        wmove(win, h - 3,
              std::min(w - 3, 2 + DisplayWidth(p) + 1 + DisplayWidth(text)));
        wrefresh(win);
        wtimeout(win, -1);
        const int r = wget_wch(win, ch);
        delwin(win);
        touchwin(stdscr);
        return r;
      });
}

std::optional<std::string> Ui::Prompt(int y, const std::string& label,
                                      const std::string& initial) {
  const std::wstring l = Widen(label);
  return EditLine(
      Widen(initial), &interrupted_, [&](const std::wstring& text, wint_t* ch) {
        PutW(stdscr, y, 0, l + text, COLS - 1);
        move(y, std::min(COLS - 1, DisplayWidth(l) + DisplayWidth(text)));
        refresh();
        timeout(-1);
        return get_wch(ch);
      });
}

}  // namespace hubsync::console
