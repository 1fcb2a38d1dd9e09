// The backend part of the Model panel (which engine runs the model, the
// switch, the parity view); status.cpp reports the same state to the test API.
//
//   panel_backend(a);                       // inside the Model window
//   if (method_selectable(a, m.name)) ...   // a method entry, disabled with the reason when unavailable
#pragma once
#include <string>

#include "app.h"

namespace xm {

void panel_backend(App& a);
// A Selectable for one method in the method list; disabled (with the reason
// as a tooltip) when the current backend cannot run it. True when chosen.
bool method_selectable(App& a, const char* method);

}  // namespace xm
