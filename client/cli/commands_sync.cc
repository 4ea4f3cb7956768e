// The sync session commands: the help page's steps, one verb each.
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "client/cli/commands.h"
#include "client/cli/csv_export.h"
#include "client/lib/labels.h"

namespace hubsync::cli {
namespace {

int ShowSession(const absl::StatusOr<v1::Session>& r, const Parsed& p, Io& io) {
  return Show(r, p, io, [&](const v1::Session& s) { PrintSession(s, io.out); });
}

int ShowEdit(const absl::StatusOr<v1::EditResponse>& r, const Parsed& p,
             Io& io) {
  return Show(r, p, io,
              [&](const v1::EditResponse& e) { PrintEdit(e, io.out); });
}

// The session id and --expect-version (0 = do not check) of a mutating verb.
template <typename Req>
Req Mutating(const Parsed& p) {
  Req req;
  req.set_session_id(p.positionals[0]);
  req.set_expected_version(p.Number("expect-version"));
  return req;
}

// "may_match", "May match", "may-match" -> ROW_STATUS_MAY_MATCH.
bool ParseRowStatus(std::string s, v1::RowStatus* status) {
  s = absl::AsciiStrToUpper(s);
  for (char& ch : s) {
    if (ch == '-' || ch == ' ') ch = '_';
  }
  return s != "UNSPECIFIED" && v1::RowStatus_Parse("ROW_STATUS_" + s, status);
}

int Start(const Parsed& p, client::HubsyncClient& c, Io& io) {
  v1::StartSessionRequest req;
  req.set_school_id(p.Get("school"));
  req.set_snapshot_id(p.Get("snapshot"));
  req.set_admin(p.Get("admin"));
  return Show(c.StartSession(req), p, io, [&](const v1::Session& s) {
    io.out << "started session " << s.session_id() << " (snapshot "
           << s.snapshot_id() << "), step " << client::StepLabel(s.step())
           << ", version " << s.version() << "\n"
           << "next: hubsync sync proceed " << s.session_id() << "\n";
  });
}

int ShowCmd(const Parsed& p, client::HubsyncClient& c, Io& io) {
  return ShowSession(c.GetSession(p.positionals[0]), p, io);
}

int List(const Parsed& p, client::HubsyncClient& c, Io& io) {
  v1::ListSessionsRequest req;
  req.set_school_id(p.Get("school"));
  return ShowPages(
      req, [&](const v1::ListSessionsRequest& r) { return c.ListSessions(r); },
      p, io, [](const auto& r) -> const auto& { return r.sessions(); },
      [&](const v1::ListSessionsResponse& r, bool first) {
        PrintSessions(r, io.out, first);
      });
}

// After StepBack the classification applies the kept decisions; what it
// dropped is known once it ends, so Proceed then waits for it (watching
// the session) to print the report.
int ProceedCmd(const Parsed& p, client::HubsyncClient& c, Io& io) {
  absl::StatusOr<v1::Session> s = c.Proceed(Mutating<v1::ProceedRequest>(p));
  if (s.ok() && s->step() == v1::SESSION_STEP_CLASSIFYING &&
      s->decisions().pending() > 0) {
    v1::WatchSessionRequest watch;
    watch.set_session_id(s->session_id());
    watch.set_after_version(s->version());
    absl::Status w = c.WatchSession(watch, [&](const v1::SessionEvent& e) {
      if (e.session().step() == v1::SESSION_STEP_CLASSIFYING) return true;
      *s = e.session();
      return false;
    });
    if (!w.ok()) return Fail(w, io);
  }
  return ShowSession(s, p, io);
}

int Back(const Parsed& p, client::HubsyncClient& c, Io& io) {
  absl::StatusOr<v1::Session> s = c.StepBack(Mutating<v1::StepBackRequest>(p));
  return Show(s, p, io, [&](const v1::Session& session) {
    PrintSession(session, io.out);
    io.out << "next: hubsync sync scope " << session.session_id()
           << " ... (optional), then hubsync sync proceed "
           << session.session_id() << "\n";
  });
}

int ScopeCmd(const Parsed& p, client::HubsyncClient& c, Io& io) {
  const int chosen = p.Has("all") + p.Has("year") + p.Has("reg-group");
  if (chosen != 1) {
    return Usage(
        p, "choose exactly one of --all, --year Y..., --reg-group G...", io);
  }
  auto req = Mutating<v1::SetScopeRequest>(p);
  v1::Scope* scope = req.mutable_scope();
  scope->set_kind(v1::SCOPE_KIND_ALL);
  if (p.Has("year")) {
    scope->set_kind(v1::SCOPE_KIND_YEAR_GROUPS);
    for (const auto& y : p.All("year")) scope->add_year_groups(y);
  }
  if (p.Has("reg-group")) {
    scope->set_kind(v1::SCOPE_KIND_REGISTRATION_GROUPS);
    for (const auto& g : p.All("reg-group")) scope->add_registration_groups(g);
  }
  req.set_sync_email_addresses(p.Has("sync-emails"));
  return ShowSession(c.SetScope(req), p, io);
}

int Rows(const Parsed& p, client::HubsyncClient& c, Io& io) {
  v1::StreamRowsRequest req;
  req.set_session_id(p.positionals[0]);
  for (const std::string& s : p.All("status")) {
    v1::RowStatus status;
    if (!ParseRowStatus(s, &status)) {
      return Usage(
          p,
          absl::StrCat(
              "--status '", s,
              "' is not one of not_matched, new, matched, may_match, synced, "
              "desynced"),
          io);
    }
    req.add_statuses(status);
  }
  req.set_after_row_id(p.Number("after"));
  if (p.Has("csv")) {
    // Written as each batch arrives: a big school's screen is never held.
    io.out << SyncRowsCsvHeader();
    absl::Status s = c.StreamRows(req, [&](const v1::RowBatch& batch) {
      io.out << SyncRowsCsvRows(batch.rows());
      io.out.flush();
      return true;
    });
    return s.ok() ? kExitOk : Fail(s, io);
  }
  // JSON Lines go out as each batch arrives; the table needs every row first
  // to align its columns, and the session's email option to show Email?.
  RowsView view{.explain = p.Has("explain")};
  if (!p.globals.json) {
    absl::StatusOr<v1::Session> session = c.GetSession(req.session_id());
    if (!session.ok()) return Fail(session.status(), io);
    view.email_column = session->sync_email_addresses();
  }
  std::vector<v1::Row> rows;
  v1::StatusSummary summary;
  absl::Status s = c.StreamRows(req, [&](const v1::RowBatch& batch) {
    for (const auto& r : batch.rows()) {
      if (p.globals.json) {
        io.out << JsonLine(r) << "\n";
      } else {
        rows.push_back(r);
      }
    }
    if (p.globals.json) io.out.flush();
    if (batch.done()) summary = batch.summary();
    return true;
  });
  if (!s.ok()) return Fail(s, io);
  if (!p.globals.json) {
    PrintRows(rows, view, io.out);
    io.out << "\n";
    PrintSummary(summary, io.out);
  }
  return kExitOk;
}

int Import(const Parsed& p, client::HubsyncClient& c, Io& io) {
  auto req = Mutating<v1::SetImportRequest>(p);
  req.set_mis_id(p.positionals[1]);
  req.set_import(!p.Has("off"));
  return ShowEdit(c.SetImport(req), p, io);
}

int ImportAll(const Parsed& p, client::HubsyncClient& c, Io& io) {
  auto req = Mutating<v1::SetImportAllRequest>(p);
  req.set_import(!p.Has("off"));
  return ShowEdit(c.SetImportAll(req), p, io);
}

int MatchCmd(const Parsed& p, client::HubsyncClient& c, Io& io) {
  auto req = Mutating<v1::MatchRequest>(p);
  req.set_learner_id(p.positionals[1]);
  req.set_mis_id(p.positionals[2]);
  return ShowEdit(c.Match(req), p, io);
}

int UnmatchCmd(const Parsed& p, client::HubsyncClient& c, Io& io) {
  const bool by_learner = p.positionals.size() > 1;
  if (by_learner == p.Has("mis")) {
    return Usage(
        p, "name the row by LEARNER_ID or by --mis MIS_ID (exactly one)", io);
  }
  auto req = Mutating<v1::UnmatchRequest>(p);
  if (by_learner) req.set_learner_id(p.positionals[1]);
  req.set_mis_id(p.Get("mis"));
  return ShowEdit(c.Unmatch(req), p, io);
}

int Email(const Parsed& p, client::HubsyncClient& c, Io& io) {
  auto req = Mutating<v1::SetSyncEmailRequest>(p);
  req.set_mis_id(p.positionals[1]);
  req.set_sync(!p.Has("off"));
  return ShowEdit(c.SetSyncEmail(req), p, io);
}

int EmailAll(const Parsed& p, client::HubsyncClient& c, Io& io) {
  auto req = Mutating<v1::SetSyncEmailAllRequest>(p);
  req.set_sync(!p.Has("off"));
  return ShowEdit(c.SetSyncEmailAll(req), p, io);
}

// Marks one May match row reviewed (by LEARNER_ID or --mis), or with --all
// --confirm N every one of them; --undo unmarks.
int Review(const Parsed& p, client::HubsyncClient& c, Io& io) {
  const bool by_learner = p.positionals.size() > 1;
  const int named = by_learner + p.Has("mis") + p.Has("all");
  if (named != 1) {
    return Usage(p,
                 "name the row by LEARNER_ID or by --mis MIS_ID, or give --all "
                 "(exactly one)",
                 io);
  }
  if (p.Has("all")) {
    if (!p.Has("confirm")) {
      return Usage(p,
                   "--all needs --confirm N, the number of May match rows it "
                   "marks (hubsync sync show SESSION counts them)",
                   io);
    }
    auto req = Mutating<v1::SetReviewedAllRequest>(p);
    req.set_reviewed(!p.Has("undo"));
    req.set_confirm_count(p.Number("confirm"));
    return ShowEdit(c.SetReviewedAll(req), p, io);
  }
  if (p.Has("confirm")) {
    return Usage(p, "--confirm goes with --all", io);
  }
  auto req = Mutating<v1::SetReviewedRequest>(p);
  if (by_learner) req.set_learner_id(p.positionals[1]);
  req.set_mis_id(p.Get("mis"));
  req.set_reviewed(!p.Has("undo"));
  return ShowEdit(c.SetReviewed(req), p, io);
}

// A save refused for May match rows nobody reviewed: lists them and, with
// someone to ask (io.in, set only when stdin is a terminal), asks whether to
// save anyway. True: save again with allow_unreviewed.
bool AcceptUnreviewed(const v1::UnreviewedMayMatch& unreviewed,
                      const std::string& session_id, Io& io) {
  io.err << UnreviewedWarning(unreviewed, session_id);
  std::string answer;
  if (io.in != nullptr) {
    io.err << "Save anyway? [y/N] ";
    io.err.flush();
    if (std::getline(*io.in, answer)) {
      answer = absl::AsciiStrToLower(absl::StripAsciiWhitespace(answer));
      if (answer == "y" || answer == "yes") return true;
    }
    io.err << "\n";
  }
  io.err << "not saved: " << unreviewed.count()
         << " May match row(s) not reviewed (nothing changed). Review them "
            "with 'hubsync sync review "
         << session_id
         << " LEARNER_ID', or save with --accept-unreviewed to save them "
            "unreviewed\n";
  return false;
}

// Saves; when the mass-desync guard refuses, shows the count and, unless
// --confirm-desync was given, asks for it on io.in and saves again with it.
// Unreviewed May match rows are listed first and asked about (y/N) unless
// --accept-unreviewed was given.
int Save(const Parsed& p, client::HubsyncClient& c, Io& io) {
  auto req = Mutating<v1::SaveRequest>(p);
  if (p.Has("dry-run")) {
    // The server plans the save exactly as it would apply it and writes
    // nothing (SaveRequest.validate_only).
    req.set_validate_only(true);
    return Show(
        c.SaveAndSyncPupils(req), p, io,
        [&](const v1::SaveResponse& r) { PrintSaveSummary(r, io.out); });
  }
  req.set_request_id(p.Get("request-id"));
  req.set_confirm_desync_count(p.Number("confirm-desync"));
  req.set_allow_unreviewed(p.Has("accept-unreviewed"));
  v1::MassDesync guard;
  v1::UnreviewedMayMatch unreviewed;
  absl::StatusOr<v1::SaveResponse> saved =
      c.SaveAndSyncPupils(req, &guard, &unreviewed);
  if (!saved.ok() && unreviewed.count() > 0) {
    if (!AcceptUnreviewed(unreviewed, req.session_id(), io)) {
      return Fail(saved.status(), io);
    }
    req.set_allow_unreviewed(true);
    saved = c.SaveAndSyncPupils(req, &guard, &unreviewed);
  }
  if (!saved.ok() && guard.desync_count() > 0) {
    io.err << MassDesyncWarning(guard);
    if (p.Has("confirm-desync")) return Fail(saved.status(), io);
    if (io.in == nullptr) {
      io.err << "not saved: nobody to type the count (stdin is not a "
                "terminal; nothing changed). Check the export, then save "
                "with --confirm-desync "
             << guard.desync_count() << "\n";
      return Fail(saved.status(), io);
    }
    io.err << "Type " << guard.desync_count()
           << " to desync them and save, anything else to stop: ";
    io.err.flush();
    std::string answer;
    if (!std::getline(*io.in, answer) ||
        absl::StripAsciiWhitespace(answer) !=
            absl::StrCat(guard.desync_count())) {
      io.err << "\nnot saved: the count was not confirmed (nothing changed)\n";
      return Fail(saved.status(), io);
    }
    req.set_confirm_desync_count(guard.desync_count());
    saved = c.SaveAndSyncPupils(req, &guard);
  }
  return Show(saved, p, io,
              [&](const v1::SaveResponse& r) { PrintSaveSummary(r, io.out); });
}

int Cancel(const Parsed& p, client::HubsyncClient& c, Io& io) {
  return ShowSession(c.CancelSession(Mutating<v1::CancelSessionRequest>(p)), p,
                     io);
}

int Watch(const Parsed& p, client::HubsyncClient& c, Io& io) {
  v1::WatchSessionRequest req;
  req.set_session_id(p.positionals[0]);
  req.set_after_version(p.Number("after-version"));
  absl::Status s = c.WatchSession(req, [&](const v1::SessionEvent& e) {
    if (p.globals.json) {
      io.out << JsonLine(e) << "\n";
    } else {
      PrintEvent(e, io.out);
    }
    io.out.flush();
    return true;
  });
  return s.ok() ? kExitOk : Fail(s, io);
}

FlagSpec Number(const std::string& name, const std::string& value,
                const std::string& help) {
  return {
      .name = name, .kind = FlagKind::kNumber, .value = value, .help = help};
}

FlagSpec Switch(const std::string& name, const std::string& help) {
  return {.name = name, .kind = FlagKind::kSwitch, .help = help};
}

FlagSpec Text(const std::string& name, const std::string& value,
              const std::string& help, bool required = false,
              bool repeated = false) {
  return {.name = name,
          .kind = FlagKind::kString,
          .value = value,
          .help = help,
          .required = required,
          .repeated = repeated};
}

const FlagSpec& Expect() {
  static const auto* f = new FlagSpec(
      Number("expect-version", "N",
             "fail with ABORTED unless the session is at version N (0: any)"));
  return *f;
}

}  // namespace

std::vector<Command> SyncCommands() {
  const FlagSpec off = Switch("off", "untick instead of tick");
  return {
      {{.path = "sync start",
        .flags = {SchoolFlag(),
                  Text("snapshot", "ID",
                       "MIS snapshot id (default: the school's newest)"),
                  Text("admin", "NAME",
                       "who is at the keyboard, for the audit trail")},
        .summary =
            "Start a pupil sync session; prints its id and step (Class sync).",
        .example = "hubsync sync start --school sch_... --admin 'Ms Patel'"},
       Start},
      {{.path = "sync show",
        .positionals = {"SESSION"},
        .summary = "Show a session: step, version, scope, email option, counts "
                   "per status.",
        .example = "hubsync sync show ses_0123456789abcdef"},
       ShowCmd},
      {{.path = "sync list",
        .flags = {SchoolFlag()},
        .summary = "List a school's sync sessions.",
        .example = "hubsync sync list --school sch_..."},
       List},
      {{.path = "sync proceed",
        .positionals = {"SESSION"},
        .flags = {Expect()},
        .summary =
            "Proceed to the next step.\nFrom Class sync: sync the classes and "
            "open the Pupils panel. From the\n"
            "Pupils panel: classify the learners and open the sync screen.",
        .example = "hubsync sync proceed ses_... --expect-version 1"},
       ProceedCmd},
      {{.path = "sync scope",
        .positionals = {"SESSION"},
        .flags =
            {Switch("all", "sync all students (recommended)"),
             Text("year", "Y", "year group(s), repeatable or comma-separated",
                  false, true),
             Text("reg-group", "G",
                  "registration group(s), repeatable or comma-separated", false,
                  true),
             Switch("sync-emails", "Sync pupil email addresses (default: off)"),
             Expect()},
        .summary =
            "Choose the scope and the email option on the Pupils panel.\n"
            "Give exactly one of --all, --year, --reg-group.",
        .example =
            "hubsync sync scope ses_... --year 7 --year 8 --sync-emails"},
       ScopeCmd},
      {{.path = "sync rows",
        .positionals = {"SESSION"},
        .flags = {Text("status", "STATUS",
                       "only these: not_matched,new,matched,may_match,"
                       "synced,desynced",
                       false, true),
                  Number("after", "ROW_ID", "resume after this row id"),
                  Switch("explain",
                         "show each pair's field evidence and score"),
                  Switch("csv",
                         "write CSV (RFC 4180) with the explanation columns, "
                         "for review in a spreadsheet")},
        .summary = "Print the sync screen and the counts per status.\n"
                   "Hub learner on the left, MIS learner on the right, then "
                   "the status and\n"
                   "the Import? and Email? ticks. --explain adds each pair's "
                   "evidence.",
        .example =
            "hubsync sync rows ses_... --status may_match,matched --explain"},
       Rows},
      {{.path = "sync back",
        .positionals = {"SESSION"},
        .flags = {Expect()},
        .summary =
            "Step back from the sync screen to the Pupils panel.\n"
            "The Match, Unmatch, Import? and Sync email? decisions are kept: "
            "change the\n"
            "scope or the email option with sync scope, then sync proceed "
            "classifies\n"
            "the hub as it is now, applies them and reports any it drops. "
            "Also the way\n"
            "to classify again after the hub changed under the session.",
        .example = "hubsync sync back ses_..."},
       Back},
      {{.path = "sync import",
        .positionals = {"SESSION", "MIS_ID"},
        .flags = {off, Expect()},
        .summary = "Tick (or with --off untick) Import? on a New row.",
        .example = "hubsync sync import ses_... stu-021"},
       Import},
      {{.path = "sync import-all",
        .positionals = {"SESSION"},
        .flags = {off, Expect()},
        .summary = "Select (or with --off deselect) Import? on every New row.",
        .example = "hubsync sync import-all ses_..."},
       ImportAll},
      {{.path = "sync match",
        .positionals = {"SESSION", "LEARNER_ID", "MIS_ID"},
        .flags = {Expect()},
        .summary = "Match a Not matched hub learner with a New MIS learner.",
        .example = "hubsync sync match ses_... lrn_0123456789abcdef stu-021"},
       MatchCmd},
      {{.path = "sync unmatch",
        .positionals = {"SESSION"},
        .optional = {"LEARNER_ID"},
        .flags = {Text("mis", "MIS_ID",
                       "name the row by its MIS learner instead"),
                  Expect()},
        .summary =
            "Unmatch a Matched or May match row.\n"
            "The hub learner becomes Not matched and the MIS learner New, "
            "with\n"
            "Import? ticked. Name the row by LEARNER_ID or by --mis MIS_ID.",
        .example = "hubsync sync unmatch ses_... lrn_0123456789abcdef"},
       UnmatchCmd},
      {{.path = "sync email",
        .positionals = {"SESSION", "MIS_ID"},
        .flags = {off, Expect()},
        .summary =
            "Tick (or with --off untick) Sync email address? on a row.\n"
            "The session's email option must be on (sync scope --sync-emails).",
        .example = "hubsync sync email ses_... stu-025"},
       Email},
      {{.path = "sync email-all",
        .positionals = {"SESSION"},
        .flags = {off, Expect()},
        .summary =
            "Sync (or with --off desync) every email address on the screen.",
        .example = "hubsync sync email-all ses_..."},
       EmailAll},
      {{.path = "sync review",
        .positionals = {"SESSION"},
        .optional = {"LEARNER_ID"},
        .flags = {Text("mis", "MIS_ID",
                       "name the row by its MIS learner instead"),
                  Switch("all", "every May match row of the session"),
                  Number("confirm", "N",
                         "with --all: the number of rows it marks (those not "
                         "yet so), or nothing is marked"),
                  Switch("undo", "mark as not reviewed instead"), Expect()},
        .summary =
            "Mark a May match row as reviewed (or with --undo, not).\n"
            "A May match is the classifier's guess: saving links the hub "
            "learner to the\n"
            "MIS record and overwrites it. A save with May match rows nobody "
            "reviewed\n"
            "lists them and asks. Name the row by LEARNER_ID or by --mis "
            "MIS_ID, or\n"
            "mark every one with --all --confirm N (N: how many it marks).",
        .example = "hubsync sync review ses_... lrn_0123456789abcdef"},
       Review},
      {{.path = "sync save",
        .positionals = {"SESSION"},
        .flags = {Text("request-id", "ID",
                       "a retry with the same id is applied once"),
                  Number("confirm-desync", "N",
                         "confirm a save that desyncs N learners, more than "
                         "the server allows unasked (N must be the exact "
                         "count); without it the command shows the count "
                         "and asks"),
                  Switch("dry-run",
                         "print what the save would do (the server plans it "
                         "as it would apply it) and write nothing"),
                  Switch("accept-unreviewed",
                         "save May match rows nobody marked reviewed (sync "
                         "review) without asking; without it the command "
                         "lists them and asks, or with nobody to answer "
                         "saves nothing"),
                  Expect()},
        .summary = "Save and sync pupils, in one transaction.\n"
                   "Prints what happened: linked, refreshed, imported, "
                   "desynced, emails queued. May match rows nobody "
                   "reviewed (sync review) are listed and the command asks "
                   "first. A save that would desync more "
                   "than the server's share (default 10%) of the school's "
                   "synced learners shows the count and asks first. With "
                   "--dry-run, prints what it would do and saves nothing.",
        .example = "hubsync sync save ses_... --request-id 7f3c"},
       Save},
      {{.path = "sync cancel",
        .positionals = {"SESSION"},
        .flags = {Expect()},
        .summary = "Cancel the session; nothing in the hub changes.",
        .example = "hubsync sync cancel ses_..."},
       Cancel},
      {{.path = "sync watch",
        .positionals = {"SESSION"},
        .flags = {Number("after-version", "N", "only changes after version N")},
        .summary = "Follow every change made to a session, by anyone.\n"
                   "Ends when the session is saved or cancelled.",
        .example = "hubsync --json sync watch ses_..."},
       Watch},
  };
}

}  // namespace hubsync::cli
