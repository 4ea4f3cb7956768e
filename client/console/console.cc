// The console's entry point, the shared bars, and the two steps before the
// sync screen: Class sync and the Pupils panel.
#include "client/console/console.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "client/console/layout.h"
#include "client/console/panel.h"
#include "client/console/screens.h"
#include "client/lib/labels.h"

namespace hubsync::console {

std::string ErrorText(const absl::Status& s) {
  return absl::StrCat(absl::StatusCodeToString(s.code()), ": ", s.message());
}

void SetError(Context& ctx, const absl::Status& s) {
  ctx.message = ErrorText(s);
  ctx.message_error = true;
}

void SetInfo(Context& ctx, const std::string& text) {
  ctx.message = text;
  ctx.message_error = false;
}

void DrawTitle(Context& ctx, const std::string& step) {
  const v1::Session& s = ctx.session;
  ctx.ui.Put(
      0, 0,
      TitleLine(ctx.school_name.empty() ? s.school_id() : ctx.school_name,
                s.session_id(), s.version(), step, ctx.ui.cols()),
      ctx.ui.cols(), Paint::kBar);
}

void DrawStatus(Context& ctx) {
  ctx.ui.Put(ctx.ui.rows() - 2, 0, ctx.message, ctx.ui.cols(),
             ctx.message_error ? Paint::kError : Paint::kPlain, false,
             ctx.message_error);
}

namespace {

// Re-reads the session after ABORTED and says why nothing happened.
void Stale(Context& ctx, const absl::Status& s) {
  absl::StatusOr<v1::Session> fresh =
      ctx.client.GetSession(ctx.session.session_id());
  if (!fresh.ok()) {
    SetError(ctx, fresh.status());
    return;
  }
  ctx.session = *fresh;
  ctx.message = absl::StrCat(
      "Another admin changed this session (now version ", fresh->version(),
      ", step ", client::StepLabel(fresh->step()),
      "): refreshed, nothing of yours was applied. ", s.message());
  ctx.message_error = true;
}

void Fail(Context& ctx, const absl::Status& s) {
  if (s.code() == absl::StatusCode::kAborted) {
    Stale(ctx, s);
  } else {
    SetError(ctx, s);
  }
}

bool IsQuit(const Key& k) { return k.Is(L'q') || k.Is(L'Q'); }
bool IsEnter(const Key& k) {
  return k.Is(L'\n') || k.Is(L'\r') ||
         (k.type == Key::kSpecial && k.code == KeyEnter());
}

}  // namespace

Next ClassSyncScreen(Context& ctx) {
  for (;;) {
    Ui& ui = ctx.ui;
    ui.Erase();
    DrawTitle(ctx, "Class sync");
    const int w = ui.cols() - 4;
    ui.Put(2, 2, "Class sync", w, Paint::kPlain, false, true);
    ui.Put(4, 2,
           absl::StrCat("MIS snapshot ", ctx.session.snapshot_id(),
                        ", started by ", ctx.session.admin()),
           w);
    ui.Put(5, 2, "Proceed syncs the school's registration groups and subject",
           w);
    ui.Put(6, 2, "classes from the MIS, then opens the Pupils panel.", w);
    ui.Put(8, 2, "[ Proceed ]", 11, Paint::kPlain, true);
    DrawStatus(ctx);
    ui.Put(ui.rows() - 1, 0, " Enter/p: Proceed   q: quit", ui.cols(),
           Paint::kBar);
    ui.Show();
    const Key k = ui.Read(-1);
    if (IsQuit(k) || ui.interrupted()) return Next::kQuit;
    if (!IsEnter(k) && !k.Is(L'p')) continue;
    v1::ProceedRequest req;
    req.set_session_id(ctx.session.session_id());
    req.set_expected_version(ctx.session.version());
    absl::StatusOr<v1::Session> r = ctx.client.Proceed(req);
    if (!r.ok()) {
      Fail(ctx, r.status());
      if (ctx.session.step() != v1::SESSION_STEP_CLASS_SYNC)
        return Next::kStepDone;
      continue;
    }
    ctx.session = *r;
    SetInfo(ctx, absl::StrFormat(
                     "Classes synced: %d created, %d updated, %d unchanged",
                     r->class_sync().created(), r->class_sync().updated(),
                     r->class_sync().unchanged()));
    return Next::kStepDone;
  }
}

Next PupilsPanelScreen(Context& ctx) {
  std::vector<v1::MisLearnerRecord> learners;
  absl::StatusOr<v1::ListMisLearnersResponse> mis =
      ctx.client.ListMisLearners(ctx.session.snapshot_id());
  if (mis.ok()) {
    learners.assign(mis->learners().begin(), mis->learners().end());
  } else {
    SetError(ctx, mis.status());  // "all students" still works
  }
  PanelModel panel(learners, ctx.session);
  for (;;) {
    Ui& ui = ctx.ui;
    ui.Erase();
    DrawTitle(ctx, "Pupils panel");
    const int w = ui.cols() - 4;
    ui.Put(2, 2, "Pupils panel: which learners do you want to sync?", w,
           Paint::kPlain, false, true);
    std::vector<PanelModel::Line> lines = panel.Lines();
    int cursor_line = 0;
    for (size_t i = 0; i < lines.size(); ++i) {
      if (lines[i].cursor) cursor_line = static_cast<int>(i);
    }
    const int first = 4;
    const int space = std::max(1, ui.rows() - first - 3);
    const int top = std::max(0, cursor_line - space + 1);
    for (int i = 0; i < space && top + i < static_cast<int>(lines.size());
         ++i) {
      const PanelModel::Line& l = lines[static_cast<size_t>(top + i)];
      ui.Put(first + i, 2, absl::StrCat(l.cursor ? "> " : "  ", l.text), w,
             Paint::kPlain, l.cursor, l.heading);
    }
    DrawStatus(ctx);
    ui.Put(ui.rows() - 1, 0,
           " Up/Down/j/k: move   space/Enter: choose or tick   p: Proceed   "
           "C: cancel session   q: quit",
           ui.cols(), Paint::kBar);
    ui.Show();
    const Key k = ui.Read(-1);
    if (IsQuit(k) || ui.interrupted()) return Next::kQuit;
    if (k.Is(L'C')) {
      if (!ui.Ask("Cancel the session?",
                  {"Nothing in the Admin Hub changes, and the session cannot "
                   "be reopened."},
                  "Cancel the session?")) {
        continue;
      }
      v1::CancelSessionRequest req;
      req.set_session_id(ctx.session.session_id());
      req.set_expected_version(ctx.session.version());
      absl::StatusOr<v1::Session> c = ctx.client.CancelSession(req);
      if (!c.ok()) {
        Fail(ctx, c.status());
        continue;
      }
      ctx.session = *c;
      ctx.farewell = absl::StrCat("session ", c->session_id(),
                                  " cancelled: nothing changed");
      return Next::kQuit;
    }
    bool proceed = k.Is(L'p');
    if (k.Is(L'k') || (k.type == Key::kSpecial && k.code == KeyUp()))
      panel.Move(-1);
    if (k.Is(L'j') || (k.type == Key::kSpecial && k.code == KeyDown()))
      panel.Move(1);
    if (k.Is(L' ') || IsEnter(k)) proceed = panel.Activate();
    if (!proceed) continue;
    absl::StatusOr<v1::Session> r =
        ctx.client.SetScope(panel.Request(ctx.session));
    if (r.ok()) {
      ctx.session = *r;
      v1::ProceedRequest req;
      req.set_session_id(ctx.session.session_id());
      req.set_expected_version(ctx.session.version());
      r = ctx.client.Proceed(req);
    }
    if (!r.ok()) {
      Fail(ctx, r.status());
      if (ctx.session.step() != v1::SESSION_STEP_PUPILS_PANEL)
        return Next::kStepDone;
      continue;
    }
    ctx.session = *r;
    SetInfo(ctx, "Classifying: rows appear as they are classified");
    return Next::kStepDone;
  }
}

int RunConsole(client::HubsyncClient& client, const ConsoleOptions& options,
               std::ostream& out, std::ostream& err) {
  absl::StatusOr<v1::Session> session;
  if (!options.session_id.empty()) {
    session = client.GetSession(options.session_id);
  } else {
    v1::StartSessionRequest req;
    req.set_school_id(options.school_id);
    req.set_admin(options.admin);
    session = client.StartSession(req);
  }
  if (!session.ok()) {
    err << "error: " << ErrorText(session.status()) << "\n";
    return 1;
  }
  std::string school_name;
  if (absl::StatusOr<v1::School> school =
          client.GetSchool(session->school_id());
      school.ok()) {
    school_name = school->name();
  }
  std::string farewell;
  v1::Session last;
  bool interrupted = false;
  std::string codeset;
  {
    Ui ui;
    Context ctx{client, ui, *session, school_name, "", false, ""};
    bool carry_on = true;
    if (!ui.utf8()) {
      // Names such as Zoe with a diaeresis need UTF-8; say so before any
      // screen shows them wrongly (this text is ASCII on purpose).
      codeset = ui.codeset();
      const Key k = ui.Message(
          "Warning: the terminal's locale is not UTF-8",
          {absl::StrCat("The locale's character set is ", codeset,
                        ", not UTF-8: names with accents or"),
           "other scripts cannot show, and box lines are drawn in ASCII.",
           "Quit and start again with LANG=C.UTF-8 (or any *.UTF-8 locale)."},
          "q: quit   any other key: carry on anyway", Paint::kError);
      carry_on = !(k.Is(L'q') || k.Is(L'Q') || ui.interrupted());
      ctx.message = absl::StrCat("Warning: locale ", codeset,
                                 " is not UTF-8 (LANG=C.UTF-8 fixes it)");
      ctx.message_error = true;
    }
    while (carry_on) {
      Next next;
      switch (ctx.session.step()) {
        case v1::SESSION_STEP_CLASS_SYNC:
          next = ClassSyncScreen(ctx);
          break;
        case v1::SESSION_STEP_PUPILS_PANEL:
          next = PupilsPanelScreen(ctx);
          break;
        default:
          next = SyncScreen(ctx);
          break;
      }
      if (next == Next::kQuit) break;
    }
    farewell = ctx.farewell;
    last = ctx.session;
    interrupted = ui.interrupted();
  }
  if (!codeset.empty()) {
    err << "warning: the locale's character set is " << codeset
        << ", not UTF-8; run the console with LANG=C.UTF-8\n";
  }
  if (interrupted) {
    // Ctrl-C quits at once; edits are already on the server, so nothing is
    // lost and the exit status is 0 (README, "The console").
    err << "interrupted (Ctrl-C): changes made so far stay in the session\n";
  }
  if (!farewell.empty()) out << farewell << "\n";
  if (last.step() != v1::SESSION_STEP_SAVED &&
      last.step() != v1::SESSION_STEP_CANCELLED) {
    out << "session " << last.session_id() << " left at step "
        << client::StepLabel(last.step()) << " (version " << last.version()
        << "); reopen it with: hubsync console " << last.session_id() << "\n";
  }
  return 0;
}

}  // namespace hubsync::console
