using System.Net;
using System.Net.Sockets;
using Mesh.Node.Hbone;
using Mesh.Node.Proxy;
using Microsoft.Extensions.Logging.Abstractions;

namespace Mesh.Bench.Modes;

// The HBONE row: two ztunnel hops of our own HBONE stack, each in its own `--serve` child.
// Left out of the build until HboneClientPool/HboneServer are merged (see Mesh.Bench.csproj).

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
        var pool = new HboneClientPool(
            new HboneOptions(),
            (id, _) => id == svid.Id ? ValueTask.FromResult(svid) : throw new InvalidOperationException($"no SVID for {id}"),
            async (request, token) =>
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    await socket.ConnectAsync(request.HboneEndpoint, token);
                    return socket;
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
            NullLogger.Instance);
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
                        await tunnel.RelayAsync(app, token); // closes app
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

    /// <summary>Admits CONNECTs from "a" for the sink (the only destination this bench serves) and connects to it.</summary>
    private sealed class SinkHandler(int sinkPort) : IHboneInboundHandler
    {
        public async ValueTask<HboneAdmission> AdmitAsync(HboneInboundRequest request, CancellationToken cancellationToken)
        {
            if (request.Peer != Pki.Id("a")) return HboneAdmission.Denied($"{request.Peer} is not the bench client");
            if (!IPAddress.IsLoopback(request.Target.Address) || request.Target.Port != sinkPort)
                return HboneAdmission.BadRequest($"{request.Target} is not the sink");
            var app = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await app.ConnectAsync(request.Target, cancellationToken);
                return HboneAdmission.Accept(app);
            }
            catch (SocketException e)
            {
                app.Dispose();
                return HboneAdmission.Unavailable(e.Message);
            }
        }

        public void Completed(HboneInboundRequest request, HboneAdmission admission, RelayResult? result)
        {
            if (admission.Status != 200) Console.Error.WriteLine($"hbone-in: {admission.Status} {admission.Reason}");
        }
    }
}
