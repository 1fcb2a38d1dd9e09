// Resize (and the older Upsample) in nearest and linear modes on the last two
// dimensions (leading scales must be 1). Each output coordinate maps back to
// the input by coordinate_transformation_mode; nearest rounds by nearest_mode,
// linear blends the two neighbours per axis (edges clamped, as ONNX's
// reference pads with edge values). Backward scatters dy with the same
// weights. Cubic, tf_crop_and_resize, antialias and half_pixel_symmetric are
// refused. ref: ONNX Resize-11/13/18, Upsample-7/9.
#include "engine/ops/op_util.h"

namespace xm {
namespace {
enum class Coord { HALF_PIXEL, PYTORCH_HALF_PIXEL, ALIGN_CORNERS, ASYMMETRIC, TF_HALF_PIXEL_FOR_NN };
enum class Round { PREFER_FLOOR, PREFER_CEIL, FLOOR, CEIL };

class ResizeOp : public Op {
  bool upsample_;
  bool linear_ = false;
  Coord coord_ = Coord::HALF_PIXEL;
  Round round_ = Round::PREFER_FLOOR;
  int scales_in_ = -1, sizes_in_ = -1;  // input index of scales / sizes (-1: none)
  std::vector<float> attr_scales_;
  std::vector<int64_t> axes_;

  // Per-dimension scale and output size; false with a message on bad values.
  Status plan(const OpShapes& s, std::vector<double>* scale, Shape* out) const {
    const Shape& x = s.in[0];
    const size_t r = x.size();
    scale->assign(r, 1.0);
    *out = x;
    std::vector<int64_t> axes = axes_;
    if (axes.empty())
      for (size_t d = 0; d < r; ++d) axes.push_back(int64_t(d));
    for (int64_t& a : axes)
      if (!normalize_axis(a, int64_t(r), &a)) return Status::error(label + ": axes out of range");
    const StaticTensor* sizes = sizes_in_ >= 0 && size_t(sizes_in_) < s.value.size() && s.present[size_t(sizes_in_)] ? s.value[size_t(sizes_in_)] : nullptr;
    const StaticTensor* scales = scales_in_ >= 0 && size_t(scales_in_) < s.value.size() && s.present[size_t(scales_in_)] ? s.value[size_t(scales_in_)] : nullptr;
    if (sizes && sizes->numel() == 0) sizes = nullptr;
    if (scales && scales->numel() == 0) scales = nullptr;
    if (sizes_in_ >= 0 && size_t(sizes_in_) < s.present.size() && s.present[size_t(sizes_in_)] && !s.value[size_t(sizes_in_)])
      return Status::error(label + ": sizes must be known before the pass");
    if (scales_in_ >= 0 && size_t(scales_in_) < s.present.size() && s.present[size_t(scales_in_)] && !s.value[size_t(scales_in_)])
      return Status::error(label + ": scales must be known before the pass");
    if (sizes && scales) return Status::error(label + ": give scales or sizes, not both");
    if (sizes) {
      if (sizes->numel() != int64_t(axes.size())) return Status::error(label + ": sizes must have one value per axis");
      for (size_t k = 0; k < axes.size(); ++k) {
        int64_t v = int64_t(sizes->at(int64_t(k)));
        if (v < 1 || v > (int64_t(1) << 20)) return Status::error(label + ": size out of range");
        (*out)[size_t(axes[k])] = v;
        (*scale)[size_t(axes[k])] = double(v) / double(x[size_t(axes[k])]);
      }
    } else {
      std::vector<float> sc = attr_scales_;
      if (scales) {
        sc.clear();
        for (int64_t k = 0; k < scales->numel(); ++k) sc.push_back(float(scales->at(k)));
      }
      if (sc.empty()) return Status::error(label + ": scales or sizes are required");
      if (sc.size() != axes.size()) return Status::error(label + ": scales must have one value per axis");
      for (size_t k = 0; k < axes.size(); ++k) {
        double v = sc[k];
        if (!(v > 0) || v > 1e4) return Status::error(label + ": scale out of range");
        (*scale)[size_t(axes[k])] = v;
        (*out)[size_t(axes[k])] = int64_t(std::floor(double(x[size_t(axes[k])]) * v));
        if ((*out)[size_t(axes[k])] < 1) return Status::error(label + ": output would be empty");
      }
    }
    for (size_t d = 0; d + 2 < r; ++d)
      if ((*out)[d] != x[d]) return Status::error(label + ": only the last two dimensions can be resized");
    return Status::ok();
  }

  double source(double o, double scale, int64_t in, int64_t out) const {
    switch (coord_) {
      case Coord::HALF_PIXEL: return (o + 0.5) / scale - 0.5;
      case Coord::PYTORCH_HALF_PIXEL: return out > 1 ? (o + 0.5) / scale - 0.5 : 0.0;
      case Coord::ALIGN_CORNERS: {
        // ONNX's length_resized is in * scale, unrounded, when scales are given (sizes give scale = out / in exactly).
        double len = double(in) * scale;
        return out == 1 || len == 1.0 ? 0.0 : o * double(in - 1) / (len - 1.0);
      }
      case Coord::ASYMMETRIC: return o / scale;
      case Coord::TF_HALF_PIXEL_FOR_NN: return (o + 0.5) / scale;
    }
    return 0;
  }
  int64_t nearest(double x, int64_t in) const {
    double f = std::floor(x), d = x - f;
    int64_t i = 0;
    switch (round_) {
      case Round::FLOOR: i = int64_t(f); break;
      case Round::CEIL: i = int64_t(std::ceil(x)); break;
      case Round::PREFER_FLOOR: i = int64_t(d <= 0.5 ? f : f + 1); break;
      case Round::PREFER_CEIL: i = int64_t(d < 0.5 ? f : f + 1); break;
    }
    return std::clamp<int64_t>(i, 0, in - 1);
  }
  // Tables for one axis: i0, i1 (as floats) and the weight of i1.
  void table(int64_t in, int64_t out, double scale, float* i0, float* i1, float* w1) const {
    for (int64_t o = 0; o < out; ++o) {
      double x = source(double(o), scale, in, out);
      if (!linear_) {
        i0[o] = i1[o] = float(nearest(x, in));
        w1[o] = 0;
        continue;
      }
      double f = std::floor(x);
      int64_t a = int64_t(f);
      w1[o] = float(x - f);
      i0[o] = float(std::clamp<int64_t>(a, 0, in - 1));
      i1[o] = float(std::clamp<int64_t>(a + 1, 0, in - 1));
    }
  }
  struct Geo {
    int64_t planes, H, W, OH, OW;
    double sh, sw;
  };
  Geo geo(const Shape& x, const Shape& y) const {
    Geo g;
    const size_t r = x.size();
    g.H = r >= 2 ? x[r - 2] : 1;
    g.W = x[r - 1];
    g.OH = r >= 2 ? y[r - 2] : 1;
    g.OW = y[r - 1];
    g.planes = shape_numel(y) / std::max<int64_t>(g.OH * g.OW, 1);
    return g;
  }
  // Builds the tables in the workspace: [i0h,i1h,w1h] (OH each) then [i0w,i1w,w1w] (OW each).
  Geo tables(const OpRun& r) const {
    Geo g = geo(r.in_shape[0], r.out_shape[0]);
    std::vector<double> scale;  // rank-sized
    Shape out;
    std::vector<Shape> in(r.in_shape, r.in_shape + r.num_in);
    std::vector<bool> present(size_t(r.num_in));
    std::vector<const StaticTensor*> val(r.value, r.value + r.num_in);
    for (int k = 0; k < r.num_in; ++k) present[size_t(k)] = r.in[k] != nullptr || r.value[k] != nullptr;
    OpShapes s{in, present, val};
    XM_ASSERT(plan(s, &scale, &out).is_ok());
    const size_t rk = r.in_shape[0].size();
    g.sh = rk >= 2 ? scale[rk - 2] : 1.0;
    g.sw = scale[rk - 1];
    float* t = r.workspace;
    table(g.H, g.OH, g.sh, t, t + g.OH, t + 2 * g.OH);
    float* u = t + 3 * g.OH;
    table(g.W, g.OW, g.sw, u, u + g.OW, u + 2 * g.OW);
    return g;
  }

public:
  bool backward_reads_input(int k) const override { return k != 0; }
  bool backward_reads_output() const override { return false; }
  explicit ResizeOp(bool upsample) : upsample_(upsample) {}
  Status init(const OpInit& c) override {
    std::string mode;
    XM_TRY(c.get_string("mode", "nearest", &mode));
    if (mode == "linear" || mode == "bilinear") linear_ = true;
    else if (mode != "nearest") return c.error("mode '" + mode + "' is not supported (nearest and linear are)");
    if (upsample_ || c.opset < 11) {
      XM_TRY(c.allow_attrs({"mode", "scales"}));
      coord_ = Coord::ASYMMETRIC;
      round_ = Round::FLOOR;
      if (c.attr("scales")) {
        XM_TRY(c.get_floats("scales", &attr_scales_));
        XM_TRY(c.expect_inputs(1, 1));
      } else {
        XM_TRY(c.expect_inputs(2, 2));
        scales_in_ = 1;
        XM_TRY(c.require_static(1, "scales"));
      }
      return Status::ok();
    }
    XM_TRY(c.allow_attrs({"antialias", "axes", "coordinate_transformation_mode", "cubic_coeff_a", "exclude_outside",
                          "extrapolation_value", "keep_aspect_ratio_policy", "mode", "nearest_mode"}));
    XM_TRY(c.expect_inputs(1, 4));
    scales_in_ = 2;
    sizes_in_ = 3;
    for (int k = 1; k < 4; ++k) XM_TRY(c.require_static(k, "roi, scales and sizes"));
    std::string ctm, nm, kar;
    XM_TRY(c.get_string("coordinate_transformation_mode", "half_pixel", &ctm));
    XM_TRY(c.get_string("nearest_mode", "round_prefer_floor", &nm));
    XM_TRY(c.get_string("keep_aspect_ratio_policy", "stretch", &kar));
    if (ctm == "half_pixel") coord_ = Coord::HALF_PIXEL;
    else if (ctm == "pytorch_half_pixel") coord_ = Coord::PYTORCH_HALF_PIXEL;
    else if (ctm == "align_corners") coord_ = Coord::ALIGN_CORNERS;
    else if (ctm == "asymmetric") coord_ = Coord::ASYMMETRIC;
    else if (ctm == "tf_half_pixel_for_nn" && !linear_) coord_ = Coord::TF_HALF_PIXEL_FOR_NN;
    else return c.error("coordinate_transformation_mode '" + ctm + "' is not supported");
    if (nm == "round_prefer_floor") round_ = Round::PREFER_FLOOR;
    else if (nm == "round_prefer_ceil") round_ = Round::PREFER_CEIL;
    else if (nm == "floor") round_ = Round::FLOOR;
    else if (nm == "ceil") round_ = Round::CEIL;
    else return c.error("nearest_mode '" + nm + "' is not supported");
    if (kar != "stretch") return c.error("keep_aspect_ratio_policy '" + kar + "' is not supported");
    int64_t aa = 0, eo = 0;
    XM_TRY(c.get_int("antialias", 0, &aa));
    XM_TRY(c.get_int("exclude_outside", 0, &eo));
    if (aa) return c.error("antialias is not supported");
    if (eo) return c.error("exclude_outside is not supported");
    XM_TRY(c.get_ints("axes", &axes_));
    return Status::ok();
  }
  bool differentiable(int k) const override { return k == 0; }
  Status infer(const OpShapes& s, std::vector<Shape>* out) override {
    if (s.in[0].empty()) return Status::error(label + ": input must have at least one dimension");
    std::vector<double> scale;
    Shape o;
    XM_TRY(plan(s, &scale, &o));
    out->push_back(o);
    return Status::ok();
  }
  size_t workspace_floats(const std::vector<Shape>& in, const std::vector<Shape>& out) const override {
    Geo g = geo(in[0], out[0]);
    return size_t(3 * (g.OH + g.OW));
  }
  void forward(const OpRun& r) override {
    Geo g = tables(r);
    const float *i0h = r.workspace, *i1h = i0h + g.OH, *w1h = i1h + g.OH;
    const float *i0w = w1h + g.OH, *i1w = i0w + g.OW, *w1w = i1w + g.OW;
    const float* x = r.in[0];
    float* y = r.out[0];
    for (int64_t p = 0; p < g.planes; ++p) {
      const float* xp = x + p * g.H * g.W;
      float* yp = y + p * g.OH * g.OW;
      for (int64_t oh = 0; oh < g.OH; ++oh) {
        const float* r0 = xp + int64_t(i0h[oh]) * g.W;
        const float* r1 = xp + int64_t(i1h[oh]) * g.W;
        const float b = w1h[oh];
        for (int64_t ow = 0; ow < g.OW; ++ow) {
          const int64_t a0 = int64_t(i0w[ow]), a1 = int64_t(i1w[ow]);
          const float c = w1w[ow];
          float top = r0[a0] + c * (r0[a1] - r0[a0]);
          float bot = r1[a0] + c * (r1[a1] - r1[a0]);
          yp[oh * g.OW + ow] = linear_ ? top + b * (bot - top) : r0[a0];
        }
      }
    }
  }
  void backward(const OpRun& r) override {
    Geo g = tables(r);
    const float *i0h = r.workspace, *i1h = i0h + g.OH, *w1h = i1h + g.OH;
    const float *i0w = w1h + g.OH, *i1w = i0w + g.OW, *w1w = i1w + g.OW;
    const float* gy = r.gout[0];
    float* gx = r.gin[0];
    for (int64_t p = 0; p < g.planes; ++p) {
      float* gp = gx + p * g.H * g.W;
      const float* yp = gy + p * g.OH * g.OW;
      for (int64_t oh = 0; oh < g.OH; ++oh) {
        float* r0 = gp + int64_t(i0h[oh]) * g.W;
        float* r1 = gp + int64_t(i1h[oh]) * g.W;
        const float b = w1h[oh];
        for (int64_t ow = 0; ow < g.OW; ++ow) {
          const int64_t a0 = int64_t(i0w[ow]), a1 = int64_t(i1w[ow]);
          const float v = yp[oh * g.OW + ow];
          if (!linear_) {
            r0[a0] += v;
            continue;
          }
          const float c = w1w[ow];
          r0[a0] += v * (1 - b) * (1 - c);
          r0[a1] += v * (1 - b) * c;
          r1[a0] += v * b * (1 - c);
          r1[a1] += v * b * c;
        }
      }
    }
  }
};
}  // namespace
std::unique_ptr<Op> make_resize_op() { return std::make_unique<ResizeOp>(false); }
std::unique_ptr<Op> make_upsample_op() { return std::make_unique<ResizeOp>(true); }
}  // namespace xm
