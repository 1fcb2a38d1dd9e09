// The functions window.xmediaLab calls (exported by name at link time).
#include <string>

#include "app.h"

extern "C" {

const char* xm_api_status_json() {
  static std::string s;
  s = xm::app_status_json(xm::app().state);
  return s.c_str();
}

}
