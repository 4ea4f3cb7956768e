#include "server/storage/codec.h"

#include <array>
#include <cstdio>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"

namespace hubsync::storage {
namespace {

template <typename E, size_t N>
using Names = std::array<std::pair<E, absl::string_view>, N>;

constexpr Names<SyncState, 3> kSyncStates{{{SyncState::kUnsynced, "UNSYNCED"},
                                           {SyncState::kSynced, "SYNCED"},
                                           {SyncState::kDesynced, "DESYNCED"}}};
constexpr Names<ClassKind, 2> kClassKinds{
    {{ClassKind::kRegistration, "registration"},
     {ClassKind::kSubject, "subject"}}};
constexpr Names<MisFormat, 3> kMisFormats{{{MisFormat::kOneRoster, "oneroster"},
                                           {MisFormat::kPlainCsv, "plain_csv"},
                                           {MisFormat::kPushed, "pushed"}}};
constexpr Names<RowStatus, 6> kRowStatuses{
    {{RowStatus::kNotMatched, "not_matched"},
     {RowStatus::kNew, "new"},
     {RowStatus::kMatched, "matched"},
     {RowStatus::kMayMatch, "may_match"},
     {RowStatus::kSynced, "synced"},
     {RowStatus::kDesynced, "desynced"}}};
constexpr Names<SessionStep, 6> kSteps{
    {{SessionStep::kClassSync, "CLASS_SYNC"},
     {SessionStep::kPupilsPanel, "PUPILS_PANEL"},
     {SessionStep::kClassifying, "CLASSIFYING"},
     {SessionStep::kSyncScreen, "SYNC_SCREEN"},
     {SessionStep::kSaved, "SAVED"},
     {SessionStep::kCancelled, "CANCELLED"}}};
constexpr Names<ScopeKind, 3> kScopeKinds{
    {{ScopeKind::kAll, "all"},
     {ScopeKind::kYearGroups, "year_groups"},
     {ScopeKind::kRegistrationGroups, "registration_groups"}}};

template <typename E, size_t N>
absl::string_view Find(const Names<E, N>& names, E v) {
  for (const auto& [e, text] : names) {
    if (e == v) return text;
  }
  return "?";
}

template <typename E, size_t N>
absl::StatusOr<E> Parse(const Names<E, N>& names, absl::string_view s,
                        absl::string_view what) {
  for (const auto& [e, text] : names) {
    if (text == s) return e;
  }
  return absl::InternalError(
      absl::StrCat("database holds unknown ", what, " \"", s, "\""));
}

constexpr char kListSeparator = '\x1f';

std::string Escape(absl::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\n':
        out += "\\n";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string Unescape(absl::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 1 < s.size()) {
      char next = s[++i];
      out += next == 't' ? '\t' : next == 'n' ? '\n' : next;
    } else {
      out += s[i];
    }
  }
  return out;
}

}  // namespace

absl::string_view ToText(SyncState v) { return Find(kSyncStates, v); }
absl::string_view ToText(ClassKind v) { return Find(kClassKinds, v); }
absl::string_view ToText(MisFormat v) { return Find(kMisFormats, v); }
absl::string_view ToText(RowStatus v) { return Find(kRowStatuses, v); }
absl::string_view ToText(SessionStep v) { return Find(kSteps, v); }
absl::string_view ToText(ScopeKind v) { return Find(kScopeKinds, v); }

absl::StatusOr<SyncState> SyncStateFromText(absl::string_view s) {
  return Parse(kSyncStates, s, "sync state");
}
absl::StatusOr<ClassKind> ClassKindFromText(absl::string_view s) {
  return Parse(kClassKinds, s, "class kind");
}
absl::StatusOr<MisFormat> MisFormatFromText(absl::string_view s) {
  return Parse(kMisFormats, s, "MIS format");
}
absl::StatusOr<RowStatus> RowStatusFromText(absl::string_view s) {
  return Parse(kRowStatuses, s, "row status");
}
absl::StatusOr<SessionStep> SessionStepFromText(absl::string_view s) {
  return Parse(kSteps, s, "session step");
}
absl::StatusOr<ScopeKind> ScopeKindFromText(absl::string_view s) {
  return Parse(kScopeKinds, s, "scope kind");
}

absl::StatusOr<std::optional<Date>> DateFromText(absl::string_view s) {
  if (s.empty()) return std::optional<Date>();
  Date d;
  std::vector<absl::string_view> parts = absl::StrSplit(s, '-');
  if (parts.size() != 3 || !absl::SimpleAtoi(parts[0], &d.year) ||
      !absl::SimpleAtoi(parts[1], &d.month) ||
      !absl::SimpleAtoi(parts[2], &d.day)) {
    return absl::InternalError(
        absl::StrCat("database holds malformed date \"", s, "\""));
  }
  return std::optional<Date>(d);
}

std::string JoinList(const std::vector<std::string>& items) {
  return absl::StrJoin(items, std::string(1, kListSeparator));
}

std::vector<std::string> SplitList(absl::string_view joined) {
  if (joined.empty()) return {};
  return absl::StrSplit(joined, kListSeparator);
}

std::string EncodeEvidence(const std::vector<FieldEvidence>& fields) {
  std::string out;
  for (const FieldEvidence& f : fields) {
    absl::StrAppend(&out, Escape(f.field), "\t", Escape(f.level), "\t",
                    absl::StrFormat("%.17g", f.weight), "\n");
  }
  return out;
}

absl::StatusOr<std::vector<FieldEvidence>> DecodeEvidence(absl::string_view s) {
  std::vector<FieldEvidence> out;
  for (absl::string_view line : absl::StrSplit(s, '\n', absl::SkipEmpty())) {
    std::vector<absl::string_view> parts = absl::StrSplit(line, '\t');
    FieldEvidence f;
    if (parts.size() != 3 || !absl::SimpleAtod(parts[2], &f.weight)) {
      return absl::InternalError(
          absl::StrCat("database holds malformed evidence \"", line, "\""));
    }
    f.field = Unescape(parts[0]);
    f.level = Unescape(parts[1]);
    out.push_back(std::move(f));
  }
  return out;
}

std::string JsonString(absl::string_view s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += static_cast<char>(c);  // UTF-8 passes through unchanged
        }
    }
  }
  out += '"';
  return out;
}

std::string LearnerJson(const HubLearner& l) {
  std::string classes = "[";
  for (size_t i = 0; i < l.classes.size(); ++i) {
    absl::StrAppend(&classes, i ? "," : "", JsonString(l.classes[i]));
  }
  classes += "]";
  auto field = [](absl::string_view name, absl::string_view value) {
    return absl::StrCat(JsonString(name), ":", JsonString(value));
  };
  return absl::StrCat(
      "{", field("id", l.id), ",", field("legal_forename", l.legal_forename),
      ",", field("legal_surname", l.legal_surname), ",",
      field("preferred_forename", l.preferred_forename), ",",
      field("preferred_surname", l.preferred_surname), ",",
      JsonString("date_of_birth"), ":",
      l.date_of_birth ? JsonString(FormatDate(*l.date_of_birth)) : "null", ",",
      field("gender", l.gender), ",", field("upn", l.upn), ",",
      field("year_group", l.year_group), ",",
      field("registration_group", l.registration_group), ",",
      JsonString("classes"), ":", classes, ",", field("email", l.email), ",",
      field("mis_id", l.mis_id), ",",
      field("sync_state", SyncStateName(l.sync_state)), "}");
}

}  // namespace hubsync::storage
