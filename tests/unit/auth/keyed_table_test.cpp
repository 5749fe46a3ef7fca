// auth/keyed_table: look-ups, inserts and erases against std::unordered_map over many
// random operations, probe runs that collide and wrap around the end of the slots
// (hashes chosen by the test), entries that stay put while others come and go, eraseIf.
#include "auth/keyed_table.hpp"

#include <gtest/gtest.h>

#include <random>
#include <set>
#include <string>
#include <unordered_map>

namespace sg::auth {
namespace {

using Table = KeyedTable<int>;

TEST(KeyedTable, FindsWhatWasInsertedAndNothingElse) {
  Table t;
  EXPECT_EQ(t.find("a", keyHash("a")), nullptr) << "an empty table";
  auto& a = t.insert("a", keyHash("a"), 1);
  auto& b = t.insert("b", keyHash("b"), 2);
  EXPECT_EQ(t.size(), 2u);
  EXPECT_EQ(t.find("a", keyHash("a")), &a);
  EXPECT_EQ(t.find("b", keyHash("b")), &b);
  EXPECT_EQ(a.key, "a");
  EXPECT_EQ(b.value, 2);
  EXPECT_EQ(t.find("c", keyHash("c")), nullptr);
  t.erase(&a);
  EXPECT_EQ(t.find("a", keyHash("a")), nullptr);
  EXPECT_EQ(t.find("b", keyHash("b")), &b);
  EXPECT_EQ(t.size(), 1u);
}

TEST(KeyedTable, KeysWithTheSameHashAreToldApartByTheKey) {
  Table t;
  auto& x = t.insert("x", 7, 1);
  auto& y = t.insert("y", 7, 2);
  EXPECT_EQ(t.find("x", 7), &x);
  EXPECT_EQ(t.find("y", 7), &y);
  EXPECT_EQ(t.find("z", 7), nullptr);
  t.erase(&x);
  EXPECT_EQ(t.find("y", 7), &y) << "the entry after the erased one in its probe run moved up";
}

// Hashes that all want the last slots make runs that wrap to the front; erasing from the
// middle of such a run must keep every other entry reachable.
TEST(KeyedTable, ErasingFromAProbeRunThatWrapsKeepsTheRestReachable) {
  for (int victim = 0; victim < 6; ++victim) {
    Table t;
    std::vector<Table::Entry*> entries;
    // 16 slots at first (6 entries keep it at 16): homes 14, 14, 15, 15, 0, 14.
    const std::size_t homes[] = {14, 14, 15, 15, 0, 14};
    for (int i = 0; i < 6; ++i) {
      entries.push_back(&t.insert(std::to_string(i), homes[i] + 16 * static_cast<std::size_t>(i + 1), i));
    }
    t.erase(entries[static_cast<std::size_t>(victim)]);
    for (int i = 0; i < 6; ++i) {
      auto* found = t.find(std::to_string(i), homes[i] + 16 * static_cast<std::size_t>(i + 1));
      if (i == victim) {
        EXPECT_EQ(found, nullptr);
      } else {
        EXPECT_EQ(found, entries[static_cast<std::size_t>(i)]) << "entry " << i << " after erasing " << victim;
      }
    }
  }
}

TEST(KeyedTable, AgreesWithUnorderedMapOverRandomOperationsAndEntriesStayPut) {
  Table t;
  std::unordered_map<std::string, int> model;
  std::unordered_map<std::string, Table::Entry*> where;
  std::mt19937 rng(12345);
  // Few distinct hash values (the key's hash mod 61) so that probe runs are long.
  auto hashOf = [](const std::string& k) { return keyHash(k) % 61; };
  for (int step = 0; step < 20000; ++step) {
    std::string key = "k" + std::to_string(rng() % 300);
    auto* found = t.find(key, hashOf(key));
    auto it = model.find(key);
    ASSERT_EQ(found != nullptr, it != model.end()) << key << " at step " << step;
    if (found) {
      ASSERT_EQ(found, where[key]) << "an entry moved";
      ASSERT_EQ(found->value, it->second);
      if (rng() % 2) {
        t.erase(found);
        model.erase(it);
        where.erase(key);
      } else {
        ++found->value;
        ++it->second;
      }
    } else {
      where[key] = &t.insert(key, hashOf(key), step);
      model[key] = step;
    }
    ASSERT_EQ(t.size(), model.size());
  }
  std::size_t seen = 0;
  t.forEach([&](const Table::Entry& e) {
    ++seen;
    EXPECT_EQ(model.at(e.key), e.value);
  });
  EXPECT_EQ(seen, model.size());
}

TEST(KeyedTable, GrowsPastItsFirstSlotsAndEraseIfDropsWhatItIsTold) {
  Table t;
  for (int i = 0; i < 1000; ++i) t.insert(std::to_string(i), keyHash(std::to_string(i)), i);
  EXPECT_EQ(t.size(), 1000u);
  for (int i = 0; i < 1000; ++i) {
    auto* e = t.find(std::to_string(i), keyHash(std::to_string(i)));
    ASSERT_NE(e, nullptr);
    EXPECT_EQ(e->value, i);
  }
  EXPECT_EQ(t.eraseIf([](Table::Entry& e) { return e.value % 2 == 0; }), 500u);
  EXPECT_EQ(t.size(), 500u);
  for (int i = 0; i < 1000; ++i) {
    EXPECT_EQ(t.find(std::to_string(i), keyHash(std::to_string(i))) != nullptr, i % 2 == 1) << i;
  }
}

TEST(KeyedTable, AReusedEntryStartsFromTheValueGiven) {
  Table t;
  auto& a = t.insert("a-long-key-beyond-the-small-string-buffer", 1, 5);
  t.erase(&a);
  auto& b = t.insert("b", 1, 9);
  EXPECT_EQ(b.key, "b");
  EXPECT_EQ(b.value, 9);
  EXPECT_EQ(t.find("a-long-key-beyond-the-small-string-buffer", 1), nullptr);
}

// Keys that come and go reuse the entries of those gone: no allocation once the table has
// held as many at once.
TEST(KeyedTable, EntriesOfErasedKeysServeTheNextKeys) {
  Table t;
  std::set<const Table::Entry*> first;
  std::vector<Table::Entry*> held;
  for (int i = 0; i < 100; ++i) {
    held.push_back(&t.insert("a" + std::to_string(i), keyHash("a" + std::to_string(i)), i));
    first.insert(held.back());
  }
  for (auto* e : held) t.erase(e);
  EXPECT_EQ(t.size(), 0u);
  for (int i = 0; i < 100; ++i) {
    auto& e = t.insert("b" + std::to_string(i), keyHash("b" + std::to_string(i)), i);
    EXPECT_TRUE(first.count(&e)) << i;
    EXPECT_EQ(e.key, "b" + std::to_string(i));
  }
}

TEST(KeyedTable, ShardOfUsesTheTopBits) {
  constexpr std::size_t kTop = std::size_t{0xF} << (std::numeric_limits<std::size_t>::digits - 4);
  EXPECT_EQ(shardOf(kTop, 4), 15u);
  EXPECT_EQ(shardOf(~kTop, 4), 0u);
}

}  // namespace
}  // namespace sg::auth
