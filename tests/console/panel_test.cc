// The Pupils panel: the groups offered, one scope kind at a time, the email
// option, and the SetScope request it makes.
#include "client/console/panel.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace hubsync::console {
namespace {

using ::testing::ElementsAre;

v1::MisLearnerRecord Learner(const std::string& year, const std::string& reg) {
  v1::MisLearnerRecord l;
  l.set_year_group(year);
  l.set_registration_group(reg);
  return l;
}

v1::Session Session() {
  v1::Session s;
  s.set_session_id("ses_1");
  s.set_version(4);
  s.set_step(v1::SESSION_STEP_PUPILS_PANEL);
  return s;
}

std::vector<std::string> Texts(const PanelModel& p) {
  std::vector<std::string> out;
  for (const auto& l : p.Lines()) out.push_back(l.text);
  return out;
}

TEST(PanelModelTest, OffersTheMisGroupsInSchoolOrder) {
  PanelModel p({Learner("10", "10A"), Learner("7", "7B"), Learner("7", "7A"),
                Learner("R", "RB")},
               Session());
  EXPECT_THAT(Texts(p),
              ElementsAre("(*) Select all students (recommended)",
                          "Or a year group:", "  [ ] Year R", "  [ ] Year 7",
                          "  [ ] Year 10", "Or a registration group:",
                          "  [ ] 7A", "  [ ] 7B", "  [ ] 10A", "  [ ] RB", "",
                          "[ ] Sync pupil email addresses", "[ Proceed ]"));
  v1::SetScopeRequest req = p.Request(Session());
  EXPECT_EQ(req.scope().kind(), v1::SCOPE_KIND_ALL);
  EXPECT_FALSE(req.sync_email_addresses()) << "email option off by default";
  EXPECT_EQ(req.expected_version(), 4);
}

TEST(PanelModelTest, OneKindOfScopeAtATime) {
  PanelModel p({Learner("7", "7A"), Learner("8", "8A")}, Session());
  p.Move(1);  // Year 7
  EXPECT_FALSE(p.Activate());
  p.Move(1);  // Year 8
  p.Activate();
  v1::SetScopeRequest req = p.Request(Session());
  EXPECT_EQ(req.scope().kind(), v1::SCOPE_KIND_YEAR_GROUPS);
  EXPECT_THAT(req.scope().year_groups(), ElementsAre("7", "8"));
  p.Move(1);  // 7A: a registration group clears the years
  p.Activate();
  req = p.Request(Session());
  EXPECT_EQ(req.scope().kind(), v1::SCOPE_KIND_REGISTRATION_GROUPS);
  EXPECT_THAT(req.scope().registration_groups(), ElementsAre("7A"));
  EXPECT_EQ(req.scope().year_groups_size(), 0);
  p.Activate();  // untick 7A: nothing ticked is all students
  EXPECT_EQ(p.Request(Session()).scope().kind(), v1::SCOPE_KIND_ALL);
  p.Move(2);  // the email option
  p.Activate();
  EXPECT_TRUE(p.Request(Session()).sync_email_addresses());
  p.Move(1);
  EXPECT_TRUE(p.Activate()) << "Proceed";
  p.Move(100);
  EXPECT_TRUE(p.Activate()) << "the cursor stops at the last item";
}

TEST(PanelModelTest, StartsFromTheSessionsScope) {
  v1::Session s = Session();
  s.mutable_scope()->set_kind(v1::SCOPE_KIND_REGISTRATION_GROUPS);
  s.mutable_scope()->add_registration_groups("8A");
  s.set_sync_email_addresses(true);
  PanelModel p({Learner("7", "7A"), Learner("8", "8A")}, s);
  v1::SetScopeRequest req = p.Request(s);
  EXPECT_EQ(req.scope().kind(), v1::SCOPE_KIND_REGISTRATION_GROUPS);
  EXPECT_THAT(req.scope().registration_groups(), ElementsAre("8A"));
  EXPECT_TRUE(req.sync_email_addresses());
}

}  // namespace
}  // namespace hubsync::console
