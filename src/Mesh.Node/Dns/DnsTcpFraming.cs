using System.Buffers.Binary;
using System.Net.Sockets;

namespace Mesh.Node.Dns;

/// <summary>RFC 1035 §4.2.2 / RFC 7766 §8: each message preceded by its length as two big-endian bytes.</summary>
public static class DnsTcpFraming
{
    /// <summary>The next message, or <c>null</c> on a clean EOF before its length.</summary>
    /// <exception cref="InvalidDataException">EOF inside a message, or a zero length.</exception>
    public static async Task<byte[]?> ReadAsync(Socket socket, CancellationToken ct)
    {
        var prefix = new byte[2];
        var got = await ReadExactlyAsync(socket, prefix, ct);
        if (got == 0) return null;
        if (got < 2) throw new InvalidDataException("connection closed inside a length prefix");
        var length = BinaryPrimitives.ReadUInt16BigEndian(prefix);
        if (length == 0) throw new InvalidDataException("zero-length DNS message");
        var message = new byte[length];
        if (await ReadExactlyAsync(socket, message, ct) < length) throw new InvalidDataException("connection closed inside a message");
        return message;
    }

    public static async Task WriteAsync(Socket socket, byte[] message, CancellationToken ct)
    {
        var framed = new byte[message.Length + 2];
        BinaryPrimitives.WriteUInt16BigEndian(framed, (ushort)message.Length);
        message.CopyTo(framed, 2);
        var sent = 0;
        while (sent < framed.Length) sent += await socket.SendAsync(framed.AsMemory(sent), ct);
    }

    private static async Task<int> ReadExactlyAsync(Socket socket, byte[] buffer, CancellationToken ct)
    {
        var read = 0;
        while (read < buffer.Length)
        {
            var got = await socket.ReceiveAsync(buffer.AsMemory(read), ct);
            if (got == 0) break;
            read += got;
        }
        return read;
    }
}
