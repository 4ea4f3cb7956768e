#include "server/service/validate.h"

#include "absl/strings/str_cat.h"
#include "common/import_checks.h"
#include "common/normalise.h"
#include "common/text_rule.h"

namespace hubsync {

grpc::Status Required(std::string_view field) {
  return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                      absl::StrCat(Av(field), " is required"));
}

grpc::Status InvalidField(std::string_view field, std::string_view what) {
  return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                      absl::StrCat(Av(field), ": ", Av(what)));
}

grpc::Status CheckOptionalId(std::string_view field, const std::string& value,
                             size_t max_bytes) {
  if (value.size() > max_bytes) {
    return InvalidField(
        field, absl::StrCat("longer than ", max_bytes, " bytes: not an id"));
  }
  for (char ch : value) {
    const unsigned char c = static_cast<unsigned char>(ch);
    if (c < 0x20 || c == 0x7F) {
      return InvalidField(field, "holds a control character: not an id");
    }
  }
  return grpc::Status::OK;
}

grpc::Status CheckId(std::string_view field, const std::string& value,
                     size_t max_bytes) {
  if (value.empty()) return Required(field);
  return CheckOptionalId(field, value, max_bytes);
}

grpc::Status CheckText(std::string_view field, const std::string& value,
                       bool required, size_t max_bytes) {
  if (required && IsBlank(value)) {
    return InvalidField(
        field, value.empty() ? "is required"
                             : "is blank: only spaces or invisible characters");
  }
  if (value.size() > max_bytes) {
    return InvalidField(field,
                        absl::StrCat("longer than ", max_bytes, " bytes"));
  }
  if (std::string bad = ControlCharacterProblem(value); !bad.empty()) {
    return InvalidField(field, bad);
  }
  return grpc::Status::OK;
}

}  // namespace hubsync
