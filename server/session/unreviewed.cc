#include "server/session/unreviewed.h"

#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace hubsync {
namespace {

// Rows named in the status message itself; the payload has more.
constexpr size_t kNamedInMessage = 3;

template <typename Learner>
std::string NameOf(const Learner* l) {
  if (l == nullptr) return "";
  if (l->legal_forename.empty()) return l->legal_surname;
  if (l->legal_surname.empty()) return l->legal_forename;
  return absl::StrCat(l->legal_forename, " ", l->legal_surname);
}

// "<bytes>:<text>", so that nothing needs escaping.
void AppendCounted(absl::string_view v, std::string* out) {
  absl::StrAppend(out, v.size(), ":", v);
}

bool ReadCounted(absl::string_view* rest, std::string* v) {
  const size_t colon = rest->find(':');
  size_t n = 0;
  if (colon == absl::string_view::npos ||
      !absl::SimpleAtoi(rest->substr(0, colon), &n) ||
      rest->size() - colon - 1 < n) {
    return false;
  }
  v->assign(rest->data() + colon + 1, n);
  rest->remove_prefix(colon + 1 + n);
  return true;
}

bool ReadNumber(absl::string_view* rest, int64_t* v) {
  const size_t space = rest->find(' ');
  if (space == absl::string_view::npos ||
      !absl::SimpleAtoi(rest->substr(0, space), v)) {
    return false;
  }
  rest->remove_prefix(space + 1);
  return true;
}

}  // namespace

UnreviewedInfo FindUnreviewed(const std::vector<Row>& rows,
                              const RowContext& context) {
  UnreviewedInfo info;
  size_t bytes = 0;
  bool full = false;
  for (const Row& r : rows) {
    if (r.status != RowStatus::kMayMatch || r.reviewed) continue;
    ++info.count;
    if (full) continue;
    UnreviewedRowInfo row{.row_id = r.row_id,
                          .learner_id = r.hub_learner_id,
                          .mis_id = r.mis_id,
                          .hub_name = NameOf(context.HubOf(r)),
                          .mis_name = NameOf(context.MisOf(r))};
    bytes += row.learner_id.size() + row.mis_id.size() + row.hub_name.size() +
             row.mis_name.size();
    if (info.rows.size() >= kMaxUnreviewedListed ||
        (bytes > kMaxUnreviewedListedBytes && !info.rows.empty())) {
      full = true;
      continue;
    }
    info.rows.push_back(std::move(row));
  }
  return info;
}

absl::Status UnreviewedRefusal(const std::string& session_id,
                               const UnreviewedInfo& info) {
  std::string message =
      absl::StrCat("session ", session_id, " has ", info.count,
                   " May match row(s) nobody has reviewed: ");
  for (size_t i = 0; i < info.rows.size() && i < kNamedInMessage; ++i) {
    const UnreviewedRowInfo& r = info.rows[i];
    absl::StrAppend(&message, i ? "; " : "", r.hub_name, " (", r.learner_id,
                    ") may be MIS ", r.mis_name, " (", r.mis_id, ")");
  }
  if (info.count > static_cast<int64_t>(kNamedInMessage)) {
    absl::StrAppend(&message, "; and ",
                    info.count - static_cast<int64_t>(kNamedInMessage),
                    " more");
  }
  absl::StrAppend(&message,
                  ". A save links each to its MIS record and overwrites it. "
                  "Review them (SetReviewed, SetReviewedAll) or save with "
                  "allow_unreviewed = true");
  absl::Status status = absl::FailedPreconditionError(message);
  std::string payload = absl::StrCat(info.count, " ");
  for (const UnreviewedRowInfo& r : info.rows) {
    absl::StrAppend(&payload, r.row_id, " ");
    AppendCounted(r.learner_id, &payload);
    AppendCounted(r.mis_id, &payload);
    AppendCounted(r.hub_name, &payload);
    AppendCounted(r.mis_name, &payload);
  }
  status.SetPayload(kUnreviewedPayload, absl::Cord(payload));
  return status;
}

std::optional<UnreviewedInfo> ParseUnreviewed(const absl::Status& status) {
  auto payload = status.GetPayload(kUnreviewedPayload);  // absl::optional
  if (!payload) return std::nullopt;
  const std::string text(*payload);
  absl::string_view rest = text;
  UnreviewedInfo info;
  if (!ReadNumber(&rest, &info.count)) return std::nullopt;
  while (!rest.empty()) {
    UnreviewedRowInfo& r = info.rows.emplace_back();
    if (!ReadNumber(&rest, &r.row_id) || !ReadCounted(&rest, &r.learner_id) ||
        !ReadCounted(&rest, &r.mis_id) || !ReadCounted(&rest, &r.hub_name) ||
        !ReadCounted(&rest, &r.mis_name)) {
      return std::nullopt;
    }
  }
  return info;
}

}  // namespace hubsync
