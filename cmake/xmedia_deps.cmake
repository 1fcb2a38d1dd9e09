# Header-only third-party packages from Debian (libstb-dev, libprotozero-dev,
# doctest-dev, libhwy-dev). Emscripten's sysroot must not see /usr/include
# (glibc's headers would shadow its libc), so the wasm build gets an include
# folder of its own holding links to just these packages.
set(XMEDIA_THIRD_PARTY_HEADERS stb protozero doctest hwy)
foreach(h IN LISTS XMEDIA_THIRD_PARTY_HEADERS)
  if(NOT EXISTS "/usr/include/${h}")
    message(FATAL_ERROR "/usr/include/${h} is missing: run tools/setup (it installs Debian's header packages)")
  endif()
endforeach()

add_library(xmedia_third_party INTERFACE)
if(EMSCRIPTEN)
  set(_inc "${CMAKE_BINARY_DIR}/third_party_include")
  file(MAKE_DIRECTORY "${_inc}")
  foreach(h IN LISTS XMEDIA_THIRD_PARTY_HEADERS)
    if(NOT EXISTS "${_inc}/${h}")
      file(CREATE_LINK "/usr/include/${h}" "${_inc}/${h}" SYMBOLIC)
    endif()
  endforeach()
  target_include_directories(xmedia_third_party SYSTEM INTERFACE "${_inc}")
  # WebAssembly SIMD128 everywhere; Highway compiles to it with static dispatch.
  add_compile_options(-msimd128)
else()
  # x86-64-v3 (AVX2 + FMA): what every development and CI machine here has.
  include(CheckCXXCompilerFlag)
  check_cxx_compiler_flag("-mavx2 -mfma" XMEDIA_HAS_AVX2)
  if(XMEDIA_HAS_AVX2 AND CMAKE_SYSTEM_PROCESSOR MATCHES "x86_64|AMD64")
    add_compile_options(-mavx2 -mfma -mf16c -mbmi -mbmi2)
  endif()
endif()
add_compile_options(-Wall -Wextra -Wno-unused-parameter)
