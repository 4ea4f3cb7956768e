#include "common/classify.h"

#include <time.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <memory>
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
#include "common/name_frequencies.h"
#include "common/normalise.h"
#include "common/parallel.h"
#include "common/upn.h"
#include "common/year_group.h"

namespace hubsync {
namespace {

// Scores closer than this are a tie: no pair is made on either side.
constexpr double kTieMargin = 0.5;
constexpr char kTieReason[] =
    "Two records fit equally well (twins?), so no pair was made: match by "
    "hand.";

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
//
// The sort moves 24-byte keys holding each name's first 8 bytes
// (big-endian, so integer order is byte order): most comparisons end there,
// and only names longer than 8 bytes that share those bytes look at the
// full strings.
struct NameKey {
  uint64_t surname8 = 0, forename8 = 0;
  uint32_t index = 0;  // into the full names and `indices`
  bool surname_long = false, forename_long = false;
};

uint64_t Prefix8(const std::string& s) {
  uint64_t p = 0;
  for (size_t b = 0; b < 8; ++b) {
    p = (p << 8) | (b < s.size() ? static_cast<unsigned char>(s[b]) : 0);
  }
  return p;
}

// Sorts `indices` of `ls` by name, then id: on two threads (two sorted
// halves merged) when there are many.
template <typename L, typename IdOf>
void SortByName(const std::vector<L>& ls, IdOf id_of,
                std::vector<int>* indices) {
  const size_t n = indices->size();
  std::vector<std::string> surnames(n), forenames(n);
  std::vector<NameKey> keys(n);
  ParallelFor(n, [&](size_t k) {
    const L& l = ls[(*indices)[k]];
    surnames[k] = NormaliseName(l.legal_surname);
    forenames[k] = NormaliseName(l.legal_forename);
    keys[k] = {Prefix8(surnames[k]), Prefix8(forenames[k]),
               static_cast<uint32_t>(k), surnames[k].size() > 8,
               forenames[k].size() > 8};
  });
  auto less = [&](const NameKey& x, const NameKey& y) {
    if (x.surname8 != y.surname8) return x.surname8 < y.surname8;
    if (x.surname_long || y.surname_long) {
      if (int c = surnames[x.index].compare(surnames[y.index]); c != 0)
        return c < 0;
    }
    if (x.forename8 != y.forename8) return x.forename8 < y.forename8;
    if (x.forename_long || y.forename_long) {
      if (int c = forenames[x.index].compare(forenames[y.index]); c != 0)
        return c < 0;
    }
    return id_of(ls[(*indices)[x.index]]) < id_of(ls[(*indices)[y.index]]);
  };
  ParallelSort(keys.begin(), keys.end(), less);
  std::vector<int> sorted(n);
  for (size_t k = 0; k < n; ++k) sorted[k] = (*indices)[keys[k].index];
  *indices = std::move(sorted);
}

// CPU time used by every thread of the process so far.
double ProcessCpuMs() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e3 +
         static_cast<double>(ts.tv_nsec) / 1e6;
}

// Records the wall and CPU time of consecutive phases in `stats` (when set).
class PhaseClock {
 public:
  explicit PhaseClock(ClassifyStats* stats) : stats_(stats) { Restart(); }
  // Ends the phase begun at the last Mark or Restart, recording it.
  void Mark(const char* phase) {
    const auto now = std::chrono::steady_clock::now();
    const double cpu = ProcessCpuMs();
    if (stats_ != nullptr) {
      stats_->phase_ms.emplace_back(
          phase,
          std::chrono::duration<double, std::milli>(now - start_).count());
      stats_->phase_cpu_ms.push_back(cpu - cpu_start_);
    }
    start_ = now;
    cpu_start_ = cpu;
  }
  // Begins the next phase without recording the time since the last one.
  void Restart() {
    start_ = std::chrono::steady_clock::now();
    cpu_start_ = ProcessCpuMs();
  }

 private:
  ClassifyStats* stats_;
  std::chrono::steady_clock::time_point start_;
  double cpu_start_ = 0;
};

// Which of two linked hub learners (indices into `hub`) comes first for a
// MIS record: SYNCED before DESYNCED, then the lower id. It decides who keeps
// a record several learners link, and the order re-links are decided in.
auto LinkPriority(const std::vector<HubLearner>& hub) {
  return [&hub](int a, int b) {
    const bool a_synced = hub[a].sync_state == SyncState::kSynced;
    const bool b_synced = hub[b].sync_state == SyncState::kSynced;
    if (a_synced != b_synced) return a_synced;
    return hub[a].id < hub[b].id;
  };
}

// Rows waiting to be emitted, each with the rank of the learner it sorts by.
using RankedRows = std::vector<std::pair<int, Row>>;

// Numbers rows 1..N and hands them to on_batch in groups of batch_size.
// With on_batch the rows are moved out, not kept: the caller holds the only
// copy (a million rows with their evidence are hundreds of megabytes).
class Emitter {
 public:
  Emitter(const std::function<void(std::vector<Row>)>& on_batch, size_t batch)
      : on_batch_(on_batch), batch_size_(std::max<size_t>(1, batch)) {}

  void Add(Row row) {
    row.row_id = ++emitted_;
    pending_.push_back(std::move(row));
    if (on_batch_ && pending_.size() >= batch_size_) Flush();
  }
  // Sorts the group by rank and emits it.
  // Ranks are distinct (one per learner), so the order is total; the rows
  // themselves are moved once, not shuffled by the sort.
  void AddSorted(RankedRows* group) {
    std::vector<std::pair<int, uint32_t>> order(group->size());
    for (size_t k = 0; k < order.size(); ++k) {
      order[k] = {(*group)[k].first, static_cast<uint32_t>(k)};
    }
    std::sort(order.begin(), order.end());
    for (const auto& [rank, k] : order) Add(std::move((*group)[k].second));
    RankedRows().swap(*group);
  }
  void Flush() {
    if (!on_batch_ || pending_.empty()) return;
    std::vector<Row> batch;
    batch.swap(pending_);
    pending_.reserve(batch_size_);
    on_batch_(std::move(batch));
  }
  // All rows when there is no on_batch; else none (on_batch had them).
  std::vector<Row> Finish() {
    Flush();
    return std::move(pending_);
  }

 private:
  const std::function<void(std::vector<Row>)>& on_batch_;
  const size_t batch_size_;
  std::vector<Row> pending_;
  int64_t emitted_ = 0;
};

struct Candidate {
  int hub = 0;  // index into the unlinked hub list
  int mis = 0;  // index into the candidate MIS list
  PairScore score;
  bool matched = false;    // strong evidence and no close rival
  bool contested = false;  // a rival within kRivalMargin
};

// Scores every blocked pair and keeps the candidates, marking each as
// contested (a rival within kRivalMargin on either side) and matched. The
// hub learners hub[unlinked[i]] are prepared one at a time as they are
// scored (half a million prepared learners are hundreds of megabytes); the
// MIS side, looked up at random, was prepared in advance (`match`). MIS
// learners with `taken` set (re-linked already) are passed over, and so are
// the pairs in `barred` (i into unlinked, free MIS k) an admin unlinked.
std::vector<Candidate> FindCandidates(
    const std::vector<HubLearner>& hub, const std::vector<int>& unlinked,
    const MatchIndex& match, const std::vector<bool>& taken,
    const absl::flat_hash_set<std::pair<int, int>>& barred,
    ClassifyStats* stats) {
  const std::vector<PreparedLearner>& mis = match.prepared;
  const std::vector<QuickFields>& mis_quick = match.quick;
  const BlockIndex& index = *match.blocks;
  // Hub learners are scored in chunks of consecutive learners, each core
  // taking the next chunk (some names cost far more than others), and the
  // chunks joined in order: the same candidates whatever the thread count.
  const size_t threads = ThreadsFor(unlinked.size());
  constexpr size_t kChunk = 2048;
  std::vector<std::vector<Candidate>> parts((unlinked.size() + kChunk - 1) /
                                            kChunk);
  // Each thread's scratch, made on its first chunk, and its counts, on
  // cache lines of its own (counts bumped per pair on one line shared by
  // both cores would bounce between them):
  // seen[j] == i + 1: MIS learner j was already visited for hub i (it can
  // sit in several of i's blocks).
  // Forename levels by (hub, MIS) forename hash: a block pairs the same few
  // forenames over and over (every Jack Smith against every James Smith),
  // and most pairs end at the forename veto.
  // The MIS learners the blocks offer, in the order offered: gathered first,
  // then tested with the learners a few places on already being fetched
  // (seen[j] and mis_quick[j] are cache misses in a big trust).
  struct alignas(64) Scratch {
    std::vector<uint32_t> seen;
    absl::flat_hash_map<std::pair<uint64_t, uint64_t>, NameLevel> forename_memo;
    std::vector<int> offered;
    int64_t capped = 0, scored = 0, visited = 0, outranked_hubs = 0;
  };
  std::vector<Scratch> scratch(threads);
  ParallelChunks(
      unlinked.size(), kChunk, threads,
      [&](size_t t, size_t c, size_t begin, size_t end) {
        Scratch& mine = scratch[t];
        std::vector<uint32_t>& seen = mine.seen;
        if (seen.empty()) seen.assign(mis.size(), 0);
        auto& forename_memo = mine.forename_memo;
        std::vector<int>& offered = mine.offered;
        std::vector<Candidate>& part = parts[c];
        for (size_t i = begin; i < end; ++i) {
          const PreparedLearner h = Prepare(hub[unlinked[i]]);
          const QuickFields hq = Quick(h);
          const auto stamp = static_cast<uint32_t>(i + 1);
          bool outranked = false;  // a pair the loose keys cannot rival
          auto test = [&](int j) {
            if (seen[j] == stamp || taken[j]) return;
            seen[j] = stamp;
            if (!barred.empty() &&
                barred.contains(std::make_pair(static_cast<int>(i), j))) {
              return;
            }
            ++mine.visited;
            const QuickFields& mq = mis_quick[j];
            if (QuickUpperBound(hq, mq) < kMayMatchThreshold) return;
            if (forename_memo.size() >= (size_t{1} << 20))
              forename_memo.clear();
            auto [it, added] = forename_memo.try_emplace(
                std::make_pair(hq.forename_hash, mq.forename_hash),
                NameLevel::kMissing);
            if (added) it->second = ForenameLevel(h, mis[j]);
            const NameLevel forename = it->second;
            // IsCandidate's veto, decided without scoring the rest.
            if (forename == NameLevel::kDifferent &&
                (hq.upn == 0 || hq.upn != mq.upn) &&
                !QuickMaybeSwapped(hq, mq, h, mis[j])) {
              return;
            }
            ++mine.scored;
            PairScore s = ScorePair(h, mis[j], forename);
            if (!IsCandidate(s)) return;
            if (OutranksLooseRivals(h, s)) outranked = true;
            part.push_back({static_cast<int>(i), j, std::move(s)});
          };
          auto test_offered = [&] {
            constexpr size_t kAhead = 8;
            const size_t n = offered.size();
            for (size_t q = 0; q < n; ++q) {
              if (q + kAhead < n) {
                const int ahead = offered[q + kAhead];
                __builtin_prefetch(&seen[ahead]);
                __builtin_prefetch(&mis_quick[ahead]);
              }
              if (q + kAhead / 2 < n) {
                forename_memo.prefetch(std::make_pair(
                    hq.forename_hash,
                    mis_quick[offered[q + kAhead / 2]].forename_hash));
              }
              test(offered[q]);
            }
            offered.clear();
          };
          index.Visit(
              h, &mine.capped, [&](int j) { offered.push_back(j); },
              [&] {
                test_offered();  // the exact keys' learners
                return !outranked;
              });
          test_offered();
          if (outranked) ++mine.outranked_hubs;
        }
      });
  // The scratch (each core's memo and stamps, tens of megabytes in a big
  // trust) goes before the join, which is when memory peaks.
  for (const Scratch& mine : scratch) {
    if (stats != nullptr) {
      stats->capped_lookups += mine.capped;
      stats->pairs_scored += mine.scored;
      stats->pairs_visited += mine.visited;
      stats->hubs_outranked += mine.outranked_hubs;
    }
  }
  std::vector<Scratch>().swap(scratch);
  // Joined in order, each part freed once copied: the candidates of a big
  // trust are tens of megabytes, and a growing vector would hold them up to
  // three times over.
  size_t total = 0;
  for (const std::vector<Candidate>& p : parts) total += p.size();
  std::vector<Candidate> out;
  out.reserve(total);
  for (std::vector<Candidate>& part : parts) {
    out.insert(out.end(), part.begin(), part.end());
    std::vector<Candidate>().swap(part);
  }
  // The two best scores per learner decide whether a pair has a rival.
  struct Top {
    double first = -1e9, second = -1e9;
  };
  std::vector<Top> hub_top(unlinked.size()), mis_top(mis.size());
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

// The fields Prepare reads, hub against MIS, byte for byte.
bool SameMatchFields(const HubLearner& h, const MisLearner& m) {
  return h.legal_forename == m.legal_forename &&
         h.preferred_forename == m.preferred_forename &&
         h.legal_surname == m.legal_surname &&
         h.preferred_surname == m.preferred_surname &&
         h.date_of_birth == m.date_of_birth && h.upn == m.upn &&
         h.gender == m.gender && h.year_group == m.year_group &&
         h.registration_group == m.registration_group;
}

// Explain for a Synced pair. A learner refreshed by the last sync usually
// holds exactly the MIS record's fields, and then both sides prepare alike:
// one Prepare instead of two (the same explanation, as Prepare reads only
// those fields).
//
// And such learners explain alike when the same fields are present
// (PresenceShape): each thread keeps one explanation per shape (at most
// 2^10), and most Synced rows need no Prepare at all.
std::shared_ptr<const Explanation> ExplainLinked(const HubLearner& h,
                                                 const MisLearner& m) {
  if (!SameMatchFields(h, m))
    return Describe(ScorePair(Prepare(h), Prepare(m)));
  auto explain_self = [&m] {
    const PreparedLearner p = Prepare(m);
    return Describe(ScorePair(p, p));
  };
  const std::optional<uint32_t> shape = PresenceShape(m);
  if (!shape) return explain_self();
  thread_local absl::flat_hash_map<uint32_t, std::shared_ptr<const Explanation>>
      by_shape;
  auto it = by_shape.find(*shape);
  if (it == by_shape.end()) it = by_shape.emplace(*shape, explain_self()).first;
  return it->second;
}

// The fixed words rows put around their shared evidence.
constexpr ReasonWording kLinkedWording{"Linked by an earlier sync. ", ""};
const ReasonWording& ContestedWording() {
  static const auto* after = new std::string(absl::StrFormat(
      " Another record scores within %.0f points, so check this pair.",
      kRivalMargin));
  static const ReasonWording wording{"", *after};
  return wording;
}

}  // namespace

ClassifyIndex IndexForClassify(const std::vector<HubLearner>& hub,
                               const std::vector<MisLearner>& mis) {
  ClassifyIndex index;
  // The MIS ids on one thread while the names sort on the others.
  std::thread ids([&] {
    index.mis_by_id.reserve(mis.size());
    index.mis_first.assign(mis.size(), false);
    for (size_t j = 0; j < mis.size(); ++j) {
      index.mis_first[j] =
          index.mis_by_id.try_emplace(mis[j].mis_id, static_cast<int>(j))
              .second;
    }
  });
  index.hub_by_rank.resize(hub.size());
  for (size_t i = 0; i < hub.size(); ++i)
    index.hub_by_rank[i] = static_cast<int>(i);
  SortByName(
      hub, [](const HubLearner& h) -> const std::string& { return h.id; },
      &index.hub_by_rank);
  index.hub_rank.resize(hub.size());
  for (size_t r = 0; r < hub.size(); ++r) {
    index.hub_rank[index.hub_by_rank[r]] = static_cast<int>(r);
  }
  ids.join();
  // Who keeps a MIS record that several hub learners link: SYNCED first,
  // then the lower id.
  index.hub_link.assign(hub.size(), -1);
  index.keeps_link.assign(hub.size(), false);
  index.mis_linked.assign(mis.size(), false);
  absl::flat_hash_map<std::string_view, int> keeper;
  const auto better = LinkPriority(hub);
  for (size_t i = 0; i < hub.size(); ++i) {
    const HubLearner& h = hub[i];
    if (h.sync_state == SyncState::kUnsynced || h.mis_id.empty()) continue;
    auto [it, added] = keeper.try_emplace(h.mis_id, static_cast<int>(i));
    if (!added && better(static_cast<int>(i), it->second))
      it->second = static_cast<int>(i);
    auto m = index.mis_by_id.find(h.mis_id);
    if (m != index.mis_by_id.end()) {
      index.hub_link[i] = m->second;
      index.mis_linked[m->second] = true;
    }
  }
  for (const auto& [id, i] : keeper) index.keeps_link[i] = true;
  for (int i : index.hub_by_rank) {
    const HubLearner& h = hub[i];
    const bool linked =
        h.sync_state != SyncState::kUnsynced && !h.mis_id.empty();
    (linked ? index.linked_by_rank : index.unlinked_by_rank).push_back(i);
  }
  return index;
}

std::unique_ptr<MatchIndex> BuildMatchIndex(const std::vector<MisLearner>& mis,
                                            const ClassifyIndex& index,
                                            const Scope& scope,
                                            ClassifyStats* stats) {
  PhaseClock clock(stats);
  auto match = std::make_unique<MatchIndex>();
  match->scope = scope;
  match->mis_size = mis.size();
  const ScopeTest scope_test(scope);
  for (size_t j = 0; j < mis.size(); ++j) {
    if (index.mis_first[j] && !index.mis_linked[j] &&
        (scope.kind == ScopeKind::kAll || scope_test.InScope(mis[j]))) {
      match->free_mis.push_back(static_cast<int>(j));
    }
  }
  SortByName(
      mis, [](const MisLearner& m) -> const std::string& { return m.mis_id; },
      &match->free_mis);
  // Normalised once here; the hub side as it is scored.
  match->prepared.resize(match->free_mis.size());
  ParallelFor(match->free_mis.size(), [&](size_t k) {
    match->prepared[k] = Prepare(mis[match->free_mis[k]]);
  });
  AnnotateNameFrequencies(&match->prepared);
  clock.Mark("prepare");
  match->blocks.emplace(match->prepared);
  // The bound fields packed side by side: the pair loop reads them for
  // every blocked pair, most of which the bound rejects.
  match->quick.resize(match->prepared.size());
  ParallelFor(match->prepared.size(),
              [&](size_t k) { match->quick[k] = Quick(match->prepared[k]); });
  clock.Mark("index");
  return match;
}

std::vector<Row> Classify(const std::vector<HubLearner>& hub,
                          const std::vector<MisLearner>& mis,
                          const Scope& scope,
                          const std::function<void(std::vector<Row>)>& on_batch,
                          ClassifyOptions options) {
  const ScopeTest scope_test(scope);
  Emitter emit(on_batch, options.batch_size);
  PhaseClock clock(options.stats);

  // Every MIS id (the first record wins a duplicate id), each hub learner's
  // name rank and link: from the caller when it built them in advance.
  ClassifyIndex local;
  const ClassifyIndex& index =
      options.index != nullptr &&
              options.index->hub_rank.size() == hub.size() &&
              options.index->mis_first.size() == mis.size()
          ? *options.index
          : (local = IndexForClassify(hub, mis));
  const std::vector<int>& hub_rank = index.hub_rank;
  std::vector<bool> mis_in_scope(mis.size(), true);
  if (scope.kind != ScopeKind::kAll) {
    for (size_t j = 0; j < mis.size(); ++j)
      mis_in_scope[j] = scope_test.InScope(mis[j]);
  }
  auto linked_in_scope = [&](int i) {
    const int j = index.hub_link[i];
    return j >= 0 && mis_in_scope[j] ? j : -1;
  };
  clock.Mark("order");

  // 1. Linked hub learners: Synced or Desynced. If two hub learners link the
  // same MIS record, the SYNCED one (then the lower id) keeps it. Walked in
  // name order, so the Synced rows come out sorted.
  // Unlinked hub learners in name order: consecutive learners then probe
  // the same blocks (every Smith after every Smith), which stay in cache.
  const std::vector<int>& unlinked = index.unlinked_by_rank;
  struct Link {
    int rank, hub, mis;
  };
  std::vector<Link> synced;
  std::vector<int> desynced, vanished;  // hub indices
  for (int i : index.linked_by_rank) {
    const int j = linked_in_scope(i);
    if (j >= 0 && index.keeps_link[i]) {
      synced.push_back({hub_rank[i], i, j});
    } else if (scope_test.InScope(hub[i])) {
      // A MIS id in no MIS record at all may have been re-keyed (2a).
      (index.hub_link[i] < 0 ? vanished : desynced).push_back(i);
    }
  }
  // Re-links are decided in this order (SYNCED first, then by id).
  std::sort(vanished.begin(), vanished.end(), LinkPriority(hub));
  // Synced rows go out first, in name order, a slice at a time: each
  // slice's evidence is computed on every core and emitted at once, so the
  // first rows reach the admin long before the matching is done.
  // The first slice is small, so that the first rows go out at once.
  constexpr size_t kFirstSyncedSlice = 1024, kSyncedSlice = 8192;
  std::vector<Row> slice;
  for (size_t begin = 0, n = 0; begin < synced.size(); begin += n) {
    n = std::min(begin == 0 ? kFirstSyncedSlice : kSyncedSlice,
                 synced.size() - begin);
    slice.assign(n, Row{});
    ParallelFor(n, [&](size_t k) {
      const Link& l = synced[begin + k];
      Row& row = slice[k];
      row.status = RowStatus::kSynced;
      row.hub_learner_id = hub[l.hub].id;
      row.mis_id = mis[l.mis].mis_id;
      row.hub_index = l.hub;
      row.mis_index = l.mis;
      row.explanation = RowExplanation(ExplainLinked(hub[l.hub], mis[l.mis]),
                                       &kLinkedWording);
    });
    for (Row& row : slice) emit.Add(std::move(row));
    if (begin == 0) emit.Flush();
  }
  clock.Mark("synced");

  // 2. Pairs: unlinked hub learners (any scope) x in-scope MIS learners
  // that no hub learner links to, prepared and blocked in advance when the
  // caller could (the Pupils panel), else here.
  std::unique_ptr<MatchIndex> match = std::move(options.match);
  if (match == nullptr || !match->Fits(mis.size(), scope)) {
    match = BuildMatchIndex(mis, index, scope, options.stats);
    clock.Restart();
  }
  const std::vector<int>& free_mis = match->free_mis;

  // 2a. Re-keyed records: a linked hub learner whose MIS id is in no MIS
  // record, while a free MIS record carries the same valid UPN (the school
  // changed MIS provider, or the MIS re-keyed its records), is offered as a
  // re-link instead of a Desynced row and a New one. mis_taken[k]: free MIS
  // learner k re-linked so, paired with nothing else.
  RankedRows matched, may_match;
  std::vector<bool> mis_taken(free_mis.size());
  if (!vanished.empty()) {
    // -1: UPN not unique. Keys are the prepared (normalised) UPNs.
    absl::flat_hash_map<std::string_view, int> free_by_upn;
    for (size_t k = 0; k < free_mis.size(); ++k) {
      const PreparedLearner& m = match->prepared[k];
      if (!m.upn_valid) continue;
      auto [it, inserted] =
          free_by_upn.try_emplace(m.upn(), static_cast<int>(k));
      if (!inserted) it->second = -1;
    }
    for (int i : vanished) {
      const HubLearner& h = hub[i];
      auto it = free_by_upn.find(NormaliseUpn(h.upn));
      if (it != free_by_upn.end() && it->second >= 0 &&
          !mis_taken[it->second]) {
        const int k = it->second;
        const int j = free_mis[k];
        const PairScore score = ScorePair(Prepare(h), Prepare(mis[j]));
        if (score.upn == UpnLevel::kSame && IsCandidate(score)) {
          mis_taken[k] = true;
          const bool sure = MeetsMatchedRule(score);
          Row row;
          row.status = sure ? RowStatus::kMatched : RowStatus::kMayMatch;
          row.hub_learner_id = h.id;
          row.mis_id = mis[j].mis_id;
          row.hub_index = i;
          row.mis_index = j;
          auto why = std::make_shared<Explanation>(*Describe(score));
          why->reason = absl::StrCat(
              "Re-link: the MIS record this learner was linked to (", h.mis_id,
              ") is gone and this one has the same UPN, as when the MIS is "
              "re-keyed or the school changes MIS provider. ",
              why->reason);
          row.explanation = RowExplanation(std::move(why));
          (sure ? matched : may_match)
              .emplace_back(hub_rank[i], std::move(row));
          continue;
        }
      }
      desynced.push_back(i);
    }
  }
  {
    RankedRows rows;
    rows.reserve(desynced.size());
    const RowExplanation linked_twice = RowExplanation::ReasonOnly(
        "Another hub learner is linked to the same MIS record.");
    const RowExplanation out_of_scope = RowExplanation::ReasonOnly(
        "The linked MIS record is not in the MIS data for this scope.");
    for (int i : desynced) {
      Row row;
      row.status = RowStatus::kDesynced;
      row.hub_learner_id = hub[i].id;
      row.hub_index = i;
      row.explanation = linked_in_scope(i) >= 0 ? linked_twice : out_of_scope;
      rows.emplace_back(hub_rank[i], std::move(row));
    }
    emit.AddSorted(&rows);
  }
  clock.Mark("linked");

  // Pairs an admin unlinked, as (position in `unlinked`, free MIS k), with
  // the reasons their learners' rows give when left unpaired.
  absl::flat_hash_set<std::pair<int, int>> barred;
  absl::flat_hash_map<int, std::string> barred_hub, barred_mis;
  if (options.unlinked != nullptr && !options.unlinked->empty()) {
    absl::flat_hash_map<absl::string_view, std::vector<absl::string_view>>
        by_hub;
    for (const UnlinkedPair& p : *options.unlinked)
      by_hub[p.learner_id].push_back(p.mis_id);
    absl::flat_hash_map<absl::string_view, int> free_by_id;
    for (size_t k = 0; k < free_mis.size(); ++k)
      free_by_id.try_emplace(mis[free_mis[k]].mis_id, static_cast<int>(k));
    for (size_t u = 0; u < unlinked.size(); ++u) {
      auto it = by_hub.find(hub[unlinked[u]].id);
      if (it == by_hub.end()) continue;
      for (absl::string_view mis_id : it->second) {
        auto k = free_by_id.find(mis_id);
        if (k == free_by_id.end()) continue;
        barred.emplace(static_cast<int>(u), k->second);
        barred_hub[static_cast<int>(u)] = absl::StrCat(
            "An admin unlinked this learner from MIS record ", mis_id,
            ": the two are not paired again unless matched by hand.");
        barred_mis[k->second] = absl::StrCat(
            "An admin unlinked this MIS record from hub learner ",
            hub[unlinked[u]].id,
            ": the two are not paired again unless matched by hand.");
      }
    }
  }
  std::vector<Candidate> cands =
      FindCandidates(hub, unlinked, *match, mis_taken, barred, options.stats);
  // The prepared learners and their blocks are done with (hundreds of
  // megabytes in a big trust): the rows need only the free list.
  match->blocks.reset();
  std::vector<QuickFields>().swap(match->quick);
  std::vector<PreparedLearner>().swap(match->prepared);
  // Free MIS learner k's MIS id.
  auto free_id = [&](int k) -> const std::string& {
    return mis[free_mis[k]].mis_id;
  };
  clock.Mark("candidates");

  // One-to-one, greedily: strongest decision, then score, then the hub and
  // MIS learners' name order (names, then ids: `unlinked` and `free_mis`
  // are held in it, so their indices compare alike), so the result does
  // not depend on input order.
  ParallelSort(cands.begin(), cands.end(),
               [](const Candidate& a, const Candidate& b) {
                 if (a.matched != b.matched) return a.matched;
                 if (a.score.score != b.score.score)
                   return a.score.score > b.score.score;
                 if (a.hub != b.hub) return a.hub < b.hub;
                 return a.mis < b.mis;
               });
  clock.Mark("sort");
  // A re-linked MIS learner is paired already.
  std::vector<bool> hub_paired(unlinked.size()), mis_paired(mis_taken);
  std::vector<bool> hub_tied(unlinked.size()), mis_tied(free_mis.size());
  // Each hub learner's candidates (indices into cands, CSR), to spot a tie
  // with a MIS learner still free.
  std::vector<int> by_hub_start(unlinked.size() + 1, 0);
  for (const Candidate& c : cands) ++by_hub_start[c.hub + 1];
  for (size_t k = 0; k < unlinked.size(); ++k)
    by_hub_start[k + 1] += by_hub_start[k];
  std::vector<int> by_hub(cands.size());
  {
    std::vector<int> fill(by_hub_start.begin(), by_hub_start.end() - 1);
    for (size_t k = 0; k < cands.size(); ++k) {
      by_hub[fill[cands[k].hub]++] = static_cast<int>(k);
    }
  }
  // A tie between two MIS learners still free blocks the pair: the MIS is
  // the authority, so they are two different children (twins, often). Two
  // hub records tied for one MIS learner are usually one child entered
  // twice; one of them is offered as May match, as the contract asks.
  auto tied = [&](const Candidate& c) {
    for (int p = by_hub_start[c.hub]; p < by_hub_start[c.hub + 1]; ++p) {
      const Candidate& o = cands[by_hub[p]];
      if (&o != &c && !mis_paired[o.mis] &&
          std::abs(o.score.score - c.score.score) < kTieMargin) {
        return true;
      }
    }
    return false;
  };
  std::vector<const Candidate*> chosen;
  for (Candidate& c : cands) {
    if (hub_paired[c.hub] || mis_paired[c.mis]) continue;
    if (tied(c)) {
      // Two partners fit equally well (a twin, say): picking one by id
      // would be a coin toss on a child's record. The hub learner is left
      // for the admin to Match by hand; the MIS learners stay free for
      // their own records (the twin's exact hub record, say).
      hub_paired[c.hub] = true;
      hub_tied[c.hub] = true;
      for (int p = by_hub_start[c.hub]; p < by_hub_start[c.hub + 1]; ++p) {
        const Candidate& o = cands[by_hub[p]];
        if (!mis_paired[o.mis] &&
            std::abs(o.score.score - c.score.score) < kTieMargin) {
          mis_tied[o.mis] = true;
        }
      }
      continue;
    }
    hub_paired[c.hub] = mis_paired[c.mis] = true;
    chosen.push_back(&c);
  }
  // The chosen pairs' rows, their explanations written on every core.
  std::vector<Row> pair_rows(chosen.size());
  ParallelFor(chosen.size(), [&](size_t k) {
    const Candidate& c = *chosen[k];
    Row& row = pair_rows[k];
    row.status = c.matched ? RowStatus::kMatched : RowStatus::kMayMatch;
    row.hub_learner_id = hub[unlinked[c.hub]].id;
    row.mis_id = free_id(c.mis);
    row.hub_index = unlinked[c.hub];
    row.mis_index = free_mis[c.mis];
    row.explanation = RowExplanation(
        Describe(c.score), c.contested ? &ContestedWording() : nullptr);
  });
  for (size_t k = 0; k < chosen.size(); ++k) {
    const Candidate& c = *chosen[k];
    (c.matched ? matched : may_match)
        .emplace_back(hub_rank[unlinked[c.hub]], std::move(pair_rows[k]));
  }
  std::vector<Row>().swap(pair_rows);
  std::vector<const Candidate*>().swap(chosen);
  std::vector<Candidate>().swap(cands);
  clock.Mark("assign");

  // 3. What is left: in-scope hub learners Not matched, MIS learners New.
  RankedRows not_matched;
  std::vector<int> new_mis;  // MIS indices of New rows
  absl::flat_hash_set<std::string_view> mis_tied_ids;
  const RowExplanation tie = RowExplanation::ReasonOnly(kTieReason);
  for (size_t k = 0; k < unlinked.size(); ++k) {
    const int i = unlinked[k];
    if (!hub_tied[k] && (hub_paired[k] || !scope_test.InScope(hub[i])))
      continue;
    Row row;
    row.status = RowStatus::kNotMatched;
    row.hub_learner_id = hub[i].id;
    row.hub_index = i;
    if (hub_tied[k]) {
      row.explanation = tie;
    } else if (auto why = barred_hub.find(static_cast<int>(k));
               why != barred_hub.end()) {
      row.explanation = RowExplanation::ReasonOnly(why->second);
    }
    not_matched.emplace_back(hub_rank[i], std::move(row));
  }
  absl::flat_hash_map<std::string_view, RowExplanation> mis_unlinked;
  for (size_t k = 0; k < free_mis.size(); ++k) {
    if (mis_paired[k]) continue;
    new_mis.push_back(free_mis[k]);
    if (mis_tied[k]) {
      mis_tied_ids.insert(mis[free_mis[k]].mis_id);
    } else if (auto why = barred_mis.find(static_cast<int>(k));
               why != barred_mis.end()) {
      mis_unlinked.emplace(mis[free_mis[k]].mis_id,
                           RowExplanation::ReasonOnly(why->second));
    }
  }
  for (RankedRows* group : {&matched, &may_match, &not_matched}) {
    emit.AddSorted(group);
  }
  // new_mis is in free_mis's order, so already in name order.
  for (int j : new_mis) {
    Row row;
    row.status = RowStatus::kNew;
    row.mis_id = mis[j].mis_id;
    row.mis_index = j;
    if (mis_tied_ids.contains(row.mis_id)) {
      row.explanation = tie;
    } else if (auto why = mis_unlinked.find(row.mis_id);
               why != mis_unlinked.end()) {
      row.explanation = why->second;
    }
    emit.Add(std::move(row));
  }
  std::vector<Row> rows = emit.Finish();
  clock.Mark("rest");
  return rows;
}

Explanation Explain(const HubLearner& hub, const MisLearner& mis) {
  return *Describe(ScorePair(Prepare(hub), Prepare(mis)));
}

}  // namespace hubsync
