using System.Net;
using System.Net.Sockets;
using Mesh.Node.Dns;

namespace Mesh.Node.Tests.Dns;

/// <summary>
/// A loopback "host resolver" answering every query (UDP and TCP) with one fixed A record, so forwarding is tested
/// without any real network. Counts what it received.
/// </summary>
internal sealed class FakeUpstream : IAsyncDisposable
{
    public static readonly IPAddress Answer = IPAddress.Parse("203.0.113.7");

    private readonly Socket _udp;
    private readonly Socket _tcp;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _loops = [];
    private int _udpQueries;
    private int _tcpQueries;

    public FakeUpstream()
    {
        // The proxy uses one endpoint per upstream for both transports, like a nameserver line: same port for both.
        while (true)
        {
            _udp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            _udp.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            _tcp = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                _tcp.Bind(_udp.LocalEndPoint!);
                break;
            }
            catch (SocketException)
            {
                _udp.Dispose();
                _tcp.Dispose();
            }
        }
        _tcp.Listen(16);
        _loops.Add(UdpAsync());
        _loops.Add(TcpAsync());
    }

    public IPEndPoint EndPoint => (IPEndPoint)_udp.LocalEndPoint!;
    public int UdpQueries => Volatile.Read(ref _udpQueries);
    public int TcpQueries => Volatile.Read(ref _tcpQueries);

    private static byte[] Respond(byte[] message)
    {
        DnsQuery.TryParse(message, out var query, out _);
        return DnsResponseBuilder.Build(query!, DnsRcode.NoError, false, [DnsRecord.ForAddress(query!.Question!.Name, Answer, 60)], 65535);
    }

    private async Task UdpAsync()
    {
        var buffer = new byte[65535];
        try
        {
            while (true)
            {
                var got = await _udp.ReceiveFromAsync(buffer, new IPEndPoint(IPAddress.Any, 0), _stop.Token);
                Interlocked.Increment(ref _udpQueries);
                await _udp.SendToAsync(Respond(buffer[..got.ReceivedBytes]), got.RemoteEndPoint, _stop.Token);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException) { }
    }

    private async Task TcpAsync()
    {
        try
        {
            while (true)
            {
                using var client = await _tcp.AcceptAsync(_stop.Token);
                while (await DnsTcpFraming.ReadAsync(client, _stop.Token) is { } message)
                {
                    Interlocked.Increment(ref _tcpQueries);
                    await DnsTcpFraming.WriteAsync(client, Respond(message), _stop.Token);
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException or InvalidDataException) { }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _udp.Dispose();
        _tcp.Dispose();
        await Task.WhenAll(_loops);
        _stop.Dispose();
    }
}
