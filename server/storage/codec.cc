#include "server/storage/codec.h"

#include <array>
#include <charconv>
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

void AppendEvidence(std::string* out,
                    const std::vector<FieldEvidence>& fields) {
  auto escaped = [out](std::string_view v) {
    if (v.find_first_of("\\\t\n") == std::string_view::npos) {
      out->append(v);  // the usual case: nothing to escape
    } else {
      out->append(Escape(std::string(v)));
    }
  };
  char buf[32];
  for (const FieldEvidence& f : fields) {
    escaped(f.field);
    out->push_back('\t');
    escaped(f.level);
    out->push_back('\t');
    // The shortest text that reads back as the same double: exact, and a
    // fraction of snprintf's cost (a million rows' evidence is written at
    // once).
    const std::to_chars_result r =
        std::to_chars(buf, buf + sizeof buf, f.weight);
    out->append(buf, r.ptr);
    out->push_back('\n');
  }
}

std::string EncodeEvidence(const std::vector<FieldEvidence>& fields) {
  std::string out;
  AppendEvidence(&out, fields);
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
    f.field = InternEvidenceWord(Unescape(parts[0]));
    f.level = InternEvidenceWord(Unescape(parts[1]));
    out.push_back(std::move(f));
  }
  return out;
}

namespace {

// The audit fields in order: 0 id, 1 legal forename, 2 legal surname,
// 3 preferred forename, 4 preferred surname, 5 date of birth (ISO, "" when
// unknown), 6 gender, 7 UPN, 8 year group, 9 registration group, 10 subject
// classes, 11 email, 12 MIS id, 13 sync state.
constexpr int kAuditFields = 14;
constexpr char kClassSep = '\x1d', kItemSep = '\x1e', kFieldSep = '\x1f';
// Between the entries of a packed record (encoding 2; see codec.h).
constexpr char kEntrySep = '\x1c';
static_assert(kClassSep == kEntrySep + 1 && kItemSep == kEntrySep + 2 &&
              kFieldSep == kEntrySep + 3);  // AppendAuditText relies on it

absl::Status SetAuditField(HubLearner& l, int i, absl::string_view v) {
  switch (i) {
    case 0:
      l.id = std::string(v);
      break;
    case 1:
      l.legal_forename = std::string(v);
      break;
    case 2:
      l.legal_surname = std::string(v);
      break;
    case 3:
      l.preferred_forename = std::string(v);
      break;
    case 4:
      l.preferred_surname = std::string(v);
      break;
    case 5: {
      absl::StatusOr<std::optional<Date>> d = DateFromText(v);
      if (!d.ok()) return d.status();
      l.date_of_birth = *d;
      break;
    }
    case 6:
      l.gender = std::string(v);
      break;
    case 7:
      l.upn = std::string(v);
      break;
    case 8:
      l.year_group = std::string(v);
      break;
    case 9:
      l.registration_group = std::string(v);
      break;
    case 10:
      l.classes.clear();
      if (!v.empty()) {
        for (absl::string_view c : absl::StrSplit(v, kClassSep)) {
          l.classes.emplace_back(c);
        }
      }
      break;
    case 11:
      l.email = std::string(v);
      break;
    case 12:
      l.mis_id = std::string(v);
      break;
    case 13: {
      absl::StatusOr<SyncState> st = SyncStateFromText(v);
      if (!st.ok()) return st.status();
      l.sync_state = *st;
      break;
    }
    default:
      return absl::InternalError(
          absl::StrCat("database holds audit field ", i));
  }
  return absl::OkStatus();
}

// Backslash and the separators are escaped as \\ and \x1c.. -> \c \d \e \f.
// The separators are the four bytes 0x1c..0x1f, so a byte needs escaping
// when it is a backslash or one of those four: two comparisons per byte.
void AppendAuditText(std::string* out, absl::string_view v) {
  size_t run = 0;  // start of the characters not yet copied
  for (size_t i = 0; i < v.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(v[i]);
    if (c != '\\' && static_cast<unsigned char>(c - kEntrySep) > 3) continue;
    out->append(v.data() + run, i - run);
    run = i + 1;
    out->push_back('\\');
    out->push_back(c == '\\' ? '\\' : static_cast<char>('c' + (c - kEntrySep)));
  }
  out->append(v.data() + run, v.size() - run);
}

std::string UnescapeAudit(absl::string_view v) {
  std::string out;
  out.reserve(v.size());
  for (size_t i = 0; i < v.size(); ++i) {
    if (v[i] == '\\' && i + 1 < v.size()) {
      char n = v[++i];
      out.push_back(n == 'c'   ? kEntrySep
                    : n == 'd' ? kClassSep
                    : n == 'e' ? kItemSep
                    : n == 'f' ? kFieldSep
                               : n);
    } else {
      out.push_back(v[i]);
    }
  }
  return out;
}

// Splits on `sep` where it is not escaped (escapes never produce a raw
// separator, so a plain split is exact).
std::vector<absl::string_view> SplitRaw(absl::string_view s, char sep) {
  return absl::StrSplit(s, sep);
}

// The text fields as held, without a copy: every field but the date (5), the
// classes (10) and the sync state (13).
absl::string_view HeldText(const HubLearner& l, int i) {
  switch (i) {
    case 0:
      return l.id;
    case 1:
      return l.legal_forename;
    case 2:
      return l.legal_surname;
    case 3:
      return l.preferred_forename;
    case 4:
      return l.preferred_surname;
    case 6:
      return l.gender;
    case 7:
      return l.upn;
    case 8:
      return l.year_group;
    case 9:
      return l.registration_group;
    case 11:
      return l.email;
    case 12:
      return l.mis_id;
  }
  return {};
}

// Whether field i has the same audit text in a and b.
bool SameAuditField(const HubLearner& a, const HubLearner& b, int i) {
  switch (i) {
    case 5:
      return a.date_of_birth == b.date_of_birth;
    case 10:
      return a.classes == b.classes;
    case 13:
      return a.sync_state == b.sync_state;
  }
  return HeldText(a, i) == HeldText(b, i);
}

void AppendAuditField(std::string* out, const HubLearner& l, int i) {
  switch (i) {
    case 5:
      if (l.date_of_birth) out->append(FormatDate(*l.date_of_birth));
      return;
    case 10:
      // Class names are escaped one by one, joined with a raw kClassSep.
      for (size_t c = 0; c < l.classes.size(); ++c) {
        if (c) out->push_back(kClassSep);
        AppendAuditText(out, l.classes[c]);
      }
      return;
    case 13: {
      const absl::string_view state = ToText(l.sync_state);
      out->append(state.data(), state.size());
    }
      return;
  }
  AppendAuditText(out, HeldText(l, i));
}

absl::StatusOr<HubLearner> DecodeFields(HubLearner l, absl::string_view s,
                                        bool delta) {
  if (s.empty()) return l;
  for (absl::string_view item : SplitRaw(s, delta ? kItemSep : kFieldSep)) {
    int index = 0;
    absl::string_view value = item;
    if (delta) {
      size_t eq = item.find(kFieldSep);
      if (eq == absl::string_view::npos ||
          !absl::SimpleAtoi(item.substr(0, eq), &index)) {
        return absl::InternalError("database holds a malformed audit delta");
      }
      value = item.substr(eq + 1);
    }
    if (index < 0 || index >= kAuditFields) {
      return absl::InternalError("database holds a malformed audit record");
    }
    if (index == 10) {
      l.classes.clear();
      if (!value.empty()) {
        for (absl::string_view c : SplitRaw(value, kClassSep)) {
          l.classes.push_back(UnescapeAudit(c));
        }
      }
    } else if (absl::Status st = SetAuditField(l, index, UnescapeAudit(value));
               !st.ok()) {
      return st;
    }
    if (!delta) ++index;
  }
  return l;
}

}  // namespace

void EncodeAuditLearner(std::string* out, const HubLearner& l) {
  for (int i = 0; i < kAuditFields; ++i) {
    if (i) out->push_back(kFieldSep);
    AppendAuditField(out, l, i);
  }
}

void EncodeAuditDelta(std::string* out, const HubLearner& before,
                      const HubLearner& after) {
  bool first = true;
  for (int i = 0; i < kAuditFields; ++i) {
    if (SameAuditField(before, after, i)) continue;
    if (!first) out->push_back(kItemSep);
    first = false;
    if (i >= 10) out->push_back('1');  // i < kAuditFields = 14
    out->push_back(static_cast<char>('0' + i % 10));
    out->push_back(kFieldSep);
    AppendAuditField(out, after, i);
  }
}

absl::StatusOr<HubLearner> DecodeAuditLearner(absl::string_view s) {
  // Positional: field i is the i-th item.
  HubLearner l;
  std::vector<absl::string_view> items = SplitRaw(s, kFieldSep);
  if (items.size() != kAuditFields) {
    return absl::InternalError("database holds a malformed audit learner");
  }
  for (int i = 0; i < kAuditFields; ++i) {
    if (i == 10) {
      if (!items[i].empty()) {
        for (absl::string_view c : SplitRaw(items[i], kClassSep)) {
          l.classes.push_back(UnescapeAudit(c));
        }
      }
      continue;
    }
    if (absl::Status st = SetAuditField(l, i, UnescapeAudit(items[i]));
        !st.ok()) {
      return st;
    }
  }
  return l;
}

absl::StatusOr<HubLearner> ApplyAuditDelta(HubLearner before,
                                           absl::string_view delta) {
  return DecodeFields(std::move(before), delta, /*delta=*/true);
}

void PackedAudit::Add(absl::string_view verb, absl::string_view learner_id,
                      absl::string_view before, absl::string_view delta) {
  if (count++ > 0) {
    befores.push_back(kEntrySep);
    afters.push_back(kEntrySep);
  }
  befores.append(before.data(), before.size());
  afters.append(verb.data(), verb.size());
  afters.push_back(kFieldSep);
  AppendAuditText(&afters, learner_id);
  afters.push_back(kFieldSep);
  afters.append(delta.data(), delta.size());
}

void PackedAudit::Clear() {
  befores.clear();
  afters.clear();
  count = 0;
}

absl::StatusOr<std::vector<PackedAuditEntry>> UnpackAudit(
    absl::string_view befores, absl::string_view afters) {
  const std::vector<absl::string_view> b = SplitRaw(befores, kEntrySep);
  const std::vector<absl::string_view> a = SplitRaw(afters, kEntrySep);
  if (a.size() != b.size()) {
    return absl::InternalError(
        "database holds a malformed packed audit record");
  }
  std::vector<PackedAuditEntry> out(a.size());
  for (size_t k = 0; k < a.size(); ++k) {
    // verb US learner_id US delta; the delta may hold more US characters.
    const size_t v = a[k].find(kFieldSep);
    const size_t l =
        v == absl::string_view::npos ? v : a[k].find(kFieldSep, v + 1);
    if (l == absl::string_view::npos || v == 0) {
      return absl::InternalError(
          "database holds a malformed packed audit entry");
    }
    out[k].verb = a[k].substr(0, v);
    out[k].learner_id = UnescapeAudit(a[k].substr(v + 1, l - v - 1));
    out[k].before = b[k];
    out[k].delta = a[k].substr(l + 1);
  }
  return out;
}

void AppendJsonString(std::string* out, absl::string_view s) {
  out->push_back('"');
  size_t run = 0;  // start of the current run of characters copied as is
  for (size_t i = 0; i < s.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;  // UTF-8 passes through
    out->append(s.data() + run, i - run);
    run = i + 1;
    switch (c) {
      case '"':
        out->append("\\\"");
        break;
      case '\\':
        out->append("\\\\");
        break;
      case '\n':
        out->append("\\n");
        break;
      case '\r':
        out->append("\\r");
        break;
      case '\t':
        out->append("\\t");
        break;
      default: {
        char buf[8];
        std::snprintf(buf, sizeof buf, "\\u%04x", c);
        out->append(buf);
      }
    }
  }
  out->append(s.data() + run, s.size() - run);
  out->push_back('"');
}

std::string JsonString(absl::string_view s) {
  std::string out;
  AppendJsonString(&out, s);
  return out;
}

void AppendLearnerJson(std::string* out, const HubLearner& l) {
  // Keys need no escaping; values do.
  auto field = [out](absl::string_view key, absl::string_view value) {
    out->append(key.data(), key.size());
    AppendJsonString(out, value);
  };
  out->reserve(out->size() + 320);
  field("{\"id\":", l.id);
  field(",\"legal_forename\":", l.legal_forename);
  field(",\"legal_surname\":", l.legal_surname);
  field(",\"preferred_forename\":", l.preferred_forename);
  field(",\"preferred_surname\":", l.preferred_surname);
  out->append(",\"date_of_birth\":");
  if (l.date_of_birth) {
    AppendJsonString(out, FormatDate(*l.date_of_birth));
  } else {
    out->append("null");
  }
  field(",\"gender\":", l.gender);
  field(",\"upn\":", l.upn);
  field(",\"year_group\":", l.year_group);
  field(",\"registration_group\":", l.registration_group);
  out->append(",\"classes\":[");
  for (size_t i = 0; i < l.classes.size(); ++i) {
    if (i) out->push_back(',');
    AppendJsonString(out, l.classes[i]);
  }
  out->push_back(']');
  field(",\"email\":", l.email);
  field(",\"mis_id\":", l.mis_id);
  field(",\"sync_state\":", SyncStateName(l.sync_state));
  out->push_back('}');
}

std::string LearnerJson(const HubLearner& l) {
  std::string out;
  AppendLearnerJson(&out, l);
  return out;
}

}  // namespace hubsync::storage
