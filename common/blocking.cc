#include "common/blocking.h"

#include <algorithm>
#include <functional>
#include <string>
#include <string_view>

#include "absl/container/inlined_vector.h"
#include "absl/strings/str_cat.h"
#include "common/fnv.h"
#include "common/nicknames.h"
#include "common/parallel.h"
#include "common/year_group.h"

namespace hubsync {
namespace {

// Key kinds; the tag keeps "surname Rose" apart from "date 2013-..." etc.
enum Tag : char {
  kUpn = 'u',
  kDob = 'd',
  kSurnameInitial = 'i',
  kSurname = 's',
  kRefined = 'r',  // part of a loose key's block, split by a name
};

// FNV-1a over the parts, then a final mix: no string is built per key. A
// collision only puts an extra learner in a block, who is then scored and
// found different.
class KeyHash {
 public:
  explicit KeyHash(Tag tag) { h_.Byte(static_cast<unsigned char>(tag)); }
  KeyHash& Add(std::string_view s) {
    h_.Part(s);
    return *this;
  }
  KeyHash& Add(char c) {
    h_.Byte(static_cast<unsigned char>(c)).Byte(0xff);
    return *this;
  }
  uint64_t Done() const {
    uint64_t h = h_.value();
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    return h;
  }

 private:
  Fnv1a h_;
};

uint64_t Key(Tag tag, std::string_view a, char initial = 0) {
  KeyHash h(tag);
  h.Add(a);
  if (initial != 0) h.Add(initial);
  return h.Done();
}

uint64_t Key(Tag tag, std::string_view a, std::string_view b, char initial) {
  return KeyHash(tag).Add(a).Add(b).Add(initial).Done();
}

// A date of birth with a forename ('f') or surname ('s') initial: a date
// alone would put hundreds of children of a trust in one block, almost all
// of them with different names.
uint64_t DobKey(const Date& d, char which, std::string_view prefix) {
  const char raw[] = {static_cast<char>(d.year & 0xff),
                      static_cast<char>(d.year >> 8),
                      static_cast<char>(d.month),
                      static_cast<char>(d.day),
                      which,
                      prefix.empty() ? '\0' : prefix[0],
                      prefix.size() < 2 ? '\0' : prefix[1]};
  return Key(kDob, std::string_view(raw, sizeof raw));
}

// A surname alone is a weak key (every Smith in a trust): it only finds
// pairs among learners with a rare surname, such as a nickname with no date
// of birth. The other keys are selective and use the general cap.
size_t Cap(Tag tag) { return tag == kSurname ? kMaxBlock / 16 : kMaxBlock; }

// Distinct first letters of a learner's forename keys.
std::string Initials(const NameKeys& keys) {
  std::string out;
  for (std::string_view k : keys) {
    if (!k.empty() && out.find(k[0]) == std::string::npos) out.push_back(k[0]);
  }
  return out;
}

// Distinct first two letters of the keys, packed in a char pair each: a
// date of birth holds hundreds of a trust's children, so the date keys are
// narrowed by two letters of a name rather than one.
absl::InlinedVector<std::string_view, 2> Prefixes2(const NameKeys& keys) {
  absl::InlinedVector<std::string_view, 2> out;
  for (std::string_view k : keys) {
    std::string_view p = k.substr(0, 2);
    if (!p.empty() && std::find(out.begin(), out.end(), p) == out.end()) {
      out.push_back(p);
    }
  }
  return out;
}

// American Soundex of a compact key ("smith" -> "s530"): one typo that is
// not on the initial usually keeps it.
std::string Soundex(std::string_view k) {
  static const char kCode[] = "01230120022455012623010202";
  std::string out;
  if (k.empty()) return out;
  out.push_back(k[0]);
  char last = (k[0] >= 'a' && k[0] <= 'z') ? kCode[k[0] - 'a'] : '0';
  for (size_t i = 1; i < k.size() && out.size() < 4; ++i) {
    const char c = k[i];
    if (c < 'a' || c > 'z') continue;
    const char d = kCode[c - 'a'];
    if (d != '0' && d != last) out.push_back(d);
    if (c != 'h' && c != 'w') last = d;
  }
  out.resize(4, '0');
  return out;
}

// How a loose key's block is narrowed when it holds more than kRefineAbove
// MIS learners (a common surname in a big trust: every Jack, James and
// Jessica Smith of one year shares "smith, y2013, j"). The block is split
// by parts of a name: its first three letters and its last two. One typo (a
// letter changed, added or dropped, or two swapped) leaves one of the two
// intact in a name of six letters or more. Shorter names add a part that
// survives what breaks both: a name of four or five letters its letters in
// order ("jack" and "jcak" are both "acjk"); a name of three letters or
// fewer the part "short" (a typo that keeps the length keeps it there, one
// that changes the length keeps the first three or last two letters). So the
// split keeps the pairs that the loose key found, at a cost that no longer
// grows with the number of children who share a surname.
struct Refine {
  const std::vector<std::string_view>* forms =
      nullptr;                // the names to split by
  size_t begin = 0, end = 0;  // of *forms
  char initial = 0;           // only the forms starting with this letter
};

// Calls part(key) for each refined key of `coarse` and `refine`.
template <typename F>
void ForEachRefined(uint64_t coarse, const Refine& refine, F&& part) {
  char coarse_bytes[8];
  for (int b = 0; b < 8; ++b)
    coarse_bytes[b] = static_cast<char>(coarse >> (8 * b));
  const std::string_view c(coarse_bytes, sizeof coarse_bytes);
  for (size_t k = refine.begin; k < refine.end; ++k) {
    const std::string_view f = (*refine.forms)[k];
    if (f.empty() || f[0] != refine.initial) continue;
    const std::string_view name(f);
    part(KeyHash(kRefined).Add(c).Add('<').Add(name.substr(0, 3)).Done());
    const size_t tail = name.size() - std::min<size_t>(2, name.size());
    part(KeyHash(kRefined).Add(c).Add('>').Add(name.substr(tail)).Done());
    if (name.size() <= 3) {
      part(KeyHash(kRefined).Add(c).Add('#').Done());
    } else if (name.size() <= 5) {
      std::string letters(name);
      std::sort(letters.begin(), letters.end());
      part(KeyHash(kRefined).Add(c).Add('%').Add(letters).Done());
    }
  }
}

// Every blocking key of a learner: emit(tag, key, refine), where refine
// says how to split the key's block if it is big (forms == nullptr: never).
// A MIS learner is indexed under its keys; a hub learner (probe) looks up
// the same keys and also its nickname forms, its date of birth with day and
// month swapped, the next year group (hub records lag), and its forename as
// a surname (names swapped).
// The Refine values emitted point into `forms` (the forename forms, then
// the surname keys, filled here with views of `p` and of the nickname
// table), which must outlive their use, as must `p`.
template <typename F, typename L>
void ForEachKey(const PreparedLearner& p, bool probe, F&& emit, L&& loose,
                std::vector<std::string_view>* forms) {
  const Refine none;
  if (p.upn_valid) emit(kUpn, Key(kUpn, p.upn()), none);
  std::string initials = Initials(p.forename_keys());
  // The forename forms a block is split by: the hub side adds nicknames.
  std::vector<std::string_view>& all_forms = *forms;
  const NameKeys forename_keys = p.forename_keys(),
                 surname_keys = p.surname_keys();
  all_forms.assign(forename_keys.begin(), forename_keys.end());
  if (probe) {
    for (std::string_view k : forename_keys) {
      for (const std::string& v : NicknameVariants(k)) {
        if (initials.find(v[0]) == std::string::npos) initials.push_back(v[0]);
        if (std::find(all_forms.begin(), all_forms.end(), v) ==
            all_forms.end()) {
          all_forms.push_back(v);
        }
      }
    }
  }
  const size_t forename_forms = all_forms.size();
  all_forms.insert(all_forms.end(), surname_keys.begin(), surname_keys.end());
  const size_t surname_end = all_forms.size();
  const std::string surname_initials = Initials(p.surname_keys());
  if (p.date_of_birth) {
    const Date& d = *p.date_of_birth;
    std::vector<Date> dates = {d};
    if (probe && d.day != d.month && d.day <= 12)
      dates.push_back({d.year, d.day, d.month});
    const auto fp = Prefixes2(forename_keys);
    const auto sp = Prefixes2(surname_keys);
    for (const Date& date : dates) {
      for (std::string_view c : fp) emit(kDob, DobKey(date, 'f', c), none);
      for (std::string_view c : sp) emit(kDob, DobKey(date, 's', c), none);
      if (probe) {
        // Forename and surname swapped, with the date of birth: an exact
        // key too, so that such a rival is found before the loose keys.
        for (std::string_view c : sp) emit(kDob, DobKey(date, 'f', c), none);
        for (std::string_view c : fp) emit(kDob, DobKey(date, 's', c), none);
      }
    }
  }
  if (!loose()) return;
  // Surname and forename initial, narrowed by the birth year or, on a hub
  // record without a date of birth, by the year group (this year's or, as
  // hub records lag, the next).
  std::vector<std::string> narrow;
  if (p.date_of_birth)
    narrow.push_back(absl::StrCat("y", p.date_of_birth->year));
  if (!probe) {
    if (!p.year_group().empty())
      narrow.push_back(std::string("g").append(p.year_group()));
  } else if (!p.year_group().empty()) {
    narrow.push_back(std::string("g").append(p.year_group()));
    const int order = YearGroupOrder(p.year_group());
    if (order >= 0 && order < 13)
      narrow.push_back(absl::StrCat("g", order + 1));
  }
  auto by_forename = [&](char c) {
    return Refine{&all_forms, 0, forename_forms, c};
  };
  auto by_surname = [&](char c) {
    return Refine{&all_forms, forename_forms, surname_end, c};
  };
  const NameKeys surnames = p.surname_names();
  for (size_t i = 0; i < surname_keys.size(); ++i) {
    const std::string_view s = surname_keys[i];
    const NameWords words = WordsOf(surnames[i]);
    for (const std::string& n : narrow) {
      for (char c : initials) {
        emit(kSurnameInitial, Key(kSurnameInitial, s, n, c), by_forename(c));
      }
    }
    for (const std::string& n : narrow) {
      const std::string sx = "~" + Soundex(s);
      for (char c : initials) {
        emit(kSurnameInitial, Key(kSurnameInitial, sx, n, c), by_forename(c));
      }
      if (words.size() > 1) {
        for (std::string_view t : words) {
          for (char c : initials) {
            emit(kSurnameInitial, Key(kSurnameInitial, t, n, c),
                 by_forename(c));
          }
        }
      }
    }
    // A surname alone finds a nickname on a record without a date of
    // birth; a record with one is found by the date (the exact keys) or
    // by the surname with the nickname's initial.
    if (!probe || !p.date_of_birth) {
      emit(kSurname, Key(kSurname, s), none);
      if (words.size() > 1) {
        for (std::string_view t : words) emit(kSurname, Key(kSurname, t), none);
      }
    }
  }
  for (std::string_view f : forename_keys) {
    for (const std::string& n : narrow) {
      for (char c : surname_initials) {
        emit(kSurnameInitial,
             Key(kSurnameInitial, std::string("=").append(f), n, c),
             by_surname(c));
      }
    }
  }
  if (probe) {
    // Forename and surname swapped: the hub's forename as a MIS surname,
    // the hub's surname as the MIS forename that splits a big block.
    for (std::string_view f : forename_keys) {
      for (const std::string& n : narrow) {
        for (char c : surname_initials) {
          emit(kSurnameInitial, Key(kSurnameInitial, f, n, c), by_surname(c));
        }
      }
    }
  }
}

// (key, MIS learner) entries, from every thread's slice of the learners
// joined in slice order, then sorted and made distinct: the same entries
// whatever the thread count.
template <typename PerLearner>
std::vector<std::pair<uint64_t, int>> Entries(size_t n, size_t per_learner,
                                              PerLearner&& add) {
  const size_t threads = ThreadsFor(n);
  std::vector<std::vector<std::pair<uint64_t, int>>> parts(threads);
  ParallelSlices(n, threads, [&](size_t t, size_t begin, size_t end) {
    parts[t].reserve((end - begin) * per_learner);
    for (size_t j = begin; j < end; ++j) add(static_cast<int>(j), &parts[t]);
  });
  std::vector<std::pair<uint64_t, int>> entries;
  if (threads == 1) {
    entries = std::move(parts[0]);
  } else {
    size_t total = 0;
    for (const auto& p : parts) total += p.size();
    entries.reserve(total);
    for (auto& p : parts) {
      entries.insert(entries.end(), p.begin(), p.end());
      std::vector<std::pair<uint64_t, int>>().swap(p);
    }
  }
  ParallelSort(entries.begin(), entries.end());
  entries.erase(std::unique(entries.begin(), entries.end()), entries.end());
  return entries;
}

}  // namespace

BlockIndex::BlockIndex(const std::vector<PreparedLearner>& mis) {
  // Each block is a run of one key in the sorted entries. Refined keys are
  // added (second pass) only for the big loose blocks.
  auto add_blocks = [this](const std::vector<std::pair<uint64_t, int>>& e) {
    for (size_t k = 0; k < e.size();) {
      const uint64_t key = e[k].first;
      const auto start = static_cast<uint32_t>(members_.size());
      for (; k < e.size() && e[k].first == key; ++k)
        members_.push_back(e[k].second);
      blocks_.emplace(
          key, std::make_pair(start,
                              static_cast<uint32_t>(members_.size()) - start));
    }
  };
  {
    const std::vector<std::pair<uint64_t, int>> entries = Entries(
        mis.size(), 12, [&](int j, std::vector<std::pair<uint64_t, int>>* out) {
          std::vector<std::string_view> forms;
          ForEachKey(
              mis[j], /*probe=*/false,
              [&](Tag, uint64_t key, const Refine&) {
                out->emplace_back(key, j);
              },
              [] { return true; }, &forms);
        });
    members_.reserve(entries.size());
    blocks_.reserve(entries.size() / 2);
    add_blocks(entries);
  }
  // Only reads blocks_ (no rehash meanwhile): safe on several threads.
  const std::vector<std::pair<uint64_t, int>> refined = Entries(
      mis.size(), 4, [&](int j, std::vector<std::pair<uint64_t, int>>* out) {
        std::vector<std::string_view> forms;
        ForEachKey(
            mis[j], /*probe=*/false,
            [&](Tag, uint64_t key, const Refine& refine) {
              if (refine.forms == nullptr) return;
              auto it = blocks_.find(key);
              if (it == blocks_.end() || it->second.second <= kRefineAbove)
                return;
              ForEachRefined(key, refine, [&](uint64_t part) {
                out->emplace_back(part, j);
              });
            },
            [] { return true; }, &forms);
      });
  members_.reserve(members_.size() + refined.size());
  blocks_.reserve(blocks_.size() + refined.size() / 2);
  add_blocks(refined);
}

void BlockIndex::Visit(const PreparedLearner& hub, int64_t* capped,
                       absl::FunctionRef<void(int)> visit,
                       absl::FunctionRef<bool()> loose) const {
  using Block = std::pair<uint32_t, uint32_t>;  // (start, size) in members_
  auto find = [&](uint64_t key) -> const Block* {
    auto it = blocks_.find(key);
    return it == blocks_.end() ? nullptr : &it->second;
  };
  auto visit_block = [&](const Block& block, size_t cap) {
    const auto [start, size] = block;
    if (size > cap) {
      ++*capped;
      return;
    }
    for (uint32_t k = start; k < start + size; ++k) visit(members_[k]);
  };
  // The keys are gathered and their slots prefetched before any is looked
  // up: in a big trust nearly every lookup misses the cache, and the misses
  // then overlap instead of queueing. The exact keys are looked up before
  // loose() is asked; a big loose block is searched through its parts.
  struct Pending {
    Tag tag;
    uint64_t key;
    Refine refine;
  };
  absl::InlinedVector<Pending, 64> pending;
  absl::InlinedVector<uint64_t, 64> parts;
  auto look_up = [&] {
    parts.clear();
    for (const Pending& p : pending) {
      const Block* block = find(p.key);
      if (block == nullptr) continue;
      if (p.refine.forms != nullptr && block->second > kRefineAbove) {
        ForEachRefined(p.key, p.refine, [&](uint64_t part) {
          blocks_.prefetch(part);
          parts.push_back(part);
        });
        continue;
      }
      visit_block(*block, Cap(p.tag));
    }
    for (uint64_t part : parts) {
      if (const Block* b = find(part)) visit_block(*b, kMaxBlock);
    }
    pending.clear();
  };
  std::vector<std::string_view> forms;
  ForEachKey(
      hub, /*probe=*/true,
      [&](Tag tag, uint64_t key, const Refine& refine) {
        blocks_.prefetch(key);
        pending.push_back({tag, key, refine});
      },
      [&] {
        look_up();
        return loose();
      },
      &forms);
  look_up();
}

std::vector<int> BlockIndex::Lookup(const PreparedLearner& hub,
                                    int64_t* capped) const {
  std::vector<int> out;
  Visit(
      hub, capped, [&](int j) { out.push_back(j); }, [] { return true; });
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

}  // namespace hubsync
