#include "engine/ops/op_util.h"

namespace xm {

bool broadcast_plan(const Shape& a, const Shape& b, Broadcast* r) {
  const size_t n = std::max(a.size(), b.size());
  r->out.assign(n, 1);
  r->sa.assign(n, 0);
  r->sb.assign(n, 0);
  for (size_t k = 0; k < n; ++k) {
    int64_t da = k + a.size() >= n ? a[k + a.size() - n] : 1;
    int64_t db = k + b.size() >= n ? b[k + b.size() - n] : 1;
    if (da != db && da != 1 && db != 1) return false;
    r->out[k] = da == 1 ? db : da;
  }
  int64_t st = 1;
  for (size_t k = n; k-- > 0;) {
    int64_t d = k + a.size() >= n ? a[k + a.size() - n] : 1;
    r->sa[k] = d == 1 ? 0 : st;
    st *= d;
  }
  st = 1;
  for (size_t k = n; k-- > 0;) {
    int64_t d = k + b.size() >= n ? b[k + b.size() - n] : 1;
    r->sb[k] = d == 1 ? 0 : st;
    st *= d;
  }
  return true;
}

Status WindowAttrs::parse(const OpInit& c, bool has_dilations, bool has_ceil) {
  XM_TRY(c.get_ints("kernel_shape", &kernel));
  XM_TRY(c.get_ints("strides", &strides));
  XM_TRY(c.get_ints("pads", &pads));
  if (has_dilations) XM_TRY(c.get_ints("dilations", &dilations));
  XM_TRY(c.get_string("auto_pad", "NOTSET", &auto_pad));
  if (auto_pad != "NOTSET" && auto_pad != "SAME_UPPER" && auto_pad != "SAME_LOWER" && auto_pad != "VALID")
    return c.error("auto_pad '" + auto_pad + "' is not supported");
  if (has_ceil) {
    int64_t cm = 0;
    XM_TRY(c.get_int("ceil_mode", 0, &cm));
    ceil_mode = cm != 0;
  }
  size_t sp = kernel.size();
  if (sp == 0) sp = !strides.empty() ? strides.size() : !dilations.empty() ? dilations.size() : pads.size() / 2;
  if (sp > 2) return c.error(std::to_string(sp) + "-D windows are not supported (1-D and 2-D are)");
  for (int64_t v : kernel)
    if (v < 1 || v > 4096) return c.error("kernel_shape must be from 1 to 4096");
  for (int64_t v : strides)
    if (v < 1 || v > 4096) return c.error("strides must be from 1 to 4096");
  for (int64_t v : dilations)
    if (v < 1 || v > 4096) return c.error("dilations must be from 1 to 4096");
  for (int64_t v : pads)
    if (v < 0 || v > 4096) return c.error("pads must be from 0 to 4096");
  return Status::ok();
}

Status WindowAttrs::geometry(const std::string& label, const Shape& x, const std::vector<int64_t>& kshape,
                             Window2d* g) const {
  if (x.size() != 3 && x.size() != 4)
    return Status::error(label + ": input must be [N,C,L] or [N,C,H,W], got " + shape_str(x) + " (3-D is not supported)");
  const size_t sp = x.size() - 2;
  const std::vector<int64_t>& k = kernel.empty() ? kshape : kernel;
  if (k.size() != sp) return Status::error(label + ": kernel_shape does not match the input's rank");
  if ((!strides.empty() && strides.size() != sp) || (!dilations.empty() && dilations.size() != sp) ||
      (!pads.empty() && pads.size() != 2 * sp))
    return Status::error(label + ": strides, dilations or pads do not match the input's rank");
  g->N = x[0];
  g->C = x[1];
  g->H = sp == 2 ? x[2] : 1;
  g->W = x[sp + 1];
  auto at = [&](const std::vector<int64_t>& v, size_t i, int64_t fb) { return v.empty() ? fb : v[i]; };
  g->kh = sp == 2 ? k[0] : 1;
  g->kw = k[sp - 1];
  g->sh = sp == 2 ? at(strides, 0, 1) : 1;
  g->sw = at(strides, sp - 1, 1);
  g->dh = sp == 2 ? at(dilations, 0, 1) : 1;
  g->dw = at(dilations, sp - 1, 1);
  if (sp == 2) {
    g->pt = at(pads, 0, 0);
    g->pl = at(pads, 1, 0);
    g->pb = at(pads, 2, 0);
    g->pr = at(pads, 3, 0);
  } else {
    g->pl = at(pads, 0, 0);
    g->pr = at(pads, 1, 0);
  }
  auto one = [&](int64_t in, int64_t kk, int64_t s, int64_t d, int64_t* p0, int64_t* p1, int64_t* out) -> bool {
    int64_t ek = d * (kk - 1) + 1;
    if (auto_pad == "VALID") {
      *p0 = *p1 = 0;
      *out = in >= ek ? (in - ek) / s + 1 : 0;
    } else if (auto_pad == "SAME_UPPER" || auto_pad == "SAME_LOWER") {
      *out = (in + s - 1) / s;
      int64_t total = std::max<int64_t>(0, (*out - 1) * s + ek - in);
      *p0 = auto_pad == "SAME_UPPER" ? total / 2 : total - total / 2;
      *p1 = total - *p0;
    } else {
      int64_t span = in + *p0 + *p1 - ek;
      if (span < 0) return false;
      *out = (ceil_mode ? (span + s - 1) / s : span / s) + 1;
      // ceil_mode: a window that starts in the end padding is dropped (as PyTorch and ONNX do)
      if (ceil_mode && (*out - 1) * s >= in + *p0) --*out;
    }
    return *out > 0;
  };
  bool ok = one(g->H, g->kh, g->sh, g->dh, &g->pt, &g->pb, &g->OH) && one(g->W, g->kw, g->sw, g->dw, &g->pl, &g->pr, &g->OW);
  if (!ok) return Status::error(label + ": the window does not fit input " + shape_str(x));
  return Status::ok();
}

Status window_pads_check(const std::string& label, const Window2d& g) {
  const int64_t eh = g.dh * (g.kh - 1) + 1, ew = g.dw * (g.kw - 1) + 1;
  if (g.pt >= eh || g.pb >= eh || g.pl >= ew || g.pr >= ew)
    return Status::error(label + ": pads must be smaller than kernel_shape (a window would hold only padding)");
  return Status::ok();
}

Shape window_out_shape(const Shape& x, int64_t channels, const Window2d& g) {
  if (x.size() == 3) return {g.N, channels, g.OW};
  return {g.N, channels, g.OH, g.OW};
}

}  // namespace xm
