#include "common/nicknames.h"

#include <string>
#include <utility>

#include "absl/container/flat_hash_set.h"

namespace hubsync {
namespace {

// {short form, full form}. Prefixes (Sam/Samuel, Alex/Alexander) are graded
// separately and need no entry here.
constexpr std::pair<const char*, const char*> kPairs[] = {
    {"bill", "william"},      {"will", "william"},
    {"billy", "william"},     {"liam", "william"},
    {"bob", "robert"},        {"rob", "robert"},
    {"bobby", "robert"},      {"robbie", "robert"},
    {"tom", "thomas"},        {"tommy", "thomas"},
    {"jim", "james"},         {"jimmy", "james"},
    {"jamie", "james"},       {"jack", "john"},
    {"johnny", "john"},       {"dick", "richard"},
    {"rich", "richard"},      {"ricky", "richard"},
    {"harry", "henry"},       {"hal", "henry"},
    {"ted", "edward"},        {"ed", "edward"},
    {"eddie", "edward"},      {"ned", "edward"},
    {"charlie", "charles"},   {"chuck", "charles"},
    {"chas", "charles"},      {"mike", "michael"},
    {"mikey", "michael"},     {"mick", "michael"},
    {"dan", "daniel"},        {"danny", "daniel"},
    {"joe", "joseph"},        {"joey", "joseph"},
    {"ben", "benjamin"},      {"benny", "benjamin"},
    {"alfie", "alfred"},      {"freddie", "frederick"},
    {"freddie", "alfred"},    {"fred", "frederick"},
    {"archie", "archibald"},  {"ollie", "oliver"},
    {"olly", "oliver"},       {"toby", "tobias"},
    {"kit", "christopher"},   {"chris", "christopher"},
    {"matt", "matthew"},      {"nick", "nicholas"},
    {"tony", "anthony"},      {"andy", "andrew"},
    {"drew", "andrew"},       {"steve", "stephen"},
    {"steve", "steven"},      {"pete", "peter"},
    {"sandy", "alexander"},   {"lexi", "alexandra"},
    {"zander", "alexander"},  {"kate", "katherine"},
    {"katie", "katherine"},   {"kate", "catherine"},
    {"katie", "catherine"},   {"cathy", "catherine"},
    {"kathy", "katherine"},   {"kitty", "katherine"},
    {"liz", "elizabeth"},     {"lizzie", "elizabeth"},
    {"beth", "elizabeth"},    {"betty", "elizabeth"},
    {"eliza", "elizabeth"},   {"libby", "elizabeth"},
    {"ellie", "eleanor"},     {"nell", "eleanor"},
    {"ella", "eleanor"},      {"maggie", "margaret"},
    {"meg", "margaret"},      {"peggy", "margaret"},
    {"molly", "mary"},        {"polly", "mary"},
    {"jenny", "jennifer"},    {"jen", "jennifer"},
    {"becky", "rebecca"},     {"becca", "rebecca"},
    {"abbie", "abigail"},     {"abby", "abigail"},
    {"millie", "amelia"},     {"milly", "amelia"},
    {"millie", "millicent"},  {"evie", "evelyn"},
    {"izzy", "isabel"},       {"izzy", "isabella"},
    {"bella", "isabella"},    {"issy", "isabella"},
    {"rosie", "rose"},        {"sophie", "sophia"},
    {"annie", "anne"},        {"annie", "anna"},
    {"hattie", "harriet"},    {"lottie", "charlotte"},
    {"charlie", "charlotte"}, {"tilly", "matilda"},
    {"tillie", "matilda"},    {"sue", "susan"},
    {"suzy", "susan"},        {"vicky", "victoria"},
    {"tori", "victoria"},     {"jess", "jessica"},
    {"jessie", "jessica"},    {"debbie", "deborah"},
    {"mandy", "amanda"},      {"gabby", "gabriella"},
    {"gabe", "gabriel"},      {"manny", "emmanuel"},
    {"theo", "theodore"},     {"teddy", "theodore"},
    {"sasha", "alexandra"},   {"nat", "natalie"},
    {"nat", "nathaniel"},
};

using PairSet = absl::flat_hash_set<std::pair<std::string, std::string>>;

const PairSet& Pairs() {
  static const PairSet* const pairs = [] {
    auto* s = new PairSet();
    for (const auto& [nick, full] : kPairs) {
      s->emplace(nick, full);
      s->emplace(full, nick);
    }
    return s;
  }();
  return *pairs;
}

}  // namespace

bool IsKnownNickname(std::string_view a, std::string_view b) {
  if (a == b) return false;
  return Pairs().contains(std::make_pair(std::string(a), std::string(b)));
}

}  // namespace hubsync
