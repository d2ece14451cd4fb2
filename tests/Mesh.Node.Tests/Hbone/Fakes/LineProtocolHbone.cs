using System.Net;
using System.Net.Sockets;
using System.Text;
using Mesh.Node.Hbone;
using Mesh.Node.Hbone.Http2;
using Mesh.Node.Identity;
using Mesh.Node.Proxy;
using Mesh.Node.Workloads;
using Mesh.Protocol.Identity;

namespace Mesh.Node.Tests.Hbone.Fakes;

/// <summary>
/// A stand-in for HBONE that keeps only its shape, for wiring tests before the real client pool and server are merged:
/// the client dials the peer's 15008 through the real <see cref="PodSocketRegistry"/> (so from the source pod's netns)
/// and sends <c>CONNECT ip:port\n</c>; the server answers <c>&lt;status&gt;\n</c> and relays. No TLS, no HTTP/2; the
/// peer identity is whatever the test says. NOT a protocol anyone else speaks.
/// </summary>
internal static class LineProtocolHbone
{
    public sealed class Connector(PodSocketRegistry sockets) : IHboneConnector
    {
        public List<HboneRequest> Requests { get; } = [];

        public async ValueTask<IHboneTunnel> OpenAsync(HboneRequest request, CancellationToken cancellationToken)
        {
            lock (Requests) Requests.Add(request);
            var socket = await sockets.ConnectHboneAsync(request, cancellationToken);
            try
            {
                await socket.SendAsync(Encoding.ASCII.GetBytes($"CONNECT {request.Target}\n"), cancellationToken);
                var status = int.Parse(await ReadLineAsync(socket, cancellationToken));
                if (status != 200) throw new HboneException($"peer answered {status}", status);
                return new Tunnel(socket, request.Destination);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }

        private sealed class Tunnel(Socket socket, SpiffeId peer) : IHboneTunnel
        {
            public SpiffeId PeerIdentity => peer;
            public Task<RelayResult> RelayAsync(Socket app, CancellationToken cancellationToken) => TcpRelay.RunAsync(app, socket, cancellationToken);
            public ValueTask DisposeAsync() => ValueTask.CompletedTask;
        }
    }

    public sealed class Server(SpiffeId peer) : IHboneListenerFactory
    {
        public async Task RunAsync(Socket listener, Func<CancellationToken, ValueTask<WorkloadCertificate>> serverCertificate,
            IHboneInboundHandler handler, CancellationToken cancellationToken)
        {
            var connections = new List<Task>();
            try
            {
                while (true)
                {
                    var accepted = await listener.AcceptAsync(cancellationToken);
                    connections.Add(Task.Run(() => ServeAsync(accepted, handler, cancellationToken), CancellationToken.None));
                }
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
            }
            await Task.WhenAll(connections);
        }

        private async Task ServeAsync(Socket connection, IHboneInboundHandler handler, CancellationToken ct)
        {
            HboneInboundRequest request;
            try
            {
                var line = await ReadLineAsync(connection, ct);
                var authority = line["CONNECT ".Length..];
                request = new HboneInboundRequest(peer, IPEndPoint.Parse(authority), (IPEndPoint)connection.RemoteEndPoint!,
                    (IPEndPoint)connection.LocalEndPoint!, null, [new HeaderField(":method", "CONNECT"), new HeaderField(":authority", authority)]);
            }
            catch (Exception e) when (e is SocketException or OperationCanceledException or FormatException or IOException)
            {
                connection.Dispose();
                return;
            }
            var admission = await handler.AdmitAsync(request, ct);
            await connection.SendAsync(Encoding.ASCII.GetBytes($"{admission.Status}\n"), CancellationToken.None);
            if (admission.App is not { } app)
            {
                connection.Dispose();
                handler.Completed(request, admission, null);
                return;
            }
            // As the real server (HboneServer relays with tunnelIsDownstream: true): the tunnel, which opened the
            // connection, is downstream; the app socket is upstream.
            var result = await TcpRelay.RunAsync(connection, app, ct);
            handler.Completed(request, admission, result);
        }
    }

    private static async Task<string> ReadLineAsync(Socket socket, CancellationToken ct)
    {
        var line = new StringBuilder();
        var one = new byte[1];
        while (true)
        {
            if (await socket.ReceiveAsync(one, SocketFlags.None, ct) == 0) throw new IOException("EOF before the end of the line");
            if (one[0] == '\n') return line.ToString();
            line.Append((char)one[0]);
        }
    }
}
