#!/usr/bin/python3
"""An HBONE client that is not ours: python's ssl (OpenSSL) for mutual TLS 1.3 + ALPN h2, python-h2 for HTTP/2.

usage: hbone_probe.py HOST PORT ROOT_PEM CERT_PEM|- KEY_PEM|- AUTHORITY HTTP_PATH

Connects to HOST:PORT, verifies the server against ROOT_PEM only (no host name: HBONE identities are SPIFFE URI SANs),
presents CERT/KEY unless "-", sends a classic CONNECT to AUTHORITY, and on 200 speaks HTTP/1.1 through the tunnel:
"GET HTTP_PATH" with Connection: close, read until the app closes. Prints one JSON object:
  outcome   "tunnel" (a CONNECT response came), "handshake_failed", or "refused" (the TLS session ended before any
            HTTP/2 response, e.g. the server rejected our (missing) certificate after the TLS 1.3 handshake)
  tls_version, alpn, peer_uris (the server's URI SANs, as OpenSSL parsed them), peer_der (base64 DER of its leaf)
  status    the CONNECT's :status; http the tunnelled HTTP/1.1 answer (latin-1); error the failure, if any
Exit code 0 whenever it could report.
"""
import base64
import json
import socket
import ssl
import sys

import h2.config
import h2.connection
import h2.events
import h2.exceptions


def main():
    host, port, root, cert, key, authority, path = sys.argv[1:8]
    report = {"outcome": None, "tls_version": None, "alpn": None, "peer_uris": [], "peer_der": None,
              "status": None, "http": None, "error": None}

    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_3
    ctx.maximum_version = ssl.TLSVersion.TLSv1_3
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_REQUIRED
    ctx.load_verify_locations(cafile=root)
    if cert != "-":
        ctx.load_cert_chain(cert, key)
    ctx.set_alpn_protocols(["h2"])

    raw = socket.create_connection((host, int(port)), timeout=20)
    try:
        tls = ctx.wrap_socket(raw, server_hostname=None)
    except (ssl.SSLError, OSError) as e:
        report["outcome"] = "handshake_failed"
        report["error"] = f"{type(e).__name__}: {e}"
        print(json.dumps(report))
        return 0

    report["tls_version"] = tls.version()
    report["alpn"] = tls.selected_alpn_protocol()
    report["peer_uris"] = [v for (k, v) in tls.getpeercert().get("subjectAltName", ()) if k == "URI"]
    report["peer_der"] = base64.b64encode(tls.getpeercert(binary_form=True)).decode()

    # Classic CONNECT has no :scheme/:path, which python-h2 would otherwise insist on.
    conn = h2.connection.H2Connection(h2.config.H2Configuration(client_side=True, validate_outbound_headers=False))
    conn.initiate_connection()
    sid = conn.get_next_available_stream_id()
    conn.send_headers(sid, [(":method", "CONNECT"), (":authority", authority)])
    http = bytearray()
    ended = False
    try:
        tls.sendall(conn.data_to_send())
        while not ended:
            data = tls.recv(65536)
            if not data:
                break
            for event in conn.receive_data(data):
                if isinstance(event, h2.events.ResponseReceived):
                    report["status"] = int(dict(event.headers)[b":status"])
                    if report["status"] == 200:
                        request = f"GET {path} HTTP/1.1\r\nHost: {authority}\r\nUser-Agent: python-h2-probe\r\nConnection: close\r\n\r\n"
                        conn.send_data(sid, request.encode())
                elif isinstance(event, h2.events.DataReceived):
                    http.extend(event.data)
                    conn.acknowledge_received_data(event.flow_controlled_length, event.stream_id)
                elif isinstance(event, (h2.events.StreamEnded, h2.events.StreamReset)):
                    ended = True
                    if isinstance(event, h2.events.StreamReset):
                        report["error"] = f"stream reset, error code {event.error_code}"
                elif isinstance(event, h2.events.ConnectionTerminated):
                    ended = True
                    report["error"] = f"GOAWAY error code {event.error_code}"
            tls.sendall(conn.data_to_send())
    except (ssl.SSLError, OSError, h2.exceptions.ProtocolError) as e:
        report["error"] = f"{type(e).__name__}: {e}"
    report["outcome"] = "tunnel" if report["status"] is not None else "refused"
    if report["error"] is None and report["status"] is None:
        report["error"] = "the server closed the TLS session before any HTTP/2 response"
    report["http"] = http.decode("latin-1") if http else None
    try:
        conn.close_connection()
        tls.sendall(conn.data_to_send())
        tls.close()
    except (ssl.SSLError, OSError):
        pass
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
