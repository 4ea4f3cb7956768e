#include "common/csv.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/import_checks.h"

namespace hubsync {
namespace {

// Length of the valid UTF-8 sequence at s[i], or 0 if invalid.
size_t Utf8Length(std::string_view s, size_t i) {
  const unsigned char c = static_cast<unsigned char>(s[i]);
  size_t n;
  uint32_t cp;
  if (c < 0x80) return 1;
  if ((c & 0xE0) == 0xC0) {
    n = 2;
    cp = c & 0x1F;
  } else if ((c & 0xF0) == 0xE0) {
    n = 3;
    cp = c & 0x0F;
  } else if ((c & 0xF8) == 0xF0) {
    n = 4;
    cp = c & 0x07;
  } else {
    return 0;
  }
  if (i + n > s.size()) return 0;
  for (size_t k = 1; k < n; ++k) {
    const unsigned char cc = static_cast<unsigned char>(s[i + k]);
    if ((cc & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (cc & 0x3F);
  }
  // Overlong forms, surrogates and values past U+10FFFF are invalid.
  if ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) ||
      (n == 4 && cp < 0x10000) || (cp >= 0xD800 && cp <= 0xDFFF) ||
      cp > 0x10FFFF) {
    return 0;
  }
  return n;
}

// A line ends at LF, at CRLF (on its LF) and at a CR on its own, which is
// how "CSV (Macintosh)" files from older Excel end their lines.
bool IsLineEnd(std::string_view s, size_t i) {
  return s[i] == '\n' ||
         (s[i] == '\r' && (i + 1 == s.size() || s[i + 1] != '\n'));
}

// Columns in problems count characters, not bytes: skip UTF-8 continuations.
int Width(char c) {
  return (static_cast<unsigned char>(c) & 0xC0) == 0x80 ? 0 : 1;
}

}  // namespace

int CsvTable::Column(std::string_view name) const {
  for (size_t i = 0; i < header.size(); ++i) {
    if (absl::EqualsIgnoreCase(header[i], Av(name))) return static_cast<int>(i);
  }
  return -1;
}

CsvTable ParseCsv(std::string_view file_name, std::string_view data,
                  std::vector<Problem>* problems, size_t max_records) {
  const std::string file(file_name);
  CsvTable table;
  if (data.substr(0, 3) == "\xEF\xBB\xBF") data.remove_prefix(3);
  if (data.substr(0, 2) == "\xFF\xFE" || data.substr(0, 2) == "\xFE\xFF") {
    problems->push_back({file, 1, 1,
                         "the file is UTF-16 (Excel's \"Unicode Text\"): save "
                         "it as CSV UTF-8"});
    return table;
  }

  // Encoding first: a file that is not UTF-8 is reported once per bad line.
  // A NUL byte is valid UTF-8 but never text: most often a UTF-16 file saved
  // without its byte order mark.
  {
    int line = 1, col = 1, last_bad_line = 0;
    for (size_t i = 0; i < data.size();) {
      size_t n = Utf8Length(data, i);
      if (n == 1 && data[i] == '\0') {
        if (line != last_bad_line) {
          problems->push_back({file, line, col,
                               "NUL byte: this is not a text CSV (UTF-16 "
                               "without a byte order mark?): save it as CSV "
                               "UTF-8"});
          last_bad_line = line;
        }
      } else if (n == 0) {
        if (line != last_bad_line) {
          problems->push_back(
              {file, line, col, "invalid UTF-8: save the file as UTF-8"});
          last_bad_line = line;
        }
        n = 1;
      }
      if (IsLineEnd(data, i)) {
        ++line;
        col = 1;
      } else {
        ++col;
      }
      i += n;
    }
    if (last_bad_line != 0) return table;
  }

  std::vector<CsvRecord> records;
  CsvRecord record;
  std::string field;
  bool in_quotes = false, field_quoted = false, record_bad = false;
  int line = 1, col = 1, quote_line = 0;
  record.line = 1;

  // Every record after the first is expected to have the header's width.
  size_t width = 0;
  auto end_field = [&]() {
    if (field_quoted) {
      record.fields.push_back(field);
    } else {
      record.fields.emplace_back(absl::StripAsciiWhitespace(field));
    }
    field.clear();
    field_quoted = false;
  };
  auto end_record = [&]() {
    end_field();
    const bool blank = record.fields.size() == 1 && record.fields[0].empty();
    if (!blank && !record_bad) {
      if (records.size() > max_records) {  // the header plus max_records
        problems->push_back(
            {file, record.line, 0,
             absl::StrCat("more than ", max_records,
                          " rows (the server's row limit): split the file")});
        table.too_many_records = true;
      } else {
        if (records.empty()) width = record.fields.size();
        records.push_back(std::move(record));
      }
    }
    record = CsvRecord{};
    record.fields.reserve(width);
    record_bad = false;
  };

  for (size_t i = 0; i < data.size() && !table.too_many_records; ++i) {
    const char c = data[i];
    if (in_quotes) {
      if (c == '"') {
        if (i + 1 < data.size() && data[i + 1] == '"') {
          field.push_back('"');
          ++i;
          col += 2;
          continue;
        }
        in_quotes = false;
      } else {
        field.push_back(c);
      }
      if (IsLineEnd(data, i)) {
        ++line;
        col = 1;
      } else {
        col += Width(c);
      }
      continue;
    }
    switch (c) {
      case '"':
        if (!absl::StripAsciiWhitespace(field).empty() || field_quoted) {
          problems->push_back(
              {file, line, col,
               "a quote inside an unquoted field: quote the whole "
               "field and double the quote (\"\")"});
          record_bad = true;
        }
        field.clear();
        in_quotes = true;
        field_quoted = true;
        quote_line = line;
        break;
      case ',':
        end_field();
        break;
      case '\r':
        if (i + 1 < data.size() && data[i + 1] == '\n') break;  // CRLF
        [[fallthrough]];  // a line ended by CR alone
      case '\n':
        end_record();
        record.line = line + 1;
        col = 0;
        ++line;
        break;
      default:
        if (field_quoted && c != ' ' && c != '\t') {
          problems->push_back(
              {file, line, col,
               "text after a closing quote: quote the whole field"});
          record_bad = true;
        }
        if (!field_quoted) {
          // The run of plain characters from here is appended at once.
          size_t end = i + 1;
          while (end < data.size() && data[end] != ',' && data[end] != '"' &&
                 data[end] != '\n' && data[end] != '\r') {
            col += Width(data[end]);
            ++end;
          }
          field.append(data.data() + i, end - i);
          i = end - 1;  // c itself is counted below
        }
        break;
    }
    col += Width(c);
  }
  if (table.too_many_records) return table;
  if (in_quotes) {
    problems->push_back({file, quote_line, 0,
                         "a quoted field is never closed (unbalanced quotes)"});
    return table;
  }
  if (!field.empty() || !record.fields.empty() || field_quoted) end_record();

  if (records.empty()) {
    problems->push_back(
        {file, 1, 0, "the file is empty: a header row is required"});
    return table;
  }
  table.header = std::move(records.front().fields);
  for (std::string& h : table.header)
    h = std::string(absl::StripAsciiWhitespace(h));
  for (size_t r = 1; r < records.size(); ++r) {
    if (records[r].fields.size() != table.header.size()) {
      problems->push_back({file, records[r].line, 0,
                           absl::StrCat("expected ", table.header.size(),
                                        " fields as in the header, got ",
                                        records[r].fields.size())});
      continue;
    }
    table.records.push_back(std::move(records[r]));
  }
  return table;
}

}  // namespace hubsync
