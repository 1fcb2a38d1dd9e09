#include <doctest/doctest.h>

#include "explain/heatmap.h"

using namespace xm;

TEST_SUITE("heatmap") {
  TEST_CASE("channels are summed and the sign is detected") {
    Tensor a({1, 3, 1, 2});
    a.data = {1, -1, 2, -1, 3, -1};  // channel-major: c0=(1,-1) c1=(2,-1) c2=(3,-1)
    Heat2D h = heat_from_attribution(a);
    CHECK(h.v == std::vector<float>{6, -3});
    CHECK(h.signed_values);
  }

  TEST_CASE("percentile clipping picks the right magnitude") {
    Heat2D h;
    h.height = 1;
    h.width = 101;
    for (int i = 0; i <= 100; ++i) h.v.push_back(float(i));
    HeatView v;
    v.clip_percentile = 90;
    CHECK(heat_scale(h, v).hi == doctest::Approx(90.0f));
    v.clip_percentile = 100;
    CHECK(heat_scale(h, v).hi == doctest::Approx(100.0f));
    CHECK_FALSE(heat_scale(h, v).symmetric);  // no negative values
  }

  TEST_CASE("sign modes") {
    CHECK(heat_select(HeatSign::POSITIVE, -2) == 0);
    CHECK(heat_select(HeatSign::NEGATIVE, -2) == 2);
    CHECK(heat_select(HeatSign::NEGATIVE, 3) == 0);
    CHECK(heat_select(HeatSign::ABSOLUTE, -2) == 2);
    CHECK(heat_select(HeatSign::ALL, -2) == -2);
  }

  TEST_CASE("diverging map is white at zero, red for positive, blue for negative") {
    uint8_t c[3];
    heat_colour(HeatColormap::DIVERGING, 0, c);
    CHECK(c[0] == 247);
    CHECK(c[1] == 247);
    heat_colour(HeatColormap::DIVERGING, 1, c);
    CHECK(c[0] > 100);
    CHECK(c[2] < 20);
    heat_colour(HeatColormap::DIVERGING, -1, c);
    CHECK(c[2] > c[0]);
  }

  TEST_CASE("overlay: full opacity shows the colours, zero opacity the image, the outline is green") {
    Tensor img({1, 1, 4, 4}, 0.5f);
    Heat2D h;
    h.height = h.width = 2;
    h.v = {1, 0, 0, -1};
    h.signed_values = true;
    Tensor mask({1, 1, 4, 4});
    mask.at4(0, 0, 1, 1) = mask.at4(0, 0, 1, 2) = mask.at4(0, 0, 2, 1) = mask.at4(0, 0, 2, 2) = 1;
    HeatView v;
    v.opacity = 1;
    v.outline = false;
    HeatScale s = heat_scale(h, v);
    CHECK(s.symmetric);
    Image8 o = heat_render(img, h, &mask, v, s);
    CHECK(o.width == 4);
    CHECK(o.pixels[0] > 90);        // top-left: strongly positive → dark red
    CHECK(o.pixels[2] < 30);
    const uint8_t* br = &o.pixels[(3 * 4 + 3) * 4];  // bottom-right: negative → blue
    CHECK(br[2] > br[0]);
    v.opacity = 0;
    Image8 plain = heat_render(img, h, &mask, v, s);
    CHECK(plain.pixels[0] == 128);
    v.outline = true;
    Image8 out = heat_render(img, h, &mask, v, s);
    const uint8_t* edge = &out.pixels[(1 * 4 + 1) * 4];
    CHECK(edge[1] == 255);
    CHECK(edge[0] == 40);
  }
}
