// The synthetic-school generator (tests/synth) says what it makes: these
// check that it is deterministic and that a 2,000-learner school has the
// shape docs/MATCHING.md claims.
#include "tests/synth/synth.h"

#include <algorithm>
#include <random>
#include <string>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "common/classify.h"
#include "common/upn.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/synth/synth_names.h"

namespace hubsync::synth {
namespace {

School Make(uint64_t seed) {
  absl::StatusOr<School> s = Generate(2000, seed);
  EXPECT_TRUE(s.ok()) << s.status();
  return s.ok() ? *std::move(s) : School{};
}

std::string Key(const HubLearner& h) {
  return h.id + "|" + h.legal_forename + "|" + h.legal_surname + "|" + h.upn +
         "|" + (h.date_of_birth ? FormatDate(*h.date_of_birth) : "");
}

TEST(Synth, SameSeedSameSchoolOtherSeedOtherSchool) {
  const School a = Make(7), b = Make(7), c = Make(8);
  ASSERT_EQ(a.hub.size(), b.hub.size());
  ASSERT_EQ(a.mis.size(), b.mis.size());
  for (size_t i = 0; i < a.hub.size(); ++i) {
    EXPECT_EQ(Key(a.hub[i]), Key(b.hub[i]));
  }
  for (size_t i = 0; i < a.mis.size(); ++i) {
    EXPECT_EQ(a.mis[i].mis_id, b.mis[i].mis_id);
    EXPECT_EQ(a.mis[i].legal_forename, b.mis[i].legal_forename);
  }
  EXPECT_EQ(a.twin_pairs, b.twin_pairs);
  EXPECT_NE(Key(a.hub[0]), Key(c.hub[0]));
}

TEST(Synth, MisRollIsValidAndUnique) {
  const School s = Make(1);
  EXPECT_EQ(s.mis.size(), 2000u);
  absl::flat_hash_set<std::string> ids, upns;
  size_t missing_upn = 0;
  for (const MisLearner& m : s.mis) {
    EXPECT_TRUE(ids.insert(m.mis_id).second) << m.mis_id;
    if (m.upn.empty()) {
      ++missing_upn;
    } else {
      EXPECT_TRUE(IsValidUpn(m.upn)) << m.upn << ": " << UpnProblem(m.upn);
      EXPECT_TRUE(upns.insert(m.upn).second) << m.upn;
    }
    const int year = std::stoi(m.year_group);
    ASSERT_GE(year, 7);
    ASSERT_LE(year, 11);
    ASSERT_TRUE(m.date_of_birth.has_value());
    // 2024/25: Year 7 was born 1 Sep 2012 .. 31 Aug 2013.
    const Date& d = *m.date_of_birth;
    const int start = 2024 - year - 5;
    EXPECT_TRUE((d.year == start && d.month >= 9) ||
                (d.year == start + 1 && d.month <= 8))
        << m.mis_id << " year " << year << " born " << FormatDate(d);
    EXPECT_EQ(m.registration_group.rfind(m.year_group, 0), 0u)
        << m.registration_group;
  }
  EXPECT_LT(missing_upn, 60u);  // 1 %
}

TEST(Synth, TwinsShareSurnameAndBirthdayButNotForename) {
  const School s = Make(1);
  EXPECT_GE(s.twin_pairs.size(), 15u);  // 3 % of 2,000 children = 30 pairs
  EXPECT_LE(s.twin_pairs.size(), 50u);
  absl::flat_hash_map<std::string, const MisLearner*> mis;
  for (const MisLearner& m : s.mis) mis[m.mis_id] = &m;
  absl::flat_hash_map<std::string, int> hub_records;  // per MIS id
  for (const auto& [id, t] : s.truth) {
    if (!t.mis_id.empty()) ++hub_records[t.mis_id];
  }
  for (const auto& [a, b] : s.twin_pairs) {
    const MisLearner& x = *mis.at(a);
    const MisLearner& y = *mis.at(b);
    EXPECT_EQ(x.legal_surname, y.legal_surname);
    EXPECT_EQ(x.date_of_birth, y.date_of_birth);
    EXPECT_NE(x.legal_forename, y.legal_forename);
    EXPECT_EQ(hub_records[a], 1) << a;  // both twins on both sides
    EXPECT_EQ(hub_records[b], 1) << b;
  }
}

TEST(Synth, RatesAreRoughlyAsConfigured) {
  const School s = Make(1);
  const Profile p;
  size_t linked = 0, leavers = 0, orphans = 0, hand_made = 0;
  size_t no_dob = 0, no_upn = 0, stale = 0;
  absl::flat_hash_set<std::string> mis_ids;
  for (const MisLearner& m : s.mis) mis_ids.insert(m.mis_id);
  absl::flat_hash_set<std::string> on_hub;
  for (const HubLearner& h : s.hub) {
    const Truth& t = s.truth.at(h.id);
    if (t.linked) {
      EXPECT_EQ(h.sync_state, SyncState::kSynced);
      EXPECT_EQ(h.mis_id, t.mis_id.empty() ? h.mis_id : t.mis_id);
      (mis_ids.contains(h.mis_id) ? linked : leavers)++;
    } else {
      EXPECT_EQ(h.sync_state, SyncState::kUnsynced);
      EXPECT_TRUE(h.mis_id.empty());
      if (t.mis_id.empty()) {
        ++orphans;
        continue;
      }
      ++hand_made;
      no_dob += !h.date_of_birth.has_value();
      no_upn += h.upn.empty();
      stale += (t.flags & kStaleGroups) != 0;
      EXPECT_EQ(!h.date_of_birth.has_value(), (t.flags & kMissingDob) != 0);
    }
    if (!t.mis_id.empty()) on_hub.insert(t.mis_id);
  }
  auto near = [](size_t n, double rate, size_t of) {
    const double want = rate * static_cast<double>(of);
    return std::abs(static_cast<double>(n) - want) <= 0.25 * want + 10;
  };
  EXPECT_TRUE(near(leavers, p.leaver_rate, 2000)) << leavers;
  EXPECT_TRUE(near(orphans, p.orphan_rate, 2000)) << orphans;
  EXPECT_TRUE(near(2000 - on_hub.size(), p.joiner_rate, 2000))
      << "joiners " << 2000 - on_hub.size();
  EXPECT_TRUE(near(linked, p.linked_rate * (1 - p.joiner_rate), 2000))
      << linked;
  EXPECT_TRUE(near(no_dob, p.missing_dob, hand_made)) << no_dob;
  EXPECT_TRUE(near(no_upn, p.missing_upn, hand_made)) << no_upn;
  EXPECT_TRUE(near(stale, p.stale_groups, hand_made)) << stale;
}

TEST(SynthNames, EditsDoWhatTheySay) {
  internal::Rng rng(3);
  EXPECT_EQ(internal::StripAccents("Zoë Łukasz Siobhán Søndergaard"),
            "Zoe Lukasz Siobhan Sondergaard");
  for (int i = 0; i < 50; ++i) {
    const std::string t = internal::Typo("Olivia", rng);
    EXPECT_NE(t, "Olivia");
    EXPECT_EQ(t[0], 'O');
    EXPECT_LE(t.size(), 7u);
    EXPECT_GE(t.size(), 5u);
  }
  EXPECT_EQ(internal::Typo("Al", rng), "Al");  // too short to mistype
  for (int i = 0; i < 20; ++i) {
    const std::string c = internal::ChangePunctuation("O'Brien", rng);
    EXPECT_THAT(c, ::testing::AnyOf("OBrien", "O Brien"));
    EXPECT_THAT(internal::ChangePunctuation("van der Berg", rng),
                ::testing::AnyOf("Vanderberg", "Van Der Berg"));
  }
}

TEST(SynthNames, TablesLoadWithSkewAndEveryAccentStrips) {
  absl::StatusOr<internal::NameTables> t =
      internal::LoadNameTables(Profile().data_dir);
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_GE(t->surnames.names().size(), 300u);
  EXPECT_GE(t->male.names().size(), 200u);
  EXPECT_GE(t->female.names().size(), 200u);
  internal::Rng rng(5);
  int smith = 0, oliver = 0;
  for (int i = 0; i < 20000; ++i) {
    smith += t->surnames.Pick(rng) == "Smith";
    oliver += t->male.Pick(rng) == "Oliver";
  }
  EXPECT_GT(smith, 300);  // ~2.5 %, far above a uniform 1 in 313
  EXPECT_GT(oliver, 300);
  for (const auto* table : {&t->male, &t->female, &t->surnames}) {
    for (const std::string& n : table->names()) {
      EXPECT_TRUE(internal::IsAscii(internal::StripAccents(n))) << n;
    }
  }
  EXPECT_FALSE(absl::StatusOr<internal::NameTables>(
                   internal::LoadNameTables("/nonexistent"))
                   .ok());
}

// Surnames are spread out as in life by default (docs/MATCHING.md), and
// the table-only "hard" profile is still there for stress runs.
TEST(Synth, SurnamesHaveALongTailUnlessTheHardProfileIsAsked) {
  auto shape = [](const School& s) {
    absl::flat_hash_map<std::string, int> count;
    int top = 0;
    for (const MisLearner& m : s.mis)
      top = std::max(top, ++count[m.legal_surname]);
    return std::make_pair(count.size(),
                          static_cast<double>(top) / s.mis.size());
  };
  absl::StatusOr<School> spread = Generate(20000, 3);
  Profile hard_profile;
  hard_profile.surname_tail_share = 0;
  absl::StatusOr<School> hard = Generate(20000, 3, hard_profile);
  ASSERT_TRUE(spread.ok() && hard.ok());
  const auto [spread_distinct, spread_top] = shape(*spread);
  const auto [hard_distinct, hard_top] = shape(*hard);
  EXPECT_GT(spread_distinct, 5000u);
  EXPECT_LT(spread_top, 0.015);    // Smith about 1 %, as in England and Wales
  EXPECT_LE(hard_distinct, 400u);  // the table (and the odd double barrel)
  EXPECT_GT(hard_top, 0.02);
}

// A school big enough for the pair loop to run on every core in chunks (more
// than 4,096 unlinked hub learners): the rows, their order and their
// evidence are the same whatever order the learners arrive in.
TEST(Synth, ClassifyingALargeSchoolDoesNotDependOnInputOrder) {
  absl::StatusOr<School> s = Generate(12000, 11);
  ASSERT_TRUE(s.ok()) << s.status();
  size_t unlinked = 0;
  for (const HubLearner& h : s->hub)
    unlinked += h.sync_state == SyncState::kUnsynced;
  ASSERT_GT(unlinked, 4096u) << "too small to run in parallel chunks";
  auto lines = [](const std::vector<Row>& rows) {
    std::vector<std::string> out;
    for (const Row& r : rows) {
      out.push_back(absl::StrCat(RowStatusName(r.status), " ", r.hub_learner_id,
                                 " ", r.mis_id, " ", r.explanation.score(), " ",
                                 r.explanation.reason()));
    }
    return out;
  };
  const std::vector<std::string> want =
      lines(Classify(s->hub, s->mis, Scope{}));
  std::mt19937 rng(3);
  std::shuffle(s->hub.begin(), s->hub.end(), rng);
  std::shuffle(s->mis.begin(), s->mis.end(), rng);
  const std::vector<std::string> got = lines(Classify(s->hub, s->mis, Scope{}));
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i)
    ASSERT_EQ(got[i], want[i]) << "row " << i;
}

}  // namespace
}  // namespace hubsync::synth
