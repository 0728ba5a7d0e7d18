#pragma once
// `tdmaker train entry|exit --recording DIR|FILE.jsonl --from T --to T --out model.json
//  [--test-from T] [--test-to T] [--config F] [--features a,b,...] [--l2 X]
//  [--threshold P] [--taker-threshold P] [--samples FILE] [--every-ms N]` (docs/training.md).
#include <string>
#include <vector>

namespace tdmaker {

/// `args` after "train"; the exit code (0 written, 1 the fit or the replay failed,
/// 2 bad arguments or input).
int run_train(const std::vector<std::string>& args);

} // namespace tdmaker
