// hubsync_eval: generates a synthetic school with ground truth
// (tests/synth/synth.h), runs the real classifier on it (all learners in
// scope) and prints how right it was. See docs/MATCHING.md.
//
//   hubsync_eval [--size N] [--seed S] [--worst K] [--classify 0|1] [--hard
//   0|1]
//
// --hard 1: surnames from the 313-name table only (no long tail): every
// surname far commoner than in life, the stress profile of earlier rounds.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "common/blocking.h"
#include "common/classify.h"
#include "common/import_checks.h"
#include "common/match_score.h"
#include "tests/synth/synth.h"

namespace hubsync::synth {
namespace {

struct Flags {
  uint64_t size = 20000;
  uint64_t seed = 1;
  uint64_t worst = 5;
  uint64_t classify = 1;  // 0: only time the generator
  uint64_t hard = 0;      // 1: Profile::surname_tail_share = 0
};

bool ParseFlags(int argc, char** argv, Flags* f) {
  for (int i = 1; i < argc; ++i) {
    const std::string_view a = argv[i];
    uint64_t* target = a == "--size"       ? &f->size
                       : a == "--seed"     ? &f->seed
                       : a == "--worst"    ? &f->worst
                       : a == "--classify" ? &f->classify
                       : a == "--hard"     ? &f->hard
                                           : nullptr;
    if (target == nullptr || i + 1 >= argc ||
        !absl::SimpleAtoi(Av(argv[i + 1]), target)) {
      std::fprintf(stderr,
                   "usage: hubsync_eval [--size N] [--seed S] [--worst K] "
                   "[--classify 0|1] "
                   "[--hard 0|1]\n"
                   "bad or incomplete argument: %s\n",
                   argv[i]);
      return false;
    }
    ++i;
  }
  return f->size > 0;
}

double Ms(std::chrono::steady_clock::duration d) {
  return std::chrono::duration<double, std::milli>(d).count();
}

double Pct(double num, double den) { return den > 0 ? 100.0 * num / den : 0; }

std::string FlagNames(uint32_t flags) {
  std::vector<std::string> names;
  for (int b = 0; b < kPerturbationBits; ++b) {
    if (flags & (1u << b)) names.push_back(PerturbationName(1u << b));
  }
  return names.empty() ? "none" : absl::StrJoin(names, ",");
}

template <typename L>
std::string Describe(const L& l) {
  return absl::StrFormat(
      "%s %s%s, %s, UPN %s, year %s %s", l.legal_forename, l.legal_surname,
      l.preferred_forename.empty()
          ? ""
          : absl::StrCat(" (", l.preferred_forename, ")"),
      l.date_of_birth ? FormatDate(*l.date_of_birth) : "no dob",
      l.upn.empty() ? "-" : l.upn, l.year_group, l.registration_group);
}

struct Mistake {
  double score = 0;
  std::string text;
};

void PrintWorst(const char* title, std::vector<Mistake> v, size_t k) {
  std::sort(v.begin(), v.end(), [](const Mistake& a, const Mistake& b) {
    return a.score != b.score ? a.score > b.score : a.text < b.text;
  });
  std::printf("\n%s: %zu%s\n", title, v.size(),
              v.empty() ? ""
                        : absl::StrCat(" (highest score first, ",
                                       std::min(k, v.size()), " shown)")
                              .c_str());
  for (size_t i = 0; i < v.size() && i < k; ++i) {
    std::printf("  %s\n", v[i].text.c_str());
  }
}

// Why a true pair was missed, as the classifier's own parts see it: its MIS
// record was linked to another hub learner, the pair scores below the
// May-match rules, blocking never offered it, the hub learner was tied
// between two records, or another pair took one side first.
enum Miss {
  kMissLinked,
  kMissScore,
  kMissBlocking,
  kMissTie,
  kMissTaken,
  kMissKinds
};
constexpr const char* kMissNames[] = {
    "MIS record linked to another hub learner",
    "not a candidate (score or veto)", "not offered by blocking",
    "tied between two MIS records", "taken by another pair"};

class MissDiagnosis {
 public:
  explicit MissDiagnosis(const School& s) {
    absl::flat_hash_set<std::string> linked;
    for (const HubLearner& h : s.hub) {
      if (h.sync_state != SyncState::kUnsynced && !h.mis_id.empty())
        linked.insert(h.mis_id);
    }
    for (const MisLearner& m : s.mis) {
      if (linked.contains(m.mis_id)) continue;
      free_[m.mis_id] = static_cast<int>(prepared_.size());
      prepared_.push_back(Prepare(m));
    }
    index_ = std::make_unique<BlockIndex>(prepared_);
  }
  Miss Why(const HubLearner& h, const std::string& true_mis,
           const Row& row) const {
    auto it = free_.find(true_mis);
    if (it == free_.end()) return kMissLinked;
    const PreparedLearner hp = Prepare(h);
    if (!IsCandidate(ScorePair(hp, prepared_[it->second]))) return kMissScore;
    int64_t capped = 0;
    const std::vector<int> block = index_->Lookup(hp, &capped);
    if (!std::binary_search(block.begin(), block.end(), it->second) ||
        ScoreUpperBound(hp, prepared_[it->second]) < kMayMatchThreshold) {
      return kMissBlocking;
    }
    return row.explanation.reason().rfind("Two records fit", 0) == 0
               ? kMissTie
               : kMissTaken;
  }

 private:
  std::vector<PreparedLearner> prepared_;
  absl::flat_hash_map<std::string, int> free_;
  std::unique_ptr<BlockIndex> index_;
};

int Run(const Flags& flags) {
  const auto t0 = std::chrono::steady_clock::now();
  Profile profile;
  if (flags.hard != 0) profile.surname_tail_share = 0;
  absl::StatusOr<School> generated = Generate(flags.size, flags.seed, profile);
  if (!generated.ok()) {
    std::fprintf(stderr, "%s\n", generated.status().ToString().c_str());
    return 1;
  }
  const School& s = *generated;
  const auto t1 = std::chrono::steady_clock::now();
  if (flags.classify == 0) {
    std::printf("generated %zu MIS and %zu hub learners in %.0f ms\n",
                s.mis.size(), s.hub.size(), Ms(t1 - t0));
    return 0;
  }
  ClassifyStats stats;
  const std::vector<Row> rows =
      Classify(s.hub, s.mis, Scope{}, nullptr, {.stats = &stats});
  const auto t2 = std::chrono::steady_clock::now();

  absl::flat_hash_map<std::string, const MisLearner*> mis_by_id;
  for (const MisLearner& m : s.mis) mis_by_id[m.mis_id] = &m;
  absl::flat_hash_map<std::string, const HubLearner*> hub_by_id;
  for (const HubLearner& h : s.hub) hub_by_id[h.id] = &h;
  absl::flat_hash_map<std::string, std::string> twin_of;
  for (const auto& [a, b] : s.twin_pairs) {
    twin_of[a] = b;
    twin_of[b] = a;
  }

  // Per status, and the outcome of every hub record.
  size_t by_status[6] = {};
  size_t matched_ok = 0, may_ok = 0, twin_matched = 0, twin_may = 0;
  size_t linked_wrong = 0;
  absl::flat_hash_map<std::string, const Row*> row_of_hub;
  std::vector<Mistake> wrong_matched, wrong_may, missed;
  for (const Row& r : rows) {
    ++by_status[static_cast<int>(r.status)];
    if (r.hub_learner_id.empty()) continue;
    row_of_hub[r.hub_learner_id] = &r;
    const Truth& t = s.truth.at(r.hub_learner_id);
    if (r.status == RowStatus::kSynced || r.status == RowStatus::kDesynced) {
      const bool ok = t.linked && (r.status == RowStatus::kSynced
                                       ? r.mis_id == t.mis_id
                                       : !mis_by_id.contains(t.mis_id));
      linked_wrong += !ok;
      continue;
    }
    if (r.status != RowStatus::kMatched && r.status != RowStatus::kMayMatch) {
      continue;
    }
    const bool matched = r.status == RowStatus::kMatched;
    if (r.mis_id == t.mis_id) {
      (matched ? matched_ok : may_ok)++;
      continue;
    }
    auto twin = twin_of.find(t.mis_id);
    if (twin != twin_of.end() && twin->second == r.mis_id) {
      (matched ? twin_matched : twin_may)++;
    }
    (matched ? wrong_matched : wrong_may)
        .push_back({r.explanation.score(),
                    absl::StrFormat(
                        "%.1f  hub %s [%s]\n        mis %s%s\n"
                        "        %s",
                        r.explanation.score(),
                        Describe(*hub_by_id.at(r.hub_learner_id)),
                        FlagNames(t.flags), Describe(*mis_by_id.at(r.mis_id)),
                        t.mis_id.empty() ? " (hub child not on MIS)" : "",
                        r.explanation.reason())});
  }

  // True pairs: unlinked hub records whose child is on the MIS.
  size_t true_pairs = 0, no_dob_no_upn = 0;
  // May match rows and true pairs among hub records that have a date of
  // birth or a UPN: the pairs the contract allows to be Matched at all.
  size_t may_matchable = 0, true_matchable = 0;
  for (const Row& r : rows) {
    if (r.status != RowStatus::kMayMatch) continue;
    const HubLearner& h = *hub_by_id.at(r.hub_learner_id);
    may_matchable += h.date_of_birth.has_value() || !h.upn.empty();
  }
  // What the contract's "a missing date of birth is May match" costs, for
  // the product decision docs/MATCHING.md asks for: May match rows whose
  // hub record has neither a date of birth nor a UPN, whose normalised
  // legal names are identical, whose UPNs and genders do not contradict,
  // whose year group is this year's or last year's and which no rival
  // contests. Were these Matched, `n` rows would leave the admin's review
  // and `wrong` of them would pair two different children unasked.
  // `same_group` also asks the registration group to agree.
  struct NoDobRule {
    size_t n = 0, wrong = 0;
  } no_dob_year, no_dob_group, no_dob_near;
  auto agrees = [](WeakLevel l) {
    return l == WeakLevel::kExact || l == WeakLevel::kLastYear;
  };
  for (const Row& r : rows) {
    if (r.status != RowStatus::kMayMatch) continue;
    const HubLearner& h = *hub_by_id.at(r.hub_learner_id);
    if (h.date_of_birth.has_value() || !h.upn.empty()) continue;
    const std::string& reason = r.explanation.reason();
    if (reason.find("Another record scores within") != std::string::npos)
      continue;
    const PairScore ps =
        ScorePair(Prepare(h), Prepare(*mis_by_id.at(r.mis_id)));
    if (ps.dob != DobLevel::kMissing || ps.upn == UpnLevel::kDifferent ||
        ps.gender == WeakLevel::kDifferent || !agrees(ps.year_group) ||
        ps.names_swapped) {
      continue;
    }
    const bool wrong = s.truth.at(h.id).mis_id != r.mis_id;
    const bool near_forename =
        ps.forename == NameLevel::kExact ||
        ps.forename == NameLevel::kNickname ||
        (ps.forename == NameLevel::kTypo && ps.clear_typo);
    if (ps.surname == NameLevel::kExact && near_forename) {
      no_dob_near.n++;
      no_dob_near.wrong += wrong;
    }
    if (!ps.identical_legal_names) continue;
    no_dob_year.n++;
    no_dob_year.wrong += wrong;
    if (agrees(ps.registration_group)) {
      no_dob_group.n++;
      no_dob_group.wrong += wrong;
    }
  }
  size_t miss_kinds[kMissKinds] = {};
  const MissDiagnosis diagnosis(s);
  struct PerBit {
    size_t n = 0, matched = 0, may = 0;
  } per_bit[kPerturbationBits];
  for (const HubLearner& h : s.hub) {
    const Truth& t = s.truth.at(h.id);
    if (t.linked || t.mis_id.empty()) continue;
    ++true_pairs;
    no_dob_no_upn += (t.flags & kMissingDob) && (t.flags & kMissingUpn);
    true_matchable += h.date_of_birth.has_value() || !h.upn.empty();
    const Row* r = row_of_hub.at(h.id);
    const bool found = r->mis_id == t.mis_id;
    for (int b = 0; b < kPerturbationBits; ++b) {
      if (!(t.flags & (1u << b))) continue;
      per_bit[b].n++;
      per_bit[b].matched += found && r->status == RowStatus::kMatched;
      per_bit[b].may += found && r->status == RowStatus::kMayMatch;
    }
    if (found) continue;
    const Miss why = diagnosis.Why(h, t.mis_id, *r);
    ++miss_kinds[why];
    const Explanation e = Explain(h, *mis_by_id.at(t.mis_id));
    missed.push_back(
        {e.score,
         absl::StrFormat("%.1f  hub %s [%s]\n        mis %s\n"
                         "        %s -> %s%s (%s)",
                         e.score, Describe(h), FlagNames(t.flags),
                         Describe(*mis_by_id.at(t.mis_id)), e.reason,
                         RowStatusName(r->status),
                         r->mis_id.empty() ? "" : " with another record",
                         kMissNames[why])});
  }

  const size_t matched = by_status[static_cast<int>(RowStatus::kMatched)];
  const size_t may = by_status[static_cast<int>(RowStatus::kMayMatch)];
  const double classify_ms = Ms(t2 - t1);
  std::printf("hubsync_eval --size %llu --seed %llu%s\n",
              static_cast<unsigned long long>(flags.size),
              static_cast<unsigned long long>(flags.seed),
              flags.hard != 0 ? " --hard 1 (table surnames only)" : "");
  std::printf("%-44s %12s  %s\n", "metric", "value", "target");
  auto line = [](const char* name, const std::string& v, const char* target) {
    std::printf("%-44s %12s  %s\n", name, v.c_str(), target);
  };
  auto pct = [](double v) { return absl::StrFormat("%.3f %%", v); };
  auto ok = [](bool b) { return b ? " (met)" : " (MISSED)"; };
  line("MIS learners", absl::StrCat(s.mis.size()), "");
  line("hub learners", absl::StrCat(s.hub.size()), "");
  line("true pairs (unlinked hub with a MIS child)", absl::StrCat(true_pairs),
       "");
  line("twin pairs", absl::StrCat(s.twin_pairs.size()), "");
  line("generate (ms)", absl::StrFormat("%.0f", Ms(t1 - t0)), "");
  line("classify (ms)", absl::StrFormat("%.1f", classify_ms),
       s.mis.size() <= 2000 ? (classify_ms <= 50 ? "<= 50 at 2,000 (met)"
                                                 : "<= 50 at 2,000 (MISSED)")
                            : "");
  for (size_t k = 0; k < stats.phase_ms.size(); ++k) {
    const auto& [phase, ms] = stats.phase_ms[k];
    const std::string cpu =
        k < stats.phase_cpu_ms.size()
            ? absl::StrFormat("cpu %.0f", stats.phase_cpu_ms[k])
            : std::string();
    line(absl::StrCat("  ", phase, " (ms)").c_str(),
         absl::StrFormat("%.1f", ms), cpu.c_str());
  }
  line("pairs offered by blocking", absl::StrCat(stats.pairs_visited), "");
  line("hub learners found by exact keys alone",
       absl::StrCat(stats.hubs_outranked), "");
  line("pairs scored / capped lookups",
       absl::StrCat(stats.pairs_scored, " / ", stats.capped_lookups), "");
  const double p_matched = Pct(matched_ok, matched);
  const double p_pairs = Pct(matched_ok + may_ok, matched + may);
  const double recall = Pct(matched_ok + may_ok, true_pairs);
  const double may_share = Pct(may, true_pairs);
  const size_t twin_errors = twin_matched + twin_may;
  line("precision of Matched", pct(p_matched),
       absl::StrCat(">= 99.9 %", ok(p_matched >= 99.9)).c_str());
  line("precision of Matched + May match", pct(p_pairs), "");
  line("recall of Matched + May match", pct(recall),
       absl::StrCat(">= 99.5 %", ok(recall >= 99.5)).c_str());
  line("Matched (right) share of true pairs", pct(Pct(matched_ok, true_pairs)),
       "");
  line("May match share of true pairs (review)", pct(may_share),
       absl::StrCat("<= 5 %", ok(may_share <= 5)).c_str());
  line("true pairs with no DOB and no UPN on hub",
       pct(Pct(no_dob_no_upn, true_pairs)), "May match at best (contract)");
  line("May match share, hub has DOB or UPN",
       pct(Pct(may_matchable, true_matchable)),
       "(pairs the contract lets be Matched)");
  for (const auto& [name, rule] :
       {std::pair{"if no DOB, same names + year were Matched", no_dob_year},
        std::pair{"... + same registration group", no_dob_group},
        std::pair{"if no DOB, near names + year were Matched", no_dob_near}}) {
    const size_t m = matched + rule.n, right = matched_ok + rule.n - rule.wrong;
    line(name, absl::StrFormat("%.3f %%", Pct(may - rule.n, true_pairs)),
         absl::StrFormat("May match share; Matched precision %.3f %% (%zu "
                         "wrong of %zu moved)",
                         Pct(right, m), rule.wrong, rule.n)
             .c_str());
  }
  line("twin errors (crossed Matched / May match)",
       absl::StrCat(twin_matched, " / ", twin_may),
       absl::StrCat("0", ok(twin_errors == 0)).c_str());
  line("wrong Matched / wrong May match",
       absl::StrCat(wrong_matched.size(), " / ", wrong_may.size()), "");
  line("linked learners not Synced/Desynced right", absl::StrCat(linked_wrong),
       "0");
  for (RowStatus st :
       {RowStatus::kSynced, RowStatus::kDesynced, RowStatus::kMatched,
        RowStatus::kMayMatch, RowStatus::kNotMatched, RowStatus::kNew}) {
    line(absl::StrCat("rows ", RowStatusName(st)).c_str(),
         absl::StrCat(by_status[static_cast<int>(st)]), "");
  }
  std::printf("\n%-22s %8s %10s %10s %10s\n", "perturbation", "pairs",
              "Matched", "May match", "missed");
  for (int b = 0; b < kPerturbationBits; ++b) {
    const PerBit& p = per_bit[b];
    if (p.n == 0) continue;
    std::printf("%-22s %8zu %9.1f%% %9.1f%% %9.2f%%\n",
                PerturbationName(1u << b), p.n, Pct(p.matched, p.n),
                Pct(p.may, p.n), Pct(p.n - p.matched - p.may, p.n));
  }
  std::printf("\n%-44s %8s %8s\n", "missed true pairs, why", "pairs",
              "of true");
  for (int k = 0; k < kMissKinds; ++k) {
    std::printf("%-44s %8zu %7.3f%%\n", kMissNames[k], miss_kinds[k],
                Pct(miss_kinds[k], true_pairs));
  }
  PrintWorst("Wrong Matched", std::move(wrong_matched), flags.worst);
  PrintWorst("Wrong May match", std::move(wrong_may), flags.worst);
  PrintWorst("Missed true pairs (scored as the true pair)", std::move(missed),
             flags.worst);
  return 0;
}

}  // namespace
}  // namespace hubsync::synth

int main(int argc, char** argv) {
  hubsync::synth::Flags flags;
  if (!hubsync::synth::ParseFlags(argc, argv, &flags)) return 2;
  return hubsync::synth::Run(flags);
}
