import ArgumentParser
import Foundation
import Nginx
import TestSupport

/// DESIGN §12: an nginx tree of N server blocks in files of 100, loaded (read, parsed,
/// server blocks modelled) the way `reconcile plan` loads it.
struct NginxBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "nginx", abstract: "Parse and model a generated nginx tree of N server blocks.")

    @Option(help: "Number of server blocks to generate.") var vhosts = 20000
    @Option(help: "Measured runs (after one warm-up run).") var iterations = 10

    func run() throws {
        let directory = try TemporaryDirectory(prefix: "reconcile-bench-nginx")
        let main = try Self.generateTree(vhosts: vhosts, in: directory)
        let reader = DiskNginxFileReader()

        let tree = try NginxConfigTree.load(mainConfig: main, reader: reader)
        // Each run's tree is kept until the next run starts, so freeing it is not measured.
        var kept: [NginxConfigTree] = []
        var loadSamples: [Double] = []
        for _ in 0..<iterations {
            kept.removeAll()
            let start = DispatchTime.now().uptimeNanoseconds
            kept.append(try NginxConfigTree.load(mainConfig: main, reader: reader))
            loadSamples.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1_000_000)
        }
        kept.removeAll()
        let contents = tree.files.map { ($0.bytes, $0.path) }
        let parseSamples = try Measurement.time(iterations: iterations) {
            for (bytes, path) in contents { _ = try NginxConfigFile.parse(bytes, path: path) }
        }
        var selector = NginxServerSelector(tree: tree)
        let selectorSamples = Measurement.time(iterations: iterations) { selector = NginxServerSelector(tree: tree) }
        guard tree.serverBlocks.count == vhosts,
            selector.select(family: .ipv4, address: "203.0.113.10", port: 443, host: "vhost1.example.social").block == 1
        else {
            throw ValidationError("the generated tree did not load as generated")
        }
        // Every other generated block lacks its IPv6 listen: close all those gaps in one batch.
        let requests = tree.serverBlocks.filter { !$0.listens.contains { $0.family == .ipv6 } }.map {
            NginxListenRequest(block: $0.index, family: .ipv6, port: 443)
        }
        var edits: [FileEdit] = []
        let editSamples = try Measurement.time(iterations: max(1, iterations / 2)) {
            edits = try tree.addListens(requests)
        }
        let bytes = contents.reduce(0) { $0 + $1.0.count }
        let tokens = tree.files.reduce(0) { $0 + $1.tokens.count }
        let load = Measurement.median(loadSamples)
        let parse = Measurement.median(parseSamples)
        let index = Measurement.median(selectorSamples)
        let rss = Measurement.peakRSSMiB()
        Measurement.report(
            rows: [
                ("server blocks", "\(vhosts) in \((vhosts + 99) / 100) files of 100"),
                ("tree size", "\(Measurement.fmt(Double(bytes) / 1_048_576)) MiB, \(tokens) tokens"),
                ("read + parse + model (median)", "\(Measurement.fmt(load)) ms"),
                ("parse only, in memory (median)", "\(Measurement.fmt(parse)) ms"),
                ("selection index (median)", "\(Measurement.fmt(index)) ms"),
                (
                    "add \(requests.count) listens, one batch (median)",
                    "\(Measurement.fmt(Measurement.median(editSamples))) ms, \(edits.count) files"
                ),
                (
                    "runs",
                    "\(iterations), min \(Measurement.fmt(loadSamples.min() ?? 0)) ms, max \(Measurement.fmt(loadSamples.max() ?? 0)) ms"
                ),
                ("peak RSS", "\(Measurement.fmt(rss)) MiB"),
            ],
            json: [
                "bench": "nginx", "vhosts": vhosts, "median_ms": load, "parse_ms": parse, "selector_ms": index,
                "edit_ms": Measurement.median(editSamples), "edited_listens": requests.count,
                "bytes": bytes, "peak_rss_mb": rss,
            ])
    }

    /// Writes `nginx.conf` including `sites/*.conf`, 100 blocks per file, about 500 bytes
    /// per block of the directives real vhosts carry; every other block lacks its IPv6 listen.
    static func generateTree(vhosts: Int, in directory: TemporaryDirectory) throws -> String {
        let main = try directory.write(
            "nginx.conf",
            """
            user www-data;
            worker_processes auto;
            events { worker_connections 1024; }
            http {
                include mime.types;
                default_type application/octet-stream;
                log_format main '$remote_addr - $remote_user [$time_local] "$request" $status';
                include sites/*.conf;
            }

            """)
        try directory.write("mime.types", "types {\n    text/html html htm;\n    text/css css;\n}\n")
        var file = 0
        var start = 0
        while start < vhosts {
            var text = ""
            for index in start..<min(start + 100, vhosts) {
                let ipv6 = index % 2 == 0 ? "    listen [::]:443 ssl http2;\n" : ""
                text += """
                    # vhost \(index)
                    server {
                        listen 443 ssl http2;
                    \(ipv6)    server_name vhost\(index).example.social www.vhost\(index).example.social;
                        root /var/www/vhost\(index)/public;
                        ssl_certificate /etc/ssl/vhost\(index).pem;
                        ssl_certificate_key /etc/ssl/vhost\(index).key;
                        access_log /var/log/nginx/vhost\(index).access.log main;
                        location / {
                            try_files $uri $uri/ /index.php?$args;
                        }
                        location ~ \\.php$ {
                            fastcgi_pass unix:/run/php/php-fpm.sock;
                            fastcgi_param SCRIPT_FILENAME $document_root$fastcgi_script_name;
                        }
                    }

                    """
            }
            try directory.write(String(format: "sites/site-%04d.conf", file), text)
            file += 1
            start += 100
        }
        return main.path
    }
}
