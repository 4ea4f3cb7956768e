// Reading a whole file into a string. Header-only, so the thin client can
// use it without linking hubsync_common.
#ifndef HUBSYNC_COMMON_READ_FILE_H_
#define HUBSYNC_COMMON_READ_FILE_H_

#include <fstream>
#include <sstream>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"

namespace hubsync {

// The file's bytes; NOT_FOUND naming the path when it cannot be read.
inline absl::StatusOr<std::string> ReadFileToString(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read file ", path));
  std::stringstream data;
  data << in.rdbuf();
  if (in.bad())
    return absl::NotFoundError(absl::StrCat("cannot read file ", path));
  return data.str();
}

// A PEM file named by a command-line flag: INVALID_ARGUMENT naming the flag
// when it is missing, unreadable or empty.
inline absl::StatusOr<std::string> ReadPemFile(const std::string& path,
                                               const char* flag) {
  absl::StatusOr<std::string> data = ReadFileToString(path);
  if (!data.ok() || data->empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(flag, ": cannot read a PEM file at ", path));
  }
  return data;
}

}  // namespace hubsync

#endif  // HUBSYNC_COMMON_READ_FILE_H_
