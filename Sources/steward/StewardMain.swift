import NIOCore
import NIOPosix

/// The program's entry: NIO's event loops become Swift Concurrency's executor before anything else runs, so a
/// request's handler, its database awaits and its calls to model servers resume on the event loops instead of
/// hopping between them and a separate thread pool (the deployment router spent a third of its time in the
/// kernel switching threads, `bench/router.py`). Then the command line as usual.
@main
enum StewardMain {
    static func main() async {
        NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
        await Steward.main()
    }
}
