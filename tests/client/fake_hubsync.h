// A scripted hubsync server for client tests: it records what the client
// sent and answers from fixed data, so the client library and the CLI can be
// tested in-process without the real server (which has its own tests).
#ifndef HUBSYNC_TESTS_CLIENT_FAKE_HUBSYNC_H_
#define HUBSYNC_TESTS_CLIENT_FAKE_HUBSYNC_H_

#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "client/lib/client.h"
#include "grpcpp/server.h"
#include "grpcpp/server_builder.h"
#include "hubsync/v1/admin.grpc.pb.h"
#include "hubsync/v1/hub.grpc.pb.h"
#include "hubsync/v1/mis.grpc.pb.h"
#include "hubsync/v1/sync.grpc.pb.h"

namespace hubsync::testing {

class FakeSchools : public v1::SchoolService::Service {
 public:
  std::chrono::milliseconds delay{0};

  grpc::Status ListSchools(grpc::ServerContext*, const v1::ListSchoolsRequest*,
                           v1::ListSchoolsResponse* out) override {
    std::this_thread::sleep_for(delay);
    out->add_schools()->set_school_id("sch_1");
    out->mutable_schools(0)->set_name("Riverside Academy");
    out->add_schools()->set_school_id("sch_2");
    out->mutable_schools(1)->set_name("Hillside Primary");
    return grpc::Status::OK;
  }
  grpc::Status GetSchool(grpc::ServerContext*, const v1::GetSchoolRequest* req,
                         v1::School*) override {
    return grpc::Status(grpc::StatusCode::NOT_FOUND,
                        absl::StrCat("no school ", req->school_id()));
  }
};

// Rejects any upload that has a file named "bad.csv", as the real server
// does: INVALID_ARGUMENT plus the problems in trailing metadata.
class FakeMis : public v1::MisService::Service {
 public:
  std::vector<v1::UploadMisExportRequest> received;

  grpc::Status UploadMisExport(
      grpc::ServerContext* ctx,
      grpc::ServerReader<v1::UploadMisExportRequest>* reader,
      v1::MisSnapshot* out) override {
    std::lock_guard<std::mutex> lock(mu_);
    received.clear();
    v1::UploadMisExportRequest req;
    bool bad = false;
    while (reader->Read(&req)) {
      received.push_back(req);
      bad = bad || req.chunk().file_name() == "bad.csv";
    }
    if (bad) {
      v1::UploadProblems problems;
      auto* p = problems.add_problems();
      p->set_file("bad.csv");
      p->set_line(2);
      p->set_column(3);
      p->set_message("UPN 'X1' has the wrong length");
      p = problems.add_problems();
      p->set_file("bad.csv");
      p->set_line(4);
      p->set_message("missing year_group");
      ctx->AddTrailingMetadata(client::kUploadProblemsKey,
                               problems.SerializeAsString());
      return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                          "bad.csv has 2 problems");
    }
    out->set_snapshot_id("snp_1");
    out->set_learner_count(static_cast<int64_t>(received.size()) - 1);
    return grpc::Status::OK;
  }

 private:
  std::mutex mu_;
};

// Creates and imports; the first `unavailable_calls` of them answer
// UNAVAILABLE, as a server that went away would.
class FakeHub : public v1::HubService::Service {
 public:
  std::vector<v1::ImportLearnersRequest> imported;  // the last call's
  std::vector<std::string> request_ids;  // of every create and import call
  int unavailable_calls = 0;

  grpc::Status ImportLearners(
      grpc::ServerContext*,
      grpc::ServerReader<v1::ImportLearnersRequest>* reader,
      v1::ImportLearnersResponse* out) override {
    std::lock_guard<std::mutex> lock(mu_);
    imported.clear();
    v1::ImportLearnersRequest req;
    while (reader->Read(&req)) imported.push_back(req);
    request_ids.push_back(imported.empty() ? "" : imported[0].request_id());
    if (unavailable_calls > 0) {
      --unavailable_calls;
      return grpc::Status(grpc::StatusCode::UNAVAILABLE, "Socket closed");
    }
    out->set_created(3);
    return grpc::Status::OK;
  }

  grpc::Status CreateLearner(grpc::ServerContext*,
                             const v1::CreateLearnerRequest* req,
                             v1::Learner* out) override {
    std::lock_guard<std::mutex> lock(mu_);
    request_ids.push_back(req->request_id());
    if (unavailable_calls > 0) {
      --unavailable_calls;
      return grpc::Status(grpc::StatusCode::UNAVAILABLE, "Socket closed");
    }
    *out = req->learner();
    out->set_learner_id("lrn_1");
    return grpc::Status::OK;
  }

 private:
  std::mutex mu_;
};

// A session "ses_1" at version 5 on the sync screen, with rows 1..row_count.
class FakeSync : public v1::SyncService::Service {
 public:
  int row_count = 5;
  int batch_size = 2;
  std::vector<v1::StreamRowsRequest> streamed;
  std::vector<v1::SetImportRequest> imports;
  std::vector<v1::SetScopeRequest> scopes;
  int watch_events_sent = 0;

  static v1::Row MakeRow(int64_t id) {
    v1::Row r;
    r.set_row_id(id);
    r.set_status(id % 2 == 0 ? v1::ROW_STATUS_NEW : v1::ROW_STATUS_MATCHED);
    r.mutable_mis()->set_mis_id(absl::StrCat("stu-", id));
    r.mutable_mis()->set_legal_forename("Mis");
    r.mutable_mis()->set_legal_surname(absl::StrCat("Learner", id));
    if (r.status() == v1::ROW_STATUS_MATCHED) {
      r.mutable_hub()->set_learner_id(absl::StrCat("lrn_", id));
      r.mutable_hub()->set_legal_forename("Hub");
      r.mutable_hub()->set_legal_surname(absl::StrCat("Learner", id));
      r.mutable_explanation()->set_score(15);
      auto* f = r.mutable_explanation()->add_fields();
      f->set_field("upn");
      f->set_level("agree");
      f->set_weight(15);
    }
    return r;
  }

  grpc::Status StreamRows(grpc::ServerContext*,
                          const v1::StreamRowsRequest* req,
                          grpc::ServerWriter<v1::RowBatch>* writer) override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      streamed.push_back(*req);
    }
    if (req->session_id() != "ses_1") {
      return grpc::Status(grpc::StatusCode::NOT_FOUND,
                          "no session " + req->session_id());
    }
    v1::StatusSummary summary;
    v1::RowBatch batch;
    for (int id = 1; id <= row_count; ++id) {
      v1::Row r = MakeRow(id);
      summary.set_total(summary.total() + 1);
      if (r.status() == v1::ROW_STATUS_NEW)
        summary.set_new_(summary.new_() + 1);
      if (r.status() == v1::ROW_STATUS_MATCHED)
        summary.set_matched(summary.matched() + 1);
      *batch.add_rows() = r;
      batch.set_cursor(id);
      batch.set_classified(id);
      if (batch.rows_size() == batch_size || id == row_count) {
        if (id == row_count) {
          batch.set_done(true);
          *batch.mutable_summary() = summary;
        }
        if (!writer->Write(batch)) return grpc::Status::OK;
        batch.Clear();
      }
    }
    return grpc::Status::OK;
  }

  grpc::Status SetImport(grpc::ServerContext*, const v1::SetImportRequest* req,
                         v1::EditResponse* out) override {
    std::lock_guard<std::mutex> lock(mu_);
    imports.push_back(*req);
    if (req->expected_version() != 0 && req->expected_version() != 5) {
      return grpc::Status(
          grpc::StatusCode::ABORTED,
          absl::StrCat("session ses_1 is at version 5, not ",
                       req->expected_version(), "; reload the rows"));
    }
    out->mutable_session()->set_session_id("ses_1");
    out->mutable_session()->set_version(6);
    v1::Row r = MakeRow(2);
    r.set_import(req->import());
    *out->add_changed_rows() = r;
    return grpc::Status::OK;
  }

  grpc::Status GetSession(grpc::ServerContext*,
                          const v1::GetSessionRequest* req,
                          v1::Session* out) override {
    if (req->session_id() != "ses_1") {
      return grpc::Status(grpc::StatusCode::NOT_FOUND,
                          "no session " + req->session_id());
    }
    out->set_session_id("ses_1");
    out->set_step(v1::SESSION_STEP_SYNC_SCREEN);
    out->set_version(5);
    out->set_sync_email_addresses(false);
    return grpc::Status::OK;
  }

  grpc::Status SetScope(grpc::ServerContext*, const v1::SetScopeRequest* req,
                        v1::Session* out) override {
    std::lock_guard<std::mutex> lock(mu_);
    scopes.push_back(*req);
    out->set_session_id(req->session_id());
    out->set_step(v1::SESSION_STEP_PUPILS_PANEL);
    *out->mutable_scope() = req->scope();
    out->set_sync_email_addresses(req->sync_email_addresses());
    return grpc::Status::OK;
  }

  // Sends an event every 10 ms until the client goes away (or 500 events).
  grpc::Status WatchSession(
      grpc::ServerContext* ctx, const v1::WatchSessionRequest* req,
      grpc::ServerWriter<v1::SessionEvent>* writer) override {
    for (int64_t v = req->after_version() + 1; v <= req->after_version() + 500;
         ++v) {
      if (ctx->IsCancelled()) break;
      v1::SessionEvent e;
      e.set_version(v);
      e.set_verb("SetImport");
      if (!writer->Write(e)) break;
      {
        std::lock_guard<std::mutex> lock(mu_);
        ++watch_events_sent;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return grpc::Status::OK;
  }

 private:
  std::mutex mu_;
};

// The fakes above, served in-process.
class FakeHubsync {
 public:
  FakeHubsync() {
    grpc::ServerBuilder builder;
    builder.RegisterService(&schools);
    builder.RegisterService(&mis);
    builder.RegisterService(&hub);
    builder.RegisterService(&sync);
    server_ = builder.BuildAndStart();
  }
  ~FakeHubsync() { server_->Shutdown(std::chrono::system_clock::now()); }

  std::shared_ptr<grpc::Channel> channel() {
    return server_->InProcessChannel(grpc::ChannelArguments());
  }
  std::unique_ptr<client::HubsyncClient> NewClient() {
    return std::make_unique<client::HubsyncClient>(channel());
  }

  FakeSchools schools;
  FakeMis mis;
  FakeHub hub;
  FakeSync sync;

 private:
  std::unique_ptr<grpc::Server> server_;
};

}  // namespace hubsync::testing

#endif  // HUBSYNC_TESTS_CLIENT_FAKE_HUBSYNC_H_
