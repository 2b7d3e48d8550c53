/// An nginx tree whose blocks share sockets with blocks that set `reuseport`, `deferred`,
/// `backlog=`, `ipv6only=on` and `default_server`, for the editor test. Kept as text here
/// (written to a temporary directory by the test) because the package does not declare
/// fixture files as resources.
enum EditorSocketsFixture {
    static let files: [String: String] = [
        "nginx.conf": """
        # Blocks whose sockets other blocks already opened with socket-level options, for the
        # editor test: every added listen must pass `nginx -t`.
        events {}
        http {
            ssl_certificate cert.pem;
            ssl_certificate_key cert.key;
            include sites/*.conf;
        }
        """,
        "sites/a-owner.conf": """
        server {
            listen 8443 ssl default_server reuseport deferred backlog=1024;
            listen [::]:8443 ssl default_server reuseport ipv6only=on;
            server_name owner.test;
        }
        """,
        "sites/b-target.conf": """
        server {
            server_name target.test;
            listen 8443 ssl http2;

            location / {
                return 200 "target";
            }
        }
        """,
        "sites/c-fresh.conf": """
        server {
            listen 9443 ssl default_server reuseport deferred backlog=1024;
            server_name fresh.test;
        }
        """,
        "sites/d-specific.conf": """
        server {
        	listen 127.0.0.2:8080 default_server;
        	listen 127.0.0.1:8081; # loopback only
        	server_name specific.test;
        }
        """,
        "sites/e-ipv6only.conf": """
        server {
            listen [::]:8088 ipv6only=on default_server;
            server_name v6owner.test;
        }

        server {
                listen 8088 so_keepalive=on;
                server_name v4.test;
        }
        """,
        "sites/f-nolisten.conf": """
        server {
            server_name nolisten.test;
        }
        """,
    ]
}
