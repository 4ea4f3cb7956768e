// The status and step words shared by the CLI and the console.
#include "client/lib/labels.h"

#include "gtest/gtest.h"

namespace hubsync::client {
namespace {

TEST(LabelsTest, StatusLabelsAreTheHelpPagesWords) {
  EXPECT_EQ(StatusLabel(v1::ROW_STATUS_NOT_MATCHED), "Not matched");
  EXPECT_EQ(StatusLabel(v1::ROW_STATUS_NEW), "New");
  EXPECT_EQ(StatusLabel(v1::ROW_STATUS_MATCHED), "Matched");
  EXPECT_EQ(StatusLabel(v1::ROW_STATUS_MAY_MATCH), "May match");
  EXPECT_EQ(StatusLabel(v1::ROW_STATUS_SYNCED), "Synced");
  EXPECT_EQ(StatusLabel(v1::ROW_STATUS_DESYNCED), "Desynced");
  EXPECT_EQ(StatusLabel(v1::ROW_STATUS_UNSPECIFIED), "?");
}

TEST(LabelsTest, StepLabelsAreTheHelpPagesWords) {
  EXPECT_EQ(StepLabel(v1::SESSION_STEP_CLASS_SYNC), "Class sync");
  EXPECT_EQ(StepLabel(v1::SESSION_STEP_PUPILS_PANEL), "Pupils panel");
  EXPECT_EQ(StepLabel(v1::SESSION_STEP_CLASSIFYING), "Classifying");
  EXPECT_EQ(StepLabel(v1::SESSION_STEP_SYNC_SCREEN), "Sync screen");
  EXPECT_EQ(StepLabel(v1::SESSION_STEP_SAVED), "Saved");
  EXPECT_EQ(StepLabel(v1::SESSION_STEP_CANCELLED), "Cancelled");
  EXPECT_EQ(StepLabel(v1::SESSION_STEP_UNSPECIFIED), "?");
}

}  // namespace
}  // namespace hubsync::client
