import CLibFuzzer
import Foundation

// libFuzzer reads its options (-max_total_time, corpus folders…) from the command line.
var arguments: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
var argumentCount = CommandLine.argc
exit(LLVMFuzzerRunDriver(&argumentCount, &arguments) { data, count in testOneInput(data, count) })
