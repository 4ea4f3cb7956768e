// The sync screen: hub learner left, MIS learner right, a status per row,
// the Import? and Sync email? ticks, counts per status, and the keys that
// edit, explain and save. State in SyncModel; this file draws and sends.
#include <random>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "client/console/dialogs.h"
#include "client/console/layout.h"
#include "client/console/model.h"
#include "client/console/screens.h"
#include "client/console/stream.h"
#include "client/lib/labels.h"

namespace hubsync::console {
namespace {

Paint PaintOf(v1::RowStatus s) {
  switch (s) {
    case v1::ROW_STATUS_NOT_MATCHED:
      return Paint::kNotMatched;
    case v1::ROW_STATUS_NEW:
      return Paint::kNew;
    case v1::ROW_STATUS_MATCHED:
      return Paint::kMatched;
    case v1::ROW_STATUS_MAY_MATCH:
      return Paint::kMayMatch;
    case v1::ROW_STATUS_SYNCED:
      return Paint::kSynced;
    case v1::ROW_STATUS_DESYNCED:
      return Paint::kDesynced;
    default:
      return Paint::kPlain;
  }
}

std::string RequestId() {
  std::random_device rd;
  return absl::StrFormat("console-%08x%08x", rd(), rd());
}

class SyncScreenRunner {
 public:
  explicit SyncScreenRunner(Context& ctx) : ctx_(ctx), stream_(ctx.client) {
    model_.SetSession(ctx.session);
  }

  Next Run() {
    stream_.Start(ctx_.session.session_id());
    for (;;) {
      Pump();
      Draw();
      const Key k = ctx_.ui.Read(100);
      if (ctx_.ui.interrupted()) return Next::kQuit;
      if (k.type == Key::kNone) continue;
      if (k.Is(L'q') || k.Is(L'Q')) {
        if (ConfirmQuit()) return Next::kQuit;
        continue;
      }
      Handle(k);
      if (ctx_.ui.interrupted()) return Next::kQuit;
      if (stepped_back_) return Next::kStepDone;
    }
  }

 private:
  void Pump() {
    std::optional<absl::Status> ended;
    for (const v1::RowBatch& b : stream_.Take(&ended)) model_.AddBatch(b);
    if (!ended) return;
    if (!ended->ok()) {
      ctx_.message = absl::StrCat("Rows: ", ErrorText(*ended), " (r retries)");
      ctx_.message_error = true;
      return;
    }
    // Classification finished: the session's version and step moved on.
    if (absl::StatusOr<v1::Session> s =
            ctx_.client.GetSession(model_.session().session_id());
        s.ok()) {
      model_.SetSession(*s);
    }
    if (ctx_.message.empty() || ctx_.message.rfind("Classifying", 0) == 0) {
      SetInfo(ctx_, absl::StrCat("All ", model_.total_rows(),
                                 " rows received. ? shows every key."));
    }
    ShowDecisions();
  }

  // After a step back, once: which decisions were kept and which dropped.
  void ShowDecisions() {
    const v1::DecisionReport& d = model_.session().decisions();
    if (reported_ || (d.applied() == 0 && d.dropped() == 0)) return;
    reported_ = true;
    SetInfo(ctx_, absl::StrCat("Your decisions: ", d.applied(), " kept, ",
                               d.dropped(), " dropped"));
    if (d.dropped() == 0) return;
    std::vector<std::string> lines = {
        absl::StrCat(d.applied(), " of your decisions were kept; these ",
                     d.dropped(), " no longer fit the rows:"),
        ""};
    for (const v1::DroppedDecision& x : d.dropped_decisions()) {
      lines.push_back(absl::StrCat(x.decision(), ": ", x.reason()));
    }
    if (d.dropped() > d.dropped_decisions_size()) {
      lines.push_back(absl::StrCat(
          "... and ", d.dropped() - d.dropped_decisions_size(), " more"));
    }
    Draw();
    ctx_.ui.Message("Decisions dropped", lines, "any key: back");
  }

  void StepBack() {
    if (model_.read_only() || !model_.stream_done()) {
      SetError(ctx_, absl::FailedPreconditionError(
                         "step back works on the sync screen once every row "
                         "is in"));
      return;
    }
    if (!ctx_.ui.Ask(
            "Back to the Pupils panel",
            {"Change the scope or the email option, then proceed again.",
             "Your decisions are kept: Match, Unmatch, Import? and Sync",
             "email? ticks are applied again to the rows that still exist;",
             "any that no longer fit are listed then."},
            "Step back?")) {
      SetInfo(ctx_, "Still on the sync screen");
      return;
    }
    v1::StepBackRequest req;
    req.set_session_id(model_.session().session_id());
    req.set_expected_version(model_.session().version());
    absl::StatusOr<v1::Session> r = ctx_.client.StepBack(req);
    if (!r.ok()) {
      Failed(r.status());
      return;
    }
    ctx_.session = *r;
    SetInfo(ctx_,
            absl::StrCat("Back on the Pupils panel: ", r->decisions().pending(),
                         " decisions kept for the next Proceed"));
    stepped_back_ = true;
  }

  void CancelSession() {
    if (model_.read_only()) {
      SetError(ctx_, absl::FailedPreconditionError(absl::StrCat(
                         "the session is already ",
                         client::StepLabel(model_.session().step()))));
      return;
    }
    if (!ctx_.ui.Ask("Cancel the session?",
                     {"Nothing in the Admin Hub changes, and the session "
                      "cannot be reopened:",
                      "its decisions are dropped."},
                     "Cancel the session?")) {
      SetInfo(ctx_, "Not cancelled");
      return;
    }
    v1::CancelSessionRequest req;
    req.set_session_id(model_.session().session_id());
    req.set_expected_version(model_.session().version());
    absl::StatusOr<v1::Session> r = ctx_.client.CancelSession(req);
    if (!r.ok()) {
      Failed(r.status());
      return;
    }
    model_.SetSession(*r);
    edits_ = 0;
    SetInfo(ctx_, "Session cancelled: nothing changed in the hub (q quits)");
    ctx_.farewell = absl::StrCat("session ", r->session_id(),
                                 " cancelled: nothing changed");
  }

  void Refresh() {
    absl::StatusOr<v1::Session> s =
        ctx_.client.GetSession(model_.session().session_id());
    if (s.ok()) model_.SetSession(*s);
    model_.ClearRows();
    stream_.Start(model_.session().session_id());
  }

  void Failed(const absl::Status& s) {
    if (s.code() != absl::StatusCode::kAborted) {
      SetError(ctx_, s);
      return;
    }
    Refresh();
    ctx_.message = absl::StrCat(
        "Another admin changed this session (now version ",
        model_.session().version(),
        "): rows refreshed, your change was not applied. Check and try again.");
    ctx_.message_error = true;
  }

  template <typename Req, typename Call>
  void Edit(const absl::StatusOr<Req>& req, Call call,
            const std::string& done) {
    if (!req.ok()) {
      SetError(ctx_, req.status());
      return;
    }
    if (model_.read_only()) {
      SetError(ctx_, absl::FailedPreconditionError(absl::StrCat(
                         "the session is ",
                         client::StepLabel(model_.session().step()),
                         ": start a new one to change anything")));
      return;
    }
    absl::StatusOr<v1::EditResponse> r = call(*req);
    if (!r.ok()) {
      Failed(r.status());
      return;
    }
    model_.ApplyEdit(*r);
    ++edits_;
    SetInfo(ctx_, done);
  }

  void Handle(const Key& k) {
    Ui& ui = ctx_.ui;
    const int page = page_;
    auto special = [&](int code) {
      return k.type == Key::kSpecial && k.code == code;
    };
    auto& c = ctx_.client;
    if (k.Is(L'k') || special(KeyUp())) model_.Move(-1);
    if (k.Is(L'j') || special(KeyDown())) model_.Move(1);
    if (special(KeyPageUp())) model_.Move(-page);
    if (special(KeyPageDown())) model_.Move(page);
    if (k.Is(L'g') || special(KeyHome())) model_.Home();
    if (k.Is(L'G') || special(KeyEnd())) model_.End();
    if (k.Is(L'f')) model_.CycleFilter();
    if (k.Is(L'r')) {
      Refresh();
      SetInfo(ctx_, "Rows refreshed from the server");
    }
    if (k.Is(27)) {
      if (model_.mark()) {
        model_.ClearMark();
      } else {
        model_.SetSearch("");
      }
    }
    if (k.Is(L'/')) {
      std::optional<std::string> text =
          ui.Prompt(ui.rows() - 2, "Search by name or id: ", model_.search());
      if (text)
        model_.SetSearch(std::string(absl::StripAsciiWhitespace(*text)));
    }
    if (k.Is(L'?')) ui.Message("Keys", HelpLines(), "any key: back");
    if (k.Is(L'x') || k.Is(L'\n') || k.Is(L'\r') || special(KeyEnter()))
      Explain();
    if (k.Is(L' ')) {
      Edit(
          model_.ToggleImport(), [&](const auto& r) { return c.SetImport(r); },
          "Import? changed");
    }
    if (k.Is(L'a')) {
      Edit(
          absl::StatusOr<v1::SetImportAllRequest>(model_.TickAllNew()),
          [&](const auto& r) { return c.SetImportAll(r); },
          "Import? ticked on every New row");
    }
    if (k.Is(L'A')) {
      Edit(
          absl::StatusOr<v1::SetImportAllRequest>(model_.UntickAllNew()),
          [&](const auto& r) { return c.SetImportAll(r); },
          "Import? cleared on every New row");
    }
    if (k.Is(L'e')) {
      Edit(
          model_.ToggleEmail(),
          [&](const auto& r) { return c.SetSyncEmail(r); },
          "Sync email? changed");
    }
    if (k.Is(L'E')) {
      Edit(
          model_.ToggleEmailAll(),
          [&](const auto& r) { return c.SetSyncEmailAll(r); },
          "Sync email? changed on every row with an email");
    }
    if (k.Is(L'u')) {
      Edit(
          model_.Unmatch(), [&](const auto& r) { return c.Unmatch(r); },
          "Unmatched: the hub learner is Not matched, the MIS learner New "
          "with Import? ticked");
    }
    if (k.Is(L'v')) {
      const v1::Row* row = model_.Current();
      const bool now = row != nullptr && !row->reviewed();
      Edit(
          model_.ToggleReviewed(),
          [&](const auto& r) { return c.SetReviewed(r); },
          now ? "Marked reviewed: this May match is saved without asking"
              : "Marked not reviewed: Save will list it and ask");
    }
    if (k.Is(L'V')) ReviewAll();
    if (k.Is(L'm')) Mark();
    if (k.Is(L'S')) Save();
    if (k.Is(L'b')) StepBack();
    if (k.Is(L'C')) CancelSession();
  }

  void Mark() {
    absl::StatusOr<std::optional<v1::MatchRequest>> r = model_.MarkOrMatch();
    if (!r.ok()) {
      SetError(ctx_, r.status());
      return;
    }
    if (!r->has_value()) {
      if (model_.mark()) {
        SetInfo(ctx_,
                absl::StrCat("Marked ", model_.mark()->name, ": now m on a ",
                             model_.mark()->status == v1::ROW_STATUS_NEW
                                 ? "Not matched"
                                 : "New",
                             " row to match them (Esc clears the mark)"));
      } else {
        SetInfo(ctx_, "Mark cleared");
      }
      return;
    }
    const std::string who = model_.mark()->name;
    Edit(
        absl::StatusOr<v1::MatchRequest>(**r),
        [&](const auto& req) { return ctx_.client.Match(req); },
        absl::StrCat("Matched by you: ", who));
    if (!ctx_.message_error) model_.ClearMark();
  }

  // V: every May match row reviewed at once, deliberately: the dialog says
  // how many and what it means, and the server checks the count.
  void ReviewAll() {
    if (!model_.stream_done()) {
      SetError(ctx_, absl::FailedPreconditionError(
                         "rows are still arriving: mark them once they are "
                         "all in"));
      return;
    }
    const int64_t count =
        static_cast<int64_t>(model_.UnreviewedMayMatch().size());
    if (count == 0) {
      SetInfo(ctx_, "Every May match row is already reviewed");
      return;
    }
    if (!ctx_.ui.Ask(
            "Mark every May match reviewed",
            {absl::StrCat(count, " May match row(s) are not reviewed."),
             "Marked reviewed, each is linked on save without being listed "
             "or asked about again.",
             "Do this only once you have looked at them (x shows why a row "
             "is May match)."},
            absl::StrCat("Mark all ", count, " reviewed?"))) {
      SetInfo(ctx_, "Nothing marked");
      return;
    }
    Edit(
        absl::StatusOr<v1::SetReviewedAllRequest>(model_.ReviewAll(count)),
        [&](const auto& r) { return ctx_.client.SetReviewedAll(r); },
        absl::StrCat("Marked ", count, " May match row(s) reviewed"));
  }

  void Explain() {
    const v1::Row* r = model_.Current();
    if (r == nullptr) return;
    ctx_.ui.Message(ExplainTitle(*r), ExplainLines(*r), "any key: back");
  }

  void Save() {
    if (model_.read_only()) {
      SetError(ctx_, absl::FailedPreconditionError(absl::StrCat(
                         "the session is already ",
                         client::StepLabel(model_.session().step()))));
      return;
    }
    if (!model_.stream_done()) {
      SetError(ctx_, absl::FailedPreconditionError(
                         "rows are still arriving: save once they are all in"));
      return;
    }
    // The preview is the server's dry run of this very save (same version):
    // what it shows is what the save does, or the save is refused as stale.
    v1::SaveRequest preview = model_.Save();
    preview.set_validate_only(true);
    absl::StatusOr<v1::SaveResponse> will =
        ctx_.client.SaveAndSyncPupils(preview);
    if (!will.ok()) {
      Failed(will.status());
      return;
    }
    const std::vector<v1::Row> unreviewed = model_.UnreviewedMayMatch();
    const std::vector<std::string> lines =
        SaveLines(will->summary(), model_.counts(), unreviewed);
    if (!ctx_.ui.Ask("Save and sync pupils", lines, "Save now?")) {
      SetInfo(ctx_, unreviewed.empty()
                        ? "Not saved"
                        : "Not saved: v marks a May match row reviewed");
      return;
    }
    v1::SaveRequest req = model_.Save();
    req.set_request_id(RequestId());
    // The dialog listed them and the admin said yes: save them unreviewed.
    // (The save carries the version the list was made at, so a row another
    // admin changed since makes it ABORTED, not saved unseen.)
    req.set_allow_unreviewed(!unreviewed.empty());
    v1::MassDesync guard;
    absl::StatusOr<v1::SaveResponse> r =
        ctx_.client.SaveAndSyncPupils(req, &guard);
    if (!r.ok() && guard.desync_count() > 0) {
      const std::vector<std::string> warn = MassDesyncLines(guard);
      std::optional<std::string> answer = ctx_.ui.Input(
          "Mass desync: confirm", warn,
          absl::StrCat("Desync ", guard.desync_count(), " learners?"),
          Paint::kError);
      if (!answer ||
          absl::AsciiStrToLower(absl::StripAsciiWhitespace(*answer)) != "yes") {
        SetError(ctx_, absl::FailedPreconditionError(absl::StrCat(
                           "not saved: the desync of ", guard.desync_count(),
                           " learners was not confirmed (nothing changed)")));
        return;
      }
      req.set_confirm_desync_count(guard.desync_count());
      req.set_request_id(RequestId());
      r = ctx_.client.SaveAndSyncPupils(req, &guard);
    }
    if (!r.ok()) {
      Failed(r.status());
      return;
    }
    model_.SetSession(r->session());
    edits_ = 0;
    const v1::SaveSummary& s = r->summary();
    const std::string summary = absl::StrFormat(
        "Saved and synced pupils: linked %d, refreshed %d, imported %d, "
        "desynced %d, unaffected %d, emails queued %d",
        s.linked(), s.refreshed(), s.imported(), s.desynced(), s.unaffected(),
        s.emails_queued());
    SetInfo(ctx_, summary);
    Draw();
    ctx_.farewell =
        absl::StrCat(summary, " (session ", r->session().session_id(), ")");
    ctx_.ui.Message("Saved", {summary, "", "The session is closed: q quits."},
                    "any key: back", Paint::kPlain);
  }

  bool ConfirmQuit() {
    if (edits_ == 0 || model_.read_only()) return true;
    return ctx_.ui.Ask(
        "Quit without saving?",
        {absl::StrCat("You made ", edits_,
                      " change(s) that are not saved to the Admin Hub."),
         absl::StrCat(
             "They stay in the session on the server: hubsync console ",
             model_.session().session_id(), " reopens it.")},
        "Quit now?");
  }

  void Draw() {
    Ui& ui = ctx_.ui;
    ctx_.session = model_.session();
    ui.Erase();
    DrawTitle(ctx_, client::StepLabel(model_.session().step()));
    const bool emails = model_.session().sync_email_addresses();
    // The counts, then the filter and search, on as many lines as the width
    // needs (two at 80 columns).
    std::vector<std::string> top =
        PackSegments(CountSegments(model_.counts(), emails), ui.cols());
    std::vector<std::string> state = {
        absl::StrCat("Filter: ", FilterLabel(model_.filter()), " (",
                     model_.visible_size(), " shown)"),
        absl::StrCat("Search: ",
                     model_.search().empty() ? "-" : model_.search())};
    if (model_.mark()) {
      state.push_back(absl::StrCat("Marked: ", model_.mark()->name));
    }
    if (!model_.stream_done()) {
      state.push_back(absl::StrCat("receiving rows... ", model_.classified(),
                                   " classified"));
    }
    for (std::string& l : PackSegments(state, ui.cols(), "   ")) {
      top.push_back(std::move(l));
    }
    int y = 1;
    for (const std::string& l : top) ui.Put(y++, 0, l, ui.cols());

    const SyncColumns cols = LayoutColumns(ui.cols(), emails);
    const int head = y;
    auto header = [&](const Column& c, const std::string& t) {
      ui.Put(head, c.x, t, c.w, Paint::kPlain, true);
    };
    ui.Put(head, 0, "", ui.cols(), Paint::kPlain, true);
    header(cols.hub, "HUB LEARNER");
    header(cols.hub_year, "YR");
    header(cols.hub_reg, "REG");
    header(cols.status, "STATUS");
    header(cols.mis, "MIS LEARNER");
    header(cols.mis_year, "YR");
    header(cols.mis_reg, "REG");
    header(cols.import, cols.import_header);
    if (emails) header(cols.email, cols.email_header);

    const int first = head + 1;
    page_ = std::max(1, ui.rows() - first - 2);
    const size_t top_row = model_.Top(static_cast<size_t>(page_));
    // A tick, centred in its column.
    auto tick = [&](int y, const Column& c, bool on, bool cur) {
      const int pad = std::max(0, (c.w - 3) / 2);
      ui.Put(y, c.x, absl::StrCat(std::string(pad, ' '), on ? "[x]" : "[ ]"),
             c.w, Paint::kPlain, cur);
    };
    for (int i = 0; i < page_; ++i) {
      const size_t idx = top_row + static_cast<size_t>(i);
      if (idx >= model_.visible_size()) break;
      const v1::Row& r = model_.visible(idx);
      const bool cur = idx == model_.cursor();
      const int ry = first + i;
      const bool marked = model_.mark() && model_.mark()->row_id == r.row_id();
      if (cur) ui.Put(ry, 0, "", ui.cols(), Paint::kPlain, true);
      ui.Put(ry, 0, absl::StrCat(cur ? ">" : " ", marked ? "*" : " "), 2,
             Paint::kPlain, cur);
      // Each cell is drawn at its column's width exactly: a long name is cut
      // with "…" and the blank column after it stays blank.
      ui.Put(ry, cols.hub.x, HubName(r), cols.hub.w, Paint::kPlain, cur);
      ui.Put(ry, cols.hub_year.x, HasHub(r) ? r.hub().year_group() : "",
             cols.hub_year.w, Paint::kPlain, cur);
      ui.Put(ry, cols.hub_reg.x, HasHub(r) ? r.hub().registration_group() : "",
             cols.hub_reg.w, Paint::kPlain, cur);
      ui.Put(ry, cols.status.x,
             absl::StrCat(client::StatusLabel(r.status()),
                          r.status() == v1::ROW_STATUS_MAY_MATCH && r.reviewed()
                              ? " +"
                              : "",
                          r.decided_by_admin() ? " *" : ""),
             cols.status.w, PaintOf(r.status()), cur, true);
      ui.Put(ry, cols.mis.x, MisName(r), cols.mis.w, Paint::kPlain, cur);
      ui.Put(ry, cols.mis_year.x, HasMis(r) ? r.mis().year_group() : "",
             cols.mis_year.w, Paint::kPlain, cur);
      ui.Put(ry, cols.mis_reg.x, HasMis(r) ? r.mis().registration_group() : "",
             cols.mis_reg.w, Paint::kPlain, cur);
      if (r.status() == v1::ROW_STATUS_NEW) {
        tick(ry, cols.import, r.import(), cur);
      }
      if (emails && r.email_available()) {
        tick(ry, cols.email, r.sync_email(), cur);
      }
    }
    if (model_.visible_size() == 0) {
      ui.Put(first, 2,
             model_.stream_done() ? "No rows match the filter and search."
                                  : "Waiting for the first rows...",
             ui.cols() - 4);
    }
    DrawStatus(ctx_);
    ui.Put(ui.rows() - 1, 0, SyncKeyHint(ui.cols()), ui.cols(), Paint::kBar);
    ui.Show();
  }

  Context& ctx_;
  SyncModel model_;
  RowStream stream_;
  bool stepped_back_ = false;
  bool reported_ = false;
  int edits_ = 0;
  int page_ = 1;  // rows on screen, set by Draw
};

}  // namespace

Next SyncScreen(Context& ctx) {
  SyncScreenRunner runner(ctx);
  return runner.Run();
}

}  // namespace hubsync::console
