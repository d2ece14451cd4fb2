namespace Mesh.Protocol.Identity;

/// <summary>Outcome of verifying an X509-SVID: the peer's id when valid, otherwise why not.</summary>
public sealed record SvidVerification(bool Valid, SpiffeId? Id, string? Error)
{
    internal static SvidVerification Ok(SpiffeId id) => new(true, id, null);
    internal static SvidVerification Fail(string error, SpiffeId? id = null) => new(false, id, error);
}
