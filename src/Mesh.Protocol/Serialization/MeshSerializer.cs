using System.Collections.Frozen;
using System.Runtime.Serialization;
using Akka.Actor;
using Akka.Serialization;
using Mesh.Protocol.Contracts;

namespace Mesh.Protocol.Serialization;

/// <summary>
/// Compact hand-written binary serializer for every <see cref="IMeshMessage"/>. Register it under
/// <see cref="ConfigName"/> bound to <see cref="IMeshMessage"/>.
/// <para>
/// Wire format: the manifest names the message type (short, stable codes); the payload starts with a format
/// version byte followed by the fields in declaration order (see the *Codec classes). To add a field, bump
/// <see cref="FormatVersion"/>, keep reading older versions, and write the new version only once every member
/// can read it; a reader refuses versions newer than its own with a clear error instead of misreading them.
/// </para>
/// </summary>
public sealed class MeshSerializer : SerializerWithStringManifest
{
    /// <summary>Akka serializer id; must be unique in the cluster and never change (ids ≤ 100 are Akka's).</summary>
    public const int SerializerId = 4711;

    /// <summary>Name used in HOCON (<c>akka.actor.serializers.mesh</c>) and the Akka.Hosting registration.</summary>
    public const string ConfigName = "mesh";

    public const byte FormatVersion = 1;

    public static class Manifests
    {
        public const string PutNodeSlice = "PNS";
        public const string SubscribeNode = "SN";
        public const string NodeSnapshot = "NS";
        public const string NeedNodeSlice = "NNS";
        public const string PutAddress = "PA";
        public const string LookupAddress = "LA";
        public const string AddressAnswer = "AA";
        public const string NeedAddress = "NA";
        public const string UnwatchAddress = "UA";
        public const string CertificateSigningRequest = "CSR";
        public const string CertificateIssued = "CI";
        public const string CertificateRefused = "CR";
    }

    private sealed record Entry(Type Type, string Manifest, Action<WireWriter, object> Write, Func<WireReader, object> Read);

    private static Entry Of<T>(string manifest, Action<WireWriter, T> write, Func<WireReader, T> read) where T : class, IMeshMessage =>
        new(typeof(T), manifest, (w, o) => write(w, (T)o), r => read(r));

    private static readonly Entry[] Entries =
    [
        Of<PutNodeSlice>(Manifests.PutNodeSlice, ContractsCodec.WritePutNodeSlice, ContractsCodec.ReadPutNodeSlice),
        Of<SubscribeNode>(Manifests.SubscribeNode, ContractsCodec.WriteSubscribeNode, ContractsCodec.ReadSubscribeNode),
        Of<NodeSnapshot>(Manifests.NodeSnapshot, ContractsCodec.WriteNodeSnapshot, ContractsCodec.ReadNodeSnapshot),
        Of<NeedNodeSlice>(Manifests.NeedNodeSlice, ContractsCodec.WriteNeedNodeSlice, ContractsCodec.ReadNeedNodeSlice),
        Of<PutAddress>(Manifests.PutAddress, ContractsCodec.WritePutAddress, ContractsCodec.ReadPutAddress),
        Of<LookupAddress>(Manifests.LookupAddress, ContractsCodec.WriteLookupAddress, ContractsCodec.ReadLookupAddress),
        Of<AddressAnswer>(Manifests.AddressAnswer, ContractsCodec.WriteAddressAnswer, ContractsCodec.ReadAddressAnswer),
        Of<NeedAddress>(Manifests.NeedAddress, ContractsCodec.WriteNeedAddress, ContractsCodec.ReadNeedAddress),
        Of<UnwatchAddress>(Manifests.UnwatchAddress, ContractsCodec.WriteUnwatchAddress, ContractsCodec.ReadUnwatchAddress),
        Of<CertificateSigningRequest>(Manifests.CertificateSigningRequest, IdentityCodec.WriteCsr, IdentityCodec.ReadCsr),
        Of<CertificateIssued>(Manifests.CertificateIssued, IdentityCodec.WriteIssued, IdentityCodec.ReadIssued),
        Of<CertificateRefused>(Manifests.CertificateRefused, IdentityCodec.WriteRefused, IdentityCodec.ReadRefused),
    ];

    private static readonly FrozenDictionary<Type, Entry> ByType = Entries.ToFrozenDictionary(e => e.Type);
    private static readonly FrozenDictionary<string, Entry> ByManifest = Entries.ToFrozenDictionary(e => e.Manifest, StringComparer.Ordinal);

    /// <summary>The concrete message types this serializer handles (tests check it covers every IMeshMessage).</summary>
    public static IReadOnlyCollection<Type> SupportedTypes => ByType.Keys;

    public MeshSerializer(ExtendedActorSystem system) : base(system) { }

    public override int Identifier => SerializerId;

    public override string Manifest(object o) => Find(o).Manifest;

    public override byte[] ToBinary(object obj)
    {
        var entry = Find(obj);
        return WireWriter.Rent((entry, obj), static (w, s) =>
        {
            w.WriteByte(FormatVersion);
            s.entry.Write(w, s.obj);
        });
    }

    public override object FromBinary(byte[] bytes, string manifest)
    {
        if (manifest is null || !ByManifest.TryGetValue(manifest, out var entry))
            throw new SerializationException($"MeshSerializer: unknown manifest '{manifest}'; known: {string.Join(", ", ByManifest.Keys)}");
        if (bytes is null) throw new SerializationException($"MeshSerializer: no payload for manifest '{manifest}'");
        try
        {
            var reader = new WireReader(bytes);
            var version = reader.ReadByte();
            if (version != FormatVersion)
                throw new SerializationException(version > FormatVersion
                    ? $"format version {version} is newer than this member supports ({FormatVersion})"
                    : $"unknown format version {version}");
            var message = entry.Read(reader);
            reader.EnsureEnd();
            return message;
        }
        catch (SerializationException e)
        {
            throw new SerializationException($"MeshSerializer: cannot read {entry.Type.Name} ('{manifest}', {bytes.Length} bytes): {e.Message}", e);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Codecs only throw SerializationException by design; anything else is still bad input, not a crash.
            throw new SerializationException($"MeshSerializer: cannot read {entry.Type.Name} ('{manifest}', {bytes.Length} bytes): {e.GetType().Name}: {e.Message}", e);
        }
    }

    private static Entry Find(object o) =>
        o is not null && ByType.TryGetValue(o.GetType(), out var entry)
            ? entry
            : throw new ArgumentException($"MeshSerializer cannot serialize {o?.GetType().FullName ?? "null"}; add it to MeshSerializer.Entries", nameof(o));
}
