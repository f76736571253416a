public import ArgumentParser
import Exporter

/// Settings taken from the command line by their raw values (`--chain-naming node`).
extension ChainNameSource: ExpressibleByArgument {}
