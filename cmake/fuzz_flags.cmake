# TDMAKER_FUZZ: the flags of the libFuzzer build (fuzz/, docs/fuzzing.md). Every
# target is compiled with coverage instrumentation and ASan+UBSan, so libFuzzer
# sees the paths inside core/ and venue/, not only the fuzz targets' own code; the
# fuzzers themselves link -fsanitize=fuzzer (fuzz/CMakeLists.txt).
if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
  message(FATAL_ERROR "TDMAKER_FUZZ needs clang (libFuzzer): -DCMAKE_CXX_COMPILER=clang++-14")
endif()
# Every UB report is fatal (UBSAN_OPTIONS=halt_on_error=1 in fuzz/run.sh) except
# that pointer-overflow stays recoverable, so fuzz/ubsan.supp can silence RapidJSON's
# null-stack arithmetic (rapidjson/internal/stack.h: "applying non-zero offset to
# null pointer", clang only), which would otherwise end every run at its first parse.
add_compile_options(-fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer
                    -fno-sanitize-recover=undefined -fsanitize-recover=pointer-overflow)
add_link_options(-fsanitize=address,undefined)
