using System.Net;
using System.Net.Sockets;
using Mesh.Hbone;
using Mesh.Hbone.Client;
using Mesh.Hbone.Relay;
using Mesh.Hbone.Server;
using Mesh.Hbone.Tls;
using Mesh.Protocol.Identity;
using Microsoft.Extensions.Logging.Abstractions;

namespace Mesh.Bench.Modes;

// The HBONE row: two ztunnel hops of our own HBONE stack, each in its own `--serve` child.

internal static partial class ModeCatalog
{
    static partial void AddOptionalModes(List<Mode> modes, Dictionary<string, ServeHop> hops)
    {
        // Right after the SslStream relay, its ceiling.
        var at = modes.FindIndex(m => m.Key == "tls") + 1;
        modes.Insert(at, OurPair("hbone", "mesh HBONE (2 ztunnels)", Measure.All, "hbone-out", "hbone-in"));
        hops["hbone-out"] = HboneMode.ClientAsync;
        hops["hbone-in"] = HboneMode.ServerAsync;
    }
}

/// <summary>
/// "hbone-out" is the client ztunnel: it accepts the app's plain connection and carries it as a CONNECT stream over
/// a pooled mTLS HTTP/2 connection (identity "a") to the server ztunnel, asking for the sink as <c>:authority</c>.
/// "hbone-in" is the server ztunnel: <see cref="HboneServer"/> (identity "b") whose handler connects to the sink.
/// </summary>
internal static class HboneMode
{
    public static Task<Task> ClientAsync(ServeArgs args, CancellationToken ct)
    {
        var svid = args.Pki.LoadSvid("a");
        var pool = new HboneClientPool(new HboneOptions(), new OneSvid(svid), DirectHboneDialer.Instance, NullLogger.Instance);
        var peer = new IPEndPoint(IPAddress.Loopback, args.Next);
        var target = new IPEndPoint(IPAddress.Loopback, args.Final);
        var listener = ServeMode.Listen(args.Listen);
        return Task.FromResult(RunAsync());

        async Task RunAsync()
        {
            await using (pool)
            {
                await ServeMode.AcceptLoopAsync(listener, async (app, token) =>
                {
                    var request = new HboneRequest(svid.Id, IPAddress.Loopback, Pki.Id("b"), peer, target, (IPEndPoint)app.RemoteEndPoint!);
                    IHboneTunnel tunnel;
                    try { tunnel = await pool.OpenAsync(request, token); }
                    catch (Exception e) when (e is HboneException or SocketException or IOException or OperationCanceledException)
                    {
                        Console.Error.WriteLine($"hbone-out: {e.Message}");
                        app.Dispose();
                        return;
                    }
                    await using (tunnel)
                        await RelayPump.RunAsync(RelayEnd.Of(app), tunnel.End, cancellationToken: token); // closes app
                }, ct);
            }
        }
    }

    public static Task<Task> ServerAsync(ServeArgs args, CancellationToken ct)
    {
        var svid = args.Pki.LoadSvid("b");
        var server = new HboneServer(new HboneOptions(), _ => ValueTask.FromResult(svid), new SinkHandler(args.Final), NullLogger.Instance);
        var listener = ServeMode.Listen(args.Listen);
        return Task.FromResult(RunAsync());

        async Task RunAsync()
        {
            await using (server)
            using (listener)
            {
                try { await server.RunAsync(listener, ct); }
                catch (OperationCanceledException) { }
            }
        }
    }

    /// <summary>The client hop's one identity.</summary>
    private sealed class OneSvid(WorkloadCertificate svid) : IWorkloadCertificates
    {
        public ValueTask<WorkloadCertificate> GetAsync(SpiffeId id, CancellationToken cancellationToken) =>
            id == svid.Id ? ValueTask.FromResult(svid) : throw new InvalidOperationException($"no SVID for {id}");
    }

    /// <summary>Admits CONNECTs from "a" for the sink (the only destination this bench serves), connects and relays.</summary>
    private sealed class SinkHandler(int sinkPort) : IHboneStreamHandler
    {
        public async Task ServeAsync(HboneInboundStream stream)
        {
            if (stream.Peer != Pki.Id("a") || !IPAddress.IsLoopback(stream.Target.Address) || stream.Target.Port != sinkPort)
            {
                Console.Error.WriteLine($"hbone-in: refusing {stream.Peer} → {stream.Target}");
                await stream.RejectAsync(stream.Peer != Pki.Id("a") ? 401 : 400);
                return;
            }
            var app = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await app.ConnectAsync(stream.Target, stream.Aborted);
            }
            catch (Exception e) when (e is SocketException or OperationCanceledException)
            {
                app.Dispose();
                Console.Error.WriteLine($"hbone-in: 503 {e.Message}");
                await stream.RejectAsync(503);
                return;
            }
            var tunnel = await stream.AcceptAsync();
            await RelayPump.RunAsync(tunnel, RelayEnd.Of(app));
        }
    }
}
