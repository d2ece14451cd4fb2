#!/usr/bin/python3
"""HBONE server written with python-h2: mutual TLS 1.3 (client certificate required), ALPN h2, echoes CONNECT streams.

usage: h2_echo_server.py CERT KEY BUNDLE
Listens on 127.0.0.1 (ephemeral port), prints "ready <port>", serves connections until stdin closes. For every
CONNECT it answers 200 and echoes the stream's bytes; when the client ends its side it ends ours. It logs
"request <authority> forwarded=<value> peer=<client URI SAN>" lines on stdout.
"""
import socket
import ssl
import sys
import threading

import h2.config
import h2.connection
import h2.events


def serve(tls):
    peer = ",".join(v for (k, v) in tls.getpeercert().get("subjectAltName", ()) if k == "URI")
    conn = h2.connection.H2Connection(h2.config.H2Configuration(client_side=False, validate_inbound_headers=False))
    conn.initiate_connection()
    tls.sendall(conn.data_to_send())
    pending = {}  # stream id -> bytearray still to echo
    ending = set()  # streams whose client side ended: end ours once the echo is flushed

    def flush():
        for sid in list(pending):
            buf = pending[sid]
            while buf:
                window = min(conn.local_flow_control_window(sid), conn.max_outbound_frame_size)
                if window <= 0:
                    break
                conn.send_data(sid, bytes(buf[:window]))
                del buf[:window]
            if not buf and sid in ending:
                conn.end_stream(sid)
                ending.discard(sid)
                del pending[sid]

    try:
        while True:
            data = tls.recv(65536)
            if not data:
                return
            for event in conn.receive_data(data):
                if isinstance(event, h2.events.RequestReceived):
                    headers = {k.decode(): v.decode() for (k, v) in event.headers}
                    print(f"request {headers.get(':authority')} method={headers.get(':method')} "
                          f"path={headers.get(':path')} forwarded={headers.get('forwarded')} peer={peer}", flush=True)
                    if headers.get(":method") != "CONNECT" or ":path" in headers or ":scheme" in headers:
                        conn.send_headers(event.stream_id, [(":status", "400")], end_stream=True)
                    else:
                        conn.send_headers(event.stream_id, [(":status", "200")])
                        pending[event.stream_id] = bytearray()
                elif isinstance(event, h2.events.DataReceived):
                    pending.setdefault(event.stream_id, bytearray()).extend(event.data)
                    conn.acknowledge_received_data(event.flow_controlled_length, event.stream_id)
                elif isinstance(event, h2.events.StreamEnded):
                    ending.add(event.stream_id)
                    pending.setdefault(event.stream_id, bytearray())
                elif isinstance(event, h2.events.StreamReset):
                    pending.pop(event.stream_id, None)
                    ending.discard(event.stream_id)
                elif isinstance(event, h2.events.ConnectionTerminated):
                    return
            flush()
            tls.sendall(conn.data_to_send())
    except (OSError, ssl.SSLError):
        return
    finally:
        tls.close()


def main():
    cert, key, bundle = sys.argv[1:4]
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_3
    ctx.verify_mode = ssl.CERT_REQUIRED  # HBONE peers must present their SVID
    ctx.load_verify_locations(bundle)
    ctx.load_cert_chain(cert, key)
    ctx.set_alpn_protocols(["h2"])
    listener = socket.create_server(("127.0.0.1", 0))
    print(f"ready {listener.getsockname()[1]}", flush=True)

    def accept():
        while True:
            try:
                raw, _ = listener.accept()
                tls = ctx.wrap_socket(raw, server_side=True)
            except (OSError, ssl.SSLError) as e:
                print(f"handshake failed {e}", flush=True)
                continue
            threading.Thread(target=serve, args=(tls,), daemon=True).start()

    threading.Thread(target=accept, daemon=True).start()
    sys.stdin.read()  # the test closes stdin (or exits) to stop us


if __name__ == "__main__":
    main()
