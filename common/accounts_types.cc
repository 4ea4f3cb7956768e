#include "common/accounts_types.h"

#include <string>
#include <vector>

namespace hubsync {

const std::vector<std::string>& PartnerProducts() {
  static const auto* products = new std::vector<std::string>{
      std::string(kBoostLearning), std::string(kHodderMagazines)};
  return *products;
}

bool IsPartnerProduct(absl::string_view product) {
  for (const std::string& p : PartnerProducts()) {
    if (p == product) return true;
  }
  return false;
}

std::string ProductDisplayName(absl::string_view product) {
  if (product == kBoostLearning) return "Boost Learning";
  if (product == kHodderMagazines) return "Hodder Education Magazines";
  if (product == kAdminHub) return "Boost Insights";
  return std::string(product);
}

}  // namespace hubsync
