// Classification of hub learners against MIS learners into the six
// statuses of docs/SYNC.md. Pure: no I/O, deterministic for a given input.
#ifndef HUBSYNC_COMMON_CLASSIFY_H_
#define HUBSYNC_COMMON_CLASSIFY_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "common/blocking.h"
#include "common/match_score.h"
#include "common/types.h"

namespace hubsync {

// What blocking did, for benchmarks and reports.
struct ClassifyStats {
  int64_t pairs_visited = 0;   // distinct pairs the blocking offered
  int64_t pairs_scored = 0;    // pairs fully scored
  int64_t capped_lookups = 0;  // lookups into blocks over kMaxBlock, skipped
  // Hub learners whose loose keys were not searched: an exact key found a
  // pair no loose one could rival (OutranksLooseRivals).
  int64_t hubs_outranked = 0;
  // Wall time of each phase in milliseconds, in order ("linked", "prepare",
  // "candidates", "assign", "rest"): where the time goes, for benchmarks.
  std::vector<std::pair<std::string, double>> phase_ms;
  // CPU time of the whole process (every thread) in each phase, in the same
  // order: unlike wall time, hardly moved by other work on a shared machine.
  std::vector<double> phase_cpu_ms;
};

// The work of classification that depends only on the learners, not on the
// scope: a server builds it once when a session loads both sides (before
// Proceed), so that classification starts emitting rows at once. It holds
// views into `mis`, which must outlive it and stay unchanged.
struct ClassifyIndex {
  std::vector<int> hub_rank;     // each hub learner's position in name order
  std::vector<int> hub_by_rank;  // the hub learners in name order
  absl::flat_hash_map<std::string_view, int> mis_by_id;  // first record wins
  // For a linked hub learner: the MIS record carrying its MIS id (-1 when
  // none does), and whether it keeps that record when several hub learners
  // link the same one (the SYNCED one, then the lower id).
  std::vector<int> hub_link;
  std::vector<bool> keeps_link;
  // For each MIS record: the first with its id, and linked by a hub learner.
  std::vector<bool> mis_first, mis_linked;
  // The hub learners linked (SYNCED or DESYNCED with a MIS id) and the
  // others, each in name order: Proceed walks them without touching the
  // learners themselves before the first rows go out.
  std::vector<int> linked_by_rank, unlinked_by_rank;
};
ClassifyIndex IndexForClassify(const std::vector<HubLearner>& hub,
                               const std::vector<MisLearner>& mis);

// The MIS side of matching for one scope: the MIS learners a hub learner may
// pair with (in scope, the first record with its MIS id, linked by no hub
// learner), prepared, weighted by name frequency, and blocked. It depends
// only on both sides' learners and the scope, so a server builds it when the
// admin chooses the scope on the Pupils panel, and Proceed starts matching
// at once. Classify uses it up (frees its parts as it goes).
struct MatchIndex {
  Scope scope;          // as given to BuildMatchIndex
  size_t mis_size = 0;  // the number of MIS learners it was built from
  // Indices into the MIS learners, in name order (normalised surname,
  // forename, then MIS id): the pair loop takes hub learners in name order,
  // and then the MIS learners a block holds for one hub learner sit near
  // those of the last one in memory. It also leaves the New rows sorted.
  std::vector<int> free_mis;
  std::vector<PreparedLearner> prepared;  // free_mis's learners, same order
  std::vector<QuickFields> quick;         // Quick(prepared[k]), same order
  std::optional<BlockIndex> blocks;       // over `prepared`

  // Built (and not yet used up) for `mis_size` MIS learners and this scope.
  bool Fits(size_t mis_count, const Scope& s) const {
    return blocks.has_value() && mis_size == mis_count &&
           scope.kind == s.kind && scope.values == s.values;
  }
};
// `index` is IndexForClassify(hub, mis) for the hub the classification will
// run against (which MIS records are linked depends on it). Records the
// phases "prepare" and "index" in `stats` when set.
std::unique_ptr<MatchIndex> BuildMatchIndex(const std::vector<MisLearner>& mis,
                                            const ClassifyIndex& index,
                                            const Scope& scope,
                                            ClassifyStats* stats = nullptr);

struct ClassifyOptions {
  // Rows are handed to on_batch in groups of about this many.
  size_t batch_size = 500;
  ClassifyStats* stats = nullptr;  // filled in when set
  // IndexForClassify(hub, mis) of these very vectors, or null (built here).
  const ClassifyIndex* index = nullptr;
  // BuildMatchIndex(mis, *index, scope) of these very vectors and this
  // scope, or null (built here). One that does not fit is rebuilt.
  std::unique_ptr<MatchIndex> match = nullptr;
  // Pairs an admin unlinked: never offered as Matched or May match (nor as
  // a rival to another pair); the hub learner and the MIS learner are left
  // to the other candidates, else Not matched and New, with a reason.
  const std::vector<UnlinkedPair>* unlinked = nullptr;
};

// Decides every row of the sync screen for `scope`:
// - MIS learners in scope are those whose MIS year / registration group is
//   in scope; hub learners shown are those in scope by their hub year /
//   registration group, plus any hub learner paired with an in-scope MIS
//   learner.
// - linked hub learner (SYNCED/DESYNCED) whose mis_id is an in-scope MIS
//   learner: Synced. Linked, shown, and mis_id absent or out of scope:
//   Desynced.
// - unlinked hub learners (any scope) are candidates for in-scope MIS
//   learners that no hub learner links to: Matched / May match, one-to-one;
//   in-scope unpaired hub learners are Not matched; unpaired MIS: New.
//   A pair in options.unlinked is never made.
// Rows get row_id 1..N in the order they are emitted. If on_batch is set it
// receives the rows in order as they are decided, in batches of at most
// batch_size (the first Synced rows early, in a shorter one) (Synced/Desynced
// first, then pairs, then Not matched and New), moved out batch by batch, and
// the returned vector is empty; without on_batch, returns all rows.
std::vector<Row> Classify(
    const std::vector<HubLearner>& hub, const std::vector<MisLearner>& mis,
    const Scope& scope,
    const std::function<void(std::vector<Row>)>& on_batch = nullptr,
    ClassifyOptions options = {});

// The evidence for pairing one hub learner with one MIS learner, for rows
// the admin matched by hand (and for tests).
Explanation Explain(const HubLearner& hub, const MisLearner& mis);

}  // namespace hubsync

#endif  // HUBSYNC_COMMON_CLASSIFY_H_
