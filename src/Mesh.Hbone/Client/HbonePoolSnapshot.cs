using Mesh.Protocol.Identity;

namespace Mesh.Hbone.Client;

/// <summary>What an <see cref="HboneClientPool"/> holds right now (admin views, metrics, tests).</summary>
/// <param name="Keys">One entry per pool key with at least one live connection.</param>
/// <param name="ConnectionsOpened">Connections established since the pool was created.</param>
public sealed record HbonePoolSnapshot(IReadOnlyList<HbonePoolKeySnapshot> Keys, long ConnectionsOpened)
{
    public int ConnectionCount => Keys.Sum(k => k.Connections.Count);
}

/// <summary>The connections of one pool key.</summary>
public sealed record HbonePoolKeySnapshot(HbonePoolKey Key, IReadOnlyList<HboneConnectionSnapshot> Connections);

/// <summary>One pooled HTTP/2 connection.</summary>
/// <param name="Id">Pool-unique connection number.</param>
/// <param name="OpenStreams">Streams open (or being opened) on it.</param>
/// <param name="Draining">GOAWAY sent or received, or replaced after a certificate rotation: takes no new streams.</param>
/// <param name="CertificateSerial">Serial of the source SVID the connection was made with.</param>
/// <param name="Peer">The identity the peer proved.</param>
/// <param name="Created">When it was established.</param>
public sealed record HboneConnectionSnapshot(long Id, int OpenStreams, bool Draining, string CertificateSerial, SpiffeId Peer, DateTimeOffset Created);
