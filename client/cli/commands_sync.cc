// The sync session commands: the help page's steps, one verb each.
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "client/cli/commands.h"
#include "client/cli/render.h"

namespace hubsync::cli {
namespace {

// --expect-version N, 0 when absent. Returns false on a bad number.
bool ExpectedVersion(const Parsed& p, int64_t* v, Io& io) {
  *v = 0;
  if (!p.Has("expect-version")) return true;
  if (!absl::SimpleAtoi(p.Get("expect-version"), v) || *v <= 0) {
    io.err << "error: --expect-version must be a positive session version\n";
    return false;
  }
  return true;
}

int ShowSession(const absl::StatusOr<v1::Session>& r, const Parsed& p, Io& io) {
  return Show(r, p, io, [&](const v1::Session& s) { PrintSession(s, io.out); });
}

int ShowEdit(const absl::StatusOr<v1::EditResponse>& r, const Parsed& p, Io& io) {
  if (!r.ok()) return Fail(r.status(), io);
  if (p.globals.json) {
    io.out << JsonLineOf(*r) << "\n";
    return 0;
  }
  if (r->changed_rows_size() > 0) {
    PrintRows({r->changed_rows().begin(), r->changed_rows().end()}, false, io.out);
  } else {
    io.out << "nothing to change\n";
  }
  io.out << "session " << r->session().session_id() << " is at version "
         << r->session().version() << "\n";
  return 0;
}

template <typename Req>
bool Common(const Parsed& p, Req* req, Io& io) {
  req->set_session_id(p.positionals[0]);
  int64_t v;
  if (!ExpectedVersion(p, &v, io)) return false;
  req->set_expected_version(v);
  return true;
}

int Start(const Parsed& p, client::HubsyncClient& c, Io& io) {
  v1::StartSessionRequest req;
  req.set_school_id(p.Get("school"));
  req.set_snapshot_id(p.Get("snapshot"));
  req.set_admin(p.Get("admin"));
  return ShowSession(c.StartSession(req), p, io);
}

int ShowCmd(const Parsed& p, client::HubsyncClient& c, Io& io) {
  return ShowSession(c.GetSession(p.positionals[0]), p, io);
}

int List(const Parsed& p, client::HubsyncClient& c, Io& io) {
  auto r = c.ListSessions(p.Get("school"));
  if (!r.ok()) return Fail(r.status(), io);
  if (p.globals.json) {
    for (const auto& s : r->sessions()) io.out << JsonLineOf(s) << "\n";
    return 0;
  }
  Table t({"SESSION", "STEP", "VERSION", "ADMIN", "SNAPSHOT"});
  for (const auto& s : r->sessions()) {
    t.Add({s.session_id(), StepLabel(s.step()), absl::StrCat(s.version()), s.admin(),
           s.snapshot_id()});
  }
  t.Print(io.out);
  return 0;
}

int Proceed(const Parsed& p, client::HubsyncClient& c, Io& io) {
  v1::ProceedRequest req;
  if (!Common(p, &req, io)) return 2;
  return ShowSession(c.Proceed(req), p, io);
}

int Scope(const Parsed& p, client::HubsyncClient& c, Io& io) {
  v1::SetScopeRequest req;
  if (!Common(p, &req, io)) return 2;
  const int chosen = p.Has("all") + p.Has("year") + p.Has("reg-group");
  if (chosen != 1) {
    io.err << "error: choose exactly one of --all, --year Y..., --reg-group G...\n";
    return 2;
  }
  v1::Scope* scope = req.mutable_scope();
  if (p.Has("all")) scope->set_kind(v1::SCOPE_KIND_ALL);
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
  for (std::string s : p.All("status")) {
    s = absl::AsciiStrToUpper(s);
    for (char& ch : s) {
      if (ch == '-' || ch == ' ') ch = '_';
    }
    v1::RowStatus status;
    if (!v1::RowStatus_Parse("ROW_STATUS_" + s, &status)) {
      io.err << "error: --status '" << s
             << "' is not one of not_matched,new,matched,may_match,synced,desynced\n";
      return 2;
    }
    req.add_statuses(status);
  }
  int64_t after = 0;
  if (p.Has("after") && (!absl::SimpleAtoi(p.Get("after"), &after) || after < 0)) {
    io.err << "error: --after must be a row id\n";
    return 2;
  }
  req.set_after_row_id(after);
  std::vector<v1::Row> rows;
  v1::StatusSummary summary;
  absl::Status s = c.StreamRows(req, [&](const v1::RowBatch& batch) {
    for (const auto& r : batch.rows()) {
      if (p.globals.json) {
        io.out << JsonLineOf(r) << "\n";
      } else {
        rows.push_back(r);
      }
    }
    if (batch.done()) summary = batch.summary();
    return true;
  });
  if (!s.ok()) return Fail(s, io);
  if (!p.globals.json) {
    PrintRows(rows, p.Has("explain"), io.out);
    io.out << "\n";
    PrintSummary(summary, io.out);
  }
  return 0;
}

int Import(const Parsed& p, client::HubsyncClient& c, Io& io) {
  v1::SetImportRequest req;
  if (!Common(p, &req, io)) return 2;
  req.set_mis_id(p.positionals[1]);
  req.set_import(!p.Has("off"));
  return ShowEdit(c.SetImport(req), p, io);
}

int ImportAll(const Parsed& p, client::HubsyncClient& c, Io& io) {
  v1::SetImportAllRequest req;
  if (!Common(p, &req, io)) return 2;
  req.set_import(!p.Has("off"));
  return ShowEdit(c.SetImportAll(req), p, io);
}

int MatchCmd(const Parsed& p, client::HubsyncClient& c, Io& io) {
  v1::MatchRequest req;
  if (!Common(p, &req, io)) return 2;
  req.set_learner_id(p.positionals[1]);
  req.set_mis_id(p.positionals[2]);
  return ShowEdit(c.Match(req), p, io);
}

int UnmatchCmd(const Parsed& p, client::HubsyncClient& c, Io& io) {
  v1::UnmatchRequest req;
  if (!Common(p, &req, io)) return 2;
  if ((p.positionals.size() > 1) == p.Has("mis")) {
    io.err << "error: name the row by LEARNER_ID or by --mis MIS_ID (one of them)\n";
    return 2;
  }
  if (p.positionals.size() > 1) req.set_learner_id(p.positionals[1]);
  req.set_mis_id(p.Get("mis"));
  return ShowEdit(c.Unmatch(req), p, io);
}

int Email(const Parsed& p, client::HubsyncClient& c, Io& io) {
  v1::SetSyncEmailRequest req;
  if (!Common(p, &req, io)) return 2;
  req.set_mis_id(p.positionals[1]);
  req.set_sync(!p.Has("off"));
  return ShowEdit(c.SetSyncEmail(req), p, io);
}

int EmailAll(const Parsed& p, client::HubsyncClient& c, Io& io) {
  v1::SetSyncEmailAllRequest req;
  if (!Common(p, &req, io)) return 2;
  req.set_sync(!p.Has("off"));
  return ShowEdit(c.SetSyncEmailAll(req), p, io);
}

int Save(const Parsed& p, client::HubsyncClient& c, Io& io) {
  v1::SaveRequest req;
  if (!Common(p, &req, io)) return 2;
  req.set_request_id(p.Get("request-id"));
  return Show(c.SaveAndSyncPupils(req), p, io,
              [&](const v1::SaveResponse& r) { PrintSaveSummary(r, io.out); });
}

int Cancel(const Parsed& p, client::HubsyncClient& c, Io& io) {
  v1::CancelSessionRequest req;
  if (!Common(p, &req, io)) return 2;
  return ShowSession(c.CancelSession(req), p, io);
}

int Watch(const Parsed& p, client::HubsyncClient& c, Io& io) {
  v1::WatchSessionRequest req;
  req.set_session_id(p.positionals[0]);
  int64_t after = 0;
  if (p.Has("after-version") &&
      (!absl::SimpleAtoi(p.Get("after-version"), &after) || after < 0)) {
    io.err << "error: --after-version must be a session version\n";
    return 2;
  }
  req.set_after_version(after);
  absl::Status s = c.WatchSession(req, [&](const v1::SessionEvent& e) {
    if (p.globals.json) {
      io.out << JsonLineOf(e) << "\n";
    } else {
      PrintEvent(e, io.out);
    }
    io.out.flush();
    return true;
  });
  return s.ok() ? 0 : Fail(s, io);
}

const FlagSpec kExpect{"expect-version", true,
                       "fail with ABORTED unless the session is at this version"};
const FlagSpec kOff{"off", false, "untick instead of tick"};

}  // namespace

std::vector<Command> SyncCommands() {
  return {
      {{"sync start",
        {},
        false,
        {{"school", true, "school id (required)"},
         {"snapshot", true, "MIS snapshot id (default: the newest)"},
         {"admin", true, "who is at the keyboard (for the audit trail)"}},
        "Start a pupil sync session (step: class sync).",
        "hubsync sync start --school sch_... --admin 'Ms Patel'"},
       Start},
      {{"sync show", {"SESSION"}, false, {}, "Show a session: step, scope, counts.",
        "hubsync sync show ses_..."},
       ShowCmd},
      {{"sync list", {}, false, {{"school", true, "school id (required)"}},
        "List a school's sessions.", "hubsync sync list --school sch_..."},
       List},
      {{"sync proceed", {"SESSION"}, false, {kExpect},
        "Proceed: from class sync, sync classes and open the Pupils panel;\n"
        "from the Pupils panel, classify and open the sync screen.",
        "hubsync sync proceed ses_..."},
       Proceed},
      {{"sync scope",
        {"SESSION"},
        false,
        {{"all", false, "sync all students (recommended)"},
         {"year", true, "year group(s), repeatable or comma-separated"},
         {"reg-group", true, "registration group(s), repeatable or comma-separated"},
         {"sync-emails", false, "Sync pupil email addresses (default off)"},
         kExpect},
        "Choose the scope and the email option on the Pupils panel.",
        "hubsync sync scope ses_... --year 7 --year 8 --sync-emails"},
       Scope},
      {{"sync rows",
        {"SESSION"},
        false,
        {{"status", true, "only these statuses, e.g. new,may_match"},
         {"after", true, "resume after this row id"},
         {"explain", false, "show each pair's field evidence and score"}},
        "Print the sync screen as rows stream in (left: hub, right: MIS).",
        "hubsync sync rows ses_... --status may_match --explain"},
       Rows},
      {{"sync import", {"SESSION", "MIS_ID"}, false, {kOff, kExpect},
        "Tick Import? on a New row.", "hubsync sync import ses_... m-123"},
       Import},
      {{"sync import-all", {"SESSION"}, false, {kOff, kExpect},
        "Select (or with --off deselect) Import? on every New row.",
        "hubsync sync import-all ses_..."},
       ImportAll},
      {{"sync match", {"SESSION", "LEARNER_ID", "MIS_ID"}, false, {kExpect},
        "Match a Not matched hub learner with a New MIS learner.",
        "hubsync sync match ses_... lrn_... m-123"},
       MatchCmd},
      {{"sync unmatch",
        {"SESSION"},
        true,
        {{"mis", true, "name the row by its MIS id instead of LEARNER_ID"}, kExpect},
        "Unmatch a Matched or May match row (by LEARNER_ID or --mis MIS_ID): the MIS\n"
        "record becomes New with Import? ticked.",
        "hubsync sync unmatch ses_... lrn_..."},
       UnmatchCmd},
      {{"sync email", {"SESSION", "MIS_ID"}, false, {kOff, kExpect},
        "Tick Sync email address? on a row (email option must be on).",
        "hubsync sync email ses_... m-123"},
       Email},
      {{"sync email-all", {"SESSION"}, false, {kOff, kExpect},
        "Sync (or with --off desync) every email address on the screen.",
        "hubsync sync email-all ses_..."},
       EmailAll},
      {{"sync save",
        {"SESSION"},
        false,
        {{"request-id", true, "a retry with the same id is applied once"}, kExpect},
        "Save and sync pupils: apply the screen in one transaction.",
        "hubsync sync save ses_... --request-id 7f3c"},
       Save},
      {{"sync cancel", {"SESSION"}, false, {kExpect}, "Cancel the session; nothing changes.",
        "hubsync sync cancel ses_..."},
       Cancel},
      {{"sync watch",
        {"SESSION"},
        false,
        {{"after-version", true, "only changes after this version"}},
        "Follow every change to a session, by anyone, until it is saved or cancelled.",
        "hubsync sync watch ses_..."},
       Watch},
  };
}

}  // namespace hubsync::cli
