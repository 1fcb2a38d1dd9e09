// What-if edits: brush strokes painted on the case's image (remove a lesion,
// add a marker), kept as a compact list so that undo is "drop the last stroke
// and replay", and so that a deep link can carry them. Pure logic, no ImGui.
//
//   EditList edits;
//   EditStroke s{EditMode::PAINT, /*radius=*/4, /*value=*/0.1f, {{60, 40}, {66, 44}}};
//   edits.strokes.push_back(s);
//   Tensor shown = edits_apply(original01, edits);     // [1,C,H,W] in [0,1]
//   std::string text = edits_encode(edits);            // "p,4,0.100000001,60,40,66,44"
//   Result<EditList> back = edits_decode(text);        // the same strokes
#pragma once
#include <string>
#include <vector>

#include "core/status.h"
#include "tensor/tensor.h"

namespace xm {

enum class EditMode {
  PAINT,    // set every channel to `value`
  HEAL,     // fill the brush with the mean of a ring just outside it (hides what was there)
  RESTORE,  // put the original pixels back (erases earlier strokes)
};

constexpr int EDIT_MAX_RADIUS = 64;
constexpr size_t EDIT_MAX_POINTS = 4096;  // per stroke, and in a whole list (links stay short)
// Painting a list touches at most this many pixels (edits_work), so that a
// link or a lesson cannot make every knob repaint for seconds.
constexpr double EDIT_MAX_WORK = 64e6;
// The image side edits_work assumes: a segment's dabs are counted only along
// the part of it that can lie on an image this large.
constexpr int EDIT_WORK_SPAN = 1024;

struct EditPoint {
  int x = 0, y = 0;  // image pixels
};

// One mouse drag: dabs of a disc at each point and along the segments between them.
struct EditStroke {
  EditMode mode = EditMode::PAINT;
  int radius = 4;       // pixels, 1..EDIT_MAX_RADIUS
  float value = 0.0f;   // PAINT only, in [0,1]
  std::vector<EditPoint> points;
};

struct EditList {
  std::vector<EditStroke> strokes;
  bool empty() const { return strokes.empty(); }
};

const char* edit_mode_name(EditMode m);
// Checks ranges; the message names the stroke.
Status edits_validate(const EditList& edits);
// Applies every stroke in order to `original` ([1,C,H,W], values in [0,1]);
// points outside the image only paint what falls inside it, and dabs that
// cannot reach the image are skipped, not computed.
Tensor edits_apply(const Tensor& original, const EditList& edits);
// An upper bound on the pixels edits_apply visits for `edits` on an image of
// at most EDIT_WORK_SPAN pixels a side.
double edits_work(const EditList& edits);
// Drops points from the end (whole strokes, then the last stroke's tail) until
// edits_work fits EDIT_MAX_WORK. Returns "" or what was dropped, for the user.
std::string edits_fit_budget(EditList* edits);
// "mode,radius,value,x,y,x,y,...;..." with mode p|h|r; empty list → "".
std::string edits_encode(const EditList& edits);
Result<EditList> edits_decode(const std::string& text);

}  // namespace xm
