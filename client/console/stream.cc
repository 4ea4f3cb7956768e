#include "client/console/stream.h"

namespace hubsync::console {

RowStream::~RowStream() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    ++generation_;
  }
  for (auto& w : workers_) w->stop = true;
  // A stop is seen on the next batch; a finished stream returns at once.
  for (auto& w : workers_) {
    if (w->thread.joinable()) w->thread.join();
  }
}

void RowStream::Start(const std::string& session_id) {
  uint64_t gen;
  {
    std::lock_guard<std::mutex> lock(mu_);
    gen = ++generation_;
    pending_.clear();
    ended_.reset();
  }
  for (auto& w : workers_) w->stop = true;
  auto worker = std::make_unique<Worker>();
  Worker* self = worker.get();
  worker->thread = std::thread([this, self, gen, session_id] {
    v1::StreamRowsRequest req;
    req.set_session_id(session_id);
    absl::Status s = client_.StreamRows(req, [&](const v1::RowBatch& batch) {
      std::lock_guard<std::mutex> lock(mu_);
      if (gen != generation_) return false;
      pending_.push_back(batch);
      return !self->stop.load();
    });
    std::lock_guard<std::mutex> lock(mu_);
    if (gen == generation_) ended_ = s;
  });
  workers_.push_back(std::move(worker));
}

std::vector<v1::RowBatch> RowStream::Take(std::optional<absl::Status>* ended) {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<v1::RowBatch> out(std::make_move_iterator(pending_.begin()),
                                std::make_move_iterator(pending_.end()));
  pending_.clear();
  if (ended_) {
    *ended = ended_;
    ended_.reset();
  }
  return out;
}

}  // namespace hubsync::console
