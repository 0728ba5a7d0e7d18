# TDMAKER_FUZZ: the flags of the libFuzzer build (fuzz/, docs/fuzzing.md). Every
# target is compiled with coverage instrumentation and ASan+UBSan, so libFuzzer
# sees the paths inside core/ and venue/, not only the fuzz targets' own code; the
# fuzzers themselves link -fsanitize=fuzzer (fuzz/CMakeLists.txt).
if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
  message(FATAL_ERROR "TDMAKER_FUZZ needs clang (libFuzzer): -DCMAKE_CXX_COMPILER=clang++-14")
endif()
add_compile_options(-fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer
                    -fno-sanitize-recover=undefined)
add_link_options(-fsanitize=address,undefined)
