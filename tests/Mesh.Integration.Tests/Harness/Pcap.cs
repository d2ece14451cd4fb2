using System.Buffers.Binary;
using System.Net;

namespace Mesh.Integration.Tests.Harness;

/// <summary>One IPv4 packet of a capture: addresses, protocol, TCP ports (0 for other protocols) and the L4 payload.</summary>
public sealed record CapturedPacket(IPAddress Source, IPAddress Destination, int Protocol, int SourcePort, int DestinationPort, byte[] Payload)
{
    public const int Tcp = 6;

    public bool Involves(IPAddress address) => Source.Equals(address) || Destination.Equals(address);

    public override string ToString() =>
        $"{(Protocol == Tcp ? "tcp" : $"proto {Protocol}")} {Source}:{SourcePort} > {Destination}:{DestinationPort} len {Payload.Length}";
}

/// <summary>
/// Reads a classic pcap file (what <c>tcpdump -w</c> writes): a 24-byte global header, then records of 16-byte header +
/// frame. Only Ethernet (link type 1) with IPv4 frames is decoded; other frames (ARP, IPv6) are counted and skipped.
/// A record cut short at the end (tcpdump stopped mid-write) ends the read.
/// </summary>
public static class Pcap
{
    public sealed record Capture(IReadOnlyList<CapturedPacket> Packets, int Records, int SkippedFrames);

    public static Capture Read(string path)
    {
        var data = File.ReadAllBytes(path);
        if (data.Length < 24) return new Capture([], 0, 0);
        var magic = BinaryPrimitives.ReadUInt32LittleEndian(data);
        var bigEndian = magic is 0xd4c3b2a1 or 0x4d3cb2a1;
        if (!bigEndian && magic is not (0xa1b2c3d4 or 0xa1b23c4d))
            throw new InvalidDataException($"{path}: not a pcap file (magic 0x{magic:x8})");
        uint U32(int offset) => bigEndian ? BinaryPrimitives.ReadUInt32BigEndian(data.AsSpan(offset)) : BinaryPrimitives.ReadUInt32LittleEndian(data.AsSpan(offset));
        var linkType = U32(20) & 0x0fffffff;
        if (linkType != 1) throw new InvalidDataException($"{path}: link type {linkType}, expected Ethernet (1)");

        var packets = new List<CapturedPacket>();
        int records = 0, skipped = 0, offset = 24;
        while (offset + 16 <= data.Length)
        {
            var captured = (int)U32(offset + 8);
            if (offset + 16 + captured > data.Length) break;
            records++;
            var frame = data.AsSpan(offset + 16, captured);
            offset += 16 + captured;
            if (Decode(frame) is { } packet) packets.Add(packet);
            else skipped++;
        }
        return new Capture(packets, records, skipped);
    }

    private static CapturedPacket? Decode(ReadOnlySpan<byte> frame)
    {
        if (frame.Length < 14) return null;
        var etherType = BinaryPrimitives.ReadUInt16BigEndian(frame[12..]);
        var ip = frame[14..];
        if (etherType == 0x8100 && frame.Length >= 18)
        {
            etherType = BinaryPrimitives.ReadUInt16BigEndian(frame[16..]);
            ip = frame[18..];
        }
        if (etherType != 0x0800 || ip.Length < 20 || ip[0] >> 4 != 4) return null;
        var headerLength = (ip[0] & 0x0f) * 4;
        var totalLength = Math.Min(BinaryPrimitives.ReadUInt16BigEndian(ip[2..]), ip.Length); // drop Ethernet padding
        var protocol = ip[9];
        var source = new IPAddress(ip.Slice(12, 4));
        var destination = new IPAddress(ip.Slice(16, 4));
        var l4 = ip[headerLength..totalLength];
        if (protocol != CapturedPacket.Tcp || l4.Length < 20)
            return new CapturedPacket(source, destination, protocol, 0, 0, l4.ToArray());
        var dataOffset = (l4[12] >> 4) * 4;
        return new CapturedPacket(source, destination, protocol,
            BinaryPrimitives.ReadUInt16BigEndian(l4), BinaryPrimitives.ReadUInt16BigEndian(l4[2..]),
            l4[Math.Min(dataOffset, l4.Length)..].ToArray());
    }
}
