#include "client/console/panel.h"

#include <algorithm>
#include <cctype>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace hubsync::console {
namespace {

int YearRank(const std::string& y) {
  if (y == "N1") return -3;
  if (y == "N2") return -2;
  if (y == "R") return -1;
  int n;
  if (absl::SimpleAtoi(y, &n) && n >= 0 && n <= 99) return n;
  return 1000;
}

}  // namespace

bool YearBefore(const std::string& a, const std::string& b) {
  const int ra = YearRank(a), rb = YearRank(b);
  return ra != rb ? ra < rb : a < b;
}

PanelModel::PanelModel(const std::vector<v1::MisLearnerRecord>& learners,
                       const v1::Session& session) {
  std::vector<std::string> years, groups;
  std::set<std::string> seen_y, seen_g;
  for (const auto& l : learners) {
    if (!l.year_group().empty() && seen_y.insert(l.year_group()).second)
      years.push_back(l.year_group());
    if (!l.registration_group().empty() &&
        seen_g.insert(l.registration_group()).second)
      groups.push_back(l.registration_group());
  }
  std::sort(years.begin(), years.end(), YearBefore);
  // "7A" before "10A": by the leading year number, then by name; groups
  // without one ("RB") after.
  auto lead = [](const std::string& g) {
    int n = 0;
    size_t i = 0;
    while (i < g.size() && i < 4 &&
           std::isdigit(static_cast<unsigned char>(g[i]))) {
      n = n * 10 + (g[i] - '0');
      ++i;
    }
    return i == 0 ? 100000 : n;
  };
  std::sort(groups.begin(), groups.end(),
            [&](const std::string& a, const std::string& b) {
              const int la = lead(a), lb = lead(b);
              return la != lb ? la < lb : a < b;
            });
  items_.push_back({Kind::kAll, ""});
  for (const auto& y : years) items_.push_back({Kind::kYear, y});
  for (const auto& g : groups) items_.push_back({Kind::kRegGroup, g});
  items_.push_back({Kind::kEmail, ""});
  items_.push_back({Kind::kProceed, ""});

  emails_ = session.sync_email_addresses();
  const v1::Scope& s = session.scope();
  if (s.kind() == v1::SCOPE_KIND_YEAR_GROUPS && s.year_groups_size() > 0) {
    kind_ = v1::SCOPE_KIND_YEAR_GROUPS;
    years_.insert(s.year_groups().begin(), s.year_groups().end());
  } else if (s.kind() == v1::SCOPE_KIND_REGISTRATION_GROUPS &&
             s.registration_groups_size() > 0) {
    kind_ = v1::SCOPE_KIND_REGISTRATION_GROUPS;
    groups_.insert(s.registration_groups().begin(),
                   s.registration_groups().end());
  }
}

void PanelModel::Move(int delta) {
  const int last = static_cast<int>(items_.size()) - 1;
  cursor_ = static_cast<size_t>(
      std::clamp(static_cast<int>(cursor_) + delta, 0, last));
}

bool PanelModel::Activate() {
  const Item& it = items_[cursor_];
  switch (it.kind) {
    case Kind::kAll:
      kind_ = v1::SCOPE_KIND_ALL;
      years_.clear();
      groups_.clear();
      break;
    case Kind::kYear:
      groups_.clear();
      if (!years_.erase(it.value)) years_.insert(it.value);
      kind_ = years_.empty() ? v1::SCOPE_KIND_ALL : v1::SCOPE_KIND_YEAR_GROUPS;
      break;
    case Kind::kRegGroup:
      years_.clear();
      if (!groups_.erase(it.value)) groups_.insert(it.value);
      kind_ = groups_.empty() ? v1::SCOPE_KIND_ALL
                              : v1::SCOPE_KIND_REGISTRATION_GROUPS;
      break;
    case Kind::kEmail:
      emails_ = !emails_;
      break;
    case Kind::kProceed:
      return true;
  }
  return false;
}

std::vector<PanelModel::Line> PanelModel::Lines() const {
  std::vector<Line> out;
  Kind last = Kind::kProceed;
  for (size_t i = 0; i < items_.size(); ++i) {
    const Item& it = items_[i];
    if (it.kind != last) {
      if (it.kind == Kind::kYear)
        out.push_back({"Or a year group:", false, true});
      if (it.kind == Kind::kRegGroup)
        out.push_back({"Or a registration group:", false, true});
      if (it.kind == Kind::kEmail) out.push_back({"", false, true});
      last = it.kind;
    }
    Line line;
    line.cursor = i == cursor_;
    switch (it.kind) {
      case Kind::kAll:
        line.text = absl::StrCat(kind_ == v1::SCOPE_KIND_ALL ? "(*)" : "( )",
                                 " Select all students (recommended)");
        break;
      case Kind::kYear:
        line.text = absl::StrCat("  ", years_.count(it.value) ? "[x]" : "[ ]",
                                 " Year ", it.value);
        break;
      case Kind::kRegGroup:
        line.text = absl::StrCat("  ", groups_.count(it.value) ? "[x]" : "[ ]",
                                 " ", it.value);
        break;
      case Kind::kEmail:
        line.text = absl::StrCat(emails_ ? "[x]" : "[ ]",
                                 " Sync pupil email addresses");
        break;
      case Kind::kProceed:
        line.text = "[ Proceed ]";
        break;
    }
    out.push_back(std::move(line));
  }
  return out;
}

v1::SetScopeRequest PanelModel::Request(const v1::Session& session) const {
  v1::SetScopeRequest req;
  req.set_session_id(session.session_id());
  req.set_expected_version(session.version());
  req.set_sync_email_addresses(emails_);
  v1::Scope* scope = req.mutable_scope();
  scope->set_kind(kind_);
  for (const auto& y : years_) {
    if (kind_ == v1::SCOPE_KIND_YEAR_GROUPS) scope->add_year_groups(y);
  }
  for (const auto& g : groups_) {
    if (kind_ == v1::SCOPE_KIND_REGISTRATION_GROUPS)
      scope->add_registration_groups(g);
  }
  return req;
}

}  // namespace hubsync::console
