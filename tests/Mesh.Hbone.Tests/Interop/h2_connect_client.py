#!/usr/bin/python3
"""HBONE client written with python-h2: mutual TLS 1.3 + ALPN h2, a classic CONNECT, echo check.

usage: h2_connect_client.py HOST PORT CERT KEY BUNDLE AUTHORITY PAYLOAD_BYTES
Sends PAYLOAD_BYTES of pseudo-random data, ends the stream, reads the reply until END_STREAM and prints
"status=<code> sent=<sha256> received=<sha256> peer=<server URI SAN>". Exit code 0 when the status is 200 and
the echo matches, 2 for another status, 1 for errors.
"""
import hashlib
import os
import socket
import ssl
import sys

import h2.config
import h2.connection
import h2.events


def main():
    host, port, cert, key, bundle, authority, size = sys.argv[1:8]
    size = int(size)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_3
    ctx.check_hostname = False  # HBONE has no names: identity is the SPIFFE id in the URI SAN
    ctx.verify_mode = ssl.CERT_REQUIRED
    ctx.load_verify_locations(bundle)
    ctx.load_cert_chain(cert, key)
    ctx.set_alpn_protocols(["h2"])
    raw = socket.create_connection((host, int(port)), timeout=30)
    tls = ctx.wrap_socket(raw, server_hostname=None)  # no SNI
    if tls.selected_alpn_protocol() != "h2":
        print("no h2 negotiated", file=sys.stderr)
        return 1
    peer_uris = [v for (k, v) in tls.getpeercert().get("subjectAltName", ()) if k == "URI"]

    # validate_outbound_headers=False: h2 otherwise insists on :path for every request, CONNECT included.
    conn = h2.connection.H2Connection(h2.config.H2Configuration(client_side=True, validate_outbound_headers=False))
    conn.initiate_connection()
    sid = conn.get_next_available_stream_id()
    conn.send_headers(sid, [(":method", "CONNECT"), (":authority", authority), ("forwarded", 'for="10.1.2.3:4567"')])
    tls.sendall(conn.data_to_send())

    payload = os.urandom(size)
    sent_hash = hashlib.sha256(payload).hexdigest()
    received = hashlib.sha256()
    status = None
    offset = 0
    ended_ours = False
    done = False
    while not done:
        if status == 200 and not ended_ours:
            # Send as much as the flow-control windows allow, then END_STREAM.
            while offset < size:
                window = min(conn.local_flow_control_window(sid), conn.max_outbound_frame_size)
                if window <= 0:
                    break
                chunk = payload[offset:offset + window]
                conn.send_data(sid, chunk)
                offset += len(chunk)
            if offset >= size:
                conn.end_stream(sid)
                ended_ours = True
            tls.sendall(conn.data_to_send())
        data = tls.recv(65536)
        if not data:
            break
        for event in conn.receive_data(data):
            if isinstance(event, h2.events.ResponseReceived):
                status = int(dict(event.headers)[b":status"])
                if status != 200:
                    done = True
            elif isinstance(event, h2.events.DataReceived):
                received.update(event.data)
                conn.acknowledge_received_data(event.flow_controlled_length, event.stream_id)
            elif isinstance(event, h2.events.StreamEnded):
                done = status == 200 and ended_ours or status != 200
            elif isinstance(event, h2.events.StreamReset):
                print(f"stream reset {event.error_code}", file=sys.stderr)
                return 1
        tls.sendall(conn.data_to_send())
    if status != 200 and not ended_ours:
        conn.end_stream(sid)
    conn.close_connection()
    tls.sendall(conn.data_to_send())
    tls.close()
    print(f"status={status} sent={sent_hash} received={received.hexdigest()} peer={','.join(peer_uris)}")
    if status != 200:
        return 2
    return 0 if sent_hash == received.hexdigest() else 1


if __name__ == "__main__":
    sys.exit(main())
