#include "server/session/decisions.h"

#include <set>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/classify.h"
#include "server/session/edits.h"
#include "server/storage/codec.h"

namespace hubsync {
namespace {

bool Paired(RowStatus s) {
  return s == RowStatus::kMatched || s == RowStatus::kMayMatch;
}

std::string HubLabel(const std::string& id, const RowContext& ctx) {
  const HubLearner* h = ctx.FindHub(id);
  if (h == nullptr) return id;
  return absl::StrCat(h->legal_forename, " ", h->legal_surname, " (", id, ")");
}

std::string MisLabel(const std::string& id, const RowContext& ctx) {
  const MisLearner* m = ctx.FindMis(id);
  if (m == nullptr) return id;
  return absl::StrCat(id, " (", m->legal_forename, " ", m->legal_surname, ")");
}

const char* KindName(KeptDecision::Kind k) {
  switch (k) {
    case KeptDecision::Kind::kMatch:
      return "match";
    case KeptDecision::Kind::kUnmatch:
      return "unmatch";
    case KeptDecision::Kind::kTicks:
      return "ticks";
  }
  return "ticks";
}

Row* FindRow(std::vector<Row>& rows, bool by_hub, const std::string& id) {
  for (Row& r : rows) {
    if ((by_hub ? r.hub_learner_id : r.mis_id) == id) return &r;
  }
  return nullptr;
}

// Why a learner has no row: not in the hub (or the snapshot) any more, or
// outside the scope. Ids only, for the audit trail.
std::string Missing(const std::string& id, bool hub, const RowContext& ctx) {
  const bool known =
      hub ? ctx.FindHub(id) != nullptr : ctx.FindMis(id) != nullptr;
  if (!known) {
    return absl::StrCat(
        id, hub ? " is no longer in the hub" : " is not in the MIS snapshot");
  }
  return absl::StrCat(id, " is out of scope");
}

// "lrn_.. is now May match with m-20"
std::string NowIs(const std::string& id, const Row& row) {
  const std::string& other =
      row.hub_learner_id == id ? row.mis_id : row.hub_learner_id;
  return absl::StrCat(id, " is now ", RowStatusName(row.status),
                      other.empty() ? "" : " with ", other);
}

class Outcome {
 public:
  Outcome(const RowContext& ctx, DecisionOutcome* out) : ctx_(ctx), out_(out) {
    out_->dropped_json = "[";
  }
  ~Outcome() { out_->dropped_json += "]"; }
  void Applied() { ++out_->applied; }
  void Drop(const KeptDecision& d, const std::string& reason) {
    if (out_->dropped_count > 0) out_->dropped_json += ",";
    ++out_->dropped_count;
    out_->dropped_json += "{\"decision\":";
    storage::AppendJsonString(&out_->dropped_json, KindName(d.kind));
    out_->dropped_json += ",\"learner_id\":";
    storage::AppendJsonString(&out_->dropped_json, d.learner_id);
    out_->dropped_json += ",\"mis_id\":";
    storage::AppendJsonString(&out_->dropped_json, d.mis_id);
    out_->dropped_json += ",\"reason\":";
    storage::AppendJsonString(&out_->dropped_json, reason);
    out_->dropped_json += "}";
    if (out_->dropped.size() < SessionDecisions::kMaxListed) {
      out_->dropped.push_back({DescribeDecision(d, ctx_), reason});
    }
  }

 private:
  const RowContext& ctx_;
  DecisionOutcome* out_;
};

}  // namespace

bool DecisionIds::Touches(const Row& row) const {
  return (!row.hub_learner_id.empty() &&
          learners.contains(row.hub_learner_id)) ||
         (!row.mis_id.empty() && mis.contains(row.mis_id));
}

DecisionIds IdsOf(const std::vector<KeptDecision>& decisions) {
  DecisionIds ids;
  for (const KeptDecision& d : decisions) {
    if (!d.learner_id.empty()) ids.learners.insert(d.learner_id);
    if (!d.mis_id.empty()) ids.mis.insert(d.mis_id);
  }
  return ids;
}

std::vector<KeptDecision> DecisionsOf(
    const std::vector<Row>& rows, const std::vector<KeptDecision>& unmatched) {
  std::vector<KeptDecision> out;
  std::set<std::pair<std::string, std::string>> pairs;
  for (const Row& r : rows) {
    if (!r.hub_learner_id.empty() && !r.mis_id.empty()) {
      pairs.emplace(r.hub_learner_id, r.mis_id);
    }
  }
  std::set<std::pair<std::string, std::string>> seen;
  for (const KeptDecision& u : unmatched) {
    // Matched again since (a Match decision then says so), or repeated.
    if (pairs.count({u.learner_id, u.mis_id}) ||
        !seen.emplace(u.learner_id, u.mis_id).second) {
      continue;
    }
    KeptDecision d;
    d.kind = KeptDecision::Kind::kUnmatch;
    d.learner_id = u.learner_id;
    d.mis_id = u.mis_id;
    out.push_back(std::move(d));
  }
  for (const Row& r : rows) {
    if (r.status == RowStatus::kMatched && r.decided_by_admin &&
        !r.hub_learner_id.empty() && !r.mis_id.empty()) {
      KeptDecision d;
      d.kind = KeptDecision::Kind::kMatch;
      d.learner_id = r.hub_learner_id;
      d.mis_id = r.mis_id;
      d.sync_email = r.sync_email;
      out.push_back(std::move(d));
      continue;
    }
    if (r.mis_id.empty()) continue;
    const bool is_new = r.status == RowStatus::kNew;
    const bool reviewed = r.status == RowStatus::kMayMatch && r.reviewed;
    if ((is_new && (r.import || r.decided_by_admin)) || r.sync_email ||
        reviewed) {
      KeptDecision d;
      d.kind = KeptDecision::Kind::kTicks;
      d.mis_id = r.mis_id;
      if (reviewed) d.learner_id = r.hub_learner_id;
      d.import = is_new && r.import;
      d.sync_email = r.sync_email;
      d.reviewed = reviewed;
      out.push_back(std::move(d));
    }
  }
  return out;
}

void RememberUnmatch(SessionRecord* record, const Row& row) {
  auto next = record->decisions != nullptr
                  ? std::make_shared<SessionDecisions>(*record->decisions)
                  : std::make_shared<SessionDecisions>();
  KeptDecision d;
  d.kind = KeptDecision::Kind::kUnmatch;
  d.learner_id = row.hub_learner_id;
  d.mis_id = row.mis_id;
  next->unmatched.push_back(std::move(d));
  record->decisions = std::move(next);
}

std::string DescribeDecision(const KeptDecision& d, const RowContext& ctx) {
  switch (d.kind) {
    case KeptDecision::Kind::kMatch:
      return absl::StrCat("Match ", HubLabel(d.learner_id, ctx), " <-> ",
                          MisLabel(d.mis_id, ctx));
    case KeptDecision::Kind::kUnmatch:
      return absl::StrCat("Unmatch ", HubLabel(d.learner_id, ctx), " <-> ",
                          MisLabel(d.mis_id, ctx));
    case KeptDecision::Kind::kTicks:
      break;
  }
  std::string what;
  if (d.import) what = "Import?";
  if (d.sync_email)
    absl::StrAppend(&what, what.empty() ? "" : " and ", "Sync email?");
  if (d.reviewed) {
    absl::StrAppend(&what, what.empty() ? "" : " and ", "reviewed May match ",
                    HubLabel(d.learner_id, ctx), " <->");
  }
  if (what.empty()) what = "Import? unticked";
  return absl::StrCat(what, " ", MisLabel(d.mis_id, ctx));
}

DecisionOutcome ApplyDecisions(const std::vector<KeptDecision>& decisions,
                               const RowContext& ctx, bool sync_emails,
                               std::vector<Row>* rows, int64_t* next_row_id) {
  DecisionOutcome result;
  {
    Outcome out(ctx, &result);
    RowEditor editor(rows, next_row_id);
    auto linked = [&](const std::string& id) {
      const HubLearner* h = ctx.FindHub(id);
      return h != nullptr && h->sync_state != SyncState::kUnsynced &&
             !h->mis_id.empty();
    };
    auto email_ok = [&](const Row& row, const KeptDecision& d,
                        std::string* why) {
      if (!sync_emails) {
        *why = "the session's email option is off";
        return false;
      }
      if (!StatusCanSyncEmail(row.status) || !ctx.MisHasEmail(row.mis_id)) {
        *why = absl::StrCat("Sync email? does not apply to ", d.mis_id,
                            " now (", RowStatusName(row.status), ")");
        return false;
      }
      return true;
    };
    // Unmatch first: a split pair frees its learners for the Matches.
    for (const KeptDecision& d : decisions) {
      if (d.kind != KeptDecision::Kind::kUnmatch) continue;
      Row* row = FindRow(*rows, true, d.learner_id);
      if (row == nullptr) {
        out.Drop(d, Missing(d.learner_id, true, ctx));
      } else if (!Paired(row->status) || row->mis_id != d.mis_id) {
        out.Drop(d, absl::StrCat("the pair is no longer proposed: ",
                                 NowIs(d.learner_id, *row)));
      } else if (editor.Unmatch(d.learner_id, "", linked).ok()) {
        out.Applied();
        result.unmatched.push_back(d);
      }
    }
    for (const KeptDecision& d : decisions) {
      if (d.kind != KeptDecision::Kind::kMatch) continue;
      Row* hub_row = FindRow(*rows, true, d.learner_id);
      Row* mis_row = FindRow(*rows, false, d.mis_id);
      if (hub_row == nullptr) {
        out.Drop(d, Missing(d.learner_id, true, ctx));
        continue;
      }
      if (mis_row == nullptr) {
        out.Drop(d, Missing(d.mis_id, false, ctx));
        continue;
      }
      Row* matched = nullptr;
      if (hub_row == mis_row) {
        // The classification proposes the same pair (or it is linked
        // already): the admin's word makes a proposal Matched.
        if (Paired(hub_row->status)) {
          hub_row->status = RowStatus::kMatched;
          hub_row->decided_by_admin = true;
        }
        matched = hub_row;
      } else if (hub_row->status != RowStatus::kNotMatched) {
        out.Drop(d, NowIs(d.learner_id, *hub_row));
        continue;
      } else if (mis_row->status != RowStatus::kNew) {
        out.Drop(d, NowIs(d.mis_id, *mis_row));
        continue;
      } else {
        const HubLearner* h = ctx.FindHub(d.learner_id);
        const MisLearner* m = ctx.FindMis(d.mis_id);
        Explanation why;
        if (h != nullptr && m != nullptr) why = Explain(*h, *m);
        if (!editor.Match(d.learner_id, d.mis_id, why).ok()) continue;
        matched = FindRow(*rows, true, d.learner_id);
      }
      out.Applied();
      std::string why;
      if (d.sync_email && matched != nullptr) {
        if (email_ok(*matched, d, &why)) {
          matched->sync_email = true;
        } else {
          KeptDecision tick = d;
          tick.kind = KeptDecision::Kind::kTicks;
          out.Drop(tick, why);
        }
      }
    }
    for (const KeptDecision& d : decisions) {
      if (d.kind != KeptDecision::Kind::kTicks) continue;
      Row* row = FindRow(*rows, false, d.mis_id);
      if (row == nullptr) {
        if (d.import || d.sync_email || d.reviewed)
          out.Drop(d, Missing(d.mis_id, false, ctx));
        continue;
      }
      bool dropped = false;
      if (d.reviewed) {
        if (row->status == RowStatus::kMayMatch &&
            row->hub_learner_id == d.learner_id) {
          row->reviewed = true;
        } else if (!(row->status == RowStatus::kMatched &&
                     row->hub_learner_id == d.learner_id)) {
          KeptDecision part = d;
          part.import = part.sync_email = false;
          out.Drop(part, absl::StrCat("the pair is no longer proposed: ",
                                      NowIs(d.mis_id, *row)));
          dropped = true;
        }
      }
      if (row->status == RowStatus::kNew) {
        row->import = d.import;
      } else if (d.import) {
        KeptDecision part = d;
        part.sync_email = part.reviewed = false;
        out.Drop(part, NowIs(d.mis_id, *row));
        dropped = true;
      }
      std::string why;
      if (d.sync_email) {
        if (email_ok(*row, d, &why)) {
          row->sync_email = true;
        } else {
          KeptDecision part = d;
          part.import = part.reviewed = false;
          out.Drop(part, why);
          dropped = true;
        }
      }
      if (!dropped) out.Applied();
    }
  }
  return result;
}

}  // namespace hubsync
