#include "common/classify.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <thread>
#include <tuple>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/blocking.h"
#include "common/match_score.h"
#include "common/normalise.h"
#include "common/year_group.h"

namespace hubsync {
namespace {

// Scores closer than this are a tie: no pair is made on either side.
constexpr double kTieMargin = 0.5;
constexpr char kTieReason[] =
    "Two records fit equally well (twins?), so no pair was made: match by hand.";

std::string CanonicalOrTrimmed(std::string_view raw) {
  std::string_view t = TrimAscii(raw);
  return CanonicalYearGroup(t).value_or(std::string(t));
}

class ScopeTest {
 public:
  explicit ScopeTest(const Scope& scope) : kind_(scope.kind) {
    for (const std::string& v : scope.values) {
      values_.insert(kind_ == ScopeKind::kYearGroups
                         ? CanonicalOrTrimmed(v)
                         : std::string(TrimAscii(v)));
    }
  }
  template <typename L>
  bool InScope(const L& l) const {
    switch (kind_) {
      case ScopeKind::kAll:
        return true;
      case ScopeKind::kYearGroups:
        return values_.contains(CanonicalOrTrimmed(l.year_group));
      case ScopeKind::kRegistrationGroups:
        return values_.contains(std::string(TrimAscii(l.registration_group)));
    }
    return false;
  }

 private:
  ScopeKind kind_;
  absl::flat_hash_set<std::string> values_;
};

// Rows sort by normalised surname, then forename, then id, so that the
// order of the input never shows in the output.
using SortKey = std::tuple<std::string, std::string, std::string>;

template <typename L>
SortKey NameOrder(const L& l, const std::string& id) {
  return {NormaliseName(l.legal_surname), NormaliseName(l.legal_forename), id};
}

// Numbers rows 1..N and hands them to on_batch in groups of batch_size.
class Emitter {
 public:
  Emitter(const std::function<void(std::vector<Row>)>& on_batch, size_t batch)
      : on_batch_(on_batch), batch_size_(std::max<size_t>(1, batch)) {}

  void Add(Row row) {
    row.row_id = static_cast<int64_t>(all_.size()) + 1;
    all_.push_back(std::move(row));
    if (all_.size() - flushed_ >= batch_size_) Flush();
  }
  void Flush() {
    if (!on_batch_ || flushed_ == all_.size()) return;
    on_batch_(std::vector<Row>(all_.begin() + flushed_, all_.end()));
    flushed_ = all_.size();
  }
  std::vector<Row> Finish() {
    Flush();
    return std::move(all_);
  }

 private:
  const std::function<void(std::vector<Row>)>& on_batch_;
  const size_t batch_size_;
  std::vector<Row> all_;
  size_t flushed_ = 0;
};

struct Candidate {
  int hub = 0;  // index into the unlinked hub list
  int mis = 0;  // index into the candidate MIS list
  PairScore score;
  bool matched = false;    // strong evidence and no close rival
  bool contested = false;  // a rival within kRivalMargin
};

// Scores every blocked pair and keeps the candidates, marking each as
// contested (a rival within kRivalMargin on either side) and matched.
std::vector<Candidate> FindCandidates(const std::vector<PreparedLearner>& hubs,
                                      const std::vector<PreparedLearner>& mis,
                                      ClassifyStats* stats) {
  const BlockIndex index(mis);
  // Hub learners are scored in contiguous slices, one per thread, and the
  // slices joined in order: the same candidates whatever the thread count.
  const size_t threads = std::clamp<size_t>(
      std::thread::hardware_concurrency(), 1, hubs.size() < 4096 ? 1 : 8);
  std::vector<std::vector<Candidate>> parts(threads);
  std::vector<int64_t> capped(threads, 0), scored(threads, 0);
  auto work = [&](size_t t) {
    const size_t begin = hubs.size() * t / threads;
    const size_t end = hubs.size() * (t + 1) / threads;
    for (size_t i = begin; i < end; ++i) {
      for (int j : index.Lookup(hubs[i], &capped[t])) {
        if (ScoreUpperBound(hubs[i], mis[j]) < kMayMatchThreshold) continue;
        ++scored[t];
        PairScore s = ScorePair(hubs[i], mis[j]);
        if (IsCandidate(s)) parts[t].push_back({static_cast<int>(i), j, std::move(s)});
      }
    }
  };
  std::vector<std::thread> pool;
  for (size_t t = 1; t < threads; ++t) pool.emplace_back(work, t);
  work(0);
  for (std::thread& th : pool) th.join();
  std::vector<Candidate> out;
  for (size_t t = 0; t < threads; ++t) {
    for (Candidate& c : parts[t]) out.push_back(std::move(c));
    if (stats != nullptr) {
      stats->capped_lookups += capped[t];
      stats->pairs_scored += scored[t];
    }
  }
  // The two best scores per learner decide whether a pair has a rival.
  struct Top {
    double first = -1e9, second = -1e9;
  };
  std::vector<Top> hub_top(hubs.size()), mis_top(mis.size());
  auto note = [](Top& t, double v) {
    if (v > t.first) {
      t.second = t.first;
      t.first = v;
    } else if (v > t.second) {
      t.second = v;
    }
  };
  for (const Candidate& c : out) {
    note(hub_top[c.hub], c.score.score);
    note(mis_top[c.mis], c.score.score);
  }
  for (Candidate& c : out) {
    const double v = c.score.score;
    // The best other score: the runner-up if this pair is the best, else the
    // best (a tie for first counts as a rival).
    auto other = [v](const Top& t) {
      return v >= t.first ? t.second : t.first;
    };
    c.contested = other(hub_top[c.hub]) >= v - kRivalMargin ||
                  other(mis_top[c.mis]) >= v - kRivalMargin;
    c.matched = !c.contested && MeetsMatchedRule(c.score);
  }
  return out;
}

}  // namespace

std::vector<Row> Classify(const std::vector<HubLearner>& hub,
                          const std::vector<MisLearner>& mis,
                          const Scope& scope,
                          const std::function<void(std::vector<Row>)>& on_batch,
                          const ClassifyOptions& options) {
  const ScopeTest scope_test(scope);
  Emitter emit(on_batch, options.batch_size);

  // In-scope MIS learners by id (the first record wins a duplicate id).
  absl::flat_hash_map<std::string, int> mis_in_scope;
  for (size_t j = 0; j < mis.size(); ++j) {
    if (scope_test.InScope(mis[j])) mis_in_scope.try_emplace(mis[j].mis_id, j);
  }

  // 1. Linked hub learners: Synced or Desynced. If two hub learners link the
  // same MIS record, the SYNCED one (then the lower id) keeps it.
  std::vector<int> linked, unlinked;
  absl::flat_hash_set<std::string> linked_mis;
  for (size_t i = 0; i < hub.size(); ++i) {
    const bool is_linked =
        hub[i].sync_state != SyncState::kUnsynced && !hub[i].mis_id.empty();
    (is_linked ? linked : unlinked).push_back(static_cast<int>(i));
    if (is_linked) linked_mis.insert(hub[i].mis_id);
  }
  std::sort(linked.begin(), linked.end(), [&](int a, int b) {
    return std::make_pair(hub[a].sync_state != SyncState::kSynced, hub[a].id) <
           std::make_pair(hub[b].sync_state != SyncState::kSynced, hub[b].id);
  });
  std::vector<std::pair<SortKey, Row>> synced, desynced;
  absl::flat_hash_set<std::string> claimed;
  for (int i : linked) {
    const HubLearner& h = hub[i];
    auto it = mis_in_scope.find(h.mis_id);
    Row row;
    row.hub_learner_id = h.id;
    if (it != mis_in_scope.end() && claimed.insert(h.mis_id).second) {
      row.status = RowStatus::kSynced;
      row.mis_id = h.mis_id;
      row.explanation = Explain(h, mis[it->second]);
      row.explanation.reason =
          absl::StrCat("Linked by an earlier sync. ", row.explanation.reason);
      synced.emplace_back(NameOrder(h, h.id), std::move(row));
    } else if (scope_test.InScope(h)) {
      row.status = RowStatus::kDesynced;
      row.explanation.reason =
          it != mis_in_scope.end()
              ? "Another hub learner is linked to the same MIS record."
              : "The linked MIS record is not in the MIS data for this scope.";
      desynced.emplace_back(NameOrder(h, h.id), std::move(row));
    }
  }
  for (auto* group : {&synced, &desynced}) {
    std::sort(group->begin(), group->end(),
              [](const auto& a, const auto& b) { return a.first < b.first; });
    for (auto& [key, row] : *group) emit.Add(std::move(row));
  }

  // 2. Pairs: unlinked hub learners (any scope) x in-scope MIS learners
  // that no hub learner links to. Everything is normalised once here.
  std::vector<int> free_mis;
  for (size_t j = 0; j < mis.size(); ++j) {
    auto it = mis_in_scope.find(mis[j].mis_id);
    if (it != mis_in_scope.end() && it->second == static_cast<int>(j) &&
        !linked_mis.contains(mis[j].mis_id)) {
      free_mis.push_back(static_cast<int>(j));
    }
  }
  std::vector<PreparedLearner> hub_p, mis_p;
  hub_p.reserve(unlinked.size());
  mis_p.reserve(free_mis.size());
  for (int i : unlinked) hub_p.push_back(Prepare(hub[i]));
  for (int j : free_mis) mis_p.push_back(Prepare(mis[j]));
  std::vector<Candidate> cands = FindCandidates(hub_p, mis_p, options.stats);

  // One-to-one, greedily: strongest decision, then score, then ids, so the
  // result does not depend on input order.
  auto order = [&](const Candidate& c) {
    return std::make_tuple(!c.matched, -c.score.score,
                           std::string_view(hub_p[c.hub].id),
                           std::string_view(mis_p[c.mis].id));
  };
  std::sort(cands.begin(), cands.end(),
            [&](const Candidate& a, const Candidate& b) {
              return order(a) < order(b);
            });
  std::vector<bool> hub_paired(hub_p.size()), mis_paired(mis_p.size());
  std::vector<bool> hub_tied(hub_p.size()), mis_tied(mis_p.size());
  // Each hub learner's candidates, to spot a tie with a MIS learner still
  // free.
  std::vector<std::vector<int>> by_hub(hub_p.size());
  for (size_t k = 0; k < cands.size(); ++k) {
    by_hub[cands[k].hub].push_back(static_cast<int>(k));
  }
  // A tie between two MIS learners still free blocks the pair: the MIS is
  // the authority, so they are two different children (twins, often). Two
  // hub records tied for one MIS learner are usually one child entered
  // twice; one of them is offered as May match, as the contract asks.
  auto tied = [&](const Candidate& c) {
    for (int k : by_hub[c.hub]) {
      const Candidate& o = cands[k];
      if (&o != &c && !mis_paired[o.mis] &&
          std::abs(o.score.score - c.score.score) < kTieMargin) {
        return true;
      }
    }
    return false;
  };
  std::vector<std::pair<SortKey, Row>> matched, may_match;
  for (Candidate& c : cands) {
    if (hub_paired[c.hub] || mis_paired[c.mis]) continue;
    if (tied(c)) {
      // Two partners fit equally well (a twin, say): picking one by id
      // would be a coin toss on a child's record. Neither side is paired;
      // the admin can Match by hand.
      hub_paired[c.hub] = mis_paired[c.mis] = true;
      hub_tied[c.hub] = mis_tied[c.mis] = true;
      continue;
    }
    hub_paired[c.hub] = mis_paired[c.mis] = true;
    const HubLearner& h = hub[unlinked[c.hub]];
    Row row;
    row.status = c.matched ? RowStatus::kMatched : RowStatus::kMayMatch;
    row.hub_learner_id = h.id;
    row.mis_id = mis_p[c.mis].id;
    row.explanation = Describe(c.score);
    if (c.contested) {
      absl::StrAppend(&row.explanation.reason,
                      absl::StrFormat(" Another record scores within %.0f "
                                      "points, so check this pair.",
                                      kRivalMargin));
    }
    (c.matched ? matched : may_match)
        .emplace_back(NameOrder(h, h.id), std::move(row));
  }

  // 3. What is left: in-scope hub learners Not matched, MIS learners New.
  std::vector<std::pair<SortKey, Row>> not_matched, new_rows;
  for (size_t k = 0; k < hub_p.size(); ++k) {
    const HubLearner& h = hub[unlinked[k]];
    if (!hub_tied[k] && (hub_paired[k] || !scope_test.InScope(h))) continue;
    Row row;
    row.status = RowStatus::kNotMatched;
    row.hub_learner_id = h.id;
    if (hub_tied[k]) row.explanation.reason = kTieReason;
    not_matched.emplace_back(NameOrder(h, h.id), std::move(row));
  }
  for (size_t k = 0; k < mis_p.size(); ++k) {
    if (mis_paired[k] && !mis_tied[k]) continue;
    const MisLearner& m = mis[free_mis[k]];
    Row row;
    row.status = RowStatus::kNew;
    row.mis_id = m.mis_id;
    if (mis_tied[k]) row.explanation.reason = kTieReason;
    new_rows.emplace_back(NameOrder(m, m.mis_id), std::move(row));
  }
  for (auto* group : {&matched, &may_match, &not_matched, &new_rows}) {
    std::sort(group->begin(), group->end(),
              [](const auto& a, const auto& b) { return a.first < b.first; });
    for (auto& [key, row] : *group) emit.Add(std::move(row));
  }
  return emit.Finish();
}

Explanation Explain(const HubLearner& hub, const MisLearner& mis) {
  return Describe(ScorePair(Prepare(hub), Prepare(mis)));
}

}  // namespace hubsync
