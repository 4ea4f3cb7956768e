// Save history commands (docs/SYNC.md, "Reverting a save"): save list /
// show / revert.
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "client/cli/commands.h"

namespace hubsync::cli {
namespace {

// "save", "save (reverted by sav_...)", "revert of sav_...".
std::string KindLabel(const v1::SaveRecord& r) {
  std::string kind =
      r.revert() ? absl::StrCat("revert of ", r.reverts_save_id()) : "save";
  if (!r.reverted_by().empty()) {
    absl::StrAppend(&kind, " (reverted by ", r.reverted_by(), ")");
  } else if (!r.changes_kept()) {
    absl::StrAppend(&kind, " (past retention: cannot be reverted)");
  }
  return kind;
}

// "3 linked, 1 imported, ..." or the revert's counts.
std::string CountsLabel(const v1::SaveRecord& r) {
  if (r.revert()) {
    const v1::RevertSummary& s = r.revert_summary();
    return absl::StrFormat(
        "%d restored, %d removed, %d recreated, %d emails withdrawn, %d "
        "requeued",
        s.restored(), s.removed(), s.recreated(), s.emails_withdrawn(),
        s.emails_requeued());
  }
  const v1::SaveSummary& s = r.summary();
  return absl::StrFormat(
      "%d linked, %d refreshed, %d imported, %d desynced, %d emails queued",
      s.linked(), s.refreshed(), s.imported(), s.desynced(), s.emails_queued());
}

void PrintSaves(const v1::ListSavesResponse& r, std::ostream& os, bool header) {
  Table t({"SAVE", "WHEN", "BY", "SESSION", "KIND", "WHAT"});
  for (const v1::SaveRecord& s : r.saves()) {
    t.Add({s.save_id(), TimeLabel(s.create_time()), s.actor(), s.session_id(),
           KindLabel(s), CountsLabel(s)});
  }
  t.Print(os, header);
}

void PrintSave(const v1::SaveRecord& s, std::ostream& os) {
  os << (s.revert() ? "Revert " : "Save ") << s.save_id() << "\n"
     << "  when      " << TimeLabel(s.create_time()) << "\n"
     << "  by        " << s.actor() << " (" << s.actor_key_id() << ")\n"
     << "  session   " << s.session_id() << "\n"
     << "  kind      " << KindLabel(s) << "\n"
     << "  learners  " << s.learners_changed() << " changed: " << CountsLabel(s)
     << "\n";
  if (s.revertible()) {
    os << "To undo it: hubsync save revert " << s.save_id() << "\n";
  }
}

void PrintRevert(const v1::RevertSaveResponse& r, bool dry_run,
                 std::ostream& os) {
  const v1::SaveRecord& rev = r.revert();
  const v1::RevertSummary& s = rev.revert_summary();
  if (dry_run) {
    os << "Dry run: reverting " << rev.reverts_save_id()
       << " would do this (nothing changed)\n";
  } else {
    os << "Reverted " << rev.reverts_save_id() << " (revert " << rev.save_id()
       << ")\n";
  }
  os << absl::StrFormat("  restored          %d  (learners as before it)\n",
                        s.restored())
     << absl::StrFormat("  removed           %d  (learners it imported)\n",
                        s.removed())
     << absl::StrFormat("  recreated         %d  (learners a revert removed)\n",
                        s.recreated())
     << absl::StrFormat("  emails withdrawn  %d  (queued, not yet sent)\n",
                        s.emails_withdrawn())
     << absl::StrFormat("  emails requeued   %d\n", s.emails_requeued());
  if (s.emails_left() > 0) {
    os << absl::StrFormat("  emails left       %d  (already sent)\n",
                          s.emails_left());
  }
  if (!dry_run) {
    os << "To undo this revert: hubsync save revert " << rev.save_id() << "\n";
  }
}

int ListCmd(const Parsed& p, client::HubsyncClient& c, Io& io) {
  v1::ListSavesRequest req;
  req.set_school_id(p.Get("school"));
  return ShowPages(
      req, [&](const v1::ListSavesRequest& r) { return c.ListSaves(r); }, p, io,
      [](const auto& r) -> const auto& { return r.saves(); },
      [&](const v1::ListSavesResponse& r, bool first) {
        PrintSaves(r, io.out, first);
      });
}

int ShowCmd(const Parsed& p, client::HubsyncClient& c, Io& io) {
  return Show(c.GetSave(p.positionals[0]), p, io,
              [&](const v1::SaveRecord& r) { PrintSave(r, io.out); });
}

int RevertCmd(const Parsed& p, client::HubsyncClient& c, Io& io) {
  v1::RevertSaveRequest req;
  req.set_save_id(p.positionals[0]);
  req.set_validate_only(p.Has("dry-run"));
  return Show(c.RevertSave(req), p, io, [&](const v1::RevertSaveResponse& r) {
    PrintRevert(r, p.Has("dry-run"), io.out);
  });
}

}  // namespace

std::vector<Command> SaveCommands() {
  return {
      {{.path = "save list",
        .flags = {SchoolFlag()},
        .summary = "List a school's saves and reverts, newest first.",
        .example = "hubsync save list --school sch_..."},
       ListCmd},
      {{.path = "save show",
        .positionals = {"SAVE"},
        .summary = "Show one save or revert: who, when, what it changed.",
        .example = "hubsync save show sav_0123456789abcdef"},
       ShowCmd},
      {{.path = "save revert",
        .positionals = {"SAVE"},
        .flags = {{.name = "dry-run",
                   .help = "print what the revert would do and change "
                           "nothing"}},
        .summary =
            "Undo a save (or a revert) in one transaction.\n"
            "Every learner it changed goes back to exactly what it was, "
            "the learners\nit imported are removed and its emails not yet "
            "sent are withdrawn.\nRefused, naming the learners, when a later "
            "save changed them: revert that\none first (newest first).",
        .example = "hubsync save revert sav_0123456789abcdef --dry-run"},
       RevertCmd},
  };
}

}  // namespace hubsync::cli
