#include "server/service/paging.h"

#include <algorithm>
#include <string_view>

#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "common/fnv.h"
#include "server/service/validate.h"

namespace hubsync {
namespace {

constexpr absl::string_view kTokenVersion = "p1";
// Far more than any key the server makes (three ids and names).
constexpr size_t kMaxTokenBytes = 4096;

std::string Fingerprint(absl::string_view list,
                        const std::vector<std::string>& binding) {
  Fnv1a h;
  h.Part(std::string_view(list.data(), list.size()));
  for (const std::string& b : binding) h.Part(b);
  return absl::StrCat(absl::Hex(h.value(), absl::kZeroPad16));
}

// Parts as "<length>:<bytes>", so that any byte may appear in a part.
void AppendPart(std::string* out, absl::string_view part) {
  absl::StrAppend(out, part.size(), ":", part);
}

bool ReadParts(absl::string_view in, std::vector<std::string>* parts) {
  while (!in.empty()) {
    const size_t colon = in.find(':');
    size_t len = 0;
    if (colon == absl::string_view::npos ||
        !absl::SimpleAtoi(in.substr(0, colon), &len) ||
        len > in.size() - colon - 1) {
      return false;
    }
    parts->emplace_back(in.substr(colon + 1, len));
    in.remove_prefix(colon + 1 + len);
  }
  return true;
}

grpc::Status BadToken(const char* why) {
  return InvalidField("page_token", why);
}

}  // namespace

grpc::Status ReadPageRequest(absl::string_view list,
                             const std::vector<std::string>& binding,
                             int32_t page_size, const std::string& page_token,
                             PageRequest* out) {
  if (page_size < 0) {
    return InvalidField("page_size",
                        absl::StrCat(page_size,
                                     " is negative; use 0 for the "
                                     "default (",
                                     kDefaultPageSize, ") or a positive size"));
  }
  out->size = static_cast<size_t>(
      page_size == 0 ? kDefaultPageSize : std::min(page_size, kMaxPageSize));
  out->after.clear();
  if (page_token.empty()) return grpc::Status::OK;
  std::string raw;
  std::vector<std::string> parts;
  if (page_token.size() > kMaxTokenBytes ||
      !absl::WebSafeBase64Unescape(page_token, &raw) ||
      !ReadParts(raw, &parts) || parts.size() < 4 ||
      parts[0] != kTokenVersion) {
    return BadToken(
        "not a token this server made; pass the previous page's "
        "next_page_token unchanged");
  }
  if (parts[1] != list || parts[2] != Fingerprint(list, binding)) {
    return BadToken(
        "made for another list, school or filters; repeat the first "
        "page's request with only page_token changed");
  }
  out->after.assign(parts.begin() + 3, parts.end());
  return grpc::Status::OK;
}

std::string NextPageToken(absl::string_view list,
                          const std::vector<std::string>& binding,
                          const std::vector<std::string>& next) {
  if (next.empty()) return "";
  std::string raw;
  AppendPart(&raw, kTokenVersion);
  AppendPart(&raw, list);
  AppendPart(&raw, Fingerprint(list, binding));
  for (const std::string& part : next) AppendPart(&raw, part);
  std::string token;
  absl::WebSafeBase64Escape(raw, &token);
  return token;
}

}  // namespace hubsync
