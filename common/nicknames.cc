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
    // Forms common in UK schools today.
    {"josh", "joshua"},       {"jake", "jacob"},
    {"jakey", "jacob"},       {"zach", "zachary"},
    {"zac", "zachary"},       {"zack", "zachary"},
    {"luke", "lucas"},        {"lukas", "lucas"},
    {"kuba", "jakub"},        {"kuba", "jakob"},
    {"frank", "francis"},     {"frankie", "francis"},
    {"frankie", "francesca"}, {"fran", "francesca"},
    {"flo", "florence"},      {"florrie", "florence"},
    {"flossie", "florence"},  {"izzy", "isabelle"},
    {"bella", "isabelle"},    {"issy", "isabelle"},
    {"izzy", "isobel"},       {"issy", "isobel"},
    {"liv", "olivia"},        {"livvy", "olivia"},
    {"livvie", "olivia"},     {"nate", "nathan"},
    {"nate", "nathaniel"},    {"paddy", "patrick"},
    {"pat", "patrick"},       {"mo", "mohammed"},
    {"mo", "muhammad"},       {"mo", "mohammad"},
    {"benji", "benjamin"},    {"haz", "harry"},
    {"alf", "alfred"},        {"dom", "dominic"},
    {"jon", "jonathan"},      {"jonny", "jonathan"},
    {"eli", "elijah"},        {"max", "maximilian"},
    {"max", "maxwell"},       {"penny", "penelope"},
    {"josie", "josephine"},   {"jo", "josephine"},
    {"jo", "joanna"},         {"bea", "beatrice"},
    {"bee", "beatrice"},      {"trixie", "beatrice"},
    {"annie", "annabelle"},   {"bella", "annabelle"},
    {"gus", "angus"},         {"gus", "augustus"},
    {"ozzy", "oscar"},        {"ossie", "oscar"},
    {"stan", "stanley"},      {"reggie", "reginald"},
    {"len", "leonard"},       {"lenny", "leonard"},
    {"leo", "leonardo"},      {"finn", "finlay"},
    {"finn", "finley"},       {"fin", "finlay"},
    {"georgie", "georgia"},   {"georgie", "george"},
    {"gracie", "grace"},      {"maddie", "madison"},
    {"maddie", "madeleine"},  {"maddy", "madeleine"},
    {"maddie", "madeline"},   {"lexie", "alexis"},
    {"ally", "alison"},       {"ellie", "ellen"},
    {"ellie", "elena"},       {"lily", "lillian"},
    {"rosie", "rosalind"},    {"rosie", "rosemary"},
    {"katy", "katherine"},    {"katy", "catherine"},
    {"lucy", "lucinda"},      {"lou", "louise"},
    {"lou", "louis"},         {"lulu", "louise"},
    {"amy", "amelia"},        {"emmy", "emily"},
    {"em", "emily"},          {"em", "emma"},
    {"ronnie", "ronald"},     {"ronnie", "veronica"},
    {"vinnie", "vincent"},    {"rick", "richard"},
    {"bertie", "albert"},     {"bertie", "herbert"},
    {"bert", "albert"},       {"al", "albert"},
    {"al", "alan"},           {"tom", "tomas"},
    {"tommy", "tomas"},       {"harry", "harrison"},
    {"harry", "harold"},      {"sid", "sidney"},
    {"sid", "sydney"},        {"wilf", "wilfred"},
    {"wilf", "wilfrid"},      {"kit", "katherine"},
    {"kiki", "kiara"},        {"tash", "natasha"},
    {"tasha", "natasha"},     {"nico", "nicholas"},
    {"cory", "corey"},        {"jojo", "joanna"},
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
