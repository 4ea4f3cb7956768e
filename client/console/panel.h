// The Pupils panel's choices, apart from drawing: sync all students, or some
// year groups, or some registration groups (one kind at a time, as the
// SetScope RPC takes them), and the Sync pupil email addresses option.
#ifndef HUBSYNC_CLIENT_CONSOLE_PANEL_H_
#define HUBSYNC_CLIENT_CONSOLE_PANEL_H_

#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "hubsync/v1/mis.pb.h"
#include "hubsync/v1/sync.pb.h"

namespace hubsync::console {

class PanelModel {
 public:
  enum class Kind { kAll, kYear, kRegGroup, kEmail, kProceed };
  struct Item {
    Kind kind;
    std::string value;  // the year group or registration group
  };
  struct Line {
    std::string text;  // "(*) Select all students", "[x] Year 7", ...
    bool cursor = false;
    bool heading = false;  // a caption, not selectable
  };

  // The choices offered are the year and registration groups of the MIS
  // learners; the session's current scope and email option are preselected.
  PanelModel(const std::vector<v1::MisLearnerRecord>& learners,
             const v1::Session& session);

  void Move(int delta);
  // Space / Enter on the current item: choose all, tick a group, flip the
  // email option. Returns true on the Proceed item.
  bool Activate();
  std::vector<Line> Lines() const;

  // The SetScope request for the session's current version.
  v1::SetScopeRequest Request(const v1::Session& session) const;
  v1::ScopeKind scope_kind() const { return kind_; }
  bool emails() const { return emails_; }

 private:
  std::vector<Item> items_;
  size_t cursor_ = 0;
  v1::ScopeKind kind_ = v1::SCOPE_KIND_ALL;
  std::set<std::string> years_, groups_;  // ticked
  bool emails_ = false;
};

// Year groups in school order (N1, N2, R, 1 .. 13), others after, by name.
bool YearBefore(const std::string& a, const std::string& b);

}  // namespace hubsync::console

#endif  // HUBSYNC_CLIENT_CONSOLE_PANEL_H_
