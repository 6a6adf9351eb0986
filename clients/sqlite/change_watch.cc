#include "clients/sqlite/change_watch.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace pitr::sqlite {
namespace {

// The part of the server's lease the client counts on: the rest absorbs
// the two clocks running at slightly different rates.
constexpr int kLeaseUsedPercent = 75;

}  // namespace

bool SamePosition(const v1::BranchPosition& a, const v1::BranchPosition& b) {
  return a.lsn() == b.lsn() && a.timeline_id() == b.timeline_id();
}

ChangeWatch::ChangeWatch(std::shared_ptr<clients::Client> client)
    : client_(std::move(client)) {}

std::unique_ptr<ChangeWatch> ChangeWatch::Start(
    std::shared_ptr<clients::Client> client, const std::string& branch,
    uint32_t space, const std::optional<v1::BranchPosition>& since) {
  std::unique_ptr<ChangeWatch> watch(new ChangeWatch(std::move(client)));
  watch->context_ = watch->client_->NewContext(/*streaming=*/true);
  watch->stream_ = watch->client_->pages().WatchChanges(watch->context_.get());
  v1::WatchChangesRequest first;
  first.set_branch(branch);
  first.set_space(space);
  if (since.has_value()) *first.mutable_since() = *since;
  {
    MutexLock write_lock(&watch->write_mu_);
    first.set_renewal(watch->next_renewal_++);
    MutexLock lock(&watch->mu_);
    watch->position_ = since;
    watch->renewals_sent_[first.renewal()] = Clock::now();
  }
  // A failed write shows as the end of the reader's reads.
  watch->stream_->Write(first);
  watch->reader_ = std::thread([w = watch.get()] { w->ReadNotices(); });
  watch->renewer_ = std::thread([w = watch.get()] { w->Renew(); });
  return watch;
}

ChangeWatch::~ChangeWatch() {
  context_->TryCancel();
  reader_.join();
  renewer_.join();
}

bool ChangeWatch::Send(uint64_t ack, bool renew) {
  MutexLock write_lock(&write_mu_);
  v1::WatchChangesRequest request;
  request.set_ack_version(ack);
  if (renew) {
    request.set_renewal(next_renewal_++);
    MutexLock lock(&mu_);
    renewals_sent_[request.renewal()] = Clock::now();
  }
  return stream_->Write(request);
}

void ChangeWatch::ReadNotices() {
  v1::WatchNotice notice;
  absl::Status end;
  while (stream_->Read(&notice)) {
    if (notice.end_code() != 0) {
      end = absl::Status(static_cast<absl::StatusCode>(notice.end_code()),
                         notice.end_message());
      break;
    }
    const v1::GetChangesResponse& changes = notice.changes();
    {
      MutexLock lock(&mu_);
      lease_ =
          absl::ToChronoNanoseconds(absl::Seconds(notice.lease().seconds()) +
                                    absl::Nanoseconds(notice.lease().nanos()));
      // A notice that only answers a renewal adds no span.
      const bool moved = !position_.has_value() ||
                         !SamePosition(*position_, changes.position()) ||
                         changes.pages_size() > 0 || changes.all_changed() ||
                         !have_notice_;
      if (moved) {
        Span span;
        span.sequence = ++last_sequence_;
        span.from = position_;
        span.to = changes.position();
        span.space_pages = changes.space_pages();
        span.pages.assign(changes.pages().begin(), changes.pages().end());
        span.all_changed = changes.all_changed();
        spans_.push_back(std::move(span));
      }
      position_ = changes.position();
      space_pages_ = changes.space_pages();
      have_notice_ = true;
      applied_version_ = std::max(applied_version_, notice.version());
      auto sent = renewals_sent_.find(notice.renewal());
      if (sent != renewals_sent_.end()) {
        lease_end_ = std::max(lease_end_,
                              sent->second + lease_ * kLeaseUsedPercent / 100);
        renewals_sent_.erase(renewals_sent_.begin(), std::next(sent));
      }
    }
    // Applied: acknowledge, which lets the change's writer go on.
    if (!Send(notice.version(), /*renew=*/false)) break;
  }
  absl::Status status;
  {
    // No write runs while the call finishes.
    MutexLock write_lock(&write_mu_);
    status = client_->Convert(stream_->Finish());
  }
  MutexLock lock(&mu_);
  ended_ = true;
  end_status_ = !end.ok() ? end
                : !status.ok()
                    ? status
                    : absl::CancelledError("the server ended the watch");
  ended_cv_.SignalAll();
}

void ChangeWatch::Renew() {
  while (true) {
    uint64_t ack;
    {
      MutexLock lock(&mu_);
      if (!ended_)
        ended_cv_.WaitWithDeadline(&mu_,
                                   absl::Now() + absl::FromChrono(lease_ / 4));
      if (ended_) return;
      ack = applied_version_;
    }
    // A failed write means the call is over: the reader sees it end.
    if (!Send(ack, /*renew=*/true)) return;
  }
}

std::optional<ChangeWatch::View> ChangeWatch::Current() {
  MutexLock lock(&mu_);
  if (ended_ || !have_notice_ || Clock::now() >= lease_end_) {
    return std::nullopt;
  }
  View view;
  view.spans = spans_;
  view.position = *position_;
  view.space_pages = space_pages_;
  view.through = last_sequence_;
  return view;
}

uint64_t ChangeWatch::received() {
  MutexLock lock(&mu_);
  return last_sequence_;
}

void ChangeWatch::Consume(uint64_t through) {
  MutexLock lock(&mu_);
  spans_.erase(std::remove_if(spans_.begin(), spans_.end(),
                              [through](const Span& span) {
                                return span.sequence <= through;
                              }),
               spans_.end());
}

bool ChangeWatch::ended() {
  MutexLock lock(&mu_);
  return ended_;
}

absl::Status ChangeWatch::end_status() {
  MutexLock lock(&mu_);
  return end_status_;
}

}  // namespace pitr::sqlite
