// The encoding of a session's kept decisions (codec.h, EncodeDecisions).
#include <memory>
#include <string>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "server/storage/codec.h"

namespace hubsync::storage {
namespace {

void Counted(std::string* out, absl::string_view v) {
  absl::StrAppend(out, v.size(), ":", v);
}

void Line(std::string* out, char tag, int flags, absl::string_view a,
          absl::string_view b) {
  out->push_back(tag);
  absl::StrAppend(out, " ", flags, " ");
  Counted(out, a);
  Counted(out, b);
  out->push_back('\n');
}

char TagOf(KeptDecision::Kind k) {
  switch (k) {
    case KeptDecision::Kind::kMatch:
      return 'M';
    case KeptDecision::Kind::kUnmatch:
      return 'U';
    case KeptDecision::Kind::kTicks:
      return 'T';
  }
  return 'T';
}

int FlagsOf(const KeptDecision& d) {
  return (d.import ? 1 : 0) | (d.sync_email ? 2 : 0) | (d.reviewed ? 4 : 0);
}

}  // namespace

std::string EncodeDecisions(const SessionDecisions* d) {
  if (d == nullptr || d->empty()) return "";
  std::string out = absl::StrCat("N ", d->applied, " ", d->dropped_count, "\n");
  for (const KeptDecision& k : d->unmatched) {
    Line(&out, 'P', FlagsOf(k), k.learner_id, k.mis_id);
  }
  for (const KeptDecision& k : d->kept) {
    Line(&out, TagOf(k.kind), FlagsOf(k), k.learner_id, k.mis_id);
  }
  for (const DroppedDecision& x : d->dropped) {
    Line(&out, 'D', 0, x.decision, x.reason);
  }
  return out;
}

absl::StatusOr<std::shared_ptr<const SessionDecisions>> DecodeDecisions(
    absl::string_view s) {
  if (s.empty()) return nullptr;
  auto d = std::make_shared<SessionDecisions>();
  absl::string_view rest = s;
  auto malformed = [&](absl::string_view why) {
    return absl::InternalError(
        absl::StrCat("database holds malformed session decisions at byte ",
                     rest.data() - s.data(), ": ", why));
  };
  auto counted = [&rest](std::string* v) {
    const size_t colon = rest.find(':');
    size_t n = 0;
    if (colon == absl::string_view::npos ||
        !absl::SimpleAtoi(rest.substr(0, colon), &n) ||
        rest.size() - colon - 1 < n) {
      return false;
    }
    v->assign(rest.data() + colon + 1, n);
    rest.remove_prefix(colon + 1 + n);
    return true;
  };
  {
    const size_t end = rest.find('\n');
    if (end == absl::string_view::npos || rest.substr(0, 2) != "N ") {
      return malformed("expected the header line");
    }
    absl::string_view head = rest.substr(2, end - 2);
    const size_t space = head.find(' ');
    if (space == absl::string_view::npos ||
        !absl::SimpleAtoi(head.substr(0, space), &d->applied) ||
        !absl::SimpleAtoi(head.substr(space + 1), &d->dropped_count)) {
      return malformed("expected the applied and dropped counts");
    }
    rest.remove_prefix(end + 1);
  }
  while (!rest.empty()) {
    if (rest.size() < 4 || rest[1] != ' ') return malformed("expected a tag");
    const char tag = rest[0];
    rest.remove_prefix(2);
    const size_t space = rest.find(' ');
    int flags = 0;
    if (space == absl::string_view::npos ||
        !absl::SimpleAtoi(rest.substr(0, space), &flags) || flags < 0 ||
        flags > 7) {
      return malformed("expected flags");
    }
    rest.remove_prefix(space + 1);
    std::string a, b;
    if (!counted(&a) || !counted(&b) || rest.empty() || rest[0] != '\n') {
      return malformed("expected two values, each after its length");
    }
    rest.remove_prefix(1);
    if (tag == 'D') {
      d->dropped.push_back({std::move(a), std::move(b)});
      continue;
    }
    KeptDecision k;
    k.learner_id = std::move(a);
    k.mis_id = std::move(b);
    k.import = (flags & 1) != 0;
    k.sync_email = (flags & 2) != 0;
    k.reviewed = (flags & 4) != 0;
    switch (tag) {
      case 'P':
        k.kind = KeptDecision::Kind::kUnmatch;
        d->unmatched.push_back(std::move(k));
        continue;
      case 'M':
        k.kind = KeptDecision::Kind::kMatch;
        break;
      case 'U':
        k.kind = KeptDecision::Kind::kUnmatch;
        break;
      case 'T':
        k.kind = KeptDecision::Kind::kTicks;
        break;
      default:
        return malformed(
            absl::StrCat("unknown tag '", std::string(1, tag), "'"));
    }
    d->kept.push_back(std::move(k));
  }
  return std::shared_ptr<const SessionDecisions>(std::move(d));
}

}  // namespace hubsync::storage
