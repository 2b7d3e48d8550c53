/// The nginx engine: lexer, parser, model, server selection, editor (DESIGN §4).
///
/// Entry points:
/// - ``NginxConfigFile/parse(_:path:)``: one file, lossless (``NginxConfigFile/render()``).
/// - ``NginxConfigTree/load(mainConfig:reader:)``: a main config and its includes through an
///   ``NginxFileReader`` (``DiskNginxFileReader``, ``InMemoryNginxFileReader``), with the
///   `http` ``NginxServerBlock``s, their ``NginxListen``s and ``NginxServerName``s.
/// - ``NginxServerSelector``: which block answers (family, address, port, Host).
/// - ``NginxConfigTree/listenConflicts()``: listens nginx refuses or cannot bind.
/// - ``NginxConfigTree/addListen(toBlock:family:port:hostAddresses:)``,
///   ``NginxConfigTree/addListens(_:hostAddresses:)`` and
///   ``NginxConfigTree/removeListen(_:fromBlock:)``: minimal edits as ``FileEdit`` values;
///   ``NginxConfigTree/applying(_:)`` re-reads the tree with edits applied, in memory.
/// - ``NginxError``: every failure, printed as `file:line:column: message`.
public enum NginxEngine {}
