// Every RPC of hubsync.v1 with a bad field, through a real server: each gets
// INVALID_ARGUMENT naming the field (or NOT_FOUND for a well-formed id that
// names nothing), and afterwards the hub, the snapshots, the schools and the
// session are exactly as before.
#include <functional>
#include <map>

#include "gmock/gmock.h"
#include "google/protobuf/descriptor.h"
#include "gtest/gtest.h"
#include "tests/service/two_terms.h"

namespace hubsync::testing {
namespace {

using ::testing::HasSubstr;

struct World {
  TwoTerms t;
  std::string session;  // at the sync screen
};

struct Case {
  std::string rpc;
  grpc::StatusCode code;
  std::string names;  // the message must contain this (the field or the id)
  std::function<grpc::Status(TestServer&, const World&)> call;
};

// Everything a user could read back, as bytes, to compare before and after.
std::string Everything(TestServer& server, const World& w) {
  std::string seen;
  v1::ListSchoolsResponse schools;
  EXPECT_TRUE(server.schools().ListSchools(Ctx().get(), {}, &schools).ok());
  seen += schools.SerializeAsString();
  for (const auto& l : Learners(server, w.t.school))
    seen += l.SerializeAsString();
  v1::ListClassesRequest classes_req;
  classes_req.set_school_id(w.t.school);
  v1::ListClassesResponse classes;
  EXPECT_TRUE(
      server.hub().ListClasses(Ctx().get(), classes_req, &classes).ok());
  seen += classes.SerializeAsString();
  v1::ListSnapshotsRequest snaps_req;
  snaps_req.set_school_id(w.t.school);
  v1::ListSnapshotsResponse snaps;
  EXPECT_TRUE(server.mis().ListSnapshots(Ctx().get(), snaps_req, &snaps).ok());
  seen += snaps.SerializeAsString();
  v1::ListSessionsRequest sessions_req;
  sessions_req.set_school_id(w.t.school);
  v1::ListSessionsResponse sessions;
  EXPECT_TRUE(
      server.sync().ListSessions(Ctx().get(), sessions_req, &sessions).ok());
  seen += sessions.SerializeAsString();
  for (const auto& r : StreamAll(server, w.session))
    seen += r.SerializeAsString();
  return seen;
}

template <typename Stub, typename Req, typename Resp>
grpc::Status Call(Stub& stub,
                  grpc::Status (Stub::*method)(grpc::ClientContext*, const Req&,
                                               Resp*),
                  const Req& req) {
  Resp resp;
  return (stub.*method)(Ctx().get(), req, &resp);
}

const std::string kLong(300, 'x');
const std::string kControl = std::string("ses_\x01\x02", 6);

std::vector<Case> Cases() {
  using S = grpc::StatusCode;
  auto sch = [](TestServer& s) -> v1::SchoolService::Stub& {
    return s.schools();
  };
  std::vector<Case> cases;
  auto add = [&](std::string rpc, S code, std::string names,
                 std::function<grpc::Status(TestServer&, const World&)> f) {
    cases.push_back({std::move(rpc), code, std::move(names), std::move(f)});
  };

  // ---- SchoolService
  for (const std::string& name :
       {std::string(""), std::string("   "), kLong, std::string("Bad\tName")}) {
    add("CreateSchool", S::INVALID_ARGUMENT, "name",
        [=](TestServer& s, const World&) {
          v1::CreateSchoolRequest r;
          r.set_name(name);
          // Only an operator may call it: the role is checked before the
          // request (docs/SECURITY.md, "Codes").
          const std::string admin = s.current_key();
          s.UseKey(s.operator_key());
          grpc::Status status =
              Call(sch(s), &v1::SchoolService::Stub::CreateSchool, r);
          s.UseKey(admin);
          return status;
        });
  }
  for (const std::string& id : {std::string(""), kLong, kControl}) {
    add("GetSchool", S::INVALID_ARGUMENT, "school_id",
        [=](TestServer& s, const World&) {
          v1::GetSchoolRequest r;
          r.set_school_id(id);
          return Call(sch(s), &v1::SchoolService::Stub::GetSchool, r);
        });
  }
  add("GetSchool", S::NOT_FOUND, "sch_0000000000000000",
      [](TestServer& s, const World&) {
        v1::GetSchoolRequest r;
        r.set_school_id("sch_0000000000000000");
        return Call(s.schools(), &v1::SchoolService::Stub::GetSchool, r);
      });

  // ---- HubService
  auto learner = [](const World& w) {
    v1::CreateLearnerRequest r;
    r.set_school_id(w.t.school);
    r.mutable_learner()->set_legal_forename("Ann");
    r.mutable_learner()->set_legal_surname("Lee");
    return r;
  };
  using Mut = std::function<void(v1::CreateLearnerRequest&)>;
  const std::vector<std::pair<std::string, Mut>> bad_learners = {
      {"school_id", [](auto& r) { r.set_school_id(""); }},
      {"school_id", [](auto& r) { r.set_school_id(kLong); }},
      {"learner", [](auto& r) { r.clear_learner(); }},
      {"learner.school_id",
       [](auto& r) { r.mutable_learner()->set_school_id("sch_other"); }},
      {"learner.learner_id",
       [](auto& r) { r.mutable_learner()->set_learner_id("lrn_x"); }},
      {"learner.mis_id",
       [](auto& r) { r.mutable_learner()->set_mis_id("m1"); }},
      {"learner.sync_state",
       [](auto& r) {
         r.mutable_learner()->set_sync_state(static_cast<v1::SyncState>(42));
       }},
      {"learner.legal_forename",
       [](auto& r) { r.mutable_learner()->set_legal_forename(" "); }},
      {"learner.legal_surname",
       [](auto& r) { r.mutable_learner()->set_legal_surname(""); }},
      {"learner.legal_surname",
       [](auto& r) { r.mutable_learner()->set_legal_surname(kLong); }},
      {"learner.legal_forename",
       [](auto& r) { r.mutable_learner()->set_legal_forename("\tAnn"); }},
      {"learner.preferred_forename",
       [](auto& r) {
         r.mutable_learner()->set_preferred_forename(std::string("A\0n", 3));
       }},
      {"learner.date_of_birth",
       [](auto& r) { r.mutable_learner()->set_date_of_birth("2013-02-31"); }},
      {"learner.year_group",
       [](auto& r) { r.mutable_learner()->set_year_group("Year 19"); }},
      {"learner.email", [](auto& r) { r.mutable_learner()->set_email(kLong); }},
      {"learner.classes[1]",
       [](auto& r) {
         r.mutable_learner()->add_classes("7x/Ma1");
         r.mutable_learner()->add_classes("");
       }},
      {"learner.classes[0]",
       [](auto& r) { r.mutable_learner()->add_classes(kLong); }},
      {"request_id", [](auto& r) { r.set_request_id(kLong); }},
      {"request_id", [](auto& r) { r.set_request_id(kControl); }},
  };
  for (const auto& [field, mutate] : bad_learners) {
    add("CreateLearner", S::INVALID_ARGUMENT, field,
        [=](TestServer& s, const World& w) {
          v1::CreateLearnerRequest r = learner(w);
          mutate(r);
          return Call(s.hub(), &v1::HubService::Stub::CreateLearner, r);
        });
  }
  add("CreateLearner", S::NOT_FOUND, "sch_0000000000000000",
      [=](TestServer& s, const World& w) {
        v1::CreateLearnerRequest r = learner(w);
        r.set_school_id("sch_0000000000000000");
        return Call(s.hub(), &v1::HubService::Stub::CreateLearner, r);
      });
  for (const std::string& id : {std::string(""), kLong}) {
    add("ImportLearners", S::INVALID_ARGUMENT, "school_id",
        [=](TestServer& s, const World&) {
          v1::ImportLearnersResponse out;
          auto ctx = Ctx();
          auto writer = s.hub().ImportLearners(ctx.get(), &out);
          v1::ImportLearnersRequest r;
          r.set_school_id(id);
          r.set_chunk("forename,surname\nAnn,Lee\n");
          writer->Write(r);
          writer->WritesDone();
          return writer->Finish();
        });
  }
  add("ImportLearners", S::INVALID_ARGUMENT, "request_id",
      [=](TestServer& s, const World& w) {
        v1::ImportLearnersResponse out;
        auto ctx = Ctx();
        auto writer = s.hub().ImportLearners(ctx.get(), &out);
        v1::ImportLearnersRequest r;
        r.set_school_id(w.t.school);
        r.set_request_id(kLong);
        r.set_chunk("forename,surname\nAnn,Lee\n");
        writer->Write(r);
        writer->WritesDone();
        return writer->Finish();
      });
  for (const std::string& id : {std::string(""), kLong, kControl}) {
    add("GetLearner", S::INVALID_ARGUMENT, "learner_id",
        [=](TestServer& s, const World&) {
          v1::GetLearnerRequest r;
          r.set_learner_id(id);
          return Call(s.hub(), &v1::HubService::Stub::GetLearner, r);
        });
    add("ListLearners", S::INVALID_ARGUMENT, "school_id",
        [=](TestServer& s, const World&) {
          v1::ListLearnersRequest r;
          r.set_school_id(id);
          return Call(s.hub(), &v1::HubService::Stub::ListLearners, r);
        });
    add("ListClasses", S::INVALID_ARGUMENT, "school_id",
        [=](TestServer& s, const World&) {
          v1::ListClassesRequest r;
          r.set_school_id(id);
          return Call(s.hub(), &v1::HubService::Stub::ListClasses, r);
        });
  }
  add("GetLearner", S::NOT_FOUND, "lrn_0000000000000000",
      [](TestServer& s, const World&) {
        v1::GetLearnerRequest r;
        r.set_learner_id("lrn_0000000000000000");
        return Call(s.hub(), &v1::HubService::Stub::GetLearner, r);
      });
  for (const std::string& id : {std::string(""), kLong, kControl}) {
    add("UpdateLearner", S::INVALID_ARGUMENT, "learner.learner_id",
        [=](TestServer& s, const World&) {
          v1::UpdateLearnerRequest r;
          r.mutable_learner()->set_learner_id(id);
          r.mutable_update_mask()->add_paths("gender");
          return Call(s.hub(), &v1::HubService::Stub::UpdateLearner, r);
        });
    add("ArchiveLearner", S::INVALID_ARGUMENT, "learner_id",
        [=](TestServer& s, const World&) {
          v1::ArchiveLearnerRequest r;
          r.set_learner_id(id);
          return Call(s.hub(), &v1::HubService::Stub::ArchiveLearner, r);
        });
    add("RestoreLearner", S::INVALID_ARGUMENT, "learner_id",
        [=](TestServer& s, const World&) {
          v1::RestoreLearnerRequest r;
          r.set_learner_id(id);
          return Call(s.hub(), &v1::HubService::Stub::RestoreLearner, r);
        });
    add("UnlinkLearner", S::INVALID_ARGUMENT, "learner_id",
        [=](TestServer& s, const World&) {
          v1::UnlinkLearnerRequest r;
          r.set_learner_id(id);
          return Call(s.hub(), &v1::HubService::Stub::UnlinkLearner, r);
        });
  }
  add("UpdateLearner", S::INVALID_ARGUMENT, "update_mask",
      [](TestServer& s, const World& w) {
        v1::UpdateLearnerRequest r;
        r.mutable_learner()->set_learner_id(w.t.ellie);
        r.mutable_learner()->set_year_group("9");
        return Call(s.hub(), &v1::HubService::Stub::UpdateLearner, r);
      });
  add("UpdateLearner", S::INVALID_ARGUMENT, "mis_id",
      [](TestServer& s, const World& w) {
        v1::UpdateLearnerRequest r;
        r.mutable_learner()->set_learner_id(w.t.ellie);
        r.mutable_update_mask()->add_paths("mis_id");
        return Call(s.hub(), &v1::HubService::Stub::UpdateLearner, r);
      });
  add("UpdateLearner", S::INVALID_ARGUMENT, "learner.year_group",
      [](TestServer& s, const World& w) {
        v1::UpdateLearnerRequest r;
        r.mutable_learner()->set_learner_id(w.t.ellie);
        r.mutable_learner()->set_year_group("Year Seven");
        r.mutable_update_mask()->add_paths("year_group");
        return Call(s.hub(), &v1::HubService::Stub::UpdateLearner, r);
      });
  add("UpdateLearner", S::INVALID_ARGUMENT, "learner.legal_surname",
      [](TestServer& s, const World& w) {
        v1::UpdateLearnerRequest r;
        r.mutable_learner()->set_learner_id(w.t.ellie);
        r.mutable_update_mask()->add_paths("legal_surname");
        return Call(s.hub(), &v1::HubService::Stub::UpdateLearner, r);
      });
  add("UpdateLearner", S::INVALID_ARGUMENT, "learner.gender",
      [](TestServer& s, const World& w) {
        v1::UpdateLearnerRequest r;
        r.mutable_learner()->set_learner_id(w.t.ellie);
        r.mutable_learner()->set_gender("F\x1b[2J");
        r.mutable_update_mask()->add_paths("gender");
        return Call(s.hub(), &v1::HubService::Stub::UpdateLearner, r);
      });
  add("UpdateLearner", S::NOT_FOUND, "lrn_0000000000000000",
      [](TestServer& s, const World&) {
        v1::UpdateLearnerRequest r;
        r.mutable_learner()->set_learner_id("lrn_0000000000000000");
        r.mutable_update_mask()->add_paths("gender");
        return Call(s.hub(), &v1::HubService::Stub::UpdateLearner, r);
      });
  add("ArchiveLearner", S::NOT_FOUND, "lrn_0000000000000000",
      [](TestServer& s, const World&) {
        v1::ArchiveLearnerRequest r;
        r.set_learner_id("lrn_0000000000000000");
        return Call(s.hub(), &v1::HubService::Stub::ArchiveLearner, r);
      });
  add("RestoreLearner", S::FAILED_PRECONDITION, "is not archived",
      [](TestServer& s, const World& w) {
        v1::RestoreLearnerRequest r;
        r.set_learner_id(w.t.ellie);
        return Call(s.hub(), &v1::HubService::Stub::RestoreLearner, r);
      });
  add("UnlinkLearner", S::FAILED_PRECONDITION, "is not linked",
      [](TestServer& s, const World& w) {
        v1::UnlinkLearnerRequest r;
        r.set_learner_id(w.t.ellie);
        return Call(s.hub(), &v1::HubService::Stub::UnlinkLearner, r);
      });

  // ---- MisService
  using Chunk = std::pair<std::string, std::string>;
  auto upload = [](TestServer& s, const std::string& school,
                   v1::MisFormat format, const std::vector<Chunk>& chunks) {
    v1::MisSnapshot out;
    auto ctx = Ctx();
    auto writer = s.mis().UploadMisExport(ctx.get(), &out);
    v1::UploadMisExportRequest h;
    h.mutable_header()->set_school_id(school);
    h.mutable_header()->set_format(format);
    writer->Write(h);
    for (const auto& [name, data] : chunks) {
      v1::UploadMisExportRequest c;
      c.mutable_chunk()->set_file_name(name);
      c.mutable_chunk()->set_data(data);
      writer->Write(c);
    }
    writer->WritesDone();
    return writer->Finish();
  };
  const std::string good = "mis_id,forename,surname,year\nm9,Ann,Lee,7\n";
  add("UploadMisExport", S::INVALID_ARGUMENT, "header.school_id",
      [=](TestServer& s, const World&) {
        return upload(s, "", v1::MIS_FORMAT_PLAIN_CSV, {{"a.csv", good}});
      });
  add("UploadMisExport", S::INVALID_ARGUMENT, "header.school_id",
      [=](TestServer& s, const World&) {
        return upload(s, kLong, v1::MIS_FORMAT_PLAIN_CSV, {{"a.csv", good}});
      });
  for (int format : {0, 3, 77}) {
    add("UploadMisExport", S::INVALID_ARGUMENT, "header.format",
        [=](TestServer& s, const World& w) {
          return upload(s, w.t.school, static_cast<v1::MisFormat>(format),
                        {{"a.csv", good}});
        });
  }
  for (const std::string& name :
       {std::string(""), std::string("../a.csv"), std::string("..\\a.csv"),
        std::string(".."), std::string("a\n.csv"), kLong}) {
    add("UploadMisExport", S::INVALID_ARGUMENT, "chunk.file_name",
        [=](TestServer& s, const World& w) {
          return upload(s, w.t.school, v1::MIS_FORMAT_PLAIN_CSV,
                        {{name, good}});
        });
  }
  add("UploadMisExport", S::INVALID_ARGUMENT, "no files",
      [=](TestServer& s, const World& w) {
        return upload(s, w.t.school, v1::MIS_FORMAT_PLAIN_CSV, {});
      });
  add("UploadMisExport", S::NOT_FOUND, "sch_0000000000000000",
      [=](TestServer& s, const World&) {
        return upload(s, "sch_0000000000000000", v1::MIS_FORMAT_PLAIN_CSV,
                      {{"a.csv", good}});
      });

  auto push = [](const World& w) {
    v1::PushMisRecordsRequest r;
    r.set_school_id(w.t.school);
    *r.add_classes() = RegClass("reg-9A", "9A", "9");
    *r.add_learners() =
        MisRecord("m-zed", {"Zed", "Ng", "2011-01-01", "", "9", "9A", ""});
    r.mutable_learners(0)->set_registration_group_mis_id("reg-9A");
    return r;
  };
  using PushMut = std::function<void(v1::PushMisRecordsRequest&)>;
  const std::vector<std::pair<std::string, PushMut>> bad_pushes = {
      {"school_id", [](auto& r) { r.set_school_id(""); }},
      {"school_id", [](auto& r) { r.set_school_id(kLong); }},
      {"classes[0].kind",
       [](auto& r) {
         r.mutable_classes(0)->set_kind(v1::CLASS_KIND_UNSPECIFIED);
       }},
      {"classes[0].kind",
       [](auto& r) {
         r.mutable_classes(0)->set_kind(static_cast<v1::ClassKind>(9));
       }},
      {"classes[0].name", [](auto& r) { r.mutable_classes(0)->set_name(""); }},
      {"classes[0].mis_id",
       [](auto& r) { r.mutable_classes(0)->set_mis_id(""); }},
      {"class year_group 'Y99'",
       [](auto& r) { r.mutable_classes(0)->set_year_group("Y99"); }},
      {"learners[0].mis_id",
       [](auto& r) { r.mutable_learners(0)->set_mis_id(""); }},
      {"learners[0].date_of_birth",
       [](auto& r) { r.mutable_learners(0)->set_date_of_birth("31/02/2013"); }},
      {"learners[0].classes",
       [](auto& r) { r.mutable_learners(0)->add_class_mis_ids("c1"); }},
      {"legal_forename is empty",
       [](auto& r) { r.mutable_learners(0)->set_legal_forename(""); }},
      {"legal_surname is longer than 256 bytes",
       [](auto& r) { r.mutable_learners(0)->set_legal_surname(kLong); }},
      {"legal_surname has a control character",
       [](auto& r) { r.mutable_learners(0)->set_legal_surname("Ng\r"); }},
      {"class name is longer than 256 bytes",
       [](auto& r) { r.mutable_classes(0)->set_name(kLong); }},
  };
  for (const auto& [field, mutate] : bad_pushes) {
    add("PushMisRecords", S::INVALID_ARGUMENT, field,
        [=](TestServer& s, const World& w) {
          v1::PushMisRecordsRequest r = push(w);
          mutate(r);
          return Call(s.mis(), &v1::MisService::Stub::PushMisRecords, r);
        });
  }
  for (const std::string& id : {std::string(""), kLong, kControl}) {
    add("ListSnapshots", S::INVALID_ARGUMENT, "school_id",
        [=](TestServer& s, const World&) {
          v1::ListSnapshotsRequest r;
          r.set_school_id(id);
          return Call(s.mis(), &v1::MisService::Stub::ListSnapshots, r);
        });
    add("ListMisLearners", S::INVALID_ARGUMENT, "snapshot_id",
        [=](TestServer& s, const World&) {
          v1::ListMisLearnersRequest r;
          r.set_snapshot_id(id);
          return Call(s.mis(), &v1::MisService::Stub::ListMisLearners, r);
        });
    // ---- AccountService
    add("ListVerificationEmails", S::INVALID_ARGUMENT, "school_id",
        [=](TestServer& s, const World&) {
          v1::ListVerificationEmailsRequest r;
          r.set_school_id(id);
          return Call(s.accounts(),
                      &v1::AccountService::Stub::ListVerificationEmails, r);
        });
    add("ListAuditRecords", S::INVALID_ARGUMENT, "school_id",
        [=](TestServer& s, const World&) {
          v1::ListAuditRecordsRequest r;
          r.set_school_id(id);
          return Call(s.accounts(), &v1::AccountService::Stub::ListAuditRecords,
                      r);
        });
    add("ResendVerificationEmails", S::INVALID_ARGUMENT, "school_id",
        [=](TestServer& s, const World&) {
          v1::ResendVerificationEmailsRequest r;
          r.set_school_id(id);
          return Call(s.accounts(),
                      &v1::AccountService::Stub::ResendVerificationEmails, r);
        });
    add("ListSubscriptions", S::INVALID_ARGUMENT, "school_id",
        [=](TestServer& s, const World&) {
          v1::ListSubscriptionsRequest r;
          r.set_school_id(id);
          return Call(s.accounts(),
                      &v1::AccountService::Stub::ListSubscriptions, r);
        });
    add("ListGrants", S::INVALID_ARGUMENT, "school_id",
        [=](TestServer& s, const World&) {
          v1::ListGrantsRequest r;
          r.set_school_id(id);
          return Call(s.accounts(), &v1::AccountService::Stub::ListGrants, r);
        });
  }
  add("ResendVerificationEmails", S::INVALID_ARGUMENT, "email_ids[1]",
      [](TestServer& s, const World& w) {
        v1::ResendVerificationEmailsRequest r;
        r.set_school_id(w.t.school);
        r.add_email_ids(1);
        r.add_email_ids(-4);
        return Call(s.accounts(),
                    &v1::AccountService::Stub::ResendVerificationEmails, r);
      });
  add("ResendVerificationEmails", S::NOT_FOUND, "email 999",
      [](TestServer& s, const World& w) {
        v1::ResendVerificationEmailsRequest r;
        r.set_school_id(w.t.school);
        r.add_email_ids(999);
        return Call(s.accounts(),
                    &v1::AccountService::Stub::ResendVerificationEmails, r);
      });
  for (const std::string product : {"admin-hub", "", "netflix"}) {
    add("SetSubscription", S::INVALID_ARGUMENT, "product",
        [=](TestServer& s, const World& w) {
          v1::SetSubscriptionRequest r;
          r.set_school_id(w.t.school);
          r.set_product(product);
          r.set_subscribed(true);
          return Call(s.accounts(), &v1::AccountService::Stub::SetSubscription,
                      r);
        });
  }
  add("SetGrant", S::INVALID_ARGUMENT, "exactly one of learner_id and class_id",
      [](TestServer& s, const World& w) {
        v1::SetGrantRequest r;
        r.set_school_id(w.t.school);
        r.mutable_grant()->set_product("boost-learning");
        r.mutable_grant()->set_learner_id(w.t.isla);
        r.mutable_grant()->set_class_id("cls_0000000000000000");
        return Call(s.accounts(), &v1::AccountService::Stub::SetGrant, r);
      });
  add("SetGrant", S::NOT_FOUND, "lrn_0000000000000000",
      [](TestServer& s, const World& w) {
        v1::SetGrantRequest r;
        r.set_school_id(w.t.school);
        r.mutable_grant()->set_product("boost-learning");
        r.mutable_grant()->set_learner_id("lrn_0000000000000000");
        r.set_granted(true);
        return Call(s.accounts(), &v1::AccountService::Stub::SetGrant, r);
      });
  // The learner's side, with a product key.
  auto as_product = [](TestServer& s, auto call) {
    const std::string previous = s.current_key();
    s.UseKey(s.NewKey("", Role::kProduct, "a product"));
    grpc::Status st = call();
    s.UseKey(previous);
    return st;
  };
  add("RedeemVerification", S::INVALID_ARGUMENT, "token",
      [=](TestServer& s, const World&) {
        return as_product(s, [&] {
          v1::RedeemVerificationRequest r;
          r.set_new_password("a long enough password");
          return Call(s.accounts(),
                      &v1::AccountService::Stub::RedeemVerification, r);
        });
      });
  add("RedeemVerification", S::INVALID_ARGUMENT, "address",
      [=](TestServer& s, const World&) {
        return as_product(s, [&] {
          v1::RedeemVerificationRequest r;
          r.set_address("not an address");
          r.set_code("ABCD-EFGH");
          r.set_new_password("a long enough password");
          return Call(s.accounts(),
                      &v1::AccountService::Stub::RedeemVerification, r);
        });
      });
  add("Login", S::INVALID_ARGUMENT, "product",
      [=](TestServer& s, const World&) {
        return as_product(s, [&] {
          v1::LoginRequest r;
          r.set_address("zoe@example.org");
          r.set_password("whatever it is");
          return Call(s.accounts(), &v1::AccountService::Stub::Login, r);
        });
      });
  add("Login", S::INVALID_ARGUMENT, "password",
      [=](TestServer& s, const World&) {
        return as_product(s, [&] {
          v1::LoginRequest r;
          r.set_address("zoe@example.org");
          r.set_product("boost-learning");
          r.set_password(std::string(300, 'x'));
          return Call(s.accounts(), &v1::AccountService::Stub::Login, r);
        });
      });
  add("ListMisLearners", S::NOT_FOUND, "snp_0000000000000000",
      [](TestServer& s, const World&) {
        v1::ListMisLearnersRequest r;
        r.set_snapshot_id("snp_0000000000000000");
        return Call(s.mis(), &v1::MisService::Stub::ListMisLearners, r);
      });
  add("ListAuditRecords", S::NOT_FOUND, "sch_0000000000000000",
      [](TestServer& s, const World&) {
        v1::ListAuditRecordsRequest r;
        r.set_school_id("sch_0000000000000000");
        return Call(s.accounts(), &v1::AccountService::Stub::ListAuditRecords,
                    r);
      });

  // ---- SyncService
  auto sync = [](TestServer& s) -> v1::SyncService::Stub& { return s.sync(); };
  add("StartSession", S::INVALID_ARGUMENT, "school_id",
      [=](TestServer& s, const World&) {
        v1::StartSessionRequest r;
        return Call(sync(s), &v1::SyncService::Stub::StartSession, r);
      });
  add("StartSession", S::INVALID_ARGUMENT, "snapshot_id",
      [=](TestServer& s, const World& w) {
        v1::StartSessionRequest r;
        r.set_school_id(w.t.school);
        r.set_snapshot_id(kLong);
        return Call(sync(s), &v1::SyncService::Stub::StartSession, r);
      });
  add("StartSession", S::INVALID_ARGUMENT, "admin",
      [=](TestServer& s, const World& w) {
        v1::StartSessionRequest r;
        r.set_school_id(w.t.school);
        r.set_admin(kLong);
        return Call(sync(s), &v1::SyncService::Stub::StartSession, r);
      });
  add("StartSession", S::INVALID_ARGUMENT, "admin",
      [=](TestServer& s, const World& w) {
        v1::StartSessionRequest r;
        r.set_school_id(w.t.school);
        r.set_admin("me\n");
        return Call(sync(s), &v1::SyncService::Stub::StartSession, r);
      });
  add("StartSession", S::NOT_FOUND, "snp_0000000000000000",
      [=](TestServer& s, const World& w) {
        v1::StartSessionRequest r;
        r.set_school_id(w.t.school);
        r.set_snapshot_id("snp_0000000000000000");
        return Call(sync(s), &v1::SyncService::Stub::StartSession, r);
      });
  for (const std::string& id : {std::string(""), kLong, kControl}) {
    add("GetSession", S::INVALID_ARGUMENT, "session_id",
        [=](TestServer& s, const World&) {
          v1::GetSessionRequest r;
          r.set_session_id(id);
          return Call(sync(s), &v1::SyncService::Stub::GetSession, r);
        });
    add("ListSessions", S::INVALID_ARGUMENT, "school_id",
        [=](TestServer& s, const World&) {
          v1::ListSessionsRequest r;
          r.set_school_id(id);
          return Call(sync(s), &v1::SyncService::Stub::ListSessions, r);
        });
    add("ListSaves", S::INVALID_ARGUMENT, "school_id",
        [=](TestServer& s, const World&) {
          v1::ListSavesRequest r;
          r.set_school_id(id);
          return Call(sync(s), &v1::SyncService::Stub::ListSaves, r);
        });
    add("GetSave", S::INVALID_ARGUMENT, "save_id",
        [=](TestServer& s, const World&) {
          v1::GetSaveRequest r;
          r.set_save_id(id);
          return Call(sync(s), &v1::SyncService::Stub::GetSave, r);
        });
    add("RevertSave", S::INVALID_ARGUMENT, "save_id",
        [=](TestServer& s, const World&) {
          v1::RevertSaveRequest r;
          r.set_save_id(id);
          return Call(sync(s), &v1::SyncService::Stub::RevertSave, r);
        });
    add("Proceed", S::INVALID_ARGUMENT, "session_id",
        [=](TestServer& s, const World&) {
          v1::ProceedRequest r;
          r.set_session_id(id);
          return Call(sync(s), &v1::SyncService::Stub::Proceed, r);
        });
    add("SetScope", S::INVALID_ARGUMENT, "session_id",
        [=](TestServer& s, const World&) {
          v1::SetScopeRequest r;
          r.set_session_id(id);
          return Call(sync(s), &v1::SyncService::Stub::SetScope, r);
        });
    add("SetImportAll", S::INVALID_ARGUMENT, "session_id",
        [=](TestServer& s, const World&) {
          v1::SetImportAllRequest r;
          r.set_session_id(id);
          return Call(sync(s), &v1::SyncService::Stub::SetImportAll, r);
        });
    add("SetSyncEmailAll", S::INVALID_ARGUMENT, "session_id",
        [=](TestServer& s, const World&) {
          v1::SetSyncEmailAllRequest r;
          r.set_session_id(id);
          return Call(sync(s), &v1::SyncService::Stub::SetSyncEmailAll, r);
        });
    add("SaveAndSyncPupils", S::INVALID_ARGUMENT, "session_id",
        [=](TestServer& s, const World&) {
          v1::SaveRequest r;
          r.set_session_id(id);
          return Call(sync(s), &v1::SyncService::Stub::SaveAndSyncPupils, r);
        });
    add("CancelSession", S::INVALID_ARGUMENT, "session_id",
        [=](TestServer& s, const World&) {
          v1::CancelSessionRequest r;
          r.set_session_id(id);
          return Call(sync(s), &v1::SyncService::Stub::CancelSession, r);
        });
    add("StepBack", S::INVALID_ARGUMENT, "session_id",
        [=](TestServer& s, const World&) {
          v1::StepBackRequest r;
          r.set_session_id(id);
          return Call(sync(s), &v1::SyncService::Stub::StepBack, r);
        });
  }
  add("GetSession", S::NOT_FOUND, "ses_0000000000000000",
      [=](TestServer& s, const World&) {
        v1::GetSessionRequest r;
        r.set_session_id("ses_0000000000000000");
        return Call(sync(s), &v1::SyncService::Stub::GetSession, r);
      });
  add("RevertSave", S::NOT_FOUND, "sav_0000000000000000",
      [=](TestServer& s, const World&) {
        v1::RevertSaveRequest r;
        r.set_save_id("sav_0000000000000000");
        return Call(sync(s), &v1::SyncService::Stub::RevertSave, r);
      });
  add("Proceed", S::INVALID_ARGUMENT, "expected_version",
      [=](TestServer& s, const World& w) {
        v1::ProceedRequest r;
        r.set_session_id(w.session);
        r.set_expected_version(-1);
        return Call(sync(s), &v1::SyncService::Stub::Proceed, r);
      });
  // Scopes: unknown kind, groups with ALL, empty lists, unknown values.
  using ScopeMut = std::function<void(v1::Scope&)>;
  const std::vector<std::pair<std::string, ScopeMut>> bad_scopes = {
      {"scope.kind",
       [](auto& sc) { sc.set_kind(static_cast<v1::ScopeKind>(12)); }},
      {"scope",
       [](auto& sc) {
         sc.set_kind(v1::SCOPE_KIND_ALL);
         sc.add_year_groups("7");
       }},
      {"scope.year_groups",
       [](auto& sc) { sc.set_kind(v1::SCOPE_KIND_YEAR_GROUPS); }},
      {"scope.year_groups[0]",
       [](auto& sc) {
         sc.set_kind(v1::SCOPE_KIND_YEAR_GROUPS);
         sc.add_year_groups("Year 19");
       }},
      {"scope.registration_groups",
       [](auto& sc) { sc.set_kind(v1::SCOPE_KIND_REGISTRATION_GROUPS); }},
  };
  for (const auto& [field, mutate] : bad_scopes) {
    add("SetScope", S::INVALID_ARGUMENT, field,
        [=](TestServer& s, const World& w) {
          v1::SetScopeRequest r;
          r.set_session_id(w.session);
          mutate(*r.mutable_scope());
          return Call(sync(s), &v1::SyncService::Stub::SetScope, r);
        });
  }
  auto stream_rows = [](TestServer& s, const v1::StreamRowsRequest& r) {
    auto ctx = Ctx();
    auto reader = s.sync().StreamRows(ctx.get(), r);
    v1::RowBatch batch;
    while (reader->Read(&batch)) {
    }
    return reader->Finish();
  };
  using RowsMut = std::function<void(v1::StreamRowsRequest&)>;
  const std::vector<std::pair<std::string, RowsMut>> bad_streams = {
      {"session_id", [](auto& r) { r.set_session_id(""); }},
      {"session_id", [](auto& r) { r.set_session_id(kLong); }},
      {"batch_size", [](auto& r) { r.set_batch_size(-1); }},
      {"batch_size", [](auto& r) { r.set_batch_size(1'000'000); }},
      {"after_row_id", [](auto& r) { r.set_after_row_id(-5); }},
      {"statuses", [](auto& r) { r.add_statuses(v1::ROW_STATUS_UNSPECIFIED); }},
      {"statuses",
       [](auto& r) { r.add_statuses(static_cast<v1::RowStatus>(99)); }},
  };
  for (const auto& [field, mutate] : bad_streams) {
    add("StreamRows", S::INVALID_ARGUMENT, field,
        [=](TestServer& s, const World& w) {
          v1::StreamRowsRequest r;
          r.set_session_id(w.session);
          mutate(r);
          return stream_rows(s, r);
        });
  }
  add("StreamRows", S::NOT_FOUND, "ses_0000000000000000",
      [=](TestServer& s, const World&) {
        v1::StreamRowsRequest r;
        r.set_session_id("ses_0000000000000000");
        return stream_rows(s, r);
      });
  auto watch = [](TestServer& s, const v1::WatchSessionRequest& r) {
    auto ctx = Ctx();
    auto reader = s.sync().WatchSession(ctx.get(), r);
    v1::SessionEvent e;
    while (reader->Read(&e)) {
    }
    return reader->Finish();
  };
  add("WatchSession", S::INVALID_ARGUMENT, "session_id",
      [=](TestServer& s, const World&) { return watch(s, {}); });
  add("WatchSession", S::INVALID_ARGUMENT, "after_version",
      [=](TestServer& s, const World& w) {
        v1::WatchSessionRequest r;
        r.set_session_id(w.session);
        r.set_after_version(-1);
        return watch(s, r);
      });
  for (const std::string& id :
       {std::string(""), std::string(300, 'm'), std::string("m\x7f")}) {
    add("SetImport", S::INVALID_ARGUMENT, "mis_id",
        [=](TestServer& s, const World& w) {
          v1::SetImportRequest r;
          r.set_session_id(w.session);
          r.set_mis_id(id);
          return Call(sync(s), &v1::SyncService::Stub::SetImport, r);
        });
    add("SetSyncEmail", S::INVALID_ARGUMENT, "mis_id",
        [=](TestServer& s, const World& w) {
          v1::SetSyncEmailRequest r;
          r.set_session_id(w.session);
          r.set_mis_id(id);
          return Call(sync(s), &v1::SyncService::Stub::SetSyncEmail, r);
        });
    add("Match", S::INVALID_ARGUMENT, "mis_id",
        [=](TestServer& s, const World& w) {
          v1::MatchRequest r;
          r.set_session_id(w.session);
          r.set_learner_id(w.t.ellie);
          r.set_mis_id(id);
          return Call(sync(s), &v1::SyncService::Stub::Match, r);
        });
  }
  add("SetImport", S::NOT_FOUND, "m-nobody",
      [=](TestServer& s, const World& w) {
        v1::SetImportRequest r;
        r.set_session_id(w.session);
        r.set_mis_id("m-nobody");
        r.set_import(true);
        return Call(sync(s), &v1::SyncService::Stub::SetImport, r);
      });
  add("Match", S::INVALID_ARGUMENT, "learner_id",
      [=](TestServer& s, const World& w) {
        v1::MatchRequest r;
        r.set_session_id(w.session);
        r.set_learner_id(kLong);
        r.set_mis_id("m-eleanor");
        return Call(sync(s), &v1::SyncService::Stub::Match, r);
      });
  add("Match", S::NOT_FOUND, "lrn_0000000000000000",
      [=](TestServer& s, const World& w) {
        v1::MatchRequest r;
        r.set_session_id(w.session);
        r.set_learner_id("lrn_0000000000000000");
        r.set_mis_id("m-eleanor");
        return Call(sync(s), &v1::SyncService::Stub::Match, r);
      });
  add("Unmatch", S::INVALID_ARGUMENT, "learner_id and mis_id",
      [=](TestServer& s, const World& w) {
        v1::UnmatchRequest r;
        r.set_session_id(w.session);
        return Call(sync(s), &v1::SyncService::Stub::Unmatch, r);
      });
  add("Unmatch", S::INVALID_ARGUMENT, "learner_id and mis_id",
      [=](TestServer& s, const World& w) {
        v1::UnmatchRequest r;
        r.set_session_id(w.session);
        r.set_learner_id(w.t.isla);
        r.set_mis_id("m-isla");
        return Call(sync(s), &v1::SyncService::Stub::Unmatch, r);
      });
  add("Unmatch", S::INVALID_ARGUMENT, "learner_id",
      [=](TestServer& s, const World& w) {
        v1::UnmatchRequest r;
        r.set_session_id(w.session);
        r.set_learner_id(kLong);
        return Call(sync(s), &v1::SyncService::Stub::Unmatch, r);
      });
  add("SetReviewed", S::INVALID_ARGUMENT, "learner_id and mis_id",
      [=](TestServer& s, const World& w) {
        v1::SetReviewedRequest r;
        r.set_session_id(w.session);
        r.set_learner_id(w.t.freddie);
        r.set_mis_id("m-freddie");
        r.set_reviewed(true);
        return Call(sync(s), &v1::SyncService::Stub::SetReviewed, r);
      });
  add("SetReviewed", S::INVALID_ARGUMENT, "mis_id",
      [=](TestServer& s, const World& w) {
        v1::SetReviewedRequest r;
        r.set_session_id(w.session);
        r.set_mis_id(std::string(300, 'm'));
        r.set_reviewed(true);
        return Call(sync(s), &v1::SyncService::Stub::SetReviewed, r);
      });
  add("SetReviewedAll", S::INVALID_ARGUMENT, "confirm_count",
      [=](TestServer& s, const World& w) {
        v1::SetReviewedAllRequest r;
        r.set_session_id(w.session);
        r.set_reviewed(true);
        r.set_confirm_count(-1);
        return Call(sync(s), &v1::SyncService::Stub::SetReviewedAll, r);
      });
  add("SetReviewedAll", S::INVALID_ARGUMENT, "expected_version",
      [=](TestServer& s, const World& w) {
        v1::SetReviewedAllRequest r;
        r.set_session_id(w.session);
        r.set_expected_version(-1);
        return Call(sync(s), &v1::SyncService::Stub::SetReviewedAll, r);
      });
  add("SaveAndSyncPupils", S::INVALID_ARGUMENT, "request_id",
      [=](TestServer& s, const World& w) {
        v1::SaveRequest r;
        r.set_session_id(w.session);
        r.set_request_id(kLong);
        return Call(sync(s), &v1::SyncService::Stub::SaveAndSyncPupils, r);
      });
  add("SaveAndSyncPupils", S::INVALID_ARGUMENT, "expected_version",
      [=](TestServer& s, const World& w) {
        v1::SaveRequest r;
        r.set_session_id(w.session);
        r.set_expected_version(-3);
        return Call(sync(s), &v1::SyncService::Stub::SaveAndSyncPupils, r);
      });
  add("SaveAndSyncPupils", S::INVALID_ARGUMENT, "confirm_desync_count",
      [=](TestServer& s, const World& w) {
        v1::SaveRequest r;
        r.set_session_id(w.session);
        r.set_confirm_desync_count(-1);
        return Call(sync(s), &v1::SyncService::Stub::SaveAndSyncPupils, r);
      });
  return cases;
}

TEST(ValidationTest, EveryRpcNamesTheBadFieldAndChangesNothing) {
  TestServer server;
  World w;
  w.t = SetUpTwoTerms(server);
  w.session = ToSyncScreen(server, w.t.school, AllStudents(), true, nullptr);
  const std::string before = Everything(server, w);

  std::map<std::string, int> per_rpc;
  for (const Case& c : Cases()) {
    SCOPED_TRACE(c.rpc + " / " + c.names);
    grpc::Status s = c.call(server, w);
    EXPECT_EQ(s.error_code(), c.code) << s.error_message();
    EXPECT_THAT(s.error_message(), HasSubstr(c.names));
    ++per_rpc[c.rpc];
  }
  // Every RPC of the five services has at least one case.
  for (const char* name : {"SchoolService", "HubService", "MisService",
                           "AccountService", "SyncService"}) {
    const google::protobuf::ServiceDescriptor* service =
        google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(
            std::string("hubsync.v1.") + name);
    ASSERT_NE(service, nullptr) << name;
    for (int i = 0; i < service->method_count(); ++i) {
      const std::string& name = service->method(i)->name();
      if (name == "ListSchools") continue;  // takes no fields
      EXPECT_GT(per_rpc[name], 0) << name << " has no bad-request case";
    }
  }
  EXPECT_EQ(Everything(server, w), before);
}

}  // namespace
}  // namespace hubsync::testing
