#include "client/lib/labels.h"

namespace hubsync::client {

std::string StatusLabel(v1::RowStatus s) {
  switch (s) {
    case v1::ROW_STATUS_NOT_MATCHED:
      return "Not matched";
    case v1::ROW_STATUS_NEW:
      return "New";
    case v1::ROW_STATUS_MATCHED:
      return "Matched";
    case v1::ROW_STATUS_MAY_MATCH:
      return "May match";
    case v1::ROW_STATUS_SYNCED:
      return "Synced";
    case v1::ROW_STATUS_DESYNCED:
      return "Desynced";
    default:
      return "?";
  }
}

std::string StepLabel(v1::SessionStep s) {
  switch (s) {
    case v1::SESSION_STEP_CLASS_SYNC:
      return "Class sync";
    case v1::SESSION_STEP_PUPILS_PANEL:
      return "Pupils panel";
    case v1::SESSION_STEP_CLASSIFYING:
      return "Classifying";
    case v1::SESSION_STEP_SYNC_SCREEN:
      return "Sync screen";
    case v1::SESSION_STEP_SAVED:
      return "Saved";
    case v1::SESSION_STEP_CANCELLED:
      return "Cancelled";
    default:
      return "?";
  }
}

}  // namespace hubsync::client
