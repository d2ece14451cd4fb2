using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Mesh.Integration.Tests.Proofs;

/// <summary>
/// How a held connection ended, seen by its reader: <c>EOF</c> (FIN) or the socket error (e.g. <c>ConnectionReset</c>), at
/// a <see cref="Stopwatch"/> timestamp, with the bytes that arrived before the end.
/// </summary>
internal sealed record ConnectionEnd(string How, long Timestamp, long BytesRead);

/// <summary>
/// A long-lived connection from a pod (a <see cref="PodSocket"/>) that the test drives itself: a line through a TCP echo,
/// HTTP/1.1 keep-alive requests, and a reader that timestamps the moment the peer ends it.
/// </summary>
internal sealed class HeldPodConnection : IDisposable
{
    private readonly Socket _socket;
    private readonly byte[] _buffer = new byte[64 * 1024];
    private int _buffered;

    private HeldPodConnection(Socket socket) => _socket = socket;

    public static Task<HeldPodConnection> OpenAsync(string ns, string pod, IPEndPoint target) =>
        OpenAsync(ns, pod, target, TimeSpan.FromSeconds(20));

    public static async Task<HeldPodConnection> OpenAsync(string ns, string pod, IPEndPoint target, TimeSpan connectTimeout) =>
        new(await PodSocket.ConnectAsync(ns, pod, target, connectTimeout));

    /// <summary>Sends a line through a TCP echo and returns what came back.</summary>
    public async Task<string> EchoLineAsync(string line, TimeSpan timeout)
    {
        using var deadline = new CancellationTokenSource(timeout);
        await _socket.SendAsync(Encoding.ASCII.GetBytes(line + "\n"), deadline.Token);
        int end;
        while ((end = Array.IndexOf(_buffer, (byte)'\n', 0, _buffered)) < 0)
            await FillAsync(deadline.Token);
        var echoed = Encoding.ASCII.GetString(_buffer, 0, end);
        Consume(end + 1);
        return echoed;
    }

    /// <summary>One HTTP/1.1 keep-alive GET on this connection; returns the status code and body.</summary>
    public async Task<(int Status, string Body)> GetAsync(string path, TimeSpan timeout)
    {
        using var deadline = new CancellationTokenSource(timeout);
        await _socket.SendAsync(Encoding.ASCII.GetBytes($"GET {path} HTTP/1.1\r\nHost: echo\r\nUser-Agent: held-proof\r\n\r\n"), deadline.Token);
        int headerEnd;
        while ((headerEnd = IndexOf(_buffer.AsSpan(0, _buffered), "\r\n\r\n"u8)) < 0)
            await FillAsync(deadline.Token);
        var head = Encoding.ASCII.GetString(_buffer, 0, headerEnd).Split("\r\n");
        var status = int.Parse(head[0].Split(' ')[1], CultureInfo.InvariantCulture);
        var lengthHeader = head.Skip(1).FirstOrDefault(h => h.StartsWith("content-length:", StringComparison.OrdinalIgnoreCase))
            ?? throw new InvalidOperationException($"no Content-Length in the answer: {string.Join(" | ", head)}");
        var length = int.Parse(lengthHeader["content-length:".Length..].Trim(), CultureInfo.InvariantCulture);
        var total = headerEnd + 4 + length;
        while (_buffered < total) await FillAsync(deadline.Token);
        var body = Encoding.UTF8.GetString(_buffer, headerEnd + 4, length);
        Consume(total);
        return (status, body);
    }

    /// <summary>Sends raw bytes (e.g. a request the peer should never answer).</summary>
    public async Task SendAsync(string text, TimeSpan timeout)
    {
        using var deadline = new CancellationTokenSource(timeout);
        await _socket.SendAsync(Encoding.ASCII.GetBytes(text), deadline.Token);
    }

    /// <summary>Reads until the peer ends the connection; completes at that moment with how (EOF or reset).</summary>
    public async Task<ConnectionEnd> ReadUntilEndAsync(CancellationToken cancellationToken)
    {
        var sink = new byte[4096];
        long read = _buffered;
        try
        {
            int n;
            while ((n = await _socket.ReceiveAsync(sink, SocketFlags.None, cancellationToken)) > 0) read += n;
            return new ConnectionEnd("EOF", Stopwatch.GetTimestamp(), read);
        }
        catch (SocketException e)
        {
            return new ConnectionEnd($"{e.SocketErrorCode}", Stopwatch.GetTimestamp(), read);
        }
    }

    /// <summary>
    /// True while the peer has not ended the connection: nothing readable means open; readable with nothing to read
    /// is an EOF, and a pending error is a reset (checked without consuming anything).
    /// </summary>
    public bool IsOpen => !(_socket.Poll(0, SelectMode.SelectRead) && _socket.Available == 0) && !_socket.Poll(0, SelectMode.SelectError);

    private async Task FillAsync(CancellationToken cancellationToken)
    {
        var read = await _socket.ReceiveAsync(_buffer.AsMemory(_buffered), SocketFlags.None, cancellationToken);
        if (read == 0) throw new IOException($"the peer closed the connection after {_buffered} buffered bytes");
        _buffered += read;
    }

    private void Consume(int count)
    {
        Buffer.BlockCopy(_buffer, count, _buffer, 0, _buffered - count);
        _buffered -= count;
    }

    private static int IndexOf(ReadOnlySpan<byte> haystack, ReadOnlySpan<byte> needle) => haystack.IndexOf(needle);

    public void Dispose() => _socket.Dispose();
}
